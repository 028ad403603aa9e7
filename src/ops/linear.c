/* LINEAR: y[R,O] = x[R,I] W[I,O] + b[O], the Dense layer's op. x may have
 * any rank: R is the product of all dimensions but the last. W is stored as
 * Keras stores a Dense kernel, (in, out), row-major.
 *   dx[R,I] += dy[R,O] W^T     dW[I,O] += x^T dy     db[O] += sum_r dy[r,:]
 * The fast kernels use neurona's GEMM (ops/gemm.c) for batches and
 * OpenBLAS's SGEMV for a single row; the reference kernels are plain loops
 * in double. */
#include <cblas.h>
#include <string.h>
#include "ops/gemm.h"
#include "ops/kernels.h"

typedef struct dims { int64_t nr, ni, no; } dims; /* rows, in, out */

static dims linear_dims(const nr_exec *x, const nr_node *n) {
    const nr_node *xin = &x->nodes[n->in[0]];
    dims d;
    d.ni = xin->shape[xin->ndim - 1];
    d.no = n->shape[n->ndim - 1];
    d.nr = nr_node_numel(xin, x->batch) / d.ni;
    return d;
}

#define ID(n) ((int)((n) - x->nodes))

int64_t nr_linear_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    (void)batch;
    const nr_node *xin = &nodes[n->in[0]];
    int64_t in = xin->shape[xin->ndim - 1], out = n->shape[n->ndim - 1];
    return nr_gemm_pack_floats(in > out ? in : out);
}

void nr_cpu_linear_forward(const nr_exec *x, const nr_node *n) {
    dims d = linear_dims(x, n);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[ID(n)];
    if (d.nr == 1) {
        if (b) memcpy(y, b, (size_t)d.no * sizeof *y);
        cblas_sgemv(CblasRowMajor, CblasTrans, (int)d.ni, (int)d.no, 1.0f, W, (int)d.no, in, 1, b ? 1.0f : 0.0f, y, 1);
        return;
    }
    if (b)
        for (int64_t r = 0; r < d.nr; r++) memcpy(y + r * d.no, b, (size_t)d.no * sizeof *y);
    else
        memset(y, 0, (size_t)(d.nr * d.no) * sizeof *y);
    nr_gemm(&(nr_gemm_args){d.nr, d.no, d.ni, in, d.ni, 1, W, d.no, 1, y, d.no}, x->work[ID(n)]);
}

void nr_cpu_linear_backward(const nr_exec *x, const nr_node *n) {
    dims d = linear_dims(x, n);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[ID(n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    float *pack = x->work[ID(n)];
    if (dW) nr_gemm(&(nr_gemm_args){d.ni, d.no, d.nr, in, 1, d.ni, dy, d.no, 1, dW, d.no}, pack);
    if (db)
        for (int64_t r = 0; r < d.nr; r++) {
            const float *row = dy + r * d.no;
            for (int64_t o = 0; o < d.no; o++) db[o] += row[o];
        }
    if (dx) nr_gemm(&(nr_gemm_args){d.nr, d.ni, d.no, dy, d.no, 1, W, 1, d.no, dx, d.ni}, pack);
}

void nr_ref_linear_forward(const nr_exec *x, const nr_node *n) {
    dims d = linear_dims(x, n);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[ID(n)];
    for (int64_t r = 0; r < d.nr; r++)
        for (int64_t o = 0; o < d.no; o++) {
            double s = b ? b[o] : 0.0;
            for (int64_t i = 0; i < d.ni; i++) s += (double)in[r * d.ni + i] * W[i * d.no + o];
            y[r * d.no + o] = (float)s;
        }
}

void nr_ref_linear_backward(const nr_exec *x, const nr_node *n) {
    dims d = linear_dims(x, n);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[ID(n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    for (int64_t i = 0; dW && i < d.ni; i++)
        for (int64_t o = 0; o < d.no; o++) {
            double s = 0;
            for (int64_t r = 0; r < d.nr; r++) s += (double)in[r * d.ni + i] * dy[r * d.no + o];
            dW[i * d.no + o] += (float)s;
        }
    for (int64_t o = 0; db && o < d.no; o++) {
        double s = 0;
        for (int64_t r = 0; r < d.nr; r++) s += dy[r * d.no + o];
        db[o] += (float)s;
    }
    for (int64_t r = 0; dx && r < d.nr; r++)
        for (int64_t i = 0; i < d.ni; i++) {
            double s = 0;
            for (int64_t o = 0; o < d.no; o++) s += (double)dy[r * d.no + o] * W[i * d.no + o];
            dx[r * d.ni + i] += (float)s;
        }
}
