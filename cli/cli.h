/* cli.h - declarations shared by the files of the reprint program.
 *
 * The program uses the library only through include/reprint.h. Each
 * subcommand lives in cmd_<name>.c as rp_cmd_<name>(); renderers turn a
 * comparison result into text, JSON or HTML. */
#ifndef REPRINT_CLI_H
#define REPRINT_CLI_H

#include "reprint.h"

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses (documented in reprint(1)). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* ---- subcommands --------------------------------------------------------- */
int rp_cmd_compare(int argc, char **argv);
int rp_cmd_dedup(int argc, char **argv);

/* ---- shared helpers (opts.c) ---------------------------------------------- */
/* The program name for messages, e.g. "reprint compare". */
extern const char *cli_prog;
/* Print "reprint CMD: message" to stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Print a library error: "reprint CMD: path: message" (+ strerror for I/O). */
void cli_report(const rp_error *err, rp_status st);
/* Usage error: one line plus a hint to stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Parse a non-negative integer with an optional K/M/G suffix. */
bool cli_parse_size(const char *s, size_t *out);
/* Parse --color WHEN (auto, always, never) for a stream. */
bool cli_parse_color(const char *when, FILE *stream, bool *color);

typedef enum { FMT_AUTO, FMT_TEXT, FMT_JSON, FMT_HTML } cli_format;
bool cli_parse_format(const char *s, cli_format *f);

/* Open the output: "-" or NULL is stdout. Returns NULL after printing an
 * error. */
FILE *cli_open_output(const char *path);
/* Mark path (not "-") as being written (writing) or finished (!writing):
 * a file being written is removed if SIGINT, SIGTERM or SIGHUP ends the
 * program. path must stay valid while marked. */
void cli_partial_output(const char *path, bool writing);
/* Close an output opened by cli_open_output, reporting write errors. */
bool cli_close_output(FILE *f, const char *path);

/* ---- progress bar (progress.c) ---------------------------------------------- */
typedef struct cli_progress {
    bool on, drawn;
    const char *label;
    double start, last_draw, done;
    uint64_t total; /* input bytes for corpus progress; 0: unknown */
} cli_progress;
/* Start timing; the bar shows only on a terminal and without quiet. */
void cli_progress_start(cli_progress *p, bool quiet, const char *label);
/* Name the current stage (reset to 0%). */
void cli_progress_label(cli_progress *p, const char *label);
/* An rp_progress_fn: user is the cli_progress. */
void cli_progress_update(void *user, double done);
/* Clear the bar's line. */
void cli_progress_end(cli_progress *p);
/* Corpus progress: documents and input bytes read so far, with rate, and a
 * bar and ETA when p->total (see cli_input_bytes) is known. */
void cli_progress_corpus(cli_progress *p, const char *label, uint64_t docs, uint64_t bytes);
/* Total size of the given regular files; 0 when one is standard input or
 * not a regular file (unknown). */
uint64_t cli_input_bytes(char *const *paths, size_t n);

/* ---- renderers ---------------------------------------------------------------- */
/* Terminal view: each passage with both sides and differing words marked,
 * then a one-line summary. color: ANSI colours, else [-deleted-] {+added+}. */
int render_text(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r, bool color);
/* The JSON contract of DESIGN.md, one object on one line. */
int render_json(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r);
/* One corpus pair on one line, the record of `reprint scan` and `reprint
 * query --format json`: {"a":{"id","tokens"},"b":{...},"containment_a",
 * "containment_b","jaccard","similarity","passages":[...]}, passages as in
 * render_json (byte offsets into each document's text). Returns 0 or -1 on
 * a write error. */
int render_pair_record(FILE *out, const char *a_id, const rp_doc *a, const char *b_id,
                       const rp_doc *b, const rp_result *r);
/* One self-contained HTML page: both documents side by side, passages
 * highlighted in matching colours, linked, differing words marked. */
int render_html(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r);

#endif
