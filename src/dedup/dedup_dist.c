/* dedup_dist.c - rp_dedup_run() spread over ranks (rp_dedup_opts.comm).
 *
 * The five stages of dedup_int.h, each rank working on its share of the
 * input (dedup_shard.c) and the stages exchanging records through
 * rp__outbox, so the outcome is the one-process run's for any number of
 * ranks:
 *  1. every rank reads and sketches its share (dedup_sketch.c as is); a
 *     gather of the counts gives each rank the global number of its first
 *     document (ranks hold contiguous runs of the input in rank order).
 *  2. band by band, (band key, document) records go to the rank the key
 *     hashes to, are sorted there within the memory budget and paired
 *     (rp__dedup_key_pairs, as in one process); each pair a < b goes to
 *     the rank owning a, whose sorter drops repeats across bands.
 *  3. a rank asks the owners of the b documents it lacks for their
 *     signatures and shingle counts, then decides each candidate as one
 *     process does.
 *  4. the pairs listed for an exact check: each owner reads its share
 *     again, makes the shingle sets of the documents it or others need and
 *     sends the requested ones; the rank owning a decides the pair.
 *  5. the ids, text lengths and accepted pairs stream to rank 0 in rank
 *     order (which is document order), and rank 0 clusters them with
 *     dedup_cluster.c; the chaining estimate fetches the signatures it
 *     needs from their owners.
 * Counters are summed over ranks; the time of each stage is that of the
 * slowest rank. */
#include "dedup/dedup_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define GATHER_RECS 65536 /* pairs per message to rank 0 */
/* Records waiting in an outbox: past this they go to its temporary file.
 * Rounds send at most 4 MiB per pair of ranks, so more buys no speed; it
 * would only add to the peak memory (shingle sets served to other ranks
 * are 4 KB per document). */
#define BOX_MAX ((size_t)4 << 20)

typedef struct dist {
    rp_dedup *d;
    rp_comm *c;
    int size, me;
    const uint64_t *first; /* d->rank_first */
    uint64_t lo, hi;       /* this rank's documents [lo, hi) */
    /* signatures of other ranks' documents (fetched) */
    rp__sig_store rsig;
    rp__hmap rmap; /* document -> slot */
    uint32_t *rnsh;
    size_t rnsh_cap;
    uint64_t n_remote;
    /* shingle sets: this rank's (local index) and fetched ones (by slot) */
    int set_fd;
    uint64_t set_len;
    uint64_t *off;
    uint32_t *cnt;
    rp__hmap smap;
    uint64_t *roff;
    uint32_t *rcnt;
    size_t roff_cap, rcnt_cap;
    uint64_t n_rsets;
    uint8_t *need; /* this rank's documents whose sets are needed */
    uint64_t *set, *tmp;
    size_t set_cap, tmp_cap;
    uint32_t *sbuf;
    rp__outbox *out; /* the outbox records are put into */
    size_t band;     /* the band whose keys are being routed */
    rp__sorter *sink, *sink2;
    uint64_t n_need;
    struct timespec t;
    double secs[5];
    uint64_t *times; /* every rank's secs, as bits */
    /* rank 0's progress: the caller's callback, and rank 0's share of the
     * input bytes scaled to the whole (ranks get equal shares) */
    rp_dedup_progress_fn progress;
    void *progress_user;
    double scale;
} dist;

/* Rank 0's reading progress stands for the job's. */
static void scaled_progress(void *user, int stage, uint64_t docs, uint64_t bytes)
{
    const dist *x = user;
    if (stage < 3) { /* reading and candidates go by rank 0's share */
        docs = (uint64_t)((double)docs * x->scale);
        bytes = (uint64_t)((double)bytes * x->scale);
    }
    x->progress(x->progress_user, stage, docs, bytes);
}

/* An outbox's budget: part of mem_limit, at most BOX_MAX. */
static size_t box_mem(const rp_dedup *d, size_t part)
{
    size_t m = d->o.mem_limit / part;
    return m < BOX_MAX ? m : BOX_MAX;
}

static int owner(const dist *x, uint64_t doc)
{
    int lo = 0, hi = x->size;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (x->first[mid] <= doc)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static bool is_local(const dist *x, uint64_t doc)
{
    return doc >= x->lo && doc < x->hi;
}

static void lap(dist *x, int stage)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    x->secs[stage] = (double)(now.tv_sec - x->t.tv_sec) + (double)(now.tv_nsec - x->t.tv_nsec) / 1e9;
    x->t = now;
}

