/* exchange.c - records sent between ranks in bounded rounds (rp__outbox).
 *
 * A stage puts each record it makes for another rank into an outbox, one
 * queue per destination; past the memory budget the queues are appended
 * to one unlinked temporary file as chunks. rp__outbox_exchange() then
 * runs rounds: each rank takes up to `round` bytes of whole records per
 * destination (spilled chunks first, in order), the counts and then the
 * bytes go all-to-all, and the receiver hands each record to a callback,
 * by source rank in the order the source put them. Rounds go on until no
 * rank has anything left (a sum over ranks), so producers never need to
 * agree on when to exchange, and memory stays within the budget whatever
 * the volume. Records of any length are framed with a 4-byte length. */
#include "base/base.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_ROUND ((size_t)16 << 10) /* per pair of ranks: 50 MB per round at 3,200 ranks */
#define MAX_ROUND ((size_t)4 << 20)

typedef struct chunk {
    uint64_t off, len;
} chunk;

typedef struct queue {
    char *buf; /* records not spilled */
    size_t len, cap, pos;
    chunk *chunks; /* spilled, in order */
    size_t n_chunks, chunks_cap, next;
    uint64_t chunk_pos; /* bytes of chunks[next] already sent */
} queue;

struct rp__outbox {
    rp_comm *c;
    size_t rec; /* 0: framed records of any length */
    size_t mem, in_mem, round;
    char *tmpdir;
    int fd;
    uint64_t file_len;
    queue *q;
    char *sbuf, *rbuf;
    size_t sbuf_cap, rbuf_cap;
    uint64_t *scount, *rcount;
};

rp_status rp__outbox_new(rp_comm *c, size_t rec_size, size_t mem, const char *tmpdir,
                         rp__outbox **out, rp_error *err)
{
    *out = NULL;
    rp__outbox *o = rp__calloc(1, sizeof *o);
    if (o == NULL) return rp__nomem(err, "");
    o->c = c;
    o->rec = rec_size;
    o->mem = mem < MIN_ROUND ? MIN_ROUND : mem;
    size_t per = o->mem / (4 * (size_t)c->size);
    o->round = per < MIN_ROUND ? MIN_ROUND : per > MAX_ROUND ? MAX_ROUND : per;
    if (rec_size > 0 && o->round < rec_size) o->round = rec_size;
    o->fd = -1;
    o->tmpdir = rp__strdup(tmpdir ? tmpdir : "/tmp");
    o->q = rp__calloc((size_t)c->size, sizeof *o->q);
    o->scount = rp__calloc((size_t)c->size, sizeof *o->scount);
    o->rcount = rp__calloc((size_t)c->size, sizeof *o->rcount);
    if (o->tmpdir == NULL || o->q == NULL || o->scount == NULL || o->rcount == NULL) {
        rp__outbox_free(o);
        return rp__nomem(err, "");
    }
    *out = o;
    return RP_OK;
}

void rp__outbox_free(rp__outbox *o)
{
    if (o == NULL) return;
    for (int p = 0; o->q != NULL && p < o->c->size; p++) {
        rp__free(o->q[p].buf);
        rp__free(o->q[p].chunks);
    }
    rp__free(o->q);
    rp__free(o->scount);
    rp__free(o->rcount);
    rp__free(o->sbuf);
    rp__free(o->rbuf);
    rp__free(o->tmpdir);
    if (o->fd >= 0) close(o->fd);
    rp__free(o);
}

/* Move every queue's records in memory to the temporary file. */
static rp_status spill(rp__outbox *o, rp_error *err)
{
    if (o->fd < 0) RP_TRY(rp__tmp_open(o->tmpdir, &o->fd, err));
    for (int p = 0; p < o->c->size; p++) {
        queue *q = &o->q[p];
        if (q->len == 0) continue;
        if (!rp__grow((void **)&q->chunks, &q->chunks_cap, q->n_chunks + 1, sizeof *q->chunks))
            return rp__nomem(err, "");
        RP_TRY(rp__tmp_write(o->fd, q->buf, q->len, o->file_len, o->tmpdir, err));
        q->chunks[q->n_chunks++] = (chunk){o->file_len, q->len};
        o->file_len += q->len;
        q->len = 0;
    }
    o->in_mem = 0;
    return RP_OK;
}

rp_status rp__outbox_put(rp__outbox *o, int dest, const void *rec, size_t len, rp_error *err)
{
    if (len > UINT32_MAX)
        return rp__fail(err, RP_ERR_LIMIT, "", 0, "a record of %zu bytes is too long to send", len);
    queue *q = &o->q[dest];
    size_t need = len + (o->rec ? 0 : 4);
    if (!rp__grow((void **)&q->buf, &q->cap, q->len + need, 1)) return rp__nomem(err, "");
    if (o->rec == 0) {
        uint32_t n = (uint32_t)len;
        memcpy(q->buf + q->len, &n, 4);
        q->len += 4;
    }
    memcpy(q->buf + q->len, rec, len);
    q->len += len;
    o->in_mem += need;
    if (o->in_mem > o->mem) RP_TRY(spill(o, err));
    return RP_OK;
}

