/* bench_sketch.c - MinHash sketching throughput (text -> word 5-gram
 * shingles -> 128-value signature), one thread.
 *
 * The bars: 300 MB/s for ASCII news text and 100 MB/s for text that
 * needs Unicode normalization. The ASCII sample is the BBC News articles
 * under $REPRINT_DATA/bbc-news/bbc (default ../shared/data). The data
 * directory holds no prose in another script (its non-ASCII text is a few
 * accented names), so the Unicode samples are the same BBC articles with
 * their letters rewritten, deterministically, into the byte shape of news in
 * other scripts:
 *  - Cyrillic: every letter a Cyrillic one, case kept (Russian);
 *  - Greek: every letter a Greek one, one accented vowel per word, final
 *    sigma (Greek);
 *  - accented Latin: about a quarter of the vowels and s, c, z, r accented,
 *    typographic apostrophes (Czech, Polish, French);
 *  - CJK: each word one to three Han characters, no spaces, ideographic
 *    full stop and comma (Chinese);
 *  - mixed: a..z alternately accented Latin and Cyrillic, typographic
 *    apostrophes (the sample of earlier versions of this benchmark).
 * Every sample is sketched in runs of $BENCH_SKETCH_MB MB (default 100,
 * the articles repeated), $BENCH_REPEAT times (default 3); the best run is
 * reported, as the machine may be shared; BENCH_CLOCK=cpu times the
 * thread's CPU time instead of wall time. Prints MB/s and the ratio to the
 * bar. Uses reprint.h, and bench_int.h for the UTF-8 encoder and mixer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_int.h"

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

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->doc[i]);
    free(c->doc), free(c->len);
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

/* ---- the rewritten samples ------------------------------------------------ */

static int is_lower(int ch)
{
    return ch >= 'a' && ch <= 'z';
}

static int is_letter(int ch)
{
    return is_lower(ch) || (ch >= 'A' && ch <= 'Z');
}

static int is_alnum(int ch)
{
    return is_letter(ch) || (ch >= '0' && ch <= '9');
}

/* A small deterministic generator for the rewrites: the library's mixer. */
static uint32_t mix(uint32_t x)
{
    return (uint32_t)rp__hash_combine(0, x);
}

typedef enum style { CYRILLIC, GREEK, ACCENTED, CJK, MIXED } style;

static const char *const style_name[] = {"Cyrillic", "Greek", "accented Latin", "CJK", "mixed"};

/* Lowercase letter ch as a Cyrillic or Greek code point. */
static const uint16_t cyrillic[26] = {0x430, 0x431, 0x446, 0x434, 0x435, 0x444, 0x433, 0x445, 0x438,
                                      0x439, 0x43A, 0x43B, 0x43C, 0x43D, 0x43E, 0x43F, 0x44F, 0x440,
                                      0x441, 0x442, 0x443, 0x432, 0x448, 0x436, 0x44B, 0x437};
static const uint16_t greek[26] = {0x3B1, 0x3B2, 0x3BA, 0x3B4, 0x3B5, 0x3C6, 0x3B3, 0x3B7, 0x3B9,
                                   0x3BE, 0x3BA, 0x3BB, 0x3BC, 0x3BD, 0x3BF, 0x3C0, 0x3B8, 0x3C1,
                                   0x3C3, 0x3C4, 0x3C5, 0x3B2, 0x3C9, 0x3C7, 0x3C8, 0x3B6};

/* a..z in the mixed sample. */
static const uint16_t mixed[26] = {0xE0,  0x431, 0xE7,  0x434, 0xE9,  0x444, 0x11F, 0x445, 0xEE,
                                   0x436, 0x43A, 0x142, 0x43C, 0xF1,  0xF6,  0x43F, 0x44F, 0x159,
                                   0x15B, 0x442, 0xFC,  0x432, 0x175, 0x445, 0xFD,  0x17E};

