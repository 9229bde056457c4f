/* dedup_int.h - the layout of rp_dedup and the stages' shared helpers.
 *
 * rp_dedup_run() (dedup.c) runs five stages, one file each, passing plain
 * sorted record streams (rp__sorter) from one to the next, every order by
 * document number, so outputs do not depend on threads or memory:
 *  1. dedup_sketch.c: records read in order by the calling thread and
 *     sketched in batches by worker threads; signatures stored by document
 *     number (in memory, or in a temporary file past the budget).
 *  2. dedup_candidates.c: band by band, (band key, document) records are
 *     sorted and documents sharing a key are paired; the pairs go to a
 *     second sorter that drops repeats.
 *  3. dedup_verify.c: each candidate pair accepted or rejected on its
 *     signatures or listed for an exact check (and --against pairs from
 *     the index); 4. the texts of the listed documents are read again and
 *     their shingle sets (spilled to a temporary file) decide those pairs.
 *  5. dedup_cluster.c: union-find over verified pairs, representatives by
 *     the keep rule, the chaining check and, when strict, the greedy split.
 * With opts.comm the same stages run on every rank over its share of the
 * input (dedup_dist.c; the share is planned in dedup_shard.c).
 * dedup_output.c writes the input without duplicates. dedup_store.c holds
 * what the stages share: the signature store, the document table, the
 * second reading of the input and the verified pairs. Private to
 * src/dedup/ (and its white-box test). */
#ifndef REPRINT_DEDUP_INT_H
#define REPRINT_DEDUP_INT_H

#include "base/base.h"
#include "io/io.h"
#include "sketch/sketch.h"

#include <string.h>
#include <time.h>

#define MAX_DOCS ((uint64_t)UINT32_MAX - 1) /* document numbers are 32-bit */

/* ---- signatures by document number (dedup_store.c) ----------------------- */
typedef struct rp__sig_store {
    size_t k;      /* values per signature */
    size_t budget; /* bytes allowed in memory */
    uint32_t *mem;
    uint64_t n, cap; /* signatures stored, capacity of mem */
    int fd;          /* -1 while in memory */
    char *wbuf;      /* write buffer of the file */
    size_t wlen;
    uint64_t flushed; /* signatures already in the file */
} rp__sig_store;
/* Append one signature (k values) as the next document's; past the budget
 * the store moves to a temporary file in dir. */
rp_status rp__dedup_sigs_add(rp__sig_store *s, const uint32_t *sig, const char *dir, rp_error *err);
/* Write out the file's buffer (a no-op in memory). */
rp_status rp__dedup_sigs_flush(rp__sig_store *s, const char *dir, rp_error *err);
/* Signatures first .. first+count-1: *out points into memory, or into buf
 * (count * k values) read from the file. */
rp_status rp__dedup_sigs_get(const rp__sig_store *s, uint64_t first, size_t count, uint32_t *buf,
                             const uint32_t **out, const char *dir, rp_error *err);
void rp__dedup_sigs_free(rp__sig_store *s);

