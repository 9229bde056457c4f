/* test_source.c - corpus input: JSONL fields and errors, plain files, the
 * directory walk, compressed files, byte counts and allocation failures.
 *
 * Every test works in its own directory made with mkdtemp() under /tmp and
 * removes it at the end. */
#include "io/io.h"
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cJSON.h>
#include <zlib.h>
#include <zstd.h>

/* ---- helpers -------------------------------------------------------------- */

static char *tmpdir(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/reprint-source-XXXXXX");
    return mkdtemp(path);
}

static void rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        const struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            rm_tree(sub);
        }
        if (d != NULL) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* dir/name, in a static rotating buffer (several may be alive at once). */
static const char *at(const char *dir, const char *name)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL) return;
    CHECK_EQ(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void write_str(const char *path, const char *s)
{
    write_file(path, s, strlen(s));
}

static void write_gz(const char *path, const char *mode, const void *data, size_t len)
{
    gzFile g = gzopen(path, mode);
    CHECK(g != NULL);
    if (g == NULL) return;
    CHECK_EQ(gzwrite(g, data, (unsigned)len), (long long)len);
    gzclose(g);
}

static void write_zst(const char *path, const void *data, size_t len)
{
    size_t cap = ZSTD_compressBound(len);
    void *out = malloc(cap);
    size_t n = ZSTD_compress(out, cap, data, len, 3);
    CHECK(!ZSTD_isError(n));
    if (!ZSTD_isError(n)) write_file(path, out, n);
    free(out);
}

static rp_source *open1(const char *path, const rp_source_opts *o)
{
    rp_source *s = NULL;
    rp_error err;
    rp_status st = rp_source_open(&path, 1, o, &s, &err);
    if (st != RP_OK) fprintf(stderr, "open %s: %s\n", path, err.msg);
    CHECK_EQ(st, RP_OK);
    return s;
}

/* The next record, which must exist. */
static const rp_record *next_ok(rp_source *s)
{
    const rp_record *r = NULL;
    rp_error err;
    rp_status st = rp_source_next(s, &r, &err);
    if (st != RP_OK)
        fprintf(stderr, "next: %s:%llu: %s\n", err.path, (unsigned long long)err.line, err.msg);
    CHECK_EQ(st, RP_OK);
    CHECK(r != NULL);
    static const rp_record none = {"", 0, "", 0, "", 0, "", 0, 0, 0, 0, 0, 0};
    return r ? r : &none; /* failed already; carry on without crashing */
}

static void check_end(rp_source *s)
{
    const rp_record *r = (const rp_record *)1;
    CHECK_EQ(rp_source_next(s, &r, NULL), RP_OK);
    CHECK(r == NULL);
    CHECK_EQ(rp_source_next(s, &r, NULL), RP_OK); /* and again */
    CHECK(r == NULL);
}

/* Read every record of path and append "id|text|line\n" for each to out. */
static rp_status dump(const char *path, const rp_source_opts *o, char *out, size_t cap)
{
    rp_source *s = NULL;
    rp_status st = rp_source_open(&path, 1, o, &s, NULL);
    out[0] = '\0';
    const rp_record *r;
    while (st == RP_OK && (st = rp_source_next(s, &r, NULL)) == RP_OK && r != NULL) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s|%s|%llu\n", r->id, r->text, (unsigned long long)r->line);
    }
    rp_source_free(s);
    return st;
}

/* ---- JSONL ---------------------------------------------------------------- */

