/* Helpers shared by the model benchmarks (bench_cnn.c, bench_rnn.c):
 * clock, synthetic data, steady-state training rate. */
#ifndef NR_BENCH_COMMON_H
#define NR_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "neurona/neurona.h"

/* BENCH_CPU=1 times process CPU instead of wall time: for single-thread
 * A/B comparisons on a busy machine (with threads it counts every core). */
static inline double now(void) {
    struct timespec ts;
    clock_gettime(getenv("BENCH_CPU") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline void die(const char *what) {
    fprintf(stderr, "bench: %s: %s\n", what, nr_last_error());
    exit(1);
}

static inline nr_tensor *random_tensor(int ndim, const int64_t *shape, unsigned seed, int classes) {
    nr_tensor *t;
    if (nr_tensor_new(&t, ndim, shape) != NR_OK) die("tensor");
    srand(seed);
    for (int64_t i = 0; i < nr_tensor_numel(t); i++)
        t->data[i] = classes ? (float)(rand() % classes) : (float)rand() / (float)RAND_MAX;
    return t;
}

/* Samples per second of fit() epochs over n samples, after one warm-up. */
static inline double train_rate(nr_model *m, const nr_tensor *x, const nr_tensor *y, int batch, double secs) {
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_fit_opts fo = {.epochs = 1, .batch_size = batch};
    if (nr_model_fit(m, xv, yv, &fo, NULL)) die("fit");
    int64_t samples = 0;
    double t0 = now();
    while (now() - t0 < secs) {
        if (nr_model_fit(m, xv, yv, &fo, NULL)) die("fit");
        samples += x->shape[0];
    }
    return (double)samples / (now() - t0);
}

static inline nr_spec *load(const char *text) {
    nr_spec *s;
    if (nr_spec_load_string(text, "bench", 1, &s)) die("model");
    return s;
}

/* A benchmark program's workloads by name. */
typedef struct bench_workload {
    const char *name;
    void (*run)(double secs);
} bench_workload;

/* Usage: PROGRAM [seconds per measurement, default 3] [workload...]: runs
 * the named workloads (all when none is named), then the thread line. */
static inline int bench_main(int argc, char **argv, const bench_workload *all, size_t n) {
    double secs = argc > 1 ? atof(argv[1]) : 3.0;
    for (size_t i = 0; i < n; i++) {
        int chosen = argc <= 2;
        for (int a = 2; a < argc; a++) chosen |= strcmp(argv[a], all[i].name) == 0;
        if (chosen) all[i].run(secs);
    }
    printf("neurona threads=%d blas=%s\n", nr_num_threads(), nr_blas_corename());
    return 0;
}

#endif
