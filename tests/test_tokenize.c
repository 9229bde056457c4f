/* test_tokenize.c - tokenization known answers (tests/data/tokens.txt) and
 * sentence/paragraph breaks.
 *
 * tokens.txt holds pairs of lines: "in: TEXT" (with \n, \t, \\ and \xHH
 * escapes) and "out: TOKEN@START-END ..." giving each normalized token and
 * its byte span. Run with TOKENS_PRINT=1 to print the actual out lines. */
#include "text/text.h"
#include "test.h"

#include <stdlib.h>

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif

static size_t unescape(const char *s, char *out)
{
    size_t n = 0;
    for (; *s && *s != '\n'; s++) {
        if (*s != '\\') {
            out[n++] = *s;
            continue;
        }
        s++;
        switch (*s) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case '\\': out[n++] = '\\'; break;
        case 'x': {
            char hex[3] = {s[1], s[2], 0};
            out[n++] = (char)strtol(hex, NULL, 16);
            s += 2;
            break;
        }
        default: out[n++] = *s; break;
        }
    }
    return n;
}

static void describe(const rp_doc *d, char *buf, size_t cap)
{
    size_t n, used = 0;
    const rp_token *t = rp_doc_tokens(d, &n);
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < cap; i++) {
        char tok[128];
        rp_doc_token_text(d, i, tok, sizeof tok);
        int w =
            snprintf(buf + used, cap - used, "%s%s@%u-%u", i ? " " : "", tok, t[i].start, t[i].end);
        if (w < 0) break;
        used += (size_t)w;
    }
}

void test_tokenize_vectors(void)
{
    FILE *f = fopen(TEST_DATA "/tokens.txt", "r");
    CHECK(f != NULL);
    if (f == NULL) return;
    char line[4096], text[4096], got[8192];
    size_t text_len = 0;
    int cases = 0, lineno = 0;
    bool print = getenv("TOKENS_PRINT") != NULL;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (strncmp(line, "in: ", 4) == 0) {
            text_len = unescape(line + 4, text);
            if (print) fputs(line, stdout);
        } else if (strncmp(line, "out:", 4) == 0) {
            rp_doc *d = NULL;
            rp_status st = rp_doc_new("vector", text, text_len, NULL, &d, NULL);
            CHECK_EQ(st, RP_OK);
            if (d == NULL) continue;
            describe(d, got, sizeof got);
            const char *want = line[4] == ' ' ? line + 5 : line + 4;
            size_t wl = strcspn(want, "\n");
            if (print)
                printf("out: %s\n", got);
            else if (strlen(got) != wl || memcmp(got, want, wl) != 0) {
                fprintf(stderr, "tokens.txt:%d: got  %s\n                want %.*s\n", lineno, got,
                        (int)wl, want);
                test_failed = 1;
            }
            rp_doc_free(d);
            cases++;
        }
    }
    fclose(f);
    CHECK(cases >= 20);
}

void test_tokenize_breaks(void)
{
    const char *text = "Mr. Smith paid 3.5 dollars. \"Really?\" she asked.\n\nNew para here";
    rp__tokens t = {0};
    CHECK_EQ(rp__tokenize(text, strlen(text), 0, &t), RP_OK);
    /* mr . smith paid 3 . 5 dollars . really ? she asked . \n\n new para here */
    CHECK_EQ(t.n, 12);
    if (t.n == 12) {
        CHECK_EQ(t.brk[0], RP__BREAK_SENTENCE); /* "Mr." */
        CHECK_EQ(t.brk[3], 0);                  /* "3.5" is a number */
        CHECK_EQ(t.brk[5], RP__BREAK_SENTENCE); /* "dollars." */
        CHECK_EQ(t.brk[6], RP__BREAK_SENTENCE); /* "Really?\"" */
        CHECK_EQ(t.brk[8], RP__BREAK_SENTENCE | RP__BREAK_PARAGRAPH);
        CHECK_EQ(t.brk[9], 0);
        CHECK_EQ(t.brk[11], RP__BREAK_SENTENCE | RP__BREAK_PARAGRAPH); /* end of text */
    }
    rp__tokens_free(&t);
}

/* ---- the fast paths against the reference ------------------------------ */

