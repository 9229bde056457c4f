/* json_quote.c - any bytes as a valid JSON string.
 *
 * Ids, file names and (with lossy reading) texts may hold any byte, but a
 * JSON text must be UTF-8. Valid UTF-8 is written as it is, except that '"'
 * and '\' are escaped and every control character (U+0000..U+001F, U+007F)
 * is written as \uXXXX (\n, \r, \t as such), so NUL stays \u0000. A byte
 * that is not part of valid UTF-8 is written as the escaped lone surrogate
 * \uDC80..\uDCFF (byte 0x80..0xFF; Python's "surrogateescape"): the JSON
 * parses, and the original bytes can be recovered
 * (json.loads(s).encode("utf-8", "surrogateescape")). */
#include "io/io.h"

#include <stdio.h>
#include <string.h>

size_t rp__json_escape(const char *s, size_t n, size_t *i, char *out)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t at = *i;
    uint8_t c = p[at];
    if (c >= 0x20 && c < 0x7F) {
        size_t k = 0;
        if (c == '"' || c == '\\') out[k++] = '\\';
        out[k++] = (char)c;
        *i = at + 1;
        return k;
    }
    if (c < 0x80) {
        *i = at + 1;
        switch (c) {
        case '\n': memcpy(out, "\\n", 2); return 2;
        case '\r': memcpy(out, "\\r", 2); return 2;
        case '\t': memcpy(out, "\\t", 2); return 2;
        default: snprintf(out, 8, "\\u%04x", c); return 6;
        }
    }
    /* A multi-byte sequence: copied when valid, else one escaped byte. */
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    bool is_nul;
    if (c >= 0xC2 && c <= 0xF4 && at + len <= n && rp__utf8_check(p + at, len, &is_nul) == len) {
        memcpy(out, p + at, len);
        *i = at + len;
        return len;
    }
    snprintf(out, 8, "\\udc%02x", c);
    *i = at + 1;
    return 6;
}

char *rp_json_quote(const char *s, size_t n, size_t *len)
{
    if (s == NULL && n > 0) return NULL;
    /* at most 6 bytes out per byte in, plus the quotes and a NUL */
    if (n > (SIZE_MAX - 3) / 6) return NULL;
    char *out = rp__malloc(n * 6 + 3);
    if (out == NULL) return NULL;
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n;)
        o += rp__json_escape(s, n, &i, out + o);
    out[o++] = '"';
    out[o] = '\0';
    if (len != NULL) *len = o;
    return out;
}
