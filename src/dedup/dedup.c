/* dedup.c - near-duplicate clusters of a corpus: the stages of rp_dedup_run.
 *
 *  1. read + sketch: records are read in order by the calling thread and
 *     sketched in batches by worker threads; signatures are stored by
 *     document number (in memory, or in a temporary file past the budget).
 *  2. candidates: band by band, (band key, document) records are sorted
 *     (rp__sorter) and documents sharing a key are paired; the pairs go to
 *     a second sorter that drops repeats.
 *  3. verify: each candidate pair is accepted or rejected on its signatures
 *     or listed for an exact check; 4. the texts of the listed documents are
 *     read again and their shingle sets (spilled to a temporary file)
 *     decide those pairs.
 *  5. cluster: union-find over verified pairs, representatives by the keep
 *     rule, the chaining check and, when strict, the greedy split.
 *
 * Every intermediate is a plain sorted record stream, and every order is
 * by document number, so outputs do not depend on threads or memory. */
#include "base/base.h"
#include "io/io.h"
#include "sketch/sketch.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH_BYTES   ((size_t)8 << 20)
#define BATCH_DOCS    16384
#define BUCKET_WINDOW 64  /* in a big bucket, each document pairs with the 64 before it */
#define AUTO_Z        4.5 /* standard errors around the threshold checked exactly */
#define MAX_DOCS      ((uint64_t)UINT32_MAX - 1)

/* ---- signatures by document number ------------------------------------- */

typedef struct sig_store {
    size_t k;      /* values per signature */
    size_t budget; /* bytes allowed in memory */
    uint32_t *mem;
    uint64_t n, cap; /* signatures stored, capacity of mem */
    int fd;          /* -1 while in memory */
    char *wbuf;      /* write buffer of the file */
    size_t wlen;
    uint64_t flushed; /* signatures already in the file */
} sig_store;

#define SIG_WBUF ((size_t)1 << 20)

static rp_status sigs_flush(sig_store *s, const char *dir, rp_error *err)
{
    if (s->wlen == 0) return RP_OK;
    RP_TRY(rp__tmp_write(s->fd, s->wbuf, s->wlen, s->flushed * s->k * 4, dir, err));
    s->flushed += s->wlen / (s->k * 4);
    s->wlen = 0;
    return RP_OK;
}

static rp_status sigs_add(sig_store *s, const uint32_t *sig, const char *dir, rp_error *err)
{
    size_t bytes = s->k * sizeof *sig;
    if (s->fd < 0 && (s->n + 1) * bytes > s->budget) {
        /* Past the budget: move what is in memory to a file. */
        RP_TRY(rp__tmp_open(dir, &s->fd, err));
        if ((s->wbuf = rp__malloc(SIG_WBUF > bytes ? SIG_WBUF : bytes)) == NULL)
            return rp__nomem(err, "");
        RP_TRY(rp__tmp_write(s->fd, s->mem, s->n * bytes, 0, dir, err));
        s->flushed = s->n;
        rp__free(s->mem);
        s->mem = NULL;
        s->cap = 0;
    }
    if (s->fd >= 0) {
        if (s->wlen + bytes > (SIG_WBUF > bytes ? SIG_WBUF : bytes))
            RP_TRY(sigs_flush(s, dir, err));
        memcpy(s->wbuf + s->wlen, sig, bytes);
        s->wlen += bytes;
        s->n++;
        return RP_OK;
    }
    if (s->n == s->cap) {
        uint64_t cap = s->cap ? s->cap * 2 : 1024;
        uint32_t *m = rp__realloc(s->mem, (size_t)cap * bytes);
        if (m == NULL) return rp__nomem(err, "");
        s->mem = m;
        s->cap = cap;
    }
    memcpy(s->mem + (size_t)s->n * s->k, sig, bytes);
    s->n++;
    return RP_OK;
}

/* Signatures first .. first+count-1 into buf (or a pointer into memory). */
static rp_status sigs_get(const sig_store *s, uint64_t first, size_t count, uint32_t *buf,
                          const uint32_t **out, const char *dir, rp_error *err)
{
    if (s->fd < 0) {
        *out = s->mem + (size_t)first * s->k;
        return RP_OK;
    }
    RP_TRY(rp__tmp_read(s->fd, buf, count * s->k * 4, first * s->k * 4, dir, err));
    *out = buf;
    return RP_OK;
}

static void sigs_free(sig_store *s)
{
    rp__free(s->mem);
    rp__free(s->wbuf);
    if (s->fd >= 0) close(s->fd);
}

/* ---- the run ------------------------------------------------------------ */

struct rp_dedup {
    rp_dedup_opts o;
    char *tmpdir;
    char *text_field, *id_field; /* copies: the input is read again */
    char **paths;
    size_t n_paths;
    int spool_fd; /* a copy of standard input, -1 if not read */
    rp_dedup_stats st;
    size_t k;
    /* per document */
    uint64_t n;
    char *ids;
    size_t ids_len, ids_cap;
    uint64_t *id_off; /* per node (inputs, then --against matches) + 1 */
    size_t id_off_cap;
    uint64_t *len; /* text bytes */
    uint32_t *nsh; /* shingles, saturated at UINT32_MAX */
    uint64_t doc_cap;
    uint32_t *rep;  /* final representative */
    uint32_t *size; /* cluster size, by representative */
    sig_store sigs;
    /* verified pairs, sorted: in memory or in a file */
    uint64_t *pairs; /* 2 words each: a << 32 | b, bits of the similarity */
    uint64_t n_pairs, pairs_cap;
    int pairs_fd;
    uint64_t pair_pos;
    uint64_t *pair_buf;
    size_t pair_buf_n;
    uint64_t iter_pos; /* rp_dedup_next_pair() */
    /* --against: indexed documents that matched, as nodes n, n+1, ... */
    uint64_t n_arch;
    int64_t *arch_doc; /* their numbers in the index */
    size_t arch_cap;
    rp__hmap arch_map; /* index document number -> node - n + 1 */
    struct timespec t0;
};

