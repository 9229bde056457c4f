/* test_text.c - text builders shared by the tests: a growing string and
 * seeded pseudo-words of two-letter syllables. */
#include "test.h"

#include <stdlib.h>

void test_put(test_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void test_puts(test_buf *b, const char *s)
{
    test_put(b, s, strlen(s));
}

static const char *syl[] = {"ka", "lo", "mi", "ne", "ru", "ta", "po", "si", "de", "va", "gu",
                            "be", "zo", "fi", "ha", "jo", "ku", "le", "mo", "ni", "pa", "re"};

void test_word(test_buf *b, size_t w, int vocab)
{
    char s[16];
    size_t n = 0;
    if (vocab) s[n++] = (char)('w' + vocab % 3);
    do {
        const char *y = syl[w % 22];
        s[n++] = y[0];
        s[n++] = y[1];
        w /= 22;
    } while (w > 0 && n < 12);
    test_put(b, s, n);
}

size_t test_zipf(uint64_t *rs)
{
    uint64_t r = test_rand(rs) % 1000;
    return r < 300 ? test_rand(rs) % 20 : r < 700 ? test_rand(rs) % 400 : test_rand(rs) % 8000;
}
