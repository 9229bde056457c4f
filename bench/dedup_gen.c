/* dedup_gen.c - the dedup benchmark's corpus: real news prose recomposed
 * into N documents, with injected near-duplicates of known exact Jaccard.
 *
 * 1. A sentence pool is read from $REPRINT_DATA (default ../shared/data):
 *    the <BODY> of every Reuters-21578 story (reuters21578/reut2-*.sgm;
 *    entities decoded, an indented line starts a paragraph) and every BBC
 *    News article (bbc-news/bbc/<category>/NNN.txt; the headline dropped,
 *    the one Latin-1 file read as Latin-1). Paragraphs are cut into
 *    sentences; sentences of 6-60 words that look like prose (ending in
 *    . ! or ?, mostly lower-case letters, few digits) are kept once each
 *    (exact repeats, common in both corpora, are dropped).
 * 2. Base documents: 200-800 words (uniform; about 3 KB, news size) of
 *    paragraphs of 1-4 sentences drawn uniformly from the pool. Two base
 *    documents share 5-grams only through a sentence both drew or a common
 *    phrase, so their Jaccard stays near 0 (the pool has ~1.3 10^5
 *    sentences: at 1M documents each is drawn about 190 times, at 10k about
 *    twice). Exact all-pairs at 10k and 100k finds no pair at J >= 0.8
 *    besides the injected ones.
 * 3. Injected near-duplicates: --dup-rate (default 0.10) of the N documents
 *    are edited copies. Each one starts a new family from an unused base
 *    document (80%) or copies a member of an existing family of fewer than
 *    5 (20%; copies of copies). A copy is exact (8%, then often with
 *    cosmetic changes only), or aims at a Jaccard J* with its parent drawn
 *    half from U(0.70, 0.90) and half from U(0.50, 1.00), reached by:
 *      word edits (30%): each word substituted, deleted or followed by an
 *        inserted word (4:3:3) with the rate r solving (1-r)^5 = 2J/(1+J);
 *      truncation (15%): keep the first (3/4) or last (1/4) J*n words;
 *      boilerplate (15%): web boilerplate paragraphs added at the start,
 *        the end or both, n(1/J - 1) words (at most n/2), then word edits
 *        for what is left of J*;
 *      paragraph moves (15%): 1-3 paragraphs moved, then word edits;
 *      mixed (25%): J* split at random between edits, truncation and
 *        boilerplate, with 1-2 moves half the time.
 *    30% of the copies (60% of exact ones) also get cosmetic changes the
 *    tokenizer normalizes away: upper-cased words, typographic quotes and
 *    apostrophes, single-newline paragraphs, lines wrapped at 60-80 columns.
 *    J* only steers the edits; the truth is the exact Jaccard measured
 *    afterwards (dedup_common.h) for every pair inside a family.
 * 4. All documents are shuffled and numbered d0000001... (zero-padded, so
 *    byte order is numeric order).
 *
 * Output (PREFIX is --out):
 *   PREFIX.jsonl      {"id":"d0000001","text":"..."} per line
 *   PREFIX.truth.tsv  every pair inside a family: id1 id2 jaccard shared
 *                     union relation recipe (id1 < id2; relation "copy"
 *                     for a copy and its parent, "family" otherwise; recipe
 *                     the copy's edits); a first line starting with '#'
 *   PREFIX.stats      what is printed on stdout: pool, sizes, J histogram
 * Files are written under temporary names and renamed at the end.
 *
 * Everything depends only on the seed, N, the rate and the data files:
 * one splitmix64 stream per document, no floating-point function beyond
 * + - * / (no libm), so the corpus is the same on every machine.
 *
 *   dedup_gen --docs N [--seed S] [--dup-rate R] [--data DIR] --out PREFIX
 *   dedup_gen --version     (prints the output format version, GEN_VERSION)
 *
 * N accepts a k or M suffix (10k, 1M). Exit status 0, 1 when the data is
 * missing or an output cannot be written, 2 on usage errors. Uses only
 * reprint.h (rp_doc_new for the truth). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedup_common.h"

#define GEN_VERSION        1 /* bump when the output for a seed changes */
#define BASE_MIN_WORDS     200
#define BASE_MAX_WORDS     800
#define PARA_MAX_SENTENCES 4
#define SENT_MIN_WORDS     6
#define SENT_MAX_WORDS     60
#define FAMILY_MAX         5
#define STREAM_PLAN        1
#define STREAM_BASE        2
#define STREAM_DUP         3
#define ARENA_BLOCK        ((size_t)1 << 20)
#define DESC_CAP           96

/* ------------------------------------------------------------------------
 * Helpers: errors, buffers, the seeded generator
 * ------------------------------------------------------------------------ */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dedup_gen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void buf_reserve(buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + extra + 1)
            cap *= 2;
        b->p = dd_xrealloc(b->p, cap);
        b->cap = cap;
    }
}

static void buf_put(buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_putc(buf *b, char c)
{
    buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

static int read_file(const char *path, buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    out->len = 0;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(out, tmp, n);
    int bad = ferror(f);
    fclose(f);
    buf_reserve(out, 0);
    out->p[out->len] = '\0';
    return bad ? -1 : 0;
}

/* splitmix64: one independent stream per (seed, stream, index). */
typedef struct rng {
    uint64_t s;
} rng;

static void rng_init(rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    r->s = dd_mix64(seed ^ dd_mix64(stream * 0x9e3779b97f4a7c15u + dd_mix64(index + 1)));
}

static uint64_t rng_next(rng *r)
{
    r->s += 0x9e3779b97f4a7c15u;
    return dd_mix64(r->s);
}

/* Uniform in [0, n), n > 0, without modulo bias. */
static uint64_t rng_below(rng *r, uint64_t n)
{
    const uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= lim);
    return x % n;
}

/* Uniform in [0, 1), 53 bits. */
static double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------------
 * The sentence pool
 * ------------------------------------------------------------------------ */

typedef struct pool {
    buf text;           /* every kept sentence's bytes */
    uint32_t *word_off; /* words (runs of non-spaces), as offsets into text */
    uint16_t *word_len;
    size_t n_words, cap_words;
    uint32_t *sent_word; /* sentence i: words sent_word[i] .. + sent_n[i] */
    uint16_t *sent_n;
    size_t n_sent, cap_sent;
    uint64_t *seen; /* open-addressing set of sentence hashes */
    size_t seen_cap, seen_n;
    size_t n_reuters, n_bbc, n_repeat, n_rejected;
} pool;

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* A sentence that reads as prose: 6-60 words, starts with a capital, a
 * digit or a quote, ends with . ! or ? (maybe then a closing quote or
 * bracket), at least 70% letters and at most 15% digits among non-spaces
 * (bytes >= 0x80 count as letters), at most 30% capitals among ASCII
 * letters (tables and ALL-CAPS wire headers fail). */
static int sentence_ok(const char *s, size_t len, size_t *n_words)
{
    if (len < 2) return 0;
    size_t words = 0, nonspace = 0, letters = 0, digits = 0, upper = 0, ascii_letters = 0;
    for (size_t i = 0; i < len; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c == ' ') continue;
        if (i == 0 || s[i - 1] == ' ') words++;
        nonspace++;
        if (c >= 0x80 || is_upper(c) || is_lower(c)) letters++;
        if (is_upper(c) || is_lower(c)) ascii_letters++;
        if (is_upper(c)) upper++;
        if (is_digit(c)) digits++;
    }
    *n_words = words;
    if (words < SENT_MIN_WORDS || words > SENT_MAX_WORDS) return 0;
    const unsigned char first = (unsigned char)s[0];
    if (!is_upper(first) && !is_digit(first) && first != '"' && first != '\'') return 0;
    size_t e = len;
    while (e > 1 && (s[e - 1] == '"' || s[e - 1] == '\'' || s[e - 1] == ')'))
        e--;
    if (s[e - 1] != '.' && s[e - 1] != '!' && s[e - 1] != '?') return 0;
    if (letters * 10 < nonspace * 7 || digits * 100 > nonspace * 15) return 0;
    if (upper * 10 > ascii_letters * 3) return 0;
    return 1;
}

