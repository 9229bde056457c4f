/* gen_news.c - synthetic news-sized documents for the index benchmark.
 *
 * Reads a pool of real sentences (bench/news_pool.py: Reuters-21578 and BBC
 * News prose) and writes JSONL documents of about 3 KB (420..580 words in
 * paragraphs of 2..4 sentences). Sentences are new: each starts with the
 * first word of a pool sentence and walks the pool's word bigrams (the next
 * word is the successor of a random occurrence of the current one) until
 * a pool sentence would end there. The text keeps real vocabulary, word
 * frequencies and common phrases, but documents do not share whole
 * sentences: a million documents made of the pool's 140 thousand
 * sentences would each be a partial reprint of hundreds of others, which a
 * real archive is not.
 *
 *   gen_news POOL docs N [SEED]          documents 0..N-1, ids "d<n>"
 *   gen_news POOL queries K N [SEED]     K rewrites of random documents
 *                                        among 0..N-1 (ids "m<n>": expect
 *                                        d<n> first) and K documents not
 *                                        indexed (ids "u<j>": expect none)
 *
 * A rewrite is what a newspaper does to a wire story: a new lead, about
 * one sentence in seven dropped, one added after about one in seven, and
 * one word in twelve changed. Output is deterministic for a seed. Not part
 * of the library; it uses no reprint code. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pool {
    char *buf;
    char **words; /* every word occurrence, in order */
    size_t n_words;
    size_t *sent; /* sentence i: words[sent[i] .. sent[i + 1]) */
    size_t n_sent;
    uint32_t *id;  /* occurrence -> distinct word; top bit: it ends its sentence */
    uint32_t *occ; /* occurrences grouped by word: occ[first[w] .. first[w + 1]) */
    size_t *first;
    size_t n_ids;
} pool;

#define LAST(p, i) ((p)->id[i] >> 31)

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static uint64_t rnd(uint64_t *s)
{
    *s += 0x9E3779B97F4A7C15ULL;
    return mix(*s);
}

static size_t below(uint64_t *s, size_t n)
{
    return (size_t)(rnd(s) % n);
}

static void die(const char *msg)
{
    fprintf(stderr, "gen_news: %s\n", msg);
    exit(1);
}

static void load_pool(const char *path, pool *p)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) die("cannot open the pool");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    p->buf = malloc((size_t)size + 1);
    if (p->buf == NULL || fread(p->buf, 1, (size_t)size, f) != (size_t)size) die("cannot read");
    fclose(f);
    p->buf[size] = '\0';
    size_t cap_w = 1 << 20, cap_s = 1 << 16;
    p->words = malloc(cap_w * sizeof *p->words);
    p->sent = malloc(cap_s * sizeof *p->sent);
    char *c = p->buf;
    while (*c) {
        char *nl = strchr(c, '\n');
        if (nl == NULL) nl = c + strlen(c);
        int at_end = *nl == '\0';
        *nl = '\0';
        if (p->n_sent + 2 > cap_s) p->sent = realloc(p->sent, (cap_s *= 2) * sizeof *p->sent);
        p->sent[p->n_sent++] = p->n_words;
        for (char *w = strtok(c, " "); w != NULL; w = strtok(NULL, " ")) {
            if (p->n_words + 1 > cap_w)
                p->words = realloc(p->words, (cap_w *= 2) * sizeof *p->words);
            p->words[p->n_words++] = w;
        }
        if (at_end) break;
        c = nl + 1;
    }
    p->sent[p->n_sent] = p->n_words;
    if (p->n_sent < 100) die("the pool is too small");
    /* Distinct words (an open-addressing table of occurrence indexes). */
    size_t cap = 1;
    while (cap < p->n_words * 2)
        cap *= 2;
    size_t *table = malloc(cap * sizeof *table);
    p->id = malloc(p->n_words * sizeof *p->id);
    if (table == NULL || p->id == NULL) die("out of memory");
    for (size_t i = 0; i < cap; i++)
        table[i] = SIZE_MAX;
    for (size_t i = 0; i < p->n_words; i++) {
        uint64_t h = 1469598103934665603ULL;
        for (const char *ch = p->words[i]; *ch; ch++)
            h = (h ^ (unsigned char)*ch) * 1099511628211ULL;
        size_t slot = (size_t)mix(h) & (cap - 1);
        while (table[slot] != SIZE_MAX && strcmp(p->words[table[slot]], p->words[i]) != 0)
            slot = (slot + 1) & (cap - 1);
        if (table[slot] == SIZE_MAX) {
            table[slot] = i;
            p->id[i] = (uint32_t)p->n_ids++;
        } else {
            p->id[i] = p->id[table[slot]];
        }
    }
    free(table);
    for (size_t s = 0; s < p->n_sent; s++)
        if (p->sent[s + 1] > p->sent[s]) p->id[p->sent[s + 1] - 1] |= 0x80000000u;
    p->first = calloc(p->n_ids + 1, sizeof *p->first);
    p->occ = malloc(p->n_words * sizeof *p->occ);
    if (p->first == NULL || p->occ == NULL) die("out of memory");
    for (size_t i = 0; i < p->n_words; i++)
        p->first[(p->id[i] & 0x7FFFFFFF) + 1]++;
    for (size_t w = 0; w < p->n_ids; w++)
        p->first[w + 1] += p->first[w];
    size_t *fill = malloc((p->n_ids + 1) * sizeof *fill);
    if (fill == NULL) die("out of memory");
    memcpy(fill, p->first, (p->n_ids + 1) * sizeof *fill);
    for (size_t i = 0; i < p->n_words; i++)
        p->occ[fill[p->id[i] & 0x7FFFFFFF]++] = (uint32_t)i;
    free(fill);
}

