/* diff.c - token-level alignment inside a passage, for edits and similarity.
 *
 * A patience-style diff: strip the common prefix and suffix; solve small
 * ranges exactly with a longest-common-subsequence table; split large ranges
 * at anchors (tokens that occur exactly once on each side, kept in order by
 * a longest increasing subsequence) and recurse between them. Repeated text
 * without such tokens is anchored by pairing the n-th occurrence of a token
 * on one side with its n-th occurrence on the other. The cost is close to
 * linear for real text, and bounded by the table size otherwise, so a 10 MB
 * passage never triggers quadratic work. Ranges too large for the table and
 * without anchors are reported as one REPLACE. */
#include "align/align.h"

#include <string.h>

#define DP_LIMIT 262144 /* cells of the exact LCS table */

typedef struct dctx {
    const rp_token *a, *b;
    size_t a_base, b_base;
    rp_edit **e;
    size_t *n, *cap;
    size_t matched;
    bool oom;
} dctx;

static void push(dctx *c, rp_edit_op op, size_t a0, size_t a1, size_t b0, size_t b1)
{
    if (c->oom || (a0 == a1 && b0 == b1)) return;
    if (op == RP_EDIT_EQUAL) c->matched += a1 - a0;
    a0 += c->a_base, a1 += c->a_base, b0 += c->b_base, b1 += c->b_base;
    if (*c->n > 0) {
        rp_edit *last = &(*c->e)[*c->n - 1];
        bool last_eq = last->op == RP_EDIT_EQUAL, new_eq = op == RP_EDIT_EQUAL;
        if (last_eq == new_eq && last->a_tok_end == a0 && last->b_tok_end == b0) {
            last->a_tok_end = a1;
            last->b_tok_end = b1;
            if (!new_eq) {
                bool has_a = last->a_tok_end > last->a_tok, has_b = last->b_tok_end > last->b_tok;
                last->op = has_a && has_b ? RP_EDIT_REPLACE
                           : has_a        ? RP_EDIT_DELETE
                                          : RP_EDIT_INSERT;
            }
            return;
        }
    }
    if (!rp__grow((void **)c->e, c->cap, *c->n + 1, sizeof **c->e)) {
        c->oom = true;
        return;
    }
    if (op != RP_EDIT_EQUAL)
        op = (a1 > a0 && b1 > b0) ? RP_EDIT_REPLACE : (a1 > a0) ? RP_EDIT_DELETE : RP_EDIT_INSERT;
    (*c->e)[(*c->n)++] = (rp_edit){op, a0, a1, b0, b1};
}

static void diff_dp(dctx *c, size_t alo, size_t ahi, size_t blo, size_t bhi)
{
    size_t na = ahi - alo, nb = bhi - blo, w = nb + 1;
    uint32_t *t = rp__malloc((na + 1) * w * sizeof *t);
    if (t == NULL) {
        c->oom = true;
        return;
    }
    /* t[i][j] = LCS of a[alo+i..ahi) and b[blo+j..bhi) */
    for (size_t j = 0; j <= nb; j++)
        t[na * w + j] = 0;
    for (size_t i = na; i-- > 0;) {
        t[i * w + nb] = 0;
        for (size_t j = nb; j-- > 0;) {
            if (c->a[alo + i].hash == c->b[blo + j].hash)
                t[i * w + j] = t[(i + 1) * w + j + 1] + 1;
            else {
                uint32_t x = t[(i + 1) * w + j], y = t[i * w + j + 1];
                t[i * w + j] = x > y ? x : y;
            }
        }
    }
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (c->a[alo + i].hash == c->b[blo + j].hash) {
            push(c, RP_EDIT_EQUAL, alo + i, alo + i + 1, blo + j, blo + j + 1);
            i++, j++;
        } else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
            push(c, RP_EDIT_DELETE, alo + i, alo + i + 1, blo + j, blo + j);
            i++;
        } else {
            push(c, RP_EDIT_INSERT, alo + i, alo + i, blo + j, blo + j + 1);
            j++;
        }
    }
    push(c, RP_EDIT_DELETE, alo + i, ahi, blo + j, blo + j);
    push(c, RP_EDIT_INSERT, ahi, ahi, blo + j, bhi);
    rp__free(t);
}

typedef struct anchor {
    uint32_t i, j;
} anchor;

/* Pairs (i, j) where a[i] is the n-th occurrence of its token in a's range
 * and b[j] the n-th occurrence of the same token in b's range, in a order.
 * Returns the count, or SIZE_MAX on out of memory. */
