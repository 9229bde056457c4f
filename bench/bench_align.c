/* bench_align.c - end-to-end benchmark of the aligner: two large documents
 * that share planted passages, reordered and lightly edited.
 *
 * The program builds, from a fixed seed, document A = filler + N passages at
 * random places (sentence or paragraph boundaries) in order 1..N, and
 * document B = different filler + the same passages in a shuffled order,
 * each edited (a word inserted, deleted or substituted every 10-20 words).
 * The prose is synthetic by default: a Zipf-distributed vocabulary of 50,000
 * pseudo-words built from syllables, sentences of 8-25 words, paragraphs of
 * 3-8 sentences. With "--prose bbc" it is real BBC News prose from
 * $REPRINT_DATA/bbc-news, exact and near duplicate articles dropped; that
 * corpus holds about 2.2 MB of unused prose per side, so the documents are
 * smaller. Either way the true byte range of every planted passage is known
 * by construction.
 *
 * It then times rp_doc_new() on both documents and rp_compare() on the pair
 * (CLOCK_MONOTONIC, one thread) and reports sizes, tokens, times, MB/s, peak
 * RSS, how many planted passages were found (a planted passage is found when
 * one reported passage overlaps it on both sides), character-level recall and
 * precision of the reported passages against the planted ranges on each side,
 * and the planted passages that were missed, split or partly covered, with
 * the largest reported passages outside the planted pairs. Benchmarks report
 * and never fail: the exit status is 0 whether or not the bar is met, and
 * non-zero only when the benchmark itself cannot run. Only reprint.h is used.
 *
 *   bench_align [--size MB] [--passages N] [--seed S] [--prose synthetic|bbc]
 *               [--repeat N] [--data DIR] [--dump PREFIX] [--verbose] */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "reprint.h"

#define MB                1e6   /* the benchmark's megabyte: 10^6 bytes */
#define VOCAB_SIZE        50000 /* synthetic pseudo-words */
#define ZIPF_S            1.0   /* synthetic Zipf exponent */
#define PASSAGE_MIN_WORDS 200   /* planted passage length, words */
#define PASSAGE_MAX_WORDS 2000
#define EDIT_EVERY_MIN    10 /* one edit every 10-20 words */
#define EDIT_EVERY_MAX    20
#define BAR_SECONDS       5.0 /* the bar: all passages found in < 5 s at 10 MB */
#define BAR_SIZE_MB       10.0
#define BAR_PASSAGES      30
#define SHOW_MAX          10 /* problem lines shown without --verbose */

/* ------------------------------------------------------------------------
 * Helpers: fatal errors, growable buffers, a seeded generator, time, memory
 * ------------------------------------------------------------------------ */

static void die(const char *what)
{
    fprintf(stderr, "bench_align: %s\n", what);
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) die("out of memory");
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL) die("out of memory");
    return p;
}

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void buf_reserve(buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void buf_put(buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_puts(buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void buf_free(buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* xoshiro256** seeded through splitmix64; one independent stream per use, so
 * changing one part of the generator leaves the others unchanged. */
typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_unif(rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [lo, hi], inclusive. */
static size_t rng_range(rng *r, size_t lo, size_t hi)
{
    return lo + (size_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static void shuffle(size_t *v, size_t n, rng *r)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_range(r, 0, i - 1);
        size_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak resident set size so far, in MB (ru_maxrss is KiB on Linux). */
static double peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (double)ru.ru_maxrss * 1024.0 / MB;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001B3ULL;
    }
    return h;
}

static int is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* A byte that belongs to a word for editing purposes: ASCII letters and
 * digits, and every non-ASCII byte (letters of other scripts, typographic
 * apostrophes; good enough to find the core of a chunk like "(Reuters)."). */
static int is_wordbyte(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}

/* ------------------------------------------------------------------------
 * Synthetic prose: a Zipf vocabulary of pseudo-words made of syllables
 * ------------------------------------------------------------------------ */

/* Onsets and vowel groups alternate inside a word, so every word reads back
 * one way only and distinct syllable sequences are distinct words. */
static const char *const ONSETS[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",  "m",
                                     "n",  "p",  "r",  "s",  "t",  "v",  "w",  "z",  "ch", "sh",
                                     "th", "br", "tr", "st", "pl", "gr", "cr", "fl", "sk", "dr"};
static const char *const VOWELS[] = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "oo", "ie"};
static const char *const CODAS[] = {"", "", "", "n", "r", "s", "t", "l", "nd", "st"};
#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

typedef struct vocab {
    char *text;    /* the words, each NUL-terminated */
    uint32_t *off; /* word i starts at text + off[i] */
    double *cdf;   /* cumulative Zipf probability by rank */
    size_t n;
} vocab;

static void vocab_build(vocab *v, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed, 1);
    buf text = {0};
    size_t slots = 1u << 17; /* open addressing set of word indexes + 1 */
    uint32_t *set = xcalloc(slots, sizeof *set);
    v->off = xmalloc(VOCAB_SIZE * sizeof *v->off);
    v->n = 0;
    char w[64];
    while (v->n < VOCAB_SIZE) {
        size_t rank = v->n, nsyl;
        if (rank < 150)
            nsyl = 1;
        else if (rank < 2500)
            nsyl = rng_range(&r, 1, 2);
        else if (rank < 20000)
            nsyl = rng_range(&r, 2, 3);
        else
            nsyl = rng_range(&r, 2, 4);
        size_t len = 0;
        for (size_t s = 0; s < nsyl; s++) {
            const char *on = ONSETS[rng_range(&r, 0, COUNT(ONSETS) - 1)];
            const char *vo = VOWELS[rng_range(&r, 0, COUNT(VOWELS) - 1)];
            /* A word may start with its vowel, as "a", "over", "into". */
            if (s == 0 && rng_range(&r, 0, 5) == 0) on = "";
            len += (size_t)snprintf(w + len, sizeof w - len, "%s%s", on, vo);
        }
        len += (size_t)snprintf(w + len, sizeof w - len, "%s",
                                CODAS[rng_range(&r, 0, COUNT(CODAS) - 1)]);
        uint64_t h = fnv1a(w, len);
        size_t at = (size_t)h & (slots - 1);
        int dup = 0;
        while (set[at] != 0) {
            if (strcmp(text.p + v->off[set[at] - 1], w) == 0) {
                dup = 1;
                break;
            }
            at = (at + 1) & (slots - 1);
        }
        if (dup) continue;
        set[at] = (uint32_t)v->n + 1;
        v->off[v->n++] = (uint32_t)text.len;
        buf_put(&text, w, len + 1);
    }
    free(set);
    v->text = text.p;
    v->cdf = xmalloc(v->n * sizeof *v->cdf);
    double sum = 0;
    for (size_t i = 0; i < v->n; i++) {
        sum += 1.0 / pow((double)(i + 1), ZIPF_S);
        v->cdf[i] = sum;
    }
    for (size_t i = 0; i < v->n; i++)
        v->cdf[i] /= sum;
}

static void vocab_free(vocab *v)
{
    free(v->text);
    free(v->off);
    free(v->cdf);
}

static const char *vocab_draw(const vocab *v, rng *r)
{
    double u = rng_unif(r);
    size_t lo = 0, hi = v->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return v->text + v->off[lo];
}

/* ------------------------------------------------------------------------
 * Real prose: BBC News articles, split into paragraphs
 * ------------------------------------------------------------------------ */

typedef struct span {
    size_t off, len;
} span;

typedef struct corpus {
    char *text;  /* every kept article, one after another */
    span *paras; /* paragraphs in shuffled article order */
    size_t n_paras;
    size_t n_articles, n_dups, n_near, n_bad;
} corpus;

/* Strict UTF-8 check (no overlongs, surrogates or values above U+10FFFF)
 * and no NUL: what rp_doc_new() accepts by default. */
static int valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t k;
        unsigned min;
        if (c == 0) return 0;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3, min = 0x10000;
        } else {
            return 0;
        }
        if (i + k >= n) return 0;
        unsigned cp = c & (0x3Fu >> k);
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += k + 1;
    }
    return 1;
}

