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
#include "text/text.h"

#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

#define XXH_INLINE_ALL /* short tokens: no call into the shared library */
#include <xxhash.h>

/* SSE2 is part of x86-64; elsewhere, or with -DRP_NO_SIMD, the block scanner
 * uses its portable 64-bit version. */
#if defined(__SSE2__) && !defined(RP_NO_SIMD)
#include <emmintrin.h>
#define HAVE_SSE2 1
#else
#define HAVE_SSE2 0
#endif

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

/* The reference: one code point at a time, every decision spelled out. The
 * fast scanner below must give exactly its tokens, hashes and breaks. */
rp_status rp__tokenize_each_reference(const char *text, size_t len, uint64_t seed, rp__token_fn fn,
                                      void *ctx)
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
    int newlines = 0; /* newlines since the last visible character (counted up to 2) */
    uint8_t brk = 0;  /* breaks before the token being read */
    uint64_t h;

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
            if (newlines < 2) newlines++;
            if (newlines >= 2) paragraph = true;
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

/* ---- the fast scanner ------------------------------------------------------
 *
 * rp__tokenize_each and rp__tokenize_hashes read the text in two ways:
 *  - ASCII runs 64 bytes at a time (block_load): one pass classifies the
 *    bytes into bit masks (letters and digits; bytes that need the general
 *    path: non-ASCII and NUL; apostrophes) and keeps a copy with bit 0x20
 *    set, which is the lowercase form of every letter and digit. A word is
 *    then a run of ones found with two count-trailing-zeros, and it is
 *    hashed straight from the lowercase copy: no loop over its letters, and
 *    one hard-to-predict branch per 64 bytes instead of one per word end. A
 *    word that reaches the end of the block is read again from its start
 *    in the next block; one followed by an apostrophe or a non-ASCII byte
 *    goes on in the general path.
 *  - Everything else a code point at a time (read_token), with classes
 *    from a table of the BMP (bmp_info, built once from classify()) and the
 *    token folded while it is read, through the per-code-point table of
 *    utf8.c or, for a token of one code point that normalizes to itself
 *    (a Han character), as its own bytes. Only tokens outside both (with a
 *    combining mark, in other scripts, or over FOLD_CAP bytes) are
 *    normalized afterwards by rp__normalize (utf8proc).
 * Both apply the rules of rp__tokenize_each_reference; test_tokenize_fast_paths
 * compares them on random text. In rp__tokenize_hashes breaks are not needed, so
 * separators cost nothing at all, and invalid UTF-8 can be reported as it is
 * met: every byte passes through one of the two paths, in order, so the
 * first bad byte is the one rp__utf8_check would report. */

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* Bits of bmp_info: the enum cls, whether an apostrophe before the code
 * point stays in a word (a letter), and rp__normalize_is_identity(). The
 * table is built in two parts, so that text without three-byte characters
 * does not pay for the second: U+0000..U+07FF by every scan, the rest of
 * the BMP (about 1 ms) by the first scan that meets it. */
enum { INFO_CLASS = 0x0F, INFO_ALPHA = 0x10, INFO_IDENTITY = 0x20 };

static uint8_t bmp_info[0x10000];
static pthread_once_t low_once = PTHREAD_ONCE_INIT, high_once = PTHREAD_ONCE_INIT;

static uint8_t info_of(int32_t cp)
{
    enum cls c = classify(cp);
    unsigned v = (unsigned)c;
    if (c == C_WORD && utf8proc_category(cp) <= UTF8PROC_CATEGORY_LO) v |= INFO_ALPHA;
    if (rp__normalize_is_identity(cp)) v |= INFO_IDENTITY;
    return (uint8_t)v;
}

static void low_build(void)
{
    for (int32_t cp = 0; cp < 0x800; cp++)
        bmp_info[cp] = info_of(cp);
}

static void high_build(void)
{
    for (int32_t cp = 0x800; cp < 0x10000; cp++)
        bmp_info[cp] = info_of(cp);
}

/* Decode at i < len: the length, or -1 for an invalid sequence. NUL decodes
 * as 0 (a separator, or an error for rp__tokenize_hashes when strict). */
