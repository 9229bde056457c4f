/* test_scan.c - rp_scan on seeded synthetic corpora: planted partial reuse
 * and passages inside long documents are found and nothing else is, each
 * pair's passages are rp_compare()'s, boilerplate is set aside, --against
 * pairs only across the sets, output does not depend on the memory limit,
 * families and their dated source, errors, and allocation failures.
 *
 * Runs on one thread: the fault-injection counters of test builds are not
 * atomic. Thread counts are compared by the CLI tests (tests/cli/scan_*). */
#include "scan/scan_int.h"
#include "test.h"

#include <stdlib.h>

/* ---- seeded prose-like text ------------------------------------------------- */

typedef test_buf buf;

static uint64_t rs;
static uint64_t rnd(void)
{
    return test_rand(&rs);
}

/* A word of a Zipf-like vocabulary of 8,000 pseudo-words. */
static void word(buf *b)
{
    test_word(b, test_zipf(&rs), 0);
}

/* About `words` words of sentences in paragraphs, appended to b. */
static void prose(buf *b, size_t words)
{
    size_t done = 0;
    while (done < words) {
        size_t len = 8 + rnd() % 14;
        for (size_t i = 0; i < len; i++) {
            if (i) test_puts(b, " ");
            word(b);
        }
        done += len;
        test_puts(b, rnd() % 4 == 0 ? ".\n\n" : ". ");
    }
}

/* s[0..n) with one word edit (substituted, deleted or inserted) every
 * 10-20 words, appended to b. */
static void edited(buf *b, const char *s, size_t n)
{
    size_t next = 5 + rnd() % 10, w = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != ' ' && s[j] != '\n')
            j++;
        bool edit = w++ == next && j > i;
        if (edit) next = w + 10 + rnd() % 11;
        int op = edit ? (int)(rnd() % 3) : -1;
        if (op == 0)
            word(b); /* substitute */
        else if (op == 2) {
            word(b); /* insert */
            test_puts(b, " ");
            test_put(b, s + i, j - i);
        } else if (op != 1)
            test_put(b, s + i, j - i);
        size_t k = j;
        while (k < n && (s[k] == ' ' || s[k] == '\n'))
            k++;
        if (op != 1 || k - j > 1) test_put(b, s + j, k - j);
        i = k;
    }
}

/* ---- running a scan ------------------------------------------------------------ */

typedef struct corpus {
    buf *doc;
    size_t n, cap;
    int *set;
    const char **date;
} corpus;

static buf *new_doc(corpus *c)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->doc = realloc(c->doc, c->cap * sizeof *c->doc);
        c->set = realloc(c->set, c->cap * sizeof *c->set);
        c->date = realloc(c->date, c->cap * sizeof *c->date);
    }
    memset(&c->doc[c->n], 0, sizeof c->doc[c->n]);
    test_put(&c->doc[c->n], "", 0);
    c->set[c->n] = 0;
    c->date[c->n] = NULL;
    return &c->doc[c->n++];
}

static void free_corpus(corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->doc[i].s);
    free(c->doc);
    free(c->set);
    free(c->date);
    memset(c, 0, sizeof *c);
}

/* What a scan reported: pairs as "a b" lines with their passages. */
typedef struct seen {
    const corpus *c;
    buf out;
    size_t pairs;
    size_t *a, *b; /* the reported pairs */
    size_t cap;
    int compare_mismatch;
} seen;

