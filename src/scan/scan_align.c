/* scan_align.c - stage 4 of rp_scan: align the candidate pairs.
 *
 * Candidates arrive in (a, b) order from the merge (scan_pairs.c) and are
 * taken in batches: up to BATCH_PAIRS pairs, fewer when their distinct
 * documents would pass an eighth of mem_limit (estimated at DOC_COST times
 * their text). For each batch the worker threads first read the distinct
 * documents back from the text store and tokenize them (rp_scan_doc), then
 * run rp_compare() on the pairs, with compare's default options except
 * min_words: a pair's passages are exactly those of `reprint compare`.
 * The caller's thread then reports the pairs in order, so the output does
 * not depend on the number of threads.
 *
 * Boilerplate. A text in more than max_df documents gives no candidates,
 * but two documents may still become candidates through the few n-grams
 * that join such a text to common words before it ("... the U.S. Follow us
 * on Twitter"); the aligner then finds the boilerplate line as a passage.
 * So each loaded document gets a mask of its tokens covered by boilerplate
 * fingerprints (as prefix counts), and a passage is boilerplate when at
 * least half of it (both sides together) lies in the masks, or when what
 * lies outside them is shorter than min_words on either side (no passage
 * of its own). A pair whose passages are all
 * boilerplate is not reported; the passages of other pairs are reported
 * unchanged, as rp_compare() gives them. A pair is reported when it has a
 * passage that is not boilerplate and the larger of its containments
 * reaches min_containment. */
#include "scan/scan_int.h"

#include <stdatomic.h>
#include <string.h>

#define BATCH_PAIRS 4096
#define DOC_COST    6 /* bytes of rp_doc per byte of text, roughly */

typedef struct align_ctx {
    rp_scan *s;
    rp_compare_opts copts;
    /* the batch */
    uint64_t *pair, *shared;
    uint32_t *slot_a, *slot_b; /* per pair: index in udoc */
    rp_result **res;
    rp_status *pst;
    size_t n, cap;
    uint32_t *udoc; /* distinct documents */
    rp_doc **doc;
    uint32_t **mask; /* per document: boilerplate tokens before each token, or NULL */
    rp_status *dst;
    size_t n_udoc, cap_udoc;
    rp__hmap slot; /* document -> index in udoc */
    rp__hmap bp;   /* boilerplate fingerprints (empty map when none) */
    atomic_size_t next;
    atomic_int stop;
    /* first error of each thread, by item */
    size_t *err_at;
    rp_error *err;
} align_ctx;

/* The prefix counts of a document's tokens covered by boilerplate n-grams:
 * (*out)[i] = covered tokens before token i; NULL when none is covered.
 * Every n-gram of the document is looked up, not only those winnowing
 * selects here: which n-grams of a boilerplate line win their windows
 * depends on the words around it, and any of them in the set is
 * boilerplate. */
static rp_status boilerplate_mask(align_ctx *c, const rp_doc *doc, uint32_t **out, rp_error *err)
{
    const size_t k = c->s->o.ngram, w = c->s->o.window;
    size_t n;
    const rp_token *tok = rp_doc_tokens(doc, &n);
    *out = NULL;
    if (n < k) return RP_OK;
    uint32_t *m = NULL;
    size_t covered_to = 0; /* tokens before this are marked */
    uint64_t rolled = 0;
    for (size_t i = 0; i < k; i++)
        rolled = rp__rotl64(rolled, 1) ^ tok[i].hash;
    for (size_t g = 0; g + k <= n; g++) {
        if (g > 0) rolled = rp__shingle_roll(rolled, tok[g - 1].hash, tok[g + k - 1].hash, k);
        if (rp__hmap_get(&c->bp, rp__shingle_hash(rolled)) == NULL) continue;
        if (m == NULL && (m = rp__calloc(n + 1, sizeof *m)) == NULL) return rp__nomem(err, "");
        size_t lo = g, hi = g + k;
        /* a gap of at most a window between two boilerplate n-grams is
         * boilerplate too (n-grams there may just never have been selected) */
        if (covered_to > 0 && lo > covered_to && lo - covered_to <= w) lo = covered_to;
        for (size_t i = lo > covered_to ? lo : covered_to; i < hi; i++)
            m[i + 1] = 1;
        if (hi > covered_to) covered_to = hi;
    }
    if (m == NULL) return RP_OK;
    for (size_t i = 1; i <= n; i++)
        m[i] += m[i - 1];
    *out = m;
    return RP_OK;
}

