/* test_index.c - the persistent reuse index: parameters, the same passages
 * as rp_compare(), duplicates and replacement, results after adds and
 * removes equal to a rebuild, what a batch shows to its own and to other
 * handles, damaged and foreign files, the stored signatures and band keys,
 * segment merging, and allocation failures on every path. */
#include "index/index_int.h"
#include "test.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- text generation ---------------------------------------------------- */

static uint64_t rs;
static uint64_t rnd(void)
{
    return test_rand(&rs);
}

typedef test_buf text;

/* Word number w of a 20000-word vocabulary. */
static void word(text *t, size_t w)
{
    test_word(t, w, 0);
}

static size_t zipf_word(void)
{
    uint64_t r = rnd() % 1000;
    return r < 250 ? rnd() % 30 : r < 600 ? rnd() % 800 : rnd() % 20000;
}

/* A document as word numbers, with sentence ends marked. */
typedef struct words {
    size_t *w;
    unsigned char *end; /* 1 after the last word of a sentence */
    size_t n, cap;
} words;

static void add_word(words *d, size_t w, unsigned char end)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 256;
        d->w = realloc(d->w, d->cap * sizeof *d->w);
        d->end = realloc(d->end, d->cap);
    }
    d->w[d->n] = w;
    d->end[d->n] = end;
    d->n++;
}

static void add_sentences(words *d, size_t n)
{
    for (size_t s = 0; s < n; s++) {
        size_t len = 8 + rnd() % 14;
        for (size_t i = 0; i < len; i++)
            add_word(d, zipf_word(), i + 1 == len);
    }
}

static words gen_words(size_t sentences)
{
    words d = {0};
    add_sentences(&d, sentences);
    return d;
}

/* A newspaper's rewrite: a new lead, sentences dropped, words changed. */
static words rewrite(const words *a)
{
    words b = {0};
    add_sentences(&b, 2);
    size_t start = 0;
    while (start < a->n) {
        size_t stop = start;
        while (!a->end[stop])
            stop++;
        if (rnd() % 8 != 0)
            for (size_t k = start; k <= stop; k++)
                add_word(&b, rnd() % 12 == 0 ? zipf_word() : a->w[k], a->end[k]);
        start = stop + 1;
    }
    add_sentences(&b, 1);
    return b;
}

static char *render(const words *d)
{
    text t = {0};
    test_put(&t, "", 0);
    for (size_t i = 0; i < d->n; i++) {
        word(&t, d->w[i]);
        test_put(&t, d->end[i] ? (i % 5 == 0 ? ".\n\n" : ". ") : " ",
                 d->end[i] ? (i % 5 ? 2 : 3) : 1);
    }
    return t.s;
}

static void words_free(words *d)
{
    free(d->w);
    free(d->end);
    memset(d, 0, sizeof *d);
}

/* ---- helpers -------------------------------------------------------------- */

static char tmpdir[256];
static char dbpath[300];

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/reprint-index-XXXXXX", t && *t ? t : "/tmp");
    CHECK(mkdtemp(tmpdir) != NULL);
    snprintf(dbpath, sizeof dbpath, "%s/t.db", tmpdir);
}

static void remove_db(const char *path)
{
    char buf[600];
    unlink(path);
    snprintf(buf, sizeof buf, "%s-wal", path);
    unlink(buf);
    snprintf(buf, sizeof buf, "%s-shm", path);
    unlink(buf);
}

static void teardown(void)
{
    remove_db(dbpath);
    rmdir(tmpdir);
}

static rp_index *open_index(const char *path, int create, int readonly)
{
    rp_index_opts o;
    rp_index_opts_init(&o);
    o.create = create;
    o.readonly = readonly;
    rp_index *idx = NULL;
    rp_error err;
    rp_status st = rp_index_open(path, &o, &idx, &err);
    if (st != RP_OK) fprintf(stderr, "open %s: %s\n", path, err.msg);
    CHECK_EQ(st, RP_OK);
    return idx;
}

static rp_doc *mkdoc(const char *name, const char *s)
{
    rp_doc *d = NULL;
    CHECK_EQ(rp_doc_new(name, s, strlen(s), NULL, &d, NULL), RP_OK);
    return d;
}

static rp_status add_text(rp_index *idx, const char *id, const char *s, int flags)
{
    rp_doc *d = mkdoc(id, s);
    rp_error err;
    rp_status st = rp_index_add(idx, id, strlen(id), d, NULL, 0, flags, &err);
    rp_doc_free(d);
    return st;
}

static rp_index_matches *query_text(rp_index *idx, const char *s)
{
    rp_doc *d = mkdoc("q", s);
    rp_index_matches *m = NULL;
    rp_error err;
    rp_status st = rp_index_query(idx, d, NULL, &m, &err);
    if (st != RP_OK) fprintf(stderr, "query: %s\n", err.msg);
    CHECK_EQ(st, RP_OK);
    rp_doc_free(d);
    return m;
}

static bool has_match(const rp_index_matches *m, const char *id)
{
    for (size_t i = 0; i < rp_index_matches_count(m); i++)
        if (strcmp(rp_index_match_id(m, i, NULL), id) == 0) return true;
    return false;
}

static void check_same_result(const rp_result *x, const rp_result *y)
{
    size_t nx, ny;
    const rp_passage *px = rp_result_passages(x, &nx), *py = rp_result_passages(y, &ny);
    CHECK_EQ(nx, ny);
    for (size_t i = 0; i < nx && i < ny; i++) {
        CHECK_EQ(px[i].a_start, py[i].a_start);
        CHECK_EQ(px[i].a_end, py[i].a_end);
        CHECK_EQ(px[i].b_start, py[i].b_start);
        CHECK_EQ(px[i].b_end, py[i].b_end);
        CHECK_EQ(px[i].tokens, py[i].tokens);
        CHECK(px[i].similarity == py[i].similarity);
    }
    CHECK(rp_result_containment_a(x) == rp_result_containment_a(y));
    CHECK(rp_result_containment_b(x) == rp_result_containment_b(y));
    CHECK(rp_result_jaccard(x) == rp_result_jaccard(y));
}