static rp_status collect(void *user, const rp_scan_pair *p)
{
    seen *s = user;
    char line[160];
    size_t np;
    const rp_passage *ps = rp_result_passages(p->result, &np);
    snprintf(line, sizeof line, "%zu %zu shared=%zu:", p->a, p->b, p->shared);
    test_puts(&s->out, line);
    for (size_t i = 0; i < np; i++) {
        snprintf(line, sizeof line, " [%llu,%llu)-[%llu,%llu)/%zu",
                 (unsigned long long)ps[i].a_start, (unsigned long long)ps[i].a_end,
                 (unsigned long long)ps[i].b_start, (unsigned long long)ps[i].b_end, ps[i].tokens);
        test_puts(&s->out, line);
    }
    test_puts(&s->out, "\n");
    if (s->pairs == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->a = realloc(s->a, s->cap * sizeof *s->a);
        s->b = realloc(s->b, s->cap * sizeof *s->b);
    }
    s->a[s->pairs] = p->a;
    s->b[s->pairs] = p->b;
    s->pairs++;
    /* The same passages as rp_compare() on the original texts. */
    if (s->c != NULL) {
        rp_doc *da, *db;
        rp_result *r;
        const buf *ta = &s->c->doc[p->a], *tb = &s->c->doc[p->b];
        if (rp_doc_new("a", ta->s, ta->n, NULL, &da, NULL) != RP_OK) return RP_ERR_NOMEM;
        if (rp_doc_new("b", tb->s, tb->n, NULL, &db, NULL) != RP_OK) return RP_ERR_NOMEM;
        if (rp_compare(da, db, NULL, &r, NULL) != RP_OK) return RP_ERR_NOMEM;
        size_t nr;
        const rp_passage *pr = rp_result_passages(r, &nr);
        if (nr != np || (np > 0 && memcmp(pr, ps, np * sizeof *ps) != 0) ||
            rp_result_containment_a(r) != rp_result_containment_a(p->result) ||
            rp_result_containment_b(r) != rp_result_containment_b(p->result))
            s->compare_mismatch++;
        size_t la, lb;
        const char *xa = rp_doc_text(p->doc_a, &la), *xb = rp_doc_text(p->doc_b, &lb);
        if (la != ta->n || lb != tb->n || memcmp(xa, ta->s, la) != 0 || memcmp(xb, tb->s, lb) != 0)
            s->compare_mismatch++;
        rp_result_free(r);
        rp_doc_free(da);
        rp_doc_free(db);
    }
    return RP_OK;
}

static void free_seen(seen *s)
{
    free(s->out.s);
    free(s->a);
    free(s->b);
}

static bool reported(const seen *s, size_t a, size_t b)
{
    for (size_t i = 0; i < s->pairs; i++)
        if (s->a[i] == a && s->b[i] == b) return true;
    return false;
}

static rp_status add_all(rp_scan *sc, const corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        char id[32];
        snprintf(id, sizeof id, "doc%03zu", i);
        rp_scan_input in = {id,          strlen(id), c->doc[i].s,
                            c->doc[i].n, c->date[i], c->date[i] ? strlen(c->date[i]) : 0,
                            c->set[i]};
        RP_TRY(rp_scan_add(sc, &in, NULL));
    }
    return RP_OK;
}

static rp_status run_scan(const corpus *c, const rp_scan_opts *o, seen *out, rp_scan **keep)
{
    rp_scan *sc = NULL;
    rp_status st = rp_scan_new(o, &sc, NULL);
    if (st == RP_OK) st = add_all(sc, c);
    if (st == RP_OK) st = rp_scan_run(sc, collect, out, NULL);
    if (keep != NULL && st == RP_OK)
        *keep = sc;
    else
        rp_scan_free(sc);
    return st;
}

/* ---- tests -------------------------------------------------------------------- */

/* Planted partial reuse (30-70% of a document, edited every 10-20 words)
 * and 60-word passages inside 3,000-word documents are all found, nothing
 * else is, and each pair's passages equal rp_compare()'s. */
