/* IDX: hand-built raw and gzip files, every malformed case, folder loading
 * with the file-name variants, and real Fashion-MNIST when installed. */
#include <sys/stat.h>
#include "data/data_test.h"

/* Header (magic 0x0000080<nd>, dims big-endian) followed by the bytes. */
static size_t make_idx(unsigned char *out, int nd, const uint32_t *dims, const unsigned char *data, size_t n) {
    out[0] = out[1] = 0;
    out[2] = 0x08;
    out[3] = (unsigned char)nd;
    for (int i = 0; i < nd; i++)
        for (int b = 0; b < 4; b++) out[4 + 4 * i + b] = (unsigned char)(dims[i] >> (24 - 8 * b));
    if (n) memcpy(out + 4 + 4 * nd, data, n);
    return 4 + 4 * (size_t)nd + n;
}

static const unsigned char pixels[12] = {0, 255, 51, 102, 0, 0, 1, 2, 3, 4, 5, 255};
static const unsigned char labels[5] = {3, 0, 9, 9, 1};

static void test_valid(void) {
    unsigned char buf[256];
    size_t n = make_idx(buf, 3, (uint32_t[]){2, 3, 2}, pixels, sizeof pixels);
    const char *paths[2] = {tmp_file(".idx", buf, n), tmp_gz(".idx.gz", buf, n)};
    for (int k = 0; k < 2; k++) {
        nr_tensor *t = NULL;
        if (!CHECK_OK(nr_idx_load(paths[k], NULL, &t))) continue;
        CHECK(t->ndim == 4 && t->shape[0] == 2 && t->shape[1] == 3 && t->shape[2] == 2 && t->shape[3] == 1);
        CHECK(t->data[0] == 0 && t->data[1] == 1 && t->data[2] == 0.2f && t->data[11] == 1);
        nr_tensor_free(t);
        if (!CHECK_OK(nr_idx_load(paths[k], &(nr_idx_opts){.raw = 1}, &t))) continue;
        CHECK(t->data[1] == 255 && t->data[2] == 51 && t->data[10] == 5);
        nr_tensor_free(t);
    }
    n = make_idx(buf, 1, (uint32_t[]){5}, labels, sizeof labels);
    nr_tensor *t = NULL;
    if (CHECK_OK(nr_idx_load(tmp_gz(".gz", buf, n), NULL, &t))) {
        CHECK(t->ndim == 1 && t->shape[0] == 5 && t->data[0] == 3 && t->data[2] == 9 && t->data[4] == 1);
        nr_tensor_free(t);
    }
}

