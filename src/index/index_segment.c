/* index_segment.c - the posting segments of an index: writing, merging and
 * looking up.
 *
 * A posting says that a document holds a hash: a winnowed fingerprint
 * (kind 0) or an LSH band key (kind 1). Postings are written one segment
 * per committed batch, never updated in place: every batch appends its own
 * tables, postings_<seg> and long_postings_<seg>, in hash order, so adding
 * costs the same at any index size and a crash can only lose whole
 * transactions. Segments cover adjacent ranges of document rowids and are
 * merged as they gather, RP__INDEX_FANOUT of one level into one of the next
 * (a log-structured merge), so a lookup visits a few segments whatever the
 * number of batches. A merge also drops the postings of removed documents
 * (tombstones) and their tombstones.
 *
 * Inside a segment, the hashes of one kind are split into 2^bits buckets by
 * their top bits (bits chosen so a bucket holds about BUCKET_TARGET hashes);
 * one row per non-empty bucket, rowid kind << 32 | bucket, holds a blob:
 *
 *   for each hash of the bucket, ascending:
 *     its low 64 - bits bits, little-endian, in ceil((64 - bits) / 8) bytes
 *     varint n: the number of documents holding it
 *     if n <= INLINE_MAX: n varints, the first document's rowid - doc_lo,
 *       then the differences between successive rowids (ascending)
 *   (varints are LEB128: 7 bits a byte, low first, high bit = more)
 *
 * A hash held by more than INLINE_MAX documents keeps its document list in
 * long_postings_<seg> (kind, hash, docs) in the same varint form, so that
 * boilerplate fingerprints cost a query only their count unless it wants
 * them. docs/index-format.md describes the tables. */
#include "index/index_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKET_TARGET 24
#define INLINE_MAX    32

/* ---- byte buffers and varints -------------------------------------------- */

typedef struct bytes {
    uint8_t *p;
    size_t n, cap;
} bytes;

static bool bytes_reserve(bytes *b, size_t more)
{
    return rp__grow((void **)&b->p, &b->cap, b->n + more, 1);
}

static void put_varint(bytes *b, uint64_t v)
{
    while (v >= 0x80) {
        b->p[b->n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->p[b->n++] = (uint8_t)v;
}

static bool get_varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*pos >= n) return false;
        uint8_t c = p[(*pos)++];
        if (shift == 63 && c > 1) return false;
        v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static unsigned low_bytes(unsigned bits)
{
    return (64 - bits + 7) / 8;
}

static uint64_t bucket_of(uint64_t hash, unsigned bits)
{
    return bits ? hash >> (64 - bits) : 0;
}

static uint64_t low_of(uint64_t hash, unsigned bits)
{
    return bits ? hash & ((UINT64_C(1) << (64 - bits)) - 1) : hash;
}

static int64_t row_of(int kind, uint64_t bucket)
{
    return (int64_t)(((uint64_t)kind << 32) | bucket);
}

static unsigned bits_for(uint64_t hashes)
{
    unsigned b = 0;
    while (b < 32 && (hashes >> b) > BUCKET_TARGET)
        b++;
    return b;
}

static rp_status damaged(rp_index *idx, const rp__segment *s, const char *what, rp_error *err)
{
    return rp__fail(err, RP_ERR_FORMAT, idx->path, 0, "damaged index: %s in segment %lld", what,
                    (long long)s->id);
}

/* ---- reading entries ------------------------------------------------------------ */

/* One entry of a bucket blob, parsed from p[*pos..n): its low bits, its
 * document count and where its inline document list lies. */
typedef struct entry {
    uint64_t low, count;
    size_t docs_at, docs_end; /* empty for a long list */
} entry;

static bool entry_next(const uint8_t *p, size_t n, size_t *pos, unsigned lw, entry *e)
{
    if (n - *pos < lw) return false;
    uint64_t low = 0;
    for (unsigned i = 0; i < lw; i++)
        low |= (uint64_t)p[*pos + i] << (8 * i);
    *pos += lw;
    e->low = low;
    if (!get_varint(p, n, pos, &e->count) || e->count == 0) return false;
    e->docs_at = e->docs_end = *pos;
    if (e->count > INLINE_MAX) return true;
    for (uint64_t i = 0; i < e->count; i++) {
        uint64_t v;
        if (!get_varint(p, n, pos, &v)) return false;
    }
    e->docs_end = *pos;
    return true;
}

static bool lookup_reserve(rp__lookup *l, size_t n)
{
    return rp__grow((void **)&l->docs, &l->cap, n, sizeof *l->docs);
}

/* Decode count varints (first offset from doc_lo, then gaps) into out,
 * checking that they ascend inside [doc_lo, doc_hi]. */
static bool decode_docs(const uint8_t *p, size_t n, uint64_t count, const rp__segment *s,
                        int64_t *out)
{
    size_t pos = 0;
    uint64_t cur = 0;
    uint64_t span = (uint64_t)(s->doc_hi - s->doc_lo);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t v;
        if (!get_varint(p, n, &pos, &v)) return false;
        if (i > 0 && v == 0) return false;
        if (v > span || cur + v > span) return false;
        cur += v;
        out[i] = s->doc_lo + (int64_t)cur;
    }
    return pos == n;
}

