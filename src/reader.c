/* reader.c - reading whole files (or standard input) into memory.
 *
 * Errors name the file and carry errno: a missing file, a directory, an
 * unreadable file, a read error in the middle. Nothing is truncated: the
 * file is read to its end, whatever its size says, up to RP_DOC_MAX_BYTES. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

rp_status rp__read_file(const char *path, char **data, size_t *len, rp_error *err)
{
    *data = NULL;
    *len = 0;
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        rp__fail(err, RP_ERR_IO, path, 0, "cannot open: %s", strerror(e));
        if (err) err->sys_errno = e;
        return RP_ERR_IO;
    }
    rp_status rc = RP_OK;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    struct stat sb;
    if (fstat(fd, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            rc = rp__fail(err, RP_ERR_IO, path, 0, "is a directory, not a file");
            if (err) err->sys_errno = EISDIR;
            goto done;
        }
        if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > (uint64_t)RP_DOC_MAX_BYTES) {
            rc = rp__fail(err, RP_ERR_LIMIT, path, 0,
                          "file of %lld bytes exceeds the limit of %zu bytes",
                          (long long)sb.st_size, (size_t)RP_DOC_MAX_BYTES);
            goto done;
        }
        if (S_ISREG(sb.st_mode) && sb.st_size > 0) cap = (size_t)sb.st_size + 1;
    }
    if (cap == 0) cap = 1 << 16;
    buf = rp__malloc(cap);
    if (buf == NULL) goto nomem;
    for (;;) {
        if (n + 1 >= cap) {
            /* Full: probe for more before growing, so a file read to its
             * stat size costs no extra copy. */
            char probe[4096];
            ssize_t pr = read(fd, probe, sizeof probe);
            if (pr < 0 && errno == EINTR) continue;
            if (pr == 0) break;
            if (pr < 0) {
                int e = errno;
                rc =
                    rp__fail(err, RP_ERR_IO, path, n, "read error at byte %zu: %s", n, strerror(e));
                if (err) err->sys_errno = e;
                goto done;
            }
            if (cap > RP_DOC_MAX_BYTES) {
                rc = rp__fail(err, RP_ERR_LIMIT, path, n, "input exceeds the limit of %zu bytes",
                              (size_t)RP_DOC_MAX_BYTES);
                goto done;
            }
            if (!rp__grow((void **)&buf, &cap, n + (size_t)pr + 1, 1)) goto nomem;
            memcpy(buf + n, probe, (size_t)pr);
            n += (size_t)pr;
            continue;
        }
        size_t want = cap - 1 - n;
        if (want > (1u << 30)) want = 1u << 30;
        ssize_t r = read(fd, buf + n, want);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            rc = rp__fail(err, RP_ERR_IO, path, n, "read error at byte %zu: %s", n, strerror(e));
            if (err) err->sys_errno = e;
            goto done;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    if (n > RP_DOC_MAX_BYTES) {
        rc = rp__fail(err, RP_ERR_LIMIT, path, 0, "input exceeds the limit of %zu bytes",
                      (size_t)RP_DOC_MAX_BYTES);
        goto done;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    buf = NULL;
    goto done;
nomem:
    rc = rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory reading the file");
done:
    rp__free(buf);
    if (!is_stdin) close(fd);
    return rc;
}
