/* render_json.c - the comparison as the JSON object of DESIGN.md's contract,
 * printed on one line (cJSON builds and escapes it). */
#include "cli.h"

#include <cJSON.h>
#include <math.h>
#include <string.h>

void cli_json_add_bytes(cJSON *obj, const char *key, const char *s, size_t n)
{
    char *q = rp_json_quote(s, n, NULL);
    if (q != NULL) cJSON_AddRawToObject(obj, key, q);
    rp_free(q);
}

/* Round to 4 decimals so output is stable and short. */
static double r4(double x)
{
    return round(x * 10000.0) / 10000.0;
}

static cJSON *doc_obj(const rp_doc *d)
{
    size_t len, n;
    rp_doc_text(d, &len);
    rp_doc_tokens(d, &n);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cli_json_add_bytes(o, "name", rp_doc_name(d), strlen(rp_doc_name(d)));
    cJSON_AddNumberToObject(o, "bytes", (double)len);
    cJSON_AddNumberToObject(o, "tokens", (double)n);
    return o;
}

/* The "passages" array of the compare contract. */
static void add_passages(cJSON *root, const rp_result *r)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "passages");
    size_t n;
    const rp_passage *p = rp_result_passages(r, &n);
    for (size_t i = 0; arr != NULL && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (o == NULL) break;
        cJSON_AddNumberToObject(o, "a_start", (double)p[i].a_start);
        cJSON_AddNumberToObject(o, "a_end", (double)p[i].a_end);
        cJSON_AddNumberToObject(o, "b_start", (double)p[i].b_start);
        cJSON_AddNumberToObject(o, "b_end", (double)p[i].b_end);
        cJSON_AddNumberToObject(o, "tokens", (double)p[i].tokens);
        cJSON_AddNumberToObject(o, "similarity", r4(p[i].similarity));
        cJSON_AddItemToArray(arr, o);
    }
}

/* Print root on one line and free it. */
static int print_line(FILE *out, cJSON *root)
{
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (s == NULL) return -1;
    fputs(s, out);
    fputc('\n', out);
    cJSON_free(s);
    return ferror(out) ? -1 : 0;
}

int render_json(FILE *out, const rp_doc *a, const rp_doc *b, const rp_result *r)
{
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return -1;
    cJSON_AddItemToObject(root, "a", doc_obj(a));
    cJSON_AddItemToObject(root, "b", doc_obj(b));
    cJSON_AddNumberToObject(root, "jaccard", r4(rp_result_jaccard(r)));
    cJSON_AddNumberToObject(root, "containment_a", r4(rp_result_containment_a(r)));
    cJSON_AddNumberToObject(root, "containment_b", r4(rp_result_containment_b(r)));
    cJSON_AddStringToObject(root, "verdict", rp_verdict_name(rp_result_verdict(r)));
    cJSON_AddNumberToObject(root, "similarity", r4(rp_result_similarity(r)));
    cJSON_AddNumberToObject(root, "shingles_a", r4(rp_result_shingles_a(r)));
    cJSON_AddNumberToObject(root, "shingles_b", r4(rp_result_shingles_b(r)));
    add_passages(root, r);
    return print_line(out, root);
}

static cJSON *id_obj(const char *id, size_t id_len, const rp_doc *d)
{
    size_t n;
    rp_doc_tokens(d, &n);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cli_json_add_bytes(o, "id", id, id_len);
    cJSON_AddNumberToObject(o, "tokens", (double)n);
    return o;
}

cJSON *render_pair_object_n(const char *a_id, size_t a_id_len, const rp_doc *a, const char *b_id,
                            size_t b_id_len, const rp_doc *b, const rp_result *r)
{
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return NULL;
    cJSON_AddItemToObject(root, "a", id_obj(a_id, a_id_len, a));
    cJSON_AddItemToObject(root, "b", id_obj(b_id, b_id_len, b));
    cJSON_AddNumberToObject(root, "containment_a", r4(rp_result_containment_a(r)));
    cJSON_AddNumberToObject(root, "containment_b", r4(rp_result_containment_b(r)));
    cJSON_AddNumberToObject(root, "jaccard", r4(rp_result_jaccard(r)));
    cJSON_AddNumberToObject(root, "similarity", r4(rp_result_similarity(r)));
    add_passages(root, r);
    return root;
}

cJSON *render_pair_object(const char *a_id, const rp_doc *a, const char *b_id, const rp_doc *b,
                          const rp_result *r)
{
    return render_pair_object_n(a_id, strlen(a_id), a, b_id, strlen(b_id), b, r);
}

int render_pair_record(FILE *out, const char *a_id, size_t a_id_len, const rp_doc *a,
                       const char *b_id, size_t b_id_len, const rp_doc *b, const rp_result *r)
{
    cJSON *root = render_pair_object_n(a_id, a_id_len, a, b_id, b_id_len, b, r);
    return root == NULL ? -1 : print_line(out, root);
}