static rp_status prepare_seg(rp_index *idx, rp__segment *s, rp_error *err)
{
    char sql[160];
    if (s->get_bucket == NULL) {
        snprintf(sql, sizeof sql, "SELECT data FROM postings_%lld WHERE bucket = ?1",
                 (long long)s->id);
        RP_TRY(rp__index_prepare(idx, &s->get_bucket, sql, err));
    }
    if (s->get_long == NULL) {
        snprintf(sql, sizeof sql,
                 "SELECT docs FROM long_postings_%lld WHERE kind = ?1 AND hash = ?2",
                 (long long)s->id);
        RP_TRY(rp__index_prepare(idx, &s->get_long, sql, err));
    }
    return RP_OK;
}

/* The long document list of hash into out->docs. */
static rp_status read_long(rp_index *idx, rp__segment *s, int kind, uint64_t hash, uint64_t count,
                           rp__lookup *out, rp_error *err)
{
    sqlite3_stmt *st = s->get_long;
    sqlite3_bind_int(st, 1, kind);
    sqlite3_bind_int64(st, 2, (int64_t)hash);
    int rc = sqlite3_step(st);
    rp_status r = RP_OK;
    if (rc == SQLITE_ROW) {
        const uint8_t *p = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (count > n || (p == NULL && n > 0))
            r = damaged(idx, s, "a long posting list is short", err);
        else if (!lookup_reserve(out, (size_t)count))
            r = rp__nomem(err, idx->path);
        else if (!decode_docs(p, n, count, s, out->docs))
            r = damaged(idx, s, "a long posting list is malformed", err);
        else
            out->n = (size_t)count;
    } else if (rc == SQLITE_DONE) {
        r = damaged(idx, s, "a long posting list is missing", err);
    } else {
        r = rp__index_db_fail(idx, rc, "reading postings", err);
    }
    sqlite3_reset(st);
    return r;
}

rp_status rp__segment_lookup(rp_index *idx, rp__segment *s, int kind, uint64_t hash, bool want_long,
                             rp__lookup *out, rp_error *err)
{
    out->n = 0;
    out->is_long = false;
    if (s->postings[kind] == 0) return RP_OK;
    RP_TRY(prepare_seg(idx, s, err));
    unsigned bits = s->bits[kind], lw = low_bytes(bits);
    uint64_t want = low_of(hash, bits);
    sqlite3_stmt *st = s->get_bucket;
    sqlite3_bind_int64(st, 1, row_of(kind, bucket_of(hash, bits)));
    int rc = sqlite3_step(st);
    rp_status r = RP_OK;
    uint64_t long_count = 0;
    if (rc == SQLITE_ROW) {
        const uint8_t *p = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0), pos = 0;
        entry e;
        uint64_t prev = 0;
        bool first = true;
        while (pos < n) {
            if (p == NULL || !entry_next(p, n, &pos, lw, &e) || (!first && e.low <= prev)) {
                r = damaged(idx, s, "a posting bucket is malformed", err);
                break;
            }
            first = false;
            prev = e.low;
            if (e.low < want) continue;
            if (e.low > want) break;
            if (e.count > INLINE_MAX) {
                out->is_long = true;
                out->n = (size_t)e.count;
                long_count = e.count;
            } else if (!lookup_reserve(out, (size_t)e.count)) {
                r = rp__nomem(err, idx->path);
            } else if (!decode_docs(p + e.docs_at, e.docs_end - e.docs_at, e.count, s, out->docs)) {
                r = damaged(idx, s, "a posting list is malformed", err);
            } else {
                out->n = (size_t)e.count;
            }
            break;
        }
    } else if (rc != SQLITE_DONE) {
        r = rp__index_db_fail(idx, rc, "reading postings", err);
    }
    sqlite3_reset(st);
    if (r == RP_OK && out->is_long && want_long) {
        r = read_long(idx, s, kind, hash, long_count, out, err);
        out->is_long = false;
    }
    if (r != RP_OK) out->n = 0;
    return r;
}

