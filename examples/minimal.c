/* minimal.c - the smallest complete user of libreprint: compare two strings
 * and print the passages they share, with byte offsets into each.
 *
 * Build: cc minimal.c -lreprint $(pkg-config --libs libutf8proc libxxhash)
 *        -lpthread -lm */
#include <stdio.h>
#include <string.h>

#include "reprint.h"

int main(void)
{
    const char *wire = "The harbour authority on Tuesday approved a six-month trial of night ferry "
                       "crossings to Calder Island, ending a dispute with island residents.";
    const char *paper = "PORT ELLISON - The harbour authority yesterday approved a six-month trial "
                        "of night ferry crossings to Calder Island, ending a row with island "
                        "residents. Subscribe for more news.";
    rp_doc *a = NULL, *b = NULL;
    rp_result *res = NULL;
    rp_error err;
    int status = 1;

    /* Documents copy the bytes they are given; NULL options mean defaults. */
    if (rp_doc_new("wire", wire, strlen(wire), NULL, &a, &err) != RP_OK ||
        rp_doc_new("paper", paper, strlen(paper), NULL, &b, &err) != RP_OK ||
        rp_compare(a, b, NULL, &res, &err) != RP_OK) {
        fprintf(stderr, "minimal: %s: %s\n", err.path, err.msg);
        goto done;
    }

    size_t n;
    const rp_passage *p = rp_result_passages(res, &n);
    for (size_t i = 0; i < n; i++) {
        printf("passage %zu: A[%llu,%llu) = B[%llu,%llu), %zu words matched, similarity %.2f\n",
               i + 1, (unsigned long long)p[i].a_start, (unsigned long long)p[i].a_end,
               (unsigned long long)p[i].b_start, (unsigned long long)p[i].b_end, p[i].tokens,
               p[i].similarity);
        printf("  A: %.*s\n", (int)(p[i].a_end - p[i].a_start), wire + p[i].a_start);
        printf("  B: %.*s\n", (int)(p[i].b_end - p[i].b_start), paper + p[i].b_start);
    }
    printf("containment A %.2f, B %.2f; verdict %s\n", rp_result_containment_a(res),
           rp_result_containment_b(res), rp_verdict_name(rp_result_verdict(res)));
    status = n > 0 ? 0 : 1;
done:
    rp_result_free(res); /* each object is freed by its own function */
    rp_doc_free(a);
    rp_doc_free(b);
    return status;
}
