/* minhash.c - MinHash signatures of texts, for near-duplicate detection.
 *
 * A text is tokenized exactly as for rp_compare (rp__scan: same tokens and
 * hashes), cut into word n-gram shingles hashed as in the Jaccard of
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
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct rp_sketcher {
    rp_sketch_opts opts;
    uint64_t ring[32]; /* the last ngram token hashes */
    uint64_t rolled;   /* the rolling part of the current shingle's hash */
    size_t n_tokens;   /* tokens seen in the current text */
    uint32_t *sig;     /* the signature being built */
    uint8_t *filled;   /* bins that received a shingle */
    size_t n_shingles;
};

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
    s->sig = rp__malloc(opts->hashes * sizeof *s->sig);
    s->filled = rp__malloc(opts->hashes);
    if (s->sig == NULL || s->filled == NULL) goto nomem;
    *out = s;
    return RP_OK;
nomem:
    rp_sketcher_free(s);
    return rp__fail(err, RP_ERR_NOMEM, "", 0, "out of memory");
}

void rp_sketcher_free(rp_sketcher *s)
{
    if (s == NULL) return;
    rp__free(s->sig);
    rp__free(s->filled);
    rp__free(s);
}

static void add_shingle(rp_sketcher *s, uint64_t h)
{
    size_t k = s->opts.hashes;
    size_t bin = (size_t)(((h >> 32) * (uint64_t)k) >> 32);
    uint32_t v = (uint32_t)h;
    if (!s->filled[bin] || v < s->sig[bin]) s->sig[bin] = v;
    s->filled[bin] = 1;
    s->n_shingles++;
}

/* Each token rolls the shingle hash (rp__shingle_roll, as compare.c's
 * Jaccard): until n tokens are in, the rolled value only grows; after that
 * the oldest token leaves as the newest enters. */
static rp_status on_token(void *ctx, uint32_t start, uint32_t end, uint64_t hash, uint8_t brk)
{
    (void)start;
    (void)end;
    (void)brk;
    rp_sketcher *s = ctx;
    size_t n = s->opts.ngram;
    if (s->n_tokens < n)
        s->rolled = rp__rotl64(s->rolled, 1) ^ hash;
    else
        s->rolled = rp__shingle_roll(s->rolled, s->ring[(s->n_tokens - n) % 32], hash, n);
    s->ring[s->n_tokens % 32] = hash;
    s->n_tokens++;
    if (s->n_tokens >= n) add_shingle(s, rp__shingle_hash(s->rolled));
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
    if (!s->opts.lossy && len > 0) {
        bool is_nul;
        size_t bad = rp__utf8_check((const uint8_t *)text, len, &is_nul);
        if (bad < len)
            return is_nul ? rp__fail(err, RP_ERR_FORMAT, "", bad,
                                     "NUL byte at offset %zu: binary data, not text", bad)
                          : rp__fail(err, RP_ERR_UTF8, "", bad, "invalid UTF-8 at byte offset %zu",
                                     bad);
    }
    size_t k = s->opts.hashes;
    memset(s->filled, 0, k);
    s->n_tokens = 0;
    s->n_shingles = 0;
    s->rolled = 0;
    rp_status rc = rp__scan(text, len, s->opts.seed, on_token, s);
    if (rc != RP_OK) return rp__fail(err, rc, "", 0, "out of memory while sketching");
    /* A text shorter than one shingle is one shingle of all its tokens. */
    if (s->n_tokens > 0 && s->n_tokens < s->opts.ngram) add_shingle(s, rp__shingle_hash(s->rolled));
    if (s->n_shingles == 0) {
        for (size_t i = 0; i < k; i++)
            sig[i] = UINT32_MAX;
    } else {
        /* Optimal densification: empty bin i copies the first filled bin of
         * its own probe sequence, which every text shares. */
        for (size_t i = 0; i < k; i++) {
            if (s->filled[i]) {
                sig[i] = s->sig[i];
                continue;
            }
            uint64_t probe = rp__hash_combine(s->opts.seed, (uint64_t)i + 1);
            for (;;) {
                size_t j = (size_t)(((probe >> 32) * (uint64_t)k) >> 32);
                if (s->filled[j]) {
                    sig[i] = s->sig[j];
                    break;
                }
                probe = rp__hash_combine(probe, (uint64_t)i + 1);
            }
        }
    }
    if (n_shingles != NULL) *n_shingles = s->n_shingles;
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

/* ---- exact shingle sets ---------------------------------------------------- */

typedef struct set_ctx {
    size_t n;
    uint64_t ring[32];
    uint64_t rolled;
    size_t n_tokens;
    uint64_t *buf;
    size_t len, cap;
    bool nomem;
} set_ctx;

static rp_status set_token(void *ctx, uint32_t start, uint32_t end, uint64_t hash, uint8_t brk)
{
    (void)start;
    (void)end;
    (void)brk;
    set_ctx *c = ctx;
    if (c->n_tokens < c->n)
        c->rolled = rp__rotl64(c->rolled, 1) ^ hash;
    else
        c->rolled = rp__shingle_roll(c->rolled, c->ring[(c->n_tokens - c->n) % 32], hash, c->n);
    c->ring[c->n_tokens % 32] = hash;
    c->n_tokens++;
    if (c->n_tokens >= c->n) {
        if (!rp__grow((void **)&c->buf, &c->cap, c->len + 1, sizeof *c->buf)) return RP_ERR_NOMEM;
        c->buf[c->len++] = rp__shingle_hash(c->rolled);
    }
    return RP_OK;
}

rp_status rp__shingle_set(const char *text, size_t len, size_t ngram, uint64_t seed,
                          uint64_t **buf, size_t *cap, size_t *n)
{
    set_ctx c = {.n = ngram, .buf = *buf, .cap = *cap};
    rp_status rc = rp__scan(text, len, seed, set_token, &c);
    if (rc == RP_OK && c.n_tokens > 0 && c.n_tokens < ngram) {
        if (rp__grow((void **)&c.buf, &c.cap, 1, sizeof *c.buf))
            c.buf[c.len++] = rp__shingle_hash(c.rolled);
        else
            rc = RP_ERR_NOMEM;
    }
    *buf = c.buf;
    *cap = c.cap;
    *n = 0;
    if (rc != RP_OK) return rc;
    if (c.len > 1) {
        /* Radix sort through the spare half of the buffer. */
        if (!rp__grow((void **)&c.buf, &c.cap, 2 * c.len, sizeof *c.buf)) {
            *buf = c.buf;
            *cap = c.cap;
            return RP_ERR_NOMEM;
        }
        *buf = c.buf;
        *cap = c.cap;
        rp__sort_u64(c.buf, c.len, c.buf + c.len);
    }
    size_t m = 0;
    for (size_t i = 0; i < c.len; i++)
        if (m == 0 || c.buf[m - 1] != c.buf[i]) c.buf[m++] = c.buf[i];
    *n = m;
    return RP_OK;
}

double rp__set_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            inter++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    size_t uni = na + nb - inter;
    return uni ? (double)inter / (double)uni : 0;
}
