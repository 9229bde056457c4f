/* minhash.c - MinHash signatures of texts, for near-duplicate detection.
 *
 * A text is tokenized exactly as for rp_compare (rp__tokenize_hashes: the token
 * hashes of rp__tokenize_each, handed over in batches, with UTF-8 validated during
 * the same pass), cut into word n-gram shingles hashed as in the Jaccard of
 * compare.c (a rolling hash: O(1) per token whatever n), and summarized by one-permutation hashing:
 * each shingle hash picks one of K bins from its high bits and competes for the bin's minimum with
 * its low 32 bits. Bins no shingle fell into are filled by optimal densification (Shrivastava
 * 2017): bin i copies the first non-empty bin of a probe sequence seeded by i, the same for every
 * text. One hash per shingle and O(1) work per shingle, where classic MinHash does K hashes.
 *
 * The share of equal positions of two signatures estimates the Jaccard
 * similarity J of their shingle sets with a standard error close to
 * sqrt(J(1-J)/K) (0.035 at J = 0.8, K = 128) when the sets are much larger
 * than K; tests/test_minhash.c checks the estimate against exact Jaccard. */
#include "sketch/sketch.h"

#include <stdlib.h>
#include <string.h>

struct rp_sketcher {
    rp_sketch_opts opts;
    uint64_t ring[32];     /* the last ngram token hashes */
    uint64_t rolled;       /* the rolling part of the current shingle's hash */
    size_t n_tokens;       /* tokens seen in the current text */
    uint64_t *mins;        /* per bin, the least low half of a shingle hash; EMPTY if none */
    rp__hash_cache *cache; /* word hashes, kept from text to text */
};

#define EMPTY UINT64_MAX /* above every 32-bit value */

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

void rp_sketch_opts_init(rp_sketch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ngram = 5;
    o->hashes = 128;
    o->seed = RP_HASH_SEED_DEFAULT;
    o->lossy = 0;
}

rp_status rp_sketcher_new(const rp_sketch_opts *opts, rp_sketcher **out, rp_error *err)
{
    rp_sketch_opts defaults;
    if (opts == NULL) {
        rp_sketch_opts_init(&defaults);
        opts = &defaults;
    }
    if (out == NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_sketcher_new: NULL argument");
    *out = NULL;
    if (opts->ngram < 1 || opts->ngram > 32)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "ngram must be in 1..32, not %zu", opts->ngram);
    if (opts->hashes < 1 || opts->hashes > RP_SKETCH_MAX_HASHES)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "hashes must be in 1..%d, not %zu",
                        RP_SKETCH_MAX_HASHES, opts->hashes);
    rp_sketcher *s = rp__calloc(1, sizeof *s);
    if (s == NULL) goto nomem;
    s->opts = *opts;
    s->mins = rp__malloc(opts->hashes * sizeof *s->mins);
    if (s->mins == NULL) goto nomem;
    s->cache = rp__hash_cache_new();
    if (s->cache == NULL) goto nomem;
    *out = s;
    return RP_OK;
nomem:
    rp_sketcher_free(s);
    return rp__nomem(err, "");
}

void rp_sketcher_free(rp_sketcher *s)
{
    if (s == NULL) return;
    rp__free(s->mins);
    rp__hash_cache_free(s->cache);
    rp__free(s);
}

static void add_shingle(rp_sketcher *s, uint64_t h)
{
    size_t bin = (size_t)(((h >> 32) * (uint64_t)s->opts.hashes) >> 32);
    uint64_t v = (uint32_t)h;
    if (v < s->mins[bin]) s->mins[bin] = v;
}

/* The shingles of one batch of token hashes into the bins: the body of
 * on_hashes, inlined twice so that with the defaults (n = 5, K = 128) the
 * rotations are constant and a shift picks the bin. from: the first token of the batch that ends a
 * shingle (the ones before only fill the first shingle). A token leaving the shingle is read from
 * the batch when it is there and from the ring when it came in an earlier batch. */
static ALWAYS_INLINE void roll_batch(rp_sketcher *s, const uint64_t *hash, size_t from,
                                     size_t count, const size_t n, const uint64_t k)
{
    uint64_t *mins = s->mins;
    const uint64_t *ring = s->ring;
    uint64_t rolled = s->rolled;
    size_t t = s->n_tokens, i = from;
    for (; i < count && i < n; i++, t++) { /* the leaving token is in the ring */
        rolled = rp__shingle_roll(rolled, ring[(t - n) % 32], hash[i], n);
        uint64_t h = rp__shingle_hash(rolled);
        size_t bin = (size_t)(((h >> 32) * k) >> 32);
        uint64_t v = (uint32_t)h, m = mins[bin];
        mins[bin] = v < m ? v : m;
    }
    for (; i < count; i++) { /* in this batch */
        rolled = rp__shingle_roll(rolled, hash[i - n], hash[i], n);
        uint64_t h = rp__shingle_hash(rolled);
        size_t bin = (size_t)(((h >> 32) * k) >> 32);
        uint64_t v = (uint32_t)h, m = mins[bin];
        mins[bin] = v < m ? v : m;
    }
    s->rolled = rolled;
}

