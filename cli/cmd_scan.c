/* cmd_scan.c - `reprint scan INPUT...`: every pair of documents in a corpus
 * that share reused passages.
 *
 * Reads the inputs (and the --against inputs, as a second set) through
 * rp_source, feeds them to an rp_scan, and writes each reported pair as one
 * JSONL record (render_pair_record). Optional outputs: reuse families
 * (--clusters), boilerplate passages (--boilerplate) and an HTML report
 * (--html DIR: index.html ranking the pairs by words matched, and one
 * compare page per pair, re-aligned from the scan's text store at the end,
 * so only the top --html-max pairs are kept in memory while the scan runs).
 * A progress bar shows on a terminal, and a summary goes to stderr. */
#include "cli.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void help(void)
{
    printf("Usage: reprint scan [options] [INPUT...]\n"
           "\n"
           "Find every pair of documents in a corpus that share reused passages, and align\n"
           "them as 'reprint compare' does. INPUTs are files, directories (walked in byte\n"
           "order), JSONL files (one document per line) and gzip or zstd files; '-' or no\n"
           "INPUT reads standard input. Each pair is one JSON line: ids, containment and\n"
           "passages with byte offsets into each document's text.\n"
           "\n"
           "Output:\n"
           "  -o, --output FILE       write the pairs to FILE instead of stdout\n"
           "      --html DIR          also write a browsable report to DIR: index.html and\n"
           "                          one side-by-side page per pair\n"
           "      --html-max N        at most N pairs in the report, those matching the most\n"
           "                          words (default 10000; 0: all)\n"
           "      --clusters FILE     write reuse families (the same text in several\n"
           "                          documents) to FILE, one JSON line each\n"
           "      --date-field NAME   JSONL member with each document's date; the earliest\n"
           "                          member of a family is marked as its likely source\n"
           "      --boilerplate FILE  write the passages treated as boilerplate to FILE\n"
           "\n"
           "Search:\n"
           "      --against PATH      only pairs of an INPUT document with a document of\n"
           "                          PATH (file, directory or JSONL; may be repeated)\n"
           "  -m, --min-words N       drop passages shorter than N words (default 8)\n"
           "      --min-containment X report a pair only when at least X (0..1) of one of\n"
           "                          its documents lies in passages (default 0)\n"
           "      --max-df N          text in more than N documents is boilerplate, not\n"
           "                          reuse (default 100)\n"
           "      --min-shared N      align pairs sharing at least N fingerprints (default 4)\n"
           "\n"
           "Input:\n"
           "      --text-field NAME   JSONL member holding the text (default text)\n"
           "      --id-field NAME     JSONL member holding the id (default id)\n"
           "      --skip-bad          skip (and count) bad JSONL lines and files that are\n"
           "                         unreadable, binary, not UTF-8 or not JSONL\n"
           CLI_INPUT_HELP
           "      --lossy             read invalid UTF-8 bytes and NUL as U+FFFD\n"
           "\n"
           "Resources:\n"
           "  -j, --threads N         worker threads (default: the number of CPUs); the\n"
           "                          output does not depend on it\n"
           "      --mem-limit SIZE    memory for sorting, with K, M or G (default: a quarter\n"
           "                          of RAM, at most 3G); beyond it, sorted runs go to\n"
           "                          temporary files\n"
           "      --tmpdir DIR        temporary files (default: $TMPDIR or /tmp)\n"
           "  -q, --quiet             no progress bar and no summary\n"
           "  -h, --help              show this help and exit\n"
           "\n"
           "Exit status: 0 on success, 1 on bad input or I/O errors, 2 on usage errors.\n");
}