void test_source_jsonl(void)
{
    char *dir = tmpdir();
    CHECK(dir != NULL);
    if (dir == NULL) return;
    const char *path = at(dir, "c.jsonl");
    write_str(path, "{\"id\":\"doc-1\",\"text\":\"Hello, world\",\"lang\":\"en\"}\n"
                    "\n"
                    "  \t \r\n"
                    "{\"text\":\"caf\\u00e9 \\ud83d\\ude00 a\\\"b\\\\c\\n\",\"id\":42}\r\n"
                    "{\"text\":\"no id\",\"meta\":{\"id\":\"nested, not ours\"}}\n"
                    "{\"id\":42.0,\"text\":\"x\"}\n"
                    "{\"id\":12345678901234567890,\"text\":\"y\"}\n"
                    "{\"id\":null,\"text\":\"z\"}\n"
                    "{\"id\":\"a\\u0041\",\"text\":\"\"}"); /* no final newline */
    rp_source *s = open1(path, NULL);
    if (s == NULL) return;
    const rp_record *r = next_ok(s);
    CHECK_STR_EQ(r->id, "doc-1");
    CHECK_EQ(r->id_len, 5);
    CHECK_STR_EQ(r->text, "Hello, world");
    CHECK_EQ(r->text_len, 12);
    CHECK_STR_EQ(r->raw, "{\"id\":\"doc-1\",\"text\":\"Hello, world\",\"lang\":\"en\"}");
    CHECK_EQ(r->raw_len, strlen(r->raw));
    CHECK_STR_EQ(r->path, path);
    CHECK_EQ(r->line, 1);
    CHECK_EQ(r->is_json, 1);
    r = next_ok(s); /* lines 2 and 3 are blank */
    CHECK_STR_EQ(r->id, "42");
    CHECK_STR_EQ(r->text, "caf\xC3\xA9 \xF0\x9F\x98\x80 a\"b\\c\n");
    CHECK_EQ(r->line, 4);
    CHECK(r->raw[r->raw_len - 1] == '}'); /* the CR is not part of the line */
    r = next_ok(s);
    CHECK_STR_EQ(r->id, at(dir, "c.jsonl:5"));
    CHECK_STR_EQ(r->text, "no id");
    CHECK(strstr(r->raw, "nested, not ours") != NULL); /* other fields kept */
    r = next_ok(s);
    CHECK_STR_EQ(r->id, "42");
    r = next_ok(s);
    CHECK_STR_EQ(r->id, "12345678901234567890"); /* exact, not via a double */
    r = next_ok(s);
    CHECK_STR_EQ(r->id, at(dir, "c.jsonl:8"));
    r = next_ok(s);
    CHECK_STR_EQ(r->id, "aA");
    CHECK_EQ(r->text_len, 0);
    CHECK_EQ(r->line, 9);
    check_end(s);
    CHECK_EQ(rp_source_skipped(s), 0);
    rp_source_free(s);

    /* Custom fields; the default "text" member is then just another field. */
    path = at(dir, "custom.json");
    write_str(path, "{\"text\":\"not this\",\"body\":\"this\",\"uid\":\"u1\",\"id\":\"x\"}\n"
                    "{\"b\\u006fdy\":\"escaped key\",\"uid\":7}\n");
    rp_source_opts o;
    rp_source_opts_init(&o);
    o.text_field = "body";
    o.id_field = "uid";
    s = open1(path, &o);
    r = next_ok(s);
    CHECK_STR_EQ(r->text, "this");
    CHECK_STR_EQ(r->id, "u1");
    r = next_ok(s);
    CHECK_STR_EQ(r->text, "escaped key");
    CHECK_STR_EQ(r->id, "7");
    check_end(s);
    rp_source_free(s);

    /* A 3 MB text on one line, longer than any read chunk. */
    size_t big = 3u << 20;
    char *line = malloc(big + 64);
    memcpy(line, "{\"id\":\"big\",\"text\":\"", 20);
    for (size_t i = 0; i < big; i++)
        line[20 + i] = (char)('a' + i % 26);
    memcpy(line + 20 + big, "\"}\n{\"text\":\"after\"}\n", 21);
    path = at(dir, "big.jsonl");
    write_file(path, line, 20 + big + 20);
    s = open1(path, NULL);
    r = next_ok(s);
    CHECK_STR_EQ(r->id, "big");
    CHECK_EQ(r->text_len, big);
    CHECK_MEM_EQ(r->text, line + 20, big);
    CHECK_EQ(r->raw_len, 20 + big + 2);
    r = next_ok(s);
    CHECK_STR_EQ(r->text, "after");
    CHECK_EQ(r->line, 2);
    check_end(s);
    rp_source_free(s);
    free(line);
    rm_tree(dir);
}