/* Whether a passage is boilerplate: at least half of its tokens (both sides
 * together) are, or what is left on either side is shorter than min_words. */
static bool is_boilerplate(const uint32_t *ma, const uint32_t *mb, const rp_passage *p,
                           size_t min_words)
{
    if (ma == NULL && mb == NULL) return false;
    const uint64_t la = p->a_tok_end - p->a_tok, lb = p->b_tok_end - p->b_tok;
    const uint64_t ia = ma != NULL ? ma[p->a_tok_end] - ma[p->a_tok] : 0;
    const uint64_t ib = mb != NULL ? mb[p->b_tok_end] - mb[p->b_tok] : 0;
    return 2 * (ia + ib) >= la + lb || la - ia < min_words || lb - ib < min_words;
}

static void load_task(void *ctx, size_t t)
{
    align_ctx *c = ctx;
    for (;;) {
        size_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->n_udoc || atomic_load(&c->stop)) return;
        rp_error e;
        c->dst[i] = rp_scan_doc(c->s, c->udoc[i], &c->doc[i], &e);
        if (c->dst[i] == RP_OK && c->bp.n > 0)
            c->dst[i] = boilerplate_mask(c, c->doc[i], &c->mask[i], &e);
        if (c->dst[i] != RP_OK) {
            if (c->err_at[t] == SIZE_MAX) {
                c->err_at[t] = i;
                c->err[t] = e;
            }
            atomic_store(&c->stop, 1);
        }
    }
}

static void compare_task(void *ctx, size_t t)
{
    align_ctx *c = ctx;
    for (;;) {
        size_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->n || atomic_load(&c->stop)) return;
        rp_error e;
        c->pst[i] =
            rp_compare(c->doc[c->slot_a[i]], c->doc[c->slot_b[i]], &c->copts, &c->res[i], &e);
        if (c->pst[i] != RP_OK) {
            if (c->err_at[t] == SIZE_MAX) {
                c->err_at[t] = i;
                c->err[t] = e;
            }
            atomic_store(&c->stop, 1);
        }
    }
}

/* Run task over the batch; on failure, the error of the lowest failing
 * item (the same whatever the threads). */
static rp_status run_tasks(align_ctx *c, rp__task_fn task, rp_error *err)
{
    const size_t T = c->s->o.threads;
    for (size_t t = 0; t < T; t++)
        c->err_at[t] = SIZE_MAX;
    atomic_store(&c->next, 0);
    atomic_store(&c->stop, 0);
    rp__parallel(T, task, c);
    size_t best = SIZE_MAX, bt = 0;
    for (size_t t = 0; t < T; t++)
        if (c->err_at[t] < best) {
            best = c->err_at[t];
            bt = t;
        }
    if (best == SIZE_MAX) return RP_OK;
    if (err != NULL) *err = c->err[bt];
    return c->err[bt].code != RP_OK ? c->err[bt].code : RP_ERR_NOMEM;
}

static void clear_batch(align_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        rp_result_free(c->res[i]);
        c->res[i] = NULL;
    }
    for (size_t i = 0; i < c->n_udoc; i++) {
        rp_doc_free(c->doc[i]);
        rp__free(c->mask[i]);
        c->doc[i] = NULL;
        c->mask[i] = NULL;
    }
    c->n = 0;
    c->n_udoc = 0;
    if (c->slot.slots != NULL) {
        memset(c->slot.slots, 0, (c->slot.mask + 1) * sizeof *c->slot.slots);
        c->slot.n = 0;
    }
}

/* The slot of document d in the batch, added if new; *bytes grows by its
 * estimated size. UINT32_MAX on out of memory. */