static ALWAYS_INLINE int decode(const uint8_t *s, size_t len, size_t i, int32_t *cp)
{
    uint8_t c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
        *cp = (int32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF && i + 2 < len && (s[i + 1] & 0xC0) == 0x80 &&
        (s[i + 2] & 0xC0) == 0x80) {
        int32_t v = (int32_t)(c & 0x0F) << 12 | (int32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
        if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
            *cp = v;
            return 3;
        }
    }
    return rp__utf8_decode(s + i, len - i, cp); /* four bytes, or invalid */
}

/* Token hashes: XXH3-64 with the text's seed, always exactly
 * XXH3_64bits_withSeed's value (the hashes are pinned by tests). Most words
 * have 1..8 bytes, and whether one has fewer than 4, which decides how XXH3
 * hashes it, is a coin toss in prose: a branch on it is mispredicted about
 * every second word, which costs more than hashing the word both ways with
 * xxhash.h's own functions for those lengths and keeping the one that
 * applies. xxhash.h gives them to a file that includes it with
 * XXH_INLINE_ALL, as its own XXH3_64bits_withSeed uses them; the version
 * check keeps a later header with other internals on the plain call. */
#if defined(XXH_VERSION_NUMBER) && XXH_VERSION_NUMBER >= 800 && XXH_VERSION_NUMBER < 900
#define HAVE_XXH3_SHORT 1
#else
#define HAVE_XXH3_SHORT 0
#endif

#define WORD_PAD 4 /* readable bytes before a word given to hash_word */

/* The hash of p[0..len), where p[-WORD_PAD..0) may be read too (the
 * four-byte path reads from p + len - 4). */
static ALWAYS_INLINE uint64_t hash_word(const uint8_t *p, size_t len, uint64_t seed)
{
#if HAVE_XXH3_SHORT
    if (len - 1 < 8) { /* 1..8 */
        const uint64_t short3 = XXH3_len_1to3_64b(p, len, XXH3_kSecret, seed);
        const uint64_t short8 = XXH3_len_4to8_64b(p, len, XXH3_kSecret, seed);
        const uint64_t pick = (uint64_t)0 - (uint64_t)(len >= 4);
        return (short8 & pick) | (short3 & ~pick);
    }
    if (len - 9 < 8) return XXH3_len_9to16_64b(p, len, XXH3_kSecret, seed);
#endif
    return XXH3_64bits_withSeed(p, len, seed);
}

/* A cache of the hashes of words of 1..8 bytes, for a scanner that sketches
 * text after text with one seed. Prose repeats its words (in the BBC news
 * articles, 92% of the tokens have at most 8 bytes, and the 8,192 most common
 * words are 94% of them), and finding one costs a multiplication and a load
 * where XXH3 takes two dependent multiplications and more. 8,192 entries
 * (128 KiB, in L2) measured faster than 2,048 or 4,096. Direct-mapped: each entry
 * holds the word's bytes, zero-padded to 8, as its key (no token holds a NUL
 * byte, so the key also gives the length; a zero key is an empty entry), and
 * a newer word takes the entry of an older one. */
#define CACHE_BITS 13

struct rp__hash_cache {
    uint64_t seed;
    struct {
        uint64_t key, hash;
    } e[1u << CACHE_BITS];
};

rp__hash_cache *rp__hash_cache_new(void)
{
    rp__hash_cache *c = rp__malloc(sizeof *c);
    if (c != NULL) {
        memset(c->e, 0, sizeof c->e);
        c->seed = 0;
    }
    return c;
}

void rp__hash_cache_free(rp__hash_cache *c)
{
    rp__free(c);
}

/* The eight bytes at p as a little-endian number, on any machine. */
static ALWAYS_INLINE uint64_t load_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
#endif
    return v;
}

/* hash_word through the cache c (NULL: none). p[0..8) must be readable
 * as well as hash_word's bytes. */
static ALWAYS_INLINE uint64_t hash_word_cached(rp__hash_cache *c, const uint8_t *p, size_t len,
                                               uint64_t seed)
{
    if (c == NULL || len - 1 >= 8) return hash_word(p, len, seed);
    const uint64_t key = load_le64(p) & (~0ULL >> (64 - 8 * len));
    const size_t slot = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - CACHE_BITS));
    if (c->e[slot].key == key) return c->e[slot].hash;
    const uint64_t h = hash_word(p, len, seed);
    c->e[slot].key = key;
    c->e[slot].hash = h;
    return h;
}

