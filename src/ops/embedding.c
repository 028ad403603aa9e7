/* EMBEDDING: x holds R indices stored as floats (any shape), W is the
 * (V, D) table, y is x's shape plus D.
 *   y[r,:] = W[i_r,:]          dW[i_r,:] += dy[r,:]     (no gradient to x)
 * with i_r = x[r] truncated toward zero, as Keras casts its input to
 * int32. An index outside [0, V) (or NaN) reads a zero row and gets no
 * gradient. Kernels cannot fail, so fit, evaluate and predict check the
 * model inputs that an Embedding reads directly and reject such indices
 * first, as Keras does on CPU; an index computed inside the model gets the
 * zero row, as TensorFlow's GPU kernel gives.
 *
 * The fast forward threads over rows and copies each whole. Rows may share
 * an index, so the fast backward threads over column blocks of the table
 * instead: each thread owns its columns of every row, no two threads write
 * one float. The reference kernels go element by element. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

typedef struct edims { int64_t R, V, D; } edims;

static edims dims(const nr_exec *x, const nr_node *n) {
    const nr_node *w = &x->nodes[n->in[1]];
    edims d = {nr_node_numel(&x->nodes[n->in[0]], x->batch), w->shape[0], w->shape[1]};
    return d;
}

/* The row index x reads, or -1 outside the table. */
static int64_t row_of(float x, int64_t V) { return x > -1.0f && x < (float)V ? (int64_t)x : -1; }

void nr_ref_embedding_forward(const nr_exec *x, const nr_node *n) {
    edims d = dims(x, n);
    const float *idx = x->val[n->in[0]], *W = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t r = 0; r < d.R; r++) {
        int64_t i = row_of(idx[r], d.V);
        for (int64_t j = 0; j < d.D; j++) y[r * d.D + j] = i >= 0 ? W[i * d.D + j] : 0.0f;
    }
}

void nr_ref_embedding_backward(const nr_exec *x, const nr_node *n) {
    float *dW = x->grad[n->in[1]];
    if (!dW) return;
    edims d = dims(x, n);
    const float *idx = x->val[n->in[0]], *dy = x->grad[NR_ID(x, n)];
    for (int64_t r = 0; r < d.R; r++) {
        int64_t i = row_of(idx[r], d.V);
        if (i >= 0)
            for (int64_t j = 0; j < d.D; j++) dW[i * d.D + j] += dy[r * d.D + j];
    }
}

void nr_cpu_embedding_forward(const nr_exec *x, const nr_node *n) {
    edims d = dims(x, n);
    const float *idx = x->val[n->in[0]], *W = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
#pragma omp parallel for num_threads(d.R * d.D > NR_PAR_MIN ? nr_num_threads() : 1)
    for (int64_t r = 0; r < d.R; r++) {
        int64_t i = row_of(idx[r], d.V);
        if (i >= 0) memcpy(y + r * d.D, W + i * d.D, (size_t)d.D * sizeof *y);
        else memset(y + r * d.D, 0, (size_t)d.D * sizeof *y);
    }
}

/* Columns per block: a cache line of floats. */
#define COLS 16

void nr_cpu_embedding_backward(const nr_exec *x, const nr_node *n) {
    float *dW = x->grad[n->in[1]];
    if (!dW) return;
    edims d = dims(x, n);
    const float *idx = x->val[n->in[0]], *dy = x->grad[NR_ID(x, n)];
    int64_t blocks = (d.D + COLS - 1) / COLS;
#pragma omp parallel for num_threads(blocks > 1 && d.R * d.D > NR_PAR_MIN ? nr_num_threads() : 1)
    for (int64_t b = 0; b < blocks; b++) {
        int64_t j0 = b * COLS, j1 = j0 + COLS < d.D ? j0 + COLS : d.D;
        for (int64_t r = 0; r < d.R; r++) {
            int64_t i = row_of(idx[r], d.V);
            if (i < 0) continue;
            float *dw = dW + i * d.D;
            const float *g = dy + r * d.D;
#pragma omp simd
            for (int64_t j = j0; j < j1; j++) dw[j] += g[j];
        }
    }
}