/* Two match lists are the same: ids, order, shared fingerprints, passages. */
static void check_same_matches(const rp_index_matches *x, const rp_index_matches *y)
{
    size_t n = rp_index_matches_count(x);
    CHECK_EQ(n, rp_index_matches_count(y));
    for (size_t i = 0; i < n && i < rp_index_matches_count(y); i++) {
        CHECK_STR_EQ(rp_index_match_id(x, i, NULL), rp_index_match_id(y, i, NULL));
        CHECK_EQ(rp_index_match_shared(x, i), rp_index_match_shared(y, i));
        check_same_result(rp_index_match_result(x, i), rp_index_match_result(y, i));
    }
}

/* ---- tests ------------------------------------------------------------------ */

void test_index_params(void)
{
    setup();
    rp_index_opts o;
    rp_index_opts_init(&o);
    o.create = 1;
    o.params.ngram = 6;
    o.params.window = 4;
    o.params.seed = 7;
    o.seed_given = 1;
    rp_index *idx = NULL;
    rp_error err;
    CHECK_EQ(rp_index_open(dbpath, &o, &idx, &err), RP_OK);
    const rp_index_params *p = rp_index_get_params(idx);
    CHECK_EQ(p->ngram, 6);
    CHECK_EQ(p->window, 4);
    CHECK_EQ(p->seed, 7);
    CHECK_EQ(p->sketch_hashes, 128);
    CHECK_EQ(p->lsh_bands, 21);
    CHECK_EQ(p->lsh_rows, 6);
    CHECK_EQ(p->tokenizer_version, RP__TOKENIZER_VERSION);
    rp_index_info info;
    CHECK_EQ(rp_index_stats(idx, &info, &err), RP_OK);
    CHECK_EQ(info.documents, 0);
    CHECK_EQ(info.segments, 0);
    /* A document hashed with another seed is refused. */
    rp_doc *d = mkdoc("x", "some words to index here");
    CHECK_EQ(rp_index_add(idx, "x", 1, d, NULL, 0, 0, &err), RP_ERR_MISMATCH);
    rp_index_matches *m = NULL;
    CHECK_EQ(rp_index_query(idx, d, NULL, &m, &err), RP_ERR_MISMATCH);
    CHECK(m == NULL);
    rp_doc_free(d);
    rp_index_free(idx);

    /* Reopened without requirements: the stored parameters. */
    idx = NULL;
    CHECK_EQ(rp_index_open(dbpath, NULL, &idx, &err), RP_OK);
    if (idx != NULL) CHECK_EQ(rp_index_get_params(idx)->ngram, 6);
    rp_index_free(idx);
    /* Required values that differ: refused, naming both. */
    rp_index_opts_init(&o);
    o.params.ngram = 5;
    idx = (rp_index *)1;
    CHECK_EQ(rp_index_open(dbpath, &o, &idx, &err), RP_ERR_MISMATCH);
    CHECK(idx == NULL);
    CHECK(strstr(err.msg, "ngram 6") != NULL && strstr(err.msg, "ngram 5") != NULL);
    CHECK_STR_EQ(err.path, dbpath);
    rp_index_opts_init(&o);
    o.params.seed = 8;
    o.seed_given = 1;
    CHECK_EQ(rp_index_open(dbpath, &o, &idx, &err), RP_ERR_MISMATCH);
    CHECK(strstr(err.msg, "seed 7") != NULL && strstr(err.msg, "seed 8") != NULL);
    rp_index_opts_init(&o);
    o.params.window = 4; /* equal: accepted */
    CHECK_EQ(rp_index_open(dbpath, &o, &idx, &err), RP_OK);
    rp_index_free(idx);

    /* Read-only handles refuse changes. */
    idx = open_index(dbpath, 0, 1);
    d = mkdoc("x", "some words");
    CHECK_EQ(rp_index_add(idx, "x", 1, d, NULL, 0, 0, &err), RP_ERR_MISMATCH); /* seed first */
    rp_doc_free(d);
    int removed = 5;
    CHECK_EQ(rp_index_remove(idx, "x", 1, &removed, &err), RP_ERR_PARAM);
    CHECK(strstr(err.msg, "read-only") != NULL);
    CHECK_EQ(removed, 0);
    rp_index_free(idx);

    /* Bad options. */
    rp_index_opts_init(&o);
    o.create = 1;
    o.readonly = 1;
    CHECK_EQ(rp_index_open(dbpath, &o, &idx, &err), RP_ERR_PARAM);
    char other[400];
    snprintf(other, sizeof other, "%s/new.db", tmpdir);
    rp_index_opts_init(&o);
    o.create = 1;
    o.params.window = 65;
    CHECK_EQ(rp_index_open(other, &o, &idx, &err), RP_ERR_PARAM);
    CHECK(strstr(err.msg, "window") != NULL);
    o.params.window = 0;
    o.params.lsh_bands = 30; /* 30 x 6 > 128 */
    CHECK_EQ(rp_index_open(other, &o, &idx, &err), RP_ERR_PARAM);
    remove_db(other);
    CHECK_EQ(rp_index_open(NULL, NULL, &idx, &err), RP_ERR_PARAM);
    rp_index_free(NULL);
    teardown();
}

