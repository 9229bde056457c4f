/* decompress.c - byte streams from a file, standard input or memory, with
 * gzip and zstd undone on the fly.
 *
 * A stream hands out its content in chunks of at most RP__STREAM_CHUNK
 * bytes, so a file of any size is read in constant memory. The compression
 * is recognized from the first bytes, never from the name:
 *  - gzip (1f 8b): zlib's inflate with automatic header detection; members
 *    that follow one another are read as one stream, as gzip -d does;
 *  - zstd (28 b5 2f fd, or a skippable frame 5? 2a 4d 18): libzstd's
 *    streaming decoder, frames one after another;
 *  - anything else is passed through unchanged.
 * zlib and libzstd allocate through rp__malloc, so the fault-injection tests
 * reach their failures too. A corrupt or truncated compressed stream is
 * RP_ERR_FORMAT naming the file, with the offset of the compressed byte where
 * decoding stopped. */
#include "io/io.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDCtx_advanced: our allocator */
#include <zstd.h>
#include <zstd_errors.h>

struct rp__stream {
    char *name;         /* for errors */
    int fd;             /* -1 when reading memory */
    bool own_fd;        /* close fd at the end (not standard input) */
    int tee_fd;         /* raw bytes read are also written here; -1: none */
    const uint8_t *mem; /* the memory being read (borrowed) */
    size_t mem_len, mem_pos;
    rp__codec codec;
    uint8_t *in; /* raw bytes from the source: RP__STREAM_CHUNK + 1 */
    size_t in_len, in_pos;
    bool in_eof;       /* the source has no more bytes */
    uint64_t bytes_in; /* raw bytes read from the source so far */
    char *out;         /* decoded bytes (gzip, zstd): RP__STREAM_CHUNK + 1 */
    bool out_full;     /* the decoder filled out last time: it may hold more */
    bool in_frame;     /* a gzip member or zstd frame is begun, not finished */
    z_stream z;
    bool z_ready;
    ZSTD_DCtx *zd;
};

static rp_status io_error(rp_error *err, const char *path, uint64_t offset, int e, const char *what)
{
    rp__fail(err, RP_ERR_IO, path, offset, "%s: %s", what, strerror(e));
    if (err) err->sys_errno = e;
    return RP_ERR_IO;
}

/* Offset in the source of the next raw byte the decoder would take. */
static uint64_t consumed(const rp__stream *s)
{
    return s->bytes_in - (uint64_t)(s->in_len - s->in_pos);
}

/* Read up to cap raw bytes into buf; *got == 0 only at the end. */
static rp_status read_raw(rp__stream *s, uint8_t *buf, size_t cap, size_t *got, rp_error *err)
{
    *got = 0;
    if (s->in_eof) return RP_OK;
    if (s->fd < 0) {
        size_t n = s->mem_len - s->mem_pos;
        if (n > cap) n = cap;
        if (n > 0) memcpy(buf, s->mem + s->mem_pos, n);
        s->mem_pos += n;
        *got = n;
    } else {
        ssize_t r;
        do {
            r = read(s->fd, buf, cap);
        } while (r < 0 && errno == EINTR);
        if (r < 0) return io_error(err, s->name, s->bytes_in, errno, "read error");
        *got = (size_t)r;
        for (size_t done = 0; s->tee_fd >= 0 && done < *got;) {
            ssize_t w = write(s->tee_fd, buf + done, *got - done);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0)
                return io_error(err, s->name, s->bytes_in, errno,
                                "cannot keep a temporary copy of the input");
            done += (size_t)w;
        }
    }
    if (*got == 0) s->in_eof = true;
    s->bytes_in += *got;
    return RP_OK;
}

/* Replace the (fully consumed) input buffer with the next raw bytes. */
static rp_status refill(rp__stream *s, rp_error *err)
{
    assert(s->in_pos == s->in_len);
    s->in_pos = s->in_len = 0;
    return read_raw(s, s->in, RP__STREAM_CHUNK, &s->in_len, err);
}

static rp_status corrupt(const rp__stream *s, rp_error *err, const char *what, const char *detail)
{
    uint64_t at = consumed(s);
    return rp__fail(err, RP_ERR_FORMAT, s->name, at, "%s at compressed byte %llu%s%s", what,
                    (unsigned long long)at, detail ? ": " : "", detail ? detail : "");
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size != 0 && items > SIZE_MAX / size) return Z_NULL;
    return rp__malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    rp__free(p);
}

