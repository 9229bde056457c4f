/* reprint.h - the public interface of libreprint, and its reference manual.
 *
 * libreprint finds reused text: which passages of one document were taken,
 * with light edits, from another. It works on UTF-8 text, keeps every
 * position as a byte offset into the caller's original bytes, and reports
 * passages as half-open byte ranges [start, end) on both sides.
 *
 * The pipeline, for one pair:
 *
 *     bytes --rp_doc_new()--> rp_doc (normalized tokens with byte spans)
 *     rp_doc, rp_doc --rp_compare()--> rp_result (passages, scores, verdict)
 *
 * MEMORY OWNERSHIP (applies to every function below)
 *  1. Whoever calls rp_X_new / rp_X_load / rp_X_open / rp_compare owns the
 *     object it returns and releases it with the matching rp_X_free.
 *     rp_X_free(NULL) is a no-op.
 *  2. Pointer arguments are borrowed for the duration of the call only. The
 *     library copies whatever it keeps.
 *  3. Arrays returned by getters (rp_doc_tokens, rp_result_passages, ...)
 *     are borrowed: they stay valid until the object they came from is freed,
 *     and must never be passed to free().
 *
 * THREADS
 *  The library keeps no global mutable state. A finished rp_doc or rp_result
 *  is never modified by the library and may be read by many threads at once;
 *  rp_compare() may run concurrently on shared documents.
 *
 * ERRORS
 *  Fallible functions return rp_status (RP_OK == 0). Functions that read
 *  input also take an optional rp_error *, filled with the file, position and
 *  a one-line message when they fail. The library never prints, never exits
 *  and never aborts on bad input.
 */
#ifndef REPRINT_H
#define REPRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RP_API __attribute__((visibility("default")))
#else
#define RP_API
#endif

/* ------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------ */

#define RP_VERSION_MAJOR  0
#define RP_VERSION_MINOR  1
#define RP_VERSION_PATCH  0
#define RP_VERSION_STRING "0.1.0"

/* rp_version() - the library's version string, e.g. "0.1.0", as built.
 * Static storage; never NULL. */
RP_API const char *rp_version(void);

/* ------------------------------------------------------------------------
 * Status codes and error details
 * ------------------------------------------------------------------------ */

/* Status codes. The numeric values are part of the ABI and never change. */
typedef enum rp_status {
    RP_OK = 0,           /* success */
    RP_ERR_NOMEM = 1,    /* an allocation failed */
    RP_ERR_IO = 2,       /* reading or writing a file failed (see sys_errno) */
    RP_ERR_UTF8 = 3,     /* input is not valid UTF-8 (see offset) */
    RP_ERR_PARSE = 4,    /* input is well-formed text but not the expected syntax */
    RP_ERR_PARAM = 5,    /* an argument or option is out of range */
    RP_ERR_FORMAT = 6,   /* a file is not of the expected kind (binary, not a reprint file) */
    RP_ERR_MISMATCH = 7, /* two objects were built with different parameters */
    RP_ERR_LIMIT = 8     /* input exceeds a documented size limit */
} rp_status;

/* rp_strerror() - a short static description of a status code, never NULL.
 * Unknown codes give "unknown error". Thread-safe. */
RP_API const char *rp_strerror(rp_status code);

/* Where and why a call failed. The caller owns the struct (usually on the
 * stack) and passes its address to functions that read input; NULL is
 * accepted everywhere and means "no details wanted". On failure the library
 * fills every field: unknown positions are 0, an unknown path is "". On
 * success the struct is left untouched. */
typedef struct rp_error {
    rp_status code;  /* same value the function returned */
    int sys_errno;   /* errno for RP_ERR_IO, else 0 */
    char path[512];  /* file being read, or the document name; may be truncated */
    uint64_t line;   /* 1-based line number when meaningful, else 0 */
    uint64_t offset; /* byte offset into the input when meaningful, else 0 */
    char msg[256];   /* one line of English, no trailing newline, no path */
} rp_error;

/* ------------------------------------------------------------------------
 * Documents: text, normalization and tokens
 * ------------------------------------------------------------------------
 *
 * A document is a copy of the caller's bytes plus its tokens. Text must be
 * UTF-8; a leading UTF-8 byte order mark is skipped (it yields no token, and
 * offsets still count it). Tokens are:
 *  - words: maximal runs of Unicode letters, marks and digits; an apostrophe
 *    (' or U+2019 or U+02BC) between two letters stays inside the word;
 *  - single characters for scripts written without spaces between words
 *    (Han, Hiragana, Katakana, Bopomofo, Yi, Thai, Lao, Khmer, Myanmar), each
 *    with its following combining marks. Hangul syllables form words.
 * Everything else (spaces, punctuation, symbols) separates tokens.
 * Each token is normalized with Unicode NFKC and case folding, and typographic
 * apostrophes are folded to ASCII "'", then hashed; two tokens compare equal
 * when their hashes do. Every token keeps its byte span in the original text.
 *
 * Documents are limited to RP_DOC_MAX_BYTES bytes (offsets are 32-bit
 * inside); larger input is RP_ERR_LIMIT. */

#define RP_DOC_MAX_BYTES ((size_t)UINT32_MAX)

typedef struct rp_doc rp_doc;

/* One token: its normalized hash and its byte span [start, end) in the
 * original text. */
typedef struct rp_token {
    uint64_t hash;
    uint32_t start;
    uint32_t end;
} rp_token;

/* Options for reading text. Initialize with rp_text_opts_init(). */
typedef struct rp_text_opts {
    /* 0 (default): invalid UTF-8 or a NUL byte is an error (RP_ERR_UTF8 or
     * RP_ERR_FORMAT) with the byte offset of the first bad byte.
     * 1: each invalid byte and each NUL is read as U+FFFD, a separator; offsets
     * are unchanged, so passages still point into the original bytes. */
    int lossy;
    /* Seed of the token hash. Documents compare only with documents of the
     * same seed. Default RP_HASH_SEED_DEFAULT. */
    uint64_t seed;
} rp_text_opts;

#define RP_HASH_SEED_DEFAULT 0

/* rp_text_opts_init() - fill *opts with the defaults described above. */
RP_API void rp_text_opts_init(rp_text_opts *opts);

/* rp_doc_new() - make a document from text bytes.
 *
 * name: a label used in errors and reports (e.g. a file name); may be NULL
 *       for "". Copied.
 * text, len: the bytes; need not be NUL-terminated; copied. text may be NULL
 *       when len is 0. Empty text and text without tokens are valid.
 * opts: NULL for defaults.
 * out:  receives the new document on success, NULL on failure.
 * err:  optional details.
 *
 * Returns RP_OK; RP_ERR_UTF8 (invalid UTF-8, err->offset = first bad byte),
 * RP_ERR_FORMAT (a NUL byte: binary data), RP_ERR_LIMIT (too large),
 * RP_ERR_PARAM (out is NULL), RP_ERR_NOMEM. */
RP_API rp_status rp_doc_new(const char *name, const char *text, size_t len,
                            const rp_text_opts *opts, rp_doc **out, rp_error *err);

/* rp_doc_load() - read a whole file (path "-" means standard input) and make
 * a document of it, named by the path. A gzip or zstd file (recognized by
 * its first bytes) is read as its decompressed content, and offsets count
 * in that content.
 *
 * Errors as rp_doc_new(), plus RP_ERR_IO for a missing, unreadable or
 * directory path (err->sys_errno set) and RP_ERR_FORMAT for corrupt
 * compressed data (err->offset: the compressed byte). Reads regular files, pipes and
 * standard input; never truncates silently. */
RP_API rp_status rp_doc_load(const char *path, const rp_text_opts *opts, rp_doc **out,
                             rp_error *err);

/* rp_doc_free() - release a document. NULL is a no-op. Results computed from
 * the document stay valid (they do not point into it). */
RP_API void rp_doc_free(rp_doc *doc);

/* Getters. All borrowed, valid until rp_doc_free(doc). */
RP_API const char *rp_doc_name(const rp_doc *doc);
/* The original bytes (BOM included), followed by a NUL not counted in len. */
RP_API const char *rp_doc_text(const rp_doc *doc, size_t *len);
/* The tokens in text order; *n receives their number (may be 0). */
RP_API const rp_token *rp_doc_tokens(const rp_doc *doc, size_t *n);

/* rp_doc_token_text() - the normalized form of token i (NFKC, case folded,
 * apostrophes folded), written to buf as a NUL-terminated string, truncated
 * to cap-1 bytes. Returns the full length of the normalized form (like
 * snprintf), or 0 if i is out of range. Used by tests and tools that show
 * tokens; comparison uses hashes only. */
RP_API size_t rp_doc_token_text(const rp_doc *doc, size_t i, char *buf, size_t cap);

/* ------------------------------------------------------------------------
 * Comparing two documents
 * ------------------------------------------------------------------------ */

/* How B relates to A, in the three classes of the METER corpus. */
typedef enum rp_verdict {
    RP_VERDICT_NON_DERIVED = 0,
    RP_VERDICT_PARTIALLY_DERIVED = 1,
    RP_VERDICT_WHOLLY_DERIVED = 2
} rp_verdict;

/* rp_verdict_name() - "non-derived", "partially-derived" or "wholly-derived".
 * Static storage; "unknown" for other values. */
RP_API const char *rp_verdict_name(rp_verdict v);

