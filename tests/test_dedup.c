/* test_dedup.c - LSH banding and index, and rp_dedup_run: exact verification
 * finds exactly the pairs at or above the threshold (against all pairs
 * computed directly), outputs do not depend on threads or the memory
 * budget, empty and short documents follow their rule, chaining is found
 * and split, and the deduplicated output keeps the representatives. */
#include "sketch/sketch.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t rs;

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    fputs(s, f);
    fclose(f);
}

static char *read_whole(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

void test_lsh_choose(void)
{
    size_t b, r;
    CHECK_EQ(rp_lsh_choose(0.8, 128, &b, &r), RP_OK);
    CHECK_EQ(b, 21);
    CHECK_EQ(r, 6);
    static const double ts[] = {0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
        CHECK_EQ(rp_lsh_choose(ts[i], 128, &b, &r), RP_OK);
        CHECK(b * r <= 128);
        CHECK(rp_lsh_probability(ts[i], b, r) >= 0.995);
        /* Recall first, but not at any price: far below the threshold few pairs
         * become candidates. */
        CHECK(rp_lsh_probability(ts[i] / 3, b, r) < 0.3);
        if (ts[i] >= 0.8) CHECK(rp_lsh_probability(ts[i] / 2, b, r) < 0.1);
    }
    /* datasketch's 9 x 13 for 0.8 finds 40% of the pairs at 0.8. */
    CHECK(fabs(rp_lsh_probability(0.8, 9, 13) - 0.40) < 0.02);
    CHECK_EQ(rp_lsh_probability(0, 21, 6), 0);
    CHECK_EQ(rp_lsh_probability(1, 21, 6), 1);
    CHECK_EQ(rp_lsh_choose(0, 128, &b, &r), RP_ERR_PARAM);
    CHECK_EQ(rp_lsh_choose(1.5, 128, &b, &r), RP_ERR_PARAM);
    CHECK_EQ(rp_lsh_choose(1, 1, &b, &r), RP_OK);
    CHECK(b == 1 && r == 1);
}

void test_lsh_index(void)
{
    rs = test_seed | 5;
    size_t k = 128, n = 500;
    rp_lsh *l = NULL;
    CHECK_EQ(rp_lsh_new(k, 21, 7, &l, NULL), RP_ERR_PARAM);
    CHECK_EQ(rp_lsh_new(k, 21, 6, &l, NULL), RP_OK);
    uint32_t *sigs = malloc(n * k * sizeof *sigs);
    for (size_t i = 0; i < n * k; i++)
        sigs[i] = (uint32_t)test_rand(&rs);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ(rp_lsh_add(l, 1000 + i, sigs + i * k, NULL), RP_OK);
    CHECK_EQ(rp_lsh_size(l), n);
    /* A query agreeing with signature 42 on 90% of positions finds it first;
     * an unrelated one finds nothing. */
    uint32_t q[128];
    for (size_t i = 0; i < k; i++)
        q[i] = i % 10 == 0 ? (uint32_t)test_rand(&rs) : sigs[42 * k + i];
    rp_lsh_match *m = NULL;
    size_t nm = 0;
    CHECK_EQ(rp_lsh_query(l, q, 0.5, &m, &nm, NULL), RP_OK);
    CHECK_EQ(nm, 1);
    if (nm > 0) {
        CHECK_EQ(m[0].key, 1042);
        CHECK(fabs(m[0].similarity - 115.0 / 128) < 1e-9);
    }
    rp_free(m);
    for (size_t i = 0; i < k; i++)
        q[i] = (uint32_t)test_rand(&rs);
    CHECK_EQ(rp_lsh_query(l, q, 0, &m, &nm, NULL), RP_OK);
    CHECK_EQ(nm, 0);
    CHECK(m == NULL);
    /* Two identical signatures: both returned, by key. */
    CHECK_EQ(rp_lsh_add(l, 7, sigs + 3 * k, NULL), RP_OK);
    CHECK_EQ(rp_lsh_query(l, sigs + 3 * k, 1.0, &m, &nm, NULL), RP_OK);
    CHECK_EQ(nm, 2);
    if (nm == 2) CHECK(m[0].key == 7 && m[1].key == 1003);
    rp_free(m);
    CHECK_EQ(rp_lsh_query(l, NULL, 0, &m, &nm, NULL), RP_ERR_PARAM);
    rp_lsh_free(l);
    free(sigs);
}

/* A corpus of random-word documents with edited copies: JSONL at path.
 * Returns the texts (caller frees) so truth can be computed. */
static char **make_corpus(const char *path, size_t n_base, size_t *n_docs)
{
    size_t cap = n_base * 3 + 8, n = 0;
    char **texts = calloc(cap, sizeof *texts);
    FILE *f = fopen(path, "wb");
    for (size_t i = 0; i < n_base; i++) {
        size_t words = 20 + test_rand(&rs) % 300;
        char *t = malloc(words * 8 + 1);
        size_t o = 0;
        for (size_t w = 0; w < words; w++)
            o += (size_t)sprintf(t + o, "w%u ", (unsigned)(test_rand(&rs) % 3000));
        t[o] = '\0';
        texts[n++] = t;
        /* Sometimes copies with word edits at a random rate (J from ~0.4 to 1). */
        int copies = test_rand(&rs) % 3 == 0 ? 1 + (int)(test_rand(&rs) % 2) : 0;
        for (int c = 0; c < copies; c++) {
            char *e = malloc(o * 2 + 16);
            size_t eo = 0;
            unsigned rate = (unsigned)(test_rand(&rs) % 6); /* edits per 100 words */
            const char *p = t;
            while (*p) {
                const char *sp = strchr(p, ' ');
                size_t wl = (size_t)(sp - p);
                if (test_rand(&rs) % 100 < rate)
                    eo += (size_t)sprintf(e + eo, "x%u ", (unsigned)(test_rand(&rs) % 100000));
                else {
                    memcpy(e + eo, p, wl + 1);
                    eo += wl + 1;
                }
                p = sp + 1;
            }
            e[eo] = '\0';
            texts[n++] = e;
        }
    }
    texts[n++] = strdup("");
    texts[n++] = strdup("  ... ");
    texts[n++] = strdup("Hello world");
    texts[n++] = strdup("hello, World!");
    texts[n++] = strdup("Goodbye world");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "{\"id\":\"doc%04zu\",\"text\":\"%s\",\"extra\":[1,2]}\n", i, texts[i]);
    fclose(f);
    *n_docs = n;
    return texts;
}

