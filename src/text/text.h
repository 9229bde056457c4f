/* text.h - the text model: normalized word tokens with byte spans.
 *
 * Normalization (utf8.c: NFKC, case fold, apostrophe fold, with table fast
 * paths and utf8proc as the reference), the tokenizer (tokenize.c: tokens
 * with byte spans, hashes and sentence/paragraph breaks) and the document
 * object (doc.c). Depends on base/ and io/. */
#ifndef REPRINT_TEXT_H
#define REPRINT_TEXT_H

#include "base/base.h"
#include "io/io.h"

/* ---- normalization (utf8.c) ---------------------------------------------- */
/* Normalize a token (NFKC + case fold + apostrophe fold) into *buf (grown as
 * needed, capacity *cap). Invalid bytes must not occur (lossy mode gives
 * separators). Returns the normalized length, or SIZE_MAX on out of memory. */
size_t rp__normalize(const uint8_t *s, size_t len, uint8_t **buf, size_t *cap);
/* The per-code-point table: for the code points that have an entry, a token
 * made only of them normalizes to the concatenation of their entries (see
 * utf8.c). They are U+0000..U+07FF (ASCII, Latin-1, Latin Extended, IPA,
 * Greek, Cyrillic, Armenian, Hebrew, Arabic, ...), U+1E00..U+1FFF (Latin
 * Extended Additional, Greek Extended) and U+2018, U+2019; an entry is
 * RP__FOLD_NONE for combining marks and for what cannot be in a token. */
#define RP__FOLD_NONE 0xFF
#define RP__FOLD_MAX  15 /* bytes of an entry at most */
#define RP__FOLD_SIZE (0x800 + 0x200 + 2)
typedef struct rp__fold {
    uint8_t bytes[RP__FOLD_MAX];
    uint8_t len; /* bytes of the normalized form, or RP__FOLD_NONE; last, so that
                  * copying a whole entry (16 bytes) copies the bytes first */
} rp__fold;
/* The table's index of cp, or -1 when it has none. */
static inline int32_t rp__fold_index(int32_t cp)
{
    if (cp < 0x800) return cp;
    if (cp >= 0x1E00 && cp < 0x2000) return cp - 0x1E00 + 0x800;
    if (cp == 0x2018 || cp == 0x2019) return cp - 0x2018 + 0xA00;
    return -1;
}
/* The table, built on first use (thread-safe, never fails). */
const rp__fold *rp__fold_table(void);
/* The table path alone: the normalized token into out of capacity cap;
 * SIZE_MAX when a code point has no entry or out is too small. Exposed for
 * the test that checks it against utf8proc. */
size_t rp__normalize_table(const uint8_t *s, size_t len, uint8_t *out, size_t cap);
/* True when the code point alone normalizes to itself (most Han, Kana and
 * Hangul): a token of that one code point hashes its own bytes. */
bool rp__normalize_is_identity(int32_t cp);
/* utf8proc alone (the reference path), same contract as rp__normalize. */
size_t rp__normalize_reference(const uint8_t *s, size_t len, uint8_t **buf, size_t *cap);

/* ---- tokens (tokenize.c) ------------------------------------------------- */
/* Break flags: what separates token i from token i+1. */
enum {
    RP__BREAK_SENTENCE = 1, /* sentence-ending punctuation (. ! ? and CJK ones) */
    RP__BREAK_PARAGRAPH = 2 /* a blank line or an indented line */
};
typedef struct rp__tokens {
    rp_token *tok;
    uint8_t *brk; /* brk[i]: RP__BREAK_* flags after token i */
    size_t n, cap;
} rp__tokens;
/* The tokenizer as a stream: calls fn for every token of text[0..len) in
 * order, with its byte span, hash and the breaks (RP__BREAK_*) between the
 * previous token and it (0 for the first). Stops at the first status fn
 * returns other than RP_OK and returns it. Same tokens and hashes as
 * rp__tokenize, without storing them (sketching). */
typedef rp_status (*rp__token_fn)(void *ctx, uint32_t start, uint32_t end, uint64_t hash,
                                  uint8_t brk_before);
rp_status rp__tokenize_each(const char *text, size_t len, uint64_t seed, rp__token_fn fn,
                            void *ctx);
/* The tokenizer, character by character, without rp__tokenize_each's fast paths: the
 * reference the tests hold them to. */
rp_status rp__tokenize_each_reference(const char *text, size_t len, uint64_t seed, rp__token_fn fn,
                                      void *ctx);
/* Hashes only (sketching): fn receives the token hashes of rp__tokenize_each, in
 * order, a batch at a time; no spans or breaks. Unless lossy, invalid UTF-8
 * or a NUL stops the scan with RP_ERR_UTF8 or RP_ERR_FORMAT and *bad set to
 * the offset rp__utf8_check would give (fn may have been called for the
 * tokens before it). Otherwise as rp__tokenize_each. */
typedef rp_status (*rp__hashes_fn)(void *ctx, const uint64_t *hashes, size_t n);
rp_status rp__tokenize_hashes(const char *text, size_t len, uint64_t seed, bool lossy,
                              rp__hashes_fn fn, void *ctx, size_t *bad);
/* The same with a cache of word hashes kept from one text to the next
 * (faster on prose; the hashes are the same). A cache serves one thread at a
 * time; rp__hash_cache_new returns NULL when out of memory. */
typedef struct rp__hash_cache rp__hash_cache;
rp__hash_cache *rp__hash_cache_new(void);
void rp__hash_cache_free(rp__hash_cache *c);
rp_status rp__tokenize_hashes_cached(const char *text, size_t len, uint64_t seed, bool lossy,
                                     rp__hash_cache *cache, rp__hashes_fn fn, void *ctx,
                                     size_t *bad);
/* The block classifier of the scanner, for its test: for the 64 bytes at p,
 * masks[0] has bit k set when p[k] is an ASCII letter or digit, masks[1]
 * when it is non-ASCII or NUL, masks[2] when it is an apostrophe; lower[k]
 * is p[k] | 0x20. portable: the 64-bit version even where SSE2 is used. */
void rp__block_classify(const uint8_t *p, bool portable, uint64_t masks[3], uint8_t lower[64]);
/* Tokenize text[0..len) into *out. Invalid bytes and NUL (possible only in
 * lossy mode: strict documents are validated first) read as U+FFFD, a
 * separator. */
rp_status rp__tokenize(const char *text, size_t len, uint64_t seed, rp__tokens *out);
void rp__tokens_free(rp__tokens *t);

/* ---- documents (doc.c) ----------------------------------------------------- */
struct rp_doc {
    char *name;
    char *text; /* len bytes + NUL */
    size_t len;
    uint64_t seed;
    rp__tokens toks;
};

#endif /* REPRINT_TEXT_H */
