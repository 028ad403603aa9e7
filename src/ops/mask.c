/* Keras masks: MASK computes one, MASK_MUL applies one.
 * A mask m has M = numel(m) values, 1 (keep) or 0 (skip), one per group of
 * k = numel(x) / M consecutive values of the tensor x it describes (a time
 * step of (N, T, F) is a group of F).
 *
 * MASK, forward only (kind = attrs.mask.kind):
 *   NOT_EQUAL    m[r] = any_j x[r k + j] != value   (Masking; Embedding's
 *                mask_zero with k = 1; NaN differs from everything)
 *   OR           m = max_i m_i                     (merge layers)
 *   ONES         m = 1
 *   LOSS_WEIGHT  in = {m, w}: m'[i] = w[i / (M / N)] m[i] M / sum(m), 0 when
 *                sum(m) = 0: Keras 3's apply_mask, which scales a masked
 *                loss so that its sum_over_batch_size mean is over the kept
 *                steps only (divide_no_nan)
 * MASK_MUL: y[r k + j] = x[r k + j] m[r]; dx += dy m, no gradient to m
 * (Masking's output: masked steps zeroed).
 * MASKED_AVGPOOL: x (N, T, C), m (N, T), y (N, C) (or (N, 1, C)):
 *   y[n,c] = sum_t x[n,t,c] m[n,t] / K_n, K_n = sum_t m[n,t]
 *   dx[n,t,c] += dy[n,c] m[n,t] / K_n
 * GlobalAveragePooling1D with a mask, as Keras 3 computes it: a sample
 * with every step masked gives 0 / 0 = NaN there too.
 *
 * These are single passes over memory: the fast kernels are the plain
 * loops threaded over groups. */
#include "ops/kernels.h"
#include "ops/vmath.h"

static int threads(int64_t K) { return K > NR_PAR_MIN ? nr_num_threads() : 1; }

/* --- MASK ------------------------------------------------------------------ */

static void not_equal(const nr_exec *x, const nr_node *n, float *m, int64_t M) {
    const nr_node *xn = &x->nodes[n->in[0]];
    const float *v = x->val[n->in[0]];
    int64_t k = M ? nr_node_numel(xn, x->batch) / M : 0;
    float value = n->a.mask.value;
#pragma omp parallel for num_threads(threads(M * k))
    for (int64_t r = 0; r < M; r++) {
        int keep = 0;
        for (int64_t j = 0; j < k; j++) keep |= v[r * k + j] != value;
        m[r] = (float)keep;
    }
}

static void loss_weight(const nr_exec *x, const nr_node *n, float *out, int64_t M) {
    const float *m = x->val[n->in[0]], *w = x->val[n->in[1]];
    int64_t N = nr_node_numel(&x->nodes[n->in[1]], x->batch), per = N ? M / N : 1;
    double kept = 0;
    for (int64_t i = 0; i < M; i++) kept += m[i];
    float scale = kept > 0 ? (float)((double)M / kept) : 0.0f;
    for (int64_t i = 0; i < M; i++) out[i] = w[i / per] * m[i] * scale;
}

void nr_ref_mask_forward(const nr_exec *x, const nr_node *n) {
    float *m = x->val[NR_ID(x, n)];
    int64_t M = nr_node_numel(n, x->batch);
    switch ((nr_mask_kind)n->a.mask.kind) {
    case NR_MASK_NOT_EQUAL: not_equal(x, n, m, M); break;
    case NR_MASK_OR:
        for (int64_t i = 0; i < M; i++) {
            float v = 0;
            for (int j = 0; j < n->n_in; j++) v = x->val[n->in[j]][i] > v ? x->val[n->in[j]][i] : v;
            m[i] = v;
        }
        break;
    case NR_MASK_ONES:
        for (int64_t i = 0; i < M; i++) m[i] = 1;
        break;
    case NR_MASK_LOSS_WEIGHT: loss_weight(x, n, m, M); break;
    }
}

/* Masks get no gradient (the graph marks MASK nodes non-differentiable). */
void nr_ref_mask_backward(const nr_exec *x, const nr_node *n) { (void)x, (void)n; }
void nr_cpu_mask_forward(const nr_exec *x, const nr_node *n) { nr_ref_mask_forward(x, n); }
void nr_cpu_mask_backward(const nr_exec *x, const nr_node *n) { (void)x, (void)n; }

/* --- MASK_MUL ------------------------------------------------------------- */

typedef struct mm_dims { int64_t M, k; } mm_dims;

static mm_dims mm_geometry(const nr_exec *x, const nr_node *n) {
    mm_dims d;
    d.M = nr_node_numel(&x->nodes[n->in[1]], x->batch);
    d.k = d.M ? nr_node_numel(n, x->batch) / d.M : 0;
    return d;
}

