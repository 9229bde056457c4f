/* align.c - find the reused passages between two documents.
 *
 * A seed-and-extend aligner in the spirit of Sanchez-Perez, Sidorov and
 * Gelbukh (PAN 2014), over tokens instead of characters:
 *
 *  1. Units. Each document is cut into sentence-like units at sentence and
 *     paragraph breaks; short units are joined to the next and long ones
 *     cut, so every unit holds UNIT_MIN..UNIT_MAX tokens where possible.
 *  2. Weights. Each distinct token gets an inverse unit frequency weight
 *     over the units of both documents, so rare words count more.
 *  3. Seeds. For every unit of B, candidate units of A are those sharing one
 *     of its rarer words (an inverted index, capped per word so frequent
 *     words cost nothing); a candidate pair is a seed when its weighted
 *     cosine and its Dice coefficient both reach SEED_SIM. Bag-of-words
 *     seeds survive substituted and inserted words and local reordering.
 *     Runs of exactly shared word n-grams are seeds too, so a short reused
 *     phrase inside long, otherwise different sentences is found.
 *  4. Extension. Seeds closer than MAX_GAP tokens on both sides at once
 *     are linked (single linkage, union-find); each component is a
 *     candidate passage. A component need not be monotone, so shuffled text
 *     is one passage, while a moved paragraph, far from its neighbours on
 *     one side, is a passage of its own.
 *  5. Joining. Components that continue one another on both sides (the
 *     same passage resumed after a rewritten stretch) are joined, unless
 *     something else lies between them on one side only.
 *  6. Refinement. Strongest first, each candidate box is trimmed to words
 *     the other side has, diffed (diff.c), split where one side adds whole
 *     paragraphs, trimmed to start and end on shared words, and kept when
 *     long enough, with enough matched words and either enough weighted
 *     similarity (rare words shared) or enough matched words (repeated
 *     text). Passages overlapping a stronger one are rebuilt from the seeds
 *     clear of it, once.
 *
 * Everything is near-linear: the inverted index is capped, n-gram seeds use
 * a hash map, and clustering sorts. */
#include "align/align.h"

#include <math.h>
#include <utf8proc.h>
#include <stdlib.h>
#include <string.h>

/* Tuned once on the evaluation data (see README, "Evaluation"); the same
 * values serve every data set. */
#define UNIT_MIN       6    /* tokens; shorter sentences join the next */
#define UNIT_MAX       40   /* tokens; longer sentences are cut */
#define SEED_SIM       0.25 /* min cosine and Dice of a unit-pair seed */
#define DF_CAP         64   /* words in more A units do not generate candidates */
#define RARE_K         16   /* at most this many rarest words of a B unit generate */
#define NGRAM_K        4    /* exact shared word n-grams of this length seed too */
#define NGRAM_DF_CAP   8    /* n-grams more frequent than this pair by occurrence order */
#define MAX_GAP        40   /* tokens between linked seeds, on both sides */
#define PASSAGE_SIM    0.4  /* min weighted cosine between a passage's two sides, ... */
#define PLAIN_SIM      0.8  /* ... or, for a candidate, min plain cosine (repeated text) */
#define VERBATIM_SIM   0.5  /* ... or, for a passage, min similarity (matched words) */
#define SIM_FLOOR      0.3  /* no passage is less similar: under 3 words in 10 matched */
#define MERGE_GAP      300  /* tokens between parts of a passage that continue one another */
#define MERGE_TOL      5    /* tokens the parts may overlap */
#define MERGE_LOOKBACK 16   /* parts examined before each part */
#define PASSES         8    /* rounds of alignment over the seeds clear of kept passages */

#define EDGE_TRIM_MAX 8   /* differing runs at a passage edge up to this long are trimmed */
#define WEAK_EDGE     2   /* words in common at an edge that may be chance ... */
#define WEAK_EDGE_RUN 16  /* ... before a differing run of at most this many */
#define SOLID_RUN     4   /* shared words in a row that surely belong to the reuse ... */
#define WEAK_HEAD_SIM 0.3 /* ... and the similarity below which the words before them do not */
#define SPLIT_RUN     20  /* a stretch of this many tokens on one side splits a passage ... */
#define MOVED_RUN     10  /* ... or of this many, when the other side has it elsewhere ... */
#define SPLIT_RATIO   4   /* ... when the other side has at most a quarter as many there */
#define SPLIT_NEAR    20  /* ... and its words are not found this near on the other side ... */
#define SPLIT_PRESENT 0.5 /* ... carrying this share of its weight */
#define SPLIT_DEPTH   8   /* parts of a split passage are split again this many times at most */

typedef struct unit {
    uint32_t lo, hi;   /* token range */
    uint32_t off, len; /* its distinct vocabulary ids in ids[] */
    double norm;       /* sqrt of the sum of squared weights */
} unit;

typedef struct seed {
    uint32_t alo, ahi, blo, bhi; /* token ranges */
    double w;                    /* evidence weight */
} seed;

typedef struct side {
    const rp_token *tok;
    const uint8_t *brk;
    size_t n;
    unit *units;
    size_t n_units;
    uint32_t *vid; /* vocabulary id of each token */
} side;

typedef struct actx {
    side a, b;
    rp__hmap vocab;
    size_t n_vocab;
    uint32_t *df_a, *df_b; /* units containing each word */
    double *w;             /* weight of each word */
    uint32_t *ids;         /* per-unit sorted distinct ids, A units then B units */
    size_t n_ids, cap_ids;
    seed *seeds;
    size_t n_seeds, cap_seeds;
    uint32_t *stamp, mark; /* per word: membership marks (trim_box) */
    uint32_t *tf_a, *tf_b; /* per word: zeroed counts (box_cosine) */
    seed *all_seeds;       /* every seed, in the order by_a and by_b index */
    uint64_t *by_a, *by_b; /* start << 32 | seed, sorted (moved_away) */
    size_t n_by;
} actx;

/* Report progress: stage share [lo, hi) of the work, i of n done. */
static void report(const rp__align_params *p, double lo, double hi, size_t i, size_t n)
{
    if (p->progress != NULL)
        p->progress(p->progress_user, lo + (hi - lo) * (n ? (double)i / (double)n : 1.0));
}

/* Insertion sort of a unit's word ids (at most UNIT_MAX), cheaper than a
 * qsort call per unit. */
static void sort_small_u32(uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Bottom-up merge sort of v[0..n) with scratch tmp[0..n): a pair's seeds
 * are too few for a radix sort's passes over its digit histograms. */
static void merge_sort_u64(uint64_t *v, size_t n, uint64_t *tmp)
{
    uint64_t *src = v, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[i] <= src[j] ? src[i++] : src[j++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint64_t *t = src;
        src = dst, dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
}

/* Cut one side into units and give each token its vocabulary id. */
static rp_status build_units(actx *c, side *s)
{
    s->vid = rp__malloc((s->n ? s->n : 1) * sizeof *s->vid);
    if (s->vid == NULL) return RP_ERR_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        bool ins;
        uint32_t *v = rp__hmap_put(&c->vocab, s->tok[i].hash, (uint32_t)c->n_vocab, &ins);
        if (v == NULL) return RP_ERR_NOMEM;
        if (ins) c->n_vocab++;
        s->vid[i] = *v;
    }
    size_t cap = 0;
    size_t lo = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t len = i + 1 - lo;
        bool brk = s->brk[i] != 0;
        bool last = i + 1 == s->n;
        if ((brk && len >= UNIT_MIN) || len >= UNIT_MAX || last) {
            /* A short tail joins the previous unit when that stays small. */
            if (last && len < UNIT_MIN && s->n_units > 0 &&
                s->units[s->n_units - 1].hi - s->units[s->n_units - 1].lo + len <= UNIT_MAX) {
                s->units[s->n_units - 1].hi = (uint32_t)(i + 1);
                break;
            }
            if (!rp__grow((void **)&s->units, &cap, s->n_units + 1, sizeof *s->units))
                return RP_ERR_NOMEM;
            s->units[s->n_units++] = (unit){(uint32_t)lo, (uint32_t)(i + 1), 0, 0, 0};
            lo = i + 1;
        }
    }
    return RP_OK;
}

