/* dedup_score.c - ground truth and scores for the dedup benchmark.
 *
 * Two jobs, both exact (word 5-gram sets of the library's tokens, as in
 * dedup_common.h; a pair is a near-duplicate when its Jaccard J, computed
 * as shared / union, is >= the threshold):
 *
 * 1. --all-pairs: every pair of documents of a corpus with J >= threshold,
 *    found by prefix filtering (Bayardo, Ma & Srikant, "Scaling up all
 *    pairs similarity search", WWW 2007): shingles are ordered from rarest
 *    to most frequent; two sets with J >= t must share one of the first
 *    |x| - ceil(t|x|) + 1 shingles of each, so only pairs sharing such a
 *    "prefix" shingle (and of compatible sizes) are compared, exactly, by
 *    merging their sorted sets. Exact and complete; memory is about 24
 *    bytes per shingle of the corpus (10k news documents: ~130 MB).
 *    Prints TSV: id1 id2 jaccard shared union "allpairs", sorted, id1 < id2
 *    in byte order.
 *
 * 2. Scoring a pairs TSV (id1 id2 similarity per line, as `reprint dedup
 *    --pairs` writes) against truth files (the generator's PREFIX.truth.tsv
 *    and, where it was computed, the --all-pairs output): prints how many
 *    pairs were reported, precision and recall at the threshold, the exact J
 *    of the missed and of the false pairs, and how far the reported
 *    similarities are from the exact J. A reported pair not in a truth file
 *    gets its exact J from the corpus (--corpus, read again). With
 *    --complete the truth files hold every pair at J >= threshold; without
 *    it the positives are the truth files' pairs at J >= threshold plus the
 *    reported pairs found to be at J >= threshold, so recall is measured on
 *    the injected pairs plus what the tool found: a near-duplicate pair that
 *    was neither injected nor reported is not counted (the output says so).
 *    --min-sim S counts only reported lines whose similarity is >= S.
 *    The last line is machine-readable:
 *      score LABEL precision recall tp fp fn reported truth complete
 *
 *   dedup_score --all-pairs [--threshold T] CORPUS...
 *   dedup_score [--threshold T] [--truth FILE]... [--complete]
 *               [--corpus FILE]... [--min-sim S] [--label NAME] PAIRS.tsv
 *
 * CORPUS files are read with rp_source (JSONL, plain, .gz, .zst,
 * directories). Exit status 0; 1 on unreadable input; 2 on usage errors.
 * Uses only reprint.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dedup_common.h"

#define SHOW_MAX 5 /* example pairs printed per kind */

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "dedup_score: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------
 * Interned strings (document ids, recipes) and a map of pairs
 * ------------------------------------------------------------------------ */

typedef struct strtab {
    char *bytes; /* NUL-terminated strings one after another */
    size_t len, cap;
    size_t *off; /* string i starts at bytes + off[i] */
    size_t n, cap_off;
    uint32_t *slot; /* open addressing: index + 1, 0 = empty */
    size_t n_slots;
} strtab;

static const char *str_at(const strtab *t, uint32_t i)
{
    return t->bytes + t->off[i];
}

