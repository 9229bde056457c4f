/* cmd_serve.c - `reprint serve INDEX`: a web page and a JSON API over a
 * reuse index, for a newsroom that pastes an article and sees what it
 * reuses.
 *
 * HTTP is libmicrohttpd's (Debian's libmicrohttpd-dev): a pool of --threads
 * threads, each running its own poll loop and answering its requests to
 * the end. Queries take a read-only index handle from a pool holding one
 * per thread (a handle belongs to one thread at a time); additions and
 * removals go through one writer handle under a mutex and are committed
 * per request, so a query sees exactly the committed batches (the index's
 * write-ahead log). serve_request.c turns bodies into queries; this file
 * holds the options, the daemon, the handlers and the log.
 *
 * Safety: loopback unless --listen says otherwise; writes need the bearer
 * token when one is configured and are refused on a non-loopback address
 * without one; bodies over --max-body are 413; idle connections time out
 * after --timeout seconds; --max-connections caps them; every response
 * carries nosniff and a Content-Security-Policy. SIGINT and SIGTERM stop
 * accepting, let requests in flight finish (up to 10 s), then close. */
#include "cli.h"
#include "serve.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void help(void)
{
    printf("Usage: reprint serve [options] INDEX\n"
           "\n"
           "Serve a web page and a JSON API over a reuse index (built with 'reprint index\n"
           "add'): paste an article, see which indexed stories it reuses, side by side.\n"
           "The first line on stderr is 'listening on http://HOST:PORT/'; then one line\n"
           "per request. SIGINT or SIGTERM finish the requests in flight and stop.\n"
           "\n"
           "Options:\n"
           "  -l, --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0:\n"
           "                           any free port; [::1]:PORT for IPv6)\n"
           "  -j, --threads N          threads answering requests, each with its own\n"
           "                           read-only index handle (default: online cores)\n"
           "      --token-file FILE    require 'Authorization: Bearer TOKEN' for writes\n"
           "                           (POST /api/documents, DELETE); TOKEN is FILE's first\n"
           "                           line. Without it, writes are allowed only on loopback\n"
           "      --max-body N         largest request body, bytes (K/M/G; default 16M)\n"
           "      --max-connections N  connections at once (default 256)\n"
           "      --timeout SECONDS    close a connection idle this long (default 15)\n"
           "      --cors ORIGIN        allow the API to be called from pages of ORIGIN\n"
           "  -m, --min-words N        drop passages shorter than N words (default 8)\n"
           "  -q, --quiet              no per-request log lines\n"
           "  -h, --help               show this help and exit\n"
           "\n"
           "Endpoints: GET / (the page), POST /api/query, GET|DELETE /api/documents/ID,\n"
           "POST /api/documents, GET /api/stats, GET /healthz, GET /api/openapi.json;\n"
           "see reprint-serve(1).\n"
           "\n"
           "Exit status: 0 after a clean stop, 1 when the index cannot be opened or the\n"
           "address not bound, 2 on usage errors.\n");
}

enum {
    OPT_TOKEN_FILE = 300,
    OPT_MAX_BODY,
    OPT_MAX_CONNECTIONS,
    OPT_TIMEOUT,
    OPT_CORS,
};

/* ---- the server's state ------------------------------------------------------- */

typedef struct server {
    const char *path;
    uint64_t seed;
    rp_compare_opts compare;
    size_t max_body;
    const char *cors;
    char *token;    /* NULL: none */
    bool writes_ok; /* token set, or bound to loopback */
    bool quiet;
    atomic_bool draining;
    atomic_int in_flight;
    /* read-only handles: a stack, taken and given back under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rp_index **readers;
    size_t n_free;
    /* the writer, opened on the first write */
    pthread_mutex_t wmu;
    rp_index *writer;
} server;

/* One request, from its first callback to its completion. */
typedef struct request {
    struct timespec start;
    char method[16];
    char *path; /* for the log */
    char *body;
    size_t len, cap;
    bool too_large, responded;
    bool late; /* arrived after SIGTERM or SIGINT: refused with 503 */
    unsigned status;
    size_t bytes;
} request;

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static rp_index *reader_take(server *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->n_free == 0)
        pthread_cond_wait(&s->cv, &s->mu);
    rp_index *idx = s->readers[--s->n_free];
    pthread_mutex_unlock(&s->mu);
    return idx;
}

