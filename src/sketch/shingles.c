/* shingles.c - exact word n-gram shingle sets and their set operations.
 *
 * A text's shingles are the hashes of its overlapping word n-grams
 * (rp__shingle_hash over the rolled token hashes, sketch.h), sorted and
 * distinct; a text shorter than n words is one shingle of all its words.
 * MinHash signatures (minhash.c) estimate the Jaccard of these sets, and
 * compare's Jaccard and dedup's exact verification compute it here. */
#include "sketch/sketch.h"

#include <string.h>

size_t rp__shingles(uint64_t *h, size_t nt, size_t n, uint64_t **tmp, size_t *tmp_cap)
{
    if (nt == 0) return 0;
    size_t ns = nt >= n ? nt - n + 1 : 1;
    size_t k = nt >= n ? n : nt;
    /* In place: shingle i only needs token hashes i .. i+n-1, and token i-1
     * is read (as the one leaving) before shingle i-1 overwrites it. */
    uint64_t rolled = 0, leaving = h[0];
    for (size_t j = 0; j < k; j++)
        rolled = rp__rotl64(rolled, 1) ^ h[j];
    h[0] = rp__shingle_hash(rolled);
    for (size_t i = 1; i < ns; i++) {
        uint64_t next_leaving = h[i];
        rolled = rp__shingle_roll(rolled, leaving, h[i - 1 + n], n);
        leaving = next_leaving;
        h[i] = rp__shingle_hash(rolled);
    }
    return rp__sort_unique_u64(h, ns, tmp, tmp_cap);
}

size_t rp__set_intersection(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else
            inter++, i++, j++;
    }
    return inter;
}

double rp__set_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t inter = rp__set_intersection(a, na, b, nb), uni = na + nb - inter;
    return uni ? (double)inter / (double)uni : 0;
}

/* The sorted distinct shingles of a token array into a new array. */
static size_t token_shingles(const rp_token *t, size_t nt, size_t n, uint64_t **out, uint64_t **tmp,
                             size_t *tmp_cap)
{
    *out = rp__malloc((nt ? nt : 1) * sizeof **out);
    if (*out == NULL) return SIZE_MAX;
    for (size_t i = 0; i < nt; i++)
        (*out)[i] = t[i].hash;
    return rp__shingles(*out, nt, n, tmp, tmp_cap);
}

bool rp__shingle_overlap(const rp_token *a, size_t na, const rp_token *b, size_t nb, size_t n,
                         rp__overlap *out)
{
    uint64_t *x = NULL, *y = NULL, *tmp = NULL;
    size_t tmp_cap = 0;
    size_t nx = token_shingles(a, na, n, &x, &tmp, &tmp_cap);
    size_t ny = nx == SIZE_MAX ? SIZE_MAX : token_shingles(b, nb, n, &y, &tmp, &tmp_cap);
    bool ok = nx != SIZE_MAX && ny != SIZE_MAX;
    if (ok) {
        size_t inter = rp__set_intersection(x, nx, y, ny), uni = nx + ny - inter;
        out->jaccard = uni ? (double)inter / (double)uni : 0;
        out->contained_a = nx ? (double)inter / (double)nx : 0;
        out->contained_b = ny ? (double)inter / (double)ny : 0;
    }
    rp__free(x);
    rp__free(y);
    rp__free(tmp);
    return ok;
}

typedef struct hash_buf {
    uint64_t *h;
    size_t n, cap;
} hash_buf;

static rp_status gather_hashes(void *ctx, const uint64_t *hashes, size_t n)
{
    hash_buf *b = ctx;
    if (!rp__grow((void **)&b->h, &b->cap, b->n + n, sizeof *b->h)) return RP_ERR_NOMEM;
    memcpy(b->h + b->n, hashes, n * sizeof *hashes);
    b->n += n;
    return RP_OK;
}

rp_status rp__shingle_set(const char *text, size_t len, size_t ngram, uint64_t seed, uint64_t **buf,
                          size_t *cap, uint64_t **tmp, size_t *tmp_cap, size_t *n)
{
    hash_buf b = {*buf, 0, *cap};
    size_t bad;
    rp_status rc = rp__tokenize_hashes(text, len, seed, true, gather_hashes, &b, &bad);
    *buf = b.h;
    *cap = b.cap;
    *n = 0;
    if (rc != RP_OK) return rc;
    size_t m = rp__shingles(b.h, b.n, ngram, tmp, tmp_cap);
    if (m == SIZE_MAX) return RP_ERR_NOMEM;
    *n = m;
    return RP_OK;
}