void test_index_matches_compare(void)
{
    setup();
    rs = test_seed | 1;
    rp_index *idx = open_index(dbpath, 1, 0);
    char *texts[40];
    for (int i = 0; i < 40; i++) {
        words w = gen_words(12 + rnd() % 10);
        texts[i] = render(&w);
        char id[16];
        snprintf(id, sizeof id, "doc%d", i);
        CHECK_EQ(add_text(idx, id, texts[i], 0), RP_OK);
        words_free(&w);
    }
    words src = gen_words(25);
    char *src_text = render(&src);
    rp_doc *sd = mkdoc("source", src_text);
    rp_error err;
    const char meta[] = "{\"source\":\"wire\"}";
    CHECK_EQ(rp_index_add(idx, "source", 6, sd, meta, sizeof meta - 1, 0, &err), RP_OK);
    CHECK_EQ(rp_index_pending(idx), 41);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    CHECK_EQ(rp_index_pending(idx), 0);

    words rw = rewrite(&src);
    char *q_text = render(&rw);
    rp_doc *qd = mkdoc("query", q_text);
    rp_index_matches *m = NULL;
    CHECK_EQ(rp_index_query(idx, qd, NULL, &m, &err), RP_OK);
    CHECK(rp_index_matches_count(m) >= 1);
    if (rp_index_matches_count(m) >= 1) {
        size_t len;
        CHECK_STR_EQ(rp_index_match_id(m, 0, &len), "source");
        CHECK_EQ(len, 6);
        const char *mt = rp_index_match_meta(m, 0, &len);
        CHECK(mt != NULL && len == sizeof meta - 1 && memcmp(mt, meta, len) == 0);
        CHECK(rp_index_match_shared(m, 0) >= 2);
        /* The same passages as comparing the pair directly. */
        rp_result *direct = NULL;
        CHECK_EQ(rp_compare(sd, qd, NULL, &direct, NULL), RP_OK);
        check_same_result(rp_index_match_result(m, 0), direct);
        size_t np;
        rp_result_passages(direct, &np);
        CHECK(np >= 1);
        rp_result_free(direct);
        size_t la, lb;
        const char *ta = rp_doc_text(rp_index_match_doc(m, 0), &la);
        rp_doc_text(sd, &lb);
        CHECK(la == lb && memcmp(ta, src_text, la) == 0);
        CHECK_STR_EQ(rp_doc_name(rp_index_match_doc(m, 0)), "source");
    }
    /* Getters out of range. */
    CHECK(rp_index_match_id(m, 999, NULL) == NULL);
    CHECK(rp_index_match_doc(m, 999) == NULL);
    CHECK(rp_index_match_result(m, 999) == NULL);
    CHECK_EQ(rp_index_match_shared(m, 999), 0);
    rp_index_matches_free(m);

    /* Filters: a containment nothing reaches; top. */
    rp_index_query_opts qo;
    rp_index_query_opts_init(&qo);
    qo.min_containment = 0.999;
    CHECK_EQ(rp_index_query(idx, qd, &qo, &m, &err), RP_OK);
    CHECK_EQ(rp_index_matches_count(m), 0);
    rp_index_matches_free(m);
    qo.min_containment = 1.5;
    CHECK_EQ(rp_index_query(idx, qd, &qo, &m, &err), RP_ERR_PARAM);
    /* An unrelated document matches nothing. */
    words other = gen_words(20);
    for (size_t i = 0; i < other.n; i++)
        other.w[i] += 30000; /* outside the vocabulary of the index */
    char *o_text = render(&other);
    m = query_text(idx, o_text);
    CHECK_EQ(rp_index_matches_count(m), 0);
    rp_index_matches_free(m);
    /* The empty document and one without words. */
    m = query_text(idx, "");
    CHECK_EQ(rp_index_matches_count(m), 0);
    rp_index_matches_free(m);
    CHECK_EQ(add_text(idx, "empty", "", 0), RP_OK);
    CHECK_EQ(add_text(idx, "punct", " ... !! ", 0), RP_OK);
    CHECK_EQ(rp_index_commit(idx, NULL), RP_OK);
    rp_index_info info;
    CHECK_EQ(rp_index_stats(idx, &info, &err), RP_OK);
    CHECK_EQ(info.documents, 43);
    CHECK(info.fingerprints > 40 * 20);
    CHECK_EQ(info.band_keys, 41 * 21);
    CHECK(info.file_bytes > 0);

    rp_index_free(idx);
    rp_doc_free(sd);
    rp_doc_free(qd);
    for (int i = 0; i < 40; i++)
        free(texts[i]);
    free(src_text);
    free(q_text);
    free(o_text);
    words_free(&src);
    words_free(&rw);
    words_free(&other);
    teardown();
}

void test_index_duplicates(void)
{
    setup();
    rs = test_seed | 5;
    words a = gen_words(10), b = gen_words(10);
    char *ta = render(&a), *tb = render(&b);
    rp_index *idx = open_index(dbpath, 1, 0);
    rp_error err;
    rp_doc *d = mkdoc("a", ta);
    CHECK_EQ(rp_index_add(idx, "a", 1, d, NULL, 0, 0, &err), RP_OK);
    CHECK_EQ(rp_index_add(idx, "a", 1, d, NULL, 0, 0, &err), RP_ERR_PARAM);
    CHECK(strstr(err.msg, "'a'") != NULL && strstr(err.msg, "already") != NULL);
    CHECK_EQ(rp_index_pending(idx), 1); /* the batch stays open */
    rp_doc_free(d);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    /* Committed, then added again: still a duplicate. */
    CHECK_EQ(add_text(idx, "a", tb, 0), RP_ERR_PARAM);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    /* Replacing: the new text is found, the old one not. */
    CHECK_EQ(add_text(idx, "a", tb, RP_INDEX_REPLACE), RP_OK);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    rp_index_matches *m = query_text(idx, tb);
    CHECK(has_match(m, "a"));
    rp_index_matches_free(m);
    m = query_text(idx, ta);
    CHECK_EQ(rp_index_matches_count(m), 0);
    rp_index_matches_free(m);
    rp_index_info info;
    CHECK_EQ(rp_index_stats(idx, &info, &err), RP_OK);
    CHECK_EQ(info.documents, 1);
    CHECK_EQ(info.tombstones, 0); /* its segment was all tombstones: rewritten */
    /* Removing. */
    int removed = 0;
    CHECK_EQ(rp_index_remove(idx, "zz", 2, &removed, &err), RP_OK);
    CHECK_EQ(removed, 0);
    CHECK_EQ(rp_index_remove(idx, "a", 1, &removed, &err), RP_OK);
    CHECK_EQ(removed, 1);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    m = query_text(idx, tb);
    CHECK_EQ(rp_index_matches_count(m), 0);
    rp_index_matches_free(m);
    /* Added and removed in one batch; replaced twice in one batch. */
    CHECK_EQ(add_text(idx, "b", tb, 0), RP_OK);
    CHECK_EQ(rp_index_remove(idx, "b", 1, &removed, &err), RP_OK);
    CHECK_EQ(removed, 1);
    CHECK_EQ(add_text(idx, "c", ta, 0), RP_OK);
    CHECK_EQ(add_text(idx, "c", tb, RP_INDEX_REPLACE), RP_OK);
    CHECK_EQ(add_text(idx, "c", ta, RP_INDEX_REPLACE), RP_OK);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    m = query_text(idx, ta);
    CHECK_EQ(rp_index_matches_count(m), 1);
    CHECK(has_match(m, "c"));
    rp_index_matches_free(m);
    m = query_text(idx, tb);
    CHECK_EQ(rp_index_matches_count(m), 0);
    rp_index_matches_free(m);
    /* Ids are bytes: NUL inside, and long ones. */
    d = mkdoc("n", tb);
    CHECK_EQ(rp_index_add(idx, "x\0y", 3, d, NULL, 0, 0, &err), RP_OK);
    CHECK_EQ(rp_index_add(idx, "x\0z", 3, d, NULL, 0, RP_INDEX_REPLACE, &err), RP_OK);
    CHECK_EQ(rp_index_add(idx, "x\0y", 3, d, NULL, 0, 0, &err), RP_ERR_PARAM);
    char long_id[3000];
    memset(long_id, 'L', sizeof long_id);
    CHECK_EQ(rp_index_add(idx, long_id, sizeof long_id, d, NULL, 0, 0, &err), RP_OK);
    rp_doc_free(d);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    m = query_text(idx, tb);
    CHECK_EQ(rp_index_matches_count(m), 3);
    size_t len = 0;
    for (size_t i = 0; i < rp_index_matches_count(m); i++) {
        const char *id = rp_index_match_id(m, i, &len);
        CHECK((len == 3 && id[1] == '\0') || len == sizeof long_id);
    }
    rp_index_matches_free(m);
    rp_index_free(idx);
    free(ta);
    free(tb);
    words_free(&a);
    words_free(&b);
    teardown();
}