/* Tokens as reported by a scan: start, end, hash, breaks before. */
typedef struct collected {
    uint64_t *v;
    size_t n, cap;
} collected;

static void push(collected *c, uint64_t x)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4096;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        if (c->v == NULL) abort();
    }
    c->v[c->n++] = x;
}

static rp_status collect(void *ctx, uint32_t start, uint32_t end, uint64_t hash, uint8_t brk)
{
    collected *c = ctx;
    push(c, start);
    push(c, end);
    push(c, hash);
    push(c, brk);
    return RP_OK;
}

static rp_status collect_hashes(void *ctx, const uint64_t *hashes, size_t n)
{
    collected *c = ctx;
    for (size_t i = 0; i < n; i++)
        push(c, hashes[i]);
    return RP_OK;
}

typedef struct piece {
    const char *s;
    size_t n;
} piece;
#define P(lit)                                                                                     \
    {                                                                                              \
        lit, sizeof lit - 1                                                                        \
    }

/* What the generated texts are made of. The first ASCII_PIECES are the
 * stuff of English news; the rest covers every path of the scanner. */
static const piece pieces[] = {
    /* ASCII words, spaces and punctuation */
    P("word"),
    P("Word"),
    P("WORD"),
    P("x1"),
    P("2016"),
    P("a"),
    P("I"),
    P("the"),
    P("The"),
    P(" "),
    P(" "),
    P(" "),
    P(" "),
    P("  "),
    P("\n"),
    P("\n\n"),
    P("\n  "),
    P("\t"),
    P("\r\n"),
    P("."),
    P(". "),
    P(", "),
    P("?\" "),
    P("-"),
    P("\""),
    P("("),
    P(")"),
    P("it's"),
    P("'"),
    P("rock'n'roll"),
    P("o'"),
    P("80's"),
    P("boys' "),
    P("$"),
    P("%"),
    P("@"),
    P("_"),
    P("#"),
#define ASCII_PIECES 38
    P("!"),
    P("]"),
    P("\f"),
    P("\v"),
    P("\x7F"),
    P("\x01"),
    P("'s"),
    P("a'1"),
    P("x''y"),
    /* typographic apostrophes and quotes */
    P("\xE2\x80\x99"),
    P("It\xE2\x80\x99s"),
    P("l\xE2\x80\x99homme"),
    P("ab\xCA\xBC"
      "cd"),
    P("\xCA\xBC"),
    P("\xE2\x80\x98"),
    P("\xE2\x80\x9C"),
    P("\xE2\x80\x9D"),
    P("\xC2\xAB"),
    P("\xC2\xBB"),
    P("\xE2\x80\x94"),
    P("\xE2\x80\xA6"),
    P("x\xE2\x80\x99\xC3\xA9"),
    P("\xC3\xA9\xE2\x80\x99x"),
    P("x'\xC3\xA9"),
    P("x'\xCC\x81"),
    P("x\xE2\x80\x99"),
    /* other spaces, newlines and terminators */
    P("\xC2\xA0"),
    P("\xE2\x80\xA8"),
    P("\xE2\x80\xA9"),
    P("\xC2\x85"),
    P("\xE3\x80\x80"),
    P("\xE3\x80\x82"),
    P("\xEF\xBC\x81"),
    P("\xD8\x9F"),
    P("\xE0\xA5\xA4"),
    P("\xE3\x80\x8D"),
    /* accented Latin, combining marks, format characters */
    P("caf\xC3\xA9"),
    P("CR\xC3\x88ME"),
    P("Stra\xC3\x9F"
      "e"),
    P("\xC5\x81\xC3\xB3"
      "d\xC5\xBA"),
    P("\xC3\x89"),
    P("e\xCC\x81"),
    P("\xCC\x81"),
    P("a\xCC\x88\xCC\x81"),
    P("\xC2\xAD"),
    P("co\xC2\xAD"
      "op"),
    P("\xE2\x80\x8B"),
    P("\xE2\x80\x8D"),
    P("\xEF\xBB\xBF"),
    /* Greek, Cyrillic, Armenian, Hebrew, Arabic */
    P("\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1"),
    P("\xCF\x82"),
    P("\xCE\x90"),
    P("\xCE\xA3\xCE\xB9\xCF\x83"),
    P("\xCD\xBA"),
    P("\xD0\x9C\xD0\xBE\xD1\x81"),
    P("\xD0\x81"),
    P("\xD1\x97"),
    P("\xD4\xB1\xD5\xA1"),
    P("\xD6\x87"),
    P("\xD7\xA9\xD7\x9C"),
    P("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85"),
    P("\xD9\x8E"),
    P("\xD9\xA3"),
    /* Vietnamese and polytonic Greek (U+1Exx, U+1Fxx) */
    P("Vi\xE1\xBB\x87t"),
    P("\xE1\xBA\xA0"),
    P("\xE1\xBC\x80"),
    P("\xE1\xBE\x80"),
    P("\xE1\xBA\x9E"),
    P("\xE1\xBF\xBD"),
    /* CJK, Kana, Hangul, Thai: one token per character */
    P("\xE4\xB8\xAD\xE6\x96\x87"),
    P("\xE3\x81\x8B\xE3\x82\x99"),
    P("\xE3\x81\x8C"),
    P("\xEF\xBD\xB6"),
    P("\xEF\xBE\x9E"),
    P("\xEF\xA4\x80"),
    P("\xE3\x80\x85"),
    P("\xE3\x82\x9B"),
    P("\xE3\x82\x9F"),
    P("\xED\x95\x9C\xEA\xB5\xAD"),
    P("\xE1\x84\x92\xE1\x85\xA1"),
    P("\xE3\x85\x8E"),
    P("\xE0\xB8\x81\xE0\xB8\xB4"),
    P("\xE0\xB8\xB3"),
    P("\xE1\x83\x90"),
    /* beyond the BMP; compatibility forms */
    P("\xF0\xA0\x80\x80"),
    P("\xF0\x9F\x98\x80"),
    P("\xF0\x9D\x90\x80"),
    P("\xEF\xBC\xA1\xEF\xBC\xA2"),
    P("\xEF\xAC\x81"),
    P("\xEF\xBB\xBC"), /* U+FEFC: not a byte order mark, even at the start */
    /* invalid UTF-8 and NUL (separators when lossy) */
    P("\xFF"),
    P("\xC3"),
    P("a\x80"
      "b"),
    P("\xC0\x80"),
    P("\xED\xA0\x80"),
    P("\xF4\x90\x80\x80"),
    P("\xE2\x80"),
    P("\xF0\x9F\x98"),
    P("x\0y"),
    P("\0"),
};
#define N_PIECES (sizeof pieces / sizeof pieces[0])

