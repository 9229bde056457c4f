/* test_winnow.c - winnowed fingerprints: the same selection as a direct
 * window-by-window reference, and the guarantee that a shared run of
 * w + k - 1 tokens is found whatever surrounds it. */
#include "sketch/sketch.h"
#include "test.h"

#include <stdlib.h>

static uint64_t rs;

/* Random tokens over a small vocabulary (repeats and ties happen). */
static rp_token *random_tokens(size_t n, uint64_t vocab)
{
    rp_token *t = calloc(n ? n : 1, sizeof *t);
    for (size_t i = 0; i < n; i++)
        t[i].hash = rp__hash_combine(7, test_rand(&rs) % vocab);
    return t;
}

/* The definition, window by window: rightmost minimum, recorded once. */
static size_t reference(const rp_token *t, size_t n, size_t k, size_t w, rp__fingerprint *out)
{
    if (n < k) return 0;
    size_t ng = n - k + 1, m = 0, last = SIZE_MAX;
    uint64_t *h = malloc(ng * sizeof *h);
    for (size_t g = 0; g < ng; g++) {
        uint64_t r = 0;
        for (size_t i = 0; i < k; i++)
            r = rp__rotl64(r, 1) ^ t[g + i].hash;
        h[g] = rp__shingle_hash(r);
    }
    size_t windows = ng >= w ? ng - w + 1 : 1;
    for (size_t s = 0; s < windows; s++) {
        size_t end = s + w < ng ? s + w : ng, best = s;
        for (size_t j = s; j < end; j++)
            if (h[j] <= h[best]) best = j;
        if (best != last) {
            out[m].hash = h[best];
            out[m].tok = (uint32_t)best;
            m++;
            last = best;
        }
    }
    free(h);
    return m;
}

void test_winnow_reference(void)
{
    rs = test_seed | 1;
    rp__fingerprints f = {0};
    for (int trial = 0; trial < 400; trial++) {
        size_t n = test_rand(&rs) % 300, k = 1 + test_rand(&rs) % 8, w = 1 + test_rand(&rs) % 12;
        rp_token *t = random_tokens(n, 2 + test_rand(&rs) % 50);
        rp__fingerprint *ref = malloc((n + 1) * sizeof *ref);
        size_t m = reference(t, n, k, w, ref);
        CHECK_EQ(rp__winnow(t, n, k, w, &f), RP_OK);
        CHECK_EQ(f.n, m);
        for (size_t i = 0; i < m && i < f.n; i++) {
            CHECK_EQ(f.fp[i].hash, ref[i].hash);
            CHECK_EQ(f.fp[i].tok, ref[i].tok);
        }
        free(ref);
        free(t);
    }
    CHECK_EQ(rp__winnow(NULL, 0, 0, 4, &f), RP_ERR_PARAM);
    CHECK_EQ(rp__winnow(NULL, 0, 5, 65, &f), RP_ERR_PARAM);
    rp__fingerprints_free(&f);
}

void test_winnow_guarantee(void)
{
    rs = test_seed | 3;
    rp__fingerprints fa = {0}, fb = {0};
    size_t k = 5, w = 4, run = w + k - 1;
    for (int trial = 0; trial < 300; trial++) {
        size_t na = run + test_rand(&rs) % 200, nb = run + test_rand(&rs) % 200;
        rp_token *a = random_tokens(na, 1000000), *b = random_tokens(nb, 1000000);
        size_t pa = test_rand(&rs) % (na - run + 1), pb = test_rand(&rs) % (nb - run + 1);
        for (size_t i = 0; i < run; i++)
            b[pb + i].hash = a[pa + i].hash;
        CHECK_EQ(rp__winnow(a, na, k, w, &fa), RP_OK);
        CHECK_EQ(rp__winnow(b, nb, k, w, &fb), RP_OK);
        int shared = 0;
        for (size_t i = 0; i < fa.n && !shared; i++)
            for (size_t j = 0; j < fb.n && !shared; j++)
                shared = fa.fp[i].hash == fb.fp[j].hash && fa.fp[i].tok >= pa &&
                         fa.fp[i].tok + k <= pa + run;
        CHECK(shared);
        /* Density stays near 2 / (w + 1) on random text. */
        if (na > 150) CHECK(fa.n < na * 3 / (w + 1) + 4);
        free(a);
        free(b);
    }
    rp__fingerprints_free(&fa);
    rp__fingerprints_free(&fb);
}
