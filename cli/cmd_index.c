/* cmd_index.c - `reprint index add|remove|stats`: build and inspect a
 * persistent reuse index (an SQLite file, see reprint-index(1)).
 *
 * add reads documents as every corpus command does (rp_source: files,
 * directories, JSONL, gzip, zstd, stdin) and commits them in batches, one
 * transaction each; remove takes ids; stats describes the file. The helpers
 * at the top are shared with cmd_query.c. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- shared with cmd_query.c ------------------------------------------------ */

bool cli_index_param(int ch, const char *arg, rp_index_opts *o)
{
    size_t v;
    switch (ch) {
    case OPT_NGRAM:
        if (!cli_parse_count("--ngram", arg, 1, 32, &v)) return false;
        o->params.ngram = v;
        return true;
    case OPT_WINDOW:
        if (!cli_parse_count("--window", arg, 1, 64, &v)) return false;
        o->params.window = v;
        return true;
    case OPT_SEED: {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(arg, &end, 10);
        if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0) {
            cli_usage_error("--seed takes a whole number, not '%s'", arg);
            return false;
        }
        o->params.seed = s;
        o->seed_given = 1;
        return true;
    }
    default: return false;
    }
}

/* Widen member [*s, *e) of the object in p[0..n) to take one separating
 * comma with it: the one after it, or else the one before it. */
static void take_comma(const char *p, size_t n, size_t *s, size_t *e)
{
    size_t i = *e;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < n && p[i] == ',') {
        for (i++; i < n && (p[i] == ' ' || p[i] == '\t');)
            i++;
        *e = i;
        return;
    }
    i = *s;
    while (i > 0 && (p[i - 1] == ' ' || p[i - 1] == '\t'))
        i--;
    if (i > 0 && p[i - 1] == ',') *s = i - 1;
}

char *cli_record_meta(const rp_record *r, size_t *len)
{
    *len = 0;
    if (!r->is_json) return NULL;
    /* The reader found the text and id members (keys decoded as JSON
     * strings): the other members are kept exactly as written. */
    size_t cut[2][2] = {{r->text_member_start, r->text_member_end},
                        {r->id_member_start, r->id_member_end}};
    if (cut[1][1] != 0 && cut[1][0] > cut[0][0]) { /* the later member first */
        size_t t0 = cut[0][0], t1 = cut[0][1];
        cut[0][0] = cut[1][0], cut[0][1] = cut[1][1];
        cut[1][0] = t0, cut[1][1] = t1;
    }
    char *out = malloc(r->raw_len + 1);
    if (out == NULL) return NULL;
    memcpy(out, r->raw, r->raw_len);
    size_t o = r->raw_len;
    /* Cutting the later member first leaves the earlier one's offsets
     * valid; each cut takes one comma along. */
    for (int c = 0; c < 2; c++) {
        size_t s = cut[c][0], e = cut[c][1];
        if (e == 0) continue;
        take_comma(out, o, &s, &e);
        memmove(out + s, out + e, o - e);
        o -= e - s;
    }
    out[o] = '\0';
    /* Nothing but the braces left: no meta. */
    bool empty = true;
    for (size_t i = 0; i < o && empty; i++)
        empty = out[i] == '{' || out[i] == '}' || out[i] == ' ' || out[i] == '\t' || out[i] == '\r';
    if (empty) {
        free(out);
        return NULL;
    }
    *len = o;
    return out;
}

void cli_meta_free(char *meta)
{
    free(meta);
}

rp_index *cli_index_open(const char *path, const rp_index_opts *o)
{
    rp_index *idx = NULL;
    rp_error err;
    rp_status st = rp_index_open(path, o, &idx, &err);
    if (st != RP_OK) {
        cli_report(&err, st);
        return NULL;
    }
    return idx;
}

/* ---- index add ------------------------------------------------------------------ */

