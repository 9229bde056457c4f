/* scan_pairs.c - stages 2 and 3 of rp_scan: from fingerprint postings to
 * candidate pairs.
 *
 * Stage 2 reads each partition's postings in fingerprint order. The
 * postings of one fingerprint form a group; its document frequency (df) is
 * the number of distinct documents in it. A group with df > max_df is
 * boilerplate: it is set aside (hash, df, first posting) for the
 * boilerplate report and gives no pairs, which keeps the number of pairs
 * at most max_df^2 / 2 per fingerprint whatever the corpus. A group with
 * 2 <= df <= max_df gives a record {a << 32 | b} for each pair of its
 * documents (a < b; with opts.against only pairs across the two sets) into
 * the partition's pair sorter. Partitions run on the worker threads, each
 * with its own sorters.
 *
 * Stage 3 merges the pair sorters: equal records are consecutive in each
 * and the sorters are read side by side, so the number of records of a
 * pair, summed over partitions, is the number of distinct fingerprints its
 * documents share. Pairs with at least min_shared are the candidates, in
 * (a, b) order. Nothing here depends on the number of partitions. */
#include "scan/scan_int.h"

#include <stdatomic.h>
#include <string.h>

#define PROGRESS_EVERY ((uint64_t)1 << 16)

typedef struct index_ctx {
    rp_scan *s;
    atomic_uint_fast64_t read; /* postings read so far, over all partitions */
    uint64_t total;
    rp_status *st; /* per partition */
    rp_error *err;
    rp__scan_bp **bp; /* per partition: boilerplate fingerprints */
    size_t *n_bp, *cap_bp;
    uint64_t *shared; /* per partition: pair records written */
} index_ctx;

/* The pairs of one group's documents docs[0..n) (distinct, ascending). */
static rp_status emit_pairs(const rp_scan *s, rp__sorter *out, const uint32_t *docs, size_t n,
                            uint64_t *shared, rp_error *err)
{
    for (size_t i = 0; i + 1 < n; i++) {
        const uint8_t set_i = s->docs[docs[i]].set;
        for (size_t j = i + 1; j < n; j++) {
            if (s->o.against && s->docs[docs[j]].set == set_i) continue;
            const uint64_t rec = (uint64_t)docs[i] << 32 | docs[j];
            RP_TRY(rp__sorter_add(out, &rec, err));
            (*shared)++;
        }
    }
    return RP_OK;
}

static rp_status index_part(index_ctx *c, size_t p, uint32_t *docs, bool report)
{
    rp_scan *s = c->s;
    rp__sorter *in = s->postings[p], *out = s->pairs[p];
    rp_error *err = &c->err[p];
    const size_t max_df = s->o.max_df;
    uint64_t hash = 0, first = 0, df = 0, n_read = 0;
    uint64_t last_doc = UINT64_MAX;
    size_t nd = 0;
    bool have = false;
    for (;;) {
        const uint64_t *rec;
        RP_TRY(rp__sorter_next(in, &rec, err));
        bool boundary = rec == NULL || !have || rec[0] != hash;
        if (boundary) {
            /* the group of hash is complete */
            if (have && df > max_df) {
                if (!rp__grow((void **)&c->bp[p], &c->cap_bp[p], c->n_bp[p] + 1, sizeof *c->bp[p]))
                    return rp__nomem(err, "");
                c->bp[p][c->n_bp[p]++] = (rp__scan_bp){hash, df, first};
            } else if (have && df >= 2) {
                RP_TRY(emit_pairs(s, out, docs, nd, &c->shared[p], err));
            }
        }
        if (rec == NULL) break;
        if (boundary) {
            have = true;
            hash = rec[0];
            first = rec[1];
            df = 0;
            nd = 0;
            last_doc = UINT64_MAX;
        }
        const uint64_t doc = rec[1] >> 32;
        if (doc != last_doc) {
            df++;
            if (nd <= max_df && nd <= s->n_docs) docs[nd++] = (uint32_t)doc;
            last_doc = doc;
        }
        if (++n_read == PROGRESS_EVERY) {
            uint64_t done = atomic_fetch_add(&c->read, n_read) + n_read;
            n_read = 0;
            if (report && s->o.progress != NULL && c->total > 0)
                s->o.progress(s->o.progress_user, (double)done / (double)c->total);
        }
    }
    atomic_fetch_add(&c->read, n_read);
    return RP_OK;
}

static void index_task(void *ctx, size_t t)
{
    index_ctx *c = ctx;
    rp_scan *s = c->s;
    /* A group keeps at most max_df + 1 documents, and never more than the
     * corpus holds (max_df may be far larger, up to RP_SCAN_MAX_DF). */
    size_t keep = s->o.max_df < s->n_docs ? s->o.max_df : s->n_docs;
    uint32_t *docs = keep < SIZE_MAX / sizeof *docs - 1 ? rp__malloc((keep + 1) * sizeof *docs) : NULL;
    for (size_t p = t; p < s->n_parts; p += s->o.threads) {
        if (docs == NULL) {
            c->st[p] = rp__nomem(&c->err[p], "");
            continue;
        }
        /* Progress is reported by thread 0 only: the caller's thread. */
        c->st[p] = index_part(c, p, docs, t == 0);
        /* The postings are done with: release their memory and files. */
        rp__sorter_free(s->postings[p]);
        s->postings[p] = NULL;
    }
    rp__free(docs);
}

