/* The neurona container file (layout in nrfile.h). The writer computes the
 * whole layout first, then streams header, sections and trailer through one
 * sink that checksums as it goes, into memory or into a temporary file that
 * is renamed over the target. The reader takes the whole file into one
 * aligned buffer and trusts nothing in it until the header, sizes,
 * checksum and every section have been checked against the buffer. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "core/core.h"
#include "io/atomic.h"
#include "io/nrfile.h"

#define MIN_FILE (NR_NRFILE_HEADER_SIZE + NR_NRFILE_TRAILER_SIZE)
/* The smallest section: name length, a 1-byte name, kind, payload size. */
#define MIN_SECTION (4u + 1u + 4u + 8u)
#define END_MAGIC_SIZE 8u

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG_ENDIAN 1
#else
#define HOST_BIG_ENDIAN 0
#endif

/* ---- shared helpers ---------------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p) {
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static uint64_t pad_size(uint64_t off) {
    return (NR_NRFILE_ALIGN - off % NR_NRFILE_ALIGN) % NR_NRFILE_ALIGN;
}

/* zlib takes 32-bit lengths, so long buffers go in pieces. */
static uLong crc_update(uLong crc, const unsigned char *p, size_t n) {
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, k);
        p += k;
        n -= k;
    }
    return crc;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (n - i < len) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += len;
    }
    return 1;
}

/* Valid when every dim is >= 0 and the product of the dims, zeros counted
 * as 1, times 4 bytes fits an int64: then no partial product a consumer
 * may compute (a row size, a byte count) overflows, even for a tensor
 * with no elements. */
static int tensor_numel(int ndim, const int64_t *shape, int64_t *numel) {
    int64_t bound = 4, n = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0) return 0;
        if (shape[d] > 0 && __builtin_mul_overflow(bound, shape[d], &bound)) return 0;
        n *= shape[d];
    }
    *numel = n;
    return 1;
}

/* "(2, -1, 3)": the raw dims, where nr_shape_str would print -1 as None. */
static const char *dims_str(char *buf, size_t size, int ndim, const int64_t *shape) {
    size_t k = (size_t)snprintf(buf, size, "(");
    for (int d = 0; d < ndim && k < size; d++)
        k += (size_t)snprintf(buf + k, size - k, d ? ", %lld" : "%lld", (long long)shape[d]);
    if (k < size) snprintf(buf + k, size - k, ndim == 1 ? ",)" : ")");
    return buf;
}

const char *nr_nrfile_kind_str(nr_nrfile_kind kind) {
    switch (kind) {
    case NR_NRFILE_KIND_BYTES: return "bytes";
    case NR_NRFILE_KIND_TENSOR: return "tensor";
    case NR_NRFILE_KIND_TEXT: return "text";
    default: return "unknown";
    }
}

/* ---- writer ------------------------------------------------------------ */

typedef struct wsection {
    char *name;                  /* owned */
    nr_nrfile_kind kind;
    int ndim;
    int64_t shape[NR_MAX_DIMS];
    const void *data;            /* borrowed, or text below */
    size_t size;                 /* payload bytes; text includes its NUL */
    char *text;                  /* owned copy for text sections */
} wsection;

struct nr_nrfile_writer {
    wsection *secs;
    size_t count, cap;
};

nr_status nr_nrfile_writer_new(nr_nrfile_writer **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_nrfile_writer_new: out is NULL");
    *out = nr_calloc(1, sizeof **out);
    return *out ? NR_OK : NR_NOMEM();
}

void nr_nrfile_writer_free(nr_nrfile_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->count; i++) {
        nr_free(w->secs[i].name);
        nr_free(w->secs[i].text);
    }
    nr_free(w->secs);
    nr_free(w);
}

static nr_status check_name(const nr_nrfile_writer *w, const char *name) {
    if (!name) return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: section name is NULL");
    size_t n = strlen(name);
    if (n == 0 || n > NR_NRFILE_MAX_NAME)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: section name '%.40s' has %zu bytes, want 1..%u",
                        name, n, NR_NRFILE_MAX_NAME);
    if (!utf8_valid((const unsigned char *)name, n))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: section name is not valid UTF-8");
    for (size_t i = 0; i < w->count; i++)
        if (strcmp(w->secs[i].name, name) == 0)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: duplicate section name '%s'", name);
    return NR_OK;
}

