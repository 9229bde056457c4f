/* cmd_query.c - `reprint query INDEX INPUT...`: the indexed documents each
 * input document shares passages with, best first.
 *
 * Inputs are read like `reprint index add` reads them (one document per
 * plain file or JSONL line). Each is queried with rp_index_query() and its
 * matches are printed as the terminal view of compare or as JSONL pair
 * records (a: the indexed document, b: the query). With --add each is then
 * added to the index, committed in batches, so a stream of new articles is
 * checked against everything seen before it. */
#include "cli.h"

#include <getopt.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
    printf("Usage: reprint query [options] INDEX INPUT...\n"
           "\n"
           "Find the indexed documents that share passages with each input document,\n"
           "ranked by shared length, with the passages 'reprint compare INDEXED INPUT'\n"
           "reports. INPUT is a text file, a JSONL file (one document per line), a\n"
           "directory, or '-' for standard input; gzip and zstd files are read as their\n"
           "content.\n"
           "\n"
           "Options:\n"
           "  -f, --format FMT         text (the terminal view of compare) or json (one\n"
           "                           JSONL record per match, best first); default: text\n"
           "                           on a terminal, json otherwise\n"
           "  -o, --output FILE        write the matches to FILE instead of stdout\n"
           "  -n, --top N              at most N matches per document (default 10; 0: all)\n"
           "      --min-containment X  keep a match only if it covers at least X (0..1) of\n"
           "                           the indexed document or of the query (default 0)\n"
           "      --add                add each document to the index after querying it,\n"
           "                           creating the index if absent\n"
           "      --replace            with --add: replace a document whose id is indexed\n"
           "  -b, --batch N            with --add: documents per transaction (default 10000)\n"
           "      --text-field NAME    JSONL member holding the text (default \"text\")\n"
           "      --id-field NAME      JSONL member holding the id (default \"id\")\n"
           "      --skip-bad           skip (and count) bad JSONL lines and unreadable,\n"
           "                         binary, non-UTF-8 or non-JSONL files\n"
           CLI_INPUT_HELP
           "      --lossy              read invalid UTF-8 bytes and NUL as U+FFFD\n"
           "  -m, --min-words N        drop passages shorter than N words (default 8)\n"
           "      --min-shared N       fingerprints a candidate must share (default 2)\n"
           "      --max-candidates N   candidates aligned per document (default 20, or\n"
           "                           --top if that is more)\n"
           "      --max-df N           ignore fingerprints found in more than N indexed\n"
           "                           documents (default 1000; 0: no limit)\n"
           "      --ngram K            require the index's fingerprint size to be K\n"
           "      --window W           require the index's winnowing window to be W\n"
           "      --seed S             require the index's token hash seed to be S\n"
           "      --color WHEN         colour the text view: auto (default), always, never\n"
           "  -q, --quiet              no progress bar\n"
           "  -h, --help               show this help and exit\n"
           "\n"
           "Exit status: 0 on success (with or without matches), 1 on bad input or I/O\n"
           "errors, 2 on usage errors.\n");
}

