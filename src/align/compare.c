/* compare.c - compare two documents: passages, edits, scores and verdict.
 *
 * rp_compare() runs the aligner (align.c), diffs each passage (diff.c) to get
 * its edits, matched tokens and similarity, and computes the document
 * scores: exact word n-gram Jaccard, containment of each side (share of its
 * tokens inside passages) and the METER-style verdict from containment_b. */
#include "align/align.h"

#include <stdlib.h>
#include <string.h>

/* Verdict thresholds on containment_b, chosen on the Clough-Stevenson corpus
 * (eval/clough.py; documented in reprint-compare(1)). */
#define WHOLLY_DEFAULT            0.75
#define WHOLLY_SIMILARITY_DEFAULT 0.87
#define PARTIALLY_DEFAULT         0.20

struct rp_result {
    double jaccard, cont_a, cont_b;
    double sim;                    /* passage similarity, weighted by tokens on both sides */
    double shingles_a, shingles_b; /* share of each side's n-grams found in the other */
    rp_verdict verdict;
    rp_passage *passages;
    size_t n_passages;
    rp_edit *edits;
    size_t n_edits;
    size_t *edit_start; /* edits of passage i: edit_start[i] .. edit_start[i+1] */
};

void rp_compare_opts_init(rp_compare_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->min_words = 8;
    opts->jaccard_ngram = 5;
    opts->wholly_threshold = WHOLLY_DEFAULT;
    opts->partially_threshold = PARTIALLY_DEFAULT;
    opts->wholly_similarity = WHOLLY_SIMILARITY_DEFAULT;
}

const char *rp_verdict_name(rp_verdict v)
{
    switch (v) {
    case RP_VERDICT_NON_DERIVED: return "non-derived";
    case RP_VERDICT_PARTIALLY_DERIVED: return "partially-derived";
    case RP_VERDICT_WHOLLY_DERIVED: return "wholly-derived";
    }
    return "unknown";
}

rp_status rp_compare(const rp_doc *a, const rp_doc *b, const rp_compare_opts *opts, rp_result **out,
                     rp_error *err)
{
    rp_compare_opts defaults;
    if (opts == NULL) {
        rp_compare_opts_init(&defaults);
        opts = &defaults;
    }
    if (out == NULL || a == NULL || b == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_compare: NULL argument");
    *out = NULL;
    if (opts->min_words < 1)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "min_words must be at least 1");
    if (opts->jaccard_ngram < 1 || opts->jaccard_ngram > 32)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "jaccard_ngram must be in 1..32, not %zu",
                        opts->jaccard_ngram);
    if (!(opts->partially_threshold >= 0 && opts->partially_threshold <= opts->wholly_threshold &&
          opts->wholly_threshold <= 1 && opts->wholly_similarity >= 0 &&
          opts->wholly_similarity <= 1))
        return rp__fail(err, RP_ERR_PARAM, "", 0,
                        "verdict thresholds must satisfy 0 <= partially <= wholly <= 1");
    if (a->seed != b->seed)
        return rp__fail(err, RP_ERR_MISMATCH, b->name, 0,
                        "documents hashed with different seeds (%llu for %s, %llu for %s)",
                        (unsigned long long)a->seed, a->name, (unsigned long long)b->seed, b->name);

    rp_result *r = rp__calloc(1, sizeof *r);
    if (r == NULL) goto nomem;
    rp__align_params ap = {opts->min_words, opts->progress, opts->progress_user};
    rp__alignment al = {0};
    if (rp__align(a, b, &ap, &al) != RP_OK) goto nomem;
    r->passages = al.passages;
    r->n_passages = al.n_passages;
    r->edits = al.edits;
    r->n_edits = al.n_edits;
    r->edit_start = al.edit_start;
    size_t cov_a = 0, cov_b = 0;
    double sim_w = 0; /* similarity weighted by both sides' lengths, so the mirror pair agrees */
    for (size_t i = 0; i < r->n_passages; i++) {
        const rp_passage *p = &r->passages[i];
        size_t la = p->a_tok_end - p->a_tok, lb = p->b_tok_end - p->b_tok;
        cov_a += la;
        cov_b += lb;
        sim_w += p->similarity * (double)(la + lb);
    }
    r->sim = cov_a + cov_b ? sim_w / (double)(cov_a + cov_b) : 0;
    r->cont_a = a->toks.n ? (double)cov_a / (double)a->toks.n : 0;
    r->cont_b = b->toks.n ? (double)cov_b / (double)b->toks.n : 0;
    rp__overlap ov;
    if (!rp__shingle_overlap(a->toks.tok, a->toks.n, b->toks.tok, b->toks.n, opts->jaccard_ngram,
                             &ov))
        goto nomem;
    r->jaccard = ov.jaccard;
    r->shingles_a = ov.contained_a;
    r->shingles_b = ov.contained_b;
    if (opts->progress != NULL) opts->progress(opts->progress_user, 1.0);
    if (r->cont_b < opts->partially_threshold)
        r->verdict = RP_VERDICT_NON_DERIVED;
    else if (r->cont_b >= opts->wholly_threshold && r->sim >= opts->wholly_similarity)
        r->verdict = RP_VERDICT_WHOLLY_DERIVED;
    else
        r->verdict = RP_VERDICT_PARTIALLY_DERIVED;
    *out = r;
    return RP_OK;
nomem:
    rp_result_free(r);
    return rp__fail(err, RP_ERR_NOMEM, "", 0, "out of memory comparing %s and %s", a->name,
                    b->name);
}

void rp_result_free(rp_result *res)
{
    if (res == NULL) return;
    rp__free(res->passages);
    rp__free(res->edits);
    rp__free(res->edit_start);
    rp__free(res);
}

double rp_result_jaccard(const rp_result *res)
{
    return res->jaccard;
}

double rp_result_shingles_a(const rp_result *res)
{
    return res->shingles_a;
}

double rp_result_shingles_b(const rp_result *res)
{
    return res->shingles_b;
}

double rp_result_containment_a(const rp_result *res)
{
    return res->cont_a;
}

double rp_result_containment_b(const rp_result *res)
{
    return res->cont_b;
}

double rp_result_similarity(const rp_result *res)
{
    return res->sim;
}

rp_verdict rp_result_verdict(const rp_result *res)
{
    return res->verdict;
}

const rp_passage *rp_result_passages(const rp_result *res, size_t *n)
{
    if (n != NULL) *n = res->n_passages;
    return res->passages;
}

const rp_edit *rp_result_edits(const rp_result *res, size_t i, size_t *n)
{
    if (i >= res->n_passages) {
        if (n != NULL) *n = 0;
        return NULL;
    }
    if (n != NULL) *n = res->edit_start[i + 1] - res->edit_start[i];
    return res->edits + res->edit_start[i];
}