/* Adds, replacements and removes in random batches, then the same final
 * set added in its order to a new index: every query answers the same. */
void test_index_rebuild_equal(void)
{
    setup();
    rs = test_seed | 7;
    enum { N = 90, Q = 12 };
    words w[N];
    char *t[N], *t2[N];
    for (int i = 0; i < N; i++) {
        w[i] = gen_words(8 + rnd() % 10);
        t[i] = render(&w[i]);
        /* Some documents reprint earlier ones, so candidates compete. */
        if (i > 10 && rnd() % 3 == 0) {
            words r = rewrite(&w[rnd() % (size_t)i]);
            char *rt = render(&r);
            free(t[i]);
            t[i] = rt;
            words_free(&w[i]);
            w[i] = r;
        }
        words r2 = rewrite(&w[i]);
        t2[i] = render(&r2);
        words_free(&r2);
    }
    /* The final set, in the order of its last additions. */
    int order[2 * N], n_order = 0;
    const char *final_text[2 * N];
    bool live[N] = {false};
    rp_index *idx = open_index(dbpath, 1, 0);
    rp_error err;
    int next = 0;
    while (next < N) {
        size_t batch = 1 + rnd() % 6;
        for (size_t k = 0; k < batch && next < N; k++, next++) {
            char id[16];
            snprintf(id, sizeof id, "d%d", next);
            CHECK_EQ(add_text(idx, id, t[next], 0), RP_OK);
            live[next] = true;
            order[n_order] = next;
            final_text[n_order++] = t[next];
        }
        /* Remove or replace an earlier document now and then. */
        if (rnd() % 2 == 0) {
            int v = (int)(rnd() % (uint64_t)next);
            char id[16];
            snprintf(id, sizeof id, "d%d", v);
            for (int j = 0; j < n_order; j++)
                if (order[j] == v) order[j] = -1;
            if (rnd() % 3 == 0 && live[v]) {
                CHECK_EQ(add_text(idx, id, t2[v], RP_INDEX_REPLACE), RP_OK);
                order[n_order] = v;
                final_text[n_order++] = t2[v];
            } else {
                int removed = 0;
                CHECK_EQ(rp_index_remove(idx, id, strlen(id), &removed, &err), RP_OK);
                CHECK_EQ(removed, live[v] ? 1 : 0);
                live[v] = false;
            }
        }
        CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    }
    char path2[400];
    snprintf(path2, sizeof path2, "%s/rebuild.db", tmpdir);
    rp_index *fresh = open_index(path2, 1, 0);
    size_t live_n = 0;
    for (int j = 0; j < n_order; j++) {
        if (order[j] < 0) continue;
        char id[16];
        snprintf(id, sizeof id, "d%d", order[j]);
        CHECK_EQ(add_text(fresh, id, final_text[j], 0), RP_OK);
        live_n++;
    }
    CHECK_EQ(rp_index_commit(fresh, &err), RP_OK);
    rp_index_info a, b;
    CHECK_EQ(rp_index_stats(idx, &a, &err), RP_OK);
    CHECK_EQ(rp_index_stats(fresh, &b, &err), RP_OK);
    CHECK_EQ(a.documents, live_n);
    CHECK_EQ(b.documents, live_n);
    CHECK(a.segments > 1); /* the history left several segments */
    for (int q = 0; q < Q; q++) {
        int v = (int)(rnd() % N);
        words r = rewrite(&w[v]);
        char *qt = render(&r);
        rp_index_query_opts qo;
        rp_index_query_opts_init(&qo);
        qo.top = 0;
        qo.min_shared = 1;
        rp_doc *d = mkdoc("q", qt);
        rp_index_matches *mx = NULL, *my = NULL;
        CHECK_EQ(rp_index_query(idx, d, &qo, &mx, &err), RP_OK);
        CHECK_EQ(rp_index_query(fresh, d, &qo, &my, &err), RP_OK);
        check_same_matches(mx, my);
        rp_index_matches_free(mx);
        rp_index_matches_free(my);
        rp_doc_free(d);
        free(qt);
        words_free(&r);
    }
    rp_index_free(idx);
    rp_index_free(fresh);
    remove_db(path2);
    for (int i = 0; i < N; i++) {
        free(t[i]);
        free(t2[i]);
        words_free(&w[i]);
    }
    teardown();
}

