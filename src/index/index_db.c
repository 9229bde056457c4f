/* index_db.c - the SQLite layer under the index's files.
 *
 * What index.c (file, documents, batches), index_segment.c (postings),
 * index_query.c and index_near.c (search) share about the database: errors
 * turned into rp_status and messages that name the file, statements
 * prepared once, one-statement execution, single-integer queries and the
 * stored texts (zstd frames). Having them here keeps those files calling
 * down into this one instead of into each other. */
#include "index/index_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_create?Ctx_advanced: our allocator */
#include <zstd.h>
#include <zstd_errors.h>

static rp_status db_fail_path(const char *path, sqlite3 *db, int rc, const char *what,
                              rp_error *err)
{
    const char *msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xFF) {
    case SQLITE_NOTADB:
        return rp__fail(err, RP_ERR_FORMAT, path, 0,
                        "not a reprint index (not an SQLite database)");
    case SQLITE_CORRUPT:
        return rp__fail(err, RP_ERR_FORMAT, path, 0, "damaged index: %s (%s)", msg, what);
    case SQLITE_NOMEM: return rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory (%s)", what);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return rp__fail(err, RP_ERR_IO, path, 0, "the index is locked by another process (%s): %s",
                        what, msg);
    default: break;
    }
    if (err != NULL) {
        rp__fail(err, RP_ERR_IO, path, 0, "%s: %s", what, msg);
        int e = db != NULL ? sqlite3_system_errno(db) : 0;
        err->sys_errno = e > 0 ? e : 0;
    }
    return RP_ERR_IO;
}

rp_status rp__index_db_fail(rp_index *idx, int rc, const char *what, rp_error *err)
{
    return db_fail_path(idx->path, idx->db, rc, what, err);
}

rp_status rp__index_prepare(rp_index *idx, sqlite3_stmt **st, const char *sql, rp_error *err)
{
    if (*st != NULL) return RP_OK;
    int rc = sqlite3_prepare_v3(idx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return rp__index_db_fail(idx, rc, "preparing a statement", err);
    }
    return RP_OK;
}

rp_status rp__index_exec(rp_index *idx, const char *sql, rp_error *err)
{
    int rc = sqlite3_exec(idx->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RP_OK : rp__index_db_fail(idx, rc, sql, err);
}

rp_status rp__index_text(rp_index *idx, const void *blob, size_t n, char **text, size_t *len,
                         rp_error *err)
{
    *text = NULL;
    *len = 0;
    ZSTD_customMem mem = {rp__zstd_alloc, rp__zstd_free, NULL};
    if (idx->zd == NULL && (idx->zd = ZSTD_createDCtx_advanced(mem)) == NULL) goto nomem;
    unsigned long long size = blob != NULL ? ZSTD_getFrameContentSize(blob, n) : 0;
    if (blob == NULL || size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
        size > (unsigned long long)INT32_MAX)
        return rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                        "damaged index: a stored text is corrupt");
    char *buf = rp__malloc((size_t)size + 1);
    if (buf == NULL) goto nomem;
    size_t got = ZSTD_decompressDCtx(idx->zd, buf, (size_t)size, blob, n);
    if (ZSTD_isError(got) || got != size) {
        rp__free(buf);
        if (ZSTD_isError(got) && ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation) goto nomem;
        return rp__fail(err, RP_ERR_FORMAT, idx->path, 0,
                        "damaged index: a stored text is corrupt");
    }
    buf[size] = '\0';
    *text = buf;
    *len = (size_t)size;
    return RP_OK;
nomem:
    return rp__nomem(err, idx->path);
}

rp_status rp__index_int(rp_index *idx, const char *sql, const int64_t *binds, size_t n_binds,
                        const char *what, int64_t *out, rp_error *err)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    int rc = sqlite3_prepare_v2(idx->db, sql, -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n_binds; i++)
        rc = sqlite3_bind_int64(st, (int)i + 1, binds[i]);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? RP_OK : rp__index_db_fail(idx, rc, what, err);
}