static void pool_add_sentence(pool *p, const char *s, size_t len)
{
    size_t words;
    if (!sentence_ok(s, len, &words)) {
        p->n_rejected++;
        return;
    }
    uint64_t h = dd_hash(s, len) | 1;
    if (2 * (p->seen_n + 1) > p->seen_cap) {
        size_t cap = p->seen_cap ? 2 * p->seen_cap : (size_t)1 << 16;
        uint64_t *t = calloc(cap, sizeof *t);
        if (t == NULL) dd_xrealloc(NULL, SIZE_MAX); /* reports and exits */
        for (size_t i = 0; i < p->seen_cap; i++) {
            if (p->seen[i] == 0) continue;
            size_t at = (size_t)p->seen[i] & (cap - 1);
            while (t[at] != 0)
                at = (at + 1) & (cap - 1);
            t[at] = p->seen[i];
        }
        free(p->seen);
        p->seen = t;
        p->seen_cap = cap;
    }
    size_t at = (size_t)h & (p->seen_cap - 1);
    while (p->seen[at] != 0) {
        if (p->seen[at] == h) {
            p->n_repeat++;
            return;
        }
        at = (at + 1) & (p->seen_cap - 1);
    }
    p->seen[at] = h;
    p->seen_n++;
    if (p->n_sent == p->cap_sent) {
        p->cap_sent = p->cap_sent ? 2 * p->cap_sent : 65536;
        p->sent_word = dd_xrealloc(p->sent_word, p->cap_sent * sizeof *p->sent_word);
        p->sent_n = dd_xrealloc(p->sent_n, p->cap_sent * sizeof *p->sent_n);
    }
    p->sent_word[p->n_sent] = (uint32_t)p->n_words;
    p->sent_n[p->n_sent] = (uint16_t)words;
    p->n_sent++;
    const size_t base = p->text.len;
    buf_put(&p->text, s, len);
    buf_putc(&p->text, '\n');
    for (size_t i = 0; i < len;) {
        while (i < len && s[i] == ' ')
            i++;
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (j > i) {
            if (p->n_words == p->cap_words) {
                p->cap_words = p->cap_words ? 2 * p->cap_words : (size_t)1 << 20;
                p->word_off = dd_xrealloc(p->word_off, p->cap_words * sizeof *p->word_off);
                p->word_len = dd_xrealloc(p->word_len, p->cap_words * sizeof *p->word_len);
            }
            p->word_off[p->n_words] = (uint32_t)(base + i);
            p->word_len[p->n_words] = (uint16_t)(j - i);
            p->n_words++;
        }
        i = j;
    }
}

/* Does the '.' at s[dot] end an abbreviation ("Mr.", "U.S.", "J.")? */
static int abbreviation(const char *s, size_t start, size_t dot)
{
    static const char *const abbr[] = {
        "Mr",   "Mrs", "Ms",  "Dr",  "St",  "Jr",   "Sr",  "Inc",  "Corp", "Co",  "Ltd",
        "No",   "Gen", "Gov", "Sen", "Rep", "Jan",  "Feb", "Mar",  "Apr",  "Aug", "Sep",
        "Sept", "Oct", "Nov", "Dec", "vs",  "Prof", "Mt",  "Bros", "Nos",  "Col", "Lt"};
    size_t b = dot;
    while (b > start && s[b - 1] != ' ')
        b--;
    while (b < dot && (s[b] == '"' || s[b] == '\'' || s[b] == '('))
        b++;
    const size_t n = dot - b;
    if (n == 1 && is_upper((unsigned char)s[b])) return 1;
    if (memchr(s + b, '.', n) != NULL) return 1;
    for (size_t i = 0; i < sizeof abbr / sizeof *abbr; i++)
        if (strlen(abbr[i]) == n && memcmp(abbr[i], s + b, n) == 0) return 1;
    return 0;
}

/* Collapse every run of whitespace or control bytes in s to one space and
 * trim; then cut the paragraph into sentences at . ! ? (and closing quotes
 * or brackets) followed by a space and a capital or a quote. */
static void pool_add_paragraph(pool *p, const char *s, size_t len, buf *tmp)
{
    tmp->len = 0;
    int space = 1;
    for (size_t i = 0; i < len; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == ' ') {
            if (!space) buf_putc(tmp, ' ');
            space = 1;
        } else {
            buf_putc(tmp, (char)c);
            space = 0;
        }
    }
    while (tmp->len > 0 && tmp->p[tmp->len - 1] == ' ')
        tmp->len--;
    const char *t = tmp->p;
    const size_t n = tmp->len;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char c = t[i];
        if (c != '.' && c != '!' && c != '?') continue;
        size_t j = i + 1;
        while (j < n && (t[j] == '"' || t[j] == '\'' || t[j] == ')'))
            j++;
        if (j + 1 >= n || t[j] != ' ') continue;
        const unsigned char next = (unsigned char)t[j + 1];
        if (!is_upper(next) && next != '"' && next != '\'') continue;
        if (c == '.' && abbreviation(t, start, i)) continue;
        pool_add_sentence(p, t + start, j - start);
        start = j + 1;
        i = j;
    }
    if (start < n) pool_add_sentence(p, t + start, n - start);
}