void test_source_jsonl_errors(void)
{
    char *dir = tmpdir();
    CHECK(dir != NULL);
    if (dir == NULL) return;
    char path[256];
    snprintf(path, sizeof path, "%s/bad.jsonl", dir);
    write_str(path, "{\"text\":\"one\"}\n"
                    "{\"text\":\"two\",}\n"          /* 2: trailing comma */
                    "{\"text\":\"three\"} x\n"       /* 3: trailing garbage */
                    "{\"text\":3}\n"                 /* 4: not a string */
                    "{\"id\":\"no text\"}\n"         /* 5: missing */
                    "[1,2]\n"                        /* 6: not an object */
                    "{\"text\":\"caf\xE9\"}\n"       /* 7: Latin-1 */
                    "{\"text\":\"a\\u0000b\"}\n"     /* 8: NUL */
                    "{\"text\":\"t\",\"id\":true}\n" /* 9: id of another type */
                    "{\"text\":\"a\\uZZZZ\"}\n"      /* 10: bad escape (cJSON takes it) */
                    "{\"text\":\"ok\"}\n");          /* 11 */
    rp_source *s = open1(path, NULL);
    const rp_record *r = next_ok(s);
    CHECK_STR_EQ(r->text, "one");
    rp_error err;
    CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_PARSE);
    CHECK(r == NULL);
    CHECK_EQ(err.code, RP_ERR_PARSE);
    CHECK_EQ(err.line, 2);
    CHECK_EQ(err.offset, 15); /* cJSON's position: just past the '}' after the comma */
    CHECK_STR_EQ(err.path, path);
    CHECK(strstr(err.msg, "invalid JSON") != NULL);
    /* Errors are final. */
    memset(&err, 0, sizeof err);
    CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_PARSE);
    CHECK_EQ(err.line, 2);
    rp_source_free(s);

    /* Each bad line alone, as an error. */
    static const struct {
        uint64_t line;
        rp_status code;
        const char *msg;
    } want[] = {
        {3, RP_ERR_PARSE, "invalid JSON"},
        {4, RP_ERR_PARSE, "field 'text' missing or not a string"},
        {5, RP_ERR_PARSE, "field 'text' missing or not a string"},
        {6, RP_ERR_PARSE, "not a JSON object"},
        {7, RP_ERR_UTF8, "invalid UTF-8 at byte 12 of the line"},
        {8, RP_ERR_FORMAT, "NUL"},
        {9, RP_ERR_PARSE, "field 'id' is not a string or a number"},
        {10, RP_ERR_PARSE, "invalid escape"},
    };
    FILE *f = fopen(path, "rb");
    char lines[16][64];
    size_t n_lines = 0;
    while (n_lines < 16 && fgets(lines[n_lines], sizeof lines[0], f) != NULL)
        n_lines++;
    fclose(f);
    CHECK_EQ(n_lines, 11);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *one = at(dir, "one.jsonl");
        char text[256];
        snprintf(text, sizeof text, "{\"text\":\"fine\"}\n%s", lines[want[i].line - 1]);
        write_str(one, text);
        s = open1(one, NULL);
        next_ok(s);
        memset(&err, 0, sizeof err);
        CHECK_EQ(rp_source_next(s, &r, &err), want[i].code);
        CHECK_EQ(err.line, 2);
        if (strstr(err.msg, want[i].msg) == NULL)
            fprintf(stderr, "line %llu: message \"%s\" lacks \"%s\"\n",
                    (unsigned long long)want[i].line, err.msg, want[i].msg);
        CHECK(strstr(err.msg, want[i].msg) != NULL);
        rp_source_free(s);
    }

    /* skip_bad: every bad line is skipped and counted. */
    rp_source_opts o;
    rp_source_opts_init(&o);
    o.skip_bad = 1;
    s = open1(path, &o);
    r = next_ok(s);
    CHECK_STR_EQ(r->text, "one");
    CHECK_EQ(rp_source_skipped(s), 0);
    r = next_ok(s);
    CHECK_STR_EQ(r->text, "ok");
    CHECK_EQ(r->line, 11);
    CHECK_EQ(rp_source_skipped(s), 9);
    check_end(s);
    rp_source_free(s);

    /* lossy: invalid UTF-8 and NUL are kept in the text. */
    rp_source_opts_init(&o);
    o.lossy = 1;
    o.skip_bad = 1;
    s = open1(path, &o);
    next_ok(s);
    r = next_ok(s);
    CHECK_EQ(r->line, 7);
    CHECK_STR_EQ(r->text, "caf\xE9");
    r = next_ok(s);
    CHECK_EQ(r->line, 8);
    CHECK_EQ(r->text_len, 3);
    CHECK_MEM_EQ(r->text, "a\0b", 4);
    r = next_ok(s);
    CHECK_EQ(r->line, 11);
    CHECK_EQ(rp_source_skipped(s), 7);
    rp_source_free(s);

    /* A raw NUL byte inside a line is malformed, not whitespace. */
    const char nul_line[] = "{\"text\":\"a\"}\0\n";
    write_file(at(dir, "nul.jsonl"), nul_line, sizeof nul_line - 1);
    s = open1(at(dir, "nul.jsonl"), NULL);
    CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_PARSE);
    CHECK_EQ(err.line, 1);
    CHECK_EQ(err.offset, 12);
    rp_source_free(s);
    rm_tree(dir);
}

/* ---- plain files and format detection ----------------------------------- */

