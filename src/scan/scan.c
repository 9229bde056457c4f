/* scan.c - rp_scan, corpus-wide reuse search: options, documents, and the
 * first stage, fingerprinting.
 *
 * rp_scan_add() checks a document's text, appends it to the text store (an
 * unlinked temporary file, so a corpus larger than memory can be aligned
 * later with pread) and copies it into the current batch. A full batch is
 * fingerprinted by the worker threads while the caller goes on reading:
 * each document is tokenized and winnowed (winnow.c), and every
 * fingerprint becomes a posting {hash, doc << 32 | token} in the sorter of
 * its partition (rp__scan_part). Phase A (documents, shared by all
 * workers) fills per-worker buckets, one per partition; phase B hands
 * partition p to worker p mod threads, which adds the buckets to its
 * sorter, so no sorter is touched by two threads. With one thread the
 * batch is processed inline.
 *
 * rp_scan_run() then runs the later stages: scan_pairs.c (candidate pairs)
 * and scan_align.c (alignment and the pair callback). scan_report.c holds
 * the optional reports. The division of mem_limit: half for the postings
 * sorters, a quarter for the pair sorters, an eighth for the documents of
 * an alignment batch, and two text batches of at most mem_limit / 32. */
#include "scan/scan_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH_MIN ((size_t)64 << 10)
#define BATCH_MAX ((size_t)16 << 20)
#define MEM_MIN   ((size_t)4 << 20)

void rp_scan_opts_init(rp_scan_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ngram = 5;
    o->window = 4;
    o->max_df = 100;
    o->min_shared = 4;
    o->min_words = 8;
    o->min_containment = 0;
    o->threads = 1;
    o->mem_limit = (size_t)256 << 20;
    o->seed = RP_HASH_SEED_DEFAULT;
}

/* ---- options ------------------------------------------------------------------ */

static rp_status check_opts(const rp_scan_opts *o, rp_error *err)
{
    const char *bad = NULL;
    if (o->ngram < 1 || o->ngram > 32)
        bad = "ngram must be in 1..32";
    else if (o->window < 1 || o->window > 64)
        bad = "window must be in 1..64";
    else if (o->max_df < 2 || o->max_df > RP_SCAN_MAX_DF)
        bad = "max_df must be in 2..4294967295";
    else if (o->min_shared < 1)
        bad = "min_shared must be at least 1";
    else if (o->min_words < 1)
        bad = "min_words must be at least 1";
    else if (!(o->min_containment >= 0 && o->min_containment <= 1))
        bad = "min_containment must be in 0..1";
    else if (o->against != 0 && o->against != 1)
        bad = "against must be 0 or 1";
    else if (o->threads < 1 || o->threads > RP__MAX_THREADS)
        bad = "threads must be in 1..256";
    else if (o->mem_limit < MEM_MIN)
        bad = "mem_limit must be at least 4 MiB";
    if (bad != NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "%s", bad);
    return RP_OK;
}

/* ---- fingerprinting (stage 1) ----------------------------------------------------- */

typedef struct ingest_worker {
    rp__tokens toks;
    rp__fingerprints fps;
    uint64_t **bucket; /* per partition: postings, two words each */
    size_t *bn, *bcap; /* records, capacity in records */
    uint64_t n_fp;     /* fingerprints made in the current job */
} ingest_worker;

typedef struct ingest_batch {
    char *text; /* the texts one after another */
    size_t len, cap;
    size_t *off;     /* per document: offset in text */
    uint32_t *tlen;  /* per document: length */
    uint32_t *n_tok; /* per document: tokens (phase A) */
    size_t n, cap_docs;
    uint32_t first; /* number of document 0 of the batch */
} ingest_batch;

typedef struct rp__ingest {
    rp_scan *s;
    ingest_batch batch[2];
    int cur;   /* the batch being filled */
    bool busy; /* a job runs on batch[1 - cur] */
    pthread_t job;
    size_t batch_bytes;
    ingest_worker *w; /* o.threads workers */
    /* the running job */
    ingest_batch *jb;
    atomic_size_t next;
    atomic_int failed; /* an rp_status of phase A, 0 if none */
    rp_status *part_st;
    rp_error *part_err;
} rp__ingest;

