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