void rp_dedup_opts_init(rp_dedup_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threshold = 0.8;
    rp_sketch_opts_init(&o->sketch);
    o->verify = RP_VERIFY_AUTO;
    o->keep = RP_KEEP_FIRST;
    rp_source_opts_init(&o->source);
}


void rp_dedup_free(rp_dedup *d)
{
    if (d == NULL) return;
    for (size_t i = 0; i < d->n_paths; i++)
        rp__free(d->paths[i]);
    rp__free(d->paths);
    rp__free(d->tmpdir);
    rp__free(d->text_field);
    rp__free(d->id_field);
    if (d->spool_fd >= 0) close(d->spool_fd);
    rp__free(d->ids);
    rp__free(d->id_off);
    rp__free(d->len);
    rp__free(d->nsh);
    rp__free(d->rep);
    rp__free(d->size);
    sigs_free(&d->sigs);
    rp__free(d->pairs);
    rp__free(d->pair_buf);
    if (d->pairs_fd >= 0) close(d->pairs_fd);
    rp__free(d->arch_doc);
    if (d->arch_map.slots != NULL) rp__hmap_free(&d->arch_map);
    rp__free(d);
}

/* Append the id of the next node (d->n + d->n_arch) to the ids arena. */
static rp_status append_id(rp_dedup *d, const char *id, size_t len, rp_error *err)
{
    uint64_t node = d->n + d->n_arch;
    if (!rp__grow((void **)&d->ids, &d->ids_cap, d->ids_len + len + 1, 1) ||
        !rp__grow((void **)&d->id_off, &d->id_off_cap, (size_t)node + 2, sizeof *d->id_off))
        return rp__nomem(err, "");
    memcpy(d->ids + d->ids_len, id, len);
    d->ids[d->ids_len + len] = '\0';
    d->id_off[node] = d->ids_len;
    d->ids_len += len + 1;
    d->id_off[node + 1] = d->ids_len;
    return RP_OK;
}

static rp_status add_doc(rp_dedup *d, const rp_record *r, rp_error *err)
{
    if (d->n >= MAX_DOCS)
        return rp__fail(err, RP_ERR_LIMIT, r->path, r->line, "more than %llu documents in one run",
                        (unsigned long long)MAX_DOCS);
    if (d->n == d->doc_cap) {
        uint64_t cap = d->doc_cap ? d->doc_cap * 2 : 4096;
        uint64_t *ln = rp__realloc(d->len, (size_t)cap * sizeof *ln);
        if (ln == NULL) return rp__nomem(err, "");
        d->len = ln;
        uint32_t *ns = rp__realloc(d->nsh, (size_t)cap * sizeof *ns);
        if (ns == NULL) return rp__nomem(err, "");
        d->nsh = ns;
        d->doc_cap = cap;
    }
    RP_TRY(append_id(d, r->id, r->id_len, err));
    d->len[d->n] = r->text_len;
    d->n++;
    return RP_OK;
}

/* ---- stage 1: reading and sketching ------------------------------------- */

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
        RP_TRY(sigs_add(&d->sigs, b->sigs + i * d->k, d->tmpdir, err));
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

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static rp_status open_source(rp_dedup *d, bool again, rp_source **src, rp_error *err)
{
    RP_TRY(rp_source_open((const char *const *)d->paths, d->n_paths, &d->o.source, src, err));
    if (d->spool_fd >= 0) {
        if (again && lseek(d->spool_fd, 0, SEEK_SET) != 0) {
            rp_source_free(*src);
            *src = NULL;
            return rp__tmp_error(d->tmpdir, err, "cannot read");
        }
        rp__source_stdin(*src, again ? d->spool_fd : -1, again ? -1 : d->spool_fd);
    }
    if (again) rp__source_trusted(*src);
    return RP_OK;
}

static rp_status stage_sketch(rp_dedup *d, rp_error *err)
{
    rp_source *src = NULL;
    RP_TRY(open_source(d, false, &src, err));
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
        if ((rc = add_doc(d, r, err)) != RP_OK || (rc = batch_put(b, r, err)) != RP_OK) break;
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
        if (d->sigs.fd >= 0) {
            d->st.spill_runs++; /* the signatures went to a file */
            rc = sigs_flush(&d->sigs, d->tmpdir, err);
        }
    }
    rp_source_free(src);
    return rc;
}

/* ---- stage 2: candidates ------------------------------------------------ */