/* Fill each unit's sorted distinct word ids and count unit frequencies. */
static rp_status unit_sets(actx *c, side *s, uint32_t *df)
{
    for (size_t u = 0; u < s->n_units; u++) {
        unit *un = &s->units[u];
        size_t len = un->hi - un->lo;
        if (!rp__grow((void **)&c->ids, &c->cap_ids, c->n_ids + len, sizeof *c->ids))
            return RP_ERR_NOMEM;
        uint32_t *dst = c->ids + c->n_ids;
        memcpy(dst, s->vid + un->lo, len * sizeof *dst);
        sort_small_u32(dst, len);
        size_t k = 0;
        for (size_t i = 0; i < len; i++)
            if (k == 0 || dst[k - 1] != dst[i]) dst[k++] = dst[i];
        un->off = (uint32_t)c->n_ids;
        un->len = (uint32_t)k;
        c->n_ids += k;
        for (size_t i = 0; i < k; i++)
            df[dst[i]]++;
    }
    return RP_OK;
}

static rp_status add_seed(actx *c, uint32_t alo, uint32_t ahi, uint32_t blo, uint32_t bhi, double w)
{
    if (!rp__grow((void **)&c->seeds, &c->cap_seeds, c->n_seeds + 1, sizeof *c->seeds))
        return RP_ERR_NOMEM;
    c->seeds[c->n_seeds++] = (seed){alo, ahi, blo, bhi, w};
    return RP_OK;
}

/* Weighted cosine and Dice of two units' word sets. */
static void unit_sim(const actx *c, const unit *ua, const unit *ub, double *cos, double *dice)
{
    const uint32_t *x = c->ids + ua->off, *y = c->ids + ub->off;
    size_t i = 0, j = 0, shared = 0;
    double sw = 0;
    while (i < ua->len && j < ub->len) {
        if (x[i] < y[j])
            i++;
        else if (x[i] > y[j])
            j++;
        else {
            sw += c->w[x[i]] * c->w[x[i]];
            shared++;
            i++, j++;
        }
    }
    double nn = ua->norm * ub->norm;
    *cos = nn > 0 ? sw / nn : 0;
    *dice = (ua->len + ub->len) ? 2.0 * (double)shared / (double)(ua->len + ub->len) : 0;
}

typedef struct rare {
    uint32_t df, id;
} rare;

static int cmp_rare(const void *x, const void *y)
{
    const rare *a = x, *b = y;
    if (a->df != b->df) return (a->df > b->df) - (a->df < b->df);
    return (a->id > b->id) - (a->id < b->id);
}

/* Unit-pair seeds through an inverted index of A's units. */
static rp_status unit_seeds(actx *c, const rp__align_params *prm)
{
    rp_status rc = RP_ERR_NOMEM;
    size_t nv = c->n_vocab;
    uint32_t *start = rp__calloc(nv + 1, sizeof *start);
    uint32_t *post = NULL, *fill = NULL, *acc = NULL, *touched = NULL;
    rare *r = NULL;
    if (start == NULL) goto done;
    for (size_t u = 0; u < c->a.n_units; u++) {
        const unit *un = &c->a.units[u];
        for (size_t k = 0; k < un->len; k++)
            start[c->ids[un->off + k] + 1]++;
    }
    for (size_t v = 0; v < nv; v++)
        start[v + 1] += start[v];
    post = rp__malloc((start[nv] ? start[nv] : 1) * sizeof *post);
    fill = rp__malloc((nv ? nv : 1) * sizeof *fill);
    acc = rp__calloc(c->a.n_units ? c->a.n_units : 1, sizeof *acc);
    touched = rp__malloc((c->a.n_units ? c->a.n_units : 1) * sizeof *touched);
    r = rp__malloc(UNIT_MAX * sizeof *r);
    if (post == NULL || fill == NULL || acc == NULL || touched == NULL || r == NULL) goto done;
    memcpy(fill, start, nv * sizeof *fill);
    for (size_t u = 0; u < c->a.n_units; u++) {
        const unit *un = &c->a.units[u];
        for (size_t k = 0; k < un->len; k++)
            post[fill[c->ids[un->off + k]]++] = (uint32_t)u;
    }
    for (size_t ub = 0; ub < c->b.n_units; ub++) {
        if ((ub & 4095) == 0) report(prm, 0.10, 0.60, ub, c->b.n_units);
        const unit *bu = &c->b.units[ub];
        size_t nr = 0;
        for (size_t k = 0; k < bu->len; k++) {
            uint32_t v = c->ids[bu->off + k];
            uint32_t df = c->df_a[v];
            if (df >= 1 && df <= DF_CAP) r[nr++] = (rare){df, v};
        }
        qsort(r, nr, sizeof *r, cmp_rare);
        if (nr > RARE_K) nr = RARE_K;
        size_t nt = 0;
        for (size_t k = 0; k < nr; k++) {
            for (uint32_t p = start[r[k].id]; p < start[r[k].id + 1]; p++) {
                uint32_t ua = post[p];
                if (acc[ua]++ == 0) touched[nt++] = ua;
            }
        }
        /* A seed needs at least two shared words (Dice >= SEED_SIM on units
         * of UNIT_MIN or more); when the B unit has several rare words, one
         * of them alone is not worth the exact check. Seeds are sorted later,
         * so the order of this loop does not matter. */
        uint32_t need = nr >= 4 ? 2 : 1;
        for (size_t t = 0; t < nt; t++) {
            uint32_t ua = touched[t];
            uint32_t shared = acc[ua];
            acc[ua] = 0;
            if (shared < need) continue;
            double cos, dice;
            unit_sim(c, &c->a.units[ua], bu, &cos, &dice);
            if (cos >= SEED_SIM && dice >= SEED_SIM) {
                const unit *au = &c->a.units[ua];
                if (add_seed(c, au->lo, au->hi, bu->lo, bu->hi, cos * (double)(bu->hi - bu->lo)) !=
                    RP_OK)
                    goto done;
            }
        }
    }
    rc = RP_OK;
done:
    rp__free(start);
    rp__free(post);
    rp__free(fill);
    rp__free(acc);
    rp__free(touched);
    rp__free(r);
    return rc;
}

/* Record the maximal run through (i, j) on its diagonal, unless a run
 * already recorded there covers it. diags maps a diagonal to the end (in y)
 * of its last run, so each stretch of a diagonal is walked once. */
static rp_status try_run(actx *c, const side *x, const side *y, bool swap, rp__hmap *diags,
                         size_t i, size_t j)
{
    uint64_t diag = (uint64_t)i - (uint64_t)j;
    const uint32_t *run_end = rp__hmap_get(diags, diag);
    if (run_end != NULL && *run_end > j) return RP_OK;
    size_t len = NGRAM_K;
    while (i + len < x->n && j + len < y->n && x->tok[i + len].hash == y->tok[j + len].hash)
        len++;
    bool ins;
    uint32_t *v = rp__hmap_put(diags, diag, (uint32_t)(j + len), &ins);
    if (v == NULL) return RP_ERR_NOMEM;
    *v = (uint32_t)(j + len);
    uint32_t i0 = (uint32_t)i, i1 = (uint32_t)(i + len);
    uint32_t j0 = (uint32_t)j, j1 = (uint32_t)(j + len);
    return swap ? add_seed(c, j0, j1, i0, i1, (double)len)
                : add_seed(c, i0, i1, j0, j1, (double)len);
}

static uint64_t ngram_at(const side *s, size_t i)
{
    uint64_t h = 0;
    for (size_t k = 0; k < NGRAM_K; k++)
        h = rp__hash_combine(h, s->tok[i + k].hash);
    return h;
}

/* Seeds from exactly shared word n-grams: maximal diagonal runs. The
 * smaller document is indexed (the positions of each n-gram, in order) and
 * the larger one streamed past it, so memory follows the smaller side. An
 * n-gram found up to NGRAM_DF_CAP times in the indexed side pairs with all
 * its occurrences; a more frequent one (repeated text) pairs its k-th
 * occurrence in one document with its k-th in the other, so repetitive
 * documents still align, in linear time. */
