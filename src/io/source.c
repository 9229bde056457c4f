/* source.c - corpus input: records from files, directories and standard
 * input, for the commands that read whole corpora.
 *
 * An rp_source visits its paths in order. Directories are walked depth
 * first; each directory's entries are sorted by name, with a '/' appended
 * to the names of subdirectories, which visits the files in the byte order
 * of their full paths (everything below "d/" sorts between the siblings
 * that sort around "d/"). Each file is opened as a byte stream
 * (decompress.c) and is either JSONL, read line by line, or plain text, one
 * record.
 *
 * A JSONL line is checked with cJSON. The values themselves are read from
 * the line: cJSON's strings end at the first NUL and carry no length (text
 * may hold \u0000), and its numbers are doubles (ids beyond 2^53 would
 * change). So once cJSON has accepted the line, find_fields() walks its top
 * level to the text and id members and rp__json_unescape() decodes them, which
 * also keeps error offsets in the line's own bytes.
 *
 * Lines that fit in the stream's current chunk are used in place; only a
 * line that spans chunks is copied, into a buffer that grows as needed. */
#include "io/io.h"

#include <assert.h>
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

typedef enum input_kind { INPUT_FILE, INPUT_DIR, INPUT_STDIN, INPUT_MEM, INPUT_RANGE } input_kind;

typedef struct input {
    char *path;
    input_kind kind;
    uint64_t start, end, lines_before; /* INPUT_RANGE (rp__source_add_range) */
    int fd, tee; /* rp__source_input_fd(); -1: none */
} input;

/* An entry of a directory being walked. key is the name, with '/' appended
 * for a directory; err is the errno to report when the entry is reached
 * (a broken symbolic link, an entry that vanished), else 0. */
typedef struct walk_entry {
    char *key;
    bool is_dir;
    int err;
} walk_entry;

typedef struct walk_dir {
    char *path; /* ends with '/' */
    dev_t dev;
    ino_t ino;
    walk_entry *entries;
    size_t n, cap, next;
} walk_dir;

struct rp_source {
    char *text_field, *id_field;
    size_t text_field_len, id_field_len;
    bool skip_bad, lossy, hidden;
    char **include, **exclude; /* NULL-terminated copies, or NULL */
    void (*on_skip)(void *user, const char *path, const char *reason);
    void *skip_user;
    size_t skipped_files;
    bool sniffed;     /* the current file is JSONL by its content, not its name */
    size_t limit;     /* the most a document may hold: less from a device */
    bool file_good;   /* the current file gave a record already */
    input *inputs;
    size_t n_inputs, next_input, inputs_cap;
    const void *mem; /* INPUT_MEM only (borrowed) */
    size_t mem_len;
    walk_dir *dirs; /* the directories being walked, outermost first */
    size_t n_dirs, cap_dirs;
    /* The file being read. */
    char *path;
    rp__stream *stream;
    bool jsonl;
    char *chunk; /* bytes from the stream (or head), read up to chunk_pos */
    size_t chunk_len, chunk_pos;
    uint64_t chunk_at; /* the file offset of chunk[0] (decompressed) */
    uint64_t line_at;  /* the file offset of the line last read */
    uint64_t raw_at;   /* the file offset of rec.raw */
    uint64_t file_no;  /* files opened so far */
    bool seekable;     /* the file is a regular, uncompressed file (pread-able) */
    bool eof;
    uint64_t line_no;
    /* Buffers reused from record to record. */
    char *head; /* the start of a sniffed file, or a whole plain file */
    size_t head_len, head_cap;
    char *line; /* a line that spans chunks */
    size_t line_len, line_cap;
    char *text, *id, *key;
    size_t text_cap, id_cap, key_cap;
    char *check; /* a line with its text value replaced by "" for cJSON */
    size_t check_cap;
    rp_record rec;
    size_t skipped;
    uint64_t bytes_done;     /* raw bytes of the files closed so far */
    int stdin_fd, stdin_tee; /* rp__source_stdin(); -1: defaults */
    bool trusted;            /* rp__source_trusted(): lines already validated */
    rp_status failed;        /* an error is final: later calls repeat it */
    rp_error failure;
    /* The byte range being read (INPUT_RANGE): its descriptor (else -1)
     * and the bytes of it not yet taken from the stream. */
    int range_fd;
    uint64_t range_left;
};

void rp_source_opts_init(rp_source_opts *o)
{
    memset(o, 0, sizeof *o);
    o->text_field = "text";
    o->id_field = "id";
    o->skip_bad = 0;
    o->lossy = 0;
}

/* A NULL-terminated copy of a NULL-terminated list (NULL for NULL). */
static bool copy_globs(const char *const *list, char ***out)
{
    *out = NULL;
    if (list == NULL) return true;
    size_t n = 0;
    while (list[n] != NULL)
        n++;
    char **v = rp__calloc(n + 1, sizeof *v);
    if (v == NULL) return false;
    *out = v;
    for (size_t i = 0; i < n; i++)
        if ((v[i] = rp__strdup(list[i])) == NULL) return false;
    return true;
}

static void free_globs(char **v)
{
    for (size_t i = 0; v != NULL && v[i] != NULL; i++)
        rp__free(v[i]);
    rp__free(v);
}

static bool glob_match(char *const *globs, const char *name)
{
    for (size_t i = 0; globs[i] != NULL; i++)
        if (fnmatch(globs[i], name, FNM_PERIOD) == 0) return true;
    return false;
}