enum {
    SCAN_OPT_HTML = 256,
    SCAN_OPT_HTML_MAX,
    SCAN_OPT_CLUSTERS,
    SCAN_OPT_DATE_FIELD,
    SCAN_OPT_BOILERPLATE,
    SCAN_OPT_AGAINST,
    SCAN_OPT_MIN_CONTAINMENT,
    SCAN_OPT_MAX_DF,
    SCAN_OPT_MIN_SHARED,
    SCAN_OPT_MEM_LIMIT,
    SCAN_OPT_TMPDIR
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the HTML report's pairs: the top N by words matched --------------------------- */

typedef struct top_pair {
    size_t a, b;
    uint64_t matched;
    double ca, cb, sim;
    size_t passages;
} top_pair;

/* x ranks before y: more words matched, then earlier (a, b). */
static bool ranks_before(const top_pair *x, const top_pair *y)
{
    if (x->matched != y->matched) return x->matched > y->matched;
    if (x->a != y->a) return x->a < y->a;
    return x->b < y->b;
}

static int top_cmp(const void *x, const void *y)
{
    return ranks_before(x, y) ? -1 : ranks_before(y, x) ? 1 : 0;
}

/* A heap whose root is the pair ranking last, holding at most cap pairs
 * (cap 0: all, in arrival order). */
typedef struct top_heap {
    top_pair *v;
    size_t n, cap, max;
} top_heap;

static void heap_down(top_heap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < h->n && ranks_before(&h->v[w], &h->v[l])) w = l;
        if (r < h->n && ranks_before(&h->v[w], &h->v[r])) w = r;
        if (w == i) return;
        top_pair t = h->v[i];
        h->v[i] = h->v[w];
        h->v[w] = t;
        i = w;
    }
}

static bool heap_add(top_heap *h, const top_pair *p)
{
    if (h->max > 0 && h->n == h->max) {
        if (!ranks_before(p, &h->v[0])) return true;
        h->v[0] = *p;
        heap_down(h, 0);
        return true;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        top_pair *v = realloc(h->v, cap * sizeof *v);
        if (v == NULL) return false;
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    h->v[i] = *p;
    if (h->max == 0) return true; /* keep all; sorted at the end */
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ranks_before(&h->v[parent], &h->v[i])) break;
        top_pair t = h->v[i];
        h->v[i] = h->v[parent];
        h->v[parent] = t;
        i = parent;
    }
    return true;
}

/* ---- the run ----------------------------------------------------------------------------- */

typedef struct scan_cli {
    FILE *out;
    const char *out_path;
    bool html;
    top_heap top;
    cli_progress bar;
    bool write_failed;
} scan_cli;

static rp_status on_pair(void *user, const rp_scan_pair *p)
{
    scan_cli *c = user;
    if (render_pair_record(c->out, p->a_id, p->a_id_len, p->doc_a, p->b_id, p->b_id_len, p->doc_b,
                           p->result) != 0) {
        c->write_failed = true;
        return RP_ERR_IO;
    }
    if (c->html) {
        size_t n;
        const rp_passage *ps = rp_result_passages(p->result, &n);
        top_pair t = {p->a,
                      p->b,
                      0,
                      rp_result_containment_a(p->result),
                      rp_result_containment_b(p->result),
                      rp_result_similarity(p->result),
                      n};
        for (size_t i = 0; i < n; i++)
            t.matched += ps[i].tokens;
        if (!heap_add(&c->top, &t)) return RP_ERR_NOMEM;
    }
    return RP_OK;
}

static void on_stage(void *user, rp_scan_stage stage)
{
    cli_progress_label(user, stage == RP_SCAN_STAGE_INDEX ? "indexing" : "aligning");
}

/* The date of a JSONL record: member `field`, a string or a number. */
static char *record_date(const rp_record *rec, const char *field)
{
    if (!rec->is_json) return NULL;
    cJSON *root = cJSON_ParseWithLength(rec->raw, rec->raw_len);
    if (root == NULL) return NULL;
    char *date = NULL;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, field);
    if (cJSON_IsString(it) && it->valuestring != NULL) {
        date = strdup(it->valuestring);
    } else if (cJSON_IsNumber(it)) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", it->valuedouble);
        date = strdup(buf);
    }
    cJSON_Delete(root);
    return date;
}

/* Read every record of paths into the scan as set `set`. *base: input
 * bytes read before (progress), *docs: documents read before. */