static rp_status ngram_seeds(actx *c)
{
    bool swap = c->a.n > c->b.n;
    const side *x = swap ? &c->b : &c->a, *y = swap ? &c->a : &c->b;
    if (x->n < NGRAM_K || y->n < NGRAM_K) return RP_OK;
    size_t nx = x->n - NGRAM_K + 1, ny = y->n - NGRAM_K + 1;
    rp_status rc = RP_ERR_NOMEM;
    rp__hmap ids = {0}, diags = {0};
    uint32_t *id_of = NULL; /* n-gram id of each x position */
    uint32_t *start = NULL; /* positions of id k: pos[start[k] .. start[k+1]) */
    uint32_t *pos = NULL, *seen = NULL;
    size_t n_ids = 0;
    if (!rp__hmap_init(&ids, nx) || !rp__hmap_init(&diags, 64)) goto done;
    id_of = rp__malloc(nx * sizeof *id_of);
    pos = rp__malloc(nx * sizeof *pos);
    if (id_of == NULL || pos == NULL) goto done;
    for (size_t i = 0; i < nx; i++) {
        bool ins;
        uint32_t *v = rp__hmap_put(&ids, ngram_at(x, i), (uint32_t)n_ids, &ins);
        if (v == NULL) goto done;
        if (ins) n_ids++;
        id_of[i] = *v;
    }
    start = rp__calloc(n_ids + 1, sizeof *start);
    seen = rp__calloc(n_ids ? n_ids : 1, sizeof *seen);
    if (start == NULL || seen == NULL) goto done;
    for (size_t i = 0; i < nx; i++)
        start[id_of[i] + 1]++;
    for (size_t k = 0; k < n_ids; k++)
        start[k + 1] += start[k];
    for (size_t i = 0; i < nx; i++) /* seen[] doubles as the fill cursor */
        pos[start[id_of[i]] + seen[id_of[i]]++] = (uint32_t)i;
    memset(seen, 0, n_ids * sizeof *seen);
    for (size_t j = 0; j < ny; j++) {
        const uint32_t *id = rp__hmap_get(&ids, ngram_at(y, j));
        if (id == NULL) continue;
        uint32_t lo = start[*id], hi = start[*id + 1];
        if (hi - lo <= NGRAM_DF_CAP) {
            for (uint32_t k = lo; k < hi; k++)
                if (try_run(c, x, y, swap, &diags, pos[k], j) != RP_OK) goto done;
        } else {
            uint32_t r = seen[*id]++;
            if (lo + r < hi && try_run(c, x, y, swap, &diags, pos[lo + r], j) != RP_OK) goto done;
        }
    }
    rc = RP_OK;
done:
    rp__hmap_free(&ids);
    rp__hmap_free(&diags);
    rp__free(id_of);
    rp__free(start);
    rp__free(pos);
    rp__free(seen);
    return rc;
}

/* ---- extension: link seeds, join continuing parts ------------------------- */

static int cmp_seed_b(const void *x, const void *y)
{
    const seed *a = x, *b = y;
    if (a->blo != b->blo) return (a->blo > b->blo) - (a->blo < b->blo);
    if (a->alo != b->alo) return (a->alo > b->alo) - (a->alo < b->alo);
    return (a->bhi > b->bhi) - (a->bhi < b->bhi);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Gap between [lo1, hi1) and [lo2, hi2): 0 when they overlap or touch. */
static uint32_t gap(uint32_t lo1, uint32_t hi1, uint32_t lo2, uint32_t hi2)
{
    return lo2 >= hi1 ? lo2 - hi1 : lo1 >= hi2 ? lo1 - hi2 : 0;
}

/* Link seeds closer than MAX_GAP tokens on both sides at once (single
 * linkage). Seeds are sorted by B start; a sweep keeps those whose B end is
 * still within reach. parent[] receives the components. */
static rp_status link_seeds(seed *s, size_t n, uint32_t *parent)
{
    qsort(s, n, sizeof *s, cmp_seed_b);
    for (size_t i = 0; i < n; i++)
        parent[i] = (uint32_t)i;
    uint32_t *active = rp__malloc((n ? n : 1) * sizeof *active);
    if (active == NULL) return RP_ERR_NOMEM;
    size_t n_active = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = 0;
        for (size_t k = 0; k < n_active; k++) {
            const seed *t = &s[active[k]];
            if ((uint64_t)t->bhi + MAX_GAP < s[i].blo)
                continue; /* out of reach for this and every later seed */
            active[w++] = active[k];
            if (gap(t->alo, t->ahi, s[i].alo, s[i].ahi) <= MAX_GAP)
                rp__uf_union(parent, active[k], (uint32_t)i);
        }
        n_active = w;
        active[n_active++] = (uint32_t)i;
    }
    rp__free(active);
    return RP_OK;
}

/* Join passages that continue one another: a component that follows
 * another on both sides within MERGE_GAP tokens, with whatever lies between
 * them on one side also between them on the other, is the same passage resumed after a
 * stretch of rewritten text. Components that overlap or run backwards on
 * one side (a moved paragraph, a caption repeating a sentence) stay apart.
 * s[] is sorted by B start; parent[] holds the components. */
typedef struct comp {
    uint32_t alo, ahi, blo, bhi, root, rank_a;
} comp;

static int cmp_comp_a(const void *x, const void *y)
{
    const comp *a = x, *b = y;
    if (a->alo != b->alo) return (a->alo > b->alo) - (a->alo < b->alo);
    return (a->root > b->root) - (a->root < b->root);
}

static int cmp_comp_b(const void *x, const void *y)
{
    const comp *a = x, *b = y;
    if (a->blo != b->blo) return (a->blo > b->blo) - (a->blo < b->blo);
    return (a->root > b->root) - (a->root < b->root);
}

static rp_status merge_chains(const seed *s, size_t n, uint32_t *parent)
{
    comp *cs = rp__malloc((n ? n : 1) * sizeof *cs);
    comp *by_a = rp__malloc((n ? n : 1) * sizeof *by_a);
    uint32_t *slot = rp__malloc((n ? n : 1) * sizeof *slot);
    if (cs == NULL || by_a == NULL || slot == NULL) {
        rp__free(cs);
        rp__free(by_a);
        rp__free(slot);
        return RP_ERR_NOMEM;
    }
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rp__uf_find(parent, (uint32_t)i);
        if (r == i) {
            slot[i] = (uint32_t)nc;
            cs[nc++] = (comp){s[i].alo, s[i].ahi, s[i].blo, s[i].bhi, r, 0};
        }
    }
    for (size_t i = 0; i < n; i++) {
        comp *c = &cs[slot[rp__uf_find(parent, (uint32_t)i)]];
        if (s[i].alo < c->alo) c->alo = s[i].alo;
        if (s[i].ahi > c->ahi) c->ahi = s[i].ahi;
        if (s[i].blo < c->blo) c->blo = s[i].blo;
        if (s[i].bhi > c->bhi) c->bhi = s[i].bhi;
    }
    /* by_a[r]: the component of rank r in A order */
    qsort(cs, nc, sizeof *cs, cmp_comp_a);
    for (size_t i = 0; i < nc; i++)
        cs[i].rank_a = (uint32_t)i;
    memcpy(by_a, cs, nc * sizeof *cs);
    qsort(cs, nc, sizeof *cs, cmp_comp_b);
    for (size_t i = 1; i < nc; i++) {
        const comp *y = &cs[i];
        size_t stop = i > MERGE_LOOKBACK ? i - MERGE_LOOKBACK : 0;
        for (size_t j = i; j-- > stop;) {
            const comp *x = &cs[j];
            if (x->ahi > y->alo + MERGE_TOL || x->bhi > y->blo + MERGE_TOL ||
                gap(x->alo, x->ahi, y->alo, y->ahi) > MERGE_GAP ||
                gap(x->blo, x->bhi, y->blo, y->bhi) > MERGE_GAP || y->rank_a < x->rank_a ||
                y->rank_a - x->rank_a > MERGE_LOOKBACK)
                continue;
            /* Whatever lies between them on one side must lie between
             * them on the other too: then it belongs to the same passage;
             * otherwise (a moved paragraph between) they stay apart. Parts
             * less than half the size of the smaller one (chance matches)
             * do not keep them apart. */
            bool inside = true;
            uint32_t small = x->bhi - x->blo < y->bhi - y->blo ? x->bhi - x->blo : y->bhi - y->blo;
            for (size_t k = j + 1; k < i && inside; k++)
                inside = cs[k].bhi - cs[k].blo < small / 2 ||
                         (cs[k].alo + MERGE_TOL >= x->ahi && cs[k].ahi <= y->alo + MERGE_TOL);
            for (size_t r = x->rank_a + 1u; r < y->rank_a && inside; r++)
                inside = by_a[r].bhi - by_a[r].blo < small / 2 ||
                         (by_a[r].blo + MERGE_TOL >= x->bhi && by_a[r].bhi <= y->blo + MERGE_TOL);
            if (inside) {
                rp__uf_union(parent, x->root, y->root);
                break;
            }
        }
    }
    rp__free(cs);
    rp__free(by_a);
    rp__free(slot);
    return RP_OK;
}

/* ---- passages ---------------------------------------------------------------- */