/* Append n bytes to the NUL-terminated buffer *buf (length *len). */
static bool append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (n > SIZE_MAX - 1 - *len || !rp__grow((void **)buf, cap, *len + n + 1, 1)) return false;
    if (n > 0) memcpy(*buf + *len, p, n);
    *len += n;
    (*buf)[*len] = '\0';
    return true;
}

static rp_status io_error(rp_error *err, const char *path, int e, const char *what)
{
    rp__fail(err, RP_ERR_IO, path, 0, "%s: %s", what, strerror(e));
    if (err) err->sys_errno = e;
    return RP_ERR_IO;
}

/* ---- opening and closing ------------------------------------------------ */

/* A source with room for n_inputs inputs; NULL when out of memory. */
static rp_source *source_new(const rp_source_opts *opts, size_t n_inputs)
{
    rp_source_opts defaults;
    rp_source_opts_init(&defaults);
    if (opts == NULL) opts = &defaults;
    const char *tf = opts->text_field ? opts->text_field : defaults.text_field;
    const char *idf = opts->id_field ? opts->id_field : defaults.id_field;
    rp_source *s = rp__calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->text_field_len = strlen(tf);
    s->id_field_len = strlen(idf);
    s->skip_bad = opts->skip_bad != 0;
    s->lossy = opts->lossy != 0;
    s->hidden = opts->hidden != 0;
    s->on_skip = opts->on_skip;
    s->skip_user = opts->skip_user;
    s->stdin_fd = s->stdin_tee = -1;
    s->range_fd = -1;
    s->inputs_cap = n_inputs ? n_inputs : 1;
    if (!copy_globs(opts->include, &s->include) || !copy_globs(opts->exclude, &s->exclude) ||
        (s->text_field = rp__memdup0(tf, s->text_field_len)) == NULL ||
        (s->id_field = rp__memdup0(idf, s->id_field_len)) == NULL ||
        (s->inputs = rp__calloc(n_inputs ? n_inputs : 1, sizeof *s->inputs)) == NULL) {
        rp_source_free(s);
        return NULL;
    }
    for (size_t i = 0; i < (n_inputs ? n_inputs : 1); i++)
        s->inputs[i].fd = s->inputs[i].tee = -1;
    s->limit = RP_DOC_MAX_BYTES;
    return s;
}

void rp__source_trusted(rp_source *s)
{
    s->trusted = true;
}

void rp__source_input_fd(rp_source *s, size_t i, int read_fd, int tee_fd)
{
    if (i >= s->n_inputs) return;
    s->inputs[i].fd = read_fd;
    s->inputs[i].tee = tee_fd;
}

bool rp__source_where(const rp_source *s, uint64_t *file_no, uint64_t *offset)
{
    if (!s->seekable || !s->jsonl || !s->rec.is_json) return false;
    *file_no = s->file_no - 1;
    *offset = s->raw_at;
    return true;
}

void rp__source_stdin(rp_source *s, int read_fd, int tee_fd)
{
    s->stdin_fd = read_fd;
    s->stdin_tee = tee_fd;
}

rp_status rp_source_open(const char *const *paths, size_t n_paths, const rp_source_opts *opts,
                         rp_source **out, rp_error *err)
{
    if (out == NULL || (paths == NULL && n_paths > 0))
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_source_open: NULL argument");
    *out = NULL;
    for (size_t i = 0; i < n_paths; i++)
        if (paths[i] == NULL)
            return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_source_open: path %zu is NULL", i);
    rp_source *s = source_new(opts, n_paths);
    if (s == NULL) return rp__nomem(err, "");
    rp_status rc = RP_OK;
    for (size_t i = 0; i < n_paths; i++) {
        input *in = &s->inputs[s->n_inputs];
        in->fd = in->tee = -1;
        struct stat st;
        if (strcmp(paths[i], "-") == 0) {
            in->kind = INPUT_STDIN;
        } else if (stat(paths[i], &st) != 0) {
            rc = io_error(err, paths[i], errno, "cannot open");
            goto fail;
        } else {
            in->kind = S_ISDIR(st.st_mode) ? INPUT_DIR : INPUT_FILE;
        }
        if ((in->path = rp__memdup0(paths[i], strlen(paths[i]))) == NULL) {
            rc = rp__nomem(err, paths[i]);
            goto fail;
        }
        s->n_inputs++;
    }
    *out = s;
    return RP_OK;
fail:
    rp_source_free(s);
    return rc;
}

rp_status rp__source_open_mem(const char *name, const void *data, size_t len,
                              const rp_source_opts *opts, rp_source **out, rp_error *err)
{
    if (out == NULL || name == NULL || (data == NULL && len > 0))
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp__source_open_mem: NULL argument");
    *out = NULL;
    rp_source *s = source_new(opts, 1);
    if (s == NULL) return rp__nomem(err, name);
    s->mem = data;
    s->mem_len = len;
    s->inputs[0].kind = INPUT_MEM;
    if ((s->inputs[0].path = rp__memdup0(name, strlen(name))) == NULL) {
        rp_source_free(s);
        return rp__nomem(err, name);
    }
    s->n_inputs = 1;
    *out = s;
    return RP_OK;
}

