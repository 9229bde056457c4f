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
        default: return false;
        }
        if (end[1] != '\0') return false;
    }
    if (v > (unsigned long long)SIZE_MAX / mul) return false;
    *out = (size_t)(v * mul);
    return true;
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

FILE *cli_open_output(const char *path)
{
    if (path == NULL || strcmp(path, "-") == 0) return stdout;
    FILE *f = fopen(path, "w");
    if (f == NULL) cli_error("%s: cannot open for writing: %s", path, strerror(errno));
    return f;
}

bool cli_close_output(FILE *f, const char *path)
{
    if (f == stdout) {
        if (fflush(f) != 0 || ferror(f)) {
            cli_error("error writing output: %s", strerror(errno));
            return false;
        }
        return true;
    }
    bool ok = !ferror(f);
    if (fclose(f) != 0) ok = false;
    if (!ok) cli_error("%s: write error: %s", path, strerror(errno));
    return ok;
}

/* Output files being written: removed if SIGINT, SIGTERM or SIGHUP ends
 * the program, so an interrupted run leaves no file that looks complete. */
#define MAX_PARTIAL 8
static const char *volatile partial[MAX_PARTIAL];

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < MAX_PARTIAL; i++)
        if (partial[i] != NULL) unlink(partial[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_partial_output(const char *path, bool writing)
{
    static bool installed;
    if (path == NULL || strcmp(path, "-") == 0) return;
    if (!installed) {
        installed = true;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
    }
    for (int i = 0; i < MAX_PARTIAL; i++) {
        if (writing && partial[i] == NULL) {
            partial[i] = path;
            return;
        }
        if (!writing && partial[i] == path) {
            partial[i] = NULL;
            return;
        }
    }
}

bool cli_input_option(int ch, const char *arg, rp_source_opts *so)
{
    switch (ch) {
    case OPT_INPUT_TEXT_FIELD: so->text_field = arg; return true;
    case OPT_INPUT_ID_FIELD: so->id_field = arg; return true;
    case OPT_INPUT_SKIP_BAD: so->skip_bad = 1; return true;
    case OPT_INPUT_LOSSY: so->lossy = 1; return true;
    default: return false;
    }
}