/* Appends *s under a copy of name. On failure nothing is kept and the
 * caller still owns s->text. */
static nr_status push_section(nr_nrfile_writer *w, wsection *s, const char *name) {
    if (!w) return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: writer is NULL");
    NR_TRY(check_name(w, name));
    if (w->count == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        wsection *secs = nr_realloc(w->secs, cap * sizeof *secs);
        if (!secs) return NR_NOMEM();
        w->secs = secs;
        w->cap = cap;
    }
    s->name = nr_strdup(name);
    if (!s->name) return NR_NOMEM();
    w->secs[w->count++] = *s;
    return NR_OK;
}

nr_status nr_nrfile_add_bytes(nr_nrfile_writer *w, const char *name, const void *data, size_t size) {
    if (!data && size > 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: section '%s': data is NULL", name ? name : "");
    wsection s = {.kind = NR_NRFILE_KIND_BYTES, .data = data, .size = size};
    return push_section(w, &s, name);
}

nr_status nr_nrfile_add_text(nr_nrfile_writer *w, const char *name, const char *text) {
    if (!text) return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: section '%s': text is NULL", name ? name : "");
    size_t n = strlen(text);
    if (!utf8_valid((const unsigned char *)text, n))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: section '%s': text is not valid UTF-8", name ? name : "");
    char *copy = nr_malloc(n + 1);
    if (!copy) return NR_NOMEM();
    memcpy(copy, text, n + 1);
    wsection s = {.kind = NR_NRFILE_KIND_TEXT, .data = copy, .size = n + 1, .text = copy};
    nr_status st = push_section(w, &s, name);
    if (st != NR_OK) nr_free(copy);
    return st;
}

nr_status nr_nrfile_add_tensor(nr_nrfile_writer *w, const char *name, int ndim, const int64_t *shape,
                               const float *data) {
    const char *nm = name ? name : "";
    int64_t numel;
    if (ndim < 0 || ndim > NR_MAX_DIMS || (ndim > 0 && !shape))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: section '%s': ndim %d is not in 0..%d", nm, ndim,
                        NR_MAX_DIMS);
    if (!tensor_numel(ndim, shape, &numel) || (uint64_t)numel > SIZE_MAX / sizeof(float)) {
        char buf[160];
        return nr_error(NR_STATUS_BAD_SHAPE, "model file: section '%s': shape %s has a negative or too large dim",
                        nm, dims_str(buf, sizeof buf, ndim, shape));
    }
    if (!data && numel > 0) return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: section '%s': data is NULL", nm);
    wsection s = {.kind = NR_NRFILE_KIND_TENSOR, .ndim = ndim, .data = data, .size = (size_t)numel * sizeof(float)};
    for (int d = 0; d < ndim; d++) s.shape[d] = shape[d];
    return push_section(w, &s, name);
}

static uint64_t section_head_size(const wsection *s) {
    uint64_t n = 4 + strlen(s->name) + 4 + 8;
    if (s->kind == NR_NRFILE_KIND_TENSOR) n += 4 + 8 * (uint64_t)s->ndim;
    return n;
}

static nr_status layout(const nr_nrfile_writer *w, uint64_t *total) {
    uint64_t off = NR_NRFILE_HEADER_SIZE;
    for (size_t i = 0; i < w->count; i++) {
        off += section_head_size(&w->secs[i]);
        off += pad_size(off);
        if (__builtin_add_overflow(off, (uint64_t)w->secs[i].size, &off)) off = UINT64_MAX;
    }
    if (__builtin_add_overflow(off, (uint64_t)NR_NRFILE_TRAILER_SIZE, total))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: sections too large for a file");
    return NR_OK;
}

/* Output with a running CRC: either a memory buffer of the exact file size
 * (fd < 0) or a staging buffer in front of a file descriptor. */
typedef struct sink {
    int fd;
    unsigned char *buf;
    size_t used, cap;
    uint64_t pos;                /* bytes put so far */
    uLong crc;
    int err;                     /* errno of the first failed write */
} sink;