static size_t ordinal_pairs(dctx *c, size_t alo, size_t ahi, size_t blo, size_t bhi, anchor **out)
{
    size_t na = ahi - alo, nb = bhi - blo, n_ids = 0, k = SIZE_MAX;
    rp__hmap ids = {0};
    uint32_t *id_b = rp__malloc((nb ? nb : 1) * sizeof *id_b);
    uint32_t *start = NULL, *pos = NULL, *seen = NULL;
    anchor *pairs = NULL;
    if (id_b == NULL || !rp__hmap_init(&ids, 1024)) goto done;
    for (size_t j = 0; j < nb; j++) {
        bool ins;
        uint32_t *v = rp__hmap_put(&ids, c->b[blo + j].hash, (uint32_t)n_ids, &ins);
        if (v == NULL) goto done;
        if (ins) n_ids++;
        id_b[j] = *v;
    }
    start = rp__calloc(n_ids + 1, sizeof *start);
    seen = rp__calloc(n_ids ? n_ids : 1, sizeof *seen);
    pos = rp__malloc((nb ? nb : 1) * sizeof *pos);
    pairs = rp__malloc((na < nb ? (na ? na : 1) : (nb ? nb : 1)) * sizeof *pairs);
    if (start == NULL || seen == NULL || pos == NULL || pairs == NULL) goto done;
    for (size_t j = 0; j < nb; j++)
        start[id_b[j] + 1]++;
    for (size_t x = 0; x < n_ids; x++)
        start[x + 1] += start[x];
    for (size_t j = 0; j < nb; j++)
        pos[start[id_b[j]] + seen[id_b[j]]++] = (uint32_t)j;
    memset(seen, 0, n_ids * sizeof *seen);
    k = 0;
    for (size_t i = 0; i < na; i++) {
        const uint32_t *id = rp__hmap_get(&ids, c->a[alo + i].hash);
        if (id == NULL) continue;
        uint32_t r = seen[*id]++;
        if (start[*id] + r < start[*id + 1])
            pairs[k++] = (anchor){(uint32_t)i, pos[start[*id] + r]};
    }
done:
    rp__hmap_free(&ids);
    rp__free(id_b);
    rp__free(start);
    rp__free(pos);
    rp__free(seen);
    if (k == SIZE_MAX || k == 0) {
        rp__free(pairs);
        pairs = NULL;
    }
    *out = pairs;
    return k;
}

/* Anchors: tokens unique in both ranges (else ordinal pairs), in a-order,
 * filtered to the longest chain increasing in b. Returns the count (0 on
 * none or out of memory). */
