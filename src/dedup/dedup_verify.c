/* dedup_verify.c - dedup stages 3 and 4: verification.
 *
 * Each candidate is accepted or rejected on its signatures when the
 * estimate is far from the threshold, or listed for an exact check; the
 * exact check reads the listed documents' texts again and compares their
 * shingle sets, so every reported similarity is exact. --against adds the
 * index's near duplicates of each input. */
#include "dedup/dedup_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AUTO_Z 4.5 /* standard errors around the threshold checked exactly */

/* The signature estimate below which a candidate pair is rejected without
 * an exact check: the threshold with --verify signature (which decides on
 * signatures alone), 0 with exact, and with auto 4.5 standard errors (plus
 * one value) below the threshold, or 0 for a pair with a text of fewer
 * shingles than twice the hashes (short texts estimate worse). */
double rp__dedup_verify_floor(const rp_dedup *d, bool short_text)
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
    if (est < rp__dedup_verify_floor(d, short_text)) return RP_OK; /* a clear non-pair */
    if (d->o.verify == RP_VERIFY_SIGNATURE) {
        uint64_t rec[2] = {pair, rp__dedup_dbl_bits(est)};
        return rp__sorter_add(accepted, rec, err);
    }
    uint64_t a = pair >> 32, b = pair & 0xFFFFFFFFu;
    need[a / 8] |= (uint8_t)(1u << (a % 8));
    if (b < d->n) need[b / 8] |= (uint8_t)(1u << (b % 8));
    return rp__sorter_add(exact, &pair, err);
}

/* Stage 3: each candidate accepted, rejected or listed for an exact check
 * (its documents marked in need). */
rp_status rp__dedup_stage_verify(rp_dedup *d, rp__sorter *cands, rp__sorter *accepted,
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
            if ((rc = rp__dedup_sigs_get(&d->sigs, a, 1, bufa, &sa, d->tmpdir, err)) != RP_OK)
                break;
            last_a = a;
        }
        const uint32_t *sb;
        if ((rc = rp__dedup_sigs_get(&d->sigs, b, 1, bufb, &sb, d->tmpdir, err)) != RP_OK) break;
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
    rp_status rc = rp__dedup_append_id(d, id, id_len, err);
    rp__free(id);
    RP_TRY(rc);
    d->arch_doc[d->n_arch] = m->doc;
    *slot = (uint32_t)(d->n_arch + 1);
    *node = d->n + d->n_arch;
    d->n_arch++;
    return RP_OK;
}