static void sink_flush(sink *s) {
    if (s->fd < 0) return;
    if (s->used > 0 && !s->err) s->err = nr_write_all(s->fd, s->buf, s->used);
    s->used = 0;
}

static void sink_put(sink *s, const void *p, size_t n) {
    if (n == 0 || s->err) return;
    s->crc = crc_update(s->crc, p, n);
    s->pos += n;
    if (s->fd < 0) {
        NR_ASSERT(n <= s->cap - s->used);
    } else if (n > s->cap - s->used) {
        sink_flush(s);
        if (n >= s->cap) { /* large payloads skip the staging copy */
            if (!s->err) s->err = nr_write_all(s->fd, p, n);
            return;
        }
    }
    memcpy(s->buf + s->used, p, n);
    s->used += n;
}

static void sink_floats(sink *s, const float *x, size_t n) {
    if (!HOST_BIG_ENDIAN) {
        sink_put(s, x, n * sizeof(float));
        return;
    }
    unsigned char chunk[4096];
    while (n > 0) {
        size_t k = n < sizeof chunk / 4 ? n : sizeof chunk / 4;
        for (size_t i = 0; i < k; i++) {
            uint32_t u;
            memcpy(&u, &x[i], 4);
            put_u32(chunk + 4 * i, u);
        }
        sink_put(s, chunk, 4 * k);
        x += k;
        n -= k;
    }
}

static void write_section(sink *s, const wsection *sec) {
    unsigned char head[4 + NR_NRFILE_MAX_NAME + 4 + 4 + 8 * NR_MAX_DIMS + 8 + NR_NRFILE_ALIGN];
    size_t len = strlen(sec->name), n = 0;
    put_u32(head, (uint32_t)len);
    memcpy(head + 4, sec->name, len);
    n = 4 + len;
    put_u32(head + n, (uint32_t)sec->kind);
    n += 4;
    if (sec->kind == NR_NRFILE_KIND_TENSOR) {
        put_u32(head + n, (uint32_t)sec->ndim);
        n += 4;
        for (int d = 0; d < sec->ndim; d++, n += 8) put_u64(head + n, (uint64_t)sec->shape[d]);
    }
    put_u64(head + n, sec->size);
    n += 8;
    size_t pad = (size_t)pad_size(s->pos + n);
    memset(head + n, 0, pad);
    sink_put(s, head, n + pad);
    if (sec->kind == NR_NRFILE_KIND_TENSOR) sink_floats(s, sec->data, sec->size / sizeof(float));
    else sink_put(s, sec->data, sec->size);
}

static void write_file(const nr_nrfile_writer *w, sink *s, uint64_t total) {
    unsigned char h[NR_NRFILE_HEADER_SIZE], t[NR_NRFILE_TRAILER_SIZE];
    memcpy(h, NR_NRFILE_MAGIC, 8);
    put_u32(h + 8, NR_NRFILE_VERSION);
    put_u32(h + 12, 0);
    put_u64(h + 16, total);
    put_u64(h + 24, w->count);
    sink_put(s, h, sizeof h);
    for (size_t i = 0; i < w->count; i++) write_section(s, &w->secs[i]);
    put_u64(t, total);
    put_u32(t + 8, (uint32_t)s->crc);
    memcpy(t + 12, NR_NRFILE_END_MAGIC, END_MAGIC_SIZE);
    sink_put(s, t, sizeof t);
    sink_flush(s);
    NR_ASSERT(s->err || s->pos == total);
}

nr_status nr_nrfile_save_memory(nr_nrfile_writer *w, void **out, size_t *size) {
    if (!w || !out || !size) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_nrfile_save_memory: NULL argument");
    uint64_t total;
    NR_TRY(layout(w, &total));
    if (total > SIZE_MAX) return nr_error(NR_STATUS_BAD_ARGUMENT, "model file: too large for memory");
    sink s = {.fd = -1, .cap = (size_t)total};
    s.buf = nr_malloc(s.cap);
    if (!s.buf) return NR_NOMEM();
    write_file(w, &s, total);
    *out = s.buf;
    *size = s.cap;
    return NR_OK;
}

static nr_status io_error(const char *path, const char *what, int err) {
    return nr_error(NR_STATUS_IO, "%s: %s: %s", path, what, strerror(err));
}

