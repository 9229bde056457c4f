/* hash.c - seeded hashing of tokens and n-grams, via xxHash.
 *
 * Token hashes are XXH3-64 of the normalized token bytes with the document
 * seed. They are pinned by known-answer tests (tests/test_hash.c): changing
 * them silently would make stored sketches and indexes incomparable. */
#include "internal.h"

#include <xxhash.h>

uint64_t rp__hash_bytes(const void *p, size_t len, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, len, seed);
}

uint64_t rp__hash_combine(uint64_t h, uint64_t v)
{
    /* A multiply-xorshift step (the finalizer of splitmix64) over h*31+v:
     * cheap, order-sensitive and well mixed for hash-table keys. */
    uint64_t x = h * 0x9E3779B97F4A7C15ULL + v;
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}