typedef struct cand {
    uint32_t alo, ahi, blo, bhi;
    double score;
    size_t lo, hi; /* its seeds */
} cand;

static int cmp_cand(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->score != b->score) return a->score < b->score ? 1 : -1;
    if (a->alo != b->alo) return (a->alo > b->alo) - (a->alo < b->alo);
    return (a->blo > b->blo) - (a->blo < b->blo);
}

/* Shrink [*lo, *hi) of one side while its edge tokens are absent from the
 * other side's [olo, ohi) (membership through a stamp array per word id). */
static void trim_edges(const side *s, uint32_t *lo, uint32_t *hi, const uint32_t *stamp,
                       uint32_t mark)
{
    while (*lo < *hi && stamp[s->vid[*lo]] != mark)
        (*lo)++;
    while (*hi > *lo && stamp[s->vid[*hi - 1]] != mark)
        (*hi)--;
}

static void box_of(const seed *s, size_t lo, size_t hi, cand *c)
{
    c->alo = c->blo = UINT32_MAX;
    c->ahi = c->bhi = 0;
    c->score = 0;
    for (size_t i = lo; i < hi; i++) {
        if (s[i].alo < c->alo) c->alo = s[i].alo;
        if (s[i].ahi > c->ahi) c->ahi = s[i].ahi;
        if (s[i].blo < c->blo) c->blo = s[i].blo;
        if (s[i].bhi > c->bhi) c->bhi = s[i].bhi;
        c->score += s[i].w;
    }
    c->lo = lo;
    c->hi = hi;
}

/* Trim a candidate's box to words shared by both sides (twice, as trimming
 * one side can remove the only occurrence of a word the other needed). */
static void trim_box(actx *c, cand *k)
{
    for (int round = 0; round < 2; round++) {
        ++c->mark;
        for (uint32_t i = k->blo; i < k->bhi; i++)
            c->stamp[c->b.vid[i]] = c->mark;
        trim_edges(&c->a, &k->alo, &k->ahi, c->stamp, c->mark);
        ++c->mark;
        for (uint32_t i = k->alo; i < k->ahi; i++)
            c->stamp[c->a.vid[i]] = c->mark;
        trim_edges(&c->b, &k->blo, &k->bhi, c->stamp, c->mark);
    }
}

/* Weighted (tf-idf) cosine between the two sides of a box: the passage
 * check that tells paraphrase (shared rare words) from chance (shared common
 * words). tf_a/tf_b are zeroed scratch arrays of n_vocab counts. */
static double box_cosine(const actx *c, const cand *k, double *plain)
{
    uint32_t *tf_a = c->tf_a, *tf_b = c->tf_b;
    double dot = 0, na = 0, nb = 0, pdot = 0, pna = 0, pnb = 0;
    for (uint32_t i = k->alo; i < k->ahi; i++)
        tf_a[c->a.vid[i]]++;
    for (uint32_t i = k->blo; i < k->bhi; i++)
        tf_b[c->b.vid[i]]++;
    for (uint32_t i = k->alo; i < k->ahi; i++) {
        uint32_t v = c->a.vid[i];
        if (tf_a[v] == 0) continue;
        double w2 = c->w[v] * c->w[v], xa = (double)tf_a[v], xb = (double)tf_b[v];
        dot += xa * xb * w2;
        na += xa * xa * w2;
        pdot += xa * xb;
        pna += xa * xa;
        tf_a[v] = 0;
    }
    for (uint32_t i = k->blo; i < k->bhi; i++) {
        uint32_t v = c->b.vid[i];
        if (tf_b[v] == 0) continue;
        double xb = (double)tf_b[v];
        nb += xb * xb * c->w[v] * c->w[v];
        pnb += xb * xb;
        tf_b[v] = 0;
    }
    *plain = (pna > 0 && pnb > 0) ? pdot / sqrt(pna * pnb) : 0;
    return (na > 0 && nb > 0) ? dot / sqrt(na * nb) : 0;
}

/* A stretch of one side, x[x0, x1), and the neighbourhood on the other
 * side, y[w0, w1), where its words would be if it were rewritten in place:
 * the stretch's own length (at least SPLIT_NEAR) around where the diff puts
 * it, inside box f. */
typedef struct stretch {
    bool on_a;
    size_t x0, x1, w0, w1;
} stretch;

static stretch stretch_of(const cand *f, const rp_edit *e, size_t n, bool on_a)
{
    stretch t = {on_a, on_a ? e[0].a_tok : e[0].b_tok,
                 on_a ? e[n - 1].a_tok_end : e[n - 1].b_tok_end, 0, 0};
    size_t y0 = on_a ? e[0].b_tok : e[0].a_tok, y1 = on_a ? e[n - 1].b_tok_end : e[n - 1].a_tok_end;
    size_t lo = on_a ? f->blo : f->alo, hi = on_a ? f->bhi : f->ahi;
    size_t reach = t.x1 - t.x0 > SPLIT_NEAR ? t.x1 - t.x0 : SPLIT_NEAR;
    t.w0 = y0 > lo + reach ? y0 - reach : lo;
    t.w1 = y1 + reach < hi ? y1 + reach : hi;
    return t;
}

/* Are the stretch's words absent from its neighbourhood? They are when
 * they carry less than SPLIT_PRESENT of its weight there. Text moved or
 * added is absent; words shuffled within a sentence, which the diff also
 * shows as one-sided runs, are present a few words away. */
static bool absent_nearby(actx *c, const stretch *t)
{
    const side *x = t->on_a ? &c->a : &c->b, *y = t->on_a ? &c->b : &c->a;
    ++c->mark;
    for (size_t i = t->w0; i < t->w1; i++)
        c->stamp[y->vid[i]] = c->mark;
    double total = 0, present = 0;
    for (size_t i = t->x0; i < t->x1; i++) {
        double wt = c->w[x->vid[i]];
        total += wt;
        if (c->stamp[x->vid[i]] == c->mark) present += wt;
    }
    return present < SPLIT_PRESENT * total;
}

/* Has the stretch gone elsewhere? Seeds starting inside it whose other
 * side lies outside its neighbourhood cover at least half of it: the text
 * was moved, and is to be its own passage where it went. c->by_a / c->by_b
 * list the seeds as (start << 32 | seed), sorted. */