/* A progress report: done is the share of the work finished, from 0 to 1,
 * non-decreasing over one call of the function that reports it. Called on
 * the caller's thread; it must not call back into the library with the
 * objects being worked on. */
typedef void (*rp_progress_fn)(void *user, double done);

/* Comparison options. Initialize with rp_compare_opts_init(); the defaults
 * are the tuned configuration used for every reported evaluation. */
typedef struct rp_compare_opts {
    /* Passages shorter than this many tokens on either side are dropped.
     * Default 8; must be >= 1. */
    size_t min_words;
    /* n of the word n-grams behind the reported Jaccard. Default 5; 1..32. */
    size_t jaccard_ngram;
    /* Verdict thresholds. B is non-derived when containment_b (share of B
     * inside passages) is below partially_threshold; wholly-derived when
     * containment_b reaches wholly_threshold and the passages' similarity
     * (rp_result_similarity) reaches wholly_similarity; partially-derived
     * otherwise. Defaults (0.20, 0.75, 0.87) were chosen on the
     * Clough-Stevenson corpus (see reprint-compare(1)).
     * 0 <= partially <= wholly <= 1 and 0 <= wholly_similarity <= 1. */
    double wholly_threshold;
    double partially_threshold;
    double wholly_similarity;
    /* Optional progress reports (NULL: none), a few hundred per call at
     * most, with progress_user passed back. Default NULL. */
    rp_progress_fn progress;
    void *progress_user;
} rp_compare_opts;

/* rp_compare_opts_init() - fill *opts with the defaults. */
RP_API void rp_compare_opts_init(rp_compare_opts *opts);

/* One reused passage: corresponding regions of A and B. Byte ranges are
 * half-open into the original texts; token ranges are half-open indexes into
 * rp_doc_tokens(). */
typedef struct rp_passage {
    uint64_t a_start, a_end; /* bytes in A */
    uint64_t b_start, b_end; /* bytes in B */
    size_t a_tok, a_tok_end; /* tokens in A */
    size_t b_tok, b_tok_end; /* tokens in B */
    size_t tokens;           /* tokens matched between the sides (see edits) */
    double similarity;       /* 2*matched / (tokens in A side + tokens in B side) */
} rp_passage;

/* The alignment inside one passage, as a list of edits that turn the A side
 * into the B side, in order: EQUAL runs are the same tokens on both sides;
 * DELETE runs are only in A, INSERT runs only in B; a REPLACE run has tokens
 * on both sides that differ. Token ranges are half-open indexes. */
typedef enum rp_edit_op {
    RP_EDIT_EQUAL = 0,
    RP_EDIT_DELETE = 1,
    RP_EDIT_INSERT = 2,
    RP_EDIT_REPLACE = 3
} rp_edit_op;

typedef struct rp_edit {
    rp_edit_op op;
    size_t a_tok, a_tok_end;
    size_t b_tok, b_tok_end;
} rp_edit;

typedef struct rp_result rp_result;

/* rp_compare() - find every passage of B reused from A (or of A reused in B:
 * the search is symmetric) and score the pair.
 *
 * Passages may overlap neither on A nor on B. They are found despite words
 * inserted, deleted or substituted every few words, changed case, quotes and
 * punctuation, re-wrapped lines and reordered paragraphs (a moved passage is
 * reported as its own passage). Cost is close to linear in the input size.
 *
 * a, b: documents made with the same text options (seed); borrowed.
 * opts: NULL for defaults.
 * out:  receives the result; the caller frees it with rp_result_free().
 *
 * Returns RP_OK; RP_ERR_MISMATCH (documents hashed with different seeds),
 * RP_ERR_PARAM (bad options; err->msg names the option), RP_ERR_NOMEM.
 * Thread-safe for shared documents. */
RP_API rp_status rp_compare(const rp_doc *a, const rp_doc *b, const rp_compare_opts *opts,
                            rp_result **out, rp_error *err);

/* rp_result_free() - release a result. NULL is a no-op. */
RP_API void rp_result_free(rp_result *res);

/* Exact word n-gram Jaccard of the two documents' token sets (n =
 * opts.jaccard_ngram; documents shorter than n contribute one shingle of all
 * their tokens; two token-less documents give 0). */
RP_API double rp_result_jaccard(const rp_result *res);
/* Share of A's (B's) distinct word n-grams (same n as the Jaccard) that
 * occur in the other document: how much of each side is verbatim shared,
 * wherever it sits. 0 for a document without tokens. */
RP_API double rp_result_shingles_a(const rp_result *res);
RP_API double rp_result_shingles_b(const rp_result *res);
/* Share of A's (B's) tokens inside reported passages, in [0,1]; 0 for a
 * document without tokens. */
RP_API double rp_result_containment_a(const rp_result *res);
RP_API double rp_result_containment_b(const rp_result *res);
/* Similarity of the passages as a whole: their similarities averaged with
 * weights by their number of tokens on both sides (so rp_compare(b, a)
 * gives the same value); 0 when there is no passage. Tells
 * a near copy (close to 1) from a heavy rewrite of the same text. */
RP_API double rp_result_similarity(const rp_result *res);
RP_API rp_verdict rp_result_verdict(const rp_result *res);

/* The passages, sorted by a_start (then b_start); *n receives their number.
 * Borrowed from res. */
RP_API const rp_passage *rp_result_passages(const rp_result *res, size_t *n);

/* The edits of passage i (see rp_edit); *n receives their number. NULL with
 * *n = 0 when i is out of range. Borrowed from res. */
RP_API const rp_edit *rp_result_edits(const rp_result *res, size_t i, size_t *n);

/* ------------------------------------------------------------------------
 * Corpus input
 * ------------------------------------------------------------------------
 *
 * An rp_source reads the documents of a corpus ("records") one at a time
 * from files, directories and standard input. Input is streamed: memory
 * stays in proportion to the longest record, whatever the size of the files.
 *
 * Paths are visited in the order given; "-" is standard input. A directory
 * is walked recursively and yields every regular file below it, hidden ones
 * included, in the byte order (strcmp) of their full paths. Symbolic links
 * are followed, except links that loop and links back to a directory being
 * walked; a broken link is an error when reached. Fifos, sockets and devices
 * inside directories are left out (a path given by the caller is read
 * whatever it is).
 *
 * Compression is recognized from the content, not the name: gzip (members
 * one after another are one stream) and zstd are decompressed on the fly.
 *
 * A file is JSONL when its name, after a .gz, .zst or .zstd suffix is
 * removed, ends in .jsonl or .json (any case). Other files and standard
 * input are JSONL when their content starts, after blanks and a byte order
 * mark, with '{' followed by '"' or '}' (so wiki text starting "{{" stays
 * text); otherwise plain text.
 *
 * JSONL: one JSON object per line, of any length; "\r\n" line ends and a
 * byte order mark at the start of a line are accepted; blank lines are
 * skipped. Each other line is one record. Its text is the string member
 * named opts.text_field (decoded; a missing member or one that is not a
 * string makes the line malformed). Its id is the member opts.id_field: a
 * string (decoded) or a number (as written, except that "42.0" gives "42"),
 * or "<path>:<line>" when the member is absent or null ("-:<line>" for
 * standard input). Other members are untouched in the record's raw line.
 * A malformed line - not JSON, not an object, text missing, an id of
 * another type, or text that is invalid UTF-8 or holds \u0000 when not
 * lossy - is an error naming the file and line, unless opts.skip_bad is
 * set: then it is skipped and counted (rp_source_skipped()). Nothing is
 * dropped silently.
 *
 * Plain text: the whole file is one record; id and path are the path (as
 * given, or as found under a directory), line is 0, raw is the text.
 *
 * Text is UTF-8; unless opts.lossy, invalid UTF-8 is RP_ERR_UTF8 and a NUL
 * RP_ERR_FORMAT, as for rp_doc_new(). With lossy the bytes are kept as they
 * are (rp_doc_new() with lossy reads the bad ones as separators).
 *
 * Threads: a source and its records belong to one thread at a time;
 * different sources may be read from different threads at once. (cJSON,
 * which checks JSONL lines, stores the position of its last error in a
 * global; the library never reads it.) */

typedef struct rp_source rp_source;

/* Options for reading a corpus. Initialize with rp_source_opts_init(). The
 * strings are borrowed for the duration of rp_source_open() only. */
typedef struct rp_source_opts {
    const char *text_field; /* JSONL member holding the text; default "text" (NULL: default) */
    const char *id_field;   /* JSONL member holding the id; default "id" (NULL: default) */
    int skip_bad;           /* 0 (default): a malformed JSONL line is an error;
                             * 1: skip it and count it; skip and count files
                             * that cannot be read or are not text or JSONL
                             * too (see rp_source_next()) */
    int lossy;              /* as rp_text_opts.lossy, for the text of each record */
    int hidden;             /* 0 (default): a directory walk leaves out names
                             * starting with '.'; 1: reads them */
    /* NULL-terminated lists of fnmatch(3) globs matched against the names
     * found in a directory walk (not against paths given): a file is read
     * only if it matches one of include (NULL: every file); a file or
     * directory matching one of exclude is left out. Copied. */
    const char *const *include;
    const char *const *exclude;
    /* With skip_bad: called for each file skipped, with its path and why
     * (a message as in rp_error.msg); NULL: none. Called on the thread
     * reading the source. */
    void (*on_skip)(void *user, const char *path, const char *reason);
    void *skip_user;
} rp_source_opts;

