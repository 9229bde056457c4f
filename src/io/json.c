/* json.c - the JSON member scanner of the corpus source.
 *
 * A JSONL line is first checked with cJSON (source.c). The values are then
 * read from the line itself, because cJSON's strings end at the first NUL
 * and carry no length (text may hold \u0000) and its numbers are doubles
 * (ids beyond 2^53 would change): rp__json_find_members() walks the top
 * level of the object to the wanted members and rp__json_unescape()
 * decodes a string, so error offsets stay in the line's own bytes. The
 * walk never trusts that cJSON accepted the line. */
#include "io/io.h"

#include <assert.h>
#include <string.h>

size_t rp__json_skip_ws(const char *p, size_t i, size_t n)
{
    while (i < n && (uint8_t)p[i] <= 32)
        i++; /* cJSON's notion of whitespace */
    return i;
}

size_t rp__json_skip_string(const char *p, size_t i, size_t n)
{
    assert(i < n && p[i] == '"');
    size_t from = i + 1;
    for (;;) {
        const char *q = from < n ? memchr(p + from, '"', n - from) : NULL;
        if (q == NULL) return SIZE_MAX;
        size_t at = (size_t)(q - p), k = at;
        while (k > i + 1 && p[k - 1] == '\\')
            k--;
        if ((at - k) % 2 == 0) return at + 1; /* not escaped */
        from = at + 1;
    }
}

size_t rp__json_skip_value(const char *p, size_t i, size_t n)
{
    if (i >= n) return SIZE_MAX;
    if (p[i] == '"') return rp__json_skip_string(p, i, n);
    if (p[i] == '{' || p[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            char c = p[i];
            if (c == '"') {
                i = rp__json_skip_string(p, i, n);
                if (i == SIZE_MAX) return SIZE_MAX;
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
            i++;
        }
        return SIZE_MAX;
    }
    size_t start = i;
    while (i < n && (uint8_t)p[i] > 32 && p[i] != ',' && p[i] != '}' && p[i] != ']')
        i++;
    return i > start ? i : SIZE_MAX;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The four hex digits after "\u" at p (n bytes available), or -1. */
static long hex4(const char *p, size_t n)
{
    if (n < 6 || p[0] != '\\' || p[1] != 'u') return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int d = hex_digit(p[i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

bool rp__json_unescape(const char *p, size_t n, char **buf, size_t *cap, size_t *len,
                       size_t *nul_at, size_t *bad_at)
{
    *nul_at = *bad_at = SIZE_MAX;
    *len = 0;
    if (n == SIZE_MAX || !rp__grow((void **)buf, cap, n + 1, 1)) return false;
    char *o = *buf;
    size_t i = 0, k = 0;
    while (i < n) {
        const char *bs = memchr(p + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (p + i)) : n - i;
        memcpy(o + k, p + i, run);
        k += run;
        i += run;
        if (i >= n) break;
        char c = i + 1 < n ? p[i + 1] : '\0';
        char single = 0;
        switch (c) {
        case '"': single = '"'; break;
        case '\\': single = '\\'; break;
        case '/': single = '/'; break;
        case 'b': single = '\b'; break;
        case 'f': single = '\f'; break;
        case 'n': single = '\n'; break;
        case 'r': single = '\r'; break;
        case 't': single = '\t'; break;
        default: break;
        }
        if (single != 0) {
            o[k++] = single;
            i += 2;
            continue;
        }
        long hi = c == 'u' ? hex4(p + i, n - i) : -1;
        size_t used = 6;
        uint32_t cp = (uint32_t)hi;
        if (hi >= 0xD800 && hi <= 0xDBFF) {
            long lo = hex4(p + i + 6, n - i - 6);
            if (lo < 0xDC00 || lo > 0xDFFF) hi = -1;
            cp = 0x10000 + (((uint32_t)hi & 0x3FF) << 10) + ((uint32_t)lo & 0x3FF);
            used = 12;
        } else if (hi >= 0xDC00 && hi <= 0xDFFF) {
            hi = -1;
        }
        if (hi < 0) {
            *bad_at = i;
            break;
        }
        if (cp == 0 && *nul_at == SIZE_MAX) *nul_at = i;
        k += rp__utf8_encode(cp, o + k);
        i += used;
    }
    o[k] = '\0';
    *len = k;
    return true;
}

bool rp__json_string_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        const char *bs = memchr(p + i, '\\', n - i);
        if (bs == NULL) return true;
        i = (size_t)(bs - p);
        char c = i + 1 < n ? p[i + 1] : '\0';
        if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
            c == 't') {
            i += 2;
            continue;
        }
        long hi = hex4(p + i, n - i);
        if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF)) return false;
        if (hi >= 0xD800 && hi <= 0xDBFF) {
            long lo = hex4(p + i + 6, n - i - 6);
            if (lo < 0xDC00 || lo > 0xDFFF) return false;
            i += 12;
        } else {
            i += 6;
        }
    }
    return true;
}

/* Does the key p[0..n) (a string body, escapes undecoded) equal field? */
static rp_status key_is(const char *p, size_t n, const char *field, size_t field_len,
                        char **scratch, size_t *scratch_cap, bool *yes)
{
    *yes = false;
    if (memchr(p, '\\', n) == NULL) {
        *yes = n == field_len && memcmp(p, field, n) == 0;
        return RP_OK;
    }
    size_t len, nul_at, bad_at;
    if (!rp__json_unescape(p, n, scratch, scratch_cap, &len, &nul_at, &bad_at)) return RP_ERR_NOMEM;
    *yes = bad_at == SIZE_MAX && len == field_len && memcmp(*scratch, field, len) == 0;
    return RP_OK;
}

rp_status rp__json_find_members(const char *p, size_t n, const char *text_key, size_t text_key_len,
                                const char *id_key, size_t id_key_len, char **scratch,
                                size_t *scratch_cap, rp__json_span *text, rp__json_span *id)
{
    memset(text, 0, sizeof *text);
    memset(id, 0, sizeof *id);
    size_t i = rp__json_skip_ws(p, 0, n);
    if (i >= n || p[i] != '{') return RP_OK;
    i = rp__json_skip_ws(p, i + 1, n);
    while (i < n && p[i] == '"' && !(text->found && id->found)) {
        size_t ks = i, ke = rp__json_skip_string(p, i, n);
        if (ke == SIZE_MAX) return RP_OK;
        bool is_text, is_id;
        RP_TRY(
            key_is(p + i + 1, ke - i - 2, text_key, text_key_len, scratch, scratch_cap, &is_text));
        RP_TRY(key_is(p + i + 1, ke - i - 2, id_key, id_key_len, scratch, scratch_cap, &is_id));
        i = rp__json_skip_ws(p, ke, n);
        if (i >= n || p[i] != ':') return RP_OK;
        size_t vs = rp__json_skip_ws(p, i + 1, n), ve = rp__json_skip_value(p, vs, n);
        if (ve == SIZE_MAX) return RP_OK;
        rp__json_span v = {vs, ve, ks, true};
        if (is_text && !text->found) *text = v;
        if (is_id && !id->found) *id = v;
        i = rp__json_skip_ws(p, ve, n);
        if (i >= n || p[i] != ',') break;
        i = rp__json_skip_ws(p, i + 1, n);
    }
    return RP_OK;
}