/* A batch is seen by its own handle at once, by others after its commit. */
void test_index_batch_visibility(void)
{
    setup();
    rs = test_seed | 9;
    words a = gen_words(12), b = gen_words(12);
    char *ta = render(&a), *tb = render(&b);
    rp_index *w = open_index(dbpath, 1, 0);
    CHECK_EQ(add_text(w, "base", tb, 0), RP_OK);
    CHECK_EQ(rp_index_commit(w, NULL), RP_OK);
    rp_index *r = open_index(dbpath, 0, 1);
    rp_index_matches *m;
    CHECK_EQ(add_text(w, "x", ta, 0), RP_OK);
    m = query_text(w, ta);
    CHECK(has_match(m, "x"));
    rp_index_matches_free(m);
    m = query_text(r, ta);
    CHECK(!has_match(m, "x"));
    rp_index_matches_free(m);
    CHECK_EQ(rp_index_commit(w, NULL), RP_OK);
    m = query_text(r, ta);
    CHECK(has_match(m, "x"));
    rp_index_matches_free(m);
    /* A remove, the same way. */
    int removed;
    CHECK_EQ(rp_index_remove(w, "x", 1, &removed, NULL), RP_OK);
    m = query_text(w, ta);
    CHECK(!has_match(m, "x"));
    rp_index_matches_free(m);
    m = query_text(r, ta);
    CHECK(has_match(m, "x"));
    rp_index_matches_free(m);
    CHECK_EQ(rp_index_commit(w, NULL), RP_OK);
    m = query_text(r, ta);
    CHECK(!has_match(m, "x"));
    rp_index_matches_free(m);
    /* Removes after a query in the same batch are seen too. */
    CHECK_EQ(add_text(w, "x1", ta, 0), RP_OK);
    CHECK_EQ(add_text(w, "x2", ta, 0), RP_OK);
    CHECK_EQ(rp_index_commit(w, NULL), RP_OK);
    CHECK_EQ(rp_index_remove(w, "x1", 2, &removed, NULL), RP_OK);
    m = query_text(w, ta);
    CHECK(!has_match(m, "x1") && has_match(m, "x2"));
    rp_index_matches_free(m);
    CHECK_EQ(rp_index_remove(w, "x2", 2, &removed, NULL), RP_OK);
    m = query_text(w, ta);
    CHECK(!has_match(m, "x2"));
    rp_index_matches_free(m);
    rp_index_info info;
    CHECK_EQ(rp_index_stats(w, &info, NULL), RP_OK); /* and after stats */
    m = query_text(w, ta);
    CHECK(!has_match(m, "x2"));
    rp_index_matches_free(m);
    CHECK_EQ(rp_index_commit(w, NULL), RP_OK);
    /* Rolled back: gone for everyone. */
    CHECK_EQ(add_text(w, "y", ta, 0), RP_OK);
    CHECK_EQ(rp_index_remove(w, "base", 4, &removed, NULL), RP_OK);
    rp_index_rollback(w);
    CHECK_EQ(rp_index_pending(w), 0);
    m = query_text(w, ta);
    CHECK(!has_match(m, "y"));
    rp_index_matches_free(m);
    m = query_text(w, tb);
    CHECK(has_match(m, "base"));
    rp_index_matches_free(m);
    /* Freeing a handle with an open batch rolls it back. */
    CHECK_EQ(add_text(w, "z", ta, 0), RP_OK);
    rp_index_free(w);
    m = query_text(r, ta);
    CHECK(!has_match(m, "z"));
    rp_index_matches_free(m);
    rp_index_free(r);
    free(ta);
    free(tb);
    words_free(&a);
    words_free(&b);
    teardown();
}

/* ---- damaged and foreign files ------------------------------------------------ */

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL) return;
    if (n > 0) CHECK_EQ(fwrite(p, 1, n, f), n);
    fclose(f);
}

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)size + 1);
    *n = fread(p, 1, (size_t)size, f);
    fclose(f);
    return p;
}

/* Everything a user may do with a file: never a crash, only known codes. */
static void exercise(const char *path, const char *q_text)
{
    rp_index *idx = NULL;
    rp_error err;
    rp_status st = rp_index_open(path, NULL, &idx, &err);
    CHECK(st == RP_OK || st == RP_ERR_FORMAT || st == RP_ERR_IO || st == RP_ERR_MISMATCH);
    if (st != RP_OK) {
        CHECK_STR_EQ(err.path, path);
        CHECK(err.msg[0] != '\0');
        return;
    }
    rp_index_info info;
    st = rp_index_stats(idx, &info, &err);
    CHECK(st == RP_OK || st == RP_ERR_FORMAT || st == RP_ERR_IO);
    rp_doc *d = mkdoc("q", q_text);
    rp_index_matches *m = NULL;
    st = rp_index_query(idx, d, NULL, &m, &err);
    CHECK(st == RP_OK || st == RP_ERR_FORMAT || st == RP_ERR_IO);
    rp_index_matches_free(m);
    st = rp_index_add(idx, "new", 3, d, NULL, 0, RP_INDEX_REPLACE, &err);
    CHECK(st == RP_OK || st == RP_ERR_FORMAT || st == RP_ERR_IO || st == RP_ERR_PARAM);
    if (st == RP_OK) st = rp_index_commit(idx, &err);
    CHECK(st == RP_OK || st == RP_ERR_FORMAT || st == RP_ERR_IO || st == RP_ERR_PARAM);
    rp_doc_free(d);
    rp_index_free(idx);
}

static void sql(const char *path, const char *statement)
{
    sqlite3 *db = NULL;
    CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, statement, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stderr, "%s: %s\n", statement, msg);
    CHECK_EQ(rc, SQLITE_OK);
    sqlite3_free(msg);
    sqlite3_close(db);
}

static int first_segment(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int seg = 0;
    CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, "SELECT min(seg) FROM segment", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        seg = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK(seg > 0);
    return seg;
}