static bool moved_away(const actx *c, const stretch *t)
{
    const uint64_t *ord = t->on_a ? c->by_a : c->by_b;
    size_t lo = 0, hi = c->n_by;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((ord[mid] >> 32) < t->x0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t covered = 0, end = t->x0;
    for (size_t i = lo; i < c->n_by && (ord[i] >> 32) < t->x1; i++) {
        const seed *sd = &c->all_seeds[ord[i] & 0xFFFFFFFFu];
        size_t xl = t->on_a ? sd->alo : sd->blo, xh = t->on_a ? sd->ahi : sd->bhi;
        size_t yl = t->on_a ? sd->blo : sd->alo, yh = t->on_a ? sd->bhi : sd->ahi;
        if (yl < t->w1 && yh > t->w0) continue;
        if (xh > t->x1) xh = t->x1;
        if (xl < end) xl = end;
        if (xh > xl) covered += xh - xl, end = xh;
    }
    return 2 * covered >= t->x1 - t->x0;
}

/* Tokens of whole sentences inside the stretch: from the first sentence
 * start to the last sentence end within it (0 when it holds none). Phrases
 * shuffled across a passage are parts of sentences; added, dropped or moved
 * text is sentences. */
static size_t whole_sentences(const side *x, const stretch *t)
{
    /* The diff may lend a stretch's first or last word or two to a chance
     * match, so a sentence may start or end up to WEAK_EDGE tokens outside. */
    size_t lo = t->x0 > WEAK_EDGE ? t->x0 - WEAK_EDGE : 0;
    size_t hi = t->x1 + WEAK_EDGE < x->n ? t->x1 + WEAK_EDGE : x->n;
    size_t first = SIZE_MAX, last = 0;
    for (size_t i = lo; i < hi; i++) {
        if (first == SIZE_MAX && i < t->x1 && (i == 0 || x->brk[i - 1] != 0)) first = i;
        if (i + 1 > t->x0 && (x->brk[i] != 0 || i + 1 == x->n)) last = i + 1;
    }
    if (first == SIZE_MAX || last <= first) return 0;
    if (first < t->x0) first = t->x0;
    if (last > t->x1) last = t->x1;
    return last > first ? last - first : 0;
}

/* ONLY_A, ONLY_B: one-sided stretches of an edit script: a stretch of
 * edits holding more tokens on one side than SPLIT_RATIO times what the
 * other side has there (matched words count on both sides), whose words
 * the other side lacks nearby (absent_nearby), by at least MOVED_RUN tokens
 * when the text went elsewhere (moved_away), SPLIT_RUN otherwise (added or
 * dropped text). It is a maximal-sum run (Kadane) of the score
 * x - SPLIT_RATIO * y per edit, x and y its tokens on the side examined and
 * on the other, so a few words in common ("the", "said", a name) inside an
 * added sentence or a moved paragraph do not keep it together, while a
 * rewritten stretch (similar amounts on both sides) or a condensed one (a
 * quarter or more on the short side, with words in common) scores below
 * zero and stays. The kinds of stretch that cut a passage: */
typedef enum stretch_kind { ONLY_A, ONLY_B, DIFFERENT } stretch_kind;

static long long stretch_score(const rp_edit *e, stretch_kind kind)
{
    long long la = (long long)(e->a_tok_end - e->a_tok), lb = (long long)(e->b_tok_end - e->b_tok);
    switch (kind) {
    case ONLY_A: return la - SPLIT_RATIO * lb;
    case ONLY_B: return lb - SPLIT_RATIO * la;
    case DIFFERENT: break;
    }
    return e->op == RP_EDIT_EQUAL ? -2 * SPLIT_RATIO * la : la + lb;
}

/* Does the stretch e[0..n) of this kind, scoring best, cut the passage? */
static bool cuts(actx *c, const cand *f, const rp_edit *e, size_t n, stretch_kind kind,
                 long long best)
{
    if (kind != DIFFERENT) {
        if (best < MOVED_RUN) return false;
        stretch t = stretch_of(f, e, n, kind == ONLY_A);
        const side *x = kind == ONLY_A ? &c->a : &c->b;
        return whole_sentences(x, &t) >= MOVED_RUN && absent_nearby(c, &t) &&
               (best >= SPLIT_RUN || moved_away(c, &t));
    }
    if (best < SPLIT_RUN + MOVED_RUN) return false;
    stretch ta = stretch_of(f, e, n, true), tb = stretch_of(f, e, n, false);
    return ta.x1 - ta.x0 >= MOVED_RUN && tb.x1 - tb.x0 >= MOVED_RUN &&
           (whole_sentences(&c->a, &ta) >= MOVED_RUN || whole_sentences(&c->b, &tb) >= MOVED_RUN) &&
           absent_nearby(c, &ta) && absent_nearby(c, &tb);
}

/* DIFFERENT: stretches where both sides say different things: the same maximal-sum
 * run over differing tokens of both sides, less 2 x SPLIT_RATIO per
 * matched token, so a paraphrase (a word in common every few words) scores
 * below zero. A stretch of SPLIT_RUN + MOVED_RUN tokens on the two sides
 * together, at least MOVED_RUN on each, holding
 * whole sentences, whose words are absent near it on both sides (one
 * newspaper's own sentences where the other has its own) is cut. */
/* Mark in cut[] the stretches of one kind that cut a passage: maximal-sum
 * runs (Kadane) of stretch_score over the edits, checked by cuts(). */
static void mark_stretches(actx *c, const cand *f, const rp_edit *e, size_t n, stretch_kind kind,
                           uint8_t *cut)
{
    long long cur = 0, best = 0;
    size_t start = 0, best_end = 0;
    for (size_t k = 0; k < n; k++) {
        if (cur == 0) start = k;
        cur += stretch_score(&e[k], kind);
        if (cur > best) best = cur, best_end = k + 1;
        if (cur <= 0 || k + 1 == n) {
            if (best > 0 && cuts(c, f, e + start, best_end - start, kind, best))
                memset(cut + start, 1, best_end - start);
            cur = 0, best = 0;
        }
    }
}

/* An edge edit may be trimmed when it is short on both sides or one-sided. */
static size_t edit_len(const rp_edit *e)
{
    size_t la = e->a_tok_end - e->a_tok, lb = e->b_tok_end - e->b_tok;
    return la > lb ? la : lb;
}

/* A passage edge that is a word or two in common followed by a longer
 * differing run ("the [rule change, which has | exchange closes, ...]
 * already") is chance agreement, not the start of the reuse. */
static bool weak_edge(const rp_edit *eq, const rp_edit *next)
{
    if (eq->op != RP_EDIT_EQUAL || next->op == RP_EDIT_EQUAL) return false;
    size_t le = edit_len(eq), ln = edit_len(next);
    return le <= WEAK_EDGE && ln >= 4 * le && ln >= EDGE_TRIM_MAX && ln <= WEAK_EDGE_RUN;
}

static bool edge_trimmable(const rp_edit *e)
{
    size_t la = e->a_tok_end - e->a_tok, lb = e->b_tok_end - e->b_tok;
    return la == 0 || lb == 0 || (la <= EDGE_TRIM_MAX && lb <= EDGE_TRIM_MAX);
}

/* Punctuation a passage may take in at its start (opening quotes and
 * brackets) and at its end (closing quotes and brackets, full stops,
 * commas and the like). */
static bool opens(int32_t cp)
{
    if (cp == '"' || cp == '\'') return true;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_PS || c == UTF8PROC_CATEGORY_PI;
}

static bool closes(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_PE || c == UTF8PROC_CATEGORY_PF || c == UTF8PROC_CATEGORY_PO;
}

/* Widen a passage's byte range over punctuation glued to its first and last
 * words, never into a neighbouring token, so '"It's too early," he said.'
 * is reported with its quotes and full stop. */
static void extend_punct(const rp_doc *d, uint64_t *start, uint64_t *end, size_t lo, size_t hi)
{
    const uint8_t *t = (const uint8_t *)d->text;
    uint64_t floor = lo > 0 ? d->toks.tok[lo - 1].end : 0;
    uint64_t ceil = hi < d->toks.n ? d->toks.tok[hi].start : d->len;
    uint64_t s = *start, e = *end;
    while (s > floor) {
        uint64_t p = s - 1;
        while (p > floor && (t[p] & 0xC0) == 0x80)
            p--;
        int32_t cp;
        if (rp__utf8_decode(t + p, s - p, &cp) != (int)(s - p) || !opens(cp)) break;
        s = p;
    }
    while (e < ceil) {
        int32_t cp;
        int n = rp__utf8_decode(t + e, ceil - e, &cp);
        if (n < 0 || !closes(cp)) break;
        e += (uint64_t)n;
    }
    *start = s;
    *end = e;
}

/* Passages being built, with the capacities of their arrays, and the cut
 * marks of the edit script being examined. */
typedef struct builder {
    rp__alignment al;
    size_t cap_edits, cap_passages, cap_starts;
    uint8_t *cut;
    size_t cap_cut;
} builder;

/* Does a differing edit hold a sentence end on either side? */
static bool crosses_break(const actx *c, const rp_edit *e)
{
    for (size_t i = e->a_tok; i < e->a_tok_end; i++)
        if (c->a.brk[i] != 0) return true;
    for (size_t i = e->b_tok; i < e->b_tok_end; i++)
        if (c->b.brk[i] != 0) return true;
    return false;
}

/* Keep edits [lo, hi) of bd->al.edits as one passage when it qualifies:
 * trim its edges to start and end on shared words, then check length,
 * matched words and weighted similarity. The kept edits are moved to *w. */
static rp_status keep_part(actx *c, const rp_doc *da, const rp_doc *db, size_t lo, size_t hi,
                           size_t min_words, builder *bd, size_t *w)
{
    rp__alignment *out = &bd->al;
    /* Trim differing runs at the edges that are short, or present on one
     * side only: a passage starts and ends on words both sides share
     * ("PORT ELLISON - The harbour authority said" starts at "The"). Long
     * two-sided runs (reordered text) stay. */
    for (;;) {
        while (lo < hi && out->edits[lo].op != RP_EDIT_EQUAL && edge_trimmable(&out->edits[lo]))
            lo++;
        if (lo + 1 < hi && weak_edge(&out->edits[lo], &out->edits[lo + 1]))
            lo += 2;
        else
            break;
    }
    for (;;) {
        while (hi > lo && out->edits[hi - 1].op != RP_EDIT_EQUAL &&
               edge_trimmable(&out->edits[hi - 1]))
            hi--;
        if (hi > lo + 1 && weak_edge(&out->edits[hi - 1], &out->edits[hi - 2]))
            hi -= 2;
        else
            break;
    }
    /* A word or two in common that end a sentence before a difference, or
     * start one after it ("list. {+Speaking to+} the"), are the chance
     * agreement of neighbouring sentences, not reuse. */
    if (hi - lo > 2 && out->edits[hi - 1].op == RP_EDIT_EQUAL &&
        edit_len(&out->edits[hi - 1]) <= WEAK_EDGE) {
        const rp_edit *e = &out->edits[hi - 1];
        if (e->a_tok > 0 && e->b_tok > 0 &&
            (c->a.brk[e->a_tok - 1] != 0 || c->b.brk[e->b_tok - 1] != 0))
            hi -= 2;
    }
    if (hi - lo > 2 && out->edits[lo].op == RP_EDIT_EQUAL &&
        edit_len(&out->edits[lo]) <= WEAK_EDGE) {
        const rp_edit *e = &out->edits[lo];
        if (c->a.brk[e->a_tok_end - 1] != 0 || c->b.brk[e->b_tok_end - 1] != 0) lo += 2;
    }
    /* The same when the difference next to such a word or two crosses a
     * sentence end: "Parmalat [-boasts doubled profits. Parmalat-], the
     * Italian food group" starts at the second "Parmalat". */
    if (hi - lo > 2 && out->edits[hi - 1].op == RP_EDIT_EQUAL &&
        edit_len(&out->edits[hi - 1]) <= WEAK_EDGE && crosses_break(c, &out->edits[hi - 2]))
        hi -= 2;
    if (hi - lo > 2 && out->edits[lo].op == RP_EDIT_EQUAL &&
        edit_len(&out->edits[lo]) <= WEAK_EDGE && crosses_break(c, &out->edits[lo + 1]))
        lo += 2;
    /* A head or tail with a word in common here and there before the first
     * (after the last) run of SOLID_RUN shared words is two different
     * sentences agreeing by chance ("The [15] games [available on] the
     * [European ...] Mario [64] DS" against "the [line-up of] games [...]
     * the [...] Mario [Kart] DS"): it is trimmed when its similarity is
     * below WEAK_HEAD_SIM. */
    for (int end = 0; end < 2 && lo < hi; end++) {
        size_t la = 0, lb = 0, m = 0, k = end ? hi : lo;
        for (;;) {
            const rp_edit *e = end ? &out->edits[k - 1] : &out->edits[k];
            size_t ea = e->a_tok_end - e->a_tok, eb = e->b_tok_end - e->b_tok;
            if (e->op == RP_EDIT_EQUAL && ea >= SOLID_RUN) break;
            la += ea, lb += eb;
            if (e->op == RP_EDIT_EQUAL) m += ea;
            k = end ? k - 1 : k + 1;
            if (k == (end ? lo : hi)) break;
        }
        if (k == (end ? lo : hi) || (la < EDGE_TRIM_MAX && lb < EDGE_TRIM_MAX)) continue;
        if (2.0 * (double)m < WEAK_HEAD_SIM * (double)(la + lb)) {
            if (end)
                hi = k;
            else
                lo = k;
        }
    }
    if (lo == hi) return RP_OK;
    rp_passage p = {0};
    p.a_tok = out->edits[lo].a_tok, p.b_tok = out->edits[lo].b_tok;
    p.a_tok_end = out->edits[hi - 1].a_tok_end;
    p.b_tok_end = out->edits[hi - 1].b_tok_end;
    size_t la = p.a_tok_end - p.a_tok, lb = p.b_tok_end - p.b_tok;
    size_t m = 0;
    for (size_t e = lo; e < hi; e++)
        if (out->edits[e].op == RP_EDIT_EQUAL) m += out->edits[e].a_tok_end - out->edits[e].a_tok;
    if (la < min_words || lb < min_words || m < min_words) return RP_OK;
    cand part = {(uint32_t)p.a_tok,
                 (uint32_t)p.a_tok_end,
                 (uint32_t)p.b_tok,
                 (uint32_t)p.b_tok_end,
                 0,
                 0,
                 0};
    double plain, sim = 2.0 * (double)m / (double)(la + lb);
    if (box_cosine(c, &part, &plain) < PASSAGE_SIM && sim < VERBATIM_SIM) return RP_OK;
    /* Few words in common, scattered: the same topic, not reuse. */
    if (sim < SIM_FLOOR) return RP_OK;
    memmove(out->edits + *w, out->edits + lo, (hi - lo) * sizeof *out->edits);
    p.a_start = c->a.tok[p.a_tok].start;
    p.a_end = c->a.tok[p.a_tok_end - 1].end;
    p.b_start = c->b.tok[p.b_tok].start;
    p.b_end = c->b.tok[p.b_tok_end - 1].end;
    extend_punct(da, &p.a_start, &p.a_end, p.a_tok, p.a_tok_end);
    extend_punct(db, &p.b_start, &p.b_end, p.b_tok, p.b_tok_end);
    p.tokens = m;
    p.similarity = sim;
    size_t kept = out->n_passages;
    if (!rp__grow((void **)&out->passages, &bd->cap_passages, kept + 1, sizeof *out->passages) ||
        !rp__grow((void **)&out->edit_start, &bd->cap_starts, kept + 2, sizeof *out->edit_start))
        return RP_ERR_NOMEM;
    out->edit_start[kept] = *w;
    out->passages[kept] = p;
    out->n_passages = kept + 1;
    *w += hi - lo;
    out->edit_start[kept + 1] = *w;
    return RP_OK;
}

/* Turn one candidate box into passages, appended to *bd: diff the box; if
 * one side has a stretch the other lacks (mark_stretches), cut it out and
 * refine each remaining part on its own (its box widened over exactly
 * matching words at its edges, which the diff may have lent to the cut
 * stretch, re-trimmed and re-diffed); otherwise keep the box as one passage
 * when it qualifies (keep_part). */
static rp_status refine(actx *c, const rp_doc *da, const rp_doc *db, const cand *f,
                        size_t min_words, builder *bd, int depth)
{
    rp__alignment *out = &bd->al;
    size_t first = out->n_edits;
    size_t m = rp__diff(c->a.tok + f->alo, f->ahi - f->alo, c->b.tok + f->blo, f->bhi - f->blo,
                        f->alo, f->blo, &out->edits, &out->n_edits, &bd->cap_edits);
    if (m == SIZE_MAX) return RP_ERR_NOMEM;
    size_t end = out->n_edits, n = end - first;
    bool any = false;
    if (depth < SPLIT_DEPTH && n > 0) {
        if (!rp__grow((void **)&bd->cut, &bd->cap_cut, n, 1)) return RP_ERR_NOMEM;
        memset(bd->cut, 0, n);
        mark_stretches(c, f, out->edits + first, n, ONLY_A, bd->cut);
        mark_stretches(c, f, out->edits + first, n, ONLY_B, bd->cut);
        mark_stretches(c, f, out->edits + first, n, DIFFERENT, bd->cut);
        for (size_t k = 0; k < n && !any; k++)
            any = bd->cut[k] != 0;
    }
    if (!any) {
        size_t w = first;
        rp_status rc = keep_part(c, da, db, first, end, min_words, bd, &w);
        out->n_edits = w;
        return rc;
    }
    /* The parts between cut stretches, as token boxes. */
    size_t n_parts = 0;
    cand *parts = rp__malloc((n / 2 + 1) * sizeof *parts);
    if (parts == NULL) return RP_ERR_NOMEM;
    for (size_t k = 0; k < n;) {
        if (bd->cut[k]) {
            k++;
            continue;
        }
        size_t j = k;
        while (j < n && !bd->cut[j])
            j++;
        const rp_edit *lo = &out->edits[first + k], *hi = &out->edits[first + j - 1];
        parts[n_parts++] = (cand){(uint32_t)lo->a_tok,
                                  (uint32_t)hi->a_tok_end,
                                  (uint32_t)lo->b_tok,
                                  (uint32_t)hi->b_tok_end,
                                  0,
                                  0,
                                  0};
        k = j;
    }
    out->n_edits = first;
    rp_status rc = RP_OK;
    uint32_t a_floor = f->alo, b_floor = f->blo;
    for (size_t i = 0; i < n_parts && rc == RP_OK; i++) {
        cand k = parts[i];
        uint32_t a_ceil = i + 1 < n_parts ? parts[i + 1].alo : f->ahi;
        uint32_t b_ceil = i + 1 < n_parts ? parts[i + 1].blo : f->bhi;
        if (a_ceil < k.ahi) a_ceil = k.ahi;
        if (b_ceil < k.bhi) b_ceil = k.bhi;
        while (k.alo > a_floor && k.blo > b_floor &&
               c->a.tok[k.alo - 1].hash == c->b.tok[k.blo - 1].hash)
            k.alo--, k.blo--;
        while (k.ahi < a_ceil && k.bhi < b_ceil && c->a.tok[k.ahi].hash == c->b.tok[k.bhi].hash)
            k.ahi++, k.bhi++;
        a_floor = k.ahi, b_floor = k.bhi;
        /* A word or two of a new sentence before a cut stretch (or the end
         * of one after it) is chance agreement across the cut: "announced.
         * The" would keep the "The" that starts the moved paragraph. */
        for (uint32_t t = 1; t <= WEAK_EDGE && i + 1 < n_parts && k.ahi - k.alo > t; t++)
            if (c->a.brk[k.ahi - t - 1] != 0 && c->b.brk[k.bhi - t - 1] != 0) {
                k.ahi -= t, k.bhi -= t;
                break;
            }
        for (uint32_t t = 1; t <= WEAK_EDGE && i > 0 && k.ahi - k.alo > t; t++)
            if (c->a.brk[k.alo + t - 1] != 0 && c->b.brk[k.blo + t - 1] != 0) {
                k.alo += t, k.blo += t;
                break;
            }
        trim_box(c, &k);
        if (k.ahi - k.alo < min_words || k.bhi - k.blo < min_words) continue;
        rc = refine(c, da, db, &k, min_words, bd, depth + 1);
    }
    rp__free(parts);
    return rc;
}

/* Does [lo, hi) overlap a passage's token range on one side? */
static bool overlaps_passage(size_t lo, size_t hi, const rp__alignment *al, size_t from, bool on_a)
{
    for (size_t i = from; i < al->n_passages; i++) {
        const rp_passage *p = &al->passages[i];
        size_t l = on_a ? p->a_tok : p->b_tok, h = on_a ? p->a_tok_end : p->b_tok_end;
        if (lo < h && l < hi) return true;
    }
    return false;
}

/* Drop passages [from, n) of *bd that overlap an earlier one (0..from). */
static bool clashes(const builder *bd, size_t from)
{
    const rp__alignment *al = &bd->al;
    for (size_t i = from; i < al->n_passages; i++) {
        const rp_passage *p = &al->passages[i];
        for (size_t j = 0; j < from; j++) {
            const rp_passage *q = &al->passages[j];
            if ((p->a_tok < q->a_tok_end && q->a_tok < p->a_tok_end) ||
                (p->b_tok < q->b_tok_end && q->b_tok < p->b_tok_end))
                return true;
        }
    }
    return false;
}

static void truncate_to(builder *bd, size_t n)
{
    bd->al.n_passages = n;
    bd->al.n_edits = bd->al.edit_start[n];
}

static int cmp_passage_pos(const void *x, const void *y)
{
    const rp_passage *a = x, *b = y;
    if (a->a_tok != b->a_tok) return (a->a_tok > b->a_tok) - (a->a_tok < b->a_tok);
    return (a->b_tok > b->b_tok) - (a->b_tok < b->b_tok);
}

/* Copy the passages of *bd into *out sorted by position, with their edits. */
static rp_status finish(const builder *bd, rp__alignment *out)
{
    const rp__alignment *al = &bd->al;
    size_t n = al->n_passages;
    uint64_t *ord = rp__malloc((n ? n : 1) * sizeof *ord);
    out->passages = rp__malloc((n ? n : 1) * sizeof *out->passages);
    out->edits = rp__malloc((al->n_edits ? al->n_edits : 1) * sizeof *out->edits);
    out->edit_start = rp__malloc((n + 1) * sizeof *out->edit_start);
    if (ord == NULL || out->passages == NULL || out->edits == NULL || out->edit_start == NULL) {
        rp__free(ord);
        return RP_ERR_NOMEM;
    }
    if (n > 0) memcpy(out->passages, al->passages, n * sizeof *out->passages);
    qsort(out->passages, n, sizeof *out->passages, cmp_passage_pos);
    /* Find each sorted passage's edits by its (unique) A start. */
    for (size_t i = 0; i < n; i++)
        ord[i] = (uint64_t)al->passages[i].a_tok << 32 | (uint64_t)i;
    qsort(ord, n, sizeof *ord, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        size_t src = (size_t)(ord[i] & 0xFFFFFFFFu);
        size_t lo = al->edit_start[src], hi = al->edit_start[src + 1];
        out->edit_start[i] = w;
        memcpy(out->edits + w, al->edits + lo, (hi - lo) * sizeof *out->edits);
        w += hi - lo;
    }
    out->edit_start[n] = w;
    out->n_edits = w;
    out->n_passages = n;
    rp__free(ord);
    return RP_OK;
}

void rp__alignment_free(rp__alignment *al)
{
    rp__free(al->passages);
    rp__free(al->edits);
    rp__free(al->edit_start);
    memset(al, 0, sizeof *al);
}

/* Candidates from seeds s[0..n) (reordered): seeds linked on both sides
 * and, when join is set, joined where they continue one another (not in
 * the later passes: the kept passages they would join across are no longer
 * among the seeds), one candidate box per component, strongest first. */
static rp_status make_cands(seed *s, size_t n, bool join, cand **cands, size_t *n_cands,
                            size_t *cap_cands)
{
    rp_status rc = RP_ERR_NOMEM;
    uint32_t *parent = rp__malloc(n * sizeof *parent);
    uint64_t *order = rp__malloc(n * sizeof *order);
    seed *grouped = rp__malloc(n * sizeof *grouped);
    *n_cands = 0;
    if (parent == NULL || order == NULL || grouped == NULL || link_seeds(s, n, parent) != RP_OK ||
        (join && merge_chains(s, n, parent) != RP_OK))
        goto done;
    /* Group the seeds of each component together (stable, by root). */
    for (size_t i = 0; i < n; i++)
        order[i] = (uint64_t)rp__uf_find(parent, (uint32_t)i) << 32 | (uint64_t)i;
    qsort(order, n, sizeof *order, cmp_u64);
    for (size_t i = 0; i < n; i++)
        grouped[i] = s[order[i] & 0xFFFFFFFFu];
    memcpy(s, grouped, n * sizeof *grouped);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && order[j] >> 32 == order[i] >> 32)
            j++;
        if (!rp__grow((void **)cands, cap_cands, *n_cands + 1, sizeof **cands)) goto done;
        box_of(s, i, j, &(*cands)[(*n_cands)++]);
        i = j;
    }
    qsort(*cands, *n_cands, sizeof **cands, cmp_cand);
    rc = RP_OK;