static void reader_give(server *s, rp_index *idx)
{
    pthread_mutex_lock(&s->mu);
    s->readers[s->n_free++] = idx;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- responses ----------------------------------------------------------------- */

static const char csp_api[] = "default-src 'none'; frame-ancestors 'none'";
static const char csp_page[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; img-src 'self' data:; frame-src 'self'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/* The side-by-side page is compare's report: its style and script are inline. */
static const char csp_view[] = "default-src 'none'; style-src 'unsafe-inline'; "
                               "script-src 'unsafe-inline'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'self'";

typedef struct reply {
    unsigned status;
    const char *ctype;
    const char *csp;
    char *body; /* freed with free_fn, or static when free_fn is NULL */
    size_t len;
    void (*free_fn)(void *);
    const char *allow;     /* Allow header (405, preflight) */
    bool www_authenticate; /* 401 */
} reply;

static enum MHD_Result send_reply(server *s, struct MHD_Connection *c, request *r, reply *rp)
{
    struct MHD_Response *res;
    if (rp->free_fn != NULL)
        res = MHD_create_response_from_buffer_with_free_callback(rp->len, rp->body, rp->free_fn);
    else
        res = MHD_create_response_from_buffer(rp->len, rp->body, MHD_RESPMEM_PERSISTENT);
    if (res == NULL) {
        if (rp->free_fn != NULL) rp->free_fn(rp->body);
        return MHD_NO;
    }
    MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, rp->ctype);
    MHD_add_response_header(res, "Content-Security-Policy", rp->csp);
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(res, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(res, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (rp->allow != NULL) MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW, rp->allow);
    if (rp->www_authenticate)
        MHD_add_response_header(res, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (s->cors != NULL) {
        MHD_add_response_header(res, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, s->cors);
        MHD_add_response_header(res, MHD_HTTP_HEADER_VARY, "Origin");
        if (rp->allow != NULL && rp->status == 204) {
            MHD_add_response_header(res, "Access-Control-Allow-Methods", rp->allow);
            MHD_add_response_header(res, "Access-Control-Allow-Headers",
                                    "Authorization, Content-Type");
            MHD_add_response_header(res, "Access-Control-Max-Age", "600");
        }
    }
    r->status = rp->status;
    r->bytes = rp->len;
    r->responded = true;
    enum MHD_Result ret = MHD_queue_response(c, rp->status, res);
    MHD_destroy_response(res);
    return ret;
}

/* Print a cJSON value into the reply (which then owns the text) and free it. */
static void reply_json(reply *rp, unsigned status, cJSON *v)
{
    char *text = v != NULL ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    rp->status = status;
    rp->ctype = "application/json";
    rp->csp = csp_api;
    if (text == NULL) {
        static char oom[] = "{\"error\":\"out of memory\"}";
        rp->status = 500;
        rp->body = oom;
        rp->len = sizeof oom - 1;
        rp->free_fn = NULL;
        return;
    }
    rp->body = text;
    rp->len = strlen(text);
    rp->free_fn = cJSON_free;
}

static void reply_error(reply *rp, unsigned status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void reply_error(reply *rp, unsigned status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    if (o != NULL) cJSON_AddStringToObject(o, "error", msg);
    reply_json(rp, status, o);
}

/* A library error as "path:line: message" (path left out for the body's
 * temporary file) and the status it deserves. */
static unsigned status_of(rp_status st)
{
    switch (st) {
    case RP_ERR_PARSE:
    case RP_ERR_UTF8:
    case RP_ERR_FORMAT:
    case RP_ERR_MISMATCH: return 400;
    case RP_ERR_PARAM: return 409;
    case RP_ERR_LIMIT: return 413;
    case RP_ERR_IO: return 503;
    default: return 500;
    }
}

static void reply_rp_error(reply *rp, const char *what, const rp_error *err, rp_status st)
{
    const char *msg = err->msg[0] ? err->msg : rp_strerror(st);
    if (err->line > 0)
        reply_error(rp, status_of(st), "%s: line %llu: %s", what, (unsigned long long)err->line,
                    msg);
    else
        reply_error(rp, status_of(st), "%s: %s", what, msg);
}

/* ---- handlers ------------------------------------------------------------------- */

static void add_size(cJSON *o, const char *name, uint64_t v)
{
    cJSON_AddNumberToObject(o, name, (double)v);
}

/* A stored meta value as JSON (an object as written), or a string when it
 * does not parse, or null. */
static cJSON *meta_json(const char *meta, size_t len)
{
    if (meta == NULL || len == 0) return cJSON_CreateNull();
    cJSON *v = cJSON_ParseWithLength(meta, len);
    return v != NULL ? v : cJSON_CreateString(meta);
}

static cJSON *match_json(const rp_index_matches *m, size_t i, const char *q_id, const rp_doc *q)
{
    const rp_result *res = rp_index_match_result(m, i);
    cJSON *o =
        render_pair_object(rp_index_match_id(m, i, NULL), rp_index_match_doc(m, i), q_id, q, res);
    if (o == NULL) return NULL;
    size_t meta_len = 0;
    const char *meta = rp_index_match_meta(m, i, &meta_len);
    cJSON_AddItemToObject(o, "meta", meta_json(meta, meta_len));
    cJSON_AddStringToObject(o, "verdict", rp_verdict_name(rp_result_verdict(res)));
    size_t n = 0;
    const rp_passage *p = rp_result_passages(res, &n);
    uint64_t words = 0;
    for (size_t k = 0; k < n; k++)
        words += p[k].tokens;
    add_size(o, "words", words);
    add_size(o, "shared", rp_index_match_shared(m, i));
    return o;
}

/* An unsigned query-string argument, or dflt when absent. */
static const char *arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static bool arg_flag(struct MHD_Connection *c, const char *name)
{
    const char *v = arg(c, name);
    return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static void handle_query(server *s, struct MHD_Connection *c, request *r, reply *rp)
{
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    char msg[512];
    serve_query q;
    int st = serve_parse_query(ctype, r->body, r->len, &q, msg, sizeof msg);
    const char *top = arg(c, "top"), *minc = arg(c, "min_containment");
    size_t top_n = 0;
    if (st == 0 && top != NULL) {
        if (!cli_parse_size(top, &top_n) || top_n > SERVE_MAX_TOP)
            st = 400, snprintf(msg, sizeof msg, "top must be a whole number from 0 to 1000");
        else
            q.top = top_n == 0 ? SERVE_MAX_TOP : top_n;
    }
    if (st == 0 && minc != NULL && !cli_parse_fraction(minc, &q.min_containment))
        st = 400, snprintf(msg, sizeof msg, "min_containment must be a number from 0 to 1");
    rp_doc *doc = NULL;
    if (st == 0) st = serve_query_doc(&q, s->seed, &doc, msg, sizeof msg);
    if (st != 0) {
        reply_error(rp, (unsigned)st, "%s", msg);
        serve_query_free(&q);
        return;
    }
    rp_index_query_opts qo;
    rp_index_query_opts_init(&qo);
    qo.top = q.top;
    qo.min_containment = q.min_containment;
    qo.compare = s->compare;
    rp_index_matches *m = NULL;
    rp_error err;
    memset(&err, 0, sizeof err);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rp_index *idx = reader_take(s);
    rp_status rs = rp_index_query(idx, doc, &qo, &m, &err);
    reader_give(s, idx);
    if (rs != RP_OK) {
        reply_rp_error(rp, "query", &err, rs);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON *qj = cJSON_AddObjectToObject(o, "query");
        size_t bytes = 0, tokens = 0;
        const char *text = rp_doc_text(doc, &bytes);
        rp_doc_tokens(doc, &tokens);
        cJSON_AddStringToObject(qj, "id", q.id);
        add_size(qj, "bytes", bytes);
        add_size(qj, "tokens", tokens);
        if (arg_flag(c, "include_text")) cJSON_AddStringToObject(qj, "text", text);
        cJSON_AddNumberToObject(o, "took_ms", round(elapsed_ms(&t0) * 100) / 100);
        cJSON *arr = cJSON_AddArrayToObject(o, "matches");
        bool ok = o != NULL && qj != NULL && arr != NULL;
        for (size_t i = 0; ok && i < rp_index_matches_count(m); i++) {
            cJSON *mj = match_json(m, i, q.id, doc);
            ok = mj != NULL && cJSON_AddItemToArray(arr, mj);
        }
        if (!ok) {
            cJSON_Delete(o);
            o = NULL;
        }
        reply_json(rp, 200, o);
    }
    rp_index_matches_free(m);
    rp_doc_free(doc);
    serve_query_free(&q);
}

static void handle_doc_get(server *s, const char *id, reply *rp)
{
    rp_index *idx = reader_take(s);
    int found = 0;
    char *text = NULL, *meta = NULL;
    size_t text_len = 0, meta_len = 0;
    rp_error err;
    memset(&err, 0, sizeof err);
    rp_status st =
        rp_index_get(idx, id, strlen(id), &found, &text, &text_len, &meta, &meta_len, &err);
    reader_give(s, idx);
    if (st != RP_OK) {
        reply_rp_error(rp, "lookup", &err, st);
    } else if (!found) {
        reply_error(rp, 404, "no document with this id");
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "text", text);
        cJSON_AddItemToObject(o, "meta", meta_json(meta, meta_len));
        reply_json(rp, 200, o);
    }
    rp_free(text);
    rp_free(meta);
}

static void handle_stats(server *s, reply *rp)
{
    rp_index *idx = reader_take(s);
    rp_index_info info;
    rp_error err;
    memset(&err, 0, sizeof err);
    rp_status st = rp_index_stats(idx, &info, &err);
    reader_give(s, idx);
    if (st != RP_OK) {
        reply_rp_error(rp, "stats", &err, st);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    add_size(o, "documents", info.documents);
    add_size(o, "fingerprints", info.fingerprints);
    add_size(o, "band_keys", info.band_keys);
    add_size(o, "segments", info.segments);
    add_size(o, "tombstones", info.tombstones);
    add_size(o, "file_bytes", info.file_bytes);
    add_size(o, "free_bytes", info.free_bytes);
    cJSON *p = cJSON_AddObjectToObject(o, "params");
    add_size(p, "format_version", info.params.format_version);
    add_size(p, "tokenizer_version", info.params.tokenizer_version);
    add_size(p, "seed", info.params.seed);
    add_size(p, "ngram", info.params.ngram);
    add_size(p, "window", info.params.window);
    add_size(p, "sketch_ngram", info.params.sketch_ngram);
    add_size(p, "sketch_hashes", info.params.sketch_hashes);
    add_size(p, "lsh_bands", info.params.lsh_bands);
    add_size(p, "lsh_rows", info.params.lsh_rows);
    reply_json(rp, 200, o);
}

/* Form field text_json: the text as a JSON string, as the page sends it
 * (a form sends each line end of a plain field as CR LF, which would move
 * every offset). NULL when absent or not a JSON string. */
static char *form_json_text(const char *body, size_t len, size_t *text_len)
{
    size_t n = 0;
    char *field = serve_form_field(body, len, "text_json", &n);
    if (field == NULL) return NULL;
    cJSON *v = cJSON_ParseWithLength(field, n);
    free(field);
    char *text = cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
    if (text != NULL) *text_len = strlen(text);
    cJSON_Delete(v);
    return text;
}

/* The side-by-side page of an indexed document (form field id) and a text
 * (field text, or text_json): compare's HTML report, A the indexed
 * document. */
static void handle_view(server *s, struct MHD_Connection *c, request *r, reply *rp)
{
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (ctype == NULL || strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0) {
        reply_error(rp, 415, "the view takes a form (application/x-www-form-urlencoded)");
        return;
    }
    size_t id_len = 0, text_len = 0;
    char *id = serve_form_field(r->body, r->len, "id", &id_len);
    char *text = serve_form_field(r->body, r->len, "text", &text_len);
    if (text == NULL) text = form_json_text(r->body, r->len, &text_len);
    char *a_text = NULL, *meta = NULL, *page = NULL;
    size_t a_len = 0, page_len = 0;
    rp_doc *a = NULL, *b = NULL;
    rp_result *res = NULL;
    rp_error err;
    memset(&err, 0, sizeof err);
    rp_text_opts to;
    rp_text_opts_init(&to);
    to.seed = s->seed;
    int found = 0;
    rp_status st = RP_OK;
    if (id == NULL || text == NULL) {
        reply_error(rp, 400, "form fields id and text are needed");
        goto done;
    }
    rp_index *idx = reader_take(s);
    st = rp_index_get(idx, id, id_len, &found, &a_text, &a_len, &meta, NULL, &err);
    reader_give(s, idx);
    if (st != RP_OK) {
        reply_rp_error(rp, "lookup", &err, st);
        goto done;
    }
    if (!found) {
        reply_error(rp, 404, "no document with this id");
        goto done;
    }
    if ((st = rp_doc_new(id, a_text, a_len, &to, &a, &err)) != RP_OK ||
        (st = rp_doc_new("your text", text, text_len, &to, &b, &err)) != RP_OK ||
        (st = rp_compare(a, b, &s->compare, &res, &err)) != RP_OK) {
        reply_rp_error(rp, "view", &err, st);
        goto done;
    }
    FILE *f = open_memstream(&page, &page_len);
    if (f == NULL) {
        reply_error(rp, 500, "out of memory");
        goto done;
    }
    int rc = render_html(f, a, b, res);
    if (fclose(f) != 0 || rc != 0) {
        reply_error(rp, 500, "cannot render the page");
        goto done;
    }
    rp->status = 200;
    rp->ctype = "text/html; charset=utf-8";
    rp->csp = csp_view;
    rp->body = page;
    rp->len = page_len;
    rp->free_fn = free;
    page = NULL;
done:
    free(page);
    rp_result_free(res);
    rp_doc_free(a);
    rp_doc_free(b);
    rp_free(a_text);
    rp_free(meta);
    free(id);
    free(text);
}

static rp_index *writer_get(server *s, rp_error *err)
{
    if (s->writer != NULL) return s->writer;
    rp_index_opts o;
    rp_index_opts_init(&o);
    if (rp_index_open(s->path, &o, &s->writer, err) != RP_OK) s->writer = NULL;
    return s->writer;
}

/* A whole body holding one JSON object over several lines becomes one
 * line, so that the JSONL reader takes it; other bodies stay as they are. */
static char *one_line(const char *body, size_t len)
{
    const char *nl = memchr(body, '\n', len);
    if (nl == NULL) return NULL;
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    /* JSONL parses as its first line: only a body that is one value counts. */
    while (v != NULL && end < body + len &&
           (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (v == NULL || !cJSON_IsObject(v) || end != body + len) {
        cJSON_Delete(v);
        return NULL;
    }
    char *s = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    return s;
}

static void handle_docs_add(server *s, struct MHD_Connection *c, request *r, reply *rp)
{
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (ctype != NULL && strncasecmp(ctype, "application/json", 16) != 0 &&
        strncasecmp(ctype, "application/x-ndjson", 20) != 0 &&
        strncasecmp(ctype, "application/jsonl", 17) != 0) {
        reply_error(rp, 415,
                    "documents are JSON or JSONL (application/json, application/x-ndjson)");
        return;
    }
    size_t i = 0;
    while (i < r->len &&
           (r->body[i] == ' ' || r->body[i] == '\t' || r->body[i] == '\r' || r->body[i] == '\n'))
        i++;
    if (i == r->len || r->body[i] != '{') {
        reply_error(rp, 400, "documents are JSON objects with id and text, one per line");
        return;
    }
    char *line = one_line(r->body, r->len);
    int fd = line != NULL ? serve_temp_file(line, strlen(line)) : serve_temp_file(r->body, r->len);
    cJSON_free(line);
    if (fd < 0) {
        reply_error(rp, 500, "cannot write a temporary file: %s", strerror(errno));
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    const char *paths[1] = {path};
    rp_source *src = NULL;
    rp_doc *doc = NULL;
    rp_error err;
    memset(&err, 0, sizeof err);
    rp_text_opts to;
    rp_text_opts_init(&to);
    to.seed = s->seed;
    const int flags = arg_flag(c, "replace") ? RP_INDEX_REPLACE : 0;
    uint64_t added = 0;
    pthread_mutex_lock(&s->wmu);
    rp_index *w = writer_get(s, &err);
    rp_status st = w == NULL ? err.code : rp_source_open(paths, 1, NULL, &src, &err);
    const rp_record *rec = NULL;
    while (st == RP_OK && (st = rp_source_next(src, &rec, &err)) == RP_OK && rec != NULL) {
        if (rec->id_member_end == 0) {
            reply_error(rp, 400, "document on line %llu has no id", (unsigned long long)rec->line);
            break;
        }
        if ((st = rp_doc_new(rec->id, rec->text, rec->text_len, &to, &doc, &err)) != RP_OK) break;
        if ((st = cli_index_add_record(w, rec, doc, flags, &err)) != RP_OK) break;
        rp_doc_free(doc);
        doc = NULL;
        added++;
    }
    if (st == RP_OK && rec == NULL)
        st = rp_index_commit(w, &err);
    else if (w != NULL)
        rp_index_rollback(w);
    pthread_mutex_unlock(&s->wmu);
    if (rp->body == NULL) {
        if (st != RP_OK) {
            /* The replace hint names the CLI option; say the API's. */
            char *hint = strstr(err.msg, " (use --replace");
            if (hint != NULL)
                snprintf(hint, sizeof err.msg - (size_t)(hint - err.msg),
                         " (use ?replace=1 to replace it)");
            if (err.line == 0 && rec != NULL) err.line = rec->line;
            reply_rp_error(rp, "documents", &err, st);
        } else {
            cJSON *o = cJSON_CreateObject();
            add_size(o, "added", added);
            reply_json(rp, 200, o);
        }
    }
    rp_doc_free(doc);
    rp_source_free(src);
    close(fd);
}

static void handle_doc_delete(server *s, const char *id, reply *rp)
{
    rp_error err;
    memset(&err, 0, sizeof err);
    int removed = 0;
    pthread_mutex_lock(&s->wmu);
    rp_index *w = writer_get(s, &err);
    rp_status st = w == NULL ? err.code : rp_index_remove(w, id, strlen(id), &removed, &err);
    if (st == RP_OK)
        st = rp_index_commit(w, &err);
    else if (w != NULL)
        rp_index_rollback(w);
    pthread_mutex_unlock(&s->wmu);
    if (st != RP_OK) {
        reply_rp_error(rp, "remove", &err, st);
    } else if (!removed) {
        reply_error(rp, 404, "no document with this id");
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "removed", id);
        reply_json(rp, 200, o);
    }
}

static void reply_static(reply *rp, const char *ctype, const char *csp, const char *text)
{
    rp->status = 200;
    rp->ctype = ctype;
    rp->csp = csp;
    rp->body = (char *)(uintptr_t)text; /* MHD_RESPMEM_PERSISTENT: never written */
    rp->len = strlen(text);
}

/* Writes: refused without a token on a non-loopback address, and without
 * the right token when one is set. */
static bool write_allowed(server *s, struct MHD_Connection *c, reply *rp)
{
    if (!s->writes_ok) {
        reply_error(rp, 403,
                    "writes are disabled: the server listens on a non-loopback address "
                    "without --token-file");
        return false;
    }
    if (s->token == NULL) return true;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (serve_token_ok(auth, s->token)) return true;
    reply_error(rp, 401,
                auth == NULL ? "this request needs 'Authorization: Bearer TOKEN'" : "wrong token");
    rp->www_authenticate = true;
    return false;
}

static void dispatch(server *s, struct MHD_Connection *c, request *r, const char *url,
                     const char *method, reply *rp)
{
    serve_route route;
    const char *id = NULL, *allow = NULL;
    int st = serve_route_of(method, url, &route, &id, &allow);
    if (st == 404) {
        reply_error(rp, 404, "not found");
        return;
    }
    if (st == 405) {
        reply_error(rp, 405, "method %s not allowed here (%s)", method, allow);
        rp->allow = allow;
        return;
    }
    if (r->late) {
        reply_error(rp, 503, "shutting down");
        return;
    }
    switch (route) {
    case ROUTE_PAGE: reply_static(rp, "text/html; charset=utf-8", csp_page, serve_page_html); break;
    case ROUTE_JS:
        reply_static(rp, "text/javascript; charset=utf-8", csp_api, serve_page_js);
        break;
    case ROUTE_CSS: reply_static(rp, "text/css; charset=utf-8", csp_api, serve_page_css); break;
    case ROUTE_OPENAPI: reply_static(rp, "application/json", csp_api, serve_openapi_json); break;
    case ROUTE_HEALTH: reply_static(rp, "application/json", csp_api, "{\"status\":\"ok\"}"); break;
    case ROUTE_STATS: handle_stats(s, rp); break;
    case ROUTE_QUERY: handle_query(s, c, r, rp); break;
    case ROUTE_VIEW: handle_view(s, c, r, rp); break;
    case ROUTE_DOC:
        if (strcmp(method, "DELETE") == 0) {
            if (write_allowed(s, c, rp)) handle_doc_delete(s, id, rp);
        } else {
            handle_doc_get(s, id, rp);
        }
        break;
    case ROUTE_DOCS:
        if (write_allowed(s, c, rp)) handle_docs_add(s, c, r, rp);
        break;
    case ROUTE_PREFLIGHT:
        if (s->cors == NULL) {
            reply_error(rp, 405, "OPTIONS is for cross-origin calls, which are off (see --cors)");
            rp->allow = "GET, HEAD, POST, DELETE";
            break;
        }
        reply_static(rp, "text/plain", csp_api, "");
        rp->status = 204;
        rp->allow = allow;
        break;
    }
}

/* ---- libmicrohttpd callbacks --------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request *r = *con_cls;
    if (r == NULL) {
        if ((r = calloc(1, sizeof *r)) == NULL) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &r->start);
        snprintf(r->method, sizeof r->method, "%s", method);
        r->path = strdup(url);
        *con_cls = r;
        atomic_fetch_add(&s->in_flight, 1);
        r->late = atomic_load(&s->draining);
        /* A declared length over the limit is refused before it is read. */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl != NULL && strtoull(cl, NULL, 10) > s->max_body) r->too_large = true;
        if (r->too_large || r->path == NULL) {
            reply rp = {0};
            if (r->path == NULL)
                reply_error(&rp, 500, "out of memory");
            else
                reply_error(&rp, 413, "the body is over %zu bytes (--max-body)", s->max_body);
            return send_reply(s, c, r, &rp);
        }
        return MHD_YES;
    }
    if (r->responded) {
        *upload_size = 0; /* the rest of a refused body is dropped */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        const size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_large) return MHD_YES;
        if (n > s->max_body - r->len) {
            r->too_large = true;
            free(r->body);
            r->body = NULL;
            r->len = r->cap = 0;
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + n + 1)
                cap *= 2;
            char *b = realloc(r->body, cap);
            if (b == NULL) return MHD_NO;
            r->body = b;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    /* Handlers read the body as bytes: an empty one is a buffer too. */
    if (r->body == NULL && (r->body = calloc(1, 1)) == NULL) return MHD_NO;
    reply rp = {0};
    if (r->too_large)
        reply_error(&rp, 413, "the body is over %zu bytes (--max-body)", s->max_body);
    else
        dispatch(s, c, r, url, method, &rp);
    return send_reply(s, c, r, &rp);
}

/* Control bytes and non-ASCII in a logged path are written as %XX. */
static void log_path(char *out, size_t cap, const char *path)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < cap; p++) {
        if (*p < 0x21 || *p > 0x7e || *p == '%')
            o += (size_t)snprintf(out + o, cap - o, "%%%02X", *p);
        else
            out[o++] = (char)*p;
    }
    out[o] = '\0';
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    server *s = cls;
    request *r = *con_cls;
    if (r == NULL) return;
    *con_cls = NULL;
    if (!s->quiet) {
        char when[32], path[512];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        log_path(path, sizeof path, r->path != NULL ? r->path : "?");
        fprintf(stderr, "%s %s %s %u %zu %.2fms%s\n", when, r->method, path,
                r->responded ? r->status : 0, r->bytes, elapsed_ms(&r->start),
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed)");
    }
    free(r->path);
    free(r->body);
    free(r);
    atomic_fetch_sub(&s->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 0)))
#endif
    ;
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    server *s = cls;
    if (s->quiet) return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    cli_error("%s", msg);
}

