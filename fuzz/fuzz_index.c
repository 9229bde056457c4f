/* fuzz_index.c - fuzz the index file: open, stats, query, add and remove on
 * a damaged database.
 *
 * A small valid index (12 documents, several segments, a removal) is built
 * once. Each input is a list of patches, 3 bytes each: a 16-bit offset (in
 * units of 3 bytes, so every page of the file can be reached) and the byte
 * to write there; the first byte of the input chooses whether the file is
 * also truncated. The damaged copy is then opened read-only (stats, a
 * query, near-duplicate lookup) and for writing (add, remove, commit).
 * Whatever the damage, every call must return a documented status, never
 * crash, leak or hang. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) abort();
}

static char dir[64], base_path[96], path[96];
static uint8_t *base;
static size_t base_len;

static const char *const words[] = {"harbour", "ferry", "storm", "council", "minister", "said",
                                    "on",      "the",   "a",     "of",      "tuesday",  "night",
                                    "water",   "road",  "closed", "after",  "police",   "report"};

static void text_of(unsigned k, char *buf, size_t cap)
{
    size_t o = 0;
    for (unsigned i = 0; i < 60 && o + 12 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s ", words[(k * 7 + i * (i % 5 + 1)) % 18]);
}

static bool known(rp_status st)
{
    return st == RP_OK || st == RP_ERR_FORMAT || st == RP_ERR_IO || st == RP_ERR_NOMEM ||
           st == RP_ERR_MISMATCH || st == RP_ERR_PARAM || st == RP_ERR_LIMIT;
}

static rp_doc *make_doc(unsigned k)
{
    char text[1024];
    text_of(k, text, sizeof text);
    rp_doc *d = NULL;
    return rp_doc_new("q", text, strlen(text), NULL, &d, NULL) == RP_OK ? d : NULL;
}

/* The temporary folder goes when the process ends (replay or fuzzer). */
static void cleanup(void)
{
    char p[128];
    static const char *const names[] = {"base.db", "base.db-wal", "base.db-shm", "fuzz.db",
                                        "fuzz.db-wal", "fuzz.db-shm", "fuzz.db-journal"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    free(base);
}

static void build_base(void)
{
    snprintf(dir, sizeof dir, "/tmp/reprint-fuzz-index-XXXXXX");
    if (mkdtemp(dir) == NULL) abort();
    atexit(cleanup);
    snprintf(base_path, sizeof base_path, "%s/base.db", dir);
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    rp_index_opts o;
    rp_index_opts_init(&o);
    o.create = 1;
    rp_index *idx = NULL;
    if (rp_index_open(base_path, &o, &idx, NULL) != RP_OK) abort();
    for (unsigned k = 0; k < 12; k++) {
        char id[16];
        snprintf(id, sizeof id, "doc-%u", k);
        rp_doc *d = make_doc(k);
        if (d == NULL || rp_index_add(idx, id, strlen(id), d, "{}", 2, 0, NULL) != RP_OK) abort();
        rp_doc_free(d);
        if (k % 4 == 3 && rp_index_commit(idx, NULL) != RP_OK) abort();
    }
    int removed = 0;
    if (rp_index_remove(idx, "doc-5", 5, &removed, NULL) != RP_OK) abort();
    if (rp_index_commit(idx, NULL) != RP_OK) abort();
    rp_index_free(idx);
    FILE *f = fopen(base_path, "rb");
    if (f == NULL) abort();
    fseek(f, 0, SEEK_END);
    base_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    base = malloc(base_len);
    if (base == NULL || fread(base, 1, base_len, f) != base_len) abort();
    fclose(f);
}

static void use_index(bool readonly)
{
    rp_index_opts o;
    rp_index_opts_init(&o);
    o.readonly = readonly;
    o.busy_ms = 10;
    rp_index *idx = NULL;
    rp_error err;
    rp_status st = rp_index_open(path, &o, &idx, &err);
    check(known(st));
    if (st != RP_OK) return;
    rp_index_info info;
    check(known(rp_index_stats(idx, &info, &err)));
    rp_doc *q = make_doc(3);
    if (q != NULL) {
        rp_index_query_opts qo;
        rp_index_query_opts_init(&qo);
        rp_index_matches *m = NULL;
        check(known(rp_index_query(idx, q, &qo, &m, &err)));
        rp_index_matches_free(m);
        if (!readonly) {
            check(known(rp_index_add(idx, "new", 3, q, NULL, 0, RP_INDEX_REPLACE, &err)));
            int removed;
            check(known(rp_index_remove(idx, "doc-2", 5, &removed, &err)));
            check(known(rp_index_commit(idx, &err)));
        }
        rp_doc_free(q);
    }
    rp_index_free(idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (base == NULL) build_base();
    if (size < 1) return 0;
    uint8_t *copy = malloc(base_len);
    if (copy == NULL) return 0;
    memcpy(copy, base, base_len);
    for (size_t i = 1; i + 3 <= size; i += 3) {
        size_t off = ((size_t)data[i] | (size_t)data[i + 1] << 8) * 3 % base_len;
        copy[off] = data[i + 2];
    }
    size_t len = base_len;
    if (data[0] & 1) len = base_len * data[0] / 256;
    char wal[112], shm[112];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(wal);
    unlink(shm);
    FILE *f = fopen(path, "wb");
    if (f == NULL) abort();
    fwrite(copy, 1, len, f);
    fclose(f);
    free(copy);
    use_index(true);
    use_index(false);
    unlink(wal);
    unlink(shm);
    return 0;
}