static void ingest_free(rp__ingest *g, size_t threads, size_t n_parts)
{
    if (g == NULL) return;
    for (int k = 0; k < 2; k++) {
        rp__free(g->batch[k].text);
        rp__free(g->batch[k].off);
        rp__free(g->batch[k].tlen);
        rp__free(g->batch[k].n_tok);
    }
    if (g->w != NULL) {
        for (size_t t = 0; t < threads; t++) {
            ingest_worker *w = &g->w[t];
            rp__tokens_free(&w->toks);
            rp__fingerprints_free(&w->fps);
            if (w->bucket != NULL)
                for (size_t p = 0; p < n_parts; p++)
                    rp__free(w->bucket[p]);
            rp__free(w->bucket);
            rp__free(w->bn);
            rp__free(w->bcap);
        }
    }
    rp__free(g->w);
    rp__free(g->part_st);
    rp__free(g->part_err);
    rp__free(g);
}

static rp__ingest *ingest_new(rp_scan *s)
{
    size_t T = s->o.threads, P = s->n_parts;
    rp__ingest *g = rp__calloc(1, sizeof *g);
    if (g == NULL) return NULL;
    g->s = s;
    size_t bb = s->o.mem_limit / 32;
    g->batch_bytes = bb < BATCH_MIN ? BATCH_MIN : bb > BATCH_MAX ? BATCH_MAX : bb;
    g->w = rp__calloc(T, sizeof *g->w);
    g->part_st = rp__calloc(P, sizeof *g->part_st);
    g->part_err = rp__calloc(P, sizeof *g->part_err);
    if (g->w == NULL || g->part_st == NULL || g->part_err == NULL) goto fail;
    for (size_t t = 0; t < T; t++) {
        ingest_worker *w = &g->w[t];
        w->bucket = rp__calloc(P, sizeof *w->bucket);
        w->bn = rp__calloc(P, sizeof *w->bn);
        w->bcap = rp__calloc(P, sizeof *w->bcap);
        if (w->bucket == NULL || w->bn == NULL || w->bcap == NULL) goto fail;
    }
    atomic_init(&g->next, 0);
    atomic_init(&g->failed, 0);
    return g;
fail:
    ingest_free(g, T, P);
    return NULL;
}

/* Phase A: tokenize and winnow documents, taken in turn by the workers. */
static void phase_fingerprint(void *ctx, size_t t)
{
    rp__ingest *g = ctx;
    const rp_scan *s = g->s;
    ingest_batch *b = g->jb;
    ingest_worker *w = &g->w[t];
    for (;;) {
        size_t i = atomic_fetch_add(&g->next, 1);
        if (i >= b->n || atomic_load(&g->failed) != 0) return;
        w->toks.n = 0;
        if (b->tlen[i] == 0) { /* b->text may even be NULL */
            b->n_tok[i] = 0;
            continue;
        }
        rp_status st = rp__tokenize(b->text + b->off[i], b->tlen[i], s->o.seed, &w->toks);
        if (st == RP_OK) st = rp__winnow(w->toks.tok, w->toks.n, s->o.ngram, s->o.window, &w->fps);
        if (st != RP_OK) {
            atomic_store(&g->failed, (int)st);
            return;
        }
        b->n_tok[i] = (uint32_t)w->toks.n;
        const uint64_t doc = (uint64_t)(b->first + i) << 32;
        for (size_t k = 0; k < w->fps.n; k++) {
            const size_t p = rp__scan_part(w->fps.fp[k].hash, s->n_parts);
            if (w->bn[p] == w->bcap[p] && !rp__grow((void **)&w->bucket[p], &w->bcap[p],
                                                    w->bn[p] + 1, 2 * sizeof(uint64_t))) {
                atomic_store(&g->failed, (int)RP_ERR_NOMEM);
                return;
            }
            uint64_t *r = w->bucket[p] + 2 * w->bn[p]++;
            r[0] = w->fps.fp[k].hash;
            r[1] = doc | w->fps.fp[k].tok;
        }
        w->n_fp += w->fps.n;
    }
}

/* Phase B: worker t adds every bucket of its partitions to their sorters. */
static void phase_postings(void *ctx, size_t t)
{
    rp__ingest *g = ctx;
    const rp_scan *s = g->s;
    for (size_t p = t; p < s->n_parts; p += s->o.threads) {
        for (size_t u = 0; u < s->o.threads; u++) {
            ingest_worker *w = &g->w[u];
            for (size_t k = 0; k < w->bn[p] && g->part_st[p] == RP_OK; k++)
                g->part_st[p] =
                    rp__sorter_add(s->postings[p], w->bucket[p] + 2 * k, &g->part_err[p]);
            w->bn[p] = 0;
        }
    }
}

static void run_job(rp__ingest *g)
{
    rp__parallel(g->s->o.threads, phase_fingerprint, g);
    if (atomic_load(&g->failed) == 0) rp__parallel(g->s->o.threads, phase_postings, g);
}