static void test_malformed(void) {
    unsigned char buf[256];
    nr_tensor *t = NULL;
    size_t n = make_idx(buf, 3, (uint32_t[]){2, 3, 2}, pixels, sizeof pixels);
    buf[2] = 0x0D;   /* float elements */
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "0x00000d03", "0x00000803");
    buf[2] = 0x08;
    buf[3] = 2;   /* two dimensions */
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "0x00000802");
    buf[3] = 3;
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n - 1), NULL, &t), NR_STATUS_BAD_FORMAT, "truncated", "12");
    CHECK_ERR(nr_idx_load(tmp_gz(".gz", buf, n - 1), NULL, &t), NR_STATUS_BAD_FORMAT, "truncated");
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, 9), NULL, &t), NR_STATUS_BAD_FORMAT, "truncated", "dimensions");
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, 2), NULL, &t), NR_STATUS_BAD_FORMAT, "truncated");
    CHECK_ERR(nr_idx_load(tmp_file(".idx", "", 0), NULL, &t), NR_STATUS_BAD_FORMAT, "truncated");
    buf[n] = 7;
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n + 1), NULL, &t), NR_STATUS_BAD_FORMAT, "trailing");
    CHECK_ERR(nr_idx_load(tmp_gz(".gz", buf, n + 1), NULL, &t), NR_STATUS_BAD_FORMAT, "trailing");
    /* a gzip stream cut inside: zlib reports no error by itself */
    const char *gz = tmp_gz(".gz", buf, n);
    size_t len = 0;
    char *bytes = nr_test_read_file(gz, &len);
    write_bytes(gz, bytes, len - 5);
    free(bytes);
    CHECK_ERR(nr_idx_load(gz, NULL, &t), NR_STATUS_BAD_FORMAT, "truncated");

    n = make_idx(buf, 3, (uint32_t[]){60000, 0, 28}, NULL, 0);
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "dimension 1 is 0");
    n = make_idx(buf, 3, (uint32_t[]){60000, 28, 100000}, NULL, 0);
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "dimension 2 is 100000");
    n = make_idx(buf, 3, (uint32_t[]){0x80000000u, 28, 28}, NULL, 0);
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "dimension 0");
    /* a tiny gzip file claiming 60000 images */
    n = make_idx(buf, 3, (uint32_t[]){60000, 28, 28}, pixels, sizeof pixels);
    CHECK_ERR(nr_idx_load(tmp_gz(".gz", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "47040000", "gzip");
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "47040000", "truncated");
    /* the largest dimensions allowed: their product (2^63 - 2^32) must not overflow */
    n = make_idx(buf, 3, (uint32_t[]){0x7fffffffu, 65536, 65536}, pixels, sizeof pixels);
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "9223372032559808512", "truncated");
    CHECK_ERR(nr_idx_load(tmp_gz(".gz", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "9223372032559808512", "gzip");
    /* labels: a header announcing more than the payload holds */
    n = make_idx(buf, 1, (uint32_t[]){10}, labels, sizeof labels);
    CHECK_ERR(nr_idx_load(tmp_file(".idx", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "10 data bytes", "truncated");
    CHECK_ERR(nr_idx_load(tmp_gz(".gz", buf, n), NULL, &t), NR_STATUS_BAD_FORMAT, "truncated");
    CHECK_ERR(nr_idx_load("/nonexistent-idx", NULL, &t), NR_STATUS_IO, "/nonexistent-idx");
    CHECK_ERR(nr_idx_load("/tmp", NULL, &t), NR_STATUS_IO, "not a regular file");
    CHECK(t == NULL);
}

static void put(const char *dir, const char *name, const unsigned char *buf, size_t n, int gz) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gz) write_gz(path, buf, n);
    else write_bytes(path, buf, n);
}

static void test_dir(void) {
    char dir[] = "/tmp/nr_idx_XXXXXX";
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    unsigned char img[256], lab[64];
    size_t ni = make_idx(img, 3, (uint32_t[]){2, 3, 2}, pixels, sizeof pixels);
    size_t nl = make_idx(lab, 1, (uint32_t[]){2}, labels, 2);
    nr_tensor *xa = NULL, *ya = NULL, *xb = NULL, *yb = NULL;
    put(dir, "train-images-idx3-ubyte.gz", img, ni, 1);
    put(dir, "t10k-labels.idx1-ubyte", lab, nl, 0);
    CHECK_ERR(nr_idx_load_dir(dir, &xa, &ya, &xb, &yb), NR_STATUS_IO, dir, "train-labels-idx1-ubyte",
              "t10k-images-idx3-ubyte");
    CHECK(!strstr(nr_last_error(), "train-images") && xa == NULL && yb == NULL);
    put(dir, "train-labels-idx1-ubyte", lab, nl, 0);
    put(dir, "t10k-images.idx3-ubyte.gz", img, ni, 1);
    if (CHECK_OK(nr_idx_load_dir(dir, &xa, &ya, &xb, &yb))) {
        CHECK(xa->ndim == 4 && xa->shape[0] == 2 && ya->shape[0] == 2 && xb->shape[1] == 3 && yb->data[0] == 3);
        CHECK(xa->data[1] == 1.0f);
    }
    nr_tensor_free(xa);
    nr_tensor_free(ya);
    nr_tensor_free(xb);
    nr_tensor_free(yb);
    /* three labels for two images */
    nl = make_idx(lab, 1, (uint32_t[]){3}, labels, 3);
    put(dir, "t10k-labels.idx1-ubyte", lab, nl, 0);
    CHECK_ERR(nr_idx_load_dir(dir, &xa, &ya, &xb, &yb), NR_STATUS_BAD_FORMAT, "2 test images but 3 labels");
    CHECK(xa == NULL && ya == NULL && xb == NULL && yb == NULL);
    const char *names[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "t10k-images.idx3-ubyte.gz",
                           "t10k-labels.idx1-ubyte"};
    for (int i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static const char *fashion_dir(void) {
    struct stat st;
    if (stat("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", &st) == 0)
        return "/usr/share/datasets/fashion-mnist";
    return nr_test_shared_data("fashion-mnist");
}

static void test_fashion_mnist(void) {
    const char *dir = fashion_dir();
    if (!dir) {
        printf("skipped: Fashion-MNIST not found (apt-get install dataset-fashion-mnist)\n");
        return;
    }
    nr_tensor *xa = NULL, *ya = NULL, *xb = NULL, *yb = NULL;
    if (!CHECK_OK(nr_idx_load_dir(dir, &xa, &ya, &xb, &yb))) return;
    CHECK(xa->ndim == 4 && xa->shape[0] == 60000 && xa->shape[1] == 28 && xa->shape[2] == 28 && xa->shape[3] == 1);
    CHECK(ya->ndim == 1 && ya->shape[0] == 60000 && xb->shape[0] == 10000 && yb->shape[0] == 10000);
    CHECK(ya->data[0] == 9 && ya->data[1] == 0 && ya->data[2] == 0 && ya->data[3] == 3);
    CHECK(yb->data[0] == 9 && yb->data[1] == 2 && yb->data[2] == 1 && yb->data[3] == 1);
    float lo = 1, hi = 0, ymax = 0;
    double sum = 0;
    for (int64_t i = 0; i < nr_tensor_numel(xa); i++) {
        float v = xa->data[i];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
    }
    for (int64_t i = 0; i < 60000; i++) ymax = ya->data[i] > ymax ? ya->data[i] : ymax;
    CHECK(lo == 0 && hi == 1 && ymax == 9);
    CHECK_CLOSE(sum / (double)nr_tensor_numel(xa), 0.2860, 1e-3, 0);   /* the well-known training mean */
    nr_tensor_free(xa);
    nr_tensor_free(ya);
    nr_tensor_free(xb);
    nr_tensor_free(yb);
}

/* Allocation N fails: OK or NO_MEMORY, never a leak or a crash. */
static void test_out_of_memory(void) {
    char dir[] = "/tmp/nr_idx_XXXXXX";
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    unsigned char img[256], lab[64];
    size_t ni = make_idx(img, 3, (uint32_t[]){2, 3, 2}, pixels, sizeof pixels);
    size_t nl = make_idx(lab, 1, (uint32_t[]){2}, labels, 2);
    const char *names[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte.gz",
                           "t10k-labels-idx1-ubyte.gz"};
    for (int i = 0; i < 4; i++) put(dir, names[i], i % 2 ? lab : img, i % 2 ? nl : ni, i >= 2);
    int saw_ok = 0, bad = 0;
    for (long n = 0; n < 100 && !saw_ok; n++) {
        nr_tensor *t[4] = {NULL, NULL, NULL, NULL};
        fail_allocs_from(n);
        nr_status s = nr_idx_load_dir(dir, &t[0], &t[1], &t[2], &t[3]);
        fail_allocs_from(-1);
        saw_ok = s == NR_OK;
        bad += s != NR_OK && (s != NR_STATUS_NO_MEMORY || t[0] || t[3]);
        for (int i = 0; i < 4; i++) nr_tensor_free(t[i]);
    }
    CHECK(saw_ok && bad == 0);
    for (int i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void) {
    test_out_of_memory();
    test_valid();
    test_malformed();
    test_dir();
    test_fashion_mnist();
    return nr_test_finish();
}
