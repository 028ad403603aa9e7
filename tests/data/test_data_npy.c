/* .npy: every dtype read from hand-built files, save/load round trips,
 * the exact header NumPy expects, atomic saves, and each malformed file
 * refused with a message saying why. */
#include <dirent.h>
#include <stdint.h>
#include "data/data_test.h"

/* A .npy file image: preamble (v1 or v2), dict padded to 64 bytes, data. */
static size_t make_npy(unsigned char *out, int major, const char *dict, const void *data, size_t n) {
    size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
    size_t total = (pre + dl + 1 + 63) / 64 * 64, hlen = total - pre;
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (unsigned char)major;
    out[7] = 0;
    for (size_t i = 0; i < pre - 8; i++) out[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(out + pre, dict, dl);
    memset(out + pre + dl, ' ', hlen - dl - 1);
    out[total - 1] = '\n';
    if (n) memcpy(out + total, data, n);
    return total + n;
}

static const char *npy_file(int major, const char *dict, const void *data, size_t n) {
    static unsigned char buf[4096];
    size_t len = make_npy(buf, major, dict, data, n);
    return tmp_file(".npy", buf, len);
}

static void check_loaded(const char *path, int ndim, const int64_t *shape, const float *want, const char *what) {
    nr_tensor *t = NULL;
    if (!CHECK_OK(nr_npy_load(path, &t))) return;
    int ok = t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == shape[i];
    if (!CHECK(ok)) fprintf(stderr, "  %s: wrong shape\n", what);
    else nr_test_close_arrays(t->data, want, (size_t)nr_tensor_numel(t), 0, 0, what);
    nr_tensor_free(t);
}

static void test_dtypes(void) {
    const float want[6] = {-3, 0, 1, 2, 100, 7};
    const int64_t shape[2] = {2, 3};
    int32_t i4[6] = {-3, 0, 1, 2, 100, 7};
    int64_t i8[6] = {-3, 0, 1, 2, 100, 7};
    double f8[6] = {-3, 0, 1, 2, 100, 7};
    float f4[6] = {-3, 0, 1, 2, 100, 7};
    int16_t i2[6] = {-3, 0, 1, 2, 100, 7};
    int8_t i1[6] = {-3, 0, 1, 2, 100, 7};
    check_loaded(npy_file(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", i4, sizeof i4), 2,
                 shape, want, "int32");
    check_loaded(npy_file(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", i8, sizeof i8), 2,
                 shape, want, "int64");
    check_loaded(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", f8, sizeof f8), 2,
                 shape, want, "float64");
    check_loaded(npy_file(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f4, sizeof f4), 2,
                 shape, want, "float32 v2");
    check_loaded(npy_file(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }", i2, sizeof i2), 2,
                 shape, want, "int16");
    check_loaded(npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2,3)}", i1, sizeof i1), 2, shape,
                 want, "int8, compact dict");
    uint8_t u1[4] = {0, 1, 128, 255};
    const float want_u1[4] = {0, 1, 128, 255};
    check_loaded(npy_file(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", u1, sizeof u1), 1,
                 (int64_t[]){4}, want_u1, "uint8");
    uint8_t b1[2] = {1, 0};
    check_loaded(npy_file(1, "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"|b1\"}", b1, 2), 1,
                 (int64_t[]){2}, (const float[]){1, 0}, "bool, other key order");
    float scalar = 2.5f;
    check_loaded(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", &scalar, 4), 0, NULL,
                 &scalar, "0-d");
    check_loaded(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", NULL, 0), 2,
                 (int64_t[]){0, 3}, NULL, "empty");
}

static void test_round_trip(void) {
    char dir[] = "/tmp/nr_npy_XXXXXX";
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    char path[64];
    snprintf(path, sizeof path, "%s/t.npy", dir);
    const int64_t shapes[4][3] = {{7, 0, 0}, {2, 3, 0}, {2, 3, 4}, {0, 0, 0}};
    const int ndims[4] = {1, 2, 3, 0};
    for (int k = 0; k < 4; k++) {
        nr_tensor *t = NULL, *u = NULL;
        CHECK_OK(nr_tensor_new(&t, ndims[k], shapes[k]));
        for (int64_t i = 0; i < nr_tensor_numel(t); i++) t->data[i] = (float)i * 0.25f - 1.0f;
        CHECK_OK(nr_npy_save(path, t));
        if (CHECK_OK(nr_npy_load(path, &u))) {
            CHECK(u->ndim == t->ndim && memcmp(u->shape, t->shape, (size_t)t->ndim * sizeof(int64_t)) == 0);
            nr_test_close_arrays(u->data, t->data, (size_t)nr_tensor_numel(t), 0, 0, "round trip");
        }
        nr_tensor_free(t);
        nr_tensor_free(u);
    }
    /* the last save was the scalar; check the header bytes of a 2-D one */
    nr_tensor *t = NULL;
    CHECK_OK(nr_tensor_new(&t, 2, (int64_t[]){2, 3}));
    CHECK_OK(nr_npy_save(path, t));
    size_t len = 0;
    char *bytes = nr_test_read_file(path, &len);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    CHECK(bytes && len == 128 + 24 && memcmp(bytes, "\x93NUMPY\x01\x00\x76\x00", 10) == 0);
    CHECK(bytes && memcmp(bytes + 10, dict, strlen(dict)) == 0 && bytes[127] == '\n');
    free(bytes);
    /* atomic: no temporary left behind */
    int entries = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) entries += e->d_name[0] != '.';
    if (d) closedir(d);
    CHECK(entries == 1);
    char bad[96];
    snprintf(bad, sizeof bad, "%s/missing/t.npy", dir);
    CHECK_ERR(nr_npy_save(bad, t), NR_STATUS_IO, bad);
    nr_tensor_free(t);
    unlink(path);
    rmdir(dir);
}

static void test_malformed(void) {
    nr_tensor *t = NULL;
    float f4[6] = {0};
    const char *ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    unsigned char buf[4096];
    size_t n = make_npy(buf, 1, ok_dict, f4, sizeof f4);

    buf[1] = 'X';
    CHECK_ERR(nr_npy_load(tmp_file(".npy", buf, n), &t), NR_STATUS_BAD_FORMAT, "bad magic");
    buf[1] = 'N';
    CHECK_ERR(nr_npy_load(tmp_file(".npy", buf, n - 1), &t), NR_STATUS_BAD_FORMAT, "truncated", "24");
    CHECK_ERR(nr_npy_load(tmp_file(".npy", buf, 40), &t), NR_STATUS_BAD_FORMAT, "truncated", "header");
    CHECK_ERR(nr_npy_load(tmp_file(".npy", buf, 5), &t), NR_STATUS_BAD_FORMAT, "truncated");
    buf[n] = 0;
    CHECK_ERR(nr_npy_load(tmp_file(".npy", buf, n + 1), &t), NR_STATUS_BAD_FORMAT, "trailing");
    buf[6] = 9;
    CHECK_ERR(nr_npy_load(tmp_file(".npy", buf, n), &t), NR_STATUS_BAD_VERSION, "version 9.0");
    buf[6] = 1;

    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, "
                                      "1099511627776), }", f4, sizeof f4), &t),
              NR_STATUS_BAD_FORMAT, "absurdly large");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }",
                                   f4, sizeof f4), &t),
              NR_STATUS_BAD_FORMAT, "40000000000", "truncated");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f4, 24), &t),
              NR_STATUS_UNSUPPORTED, "Fortran");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", f4, 24), &t),
              NR_STATUS_UNSUPPORTED, "big-endian");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", f4, 24), &t),
              NR_STATUS_UNSUPPORTED, "'<c8'");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (12,), }", f4, 24), &t),
              NR_STATUS_UNSUPPORTED, "'<f2'");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,6), }", f4,
                                   24), &t),
              NR_STATUS_UNSUPPORTED, "more than 5");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f4', 'shape': (6,), }", f4, 24), &t), NR_STATUS_BAD_FORMAT,
              "required");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-6,), }", f4, 24), &t),
              NR_STATUS_BAD_FORMAT, "non-negative");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6 }", f4, 24), &t),
              NR_STATUS_BAD_FORMAT, "not closed");
    CHECK_ERR(nr_npy_load(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}", f4, 24),
                          &t),
              NR_STATUS_BAD_FORMAT, "unknown key");
    /* a v2 header claiming 4 GB */
    n = make_npy(buf, 2, ok_dict, f4, sizeof f4);
    buf[8] = buf[9] = buf[10] = buf[11] = 0xff;
    CHECK_ERR(nr_npy_load(tmp_file(".npy", buf, n), &t), NR_STATUS_BAD_FORMAT, "header length", "exceeds");
    CHECK_ERR(nr_npy_load("/nonexistent.npy", &t), NR_STATUS_IO, "/nonexistent.npy");
    CHECK(t == NULL);
}

/* Allocation N fails: OK or NO_MEMORY, never a leak or a crash. */
static void test_out_of_memory(void) {
    int64_t i8[6] = {1, 2, 3, 4, 5, 6};
    const char *p = npy_file(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", i8, sizeof i8);
    int saw_ok = 0, bad = 0;
    for (long n = 0; n < 50 && !saw_ok; n++) {
        nr_tensor *t = NULL;
        fail_allocs_from(n);
        nr_status s = nr_npy_load(p, &t);
        fail_allocs_from(-1);
        saw_ok = s == NR_OK;
        bad += s != NR_OK && (s != NR_STATUS_NO_MEMORY || t != NULL);
        nr_tensor_free(t);
    }
    CHECK(saw_ok && bad == 0);
}

int main(void) {
    test_out_of_memory();
    test_dtypes();
    test_round_trip();
    test_malformed();
    return nr_test_finish();
}