void test_source_plain(void)
{
    char *dir = tmpdir();
    CHECK(dir != NULL);
    if (dir == NULL) return;
    const char text[] = "\xEF\xBB\xBFPlain text,\nwith two lines.\n";
    const char *path = at(dir, "doc.txt");
    write_file(path, text, sizeof text - 1);
    rp_source *s = open1(path, NULL);
    const rp_record *r = next_ok(s);
    CHECK_STR_EQ(r->id, path);
    CHECK_STR_EQ(r->path, path);
    CHECK_EQ(r->text_len, sizeof text - 1);
    CHECK_MEM_EQ(r->text, text, sizeof text - 1); /* the BOM is kept */
    CHECK(r->raw == r->text);
    CHECK_EQ(r->line, 0);
    CHECK_EQ(r->is_json, 0);
    check_end(s);
    rp_source_free(s);

    char out[4096];
    /* No extension: JSONL recognized from the content ... */
    path = at(dir, "noext");
    write_str(path, "\xEF\xBB\xBF\n  {\"text\":\"sniffed\"}\n{}\n");
    CHECK_EQ(dump(path, NULL, out, sizeof out), RP_ERR_PARSE); /* {} has no text */
    rp_source_opts o;
    rp_source_opts_init(&o);
    o.skip_bad = 1;
    CHECK_EQ(dump(path, &o, out, sizeof out), RP_OK);
    char want[256];
    snprintf(want, sizeof want, "%s:2|sniffed|2\n", path);
    CHECK_STR_EQ(out, want);
    /* ... but wiki text starting "{{" and text starting with a brace stay text. */
    path = at(dir, "wiki.txt");
    write_str(path, "{{Infobox}} text");
    CHECK_EQ(dump(path, NULL, out, sizeof out), RP_OK);
    snprintf(want, sizeof want, "%s|{{Infobox}} text|0\n", path);
    CHECK_STR_EQ(out, want);
    /* An empty file is one empty document. */
    path = at(dir, "empty");
    write_str(path, "");
    CHECK_EQ(dump(path, NULL, out, sizeof out), RP_OK);
    snprintf(want, sizeof want, "%s||0\n", path);
    CHECK_STR_EQ(out, want);
    /* An empty .jsonl has no records. */
    path = at(dir, "empty.jsonl");
    write_str(path, "");
    CHECK_EQ(dump(path, NULL, out, sizeof out), RP_OK);
    CHECK_STR_EQ(out, "");

    /* Strict text checks on plain files; lossy keeps the bytes. */
    rp_error err;
    const rp_record *rr;
    path = at(dir, "latin1.txt");
    write_str(path, "caf\xE9");
    s = open1(path, NULL);
    CHECK_EQ(rp_source_next(s, &rr, &err), RP_ERR_UTF8);
    CHECK_EQ(err.offset, 3);
    CHECK_EQ(err.line, 0);
    CHECK_STR_EQ(err.path, path);
    rp_source_free(s);
    path = at(dir, "bin.dat");
    write_file(path, "ab\0cd", 5);
    s = open1(path, NULL);
    CHECK_EQ(rp_source_next(s, &rr, &err), RP_ERR_FORMAT);
    CHECK_EQ(err.offset, 2);
    CHECK(strstr(err.msg, "binary") != NULL);
    rp_source_free(s);
    rp_source_opts_init(&o);
    o.lossy = 1;
    s = open1(path, &o);
    rr = next_ok(s);
    CHECK_EQ(rr->text_len, 5);
    rp_source_free(s);

    /* Standard input: "-". */
    path = at(dir, "stdin.txt");
    write_str(path, "{\"text\":\"from stdin\"}\n");
    int saved = dup(STDIN_FILENO);
    int fd = open(path, O_RDONLY);
    CHECK(saved >= 0 && fd >= 0);
    if (saved >= 0 && fd >= 0) {
        dup2(fd, STDIN_FILENO);
        close(fd);
        CHECK_EQ(dump("-", NULL, out, sizeof out), RP_OK);
        CHECK_STR_EQ(out, "-:1|from stdin|1\n");
        dup2(saved, STDIN_FILENO);
        close(saved);
    }
    rm_tree(dir);
}

/* ---- directories ---------------------------------------------------------- */

void test_source_walk(void)
{
    char *dir = tmpdir();
    CHECK(dir != NULL);
    if (dir == NULL) return;
    /* Names where sorting full paths differs from sorting names alone:
     * "b.txt" < "b/..." because '.' < '/', and "b/..." < "b0.txt". */
    mkdir(at(dir, "b"), 0755);
    mkdir(at(dir, "b/c"), 0755);
    mkdir(at(dir, "empty"), 0755);
    write_str(at(dir, "b.txt"), "b.txt");
    write_str(at(dir, "b0.txt"), "b0.txt");
    write_str(at(dir, "b/z.txt"), "b/z.txt");
    write_str(at(dir, "b/c/d.txt"), "b/c/d.txt");
    write_str(at(dir, "B.txt"), "B.txt");
    write_str(at(dir, ".hidden"), ".hidden");
    write_str(at(dir, "a.jsonl"), "{\"text\":\"a1\"}\n{\"text\":\"a2\"}\n");
    CHECK_EQ(symlink("b.txt", at(dir, "link.txt")), 0);
    CHECK_EQ(symlink("b/c", at(dir, "linkdir")), 0); /* followed: not a loop */
    CHECK_EQ(symlink("..", at(dir, "b/up")), 0);     /* a loop back up the tree */
    CHECK_EQ(symlink("self", at(dir, "self")), 0);   /* a link that loops on itself */
    CHECK_EQ(mkfifo(at(dir, "fifo"), 0644), 0);      /* not a regular file: left out */
    char out[4096], want[4096];
    CHECK_EQ(dump(dir, NULL, out, sizeof out), RP_OK);
    /* Hidden names are left out of walks unless asked for. */
    rp_source_opts ho;
    rp_source_opts_init(&ho);
    ho.hidden = 1;
    CHECK_EQ(dump(dir, &ho, out, sizeof out), RP_OK);
    snprintf(want, sizeof want, "%s/.hidden|.hidden|0\n", dir);
    CHECK(strncmp(out, want, strlen(want)) == 0);
    /* include: only names matching; exclude: names left out, folders too */
    static const char *const inc[] = {"b*.txt", "*.jsonl", NULL}, *const exc[] = {"c", NULL};
    rp_source_opts io;
    rp_source_opts_init(&io);
    io.include = inc;
    io.exclude = exc;
    CHECK_EQ(dump(dir, &io, out, sizeof out), RP_OK);
    snprintf(want, sizeof want,
             "%s/a.jsonl:1|a1|1\n%s/a.jsonl:2|a2|2\n%s/b.txt|b.txt|0\n%s/b0.txt|b0.txt|0\n", dir,
             dir, dir, dir);
    CHECK_STR_EQ(out, want);
    CHECK_EQ(dump(dir, NULL, out, sizeof out), RP_OK);
    snprintf(want, sizeof want,
             "%s/B.txt|B.txt|0\n"
             "%s/a.jsonl:1|a1|1\n"
             "%s/a.jsonl:2|a2|2\n"
             "%s/b.txt|b.txt|0\n"
             "%s/b/c/d.txt|b/c/d.txt|0\n"
             "%s/b/z.txt|b/z.txt|0\n"
             "%s/b0.txt|b0.txt|0\n"
             "%s/link.txt|b.txt|0\n"
             "%s/linkdir/d.txt|b/c/d.txt|0\n",
             dir, dir, dir, dir, dir, dir, dir, dir, dir);
    CHECK_STR_EQ(out, want);
    /* A trailing slash gives the same paths; files given alongside keep
     * their order. */
    char slash[128];
    snprintf(slash, sizeof slash, "%s/", dir);
    char out2[4096];
    CHECK_EQ(dump(slash, NULL, out2, sizeof out2), RP_OK);
    CHECK_STR_EQ(out2, want);
    const char *paths[] = {at(dir, "b0.txt"), at(dir, "b/c"), at(dir, "a.jsonl")};
    rp_source *s = NULL;
    CHECK_EQ(rp_source_open(paths, 3, NULL, &s, NULL), RP_OK);
    CHECK_STR_EQ(next_ok(s)->text, "b0.txt");
    CHECK_STR_EQ(next_ok(s)->text, "b/c/d.txt");
    CHECK_STR_EQ(next_ok(s)->text, "a1");
    CHECK_STR_EQ(next_ok(s)->text, "a2");
    check_end(s);
    rp_source_free(s);

    /* A broken link is an error when it is reached, not before. */
    CHECK_EQ(symlink("nowhere", at(dir, "c-broken")), 0);
    s = open1(dir, NULL);
    const rp_record *r;
    rp_error err;
    for (int i = 0; i < 7; i++)
        next_ok(s); /* up to b0.txt */
    CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_IO);
    CHECK_STR_EQ(err.path, at(dir, "c-broken"));
    CHECK_EQ(err.sys_errno, ENOENT);
    rp_source_free(s);
    /* With skip_bad it is skipped and counted, and the walk goes on. */
    rp_source_opts so;
    rp_source_opts_init(&so);
    so.skip_bad = 1;
    s = open1(dir, &so);
    size_t n = 0;
    while (rp_source_next(s, &r, &err) == RP_OK && r != NULL)
        n++;
    CHECK_EQ(n, 9);
    CHECK_EQ(rp_source_skipped_files(s), 1);
    rp_source_free(s);
    rm_tree(dir);
}

