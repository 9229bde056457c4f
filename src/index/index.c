/* index.c - the persistent reuse index: its file, parameters, documents and
 * batches.
 *
 * An index is an SQLite database in write-ahead-log mode (the schema is in
 * docs/index-format.md). This file opens or creates it, checks that it is a
 * reprint index built with compatible parameters, and keeps documents:
 * rp_index_add() stores the text, its MinHash signature and, in memory, the
 * postings of its winnowed fingerprints and LSH band keys; rp_index_commit()
 * writes those postings as a new segment (index_segment.c) and commits the
 * batch as one transaction, then lets segments merge. Removing a document
 * deletes its rows and leaves a tombstone for its postings until the merge
 * that drops them. Queries are in index_query.c.
 *
 * SQLite is asked for durability against process crashes (synchronous =
 * NORMAL in WAL mode): a killed writer loses nothing committed; a power cut
 * may lose the last batches but never corrupts the file. */
#include "index/index_int.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_create?Ctx_advanced: our allocator */
#include <zstd.h>
#include <zstd_errors.h>

#define DEFAULT_BUSY_MS 60000u
/* zstd level of stored texts: news articles shrink to about half. */
#define TEXT_LEVEL 1

/* ---- stored texts ------------------------------------------------------------ */

/* Compress text[0..len) into idx->zbuf (idx->zbuf_len bytes). */
static rp_status compress_text(rp_index *idx, const char *text, size_t len, rp_error *err)
{
    ZSTD_customMem mem = {rp__zstd_alloc, rp__zstd_free, NULL};
    if (idx->zc == NULL && (idx->zc = ZSTD_createCCtx_advanced(mem)) == NULL) goto nomem;
    size_t bound = ZSTD_compressBound(len);
    if (!rp__grow((void **)&idx->zbuf, &idx->zbuf_cap, bound, 1)) goto nomem;
    size_t n = ZSTD_compressCCtx(idx->zc, idx->zbuf, bound, text, len, TEXT_LEVEL);
    if (ZSTD_isError(n)) {
        if (ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation) goto nomem;
        return rp__fail(err, RP_ERR_PARAM, idx->path, 0, "cannot compress a text: %s",
                        ZSTD_getErrorName(n));
    }
    idx->zbuf_len = n;
    return RP_OK;
nomem:
    return rp__nomem(err, idx->path);
}

/* ---- options and parameters ------------------------------------------------ */

void rp_index_opts_init(rp_index_opts *o)
{
    memset(o, 0, sizeof *o);
    o->busy_ms = DEFAULT_BUSY_MS;
}

void rp_index_query_opts_init(rp_index_query_opts *o)
{
    memset(o, 0, sizeof *o);
    o->top = 10;
    o->min_containment = 0;
    o->min_shared = 2;
    o->max_candidates = 20;
    o->max_df = 1000;
    rp_compare_opts_init(&o->compare);
}

static void default_params(rp_index_params *p)
{
    memset(p, 0, sizeof *p);
    p->format_version = RP__INDEX_FORMAT_VERSION;
    p->tokenizer_version = RP__TOKENIZER_VERSION;
    p->seed = RP_HASH_SEED_DEFAULT;
    p->ngram = 5;
    p->window = 8;
    p->sketch_ngram = 5;
    p->sketch_hashes = 128;
    p->lsh_bands = 21;
    p->lsh_rows = 6;
}

static rp_status check_params(const rp_index_params *p, const char *path, rp_error *err)
{
    if (p->ngram < 1 || p->ngram > 32)
        return rp__fail(err, RP_ERR_PARAM, path, 0, "ngram must be in 1..32, not %zu", p->ngram);
    if (p->window < 1 || p->window > 64)
        return rp__fail(err, RP_ERR_PARAM, path, 0, "window must be in 1..64, not %zu", p->window);
    if (p->sketch_ngram < 1 || p->sketch_ngram > 32)
        return rp__fail(err, RP_ERR_PARAM, path, 0, "sketch ngram must be in 1..32, not %zu",
                        p->sketch_ngram);
    if (p->sketch_hashes < 1 || p->sketch_hashes > RP_SKETCH_MAX_HASHES)
        return rp__fail(err, RP_ERR_PARAM, path, 0, "sketch hashes must be in 1..%d, not %zu",
                        RP_SKETCH_MAX_HASHES, p->sketch_hashes);
    if (p->lsh_bands < 1 || p->lsh_rows < 1 || p->lsh_rows > p->sketch_hashes ||
        p->lsh_bands > p->sketch_hashes / p->lsh_rows)
        return rp__fail(err, RP_ERR_PARAM, path, 0,
                        "LSH bands x rows (%zu x %zu) must be at least 1 and fit in %zu hashes",
                        p->lsh_bands, p->lsh_rows, p->sketch_hashes);
    return RP_OK;
}