/* The word 8-gram shingles of the articles kept so far, to drop the corpus's
 * near-duplicates (the same story filed twice): real reuse between filler
 * paragraphs would otherwise be scored as stray passages. */
#define SHINGLE  8
#define NEAR_DUP 0.02 /* drop an article when > 2% of its shingles are known */

typedef struct shingles {
    uint64_t *set; /* open addressing; 0 is empty */
    size_t cap, n;
} shingles;

/* The hashes of t's word 8-grams (words: whitespace-separated, ASCII
 * lowercased, only word bytes) into *out; returns their number. */
static size_t shingle_hashes(const char *t, size_t n, uint64_t **out)
{
    size_t cap = 64, nw = 0, nh = 0;
    uint64_t *w = xmalloc(cap * sizeof *w);
    for (size_t i = 0; i < n;) {
        while (i < n && is_space(t[i]))
            i++;
        uint64_t h = 0xCBF29CE484222325ULL;
        int any = 0;
        for (; i < n && !is_space(t[i]); i++) {
            char ch = t[i];
            if (!is_wordbyte(ch)) continue;
            if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
            h = (h ^ (unsigned char)ch) * 0x100000001B3ULL;
            any = 1;
        }
        if (!any) continue;
        if (nw == cap) w = xrealloc(w, (cap *= 2) * sizeof *w);
        w[nw++] = h;
    }
    uint64_t *hs = xmalloc((nw + 1) * sizeof *hs);
    for (size_t i = 0; i + SHINGLE <= nw; i++) {
        uint64_t h = 0;
        for (size_t k = 0; k < SHINGLE; k++)
            h = (h ^ w[i + k]) * 0x9E3779B97F4A7C15ULL + k;
        hs[nh++] = h | 1;
    }
    free(w);
    *out = hs;
    return nh;
}

static uint64_t *shingle_slot(shingles *s, uint64_t h)
{
    size_t at = (size_t)(h >> 7) & (s->cap - 1);
    while (s->set[at] != 0 && s->set[at] != h)
        at = (at + 1) & (s->cap - 1);
    return &s->set[at];
}

/* Is this article a near-duplicate of one kept before? If not, remember
 * its shingles. */
static int near_duplicate(shingles *s, const char *t, size_t n)
{
    uint64_t *hs;
    size_t nh = shingle_hashes(t, n, &hs), known = 0;
    for (size_t i = 0; i < nh; i++)
        known += *shingle_slot(s, hs[i]) == hs[i];
    int dup = nh > 0 && (double)known > NEAR_DUP * (double)nh;
    for (size_t i = 0; !dup && i < nh && 2 * (s->n + 1) < s->cap; i++) {
        uint64_t *slot = shingle_slot(s, hs[i]);
        if (*slot == 0) {
            *slot = hs[i];
            s->n++;
        }
    }
    free(hs);
    return dup;
}