/* ---- compression ---------------------------------------------------------- */

void test_source_compressed(void)
{
    char *dir = tmpdir();
    CHECK(dir != NULL);
    if (dir == NULL) return;
    /* A text over several chunks, so streaming crosses buffer boundaries. */
    size_t len = 3 * RP__STREAM_CHUNK + 12345;
    char *text = malloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = (i % 61 == 60) ? '\n' : (char)('a' + i % 23);
    write_file(at(dir, "plain.txt"), text, len);
    write_gz(at(dir, "text.gz"), "wb", text, len);
    write_zst(at(dir, "text.zst"), text, len);
    write_zst(at(dir, "noext"), text, len); /* content, not name */
    const char *names[] = {"plain.txt", "text.gz", "text.zst", "noext"};
    for (int i = 0; i < 4; i++) {
        rp_source *s = open1(at(dir, names[i]), NULL);
        const rp_record *r = next_ok(s);
        CHECK_EQ(r->text_len, len);
        CHECK_MEM_EQ(r->text, text, len);
        CHECK_EQ(r->is_json, 0);
        check_end(s);
        rp_source_free(s);
    }

    /* JSONL compressed, in two gzip members, read as one stream. */
    char jsonl[4096] = "";
    for (int i = 0; i < 40; i++) {
        size_t n = strlen(jsonl);
        snprintf(jsonl + n, sizeof jsonl - n, "{\"id\":%d,\"text\":\"record %d\"}\n", i, i);
    }
    size_t jl = strlen(jsonl), half = jl / 2;
    write_gz(at(dir, "two.jsonl.gz"), "wb", jsonl, half);
    write_gz(at(dir, "two.jsonl.gz"), "ab", jsonl + half, jl - half);
    write_zst(at(dir, "z.jsonl.zst"), jsonl, jl);
    const char *jnames[] = {"two.jsonl.gz", "z.jsonl.zst"};
    for (int k = 0; k < 2; k++) {
        rp_source *s = open1(at(dir, jnames[k]), NULL);
        for (int i = 0; i < 40; i++) {
            const rp_record *r = next_ok(s);
            char want[32];
            snprintf(want, sizeof want, "record %d", i);
            CHECK_STR_EQ(r->text, want);
            CHECK_EQ(r->line, (uint64_t)i + 1);
            CHECK_EQ(atoi(r->id), i);
        }
        check_end(s);
        rp_source_free(s);
    }

    /* Corrupt and truncated data: RP_ERR_FORMAT with the compressed offset. */
    FILE *f = fopen(at(dir, "text.gz"), "rb");
    unsigned char *gz = malloc(len);
    size_t gz_len = fread(gz, 1, len, f);
    fclose(f);
    for (size_t i = 20; i < 60; i++)
        gz[i] ^= 0x55;
    write_file(at(dir, "corrupt.gz"), gz, gz_len);
    rp_source *s = open1(at(dir, "corrupt.gz"), NULL);
    const rp_record *r;
    rp_error err;
    CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_FORMAT);
    CHECK_STR_EQ(err.path, at(dir, "corrupt.gz"));
    CHECK(err.offset > 0 && err.offset < gz_len);
    CHECK(strstr(err.msg, "corrupt gzip data at compressed byte") != NULL);
    rp_source_free(s);
    for (size_t i = 20; i < 60; i++)
        gz[i] ^= 0x55;
    write_file(at(dir, "short.gz"), gz, gz_len / 2);
    s = open1(at(dir, "short.gz"), NULL);
    CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_FORMAT);
    CHECK(strstr(err.msg, "truncated gzip") != NULL);
    CHECK_EQ(err.offset, gz_len / 2);
    rp_source_free(s);
    f = fopen(at(dir, "text.zst"), "rb");
    size_t zst_len = fread(gz, 1, len, f);
    fclose(f);
    write_file(at(dir, "short.zst"), gz, zst_len - 10);
    s = open1(at(dir, "short.zst"), NULL);
    CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_FORMAT);
    CHECK(strstr(err.msg, "truncated zstd") != NULL);
    rp_source_free(s);
    /* A .gz name on plain content is read as it is. */
    write_str(at(dir, "fake.gz"), "not compressed");
    char out[256], want[256];
    CHECK_EQ(dump(at(dir, "fake.gz"), NULL, out, sizeof out), RP_OK);
    snprintf(want, sizeof want, "%s|not compressed|0\n", at(dir, "fake.gz"));
    CHECK_STR_EQ(out, want);
    free(gz);
    free(text);
    rm_tree(dir);
}

