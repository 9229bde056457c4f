/* test.h - the in-house unit test harness.
 *
 * CHECK* macros report file:line, the expression and the values, mark the
 * current test failed and carry on. Tests are plain functions registered in
 * tests/test_main.c; the runner prints FAIL lines and ends with the line
 * "N passed, N failed". */
#ifndef REPRINT_TEST_H
#define REPRINT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

extern int test_failed; /* set by a failing check in the current test */

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);               \
            test_failed = 1;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr, "%s:%d: CHECK_EQ(%s, %s) failed: %lld != %lld\n", __FILE__, __LINE__,  \
                    #a, #b, check_a_, check_b_);                                                   \
            test_failed = 1;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_U64_EQ(a, b)                                                                         \
    do {                                                                                           \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);                               \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr,                                                                        \
                    "%s:%d: CHECK_U64_EQ(%s, %s) failed: 0x%016" PRIx64 " != 0x%016" PRIx64 "\n",  \
                    __FILE__, __LINE__, #a, #b, check_a_, check_b_);                               \
            test_failed = 1;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (strcmp(check_a_, check_b_) != 0) {                                                     \
            fprintf(stderr, "%s:%d: CHECK_STR_EQ(%s, %s) failed: \"%s\" != \"%s\"\n", __FILE__,    \
                    __LINE__, #a, #b, check_a_, check_b_);                                         \
            test_failed = 1;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_MEM_EQ(a, b, n)                                                                      \
    do {                                                                                           \
        if (memcmp((a), (b), (n)) != 0) {                                                          \
            fprintf(stderr, "%s:%d: CHECK_MEM_EQ(%s, %s, %s) failed\n", __FILE__, __LINE__, #a,    \
                    #b, #n);                                                                       \
            test_failed = 1;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                                      \
    do {                                                                                           \
        double check_a_ = (a), check_b_ = (b);                                                     \
        if (!(check_a_ - check_b_ <= (eps) && check_b_ - check_a_ <= (eps))) {                     \
            fprintf(stderr, "%s:%d: CHECK_NEAR(%s, %s) failed: %g vs %g\n", __FILE__, __LINE__,    \
                    #a, #b, check_a_, check_b_);                                                   \
            test_failed = 1;                                                                       \
        }                                                                                          \
    } while (0)

/* The seed of the current seeded property test (printed on failure). */
extern unsigned long long test_seed;

/* The tests' random numbers: xorshift64 over *state (never 0; seed with
 * test_seed | 1 or another odd value), so a failing seed reproduces. */
static inline uint64_t test_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* ---- text builders (test_text.c) ---------------------------------------- */
/* A growing NUL-terminated string (free s when done). */
typedef struct test_buf {
    char *s;
    size_t n, cap;
} test_buf;
void test_put(test_buf *b, const char *s, size_t n);
void test_puts(test_buf *b, const char *s);
/* Append pseudo-word number w, spelled in two-letter syllables; vocab > 0
 * prefixes a letter, so different vocabularies share no word. */
void test_word(test_buf *b, size_t w, int vocab);
/* A Zipf-like word number: 30% among the 20 commonest, 40% among 400, the
 * rest among 8,000. */
size_t test_zipf(uint64_t *rs);

/* The registry: every unit test, in run order. test_main.c builds its
 * table from this list, and each test file gets its prototypes from it. */
#define TESTS(X)                                                                                   \
    X(utf8_decode)                                                                                 \
    X(utf8_check)                                                                                  \
    X(normalize_paths_agree)                                                                       \
    X(normalize_known)                                                                             \
    X(tokenize_vectors)                                                                            \
    X(tokenize_breaks)                                                                             \
    X(tokenize_fast_paths)                                                                         \
    X(hash_vectors)                                                                                \
    X(doc_errors)                                                                                  \
    X(doc_load_errors)                                                                             \
    X(doc_lossy)                                                                                   \
    X(diff_random)                                                                                 \
    X(diff_large)                                                                                  \
    X(compare_identical)                                                                           \
    X(compare_unrelated)                                                                           \
    X(compare_empty)                                                                               \
    X(compare_edits)                                                                               \
    X(compare_reordered)                                                                           \
    X(compare_surface_changes)                                                                     \
    X(compare_repetitive)                                                                          \
    X(compare_min_words)                                                                           \
    X(compare_cjk)                                                                                 \
    X(compare_params)                                                                              \
    X(compare_offsets_random)                                                                      \
    X(align_moved_paragraphs)                                                                      \
    X(align_one_sided_split)                                                                       \
    X(align_mirror_random)                                                                         \
    X(align_bbc_cases)                                                                             \
    X(align_mirror_real)                                                                           \
    X(jaccard_exact)                                                                               \
    X(source_jsonl)                                                                                \
    X(source_jsonl_errors)                                                                         \
    X(source_plain)                                                                                \
    X(source_walk)                                                                                 \
    X(source_compressed)                                                                           \
    X(source_errors)                                                                               \
    X(source_mem)                                                                                  \
    X(json_quote)                                                                                  \
    X(output_file)                                                                                 \
    X(source_json_check)                                                                           \
    X(source_fault_injection)                                                                      \
    X(minhash_error_bound)                                                                         \
    X(minhash_matches_compare)                                                                     \
    X(minhash_rules)                                                                               \
    X(winnow_reference)                                                                            \
    X(winnow_guarantee)                                                                            \
    X(extsort_budgets)                                                                             \
    X(sort_u64)                                                                                    \
    X(lsh_choose)                                                                                  \
    X(lsh_index)                                                                                   \
    X(dedup_exact_truth)                                                                           \
    X(dedup_deterministic)                                                                         \
    X(dedup_read_back)                                                                             \
    X(dedup_chaining)                                                                              \
    X(dedup_output)                                                                                \
    X(dedup_errors)                                                                                \
    X(source_trusted_same)                                                                         \
    X(dedup_against)                                                                               \
    X(dedup_fault_injection)                                                                       \
    X(outbox_exchange)                                                                             \
    X(source_ranges)                                                                               \
    X(dedup_one_rank)                                                                              \
    X(dedup_dist_fault_injection)                                                                  \
    X(scan_planted)                                                                                \
    X(scan_memory_limit)                                                                           \
    X(scan_boilerplate)                                                                            \
    X(scan_against)                                                                                \
    X(scan_clusters)                                                                               \
    X(scan_errors)                                                                                 \
    X(scan_fault_injection)                                                                        \
    X(index_params)                                                                                \
    X(index_matches_compare)                                                                       \
    X(index_duplicates)                                                                            \
    X(index_get)                                                                                   \
    X(index_rebuild_equal)                                                                         \
    X(index_batch_visibility)                                                                      \
    X(index_bad_files)                                                                             \
    X(index_sketches)                                                                              \
    X(index_segments)                                                                              \
    X(index_fault_injection)                                                                       \
    X(fault_injection)

#define DECLARE(name) void test_##name(void);
TESTS(DECLARE)

#endif
