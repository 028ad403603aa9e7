/* Elementwise merges of n same-shaped inputs (Keras Add, Subtract,
 * Multiply, Average, Maximum), each x_k and y with numel K:
 *   ADD  y = sum_k x_k                 dx_k += dy
 *   SUB  y = x_0 - x_1                 dx_0 += dy, dx_1 -= dy
 *   MUL  y = prod_k x_k                dx_k += dy prod_{j != k} x_j
 *   AVG  y = sum_k x_k / n             dx_k += dy / n
 *   MAX  y = max_k x_k                 dx_k += dy where k is the first input
 *        attaining the maximum, as TensorFlow's maximum gradient (x >= y
 *        goes to x) applied left to right the way Keras folds Maximum.
 * The fast kernels process whole arrays input by input (vectorized, one
 * pass per input); the reference kernels loop element by element. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

#define IN(k) x->val[n->in[k]]

/* --- reference ----------------------------------------------------------- */

void nr_ref_add_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) {
        float s = IN(0)[i];
        for (int k = 1; k < n->n_in; k++) s += IN(k)[i];
        y[i] = s;
    }
}

void nr_ref_add_backward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int k = 0; k < n->n_in; k++) {
        float *dx = x->grad[n->in[k]];
        for (int64_t i = 0; dx && i < K; i++) dx[i] += dy[i];
    }
}

void nr_ref_sub_forward(const nr_exec *x, const nr_node *n) {
    NR_ASSERT(n->n_in == 2);
    int64_t K = nr_node_numel(n, x->batch);
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) y[i] = IN(0)[i] - IN(1)[i];
}

void nr_ref_sub_backward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    float *dx0 = x->grad[n->in[0]], *dx1 = x->grad[n->in[1]];
    for (int64_t i = 0; dx0 && i < K; i++) dx0[i] += dy[i];
    for (int64_t i = 0; dx1 && i < K; i++) dx1[i] -= dy[i];
}

void nr_ref_mul_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) {
        float p = IN(0)[i];
        for (int k = 1; k < n->n_in; k++) p *= IN(k)[i];
        y[i] = p;
    }
}

void nr_ref_mul_backward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int k = 0; k < n->n_in; k++) {
        float *dx = x->grad[n->in[k]];
        for (int64_t i = 0; dx && i < K; i++) {
            float p = dy[i];
            for (int j = 0; j < n->n_in; j++)
                if (j != k) p *= IN(j)[i];
            dx[i] += p;
        }
    }
}

void nr_ref_avg_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) {
        float s = IN(0)[i];
        for (int k = 1; k < n->n_in; k++) s += IN(k)[i];
        y[i] = s / (float)n->n_in;
    }
}

void nr_ref_avg_backward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int k = 0; k < n->n_in; k++) {
        float *dx = x->grad[n->in[k]];
        for (int64_t i = 0; dx && i < K; i++) dx[i] += dy[i] / (float)n->n_in;
    }
}

/* Index of the first input holding the maximum at element i. */
static int argmax_at(const nr_exec *x, const nr_node *n, int64_t i) {
    int best = 0;
    float m = IN(0)[i];
    for (int k = 1; k < n->n_in; k++)
        if (IN(k)[i] > m) { m = IN(k)[i]; best = k; }
    return best;
}

void nr_ref_max_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) y[i] = IN(argmax_at(x, n, i))[i];
}

void nr_ref_max_backward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) {
        float *dx = x->grad[n->in[argmax_at(x, n, i)]];
        if (dx) dx[i] += dy[i];
    }
}

/* --- fast ------------------------------------------------------------------ */

/* dx += c * dy for every input with a gradient. */
static void axpy_all(const nr_exec *x, const nr_node *n, int k0, int k1, float c) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int k = k0; k < k1; k++) {
        float *dx = x->grad[n->in[k]];
        if (!dx) continue;
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += c * dy[i];
    }
}

