/* tmpfile.c - anonymous temporary files for spilled data.
 *
 * The external sorter's runs, scan's text store and dedup's spilled
 * signatures live in files made here: created in a directory with mkstemp
 * and unlinked at once, so nothing is left behind however the process ends
 * (success, error, Ctrl-C or SIGKILL). Reads and writes are whole, at
 * explicit offsets, retried on EINTR; a failure names the directory. */
#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

rp_status rp__tmp_open(const char *dir, int *fd, rp_error *err)
{
    size_t len = strlen(dir) + 32;
    char *path = rp__malloc(len);
    if (path == NULL) return rp__nomem(err, "");
    snprintf(path, len, "%s/reprint-XXXXXX", dir);
    *fd = mkstemp(path);
    if (*fd < 0) {
        int e = errno;
        rp__fail(err, RP_ERR_IO, dir, 0, "cannot create a temporary file in %s: %s", dir,
                 strerror(e));
        if (err != NULL) err->sys_errno = e;
        rp__free(path);
        return RP_ERR_IO;
    }
    unlink(path);
    rp__free(path);
    return RP_OK;
}

rp_status rp__tmp_error(const char *dir, rp_error *err, const char *what)
{
    int e = errno ? errno : EIO;
    rp__fail(err, RP_ERR_IO, dir, 0, "%s a temporary file in %s: %s", what, dir, strerror(e));
    if (err != NULL) err->sys_errno = e;
    return RP_ERR_IO;
}

rp_status rp__tmp_write(int fd, const void *p, size_t n, uint64_t off, const char *dir,
                        rp_error *err)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = pwrite(fd, c, n, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return rp__tmp_error(dir, err, "cannot write");
        c += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return RP_OK;
}

rp_status rp__tmp_read(int fd, void *p, size_t n, uint64_t off, const char *dir, rp_error *err)
{
    char *c = p;
    while (n > 0) {
        ssize_t r = pread(fd, c, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return rp__tmp_error(dir, err, "cannot read");
        c += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return RP_OK;
}
