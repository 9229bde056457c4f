/* outfile.c - output files that never destroy what the program did not
 * create, as coreutils' outputs behave.
 *
 * A regular file (or a path that does not exist yet) is written to a new
 * temporary file in the same directory and renamed onto the final name
 * only when rp_output_close() is told the run succeeded: a failed,
 * interrupted or killed run leaves the previous file, or nothing. On Linux
 * the temporary file is unnamed (O_TMPFILE) until the commit, so even
 * SIGKILL leaves nothing behind; elsewhere (or on file systems without
 * O_TMPFILE) it is a hidden ".NAME.XXXXXX.tmp" next to the output, which
 * rp_output_temp_path() names so a signal handler can remove it. A symbolic
 * link is followed: its target is replaced and the link stays. Anything
 * else that exists (a device, a FIFO, a terminal) and "-" (standard
 * output) are written in place and never removed or truncated.
 *
 * rp_output_check() is the other half: called before any input is read,
 * it refuses an output that is the same file as an input (same device and
 * inode, so through symbolic and hard links), lies inside an input
 * directory, or is named twice. */
#define _GNU_SOURCE /* O_TMPFILE */
#include "io/io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct rp_output {
    char *path;   /* as given (for messages) */
    char *target; /* the name renamed onto: path, or a symbolic link's target */
    char *temp;   /* the named temporary file, or NULL */
    FILE *f;
    int fd;
    bool direct;  /* written in place ("-", a device, a FIFO) */
    bool unnamed; /* an O_TMPFILE file, given a name at commit */
};

static rp_status out_io(rp_error *err, const char *path, int e, const char *what)
{
    if (e == ENOMEM) return rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory");
    rp_status st = rp__fail(err, RP_ERR_IO, path, 0, "%s: %s", what, strerror(e));
    if (err != NULL) err->sys_errno = e;
    return st;
}

/* A copy of path's directory part ("." when it has none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) return rp__strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = rp__malloc(n + 1);
    if (d == NULL) return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

/* Create (O_EXCL) a new hidden file next to target; its name goes to
 * *name. From an unnamed file (src_fd >= 0) the name is made by linking
 * it, else a new empty file is opened and its descriptor returned. */
static int make_temp(const char *target, int src_fd, char **name)
{
    static unsigned counter;
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash == NULL ? 0 : (size_t)(slash - target) + 1;
    const char *base = target + dir_len;
    size_t cap = strlen(target) + 48;
    char *p = rp__malloc(cap);
    if (p == NULL) {
        errno = ENOMEM;
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned long salt = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^
                             (unsigned long)(counter++ * 2654435761u);
        snprintf(p, cap, "%.*s.%s.%06lx.tmp", (int)dir_len, target, base, salt & 0xffffff);
        if (src_fd >= 0) {
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", src_fd);
            if (linkat(AT_FDCWD, proc, AT_FDCWD, p, AT_SYMLINK_FOLLOW) == 0) {
                *name = p;
                return src_fd;
            }
        } else {
            int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd >= 0) {
                *name = p;
                return fd;
            }
        }
        if (errno != EEXIST) break;
    }
    int e = errno;
    rp__free(p);
    errno = e;
    return -1;
}

static void output_free(rp_output *o)
{
    rp__free(o->path);
    rp__free(o->target);
    rp__free(o->temp);
    rp__free(o);
}

