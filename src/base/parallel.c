/* parallel.c - fork-join over worker threads, shared by dedup and scan. */
#include "base/base.h"

#include <pthread.h>

typedef struct par_arg {
    rp__task_fn fn;
    void *ctx;
    size_t t;
} par_arg;

static void *par_main(void *p)
{
    par_arg *a = p;
    a->fn(a->ctx, a->t);
    return NULL;
}

void rp__parallel(size_t n, rp__task_fn fn, void *ctx)
{
    if (n > RP__MAX_THREADS) n = RP__MAX_THREADS;
    if (n <= 1) {
        if (n == 1) fn(ctx, 0);
        return;
    }
    pthread_t tid[RP__MAX_THREADS];
    par_arg args[RP__MAX_THREADS];
    bool started[RP__MAX_THREADS];
    for (size_t t = 1; t < n; t++) {
        args[t] = (par_arg){fn, ctx, t};
        started[t] = pthread_create(&tid[t], NULL, par_main, &args[t]) == 0;
    }
    fn(ctx, 0);
    for (size_t t = 1; t < n; t++)
        if (started[t]) pthread_join(tid[t], NULL);
    for (size_t t = 1; t < n; t++)
        if (!started[t]) fn(ctx, t);
}
