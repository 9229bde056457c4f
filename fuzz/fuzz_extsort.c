/* fuzz_extsort.c - fuzz the external sorter's run files.
 *
 * The input chooses the record size (1..4 words), whether repeats are
 * dropped, and the records: 6000 to 14000 of them made from its bytes, past
 * the sorter's smallest budget so they spill to several runs in the
 * temporary file. The rest of the input is a list of patches (offset, byte)
 * written into that run file, or a truncation, before it is read back, as a
 * damaged disk or a stray writer would. Without patches the output must be
 * every record, sorted (and without repeats when unique); with them, reading
 * must end in RP_OK or RP_ERR_IO, never crash or return more records than
 * were added. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    const size_t words = 1 + (data[0] & 3);
    const bool unique = (data[0] & 4) != 0;
    const bool truncate = (data[0] & 8) != 0;
    const size_t n = 6000 + (size_t)data[1] * 32;
    size_t split = 2 + (size_t)data[2] * 4; /* record bytes, then patches */
    if (split > size) split = size;
    const uint8_t *seed = data + 2, *patch = data + split;
    const size_t n_seed = split - 2, n_patch = size - split;
    rp__sorter *s = NULL;
    if (rp__sorter_new(words, 0, NULL, unique, &s, NULL) != RP_OK) return 0;
    uint64_t rec[4], x = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < n; i++) {
        for (size_t w = 0; w < words; w++) {
            x ^= n_seed ? seed[(i * words + w) % n_seed] : 0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            rec[w] = (i & 1) ? x % 64 : x; /* repeats, and a spread */
        }
        if (rp__sorter_add(s, rec, NULL) != RP_OK) {
            rp__sorter_free(s);
            return 0;
        }
    }
    int fd = rp__sorter_fd(s);
    bool damaged = false;
    if (fd >= 0) {
        off_t len = lseek(fd, 0, SEEK_END);
        if (truncate && len > 0 && n_patch >= 2) {
            damaged = ftruncate(fd, (off_t)((patch[0] | patch[1] << 8) % (uint64_t)len)) == 0;
        } else {
            for (size_t i = 0; i + 3 <= n_patch && len > 0; i += 3) {
                uint64_t off = ((uint64_t)patch[i] | (uint64_t)patch[i + 1] << 8) * 61 % (uint64_t)len;
                damaged |= pwrite(fd, &patch[i + 2], 1, (off_t)off) == 1;
            }
        }
    }
    const uint64_t *r, *prev = NULL;
    uint64_t last[4] = {0}, got = 0;
    rp_status st;
    while ((st = rp__sorter_next(s, &r, NULL)) == RP_OK && r != NULL) {
        got++;
        check(got <= n);
        if (!damaged && prev != NULL) {
            size_t w = 0; /* records compare word by word, the first word first */
            while (w < words && last[w] == r[w])
                w++;
            check(w == words ? !unique : last[w] < r[w]);
        }
        memcpy(last, r, words * sizeof *r);
        prev = last;
    }
    check(st == RP_OK || (damaged && st == RP_ERR_IO));
    if (!damaged && !unique) check(got == n);
    rp__sorter_free(s);
    return 0;
}