rp_status rp_output_open(const char *path, rp_output **out, rp_error *err)
{
    if (out == NULL) return rp__fail(err, RP_ERR_PARAM, NULL, 0, "out is NULL");
    *out = NULL;
    if (path == NULL) return rp__fail(err, RP_ERR_PARAM, NULL, 0, "path is NULL");
    rp_output *o = rp__calloc(1, sizeof *o);
    if (o == NULL || (o->path = rp__strdup(path)) == NULL) {
        rp__free(o);
        return rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory");
    }
    o->fd = -1;
    if (strcmp(path, "-") == 0) {
        o->direct = true;
        o->f = stdout;
        *out = o;
        return RP_OK;
    }
    rp_status st = RP_OK;
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode)) {
        st = rp__fail(err, RP_ERR_IO, path, 0, "is a directory");
        goto fail;
    }
    if (exists && !S_ISREG(sb.st_mode)) {
        /* A device, FIFO or socket: write in place, never truncate or remove. */
        o->direct = true;
        o->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (o->fd < 0) {
            st = out_io(err, path, errno, "cannot open for writing");
            goto fail;
        }
    } else {
        struct stat lsb;
        if (!exists && lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
            st = rp__fail(err, RP_ERR_IO, path, 0, "is a dangling symbolic link");
            goto fail;
        }
        if (exists) { /* realpath() allocates with malloc(): keep a copy of ours */
            char *real = realpath(path, NULL);
            if (real == NULL) {
                st = out_io(err, path, errno, "cannot resolve");
                goto fail;
            }
            o->target = rp__strdup(real);
            free(real);
        } else {
            o->target = rp__strdup(path);
        }
        if (o->target == NULL) {
            st = rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory");
            goto fail;
        }
#ifdef O_TMPFILE
        if (access("/proc/self/fd", X_OK) == 0) {
            char *dir = dir_of(o->target);
            if (dir == NULL) {
                st = rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory");
                goto fail;
            }
            o->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
            rp__free(dir);
            o->unnamed = o->fd >= 0;
        }
#endif
        if (o->fd < 0) o->fd = make_temp(o->target, -1, &o->temp);
        if (o->fd < 0) {
            st = out_io(err, path, errno, "cannot create");
            goto fail;
        }
        /* A replaced file keeps its permissions. */
        if (exists) (void)fchmod(o->fd, sb.st_mode & 07777);
    }
    o->f = fdopen(o->fd, "wb");
    if (o->f == NULL) {
        st = out_io(err, path, errno, "cannot open for writing");
        goto fail;
    }
    *out = o;
    return RP_OK;
fail:
    if (o->fd >= 0) close(o->fd);
    if (o->temp != NULL) unlink(o->temp);
    output_free(o);
    return st;
}

FILE *rp_output_file(rp_output *o)
{
    return o == NULL ? NULL : o->f;
}

const char *rp_output_temp_path(const rp_output *o)
{
    return o == NULL ? NULL : o->temp;
}

const char *rp_output_path(const rp_output *o)
{
    return o == NULL ? NULL : o->path;
}

rp_status rp_output_close(rp_output *o, int commit, rp_error *err)
{
    if (o == NULL) return RP_OK;
    rp_status st = RP_OK;
    int e = 0;
    if (commit && (ferror(o->f) || fflush(o->f) != 0)) {
        e = errno ? errno : EIO;
        st = o->f == stdout ? out_io(err, NULL, e, "error writing output")
                            : out_io(err, o->path, e, "write error");
    }
    if (commit && st == RP_OK && o->unnamed && make_temp(o->target, o->fd, &o->temp) < 0)
        st = out_io(err, o->path, errno, "cannot name the temporary file");
    if (o->f == stdout) {
        clearerr(stdout);
    } else if (fclose(o->f) != 0 && commit && st == RP_OK) {
        st = out_io(err, o->path, errno ? errno : EIO, "write error");
    }
    if (commit && st == RP_OK && o->temp != NULL && rename(o->temp, o->target) != 0)
        st = out_io(err, o->path, errno, "cannot rename the temporary file onto it");
    else if (commit && st == RP_OK) {
        rp__free(o->temp); /* renamed: nothing left to remove */
        o->temp = NULL;
    }
    if (o->temp != NULL) unlink(o->temp); /* ours: made by rp_output_open() or the commit */
    output_free(o);
    return st;
}

/* ---- same-file checks ---------------------------------------------------------------------- */

/* What a path names: an existing file's device and inode, or (for a file
 * yet to be made) its resolved directory and base name. */
typedef struct {
    bool exists;
    dev_t dev;
    ino_t ino;
    mode_t mode;
    char *name; /* !exists: resolved directory + "/" + base name */
} identity;