static ALWAYS_INLINE unsigned ctz64(uint64_t x) /* x != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* ---- 64 ASCII bytes at a time ---- */

/* Bit k of each mask describes byte k of the block. */
typedef struct block {
    uint64_t alnum; /* ASCII letter or digit */
    uint64_t stop;  /* non-ASCII or NUL: the general path decides */
    uint64_t apos;  /* ' */
    /* Every byte with bit 0x20 set, at buf[WORD_PAD..WORD_PAD + 64), after
     * WORD_PAD zeros for hash_word and before 16 bytes a copy in 16-byte
     * steps may read. */
    uint8_t buf[WORD_PAD + 64 + 16];
} block;

/* The portable version, eight bytes at a time in a 64-bit word. With the
 * high bit of every byte cleared, adding or subtracting a per-byte constant
 * never carries into the next byte, so the high bit of each byte of the sum
 * answers one comparison for that byte. */
static ALWAYS_INLINE void block_classify_swar(const uint8_t *p, block *bk)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x80 * ones;
    bk->alnum = bk->stop = bk->apos = 0;
    for (unsigned k = 0; k < 8; k++) {
        const uint8_t *q = p + 8 * k;
        uint64_t w = 0;
        for (unsigned j = 0; j < 8; j++) /* little-endian whatever the machine */
            w |= (uint64_t)q[j] << (8 * j);
        uint64_t hi = w & high, x = w & ~high, l = x | 0x20 * ones;
        uint64_t letter = (l + 0x1F * ones) & (0xFA * ones - l); /* 'a' <= l <= 'z' */
        uint64_t digit = (x + 0x50 * ones) & (0xB9 * ones - x);  /* '0' <= x <= '9' */
        uint64_t nul = ~(x + 0x7F * ones);                       /* x == 0 */
        uint64_t quote = ~((x ^ 0x27 * ones) + 0x7F * ones);     /* x == '\'' */
        uint64_t alnum = (letter | digit) & ~hi & high, stop = (hi | (nul & ~hi)) & high;
        quote &= ~hi & high;
        /* The high bit of byte j to bit j (the partial products of the
         * multiplication land on distinct bits, so nothing carries). */
        const uint64_t gather = 0x0102040810204080ULL;
        bk->alnum |= (((alnum >> 7) * gather) >> 56) << (8 * k);
        bk->stop |= (((stop >> 7) * gather) >> 56) << (8 * k);
        bk->apos |= (((quote >> 7) * gather) >> 56) << (8 * k);
        for (unsigned j = 0; j < 8; j++)
            bk->buf[WORD_PAD + 8 * k + j] = q[j] | 0x20;
    }
}

#if HAVE_SSE2
/* SSE2 (every x86-64): sixteen bytes per step. Unsigned range checks are
 * min(v - lo, span) == v - lo. */
static ALWAYS_INLINE void block_classify_sse2(const uint8_t *p, block *bk)
{
    const __m128i k20 = _mm_set1_epi8(0x20), ka = _mm_set1_epi8('a'), k25 = _mm_set1_epi8(25);
    const __m128i k0 = _mm_set1_epi8('0'), k9 = _mm_set1_epi8(9), kq = _mm_set1_epi8('\'');
    const __m128i zero = _mm_setzero_si128();
    uint64_t alnum = 0, stop = 0, apos = 0;
    for (unsigned k = 0; k < 4; k++) {
        __m128i v;
        memcpy(&v, p + 16 * k, 16);
        __m128i low = _mm_or_si128(v, k20);
        memcpy(bk->buf + WORD_PAD + 16 * k, &low, 16);
        __m128i l = _mm_sub_epi8(low, ka), d = _mm_sub_epi8(v, k0);
        __m128i is_alnum = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(l, k25), l),
                                        _mm_cmpeq_epi8(_mm_min_epu8(d, k9), d));
        __m128i is_stop = _mm_or_si128(v, _mm_cmpeq_epi8(v, zero)); /* high bit or NUL */
        alnum |= (uint64_t)(uint32_t)_mm_movemask_epi8(is_alnum) << (16 * k);
        stop |= (uint64_t)(uint32_t)_mm_movemask_epi8(is_stop) << (16 * k);
        apos |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, kq)) << (16 * k);
    }
    bk->alnum = alnum;
    bk->stop = stop;
    bk->apos = apos;
}
#endif