/* y = x_0 op x_1 op ...; one pass per input. */
#define DEFINE_FOLD(name, op)                                                \
    static void name(const nr_exec *x, const nr_node *n) {                   \
        int64_t K = nr_node_numel(n, x->batch);                              \
        float *y = x->val[NR_ID(x, n)];                                      \
        const float *a = IN(0), *b = IN(1);                                  \
        _Pragma("omp parallel for simd if (K > NR_PAR_MIN)")                 \
        for (int64_t i = 0; i < K; i++) y[i] = a[i] op b[i];                 \
        for (int k = 2; k < n->n_in; k++) {                                  \
            const float *c = IN(k);                                          \
            _Pragma("omp parallel for simd if (K > NR_PAR_MIN)")             \
            for (int64_t i = 0; i < K; i++) y[i] = y[i] op c[i];             \
        }                                                                    \
    }
DEFINE_FOLD(fold_add, +)
DEFINE_FOLD(fold_sub, -)
DEFINE_FOLD(fold_mul, *)

void nr_cpu_add_forward(const nr_exec *x, const nr_node *n) {
    if (n->n_in == 1) { nr_cpu_copy_forward(x, n); return; }
    fold_add(x, n);
}

void nr_cpu_add_backward(const nr_exec *x, const nr_node *n) { axpy_all(x, n, 0, n->n_in, 1.0f); }

void nr_cpu_sub_forward(const nr_exec *x, const nr_node *n) {
    NR_ASSERT(n->n_in == 2);
    fold_sub(x, n);
}

void nr_cpu_sub_backward(const nr_exec *x, const nr_node *n) {
    axpy_all(x, n, 0, 1, 1.0f);
    axpy_all(x, n, 1, 2, -1.0f);
}

void nr_cpu_mul_forward(const nr_exec *x, const nr_node *n) {
    if (n->n_in == 1) { nr_cpu_copy_forward(x, n); return; }
    fold_mul(x, n);
}

void nr_cpu_mul_backward(const nr_exec *x, const nr_node *n) {
    if (n->n_in != 2) { nr_ref_mul_backward(x, n); return; }
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)], *a = IN(0), *b = IN(1);
    float *da = x->grad[n->in[0]], *db = x->grad[n->in[1]];
    if (da) {
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) da[i] += dy[i] * b[i];
    }
    if (db) {
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) db[i] += dy[i] * a[i];
    }
}

void nr_cpu_avg_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    float *y = x->val[NR_ID(x, n)];
    if (n->n_in == 1) nr_cpu_copy_forward(x, n);
    else fold_add(x, n);
    const float count = (float)n->n_in; /* divide, as the reference does, for identical results */
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t i = 0; i < K; i++) y[i] = y[i] / count;
}

void nr_cpu_avg_backward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    const float c = (float)n->n_in;
    for (int k = 0; k < n->n_in; k++) {
        float *dx = x->grad[n->in[k]];
        if (!dx) continue;
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += dy[i] / c;
    }
}

void nr_cpu_max_forward(const nr_exec *x, const nr_node *n) {
    if (n->n_in == 1) { nr_cpu_copy_forward(x, n); return; }
    int64_t K = nr_node_numel(n, x->batch);
    float *y = x->val[NR_ID(x, n)];
    const float *a = IN(0), *b = IN(1);
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t i = 0; i < K; i++) y[i] = b[i] > a[i] ? b[i] : a[i];
    for (int k = 2; k < n->n_in; k++) {
        const float *c = IN(k);
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) y[i] = c[i] > y[i] ? c[i] : y[i];
    }
}

void nr_cpu_max_backward(const nr_exec *x, const nr_node *n) {
    if (n->n_in != 2) { nr_ref_max_backward(x, n); return; }
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)], *a = IN(0), *b = IN(1);
    float *da = x->grad[n->in[0]], *db = x->grad[n->in[1]];
    if (da) {
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) da[i] += b[i] > a[i] ? 0.0f : dy[i];
    }
    if (db) {
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) db[i] += b[i] > a[i] ? dy[i] : 0.0f;
    }
}
