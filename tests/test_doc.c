/* test_doc.c - making documents: validation errors, files, lossy reading. */
#include "text/text.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

void test_doc_errors(void)
{
    rp_doc *d = (rp_doc *)1;
    rp_error err;
    const char bad[] = "caf\xE9 au lait"; /* Latin-1 */
    CHECK_EQ(rp_doc_new("x.txt", bad, sizeof bad - 1, NULL, &d, &err), RP_ERR_UTF8);
    CHECK(d == NULL);
    CHECK_EQ(err.code, RP_ERR_UTF8);
    CHECK_EQ(err.offset, 3);
    CHECK_STR_EQ(err.path, "x.txt");
    CHECK(strstr(err.msg, "offset 3") != NULL);
    const char bin[] = "text\0with NUL";
    CHECK_EQ(rp_doc_new("b.bin", bin, sizeof bin - 1, NULL, &d, &err), RP_ERR_FORMAT);
    CHECK_EQ(err.offset, 4);
    CHECK_EQ(rp_doc_new("n", NULL, 5, NULL, &d, NULL), RP_ERR_PARAM);
    /* Empty and token-less documents are valid. */
    CHECK_EQ(rp_doc_new(NULL, NULL, 0, NULL, &d, NULL), RP_OK);
    size_t n = 99;
    rp_doc_tokens(d, &n);
    CHECK_EQ(n, 0);
    CHECK_STR_EQ(rp_doc_name(d), "");
    rp_doc_free(d);
    CHECK_EQ(rp_doc_new("p", " ... !!", 7, NULL, &d, NULL), RP_OK);
    rp_doc_tokens(d, &n);
    CHECK_EQ(n, 0);
    rp_doc_free(d);
    rp_doc_free(NULL);
    CHECK_STR_EQ(rp_strerror(RP_ERR_UTF8), "invalid UTF-8");
    CHECK_STR_EQ(rp_strerror((rp_status)999), "unknown error");
    CHECK_STR_EQ(rp_version(), RP_VERSION_STRING);
}

void test_doc_load_errors(void)
{
    rp_doc *d;
    rp_error err;
    CHECK_EQ(rp_doc_load("/nonexistent/reprint/file.txt", NULL, &d, &err), RP_ERR_IO);
    CHECK(err.sys_errno != 0);
    CHECK(strstr(err.msg, "No such file") != NULL);
    CHECK_EQ(rp_doc_load("tests", NULL, &d, &err), RP_ERR_IO);
    CHECK(strstr(err.msg, "directory") != NULL);
    /* A file read back equals its bytes, offsets included. */
    char path[] = "/tmp/reprint-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    const char text[] = "\xEF\xBB\xBFHello, world";
    CHECK_EQ(write(fd, text, sizeof text - 1), (long)(sizeof text - 1));
    close(fd);
    CHECK_EQ(rp_doc_load(path, NULL, &d, &err), RP_OK);
    size_t len, n;
    const char *got = rp_doc_text(d, &len);
    CHECK_EQ(len, sizeof text - 1);
    CHECK_MEM_EQ(got, text, len);
    const rp_token *t = rp_doc_tokens(d, &n);
    CHECK_EQ(n, 2);
    CHECK_EQ(t[0].start, 3);
    CHECK_EQ(t[1].end, len);
    rp_doc_free(d);
    unlink(path);
}

void test_doc_lossy(void)
{
    rp_text_opts o;
    rp_text_opts_init(&o);
    o.lossy = 1;
    rp_doc *d = NULL;
    const char bad[] = "it\x92s caf\xE9\0x";
    CHECK_EQ(rp_doc_new("l", bad, sizeof bad - 1, &o, &d, NULL), RP_OK);
    size_t n, len;
    const rp_token *t = rp_doc_tokens(d, &n);
    /* it | s | caf | x: bad bytes and NUL separate, offsets unchanged. */
    CHECK_EQ(n, 4);
    CHECK_EQ(t[1].start, 3);
    CHECK_EQ(t[2].end, 8);
    CHECK_EQ(t[3].start, 10);
    rp_doc_text(d, &len);
    CHECK_EQ(len, sizeof bad - 1);
    rp_doc_free(d);
}