/* Close the current file's stream. The path stays: the last record names it. */
static void close_stream(rp_source *s)
{
    if (s->stream == NULL) return;
    s->bytes_done += rp__stream_bytes(s->stream);
    rp__stream_close(s->stream);
    s->stream = NULL;
    if (s->range_fd >= 0) close(s->range_fd);
    s->range_fd = -1;
    s->chunk = NULL;
    s->chunk_len = s->chunk_pos = 0;
}

static void dir_pop(rp_source *s)
{
    assert(s->n_dirs > 0);
    walk_dir *d = &s->dirs[--s->n_dirs];
    for (size_t i = 0; i < d->n; i++)
        rp__free(d->entries[i].key);
    rp__free(d->entries);
    rp__free(d->path);
}

void rp_source_free(rp_source *src)
{
    if (src == NULL) return;
    close_stream(src);
    while (src->n_dirs > 0)
        dir_pop(src);
    rp__free(src->dirs);
    for (size_t i = 0; src->inputs != NULL && i < src->n_inputs; i++)
        rp__free(src->inputs[i].path);
    rp__free(src->inputs);
    rp__free(src->text_field);
    rp__free(src->id_field);
    free_globs(src->include);
    free_globs(src->exclude);
    rp__free(src->path);
    rp__free(src->head);
    rp__free(src->line);
    rp__free(src->text);
    rp__free(src->id);
    rp__free(src->key);
    rp__free(src->check);
    rp__free(src);
}

size_t rp_source_skipped(const rp_source *src)
{
    return src->skipped;
}

size_t rp_source_skipped_files(const rp_source *src)
{
    return src->skipped_files;
}

uint64_t rp_source_bytes(const rp_source *src)
{
    return src->bytes_done + (src->stream ? rp__stream_bytes(src->stream) : 0);
}

/* ---- the directory walk ------------------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const walk_entry *)a)->key, ((const walk_entry *)b)->key);
}

/* The name of a directory path for messages: without its final '/'. */
static void dir_label(const char *path, char *buf, size_t cap)
{
    size_t n = strlen(path);
    if (n > 1 && path[n - 1] == '/') n--;
    snprintf(buf, cap, "%.*s", (int)(n < (size_t)INT32_MAX ? n : 0), path);
}

/* Classify one entry of a directory (full is its path) into e. Returns false
 * when the entry is to be left out: not a regular file or directory, or a
 * symbolic link that loops. */
static bool classify(const char *full, walk_entry *e)
{
    struct stat st;
    e->is_dir = false;
    e->err = 0;
    if (lstat(full, &st) != 0) {
        e->err = errno;
        return true;
    }
    if (S_ISLNK(st.st_mode) && stat(full, &st) != 0) {
        if (errno == ELOOP) return false;
        e->err = errno;
        return true;
    }
    if (S_ISDIR(st.st_mode)) {
        e->is_dir = true;
        return true;
    }
    return S_ISREG(st.st_mode);
}

/* Read directory path (owned by the walk from here on; ends with '/'),
 * sort its entries and push it. A directory already on the stack (a link
 * back up the tree) is left out. */
static rp_status dir_push(rp_source *s, char *path, rp_error *err)
{
    char label[512];
    dir_label(path, label, sizeof label);
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        rp__free(path);
        return io_error(err, label, e, "cannot open directory");
    }
    for (size_t i = 0; i < s->n_dirs; i++) {
        if (s->dirs[i].dev == st.st_dev && s->dirs[i].ino == st.st_ino) {
            rp__free(path);
            return RP_OK;
        }
    }
    if (!rp__grow((void **)&s->dirs, &s->cap_dirs, s->n_dirs + 1, sizeof *s->dirs)) {
        rp__free(path);
        return rp__nomem(err, label);
    }
    walk_dir *d = &s->dirs[s->n_dirs];
    memset(d, 0, sizeof *d);
    d->path = path;
    d->dev = st.st_dev;
    d->ino = st.st_ino;
    s->n_dirs++; /* from here on, dir_pop() frees what d holds */
    DIR *dir = opendir(path);
    if (dir == NULL) {
        int e = errno;
        dir_pop(s);
        return io_error(err, label, e, "cannot open directory");
    }
    rp_status rc = RP_OK;
    char *full = NULL;
    size_t full_len = 0, full_cap = 0;
    size_t path_len = strlen(path);
    for (;;) {
        errno = 0;
        const struct dirent *de = readdir(dir);
        if (de == NULL) {
            if (errno != 0) rc = io_error(err, label, errno, "cannot read directory");
            break;
        }
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
        if (name[0] == '.' && !s->hidden) continue; /* .git, .DS_Store, editor files */
        if (s->exclude != NULL && glob_match(s->exclude, name)) continue;
        size_t name_len = strlen(name);
        full_len = 0;
        if (!append(&full, &full_len, &full_cap, path, path_len) ||
            !append(&full, &full_len, &full_cap, name, name_len) ||
            !rp__grow((void **)&d->entries, &d->cap, d->n + 1, sizeof *d->entries)) {
            rc = rp__nomem(err, label);
            break;
        }
        walk_entry *e = &d->entries[d->n];
        if (!classify(full, e)) continue;
        if (!e->is_dir && s->include != NULL && !glob_match(s->include, name)) continue;
        if ((e->key = rp__malloc(name_len + 2)) == NULL) {
            rc = rp__nomem(err, label);
            break;
        }
        memcpy(e->key, name, name_len);
        e->key[name_len] = e->is_dir ? '/' : '\0';
        e->key[name_len + 1] = '\0';
        d->n++;
    }
    closedir(dir);
    rp__free(full);
    if (rc != RP_OK) {
        dir_pop(s);
        return rc;
    }
    if (d->n > 1) qsort(d->entries, d->n, sizeof *d->entries, entry_cmp);
    return RP_OK;
}

