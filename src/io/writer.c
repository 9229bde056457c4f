/* writer.c - output files compressed as their names say: gzip for .gz,
 * zstd for .zst / .zstd, plain otherwise; "-" is standard output (plain).
 * The file is an rp_output (outfile.c): written to a temporary file and
 * renamed into place only when finished, so a failed run leaves the
 * previous file (or none), and a device is written in place, never
 * removed. */
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createCCtx_advanced: our allocator */
#include <zstd.h>

#define OUT_CHUNK ((size_t)256 << 10)

struct rp__writer {
    rp_output *o;
    const char *path; /* borrowed from o */
    FILE *f;
    rp__codec codec;
    z_stream z;
    bool z_ready;
    ZSTD_CCtx *zc;
    uint8_t *out;
};

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcasecmp(s + n - m, suf) == 0;
}

static rp_status w_io(rp__writer *w, rp_error *err, int e, const char *what)
{
    rp_status st = rp__fail(err, RP_ERR_IO, w->path, 0, "%s: %s", what, strerror(e));
    if (err != NULL) err->sys_errno = e;
    return st;
}

rp_status rp__writer_open(const char *path, rp__writer **out, rp_error *err)
{
    *out = NULL;
    rp__writer *w = rp__calloc(1, sizeof *w);
    if (w == NULL) return rp__nomem(err, path);
    rp_status st = rp_output_open(path, &w->o, err);
    if (st != RP_OK) {
        rp__free(w);
        return st;
    }
    w->path = rp_output_path(w->o);
    bool is_stdout = strcmp(path, "-") == 0;
    w->codec = is_stdout                                               ? RP__CODEC_PLAIN
               : has_suffix(path, ".gz")                               ? RP__CODEC_GZIP
               : has_suffix(path, ".zst") || has_suffix(path, ".zstd") ? RP__CODEC_ZSTD
                                                                       : RP__CODEC_PLAIN;
    w->f = rp_output_file(w->o);
    setvbuf(w->f, NULL, _IOFBF, (size_t)1 << 20); /* few large writes */
    if (w->codec != RP__CODEC_PLAIN && (w->out = rp__malloc(OUT_CHUNK)) == NULL) goto nomem;
    if (w->codec == RP__CODEC_GZIP) {
        if (deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) goto nomem;
        w->z_ready = true;
    } else if (w->codec == RP__CODEC_ZSTD) {
        ZSTD_customMem mem = {rp__zstd_alloc, rp__zstd_free, NULL};
        if ((w->zc = ZSTD_createCCtx_advanced(mem)) == NULL) goto nomem;
        ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, 3);
    }
    *out = w;
    return RP_OK;
nomem:
    rp__writer_close(w, false, NULL);
    return rp__nomem(err, path);
}

static rp_status put(rp__writer *w, const void *p, size_t n, rp_error *err)
{
    if (n > 0 && fwrite(p, 1, n, w->f) != n)
        return w_io(w, err, errno ? errno : EIO, "write error");
    return RP_OK;
}

/* Feed data (finish: end the stream) through the compressor. */
static rp_status pump(rp__writer *w, const char *data, size_t len, bool finish, rp_error *err)
{
    if (w->codec == RP__CODEC_GZIP) {
        w->z.next_in = (Bytef *)(uintptr_t)data;
        w->z.avail_in = (uInt)len;
        int zr;
        do {
            w->z.next_out = w->out;
            w->z.avail_out = (uInt)OUT_CHUNK;
            zr = deflate(&w->z, finish ? Z_FINISH : Z_NO_FLUSH);
            if (zr == Z_STREAM_ERROR) return rp__fail(err, RP_ERR_IO, w->path, 0, "gzip error");
            RP_TRY(put(w, w->out, OUT_CHUNK - w->z.avail_out, err));
        } while (w->z.avail_out == 0 || (finish && zr != Z_STREAM_END));
        return RP_OK;
    }
    ZSTD_inBuffer in = {data, len, 0};
    for (;;) {
        ZSTD_outBuffer o = {w->out, OUT_CHUNK, 0};
        size_t r = ZSTD_compressStream2(w->zc, &o, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(r))
            return rp__fail(err, RP_ERR_IO, w->path, 0, "zstd error: %s", ZSTD_getErrorName(r));
        RP_TRY(put(w, w->out, o.pos, err));
        if (finish ? r == 0 : in.pos == in.size) return RP_OK;
    }
}

rp_status rp__writer_write(rp__writer *w, const char *data, size_t len, rp_error *err)
{
    if (w->codec == RP__CODEC_PLAIN) return put(w, data, len, err);
    /* zlib takes at most UINT_MAX bytes at once. */
    while (len > 0) {
        size_t part = len > ((size_t)1 << 30) ? (size_t)1 << 30 : len;
        RP_TRY(pump(w, data, part, false, err));
        data += part;
        len -= part;
    }
    return RP_OK;
}

rp_status rp__writer_close(rp__writer *w, bool ok, rp_error *err)
{
    if (w == NULL) return RP_OK;
    rp_status st = RP_OK;
    if (ok && w->codec != RP__CODEC_PLAIN && w->out != NULL) st = pump(w, NULL, 0, true, err);
    /* The first error is the one reported; the file is then abandoned. */
    rp_status cl = rp_output_close(w->o, ok && st == RP_OK, ok && st == RP_OK ? err : NULL);
    if (st == RP_OK && ok) st = cl;
    if (w->z_ready) deflateEnd(&w->z);
    ZSTD_freeCCtx(w->zc);
    rp__free(w->out);
    rp__free(w);
    return st;
}

/* Append the JSON string of s[0..n) (any bytes: json_quote.c) to the writer. */
rp_status rp__writer_json_string(rp__writer *w, const char *s, size_t n, rp_error *err)
{
    char buf[4096];
    size_t o = 0;
    buf[o++] = '"';
    for (size_t i = 0; i < n;) {
        if (o > sizeof buf - 8) {
            RP_TRY(rp__writer_write(w, buf, o, err));
            o = 0;
        }
        o += rp__json_escape(s, n, &i, buf + o);
    }
    buf[o++] = '"';
    return rp__writer_write(w, buf, o, err);
}