static int read_inputs(rp_scan *scan, char **paths, size_t n, const rp_source_opts *so, int set,
                       const char *date_field, cli_progress *bar, uint64_t *base, uint64_t *docs,
                       size_t *skipped)
{
    rp_source *src = NULL;
    rp_error err;
    rp_status st = rp_source_open((const char *const *)paths, n, so, &src, &err);
    size_t k = 0;
    while (st == RP_OK) {
        const rp_record *rec;
        if ((st = rp_source_next(src, &rec, &err)) != RP_OK || rec == NULL) break;
        char *date = date_field != NULL ? record_date(rec, date_field) : NULL;
        rp_scan_input in = {
            rec->id, rec->id_len, rec->text, rec->text_len, date, date != NULL ? strlen(date) : 0,
            set};
        st = rp_scan_add(scan, &in, &err);
        free(date);
        if (st != RP_OK && (st == RP_ERR_UTF8 || st == RP_ERR_FORMAT || st == RP_ERR_LIMIT)) {
            /* name the record where the text came from */
            snprintf(err.path, sizeof err.path, "%s", rec->path);
            err.line = rec->line;
        }
        if (++k % 256 == 0)
            cli_progress_corpus(bar, "reading", *docs + k, *base + rp_source_bytes(src));
    }
    *docs += k;
    if (src != NULL) {
        *base += rp_source_bytes(src);
        *skipped += rp_source_skipped(src);
    }
    rp_source_free(src);
    if (st != RP_OK) {
        cli_progress_end(bar);
        cli_report(&err, st);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* ---- the optional reports -------------------------------------------------------------- */

typedef struct report_ctx {
    FILE *f;
    rp_scan *scan;
    bool failed;
} report_ctx;

static cJSON *member_obj(rp_scan *scan, size_t doc, uint64_t start, uint64_t end)
{
    cJSON *m = cJSON_CreateObject();
    if (m == NULL) return NULL;
    size_t id_len, date_len;
    const char *id = rp_scan_doc_id(scan, doc, &id_len);
    cli_json_add_bytes(m, "id", id, id_len);
    cJSON_AddNumberToObject(m, "start", (double)start);
    cJSON_AddNumberToObject(m, "end", (double)end);
    const char *date = rp_scan_doc_date(scan, doc, &date_len);
    if (date != NULL) cli_json_add_bytes(m, "date", date, date_len);
    return m;
}

static rp_status put_line(report_ctx *c, cJSON *root)
{
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (s == NULL) return RP_ERR_NOMEM;
    fputs(s, c->f);
    fputc('\n', c->f);
    cJSON_free(s);
    if (ferror(c->f)) {
        c->failed = true;
        return RP_ERR_IO;
    }
    return RP_OK;
}

/* At most `cap` bytes of text[0..len), cut at a character boundary. */
static size_t utf8_cut(const char *text, size_t len, size_t cap)
{
    if (len <= cap) return len;
    size_t n = cap;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static rp_status on_boilerplate(void *user, const rp_scan_boilerplate *b)
{
    report_ctx *c = user;
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return RP_ERR_NOMEM;
    cJSON_AddNumberToObject(root, "documents", (double)b->documents);
    cJSON_AddNumberToObject(root, "fingerprints", (double)b->fingerprints);
    cli_json_add_bytes(root, "text", b->text, strlen(b->text));
    cJSON_AddItemToObject(root, "example", member_obj(c->scan, b->doc, b->start, b->end));
    return put_line(c, root);
}

#define CLUSTER_TEXT_MAX 300

static rp_status on_cluster(void *user, const rp_scan_cluster *cl)
{
    report_ctx *c = user;
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return RP_ERR_NOMEM;
    cJSON_AddNumberToObject(root, "documents", (double)cl->documents);
    const size_t shown = cl->source != SIZE_MAX ? cl->source : 0;
    const rp_scan_member *sm = &cl->members[shown];
    if (cl->source != SIZE_MAX)
        cJSON_AddItemToObject(root, "source", member_obj(c->scan, sm->doc, sm->start, sm->end));
    /* the text of the source (or first) member, cut short */
    rp_doc *doc = NULL;
    rp_error err;
    if (rp_scan_doc(c->scan, sm->doc, &doc, &err) == RP_OK) {
        size_t len;
        const char *text = rp_doc_text(doc, &len);
        if (sm->end <= len && sm->start < sm->end) {
            size_t n = utf8_cut(text + sm->start, (size_t)(sm->end - sm->start), CLUSTER_TEXT_MAX);
            char *t = malloc(n + 4);
            if (t != NULL) {
                memcpy(t, text + sm->start, n);
                strcpy(t + n, n < sm->end - sm->start ? "\xE2\x80\xA6" : "");
                cli_json_add_bytes(root, "text", t, strlen(t));
                free(t);
            }
        }
        rp_doc_free(doc);
    }
    cJSON *arr = cJSON_AddArrayToObject(root, "members");
    for (size_t i = 0; arr != NULL && i < cl->n_members; i++)
        cJSON_AddItemToArray(
            arr, member_obj(c->scan, cl->members[i].doc, cl->members[i].start, cl->members[i].end));
    return put_line(c, root);
}

/* Write the --boilerplate or --clusters report to a temporary file; it is
 * put in place (*out, for cli_close_output) once the whole run succeeded. */
static int write_report(rp_scan *scan, const char *path, bool clusters, FILE **out)
{
    FILE *f = *out = cli_open_output(path);
    if (f == NULL) return EXIT_FAIL;
    report_ctx c = {f, scan, false};
    rp_error err;
    rp_status st = clusters ? rp_scan_list_clusters(scan, on_cluster, &c, &err)
                            : rp_scan_list_boilerplate(scan, on_boilerplate, &c, &err);
    if (c.failed) {
        cli_error("%s: write error: %s", path, strerror(errno));
        return EXIT_FAIL;
    }
    if (st != RP_OK) {
        cli_report(&err, st);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* ---- the HTML report ----------------------------------------------------------------------- */

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static bool make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) return true;
        cli_error("%s: exists and is not a directory", path);
        return false;
    }
    cli_error("%s: cannot create directory: %s", path, strerror(errno));
    return false;
}

/* Remove pair pages an earlier report left in dir beyond the n written
 * now (names of digits and ".html" only: nothing else is touched). */
static void remove_stale_pages(const char *dir, size_t n)
{
    DIR *d = opendir(dir);
    if (d == NULL) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        size_t len = strspn(name, "0123456789");
        if (len == 0 || len > 20 || strcmp(name + len, ".html") != 0) continue;
        if (strtoull(name, NULL, 10) <= n) continue;
        char *path = join_path(dir, name);
        if (path != NULL) unlink(path);
        free(path);
    }
    closedir(d);
}

static void page_name(char *buf, size_t cap, size_t rank, int width)
{
    snprintf(buf, cap, "%0*zu.html", width < 6 ? 6 : width > 20 ? 20 : width, rank);
}

static int write_html(rp_scan *scan, const char *dir, top_heap *top, const scan_html_info *info,
                      size_t min_words, cli_progress *bar)
{
    int status = EXIT_FAIL;
    char *pairs_dir = join_path(dir, "pairs"), *index_path = join_path(dir, "index.html");
    scan_html_row *rows = calloc(top->n ? top->n : 1, sizeof *rows);
    char **hrefs = calloc(top->n ? top->n : 1, sizeof *hrefs);
    if (pairs_dir == NULL || index_path == NULL || rows == NULL || hrefs == NULL) {
        cli_error("out of memory");
        goto done;
    }
    if (!make_dir(pairs_dir)) goto done;
    if (top->n > 1) qsort(top->v, top->n, sizeof *top->v, top_cmp); /* v is NULL when empty */
    int width = 6;
    for (size_t n = top->n; n >= 1000000; n /= 10)
        width++;
    rp_compare_opts copts;
    rp_compare_opts_init(&copts);
    copts.min_words = min_words;
    cli_progress_label(bar, "writing report");
    for (size_t i = 0; i < top->n; i++) {
        const top_pair *t = &top->v[i];
        char name[64], prev[80], next[80], title[64], path_rel[80];
        page_name(name, sizeof name, i + 1, width);
        snprintf(path_rel, sizeof path_rel, "pairs/%s", name);
        hrefs[i] = strdup(path_rel);
        if (hrefs[i] == NULL) {
            cli_error("out of memory");
            goto done;
        }
        rows[i] = (scan_html_row){rp_scan_doc_id(scan, t->a, NULL),
                                  rp_scan_doc_id(scan, t->b, NULL),
                                  t->matched,
                                  t->ca,
                                  t->cb,
                                  t->sim,
                                  t->passages,
                                  hrefs[i]};
        page_name(prev, sizeof prev, i, width);
        page_name(next, sizeof next, i + 2, width);
        snprintf(title, sizeof title, "pair %zu of %zu", i + 1, top->n);
        html_nav nav = {title, "../index.html", i > 0 ? prev : NULL, i + 1 < top->n ? next : NULL};
        rp_doc *a = NULL, *b = NULL;
        rp_result *r = NULL;
        rp_error err;
        rp_status st = rp_scan_doc(scan, t->a, &a, &err);
        if (st == RP_OK) st = rp_scan_doc(scan, t->b, &b, &err);
        if (st == RP_OK) st = rp_compare(a, b, &copts, &r, &err);
        if (st != RP_OK) {
            cli_report(&err, st);
        } else {
            char *path = join_path(pairs_dir, name);
            FILE *f = path != NULL ? cli_open_output(path) : NULL;
            if (f == NULL) {
                st = RP_ERR_IO;
            } else {
                int rc = render_html_page(f, a, b, r, &nav);
                if (!cli_close_output(f, path, rc == 0) || rc != 0) st = RP_ERR_IO;
                if (rc != 0) cli_error("%s: write error: %s", path, strerror(errno));
            }
            free(path);
        }
        rp_result_free(r);
        rp_doc_free(a);
        rp_doc_free(b);
        if (st != RP_OK) goto done;
        cli_progress_update(bar, (double)(i + 1) / (double)(top->n + 1));
    }
    FILE *f = cli_open_output(index_path);
    if (f == NULL) goto done;
    int rc = render_scan_index(f, rows, top->n, info);
    if (rc != 0) cli_error("%s: write error: %s", index_path, strerror(errno));
    if (cli_close_output(f, index_path, rc == 0) && rc == 0) status = EXIT_OK;
    if (status == EXIT_OK) remove_stale_pages(pairs_dir, top->n);
done:
    for (size_t i = 0; hrefs != NULL && i < top->n; i++)
        free(hrefs[i]);
    free(hrefs);
    free(rows);
    free(pairs_dir);
    free(index_path);
    return status;
}

/* ---- the summary --------------------------------------------------------------------------- */

static void human_bytes(char *buf, size_t cap, double b)
{
    if (b >= 1e9)
        snprintf(buf, cap, "%.2f GB", b / 1e9);
    else if (b >= 1e6)
        snprintf(buf, cap, "%.1f MB", b / 1e6);
    else if (b >= 1e3)
        snprintf(buf, cap, "%.1f kB", b / 1e3);
    else
        snprintf(buf, cap, "%.0f B", b);
}

static void summary(const rp_scan_stats *st, size_t skipped, double secs)
{
    struct rusage ru;
    double peak = 0;
    if (getrusage(RUSAGE_SELF, &ru) == 0) peak = (double)ru.ru_maxrss * 1024.0;
    char bytes[32], mem[32];
    human_bytes(bytes, sizeof bytes, (double)st->bytes);
    human_bytes(mem, sizeof mem, peak);
    fprintf(stderr,
            "%s: %llu documents (%s, %llu words), %llu fingerprints, %llu boilerplate, "
            "%llu candidate pairs (%llu only boilerplate), %llu pairs with %llu passages",
            cli_prog, (unsigned long long)st->documents, bytes, (unsigned long long)st->tokens,
            (unsigned long long)st->fingerprints, (unsigned long long)st->boilerplate,
            (unsigned long long)st->candidates, (unsigned long long)st->boilerplate_pairs,
            (unsigned long long)st->pairs, (unsigned long long)st->passages);
    if (skipped > 0) fprintf(stderr, ", %zu malformed lines skipped", skipped);
    if (cli_files_skipped() > 0) fprintf(stderr, ", %zu files skipped", cli_files_skipped());
    fprintf(stderr, "; %.1f s (%.0f documents/s), peak memory %s", secs,
            secs > 0 ? (double)st->documents / secs : 0.0, mem);
    if (st->spilled_runs > 0)
        fprintf(stderr, ", %llu sorted runs spilled", (unsigned long long)st->spilled_runs);
    fputc('\n', stderr);
}

static size_t default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (size_t)n;
}

