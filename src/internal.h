/* internal.h - declarations shared by the files of libreprint (src/ only).
 *
 * Everything here carries the rp__ prefix and is never installed. Unit tests
 * in tests/ may include this header; the CLI, benchmarks and examples may not.
 */
#ifndef REPRINT_INTERNAL_H
#define REPRINT_INTERNAL_H

#include "reprint.h"

#include <stdarg.h>
#include <stdbool.h>

/* ---- allocation (alloc.c) ------------------------------------------------
 * Every allocation in src/ goes through these, so test builds can fail the
 * Nth allocation and check that each path cleans up. */
void *rp__malloc(size_t size);
void *rp__calloc(size_t n, size_t size);
void *rp__realloc(void *p, size_t size);
void rp__free(void *p);
/* Grow *p (an array of elem-sized items with capacity *cap) to hold at least
 * need items. Returns false on overflow or out of memory (*p unchanged). */
bool rp__grow(void **p, size_t *cap, size_t need, size_t elem);
/* A copy of p[0..n) followed by a NUL (n may be 0), and of a C string; NULL
 * when out of memory. */
char *rp__memdup0(const void *p, size_t n);
char *rp__strdup(const char *s);
/* Test builds only: make allocation number n (1-based, counted from this
 * call) and every later one fail; 0 disables. Returns the number of
 * allocations made since the previous call. */
size_t rp__alloc_fail_after(size_t n);
/* The allocator in the shape of ZSTD_customMem, so compression contexts
 * take their memory from here too (and fail under injection). */
void *rp__zstd_alloc(void *opaque, size_t size);
void rp__zstd_free(void *opaque, void *p);

