/* Whole-file reads through zlib. gzread passes plain files through
 * unchanged, so every text reader accepts both "x.csv" and "x.csv.gz". A
 * truncated gzip stream reads as a short file with no error from gzread,
 * so the stream state is checked explicitly at the end. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <zlib.h>
#include "core/core.h"
#include "data/data_internal.h"

static nr_status gz_fail(gzFile gz, const char *path, const char *what) {
    int errnum = Z_OK;
    const char *msg = gzerror(gz, &errnum);
    if (errnum == Z_ERRNO) msg = strerror(errno);
    if (errnum == Z_BUF_ERROR) msg = "gzip data is truncated";
    return nr_error(NR_STATUS_IO, "%s: %s: %s", path, what, msg && *msg ? msg : "unknown error");
}

static nr_status read_loop(gzFile gz, const char *path, char **buf, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *b = nr_malloc(cap);
    if (!b) return NR_NOMEM();
    for (;;) {
        if (cap - n < 2) {
            char *nb = cap <= SIZE_MAX / 2 ? nr_realloc(b, cap * 2) : NULL;
            if (!nb) { nr_free(b); return NR_NOMEM(); }
            b = nb;
            cap *= 2;
        }
        size_t want = cap - n - 1;
        if (want > INT_MAX) want = INT_MAX;
        int r = gzread(gz, b + n, (unsigned)want);
        if (r < 0) { nr_free(b); return gz_fail(gz, path, "read failed"); }
        if (r == 0) break;
        n += (size_t)r;
    }
    int errnum = Z_OK;
    gzerror(gz, &errnum);
    if (errnum != Z_OK) { nr_free(b); return gz_fail(gz, path, "read failed"); }
    b[n] = 0;
    *buf = b;
    *len = n;
    return NR_OK;
}

nr_status nr_data_read_all(const char *path, char **buf, size_t *len) {
    *buf = NULL;
    *len = 0;
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    gzbuffer(gz, 1 << 17);
    nr_status s = read_loop(gz, path, buf, len);
    gzclose_r(gz);
    return s;
}
