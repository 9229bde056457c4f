/* test_compare.c - the aligner and scores, on synthetic texts with known
 * reuse: identical, unrelated, empty, edited every few words, reordered
 * paragraphs, CJK, and seeded random pairs checked for the output
 * invariants; plus allocation fault injection over the whole path. */
#include "align/align.h"
#include "test.h"

#include <stdlib.h>

/* ---- a small seeded generator of prose-like text ------------------------ */

typedef test_buf buf;

static uint64_t rs;
static uint64_t rnd(void)
{
    return test_rand(&rs);
}

/* A word from a Zipf-like vocabulary; vocab selects disjoint vocabularies. */
static void word(buf *b, int vocab)
{
    test_word(b, test_zipf(&rs), vocab);
}

static void sentence(buf *b, int vocab)
{
    size_t len = 8 + rnd() % 14;
    for (size_t i = 0; i < len; i++) {
        if (i) test_puts(b, " ");
        word(b, vocab);
    }
    test_puts(b, ". ");
}

static char *paragraph(int vocab, size_t sentences)
{
    buf b = {0};
    for (size_t i = 0; i < sentences; i++)
        sentence(&b, vocab);
    test_puts(&b, "\n\n");
    return b.s;
}

static rp_doc *mk(const char *name, const char *s, size_t n)
{
    rp_doc *d = NULL;
    rp_status st = rp_doc_new(name, s, n, NULL, &d, NULL);
    CHECK_EQ(st, RP_OK);
    return d;
}

static rp_result *cmp(const rp_doc *a, const rp_doc *b)
{
    rp_result *r = NULL;
    rp_status st = rp_compare(a, b, NULL, &r, NULL);
    CHECK_EQ(st, RP_OK);
    return r;
}

/* Invariants every result must satisfy. */
static void check_invariants(const rp_doc *a, const rp_doc *b, const rp_result *r)
{
    size_t np, la, lb, na, nb;
    const rp_passage *p = rp_result_passages(r, &np);
    rp_doc_text(a, &la);
    rp_doc_text(b, &lb);
    const rp_token *ta = rp_doc_tokens(a, &na), *tb = rp_doc_tokens(b, &nb);
    size_t cov_a = 0, cov_b = 0;
    for (size_t i = 0; i < np; i++) {
        CHECK(p[i].a_start < p[i].a_end && p[i].a_end <= la);
        CHECK(p[i].b_start < p[i].b_end && p[i].b_end <= lb);
        CHECK(p[i].a_tok < p[i].a_tok_end && p[i].a_tok_end <= na);
        CHECK(p[i].b_tok < p[i].b_tok_end && p[i].b_tok_end <= nb);
        if (test_failed) return;
        CHECK(p[i].a_start <= ta[p[i].a_tok].start && p[i].a_end >= ta[p[i].a_tok_end - 1].end);
        CHECK(p[i].b_start <= tb[p[i].b_tok].start && p[i].b_end >= tb[p[i].b_tok_end - 1].end);
        CHECK(p[i].tokens >= 8); /* the default min_words */
        CHECK(p[i].similarity > 0 && p[i].similarity <= 1);
        if (i > 0) CHECK(p[i - 1].a_start <= p[i].a_start);
        for (size_t j = 0; j < i; j++) {
            CHECK(p[j].a_tok_end <= p[i].a_tok || p[i].a_tok_end <= p[j].a_tok);
            CHECK(p[j].b_tok_end <= p[i].b_tok || p[i].b_tok_end <= p[j].b_tok);
        }
        size_t ne;
        const rp_edit *e = rp_result_edits(r, i, &ne);
        CHECK(ne > 0);
        if (ne > 0) {
            CHECK_EQ(e[0].a_tok, p[i].a_tok);
            CHECK_EQ(e[ne - 1].b_tok_end, p[i].b_tok_end);
            CHECK_EQ(e[0].op, RP_EDIT_EQUAL);
            CHECK_EQ(e[ne - 1].op, RP_EDIT_EQUAL);
        }
        cov_a += p[i].a_tok_end - p[i].a_tok;
        cov_b += p[i].b_tok_end - p[i].b_tok;
    }
    CHECK_NEAR(rp_result_containment_a(r), na ? (double)cov_a / (double)na : 0, 1e-9);
    CHECK_NEAR(rp_result_containment_b(r), nb ? (double)cov_b / (double)nb : 0, 1e-9);
    double j = rp_result_jaccard(r);
    CHECK(j >= 0 && j <= 1);
}