static rp_status stage_candidates(rp_dedup *d, rp__sorter *cands, rp_error *err)
{
    size_t bands = d->st.bands, rows = d->st.rows, k = d->k;
    size_t chunk = 4096;
    uint32_t *buf = d->sigs.fd >= 0 ? rp__malloc(chunk * k * sizeof *buf) : NULL;
    uint32_t *group = NULL;
    size_t group_cap = 0;
    if (d->sigs.fd >= 0 && buf == NULL) return rp__nomem(err, "");
    rp_status rc = RP_OK;
    for (size_t band = 0; band < bands && rc == RP_OK; band++) {
        rp__sorter *keys = NULL;
        rc = rp__sorter_new(2, d->o.mem_limit / 8, d->tmpdir, false, &keys, err);
        for (uint64_t first = 0; rc == RP_OK && first < d->n; first += chunk) {
            size_t count = d->n - first < chunk ? (size_t)(d->n - first) : chunk;
            const uint32_t *s;
            rc = sigs_get(&d->sigs, first, count, buf, &s, d->tmpdir, err);
            for (size_t i = 0; rc == RP_OK && i < count; i++) {
                if (d->nsh[first + i] == 0) continue; /* no words: never paired */
                uint64_t rec[2] = {rp__band_key(s + i * k, band, rows), first + i};
                rc = rp__sorter_add(keys, rec, err);
            }
        }
        /* Documents sharing a key, in document order. */
        uint64_t key = 0;
        size_t m = 0;
        for (;;) {
            const uint64_t *r = NULL;
            if (rc == RP_OK) rc = rp__sorter_next(keys, &r, err);
            if (rc != RP_OK) break;
            if (r == NULL || (m > 0 && r[0] != key)) {
                if (m > BUCKET_WINDOW + 1) d->st.big_buckets++;
                for (size_t j = 1; j < m && rc == RP_OK; j++)
                    for (size_t i = j > BUCKET_WINDOW ? j - BUCKET_WINDOW : 0; i < j; i++) {
                        uint64_t pair = (uint64_t)group[i] << 32 | group[j];
                        if ((rc = rp__sorter_add(cands, &pair, err)) != RP_OK) break;
                    }
                m = 0;
            }
            if (r == NULL) break;
            if (!rp__grow((void **)&group, &group_cap, m + 1, sizeof *group)) {
                rc = rp__nomem(err, "");
                break;
            }
            key = r[0];
            group[m++] = (uint32_t)r[1];
        }
        d->st.spill_runs += rp__sorter_runs(keys);
        rp__sorter_free(keys);
        if (d->o.progress) d->o.progress(d->o.progress_user, 1, d->n, 0);
    }
    rp__free(buf);
    rp__free(group);
    return rc;
}

/* ---- stages 3 and 4: verification --------------------------------------- */

