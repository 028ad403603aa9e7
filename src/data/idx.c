/* IDX reader for MNIST-style datasets (format in include/neurona/data.h),
 * raw or gzip through zlib. Sizes in the header are checked before any
 * allocation: against the exact file size for raw files, and against the
 * most a deflate stream can expand (1032:1) for gzip files, so a small
 * corrupt file cannot ask for gigabytes. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include "core/core.h"
#include "neurona/data.h"

#define IDX_MAX_DIM 65536          /* rows and columns of an image */
#define IDX_MAX_ITEMS INT32_MAX    /* images or labels in one file */
#define DEFLATE_MAX_RATIO 1032

typedef struct idx_file {
    const char *path;
    gzFile gz;
    int64_t file_size;
} idx_file;

static nr_status gz_status(const idx_file *f, const char *what) {
    int errnum = Z_OK;
    const char *msg = gzerror(f->gz, &errnum);
    if (errnum == Z_BUF_ERROR || errnum == Z_OK)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is truncated (%s)", f->path, what);
    if (errnum == Z_ERRNO) msg = strerror(errno);
    return nr_error(errnum == Z_DATA_ERROR ? NR_STATUS_BAD_FORMAT : NR_STATUS_IO, "%s: %s: %s", f->path, what, msg);
}

static nr_status read_exact(const idx_file *f, void *buf, unsigned n, const char *what) {
    unsigned got = 0;
    while (got < n) {
        int r = gzread(f->gz, (char *)buf + got, n - got);
        if (r <= 0) return gz_status(f, what);
        got += (unsigned)r;
    }
    return NR_OK;
}

static uint32_t be32(const unsigned char *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Magic and dimensions; returns the tensor shape and element count. */
static nr_status read_header(const idx_file *f, int *ndim, int64_t *shape, int64_t *numel) {
    unsigned char b[16];
    NR_TRY(read_exact(f, b, 4, "no IDX header"));
    uint32_t magic = be32(b);
    if (magic != 0x00000801 && magic != 0x00000803)
        return nr_error(NR_STATUS_BAD_FORMAT,
                        "%s: bad IDX magic 0x%08x: expected 0x00000801 (ubyte labels) or 0x00000803 (ubyte images)",
                        f->path, magic);
    int nd = b[3];
    NR_TRY(read_exact(f, b + 4, 4u * (unsigned)nd, "dimensions"));
    int64_t n = 1;
    for (int i = 0; i < nd; i++) {
        int64_t d = be32(b + 4 + 4 * i);
        int64_t max = i == 0 ? IDX_MAX_ITEMS : IDX_MAX_DIM;
        if (d > max || (i > 0 && d == 0))
            return nr_error(NR_STATUS_BAD_FORMAT, "%s: IDX dimension %d is %lld, outside [%d, %lld]", f->path, i,
                            (long long)d, i > 0, (long long)max);
        shape[i] = d;
        n *= d;
    }
    *ndim = nd == 3 ? 4 : 1;
    shape[3] = 1;   /* images get a channel axis */
    *numel = n;
    return NR_OK;
}

/* The payload must fit the file: exactly for raw files, within the
 * deflate expansion limit for gzip ones. */
static nr_status check_size(const idx_file *f, int64_t header, int64_t numel) {
    if (gzdirect(f->gz)) {
        int64_t have = f->file_size - header;
        if (have != numel)
            return nr_error(NR_STATUS_BAD_FORMAT, "%s: IDX header says %lld data bytes but the file has %lld (%s)",
                            f->path, (long long)numel, (long long)have, have < numel ? "truncated" : "trailing data");
    } else if (numel / DEFLATE_MAX_RATIO > f->file_size) {
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: IDX header says %lld data bytes, more than this gzip file can hold "
                        "(corrupt header?)", f->path, (long long)numel);
    }
    return NR_OK;
}

static nr_status read_data(const idx_file *f, float *dst, int64_t numel, float scale) {
    unsigned char buf[1 << 16];
    int64_t done = 0;
    while (done < numel) {
        unsigned m = numel - done < (int64_t)sizeof buf ? (unsigned)(numel - done) : (unsigned)sizeof buf;
        NR_TRY(read_exact(f, buf, m, "data"));
        for (unsigned i = 0; i < m; i++) dst[done + i] = scale == 1.0f ? buf[i] : buf[i] / scale;
        done += m;
    }
    char extra;
    if (gzread(f->gz, &extra, 1) > 0)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: trailing data after the %lld bytes the IDX header announces", f->path,
                        (long long)numel);
    int errnum = Z_OK;
    gzerror(f->gz, &errnum);
    return errnum == Z_OK ? NR_OK : gz_status(f, "after the data");
}