/* ---- stage 2: candidates --------------------------------------------------- */

static rp_status key_in(void *ctx, int src, const void *rec, size_t len, rp_error *err)
{
    (void)src;
    (void)len;
    uint64_t r[2];
    memcpy(r, rec, sizeof r);
    return rp__sorter_add(((dist *)ctx)->sink, r, err);
}

static rp_status pair_out(void *ctx, uint64_t pair, rp_error *err)
{
    dist *x = ctx;
    return rp__outbox_put(x->out, owner(x, pair >> 32), &pair, 8, err);
}

/* A candidate for a document of this rank; b's signature is wanted when
 * another rank owns it. */
static rp_status pair_in(void *ctx, int src, const void *rec, size_t len, rp_error *err)
{
    (void)src;
    (void)len;
    dist *x = ctx;
    uint64_t pair, b;
    memcpy(&pair, rec, 8);
    RP_TRY(rp__sorter_add(x->sink, &pair, err));
    b = pair & 0xFFFFFFFFu;
    return is_local(x, b) ? RP_OK : rp__sorter_add(x->sink2, &b, err);
}

/* rp__dedup_band_keys(): a (band key, document) record to the rank its
 * key hashes to. */
static rp_status key_out(void *ctx, const uint64_t *rec, rp_error *err)
{
    dist *x = ctx;
    int dest = (int)(rp__hash_combine(rec[0], x->band) % (uint64_t)x->size);
    return rp__outbox_put(x->out, dest, rec, 16, err);
}

static rp_status candidates(dist *x, rp__sorter *cands, rp__sorter *want, rp_error *err)
{
    rp_dedup *d = x->d;
    rp__outbox *keys_out = NULL, *pairs_out = NULL;
    rp_status rc = rp__outbox_new(x->c, 16, box_mem(d, 8), d->tmpdir, &keys_out, err);
    if (rc == RP_OK) rc = rp__outbox_new(x->c, 8, box_mem(d, 16), d->tmpdir, &pairs_out, err);
    for (size_t band = 0; band < d->st.bands && rc == RP_OK; band++) {
        rp__sorter *keys = NULL;
        rc = rp__sorter_new(2, d->o.mem_limit / 8, d->tmpdir, false, &keys, err);
        x->band = band;
        x->out = keys_out;
        if (rc == RP_OK) rc = rp__dedup_band_keys(d, band, x->lo, key_out, x, err);
        x->sink = keys;
        if (rc == RP_OK) rc = rp__outbox_exchange(keys_out, key_in, x, err);
        x->out = pairs_out;
        if (rc == RP_OK) rc = rp__dedup_key_pairs(d, keys, pair_out, x, err);
        d->st.spill_runs += rp__sorter_runs(keys);
        rp__sorter_free(keys);
        if (d->o.progress) d->o.progress(d->o.progress_user, 1, d->n, 0);
    }
    x->sink = cands;
    x->sink2 = want;
    if (rc == RP_OK) rc = rp__outbox_exchange(pairs_out, pair_in, x, err);
    rp__outbox_free(keys_out);
    rp__outbox_free(pairs_out);
    return rc;
}

/* ---- fetching signatures from their owners ---------------------------------- */

/* At the owner: a request for document b's signature, answered with
 * {b, shingles, signature}. */
static rp_status sig_req(void *ctx, int src, const void *rec, size_t len, rp_error *err)
{
    (void)len;
    dist *x = ctx;
    rp_dedup *d = x->d;
    uint64_t b;
    memcpy(&b, rec, 8);
    const uint32_t *s;
    RP_TRY(rp__dedup_sigs_get(&d->sigs, b - x->lo, 1, x->sbuf + 3, &s, d->tmpdir, err));
    memcpy(x->sbuf, &b, 8);
    x->sbuf[2] = d->nsh[b - x->lo];
    if (s != x->sbuf + 3) memcpy(x->sbuf + 3, s, d->k * 4);
    return rp__outbox_put(x->out, src, x->sbuf, 12 + d->k * 4, err);
}