/* x: (N, T, ...) numel M k; m: (N, T) numel M; y like x. */
void nr_ref_mask_mul_forward(const nr_exec *x, const nr_node *n) {
    mm_dims d = mm_geometry(x, n);
    const float *in = x->val[n->in[0]], *m = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < d.M * d.k; i++) y[i] = in[i] * m[i / d.k];
}

void nr_ref_mask_mul_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    mm_dims d = mm_geometry(x, n);
    const float *dy = x->grad[NR_ID(x, n)], *m = x->val[n->in[1]];
    for (int64_t i = 0; i < d.M * d.k; i++) dx[i] += dy[i] * m[i / d.k];
}

void nr_cpu_mask_mul_forward(const nr_exec *x, const nr_node *n) {
    mm_dims d = mm_geometry(x, n);
    const float *in = x->val[n->in[0]], *m = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
    const int64_t k = d.k;
#pragma omp parallel for num_threads(threads(d.M * k))
    for (int64_t r = 0; r < d.M; r++) {
        const float s = m[r];
#pragma omp simd
        for (int64_t j = 0; j < k; j++) y[r * k + j] = in[r * k + j] * s;
    }
}

void nr_cpu_mask_mul_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    mm_dims d = mm_geometry(x, n);
    const float *dy = x->grad[NR_ID(x, n)], *m = x->val[n->in[1]];
    const int64_t k = d.k;
#pragma omp parallel for num_threads(threads(d.M * k))
    for (int64_t r = 0; r < d.M; r++) {
        const float s = m[r];
#pragma omp simd
        for (int64_t j = 0; j < k; j++) dx[r * k + j] += dy[r * k + j] * s;
    }
}

/* --- MASKED_AVGPOOL --------------------------------------------------------- */

typedef struct mp_dims { int64_t N, T, C; } mp_dims;

static mp_dims mp_geometry(const nr_exec *x, const nr_node *n) {
    const nr_node *xn = &x->nodes[n->in[0]];
    mp_dims d = {x->batch, xn->shape[1], xn->shape[xn->ndim - 1]};
    return d;
}

static float kept(const float *m, int64_t T) {
    double k = 0;
    for (int64_t t = 0; t < T; t++) k += m[t];
    return (float)k;
}

void nr_ref_masked_avgpool_forward(const nr_exec *x, const nr_node *n) {
    mp_dims d = mp_geometry(x, n);
    const float *in = x->val[n->in[0]], *m = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t s = 0; s < d.N; s++)
        for (int64_t c = 0; c < d.C; c++) {
            double acc = 0, k = 0;
            for (int64_t t = 0; t < d.T; t++) {
                acc += (double)in[(s * d.T + t) * d.C + c] * m[s * d.T + t];
                k += m[s * d.T + t];
            }
            y[s * d.C + c] = (float)(acc / k);
        }
}

void nr_ref_masked_avgpool_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    mp_dims d = mp_geometry(x, n);
    const float *dy = x->grad[NR_ID(x, n)], *m = x->val[n->in[1]];
    for (int64_t s = 0; s < d.N; s++) {
        double k = 0;
        for (int64_t t = 0; t < d.T; t++) k += m[s * d.T + t];
        for (int64_t t = 0; t < d.T; t++)
            for (int64_t c = 0; c < d.C; c++)
                dx[(s * d.T + t) * d.C + c] += (float)((double)dy[s * d.C + c] * m[s * d.T + t] / k);
    }
}

void nr_cpu_masked_avgpool_forward(const nr_exec *x, const nr_node *n) {
    mp_dims d = mp_geometry(x, n);
    const float *in = x->val[n->in[0]], *m = x->val[n->in[1]];
    float *y = x->val[NR_ID(x, n)];
    const int64_t C = d.C;
#pragma omp parallel for num_threads(d.N > 1 ? threads(d.N * d.T * C) : 1)
    for (int64_t s = 0; s < d.N; s++) {
        float *yo = y + s * C;
        const float *ms = m + s * d.T;
        for (int64_t c = 0; c < C; c++) yo[c] = 0;
        for (int64_t t = 0; t < d.T; t++) {
            const float w = ms[t], *xt = in + (s * d.T + t) * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) yo[c] += xt[c] * w;
        }
        const float k = kept(ms, d.T);
        for (int64_t c = 0; c < C; c++) yo[c] /= k;
    }
}

void nr_cpu_masked_avgpool_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    mp_dims d = mp_geometry(x, n);
    const float *dy = x->grad[NR_ID(x, n)], *m = x->val[n->in[1]];
    const int64_t C = d.C;
#pragma omp parallel for num_threads(d.N > 1 ? threads(d.N * d.T * C) : 1)
    for (int64_t s = 0; s < d.N; s++) {
        const float *ms = m + s * d.T, *g = dy + s * C;
        const float k = kept(ms, d.T);
        for (int64_t t = 0; t < d.T; t++) {
            const float w = ms[t] / k;
            float *dxt = dx + (s * d.T + t) * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) dxt[c] += g[c] * w;
        }
    }
}
