/* alloc.c - the one allocator of libreprint.
 *
 * All heap memory in src/ comes from here. Builds with -DRP_FAULT_INJECTION
 * (the unit tests) can make the Nth allocation fail, so tests can check that
 * every error path frees what it took and reports RP_ERR_NOMEM. */
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

#ifdef RP_FAULT_INJECTION
#include <stdatomic.h>
/* Atomic: the library allocates from worker threads too (dedup, scan). */
static atomic_size_t fail_at;  /* 0: never fail */
static atomic_size_t n_allocs; /* allocations since the last rp__alloc_fail_after() */

static bool should_fail(void)
{
    size_t n = atomic_fetch_add(&n_allocs, 1) + 1;
    size_t at = atomic_load(&fail_at);
    return at != 0 && n >= at;
}
#else
static bool should_fail(void)
{
    return false;
}
#endif

size_t rp__alloc_fail_after(size_t n)
{
#ifdef RP_FAULT_INJECTION
    size_t made = atomic_exchange(&n_allocs, 0);
    atomic_store(&fail_at, n);
    return made;
#else
    (void)n;
    return 0;
#endif
}

void *rp__malloc(size_t size)
{
    if (should_fail()) return NULL;
    return malloc(size ? size : 1);
}

void *rp__calloc(size_t n, size_t size)
{
    if (should_fail()) return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *rp__realloc(void *p, size_t size)
{
    if (should_fail()) return NULL;
    return realloc(p, size ? size : 1);
}

void rp__free(void *p)
{
    free(p);
}

bool rp__grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return false;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem) return false;
    void *np = rp__realloc(*p, ncap * elem);
    if (np == NULL) return false;
    *p = np;
    *cap = ncap;
    return true;
}

void *rp__zstd_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return rp__malloc(size);
}

void rp__zstd_free(void *opaque, void *p)
{
    (void)opaque;
    rp__free(p);
}

char *rp__memdup0(const void *p, size_t n)
{
    char *d = rp__malloc(n + 1);
    if (d == NULL) return NULL;
    if (n > 0) memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

char *rp__strdup(const char *s)
{
    return rp__memdup0(s, strlen(s));
}

void rp_free(void *p)
{
    rp__free(p);
}
