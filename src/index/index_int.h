/* index_int.h - the layout of rp_index and what its files share.
 *
 * Private to src/index/ (and its white-box test). */
#ifndef REPRINT_INDEX_INT_H
#define REPRINT_INDEX_INT_H

#include "base/base.h"
#include "sketch/sketch.h"
#include "text/text.h"

/* An rp_index is an SQLite database (docs/index-format.md). index_db.c
 * holds the SQLite helpers the others call; index.c owns the file, its
 * parameters, documents and batches; index_segment.c the posting segments
 * (writing, merging, lookups); index_query.c candidate search and
 * alignment; index_near.c near-duplicate search over the signatures. */
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
    size_t last_committed; /* rp_index_committed() */
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
/* The first column of the first row of sql (0 when it has no row), with
 * binds[0..n_binds) bound to ?1, ?2, ...; `what` names the step in errors. */
rp_status rp__index_int(rp_index *idx, const char *sql, const int64_t *binds, size_t n_binds,
                        const char *what, int64_t *out, rp_error *err);
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

#endif /* REPRINT_INDEX_INT_H */
