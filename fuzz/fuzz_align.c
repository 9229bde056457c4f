/* fuzz_align.c - fuzz the aligner with two documents.
 *
 * The input is split at its first 0xFF byte into A and B (read lossily, so
 * every input is a valid pair); the target checks the result invariants:
 * passages inside both texts, ordered, non-overlapping, scores in [0,1]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = memchr(data, 0xFF, size);
    size_t la = sep ? (size_t)(sep - data) : size / 2;
    size_t off_b = sep ? la + 1 : la;
    rp_text_opts o;
    rp_text_opts_init(&o);
    o.lossy = 1;
    rp_compare_opts co;
    rp_compare_opts_init(&co);
    co.min_words = 2; /* small inputs: exercise the aligner, not just filters */
    rp_doc *a = NULL, *b = NULL;
    rp_result *r = NULL;
    if (rp_doc_new("a", (const char *)data, la, &o, &a, NULL) != RP_OK ||
        rp_doc_new("b", (const char *)data + off_b, size - off_b, &o, &b, NULL) != RP_OK ||
        rp_compare(a, b, &co, &r, NULL) != RP_OK)
        abort();
    size_t np, lb, na, nb;
    const rp_passage *p = rp_result_passages(r, &np);
    rp_doc_text(b, &lb);
    rp_doc_tokens(a, &na);
    rp_doc_tokens(b, &nb);
    for (size_t i = 0; i < np; i++) {
        if (p[i].a_start >= p[i].a_end || p[i].a_end > la || p[i].b_start >= p[i].b_end ||
            p[i].b_end > lb || p[i].a_tok_end > na || p[i].b_tok_end > nb || p[i].similarity < 0 ||
            p[i].similarity > 1)
            abort();
        if (i > 0 && p[i - 1].a_start > p[i].a_start) abort();
        for (size_t j = 0; j < i; j++)
            if (!(p[j].a_tok_end <= p[i].a_tok || p[i].a_tok_end <= p[j].a_tok) ||
                !(p[j].b_tok_end <= p[i].b_tok || p[i].b_tok_end <= p[j].b_tok))
                abort();
    }
    double c = rp_result_containment_a(r) + rp_result_containment_b(r) + rp_result_jaccard(r);
    if (!(c >= 0 && c <= 3)) abort();
    rp_result_free(r);
    rp_doc_free(a);
    rp_doc_free(b);
    return 0;
}
