/* progress.c - a progress bar on standard error for long work.
 *
 * Drawn only when stderr is a terminal and -q was not given, and only once
 * the work has run for half a second, so quick runs and pipes stay silent.
 * Redraws are throttled to ten a second; the line is cleared at the end. */
#include "cli.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 30

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(cli_progress *p, bool quiet, const char *label)
{
    p->on = !quiet && isatty(STDERR_FILENO);
    p->label = label;
    p->start = now();
    p->last_draw = 0;
    p->drawn = false;
    p->done = 0;
    p->total = 0;
}

static void draw(cli_progress *p, double t)
{
    int filled = (int)(p->done * BAR_WIDTH + 0.5);
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r%s: %s [%s] %3d%% %6.1f s\033[K", cli_prog, p->label, bar,
            (int)(p->done * 100 + 0.5), t - p->start);
    fflush(stderr);
    p->last_draw = t;
    p->drawn = true;
}

void cli_progress_label(cli_progress *p, const char *label)
{
    p->label = label;
    p->done = 0;
    if (!p->on) return;
    double t = now();
    if (t - p->start >= 0.5) draw(p, t);
}

void cli_progress_update(void *user, double done)
{
    cli_progress *p = user;
    p->done = done < 0 ? 0 : done > 1 ? 1 : done;
    if (!p->on) return;
    double t = now();
    if (t - p->start >= 0.5 && t - p->last_draw >= 0.1) draw(p, t);
}

void cli_progress_end(cli_progress *p)
{
    if (p->on && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = false;
}

uint64_t cli_input_bytes(char *const *paths, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode))
            return 0; /* standard input or a directory: size unknown */
        total += (uint64_t)st.st_size;
    }
    return total;
}

void cli_progress_corpus(cli_progress *p, const char *label, uint64_t docs, uint64_t bytes)
{
    if (!p->on) return;
    double t = now();
    if (t - p->start < 0.5 || t - p->last_draw < 0.1) return;
    double secs = t - p->start, rate = secs > 0 ? (double)bytes / secs / 1e6 : 0;
    if (p->total > 0 && bytes > 0) {
        double done = (double)bytes / (double)p->total;
        if (done > 1) done = 1;
        double eta = secs / done - secs;
        int filled = (int)(done * BAR_WIDTH + 0.5);
        char bar[BAR_WIDTH + 1];
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        fprintf(stderr, "\r%s: %s [%s] %llu docs %.0f MB/s ETA %.0f s\033[K", cli_prog, label, bar,
                (unsigned long long)docs, rate, eta);
    } else {
        fprintf(stderr, "\r%s: %s %llu docs %.0f MB/s %.1f s\033[K", cli_prog, label,
                (unsigned long long)docs, rate, secs);
    }
    fflush(stderr);
    p->last_draw = t;
    p->drawn = true;
}