void test_compare_identical(void)
{
    rs = test_seed | 1;
    char *t = paragraph(0, 30);
    rp_doc *a = mk("a", t, strlen(t)), *b = mk("b", t, strlen(t));
    rp_result *r = cmp(a, b);
    size_t np, n;
    const rp_passage *p = rp_result_passages(r, &np);
    rp_doc_tokens(a, &n);
    CHECK_EQ(np, 1);
    if (np == 1) {
        CHECK_EQ(p[0].a_tok, 0);
        CHECK_EQ(p[0].a_tok_end, n);
        CHECK_EQ(p[0].tokens, n);
        CHECK_NEAR(p[0].similarity, 1.0, 1e-12);
        CHECK_EQ(p[0].a_start, 0);
        CHECK_EQ(p[0].b_start, 0);
    }
    CHECK_NEAR(rp_result_containment_a(r), 1.0, 1e-12);
    CHECK_NEAR(rp_result_jaccard(r), 1.0, 1e-12);
    CHECK_EQ(rp_result_verdict(r), RP_VERDICT_WHOLLY_DERIVED);
    check_invariants(a, b, r);
    rp_result_free(r);
    rp_doc_free(a);
    rp_doc_free(b);
    free(t);
}

void test_compare_unrelated(void)
{
    for (int round = 0; round < 5; round++) {
        rs = (test_seed + (uint64_t)round) | 1;
        /* Two texts from the same vocabulary but written independently. */
        char *x = paragraph(0, 40), *y = paragraph(0, 40);
        rp_doc *a = mk("a", x, strlen(x)), *b = mk("b", y, strlen(y));
        rp_result *r = cmp(a, b);
        size_t np;
        rp_result_passages(r, &np);
        CHECK_EQ(np, 0);
        CHECK_EQ(rp_result_verdict(r), RP_VERDICT_NON_DERIVED);
        check_invariants(a, b, r);
        rp_result_free(r);
        rp_doc_free(a);
        rp_doc_free(b);
        free(x);
        free(y);
    }
}

void test_compare_empty(void)
{
    const char *texts[] = {"", " ...\n\n !! ", "Some words that are here but only on one side."};
    for (size_t i = 0; i < 3; i++) {
        for (size_t j = 0; j < 3; j++) {
            rp_doc *a = mk("a", texts[i], strlen(texts[i]));
            rp_doc *b = mk("b", texts[j], strlen(texts[j]));
            rp_result *r = cmp(a, b);
            size_t np;
            rp_result_passages(r, &np);
            if (i == 2 && j == 2) {
                CHECK_EQ(np, 1);
                CHECK_NEAR(rp_result_jaccard(r), 1.0, 1e-12);
            } else {
                CHECK_EQ(np, 0);
                CHECK_NEAR(rp_result_jaccard(r), 0.0, 1e-12);
                CHECK_NEAR(rp_result_containment_a(r), 0.0, 1e-12);
            }
            check_invariants(a, b, r);
            rp_result_free(r);
            rp_doc_free(a);
            rp_doc_free(b);
        }
    }
}

/* B = unrelated + A edited every ~5 words + unrelated. The passage must
 * cover the edited copy on both sides and nothing of the unrelated text. */
void test_compare_edits(void)
{
    rs = (test_seed * 3) | 1;
    char *src = paragraph(0, 12);
    char *pre = paragraph(1, 6), *post = paragraph(2, 6);
    buf b = {0};
    test_puts(&b, pre);
    size_t copy_start = b.n;
    /* Copy src word by word, editing every 4th-6th word. */
    const char *s = src;
    size_t since = 0, next_edit = 4 + rnd() % 3;
    while (*s) {
        size_t ws = strcspn(s, " \n");
        if (++since == next_edit && ws > 0) {
            since = 0;
            next_edit = 4 + rnd() % 3;
            switch (rnd() % 3) {
            case 0:
                test_put(&b, s, ws);
                test_puts(&b, " Mr");
                break;                              /* insert */
            case 1: test_puts(&b, "zzedit"); break; /* substitute */
            default: break;                         /* delete */
            }
        } else {
            test_put(&b, s, ws);
        }
        s += ws;
        size_t sp = strspn(s, " \n");
        test_put(&b, s, sp);
        s += sp;
    }
    size_t copy_end = b.n;
    test_puts(&b, post);
    rp_doc *a = mk("a", src, strlen(src)), *d = mk("b", b.s, b.n);
    rp_result *r = cmp(a, d);
    size_t np;
    const rp_passage *p = rp_result_passages(r, &np);
    CHECK_EQ(np, 1);
    if (np == 1) {
        /* Within a few words of the true copy on B, most of A. */
        CHECK(p[0].b_start + 2 >= copy_start && p[0].b_start <= copy_start + 40);
        CHECK(p[0].b_end <= copy_end + 2 && p[0].b_end + 40 >= copy_end);
        CHECK(p[0].a_start <= 40);
        CHECK(p[0].a_end + 40 >= strlen(src) - 3);
        CHECK(p[0].similarity > 0.6);
    }
    CHECK_EQ(rp_result_verdict(r), RP_VERDICT_PARTIALLY_DERIVED);
    check_invariants(a, d, r);
    rp_result_free(r);
    rp_doc_free(a);
    rp_doc_free(d);
    free(src);
    free(pre);
    free(post);
    free(b.s);
}