void rp__lookup_free(rp__lookup *l)
{
    rp__free(l->docs);
    memset(l, 0, sizeof *l);
}

/* ---- writing --------------------------------------------------------------------- */

typedef struct writer {
    rp_index *idx;
    const rp__segment *seg;
    int kind;
    unsigned bits, lw;
    sqlite3_stmt *ins_bucket, *ins_long;
    bytes blob, list;
    bool open;
    uint64_t bucket;
    uint64_t hashes, postings;
} writer;

static rp_status writer_flush(writer *w, rp_error *err)
{
    if (!w->open || w->blob.n == 0) return RP_OK;
    sqlite3_stmt *st = w->ins_bucket;
    sqlite3_bind_int64(st, 1, row_of(w->kind, w->bucket));
    sqlite3_bind_blob(st, 2, w->blob.p, (int)w->blob.n, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    w->blob.n = 0;
    return rc == SQLITE_DONE ? RP_OK : rp__index_db_fail(w->idx, rc, "writing postings", err);
}

/* Append hash with its documents (ascending rowids inside the segment). */
static rp_status writer_put(writer *w, uint64_t hash, const int64_t *docs, size_t n, rp_error *err)
{
    if (n == 0) return RP_OK;
    uint64_t bucket = bucket_of(hash, w->bits);
    if (!w->open || bucket != w->bucket) {
        RP_TRY(writer_flush(w, err));
        w->open = true;
        w->bucket = bucket;
    }
    bytes *list = n > INLINE_MAX ? &w->list : &w->blob;
    if (n > INLINE_MAX) list->n = 0;
    if (!bytes_reserve(&w->blob, 8 + 10 + (n <= INLINE_MAX ? 10 * n : 0)) ||
        !bytes_reserve(list, 10 * n))
        return rp__nomem(err, w->idx->path);
    uint64_t low = low_of(hash, w->bits);
    for (unsigned i = 0; i < w->lw; i++)
        w->blob.p[w->blob.n++] = (uint8_t)(low >> (8 * i));
    put_varint(&w->blob, n);
    int64_t prev = w->seg->doc_lo;
    for (size_t i = 0; i < n; i++) {
        put_varint(list, (uint64_t)(docs[i] - prev));
        prev = docs[i];
    }
    if (n > INLINE_MAX) {
        sqlite3_stmt *st = w->ins_long;
        sqlite3_bind_int(st, 1, w->kind);
        sqlite3_bind_int64(st, 2, (int64_t)hash);
        sqlite3_bind_blob(st, 3, list->p, (int)list->n, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) return rp__index_db_fail(w->idx, rc, "writing postings", err);
    }
    w->hashes++;
    w->postings += n;
    return RP_OK;
}

static void writer_close(writer *w)
{
    sqlite3_finalize(w->ins_bucket);
    sqlite3_finalize(w->ins_long);
    rp__free(w->blob.p);
    rp__free(w->list.p);
    memset(w, 0, sizeof *w);
}

static rp_status writer_open(writer *w, rp_index *idx, const rp__segment *seg, int kind,
                             rp_error *err)
{
    memset(w, 0, sizeof *w);
    w->idx = idx;
    w->seg = seg;
    w->kind = kind;
    w->bits = seg->bits[kind];
    w->lw = low_bytes(w->bits);
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO postings_%lld(bucket, data) VALUES(?1, ?2)",
             (long long)seg->id);
    int rc = sqlite3_prepare_v2(idx->db, sql, -1, &w->ins_bucket, NULL);
    if (rc == SQLITE_OK) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO long_postings_%lld(kind, hash, docs) VALUES(?1, ?2, ?3)",
                 (long long)seg->id);
        rc = sqlite3_prepare_v2(idx->db, sql, -1, &w->ins_long, NULL);
    }
    if (rc != SQLITE_OK) {
        rp_status r = rp__index_db_fail(idx, rc, "writing postings", err);
        writer_close(w);
        return r;
    }
    return RP_OK;
}

