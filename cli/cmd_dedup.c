/* cmd_dedup.c - `reprint dedup INPUT...`: near-duplicate clusters of a
 * corpus, as verified pairs (TSV), cluster membership (JSONL) and the input
 * without its duplicates. A thin layer over rp_dedup_run(). */
#include "cli.h"

#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void help(void)
{
    printf("Usage: reprint dedup [options] INPUT...\n"
           "\n"
           "Cluster the near-duplicate documents of a corpus: MinHash signatures of word\n"
           "n-grams, LSH banding for candidates, every candidate verified, clusters by\n"
           "union-find over verified pairs. INPUT is a JSONL file (.jsonl, .json; one\n"
           "object per line), a plain text file (one document), a directory (walked,\n"
           "sorted) or '-' for stdin; gzip and zstd are read as their content.\n"
           "\n"
           "Outputs:\n"
           "      --pairs FILE       every verified pair: id1 TAB id2 TAB similarity\n"
           "                         (id1 < id2 in byte order); '-' for stdout\n"
           "      --clusters FILE    JSONL {\"id\",\"cluster\",\"size\"} for each document in\n"
           "                         a cluster of two or more; cluster = the kept id\n"
           "  -o, --output FILE      the input without duplicates, in input order, as\n"
           "                         JSONL; .gz and .zst names are compressed\n"
           "      --keep RULE        the document kept of a cluster: first (default, in\n"
           "                         input order) or longest\n"
           "      --against DB       also match a reprint index (reprint index add): input\n"
           "                         near-duplicates of its documents are removed\n"
           "\n"
           "Similarity:\n"
           "  -t, --threshold J      Jaccard similarity of word n-gram sets (default 0.8)\n"
           "      --ngram N          words per n-gram (default 5)\n"
           "      --hashes K         values per signature (default 128)\n"
           "      --bands B          LSH bands (with --rows; default: chosen for J)\n"
           "      --rows R           values per band\n"
           "      --seed S           token hash seed (default 0)\n"
           "      --verify MODE      auto (default: exact sets; signatures only reject\n"
           "                         clear non-pairs), exact, or signature (estimates)\n"
           "      --strict           split clusters whose members joined through others,\n"
           "                         so each member is within J of its kept document\n"
           "      --explain          print the banding and its error rates, then run (or\n"
           "                         only print, without INPUT)\n"
           "\n"
           "Input:\n"
           "      --text-field NAME  JSONL member holding the text (default text)\n"
           "      --id-field NAME    JSONL member holding the id (default id; absent:\n"
           "                         path:line)\n"
           "      --skip-bad         skip (and count) bad JSONL lines and files that are\n"
           "                         unreadable, binary, not UTF-8 or not JSONL\n"
           CLI_INPUT_HELP
           "      --lossy            read invalid UTF-8 as separators instead of failing\n"
           "\n"
           "Resources:\n"
           "  -j, --threads N        sketching threads (default: all cores)\n"
           "      --mem-limit SIZE   memory budget, e.g. 256M, 2G (default: a quarter of\n"
           "                         RAM); past it, sorted runs spill to --tmpdir\n"
           "      --tmpdir DIR       temporary files (default $TMPDIR or /tmp); they are\n"
           "                         removed however the run ends\n"
           "  -q, --quiet            no progress bar and no summary\n"
           "  -h, --help             show this help and exit\n"
           "\n"
           "Exit status: 0 on success, 1 on bad input or I/O errors, 2 on usage errors.\n");
}

