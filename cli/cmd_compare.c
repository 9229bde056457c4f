/* cmd_compare.c - `reprint compare A B`: the passages two documents share.
 *
 * Loads both files, runs rp_compare() and renders the result as the
 * terminal view, the JSON contract or the HTML report. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
    printf("Usage: reprint compare [options] A B\n"
           "\n"
           "Find the passages of B reused from A (and of A in B), with byte offsets into\n"
           "both files, and say whether B is derived from A. A file may be '-' for stdin.\n"
           "\n"
           "Options:\n"
           "  -f, --format FMT   text (terminal view), json (one JSON object) or html\n"
           "                     (self-contained report); default: text on a terminal,\n"
           "                     json otherwise\n"
           "  -o, --output FILE  write the result to FILE instead of stdout\n"
           "  -m, --min-words N  drop passages shorter than N words on either side\n"
           "                     (default 8)\n"
           "      --lossy        read invalid UTF-8 bytes and NUL as U+FFFD instead of\n"
           "                     failing\n"
           "      --color WHEN   colour the text view: auto (default), always, never\n"
           "  -q, --quiet        no progress bar (it shows only on a terminal, for long\n"
           "                     runs)\n"
           "  -h, --help         show this help and exit\n"
           "\n"
           "Exit status: 0 on success, 1 on bad input or I/O errors, 2 on usage errors.\n");
}

int cmd_compare(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"min-words", required_argument, NULL, 'm'},
        {"lossy", no_argument, NULL, 'L'},
        {"color", required_argument, NULL, 'C'},
        {"colour", required_argument, NULL, 'C'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_format fmt = FMT_AUTO;
    const char *output = NULL, *color_when = "auto";
    rp_text_opts topts;
    rp_compare_opts copts;
    rp_text_opts_init(&topts);
    rp_compare_opts_init(&copts);
    int ch;
    optind = 1;
    opterr = 0;
    bool quiet = false;
    while ((ch = getopt_long(argc, argv, ":f:o:m:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (!cli_parse_format(optarg, &fmt))
                return cli_usage_error("unknown format '%s' (text, json or html)", optarg);
            break;
        case 'o': output = optarg; break;
        case 'm':
            if (!cli_parse_count("--min-words", optarg, 1, CLI_MAX_COUNT, &copts.min_words))
                return EXIT_USAGE;
            break;
        case 'L': topts.lossy = 1; break;
        case 'q': quiet = true; break;
        case 'C': color_when = optarg; break;
        case 'h': help(); return EXIT_OK;
        case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("expected two files, A and B, got %d", argc - optind);
    const char *pa = argv[optind], *pb = argv[optind + 1];
    if (strcmp(pa, "-") == 0 && strcmp(pb, "-") == 0)
        return cli_usage_error("only one of A and B can be standard input");
    if (!cli_check_outputs(&output, 1, NULL, argv + optind, 2)) return EXIT_FAIL;

    int status = EXIT_FAIL;
    rp_doc *a = NULL, *b = NULL;
    rp_result *r = NULL;
    FILE *out = NULL;
    rp_error err;
    rp_status st;
    cli_progress bar;
    cli_progress_start(&bar, quiet, "reading A");
    copts.progress = cli_progress_update;
    copts.progress_user = &bar;
    if ((st = rp_doc_load(pa, &topts, &a, &err)) == RP_OK) {
        cli_progress_label(&bar, "reading B");
        st = rp_doc_load(pb, &topts, &b, &err);
    }
    if (st == RP_OK) {
        cli_progress_label(&bar, "comparing");
        st = rp_compare(a, b, &copts, &r, &err);
    }
    cli_progress_end(&bar);
    if (st != RP_OK) {
        cli_report(&err, st);
        goto done;
    }
    out = cli_open_output(output);
    if (out == NULL) goto done;
    if (fmt == FMT_AUTO) fmt = isatty(fileno(out)) ? FMT_TEXT : FMT_JSON;
    bool color = false;
    if (!cli_parse_color(color_when, out, &color)) {
        status = cli_usage_error("--color takes auto, always or never, not '%s'", color_when);
        goto done;
    }
    int rc = fmt == FMT_JSON   ? render_json(out, a, b, r)
             : fmt == FMT_HTML ? render_html(out, a, b, r)
                               : render_text(out, a, b, r, color);
    status = rc == 0 ? EXIT_OK : EXIT_FAIL;
done:
    if (out != NULL && !cli_close_output(out, output, status == EXIT_OK) && status == EXIT_OK)
        status = EXIT_FAIL;
    rp_result_free(r);
    rp_doc_free(a);
    rp_doc_free(b);
    return status;
}
