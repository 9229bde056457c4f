/* fuzz_decompress.c - fuzz the decompressing readers on files.
 *
 * The first byte chooses the file name (".gz", ".zst" or none: the codec
 * is chosen by content either way) and whether the file is read as a byte
 * stream or as a corpus (rp_source, which sniffs JSONL and reads plain text
 * as one record). The rest is written to a temporary file and read to the
 * end or the first error, at most 64 MiB of output (a small input can
 * inflate to far more). Errors must be the documented ones and name the
 * file; the bytes read must be what was counted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) abort();
}

static char dir[64];

static void cleanup(void)
{
    rmdir(dir); /* each input's file is removed after it is read */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (dir[0] == '\0') {
        snprintf(dir, sizeof dir, "/tmp/reprint-fuzz-XXXXXX");
        if (mkdtemp(dir) == NULL) abort();
        atexit(cleanup);
    }
    static const char *const names[] = {"f.gz", "f.zst", "f", "f.txt.gz"};
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, names[data[0] & 3]);
    FILE *f = fopen(path, "wb");
    if (f == NULL) abort();
    if (size > 1) fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    rp_error err;
    if (data[0] & 4) {
        rp_source_opts o;
        rp_source_opts_init(&o);
        o.skip_bad = (data[0] & 8) != 0;
        o.lossy = (data[0] & 16) != 0;
        const char *paths[] = {path};
        rp_source *src = NULL;
        check(rp_source_open(paths, 1, &o, &src, &err) == RP_OK);
        const rp_record *r;
        rp_status st;
        uint64_t bytes = 0;
        while ((st = rp_source_next(src, &r, &err)) == RP_OK && r != NULL && bytes < (64u << 20))
            bytes += r->text_len;
        check(st == RP_OK || st == RP_ERR_FORMAT || st == RP_ERR_UTF8 || st == RP_ERR_PARSE ||
              st == RP_ERR_LIMIT || st == RP_ERR_NOMEM || st == RP_ERR_IO);
        if (st != RP_OK) check(strcmp(err.path, path) == 0);
        rp_source_free(src);
    } else {
        rp__stream *s = NULL;
        check(rp__stream_open(path, &s, &err) == RP_OK);
        rp_status st;
        char *chunk;
        size_t len;
        uint64_t out = 0;
        while ((st = rp__stream_read(s, &chunk, &len, &err)) == RP_OK && len > 0 &&
               out < (64u << 20)) {
            check(chunk != NULL);
            out += len;
        }
        check(st == RP_OK || st == RP_ERR_FORMAT || st == RP_ERR_IO || st == RP_ERR_NOMEM);
        if (st != RP_OK) check(strcmp(err.path, path) == 0);
        check(rp__stream_bytes(s) <= size - 1);
        rp__stream_close(s);
    }
    unlink(path);
    return 0;
}