/* rp_source_opts_init() - fill *o with the defaults above. */
RP_API void rp_source_opts_init(rp_source_opts *o);

/* One record. All pointers are borrowed from the source and stay valid
 * until the next rp_source_next() or rp_source_free() on it. */
typedef struct rp_record {
    const char *id;   /* NUL-terminated too; may hold any byte (a decoded */
    size_t id_len;    /*   JSON string), id_len counts them all */
    const char *text; /* the document text (the decoded JSON string for */
    size_t text_len;  /*   JSONL), NUL-terminated; may hold NUL when lossy */
    const char *raw;  /* JSONL: the whole line, NUL-terminated, without its */
    size_t raw_len;   /*   line end and byte order mark; plain: same as text */
    const char *path; /* the file it came from ("-" for standard input) */
    uint64_t line;    /* 1-based line number in the (decompressed) file; 0 for plain files */
    int is_json;      /* 1 when the record is a JSONL line */
    /* JSONL: the byte ranges [start, end) of raw holding the text member and
     * the id member, from the key's opening quote to the end of the value
     * (the id's is {0, 0} when absent); everything else in the object is
     * the record's other data. {0, 0} for plain text. */
    size_t text_member_start, text_member_end;
    size_t id_member_start, id_member_end;
} rp_record;

/* rp_source_open() - prepare to read records from files and directories.
 *
 * paths, n_paths: the inputs, in order ("-" = standard input); copied.
 *       n_paths may be 0 (a source without records).
 * opts: NULL for defaults; copied.
 * out:  receives the source; free it with rp_source_free().
 * err:  optional details.
 *
 * Every path except "-" must exist now: a missing one is RP_ERR_IO naming
 * it (err->sys_errno set). Nothing is read yet; an unreadable file or
 * directory is reported by rp_source_next() when it is reached.
 *
 * Returns RP_OK, RP_ERR_IO, RP_ERR_PARAM (out NULL, a NULL path),
 * RP_ERR_NOMEM. */
RP_API rp_status rp_source_open(const char *const *paths, size_t n_paths,
                                const rp_source_opts *opts, rp_source **out, rp_error *err);

/* rp_source_next() - the next record, in order: paths as given, directory
 * entries sorted, lines in file order. Deterministic for the same inputs.
 *
 * rec:  receives the record (borrowed, see rp_record), or NULL when every
 *       input has been read (and on every later call).
 *
 * Returns RP_OK (also at the end) or an error; err->path names the file,
 * err->line the line (0 when not about a line) and err->offset the byte:
 *  - RP_ERR_PARSE: a malformed JSONL line (offset: byte in the line);
 *  - RP_ERR_UTF8, RP_ERR_FORMAT: invalid UTF-8 or a NUL in a record's text
 *    (offset: byte in the line for JSONL, in the file for plain text);
 *    RP_ERR_FORMAT also for corrupt or truncated gzip/zstd data (offset:
 *    compressed byte);
 *  - RP_ERR_LIMIT: a text over RP_DOC_MAX_BYTES;
 *  - RP_ERR_IO: a file or directory that cannot be opened or read
 *    (sys_errno set); RP_ERR_NOMEM; RP_ERR_PARAM (NULL argument).
 * A file starting with a UTF-16 or UTF-32 byte order mark is RP_ERR_FORMAT
 * (saying so), even when lossy.
 * With opts.skip_bad, the line errors above (PARSE, and UTF8, FORMAT and
 * LIMIT about a JSONL line) skip the line instead, and a file-level error
 * (a file or directory that cannot be opened or read, a dangling symbolic
 * link, a plain file that is binary or not UTF-8, corrupt compressed data,
 * a UTF-16 file, a file taken for JSONL by its content whose first record
 * is bad) skips the rest of that file, counted by rp_source_skipped_files()
 * and reported to opts.on_skip. An error is final: later
 * calls return it again. Not to be called on one source from two threads at
 * once. */
RP_API rp_status rp_source_next(rp_source *src, const rp_record **rec, rp_error *err);

/* rp_source_skipped() - the number of malformed lines skipped so far
 * (opts.skip_bad); rp_source_skipped_files() the number of whole files. */
RP_API size_t rp_source_skipped(const rp_source *src);
RP_API size_t rp_source_skipped_files(const rp_source *src);

/* rp_source_bytes() - input bytes read so far, counted as stored (the
 * compressed bytes of a .gz or .zst file), for progress reports against
 * the sizes of the files. Reading runs ahead of the records by up to
 * 256 KiB per file. */
RP_API uint64_t rp_source_bytes(const rp_source *src);

/* rp_source_free() - close the files and release the source and its last
 * record. NULL is a no-op. */
RP_API void rp_source_free(rp_source *src);

/* ------------------------------------------------------------------------
 * Many processes (MPI)
 * ------------------------------------------------------------------------
 *
 * An rp_comm is the group of processes ("ranks") one run is spread over.
 * Given to rp_dedup_opts.comm, rp_dedup_run() becomes a collective call:
 * every rank of the group calls it with the same paths and options, each
 * reads its share of the input and the stages exchange records between
 * ranks; rank 0 ends up holding the whole outcome (ids, clusters, pairs),
 * identical to the one-process run's, and the other ranks an outcome with
 * the statistics only. The transport is Open MPI (build/libreprint_mpi.a,
 * the `reprint-mpi` program); the library itself has no MPI dependency.
 *
 * On the other ranks, rp_dedup_get_stats() holds the job's input and
 * candidate counters and the rank fields (pairs and clusters are rank 0's
 * to count), and the per-document getters and rp_dedup_next_pair() see no
 * documents.
 *
 * Errors inside MPI are fatal to the job (MPI's default handler). When one
 * rank fails with an error of its own (a file it cannot read), the others
 * are blocked in an exchange: the caller reports the error and calls
 * rp_comm_abort(), which ends every rank. */
typedef struct rp_comm rp_comm;

/* rp_comm_mpi_init() - MPI_Init and a group of every rank of the job
 * (MPI_COMM_WORLD). Defined only in libreprint_mpi.a. argc, argv: main's,
 * for MPI_Init. Returns RP_OK, RP_ERR_NOMEM. Free with rp_comm_free() (which
 * calls MPI_Finalize). Call from main's thread, once. */
RP_API rp_status rp_comm_mpi_init(int *argc, char ***argv, rp_comm **out, rp_error *err);
/* This process's rank (0-based) and the number of ranks; 0 and 1 for NULL. */
RP_API int rp_comm_rank(const rp_comm *c);
RP_API int rp_comm_size(const rp_comm *c);
/* This rank's host name (borrowed; "" for NULL). */
RP_API const char *rp_comm_host(const rp_comm *c);
/* Bytes this rank has sent to other ranks so far. */
RP_API uint64_t rp_comm_bytes_sent(const rp_comm *c);
/* End every rank of the job with exit status status (MPI_Abort). Does
 * not return. */
RP_API void rp_comm_abort(rp_comm *c, int status);
/* Wait for every rank (a barrier). */
RP_API void rp_comm_barrier(rp_comm *c);
/* Finish (MPI_Finalize) and release c. NULL is a no-op. */
RP_API void rp_comm_free(rp_comm *c);

/* ------------------------------------------------------------------------
 * Near-duplicate sketches (MinHash)
 * ------------------------------------------------------------------------
 *
 * A signature summarizes a text's set of word n-gram shingles in a fixed
 * number of 32-bit values; the share of positions where two signatures agree
 * estimates the Jaccard similarity of the two shingle sets. Tokens, their
 * normalization and the shingles are those of rp_compare() (its "jaccard" is
 * the exact value this estimates, for the same n and seed).
 *
 * The sketch is one-permutation hashing with optimal densification: one
 * hash per shingle. Its standard error is about sqrt(J(1-J)/hashes), e.g.
 * 0.035 at J = 0.8 with 128 values, for texts with many more shingles than
 * values. A text shorter than n words is one shingle of all its words; a
 * text without words has no shingle and a signature of UINT32_MAX values
 * (n_shingles tells it apart: callers should not pair such texts). */

#define RP_SKETCH_MAX_HASHES 4096

/* Sketch options. Initialize with rp_sketch_opts_init(). Signatures compare
 * only with signatures made with equal options. */
typedef struct rp_sketch_opts {
    size_t ngram;  /* words per shingle; default 5; 1..32 */
    size_t hashes; /* values per signature; default 128; 1..RP_SKETCH_MAX_HASHES */
    uint64_t seed; /* token hash seed, as rp_text_opts.seed; default RP_HASH_SEED_DEFAULT */
    int lossy;     /* 0 (default): invalid UTF-8 or NUL is an error; 1: read as separators */
} rp_sketch_opts;

/* rp_sketch_opts_init() - fill *o with the defaults above. */
RP_API void rp_sketch_opts_init(rp_sketch_opts *o);

/* A reusable sketching context: its scratch memory is allocated once. Use
 * one per thread. */
typedef struct rp_sketcher rp_sketcher;

/* rp_sketcher_new() - make a sketcher. opts: NULL for defaults; copied.
 * Returns RP_OK, RP_ERR_PARAM (options out of range; err->msg names the
 * option), RP_ERR_NOMEM. Free the sketcher with rp_sketcher_free(). */