static void explain(const rp_dedup_opts *o, size_t bands, size_t rows)
{
    double t = o->threshold;
    double p = rp_lsh_probability(t, bands, rows);
    fprintf(stderr,
            "%s: LSH %zu bands x %zu rows of %zu hashes; a pair at J = %.2f becomes a candidate "
            "with probability %.4f (false negatives %.2f%%)\n",
            cli_prog, bands, rows, o->sketch.hashes, t, p, 100 * (1 - p));
    double fp = 0, fn = 0;
    for (int i = 0; i < 1000; i++) {
        double x = t * (i + 0.5) / 1000, y = t + (1 - t) * (i + 0.5) / 1000;
        fp += rp_lsh_probability(x, bands, rows) * t / 1000;
        fn += (1 - rp_lsh_probability(y, bands, rows)) * (1 - t) / 1000;
    }
    fprintf(stderr,
            "%s: false-positive area (candidates below J) %.4f, false-negative area (pairs "
            "above J missed) %.6f\n",
            cli_prog, fp, fn);
    fprintf(stderr, "%s: S-curve:", cli_prog);
    static const double js[] = {0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
    for (size_t i = 0; i < sizeof js / sizeof *js; i++)
        fprintf(stderr, " J=%.2f:%.3f", js[i], rp_lsh_probability(js[i], bands, rows));
    fputc('\n', stderr);
    double se = 0;
    if (o->sketch.hashes > 0) se = sqrt(t * (1 - t) / (double)o->sketch.hashes);
    fprintf(stderr,
            "%s: candidates below J are removed by verification (%s); the signature estimate has "
            "a standard error of %.3f at J\n",
            cli_prog,
            o->verify == RP_VERIFY_EXACT ? "exact shingle sets"
            : o->verify == RP_VERIFY_SIGNATURE
                ? "signatures only: pairs near J may be misjudged"
                : "signatures for clear non-pairs, exact sets for the rest",
            se);
}

/* Write s as one TSV field: backslash, tab, newline and CR escaped as \\,
 * \t, \n, \r; other control bytes (NUL included) and bytes that are not
 * valid UTF-8 as \xHH, so the field is valid UTF-8 text whatever the id. */
static void tsv_field(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned cp;
        size_t len;
        if (p[i] >= 0x80 && (len = cli_utf8_seq(p + i, n - i, &cp)) > 0) {
            fwrite(s + i, 1, len, f);
            i += len - 1;
        } else if (p[i] >= 0x80 || p[i] == 0x7F || (p[i] < 0x20 && c != '\t' && c != '\n' && c != '\r'))
            fprintf(f, "\\x%02x", p[i]);
        else if (c == '\\')
            fputs("\\\\", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\r')
            fputs("\\r", f);
        else
            fputc(c, f);
    }
}

static int id_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c != 0) return c;
    return na < nb ? -1 : na > nb;
}

static bool write_pairs(rp_dedup *d, FILE *f)
{
    uint64_t a, b;
    double sim;
    rp_status st;
    rp_error err;
    while (rp_dedup_next_pair(d, &a, &b, &sim, &st, &err)) {
        size_t na, nb;
        const char *ia = rp_dedup_id(d, a, &na), *ib = rp_dedup_id(d, b, &nb);
        if (id_cmp(ia, na, ib, nb) > 0) {
            const char *t = ia;
            ia = ib;
            ib = t;
            size_t tn = na;
            na = nb;
            nb = tn;
        }
        tsv_field(f, ia, na);
        fputc('\t', f);
        tsv_field(f, ib, nb);
        fprintf(f, "\t%.4f\n", sim);
    }
    if (st != RP_OK) {
        cli_report(&err, st);
        return false;
    }
    return true;
}

static bool write_clusters(rp_dedup *d, FILE *f)
{
    uint64_t n = rp_dedup_get_stats(d)->docs;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t size = rp_dedup_cluster_size(d, i);
        if (size < 2) continue;
        cJSON *o = cJSON_CreateObject();
        if (o == NULL) return false;
        size_t id_len, rep_len;
        const char *id = rp_dedup_id(d, i, &id_len);
        const char *rep = rp_dedup_id(d, rp_dedup_representative(d, i), &rep_len);
        cli_json_add_bytes(o, "id", id, id_len);
        cli_json_add_bytes(o, "cluster", rep, rep_len);
        cJSON_AddNumberToObject(o, "size", (double)size);
        char *s = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (s == NULL) return false;
        fputs(s, f);
        fputc('\n', f);
        cJSON_free(s);
    }
    return true;
}

static void on_progress(void *user, int stage, uint64_t docs, uint64_t bytes)
{
    cli_progress *bar = user;
    static const char *labels[] = {"sketching", "candidates", "exact check", "clustering"};
    cli_progress_corpus(bar, labels[stage & 3], docs, bytes);
}