static rp_status sig_resp(void *ctx, int src, const void *rec, size_t len, rp_error *err)
{
    (void)src;
    (void)len;
    dist *x = ctx;
    rp_dedup *d = x->d;
    uint64_t b;
    memcpy(&b, rec, 8);
    memcpy(x->sbuf, rec, 12 + d->k * 4); /* aligned copy */
    bool inserted;
    uint32_t *slot = rp__hmap_put(&x->rmap, b, (uint32_t)x->n_remote, &inserted);
    if (slot == NULL) return rp__nomem(err, "");
    if (!inserted) return RP_OK;
    if (!rp__grow((void **)&x->rnsh, &x->rnsh_cap, (size_t)x->n_remote + 1, sizeof *x->rnsh))
        return rp__nomem(err, "");
    x->rnsh[x->n_remote++] = x->sbuf[2];
    return rp__dedup_sigs_add(&x->rsig, x->sbuf + 3, d->tmpdir, err);
}

/* Collective: the signatures of the documents in want (another rank's;
 * want may be NULL) into rsig, by rmap. */
static rp_status fetch_sigs(dist *x, rp__sorter *want, rp_error *err)
{
    rp_dedup *d = x->d;
    rp__outbox *req = NULL, *resp = NULL;
    rp_status rc = rp__outbox_new(x->c, 8, box_mem(d, 32), d->tmpdir, &req, err);
    if (rc == RP_OK)
        rc = rp__outbox_new(x->c, 12 + d->k * 4, box_mem(d, 16), d->tmpdir, &resp, err);
    while (rc == RP_OK && want != NULL) {
        const uint64_t *r = NULL;
        if ((rc = rp__sorter_next(want, &r, err)) != RP_OK || r == NULL) break;
        rc = rp__outbox_put(req, owner(x, r[0]), r, 8, err);
    }
    x->out = resp;
    if (rc == RP_OK) rc = rp__outbox_exchange(req, sig_req, x, err);
    if (rc == RP_OK) rc = rp__outbox_exchange(resp, sig_resp, x, err);
    if (rc == RP_OK) rc = rp__dedup_sigs_flush(&x->rsig, d->tmpdir, err);
    rp__outbox_free(req);
    rp__outbox_free(resp);
    return rc;
}

/* Document doc's signature (into buf, or borrowed) and shingle count. */
static rp_status doc_sig(dist *x, uint64_t doc, uint32_t *buf, const uint32_t **sig, uint32_t *nsh,
                         rp_error *err)
{
    rp_dedup *d = x->d;
    if (is_local(x, doc)) {
        *nsh = d->nsh[doc - x->lo];
        return rp__dedup_sigs_get(&d->sigs, doc - x->lo, 1, buf, sig, d->tmpdir, err);
    }
    const uint32_t *slot = rp__hmap_get(&x->rmap, doc);
    if (slot == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "document %llu: signature not fetched",
                        (unsigned long long)doc);
    *nsh = x->rnsh[*slot];
    return rp__dedup_sigs_get(&x->rsig, *slot, 1, buf, sig, d->tmpdir, err);
}

/* ---- stage 3: verification on signatures -------------------------------------- */

/* Mark this rank's document i as needing its shingle set. */
static void mark(dist *x, uint64_t i)
{
    if (x->need[i / 8] & (1u << (i % 8))) return;
    x->need[i / 8] |= (uint8_t)(1u << (i % 8));
    x->n_need++;
}

static rp_status verify(dist *x, rp__sorter *cands, rp__sorter *accepted, rp__sorter *exact,
                        rp__sorter *want_sets, rp_error *err)
{
    rp_dedup *d = x->d;
    size_t k = d->k;
    uint32_t *bufa = rp__malloc(k * sizeof *bufa), *bufb = rp__malloc(k * sizeof *bufb);
    rp_status rc = bufa == NULL || bufb == NULL ? rp__nomem(err, "") : RP_OK;
    uint64_t last_a = UINT64_MAX;
    const uint32_t *sa = NULL;
    uint32_t na = 0;
    while (rc == RP_OK) {
        const uint64_t *r = NULL;
        if ((rc = rp__sorter_next(cands, &r, err)) != RP_OK || r == NULL) break;
        uint64_t a = r[0] >> 32, b = r[0] & 0xFFFFFFFFu;
        d->st.candidates++;
        if (a != last_a && (rc = doc_sig(x, a, bufa, &sa, &na, err)) != RP_OK) break;
        last_a = a;
        const uint32_t *sb;
        uint32_t nb;
        if ((rc = doc_sig(x, b, bufb, &sb, &nb, err)) != RP_OK) break;
        double est = rp_signature_similarity(sa, sb, k);
        if (est < rp__dedup_verify_floor(d, na < 2 * k || nb < 2 * k)) continue;
        if (d->o.verify == RP_VERIFY_SIGNATURE) {
            uint64_t rec[2] = {r[0], rp__dedup_dbl_bits(est)};
            rc = rp__sorter_add(accepted, rec, err);
            continue;
        }
        mark(x, a - x->lo);
        if (is_local(x, b))
            mark(x, b - x->lo);
        else
            rc = rp__sorter_add(want_sets, &b, err);
        if (rc == RP_OK) rc = rp__sorter_add(exact, r, err);
    }
    rp__free(bufa);
    rp__free(bufb);
    return rc;
}