static nr_status fill_temp(const nr_nrfile_writer *w, int fd, uint64_t total, const char *path) {
    sink s = {.fd = fd, .cap = 1u << 16};
    s.buf = nr_malloc(s.cap);
    if (!s.buf) return NR_NOMEM();
    write_file(w, &s, total);
    nr_free(s.buf);
    if (s.err) return io_error(path, "cannot write the temporary file", s.err);
    return NR_OK;
}

nr_status nr_nrfile_save(nr_nrfile_writer *w, const char *path) {
    if (!w || !path || !*path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_nrfile_save: NULL or empty argument");
    uint64_t total;
    NR_TRY(layout(w, &total));
    nr_atomic_file af;
    NR_TRY(nr_atomic_open(&af, path));
    nr_status st = fill_temp(w, af.fd, total, path);
    if (st != NR_OK) {
        nr_atomic_abort(&af);
        return st;
    }
    return nr_atomic_commit(&af);
}

/* ---- reader ------------------------------------------------------------ */

typedef struct rsection {
    nr_nrfile_section view;      /* name set once all sections parsed */
    size_t name_off, data_off;
    uint32_t name_len;
} rsection;

struct nr_nrfile {
    char *label;
    unsigned char *buf;          /* the whole file, 64-byte aligned */
    size_t size;
    size_t count;
    rsection *secs;
    char *names;                 /* all names, each NUL-terminated */
    const rsection **order;      /* sections sorted by name */
};

void nr_nrfile_close(nr_nrfile *f) {
    if (!f) return;
    nr_free_floats((float *)f->buf);
    nr_free(f->secs);
    nr_free(f->names);
    nr_free(f->order);
    nr_free(f->label);
    nr_free(f);
}

static nr_nrfile *file_new(const char *label) {
    nr_nrfile *f = nr_calloc(1, sizeof *f);
    if (!f) return NULL;
    f->label = nr_strdup(label);
    if (!f->label) {
        nr_free(f);
        return NULL;
    }
    return f;
}

/* Aligned like the payloads in the file, so tensor data can be used in
 * place as float arrays. */
static nr_status alloc_buf(nr_nrfile *f, size_t n) {
    f->buf = (unsigned char *)nr_alloc_floats(n / sizeof(float) + 1);
    if (!f->buf) return nr_error(NR_STATUS_NO_MEMORY, "%s: out of memory reading %zu bytes", f->label, n);
    f->size = n;
    return NR_OK;
}

/* Reads up to n bytes; a file that shrank meanwhile ends up short and is
 * then reported as truncated. */
static nr_status read_fd(nr_nrfile *f, int fd, size_t n) {
    NR_TRY(alloc_buf(f, n));
    size_t got = 0;
    while (got < n) {
        size_t want = n - got > (1u << 30) ? (1u << 30) : n - got;
        ssize_t k = read(fd, f->buf + got, want);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return io_error(f->label, "cannot read", errno);
        if (k == 0) break;
        got += (size_t)k;
    }
    f->size = got;
    return NR_OK;
}

static nr_status read_whole(nr_nrfile *f) {
    int fd = open(f->label, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error(f->label, "cannot open", errno);
    struct stat st;
    nr_status s;
    if (fstat(fd, &st) != 0) s = io_error(f->label, "cannot stat", errno);
    else if (S_ISDIR(st.st_mode)) s = nr_error(NR_STATUS_IO, "%s: is a directory, not a model file", f->label);
    else if (!S_ISREG(st.st_mode)) s = nr_error(NR_STATUS_IO, "%s: not a regular file", f->label);
    else if ((uint64_t)st.st_size > SIZE_MAX / 2)
        s = nr_error(NR_STATUS_NO_MEMORY, "%s: file too large (%lld bytes)", f->label, (long long)st.st_size);
    else s = read_fd(f, fd, (size_t)st.st_size);
    close(fd);
    return s;
}

static nr_status truncated(const nr_nrfile *f, uint64_t want) {
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is truncated (%zu of %llu bytes)", f->label, f->size,
                    (unsigned long long)want);
}

static nr_status check_version(const nr_nrfile *f) {
    uint32_t v = get_u32(f->buf + 8);
    if (v == 0) return nr_error(NR_STATUS_BAD_FORMAT, "%s: format version 0 is invalid: file is corrupted", f->label);
    if (v != NR_NRFILE_VERSION)
        return nr_error(NR_STATUS_BAD_VERSION,
                        "%s: format version %u is newer than this neurona supports (%u); upgrade neurona", f->label,
                        v, NR_NRFILE_VERSION);
    return NR_OK;
}

/* Order matters for the message: a stranger's file is "not a model file"
 * before it is anything else, and a cut-off file is "truncated" rather
 * than "corrupted". */
static nr_status check_header(const nr_nrfile *f) {
    const unsigned char *b = f->buf;
    size_t n = f->size;
    if (n == 0) return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is empty, not a neurona model file", f->label);
    if (memcmp(b, NR_NRFILE_MAGIC, n < 8 ? n : 8) != 0)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: not a neurona model file (bad magic)", f->label);
    if (n >= 12) NR_TRY(check_version(f));
    if (n >= 16 && get_u32(b + 12) != 0)
        return nr_error(NR_STATUS_BAD_VERSION, "%s: format flags 0x%x are not supported by this neurona; upgrade neurona",
                        f->label, (unsigned)get_u32(b + 12));
    uint64_t total = n >= 24 ? get_u64(b + 16) : 0;
    if (total > n) return truncated(f, total);
    if (n < MIN_FILE) return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is truncated (%zu of at least %u bytes)",
                                      f->label, n, MIN_FILE);
    if (total != n)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is corrupted or has extra data (%zu bytes, header says %llu)",
                        f->label, n, (unsigned long long)total);
    return NR_OK;
}