static int read_file(const char *path, buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(out, tmp, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

/* Load $data/bbc-news/bbc/<category>/NNN.txt. Returns 0 with at least one
 * article, -1 when the corpus is absent. */
static int corpus_load(corpus *c, const char *data, uint64_t seed)
{
    static const char *const cats[] = {"business", "entertainment", "politics", "sport", "tech"};
    buf text = {0}, file = {0};
    span *arts = NULL;
    size_t n_arts = 0, cap_arts = 0;
    uint64_t *seen = xcalloc(8192, sizeof *seen); /* hashes of kept articles */
    shingles sh = {xcalloc(1u << 22, sizeof(uint64_t)), (size_t)1 << 22, 0};
    memset(c, 0, sizeof *c);
    for (size_t k = 0; k < COUNT(cats); k++) {
        for (unsigned i = 1; i < 10000; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/bbc-news/bbc/%s/%03u.txt", data, cats[k], i);
            file.len = 0;
            if (read_file(path, &file) != 0) break;
            if (file.len == 0) continue;
            if (!valid_utf8(file.p, file.len)) {
                c->n_bad++;
                continue;
            }
            uint64_t h = fnv1a(file.p, file.len) | 1;
            size_t at = (size_t)h & 8191;
            int dup = 0;
            while (seen[at] != 0) {
                if (seen[at] == h) {
                    dup = 1;
                    break;
                }
                at = (at + 1) & 8191;
            }
            if (dup) {
                c->n_dups++;
                continue;
            }
            if (n_arts >= 8000) break;
            if (near_duplicate(&sh, file.p, file.len)) {
                c->n_near++;
                continue;
            }
            seen[at] = h;
            if (n_arts == cap_arts) {
                cap_arts = cap_arts ? 2 * cap_arts : 1024;
                arts = xrealloc(arts, cap_arts * sizeof *arts);
            }
            arts[n_arts++] = (span){text.len, file.len};
            buf_put(&text, file.p, file.len);
        }
    }
    free(seen);
    free(sh.set);
    buf_free(&file);
    if (n_arts == 0) {
        buf_free(&text);
        free(arts);
        return -1;
    }
    /* Shuffle the articles, then cut each into its non-blank lines: in this
     * corpus a paragraph is one line, and the headline is the first. */
    size_t *order = xmalloc(n_arts * sizeof *order);
    for (size_t i = 0; i < n_arts; i++)
        order[i] = i;
    rng r;
    rng_seed(&r, seed, 2);
    shuffle(order, n_arts, &r);
    size_t cap = 0;
    for (size_t o = 0; o < n_arts; o++) {
        span a = arts[order[o]];
        size_t i = a.off, end = a.off + a.len;
        while (i < end) {
            size_t j = i;
            while (j < end && text.p[j] != '\n')
                j++;
            size_t s = i, e = j;
            while (s < e && is_space(text.p[s]))
                s++;
            while (e > s && is_space(text.p[e - 1]))
                e--;
            if (e > s) {
                if (c->n_paras == cap) {
                    cap = cap ? 2 * cap : 4096;
                    c->paras = xrealloc(c->paras, cap * sizeof *c->paras);
                }
                c->paras[c->n_paras++] = (span){s, e - s};
            }
            i = j + 1;
        }
    }
    free(order);
    free(arts);
    c->text = text.p;
    c->n_articles = n_arts;
    return 0;
}

static void corpus_free(corpus *c)
{
    free(c->text);
    free(c->paras);
}

/* A word drawn from the running text of the corpus, so in proportion to its
 * frequency: the word part of the chunk after a random byte. */
static void corpus_word(const corpus *c, rng *r, buf *out)
{
    for (;;) {
        span p = c->paras[rng_range(r, 0, c->n_paras - 1)];
        const char *t = c->text + p.off;
        size_t i = rng_range(r, 0, p.len - 1);
        while (i < p.len && !is_space(t[i]))
            i++;
        while (i < p.len && is_space(t[i]))
            i++;
        size_t j = i;
        while (j < p.len && !is_space(t[j]))
            j++;
        while (i < j && !is_wordbyte(t[i]))
            i++;
        while (j > i && !is_wordbyte(t[j - 1]))
            j--;
        if (j > i) {
            buf_put(out, t + i, j - i);
            return;
        }
    }
}

/* ------------------------------------------------------------------------
 * Text sources: synthetic sentences or corpus paragraphs, one unit at a time
 * ------------------------------------------------------------------------ */

typedef struct source {
    const vocab *v; /* synthetic when c is NULL */
    const corpus *c;
    rng r;
    size_t sent_left; /* synthetic: sentences left in this paragraph */
    size_t next, end; /* corpus: the paragraphs [next, end) still unused */
} source;

/* Where inserted and substituted words come from. */
static void random_word(const source *s, rng *r, buf *out)
{
    if (s->c != NULL)
        corpus_word(s->c, r, out);
    else
        buf_puts(out, vocab_draw(s->v, r));
}

/* Append one unit (a synthetic sentence or a corpus paragraph) with its
 * trailing separator; returns its words, 0 when the source is used up. */
static size_t source_unit(source *s, buf *out)
{
    if (s->c != NULL) {
        if (s->next >= s->end) return 0;
        span p = s->c->paras[s->next++];
        const char *t = s->c->text + p.off;
        size_t words = 0;
        for (size_t i = 0; i < p.len; i++)
            if (!is_space(t[i]) && (i == 0 || is_space(t[i - 1]))) words++;
        buf_put(out, t, p.len);
        buf_puts(out, "\n\n");
        return words;
    }
    size_t n = rng_range(&s->r, 8, 25);
    for (size_t i = 0; i < n; i++) {
        const char *w = vocab_draw(s->v, &s->r);
        if (i == 0) {
            char cap = w[0];
            if (cap >= 'a' && cap <= 'z') cap = (char)(cap - 'a' + 'A');
            buf_put(out, &cap, 1);
            buf_puts(out, w + 1);
        } else {
            buf_puts(out, w);
        }
        if (i + 1 < n) buf_puts(out, rng_range(&s->r, 0, 15) == 0 ? ", " : " ");
    }
    if (s->sent_left == 0) s->sent_left = rng_range(&s->r, 3, 8);
    buf_puts(out, --s->sent_left == 0 ? ".\n\n" : ". ");
    return n;
}

/* ------------------------------------------------------------------------
 * Planting passages
 * ------------------------------------------------------------------------ */

typedef struct plant {
    buf text; /* the passage as it appears in A */
    size_t words;
    size_t a_start, a_end; /* true byte ranges, [start, end) */
    size_t b_start, b_end;
    size_t edits;
} plant;

/* The edited copy of a passage for B: every 10-20 words one word is
 * inserted, deleted or substituted. Substitution keeps the punctuation
 * around the word; a deleted word's line break is kept. */
static void edit_passage(const plant *p, const source *words, rng *r, buf *out, size_t *edits)
{
    const char *t = p->text.p;
    size_t n = p->text.len, i = 0;
    size_t countdown = rng_range(r, EDIT_EVERY_MIN, EDIT_EVERY_MAX);
    const char *sep = NULL; /* separator owed before the next chunk */
    size_t sep_len = 0;
    int started = 0;
    *edits = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && !is_space(t[j]))
            j++;
        size_t k = j;
        while (k < n && is_space(t[k]))
            k++;
        int op = -1;
        if (--countdown == 0) {
            op = (int)rng_range(r, 0, 2);
            countdown = rng_range(r, EDIT_EVERY_MIN, EDIT_EVERY_MAX);
            (*edits)++;
        }
        size_t c0 = i, c1 = j; /* the word part of the chunk */
        while (c0 < c1 && !is_wordbyte(t[c0]))
            c0++;
        while (c1 > c0 && !is_wordbyte(t[c1 - 1]))
            c1--;
        if (op == 2 && c0 == c1) op = 0; /* nothing to substitute in "--": insert instead */
        if (op == 1 && (k >= n || !started)) {
            op = 0; /* keep the passage's first and last chunk in place */
        }
        if (op == 1) {
            /* Delete: owe the stronger of the two separators. */
            if (memchr(t + j, '\n', k - j) != NULL || sep == NULL) {
                sep = t + j;
                sep_len = k - j;
            }
        } else {
            if (started) buf_put(out, sep, sep_len);
            if (op == 0) {
                random_word(words, r, out);
                buf_puts(out, " ");
            }
            if (op == 2) {
                buf_put(out, t + i, c0 - i);
                random_word(words, r, out);
                buf_put(out, t + c1, j - c1);
            } else {
                buf_put(out, t + i, j - i);
            }
            started = 1;
            sep = t + j;
            sep_len = k - j;
        }
        i = k;
    }
}

