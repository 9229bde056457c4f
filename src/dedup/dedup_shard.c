/* dedup_shard.c - which part of the input each rank reads (dedup on ranks).
 *
 * Rank 0 lists the files of the input in rp_source order (directories
 * walked as one process walks them) with their sizes, and cuts the
 * concatenation into one range of bytes per rank of equal size. A file
 * goes whole to the rank holding its middle byte, unless a cut falls
 * inside it and it can be split: an uncompressed file named .jsonl or
 * .json is cut at the first line start at or after each cut, each piece
 * going to the rank of that range. Compressed and plain-text files go
 * whole. Ranks get contiguous runs of the input in rank order, so the
 * global document numbers are rank 0's documents, then rank 1's, and so
 * on: the one-process order.
 *
 * The plan is broadcast; then each rank counts the newlines of its pieces
 * of split files and a sum over ranks gives every piece the number of
 * lines before it, so ids made of "path:line" and error messages are those
 * of one process. */
#include "dedup/dedup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCAN_BLOCK ((size_t)1 << 20)

typedef struct piece {
    char *path;
    uint64_t rank, start, end; /* end UINT64_MAX: the whole file */
    uint64_t bytes;            /* its size (as stored) */
    uint64_t lines_before;
} piece;

typedef struct rp__dedup_shard {
    piece *p; /* every rank's pieces, in input order */
    size_t n, cap;
} rp__dedup_shard;

void rp__dedup_shard_free(rp__dedup_shard *sh)
{
    if (sh == NULL) return;
    for (size_t i = 0; i < sh->n; i++)
        rp__free(sh->p[i].path);
    rp__free(sh->p);
    rp__free(sh);
}

static rp_status io_fail(rp_error *err, const char *path, const char *what)
{
    int e = errno;
    rp__fail(err, RP_ERR_IO, path, 0, "%s: %s", what, strerror(e));
    if (err != NULL) err->sys_errno = e;
    return RP_ERR_IO;
}

static rp_status add_piece(rp__dedup_shard *sh, const char *path, uint64_t rank, uint64_t start,
                           uint64_t end, uint64_t bytes, rp_error *err)
{
    if (!rp__grow((void **)&sh->p, &sh->cap, sh->n + 1, sizeof *sh->p)) return rp__nomem(err, "");
    piece *p = &sh->p[sh->n];
    memset(p, 0, sizeof *p);
    if ((p->path = rp__strdup(path)) == NULL) return rp__nomem(err, path);
    p->rank = rank;
    p->start = start;
    p->end = end;
    p->bytes = bytes;
    sh->n++;
    return RP_OK;
}

/* Whether a file may be cut at line starts: named .jsonl or .json and not
 * gzip or zstd inside. */
static bool splittable(const char *path)
{
    size_t n = strlen(path);
    const char *dot = n >= 6 ? path + n - 6 : path;
    if (!(n >= 6 && strcmp(dot, ".jsonl") == 0) && !(n >= 5 && strcmp(path + n - 5, ".json") == 0))
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false; /* the rank that reads it reports the error */
    unsigned char m[4] = {0};
    ssize_t got = pread(fd, m, 4, 0);
    close(fd);
    if (got >= 2 && m[0] == 0x1F && m[1] == 0x8B) return false;
    if (got >= 4 && m[0] == 0x28 && m[1] == 0xB5 && m[2] == 0x2F && m[3] == 0xFD) return false;
    return true;
}

/* The first line start at or after offset at (> 0) of fd: one past the
 * first '\n' at or after at - 1, or size. */
static rp_status line_start(int fd, const char *path, uint64_t at, uint64_t size, char *buf,
                            uint64_t *out, rp_error *err)
{
    uint64_t pos = at - 1;
    while (pos < size) {
        ssize_t got = pread(fd, buf, SCAN_BLOCK, (off_t)pos);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return io_fail(err, path, "cannot read");
        if (got == 0) break;
        const char *nl = memchr(buf, '\n', (size_t)got);
        if (nl != NULL) {
            *out = pos + (uint64_t)(nl - buf) + 1;
            return RP_OK;
        }
        pos += (uint64_t)got;
    }
    *out = size;
    return RP_OK;
}

