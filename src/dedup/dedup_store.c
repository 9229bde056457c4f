/* dedup_store.c - what dedup's stages share.
 *
 * The signature store (by document number, in memory or spilled to a
 * temporary file past its budget), the document table (ids arena, text
 * lengths), the input opened once and read again in trusted mode, and the
 * verified pairs kept for clustering and output. */
#include "dedup/dedup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SIG_WBUF ((size_t)1 << 20)

rp_status rp__dedup_sigs_flush(rp__sig_store *s, const char *dir, rp_error *err)
{
    if (s->wlen == 0) return RP_OK;
    RP_TRY(rp__tmp_write(s->fd, s->wbuf, s->wlen, s->flushed * s->k * 4, dir, err));
    s->flushed += s->wlen / (s->k * 4);
    s->wlen = 0;
    return RP_OK;
}

rp_status rp__dedup_sigs_add(rp__sig_store *s, const uint32_t *sig, const char *dir, rp_error *err)
{
    size_t bytes = s->k * sizeof *sig;
    if (s->fd < 0 && (s->n + 1) * bytes > s->budget) {
        /* Past the budget: move what is in memory to a file. */
        RP_TRY(rp__tmp_open(dir, &s->fd, err));
        if ((s->wbuf = rp__malloc(SIG_WBUF > bytes ? SIG_WBUF : bytes)) == NULL)
            return rp__nomem(err, "");
        RP_TRY(rp__tmp_write(s->fd, s->mem, s->n * bytes, 0, dir, err));
        s->flushed = s->n;
        rp__free(s->mem);
        s->mem = NULL;
        s->cap = 0;
    }
    if (s->fd >= 0) {
        if (s->wlen + bytes > (SIG_WBUF > bytes ? SIG_WBUF : bytes))
            RP_TRY(rp__dedup_sigs_flush(s, dir, err));
        memcpy(s->wbuf + s->wlen, sig, bytes);
        s->wlen += bytes;
        s->n++;
        return RP_OK;
    }
    if (s->n == s->cap) {
        uint64_t cap = s->cap ? s->cap * 2 : 1024;
        uint32_t *m = rp__realloc(s->mem, (size_t)cap * bytes);
        if (m == NULL) return rp__nomem(err, "");
        s->mem = m;
        s->cap = cap;
    }
    memcpy(s->mem + (size_t)s->n * s->k, sig, bytes);
    s->n++;
    return RP_OK;
}

/* Signatures first .. first+count-1 into buf (or a pointer into memory). */
rp_status rp__dedup_sigs_get(const rp__sig_store *s, uint64_t first, size_t count, uint32_t *buf,
                             const uint32_t **out, const char *dir, rp_error *err)
{
    if (s->fd < 0) {
        *out = s->mem + (size_t)first * s->k;
        return RP_OK;
    }
    RP_TRY(rp__tmp_read(s->fd, buf, count * s->k * 4, first * s->k * 4, dir, err));
    *out = buf;
    return RP_OK;
}

void rp__dedup_sigs_free(rp__sig_store *s)
{
    rp__free(s->mem);
    rp__free(s->wbuf);
    if (s->fd >= 0) close(s->fd);
}

/* Append the id of the next node (d->n + d->n_arch) to the ids arena. */
rp_status rp__dedup_append_id(rp_dedup *d, const char *id, size_t len, rp_error *err)
{
    uint64_t node = d->n + d->n_arch;
    if (!rp__grow((void **)&d->ids, &d->ids_cap, d->ids_len + len + 1, 1) ||
        !rp__grow((void **)&d->id_off, &d->id_off_cap, (size_t)node + 2, sizeof *d->id_off))
        return rp__nomem(err, "");
    memcpy(d->ids + d->ids_len, id, len);
    d->ids[d->ids_len + len] = '\0';
    d->id_off[node] = d->ids_len;
    d->ids_len += len + 1;
    d->id_off[node + 1] = d->ids_len;
    return RP_OK;
}

