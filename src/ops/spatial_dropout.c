/* SPATIAL_DROPOUT (attrs.dropout: rate, seed), as Keras's SpatialDropout1D
 * and SpatialDropout2D: channels-last x (N, ..., C), one keep/drop draw per
 * (sample, channel), i.e. a dropout mask of shape (N, 1, ..., 1, C).
 *   training, rate > 0:  s[n,c] = (u[n,c] >= rate) / (1 - rate)
 *                        y[n,..,c] = x[n,..,c] s[n,c],  dx += dy s
 *   inference:           y = x,  dx += dy
 * u[n,c] = nr_hash_uniform(seed ^ splitmix64(step), n C + c); s is kept in
 * the node's workspace (N C floats) for the backward pass. */
#include "core/rng.h"
#include "ops/kernels.h"
#include "ops/vmath.h"

static int dropping(const nr_exec *x, const nr_node *n) { return x->training && n->a.dropout.rate > 0; }

int64_t nr_spatial_dropout_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    (void)nodes;
    return batch * nr_node_last(n);
}

/* The channel scales s[N C]. */
static void draw_mask(const nr_exec *x, const nr_node *n, float *s, int64_t NC) {
    const float rate = n->a.dropout.rate, scale = 1.0f / (1.0f - rate);
    const uint64_t key = n->a.dropout.seed ^ nr_splitmix64(x->step);
    for (int64_t i = 0; i < NC; i++) s[i] = nr_hash_uniform(key, (uint64_t)i) >= rate ? scale : 0.0f;
}

/* x, y: (N, ..., C) with S = numel / (N C) positions per sample. */
void nr_ref_spatial_dropout_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch), C = nr_node_last(n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    if (!dropping(x, n)) {
        nr_ref_copy_forward(x, n);
        return;
    }
    float *s = x->work[NR_ID(x, n)];
    int64_t S = nr_node_row(n) / C;
    draw_mask(x, n, s, x->batch * C);
    for (int64_t i = 0; i < K; i++) y[i] = in[i] * s[(i / (S * C)) * C + i % C];
}

void nr_ref_spatial_dropout_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    int64_t K = nr_node_numel(n, x->batch), C = nr_node_last(n);
    const float *dy = x->grad[NR_ID(x, n)];
    if (!dropping(x, n)) {
        nr_ref_copy_backward(x, n);
        return;
    }
    const float *s = x->work[NR_ID(x, n)];
    int64_t S = nr_node_row(n) / C;
    for (int64_t i = 0; i < K; i++) dx[i] += dy[i] * s[(i / (S * C)) * C + i % C];
}

/* Rows of C contiguous channels, each scaled by its sample's mask row. */
void nr_cpu_spatial_dropout_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch), C = nr_node_last(n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    if (!dropping(x, n)) {
        nr_cpu_copy_forward(x, n);
        return;
    }
    float *s = x->work[NR_ID(x, n)];
    int64_t S = nr_node_row(n) / C, rows = x->batch * S;
    draw_mask(x, n, s, x->batch * C);
#pragma omp parallel for num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < rows; r++) {
        const float *sr = s + (r / S) * C, *xr = in + r * C;
        float *yr = y + r * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) yr[c] = xr[c] * sr[c];
    }
}

void nr_cpu_spatial_dropout_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    int64_t K = nr_node_numel(n, x->batch), C = nr_node_last(n);
    const float *dy = x->grad[NR_ID(x, n)];
    if (!dropping(x, n)) {
        nr_cpu_copy_backward(x, n);
        return;
    }
    const float *s = x->work[NR_ID(x, n)];
    int64_t S = nr_node_row(n) / C, rows = x->batch * S;
#pragma omp parallel for num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < rows; r++) {
        const float *sr = s + (r / S) * C, *dyr = dy + r * C;
        float *dxr = dx + r * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) dxr[c] += dyr[c] * sr[c];
    }
}