/* The accented form of a lowercase letter, or 0. */
static uint32_t accented(int ch, uint32_t r)
{
    switch (ch) {
    case 'a': return r & 1 ? 0xE1 : 0x105;  /* á ą */
    case 'e': return r & 1 ? 0xE9 : 0x11B;  /* é ě */
    case 'i': return 0xED;                  /* í */
    case 'o': return r & 1 ? 0xF3 : 0xF4;   /* ó ô */
    case 'u': return r & 1 ? 0x16F : 0xFA;  /* ů ú */
    case 'y': return 0xFD;                  /* ý */
    case 's': return r & 1 ? 0x161 : 0x15B; /* š ś */
    case 'c': return r & 1 ? 0x10D : 0xE7;  /* č ç */
    case 'z': return r & 1 ? 0x17E : 0x17C; /* ž ż */
    case 'r': return 0x159;                 /* ř */
    default: return 0;
    }
}

/* The same uppercase (Latin-1 and Latin Extended-A pair their cases at -0x20
 * and -1). */
static uint32_t upper_of(uint32_t cp)
{
    if (cp >= 0xE0 && cp <= 0xFE) return cp - 0x20;
    return cp - 1;
}

static char *rewrite(const char *s, size_t len, style st, size_t *out_len)
{
    char *o = malloc(len * 4 + 16);
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        unsigned char ch = (unsigned char)s[i];
        if (!is_alnum(ch)) {
            if (st == CJK) {
                /* Chinese puts no spaces between words. */
                if ((ch == '.' || ch == ',') && (i + 1 == len || s[i + 1] == ' ')) {
                    k += rp__utf8_encode(ch == '.' ? 0x3002 : 0xFF0C, o + k);
                    i += i + 1 < len ? 2 : 1;
                    continue;
                }
                if (ch == ' ') {
                    i++;
                    continue;
                }
            }
            if (ch == '\'' && st != CYRILLIC && st != CJK) {
                k += rp__utf8_encode(0x2019, o + k);
            } else {
                o[k++] = (char)ch;
            }
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && is_alnum((unsigned char)s[j]))
            j++;
        uint32_t wh = 2166136261U;
        for (size_t p = i; p < j; p++)
            wh = (wh ^ (unsigned char)(s[p] | 0x20)) * 16777619U;
        if (st == CJK) {
            if (s[i] >= '0' && s[i] <= '9') { /* numbers stay ASCII */
                memcpy(o + k, s + i, j - i);
                k += j - i;
            } else {
                size_t chars = 1 + (j - i >= 4) + (j - i >= 8);
                for (size_t c = 0; c < chars; c++)
                    k += rp__utf8_encode(0x4E00 + mix(wh + (uint32_t)c) % 0x5000, o + k);
            }
            i = j;
            continue;
        }
        int toned = 0; /* Greek: one accented vowel per word */
        for (size_t p = i; p < j; p++) {
            unsigned char c = (unsigned char)s[p];
            int up = c >= 'A' && c <= 'Z';
            int lc = c | 0x20;
            uint32_t cp = c;
            uint32_t r = mix(wh ^ (uint32_t)(p - i) * 0x9E3779B9U);
            if (!is_letter(c)) {
                o[k++] = (char)c;
                continue;
            }
            switch (st) {
            case CYRILLIC:
                cp = cyrillic[lc - 'a'];
                if (up) cp -= 0x20;
                break;
            case GREEK:
                cp = greek[lc - 'a'];
                if (!toned && j - i > 1 && strchr("aeiou", lc) != NULL) {
                    static const uint16_t tonos[2][5] = {{0x3AC, 0x3AD, 0x3AF, 0x3CC, 0x3CD},
                                                         {0x386, 0x388, 0x38A, 0x38C, 0x38E}};
                    cp = tonos[up][strchr("aeiou", lc) - "aeiou"];
                    toned = 1;
                    break;
                }
                if (cp == 0x3C3 && p + 1 == j && !up) cp = 0x3C2; /* final sigma */
                if (up) cp -= 0x20;
                break;
            case ACCENTED: {
                uint32_t a = (r & 3) == 0 ? accented(lc, r >> 2) : 0;
                cp = a ? (up ? upper_of(a) : a) : c;
                break;
            }
            case MIXED:
                if (is_lower(c)) cp = mixed[lc - 'a'];
                break;
            case CJK: break;
            }
            k += rp__utf8_encode(cp, o + k);
        }
        i = j;
    }
    o[k] = '\0';
    *out_len = k;
    return o;
}

