/* opts.c - helpers shared by the subcommands: messages, number and option
 * parsing, output files. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

const char *cli_prog = "reprint";

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 0)))
#endif
static void
vmessage(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", cli_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

void cli_report(const rp_error *err, rp_status st)
{
    if (err->path[0] != '\0' && err->line > 0)
        fprintf(stderr, "%s: %s:%llu: %s\n", cli_prog, err->path, (unsigned long long)err->line,
                err->msg[0] ? err->msg : rp_strerror(st));
    else if (err->path[0] != '\0')
        fprintf(stderr, "%s: %s: %s\n", cli_prog, err->path,
                err->msg[0] ? err->msg : rp_strerror(st));
    else
        fprintf(stderr, "%s: %s\n", cli_prog, err->msg[0] ? err->msg : rp_strerror(st));
}

int cli_usage_error(const char *fmt, ...)
{
    if (!cli_is_root()) return EXIT_USAGE; /* on ranks, rank 0 says it once */
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information.\n", cli_prog);
    return EXIT_USAGE;
}

bool cli_parse_fraction(const char *s, double *out)
{
    if (s == NULL) return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v <= 1)) return false;
    *out = v;
    return true;
}

bool cli_parse_size(const char *s, size_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s) return false;
    unsigned long long mul = 1;
    if (*end != '\0') {
        switch (*end) {
        case 'k':
        case 'K': mul = 1ULL << 10; break;
        case 'm':
        case 'M': mul = 1ULL << 20; break;
        case 'g':
        case 'G': mul = 1ULL << 30; break;
        case 't':
        case 'T': mul = 1ULL << 40; break;
        default: return false;
        }
        if (end[1] != '\0') return false;
    }
    if (v > (unsigned long long)SIZE_MAX / mul) return false;
    *out = (size_t)(v * mul);
    return true;
}

/* n as a size with the largest suffix that divides it ("4M", "1T"). */
static void size_text(size_t n, char *buf, size_t cap)
{
    static const char suffix[] = "KMGT";
    int k = -1;
    while (k < 3 && n >= 1024 && n % 1024 == 0) {
        n /= 1024;
        k++;
    }
    if (k < 0)
        snprintf(buf, cap, "%zu", n);
    else
        snprintf(buf, cap, "%zu%c", n, suffix[k]);
}

bool cli_parse_count(const char *opt, const char *s, size_t min, size_t max, size_t *out)
{
    size_t v;
    if (cli_parse_size(s, &v) && v >= min && v <= max) {
        *out = v;
        return true;
    }
    cli_usage_error("%s takes a whole number in %zu..%zu, not '%s'", opt, min, max, s);
    return false;
}

bool cli_parse_bytes(const char *opt, const char *s, size_t min, size_t max, size_t *out)
{
    size_t v;
    if (cli_parse_size(s, &v) && v >= min && v <= max) {
        *out = v;
        return true;
    }
    char lo[32], hi[32];
    size_text(min, lo, sizeof lo);
    size_text(max, hi, sizeof hi);
    cli_usage_error("%s takes a size in %s..%s (K, M, G, T suffixes), not '%s'", opt, lo, hi, s);
    return false;
}

bool cli_parse_color(const char *when, FILE *stream, bool *color)
{
    if (strcmp(when, "always") == 0)
        *color = true;
    else if (strcmp(when, "never") == 0)
        *color = false;
    else if (strcmp(when, "auto") == 0) {
        const char *nc = getenv("NO_COLOR");
        *color = isatty(fileno(stream)) && (nc == NULL || *nc == '\0');
    } else
        return false;
    return true;
}

bool cli_parse_format(const char *s, cli_format *f)
{
    if (strcmp(s, "text") == 0)
        *f = FMT_TEXT;
    else if (strcmp(s, "json") == 0)
        *f = FMT_JSON;
    else if (strcmp(s, "html") == 0)
        *f = FMT_HTML;
    else if (strcmp(s, "auto") == 0)
        *f = FMT_AUTO;
    else
        return false;
    return true;
}

/* Outputs being written: each stream with its rp_output (which makes a
 * temporary file and renames it into place only on success). A named
 * temporary file is removed if SIGINT, SIGTERM or SIGHUP ends the program;
 * unnamed ones (Linux) vanish by themselves, even on SIGKILL. */