RP_API rp_status rp_sketcher_new(const rp_sketch_opts *opts, rp_sketcher **out, rp_error *err);

/* rp_sketcher_free() - release a sketcher. NULL is a no-op. */
RP_API void rp_sketcher_free(rp_sketcher *s);

/* rp_sketcher_sketch() - the signature of text[0..len) into sig[0..hashes).
 *
 * sig:  caller's array of opts.hashes values; written on success only.
 * n_shingles: if not NULL, receives the number of shingles (0 for a text
 *       without words).
 *
 * Returns RP_OK; RP_ERR_UTF8 / RP_ERR_FORMAT (invalid UTF-8 / NUL, not
 * lossy; err->offset is the byte), RP_ERR_LIMIT (over RP_DOC_MAX_BYTES),
 * RP_ERR_PARAM, RP_ERR_NOMEM. Not thread-safe for one sketcher. */
RP_API rp_status rp_sketcher_sketch(rp_sketcher *s, const char *text, size_t len, uint32_t *sig,
                                    size_t *n_shingles, rp_error *err);

/* rp_signature_similarity() - the share of the hashes positions where a
 * and b agree: the estimated Jaccard similarity. Thread-safe. */
RP_API double rp_signature_similarity(const uint32_t *a, const uint32_t *b, size_t hashes);

/* rp_free() - release memory the library allocated for the caller (as
 * documented per function). NULL is a no-op. */
RP_API void rp_free(void *p);

/* ------------------------------------------------------------------------
 * LSH: candidate pairs of similar signatures
 * ------------------------------------------------------------------------
 *
 * Locality-sensitive hashing by banding: a signature is cut into `bands`
 * bands of `rows` values; two signatures are candidates when they agree on
 * every value of at least one band, which happens with probability
 * 1 - (1 - J^rows)^bands for Jaccard J (the S-curve). */

/* rp_lsh_probability() - the S-curve: the chance that two texts of Jaccard
 * j become candidates with the given banding. */
RP_API double rp_lsh_probability(double j, size_t bands, size_t rows);

/* rp_lsh_choose() - bands and rows for a threshold: among bands * rows <=
 * hashes, the banding that makes a pair at the threshold a candidate with
 * probability at least 0.995 (recall first) and, among those, the fewest
 * false candidates below the threshold (the smallest area under the S-curve
 * from 0 to the threshold). When no banding reaches 0.995, the one with the
 * highest probability at the threshold. threshold in (0, 1], hashes >= 1.
 * Returns RP_OK or RP_ERR_PARAM. */
RP_API rp_status rp_lsh_choose(double threshold, size_t hashes, size_t *bands, size_t *rows);

/* An in-memory LSH index of signatures under caller-chosen 64-bit keys. */
typedef struct rp_lsh rp_lsh;

/* rp_lsh_new() - an empty index for signatures of `hashes` values, banded
 * as bands x rows (bands * rows <= hashes; see rp_lsh_choose()). */
RP_API rp_status rp_lsh_new(size_t hashes, size_t bands, size_t rows, rp_lsh **out, rp_error *err);

/* rp_lsh_add() - add a signature (copied) under key. Keys need not be
 * unique. Returns RP_OK, RP_ERR_PARAM, RP_ERR_NOMEM. */
RP_API rp_status rp_lsh_add(rp_lsh *lsh, uint64_t key, const uint32_t *sig, rp_error *err);

/* One match of a query. */
typedef struct rp_lsh_match {
    uint64_t key;
    double similarity; /* rp_signature_similarity() with the query */
} rp_lsh_match;

/* rp_lsh_query() - the signatures sharing a band with sig whose estimated
 * similarity is at least min_similarity (0: every candidate), best first
 * (ties by key, then by order of addition); each added signature appears
 * once. *matches is allocated (free it with rp_free(); NULL when *n is 0).
 * Thread-safe against other queries, not against rp_lsh_add(). */
RP_API rp_status rp_lsh_query(const rp_lsh *lsh, const uint32_t *sig, double min_similarity,
                              rp_lsh_match **matches, size_t *n, rp_error *err);

/* rp_lsh_size() - signatures added. */
RP_API size_t rp_lsh_size(const rp_lsh *lsh);

/* rp_lsh_free() - release the index. NULL is a no-op. */
RP_API void rp_lsh_free(rp_lsh *lsh);

/* ------------------------------------------------------------------------
 * Near-duplicate clusters of a corpus (the engine of `reprint dedup`)
 * ------------------------------------------------------------------------
 *
 * rp_dedup_run() reads a corpus (rp_source), sketches every document,
 * finds candidate pairs by LSH banding, verifies each candidate, and
 * clusters the verified pairs by union-find. The stages are separate and
 * exchange plain records (signatures, (band key, document) pairs, candidate
 * pairs, verified pairs), sorted within a memory budget (spilled to
 * temporary files when over it), so the result is the same for any number
 * of threads and any budget.
 *
 * Documents are numbered 0, 1, ... in input order. A document without
 * words has no shingle and is never paired; one with fewer words than the
 * n-gram size is one shingle of all its words (so it pairs only with texts
 * of exactly those words).
 *
 * Verification: a candidate pair becomes a pair when its Jaccard similarity
 * is at least the threshold:
 *  - RP_VERIFY_SIGNATURE: estimated from the signatures;
 *  - RP_VERIFY_EXACT: computed exactly from the shingle sets (the texts are
 *    read again);
 *  - RP_VERIFY_AUTO (default): candidates whose estimate lies more than
 *    4.5 standard errors below the threshold are rejected on the signatures
 *    (a true pair is lost so about once in 300,000); every other candidate
 *    is verified exactly, so every pair and its similarity is exact. Texts
 *    with fewer shingles than twice the hashes are always checked exactly
 *    (short texts estimate worse).
 *
 * Clusters: the connected components of verified pairs. The representative
 * kept is the first document in input order (RP_KEEP_FIRST) or the longest
 * in bytes, ties to the first (RP_KEEP_LONGEST). A member that is not
 * itself a verified pair of its representative joined through others
 * (chaining); with strict, such members are split off: each cluster is
 * split greedily, in keep order, into groups whose members are all verified
 * pairs of the group's representative.
 *
 * Buckets: documents sharing a band key are paired with each other; in a
 * bucket of more than 65 documents (mass duplicates), each document is
 * paired with the 64 before it, which keeps candidates linear; such
 * documents still cluster but not every one of their pairs is listed. */

typedef enum rp_verify {
    RP_VERIFY_AUTO = 0,
    RP_VERIFY_SIGNATURE = 1,
    RP_VERIFY_EXACT = 2
} rp_verify;

typedef enum rp_keep { RP_KEEP_FIRST = 0, RP_KEEP_LONGEST = 1 } rp_keep;

/* Progress of a run: the stage (0 reading and sketching, 1 candidates,
 * 2 exact verification, 3 clustering), documents and input bytes read so
 * far. Called from the thread that called rp_dedup_run(). */
typedef void (*rp_dedup_progress_fn)(void *user, int stage, uint64_t docs, uint64_t bytes);

typedef struct rp_dedup_opts {
    double threshold;      /* Jaccard; default 0.8; (0, 1] */
    rp_sketch_opts sketch; /* n-gram, hashes, seed, lossy (defaults of rp_sketch_opts_init) */
    size_t bands, rows;    /* 0, 0 (default): rp_lsh_choose(threshold, hashes) */
    rp_verify verify;      /* default RP_VERIFY_AUTO */
    rp_keep keep;          /* default RP_KEEP_FIRST */
    int strict;            /* 1: split chained clusters; default 0 */
    size_t threads;        /* sketching threads; 0 (default): the online cores; at most 256 */
    size_t mem_limit;      /* bytes; 0 (default): a quarter of physical memory */
    const char *tmpdir;    /* NULL (default): $TMPDIR or /tmp */
    rp_source_opts source; /* how records are read (rp_source_opts_init); the
                            * input is read again by rp_dedup_write(), so
                            * source.include, exclude and on_skip must stay
                            * valid until rp_dedup_free() */
    /* An index (rp_index_open(), borrowed for the run and the getters) whose
     * documents count as already kept: an input document that is a
     * near duplicate of one is removed, and pairs and clusters name it.
     * Its sketch parameters must equal sketch's (else RP_ERR_MISMATCH).
     * NULL (default): none. */
    struct rp_index *against;
    rp_dedup_progress_fn progress; /* NULL: none */
    void *progress_user;
    /* The ranks the run is spread over (see "Many processes"); NULL
     * (default): this process alone. Not with against or standard input.
     * The progress callback is called on rank 0 only, with documents and
     * bytes of the whole job. Not with strict (its split reads the
     * signatures of any member). */
    rp_comm *comm;
} rp_dedup_opts;

RP_API void rp_dedup_opts_init(rp_dedup_opts *o);

/* The outcome of a run. */
typedef struct rp_dedup rp_dedup;

