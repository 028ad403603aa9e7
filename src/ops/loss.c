/* LOSS: the scalar loss of one model output, as Keras 3 computes it.
 * in = {pred, target, w?}: pred is (..., k), viewed as R rows of k values
 * (a batched vector (N,) is R = N rows of k = 1). target has pred's shape,
 * except for sparse categorical crossentropy where it holds R class indices
 * stored as floats. w (optional) holds sample weights, one per row or one
 * per group of R / numel(w) consecutive rows (shape (N,) for pred (N, T, k)).
 *
 *   L = sum_r w_r l_r / R     (Keras "sum_over_batch_size": divided by the
 *                              number of per-sample losses, not by sum w)
 *   mse    l = mean_k (p - t)^2          mae  l = mean_k |p - t|
 *   huber  l = mean_k (|e| <= d ? e^2 / 2 : d |e| - d^2 / 2), e = p - t
 *   bce    l = mean_k -(t log c + (1 - t) log(1 - c)), c = clip(p, eps, 1 - eps)
 *          logits: l = mean_k max(z, 0) - z t + log1p(e^-|z|)
 *   cce    l = -sum_k t_k log clip(p_k / sum_j p_j, eps, 1 - eps)
 *          logits: l = sum_k t_k (logsumexp(z) - z_k)
 *   sparse as cce with t the one-hot row of the class index; an index out
 *          of [0, k) is clamped (the fit loop rejects such targets first)
 * with eps = 1e-7 (keras.backend.epsilon()).
 *
 * Backward: dpred += dL w_r / R * dl_r/dpred, with the fused gradients in
 * logits mode (bce: (sigmoid(z) - t) / k; cce: softmax(z) sum_k t_k - t).
 * Where a clip is active its derivative is 0, as tf.clip_by_value's. No
 * gradient flows to the target or the weights.
 *
 * Sparse crossentropy on probabilities normalises then clips, like the
 * categorical form and Keras's JAX/PyTorch/NumPy backends; TensorFlow's
 * backend clips first and normalises inside its softmax, which differs
 * only where a clip is active or a row does not sum to 1.
 *
 * The reference kernels compute in double with libm; the fast kernels in
 * float with the vectorized exp, summing the rows in double. */
/* GCC 12 will not if-convert a select that feeds float arithmetic (clamps,
 * leaky slopes) while FP exceptions are considered observable, so those
 * loops stay scalar; this changes no result, only allows vectorizing. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "neurona/model.h"
#include "ops/kernels.h"
#include "ops/vmath.h"

enum {
    LOSS_MSE = NR_LOSS_MEAN_SQUARED_ERROR,
    LOSS_MAE = NR_LOSS_MEAN_ABSOLUTE_ERROR,
    LOSS_HUBER = NR_LOSS_HUBER,
    LOSS_BCE = NR_LOSS_BINARY_CROSSENTROPY,
    LOSS_CCE = NR_LOSS_CATEGORICAL_CROSSENTROPY,
    LOSS_SPARSE_CCE = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
};

/* keras.backend.epsilon() and hiilon as float32 computes them
 * (0.99999988f): both kernels clip to these same two floats. */
#define EPS 1e-7f
static const float ONE_MINUS_EPS = 1.0f - EPS;

typedef struct loss_geom {
    int64_t R, k;        /* rows, values per row */
    int64_t per_w;       /* rows sharing one sample weight */
    const float *p, *t, *w;
    int kind, logits;
    float delta;
} loss_geom;

static loss_geom geometry(const nr_exec *x, const nr_node *n) {
    const nr_node *pn = &x->nodes[n->in[0]];
    loss_geom g;
    g.k = nr_node_last(pn);
    g.R = g.k ? nr_node_numel(pn, x->batch) / g.k : 0;
    g.p = x->val[n->in[0]];
    g.t = x->val[n->in[1]];
    g.w = NULL;
    g.per_w = 1;
    if (n->n_in > 2) {
        int64_t nw = nr_node_numel(&x->nodes[n->in[2]], x->batch);
        NR_ASSERT(nw > 0 ? g.R % nw == 0 : g.R == 0);
        g.w = x->val[n->in[2]];
        g.per_w = nw ? g.R / nw : 1;
    }
    g.kind = n->a.loss.kind;
    g.logits = n->a.loss.logits;
    g.delta = n->a.loss.delta > 0 ? n->a.loss.delta : 1.0f; /* 0 = Keras's 1.0, as nr_loss says */
    return g;
}

static double row_weight(const loss_geom *g, int64_t r) { return g->w ? g->w[r / g->per_w] : 1.0; }