/* ---- the run ----------------------------------------------------------------- */
struct rp_dedup {
    rp_dedup_opts o;
    char *tmpdir;
    char *text_field, *id_field; /* copies: the input is read again */
    char **paths;
    size_t n_paths;
    int spool_fd; /* a copy of standard input, -1 if not read */
    /* Per path: a copy of a FIFO or device (which cannot be read twice:
     * process substitution, mkfifo), -1 for files and directories. */
    int *path_spool;
    rp__hmap id_seen; /* hash of each input id -> its first document */
    rp_dedup_stats st;
    size_t k;
    /* per document */
    uint64_t n;
    char *ids;
    size_t ids_len, ids_cap;
    uint64_t *id_off; /* per node (inputs, then --against matches) + 1 */
    size_t id_off_cap;
    uint64_t *len; /* text bytes */
    /* Where each document's line can be read back (rp__source_where):
     * file << 48 | offset, while where_ok (every document so far was a
     * JSONL line of a plain regular file, and the numbers fit). */
    uint64_t *where;
    bool where_ok;
    char **where_path; /* by file number; NULL for files without documents */
    size_t n_where_path;
    uint32_t *nsh; /* shingles, saturated at UINT32_MAX */
    uint64_t doc_cap;
    uint32_t *rep;  /* final representative */
    uint32_t *size; /* cluster size, by representative */
    rp__sig_store sigs;
    /* verified pairs, sorted: in memory or in a file */
    uint64_t *pairs; /* 2 words each: a << 32 | b, bits of the similarity */
    uint64_t n_pairs, pairs_cap;
    int pairs_fd;
    uint64_t pair_pos;
    uint64_t *pair_buf;
    size_t pair_buf_n;
    uint64_t iter_pos; /* rp_dedup_next_pair() */
    /* --against: indexed documents that matched, as nodes n, n+1, ... */
    uint64_t n_arch;
    int64_t *arch_doc; /* their numbers in the index */
    size_t arch_cap;
    rp__hmap arch_map; /* index document number -> node - n + 1 */
    struct timespec t0;
    /* On ranks (opts.comm, dedup_dist.c): this rank's share of the input
     * (NULL: the paths as given), the global number of its first document
     * and each rank's first (size + 1 values); the (member,
     * representative) pairs whose similarity the chaining statistic needs. */
    struct rp__dedup_shard *shard;
    uint64_t first, n_own; /* n_own: this rank's documents */
    uint64_t *rank_first;
    uint32_t *chained_pairs;
    size_t n_chained, chained_cap;
};

/* ---- documents and the input (dedup_store.c) ------------------------------------ */
/* Append the id of the next node (d->n + d->n_arch) to the ids arena. */
rp_status rp__dedup_append_id(rp_dedup *d, const char *id, size_t len, rp_error *err);
/* A new input document: its id and text length (RP_ERR_LIMIT past MAX_DOCS). */
rp_status rp__dedup_add_doc(rp_dedup *d, const rp_record *r, rp_error *err);
/* Seconds since t0 (CLOCK_MONOTONIC). */
double rp__dedup_elapsed(const struct timespec *t0);
/* Open the run's input; again: the second, trusted reading (standard input
 * is read back from its spool). */
rp_status rp__dedup_open_source(rp_dedup *d, bool again, rp_source **src, rp_error *err);
/* Read the input again (trusted: validated the first time) and call fn for
 * each document in order. The input must hold the same documents; a
 * change is RP_ERR_FORMAT. */
typedef rp_status (*rp__dedup_reread_fn)(void *ctx, uint64_t doc, const rp_record *r,
                                         rp_source *src, rp_error *err);
rp_status rp__dedup_reread(rp_dedup *d, rp__dedup_reread_fn fn, void *ctx, rp_error *err);
/* The same for only the documents marked in need (bit i of need[i / 8]),
 * read back by offset from their files (d->where_ok; the record passed to
 * fn holds the text, its length and the path), so that a few candidates do
 * not cost a second reading of the whole input. Each text must have the
 * length read the first time (else RP_ERR_FORMAT, as rp__dedup_reread). */
rp_status rp__dedup_reread_some(rp_dedup *d, const uint8_t *need, rp__dedup_reread_fn fn, void *ctx,
                                rp_error *err);
/* Record where the source's current record (document d->n - 1) lies. */
rp_status rp__dedup_note_where(rp_dedup *d, const rp_source *src, const rp_record *r,
                               rp_error *err);

/* ---- verified pairs (dedup_store.c) ---------------------------------------------- */
/* A pair's similarity travels as the bits of its double. */
static inline uint64_t rp__dedup_dbl_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double rp__dedup_bits_dbl(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}
/* Keep the accepted pairs (records {a << 32 | b, similarity bits}, sorted)
 * for clustering and output: in memory, or spilled past mem_limit / 8. */