void test_index_bad_files(void)
{
    setup();
    rs = test_seed | 11;
    rp_index *idx = NULL;
    rp_error err;
    /* Missing, a directory, text, empty, another application's database. */
    CHECK_EQ(rp_index_open(dbpath, NULL, &idx, &err), RP_ERR_IO);
    CHECK_STR_EQ(err.path, dbpath);
    CHECK(err.sys_errno != 0);
    CHECK_EQ(rp_index_open(tmpdir, NULL, &idx, &err), RP_ERR_IO);
    write_file(dbpath, "hello, this is text\n", 20);
    CHECK_EQ(rp_index_open(dbpath, NULL, &idx, &err), RP_ERR_FORMAT);
    CHECK(strstr(err.msg, "not an SQLite database") != NULL);
    CHECK_STR_EQ(err.path, dbpath);
    rp_index_opts o;
    rp_index_opts_init(&o);
    o.create = 1;
    CHECK_EQ(rp_index_open(dbpath, &o, &idx, &err), RP_ERR_FORMAT); /* never overwritten */
    write_file(dbpath, "", 0);
    CHECK_EQ(rp_index_open(dbpath, NULL, &idx, &err), RP_ERR_FORMAT);
    CHECK(strstr(err.msg, "empty") != NULL);
    remove_db(dbpath);
    sql(dbpath, "CREATE TABLE t(x); INSERT INTO t VALUES(1)");
    CHECK_EQ(rp_index_open(dbpath, &o, &idx, &err), RP_ERR_FORMAT);
    CHECK(strstr(err.msg, "another application") != NULL);
    remove_db(dbpath);
    sql(dbpath, "PRAGMA application_id = 1380993368; CREATE TABLE t(x)");
    CHECK_EQ(rp_index_open(dbpath, NULL, &idx, &err), RP_ERR_FORMAT);
    CHECK(strstr(err.msg, "meta") != NULL);
    remove_db(dbpath);

    /* A small valid index, then damaged copies of it. */
    idx = open_index(dbpath, 1, 0);
    words ws[12];
    char *ts[12];
    for (int i = 0; i < 12; i++) {
        ws[i] = gen_words(10);
        ts[i] = render(&ws[i]);
        char id[8];
        snprintf(id, sizeof id, "d%d", i);
        CHECK_EQ(add_text(idx, id, ts[i], 0), RP_OK);
        if (i % 3 == 2) CHECK_EQ(rp_index_commit(idx, NULL), RP_OK);
    }
    rp_index_free(idx); /* the last connection checkpoints: all in the main file */
    char *q = ts[4];
    size_t size = 0;
    char *orig = read_all(dbpath, &size);
    CHECK(orig != NULL && size > 4096);
    char copy[400];
    snprintf(copy, sizeof copy, "%s/copy.db", tmpdir);
    /* Truncated at many lengths. */
    for (size_t cut = 0; orig != NULL && cut < size; cut += 1 + rnd() % 3000) {
        remove_db(copy);
        write_file(copy, orig, cut);
        exercise(copy, q);
    }
    /* Bytes changed at random places. */
    for (int trial = 0; orig != NULL && trial < 60; trial++) {
        char *bad = malloc(size);
        memcpy(bad, orig, size);
        int flips = 1 + (int)(rnd() % 20);
        for (int f = 0; f < flips; f++)
            bad[rnd() % size] ^= (char)(1 + rnd() % 255);
        remove_db(copy);
        write_file(copy, bad, size);
        exercise(copy, q);
        free(bad);
    }
    /* Valid SQLite, damaged content: posting blobs, texts, parameters. */
    remove_db(copy);
    write_file(copy, orig, size);
    char stmt[200];
    snprintf(stmt, sizeof stmt, "UPDATE postings_%d SET data = randomblob(length(data))",
             first_segment(copy));
    sql(copy, stmt);
    exercise(copy, q);
    snprintf(stmt, sizeof stmt, "UPDATE postings_%d SET data = x'ffffffffffffffffffffffff'",
             first_segment(copy));
    sql(copy, stmt);
    exercise(copy, q);
    remove_db(copy);
    write_file(copy, orig, size);
    sql(copy, "UPDATE document SET text_zstd = randomblob(40)");
    rp_index *c = open_index(copy, 0, 0);
    rp_doc *d = mkdoc("q", q);
    rp_index_matches *m = NULL;
    CHECK_EQ(rp_index_query(c, d, NULL, &m, &err), RP_ERR_FORMAT);
    CHECK(strstr(err.msg, "damaged") != NULL);
    rp_index_free(c);
    rp_doc_free(d);
    remove_db(copy);
    write_file(copy, orig, size);
    sql(copy, "UPDATE segment SET fp_bits = 40");
    exercise(copy, q);
    remove_db(copy);
    write_file(copy, orig, size);
    sql(copy, "UPDATE meta SET value = '99' WHERE key = 'tokenizer_version'");
    CHECK_EQ(rp_index_open(copy, NULL, &idx, &err), RP_ERR_MISMATCH);
    CHECK(strstr(err.msg, "tokenizer version 99") != NULL);
    sql(copy, "UPDATE meta SET value = '2' WHERE key = 'format_version'");
    CHECK_EQ(rp_index_open(copy, NULL, &idx, &err), RP_ERR_FORMAT);
    sql(copy, "UPDATE meta SET value = 'abc' WHERE key = 'ngram'");
    CHECK_EQ(rp_index_open(copy, NULL, &idx, &err), RP_ERR_FORMAT);
    sql(copy, "DELETE FROM meta WHERE key = 'window'");
    CHECK_EQ(rp_index_open(copy, NULL, &idx, &err), RP_ERR_FORMAT);
    remove_db(copy);
    free(orig);
    for (int i = 0; i < 12; i++) {
        free(ts[i]);
        words_free(&ws[i]);
    }
    teardown();
}

