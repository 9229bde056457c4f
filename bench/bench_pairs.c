/* bench_pairs.c - per-pair cost of rp_compare() on news-sized pairs.
 *
 * Reads up to N BBC News articles from $REPRINT_DATA/bbc-news (sorted by
 * path) and makes, for each article i, the pair (article i, a rewrite of
 * it): its paragraphs with every other one replaced by the matching
 * paragraph of article i+1 (added text), a word substituted every 12 words
 * and the last two kept paragraphs swapped (a move). Each article also takes
 * part in a pair with article i+2 (unrelated text of the same category), as
 * a scan's candidates would. Documents are made once (rp_doc_new); the
 * timed loop is rp_compare() over all pairs, best of --repeat runs, on one
 * thread. Prints pairs, pairs/s and a checksum of the results (passages and
 * matched tokens), so two builds can be compared on the same work. Only
 * reprint.h is used, so the same file builds against an older library.
 *
 *   bench_pairs [--articles N] [--repeat N] [--data DIR] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>

#include "reprint.h"

typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (b->s == NULL) exit(2);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        put(&b, chunk, n);
    fclose(f);
    *len = b.n;
    return b.s;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Paragraph boundaries: starts of text after blank lines. */
static size_t paragraphs(const char *t, size_t n, size_t *lo, size_t *hi, size_t max)
{
    size_t k = 0, i = 0;
    while (i < n && k < max) {
        while (i < n && (t[i] == '\n' || t[i] == ' '))
            i++;
        if (i >= n) break;
        lo[k] = i;
        while (i < n && !(t[i] == '\n' && i + 1 < n && t[i + 1] == '\n'))
            i++;
        hi[k++] = i;
    }
    return k;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The rewrite of article x using article y for its added paragraphs. */
static char *rewrite(const char *x, size_t nx, const char *y, size_t ny, size_t *len)
{
    size_t xl[64], xh[64], yl[64], yh[64];
    size_t px = paragraphs(x, nx, xl, xh, 64), py = paragraphs(y, ny, yl, yh, 64);
    size_t order[64];
    for (size_t i = 0; i < px; i++)
        order[i] = i;
    if (px >= 4) {
        size_t t = order[px - 1];
        order[px - 1] = order[px - 3], order[px - 3] = t;
    }
    buf b = {0};
    size_t word = 0;
    for (size_t k = 0; k < px; k++) {
        size_t i = order[k];
        const char *s = x + xl[i];
        size_t n = xh[i] - xl[i];
        if (k % 2 == 1 && i < py) s = y + yl[i], n = yh[i] - yl[i];
        for (size_t j = 0; j < n; j++) {
            if (s[j] == ' ' && ++word % 12 == 0) {
                put(&b, " very", 5);
            }
            put(&b, s + j, 1);
        }
        put(&b, "\n\n", 2);
    }
    *len = b.n;
    return b.s;
}

int main(int argc, char **argv)
{
    size_t n_articles = 400;
    int repeat = 3;
    const char *data = getenv("REPRINT_DATA") ? getenv("REPRINT_DATA") : "../shared/data";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--articles") && i + 1 < argc)
            n_articles = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--data") && i + 1 < argc)
            data = argv[++i];
        else {
            fprintf(stderr, "usage: bench_pairs [--articles N] [--repeat N] [--data DIR]\n");
            return 2;
        }
    }
    static const char *const cats[] = {"business", "entertainment", "politics", "sport", "tech"};
    char **paths = NULL;
    size_t n_paths = 0;
    for (size_t c = 0; c < 5; c++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/bbc-news/bbc/%s", data, cats[c]);
        DIR *d = opendir(dir);
        if (d == NULL) continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t l = strlen(e->d_name);
            if (l < 5 || strcmp(e->d_name + l - 4, ".txt") != 0) continue;
            paths = realloc(paths, (n_paths + 1) * sizeof *paths);
            paths[n_paths] = malloc(strlen(dir) + l + 2);
            sprintf(paths[n_paths++], "%s/%s", dir, e->d_name);
        }
        closedir(d);
    }
    if (n_paths < 3) {
        fprintf(stderr, "bench_pairs: no BBC articles under %s/bbc-news\n", data);
        return 1;
    }
    qsort(paths, n_paths, sizeof *paths, cmp_str);
    if (n_articles > n_paths - 2) n_articles = n_paths - 2;
    size_t n_docs = n_articles + 2;
    char **text = calloc(n_docs, sizeof *text);
    size_t *len = calloc(n_docs, sizeof *len);
    rp_doc **doc = calloc(n_docs, sizeof *doc), **rew = calloc(n_articles, sizeof *rew);
    for (size_t i = 0; i < n_docs; i++) {
        text[i] = slurp(paths[i], &len[i]);
        if (text[i] == NULL || rp_doc_new(paths[i], text[i], len[i], NULL, &doc[i], NULL) != RP_OK)
            return 1;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < n_articles; i++) {
        size_t rl;
        char *r = rewrite(text[i], len[i], text[i + 1], len[i + 1], &rl);
        if (rp_doc_new("rewrite", r, rl, NULL, &rew[i], NULL) != RP_OK) return 1;
        free(r);
        bytes += len[i] + rl;
    }
    double best = 1e30;
    unsigned long long check = 0;
    size_t pairs = 2 * n_articles;
    for (int run = 0; run < repeat; run++) {
        unsigned long long sum = 0;
        double t0 = now();
        for (size_t i = 0; i < n_articles; i++) {
            for (int kind = 0; kind < 2; kind++) {
                rp_result *r = NULL;
                if (rp_compare(doc[i], kind ? doc[i + 2] : rew[i], NULL, &r, NULL) != RP_OK)
                    return 1;
                size_t np;
                const rp_passage *p = rp_result_passages(r, &np);
                sum += np;
                for (size_t k = 0; k < np; k++)
                    sum += p[k].tokens;
                rp_result_free(r);
            }
        }
        double t = now() - t0;
        if (t < best) best = t;
        check = sum;
    }
    printf("pairs %zu\n", pairs);
    printf("bytes_per_pair %.0f\n", (double)bytes / (double)n_articles);
    printf("seconds %.4f\n", best);
    printf("pairs_per_s %.0f\n", (double)pairs / best);
    printf("checksum %llu\n", check);
    for (size_t i = 0; i < n_docs; i++)
        rp_doc_free(doc[i]), free(text[i]);
    for (size_t i = 0; i < n_articles; i++)
        rp_doc_free(rew[i]);
    for (size_t i = 0; i < n_paths; i++)
        free(paths[i]);
    free(paths), free(text), free(len), free(doc), free(rew);
    return 0;
}