static nr_status check_trailer(const nr_nrfile *f) {
    const unsigned char *t = f->buf + f->size - NR_NRFILE_TRAILER_SIZE;
    if (memcmp(t + 12, NR_NRFILE_END_MAGIC, END_MAGIC_SIZE) != 0)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is corrupted (bad end marker)", f->label);
    if (get_u64(t) != f->size)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is corrupted (trailer says %llu bytes, file has %zu)",
                        f->label, (unsigned long long)get_u64(t), f->size);
    uint32_t want = get_u32(t + 8);
    uint32_t got = (uint32_t)crc_update(crc32(0, Z_NULL, 0), f->buf, f->size - NR_NRFILE_TRAILER_SIZE);
    if (got != want) return nr_error(NR_STATUS_BAD_FORMAT, "%s: checksum mismatch: file is corrupted", f->label);
    return NR_OK;
}

/* Read position in the section area; every read goes through take(). */
typedef struct cursor {
    const unsigned char *b;
    uint64_t off, end;
} cursor;

static const unsigned char *take(cursor *c, uint64_t n) {
    if (n > c->end - c->off) return NULL;
    const unsigned char *p = c->b + c->off;
    c->off += n;
    return p;
}

static nr_status bad_section(const nr_nrfile *f, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static nr_status bad_section(const nr_nrfile *f, size_t i, const char *fmt, ...) {
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: section %zu is malformed: %s", f->label, i, why);
}

static nr_status read_shape(const nr_nrfile *f, cursor *c, size_t i, rsection *s) {
    const unsigned char *p = take(c, 4);
    if (!p) return bad_section(f, i, "header runs past the end");
    uint32_t ndim = get_u32(p);
    if (ndim > NR_MAX_DIMS) return bad_section(f, i, "ndim %u is more than %d", (unsigned)ndim, NR_MAX_DIMS);
    if (!(p = take(c, 8 * (uint64_t)ndim))) return bad_section(f, i, "header runs past the end");
    s->view.ndim = (int)ndim;
    for (uint32_t d = 0; d < ndim; d++) s->view.shape[d] = (int64_t)get_u64(p + 8 * d);
    if (!tensor_numel(s->view.ndim, s->view.shape, &s->view.numel)) {
        char buf[160];
        return bad_section(f, i, "shape %s has a negative or too large dim",
                           dims_str(buf, sizeof buf, s->view.ndim, s->view.shape));
    }
    return NR_OK;
}

static nr_status check_payload(const nr_nrfile *f, size_t i, rsection *s) {
    const unsigned char *p = s->view.data;
    size_t n = s->view.size;
    if (s->view.kind == NR_NRFILE_KIND_TENSOR && (uint64_t)s->view.numel * sizeof(float) != n)
        return bad_section(f, i, "tensor payload is %zu bytes, its shape needs %llu", n,
                           (unsigned long long)s->view.numel * sizeof(float));
    if (s->view.kind != NR_NRFILE_KIND_TEXT) return NR_OK;
    if (n == 0 || p[n - 1] != 0) return bad_section(f, i, "text is not NUL-terminated");
    if (memchr(p, 0, n - 1) || !utf8_valid(p, n - 1)) return bad_section(f, i, "text is not valid UTF-8");
    s->view.size = n - 1;
    return NR_OK;
}

static nr_status read_section(nr_nrfile *f, cursor *c, size_t i) {
    rsection *s = &f->secs[i];
    const unsigned char *p = take(c, 4);
    if (!p) return bad_section(f, i, "header runs past the end");
    s->name_len = get_u32(p);
    if (s->name_len == 0 || s->name_len > NR_NRFILE_MAX_NAME)
        return bad_section(f, i, "name length %u is not in 1..%u", (unsigned)s->name_len, NR_NRFILE_MAX_NAME);
    if (!(p = take(c, s->name_len))) return bad_section(f, i, "header runs past the end");
    if (memchr(p, 0, s->name_len) || !utf8_valid(p, s->name_len)) return bad_section(f, i, "name is not valid UTF-8");
    s->name_off = (size_t)(p - f->buf);
    if (!(p = take(c, 4))) return bad_section(f, i, "header runs past the end");
    uint32_t kind = get_u32(p);
    if (kind >= NR_NRFILE_KIND_COUNT_) return bad_section(f, i, "unknown kind %u", (unsigned)kind);
    s->view.kind = (nr_nrfile_kind)kind;
    if (kind == NR_NRFILE_KIND_TENSOR) NR_TRY(read_shape(f, c, i, s));
    if (!(p = take(c, 8))) return bad_section(f, i, "header runs past the end");
    uint64_t size = get_u64(p);
    const unsigned char *pad = take(c, pad_size(c->off));
    if (!pad) return bad_section(f, i, "header runs past the end");
    for (const unsigned char *q = pad; q < c->b + c->off; q++)
        if (*q) return bad_section(f, i, "alignment padding is not zero");
    if (!(p = take(c, size)))
        return bad_section(f, i, "payload of %llu bytes runs past the end", (unsigned long long)size);
    s->data_off = (size_t)(p - f->buf);
    s->view.data = p;
    s->view.size = (size_t)size;
    return check_payload(f, i, s);
}

static nr_status walk_sections(nr_nrfile *f) {
    cursor c = {f->buf, NR_NRFILE_HEADER_SIZE, f->size - NR_NRFILE_TRAILER_SIZE};
    uint64_t count = get_u64(f->buf + 24);
    /* Bounded by the bytes there are before anything is allocated for it. */
    if (count > (c.end - c.off) / MIN_SECTION)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is corrupted (%llu sections cannot fit in %zu bytes)",
                        f->label, (unsigned long long)count, f->size);
    f->secs = nr_calloc(count ? (size_t)count : 1, sizeof *f->secs);
    if (!f->secs) return NR_NOMEM();
    f->count = (size_t)count;
    for (size_t i = 0; i < f->count; i++) NR_TRY(read_section(f, &c, i));
    if (c.off != c.end)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is corrupted (%llu stray bytes after the last section)",
                        f->label, (unsigned long long)(c.end - c.off));
    return NR_OK;
}