/* Classify the 64 bytes at p, of which avail are text; the rest reads as
 * spaces. */
static ALWAYS_INLINE void block_load(const uint8_t *p, size_t avail, block *bk)
{
    uint8_t pad[64];
    if (avail < 64) {
        memset(pad, ' ', sizeof pad);
        memcpy(pad, p, avail);
        p = pad;
    }
    memset(bk->buf, 0, WORD_PAD);
    memset(bk->buf + WORD_PAD + 64, 0, 16);
#if HAVE_SSE2
    block_classify_sse2(p, bk);
#else
    block_classify_swar(p, bk);
#endif
}

void rp__block_classify(const uint8_t *p, bool portable, uint64_t masks[3], uint8_t lower[64])
{
    block bk;
#if HAVE_SSE2
    if (!portable)
        block_classify_sse2(p, &bk);
    else
#endif
        block_classify_swar(p, &bk);
    (void)portable;
    masks[0] = bk.alnum;
    masks[1] = bk.stop;
    masks[2] = bk.apos;
    memcpy(lower, bk.buf + WORD_PAD, 64);
}

/* ---- the scanner ---- */

#define FOLD_CAP 256 /* folded bytes of a token kept while reading it */
#define BATCH    256 /* hashes handed to rp__tokenize_hashes' callback at once */

typedef struct scanner {
    const uint8_t *s;
    size_t len;
    uint64_t seed;
    const rp__fold *fold;
    rp__token_fn fn;       /* rp__tokenize_each */
    rp__hashes_fn hfn;     /* rp__tokenize_hashes */
    rp__hash_cache *cache; /* or NULL */
    void *ctx;
    uint8_t *nbuf; /* scratch of rp__normalize */
    size_t ncap;
    bool high_ready; /* bmp_info above U+07FF is built */
    /* Separator state since the last token, as in rp__tokenize_each_reference. */
    bool term, sentence, paragraph;
    int newlines;
    size_t n_hashes;
    uint64_t hashes[BATCH];
    uint8_t *fb; /* the folded token, in fbuf after WORD_PAD zeros */
    uint8_t fbuf[WORD_PAD + FOLD_CAP + 1 + sizeof(rp__fold)];
} scanner;

static ALWAYS_INLINE uint8_t cp_info(scanner *sc, int32_t cp)
{
    if (cp < 0x800) return bmp_info[cp];
    if (cp >= 0x10000) return info_of(cp);
    if (!sc->high_ready) {
        pthread_once(&high_once, high_build);
        sc->high_ready = true;
    }
    return bmp_info[cp];
}

/* The per-code-point normalization table, built on first use. */
static ALWAYS_INLINE const rp__fold *fold_table(scanner *sc)
{
    if (sc->fold == NULL) sc->fold = rp__fold_table();
    return sc->fold;
}

static ALWAYS_INLINE rp_status emit(scanner *sc, const bool breaks, size_t start, size_t end,
                                    uint64_t h, bool solo)
{
    if (breaks) {
        if (solo && sc->term) sc->sentence = true;
        uint8_t brk = (uint8_t)((sc->sentence ? RP__BREAK_SENTENCE : 0) |
                                (sc->paragraph ? RP__BREAK_PARAGRAPH : 0));
        sc->term = sc->sentence = sc->paragraph = false;
        sc->newlines = 0;
        return sc->fn(sc->ctx, (uint32_t)start, (uint32_t)end, h, brk);
    }
    sc->hashes[sc->n_hashes++] = h;
    if (sc->n_hashes < BATCH) return RP_OK;
    sc->n_hashes = 0;
    return sc->hfn(sc->ctx, sc->hashes, BATCH);
}