/* ---- timing --------------------------------------------------------------- */

/* Wall time, or with BENCH_CLOCK=cpu the thread's CPU time, which moves
 * much less when other jobs share the cores. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now(void)
{
    struct timespec ts;
    clock_gettime(bench_clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run: sketch the documents in turn until target bytes are done. */
static double run_once(const corpus *c, size_t target)
{
    rp_sketcher *sk = NULL;
    if (rp_sketcher_new(NULL, &sk, NULL) != RP_OK) exit(2);
    uint32_t sig[128];
    uint32_t check = 0;
    size_t done = 0;
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
        }
    }
    double t = now() - t0;
    rp_sketcher_free(sk);
    if (check == 1) fputc(' ', stderr); /* keep the work observable */
    return (double)done / 1e6 / t;
}

static size_t env_size(const char *name, size_t dflt)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') return dflt;
    long n = strtol(v, NULL, 10);
    return n > 0 ? (size_t)n : dflt;
}

static double best_of(const corpus *c, size_t target, size_t repeat)
{
    double best = 0;
    for (size_t r = 0; r < repeat; r++) {
        double v = run_once(c, target);
        if (v > best) best = v;
    }
    return best;
}

int main(void)
{
    const char *data = getenv("REPRINT_DATA");
    if (data == NULL) data = "../shared/data";
    size_t target = env_size("BENCH_SKETCH_MB", 100) << 20;
    size_t repeat = env_size("BENCH_REPEAT", 3);
    static const char *cats[] = {"business", "entertainment", "politics", "sport", "tech"};
    corpus ascii = {0};
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
    const char *clk = getenv("BENCH_CLOCK");
    if (clk != NULL && strcmp(clk, "cpu") == 0) bench_clock = CLOCK_THREAD_CPUTIME_ID;
    printf("best of %zu runs of %zu MB each (the articles repeated), one thread, %s\n", repeat,
           target >> 20,
           bench_clock == CLOCK_MONOTONIC ? "wall time" : "thread CPU time (BENCH_CLOCK=cpu)");

    char label[128];
    double a = best_of(&ascii, target, repeat);
    snprintf(label, sizeof label, "ASCII news (%zu BBC articles, %.1f MB)", ascii.n,
             (double)ascii.bytes / 1e6);
    printf("sketch, %-46s %6.1f MB/s; bar 300 MB/s: %.2fx  (%.0f docs/s)\n", label, a, a / 300,
           a * 1e6 / ((double)ascii.bytes / (double)ascii.n));
    double worst = 0;
    const char *worst_name = "";
    for (style st = CYRILLIC; st <= MIXED; st++) {
        corpus uni = {0};
        for (size_t i = 0; i < ascii.n; i++) {
            size_t l;
            char *u = rewrite(ascii.doc[i], ascii.len[i], st, &l);
            add(&uni, u, l);
        }
        double u = best_of(&uni, target, repeat);
        snprintf(label, sizeof label, "Unicode, BBC as %s (%.1f MB)", style_name[st],
                 (double)uni.bytes / 1e6);
        printf("sketch, %-46s %6.1f MB/s; bar 100 MB/s: %.2fx\n", label, u, u / 100);
        if (worst == 0 || u < worst) worst = u, worst_name = style_name[st];
        corpus_free(&uni);
    }
    snprintf(label, sizeof label, "Unicode, slowest sample (%s)", worst_name);
    printf("sketch, %-46s %6.1f MB/s; bar 100 MB/s: %.2fx\n", label, worst, worst / 100);
    corpus_free(&ascii);
    return 0;
}
