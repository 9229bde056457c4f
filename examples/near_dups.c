/* near_dups.c - near-duplicate lookup with the library alone: sketch each
 * line of a file as a document, add it to an LSH index, and print the
 * earlier lines it nearly duplicates (estimated Jaccard of word 5-grams).
 *
 * Usage: near_dups [FILE]   (standard input without FILE)
 * Build: cc near_dups.c -lreprint $(pkg-config --libs libutf8proc libxxhash
 *        libcjson zlib libzstd) -lpthread -lm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reprint.h"

int main(int argc, char **argv)
{
    FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (in == NULL) {
        perror(argv[1]);
        return 1;
    }
    rp_sketch_opts so;
    rp_sketch_opts_init(&so); /* word 5-grams, 128 values */
    size_t bands, rows;
    rp_lsh_choose(0.8, so.hashes, &bands, &rows);
    rp_sketcher *sk = NULL;
    rp_lsh *lsh = NULL;
    rp_error err;
    int status = 1;
    char *line = NULL;
    size_t cap = 0;
    uint32_t sig[128];
    if (rp_sketcher_new(&so, &sk, &err) != RP_OK ||
        rp_lsh_new(so.hashes, bands, rows, &lsh, &err) != RP_OK) {
        fprintf(stderr, "near_dups: %s\n", err.msg);
        goto done;
    }
    for (unsigned long no = 1;; no++) {
        ssize_t n = getline(&line, &cap, in);
        if (n < 0) break;
        size_t shingles;
        if (rp_sketcher_sketch(sk, line, (size_t)n, sig, &shingles, &err) != RP_OK) {
            fprintf(stderr, "near_dups: line %lu: %s\n", no, err.msg);
            goto done;
        }
        if (shingles == 0) continue; /* a line without words */
        rp_lsh_match *m = NULL;
        size_t nm = 0;
        if (rp_lsh_query(lsh, sig, 0.8, &m, &nm, &err) != RP_OK ||
            rp_lsh_add(lsh, no, sig, &err) != RP_OK) {
            fprintf(stderr, "near_dups: %s\n", err.msg);
            rp_free(m);
            goto done;
        }
        for (size_t i = 0; i < nm; i++)
            printf("line %lu ~ line %llu (%.2f)\n", no, (unsigned long long)m[i].key,
                   m[i].similarity);
        rp_free(m); /* the library allocated it */
    }
    status = 0;
done:
    free(line);
    rp_lsh_free(lsh);
    rp_sketcher_free(sk);
    if (in != stdin) fclose(in);
    return status;
}
