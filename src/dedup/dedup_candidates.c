/* dedup_candidates.c - dedup stage 2: candidate pairs from LSH bands.
 *
 * Band by band, (band key, document) records are sorted and documents that
 * share a key are paired; in a bucket of more than BUCKET_WINDOW + 1
 * documents each pairs with the BUCKET_WINDOW before it. */
#include "dedup/dedup_int.h"

#include <stdlib.h>
#include <string.h>

#define BUCKET_WINDOW 64 /* in a big bucket, each document pairs with the 64 before it */

/* rp__dedup_key_pairs(): a candidate pair into the sorter ctx. */
static rp_status to_sorter(void *ctx, uint64_t pair, rp_error *err)
{
    return rp__sorter_add(ctx, &pair, err);
}

rp_status rp__dedup_key_pairs(rp_dedup *d, rp__sorter *keys, rp__dedup_pair_fn fn, void *ctx,
                              rp_error *err)
{
    uint32_t *group = NULL;
    size_t group_cap = 0;
    rp_status rc = RP_OK;
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
                    if ((rc = fn(ctx, pair, err)) != RP_OK) break;
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
    rp__free(group);
    return rc;
}

rp_status rp__dedup_band_keys(rp_dedup *d, size_t band, uint64_t base, rp__dedup_rec_fn fn,
                              void *ctx, rp_error *err)
{
    size_t rows = d->st.rows, k = d->k, chunk = 4096;
    uint32_t *buf = d->sigs.fd >= 0 ? rp__malloc(chunk * k * sizeof *buf) : NULL;
    if (d->sigs.fd >= 0 && buf == NULL) return rp__nomem(err, "");
    rp_status rc = RP_OK;
    for (uint64_t first = 0; rc == RP_OK && first < d->n; first += chunk) {
        size_t count = d->n - first < chunk ? (size_t)(d->n - first) : chunk;
        const uint32_t *s;
        rc = rp__dedup_sigs_get(&d->sigs, first, count, buf, &s, d->tmpdir, err);
        for (size_t i = 0; rc == RP_OK && i < count; i++) {
            if (d->nsh[first + i] == 0) continue; /* no words: never paired */
            uint64_t rec[2] = {rp__band_key(s + i * k, band, rows), base + first + i};
            rc = fn(ctx, rec, err);
        }
    }
    rp__free(buf);
    return rc;
}

/* rp__dedup_band_keys(): a (band key, document) record into the sorter ctx. */
static rp_status key_to_sorter(void *ctx, const uint64_t *rec, rp_error *err)
{
    return rp__sorter_add(ctx, rec, err);
}

rp_status rp__dedup_stage_candidates(rp_dedup *d, rp__sorter *cands, rp_error *err)
{
    rp_status rc = RP_OK;
    for (size_t band = 0; band < d->st.bands && rc == RP_OK; band++) {
        rp__sorter *keys = NULL;
        rc = rp__sorter_new(2, d->o.mem_limit / 8, d->tmpdir, false, &keys, err);
        if (rc == RP_OK) rc = rp__dedup_band_keys(d, band, 0, key_to_sorter, keys, err);
        if (rc == RP_OK) rc = rp__dedup_key_pairs(d, keys, to_sorter, cands, err);
        d->st.spill_runs += rp__sorter_runs(keys);
        rp__sorter_free(keys);
        if (d->o.progress) d->o.progress(d->o.progress_user, 1, d->n, 0);
    }
    return rc;
}