rp_status rp__dedup_stage_against(rp_dedup *d, rp__sorter *accepted, rp__sorter *exact,
                                  uint8_t *need, rp_error *err)
{
    size_t k = d->k;
    if (!rp__hmap_init(&d->arch_map, 1024)) return rp__nomem(err, "");
    uint32_t *buf = d->sigs.fd >= 0 ? rp__malloc(k * sizeof *buf) : NULL;
    if (d->sigs.fd >= 0 && buf == NULL) return rp__nomem(err, "");
    rp_status rc = RP_OK;
    for (uint64_t i = 0; i < d->n && rc == RP_OK; i++) {
        if (d->nsh[i] == 0) continue;
        const uint32_t *sig;
        if ((rc = rp__dedup_sigs_get(&d->sigs, i, 1, buf, &sig, d->tmpdir, err)) != RP_OK) break;
        bool short_text = d->nsh[i] < 2 * k;
        rp_index_near_match *m = NULL;
        size_t nm = 0;
        rc = rp_index_near(d->o.against, sig, rp__dedup_verify_floor(d, short_text), &m, &nm, err);
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

typedef struct exact_ctx {
    rp_dedup *d;
    const uint8_t *need;
    int fd;
    uint64_t *off;
    uint32_t *cnt;
    uint64_t **set, **tmp;
    size_t *set_cap, *tmp_cap;
    uint64_t file_len;
    uint64_t *mem;    /* the sets in memory instead of the file, when they fit */
    uint64_t mem_cap; /* values */
} exact_ctx;

/* Node i's set (cnt[i] values) into buf. */
static rp_status load_set(exact_ctx *x, uint64_t i, uint64_t *buf, rp_error *err)
{
    size_t n = x->cnt[i];
    if (x->mem != NULL) {
        memcpy(buf, x->mem + x->off[i] / 8, n * 8);
        return RP_OK;
    }
    return rp__tmp_read(x->fd, buf, n * 8, x->off[i], x->d->tmpdir, err);
}

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
    if (x->mem != NULL && x->file_len / 8 + nset > x->mem_cap) { /* past the bound: to a file */
        RP_TRY(rp__tmp_open(d->tmpdir, &x->fd, err));
        RP_TRY(rp__tmp_write(x->fd, x->mem, (size_t)x->file_len, 0, d->tmpdir, err));
        rp__free(x->mem);
        x->mem = NULL;
    }
    if (x->mem != NULL)
        memcpy(x->mem + x->file_len / 8, *x->set, nset * 8);
    else
        RP_TRY(rp__tmp_write(x->fd, *x->set, nset * 8, x->file_len, d->tmpdir, err));
    x->file_len += nset * 8;
    return RP_OK;
}

/* rp__dedup_reread(): the input documents in need. */
static rp_status write_set(void *ctx, uint64_t i, const rp_record *r, rp_source *src, rp_error *err)
{
    exact_ctx *x = ctx;
    if (!(x->need[i / 8] & (1u << (i % 8)))) return RP_OK;
    RP_TRY(store_set(x, i, r->text, r->text_len, err));
    if (x->d->o.progress && i % 4096 == 0)
        x->d->o.progress(x->d->o.progress_user, 2, i, src != NULL ? rp_source_bytes(src) : 0);
    return RP_OK;
}

/* Stage 4: read the input again (or only the marked documents, by offset);
 * their shingle sets go to memory or a temporary file; then each listed pair
 * is decided on them. */
rp_status rp__dedup_stage_exact(rp_dedup *d, rp__sorter *exact, rp__sorter *accepted,
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
                   0,
                   NULL,
                   0};
    rp_status rc = x.off == NULL || x.cnt == NULL ? rp__nomem(err, "") : RP_OK;
    /* The sets hold at most a document's shingles each (the indexed ones
     * are counted at the cap): in memory when that bound is within a
     * quarter of the budget, else in the file. */
    uint64_t listed = 0, bound = 0;
    for (uint64_t i = 0; i < d->n; i++)
        if ((need[i / 8] >> (i % 8)) & 1) {
            listed++;
            bound += d->nsh[i] > 0 ? d->nsh[i] : 1;
        }
    bound += d->n_arch * (uint64_t)UINT32_MAX;
    if (rc == RP_OK && bound <= d->o.mem_limit / 4 / 8 &&
        (x.mem = rp__malloc((size_t)bound * 8 + 8)) == NULL)
        rc = rp__nomem(err, "");
    x.mem_cap = bound;
    if (rc == RP_OK && x.mem == NULL) rc = rp__tmp_open(d->tmpdir, &x.fd, err);
    /* Only the listed documents, read back by offset, when they are at most
     * half of the input and it allows (plain JSONL files); else it is
     * read again from the start. */
    if (rc == RP_OK)
        rc = d->where_ok && listed <= d->n / 2 ? rp__dedup_reread_some(d, need, write_set, &x, err)
                                               : rp__dedup_reread(d, write_set, &x, err);
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
            if ((rc = load_set(&x, a, set, err)) != RP_OK) break;
            last_a = a;
        }
        size_t nb = x.cnt[b];
        if (!rp__grow((void **)&other, &other_cap, nb ? nb : 1, sizeof *other)) {
            rc = rp__nomem(err, "");
            break;
        }
        if ((rc = load_set(&x, b, other, err)) != RP_OK) break;
        double j = rp__set_jaccard(set, na, other, nb);
        if (j >= d->o.threshold) {
            uint64_t rec[2] = {r[0], rp__dedup_dbl_bits(j)};
            rc = rp__sorter_add(accepted, rec, err);
        }
    }
    if (x.fd >= 0) close(x.fd);
    rp__free(x.mem);
    rp__free(x.off);
    rp__free(x.cnt);
    rp__free(set);
    rp__free(other);
    return rc;
}
