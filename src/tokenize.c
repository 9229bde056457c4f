/* tokenize.c - split text into normalized, hashed tokens with byte spans.
 *
 * A token is a word (letters, marks, digits and in-word format characters,
 * with an apostrophe allowed between two letters) or, for scripts written
 * without spaces (Han, Kana, Thai, Lao, Khmer, Myanmar, Bopomofo, Yi), one
 * character with its combining marks. Every token keeps [start, end) in the
 * original bytes; its hash is that of its normalized form (utf8.c).
 *
 * The tokenizer also records what separates consecutive tokens: a sentence
 * end (. ! ? and their CJK and other-script forms, when followed by space,
 * a closing quote or the end) or a paragraph break (a blank line, or a
 * line indented by a tab or two spaces). The
 * aligner groups tokens into sentences with these. */
#include "internal.h"

#include <string.h>
#include <utf8proc.h>

enum cls { C_SEP, C_WORD, C_SOLO, C_MARK, C_APOS, C_TERM, C_SPACE, C_NEWLINE, C_CLOSE };

static bool is_solo(int32_t cp)
{
    return (cp >= 0x0E00 && cp <= 0x0EFF)       /* Thai, Lao */
           || (cp >= 0x1000 && cp <= 0x109F)    /* Myanmar */
           || (cp >= 0x1780 && cp <= 0x17FF)    /* Khmer */
           || (cp >= 0x19E0 && cp <= 0x19FF)    /* Khmer symbols */
           || (cp >= 0x2E80 && cp <= 0x2FDF)    /* CJK radicals */
           || (cp >= 0x3005 && cp <= 0x3007)    /* CJK iteration marks, ideographic zero */
           || (cp >= 0x3021 && cp <= 0x3029)    /* Hangzhou numerals */
           || (cp >= 0x3031 && cp <= 0x3035)    /* kana repeat marks */
           || (cp >= 0x3038 && cp <= 0x303C)    /* CJK symbols that are letters */
           || (cp >= 0x3040 && cp <= 0x312F)    /* Hiragana, Katakana, Bopomofo */
           || (cp >= 0x31A0 && cp <= 0x31FF)    /* Bopomofo ext, Katakana ext */
           || (cp >= 0x3400 && cp <= 0x4DBF)    /* CJK ext A */
           || (cp >= 0x4E00 && cp <= 0x9FFF)    /* CJK unified */
           || (cp >= 0xA000 && cp <= 0xA4CF)    /* Yi */
           || (cp >= 0xA9E0 && cp <= 0xA9FF)    /* Myanmar ext B */
           || (cp >= 0xAA60 && cp <= 0xAA7F)    /* Myanmar ext A */
           || (cp >= 0xF900 && cp <= 0xFAFF)    /* CJK compatibility */
           || (cp >= 0xFF66 && cp <= 0xFF9F)    /* halfwidth Katakana */
           || (cp >= 0x1B000 && cp <= 0x1B16F)  /* Kana supplement/ext */
           || (cp >= 0x20000 && cp <= 0x3134F); /* CJK ext B..G */
}

static enum cls classify(int32_t cp)
{
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
            return C_WORD;
        switch (cp) {
        case '\'': return C_APOS;
        case '.':
        case '!':
        case '?': return C_TERM;
        case '\n': return C_NEWLINE;
        case ' ':
        case '\t':
        case '\r':
        case '\f':
        case '\v': return C_SPACE;
        case '"':
        case ')':
        case ']':
        case '}': return C_CLOSE;
        default: return C_SEP;
        }
    }
    switch (cp) {
    case 0x2019:
    case 0x02BC: return C_APOS;
    case 0x2026:
    case 0x3002:
    case 0xFF01:
    case 0xFF1F:
    case 0xFF0E:
    case 0xFF61:
    case 0x061F:
    case 0x06D4:
    case 0x0964:
    case 0x0965:
    case 0x203C:
    case 0x2047:
    case 0x2048:
    case 0x2049: return C_TERM;
    case 0x00A0:
    case 0x2028:
    case 0x2029:
    case 0x3000: return C_SPACE;
    case 0x0085: return C_NEWLINE;
    case 0x201D:
    case 0x2018:
    case 0x00BB:
    case 0x203A:
    case 0x300D:
    case 0x300F:
    case 0xFF09:
    case 0xFF02: return C_CLOSE;
    default: break;
    }
    if (is_solo(cp)) {
        utf8proc_category_t c = utf8proc_category(cp);
        if (c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME)
            return C_MARK;
        if (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO) return C_SOLO;
        return C_SEP;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return C_WORD;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF: return C_MARK;
    case UTF8PROC_CATEGORY_ZS: return C_SPACE;
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: return C_NEWLINE;
    default: return C_SEP;
    }
}