/* Rank 0: the files in order and how they are cut. */
static rp_status plan(const rp_dedup *d, int size, rp__dedup_shard *sh, rp_error *err)
{
    rp_source *src = NULL;
    RP_TRY(rp_source_open((const char *const *)d->paths, d->n_paths, &d->o.source, &src, err));
    char **files = NULL;
    uint64_t *sizes = NULL;
    size_t n = 0, cap = 0, scap = 0;
    uint64_t total = 0;
    rp_status rc = RP_OK;
    for (;;) {
        char *path = NULL;
        if ((rc = rp__source_next_file(src, &path, err)) != RP_OK || path == NULL) break;
        struct stat st;
        if (!rp__grow((void **)&files, &cap, n + 1, sizeof *files) ||
            !rp__grow((void **)&sizes, &scap, n + 1, sizeof *sizes)) {
            rp__free(path);
            rc = rp__nomem(err, "");
            break;
        }
        files[n] = path;
        sizes[n] = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
        total += sizes[n++];
    }
    rp_source_free(src);
    /* Rank r's bytes are [r * per, (r + 1) * per) of the concatenation. */
    uint64_t per = total / (uint64_t)size + 1, at = 0;
    char *buf = NULL;
    for (size_t i = 0; i < n && rc == RP_OK; at += sizes[i], i++) {
        uint64_t first = at / per, last = (at + (sizes[i] ? sizes[i] - 1 : 0)) / per;
        if (first == last || !splittable(files[i])) {
            uint64_t mid = at + sizes[i] / 2;
            rc = add_piece(sh, files[i], mid / per, 0, UINT64_MAX, sizes[i], err);
            continue;
        }
        int fd = open(files[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) { /* unreadable: whole, to be reported by its reader */
            rc = add_piece(sh, files[i], (at + sizes[i] / 2) / per, 0, UINT64_MAX, sizes[i], err);
            continue;
        }
        if (buf == NULL && (buf = rp__malloc(SCAN_BLOCK)) == NULL) rc = rp__nomem(err, "");
        uint64_t start = 0;
        for (uint64_t r = first; r <= last && rc == RP_OK; r++) {
            uint64_t end = sizes[i];
            if (r < last) rc = line_start(fd, files[i], (r + 1) * per - at, sizes[i], buf, &end, err);
            if (rc == RP_OK && end > start)
                rc = add_piece(sh, files[i], r, start, end, end - start, err);
            if (end > start) start = end;
        }
        close(fd);
    }
    rp__free(buf);
    for (size_t i = 0; i < n; i++)
        rp__free(files[i]);
    rp__free(files);
    rp__free(sizes);
    return rc;
}

/* The plan as bytes: per piece rank, start, end, bytes, path length, path. */
static rp_status pack(const rp__dedup_shard *sh, char **out, uint64_t *len, rp_error *err)
{
    uint64_t n = 0;
    for (size_t i = 0; i < sh->n; i++)
        n += 40 + strlen(sh->p[i].path);
    char *b = rp__malloc(n ? (size_t)n : 1);
    if (b == NULL) return rp__nomem(err, "");
    char *w = b;
    for (size_t i = 0; i < sh->n; i++) {
        const piece *p = &sh->p[i];
        uint64_t v[5] = {p->rank, p->start, p->end, p->bytes, strlen(p->path)};
        memcpy(w, v, sizeof v);
        memcpy(w + 40, p->path, (size_t)v[4]);
        w += 40 + v[4];
    }
    *out = b;
    *len = n;
    return RP_OK;
}

static rp_status unpack(const char *b, uint64_t len, rp__dedup_shard *sh, rp_error *err)
{
    for (uint64_t at = 0; at < len;) {
        uint64_t v[5];
        memcpy(v, b + at, sizeof v);
        char *path = rp__memdup0(b + at + 40, (size_t)v[4]);
        if (path == NULL) return rp__nomem(err, "");
        rp_status rc = add_piece(sh, path, v[0], v[1], v[2], v[3], err);
        rp__free(path);
        RP_TRY(rc);
        at += 40 + v[4];
    }
    return RP_OK;
}

/* Newlines in bytes [start, end) of path. */
static rp_status count_lines(const char *path, uint64_t start, uint64_t end, char *buf,
                             uint64_t *out, rp_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_fail(err, path, "cannot open");
    uint64_t n = 0, pos = start;
    rp_status rc = RP_OK;
    while (pos < end) {
        size_t want = end - pos < SCAN_BLOCK ? (size_t)(end - pos) : SCAN_BLOCK;
        ssize_t got = pread(fd, buf, want, (off_t)pos);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            rc = got < 0 ? io_fail(err, path, "cannot read")
                         : rp__fail(err, RP_ERR_IO, path, 0, "cannot read: file shrank");
            break;
        }
        for (const char *p = buf, *e = buf + got; (p = memchr(p, '\n', (size_t)(e - p))) != NULL;
             p++)
            n++;
        pos += (uint64_t)got;
    }
    close(fd);
    *out = n;
    return rc;
}

