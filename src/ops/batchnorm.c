/* BATCHNORM over the last axis: x (..., C) seen as R = numel / C rows;
 * in = {x, moving_mean (C), moving_variance (C), gamma (C)?, beta (C)?}.
 *   training:  mean_c = sum_r x[r,c] / R,  var_c = sum_r (x[r,c] - mean_c)^2 / R
 *              (biased, as keras.ops.moments), and in place
 *              moving_mean = momentum moving_mean + (1 - momentum) mean_c,
 *              moving_variance likewise with var_c;
 *   inference: mean_c, var_c = the moving statistics;
 *   y[r,c] = xhat[r,c] g_c + beta_c,  xhat = (x - mean_c) inv_c,  inv_c = 1 / sqrt(var_c + eps)
 * with g = gamma or 1. Backward:
 *   dgamma_c += sum_r dy xhat,  dbeta_c += sum_r dy
 *   training:  dx += g inv (dy - sum_r dy / R - xhat sum_r dy xhat / R)
 *   inference: dx += g inv dy
 * The moving statistics get no gradient. Training mode is the exec's
 * training flag unless attrs.bn.frozen. Only a training step's forward
 * runs with training set, so the moving statistics move once per step.
 *
 * The fast kernels sum over rows in fixed blocks (ops/rowblocks.h),
 * vectorized across channels, and save mean and inv in the work buffer
 * for the backward of the same run. The reference kernels loop per
 * channel in double and recompute the statistics in the backward. */
#include <math.h>
#include <string.h>
#include "ops/kernels.h"
#include "ops/rowblocks.h"
#include "ops/vmath.h"

/* Work buffer: mean, inv and three per-channel scratch vectors (C each),
 * then two sets of block partial sums (NR_ROW_BLOCKS x C each). */
int64_t nr_batchnorm_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    (void)nodes;
    (void)batch;
    return (5 + 2 * NR_ROW_BLOCKS) * nr_node_last(n);
}

static int training(const nr_exec *x, const nr_node *n) { return x->training && !n->a.bn.frozen; }
static int gamma_in(const nr_node *n) { return n->a.bn.has_gamma ? n->in[3] : -1; }
static int beta_in(const nr_node *n) { return n->a.bn.has_beta ? n->in[3 + n->a.bn.has_gamma] : -1; }
static const float *val_or_null(const nr_exec *x, int id) { return id >= 0 ? x->val[id] : NULL; }
static float *grad_or_null(const nr_exec *x, int id) { return id >= 0 ? x->grad[id] : NULL; }

/* moving = momentum moving + (1 - momentum) batch, as Keras writes it. */
static void update_moving(float *moving, const float *batch, int64_t C, float momentum) {
    for (int64_t c = 0; c < C; c++) moving[c] = moving[c] * momentum + batch[c] * (1.0f - momentum);
}

/* --- fast ----------------------------------------------------------------- */

/* part[b C + c] = sum of x[r,c] - center[c] (squared when square) over block b's rows. */
static void block_sums(const float *x, int64_t R, int64_t C, const float *center, int square, float *part) {
    int nb = nr_row_blocks(R);
#pragma omp parallel for num_threads((R * C > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int b = 0; b < nb; b++) {
        float *p = part + (int64_t)b * C;
        memset(p, 0, (size_t)C * sizeof *p);
        for (int64_t r = nr_block_start(R, nb, b); r < nr_block_start(R, nb, b + 1); r++) {
            const float *xr = x + r * C;
            if (square) {
#pragma omp simd
                for (int64_t c = 0; c < C; c++) p[c] += (xr[c] - center[c]) * (xr[c] - center[c]);
            } else {
#pragma omp simd
                for (int64_t c = 0; c < C; c++) p[c] += xr[c] - center[c];
            }
        }
    }
}

/* Batch mean and biased variance, the variance about the mean (two passes). */
static void batch_stats(const float *x, int64_t R, int64_t C, float *part, float *mean, float *var) {
    int nb = nr_row_blocks(R);
    memset(mean, 0, (size_t)C * sizeof *mean);
    memset(var, 0, (size_t)C * sizeof *var); /* also the first pass's center */
    block_sums(x, R, C, var, 0, part);
    nr_block_combine(part, nb, C, 1.0 / (double)R, mean);
    block_sums(x, R, C, mean, 1, part);
    nr_block_combine(part, nb, C, 1.0 / (double)R, var);
}