typedef struct run_out {
    uint64_t *pairs; /* a << 32 | b */
    double *sims;
    size_t n;
    uint64_t *rep;
    size_t n_docs;
    rp_dedup_stats st;
} run_out;

static run_out run(const char *path, rp_dedup_opts *o)
{
    run_out r;
    memset(&r, 0, sizeof r);
    rp_dedup *d = NULL;
    rp_error err;
    const char *paths[] = {path};
    rp_status st = rp_dedup_run(paths, 1, o, &d, &err);
    CHECK_EQ(st, RP_OK);
    if (st != RP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return r;
    }
    r.st = *rp_dedup_get_stats(d);
    r.n_docs = r.st.docs;
    r.pairs = malloc((r.st.pairs + 1) * sizeof *r.pairs);
    r.sims = malloc((r.st.pairs + 1) * sizeof *r.sims);
    uint64_t a, b;
    double sim;
    while (rp_dedup_next_pair(d, &a, &b, &sim, &st, NULL)) {
        CHECK(a < b);
        r.pairs[r.n] = a << 32 | b;
        r.sims[r.n++] = sim;
    }
    CHECK_EQ(r.n, r.st.pairs);
    r.rep = malloc((r.n_docs + 1) * sizeof *r.rep);
    for (size_t i = 0; i < r.n_docs; i++)
        r.rep[i] = rp_dedup_representative(d, i);
    rp_dedup_free(d);
    return r;
}