/* Counters of a finished run. */
typedef struct rp_dedup_stats {
    uint64_t docs;            /* documents read */
    uint64_t bytes;           /* bytes of text */
    uint64_t empty;           /* documents without words */
    uint64_t skipped;         /* malformed lines skipped (skip_bad) */
    uint64_t skipped_files;   /* files skipped as unreadable or not text (skip_bad) */
    uint64_t duplicate_ids;   /* documents with the id of an earlier one (kept with
                               * skip_bad; else such an input is RP_ERR_PARSE) */
    uint64_t candidates;      /* distinct candidate pairs */
    uint64_t exact_checks;    /* candidates verified exactly */
    uint64_t pairs;           /* verified pairs */
    uint64_t clusters;        /* clusters of two or more documents */
    uint64_t removed;         /* documents that are not representatives */
    uint64_t chained;         /* clusters with members that are not pairs of their representative */
    uint64_t chained_members; /* such members */
    double chained_min;   /* lowest estimated similarity of one to its representative (1 if none) */
    uint64_t big_buckets; /* buckets over 65 documents */
    uint64_t spill_runs;  /* sorted runs written to temporary files */
    uint64_t against_docs;       /* indexed documents (--against) near an input document */
    uint64_t against_candidates; /* (input, indexed) candidate pairs */
    uint64_t against_removed;    /* input documents removed as near duplicates of indexed ones */
    size_t bands, rows;          /* the banding used */
    double seconds;              /* wall time of rp_dedup_run() */
    /* With opts.comm: the ranks, the bytes all of them sent to each other,
     * and per stage (read and sketch, candidates, verify, exact check,
     * gather and cluster) the time of the slowest rank and which it was.
     * Counts above are of the whole job. 1, 0 and zeros otherwise. */
    int ranks;
    uint64_t bytes_exchanged;
    double stage_seconds[5];
    int stage_slowest[5];
    uint64_t rank_peak_bytes; /* the largest peak resident memory of a rank, */
    int rank_peak;            /*   and which rank (at the end of the run) */
} rp_dedup_stats;

/* rp_dedup_run() - deduplicate the corpus read from paths (as
 * rp_source_open(); "-" for standard input, which is spooled to a
 * temporary file when it must be read twice). On success *out holds the
 * outcome (free with rp_dedup_free()). Errors: those of rp_source_open()
 * and rp_source_next() (err names file and line), RP_ERR_PARAM (an option
 * out of range, named in err->msg), RP_ERR_IO about the temporary
 * directory, RP_ERR_NOMEM. Also an error when the input changes between
 * two readings (RP_ERR_FORMAT). */
RP_API rp_status rp_dedup_run(const char *const *paths, size_t n_paths, const rp_dedup_opts *opts,
                              rp_dedup **out, rp_error *err);

RP_API void rp_dedup_free(rp_dedup *d);

RP_API const rp_dedup_stats *rp_dedup_get_stats(const rp_dedup *d);

/* rp_dedup_id() - document i's id (borrowed; *len its length, may hold
 * NUL), NULL if i is out of range. Input documents are 0 .. docs-1; with
 * opts.against, the indexed documents that matched follow them (docs ..
 * docs+against_docs-1), as representatives and in pairs. */
RP_API const char *rp_dedup_id(const rp_dedup *d, uint64_t i, size_t *len);

/* rp_dedup_representative() - the representative of document i's cluster
 * (i itself when i is a representative or alone); rp_dedup_cluster_size()
 * the size of that cluster (1 when alone). */
RP_API uint64_t rp_dedup_representative(const rp_dedup *d, uint64_t i);
RP_API uint64_t rp_dedup_cluster_size(const rp_dedup *d, uint64_t i);

/* rp_dedup_next_pair() - the verified pairs, one per call, ordered by
 * (first document, second document) numbers, a < b; returns 0 at the end
 * (then starts again). similarity: exact when computed, else the
 * estimate. Pairs split off by strict are still listed (they are
 * near-duplicates). Errors (reading spilled pairs) go to *st. */
RP_API int rp_dedup_next_pair(rp_dedup *d, uint64_t *a, uint64_t *b, double *similarity,
                              rp_status *st, rp_error *err);

/* rp_dedup_write() - write the input without the documents that are not
 * representatives, in input order, to out_path ("-": standard output),
 * compressed as its name says (.gz gzip, .zst or .zstd zstd, otherwise
 * plain): JSONL records as their original lines, plain-text records as
 * JSONL lines {"id": ..., "text": ...}. Reads the input again (the same
 * paths and options as the run). The file is written in full or, on error,
 * removed (not standard output). After a run on ranks (opts.comm) it is
 * collective: every rank reads its share again and sends its kept
 * documents to rank 0, which writes the file (the same bytes as one
 * process); the other ranks' out_path is not used. */
RP_API rp_status rp_dedup_write(rp_dedup *d, const char *out_path, rp_error *err);

/* ------------------------------------------------------------------------
 * Corpus-wide reuse search (scan)
 * ------------------------------------------------------------------------
 *
 * An rp_scan finds every pair of documents in a corpus that share reused
 * passages, and aligns each such pair with rp_compare(), so a pair's
 * passages are exactly those rp_compare() reports for its two documents.
 *
 *     rp_scan_new() -> rp_scan_add() for each document -> rp_scan_run()
 *     -> (optional) rp_scan_list_boilerplate(), rp_scan_list_clusters() -> rp_scan_free()
 *
 * The stages, each with data that could be written out and read back (so
 * that they can later run on several machines):
 *  1. Fingerprints. Each document is tokenized as rp_doc_new() does and its
 *     word n-grams (opts.ngram words) are winnowed (Schleimer, Wilkerson &
 *     Aiken 2003; windows of opts.window n-grams): any run of
 *     ngram + window - 1 words shared by two documents gives both a common
 *     fingerprint. Postings (fingerprint, document, word position) go to an
 *     external sort, partitioned by fingerprint; the text itself goes to a
 *     temporary file, so memory does not grow with the corpus.
 *  2. Candidate pairs. Postings are read back in fingerprint order. A
 *     fingerprint found in more than opts.max_df documents is boilerplate
 *     (mastheads, credit lines, share buttons) and is set aside; each other
 *     one gives the pairs of documents that hold it. Pairs are sorted and
 *     counted: a pair sharing at least opts.min_shared distinct
 *     fingerprints is a candidate.
 *  3. Alignment. Candidates are aligned with rp_compare() on opts.threads
 *     threads, and reported through a callback in (a, b) order when they
 *     have a passage that is not boilerplate and containment enough. A
 *     passage is boilerplate when at least half of its words (over both
 *     sides) lie under boilerplate n-grams, or when what lies outside them
 *     is shorter than min_words on either side: two documents can
 *     share a few n-grams that lead into a boilerplate line ("... said on
 *     Monday. Follow us on Twitter"), enough to be aligned, and the pair is
 *     then dropped rather than reported for its boilerplate. The passages
 *     of a reported pair are all of rp_compare()'s, boilerplate included.
 *
 * Memory: sort buffers and batches stay within about opts.mem_limit bytes;
 * beyond it, sorted runs spill to unlinked temporary files in opts.tmpdir.
 * The rest grows with the corpus: about 48 bytes per document plus its id
 * and date, and with opts.clusters 24 bytes per reported passage. Disk:
 * the texts once, plus 16 bytes per fingerprint (about 2 per 5 words with
 * the defaults) and 8 per shared fingerprint pair when they spill.
 *
 * Determinism: the pairs, their order and their passages depend only on
 * the documents, their order of addition and the options other than
 * threads, mem_limit and tmpdir.
 *
 * Limits: fewer than UINT32_MAX documents, each under RP_DOC_MAX_BYTES.
 *
 * Threads: one rp_scan belongs to one thread at a time (the caller's); it
 * runs its own worker threads inside rp_scan_add() and rp_scan_run(), and
 * calls every callback on the caller's thread. */

typedef struct rp_scan rp_scan;

/* A stage of rp_scan_run(), reported through rp_scan_opts.stage. */
typedef enum rp_scan_stage {
    RP_SCAN_STAGE_INDEX = 0, /* sorting fingerprints, finding candidate pairs */
    RP_SCAN_STAGE_ALIGN = 1  /* aligning candidate pairs */
} rp_scan_stage;

/* The largest rp_scan_opts.max_df: documents are numbered in 32 bits. */
#define RP_SCAN_MAX_DF ((size_t)UINT32_MAX)

/* Scan options. Initialize with rp_scan_opts_init(). */
typedef struct rp_scan_opts {
    size_t ngram;           /* words per fingerprinted n-gram; default 5; 1..32 */
    size_t window;          /* winnowing window in n-grams; default 4; 1..64 */
    size_t max_df;          /* fingerprints in more documents are boilerplate;
                             * default 100; 2..RP_SCAN_MAX_DF (which, above
                             * any corpus size, turns the filter off) */
    size_t min_shared;      /* distinct fingerprints a pair must share to be
                             * aligned; default 4; >= 1 */
    size_t min_words;       /* as rp_compare_opts.min_words; default 8; >= 1 */
    double min_containment; /* report a pair only when the larger of its two
                             * containments reaches this; default 0; 0..1 */
    int against;            /* 0 (default): every pair; 1: only pairs of a
                             * document of set 0 with one of set 1 */
    int clusters;           /* 1: keep the passages of reported pairs for
                             * rp_scan_list_clusters(); default 0 */
    size_t threads;         /* worker threads; default 1; 1..256 */
    size_t mem_limit;       /* bytes for sort buffers and batches; default
                             * 256 MiB; at least 4 MiB */
    const char *tmpdir;     /* temporary files; NULL (default): $TMPDIR or /tmp.
                             * Borrowed for rp_scan_new() only (copied) */
    int lossy;              /* as rp_text_opts.lossy; default 0 */
    int duplicate_ids;      /* 0 (default): a document whose id was added
                             * before is RP_ERR_PARAM from rp_scan_add();
                             * 1: added anyway and counted in
                             * rp_scan_stats.duplicate_ids */
    uint64_t seed;          /* token hash seed; default RP_HASH_SEED_DEFAULT */
    /* Progress inside rp_scan_run() (NULL: none): stage when a stage begins,
     * progress with the share of that stage done. Both get progress_user
     * and run on the caller's thread. */
    void (*stage)(void *user, rp_scan_stage stage);
    rp_progress_fn progress;
    void *progress_user;
} rp_scan_opts;

