/* index_query.c - which indexed documents share passages with a query.
 *
 * Candidate search, then verification:
 *  1. the query is winnowed with the index's k-gram size and window, giving
 *     its distinct fingerprints;
 *  2. every segment (and the handle's open batch) is asked for the
 *     documents holding each fingerprint; a fingerprint held by more than
 *     max_df live documents is boilerplate and ignored (its long list is
 *     then never read);
 *  3. documents sharing at least min_shared fingerprints are candidates,
 *     the max_candidates sharing most first (ties: the earlier added);
 *  4. each candidate's text is read and aligned with the query by
 *     rp_compare(), so its passages are exactly those of `reprint compare
 *     indexed query`; matches with a passage (and enough containment) are
 *     ranked by shared length, the words matched in their passages.
 * Everything is read in one transaction, so a query sees one state even
 * while another process commits. Removed documents are skipped through
 * their tombstones, so results do not depend on when merges happened. */
#include "index/index_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct match {
    int64_t rowid;
    char *id;
    size_t id_len;
    char *meta;
    size_t meta_len;
    rp_doc *doc;
    rp_result *res;
    size_t shared;  /* fingerprints */
    size_t matched; /* words matched in passages */
} match;

struct rp_index_matches {
    match *m;
    size_t n, cap;
};

typedef struct hit {
    uint32_t fp; /* index of the query fingerprint */
    int64_t doc;
} hit;

typedef struct deferred {
    uint32_t fp;
    uint32_t seg;
} deferred;

typedef struct candidate {
    int64_t doc;
    uint32_t shared;
} candidate;

typedef struct query {
    rp_index *idx;
    rp_error *err;
    uint64_t *fp; /* the query's distinct fingerprints, ascending */
    size_t n_fp;
    uint64_t *df; /* live documents holding each */
    hit *hits;
    size_t n_hits, cap_hits;
    deferred *defer;
    size_t n_defer, cap_defer;
    rp__lookup look;
} query;

static rp_status push_hit(query *q, uint32_t fp, int64_t doc)
{
    if (!rp__grow((void **)&q->hits, &q->cap_hits, q->n_hits + 1, sizeof *q->hits))
        return rp__nomem(q->err, q->idx->path);
    q->hits[q->n_hits].fp = fp;
    q->hits[q->n_hits].doc = doc;
    q->n_hits++;
    return RP_OK;
}

static int cmp_candidate(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->shared != y->shared) return x->shared > y->shared ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

static int cmp_match(const void *a, const void *b)
{
    const match *x = a, *y = b;
    if (x->matched != y->matched) return x->matched > y->matched ? -1 : 1;
    return (x->rowid > y->rowid) - (x->rowid < y->rowid);
}

static bool tombstoned(const rp_index *idx, int64_t doc)
{
    return rp__hmap_get(&idx->tombs, (uint64_t)doc) != NULL;
}

/* Chain the open batch's fingerprint postings by hash, from where the last
 * query of the batch left off. */
static rp_status map_pending(query *q)
{
    rp_index *idx = q->idx;
    const rp__postings *p = &idx->pend[RP__KIND_FP];
    if (!rp__grow((void **)&idx->pend_prev, &idx->pend_prev_cap, p->n, sizeof *idx->pend_prev) ||
        (idx->pend_map.slots == NULL && !rp__hmap_init(&idx->pend_map, p->n)))
        return rp__nomem(q->err, q->idx->path);
    for (size_t i = idx->pend_mapped; i < p->n; i++) {
        bool inserted;
        uint32_t *head = rp__hmap_put(&idx->pend_map, p->p[i].hash, (uint32_t)(i + 1), &inserted);
        if (head == NULL) return rp__nomem(q->err, q->idx->path);
        idx->pend_prev[i] = inserted ? 0 : *head;
        *head = (uint32_t)(i + 1);
        idx->pend_mapped = i + 1;
    }
    return RP_OK;
}

