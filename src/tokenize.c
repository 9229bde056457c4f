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

typedef struct tk_state {
    rp__tokens *out;
    uint64_t seed;
    uint8_t *nbuf;
    size_t ncap;
    const uint8_t *text;
} tk_state;

static rp_status emit(tk_state *st, size_t start, size_t end)
{
    rp__tokens *t = st->out;
    if (t->n == t->cap) {
        size_t cap = t->cap;
        if (!rp__grow((void **)&t->tok, &cap, t->n + 1, sizeof *t->tok)) return RP_ERR_NOMEM;
        size_t cap2 = t->cap;
        if (!rp__grow((void **)&t->brk, &cap2, cap, 1)) return RP_ERR_NOMEM;
        t->cap = cap;
    }
    const uint8_t *s = st->text + start;
    size_t len = end - start;
    uint64_t h;
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
        h = rp__hash_bytes(small, len, st->seed);
    } else {
        size_t nl = rp__normalize(s, len, &st->nbuf, &st->ncap);
        if (nl == SIZE_MAX) return RP_ERR_NOMEM;
        h = rp__hash_bytes(st->nbuf, nl, st->seed);
    }
    t->tok[t->n].hash = h;
    t->tok[t->n].start = (uint32_t)start;
    t->tok[t->n].end = (uint32_t)end;
    t->brk[t->n] = 0;
    t->n++;
    return RP_OK;
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

rp_status rp__tokenize(const char *text, size_t len, uint64_t seed, rp__tokens *out)
{
    const uint8_t *s = (const uint8_t *)text;
    tk_state st = {out, seed, NULL, 0, s};
    rp_status rc = RP_OK;
    size_t i = 0;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;

    size_t tok_start = SIZE_MAX; /* start of the token being read */
    enum cls tok_kind = C_SEP;   /* C_WORD or C_SOLO while in a token */
    /* Separator state after the last token. */
    bool term = false; /* a terminator seen, not yet confirmed */
    bool sentence = false, paragraph = false;
    int newlines = 0; /* newlines since the last visible character */

    while (i < len) {
        int32_t cp;
        int n = next_cp(s, len, i, &cp);
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
            if ((rc = emit(&st, tok_start, i)) != RP_OK) goto cleanup;
            tok_kind = C_SEP;
            term = sentence = paragraph = false;
            newlines = 0;
        }
        if (c == C_WORD || c == C_SOLO) {
            if (out->n > 0) {
                if (term && c == C_SOLO) sentence = true;
                out->brk[out->n - 1] = (uint8_t)((sentence ? RP__BREAK_SENTENCE : 0) |
                                                 (paragraph ? RP__BREAK_PARAGRAPH : 0));
            }
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
    if (tok_kind != C_SEP && (rc = emit(&st, tok_start, len)) != RP_OK) goto cleanup;
    if (out->n > 0) out->brk[out->n - 1] = RP__BREAK_SENTENCE | RP__BREAK_PARAGRAPH;
cleanup:
    rp__free(st.nbuf);
    return rc;
}

void rp__tokens_free(rp__tokens *t)
{
    rp__free(t->tok);
    rp__free(t->brk);
    memset(t, 0, sizeof *t);
}
