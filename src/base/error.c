/* error.c - status strings and the helper that fills an rp_error.
 *
 * The library reports failures by returning an rp_status and, when the caller
 * passes one, filling an rp_error with the file, the position and a message.
 * No global or thread-local error state exists. */
#include "base/base.h"

#include <stdio.h>
#include <string.h>

const char *rp_version(void)
{
    return RP_VERSION_STRING;
}

const char *rp_strerror(rp_status code)
{
    switch (code) {
    case RP_OK: return "success";
    case RP_ERR_NOMEM: return "out of memory";
    case RP_ERR_IO: return "input/output error";
    case RP_ERR_UTF8: return "invalid UTF-8";
    case RP_ERR_PARSE: return "parse error";
    case RP_ERR_PARAM: return "invalid parameter";
    case RP_ERR_FORMAT: return "unsupported or corrupt format";
    case RP_ERR_MISMATCH: return "incompatible parameters";
    case RP_ERR_LIMIT: return "size limit exceeded";
    }
    return "unknown error";
}

rp_status rp__fail(rp_error *err, rp_status code, const char *path, uint64_t offset,
                   const char *fmt, ...)
{
    if (err == NULL) return code;
    memset(err, 0, sizeof *err);
    err->code = code;
    err->offset = offset;
    if (path != NULL) snprintf(err->path, sizeof err->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

rp_status rp__nomem(rp_error *err, const char *path)
{
    return rp__fail(err, RP_ERR_NOMEM, path, 0, "out of memory");
}
