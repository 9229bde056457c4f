/* test_tokenize.c - tokenization known answers (tests/data/tokens.txt) and
 * sentence/paragraph breaks.
 *
 * tokens.txt holds pairs of lines: "in: TEXT" (with \n, \t, \\ and \xHH
 * escapes) and "out: TOKEN@START-END ..." giving each normalized token and
 * its byte span. Run with TOKENS_PRINT=1 to print the actual out lines. */
#include "../src/internal.h"
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

typedef struct collected {
    uint64_t v[4096];
    size_t n;
} collected;

static rp_status collect(void *ctx, uint32_t start, uint32_t end, uint64_t hash, uint8_t brk)
{
    collected *c = ctx;
    if (c->n + 4 <= sizeof c->v / sizeof c->v[0]) {
        c->v[c->n++] = start;
        c->v[c->n++] = end;
        c->v[c->n++] = hash;
        c->v[c->n++] = brk;
    }
    return RP_OK;
}

/* Seeded random texts mixing ASCII words, apostrophes, punctuation, spaces,
 * newlines, accented and Cyrillic letters, combining marks, CJK and invalid
 * bytes: rp__scan must give exactly the tokens, hashes and breaks of the
 * character-by-character reference. */
void test_tokenize_fast_paths(void)
{
    static const char *pieces[] = {
        "word",
        "Word",
        "WORD",
        "x1",
        "2016",
        "it's",
        "rock'n'roll",
        "o'",
        "'",
        "\xE2\x80\x99",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n  ",
        "\t",
        ".",
        ". ",
        "?\" ",
        ",",
        "-",
        "\"",
        "(",
        "caf\xC3\xA9",
        "\xD0\x9C\xD0\xBE\xD1\x81",
        "e\xCC\x81",
        "\xE4\xB8\xAD\xE6\x96\x87",
        "\xE3\x80\x82",
        "\xC2\xAD",
        "\xFF",
        "\xC3",
        "a\x80"
        "b",
        "\xEF\xBB\xBF",
        "ab\xCA\xBC"
        "cd",
    };
    unsigned long long rs = test_seed | 1;
    char text[512];
    for (int round = 0; round < 3000; round++) {
        size_t len = 0;
        while (len < 400) {
            rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *p = pieces[(rs >> 33) % (sizeof pieces / sizeof pieces[0])];
            size_t pl = strlen(p);
            memcpy(text + len, p, pl);
            len += pl;
        }
        static collected fast, ref;
        fast.n = ref.n = 0;
        CHECK_EQ(rp__scan(text, len, 7, collect, &fast), RP_OK);
        CHECK_EQ(rp__scan_reference(text, len, 7, collect, &ref), RP_OK);
        CHECK_EQ(fast.n, ref.n);
        if (fast.n != ref.n || memcmp(fast.v, ref.v, fast.n * sizeof fast.v[0]) != 0) {
            fprintf(stderr, "fast and reference scans differ in round %d\n", round);
            test_failed = 1;
            break;
        }
    }
}