done:
    rp__free(parent);
    rp__free(order);
    rp__free(grouped);
    return rc;
}

/* Refinement and overlap resolution, strongest candidate first: a
 * candidate's passages are kept when they overlap no kept passage; when
 * they do, the candidate is rebuilt from its seeds clear of the kept
 * passages and refined once more. */
static rp_status resolve(actx *c, const rp_doc *da, const rp_doc *db, const rp__align_params *p,
                         cand *cands, size_t n_cands, builder *bd, bool progress)
{
    for (size_t i = 0; i < n_cands; i++) {
        if (progress && (i & 255) == 0) report(p, 0.75, 0.99, i, n_cands);
        cand k = cands[i];
        size_t kept = bd->al.n_passages;
        for (int attempt = 0; attempt < 2; attempt++) {
            trim_box(c, &k);
            if (k.ahi - k.alo < p->min_words || k.bhi - k.blo < p->min_words) break;
            double plain;
            if (box_cosine(c, &k, &plain) < PASSAGE_SIM && plain < PLAIN_SIM) break;
            if (refine(c, da, db, &k, p->min_words, bd, 0) != RP_OK) return RP_ERR_NOMEM;
            if (!clashes(bd, kept)) break;
            truncate_to(bd, kept);
            if (attempt == 1) break;
            size_t w = k.lo;
            for (size_t s2 = k.lo; s2 < k.hi; s2++) {
                const seed *sd = &c->seeds[s2];
                if (!overlaps_passage(sd->alo, sd->ahi, &bd->al, 0, true) &&
                    !overlaps_passage(sd->blo, sd->bhi, &bd->al, 0, false))
                    c->seeds[w++] = *sd;
            }
            if (w == k.lo) break;
            box_of(c->seeds, k.lo, w, &k);
        }
    }
    return RP_OK;
}

