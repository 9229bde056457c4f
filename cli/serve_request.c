/* serve_request.c - what `reprint serve` makes of a request before it
 * touches the index: the route of a method and path, the query carried by
 * a POST /api/query body (text, JSON, a form or a compressed file), the
 * fields of a form, and the bearer token check.
 *
 * Nothing here knows libmicrohttpd: cmd_serve.c passes the decoded path,
 * the Content-Type and the body, and fuzz/fuzz_serve.c passes arbitrary
 * bytes the same way, then runs the query on a small index. Every length
 * is carried explicitly; a body is never assumed to be NUL-terminated. */
#include "serve.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- routes ------------------------------------------------------------------ */

#define DOC_PREFIX "/api/documents/"

int serve_route_of(const char *method, const char *path, serve_route *route, const char **id,
                   const char **allow)
{
    static const struct {
        const char *path;
        serve_route route;
        const char *method; /* the one method taken */
    } fixed[] = {
        {"/", ROUTE_PAGE, "GET"},
        {"/index.html", ROUTE_PAGE, "GET"},
        {"/app.js", ROUTE_JS, "GET"},
        {"/app.css", ROUTE_CSS, "GET"},
        {"/api/openapi.json", ROUTE_OPENAPI, "GET"},
        {"/healthz", ROUTE_HEALTH, "GET"},
        {"/api/stats", ROUTE_STATS, "GET"},
        {"/api/query", ROUTE_QUERY, "POST"},
        {"/view", ROUTE_VIEW, "POST"},
        {"/api/documents", ROUTE_DOCS, "POST"},
    };
    *id = NULL;
    *allow = NULL;
    const bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    const bool options = strcmp(method, "OPTIONS") == 0;
    const bool api = strncmp(path, "/api/", 5) == 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(path, fixed[i].path) != 0) continue;
        const bool is_get = strcmp(fixed[i].method, "GET") == 0;
        if (options && api) {
            *route = ROUTE_PREFLIGHT;
            *allow = is_get ? "GET, HEAD, OPTIONS" : "POST, OPTIONS";
            return 0;
        }
        if (is_get ? get : strcmp(method, fixed[i].method) == 0) {
            *route = fixed[i].route;
            return 0;
        }
        *allow = is_get ? "GET, HEAD" : fixed[i].method;
        return 405;
    }
    const size_t np = sizeof DOC_PREFIX - 1;
    if (strncmp(path, DOC_PREFIX, np) == 0 && path[np] != '\0') {
        *id = path + np;
        if (options) {
            *route = ROUTE_PREFLIGHT;
            *allow = "GET, HEAD, DELETE, OPTIONS";
            return 0;
        }
        if (get || strcmp(method, "DELETE") == 0) {
            *route = ROUTE_DOC;
            return 0;
        }
        *allow = "GET, HEAD, DELETE";
        return 405;
    }
    return 404;
}

/* ---- forms -------------------------------------------------------------------- */

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode s[0..n) (+ and %XX; a malformed % is kept as it is) into a new
 * NUL-terminated string. */