static void help_add(void)
{
    printf("Usage: reprint index add [options] INDEX INPUT...\n"
           "\n"
           "Add documents to the index INDEX, creating it if absent. INPUT is a text file,\n"
           "a JSONL file (one document per line), a directory (every file below it), or\n"
           "'-' for standard input; gzip and zstd files are read as their content.\n"
           "Documents are committed in batches, one transaction each.\n"
           "\n"
           "Options:\n"
           "      --text-field NAME  JSONL member holding the text (default \"text\")\n"
           "      --id-field NAME    JSONL member holding the id (default \"id\")\n"
           "      --skip-bad         skip (and count) bad JSONL lines and unreadable,\n"
           "                         binary, non-UTF-8 or non-JSONL files\n"
           CLI_INPUT_HELP
           "      --lossy            read invalid UTF-8 bytes and NUL as U+FFFD\n"
           "      --replace          replace a document whose id is already indexed\n"
           "                         (default: an error)\n"
           "      --skip-existing    leave out documents whose id is already indexed, so an\n"
           "                         interrupted add can be run again\n"
           "  -b, --batch N          documents per transaction (default 10000)\n"
           "      --ngram K          words per fingerprint (new index; default 5)\n"
           "      --window W         winnowing window (new index; default 8)\n"
           "      --seed S           token hash seed (new index; default 0)\n"
           "  -v, --verbose          print a line on stderr as each batch is committed\n"
           "  -q, --quiet            no progress bar\n"
           "  -h, --help             show this help and exit\n"
           "\n"
           "Exit status: 0 on success, 1 on bad input or I/O errors, 2 on usage errors.\n");
}

rp_status cli_index_add_record(rp_index *idx, const rp_record *rec, const rp_doc *doc, int flags,
                               rp_error *err)
{
    size_t meta_len;
    char *meta = cli_record_meta(rec, &meta_len);
    rp_status st = rp_index_add(idx, rec->id, rec->id_len, doc, meta, meta_len, flags, err);
    cli_meta_free(meta);
    if (st == RP_ERR_PARAM && !(flags & RP_INDEX_REPLACE) && err != NULL)
        snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                 " (use --replace to replace it, --skip-existing to leave it)");
    return st;
}

/* Commit the open batch, count it and, with -v, say so: the kill test
 * reads these lines to know what was committed. */
static rp_status commit_batch(rp_index *idx, uint64_t *added, uint64_t *batches, bool verbose,
                              rp_error *err)
{
    size_t n = rp_index_pending(idx);
    rp_status st = rp_index_commit(idx, err);
    /* A merge after the commit may fail: the batch is in all the same. */
    n = rp_index_committed(idx);
    if (st != RP_OK) {
        *added += n;
        if (n > 0) (*batches)++;
        return st;
    }
    *added += n;
    (*batches)++;
    if (verbose)
        fprintf(stderr, "%s: batch %" PRIu64 " committed: %zu documents (%" PRIu64 " added)\n",
                cli_prog, *batches, n, *added);
    return RP_OK;
}

