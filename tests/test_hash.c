/* test_hash.c - known-answer vectors for token and n-gram hashes.
 *
 * These values are part of reprint's compatibility promise: stored sketches
 * and indexes compare tokens by these hashes. If a change makes this test
 * fail, it changed tokenization or hashing for every user; that needs a new
 * format version, not a new expected value. */
#include "base/base.h"
#include "test.h"

/* Pinned values (XXH3-64; XXH3 of the empty input is its published vector). */
#define HASH_THE_0               0xcb1283631cf33d7dULL
#define HASH_KREMLIN_0           0x20517a926156b7f4ULL
#define HASH_THE_42              0xfee50c6a94780e85ULL
#define HASH_EMPTY_0             0x2d06800538d394c2ULL
#define HASH_COMBINE_0_0         0x0000000000000000ULL
#define HASH_COMBINE_THE_KREMLIN 0x4d428b1d4374fa2eULL

static uint64_t first_token_hash(const char *text, uint64_t seed)
{
    rp_text_opts o;
    rp_text_opts_init(&o);
    o.seed = seed;
    rp_doc *d = NULL;
    if (rp_doc_new("t", text, strlen(text), &o, &d, NULL) != RP_OK) return 0;
    size_t n;
    const rp_token *t = rp_doc_tokens(d, &n);
    uint64_t h = n ? t[0].hash : 0;
    rp_doc_free(d);
    return h;
}

void test_hash_vectors(void)
{
    /* Token hash = XXH3-64(normalized bytes, seed). */
    CHECK_U64_EQ(rp__hash_bytes("the", 3, 0), HASH_THE_0);
    CHECK_U64_EQ(rp__hash_bytes("kremlin", 7, 0), HASH_KREMLIN_0);
    CHECK_U64_EQ(rp__hash_bytes("the", 3, 42), HASH_THE_42);
    CHECK_U64_EQ(rp__hash_bytes("", 0, 0), HASH_EMPTY_0);
    /* Different spellings of one normalized token hash alike. */
    CHECK_U64_EQ(first_token_hash("The", 0), HASH_THE_0);
    CHECK_U64_EQ(first_token_hash("THE", 0), HASH_THE_0);
    CHECK_U64_EQ(first_token_hash("\xEF\xBC\xB4\xEF\xBD\x88\xEF\xBD\x85", 0), HASH_THE_0);
    CHECK_U64_EQ(first_token_hash("It\xE2\x80\x99s", 0), first_token_hash("it's", 0));
    CHECK_U64_EQ(first_token_hash("the", 42), HASH_THE_42);
    /* The n-gram combiner. */
    CHECK_U64_EQ(rp__hash_combine(0, 0), HASH_COMBINE_0_0);
    CHECK_U64_EQ(rp__hash_combine(rp__hash_combine(0, HASH_THE_0), HASH_KREMLIN_0),
                 HASH_COMBINE_THE_KREMLIN);
}