void test_scan_planted(void)
{
    rs = test_seed | 1;
    corpus c = {0};
    enum { N_PARTIAL = 8, N_LONG = 3 };
    size_t src[N_PARTIAL + N_LONG], dst[N_PARTIAL + N_LONG];
    size_t lo[N_PARTIAL + N_LONG], hi[N_PARTIAL + N_LONG];
    for (size_t i = 0; i < 12; i++)
        prose(new_doc(&c), 100 + rnd() % 400);
    for (size_t k = 0; k < N_PARTIAL + N_LONG; k++) {
        const bool is_long = k >= N_PARTIAL;
        src[k] = c.n;
        buf *s = new_doc(&c);
        prose(s, is_long ? 60 : 120 + rnd() % 200);
        size_t words = 0;
        for (size_t i = 0; i < s->n; i++)
            words += s->s[i] == ' ' || s->s[i] == '\n';
        double cont = 0.3 + 0.4 * (double)(rnd() % 1000) / 1000.0;
        size_t host = is_long ? 3000 : (size_t)((double)words * (1 - cont) / cont);
        dst[k] = c.n;
        buf *t = new_doc(&c);
        s = &c.doc[src[k]]; /* new_doc may have moved it */
        prose(t, host / 2);
        test_puts(t, "\n\n");
        lo[k] = t->n;
        edited(t, s->s, s->n);
        hi[k] = t->n;
        test_puts(t, "\n\n");
        prose(t, host - host / 2);
        prose(new_doc(&c), 50 + rnd() % 300);
    }
    rp_scan_opts o;
    rp_scan_opts_init(&o);
    seen s = {&c, {0}, 0, NULL, NULL, 0, 0};
    CHECK_EQ(run_scan(&c, &o, &s, NULL), RP_OK);
    CHECK_EQ(s.compare_mismatch, 0);
    CHECK_EQ(s.pairs, N_PARTIAL + N_LONG);
    for (size_t k = 0; k < N_PARTIAL + N_LONG; k++) {
        bool found = reported(&s, src[k], dst[k]);
        CHECK(found);
        if (!found) fprintf(stderr, "planted pair %zu (%zu, %zu) not found\n", k, src[k], dst[k]);
    }
    /* the passages lie in the planted range of the reprint (checked through
     * rp_compare, which the scan was just shown to equal) */
    for (size_t k = 0; k < N_PARTIAL + N_LONG; k++) {
        rp_doc *a, *b;
        rp_result *r;
        rp_doc_new("a", c.doc[src[k]].s, c.doc[src[k]].n, NULL, &a, NULL);
        rp_doc_new("b", c.doc[dst[k]].s, c.doc[dst[k]].n, NULL, &b, NULL);
        CHECK_EQ(rp_compare(a, b, NULL, &r, NULL), RP_OK);
        size_t np;
        const rp_passage *ps = rp_result_passages(r, &np);
        uint64_t in = 0, all = 0;
        for (size_t i = 0; i < np; i++) {
            uint64_t x = ps[i].b_start > lo[k] ? ps[i].b_start : lo[k];
            uint64_t y = ps[i].b_end < hi[k] ? ps[i].b_end : hi[k];
            in += y > x ? y - x : 0;
            all += ps[i].b_end - ps[i].b_start;
        }
        CHECK(np >= 1);
        CHECK(all > 0 && in * 10 >= all * 9);            /* precision >= 0.9 */
        CHECK(in * 10 >= (uint64_t)(hi[k] - lo[k]) * 8); /* recall >= 0.8 */
        rp_result_free(r);
        rp_doc_free(a);
        rp_doc_free(b);
    }
    free_seen(&s);
    free_corpus(&c);
}

/* The output does not depend on the memory limit (spilled runs or not),
 * and the counters add up. */
void test_scan_memory_limit(void)
{
    rs = test_seed | 1;
    corpus c = {0};
    for (size_t i = 0; i < 300; i++)
        prose(new_doc(&c), 300 + rnd() % 500);
    /* reuse among them: every tenth document repeats part of the one before */
    for (size_t i = 10; i < c.n; i += 10) {
        buf *prev = &c.doc[i - 1];
        edited(&c.doc[i], prev->s, prev->n / 2);
    }
    rp_scan_opts o;
    rp_scan_opts_init(&o);
    o.mem_limit = (size_t)4 << 20;
    seen small = {NULL, {0}, 0, NULL, NULL, 0, 0}, big = small;
    rp_scan *sc = NULL;
    CHECK_EQ(run_scan(&c, &o, &small, &sc), RP_OK);
    rp_scan_stats st;
    rp_scan_get_stats(sc, &st);
    CHECK(st.spilled_runs > 0);
    CHECK_EQ(st.documents, c.n);
    CHECK_EQ(st.pairs, small.pairs);
    CHECK(st.candidates >= st.pairs);
    CHECK(small.pairs >= 29);
    rp_scan_free(sc);
    o.mem_limit = (size_t)1 << 30;
    CHECK_EQ(run_scan(&c, &o, &big, NULL), RP_OK);
    CHECK_EQ(small.out.n, big.out.n);
    CHECK(small.out.s != NULL && big.out.s != NULL && strcmp(small.out.s, big.out.s) == 0);
    free_seen(&small);
    free_seen(&big);
    free_corpus(&c);
}

static rp_status collect_bp(void *user, const rp_scan_boilerplate *b)
{
    buf *out = user;
    char line[64];
    snprintf(line, sizeof line, "%llu:", (unsigned long long)b->documents);
    test_puts(out, line);
    test_put(out, b->text, (size_t)(b->end - b->start));
    test_puts(out, "\n");
    return RP_OK;
}

