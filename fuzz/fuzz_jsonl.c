/* fuzz_jsonl.c - fuzz corpus input: format detection, decompression, the
 * JSONL line reader and its field extraction.
 *
 * The first byte chooses the options: bit 0 skip_bad, bit 1 lossy, bit 2 a
 * name that says JSONL ("fuzz.jsonl") or one that leaves it to the content
 * ("fuzz"), bit 3 custom field names. The rest is the file, read through
 * rp__source_open_mem(). The target checks what every record must satisfy
 * (terminated strings, increasing lines, valid text when strict, the same
 * text and id as cJSON reads from the raw line) and what every error must
 * (a known code, never a line error with skip_bad, repeated on the next
 * call). */
#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) abort();
}

/* Whether raw holds a \u escape that cJSON decodes to NUL ("\u0000", or
 * non-hex digits, which cJSON reads as 0): there cJSON's strings and keys
 * are cut short, so comparing with them would be meaningless. */
static int has_nul_escape(const char *raw, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (raw[i] != '\\' || raw[i + 1] != 'u') continue;
        int zero = 1, hex = 1;
        for (size_t k = i + 2; k < i + 6; k++) {
            char c = k < n ? raw[k] : 'x';
            zero &= c == '0';
            hex &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }
        if (zero || !hex) return 1;
    }
    return 0;
}

static void check_json(const rp_record *r, const rp_source_opts *o, int lossy)
{
    cJSON *root = cJSON_ParseWithLength(r->raw, r->raw_len);
    check(root != NULL && cJSON_IsObject(root));
    if (!has_nul_escape(r->raw, r->raw_len)) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, o->text_field);
        check(cJSON_IsString(t));
        if (memchr(r->text, 0, r->text_len) == NULL)
            check(strlen(t->valuestring) == r->text_len &&
                  memcmp(t->valuestring, r->text, r->text_len) == 0);
        else
            check(lossy);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, o->id_field);
        char want[64];
        if (id == NULL || cJSON_IsNull(id)) {
            snprintf(want, sizeof want, "%s:%llu", r->path, (unsigned long long)r->line);
            check(strcmp(r->id, want) == 0);
        } else if (cJSON_IsString(id)) {
            check(strcmp(id->valuestring, r->id) == 0);
        } else {
            check(cJSON_IsNumber(id));
            check(strtod(r->id, NULL) == id->valuedouble);
        }
    }
    cJSON_Delete(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    rp_source_opts o;
    rp_source_opts_init(&o);
    o.skip_bad = data[0] & 1;
    o.lossy = (data[0] >> 1) & 1;
    if (data[0] & 8) {
        o.text_field = "t";
        o.id_field = "i";
    }
    const char *name = (data[0] & 4) ? "fuzz.jsonl" : "fuzz";
    rp_source *s = NULL;
    rp_error err;
    if (rp__source_open_mem(name, data + 1, size - 1, &o, &s, &err) != RP_OK) abort();
    const rp_record *r;
    uint64_t last_line = 0;
    size_t n_records = 0, n_plain = 0;
    rp_status st;
    while ((st = rp_source_next(s, &r, &err)) == RP_OK && r != NULL) {
        n_records++;
        check(r->id[r->id_len] == '\0' && r->text[r->text_len] == '\0');
        check(r->raw[r->raw_len] == '\0' && strcmp(r->path, name) == 0);
        check(rp_source_bytes(s) <= size - 1);
        if (!o.lossy) {
            rp_doc *d = NULL;
            check(rp_doc_new("t", r->text, r->text_len, NULL, &d, NULL) == RP_OK);
            rp_doc_free(d);
        }
        if (r->is_json) {
            check(r->line > last_line && r->text_len <= r->raw_len && n_plain == 0);
            last_line = r->line;
            check_json(r, &o, o.lossy);
        } else {
            n_plain++;
            check(r->line == 0 && r->raw == r->text && n_records == 1);
            check(strcmp(r->id, name) == 0);
        }
    }
    if (st == RP_OK) {
        check(rp_source_next(s, &r, NULL) == RP_OK && r == NULL); /* the end stays */
        check(rp_source_bytes(s) == size - 1);
    } else {
        check(st == RP_ERR_PARSE || st == RP_ERR_UTF8 || st == RP_ERR_FORMAT || st == RP_ERR_LIMIT);
        check(err.code == st && strcmp(err.path, name) == 0);
        if (st == RP_ERR_PARSE) check(err.line > last_line);
        if (o.skip_bad) check(err.line == 0); /* line errors are skipped */
        rp_error again;
        check(rp_source_next(s, &r, &again) == st && r == NULL && again.line == err.line);
    }
    if (!o.skip_bad) check(rp_source_skipped(s) == 0);
    rp_source_free(s);
    return 0;
}