/* The parameters as stored in the meta table, in one place. */
typedef struct param_field {
    const char *key;
    size_t offset;
} param_field;
static const param_field size_fields[] = {
    {"ngram", offsetof(rp_index_params, ngram)},
    {"window", offsetof(rp_index_params, window)},
    {"sketch_ngram", offsetof(rp_index_params, sketch_ngram)},
    {"sketch_hashes", offsetof(rp_index_params, sketch_hashes)},
    {"lsh_bands", offsetof(rp_index_params, lsh_bands)},
    {"lsh_rows", offsetof(rp_index_params, lsh_rows)},
};
#define N_SIZE_FIELDS (sizeof size_fields / sizeof size_fields[0])

static size_t *size_field(rp_index_params *p, size_t i)
{
    return (size_t *)(void *)((char *)p + size_fields[i].offset);
}

static size_t size_field_c(const rp_index_params *p, size_t i)
{
    return *(const size_t *)(const void *)((const char *)p + size_fields[i].offset);
}

/* ---- schema ------------------------------------------------------------------ */

static const char schema_sql[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;\n"
    "CREATE TABLE document(\n"
    "  doc INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  text_zstd BLOB NOT NULL,\n"
    "  meta TEXT);\n"
    "CREATE TABLE sketch(doc INTEGER PRIMARY KEY, signature BLOB NOT NULL);\n"
    "CREATE TABLE segment(\n"
    "  seg INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  level INTEGER NOT NULL,\n"
    "  doc_lo INTEGER NOT NULL,\n"
    "  doc_hi INTEGER NOT NULL,\n"
    "  docs INTEGER NOT NULL,\n"
    "  fp_hashes INTEGER NOT NULL,\n"
    "  fp_postings INTEGER NOT NULL,\n"
    "  fp_bits INTEGER NOT NULL,\n"
    "  band_hashes INTEGER NOT NULL,\n"
    "  band_postings INTEGER NOT NULL,\n"
    "  band_bits INTEGER NOT NULL);\n"
    "CREATE TABLE tombstone(doc INTEGER PRIMARY KEY);\n";

static rp_status write_meta(rp_index *idx, const char *key, const char *value, rp_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2(idx->db, "INSERT INTO meta(key, value) VALUES(?1, ?2)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? RP_OK : rp__index_db_fail(idx, rc, "writing the parameters", err);
}

static rp_status create_schema(rp_index *idx, rp_error *err)
{
    char buf[64];
    const rp_index_params *p = &idx->params;
    RP_TRY(rp__index_exec(idx, schema_sql, err));
    RP_TRY(write_meta(idx, "format", "reprint-index", err));
    snprintf(buf, sizeof buf, "%u", p->format_version);
    RP_TRY(write_meta(idx, "format_version", buf, err));
    snprintf(buf, sizeof buf, "%u", p->tokenizer_version);
    RP_TRY(write_meta(idx, "tokenizer_version", buf, err));
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)p->seed);
    RP_TRY(write_meta(idx, "seed", buf, err));
    for (size_t i = 0; i < N_SIZE_FIELDS; i++) {
        snprintf(buf, sizeof buf, "%zu", size_field_c(p, i));
        RP_TRY(write_meta(idx, size_fields[i].key, buf, err));
    }
    RP_TRY(write_meta(idx, "created_by", "reprint " RP_VERSION_STRING, err));
    snprintf(buf, sizeof buf, "PRAGMA application_id = %d; PRAGMA user_version = %u;",
             (int)RP__INDEX_APPLICATION_ID, p->format_version);
    return rp__index_exec(idx, buf, err);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') return false;
    *out = v;
    return true;
}

