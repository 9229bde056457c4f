/* test_dist.c - what dedup on ranks is built from, on one rank in this
 * process: rp__outbox delivers every record in order through spills and
 * rounds (fixed and framed records, some longer than a round), a JSONL
 * file read as byte ranges gives the records and line numbers of reading
 * it whole, and rp_dedup_run() over a group of one rank (the dedup_dist.c
 * path: plan, exchanges, fetches, gather) gives the one-process outcome
 * and cleans up after a failed allocation at every point.
 * The transport here is a real one for a single rank (every send is to
 * itself); tests/cli/mpi_dedup.sh runs Open MPI with 1-4 ranks. */
#include "base/base.h"
#include "io/io.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void self_counts(void *impl, const uint64_t *scount, uint64_t *rcount)
{
    (void)impl;
    rcount[0] = scount[0];
}

static void self_alltoallv(void *impl, const void *send, const uint64_t *scount, void *recv,
                           const uint64_t *rcount)
{
    (void)impl;
    (void)rcount;
    memcpy(recv, send, (size_t)scount[0]);
}

static void self_reduce(void *impl, uint64_t *v, size_t n, int op)
{
    (void)impl, (void)v, (void)n, (void)op;
}

static void self_dbl(void *impl, double *v, size_t n)
{
    (void)impl, (void)v, (void)n;
}

static void self_gather(void *impl, const uint64_t *mine, size_t n, uint64_t *all)
{
    (void)impl;
    memcpy(all, mine, n * 8);
}

static void self_bcast(void *impl, void *buf, size_t len, int root)
{
    (void)impl, (void)buf, (void)len, (void)root;
}

static void self_p2p(void *impl, int peer, const void *buf, size_t len)
{
    (void)impl, (void)peer, (void)buf, (void)len;
    abort(); /* one rank never sends to another */
}

static void self_recv(void *impl, int peer, void *buf, size_t len)
{
    (void)impl, (void)peer, (void)buf, (void)len;
    abort();
}

static void self_none(void *impl)
{
    (void)impl;
}

static void self_abort(void *impl, int status)
{
    (void)impl;
    exit(status);
}

static const rp__comm_ops self_ops = {self_counts, self_alltoallv, self_reduce, self_dbl,
                                      self_gather, self_bcast,     self_p2p,    self_recv,
                                      self_none,   self_abort,     self_none};

static rp_comm one_rank(void)
{
    rp_comm c;
    memset(&c, 0, sizeof c);
    c.size = 1;
    strcpy(c.host, "here");
    c.ops = &self_ops;
    return c;
}

typedef struct seen {
    uint64_t n, bad;
    size_t fixed;
} seen;

/* Record i is i % 700 + 1 bytes (framed) or 24 (fixed), each byte (i + j) & 0xFF. */
static size_t rec_len(const seen *s, uint64_t i)
{
    return s->fixed ? s->fixed : (size_t)(i % 700 + 1) + (i % 97 == 0 ? 300000 : 0);
}

static rp_status check_rec(void *ctx, int src, const void *rec, size_t len, rp_error *err)
{
    (void)err;
    seen *s = ctx;
    const unsigned char *p = rec;
    if (src != 0 || len != rec_len(s, s->n)) s->bad++;
    for (size_t j = 0; j < len && j < rec_len(s, s->n); j++)
        if (p[j] != (unsigned char)((s->n + j) & 0xFF)) {
            s->bad++;
            break;
        }
    s->n++;
    return RP_OK;
}

void test_outbox_exchange(void)
{
    rp_comm c = one_rank();
    unsigned char *buf = malloc(400000);
    for (size_t fixed = 0; fixed <= 24; fixed += 24) {
        rp__outbox *o = NULL;
        rp_error err;
        CHECK_EQ(rp__outbox_new(&c, fixed, 100000, NULL, &o, &err), RP_OK);
        for (int pass = 0; pass < 2 && o != NULL; pass++) { /* emptied and filled again */
            seen s = {0, 0, fixed};
            uint64_t n = 3000;
            for (uint64_t i = 0; i < n; i++) {
                size_t len = rec_len(&s, i);
                for (size_t j = 0; j < len; j++)
                    buf[j] = (unsigned char)((i + j) & 0xFF);
                CHECK_EQ(rp__outbox_put(o, 0, buf, len, &err), RP_OK);
            }
            CHECK_EQ(rp__outbox_exchange(o, check_rec, &s, &err), RP_OK);
            CHECK_EQ(s.n, n);
            CHECK_EQ(s.bad, 0);
            s.n = 0;
            CHECK_EQ(rp__outbox_exchange(o, check_rec, &s, &err), RP_OK); /* nothing left */
            CHECK_EQ(s.n, 0);
        }
        rp__outbox_free(o);
    }
    CHECK(c.bytes_sent == 0); /* to itself only */
    free(buf);
}

static void write_text(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    fputs(s, f);
    fclose(f);
}

