/* utf8.c - UTF-8 decoding and validation, and token normalization.
 *
 * Validation is strict (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF) and reports the byte offset of the first bad byte.
 *
 * Normalization turns a token's original bytes into the form that is hashed:
 * Unicode NFKC with case folding (utf8proc), default-ignorable code points
 * (soft hyphen, zero-width joiners) removed, and typographic apostrophes
 * (U+2018, U+2019, U+02BC) folded to ASCII "'". Three paths give identical
 * output:
 *  - pure ASCII tokens are lowercased in place (most news text);
 *  - tokens whose code points are all below U+0530 and none a combining
 *    mark (Latin-1, Latin Extended, IPA, Greek, Cyrillic) map each code point
 *    through a table built once from utf8proc. This is exact because only
 *    combining marks compose with a neighbour in that range, and tokens
 *    holding one take the utf8proc path; tests/test_utf8.c checks the table
 *    against utf8proc on random strings of such letters;
 *  - anything else goes through utf8proc on the whole token. */
#include "internal.h"

#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

int rp__utf8_decode(const uint8_t *s, size_t len, int32_t *cp)
{
    if (len == 0) return -1;
    uint8_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    int32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (len < (size_t)n) return -1;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return -1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return -1;
    *cp = v;
    return n;
}

size_t rp__utf8_check(const uint8_t *s, size_t len, bool *is_nul)
{
    size_t i = 0;
    *is_nul = false;
    while (i < len) {
        /* Skip ASCII eight bytes at a time when none is NUL or high. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ULL) != 0 ||
                ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0)
                break;
            i += 8;
        }
        if (i >= len) break;
        if (s[i] == 0) {
            *is_nul = true;
            return i;
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        int32_t cp;
        int n = rp__utf8_decode(s + i, len - i, &cp);
        if (n < 0) return i;
        i += (size_t)n;
    }
    return len;
}

/* ---- the Latin table ------------------------------------------------------ */

#define LATIN_LIMIT  0x530
#define LATIN_MAXLEN 12
static uint8_t latin_len[LATIN_LIMIT]; /* NOT_SIMPLE: not on the table path */
#define NOT_SIMPLE 0xFF
static uint8_t latin_map[LATIN_LIMIT][LATIN_MAXLEN];
static bool latin_ok = true;
static pthread_once_t latin_once = PTHREAD_ONCE_INIT;

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

static void latin_build(void)
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    for (int32_t cp = 0; cp < LATIN_LIMIT; cp++) {
        uint8_t in[4];
        size_t n = (size_t)utf8proc_encode_char(cp, in);
        ptrdiff_t r = norm_utf8proc(in, n, &buf, &cap);
        utf8proc_category_t c = utf8proc_category(cp);
        if (r < 0 || r > LATIN_MAXLEN || c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
            c == UTF8PROC_CATEGORY_ME) {
            latin_len[cp] = NOT_SIMPLE; /* marks compose with their neighbours */
            continue;
        }
        memcpy(latin_map[cp], buf, (size_t)r);
        latin_len[cp] = (uint8_t)r;
    }
    rp__free(buf);
}

size_t rp__normalize_latin(const uint8_t *s, size_t len, uint8_t *out, size_t cap)
{
    pthread_once(&latin_once, latin_build);
    if (!latin_ok) return SIZE_MAX;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        int n = rp__utf8_decode(s + i, len - i, &cp);
        if (n < 0 || cp >= LATIN_LIMIT || latin_len[cp] == NOT_SIMPLE) return SIZE_MAX;
        size_t l = latin_len[cp];
        if (o + l > cap) return SIZE_MAX;
        memcpy(out + o, latin_map[cp], l);
        o += l;
        i += (size_t)n;
    }
    return o;
}

size_t rp__normalize(const uint8_t *s, size_t len, uint8_t **buf, size_t *cap)
{
    /* Worst case of the two fast paths: LATIN_MAXLEN bytes per input byte. */
    if (len <= SIZE_MAX / LATIN_MAXLEN && !rp__grow((void **)buf, cap, len * LATIN_MAXLEN + 1, 1))
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
    size_t r = rp__normalize_latin(s, len, *buf, *cap);
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