/* Allocate a stream named name reading fd (or memory when fd < 0). */
static rp_status stream_new(const char *name, int fd, rp__stream **out, rp_error *err)
{
    rp__stream *s = rp__calloc(1, sizeof *s);
    size_t name_len = strlen(name);
    if (s == NULL) goto nomem;
    s->fd = fd;
    s->tee_fd = -1;
    if ((s->name = rp__malloc(name_len + 1)) == NULL) goto nomem;
    memcpy(s->name, name, name_len + 1);
    if ((s->in = rp__malloc(RP__STREAM_CHUNK + 1)) == NULL) goto nomem;
    *out = s;
    return RP_OK;
nomem:
    if (s != NULL) {
        rp__free(s->name);
        rp__free(s);
    }
    rp__fail(err, RP_ERR_NOMEM, name, 0, "out of memory opening the file");
    return RP_ERR_NOMEM;
}

/* Read the first bytes, recognize the compression and set up its decoder. */
static rp_status stream_start(rp__stream *s, rp_error *err)
{
    while (s->in_len < 4 && !s->in_eof) {
        size_t got;
        RP_TRY(read_raw(s, s->in + s->in_len, RP__STREAM_CHUNK - s->in_len, &got, err));
        s->in_len += got;
    }
    const uint8_t *b = s->in;
    if (s->in_len >= 2 && b[0] == 0x1F && b[1] == 0x8B) {
        s->codec = RP__CODEC_GZIP;
    } else if (s->in_len >= 4 &&
               ((b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD) ||
                ((b[0] & 0xF0) == 0x50 && b[1] == 0x2A && b[2] == 0x4D && b[3] == 0x18))) {
        s->codec = RP__CODEC_ZSTD;
    } else {
        s->codec = RP__CODEC_PLAIN;
        return RP_OK;
    }
    if ((s->out = rp__malloc(RP__STREAM_CHUNK + 1)) == NULL) goto nomem;
    if (s->codec == RP__CODEC_GZIP) {
        s->z.zalloc = z_alloc;
        s->z.zfree = z_free;
        s->z.opaque = Z_NULL;
        int zr = inflateInit2(&s->z, 15 + 32); /* 32: gzip header, detected */
        if (zr == Z_MEM_ERROR) goto nomem;
        if (zr != Z_OK)
            return rp__fail(err, RP_ERR_FORMAT, s->name, 0, "cannot start gzip decoding: %s",
                            s->z.msg ? s->z.msg : "zlib error");
        s->z_ready = true;
    } else {
        ZSTD_customMem mem = {rp__zstd_alloc, rp__zstd_free, NULL};
        if ((s->zd = ZSTD_createDCtx_advanced(mem)) == NULL) goto nomem;
    }
    return RP_OK;
nomem:
    rp__fail(err, RP_ERR_NOMEM, s->name, 0, "out of memory opening the file");
    return RP_ERR_NOMEM;
}

rp_status rp__stream_open_fd(const char *name, int fd, int tee_fd, rp__stream **out, rp_error *err)
{
    *out = NULL;
    rp__stream *s = NULL;
    RP_TRY(stream_new(name, fd, &s, err));
    s->tee_fd = tee_fd;
    rp_status rc = stream_start(s, err);
    if (rc != RP_OK) {
        rp__stream_close(s);
        return rc;
    }
    *out = s;
    return RP_OK;
}

static rp_status open_path(const char *path, int tee_fd, rp__stream **out, rp_error *err)
{
    *out = NULL;
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error(err, path, 0, errno, "cannot open");
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (!is_stdin) close(fd);
        return io_error(err, path, 0, EISDIR, "cannot read");
    }
    rp__stream *s = NULL;
    rp_status rc = stream_new(path, fd, &s, err);
    if (rc != RP_OK) {
        if (!is_stdin) close(fd);
        return rc;
    }
    s->own_fd = !is_stdin;
    s->tee_fd = tee_fd;
    rc = stream_start(s, err);
    if (rc != RP_OK) {
        rp__stream_close(s);
        return rc;
    }
    *out = s;
    return RP_OK;
}

rp_status rp__stream_open(const char *path, rp__stream **out, rp_error *err)
{
    return open_path(path, -1, out, err);
}

rp_status rp__stream_open_tee(const char *path, int tee_fd, rp__stream **out, rp_error *err)
{
    return open_path(path, tee_fd, out, err);
}