static int index_add(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_INPUT_LONGOPTS,
        {"replace", no_argument, NULL, OPT_REPLACE},
        {"skip-existing", no_argument, NULL, OPT_SKIP_EXISTING},
        {"batch", required_argument, NULL, 'b'},
        CLI_INDEX_PARAM_LONGOPTS,
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    rp_source_opts so;
    rp_source_opts_init(&so);
    rp_index_opts io;
    rp_index_opts_init(&io);
    io.create = 1;
    size_t batch = 10000;
    bool verbose = false, quiet = false;
    int flags = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":b:vqh", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_REPLACE: flags |= RP_INDEX_REPLACE; break;
        case OPT_SKIP_EXISTING: flags |= RP_INDEX_SKIP_EXISTING; break;
        case 'b':
            if (!cli_parse_count("--batch", optarg, 1, CLI_MAX_COUNT, &batch)) return EXIT_USAGE;
            break;
        case OPT_NGRAM:
        case OPT_WINDOW:
        case OPT_SEED:
            if (!cli_index_param(ch, optarg, &io)) return EXIT_USAGE;
            break;
        case 'v': verbose = true; break;
        case 'q': quiet = true; break;
        case 'h': help_add(); return EXIT_OK;
        case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            if (cli_input_option(ch, optarg, &so)) break;
            return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if ((flags & RP_INDEX_REPLACE) && (flags & RP_INDEX_SKIP_EXISTING))
        return cli_usage_error("--replace and --skip-existing exclude each other");
    if (argc - optind < 2)
        return cli_usage_error("expected an index and at least one input ('-' for stdin)");
    const char *path = argv[optind];
    char **inputs = argv + optind + 1;
    int n_inputs = argc - optind - 1;
    /* The index (and its log files) must not be among the inputs. */
    if (!cli_check_outputs(&path, 1, NULL, inputs, (size_t)n_inputs)) return EXIT_FAIL;

    int status = EXIT_FAIL;
    rp_error err;
    rp_status st = RP_OK;
    rp_source *src = NULL;
    rp_doc *doc = NULL;
    uint64_t added = 0, batches = 0, existing = 0;
    bool remove_new_index = false;
    struct stat before;
    const bool existed = stat(path, &before) == 0;
    rp_index *idx = cli_index_open(path, &io);
    if (idx == NULL) return EXIT_FAIL;
    rp_text_opts to;
    rp_text_opts_init(&to);
    to.lossy = so.lossy;
    to.seed = rp_index_get_params(idx)->seed;
    cli_progress bar;
    cli_progress_start(&bar, quiet, "adding");
    uint64_t total = cli_input_bytes(inputs, (size_t)n_inputs);
    st = rp_source_open((const char *const *)inputs, (size_t)n_inputs, &so, &src, &err);
    const rp_record *rec;
    while (st == RP_OK && (st = rp_source_next(src, &rec, &err)) == RP_OK && rec != NULL) {
        if ((st = rp_doc_new(rec->id, rec->text, rec->text_len, &to, &doc, &err)) != RP_OK) break;
        size_t pending = rp_index_pending(idx);
        st = cli_index_add_record(idx, rec, doc, flags, &err);
        rp_doc_free(doc);
        doc = NULL;
        if (st != RP_OK) break;
        if (rp_index_pending(idx) == pending) existing++; /* --skip-existing */
        if (rp_index_pending(idx) >= batch &&
            (st = commit_batch(idx, &added, &batches, verbose, &err)) != RP_OK)
            break;
        if (total > 0) cli_progress_update(&bar, (double)rp_source_bytes(src) / (double)total);
    }
    if (st == RP_OK && rp_index_pending(idx) > 0)
        st = commit_batch(idx, &added, &batches, verbose, &err);
    cli_progress_end(&bar);
    if (st != RP_OK) {
        cli_report(&err, st);
        if (added > 0)
            cli_error("%" PRIu64 " documents were committed before the error; the batch in "
                      "progress was not",
                      added);
        else if (!existed)
            remove_new_index = true; /* this run made it, and nothing went in */
    } else {
        status = EXIT_OK;
        if (verbose) {
            size_t skipped = rp_source_skipped(src);
            fprintf(stderr, "%s: %" PRIu64 " document%s added", cli_prog, added,
                    added == 1 ? "" : "s");
            if (skipped > 0) fprintf(stderr, "; %zu malformed lines skipped", skipped);
            if (existing > 0) fprintf(stderr, "; %" PRIu64 " already indexed", existing);
            if (rp_source_skipped_files(src) > 0)
                fprintf(stderr, "; %zu files skipped", rp_source_skipped_files(src));
            fputc('\n', stderr);
        }
    }
    rp_doc_free(doc);
    rp_source_free(src);
    rp_index_free(idx);
    if (remove_new_index) {
        /* A failed first add leaves nothing: only the files it created. */
        static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
            char name[4096];
            if (snprintf(name, sizeof name, "%s%s", path, suffixes[i]) < (int)sizeof name)
                unlink(name);
        }
    }
    return status;
}

/* ---- index remove ----------------------------------------------------------------- */

static void help_remove(void)
{
    printf("Usage: reprint index remove [options] INDEX [ID...]\n"
           "\n"
           "Remove the documents with these ids from the index INDEX, in one transaction.\n"
           "An id that is not in the index is an error and nothing is removed, unless\n"
           "--ignore-missing is given.\n"
           "\n"
           "Options:\n"
           "      --ids-from FILE    also read ids from FILE, one a line ('-': stdin)\n"
           "      --ignore-missing   skip ids that are not in the index\n"
           "  -v, --verbose          print how many documents were removed\n"
           "  -h, --help             show this help and exit\n"
           "\n"
           "Exit status: 0 on success, 1 on missing ids or I/O errors, 2 on usage errors.\n");
}

/* Remove one id; a missing one is reported unless ignored. */
static rp_status remove_one(rp_index *idx, const char *id, size_t len, bool ignore,
                            uint64_t *removed, uint64_t *missing, rp_error *err)
{
    int done = 0;
    rp_status st = rp_index_remove(idx, id, len, &done, err);
    if (st != RP_OK) return st;
    if (done) {
        (*removed)++;
    } else if (!ignore) {
        cli_error("no document with id '%.*s' in the index", (int)(len > 200 ? 200 : len), id);
        (*missing)++;
    }
    return RP_OK;
}

