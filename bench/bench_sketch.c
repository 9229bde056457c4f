/* bench_sketch.c - MinHash sketching throughput (text -> word 5-gram
 * shingles -> 128-value signature), one thread.
 *
 * Reads the BBC News articles under $REPRINT_DATA/bbc-news/bbc (default
 * ../shared/data), repeats them to about 200 MB, and sketches every article
 * twice: as published (ASCII news text), then with its letters turned into
 * accented and Cyrillic forms and typographic quotes (text that needs Unicode
 * normalization). Prints MB/s for each; the bars are 300 MB/s and
 * 100 MB/s. Uses only reprint.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reprint.h"

typedef struct corpus {
    char **doc;
    size_t *len;
    size_t n, cap, bytes;
} corpus;

static void add(corpus *c, char *s, size_t len)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->doc = realloc(c->doc, c->cap * sizeof *c->doc);
        c->len = realloc(c->len, c->cap * sizeof *c->len);
        if (c->doc == NULL || c->len == NULL) exit(2);
    }
    c->doc[c->n] = s;
    c->len[c->n++] = len;
    c->bytes += len;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_dir(corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) return;
    char *names[1024];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nn < 1024)
        if (strstr(e->d_name, ".txt")) names[nn++] = strdup(e->d_name);
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        char path[8192];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) continue;
        FILE *f = fopen(path, "rb");
        free(names[i]);
        if (f == NULL) continue;
        char *buf = malloc(1 << 20);
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        fclose(f);
        buf[n] = '\0';
        add(c, buf, n);
    }
}

/* The same text with letters needing normalization: a..z become accented
 * Latin or Cyrillic letters (2 bytes each), quotes become typographic. */
static char *unicodify(const char *s, size_t len, size_t *out_len)
{
    static const char *map[26] = {
        "\xC3\xA0", "\xD0\xB1", "\xC3\xA7", "\xD0\xB4", "\xC3\xA9", "\xD1\x84", "\xC4\x9F",
        "\xD1\x85", "\xC3\xAE", "\xD0\xB6", "\xD0\xBA", "\xC5\x82", "\xD0\xBC", "\xC3\xB1",
        "\xC3\xB6", "\xD0\xBF", "\xD1\x8F", "\xC5\x99", "\xC5\x9B", "\xD1\x82", "\xC3\xBC",
        "\xD0\xB2", "\xC5\xB5", "\xD1\x85", "\xC3\xBD", "\xC5\xBE"};
    char *o = malloc(len * 3 + 1);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 'a' && ch <= 'z') {
            memcpy(o + k, map[ch - 'a'], 2);
            k += 2;
        } else if (ch == '\'') {
            memcpy(o + k, "\xE2\x80\x99", 3);
            k += 3;
        } else {
            o[k++] = (char)ch;
        }
    }
    o[k] = '\0';
    *out_len = k;
    return o;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run(const corpus *c, size_t target, size_t *n_docs)
{
    rp_sketcher *sk = NULL;
    if (rp_sketcher_new(NULL, &sk, NULL) != RP_OK) exit(2);
    uint32_t sig[128];
    uint32_t check = 0;
    size_t done = 0, docs = 0;
    double t0 = now();
    while (done < target) {
        for (size_t i = 0; i < c->n && done < target; i++) {
            rp_error err;
            if (rp_sketcher_sketch(sk, c->doc[i], c->len[i], sig, NULL, &err) != RP_OK) {
                fprintf(stderr, "bench_sketch: %s\n", err.msg);
                exit(2);
            }
            check ^= sig[0];
            done += c->len[i];
            docs++;
        }
    }
    double t = now() - t0;
    rp_sketcher_free(sk);
    *n_docs = docs;
    if (check == 1) fputc(' ', stderr); /* keep the work observable */
    return (double)done / 1e6 / t;
}

int main(void)
{
    const char *data = getenv("REPRINT_DATA");
    if (data == NULL) data = "../shared/data";
    static const char *cats[] = {"business", "entertainment", "politics", "sport", "tech"};
    corpus ascii = {0}, uni = {0};
    for (size_t i = 0; i < 5; i++) {
        char dir[4096];
        if (snprintf(dir, sizeof dir, "%s/bbc-news/bbc/%s", data, cats[i]) >= (int)sizeof dir)
            continue;
        load_dir(&ascii, dir);
    }
    if (ascii.n == 0) {
        printf("bench_sketch: %s/bbc-news not found; skipped\n", data);
        return 0;
    }
    /* A few BBC files are Latin-1, not UTF-8: leave them out (the sketcher
     * validates UTF-8, and that validation is part of what is timed). */
    rp_sketcher *check = NULL;
    if (rp_sketcher_new(NULL, &check, NULL) != RP_OK) return 2;
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < ascii.n; i++) {
        uint32_t sig[128];
        if (rp_sketcher_sketch(check, ascii.doc[i], ascii.len[i], sig, NULL, NULL) == RP_OK) {
            ascii.doc[kept] = ascii.doc[i];
            ascii.len[kept++] = ascii.len[i];
        } else {
            ascii.bytes -= ascii.len[i];
            free(ascii.doc[i]);
            dropped++;
        }
    }
    ascii.n = kept;
    rp_sketcher_free(check);
    if (dropped > 0) printf("(%zu BBC files are not UTF-8 and were left out)\n", dropped);
    for (size_t i = 0; i < ascii.n; i++) {
        size_t l;
        char *u = unicodify(ascii.doc[i], ascii.len[i], &l);
        add(&uni, u, l);
    }
    size_t docs;
    double a = run(&ascii, (size_t)200 << 20, &docs);
    printf("sketch, news text (%zu BBC articles, %.1f MB, repeated to 200 MB): %7.1f MB/s, %.0f "
           "docs/s  (bar: 300 MB/s)\n",
           ascii.n, (double)ascii.bytes / 1e6, a,
           a * 1e6 / ((double)ascii.bytes / (double)ascii.n));
    double u = run(&uni, (size_t)200 << 20, &docs);
    printf("sketch, the same needing Unicode normalization (%.1f MB):        %7.1f MB/s  (bar: 100 "
           "MB/s)\n",
           (double)uni.bytes / 1e6, u);
    for (size_t i = 0; i < ascii.n; i++)
        free(ascii.doc[i]), free(uni.doc[i]);
    free(ascii.doc), free(ascii.len), free(uni.doc), free(uni.len);
    return 0;
}
