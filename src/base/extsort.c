/* extsort.c - external sort of fixed-size records within a memory budget.
 *
 * Records are 1..4 uint64_t words, ordered by their words (the first word
 * first). They gather in a buffer; a full buffer is sorted with an LSD radix
 * sort (16-bit digits, skipping digits every record shares) and, when more
 * records follow, written as a sorted run to one temporary file. Reading
 * merges the runs with a binary heap, each run read through its own buffer.
 * The temporary file is unlinked as soon as it is created, so the system
 * frees it when the process ends however it ends.
 *
 * Memory: the record buffer and its radix scratch copy take the budget, so
 * a run holds mem_limit / (2 * record size) records; merging uses the same
 * budget for its read buffers. */
#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_MEM ((size_t)64 << 10)

typedef struct run {
    uint64_t off;  /* first record's byte offset in the file */
    uint64_t n;    /* records */
    uint64_t next; /* records read so far */
    uint64_t *buf; /* read buffer */
    size_t have;   /* records in buf */
    size_t pos;    /* next record in buf */
} run;

struct rp__sorter {
    size_t words, rec; /* words per record, bytes per record */
    bool unique;
    char *tmpdir;
    uint64_t *buf, *scratch;
    size_t *hist;      /* radix histogram, 2^16 entries */
    size_t n, buf_cap; /* records in buf, its allocated capacity */
    size_t cap;        /* records a run may hold (the budget) */
    uint64_t count;
    int fd; /* temporary file, -1 until the first spill */
    uint64_t file_bytes;
    run *runs;
    size_t n_runs, runs_cap;
    size_t mem; /* budget in bytes */
    /* reading */
    bool reading;
    size_t rd;    /* in-memory reading position */
    size_t *heap; /* run indexes, a min-heap on their heads */
    size_t heap_n;
    uint64_t last[4]; /* last record returned (unique) */
    bool have_last;
    uint64_t cur[4];
};

static int rec_cmp(const uint64_t *a, const uint64_t *b, size_t words)
{
    for (size_t i = 0; i < words; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

rp_status rp__sorter_new(size_t words, size_t mem_limit, const char *tmpdir, bool unique,
                         rp__sorter **out, rp_error *err)
{
    if (out == NULL || words < 1 || words > 4)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "sorter: records of 1..4 words");
    *out = NULL;
    rp__sorter *s = rp__calloc(1, sizeof *s);
    if (s == NULL) return rp__nomem(err, "");
    s->words = words;
    s->rec = words * sizeof(uint64_t);
    s->unique = unique;
    s->fd = -1;
    s->mem = mem_limit < MIN_MEM ? MIN_MEM : mem_limit;
    s->cap = s->mem / (2 * s->rec);
    if (tmpdir == NULL || *tmpdir == '\0') tmpdir = getenv("TMPDIR");
    if (tmpdir == NULL || *tmpdir == '\0') tmpdir = "/tmp";
    s->tmpdir = rp__strdup(tmpdir);
    s->hist = rp__malloc(((size_t)1 << 16) * sizeof *s->hist);
    if (s->tmpdir == NULL || s->hist == NULL) {
        rp__sorter_free(s);
        return rp__nomem(err, "");
    }
    *out = s;
    return RP_OK;
}

/* Sort buf[0..n) (records of `words` words) with LSD radix passes of
 * `bits`-bit digits, from the last word's low digit to the first word's
 * high digit; a digit all records share is skipped. count: 2^bits entries of
 * scratch; tmp: room for n records. */
static void radix_sort(uint64_t *buf, uint64_t *tmp, size_t n, size_t words, unsigned bits,
                       size_t *count)
{
    const size_t K = (size_t)1 << bits, mask = K - 1;
    uint64_t *src = buf, *dst = tmp;
    for (size_t w = words; w-- > 0;) {
        for (unsigned shift = 0; shift < 64; shift += bits) {
            memset(count, 0, K * sizeof *count);
            for (size_t i = 0; i < n; i++)
                count[(src[i * words + w] >> shift) & mask]++;
            if (n == 0 || count[(src[w] >> shift) & mask] == n) continue;
            size_t sum = 0;
            for (size_t d = 0; d < K; d++) {
                size_t c = count[d];
                count[d] = sum;
                sum += c;
            }
            if (words == 1) { /* the common cases without a copy call per record */
                for (size_t i = 0; i < n; i++)
                    dst[count[(src[i] >> shift) & mask]++] = src[i];
            } else if (words == 2) {
                for (size_t i = 0; i < n; i++) {
                    uint64_t *o = dst + 2 * count[(src[2 * i + w] >> shift) & mask]++;
                    o[0] = src[2 * i];
                    o[1] = src[2 * i + 1];
                }
            } else {
                for (size_t i = 0; i < n; i++) {
                    size_t d = (src[i * words + w] >> shift) & mask;
                    memcpy(dst + count[d]++ * words, src + i * words, words * 8);
                }
            }
            uint64_t *t = src;
            src = dst;
            dst = t;
        }
    }
    if (src != buf) memcpy(buf, src, n * words * 8);
}

/* Drop repeated records of a sorted buffer. */
static size_t dedup(uint64_t *buf, size_t n, size_t words)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && rec_cmp(buf + (m - 1) * words, buf + i * words, words) == 0) continue;
        if (m != i) memcpy(buf + m * words, buf + i * words, words * 8);
        m++;
    }
    return m;
}