static int index_remove(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"ids-from", required_argument, NULL, OPT_IDS_FROM},
        {"ignore-missing", no_argument, NULL, OPT_IGNORE_MISSING},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *ids_from = NULL;
    bool ignore = false, verbose = false;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_IDS_FROM: ids_from = optarg; break;
        case OPT_IGNORE_MISSING: ignore = true; break;
        case 'v': verbose = true; break;
        case 'h': help_remove(); return EXIT_OK;
        case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind < 1) return cli_usage_error("expected an index and ids to remove");
    if (argc - optind < 2 && ids_from == NULL)
        return cli_usage_error("expected ids to remove (or --ids-from FILE)");
    FILE *f = NULL;
    if (ids_from != NULL) {
        f = strcmp(ids_from, "-") == 0 ? stdin : fopen(ids_from, "r");
        if (f == NULL) {
            cli_error("%s: cannot open: %s", ids_from, strerror(errno));
            return EXIT_FAIL;
        }
    }
    int status = EXIT_FAIL;
    rp_error err;
    rp_status st = RP_OK;
    uint64_t removed = 0, missing = 0;
    char *line = NULL;
    size_t cap = 0;
    rp_index *idx = cli_index_open(argv[optind], NULL);
    if (idx == NULL) goto done;
    for (int i = optind + 1; i < argc && st == RP_OK; i++)
        st = remove_one(idx, argv[i], strlen(argv[i]), ignore, &removed, &missing, &err);
    if (f != NULL) {
        ssize_t n;
        while (st == RP_OK && (n = getline(&line, &cap, f)) >= 0) {
            size_t len = (size_t)n;
            if (len > 0 && line[len - 1] == '\n') len--;
            if (len > 0 && line[len - 1] == '\r') len--;
            if (len == 0) continue;
            st = remove_one(idx, line, len, ignore, &removed, &missing, &err);
        }
        if (st == RP_OK && ferror(f)) {
            cli_error("%s: read error: %s", ids_from, strerror(errno));
            missing++;
        }
    }
    if (st == RP_OK && missing > 0) {
        rp_index_rollback(idx);
        cli_error("nothing was removed");
        goto done;
    }
    if (st == RP_OK) st = rp_index_commit(idx, &err);
    if (st != RP_OK) {
        cli_report(&err, st);
        goto done;
    }
    if (verbose)
        fprintf(stderr, "%s: %" PRIu64 " document%s removed\n", cli_prog, removed,
                removed == 1 ? "" : "s");
    status = EXIT_OK;
done:
    free(line);
    if (f != NULL && f != stdin) fclose(f);
    rp_index_free(idx);
    return status;
}

/* ---- index stats ------------------------------------------------------------------ */

/* The one operand of stats and check, opened read-only; NULL (after a
 * message) with *status the exit status. */
static rp_index *open_the_index(int argc, char **argv, int *status)
{
    *status = EXIT_FAIL;
    if (argc - optind != 1) {
        *status = cli_usage_error("expected one index");
        return NULL;
    }
    rp_index_opts io;
    rp_index_opts_init(&io);
    io.readonly = 1;
    return cli_index_open(argv[optind], &io);
}

static void help_stats(void)
{
    printf("Usage: reprint index stats [options] INDEX\n"
           "\n"
           "Describe the index INDEX: documents, postings, segments, size on disk and the\n"
           "parameters it was built with.\n"
           "\n"
           "Options:\n"
           "  -f, --format FMT   text (default) or json (one JSON object)\n"
           "  -h, --help         show this help and exit\n"
           "\n"
           "Exit status: 0 on success, 1 on a missing, foreign or damaged index, 2 on usage\n"
           "errors.\n");
}

