/* main.c - the reprint program: the command table, dispatch, --help and
 * --version. Each subcommand is a function in cmd_<name>.c. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"compare", cmd_compare, "find and align the passages two documents share"},
    {"dedup", cmd_dedup, "cluster the near-duplicate documents of a corpus"},
    {"scan", cmd_scan, "find every pair of documents in a corpus that share passages"},
    {"index", cmd_index, "build and inspect a persistent reuse index"},
    {"query", cmd_query, "find indexed documents a new document reuses"},
    {"serve", cmd_serve, "serve a web page and a JSON API over an index"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "Usage: reprint <command> [options] [arguments]\n"
               "       reprint help <command>\n"
               "\n"
               "reprint finds reused text: which passages one document took from another.\n"
               "\n"
               "Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n"
               "Options:\n"
               "  -h, --help     show this help and exit\n"
               "  -V, --version  show the version and exit\n"
               "\n"
               "Run 'reprint <command> --help' for a command's options; see reprint(1).\n");
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static int finish(int status)
{
    /* A full disk or closed pipe must not pass silently. */
    if (fclose(stdout) != 0 && status == EXIT_OK) {
        fprintf(stderr, "reprint: error writing output: %s\n", strerror(errno));
        return EXIT_FAIL;
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return finish(EXIT_OK);
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("reprint %s (libreprint %s)\n", RP_VERSION_STRING, rp_version());
        return finish(EXIT_OK);
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return finish(EXIT_OK);
        }
        const command *c = find(argv[2]);
        if (c == NULL) {
            fprintf(stderr, "reprint: unknown command '%s'\nTry 'reprint --help'.\n", argv[2]);
            return EXIT_USAGE;
        }
        static char help_opt[] = "--help";
        char *args[] = {argv[2], help_opt, NULL};
        static char prog[64];
        snprintf(prog, sizeof prog, "reprint %s", c->name);
        cli_prog = prog;
        return finish(c->fn(2, args));
    }
    const command *c = find(cmd);
    if (c == NULL) {
        fprintf(stderr, "reprint: unknown command '%s'\nTry 'reprint --help'.\n", cmd);
        return EXIT_USAGE;
    }
    static char prog[64];
    snprintf(prog, sizeof prog, "reprint %s", c->name);
    cli_prog = prog;
    return finish(c->fn(argc - 1, argv + 1));
}
