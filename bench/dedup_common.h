/* dedup_common.h - what the dedup benchmark's generator (dedup_gen.c) and
 * scorer (dedup_score.c) must compute the same way: the word n-gram shingle
 * set of a document and the exact Jaccard similarity of two such sets.
 *
 * Shingles are built from the library's own tokens (rp_doc_tokens: one
 * 64-bit hash per token of its NFKC + case-folded form), n consecutive
 * token hashes combined into one 64-bit value; a document with fewer than
 * n tokens is one shingle of all its tokens, and a document without tokens
 * has none, as rp_compare() defines its "jaccard". The set is the sorted,
 * duplicate-free array of shingle values; with 64 bits, collisions between
 * different shingles are negligible (about 1 in 10^7 over a billion pairs
 * of shingles). These are the benchmark's ground truth: exact, not
 * estimated.
 *
 * Header-only (static inline) so that each benchmark program stays one .c
 * file; uses only reprint.h. */
#ifndef DEDUP_COMMON_H
#define DEDUP_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reprint.h"

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

/* splitmix64's finalizer: a bijective 64-bit mix. */
static inline uint64_t dd_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

static inline int dd_cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The shingle set of doc into *set (grown as needed, *cap its capacity);
 * returns its size. */
static inline size_t dd_shingle_set(const rp_doc *doc, size_t n, uint64_t **set, size_t *cap)
{
    size_t n_tok;
    const rp_token *tok = rp_doc_tokens(doc, &n_tok);
    if (n_tok == 0) return 0;
    const size_t width = n_tok < n ? n_tok : n;
    const size_t count = n_tok - width + 1;
    if (*cap < count) {
        *cap = count;
        *set = dd_xrealloc(*set, count * sizeof **set);
    }
    uint64_t *s = *set;
    for (size_t i = 0; i < count; i++) {
        uint64_t h = 0x243f6a8885a308d3u ^ (uint64_t)width;
        for (size_t k = 0; k < width; k++) {
            h ^= tok[i + k].hash;
            h = dd_mix64(h);
        }
        s[i] = h;
    }
    qsort(s, count, sizeof *s, dd_cmp_u64);
    size_t u = 1;
    for (size_t i = 1; i < count; i++)
        if (s[i] != s[u - 1]) s[u++] = s[i];
    return u;
}

/* The number of values two sorted duplicate-free sets share. */
static inline size_t dd_shared(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else
            k++, i++, j++;
    }
    return k;
}

/* Jaccard from the counts: shared / (na + nb - shared), 0 for two empty
 * sets. Everything in the benchmark compares this value, computed this way,
 * with the threshold (J >= threshold). */
static inline double dd_jaccard(size_t shared, size_t uni)
{
    return uni == 0 ? 0.0 : (double)shared / (double)uni;
}

/* FNV-1a, for hashing ids and sentences into tables. */
static inline uint64_t dd_fnv1a(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

#endif /* DEDUP_COMMON_H */