/* A word of n code points from set[0..k), random case where it has one. */
static size_t long_word(char *out, size_t n, const char *const *set, size_t k, uint64_t *rs)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = set[test_rand(rs) % k];
        size_t cl = strlen(c);
        memcpy(out + len, c, cl);
        len += cl;
    }
    return len;
}

/* Append a random piece to text[*len]: mode 0 draws from all pieces, mode 1
 * mostly from the ASCII news ones, mode 2 makes long words too. */
static void add_piece(char *text, size_t *len, int mode, uint64_t *rs)
{
    static const char *const ascii[] = {"a", "B", "z", "Q", "0", "9", "m", "'"};
    static const char *const cyr[] = {"\xD0\x90", "\xD1\x8F", "\xD0\x81", "\xD1\x97"};
    static const char *const mixed[] = {"a", "\xC3\xA9", "\xCC\x81", "\xE1\xBB\x87", "Z"};
    uint64_t r = test_rand(rs);
    if (mode == 2 && r % 16 == 0) {
        size_t n = 1 + test_rand(rs) % 300; /* across blocks and past FOLD_CAP */
        switch ((r >> 8) % 3) {
        case 0: *len += long_word(text + *len, n, ascii, 7, rs); break; /* no ' */
        case 1: *len += long_word(text + *len, n, cyr, 4, rs); break;
        default: *len += long_word(text + *len, n, mixed, 5, rs); break;
        }
        return;
    }
    size_t k = (mode == 1 && r % 10 != 0) ? (r >> 8) % ASCII_PIECES : (r >> 8) % N_PIECES;
    memcpy(text + *len, pieces[k].s, pieces[k].n);
    *len += pieces[k].n;
}