/* Hash of token bytes s[0..len): lowercased ASCII directly, anything else
 * through rp__normalize (scratch buffer *nbuf). SIZE_MAX-safe: returns false
 * on out of memory. */
static bool token_hash(const uint8_t *s, size_t len, uint64_t seed, uint8_t **nbuf, size_t *ncap,
                       uint64_t *out)
{
    uint8_t small[64];
    bool ascii = len <= sizeof small;
    for (size_t i = 0; ascii && i < len; i++) {
        uint8_t c = s[i];
        if (c >= 0x80)
            ascii = false;
        else
            small[i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
    }
    if (ascii) {
        *out = rp__hash_bytes(small, len, seed);
        return true;
    }
    size_t nl = rp__normalize(s, len, nbuf, ncap);
    if (nl == SIZE_MAX) return false;
    *out = rp__hash_bytes(*nbuf, nl, seed);
    return true;
}

/* Decode at i; in lossy mode an invalid byte or NUL becomes U+FFFD. */
static int next_cp(const uint8_t *s, size_t len, size_t i, int32_t *cp)
{
    int n = rp__utf8_decode(s + i, len - i, cp);
    if (n < 0 || *cp == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return n;
}

/* ASCII letters and digits: the bytes the fast path runs over. */
static const uint8_t alnum_table[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
    ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static bool ascii_alnum(uint8_t c)
{
    return alnum_table[c] != 0;
}

static rp_status scan(const char *text, size_t len, uint64_t seed, rp__token_fn fn, void *ctx,
                      bool fast)
{
    const uint8_t *s = (const uint8_t *)text;
    uint8_t *nbuf = NULL;
    size_t ncap = 0;
    rp_status rc = RP_OK;
    size_t i = 0;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;

    size_t tok_start = SIZE_MAX; /* start of the token being read */
    enum cls tok_kind = C_SEP;   /* C_WORD or C_SOLO while in a token */
    /* Separator state since the last token. */
    bool term = false; /* a terminator seen, not yet confirmed */
    bool sentence = false, paragraph = false;
    int newlines = 0; /* newlines since the last visible character */
    uint8_t brk = 0;  /* breaks before the token being read */
    uint64_t h;

    while (i < len) {
        /* A single space between words changes no state. */
        if (fast && tok_kind == C_SEP && s[i] == ' ' && !term && newlines == 0) {
            i++;
            continue;
        }
        /* Fast path: an ASCII word that ends in ASCII other than an
         * apostrophe is complete as it stands (the general loop below would
         * find the same boundaries and hash). Lowercasing an ASCII letter or
         * digit is setting bit 0x20. */
        if (fast && tok_kind == C_SEP && ascii_alnum(s[i])) {
            uint8_t low[64];
            size_t j = i;
            while (j < len && ascii_alnum(s[j])) {
                if (j - i < sizeof low) low[j - i] = s[j] | 0x20;
                j++;
            }
            brk = (uint8_t)((sentence ? RP__BREAK_SENTENCE : 0) |
                            (paragraph ? RP__BREAK_PARAGRAPH : 0));
            if (j == len || (s[j] < 0x80 && s[j] != '\'')) {
                if (j - i <= sizeof low)
                    h = rp__hash_bytes(low, j - i, seed);
                else if (!token_hash(s + i, j - i, seed, &nbuf, &ncap, &h))
                    goto nomem;
                if ((rc = fn(ctx, (uint32_t)i, (uint32_t)j, h, brk)) != RP_OK) goto cleanup;
                term = sentence = paragraph = false;
                newlines = 0;
                i = j;
                continue;
            }
            tok_start = i;
            tok_kind = C_WORD;
            i = j;
            continue;
        }
        int32_t cp;
        int n;
        if (fast && s[i] != 0 && s[i] < 0x80)
            cp = s[i], n = 1;
        else
            n = next_cp(s, len, i, &cp);
        enum cls c = classify(cp);
        if (c == C_APOS && tok_kind == C_WORD) {
            /* Keep an apostrophe between two letters inside the word. */
            int32_t cp2;
            if (i + (size_t)n < len) {
                next_cp(s, len, i + (size_t)n, &cp2);
                if (classify(cp2) == C_WORD && utf8proc_category(cp2) <= UTF8PROC_CATEGORY_LO) {
                    i += (size_t)n;
                    continue;
                }
            }
        }
        if (c == C_MARK && tok_kind != C_SEP) {
            i += (size_t)n;
            continue;
        }
        if (c == C_WORD && tok_kind == C_WORD) {
            i += (size_t)n;
            continue;
        }
        /* Anything else ends the current token. */
        if (tok_kind != C_SEP) {
            if (!token_hash(s + tok_start, i - tok_start, seed, &nbuf, &ncap, &h)) goto nomem;
            if ((rc = fn(ctx, (uint32_t)tok_start, (uint32_t)i, h, brk)) != RP_OK) goto cleanup;
            tok_kind = C_SEP;
            term = sentence = paragraph = false;
            newlines = 0;
        }
        if (c == C_WORD || c == C_SOLO) {
            if (term && c == C_SOLO) sentence = true;
            brk = (uint8_t)((sentence ? RP__BREAK_SENTENCE : 0) |
                            (paragraph ? RP__BREAK_PARAGRAPH : 0));
            tok_start = i;
            tok_kind = c;
            i += (size_t)n;
            continue;
        }
        /* Separator characters. */
        switch (c) {
        case C_TERM:
            term = true;
            if (cp >= 0x3000) /* CJK terminators need no following space */
                sentence = true;
            newlines = 0;
            break;
        case C_CLOSE: break; /* keeps a pending terminator pending */
        case C_SPACE:
            if (term) sentence = true;
            /* An indented line (Reuters-style paragraphs) starts a paragraph. */
            if (newlines >= 1 && (cp == '\t' || (i + 1 < len && s[i] == ' ' && s[i + 1] == ' ')))
                paragraph = true;
            break;
        case C_NEWLINE:
            if (term) sentence = true;
            if (++newlines >= 2) paragraph = true;
            break;
        default:
            term = false;
            newlines = 0;
            break;
        }
        i += (size_t)n;
    }
    if (tok_kind != C_SEP) {
        if (!token_hash(s + tok_start, len - tok_start, seed, &nbuf, &ncap, &h)) goto nomem;
        rc = fn(ctx, (uint32_t)tok_start, (uint32_t)len, h, brk);
    }
    goto cleanup;
nomem:
    rc = RP_ERR_NOMEM;
cleanup:
    rp__free(nbuf);
    return rc;
}

rp_status rp__scan(const char *text, size_t len, uint64_t seed, rp__token_fn fn, void *ctx)
{
    return scan(text, len, seed, fn, ctx, true);
}

rp_status rp__scan_reference(const char *text, size_t len, uint64_t seed, rp__token_fn fn,
                             void *ctx)
{
    return scan(text, len, seed, fn, ctx, false);
}

/* The sink of rp__tokenize: append to the arrays; the break before a token
 * is recorded after the previous one. */
static rp_status append(void *ctx, uint32_t start, uint32_t end, uint64_t hash, uint8_t brk_before)
{
    rp__tokens *t = ctx;
    if (t->n == t->cap) {
        size_t cap = t->cap;
        if (!rp__grow((void **)&t->tok, &cap, t->n + 1, sizeof *t->tok)) return RP_ERR_NOMEM;
        size_t cap2 = t->cap;
        if (!rp__grow((void **)&t->brk, &cap2, cap, 1)) return RP_ERR_NOMEM;
        t->cap = cap;
    }
    if (t->n > 0) t->brk[t->n - 1] = brk_before;
    t->tok[t->n] = (rp_token){hash, start, end};
    t->brk[t->n] = 0;
    t->n++;
    return RP_OK;
}

rp_status rp__tokenize(const char *text, size_t len, uint64_t seed, rp__tokens *out)
{
    rp_status rc = rp__scan(text, len, seed, append, out);
    if (rc == RP_OK && out->n > 0) out->brk[out->n - 1] = RP__BREAK_SENTENCE | RP__BREAK_PARAGRAPH;
    return rc;
}

void rp__tokens_free(rp__tokens *t)
{
    rp__free(t->tok);
    rp__free(t->brk);
    memset(t, 0, sizeof *t);
}