/* Insert the segment's row and create its tables; s->id is set. */
static rp_status segment_begin(rp_index *idx, rp__segment *s, rp_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(idx->db,
                                "INSERT INTO segment(level, doc_lo, doc_hi, docs, fp_hashes, "
                                "fp_postings, fp_bits, band_hashes, band_postings, band_bits) "
                                "VALUES(?1, ?2, ?3, ?4, 0, 0, ?5, 0, 0, ?6)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, s->level);
        sqlite3_bind_int64(st, 2, s->doc_lo);
        sqlite3_bind_int64(st, 3, s->doc_hi);
        sqlite3_bind_int64(st, 4, s->docs);
        sqlite3_bind_int(st, 5, (int)s->bits[RP__KIND_FP]);
        sqlite3_bind_int(st, 6, (int)s->bits[RP__KIND_BAND]);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) return rp__index_db_fail(idx, rc, "recording a segment", err);
    s->id = sqlite3_last_insert_rowid(idx->db);
    char sql[320];
    snprintf(sql, sizeof sql,
             "CREATE TABLE postings_%lld(bucket INTEGER PRIMARY KEY, data BLOB NOT NULL);"
             "CREATE TABLE long_postings_%lld(kind INTEGER NOT NULL, hash INTEGER NOT NULL,"
             " docs BLOB NOT NULL, PRIMARY KEY(kind, hash)) WITHOUT ROWID",
             (long long)s->id, (long long)s->id);
    return rp__index_exec(idx, sql, err);
}