/* Build one document: filler units from src, and the passages in the given
 * order at random unit boundaries spread over the filler. Records each
 * passage's range in A (side 'a') or B (side 'b'). */
static void build_doc(buf *out, source *src, plant *pl, const size_t *order, size_t np,
                      size_t filler_target, int side_b, const source *words, rng *r,
                      size_t *filler_words)
{
    size_t *pos = xmalloc((np ? np : 1) * sizeof *pos);
    for (size_t i = 0; i < np; i++)
        pos[i] = (size_t)(rng_unif(r) * (double)filler_target);
    for (size_t i = 1; i < np; i++) /* insertion sort: np is small */
        for (size_t j = i; j > 0 && pos[j - 1] > pos[j]; j--) {
            size_t t = pos[j];
            pos[j] = pos[j - 1];
            pos[j - 1] = t;
        }
    size_t filler = 0, k = 0;
    *filler_words = 0;
    for (;;) {
        while (k < np && (pos[k] <= filler || filler >= filler_target)) {
            plant *p = &pl[order[k]];
            size_t start = out->len;
            if (side_b)
                edit_passage(p, words, r, out, &p->edits);
            else
                buf_put(out, p->text.p, p->text.len);
            if (side_b) {
                p->b_start = start;
                p->b_end = out->len;
            } else {
                p->a_start = start;
                p->a_end = out->len;
            }
            buf_puts(out, rng_range(r, 0, 1) ? "\n\n" : " ");
            k++;
        }
        if (filler >= filler_target) break;
        size_t before = out->len;
        size_t w = source_unit(src, out);
        if (w == 0) {
            filler_target = filler; /* source used up: flush the rest */
            continue;
        }
        *filler_words += w;
        filler += out->len - before;
    }
    free(pos);
}

/* ------------------------------------------------------------------------
 * Scoring against the planted ranges
 * ------------------------------------------------------------------------ */

#define PLANTED  1
#define REPORTED 2

static int overlaps(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
    return s1 < e2 && s2 < e1;
}

static void mark(uint8_t *m, uint64_t s, uint64_t e, uint8_t bit)
{
    for (uint64_t i = s; i < e; i++)
        m[i] |= bit;
}

static int is_char(char c)
{
    return ((unsigned char)c & 0xC0) != 0x80;
}

/* Characters in [s, e) carrying all the bits of want. */
static size_t count_chars(const char *t, const uint8_t *m, size_t s, size_t e, uint8_t want)
{
    size_t n = 0;
    for (size_t i = s; i < e; i++)
        if (is_char(t[i]) && (m[i] & want) == want) n++;
    return n;
}

static double ratio(size_t x, size_t y)
{
    return y ? (double)x / (double)y : 0.0;
}

/* Print at most max bytes of t[s, e) on one line, ending on a character
 * boundary, with line breaks shown as spaces. */
static void snippet(const char *t, uint64_t s, uint64_t e, size_t max)
{
    uint64_t end = e - s > max ? s + max : e;
    while (end > s && end < e && !is_char(t[end]))
        end--;
    putchar('"');
    for (uint64_t i = s; i < end; i++)
        putchar(t[i] == '\n' || t[i] == '\r' || t[i] == '\t' ? ' ' : t[i]);
    fputs(end < e ? "...\"" : "\"", stdout);
}