/* y[r,c] = x[r,c] a_c + b_c (rows split across threads). */
static void affine_rows(const float *x, int64_t R, int64_t C, const float *a, const float *b, float *y) {
#pragma omp parallel for num_threads((R * C > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < R; r++) {
        const float *xr = x + r * C;
        float *yr = y + r * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) yr[c] = xr[c] * a[c] + b[c];
    }
}

void nr_cpu_batchnorm_forward(const nr_exec *x, const nr_node *n) {
    int64_t C = nr_node_last(n), R = nr_node_numel(n, x->batch) / C;
    const float *in = x->val[n->in[0]], *gamma = val_or_null(x, gamma_in(n)), *beta = val_or_null(x, beta_in(n));
    float *mm = x->val[n->in[1]], *mv = x->val[n->in[2]], *y = x->val[NR_ID(x, n)];
    float *w = x->work[NR_ID(x, n)], *mean = w, *inv = w + C, *scale = w + 2 * C, *shift = w + 3 * C;
    /* inv holds the variance until the loop below. */
    if (training(x, n)) {
        batch_stats(in, R, C, w + 5 * C, mean, inv);
        update_moving(mm, mean, C, n->a.bn.momentum);
        update_moving(mv, inv, C, n->a.bn.momentum);
    } else {
        memcpy(mean, mm, (size_t)C * sizeof *mean);
        memcpy(inv, mv, (size_t)C * sizeof *inv);
    }
    for (int64_t c = 0; c < C; c++) {
        inv[c] = 1.0f / sqrtf(inv[c] + n->a.bn.epsilon);
        scale[c] = gamma ? gamma[c] * inv[c] : inv[c];
        shift[c] = (beta ? beta[c] : 0.0f) - mean[c] * scale[c];
    }
    affine_rows(in, R, C, scale, shift, y);
}

/* Per block: part0 += dy, part1 += dy xhat. */
static void grad_sums(const float *x, const float *dy, int64_t R, int64_t C, const float *mean, const float *inv,
                      float *part) {
    int nb = nr_row_blocks(R);
#pragma omp parallel for num_threads((R * C > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int b = 0; b < nb; b++) {
        float *p0 = part + (int64_t)b * C, *p1 = part + (int64_t)(nb + b) * C;
        memset(p0, 0, (size_t)C * sizeof *p0);
        memset(p1, 0, (size_t)C * sizeof *p1);
        for (int64_t r = nr_block_start(R, nb, b); r < nr_block_start(R, nb, b + 1); r++) {
            const float *xr = x + r * C, *dyr = dy + r * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) {
                p0[c] += dyr[c];
                p1[c] += dyr[c] * (xr[c] - mean[c]) * inv[c];
            }
        }
    }
}

void nr_cpu_batchnorm_backward(const nr_exec *x, const nr_node *n) {
    int64_t C = nr_node_last(n), R = nr_node_numel(n, x->batch) / C;
    const float *in = x->val[n->in[0]], *dy = x->grad[NR_ID(x, n)], *gamma = val_or_null(x, gamma_in(n));
    float *dx = x->grad[n->in[0]], *dgamma = grad_or_null(x, gamma_in(n)), *dbeta = grad_or_null(x, beta_in(n));
    float *w = x->work[NR_ID(x, n)], *mean = w, *inv = w + C, *k = w + 2 * C, *m1 = w + 3 * C, *m2 = w + 4 * C;
    int train = training(x, n), nb = nr_row_blocks(R);
    memset(m1, 0, 2 * (size_t)C * sizeof *m1);
    if (dgamma || dbeta || (dx && train)) {
        grad_sums(in, dy, R, C, mean, inv, w + 5 * C);
        nr_block_combine(w + 5 * C, nb, C, 1.0, m1);
        nr_block_combine(w + 5 * C + (int64_t)nb * C, nb, C, 1.0, m2);
    }
    for (int64_t c = 0; c < C; c++) {
        if (dgamma) dgamma[c] += m2[c];
        if (dbeta) dbeta[c] += m1[c];
        k[c] = gamma ? gamma[c] * inv[c] : inv[c];
        /* Inference statistics are constants: only the direct term. */
        m1[c] = train ? m1[c] / (float)R : 0.0f;
        m2[c] = train ? m2[c] / (float)R : 0.0f;
    }
    if (!dx) return;
#pragma omp parallel for num_threads((R * C > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < R; r++) {
        const float *xr = in + r * C, *dyr = dy + r * C;
        float *dxr = dx + r * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) dxr[c] += k[c] * (dyr[c] - m1[c] - (xr[c] - mean[c]) * inv[c] * m2[c]);
    }
}