static rp_status segment_finish(rp_index *idx, const rp__segment *s, rp_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(idx->db,
                                "UPDATE segment SET fp_hashes = ?1, fp_postings = ?2, "
                                "band_hashes = ?3, band_postings = ?4, docs = ?5 WHERE seg = ?6",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (int64_t)s->hashes[RP__KIND_FP]);
        sqlite3_bind_int64(st, 2, (int64_t)s->postings[RP__KIND_FP]);
        sqlite3_bind_int64(st, 3, (int64_t)s->hashes[RP__KIND_BAND]);
        sqlite3_bind_int64(st, 4, (int64_t)s->postings[RP__KIND_BAND]);
        sqlite3_bind_int64(st, 5, s->docs);
        sqlite3_bind_int64(st, 6, s->id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? RP_OK : rp__index_db_fail(idx, rc, "recording a segment", err);
}

static int cmp_posting(const void *a, const void *b)
{
    const rp__posting *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

/* Sort postings by hash, then document. They arrive in document order, so
 * a stable counting sort on the top 16 bits of the hash, then a stable
 * insertion sort by hash inside each of those buckets (a few dozen
 * postings) does it in two passes. */
static bool sort_postings(rp__postings *p)
{
    size_t n = p->n;
    if (n < 65536) {
        if (n > 1) qsort(p->p, n, sizeof *p->p, cmp_posting);
        return true;
    }
    rp__posting *out = rp__malloc(n * sizeof *out);
    size_t *at = rp__calloc(65537, sizeof *at);
    if (out == NULL || at == NULL) {
        rp__free(out);
        rp__free(at);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        at[(p->p[i].hash >> 48) + 1]++;
    for (size_t b = 1; b <= 65536; b++)
        at[b] += at[b - 1];
    for (size_t i = 0; i < n; i++)
        out[at[p->p[i].hash >> 48]++] = p->p[i];
    /* at[b] is now the end of bucket b (and the start of b + 1). */
    for (size_t b = 0, lo = 0; b < 65536; lo = at[b], b++) {
        for (size_t i = lo + 1; i < at[b]; i++) {
            rp__posting x = out[i];
            size_t j = i;
            while (j > lo && out[j - 1].hash > x.hash) {
                out[j] = out[j - 1];
                j--;
            }
            out[j] = x;
        }
    }
    rp__free(at);
    rp__free(p->p);
    p->p = out;
    p->cap = n;
    return true;
}

static bool is_dead(const rp__hmap *dead, int64_t doc)
{
    return dead != NULL && dead->n > 0 && rp__hmap_get(dead, (uint64_t)doc) != NULL;
}

rp_status rp__segment_create(rp_index *idx, rp__postings post[RP__N_KINDS], int64_t lo, int64_t hi,
                             int64_t docs, const rp__hmap *dead, rp_error *err)
{
    rp__segment s;
    memset(&s, 0, sizeof s);
    s.level = 0;
    s.doc_lo = lo;
    s.doc_hi = hi;
    s.docs = docs;
    for (int k = 0; k < RP__N_KINDS; k++) {
        rp__postings *p = &post[k];
        if (!sort_postings(p)) return rp__nomem(err, idx->path);
        uint64_t distinct = 0;
        for (size_t i = 0; i < p->n; i++)
            distinct += i == 0 || p->p[i].hash != p->p[i - 1].hash;
        s.bits[k] = bits_for(distinct);
    }
    RP_TRY(segment_begin(idx, &s, err));
    rp_status rc = RP_OK;
    int64_t *group = NULL;
    size_t group_cap = 0;
    for (int k = 0; k < RP__N_KINDS && rc == RP_OK; k++) {
        writer w;
        if ((rc = writer_open(&w, idx, &s, k, err)) != RP_OK) break;
        rp__postings *p = &post[k];
        for (size_t i = 0; i < p->n && rc == RP_OK;) {
            size_t j = i, n = 0;
            while (j < p->n && p->p[j].hash == p->p[i].hash)
                j++;
            if (!rp__grow((void **)&group, &group_cap, j - i, sizeof *group)) {
                rc = rp__nomem(err, idx->path);
                break;
            }
            for (size_t m = i; m < j; m++)
                if (!is_dead(dead, p->p[m].doc)) group[n++] = p->p[m].doc;
            rc = writer_put(&w, p->p[i].hash, group, n, err);
            i = j;
        }
        if (rc == RP_OK) rc = writer_flush(&w, err);
        s.hashes[k] = w.hashes;
        s.postings[k] = w.postings;
        writer_close(&w);
    }
    rp__free(group);
    if (rc == RP_OK) rc = segment_finish(idx, &s, err);
    return rc;
}

/* ---- the segment list and tombstones ----------------------------------------- */

static void segment_drop_stmts(rp__segment *s)
{
    sqlite3_finalize(s->get_bucket);
    sqlite3_finalize(s->get_long);
    s->get_bucket = s->get_long = NULL;
}

void rp__segments_clear(rp_index *idx)
{
    for (size_t i = 0; i < idx->n_segs; i++)
        segment_drop_stmts(&idx->segs[i]);
    rp__free(idx->segs);
    idx->segs = NULL;
    idx->n_segs = 0;
}

rp_status rp__segments_load(rp_index *idx, rp_error *err)
{
    sqlite3_stmt *st = NULL;
    rp__segment *list = NULL;
    size_t n = 0, cap = 0;
    rp_status r = RP_OK;
    int rc = sqlite3_prepare_v2(idx->db,
                                "SELECT seg, level, doc_lo, doc_hi, docs, fp_hashes, fp_postings,"
                                " fp_bits, band_hashes, band_postings, band_bits FROM segment"
                                " ORDER BY doc_lo",
                                -1, &st, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(st)) != SQLITE_ROW) break;
        if (!rp__grow((void **)&list, &cap, n + 1, sizeof *list)) {
            r = rp__nomem(err, idx->path);
            break;
        }
        rp__segment *s = &list[n];
        memset(s, 0, sizeof *s);
        s->id = sqlite3_column_int64(st, 0);
        s->level = sqlite3_column_int64(st, 1);
        s->doc_lo = sqlite3_column_int64(st, 2);
        s->doc_hi = sqlite3_column_int64(st, 3);
        s->docs = sqlite3_column_int64(st, 4);
        int64_t v[6];
        for (int i = 0; i < 6; i++)
            v[i] = sqlite3_column_int64(st, 5 + i);
        bool ok = s->id > 0 && s->level >= 0 && s->doc_lo > 0 && s->doc_hi >= s->doc_lo &&
                  (n == 0 || s->doc_lo > list[n - 1].doc_hi);
        for (size_t k = 0; k < RP__N_KINDS; k++) {
            int64_t h = v[3 * k], p = v[3 * k + 1], b = v[3 * k + 2];
            ok = ok && h >= 0 && p >= h && b >= 0 && b <= 32;
            s->hashes[k] = (uint64_t)h;
            s->postings[k] = (uint64_t)p;
            s->bits[k] = (unsigned)(ok ? b : 0);
        }
        n++;
        if (!ok) {
            r = rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                         "damaged index: segment %lld is described wrongly", (long long)s->id);
            break;
        }
    }
    if (r == RP_OK && rc != SQLITE_DONE) r = rp__index_db_fail(idx, rc, "reading segments", err);
    sqlite3_finalize(st);
    if (r != RP_OK) {
        rp__free(list);
        return r;
    }
    /* Keep the prepared lookups of segments that are still there. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < idx->n_segs; j++)
            if (idx->segs[j].id == list[i].id) {
                list[i].get_bucket = idx->segs[j].get_bucket;
                list[i].get_long = idx->segs[j].get_long;
                idx->segs[j].get_bucket = idx->segs[j].get_long = NULL;
            }
    rp__segments_clear(idx);
    idx->segs = list;
    idx->n_segs = n;
    return RP_OK;
}

/* The segment whose range holds doc, or NULL. */
static rp__segment *segment_of(rp_index *idx, int64_t doc)
{
    size_t lo = 0, hi = idx->n_segs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx->segs[mid].doc_hi < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < idx->n_segs && idx->segs[lo].doc_lo <= doc ? &idx->segs[lo] : NULL;
}

rp_status rp__index_refresh(rp_index *idx, rp_error *err)
{
    int64_t dv = 0;
    RP_TRY(rp__index_int(idx, "PRAGMA data_version", NULL, 0, "reading the index", &dv, err));
    if (!idx->stale && dv == idx->data_version) return RP_OK;
    RP_TRY(rp__segments_load(idx, err));
    rp__hmap_free(&idx->tombs);
    if (!rp__hmap_init(&idx->tombs, 16)) return rp__nomem(err, idx->path);
    sqlite3_stmt *st = NULL;
    rp_status r = RP_OK;
    int rc = sqlite3_prepare_v2(idx->db, "SELECT doc FROM tombstone", -1, &st, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(st)) != SQLITE_ROW) break;
        int64_t doc = sqlite3_column_int64(st, 0);
        bool inserted;
        if (rp__hmap_put(&idx->tombs, (uint64_t)doc, 1, &inserted) == NULL) {
            r = rp__nomem(err, idx->path);
            break;
        }
        rp__segment *s = segment_of(idx, doc);
        if (s != NULL) s->has_tombstones = true;
    }
    if (r == RP_OK && rc != SQLITE_DONE) r = rp__index_db_fail(idx, rc, "reading tombstones", err);
    sqlite3_finalize(st);
    if (r != RP_OK) return r;
    idx->data_version = dv;
    idx->stale = false;
    return RP_OK;
}

