/* dedup_output.c - the deduplicated input (rp_dedup_write).
 *
 * The input is read again and each kept document written: JSONL lines as
 * they were, plain-text documents as {"id","text"} objects. */
#include "dedup/dedup_int.h"

#include <stdio.h>
#include <string.h>

/* rp__dedup_reread(): a kept document to the output. */
typedef struct kept_ctx {
    const rp_dedup *d;
    rp__writer *w;
} kept_ctx;

static rp_status write_kept(void *ctx, uint64_t i, const rp_record *r, rp_source *src,
                            rp_error *err)
{
    (void)src;
    const kept_ctx *k = ctx;
    rp__writer *w = k->w;
    if (k->d->rep[i] != i) return RP_OK;
    if (r->is_json) {
        RP_TRY(rp__writer_write(w, r->raw, r->raw_len, err));
    } else {
        RP_TRY(rp__writer_write(w, "{\"id\":", 6, err));
        RP_TRY(rp__writer_json_string(w, r->id, r->id_len, err));
        RP_TRY(rp__writer_write(w, ",\"text\":", 8, err));
        RP_TRY(rp__writer_json_string(w, r->text, r->text_len, err));
        RP_TRY(rp__writer_write(w, "}", 1, err));
    }
    return rp__writer_write(w, "\n", 1, err);
}

rp_status rp_dedup_write(rp_dedup *d, const char *out_path, rp_error *err)
{
    if (d == NULL || out_path == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_dedup_write: NULL argument");
    rp__writer *w = NULL;
    RP_TRY(rp__writer_open(out_path, &w, err));
    kept_ctx k = {d, w};
    rp_status rc = rp__dedup_reread(d, write_kept, &k, err);
    rp_status cl = rp__writer_close(w, rc == RP_OK, rc == RP_OK ? err : NULL);
    return rc != RP_OK ? rc : cl;
}