/* How many bytes of whole records from p[0..n) fit in limit (at least one
 * record, which may be longer than limit; may be cut: n is then what is
 * known, and *more says the first record needs more bytes than n). */
static size_t whole(const rp__outbox *o, const char *p, size_t n, size_t limit, size_t *more)
{
    *more = 0;
    if (o->rec > 0) {
        size_t k = (n < limit ? n : limit) / o->rec * o->rec;
        return k > 0 ? k : o->rec;
    }
    size_t at = 0;
    while (at + 4 <= n) {
        uint32_t len;
        memcpy(&len, p + at, 4);
        size_t next = at + 4 + len;
        if (next > n || (next > limit && at > 0)) {
            if (at == 0) *more = next;
            break;
        }
        at = next;
    }
    if (at == 0 && *more == 0) *more = 4;
    return at;
}

/* Append up to o->round bytes of whole records for p to the send buffer
 * at *used. */
static rp_status take(rp__outbox *o, int p, size_t *used, rp_error *err)
{
    queue *q = &o->q[p];
    size_t start = *used;
    if (q->next < q->n_chunks) {
        chunk *ch = &q->chunks[q->next];
        uint64_t left = ch->len - q->chunk_pos;
        size_t n = left < o->round ? (size_t)left : o->round;
        if (o->rec > 0 && n < o->rec) n = o->rec;
        for (;;) {
            if (!rp__grow((void **)&o->sbuf, &o->sbuf_cap, start + n, 1)) return rp__nomem(err, "");
            RP_TRY(rp__tmp_read(o->fd, o->sbuf + start, n, ch->off + q->chunk_pos, o->tmpdir, err));
            size_t more;
            size_t k = whole(o, o->sbuf + start, n, o->round, &more);
            if (k == 0) {
                n = more; /* one record longer than a round: read it whole */
                continue;
            }
            *used = start + k;
            q->chunk_pos += k;
            if (q->chunk_pos == ch->len) {
                q->next++;
                q->chunk_pos = 0;
            }
            return RP_OK;
        }
    }
    if (q->pos < q->len) {
        size_t more;
        size_t k = whole(o, q->buf + q->pos, q->len - q->pos, o->round, &more);
        if (!rp__grow((void **)&o->sbuf, &o->sbuf_cap, start + k, 1)) return rp__nomem(err, "");
        memcpy(o->sbuf + start, q->buf + q->pos, k);
        q->pos += k;
        *used = start + k;
    }
    return RP_OK;
}

static bool has_more(const queue *q)
{
    return q->next < q->n_chunks || q->pos < q->len;
}

rp_status rp__outbox_exchange(rp__outbox *o, rp__deliver_fn fn, void *ctx, rp_error *err)
{
    rp_comm *c = o->c;
    int size = c->size;
    for (;;) {
        size_t used = 0;
        for (int p = 0; p < size; p++) {
            size_t before = used;
            RP_TRY(take(o, p, &used, err));
            o->scount[p] = used - before;
        }
        c->ops->alltoall_counts(c->impl, o->scount, o->rcount);
        uint64_t total = 0;
        for (int p = 0; p < size; p++)
            total += o->rcount[p];
        if (!rp__grow((void **)&o->rbuf, &o->rbuf_cap, (size_t)total + 1, 1))
            return rp__nomem(err, "");
        if (!rp__grow((void **)&o->sbuf, &o->sbuf_cap, used + 1, 1)) return rp__nomem(err, "");
        rp__comm_alltoallv(c, o->sbuf, o->scount, o->rbuf, o->rcount);
        size_t at = 0;
        for (int p = 0; p < size; p++) {
            size_t end = at + (size_t)o->rcount[p];
            while (at < end) {
                size_t len = o->rec;
                if (len == 0) {
                    uint32_t n;
                    memcpy(&n, o->rbuf + at, 4);
                    at += 4;
                    len = n;
                }
                RP_TRY(fn(ctx, p, o->rbuf + at, len, err));
                at += len;
            }
        }
        uint64_t left = 0;
        for (int p = 0; p < size; p++)
            left += has_more(&o->q[p]);
        rp__comm_allreduce(c, &left, 1, RP__REDUCE_SUM);
        if (left == 0) break;
    }
    for (int p = 0; p < size; p++) {
        queue *q = &o->q[p];
        q->len = q->pos = 0;
        q->n_chunks = q->next = 0;
        q->chunk_pos = 0;
    }
    o->in_mem = 0;
    o->file_len = 0;
    return RP_OK;
}
