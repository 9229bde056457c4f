/* bench_index.c - query latency of a reuse index, in process.
 *
 *   bench_index INDEX QUERIES.jsonl
 *
 * QUERIES comes from `gen_news queries`: ids "m<n>" are rewrites of the
 * indexed document "d<n>" (which must come first), ids "u<j>" documents
 * that were never indexed. Each query is timed from its text to its
 * ranked, aligned matches (rp_doc_new + rp_index_query, the work of one
 * `reprint query` record). Prints p50, p99, mean and max per kind, how
 * often the expected document came first, and how many matches the
 * unindexed documents got. Uses only include/reprint.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reprint.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct series {
    double *ms;
    size_t n, cap;
} series;

static void add(series *s, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->ms = realloc(s->ms, s->cap * sizeof *s->ms);
    }
    s->ms[s->n++] = v;
}

static void report(const char *label, series *s)
{
    if (s->n == 0) return;
    qsort(s->ms, s->n, sizeof *s->ms, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += s->ms[i];
    size_t p99 = (s->n * 99 + 99) / 100;
    printf("%-16s %5zu queries  p50 %6.2f ms  p99 %6.2f ms  mean %6.2f ms  max %6.2f ms\n", label,
           s->n, s->ms[(s->n - 1) / 2], s->ms[p99 > 0 ? p99 - 1 : 0], sum / (double)s->n,
           s->ms[s->n - 1]);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_index INDEX QUERIES.jsonl\n");
        return 2;
    }
    rp_error err;
    rp_index_opts io;
    rp_index_opts_init(&io);
    io.readonly = 1;
    rp_index *idx = NULL;
    rp_source *src = NULL;
    if (rp_index_open(argv[1], &io, &idx, &err) != RP_OK ||
        rp_source_open((const char *const *)&argv[2], 1, NULL, &src, &err) != RP_OK) {
        fprintf(stderr, "bench_index: %s: %s\n", err.path, err.msg);
        return 1;
    }
    rp_text_opts to;
    rp_text_opts_init(&to);
    to.seed = rp_index_get_params(idx)->seed;
    series with = {0}, without = {0};
    size_t first_ok = 0, n_with = 0, false_matches = 0;
    const rp_record *rec;
    while (rp_source_next(src, &rec, &err) == RP_OK && rec != NULL) {
        double t0 = now_ms();
        rp_doc *doc = NULL;
        rp_index_matches *m = NULL;
        if (rp_doc_new(rec->id, rec->text, rec->text_len, &to, &doc, &err) != RP_OK ||
            rp_index_query(idx, doc, NULL, &m, &err) != RP_OK) {
            fprintf(stderr, "bench_index: %s: %s\n", err.path, err.msg);
            return 1;
        }
        double t = now_ms() - t0;
        size_t n = rp_index_matches_count(m);
        if (rec->id[0] == 'm') {
            add(&with, t);
            n_with++;
            const char *top = n > 0 ? rp_index_match_id(m, 0, NULL) : "";
            if (top[0] == 'd' && strcmp(top + 1, rec->id + 1) == 0) first_ok++;
        } else {
            add(&without, t);
            false_matches += n;
        }
        rp_index_matches_free(m);
        rp_doc_free(doc);
    }
    report("with a match", &with);
    report("without", &without);
    printf("expected document first: %zu of %zu; matches for unindexed documents: %zu\n", first_ok,
           n_with, false_matches);
    rp_source_free(src);
    rp_index_free(idx);
    free(with.ms);
    free(without.ms);
    return 0;
}