/* A separator code point of class c at i (rp__tokenize_each_reference's switch). */
static ALWAYS_INLINE void separator(scanner *sc, enum cls c, int32_t cp, size_t i)
{
    switch (c) {
    case C_TERM:
        sc->term = true;
        if (cp >= 0x3000) sc->sentence = true;
        sc->newlines = 0;
        break;
    case C_CLOSE: break;
    case C_SPACE:
        if (sc->term) sc->sentence = true;
        if (sc->newlines >= 1 &&
            (cp == '\t' || (i + 1 < sc->len && sc->s[i] == ' ' && sc->s[i + 1] == ' ')))
            sc->paragraph = true;
        break;
    case C_NEWLINE:
        if (sc->term) sc->sentence = true;
        if (sc->newlines < 2) sc->newlines++;
        if (sc->newlines >= 2) sc->paragraph = true;
        break;
    default:
        sc->term = false;
        sc->newlines = 0;
        break;
    }
}

/* The ASCII separators s[from..to). */
static ALWAYS_INLINE void separators(scanner *sc, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        uint8_t c = sc->s[i];
        if (c == ' ' && !sc->term && sc->newlines == 0) continue; /* changes nothing */
        separator(sc, (enum cls)(bmp_info[c] & INFO_CLASS), c, i);
    }
}

/* A decoded code point: n is its length, -1 for an invalid byte, 0 past the
 * end of the text. */
typedef struct decoded {
    int32_t cp;
    int n;
} decoded;

static ALWAYS_INLINE decoded decode_at(const scanner *sc, size_t i)
{
    decoded d = {0, 0};
    if (i < sc->len) d.n = decode(sc->s, sc->len, i, &d.cp);
    return d;
}

/* Read the token of class kind (C_WORD or C_SOLO) that starts at start,
 * from q on, where *at is the code point at q: fb[0..o) already holds the
 * folded form of s[start..q), which is ASCII. Emits the token, stores its
 * end in *end and leaves in *at the code point there. */
static ALWAYS_INLINE rp_status read_token(scanner *sc, const bool breaks, size_t start, size_t q,
                                          enum cls kind, size_t o, size_t *end, decoded *at)
{
    const uint8_t *s = sc->s;
    const size_t len = sc->len;
    const rp__fold *fold = fold_table(sc);
    uint8_t *fb = sc->fb;
    bool folded = true; /* fb[0..o) is the normalized form so far */
    bool lone = false;  /* the token is its first code point, left as it is */
    bool first = q == start;
    decoded d = *at;
    while (d.n > 0 && d.cp != 0) {
        const int32_t cp = d.cp;
        const uint8_t info = cp_info(sc, cp);
        const enum cls c = (enum cls)(info & INFO_CLASS);
        if (first || c == C_MARK || (kind == C_WORD && c == C_WORD)) {
            /* part of the token */
        } else if (kind == C_WORD && c == C_APOS) {
            /* Kept when a letter follows. */
            decoded next = decode_at(sc, q + (size_t)d.n);
            if (next.n <= 0 || !(cp_info(sc, next.cp) & INFO_ALPHA)) break;
        } else {
            break;
        }
        if (folded) {
            const int32_t k = rp__fold_index(cp);
            if (o > FOLD_CAP || lone) {
                folded = lone = false;
            } else if (cp < 0x80) {
                fb[o++] = (uint8_t)(cp | 0x20); /* a letter, digit or ' */
            } else if (k >= 0 && fold[k].len != RP__FOLD_NONE) {
                memcpy(fb + o, &fold[k], sizeof fold[k]);
                o += fold[k].len;
            } else if (first && (info & INFO_IDENTITY)) {
                lone = true;
            } else {
                folded = false;
            }
        }
        first = false;
        q += (size_t)d.n;
        /* The bulk of a word in most scripts: ASCII letters and digits and
         * two-byte letters with a table entry, folded as they come. Anything
         * else is left to the code above. */
        while (kind == C_WORD && folded && !lone && q + 1 < len && o <= FOLD_CAP) {
            const uint8_t b0 = s[q], b1 = s[q + 1];
            if (b0 < 0x80) {
                if ((bmp_info[b0] & INFO_CLASS) != C_WORD) break;
                fb[o++] = b0 | 0x20;
                q++;
                continue;
            }
            if (b0 < 0xC2 || b0 > 0xDF || (b1 & 0xC0) != 0x80) break;
            const int32_t cp2 = (int32_t)(b0 & 0x1F) << 6 | (b1 & 0x3F);
            const enum cls c2 = (enum cls)(bmp_info[cp2] & INFO_CLASS);
            if ((c2 != C_WORD && c2 != C_MARK) || fold[cp2].len == RP__FOLD_NONE) break;
            memcpy(fb + o, &fold[cp2], sizeof fold[cp2]);
            o += fold[cp2].len;
            q += 2;
        }
        d = decode_at(sc, q);
    }
    uint64_t h;
    if (lone)
        h = XXH3_64bits_withSeed(s + start, q - start, sc->seed);
    else if (folded)
        h = hash_word_cached(sc->cache, fb, o, sc->seed);
    else if (!token_hash(s + start, q - start, sc->seed, &sc->nbuf, &sc->ncap, &h))
        return RP_ERR_NOMEM;
    *end = q;
    *at = d;
    return emit(sc, breaks, start, q, h, kind == C_SOLO);
}

