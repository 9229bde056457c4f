/* test_utf8.c - UTF-8 decoding, validation and the normalization paths. */
#include "../src/internal.h"
#include "test.h"

#include <stdlib.h>
#include <utf8proc.h>

void test_utf8_decode(void)
{
    int32_t cp = 0;
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"A", 1, &cp), 1);
    CHECK_EQ(cp, 'A');
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xC3\xA9", 2, &cp), 2);
    CHECK_EQ(cp, 0xE9);
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xE2\x80\x99", 3, &cp), 3);
    CHECK_EQ(cp, 0x2019);
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    CHECK_EQ(cp, 0x1F600);
    /* overlong, surrogate, above U+10FFFF, truncated, stray continuation */
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xC0\x80", 2, &cp), -1);
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xE0\x80\x80", 3, &cp), -1);
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xED\xA0\x80", 3, &cp), -1);
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xF4\x90\x80\x80", 4, &cp), -1);
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xE2\x80", 2, &cp), -1);
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\x80", 1, &cp), -1);
    CHECK_EQ(rp__utf8_decode((const uint8_t *)"\xFF", 1, &cp), -1);
}

void test_utf8_check(void)
{
    bool nul;
    const char ok[] = "plain ASCII text that is long enough for the word loop, caf\xC3\xA9.";
    CHECK_EQ(rp__utf8_check((const uint8_t *)ok, sizeof ok - 1, &nul), sizeof ok - 1);
    const char bad[] = "0123456789abcdef\x92xyz"; /* Windows-1252 apostrophe */
    CHECK_EQ(rp__utf8_check((const uint8_t *)bad, sizeof bad - 1, &nul), 16);
    CHECK(!nul);
    const char zero[] = "0123456789\0abc";
    CHECK_EQ(rp__utf8_check((const uint8_t *)zero, sizeof zero - 1, &nul), 10);
    CHECK(nul);
    /* Every prefix length of a multi-byte sequence at the end is invalid. */
    const char cut[] = "abc\xE2\x80";
    CHECK_EQ(rp__utf8_check((const uint8_t *)cut, sizeof cut - 1, &nul), 3);
}

/* The Latin table path must give what utf8proc gives on whole tokens: all
 * single letters below U+0530, and seeded random strings of them. */
void test_normalize_paths_agree(void)
{
    int32_t letters[1200];
    size_t nl = 0;
    for (int32_t cp = 0x41; cp < 0x530 && nl < 1200; cp++) {
        utf8proc_category_t c = utf8proc_category(cp);
        bool letter = c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
        bool digit = c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO;
        if (letter || digit) letters[nl++] = cp;
    }
    uint8_t *ref = NULL;
    size_t ref_cap = 0;
    uint8_t out[256];
    srand((unsigned)test_seed);
    for (size_t t = 0; t < nl + 20000; t++) {
        uint8_t in[64];
        size_t len = 0;
        size_t k = t < nl ? 1 : 1 + (size_t)rand() % 6;
        for (size_t i = 0; i < k; i++) {
            int32_t cp = t < nl ? letters[t] : letters[(size_t)rand() % nl];
            len += (size_t)utf8proc_encode_char(cp, in + len);
        }
        size_t a = rp__normalize_latin(in, len, out, sizeof out);
        size_t b = rp__normalize_reference(in, len, &ref, &ref_cap);
        CHECK(a != SIZE_MAX && b != SIZE_MAX);
        if (a != b || (a != SIZE_MAX && memcmp(out, ref, a) != 0)) {
            fprintf(stderr, "latin table differs from utf8proc on token %zu (%zu bytes)\n", t, len);
            test_failed = 1;
            break;
        }
    }
    rp__free(ref);
}

static void check_norm(const char *in, const char *want)
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    size_t n = rp__normalize((const uint8_t *)in, strlen(in), &buf, &cap);
    CHECK(n != SIZE_MAX);
    if (n != SIZE_MAX && (n != strlen(want) || memcmp(buf, want, n) != 0)) {
        fprintf(stderr, "normalize(\"%s\") = \"%.*s\", want \"%s\"\n", in, (int)n, buf, want);
        test_failed = 1;
    }
    rp__free(buf);
}

void test_normalize_known(void)
{
    check_norm("Trump", "trump");
    check_norm("It\xE2\x80\x99s", "it's"); /* typographic apostrophe */
    check_norm("It\xCA\xBCs", "it's");     /* modifier letter apostrophe */
    check_norm("STRA\xC3\x9F"
               "E",
               "strasse");                        /* sharp s folds to ss */
    check_norm("Cafe\xCC\x81", "caf\xC3\xA9");    /* combining accent composes */
    check_norm("\xEF\xBC\xA1\xEF\xBC\xA2", "ab"); /* fullwidth letters */
    check_norm("\xEF\xAC\x81le", "file");         /* fi ligature */
    check_norm("co\xC2\xADop", "coop");           /* soft hyphen is ignored */
    check_norm("\xCE\xA3\xCE\xB9\xCF\x83", "\xCF\x83\xCE\xB9\xCF\x83"); /* Greek sigma */
    check_norm("\xC3\x85ngstr\xC3\xB6m", "\xC3\xA5ngstr\xC3\xB6m");
}
