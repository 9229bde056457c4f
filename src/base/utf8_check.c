/* utf8_check.c - UTF-8 validation.
 *
 * Validation is strict (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF) and reports the byte offset of the first bad byte or NUL. The
 * decoder itself, rp__utf8_decode, is inline in base.h for the tokenizer's
 * loop; rp__utf8_encode writes one. They live in the base layer because both the corpus source
 * (io/) and the documents (text/) validate their input. */
#include "base/base.h"

#include <string.h>

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

size_t rp__utf8_encode(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

const char *rp__utf16_bom(const uint8_t *s, size_t len)
{
    if (len >= 4 && s[0] == 0xFF && s[1] == 0xFE && s[2] == 0 && s[3] == 0) return "UTF-32LE";
    if (len >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xFE && s[3] == 0xFF) return "UTF-32BE";
    if (len >= 2 && s[0] == 0xFF && s[1] == 0xFE) return "UTF-16LE";
    if (len >= 2 && s[0] == 0xFE && s[1] == 0xFF) return "UTF-16BE";
    return NULL;
}

rp_status rp__bom_error(rp_error *err, const char *path, const char *encoding)
{
    return rp__fail(err, RP_ERR_FORMAT, path, 0,
                    "%s text (it starts with a %s byte order mark): reprint reads UTF-8; "
                    "convert it first, e.g. iconv -f %s -t UTF-8",
                    encoding, encoding, encoding);
}
