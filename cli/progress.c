/* progress.c - a progress bar on standard error for long work.
 *
 * Drawn only when stderr is a terminal and -q was not given, and only once
 * the work has run for half a second, so quick runs and pipes stay silent.
 * Redraws are throttled to ten a second; the line is cleared at the end. */
#include "cli.h"

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