static void run_free(run_out *r)
{
    free(r->pairs);
    free(r->sims);
    free(r->rep);
}

void test_dedup_exact_truth(void)
{
    rs = test_seed | 9;
    char path[] = "/tmp/reprint-dedup-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    size_t n;
    char **texts = make_corpus(path, 250, &n);
    /* Truth: every pair, exactly. */
    uint64_t **sets = calloc(n, sizeof *sets);
    size_t *ns = calloc(n, sizeof *ns), cap, tmp_cap = 0;
    uint64_t *tmp = NULL;
    for (size_t i = 0; i < n; i++) {
        cap = 0;
        CHECK_EQ(rp__shingle_set(texts[i], strlen(texts[i]), 5, 0, &sets[i], &cap, &tmp, &tmp_cap,
                                 &ns[i]),
                 RP_OK);
    }
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    o.verify = RP_VERIFY_EXACT;
    run_out r = run(path, &o);
    size_t truth = 0, found = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (ns[i] == 0 || ns[j] == 0) continue;
            double jac = rp__set_jaccard(sets[i], ns[i], sets[j], ns[j]);
            uint64_t key = (uint64_t)i << 32 | j;
            size_t at = SIZE_MAX;
            for (size_t p = 0; p < r.n; p++)
                if (r.pairs[p] == key) at = p;
            if (jac >= 0.8) {
                truth++;
                /* The sets agree with compare's Jaccard over document tokens. */
                rp_doc *da = NULL, *db = NULL;
                CHECK_EQ(rp_doc_new("a", texts[i], strlen(texts[i]), NULL, &da, NULL), RP_OK);
                CHECK_EQ(rp_doc_new("b", texts[j], strlen(texts[j]), NULL, &db, NULL), RP_OK);
                rp__overlap ov;
                CHECK(rp__shingle_overlap(da->toks.tok, da->toks.n, db->toks.tok, db->toks.n, 5,
                                          &ov));
                CHECK(fabs(ov.jaccard - jac) < 1e-12);
                rp_doc_free(da);
                rp_doc_free(db);
                if (at != SIZE_MAX) {
                    found++;
                    CHECK(fabs(r.sims[at] - jac) < 1e-12);
                }
            } else {
                CHECK(at == SIZE_MAX); /* precision: never a pair below the threshold */
            }
        }
    CHECK(truth >= 30);
    CHECK_EQ(found, truth); /* recall: the banding keeps 99.8% at 0.8 and more above */
    CHECK_EQ(r.st.empty, 2);
    /* The two "hello world" documents are one shingle each, equal: a pair. */
    size_t hello = n - 3;
    CHECK_EQ(r.rep[hello], hello);
    CHECK_EQ(r.rep[hello + 1], hello);
    CHECK_EQ(r.rep[n - 1], n - 1); /* "Goodbye world" alone */
    CHECK_EQ(r.rep[n - 5], n - 5); /* the empty ones alone */
    CHECK_EQ(r.rep[n - 4], n - 4);

    /* auto: the same pairs (far from the threshold the signatures decide,
     * but nothing here lies within a hair of being misjudged). */
    o.verify = RP_VERIFY_AUTO;
    run_out ra = run(path, &o);
    CHECK_EQ(ra.n, r.n);
    for (size_t p = 0; p < r.n && p < ra.n; p++)
        CHECK_U64_EQ(ra.pairs[p], r.pairs[p]);
    CHECK(ra.st.exact_checks < ra.st.candidates);
    run_free(&ra);
    run_free(&r);
    for (size_t i = 0; i < n; i++) {
        free(texts[i]);
        free(sets[i]);
    }
    free(texts);
    free(sets);
    free(ns);
    rp__free(tmp);
    unlink(path);
}