/* The next file to read: *path (owned by the caller) and its kind, or
 * *path == NULL when every input has been read. */
static rp_status next_path(rp_source *s, char **path, input_kind *kind, const input **given,
                           rp_error *err)
{
    *path = NULL;
    *given = NULL;
    for (;;) {
        if (s->n_dirs > 0) {
            walk_dir *d = &s->dirs[s->n_dirs - 1];
            if (d->next == d->n) {
                dir_pop(s);
                continue;
            }
            const walk_entry *e = &d->entries[d->next++];
            size_t len = 0, cap = 0;
            char *full = NULL;
            if (!append(&full, &len, &cap, d->path, strlen(d->path)) ||
                !append(&full, &len, &cap, e->key, strlen(e->key))) {
                rp__free(full);
                return rp__nomem(err, d->path);
            }
            if (e->err != 0) {
                rp_status rc = io_error(err, full, e->err, "cannot open");
                rp__free(full);
                return rc;
            }
            if (e->is_dir) {
                RP_TRY(dir_push(s, full, err));
                continue;
            }
            *path = full;
            *kind = INPUT_FILE;
            return RP_OK;
        }
        if (s->next_input == s->n_inputs) return RP_OK;
        const input *in = &s->inputs[s->next_input++];
        size_t len = strlen(in->path), cap = 0, n = 0;
        char *p = NULL;
        if (!append(&p, &n, &cap, in->path, len) ||
            (in->kind == INPUT_DIR && (len == 0 || in->path[len - 1] != '/') &&
             !append(&p, &n, &cap, "/", 1))) {
            rp__free(p);
            return rp__nomem(err, in->path);
        }
        if (in->kind == INPUT_DIR) {
            RP_TRY(dir_push(s, p, err));
            continue;
        }
        *path = p;
        *kind = in->kind;
        *given = in;
        return RP_OK;
    }
}

rp_status rp__source_next_file(rp_source *s, char **path, rp_error *err)
{
    input_kind kind;
    const input *given;
    RP_TRY(next_path(s, path, &kind, &given, err));
    if (*path != NULL && kind == INPUT_STDIN) {
        rp__free(*path);
        if ((*path = rp__strdup("-")) == NULL) return rp__nomem(err, "-");
    }
    return RP_OK;
}

rp_status rp__source_add_range(rp_source *s, const char *path, uint64_t start, uint64_t end,
                               uint64_t lines_before, rp_error *err)
{
    if (!rp__grow((void **)&s->inputs, &s->inputs_cap, s->n_inputs + 1, sizeof *s->inputs))
        return rp__nomem(err, path);
    input *in = &s->inputs[s->n_inputs];
    memset(in, 0, sizeof *in);
    in->fd = in->tee = -1;
    in->kind = start == 0 && end == UINT64_MAX ? INPUT_FILE : INPUT_RANGE;
    in->start = start;
    in->end = end;
    in->lines_before = lines_before;
    if ((in->path = rp__strdup(path)) == NULL) return rp__nomem(err, path);
    s->n_inputs++;
    return RP_OK;
}

/* Open bytes [start, end) of an uncompressed JSONL file as the stream. */
static rp_status open_range(rp_source *s, const input *in, rp_error *err)
{
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error(err, s->path, errno, "cannot open");
    if (lseek(fd, (off_t)in->start, SEEK_SET) < 0) {
        int e = errno;
        close(fd);
        return io_error(err, s->path, e, "cannot read");
    }
    rp_status rc = rp__stream_open_fd(s->path, fd, -1, &s->stream, err);
    if (rc != RP_OK) {
        close(fd);
        return rc;
    }
    s->range_fd = fd;
    s->range_left = in->end - in->start;
    s->line_no = in->lines_before;
    s->jsonl = true;
    return RP_OK;
}

/* ---- recognizing the format ---------------------------------------------- */

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    if (n < k) return false;
    for (size_t i = 0; i < k; i++) {
        char c = s[n - k + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return false;
    }
    return true;
}