/* ---- stage 4: exact checks on shingle sets -------------------------------------- */

/* At the owner: document b's set is wanted by src. */
static rp_status set_req(void *ctx, int src, const void *rec, size_t len, rp_error *err)
{
    (void)len;
    dist *x = ctx;
    uint64_t r[2];
    memcpy(r, rec, 8);
    r[1] = (uint64_t)src;
    mark(x, r[0] - x->lo);
    return rp__sorter_add(x->sink, r, err);
}

/* rp__dedup_reread(): the set of a needed document of this rank. */
static rp_status make_set(void *ctx, uint64_t i, const rp_record *r, rp_source *src, rp_error *err)
{
    (void)src;
    dist *x = ctx;
    rp_dedup *d = x->d;
    if (!(x->need[i / 8] & (1u << (i % 8)))) return RP_OK;
    size_t nset;
    if (rp__shingle_set(r->text, r->text_len, d->o.sketch.ngram, d->o.sketch.seed, &x->set,
                        &x->set_cap, &x->tmp, &x->tmp_cap, &nset) != RP_OK)
        return rp__nomem(err, "");
    if (nset > UINT32_MAX) nset = UINT32_MAX;
    x->off[i] = x->set_len;
    x->cnt[i] = (uint32_t)nset;
    RP_TRY(rp__tmp_write(x->set_fd, x->set, nset * 8, x->set_len, d->tmpdir, err));
    x->set_len += nset * 8;
    return RP_OK;
}

static rp_status set_resp(void *ctx, int src, const void *rec, size_t len, rp_error *err)
{
    (void)src;
    dist *x = ctx;
    rp_dedup *d = x->d;
    uint64_t b;
    memcpy(&b, rec, 8);
    bool inserted;
    uint32_t *slot = rp__hmap_put(&x->smap, b, (uint32_t)x->n_rsets, &inserted);
    if (slot == NULL) return rp__nomem(err, "");
    if (!inserted) return RP_OK;
    if (!rp__grow((void **)&x->roff, &x->roff_cap, (size_t)x->n_rsets + 1, sizeof *x->roff) ||
        !rp__grow((void **)&x->rcnt, &x->rcnt_cap, (size_t)x->n_rsets + 1, sizeof *x->rcnt))
        return rp__nomem(err, "");
    x->roff[x->n_rsets] = x->set_len;
    x->rcnt[x->n_rsets++] = (uint32_t)((len - 8) / 8);
    RP_TRY(rp__tmp_write(x->set_fd, (const char *)rec + 8, len - 8, x->set_len, d->tmpdir, err));
    x->set_len += len - 8;
    return RP_OK;
}

/* Document doc's set into *buf (capacity *cap): *n values. */
static rp_status doc_set(dist *x, uint64_t doc, uint64_t **buf, size_t *cap, size_t *n,
                         rp_error *err)
{
    uint64_t off;
    if (is_local(x, doc)) {
        off = x->off[doc - x->lo];
        *n = x->cnt[doc - x->lo];
    } else {
        const uint32_t *slot = rp__hmap_get(&x->smap, doc);
        if (slot == NULL)
            return rp__fail(err, RP_ERR_PARAM, "", 0, "document %llu: shingles not fetched",
                            (unsigned long long)doc);
        off = x->roff[*slot];
        *n = x->rcnt[*slot];
    }
    if (!rp__grow((void **)buf, cap, *n ? *n : 1, sizeof **buf)) return rp__nomem(err, "");
    return rp__tmp_read(x->set_fd, *buf, *n * 8, off, x->d->tmpdir, err);
}