static uint64_t dbl_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double bits_dbl(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* The signature estimate below which a candidate pair is rejected without
 * an exact check: the threshold with --verify signature (which decides on
 * signatures alone), 0 with exact, and with auto 4.5 standard errors (plus
 * one value) below the threshold, or 0 for a pair with a text of fewer
 * shingles than twice the hashes (short texts estimate worse). */
static double verify_floor(const rp_dedup *d, bool short_text)
{
    double t = d->o.threshold, k = (double)d->k;
    if (d->o.verify == RP_VERIFY_SIGNATURE) return t;
    if (d->o.verify == RP_VERIFY_EXACT || short_text) return 0;
    return t - (AUTO_Z * sqrt(t * (1 - t) / k) + 1.0 / k);
}

/* Decide candidate pair a << 32 | b on its estimate est: rejected, accepted
 * (--verify signature) or listed for an exact check, its input documents
 * marked in need. */
static rp_status decide(rp_dedup *d, uint64_t pair, double est, bool short_text,
                        rp__sorter *accepted, rp__sorter *exact, uint8_t *need, rp_error *err)
{
    if (est < verify_floor(d, short_text)) return RP_OK; /* a clear non-pair */
    if (d->o.verify == RP_VERIFY_SIGNATURE) {
        uint64_t rec[2] = {pair, dbl_bits(est)};
        return rp__sorter_add(accepted, rec, err);
    }
    uint64_t a = pair >> 32, b = pair & 0xFFFFFFFFu;
    need[a / 8] |= (uint8_t)(1u << (a % 8));
    if (b < d->n) need[b / 8] |= (uint8_t)(1u << (b % 8));
    return rp__sorter_add(exact, &pair, err);
}

/* Stage 3: each candidate accepted, rejected or listed for an exact check
 * (its documents marked in need). */
static rp_status stage_verify(rp_dedup *d, rp__sorter *cands, rp__sorter *accepted,
                              rp__sorter *exact, uint8_t *need, rp_error *err)
{
    size_t k = d->k;
    uint32_t *bufa = NULL, *bufb = NULL;
    if (d->sigs.fd >= 0) {
        bufa = rp__malloc(k * sizeof *bufa);
        bufb = rp__malloc(k * sizeof *bufb);
        if (bufa == NULL || bufb == NULL) {
            rp__free(bufa);
            rp__free(bufb);
            return rp__nomem(err, "");
        }
    }
    rp_status rc = RP_OK;
    uint64_t last_a = UINT64_MAX;
    const uint32_t *sa = NULL;
    for (;;) {
        const uint64_t *r = NULL;
        if ((rc = rp__sorter_next(cands, &r, err)) != RP_OK || r == NULL) break;
        uint64_t a = r[0] >> 32, b = r[0] & 0xFFFFFFFFu;
        d->st.candidates++;
        if (a != last_a) {
            if ((rc = sigs_get(&d->sigs, a, 1, bufa, &sa, d->tmpdir, err)) != RP_OK) break;
            last_a = a;
        }
        const uint32_t *sb;
        if ((rc = sigs_get(&d->sigs, b, 1, bufb, &sb, d->tmpdir, err)) != RP_OK) break;
        bool short_text = d->nsh[a] < 2 * k || d->nsh[b] < 2 * k;
        rc = decide(d, r[0], rp_signature_similarity(sa, sb, k), short_text, accepted, exact, need,
                    err);
        if (rc != RP_OK) break;
    }
    rp__free(bufa);
    rp__free(bufb);
    return rc;
}

/* Stage 3b (--against): each input document's near duplicates in the index
 * become nodes n, n+1, ... and candidate pairs (input, node), decided as in
 * stage 3 (exact checks read the indexed text in stage 4). */
static rp_status add_arch(rp_dedup *d, const rp_index_near_match *m, uint64_t *node, rp_error *err)
{
    bool inserted;
    uint32_t *slot = rp__hmap_put(&d->arch_map, (uint64_t)m->doc, 0, &inserted);
    if (slot == NULL) return rp__nomem(err, "");
    if (!inserted) {
        *node = d->n + *slot - 1;
        return RP_OK;
    }
    if (d->n + d->n_arch + 1 >= MAX_DOCS)
        return rp__fail(err, RP_ERR_LIMIT, "", 0, "too many documents in one run");
    if (d->n_arch == d->arch_cap) {
        size_t cap = d->arch_cap ? d->arch_cap * 2 : 64;
        int64_t *ad = rp__realloc(d->arch_doc, cap * sizeof *ad);
        if (ad == NULL) return rp__nomem(err, "");
        d->arch_doc = ad;
        d->arch_cap = cap;
    }
    char *id = NULL;
    size_t id_len = 0;
    RP_TRY(rp_index_document(d->o.against, m->doc, &id, &id_len, NULL, NULL, err));
    rp_status rc = append_id(d, id, id_len, err);
    rp__free(id);
    RP_TRY(rc);
    d->arch_doc[d->n_arch] = m->doc;
    *slot = (uint32_t)(d->n_arch + 1);
    *node = d->n + d->n_arch;
    d->n_arch++;
    return RP_OK;
}

static rp_status stage_against(rp_dedup *d, rp__sorter *accepted, rp__sorter *exact, uint8_t *need,
                               rp_error *err)
{
    size_t k = d->k;
    if (!rp__hmap_init(&d->arch_map, 1024)) return rp__nomem(err, "");
    uint32_t *buf = d->sigs.fd >= 0 ? rp__malloc(k * sizeof *buf) : NULL;
    if (d->sigs.fd >= 0 && buf == NULL) return rp__nomem(err, "");
    rp_status rc = RP_OK;
    for (uint64_t i = 0; i < d->n && rc == RP_OK; i++) {
        if (d->nsh[i] == 0) continue;
        const uint32_t *sig;
        if ((rc = sigs_get(&d->sigs, i, 1, buf, &sig, d->tmpdir, err)) != RP_OK) break;
        bool short_text = d->nsh[i] < 2 * k;
        rp_index_near_match *m = NULL;
        size_t nm = 0;
        rc = rp_index_near(d->o.against, sig, verify_floor(d, short_text), &m, &nm, err);
        for (size_t j = 0; j < nm && rc == RP_OK; j++) {
            uint64_t node = 0;
            if ((rc = add_arch(d, &m[j], &node, err)) != RP_OK) break;
            d->st.candidates++;
            d->st.against_candidates++;
            rc = decide(d, i << 32 | node, m[j].similarity, short_text, accepted, exact, need, err);
        }
        rp_free(m);
        if (d->o.progress && i % 4096 == 0) d->o.progress(d->o.progress_user, 1, i, 0);
    }
    rp__free(buf);
    d->st.against_docs = d->n_arch;
    return rc;
}

/* Read the input again (trusted: validated the first time) and call fn for
 * each document in order. The input must hold the same documents; a
 * change is RP_ERR_FORMAT. */
typedef rp_status (*reread_fn)(void *ctx, uint64_t doc, const rp_record *r, rp_source *src,
                               rp_error *err);
static rp_status reread(rp_dedup *d, reread_fn fn, void *ctx, rp_error *err)
{
    rp_source *src = NULL;
    RP_TRY(open_source(d, true, &src, err));
    rp_status rc = RP_OK;
    for (uint64_t i = 0; rc == RP_OK; i++) {
        const rp_record *r;
        if ((rc = rp_source_next(src, &r, err)) != RP_OK) break;
        if (r == NULL ? i != d->n : i >= d->n || r->text_len != d->len[i]) {
            rc = rp__fail(err, RP_ERR_FORMAT, "", 0,
                          "the input changed while it was read: read again, it no longer holds "
                          "the same documents");
            break;
        }
        if (r == NULL) break;
        rc = fn(ctx, i, r, src, err);
    }
    rp_source_free(src);
    return rc;
}

typedef struct exact_ctx {
    rp_dedup *d;
    const uint8_t *need;
    int fd;
    uint64_t *off;
    uint32_t *cnt;
    uint64_t **set, **tmp;
    size_t *set_cap, *tmp_cap;
    uint64_t file_len;
} exact_ctx;

/* The shingle set of node i's text, appended to the temporary file. */
static rp_status store_set(exact_ctx *x, uint64_t i, const char *text, size_t len, rp_error *err)
{
    rp_dedup *d = x->d;
    size_t nset;
    if (rp__shingle_set(text, len, d->o.sketch.ngram, d->o.sketch.seed, x->set, x->set_cap, x->tmp,
                        x->tmp_cap, &nset) != RP_OK)
        return rp__nomem(err, "");
    if (nset > UINT32_MAX) nset = UINT32_MAX;
    x->off[i] = x->file_len;
    x->cnt[i] = (uint32_t)nset;
    RP_TRY(rp__tmp_write(x->fd, *x->set, nset * 8, x->file_len, d->tmpdir, err));
    x->file_len += nset * 8;
    return RP_OK;
}

/* reread(): the input documents in need. */
static rp_status write_set(void *ctx, uint64_t i, const rp_record *r, rp_source *src, rp_error *err)
{
    exact_ctx *x = ctx;
    if (!(x->need[i / 8] & (1u << (i % 8)))) return RP_OK;
    RP_TRY(store_set(x, i, r->text, r->text_len, err));
    if (x->d->o.progress && i % 4096 == 0)
        x->d->o.progress(x->d->o.progress_user, 2, i, rp_source_bytes(src));
    return RP_OK;
}

/* Stage 4: read the input again; the shingle sets of the marked documents
 * go to a temporary file; then each listed pair is decided on them. */
static rp_status stage_exact(rp_dedup *d, rp__sorter *exact, rp__sorter *accepted,
                             const uint8_t *need, rp_error *err)
{
    uint64_t nodes = d->n + d->n_arch; /* input documents, then indexed ones */
    uint64_t *set = NULL, *other = NULL;
    size_t set_cap = 0, other_cap = 0;
    /* The sets go to a temporary file: node i's at off[i], cnt[i] values.
     * other is the sorting scratch until the pairs are decided. */
    exact_ctx x = {d,
                   need,
                   -1,
                   rp__calloc((size_t)nodes + 1, sizeof *x.off),
                   rp__calloc((size_t)nodes + 1, sizeof *x.cnt),
                   &set,
                   &other,
                   &set_cap,
                   &other_cap,
                   0};
    rp_status rc = x.off == NULL || x.cnt == NULL ? rp__nomem(err, "") : RP_OK;
    if (rc == RP_OK) rc = rp__tmp_open(d->tmpdir, &x.fd, err);
    if (rc == RP_OK) rc = reread(d, write_set, &x, err);
    /* The indexed documents that matched (--against), from the index. */
    for (uint64_t v = 0; rc == RP_OK && v < d->n_arch; v++) {
        char *text = NULL;
        size_t len = 0;
        rc = rp_index_document(d->o.against, d->arch_doc[v], NULL, NULL, &text, &len, err);
        if (rc == RP_OK) rc = store_set(&x, d->n + v, text, len, err);
        rp_free(text);
    }
    /* Decide the listed pairs: a's set stays loaded while a repeats. */
    uint64_t last_a = UINT64_MAX;
    size_t na = 0;
    while (rc == RP_OK) {
        const uint64_t *r = NULL;
        if ((rc = rp__sorter_next(exact, &r, err)) != RP_OK || r == NULL) break;
        uint64_t a = r[0] >> 32, b = r[0] & 0xFFFFFFFFu;
        d->st.exact_checks++;
        if (a != last_a) {
            na = x.cnt[a];
            if (!rp__grow((void **)&set, &set_cap, na ? na : 1, sizeof *set)) {
                rc = rp__nomem(err, "");
                break;
            }
            if ((rc = rp__tmp_read(x.fd, set, na * 8, x.off[a], d->tmpdir, err)) != RP_OK) break;
            last_a = a;
        }
        size_t nb = x.cnt[b];
        if (!rp__grow((void **)&other, &other_cap, nb ? nb : 1, sizeof *other)) {
            rc = rp__nomem(err, "");
            break;
        }
        if ((rc = rp__tmp_read(x.fd, other, nb * 8, x.off[b], d->tmpdir, err)) != RP_OK) break;
        double j = rp__set_jaccard(set, na, other, nb);
        if (j >= d->o.threshold) {
            uint64_t rec[2] = {r[0], dbl_bits(j)};
            rc = rp__sorter_add(accepted, rec, err);
        }
    }
    if (x.fd >= 0) close(x.fd);
    rp__free(x.off);
    rp__free(x.cnt);
    rp__free(set);
    rp__free(other);
    return rc;
}

/* ---- the verified pairs, kept for clustering and output ------------------ */

static rp_status pairs_store(rp_dedup *d, rp__sorter *accepted, rp_error *err)
{
    uint64_t budget = d->o.mem_limit / 8 / 16; /* pairs held in memory */
    for (;;) {
        const uint64_t *r = NULL;
        RP_TRY(rp__sorter_next(accepted, &r, err));
        if (r == NULL) break;
        if (d->pairs_fd < 0 && d->n_pairs >= budget) {
            RP_TRY(rp__tmp_open(d->tmpdir, &d->pairs_fd, err));
            RP_TRY(rp__tmp_write(d->pairs_fd, d->pairs, d->n_pairs * 16, 0, d->tmpdir, err));
            d->pair_pos = d->n_pairs * 16;
            rp__free(d->pairs);
            d->pairs = NULL;
            d->pairs_cap = 0;
        }
        if (d->pairs_fd >= 0) {
            RP_TRY(rp__tmp_write(d->pairs_fd, r, 16, d->pair_pos, d->tmpdir, err));
            d->pair_pos += 16;
        } else {
            if (!rp__grow((void **)&d->pairs, &d->pairs_cap, (size_t)(d->n_pairs + 1) * 2,
                          sizeof *d->pairs))
                return rp__nomem(err, "");
            d->pairs[2 * d->n_pairs] = r[0];
            d->pairs[2 * d->n_pairs + 1] = r[1];
        }
        d->n_pairs++;
    }
    d->st.pairs = d->n_pairs;
    d->pair_pos = 0;
    return RP_OK;
}

/* Pair i of the store (sequential reading is buffered). */
static rp_status pair_at(rp_dedup *d, uint64_t i, uint64_t *ab, double *sim, rp_error *err)
{
    if (d->pairs_fd < 0) {
        *ab = d->pairs[2 * i];
        *sim = bits_dbl(d->pairs[2 * i + 1]);
        return RP_OK;
    }
    const size_t per = 8192;
    if (d->pair_buf == NULL && (d->pair_buf = rp__malloc(per * 16)) == NULL) return rp__nomem(err, "");
    if (i < d->pair_pos || i >= d->pair_pos + d->pair_buf_n) {
        uint64_t left = d->n_pairs - i;
        d->pair_buf_n = left < per ? (size_t)left : per;
        RP_TRY(rp__tmp_read(d->pairs_fd, d->pair_buf, d->pair_buf_n * 16, i * 16, d->tmpdir, err));
        d->pair_pos = i;
    }
    *ab = d->pair_buf[2 * (i - d->pair_pos)];
    *sim = bits_dbl(d->pair_buf[2 * (i - d->pair_pos) + 1]);
    return RP_OK;
}

/* ---- stage 5: clusters ---------------------------------------------------- */

/* The keep order of node x, before its number: indexed documents
 * (--against) first, the earlier added first (they are already kept in
 * the archive); then inputs, the longest first with --keep longest. */
static uint64_t keep_key(const rp_dedup *d, uint32_t x)
{
    if (x >= d->n) return (uint64_t)d->arch_doc[x - d->n]; /* a rowid: below 2^63 */
    uint64_t k = (uint64_t)1 << 63;
    if (d->o.keep == RP_KEEP_LONGEST) k |= ((uint64_t)1 << 62) - 1 - d->len[x];
    return k;
}

/* Does x come before y as a representative? */
static bool keeps_before(const rp_dedup *d, uint32_t x, uint32_t y)
{
    uint64_t kx = keep_key(d, x), ky = keep_key(d, y);
    return kx != ky ? kx < ky : x < y;
}

/* A member of a chained cluster, sortable by cluster then keep order. */
typedef struct member {
    uint32_t rep, x;
    uint64_t key;
} member;

static int member_cmp(const void *p, const void *q)
{
    const member *a = p, *b = q;
    if (a->rep != b->rep) return a->rep < b->rep ? -1 : 1;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->x > b->x) - (a->x < b->x);
}

