/* SLICE (attrs.slice): y = x[:, start : start + len, ...] along axis 1, as
 * x (N, R, D) -> y (N, len, D) with D the product of the later axes; a
 * squeezed y (N, D) is the same data. How return_state's outputs are
 * taken from an RNN node that packs its output and final states. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

typedef struct slice_dims { int64_t N, R, D, start, len; } slice_dims;

static slice_dims dims_of(const nr_exec *x, const nr_node *n) {
    const nr_node *in = &x->nodes[n->in[0]];
    slice_dims d = {x->batch, in->shape[1], nr_node_row(in) / in->shape[1], n->a.slice.start, n->a.slice.len};
    return d;
}

void nr_ref_slice_forward(const nr_exec *x, const nr_node *n) {
    slice_dims d = dims_of(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < d.N; i++)
        memcpy(y + i * d.len * d.D, in + (i * d.R + d.start) * d.D, (size_t)(d.len * d.D) * sizeof *y);
}

void nr_ref_slice_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    slice_dims d = dims_of(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int64_t i = 0; i < d.N; i++)
        for (int64_t k = 0; k < d.len * d.D; k++) dx[(i * d.R + d.start) * d.D + k] += dy[i * d.len * d.D + k];
}

/* Rows are short copies: the plain loops are as fast as anything here. */
void nr_cpu_slice_forward(const nr_exec *x, const nr_node *n) { nr_ref_slice_forward(x, n); }
void nr_cpu_slice_backward(const nr_exec *x, const nr_node *n) { nr_ref_slice_backward(x, n); }
