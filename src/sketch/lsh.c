/* lsh.c - banding of MinHash signatures: the S-curve, the choice of bands
 * and rows for a threshold, band keys, and an in-memory LSH index.
 *
 * The band keys here are the ones rp_dedup_run() sorts, so an index and a
 * corpus run agree on candidates. */
#include "sketch/sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t rp__band_key(const uint32_t *sig, size_t band, size_t rows)
{
    return rp__hash_bytes(sig + band * rows, rows * sizeof *sig,
                          0x6C62272E07BB0142ULL + (uint64_t)band);
}

double rp_lsh_probability(double j, size_t bands, size_t rows)
{
    if (j <= 0) return 0;
    if (j >= 1) return 1;
    return 1.0 - pow(1.0 - pow(j, (double)rows), (double)bands);
}

/* Area under the S-curve over [0, t] (false candidates), midpoint rule. */
static double fp_area(double t, size_t bands, size_t rows)
{
    const int steps = 200;
    double sum = 0, h = t / steps;
    for (int i = 0; i < steps; i++)
        sum += rp_lsh_probability((i + 0.5) * h, bands, rows);
    return sum * h;
}

rp_status rp_lsh_choose(double threshold, size_t hashes, size_t *bands, size_t *rows)
{
    if (!(threshold > 0 && threshold <= 1) || hashes < 1 || bands == NULL || rows == NULL)
        return RP_ERR_PARAM;
    size_t best_b = 0, best_r = 0, top_b = 1, top_r = 1;
    double best_area = INFINITY, top_p = -1;
    for (size_t r = 1; r <= hashes; r++) {
        size_t b = hashes / r; /* more bands never hurt recall at the same rows */
        double p = rp_lsh_probability(threshold, b, r);
        if (p > top_p) {
            top_p = p;
            top_b = b;
            top_r = r;
        }
        if (p < 0.995) continue;
        double area = fp_area(threshold, b, r);
        if (area < best_area) {
            best_area = area;
            best_b = b;
            best_r = r;
        }
    }
    *bands = best_b ? best_b : top_b;
    *rows = best_b ? best_r : top_r;
    return RP_OK;
}

/* ---- the index ----------------------------------------------------------- */

struct rp_lsh {
    size_t hashes, bands, rows;
    size_t n, cap;
    uint64_t *keys;
    uint32_t *sigs;  /* n * hashes */
    uint32_t *next;  /* next[e * bands + b]: the entry before e in band b's bucket */
    rp__hmap *heads; /* per band: band key -> last entry + 1 of its bucket */
};