static int index_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_format fmt = FMT_TEXT;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (!cli_parse_format(optarg, &fmt) || fmt == FMT_HTML)
                return cli_usage_error("unknown format '%s' (text or json)", optarg);
            if (fmt == FMT_AUTO) fmt = FMT_TEXT;
            break;
        case 'h': help_stats(); return EXIT_OK;
        case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    int status;
    rp_index *idx = open_the_index(argc, argv, &status);
    if (idx == NULL) return status;
    rp_index_info info;
    rp_error err;
    rp_status st = rp_index_stats(idx, &info, &err);
    rp_index_free(idx);
    if (st != RP_OK) {
        cli_report(&err, st);
        return EXIT_FAIL;
    }
    const rp_index_params *p = &info.params;
    double per_doc = info.documents ? (double)info.file_bytes / (double)info.documents : 0;
    if (fmt == FMT_JSON) {
        printf("{\"documents\":%" PRIu64 ",\"fingerprints\":%" PRIu64 ",\"band_keys\":%" PRIu64
               ",\"segments\":%" PRIu64 ",\"tombstones\":%" PRIu64 ",\"bytes\":%" PRIu64
               ",\"free_bytes\":%" PRIu64 ",\"bytes_per_document\":%.0f,"
               "\"parameters\":{\"format_version\":%u,\"tokenizer_version\":%u,\"seed\":%llu,"
               "\"ngram\":%zu,\"window\":%zu,\"sketch_ngram\":%zu,\"sketch_hashes\":%zu,"
               "\"lsh_bands\":%zu,\"lsh_rows\":%zu}}\n",
               info.documents, info.fingerprints, info.band_keys, info.segments, info.tombstones,
               info.file_bytes, info.free_bytes, per_doc, p->format_version, p->tokenizer_version,
               (unsigned long long)p->seed, p->ngram, p->window, p->sketch_ngram, p->sketch_hashes,
               p->lsh_bands, p->lsh_rows);
    } else {
        printf("documents     %" PRIu64 "\n", info.documents);
        printf("fingerprints  %" PRIu64 " postings\n", info.fingerprints);
        printf("band keys     %" PRIu64 " postings\n", info.band_keys);
        printf("segments      %" PRIu64 "\n", info.segments);
        printf("tombstones    %" PRIu64 "\n", info.tombstones);
        printf("size on disk  %" PRIu64 " bytes (%.0f per document; %" PRIu64 " free)\n",
               info.file_bytes, per_doc, info.free_bytes);
        printf("parameters    fingerprints of %zu-word k-grams, window %zu; seed %llu;\n"
               "              MinHash %zu hashes of %zu-word shingles, LSH %zu bands x %zu "
               "rows;\n"
               "              format %u, tokenizer %u\n",
               p->ngram, p->window, (unsigned long long)p->seed, p->sketch_hashes, p->sketch_ngram,
               p->lsh_bands, p->lsh_rows, p->format_version, p->tokenizer_version);
    }
    return ferror(stdout) ? EXIT_FAIL : EXIT_OK;
}

/* ---- dispatch --------------------------------------------------------------------- */

static void help(void)
{
    printf("Usage: reprint index add [options] INDEX INPUT...\n"
           "       reprint index remove [options] INDEX ID...\n"
           "       reprint index stats [options] INDEX\n"
           "       reprint index check INDEX\n"
           "\n"
           "Build and inspect a persistent reuse index: an SQLite file of documents and\n"
           "their fingerprints, queried with 'reprint query'. Run 'reprint index ACTION\n"
           "--help' for the options of each action; see reprint-index(1).\n"
           "\n"
           "Options:\n"
           "  -h, --help   show this help and exit\n");
}

/* ---- index check ----------------------------------------------------------------- */

static int index_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            printf("Usage: reprint index check INDEX\n"
                   "\n"
                   "Check the whole index file (SQLite's integrity_check): print 'ok' and exit\n"
                   "0, or name what is damaged and exit 1. The index is opened read-only.\n"
                   "Adding to or removing from an index runs a quicker check first, and a\n"
                   "damaged index is never changed.\n");
            return EXIT_OK;
        default: return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    int status;
    rp_index *idx = open_the_index(argc, argv, &status);
    if (idx == NULL) return status;
    rp_error err;
    rp_status st = rp_index_check(idx, 1, &err);
    rp_index_free(idx);
    if (st != RP_OK) {
        cli_report(&err, st);
        return EXIT_FAIL;
    }
    printf("ok\n");
    return EXIT_OK;
}

int cmd_index(int argc, char **argv)
{
    if (argc < 2) return cli_usage_error("expected an action: add, remove, stats or check");
    const char *action = argv[1];
    if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0) {
        help();
        return EXIT_OK;
    }
    static char prog[64];
    const char *saved = cli_prog;
    snprintf(prog, sizeof prog, "%s %s", saved, action);
    int (*fn)(int, char **) = strcmp(action, "add") == 0      ? index_add
                              : strcmp(action, "remove") == 0 ? index_remove
                              : strcmp(action, "stats") == 0  ? index_stats
                              : strcmp(action, "check") == 0  ? index_check
                                                              : NULL;
    if (fn == NULL)
        return cli_usage_error("unknown action '%s' (add, remove, stats or check)", action);
    cli_prog = prog;
    int status = fn(argc - 1, argv + 1);
    cli_prog = saved;
    return status;
}