/* Decode the SGML entities of a Reuters body: &lt; &gt; &amp; &quot; and
 * numeric references (control characters become spaces). */
static void reuters_decode(const char *s, size_t len, buf *out)
{
    out->len = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '&') {
            static const struct {
                const char *name;
                char c;
            } ent[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}};
            int done = 0;
            for (size_t k = 0; k < 4 && !done; k++) {
                const size_t el = strlen(ent[k].name);
                if (i + el <= len && memcmp(s + i, ent[k].name, el) == 0) {
                    buf_putc(out, ent[k].c);
                    i += el - 1;
                    done = 1;
                }
            }
            if (!done && i + 2 < len && s[i + 1] == '#') {
                size_t j = i + 2;
                unsigned v = 0;
                while (j < len && is_digit((unsigned char)s[j]) && v < 1000)
                    v = v * 10 + (unsigned)(s[j++] - '0');
                if (j < len && s[j] == ';' && j > i + 2) {
                    buf_putc(out, v >= 0x20 && v < 0x7f ? (char)v : ' ');
                    i = j;
                    done = 1;
                }
            }
            if (done) continue;
        }
        buf_putc(out, s[i]);
    }
}

/* Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const unsigned c = s[i];
        size_t n;
        unsigned v;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1, v = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, v = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, v = c & 0x07;
        } else {
            return 0;
        }
        if (i + n >= len) return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            v = (v << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
            (n == 3 && (v < 0x10000 || v > 0x10ffff)))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* Text that is not UTF-8 is read as Latin-1 (one BBC file and one byte of
 * Reuters are): *t and *len are replaced by its UTF-8 form in conv. */
static void as_utf8(const char **t, size_t *len, buf *conv)
{
    if (utf8_valid((const unsigned char *)*t, *len)) return;
    conv->len = 0;
    for (size_t i = 0; i < *len; i++) {
        const unsigned char ch = (unsigned char)(*t)[i];
        if (ch < 0x80) {
            buf_putc(conv, (char)ch);
        } else {
            buf_putc(conv, (char)(0xc0 | (ch >> 6)));
            buf_putc(conv, (char)(0x80 | (ch & 0x3f)));
        }
    }
    buf_reserve(conv, 0);
    *t = conv->p;
    *len = conv->len;
}

static size_t load_reuters(pool *p, const char *data)
{
    buf file = {0}, body = {0}, para = {0}, tmp = {0}, conv = {0};
    size_t n_files = 0;
    for (int k = 0; k < 22; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/reuters21578/reut2-%03d.sgm", data, k);
        if (read_file(path, &file) != 0) continue;
        n_files++;
        const char *at = file.p;
        for (;;) {
            const char *b = strstr(at, "<BODY>");
            if (b == NULL) break;
            b += 6;
            const char *e = strstr(b, "</BODY>");
            if (e == NULL) break;
            at = e + 7;
            p->n_reuters++;
            reuters_decode(b, (size_t)(e - b), &body);
            const char *t = body.p;
            size_t len = body.len;
            as_utf8(&t, &len, &conv);
            /* A line that starts with blanks starts a paragraph. */
            para.len = 0;
            size_t i = 0;
            while (i < len) {
                size_t j = i;
                while (j < len && t[j] != '\n')
                    j++;
                if (j > i && is_space((unsigned char)t[i]) && para.len > 0) {
                    pool_add_paragraph(p, para.p, para.len, &tmp);
                    para.len = 0;
                }
                buf_put(&para, t + i, j - i);
                buf_putc(&para, ' ');
                i = j + 1;
            }
            if (para.len > 0) pool_add_paragraph(p, para.p, para.len, &tmp);
        }
    }
    free(file.p), free(body.p), free(para.p), free(tmp.p), free(conv.p);
    return n_files;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t load_bbc(pool *p, const char *data)
{
    static const char *const cats[] = {"business", "entertainment", "politics", "sport", "tech"};
    buf file = {0}, conv = {0}, tmp = {0};
    size_t n_files = 0;
    for (size_t c = 0; c < sizeof cats / sizeof *cats; c++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/bbc-news/bbc/%s", data, cats[c]);
        DIR *d = opendir(dir);
        if (d == NULL) continue;
        char **names = NULL;
        size_t nn = 0, cap = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            const size_t l = strlen(e->d_name);
            if (l < 5 || strcmp(e->d_name + l - 4, ".txt") != 0) continue;
            if (nn == cap) {
                cap = cap ? 2 * cap : 1024;
                names = dd_xrealloc(names, cap * sizeof *names);
            }
            names[nn] = dd_xrealloc(NULL, l + 1);
            memcpy(names[nn++], e->d_name, l + 1);
        }
        closedir(d);
        qsort(names, nn, sizeof *names, cmp_str);
        for (size_t k = 0; k < nn; k++) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, names[k]);
            free(names[k]);
            if (read_file(path, &file) != 0) continue;
            n_files++;
            p->n_bbc++;
            const char *t = file.p;
            size_t len = file.len;
            as_utf8(&t, &len, &conv);
            /* The first line is the headline; each other line a paragraph. */
            size_t i = 0;
            while (i < len && t[i] != '\n')
                i++;
            while (i < len) {
                size_t j = i + 1;
                while (j < len && t[j] != '\n')
                    j++;
                if (j > i + 1) pool_add_paragraph(p, t + i + 1, j - i - 1, &tmp);
                i = j;
            }
        }
        free(names);
    }
    free(file.p), free(conv.p), free(tmp.p);
    return n_files;
}

/* ------------------------------------------------------------------------
 * Documents as word pieces
 * ------------------------------------------------------------------------ */

/* A word with its punctuation (no spaces), or, with p == NULL, a paragraph
 * break. */
typedef struct piece {
    const char *p;
    size_t len;
} piece;

typedef struct doc {
    piece *v;
    size_t n, cap;
    int para_nl; /* paragraphs separated by one newline, not a blank line */
    size_t wrap; /* > 0: lines wrapped at this many bytes */
} doc;

static void doc_push(doc *d, const char *p, size_t len)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 1024;
        d->v = dd_xrealloc(d->v, d->cap * sizeof *d->v);
    }
    d->v[d->n++] = (piece){p, len};
}

static size_t doc_words(const doc *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->v[i].p != NULL;
    return n;
}

/* Memory for edited words, in blocks that never move; reset per document. */
typedef struct arena {
    char **block;
    size_t n_blocks, cur, used;
} arena;

