/* dedup_cluster.c - dedup stage 5: clusters.
 *
 * Union-find over the verified pairs, a representative per cluster by the
 * keep rule, the chaining check (members not verified against their
 * representative) and, with --strict, the greedy split of chained
 * clusters. */
#include "dedup/dedup_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --strict joins a member to a new representative it was never paired
 * with when their signatures agree this much: 4.5 standard errors (plus
 * one value) above the threshold, where a pair below it is all but
 * impossible. Mass duplicates need it: a bucket of more than 65 documents
 * pairs each only with the 64 before it, so 5,000 copies of one text
 * would otherwise split into some 77 "distinct" ones. */
static bool clearly_above(const rp_dedup *d, const uint32_t *a, const uint32_t *b)
{
    double t = d->o.threshold, k = (double)d->k;
    double bar = d->o.verify == RP_VERIFY_SIGNATURE ? t : t + 4.5 * sqrt(t * (1 - t) / k) + 1.0 / k;
    return rp_signature_similarity(a, b, d->k) >= (bar < 1 ? bar : 1);
}

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

rp_status rp__dedup_stage_cluster(rp_dedup *d, rp_error *err)
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
        if ((rc = rp__dedup_pair_at(d, p, &ab, &sim, err)) != RP_OK) goto done;
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
        if ((rc = rp__dedup_pair_at(d, p, &ab, &sim, err)) != RP_OK) goto done;
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
        if (d->o.comm != NULL) { /* on ranks: the signatures are their owners' */
            rc = rp__dedup_chained_note(d, (uint32_t)i, r, err);
            continue;
        }
        if (d->sigs.fd >= 0 && sbuf == NULL) {
            rc = rp__nomem(err, "");
            break;
        }
        if ((rc = rp__dedup_sigs_get(&d->sigs, i, 1, sbuf, &si, d->tmpdir, err)) != RP_OK) break;
        if ((rc = rp__dedup_sigs_get(&d->sigs, r, 1, sbuf ? sbuf + d->k : NULL, &sr, d->tmpdir,
                                     err)) != RP_OK)
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
            if ((rc = rp__dedup_pair_at(d, p, &ab, &sim, err)) != RP_OK) break;
            uint32_t a = (uint32_t)(ab >> 32);
            if (!(chained[d->rep[a] / 8] & (1u << (d->rep[a] % 8)))) continue;
            bool ins;
            if (rp__hmap_put(&verified, ab, 1, &ins) == NULL) rc = rp__nomem(err, "");
        }
        if (rc == RP_OK) {
            if (n_members > 1) qsort(members, n_members, sizeof *members, member_cmp);
            uint32_t *newrep = rp__malloc((n_members ? n_members : 1) * sizeof *newrep);
            uint32_t *pair_buf = rp__malloc(2 * d->k * sizeof *pair_buf);
            if (newrep == NULL || pair_buf == NULL) rc = rp__nomem(err, "");
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
                    const uint32_t *sr = NULL;
                    if (r < d->n &&
                        (rc = rp__dedup_sigs_get(&d->sigs, r, 1, pair_buf, &sr, d->tmpdir, err)) !=
                            RP_OK)
                        break;
                    for (size_t j = i + 1; j < e; j++) {
                        if (newrep[j] != UINT32_MAX) continue;
                        uint32_t x = members[j].x;
                        uint64_t key = r < x ? (uint64_t)r << 32 | x : (uint64_t)x << 32 | r;
                        if (rp__hmap_get(&verified, key) != NULL) {
                            newrep[j] = r;
                            continue;
                        }
                        const uint32_t *sx;
                        if (sr == NULL || x >= d->n) continue; /* indexed: no signature */
                        if ((rc = rp__dedup_sigs_get(&d->sigs, x, 1, pair_buf + d->k, &sx,
                                                     d->tmpdir, err)) != RP_OK)
                            break;
                        if (clearly_above(d, sr, sx)) newrep[j] = r;
                    }
                    if (rc != RP_OK) break;
                }
                s = e;
            }
            for (size_t i = 0; rc == RP_OK && i < n_members; i++)
                d->rep[members[i].x] = newrep[i];
            rp__free(newrep);
            rp__free(pair_buf);
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
