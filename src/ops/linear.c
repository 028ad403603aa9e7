/* LINEAR: y[R,O] = x[R,I] W[I,O] + b[O], the Dense layer's op. x may have
 * any rank: R is the product of all dimensions but the last. W is stored as
 * Keras stores a Dense kernel, (in, out), row-major.
 *   dx[R,I] += dy[R,O] W^T     dW[I,O] += x^T dy     db[O] += sum_r dy[r,:]
 * The fast kernels are OpenBLAS SGEMM/SGEMV calls; the reference kernels are
 * plain loops in double. */
#include <cblas.h>
#include <string.h>
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
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)d.nr, (int)d.no, (int)d.ni, 1.0f, in, (int)d.ni, W,
                (int)d.no, b ? 1.0f : 0.0f, y, (int)d.no);
}

void nr_cpu_linear_backward(const nr_exec *x, const nr_node *n) {
    dims d = linear_dims(x, n);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[ID(n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    if (dW)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d.ni, (int)d.no, (int)d.nr, 1.0f, in, (int)d.ni, dy,
                    (int)d.no, 1.0f, dW, (int)d.no);
    if (db)
        for (int64_t r = 0; r < d.nr; r++) {
            const float *row = dy + r * d.no;
            for (int64_t o = 0; o < d.no; o++) db[o] += row[o];
        }
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)d.nr, (int)d.ni, (int)d.no, 1.0f, dy, (int)d.no, W,
                    (int)d.no, 1.0f, dx, (int)d.ni);
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