/* ---- paths, errors and byte counts --------------------------------------- */

void test_source_errors(void)
{
    char *dir = tmpdir();
    CHECK(dir != NULL);
    if (dir == NULL) return;
    rp_source *s = (rp_source *)1;
    rp_error err;
    const char *missing[] = {at(dir, "a.txt"), "/nonexistent/reprint/corpus"};
    write_str(missing[0], "a");
    CHECK_EQ(rp_source_open(missing, 2, NULL, &s, &err), RP_ERR_IO);
    CHECK(s == NULL);
    CHECK_STR_EQ(err.path, "/nonexistent/reprint/corpus");
    CHECK_EQ(err.sys_errno, ENOENT);
    CHECK(strstr(err.msg, "No such file") != NULL);
    CHECK_EQ(rp_source_open(NULL, 1, NULL, &s, NULL), RP_ERR_PARAM);
    CHECK_EQ(rp_source_open(missing, 1, NULL, NULL, NULL), RP_ERR_PARAM);
    /* No paths: no records. */
    CHECK_EQ(rp_source_open(NULL, 0, NULL, &s, NULL), RP_OK);
    check_end(s);
    rp_source_free(s);
    rp_source_free(NULL);

    /* A file that disappears before it is reached: an error then. */
    const char *two[] = {at(dir, "a.txt"), at(dir, "gone.txt")};
    write_str(two[1], "soon gone");
    CHECK_EQ(rp_source_open(two, 2, NULL, &s, &err), RP_OK);
    unlink(two[1]);
    const rp_record *r = next_ok(s);
    CHECK_STR_EQ(r->text, "a");
    CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_IO);
    CHECK_STR_EQ(err.path, two[1]);
    CHECK_EQ(err.sys_errno, ENOENT);
    rp_source_free(s);
    if (geteuid() != 0) { /* root reads anything */
        write_str(two[1], "unreadable");
        chmod(two[1], 0);
        CHECK_EQ(rp_source_open(two, 2, NULL, &s, &err), RP_OK);
        next_ok(s);
        CHECK_EQ(rp_source_next(s, &r, &err), RP_ERR_IO);
        CHECK_EQ(err.sys_errno, EACCES);
        rp_source_free(s);
    }

    /* Bytes read grow with the records and end at the size of the input. */
    char jsonl[64 * 1024] = "";
    size_t n = 0;
    for (int i = 0; n < sizeof jsonl - 200; i++)
        n += (size_t)snprintf(jsonl + n, sizeof jsonl - n,
                              "{\"text\":\"line %d of a file read in pieces\"}\n", i);
    const char *big = at(dir, "big.jsonl");
    for (int i = 0; i < 8; i++) { /* 8 x 64 KiB: two 256 KiB chunks */
        FILE *f = fopen(big, i ? "ab" : "wb");
        fwrite(jsonl, 1, n, f);
        fclose(f);
    }
    write_gz(at(dir, "big.jsonl.gz"), "wb", jsonl, n);
    struct stat st_big, st_gz;
    stat(big, &st_big);
    stat(at(dir, "big.jsonl.gz"), &st_gz);
    const char *both[] = {big, at(dir, "big.jsonl.gz")};
    CHECK_EQ(rp_source_open(both, 2, NULL, &s, NULL), RP_OK);
    uint64_t prev = 0, first = 0;
    int grew = 0;
    while (rp_source_next(s, &r, NULL) == RP_OK && r != NULL) {
        uint64_t b = rp_source_bytes(s);
        CHECK(b >= prev);
        if (first == 0) first = b;
        grew += b > prev;
        prev = b;
    }
    CHECK(first > 0 && first < (uint64_t)st_big.st_size); /* streamed, not slurped */
    CHECK(grew >= 3);
    CHECK_EQ(rp_source_bytes(s), (uint64_t)st_big.st_size + (uint64_t)st_gz.st_size);
    rp_source_free(s);
    rm_tree(dir);
}