/* Which planted passages a reported one touches. */
static const char *classify(const rp_passage *q, const plant *pl, size_t np)
{
    int on_a = 0, on_b = 0;
    for (size_t i = 0; i < np; i++) {
        int a = overlaps(q->a_start, q->a_end, pl[i].a_start, pl[i].a_end);
        int b = overlaps(q->b_start, q->b_end, pl[i].b_start, pl[i].b_end);
        if (a && b) return NULL;
        on_a |= a;
        on_b |= b;
    }
    if (on_a && on_b) return "planted on both sides, but different passages";
    if (on_a) return "planted on A, filler on B";
    if (on_b) return "filler on A, planted on B";
    return "filler on both sides";
}

/* ------------------------------------------------------------------------
 * Driver
 * ------------------------------------------------------------------------ */

typedef struct options {
    double size_mb;
    size_t passages;
    uint64_t seed;
    int bbc;
    const char *data;
    const char *dump;
    int verbose;
    size_t repeat;
} options;

static void usage(FILE *f)
{
    fputs("usage: bench_align [--size MB] [--passages N] [--seed S] [--prose synthetic|bbc]\n"
          "                   [--repeat N] [--data DIR] [--dump PREFIX] [--verbose]\n"
          "\n"
          "Builds two documents of MB megabytes (10^6 bytes, default 10) sharing N planted\n"
          "passages (default 30) of 200-2000 words, reordered and edited in B, from seed S\n"
          "(default 1); times rp_doc_new() and rp_compare() and scores the passages found.\n"
          "  --prose bbc    real prose from DIR/bbc-news (documents are then at most about\n"
          "                 2.2 MB each); DIR is --data, else $REPRINT_DATA, else\n"
          "                 ../shared/data. Falls back to synthetic prose if absent.\n"
          "  --repeat N     time N runs and report the best (default 1)\n"
          "  --dump PREFIX  also write PREFIX.a.txt, PREFIX.b.txt and PREFIX.truth.tsv\n"
          "  --verbose      list every planted passage and every stray passage\n"
          "Exit status: 0 when the benchmark ran (whatever it measured), 1 on bad usage,\n"
          "2 when it could not run.\n",
          f);
}

static int parse_options(int argc, char **argv, options *o)
{
    const char *env = getenv("REPRINT_DATA");
    *o = (options){
        BAR_SIZE_MB, BAR_PASSAGES, 1, 0, env && *env ? env : "../shared/data", NULL, 0, 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            o->verbose = 1;
            continue;
        }
        if (v == NULL) {
            fprintf(stderr, "bench_align: unknown option or missing value: %s\n", a);
            return -1;
        }
        i++;
        errno = 0;
        if (strcmp(a, "--size") == 0) {
            o->size_mb = strtod(v, &end);
            if (*end || errno || !(o->size_mb > 0 && o->size_mb <= 2000)) goto bad;
        } else if (strcmp(a, "--passages") == 0) {
            unsigned long long n = strtoull(v, &end, 10);
            if (*end || errno || n < 1 || n > 10000 || *v == '-') goto bad;
            o->passages = (size_t)n;
        } else if (strcmp(a, "--repeat") == 0) {
            unsigned long long n = strtoull(v, &end, 10);
            if (*end || errno || n < 1 || n > 1000 || *v == '-') goto bad;
            o->repeat = (size_t)n;
        } else if (strcmp(a, "--seed") == 0) {
            o->seed = strtoull(v, &end, 0);
            if (*end || errno || *v == '-') goto bad;
        } else if (strcmp(a, "--prose") == 0) {
            if (strcmp(v, "bbc") == 0)
                o->bbc = 1;
            else if (strcmp(v, "synthetic") == 0)
                o->bbc = 0;
            else
                goto bad;
        } else if (strcmp(a, "--data") == 0) {
            o->data = v;
        } else if (strcmp(a, "--dump") == 0) {
            o->dump = v;
        } else {
            fprintf(stderr, "bench_align: unknown option: %s\n", a);
            return -1;
        }
        continue;
    bad:
        fprintf(stderr, "bench_align: bad value for %s: %s\n", a, v);
        return -1;
    }
    return 0;
}

static void write_file(const char *prefix, const char *suffix, const char *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s", prefix, suffix);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        die("cannot write the --dump files");
}

static void dump(const options *o, const buf *a, const buf *b, const plant *pl, size_t np)
{
    write_file(o->dump, ".a.txt", a->p, a->len);
    write_file(o->dump, ".b.txt", b->p, b->len);
    buf t = {0};
    buf_puts(&t, "passage\twords\ta_start\ta_end\tb_start\tb_end\tedits\n");
    for (size_t i = 0; i < np; i++) {
        char line[256];
        snprintf(line, sizeof line, "%zu\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\n", i + 1, pl[i].words,
                 pl[i].a_start, pl[i].a_end, pl[i].b_start, pl[i].b_end, pl[i].edits);
        buf_puts(&t, line);
    }
    write_file(o->dump, ".truth.tsv", t.p, t.len);
    buf_free(&t);
    printf("wrote %s.a.txt, %s.b.txt and %s.truth.tsv (byte ranges are [start, end))\n", o->dump,
           o->dump, o->dump);
}