static rp_status exact_checks(dist *x, rp__sorter *exact, rp__sorter *want_sets,
                              rp__sorter *accepted, rp_error *err)
{
    rp_dedup *d = x->d;
    rp__outbox *req = NULL, *resp = NULL;
    rp__sorter *serve = NULL;
    uint64_t *other = NULL;
    size_t other_cap = 0;
    rp_status rc = rp__outbox_new(x->c, 8, box_mem(d, 32), d->tmpdir, &req, err);
    if (rc == RP_OK) rc = rp__outbox_new(x->c, 0, box_mem(d, 16), d->tmpdir, &resp, err);
    if (rc == RP_OK) rc = rp__sorter_new(2, d->o.mem_limit / 32, d->tmpdir, true, &serve, err);
    if (rc == RP_OK) rc = rp__tmp_open(d->tmpdir, &x->set_fd, err);
    if (rc == RP_OK && ((x->off = rp__calloc((size_t)d->n + 1, sizeof *x->off)) == NULL ||
                        (x->cnt = rp__calloc((size_t)d->n + 1, sizeof *x->cnt)) == NULL))
        rc = rp__nomem(err, "");
    if (rc == RP_OK && !rp__hmap_init(&x->smap, 1024)) rc = rp__nomem(err, "");
    /* Who needs which of this rank's sets. */
    while (rc == RP_OK) {
        const uint64_t *r = NULL;
        if ((rc = rp__sorter_next(want_sets, &r, err)) != RP_OK || r == NULL) break;
        rc = rp__outbox_put(req, owner(x, r[0]), r, 8, err);
    }
    x->sink = serve;
    if (rc == RP_OK) rc = rp__outbox_exchange(req, set_req, x, err);
    if (rc == RP_OK && x->n_need > 0) rc = rp__dedup_reread(d, make_set, x, err);
    /* Send them. */
    while (rc == RP_OK) {
        const uint64_t *r = NULL;
        if ((rc = rp__sorter_next(serve, &r, err)) != RP_OK || r == NULL) break;
        size_t n = 0;
        if ((rc = doc_set(x, r[0], &x->set, &x->set_cap, &n, err)) != RP_OK) break;
        if (!rp__grow((void **)&other, &other_cap, n + 1, sizeof *other)) {
            rc = rp__nomem(err, "");
            break;
        }
        other[0] = r[0];
        memcpy(other + 1, x->set, n * 8);
        rc = rp__outbox_put(resp, (int)r[1], other, (n + 1) * 8, err);
    }
    if (rc == RP_OK) rc = rp__outbox_exchange(resp, set_resp, x, err);
    /* Decide the listed pairs: a's set stays loaded while a repeats. */
    uint64_t last_a = UINT64_MAX;
    size_t na = 0, nb = 0;
    while (rc == RP_OK) {
        const uint64_t *r = NULL;
        if ((rc = rp__sorter_next(exact, &r, err)) != RP_OK || r == NULL) break;
        uint64_t a = r[0] >> 32, b = r[0] & 0xFFFFFFFFu;
        d->st.exact_checks++;
        if (a != last_a && (rc = doc_set(x, a, &x->set, &x->set_cap, &na, err)) != RP_OK) break;
        last_a = a;
        if ((rc = doc_set(x, b, &other, &other_cap, &nb, err)) != RP_OK) break;
        double j = rp__set_jaccard(x->set, na, other, nb);
        if (j >= d->o.threshold) {
            uint64_t rec[2] = {r[0], rp__dedup_dbl_bits(j)};
            rc = rp__sorter_add(accepted, rec, err);
        }
    }
    d->st.spill_runs += rp__sorter_runs(serve);
    rp__sorter_free(serve);
    rp__outbox_free(req);
    rp__outbox_free(resp);
    rp__free(other);
    return rc;
}

/* ---- stage 5: to rank 0, and clusters -------------------------------------------- */

/* Rank 0's signatures move to a temporary file before the gather (only the
 * chaining estimate reads a few of them again), so the documents gathered
 * from every rank do not add to the memory the signatures took. */
static rp_status sigs_to_file(rp_dedup *d, rp_error *err)
{
    rp__sig_store *s = &d->sigs;
    if (s->fd >= 0 || s->n == 0) return RP_OK;
    RP_TRY(rp__tmp_open(d->tmpdir, &s->fd, err));
    RP_TRY(rp__tmp_write(s->fd, s->mem, (size_t)s->n * s->k * 4, 0, d->tmpdir, err));
    s->flushed = s->n;
    rp__free(s->mem);
    s->mem = NULL;
    s->cap = 0;
    return RP_OK;
}

