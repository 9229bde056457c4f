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
int rp_cmd_index(int argc, char **argv);
int rp_cmd_query(int argc, char **argv);

/* ---- index helpers (cmd_index.c), shared by index and query ----------------- */
/* Codes of long options without a short form. */
enum {
    OPT_TEXT_FIELD = 256,
    OPT_ID_FIELD,
    OPT_SKIP_BAD,
    OPT_LOSSY,
    OPT_REPLACE,
    OPT_NGRAM,
    OPT_WINDOW,
    OPT_SEED,
    OPT_IDS_FROM,
    OPT_IGNORE_MISSING,
    OPT_TOP,
    OPT_MIN_CONTAINMENT,
    OPT_ADD,
    OPT_MIN_SHARED,
    OPT_MAX_CANDIDATES,
    OPT_MAX_DF,
    OPT_COLOR
};
/* --ngram, --window, --seed into the parameters an index must have; false
 * after a usage error was printed. */
bool cli_index_param(int ch, const char *arg, rp_index_opts *o);
/* The meta data kept with a record: its JSONL object without the text and
 * id members (NULL for plain text or when nothing is left); free with
 * cli_meta_free(). */
char *cli_record_meta(const rp_record *r, const rp_source_opts *so, size_t *len);
void cli_meta_free(char *meta);
/* cli_report() with the line number of a JSONL record when there is one:
 * "reprint CMD: path:line: message". */
void cli_index_report(const rp_error *err, rp_status st);
/* Open an index, printing the error on failure (NULL). */
rp_index *cli_index_open(const char *path, const rp_index_opts *o);
/* Total size of the regular files among paths (for progress). */
uint64_t cli_input_bytes(char **paths, int n);

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
/* Close an output opened by cli_open_output, reporting write errors. */
bool cli_close_output(FILE *f, const char *path);

/* ---- progress bar (progress.c) ---------------------------------------------- */
typedef struct cli_progress {
    bool on, drawn;
    const char *label;
    double start, last_draw, done;
} cli_progress;
/* Start timing; the bar shows only on a terminal and without quiet. */
void cli_progress_start(cli_progress *p, bool quiet, const char *label);
/* Name the current stage (reset to 0%). */
void cli_progress_label(cli_progress *p, const char *label);
/* An rp_progress_fn: user is the cli_progress. */
void cli_progress_update(void *user, double done);
/* Clear the bar's line. */
void cli_progress_end(cli_progress *p);

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