void test_dedup_deterministic(void)
{
    rs = test_seed | 11;
    char path[] = "/tmp/reprint-dedup-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    size_t n;
    char **texts = make_corpus(path, 300, &n);
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    o.threads = 1;
    run_out base = run(path, &o);
    CHECK(base.n > 20);
    CHECK_EQ(base.st.spill_runs, 0);
    size_t threads[] = {2, 3, 1, 2};
    size_t mems[] = {0, 0, 64 << 10, 100 << 10}; /* tiny budgets: everything spills */
    for (size_t t = 0; t < 4; t++) {
        o.threads = threads[t];
        o.mem_limit = mems[t];
        run_out r = run(path, &o);
        if (mems[t] > 0) CHECK(r.st.spill_runs > 0);
        CHECK_EQ(r.n, base.n);
        for (size_t p = 0; p < r.n && p < base.n; p++) {
            CHECK_U64_EQ(r.pairs[p], base.pairs[p]);
            CHECK(r.sims[p] == base.sims[p]);
        }
        for (size_t i = 0; i < n; i++)
            CHECK_EQ(r.rep[i], base.rep[i]);
        CHECK_EQ(r.st.clusters, base.st.clusters);
        run_free(&r);
    }
    /* --keep longest: each representative is the longest of its cluster. */
    o.threads = 2;
    o.mem_limit = 0;
    o.keep = RP_KEEP_LONGEST;
    run_out l = run(path, &o);
    for (size_t i = 0; i < n; i++)
        CHECK(strlen(texts[l.rep[i]]) >= strlen(texts[i]));
    run_free(&l);
    run_free(&base);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    unlink(path);
}

/* The exact check reads back only the listed documents, by offset, from a
 * plain JSONL file, and the whole input again from a compressed one: the
 * same pairs and similarities either way, with escapes, CRLF line ends, a
 * byte order mark and blank lines in the file. */
void test_dedup_read_back(void)
{
    rs = test_seed | 13;
    char path[] = "/tmp/reprint-dedup-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    size_t n;
    char **texts = make_corpus(path, 200, &n);
    char *body = read_whole(path);
    /* The same documents with a byte order mark, CRLF, blank lines and
     * escapes (\u0077 is w, \/ is /) that change the raw line, not the text. */
    FILE *f = fopen(path, "wb");
    fputs("\xEF\xBB\xBF", f);
    for (char *line = body, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        for (char *c = line; c < nl; c++) {
            if (*c == 'w' && (c - line) % 3 == 0)
                fputs("\\u0077", f);
            else
                fputc(*c, f);
        }
        fputs((nl - line) % 2 ? "\r\n" : "\n\n", f);
    }
    fclose(f);
    char gz[sizeof path + 8];
    snprintf(gz, sizeof gz, "%s.gz", path);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "gzip -c %s > %s", path, gz);
    CHECK_EQ(system(cmd), 0);
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    o.verify = RP_VERIFY_EXACT;
    run_out plain = run(path, &o), packed = run(gz, &o);
    CHECK(plain.n > 10);
    CHECK(plain.st.exact_checks > 0);
    CHECK_EQ(plain.n_docs, n);
    CHECK_EQ(packed.n, plain.n);
    for (size_t p = 0; p < plain.n && p < packed.n; p++) {
        CHECK_U64_EQ(packed.pairs[p], plain.pairs[p]);
        CHECK(packed.sims[p] == plain.sims[p]);
    }
    /* The same lines split over two files of a directory: pairs across
     * them are read back from both. */
    char dir[] = "/tmp/reprint-dedup-dir-XXXXXX", part[sizeof dir + 16];
    CHECK(mkdtemp(dir) != NULL);
    char *all = read_whole(path);
    size_t half = strlen(all) / 2;
    while (all[half] != '\n')
        half++;
    for (int k = 0; k < 2; k++) {
        snprintf(part, sizeof part, "%s/%d.jsonl", dir, k);
        f = fopen(part, "wb");
        fwrite(k == 0 ? all : all + half + 1, 1, k == 0 ? half + 1 : strlen(all) - half - 1, f);
        fclose(f);
    }
    run_out split = run(dir, &o);
    CHECK_EQ(split.n, plain.n);
    for (size_t p = 0; p < plain.n && p < split.n; p++) {
        CHECK_U64_EQ(split.pairs[p], plain.pairs[p]);
        CHECK(split.sims[p] == plain.sims[p]);
    }
    for (int k = 0; k < 2; k++) {
        snprintf(part, sizeof part, "%s/%d.jsonl", dir, k);
        unlink(part);
    }
    rmdir(dir);
    free(all);
    run_free(&split);
    run_free(&plain);
    run_free(&packed);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(body);
    unlink(gz);
    unlink(path);
}