rp_status rp__dedup_shard_plan(rp_dedup *d, rp_error *err)
{
    rp_comm *c = d->o.comm;
    rp__dedup_shard *sh = rp__calloc(1, sizeof *sh);
    if (sh == NULL) return rp__nomem(err, "");
    d->shard = sh;
    char *b = NULL;
    uint64_t len = 0;
    if (c->rank == 0) {
        RP_TRY(plan(d, c->size, sh, err));
        RP_TRY(pack(sh, &b, &len, err));
    }
    rp__comm_bcast(c, &len, sizeof len, 0);
    if (c->rank != 0 && (b = rp__malloc(len ? (size_t)len : 1)) == NULL) return rp__nomem(err, "");
    rp__comm_bcast(c, b, (size_t)len, 0);
    rp_status rc = c->rank == 0 ? RP_OK : unpack(b, len, sh, err);
    rp__free(b);
    RP_TRY(rc);
    /* Lines before each piece of a split file: every rank counts its own. */
    uint64_t *lines = rp__calloc(sh->n + 1, sizeof *lines);
    char *buf = rp__malloc(SCAN_BLOCK);
    if (lines == NULL || buf == NULL) rc = rp__nomem(err, "");
    for (size_t i = 0; i < sh->n && rc == RP_OK; i++) {
        const piece *p = &sh->p[i];
        if (p->end != UINT64_MAX && p->rank == (uint64_t)c->rank)
            rc = count_lines(p->path, p->start, p->end, buf, &lines[i], err);
    }
    rp__free(buf);
    if (rc == RP_OK) rp__comm_allreduce(c, lines, sh->n, RP__REDUCE_SUM);
    for (size_t i = 1; i < sh->n && rc == RP_OK; i++)
        if (sh->p[i].end != UINT64_MAX && sh->p[i].start > 0)
            sh->p[i].lines_before = sh->p[i - 1].lines_before + lines[i - 1];
    rp__free(lines);
    return rc;
}

void rp__dedup_shard_share(const rp__dedup_shard *sh, int rank, uint64_t *mine, uint64_t *total)
{
    *mine = *total = 0;
    for (size_t i = 0; sh != NULL && i < sh->n; i++) {
        *total += sh->p[i].bytes;
        if (sh->p[i].rank == (uint64_t)rank) *mine += sh->p[i].bytes;
    }
}

rp_status rp__dedup_shard_open(const rp_dedup *d, bool again, rp_source **src, rp_error *err)
{
    RP_TRY(rp_source_open(NULL, 0, &d->o.source, src, err));
    const rp__dedup_shard *sh = d->shard;
    int me = rp_comm_rank(d->o.comm);
    for (size_t i = 0; i < sh->n; i++) {
        const piece *p = &sh->p[i];
        if (p->rank != (uint64_t)me) continue;
        rp_status rc = rp__source_add_range(*src, p->path, p->start, p->end, p->lines_before, err);
        if (rc != RP_OK) {
            rp_source_free(*src);
            *src = NULL;
            return rc;
        }
    }
    if (again) rp__source_trusted(*src);
    return RP_OK;
}
