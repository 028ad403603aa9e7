/* Ops that only move data.
 * COPY: y = x with another shape, same element count (Flatten, Reshape).
 *   dx += dy
 * CONCAT along attrs.concat.axis a (>= 1 for batched nodes): viewing input
 * j as (O, S_j, I) with O the product of the dimensions before a, S_j its
 * size on a and I the product of those after, y is (O, sum_j S_j, I) and
 * each y[o] row is x_0[o] | x_1[o] | ... . Backward splits dy the same way.
 * Both ops are memory copies, so the fast and reference kernels differ only
 * in memcpy and threading. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

/* --- COPY ---------------------------------------------------------------- */

/* x: any shape, numel K; y: numel K. */
void nr_ref_copy_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) y[i] = in[i];
}

void nr_ref_copy_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) dx[i] += dy[i];
}

/* A planner may alias y to x (a view): then there is nothing to copy. */
void nr_cpu_copy_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    if (y != in) memcpy(y, in, (size_t)K * sizeof *y);
}

void nr_cpu_copy_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    int64_t K = nr_node_numel(n, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t i = 0; i < K; i++) dx[i] += dy[i];
}

/* --- CONCAT -------------------------------------------------------------- */

typedef struct concat_dims {
    int64_t O, I, Y;             /* outer count, inner size, y's row of S*I */
    int64_t S[NR_MAX_IN];        /* each input's size on the axis */
    int64_t off[NR_MAX_IN];      /* where input j starts in a y row */
} concat_dims;

static concat_dims concat_geometry(const nr_exec *x, const nr_node *n) {
    concat_dims d;
    int a = n->a.concat.axis;
    NR_ASSERT(a >= (n->batched ? 1 : 0) && a < n->ndim && n->n_in <= NR_MAX_IN);
    d.O = 1;
    d.I = 1;
    for (int i = 0; i < a; i++) d.O *= nr_node_dim(n, i, x->batch);
    for (int i = a + 1; i < n->ndim; i++) d.I *= n->shape[i];
    d.Y = 0;
    for (int j = 0; j < n->n_in; j++) {
        const nr_node *in = &x->nodes[n->in[j]];
        NR_ASSERT(in->ndim == n->ndim);
        d.S[j] = in->shape[a];
        d.off[j] = d.Y;
        d.Y += d.S[j] * d.I;
    }
    NR_ASSERT(d.Y == n->shape[a] * d.I);
    return d;
}

/* x_j: (..., S_j, ...) with a at the axis; y: (..., sum_j S_j, ...). */
void nr_ref_concat_forward(const nr_exec *x, const nr_node *n) {
    concat_dims d = concat_geometry(x, n);
    float *y = x->val[NR_ID(x, n)];
    for (int j = 0; j < n->n_in; j++) {
        const float *in = x->val[n->in[j]];
        int64_t L = d.S[j] * d.I;
        for (int64_t o = 0; o < d.O; o++)
            for (int64_t k = 0; k < L; k++) y[o * d.Y + d.off[j] + k] = in[o * L + k];
    }
}

void nr_ref_concat_backward(const nr_exec *x, const nr_node *n) {
    concat_dims d = concat_geometry(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int j = 0; j < n->n_in; j++) {
        float *dx = x->grad[n->in[j]];
        if (!dx) continue;
        int64_t L = d.S[j] * d.I;
        for (int64_t o = 0; o < d.O; o++)
            for (int64_t k = 0; k < L; k++) dx[o * L + k] += dy[o * d.Y + d.off[j] + k];
    }
}

void nr_cpu_concat_forward(const nr_exec *x, const nr_node *n) {
    concat_dims d = concat_geometry(x, n);
    float *y = x->val[NR_ID(x, n)];
    const int n_in = n->n_in;
#pragma omp parallel for num_threads((d.O * d.Y > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t o = 0; o < d.O; o++)
        for (int j = 0; j < n_in; j++) {
            int64_t L = d.S[j] * d.I;
            memcpy(y + o * d.Y + d.off[j], x->val[n->in[j]] + o * L, (size_t)L * sizeof *y);
        }
}

void nr_cpu_concat_backward(const nr_exec *x, const nr_node *n) {
    concat_dims d = concat_geometry(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    const int n_in = n->n_in;
#pragma omp parallel for num_threads((d.O * d.Y > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t o = 0; o < d.O; o++)
        for (int j = 0; j < n_in; j++) {
            float *dx = x->grad[n->in[j]];
            if (!dx) continue;
            int64_t L = d.S[j] * d.I;
            float *dxo = dx + o * L;
            const float *dyo = dy + o * d.Y + d.off[j];
#pragma omp simd
            for (int64_t k = 0; k < L; k++) dxo[k] += dyo[k];
        }
}
