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

uint64_t nr_data_rand(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t nr_data_rand_below(uint64_t *state, uint64_t n) {
    /* Reject the top partial block so every residue is equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do r = nr_data_rand(state); while (r >= limit);
    return r % n;
}

void nr_data_shuffle(int64_t *idx, int64_t n, uint64_t *state) {
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)nr_data_rand_below(state, (uint64_t)i + 1);
        int64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