static rp_status align_pair(const rp_doc *da, const rp_doc *db, const rp__align_params *p,
                            bool flip, rp__alignment *out);

/* Swap the two sides of every passage and edit (a deletion becomes an
 * insertion), so an alignment of (B, A) reads as one of (A, B). */
static void mirror(rp__alignment *al)
{
    for (size_t i = 0; i < al->n_passages; i++) {
        rp_passage *q = &al->passages[i];
        rp_passage m = *q;
        q->a_start = m.b_start, q->a_end = m.b_end, q->b_start = m.a_start, q->b_end = m.a_end;
        q->a_tok = m.b_tok, q->a_tok_end = m.b_tok_end, q->b_tok = m.a_tok;
        q->b_tok_end = m.a_tok_end;
    }
    for (size_t i = 0; i < al->n_edits; i++) {
        rp_edit *e = &al->edits[i], m = *e;
        e->a_tok = m.b_tok, e->a_tok_end = m.b_tok_end, e->b_tok = m.a_tok,
        e->b_tok_end = m.a_tok_end;
        e->op = m.op == RP_EDIT_INSERT   ? RP_EDIT_DELETE
                : m.op == RP_EDIT_DELETE ? RP_EDIT_INSERT
                                         : m.op;
    }
}

/* Which document the aligner takes as its first side: the one with fewer
 * tokens, then the smaller token hashes, breaks and bytes. The aligner's
 * steps are not symmetric (B's units query A's, the smaller side is
 * indexed), so both orders of a pair run it in this one order and the
 * other order mirrors the result: compare(B, A) is exactly compare(A, B)
 * with the sides swapped. */
