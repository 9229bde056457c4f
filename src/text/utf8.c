/* utf8.c - token normalization.
 *
 * (Validation and the decoder, rp__utf8_check and rp__utf8_decode, are in
 * base/: the input layer validates too.) Normalization turns a token's original bytes into the form
 * that is hashed: Unicode NFKC with case folding (utf8proc), default-ignorable code points (soft
 * hyphen, zero-width joiners) removed, and typographic apostrophes (U+2018, U+2019, U+02BC) folded
 * to ASCII "'". Three paths give identical output:
 *  - pure ASCII tokens are lowercased in place (most news text);
 *  - tokens whose code points all have an entry in the per-code-point table
 *    (below U+0800, U+1E00..U+1FFF and the apostrophes; no combining mark)
 *    map each code point through it. The table is built once from utf8proc.
 *    This is exact because in those ranges only combining marks compose with
 *    a neighbour, and tokens holding one take the utf8proc path;
 *    tests/test_utf8.c checks every entry, and random tokens of them,
 *    against utf8proc on the whole token;
 *  - anything else goes through utf8proc on the whole token.
 * The tokenizer (tokenize.c) uses the same table while it reads a token, and
 * rp__normalize_is_identity for tokens of one code point such as a Han
 * character. */
#include "text/text.h"

#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

/* ---- the per-code-point table ---------------------------------------------
 *
 * Entries for U+0000..U+07FF, U+1E00..U+1FFF and the two typographic
 * apostrophes (rp__fold_index). A code point gets an entry when it can be
 * part of a token (a letter, digit, format character or apostrophe) and is
 * not a combining mark: the marks are what composes with a neighbour in
 * these ranges, so a token without them normalizes code point by code
 * point. tests/test_utf8.c checks every entry, and random tokens of them,
 * against utf8proc on the whole token. */

static rp__fold fold_table[RP__FOLD_SIZE];
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static utf8proc_int32_t fold_apostrophe(utf8proc_int32_t cp, void *data)
{
    (void)data;
    if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC) return '\'';
    return cp;
}

static const utf8proc_option_t NORM_OPTIONS =
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;

/* Normalize with utf8proc into a code point buffer, then re-encode in place.
 * Returns the UTF-8 length or a negative utf8proc error. */
static ptrdiff_t norm_utf8proc(const uint8_t *s, size_t len, uint8_t **buf, size_t *cap)
{
    utf8proc_ssize_t need = utf8proc_decompose_custom(s, (utf8proc_ssize_t)len, NULL, 0,
                                                      NORM_OPTIONS, fold_apostrophe, NULL);
    if (need < 0) return need;
    size_t bytes = ((size_t)need + 1) * sizeof(utf8proc_int32_t);
    if (!rp__grow((void **)buf, cap, bytes, 1)) return UTF8PROC_ERROR_NOMEM;
    utf8proc_int32_t *cps = (utf8proc_int32_t *)(void *)*buf;
    utf8proc_ssize_t got = utf8proc_decompose_custom(s, (utf8proc_ssize_t)len, cps, need,
                                                     NORM_OPTIONS, fold_apostrophe, NULL);
    if (got < 0) return got;
    return utf8proc_reencode(cps, got, NORM_OPTIONS);
}

/* The normalized form of one code point into out (sizeof out->bytes at
 * most), without allocating; RP__FOLD_NONE if it does not fit. */
static uint8_t norm_one(int32_t cp, uint8_t *out)
{
    uint8_t in[4];
    utf8proc_int32_t cps[16];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, in);
    utf8proc_ssize_t got =
        utf8proc_decompose_custom(in, n, cps, 15, NORM_OPTIONS, fold_apostrophe, NULL);
    if (got < 0 || got > 15) return RP__FOLD_NONE;
    utf8proc_ssize_t r = utf8proc_reencode(cps, got, NORM_OPTIONS);
    if (r < 0 || r > (utf8proc_ssize_t)sizeof fold_table[0].bytes) return RP__FOLD_NONE;
    memcpy(out, cps, (size_t)r);
    return (uint8_t)r;
}

static bool fold_eligible(int32_t cp)
{
    if (cp == '\'' || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC) return true;
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO) || c == UTF8PROC_CATEGORY_CF;
}

static void fold_build(void)
{
    for (int32_t cp = 0; cp < 0x2020; cp++) {
        int32_t k = rp__fold_index(cp);
        if (k < 0) continue;
        rp__fold *f = &fold_table[k];
        memset(f, 0, sizeof *f);
        f->len = fold_eligible(cp) ? norm_one(cp, f->bytes) : RP__FOLD_NONE;
    }
}

const rp__fold *rp__fold_table(void)
{
    pthread_once(&fold_once, fold_build);
    return fold_table;
}

size_t rp__normalize_table(const uint8_t *s, size_t len, uint8_t *out, size_t cap)
{
    const rp__fold *table = rp__fold_table();
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        int n = rp__utf8_decode(s + i, len - i, &cp);
        int32_t k = n < 0 ? -1 : rp__fold_index(cp);
        if (k < 0 || table[k].len == RP__FOLD_NONE) return SIZE_MAX;
        size_t l = table[k].len;
        if (o + l > cap) return SIZE_MAX;
        memcpy(out + o, table[k].bytes, l);
        o += l;
        i += (size_t)n;
    }
    return o;
}

bool rp__normalize_is_identity(int32_t cp)
{
    if (cp < 0 || cp > 0x10FFFF || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC) return false;
    /* No decomposition (canonical or compatibility), no case folding, not
     * removed as default-ignorable, and a starter: utf8proc leaves the code
     * point as it is. Hangul syllables, decomposed by rule and composed
     * back, are left too. tests/test_utf8.c checks this on every code
     * point. */
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    return p->decomp_seqindex == UINT16_MAX && p->casefold_seqindex == UINT16_MAX &&
           !p->ignorable && p->combining_class == 0;
}

size_t rp__normalize(const uint8_t *s, size_t len, uint8_t **buf, size_t *cap)
{
    /* Worst case of the two fast paths: RP__FOLD_MAX bytes per input byte. */
    if (len <= SIZE_MAX / RP__FOLD_MAX && !rp__grow((void **)buf, cap, len * RP__FOLD_MAX + 1, 1))
        return SIZE_MAX;
    bool ascii = true;
    for (size_t i = 0; i < len; i++)
        if (s[i] >= 0x80) {
            ascii = false;
            break;
        }
    if (ascii) {
        for (size_t i = 0; i < len; i++) {
            uint8_t c = s[i];
            (*buf)[i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
        }
        return len;
    }
    size_t r = rp__normalize_table(s, len, *buf, *cap);
    if (r != SIZE_MAX) return r;
    ptrdiff_t u = norm_utf8proc(s, len, buf, cap);
    if (u == UTF8PROC_ERROR_NOMEM) return SIZE_MAX;
    if (u < 0) {
        /* Cannot happen for validated input; fall back to the raw bytes. */
        if (!rp__grow((void **)buf, cap, len, 1)) return SIZE_MAX;
        memcpy(*buf, s, len);
        return len;
    }
    return (size_t)u;
}

size_t rp__normalize_reference(const uint8_t *s, size_t len, uint8_t **buf, size_t *cap)
{
    ptrdiff_t u = norm_utf8proc(s, len, buf, cap);
    return u < 0 ? SIZE_MAX : (size_t)u;
}
