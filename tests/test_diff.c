/* test_diff.c - the token diff: valid edit scripts, optimal on small input,
 * near-linear and sensible on large input. */
#include "align/align.h"
#include "test.h"

#include <stdlib.h>

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng_state >> 33;
}

/* The script must cover both ranges in order, EQUAL runs must match. */
static bool valid_script(const rp_token *a, size_t na, const rp_token *b, size_t nb,
                         const rp_edit *e, size_t ne, size_t *matched)
{
    size_t i = 0, j = 0;
    *matched = 0;
    for (size_t k = 0; k < ne; k++) {
        if (e[k].a_tok != i || e[k].b_tok != j || e[k].a_tok_end < i || e[k].b_tok_end < j)
            return false;
        if (e[k].op == RP_EDIT_EQUAL) {
            if (e[k].a_tok_end - e[k].a_tok != e[k].b_tok_end - e[k].b_tok) return false;
            for (size_t x = 0; x < e[k].a_tok_end - e[k].a_tok; x++)
                if (a[i + x].hash != b[j + x].hash) return false;
            *matched += e[k].a_tok_end - e[k].a_tok;
        }
        i = e[k].a_tok_end;
        j = e[k].b_tok_end;
    }
    return i == na && j == nb;
}

static size_t lcs(const rp_token *a, size_t na, const rp_token *b, size_t nb)
{
    size_t *row = calloc(nb + 1, sizeof *row), *prev = calloc(nb + 1, sizeof *prev);
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            if (a[i - 1].hash == b[j - 1].hash)
                row[j] = prev[j - 1] + 1;
            else
                row[j] = row[j - 1] > prev[j] ? row[j - 1] : prev[j];
        }
        size_t *t = prev;
        prev = row;
        row = t;
    }
    size_t r = prev[nb];
    free(row);
    free(prev);
    return r;
}

void test_diff_random(void)
{
    rng_state = test_seed;
    for (int round = 0; round < 300; round++) {
        size_t na = rnd() % 60, nb = rnd() % 60, alpha = 2 + rnd() % 10;
        rp_token a[60], b[60];
        for (size_t i = 0; i < na; i++)
            a[i] = (rp_token){rnd() % alpha, 0, 0};
        for (size_t i = 0; i < nb; i++)
            b[i] = (rp_token){rnd() % alpha, 0, 0};
        rp_edit *e = NULL;
        size_t ne = 0, cap = 0, matched;
        size_t m = rp__diff(a, na, b, nb, 0, 0, &e, &ne, &cap);
        CHECK(valid_script(a, na, b, nb, e, ne, &matched));
        CHECK_EQ(m, matched);
        CHECK_EQ(m, lcs(a, na, b, nb));
        /* No two neighbouring edits of the same kind. */
        for (size_t k = 1; k < ne; k++)
            CHECK(!(e[k].op == RP_EDIT_EQUAL && e[k - 1].op == RP_EDIT_EQUAL));
        rp__free(e);
        if (test_failed) break;
    }
}

void test_diff_large(void)
{
    rng_state = test_seed + 1;
    size_t n = 200000;
    rp_token *a = malloc(n * sizeof *a), *b = malloc((n + n / 10) * sizeof *b);
    size_t nb = 0, edits = 0;
    for (size_t i = 0; i < n; i++)
        a[i] = (rp_token){rnd(), 0, 0};
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rnd() % 100;
        if (r == 0) { /* substitute */
            b[nb++] = (rp_token){rnd(), 0, 0};
            edits++;
        } else if (r == 1) { /* delete */
            edits++;
        } else if (r == 2) { /* insert */
            b[nb++] = (rp_token){rnd(), 0, 0};
            b[nb++] = a[i];
            edits++;
        } else {
            b[nb++] = a[i];
        }
    }
    rp_edit *e = NULL;
    size_t ne = 0, cap = 0, matched;
    size_t m = rp__diff(a, n, b, nb, 0, 0, &e, &ne, &cap);
    CHECK(valid_script(a, n, b, nb, e, ne, &matched));
    CHECK_EQ(m, matched);
    CHECK(m >= n - 2 * edits); /* every unedited token is matched */
    rp__free(e);
    free(a);
    free(b);
}
