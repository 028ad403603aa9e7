/* GAUSSIAN_NOISE (attrs.noise: stddev, seed), as keras.layers.GaussianNoise.
 *   training, stddev > 0:  y_i = x_i + stddev z_i,  dx_i += dy_i
 *   inference:             y = x,                    dx += dy
 * z ~ N(0, 1) by Box-Muller: elements 2k and 2k+1 share one 64-bit hash h
 * of (seed ^ splitmix64(step), k), whose halves give u1 = (hi + 1) 2^-32 in
 * (0, 1] and u2 = lo 2^-32, and take r cos(2 pi u2) and r sin(2 pi u2),
 * r = sqrt(-2 ln u1) (tails reach 6.66 sigma). The noise depends on the
 * seed, the step and the element only, so both kernels give the same bits
 * whatever the thread count. */
#include <math.h>
#include "core/rng.h"
#include "ops/kernels.h"
#include "ops/normal.h"
#include "ops/vmath.h"

static int noisy(const nr_exec *x, const nr_node *n) { return x->training && n->a.noise.stddev > 0; }

static uint64_t key_of(const nr_exec *x, const nr_node *n) { return n->a.noise.seed ^ nr_splitmix64(x->step); }

/* x: any shape, numel K; y: same shape. No scratch: dx = dy. */
void nr_ref_gaussian_noise_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    if (!noisy(x, n)) {
        nr_ref_copy_forward(x, n);
        return;
    }
    const float s = n->a.noise.stddev;
    const uint64_t key = key_of(x, n);
    for (int64_t i = 0; i < K; i++) {
        float z[2];
        nr_normal_pair(key, (uint64_t)i / 2, &z[0], &z[1]);
        y[i] = in[i] + s * z[i % 2];
    }
}

void nr_cpu_gaussian_noise_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    if (!noisy(x, n)) {
        nr_cpu_copy_forward(x, n);
        return;
    }
    const float s = n->a.noise.stddev;
    const uint64_t key = key_of(x, n);
    int64_t pairs = (K + 1) / 2;
#pragma omp parallel for num_threads((K > NR_PAR_MIN / 16) ? nr_num_threads() : 1)
    for (int64_t k = 0; k < pairs; k++) {
        float z0, z1;
        nr_normal_pair(key, (uint64_t)k, &z0, &z1);
        y[2 * k] = in[2 * k] + s * z0;
        if (2 * k + 1 < K) y[2 * k + 1] = in[2 * k + 1] + s * z1;
    }
}

/* dx += dy in training and inference alike: COPY's gradient. */
void nr_ref_gaussian_noise_backward(const nr_exec *x, const nr_node *n) { nr_ref_copy_backward(x, n); }

void nr_cpu_gaussian_noise_backward(const nr_exec *x, const nr_node *n) { nr_cpu_copy_backward(x, n); }
