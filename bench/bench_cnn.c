/* Convolutional benchmarks (BENCHMARKING.md): training samples/s of
 *   W2  28x28x1 -> Conv2D(32,3,relu) -> MaxPool2 -> Conv2D(16,3,relu) ->
 *       MaxPool2 -> Flatten -> Dense(10), 8,954 params, batch 64 and 128,
 *       plus batch-128 prediction and batch-1 latency;
 *   W4  the 4,385-parameter convolutional autoencoder on 28x28x1, BCE,
 *       batch 128;
 *   W5  32x32x3: Conv(32,3,same,relu) x2, MaxPool, Conv(64,3,same,relu)
 *       x2, MaxPool, Flatten, Dense(512,relu), Dense(10), batch 64;
 * all with Adam 1e-3 on synthetic data. Prints lines like
 *   neurona w2 train64 samples_per_s=...
 * Usage: bench_cnn [seconds per measurement, default 3] [workload...] */
#include "bench_common.h"

static const char *const w2_spec =
    "Input(shape=(28, 28, 1))\n"
    "Conv2D(32, 3, activation=\"relu\")\n"
    "MaxPooling2D(2)\n"
    "Conv2D(16, 3, activation=\"relu\")\n"
    "MaxPooling2D(2)\n"
    "Flatten()\n"
    "Dense(10, activation=\"softmax\")\n"
    "compile(optimizer=Adam(learning_rate=0.001), loss=\"sparse_categorical_crossentropy\")\n";

static const char *const w4_spec =
    "Input(shape=(28, 28, 1))\n"
    "Conv2D(16, 3, padding=\"same\", activation=\"relu\")\n"
    "MaxPooling2D(2)\n"
    "Conv2D(8, 3, padding=\"same\", activation=\"relu\")\n"
    "MaxPooling2D(2)\n"
    "Conv2D(8, 3, padding=\"same\", activation=\"relu\")\n"
    "MaxPooling2D(2, padding=\"same\")\n"
    "Conv2D(8, 3, padding=\"same\", activation=\"relu\")\n"
    "UpSampling2D(2)\n"
    "Conv2D(8, 3, padding=\"same\", activation=\"relu\")\n"
    "UpSampling2D(2)\n"
    "Conv2D(16, 3, activation=\"relu\")\n"
    "UpSampling2D(2)\n"
    "Conv2D(1, 3, padding=\"same\", activation=\"sigmoid\")\n"
    "compile(optimizer=Adam(learning_rate=0.001), loss=\"binary_crossentropy\")\n";

static const char *const w5_spec =
    "Input(shape=(32, 32, 3))\n"
    "Conv2D(32, 3, padding=\"same\", activation=\"relu\")\n"
    "Conv2D(32, 3, padding=\"same\", activation=\"relu\")\n"
    "MaxPooling2D(2)\n"
    "Conv2D(64, 3, padding=\"same\", activation=\"relu\")\n"
    "Conv2D(64, 3, padding=\"same\", activation=\"relu\")\n"
    "MaxPooling2D(2)\n"
    "Flatten()\n"
    "Dense(512, activation=\"relu\")\n"
    "Dense(10, activation=\"softmax\")\n"
    "compile(optimizer=Adam(learning_rate=0.001), loss=\"sparse_categorical_crossentropy\")\n";

static void bench_w2(double secs) {
    nr_spec *s = load(w2_spec);
    nr_model *m = nr_spec_model(s);
    int64_t xs[4] = {128 * 16, 28, 28, 1}, ys[1] = {128 * 16}, x1s[4] = {1, 28, 28, 1};
    nr_tensor *x = random_tensor(4, xs, 1, 0), *y = random_tensor(1, ys, 2, 10), *x1 = random_tensor(4, x1s, 3, 0);
    printf("neurona w2 train64 samples_per_s=%.0f\n", train_rate(m, x, y, 64, secs));
    printf("neurona w2 train128 samples_per_s=%.0f\n", train_rate(m, x, y, 128, secs));
    const nr_tensor *xv[1] = {x}, *x1v[1] = {x1};
    nr_tensor *out[1];
    int64_t samples = 0, calls = 0;
    double t0 = now();
    while (now() - t0 < secs) {
        if (nr_model_predict(m, xv, 128, out)) die("predict");
        nr_tensor_free(out[0]);
        samples += x->shape[0];
    }
    printf("neurona w2 predict128 samples_per_s=%.0f\n", (double)samples / (now() - t0));
    t0 = now();
    while (now() - t0 < secs) {
        if (nr_model_predict(m, x1v, 1, out)) die("predict1");
        nr_tensor_free(out[0]);
        calls++;
    }
    printf("neurona w2 predict1 latency_ms=%.4f\n", (now() - t0) * 1e3 / (double)calls);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_tensor_free(x1);
    nr_spec_free(s);
}

static void bench_w4(double secs) {
    nr_spec *s = load(w4_spec);
    int64_t xs[4] = {128 * 8, 28, 28, 1};
    nr_tensor *x = random_tensor(4, xs, 1, 0);
    printf("neurona w4 train128 samples_per_s=%.0f\n", train_rate(nr_spec_model(s), x, x, 128, secs));
    nr_tensor_free(x);
    nr_spec_free(s);
}

static void bench_w5(double secs) {
    nr_spec *s = load(w5_spec);
    int64_t xs[4] = {64 * 8, 32, 32, 3}, ys[1] = {64 * 8};
    nr_tensor *x = random_tensor(4, xs, 1, 0), *y = random_tensor(1, ys, 2, 10);
    printf("neurona w5 train64 samples_per_s=%.0f\n", train_rate(nr_spec_model(s), x, y, 64, secs));
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
}

int main(int argc, char **argv) {
    static const bench_workload all[] = {{"w2", bench_w2}, {"w4", bench_w4}, {"w5", bench_w5}};
    return bench_main(argc, argv, all, sizeof all / sizeof all[0]);
}