static uint32_t doc_slot(align_ctx *c, uint32_t d, uint64_t *bytes)
{
    bool inserted;
    uint32_t *v = rp__hmap_put(&c->slot, d, (uint32_t)c->n_udoc, &inserted);
    if (v == NULL) return UINT32_MAX;
    if (!inserted) return *v;
    if (c->n_udoc == c->cap_udoc) {
        size_t cap = c->cap_udoc ? 2 * c->cap_udoc : 256;
        uint32_t *u = rp__realloc(c->udoc, cap * sizeof *u);
        if (u == NULL) return UINT32_MAX;
        c->udoc = u;
        rp_doc **dd = rp__realloc(c->doc, cap * sizeof *dd);
        if (dd == NULL) return UINT32_MAX;
        c->doc = dd;
        rp_status *ds = rp__realloc(c->dst, cap * sizeof *ds);
        if (ds == NULL) return UINT32_MAX;
        c->dst = ds;
        uint32_t **mk = rp__realloc(c->mask, cap * sizeof *mk);
        if (mk == NULL) return UINT32_MAX;
        c->mask = mk;
        c->cap_udoc = cap;
    }
    c->udoc[c->n_udoc] = d;
    c->doc[c->n_udoc] = NULL;
    c->mask[c->n_udoc] = NULL;
    *bytes += (uint64_t)c->s->docs[d].text_len * DOC_COST + 256;
    return (uint32_t)c->n_udoc++;
}

/* Keep the passages that are not boilerplate, for the families. */
static rp_status keep_spans(rp_scan *s, uint32_t a, uint32_t b, const rp_result *r,
                            const uint32_t *ma, const uint32_t *mb, rp_error *err)
{
    size_t np;
    const rp_passage *ps = rp_result_passages(r, &np);
    if (!rp__grow((void **)&s->spans, &s->cap_spans, s->n_spans + np, sizeof *s->spans))
        return rp__nomem(err, "");
    for (size_t i = 0; i < np; i++)
        if (!is_boilerplate(ma, mb, &ps[i], s->o.min_words))
            s->spans[s->n_spans++] =
                (rp__scan_span){a, (uint32_t)ps[i].a_start, (uint32_t)ps[i].a_end,
                                b, (uint32_t)ps[i].b_start, (uint32_t)ps[i].b_end};
    return RP_OK;
}

/* Report the batch's pairs in order. */
static rp_status emit(align_ctx *c, rp_scan_pair_fn on_pair, void *user, rp_error *err)
{
    rp_scan *s = c->s;
    for (size_t i = 0; i < c->n; i++) {
        const rp_result *r = c->res[i];
        size_t np;
        const rp_passage *ps = rp_result_passages(r, &np);
        const double ca = rp_result_containment_a(r), cb = rp_result_containment_b(r);
        if (np == 0 || (ca > cb ? ca : cb) < s->o.min_containment) continue;
        const uint32_t *ma = c->mask[c->slot_a[i]], *mb = c->mask[c->slot_b[i]];
        size_t k = 0;
        while (k < np && is_boilerplate(ma, mb, &ps[k], s->o.min_words))
            k++;
        if (k == np) {
            s->stats.boilerplate_pairs++;
            continue;
        }
        const uint32_t a = (uint32_t)(c->pair[i] >> 32), b = (uint32_t)c->pair[i];
        rp_scan_pair pr;
        pr.a = a;
        pr.b = b;
        pr.doc_a = c->doc[c->slot_a[i]];
        pr.doc_b = c->doc[c->slot_b[i]];
        pr.a_id = rp_scan_doc_id(s, a, &pr.a_id_len);
        pr.b_id = rp_scan_doc_id(s, b, &pr.b_id_len);
        pr.shared = (size_t)c->shared[i];
        pr.result = r;
        s->stats.pairs++;
        s->stats.passages += np;
        if (s->o.clusters) RP_TRY(keep_spans(s, a, b, r, ma, mb, err));
        rp_status st = on_pair(user, &pr);
        if (st != RP_OK)
            return rp__fail(err, st, "", 0, "stopped by the pair callback (%s)", rp_strerror(st));
    }
    return RP_OK;
}