/* ---- startup ---------------------------------------------------------------------- */

/* Split "HOST:PORT", "[V6]:PORT" or ":PORT" / "PORT" (host 127.0.0.1). */
static bool split_listen(const char *spec, char *host, size_t host_cap, char *port, size_t port_cap)
{
    const char *colon;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (close == NULL || close[1] != ':') return false;
        if ((size_t)(close - spec - 1) >= host_cap) return false;
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = '\0';
        colon = close + 1;
    } else if ((colon = strrchr(spec, ':')) != NULL) {
        if ((size_t)(colon - spec) >= host_cap || memchr(spec, ':', (size_t)(colon - spec)))
            return false;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
    } else {
        host[0] = '\0';
        colon = spec - 1;
    }
    if (host[0] == '\0') snprintf(host, host_cap, "127.0.0.1");
    const char *p = colon + 1;
    if (*p == '\0' || strlen(p) >= port_cap || strspn(p, "0123456789") != strlen(p)) return false;
    if (strtoul(p, NULL, 10) > 65535) return false;
    snprintf(port, port_cap, "%s", p);
    return true;
}

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        const uint8_t *b = in6->sin6_addr.s6_addr;
        static const uint8_t one[16] = {[15] = 1};
        static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
        return memcmp(b, one, 16) == 0 || (memcmp(b, mapped, 12) == 0 && b[12] == 127);
    }
    return false;
}