static char *form_decode(const char *s, size_t n, size_t *out_len)
{
    char *out = malloc(n + 1);
    if (out == NULL) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && (hi = hex_digit((unsigned char)s[i + 1])) >= 0 &&
                   (lo = hex_digit((unsigned char)s[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (out_len != NULL) *out_len = o;
    return out;
}

char *serve_form_field(const char *body, size_t len, const char *name, size_t *out_len)
{
    const size_t nlen = strlen(name);
    size_t i = 0;
    if (out_len != NULL) *out_len = 0;
    while (i < len) {
        const char *amp = memchr(body + i, '&', len - i);
        const size_t end = amp != NULL ? (size_t)(amp - body) : len;
        const char *eq = memchr(body + i, '=', end - i);
        const size_t key_end = eq != NULL ? (size_t)(eq - body) : end;
        size_t klen = 0;
        char *key = form_decode(body + i, key_end - i, &klen);
        if (key == NULL) return NULL;
        const bool match = klen == nlen && memcmp(key, name, nlen) == 0;
        free(key);
        if (match) {
            const size_t v = eq != NULL ? key_end + 1 : end;
            return form_decode(body + v, end - v, out_len);
        }
        i = end + 1;
    }
    return NULL;
}

/* ---- the query ------------------------------------------------------------------- */

/* The media type of a Content-Type value, without parameters, compared
 * without case. */
static bool ctype_is(const char *ctype, const char *type)
{
    const size_t n = strlen(type);
    if (strncasecmp(ctype, type, n) != 0) return false;
    const char c = ctype[n];
    return c == '\0' || c == ';' || c == ' ' || c == '\t';
}

static bool is_compressed(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    return (n >= 2 && u[0] == 0x1f && u[1] == 0x8b) ||
           (n >= 4 && u[0] == 0x28 && u[1] == 0xb5 && u[2] == 0x2f && u[3] == 0xfd);
}

static int fail(char *msg, size_t cap, int status, const char *text)
{
    snprintf(msg, cap, "%s", text);
    return status;
}

/* top as a whole number from 0 (all, capped) to SERVE_MAX_TOP. */
static bool parse_top(const char *s, size_t *top)
{
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > SERVE_MAX_TOP) return false;
    *top = v == 0 ? SERVE_MAX_TOP : (size_t)v;
    return true;
}

static int parse_json_query(const char *body, size_t len, serve_query *q, char *msg, size_t cap)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (root == NULL) return fail(msg, cap, 400, "the body is not valid JSON");
    int status = 400;
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(root, "text");
    const cJSON *top = cJSON_GetObjectItemCaseSensitive(root, "top");
    const cJSON *minc = cJSON_GetObjectItemCaseSensitive(root, "min_containment");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (!cJSON_IsObject(root)) {
        fail(msg, cap, 400, "the body must be a JSON object");
    } else if (!cJSON_IsString(text)) {
        fail(msg, cap, 400, "member \"text\" (a string) is missing");
    } else if (top != NULL &&
               (!cJSON_IsNumber(top) || top->valuedouble < 0 || top->valuedouble > SERVE_MAX_TOP ||
                top->valuedouble != (double)(size_t)top->valuedouble)) {
        fail(msg, cap, 400, "member \"top\" must be a whole number from 0 to 1000");
    } else if (minc != NULL &&
               (!cJSON_IsNumber(minc) || !(minc->valuedouble >= 0) || minc->valuedouble > 1)) {
        fail(msg, cap, 400, "member \"min_containment\" must be a number from 0 to 1");
    } else if (id != NULL && !cJSON_IsString(id)) {
        fail(msg, cap, 400, "member \"id\" must be a string");
    } else {
        q->len = strlen(text->valuestring);
        q->owned = malloc(q->len + 1);
        char *qid = strdup(id != NULL ? id->valuestring : "query");
        if (q->owned == NULL || qid == NULL) {
            free(qid);
            status = fail(msg, cap, 500, "out of memory");
        } else {
            memcpy(q->owned, text->valuestring, q->len + 1);
            q->text = q->owned;
            free(q->id);
            q->id = qid;
            if (top != NULL)
                q->top = top->valuedouble == 0 ? SERVE_MAX_TOP : (size_t)top->valuedouble;
            if (minc != NULL) q->min_containment = minc->valuedouble;
            status = 0;
        }
    }
    cJSON_Delete(root);
    return status;
}

int serve_parse_query(const char *ctype, const char *body, size_t len, serve_query *q, char *msg,
                      size_t msg_cap)
{
    memset(q, 0, sizeof *q);
    q->top = 10;
    msg[0] = '\0';
    if ((q->id = strdup("query")) == NULL) return fail(msg, msg_cap, 500, "out of memory");
    if (ctype == NULL || ctype[0] == '\0' || ctype_is(ctype, "text/plain")) {
        q->text = body;
        q->len = len;
        return 0;
    }
    if (ctype_is(ctype, "application/json")) return parse_json_query(body, len, q, msg, msg_cap);
    if (ctype_is(ctype, "application/x-www-form-urlencoded")) {
        size_t tl = 0;
        if ((q->owned = serve_form_field(body, len, "text", &tl)) == NULL)
            return fail(msg, msg_cap, 400, "form field \"text\" is missing");
        q->text = q->owned;
        q->len = tl;
        char *top = serve_form_field(body, len, "top", NULL);
        const bool ok = top == NULL || parse_top(top, &q->top);
        free(top);
        if (!ok)
            return fail(msg, msg_cap, 400,
                        "form field \"top\" must be a whole number from 0 to 1000");
        return 0;
    }
    if (ctype_is(ctype, "application/octet-stream") || ctype_is(ctype, "application/gzip") ||
        ctype_is(ctype, "application/zstd")) {
        q->text = body;
        q->len = len;
        q->compressed = is_compressed(body, len);
        return 0;
    }
    snprintf(msg, msg_cap,
             "unsupported Content-Type (text/plain, application/json, "
             "application/x-www-form-urlencoded or application/octet-stream)");
    return 415;
}

void serve_query_free(serve_query *q)
{
    free(q->owned);
    free(q->id);
    q->owned = q->id = NULL;
}

int serve_temp_file(const char *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/reprint-serve-XXXXXX", dir != NULL && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    unlink(path);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        off += (size_t)w;
    }
    return fd;
}