/* rp_scan_opts_init() - fill *o with the defaults above. */
RP_API void rp_scan_opts_init(rp_scan_opts *o);

/* rp_scan_new() - make an empty scan. opts: NULL for defaults; copied.
 * Returns RP_OK, RP_ERR_PARAM (an option out of range; err->msg names it),
 * RP_ERR_NOMEM. Free with rp_scan_free(). */
RP_API rp_status rp_scan_new(const rp_scan_opts *opts, rp_scan **out, rp_error *err);

/* rp_scan_free() - release the scan, its threads and temporary files. NULL
 * is a no-op. */
RP_API void rp_scan_free(rp_scan *s);

/* One document to add. All pointers are borrowed for the call only. */
typedef struct rp_scan_input {
    const char *id; /* the document's id, any bytes; NULL for "" */
    size_t id_len;
    const char *text; /* the text, UTF-8 unless opts.lossy; may be NULL when */
    size_t text_len;  /*   text_len is 0 */
    const char *date; /* optional date (NULL: none) for rp_scan_list_clusters():
                       * two plain decimal numbers (Unix times) compare as
                       * numbers, anything else as bytes (ISO 8601 sorts right) */
    size_t date_len;
    int set; /* 0 or 1 (see rp_scan_opts.against); 0 otherwise */
} rp_scan_input;

/* rp_scan_add() - add a document; documents are numbered 0, 1, ... in order
 * of addition. The text is checked here (invalid UTF-8 or NUL unless lossy:
 * RP_ERR_UTF8 or RP_ERR_FORMAT with err->path = the id and err->offset the
 * byte; over RP_DOC_MAX_BYTES: RP_ERR_LIMIT); the document is then
 * fingerprinted in the background. Also RP_ERR_IO (writing the temporary
 * files; err->path names the directory), RP_ERR_NOMEM, RP_ERR_LIMIT (too
 * many documents), RP_ERR_PARAM (after rp_scan_run()). A failed document is
 * not added; the scan can go on. */
RP_API rp_status rp_scan_add(rp_scan *s, const rp_scan_input *doc, rp_error *err);

/* rp_scan_add_source() - add every record of src in order (id and text;
 * set as given, no date). Stops at the first error of rp_source_next() or
 * rp_scan_add() and returns it. */
RP_API rp_status rp_scan_add_source(rp_scan *s, rp_source *src, int set, rp_error *err);

/* One reported pair, borrowed for the duration of the callback. */
typedef struct rp_scan_pair {
    size_t a, b;         /* document numbers, a < b */
    const rp_doc *doc_a; /* the documents, named by their ids (rp_doc_name) */
    const rp_doc *doc_b;
    const char *a_id; /* ids as given (may hold NUL bytes) */
    size_t a_id_len;
    const char *b_id;
    size_t b_id_len;
    size_t shared;           /* distinct fingerprints the two share */
    const rp_result *result; /* rp_compare(doc_a, doc_b) */
} rp_scan_pair;

/* Called for each reported pair, in increasing (a, b). Returning anything
 * but RP_OK stops the scan: rp_scan_run() returns that status. */
typedef rp_status (*rp_scan_pair_fn)(void *user, const rp_scan_pair *pair);

/* rp_scan_run() - find, align and report the pairs (once per scan; no
 * rp_scan_add() afterwards).
 *
 * Returns RP_OK, RP_ERR_IO (temporary files), RP_ERR_NOMEM, RP_ERR_PARAM
 * (called twice), or the status returned by on_pair. */
RP_API rp_status rp_scan_run(rp_scan *s, rp_scan_pair_fn on_pair, void *user, rp_error *err);

/* Counters, filled as the scan goes. */
typedef struct rp_scan_stats {
    uint64_t documents;         /* added */
    uint64_t bytes;             /* of text added */
    uint64_t tokens;            /* words, over all documents */
    uint64_t fingerprints;      /* postings: selected n-grams, over all documents */
    uint64_t boilerplate;       /* distinct fingerprints in more than max_df documents */
    uint64_t shared;            /* document pairs sharing a fingerprint, counted once
                                 * per fingerprint they share */
    uint64_t candidates;        /* pairs sharing min_shared fingerprints: aligned */
    uint64_t boilerplate_pairs; /* aligned pairs whose passages were all boilerplate:
                                 * not reported */
    uint64_t pairs;             /* reported */
    uint64_t passages;          /* in reported pairs */
    uint64_t spilled_runs;      /* sorted runs written to temporary files */
    uint64_t duplicate_ids;     /* documents added with an id added before
                                 * (rp_scan_opts.duplicate_ids 1) */
} rp_scan_stats;

/* rp_scan_get_stats() - the counters so far into *out. */
RP_API void rp_scan_get_stats(const rp_scan *s, rp_scan_stats *out);

/* Document getters (i < documents added). The id and date are borrowed from
 * the scan until rp_scan_free(); *len receives their length (date: 0 and
 * NULL when none). */
RP_API const char *rp_scan_doc_id(const rp_scan *s, size_t i, size_t *len);
RP_API const char *rp_scan_doc_date(const rp_scan *s, size_t i, size_t *len);

/* rp_scan_doc() - document i as an rp_doc (named by its id), read back from
 * the temporary file; after rp_scan_run() began. The caller frees it with
 * rp_doc_free(). RP_ERR_PARAM (i out of range, or before rp_scan_run()),
 * RP_ERR_IO, RP_ERR_NOMEM. May be called from several threads at once
 * once rp_scan_run() has returned. */
RP_API rp_status rp_scan_doc(const rp_scan *s, size_t i, rp_doc **out, rp_error *err);

/* A passage of text treated as boilerplate: a run of fingerprints each in
 * more than max_df documents, shown where it occurs in the first document
 * holding it. Borrowed for the duration of the callback. */
typedef struct rp_scan_boilerplate {
    size_t doc;          /* the example document */
    uint64_t start, end; /* byte range in it */
    const char *text;    /* its bytes, text[0..end-start) */
    uint64_t documents;  /* the most documents any of its fingerprints is in */
    size_t fingerprints; /* boilerplate fingerprints in the run */
} rp_scan_boilerplate;

typedef rp_status (*rp_scan_boilerplate_fn)(void *user, const rp_scan_boilerplate *b);

/* rp_scan_list_boilerplate() - after rp_scan_run(): each boilerplate passage
 * once (identical texts are reported once), most documents first, then in
 * document and byte order. Returns RP_OK, RP_ERR_PARAM (before
 * rp_scan_run()), RP_ERR_IO, RP_ERR_NOMEM, or on_b's status. */
RP_API rp_status rp_scan_list_boilerplate(rp_scan *s, rp_scan_boilerplate_fn on_b, void *user,
                                          rp_error *err);

/* One member of a reuse family: a byte range of one document. */
typedef struct rp_scan_member {
    size_t doc;
    uint64_t start, end;
} rp_scan_member;

/* A reuse family: the same text reprinted in several documents. Passages of
 * reported pairs that are not boilerplate are linked where, in one
 * document, they overlap by at least half of the shorter and the shorter is
 * at least a fifth of the longer; a family is a connected group. Members are sorted by
 * document then start. source is the index in members of the member with
 * the earliest date (ties: the first), or SIZE_MAX when no member has a
 * date. Borrowed for the duration of the callback. */
typedef struct rp_scan_cluster {
    const rp_scan_member *members;
    size_t n_members;
    size_t documents; /* distinct documents among the members */
    size_t source;
} rp_scan_cluster;

typedef rp_status (*rp_scan_cluster_fn)(void *user, const rp_scan_cluster *c);

/* rp_scan_list_clusters() - after rp_scan_run() with opts.clusters: the reuse
 * families, most documents first, then by first member. Returns RP_OK,
 * RP_ERR_PARAM (no run, or opts.clusters was 0), RP_ERR_NOMEM, or on_c's
 * status. */
RP_API rp_status rp_scan_list_clusters(rp_scan *s, rp_scan_cluster_fn on_c, void *user,
                                       rp_error *err);