/* Class index held in a float target, clamped to [0, k). */
static int64_t class_index(float t, int64_t k) {
    if (!(t >= 0)) return 0; /* also NaN */
    if (t >= (float)(k - 1)) return k - 1;
    return (int64_t)t;
}

/* --- reference: double, libm ------------------------------------------------ */

static double ref_row_loss(const loss_geom *g, int64_t r) {
    const int64_t k = g->k;
    const float *p = g->p + r * k;
    const float *t = g->kind == LOSS_SPARSE_CCE ? g->t + r : g->t + r * k;
    const double d = g->delta, eps = EPS, hi = ONE_MINUS_EPS;
    double s = 0;
    switch (g->kind) {
    case LOSS_MSE:
        for (int64_t j = 0; j < k; j++) s += ((double)p[j] - t[j]) * ((double)p[j] - t[j]);
        return s / k;
    case LOSS_MAE:
        for (int64_t j = 0; j < k; j++) s += fabs((double)p[j] - t[j]);
        return s / k;
    case LOSS_HUBER:
        for (int64_t j = 0; j < k; j++) {
            double e = fabs((double)p[j] - t[j]);
            s += e <= d ? 0.5 * e * e : d * e - 0.5 * d * d;
        }
        return s / k;
    case LOSS_BCE:
        for (int64_t j = 0; j < k; j++) {
            if (g->logits) {
                double z = p[j];
                s += fmax(z, 0) - z * t[j] + log1p(exp(-fabs(z)));
            } else {
                double c = fmin(fmax(p[j], eps), hi);
                s -= t[j] * log(c) + (1 - (double)t[j]) * log(1 - c);
            }
        }
        return s / k;
    case LOSS_CCE:
    case LOSS_SPARSE_CCE: {
        int64_t cls = g->kind == LOSS_SPARSE_CCE ? class_index(t[0], k) : -1;
        if (g->logits) {
            double m = p[0], e = 0;
            for (int64_t j = 1; j < k; j++) m = fmax(m, p[j]);
            for (int64_t j = 0; j < k; j++) e += exp((double)p[j] - m);
            double lse = m + log(e);
            if (cls >= 0) return lse - p[cls];
            for (int64_t j = 0; j < k; j++) s += t[j] * (lse - p[j]);
            return s;
        }
        double S = 0;
        for (int64_t j = 0; j < k; j++) S += p[j];
        if (cls >= 0) return -log(fmin(fmax(p[cls] / S, eps), hi));
        for (int64_t j = 0; j < k; j++) s -= t[j] * log(fmin(fmax(p[j] / S, eps), hi));
        return s;
    }
    default: NR_ASSERT(!"LOSS: unknown loss kind");
    }
    return 0;
}

/* dp[k] += c * dl_r/dp. */
static void ref_row_grad(const loss_geom *g, int64_t r, double c, float *dp_all) {
    const int64_t k = g->k;
    const float *p = g->p + r * k;
    const float *t = g->kind == LOSS_SPARSE_CCE ? g->t + r : g->t + r * k;
    float *dp = dp_all + r * k;
    const double d = g->delta, eps = EPS, hi = ONE_MINUS_EPS;
    switch (g->kind) {
    case LOSS_MSE:
        for (int64_t j = 0; j < k; j++) dp[j] += (float)(c * 2 * ((double)p[j] - t[j]) / k);
        return;
    case LOSS_MAE:
        for (int64_t j = 0; j < k; j++) {
            double e = (double)p[j] - t[j];
            dp[j] += (float)(c * (e > 0 ? 1 : e < 0 ? -1 : 0) / k);
        }
        return;
    case LOSS_HUBER:
        for (int64_t j = 0; j < k; j++) {
            double e = (double)p[j] - t[j];
            double ge = fabs(e) <= d ? e : (e > 0 ? d : -d);
            dp[j] += (float)(c * ge / k);
        }
        return;
    case LOSS_BCE:
        for (int64_t j = 0; j < k; j++) {
            double gj;
            if (g->logits) {
                double z = p[j];
                double sg = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
                gj = sg - t[j];
            } else {
                double pj = p[j];
                int live = pj >= eps && pj <= hi;
                gj = live ? -t[j] / pj + (1 - (double)t[j]) / (1 - pj) : 0;
            }
            dp[j] += (float)(c * gj / k);
        }
        return;
    case LOSS_CCE:
    case LOSS_SPARSE_CCE: {
        int64_t cls = g->kind == LOSS_SPARSE_CCE ? class_index(t[0], k) : -1;
#define TGT(j) (cls >= 0 ? ((j) == cls ? 1.0 : 0.0) : (double)t[j])
        if (g->logits) {
            double m = p[0], e = 0, T = 0;
            for (int64_t j = 1; j < k; j++) m = fmax(m, p[j]);
            for (int64_t j = 0; j < k; j++) e += exp((double)p[j] - m);
            for (int64_t j = 0; j < k; j++) T += TGT(j);
            for (int64_t j = 0; j < k; j++) dp[j] += (float)(c * (exp((double)p[j] - m) / e * T - TGT(j)));
            return;
        }
        /* q = p / S, l = -sum t log clip(q): dl/dq_j = -t_j / q_j where the
         * clip is inactive, and dl/dp_j = (dl/dq_j - sum_i dl/dq_i q_i) / S. */
        double S = 0, gq = 0;
        for (int64_t j = 0; j < k; j++) S += p[j];
        for (int64_t j = 0; j < k; j++) {
            double q = p[j] / S;
            if (q >= eps && q <= hi) gq += -TGT(j);  /* (-t_j / q_j) q_j */
        }
        for (int64_t j = 0; j < k; j++) {
            double q = p[j] / S;
            double gj = (q >= eps && q <= hi) ? -TGT(j) / q : 0;
            dp[j] += (float)(c * (gj - gq) / S);
        }
#undef TGT
        return;
    }
    default: NR_ASSERT(!"LOSS: unknown loss kind");
    }
}