static int cmp_sections(const void *a, const void *b) {
    return strcmp((*(const rsection *const *)a)->view.name, (*(const rsection *const *)b)->view.name);
}

static int cmp_key(const void *key, const void *elem) {
    return strcmp(key, (*(const rsection *const *)elem)->view.name);
}

/* Names get their own NUL-terminated copies (in the file they are not
 * terminated), and a sorted index makes lookups and the duplicate check
 * O(log n) even for a hostile file with many sections. */
static nr_status index_names(nr_nrfile *f) {
    size_t total = 0;
    for (size_t i = 0; i < f->count; i++) total += f->secs[i].name_len + 1;
    f->names = nr_malloc(total);
    f->order = nr_malloc((f->count ? f->count : 1) * sizeof *f->order);
    if (!f->names || !f->order) return NR_NOMEM();
    char *p = f->names;
    for (size_t i = 0; i < f->count; i++) {
        rsection *s = &f->secs[i];
        memcpy(p, f->buf + s->name_off, s->name_len);
        p[s->name_len] = 0;
        s->view.name = p;
        p += s->name_len + 1;
        f->order[i] = s;
    }
    qsort(f->order, f->count, sizeof *f->order, cmp_sections);
    for (size_t i = 1; i < f->count; i++)
        if (strcmp(f->order[i - 1]->view.name, f->order[i]->view.name) == 0)
            return nr_error(NR_STATUS_BAD_FORMAT, "%s: file is corrupted (duplicate section '%s')", f->label,
                            f->order[i]->view.name);
    return NR_OK;
}