/* ---- merging ------------------------------------------------------------------- */

/* Reads one kind of one segment in hash order. */
typedef struct reader {
    rp_index *idx;
    rp__segment *seg;
    int kind;
    sqlite3_stmt *rows;
    bytes blob;
    size_t pos;
    uint64_t bucket;
    bool done;
    uint64_t hash; /* the current entry */
    rp__lookup docs;
} reader;

static rp_status reader_next(reader *r, rp_error *err)
{
    unsigned bits = r->seg->bits[r->kind], lw = low_bytes(bits);
    while (r->pos >= r->blob.n) {
        int rc = sqlite3_step(r->rows);
        if (rc == SQLITE_DONE) {
            r->done = true;
            return RP_OK;
        }
        if (rc != SQLITE_ROW) return rp__index_db_fail(r->idx, rc, "reading postings", err);
        int64_t row = sqlite3_column_int64(r->rows, 0);
        const void *p = sqlite3_column_blob(r->rows, 1);
        size_t n = (size_t)sqlite3_column_bytes(r->rows, 1);
        uint64_t bucket = (uint64_t)row & 0xFFFFFFFFu;
        if ((bits < 32 && (bucket >> bits) != 0) || (p == NULL && n > 0))
            return damaged(r->idx, r->seg, "a posting bucket is out of range", err);
        r->blob.n = 0;
        if (!bytes_reserve(&r->blob, n)) return rp__nomem(err, r->idx->path);
        if (n > 0) memcpy(r->blob.p, p, n);
        r->blob.n = n;
        r->pos = 0;
        r->bucket = bucket;
    }
    entry e;
    uint64_t prev_low = low_of(r->hash, bits);
    bool same_bucket = r->pos > 0;
    if (!entry_next(r->blob.p, r->blob.n, &r->pos, lw, &e) ||
        (bits > 0 && lw * 8 > 64 - bits && (e.low >> (64 - bits)) != 0) ||
        (same_bucket && e.low <= prev_low))
        return damaged(r->idx, r->seg, "a posting bucket is malformed", err);
    r->hash = bits ? (r->bucket << (64 - bits)) | e.low : e.low;
    if (e.count > INLINE_MAX) {
        r->docs.n = 0;
        RP_TRY(prepare_seg(r->idx, r->seg, err));
        return read_long(r->idx, r->seg, r->kind, r->hash, e.count, &r->docs, err);
    }
    if (!lookup_reserve(&r->docs, (size_t)e.count)) return rp__nomem(err, r->idx->path);
    if (!decode_docs(r->blob.p + e.docs_at, e.docs_end - e.docs_at, e.count, r->seg, r->docs.docs))
        return damaged(r->idx, r->seg, "a posting list is malformed", err);
    r->docs.n = (size_t)e.count;
    return RP_OK;
}