/* ------------------------------------------------------------------------
 * Persistent reuse index
 * ------------------------------------------------------------------------
 *
 * An index is a file holding documents and what is needed to find, for a
 * new document, the indexed documents it shares passages with: "which
 * earlier stories does this article reuse, and where?". It is an SQLite
 * database (docs/index-format.md gives the schema) and grows and shrinks
 * one batch at a time: rp_index_add() and rp_index_remove() change a batch,
 * rp_index_commit() makes it durable in one transaction. Queries see the
 * committed state plus their own handle's batch.
 *
 * A query winnows its document into word k-gram fingerprints (a shared run
 * of ngram + window - 1 words always gives a shared fingerprint), counts
 * the fingerprints each indexed document shares with it, aligns the best
 * candidates with rp_compare() and returns the matches ranked by shared
 * length. The passages of a match are exactly those rp_compare(indexed,
 * query) gives for the pair.
 *
 * Each document also gets a MinHash signature (rp_sketcher) and its LSH
 * band keys, stored for near-duplicate search (docs/index-format.md).
 *
 * Parameters that change what is found (tokenizer version, hash seed,
 * k-gram size, window, sketch and LSH shape) are fixed when the index is
 * created and stored in it; asking for other values is RP_ERR_MISMATCH
 * naming both.
 *
 * Processes and threads: many processes may open one index at once; one
 * writes at a time (a second writer waits for the first's transaction, up
 * to opts.busy_ms) while any number query. A query reads one consistent
 * state. An rp_index handle belongs to one thread at a time: open one per
 * thread.
 *
 * Crashes: a process killed at any moment leaves a valid index holding
 * exactly the batches committed before (SQLite's write-ahead log). A file
 * that is not an index, or a damaged one, gives RP_ERR_FORMAT naming it. */

typedef struct rp_index rp_index;

/* The parameters an index was built with. */
typedef struct rp_index_params {
    unsigned format_version;    /* layout of the file (1) */
    unsigned tokenizer_version; /* tokens and normalization (1) */
    uint64_t seed;              /* token hash seed (rp_text_opts.seed) */
    size_t ngram;               /* words per fingerprint k-gram; default 5 */
    size_t window;              /* winnowing window, in k-grams; default 8 */
    size_t sketch_ngram;        /* words per MinHash shingle; default 5 */
    size_t sketch_hashes;       /* MinHash values per document; default 128 */
    size_t lsh_bands;           /* LSH bands; default 21 */
    size_t lsh_rows;            /* signature values per band; default 6 */
} rp_index_params;

/* Options for rp_index_open(). Initialize with rp_index_opts_init(). */
typedef struct rp_index_opts {
    int create;   /* 1: create the index when the file is absent or empty (default 0) */
    int readonly; /* 1: open for queries only; every change is refused (default 0) */
    /* How long to wait for another process's write transaction before
     * failing, in milliseconds; default 60000. */
    unsigned busy_ms;
    /* Parameters the caller requires. A zero field (and seed_given 0)
     * means: the stored value for an existing index, the default for a new
     * one. A non-zero field that differs from the stored value is
     * RP_ERR_MISMATCH. format_version and tokenizer_version are ignored. */
    rp_index_params params;
    int seed_given; /* 1: params.seed is required (0 is a valid seed) */
} rp_index_opts;

/* rp_index_opts_init() - fill *o with the defaults above (no requirement
 * on any parameter). */
RP_API void rp_index_opts_init(rp_index_opts *o);

/* rp_index_open() - open the index at path, or create it.
 *
 * opts: NULL for defaults (open an existing index for reading and writing).
 * out:  receives the handle; release it with rp_index_free().
 *
 * Returns RP_OK; RP_ERR_IO (missing file without opts.create, unreadable
 * file or directory; err->sys_errno may be 0 when SQLite does not say);
 * RP_ERR_FORMAT (not an SQLite database, an SQLite database that is not a
 * reprint index, a damaged index, or an index of a newer format; err->path
 * names the file); RP_ERR_MISMATCH (opts.params differ from the stored
 * ones, or the index was built by another tokenizer version: err->msg names
 * both values); RP_ERR_PARAM (bad options); RP_ERR_NOMEM. */
RP_API rp_status rp_index_open(const char *path, const rp_index_opts *opts, rp_index **out,
                               rp_error *err);

/* rp_index_free() - close the index. A batch not yet committed is rolled
 * back. NULL is a no-op. */
RP_API void rp_index_free(rp_index *idx);

/* rp_index_get_params() - the parameters of the index. Borrowed, valid
 * until rp_index_free(idx). Documents given to rp_index_add() and
 * rp_index_query() must use params.seed (rp_text_opts.seed). */
RP_API const rp_index_params *rp_index_get_params(const rp_index *idx);

/* Flags of rp_index_add(). */
#define RP_INDEX_REPLACE 1 /* an existing document with the same id is removed first */
/* An id already present (committed, or earlier in this batch): the document
 * is not added and RP_OK is returned; rp_index_pending() does not grow. So
 * an interrupted add can be run again over the same input. */
#define RP_INDEX_SKIP_EXISTING 2

/* rp_index_add() - add a document to the current batch (starting one, and
 * so the write transaction, if none is open).
 *
 * id, id_len: the document's identifier, any bytes, unique in the index;
 *       copied. An id already present is RP_ERR_PARAM (the document is not
 *       added; the batch stays open) unless flags has RP_INDEX_REPLACE or
 *       RP_INDEX_SKIP_EXISTING (not both: RP_ERR_PARAM).
 * doc:  the text, tokenized with the index's seed (else RP_ERR_MISMATCH);
 *       its bytes are stored as they are. Borrowed.
 * meta, meta_len: other data kept with the document and returned with its
 *       matches (by convention a JSON object); may be NULL. Copied.
 *
 * The document is visible at once to queries on this handle, and to other
 * handles after rp_index_commit().
 *
 * Returns RP_OK; RP_ERR_PARAM (duplicate id, NULL argument, a read-only
 * handle), RP_ERR_MISMATCH, RP_ERR_LIMIT (text or id over 2 GiB), and
 * RP_ERR_IO, RP_ERR_FORMAT or RP_ERR_NOMEM when the database or memory
 * failed: then the whole batch is rolled back. Not thread-safe for one
 * handle. */
RP_API rp_status rp_index_add(rp_index *idx, const char *id, size_t id_len, const rp_doc *doc,
                              const char *meta, size_t meta_len, int flags, rp_error *err);

/* rp_index_remove() - remove the document with this id in the current
 * batch (starting one if none is open). *removed (if not NULL) is set to 1,
 * or to 0 when no document has the id (not an error). Returns as
 * rp_index_add(). */
RP_API rp_status rp_index_remove(rp_index *idx, const char *id, size_t id_len, int *removed,
                                 rp_error *err);

/* rp_index_commit() - make the current batch durable: one transaction
 * holding every add and remove since the last commit. Then, in
 * transactions of their own, merges fingerprint segments when enough have
 * gathered (the index stays valid if that is interrupted). A no-op without
 * an open batch.
 *
 * Returns RP_OK; RP_ERR_IO (the disk is full or failing), RP_ERR_FORMAT,
 * RP_ERR_NOMEM: if the batch itself could not be committed it is rolled
 * back (rp_index_pending() is then 0); an error while merging afterwards
 * leaves the batch committed and the index valid: rp_index_committed()
 * tells the two apart. */
RP_API rp_status rp_index_commit(rp_index *idx, rp_error *err);

/* rp_index_committed() - the documents the last rp_index_commit() on this
 * handle made durable: its batch's count when the COMMIT itself
 * succeeded, even if a merge after it then failed (and the call returned
 * that error); 0 when the batch was rolled back or nothing was committed. */
RP_API size_t rp_index_committed(const rp_index *idx);

/* rp_index_rollback() - discard the current batch. A no-op without one. */
RP_API void rp_index_rollback(rp_index *idx);

/* rp_index_pending() - documents added in the current batch so far. */
RP_API size_t rp_index_pending(const rp_index *idx);

/* Query options. Initialize with rp_index_query_opts_init(). */
typedef struct rp_index_query_opts {
    /* At most this many matches, the best first; 0: all. Default 10. */
    size_t top;
    /* Keep a match only when containment_a or containment_b reaches this
     * (0..1). Default 0: every match with a passage. */
    double min_containment;
    /* Candidates: indexed documents sharing at least min_shared distinct
     * fingerprints with the query (default 2), of which the max_candidates
     * sharing the most (default 20, or top if that is more; ties: the
     * earlier added first) are aligned. Aligning is most of a query's time
     * when many documents share a few common phrases with it. */
    size_t min_shared;
    size_t max_candidates;
    /* Fingerprints found in more than max_df indexed documents are
     * boilerplate and ignored (default 1000; 0: no limit). */
    size_t max_df;
    /* Options of the alignment, as for rp_compare(). */
    rp_compare_opts compare;
} rp_index_query_opts;

/* rp_index_query_opts_init() - fill *o with the defaults above. */
RP_API void rp_index_query_opts_init(rp_index_query_opts *o);

typedef struct rp_index_matches rp_index_matches;

/* rp_index_query() - the indexed documents that share passages with doc.
 *
 * doc:  the query, tokenized with the index's seed (else RP_ERR_MISMATCH);
 *       borrowed. It need not be (and is not made) part of the index.
 * opts: NULL for defaults.
 * out:  receives the matches, best first: by shared length (the words
 *       matched in their passages), then by the order documents were added.
 *       Each match is rp_compare(indexed document, doc, opts->compare). Free
 *       with rp_index_matches_free().
 *
 * Reads the committed state as of the call, plus this handle's open batch.
 * The result does not depend on the history of adds and removes that led
 * to the indexed set, only on the set and the order its documents were
 * added.
 *
 * Returns RP_OK (possibly with no match); RP_ERR_MISMATCH, RP_ERR_PARAM,
 * RP_ERR_FORMAT (the index is damaged), RP_ERR_IO, RP_ERR_NOMEM. */