rp_status rp__scan_pairs_build(rp_scan *s, rp_error *err)
{
    const size_t P = s->n_parts;
    rp_status st = RP_OK;
    index_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    atomic_init(&c.read, 0);
    c.total = s->stats.fingerprints;
    c.st = rp__calloc(P, sizeof *c.st);
    c.err = rp__calloc(P, sizeof *c.err);
    c.bp = rp__calloc(P, sizeof *c.bp);
    c.n_bp = rp__calloc(P, sizeof *c.n_bp);
    c.cap_bp = rp__calloc(P, sizeof *c.cap_bp);
    c.shared = rp__calloc(P, sizeof *c.shared);
    s->pairs = rp__calloc(P, sizeof *s->pairs);
    if (c.st == NULL || c.err == NULL || c.bp == NULL || c.n_bp == NULL || c.cap_bp == NULL ||
        c.shared == NULL || s->pairs == NULL) {
        st = rp__nomem(err, "");
        goto done;
    }
    const size_t per = s->o.mem_limit / 4 / P;
    for (size_t p = 0; p < P && st == RP_OK; p++)
        st = rp__sorter_new(1, per, s->tmpdir, false, &s->pairs[p], err);
    if (st != RP_OK) goto done;

    rp__parallel(s->o.threads, index_task, &c);

    size_t n_bp = 0;
    for (size_t p = 0; p < P; p++) {
        if (c.st[p] != RP_OK && st == RP_OK) {
            st = c.st[p];
            if (err != NULL) *err = c.err[p];
        }
        n_bp += c.n_bp[p];
        s->stats.shared += c.shared[p];
    }
    if (st != RP_OK) goto done;
    s->bp = rp__malloc((n_bp ? n_bp : 1) * sizeof *s->bp);
    if (s->bp == NULL) {
        st = rp__nomem(err, "");
        goto done;
    }
    for (size_t p = 0; p < P; p++) {
        if (c.n_bp[p] > 0) memcpy(s->bp + s->n_bp, c.bp[p], c.n_bp[p] * sizeof *s->bp);
        s->n_bp += c.n_bp[p];
    }
    s->stats.boilerplate = s->n_bp;
    for (size_t p = 0; p < P; p++)
        s->stats.spilled_runs += rp__sorter_runs(s->pairs[p]);
    if (s->o.progress != NULL) s->o.progress(s->o.progress_user, 1.0);
done:
    for (size_t p = 0; c.bp != NULL && p < P; p++)
        rp__free(c.bp[p]);
    rp__free(c.st);
    rp__free(c.err);
    rp__free(c.bp);
    rp__free(c.n_bp);
    rp__free(c.cap_bp);
    rp__free(c.shared);
    return st;
}

/* ---- stage 3: the merge ------------------------------------------------------ */

static rp_status advance(rp__candidates *c, size_t i, rp_error *err)
{
    const uint64_t *rec;
    RP_TRY(rp__sorter_next(c->src[i], &rec, err));
    if (rec == NULL)
        c->live[i] = false;
    else
        c->head[i] = rec[0];
    return RP_OK;
}

rp_status rp__candidates_open(rp_scan *s, rp__candidates *c, rp_error *err)
{
    memset(c, 0, sizeof *c);
    c->src = s->pairs;
    c->n = s->n_parts;
    c->head = rp__calloc(c->n, sizeof *c->head);
    c->live = rp__calloc(c->n, sizeof *c->live);
    if (c->head == NULL || c->live == NULL) {
        rp__candidates_close(c);
        return rp__nomem(err, "");
    }
    for (size_t i = 0; i < c->n; i++) {
        c->live[i] = true;
        rp_status st = advance(c, i, err);
        if (st != RP_OK) {
            rp__candidates_close(c);
            return st;
        }
    }
    return RP_OK;
}

rp_status rp__candidates_next(rp__candidates *c, size_t min_shared, uint64_t *pair,
                              uint64_t *shared, bool *end, rp_error *err)
{
    for (;;) {
        bool any = false;
        uint64_t min = 0;
        for (size_t i = 0; i < c->n; i++)
            if (c->live[i] && (!any || c->head[i] < min)) {
                min = c->head[i];
                any = true;
            }
        if (!any) {
            *end = true;
            return RP_OK;
        }
        uint64_t count = 0;
        for (size_t i = 0; i < c->n; i++)
            while (c->live[i] && c->head[i] == min) {
                count++;
                RP_TRY(advance(c, i, err));
            }
        if (count >= min_shared) {
            *pair = min;
            *shared = count;
            *end = false;
            return RP_OK;
        }
    }
}

void rp__candidates_close(rp__candidates *c)
{
    rp__free(c->head);
    rp__free(c->live);
    c->head = NULL;
    c->live = NULL;
}