/* Rank 0 appends rank src's documents (ids, lengths) to its own. */
static rp_status gather_docs(dist *x, rp_error *err)
{
    rp_dedup *d = x->d;
    if (x->me != 0) {
        uint64_t head[2] = {d->n, d->ids_len}, none = 0;
        rp__comm_send(x->c, 0, head, sizeof head);
        /* a rank without documents has no table yet: its one offset is 0 */
        rp__comm_send(x->c, 0, d->id_off ? d->id_off : &none, (size_t)(d->n + 1) * 8);
        rp__comm_send(x->c, 0, d->ids, d->ids_len);
        rp__comm_send(x->c, 0, d->len, (size_t)d->n * 8);
        return RP_OK;
    }
    uint64_t total = x->first[x->size];
    uint64_t *ln = rp__realloc(d->len, (size_t)(total ? total : 1) * sizeof *ln);
    if (ln == NULL) return rp__nomem(err, "");
    d->len = ln;
    d->doc_cap = total ? total : 1;
    if (!rp__grow((void **)&d->id_off, &d->id_off_cap, (size_t)total + 1, sizeof *d->id_off))
        return rp__nomem(err, "");
    uint64_t *offs = NULL;
    size_t offs_cap = 0;
    rp_status rc = RP_OK;
    for (int src = 1; src < x->size && rc == RP_OK; src++) {
        uint64_t head[2];
        rp__comm_recv(x->c, src, head, sizeof head);
        uint64_t n = head[0], base = d->ids_len, at = x->first[src];
        if (!rp__grow((void **)&offs, &offs_cap, (size_t)n + 1, sizeof *offs) ||
            !rp__grow((void **)&d->ids, &d->ids_cap, (size_t)(d->ids_len + head[1] + 1), 1)) {
            rc = rp__nomem(err, "");
            break; /* the job ends: the caller aborts it */
        }
        rp__comm_recv(x->c, src, offs, (size_t)(n + 1) * 8);
        rp__comm_recv(x->c, src, d->ids + d->ids_len, (size_t)head[1]);
        rp__comm_recv(x->c, src, d->len + at, (size_t)n * 8);
        for (uint64_t i = 0; i <= n; i++)
            d->id_off[at + i] = base + offs[i];
        d->ids_len += head[1];
    }
    rp__free(offs);
    return rc;
}

/* The accepted pairs, rank by rank (document order), into rank 0's store. */
static rp_status gather_pairs(dist *x, rp__sorter *accepted, rp_error *err)
{
    rp_dedup *d = x->d;
    uint64_t *buf = rp__malloc(GATHER_RECS * 16);
    if (buf == NULL) return rp__nomem(err, "");
    rp_status rc = RP_OK;
    if (x->me != 0) {
        for (;;) {
            uint64_t n = 0;
            const uint64_t *r = NULL;
            while (n < GATHER_RECS && (rc = rp__sorter_next(accepted, &r, err)) == RP_OK &&
                   r != NULL) {
                buf[2 * n] = r[0];
                buf[2 * n + 1] = r[1];
                n++;
            }
            if (rc != RP_OK) break; /* the caller aborts the job */
            rp__comm_send(x->c, 0, &n, sizeof n);
            if (n > 0) rp__comm_send(x->c, 0, buf, (size_t)n * 16);
            if (n < GATHER_RECS) break;
        }
        rp__free(buf);
        return rc;
    }
    rc = rp__dedup_pairs_store(d, accepted, err);
    for (int src = 1; src < x->size && rc == RP_OK; src++) {
        for (;;) {
            uint64_t n;
            rp__comm_recv(x->c, src, &n, sizeof n);
            if (n > 0) rp__comm_recv(x->c, src, buf, (size_t)n * 16);
            for (uint64_t i = 0; i < n && rc == RP_OK; i++)
                rc = rp__dedup_pairs_add(d, buf + 2 * i, err);
            if (n < GATHER_RECS || rc != RP_OK) break;
        }
    }
    d->st.pairs = d->n_pairs;
    d->pair_pos = 0;
    rp__free(buf);
    return rc;
}

/* Rank 0: the lowest similarity of a chained member to its representative,
 * on signatures fetched from their owners (collective). */