/* ---- errors (error.c) ---------------------------------------------------- */
/* Fill err (if not NULL) and return code. fmt is printf-style for err->msg. */
rp_status rp__fail(rp_error *err, rp_status code, const char *path, uint64_t offset,
                   const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
#define RP_TRY(expr)                                                                               \
    do {                                                                                           \
        rp_status rp__st = (expr);                                                                 \
        if (rp__st != RP_OK) return rp__st;                                                        \
    } while (0)

/* ---- hashing (hash.c) ---------------------------------------------------- */
uint64_t rp__hash_bytes(const void *p, size_t len, uint64_t seed);
/* Mix two 64-bit values into one (order-sensitive): h*phi + v through the
 * splitmix64 finalizer. Used for n-gram keys and probe sequences; pinned by
 * tests/test_hash.c. */
static inline uint64_t rp__hash_combine(uint64_t h, uint64_t v)
{
    uint64_t x = h * 0x9E3779B97F4A7C15ULL + v;
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

static inline uint64_t rp__rotl64(uint64_t x, unsigned r)
{
    r &= 63;
    return r ? (x << r) | (x >> (64 - r)) : x;
}

/* Shingle hashes. The shingle of token hashes t[0..n) is
 * rp__shingle_hash(XOR over k of rotl(t[k], n-1-k)); the XOR part rolls
 * from one shingle to the next in O(1) (see rp__shingle_roll), so sketching
 * and the Jaccard of compare.c hash a text's shingles in one pass. */
static inline uint64_t rp__shingle_hash(uint64_t rolled)
{
    return rp__hash_combine(0x243F6A8885A308D3ULL, rolled);
}

/* The rolled value of the next shingle: drop token out (the oldest of n),
 * add token in. */
static inline uint64_t rp__shingle_roll(uint64_t rolled, uint64_t out, uint64_t in, size_t n)
{
    return rp__rotl64(rolled, 1) ^ rp__rotl64(out, (unsigned)n) ^ in;
}

/* ---- UTF-8 and normalization (utf8.c) ------------------------------------ */
/* Decode one code point at s[0..len). Returns its byte length (1..4) and sets
 * *cp, or returns -1 and sets *cp to -1 for an invalid sequence (then one
 * byte should be skipped). Strict (RFC 3629): no overlongs, no surrogates,
 * nothing above U+10FFFF. */
static inline int rp__utf8_decode(const uint8_t *s, size_t len, int32_t *cp)
{
    *cp = -1;
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
/* Offset of the first invalid byte or NUL in text, or len if there is none.
 * *is_nul tells which. */
size_t rp__utf8_check(const uint8_t *s, size_t len, bool *is_nul);
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

/* ---- hash map (hmap.c) --------------------------------------------------- */
typedef struct rp__hmap_slot {
    uint64_t key;
    uint32_t value;
    uint32_t used;
} rp__hmap_slot;
typedef struct rp__hmap {
    rp__hmap_slot *slots;
    size_t mask, n;
} rp__hmap;
bool rp__hmap_init(rp__hmap *m, size_t expected);
void rp__hmap_free(rp__hmap *m);
/* Insert key with value if absent. Returns a pointer to the stored value
 * (valid until the next put), *inserted telling whether it is new; NULL on
 * out of memory. */
uint32_t *rp__hmap_put(rp__hmap *m, uint64_t key, uint32_t value, bool *inserted);
const uint32_t *rp__hmap_get(const rp__hmap *m, uint64_t key);

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
rp_status rp__scan(const char *text, size_t len, uint64_t seed, rp__token_fn fn, void *ctx);
/* The tokenizer, character by character, without rp__scan's fast paths: the
 * reference the tests hold them to. */
rp_status rp__scan_reference(const char *text, size_t len, uint64_t seed, rp__token_fn fn,
                             void *ctx);
/* Hashes only (sketching): fn receives the token hashes of rp__scan, in
 * order, a batch at a time; no spans or breaks. Unless lossy, invalid UTF-8
 * or a NUL stops the scan with RP_ERR_UTF8 or RP_ERR_FORMAT and *bad set to
 * the offset rp__utf8_check would give (fn may have been called for the
 * tokens before it). Otherwise as rp__scan. */
typedef rp_status (*rp__hashes_fn)(void *ctx, const uint64_t *hashes, size_t n);
rp_status rp__scan_hashes(const char *text, size_t len, uint64_t seed, bool lossy, rp__hashes_fn fn,
                          void *ctx, size_t *bad);
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

/* ---- files (reader.c) -------------------------------------------------------- */
/* Read a whole file ("-" = stdin) into a fresh NUL-terminated buffer. */
rp_status rp__read_file(const char *path, char **data, size_t *len, rp_error *err);

/* ---- byte streams (decompress.c) ------------------------------------------- */
/* A file, standard input or a memory buffer read in chunks, with gzip or
 * zstd compression (recognized from the first bytes) undone on the fly. */
#define RP__STREAM_CHUNK ((size_t)256 << 10)
typedef enum rp__codec { RP__CODEC_PLAIN = 0, RP__CODEC_GZIP = 1, RP__CODEC_ZSTD = 2 } rp__codec;
typedef struct rp__stream rp__stream;
/* Open path ("-" = standard input, never closed) and recognize its
 * compression. RP_ERR_IO for a missing, unreadable or directory path;
 * RP_ERR_NOMEM. */
rp_status rp__stream_open(const char *path, rp__stream **out, rp_error *err);
/* The same over an open descriptor (left open), named name in errors;
 * with tee_fd >= 0 every raw byte read is also written to tee_fd (a spool
 * of standard input for a second reading). */
rp_status rp__stream_open_fd(const char *name, int fd, int tee_fd, rp__stream **out, rp_error *err);
/* The same over data[0..len), borrowed until rp__stream_close(); name is
 * used in errors. */
rp_status rp__stream_open_mem(const char *name, const void *data, size_t len, rp__stream **out,
                              rp_error *err);
/* The next chunk of content: *data points into the stream's own writable
 * buffer (*len bytes, at most RP__STREAM_CHUNK, plus one spare byte after
 * them), valid until the next call; *len == 0 at the end. RP_ERR_IO on a
 * read error, RP_ERR_FORMAT for corrupt or truncated compressed data
 * (err->offset = compressed byte), RP_ERR_NOMEM. */
rp_status rp__stream_read(rp__stream *s, char **data, size_t *len, rp_error *err);
/* Raw (compressed) bytes read from the source so far. */
uint64_t rp__stream_bytes(const rp__stream *s);
rp__codec rp__stream_codec(const rp__stream *s);
void rp__stream_close(rp__stream *s);

/* ---- corpus input (source.c) ------------------------------------------------- */
/* rp_source_open() over one input held in memory, data[0..len) (borrowed
 * until rp_source_free()), named name: the name decides the format as a
 * file name would (tests and fuzzing). */
rp_status rp__source_open_mem(const char *name, const void *data, size_t len,
                              const rp_source_opts *opts, rp_source **out, rp_error *err);
/* Where the source reads standard input ("-"): read_fd instead of
 * descriptor 0 when >= 0 (a spool being read again, positioned by the
 * caller), and a copy of the raw bytes written to tee_fd when >= 0. Set
 * before the first rp_source_next(). Standard input is still named "-". */
void rp__source_stdin(rp_source *s, int read_fd, int tee_fd);
/* A second reading of input this source already accepted: JSONL lines are
 * not validated again (no cJSON parse, no UTF-8 check of the text; the
 * fields are still found by a walk that never trusts the line). The caller
 * checks that the records are the ones read before. */
void rp__source_trusted(rp_source *s);

/* ---- fingerprints (winnow.c) ------------------------------------------------ */
/* A selected word k-gram: its hash (rp__shingle_hash of the rolled k token
 * hashes, as the sketches) and the index of its first token. */
typedef struct rp__fingerprint {
    uint64_t hash;
    uint32_t tok;
} rp__fingerprint;
typedef struct rp__fingerprints {
    rp__fingerprint *fp;
    size_t n, cap;
} rp__fingerprints;
/* Winnow the k-grams of t[0..n) with windows of w k-grams (k in 1..32, w in
 * 1..64) into *out (reused: its old entries are replaced), in token order.
 * A text with fewer than k tokens has none. Any run of w + k - 1 tokens
 * shared by two texts yields a fingerprint in both. RP_ERR_PARAM,
 * RP_ERR_NOMEM. */
rp_status rp__winnow(const rp_token *t, size_t n, size_t k, size_t w, rp__fingerprints *out);
void rp__fingerprints_free(rp__fingerprints *f);

/* ---- union-find ------------------------------------------------------------ */
/* Disjoint sets over 0..n-1 in parent[] (parent[x] == x for a root), with
 * path halving. A union makes the smaller root the root, so the roots do
 * not depend on the order of unions. Used for passages (align.c), reuse
 * families (scan_report.c) and near-duplicate clusters (dedup.c). */
static inline uint32_t rp__uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}
static inline void rp__uf_union(uint32_t *parent, uint32_t x, uint32_t y)
{
    x = rp__uf_find(parent, x);
    y = rp__uf_find(parent, y);
    if (x != y) parent[x > y ? x : y] = x < y ? x : y;
}

/* ---- external sort (extsort.c) ---------------------------------------------- */
/* Sorts fixed-size records of `words` uint64_t values (1..4), ascending in
 * the order of their words (first word first), within a memory budget:
 * records gather in memory; when they would pass mem_limit bytes they are
 * sorted and written as a run to an unnamed temporary file in tmpdir
 * (created and unlinked at once, so nothing is left behind whatever the
 * exit: success, error, Ctrl-C or SIGKILL), and the runs are merged when
 * read. With unique, equal records come out once. The order is total, so the
 * output is the same for any mem_limit. One thread at a time. */
typedef struct rp__sorter rp__sorter;
/* tmpdir NULL: $TMPDIR or /tmp. mem_limit: bytes of records held in
 * memory (at least 64 KiB is used). */
rp_status rp__sorter_new(size_t words, size_t mem_limit, const char *tmpdir, bool unique,
                         rp__sorter **out, rp_error *err);
/* Add one record (copied). Only before the first rp__sorter_next(). */
rp_status rp__sorter_add(rp__sorter *s, const uint64_t *rec, rp_error *err);
/* The next record in order (borrowed until the next call), or NULL at the
 * end. RP_ERR_IO naming the temporary directory on a write or read error. */
rp_status rp__sorter_next(rp__sorter *s, const uint64_t **rec, rp_error *err);
/* Records added so far, and runs spilled to disk so far (0 for NULL, like
 * rp__sorter_free, so a sorter that could not be made counts nothing). */
uint64_t rp__sorter_count(const rp__sorter *s);
size_t rp__sorter_runs(const rp__sorter *s);
void rp__sorter_free(rp__sorter *s);
/* Temporary files in dir: created and unlinked at once (nothing is left
 * behind however the process ends); read and written whole at offsets.
 * RP_ERR_IO naming dir (err->sys_errno set). */
rp_status rp__tmp_open(const char *dir, int *fd, rp_error *err);
rp_status rp__tmp_write(int fd, const void *p, size_t n, uint64_t off, const char *dir,
                        rp_error *err);
rp_status rp__tmp_read(int fd, void *p, size_t n, uint64_t off, const char *dir, rp_error *err);
/* Fill err with "<what> a temporary file in <dir>: <errno text>". */
rp_status rp__tmp_error(const char *dir, rp_error *err, const char *what);
/* Sort v[0..n) ascending in memory; tmp: scratch of n values. */
void rp__sort_u64(uint64_t *v, size_t n, uint64_t *tmp);
/* Sort v[0..n) and drop repeats; returns the distinct count, or SIZE_MAX
 * on out of memory. *tmp, *tmp_cap: scratch, grown as needed. */
size_t rp__sort_unique_u64(uint64_t *v, size_t n, uint64_t **tmp, size_t *tmp_cap);

/* ---- exact shingle sets (minhash.c) --------------------------------------- */
/* The distinct shingle hashes of text (rp__shingles of its token hashes;
 * the text is not validated: lossy reading) into *buf (capacity *cap,
 * grown as needed); *tmp, *tmp_cap: sorting scratch, reused across calls;
 * *n receives their number. RP_ERR_NOMEM. */
rp_status rp__shingle_set(const char *text, size_t len, size_t ngram, uint64_t seed, uint64_t **buf,
                          size_t *cap, uint64_t **tmp, size_t *tmp_cap, size_t *n);

/* ---- output files (writer.c) ---------------------------------------------- */
/* A file written through gzip (.gz), zstd (.zst, .zstd) or as is, chosen by
 * its name; "-" is standard output. RP_ERR_IO naming the file. */
typedef struct rp__writer rp__writer;
rp_status rp__writer_open(const char *path, rp__writer **out, rp_error *err);
rp_status rp__writer_write(rp__writer *w, const char *data, size_t len, rp_error *err);
/* Finish (ok) or abandon (!ok) and free w: an rp_output (outfile.c), so only
 * a finished file replaces the name. NULL is a no-op. */
rp_status rp__writer_close(rp__writer *w, bool ok, rp_error *err);

/* ---- banding (lsh.c) ---------------------------------------------------------- */
/* The key of band `band` (values band*rows .. band*rows+rows-1) of sig. */
uint64_t rp__band_key(const uint32_t *sig, size_t band, size_t rows);

/* ---- threads (parallel.c) ------------------------------------------------- */
#define RP__MAX_THREADS 256
typedef void (*rp__task_fn)(void *ctx, size_t t);
/* Run fn(ctx, t) for every t in [0, n), on n threads at once (t = 0 on the
 * calling thread), and return when all are done. A thread that cannot be
 * started has its share run on the calling thread afterwards, so callers
 * must not make thread t wait for thread u. n is capped at RP__MAX_THREADS. */
void rp__parallel(size_t n, rp__task_fn fn, void *ctx);

/* ---- alignment (align.c) --------------------------------------------------- */
typedef struct rp__align_params {
    size_t min_words;
    rp_progress_fn progress; /* may be NULL */
    void *progress_user;
} rp__align_params;
/* The passages between two documents with their edits: the edits of
 * passage i are edits[edit_start[i] .. edit_start[i+1]). */
typedef struct rp__alignment {
    rp_passage *passages;
    size_t n_passages;
    rp_edit *edits;
    size_t n_edits;
    size_t *edit_start; /* n_passages + 1 entries */
} rp__alignment;
/* Find the passages between a and b, sorted by a_start, complete (byte and
 * token ranges, matched tokens, similarity, edits). On failure *out is
 * empty. */
rp_status rp__align(const rp_doc *a, const rp_doc *b, const rp__align_params *p,
                    rp__alignment *out);
void rp__alignment_free(rp__alignment *al);

/* ---- diff (diff.c) ----------------------------------------------------------- */
/* Token-level edit script between a[0..na) and b[0..nb) (hash arrays). Appends
 * to *edits (capacity *cap, count *n), with token indexes offset by a_base and
 * b_base. Returns the number of matched tokens, or SIZE_MAX on out of memory. */
size_t rp__diff(const rp_token *a, size_t na, const rp_token *b, size_t nb, size_t a_base,
                size_t b_base, rp_edit **edits, size_t *n, size_t *cap);

/* ---- scores (compare.c) ------------------------------------------------------ */
/* Overlap of the distinct word n-gram sets of two token arrays (a document
 * shorter than n gives one shingle of all its tokens). */
typedef struct rp__overlap {
    double jaccard;     /* |A and B| / |A or B| */
    double contained_a; /* |A and B| / |A| */
    double contained_b; /* |A and B| / |B| */
} rp__overlap;
/* Returns false on out of memory. */
bool rp__shingle_overlap(const rp_token *a, size_t na, const rp_token *b, size_t nb, size_t n,
                         rp__overlap *out);
/* Turn the token hashes h[0..nt) in place into the sorted distinct hashes
 * of their word n-gram shingles (a text shorter than n words is one
 * shingle of all its words), as the sketches and the Jaccard define them.
 * *tmp, *tmp_cap: sorting scratch, grown as needed. Returns the number of
 * shingles, or SIZE_MAX on out of memory. */
size_t rp__shingles(uint64_t *h, size_t nt, size_t n, uint64_t **tmp, size_t *tmp_cap);
/* Shared values of two sorted sets of distinct values, and their Jaccard
 * (0 when both are empty). */
size_t rp__set_intersection(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);
double rp__set_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* ---- corpus scan (scan.c, scan_pairs.c, scan_align.c, scan_report.c) ------------
 * The stages of rp_scan and the data passed between them:
 *  - scan.c: options, documents (table + text store), fingerprinting into
 *    postings sorters, partitioned by fingerprint: records
 *    {hash, doc << 32 | token position};
 *  - scan_pairs.c: per partition, postings -> boilerplate fingerprints and
 *    shared-fingerprint pair records {a << 32 | b} (a < b) in one pair
 *    sorter per partition; then the merge of those sorters into candidates
 *    (a, b, shared count) in (a, b) order;
 *  - scan_align.c: candidates -> rp_compare() in batches on threads ->
 *    the pair callback in order;
 *  - scan_report.c: boilerplate passages and reuse families.
 * Partitions are independent until the pair merge, so each could be a
 * process of its own (postings routed by hash, pair records summed). */

typedef struct rp__scan_doc {
    uint64_t text_off; /* in the text store */
    uint64_t meta_off; /* id bytes, then date bytes, in rp_scan.meta */
    uint32_t text_len, id_len, date_len, n_tokens;
    uint8_t set;
} rp__scan_doc;

/* A fingerprint over max_df: its df and first posting (doc << 32 | pos). */
typedef struct rp__scan_bp {
    uint64_t hash, df, docpos;
} rp__scan_bp;

/* A passage of a reported pair, kept for the families. */
typedef struct rp__scan_span {
    uint32_t a, a_start, a_end;
    uint32_t b, b_start, b_end;
} rp__scan_span;

struct rp_scan {
    rp_scan_opts o;
    char *tmpdir;
    int state;        /* 0: adding; 1: run started; 2: run finished */
    rp_status broken; /* a failure that leaves the scan unusable, else RP_OK */
    rp_scan_stats stats;
    /* documents */
    rp__scan_doc *docs;
    size_t n_docs, cap_docs;
    char *meta;
    size_t meta_len, meta_cap;
    /* text store: an unlinked temporary file, written through wbuf */
    int store_fd;
    uint64_t store_len;
    char *wbuf;
    size_t wlen;
    /* fingerprinting (scan.c) */
    size_t n_parts;
    rp__sorter **postings; /* n_parts, NULL once read */
    struct rp__ingest *ingest;
    /* candidate pairs (scan_pairs.c) */
    rp__sorter **pairs; /* n_parts */
    rp__scan_bp *bp;
    size_t n_bp;
    /* reported passages, with o.clusters (scan_align.c) */
    rp__scan_span *spans;
    size_t n_spans, cap_spans;
};

/* Partition of a fingerprint hash, in [0, n_parts). */
static inline size_t rp__scan_part(uint64_t hash, size_t n_parts)
{
    return (size_t)(((hash >> 32) * (uint64_t)n_parts) >> 32);
}
/* Read n bytes at off of the text store into buf. RP_ERR_IO. */
rp_status rp__scan_pread(const rp_scan *s, void *buf, size_t n, uint64_t off, rp_error *err);
/* Stage 2: postings sorters -> pair sorters + s->bp. Frees the postings. */
rp_status rp__scan_index(rp_scan *s, rp_error *err);
/* Stage 3: the candidates, merged from the pair sorters in (a, b) order
 * with the number of distinct fingerprints each pair shares. */
typedef struct rp__candidates {
    rp__sorter **src;
    size_t n;
    uint64_t *head; /* current record of each sorter */
    bool *live;     /* false once a sorter is exhausted */
} rp__candidates;
rp_status rp__candidates_open(rp_scan *s, rp__candidates *c, rp_error *err);
/* The next pair sharing at least min_shared fingerprints: *pair =
 * a << 32 | b; *end set at the end. */
rp_status rp__candidates_next(rp__candidates *c, size_t min_shared, uint64_t *pair,
                              uint64_t *shared, bool *end, rp_error *err);
void rp__candidates_close(rp__candidates *c);
/* Stage 4: align the candidates and call on_pair. */
rp_status rp__scan_align(rp_scan *s, rp_scan_pair_fn on_pair, void *user, rp_error *err);

/* ---- reuse index (index.c, index_segment.c, index_query.c) ------------------ */
/* An rp_index is an SQLite database (docs/index-format.md). index.c owns the
 * file, its parameters, documents and batches; index_segment.c the posting
 * segments (writing, merging, lookups); index_query.c candidate search and
 * alignment. */
struct sqlite3;
struct sqlite3_stmt;

#define RP__INDEX_FORMAT_VERSION 1
/* The version of tokens and their normalization (tokenize.c, utf8.c): bump
 * it whenever a text's token hashes change, so old indexes are refused. */
#define RP__TOKENIZER_VERSION 1
/* PRAGMA application_id of every index: "RPIX". */
#define RP__INDEX_APPLICATION_ID 0x52504958
/* Segments of one level merged together once this many are adjacent. */
#define RP__INDEX_FANOUT 4

/* Posting kinds: winnowed fingerprints and LSH band keys. */
enum { RP__KIND_FP = 0, RP__KIND_BAND = 1, RP__N_KINDS = 2 };

typedef struct rp__posting {
    uint64_t hash;
    int64_t doc; /* document rowid */
} rp__posting;
typedef struct rp__postings {
    rp__posting *p;
    size_t n, cap;
} rp__postings;

/* One posting segment: the postings of the documents with rowids in
 * [doc_lo, doc_hi], in tables postings_<id> and long_postings_<id>. */
typedef struct rp__segment {
    int64_t id, level, doc_lo, doc_hi, docs;
    uint64_t hashes[RP__N_KINDS];               /* distinct hashes */
    uint64_t postings[RP__N_KINDS];             /* (hash, document) pairs */
    unsigned bits[RP__N_KINDS];                 /* bucket = top bits of the hash */
    bool has_tombstones;                        /* a removed document lies in the range */
    struct sqlite3_stmt *get_bucket, *get_long; /* prepared on first lookup */
} rp__segment;

struct rp_index {
    struct sqlite3 *db;
    char *path;
    rp_index_params params;
    bool readonly;
    rp_sketcher *sketcher;
    uint32_t *sig;
    rp__fingerprints fps; /* scratch */
    uint64_t *hashes;     /* scratch */
    size_t hashes_cap;
    void *zc, *zd; /* zstd contexts for stored texts, made when needed */
    uint8_t *zbuf; /* a compressed text */
    size_t zbuf_len, zbuf_cap;
    struct sqlite3_stmt *st_doc_insert, *st_doc_find, *st_doc_delete, *st_doc_get;
    struct sqlite3_stmt *st_sketch_insert, *st_sketch_delete, *st_tomb_insert;
    struct sqlite3_stmt *st_sketch_get; /* index_near.c */
    /* The open batch: its write transaction, the rowids it added and the
     * postings of its documents, not yet in a segment. */
    bool in_batch;
    int64_t batch_lo, batch_hi; /* 0 when it added nothing */
    size_t batch_docs;
    rp__postings pend[RP__N_KINDS];
    /* For queries during a batch, built when one comes: the fingerprint
     * postings pend[FP][0 .. pend_mapped) chained by hash. */
    uint32_t *pend_prev; /* posting i: 1 + the previous one of its hash, or 0 */
    size_t pend_prev_cap, pend_mapped;
    rp__hmap pend_map;  /* fingerprint hash -> 1 + its newest posting */
    rp__hmap pend_dead; /* rowids the batch added and removed again */
    /* Segments and tombstones as last read (refreshed when the database
     * changed: PRAGMA data_version, or this handle wrote). */
    rp__segment *segs;
    size_t n_segs;
    rp__hmap tombs;
    int64_t data_version;
    bool stale;
};

/* Fill err from an SQLite failure (rc) of `what`, as RP_ERR_FORMAT for a
 * damaged or foreign file, RP_ERR_NOMEM, or RP_ERR_IO. */
rp_status rp__index_db_fail(rp_index *idx, int rc, const char *what, rp_error *err);
/* Prepare sql into *st once (kept until rp_index_free). */
rp_status rp__index_prepare(rp_index *idx, struct sqlite3_stmt **st, const char *sql,
                            rp_error *err);
/* Run one statement without results. */
rp_status rp__index_exec(rp_index *idx, const char *sql, rp_error *err);
/* The text of a document as stored (a zstd frame) into a new buffer
 * (*len bytes + NUL; rp__free it). RP_ERR_FORMAT when it is corrupt. */
rp_status rp__index_text(rp_index *idx, const void *blob, size_t n, char **text, size_t *len,
                         rp_error *err);
/* Re-read the segment list and tombstones if the database changed. */
rp_status rp__index_refresh(rp_index *idx, rp_error *err);

/* Write the postings of a new segment covering rowids [lo, hi] (sorted here
 * by hash then document; documents in dead, if not NULL, left out) and
 * record it at level 0. Inside the caller's transaction. */
rp_status rp__segment_create(rp_index *idx, rp__postings post[RP__N_KINDS], int64_t lo, int64_t hi,
                             int64_t docs, const rp__hmap *dead, rp_error *err);
/* Merge segments while the policy asks for it, each merge in a transaction
 * of its own (none may be open). */
rp_status rp__segments_maintain(rp_index *idx, rp_error *err);
/* Read the segment list (ordered by doc_lo) into idx->segs. */
rp_status rp__segments_load(rp_index *idx, rp_error *err);
void rp__segments_clear(rp_index *idx);

/* The documents of one hash in one segment: either the rowids themselves
 * (docs[0..n), long false), or for a long list only its length (n) unless
 * want_long. */
typedef struct rp__lookup {
    int64_t *docs;
    size_t n, cap;
    bool is_long;
} rp__lookup;
rp_status rp__segment_lookup(rp_index *idx, rp__segment *s, int kind, uint64_t hash, bool want_long,
                             rp__lookup *out, rp_error *err);
void rp__lookup_free(rp__lookup *l);

#endif /* REPRINT_INTERNAL_H */