static void reader_close(reader *r)
{
    sqlite3_finalize(r->rows);
    rp__free(r->blob.p);
    rp__lookup_free(&r->docs);
    memset(r, 0, sizeof *r);
}

static rp_status reader_open(reader *r, rp_index *idx, rp__segment *seg, int kind, rp_error *err)
{
    memset(r, 0, sizeof *r);
    r->idx = idx;
    r->seg = seg;
    r->kind = kind;
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT bucket, data FROM postings_%lld WHERE bucket >= ?1 AND bucket < ?2"
             " ORDER BY bucket",
             (long long)seg->id);
    int rc = sqlite3_prepare_v2(idx->db, sql, -1, &r->rows, NULL);
    if (rc != SQLITE_OK) return rp__index_db_fail(idx, rc, "reading postings", err);
    sqlite3_bind_int64(r->rows, 1, row_of(kind, 0));
    sqlite3_bind_int64(r->rows, 2, row_of(kind + 1, 0));
    return reader_next(r, err);
}

static rp_status drop_segment(rp_index *idx, const rp__segment *s, rp_error *err)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "DROP TABLE postings_%lld; DROP TABLE long_postings_%lld;"
             " DELETE FROM segment WHERE seg = %lld",
             (long long)s->id, (long long)s->id, (long long)s->id);
    return rp__index_exec(idx, sql, err);
}

/* Merge segs[first .. first + n) (adjacent ranges) into one new segment at
 * level, dropping the postings of tombstoned documents and the tombstones
 * of the range. Inside the caller's transaction. */