/* The memory entry point (fuzzing) behaves as a file of that name. */
void test_source_mem(void)
{
    const char data[] = "{\"text\":\"m1\"}\n{\"text\":\"m2\",\"id\":\"x\"}";
    rp_source *s = NULL;
    CHECK_EQ(rp__source_open_mem("mem.jsonl", data, sizeof data - 1, NULL, &s, NULL), RP_OK);
    const rp_record *r = next_ok(s);
    CHECK_STR_EQ(r->id, "mem.jsonl:1");
    r = next_ok(s);
    CHECK_STR_EQ(r->id, "x");
    CHECK_EQ(r->line, 2);
    check_end(s);
    CHECK_EQ(rp_source_bytes(s), sizeof data - 1);
    rp_source_free(s);
    /* A .txt name does not make JSON content plain text; other content is. */
    CHECK_EQ(rp__source_open_mem("mem.txt", data, sizeof data - 1, NULL, &s, NULL), RP_OK);
    CHECK_EQ(next_ok(s)->is_json, 1);
    rp_source_free(s);
    CHECK_EQ(rp__source_open_mem("mem.txt", "plain words", 11, NULL, &s, NULL), RP_OK);
    r = next_ok(s);
    CHECK_EQ(r->is_json, 0);
    CHECK_STR_EQ(r->id, "mem.txt");
    CHECK_STR_EQ(r->text, "plain words");
    check_end(s);
    rp_source_free(s);
}

/* The source checks a line with its text value replaced by "" when the
 * text's escapes are valid: on lines mutated at random (JSON syntax and
 * escapes), it reports invalid JSON exactly when cJSON rejects the whole
 * line or finds no object there. */
void test_source_json_check(void)
{
    static const char *const seeds[] = {
        ("{\"id\":\"a\",\"text\":\"one two \\\"three\\\" \\u00e9 \\ud83d\\ude00 \\n "
         "four\",\"n\":[1,2.5e3,{\"x\":null}]}"),
        "{\"text\":\"plain words here\",\"id\":42,\"ok\":true,\"no\":false}",
        "{ \"meta\" : { \"text\" : 1 } , \"text\" : \"nested key first\\/\\t\" }",
    };
    static const char alphabet[] = "{}[]:,\"\\u0DdAx tfn.-+e9";
    uint64_t st = test_seed | 17;
    char line[512];
    size_t disagree = 0, rejected = 0;
    for (int round = 0; round < 20000; round++) {
        const char *seed = seeds[round % 3];
        size_t n = strlen(seed);
        memcpy(line, seed, n);
        int edits = 1 + (int)(test_rand(&st) % 3);
        for (int e = 0; e < edits && n > 2 && n < sizeof line - 2; e++) {
            size_t at = (size_t)(test_rand(&st) % n);
            char c = alphabet[test_rand(&st) % (sizeof alphabet - 1)];
            switch (test_rand(&st) % 3) {
            case 0: line[at] = c; break;
            case 1:
                memmove(line + at + 1, line + at, n - at);
                line[at] = c;
                n++;
                break;
            default:
                memmove(line + at, line + at + 1, n - at - 1);
                n--;
                break;
            }
        }
        line[n] = '\0';
        cJSON *root = cJSON_ParseWithLengthOpts(line, n + 1, NULL, 1);
        bool json_ok = root != NULL && cJSON_IsObject(root);
        cJSON_Delete(root);
        rp_source *s = NULL;
        rp_error err;
        memset(&err, 0, sizeof err);
        CHECK_EQ(rp__source_open_mem("m.jsonl", line, n, NULL, &s, NULL), RP_OK);
        const rp_record *r = NULL;
        rp_status rc = rp_source_next(s, &r, &err);
        bool said_bad = rc == RP_ERR_PARSE && (strncmp(err.msg, "invalid JSON", 12) == 0 ||
                                               strncmp(err.msg, "not a JSON object", 17) == 0);
        bool blank = rc == RP_OK && r == NULL;
        if (!blank && said_bad == json_ok) {
            if (disagree++ < 5) fprintf(stderr, "json check differs from cJSON on: %s\n", line);
        }
        rejected += !json_ok;
        rp_source_free(s);
    }
    CHECK_EQ(disagree, 0);
    CHECK(rejected > 1000); /* the mutations did break lines */
}

