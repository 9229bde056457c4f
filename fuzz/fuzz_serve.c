/* fuzz_serve.c - fuzz what `reprint serve` does with a request before and
 * while it queries: routing, the query body (text, JSON, form, gzip or zstd
 * by content), form fields, the bearer token check, then the query itself
 * on a small index made at the first call.
 *
 * Input: byte 0 picks the Content-Type (from a list that includes none and
 * malformed ones), byte 1 the method; the bytes up to the first newline are
 * the path, the rest the body. The target checks the contracts of
 * cli/serve.h (statuses from the documented sets, ids inside the path, top
 * within bounds, documents as long as their text, no more matches than
 * asked for) and aborts when one fails.
 *
 * serve_request.c is compiled into this file so the target builds like the
 * others, from one source file and libreprint. */
#include "../cli/serve_request.c"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) abort();
}

static rp_index *fuzz_index;
static char fuzz_dir[512], fuzz_db[600];

static void cleanup(void)
{
    char p[700];
    rp_index_free(fuzz_index);
    fuzz_index = NULL;
    unlink(fuzz_db);
    snprintf(p, sizeof p, "%s-wal", fuzz_db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", fuzz_db);
    unlink(p);
    rmdir(fuzz_dir);
}

/* Three stories; queries that share a passage with one find it. */
static rp_index *index_once(void)
{
    if (fuzz_index != NULL) return fuzz_index;
    static const char *const texts[] = {
        "The harbour board voted on Thursday to rebuild the north pier before the autumn "
        "storms, after surveyors found that the old oak piles had rotted through in at "
        "least twelve places along its length.",
        "Engineers reopened the old stone bridge at Marlow Ferry on Tuesday after eleven "
        "months of repairs, ending a detour that had added forty minutes to the journey.",
        "Rain is expected across the north on Friday with strong winds along the coast and "
        "snow on the higher ground by the evening, forecasters said.",
    };
    const char *t = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/reprint-fuzz-serve-XXXXXX", t && *t ? t : "/tmp");
    if (mkdtemp(fuzz_dir) == NULL) abort();
    snprintf(fuzz_db, sizeof fuzz_db, "%s/f.db", fuzz_dir);
    rp_index_opts o;
    rp_index_opts_init(&o);
    o.create = 1;
    if (rp_index_open(fuzz_db, &o, &fuzz_index, NULL) != RP_OK) abort();
    atexit(cleanup);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        rp_doc *d = NULL;
        char id[16];
        snprintf(id, sizeof id, "doc-%zu", i);
        if (rp_doc_new(id, texts[i], strlen(texts[i]), NULL, &d, NULL) != RP_OK) abort();
        if (rp_index_add(fuzz_index, id, strlen(id), d, "{\"k\":1}", 7, 0, NULL) != RP_OK) abort();
        rp_doc_free(d);
    }
    if (rp_index_commit(fuzz_index, NULL) != RP_OK) abort();
    return fuzz_index;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ctypes[] = {
        NULL,
        "",
        "text/plain",
        "text/plain; charset=utf-8",
        "application/json",
        "APPLICATION/JSON;x",
        "application/x-www-form-urlencoded",
        "application/octet-stream",
        "application/gzip",
        "application/zstd",
        "image/png",
        "application/jsonx",
        "text/plainx",
    };
    static const char *const methods[] = {"GET", "HEAD", "POST", "DELETE", "OPTIONS", "PUT", ""};
    if (size < 2) return 0;
    const char *ctype = ctypes[data[0] % (sizeof ctypes / sizeof ctypes[0])];
    const char *method = methods[data[1] % (sizeof methods / sizeof methods[0])];
    const char *rest = (const char *)data + 2;
    size_t n = size - 2;
    const char *nl = memchr(rest, '\n', n);
    size_t path_len = nl != NULL ? (size_t)(nl - rest) : n;
    const char *body = nl != NULL ? nl + 1 : rest + n;
    size_t body_len = nl != NULL ? n - path_len - 1 : 0;

    /* Routing: a NUL-terminated path, as the server has it. */
    char *path = malloc(path_len + 1);
    if (path == NULL) return 0;
    memcpy(path, rest, path_len);
    path[path_len] = '\0';
    serve_route route;
    const char *id = NULL, *allow = NULL;
    int st = serve_route_of(method, path, &route, &id, &allow);
    check(st == 0 || st == 404 || st == 405);
    if (st == 405) check(allow != NULL);
    if (st == 0 && route == ROUTE_DOC)
        check(id != NULL && id > path && id < path + strlen(path) && *id != '\0');
    /* The token check: equal to itself, never to a longer or shorter one. */
    char header[300];
    snprintf(header, sizeof header, "Bearer %s", path);
    const size_t plen = strlen(path);
    if (plen < 200) {
        check(serve_token_ok(header, path));
        if (plen > 0) check(!serve_token_ok(header, path + 1));
    }
    free(path);

    /* Form fields are never longer than the body. */
    size_t flen = 0;
    char *field = serve_form_field(body, body_len, "text", &flen);
    if (field != NULL) check(flen <= body_len && field[flen] == '\0');
    free(field);

    /* The query body, then the query. */
    char msg[512];
    serve_query q;
    st = serve_parse_query(ctype, body, body_len, &q, msg, sizeof msg);
    check(st == 0 || st == 400 || st == 415 || st == 500);
    if (st != 0) check(msg[0] != '\0');
    if (st == 0) {
        check(q.top >= 1 && q.top <= SERVE_MAX_TOP && q.id != NULL);
        check(q.min_containment >= 0 && q.min_containment <= 1);
        rp_index *idx = index_once();
        rp_doc *doc = NULL;
        st = serve_query_doc(&q, rp_index_get_params(idx)->seed, &doc, msg, sizeof msg);
        check(st == 0 || st == 400 || st == 413 || st == 500);
        check((st == 0) == (doc != NULL));
        if (doc != NULL) {
            size_t len = 0;
            rp_doc_text(doc, &len);
            if (!q.compressed) check(len == q.len);
            rp_index_query_opts qo;
            rp_index_query_opts_init(&qo);
            qo.top = q.top;
            qo.min_containment = q.min_containment;
            rp_index_matches *m = NULL;
            check(rp_index_query(idx, doc, &qo, &m, NULL) == RP_OK);
            check(rp_index_matches_count(m) <= q.top);
            rp_index_matches_free(m);
            rp_doc_free(doc);
        }
    }
    serve_query_free(&q);
    return 0;
}
