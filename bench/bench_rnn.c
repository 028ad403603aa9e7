/* Recurrent benchmarks (BENCHMARKING.md W3): training samples/s of
 *   (24, 1) -> LSTM(32) -> Dense(1), the same with LSTM(128) and GRU(64),
 *   MSE, Adam 1e-3, batch 64, synthetic data.
 * Prints lines like  neurona w3 lstm32 samples_per_s=...
 * Usage: bench_rnn [seconds per measurement, default 3] [workload...] */
#include "bench_common.h"

static void bench_w3(const char *cell, int units, double secs) {
    char spec[256];
    snprintf(spec, sizeof spec,
             "Input(shape=(24, 1))\n%s(%d)\nDense(1)\ncompile(optimizer=Adam(learning_rate=0.001), loss=\"mse\")\n",
             cell, units);
    nr_spec *s = load(spec);
    int64_t xs[3] = {64 * 32, 24, 1}, ys[2] = {64 * 32, 1};
    nr_tensor *x = random_tensor(3, xs, 1, 0), *y = random_tensor(2, ys, 2, 0);
    char name[16];
    snprintf(name, sizeof name, "%s%d", strcmp(cell, "LSTM") == 0 ? "lstm" : "gru", units);
    printf("neurona w3 %s samples_per_s=%.0f\n", name, train_rate(nr_spec_model(s), x, y, 64, secs));
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
}

static void lstm32(double secs) { bench_w3("LSTM", 32, secs); }
static void lstm128(double secs) { bench_w3("LSTM", 128, secs); }
static void gru64(double secs) { bench_w3("GRU", 64, secs); }

int main(int argc, char **argv) {
    static const bench_workload all[] = {{"lstm32", lstm32}, {"lstm128", lstm128}, {"gru64", gru64}};
    return bench_main(argc, argv, all, sizeof all / sizeof all[0]);
}