static rp_status stage_cluster(rp_dedup *d, rp_error *err)
{
    uint64_t n = d->n + d->n_arch; /* nodes: input documents, then indexed ones */
    uint32_t *parent = rp__malloc((size_t)(n ? n : 1) * sizeof *parent);
    uint8_t *direct = rp__calloc((size_t)n / 8 + 1, 1);
    d->rep = rp__malloc((size_t)(n ? n : 1) * sizeof *d->rep);
    d->size = rp__calloc((size_t)(n ? n : 1), sizeof *d->size);
    member *members = NULL;
    rp__hmap verified = {0};
    rp_status rc = RP_OK;
    if (parent == NULL || direct == NULL || d->rep == NULL || d->size == NULL) {
        rc = rp__nomem(err, "");
        goto done;
    }
    for (uint64_t i = 0; i < n; i++)
        parent[i] = (uint32_t)i;
    for (uint64_t p = 0; p < d->n_pairs; p++) {
        uint64_t ab;
        double sim;
        if ((rc = pair_at(d, p, &ab, &sim, err)) != RP_OK) goto done;
        rp__uf_union(parent, (uint32_t)(ab >> 32), (uint32_t)ab);
    }
    /* Representatives: the first member in keep order of each component. */
    for (uint64_t i = 0; i < n; i++)
        d->rep[i] = UINT32_MAX;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t root = rp__uf_find(parent, (uint32_t)i);
        if (d->rep[root] == UINT32_MAX || keeps_before(d, (uint32_t)i, d->rep[root]))
            d->rep[root] = (uint32_t)i;
    }
    for (uint64_t i = 0; i < n; i++)
        d->rep[i] = d->rep[rp__uf_find(parent, (uint32_t)i)];
    /* Chaining: members that are not a verified pair of their representative. */
    for (uint64_t p = 0; p < d->n_pairs; p++) {
        uint64_t ab;
        double sim;
        if ((rc = pair_at(d, p, &ab, &sim, err)) != RP_OK) goto done;
        uint32_t a = (uint32_t)(ab >> 32), b = (uint32_t)ab;
        if (d->rep[a] == a) direct[b / 8] |= (uint8_t)(1u << (b % 8));
        if (d->rep[b] == b) direct[a / 8] |= (uint8_t)(1u << (a % 8));
    }
    uint8_t *chained = rp__calloc((size_t)n / 8 + 1, 1); /* by representative */
    if (chained == NULL) {
        rc = rp__nomem(err, "");
        goto done;
    }
    size_t n_members = 0, members_cap = 0;
    d->st.chained_min = 1;
    uint32_t *sbuf = d->sigs.fd >= 0 ? rp__malloc(2 * d->k * sizeof *sbuf) : NULL;
    for (uint64_t i = 0; i < n && rc == RP_OK; i++) {
        uint32_t r = d->rep[i];
        if (r == i || (direct[i / 8] & (1u << (i % 8)))) continue;
        d->st.chained_members++;
        if (!(chained[r / 8] & (1u << (r % 8)))) {
            chained[r / 8] |= (uint8_t)(1u << (r % 8));
            d->st.chained++;
        }
        const uint32_t *si, *sr;
        if (r >= d->n) continue; /* an indexed representative: no signature here */
        if (d->sigs.fd >= 0 && sbuf == NULL) {
            rc = rp__nomem(err, "");
            break;
        }
        if ((rc = sigs_get(&d->sigs, i, 1, sbuf, &si, d->tmpdir, err)) != RP_OK) break;
        if ((rc = sigs_get(&d->sigs, r, 1, sbuf ? sbuf + d->k : NULL, &sr, d->tmpdir, err)) !=
            RP_OK)
            break;
        double sim = rp_signature_similarity(si, sr, d->k);
        if (sim < d->st.chained_min) d->st.chained_min = sim;
    }
    rp__free(sbuf);
    if (rc == RP_OK && d->o.strict && d->st.chained > 0) {
        /* Members of chained clusters, grouped by cluster in keep order. */
        for (uint64_t i = 0; i < n; i++) {
            uint32_t r = d->rep[i];
            if (!(chained[r / 8] & (1u << (r % 8)))) continue;
            if (!rp__grow((void **)&members, &members_cap, n_members + 1, sizeof *members)) {
                rc = rp__nomem(err, "");
                break;
            }
            members[n_members++] = (member){r, (uint32_t)i, keep_key(d, (uint32_t)i)};
        }
        if (rc == RP_OK && !rp__hmap_init(&verified, 1024)) rc = rp__nomem(err, "");
        for (uint64_t p = 0; rc == RP_OK && p < d->n_pairs; p++) {
            uint64_t ab;
            double sim;
            if ((rc = pair_at(d, p, &ab, &sim, err)) != RP_OK) break;
            uint32_t a = (uint32_t)(ab >> 32);
            if (!(chained[d->rep[a] / 8] & (1u << (d->rep[a] % 8)))) continue;
            bool ins;
            if (rp__hmap_put(&verified, ab, 1, &ins) == NULL) rc = rp__nomem(err, "");
        }
        if (rc == RP_OK) {
            if (n_members > 1) qsort(members, n_members, sizeof *members, member_cmp);
            uint32_t *newrep = rp__malloc((n_members ? n_members : 1) * sizeof *newrep);
            if (newrep == NULL) rc = rp__nomem(err, "");
            for (size_t s = 0; rc == RP_OK && s < n_members;) {
                size_t e = s;
                while (e < n_members && members[e].rep == members[s].rep)
                    e++;
                /* Greedy: the first unassigned member (keep order) takes every
                 * unassigned member it is a verified pair of. */
                for (size_t i = s; i < e; i++)
                    newrep[i] = UINT32_MAX;
                for (size_t i = s; i < e; i++) {
                    if (newrep[i] != UINT32_MAX) continue;
                    uint32_t r = members[i].x;
                    newrep[i] = r;
                    for (size_t j = i + 1; j < e; j++) {
                        if (newrep[j] != UINT32_MAX) continue;
                        uint32_t x = members[j].x;
                        uint64_t key = r < x ? (uint64_t)r << 32 | x : (uint64_t)x << 32 | r;
                        if (rp__hmap_get(&verified, key) != NULL) newrep[j] = r;
                    }
                }
                s = e;
            }
            for (size_t i = 0; rc == RP_OK && i < n_members; i++)
                d->rep[members[i].x] = newrep[i];
            rp__free(newrep);
        }
    }
    rp__free(chained);
    if (rc != RP_OK) goto done;
    for (uint64_t i = 0; i < n; i++)
        d->size[d->rep[i]]++;
    for (uint64_t i = 0; i < n; i++) {
        if (i < d->n && d->rep[i] != i) {
            d->st.removed++;
            if (d->rep[i] >= d->n) d->st.against_removed++;
        }
        if (d->rep[i] == i && d->size[i] > 1) d->st.clusters++;
    }