void test_source_ranges(void)
{
    char path[] = "/tmp/reprint-ranges-XXXXXX"; /* JSONL by its content */
    int fd = mkstemp(path);
    close(fd);
    test_buf b = {0};
    uint64_t rs = test_seed | 5;
    for (int i = 0; i < 200; i++) {
        char line[96];
        if (i % 9 == 4) test_puts(&b, "\n"); /* blank lines count as lines */
        if (i % 3)
            snprintf(line, sizeof line, "{\"id\":\"r%d\",\"text\":\"", i);
        else
            snprintf(line, sizeof line, "{\"text\":\"");
        test_puts(&b, line);
        for (uint64_t w = test_rand(&rs) % 40; w > 0; w--) {
            test_word(&b, test_zipf(&rs), 0);
            test_puts(&b, " ");
        }
        test_puts(&b, "\"}\n");
    }
    write_text(path, b.s);
    /* Cut at three line starts; lines before each piece counted here. */
    uint64_t cuts[5] = {0, 0, 0, 0, b.n}, lines[5] = {0};
    for (int k = 1; k < 4; k++) {
        const char *nl = strchr(b.s + b.n * (size_t)k / 4, '\n');
        cuts[k] = (uint64_t)(nl - b.s) + 1;
        for (const char *p = b.s; p < b.s + cuts[k]; p++)
            lines[k] += *p == '\n';
    }
    rp_source *whole = NULL, *parts = NULL;
    rp_error err;
    const char *paths[] = {path};
    CHECK_EQ(rp_source_open(paths, 1, NULL, &whole, &err), RP_OK);
    CHECK_EQ(rp_source_open(NULL, 0, NULL, &parts, &err), RP_OK);
    for (int k = 0; k < 4; k++)
        CHECK_EQ(rp__source_add_range(parts, path, cuts[k], cuts[k + 1], lines[k], &err), RP_OK);
    size_t n = 0;
    for (;;) {
        const rp_record *a = NULL, *r = NULL;
        CHECK_EQ(rp_source_next(whole, &a, &err), RP_OK);
        char *id = a ? strdup(a->id) : NULL, *text = a ? strdup(a->text) : NULL;
        uint64_t line = a ? a->line : 0;
        CHECK_EQ(rp_source_next(parts, &r, &err), RP_OK);
        CHECK((a == NULL) == (r == NULL));
        if (a == NULL || r == NULL) {
            free(id);
            free(text);
            break;
        }
        CHECK_STR_EQ(r->id, id);
        CHECK_STR_EQ(r->text, text);
        CHECK_EQ(r->line, line);
        free(id);
        free(text);
        n++;
    }
    CHECK_EQ(n, 200);
    /* The walk lists what rp_source_next() would read, without opening it. */
    rp_source *list = NULL;
    CHECK_EQ(rp_source_open(paths, 1, NULL, &list, &err), RP_OK);
    char *p = NULL;
    CHECK_EQ(rp__source_next_file(list, &p, &err), RP_OK);
    CHECK(p != NULL && strcmp(p, path) == 0);
    free(p);
    p = NULL;
    CHECK_EQ(rp__source_next_file(list, &p, &err), RP_OK);
    CHECK(p == NULL);
    rp_source_free(list);
    rp_source_free(whole);
    rp_source_free(parts);
    free(b.s);
    unlink(path);
}

typedef struct outcome {
    uint64_t n, n_pairs;
    uint64_t *rep, *pairs;
    char *ids, *out; /* out: what rp_dedup_write() wrote */
} outcome;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    test_buf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        test_put(&b, chunk, got);
    fclose(f);
    if (b.s == NULL) test_puts(&b, "");
    return b.s;
}

static outcome dedup(const char *path, rp_comm *c, size_t mem, int strict)
{
    outcome r = {0};
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    o.comm = c;
    o.mem_limit = mem;
    o.strict = strict;
    o.threads = 2;
    rp_dedup *d = NULL;
    rp_error err;
    const char *paths[] = {path};
    CHECK_EQ(rp_dedup_run(paths, 1, &o, &d, &err), RP_OK);
    if (d == NULL) return r;
    r.n = rp_dedup_get_stats(d)->docs;
    r.rep = calloc(r.n + 1, sizeof *r.rep);
    test_buf ids = {0};
    for (uint64_t i = 0; i < r.n; i++) {
        r.rep[i] = rp_dedup_representative(d, i);
        test_puts(&ids, rp_dedup_id(d, i, NULL));
        test_puts(&ids, "\n");
    }
    r.ids = ids.s;
    uint64_t a, b;
    double sim;
    rp_status st;
    size_t cap = 0;
    while (rp_dedup_next_pair(d, &a, &b, &sim, &st, &err)) {
        if (r.n_pairs + 1 > cap) {
            cap = cap ? 2 * cap : 64;
            r.pairs = realloc(r.pairs, cap * sizeof *r.pairs);
        }
        r.pairs[r.n_pairs++] = a << 32 | b;
    }
    if (c != NULL) CHECK_EQ(rp_dedup_get_stats(d)->ranks, 1);
    char out[64];
    snprintf(out, sizeof out, "%s.out", path);
    CHECK_EQ(rp_dedup_write(d, out, &err), RP_OK);
    r.out = slurp(out);
    unlink(out);
    rp_dedup_free(d);
    return r;
}

