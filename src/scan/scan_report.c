/* scan_report.c - the optional reports of rp_scan: boilerplate passages and
 * reuse families.
 *
 * Boilerplate. Stage 2 keeps, for every fingerprint over max_df, its df and
 * its first posting: the first document holding it and the n-gram's token
 * position there. Sorted by that position, the fingerprints of one
 * boilerplate text fall next to each other in one document; runs whose
 * n-grams lie within a window of each other are joined into a passage, cut
 * out of the document as bytes, and reported once per distinct text, most
 * documents first.
 *
 * Families. Every passage of a reported pair is two intervals, one per
 * document. Sorted by document and start, an interval joins the segment
 * before it when they overlap by at least half of the shorter and the
 * shorter is at least a fifth of the longer; union-find joins the passages
 * of a segment; a family is then a connected set of passages, and its
 * members are the segments. Requiring half an interval, not a byte, of
 * overlap keeps two reused stories that touch in one document apart; the
 * fifth keeps a short text inside a long passage (a quoted sentence, a
 * credit line the aligner took in at a passage's end) from chaining the
 * long passage's family to every other document quoting it. */
#include "scan/scan_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- boilerplate -------------------------------------------------------------- */

static int bp_pos_cmp(const void *x, const void *y)
{
    const rp__scan_bp *a = x, *b = y;
    if (a->docpos != b->docpos) return a->docpos < b->docpos ? -1 : 1;
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

typedef struct bp_span {
    uint32_t doc;
    uint32_t start, end; /* bytes */
    uint64_t documents;
    size_t fingerprints;
    uint64_t text_hash;
    char *text;
} bp_span;

static int span_hash_cmp(const void *x, const void *y)
{
    const bp_span *a = x, *b = y;
    if (a->text_hash != b->text_hash) return a->text_hash < b->text_hash ? -1 : 1;
    uint32_t la = a->end - a->start, lb = b->end - b->start;
    if (la != lb) return la < lb ? -1 : 1;
    int c = memcmp(a->text, b->text, la);
    if (c != 0) return c;
    if (a->documents != b->documents) return a->documents > b->documents ? -1 : 1;
    if (a->doc != b->doc) return a->doc < b->doc ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

static int span_out_cmp(const void *x, const void *y)
{
    const bp_span *a = x, *b = y;
    if (a->documents != b->documents) return a->documents > b->documents ? -1 : 1;
    if (a->doc != b->doc) return a->doc < b->doc ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

static bool same_text(const bp_span *a, const bp_span *b)
{
    return a->text_hash == b->text_hash && a->end - a->start == b->end - b->start &&
           memcmp(a->text, b->text, a->end - a->start) == 0;
}

/* The passages of one document's boilerplate fingerprints bp[0..n) (sorted
 * by position), appended to *spans. */
static rp_status doc_spans(rp_scan *s, const rp__scan_bp *bp, size_t n, bp_span **spans,
                           size_t *n_spans, size_t *cap, rp_error *err)
{
    const uint32_t d = (uint32_t)(bp[0].docpos >> 32);
    rp_doc *doc;
    RP_TRY(rp_scan_doc(s, d, &doc, err));
    size_t n_tok, len;
    const rp_token *tok = rp_doc_tokens(doc, &n_tok);
    const char *text = rp_doc_text(doc, &len);
    rp_status st = RP_OK;
    size_t i = 0;
    while (i < n) {
        size_t lo = (uint32_t)bp[i].docpos, hi = lo + s->o.ngram;
        uint64_t documents = bp[i].df;
        size_t j = i + 1;
        while (j < n && (uint32_t)bp[j].docpos <= hi + s->o.window) {
            size_t e = (uint32_t)bp[j].docpos + s->o.ngram;
            if (e > hi) hi = e;
            if (bp[j].df > documents) documents = bp[j].df;
            j++;
        }
        if (hi > n_tok) hi = n_tok;
        if (lo < hi) {
            if (!rp__grow((void **)spans, cap, *n_spans + 1, sizeof **spans)) {
                st = rp__nomem(err, "");
                break;
            }
            bp_span *sp = &(*spans)[*n_spans];
            sp->doc = d;
            sp->start = tok[lo].start;
            sp->end = tok[hi - 1].end;
            sp->documents = documents;
            sp->fingerprints = j - i;
            sp->text = rp__malloc(sp->end - sp->start + 1);
            if (sp->text == NULL) {
                st = rp__nomem(err, "");
                break;
            }
            memcpy(sp->text, text + sp->start, sp->end - sp->start);
            sp->text[sp->end - sp->start] = '\0';
            sp->text_hash = rp__hash_bytes(sp->text, sp->end - sp->start, 0);
            (*n_spans)++;
        }
        i = j;
    }
    (void)len;
    rp_doc_free(doc);
    return st;
}

rp_status rp_scan_list_boilerplate(rp_scan *s, rp_scan_boilerplate_fn on_b, void *user,
                                   rp_error *err)
{
    if (s == NULL || on_b == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_list_boilerplate: NULL argument");
    if (s->state != 2)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_list_boilerplate: the scan has not run");
    if (s->n_bp == 0) return RP_OK;
    qsort(s->bp, s->n_bp, sizeof *s->bp, bp_pos_cmp);
    bp_span *spans = NULL;
    size_t n_spans = 0, cap = 0;
    rp_status st = RP_OK;
    for (size_t i = 0; i < s->n_bp && st == RP_OK;) {
        size_t j = i + 1;
        while (j < s->n_bp && s->bp[j].docpos >> 32 == s->bp[i].docpos >> 32)
            j++;
        st = doc_spans(s, s->bp + i, j - i, &spans, &n_spans, &cap, err);
        i = j;
    }
    if (st == RP_OK && n_spans > 0) {
        /* one span per distinct text: the one with most documents, then first */
        qsort(spans, n_spans, sizeof *spans, span_hash_cmp);
        size_t m = 0;
        for (size_t i = 0; i < n_spans; i++) {
            if (m > 0 && same_text(&spans[m - 1], &spans[i])) {
                rp__free(spans[i].text);
                continue;
            }
            spans[m++] = spans[i];
        }
        n_spans = m;
        qsort(spans, n_spans, sizeof *spans, span_out_cmp);
        for (size_t i = 0; i < n_spans && st == RP_OK; i++) {
            rp_scan_boilerplate b = {spans[i].doc,  spans[i].start,     spans[i].end,
                                     spans[i].text, spans[i].documents, spans[i].fingerprints};
            rp_status cs = on_b(user, &b);
            if (cs != RP_OK)
                st = rp__fail(err, cs, "", 0, "stopped by the boilerplate callback (%s)",
                              rp_strerror(cs));
        }
    }
    for (size_t i = 0; i < n_spans; i++)
        rp__free(spans[i].text);
    rp__free(spans);
    return st;
}

/* ---- reuse families ---------------------------------------------------------------- */

typedef struct interval {
    uint32_t doc, start, end, span;
} interval;

static int interval_cmp(const void *x, const void *y)
{
    const interval *a = x, *b = y;
    if (a->doc != b->doc) return a->doc < b->doc ? -1 : 1;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    return a->span < b->span ? -1 : a->span > b->span;
}

typedef struct segment {
    uint32_t root; /* family */
    uint32_t doc, start, end;
} segment;

static int segment_cmp(const void *x, const void *y)
{
    const segment *a = x, *b = y;
    if (a->root != b->root) return a->root < b->root ? -1 : 1;
    if (a->doc != b->doc) return a->doc < b->doc ? -1 : 1;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    return a->end < b->end ? -1 : a->end > b->end;
}

typedef struct family {
    size_t first, n; /* its segments */
    size_t documents;
    uint32_t doc, start; /* its first member */
} family;

static int family_cmp(const void *x, const void *y)
{
    const family *a = x, *b = y;
    if (a->documents != b->documents) return a->documents > b->documents ? -1 : 1;
    if (a->doc != b->doc) return a->doc < b->doc ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* Bytes compared, a proper prefix first. */
static int bytes_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c != 0) return c;
    return la < lb ? -1 : la > lb;
}

/* Length of the integer part of a plain non-negative decimal number
 * (digits, then optionally '.' and digits), or 0 if s is not one. */
static size_t number_int_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0) return 0;
    if (i == n) return i;
    if (s[i] != '.' || i + 1 == n) return 0;
    for (size_t j = i + 1; j < n; j++)
        if (s[j] < '0' || s[j] > '9') return 0;
    return i;
}

/* Order of two dates: as numbers when both are plain decimal numbers (Unix
 * times), else as bytes (ISO 8601 dates and times sort right). */
static int date_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    size_t ia = number_int_len(a, la), ib = number_int_len(b, lb);
    if (ia == 0 || ib == 0) return bytes_cmp(a, la, b, lb);
    while (ia > 1 && *a == '0') /* leading zeros */
        a++, la--, ia--;
    while (ib > 1 && *b == '0')
        b++, lb--, ib--;
    if (ia != ib) return ia < ib ? -1 : 1;
    return bytes_cmp(a, la, b, lb); /* same integer length: digits, then fraction */
}