static void summary(const rp_dedup *d)
{
    const rp_dedup_stats *s = rp_dedup_get_stats(d);
    struct rusage ru;
    double peak = 0;
    if (getrusage(RUSAGE_SELF, &ru) == 0) peak = (double)ru.ru_maxrss / 1024.0;
    fprintf(stderr,
            "%s: %llu documents (%.1f MB) in %.2f s (%.0f docs/s): %llu clusters, %llu removed, "
            "%llu pairs from %llu candidates (%llu checked exactly); LSH %zu x %zu; peak memory "
            "%.0f MB%s\n",
            cli_prog, (unsigned long long)s->docs, (double)s->bytes / 1e6, s->seconds,
            s->seconds > 0 ? (double)s->docs / s->seconds : 0, (unsigned long long)s->clusters,
            (unsigned long long)s->removed, (unsigned long long)s->pairs,
            (unsigned long long)s->candidates, (unsigned long long)s->exact_checks, s->bands,
            s->rows, peak, cli_comm != NULL ? " on rank 0" : "");
    if (cli_comm != NULL) {
        static const char *stage[5] = {"read+sketch", "candidates", "verify", "exact",
                                       "gather+cluster"};
        fprintf(stderr,
                "%s: on %d rank%s: %.1f MB exchanged (%.0f bytes per document); largest peak "
                "memory %.0f MB (rank %d); slowest rank per stage:",
                cli_prog, s->ranks, s->ranks == 1 ? "" : "s", (double)s->bytes_exchanged / 1e6,
                s->docs ? (double)s->bytes_exchanged / (double)s->docs : 0,
                (double)s->rank_peak_bytes / 1048576.0, s->rank_peak);
        for (int i = 0; i < 5; i++)
            fprintf(stderr, "%s %s %.2f s (rank %d)", i ? "," : "", stage[i], s->stage_seconds[i],
                    s->stage_slowest[i]);
        fputc('\n', stderr);
    }
    if (s->against_docs > 0 || s->against_candidates > 0)
        fprintf(stderr,
                "%s: against the index: %llu input documents removed as near duplicates of %llu "
                "indexed documents\n",
                cli_prog, (unsigned long long)s->against_removed,
                (unsigned long long)s->against_docs);
    if (s->empty > 0)
        fprintf(stderr, "%s: %llu documents without words were left out of pairing\n", cli_prog,
                (unsigned long long)s->empty);
    if (s->skipped > 0)
        fprintf(stderr, "%s: %llu malformed lines skipped (--skip-bad)\n", cli_prog,
                (unsigned long long)s->skipped);
    cli_warn_duplicate_ids(s->duplicate_ids);
    if (s->skipped_files > 0)
        fprintf(stderr, "%s: %llu files skipped (--skip-bad)\n", cli_prog,
                (unsigned long long)s->skipped_files);
    if (s->chained > 0)
        fprintf(stderr,
                "%s: %llu clusters hold %llu members that are not verified within the threshold "
                "of their kept document (chaining; lowest estimated similarity %.2f)%s\n",
                cli_prog, (unsigned long long)s->chained, (unsigned long long)s->chained_members,
                s->chained_min, " ; --strict splits them");
    if (s->big_buckets > 0)
        fprintf(stderr,
                "%s: %llu LSH buckets held more than 65 documents (mass duplicates): each was "
                "paired with the 64 before it, so not every pair of them is listed\n",
                cli_prog, (unsigned long long)s->big_buckets);
    if (s->spill_runs > 0)
        fprintf(stderr, "%s: %llu sorted runs spilled to temporary files (--mem-limit)\n", cli_prog,
                (unsigned long long)s->spill_runs);
}