/* Steps 1-2: the query's fingerprints and the documents holding them. */
static rp_status gather(query *q, const rp_doc *doc, const rp_index_query_opts *o)
{
    rp_index *idx = q->idx;
    size_t n_tok;
    const rp_token *tok = rp_doc_tokens(doc, &n_tok);
    rp__fingerprints f = {0};
    if (rp__winnow(tok, n_tok, idx->params.ngram, idx->params.window, &f) != RP_OK) {
        rp__fingerprints_free(&f);
        return rp__nomem(q->err, q->idx->path);
    }
    q->fp = rp__malloc((f.n + 1) * sizeof *q->fp);
    q->df = rp__calloc(f.n + 1, sizeof *q->df);
    if (q->fp == NULL || q->df == NULL) {
        rp__fingerprints_free(&f);
        return rp__nomem(q->err, q->idx->path);
    }
    for (size_t i = 0; i < f.n; i++)
        q->fp[i] = f.fp[i].hash;
    size_t n_fp = f.n;
    rp__fingerprints_free(&f);
    uint64_t *tmp = NULL;
    size_t tmp_cap = 0;
    q->n_fp = rp__sort_unique_u64(q->fp, n_fp, &tmp, &tmp_cap);
    rp__free(tmp);
    if (q->n_fp == SIZE_MAX) return rp__nomem(q->err, q->idx->path);

    for (size_t s = 0; s < idx->n_segs; s++) {
        rp__segment *seg = &idx->segs[s];
        for (size_t i = 0; i < q->n_fp; i++) {
            RP_TRY(rp__segment_lookup(idx, seg, RP__KIND_FP, q->fp[i], seg->has_tombstones,
                                      &q->look, q->err));
            if (q->look.is_long) {
                /* A long list without tombstones: count now, read later
                 * only if the fingerprint is not boilerplate. */
                q->df[i] += q->look.n;
                if (!rp__grow((void **)&q->defer, &q->cap_defer, q->n_defer + 1, sizeof *q->defer))
                    return rp__nomem(q->err, q->idx->path);
                q->defer[q->n_defer].fp = (uint32_t)i;
                q->defer[q->n_defer].seg = (uint32_t)s;
                q->n_defer++;
                continue;
            }
            for (size_t j = 0; j < q->look.n; j++) {
                int64_t d = q->look.docs[j];
                if (seg->has_tombstones && tombstoned(idx, d)) continue;
                q->df[i]++;
                RP_TRY(push_hit(q, (uint32_t)i, d));
            }
        }
    }
    if (idx->in_batch && idx->pend[RP__KIND_FP].n > 0) {
        RP_TRY(map_pending(q));
        const rp__postings *p = &idx->pend[RP__KIND_FP];
        for (size_t i = 0; i < q->n_fp; i++) {
            const uint32_t *head = rp__hmap_get(&idx->pend_map, q->fp[i]);
            for (uint32_t j = head ? *head : 0; j != 0; j = idx->pend_prev[j - 1]) {
                int64_t d = p->p[j - 1].doc;
                if (idx->pend_dead.n > 0 && rp__hmap_get(&idx->pend_dead, (uint64_t)d)) continue;
                q->df[i]++;
                RP_TRY(push_hit(q, (uint32_t)i, d));
            }
        }
    }
    for (size_t k = 0; k < q->n_defer; k++) {
        uint32_t i = q->defer[k].fp;
        if (o->max_df != 0 && q->df[i] > o->max_df) continue;
        RP_TRY(rp__segment_lookup(idx, &idx->segs[q->defer[k].seg], RP__KIND_FP, q->fp[i], true,
                                  &q->look, q->err));
        for (size_t j = 0; j < q->look.n; j++)
            RP_TRY(push_hit(q, i, q->look.docs[j]));
    }
    return RP_OK;
}