/* From a non-ASCII byte or NUL at *i: code points, each decoded once, and
 * the ASCII separators between them, up to an ASCII letter or digit or the
 * end. strict as for scan_fast. */
static ALWAYS_INLINE rp_status non_ascii(scanner *sc, const bool breaks, bool strict, size_t *at,
                                         size_t *bad)
{
    const uint8_t *s = sc->s;
    const size_t len = sc->len;
    rp_status rc;
    size_t i = *at;
    decoded d = decode_at(sc, i);
    uint8_t info = 0;
    bool have_info = false; /* info is cp_info(d.cp), from the look-ahead */
    do {
        if (d.n < 0 || d.cp == 0) {
            if (strict) {
                *bad = i;
                return s[i] == 0 ? RP_ERR_FORMAT : RP_ERR_UTF8;
            }
            d.cp = 0xFFFD, d.n = 1;
            have_info = false;
        }
        if (!have_info) info = cp_info(sc, d.cp);
        have_info = false;
        const enum cls c = (enum cls)(info & INFO_CLASS);
        const size_t q = i + (size_t)d.n;
        decoded next;
        uint8_t next_info = C_SEP;
        if (c == C_SOLO && (info & INFO_IDENTITY) &&
            ((next = decode_at(sc, q)).n <= 0 || next.cp == 0 ||
             ((next_info = cp_info(sc, next.cp)) & INFO_CLASS) != C_MARK)) {
            /* A Han character or the like, no combining mark after it: the
             * token is its own bytes. */
            uint64_t h = XXH3_64bits_withSeed(s + i, (size_t)d.n, sc->seed);
            if ((rc = emit(sc, breaks, i, q, h, true)) != RP_OK) return rc;
            i = q;
            d = next;
            info = next_info;
            have_info = d.n > 0 && d.cp != 0;
        } else if (c == C_WORD || c == C_SOLO) {
            if ((rc = read_token(sc, breaks, i, i, c, 0, &i, &d)) != RP_OK) return rc;
        } else {
            if (breaks) separator(sc, c, d.cp, i);
            i = q;
            d = decode_at(sc, i);
        }
        /* ASCII separators between words of other scripts: here, rather
         * than by loading a block. */
        size_t j = i;
        while (j < len && s[j] != 0 && s[j] < 0x80 && (bmp_info[s[j]] & INFO_CLASS) != C_WORD)
            j++;
        if (j > i) {
            if (breaks) separators(sc, i, j);
            i = j;
            d = decode_at(sc, i);
            have_info = false;
        }
    } while (i < len && (s[i] >= 0x80 || s[i] == 0));
    *at = i;
    return RP_OK;
}

/* The code the compiler makes of read_token and non_ascii for each use. */
static rp_status read_token_breaks(scanner *sc, size_t start, size_t q, enum cls kind, size_t o,
                                   size_t *end, decoded *at)
{
    return read_token(sc, true, start, q, kind, o, end, at);
}