int cmd_dedup(int argc, char **argv)
{
    enum {
        O_PAIRS = 256,
        O_CLUSTERS,
        O_KEEP,
        O_NGRAM,
        O_HASHES,
        O_BANDS,
        O_ROWS,
        O_SEED,
        O_VERIFY,
        O_STRICT,
        O_EXPLAIN,
        O_MEM,
        O_TMPDIR,
        O_AGAINST
    };
    static const struct option longopts[] = {
        {"pairs", required_argument, NULL, O_PAIRS},
        {"clusters", required_argument, NULL, O_CLUSTERS},
        {"output", required_argument, NULL, 'o'},
        {"keep", required_argument, NULL, O_KEEP},
        {"against", required_argument, NULL, O_AGAINST},
        {"threshold", required_argument, NULL, 't'},
        {"ngram", required_argument, NULL, O_NGRAM},
        {"hashes", required_argument, NULL, O_HASHES},
        {"bands", required_argument, NULL, O_BANDS},
        {"rows", required_argument, NULL, O_ROWS},
        {"seed", required_argument, NULL, O_SEED},
        {"verify", required_argument, NULL, O_VERIFY},
        {"strict", no_argument, NULL, O_STRICT},
        {"explain", no_argument, NULL, O_EXPLAIN},
        CLI_INPUT_LONGOPTS,
        {"threads", required_argument, NULL, 'j'},
        {"mem-limit", required_argument, NULL, O_MEM},
        {"tmpdir", required_argument, NULL, O_TMPDIR},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    rp_dedup_opts o;
    rp_dedup_opts_init(&o);
    const char *pairs = NULL, *clusters = NULL, *output = NULL, *against = NULL;
    bool quiet = false, want_explain = false;
    size_t v;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":o:t:j:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case O_PAIRS: pairs = optarg; break;
        case O_CLUSTERS: clusters = optarg; break;
        case 'o': output = optarg; break;
        case O_KEEP:
            if (strcmp(optarg, "first") == 0)
                o.keep = RP_KEEP_FIRST;
            else if (strcmp(optarg, "longest") == 0)
                o.keep = RP_KEEP_LONGEST;
            else
                return cli_usage_error("--keep takes first or longest, not '%s'", optarg);
            break;
        case 't':
            if (!cli_parse_fraction(optarg, &o.threshold) || o.threshold == 0)
                return cli_usage_error("--threshold takes a number in (0, 1], not '%s'", optarg);
            break;
        case O_NGRAM:
            if (!cli_parse_count("--ngram", optarg, 1, 32, &o.sketch.ngram)) return EXIT_USAGE;
            break;
        case O_HASHES:
            if (!cli_parse_count("--hashes", optarg, 1, RP_SKETCH_MAX_HASHES, &o.sketch.hashes))
                return EXIT_USAGE;
            break;
        case O_BANDS:
            if (!cli_parse_count("--bands", optarg, 1, RP_SKETCH_MAX_HASHES, &o.bands))
                return EXIT_USAGE;
            break;
        case O_ROWS:
            if (!cli_parse_count("--rows", optarg, 1, RP_SKETCH_MAX_HASHES, &o.rows))
                return EXIT_USAGE;
            break;
        case O_SEED:
            if (!cli_parse_size(optarg, &v))
                return cli_usage_error("--seed takes a whole number, not '%s'", optarg);
            o.sketch.seed = v;
            break;
        case O_VERIFY:
            if (strcmp(optarg, "auto") == 0)
                o.verify = RP_VERIFY_AUTO;
            else if (strcmp(optarg, "exact") == 0)
                o.verify = RP_VERIFY_EXACT;
            else if (strcmp(optarg, "signature") == 0)
                o.verify = RP_VERIFY_SIGNATURE;
            else
                return cli_usage_error("--verify takes auto, exact or signature, not '%s'", optarg);
            break;
        case O_STRICT: o.strict = 1; break;
        case O_EXPLAIN: want_explain = true; break;
        case 'j':
            if (!cli_parse_count("--threads", optarg, 1, 256, &o.threads)) return EXIT_USAGE;
            break;
        case O_MEM:
            if (!cli_parse_bytes("--mem-limit", optarg, (size_t)1 << 20, CLI_MAX_MEM, &o.mem_limit))
                return EXIT_USAGE;
            break;
        case O_TMPDIR: o.tmpdir = optarg; break;
        case O_AGAINST: against = optarg; break;
        case 'q': quiet = true; break;
        case 'h': help(); return EXIT_OK;
        case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            if (cli_input_option(ch, optarg, &o.source)) {
                o.sketch.lossy = o.source.lossy;
                break;
            }
            return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if ((o.bands == 0) != (o.rows == 0)) return cli_usage_error("--bands and --rows go together");
    if (o.bands > 0 && o.bands > o.sketch.hashes / o.rows)
        return cli_usage_error("--bands x --rows (%zu x %zu) must fit in --hashes %zu", o.bands,
                               o.rows, o.sketch.hashes);
    size_t bands = o.bands, rows = o.rows;
    if (bands == 0) rp_lsh_choose(o.threshold, o.sketch.hashes, &bands, &rows);
    if (want_explain) explain(&o, bands, rows);
    int n_inputs = argc - optind;
    if (n_inputs == 0) {
        if (want_explain) return EXIT_OK;
        return cli_usage_error("expected at least one INPUT (a file, a directory or '-')");
    }
    int n_stdout = (pairs && strcmp(pairs, "-") == 0) + (clusters && strcmp(clusters, "-") == 0) +
                   (output && strcmp(output, "-") == 0);
    if (n_stdout > 1) return cli_usage_error("only one output can go to standard output");
    if (pairs == NULL && clusters == NULL && output == NULL && quiet)
        return cli_usage_error("nothing to do: give --pairs, --clusters or -o (or drop -q)");
    if (cli_comm != NULL) { /* reprint-mpi: rank 0 writes, reports and shows progress */
        bool has_stdin = false;
        for (int i = optind; i < argc; i++)
            has_stdin |= strcmp(argv[i], "-") == 0;
        if (against != NULL || has_stdin || o.strict) /* the message once, from rank 0 */
            return cli_usage_error("%s cannot be used on ranks",
                                   against    ? "--against"
                                   : o.strict ? "--strict"
                                              : "standard input ('-')");
        o.comm = cli_comm;
        if (!cli_is_root()) { /* with -o, every rank sends its kept documents */
            quiet = true;
            pairs = clusters = NULL;
        }
    }

    /* On ranks, rank 0 checks the outputs and ends the job when they are refused. */
    const char *outputs[] = {output, pairs, clusters};
    if (cli_is_root() &&
        !cli_check_outputs(outputs, 3, against, argv + optind, (size_t)n_inputs)) {
        cli_dist_abort(EXIT_FAIL);
        return EXIT_FAIL;
    }
    rp_index *idx = NULL;
    if (against != NULL) {
        rp_index_opts io;
        rp_index_opts_init(&io);
        io.readonly = 1;
        rp_error ierr;
        rp_status ist = rp_index_open(against, &io, &idx, &ierr);
        if (ist != RP_OK) {
            cli_report(&ierr, ist);
            return EXIT_FAIL;
        }
        o.against = idx;
    }
    cli_progress bar;
    cli_progress_start(&bar, quiet, "sketching");
    cli_dist_progress(&bar, quiet);
    bar.total = cli_input_bytes(argv + optind, (size_t)n_inputs);
    o.progress = on_progress;
    o.progress_user = &bar;
    rp_dedup *d = NULL;
    rp_error err;
    rp_status st =
        rp_dedup_run((const char *const *)(argv + optind), (size_t)n_inputs, &o, &d, &err);
    int status = EXIT_OK;
    if (st != RP_OK) {
        cli_progress_end(&bar);
        cli_dist_name_rank();
        cli_report(&err, st);
        rp_index_free(idx);
        cli_dist_abort(EXIT_FAIL); /* the other ranks wait for this one */
        return EXIT_FAIL;
    }
    /* --pairs and --clusters go to temporary files first and are put in
     * place only when -o (which rp_dedup_write() puts in place itself) was
     * written too, so a failed run leaves the previous files. */
    FILE *pf = NULL, *cf = NULL;
    if (pairs != NULL && ((pf = cli_open_output(pairs)) == NULL || !write_pairs(d, pf)))
        status = EXIT_FAIL;
    if (status == EXIT_OK && clusters != NULL &&
        ((cf = cli_open_output(clusters)) == NULL || !write_clusters(d, cf)))
        status = EXIT_FAIL;
    if (status == EXIT_OK && output != NULL && (st = rp_dedup_write(d, output, &err)) != RP_OK) {
        cli_progress_end(&bar);
        cli_dist_name_rank();
        cli_report(&err, st);
        status = EXIT_FAIL;
    }
    cli_progress_end(&bar);
    if (pf != NULL && !cli_close_output(pf, pairs, status == EXIT_OK)) status = EXIT_FAIL;
    if (cf != NULL && !cli_close_output(cf, clusters, status == EXIT_OK)) status = EXIT_FAIL;
    if (status != EXIT_OK) cli_dist_abort(status); /* on ranks: the others may be waiting */
    if (!quiet) summary(d);
    rp_dedup_free(d);
    rp_index_free(idx);
    return status;
}