done:
    rp__free(parent);
    rp__free(direct);
    rp__free(members);
    if (verified.slots != NULL) rp__hmap_free(&verified);
    return rc;
}

/* ---- the whole run --------------------------------------------------------- */

static size_t default_mem(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return (size_t)1 << 30;
    return (size_t)((uint64_t)pages * (uint64_t)page / 4);
}

rp_status rp_dedup_run(const char *const *paths, size_t n_paths, const rp_dedup_opts *opts,
                       rp_dedup **out, rp_error *err)
{
    rp_dedup_opts defaults;
    if (opts == NULL) {
        rp_dedup_opts_init(&defaults);
        opts = &defaults;
    }
    if (out == NULL || (paths == NULL && n_paths > 0))
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_dedup_run: NULL argument");
    *out = NULL;
    if (!(opts->threshold > 0 && opts->threshold <= 1))
        return rp__fail(err, RP_ERR_PARAM, "", 0, "threshold must be in (0, 1], not %g",
                        opts->threshold);
    const rp_sketch_opts *so = &opts->sketch;
    if (so->ngram < 1 || so->ngram > 32)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "ngram must be in 1..32, not %zu", so->ngram);
    if (so->hashes < 1 || so->hashes > RP_SKETCH_MAX_HASHES)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "hashes must be in 1..%d, not %zu",
                        RP_SKETCH_MAX_HASHES, so->hashes);
    if ((opts->bands == 0) != (opts->rows == 0) ||
        (opts->bands > 0 && opts->bands > so->hashes / opts->rows))
        return rp__fail(err, RP_ERR_PARAM, "", 0,
                        "bands x rows (%zu x %zu) must both be set and fit in %zu hashes",
                        opts->bands, opts->rows, so->hashes);
    if (opts->verify < RP_VERIFY_AUTO || opts->verify > RP_VERIFY_EXACT ||
        opts->keep < RP_KEEP_FIRST || opts->keep > RP_KEEP_LONGEST)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "unknown verify or keep mode");

    if (opts->against != NULL) {
        const rp_index_params *ip = rp_index_get_params(opts->against);
        if (ip->sketch_ngram != so->ngram || ip->sketch_hashes != so->hashes ||
            ip->seed != so->seed)
            return rp__fail(err, RP_ERR_MISMATCH, "", 0,
                            "the index was sketched with ngram %zu, hashes %zu, seed %llu; this "
                            "run asks for ngram %zu, hashes %zu, seed %llu",
                            ip->sketch_ngram, ip->sketch_hashes, (unsigned long long)ip->seed,
                            so->ngram, so->hashes, (unsigned long long)so->seed);
    }
    rp_dedup *d = rp__calloc(1, sizeof *d);
    if (d == NULL) return rp__nomem(err, "");
    clock_gettime(CLOCK_MONOTONIC, &d->t0);
    d->spool_fd = -1;
    d->pairs_fd = -1;
    d->sigs.fd = -1;
    d->o = *opts;
    d->o.sketch.lossy = 1; /* the source has validated the text (or reads it lossy) */
    d->k = so->hashes;
    if (d->o.threads == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        d->o.threads = c > 0 ? (size_t)c : 1;
    }
    if (d->o.threads > RP__MAX_THREADS) d->o.threads = RP__MAX_THREADS;
    if (d->o.mem_limit == 0) d->o.mem_limit = default_mem();
    const char *tmp = opts->tmpdir;
    if (tmp == NULL || *tmp == '\0') tmp = getenv("TMPDIR");
    if (tmp == NULL || *tmp == '\0') tmp = "/tmp";
    d->tmpdir = rp__strdup(tmp);
    d->paths = rp__calloc(n_paths ? n_paths : 1, sizeof *d->paths);
    if (d->tmpdir == NULL || d->paths == NULL) goto nomem;
    d->o.tmpdir = d->tmpdir;
    bool has_stdin = false;
    for (size_t i = 0; i < n_paths; i++) {
        if ((d->paths[i] = rp__strdup(paths[i])) == NULL) goto nomem;
        d->n_paths++;
        has_stdin |= strcmp(paths[i], "-") == 0;
    }
    d->text_field = rp__strdup(opts->source.text_field ? opts->source.text_field : "text");
    d->id_field = rp__strdup(opts->source.id_field ? opts->source.id_field : "id");
    if (d->text_field == NULL || d->id_field == NULL) goto nomem;
    d->o.source.text_field = d->text_field;
    d->o.source.id_field = d->id_field;
    if (opts->bands == 0) {
        rp_lsh_choose(opts->threshold, d->k, &d->st.bands, &d->st.rows);
    } else {
        d->st.bands = opts->bands;
        d->st.rows = opts->rows;
    }
    d->sigs.k = d->k;
    d->sigs.budget = d->o.mem_limit / 2;

    rp_status rc = RP_OK;
    rp__sorter *cands = NULL, *accepted = NULL, *exact = NULL;
    uint8_t *need = NULL;
    if (has_stdin && (rc = rp__tmp_open(d->tmpdir, &d->spool_fd, err)) != RP_OK) goto fail;
    if ((rc = stage_sketch(d, err)) != RP_OK) goto fail;
    d->st.docs = d->n;
    if ((rc = rp__sorter_new(1, d->o.mem_limit / 8, d->tmpdir, true, &cands, err)) != RP_OK)
        goto fail;
    if ((rc = stage_candidates(d, cands, err)) != RP_OK) goto fail;
    if ((rc = rp__sorter_new(2, d->o.mem_limit / 16, d->tmpdir, true, &accepted, err)) != RP_OK ||
        (rc = rp__sorter_new(1, d->o.mem_limit / 16, d->tmpdir, true, &exact, err)) != RP_OK)
        goto fail;
    if ((need = rp__calloc((size_t)d->n / 8 + 1, 1)) == NULL) {
        rc = rp__nomem(err, "");
        goto fail;
    }
    if ((rc = stage_verify(d, cands, accepted, exact, need, err)) != RP_OK) goto fail;
    if (d->o.against != NULL && (rc = stage_against(d, accepted, exact, need, err)) != RP_OK)
        goto fail;
    d->st.spill_runs += rp__sorter_runs(cands);
    rp__sorter_free(cands);
    cands = NULL;
    if (rp__sorter_count(exact) > 0 && (rc = stage_exact(d, exact, accepted, need, err)) != RP_OK)
        goto fail;
    rp__free(need);
    need = NULL;
    d->st.spill_runs += rp__sorter_runs(exact) + rp__sorter_runs(accepted);
    rp__sorter_free(exact);
    exact = NULL;
    if ((rc = pairs_store(d, accepted, err)) != RP_OK) goto fail;
    rp__sorter_free(accepted);
    accepted = NULL;
    if (d->o.progress) d->o.progress(d->o.progress_user, 3, d->n, 0);
    if ((rc = stage_cluster(d, err)) != RP_OK) goto fail;
    d->st.seconds = elapsed(&d->t0);
    *out = d;
    return RP_OK;