static rp_status read_token_hashes(scanner *sc, size_t start, size_t q, enum cls kind, size_t o,
                                   size_t *end, decoded *at)
{
    return read_token(sc, false, start, q, kind, o, end, at);
}

static rp_status non_ascii_breaks(scanner *sc, size_t *at)
{
    return non_ascii(sc, true, false, at, NULL);
}

static rp_status non_ascii_lossy(scanner *sc, size_t *at)
{
    return non_ascii(sc, false, false, at, NULL);
}

static rp_status non_ascii_strict(scanner *sc, size_t *at, size_t *bad)
{
    return non_ascii(sc, false, true, at, bad);
}

/* The scanner, specialized by the compiler for breaks (rp__tokenize_each) and
 * hashes only (rp__tokenize_hashes). strict: invalid UTF-8 or NUL stops the scan
 * with RP_ERR_UTF8 or RP_ERR_FORMAT and its offset in *bad. */
static ALWAYS_INLINE rp_status scan_fast(scanner *sc, const bool breaks, const bool strict,
                                         size_t *bad)
{
    const uint8_t *s = sc->s;
    const size_t len = sc->len;
    rp_status rc = RP_OK;
    size_t i = 0;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;
#define NON_ASCII()                                                                                \
    (breaks   ? non_ascii_breaks(sc, &i)                                                           \
     : strict ? non_ascii_strict(sc, &i, bad)                                                      \
              : non_ascii_lossy(sc, &i))
#define READ_TOKEN(...)                                                                            \
    (breaks ? read_token_breaks(sc, __VA_ARGS__) : read_token_hashes(sc, __VA_ARGS__))
    while (i < len) {
        if (s[i] >= 0x80 || s[i] == 0) {
            if ((rc = NON_ASCII()) != RP_OK) return rc;
            continue;
        }
        /* ASCII from i: the block at b. After a detour through the general
         * path the scan goes on in the same block if it can: its masks
         * still hold. */
        const size_t b = i, avail = len - b;
        block bk;
        block_load(s + b, avail, &bk);
        const uint64_t live_all = bk.alnum | bk.stop, cont = bk.stop | bk.apos;
        unsigned pos = 0;
        if (!breaks) {
            /* Hashes only: first, all at once, the words that end before
             * the first byte the masks cannot settle (non-ASCII, NUL, an
             * apostrophe) and before the last byte of the block. Each is a
             * run of ones in alnum, from a bit in firsts to one in lasts;
             * no separator needs a look. */
            const uint64_t a = bk.alnum;
            const unsigned lim = cont != 0 ? ctz64(cont) : 64;
            uint64_t firsts = a & ~(a << 1), lasts = a & ~(a >> 1);
            lasts &= lim > 1 ? (1ULL << (lim - 1)) - 1 : 0; /* bits below lim - 1 */
            if (lasts != 0) {
                if (sc->n_hashes >= BATCH - 32) { /* room for 32 words */
                    rc = sc->hfn(sc->ctx, sc->hashes, sc->n_hashes);
                    sc->n_hashes = 0;
                    if (rc != RP_OK) return rc;
                }
                do {
                    const unsigned t = ctz64(firsts), l = ctz64(lasts);
                    firsts &= firsts - 1;
                    lasts &= lasts - 1;
                    sc->hashes[sc->n_hashes++] =
                        hash_word_cached(sc->cache, bk.buf + WORD_PAD + t, l + 1 - t, sc->seed);
                    pos = l + 1;
                } while (lasts != 0);
            }
        }
        for (;;) {
            uint64_t live = live_all & (~0ULL << pos);
            if (live == 0) { /* separators to the end of the block */
                i = avail < 64 ? len : b + 64;
                if (breaks) separators(sc, b + pos, i);
                break;
            }
            const unsigned t = ctz64(live);
            if (breaks) separators(sc, b + pos, b + t);
            if ((bk.stop >> t) & 1) { /* non-ASCII or NUL */
                i = b + t;
                if ((rc = NON_ASCII()) != RP_OK) return rc;
                if (i - b >= 64) break;
                pos = (unsigned)(i - b);
                continue;
            }
            const uint64_t ends = ~bk.alnum & (~0ULL << t);
            if (ends == 0) { /* the word reaches the end of the block */
                if (t > 0) {
                    i = b + t; /* read it again from its start */
                    break;
                }
                /* 64 letters or more */
                decoded d = decode_at(sc, b);
                if ((rc = READ_TOKEN(b, b, C_WORD, 0, &i, &d)) != RP_OK) return rc;
                break;
            }
            const unsigned e = ctz64(ends);
            if ((cont >> e) & 1) { /* an apostrophe, non-ASCII or NUL follows */
                /* In 16-byte steps, not a call for e - t bytes: buf has 16
                 * bytes after the block, fb room for FOLD_CAP >= 64. */
                for (unsigned k = t; k < e; k += 16)
                    memcpy(sc->fb + (k - t), bk.buf + WORD_PAD + k, 16);
                decoded d = decode_at(sc, b + e);
                if ((rc = READ_TOKEN(b + t, b + e, C_WORD, e - t, &i, &d)) != RP_OK) return rc;
                if (i - b >= 64) break;
                pos = (unsigned)(i - b);
                continue;
            }
            uint64_t h = hash_word_cached(sc->cache, bk.buf + WORD_PAD + t, e - t, sc->seed);
            if ((rc = emit(sc, breaks, b + t, b + e, h, false)) != RP_OK) return rc;
            pos = e;
        }
    }
#undef NON_ASCII
#undef READ_TOKEN
    return RP_OK;
}

