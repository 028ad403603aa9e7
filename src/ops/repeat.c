/* REPEAT (RepeatVector): x (N, F) -> y (N, n, F), n = attrs.repeat.n
 * (F: every value of a sample, so any x shape works).
 *   y[s,t,f] = x[s,f]          dx[s,f] += sum_t dy[s,t,f]
 * The fast kernels thread over samples and copy rows whole; the reference
 * kernels go element by element. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

typedef struct rdims { int64_t N, F; int n; } rdims;

static rdims dims(const nr_exec *x, const nr_node *n) {
    rdims d = {x->batch, nr_node_row(&x->nodes[n->in[0]]), n->a.repeat.n};
    return d;
}

static int threads(rdims d) { return d.N > 1 && d.N * d.n * d.F > NR_PAR_MIN ? nr_num_threads() : 1; }

void nr_ref_repeat_forward(const nr_exec *x, const nr_node *n) {
    rdims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t s = 0; s < d.N; s++)
        for (int t = 0; t < d.n; t++)
            for (int64_t f = 0; f < d.F; f++) y[(s * d.n + t) * d.F + f] = in[s * d.F + f];
}

void nr_ref_repeat_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    rdims d = dims(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int64_t s = 0; s < d.N; s++)
        for (int64_t f = 0; f < d.F; f++) {
            double sum = 0;
            for (int t = 0; t < d.n; t++) sum += dy[(s * d.n + t) * d.F + f];
            dx[s * d.F + f] += (float)sum;
        }
}

void nr_cpu_repeat_forward(const nr_exec *x, const nr_node *n) {
    rdims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
#pragma omp parallel for num_threads(threads(d))
    for (int64_t s = 0; s < d.N; s++)
        for (int t = 0; t < d.n; t++) memcpy(y + (s * d.n + t) * d.F, in + s * d.F, (size_t)d.F * sizeof *y);
}

void nr_cpu_repeat_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    rdims d = dims(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
#pragma omp parallel for num_threads(threads(d))
    for (int64_t s = 0; s < d.N; s++) {
        float *dr = dx + s * d.F;
        for (int t = 0; t < d.n; t++) {
            const float *g = dy + (s * d.n + t) * d.F;
#pragma omp simd
            for (int64_t f = 0; f < d.F; f++) dr[f] += g[f];
        }
    }
}