/* Step 3: the candidates, best first. */
static rp_status candidates(query *q, const rp_index_query_opts *o, candidate **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    rp__hmap count;
    if (!rp__hmap_init(&count, q->n_hits / 4 + 16)) return rp__nomem(q->err, q->idx->path);
    for (size_t h = 0; h < q->n_hits; h++) {
        if (o->max_df != 0 && q->df[q->hits[h].fp] > o->max_df) continue;
        bool inserted;
        uint32_t *c = rp__hmap_put(&count, (uint64_t)q->hits[h].doc, 0, &inserted);
        if (c == NULL) {
            rp__hmap_free(&count);
            return rp__nomem(q->err, q->idx->path);
        }
        (*c)++;
    }
    size_t n = 0;
    candidate *list = rp__malloc((count.n + 1) * sizeof *list);
    if (list == NULL) {
        rp__hmap_free(&count);
        return rp__nomem(q->err, q->idx->path);
    }
    for (size_t i = 0; i <= count.mask; i++) {
        const rp__hmap_slot *s = &count.slots[i];
        if (s->used && s->value >= o->min_shared && s->value > 0) {
            list[n].doc = (int64_t)s->key;
            list[n].shared = s->value;
            n++;
        }
    }
    rp__hmap_free(&count);
    if (n > 1) qsort(list, n, sizeof *list, cmp_candidate);
    /* Enough candidates for the matches asked for, however few allowed. */
    size_t cap = o->max_candidates > o->top ? o->max_candidates : o->top;
    if (n > cap) n = cap;
    *out = list;
    *n_out = n;
    return RP_OK;
}

static void match_clear(match *m)
{
    rp__free(m->id);
    rp__free(m->meta);
    rp_doc_free(m->doc);
    rp_result_free(m->res);
    memset(m, 0, sizeof *m);
}

/* Step 4: read a candidate and align it with the query. *m is filled (and
 * kept by the caller) when they share a passage. */