/* A line in more than max_df documents is boilerplate: it pairs nobody, not
 * even documents whose common words lead into it, and it is listed. */
void test_scan_boilerplate(void)
{
    rs = test_seed | 1;
    corpus c = {0};
    static const char line[] = "Join our channel for the latest updates and breaking news alerts "
                               "from all over the region every single day.";
    for (size_t i = 0; i < 40; i++) {
        buf *d = new_doc(&c);
        prose(d, 150 + rnd() % 200);
        /* half of them lead into the line with the same words */
        test_puts(d, i % 2 ? " said on Monday in the capital. " : "\n\n");
        test_puts(d, line);
    }
    rp_scan_opts o;
    rp_scan_opts_init(&o);
    o.max_df = 10;
    seen s = {&c, {0}, 0, NULL, NULL, 0, 0};
    rp_scan *sc = NULL;
    CHECK_EQ(run_scan(&c, &o, &s, &sc), RP_OK);
    CHECK_EQ(s.pairs, 0);
    rp_scan_stats st;
    rp_scan_get_stats(sc, &st);
    CHECK(st.boilerplate > 0);
    buf bp = {0};
    CHECK_EQ(rp_scan_list_boilerplate(sc, collect_bp, &bp, NULL), RP_OK);
    CHECK(bp.s != NULL && strstr(bp.s, "40:") != NULL);
    CHECK(bp.s != NULL && strstr(bp.s, "latest updates and breaking news") != NULL);
    free(bp.s);
    rp_scan_free(sc);
    /* with a higher cap the line is shared text like any other */
    o.max_df = 100;
    free_seen(&s);
    memset(&s, 0, sizeof s);
    CHECK_EQ(run_scan(&c, &o, &s, NULL), RP_OK);
    CHECK(s.pairs > 100);
    size_t pairs_100 = s.pairs;
    free_seen(&s);
    /* the largest cap: no filter, and no buffer of max_df entries */
    o.max_df = RP_SCAN_MAX_DF;
    memset(&s, 0, sizeof s);
    CHECK_EQ(run_scan(&c, &o, &s, NULL), RP_OK);
    CHECK_EQ(s.pairs, pairs_100);
    free_seen(&s);
    free_corpus(&c);
}

/* With against, only pairs of a set-0 document with a set-1 document. */
void test_scan_against(void)
{
    rs = test_seed | 1;
    corpus c = {0};
    buf story = {0};
    prose(&story, 150);
    for (size_t i = 0; i < 6; i++) {
        buf *d = new_doc(&c);
        prose(d, 100);
        test_puts(d, "\n\n");
        edited(d, story.s, story.n);
        c.set[c.n - 1] = i % 2;
    }
    rp_scan_opts o;
    rp_scan_opts_init(&o);
    seen all = {&c, {0}, 0, NULL, NULL, 0, 0}, cross = all;
    CHECK_EQ(run_scan(&c, &o, &all, NULL), RP_OK);
    CHECK_EQ(all.pairs, 15);
    o.against = 1;
    CHECK_EQ(run_scan(&c, &o, &cross, NULL), RP_OK);
    CHECK_EQ(cross.pairs, 9);
    for (size_t i = 0; i < cross.pairs; i++)
        CHECK(c.set[cross.a[i]] != c.set[cross.b[i]]);
    CHECK_EQ(cross.compare_mismatch, 0);
    free_seen(&all);
    free_seen(&cross);
    free(story.s);
    free_corpus(&c);
}

typedef struct families {
    size_t n;
    size_t documents[8];
    size_t source_doc[8];
    size_t members[8];
} families;

static rp_status collect_family(void *user, const rp_scan_cluster *cl)
{
    families *f = user;
    if (f->n < 8) {
        f->documents[f->n] = cl->documents;
        f->members[f->n] = cl->n_members;
        f->source_doc[f->n] = cl->source == SIZE_MAX ? SIZE_MAX : cl->members[cl->source].doc;
    }
    f->n++;
    return RP_OK;
}

/* A story reprinted in three documents is one family; its earliest dated
 * member (dates that are numbers compare as numbers) is the source. */