static rp_status grow_batch(align_ctx *c)
{
    size_t cap = c->cap ? 2 * c->cap : 256;
    uint64_t *p = rp__realloc(c->pair, cap * sizeof *p);
    if (p == NULL) return RP_ERR_NOMEM;
    c->pair = p;
    uint64_t *sh = rp__realloc(c->shared, cap * sizeof *sh);
    if (sh == NULL) return RP_ERR_NOMEM;
    c->shared = sh;
    uint32_t *sa = rp__realloc(c->slot_a, cap * sizeof *sa);
    if (sa == NULL) return RP_ERR_NOMEM;
    c->slot_a = sa;
    uint32_t *sb = rp__realloc(c->slot_b, cap * sizeof *sb);
    if (sb == NULL) return RP_ERR_NOMEM;
    c->slot_b = sb;
    rp_result **r = rp__realloc(c->res, cap * sizeof *r);
    if (r == NULL) return RP_ERR_NOMEM;
    c->res = r;
    rp_status *ps = rp__realloc(c->pst, cap * sizeof *ps);
    if (ps == NULL) return RP_ERR_NOMEM;
    c->pst = ps;
    for (size_t i = c->cap; i < cap; i++)
        c->res[i] = NULL;
    c->cap = cap;
    return RP_OK;
}

rp_status rp__scan_align(rp_scan *s, rp_scan_pair_fn on_pair, void *user, rp_error *err)
{
    align_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    rp_compare_opts_init(&c.copts);
    c.copts.min_words = s->o.min_words;
    atomic_init(&c.next, 0);
    atomic_init(&c.stop, 0);
    rp__candidates cand;
    memset(&cand, 0, sizeof cand);
    rp_status st = RP_OK;
    c.err_at = rp__calloc(s->o.threads, sizeof *c.err_at);
    c.err = rp__calloc(s->o.threads, sizeof *c.err);
    if (c.err_at == NULL || c.err == NULL || !rp__hmap_init(&c.slot, 2 * BATCH_PAIRS) ||
        !rp__hmap_init(&c.bp, s->n_bp)) {
        st = rp__nomem(err, "");
        goto done;
    }
    for (size_t i = 0; i < s->n_bp; i++) {
        bool inserted;
        if (rp__hmap_put(&c.bp, s->bp[i].hash, 0, &inserted) == NULL) {
            st = rp__nomem(err, "");
            goto done;
        }
    }
    if ((st = rp__candidates_open(s, &cand, err)) != RP_OK) goto done;
    const uint64_t budget = s->o.mem_limit / 8;
    bool end = false;
    while (!end) {
        /* collect a batch */
        uint64_t bytes = 0;
        while (c.n < BATCH_PAIRS && (c.n == 0 || bytes < budget)) {
            uint64_t pair, shared;
            if ((st = rp__candidates_next(&cand, s->o.min_shared, &pair, &shared, &end, err)) !=
                RP_OK)
                goto done;
            if (end) break;
            if (c.n == c.cap && grow_batch(&c) != RP_OK) {
                st = rp__nomem(err, "");
                goto done;
            }
            const uint32_t sa = doc_slot(&c, (uint32_t)(pair >> 32), &bytes);
            const uint32_t sb = sa == UINT32_MAX ? sa : doc_slot(&c, (uint32_t)pair, &bytes);
            if (sb == UINT32_MAX) {
                st = rp__nomem(err, "");
                goto done;
            }
            c.pair[c.n] = pair;
            c.shared[c.n] = shared;
            c.slot_a[c.n] = sa;
            c.slot_b[c.n] = sb;
            c.res[c.n] = NULL;
            c.n++;
            s->stats.candidates++;
        }
        if (c.n == 0) break;
        if ((st = run_tasks(&c, load_task, err)) != RP_OK) goto done;
        if ((st = run_tasks(&c, compare_task, err)) != RP_OK) goto done;
        if ((st = emit(&c, on_pair, user, err)) != RP_OK) goto done;
        if (s->o.progress != NULL)
            s->o.progress(s->o.progress_user,
                          (double)((c.pair[c.n - 1] >> 32) + 1) / (double)s->n_docs);
        clear_batch(&c);
    }
    if (s->o.progress != NULL) s->o.progress(s->o.progress_user, 1.0);
done:
    clear_batch(&c);
    rp__candidates_close(&cand);
    rp__hmap_free(&c.slot);
    rp__hmap_free(&c.bp);
    rp__free(c.mask);
    rp__free(c.pair);
    rp__free(c.shared);
    rp__free(c.slot_a);
    rp__free(c.slot_b);
    rp__free(c.res);
    rp__free(c.pst);
    rp__free(c.udoc);
    rp__free(c.doc);
    rp__free(c.dst);
    rp__free(c.err_at);
    rp__free(c.err);
    return st;
}
