/* cli.h - declarations shared by the files of the reprint program.
 *
 * The program uses the library only through include/reprint.h. Each
 * subcommand lives in cmd_<name>.c as cmd_<name>(); renderers turn a
 * comparison result into text, JSON or HTML. */
#ifndef REPRINT_CLI_H
#define REPRINT_CLI_H

#include "reprint.h"

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses (documented in reprint(1)). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* ---- subcommands --------------------------------------------------------- */
int cmd_compare(int argc, char **argv);
int cmd_dedup(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* ---- corpus input (opts.c), shared by dedup, scan, index add and query ----- */
/* --text-field, --id-field, --skip-bad and --lossy: long options with codes
 * of their own (above every command's), set up in one place. */
/* --hidden, --include GLOB and --exclude GLOB (repeatable) choose what a
 * directory walk reads; with --skip-bad, each file skipped is a warning
 * line on stderr naming it and why. */
enum {
    OPT_INPUT_TEXT_FIELD = 0x400,
    OPT_INPUT_ID_FIELD,
    OPT_INPUT_SKIP_BAD,
    OPT_INPUT_LOSSY,
    OPT_INPUT_HIDDEN,
    OPT_INPUT_INCLUDE,
    OPT_INPUT_EXCLUDE
};
#define CLI_INPUT_LONGOPTS                                                                         \
    {"text-field", required_argument, NULL, OPT_INPUT_TEXT_FIELD},                                 \
        {"id-field", required_argument, NULL, OPT_INPUT_ID_FIELD},                                 \
        {"skip-bad", no_argument, NULL, OPT_INPUT_SKIP_BAD},                                       \
        {"hidden", no_argument, NULL, OPT_INPUT_HIDDEN},                                           \
        {"include", required_argument, NULL, OPT_INPUT_INCLUDE},                                   \
        {"exclude", required_argument, NULL, OPT_INPUT_EXCLUDE},                                   \
    {                                                                                              \
        "lossy", no_argument, NULL, OPT_INPUT_LOSSY                                                \
    }
/* The help lines of those options, for each command's --help. */
#define CLI_INPUT_HELP                                                                             \
    "      --hidden           read files and folders starting with '.' in a walk\n"               \
    "      --include GLOB     in a walk, read only files whose name matches (repeatable)\n"       \
    "      --exclude GLOB     in a walk, leave out files and folders matching (repeatable)\n"
/* When ch (getopt_long's result) is one of them, apply it to *so and return
 * true; otherwise (or out of memory, reported) return false and leave *so
 * alone. */
bool cli_input_option(int ch, const char *arg, rp_source_opts *so);
/* With n > 0: the warning that n documents repeat an earlier id (kept by
 * --skip-bad). */
void cli_warn_duplicate_ids(uint64_t n);
/* Files skipped by --skip-bad so far (each was a warning line). */
size_t cli_files_skipped(void);

/* ---- index helpers (cmd_index.c), shared by index and query ----------------- */
/* Codes of long options without a short form. */
enum {
    OPT_REPLACE = 256,
    OPT_SKIP_EXISTING,
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
#define CLI_INDEX_PARAM_LONGOPTS                                                                   \
    {"ngram", required_argument, NULL, OPT_NGRAM},                                                 \
        {"window", required_argument, NULL, OPT_WINDOW},                                           \
    {                                                                                              \
        "seed", required_argument, NULL, OPT_SEED                                                  \
    }
bool cli_index_param(int ch, const char *arg, rp_index_opts *o);
/* The meta data kept with a record: its JSONL object without the text and
 * id members (NULL for plain text or when nothing is left); free with
 * cli_meta_free(). */
char *cli_record_meta(const rp_record *r, size_t *len);
/* Add a record's document with its meta data to the index's open batch;
 * a duplicate id's message suggests --replace. */
rp_status cli_index_add_record(rp_index *idx, const rp_record *rec, const rp_doc *doc, int flags,
                               rp_error *err);
void cli_meta_free(char *meta);
/* Open an index, printing the error on failure (NULL). */
rp_index *cli_index_open(const char *path, const rp_index_opts *o);

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
/* Parse a number from 0 to 1 (a share, a similarity). */
bool cli_parse_fraction(const char *s, double *out);
/* Parse a non-negative integer with an optional K/M/G/T suffix (powers of
 * 1024); false on overflow. */
bool cli_parse_size(const char *s, size_t *out);
/* Parse option opt's value as a whole number in min..max (suffixes as
 * above); false after printing a usage error that gives the range. */
bool cli_parse_count(const char *opt, const char *s, size_t min, size_t max, size_t *out);
/* The same for a size in bytes; the range is shown with suffixes (4M..1T). */
bool cli_parse_bytes(const char *opt, const char *s, size_t min, size_t max, size_t *out);
/* Upper bounds of the numeric options (documented in the man pages). */
#define CLI_MAX_COUNT ((size_t)UINT32_MAX) /* words, documents, candidates */
#define CLI_MAX_MEM   ((size_t)1 << 40)    /* --mem-limit: 1T */
/* Parse --color WHEN (auto, always, never) for a stream. */
bool cli_parse_color(const char *when, FILE *stream, bool *color);

typedef enum { FMT_AUTO, FMT_TEXT, FMT_JSON, FMT_HTML } cli_format;
bool cli_parse_format(const char *s, cli_format *f);

/* Open an output (an rp_output: a regular file is written to a temporary
 * file renamed into place by a committing close; "-" or NULL is stdout; a
 * device or FIFO is written in place). Returns NULL after printing an
 * error. A named temporary file is removed if SIGINT, SIGTERM or SIGHUP
 * ends the program. */
FILE *cli_open_output(const char *path);
/* Close an output opened by cli_open_output: commit puts the file in
 * place, reporting a write error (once); !commit abandons it, leaving
 * the previous file. Returns whether it was committed. */
bool cli_close_output(FILE *f, const char *path, bool commit);
/* Refuse (printing the error) outputs that are the same file as an input,
 * lie inside an input directory, or name one file twice (see
 * rp_output_check()); call before reading any input. db: an index read or
 * written too (its -wal, -shm and -journal files count as well), or NULL.
 * NULL outputs are skipped. */
bool cli_check_outputs(const char *const *outputs, size_t n_out, const char *db,
                       char *const *inputs, size_t n_in);

/* ---- many processes (dist.c; reprint-mpi) ------------------------------------- */
/* The job's ranks in reprint-mpi, NULL in reprint. */
extern rp_comm *cli_comm;
/* Whether this process writes outputs: rank 0, or the only process. */
bool cli_is_root(void);
/* On ranks, make messages name the rank and host ("reprint dedup: rank 2
 * of 4 on node7: ..."). */
void cli_dist_name_rank(void);
/* On ranks, show rank 0's progress bar (for the whole job) when the job
 * runs on a terminal. */
struct cli_progress;
void cli_dist_progress(struct cli_progress *bar, bool quiet);
/* On ranks, end every rank of the job with status (after this one's own
 * cleanup); a no-op for one process. */
void cli_dist_abort(int status);

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
/* The length of the valid UTF-8 sequence at s[0..n) (n > 0, s[0] >= 0x80)
 * and its code point in *cp, or 0 when it is not valid. */
size_t cli_utf8_seq(const unsigned char *s, size_t n, unsigned *cp);
/* Write s[0..n) (any bytes) for a terminal or text file: valid UTF-8 only,
 * each invalid byte and control character as U+FFFD, except that a text
 * (!one_line) keeps its newlines and tabs. */
void cli_put_text(FILE *out, const char *s, size_t n, bool one_line);
/* The JSON contract of DESIGN.md, one object on one line. */
int render_json(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r);
/* One corpus pair on one line, the record of `reprint scan` and `reprint
 * query --format json`: {"a":{"id","tokens"},"b":{...},"containment_a",
 * "containment_b","jaccard","similarity","passages":[...]}, passages as in
 * render_json (byte offsets into each document's text). Returns 0 or -1 on
 * a write error. */
int render_pair_record(FILE *out, const char *a_id, size_t a_id_len, const rp_doc *a,
                       const char *b_id, size_t b_id_len, const rp_doc *b, const rp_result *r);
/* Add member key to a cJSON object: s[0..n), any bytes (NUL, invalid
 * UTF-8), as rp_json_quote() writes it, so the JSON stays valid. */
struct cJSON;
void cli_json_add_bytes(struct cJSON *obj, const char *key, const char *s, size_t n);
/* The same record as a cJSON object (NULL when out of memory), for a
 * caller that adds members to it; free with cJSON_Delete(). The ids are
 * NUL-terminated here (render_pair_object_n takes their lengths). */
struct cJSON *render_pair_object(const char *a_id, const rp_doc *a, const char *b_id,
                                 const rp_doc *b, const rp_result *r);
struct cJSON *render_pair_object_n(const char *a_id, size_t a_id_len, const rp_doc *a,
                                   const char *b_id, size_t b_id_len, const rp_doc *b,
                                   const rp_result *r);
/* One self-contained HTML page: both documents side by side, passages
 * highlighted in matching colours, linked, differing words marked. */
int render_html(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r);

/* The same page as one of a set (the pair pages of `reprint scan --html`):
 * nav adds a heading and links to the index and the neighbouring pages.
 * nav NULL gives render_html()'s page. Hrefs are written as given
 * (escaped), so they should be relative paths. */
typedef struct html_nav {
    const char *title;      /* heading text, e.g. "pair 3 of 120" */
    const char *index_href; /* the index page */
    const char *prev_href;  /* the previous page, or NULL */
    const char *next_href;  /* the next page, or NULL */
} html_nav;
int render_html_page(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r,
                     const html_nav *nav);

/* One row of the scan report's index: a pair and its page. */
typedef struct scan_html_row {
    const char *a_id, *b_id;
    uint64_t matched;     /* words matched in its passages */
    double containment_a; /* share of A inside passages */
    double containment_b;
    double similarity;
    size_t passages;
    const char *href; /* its page, relative to the index */
} scan_html_row;

/* What the index says about the scan. */
typedef struct scan_html_info {
    uint64_t documents; /* scanned */
    uint64_t pairs;     /* found (rows may hold fewer: the top ones) */
    uint64_t boilerplate;
    size_t max_df, min_words;
} scan_html_info;

/* The scan report's index page: rows (ranked by the caller) shown a page
 * at a time, sortable and filterable in the browser; the first page is in
 * the HTML itself, so it reads without JavaScript too. */
int render_scan_index(FILE *out, const scan_html_row *rows, size_t n, const scan_html_info *info);

#endif