/* Whether the name says JSONL: .jsonl or .json, before .gz/.zst/.zstd. */
static bool name_is_jsonl(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (ends_with(base, n, ".gz"))
        n -= 3;
    else if (ends_with(base, n, ".zst"))
        n -= 4;
    else if (ends_with(base, n, ".zstd"))
        n -= 5;
    return ends_with(base, n, ".jsonl") || ends_with(base, n, ".json");
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* A document past s->limit: the whole-file limit, or the smaller one of a
 * device, which may never end (/dev/zero). */
static rp_status over_limit(const rp_source *s, rp_error *err)
{
    if (s->limit < RP_DOC_MAX_BYTES)
        return rp__fail(err, RP_ERR_LIMIT, s->path, s->head_len,
                        "a device that gave over %zu bytes without ending a document (is it "
                        "/dev/zero?)",
                        s->limit);
    return rp__fail(err, RP_ERR_LIMIT, s->path, s->head_len,
                    "document exceeds the limit of %zu bytes", (size_t)RP_DOC_MAX_BYTES);
}

/* Decide from the content whether the current file is JSONL: its first
 * bytes other than blanks (and a leading byte order mark) are '{' and then
 * '"' or '}'. What was read stays available in s->chunk. */
static rp_status sniff(rp_source *s, rp_error *err)
{
    static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};
    int state = 0;    /* 0: before '{', 1: after '{' */
    int verdict = -1; /* undecided, else 0 (plain) or 1 (JSONL) */
    uint64_t at = 0;  /* offset in the file */
    uint64_t bom_run = 0;
    s->head_len = 0;
    while (verdict < 0) {
        char *data;
        size_t len;
        RP_TRY(rp__stream_read(s->stream, &data, &len, err));
        if (len == 0) {
            s->eof = true;
            break;
        }
        const char *wide = at == 0 ? rp__utf16_bom((const uint8_t *)data, len) : NULL;
        if (wide != NULL) return rp__bom_error(err, s->path, wide);
        for (size_t i = 0; i < len && verdict < 0; i++, at++) {
            uint8_t c = (uint8_t)data[i];
            if (at < 3 && bom_run == at) {
                if (c == bom[at]) {
                    bom_run++;
                    continue;
                }
                if (at > 0) {
                    verdict = 0; /* a broken byte order mark */
                    break;
                }
            }
            if (is_blank(c)) continue;
            if (state == 0 && c == '{')
                state = 1;
            else
                verdict = state == 1 && (c == '"' || c == '}');
        }
        if (verdict >= 0 && s->head_len == 0) {
            s->chunk = data; /* decided in the first chunk: no copy */
            s->chunk_len = len;
            s->chunk_pos = 0;
            s->jsonl = verdict == 1;
            return RP_OK;
        }
        if (len > s->limit || s->head_len > s->limit - len) return over_limit(s, err);
        if (!append(&s->head, &s->head_len, &s->head_cap, data, len))
            return rp__nomem(err, s->path);
    }
    s->jsonl = verdict == 1;
    s->chunk = s->head;
    s->chunk_len = s->head_len;
    s->chunk_pos = 0;
    return RP_OK;
}

/* Open the next file: *end is set when there is none. */
static rp_status open_next(rp_source *s, bool *end, rp_error *err)
{
    *end = false;
    char *path;
    input_kind kind;
    const input *given;
    RP_TRY(next_path(s, &path, &kind, &given, err));
    if (path == NULL) {
        *end = true;
        return RP_OK;
    }
    rp__free(s->path);
    s->path = path;
    s->line_no = 0;
    s->eof = false;
    s->chunk = NULL;
    s->chunk_len = s->chunk_pos = 0;
    s->chunk_at = 0;
    s->file_no++;
    s->seekable = false;
    s->head_len = 0;
    if (s->head_cap > 4 * RP__STREAM_CHUNK) { /* a large plain file came before */
        rp__free(s->head);
        s->head = NULL;
        s->head_cap = 0;
    }
    if (kind == INPUT_RANGE) return open_range(s, given, err);
    if (kind == INPUT_MEM)
        RP_TRY(rp__stream_open_mem(path, s->mem, s->mem_len, &s->stream, err));
    else if (kind == INPUT_STDIN && (s->stdin_fd >= 0 || s->stdin_tee >= 0))
        RP_TRY(rp__stream_open_fd(path, s->stdin_fd >= 0 ? s->stdin_fd : STDIN_FILENO, s->stdin_tee,
                                  &s->stream, err));
    else if (given != NULL && given->fd >= 0)
        RP_TRY(rp__stream_open_fd(path, given->fd, -1, &s->stream, err));
    else if (given != NULL && given->tee >= 0)
        RP_TRY(rp__stream_open_tee(path, given->tee, &s->stream, err));
    else
        RP_TRY(rp__stream_open(path, &s->stream, err));
    struct stat sb;
    const bool have_stat = kind == INPUT_FILE && stat(path, &sb) == 0;
    const bool device = have_stat && (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode));
    s->limit = device ? RP__DEVICE_MAX : RP_DOC_MAX_BYTES;
    s->file_good = false;
    s->sniffed = false;
    /* pread-able again by its path: a regular, uncompressed file read as
     * itself (not a FIFO or device, nor one read from its spool) */
    s->seekable = have_stat && S_ISREG(sb.st_mode) && (given == NULL || given->fd < 0) &&
                  (given == NULL || given->tee < 0) &&
                  rp__stream_codec(s->stream) == RP__CODEC_PLAIN;
    if (name_is_jsonl(path)) {
        s->jsonl = true;
        return RP_OK;
    }
    RP_TRY(sniff(s, err));
    s->sniffed = s->jsonl;
    return RP_OK;
}

/* ---- plain text ---------------------------------------------------------- */