rp_status rp_lsh_new(size_t hashes, size_t bands, size_t rows, rp_lsh **out, rp_error *err)
{
    if (out == NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_lsh_new: NULL argument");
    *out = NULL;
    if (hashes < 1 || hashes > RP_SKETCH_MAX_HASHES || bands < 1 || rows < 1 ||
        bands > hashes / rows)
        return rp__fail(err, RP_ERR_PARAM, "", 0,
                        "bands x rows (%zu x %zu) must fit in the %zu hashes", bands, rows, hashes);
    rp_lsh *l = rp__calloc(1, sizeof *l);
    if (l == NULL) return rp__nomem(err, "");
    l->hashes = hashes;
    l->bands = bands;
    l->rows = rows;
    l->heads = rp__calloc(bands, sizeof *l->heads);
    if (l->heads == NULL) goto nomem;
    for (size_t b = 0; b < bands; b++)
        if (!rp__hmap_init(&l->heads[b], 16)) goto nomem;
    *out = l;
    return RP_OK;
nomem:
    rp_lsh_free(l);
    return rp__nomem(err, "");
}

void rp_lsh_free(rp_lsh *l)
{
    if (l == NULL) return;
    for (size_t b = 0; l->heads != NULL && b < l->bands; b++)
        rp__hmap_free(&l->heads[b]);
    rp__free(l->heads);
    rp__free(l->keys);
    rp__free(l->sigs);
    rp__free(l->next);
    rp__free(l);
}

size_t rp_lsh_size(const rp_lsh *l)
{
    return l ? l->n : 0;
}

rp_status rp_lsh_add(rp_lsh *l, uint64_t key, const uint32_t *sig, rp_error *err)
{
    if (l == NULL || sig == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_lsh_add: NULL argument");
    if (l->n >= UINT32_MAX - 1)
        return rp__fail(err, RP_ERR_LIMIT, "", 0, "an LSH index holds at most %u signatures",
                        (unsigned)(UINT32_MAX - 2));
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        uint64_t *k = rp__realloc(l->keys, cap * sizeof *k);
        if (k == NULL) goto nomem;
        l->keys = k;
        uint32_t *s = rp__realloc(l->sigs, cap * l->hashes * sizeof *s);
        if (s == NULL) goto nomem;
        l->sigs = s;
        uint32_t *nx = rp__realloc(l->next, cap * l->bands * sizeof *nx);
        if (nx == NULL) goto nomem;
        l->next = nx;
        l->cap = cap;
    }
    size_t e = l->n;
    /* Insert in every band before committing the entry, so a failure leaves
     * the index as it was (a band already updated is rolled back). */
    for (size_t b = 0; b < l->bands; b++) {
        bool inserted;
        uint32_t *head = rp__hmap_put(&l->heads[b], rp__band_key(sig, b, l->rows), 0, &inserted);
        if (head == NULL) {
            for (size_t c = 0; c < b; c++) {
                bool ins;
                uint32_t *h = rp__hmap_put(&l->heads[c], rp__band_key(sig, c, l->rows), 0, &ins);
                if (h != NULL) *h = l->next[e * l->bands + c];
            }
            goto nomem;
        }
        l->next[e * l->bands + b] = *head;
        *head = (uint32_t)e + 1;
    }
    l->keys[e] = key;
    memcpy(l->sigs + e * l->hashes, sig, l->hashes * sizeof *sig);
    l->n++;
    return RP_OK;
nomem:
    return rp__nomem(err, "");
}

static int match_cmp(const void *x, const void *y)
{
    const rp_lsh_match *a = x, *b = y;
    if (a->similarity != b->similarity) return a->similarity > b->similarity ? -1 : 1;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return 0;
}

typedef struct entry_sim {
    uint32_t e;
    double sim;
} entry_sim;

static int entry_cmp(const void *x, const void *y)
{
    const entry_sim *a = x, *b = y;
    return a->e < b->e ? -1 : a->e > b->e;
}

rp_status rp_lsh_query(const rp_lsh *l, const uint32_t *sig, double min_similarity,
                       rp_lsh_match **matches, size_t *n, rp_error *err)
{
    if (l == NULL || sig == NULL || matches == NULL || n == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_lsh_query: NULL argument");
    *matches = NULL;
    *n = 0;
    entry_sim *found = NULL;
    size_t nf = 0, cap = 0;
    for (size_t b = 0; b < l->bands; b++) {
        const uint32_t *head = rp__hmap_get(&l->heads[b], rp__band_key(sig, b, l->rows));
        for (uint32_t e = head ? *head : 0; e != 0; e = l->next[(e - 1) * l->bands + b]) {
            if (!rp__grow((void **)&found, &cap, nf + 1, sizeof *found)) {
                rp__free(found);
                return rp__nomem(err, "");
            }
            found[nf++].e = e - 1;
        }
    }
    if (nf > 1) qsort(found, nf, sizeof *found, entry_cmp);
    size_t m = 0;
    for (size_t i = 0; i < nf; i++) {
        if (m > 0 && found[m - 1].e == found[i].e) continue;
        double sim =
            rp_signature_similarity(sig, l->sigs + (size_t)found[i].e * l->hashes, l->hashes);
        if (sim < min_similarity) continue;
        found[m].e = found[i].e;
        found[m].sim = sim;
        m++;
    }
    if (m == 0) {
        rp__free(found);
        return RP_OK;
    }
    rp_lsh_match *out = rp__malloc(m * sizeof *out);
    if (out == NULL) {
        rp__free(found);
        return rp__nomem(err, "");
    }
    for (size_t i = 0; i < m; i++) {
        out[i].key = l->keys[found[i].e];
        out[i].similarity = found[i].sim;
    }
    rp__free(found);
    /* Stable order: qsort is not stable, but entries came sorted by order of
     * addition and the comparison falls back to the key; equal keys with
     * equal similarity are interchangeable to the caller. */
    qsort(out, m, sizeof *out, match_cmp);
    *matches = out;
    *n = m;
    return RP_OK;
}