static void *job_main(void *p)
{
    run_job(p);
    return NULL;
}

/* Take in the results of the job on batch b and empty it. */
static rp_status job_results(rp_scan *s, ingest_batch *b, rp_error *err)
{
    rp__ingest *g = s->ingest;
    int failed = atomic_load(&g->failed);
    if (failed != 0)
        return rp__fail(err, (rp_status)failed, "", 0, "out of memory while fingerprinting");
    for (size_t p = 0; p < s->n_parts; p++)
        if (g->part_st[p] != RP_OK) {
            if (err != NULL) *err = g->part_err[p];
            return g->part_st[p];
        }
    for (size_t i = 0; i < b->n; i++) {
        s->docs[b->first + i].n_tokens = b->n_tok[i];
        s->stats.tokens += b->n_tok[i];
    }
    for (size_t t = 0; t < s->o.threads; t++) {
        s->stats.fingerprints += g->w[t].n_fp;
        g->w[t].n_fp = 0;
    }
    b->n = 0;
    b->len = 0;
    return RP_OK;
}

/* Wait for the running job, if any, and take in its results. */
static rp_status ingest_wait(rp_scan *s, rp_error *err)
{
    rp__ingest *g = s->ingest;
    if (!g->busy) return RP_OK;
    pthread_join(g->job, NULL);
    g->busy = false;
    return job_results(s, g->jb, err);
}

/* Fingerprint the current batch: in a thread of its own while the caller
 * goes on (threads > 1 and not wait), else now. */
static rp_status ingest_flush(rp_scan *s, bool wait, rp_error *err)
{
    rp__ingest *g = s->ingest;
    RP_TRY(ingest_wait(s, err));
    ingest_batch *b = &g->batch[g->cur];
    if (b->n == 0) return RP_OK;
    g->jb = b;
    atomic_store(&g->next, 0);
    if (s->o.threads > 1 && !wait && pthread_create(&g->job, NULL, job_main, g) == 0) {
        g->busy = true;
        g->cur = 1 - g->cur;
        return RP_OK;
    }
    run_job(g);
    return job_results(s, b, err);
}

/* ---- the scan object ------------------------------------------------------------ */

rp_status rp_scan_new(const rp_scan_opts *opts, rp_scan **out, rp_error *err)
{
    rp_scan_opts defaults;
    if (opts == NULL) {
        rp_scan_opts_init(&defaults);
        opts = &defaults;
    }
    if (out == NULL) return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_new: NULL argument");
    *out = NULL;
    RP_TRY(check_opts(opts, err));
    rp_scan *s = rp__calloc(1, sizeof *s);
    if (s == NULL) return rp__nomem(err, "");
    s->o = *opts;
    s->store_fd = -1;
    const char *dir = opts->tmpdir;
    if (dir == NULL || *dir == '\0') dir = getenv("TMPDIR");
    if (dir == NULL || *dir == '\0') dir = "/tmp";
    s->tmpdir = rp__strdup(dir);
    s->o.tmpdir = NULL;
    /* One partition per thread: each worker owns its sorters in stage 1 and
     * stage 2. The results do not depend on the number of partitions. */
    s->n_parts = opts->threads;
    if (s->tmpdir == NULL) {
        rp_scan_free(s);
        return rp__nomem(err, "");
    }
    *out = s;
    return RP_OK;
}

void rp_scan_free(rp_scan *s)
{
    if (s == NULL) return;
    if (s->ids.slots != NULL) rp__hmap_free(&s->ids);
    if (s->ingest != NULL) {
        if (s->ingest->busy) pthread_join(s->ingest->job, NULL);
        ingest_free(s->ingest, s->o.threads, s->n_parts);
    }
    for (size_t p = 0; p < s->n_parts; p++) {
        if (s->postings != NULL) rp__sorter_free(s->postings[p]);
        if (s->pairs != NULL) rp__sorter_free(s->pairs[p]);
    }
    rp__free(s->postings);
    rp__free(s->pairs);
    if (s->store_fd >= 0) close(s->store_fd);
    rp__free(s->wbuf);
    rp__free(s->docs);
    rp__free(s->meta);
    rp__free(s->bp);
    rp__free(s->spans);
    rp__free(s->tmpdir);
    rp__free(s);
}

/* Open the store, the postings sorters and the workers, on the first
 * document. */