void test_dedup_one_rank(void)
{
    char path[] = "/tmp/reprint-onerank-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    uint64_t rs = test_seed | 9;
    test_buf b = {0};
    test_buf base[40] = {{0}};
    for (int j = 0; j < 40; j++)
        for (int w = 0; w < 60; w++) {
            test_word(&base[j], test_zipf(&rs), 0);
            test_puts(&base[j], " ");
        }
    for (int i = 0; i < 400; i++) {
        char head[64];
        snprintf(head, sizeof head, i % 4 ? "{\"id\":\"d%d\",\"text\":\"" : "{\"text\":\"", i);
        test_puts(&b, head);
        if (i % 2 == 0) {
            test_puts(&b, base[(size_t)(i / 2) % 40].s);
            test_word(&b, test_rand(&rs) % 8000, 1); /* a word of its own */
        } else {
            for (int w = 0; w < 50; w++) {
                test_word(&b, test_zipf(&rs), 0);
                test_puts(&b, " ");
            }
        }
        test_puts(&b, "\"}\n");
    }
    write_text(path, b.s);
    rp_comm c = one_rank();
    for (int k = 0; k < 3; k++) {
        size_t mem = k == 1 ? (size_t)64 << 10 : 0; /* tiny: every sorter spills */
        outcome one = dedup(path, NULL, mem, 0), ranks = dedup(path, &c, mem, 0);
        CHECK(one.n_pairs > 20);
        CHECK_EQ(ranks.n, one.n);
        CHECK_EQ(ranks.n_pairs, one.n_pairs);
        for (uint64_t p = 0; p < one.n_pairs && p < ranks.n_pairs; p++)
            CHECK_U64_EQ(ranks.pairs[p], one.pairs[p]);
        for (uint64_t i = 0; i < one.n && i < ranks.n; i++)
            CHECK_U64_EQ(ranks.rep[i], one.rep[i]);
        CHECK(one.ids != NULL && ranks.ids != NULL && strcmp(one.ids, ranks.ids) == 0);
        CHECK(one.out != NULL && ranks.out != NULL && strlen(one.out) > 1000 &&
              strcmp(one.out, ranks.out) == 0);
        outcome *os[2] = {&one, &ranks};
        for (int q = 0; q < 2; q++) {
            free(os[q]->rep);
            free(os[q]->pairs);
            free(os[q]->ids);
            free(os[q]->out);
        }
    }
    CHECK(c.bytes_sent == 0);
    for (int j = 0; j < 40; j++)
        free(base[j].s);
    free(b.s);
    unlink(path);
}

/* Every allocation of a run on one rank failing in turn: each gives
 * RP_ERR_NOMEM and frees what it took (LeakSanitizer in the sanitizer
 * pass), until the run needs no more. */
void test_dedup_dist_fault_injection(void)
{
    char path[] = "/tmp/reprint-distfault-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    uint64_t rs = test_seed | 13;
    test_buf b = {0}, base = {0};
    for (int w = 0; w < 40; w++) {
        test_word(&base, test_zipf(&rs), 0);
        test_puts(&base, " ");
    }
    for (int i = 0; i < 8; i++) {
        char head[48];
        snprintf(head, sizeof head, i % 3 ? "{\"id\":\"x%d\",\"text\":\"" : "{\"text\":\"", i);
        test_puts(&b, head);
        test_puts(&b, base.s);
        test_word(&b, (size_t)i, 1);
        test_puts(&b, "\"}\n");
    }
    write_text(path, b.s);
    rp_comm c = one_rank();
    char out[64];
    snprintf(out, sizeof out, "%s.out", path);
    int failures = 0;
    for (size_t k = 1; k < 100000; k++) {
        rp_dedup_opts o;
        rp_dedup_opts_init(&o);
        o.threads = 1;
        o.mem_limit = 1; /* every store on disk */
        o.comm = &c;
        const char *paths[] = {path};
        rp_dedup *d = NULL;
        rp__alloc_fail_after(k);
        rp_status st = rp_dedup_run(paths, 1, &o, &d, NULL);
        if (st == RP_OK) st = rp_dedup_write(d, out, NULL);
        size_t made = rp__alloc_fail_after(0);
        if (st == RP_OK) CHECK(rp_dedup_get_stats(d)->pairs > 0);
        rp_dedup_free(d);
        if (st == RP_OK) {
            CHECK(made < k);
            break;
        }
        CHECK_EQ(st, RP_ERR_NOMEM);
        if (st != RP_ERR_NOMEM) break;
        failures++;
    }
    CHECK(failures > 20);
    unlink(out);
    free(b.s);
    free(base.s);
    unlink(path);
}