static rp_status sort_buffer(rp__sorter *s)
{
    if (s->scratch == NULL && s->n > 1) {
        s->scratch = rp__malloc(s->n * s->rec);
        if (s->scratch == NULL) return RP_ERR_NOMEM;
    }
    /* 16-bit digits clear and sum 65,536 counters a pass: below about
     * 128K records, twice as many passes with 8-bit digits cost less (a
     * small corpus sorts 21 bands of a few thousand records). */
    if (s->n > 1)
        radix_sort(s->buf, s->scratch, s->n, s->words, s->n < (1 << 17) ? 8 : 16, s->hist);
    if (s->unique) s->n = dedup(s->buf, s->n, s->words);
    return RP_OK;
}

/* Sort the buffer and append it to the temporary file as a run. */
static rp_status spill(rp__sorter *s, rp_error *err)
{
    if (sort_buffer(s) != RP_OK) return rp__nomem(err, "");
    rp__free(s->scratch);
    s->scratch = NULL;
    if (s->fd < 0) RP_TRY(rp__tmp_open(s->tmpdir, &s->fd, err));
    if (!rp__grow((void **)&s->runs, &s->runs_cap, s->n_runs + 1, sizeof *s->runs))
        return rp__nomem(err, "");
    uint64_t off = s->file_bytes + s->n * s->rec;
    RP_TRY(rp__tmp_write(s->fd, s->buf, s->n * s->rec, s->file_bytes, s->tmpdir, err));
    run *r = &s->runs[s->n_runs++];
    memset(r, 0, sizeof *r);
    r->off = s->file_bytes;
    r->n = s->n;
    s->file_bytes = off;
    s->n = 0;
    return RP_OK;
}

rp_status rp__sorter_add(rp__sorter *s, const uint64_t *rec, rp_error *err)
{
    if (s->reading) return rp__fail(err, RP_ERR_PARAM, "", 0, "sorter: add after reading");
    if (s->n == s->cap) RP_TRY(spill(s, err));
    if (s->n == s->buf_cap) {
        /* Grow geometrically up to the budget, so small sorts stay small. */
        size_t want = s->buf_cap < 4096 ? 4096 : s->buf_cap * 2;
        if (want > s->cap) want = s->cap;
        uint64_t *nb = rp__realloc(s->buf, want * s->rec);
        if (nb == NULL) return rp__nomem(err, "");
        s->buf = nb;
        s->buf_cap = want;
    }
    memcpy(s->buf + s->n * s->words, rec, s->rec);
    s->n++;
    s->count++;
    return RP_OK;
}

/* Refill run r's buffer; false at its end. */
static rp_status refill(rp__sorter *s, run *r, size_t per, rp_error *err)
{
    uint64_t left = r->n - r->next;
    size_t want = left < per ? (size_t)left : per;
    RP_TRY(rp__tmp_read(s->fd, r->buf, want * s->rec, r->off + r->next * s->rec, s->tmpdir, err));
    r->next += want;
    r->have = want;
    r->pos = 0;
    return RP_OK;
}