static rp_status start_ingest(rp_scan *s, rp_error *err)
{
    RP_TRY(rp__scan_store_open(s, err));
    s->postings = rp__calloc(s->n_parts, sizeof *s->postings);
    if (s->postings == NULL) return rp__nomem(err, "");
    const size_t per = s->o.mem_limit / 2 / s->n_parts;
    for (size_t p = 0; p < s->n_parts; p++)
        RP_TRY(rp__sorter_new(2, per, s->tmpdir, false, &s->postings[p], err));
    s->ingest = ingest_new(s);
    if (s->ingest == NULL) return rp__nomem(err, "");
    return RP_OK;
}

/* Room for one more document in batch b. */
static bool batch_reserve(ingest_batch *b)
{
    if (b->n < b->cap_docs) return true;
    size_t cap = b->cap_docs ? 2 * b->cap_docs : 64;
    size_t *off = rp__realloc(b->off, cap * sizeof *off);
    if (off == NULL) return false;
    b->off = off;
    uint32_t *tl = rp__realloc(b->tlen, cap * sizeof *tl);
    if (tl == NULL) return false;
    b->tlen = tl;
    uint32_t *nt = rp__realloc(b->n_tok, cap * sizeof *nt);
    if (nt == NULL) return false;
    b->n_tok = nt;
    b->cap_docs = cap;
    return true;
}

/* Mark the scan unusable after a failure of its files or workers. */
static rp_status broken(rp_scan *s, rp_status st)
{
    if (st != RP_OK && s->broken == RP_OK) s->broken = st;
    return st;
}

static rp_status failed_earlier(const rp_scan *s, rp_error *err)
{
    return rp__fail(err, s->broken, "", 0, "the scan failed earlier (%s)", rp_strerror(s->broken));
}

static rp_status check_text(const rp_scan *s, const char *label, const char *text, size_t len,
                            rp_error *err)
{
    if (len > RP_DOC_MAX_BYTES)
        return rp__fail(err, RP_ERR_LIMIT, label, 0,
                        "document of %zu bytes exceeds the limit of %zu bytes", len,
                        (size_t)RP_DOC_MAX_BYTES);
    if (s->o.lossy || len == 0) return RP_OK;
    bool is_nul;
    size_t bad = rp__utf8_check((const uint8_t *)text, len, &is_nul);
    if (bad >= len) return RP_OK;
    if (is_nul)
        return rp__fail(err, RP_ERR_FORMAT, label, bad,
                        "NUL byte at offset %zu: binary, not text (use --lossy to read it "
                        "anyway)",
                        bad);
    return rp__fail(err, RP_ERR_UTF8, label, bad,
                    "invalid UTF-8 at byte offset %zu (byte 0x%02X; use --lossy to replace "
                    "bad bytes)",
                    bad, (unsigned)(uint8_t)text[bad]);
}