static char *arena_alloc(arena *a, size_t n)
{
    if (n > ARENA_BLOCK) die("%s", "word too long");
    if (a->n_blocks == 0 || a->used + n > ARENA_BLOCK) {
        if (a->n_blocks > 0) a->cur++;
        if (a->cur == a->n_blocks) {
            a->block = dd_xrealloc(a->block, (a->n_blocks + 1) * sizeof *a->block);
            a->block[a->n_blocks++] = dd_xrealloc(NULL, ARENA_BLOCK);
        }
        a->used = 0;
    }
    char *p = a->block[a->cur] + a->used;
    a->used += n;
    return p;
}

static void arena_reset(arena *a)
{
    a->cur = 0;
    a->used = 0;
}

/* The generator's state: the pool, the plan, scratch space. */
typedef struct gen {
    pool pool;
    uint64_t seed;
    size_t n_docs, n_base, n_dup;
    uint32_t *parent; /* per entry: parent entry, or UINT32_MAX for a base */
    doc scratch;
    arena arena;
} gen;

#define NO_PARENT UINT32_MAX

/* Web boilerplate written for this benchmark; '#' becomes a random digit. */
static const char *const boilerplate[] = {
    "Sign up for our morning briefing and get the day's top stories in your inbox.",
    "Follow us on social media for breaking news and live updates.",
    "This story has been updated with additional details.",
    "Copyright #### The Daily Courier. All rights reserved.",
    "This material may not be published, broadcast, rewritten or redistributed without "
    "permission.",
    "Reporting by our correspondents; editing by the news desk.",
    "Have a story tip? Contact our newsroom by email or telephone.",
    "Read more: the latest headlines from around the world.",
    "Advertisement.",
    "Related topics: business, economy, markets, politics.",
    "Share this article with friends and colleagues.",
    "Our journalism relies on readers like you, so please consider subscribing today.",
    "Comments on this article are now closed.",
    "We use cookies to improve your experience on our site and to show you relevant "
    "advertising.",
    "By continuing to browse the site you agree to our use of cookies.",
    "Download our free app for the latest news alerts on your phone.",
    "Prices quoted are correct at the time of publication and may change.",
    "An earlier version of this article misstated a figure in paragraph #.",
    "Additional reporting by staff in the regional bureaus.",
    "Watch the full interview on our video channel.",
    "Most read stories this week.",
    "Don't miss our weekend edition, on sale in shops and online.",
    "Listen to our daily podcast for analysis of the biggest stories.",
    "The views expressed in this article are the author's own.",
    "Sponsored content appears alongside this report.",
    "Photographs supplied by the agency unless otherwise stated.",
    "More from this section.",
    "Please report any errors or omissions to the corrections editor.",
    "Terms of use and privacy policy apply to all users of this website.",
    "Get unlimited access to all our articles for less than the price of a coffee a week.",
    "Published at #:## GMT on the ##th of the month, updated #:## GMT.",
    "Call our reader helpline on 0### ### ####, lines open from # am.",
    "Story reference ########.",
    "Page # of #.",
    "You have # free articles remaining this month.",
    "Click here to manage your newsletter preferences.",
};

/* ------------------------------------------------------------------------
 * Base documents and edits
 * ------------------------------------------------------------------------ */

static void compose_base(const gen *g, size_t entry, doc *d)
{
    const pool *p = &g->pool;
    rng r;
    rng_init(&r, g->seed, STREAM_BASE, entry);
    const size_t target = BASE_MIN_WORDS + rng_below(&r, BASE_MAX_WORDS - BASE_MIN_WORDS + 1);
    size_t words = 0;
    d->n = 0;
    d->para_nl = 0;
    d->wrap = 0;
    while (words < target) {
        if (d->n > 0) doc_push(d, NULL, 0);
        const size_t ns = 1 + rng_below(&r, PARA_MAX_SENTENCES);
        for (size_t s = 0; s < ns; s++) {
            const size_t k = rng_below(&r, p->n_sent);
            for (size_t w = 0; w < p->sent_n[k]; w++) {
                const size_t at = p->sent_word[k] + w;
                doc_push(d, p->text.p + p->word_off[at], p->word_len[at]);
            }
            words += p->sent_n[k];
        }
    }
}

static int is_punct(int c)
{
    return c == '"' || c == '\'' || c == '(' || c == ')' || c == ',' || c == '.' || c == ';' ||
           c == ':' || c == '!' || c == '?' || c == '-';
}

/* A word from the pool's running text (so in proportion to its frequency),
 * without the punctuation around it. */
static piece vocab_word(const gen *g, rng *r)
{
    const pool *p = &g->pool;
    for (;;) {
        const size_t k = rng_below(r, p->n_words);
        const char *w = p->text.p + p->word_off[k];
        size_t len = p->word_len[k];
        while (len > 0 && is_punct((unsigned char)w[0]))
            w++, len--;
        while (len > 0 && is_punct((unsigned char)w[len - 1]))
            len--;
        if (len > 0) return (piece){w, len};
    }
}

static void doc_swap_scratch(gen *g, doc *d)
{
    piece *v = d->v;
    const size_t cap = d->cap;
    d->v = g->scratch.v;
    d->n = g->scratch.n;
    d->cap = g->scratch.cap;
    g->scratch.v = v;
    g->scratch.cap = cap;
    g->scratch.n = 0;
}

/* Word edits at the given rate: each word is substituted (keeping its
 * punctuation), deleted, or followed by an inserted word, 4:3:3. */
static size_t edit_words(gen *g, doc *d, double rate, rng *r)
{
    doc *out = &g->scratch;
    out->n = 0;
    size_t edits = 0;
    for (size_t i = 0; i < d->n; i++) {
        const piece w = d->v[i];
        if (w.p == NULL || rng_unit(r) >= rate) {
            doc_push(out, w.p, w.len);
            continue;
        }
        edits++;
        const uint64_t op = rng_below(r, 10);
        if (op < 4) { /* substitute */
            size_t lead = 0, trail = 0;
            while (lead < w.len && is_punct((unsigned char)w.p[lead]))
                lead++;
            while (trail < w.len - lead && is_punct((unsigned char)w.p[w.len - 1 - trail]))
                trail++;
            const piece v = vocab_word(g, r);
            char *s = arena_alloc(&g->arena, lead + v.len + trail);
            memcpy(s, w.p, lead);
            memcpy(s + lead, v.p, v.len);
            memcpy(s + lead + v.len, w.p + w.len - trail, trail);
            doc_push(out, s, lead + v.len + trail);
        } else if (op < 7) { /* delete */
        } else {             /* insert after */
            doc_push(out, w.p, w.len);
            const piece v = vocab_word(g, r);
            doc_push(out, v.p, v.len);
        }
    }
    doc_swap_scratch(g, d);
    return edits;
}