static rp_status chained_min(dist *x, rp_error *err)
{
    rp_dedup *d = x->d;
    rp__sorter *want = NULL;
    rp_status rc = RP_OK;
    if (x->me == 0) {
        rc = rp__sorter_new(1, d->o.mem_limit / 32, d->tmpdir, true, &want, err);
        for (size_t i = 0; rc == RP_OK && i < 2 * d->n_chained; i++) {
            uint64_t doc = d->chained_pairs[i];
            if (!is_local(x, doc)) rc = rp__sorter_add(want, &doc, err);
        }
    }
    if (rc == RP_OK) rc = fetch_sigs(x, want, err);
    rp__sorter_free(want);
    uint32_t *b1 = rp__malloc(d->k * 4), *b2 = rp__malloc(d->k * 4);
    if (rc == RP_OK && (b1 == NULL || b2 == NULL)) rc = rp__nomem(err, "");
    for (size_t i = 0; rc == RP_OK && i < d->n_chained; i++) {
        const uint32_t *s1, *s2;
        uint32_t n1, n2;
        if ((rc = doc_sig(x, d->chained_pairs[2 * i], b1, &s1, &n1, err)) != RP_OK ||
            (rc = doc_sig(x, d->chained_pairs[2 * i + 1], b2, &s2, &n2, err)) != RP_OK)
            break;
        double sim = rp_signature_similarity(s1, s2, d->k);
        if (sim < d->st.chained_min) d->st.chained_min = sim;
    }
    rp__free(b1);
    rp__free(b2);
    return rc;
}

static void dist_free(dist *x)
{
    rp__dedup_sigs_free(&x->rsig);
    if (x->rmap.slots != NULL) rp__hmap_free(&x->rmap);
    if (x->smap.slots != NULL) rp__hmap_free(&x->smap);
    rp__free(x->rnsh);
    rp__free(x->off);
    rp__free(x->cnt);
    rp__free(x->roff);
    rp__free(x->rcnt);
    rp__free(x->need);
    rp__free(x->set);
    rp__free(x->tmp);
    rp__free(x->sbuf);
    rp__free(x->times);
    if (x->set_fd >= 0) close(x->set_fd);
}

/* Sum the counters over ranks and find the slowest rank of each stage. */
static void totals(dist *x)
{
    rp_dedup *d = x->d;
    rp_dedup_stats *st = &d->st;
    uint64_t v[8] = {st->bytes,     st->empty,       st->skipped, st->candidates, st->exact_checks,
                     st->big_buckets, st->spill_runs, 0};
    rp__comm_allreduce(x->c, v, 8, RP__REDUCE_SUM);
    st->bytes = v[0];
    st->empty = v[1];
    st->skipped = v[2];
    st->candidates = v[3];
    st->exact_checks = v[4];
    st->big_buckets = v[5];
    st->spill_runs = v[6];
    st->docs = x->first[x->size];
}

static void stage_times(dist *x)
{
    rp_dedup_stats *st = &x->d->st;
    uint64_t mine[6], *all = x->times;
    for (int i = 0; i < 5; i++)
        mine[i] = rp__dedup_dbl_bits(x->secs[i]);
    struct rusage ru;
    mine[5] = getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_maxrss * 1024 : 0;
    rp__comm_allgather(x->c, mine, 6, all);
    for (int r = 0; r < x->size; r++)
        if (all[(size_t)r * 6 + 5] > st->rank_peak_bytes) {
            st->rank_peak_bytes = all[(size_t)r * 6 + 5];
            st->rank_peak = r;
        }
    for (int i = 0; i < 5; i++) {
        st->stage_seconds[i] = -1;
        for (int r = 0; r < x->size; r++) {
            double s = rp__dedup_bits_dbl(all[(size_t)r * 6 + (size_t)i]);
            if (s > st->stage_seconds[i]) {
                st->stage_seconds[i] = s;
                st->stage_slowest[i] = r;
            }
        }
    }
    uint64_t sent = x->c->bytes_sent;
    rp__comm_allreduce(x->c, &sent, 1, RP__REDUCE_SUM);
    st->bytes_exchanged = sent;
}