static rp_status merge_segments(rp_index *idx, size_t first, size_t n, int64_t level, rp_error *err)
{
    rp__segment *in = &idx->segs[first];
    rp__segment out;
    memset(&out, 0, sizeof out);
    out.level = level;
    out.doc_lo = in[0].doc_lo;
    out.doc_hi = in[n - 1].doc_hi;
    rp__hmap dead;
    if (!rp__hmap_init(&dead, 16)) return rp__nomem(err, idx->path);
    rp_status rc = RP_OK;
    reader *rd = rp__calloc(n, sizeof *rd);
    int64_t *group = NULL;
    size_t group_cap = 0;
    sqlite3_stmt *st = NULL;
    if (rd == NULL) {
        rc = rp__nomem(err, idx->path);
        goto done;
    }
    int src = sqlite3_prepare_v2(idx->db, "SELECT doc FROM tombstone WHERE doc BETWEEN ?1 AND ?2",
                                 -1, &st, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, out.doc_lo);
        sqlite3_bind_int64(st, 2, out.doc_hi);
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            bool inserted;
            if (rp__hmap_put(&dead, (uint64_t)sqlite3_column_int64(st, 0), 1, &inserted) == NULL) {
                rc = rp__nomem(err, idx->path);
                goto done;
            }
        }
    }
    if (src != SQLITE_DONE) {
        rc = rp__index_db_fail(idx, src, "reading tombstones", err);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        out.docs += in[i].docs;
        for (int k = 0; k < RP__N_KINDS; k++)
            out.hashes[k] += in[i].hashes[k];
    }
    out.docs -= (int64_t)dead.n;
    if (out.docs < 0) out.docs = 0;
    for (int k = 0; k < RP__N_KINDS; k++) {
        out.bits[k] = bits_for(out.hashes[k]);
        out.hashes[k] = 0;
    }
    if ((rc = segment_begin(idx, &out, err)) != RP_OK) goto done;
    for (int k = 0; k < RP__N_KINDS && rc == RP_OK; k++) {
        writer w;
        if ((rc = writer_open(&w, idx, &out, k, err)) != RP_OK) break;
        for (size_t i = 0; i < n && rc == RP_OK; i++)
            rc = reader_open(&rd[i], idx, &in[i], k, err);
        while (rc == RP_OK) {
            /* The smallest current hash; its documents come from the
             * inputs in range order, so they ascend. */
            bool any = false;
            uint64_t h = 0;
            for (size_t i = 0; i < n; i++)
                if (!rd[i].done && (!any || rd[i].hash < h)) {
                    h = rd[i].hash;
                    any = true;
                }
            if (!any) break;
            size_t m = 0;
            for (size_t i = 0; i < n && rc == RP_OK; i++) {
                if (rd[i].done || rd[i].hash != h) continue;
                if (!rp__grow((void **)&group, &group_cap, m + rd[i].docs.n, sizeof *group)) {
                    rc = rp__nomem(err, idx->path);
                    break;
                }
                for (size_t j = 0; j < rd[i].docs.n; j++)
                    if (!is_dead(&dead, rd[i].docs.docs[j])) group[m++] = rd[i].docs.docs[j];
                rc = reader_next(&rd[i], err);
            }
            if (rc == RP_OK) rc = writer_put(&w, h, group, m, err);
        }
        if (rc == RP_OK) rc = writer_flush(&w, err);
        out.hashes[k] = w.hashes;
        out.postings[k] = w.postings;
        writer_close(&w);
        for (size_t i = 0; i < n; i++)
            reader_close(&rd[i]);
    }
    if (rc == RP_OK) rc = segment_finish(idx, &out, err);
    for (size_t i = 0; i < n && rc == RP_OK; i++) {
        segment_drop_stmts(&in[i]);
        rc = drop_segment(idx, &in[i], err);
    }
    if (rc == RP_OK) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM tombstone WHERE doc BETWEEN %lld AND %lld",
                 (long long)out.doc_lo, (long long)out.doc_hi);
        rc = rp__index_exec(idx, sql, err);
    }
done:
    sqlite3_finalize(st);
    if (rd != NULL)
        for (size_t i = 0; i < n; i++)
            reader_close(&rd[i]);
    rp__free(rd);
    rp__free(group);
    rp__hmap_free(&dead);
    return rc;
}

/* One step of the merge policy inside a write transaction: *did tells
 * whether anything was merged. */
static rp_status maintain_step(rp_index *idx, bool *did, rp_error *err)
{
    *did = false;
    RP_TRY(rp__segments_load(idx, err));
    size_t n = idx->n_segs;
    /* RP__INDEX_FANOUT adjacent segments of one level become one of the next. */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && idx->segs[j].level == idx->segs[i].level)
            j++;
        if (j - i >= RP__INDEX_FANOUT) {
            *did = true;
            return merge_segments(idx, i, RP__INDEX_FANOUT, idx->segs[i].level + 1, err);
        }
        i = j;
    }
    /* A segment whose documents are mostly removed is rewritten alone. */
    for (size_t i = 0; i < n; i++) {
        int64_t t = 0;
        const int64_t range[2] = {idx->segs[i].doc_lo, idx->segs[i].doc_hi};
        RP_TRY(rp__index_int(idx, "SELECT count(*) FROM tombstone WHERE doc BETWEEN ?1 AND ?2",
                             range, 2, "reading tombstones", &t, err));
        if (t > 0 && t * 4 >= idx->segs[i].docs) {
            *did = true;
            return merge_segments(idx, i, 1, idx->segs[i].level, err);
        }
    }
    return RP_OK;
}

rp_status rp__segments_maintain(rp_index *idx, rp_error *err)
{
    if (idx->in_batch || idx->readonly) return RP_OK;
    for (;;) {
        int rc = sqlite3_exec(idx->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc != SQLITE_OK) return rp__index_db_fail(idx, rc, "merging segments", err);
        bool did = false;
        rp_status r = maintain_step(idx, &did, err);
        if (r == RP_OK) {
            rc = sqlite3_exec(idx->db, "COMMIT", NULL, NULL, NULL);
            if (rc != SQLITE_OK) r = rp__index_db_fail(idx, rc, "merging segments", err);
        }
        idx->stale = true;
        if (r != RP_OK) {
            sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
            rp__segments_clear(idx);
            return r;
        }
        if (!did) return RP_OK;
    }
}