/* Read the stored parameters into idx->params and check them. */
static rp_status read_meta(rp_index *idx, rp_error *err)
{
    sqlite3_stmt *st = NULL;
    rp_status rc = RP_OK;
    bool seen_format = false, seen_version = false, seen_tok = false, seen_seed = false;
    bool seen[N_SIZE_FIELDS] = {false};
    int src = sqlite3_prepare_v2(idx->db, "SELECT key, value FROM meta", -1, &st, NULL);
    if (src != SQLITE_OK) {
        rc = src == SQLITE_ERROR ? rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                                            "not a reprint index (its meta table is missing)")
                                 : rp__index_db_fail(idx, src, "reading the parameters", err);
        goto done;
    }
    memset(&idx->params, 0, sizeof idx->params);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        uint64_t v = 0;
        if (key == NULL || value == NULL) continue;
        if (strcmp(key, "format") == 0) {
            if (strcmp(value, "reprint-index") != 0) {
                rc = rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                              "not a reprint index (format '%.64s')", value);
                goto done;
            }
            seen_format = true;
            continue;
        }
        if (strcmp(key, "created_by") == 0) continue;
        bool known = true, ok = parse_u64(value, &v);
        if (strcmp(key, "format_version") == 0) {
            idx->params.format_version = ok && v < 1000000 ? (unsigned)v : 0;
            seen_version = ok;
        } else if (strcmp(key, "tokenizer_version") == 0) {
            idx->params.tokenizer_version = ok && v < 1000000 ? (unsigned)v : 0;
            seen_tok = ok;
        } else if (strcmp(key, "seed") == 0) {
            idx->params.seed = v;
            seen_seed = ok;
        } else {
            known = false;
            for (size_t i = 0; i < N_SIZE_FIELDS; i++) {
                if (strcmp(key, size_fields[i].key) != 0) continue;
                known = true;
                ok = ok && v <= 1000000;
                *size_field(&idx->params, i) = ok ? (size_t)v : 0;
                seen[i] = ok;
            }
        }
        if (known && !ok) {
            rc = rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                          "damaged index: parameter %.64s has the value '%.64s'", key, value);
            goto done;
        }
    }
    if (src != SQLITE_DONE) {
        rc = rp__index_db_fail(idx, src, "reading the parameters", err);
        goto done;
    }
    if (!seen_format || !seen_version) {
        rc = rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                      "not a reprint index (no format in its meta table)");
        goto done;
    }
    if (idx->params.format_version != RP__INDEX_FORMAT_VERSION) {
        rc = rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                      "index format version %u, this library reads version %u",
                      idx->params.format_version, RP__INDEX_FORMAT_VERSION);
        goto done;
    }
    bool all = seen_tok && seen_seed;
    for (size_t i = 0; i < N_SIZE_FIELDS; i++)
        all = all && seen[i];
    if (!all) {
        rc = rp__fail(err, RP_ERR_FORMAT, idx->path, 0, "damaged index: a parameter is missing");
        goto done;
    }
    if (idx->params.tokenizer_version != RP__TOKENIZER_VERSION) {
        rc = rp__fail(err, RP_ERR_MISMATCH, idx->path, 0,
                      "index built with tokenizer version %u, this library has version %u "
                      "(rebuild the index)",
                      idx->params.tokenizer_version, RP__TOKENIZER_VERSION);
        goto done;
    }
    if (check_params(&idx->params, idx->path, NULL) != RP_OK)
        rc = rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                      "damaged index: stored parameters out of range");
done:
    sqlite3_finalize(st);
    return rc;
}

/* Compare the parameters the caller requires with the stored ones. */
static rp_status match_params(rp_index *idx, const rp_index_opts *o, rp_error *err)
{
    const rp_index_params *want = &o->params;
    if (o->seed_given && want->seed != idx->params.seed)
        return rp__fail(err, RP_ERR_MISMATCH, idx->path, 0,
                        "index built with seed %llu, asked for seed %llu",
                        (unsigned long long)idx->params.seed, (unsigned long long)want->seed);
    for (size_t i = 0; i < N_SIZE_FIELDS; i++) {
        size_t w = size_field_c(want, i), have = size_field_c(&idx->params, i);
        if (w != 0 && w != have)
            return rp__fail(err, RP_ERR_MISMATCH, idx->path, 0,
                            "index built with %s %zu, asked for %s %zu", size_fields[i].key, have,
                            size_fields[i].key, w);
    }
    return RP_OK;
}

/* ---- open and close -------------------------------------------------------- */