/* pred: (..., k); target: pred's shape, or (R,) for sparse; w: (R / per_w,);
 * y: scalar. */
void nr_ref_loss_forward(const nr_exec *x, const nr_node *n) {
    loss_geom g = geometry(x, n);
    double s = 0;
    for (int64_t r = 0; r < g.R; r++) s += row_weight(&g, r) * ref_row_loss(&g, r);
    x->val[NR_ID(x, n)][0] = g.R ? (float)(s / g.R) : 0.0f;
}

void nr_ref_loss_backward(const nr_exec *x, const nr_node *n) {
    float *dp = x->grad[n->in[0]];
    if (!dp) return;
    loss_geom g = geometry(x, n);
    const double dL = x->grad[NR_ID(x, n)][0];
    for (int64_t r = 0; r < g.R; r++) ref_row_grad(&g, r, dL * row_weight(&g, r) / g.R, dp);
}

/* --- fast: float, vectorized exp, threads over rows ------------------------ */

static float cpu_row_loss(const loss_geom *g, int64_t r) {
    const int64_t k = g->k;
    const float *p = g->p + r * k;
    const float *t = g->kind == LOSS_SPARSE_CCE ? g->t + r : g->t + r * k;
    const float d = g->delta;
    float s = 0;
    switch (g->kind) {
    case LOSS_MSE:
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < k; j++) s += (p[j] - t[j]) * (p[j] - t[j]);
        return s / (float)k;
    case LOSS_MAE:
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < k; j++) s += fabsf(p[j] - t[j]);
        return s / (float)k;
    case LOSS_HUBER:
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < k; j++) {
            float e = fabsf(p[j] - t[j]);
            s += e <= d ? 0.5f * e * e : d * e - 0.5f * d * d;
        }
        return s / (float)k;
    case LOSS_BCE:
        if (g->logits) {
#pragma omp simd reduction(+ : s)
            for (int64_t j = 0; j < k; j++) {
                float z = p[j];
                s += (z > 0 ? z : 0.0f) - z * t[j] + nr_fast_log1pf_unit(nr_fast_expf(-fabsf(z)));
            }
        } else {
            for (int64_t j = 0; j < k; j++) {
                float c = p[j] < EPS ? EPS : p[j] > ONE_MINUS_EPS ? ONE_MINUS_EPS : p[j];
                s -= t[j] * logf(c) + (1.0f - t[j]) * logf(1.0f - c);
            }
        }
        return s / (float)k;
    case LOSS_CCE:
    case LOSS_SPARSE_CCE: {
        int64_t cls = g->kind == LOSS_SPARSE_CCE ? class_index(t[0], k) : -1;
        if (g->logits) {
            float m = p[0], e = 0;
            for (int64_t j = 1; j < k; j++) m = p[j] > m ? p[j] : m;
#pragma omp simd reduction(+ : e)
            for (int64_t j = 0; j < k; j++) e += nr_fast_expf(p[j] - m);
            float lse = m + logf(e);
            if (cls >= 0) return lse - p[cls];
#pragma omp simd reduction(+ : s)
            for (int64_t j = 0; j < k; j++) s += t[j] * (lse - p[j]);
            return s;
        }
        float S = 0;
#pragma omp simd reduction(+ : S)
        for (int64_t j = 0; j < k; j++) S += p[j];
        if (cls >= 0) {
            float q = p[cls] / S;
            return -logf(q < EPS ? EPS : q > ONE_MINUS_EPS ? ONE_MINUS_EPS : q);
        }
        for (int64_t j = 0; j < k; j++) {
            if (t[j] == 0) continue; /* skips log() of the zero targets of one-hot rows */
            float q = p[j] / S;
            s -= t[j] * logf(q < EPS ? EPS : q > ONE_MINUS_EPS ? ONE_MINUS_EPS : q);
        }
        return s;
    }
    default: NR_ASSERT(!"LOSS: unknown loss kind");
    }
    return 0;
}