/* The token hashes of the text, a batch at a time from rp__tokenize_hashes. Each
 * rolls the shingle hash (rp__shingle_roll, as compare.c's Jaccard): until
 * n tokens are in, the rolled value only grows; after that the oldest token
 * leaves as the newest enters. */
static rp_status on_hashes(void *ctx, const uint64_t *hash, size_t count)
{
    rp_sketcher *s = ctx;
    const size_t n = s->opts.ngram;
    uint64_t *ring = s->ring;
    size_t t = s->n_tokens, i = 0;
    for (; i < count && t < n; i++, t++) { /* the first shingle fills up */
        s->rolled = rp__rotl64(s->rolled, 1) ^ hash[i];
        ring[t % 32] = hash[i];
        if (t + 1 == n) add_shingle(s, rp__shingle_hash(s->rolled));
    }
    s->n_tokens = t;
    if (i < count) {
        if (n == 5 && s->opts.hashes == 128) /* the defaults: constant rotations and bins */
            roll_batch(s, hash, i, count, 5, 128);
        else
            roll_batch(s, hash, i, count, n, s->opts.hashes);
        t += count - i;
        /* The last n tokens, for the shingles of the next batch. */
        for (size_t j = count > n ? count - n : i; j < count; j++)
            ring[(t - (count - j)) % 32] = hash[j];
        s->n_tokens = t;
    }
    return RP_OK;
}

rp_status rp_sketcher_sketch(rp_sketcher *s, const char *text, size_t len, uint32_t *sig,
                             size_t *n_shingles, rp_error *err)
{
    if (s == NULL || sig == NULL || (text == NULL && len > 0))
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_sketcher_sketch: NULL argument");
    if (len > RP_DOC_MAX_BYTES)
        return rp__fail(err, RP_ERR_LIMIT, "", 0,
                        "text of %zu bytes exceeds the limit of %zu bytes", len,
                        (size_t)RP_DOC_MAX_BYTES);
    size_t k = s->opts.hashes;
    for (size_t i = 0; i < k; i++)
        s->mins[i] = EMPTY;
    s->n_tokens = 0;
    s->rolled = 0;
    /* The scan validates the UTF-8 as it goes (unless lossy). */
    size_t bad = 0;
    rp_status rc = rp__tokenize_hashes_cached(text, len, s->opts.seed, s->opts.lossy != 0, s->cache,
                                              on_hashes, s, &bad);
    if (rc == RP_ERR_FORMAT)
        return rp__fail(err, RP_ERR_FORMAT, "", bad,
                        "NUL byte at offset %zu: binary data, not text", bad);
    if (rc == RP_ERR_UTF8)
        return rp__fail(err, RP_ERR_UTF8, "", bad, "invalid UTF-8 at byte offset %zu", bad);
    if (rc != RP_OK) return rp__fail(err, rc, "", 0, "out of memory while sketching");
    size_t n = s->opts.ngram;
    size_t shingles = s->n_tokens >= n ? s->n_tokens - n + 1 : 0;
    /* A text shorter than one shingle is one shingle of all its tokens. */
    if (s->n_tokens > 0 && s->n_tokens < n) {
        add_shingle(s, rp__shingle_hash(s->rolled));
        shingles = 1;
    }
    if (shingles == 0) {
        for (size_t i = 0; i < k; i++)
            sig[i] = UINT32_MAX;
    } else {
        /* Optimal densification: empty bin i copies the first filled bin of
         * its own probe sequence, which every text shares. */
        for (size_t i = 0; i < k; i++) {
            if (s->mins[i] != EMPTY) {
                sig[i] = (uint32_t)s->mins[i];
                continue;
            }
            uint64_t probe = rp__hash_combine(s->opts.seed, (uint64_t)i + 1);
            for (;;) {
                size_t j = (size_t)(((probe >> 32) * (uint64_t)k) >> 32);
                if (s->mins[j] != EMPTY) {
                    sig[i] = (uint32_t)s->mins[j];
                    break;
                }
                probe = rp__hash_combine(probe, (uint64_t)i + 1);
            }
        }
    }
    if (n_shingles != NULL) *n_shingles = shingles;
    return RP_OK;
}

double rp_signature_similarity(const uint32_t *a, const uint32_t *b, size_t hashes)
{
    if (hashes == 0) return 0;
    size_t eq = 0;
    for (size_t i = 0; i < hashes; i++)
        eq += a[i] == b[i];
    return (double)eq / (double)hashes;
}