void test_scan_clusters(void)
{
    rs = test_seed | 1;
    corpus c = {0};
    buf story = {0}, other = {0};
    prose(&story, 200);
    prose(&other, 150);
    static const char *dates[] = {"1700000100", "1700000020", "999999999", "1700000300",
                                  "1700000000"};
    for (size_t i = 0; i < 5; i++) {
        buf *d = new_doc(&c);
        prose(d, 80);
        test_puts(d, "\n\n");
        if (i < 3)
            edited(d, story.s, story.n);
        else
            edited(d, other.s, other.n);
        test_puts(d, "\n\n");
        prose(d, 60);
        c.date[i] = dates[i];
    }
    rp_scan_opts o;
    rp_scan_opts_init(&o);
    o.clusters = 1;
    seen s = {&c, {0}, 0, NULL, NULL, 0, 0};
    rp_scan *sc = NULL;
    CHECK_EQ(run_scan(&c, &o, &s, &sc), RP_OK);
    CHECK_EQ(s.pairs, 4);
    families f = {0};
    CHECK_EQ(rp_scan_list_clusters(sc, collect_family, &f, NULL), RP_OK);
    CHECK_EQ(f.n, 2);
    CHECK_EQ(f.documents[0], 3);
    CHECK_EQ(f.members[0], 3);
    CHECK_EQ(f.source_doc[0], 2); /* 999999999 < 1700000020 as numbers */
    CHECK_EQ(f.documents[1], 2);
    CHECK_EQ(f.source_doc[1], 4);
    size_t len;
    CHECK_STR_EQ(rp_scan_doc_date(sc, 1, &len), "1700000020");
    CHECK_EQ(len, 10);
    CHECK_STR_EQ(rp_scan_doc_id(sc, 3, &len), "doc003");
    rp_scan_free(sc);
    free_seen(&s);
    free(story.s);
    free(other.s);
    free_corpus(&c);
}

static rp_status stop_at_first(void *user, const rp_scan_pair *p)
{
    (void)p;
    (*(int *)user)++;
    return RP_ERR_IO;
}

void test_scan_errors(void)
{
    rp_scan_opts o;
    rp_scan *sc = NULL;
    rp_error err;
    rp_scan_opts_init(&o);
    o.ngram = 0;
    CHECK_EQ(rp_scan_new(&o, &sc, &err), RP_ERR_PARAM);
    CHECK(strstr(err.msg, "ngram") != NULL);
    rp_scan_opts_init(&o);
    o.mem_limit = 1000;
    CHECK_EQ(rp_scan_new(&o, &sc, &err), RP_ERR_PARAM);
    rp_scan_opts_init(&o);
    o.max_df = 1;
    CHECK_EQ(rp_scan_new(&o, &sc, &err), RP_ERR_PARAM);
    /* (max_df + 1) * sizeof wrapped to a small buffer here once */
    rp_scan_opts_init(&o);
    o.max_df = SIZE_MAX;
    CHECK_EQ(rp_scan_new(&o, &sc, &err), RP_ERR_PARAM);
    CHECK(strstr(err.msg, "max_df") != NULL);
    rp_scan_opts_init(&o);
    o.min_containment = 1.5;
    CHECK_EQ(rp_scan_new(&o, &sc, &err), RP_ERR_PARAM);
    CHECK(sc == NULL);

    /* a temporary directory that does not exist */
    rp_scan_opts_init(&o);
    o.tmpdir = "/nonexistent/reprint-test";
    CHECK_EQ(rp_scan_new(&o, &sc, &err), RP_OK);
    rp_scan_input in = {"x", 1, "some words here", 15, NULL, 0, 0};
    CHECK_EQ(rp_scan_add(sc, &in, &err), RP_ERR_IO);
    CHECK_STR_EQ(err.path, "/nonexistent/reprint-test");
    CHECK_EQ(rp_scan_add(sc, &in, &err), RP_ERR_IO); /* the scan stays failed */
    rp_scan_free(sc);

    /* bad text, calls out of order, empty scans */
    CHECK_EQ(rp_scan_new(NULL, &sc, &err), RP_OK);
    CHECK_EQ(rp_scan_list_boilerplate(sc, collect_bp, NULL, &err), RP_ERR_PARAM);
    rp_doc *d = NULL;
    CHECK_EQ(rp_scan_doc(sc, 0, &d, &err), RP_ERR_PARAM);
    rp_scan_input bad = {"bad id", 6, "caf\xe9 au lait", 12, NULL, 0, 0};
    CHECK_EQ(rp_scan_add(sc, &bad, &err), RP_ERR_UTF8);
    CHECK_STR_EQ(err.path, "bad id");
    CHECK_EQ(err.offset, 3);
    rp_scan_input nul = {"n", 1, "a\0b", 3, NULL, 0, 0};
    CHECK_EQ(rp_scan_add(sc, &nul, &err), RP_ERR_FORMAT);
    rp_scan_input empty = {NULL, 0, NULL, 0, NULL, 0, 0};
    CHECK_EQ(rp_scan_add(sc, &empty, &err), RP_OK); /* empty documents are valid */
    rp_scan_input wrong_set = {"s", 1, "x", 1, NULL, 0, 2};
    CHECK_EQ(rp_scan_add(sc, &wrong_set, &err), RP_ERR_PARAM);
    seen s = {NULL, {0}, 0, NULL, NULL, 0, 0};
    CHECK_EQ(rp_scan_run(sc, collect, &s, &err), RP_OK);
    CHECK_EQ(s.pairs, 0);
    CHECK_EQ(rp_scan_run(sc, collect, &s, &err), RP_ERR_PARAM);
    CHECK_EQ(rp_scan_add(sc, &in, &err), RP_ERR_PARAM);
    CHECK_EQ(rp_scan_list_clusters(sc, collect_family, NULL, &err), RP_ERR_PARAM);
    CHECK_EQ(rp_scan_doc(sc, 0, &d, &err), RP_OK);
    CHECK_STR_EQ(rp_doc_name(d), "");
    rp_doc_free(d);
    CHECK_EQ(rp_scan_doc(sc, 1, &d, &err), RP_ERR_PARAM);
    rp_scan_free(sc);
    rp_scan_free(NULL);
    free_seen(&s);

    /* no documents at all */
    CHECK_EQ(rp_scan_new(NULL, &sc, &err), RP_OK);
    CHECK_EQ(rp_scan_run(sc, collect, &s, &err), RP_OK);
    rp_scan_free(sc);

    /* the callback stops the scan with its status */
    rs = test_seed | 1;
    corpus c = {0};
    buf story = {0};
    prose(&story, 120);
    for (size_t i = 0; i < 3; i++)
        edited(new_doc(&c), story.s, story.n);
    int calls = 0;
    CHECK_EQ(rp_scan_new(NULL, &sc, &err), RP_OK);
    CHECK_EQ(add_all(sc, &c), RP_OK);
    CHECK_EQ(rp_scan_run(sc, stop_at_first, &calls, &err), RP_ERR_IO);
    CHECK_EQ(calls, 1);
    rp_scan_free(sc);
    free(story.s);
    free_corpus(&c);
}