static bool swap_sides(const rp_doc *da, const rp_doc *db)
{
    const rp__tokens *x = &da->toks, *y = &db->toks;
    if (x->n != y->n) return x->n > y->n;
    for (size_t i = 0; i < x->n; i++)
        if (x->tok[i].hash != y->tok[i].hash) return x->tok[i].hash > y->tok[i].hash;
    int c = x->n ? memcmp(x->brk, y->brk, x->n) : 0;
    if (c != 0) return c > 0;
    if (da->len != db->len) return da->len > db->len;
    return da->len && memcmp(da->text, db->text, da->len) > 0;
}

rp_status rp__align(const rp_doc *da, const rp_doc *db, const rp__align_params *p,
                    rp__alignment *out)
{
    return swap_sides(da, db) ? align_pair(db, da, p, true, out)
                              : align_pair(da, db, p, false, out);
}

/* The passages between da and db, mirrored when flip is set. */
static rp_status align_pair(const rp_doc *da, const rp_doc *db, const rp__align_params *p,
                            bool flip, rp__alignment *out)
{
    memset(out, 0, sizeof *out);
    actx c;
    memset(&c, 0, sizeof c);
    c.a = (side){da->toks.tok, da->toks.brk, da->toks.n, NULL, 0, NULL};
    c.b = (side){db->toks.tok, db->toks.brk, db->toks.n, NULL, 0, NULL};
    rp_status rc = RP_ERR_NOMEM;
    cand *cands = NULL;
    builder bd = {0};
    size_t n_cands = 0, cap_cands = 0;

    if (c.a.n == 0 || c.b.n == 0) {
        out->edit_start = rp__calloc(1, sizeof *out->edit_start);
        return out->edit_start ? RP_OK : RP_ERR_NOMEM;
    }
    /* The vocabulary grows as needed: it is far smaller than the text. A
     * map sized for a quarter of the tokens (at most 4096 words) keeps a
     * news-sized pair from clearing a map of 16k slots it never fills. */
    size_t expect = (c.a.n + c.b.n) / 4;
    if (!rp__hmap_init(&c.vocab, expect < 4096 ? expect : 4096)) goto done;
    if (build_units(&c, &c.a) != RP_OK || build_units(&c, &c.b) != RP_OK) goto done;
    c.df_a = rp__calloc(c.n_vocab, sizeof *c.df_a);
    c.df_b = rp__calloc(c.n_vocab, sizeof *c.df_b);
    c.w = rp__malloc(c.n_vocab * sizeof *c.w);
    c.stamp = rp__calloc(c.n_vocab, sizeof *c.stamp);
    c.tf_a = rp__calloc(c.n_vocab, sizeof *c.tf_a);
    c.tf_b = rp__calloc(c.n_vocab, sizeof *c.tf_b);
    if (c.tf_a == NULL || c.tf_b == NULL || c.df_a == NULL || c.df_b == NULL || c.w == NULL ||
        c.stamp == NULL)
        goto done;
    if (unit_sets(&c, &c.a, c.df_a) != RP_OK || unit_sets(&c, &c.b, c.df_b) != RP_OK) goto done;
    double n_units = (double)(c.a.n_units + c.b.n_units);
    for (size_t v = 0; v < c.n_vocab; v++)
        c.w[v] = log((n_units + 1.0) / (double)(c.df_a[v] + c.df_b[v]));
    side *sides[2] = {&c.a, &c.b};
    for (int s = 0; s < 2; s++) {
        for (size_t u = 0; u < sides[s]->n_units; u++) {
            unit *un = &sides[s]->units[u];
            double sum = 0;
            for (size_t k = 0; k < un->len; k++)
                sum += c.w[c.ids[un->off + k]] * c.w[c.ids[un->off + k]];
            un->norm = sqrt(sum);
        }
    }
    report(p, 0.0, 0.10, 1, 1);
    if (unit_seeds(&c, p) != RP_OK) goto done;
    report(p, 0.60, 0.70, 0, 1);
    if (ngram_seeds(&c) != RP_OK) goto done;
    report(p, 0.70, 0.75, 1, 1);
    if (c.n_seeds == 0) {
        rc = finish(&bd, out);
        goto done;
    }

    /* Passes: the seeds make candidates, refined strongest first; then the
     * seeds clear of every kept passage (text one side moved, split out of
     * a passage that first claimed it) make candidates again, against the
     * text still uncovered. */
    c.n_by = c.n_seeds;
    c.all_seeds = rp__malloc(c.n_seeds * sizeof *c.all_seeds);
    c.by_a = rp__malloc(c.n_seeds * sizeof *c.by_a);
    c.by_b = rp__malloc(c.n_seeds * sizeof *c.by_b);
    uint64_t *tmp = rp__malloc(c.n_seeds * sizeof *tmp);
    if (c.all_seeds == NULL || c.by_a == NULL || c.by_b == NULL || tmp == NULL) {
        rp__free(tmp);
        goto done;
    }
    memcpy(c.all_seeds, c.seeds, c.n_seeds * sizeof *c.seeds);
    for (size_t i = 0; i < c.n_seeds; i++) {
        c.by_a[i] = (uint64_t)c.seeds[i].alo << 32 | i;
        c.by_b[i] = (uint64_t)c.seeds[i].blo << 32 | i;
    }
    merge_sort_u64(c.by_a, c.n_seeds, tmp);
    merge_sort_u64(c.by_b, c.n_seeds, tmp);
    rp__free(tmp);
    for (int pass = 0; pass < PASSES && c.n_seeds > 0; pass++) {
        size_t before = bd.al.n_passages;
        if (pass > 0) {
            size_t w = 0;
            for (size_t i = 0; i < c.n_seeds; i++) {
                const seed *sd = &c.seeds[i];
                if (!overlaps_passage(sd->alo, sd->ahi, &bd.al, 0, true) &&
                    !overlaps_passage(sd->blo, sd->bhi, &bd.al, 0, false))
                    c.seeds[w++] = *sd;
            }
            c.n_seeds = w;
            if (w == 0) break;
        }
        if (make_cands(c.seeds, c.n_seeds, pass == 0, &cands, &n_cands, &cap_cands) != RP_OK)
            goto done;
        if (resolve(&c, da, db, p, cands, n_cands, &bd, pass == 0) != RP_OK) goto done;
        if (bd.al.n_passages == before) break;
    }
    if (flip) mirror(&bd.al);
    if (finish(&bd, out) != RP_OK) goto done;
    rc = RP_OK;
done:
    if (rc != RP_OK) rp__alignment_free(out);
    rp__alignment_free(&bd.al);
    rp__free(bd.cut);
    rp__free(cands);
    rp__free(c.stamp);
    rp__free(c.all_seeds);
    rp__free(c.by_a);
    rp__free(c.by_b);
    rp__free(c.tf_a);
    rp__free(c.tf_b);
    rp__hmap_free(&c.vocab);
    rp__free(c.a.units);
    rp__free(c.b.units);
    rp__free(c.a.vid);
    rp__free(c.b.vid);
    rp__free(c.df_a);
    rp__free(c.df_b);
    rp__free(c.w);
    rp__free(c.ids);
    rp__free(c.seeds);
    return rc;
}
