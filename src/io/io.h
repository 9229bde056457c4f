/* io.h - the input/output layer: bytes in and out of files.
 *
 * Byte streams from files, standard input or memory with gzip and zstd
 * undone on the fly (decompress.c), whole-file reading (reader.c), the
 * corpus source of documents from files, directories and JSONL (source.c)
 * and output files compressed by name (writer.c), each an rp_output that
 * replaces its file only when complete (outfile.c). Depends on base/ only. */
#ifndef REPRINT_IO_H
#define REPRINT_IO_H

#include "base/base.h"

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
/* rp__stream_open() with every raw byte read also written to tee_fd. */
rp_status rp__stream_open_tee(const char *path, int tee_fd, rp__stream **out, rp_error *err);
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
/* The same for input i (a path given, not "-"): read it from read_fd (left
 * open) instead of opening the path, or copy what is read to tee_fd. For
 * FIFOs and devices, which cannot be read twice. */
void rp__source_input_fd(rp_source *s, size_t i, int read_fd, int tee_fd);
/* The most a plain document or a JSONL line read from a character or block
 * device may hold: /dev/zero ends nowhere, and must not fill memory. */
#define RP__DEVICE_MAX ((size_t)64 << 20)
/* A second reading of input this source already accepted: JSONL lines are
 * not validated again (no cJSON parse, no UTF-8 check of the text; the
 * fields are still found by a walk that never trusts the line). The caller
 * checks that the records are the ones read before. */
void rp__source_trusted(rp_source *s);
/* Inputs spread over ranks (dedup on MPI, src/dedup/dedup_shard.c). The
 * next file the walk of s's paths reaches, in rp_source_next()'s order,
 * without opening it: *path (owned by the caller; "-" for standard input)
 * or NULL when every path is done. Errors of the directory walk. */
rp_status rp__source_next_file(rp_source *s, char **path, rp_error *err);
/* Append an input after s's paths: the file path whole (start 0, end
 * UINT64_MAX), or only bytes [start, end) of an uncompressed JSONL file,
 * which must start a line; its lines are numbered from lines_before + 1.
 * RP_ERR_NOMEM (errors of the file come from rp_source_next()). */
rp_status rp__source_add_range(rp_source *s, const char *path, uint64_t start, uint64_t end,
                               uint64_t lines_before, rp_error *err);
/* Where the record rp_source_next() returned last can be read back: true
 * when it is a JSONL line of a regular, uncompressed file, with the file's
 * number (0 for the first file the source opened, in order) and the offset
 * of the record's raw line in it (pread there up to the next '\n', drop a
 * '\r' before it: the bytes of rec->raw). False otherwise (compressed
 * input, standard input, memory, plain text). */
bool rp__source_where(const rp_source *s, uint64_t *file_no, uint64_t *offset);

/* ---- JSON members (json.c) ------------------------------------------------ */
/* Bytes of the top level of a JSON value, for a line cJSON accepted. Each returns the index just
 * past the item, or SIZE_MAX if the line ends first (which cannot happen after cJSON, but the walk
 * never trusts that). */
size_t rp__json_skip_ws(const char *p, size_t i, size_t n);
size_t rp__json_skip_string(const char *p, size_t i, size_t n);
size_t rp__json_skip_value(const char *p, size_t i, size_t n);
/* Decode the body of a JSON string, p[0..n) between the quotes, into *buf
 * (capacity *cap; NUL-terminated, *len bytes). *nul_at receives the offset
 * in p of the first \u0000, *bad_at that of an invalid escape (decoding
 * stops there); SIZE_MAX when there is none. Escapes only shorten, so the
 * output never exceeds n bytes. Returns false when out of memory. */
bool rp__json_unescape(const char *p, size_t n, char **buf, size_t *cap, size_t *len,
                       size_t *nul_at, size_t *bad_at);
/* Are the escapes of the string body p[0..n) (between its quotes) all
 * valid: \" \\ \/ \b \f \n \r \t, and \u with four hex digits, a high
 * surrogate only before a low one? Never looser than cJSON's string parse
 * (which also takes \u with bad digits as U+0000), so a line whose text
 * member passes, and which cJSON accepts with that member's value
 * replaced by "", is one cJSON accepts (source.c). */
bool rp__json_string_ok(const char *p, size_t n);
/* Where a member's value sits in the line: [start, end), if found. */
typedef struct rp__json_span {
    size_t start, end; /* the value */
    size_t key;        /* where its member starts: the key's opening quote */
    bool found;
} rp__json_span;
/* Find the first members named text_key and id_key of the object on line
 * p[0..n) (keys compared after unescaping, in *scratch). RP_ERR_NOMEM. */
rp_status rp__json_find_members(const char *p, size_t n, const char *text_key, size_t text_key_len,
                                const char *id_key, size_t id_key_len, char **scratch,
                                size_t *scratch_cap, rp__json_span *text, rp__json_span *id);

/* ---- JSON strings of any bytes (json_quote.c) ----------------------------- */
/* Write the JSON form of the unit at s[*i] (one byte, or one valid UTF-8
 * sequence; *i < n) to out (room for 8 bytes), advance *i past it and return
 * the bytes written: escapes as rp_json_quote() documents. */
size_t rp__json_escape(const char *s, size_t n, size_t *i, char *out);

/* ---- output files (writer.c) ---------------------------------------------- */
/* A file written through gzip (.gz), zstd (.zst, .zstd) or as is, chosen by
 * its name; "-" is standard output. RP_ERR_IO naming the file. */
typedef struct rp__writer rp__writer;
rp_status rp__writer_open(const char *path, rp__writer **out, rp_error *err);
rp_status rp__writer_write(rp__writer *w, const char *data, size_t len, rp_error *err);
/* Write s[0..n) as a JSON string, quoted and escaped as rp_json_quote()
 * says (invalid UTF-8 as \uDCxx, so the line stays valid JSON). */
rp_status rp__writer_json_string(rp__writer *w, const char *s, size_t n, rp_error *err);
/* Finish (ok) or abandon (!ok) and free w: an rp_output (outfile.c), so only
 * a finished file replaces the name. NULL is a no-op. */
rp_status rp__writer_close(rp__writer *w, bool ok, rp_error *err);

#endif /* REPRINT_IO_H */