/* --- reference ------------------------------------------------------------ */

/* Channel c's statistics in double: the batch's (training) or the moving ones. */
static void ref_stats(const nr_exec *x, const nr_node *n, int64_t R, int64_t C, int64_t c, double *mean, double *var) {
    const float *in = x->val[n->in[0]];
    if (!training(x, n)) {
        *mean = x->val[n->in[1]][c];
        *var = x->val[n->in[2]][c];
        return;
    }
    double s = 0, q = 0;
    for (int64_t r = 0; r < R; r++) s += in[r * C + c];
    *mean = s / (double)R;
    for (int64_t r = 0; r < R; r++) q += (in[r * C + c] - *mean) * (in[r * C + c] - *mean);
    *var = q / (double)R;
}

void nr_ref_batchnorm_forward(const nr_exec *x, const nr_node *n) {
    int64_t C = nr_node_last(n), R = nr_node_numel(n, x->batch) / C;
    const float *in = x->val[n->in[0]], *gamma = val_or_null(x, gamma_in(n)), *beta = val_or_null(x, beta_in(n));
    float *y = x->val[NR_ID(x, n)];
    for (int64_t c = 0; c < C; c++) {
        double mean, var;
        ref_stats(x, n, R, C, c, &mean, &var);
        if (training(x, n)) {
            float fm = (float)mean, fv = (float)var;
            update_moving(x->val[n->in[1]] + c, &fm, 1, n->a.bn.momentum);
            update_moving(x->val[n->in[2]] + c, &fv, 1, n->a.bn.momentum);
        }
        double inv = 1.0 / sqrt(var + n->a.bn.epsilon), g = gamma ? gamma[c] : 1.0, b = beta ? beta[c] : 0.0;
        for (int64_t r = 0; r < R; r++) y[r * C + c] = (float)((in[r * C + c] - mean) * inv * g + b);
    }
}

void nr_ref_batchnorm_backward(const nr_exec *x, const nr_node *n) {
    int64_t C = nr_node_last(n), R = nr_node_numel(n, x->batch) / C;
    const float *in = x->val[n->in[0]], *dy = x->grad[NR_ID(x, n)], *gamma = val_or_null(x, gamma_in(n));
    float *dx = x->grad[n->in[0]], *dgamma = grad_or_null(x, gamma_in(n)), *dbeta = grad_or_null(x, beta_in(n));
    int train = training(x, n);
    for (int64_t c = 0; c < C; c++) {
        double mean, var, sdy = 0, sdyx = 0;
        ref_stats(x, n, R, C, c, &mean, &var);
        double inv = 1.0 / sqrt(var + n->a.bn.epsilon), g = gamma ? gamma[c] : 1.0;
        for (int64_t r = 0; r < R; r++) {
            sdy += dy[r * C + c];
            sdyx += dy[r * C + c] * (in[r * C + c] - mean) * inv;
        }
        if (dgamma) dgamma[c] += (float)sdyx;
        if (dbeta) dbeta[c] += (float)sdy;
        for (int64_t r = 0; dx && r < R; r++) {
            double xhat = (in[r * C + c] - mean) * inv;
            double t = train ? dy[r * C + c] - sdy / (double)R - xhat * sdyx / (double)R : dy[r * C + c];
            dx[r * C + c] += (float)(g * inv * t);
        }
    }
}
