/* GLOBAL_AVGPOOL and GLOBAL_MAXPOOL, channels-last: x (N, S1, ..., C) is
 * seen as (N, S, C), S the product of the axes between batch and channels;
 * y is (N, C), or (N, 1, ..., 1, C) with Keras's keepdims (the same data).
 *   avg: y[n,c] = sum_s x[n,s,c] / S           dx[n,s,c] += dy[n,c] / S
 *   max: y[n,c] = max_s x[n,s,c]               dx[n,s*,c] += dy[n,c]
 * with s* the first maximum. The fast kernels run over s with channels
 * innermost (contiguous, vectorized), threads over samples, or over
 * (sample, channel block) pairs when samples are fewer than threads; the
 * fast max forward records s* per output element in the node's
 * work buffer (an int32 in each float slot) for the fast backward, so that
 * backward needs the forward of the same run. The reference kernels loop
 * per channel in double and recompute s* from x. */
#include "ops/kernels.h"
#include "ops/vmath.h"

/* Channels per task when samples are fewer than threads: wide enough for
 * full vectors, narrow enough that one sample still splits across them. */
#define CBLOCK 64

typedef struct gdims { int64_t N, S, C; } gdims;

static gdims dims(const nr_exec *x, const nr_node *n) {
    const nr_node *xin = &x->nodes[n->in[0]];
    gdims d = {x->batch, nr_node_row(xin) / nr_node_last(xin), nr_node_last(xin)};
    return d;
}

static int threads(gdims d) { return d.N * d.S * d.C > NR_PAR_MIN ? nr_num_threads() : 1; }

/* Channels per task: whole rows stream x contiguously; blocks split small batches. */
static int64_t block(gdims d) { return d.N >= nr_num_threads() ? d.C : CBLOCK; }

/* --- average --------------------------------------------------------------- */

void nr_cpu_global_avgpool_forward(const nr_exec *x, const nr_node *n) {
    gdims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    int64_t cb = block(d), nb = (d.C + cb - 1) / cb;
    float S = (float)d.S;
#pragma omp parallel for num_threads(threads(d))
    for (int64_t t = 0; t < d.N * nb; t++) {
        int64_t i = t / nb, c0 = (t % nb) * cb, c1 = c0 + cb < d.C ? c0 + cb : d.C;
        const float *xs = in + i * d.S * d.C;
        float *yo = y + i * d.C;
        for (int64_t c = c0; c < c1; c++) yo[c] = xs[c];
        for (int64_t s = 1; s < d.S; s++)
            for (int64_t c = c0; c < c1; c++) yo[c] += xs[s * d.C + c];
        for (int64_t c = c0; c < c1; c++) yo[c] /= S;
    }
}

void nr_cpu_global_avgpool_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    gdims d = dims(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    float S = (float)d.S;
#pragma omp parallel for num_threads(threads(d))
    for (int64_t r = 0; r < d.N * d.S; r++) {
        const float *g = dy + (r / d.S) * d.C;
        float *dr = dx + r * d.C;
        for (int64_t c = 0; c < d.C; c++) dr[c] += g[c] / S;
    }
}

void nr_ref_global_avgpool_forward(const nr_exec *x, const nr_node *n) {
    gdims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < d.N; i++)
        for (int64_t c = 0; c < d.C; c++) {
            double acc = 0;
            for (int64_t s = 0; s < d.S; s++) acc += in[(i * d.S + s) * d.C + c];
            y[i * d.C + c] = (float)(acc / (double)d.S);
        }
}

void nr_ref_global_avgpool_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    gdims d = dims(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int64_t i = 0; i < d.N; i++)
        for (int64_t s = 0; s < d.S; s++)
            for (int64_t c = 0; c < d.C; c++)
                dx[(i * d.S + s) * d.C + c] += (float)((double)dy[i * d.C + c] / (double)d.S);
}

/* --- max ------------------------------------------------------------------- */

void nr_cpu_global_maxpool_forward(const nr_exec *x, const nr_node *n) {
    gdims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    int32_t *arg = (int32_t *)x->work[NR_ID(x, n)];
    int64_t cb = block(d), nb = (d.C + cb - 1) / cb;
#pragma omp parallel for num_threads(threads(d))
    for (int64_t t = 0; t < d.N * nb; t++) {
        int64_t i = t / nb, c0 = (t % nb) * cb, c1 = c0 + cb < d.C ? c0 + cb : d.C;
        const float *xs = in + i * d.S * d.C;
        float *yo = y + i * d.C;
        int32_t *ao = arg + i * d.C;
        for (int64_t c = c0; c < c1; c++) {
            yo[c] = xs[c];
            ao[c] = 0;
        }
        /* Selects rather than branches, so the loop vectorizes. */
        for (int64_t s = 1; s < d.S; s++)
            for (int64_t c = c0; c < c1; c++) {
                float v = xs[s * d.C + c];
                int gt = v > yo[c];
                ao[c] = gt ? (int32_t)s : ao[c];
                yo[c] = gt ? v : yo[c];
            }
    }
}

void nr_cpu_global_maxpool_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    gdims d = dims(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    const int32_t *arg = (const int32_t *)x->work[NR_ID(x, n)];
#pragma omp parallel for num_threads(d.N * d.C > NR_PAR_MIN ? nr_num_threads() : 1)
    for (int64_t i = 0; i < d.N; i++)
        for (int64_t c = 0; c < d.C; c++)
            dx[(i * d.S + arg[i * d.C + c]) * d.C + c] += dy[i * d.C + c];
}

/* First s where x[i,s,c] is largest. */
static int64_t ref_argmax(const float *in, gdims d, int64_t i, int64_t c) {
    int64_t best = 0;
    for (int64_t s = 1; s < d.S; s++)
        if (in[(i * d.S + s) * d.C + c] > in[(i * d.S + best) * d.C + c]) best = s;
    return best;
}

void nr_ref_global_maxpool_forward(const nr_exec *x, const nr_node *n) {
    gdims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < d.N; i++)
        for (int64_t c = 0; c < d.C; c++) y[i * d.C + c] = in[(i * d.S + ref_argmax(in, d, i, c)) * d.C + c];
}

void nr_ref_global_maxpool_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    gdims d = dims(x, n);
    const float *in = x->val[n->in[0]], *dy = x->grad[NR_ID(x, n)];
    for (int64_t i = 0; i < d.N; i++)
        for (int64_t c = 0; c < d.C; c++) dx[(i * d.S + ref_argmax(in, d, i, c)) * d.C + c] += dy[i * d.C + c];
}
