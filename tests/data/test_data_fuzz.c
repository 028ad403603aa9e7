/* Fuzz-style robustness: thousands of seeded random mutations of valid
 * CSV, NPY, IDX (raw and gzip), PNG and JPEG files. Every call must return a status,
 * with a message when it fails, and never crash or leak; run under ASan
 * and UBSan this is the parsers' main memory-safety test. */
#include "data/data_test.h"
#include "image_write.h"

#ifndef ITERS
#define ITERS 2000   /* override with -DITERS=N for a longer campaign */
#endif

static uint64_t rng_state = 20240601;

static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* 1..8 mutations: overwrite, insert, delete, truncate or duplicate, with
 * bytes biased towards the ones parsers treat specially. `hot` limits
 * half of the edits to the first bytes, where the headers are. */
static size_t mutate(unsigned char *b, size_t n, size_t cap, size_t hot) {
    static const unsigned char special[] = ",\"\n\r\t\0 .-e9N?\xff\x80\x08\x03\x01{}():'";
    int edits = rnd() & 3 ? 1 + (int)below(2) : 1 + (int)below(8);
    for (int e = 0; e < edits; e++) {
        size_t pos = below(rnd() & 1 && hot && hot < n ? hot : n + 1);
        unsigned char c = rnd() & 1 ? special[below(sizeof special - 1)] : (unsigned char)rnd();
        switch (below(5)) {
        case 0:
            if (pos < n) b[pos] = c;
            break;
        case 1:
            if (n < cap) {
                memmove(b + pos + 1, b + pos, n - pos);
                b[pos] = c;
                n++;
            }
            break;
        case 2:
            if (pos < n) {
                memmove(b + pos, b + pos + 1, n - pos - 1);
                n--;
            }
            break;
        case 3:
            n = pos < n ? pos : n;
            break;
        default: {
            size_t len = below(16);
            if (pos + len <= n && n + len <= cap) {
                memmove(b + pos + len, b + pos, n - pos);
                n += len;
            }
        }
        }
    }
    return n;
}

static int status_sane(nr_status s) {
    return (unsigned)s < NR_STATUS_COUNT_ && (s == NR_OK || nr_last_error()[0] != 0);
}

static nr_status try_csv(const char *path) {
    nr_csv *csv = NULL;
    nr_status s = nr_csv_read(path, NULL, &csv);
    if (s != NR_OK) return s;
    nr_tensor *x = NULL, *y = NULL;
    nr_labels *lab = NULL;
    int ok = 1;
    nr_status t = nr_csv_to_xy(csv, "-1", &(nr_csv_xy_opts){.missing = NR_CSV_MISSING_DROP}, &x, &y, &lab);
    ok &= status_sane(t) && (t != NR_OK || (x && y && x->shape[0] == y->shape[0]));
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_labels_free(lab);
    t = nr_csv_to_x(csv, NULL, &x);
    ok &= status_sane(t);
    nr_tensor_free(x);
    for (int c = 0; c < nr_csv_num_cols(csv); c++)   /* touch every cell */
        for (int64_t r = 0; r < nr_csv_num_rows(csv); r++) {
            nr_csv_is_missing(csv, r, c);
            nr_csv_value(csv, r, c);
        }
    nr_csv_free(csv);
    return ok ? NR_OK : NR_STATUS_COUNT_;
}

static nr_status try_npy(const char *path) {
    nr_tensor *t = NULL;
    nr_status s = nr_npy_load(path, &t);
    nr_tensor_free(t);
    return s;
}

static nr_status try_idx(const char *path) {
    nr_tensor *t = NULL;
    nr_status s = nr_idx_load(path, &(nr_idx_opts){.raw = (int)(rnd() & 1)}, &t);
    nr_tensor_free(t);
    return s;
}

static nr_status try_image(const char *path) {
    nr_tensor *t = NULL;
    int size = (int)below(3);   /* keep, shrink or enlarge */
    nr_image_opts o = {.color_mode = (nr_color_mode)below(3), .height = size * 4, .width = size * 3};
    nr_status s = nr_image_load(path, &o, &t);
    nr_tensor_free(t);
    return s;
}