rp_status rp__dedup_add_doc(rp_dedup *d, const rp_record *r, rp_error *err)
{
    if (d->n >= MAX_DOCS)
        return rp__fail(err, RP_ERR_LIMIT, r->path, r->line, "more than %llu documents in one run",
                        (unsigned long long)MAX_DOCS);
    if (d->n == d->doc_cap) {
        uint64_t cap = d->doc_cap ? d->doc_cap * 2 : 4096;
        uint64_t *ln = rp__realloc(d->len, (size_t)cap * sizeof *ln);
        if (ln == NULL) return rp__nomem(err, "");
        d->len = ln;
        uint32_t *ns = rp__realloc(d->nsh, (size_t)cap * sizeof *ns);
        if (ns == NULL) return rp__nomem(err, "");
        d->nsh = ns;
        if (d->where_ok) {
            uint64_t *w = rp__realloc(d->where, (size_t)cap * sizeof *w);
            if (w == NULL) return rp__nomem(err, "");
            d->where = w;
        }
        d->doc_cap = cap;
    }
    /* Ids name documents in every output: a repeated one is reported. */
    if (d->id_seen.slots == NULL && !rp__hmap_init(&d->id_seen, 4096)) return rp__nomem(err, "");
    bool fresh;
    uint32_t *first =
        rp__hmap_put(&d->id_seen, rp__hash_bytes(r->id, r->id_len, 0x1d5), (uint32_t)d->n, &fresh);
    if (first == NULL) return rp__nomem(err, "");
    if (!fresh && d->id_off[*first + 1] - d->id_off[*first] - 1 == r->id_len &&
        memcmp(d->ids + d->id_off[*first], r->id, r->id_len) == 0) {
        if (!d->o.source.skip_bad) {
            rp_status st = rp__fail(err, RP_ERR_PARSE, r->path, 0,
                                    "duplicate id '%.100s': document %llu has the id of document "
                                    "%u (ids must be unique; --skip-bad keeps both)",
                                    r->id, (unsigned long long)d->n + 1, (unsigned)*first + 1);
            if (err != NULL) err->line = r->line;
            return st;
        }
        d->st.duplicate_ids++;
    }
    RP_TRY(rp__dedup_append_id(d, r->id, r->id_len, err));
    d->len[d->n] = r->text_len;
    d->n++;
    return RP_OK;
}

rp_status rp__dedup_note_where(rp_dedup *d, const rp_source *src, const rp_record *r, rp_error *err)
{
    uint64_t file, off;
    if (!d->where_ok) return RP_OK;
    if (!rp__source_where(src, &file, &off) || file >= 0xFFFF || off >> 48 != 0) {
        d->where_ok = false; /* the second reading reads everything */
        rp__free(d->where);
        d->where = NULL;
        return RP_OK;
    }
    if (file >= d->n_where_path) {
        char **p = rp__realloc(d->where_path, ((size_t)file + 1) * sizeof *p);
        if (p == NULL) return rp__nomem(err, "");
        for (size_t k = d->n_where_path; k <= file; k++)
            p[k] = NULL;
        d->where_path = p;
        d->n_where_path = (size_t)file + 1;
    }
    if (d->where_path[file] == NULL && (d->where_path[file] = rp__strdup(r->path)) == NULL)
        return rp__nomem(err, "");
    d->where[d->n - 1] = file << 48 | off;
    return RP_OK;
}

/* Read the line at off of fd into *buf (NUL-terminated, without its '\n'
 * and a '\r' before it); *len is its length. */
