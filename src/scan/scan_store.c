/* scan_store.c - scan's documents: the text store and the accessors.
 *
 * Texts added to a scan are appended to the text store, an unlinked
 * temporary file written through a 1 MiB buffer, so a corpus larger than
 * memory can be read back by offset (pread) when its pairs are aligned; ids
 * and dates are kept in memory (rp_scan.meta). The later stages
 * (scan_align.c, scan_report.c) and the public accessors read documents
 * back through here. */
#include "scan/scan_int.h"

#include <string.h>

#define STORE_BUF ((size_t)1 << 20) /* write buffer of the text store */

rp_status rp__scan_store_open(rp_scan *s, rp_error *err)
{
    s->wbuf = rp__malloc(STORE_BUF);
    if (s->wbuf == NULL) return rp__nomem(err, "");
    return rp__tmp_open(s->tmpdir, &s->store_fd, err);
}

rp_status rp__scan_store_flush(rp_scan *s, rp_error *err)
{
    if (s->wlen == 0) return RP_OK;
    rp_status st =
        rp__tmp_write(s->store_fd, s->wbuf, s->wlen, s->store_len - s->wlen, s->tmpdir, err);
    s->wlen = 0;
    return st;
}

rp_status rp__scan_store_write(rp_scan *s, const char *p, size_t n, rp_error *err)
{
    if (n == 0) return RP_OK; /* p may be NULL */
    if (n > STORE_BUF - s->wlen) {
        RP_TRY(rp__scan_store_flush(s, err));
        if (n >= STORE_BUF) {
            RP_TRY(rp__tmp_write(s->store_fd, p, n, s->store_len, s->tmpdir, err));
            s->store_len += n;
            return RP_OK;
        }
    }
    memcpy(s->wbuf + s->wlen, p, n);
    s->wlen += n;
    s->store_len += n;
    return RP_OK;
}

rp_status rp__scan_pread(const rp_scan *s, void *buf, size_t n, uint64_t off, rp_error *err)
{
    return rp__tmp_read(s->store_fd, buf, n, off, s->tmpdir, err);
}

const char *rp_scan_doc_id(const rp_scan *s, size_t i, size_t *len)
{
    if (i >= s->n_docs) {
        if (len != NULL) *len = 0;
        return NULL;
    }
    if (len != NULL) *len = s->docs[i].id_len;
    return s->meta + s->docs[i].meta_off;
}

const char *rp_scan_doc_date(const rp_scan *s, size_t i, size_t *len)
{
    if (i >= s->n_docs || s->docs[i].date_len == 0) {
        if (len != NULL) *len = 0;
        return NULL;
    }
    if (len != NULL) *len = s->docs[i].date_len;
    return s->meta + s->docs[i].meta_off + s->docs[i].id_len + 1;
}

rp_status rp_scan_doc(const rp_scan *s, size_t i, rp_doc **out, rp_error *err)
{
    if (s == NULL || out == NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_doc: NULL");
    *out = NULL;
    if (s->state == 0 || i >= s->n_docs)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_doc: no document %zu", i);
    const rp__scan_doc *d = &s->docs[i];
    char *buf = rp__malloc((size_t)d->text_len + 1);
    if (buf == NULL) return rp__nomem(err, "");
    rp_status st = rp__scan_pread(s, buf, d->text_len, d->text_off, err);
    if (st == RP_OK) {
        rp_text_opts to;
        rp_text_opts_init(&to);
        to.lossy = s->o.lossy;
        to.seed = s->o.seed;
        st = rp_doc_new(s->meta + d->meta_off, buf, d->text_len, &to, out, err);
    }
    rp__free(buf);
    return st;
}
