/* hash.c - seeded hashing of tokens and n-grams, via xxHash.
 *
 * Token hashes are XXH3-64 of the normalized token bytes with the document
 * seed. They are pinned by known-answer tests (tests/test_hash.c): changing
 * them silently would make stored sketches and indexes incomparable. */
#include "base/base.h"

#define XXH_INLINE_ALL /* short tokens: no call into the shared library */
#include <xxhash.h>

uint64_t rp__hash_bytes(const void *p, size_t len, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, len, seed);
}