static rp_doc *make_doc(const char *name, const buf *b)
{
    rp_doc *d = NULL;
    rp_error err;
    rp_status st = rp_doc_new(name, b->p, b->len, NULL, &d, &err);
    if (st != RP_OK) {
        fprintf(stderr, "bench_align: rp_doc_new(%s): %s: %s\n", name, rp_strerror(st), err.msg);
        exit(2);
    }
    return d;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o) != 0) {
        usage(stderr);
        return 1;
    }
    size_t np = o.passages;
    size_t target = (size_t)(o.size_mb * MB);

    vocab v;
    vocab_build(&v, o.seed);
    corpus c = {0};
    int have_corpus = 0;
    if (o.bbc) {
        if (corpus_load(&c, o.data, o.seed) == 0) {
            have_corpus = 1;
        } else {
            printf("note: %s/bbc-news not found; using synthetic prose instead\n", o.data);
            o.bbc = 0;
        }
    }

    /* Three independent text sources: passages, A's filler, B's filler. With
     * the corpus they take disjoint paragraphs: passages first, then the
     * rest split in two halves of equal bytes. */
    source ps = {&v, have_corpus ? &c : NULL, {{0}}, 0, 0, have_corpus ? c.n_paras : 0};
    source fa = ps, fb = ps;
    rng_seed(&ps.r, o.seed, 3);
    rng_seed(&fa.r, o.seed, 4);
    rng_seed(&fb.r, o.seed, 5);
    rng rlen, ra, rb;
    rng_seed(&rlen, o.seed, 6);
    rng_seed(&ra, o.seed, 7);
    rng_seed(&rb, o.seed, 8);

    plant *pl = xcalloc(np, sizeof *pl);
    size_t passage_bytes = 0, passage_words = 0;
    for (size_t i = 0; i < np; i++) {
        size_t want = rng_range(&rlen, PASSAGE_MIN_WORDS, PASSAGE_MAX_WORDS);
        while (pl[i].words < want) {
            size_t w = source_unit(&ps, &pl[i].text);
            if (w == 0) die("the corpus is too small for this many passages");
            pl[i].words += w;
        }
        while (pl[i].text.len > 0 && is_space(pl[i].text.p[pl[i].text.len - 1]))
            pl[i].text.len--;
        pl[i].text.p[pl[i].text.len] = '\0';
        passage_bytes += pl[i].text.len + 1;
        passage_words += pl[i].words;
    }
    size_t filler_target = target > passage_bytes ? target - passage_bytes : 0;
    if (have_corpus) {
        size_t rest = 0, half = ps.next;
        for (size_t i = ps.next; i < c.n_paras; i++)
            rest += c.paras[i].len + 2;
        for (size_t acc = 0; half < c.n_paras && acc < rest / 2; half++)
            acc += c.paras[half].len + 2;
        fa.next = ps.next, fa.end = half;
        fb.next = half, fb.end = c.n_paras;
        if (filler_target > rest / 2) filler_target = rest / 2;
    }

    size_t *order_a = xmalloc(np * sizeof *order_a), *order_b = xmalloc(np * sizeof *order_b);
    for (size_t i = 0; i < np; i++)
        order_a[i] = order_b[i] = i;
    shuffle(order_b, np, &rb);
    buf ta = {0}, tb = {0};
    size_t fwa, fwb;
    build_doc(&ta, &fa, pl, order_a, np, filler_target, 0, &ps, &ra, &fwa);
    build_doc(&tb, &fb, pl, order_b, np, filler_target, 1, &ps, &rb, &fwb);
    size_t total_edits = 0;
    for (size_t i = 0; i < np; i++)
        total_edits += pl[i].edits;

    printf("bench_align: reprint %s, seed %llu, ", rp_version(), (unsigned long long)o.seed);
    if (have_corpus)
        printf("real prose: %zu BBC News articles from %s/bbc-news (dropped: %zu exact and "
               "%zu near duplicates, %zu not UTF-8)\n",
               c.n_articles, o.data, c.n_dups, c.n_near, c.n_bad);
    else
        printf("synthetic prose (%d-word Zipf vocabulary, s = %.2f)\n", VOCAB_SIZE, ZIPF_S);
    if (have_corpus && ta.len + 1 < target)
        printf("note: the corpus has enough unused prose for %.2f MB per document, not the "
               "%.2f MB asked for\n",
               (double)ta.len / MB, o.size_mb);
    if (o.dump) dump(&o, &ta, &tb, pl, np);
    fflush(stdout);

    /* The measured part: the library only, best of --repeat runs (the last
     * run's documents and result are scored; every run gives the same). */
    double rss_before = peak_rss_mb(), rss_docs = 0;
    double t_new_a = 0, t_new_b = 0, t_cmp = 0, t_all = 0;
    double *totals = xmalloc(o.repeat * sizeof *totals);
    rp_doc *da = NULL, *db = NULL;
    rp_result *res = NULL;
    for (size_t run = 0; run < o.repeat; run++) {
        rp_result_free(res);
        rp_doc_free(da);
        rp_doc_free(db);
        res = NULL;
        double t0 = now();
        da = make_doc("A", &ta);
        double t1 = now();
        db = make_doc("B", &tb);
        double t2 = now();
        if (run == 0) rss_docs = peak_rss_mb();
        rp_error err;
        rp_status st = rp_compare(da, db, NULL, &res, &err);
        double t3 = now();
        if (st != RP_OK) {
            fprintf(stderr, "bench_align: rp_compare: %s: %s\n", rp_strerror(st), err.msg);
            return 2;
        }
        if (run == 0 || t1 - t0 < t_new_a) t_new_a = t1 - t0;
        if (run == 0 || t2 - t1 < t_new_b) t_new_b = t2 - t1;
        if (run == 0 || t3 - t2 < t_cmp) t_cmp = t3 - t2;
        if (run == 0 || t3 - t0 < t_all) t_all = t3 - t0;
        totals[run] = t3 - t0;
    }
    double rss_after = peak_rss_mb();
    for (size_t x = 1; x < o.repeat; x++) /* insertion sort for the median */
        for (size_t y = x; y > 0 && totals[y - 1] > totals[y]; y--) {
            double t = totals[y];
            totals[y] = totals[y - 1];
            totals[y - 1] = t;
        }
    double t_median = totals[o.repeat / 2];
    free(totals);
    size_t toks_a, toks_b, nq;
    rp_doc_tokens(da, &toks_a);
    rp_doc_tokens(db, &toks_b);
    const rp_passage *q = rp_result_passages(res, &nq);

    double mb_a = (double)ta.len / MB, mb_b = (double)tb.len / MB;
    printf("documents\n");
    printf("  A  %8.2f MB  %9zu tokens  filler %zu words; %zu planted passages in order, "
           "%zu words, %.2f MB\n",
           mb_a, toks_a, fwa, np, passage_words, (double)passage_bytes / MB);
    printf("  B  %8.2f MB  %9zu tokens  filler %zu words; the same passages shuffled, "
           "%zu edits (1 per %.1f words)\n",
           mb_b, toks_b, fwb, total_edits, ratio(passage_words, total_edits));
    if (o.repeat > 1)
        printf("timing (one thread, CLOCK_MONOTONIC; best of %zu runs, median total %.3f s)\n",
               o.repeat, t_median);
    else
        printf("timing (one thread, CLOCK_MONOTONIC; one run, --repeat N for the best of N)\n");
    printf("  rp_doc_new A  %8.3f s  %7.1f MB/s\n", t_new_a, mb_a / t_new_a);
    printf("  rp_doc_new B  %8.3f s  %7.1f MB/s\n", t_new_b, mb_b / t_new_b);
    printf("  tokenize      %8.3f s  %7.1f MB/s (A+B)\n", t_new_a + t_new_b,
           (mb_a + mb_b) / (t_new_a + t_new_b));
    printf("  compare       %8.3f s  %7.1f MB/s (A+B)\n", t_cmp, (mb_a + mb_b) / t_cmp);
    printf("  total         %8.3f s  %7.1f MB/s (A+B); compare/tokenize %.2f\n", t_all,
           (mb_a + mb_b) / t_all, t_cmp / (t_new_a + t_new_b));
    printf("  peak RSS      %8.1f MB  (%.1f x the A+B input; %.1f MB before the library "
           "(generator, texts), %.1f MB once both documents were made)\n",
           rss_after, rss_after / (mb_a + mb_b), rss_before, rss_docs);

    /* Scoring. */
    uint8_t *ma = xcalloc(ta.len, 1), *mbm = xcalloc(tb.len, 1);
    for (size_t i = 0; i < np; i++) {
        mark(ma, pl[i].a_start, pl[i].a_end, PLANTED);
        mark(mbm, pl[i].b_start, pl[i].b_end, PLANTED);
    }
    size_t stray = 0, stray_tokens = 0;
    for (size_t k = 0; k < nq; k++) {
        mark(ma, q[k].a_start, q[k].a_end, REPORTED);
        mark(mbm, q[k].b_start, q[k].b_end, REPORTED);
        if (classify(&q[k], pl, np) != NULL) {
            stray++;
            stray_tokens += q[k].tokens;
        }
    }
    size_t found = 0, pieces_sum = 0, pieces_max = 0, n_problems = 0;
    size_t *pieces = xcalloc(np, sizeof *pieces);
    double *cov_a = xcalloc(np, sizeof *cov_a), *cov_b = xcalloc(np, sizeof *cov_b);
    for (size_t i = 0; i < np; i++) {
        for (size_t k = 0; k < nq; k++)
            if (overlaps(q[k].a_start, q[k].a_end, pl[i].a_start, pl[i].a_end) &&
                overlaps(q[k].b_start, q[k].b_end, pl[i].b_start, pl[i].b_end))
                pieces[i]++;
        cov_a[i] = ratio(count_chars(ta.p, ma, pl[i].a_start, pl[i].a_end, PLANTED | REPORTED),
                         count_chars(ta.p, ma, pl[i].a_start, pl[i].a_end, PLANTED));
        cov_b[i] = ratio(count_chars(tb.p, mbm, pl[i].b_start, pl[i].b_end, PLANTED | REPORTED),
                         count_chars(tb.p, mbm, pl[i].b_start, pl[i].b_end, PLANTED));
        if (pieces[i] > 0) {
            found++;
            pieces_sum += pieces[i];
        }
        if (pieces[i] > pieces_max) pieces_max = pieces[i];
        if (pieces[i] != 1 || cov_a[i] < 0.95 || cov_b[i] < 0.95) n_problems++;
    }
    size_t pa = count_chars(ta.p, ma, 0, ta.len, PLANTED);
    size_t ra_ = count_chars(ta.p, ma, 0, ta.len, REPORTED);
    size_t ba = count_chars(ta.p, ma, 0, ta.len, PLANTED | REPORTED);
    size_t pb = count_chars(tb.p, mbm, 0, tb.len, PLANTED);
    size_t rb_ = count_chars(tb.p, mbm, 0, tb.len, REPORTED);
    size_t bb = count_chars(tb.p, mbm, 0, tb.len, PLANTED | REPORTED);

    printf("passages\n");
    printf("  reported      %8zu  (%zu on planted pairs, %zu elsewhere with %zu tokens)\n", nq,
           nq - stray, stray, stray_tokens);
    printf("  found         %5zu/%zu  planted passages (one reported passage overlaps both "
           "sides)\n",
           found, np);
    printf("  pieces        %8.2f  reported passages per found planted passage (max %zu)\n",
           ratio(pieces_sum, found), pieces_max);
    printf("  recall        A %.4f  B %.4f  (characters of planted passages reported)\n",
           ratio(ba, pa), ratio(bb, pb));
    printf("  precision     A %.4f  B %.4f  (characters of reported passages planted)\n",
           ratio(ba, ra_), ratio(bb, rb_));
    printf("  containment   A %.4f  B %.4f  (library; planted share: A %.4f  B %.4f)\n",
           rp_result_containment_a(res), rp_result_containment_b(res), ratio(pa, ta.len),
           ratio(pb, tb.len));

    /* Similarity of the passages on planted pairs, and of the others. */
    {
        static const double edges[] = {0.3, 0.5, 0.8};
        size_t band[2][4] = {{0}};
        double lo = 1.0, sum = 0;
        size_t n_on = 0;
        for (size_t k = 0; k < nq; k++) {
            int off = classify(&q[k], pl, np) != NULL;
            size_t bi = 0;
            while (bi < 3 && q[k].similarity >= edges[bi])
                bi++;
            band[off][bi]++;
            if (!off) {
                n_on++;
                sum += q[k].similarity;
                if (q[k].similarity < lo) lo = q[k].similarity;
            }
        }
        if (n_on > 0)
            printf("  similarity    on planted pairs: mean %.3f, min %.3f\n", sum / (double)n_on,
                   lo);
        for (int off = 0; off < 2; off++)
            if (off ? stray > 0 : n_on > 0)
                printf("  by similarity %s: < 0.3: %zu  0.3-0.5: %zu  0.5-0.8: %zu  >= 0.8: %zu\n",
                       off ? "elsewhere       " : "on planted pairs", band[off][0], band[off][1],
                       band[off][2], band[off][3]);
    }

    if (n_problems > 0 || o.verbose) {
        printf("planted passages %s(missed, split, or < 95%% covered on a side)\n",
               o.verbose ? "(all; problems are " : "with problems ");
        if (o.verbose) printf("  [marked *])\n");
        size_t shown = 0;
        for (size_t i = 0; i < np; i++) {
            int bad = pieces[i] != 1 || cov_a[i] < 0.95 || cov_b[i] < 0.95;
            if (!bad && !o.verbose) continue;
            if (!o.verbose && shown++ >= SHOW_MAX) {
                printf("  ... %zu more (--verbose lists them all)\n", n_problems - SHOW_MAX);
                break;
            }
            printf(" %c#%-3zu %4zu words %3zu edits  A[%zu,%zu) B[%zu,%zu)  pieces %zu  "
                   "covered A %.3f B %.3f\n",
                   bad ? '*' : ' ', i + 1, pl[i].words, pl[i].edits, pl[i].a_start, pl[i].a_end,
                   pl[i].b_start, pl[i].b_end, pieces[i], cov_a[i], cov_b[i]);
            if (!bad) continue;
            for (size_t k = 0; k < nq; k++)
                if (overlaps(q[k].a_start, q[k].a_end, pl[i].a_start, pl[i].a_end) &&
                    overlaps(q[k].b_start, q[k].b_end, pl[i].b_start, pl[i].b_end))
                    printf("        piece A[%llu,%llu) B[%llu,%llu) %zu tokens, similarity "
                           "%.3f\n",
                           (unsigned long long)q[k].a_start, (unsigned long long)q[k].a_end,
                           (unsigned long long)q[k].b_start, (unsigned long long)q[k].b_end,
                           q[k].tokens, q[k].similarity);
        }
    }
    if (stray > 0) {
        printf("reported passages outside the planted pairs (largest first%s)\n",
               o.verbose ? "" : ", at most 10");
        size_t *idx = xmalloc(stray * sizeof *idx), n = 0;
        for (size_t k = 0; k < nq; k++)
            if (classify(&q[k], pl, np) != NULL) idx[n++] = k;
        for (size_t x = 1; x < n; x++) /* by tokens, descending; stable */
            for (size_t y = x; y > 0 && q[idx[y - 1]].tokens < q[idx[y]].tokens; y--) {
                size_t t = idx[y];
                idx[y] = idx[y - 1];
                idx[y - 1] = t;
            }
        for (size_t x = 0; x < n && (o.verbose || x < SHOW_MAX); x++) {
            const rp_passage *p = &q[idx[x]];
            printf("  A[%llu,%llu) B[%llu,%llu) %zu tokens, similarity %.3f: %s\n",
                   (unsigned long long)p->a_start, (unsigned long long)p->a_end,
                   (unsigned long long)p->b_start, (unsigned long long)p->b_end, p->tokens,
                   p->similarity, classify(p, pl, np));
            printf("      A ");
            snippet(ta.p, p->a_start, p->a_end, 70);
            printf("\n      B ");
            snippet(tb.p, p->b_start, p->b_end, 70);
            printf("\n");
        }
        if (!o.verbose && n > SHOW_MAX)
            printf("  ... %zu more (--verbose lists them all)\n", n - SHOW_MAX);
        free(idx);
    }

    int bar_run = !have_corpus && o.size_mb == BAR_SIZE_MB && np == BAR_PASSAGES;
    /* The summary line; bench/run.sh greps for it. */
    char best[64] = "";
    if (o.repeat > 1) snprintf(best, sizeof best, "best of %zu; ", o.repeat);
    printf("found %zu/%zu in %.2f s", found, np, t_all);
    if (bar_run)
        printf(" (%sbar: %d/%d in < %.0f s): %s\n", best, BAR_PASSAGES, BAR_PASSAGES, BAR_SECONDS,
               found == np && t_all < BAR_SECONDS ? "met" : "NOT MET");
    else
        printf(" (%sthe bar, %d/%d in < %.0f s, is for the default synthetic %.0f MB run)\n", best,
               BAR_PASSAGES, BAR_PASSAGES, BAR_SECONDS, BAR_SIZE_MB);

    free(pieces);
    free(cov_a);
    free(cov_b);
    free(ma);
    free(mbm);
    rp_result_free(res);
    rp_doc_free(da);
    rp_doc_free(db);
    for (size_t i = 0; i < np; i++)
        buf_free(&pl[i].text);
    free(pl);
    free(order_a);
    free(order_b);
    buf_free(&ta);
    buf_free(&tb);
    if (have_corpus) corpus_free(&c);
    vocab_free(&v);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
}
