/* dedup_common.h - what the dedup benchmark's generator (dedup_gen.c) and
 * scorer (dedup_score.c) must compute the same way: the word n-gram shingle
 * set of a document and the exact Jaccard similarity of two such sets.
 *
 * Shingles are the library's own (rp__shingles over rp_doc_tokens' hashes,
 * through bench_int.h): n consecutive token hashes rolled into one 64-bit
 * value, exactly the sets dedup verifies with; a document with fewer than
 * n tokens is one shingle of all its tokens, and a document without tokens
 * has none, as rp_compare() defines its "jaccard". The set is the sorted,
 * duplicate-free array of shingle values; with 64 bits, collisions between
 * different shingles are negligible (about 1 in 10^7 over a billion pairs
 * of shingles). These are the benchmark's ground truth: exact, not
 * estimated.
 *
 * Header-only (static inline) so that each benchmark program stays one .c
 * file. */
#ifndef DEDUP_COMMON_H
#define DEDUP_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"

#define DEDUP_NGRAM 5 /* words per shingle: the bar's word 5-grams */

static inline void *dd_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (q == NULL) {
        fputs("dedup bench: out of memory\n", stderr);
        exit(2);
    }
    return q;
}

/* splitmix64's finalizer: a bijective 64-bit mix (the library's). */
static inline uint64_t dd_mix64(uint64_t x)
{
    return rp__hash_combine(0, x);
}

/* The shingle set of doc into *set (grown as needed, *cap its capacity);
 * returns its size: the library's own shingles of the token hashes. */
static inline size_t dd_shingle_set(const rp_doc *doc, size_t n, uint64_t **set, size_t *cap)
{
    size_t n_tok;
    const rp_token *tok = rp_doc_tokens(doc, &n_tok);
    if (n_tok == 0) return 0;
    if (*cap < n_tok) {
        *cap = n_tok;
        *set = dd_xrealloc(*set, n_tok * sizeof **set);
    }
    for (size_t i = 0; i < n_tok; i++)
        (*set)[i] = tok[i].hash;
    uint64_t *tmp = NULL;
    size_t tmp_cap = 0;
    size_t u = rp__shingles(*set, n_tok, n, &tmp, &tmp_cap);
    rp__free(tmp);
    if (u == SIZE_MAX) {
        fputs("dedup bench: out of memory\n", stderr);
        exit(2);
    }
    return u;
}

/* The number of values two sorted duplicate-free sets share. */
static inline size_t dd_shared(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    return rp__set_intersection(a, na, b, nb);
}

/* Jaccard from the counts: shared / (na + nb - shared), 0 for two empty
 * sets. Everything in the benchmark compares this value, computed this way,
 * with the threshold (J >= threshold). */
static inline double dd_jaccard(size_t shared, size_t uni)
{
    return uni == 0 ? 0.0 : (double)shared / (double)uni;
}

/* A hash of ids and sentences for tables: the library's. */
static inline uint64_t dd_hash(const char *s, size_t len)
{
    return rp__hash_bytes(s, len, 0);
}

#endif /* DEDUP_COMMON_H */