/* Keep `keep` words: the first ones, or the last ones when from_end. */
static void truncate_words(gen *g, doc *d, size_t keep, int from_end)
{
    const size_t total = doc_words(d);
    if (keep >= total) return;
    doc *out = &g->scratch;
    out->n = 0;
    const size_t skip = from_end ? total - keep : 0;
    size_t seen = 0;
    for (size_t i = 0; i < d->n; i++) {
        const piece w = d->v[i];
        if (w.p != NULL) {
            seen++;
            if (seen <= skip || seen > skip + keep) continue;
        } else if (seen <= skip || seen >= skip + keep) {
            continue;
        }
        doc_push(out, w.p, w.len);
    }
    doc_swap_scratch(g, d);
}

/* Paragraph i of d as [start, end) piece indexes; returns the count. */
static size_t paragraphs(const doc *d, size_t *start, size_t *end, size_t max)
{
    size_t n = 0, s = 0;
    for (size_t i = 0; i <= d->n && n < max; i++) {
        if (i == d->n || d->v[i].p == NULL) {
            if (i > s) start[n] = s, end[n] = i, n++;
            s = i + 1;
        }
    }
    return n;
}

/* Move one paragraph to another place; 0 when d has fewer than 3. */
static int move_paragraph(gen *g, doc *d, rng *r)
{
    enum { MAX_PARAS = 512 };
    size_t start[MAX_PARAS], end[MAX_PARAS], order[MAX_PARAS];
    const size_t np = paragraphs(d, start, end, MAX_PARAS);
    if (np < 3) return 0;
    const size_t from = rng_below(r, np);
    /* Its new index among the others, never where it was. */
    size_t at = rng_below(r, np - 1);
    if (at >= from) at++;
    size_t k = 0;
    for (size_t i = 0; i < np; i++)
        if (i != from) order[k++] = i;
    memmove(order + at + 1, order + at, (np - 1 - at) * sizeof *order);
    order[at] = from;
    doc *out = &g->scratch;
    out->n = 0;
    for (size_t i = 0; i < np; i++) {
        if (i > 0) doc_push(out, NULL, 0);
        for (size_t j = start[order[i]]; j < end[order[i]]; j++)
            doc_push(out, d->v[j].p, d->v[j].len);
    }
    doc_swap_scratch(g, d);
    return 1;
}

/* Add about `words` words of boilerplate paragraphs at the start, the end
 * or both; returns the words added. */
static size_t add_boilerplate(gen *g, doc *d, size_t words, rng *r)
{
    const size_t n_bp = sizeof boilerplate / sizeof *boilerplate;
    const uint64_t where = rng_below(r, 10); /* 0-2 start, 3-7 end, 8-9 both */
    const size_t head = where < 3 ? words : where < 8 ? 0 : words / 2;
    size_t added = 0;
    doc *out = &g->scratch;
    out->n = 0;
    for (int part = 0; part < 2; part++) {
        const size_t want = part == 0 ? head : words - head;
        if (part == 1) {
            for (size_t i = 0; i < d->n; i++)
                doc_push(out, d->v[i].p, d->v[i].len);
        }
        size_t got = 0;
        while (got < want) {
            if (out->n > 0) doc_push(out, NULL, 0);
            const size_t ns = 1 + rng_below(r, 3);
            for (size_t s = 0; s < ns && got < want; s++) {
                const char *t = boilerplate[rng_below(r, n_bp)];
                const size_t len = strlen(t);
                char *c = arena_alloc(&g->arena, len);
                for (size_t i = 0; i < len; i++)
                    c[i] = t[i] == '#' ? (char)('0' + rng_below(r, 10)) : t[i];
                for (size_t i = 0; i < len;) {
                    size_t j = i;
                    while (j < len && c[j] != ' ')
                        j++;
                    doc_push(out, c + i, j - i);
                    got++;
                    i = j + 1;
                }
            }
        }
        if (part == 0 && out->n > 0) doc_push(out, NULL, 0);
        added += got;
    }
    doc_swap_scratch(g, d);
    return added;
}

/* Changes the tokenizer normalizes away: case, typographic quotes and
 * apostrophes, paragraph and line breaks. */
static void cosmetic(gen *g, doc *d, rng *r)
{
    const int quotes = rng_unit(r) < 0.6;
    const double upper = rng_unit(r) < 0.5 ? 0.05 : 0.0;
    for (size_t i = 0; i < d->n; i++) {
        piece *w = &d->v[i];
        if (w->p == NULL) continue;
        const int up = rng_unit(r) < upper;
        const int q = quotes && (memchr(w->p, '\'', w->len) || memchr(w->p, '"', w->len));
        if (!up && !q) continue;
        char *s = arena_alloc(&g->arena, w->len * 3);
        size_t k = 0;
        for (size_t j = 0; j < w->len; j++) {
            const char c = w->p[j];
            if (q && c == '\'') {
                memcpy(s + k, "\xE2\x80\x99", 3), k += 3; /* U+2019 */
            } else if (q && c == '"') {
                memcpy(s + k, j == 0 ? "\xE2\x80\x9C" : "\xE2\x80\x9D", 3), k += 3;
            } else {
                s[k++] = up && is_lower((unsigned char)c) ? (char)(c - 'a' + 'A') : c;
            }
        }
        w->p = s;
        w->len = k;
    }
    d->para_nl = rng_unit(r) < 0.5;
    d->wrap = rng_unit(r) < 0.4 ? 60 + rng_below(r, 21) : 0;
}

/* The word edit rate r with (1-r)^5 = s, by bisection (no libm, so the
 * same on every machine): the share of 5-grams a random edit spares. */
