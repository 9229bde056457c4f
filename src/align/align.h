/* align.h - passages between two documents and their scores.
 *
 * The passage aligner (align.c), the token diff inside a passage (diff.c)
 * and rp_compare() with its scores and verdict (compare.c). Depends on
 * base/, text/ and sketch/. */
#ifndef REPRINT_ALIGN_H
#define REPRINT_ALIGN_H

#include "base/base.h"
#include "sketch/sketch.h"
#include "text/text.h"

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

#endif /* REPRINT_ALIGN_H */
