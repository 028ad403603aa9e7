/* W1 benchmark: MLP 784-256-128-10, ReLU, softmax cross-entropy, Adam,
 * batch 128 on MNIST-shaped synthetic data. Prints one line per figure:
 *   neurona w1 train samples_per_s=...
 *   neurona w1 predict128 samples_per_s=...
 *   neurona w1 predict1 latency_ms=...
 * Usage: bench_w1 [seconds per measurement, default 3] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
#include "neurona/neurona.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static nr_tensor *random_tensor(int ndim, const int64_t *shape, unsigned seed, int classes) {
    nr_tensor *t;
    if (nr_tensor_new(&t, ndim, shape) != NR_OK) return NULL;
    srand(seed);
    for (int64_t i = 0; i < nr_tensor_numel(t); i++)
        t->data[i] = classes ? (float)(rand() % classes) : (float)rand() / (float)RAND_MAX;
    return t;
}

/* The machine's SGEMM reference point: OpenBLAS on a large square product
 * with every thread, as BENCHMARKING.md measures "peak". */
static double sgemm_peak(double secs) {
    const int n = 1024;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) a[i] = b[i] = c[i] = 1e-3f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    int calls = 0;
    double t0 = now();
    while (now() - t0 < secs) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        calls++;
    }
    double gf = 2.0 * n * n * n * calls / (now() - t0) / 1e9;
    free(a);
    free(b);
    free(c);
    return gf;
}

static void die(const char *what) {
    fprintf(stderr, "bench_w1: %s: %s\n", what, nr_last_error());
    exit(1);
}

static nr_model *build(nr_graph *g) {
    nr_model *m;
    nr_layer *l[3];
    if (nr_sequential_new(g, NULL, &m)) die("model");
    if (nr_dense(g, &(nr_dense_opts){.units = 256, .activation = NR_ACT_RELU, .base = {.input_shape = {784}, .input_ndim = 1}}, &l[0]) ||
        nr_dense(g, &(nr_dense_opts){.units = 128, .activation = NR_ACT_RELU}, &l[1]) ||
        nr_dense(g, &(nr_dense_opts){.units = 10, .activation = NR_ACT_SOFTMAX}, &l[2]))
        die("layers");
    for (int i = 0; i < 3; i++)
        if (nr_sequential_add(m, l[i])) die("add");
    nr_compile_opts c = {.optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 1e-3f},
                         .loss = {{.kind = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}}};
    if (nr_model_compile(m, &c)) die("compile");
    return m;
}

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 3.0;
    const int64_t n = 128 * 64;
    int64_t xs[2] = {n, 784}, ys[1] = {n}, x1s[2] = {1, 784};
    nr_tensor *x = random_tensor(2, xs, 1, 0), *y = random_tensor(1, ys, 2, 10), *x1 = random_tensor(2, x1s, 3, 0);
    nr_graph *g;
    if (nr_graph_new(&g, 1)) die("graph");
    nr_model *m = build(g);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y}, *x1v[1] = {x1};
    nr_fit_opts fo = {.epochs = 1, .batch_size = 128};
    if (nr_model_fit(m, xv, yv, &fo, NULL)) die("fit");   /* warm-up */
    int64_t samples = 0;
    double t0 = now();
    while (now() - t0 < secs) {
        if (nr_model_fit(m, xv, yv, &fo, NULL)) die("fit");
        samples += n;
    }
    printf("neurona w1 train samples_per_s=%.0f\n", (double)samples / (now() - t0));
    nr_tensor *out[1];
    samples = 0;
    t0 = now();
    while (now() - t0 < secs) {
        if (nr_model_predict(m, xv, 128, out)) die("predict");
        nr_tensor_free(out[0]);
        samples += n;
    }
    printf("neurona w1 predict128 samples_per_s=%.0f\n", (double)samples / (now() - t0));
    int64_t calls = 0;
    t0 = now();
    while (now() - t0 < secs) {
        if (nr_model_predict(m, x1v, 1, out)) die("predict1");
        nr_tensor_free(out[0]);
        calls++;
    }
    printf("neurona w1 predict1 latency_ms=%.4f\n", (now() - t0) * 1e3 / (double)calls);
    printf("neurona threads=%d blas=%s\n", nr_num_threads(), nr_blas_corename());
    printf("neurona sgemm1024 gflops=%.1f\n", sgemm_peak(secs / 2));
    nr_graph_free(g);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_tensor_free(x1);
    return 0;
}
