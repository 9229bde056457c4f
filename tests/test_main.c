/* test_main.c - the registry of unit tests and the runner.
 *
 * Usage: build/tests/run [substring]   runs the tests whose name contains
 * the substring (all by default) and ends with "N passed, N failed". The
 * environment variable TEST_SEED fixes the seed of the property tests. */
#include "test.h"

#include <stdlib.h>

int test_failed;
unsigned long long test_seed;

typedef struct test_entry {
    const char *name;
    void (*fn)(void);
} test_entry;

#define ENTRY(name) {#name, test_##name},
static const test_entry tests[] = {TESTS(ENTRY)};

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    const char *seed = getenv("TEST_SEED");
    test_seed = seed ? strtoull(seed, NULL, 10) : 20261122ULL;
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (filter && strstr(tests[i].name, filter) == NULL) continue;
        test_failed = 0;
        tests[i].fn();
        if (test_failed) {
            printf("FAIL %s (TEST_SEED=%llu)\n", tests[i].name, test_seed);
            failed++;
        } else {
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
