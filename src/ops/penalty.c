/* PENALTY: a layer's activity regularizer (attrs.penalty: l1, l2).
 *   y = (l1 sum|x| + l2 sum x^2) / N        dx += dy (l1 sign(x) + 2 l2 x) / N
 * N is the batch size (x's first dimension), 0/0 giving 0. This follows
 * keras/src/layers/layer.py (Layer.__call__): for an output with ndim > 0
 * it adds ops.divide_no_nan(activity_regularizer(output), shape[0]) to the
 * losses, "to ensure consistent regularization strength across batch
 * sizes". (Earlier Keras 3 releases added the undivided sum; Keras 2 /
 * tf.keras divided by the batch size too.) sign(0) = 0, as the gradient
 * of TensorFlow's abs. */
#include "ops/kernels.h"
#include "ops/vmath.h"

static double batch_of(const nr_exec *x, const nr_node *in) {
    if (in->ndim == 0) return 1;
    return (double)nr_node_dim(in, 0, x->batch);
}

/* x: any shape, numel K; y: scalar. */
void nr_ref_penalty_forward(const nr_exec *x, const nr_node *n) {
    const nr_node *xn = &x->nodes[n->in[0]];
    int64_t K = nr_node_numel(xn, x->batch);
    const float *in = x->val[n->in[0]];
    double a = 0, b = 0, N = batch_of(x, xn);
    for (int64_t i = 0; i < K; i++) {
        a += fabs((double)in[i]);
        b += (double)in[i] * in[i];
    }
    x->val[NR_ID(x, n)][0] = N > 0 ? (float)((n->a.penalty.l1 * a + n->a.penalty.l2 * b) / N) : 0.0f;
}

void nr_ref_penalty_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    const nr_node *xn = &x->nodes[n->in[0]];
    int64_t K = nr_node_numel(xn, x->batch);
    const float *in = x->val[n->in[0]];
    double N = batch_of(x, xn);
    if (!(N > 0)) return;
    const double c = x->grad[NR_ID(x, n)][0] / N, l1 = n->a.penalty.l1, l2 = n->a.penalty.l2;
    for (int64_t i = 0; i < K; i++) {
        double s = in[i] > 0 ? 1 : in[i] < 0 ? -1 : 0;
        dx[i] += (float)(c * (l1 * s + 2 * l2 * in[i]));
    }
}

void nr_cpu_penalty_forward(const nr_exec *x, const nr_node *n) {
    const nr_node *xn = &x->nodes[n->in[0]];
    int64_t K = nr_node_numel(xn, x->batch);
    const float *in = x->val[n->in[0]];
    double a = 0, b = 0, N = batch_of(x, xn);
#pragma omp parallel for simd reduction(+ : a, b) num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t i = 0; i < K; i++) {
        double v = in[i];
        a += fabs(v);
        b += v * v;
    }
    x->val[NR_ID(x, n)][0] = N > 0 ? (float)((n->a.penalty.l1 * a + n->a.penalty.l2 * b) / N) : 0.0f;
}

void nr_cpu_penalty_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    const nr_node *xn = &x->nodes[n->in[0]];
    int64_t K = nr_node_numel(xn, x->batch);
    const float *in = x->val[n->in[0]];
    double N = batch_of(x, xn);
    if (!(N > 0)) return;
    const float c = (float)(x->grad[NR_ID(x, n)][0] / N);
    const float c1 = c * n->a.penalty.l1, c2 = 2.0f * c * n->a.penalty.l2;
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t i = 0; i < K; i++) {
        float s = in[i] > 0 ? 1.0f : in[i] < 0 ? -1.0f : 0.0f;
        dx[i] += c1 * s + c2 * in[i];
    }
}