static bool same(const collected *a, const collected *b)
{
    return a->n == b->n && memcmp(a->v, b->v, a->n * sizeof a->v[0]) == 0;
}

/* One text through every fast path, against the reference. */
static bool check_text(const char *text, size_t len, uint64_t seed, int round)
{
    static collected ref, fast, hashes;
    ref.n = fast.n = hashes.n = 0;
    bool ok = true;
    CHECK_EQ(rp__tokenize_each_reference(text, len, seed, collect, &ref), RP_OK);
    /* rp__tokenize_each: spans, hashes and breaks */
    CHECK_EQ(rp__tokenize_each(text, len, seed, collect, &fast), RP_OK);
    if (!same(&fast, &ref)) {
        fprintf(stderr, "round %d: rp__tokenize_each differs from the reference\n", round);
        ok = false;
    }
    /* rp__tokenize: the same, stored */
    rp__tokens t = {0};
    CHECK_EQ(rp__tokenize(text, len, seed, &t), RP_OK);
    bool tok_ok = t.n * 4 == ref.n;
    for (size_t i = 0; tok_ok && i < t.n; i++) {
        uint8_t brk_after = i + 1 < t.n ? (uint8_t)ref.v[4 * (i + 1) + 3]
                                        : RP__BREAK_SENTENCE | RP__BREAK_PARAGRAPH;
        tok_ok = t.tok[i].start == ref.v[4 * i] && t.tok[i].end == ref.v[4 * i + 1] &&
                 t.tok[i].hash == ref.v[4 * i + 2] && t.brk[i] == brk_after;
    }
    rp__tokens_free(&t);
    if (!tok_ok) {
        fprintf(stderr, "round %d: rp__tokenize differs from the reference\n", round);
        ok = false;
    }
    /* rp__tokenize_hashes, lossy: the hashes alone */
    size_t bad = 0;
    CHECK_EQ(rp__tokenize_hashes(text, len, seed, true, collect_hashes, &hashes, &bad), RP_OK);
    bool h_ok = hashes.n * 4 == ref.n;
    for (size_t i = 0; h_ok && i < hashes.n; i++)
        h_ok = hashes.v[i] == ref.v[4 * i + 2];
    if (!h_ok) {
        fprintf(stderr, "round %d: rp__tokenize_hashes (lossy) differs from the reference\n",
                round);
        ok = false;
    }
    /* rp__tokenize_hashes, strict: the error and offset of rp__utf8_check */
    bool is_nul = false;
    size_t want_bad = rp__utf8_check((const uint8_t *)text, len, &is_nul);
    hashes.n = 0;
    rp_status st = rp__tokenize_hashes(text, len, seed, false, collect_hashes, &hashes, &bad);
    if (want_bad == len) {
        h_ok = st == RP_OK && hashes.n * 4 == ref.n;
        for (size_t i = 0; h_ok && i < hashes.n; i++)
            h_ok = hashes.v[i] == ref.v[4 * i + 2];
    } else {
        h_ok = st == (is_nul ? RP_ERR_FORMAT : RP_ERR_UTF8) && bad == want_bad;
    }
    if (!h_ok) {
        fprintf(stderr, "round %d: rp__tokenize_hashes (strict) gives %d at %zu, want %zu\n", round,
                (int)st, bad, want_bad);
        ok = false;
    }
    return ok;
}

/* The block classifier, SSE2 and portable, against the definition. */
static void check_blocks(uint64_t *rs)
{
    for (int round = 0; round < 2000; round++) {
        uint8_t p[64], lower[64], lower2[64];
        for (size_t i = 0; i < 64; i++) {
            uint64_t r = test_rand(rs);
            p[i] = round % 2 ? (uint8_t)r : (uint8_t)(r % 128); /* all bytes, or ASCII */
        }
        uint64_t want[3] = {0, 0, 0}, got[3], got2[3];
        for (size_t i = 0; i < 64; i++) {
            uint8_t c = p[i];
            bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            want[0] |= (uint64_t)alnum << i;
            want[1] |= (uint64_t)(c == 0 || c >= 0x80) << i;
            want[2] |= (uint64_t)(c == '\'') << i;
        }
        rp__block_classify(p, false, got, lower);
        rp__block_classify(p, true, got2, lower2);
        bool ok = memcmp(want, got, sizeof want) == 0 && memcmp(want, got2, sizeof want) == 0;
        for (size_t i = 0; i < 64; i++)
            ok = ok && lower[i] == (p[i] | 0x20) && lower2[i] == (p[i] | 0x20);
        if (!ok) {
            fprintf(stderr, "block classifier wrong in round %d\n", round);
            test_failed = 1;
            return;
        }
    }
}

