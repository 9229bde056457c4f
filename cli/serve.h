/* serve.h - the parts of `reprint serve` shared between its files.
 *
 * cmd_serve.c holds the options, the HTTP server (libmicrohttpd) and the
 * handlers; serve_request.c turns a request's route, headers and body into
 * a query, with no HTTP library in sight, so that fuzz/fuzz_serve.c can
 * drive it; serve_assets.c holds the page, its script and style and the
 * OpenAPI description, served from memory. */
#ifndef REPRINT_SERVE_H
#define REPRINT_SERVE_H

#include "reprint.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- routes ------------------------------------------------------------------ */
typedef enum serve_route {
    ROUTE_PAGE,      /* GET /                          the page */
    ROUTE_JS,        /* GET /app.js */
    ROUTE_CSS,       /* GET /app.css */
    ROUTE_OPENAPI,   /* GET /api/openapi.json */
    ROUTE_HEALTH,    /* GET /healthz */
    ROUTE_STATS,     /* GET /api/stats */
    ROUTE_QUERY,     /* POST /api/query */
    ROUTE_VIEW,      /* POST /view                     side-by-side page (form) */
    ROUTE_DOC,       /* GET, DELETE /api/documents/{id} */
    ROUTE_DOCS,      /* POST /api/documents */
    ROUTE_PREFLIGHT, /* OPTIONS on an API path (with --cors) */
} serve_route;

/* Route a method and a decoded path. Returns 0 and sets *route (and *id,
 * pointing into path, for ROUTE_DOC), 404 for a path that is not served,
 * or 405 with *allow naming the methods the path takes. HEAD is GET. */
int serve_route_of(const char *method, const char *path, serve_route *route, const char **id,
                   const char **allow);

/* ---- a query from a request body ------------------------------------------------- */
typedef struct serve_query {
    const char *text; /* the text: into the body or into owned */
    size_t len;
    char *owned; /* decoded text (JSON, form), or NULL */
    char *id;    /* the query's name ("query" unless given); owned */
    size_t top;  /* matches wanted (default 10; at most SERVE_MAX_TOP) */
    double min_containment;
    bool compressed; /* the body is gzip or zstd data */
} serve_query;

#define SERVE_MAX_TOP 1000

/* Parse a POST /api/query body by its Content-Type (NULL: text): text/plain
 * is the text; application/json an object {"text", "top",
 * "min_containment", "id"}; application/x-www-form-urlencoded the fields
 * text and top; application/octet-stream, application/gzip and
 * application/zstd a file (gzip and zstd recognized by content). Returns 0,
 * 400 (malformed: msg says why) or 415 (another type). Free with
 * serve_query_free() whatever it returned. */
int serve_parse_query(const char *ctype, const char *body, size_t len, serve_query *q, char *msg,
                      size_t msg_cap);
void serve_query_free(serve_query *q);

/* Make the query's document, tokenized with seed (compressed data through an
 * unlinked temporary file in $TMPDIR). Returns 0, 400 or 413 (too large),
 * 500 (a temporary file could not be written); msg says why. */
int serve_query_doc(const serve_query *q, uint64_t seed, rp_doc **out, char *msg, size_t msg_cap);

/* Parse the query string or the form body "a=1&b=2": the value of field
 * name, decoded (+ is a space, %XX a byte), as a new NUL-terminated string
 * (free()), or NULL when absent or out of memory. *len gets its length. */
char *serve_form_field(const char *body, size_t len, const char *name, size_t *out_len);

/* The request's bearer token (the Authorization header) equals token, in
 * time independent of where they differ. */
bool serve_token_ok(const char *authorization, const char *token);

/* Write an unlinked temporary file holding data; returns its descriptor
 * (read it as "/dev/fd/N") or -1 with errno set. */
int serve_temp_file(const char *data, size_t len);

/* ---- embedded assets (serve_assets.c) ------------------------------------------ */
extern const char serve_page_html[];
extern const char serve_page_js[];
extern const char serve_page_css[];
extern const char serve_openapi_json[];

#endif
