/* BATCH_MEAN: an added loss (nr_model_add_loss) as one scalar.
 *   y = sum_i x_i / N,   dx_i += dy / N
 * N is x's batch rows, so per-sample values (N,) give their mean and a
 * (N, D) tensor the mean over samples of each sample's sum, as Keras's
 * VAE example reduces its KL term (ops.mean(ops.sum(kl, axis=1))). */
#include "ops/kernels.h"
#include "ops/vmath.h"

/* x: (N, ...), numel K; y: scalar. */
void nr_ref_batch_mean_forward(const nr_exec *x, const nr_node *n) {
    const nr_node *xn = &x->nodes[n->in[0]];
    int64_t K = nr_node_numel(xn, x->batch);
    const float *in = x->val[n->in[0]];
    double s = 0;
    for (int64_t i = 0; i < K; i++) s += in[i];
    x->val[NR_ID(x, n)][0] = x->batch > 0 ? (float)(s / (double)x->batch) : 0.0f;
}

void nr_ref_batch_mean_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx || x->batch < 1) return;
    int64_t K = nr_node_numel(&x->nodes[n->in[0]], x->batch);
    const float g = x->grad[NR_ID(x, n)][0] / (float)x->batch;
    for (int64_t i = 0; i < K; i++) dx[i] += g;
}

/* One value per sample or a few: one thread, in double, is already fast. */
void nr_cpu_batch_mean_forward(const nr_exec *x, const nr_node *n) { nr_ref_batch_mean_forward(x, n); }

void nr_cpu_batch_mean_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx || x->batch < 1) return;
    int64_t K = nr_node_numel(&x->nodes[n->in[0]], x->batch);
    const float g = x->grad[NR_ID(x, n)][0] / (float)x->batch;
#pragma omp simd
    for (int64_t i = 0; i < K; i++) dx[i] += g;
}