/* A, B, C overlapping windows of distinct words: A~B and B~C pass 0.8, A~C
 * does not, so C reaches A only through B. */
void test_dedup_chaining(void)
{
    char path[] = "/tmp/reprint-dedup-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    FILE *f = fopen(path, "wb");
    for (int d = 0; d < 3; d++) {
        fprintf(f, "{\"id\":\"%c\",\"text\":\"", 'A' + d);
        for (int w = d * 10; w < d * 10 + 100; w++)
            fprintf(f, "w%d ", w);
        fputs("\"}\n", f);
    }
    fclose(f);
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    run_out r = run(path, &o);
    CHECK_EQ(r.n, 2);
    CHECK_EQ(r.rep[2], 0);
    CHECK_EQ(r.st.chained, 1);
    CHECK_EQ(r.st.chained_members, 1);
    CHECK(r.st.chained_min < 0.8);
    run_free(&r);
    o.strict = 1;
    r = run(path, &o);
    CHECK_EQ(r.n, 2); /* pairs are still listed */
    CHECK_EQ(r.rep[1], 0);
    CHECK_EQ(r.rep[2], 2);
    CHECK_EQ(r.st.clusters, 1);
    CHECK_EQ(r.st.removed, 1);
    run_free(&r);
    unlink(path);
}