static rp_status read_plain(rp_source *s, rp_error *err)
{
    if (s->chunk != s->head) {
        s->head_len = 0;
        if (!append(&s->head, &s->head_len, &s->head_cap, s->chunk + s->chunk_pos,
                    s->chunk_len - s->chunk_pos))
            return rp__nomem(err, s->path);
    }
    s->chunk = NULL;
    s->chunk_len = s->chunk_pos = 0;
    while (!s->eof) {
        char *data;
        size_t len;
        RP_TRY(rp__stream_read(s->stream, &data, &len, err));
        if (len == 0) break;
        if (len > s->limit || s->head_len > s->limit - len) return over_limit(s, err);
        if (!append(&s->head, &s->head_len, &s->head_cap, data, len))
            return rp__nomem(err, s->path);
    }
    const char *text = s->head ? s->head : "";
    size_t len = s->head_len;
    if (len > RP_DOC_MAX_BYTES)
        return rp__fail(err, RP_ERR_LIMIT, s->path, 0, "document exceeds the limit of %zu bytes",
                        (size_t)RP_DOC_MAX_BYTES);
    if (!s->lossy) {
        bool is_nul;
        size_t bad = rp__utf8_check((const uint8_t *)text, len, &is_nul);
        if (bad < len && is_nul)
            return rp__fail(err, RP_ERR_FORMAT, s->path, bad,
                            "NUL byte at offset %zu: binary file, not text (use --lossy to "
                            "read it anyway)",
                            bad);
        if (bad < len)
            return rp__fail(err, RP_ERR_UTF8, s->path, bad,
                            "invalid UTF-8 at byte offset %zu (byte 0x%02X; use --lossy to "
                            "replace bad bytes)",
                            bad, (unsigned)(uint8_t)text[bad]);
    }
    rp_record *r = &s->rec;
    memset(r, 0, sizeof *r);
    r->id = s->path;
    r->id_len = strlen(s->path);
    r->text = r->raw = text;
    r->text_len = r->raw_len = len;
    r->path = s->path;
    r->line = 0;
    r->is_json = 0;
    r->text_member_start = r->text_member_end = 0;
    r->id_member_start = r->id_member_end = 0;
    return RP_OK;
}

/* ---- JSONL --------------------------------------------------------------- */

/* The next line of the current file, without its '\n' and NUL-terminated
 * (writable: it may be the stream's own buffer); *line == NULL at the end. */
static rp_status next_line(rp_source *s, char **line, size_t *len, rp_error *err)
{
    bool partial = false;
    s->line_len = 0;
    s->line_at = s->chunk_at + s->chunk_pos;
    *line = NULL;
    *len = 0;
    for (;;) {
        if (s->chunk_pos < s->chunk_len) {
            char *p = s->chunk + s->chunk_pos;
            size_t avail = s->chunk_len - s->chunk_pos;
            char *nl = memchr(p, '\n', avail);
            size_t n = nl ? (size_t)(nl - p) : avail;
            s->chunk_pos += nl ? n + 1 : n;
            if (nl != NULL && !partial) {
                *nl = '\0';
                s->line_no++;
                *line = p;
                *len = n;
                return RP_OK;
            }
            if (!append(&s->line, &s->line_len, &s->line_cap, p, n)) return rp__nomem(err, s->path);
            partial = true;
            if (nl != NULL) break;
            continue;
        }
        if (s->eof) {
            if (!partial) return RP_OK;
            break;
        }
        char *data;
        size_t got;
        RP_TRY(rp__stream_read(s->stream, &data, &got, err));
        s->chunk_at += s->chunk_len;
        if (s->range_fd >= 0) { /* a byte range: stop at its end */
            if (got > s->range_left) got = (size_t)s->range_left;
            s->range_left -= got;
        }
        s->chunk = data;
        s->chunk_len = got;
        s->chunk_pos = 0;
        if (got == 0) s->eof = true;
    }
    s->line_no++;
    *line = s->line;
    *len = s->line_len;
    return RP_OK;
}

/* Fail for a bad line: fill err with the position, line and message. */
static rp_status bad_line(rp_source *s, rp_error *err, rp_status code, size_t offset,
                          const char *msg)
{
    rp__fail(err, code, s->path, offset, "%s", msg);
    if (err) err->line = s->line_no;
    return code;
}

/* The id of a record from a number token: as written, except that an
 * integer written with a zero fraction ("42.0") loses it. */
static size_t number_id(const char *p, size_t n)
{
    size_t i = p[0] == '-' ? 1 : 0, digits = i;
    while (digits < n && p[digits] >= '0' && p[digits] <= '9')
        digits++;
    if (digits == i || digits == n || p[digits] != '.') return n;
    size_t j = digits + 1;
    while (j < n && p[j] == '0')
        j++;
    return j == n && j > digits + 1 ? digits : n;
}

static rp_status set_id(rp_source *s, const char *p, size_t n, size_t *len)
{
    if (!rp__grow((void **)&s->id, &s->id_cap, n + 1, 1)) return RP_ERR_NOMEM;
    memcpy(s->id, p, n);
    s->id[n] = '\0';
    *len = n;
    return RP_OK;
}

/* Make a record of one JSONL line (p[0..len), writable, p[len] == '\0').
 * *use is false for a blank line. Per-line problems return their status
 * with err filled (the caller may skip them); RP_ERR_NOMEM is never a
 * per-line problem. */