#define MAX_OPEN 16
static struct {
    FILE *f;
    rp_output *o;
    const char *volatile temp;
} open_outputs[MAX_OPEN];

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (open_outputs[i].temp != NULL) unlink(open_outputs[i].temp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    static bool installed;
    if (installed) return;
    installed = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

FILE *cli_open_output(const char *path)
{
    if (path == NULL) path = "-";
    int slot = 0;
    while (slot < MAX_OPEN && open_outputs[slot].f != NULL)
        slot++;
    if (slot == MAX_OPEN) {
        cli_error("%s: too many outputs open", path);
        return NULL;
    }
    install_handlers();
    rp_output *o;
    rp_error err;
    rp_status st = rp_output_open(path, &o, &err);
    if (st != RP_OK) {
        cli_report(&err, st);
        return NULL;
    }
    open_outputs[slot].o = o;
    open_outputs[slot].temp = rp_output_temp_path(o);
    open_outputs[slot].f = rp_output_file(o);
    return open_outputs[slot].f;
}

bool cli_close_output(FILE *f, const char *path, bool commit)
{
    (void)path; /* the rp_output knows it */
    for (int i = 0; i < MAX_OPEN; i++) {
        if (f == NULL || open_outputs[i].f != f) continue;
        rp_output *o = open_outputs[i].o;
        open_outputs[i].temp = NULL;
        open_outputs[i].f = NULL;
        open_outputs[i].o = NULL;
        rp_error err;
        rp_status st = rp_output_close(o, commit, &err);
        if (st != RP_OK) cli_report(&err, st);
        return commit && st == RP_OK;
    }
    return false;
}

bool cli_check_outputs(const char *const *outputs, size_t n_out, const char *db,
                       char *const *inputs, size_t n_in)
{
    /* An index is its file plus SQLite's write-ahead log and journal. */
    static const char *const db_files[] = {"", "-wal", "-shm", "-journal"};
    const size_t n_db = db != NULL ? sizeof db_files / sizeof *db_files : 0;
    const char **all = calloc(n_in + n_db + 1, sizeof *all);
    char *names = db != NULL ? malloc(n_db * (strlen(db) + 9)) : NULL;
    if (all == NULL || (db != NULL && names == NULL)) {
        free(all);
        free(names);
        cli_error("out of memory");
        return false;
    }
    for (size_t i = 0; i < n_db; i++) {
        char *name = names + i * (strlen(db) + 9);
        sprintf(name, "%s%s", db, db_files[i]);
        all[i] = name;
    }
    for (size_t i = 0; i < n_in; i++)
        all[n_db + i] = inputs[i];
    rp_error err;
    rp_status st = rp_output_check(outputs, n_out, all, n_db + n_in, &err);
    if (st != RP_OK) cli_report(&err, st);
    free(all);
    free(names);
    return st == RP_OK;
}

/* --include and --exclude globs (argv strings, borrowed), NULL-terminated;
 * a list starts again for options whose list is still NULL (just made by
 * rp_source_opts_init()). */
typedef struct glob_list {
    const char **v;
    size_t n, cap;
} glob_list;
static glob_list include_globs, exclude_globs;
static size_t n_skipped_files;

static void on_skip(void *user, const char *path, const char *reason)
{
    (void)user;
    n_skipped_files++;
    cli_error("warning: %s: skipped: %s", path, reason);
}

void cli_warn_duplicate_ids(uint64_t n)
{
    if (n > 0)
        cli_error("warning: %llu documents have an id that an earlier one has (--skip-bad kept "
                  "them; outputs cannot tell them apart)",
                  (unsigned long long)n);
}

size_t cli_files_skipped(void)
{
    return n_skipped_files;
}

/* Add arg to list (restarted when *field is NULL) and point *field at it;
 * false when out of memory (after a message). */
static bool add_glob(glob_list *list, const char *const **field, const char *arg)
{
    if (*field == NULL) list->n = 0;
    if (list->n + 2 > list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        const char **v = realloc(list->v, cap * sizeof *v);
        if (v == NULL) {
            cli_error("out of memory");
            return false;
        }
        list->v = v;
        list->cap = cap;
    }
    list->v[list->n++] = arg;
    list->v[list->n] = NULL;
    *field = list->v;
    return true;
}

bool cli_input_option(int ch, const char *arg, rp_source_opts *so)
{
    switch (ch) {
    case OPT_INPUT_TEXT_FIELD: so->text_field = arg; return true;
    case OPT_INPUT_ID_FIELD: so->id_field = arg; return true;
    case OPT_INPUT_SKIP_BAD:
        so->skip_bad = 1;
        so->on_skip = on_skip;
        return true;
    case OPT_INPUT_LOSSY: so->lossy = 1; return true;
    case OPT_INPUT_HIDDEN: so->hidden = 1; return true;
    case OPT_INPUT_INCLUDE: return add_glob(&include_globs, &so->include, arg);
    case OPT_INPUT_EXCLUDE: return add_glob(&exclude_globs, &so->exclude, arg);
    default: return false;
    }
}
