/* fuzz_cli_options.c - fuzz the option parsers of every command.
 *
 * Each input byte picks a token: a command word, an option of any command
 * (valid, unknown, abbreviated, with '=' attached) or an option value
 * (numbers at and past every range end, the largest 64-bit values and
 * beyond, suffixes, fractions, formats, globs). The first byte picks the
 * command. Inputs name paths under /nonexistent and standard input is
 * empty, so a command that parses its options cleanly soon stops: what is
 * fuzzed is parsing and validation. Any token may end up naming an output
 * (-o 0), so the commands run in a temporary directory, emptied after each
 * input and removed at exit. Any status other than 0, 1 or 2 (or a crash,
 * a leak, a sanitizer report) is a failure. */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tokens[] = {
    /* options of the commands */
    "-o", "--output", "-f", "--format", "-m", "--min-words", "-q", "-h", "-j", "--threads", "-t",
    "--threshold", "--pairs", "--clusters", "--keep", "--against", "--ngram", "--hashes",
    "--bands", "--rows", "--seed", "--verify", "--strict", "--explain", "--text-field",
    "--id-field", "--skip-bad", "--lossy", "--hidden", "--include", "--exclude", "--mem-limit",
    "--tmpdir", "--html", "--html-max", "--date-field", "--boilerplate", "--min-containment",
    "--max-df", "--min-shared", "--top", "-n", "--add", "--replace", "-b", "--batch",
    "--max-candidates", "--window", "--color", "--ids-from", "--ignore-missing", "-v", "-L",
    "--min", "--max-d", "--thr", "--", "-", "-qj", "-j0", "--seed=", "--max-df=3", "--bogus",
    /* values */
    "0", "1", "2", "3", "4", "31", "32", "33", "64", "65", "255", "256", "257", "4096", "4097",
    "4294967295", "4294967296", "18446744073709551615", "18446744073709551616",
    "99999999999999999999999", "-1", "1K", "1M", "4M", "1G", "1T", "2T", "16777216T", "1X",
    "0.5", "1.5", "0", "1e309", "nan", "inf", "-0", "json", "text", "html", "auto", "always",
    "never", "first", "longest", "exact", "signature", "*.txt", "[", "", "x",
    /* paths: none exists */
    "/nonexistent/a", "/nonexistent/b", "/nonexistent/dir/out", "/nonexistent/db",
    /* index actions */
    "add", "remove", "stats", "check"};
#define N_TOKENS (sizeof tokens / sizeof *tokens)

/* Arguments live in static storage: getopt may keep pointers into the
 * previous argv between calls. */
static char arena[64][40];
static char *argv_buf[66];

static char workdir[64];
static int home = -1; /* the directory the process started in */

/* Remove everything below path (files and folders the commands made). */
static void empty_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) return;
    struct dirent *e;
    char sub[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat sb;
        if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            empty_dir(sub);
            rmdir(sub);
        } else {
            unlink(sub);
        }
    }
    closedir(d);
}

static void cleanup(void)
{
    empty_dir(workdir);
    rmdir(workdir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        ready = true;
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, STDIN_FILENO);
        snprintf(workdir, sizeof workdir, "/tmp/reprint-fuzz-cli-XXXXXX");
        home = open(".", O_RDONLY | O_DIRECTORY);
        if (home < 0 || mkdtemp(workdir) == NULL) abort();
        atexit(cleanup);
    }
    if (size < 1) return 0;
    static int (*const cmds[])(int, char **) = {cmd_compare, cmd_dedup, cmd_scan, cmd_index,
                                                cmd_query};
    static const char *const names[] = {"compare", "dedup", "scan", "index", "query"};
    const size_t c = data[0] % 5;
    int argc = 0;
    snprintf(arena[argc], sizeof arena[argc], "%s", names[c]);
    argv_buf[argc] = arena[argc];
    argc++;
    for (size_t i = 1; i < size && argc < 62; i++) {
        snprintf(arena[argc], sizeof arena[argc], "%s", tokens[data[i] % N_TOKENS]);
        argv_buf[argc] = arena[argc];
        argc++;
    }
    /* always a missing input at the end, so nothing waits for standard input */
    snprintf(arena[argc], sizeof arena[argc], "/nonexistent/in");
    argv_buf[argc] = arena[argc];
    argc++;
    argv_buf[argc] = NULL;
    fflush(stdout);
    if (chdir(workdir) != 0) abort(); /* outputs land there, whatever they are named */
    int st = cmds[c](argc, argv_buf);
    if (fchdir(home) != 0) abort(); /* the replay's paths are relative */
    fflush(stdout);
    clearerr(stdout);
    empty_dir(workdir);
    if (st != 0 && st != 1 && st != 2) abort();
    return 0;
}