/* The bytes of a small image file written by write(path). */
static unsigned char *image_bytes(int (*write)(const char *), size_t *n) {
    const char *path = tmp_new(".img");
    return write(path) ? (unsigned char *)nr_test_read_file(path, n) : NULL;
}

static int write_png_seed(const char *path) {
    unsigned char px[6 * 5 * 4];
    for (int i = 0; i < (int)sizeof px; i++) px[i] = (unsigned char)(i * 13);
    return test_png_write8(path, 6, 5, 4, px);
}

static int write_jpeg_seed(const char *path) {
    unsigned char px[16 * 9 * 3];
    for (int i = 0; i < (int)sizeof px; i++) px[i] = (unsigned char)(i * 5);
    return test_jpeg_write(path, 16, 9, 3, px, 80);
}

/* Runs ITERS mutants of seed through fn; gz: 0 raw, 1 compress the
 * mutant, 2 mutate the compressed bytes. Returns how many read OK. */
static int fuzz(const char *name, const unsigned char *seed, size_t n, size_t hot, nr_status (*fn)(const char *)) {
    size_t cap = 2 * n + 64;
    unsigned char *b = malloc(cap), *z = malloc(cap + 256);
    const char *raw = tmp_new(".dat"), *gz = tmp_new(".gz");
    int oks = 0, bad = 0;
    for (int i = 0; i < ITERS; i++) {
        int mode = (int)below(3);
        memcpy(b, seed, n);
        size_t m = mode == 2 ? n : mutate(b, n, cap, hot);
        const char *path = raw;
        if (mode == 0) {
            write_bytes(raw, b, m);
        } else {
            write_gz(gz, b, m);
            path = gz;
            if (mode == 2) {
                size_t zl = 0;
                unsigned char *zb = (unsigned char *)nr_test_read_file(gz, &zl);
                memcpy(z, zb, zl < cap ? zl : cap);
                free(zb);
                zl = mutate(z, zl < cap ? zl : cap, cap, 0);
                write_bytes(gz, z, zl);
            }
        }
        nr_clear_error();
        nr_status s = fn(path);
        if (!status_sane(s)) {
            bad++;
            fprintf(stderr, "  %s iteration %d: status %d, message \"%s\"\n", name, i, (int)s, nr_last_error());
        }
        oks += s == NR_OK;
    }
    CHECK(bad == 0);
    printf("%s: %d of %d mutants read OK, the rest refused cleanly\n", name, oks, ITERS);
    free(b);
    free(z);
    return oks;
}

int main(void) {
    const char *csv =
        "id,\"name, full\",score,label\r\n"
        "1,\"Ann \"\"A\"\"\",3.5,yes\r\n"
        "2,Bob,NA,no\r\n"
        "3,\"multi\nline\",-1e3,yes\r\n"
        "4,,7,maybe\r\n";
    int ok = fuzz("csv", (const unsigned char *)csv, strlen(csv), 0, try_csv);
    CHECK(ok > 0);

    unsigned char npy[256];
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    size_t dl = strlen(dict);
    memcpy(npy, "\x93NUMPY\x01\x00\x76\x00", 10);
    memcpy(npy + 10, dict, dl);
    memset(npy + 10 + dl, ' ', 128 - 10 - dl);
    npy[127] = '\n';
    for (int i = 0; i < 24; i++) npy[128 + i] = (unsigned char)(i * 7);
    ok = fuzz("npy", npy, 152, 128, try_npy);
    CHECK(ok > 0);

    unsigned char idx[16 + 24] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
    for (int i = 0; i < 24; i++) idx[16 + i] = (unsigned char)(i * 10);
    ok = fuzz("idx", idx, sizeof idx, 16, try_idx);
    CHECK(ok > 0);

    /* PNG chunks carry CRCs, so most PNG mutants stop there; JPEG has none
     * and its mutants reach deep into the decoder. */
    size_t n = 0;
    unsigned char *png = image_bytes(write_png_seed, &n);
    if (CHECK(png != NULL)) fuzz("png", png, n, 33, try_image);
    free(png);
    unsigned char *jpeg = image_bytes(write_jpeg_seed, &n);
    if (CHECK(jpeg != NULL)) fuzz("jpeg", jpeg, n, 0, try_image);
    free(jpeg);
    return nr_test_finish();
}