void test_dedup_output(void)
{
    char dir[] = "/tmp/reprint-dedup-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char in[128], txt[128], out[160];
    snprintf(in, sizeof in, "%s/a.jsonl", dir);
    snprintf(txt, sizeof txt, "%s/b.txt", dir);
    const char *body = "one two three four five six seven eight nine ten";
    char line[512];
    snprintf(line, sizeof line,
             "{\"id\":1,\"text\":\"%s\",\"keep\":\"me\"}\n{\"id\":2,\"text\":\"%s!\"}\n"
             "{\"text\":\"other words entirely here now\"}\n",
             body, body);
    write_file(in, line);
    write_file(txt, "Tab\there \"quoted\"\nnew line");
    const char *paths[] = {in, txt};
    rp_dedup *d = NULL;
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    CHECK_EQ(rp_dedup_run(paths, 2, &o, &d, NULL), RP_OK);
    const char *suffix[] = {"out.jsonl", "out.jsonl.gz", "out.jsonl.zst"};
    for (int s = 0; s < 3; s++) {
        snprintf(out, sizeof out, "%s/%s", dir, suffix[s]);
        CHECK_EQ(rp_dedup_write(d, out, NULL), RP_OK);
        /* Read it back through the corpus reader: content, not the name. */
        rp_source *src = NULL;
        const char *op[] = {out};
        CHECK_EQ(rp_source_open(op, 1, NULL, &src, NULL), RP_OK);
        const rp_record *rec;
        const char *want_ids[] = {"1", NULL, "b.txt"};
        int got = 0;
        while (rp_source_next(src, &rec, NULL) == RP_OK && rec != NULL) {
            if (got == 0) CHECK(strstr(rec->raw, "\"keep\":\"me\"") != NULL);
            if (got == 1)
                CHECK(strstr(rec->id, ":2") != NULL); /* <path>:<line> id, line 2 of out */
            if (got == 2) {
                CHECK(strstr(rec->id, want_ids[2]) != NULL);
                CHECK_STR_EQ(rec->text, "Tab\there \"quoted\"\nnew line");
            }
            got++;
        }
        CHECK_EQ(got, 3);
        rp_source_free(src);
    }
    /* An unwritable output is an error, and nothing is left behind. */
    snprintf(out, sizeof out, "%s/missing/out.jsonl", dir);
    rp_error err;
    CHECK_EQ(rp_dedup_write(d, out, &err), RP_ERR_IO);
    rp_dedup_free(d);
    char *s = read_whole(in);
    free(s);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

void test_dedup_errors(void)
{
    char path[] = "/tmp/reprint-dedup-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    write_file(path, "{\"id\":1,\"text\":\"fine\"}\n{\"id\":2,\"text\":\n");
    /* The name does not end in .jsonl, but the content is JSONL. */
    const char *paths[] = {path};
    rp_dedup *d = NULL;
    rp_error err;
    CHECK_EQ(rp_dedup_run(paths, 1, NULL, &d, &err), RP_ERR_PARSE);
    CHECK(d == NULL);
    CHECK_EQ(err.line, 2);
    CHECK_STR_EQ(err.path, path);
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    o.source.skip_bad = 1;
    CHECK_EQ(rp_dedup_run(paths, 1, &o, &d, &err), RP_OK);
    CHECK_EQ(rp_dedup_get_stats(d)->skipped, 1);
    CHECK_EQ(rp_dedup_get_stats(d)->docs, 1);
    rp_dedup_free(d);
    o.threshold = 0;
    CHECK_EQ(rp_dedup_run(paths, 1, &o, &d, &err), RP_ERR_PARAM);
    rp_dedup_opts_init(&o);
    o.bands = 30;
    o.rows = 5;
    CHECK_EQ(rp_dedup_run(paths, 1, &o, &d, &err), RP_ERR_PARAM);
    const char *missing[] = {"/nonexistent/x.jsonl"};
    CHECK_EQ(rp_dedup_run(missing, 1, NULL, &d, &err), RP_ERR_IO);
    rp_dedup_opts_init(&o);
    o.tmpdir = "/nonexistent";
    o.mem_limit = 1; /* forces temporary files at once */
    write_file(path, "{\"id\":1,\"text\":\"a b c d e f\"}\n{\"id\":2,\"text\":\"a b c d e f\"}\n");
    CHECK_EQ(rp_dedup_run(paths, 1, &o, &d, &err), RP_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent") != NULL);
    unlink(path);
}

/* The second, trusted reading of dedup gives the records of the first. */
void test_source_trusted_same(void)
{
    const char *jsonl =
        "\xEF\xBB\xBF{\"id\":\"a\\\"b\",\"text\":\"caf\\u00e9 \\ud83d\\ude00 x\\ny\"}\r\n"
        "{\"x\":{\"text\":\"nested\"},\"text\":\"top\",\"id\":42.0}\n"
        "\n"
        "{\"text\":\"no id\",\"id\":null}\n"
        "{\"id\":-7,\"text\":\"\"}\n";
    rp_source *a = NULL, *b = NULL;
    CHECK_EQ(rp__source_open_mem("t.jsonl", jsonl, strlen(jsonl), NULL, &a, NULL), RP_OK);
    CHECK_EQ(rp__source_open_mem("t.jsonl", jsonl, strlen(jsonl), NULL, &b, NULL), RP_OK);
    rp__source_trusted(b);
    int n = 0;
    for (;;) {
        const rp_record *ra, *rb;
        CHECK_EQ(rp_source_next(a, &ra, NULL), RP_OK);
        CHECK_EQ(rp_source_next(b, &rb, NULL), RP_OK);
        CHECK((ra == NULL) == (rb == NULL));
        if (ra == NULL || rb == NULL) break;
        CHECK_EQ(ra->id_len, rb->id_len);
        CHECK_EQ(ra->text_len, rb->text_len);
        CHECK(memcmp(ra->id, rb->id, ra->id_len) == 0);
        CHECK(memcmp(ra->text, rb->text, ra->text_len) == 0);
        CHECK_EQ(ra->line, rb->line);
        CHECK_EQ(ra->text_member_start, rb->text_member_start);
        CHECK_EQ(ra->id_member_end, rb->id_member_end);
        /* The member spans cover key through value. */
        CHECK(ra->text_member_end > ra->text_member_start);
        CHECK(memcmp(ra->raw + ra->text_member_start, "\"text\":", 7) == 0);
        CHECK_EQ(ra->raw[ra->text_member_end - 1], '"');
        if (ra->id_member_end > 0) CHECK(memcmp(ra->raw + ra->id_member_start, "\"id\":", 5) == 0);
        n++;
    }
    CHECK_EQ(n, 4);
    rp_source_free(a);
    rp_source_free(b);
}

/* --against: input documents near indexed ones are removed, pairs name the
 * indexed id, and rp_index_near finds them from a signature. */
void test_dedup_against(void)
{
    rs = test_seed | 13;
    char dir[] = "/tmp/reprint-dedup-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char db[128], in[128];
    snprintf(db, sizeof db, "%s/a.db", dir);
    snprintf(in, sizeof in, "%s/in.jsonl", dir);
    /* Three indexed texts of random words; the input holds a light edit of
     * the second, an exact copy of the third, and an unrelated text. */
    char *texts[4];
    for (int t = 0; t < 4; t++) {
        texts[t] = malloc(200 * 8 + 1);
        size_t o = 0;
        for (int w = 0; w < 200; w++)
            o += (size_t)sprintf(texts[t] + o, "w%u ", (unsigned)(test_rand(&rs) % 5000));
    }
    rp_index_opts io;
    rp_index_opts_init(&io);
    io.create = 1;
    rp_index *idx = NULL;
    CHECK_EQ(rp_index_open(db, &io, &idx, NULL), RP_OK);
    for (int t = 0; t < 3; t++) {
        rp_doc *doc = NULL;
        CHECK_EQ(rp_doc_new("x", texts[t], strlen(texts[t]), NULL, &doc, NULL), RP_OK);
        char id[8];
        snprintf(id, sizeof id, "arch%d", t);
        CHECK_EQ(rp_index_add(idx, id, strlen(id), doc, NULL, 0, 0, NULL), RP_OK);
        rp_doc_free(doc);
    }
    CHECK_EQ(rp_index_commit(idx, NULL), RP_OK);
    char *edited = strdup(texts[1]);
    memcpy(edited, "zz", 2); /* the first word changes */
    FILE *f = fopen(in, "wb");
    fprintf(f, "{\"id\":\"new0\",\"text\":\"%s\"}\n", texts[3]);
    fprintf(f, "{\"id\":\"new1\",\"text\":\"%s\"}\n", edited);
    fprintf(f, "{\"id\":\"new2\",\"text\":\"%s\"}\n", texts[2]);
    fclose(f);

    /* The lookup alone. */
    rp_sketcher *sk = NULL;
    CHECK_EQ(rp_sketcher_new(NULL, &sk, NULL), RP_OK);
    uint32_t sig[128];
    CHECK_EQ(rp_sketcher_sketch(sk, texts[2], strlen(texts[2]), sig, NULL, NULL), RP_OK);
    rp_index_near_match *m = NULL;
    size_t nm = 0;
    CHECK_EQ(rp_index_near(idx, sig, 0.5, &m, &nm, NULL), RP_OK);
    CHECK_EQ(nm, 1);
    if (nm == 1) {
        CHECK(m[0].similarity == 1.0);
        char *id = NULL, *text = NULL;
        size_t il, tl;
        CHECK_EQ(rp_index_document(idx, m[0].doc, &id, &il, &text, &tl, NULL), RP_OK);
        CHECK_STR_EQ(id, "arch2");
        CHECK_EQ(tl, strlen(texts[2]));
        rp_free(id);
        rp_free(text);
    }
    rp_free(m);
    CHECK_EQ(rp_index_document(idx, 999, NULL, NULL, NULL, NULL, NULL), RP_ERR_PARAM);
    rp_sketcher_free(sk);

    for (int mode = 0; mode < 3; mode++) {
        rp_dedup_opts o;
        rp_dedup_opts_init(&o);
        o.against = idx;
        o.verify = mode == 0 ? RP_VERIFY_AUTO : mode == 1 ? RP_VERIFY_EXACT : RP_VERIFY_SIGNATURE;
        rp_dedup *d = NULL;
        const char *paths[] = {in};
        CHECK_EQ(rp_dedup_run(paths, 1, &o, &d, NULL), RP_OK);
        if (d == NULL) continue;
        const rp_dedup_stats *st = rp_dedup_get_stats(d);
        CHECK_EQ(st->docs, 3);
        CHECK_EQ(st->against_docs, 2);
        CHECK_EQ(st->against_removed, 2);
        CHECK_EQ(st->removed, 2);
        CHECK_EQ(rp_dedup_representative(d, 0), 0);
        CHECK_STR_EQ(rp_dedup_id(d, rp_dedup_representative(d, 1), NULL), "arch1");
        CHECK_STR_EQ(rp_dedup_id(d, rp_dedup_representative(d, 2), NULL), "arch2");
        CHECK_EQ(rp_dedup_cluster_size(d, 2), 2);
        uint64_t a, b;
        double sim;
        int pairs = 0;
        while (rp_dedup_next_pair(d, &a, &b, &sim, NULL, NULL)) {
            CHECK(a < 3 && b >= 3);
            if (mode != 2 && a == 2) CHECK(sim == 1.0);
            pairs++;
        }
        CHECK_EQ(pairs, 2);
        rp_dedup_free(d);
    }
    /* Sketch parameters other than the index's are refused. */
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    o.against = idx;
    o.sketch.ngram = 4;
    rp_dedup *d = NULL;
    rp_error err;
    const char *paths[] = {in};
    CHECK_EQ(rp_dedup_run(paths, 1, &o, &d, &err), RP_ERR_MISMATCH);
    CHECK(strstr(err.msg, "ngram 5") != NULL && strstr(err.msg, "ngram 4") != NULL);
    rp_index_free(idx);
    for (int t = 0; t < 4; t++)
        free(texts[t]);
    free(edited);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

/* Every allocation of a run (one thread, everything spilled: the sorter,
 * signature and pair files, exact checks, -o) may fail: the run then
 * reports RP_ERR_NOMEM and frees everything (LeakSanitizer checks). */
void test_dedup_fault_injection(void)
{
    rs = test_seed | 17;
    char path[] = "/tmp/reprint-dedup-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    size_t n;
    char **texts = make_corpus(path, 12, &n);
    char out[64];
    snprintf(out, sizeof out, "%s.out", path);
    int failures = 0;
    for (size_t k = 1; k < 100000; k++) {
        rp_dedup_opts o;
        rp_dedup_opts_init(&o);
        o.threads = 1;
        o.mem_limit = 1; /* every store on disk */
        o.strict = 1;
        const char *paths[] = {path};
        rp_dedup *d = NULL;
        rp__alloc_fail_after(k);
        rp_status st = rp_dedup_run(paths, 1, &o, &d, NULL);
        if (st == RP_OK) st = rp_dedup_write(d, out, NULL);
        size_t made = rp__alloc_fail_after(0);
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
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    unlink(path);
}