/* A sink that fails at its n-th token. */
typedef struct stopper {
    size_t n, seen;
} stopper;

static rp_status stop_at(void *ctx, uint32_t start, uint32_t end, uint64_t hash, uint8_t brk)
{
    (void)start, (void)end, (void)hash, (void)brk;
    stopper *st = ctx;
    return ++st->seen == st->n ? RP_ERR_LIMIT : RP_OK;
}

static rp_status stop_hashes(void *ctx, const uint64_t *hashes, size_t n)
{
    (void)hashes;
    stopper *st = ctx;
    st->seen += n;
    return RP_ERR_LIMIT;
}

/* The sink's first error stops the scan and is returned, whichever path
 * produced the token. */
static void check_stops(void)
{
    const char *texts[] = {"one two three", "\xD0\x9C\xD0\xBE\xD1\x81 \xD0\x9C two",
                           "\xE4\xB8\xAD\xE6\x96\x87 two", "it's a b", "x'y a b"};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        for (size_t n = 1; n <= 2; n++) {
            stopper st = {n, 0};
            CHECK_EQ(rp__tokenize_each(texts[k], strlen(texts[k]), 0, stop_at, &st), RP_ERR_LIMIT);
            CHECK_EQ(st.seen, n);
        }
        stopper st = {0, 0};
        CHECK_EQ(rp__tokenize_hashes(texts[k], strlen(texts[k]), 0, true, stop_hashes, &st, NULL),
                 RP_ERR_LIMIT);
        CHECK_EQ(st.seen, 3);
    }
}

/* Seeded random texts: mostly-ASCII news, every kind of piece above, and
 * long words crossing the scanner's 64-byte blocks and its fold buffer, at
 * lengths from a few bytes to well past one batch of hashes. Each must give
 * exactly the tokens, hashes and breaks of the character-by-character
 * reference through rp__tokenize_each, rp__tokenize and rp__tokenize_hashes (lossy and
 * strict). */
void test_tokenize_fast_paths(void)
{
    uint64_t rs = test_seed | 1;
    check_blocks(&rs);
    check_stops();
    static char text[20000];
    for (int round = 0; round < 4000; round++) {
        uint64_t r = test_rand(&rs);
        size_t target = r % 8 == 0 ? 3000 + (r >> 8) % 9000 : 1 + (r >> 8) % 500;
        int mode = round % 3;
        size_t len = 0;
        while (len < target)
            add_piece(text, &len, mode, &rs);
        if (!check_text(text, len, round % 5 ? 7 : 0, round)) {
            test_failed = 1;
            break;
        }
    }
    /* Fixed cases at the edges of the blocks and the fold buffer. */
    for (size_t n = 1; n < 700 && !test_failed; n += n < 140 ? 1 : 37) {
        const char *fill[] = {"A", "x", "\xD0\x96", "e\xCC\x81", "\xE4\xB8\xAD"};
        for (size_t f = 0; f < sizeof fill / sizeof fill[0]; f++) {
            size_t len = 0;
            for (size_t i = 0; i < n; i++) {
                memcpy(text + len, fill[f], strlen(fill[f]));
                len += strlen(fill[f]);
            }
            const char *tails[] = {"", " z", "'s", "\xE2\x80\x99s", "\xC3\xA9", ".", "\xFF"};
            for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
                size_t tl = strlen(tails[k]);
                memcpy(text + len, tails[k], tl);
                if (!check_text(text, len + tl, 7, (int)(n * 100 + f * 10 + k))) {
                    test_failed = 1;
                    break;
                }
            }
        }
    }
}
