/* index_near.c - near-duplicate lookup in a reuse index: the stored LSH
 * band keys give candidates, the stored signatures their estimated
 * similarity; texts are read on request for exact checks (reprint dedup
 * --against). */
#include "index/index_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static int near_cmp(const void *a, const void *b)
{
    const rp_index_near_match *x = a, *y = b;
    if (x->similarity != y->similarity) return x->similarity > y->similarity ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The stored signature of doc into sig; *found 0 when it has none. */
static rp_status load_signature(rp_index *idx, int64_t doc, uint32_t *sig, bool *found,
                                rp_error *err)
{
    RP_TRY(rp__index_prepare(idx, &idx->st_sketch_get,
                             "SELECT signature FROM sketch WHERE doc = ?1", err));
    sqlite3_stmt *st = idx->st_sketch_get;
    sqlite3_bind_int64(st, 1, doc);
    int rc = sqlite3_step(st);
    rp_status r = RP_OK;
    *found = false;
    size_t k = idx->params.sketch_hashes;
    if (rc == SQLITE_ROW) {
        const uint8_t *b = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (b == NULL || n != k * 4) {
            r = rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                         "damaged index: the signature of document %lld has %zu bytes, not %zu",
                         (long long)doc, n, k * 4);
        } else {
            for (size_t i = 0; i < k; i++)
                sig[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                         (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
            *found = true;
        }
    } else if (rc != SQLITE_DONE) {
        r = rp__index_db_fail(idx, rc, "reading a signature", err);
    }
    sqlite3_reset(st);
    return r;
}

rp_status rp_index_near(rp_index *idx, const uint32_t *sig, double min_similarity,
                        rp_index_near_match **out, size_t *n, rp_error *err)
{
    if (out != NULL) *out = NULL;
    if (n != NULL) *n = 0;
    if (idx == NULL || sig == NULL || out == NULL || n == NULL)
        return rp__fail(err, RP_ERR_PARAM, idx ? idx->path : "", 0, "rp_index_near: NULL argument");
    const rp_index_params *p = &idx->params;
    int64_t *docs = NULL;
    size_t nd = 0, cap = 0;
    rp__lookup look = {0};
    uint32_t *other = rp__malloc(p->sketch_hashes * sizeof *other);
    rp_index_near_match *res = NULL;
    size_t m = 0, res_cap = 0;
    if (other == NULL) return rp__nomem(err, idx->path);
    bool own = !idx->in_batch;
    rp_status r = own ? rp__index_exec(idx, "BEGIN", err) : RP_OK;
    if (r == RP_OK) r = rp__index_refresh(idx, err);
    for (size_t b = 0; r == RP_OK && b < p->lsh_bands; b++) {
        uint64_t key = rp__band_key(sig, b, p->lsh_rows);
        for (size_t s = 0; r == RP_OK && s < idx->n_segs; s++) {
            rp__segment *seg = &idx->segs[s];
            r = rp__segment_lookup(idx, seg, RP__KIND_BAND, key, true, &look, err);
            for (size_t j = 0; r == RP_OK && j < look.n; j++) {
                int64_t d = look.docs[j];
                if (seg->has_tombstones && rp__hmap_get(&idx->tombs, (uint64_t)d) != NULL) continue;
                if (!rp__grow((void **)&docs, &cap, nd + 1, sizeof *docs))
                    r = rp__nomem(err, idx->path);
                else
                    docs[nd++] = d;
            }
        }
        /* This handle's open batch, not yet in a segment. */
        const rp__postings *pend = &idx->pend[RP__KIND_BAND];
        for (size_t j = 0; r == RP_OK && idx->in_batch && j < pend->n; j++) {
            if (pend->p[j].hash != key) continue;
            int64_t d = pend->p[j].doc;
            if (idx->pend_dead.n > 0 && rp__hmap_get(&idx->pend_dead, (uint64_t)d) != NULL)
                continue;
            if (!rp__grow((void **)&docs, &cap, nd + 1, sizeof *docs))
                r = rp__nomem(err, idx->path);
            else
                docs[nd++] = d;
        }
    }
    if (r == RP_OK && nd > 1) qsort(docs, nd, sizeof *docs, i64_cmp);
    for (size_t i = 0; r == RP_OK && i < nd; i++) {
        if (i > 0 && docs[i] == docs[i - 1]) continue;
        bool found;
        r = load_signature(idx, docs[i], other, &found, err);
        if (r != RP_OK || !found) continue;
        double sim = rp_signature_similarity(sig, other, p->sketch_hashes);
        if (sim < min_similarity) continue;
        if (!rp__grow((void **)&res, &res_cap, m + 1, sizeof *res)) {
            r = rp__nomem(err, idx->path);
            break;
        }
        res[m].doc = docs[i];
        res[m].similarity = sim;
        m++;
    }
    if (own) {
        int rc = sqlite3_exec(idx->db, r == RP_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
        if (rc != SQLITE_OK && r == RP_OK) r = rp__index_db_fail(idx, rc, "ending a lookup", err);
    }
    rp__free(docs);
    rp__free(other);
    rp__lookup_free(&look);
    if (r != RP_OK) {
        rp__free(res);
        return r;
    }
    if (m > 1) qsort(res, m, sizeof *res, near_cmp);
    *out = res;
    *n = m;
    return RP_OK;
}

rp_status rp_index_document(rp_index *idx, int64_t doc, char **id, size_t *id_len, char **text,
                            size_t *text_len, rp_error *err)
{
    if (id != NULL) *id = NULL;
    if (text != NULL) *text = NULL;
    if (idx == NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_index_document: NULL index");
    RP_TRY(rp__index_prepare(idx, &idx->st_doc_get,
                             "SELECT id, text_zstd, meta FROM document WHERE doc = ?1", err));
    sqlite3_stmt *st = idx->st_doc_get;
    sqlite3_bind_int64(st, 1, doc);
    int rc = sqlite3_step(st);
    rp_status r = RP_OK;
    if (rc == SQLITE_ROW) {
        if (id != NULL) {
            size_t n = (size_t)sqlite3_column_bytes(st, 0);
            if ((*id = rp__memdup0(sqlite3_column_blob(st, 0), n)) == NULL)
                r = rp__nomem(err, idx->path);
            else if (id_len != NULL)
                *id_len = n;
        }
        if (r == RP_OK && text != NULL) {
            size_t len = 0;
            r = rp__index_text(idx, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                               text, &len, err);
            if (r == RP_OK && text_len != NULL) *text_len = len;
        }
    } else if (rc == SQLITE_DONE) {
        r = rp__fail(err, RP_ERR_PARAM, idx->path, 0, "no document %lld in the index",
                     (long long)doc);
    } else {
        r = rp__index_db_fail(idx, rc, "reading a document", err);
    }
    sqlite3_reset(st);
    if (r != RP_OK && id != NULL) {
        rp__free(*id);
        *id = NULL;
    }
    return r;
}

rp_status rp_index_get(rp_index *idx, const char *id, size_t id_len, int *found, char **text,
                       size_t *text_len, char **meta, size_t *meta_len, rp_error *err)
{
    if (text != NULL) *text = NULL;
    if (meta != NULL) *meta = NULL;
    if (found != NULL) *found = 0;
    if (idx == NULL || id == NULL || found == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_index_get: NULL argument");
    if (id_len > INT32_MAX) return RP_OK; /* no stored id is that long */
    /* A statement of its own, finalized here: lookups by id are rare next
     * to queries, and the handle's cached statements belong to writes. */
    sqlite3_stmt *st = NULL;
    RP_TRY(rp__index_prepare(idx, &st, "SELECT text_zstd, meta FROM document WHERE id = ?1",
                             err));
    sqlite3_bind_text(st, 1, id, (int)id_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    rp_status r = RP_OK;
    if (rc == SQLITE_ROW) {
        *found = 1;
        if (text != NULL) {
            size_t len = 0;
            r = rp__index_text(idx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                               text, &len, err);
            if (r == RP_OK && text_len != NULL) *text_len = len;
        }
        if (r == RP_OK && meta != NULL && sqlite3_column_type(st, 1) != SQLITE_NULL) {
            size_t n = (size_t)sqlite3_column_bytes(st, 1);
            if ((*meta = rp__memdup0(sqlite3_column_text(st, 1), n)) == NULL)
                r = rp__nomem(err, idx->path);
            else if (meta_len != NULL)
                *meta_len = n;
        }
    } else if (rc != SQLITE_DONE) {
        r = rp__index_db_fail(idx, rc, "reading a document", err);
    }
    sqlite3_finalize(st);
    if (r != RP_OK) {
        *found = 0;
        if (text != NULL) {
            rp__free(*text);
            *text = NULL;
        }
    }
    if (r == RP_OK && meta_len != NULL && (meta == NULL || *meta == NULL)) *meta_len = 0;
    return r;
}