/* Paragraphs of A appear in B in another order, with other text between:
 * each is found as its own passage, mapped to the right place. */
void test_compare_reordered(void)
{
    rs = (test_seed * 7) | 1;
    enum { NP = 6 };
    char *para[NP];
    buf a = {0}, b = {0};
    size_t a_off[NP], b_off[NP];
    for (int i = 0; i < NP; i++) {
        para[i] = paragraph(0, 3);
        a_off[i] = a.n;
        test_puts(&a, para[i]);
    }
    const int order[NP] = {3, 0, 5, 1, 4, 2};
    for (int k = 0; k < NP; k++) {
        char *filler = paragraph(1 + k % 2, 2);
        test_puts(&b, filler);
        free(filler);
        b_off[order[k]] = b.n;
        test_puts(&b, para[order[k]]);
    }
    rp_doc *da = mk("a", a.s, a.n), *db = mk("b", b.s, b.n);
    rp_result *r = cmp(da, db);
    size_t np;
    const rp_passage *p = rp_result_passages(r, &np);
    CHECK_EQ(np, NP);
    for (size_t i = 0; i < np && np == NP; i++) {
        CHECK_EQ(p[i].a_start, a_off[i]);
        CHECK_EQ(p[i].b_start, b_off[i]);
        CHECK_NEAR(p[i].similarity, 1.0, 1e-12);
    }
    check_invariants(da, db, r);
    rp_result_free(r);
    rp_doc_free(da);
    rp_doc_free(db);
    for (int i = 0; i < NP; i++)
        free(para[i]);
    free(a.s);
    free(b.s);
}

/* Documents made of one paragraph repeated: every word and n-gram is
 * frequent, yet the reuse is found and aligned word for word. */
void test_compare_repetitive(void)
{
    const char *para = "The harbour authority approved a trial of night ferries to the "
                       "island on Tuesday, ending a dispute with residents.\n\n";
    buf a = {0}, b = {0};
    for (int i = 0; i < 300; i++)
        test_puts(&a, para);
    for (int i = 0; i < 200; i++)
        test_puts(&b, i % 2 ? para
                            : "The harbour authority approved a trial of night ferries to the "
                              "island on Monday, ending a dispute with residents.\n\n");
    rp_doc *da = mk("a", a.s, a.n), *db = mk("b", b.s, b.n);
    rp_result *r = cmp(da, db);
    size_t np, nb;
    const rp_passage *p = rp_result_passages(r, &np);
    rp_doc_tokens(db, &nb);
    CHECK(np >= 1);
    CHECK(rp_result_containment_b(r) > 0.99);
    if (np >= 1) CHECK(p[0].similarity > 0.95);
    check_invariants(da, db, r);
    rp_result_free(r);
    rp_doc_free(da);
    rp_doc_free(db);
    free(a.s);
    free(b.s);
}

/* Case, quote style, apostrophes, dashes and line wrapping change nothing:
 * the rewrapped copy is one passage of similarity 1 covering both texts. */
void test_compare_surface_changes(void)
{
    const char *a = "\"It's a trial, not a promise,\" authority chair Miriam Okafor told "
                    "reporters - but the night service will run until September at least.";
    const char *b = "\xE2\x80\x9CIT\xE2\x80\x99S A TRIAL, not a\npromise,\xE2\x80\x9D "
                    "authority chair\r\nMiriam Okafor told reporters \xE2\x80\x94 but the "
                    "night\n\nservice will run until September at least!";
    rp_doc *da = mk("a", a, strlen(a)), *db = mk("b", b, strlen(b));
    rp_result *r = cmp(da, db);
    size_t np;
    const rp_passage *p = rp_result_passages(r, &np);
    CHECK_EQ(np, 1);
    if (np == 1) {
        CHECK_NEAR(p[0].similarity, 1.0, 1e-12);
        CHECK_EQ(p[0].a_start, 0);
        CHECK_EQ(p[0].a_end, strlen(a));
        CHECK_EQ(p[0].b_start, 0);
        CHECK_EQ(p[0].b_end, strlen(b));
    }
    CHECK_NEAR(rp_result_jaccard(r), 1.0, 1e-12);
    rp_result_free(r);
    rp_doc_free(da);
    rp_doc_free(db);
}