static void scanner_init(scanner *sc, const char *text, size_t len, uint64_t seed)
{
    pthread_once(&low_once, low_build);
    sc->s = (const uint8_t *)text;
    sc->len = len;
    sc->seed = seed;
    sc->fold = NULL;
    sc->high_ready = false;
    sc->fn = NULL;
    sc->hfn = NULL;
    sc->ctx = NULL;
    sc->nbuf = NULL;
    sc->ncap = 0;
    sc->term = sc->sentence = sc->paragraph = false;
    sc->newlines = 0;
    sc->n_hashes = 0;
    memset(sc->fbuf, 0, WORD_PAD);
    sc->fb = sc->fbuf + WORD_PAD;
    sc->cache = NULL;
}

rp_status rp__tokenize_each(const char *text, size_t len, uint64_t seed, rp__token_fn fn, void *ctx)
{
    scanner sc;
    scanner_init(&sc, text, len, seed);
    sc.fn = fn;
    sc.ctx = ctx;
    rp_status rc = scan_fast(&sc, true, false, NULL);
    rp__free(sc.nbuf);
    return rc;
}

rp_status rp__tokenize_hashes(const char *text, size_t len, uint64_t seed, bool lossy,
                              rp__hashes_fn fn, void *ctx, size_t *bad)
{
    return rp__tokenize_hashes_cached(text, len, seed, lossy, NULL, fn, ctx, bad);
}

rp_status rp__tokenize_hashes_cached(const char *text, size_t len, uint64_t seed, bool lossy,
                                     rp__hash_cache *cache, rp__hashes_fn fn, void *ctx,
                                     size_t *bad)
{
    scanner sc;
    scanner_init(&sc, text, len, seed);
    if (cache != NULL && cache->seed != seed) { /* the entries hold another seed's hashes */
        memset(cache->e, 0, sizeof cache->e);
        cache->seed = seed;
    }
    sc.cache = cache;
    sc.hfn = fn;
    sc.ctx = ctx;
    rp_status rc = lossy ? scan_fast(&sc, false, false, bad) : scan_fast(&sc, false, true, bad);
    if (rc == RP_OK && sc.n_hashes > 0) rc = fn(ctx, sc.hashes, sc.n_hashes);
    rp__free(sc.nbuf);
    return rc;
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
    rp_status rc = rp__tokenize_each(text, len, seed, append, out);
    if (rc == RP_OK && out->n > 0) out->brk[out->n - 1] = RP__BREAK_SENTENCE | RP__BREAK_PARAGRAPH;
    return rc;
}

void rp__tokens_free(rp__tokens *t)
{
    rp__free(t->tok);
    rp__free(t->brk);
    memset(t, 0, sizeof *t);
}