RP_API rp_status rp_index_query(rp_index *idx, const rp_doc *doc, const rp_index_query_opts *opts,
                                rp_index_matches **out, rp_error *err);

/* The matches of a query. Index i runs from 0 to rp_index_matches_count()-1;
 * getters return NULL (or 0) for an i out of range. Everything is borrowed
 * from m and valid until rp_index_matches_free(m). */
RP_API size_t rp_index_matches_count(const rp_index_matches *m);
/* The indexed document's id (*len: its length; NUL-terminated too). */
RP_API const char *rp_index_match_id(const rp_index_matches *m, size_t i, size_t *len);
/* Its meta data as stored (NULL and *len 0 when none). */
RP_API const char *rp_index_match_meta(const rp_index_matches *m, size_t i, size_t *len);
/* The indexed document (named by its id): side A of the result. */
RP_API const rp_doc *rp_index_match_doc(const rp_index_matches *m, size_t i);
/* The comparison: A is the indexed document, B the query. */
RP_API const rp_result *rp_index_match_result(const rp_index_matches *m, size_t i);
/* Distinct fingerprints the two share. */
RP_API size_t rp_index_match_shared(const rp_index_matches *m, size_t i);

/* rp_index_matches_free() - release matches. NULL is a no-op. */
RP_API void rp_index_matches_free(rp_index_matches *m);

/* What an index holds. */
typedef struct rp_index_info {
    uint64_t documents;    /* documents in the index */
    uint64_t fingerprints; /* (fingerprint, document) postings */
    uint64_t band_keys;    /* (LSH band key, document) postings */
    uint64_t segments;     /* posting segments (merged as they gather) */
    uint64_t tombstones;   /* removed documents whose postings await a merge */
    uint64_t file_bytes;   /* the database file and its write-ahead log */
    uint64_t free_bytes;   /* of which free pages, reused by later writes */
    rp_index_params params;
} rp_index_info;

/* rp_index_check() - check the index file: SQLite's quick_check (full 0:
 * every page's structure, O(file size)) or integrity_check (full 1: also
 * that every index matches its table). rp_index_open() runs the quick
 * check before it opens an existing index for writing, so a damaged index
 * is refused (RP_ERR_FORMAT) and never changed. Returns RP_OK,
 * RP_ERR_FORMAT naming what is damaged, RP_ERR_IO, RP_ERR_PARAM. */
RP_API rp_status rp_index_check(rp_index *idx, int full, rp_error *err);

/* rp_index_stats() - describe the committed index (and this handle's open
 * batch). Returns RP_OK, RP_ERR_FORMAT, RP_ERR_IO, RP_ERR_PARAM. */
RP_API rp_status rp_index_stats(rp_index *idx, rp_index_info *out, rp_error *err);

/* One near duplicate found by rp_index_near(). */
typedef struct rp_index_near_match {
    int64_t doc;       /* the indexed document's number (rp_index_document()) */
    double similarity; /* rp_signature_similarity() of the two signatures */
} rp_index_near_match;

/* rp_index_near() - the indexed documents whose stored MinHash signature
 * shares an LSH band with sig and agrees with it on at least
 * min_similarity of its values, best first (then the earlier added).
 * sig: a signature of params.sketch_hashes values made with the index's
 * sketch parameters (rp_sketch_opts: ngram = params.sketch_ngram, hashes =
 * params.sketch_hashes, seed = params.seed); with others the result is
 * meaningless. Documents without words are never returned.
 * *matches is allocated (free it with rp_free(); NULL when *n is 0).
 * Reads the committed state plus this handle's open batch.
 * Returns RP_OK, RP_ERR_PARAM, RP_ERR_FORMAT, RP_ERR_IO, RP_ERR_NOMEM. */
RP_API rp_status rp_index_near(rp_index *idx, const uint32_t *sig, double min_similarity,
                               rp_index_near_match **matches, size_t *n, rp_error *err);

/* rp_index_document() - the id and text of indexed document doc (a number
 * from rp_index_near()), as new NUL-terminated buffers (free them with
 * rp_free()); id or text may be NULL when not wanted. RP_ERR_PARAM when no
 * document has that number (it was removed), RP_ERR_FORMAT, RP_ERR_IO,
 * RP_ERR_NOMEM. */
RP_API rp_status rp_index_document(rp_index *idx, int64_t doc, char **id, size_t *id_len,
                                   char **text, size_t *text_len, rp_error *err);

/* rp_json_quote() - s[0..n), any bytes, as a quoted JSON string that is
 * valid UTF-8 whatever s holds; every JSON text reprint writes uses it for
 * ids, names and texts. Valid UTF-8 is kept as it is, except that '"' and
 * '\' are escaped and control characters (U+0000..U+001F and U+007F) are
 * written \n, \r, \t or \u00XX, so NUL is \u0000. Each byte that is not
 * part of valid UTF-8 becomes the escape of a lone surrogate, \udc80 ..
 * \udcff for bytes 0x80..0xFF (Python's "surrogateescape": json.loads(x)
 * .encode("utf-8", "surrogateescape") gives the bytes back). Returns a new
 * NUL-terminated buffer (free it with rp_free()), its length in *len when
 * len is not NULL; NULL when out of memory. Thread-safe. */
RP_API char *rp_json_quote(const char *s, size_t n, size_t *len);

/* ------------------------------------------------------------------------
 * Output files
 * ------------------------------------------------------------------------
 *
 * Every file the library and the reprint program write goes through an
 * rp_output, which never destroys what it did not create:
 *  - a regular file, or a path that does not exist yet, is written to a new
 *    temporary file in the same directory and renamed onto the name only by
 *    a committing rp_output_close(); a failed, interrupted or killed run
 *    leaves the previous file (or nothing). The temporary file is unnamed
 *    until then on Linux (O_TMPFILE), so not even SIGKILL leaves it behind;
 *    elsewhere it is ".NAME.XXXXXX.tmp", named by rp_output_temp_path(). A
 *    replaced file keeps its permission bits; a symbolic link is followed
 *    (its target is replaced, the link stays); a second hard link to the
 *    old file keeps the old contents.
 *  - "-" (standard output) and any other existing file that is not regular
 *    (a device, a FIFO, a terminal) are written in place: never truncated,
 *    never removed.
 * Threads: an rp_output belongs to one thread at a time. */
typedef struct rp_output rp_output;

/* rp_output_open() - start writing path ("-": standard output).
 * out receives the output; write through rp_output_file() and finish with
 * rp_output_close(). Returns RP_OK, RP_ERR_IO (a directory, a dangling
 * symbolic link, no permission to create a file in its directory; err names
 * the path and errno), RP_ERR_PARAM, RP_ERR_NOMEM. Nothing is created on
 * error. */
RP_API rp_status rp_output_open(const char *path, rp_output **out, rp_error *err);

/* rp_output_file() - the stream to write to (borrowed; do not fclose it). */
RP_API FILE *rp_output_file(rp_output *o);

/* rp_output_path() - the path given to rp_output_open() (borrowed). */
RP_API const char *rp_output_path(const rp_output *o);

/* rp_output_temp_path() - the named temporary file being written, for a
 * signal handler to unlink(); NULL when there is none (standard output, a
 * device, an unnamed temporary file). Valid until rp_output_close(). */
RP_API const char *rp_output_temp_path(const rp_output *o);

/* rp_output_close() - finish and free o. commit 1: check that everything
 * was written, then move the temporary file onto the name; a failure is
 * RP_ERR_IO (err: the path, "write error: " and the reason) and leaves the
 * previous file as it was. commit 0: abandon what was written (the
 * temporary file is removed; a device or standard output keeps what it
 * received). Standard output is flushed, not closed. NULL is a no-op. */
RP_API rp_status rp_output_close(rp_output *o, int commit, rp_error *err);

/* rp_output_check() - refuse outputs that would destroy an input, before
 * anything is read. For each output (NULL and "-" are skipped): RP_ERR_PARAM
 * (err->path: the output) when it is the same file as one of the inputs
 * (same device and inode, so through symbolic and hard links; "-" among the
 * inputs is what standard input is), when an existing output file lies
 * inside an input directory (a walk would read it), or when two outputs
 * name one file. Character devices (/dev/null, a terminal) are allowed as
 * both. Inputs that do not exist are ignored (reading reports them).
 * Returns RP_OK, RP_ERR_PARAM, RP_ERR_NOMEM. */
RP_API rp_status rp_output_check(const char *const *outputs, size_t n_out,
                                 const char *const *inputs, size_t n_in, rp_error *err);

/* rp_index_get() - look a document up by its id: *found is set to 1 and its
 * text and meta data (as stored; NULL and *meta_len 0 when it has none) are
 * returned as new NUL-terminated buffers (free them with rp_free()), or
 * *found is set to 0 when no document has the id (not an error). text or
 * meta may be NULL when not wanted. Reads the committed state plus this
 * handle's open batch. Returns RP_OK, RP_ERR_PARAM (NULL idx, id or found),
 * RP_ERR_FORMAT, RP_ERR_IO, RP_ERR_NOMEM. */
RP_API rp_status rp_index_get(rp_index *idx, const char *id, size_t id_len, int *found,
                              char **text, size_t *text_len, char **meta, size_t *meta_len,
                              rp_error *err);

#ifdef __cplusplus
}
#endif

#endif /* REPRINT_H */