rp_status rp__dedup_run_dist(rp_dedup *d, rp_error *err)
{
    dist x;
    memset(&x, 0, sizeof x);
    x.d = d;
    x.c = d->o.comm;
    x.size = x.c->size;
    x.me = x.c->rank;
    x.set_fd = -1;
    x.rsig.fd = -1;
    x.rsig.k = d->k;
    x.rsig.budget = d->o.mem_limit / 8;
    d->st.ranks = x.size;
    if (x.me != 0) d->o.progress = NULL; /* rank 0 shows the job's progress */
    clock_gettime(CLOCK_MONOTONIC, &x.t);
    rp__sorter *cands = NULL, *want = NULL, *accepted = NULL, *exact = NULL, *want_sets = NULL;
    /* 1. this rank's share, read and sketched */
    rp_status rc = rp__dedup_shard_plan(d, err);
    if (rc == RP_OK && d->o.progress != NULL) {
        uint64_t mine, total;
        rp__dedup_shard_share(d->shard, 0, &mine, &total);
        x.scale = mine > 0 ? (double)total / (double)mine : 1;
        x.progress = d->o.progress;
        x.progress_user = d->o.progress_user;
        d->o.progress = scaled_progress;
        d->o.progress_user = &x;
    }
    if (rc == RP_OK) rc = rp__dedup_stage_sketch(d, err);
    if (rc != RP_OK) goto done;
    if ((d->rank_first = rp__calloc((size_t)x.size + 1, sizeof *d->rank_first)) == NULL ||
        (x.sbuf = rp__malloc(12 + d->k * 4)) == NULL ||
        (x.times = rp__calloc((size_t)x.size * 6, sizeof *x.times)) == NULL ||
        (x.need = rp__calloc((size_t)d->n / 8 + 1, 1)) == NULL ||
        !rp__hmap_init(&x.rmap, 1024)) {
        rc = rp__nomem(err, "");
        goto done;
    }
    rp__comm_allgather(x.c, &d->n, 1, d->rank_first + 1);
    for (int r = 0; r < x.size; r++)
        d->rank_first[r + 1] += d->rank_first[r];
    x.first = d->rank_first;
    x.lo = x.first[x.me];
    x.hi = x.first[x.me + 1];
    d->first = x.lo;
    d->n_own = d->n;
    if (x.first[x.size] > MAX_DOCS) {
        rc = rp__fail(err, RP_ERR_LIMIT, "", 0, "more than %llu documents in one run",
                      (unsigned long long)MAX_DOCS);
        goto done;
    }
    lap(&x, 0);
    /* 2. candidates at the owner of their first document */
    if ((rc = rp__sorter_new(1, d->o.mem_limit / 8, d->tmpdir, true, &cands, err)) != RP_OK ||
        (rc = rp__sorter_new(1, d->o.mem_limit / 32, d->tmpdir, true, &want, err)) != RP_OK ||
        (rc = candidates(&x, cands, want, err)) != RP_OK)
        goto done;
    lap(&x, 1);
    /* 3. signatures fetched, candidates decided */
    if ((rc = fetch_sigs(&x, want, err)) != RP_OK ||
        (rc = rp__sorter_new(2, d->o.mem_limit / 16, d->tmpdir, true, &accepted, err)) != RP_OK ||
        (rc = rp__sorter_new(1, d->o.mem_limit / 16, d->tmpdir, true, &exact, err)) != RP_OK ||
        (rc = rp__sorter_new(1, d->o.mem_limit / 32, d->tmpdir, true, &want_sets, err)) != RP_OK ||
        (rc = verify(&x, cands, accepted, exact, want_sets, err)) != RP_OK)
        goto done;
    d->st.spill_runs += rp__sorter_runs(cands) + rp__sorter_runs(want);
    lap(&x, 2);
    /* 4. exact checks (every rank takes part: others may need its sets) */
    if ((rc = exact_checks(&x, exact, want_sets, accepted, err)) != RP_OK) goto done;
    d->st.spill_runs += rp__sorter_runs(exact) + rp__sorter_runs(accepted);
    totals(&x);
    lap(&x, 3);
    /* 5. the documents and pairs to rank 0, which clusters */
    if ((x.me == 0 && (rc = sigs_to_file(d, err)) != RP_OK) || (rc = gather_docs(&x, err)) != RP_OK || (rc = gather_pairs(&x, accepted, err)) != RP_OK)
        goto done;
    if (x.me == 0) {
        d->n = x.first[x.size];
        if (d->o.progress) d->o.progress(d->o.progress_user, 3, d->n, 0);
        if ((rc = rp__dedup_stage_cluster(d, err)) != RP_OK) goto done;
    }
    if ((rc = chained_min(&x, err)) != RP_OK) goto done;
    lap(&x, 4);
    stage_times(&x);
    if (x.me != 0) d->n = 0; /* the outcome is rank 0's: the getters see nothing here */
done:
    if (x.progress != NULL) { /* the caller's again, for rp_dedup_write() */
        d->o.progress = x.progress;
        d->o.progress_user = x.progress_user;
    }
    rp__sorter_free(cands);
    rp__sorter_free(want);
    rp__sorter_free(accepted);
    rp__sorter_free(exact);
    rp__sorter_free(want_sets);
    dist_free(&x);
    return rc;
}
