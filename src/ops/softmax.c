/* SOFTMAX over the last axis: rows R = numel / C, each row of C values.
 *   y[r,c] = e^(x[r,c] - m_r) / sum_c' e^(x[r,c'] - m_r),  m_r = max_c x[r,c]
 *   dx[r,c] += y[r,c] (dy[r,c] - sum_c' dy[r,c'] y[r,c'])
 * The fast kernel uses the vectorized exp and splits rows across threads;
 * the reference kernel sums in double with libm's expf. */
/* GCC 12 will not if-convert a select that feeds float arithmetic (clamps,
 * leaky slopes) while FP exceptions are considered observable, so those
 * loops stay scalar; this changes no result, only allows vectorizing. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "ops/kernels.h"
#include "ops/vmath.h"

/* x: (..., C); y: same shape. */
void nr_ref_softmax_forward(const nr_exec *x, const nr_node *n) {
    int64_t C = nr_node_last(n), R = nr_node_numel(n, x->batch) / C;
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t r = 0; r < R; r++) {
        const float *xr = in + r * C;
        float *yr = y + r * C;
        float m = xr[0];
        for (int64_t c = 1; c < C; c++) m = xr[c] > m ? xr[c] : m;
        double s = 0;
        for (int64_t c = 0; c < C; c++) s += yr[c] = expf(xr[c] - m);
        for (int64_t c = 0; c < C; c++) yr[c] = (float)(yr[c] / s);
    }
}

void nr_ref_softmax_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    int64_t C = nr_node_last(n), R = nr_node_numel(n, x->batch) / C;
    const float *y = x->val[NR_ID(x, n)], *dy = x->grad[NR_ID(x, n)];
    for (int64_t r = 0; r < R; r++) {
        double s = 0;
        for (int64_t c = 0; c < C; c++) s += (double)dy[r * C + c] * y[r * C + c];
        for (int64_t c = 0; c < C; c++) dx[r * C + c] += (float)(y[r * C + c] * (dy[r * C + c] - s));
    }
}

void nr_cpu_softmax_forward(const nr_exec *x, const nr_node *n) {
    int64_t C = nr_node_last(n), R = nr_node_numel(n, x->batch) / C;
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
#pragma omp parallel for num_threads((R * C > NR_PAR_MIN / 8) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < R; r++) {
        const float *xr = in + r * C;
        float *yr = y + r * C;
        float m = xr[0];
        for (int64_t c = 1; c < C; c++) m = xr[c] > m ? xr[c] : m;
        float s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t c = 0; c < C; c++) {
            yr[c] = nr_fast_expf(xr[c] - m);
            s += yr[c];
        }
        float inv = 1.0f / s;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) yr[c] *= inv;
    }
}

void nr_cpu_softmax_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    int64_t C = nr_node_last(n), R = nr_node_numel(n, x->batch) / C;
    const float *y = x->val[NR_ID(x, n)], *dy = x->grad[NR_ID(x, n)];
#pragma omp parallel for num_threads((R * C > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < R; r++) {
        const float *yr = y + r * C, *dyr = dy + r * C;
        float *dxr = dx + r * C;
        float s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t c = 0; c < C; c++) s += dyr[c] * yr[c];
#pragma omp simd
        for (int64_t c = 0; c < C; c++) dxr[c] += yr[c] * (dyr[c] - s);
    }
}
