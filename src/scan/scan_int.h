/* scan_int.h - the layout of rp_scan and the records its stages pass on.
 *
 * Private to src/scan/ (and its white-box test). */
#ifndef REPRINT_SCAN_INT_H
#define REPRINT_SCAN_INT_H

#include "base/base.h"
#include "io/io.h"
#include "sketch/sketch.h"
#include "text/text.h"

/* The stages of rp_scan and the data passed between them:
 *  - scan.c: options, the scan object, fingerprinting into postings
 *    sorters, partitioned by fingerprint: records
 *    {hash, doc << 32 | token position};
 *  - scan_store.c: the documents' table and text store, read back by the
 *    later stages;
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
    rp__hmap ids; /* hash of each id -> its first document, for duplicates */
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
/* The text store (scan_store.c): open it (its buffer and temporary file),
 * append n bytes, write out the buffer; and read n bytes at off into buf.
 * RP_ERR_IO, RP_ERR_NOMEM. */
rp_status rp__scan_store_open(rp_scan *s, rp_error *err);
rp_status rp__scan_store_write(rp_scan *s, const char *p, size_t n, rp_error *err);
rp_status rp__scan_store_flush(rp_scan *s, rp_error *err);
rp_status rp__scan_pread(const rp_scan *s, void *buf, size_t n, uint64_t off, rp_error *err);
/* Stage 2: postings sorters -> pair sorters + s->bp. Frees the postings. */
rp_status rp__scan_pairs_build(rp_scan *s, rp_error *err);
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

#endif /* REPRINT_SCAN_INT_H */