rp_status rp__stream_open_mem(const char *name, const void *data, size_t len, rp__stream **out,
                              rp_error *err)
{
    *out = NULL;
    rp__stream *s = NULL;
    RP_TRY(stream_new(name, -1, &s, err));
    s->mem = data;
    s->mem_len = len;
    rp_status rc = stream_start(s, err);
    if (rc != RP_OK) {
        rp__stream_close(s);
        return rc;
    }
    *out = s;
    return RP_OK;
}

static rp_status read_plain(rp__stream *s, char **data, size_t *len, rp_error *err)
{
    if (s->in_pos == s->in_len) RP_TRY(refill(s, err));
    *data = (char *)s->in + s->in_pos;
    *len = s->in_len - s->in_pos;
    s->in_pos = s->in_len;
    return RP_OK;
}

static rp_status read_gzip(rp__stream *s, char **data, size_t *len, rp_error *err)
{
    for (;;) {
        if (s->in_pos == s->in_len && !s->out_full) {
            RP_TRY(refill(s, err));
            if (s->in_len == 0) {
                if (s->in_frame) return corrupt(s, err, "truncated gzip data: the file ends", NULL);
                return RP_OK; /* *len == 0: the end */
            }
        }
        if (!s->in_frame && s->in_pos < s->in_len) {
            /* A new member begins (the first, or one after another). */
            if (inflateReset(&s->z) != Z_OK) return corrupt(s, err, "gzip error", NULL);
            s->in_frame = true;
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        s->z.next_out = (Bytef *)s->out;
        s->z.avail_out = (uInt)RP__STREAM_CHUNK;
        int zr = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        size_t got = RP__STREAM_CHUNK - s->z.avail_out;
        s->out_full = s->z.avail_out == 0;
        if (zr == Z_STREAM_END) {
            s->in_frame = false;
            s->out_full = false;
        } else if (zr == Z_MEM_ERROR) {
            return rp__fail(err, RP_ERR_NOMEM, s->name, consumed(s),
                            "out of memory decompressing gzip data");
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            return corrupt(s, err, "corrupt gzip data", s->z.msg);
        }
        if (got > 0) {
            *data = s->out;
            *len = got;
            return RP_OK;
        }
    }
}

static rp_status read_zstd(rp__stream *s, char **data, size_t *len, rp_error *err)
{
    for (;;) {
        if (s->in_pos == s->in_len && !s->out_full) {
            RP_TRY(refill(s, err));
            if (s->in_len == 0) {
                if (s->in_frame) return corrupt(s, err, "truncated zstd data: the file ends", NULL);
                return RP_OK;
            }
        }
        ZSTD_inBuffer ib = {s->in, s->in_len, s->in_pos};
        ZSTD_outBuffer ob = {s->out, RP__STREAM_CHUNK, 0};
        size_t zr = ZSTD_decompressStream(s->zd, &ob, &ib);
        s->in_pos = ib.pos;
        if (ZSTD_isError(zr)) {
            if (ZSTD_getErrorCode(zr) == ZSTD_error_memory_allocation)
                return rp__fail(err, RP_ERR_NOMEM, s->name, consumed(s),
                                "out of memory decompressing zstd data");
            return corrupt(s, err, "corrupt zstd data", ZSTD_getErrorName(zr));
        }
        s->in_frame = zr != 0;
        s->out_full = ob.pos == ob.size;
        if (ob.pos > 0) {
            *data = s->out;
            *len = ob.pos;
            return RP_OK;
        }
    }
}

rp_status rp__stream_read(rp__stream *s, char **data, size_t *len, rp_error *err)
{
    *data = NULL;
    *len = 0;
    switch (s->codec) {
    case RP__CODEC_GZIP: return read_gzip(s, data, len, err);
    case RP__CODEC_ZSTD: return read_zstd(s, data, len, err);
    case RP__CODEC_PLAIN: break;
    }
    return read_plain(s, data, len, err);
}

uint64_t rp__stream_bytes(const rp__stream *s)
{
    return s->bytes_in;
}

rp__codec rp__stream_codec(const rp__stream *s)
{
    return s->codec;
}

void rp__stream_close(rp__stream *s)
{
    if (s == NULL) return;
    if (s->z_ready) inflateEnd(&s->z);
    ZSTD_freeDCtx(s->zd);
    if (s->own_fd) close(s->fd);
    rp__free(s->out);
    rp__free(s->in);
    rp__free(s->name);
    rp__free(s);
}