/* Tensors are stored little-endian; a big-endian host swaps them once. */
static void tensors_to_host_order(nr_nrfile *f) {
    if (!HOST_BIG_ENDIAN) return;
    for (size_t i = 0; i < f->count; i++) {
        rsection *s = &f->secs[i];
        if (s->view.kind != NR_NRFILE_KIND_TENSOR) continue;
        for (size_t k = 0; k < s->view.size; k += 4) {
            uint32_t u = get_u32(f->buf + s->data_off + k);
            memcpy(f->buf + s->data_off + k, &u, 4);
        }
    }
}

static nr_status parse(nr_nrfile *f) {
    NR_TRY(check_header(f));
    NR_TRY(check_trailer(f));
    NR_TRY(walk_sections(f));
    NR_TRY(index_names(f));
    tensors_to_host_order(f);
    return NR_OK;
}

/* Either a fully verified file or nothing: on failure f is freed here. */
static nr_status finish_open(nr_nrfile *f, nr_status st, nr_nrfile **out) {
    if (st == NR_OK) st = parse(f);
    if (st != NR_OK) {
        nr_nrfile_close(f);
        return st;
    }
    *out = f;
    return NR_OK;
}

nr_status nr_nrfile_open(const char *path, nr_nrfile **out) {
    if (!path || !out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_nrfile_open: NULL argument");
    *out = NULL;
    nr_nrfile *f = file_new(path);
    if (!f) return NR_NOMEM();
    return finish_open(f, read_whole(f), out);
}

nr_status nr_nrfile_open_memory(const void *buf, size_t size, const char *label, nr_nrfile **out) {
    if (!out || (!buf && size > 0)) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_nrfile_open_memory: NULL argument");
    *out = NULL;
    nr_nrfile *f = file_new(label ? label : "<memory>");
    if (!f) return NR_NOMEM();
    nr_status st = alloc_buf(f, size);
    if (st == NR_OK && size > 0) memcpy(f->buf, buf, size);
    return finish_open(f, st, out);
}

const char *nr_nrfile_label(const nr_nrfile *f) { return f->label; }

size_t nr_nrfile_count(const nr_nrfile *f) { return f->count; }

nr_status nr_nrfile_section_at(const nr_nrfile *f, size_t i, nr_nrfile_section *out) {
    if (i >= f->count)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: section index %zu out of range (%zu sections)", f->label, i,
                        f->count);
    *out = f->secs[i].view;
    return NR_OK;
}

nr_status nr_nrfile_find(const nr_nrfile *f, const char *name, nr_nrfile_section *out) {
    const rsection *const *hit = name ? bsearch(name, f->order, f->count, sizeof *f->order, cmp_key) : NULL;
    if (!hit) return nr_error(NR_STATUS_BAD_FORMAT, "%s: section '%s' missing", f->label, name ? name : "(null)");
    *out = (*hit)->view;
    return NR_OK;
}

nr_status nr_nrfile_find_kind(const nr_nrfile *f, const char *name, nr_nrfile_kind kind, nr_nrfile_section *out) {
    nr_nrfile_section s = {0};
    NR_TRY(nr_nrfile_find(f, name, &s));
    if (s.kind != kind)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: section '%s' is %s, expected %s", f->label, name,
                        nr_nrfile_kind_str(s.kind), nr_nrfile_kind_str(kind));
    *out = s;
    return NR_OK;
}