static rp_status read_line_at(int fd, const char *path, uint64_t off, size_t hint, char **buf,
                              size_t *cap, size_t *len, rp_error *err)
{
    size_t got = 0, want = hint + hint / 8 + 512; /* the line is a little longer than its text */
    for (;;) {
        if (!rp__grow((void **)buf, cap, want + 1, 1)) return rp__nomem(err, path);
        ssize_t r = pread(fd, *buf + got, want - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return rp__fail(err, RP_ERR_IO, path, off, "cannot read: %s", strerror(errno));
        char *nl = memchr(*buf + got, '\n', (size_t)r);
        got += (size_t)r;
        if (nl != NULL || r == 0) {
            size_t n = nl != NULL ? (size_t)(nl - *buf) : got;
            if (n > 0 && (*buf)[n - 1] == '\r') n--;
            (*buf)[n] = '\0';
            *len = n;
            return RP_OK;
        }
        if (got == want) want *= 2;
    }
}

rp_status rp__dedup_reread_some(rp_dedup *d, const uint8_t *need, rp__dedup_reread_fn fn, void *ctx,
                                rp_error *err)
{
    char *line = NULL, *key = NULL, *text = NULL;
    size_t line_cap = 0, key_cap = 0, text_cap = 0;
    int fd = -1;
    uint64_t fd_file = UINT64_MAX;
    const char *tf = d->o.source.text_field, *idf = d->o.source.id_field;
    rp_status rc = RP_OK;
    for (uint64_t i = 0; rc == RP_OK && i < d->n; i++) {
        if (!(need[i / 8] & (1u << (i % 8)))) continue;
        uint64_t file = d->where[i] >> 48, off = d->where[i] & (((uint64_t)1 << 48) - 1);
        const char *path = d->where_path[file];
        if (file != fd_file) {
            if (fd >= 0) close(fd);
            fd_file = file;
            if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
                rc = rp__fail(err, RP_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
                break;
            }
        }
        size_t n = 0;
        if ((rc = read_line_at(fd, path, off, (size_t)d->len[i], &line, &line_cap, &n, err)) !=
            RP_OK)
            break;
        /* As the source finds and decodes the text member (trusted). */
        rp__json_span tv, iv;
        if (rp__json_find_members(line, n, tf, strlen(tf), idf, strlen(idf), &key, &key_cap, &tv,
                                  &iv) != RP_OK) {
            rc = rp__nomem(err, path);
            break;
        }
        size_t text_len = 0, nul_at, bad_at = SIZE_MAX;
        bool ok = tv.found && line[tv.start] == '"' && tv.end - tv.start >= 2;
        if (ok && !rp__json_unescape(line + tv.start + 1, tv.end - tv.start - 2, &text, &text_cap,
                                     &text_len, &nul_at, &bad_at)) {
            rc = rp__nomem(err, path);
            break;
        }
        if (!ok || bad_at != SIZE_MAX || text_len != d->len[i]) {
            rc = rp__fail(err, RP_ERR_FORMAT, path, off,
                          "the input changed while it was read: read again, it no longer holds "
                          "the same documents");
            break;
        }
        rp_record r;
        memset(&r, 0, sizeof r);
        r.text = text;
        r.text_len = text_len;
        r.raw = line;
        r.raw_len = n;
        r.path = path;
        r.is_json = 1;
        rc = fn(ctx, i, &r, NULL, err);
    }
    if (fd >= 0) close(fd);
    rp__free(line);
    rp__free(key);
    rp__free(text);
    return rc;
}

double rp__dedup_elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

rp_status rp__dedup_open_source(rp_dedup *d, bool again, rp_source **src, rp_error *err)
{
    if (d->shard != NULL) return rp__dedup_shard_open(d, again, src, err);
    RP_TRY(rp_source_open((const char *const *)d->paths, d->n_paths, &d->o.source, src, err));
    if (d->spool_fd >= 0) {
        if (again && lseek(d->spool_fd, 0, SEEK_SET) != 0) {
            rp_source_free(*src);
            *src = NULL;
            return rp__tmp_error(d->tmpdir, err, "cannot read");
        }
        rp__source_stdin(*src, again ? d->spool_fd : -1, again ? -1 : d->spool_fd);
    }
    for (size_t i = 0; i < d->n_paths; i++) {
        int fd = d->path_spool[i];
        if (fd < 0) continue;
        if (again && lseek(fd, 0, SEEK_SET) != 0) {
            rp_source_free(*src);
            *src = NULL;
            return rp__tmp_error(d->tmpdir, err, "cannot read");
        }
        rp__source_input_fd(*src, i, again ? fd : -1, again ? -1 : fd);
    }
    if (again) rp__source_trusted(*src);
    return RP_OK;
}

/* Read the input again (trusted: validated the first time) and call fn for
 * each document in order. The input must hold the same documents; a
 * change is RP_ERR_FORMAT. */
rp_status rp__dedup_reread(rp_dedup *d, rp__dedup_reread_fn fn, void *ctx, rp_error *err)
{
    rp_source *src = NULL;
    RP_TRY(rp__dedup_open_source(d, true, &src, err));
    rp_status rc = RP_OK;
    for (uint64_t i = 0; rc == RP_OK; i++) {
        const rp_record *r;
        if ((rc = rp_source_next(src, &r, err)) != RP_OK) break;
        if (r == NULL ? i != d->n : i >= d->n || r->text_len != d->len[i]) {
            rc = rp__fail(err, RP_ERR_FORMAT, "", 0,
                          "the input changed while it was read: read again, it no longer holds "
                          "the same documents");
            break;
        }
        if (r == NULL) break;
        rc = fn(ctx, i, r, src, err);
    }
    rp_source_free(src);
    return rc;
}

rp_status rp__dedup_pairs_store(rp_dedup *d, rp__sorter *accepted, rp_error *err)
{
    for (;;) {
        const uint64_t *r = NULL;
        RP_TRY(rp__sorter_next(accepted, &r, err));
        if (r == NULL) break;
        RP_TRY(rp__dedup_pairs_add(d, r, err));
    }
    d->st.pairs = d->n_pairs;
    d->pair_pos = 0;
    return RP_OK;
}

rp_status rp__dedup_pairs_add(rp_dedup *d, const uint64_t *r, rp_error *err)
{
    uint64_t budget = d->o.mem_limit / 8 / 16; /* pairs held in memory */
    if (d->pairs_fd < 0 && d->n_pairs >= budget) {
        RP_TRY(rp__tmp_open(d->tmpdir, &d->pairs_fd, err));
        RP_TRY(rp__tmp_write(d->pairs_fd, d->pairs, d->n_pairs * 16, 0, d->tmpdir, err));
        d->pair_pos = d->n_pairs * 16;
        rp__free(d->pairs);
        d->pairs = NULL;
        d->pairs_cap = 0;
    }
    if (d->pairs_fd >= 0) {
        RP_TRY(rp__tmp_write(d->pairs_fd, r, 16, d->pair_pos, d->tmpdir, err));
        d->pair_pos += 16;
    } else {
        if (!rp__grow((void **)&d->pairs, &d->pairs_cap, (size_t)(d->n_pairs + 1) * 2,
                      sizeof *d->pairs))
            return rp__nomem(err, "");
        d->pairs[2 * d->n_pairs] = r[0];
        d->pairs[2 * d->n_pairs + 1] = r[1];
    }
    d->n_pairs++;
    return RP_OK;
}

rp_status rp__dedup_chained_note(rp_dedup *d, uint32_t x, uint32_t r, rp_error *err)
{
    if (!rp__grow((void **)&d->chained_pairs, &d->chained_cap, 2 * d->n_chained + 2,
                  sizeof *d->chained_pairs))
        return rp__nomem(err, "");
    d->chained_pairs[2 * d->n_chained] = x;
    d->chained_pairs[2 * d->n_chained + 1] = r;
    d->n_chained++;
    return RP_OK;
}

/* Pair i of the store (sequential reading is buffered). */
rp_status rp__dedup_pair_at(rp_dedup *d, uint64_t i, uint64_t *ab, double *sim, rp_error *err)
{
    if (d->pairs_fd < 0) {
        *ab = d->pairs[2 * i];
        *sim = rp__dedup_bits_dbl(d->pairs[2 * i + 1]);
        return RP_OK;
    }
    const size_t per = 8192;
    if (d->pair_buf == NULL && (d->pair_buf = rp__malloc(per * 16)) == NULL)
        return rp__nomem(err, "");
    if (i < d->pair_pos || i >= d->pair_pos + d->pair_buf_n) {
        uint64_t left = d->n_pairs - i;
        d->pair_buf_n = left < per ? (size_t)left : per;
        RP_TRY(rp__tmp_read(d->pairs_fd, d->pair_buf, d->pair_buf_n * 16, i * 16, d->tmpdir, err));
        d->pair_pos = i;
    }
    *ab = d->pair_buf[2 * (i - d->pair_pos)];
    *sim = rp__dedup_bits_dbl(d->pair_buf[2 * (i - d->pair_pos) + 1]);
    return RP_OK;
}