static void str_grow(strtab *t)
{
    const size_t n_slots = t->n_slots ? 2 * t->n_slots : (size_t)1 << 16;
    uint32_t *slot = calloc(n_slots, sizeof *slot);
    if (slot == NULL) fail("out of memory", NULL);
    for (size_t i = 0; i < t->n; i++) {
        const char *s = str_at(t, (uint32_t)i);
        size_t at = (size_t)dd_hash(s, strlen(s)) & (n_slots - 1);
        while (slot[at] != 0)
            at = (at + 1) & (n_slots - 1);
        slot[at] = (uint32_t)i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->n_slots = n_slots;
}

/* The index of s (len bytes, no NUL inside); added when add, else
 * UINT32_MAX when absent. */
static uint32_t str_find(strtab *t, const char *s, size_t len, int add)
{
    if (t->n_slots == 0 || (add && 2 * (t->n + 1) > t->n_slots)) str_grow(t);
    size_t at = (size_t)dd_hash(s, len) & (t->n_slots - 1);
    while (t->slot[at] != 0) {
        const uint32_t i = t->slot[at] - 1;
        const char *c = str_at(t, i);
        if (strncmp(c, s, len) == 0 && c[len] == '\0') return i;
        at = (at + 1) & (t->n_slots - 1);
    }
    if (!add) return UINT32_MAX;
    if (t->len + len + 1 > t->cap) {
        t->cap = t->cap ? 2 * t->cap : (size_t)1 << 20;
        while (t->cap < t->len + len + 1)
            t->cap *= 2;
        t->bytes = dd_xrealloc(t->bytes, t->cap);
    }
    if (t->n == t->cap_off) {
        t->cap_off = t->cap_off ? 2 * t->cap_off : 65536;
        t->off = dd_xrealloc(t->off, t->cap_off * sizeof *t->off);
    }
    memcpy(t->bytes + t->len, s, len);
    t->bytes[t->len + len] = '\0';
    t->off[t->n] = t->len;
    t->len += len + 1;
    t->slot[at] = (uint32_t)t->n + 1;
    return (uint32_t)t->n++;
}

enum { IN_TRUTH = 1, REPORTED = 2, KNOWN = 4 };

typedef struct pair {
    uint32_t a, b;   /* ids, strcmp(a, b) < 0 */
    uint32_t recipe; /* string index of the truth file's relation+recipe, or UINT32_MAX */
    int flags;       /* IN_TRUTH, REPORTED, KNOWN (J known) */
    double j;        /* exact J when KNOWN */
    int at_least;    /* J >= threshold */
    double sim;      /* the reported similarity (NAN if none) */
} pair;

typedef struct pairmap {
    pair *v;
    size_t n, cap;
    uint32_t *slot; /* index + 1 */
    size_t n_slots;
} pairmap;

static uint64_t pair_key(uint32_t a, uint32_t b)
{
    return dd_mix64(((uint64_t)a << 32) | b);
}

static void pairmap_grow(pairmap *m)
{
    const size_t n_slots = m->n_slots ? 2 * m->n_slots : (size_t)1 << 16;
    uint32_t *slot = calloc(n_slots, sizeof *slot);
    if (slot == NULL) fail("out of memory", NULL);
    for (size_t i = 0; i < m->n; i++) {
        size_t at = (size_t)pair_key(m->v[i].a, m->v[i].b) & (n_slots - 1);
        while (slot[at] != 0)
            at = (at + 1) & (n_slots - 1);
        slot[at] = (uint32_t)i + 1;
    }
    free(m->slot);
    m->slot = slot;
    m->n_slots = n_slots;
}

/* The pair (a, b), added (zeroed) if absent; *added says which. */
static pair *pairmap_get(pairmap *m, uint32_t a, uint32_t b, int *added)
{
    if (2 * (m->n + 1) > m->n_slots) pairmap_grow(m);
    size_t at = (size_t)pair_key(a, b) & (m->n_slots - 1);
    while (m->slot[at] != 0) {
        pair *p = &m->v[m->slot[at] - 1];
        if (p->a == a && p->b == b) {
            *added = 0;
            return p;
        }
        at = (at + 1) & (m->n_slots - 1);
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 65536;
        m->v = dd_xrealloc(m->v, m->cap * sizeof *m->v);
    }
    pair *p = &m->v[m->n];
    memset(p, 0, sizeof *p);
    p->a = a;
    p->b = b;
    p->recipe = UINT32_MAX;
    p->sim = NAN;
    m->slot[at] = (uint32_t)++m->n;
    *added = 1;
    return p;
}

/* ------------------------------------------------------------------------
 * Reading the corpus
 * ------------------------------------------------------------------------ */

/* Calls fn(user, id, id_len, doc) for every record of the corpus whose id
 * want() accepts (all when want is NULL). */
typedef int (*want_fn)(void *user, const char *id, size_t id_len);
typedef void (*doc_fn)(void *user, const char *id, size_t id_len, const rp_doc *doc);

static size_t read_corpus(const char *const *paths, size_t n_paths, want_fn want, doc_fn fn,
                          void *user)
{
    rp_source *src = NULL;
    rp_error err;
    if (rp_source_open(paths, n_paths, NULL, &src, &err) != RP_OK) fail(err.path, err.msg);
    size_t n = 0;
    for (;;) {
        const rp_record *rec = NULL;
        if (rp_source_next(src, &rec, &err) != RP_OK) {
            fprintf(stderr, "dedup_score: %s:%llu: %s\n", err.path, (unsigned long long)err.line,
                    err.msg);
            exit(1);
        }
        if (rec == NULL) break;
        n++;
        if (want != NULL && !want(user, rec->id, rec->id_len)) continue;
        rp_doc *doc = NULL;
        if (rp_doc_new(rec->id, rec->text, rec->text_len, NULL, &doc, &err) != RP_OK) {
            fprintf(stderr, "dedup_score: %s:%llu: %s\n", rec->path, (unsigned long long)rec->line,
                    err.msg);
            exit(1);
        }
        fn(user, rec->id, rec->id_len, doc);
        rp_doc_free(doc);
    }
    rp_source_free(src);
    return n;
}

/* ------------------------------------------------------------------------
 * --all-pairs
 * ------------------------------------------------------------------------ */

typedef struct corpus {
    strtab ids;
    uint64_t *sh; /* every document's set, one after another */
    size_t n_sh, cap_sh;
    size_t *start; /* document i: sh[start[i] .. start[i + 1]) */
    size_t cap_start;
    uint64_t *tmp;
    size_t cap_tmp;
    size_t dup_ids;
} corpus;

static void corpus_add(void *user, const char *id, size_t id_len, const rp_doc *doc)
{
    corpus *c = user;
    const size_t before = c->ids.n;
    const uint32_t i = str_find(&c->ids, id, id_len, 1);
    if (c->ids.n == before) { /* a repeated id: keep the first document */
        (void)i;
        c->dup_ids++;
        return;
    }
    const size_t n = dd_shingle_set(doc, DEDUP_NGRAM, &c->tmp, &c->cap_tmp);
    if (c->n_sh + n > c->cap_sh) {
        c->cap_sh = c->cap_sh ? 2 * c->cap_sh : (size_t)1 << 20;
        while (c->cap_sh < c->n_sh + n)
            c->cap_sh *= 2;
        c->sh = dd_xrealloc(c->sh, c->cap_sh * sizeof *c->sh);
    }
    if (c->ids.n + 1 > c->cap_start) {
        c->cap_start = c->cap_start ? 2 * c->cap_start : 65536;
        c->start = dd_xrealloc(c->start, c->cap_start * sizeof *c->start);
    }
    memcpy(c->sh + c->n_sh, c->tmp, n * sizeof *c->tmp);
    c->start[c->ids.n - 1] = c->n_sh;
    c->n_sh += n;
    c->start[c->ids.n] = c->n_sh;
}

static int cmp_u32(const void *a, const void *b)
{
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

typedef struct found {
    uint32_t a, b, shared, uni;
} found;

static const strtab *sort_ids; /* for cmp_found */
static int cmp_found(const void *x, const void *y)
{
    const found *p = x, *q = y;
    int c = strcmp(str_at(sort_ids, p->a), str_at(sort_ids, q->a));
    if (c == 0) c = strcmp(str_at(sort_ids, p->b), str_at(sort_ids, q->b));
    return c;
}

/* Order of shingles for the prefixes: rarest first, ties by value. */
static const uint32_t *sort_df;
static const uint64_t *sort_val;
static int cmp_rare(const void *x, const void *y)
{
    const uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_df[a] != sort_df[b]) return sort_df[a] < sort_df[b] ? -1 : 1;
    return (sort_val[a] > sort_val[b]) - (sort_val[a] < sort_val[b]);
}

/* Shortest overlap two sets of sizes >= n must have for J >= t: ceil(t n),
 * taken a hair low so that rounding can only lengthen the prefix. */
static size_t min_overlap(double t, size_t n)
{
    const double v = t * (double)n - 1e-9;
    size_t o = (size_t)v;
    if ((double)o < v) o++;
    return o;
}

static int all_pairs(const char *const *paths, size_t n_paths, double t)
{
    const double t0 = now();
    corpus c;
    memset(&c, 0, sizeof c);
    c.start = dd_xrealloc(NULL, 65536 * sizeof *c.start);
    c.cap_start = 65536;
    c.start[0] = 0;
    const size_t records = read_corpus(paths, n_paths, NULL, corpus_add, &c);
    const size_t n_docs = c.ids.n;
    free(c.tmp);
    const double t1 = now();

    /* Distinct shingles with their document frequencies. */
    uint64_t *val = dd_xrealloc(NULL, c.n_sh * sizeof *val);
    memcpy(val, c.sh, c.n_sh * sizeof *val);
    uint64_t *sort_tmp = dd_xrealloc(NULL, (c.n_sh ? c.n_sh : 1) * sizeof *sort_tmp);
    rp__sort_u64(val, c.n_sh, sort_tmp);
    free(sort_tmp);
    size_t n_val = 0;
    uint32_t *df = dd_xrealloc(NULL, (c.n_sh ? c.n_sh : 1) * sizeof *df);
    for (size_t i = 0; i < c.n_sh; i++) {
        if (n_val > 0 && val[n_val - 1] == val[i]) {
            df[n_val - 1]++;
        } else {
            val[n_val] = val[i];
            df[n_val++] = 1;
        }
    }
    uint32_t *by_rarity = dd_xrealloc(NULL, (n_val ? n_val : 1) * sizeof *by_rarity);
    for (size_t i = 0; i < n_val; i++)
        by_rarity[i] = (uint32_t)i;
    sort_df = df;
    sort_val = val;
    qsort(by_rarity, n_val, sizeof *by_rarity, cmp_rare);
    uint32_t *rank = df; /* reuse: rank of distinct shingle i */
    uint32_t *tmp_rank = dd_xrealloc(NULL, (n_val ? n_val : 1) * sizeof *tmp_rank);
    for (size_t r = 0; r < n_val; r++)
        tmp_rank[by_rarity[r]] = (uint32_t)r;
    memcpy(rank, tmp_rank, n_val * sizeof *rank);
    free(tmp_rank);
    free(by_rarity);
    /* Each document as the sorted ranks of its shingles. */
    uint32_t *doc_r = dd_xrealloc(NULL, (c.n_sh ? c.n_sh : 1) * sizeof *doc_r);
    for (size_t i = 0; i < c.n_sh; i++) {
        size_t lo = 0, hi = n_val;
        while (lo < hi) {
            const size_t mid = lo + (hi - lo) / 2;
            if (val[mid] < c.sh[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        doc_r[i] = rank[lo];
    }
    free(c.sh);
    free(val);
    for (size_t d = 0; d < n_docs; d++)
        qsort(doc_r + c.start[d], c.start[d + 1] - c.start[d], sizeof *doc_r, cmp_u32);

    /* Postings of the prefixes, documents in increasing order. */
    size_t *post = calloc(n_val + 1, sizeof *post);
    if (post == NULL) fail("out of memory", NULL);
    for (size_t d = 0; d < n_docs; d++) {
        const size_t n = c.start[d + 1] - c.start[d];
        const size_t p = n == 0 ? 0 : n - min_overlap(t, n) + 1;
        for (size_t k = 0; k < p; k++)
            post[doc_r[c.start[d] + k] + 1]++;
    }
    for (size_t r = 0; r < n_val; r++)
        post[r + 1] += post[r];
    uint32_t *post_doc = dd_xrealloc(NULL, (post[n_val] ? post[n_val] : 1) * sizeof *post_doc);
    size_t *fill = dd_xrealloc(NULL, (n_val ? n_val : 1) * sizeof *fill);
    memcpy(fill, post, n_val * sizeof *fill);
    for (size_t d = 0; d < n_docs; d++) {
        const size_t n = c.start[d + 1] - c.start[d];
        const size_t p = n == 0 ? 0 : n - min_overlap(t, n) + 1;
        for (size_t k = 0; k < p; k++)
            post_doc[fill[doc_r[c.start[d] + k]]++] = (uint32_t)d;
    }
    free(fill);

    /* Probe: each document against the earlier ones sharing a prefix
     * shingle, then verify exactly. */
    uint32_t *mark = calloc(n_docs + 1, sizeof *mark);
    uint32_t *cand = dd_xrealloc(NULL, (n_docs ? n_docs : 1) * sizeof *cand);
    found *out = NULL;
    size_t n_out = 0, cap_out = 0, n_cand_total = 0;
    if (mark == NULL) fail("out of memory", NULL);
    for (size_t x = 0; x < n_docs; x++) {
        const uint32_t *rx = doc_r + c.start[x];
        const size_t nx = c.start[x + 1] - c.start[x];
        if (nx == 0) continue;
        const size_t p = nx - min_overlap(t, nx) + 1;
        size_t n_cand = 0;
        for (size_t k = 0; k < p; k++) {
            const uint32_t r = rx[k];
            for (size_t q = post[r]; q < post[r + 1]; q++) {
                const uint32_t y = post_doc[q];
                if (y >= x) break;
                if (mark[y] == x + 1) continue;
                mark[y] = (uint32_t)x + 1;
                const size_t ny = c.start[y + 1] - c.start[y];
                const size_t lo = nx < ny ? nx : ny, hi = nx < ny ? ny : nx;
                if ((double)lo < t * (double)hi - 1e-9) continue; /* J <= lo/hi < t */
                cand[n_cand++] = y;
            }
        }
        n_cand_total += n_cand;
        for (size_t k = 0; k < n_cand; k++) {
            const uint32_t y = cand[k];
            const uint32_t *ry = doc_r + c.start[y];
            const size_t ny = c.start[y + 1] - c.start[y];
            size_t i = 0, j = 0, shared = 0;
            while (i < nx && j < ny) {
                if (rx[i] < ry[j])
                    i++;
                else if (rx[i] > ry[j])
                    j++;
                else
                    shared++, i++, j++;
            }
            const size_t uni = nx + ny - shared;
            if (dd_jaccard(shared, uni) < t) continue;
            if (n_out == cap_out) {
                cap_out = cap_out ? 2 * cap_out : 4096;
                out = dd_xrealloc(out, cap_out * sizeof *out);
            }
            const int swap = strcmp(str_at(&c.ids, (uint32_t)x), str_at(&c.ids, y)) > 0;
            out[n_out++] = (found){swap ? y : (uint32_t)x, swap ? (uint32_t)x : y, (uint32_t)shared,
                                   (uint32_t)uni};
        }
    }
    sort_ids = &c.ids;
    qsort(out, n_out, sizeof *out, cmp_found);
    for (size_t i = 0; i < n_out; i++)
        printf("%s\t%s\t%.4f\t%u\t%u\tallpairs\n", str_at(&c.ids, out[i].a),
               str_at(&c.ids, out[i].b), dd_jaccard(out[i].shared, out[i].uni), out[i].shared,
               out[i].uni);
    if (fflush(stdout) != 0 || ferror(stdout)) fail("error writing the output", strerror(errno));
    fprintf(stderr,
            "dedup_score --all-pairs: %zu records (%zu repeated ids skipped), %zu shingles "
            "(%zu distinct); %zu candidate pairs verified, %zu at J >= %.2f; read %.1f s, "
            "total %.1f s\n",
            records, c.dup_ids, c.n_sh, n_val, n_cand_total, n_out, t, t1 - t0, now() - t0);
    free(out), free(mark), free(cand), free(post), free(post_doc), free(doc_r), free(rank);
    free(c.start), free(c.ids.bytes), free(c.ids.off), free(c.ids.slot);
    return 0;
}

/* ------------------------------------------------------------------------
 * Scoring
 * ------------------------------------------------------------------------ */

typedef struct scorer {
    double t;
    strtab ids, recipes;
    pairmap pairs;
    /* Documents whose sets must be read from the corpus. */
    uint8_t *need;
    uint64_t **set;
    size_t *set_n;
    size_t cap_docs;
    uint64_t *tmp;
    size_t cap_tmp;
    size_t loaded;
} scorer;

/* Split line (modified) at tabs into at most max fields; returns count. */
static size_t split_tabs(char *line, char **field, size_t max)
{
    size_t n = 0;
    char *s = line;
    while (n < max) {
        field[n++] = s;
        char *tab = strchr(s, '\t');
        if (tab == NULL) break;
        *tab = '\0';
        s = tab + 1;
    }
    return n;
}

static void chomp(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
}

/* Intern both ids in byte order; returns 1 when they had to be swapped. */
static int order_ids(scorer *s, const char *x, const char *y, uint32_t *a, uint32_t *b)
{
    const int swap = strcmp(x, y) > 0;
    *a = str_find(&s->ids, swap ? y : x, strlen(swap ? y : x), 1);
    *b = str_find(&s->ids, swap ? x : y, strlen(swap ? x : y), 1);
    return swap;
}

static void load_truth(scorer *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) fail(path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    unsigned long long lineno = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        chomp(line);
        if (line[0] == '\0' || line[0] == '#') continue;
        char *fld[8];
        const size_t nf = split_tabs(line, fld, 8);
        if (nf < 3) {
            fprintf(stderr, "dedup_score: %s:%llu: expected id1 id2 jaccard ...\n", path, lineno);
            exit(1);
        }
        uint32_t a, b;
        order_ids(s, fld[0], fld[1], &a, &b);
        int added;
        pair *p = pairmap_get(&s->pairs, a, b, &added);
        char *end;
        double j = strtod(fld[2], &end);
        if (nf >= 5) { /* shared and union: the exact value */
            const unsigned long long sh = strtoull(fld[3], NULL, 10);
            const unsigned long long un = strtoull(fld[4], NULL, 10);
            j = dd_jaccard((size_t)sh, (size_t)un);
        }
        p->flags |= IN_TRUTH | KNOWN;
        p->j = j;
        p->at_least = j >= s->t;
        if (nf >= 7 && p->recipe == UINT32_MAX) {
            char r[512];
            snprintf(r, sizeof r, "%s %s", fld[5], fld[6]);
            p->recipe = str_find(&s->recipes, r, strlen(r), 1);
        }
    }
    free(line);
    fclose(f);
}

static int want_needed(void *user, const char *id, size_t id_len)
{
    scorer *s = user;
    const uint32_t i = str_find(&s->ids, id, id_len, 0);
    return i != UINT32_MAX && s->need[i] && s->set[i] == NULL;
}

static void keep_needed(void *user, const char *id, size_t id_len, const rp_doc *doc)
{
    scorer *s = user;
    const uint32_t i = str_find(&s->ids, id, id_len, 0);
    const size_t n = dd_shingle_set(doc, DEDUP_NGRAM, &s->tmp, &s->cap_tmp);
    s->set[i] = dd_xrealloc(NULL, (n ? n : 1) * sizeof **s->set);
    memcpy(s->set[i], s->tmp, n * sizeof *s->tmp);
    s->set_n[i] = n;
    s->loaded++;
}

static int cmp_by_j_desc(const void *x, const void *y)
{
    const pair *a = *(pair *const *)x, *b = *(pair *const *)y;
    return (a->j < b->j) - (a->j > b->j);
}

static void print_examples(const scorer *s, const char *label, const char *what, pair **v, size_t n,
                           int highest_first)
{
    if (n == 0) return;
    qsort(v, n, sizeof *v, cmp_by_j_desc);
    printf("%s: %s (up to %d, %s J first):\n", label, what, SHOW_MAX,
           highest_first ? "highest" : "lowest");
    for (size_t k = 0; k < n && k < SHOW_MAX; k++) {
        const pair *p = v[highest_first ? k : n - 1 - k];
        printf("  %s %s J=%.4f", str_at(&s->ids, p->a), str_at(&s->ids, p->b), p->j);
        if (!isnan(p->sim)) printf(" reported=%.4f", p->sim);
        if (p->recipe != UINT32_MAX) printf(" (%s)", str_at(&s->recipes, p->recipe));
        putchar('\n');
    }
}

static int score(const char *pairs_path, const char *const *truth, size_t n_truth, int complete,
                 const char *const *corpus_paths, size_t n_corpus, double min_sim, double t,
                 const char *label)
{
    scorer s;
    memset(&s, 0, sizeof s);
    s.t = t;
    for (size_t i = 0; i < n_truth; i++)
        load_truth(&s, truth[i]);

    FILE *f = fopen(pairs_path, "r");
    if (f == NULL) fail(pairs_path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    size_t lines = 0, dups = 0, misordered = 0, self = 0, below_min = 0, bad = 0;
    while (getline(&line, &cap, f) >= 0) {
        chomp(line);
        if (line[0] == '\0') continue;
        char *fld[4];
        const size_t nf = split_tabs(line, fld, 4);
        if (nf < 2) {
            bad++;
            continue;
        }
        lines++;
        double sim = NAN;
        if (nf >= 3) {
            char *end;
            sim = strtod(fld[2], &end);
            if (end == fld[2]) sim = NAN;
        }
        if (min_sim > 0 && !(sim >= min_sim)) {
            below_min++;
            continue;
        }
        if (strcmp(fld[0], fld[1]) == 0) {
            self++;
            continue;
        }
        uint32_t a, b;
        misordered += (size_t)order_ids(&s, fld[0], fld[1], &a, &b);
        int added;
        pair *p = pairmap_get(&s.pairs, a, b, &added);
        if (p->flags & REPORTED) {
            dups++;
            continue;
        }
        p->flags |= REPORTED;
        p->sim = sim;
    }
    free(line);
    fclose(f);

    /* Exact J of reported pairs the truth files do not have. */
    s.cap_docs = s.ids.n;
    s.need = calloc(s.cap_docs + 1, 1);
    s.set = calloc(s.cap_docs + 1, sizeof *s.set);
    s.set_n = calloc(s.cap_docs + 1, sizeof *s.set_n);
    if (s.need == NULL || s.set == NULL || s.set_n == NULL) fail("out of memory", NULL);
    size_t unknown = 0;
    for (size_t i = 0; i < s.pairs.n; i++) {
        const pair *p = &s.pairs.v[i];
        if (p->flags & KNOWN) continue;
        s.need[p->a] = s.need[p->b] = 1;
        unknown++;
    }
    if (unknown > 0 && n_corpus > 0)
        read_corpus(corpus_paths, n_corpus, want_needed, keep_needed, &s);
    size_t not_found = 0;
    for (size_t i = 0; i < s.pairs.n; i++) {
        pair *p = &s.pairs.v[i];
        if (p->flags & KNOWN) continue;
        if (s.set[p->a] == NULL || s.set[p->b] == NULL) {
            not_found++;
            continue;
        }
        const size_t sh = dd_shared(s.set[p->a], s.set_n[p->a], s.set[p->b], s.set_n[p->b]);
        p->j = dd_jaccard(sh, s.set_n[p->a] + s.set_n[p->b] - sh);
        p->at_least = p->j >= t;
        p->flags |= KNOWN;
    }

    /* Count. */
    size_t tp = 0, fp = 0, fn = 0, truth_pos = 0, extra_pos = 0, reported = 0;
    double err_sum = 0, err_max = 0;
    size_t err_n = 0;
    enum { NB = 5 };
    const double up[NB] = {t + 0.02, t + 0.05, t + 0.10, 1.0, 1.0000001};
    const double down[NB] = {t - 0.02, t - 0.05, t - 0.10, 0.5, -1};
    size_t miss_bin[NB] = {0}, false_bin[NB] = {0};
    pair **missed = dd_xrealloc(NULL, (s.pairs.n + 1) * sizeof *missed);
    pair **wrong = dd_xrealloc(NULL, (s.pairs.n + 1) * sizeof *wrong);
    size_t n_missed = 0, n_wrong = 0;
    for (size_t i = 0; i < s.pairs.n; i++) {
        pair *p = &s.pairs.v[i];
        const int rep = (p->flags & REPORTED) != 0;
        reported += (size_t)rep;
        if (!(p->flags & KNOWN)) continue;
        if (rep && !isnan(p->sim)) {
            const double e = fabs(p->sim - p->j);
            err_sum += e;
            err_n++;
            if (e > err_max) err_max = e;
        }
        if (p->at_least) {
            truth_pos++;
            if (!(p->flags & IN_TRUTH)) extra_pos++;
            if (rep) {
                tp++;
            } else {
                fn++;
                missed[n_missed++] = p;
                size_t b = 0;
                while (b < NB - 1 && !(p->j < up[b]))
                    b++;
                miss_bin[b]++;
            }
        } else if (rep) {
            fp++;
            wrong[n_wrong++] = p;
            size_t b = 0;
            while (b < NB - 1 && !(p->j >= down[b]))
                b++;
            false_bin[b]++;
        }
    }
    const double precision = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
    const double recall = truth_pos ? (double)tp / (double)truth_pos : 1.0;

    printf("%s: %zu pairs reported", label, reported);
    if (min_sim > 0) printf(" with similarity >= %.2f (%zu lower left out)", min_sim, below_min);
    printf("; %zu repeated, %zu not in id order, %zu id1 = id2, %zu malformed lines\n", dups,
           misordered, self, bad);
    if (not_found > 0)
        printf("%s: %zu reported pairs name ids not in the corpus (not scored)\n", label,
               not_found);
    if (complete)
        printf("%s: truth: %zu pairs at J >= %.2f, exact and complete (every pair of the "
               "corpus)\n",
               label, truth_pos, t);
    else
        printf("%s: truth: %zu pairs at J >= %.2f = %zu injected + %zu more that the tool "
               "reported; not complete: a near-duplicate pair neither injected nor reported "
               "is not counted, so recall is over these\n",
               label, truth_pos, t, truth_pos - extra_pos, extra_pos);
    printf("%s: precision %.4f (%zu of %zu reported pairs at J >= %.2f)\n", label, precision, tp,
           tp + fp, t);
    printf("%s: recall    %.4f (%zu of %zu true pairs reported)\n", label, recall, tp, truth_pos);
    if (fn > 0)
        printf("%s: missed by exact J: [%.2f,%.2f) %zu, [%.2f,%.2f) %zu, [%.2f,%.2f) %zu, "
               "[%.2f,1) %zu, 1 %zu\n",
               label, t, up[0], miss_bin[0], up[0], up[1], miss_bin[1], up[1], up[2], miss_bin[2],
               up[2], miss_bin[3], miss_bin[4]);
    if (fp > 0)
        printf("%s: false by exact J: [%.2f,%.2f) %zu, [%.2f,%.2f) %zu, [%.2f,%.2f) %zu, "
               "[0.50,%.2f) %zu, < 0.50 %zu\n",
               label, down[0], t, false_bin[0], down[1], down[0], false_bin[1], down[2], down[1],
               false_bin[2], down[2], false_bin[3], false_bin[4]);
    if (err_n > 0)
        printf("%s: reported similarity vs exact J: mean |difference| %.4f, max %.4f\n", label,
               err_sum / (double)err_n, err_max);
    print_examples(&s, label, "missed pairs", missed, n_missed, 1);
    print_examples(&s, label, "false pairs", wrong, n_wrong, 0);
    printf("score\t%s\t%.4f\t%.4f\t%zu\t%zu\t%zu\t%zu\t%zu\t%s\n", label, precision, recall, tp, fp,
           fn, reported, truth_pos, complete ? "complete" : "injected+reported");
    free(missed), free(wrong);
    for (size_t i = 0; i < s.cap_docs; i++)
        free(s.set[i]);
    free(s.set), free(s.set_n), free(s.need), free(s.tmp);
    free(s.pairs.v), free(s.pairs.slot);
    free(s.ids.bytes), free(s.ids.off), free(s.ids.slot);
    free(s.recipes.bytes), free(s.recipes.off), free(s.recipes.slot);
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: dedup_score --all-pairs [--threshold T] CORPUS...\n"
          "       dedup_score [--threshold T] [--truth FILE]... [--complete] [--corpus FILE]...\n"
          "                   [--min-sim S] [--label NAME] PAIRS.tsv\n"
          "  --all-pairs    print every pair of the corpus at exact J >= T (TSV)\n"
          "  --threshold T  the near-duplicate threshold (default 0.8)\n"
          "  --truth FILE   id1 id2 jaccard [shared union [relation recipe]] lines\n"
          "  --complete     the truth files hold every pair at J >= T\n"
          "  --corpus FILE  where to read documents for pairs the truth files lack\n"
          "  --min-sim S    count only reported pairs whose similarity is >= S\n"
          "  --label NAME   prefix of the output lines (default: the pairs file)\n",
          f);
}

int main(int argc, char **argv)
{
    double t = 0.8, min_sim = 0;
    int all = 0, complete = 0;
    const char *label = NULL;
    const char **truth = dd_xrealloc(NULL, (size_t)argc * sizeof *truth);
    const char **corpus_paths = dd_xrealloc(NULL, (size_t)argc * sizeof *corpus_paths);
    const char **rest = dd_xrealloc(NULL, (size_t)argc * sizeof *rest);
    size_t n_truth = 0, n_corpus = 0, n_rest = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int has_value = i + 1 < argc;
        char *end;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--all-pairs") == 0) {
            all = 1;
        } else if (strcmp(a, "--complete") == 0) {
            complete = 1;
        } else if (strcmp(a, "--threshold") == 0 && has_value) {
            t = strtod(argv[++i], &end);
            if (*end != '\0' || !(t > 0 && t <= 1)) {
                fprintf(stderr, "dedup_score: bad --threshold %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--min-sim") == 0 && has_value) {
            min_sim = strtod(argv[++i], &end);
            if (*end != '\0' || !(min_sim >= 0 && min_sim <= 1)) {
                fprintf(stderr, "dedup_score: bad --min-sim %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--truth") == 0 && has_value) {
            truth[n_truth++] = argv[++i];
        } else if (strcmp(a, "--corpus") == 0 && has_value) {
            corpus_paths[n_corpus++] = argv[++i];
        } else if (strcmp(a, "--label") == 0 && has_value) {
            label = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "dedup_score: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        } else {
            rest[n_rest++] = a;
        }
    }
    int rc;
    if (all) {
        if (n_rest == 0) {
            fputs("dedup_score: --all-pairs needs a corpus\n", stderr);
            return 2;
        }
        rc = all_pairs(rest, n_rest, t);
    } else {
        if (n_rest != 1) {
            fputs("dedup_score: give one pairs file to score\n", stderr);
            usage(stderr);
            return 2;
        }
        rc = score(rest[0], truth, n_truth, complete, corpus_paths, n_corpus, min_sim, t,
                   label ? label : rest[0]);
    }
    free(truth), free(corpus_paths), free(rest);
    return rc;
}