/* Every allocation failure is reported as RP_ERR_NOMEM and frees what was
 * taken (LeakSanitizer checks the frees). */
void test_scan_fault_injection(void)
{
    rs = 4242;
    corpus c = {0};
    buf story = {0};
    prose(&story, 120);
    for (size_t i = 0; i < 4; i++) {
        buf *d = new_doc(&c);
        prose(d, 40);
        test_puts(d, "\n\n");
        edited(d, story.s, story.n);
    }
    static const char line[] = "Follow us for more of the news that matters to you every day.";
    for (size_t i = 0; i < 4; i++)
        test_puts(&c.doc[i], line);
    int failures = 0;
    for (size_t k = 1; k < 100000; k++) {
        rp_scan_opts o;
        rp_scan_opts_init(&o);
        o.clusters = 1;
        o.max_df = 3;
        rp__alloc_fail_after(k);
        seen s = {NULL, {0}, 0, NULL, NULL, 0, 0};
        rp_scan *sc = NULL;
        rp_status st = rp_scan_new(&o, &sc, NULL);
        if (st == RP_OK) st = add_all(sc, &c);
        if (st == RP_OK) st = rp_scan_run(sc, collect, &s, NULL);
        families f = {0};
        buf bp = {0};
        if (st == RP_OK) st = rp_scan_list_clusters(sc, collect_family, &f, NULL);
        if (st == RP_OK) st = rp_scan_list_boilerplate(sc, collect_bp, &bp, NULL);
        size_t made = rp__alloc_fail_after(0);
        rp_scan_free(sc);
        free_seen(&s);
        free(bp.s);
        if (st == RP_OK) {
            CHECK(made < k);
            CHECK(s.pairs == 6 && f.n == 1);
            break;
        }
        CHECK_EQ(st, RP_ERR_NOMEM);
        failures++;
    }
    CHECK(failures > 20);
    free(story.s);
    free_corpus(&c);
}