static void cpu_row_grad(const loss_geom *g, int64_t r, float c, float *dp_all) {
    const int64_t k = g->k;
    const float *p = g->p + r * k;
    const float *t = g->kind == LOSS_SPARSE_CCE ? g->t + r : g->t + r * k;
    float *dp = dp_all + r * k;
    const float d = g->delta, ck = c / (float)k;
    switch (g->kind) {
    case LOSS_MSE:
#pragma omp simd
        for (int64_t j = 0; j < k; j++) dp[j] += 2.0f * ck * (p[j] - t[j]);
        return;
    case LOSS_MAE:
#pragma omp simd
        for (int64_t j = 0; j < k; j++) {
            float e = p[j] - t[j];
            dp[j] += e > 0 ? ck : e < 0 ? -ck : 0.0f;
        }
        return;
    case LOSS_HUBER:
#pragma omp simd
        for (int64_t j = 0; j < k; j++) {
            float e = p[j] - t[j];
            dp[j] += ck * (fabsf(e) <= d ? e : e > 0 ? d : -d);
        }
        return;
    case LOSS_BCE:
        if (g->logits) {
#pragma omp simd
            for (int64_t j = 0; j < k; j++) dp[j] += ck * (nr_fast_sigmoidf(p[j]) - t[j]);
        } else {
#pragma omp simd
            for (int64_t j = 0; j < k; j++) {
                float pj = p[j];
                int live = pj >= EPS && pj <= ONE_MINUS_EPS;
                dp[j] += live ? ck * (-t[j] / pj + (1.0f - t[j]) / (1.0f - pj)) : 0.0f;
            }
        }
        return;
    case LOSS_CCE:
    case LOSS_SPARSE_CCE: {
        int64_t cls = g->kind == LOSS_SPARSE_CCE ? class_index(t[0], k) : -1;
        if (g->logits) {
            float m = p[0], e = 0, T = 1.0f;
            for (int64_t j = 1; j < k; j++) m = p[j] > m ? p[j] : m;
#pragma omp simd reduction(+ : e)
            for (int64_t j = 0; j < k; j++) e += nr_fast_expf(p[j] - m);
            if (cls < 0) {
                T = 0;
#pragma omp simd reduction(+ : T)
                for (int64_t j = 0; j < k; j++) T += t[j];
            }
            const float a = c * T / e;
#pragma omp simd
            for (int64_t j = 0; j < k; j++) dp[j] += a * nr_fast_expf(p[j] - m);
            if (cls >= 0) dp[cls] -= c;
            else {
#pragma omp simd
                for (int64_t j = 0; j < k; j++) dp[j] -= c * t[j];
            }
            return;
        }
        float S = 0, gq = 0;
#pragma omp simd reduction(+ : S)
        for (int64_t j = 0; j < k; j++) S += p[j];
        const float cS = c / S;
        if (cls >= 0) {
            float q = p[cls] / S;
            if (!(q >= EPS && q <= ONE_MINUS_EPS)) return;
            /* dl/dp_j = (-[j == cls] / q + 1) / S */
#pragma omp simd
            for (int64_t j = 0; j < k; j++) dp[j] += cS;
            dp[cls] -= cS / q;
            return;
        }
        for (int64_t j = 0; j < k; j++) {
            float q = p[j] / S;
            if (q >= EPS && q <= ONE_MINUS_EPS) gq -= t[j];
        }
        for (int64_t j = 0; j < k; j++) {
            float q = p[j] / S;
            float gj = (q >= EPS && q <= ONE_MINUS_EPS) ? -t[j] / q : 0.0f;
            dp[j] += cS * (gj - gq);
        }
        return;
    }
    default: NR_ASSERT(!"LOSS: unknown loss kind");
    }
}