rp_status rp_scan_list_clusters(rp_scan *s, rp_scan_cluster_fn on_c, void *user, rp_error *err)
{
    if (s == NULL || on_c == NULL)
        return rp__fail(err, RP_ERR_PARAM, "", 0, "rp_scan_list_clusters: NULL argument");
    if (s->state != 2 || !s->o.clusters)
        return rp__fail(err, RP_ERR_PARAM, "", 0,
                        "rp_scan_list_clusters: needs a finished run with opts.clusters");
    const size_t n = s->n_spans;
    if (n == 0) return RP_OK;
    if (n >= UINT32_MAX / 2)
        return rp__fail(err, RP_ERR_LIMIT, "", 0, "too many passages for families");
    rp_status st = RP_OK;
    interval *iv = rp__malloc(2 * n * sizeof *iv);
    uint32_t *parent = rp__malloc(n * sizeof *parent);
    segment *seg = rp__malloc(2 * n * sizeof *seg);
    family *fam = NULL;
    rp_scan_member *mem = NULL;
    if (iv == NULL || parent == NULL || seg == NULL) goto nomem;
    for (size_t i = 0; i < n; i++) {
        const rp__scan_span *sp = &s->spans[i];
        iv[2 * i] = (interval){sp->a, sp->a_start, sp->a_end, (uint32_t)i};
        iv[2 * i + 1] = (interval){sp->b, sp->b_start, sp->b_end, (uint32_t)i};
        parent[i] = (uint32_t)i;
    }
    qsort(iv, 2 * n, sizeof *iv, interval_cmp);
    /* segments: intervals of a document merged where they cover half of the
     * shorter; the first interval's span represents the segment. */
    size_t n_seg = 0;
    uint32_t rep = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        const interval *v = &iv[i];
        if (n_seg > 0) {
            segment *g = &seg[n_seg - 1];
            if (g->doc == v->doc && v->start < g->end) {
                uint32_t over = (v->end < g->end ? v->end : g->end) - v->start;
                uint32_t lg = g->end - g->start, lv = v->end - v->start;
                uint32_t shorter = lg < lv ? lg : lv, longer = lg < lv ? lv : lg;
                if (2 * (uint64_t)over >= shorter && 5 * (uint64_t)shorter >= longer) {
                    rp__uf_union(parent, rep, v->span);
                    if (v->end > g->end) g->end = v->end;
                    continue;
                }
            }
        }
        seg[n_seg++] = (segment){v->span, v->doc, v->start, v->end};
        rep = v->span;
    }
    for (size_t i = 0; i < n_seg; i++)
        seg[i].root = rp__uf_find(parent, seg[i].root);
    qsort(seg, n_seg, sizeof *seg, segment_cmp);
    /* families: runs of equal root */
    size_t n_fam = 0;
    fam = rp__malloc(n_seg * sizeof *fam);
    if (fam == NULL) goto nomem;
    size_t max_members = 0;
    for (size_t i = 0; i < n_seg;) {
        size_t j = i + 1, docs = 1;
        while (j < n_seg && seg[j].root == seg[i].root) {
            if (seg[j].doc != seg[j - 1].doc) docs++;
            j++;
        }
        fam[n_fam++] = (family){i, j - i, docs, seg[i].doc, seg[i].start};
        if (j - i > max_members) max_members = j - i;
        i = j;
    }
    qsort(fam, n_fam, sizeof *fam, family_cmp);
    mem = rp__malloc(max_members * sizeof *mem);
    if (mem == NULL) goto nomem;
    for (size_t f = 0; f < n_fam && st == RP_OK; f++) {
        const segment *g = &seg[fam[f].first];
        size_t source = SIZE_MAX;
        const char *best = NULL;
        size_t best_len = 0;
        for (size_t k = 0; k < fam[f].n; k++) {
            mem[k] = (rp_scan_member){g[k].doc, g[k].start, g[k].end};
            size_t dl;
            const char *dt = rp_scan_doc_date(s, g[k].doc, &dl);
            if (dt != NULL && (best == NULL || date_cmp(dt, dl, best, best_len) < 0)) {
                best = dt;
                best_len = dl;
                source = k;
            }
        }
        rp_scan_cluster c = {mem, fam[f].n, fam[f].documents, source};
        rp_status cs = on_c(user, &c);
        if (cs != RP_OK)
            st = rp__fail(err, cs, "", 0, "stopped by the cluster callback (%s)", rp_strerror(cs));
    }
    goto done;
nomem:
    st = rp__nomem(err, "");
done:
    rp__free(iv);
    rp__free(parent);
    rp__free(seg);
    rp__free(fam);
    rp__free(mem);
    return st;
}
