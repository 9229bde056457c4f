/* test_minhash.c - MinHash signatures: the estimate stays within its stated
 * error of the exact Jaccard (seeded property test), known answers, and the
 * rules for short, empty and invalid texts. */
#include "sketch/sketch.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

/* Chained hash of the default 128-value signature of the ferry sentence
 * in test_minhash_rules. */
#define MINHASH_KNOWN_SUM 0xb26d8c4ba2b053eeULL

static uint64_t rs;
static uint64_t rnd(void)
{
    return test_rand(&rs);
}

/* Text of the distinct words w<first> .. w<first+n-1>. */
static char *words(size_t first, size_t n, size_t *len)
{
    char *s = malloc(n * 12 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(s + o, "w%zu ", first + i);
    *len = o;
    return s;
}

static uint32_t *sketch(rp_sketcher *sk, const char *t, size_t len, size_t k, size_t *nsh)
{
    uint32_t *sig = malloc(k * sizeof *sig);
    CHECK_EQ(rp_sketcher_sketch(sk, t, len, sig, nsh, NULL), RP_OK);
    return sig;
}

/* With n = 1 shingles are words, so overlapping ranges of distinct words
 * give sets of known Jaccard. Every estimate must lie within 4.5 standard
 * errors (sqrt(J(1-J)/K), plus 1/K for rounding) of the truth. */
void test_minhash_error_bound(void)
{
    rs = test_seed | 1;
    rp_sketch_opts o;
    rp_sketch_opts_init(&o);
    o.ngram = 1;
    for (size_t k = 64; k <= 256; k *= 2) {
        o.hashes = k;
        rp_sketcher *sk = NULL;
        CHECK_EQ(rp_sketcher_new(&o, &sk, NULL), RP_OK);
        double worst = 0;
        for (int trial = 0; trial < 150; trial++) {
            size_t n = 300 + rnd() % 3000, shift = rnd() % n;
            size_t la, lb;
            char *a = words(0, n, &la), *b = words(shift, n, &lb);
            double j = (double)(n - shift) / (double)(n + shift);
            size_t na, nb;
            uint32_t *sa = sketch(sk, a, la, k, &na), *sb = sketch(sk, b, lb, k, &nb);
            CHECK_EQ(na, n);
            double est = rp_signature_similarity(sa, sb, k);
            double bound = 4.5 * sqrt(j * (1 - j) / (double)k) + 1.0 / (double)k;
            double dev = fabs(est - j) / bound;
            if (dev > worst) worst = dev;
            if (fabs(est - j) > bound) {
                fprintf(stderr, "K=%zu n=%zu J=%.3f estimate %.3f (bound %.3f)\n", k, n, j, est,
                        bound);
                test_failed = 1;
            }
            free(a), free(b), free(sa), free(sb);
        }
        rp_sketcher_free(sk);
    }
}

/* On prose, the estimate tracks rp_compare's exact 5-gram Jaccard. */
void test_minhash_matches_compare(void)
{
    rs = (test_seed * 5) | 1;
    rp_sketcher *sk = NULL;
    CHECK_EQ(rp_sketcher_new(NULL, &sk, NULL), RP_OK);
    for (int trial = 0; trial < 40; trial++) {
        size_t n = 400 + rnd() % 800;
        char *a = malloc(n * 8 + 1), *b = malloc(n * 8 + 1);
        size_t la = 0, lb = 0;
        uint64_t edit_every = 3 + rnd() % 40;
        for (size_t i = 0; i < n; i++) {
            uint64_t w = rnd() % 5000;
            la += (size_t)sprintf(a + la, "x%u ", (unsigned)w);
            if (i % edit_every == 0) w = 5000 + rnd() % 5000;    /* a substituted word */
            lb += (size_t)sprintf(b + lb, "X%u. ", (unsigned)w); /* case, punctuation */
        }
        rp_doc *da = NULL, *db = NULL;
        rp_result *r = NULL;
        CHECK_EQ(rp_doc_new("a", a, la, NULL, &da, NULL), RP_OK);
        CHECK_EQ(rp_doc_new("b", b, lb, NULL, &db, NULL), RP_OK);
        CHECK_EQ(rp_compare(da, db, NULL, &r, NULL), RP_OK);
        double j = rp_result_jaccard(r);
        uint32_t *sa = sketch(sk, a, la, 128, NULL), *sb = sketch(sk, b, lb, 128, NULL);
        double est = rp_signature_similarity(sa, sb, 128);
        double bound = 4.5 * sqrt(j * (1 - j) / 128.0) + 1.0 / 128.0;
        if (fabs(est - j) > bound) {
            fprintf(stderr, "trial %d: Jaccard %.3f, estimate %.3f\n", trial, j, est);
            test_failed = 1;
        }
        rp_result_free(r);
        rp_doc_free(da);
        rp_doc_free(db);
        free(a), free(b), free(sa), free(sb);
    }
    rp_sketcher_free(sk);
}

/* The signature by its definition, from rp__tokenize's tokens and each
 * shingle hashed on its own (no rolling, no batches): what
 * rp_sketcher_sketch must give. */
static void sketch_reference(const char *t, size_t len, const rp_sketch_opts *o, uint32_t *sig,
                             size_t *n_shingles)
{
    rp__tokens tk = {0};
    CHECK_EQ(rp__tokenize(t, len, o->seed, &tk), RP_OK);
    size_t k = o->hashes, n = o->ngram, shingles = 0;
    uint64_t *mins = malloc(k * sizeof *mins);
    for (size_t i = 0; i < k; i++)
        mins[i] = UINT64_MAX;
    size_t width = tk.n < n ? tk.n : n; /* a short text is one shingle of all its tokens */
    for (size_t first = 0; tk.n > 0 && first + width <= tk.n; first++) {
        uint64_t rolled = 0;
        for (size_t j = 0; j < width; j++)
            rolled ^= rp__rotl64(tk.tok[first + j].hash, (unsigned)(width - 1 - j));
        uint64_t h = rp__shingle_hash(rolled);
        size_t bin = (size_t)(((h >> 32) * (uint64_t)k) >> 32);
        if ((uint32_t)h < mins[bin]) mins[bin] = (uint32_t)h;
        shingles++;
    }
    for (size_t i = 0; i < k; i++) {
        uint64_t probe = rp__hash_combine(o->seed, (uint64_t)i + 1);
        size_t j = i;
        while (shingles > 0 && mins[j] == UINT64_MAX) {
            j = (size_t)(((probe >> 32) * (uint64_t)k) >> 32);
            probe = rp__hash_combine(probe, (uint64_t)i + 1);
        }
        sig[i] = shingles > 0 ? (uint32_t)mins[j] : UINT32_MAX;
    }
    *n_shingles = shingles;
    free(mins);
    rp__tokens_free(&tk);
}

/* Random texts of ASCII, accented, Cyrillic and Han words (and, in half of
 * them, bytes that are not UTF-8), up to well past one batch of token
 * hashes: the signature must be the definition's for several n and K, and
 * strict sketching must fail exactly where rp__utf8_check does. */
static void check_sketch_definition(void)
{
    static const char *const words[] = {"the",          "The",
                                        "it's",         "ferry",
                                        "2016",         "caf\xC3\xA9",
                                        ", ",           "\xD0\x9C\xD0\xBE\xD1\x81",
                                        "\xE4\xB8\xAD", "It\xE2\x80\x99s",
                                        "e\xCC\x81",    ". ",
                                        "\n\n",         "\xFF",
                                        "\x00",         "\xC3",
                                        "a\200b"};
    const size_t n_valid = 13, n_words = sizeof words / sizeof words[0];
    static const size_t ngrams[] = {1, 3, 5, 32}, ks[] = {1, 128, 300};
    rs = (test_seed * 7) | 1;
    static char text[40000];
    for (int trial = 0; trial < 120; trial++) {
        rp_sketch_opts o;
        rp_sketch_opts_init(&o);
        o.ngram = ngrams[trial % 4];
        o.hashes = ks[(trial / 4) % 3];
        o.seed = trial % 5 == 0 ? 99 : 0;
        bool invalid = trial % 2 == 1;
        size_t target = rnd() % 4 == 0 ? 1 + rnd() % 30 : 2000 + rnd() % 30000;
        size_t len = 0;
        while (len < target) {
            const char *w = words[rnd() % (invalid ? n_words : n_valid)];
            size_t wl = w[0] == '\0' ? 1 : strlen(w);
            memcpy(text + len, w, wl);
            len += wl;
            text[len++] = ' ';
        }
        uint32_t *want = malloc(o.hashes * sizeof *want), *got = malloc(o.hashes * sizeof *got);
        size_t want_n, got_n = 0;
        sketch_reference(text, len, &o, want, &want_n);
        for (int lossy = 0; lossy <= 1; lossy++) {
            o.lossy = lossy;
            rp_sketcher *sk = NULL;
            CHECK_EQ(rp_sketcher_new(&o, &sk, NULL), RP_OK);
            rp_error err;
            rp_status st = rp_sketcher_sketch(sk, text, len, got, &got_n, &err);
            bool is_nul;
            size_t bad = rp__utf8_check((const uint8_t *)text, len, &is_nul);
            if (lossy || bad == len) {
                CHECK_EQ(st, RP_OK);
                CHECK_EQ(got_n, want_n);
                if (st != RP_OK || memcmp(got, want, o.hashes * sizeof *got) != 0) {
                    fprintf(stderr, "trial %d (n=%zu K=%zu lossy=%d): signature differs\n", trial,
                            o.ngram, o.hashes, lossy);
                    test_failed = 1;
                }
            } else {
                CHECK_EQ(st, is_nul ? RP_ERR_FORMAT : RP_ERR_UTF8);
                CHECK_EQ(err.offset, bad);
            }
            rp_sketcher_free(sk);
        }
        free(want), free(got);
        if (test_failed) break;
    }
}

void test_minhash_rules(void)
{
    check_sketch_definition();
    rp_sketcher *sk = NULL;
    CHECK_EQ(rp_sketcher_new(NULL, &sk, NULL), RP_OK);
    uint32_t a[128], b[128];
    size_t n = 99;
    const char *t = "The harbour authority said Tuesday it would trial ferries at night.";
    CHECK_EQ(rp_sketcher_sketch(sk, t, strlen(t), a, &n, NULL), RP_OK);
    CHECK_EQ(n, 7); /* 11 words, 5-grams */
    /* Case, quotes and spacing do not change the signature. */
    const char *u = "THE HARBOUR authority said  tuesday\nit would trial ferries at night!";
    CHECK_EQ(rp_sketcher_sketch(sk, u, strlen(u), b, &n, NULL), RP_OK);
    CHECK_MEM_EQ(a, b, sizeof a);
    CHECK_NEAR(rp_signature_similarity(a, b, 128), 1.0, 1e-12);
    /* Known answer: pinned so a change to tokens, shingles or sketching
     * (which would make stored signatures incomparable) fails here. */
    uint64_t sum = 0;
    for (size_t i = 0; i < 128; i++)
        sum = rp__hash_combine(sum, a[i]);
    CHECK_U64_EQ(sum, MINHASH_KNOWN_SUM);
    /* Shorter than n words: one shingle; the same words give the same one. */
    CHECK_EQ(rp_sketcher_sketch(sk, "Too early", 9, a, &n, NULL), RP_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(rp_sketcher_sketch(sk, "too EARLY.", 10, b, &n, NULL), RP_OK);
    CHECK_MEM_EQ(a, b, sizeof a);
    /* No words: no shingle, all UINT32_MAX. */
    CHECK_EQ(rp_sketcher_sketch(sk, " ... ", 5, a, &n, NULL), RP_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(a[0], UINT32_MAX);
    CHECK_EQ(a[127], UINT32_MAX);
    CHECK_EQ(rp_sketcher_sketch(sk, NULL, 0, a, &n, NULL), RP_OK);
    CHECK_EQ(n, 0);
    /* Invalid UTF-8 is an error with its offset, unless lossy. */
    rp_error err;
    CHECK_EQ(rp_sketcher_sketch(sk, "caf\xE9 au lait", 12, a, &n, &err), RP_ERR_UTF8);
    CHECK_EQ(err.offset, 3);
    rp_sketcher_free(sk);
    rp_sketch_opts o;
    rp_sketch_opts_init(&o);
    o.lossy = 1;
    CHECK_EQ(rp_sketcher_new(&o, &sk, NULL), RP_OK);
    CHECK_EQ(rp_sketcher_sketch(sk, "caf\xE9 au lait", 12, a, &n, NULL), RP_OK);
    rp_sketcher_free(sk);
    /* Options out of range. */
    o.ngram = 0;
    CHECK_EQ(rp_sketcher_new(&o, &sk, &err), RP_ERR_PARAM);
    CHECK(strstr(err.msg, "ngram") != NULL);
    rp_sketch_opts_init(&o);
    o.hashes = RP_SKETCH_MAX_HASHES + 1;
    CHECK_EQ(rp_sketcher_new(&o, &sk, &err), RP_ERR_PARAM);
    rp_sketcher_free(NULL);
    CHECK_NEAR(rp_signature_similarity(a, b, 0), 0.0, 1e-12);
}