/* Print the matches of one query document; 0 or -1 on a write error. */
static int print_matches(FILE *out, cli_format fmt, bool color, const rp_index_matches *m,
                         const char *b_id, size_t b_id_len, const rp_doc *b)
{
    size_t n = rp_index_matches_count(m), id_len;
    if (fmt == FMT_JSON) {
        for (size_t i = 0; i < n; i++) {
            const char *id = rp_index_match_id(m, i, &id_len);
            if (render_pair_record(out, id, id_len, rp_index_match_doc(m, i), b_id, b_id_len, b,
                                   rp_index_match_result(m, i)) != 0)
                return -1;
        }
        return 0;
    }
    /* Ids may hold any byte: shown without control characters or bad UTF-8. */
    const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
    fprintf(out, "%sQuery ", bold);
    cli_put_text(out, b_id, b_id_len, true);
    if (n == 0) {
        fprintf(out, "%s: no match\n", reset);
        return ferror(out) ? -1 : 0;
    }
    fprintf(out, "%s: %zu match%s\n", reset, n, n == 1 ? "" : "es");
    for (size_t i = 0; i < n; i++) {
        const char *id = rp_index_match_id(m, i, &id_len);
        fprintf(out, "\n%s=== match %zu of %zu: ", bold, i + 1, n);
        cli_put_text(out, id, id_len, true);
        fprintf(out, "%s (%zu fingerprints shared)\n", reset, rp_index_match_shared(m, i));
        if (render_text(out, rp_index_match_doc(m, i), b, rp_index_match_result(m, i), color) != 0)
            return -1;
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

int cmd_query(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"top", required_argument, NULL, 'n'},
        {"min-containment", required_argument, NULL, OPT_MIN_CONTAINMENT},
        {"add", no_argument, NULL, OPT_ADD},
        {"replace", no_argument, NULL, OPT_REPLACE},
        {"batch", required_argument, NULL, 'b'},
        CLI_INPUT_LONGOPTS,
        {"min-words", required_argument, NULL, 'm'},
        {"min-shared", required_argument, NULL, OPT_MIN_SHARED},
        {"max-candidates", required_argument, NULL, OPT_MAX_CANDIDATES},
        {"max-df", required_argument, NULL, OPT_MAX_DF},
        CLI_INDEX_PARAM_LONGOPTS,
        {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_format fmt = FMT_AUTO;
    const char *output = NULL, *color_when = "auto";
    rp_source_opts so;
    rp_source_opts_init(&so);
    rp_index_opts io;
    rp_index_opts_init(&io);
    rp_index_query_opts qo;
    rp_index_query_opts_init(&qo);
    size_t batch = 10000;
    bool add = false, quiet = false;
    int flags = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":f:o:n:b:m:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (!cli_parse_format(optarg, &fmt) || fmt == FMT_HTML)
                return cli_usage_error("unknown format '%s' (text or json)", optarg);
            break;
        case 'o': output = optarg; break;
        case 'n':
            if (!cli_parse_count("--top", optarg, 0, CLI_MAX_COUNT, &qo.top)) return EXIT_USAGE;
            break;
        case OPT_MIN_CONTAINMENT:
            if (!cli_parse_fraction(optarg, &qo.min_containment))
                return cli_usage_error("--min-containment takes a number from 0 to 1, not '%s'",
                                       optarg);
            break;
        case OPT_ADD: add = true; break;
        case OPT_REPLACE: flags |= RP_INDEX_REPLACE; break;
        case 'b':
            if (!cli_parse_count("--batch", optarg, 1, CLI_MAX_COUNT, &batch)) return EXIT_USAGE;
            break;
        case 'm':
            if (!cli_parse_count("--min-words", optarg, 1, CLI_MAX_COUNT, &qo.compare.min_words))
                return EXIT_USAGE;
            break;
        case OPT_MIN_SHARED:
            if (!cli_parse_count("--min-shared", optarg, 1, CLI_MAX_COUNT, &qo.min_shared))
                return EXIT_USAGE;
            break;
        case OPT_MAX_CANDIDATES:
            if (!cli_parse_count("--max-candidates", optarg, 1, CLI_MAX_COUNT, &qo.max_candidates))
                return EXIT_USAGE;
            break;
        case OPT_MAX_DF:
            if (!cli_parse_count("--max-df", optarg, 0, CLI_MAX_COUNT, &qo.max_df)) return EXIT_USAGE;
            break;
        case OPT_NGRAM:
        case OPT_WINDOW:
        case OPT_SEED:
            if (!cli_index_param(ch, optarg, &io)) return EXIT_USAGE;
            break;
        case OPT_COLOR: color_when = optarg; break;
        case 'q': quiet = true; break;
        case 'h': help(); return EXIT_OK;
        case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            if (cli_input_option(ch, optarg, &so)) break;
            return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind < 2)
        return cli_usage_error("expected an index and at least one input ('-' for stdin)");
    if (!add && (flags & RP_INDEX_REPLACE)) return cli_usage_error("--replace needs --add");
    const char *path = argv[optind];
    char **inputs = argv + optind + 1;
    int n_inputs = argc - optind - 1;
    if (!cli_check_outputs(&output, 1, path, inputs, (size_t)n_inputs)) return EXIT_FAIL;

    int status = EXIT_FAIL;
    rp_error err;
    rp_status st = RP_OK;
    rp_source *src = NULL;
    rp_doc *doc = NULL;
    rp_index_matches *m = NULL;
    FILE *out = NULL;
    io.create = add;
    io.readonly = !add;
    rp_index *idx = cli_index_open(path, &io);
    if (idx == NULL) return EXIT_FAIL;
    out = cli_open_output(output);
    if (out == NULL) goto done;
    if (fmt == FMT_AUTO) fmt = isatty(fileno(out)) ? FMT_TEXT : FMT_JSON;
    bool color = false;
    if (!cli_parse_color(color_when, out, &color)) {
        status = cli_usage_error("--color takes auto, always or never, not '%s'", color_when);
        goto done;
    }
    rp_text_opts to;
    rp_text_opts_init(&to);
    to.lossy = so.lossy;
    to.seed = rp_index_get_params(idx)->seed;
    cli_progress bar;
    cli_progress_start(&bar, quiet || (out == stdout && isatty(fileno(stdout))), "querying");
    uint64_t total = cli_input_bytes(inputs, (size_t)n_inputs);
    st = rp_source_open((const char *const *)inputs, (size_t)n_inputs, &so, &src, &err);
    const rp_record *rec;
    bool write_failed = false;
    while (st == RP_OK && (st = rp_source_next(src, &rec, &err)) == RP_OK && rec != NULL) {
        if ((st = rp_doc_new(rec->id, rec->text, rec->text_len, &to, &doc, &err)) != RP_OK) break;
        if ((st = rp_index_query(idx, doc, &qo, &m, &err)) != RP_OK) break;
        if (print_matches(out, fmt, color, m, rec->id, rec->id_len, doc) != 0) {
            write_failed = true;
            break;
        }
        rp_index_matches_free(m);
        m = NULL;
        if (add) {
            st = cli_index_add_record(idx, rec, doc, flags, &err);
            if (st == RP_OK && rp_index_pending(idx) >= batch) st = rp_index_commit(idx, &err);
        }
        rp_doc_free(doc);
        doc = NULL;
        if (total > 0) cli_progress_update(&bar, (double)rp_source_bytes(src) / (double)total);
    }
    if (st == RP_OK && !write_failed && add) st = rp_index_commit(idx, &err);
    cli_progress_end(&bar);
    if (write_failed) {
        cli_error("%s: write error: %s", output != NULL ? output : "standard output",
                  strerror(errno));
    } else if (st != RP_OK) {
        cli_report(&err, st);
        if (add) cli_error("the batch in progress was not added");
    } else {
        status = EXIT_OK;
    }
done:
    if (out != NULL && !cli_close_output(out, output, status == EXIT_OK) && status == EXIT_OK)
        status = EXIT_FAIL;
    rp_index_matches_free(m);
    rp_doc_free(doc);
    rp_source_free(src);
    rp_index_free(idx);
    return status;
}