/* Bind and listen; prints the error and returns -1 on failure. */
static int open_listener(const char *spec, bool *loopback, char *url, size_t url_cap)
{
    char host[256], port[16];
    if (!split_listen(spec, host, sizeof host, port, sizeof port)) {
        cli_error("--listen %s: expected HOST:PORT, [IPV6]:PORT or PORT", spec);
        return -2;
    }
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        cli_error("--listen %s: %s", spec, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        cli_error("--listen %s: %s", spec, strerror(errno));
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char num[INET6_ADDRSTRLEN];
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *loopback = is_loopback((struct sockaddr *)&ss);
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, num, sizeof num);
        snprintf(url, url_cap, "http://[%s]:%u/", num, ntohs(in6->sin6_port));
    } else {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, num, sizeof num);
        snprintf(url, url_cap, "http://%s:%u/", num, ntohs(in->sin_port));
    }
    return fd;
}

/* The token: the file's first line without trailing blanks; NULL after an
 * error was printed. */
static char *read_token(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                     line[n - 1] == '\t'))
        line[--n] = '\0';
    if (n <= 0) {
        cli_error("%s:1: the token file's first line is empty", path);
        free(line);
        return NULL;
    }
    return line;
}

static void drain(server *s)
{
    /* Requests in flight finish; new ones on open connections get 503. */
    atomic_store(&s->draining, true);
    for (int i = 0; i < 1000 && atomic_load(&s->in_flight) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 'j'},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"max-body", required_argument, NULL, OPT_MAX_BODY},
        {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"cors", required_argument, NULL, OPT_CORS},
        {"min-words", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *listen_spec = "127.0.0.1:8080", *token_file = NULL;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = cores > 0 ? (size_t)cores : 1, max_conn = 256, timeout = 15;
    server s;
    memset(&s, 0, sizeof s);
    s.max_body = 16u << 20;
    rp_compare_opts_init(&s.compare);
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":l:j:m:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'l': listen_spec = optarg; break;
        case 'j':
            if (!cli_parse_size(optarg, &threads) || threads < 1 || threads > 256)
                return cli_usage_error("--threads takes a whole number from 1 to 256, not '%s'",
                                       optarg);
            break;
        case OPT_TOKEN_FILE: token_file = optarg; break;
        case OPT_MAX_BODY:
            if (!cli_parse_size(optarg, &s.max_body) || s.max_body < 1 || s.max_body > (1u << 30))
                return cli_usage_error("--max-body takes a size from 1 to 1G, not '%s'", optarg);
            break;
        case OPT_MAX_CONNECTIONS:
            if (!cli_parse_size(optarg, &max_conn) || max_conn < 1 || max_conn > 65536)
                return cli_usage_error("--max-connections takes a number from 1 to 65536, not '%s'",
                                       optarg);
            break;
        case OPT_TIMEOUT:
            if (!cli_parse_size(optarg, &timeout) || timeout < 1 || timeout > 86400)
                return cli_usage_error("--timeout takes seconds from 1 to 86400, not '%s'", optarg);
            break;
        case OPT_CORS:
            if (optarg[0] == '\0' || strpbrk(optarg, "\r\n") != NULL)
                return cli_usage_error("--cors takes an origin such as https://example.org");
            s.cors = optarg;
            break;
        case 'm':
            if (!cli_parse_size(optarg, &s.compare.min_words) || s.compare.min_words < 1)
                return cli_usage_error("--min-words takes a whole number >= 1, not '%s'", optarg);
            break;
        case 'q': s.quiet = true; break;
        case 'h': help(); return EXIT_OK;
        case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) return cli_usage_error("expected one index");
    s.path = argv[optind];

    int status = EXIT_FAIL, lfd = -1;
    struct MHD_Daemon *d = NULL;
    size_t n_readers = 0;
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    pthread_mutex_init(&s.wmu, NULL);
    if (token_file != NULL && (s.token = read_token(token_file)) == NULL) goto done;
    /* One read-only handle per thread, opened now so a bad index fails at once. */
    if ((s.readers = calloc(threads, sizeof *s.readers)) == NULL) {
        cli_error("out of memory");
        goto done;
    }
    rp_index_opts io;
    rp_index_opts_init(&io);
    io.readonly = 1;
    for (; n_readers < threads; n_readers++) {
        s.readers[n_readers] = cli_index_open(s.path, &io);
        if (s.readers[n_readers] == NULL) goto done;
    }
    s.n_free = n_readers;
    s.seed = rp_index_get_params(s.readers[0])->seed;

    bool loopback = false;
    char url[128];
    lfd = open_listener(listen_spec, &loopback, url, sizeof url);
    if (lfd < 0) {
        status = lfd == -2 ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }
    s.writes_ok = loopback || s.token != NULL;

    /* Signals are taken by sigwait() below: block them before any thread
     * starts, so that every thread inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_USE_AUTO;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_LISTEN_SOCKET, (intptr_t)lfd, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)max_conn, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)timeout, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)(64 * 1024), NULL},
        /* with one thread there is no pool: the polling thread answers */
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER,
                         on_mhd_log, &s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
                         MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (d == NULL) {
        cli_error("cannot start the HTTP server on %s", listen_spec);
        goto done;
    }
    fprintf(stderr, "listening on %s\n", url);
    if (!s.writes_ok)
        cli_error("writes are disabled: a non-loopback address needs --token-file for them");
    fflush(stderr);
    int sig = 0;
    sigwait(&sigs, &sig);
    if (!s.quiet) cli_error("%s: finishing requests in flight, then stopping", strsignal(sig));
    MHD_quiesce_daemon(d);
    drain(&s);
    MHD_stop_daemon(d);
    d = NULL;
    status = EXIT_OK;
done:
    if (d != NULL) MHD_stop_daemon(d);
    if (lfd >= 0) close(lfd);
    for (size_t i = 0; i < n_readers; i++)
        rp_index_free(s.readers[i]);
    free(s.readers);
    rp_index_free(s.writer);
    free(s.token);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    pthread_mutex_destroy(&s.wmu);
    return status;
}
