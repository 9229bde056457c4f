/* base.h - the bottom layer of libreprint: what every other layer uses.
 *
 * Allocation (alloc.c, with fault injection in test builds), errors
 * (error.c), hashing (hash.c), UTF-8 validation (utf8_check.c), the hash map
 * (hmap.c), union-find, the external sorter (extsort.c), temporary files
 * (tmpfile.c) and the fork-join of worker threads (parallel.c). Everything
 * here carries the rp__ prefix and is never installed; it depends only on
 * the public header and the C library. */
#ifndef REPRINT_BASE_H
#define REPRINT_BASE_H

#include "reprint.h"

#include <stdarg.h>
#include <stdbool.h>

/* ---- allocation (alloc.c) ------------------------------------------------
 * Every allocation in src/ goes through these, so test builds can fail the
 * Nth allocation and check that each path cleans up. */
void *rp__malloc(size_t size);
void *rp__calloc(size_t n, size_t size);
void *rp__realloc(void *p, size_t size);
void rp__free(void *p);
/* Grow *p (an array of elem-sized items with capacity *cap) to hold at least
 * need items. Returns false on overflow or out of memory (*p unchanged). */
bool rp__grow(void **p, size_t *cap, size_t need, size_t elem);
/* A copy of p[0..n) followed by a NUL (n may be 0), and of a C string; NULL
 * when out of memory. */
char *rp__memdup0(const void *p, size_t n);
char *rp__strdup(const char *s);
/* Test builds only: make allocation number n (1-based, counted from this
 * call) and every later one fail; 0 disables. Returns the number of
 * allocations made since the previous call. */
size_t rp__alloc_fail_after(size_t n);
/* The allocator in the shape of ZSTD_customMem, so compression contexts
 * take their memory from here too (and fail under injection). */
void *rp__zstd_alloc(void *opaque, size_t size);
void rp__zstd_free(void *opaque, void *p);