fail:
    rp__sorter_free(cands);
    rp__sorter_free(accepted);
    rp__sorter_free(exact);
    rp__free(need);
    rp_dedup_free(d);
    return rc;
nomem:
    rp_dedup_free(d);
    return rp__nomem(err, "");
}

const rp_dedup_stats *rp_dedup_get_stats(const rp_dedup *d)
{
    return d ? &d->st : NULL;
}

const char *rp_dedup_id(const rp_dedup *d, uint64_t i, size_t *len)
{
    if (d == NULL || i >= d->n + d->n_arch) return NULL;
    if (len != NULL) *len = (size_t)(d->id_off[i + 1] - d->id_off[i] - 1);
    return d->ids + d->id_off[i];
}

uint64_t rp_dedup_representative(const rp_dedup *d, uint64_t i)
{
    return d == NULL || i >= d->n + d->n_arch ? i : d->rep[i];
}

uint64_t rp_dedup_cluster_size(const rp_dedup *d, uint64_t i)
{
    return d == NULL || i >= d->n + d->n_arch ? 0 : d->size[d->rep[i]];
}

int rp_dedup_next_pair(rp_dedup *d, uint64_t *a, uint64_t *b, double *similarity, rp_status *st,
                       rp_error *err)
{
    if (st != NULL) *st = RP_OK;
    if (d == NULL) return 0;
    if (d->iter_pos >= d->n_pairs) {
        d->iter_pos = 0;
        return 0;
    }
    uint64_t ab;
    double sim;
    rp_status rc = pair_at(d, d->iter_pos, &ab, &sim, err);
    if (rc != RP_OK) {
        if (st != NULL) *st = rc;
        d->iter_pos = 0;
        return 0;
    }
    d->iter_pos++;
    *a = ab >> 32;
    *b = ab & 0xFFFFFFFFu;
    *similarity = sim;
    return 1;
}

