/* test_utf8.c - UTF-8 decoding, validation and the normalization paths. */
#include "text/text.h"
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

/* Every code point rp__normalize_is_identity() accepts normalizes to itself
 * in utf8proc (all of Unicode, each alone: that is how the tokenizer uses
 * it). */
static void check_identity_all(void)
{
    uint8_t *ref = NULL;
    size_t ref_cap = 0;
    size_t accepted = 0;
    for (int32_t cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        if (!rp__normalize_is_identity(cp)) continue;
        accepted++;
        uint8_t in[4];
        size_t len = (size_t)utf8proc_encode_char(cp, in);
        size_t b = rp__normalize_reference(in, len, &ref, &ref_cap);
        if (b != len || memcmp(ref, in, len) != 0) {
            fprintf(stderr, "U+%04X is not left as it is by utf8proc\n", (unsigned)cp);
            test_failed = 1;
            break;
        }
    }
    CHECK(accepted > 90000);                   /* Han, Hangul, Kana, ... */
    CHECK(rp__normalize_is_identity(0x4E2D));  /* a Han character */
    CHECK(!rp__normalize_is_identity(0xF900)); /* a compatibility ideograph */
    CHECK(!rp__normalize_is_identity(0xFF21)); /* fullwidth A */
    CHECK(!rp__normalize_is_identity(0x2019)); /* folded to ' */
    rp__free(ref);
}

/* The table path must give what utf8proc gives on whole tokens: every entry
 * alone, then seeded random tokens of 1..8 code points drawn from the
 * entries (letters of every script in the table, digits, format characters
 * and apostrophes). An exhaustive run over all pairs of entries passed when
 * the table was extended to U+07FF and U+1E00..U+1FFF. */
void test_normalize_paths_agree(void)
{
    const rp__fold *table = rp__fold_table();
    static int32_t entries[RP__FOLD_SIZE];
    size_t ne = 0;
    for (int32_t cp = 0; cp < 0x2020; cp++) {
        int32_t k = rp__fold_index(cp);
        if (k >= 0 && table[k].len != RP__FOLD_NONE) entries[ne++] = cp;
    }
    CHECK(ne > 1800);
    /* What the tokenizer relies on: letters and apostrophes have entries,
     * combining marks and separators do not. */
    CHECK(table[rp__fold_index(0xE9)].len == 2);              /* é */
    CHECK(table[rp__fold_index(0x416)].len == 2);             /* Ж */
    CHECK(table[rp__fold_index(0x1EA0)].len == 3);            /* Ạ */
    CHECK(table[rp__fold_index(0x2019)].len == 1);            /* ’ */
    CHECK(table[rp__fold_index(0x301)].len == RP__FOLD_NONE); /* combining acute */
    CHECK(table[rp__fold_index(' ')].len == RP__FOLD_NONE);
    CHECK(rp__fold_index(0x2014) == -1);
    uint8_t *ref = NULL;
    size_t ref_cap = 0;
    uint8_t out[256];
    uint64_t rs = test_seed | 1;
    for (size_t t = 0; t < ne + 30000; t++) {
        uint8_t in[64];
        size_t len = 0;
        size_t k = t < ne ? 1 : 1 + (size_t)(test_rand(&rs) % 8);
        for (size_t i = 0; i < k; i++) {
            int32_t cp = t < ne ? entries[t] : entries[test_rand(&rs) % ne];
            len += (size_t)utf8proc_encode_char(cp, in + len);
        }
        size_t a = rp__normalize_table(in, len, out, sizeof out);
        size_t b = rp__normalize_reference(in, len, &ref, &ref_cap);
        CHECK(a != SIZE_MAX && b != SIZE_MAX);
        if (a != b || (a != SIZE_MAX && memcmp(out, ref, a) != 0)) {
            fprintf(stderr, "table differs from utf8proc on token %zu (%zu bytes)\n", t, len);
            test_failed = 1;
            break;
        }
    }
    rp__free(ref);
    check_identity_all();
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