/* Fail each allocation in turn while reading a small tree (plain, gzip and
 * zstd files, JSONL and text): every failure is RP_ERR_NOMEM, nothing leaks
 * (the sanitizer pass checks), and the run succeeds once nothing fails. */
void test_source_fault_injection(void)
{
    char *dir = tmpdir();
    CHECK(dir != NULL);
    if (dir == NULL) return;
    const char jsonl[] = "{\"id\":1,\"text\":\"first \\u00e9\"}\n\n{\"text\":\"second\"}\n";
    mkdir(at(dir, "sub"), 0755);
    write_str(at(dir, "a.jsonl"), jsonl);
    write_gz(at(dir, "sub/b.jsonl.gz"), "wb", jsonl, sizeof jsonl - 1);
    write_zst(at(dir, "sub/c.zst"), "plain text", 10);
    write_str(at(dir, "d"), "{\"text\":\"sniffed\"}");
    int failures = 0;
    for (size_t k = 1; k < 10000; k++) {
        rp__alloc_fail_after(k);
        rp_source *s = NULL;
        rp_error err;
        size_t n = 0;
        rp_status st = rp_source_open((const char *const *)&dir, 1, NULL, &s, &err);
        const rp_record *r;
        while (st == RP_OK && (st = rp_source_next(s, &r, &err)) == RP_OK && r != NULL)
            n++;
        size_t made = rp__alloc_fail_after(0);
        rp_source_free(s);
        if (st == RP_OK) {
            CHECK(made < k);
            CHECK_EQ(n, 6);
            break;
        }
        CHECK_EQ(st, RP_ERR_NOMEM);
        CHECK_EQ(err.code, RP_ERR_NOMEM);
        failures++;
    }
    CHECK(failures > 20);
    rm_tree(dir);
}

/* Any bytes become a valid JSON string: NUL as \u0000, controls escaped,
 * valid UTF-8 kept, each invalid byte as \udcXX. */
void test_json_quote(void)
{
    static const char in[] = "a\0\"\\\n\x01\x7f\xc3\xa9\x92\xe2\x82\xe2\x82\xac\xed\xa0\x80z";
    size_t len;
    char *q = rp_json_quote(in, sizeof in - 1, &len);
    CHECK_STR_EQ(q, "\"a\\u0000\\\"\\\\\\n\\u0001\\u007f\xc3\xa9\\udc92\\udce2\\udc82\xe2\x82\xac"
                    "\\udced\\udca0\\udc80z\"");
    CHECK_EQ(len, strlen(q));
    rp_free(q);
    q = rp_json_quote("", 0, NULL);
    CHECK_STR_EQ(q, "\"\"");
    rp_free(q);
}

/* rp_output: nothing under the name until a committing close; an abandoned
 * output leaves the previous file; rp_output_check() sees through links. */
void test_output_file(void)
{
    char dir[] = "/tmp/reprint-out-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64], link[64];
    snprintf(path, sizeof path, "%s/out", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    FILE *f = fopen(path, "w");
    fputs("old\n", f);
    fclose(f);
    CHECK_EQ(symlink("out", link), 0);
    rp_output *o = NULL;
    CHECK_EQ(rp_output_open(link, &o, NULL), RP_OK);
    fputs("new\n", rp_output_file(o));
    fflush(rp_output_file(o));
    char buf[16] = {0};
    f = fopen(path, "r");
    CHECK(f != NULL && fgets(buf, sizeof buf, f) != NULL);
    if (f) fclose(f);
    CHECK_STR_EQ(buf, "old\n");
    CHECK_EQ(rp_output_close(o, 0, NULL), RP_OK); /* abandoned */
    f = fopen(path, "r");
    CHECK(f != NULL && fgets(buf, sizeof buf, f) != NULL);
    if (f) fclose(f);
    CHECK_STR_EQ(buf, "old\n");
    CHECK_EQ(rp_output_open(link, &o, NULL), RP_OK);
    fputs("new\n", rp_output_file(o));
    CHECK_EQ(rp_output_close(o, 1, NULL), RP_OK);
    f = fopen(path, "r");
    CHECK(f != NULL && fgets(buf, sizeof buf, f) != NULL);
    if (f) fclose(f);
    CHECK_STR_EQ(buf, "new\n");
    struct stat sb;
    CHECK(lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode)); /* the link stays a link */
    const char *outs[] = {link}, *ins[] = {path};
    rp_error err;
    CHECK_EQ(rp_output_check(outs, 1, ins, 1, &err), RP_ERR_PARAM);
    CHECK_STR_EQ(err.path, link);
    const char *dirs[] = {dir};
    CHECK_EQ(rp_output_check(ins, 1, dirs, 1, &err), RP_ERR_PARAM);
    const char *other[] = {"/nonexistent/in"};
    CHECK_EQ(rp_output_check(outs, 1, other, 1, &err), RP_OK);
    CHECK_EQ(rp_output_open(dir, &o, &err), RP_ERR_IO); /* a directory */
    unlink(link);
    unlink(path);
    CHECK_EQ(rmdir(dir), 0); /* nothing else was left in it */
}