static rp_status open_db(rp_index *idx, const rp_index_opts *o, rp_error *err)
{
    struct stat sb;
    bool exists = stat(idx->path, &sb) == 0;
    if (!exists && (errno != ENOENT || !o->create)) {
        int e = errno;
        rp__fail(err, RP_ERR_IO, idx->path, 0, "cannot open the index: %s", strerror(e));
        if (err != NULL) err->sys_errno = e;
        return RP_ERR_IO;
    }
    if (exists && S_ISDIR(sb.st_mode)) {
        rp__fail(err, RP_ERR_IO, idx->path, 0, "cannot open the index: %s", strerror(EISDIR));
        if (err != NULL) err->sys_errno = EISDIR;
        return RP_ERR_IO;
    }
    if (exists && sb.st_size == 0 && !o->create)
        return rp__fail(err, RP_ERR_FORMAT, idx->path, 0, "not a reprint index (empty file)");
    /* Read-write even for a read-only handle: SQLite then falls back to
     * reading only by itself when the file is write-protected, and a
     * reader of a WAL database may need to create its shared-memory file. */
    int flags = SQLITE_OPEN_READWRITE | (o->create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(idx->path, &idx->db, flags, NULL);
    if (rc != SQLITE_OK) return rp__index_db_fail(idx, rc, "cannot open the index", err);
    sqlite3_busy_timeout(idx->db, (int)(o->busy_ms > 0x7FFFFFFF ? 0x7FFFFFFF : o->busy_ms));
    return RP_OK;
}

/* Create the schema in a new or empty database. Another process may be
 * doing the same: the check is repeated inside the write transaction. */
static rp_status create_index(rp_index *idx, const rp_index_opts *o, bool *created, rp_error *err)
{
    *created = false;
    default_params(&idx->params);
    const rp_index_params *w = &o->params;
    if (o->seed_given) idx->params.seed = w->seed;
    for (size_t i = 0; i < N_SIZE_FIELDS; i++)
        if (size_field_c(w, i) != 0) *size_field(&idx->params, i) = size_field_c(w, i);
    RP_TRY(check_params(&idx->params, idx->path, err));
    RP_TRY(rp__index_exec(idx, "PRAGMA page_size = 4096", err));
    /* Switching to WAL needs the file to itself and does not wait for
     * another process creating the index at the same moment: retry. */
    for (unsigned waited = 0;; waited += 10) {
        int src = sqlite3_exec(idx->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        if (src == SQLITE_OK) break;
        if (((src & 0xFF) != SQLITE_BUSY && (src & 0xFF) != SQLITE_LOCKED) || waited >= o->busy_ms)
            return rp__index_db_fail(idx, src, "switching to write-ahead logging", err);
        sqlite3_sleep(10);
    }
    RP_TRY(rp__index_exec(idx, "BEGIN IMMEDIATE", err));
    bool blank = false;
    int64_t tables = 0;
    rp_status rc = rp__index_int(idx, "SELECT count(*) FROM sqlite_schema", NULL, 0,
                                 "reading the schema", &tables, err);
    blank = tables == 0;
    if (rc == RP_OK && blank) rc = create_schema(idx, err);
    if (rc == RP_OK) rc = rp__index_exec(idx, "COMMIT", err);
    if (rc != RP_OK) {
        sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    *created = blank;
    return RP_OK;
}

rp_status rp_index_check(rp_index *idx, int full, rp_error *err)
{
    if (idx == NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_index_check: NULL argument");
    const char *pragma = full ? "PRAGMA integrity_check(8)" : "PRAGMA quick_check(8)";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(idx->db, pragma, -1, &st, NULL);
    if (rc != SQLITE_OK) return rp__index_db_fail(idx, rc, "checking the index", err);
    char found[200] = "";
    size_t used = 0;
    bool ok = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line == NULL) continue;
        if (strcmp(line, "ok") == 0) {
            ok = true;
            continue;
        }
        /* one line per problem (SQLite puts several in one row too) */
        for (const char *p = line; *p != '\0' && used + 3 < sizeof found;) {
            size_t n = strcspn(p, "\n");
            bool banner = n >= 3 && memcmp(p, "***", 3) == 0;
            if (n > 0 && !banner) {
                if (used > 0) found[used++] = ';', found[used++] = ' ';
                size_t room = sizeof found - 1 - used;
                memcpy(found + used, p, n < room ? n : room);
                used += n < room ? n : room;
                found[used] = '\0';
            }
            p += n + (p[n] == '\n');
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_CORRUPT && rc != SQLITE_NOTADB)
        return rp__index_db_fail(idx, rc, "checking the index", err);
    if (ok && used == 0 && rc == SQLITE_DONE) return RP_OK;
    return rp__fail(err, RP_ERR_FORMAT, idx->path, 0, "the index is damaged (%s: %.150s)%s",
                    full ? "integrity_check" : "quick_check", used ? found : sqlite3_errstr(rc),
                    full ? "" : "; refusing to change it (see reprint index check)");
}

rp_status rp_index_open(const char *path, const rp_index_opts *opts, rp_index **out, rp_error *err)
{
    rp_index_opts defaults;
    if (opts == NULL) {
        rp_index_opts_init(&defaults);
        opts = &defaults;
    }
    if (out == NULL || path == NULL)
        return rp__fail(err, RP_ERR_PARAM, path ? path : "", 0, "rp_index_open: NULL argument");
    *out = NULL;
    if (opts->create && opts->readonly)
        return rp__fail(err, RP_ERR_PARAM, path, 0, "an index cannot be created read-only");
    rp_status rc;
    rp_index *idx = rp__calloc(1, sizeof *idx);
    if (idx == NULL || (idx->path = rp__strdup(path)) == NULL) {
        rp__free(idx);
        return rp__nomem(err, path);
    }
    idx->readonly = opts->readonly != 0;
    idx->stale = true;
    if ((rc = open_db(idx, opts, err)) != RP_OK) goto fail;

    bool blank = false, created = false;
    int64_t app_id = 0;
    int64_t tables = 0;
    if ((rc = rp__index_int(idx, "SELECT count(*) FROM sqlite_schema", NULL, 0,
                            "reading the schema", &tables, err)) != RP_OK)
        goto fail;
    blank = tables == 0;
    if (blank) {
        if (!opts->create) {
            rc = rp__fail(err, RP_ERR_FORMAT, path, 0,
                          "not a reprint index (an SQLite database without tables)");
            goto fail;
        }
        if ((rc = create_index(idx, opts, &created, err)) != RP_OK) goto fail;
    }
    if ((rc = rp__index_int(idx, "PRAGMA application_id", NULL, 0, "reading the header", &app_id,
                            err)) != RP_OK)
        goto fail;
    if (app_id != (int64_t)RP__INDEX_APPLICATION_ID) {
        rc = rp__fail(err, RP_ERR_FORMAT, path, 0,
                      "not a reprint index (an SQLite database of another application)");
        goto fail;
    }
    if ((rc = read_meta(idx, err)) != RP_OK) goto fail;
    if ((rc = match_params(idx, opts, err)) != RP_OK) goto fail;
    /* Never write to a damaged index: a quick check of every page first
     * (it reads the whole file once; a new index has nothing to check). */
    if (!idx->readonly && !created && (rc = rp_index_check(idx, 0, err)) != RP_OK) goto fail;
    /* Connection settings: a big page cache for lookups; reads through
     * memory mapping where SQLite allows it (2 GB: a query touches a few
     * hundred scattered pages, and copying each costs more than mapping
     * it); commits durable against process crashes; the log truncated
     * after checkpoints. */
    rc = rp__index_exec(idx,
                        "PRAGMA cache_size = -65536; PRAGMA synchronous = NORMAL;"
                        " PRAGMA journal_size_limit = 67108864; PRAGMA temp_store = MEMORY;"
                        " PRAGMA mmap_size = 2147418112",
                        err);
    if (rc == RP_OK && idx->readonly) rc = rp__index_exec(idx, "PRAGMA query_only = 1", err);
    if (rc != RP_OK) goto fail;

    rp_sketch_opts so;
    rp_sketch_opts_init(&so);
    so.ngram = idx->params.sketch_ngram;
    so.hashes = idx->params.sketch_hashes;
    so.seed = idx->params.seed;
    so.lossy = 1; /* documents were validated when they were made */
    if ((rc = rp_sketcher_new(&so, &idx->sketcher, err)) != RP_OK) goto fail;
    idx->sig = rp__malloc(idx->params.sketch_hashes * sizeof *idx->sig);
    if (idx->sig == NULL || !rp__hmap_init(&idx->tombs, 16)) {
        rc = rp__nomem(err, path);
        goto fail;
    }
    *out = idx;
    return RP_OK;
fail:
    if (err != NULL && err->path[0] == '\0') snprintf(err->path, sizeof err->path, "%s", path);
    rp_index_free(idx);
    return rc;
}

static void finalize(sqlite3_stmt **st)
{
    sqlite3_finalize(*st);
    *st = NULL;
}

static void batch_clear(rp_index *idx)
{
    idx->in_batch = false;
    idx->batch_lo = idx->batch_hi = 0;
    idx->batch_docs = 0;
    idx->pend_mapped = 0;
    for (int k = 0; k < RP__N_KINDS; k++)
        idx->pend[k].n = 0;
    /* Freed maps are made again when next needed. */
    rp__hmap_free(&idx->pend_map);
    rp__hmap_free(&idx->pend_dead);
}

void rp_index_free(rp_index *idx)
{
    if (idx == NULL) return;
    if (idx->in_batch) rp_index_rollback(idx);
    rp__segments_clear(idx);
    finalize(&idx->st_doc_insert);
    finalize(&idx->st_doc_find);
    finalize(&idx->st_doc_delete);
    finalize(&idx->st_doc_get);
    finalize(&idx->st_sketch_insert);
    finalize(&idx->st_sketch_delete);
    finalize(&idx->st_sketch_get);
    finalize(&idx->st_tomb_insert);
    sqlite3_close(idx->db);
    rp_sketcher_free(idx->sketcher);
    rp__free(idx->sig);
    rp__fingerprints_free(&idx->fps);
    rp__free(idx->hashes);
    ZSTD_freeCCtx(idx->zc);
    ZSTD_freeDCtx(idx->zd);
    rp__free(idx->zbuf);
    for (int k = 0; k < RP__N_KINDS; k++)
        rp__free(idx->pend[k].p);
    rp__free(idx->pend_prev);
    rp__hmap_free(&idx->pend_map);
    rp__hmap_free(&idx->pend_dead);
    rp__hmap_free(&idx->tombs);
    rp__free(idx->path);
    rp__free(idx);
}

const rp_index_params *rp_index_get_params(const rp_index *idx)
{
    return idx != NULL ? &idx->params : NULL;
}

/* ---- batches ----------------------------------------------------------------- */

size_t rp_index_pending(const rp_index *idx)
{
    return idx != NULL && idx->in_batch ? idx->batch_docs : 0;
}

void rp_index_rollback(rp_index *idx)
{
    if (idx == NULL || !idx->in_batch) return;
    sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
    batch_clear(idx);
    idx->stale = true;
}

/* A database failure inside a batch: roll it back, report. */
static rp_status batch_fail(rp_index *idx, int rc, const char *what, rp_error *err)
{
    rp_status st = rp__index_db_fail(idx, rc, what, err);
    rp_index_rollback(idx);
    return st;
}

static rp_status batch_begin(rp_index *idx, rp_error *err)
{
    if (idx->in_batch) return RP_OK;
    if (idx->readonly)
        return rp__fail(err, RP_ERR_PARAM, idx->path, 0, "the index was opened read-only");
    int rc = sqlite3_exec(idx->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return rp__index_db_fail(idx, rc, "starting a batch", err);
    batch_clear(idx);
    idx->in_batch = true;
    idx->stale = true;
    return RP_OK;
}

static bool push_posting(rp__postings *p, uint64_t hash, int64_t doc)
{
    if (!rp__grow((void **)&p->p, &p->cap, p->n + 1, sizeof *p->p)) return false;
    p->p[p->n].hash = hash;
    p->p[p->n].doc = doc;
    p->n++;
    return true;
}

/* The postings of a new document: its distinct fingerprints and its band
 * keys, in memory until the batch is committed. */
static rp_status doc_postings(rp_index *idx, const rp_doc *doc, int64_t rowid, rp_error *err)
{
    const rp_index_params *p = &idx->params;
    size_t n_tok;
    const rp_token *tok = rp_doc_tokens(doc, &n_tok);
    if (rp__winnow(tok, n_tok, p->ngram, p->window, &idx->fps) != RP_OK) goto nomem;
    /* Distinct fingerprints, through an open-addressing set (0 marks an
     * empty slot; a hash of 0 is remembered apart). The batch's postings
     * are sorted when it is committed, so their order here is free. */
    size_t n = idx->fps.n, cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    if (!rp__grow((void **)&idx->hashes, &idx->hashes_cap, cap, sizeof *idx->hashes)) goto nomem;
    memset(idx->hashes, 0, cap * sizeof *idx->hashes);
    rp__postings *fp = &idx->pend[RP__KIND_FP];
    bool zero_seen = false;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = idx->fps.fp[i].hash;
        if (h == 0) {
            if (zero_seen) continue;
            zero_seen = true;
        } else {
            size_t slot = (size_t)(h * 0x9E3779B97F4A7C15ULL >> 32) & (cap - 1);
            while (idx->hashes[slot] != 0 && idx->hashes[slot] != h)
                slot = (slot + 1) & (cap - 1);
            if (idx->hashes[slot] == h) continue;
            idx->hashes[slot] = h;
        }
        if (fp->n >= UINT32_MAX - 1 || !push_posting(fp, h, rowid)) goto nomem;
    }
    size_t len;
    const char *text = rp_doc_text(doc, &len);
    size_t n_shingles = 0;
    rp_status rc = rp_sketcher_sketch(idx->sketcher, text, len, idx->sig, &n_shingles, err);
    if (rc != RP_OK) return rc;
    if (n_shingles == 0) return RP_OK; /* no words: no signature, never a near duplicate */
    size_t hashes = p->sketch_hashes;
    /* The signature as little-endian bytes, in the hash scratch. */
    if (!rp__grow((void **)&idx->hashes, &idx->hashes_cap, hashes / 2 + 1, sizeof *idx->hashes))
        goto nomem;
    uint8_t *blob = (uint8_t *)idx->hashes;
    for (size_t i = 0; i < hashes; i++) {
        uint32_t v = idx->sig[i];
        blob[4 * i] = (uint8_t)v;
        blob[4 * i + 1] = (uint8_t)(v >> 8);
        blob[4 * i + 2] = (uint8_t)(v >> 16);
        blob[4 * i + 3] = (uint8_t)(v >> 24);
    }
    sqlite3_stmt *st = idx->st_sketch_insert;
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_blob(st, 2, blob, (int)(hashes * 4), SQLITE_STATIC);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (src != SQLITE_DONE) return batch_fail(idx, src, "storing a signature", err);
    for (size_t b = 0; b < p->lsh_bands; b++)
        if (!push_posting(&idx->pend[RP__KIND_BAND], rp__band_key(idx->sig, b, p->lsh_rows), rowid))
            goto nomem;
    return RP_OK;
nomem:
    return rp__fail(err, RP_ERR_NOMEM, idx->path, 0, "out of memory while indexing a document");
}

static rp_status prepare_writes(rp_index *idx, rp_error *err)
{
    RP_TRY(rp__index_prepare(idx, &idx->st_doc_insert,
                             "INSERT INTO document(id, text_zstd, meta) VALUES(?1, ?2, ?3)", err));
    RP_TRY(
        rp__index_prepare(idx, &idx->st_doc_find, "SELECT doc FROM document WHERE id = ?1", err));
    RP_TRY(rp__index_prepare(idx, &idx->st_doc_delete, "DELETE FROM document WHERE doc = ?1", err));
    RP_TRY(rp__index_prepare(idx, &idx->st_sketch_insert,
                             "INSERT INTO sketch(doc, signature) VALUES(?1, ?2)", err));
    RP_TRY(
        rp__index_prepare(idx, &idx->st_sketch_delete, "DELETE FROM sketch WHERE doc = ?1", err));
    RP_TRY(rp__index_prepare(idx, &idx->st_tomb_insert,
                             "INSERT OR IGNORE INTO tombstone(doc) VALUES(?1)", err));
    return RP_OK;
}

/* The rowid of the document with this id, or 0. */
static rp_status find_id(rp_index *idx, const char *id, size_t id_len, int64_t *rowid,
                         rp_error *err)
{
    sqlite3_stmt *st = idx->st_doc_find;
    sqlite3_bind_text(st, 1, id, (int)id_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *rowid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return batch_fail(idx, rc, "finding an id", err);
    return RP_OK;
}

static rp_status remove_rowid(rp_index *idx, int64_t rowid, rp_error *err)
{
    sqlite3_stmt *st = idx->st_doc_delete;
    sqlite3_bind_int64(st, 1, rowid);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        st = idx->st_sketch_delete;
        sqlite3_bind_int64(st, 1, rowid);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    if (rc != SQLITE_DONE) return batch_fail(idx, rc, "removing a document", err);
    if (idx->batch_lo != 0 && rowid >= idx->batch_lo) {
        /* Added by this batch: its postings are still in memory. */
        bool inserted;
        if ((idx->pend_dead.slots == NULL && !rp__hmap_init(&idx->pend_dead, 16)) ||
            rp__hmap_put(&idx->pend_dead, (uint64_t)rowid, 1, &inserted) == NULL)
            return rp__nomem(err, idx->path);
        return RP_OK;
    }
    st = idx->st_tomb_insert;
    sqlite3_bind_int64(st, 1, rowid);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return batch_fail(idx, rc, "removing a document", err);
    idx->stale = true; /* queries of this handle must see the tombstone */
    return RP_OK;
}

static rp_status check_id(rp_index *idx, const char *id, size_t id_len, rp_error *err)
{
    if (id == NULL && id_len > 0) return rp__fail(err, RP_ERR_PARAM, idx->path, 0, "NULL id");
    if (id_len > (size_t)INT32_MAX)
        return rp__fail(err, RP_ERR_LIMIT, idx->path, 0, "id of %zu bytes is too long", id_len);
    return RP_OK;
}

rp_status rp_index_add(rp_index *idx, const char *id, size_t id_len, const rp_doc *doc,
                       const char *meta, size_t meta_len, int flags, rp_error *err)
{
    if (idx == NULL || doc == NULL)
        return rp__fail(err, RP_ERR_PARAM, idx ? idx->path : "", 0, "rp_index_add: NULL argument");
    RP_TRY(check_id(idx, id, id_len, err));
    if (doc->seed != idx->params.seed)
        return rp__fail(err, RP_ERR_MISMATCH, idx->path, 0,
                        "document tokenized with seed %llu, the index has seed %llu",
                        (unsigned long long)doc->seed, (unsigned long long)idx->params.seed);
    size_t len;
    const char *text = rp_doc_text(doc, &len);
    if (len > (size_t)INT32_MAX || meta_len > (size_t)INT32_MAX)
        return rp__fail(err, RP_ERR_LIMIT, idx->path, 0,
                        "document of %zu bytes is over the index's limit of 2 GiB", len);
    RP_TRY(batch_begin(idx, err));
    RP_TRY(prepare_writes(idx, err));
    if (id == NULL) id = "";
    if ((flags & RP_INDEX_REPLACE) && (flags & RP_INDEX_SKIP_EXISTING))
        return rp__fail(err, RP_ERR_PARAM, idx->path, 0,
                        "rp_index_add: RP_INDEX_REPLACE and RP_INDEX_SKIP_EXISTING exclude each other");
    if (flags & RP_INDEX_SKIP_EXISTING) {
        int64_t old;
        RP_TRY(find_id(idx, id, id_len, &old, err));
        if (old != 0) return RP_OK;
    }
    if (flags & RP_INDEX_REPLACE) {
        int64_t old;
        RP_TRY(find_id(idx, id, id_len, &old, err));
        if (old != 0) RP_TRY(remove_rowid(idx, old, err));
    }
    rp_status zr = compress_text(idx, text, len, err);
    if (zr != RP_OK) {
        rp_index_rollback(idx);
        return zr;
    }
    sqlite3_stmt *st = idx->st_doc_insert;
    sqlite3_bind_text(st, 1, id, (int)id_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, idx->zbuf, (int)idx->zbuf_len, SQLITE_STATIC);
    if (meta != NULL)
        sqlite3_bind_text(st, 3, meta, (int)meta_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if ((rc & 0xFF) == SQLITE_CONSTRAINT)
        return rp__fail(err, RP_ERR_PARAM, idx->path, 0,
                        "a document with id '%.*s' is already in the index",
                        (int)(id_len > 200 ? 200 : id_len), id);
    if (rc != SQLITE_DONE) return batch_fail(idx, rc, "storing a document", err);
    int64_t rowid = sqlite3_last_insert_rowid(idx->db);
    if (idx->batch_lo == 0) idx->batch_lo = rowid;
    idx->batch_hi = rowid;
    idx->batch_docs++;
    rp_status st2 = doc_postings(idx, doc, rowid, err);
    if (st2 != RP_OK) rp_index_rollback(idx);
    return st2;
}

rp_status rp_index_remove(rp_index *idx, const char *id, size_t id_len, int *removed, rp_error *err)
{
    if (removed != NULL) *removed = 0;
    if (idx == NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_index_remove: NULL argument");
    RP_TRY(check_id(idx, id, id_len, err));
    RP_TRY(batch_begin(idx, err));
    RP_TRY(prepare_writes(idx, err));
    int64_t rowid;
    RP_TRY(find_id(idx, id ? id : "", id_len, &rowid, err));
    if (rowid == 0) return RP_OK;
    RP_TRY(remove_rowid(idx, rowid, err));
    if (removed != NULL) *removed = 1;
    return RP_OK;
}

rp_status rp_index_commit(rp_index *idx, rp_error *err)
{
    if (idx == NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_index_commit: NULL argument");
    idx->last_committed = 0;
    if (!idx->in_batch) return RP_OK;
    rp_status rc = RP_OK;
    if (idx->batch_lo != 0) {
        int64_t live = (int64_t)idx->batch_docs - (int64_t)idx->pend_dead.n;
        rc = rp__segment_create(idx, idx->pend, idx->batch_lo, idx->batch_hi, live, &idx->pend_dead,
                                err);
        if (rc != RP_OK) {
            rp_index_rollback(idx);
            return rc;
        }
    }
    int src = sqlite3_exec(idx->db, "COMMIT", NULL, NULL, NULL);
    if (src != SQLITE_OK) return batch_fail(idx, src, "committing a batch", err);
    idx->last_committed = idx->batch_docs;
    batch_clear(idx);
    idx->stale = true;
    return rp__segments_maintain(idx, err);
}

size_t rp_index_committed(const rp_index *idx)
{
    return idx != NULL ? idx->last_committed : 0;
}

/* ---- statistics ---------------------------------------------------------------- */

static uint64_t file_size(const char *path, const char *suffix)
{
    char buf[4200];
    snprintf(buf, sizeof buf, "%s%s", path, suffix);
    struct stat sb;
    return stat(buf, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

rp_status rp_index_stats(rp_index *idx, rp_index_info *out, rp_error *err)
{
    if (idx == NULL || out == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_index_stats: NULL argument");
    memset(out, 0, sizeof *out);
    bool own = !idx->in_batch;
    if (own) RP_TRY(rp__index_exec(idx, "BEGIN", err));
    int64_t docs = 0, tombs = 0, free_pages = 0, page_size = 0;
    rp_status rc = rp__index_int(idx, "SELECT count(*) FROM document", NULL, 0,
                                 "reading statistics", &docs, err);
    if (rc == RP_OK)
        rc = rp__index_int(idx, "SELECT count(*) FROM tombstone", NULL, 0, "reading statistics",
                           &tombs, err);
    if (rc == RP_OK)
        rc = rp__index_int(idx, "PRAGMA freelist_count", NULL, 0, "reading statistics", &free_pages,
                           err);
    if (rc == RP_OK)
        rc = rp__index_int(idx, "PRAGMA page_size", NULL, 0, "reading statistics", &page_size, err);
    if (rc == RP_OK) rc = rp__segments_load(idx, err);
    idx->stale = true; /* the list was read without its tombstones */
    if (own) sqlite3_exec(idx->db, rc == RP_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    if (rc != RP_OK) return rc;
    out->documents = (uint64_t)docs;
    out->tombstones = (uint64_t)tombs;
    out->segments = idx->n_segs;
    for (size_t i = 0; i < idx->n_segs; i++) {
        out->fingerprints += idx->segs[i].postings[RP__KIND_FP];
        out->band_keys += idx->segs[i].postings[RP__KIND_BAND];
    }
    if (idx->in_batch) {
        out->fingerprints += idx->pend[RP__KIND_FP].n;
        out->band_keys += idx->pend[RP__KIND_BAND].n;
    }
    out->file_bytes = file_size(idx->path, "") + file_size(idx->path, "-wal");
    out->free_bytes = (uint64_t)free_pages * (uint64_t)page_size;
    out->params = idx->params;
    return RP_OK;
}