rp_status rp_scan_add(rp_scan *s, const rp_scan_input *in, rp_error *err)
{
    if (s == NULL || in == NULL || (in->text == NULL && in->text_len > 0) ||
        (in->id == NULL && in->id_len > 0) || (in->date == NULL && in->date_len > 0) ||
        (in->set != 0 && in->set != 1))
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_add: bad argument");
    if (s->state != 0)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_add: the scan has already run");
    char label[256];
    snprintf(label, sizeof label, "%.*s", (int)(in->id_len < 200 ? in->id_len : 200),
             in->id ? in->id : "");
    if (in->id_len >= UINT32_MAX || in->date_len >= UINT32_MAX)
        return rp__fail(err, RP_ERR_LIMIT, label, 0, "id or date too long");
    if (s->n_docs >= (size_t)UINT32_MAX - 1)
        return rp__fail(err, RP_ERR_LIMIT, label, 0, "too many documents (limit %u)",
                        (unsigned)(UINT32_MAX - 1));
    if (s->broken != RP_OK) return failed_earlier(s, err);
    RP_TRY(check_text(s, label, in->text, in->text_len, err));
    /* Ids name documents in every output: two alike would be merged there. */
    if (s->ids.slots == NULL && !rp__hmap_init(&s->ids, 1024)) return rp__nomem(err, label);
    bool fresh;
    uint32_t *first = rp__hmap_put(&s->ids, rp__hash_bytes(in->id, in->id_len, 0x1d5),
                                   (uint32_t)s->n_docs, &fresh);
    if (first == NULL) return rp__nomem(err, label);
    if (!fresh) {
        const rp__scan_doc *o = &s->docs[*first];
        if (o->id_len == in->id_len &&
            (in->id_len == 0 || memcmp(s->meta + o->meta_off, in->id, in->id_len) == 0)) {
            if (!s->o.duplicate_ids)
                return rp__fail(err, RP_ERR_PARAM, label, 0,
                                "duplicate id: document %zu has the id of document %u (ids must "
                                "be unique)",
                                s->n_docs + 1, (unsigned)*first + 1);
            s->stats.duplicate_ids++;
        }
    }
    if (s->ingest == NULL) RP_TRY(broken(s, start_ingest(s, err)));

    rp__ingest *g = s->ingest;
    ingest_batch *b = &g->batch[g->cur];
    if (b->n > 0 && b->len + in->text_len > g->batch_bytes) {
        RP_TRY(broken(s, ingest_flush(s, false, err)));
        b = &g->batch[g->cur];
    }
    const size_t meta_need = s->meta_len + in->id_len + in->date_len + 2;
    if (!rp__grow((void **)&s->docs, &s->cap_docs, s->n_docs + 1, sizeof *s->docs) ||
        !rp__grow((void **)&s->meta, &s->meta_cap, meta_need, 1) ||
        !rp__grow((void **)&b->text, &b->cap, b->len + in->text_len, 1) || !batch_reserve(b))
        return rp__nomem(err, label);
    RP_TRY(broken(s, rp__scan_store_write(s, in->text, in->text_len, err)));

    rp__scan_doc *d = &s->docs[s->n_docs];
    memset(d, 0, sizeof *d);
    d->text_off = s->store_len - in->text_len;
    d->text_len = (uint32_t)in->text_len;
    d->meta_off = s->meta_len;
    d->id_len = (uint32_t)in->id_len;
    d->date_len = (uint32_t)in->date_len;
    d->set = (uint8_t)in->set;
    if (in->id_len > 0) memcpy(s->meta + s->meta_len, in->id, in->id_len);
    s->meta[s->meta_len + in->id_len] = '\0';
    if (in->date_len > 0) memcpy(s->meta + s->meta_len + in->id_len + 1, in->date, in->date_len);
    s->meta[s->meta_len + in->id_len + 1 + in->date_len] = '\0';
    s->meta_len = meta_need;

    if (b->n == 0) b->first = (uint32_t)s->n_docs;
    if (in->text_len > 0) memcpy(b->text + b->len, in->text, in->text_len);
    b->off[b->n] = b->len;
    b->tlen[b->n] = (uint32_t)in->text_len;
    b->n_tok[b->n] = 0;
    b->n++;
    b->len += in->text_len;
    s->n_docs++;
    s->stats.documents++;
    s->stats.bytes += in->text_len;
    return RP_OK;
}

rp_status rp_scan_add_source(rp_scan *s, rp_source *src, int set, rp_error *err)
{
    if (s == NULL || src == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_add_source: NULL argument");
    for (;;) {
        const rp_record *rec;
        RP_TRY(rp_source_next(src, &rec, err));
        if (rec == NULL) return RP_OK;
        rp_scan_input in = {rec->id, rec->id_len, rec->text, rec->text_len, NULL, 0, set};
        RP_TRY(rp_scan_add(s, &in, err));
    }
}

static void sum_runs(rp_scan *s, rp__sorter **v)
{
    for (size_t p = 0; v != NULL && p < s->n_parts; p++)
        if (v[p] != NULL) s->stats.spilled_runs += rp__sorter_runs(v[p]);
}

rp_status rp_scan_run(rp_scan *s, rp_scan_pair_fn on_pair, void *user, rp_error *err)
{
    if (s == NULL || on_pair == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_run: NULL argument");
    if (s->state != 0)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_run: the scan has already run");
    if (s->broken != RP_OK) return failed_earlier(s, err);
    s->state = 1;
    if (s->n_docs == 0) {
        s->state = 2;
        return RP_OK;
    }
    RP_TRY(ingest_flush(s, true, err));
    RP_TRY(rp__scan_store_flush(s, err));
    ingest_free(s->ingest, s->o.threads, s->n_parts);
    s->ingest = NULL;
    sum_runs(s, s->postings);
    if (s->o.stage != NULL) s->o.stage(s->o.progress_user, RP_SCAN_STAGE_INDEX);
    RP_TRY(rp__scan_pairs_build(s, err));
    if (s->o.stage != NULL) s->o.stage(s->o.progress_user, RP_SCAN_STAGE_ALIGN);
    RP_TRY(rp__scan_align(s, on_pair, user, err));
    s->state = 2;
    return RP_OK;
}

void rp_scan_get_stats(const rp_scan *s, rp_scan_stats *out)
{
    *out = s->stats;
}