/* ---- the deduplicated input ----------------------------------------------- */

/* Append the JSON string of s[0..n) (valid UTF-8, or lossy bytes kept as they
 * are) to the writer, escaped. */
static rp_status put_json_string(rp__writer *w, const char *s, size_t n, rp_error *err)
{
    char buf[4096];
    size_t o = 0;
    buf[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (o > sizeof buf - 8) {
            RP_TRY(rp__writer_write(w, buf, o, err));
            o = 0;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (c == '\t') {
            buf[o++] = '\\';
            buf[o++] = 't';
        } else if (c == '\r') {
            buf[o++] = '\\';
            buf[o++] = 'r';
        } else if (c < 0x20) {
            o += (size_t)snprintf(buf + o, 8, "\\u%04x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    return rp__writer_write(w, buf, o, err);
}

/* reread(): a kept document to the output. */
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
        RP_TRY(put_json_string(w, r->id, r->id_len, err));
        RP_TRY(rp__writer_write(w, ",\"text\":", 8, err));
        RP_TRY(put_json_string(w, r->text, r->text_len, err));
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
    rp_status rc = reread(d, write_kept, &k, err);
    rp_status cl = rp__writer_close(w, rc == RP_OK, rc == RP_OK ? err : NULL);
    return rc != RP_OK ? rc : cl;
}