rp_status rp__dedup_pairs_store(rp_dedup *d, rp__sorter *accepted, rp_error *err);
/* Append one record {a << 32 | b, similarity bits} (in order) to the store. */
rp_status rp__dedup_pairs_add(rp_dedup *d, const uint64_t *rec, rp_error *err);
/* Remember that member x of representative r is chained (on ranks, where
 * the signatures are elsewhere: dedup_dist.c estimates them after stage 5). */
rp_status rp__dedup_chained_note(rp_dedup *d, uint32_t x, uint32_t r, rp_error *err);
/* Pair i of the store (sequential reading is buffered). */
rp_status rp__dedup_pair_at(rp_dedup *d, uint64_t i, uint64_t *ab, double *sim, rp_error *err);

/* ---- the stages ------------------------------------------------------------------- */
/* 1 (dedup_sketch.c): read and sketch every input document. */
rp_status rp__dedup_stage_sketch(rp_dedup *d, rp_error *err);
/* 2 (dedup_candidates.c): candidate pairs {a << 32 | b} into cands. */
rp_status rp__dedup_stage_candidates(rp_dedup *d, rp__sorter *cands, rp_error *err);
/* 2 (dedup_candidates.c): read sorted (band key, document) records and
 * call fn for each candidate pair of documents sharing a key. */
typedef rp_status (*rp__dedup_pair_fn)(void *ctx, uint64_t pair, rp_error *err);
rp_status rp__dedup_key_pairs(rp_dedup *d, rp__sorter *keys, rp__dedup_pair_fn fn, void *ctx,
                              rp_error *err);
/* 2 (dedup_candidates.c): fn gets {band key, base + i} for each document
 * i with words, in order. */
typedef rp_status (*rp__dedup_rec_fn)(void *ctx, const uint64_t *rec, rp_error *err);
rp_status rp__dedup_band_keys(rp_dedup *d, size_t band, uint64_t base, rp__dedup_rec_fn fn,
                              void *ctx, rp_error *err);
/* 3 (dedup_verify.c): the signature estimate below which a pair is
 * rejected without an exact check. */
double rp__dedup_verify_floor(const rp_dedup *d, bool short_text);
/* 3 (dedup_verify.c): candidates decided on signatures into accepted, or
 * listed in exact (their documents marked in the bitmap need). */
rp_status rp__dedup_stage_verify(rp_dedup *d, rp__sorter *cands, rp__sorter *accepted,
                                 rp__sorter *exact, uint8_t *need, rp_error *err);
/* 3 with --against: near duplicates of each input in the index, as nodes
 * after the inputs. */
rp_status rp__dedup_stage_against(rp_dedup *d, rp__sorter *accepted, rp__sorter *exact,
                                  uint8_t *need, rp_error *err);
/* 4 (dedup_verify.c): the pairs in exact decided on their shingle sets. */
rp_status rp__dedup_stage_exact(rp_dedup *d, rp__sorter *exact, rp__sorter *accepted,
                                const uint8_t *need, rp_error *err);
/* 5 (dedup_cluster.c): clusters, representatives and sizes. */
rp_status rp__dedup_stage_cluster(rp_dedup *d, rp_error *err);

/* ---- on ranks (opts.comm) ----------------------------------------------------- */
/* dedup_shard.c: plan which files and byte ranges each rank reads
 * (collective; sets d->shard), open this rank's share as a source, free. */
rp_status rp__dedup_shard_plan(rp_dedup *d, rp_error *err);
rp_status rp__dedup_shard_open(const rp_dedup *d, bool again, rp_source **src, rp_error *err);
void rp__dedup_shard_free(struct rp__dedup_shard *sh);
/* The input bytes rank's share holds, and all ranks' together. */
void rp__dedup_shard_share(const struct rp__dedup_shard *sh, int rank, uint64_t *mine,
                           uint64_t *total);
/* dedup_dist.c: the five stages over the ranks; afterwards rank 0 holds
 * the outcome of the whole input, as one process would. */
rp_status rp__dedup_run_dist(rp_dedup *d, rp_error *err);

#endif /* REPRINT_DEDUP_INT_H */
