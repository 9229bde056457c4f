/* test_extsort.c - the external sorter gives the same sorted (and, with
 * unique, deduplicated) records whatever its memory budget, in memory or
 * through spilled runs. */
#include "base/base.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rs;

static int cmp_rec2(const void *x, const void *y)
{
    const uint64_t *a = x, *b = y;
    if (a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
    if (a[1] != b[1]) return a[1] < b[1] ? -1 : 1;
    return 0;
}

void test_extsort_budgets(void)
{
    rs = test_seed | 1;
    size_t n = 60000;
    uint64_t *recs = malloc(n * 2 * sizeof *recs);
    for (size_t i = 0; i < n; i++) {
        /* Few distinct keys in the high word, so ties and duplicates happen. */
        recs[2 * i] = (test_rand(&rs) % 5000) << (test_rand(&rs) % 2 ? 48 : 0);
        recs[2 * i + 1] = test_rand(&rs) % 3;
    }
    uint64_t *want = malloc(n * 2 * sizeof *want);
    memcpy(want, recs, n * 2 * sizeof *recs);
    qsort(want, n, 2 * sizeof *want, cmp_rec2);
    size_t nu = 0;
    for (size_t i = 0; i < n; i++)
        if (nu == 0 || cmp_rec2(want + 2 * (nu - 1), want + 2 * i) != 0) {
            memmove(want + 2 * nu, want + 2 * i, 2 * sizeof *want);
            nu++;
        }
    (void)nu;
    uint64_t *sorted = malloc(n * 2 * sizeof *sorted);
    memcpy(sorted, recs, n * 2 * sizeof *recs);
    qsort(sorted, n, 2 * sizeof *sorted, cmp_rec2);
    size_t budgets[] = {1, 200000, 1000000, (size_t)64 << 20};
    for (size_t b = 0; b < sizeof budgets / sizeof *budgets; b++) {
        for (int unique = 0; unique <= 1; unique++) {
            rp__sorter *s = NULL;
            CHECK_EQ(rp__sorter_new(2, budgets[b], NULL, unique, &s, NULL), RP_OK);
            for (size_t i = 0; i < n; i++)
                CHECK_EQ(rp__sorter_add(s, recs + 2 * i, NULL), RP_OK);
            CHECK_EQ(rp__sorter_count(s), n);
            if (budgets[b] < 1000000) CHECK(rp__sorter_runs(s) > 0);
            if (budgets[b] > 10000000) CHECK_EQ(rp__sorter_runs(s), 0);
            const uint64_t *exp = unique ? want : sorted;
            size_t m = unique ? nu : n, got = 0;
            const uint64_t *r;
            for (;;) {
                CHECK_EQ(rp__sorter_next(s, &r, NULL), RP_OK);
                if (r == NULL) break;
                if (got < m) CHECK(r[0] == exp[2 * got] && r[1] == exp[2 * got + 1]);
                got++;
            }
            CHECK_EQ(got, m);
            CHECK_EQ(rp__sorter_add(s, recs, NULL), RP_ERR_PARAM);
            rp__sorter_free(s);
        }
    }
    /* Empty sorter, bad parameters, a missing temporary directory. */
    rp__sorter *s = NULL;
    const uint64_t *r = recs;
    CHECK_EQ(rp__sorter_new(1, 0, NULL, false, &s, NULL), RP_OK);
    CHECK_EQ(rp__sorter_next(s, &r, NULL), RP_OK);
    CHECK(r == NULL);
    rp__sorter_free(s);
    CHECK_EQ(rp__sorter_new(5, 0, NULL, false, &s, NULL), RP_ERR_PARAM);
    CHECK_EQ(rp__sorter_new(1, 1, "/nonexistent/dir", false, &s, NULL), RP_OK);
    rp_status st = RP_OK;
    for (size_t i = 0; i < n && st == RP_OK; i++)
        st = rp__sorter_add(s, recs + i, NULL);
    CHECK_EQ(st, RP_ERR_IO);
    rp__sorter_free(s);
    free(recs);
    free(want);
    free(sorted);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

void test_sort_u64(void)
{
    rs = test_seed | 7;
    for (int trial = 0; trial < 200; trial++) {
        size_t n = test_rand(&rs) % 2000;
        uint64_t *v = malloc((n + 1) * sizeof *v), *w = malloc((n + 1) * sizeof *w),
                 *tmp = malloc((n + 1) * sizeof *tmp);
        unsigned shift = (unsigned)(test_rand(&rs) % 64);
        for (size_t i = 0; i < n; i++)
            v[i] = w[i] = (test_rand(&rs) % (trial % 2 ? 50 : UINT64_MAX)) << shift;
        rp__sort_u64(v, n, tmp);
        qsort(w, n, sizeof *w, cmp_u64);
        CHECK(n == 0 || memcmp(v, w, n * sizeof *v) == 0);
        free(v);
        free(w);
        free(tmp);
    }
}
