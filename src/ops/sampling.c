/* SAMPLING: the reparameterization trick of a variational autoencoder, as
 * the Sampling layer of Keras's VAE example.
 *   y = mu + exp(lv / 2) eps,   dmu += dy,   dlv += dy (y - mu) / 2
 * (exp(lv / 2) eps = y - mu, so backward needs no saved noise). eps ~ N(0, 1)
 * comes from (seed, step, element) (ops/normal.h): a new draw every
 * training step, the same bits on both kernels. Keras's example samples
 * in inference too, and so does this op. */
#include "ops/kernels.h"
#include "ops/normal.h"
#include "ops/vmath.h"

static uint64_t key_of(const nr_exec *x, const nr_node *n) { return n->a.sampling.seed ^ nr_splitmix64(x->step); }

/* mu, lv, y: same shape, numel K. */
void nr_ref_sampling_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *mu = x->val[n->in[0]], *lv = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
    uint64_t key = key_of(x, n);
    for (int64_t i = 0; i < K; i++) y[i] = mu[i] + expf(0.5f * lv[i]) * nr_normal_at(key, (uint64_t)i);
}

void nr_cpu_sampling_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch), pairs = (K + 1) / 2;
    const float *mu = x->val[n->in[0]], *lv = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
    const uint64_t key = key_of(x, n);
#pragma omp parallel for num_threads((K > NR_PAR_MIN / 16) ? nr_num_threads() : 1)
    for (int64_t k = 0; k < pairs; k++) {
        float z0, z1;
        nr_normal_pair(key, (uint64_t)k, &z0, &z1);
        y[2 * k] = mu[2 * k] + expf(0.5f * lv[2 * k]) * z0;
        if (2 * k + 1 < K) y[2 * k + 1] = mu[2 * k + 1] + expf(0.5f * lv[2 * k + 1]) * z1;
    }
}

void nr_ref_sampling_backward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *mu = x->val[n->in[0]], *y = x->val[NR_ID(x, n)], *dy = x->grad[NR_ID(x, n)];
    float *dmu = x->grad[n->in[0]], *dlv = x->grad[n->in[1]];
    for (int64_t i = 0; i < K; i++) {
        if (dmu) dmu[i] += dy[i];
        if (dlv) dlv[i] += 0.5f * dy[i] * (y[i] - mu[i]);
    }
}

void nr_cpu_sampling_backward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *mu = x->val[n->in[0]], *y = x->val[NR_ID(x, n)], *dy = x->grad[NR_ID(x, n)];
    float *dmu = x->grad[n->in[0]], *dlv = x->grad[n->in[1]];
    if (dmu)
#pragma omp simd
        for (int64_t i = 0; i < K; i++) dmu[i] += dy[i];
    if (dlv)
#pragma omp simd
        for (int64_t i = 0; i < K; i++) dlv[i] += 0.5f * dy[i] * (y[i] - mu[i]);
}
