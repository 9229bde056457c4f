/* fuzz_text.c - fuzz the UTF-8 validation, normalization and tokenizer path.
 *
 * The first byte chooses strict or lossy reading; the rest is the text. The
 * target checks what every document must satisfy: tokens in order, inside
 * the text, non-empty, and normalized forms available for each. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    rp_text_opts o;
    rp_text_opts_init(&o);
    o.lossy = data[0] & 1;
    rp_doc *d = NULL;
    rp_error err;
    rp_status st = rp_doc_new("fuzz", (const char *)data + 1, size - 1, &o, &d, &err);
    if (st != RP_OK) {
        if (o.lossy || (st != RP_ERR_UTF8 && st != RP_ERR_FORMAT) || err.offset >= size - 1)
            abort();
        return 0;
    }
    size_t n, len;
    const rp_token *t = rp_doc_tokens(d, &n);
    rp_doc_text(d, &len);
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].start >= t[i].end || t[i].end > len || t[i].start < prev) abort();
        prev = t[i].end;
        char buf[64];
        rp_doc_token_text(d, i, buf, sizeof buf);
    }
    rp_doc_free(d);
    return 0;
}