static rp_status parse_line(rp_source *s, char *p, size_t len, bool *use, rp_error *err)
{
    char msg[200];
    *use = false;
    if (len > 0 && p[len - 1] == '\r') p[--len] = '\0';
    size_t base = 0; /* a byte order mark is dropped; offsets still count it */
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) base = 3;
    char *line = p + base;
    size_t n = len - base;
    size_t k = 0;
    while (k < n && is_blank((uint8_t)line[k]))
        k++;
    if (k == n) return RP_OK;
    if (s->line_no == 1 && rp__utf16_bom((const uint8_t *)p, len) != NULL) /* it holds NULs */
        return rp__bom_error(err, s->path, rp__utf16_bom((const uint8_t *)p, len));
    const char *nul = memchr(line, '\0', n);
    if (nul != NULL) {
        size_t at = base + (size_t)(nul - line);
        snprintf(msg, sizeof msg, "NUL byte at byte %zu of the line: not JSON text", at);
        return bad_line(s, err, RP_ERR_PARSE, at, msg);
    }
    rp__json_span tv, iv;
    if (rp__json_find_members(line, n, s->text_field, s->text_field_len, s->id_field,
                              s->id_field_len, &s->key, &s->key_cap, &tv, &iv) != RP_OK)
        return rp__nomem(err, s->path);
    /* cJSON checks the line, but it need not copy the text, most of it:
     * when the text member is a string with valid escapes, the line with
     * that value replaced by "" is checked instead, which cJSON accepts
     * exactly when it accepts the line (rp__json_string_ok). Otherwise, or
     * when that copy fails, the line itself, for cJSON's error offset.
     * A trusted second reading skips the check (the field walk never
     * trusts the line either way), except for the first record of a file
     * taken for JSONL by its content: with skip_bad, a bad one skips the
     * whole file, and both readings must skip the same files. */
    const bool check = !s->trusted || (s->sniffed && !s->file_good);
    bool valid = false;
    if (check && tv.found && line[tv.start] == '"' && tv.end - tv.start >= 2 &&
        rp__json_string_ok(line + tv.start + 1, tv.end - tv.start - 2)) {
        size_t m = n - (tv.end - tv.start) + 2;
        if (!rp__grow((void **)&s->check, &s->check_cap, m + 1, 1)) return rp__nomem(err, s->path);
        memcpy(s->check, line, tv.start);
        memcpy(s->check + tv.start, "\"\"", 2);
        memcpy(s->check + tv.start + 2, line + tv.end, n - tv.end);
        s->check[m] = '\0';
        cJSON *root = cJSON_ParseWithLengthOpts(s->check, m + 1, NULL, 1);
        valid = root != NULL && cJSON_IsObject(root);
        cJSON_Delete(root);
    }
    /* n + 1: the terminating NUL is part of the buffer, as cJSON's
     * require_null_terminated check wants. */
    if (check && !valid) {
        const char *end = NULL;
        cJSON *root = cJSON_ParseWithLengthOpts(line, n + 1, &end, 1);
        if (root == NULL) {
            size_t at =
                base + (end != NULL && end >= line && end <= line + n ? (size_t)(end - line) : 0);
            snprintf(msg, sizeof msg,
                     "invalid JSON at byte %zu of the line (JSONL: one JSON object per line)", at);
            return bad_line(s, err, RP_ERR_PARSE, at, msg);
        }
        bool is_object = cJSON_IsObject(root);
        cJSON_Delete(root);
        if (!is_object)
            return bad_line(s, err, RP_ERR_PARSE, base,
                            "not a JSON object (JSONL: one JSON object per line)");
    }
    if (!tv.found || line[tv.start] != '"') {
        snprintf(msg, sizeof msg, "field '%.64s' missing or not a string", s->text_field);
        return bad_line(s, err, RP_ERR_PARSE, base + (tv.found ? tv.start : 0), msg);
    }
    const char *body = line + tv.start + 1;
    size_t body_len = tv.end - tv.start - 2, body_at = base + tv.start + 1;
    if (!s->lossy && !s->trusted) {
        bool is_nul;
        size_t bad = rp__utf8_check((const uint8_t *)body, body_len, &is_nul);
        if (bad < body_len) {
            snprintf(msg, sizeof msg,
                     "invalid UTF-8 at byte %zu of the line, in field '%.64s' (byte 0x%02X; use "
                     "--lossy to replace bad bytes)",
                     body_at + bad, s->text_field, (unsigned)(uint8_t)body[bad]);
            return bad_line(s, err, RP_ERR_UTF8, body_at + bad, msg);
        }
    }
    size_t text_len, nul_at, bad_at;
    if (!rp__json_unescape(body, body_len, &s->text, &s->text_cap, &text_len, &nul_at, &bad_at))
        return rp__nomem(err, s->path);
    if (bad_at != SIZE_MAX) {
        snprintf(msg, sizeof msg, "invalid escape at byte %zu of the line", body_at + bad_at);
        return bad_line(s, err, RP_ERR_PARSE, body_at + bad_at, msg);
    }
    if (text_len > RP_DOC_MAX_BYTES) {
        snprintf(msg, sizeof msg, "text of %zu bytes exceeds the limit of %zu bytes", text_len,
                 (size_t)RP_DOC_MAX_BYTES);
        return bad_line(s, err, RP_ERR_LIMIT, body_at, msg);
    }
    if (nul_at != SIZE_MAX && !s->lossy) {
        snprintf(msg, sizeof msg,
                 "\\u0000 (NUL) at byte %zu of the line, in field '%.64s': binary data, not text "
                 "(use --lossy to read it anyway)",
                 body_at + nul_at, s->text_field);
        return bad_line(s, err, RP_ERR_FORMAT, body_at + nul_at, msg);
    }
    size_t id_len = 0;
    const char *iv_p = line + iv.start;
    size_t iv_n = iv.end - iv.start;
    if (!iv.found || (iv_n == 4 && memcmp(iv_p, "null", 4) == 0)) {
        size_t need = strlen(s->path) + 24;
        if (!rp__grow((void **)&s->id, &s->id_cap, need, 1)) return rp__nomem(err, s->path);
        id_len = (size_t)snprintf(s->id, need, "%s:%" PRIu64, s->path, s->line_no);
    } else if (iv_p[0] == '"') {
        if (!rp__json_unescape(iv_p + 1, iv_n - 2, &s->id, &s->id_cap, &id_len, &nul_at, &bad_at))
            return rp__nomem(err, s->path);
        if (bad_at != SIZE_MAX) {
            snprintf(msg, sizeof msg, "invalid escape at byte %zu of the line",
                     base + iv.start + 1 + bad_at);
            return bad_line(s, err, RP_ERR_PARSE, base + iv.start + 1 + bad_at, msg);
        }
    } else if (iv_p[0] == '-' || (iv_p[0] >= '0' && iv_p[0] <= '9')) {
        if (set_id(s, iv_p, number_id(iv_p, iv_n), &id_len) != RP_OK)
            return rp__nomem(err, s->path);
    } else {
        snprintf(msg, sizeof msg, "field '%.64s' is not a string or a number", s->id_field);
        return bad_line(s, err, RP_ERR_PARSE, base + iv.start, msg);
    }
    rp_record *r = &s->rec;
    r->id = s->id;
    r->id_len = id_len;
    r->text = s->text;
    r->text_len = text_len;
    r->raw = line;
    r->raw_len = n;
    r->path = s->path;
    r->line = s->line_no;
    r->is_json = 1;
    r->text_member_start = tv.key;
    r->text_member_end = tv.end;
    r->id_member_start = iv.found ? iv.key : 0;
    r->id_member_end = iv.found ? iv.end : 0;
    s->raw_at = s->line_at + base;
    *use = true;
    return RP_OK;
}

