/* dedup.c - rp_dedup_run(): near-duplicate clusters of a corpus.
 *
 * Options, the run object and its accessors; the run calls the five stages
 * in order (dedup_int.h describes them and their files) and times each. */
#include "dedup/dedup_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    for (size_t i = 0; d->path_spool != NULL && i < d->n_paths; i++)
        if (d->path_spool[i] >= 0) close(d->path_spool[i]);
    rp__free(d->path_spool);
    if (d->id_seen.slots != NULL) rp__hmap_free(&d->id_seen);
    rp__free(d->ids);
    rp__free(d->id_off);
    rp__free(d->len);
    rp__free(d->where);
    for (size_t k = 0; k < d->n_where_path; k++)
        rp__free(d->where_path[k]);
    rp__free(d->where_path);
    rp__free(d->nsh);
    rp__free(d->rep);
    rp__free(d->size);
    rp__dedup_sigs_free(&d->sigs);
    rp__free(d->pairs);
    rp__free(d->pair_buf);
    if (d->pairs_fd >= 0) close(d->pairs_fd);
    rp__free(d->arch_doc);
    if (d->arch_map.slots != NULL) rp__hmap_free(&d->arch_map);
    rp__dedup_shard_free(d->shard);
    rp__free(d->rank_first);
    rp__free(d->chained_pairs);
    rp__free(d);
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
    if (opts->comm != NULL && (opts->against != NULL || opts->strict))
        return rp__fail(err, RP_ERR_PARAM, "", 0, "%s cannot be used on ranks",
                        opts->against ? "an index (against)" : "strict");

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
    d->where_ok = true;
    d->sigs.fd = -1;
    d->o = *opts;
    d->o.sketch.lossy = 1; /* the source has validated the text (or reads it lossy) */
    d->k = so->hashes;
    d->st.ranks = 1;
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
    d->path_spool = rp__malloc((n_paths ? n_paths : 1) * sizeof *d->path_spool);
    if (d->tmpdir == NULL || d->paths == NULL || d->path_spool == NULL) goto nomem;
    for (size_t i = 0; i < n_paths; i++)
        d->path_spool[i] = -1;
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
    if (d->o.comm != NULL) { /* spread over ranks: dedup_dist.c runs the stages */
        if (has_stdin) {
            rc = rp__fail(err, RP_ERR_PARAM, "-", 0,
                          "standard input cannot be spread over ranks: give files");
            goto fail;
        }
        if ((rc = rp__dedup_run_dist(d, err)) != RP_OK) goto fail;
        d->st.seconds = rp__dedup_elapsed(&d->t0);
        *out = d;
        return RP_OK;
    }
    if (has_stdin && (rc = rp__tmp_open(d->tmpdir, &d->spool_fd, err)) != RP_OK) goto fail;
    for (size_t i = 0; i < d->n_paths; i++) {
        struct stat sb;
        if (strcmp(d->paths[i], "-") != 0 && stat(d->paths[i], &sb) == 0 &&
            !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode) &&
            (rc = rp__tmp_open(d->tmpdir, &d->path_spool[i], err)) != RP_OK)
            goto fail;
    }
    if ((rc = rp__dedup_stage_sketch(d, err)) != RP_OK) goto fail;
    d->st.docs = d->n;
    if ((rc = rp__sorter_new(1, d->o.mem_limit / 8, d->tmpdir, true, &cands, err)) != RP_OK)
        goto fail;
    if ((rc = rp__dedup_stage_candidates(d, cands, err)) != RP_OK) goto fail;
    if ((rc = rp__sorter_new(2, d->o.mem_limit / 16, d->tmpdir, true, &accepted, err)) != RP_OK ||
        (rc = rp__sorter_new(1, d->o.mem_limit / 16, d->tmpdir, true, &exact, err)) != RP_OK)
        goto fail;
    if ((need = rp__calloc((size_t)d->n / 8 + 1, 1)) == NULL) {
        rc = rp__nomem(err, "");
        goto fail;
    }
    if ((rc = rp__dedup_stage_verify(d, cands, accepted, exact, need, err)) != RP_OK) goto fail;
    if (d->o.against != NULL &&
        (rc = rp__dedup_stage_against(d, accepted, exact, need, err)) != RP_OK)
        goto fail;
    d->st.spill_runs += rp__sorter_runs(cands);
    rp__sorter_free(cands);
    cands = NULL;
    if (rp__sorter_count(exact) > 0 &&
        (rc = rp__dedup_stage_exact(d, exact, accepted, need, err)) != RP_OK)
        goto fail;
    rp__free(need);
    need = NULL;
    d->st.spill_runs += rp__sorter_runs(exact) + rp__sorter_runs(accepted);
    rp__sorter_free(exact);
    exact = NULL;
    if ((rc = rp__dedup_pairs_store(d, accepted, err)) != RP_OK) goto fail;
    rp__sorter_free(accepted);
    accepted = NULL;
    if (d->o.progress) d->o.progress(d->o.progress_user, 3, d->n, 0);
    if ((rc = rp__dedup_stage_cluster(d, err)) != RP_OK) goto fail;
    d->st.seconds = rp__dedup_elapsed(&d->t0);
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
    rp_status rc = rp__dedup_pair_at(d, d->iter_pos, &ab, &sim, err);
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