/* The message of a document error, with the byte offset for bad bytes. */
static int doc_error(const rp_error *err, rp_status st, char *msg, size_t cap)
{
    if (st == RP_ERR_UTF8)
        snprintf(msg, cap, "query: invalid UTF-8 at byte offset %llu",
                 (unsigned long long)err->offset);
    else if (st == RP_ERR_FORMAT && err->offset > 0)
        snprintf(msg, cap, "query: %s (byte offset %llu)", err->msg[0] ? err->msg : rp_strerror(st),
                 (unsigned long long)err->offset);
    else
        snprintf(msg, cap, "query: %s", err->msg[0] ? err->msg : rp_strerror(st));
    return st == RP_ERR_LIMIT ? 413 : st == RP_ERR_NOMEM ? 500 : 400;
}

int serve_query_doc(const serve_query *q, uint64_t seed, rp_doc **out, char *msg, size_t msg_cap)
{
    rp_text_opts to;
    rp_text_opts_init(&to);
    to.seed = seed;
    rp_error err;
    memset(&err, 0, sizeof err);
    *out = NULL;
    if (!q->compressed) {
        rp_status st = rp_doc_new(q->id, q->text, q->len, &to, out, &err);
        return st == RP_OK ? 0 : doc_error(&err, st, msg, msg_cap);
    }
    /* The library decompresses files: hand it the body as one. */
    int fd = serve_temp_file(q->text, q->len);
    if (fd < 0) {
        snprintf(msg, msg_cap, "cannot write a temporary file: %s", strerror(errno));
        return 500;
    }
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    rp_doc *file = NULL;
    rp_status st = rp_doc_load(path, &to, &file, &err);
    close(fd);
    if (st != RP_OK) return doc_error(&err, st, msg, msg_cap);
    /* Named by the query's id, not the temporary path. */
    size_t n = 0;
    const char *text = rp_doc_text(file, &n);
    st = rp_doc_new(q->id, text, n, &to, out, &err);
    rp_doc_free(file);
    return st == RP_OK ? 0 : doc_error(&err, st, msg, msg_cap);
}

/* ---- the token ----------------------------------------------------------------- */

bool serve_token_ok(const char *authorization, const char *token)
{
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0) return false;
    const char *given = authorization + 7;
    const size_t n = strlen(given), m = strlen(token);
    /* Every byte of the longer is looked at, whatever differs first. */
    unsigned char diff = (unsigned char)(n != m);
    const size_t k = n > m ? n : m;
    for (size_t i = 0; i < k; i++) {
        const unsigned char x = i < n ? (unsigned char)given[i] : 0;
        const unsigned char y = i < m ? (unsigned char)token[i] : 0;
        diff |= (unsigned char)(x ^ y);
    }
    return diff == 0;
}