/* A quarter of the RAM, as dedup, but at most 3 GiB: past that the sorts
 * gain little, and scan's peak (about 0.8 of the limit plus the document
 * table) stays under 4 GB for a million news articles. */
static size_t default_mem_limit(void)
{
    const uint64_t cap = (uint64_t)3 << 30;
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0) return (size_t)1 << 30;
    uint64_t q = (uint64_t)pages * (uint64_t)size / 4;
    if (q > cap) q = cap;
    return q > SIZE_MAX ? SIZE_MAX : (size_t)q;
}

int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"html", required_argument, NULL, SCAN_OPT_HTML},
        {"html-max", required_argument, NULL, SCAN_OPT_HTML_MAX},
        {"clusters", required_argument, NULL, SCAN_OPT_CLUSTERS},
        {"date-field", required_argument, NULL, SCAN_OPT_DATE_FIELD},
        {"boilerplate", required_argument, NULL, SCAN_OPT_BOILERPLATE},
        {"against", required_argument, NULL, SCAN_OPT_AGAINST},
        {"min-words", required_argument, NULL, 'm'},
        {"min-containment", required_argument, NULL, SCAN_OPT_MIN_CONTAINMENT},
        {"max-df", required_argument, NULL, SCAN_OPT_MAX_DF},
        {"min-shared", required_argument, NULL, SCAN_OPT_MIN_SHARED},
        CLI_INPUT_LONGOPTS,
        {"threads", required_argument, NULL, 'j'},
        {"mem-limit", required_argument, NULL, SCAN_OPT_MEM_LIMIT},
        {"tmpdir", required_argument, NULL, SCAN_OPT_TMPDIR},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    rp_scan_opts so;
    rp_scan_opts_init(&so);
    so.threads = default_threads();
    so.mem_limit = default_mem_limit();
    rp_source_opts src_opts;
    rp_source_opts_init(&src_opts);
    const char *output = NULL, *html_dir = NULL, *clusters_path = NULL, *date_field = NULL,
               *boilerplate_path = NULL;
    size_t html_max = 10000;
    char **against = NULL;
    size_t n_against = 0;
    bool quiet = false;
    int ch, status = EXIT_USAGE;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":o:m:j:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': output = optarg; break;
        case SCAN_OPT_HTML: html_dir = optarg; break;
        case SCAN_OPT_HTML_MAX:
            if (!cli_parse_count("--html-max", optarg, 0, CLI_MAX_COUNT, &html_max)) goto done;
            break;
        case SCAN_OPT_CLUSTERS:
            clusters_path = optarg;
            so.clusters = 1;
            break;
        case SCAN_OPT_DATE_FIELD: date_field = optarg; break;
        case SCAN_OPT_BOILERPLATE: boilerplate_path = optarg; break;
        case SCAN_OPT_AGAINST: {
            char **v = realloc(against, (n_against + 1) * sizeof *v);
            if (v == NULL) {
                cli_error("out of memory");
                status = EXIT_FAIL;
                goto done;
            }
            against = v;
            against[n_against++] = optarg;
            so.against = 1;
            break;
        }
        case 'm':
            if (!cli_parse_count("--min-words", optarg, 1, CLI_MAX_COUNT, &so.min_words)) goto done;
            break;
        case SCAN_OPT_MIN_CONTAINMENT:
            if (!cli_parse_fraction(optarg, &so.min_containment)) {
                cli_usage_error("--min-containment takes a number from 0 to 1, not '%s'", optarg);
                goto done;
            }
            break;
        case SCAN_OPT_MAX_DF:
            if (!cli_parse_count("--max-df", optarg, 2, RP_SCAN_MAX_DF, &so.max_df)) goto done;
            break;
        case SCAN_OPT_MIN_SHARED:
            if (!cli_parse_count("--min-shared", optarg, 1, CLI_MAX_COUNT, &so.min_shared)) goto done;
            break;
        case 'j':
            if (!cli_parse_count("--threads", optarg, 1, 256, &so.threads)) goto done;
            break;
        case SCAN_OPT_MEM_LIMIT:
            if (!cli_parse_bytes("--mem-limit", optarg, (size_t)4 << 20, CLI_MAX_MEM, &so.mem_limit)) goto done;
            break;
        case SCAN_OPT_TMPDIR: so.tmpdir = optarg; break;
        case 'q': quiet = true; break;
        case 'h':
            help();
            status = EXIT_OK;
            goto done;
        case ':': cli_usage_error("option '%s' needs an argument", argv[optind - 1]); goto done;
        default:
            if (cli_input_option(ch, optarg, &src_opts)) {
                so.lossy = src_opts.lossy;
                break;
            }
            cli_usage_error("unknown option '%s'", argv[optind - 1]);
            goto done;
        }
    }
    so.duplicate_ids = src_opts.skip_bad; /* else a repeated id is an error */
    if (date_field != NULL && clusters_path == NULL) {
        cli_usage_error("--date-field is used by --clusters; give --clusters FILE too");
        goto done;
    }
    static char dash[] = "-";
    static char *stdin_only[] = {dash};
    char **inputs = argc > optind ? argv + optind : stdin_only;
    size_t n_inputs = argc > optind ? (size_t)(argc - optind) : 1;
    size_t n_stdin = 0;
    for (size_t i = 0; i < n_inputs; i++)
        n_stdin += strcmp(inputs[i], "-") == 0;
    for (size_t i = 0; i < n_against; i++)
        n_stdin += strcmp(against[i], "-") == 0;
    if (n_stdin > 1) {
        cli_usage_error("standard input ('-') can be read only once");
        goto done;
    }

    status = EXIT_FAIL;
    scan_cli c;
    memset(&c, 0, sizeof c);
    c.html = html_dir != NULL;
    c.top.max = html_max;
    c.out_path = output;
    rp_scan *scan = NULL;
    rp_error err;
    rp_status st;
    const double t0 = now();
    FILE *boilerplate_f = NULL, *clusters_f = NULL;
    {
        const char *outputs[] = {output, boilerplate_path, clusters_path, html_dir};
        char **all = malloc((n_inputs + n_against + 1) * sizeof *all);
        if (all == NULL) {
            cli_error("out of memory");
            goto done;
        }
        memcpy(all, inputs, n_inputs * sizeof *all);
        if (n_against > 0) memcpy(all + n_inputs, against, n_against * sizeof *all);
        bool ok = cli_check_outputs(outputs, 4, NULL, all, n_inputs + n_against);
        free(all);
        if (!ok) goto done;
    }
    if (html_dir != NULL && !make_dir(html_dir)) goto done;
    c.out = cli_open_output(output);
    if (c.out == NULL) goto done;

    cli_progress_start(&c.bar, quiet, "reading");
    so.stage = on_stage;
    so.progress = cli_progress_update;
    so.progress_user = &c.bar;
    if ((st = rp_scan_new(&so, &scan, &err)) != RP_OK) {
        cli_report(&err, st);
        goto finish;
    }
    uint64_t base = 0, docs = 0;
    size_t skipped = 0;
    c.bar.total = cli_input_bytes(inputs, n_inputs);
    if (c.bar.total > 0 && n_against > 0) {
        uint64_t more = cli_input_bytes(against, n_against);
        c.bar.total = more > 0 ? c.bar.total + more : 0;
    }
    if (read_inputs(scan, inputs, n_inputs, &src_opts, 0, date_field, &c.bar, &base, &docs,
                    &skipped) != EXIT_OK)
        goto finish;
    if (n_against > 0 && read_inputs(scan, against, n_against, &src_opts, 1, date_field, &c.bar,
                                     &base, &docs, &skipped) != EXIT_OK)
        goto finish;
    st = rp_scan_run(scan, on_pair, &c, &err);
    if (st != RP_OK) {
        cli_progress_end(&c.bar);
        if (c.write_failed)
            cli_error("error writing %s: %s", output ? output : "output", strerror(errno));
        else
            cli_report(&err, st);
        goto finish;
    }
    if (boilerplate_path != NULL) {
        cli_progress_label(&c.bar, "boilerplate");
        if (write_report(scan, boilerplate_path, false, &boilerplate_f) != EXIT_OK) goto finish;
    }
    if (clusters_path != NULL) {
        cli_progress_label(&c.bar, "families");
        if (write_report(scan, clusters_path, true, &clusters_f) != EXIT_OK) goto finish;
    }
    rp_scan_stats stats;
    rp_scan_get_stats(scan, &stats);
    if (html_dir != NULL) {
        scan_html_info info = {stats.documents, stats.pairs, stats.boilerplate, so.max_df,
                               so.min_words};
        if (write_html(scan, html_dir, &c.top, &info, so.min_words, &c.bar) != EXIT_OK) goto finish;
    }
    cli_progress_end(&c.bar);
    status = EXIT_OK;
    cli_warn_duplicate_ids(stats.duplicate_ids);
    if (!quiet) summary(&stats, skipped, now() - t0);
finish:
    cli_progress_end(&c.bar);
    /* Every output is put in place only when the whole run succeeded. */
    if (boilerplate_f != NULL && !cli_close_output(boilerplate_f, boilerplate_path, status == EXIT_OK))
        status = EXIT_FAIL;
    if (clusters_f != NULL && !cli_close_output(clusters_f, clusters_path, status == EXIT_OK))
        status = EXIT_FAIL;
    if (c.out != NULL && !cli_close_output(c.out, output, status == EXIT_OK)) status = EXIT_FAIL;
    rp_scan_free(scan);
    free(c.top.v);
done:
    free(against);
    return status;
}