static double edit_rate(double jaccard)
{
    const double s = 2.0 * jaccard / (1.0 + jaccard);
    double lo = 0.0, hi = 0.5;
    for (int it = 0; it < 60; it++) {
        const double mid = 0.5 * (lo + hi);
        const double q = 1.0 - mid;
        if (q * q * q * q * q > s)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Append to the recipe description desc (DESC_CAP bytes), truncating. */
static void desc_add(char *desc, size_t *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void desc_add(char *desc, size_t *k, const char *fmt, ...)
{
    if (*k + 1 >= DESC_CAP) return;
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(desc + *k, DESC_CAP - *k, fmt, ap);
    va_end(ap);
    if (n > 0) *k += (size_t)n;
    if (*k >= DESC_CAP) *k = DESC_CAP - 1;
}

/* Turn the parent's text in d into copy `entry`'s; describe it in desc. */
static void make_copy(gen *g, size_t entry, doc *d, char *desc)
{
    rng r;
    rng_init(&r, g->seed, STREAM_DUP, entry);
    double j_edit = 1.0, j_trunc = 1.0, j_boiler = 1.0;
    size_t moves = 0;
    double cosmetic_p = 0.3;
    const double kind = rng_unit(&r);
    if (kind < 0.08) {
        cosmetic_p = 0.6;
    } else {
        const double target =
            rng_unit(&r) < 0.5 ? 0.70 + 0.20 * rng_unit(&r) : 0.50 + 0.50 * rng_unit(&r);
        const double how = rng_unit(&r);
        if (how < 0.30) {
            j_edit = target;
        } else if (how < 0.45) {
            j_trunc = target;
        } else if (how < 0.60) {
            j_boiler = target;
        } else if (how < 0.75) {
            moves = 1 + rng_below(&r, 3);
            j_edit = target;
        } else {
            j_edit = target + (1.0 - target) * rng_unit(&r);
            const double rest = target / j_edit;
            j_trunc = rest + (1.0 - rest) * rng_unit(&r);
            j_boiler = rest / j_trunc;
            if (rng_unit(&r) < 0.5) moves = 1 + rng_below(&r, 2);
        }
        if (j_boiler < 2.0 / 3.0) { /* at most n/2 words of boilerplate */
            j_edit *= j_boiler * 1.5;
            j_boiler = 2.0 / 3.0;
        }
    }
    size_t k = 0;
    desc[0] = '\0';
#define DESC(...) desc_add(desc, &k, __VA_ARGS__)
    const size_t n0 = doc_words(d);
    size_t moved = 0;
    for (size_t m = 0; m < moves; m++)
        moved += (size_t)move_paragraph(g, d, &r);
    if (moved) {
        /* Each move changes about 12 shingles on each side. */
        const double f = ((double)n0 - 12.0 * (double)moved) / ((double)n0 + 12.0 * (double)moved);
        j_edit = f > j_edit ? j_edit / f : 1.0;
        DESC("%smove%zu", k ? "+" : "", moved);
    }
    if (j_edit < 1.0) {
        const double rate = edit_rate(j_edit);
        const size_t edits = edit_words(g, d, rate, &r);
        DESC("%sedit%.3f(%zu)", k ? "+" : "", rate, edits);
    }
    if (j_trunc < 1.0) {
        const size_t n = doc_words(d);
        const size_t keep = (size_t)(j_trunc * (double)n + 0.5);
        const int from_end = rng_below(&r, 4) == 0;
        truncate_words(g, d, keep > 0 ? keep : 1, from_end);
        DESC("%strunc%s%.2f", k ? "+" : "", from_end ? "-head" : "-tail", j_trunc);
    }
    if (j_boiler < 1.0) {
        const size_t n = doc_words(d);
        const size_t words = (size_t)((double)n * (1.0 / j_boiler - 1.0) + 0.5);
        if (words > 0) DESC("%sboiler%zu", k ? "+" : "", add_boilerplate(g, d, words, &r));
    }
    if (rng_unit(&r) < cosmetic_p) {
        cosmetic(g, d, &r);
        DESC("%scosmetic", k ? "+" : "");
    }
    if (k == 0) DESC("exact");
#undef DESC
}

/* The text of entry e: its base document, or its parent's text copied. */
static void entry_doc(gen *g, size_t e, doc *d, char *desc)
{
    if (g->parent[e] == NO_PARENT) {
        compose_base(g, e, d);
        strcpy(desc, "base");
        return;
    }
    entry_doc(g, g->parent[e], d, desc);
    make_copy(g, e, d, desc);
}

/* The document as text: words joined by spaces (or newlines when wrapped),
 * paragraphs by a blank line (or one newline). */
static void render(const doc *d, buf *out)
{
    out->len = 0;
    size_t col = 0;
    int para = 0;
    for (size_t i = 0; i < d->n; i++) {
        const piece w = d->v[i];
        if (w.p == NULL) {
            para = out->len > 0;
            continue;
        }
        if (para) {
            buf_put(out, d->para_nl ? "\n" : "\n\n", d->para_nl ? 1 : 2);
            col = 0;
            para = 0;
        } else if (out->len > 0) {
            if (d->wrap && col + 1 + w.len > d->wrap) {
                buf_putc(out, '\n');
                col = 0;
            } else {
                buf_putc(out, ' ');
                col++;
            }
        }
        buf_put(out, w.p, w.len);
        col += w.len;
    }
}

/* Write s as a JSON string; returns the bytes written. */
static size_t json_string(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    size_t run = 0, extra = 2;
    for (size_t i = 0; i < len; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        fwrite(s + run, 1, i - run, f);
        run = i + 1;
        if (c == '"')
            fputs("\\\"", f), extra++;
        else if (c == '\\')
            fputs("\\\\", f), extra++;
        else if (c == '\n')
            fputs("\\n", f), extra++;
        else if (c == '\t')
            fputs("\\t", f), extra++;
        else
            fprintf(f, "\\u%04x", c), extra += 5;
    }
    fwrite(s + run, 1, len - run, f);
    fputc('"', f);
    return len + extra;
}

/* ------------------------------------------------------------------------
 * main: plan, write, measure the truth
 * ------------------------------------------------------------------------ */

typedef struct truth_pair {
    uint32_t a, b; /* output positions, a < b */
    uint32_t shared, uni;
    uint32_t child; /* entry of the copy for relation "copy", else NO_PARENT */
} truth_pair;

static int cmp_truth(const void *x, const void *y)
{
    const truth_pair *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

static int parse_count(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    unsigned long long mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1000, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1000000, end++;
    if (errno != 0 || end == s || *end != '\0' || v == 0 || v > 100000000ull / mul) return -1;
    *out = (size_t)(v * mul);
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: dedup_gen --docs N [--seed S] [--dup-rate R] [--data DIR] --out PREFIX\n"
          "  --docs N      documents in all (k and M suffixes: 10k, 1M); at most 100M\n"
          "  --seed S      seed of everything random (default 1)\n"
          "  --dup-rate R  share of documents that are injected copies (default 0.10; 0..0.5)\n"
          "  --data DIR    data directory with reuters21578/ and bbc-news/ (default\n"
          "                $REPRINT_DATA, else ../shared/data)\n"
          "  --out PREFIX  writes PREFIX.jsonl, PREFIX.truth.tsv and PREFIX.stats\n",
          f);
}

/* Print to both stdout and the stats file. */
static FILE *stats_file;
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (stats_file != NULL) {
        va_start(ap, fmt);
        vfprintf(stats_file, fmt, ap);
        va_end(ap);
    }
}

static FILE *open_out(const char *prefix, const char *suffix, char *tmp_path, size_t cap)
{
    snprintf(tmp_path, cap, "%s%s.tmp", prefix, suffix);
    FILE *f = fopen(tmp_path, "wb");
    if (f == NULL) die("cannot write %s", tmp_path);
    return f;
}

static void close_out(FILE *f, const char *tmp_path)
{
    if (ferror(f) | fclose(f)) die("error writing %s", tmp_path);
    char final[8192];
    snprintf(final, sizeof final, "%.*s", (int)(strlen(tmp_path) - 4), tmp_path);
    if (rename(tmp_path, final) != 0) die("cannot rename %s", tmp_path);
}

int main(int argc, char **argv)
{
    size_t n_docs = 0;
    uint64_t seed = 1;
    double dup_rate = 0.10;
    const char *data = getenv("REPRINT_DATA");
    const char *prefix = NULL;
    if (data == NULL || *data == '\0') data = "../shared/data";
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) { /* the cache key of bench/dedup.sh */
            printf("%d\n", GEN_VERSION);
            return 0;
        }
        if (v == NULL) {
            fprintf(stderr, "dedup_gen: %s needs a value\n", a);
            usage(stderr);
            return 2;
        }
        char *end = NULL;
        if (strcmp(a, "--docs") == 0) {
            if (parse_count(v, &n_docs) != 0) {
                fprintf(stderr, "dedup_gen: bad --docs %s\n", v);
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0) {
            seed = strtoull(v, &end, 10);
            if (*end != '\0') {
                fprintf(stderr, "dedup_gen: bad --seed %s\n", v);
                return 2;
            }
        } else if (strcmp(a, "--dup-rate") == 0) {
            dup_rate = strtod(v, &end);
            if (*end != '\0' || !(dup_rate >= 0.0 && dup_rate <= 0.5)) {
                fprintf(stderr, "dedup_gen: bad --dup-rate %s (0..0.5)\n", v);
                return 2;
            }
        } else if (strcmp(a, "--data") == 0) {
            data = v;
        } else if (strcmp(a, "--out") == 0) {
            prefix = v;
        } else {
            fprintf(stderr, "dedup_gen: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (n_docs == 0 || prefix == NULL) {
        fputs("dedup_gen: --docs and --out are required\n", stderr);
        usage(stderr);
        return 2;
    }

    gen g;
    memset(&g, 0, sizeof g);
    g.seed = seed;
    char path[8192];
    snprintf(path, sizeof path, "%s/reuters21578", data);
    DIR *probe = opendir(path);
    if (probe == NULL)
        die("%s not found: the benchmark needs the shared data directory (set REPRINT_DATA "
            "or --data)",
            path);
    closedir(probe);
    snprintf(path, sizeof path, "%s/bbc-news/bbc", data);
    probe = opendir(path);
    if (probe == NULL)
        die("%s not found: the benchmark needs the shared data directory (set REPRINT_DATA "
            "or --data)",
            path);
    closedir(probe);
    const size_t reut_files = load_reuters(&g.pool, data);
    const size_t bbc_files = load_bbc(&g.pool, data);
    if (reut_files != 22 || g.pool.n_bbc == 0)
        die("%s: expected reuters21578/reut2-000..021.sgm and bbc-news/bbc/*/*.txt", data);
    free(g.pool.seen);
    g.pool.seen = NULL;

    char tmp_stats[8192];
    stats_file = open_out(prefix, ".stats", tmp_stats, sizeof tmp_stats);
    say("dedup_gen %d: %zu documents, seed %llu, dup-rate %.3f, data %s\n", GEN_VERSION, n_docs,
        (unsigned long long)seed, dup_rate, data);
    say("sentence pool: %zu sentences, %zu words (%.1f MB) from %zu Reuters stories and %zu BBC "
        "articles (%zu bbc files); %zu exact repeats and %zu non-prose pieces left out\n",
        g.pool.n_sent, g.pool.n_words, (double)g.pool.text.len / 1e6, g.pool.n_reuters,
        g.pool.n_bbc, bbc_files, g.pool.n_repeat, g.pool.n_rejected);

    /* The plan: entries 0..n_base-1 are base documents, the rest copies. */
    g.n_docs = n_docs;
    g.n_dup = (size_t)((double)n_docs * dup_rate + 0.5);
    g.n_base = n_docs - g.n_dup;
    if (g.n_base == 0) die("%s", "no base documents");
    g.parent = dd_xrealloc(NULL, n_docs * sizeof *g.parent);
    uint32_t(*fam)[FAMILY_MAX] = dd_xrealloc(NULL, (g.n_dup + 1) * sizeof *fam);
    uint8_t *fam_n = dd_xrealloc(NULL, g.n_dup + 1);
    uint32_t *bases = dd_xrealloc(NULL, g.n_base * sizeof *bases);
    for (size_t i = 0; i < g.n_base; i++)
        bases[i] = (uint32_t)i, g.parent[i] = NO_PARENT;
    rng plan;
    rng_init(&plan, seed, STREAM_PLAN, 0);
    size_t n_fam = 0, next_base = 0;
    for (size_t e = g.n_base; e < n_docs; e++) {
        size_t f = SIZE_MAX;
        if (n_fam > 0 && (rng_unit(&plan) < 0.2 || next_base == g.n_base)) {
            f = rng_below(&plan, n_fam);
            if (fam_n[f] >= FAMILY_MAX) f = SIZE_MAX;
        }
        if (f == SIZE_MAX) {
            if (next_base == g.n_base) die("%s", "too many copies for the base documents");
            /* A partial Fisher-Yates shuffle picks an unused base. */
            const size_t k = next_base + rng_below(&plan, g.n_base - next_base);
            const uint32_t b = bases[k];
            bases[k] = bases[next_base];
            bases[next_base++] = b;
            f = n_fam++;
            fam[f][0] = b;
            fam_n[f] = 1;
        }
        g.parent[e] = fam[f][rng_below(&plan, fam_n[f])];
        fam[f][fam_n[f]++] = (uint32_t)e;
    }
    free(bases);
    /* Output order: a shuffle of all entries. */
    uint32_t *order = dd_xrealloc(NULL, n_docs * sizeof *order);
    uint32_t *pos = dd_xrealloc(NULL, n_docs * sizeof *pos);
    for (size_t i = 0; i < n_docs; i++)
        order[i] = (uint32_t)i;
    for (size_t i = n_docs - 1; i > 0; i--) {
        const size_t j = rng_below(&plan, i + 1);
        const uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < n_docs; i++)
        pos[order[i]] = (uint32_t)i;
    int width = 7;
    for (size_t v = n_docs; v >= 10000000; v /= 10)
        width++;

    /* Write the documents. */
    char tmp_jsonl[8192];
    FILE *out = open_out(prefix, ".jsonl", tmp_jsonl, sizeof tmp_jsonl);
    setvbuf(out, NULL, _IOFBF, (size_t)1 << 20);
    doc d = {0};
    buf text = {0};
    char desc[DESC_CAP];
    uint64_t bytes = 0, words = 0;
    for (size_t i = 0; i < n_docs; i++) {
        arena_reset(&g.arena);
        entry_doc(&g, order[i], &d, desc);
        render(&d, &text);
        if (!utf8_valid((const unsigned char *)text.p, text.len))
            die("document %zu is not valid UTF-8 (a bug)", i + 1);
        words += doc_words(&d);
        const int head = fprintf(out, "{\"id\":\"d%0*zu\",\"text\":", width, i + 1);
        bytes += (uint64_t)head + json_string(out, text.p, text.len) + 2;
        fputs("}\n", out);
    }
    close_out(out, tmp_jsonl);
    say("documents: %zu (%zu base, %zu injected copies in %zu families of 2-%d), %.1f MB of "
        "JSONL, %.0f bytes and %.0f words per document on average\n",
        n_docs, g.n_base, g.n_dup, n_fam, FAMILY_MAX, (double)bytes / 1e6,
        (double)bytes / (double)n_docs, (double)words / (double)n_docs);

    /* The truth: exact Jaccard of every pair inside each family. */
    truth_pair *tp = NULL;
    size_t n_tp = 0, cap_tp = 0;
    uint64_t *set[FAMILY_MAX] = {0};
    size_t set_n[FAMILY_MAX], set_cap[FAMILY_MAX] = {0};
    char **descs = dd_xrealloc(NULL, FAMILY_MAX * sizeof *descs);
    for (size_t m = 0; m < FAMILY_MAX; m++)
        descs[m] = dd_xrealloc(NULL, DESC_CAP);
    /* Recipes by entry, for the truth file. */
    char *recipe = dd_xrealloc(NULL, g.n_dup * (size_t)DESC_CAP);
    for (size_t f = 0; f < n_fam; f++) {
        for (size_t m = 0; m < fam_n[f]; m++) {
            const size_t e = fam[f][m];
            arena_reset(&g.arena);
            entry_doc(&g, e, &d, descs[m]);
            render(&d, &text);
            rp_doc *rd = NULL;
            rp_error err;
            if (rp_doc_new(NULL, text.p, text.len, NULL, &rd, &err) != RP_OK)
                die("a generated document is not valid text: %s", err.msg);
            set_n[m] = dd_shingle_set(rd, DEDUP_NGRAM, &set[m], &set_cap[m]);
            rp_doc_free(rd);
            if (e >= g.n_base) memcpy(recipe + (e - g.n_base) * DESC_CAP, descs[m], DESC_CAP);
        }
        for (size_t a = 0; a < fam_n[f]; a++) {
            for (size_t b = a + 1; b < fam_n[f]; b++) {
                const size_t ea = fam[f][a], eb = fam[f][b];
                const size_t shared = dd_shared(set[a], set_n[a], set[b], set_n[b]);
                if (n_tp == cap_tp) {
                    cap_tp = cap_tp ? 2 * cap_tp : 4096;
                    tp = dd_xrealloc(tp, cap_tp * sizeof *tp);
                }
                truth_pair t;
                t.a = pos[ea] < pos[eb] ? pos[ea] : pos[eb];
                t.b = pos[ea] < pos[eb] ? pos[eb] : pos[ea];
                t.shared = (uint32_t)shared;
                t.uni = (uint32_t)(set_n[a] + set_n[b] - shared);
                t.child = g.parent[eb] == ea ? (uint32_t)eb : NO_PARENT;
                tp[n_tp++] = t;
            }
        }
    }
    qsort(tp, n_tp, sizeof *tp, cmp_truth);
    char tmp_truth[8192];
    FILE *tf = open_out(prefix, ".truth.tsv", tmp_truth, sizeof tmp_truth);
    fputs("# id1\tid2\tjaccard\tshared\tunion\trelation\trecipe\n", tf);
    /* Bin 0: J < 0.5; bins 1..10: [0.50, 0.55) ... [0.95, 1); bin 11: J = 1. */
    enum { BINS = 12 };
    size_t hist_copy[BINS] = {0}, hist_all[BINS] = {0}, above = 0, near = 0;
    for (size_t i = 0; i < n_tp; i++) {
        const double j = dd_jaccard(tp[i].shared, tp[i].uni);
        fprintf(tf, "d%0*u\td%0*u\t%.4f\t%u\t%u\t%s\t%s\n", width, tp[i].a + 1, width, tp[i].b + 1,
                j, tp[i].shared, tp[i].uni, tp[i].child != NO_PARENT ? "copy" : "family",
                tp[i].child != NO_PARENT ? recipe + (tp[i].child - g.n_base) * DESC_CAP : "-");
        size_t bin = j < 0.5                     ? 0
                     : tp[i].shared == tp[i].uni ? BINS - 1
                                                 : 1 + (size_t)((j - 0.5) * 20.0);
        if (bin > BINS - 2 && tp[i].shared != tp[i].uni) bin = BINS - 2;
        hist_all[bin]++;
        if (tp[i].child != NO_PARENT) hist_copy[bin]++;
        above += j >= 0.8;
        near += j >= 0.75 && j < 0.85;
    }
    close_out(tf, tmp_truth);
    say("injected pairs: %zu (%zu copy-parent, %zu others inside families); %zu at J >= 0.8, "
        "%zu at 0.75 <= J < 0.85\n",
        n_tp, g.n_dup, n_tp - g.n_dup, above, near);
    say("exact Jaccard of the injected pairs (copy-parent / all):\n");
    for (size_t b = 0; b < BINS; b++) {
        if (b == 0)
            say("  J < 0.50       %8zu %8zu\n", hist_copy[b], hist_all[b]);
        else if (b == BINS - 1)
            say("  J = 1          %8zu %8zu\n", hist_copy[b], hist_all[b]);
        else
            say("  [%.2f, %.2f)   %8zu %8zu\n", 0.45 + 0.05 * (double)b, 0.5 + 0.05 * (double)b,
                hist_copy[b], hist_all[b]);
    }
    close_out(stats_file, tmp_stats);
    stats_file = NULL;

    for (size_t m = 0; m < FAMILY_MAX; m++)
        free(set[m]), free(descs[m]);
    free(descs), free(recipe), free(tp);
    free(d.v), free(text.p), free(g.scratch.v);
    for (size_t i = 0; i < g.arena.n_blocks; i++)
        free(g.arena.block[i]);
    free(g.arena.block);
    free(g.parent), free(fam), free(fam_n), free(order), free(pos);
    free(g.pool.text.p), free(g.pool.word_off), free(g.pool.word_len);
    free(g.pool.sent_word), free(g.pool.sent_n);
    return 0;
}