static nr_status load(idx_file *f, const nr_idx_opts *o, nr_tensor **out) {
    int ndim = 0;
    int64_t shape[NR_MAX_DIMS] = {0}, numel = 0;
    NR_TRY(read_header(f, &ndim, shape, &numel));
    NR_TRY(check_size(f, ndim == 4 ? 16 : 8, numel));
    NR_TRY(nr_tensor_new(out, ndim, shape));
    nr_status s = read_data(f, (*out)->data, numel, ndim == 4 && !o->raw ? 255.0f : 1.0f);
    if (s != NR_OK) {
        nr_tensor_free(*out);
        *out = NULL;
    }
    return s;
}

nr_status nr_idx_load(const char *path, const nr_idx_opts *opts, nr_tensor **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_idx_load: out is NULL");
    *out = NULL;
    if (!path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_idx_load: path is NULL");
    nr_idx_opts o = opts ? *opts : (nr_idx_opts){0};
    struct stat st;
    if (stat(path, &st) != 0) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return nr_error(NR_STATUS_IO, "%s: not a regular file", path);
    idx_file f = {path, NULL, (int64_t)st.st_size};
    errno = 0;
    f.gz = gzopen(path, "rb");
    if (!f.gz) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    gzbuffer(f.gz, 1 << 17);
    nr_status s = load(&f, &o, out);
    gzclose_r(f.gz);
    return s;
}

/* ------------------------------------------------------- directory --- */

static const char *const dir_files[4] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

/* Tries NAME, NAME.gz and the dotted spelling ("train-images.idx3-ubyte"). */
static int find_file(const char *dir, const char *name, char *path, size_t size) {
    char dotted[64];
    snprintf(dotted, sizeof dotted, "%s", name);
    char *dash = strstr(dotted, "-idx");
    if (dash) *dash = '.';
    const char *names[2] = {name, dotted};
    for (int i = 0; i < 4; i++) {
        struct stat st;
        snprintf(path, size, "%s/%s%s", dir, names[i / 2], i % 2 ? ".gz" : "");
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return 1;
    }
    return 0;
}

static nr_status find_all(const char *dir, char paths[4][PATH_MAX]) {
    char missing[512] = "";
    size_t k = 0;
    for (int i = 0; i < 4; i++)
        if (!find_file(dir, dir_files[i], paths[i], PATH_MAX))
            k += (size_t)snprintf(missing + k, sizeof missing - k, "%s%s[.gz]", k ? ", " : "", dir_files[i]);
    if (k) return nr_error(NR_STATUS_IO, "%s: missing IDX file(s): %s", dir, missing);
    return NR_OK;
}

static nr_status check_pair(const char *dir, const char *which, const nr_tensor *x, const nr_tensor *y) {
    if (x->ndim != 4 || y->ndim != 1)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: %s images must be an idx3 file and labels an idx1 file", dir, which);
    if (x->shape[0] != y->shape[0])
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: %lld %s images but %lld labels", dir, (long long)x->shape[0], which,
                        (long long)y->shape[0]);
    return NR_OK;
}

nr_status nr_idx_load_dir(const char *dir, nr_tensor **x_train, nr_tensor **y_train, nr_tensor **x_test,
                          nr_tensor **y_test) {
    if (!x_train || !y_train || !x_test || !y_test)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_idx_load_dir: outputs must not be NULL");
    nr_tensor **outs[4] = {x_train, y_train, x_test, y_test};
    for (int i = 0; i < 4; i++) *outs[i] = NULL;
    if (!dir) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_idx_load_dir: dir is NULL");
    char (*paths)[PATH_MAX] = nr_malloc(4 * sizeof *paths);
    if (!paths) return NR_NOMEM();
    nr_status s = find_all(dir, paths);
    for (int i = 0; i < 4 && s == NR_OK; i++) s = nr_idx_load(paths[i], NULL, outs[i]);
    if (s == NR_OK) s = check_pair(dir, "training", *x_train, *y_train);
    if (s == NR_OK) s = check_pair(dir, "test", *x_test, *y_test);
    nr_free(paths);
    if (s != NR_OK)
        for (int i = 0; i < 4; i++) {
            nr_tensor_free(*outs[i]);
            *outs[i] = NULL;
        }
    return s;
}
