/* sketch.h - word n-gram shingles and what is built from them.
 *
 * Shingle hashes and exact shingle sets with their set operations
 * (shingles.c), MinHash signatures (minhash.c, public rp_sketcher), LSH band
 * keys (lsh.c, public rp_lsh) and winnowed fingerprints (winnow.c). Depends
 * on base/ and text/. */
#ifndef REPRINT_SKETCH_H
#define REPRINT_SKETCH_H

#include "base/base.h"
#include "text/text.h"

/* Shingle hashes. The shingle of token hashes t[0..n) is
 * rp__shingle_hash(XOR over k of rotl(t[k], n-1-k)); the XOR part rolls
 * from one shingle to the next in O(1) (see rp__shingle_roll), so sketching
 * and the Jaccard of compare.c hash a text's shingles in one pass. */
static inline uint64_t rp__shingle_hash(uint64_t rolled)
{
    return rp__hash_combine(0x243F6A8885A308D3ULL, rolled);
}

/* The rolled value of the next shingle: drop token out (the oldest of n),
 * add token in. */
static inline uint64_t rp__shingle_roll(uint64_t rolled, uint64_t out, uint64_t in, size_t n)
{
    return rp__rotl64(rolled, 1) ^ rp__rotl64(out, (unsigned)n) ^ in;
}

/* ---- fingerprints (winnow.c) ------------------------------------------------ */
/* A selected word k-gram: its hash (rp__shingle_hash of the rolled k token
 * hashes, as the sketches) and the index of its first token. */
typedef struct rp__fingerprint {
    uint64_t hash;
    uint32_t tok;
} rp__fingerprint;
typedef struct rp__fingerprints {
    rp__fingerprint *fp;
    size_t n, cap;
} rp__fingerprints;
/* Winnow the k-grams of t[0..n) with windows of w k-grams (k in 1..32, w in
 * 1..64) into *out (reused: its old entries are replaced), in token order.
 * A text with fewer than k tokens has none. Any run of w + k - 1 tokens
 * shared by two texts yields a fingerprint in both. RP_ERR_PARAM,
 * RP_ERR_NOMEM. */
rp_status rp__winnow(const rp_token *t, size_t n, size_t k, size_t w, rp__fingerprints *out);
void rp__fingerprints_free(rp__fingerprints *f);

/* ---- shingle sets (shingles.c) --------------------------------------------- */
/* Overlap of the distinct word n-gram sets of two token arrays (a document
 * shorter than n gives one shingle of all its tokens). */
typedef struct rp__overlap {
    double jaccard;     /* |A and B| / |A or B| */
    double contained_a; /* |A and B| / |A| */
    double contained_b; /* |A and B| / |B| */
} rp__overlap;
/* Returns false on out of memory. */
bool rp__shingle_overlap(const rp_token *a, size_t na, const rp_token *b, size_t nb, size_t n,
                         rp__overlap *out);
/* Turn the token hashes h[0..nt) in place into the sorted distinct hashes
 * of their word n-gram shingles (a text shorter than n words is one
 * shingle of all its words), as the sketches and the Jaccard define them.
 * *tmp, *tmp_cap: sorting scratch, grown as needed. Returns the number of
 * shingles, or SIZE_MAX on out of memory. */
size_t rp__shingles(uint64_t *h, size_t nt, size_t n, uint64_t **tmp, size_t *tmp_cap);
/* Shared values of two sorted sets of distinct values, and their Jaccard
 * (0 when both are empty). */
size_t rp__set_intersection(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);
double rp__set_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* The distinct shingle hashes of text (rp__shingles of its token hashes;
 * the text is not validated: lossy reading) into *buf (capacity *cap,
 * grown as needed); *tmp, *tmp_cap: sorting scratch, reused across calls;
 * *n receives their number. RP_ERR_NOMEM. */
rp_status rp__shingle_set(const char *text, size_t len, size_t ngram, uint64_t seed, uint64_t **buf,
                          size_t *cap, uint64_t **tmp, size_t *tmp_cap, size_t *n);

/* ---- banding (lsh.c) ---------------------------------------------------------- */
/* The key of band `band` (values band*rows .. band*rows+rows-1) of sig. */
uint64_t rp__band_key(const uint32_t *sig, size_t band, size_t rows);

#endif /* REPRINT_SKETCH_H */