static rp_status identify(const char *path, identity *id, rp_error *err)
{
    memset(id, 0, sizeof *id);
    struct stat sb;
    if (strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &sb) == 0 : stat(path, &sb) == 0) {
        id->exists = true;
        id->dev = sb.st_dev;
        id->ino = sb.st_ino;
        id->mode = sb.st_mode;
        return RP_OK;
    }
    char *dir = dir_of(path);
    char *real = dir == NULL ? NULL : realpath(dir, NULL);
    rp__free(dir);
    const char *slash = strrchr(path, '/');
    const char *base = slash == NULL ? path : slash + 1;
    size_t n = (real != NULL ? strlen(real) : strlen(path)) + strlen(base) + 2;
    id->name = rp__malloc(n);
    if (id->name == NULL) {
        free(real);
        return rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory");
    }
    if (real != NULL)
        snprintf(id->name, n, "%s/%s", real, base);
    else
        snprintf(id->name, n, "%s", path);
    free(real);
    return RP_OK;
}

static bool same(const identity *a, const identity *b)
{
    if (a->exists != b->exists) return false;
    if (a->exists) return a->dev == b->dev && a->ino == b->ino;
    return strcmp(a->name, b->name) == 0;
}

/* Whether the existing file at path lies somewhere below directory dir. */
static bool inside(const char *path, const identity *dir)
{
    char *real = realpath(path, NULL);
    if (real == NULL) return false;
    bool found = false;
    for (char *slash; !found && (slash = strrchr(real, '/')) != NULL;) {
        if (slash == real) slash[1] = '\0';
        else
            *slash = '\0';
        struct stat sb;
        if (stat(real, &sb) == 0 && sb.st_dev == dir->dev && sb.st_ino == dir->ino) found = true;
        if (slash == real) break;
    }
    free(real);
    return found;
}

rp_status rp_output_check(const char *const *outputs, size_t n_out, const char *const *inputs,
                          size_t n_in, rp_error *err)
{
    rp_status st = RP_OK;
    identity *ids = rp__calloc(n_out + n_in + 1, sizeof *ids);
    if (ids == NULL) return rp__fail(err, RP_ERR_NOMEM, NULL, 0, "out of memory");
    identity *in_ids = ids + n_out;
    for (size_t i = 0; st == RP_OK && i < n_out; i++)
        if (outputs[i] != NULL && strcmp(outputs[i], "-") != 0)
            st = identify(outputs[i], &ids[i], err);
    for (size_t j = 0; st == RP_OK && j < n_in; j++)
        if (inputs[j] != NULL) st = identify(inputs[j], &in_ids[j], err);
    for (size_t i = 0; st == RP_OK && i < n_out; i++) {
        const char *out = outputs[i];
        if (out == NULL || strcmp(out, "-") == 0) continue;
        const identity *o = &ids[i];
        for (size_t k = 0; st == RP_OK && k < i; k++)
            if (outputs[k] != NULL && strcmp(outputs[k], "-") != 0 && same(o, &ids[k]) &&
                !(o->exists && S_ISCHR(o->mode)))
                st = rp__fail(err, RP_ERR_PARAM, out, 0, "is named as two outputs (also as %s)",
                              outputs[k]);
        /* A terminal or /dev/null may be read and written at once. */
        if (!o->exists || S_ISCHR(o->mode)) continue;
        for (size_t j = 0; st == RP_OK && j < n_in; j++) {
            const identity *in = &in_ids[j];
            if (inputs[j] == NULL || !in->exists) continue;
            if (same(o, in))
                st = rp__fail(err, RP_ERR_PARAM, out, 0,
                              "is also an input (%s); refusing to write over it", inputs[j]);
            else if (S_ISDIR(in->mode) && S_ISREG(o->mode) && inside(out, in))
                st = rp__fail(err, RP_ERR_PARAM, out, 0,
                              "lies inside the input directory %s and would be read as input; "
                              "refusing to write over it",
                              inputs[j]);
        }
    }
    for (size_t i = 0; i < n_out + n_in; i++)
        rp__free(ids[i].name);
    rp__free(ids);
    return st;
}
