/* dedup_output.c - the deduplicated input (rp_dedup_write).
 *
 * The input is read again and each kept document written: JSONL lines as
 * they were, plain-text documents as {"id","text"} objects. On ranks
 * (opts.comm) every rank reads its own share again: rank 0 tells each the
 * documents it keeps, writes its own, then those the others send it, rank
 * by rank (document order), so the file is the one-process file and no
 * rank reads another's input. */
#include "dedup/dedup_int.h"

#include <stdio.h>
#include <string.h>

#define SEND_CHUNK ((size_t)1 << 20) /* bytes of records per message to rank 0 */

/* rp__dedup_reread(): a kept document to the output, or (ranks > 0) to
 * the buffer of records for rank 0. */
typedef struct kept_ctx {
    const rp_dedup *d;
    rp__writer *w;
    const uint8_t *kept; /* ranks > 0: this rank's kept documents, else NULL */
    char *buf;
    size_t len, cap;
} kept_ctx;

static rp_status put_record(rp__writer *w, int is_json, const char *raw, size_t raw_len,
                            const char *id, size_t id_len, rp_error *err)
{
    if (is_json) {
        RP_TRY(rp__writer_write(w, raw, raw_len, err));
    } else {
        RP_TRY(rp__writer_write(w, "{\"id\":", 6, err));
        RP_TRY(rp__writer_json_string(w, id, id_len, err));
        RP_TRY(rp__writer_write(w, ",\"text\":", 8, err));
        RP_TRY(rp__writer_json_string(w, raw, raw_len, err));
        RP_TRY(rp__writer_write(w, "}", 1, err));
    }
    return rp__writer_write(w, "\n", 1, err);
}

/* A record for rank 0: {is_json, raw length, id length}, raw, id. */
static rp_status pack_record(kept_ctx *k, const rp_record *r, rp_error *err)
{
    size_t raw_len = r->is_json ? r->raw_len : r->text_len, id_len = r->is_json ? 0 : r->id_len;
    uint64_t head[3] = {(uint64_t)r->is_json, raw_len, id_len};
    if (!rp__grow((void **)&k->buf, &k->cap, k->len + sizeof head + raw_len + id_len, 1))
        return rp__nomem(err, "");
    memcpy(k->buf + k->len, head, sizeof head);
    memcpy(k->buf + k->len + sizeof head, r->is_json ? r->raw : r->text, raw_len);
    memcpy(k->buf + k->len + sizeof head + raw_len, r->id, id_len);
    k->len += sizeof head + raw_len + id_len;
    return RP_OK;
}

/* Ranks > 0: send the buffered records to rank 0 (len 0: the end). */
static void send_chunk(kept_ctx *k)
{
    uint64_t n = k->len;
    rp__comm_send(k->d->o.comm, 0, &n, sizeof n);
    if (n > 0) rp__comm_send(k->d->o.comm, 0, k->buf, k->len);
    k->len = 0;
}

static rp_status write_kept(void *ctx, uint64_t i, const rp_record *r, rp_source *src,
                            rp_error *err)
{
    (void)src;
    kept_ctx *k = ctx;
    if (k->kept != NULL) {
        if (!(k->kept[i / 8] & (1u << (i % 8)))) return RP_OK;
        RP_TRY(pack_record(k, r, err));
        if (k->len >= SEND_CHUNK) send_chunk(k);
        return RP_OK;
    }
    if (k->d->rep[i] != i) return RP_OK;
    return r->is_json ? put_record(k->w, 1, r->raw, r->raw_len, NULL, 0, err)
                      : put_record(k->w, 0, r->text, r->text_len, r->id, r->id_len, err);
}

/* Rank 0: each rank's kept documents, as a bitmap of its own numbering. */
static rp_status send_kept(const rp_dedup *d, rp_error *err)
{
    rp_comm *c = d->o.comm;
    for (int r = 1; r < c->size; r++) {
        uint64_t lo = d->rank_first[r], n = d->rank_first[r + 1] - lo;
        uint8_t *bits = rp__calloc((size_t)n / 8 + 1, 1);
        if (bits == NULL) return rp__nomem(err, "");
        for (uint64_t i = 0; i < n; i++)
            if (d->rep[lo + i] == lo + i) bits[i / 8] |= (uint8_t)(1u << (i % 8));
        rp__comm_send(c, r, bits, (size_t)n / 8 + 1);
        rp__free(bits);
    }
    return RP_OK;
}

/* Rank 0: write what ranks 1, 2, ... send, in rank order. */
static rp_status write_received(rp_dedup *d, kept_ctx *k, rp_error *err)
{
    rp_comm *c = d->o.comm;
    for (int src = 1; src < c->size; src++) {
        for (;;) {
            uint64_t n;
            rp__comm_recv(c, src, &n, sizeof n);
            if (n == 0) break;
            if (!rp__grow((void **)&k->buf, &k->cap, (size_t)n, 1)) return rp__nomem(err, "");
            rp__comm_recv(c, src, k->buf, (size_t)n);
            for (size_t at = 0; at < n;) {
                uint64_t head[3];
                memcpy(head, k->buf + at, sizeof head);
                const char *raw = k->buf + at + sizeof head;
                RP_TRY(put_record(k->w, (int)head[0], raw, (size_t)head[1], raw + head[1],
                                  (size_t)head[2], err));
                at += sizeof head + head[1] + head[2];
            }
        }
    }
    return RP_OK;
}

/* On ranks: this rank's share read again (its own document count for the
 * check of rp__dedup_reread), its kept documents written or sent. */
static rp_status write_ranks(rp_dedup *d, const char *out_path, rp_error *err)
{
    rp_comm *c = d->o.comm;
    kept_ctx k = {d, NULL, NULL, NULL, 0, 0};
    uint64_t n = d->n;
    rp_status rc = RP_OK;
    if (c->rank != 0) {
        uint8_t *bits = rp__malloc((size_t)d->n_own / 8 + 1);
        if (bits == NULL) return rp__nomem(err, ""); /* the caller ends the job */
        rp__comm_recv(c, 0, bits, (size_t)d->n_own / 8 + 1);
        k.kept = bits;
        d->n = d->n_own;
        rc = rp__dedup_reread(d, write_kept, &k, err);
        d->n = n;
        if (rc == RP_OK && k.len > 0) send_chunk(&k);
        if (rc == RP_OK) send_chunk(&k); /* empty: the end */
        rp__free(bits);
        rp__free(k.buf);
        return rc;
    }
    RP_TRY(send_kept(d, err));
    RP_TRY(rp__writer_open(out_path, &k.w, err));
    d->n = d->n_own;
    rc = rp__dedup_reread(d, write_kept, &k, err);
    d->n = n;
    if (rc == RP_OK) rc = write_received(d, &k, err);
    rp__free(k.buf);
    rp_status cl = rp__writer_close(k.w, rc == RP_OK, rc == RP_OK ? err : NULL);
    return rc != RP_OK ? rc : cl;
}

rp_status rp_dedup_write(rp_dedup *d, const char *out_path, rp_error *err)
{
    if (d == NULL || out_path == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_dedup_write: NULL argument");
    if (d->o.comm != NULL) return write_ranks(d, out_path, err);
    rp__writer *w = NULL;
    RP_TRY(rp__writer_open(out_path, &w, err));
    kept_ctx k = {d, w, NULL, NULL, 0, 0};
    rp_status rc = rp__dedup_reread(d, write_kept, &k, err);
    rp_status cl = rp__writer_close(w, rc == RP_OK, rc == RP_OK ? err : NULL);
    return rc != RP_OK ? rc : cl;
}
