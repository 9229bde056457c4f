/* dedup_sketch.c - dedup stage 1: reading and sketching.
 *
 * The calling thread reads records in order into a batch while the other
 * batch is sketched by worker threads; signatures are committed in batch
 * order, so document numbers are input positions for any thread count. */
#include "dedup/dedup_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_BYTES ((size_t)8 << 20)
#define BATCH_DOCS  16384

/* Texts are gathered in one batch while the other is sketched by a job:
 * a thread of its own that runs rp__parallel over the batch's documents
 * (the calling thread reads on meanwhile). Results are committed in batch
 * order, so document numbers are input positions for any thread count. */
typedef struct batch {
    char *text;
    size_t text_len, text_cap;
    size_t *off; /* n + 1 */
    size_t n, off_cap;
    uint64_t first;
    uint32_t *sigs;
    size_t sigs_cap;
    uint32_t *nsh;
    size_t nsh_cap;
} batch;

typedef struct sketch_job {
    rp_dedup *d;
    batch b[2];
    int cur;   /* the batch being filled */
    bool busy; /* a job thread sketches b[1 - cur] */
    pthread_t thread;
    batch *jb; /* the batch of the running job */
    atomic_size_t next;
    rp_sketcher **sk; /* one per thread */
    rp_status *st;    /* per thread */
} sketch_job;

/* Thread t sketches the documents of the job's batch it takes in turn. */
static void sketch_task(void *ctx, size_t t)
{
    sketch_job *j = ctx;
    batch *b = j->jb;
    size_t k = j->d->k;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= b->n || j->st[t] != RP_OK) return;
        size_t nsh = 0;
        j->st[t] = rp_sketcher_sketch(j->sk[t], b->text + b->off[i], b->off[i + 1] - b->off[i],
                                      b->sigs + i * k, &nsh, NULL);
        b->nsh[i] = nsh > UINT32_MAX ? UINT32_MAX : (uint32_t)nsh;
    }
}

static void *job_main(void *p)
{
    sketch_job *j = p;
    rp__parallel(j->d->o.threads, sketch_task, j);
    return NULL;
}

/* Take in the results of the job on b, in document order, and empty b.
 * The text was validated by the source, so a sketch fails only for lack
 * of memory. */
static rp_status commit(sketch_job *j, batch *b, rp_error *err)
{
    rp_dedup *d = j->d;
    for (size_t t = 0; t < d->o.threads; t++)
        if (j->st[t] != RP_OK)
            return j->st[t] == RP_ERR_NOMEM
                       ? rp__nomem(err, "")
                       : rp__fail(err, j->st[t], "", 0, "cannot sketch: %s", rp_strerror(j->st[t]));
    for (size_t i = 0; i < b->n; i++) {
        uint64_t doc = b->first + i;
        d->nsh[doc] = b->nsh[i];
        if (b->nsh[i] == 0) d->st.empty++;
        RP_TRY(rp__dedup_sigs_add(&d->sigs, b->sigs + i * d->k, d->tmpdir, err));
    }
    b->n = 0;
    b->text_len = 0;
    return RP_OK;
}

/* Wait for the running job, if any, and commit its batch. */
static rp_status job_wait(sketch_job *j, rp_error *err)
{
    if (!j->busy) return RP_OK;
    pthread_join(j->thread, NULL);
    j->busy = false;
    return commit(j, j->jb, err);
}

/* Sketch the current batch: in a job thread while the caller reads on
 * (threads > 1 and not wait), else now. */
static rp_status job_flush(sketch_job *j, bool wait, rp_error *err)
{
    RP_TRY(job_wait(j, err));
    batch *b = &j->b[j->cur];
    if (b->n == 0) return RP_OK;
    if (!rp__grow((void **)&b->sigs, &b->sigs_cap, b->n * j->d->k, sizeof *b->sigs) ||
        !rp__grow((void **)&b->nsh, &b->nsh_cap, b->n, sizeof *b->nsh))
        return rp__nomem(err, "");
    j->jb = b;
    atomic_store(&j->next, 0);
    if (j->d->o.threads > 1 && !wait && pthread_create(&j->thread, NULL, job_main, j) == 0) {
        j->busy = true;
        j->cur = 1 - j->cur;
        return RP_OK;
    }
    job_main(j);
    return commit(j, b, err);
}

static rp_status batch_put(batch *b, const rp_record *r, rp_error *err)
{
    if (!rp__grow((void **)&b->text, &b->text_cap, b->text_len + r->text_len + 1, 1) ||
        !rp__grow((void **)&b->off, &b->off_cap, b->n + 2, sizeof *b->off))
        return rp__nomem(err, "");
    if (b->n == 0) b->off[0] = 0;
    memcpy(b->text + b->text_len, r->text, r->text_len);
    b->text_len += r->text_len;
    b->n++;
    b->off[b->n] = b->text_len;
    return RP_OK;
}

rp_status rp__dedup_stage_sketch(rp_dedup *d, rp_error *err)
{
    rp_source *src = NULL;
    RP_TRY(rp__dedup_open_source(d, false, &src, err));
    size_t threads = d->o.threads;
    sketch_job j;
    memset(&j, 0, sizeof j);
    j.d = d;
    atomic_init(&j.next, 0);
    j.sk = rp__calloc(threads, sizeof *j.sk);
    j.st = rp__calloc(threads, sizeof *j.st);
    rp_status rc = j.sk == NULL || j.st == NULL ? rp__nomem(err, "") : RP_OK;
    for (size_t t = 0; t < threads && rc == RP_OK; t++)
        rc = rp_sketcher_new(&d->o.sketch, &j.sk[t], err);
    while (rc == RP_OK) {
        const rp_record *r = NULL;
        if ((rc = rp_source_next(src, &r, err)) != RP_OK || r == NULL) break;
        batch *b = &j.b[j.cur];
        if (b->n == 0) b->first = d->n;
        if ((rc = rp__dedup_add_doc(d, r, err)) != RP_OK ||
            (rc = rp__dedup_note_where(d, src, r, err)) != RP_OK ||
            (rc = batch_put(b, r, err)) != RP_OK)
            break;
        d->st.bytes += r->text_len;
        if (b->text_len >= BATCH_BYTES || b->n >= BATCH_DOCS) {
            rc = job_flush(&j, false, err);
            if (d->o.progress) d->o.progress(d->o.progress_user, 0, d->n, rp_source_bytes(src));
        }
    }
    if (rc == RP_OK) rc = job_flush(&j, true, err);
    rp_status waited = job_wait(&j, rc == RP_OK ? err : NULL); /* never leave a job running */
    if (rc == RP_OK) rc = waited;
    for (int k = 0; k < 2; k++) {
        rp__free(j.b[k].text);
        rp__free(j.b[k].off);
        rp__free(j.b[k].sigs);
        rp__free(j.b[k].nsh);
    }
    for (size_t t = 0; j.sk != NULL && t < threads; t++)
        rp_sketcher_free(j.sk[t]);
    rp__free(j.sk);
    rp__free(j.st);
    if (rc == RP_OK) {
        d->st.skipped = rp_source_skipped(src);
        d->st.skipped_files = rp_source_skipped_files(src);
        if (d->sigs.fd >= 0) {
            d->st.spill_runs++; /* the signatures went to a file */
            rc = rp__dedup_sigs_flush(&d->sigs, d->tmpdir, err);
        }
    }
    rp_source_free(src);
    return rc;
}