static const uint64_t *head(const rp__sorter *s, size_t i)
{
    const run *r = &s->runs[i];
    return r->buf + r->pos * s->words;
}

static void sift_down(rp__sorter *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < s->heap_n && rec_cmp(head(s, s->heap[l]), head(s, s->heap[m]), s->words) < 0) m = l;
        if (l + 1 < s->heap_n &&
            rec_cmp(head(s, s->heap[l + 1]), head(s, s->heap[m]), s->words) < 0)
            m = l + 1;
        if (m == i) return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

static rp_status start_reading(rp__sorter *s, rp_error *err)
{
    s->reading = true;
    if (s->n_runs == 0) {
        if (sort_buffer(s) != RP_OK) return rp__nomem(err, "");
        rp__free(s->scratch);
        s->scratch = NULL;
        return RP_OK;
    }
    if (s->n > 0) RP_TRY(spill(s, err));
    rp__free(s->buf);
    rp__free(s->scratch);
    s->buf = s->scratch = NULL;
    s->buf_cap = 0;
    size_t per = s->mem / s->rec / s->n_runs;
    if (per < 512) per = 512;
    s->heap = rp__malloc(s->n_runs * sizeof *s->heap);
    if (s->heap == NULL) return rp__nomem(err, "");
    for (size_t i = 0; i < s->n_runs; i++) {
        run *r = &s->runs[i];
        r->buf = rp__malloc(per * s->rec);
        if (r->buf == NULL) return rp__nomem(err, "");
        if (r->n == 0) continue;
        RP_TRY(refill(s, r, per, err));
        s->heap[s->heap_n++] = i;
    }
    for (size_t i = s->heap_n / 2; i-- > 0;)
        sift_down(s, i);
    return RP_OK;
}

rp_status rp__sorter_next(rp__sorter *s, const uint64_t **rec, rp_error *err)
{
    *rec = NULL;
    if (!s->reading) RP_TRY(start_reading(s, err));
    if (s->n_runs == 0) {
        if (s->rd >= s->n) return RP_OK;
        *rec = s->buf + s->rd++ * s->words;
        return RP_OK;
    }
    size_t per = s->mem / s->rec / s->n_runs;
    if (per < 512) per = 512;
    while (s->heap_n > 0) {
        size_t i = s->heap[0];
        run *r = &s->runs[i];
        memcpy(s->cur, head(s, i), s->rec);
        if (++r->pos == r->have) {
            if (r->next < r->n) {
                RP_TRY(refill(s, r, per, err));
            } else {
                s->heap[0] = s->heap[--s->heap_n];
            }
        }
        if (s->heap_n > 0) sift_down(s, 0);
        if (s->unique && s->have_last && rec_cmp(s->last, s->cur, s->words) == 0) continue;
        memcpy(s->last, s->cur, s->rec);
        s->have_last = true;
        *rec = s->cur;
        return RP_OK;
    }
    return RP_OK;
}

uint64_t rp__sorter_count(const rp__sorter *s)
{
    return s ? s->count : 0;
}

int rp__sorter_fd(const rp__sorter *s)
{
    return s ? s->fd : -1;
}

size_t rp__sorter_runs(const rp__sorter *s)
{
    return s ? s->n_runs : 0;
}

void rp__sorter_free(rp__sorter *s)
{
    if (s == NULL) return;
    if (s->fd >= 0) close(s->fd);
    for (size_t i = 0; i < s->n_runs; i++)
        rp__free(s->runs[i].buf);
    rp__free(s->runs);
    rp__free(s->heap);
    rp__free(s->buf);
    rp__free(s->scratch);
    rp__free(s->hist);
    rp__free(s->tmpdir);
    rp__free(s);
}

void rp__sort_u64(uint64_t *v, size_t n, uint64_t *tmp)
{
    size_t count[256]; /* small sets: 8-bit digits, histogram on the stack */
    radix_sort(v, tmp, n, 1, 8, count);
}

size_t rp__sort_unique_u64(uint64_t *v, size_t n, uint64_t **tmp, size_t *tmp_cap)
{
    if (n > 1) {
        if (!rp__grow((void **)tmp, tmp_cap, n, sizeof **tmp)) return SIZE_MAX;
        rp__sort_u64(v, n, *tmp);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[m - 1] != v[i]) v[m++] = v[i];
    return m;
}