/* A document under construction: words, with sentence and paragraph ends. */
typedef struct doc {
    const char **w;
    unsigned char *end; /* after word i: 0, 1 sentence end, 2 paragraph end */
    size_t n, cap;
} doc;

static void put(doc *d, const char *w, unsigned char end)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->w = realloc(d->w, d->cap * sizeof *d->w);
        d->end = realloc(d->end, d->cap);
    }
    d->w[d->n] = w;
    d->end[d->n] = end;
    d->n++;
}

/* A new sentence: a walk over the pool's word bigrams from the first word
 * of a pool sentence, ending where a pool sentence ends (6..50 words). */
static void sentence(const pool *p, uint64_t *s, doc *d)
{
    size_t at = p->sent[below(s, p->n_sent)], n = 0;
    for (;;) {
        put(d, p->words[at], 0);
        n++;
        if (n >= 50 || (LAST(p, at) && n >= 6)) break;
        /* The successor of a random occurrence of this word (one that
         * does not end its sentence, while the sentence is short). */
        uint32_t w = p->id[at] & 0x7FFFFFFF;
        size_t lo = p->first[w], hi = p->first[w + 1];
        size_t pick = p->occ[lo + below(s, hi - lo)];
        for (int tries = 0; LAST(p, pick) && n < 6 && tries < 8; tries++)
            pick = p->occ[lo + below(s, hi - lo)];
        if (LAST(p, pick)) {
            at = pick;
            if (n >= 6) break;
            at = p->sent[below(s, p->n_sent)]; /* a dead end: start afresh */
            continue;
        }
        at = pick + 1;
    }
    d->end[d->n - 1] = 1;
}

static void make_doc(const pool *p, uint64_t seed, size_t index, doc *d)
{
    uint64_t s = mix(seed ^ mix(index + 1));
    size_t target = 420 + below(&s, 161);
    d->n = 0;
    size_t in_par = 0, par_len = 2 + below(&s, 3);
    while (d->n < target) {
        sentence(p, &s, d);
        if (++in_par == par_len) {
            d->end[d->n - 1] = 2;
            in_par = 0;
            par_len = 2 + below(&s, 3);
        }
    }
    d->end[d->n - 1] = 2;
}

/* A newspaper's rewrite of a: new lead, dropped and added sentences,
 * changed words. */
static void rewrite(const pool *p, uint64_t seed, size_t index, const doc *a, doc *b)
{
    uint64_t s = mix(seed ^ mix(index + 7777777));
    b->n = 0;
    sentence(p, &s, b);
    sentence(p, &s, b);
    b->end[b->n - 1] = 2;
    size_t start = 0;
    while (start < a->n) {
        size_t stop = start;
        while (!a->end[stop])
            stop++;
        if (below(&s, 7) != 0) {
            for (size_t k = start; k <= stop; k++) {
                const char *w = below(&s, 12) == 0 ? p->words[below(&s, p->n_words)] : a->w[k];
                put(b, w, a->end[k]);
            }
        } else if (stop + 1 == a->n || a->end[stop] == 2) {
            if (b->n > 0) b->end[b->n - 1] = 2;
        }
        if (below(&s, 7) == 0) {
            unsigned char e = b->n > 0 ? b->end[b->n - 1] : 0;
            if (b->n > 0) b->end[b->n - 1] = 1;
            sentence(p, &s, b);
            if (e == 2) b->end[b->n - 1] = 2;
        }
        start = stop + 1;
    }
    b->end[b->n - 1] = 2;
}

static void json_str(FILE *out, const char *s)
{
    size_t plain = 0;
    while (s[plain] && s[plain] != '"' && s[plain] != '\\' && (unsigned char)s[plain] >= 0x20)
        plain++;
    fwrite(s, 1, plain, out);
    for (s += plain; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fputc('\\', out), fputc(c, out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

static void emit(FILE *out, const char *id, const doc *d)
{
    fprintf(out, "{\"id\":\"%s\",\"text\":\"", id);
    for (size_t i = 0; i < d->n; i++) {
        json_str(out, d->w[i]);
        if (i + 1 < d->n) fputs(d->end[i] == 2 ? "\\n\\n" : " ", out);
    }
    fputs("\",\"source\":\"gen_news\"}\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen_news POOL docs N [SEED]\n"
                        "       gen_news POOL queries K N [SEED]\n");
        return 2;
    }
    pool p = {0};
    load_pool(argv[1], &p);
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    doc a = {0}, b = {0};
    char id[64];
    if (strcmp(argv[2], "docs") == 0) {
        size_t n = strtoull(argv[3], NULL, 10);
        uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
        for (size_t i = 0; i < n; i++) {
            make_doc(&p, seed, i, &a);
            snprintf(id, sizeof id, "d%zu", i);
            emit(stdout, id, &a);
        }
    } else if (strcmp(argv[2], "queries") == 0 && argc >= 5) {
        size_t k = strtoull(argv[3], NULL, 10), n = strtoull(argv[4], NULL, 10);
        uint64_t seed = argc > 5 ? strtoull(argv[5], NULL, 10) : 1;
        uint64_t s = mix(seed ^ 0x51);
        for (size_t j = 0; j < k; j++) {
            size_t r = below(&s, n);
            make_doc(&p, seed, r, &a);
            rewrite(&p, seed, r, &a, &b);
            snprintf(id, sizeof id, "m%zu", r);
            emit(stdout, id, &b);
            make_doc(&p, seed, n + 1000000000 + j, &a);
            snprintf(id, sizeof id, "u%zu", j);
            emit(stdout, id, &a);
        }
    } else {
        die("unknown mode");
    }
    if (fflush(stdout) != 0) die("write error");
    return 0;
}