static size_t find_anchors(dctx *c, size_t alo, size_t ahi, size_t blo, size_t bhi, anchor **out)
{
    rp__hmap m;
    size_t k = 0;
    anchor *pairs = NULL;
    uint32_t *tails = NULL, *prev = NULL, *tail_idx = NULL;
    *out = NULL;
    if (!rp__hmap_init(&m, ahi - alo)) goto oom;
    /* value: position in a (offset), or UINT32_MAX when repeated in a;
     * a second map marks b counts by storing in the high values. */
    for (size_t i = alo; i < ahi; i++) {
        bool ins;
        uint32_t *v = rp__hmap_put(&m, c->a[i].hash, (uint32_t)(i - alo), &ins);
        if (v == NULL) goto oom;
        if (!ins) *v = UINT32_MAX;
    }
    rp__hmap mb;
    if (!rp__hmap_init(&mb, bhi - blo)) goto oom;
    for (size_t j = blo; j < bhi; j++) {
        if (rp__hmap_get(&m, c->b[j].hash) == NULL) continue;
        bool ins;
        uint32_t *v = rp__hmap_put(&mb, c->b[j].hash, (uint32_t)(j - blo), &ins);
        if (v == NULL) {
            rp__hmap_free(&mb);
            goto oom;
        }
        if (!ins) *v = UINT32_MAX;
    }
    size_t cap = 0;
    for (size_t i = alo; i < ahi; i++) {
        const uint32_t *va = rp__hmap_get(&m, c->a[i].hash);
        const uint32_t *vb = rp__hmap_get(&mb, c->a[i].hash);
        if (va == NULL || vb == NULL || *va == UINT32_MAX || *vb == UINT32_MAX) continue;
        if (!rp__grow((void **)&pairs, &cap, k + 1, sizeof *pairs)) {
            rp__hmap_free(&mb);
            goto oom;
        }
        pairs[k++] = (anchor){(uint32_t)(i - alo), *vb};
    }
    rp__hmap_free(&mb);
    rp__hmap_free(&m);
    if (k == 0) {
        /* Nothing occurs once on each side (repeated text): pair the n-th
         * occurrence of each token in a with its n-th occurrence in b. */
        rp__free(pairs);
        pairs = NULL;
        k = ordinal_pairs(c, alo, ahi, blo, bhi, &pairs);
        if (k == SIZE_MAX) goto oom2;
        if (k == 0) return 0;
    }
    /* Longest increasing subsequence of pairs[].j (patience sorting). */
    tails = rp__malloc(k * sizeof *tails);
    tail_idx = rp__malloc(k * sizeof *tail_idx);
    prev = rp__malloc(k * sizeof *prev);
    if (tails == NULL || tail_idx == NULL || prev == NULL) goto oom2;
    size_t len = 0;
    for (size_t x = 0; x < k; x++) {
        size_t lo = 0, hi = len;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (tails[mid] < pairs[x].j)
                lo = mid + 1;
            else
                hi = mid;
        }
        tails[lo] = pairs[x].j;
        tail_idx[lo] = (uint32_t)x;
        prev[x] = lo > 0 ? tail_idx[lo - 1] : UINT32_MAX;
        if (lo == len) len++;
    }
    anchor *chain = rp__malloc(len * sizeof *chain);
    if (chain == NULL) goto oom2;
    uint32_t x = tail_idx[len - 1];
    for (size_t y = len; y-- > 0;) {
        chain[y] = pairs[x];
        x = prev[x];
    }
    rp__free(tails);
    rp__free(tail_idx);
    rp__free(prev);
    rp__free(pairs);
    *out = chain;
    return len;
oom2:
    rp__free(tails);
    rp__free(tail_idx);
    rp__free(prev);
    rp__free(pairs);
    c->oom = true;
    return 0;
oom:
    rp__hmap_free(&m);
    rp__free(pairs);
    c->oom = true;
    return 0;
}

static void diff_range(dctx *c, size_t alo, size_t ahi, size_t blo, size_t bhi)
{
    if (c->oom) return;
    size_t p = 0;
    while (alo + p < ahi && blo + p < bhi && c->a[alo + p].hash == c->b[blo + p].hash)
        p++;
    push(c, RP_EDIT_EQUAL, alo, alo + p, blo, blo + p);
    alo += p, blo += p;
    size_t s = 0;
    while (ahi - s > alo && bhi - s > blo && c->a[ahi - s - 1].hash == c->b[bhi - s - 1].hash)
        s++;
    size_t ahi2 = ahi - s, bhi2 = bhi - s;
    size_t na = ahi2 - alo, nb = bhi2 - blo;
    if (na == 0 || nb == 0) {
        push(c, RP_EDIT_DELETE, alo, ahi2, blo, blo);
        push(c, RP_EDIT_INSERT, ahi2, ahi2, blo, bhi2);
    } else if ((na + 1) * (nb + 1) <= DP_LIMIT) {
        diff_dp(c, alo, ahi2, blo, bhi2);
    } else {
        anchor *an;
        size_t k = find_anchors(c, alo, ahi2, blo, bhi2, &an);
        if (k == 0) {
            push(c, RP_EDIT_REPLACE, alo, ahi2, blo, bhi2);
        } else {
            size_t pa = alo, pb = blo;
            for (size_t x = 0; x < k && !c->oom; x++) {
                size_t ai = alo + an[x].i, bj = blo + an[x].j;
                if (ai < pa || bj < pb) continue;
                diff_range(c, pa, ai, pb, bj);
                push(c, RP_EDIT_EQUAL, ai, ai + 1, bj, bj + 1);
                pa = ai + 1, pb = bj + 1;
            }
            diff_range(c, pa, ahi2, pb, bhi2);
        }
        rp__free(an);
    }
    push(c, RP_EDIT_EQUAL, ahi2, ahi, bhi2, bhi);
}

size_t rp__diff(const rp_token *a, size_t na, const rp_token *b, size_t nb, size_t a_base,
                size_t b_base, rp_edit **edits, size_t *n, size_t *cap)
{
    dctx c = {a, b, a_base, b_base, edits, n, cap, 0, false};
    diff_range(&c, 0, na, 0, nb);
    return c.oom ? SIZE_MAX : c.matched;
}
