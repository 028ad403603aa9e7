/* NumPy .npy reader and writer (format in include/neurona/data.h). The
 * header is a Python dict literal; a small recursive-descent parser reads
 * exactly the three keys NumPy writes and rejects anything else, so a
 * hostile header cannot steer us into a huge allocation: the shape is
 * checked against the actual file size before any data buffer exists. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/core.h"
#include "io/atomic.h"
#include "neurona/data.h"

#define NPY_MAX_HEADER (1 << 20)

typedef struct npy_header {
    char kind;          /* 'f', 'i', 'u', 'b' */
    int size;           /* bytes per element */
    int fortran;
    int ndim;
    int64_t shape[NR_MAX_DIMS];
} npy_header;

/* ------------------------------------------------------ dict parser --- */

typedef struct dict_parser {
    const char *p, *end;
    const char *path;
} dict_parser;

static nr_status bad_header(const dict_parser *d, const char *what) {
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: bad .npy header: %s", d->path, what);
}

static void skip_space(dict_parser *d) {
    while (d->p < d->end && (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' || *d->p == '\r')) d->p++;
}

static int accept(dict_parser *d, char c) {
    skip_space(d);
    if (d->p < d->end && *d->p == c) {
        d->p++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes (NumPy never writes any), into buf. */
static nr_status parse_string(dict_parser *d, char *buf, size_t size) {
    skip_space(d);
    if (d->p >= d->end || (*d->p != '\'' && *d->p != '"')) return bad_header(d, "expected a quoted string");
    char q = *d->p++;
    size_t k = 0;
    while (d->p < d->end && *d->p != q) {
        if (k + 1 >= size) return bad_header(d, "string too long");
        buf[k++] = *d->p++;
    }
    if (d->p >= d->end) return bad_header(d, "unterminated string");
    d->p++;
    buf[k] = 0;
    return NR_OK;
}

static nr_status parse_bool(dict_parser *d, int *v) {
    skip_space(d);
    size_t left = (size_t)(d->end - d->p);
    if (left >= 4 && memcmp(d->p, "True", 4) == 0) *v = 1, d->p += 4;
    else if (left >= 5 && memcmp(d->p, "False", 5) == 0) *v = 0, d->p += 5;
    else return bad_header(d, "fortran_order must be True or False");
    return NR_OK;
}

static nr_status parse_dim(dict_parser *d, int64_t *v) {
    skip_space(d);
    int64_t x = 0;
    int digits = 0;
    while (d->p < d->end && *d->p >= '0' && *d->p <= '9') {
        if (x > (INT64_MAX - 9) / 10) return bad_header(d, "dimension too large");
        x = x * 10 + (*d->p++ - '0');
        digits++;
    }
    if (!digits) return bad_header(d, "shape must be a tuple of non-negative integers");
    if (d->p < d->end && *d->p == 'L') d->p++;   /* Python 2 longs */
    *v = x;
    return NR_OK;
}

static nr_status parse_shape(dict_parser *d, npy_header *h) {
    if (!accept(d, '(')) return bad_header(d, "shape must be a tuple");
    h->ndim = 0;
    while (!accept(d, ')')) {
        int64_t v = 0;
        if (h->ndim == NR_MAX_DIMS)
            return nr_error(NR_STATUS_UNSUPPORTED, "%s: .npy array has more than %d dimensions", d->path,
                            NR_MAX_DIMS);
        NR_TRY(parse_dim(d, &v));
        h->shape[h->ndim++] = v;
        if (!accept(d, ',')) {
            if (!accept(d, ')')) return bad_header(d, "shape tuple not closed");
            break;
        }
    }
    return NR_OK;
}

static nr_status parse_descr(dict_parser *d, npy_header *h) {
    char s[32];
    NR_TRY(parse_string(d, s, sizeof s));
    size_t n = strlen(s);
    if (n != 3 || !strchr("<>|=", s[0]) || !strchr("fiub", s[1]) || s[2] < '1' || s[2] > '8')
        return nr_error(NR_STATUS_UNSUPPORTED,
                        "%s: .npy dtype '%s' is not supported (float32/64, int8..64, uint8..64 or bool)", d->path,
                        s);
    h->kind = s[1];
    h->size = s[2] - '0';
    int ok = h->kind == 'f' ? (h->size == 4 || h->size == 8)
           : h->kind == 'b' ? h->size == 1
                            : (h->size == 1 || h->size == 2 || h->size == 4 || h->size == 8);
    if (!ok) return nr_error(NR_STATUS_UNSUPPORTED, "%s: .npy dtype '%s' is not supported", d->path, s);
    if (s[0] == '>' && h->size > 1)
        return nr_error(NR_STATUS_UNSUPPORTED, "%s: .npy data is big-endian ('%s'); save it little-endian "
                        "(arr.astype('<%c%d'))", d->path, s, h->kind, h->size);
    return NR_OK;
}

static nr_status parse_dict(dict_parser *d, npy_header *h) {
    int seen = 0;
    if (!accept(d, '{')) return bad_header(d, "expected '{'");
    while (!accept(d, '}')) {
        char key[32];
        NR_TRY(parse_string(d, key, sizeof key));
        if (!accept(d, ':')) return bad_header(d, "expected ':'");
        if (strcmp(key, "descr") == 0) {
            NR_TRY(parse_descr(d, h));
            seen |= 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            NR_TRY(parse_bool(d, &h->fortran));
            seen |= 2;
        } else if (strcmp(key, "shape") == 0) {
            NR_TRY(parse_shape(d, h));
            seen |= 4;
        } else {
            return bad_header(d, "unknown key");
        }
        if (!accept(d, ',')) {
            if (!accept(d, '}')) return bad_header(d, "expected ',' or '}'");
            break;
        }
    }
    if (seen != 7) return bad_header(d, "descr, fortran_order and shape are all required");
    if (h->fortran)
        return nr_error(NR_STATUS_UNSUPPORTED, "%s: .npy array is in Fortran order; save it with "
                        "np.ascontiguousarray first", d->path);
    return NR_OK;
}

/* ------------------------------------------------------------- load --- */

static nr_status read_exact(FILE *f, void *buf, size_t n, const char *path, const char *what) {
    if (fread(buf, 1, n, f) == n) return NR_OK;
    return nr_error(ferror(f) ? NR_STATUS_IO : NR_STATUS_BAD_FORMAT, "%s: %s: %s", path,
                    ferror(f) ? "read error" : "file is truncated", what);
}

/* Magic, version and the header dict; leaves f at the first data byte
 * and *data_off at its offset. */
static nr_status read_header(FILE *f, const char *path, npy_header *h, long *data_off) {
    unsigned char pre[12];
    NR_TRY(read_exact(f, pre, 10, path, "no .npy preamble"));
    if (memcmp(pre, "\x93NUMPY", 6) != 0)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: not a .npy file (bad magic)", path);
    int major = pre[6];
    if (major < 1 || major > 3)
        return nr_error(NR_STATUS_BAD_VERSION, "%s: .npy format version %d.%d; only 1.0, 2.0 and 3.0 are read",
                        path, major, pre[7]);
    uint32_t hlen = (uint32_t)pre[8] | (uint32_t)pre[9] << 8;
    int pre_len = 10;
    if (major >= 2) {
        NR_TRY(read_exact(f, pre + 10, 2, path, "no header length"));
        hlen |= (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
        pre_len = 12;
    }
    if (hlen > NPY_MAX_HEADER)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: .npy header length %u exceeds %d bytes", path, hlen, NPY_MAX_HEADER);
    char *text = nr_malloc(hlen + 1);
    if (!text) return NR_NOMEM();
    nr_status s = read_exact(f, text, hlen, path, "header");
    if (s == NR_OK) {
        dict_parser d = {text, text + hlen, path};
        memset(h, 0, sizeof *h);
        s = parse_dict(&d, h);
    }
    nr_free(text);
    *data_off = pre_len + (long)hlen;
    return s;
}

static nr_status check_size(FILE *f, const char *path, const npy_header *h, long data_off, int64_t *numel) {
    struct stat st;
    if (fstat(fileno(f), &st) != 0) return nr_error(NR_STATUS_IO, "%s: %s", path, strerror(errno));
    int64_t n = 1;
    for (int i = 0; i < h->ndim; i++) {
        if (h->shape[i] && n > INT64_MAX / h->size / h->shape[i])
            return nr_error(NR_STATUS_BAD_FORMAT, "%s: .npy shape is absurdly large", path);
        n *= h->shape[i];
    }
    int64_t have = (int64_t)st.st_size - data_off, want = n * h->size;
    if (have != want)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: .npy shape needs %lld data bytes but the file has %lld (%s)", path,
                        (long long)want, (long long)have, have < want ? "truncated" : "trailing data");
    *numel = n;
    return NR_OK;
}

static float load_le(const unsigned char *b, char kind, int size) {
    uint64_t u = 0;
    for (int i = size - 1; i >= 0; i--) u = u << 8 | b[i];
    if (kind == 'f' && size == 4) {
        uint32_t w = (uint32_t)u;
        float v;
        memcpy(&v, &w, 4);
        return v;
    }
    if (kind == 'f') {
        double v;
        memcpy(&v, &u, 8);
        return (float)v;
    }
    if (kind == 'u' || kind == 'b') return (float)u;
    int shift = 64 - 8 * size;   /* sign-extend */
    return (float)((int64_t)(u << shift) >> shift);
}

/* Converts in chunks so the raw data never needs a second full buffer. */
static nr_status read_data(FILE *f, const char *path, const npy_header *h, nr_tensor *t, int64_t numel) {
    unsigned char buf[1 << 15];
    int64_t per = (int64_t)sizeof buf / h->size, done = 0;
    while (done < numel) {
        int64_t m = numel - done < per ? numel - done : per;
        NR_TRY(read_exact(f, buf, (size_t)(m * h->size), path, "data"));
        for (int64_t i = 0; i < m; i++) t->data[done + i] = load_le(buf + i * h->size, h->kind, h->size);
        done += m;
    }
    return NR_OK;
}

static nr_status load(FILE *f, const char *path, nr_tensor **out) {
    npy_header h;
    long off = 0;
    int64_t numel = 0;
    NR_TRY(read_header(f, path, &h, &off));
    NR_TRY(check_size(f, path, &h, off, &numel));
    NR_TRY(nr_tensor_new(out, h.ndim, h.shape));
    nr_status s = read_data(f, path, &h, *out, numel);
    if (s != NR_OK) {
        nr_tensor_free(*out);
        *out = NULL;
    }
    return s;
}

nr_status nr_npy_load(const char *path, nr_tensor **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_npy_load: out is NULL");
    *out = NULL;
    if (!path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_npy_load: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    nr_status s = load(f, path, out);
    fclose(f);
    return s;
}

/* ------------------------------------------------------------- save --- */

/* Header dict padded with spaces so the data starts on a 64-byte
 * boundary, as NumPy >= 1.14 writes it. */
static size_t make_header(char *buf, size_t size, const nr_tensor *t) {
    char shape[256];
    size_t k = (size_t)snprintf(shape, sizeof shape, "(");
    for (int i = 0; i < t->ndim; i++)
        k += (size_t)snprintf(shape + k, sizeof shape - k, "%lld,%s", (long long)t->shape[i],
                              i + 1 < t->ndim ? " " : "");
    if (t->ndim > 1) k--;   /* (3,) but (3, 4) */
    snprintf(shape + k, sizeof shape - k, ")");
    int n = snprintf(buf + 10, size - 10, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", shape);
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) / 64 * 64;
    memset(buf + 10 + n, ' ', padded - total);
    buf[padded - 1] = '\n';
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)((padded - 10) & 0xff);
    buf[9] = (char)((padded - 10) >> 8);
    return padded;
}


/* The data is written as-is: neurona only runs on little-endian hosts. */
nr_status nr_npy_save(const char *path, const nr_tensor *t) {
    if (!path || !t || (!t->data && nr_tensor_numel(t)) || t->ndim < 0 || t->ndim > NR_MAX_DIMS)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_npy_save: path and a valid tensor are required");
    char header[512];
    size_t hn = make_header(header, sizeof header, t);
    nr_atomic_file af;
    NR_TRY(nr_atomic_open(&af, path));
    int err = nr_write_all(af.fd, header, hn);
    if (!err) err = nr_write_all(af.fd, t->data, (size_t)nr_tensor_numel(t) * sizeof(float));
    if (err) {
        nr_atomic_abort(&af);
        return nr_error(NR_STATUS_IO, "%s: write failed: %s", path, strerror(err));
    }
    return nr_atomic_commit(&af);
}
