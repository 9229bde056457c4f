/* reader.c - reading a whole file (or standard input) into memory.
 *
 * The bytes come through the stream of decompress.c, so a gzip or zstd file
 * is read as its content, and errors are those of one place: a missing file,
 * a directory, an unreadable file, a read error or corrupt compressed data,
 * each naming the file. Nothing is truncated: the input is read to its end,
 * up to RP_DOC_MAX_BYTES; a regular file known to be larger is refused
 * before any byte is read. */
#include "io/io.h"

#include <string.h>
#include <sys/stat.h>

rp_status rp__read_file(const char *path, char **data, size_t *len, rp_error *err)
{
    *data = NULL;
    *len = 0;
    size_t hint = 0; /* the file's size, when it is known and not compressed */
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if ((uint64_t)sb.st_size > (uint64_t)RP_DOC_MAX_BYTES)
            return rp__fail(err, RP_ERR_LIMIT, path, 0,
                            "file of %lld bytes exceeds the limit of %zu bytes",
                            (long long)sb.st_size, (size_t)RP_DOC_MAX_BYTES);
        hint = (size_t)sb.st_size;
    }
    rp__stream *s;
    RP_TRY(rp__stream_open(path, &s, err));
    rp_status rc = RP_OK;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (rp__stream_codec(s) == RP__CODEC_PLAIN && hint > 0) {
        if ((buf = rp__malloc(hint + 1)) == NULL) goto nomem;
        cap = hint + 1;
    }
    for (;;) {
        char *chunk;
        size_t got;
        if ((rc = rp__stream_read(s, &chunk, &got, err)) != RP_OK) goto done;
        if (got == 0) break;
        if (got > RP_DOC_MAX_BYTES - n) {
            rc = rp__fail(err, RP_ERR_LIMIT, path, n, "input exceeds the limit of %zu bytes",
                          (size_t)RP_DOC_MAX_BYTES);
            goto done;
        }
        if (!rp__grow((void **)&buf, &cap, n + got + 1, 1)) goto nomem;
        memcpy(buf + n, chunk, got);
        n += got;
    }
    if (buf == NULL && !rp__grow((void **)&buf, &cap, 1, 1)) goto nomem;
    buf[n] = '\0';
    *data = buf;
    *len = n;
    buf = NULL;
    goto done;
nomem:
    rc = rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory reading the file");
done:
    rp__free(buf);
    rp__stream_close(s);
    return rc;
}