static rp_status verify(query *q, const candidate *c, const rp_doc *doc,
                        const rp_index_query_opts *o, match *m, bool *keep)
{
    rp_index *idx = q->idx;
    *keep = false;
    memset(m, 0, sizeof *m);
    RP_TRY(rp__index_prepare(idx, &idx->st_doc_get,
                             "SELECT id, text_zstd, meta FROM document WHERE doc = ?1", q->err));
    sqlite3_stmt *st = idx->st_doc_get;
    sqlite3_bind_int64(st, 1, c->doc);
    int rc = sqlite3_step(st);
    rp_status r = RP_OK;
    if (rc == SQLITE_ROW) {
        const void *id = sqlite3_column_blob(st, 0);
        size_t id_len = (size_t)sqlite3_column_bytes(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        size_t blob_len = (size_t)sqlite3_column_bytes(st, 1);
        m->id = rp__memdup0(id, id_len);
        m->id_len = id_len;
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            const void *meta = sqlite3_column_blob(st, 2);
            m->meta_len = (size_t)sqlite3_column_bytes(st, 2);
            m->meta = rp__memdup0(meta, m->meta_len);
            if (m->meta == NULL) r = rp__nomem(q->err, q->idx->path);
        }
        if (m->id == NULL) r = rp__nomem(q->err, q->idx->path);
        rp_text_opts to;
        rp_text_opts_init(&to);
        to.lossy = 1; /* as stored: checked when it was added */
        to.seed = idx->params.seed;
        char *text = NULL;
        size_t len = 0;
        if (r == RP_OK) r = rp__index_text(idx, blob, blob_len, &text, &len, q->err);
        if (r == RP_OK) r = rp_doc_new(m->id, text, len, &to, &m->doc, q->err);
        rp__free(text);
    } else if (rc != SQLITE_DONE) {
        r = rp__index_db_fail(idx, rc, "reading a document", q->err);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return RP_OK; /* removed: its postings await a merge */
    if (r == RP_OK) r = rp_compare(m->doc, doc, &o->compare, &m->res, q->err);
    if (r != RP_OK) {
        match_clear(m);
        return r;
    }
    size_t n;
    const rp_passage *p = rp_result_passages(m->res, &n);
    for (size_t i = 0; i < n; i++)
        m->matched += p[i].tokens;
    m->rowid = c->doc;
    m->shared = c->shared;
    *keep = n > 0 && (rp_result_containment_a(m->res) >= o->min_containment ||
                      rp_result_containment_b(m->res) >= o->min_containment);
    if (!*keep) match_clear(m);
    return RP_OK;
}

void rp_index_matches_free(rp_index_matches *m)
{
    if (m == NULL) return;
    for (size_t i = 0; i < m->n; i++)
        match_clear(&m->m[i]);
    rp__free(m->m);
    rp__free(m);
}

rp_status rp_index_query(rp_index *idx, const rp_doc *doc, const rp_index_query_opts *opts,
                         rp_index_matches **out, rp_error *err)
{
    rp_index_query_opts defaults;
    if (opts == NULL) {
        rp_index_query_opts_init(&defaults);
        opts = &defaults;
    }
    if (out != NULL) *out = NULL;
    if (idx == NULL || doc == NULL || out == NULL)
        return rp__fail(err, RP_ERR_PARAM, idx ? idx->path : "", 0,
                        "rp_index_query: NULL argument");
    if (!(opts->min_containment >= 0 && opts->min_containment <= 1))
        return rp__fail(err, RP_ERR_PARAM, idx->path, 0, "min_containment must be in 0..1");
    if (doc->seed != idx->params.seed)
        return rp__fail(err, RP_ERR_MISMATCH, idx->path, 0,
                        "query tokenized with seed %llu, the index has seed %llu",
                        (unsigned long long)doc->seed, (unsigned long long)idx->params.seed);
    query q;
    memset(&q, 0, sizeof q);
    q.idx = idx;
    q.err = err;
    candidate *cand = NULL;
    size_t n_cand = 0;
    rp_index_matches *res = rp__calloc(1, sizeof *res);
    if (res == NULL) return rp__nomem(q.err, q.idx->path);
    bool own = !idx->in_batch;
    rp_status r = own ? rp__index_exec(idx, "BEGIN", err) : RP_OK;
    if (r == RP_OK) r = rp__index_refresh(idx, err);
    if (r == RP_OK) r = gather(&q, doc, opts);
    if (r == RP_OK) r = candidates(&q, opts, &cand, &n_cand);
    for (size_t i = 0; i < n_cand && r == RP_OK; i++) {
        if (!rp__grow((void **)&res->m, &res->cap, res->n + 1, sizeof *res->m)) {
            r = rp__nomem(q.err, q.idx->path);
            break;
        }
        bool keep;
        r = verify(&q, &cand[i], doc, opts, &res->m[res->n], &keep);
        if (r == RP_OK && keep) res->n++;
    }
    if (own) {
        int rc = sqlite3_exec(idx->db, r == RP_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
        if (rc != SQLITE_OK && r == RP_OK) r = rp__index_db_fail(idx, rc, "ending a query", err);
    }
    rp__free(cand);
    rp__free(q.fp);
    rp__free(q.df);
    rp__free(q.hits);
    rp__free(q.defer);
    rp__lookup_free(&q.look);
    if (r != RP_OK) {
        if (r == RP_ERR_FORMAT || r == RP_ERR_IO) idx->stale = true;
        rp_index_matches_free(res);
        return r;
    }
    if (res->n > 1) qsort(res->m, res->n, sizeof *res->m, cmp_match);
    if (opts->top != 0 && res->n > opts->top) {
        for (size_t i = opts->top; i < res->n; i++)
            match_clear(&res->m[i]);
        res->n = opts->top;
    }
    *out = res;
    return RP_OK;
}

size_t rp_index_matches_count(const rp_index_matches *m)
{
    return m != NULL ? m->n : 0;
}

static const match *at(const rp_index_matches *m, size_t i)
{
    return m != NULL && i < m->n ? &m->m[i] : NULL;
}

const char *rp_index_match_id(const rp_index_matches *m, size_t i, size_t *len)
{
    const match *x = at(m, i);
    if (len != NULL) *len = x ? x->id_len : 0;
    return x ? x->id : NULL;
}

const char *rp_index_match_meta(const rp_index_matches *m, size_t i, size_t *len)
{
    const match *x = at(m, i);
    if (len != NULL) *len = x && x->meta ? x->meta_len : 0;
    return x ? x->meta : NULL;
}

const rp_doc *rp_index_match_doc(const rp_index_matches *m, size_t i)
{
    const match *x = at(m, i);
    return x ? x->doc : NULL;
}

const rp_result *rp_index_match_result(const rp_index_matches *m, size_t i)
{
    const match *x = at(m, i);
    return x ? x->res : NULL;
}

size_t rp_index_match_shared(const rp_index_matches *m, size_t i)
{
    const match *x = at(m, i);
    return x ? x->shared : 0;
}