/* Rows of one value (a (N, H, W, 1) image output, a (N, 1) regression)
 * with an elementwise loss go through these flat loops instead: one row
 * per lane rather than one call per row. The rows go in groups that share
 * a sample weight (per_w rows), or of FLAT_BLOCK rows without weights;
 * each group is summed in float, the groups in double. */
#define FLAT_BLOCK 4096

static int flat(const loss_geom *g) {
    return g->k == 1 && (g->kind == LOSS_MSE || g->kind == LOSS_MAE || g->kind == LOSS_HUBER || g->kind == LOSS_BCE);
}

static int64_t flat_group(const loss_geom *g) { return g->w ? g->per_w : FLAT_BLOCK; }

static inline __attribute__((always_inline)) float huber_term(float e, float d) {
    return e <= d ? 0.5f * e * e : d * e - 0.5f * d * d;
}
static inline __attribute__((always_inline)) float bce_logits_term(float z, float t) {
    return (z > 0 ? z : 0.0f) - z * t + nr_fast_log1pf_unit(nr_fast_expf(-fabsf(z)));
}

/* sum_r loss(p_r, t_r) over rows [r0, r1). */
static float flat_loss(const loss_geom *g, int64_t r0, int64_t r1) {
    const float *p = g->p, *t = g->t, d = g->delta;
    float s = 0;
    switch (g->kind) {
    case LOSS_MSE:
#pragma omp simd reduction(+ : s)
        for (int64_t r = r0; r < r1; r++) s += (p[r] - t[r]) * (p[r] - t[r]);
        break;
    case LOSS_MAE:
#pragma omp simd reduction(+ : s)
        for (int64_t r = r0; r < r1; r++) s += fabsf(p[r] - t[r]);
        break;
    case LOSS_HUBER:
#pragma omp simd reduction(+ : s)
        for (int64_t r = r0; r < r1; r++) s += huber_term(fabsf(p[r] - t[r]), d);
        break;
    default: /* BCE */
        if (g->logits) {
#pragma omp simd reduction(+ : s)
            for (int64_t r = r0; r < r1; r++) s += bce_logits_term(p[r], t[r]);
        } else {
            for (int64_t r = r0; r < r1; r++) s += cpu_row_loss(g, r);
        }
    }
    return s;
}

/* dp_r += c dloss/dp_r over rows [r0, r1): MSE and BCE on logits (the
 * usual pairs) in lanes, the others through the row loop. */
static void flat_grad(const loss_geom *g, int64_t r0, int64_t r1, float c, float *dp) {
    const float *p = g->p, *t = g->t;
    if (g->kind == LOSS_MSE) {
#pragma omp simd
        for (int64_t r = r0; r < r1; r++) dp[r] += 2.0f * c * (p[r] - t[r]);
    } else if (g->kind == LOSS_BCE && g->logits) {
#pragma omp simd
        for (int64_t r = r0; r < r1; r++) dp[r] += c * (nr_fast_sigmoidf(p[r]) - t[r]);
    } else {
        for (int64_t r = r0; r < r1; r++) cpu_row_grad(g, r, c, dp);
    }
}

void nr_cpu_loss_forward(const nr_exec *x, const nr_node *n) {
    loss_geom g = geometry(x, n);
    double s = 0;
    if (flat(&g)) {
        int64_t G = flat_group(&g);
#pragma omp parallel for reduction(+ : s) num_threads((g.R > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t b = 0; b < g.R; b += G)
            s += row_weight(&g, b) * (double)flat_loss(&g, b, b + G < g.R ? b + G : g.R);
    } else {
#pragma omp parallel for reduction(+ : s) num_threads((g.R * g.k > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t r = 0; r < g.R; r++) s += row_weight(&g, r) * (double)cpu_row_loss(&g, r);
    }
    x->val[NR_ID(x, n)][0] = g.R ? (float)(s / g.R) : 0.0f;
}

void nr_cpu_loss_backward(const nr_exec *x, const nr_node *n) {
    float *dp = x->grad[n->in[0]];
    if (!dp) return;
    loss_geom g = geometry(x, n);
    const double dL = x->grad[NR_ID(x, n)][0];
    if (flat(&g)) {
        int64_t G = flat_group(&g);
#pragma omp parallel for num_threads((g.R > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t b = 0; b < g.R; b += G)
            flat_grad(&g, b, b + G < g.R ? b + G : g.R, (float)(dL * row_weight(&g, b) / g.R), dp);
        return;
    }
#pragma omp parallel for num_threads((g.R * g.k > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < g.R; r++) cpu_row_grad(&g, r, (float)(dL * row_weight(&g, r) / g.R), dp);
}