void test_compare_min_words(void)
{
    const char *x = "Alpha beta gamma delta. One two three four five six seven. Omega psi chi.";
    const char *y = "Red green blue. One two three four five six seven. Black white grey.";
    rp_doc *a = mk("a", x, strlen(x)), *b = mk("b", y, strlen(y));
    rp_compare_opts o;
    rp_compare_opts_init(&o);
    CHECK_EQ(o.min_words, 8);
    rp_result *r = NULL;
    CHECK_EQ(rp_compare(a, b, &o, &r, NULL), RP_OK);
    size_t np;
    rp_result_passages(r, &np);
    CHECK_EQ(np, 0); /* seven shared words: below the default */
    rp_result_free(r);
    o.min_words = 6;
    CHECK_EQ(rp_compare(a, b, &o, &r, NULL), RP_OK);
    const rp_passage *p = rp_result_passages(r, &np);
    CHECK_EQ(np, 1);
    if (np == 1) {
        CHECK_EQ(p[0].a_start, 24);
        CHECK_EQ(p[0].a_end, 58); /* includes the full stop */
        CHECK_EQ(p[0].tokens, 7);
    }
    rp_result_free(r);
    rp_doc_free(a);
    rp_doc_free(b);
}

void test_compare_cjk(void)
{
    /* A Chinese sentence reused inside other Chinese text: one token per
     * character lets the aligner find it. */
    const char *src = "\xE4\xBB\x8A\xE5\xA4\xA9\xE5\xA4\xA9\xE6\xB0\x94\xE5\xBE\x88\xE5\xA5\xBD"
                      "\xEF\xBC\x8C\xE6\x88\x91\xE4\xBB\xAC\xE5\x8E\xBB\xE5\x85\xAC\xE5\x9B\xAD"
                      "\xE6\x95\xA3\xE6\xAD\xA5\xE5\x90\xA7\xE3\x80\x82";
    buf b = {0};
    test_puts(&b, "\xE4\xB8\x80\xE4\xBA\x8C\xE4\xB8\x89\xE3\x80\x82");
    size_t off = b.n;
    test_puts(&b, src);
    test_puts(&b, "\xE5\x9B\x9B\xE4\xBA\x94\xE5\x85\xAD\xE3\x80\x82");
    rp_doc *a = mk("a", src, strlen(src)), *d = mk("b", b.s, b.n);
    rp_result *r = cmp(a, d);
    size_t np;
    const rp_passage *p = rp_result_passages(r, &np);
    CHECK_EQ(np, 1);
    if (np == 1) {
        CHECK_EQ(p[0].b_start, off);
        CHECK_EQ(p[0].b_end, off + strlen(src));
        CHECK_EQ(p[0].tokens, 14);
    }
    rp_result_free(r);
    rp_doc_free(a);
    rp_doc_free(d);
    free(b.s);
}

void test_compare_params(void)
{
    rp_doc *a = mk("a", "x y z", 5), *b = NULL;
    rp_text_opts to;
    rp_text_opts_init(&to);
    to.seed = 7;
    CHECK_EQ(rp_doc_new("b", "x y z", 5, &to, &b, NULL), RP_OK);
    rp_result *r = (rp_result *)1;
    rp_error err;
    CHECK_EQ(rp_compare(a, b, NULL, &r, &err), RP_ERR_MISMATCH);
    CHECK(r == NULL);
    CHECK(strstr(err.msg, "seed") != NULL);
    rp_compare_opts o;
    rp_compare_opts_init(&o);
    o.min_words = 0;
    CHECK_EQ(rp_compare(a, a, &o, &r, &err), RP_ERR_PARAM);
    CHECK(strstr(err.msg, "min_words") != NULL);
    rp_compare_opts_init(&o);
    o.jaccard_ngram = 0;
    CHECK_EQ(rp_compare(a, a, &o, &r, &err), RP_ERR_PARAM);
    rp_compare_opts_init(&o);
    o.partially_threshold = 0.9;
    o.wholly_threshold = 0.5;
    CHECK_EQ(rp_compare(a, a, &o, &r, &err), RP_ERR_PARAM);
    CHECK_EQ(rp_compare(a, a, NULL, NULL, &err), RP_ERR_PARAM);
    rp_result_free(NULL);
    rp_doc_free(a);
    rp_doc_free(b);
}

