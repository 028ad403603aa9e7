/* GAUSS_KL: the KL term of a variational autoencoder, per sample, as
 * Keras's VAE example computes it before averaging over the batch:
 *   y[n] = -1/2 sum_j (1 + lv - mu^2 - exp(lv))[n, j]
 *   dmu += dy[n] mu,   dlv += dy[n] (exp(lv) - 1) / 2
 * mu, lv: (N, D...) with D values per sample; y: (N,). */
#include "ops/kernels.h"
#include "ops/vmath.h"

static void kl_rows(const nr_exec *x, const nr_node *n, int64_t r0, int64_t r1) {
    int64_t D = nr_node_row(&x->nodes[n->in[0]]);
    const float *mu = x->val[n->in[0]], *lv = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t r = r0; r < r1; r++) {
        double s = 0;
        for (int64_t j = r * D; j < (r + 1) * D; j++) s += 1.0 + lv[j] - (double)mu[j] * mu[j] - exp(lv[j]);
        y[r] = (float)(-0.5 * s);
    }
}

static void kl_grad_rows(const nr_exec *x, const nr_node *n, int64_t r0, int64_t r1) {
    int64_t D = nr_node_row(&x->nodes[n->in[0]]);
    const float *mu = x->val[n->in[0]], *lv = x->val[n->in[1]], *dy = x->grad[NR_ID(x, n)];
    float *dmu = x->grad[n->in[0]], *dlv = x->grad[n->in[1]];
    for (int64_t r = r0; r < r1; r++)
        for (int64_t j = r * D; j < (r + 1) * D; j++) {
            if (dmu) dmu[j] += dy[r] * mu[j];
            if (dlv) dlv[j] += 0.5f * dy[r] * (expf(lv[j]) - 1.0f);
        }
}

void nr_ref_gauss_kl_forward(const nr_exec *x, const nr_node *n) { kl_rows(x, n, 0, x->batch); }
void nr_ref_gauss_kl_backward(const nr_exec *x, const nr_node *n) { kl_grad_rows(x, n, 0, x->batch); }

/* Rows spread over the threads when there is enough work. */
void nr_cpu_gauss_kl_forward(const nr_exec *x, const nr_node *n) {
    int64_t N = x->batch, D = nr_node_row(&x->nodes[n->in[0]]);
#pragma omp parallel for num_threads((N * D > NR_PAR_MIN / 4) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < N; r++) kl_rows(x, n, r, r + 1);
}

void nr_cpu_gauss_kl_backward(const nr_exec *x, const nr_node *n) {
    int64_t N = x->batch, D = nr_node_row(&x->nodes[n->in[0]]);
#pragma omp parallel for num_threads((N * D > NR_PAR_MIN / 4) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < N; r++) kl_grad_rows(x, n, r, r + 1);
}
