/* doc.c - the document object: a private copy of the text and its tokens.
 *
 * rp_doc_new() validates the bytes (UTF-8, no NUL, size limit), copies them
 * and tokenizes; rp_doc_load() reads a file first (reader.c). */
#include "text/text.h"

#include <string.h>

void rp_text_opts_init(rp_text_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->lossy = 0;
    opts->seed = RP_HASH_SEED_DEFAULT;
}

/* Build a document that takes ownership of text (len bytes + NUL). */
static rp_status doc_take(const char *name, char *text, size_t len, const rp_text_opts *opts,
                          rp_doc **out, rp_error *err)
{
    rp_text_opts defaults;
    if (opts == NULL) {
        rp_text_opts_init(&defaults);
        opts = &defaults;
    }
    const char *label = name ? name : "";
    rp_status rc = RP_OK;
    rp_doc *d = NULL;
    if (len > RP_DOC_MAX_BYTES) {
        rc = rp__fail(err, RP_ERR_LIMIT, label, 0,
                      "document of %zu bytes exceeds the limit of %zu bytes", len,
                      (size_t)RP_DOC_MAX_BYTES);
        goto fail;
    }
    /* Not even lossy reading makes sense of UTF-16 or UTF-32. */
    const char *wide = rp__utf16_bom((const uint8_t *)text, len);
    if (wide != NULL) {
        rc = rp__bom_error(err, label, wide);
        goto fail;
    }
    if (!opts->lossy) {
        bool is_nul;
        size_t bad = rp__utf8_check((const uint8_t *)text, len, &is_nul);
        if (bad < len) {
            if (is_nul)
                rc = rp__fail(err, RP_ERR_FORMAT, label, bad,
                              "NUL byte at offset %zu: binary file, not text (use --lossy to "
                              "read it anyway)",
                              bad);
            else
                rc = rp__fail(err, RP_ERR_UTF8, label, bad,
                              "invalid UTF-8 at byte offset %zu (byte 0x%02X; use --lossy to "
                              "replace bad bytes)",
                              bad, (unsigned)(uint8_t)text[bad]);
            goto fail;
        }
    }
    d = rp__calloc(1, sizeof *d);
    if (d == NULL || (d->name = rp__strdup(label)) == NULL) goto nomem;
    d->text = text;
    text = NULL;
    d->len = len;
    d->seed = opts->seed;
    rc = rp__tokenize(d->text, d->len, d->seed, &d->toks);
    if (rc != RP_OK) goto nomem;
    *out = d;
    return RP_OK;
nomem:
    rc = rp__fail(err, RP_ERR_NOMEM, label, 0, "out of memory while reading the document");
fail:
    rp__free(text);
    rp_doc_free(d);
    *out = NULL;
    return rc;
}

rp_status rp_doc_new(const char *name, const char *text, size_t len, const rp_text_opts *opts,
                     rp_doc **out, rp_error *err)
{
    if (out == NULL || (text == NULL && len > 0))
        return rp__fail(err, RP_ERR_PARAM, name, 0, "rp_doc_new: NULL argument");
    *out = NULL;
    if (len > RP_DOC_MAX_BYTES)
        return rp__fail(err, RP_ERR_LIMIT, name ? name : "", 0,
                        "document of %zu bytes exceeds the limit of %zu bytes", len,
                        (size_t)RP_DOC_MAX_BYTES);
    char *copy = rp__malloc(len + 1);
    if (copy == NULL) return rp__nomem(err, name ? name : "");
    if (len > 0) memcpy(copy, text, len);
    copy[len] = '\0';
    return doc_take(name, copy, len, opts, out, err);
}

rp_status rp_doc_load(const char *path, const rp_text_opts *opts, rp_doc **out, rp_error *err)
{
    if (out == NULL || path == NULL)
        return rp__fail(err, RP_ERR_PARAM, path, 0, "rp_doc_load: NULL argument");
    *out = NULL;
    char *data;
    size_t len;
    RP_TRY(rp__read_file(path, &data, &len, err));
    return doc_take(path, data, len, opts, out, err);
}

void rp_doc_free(rp_doc *doc)
{
    if (doc == NULL) return;
    rp__free(doc->name);
    rp__free(doc->text);
    rp__tokens_free(&doc->toks);
    rp__free(doc);
}

const char *rp_doc_name(const rp_doc *doc)
{
    return doc->name;
}

const char *rp_doc_text(const rp_doc *doc, size_t *len)
{
    if (len != NULL) *len = doc->len;
    return doc->text;
}

const rp_token *rp_doc_tokens(const rp_doc *doc, size_t *n)
{
    if (n != NULL) *n = doc->toks.n;
    return doc->toks.tok;
}

size_t rp_doc_token_text(const rp_doc *doc, size_t i, char *buf, size_t cap)
{
    if (i >= doc->toks.n) return 0;
    const rp_token *t = &doc->toks.tok[i];
    uint8_t *nbuf = NULL;
    size_t ncap = 0;
    size_t nl =
        rp__normalize((const uint8_t *)doc->text + t->start, t->end - t->start, &nbuf, &ncap);
    if (nl == SIZE_MAX) {
        if (cap > 0) buf[0] = '\0';
        return 0;
    }
    if (cap > 0) {
        size_t c = nl < cap - 1 ? nl : cap - 1;
        memcpy(buf, nbuf, c);
        buf[c] = '\0';
    }
    rp__free(nbuf);
    return nl;
}