/* ---- errors (error.c) ---------------------------------------------------- */
/* Fill err (if not NULL) and return code. fmt is printf-style for err->msg. */
rp_status rp__fail(rp_error *err, rp_status code, const char *path, uint64_t offset,
                   const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Fill err for an allocation failure (path: what was being read, or "")
 * and return RP_ERR_NOMEM. */
rp_status rp__nomem(rp_error *err, const char *path);
#define RP_TRY(expr)                                                                               \
    do {                                                                                           \
        rp_status rp__st = (expr);                                                                 \
        if (rp__st != RP_OK) return rp__st;                                                        \
    } while (0)

/* ---- hashing (hash.c) ---------------------------------------------------- */
uint64_t rp__hash_bytes(const void *p, size_t len, uint64_t seed);
/* Mix two 64-bit values into one (order-sensitive): h*phi + v through the
 * splitmix64 finalizer. Used for n-gram keys and probe sequences; pinned by
 * tests/test_hash.c. */
static inline uint64_t rp__hash_combine(uint64_t h, uint64_t v)
{
    uint64_t x = h * 0x9E3779B97F4A7C15ULL + v;
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

static inline uint64_t rp__rotl64(uint64_t x, unsigned r)
{
    r &= 63;
    return r ? (x << r) | (x >> (64 - r)) : x;
}

/* ---- UTF-8 validation (utf8_check.c) ------------------------------------ */
/* Decode one code point at s[0..len). Returns its byte length (1..4) and sets
 * *cp, or returns -1 and sets *cp to -1 for an invalid sequence (then one
 * byte should be skipped). Strict (RFC 3629): no overlongs, no surrogates,
 * nothing above U+10FFFF. */
static inline int rp__utf8_decode(const uint8_t *s, size_t len, int32_t *cp)
{
    *cp = -1;
    if (len == 0) return -1;
    uint8_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    int32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (len < (size_t)n) return -1;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return -1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return -1;
    *cp = v;
    return n;
}
/* Offset of the first invalid byte or NUL in text, or len if there is none.
 * *is_nul tells which. */
size_t rp__utf8_check(const uint8_t *s, size_t len, bool *is_nul);
/* The encoding a UTF-16 or UTF-32 byte order mark at the start of s names
 * ("UTF-16LE", ...), or NULL when s does not start with one. */
const char *rp__utf16_bom(const uint8_t *s, size_t len);
/* Fail with RP_ERR_FORMAT for text in that encoding (path and message). */
rp_status rp__bom_error(rp_error *err, const char *path, const char *encoding);
/* Write code point cp (at most U+10FFFF, not a surrogate) as UTF-8 at o (room
 * for 4 bytes); returns its length. */
size_t rp__utf8_encode(uint32_t cp, char *o);

/* ---- hash map (hmap.c) --------------------------------------------------- */
typedef struct rp__hmap_slot {
    uint64_t key;
    uint32_t value;
    uint32_t used;
} rp__hmap_slot;
typedef struct rp__hmap {
    rp__hmap_slot *slots;
    size_t mask, n;
} rp__hmap;
bool rp__hmap_init(rp__hmap *m, size_t expected);
void rp__hmap_free(rp__hmap *m);
/* Insert key with value if absent. Returns a pointer to the stored value
 * (valid until the next put), *inserted telling whether it is new; NULL on
 * out of memory. */
uint32_t *rp__hmap_put(rp__hmap *m, uint64_t key, uint32_t value, bool *inserted);
const uint32_t *rp__hmap_get(const rp__hmap *m, uint64_t key);

/* ---- union-find ------------------------------------------------------------ */
/* Disjoint sets over 0..n-1 in parent[] (parent[x] == x for a root), with
 * path halving. A union makes the smaller root the root, so the roots do
 * not depend on the order of unions. Used for passages (align.c), reuse
 * families (scan_report.c) and near-duplicate clusters (dedup.c). */
static inline uint32_t rp__uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}
static inline void rp__uf_union(uint32_t *parent, uint32_t x, uint32_t y)
{
    x = rp__uf_find(parent, x);
    y = rp__uf_find(parent, y);
    if (x != y) parent[x > y ? x : y] = x < y ? x : y;
}

/* ---- external sort (extsort.c) ---------------------------------------------- */
/* Sorts fixed-size records of `words` uint64_t values (1..4), ascending in
 * the order of their words (first word first), within a memory budget:
 * records gather in memory; when they would pass mem_limit bytes they are
 * sorted and written as a run to an unnamed temporary file in tmpdir
 * (created and unlinked at once, so nothing is left behind whatever the
 * exit: success, error, Ctrl-C or SIGKILL), and the runs are merged when
 * read. With unique, equal records come out once. The order is total, so the
 * output is the same for any mem_limit. One thread at a time. */
typedef struct rp__sorter rp__sorter;
/* tmpdir NULL: $TMPDIR or /tmp. mem_limit: bytes of records held in
 * memory (at least 64 KiB is used). */
rp_status rp__sorter_new(size_t words, size_t mem_limit, const char *tmpdir, bool unique,
                         rp__sorter **out, rp_error *err);
/* Add one record (copied). Only before the first rp__sorter_next(). */
rp_status rp__sorter_add(rp__sorter *s, const uint64_t *rec, rp_error *err);
/* The next record in order (borrowed until the next call), or NULL at the
 * end. RP_ERR_IO naming the temporary directory on a write or read error. */
rp_status rp__sorter_next(rp__sorter *s, const uint64_t **rec, rp_error *err);
/* Records added so far, and runs spilled to disk so far (0 for NULL, like
 * rp__sorter_free, so a sorter that could not be made counts nothing). */
uint64_t rp__sorter_count(const rp__sorter *s);
size_t rp__sorter_runs(const rp__sorter *s);
/* The temporary file holding the runs, -1 before the first spill: for the
 * fuzz target that damages run files (fuzz/fuzz_extsort.c). */
int rp__sorter_fd(const rp__sorter *s);
void rp__sorter_free(rp__sorter *s);
/* Temporary files in dir: created and unlinked at once (nothing is left
 * behind however the process ends); read and written whole at offsets.
 * RP_ERR_IO naming dir (err->sys_errno set). */
rp_status rp__tmp_open(const char *dir, int *fd, rp_error *err);
rp_status rp__tmp_write(int fd, const void *p, size_t n, uint64_t off, const char *dir,
                        rp_error *err);
rp_status rp__tmp_read(int fd, void *p, size_t n, uint64_t off, const char *dir, rp_error *err);
/* Fill err with "<what> a temporary file in <dir>: <errno text>". */
rp_status rp__tmp_error(const char *dir, rp_error *err, const char *what);
/* Sort v[0..n) ascending in memory; tmp: scratch of n values. */
void rp__sort_u64(uint64_t *v, size_t n, uint64_t *tmp);
/* Sort v[0..n) and drop repeats; returns the distinct count, or SIZE_MAX
 * on out of memory. *tmp, *tmp_cap: scratch, grown as needed. */
size_t rp__sort_unique_u64(uint64_t *v, size_t n, uint64_t **tmp, size_t *tmp_cap);

/* ---- threads (parallel.c) ------------------------------------------------- */
#define RP__MAX_THREADS 256
typedef void (*rp__task_fn)(void *ctx, size_t t);
/* Run fn(ctx, t) for every t in [0, n), on n threads at once (t = 0 on the
 * calling thread), and return when all are done. A thread that cannot be
 * started has its share run on the calling thread afterwards, so callers
 * must not make thread t wait for thread u. n is capped at RP__MAX_THREADS. */
void rp__parallel(size_t n, rp__task_fn fn, void *ctx);

/* ---- ranks (comm.c) and record exchange (exchange.c) ------------------------
 * The transport the stages of dedup exchange records over when a run is
 * spread over ranks (rp_dedup_opts.comm). An implementation fills the ops
 * (src/mpi/mpi_comm.c: Open MPI, built only into libreprint_mpi.a); the
 * engines see only this interface, so the library needs no MPI. Every op
 * is collective over the group except send and recv; failures inside the
 * transport are fatal to the job (MPI's default error handler). */
enum { RP__REDUCE_SUM = 0, RP__REDUCE_MAX = 1 };
typedef struct rp__comm_ops {
    /* Rank p receives scount[q] from each q (all-to-all of one word each). */
    void (*alltoall_counts)(void *impl, const uint64_t *scount, uint64_t *rcount);
    /* send holds scount[p] bytes for each rank p in rank order; recv gets
     * rcount[q] bytes from each q in rank order. Each count < 2^30. */
    void (*alltoallv)(void *impl, const void *send, const uint64_t *scount, void *recv,
                      const uint64_t *rcount);
    void (*allreduce)(void *impl, uint64_t *v, size_t n, int op);
    void (*allreduce_dbl_max)(void *impl, double *v, size_t n);
    /* all[q * n + i] = rank q's mine[i]. */
    void (*allgather)(void *impl, const uint64_t *mine, size_t n, uint64_t *all);
    void (*bcast)(void *impl, void *buf, size_t len, int root);
    void (*send)(void *impl, int dest, const void *buf, size_t len);
    void (*recv)(void *impl, int src, void *buf, size_t len);
    void (*barrier)(void *impl);
    void (*abort)(void *impl, int status);
    void (*finalize)(void *impl);
} rp__comm_ops;
struct rp_comm {
    int rank, size;
    char host[256];
    const rp__comm_ops *ops;
    void *impl;
    uint64_t bytes_sent; /* to other ranks */
};
/* The ops with the bytes sent counted (comm.c). */
void rp__comm_alltoallv(rp_comm *c, const void *send, const uint64_t *scount, void *recv,
                        const uint64_t *rcount);
void rp__comm_allreduce(rp_comm *c, uint64_t *v, size_t n, int op);
void rp__comm_allgather(rp_comm *c, const uint64_t *mine, size_t n, uint64_t *all);
void rp__comm_bcast(rp_comm *c, void *buf, size_t len, int root);
void rp__comm_send(rp_comm *c, int dest, const void *buf, size_t len);
void rp__comm_recv(rp_comm *c, int src, void *buf, size_t len);
void rp__comm_dbl_max(rp_comm *c, double *v, size_t n);

/* An outbox gathers records for other ranks (fixed rec_size bytes, or
 * any length when rec_size is 0) within mem bytes, spilling past that to
 * a temporary file, and rp__outbox_exchange() delivers them: in rounds of
 * at most a few MiB per pair of ranks, each round's records by source
 * rank, each source's in the order it put them. One thread at a time. */
typedef struct rp__outbox rp__outbox;
rp_status rp__outbox_new(rp_comm *c, size_t rec_size, size_t mem, const char *tmpdir,
                         rp__outbox **out, rp_error *err);
rp_status rp__outbox_put(rp__outbox *o, int dest, const void *rec, size_t len, rp_error *err);
typedef rp_status (*rp__deliver_fn)(void *ctx, int src, const void *rec, size_t len,
                                    rp_error *err);
/* Collective: every rank's records to their destinations, fn called for
 * each received one (a record to oneself included). The outbox is empty
 * afterwards and may be filled again. */
rp_status rp__outbox_exchange(rp__outbox *o, rp__deliver_fn fn, void *ctx, rp_error *err);
void rp__outbox_free(rp__outbox *o);

#endif /* REPRINT_BASE_H */