/* ---- the iterator -------------------------------------------------------- */

/* Whether an error about the current file (or directory entry) is one that
 * skip_bad passes over: the file cannot be read or is not text or JSONL. */
static bool file_skippable(const rp_source *s, rp_status rc)
{
    return s->skip_bad && (rc == RP_ERR_IO || rc == RP_ERR_UTF8 || rc == RP_ERR_FORMAT ||
                           rc == RP_ERR_LIMIT || rc == RP_ERR_PARSE);
}

/* Skip the current file after error e: count it, tell on_skip (once: not on
 * a trusted second reading) and move on. */
static void skip_file(rp_source *s, const rp_error *e, const char *what)
{
    s->skipped_files++;
    if (s->on_skip != NULL && !s->trusted) {
        char reason[320];
        snprintf(reason, sizeof reason, "%s%s", what, e->msg);
        s->on_skip(s->skip_user, e->path[0] ? e->path : (s->path ? s->path : ""), reason);
    }
    close_stream(s);
}

static rp_status next_record(rp_source *s, const rp_record **rec, rp_error *err)
{
    rp_status rc;
    for (;;) {
        if (s->stream == NULL) {
            bool end;
            if ((rc = open_next(s, &end, err)) != RP_OK) {
                if (!file_skippable(s, rc)) return rc;
                skip_file(s, err, "");
                continue;
            }
            if (end) return RP_OK;
            if (!s->jsonl) {
                if ((rc = read_plain(s, err)) != RP_OK) {
                    if (!file_skippable(s, rc)) return rc;
                    skip_file(s, err, "");
                    continue;
                }
                close_stream(s);
                *rec = &s->rec;
                return RP_OK;
            }
        }
        char *line;
        size_t len;
        if ((rc = next_line(s, &line, &len, err)) != RP_OK) {
            if (!file_skippable(s, rc)) return rc;
            skip_file(s, err, ""); /* the records read before it stay */
            continue;
        }
        if (line == NULL) {
            close_stream(s);
            continue;
        }
        bool use;
        rc = parse_line(s, line, len, &use, err);
        if (rc == RP_OK && use) {
            s->file_good = true;
            *rec = &s->rec;
            return RP_OK;
        }
        if (rc == RP_OK) continue; /* a blank line */
        if (rc == RP_ERR_NOMEM || !s->skip_bad) return rc;
        if ((s->sniffed && !s->file_good) || (rc == RP_ERR_FORMAT && s->line_no == 1 &&
                                              rp__utf16_bom((const uint8_t *)line, len))) {
            /* It looked like JSONL but is not (or is UTF-16): skip it all. */
            char what[64];
            snprintf(what, sizeof what, "not JSONL (line %" PRIu64 "): ", s->line_no);
            skip_file(s, err, what);
            continue;
        }
        s->skipped++;
    }
}

rp_status rp_source_next(rp_source *src, const rp_record **rec, rp_error *err)
{
    if (rec != NULL) *rec = NULL;
    if (src == NULL || rec == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_source_next: NULL argument");
    if (src->failed != RP_OK) {
        if (err) *err = src->failure;
        return src->failed;
    }
    rp_error e;
    rp_status rc = next_record(src, rec, &e);
    if (rc != RP_OK) {
        *rec = NULL;
        src->failed = rc;
        src->failure = e;
        if (err) *err = e;
    }
    return rc;
}