/* Random pairs built from shared and own paragraphs with light edits: the
 * invariants hold, and comparing twice gives the same result. */
void test_compare_offsets_random(void)
{
    for (int round = 0; round < 20; round++) {
        rs = (test_seed * 31 + (uint64_t)round) | 1;
        buf a = {0}, b = {0};
        size_t n = 2 + rnd() % 6;
        for (size_t i = 0; i < n; i++) {
            char *p = paragraph((int)(rnd() % 2), 1 + rnd() % 4);
            switch (rnd() % 3) {
            case 0:
                test_puts(&a, p);
                test_puts(&b, p);
                break;
            case 1: test_puts(&a, p); break;
            default: test_puts(&b, p); break;
            }
            free(p);
        }
        rp_doc *da = mk("a", a.s ? a.s : "", a.n), *db = mk("b", b.s ? b.s : "", b.n);
        rp_result *r1 = cmp(da, db), *r2 = cmp(da, db);
        check_invariants(da, db, r1);
        size_t n1, n2;
        const rp_passage *p1 = rp_result_passages(r1, &n1), *p2 = rp_result_passages(r2, &n2);
        CHECK_EQ(n1, n2);
        if (n1 == n2 && n1 > 0) CHECK_MEM_EQ(p1, p2, n1 * sizeof *p1);
        rp_result_free(r1);
        rp_result_free(r2);
        rp_doc_free(da);
        rp_doc_free(db);
        free(a.s);
        free(b.s);
        if (test_failed) {
            fprintf(stderr, "round %d\n", round);
            break;
        }
    }
}

void test_jaccard_exact(void)
{
    rp_token a[6], b[6];
    for (int i = 0; i < 6; i++)
        a[i].hash = b[i].hash = (uint64_t)i + 1;
    b[5].hash = 99;
    rp__overlap o;
    CHECK(rp__shingle_overlap(a, 6, b, 6, 5, &o));
    CHECK_NEAR(o.jaccard, 1.0 / 3.0, 1e-12);
    CHECK_NEAR(o.contained_a, 0.5, 1e-12);
    CHECK(rp__shingle_overlap(a, 6, b, 6, 1, &o));
    CHECK_NEAR(o.jaccard, 5.0 / 7.0, 1e-12);
    CHECK_NEAR(o.contained_b, 5.0 / 6.0, 1e-12);
    /* Shorter than n: one shingle of everything. */
    CHECK(rp__shingle_overlap(a, 3, b, 3, 5, &o));
    CHECK_NEAR(o.jaccard, 1.0, 1e-12);
    CHECK(rp__shingle_overlap(a, 3, b, 4, 5, &o));
    CHECK_NEAR(o.jaccard, 0.0, 1e-12);
    CHECK(rp__shingle_overlap(a, 0, b, 0, 5, &o));
    CHECK_NEAR(o.jaccard, 0.0, 1e-12);
    CHECK_NEAR(o.contained_b, 0.0, 1e-12);
}

/* Fail each allocation in turn: every call must report RP_ERR_NOMEM and free
 * what it took (LeakSanitizer checks the latter in `make test`). */
void test_fault_injection(void)
{
    rs = 12345;
    char *x = paragraph(0, 6), *y = paragraph(0, 2);
    buf b = {0};
    test_puts(&b, y);
    test_puts(&b, x);
    int failures = 0;
    for (size_t k = 1; k < 100000; k++) {
        rp__alloc_fail_after(k);
        rp_doc *a = NULL, *d = NULL;
        rp_result *r = NULL;
        rp_status st = rp_doc_new("a", x, strlen(x), NULL, &a, NULL);
        if (st == RP_OK) st = rp_doc_new("b", b.s, b.n, NULL, &d, NULL);
        if (st == RP_OK) st = rp_compare(a, d, NULL, &r, NULL);
        size_t made = rp__alloc_fail_after(0);
        rp_result_free(r);
        rp_doc_free(a);
        rp_doc_free(d);
        if (st == RP_OK) {
            CHECK(made < k); /* succeeded only once no allocation failed */
            break;
        }
        CHECK_EQ(st, RP_ERR_NOMEM);
        failures++;
    }
    CHECK(failures > 10);
    free(x);
    free(y);
    free(b.s);
}