/* The stored signature is rp_sketcher's; near duplicates share a band. */
void test_index_sketches(void)
{
    setup();
    rs = test_seed | 13;
    words a = gen_words(30), c = gen_words(30);
    char *ta = render(&a), *tc = render(&c);
    words b = a;
    b.w = malloc(a.n * sizeof *b.w);
    memcpy(b.w, a.w, a.n * sizeof *b.w);
    b.w[a.n / 2] = 19999; /* one word changed: Jaccard about 0.98 */
    char *tb = render(&b);
    free(b.w);
    rp_index *idx = open_index(dbpath, 1, 0);
    CHECK_EQ(add_text(idx, "a", ta, 0), RP_OK);
    CHECK_EQ(add_text(idx, "c", tc, 0), RP_OK);
    CHECK_EQ(rp_index_commit(idx, NULL), RP_OK);
    const rp_index_params *p = rp_index_get_params(idx);
    uint32_t sig_a[128], sig_b[128];
    rp_sketcher *sk = NULL;
    CHECK_EQ(rp_sketcher_new(NULL, &sk, NULL), RP_OK);
    CHECK_EQ(rp_sketcher_sketch(sk, ta, strlen(ta), sig_a, NULL, NULL), RP_OK);
    CHECK_EQ(rp_sketcher_sketch(sk, tb, strlen(tb), sig_b, NULL, NULL), RP_OK);
    rp_sketcher_free(sk);
    /* The signature row of "a", little-endian. */
    sqlite3 *db = NULL;
    CHECK_EQ(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK_EQ(sqlite3_prepare_v2(db,
                                "SELECT signature FROM sketch JOIN document USING (doc)"
                                " WHERE id = 'a'",
                                -1, &st, NULL),
             SQLITE_OK);
    CHECK_EQ(sqlite3_step(st), SQLITE_ROW);
    const uint8_t *blob = sqlite3_column_blob(st, 0);
    CHECK_EQ(sqlite3_column_bytes(st, 0), 512);
    for (int i = 0; blob != NULL && i < 128; i++) {
        uint32_t v = blob[4 * i] | (uint32_t)blob[4 * i + 1] << 8 |
                     (uint32_t)blob[4 * i + 2] << 16 | (uint32_t)blob[4 * i + 3] << 24;
        CHECK_EQ(v, sig_a[i]);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* The band keys of the near duplicate find "a" (rowid 1), never "c". */
    CHECK_EQ(rp__index_exec(idx, "BEGIN", NULL), RP_OK);
    CHECK_EQ(rp__index_refresh(idx, NULL), RP_OK);
    CHECK_EQ(idx->n_segs, 1);
    rp__lookup l = {0};
    int found_a = 0, found_c = 0;
    for (size_t band = 0; band < p->lsh_bands && idx->n_segs == 1; band++) {
        uint64_t key = rp__band_key(sig_b, band, p->lsh_rows);
        CHECK_EQ(rp__segment_lookup(idx, &idx->segs[0], RP__KIND_BAND, key, true, &l, NULL), RP_OK);
        for (size_t i = 0; i < l.n; i++) {
            found_a += l.docs[i] == 1;
            found_c += l.docs[i] == 2;
        }
        key = rp__band_key(sig_a, band, p->lsh_rows);
        CHECK_EQ(rp__segment_lookup(idx, &idx->segs[0], RP__KIND_BAND, key, true, &l, NULL), RP_OK);
        CHECK(l.n == 1 && l.docs[0] == 1); /* every band of "a" itself */
    }
    CHECK(found_a >= 1);
    CHECK_EQ(found_c, 0);
    rp__lookup_free(&l);
    CHECK_EQ(rp__index_exec(idx, "COMMIT", NULL), RP_OK);
    rp_index_free(idx);
    free(ta);
    free(tb);
    free(tc);
    words_free(&a);
    words_free(&c);
    teardown();
}

/* Many small batches merge into few segments; long posting lists (a
 * fingerprint in many documents) and max_df; removals compact. */
void test_index_segments(void)
{
    setup();
    rs = test_seed | 17;
    rp_index *idx = open_index(dbpath, 1, 0);
    words common = gen_words(2); /* boilerplate in every document */
    char *boiler = render(&common);
    enum { N = 150 };
    char *ts[N];
    size_t expect_fp = 0;
    rp__fingerprints f = {0};
    for (int i = 0; i < N; i++) {
        words w = gen_words(6);
        char *body = render(&w);
        text t = {0};
        test_put(&t, body, strlen(body));
        test_put(&t, boiler, strlen(boiler));
        ts[i] = t.s;
        free(body);
        words_free(&w);
        char id[8];
        snprintf(id, sizeof id, "d%d", i);
        CHECK_EQ(add_text(idx, id, ts[i], 0), RP_OK);
        if (i % 3 == 2) CHECK_EQ(rp_index_commit(idx, NULL), RP_OK);
        /* Distinct fingerprints of the document, counted directly. */
        rp_doc *d = mkdoc(id, ts[i]);
        size_t nt;
        const rp_token *tok = rp_doc_tokens(d, &nt);
        CHECK_EQ(rp__winnow(tok, nt, 5, 8, &f), RP_OK);
        for (size_t a = 0; a < f.n; a++) {
            bool dup = false;
            for (size_t b = 0; b < a && !dup; b++)
                dup = f.fp[b].hash == f.fp[a].hash;
            expect_fp += !dup;
        }
        rp_doc_free(d);
    }
    rp__fingerprints_free(&f);
    rp_index_info info;
    CHECK_EQ(rp_index_stats(idx, &info, NULL), RP_OK);
    CHECK_EQ(info.documents, N);
    CHECK_EQ(info.fingerprints, expect_fp);
    CHECK(info.segments <= 6); /* 50 batches: 302 in base 4 */
    /* The boilerplate's fingerprints are in every document: with max_df
     * below that they are ignored, so only the body can match. */
    rp_index_query_opts qo;
    rp_index_query_opts_init(&qo);
    rp_doc *d = mkdoc("q", ts[0]);
    rp_index_matches *m = NULL;
    CHECK_EQ(rp_index_query(idx, d, &qo, &m, NULL), RP_OK);
    CHECK(has_match(m, "d0"));
    CHECK(rp_index_matches_count(m) > 5); /* the boilerplate matches too */
    rp_index_matches_free(m);
    qo.max_df = 100;
    CHECK_EQ(rp_index_query(idx, d, &qo, &m, NULL), RP_OK);
    CHECK_EQ(rp_index_matches_count(m), 1);
    CHECK(has_match(m, "d0"));
    rp_index_matches_free(m);
    rp_doc_free(d);
    /* Remove most documents: tombstones are dropped by compaction. */
    for (int i = 0; i < N; i++) {
        if (i % 10 == 0) continue;
        char id[8];
        snprintf(id, sizeof id, "d%d", i);
        int removed = 0;
        CHECK_EQ(rp_index_remove(idx, id, strlen(id), &removed, NULL), RP_OK);
        CHECK_EQ(removed, 1);
    }
    CHECK_EQ(rp_index_commit(idx, NULL), RP_OK);
    CHECK_EQ(rp_index_stats(idx, &info, NULL), RP_OK);
    CHECK_EQ(info.documents, N / 10);
    CHECK_EQ(info.tombstones, 0);
    d = mkdoc("q", ts[10]);
    qo.max_df = 0;
    qo.top = 0;
    CHECK_EQ(rp_index_query(idx, d, &qo, &m, NULL), RP_OK);
    CHECK_EQ(rp_index_matches_count(m), N / 10);
    rp_index_matches_free(m);
    rp_doc_free(d);
    rp_index_free(idx);
    for (int i = 0; i < N; i++)
        free(ts[i]);
    free(boiler);
    words_free(&common);
    teardown();
}

/* Every allocation of the library failing in turn: add, commit (with a
 * merge), query and stats report RP_ERR_NOMEM and free everything. */
void test_index_fault_injection(void)
{
    setup();
    rs = test_seed | 19;
    char *ts[6];
    for (int i = 0; i < 6; i++) {
        words w = gen_words(8);
        ts[i] = render(&w);
        words_free(&w);
    }
    int failures = 0;
    for (size_t k = 1; k < 200000; k += 1 + k / 40) {
        remove_db(dbpath);
        rp__alloc_fail_after(k);
        rp_index_opts o;
        rp_index_opts_init(&o);
        o.create = 1;
        rp_index *idx = NULL;
        rp_doc *d = NULL;
        rp_index_matches *m = NULL;
        rp_index_info info;
        size_t committed = 0; /* what rp_index_committed() says went in */
        rp_status st = rp_index_open(dbpath, &o, &idx, NULL);
        for (int i = 0; i < 6 && st == RP_OK; i++) {
            char id[8];
            snprintf(id, sizeof id, "d%d", i);
            st = rp_doc_new(id, ts[i], strlen(ts[i]), NULL, &d, NULL);
            if (st == RP_OK) st = rp_index_add(idx, id, strlen(id), d, NULL, 0, 0, NULL);
            rp_doc_free(d);
            d = NULL;
            if (st == RP_OK) {
                st = rp_index_commit(idx, NULL); /* merges after the 4th */
                committed += rp_index_committed(idx);
            }
        }
        if (st == RP_OK) st = rp_doc_new("q", ts[2], strlen(ts[2]), NULL, &d, NULL);
        if (st == RP_OK) st = rp_index_query(idx, d, NULL, &m, NULL);
        if (st == RP_OK) st = rp_index_stats(idx, &info, NULL);
        size_t made = rp__alloc_fail_after(0);
        if (st == RP_OK) {
            CHECK(has_match(m, "d2"));
            CHECK_EQ(info.documents, 6);
        }
        rp_index_matches_free(m);
        rp_doc_free(d);
        rp_index_free(idx);
        if (st != RP_OK) { /* the index holds exactly what was reported committed */
            rp_index_opts ro;
            rp_index_opts_init(&ro);
            ro.readonly = 1;
            rp_index *again = NULL;
            if (rp_index_open(dbpath, &ro, &again, NULL) == RP_OK &&
                rp_index_stats(again, &info, NULL) == RP_OK)
                CHECK_EQ(info.documents, committed);
            rp_index_free(again);
        }
        if (st == RP_OK) {
            CHECK(made < k);
            break;
        }
        CHECK_EQ(st, RP_ERR_NOMEM);
        failures++;
    }
    CHECK(failures > 20);
    for (int i = 0; i < 6; i++)
        free(ts[i]);
    teardown();
}

/* Lookup by id: text and meta as stored, absent ids, removed documents,
 * and the handle's own open batch. */
void test_index_get(void)
{
    setup();
    rp_index *idx = open_index(dbpath, 1, 0);
    rp_error err;
    const char *ta = "The harbour board voted on Thursday to rebuild the north pier.";
    const char *meta = "{\"headline\":\"Pier \\\"rebuilt\\\"\"}";
    rp_doc *d = mkdoc("a", ta);
    CHECK_EQ(rp_index_add(idx, "a", 1, d, meta, strlen(meta), 0, &err), RP_OK);
    rp_doc_free(d);
    d = mkdoc("x", "Rain is expected across the north on Friday.");
    CHECK_EQ(rp_index_add(idx, "x\0y", 3, d, NULL, 0, 0, &err), RP_OK);
    rp_doc_free(d);
    int found = -1;
    char *got = NULL, *m = NULL;
    size_t tlen = 0, mlen = 99;
    /* Visible in the open batch of this handle. */
    CHECK_EQ(rp_index_get(idx, "a", 1, &found, &got, &tlen, &m, &mlen, &err), RP_OK);
    CHECK_EQ(found, 1);
    CHECK_EQ(tlen, strlen(ta));
    CHECK_STR_EQ(got, ta);
    CHECK_EQ(mlen, strlen(meta));
    CHECK_STR_EQ(m, meta);
    rp_free(got);
    rp_free(m);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    rp_index *ro = open_index(dbpath, 0, 1);
    /* No meta: NULL and 0; the id is bytes (NUL inside, "x" alone is another id). */
    CHECK_EQ(rp_index_get(ro, "x\0y", 3, &found, &got, &tlen, &m, &mlen, &err), RP_OK);
    CHECK_EQ(found, 1);
    CHECK(m == NULL && mlen == 0);
    CHECK(got != NULL && strncmp(got, "Rain", 4) == 0);
    rp_free(got);
    CHECK_EQ(rp_index_get(ro, "x", 1, &found, NULL, NULL, NULL, NULL, &err), RP_OK);
    CHECK_EQ(found, 0);
    CHECK_EQ(rp_index_get(ro, "zz", 2, &found, &got, &tlen, &m, &mlen, &err), RP_OK);
    CHECK(found == 0 && got == NULL && m == NULL);
    int removed = 0;
    CHECK_EQ(rp_index_remove(idx, "a", 1, &removed, &err), RP_OK);
    CHECK_EQ(rp_index_commit(idx, &err), RP_OK);
    CHECK_EQ(rp_index_get(ro, "a", 1, &found, &got, &tlen, NULL, NULL, &err), RP_OK);
    CHECK_EQ(found, 0);
    CHECK_EQ(rp_index_get(ro, NULL, 0, &found, NULL, NULL, NULL, NULL, &err), RP_ERR_PARAM);
    rp_index_free(ro);
    rp_index_free(idx);
    teardown();
}
