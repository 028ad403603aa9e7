/* LAYERNORM over the last attrs.ln.n_axes axes: x seen as R rows of D
 * values; in = {x, gamma (D)?, beta (D)?}; g = gamma or 1, b = beta or 0.
 *   mean_r = sum_d x / D,  var_r = sum_d (x - mean_r)^2 / D,  inv_r = 1 / sqrt(var_r + eps)
 *   y = xhat g + b,  xhat = (x - mean_r) inv_r;  rms: xhat = x inv_r (x not centered)
 * Backward, with u = dy g:
 *   dx += inv (u - sum_d u / D - xhat sum_d u xhat / D)
 *   rms: dx += inv u - inv^3 (x - mean) sum_d u x / D
 *   dgamma_d += sum_r dy xhat,  dbeta_d += sum_r dy
 * The fast kernels split rows across threads; the backward sums gamma's
 * and beta's gradients per row block in the work buffer, then in block
 * order (ops/rowblocks.h), and recomputes each row's statistics rather
 * than keeping them. The reference kernels work in double. */
#include <math.h>
#include <string.h>
#include "ops/kernels.h"
#include "ops/rowblocks.h"
#include "ops/vmath.h"

static int64_t row_len(const nr_node *n) {
    int64_t D = 1;
    for (int i = n->ndim - n->a.ln.n_axes; i < n->ndim; i++) D *= n->shape[i];
    return D;
}

/* Work buffer, per row block: gamma's and beta's partial sums and a row
 * of scratch (the blocks of each kind contiguous). */
int64_t nr_layernorm_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    (void)nodes;
    (void)batch;
    return 3 * NR_ROW_BLOCKS * row_len(n);
}

static int gamma_in(const nr_node *n) { return n->a.ln.has_gamma ? n->in[1] : -1; }
static int beta_in(const nr_node *n) { return n->a.ln.has_beta ? n->in[1 + n->a.ln.has_gamma] : -1; }
static const float *val_or_null(const nr_exec *x, int id) { return id >= 0 ? x->val[id] : NULL; }
static float *grad_or_null(const nr_exec *x, int id) { return id >= 0 ? x->grad[id] : NULL; }

/* --- fast ----------------------------------------------------------------- */

static void row_stats(const float *xr, int64_t D, float eps, float *mean, float *inv) {
    float s = 0, q = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t d = 0; d < D; d++) s += xr[d];
    float m = s / (float)D;
#pragma omp simd reduction(+ : q)
    for (int64_t d = 0; d < D; d++) q += (xr[d] - m) * (xr[d] - m);
    *mean = m;
    *inv = 1.0f / sqrtf(q / (float)D + eps);
}

void nr_cpu_layernorm_forward(const nr_exec *x, const nr_node *n) {
    int64_t D = row_len(n), R = nr_node_numel(n, x->batch) / D;
    const float *in = x->val[n->in[0]], *gamma = val_or_null(x, gamma_in(n)), *beta = val_or_null(x, beta_in(n));
    float *y = x->val[NR_ID(x, n)];
#pragma omp parallel for num_threads((R * D > NR_PAR_MIN / 4) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < R; r++) {
        const float *xr = in + r * D;
        float *yr = y + r * D, mean, inv;
        row_stats(xr, D, n->a.ln.epsilon, &mean, &inv);
        float center = n->a.ln.rms ? 0.0f : mean;
#pragma omp simd
        for (int64_t d = 0; d < D; d++) yr[d] = (xr[d] - center) * inv;
        if (gamma) {
#pragma omp simd
            for (int64_t d = 0; d < D; d++) yr[d] *= gamma[d];
        }
        if (beta) {
#pragma omp simd
            for (int64_t d = 0; d < D; d++) yr[d] += beta[d];
        }
    }
}

/* dx of one row, from u = the row's dy g. */
static void row_dx(const nr_node *n, const float *xr, const float *u, int64_t D, float mean, float inv, float *dxr) {
    float su = 0, sux = 0;
    if (n->a.ln.rms) {
#pragma omp simd reduction(+ : sux)
        for (int64_t d = 0; d < D; d++) sux += u[d] * xr[d];
        float k = inv * inv * inv * sux / (float)D;
#pragma omp simd
        for (int64_t d = 0; d < D; d++) dxr[d] += inv * u[d] - k * (xr[d] - mean);
        return;
    }
#pragma omp simd reduction(+ : su, sux)
    for (int64_t d = 0; d < D; d++) {
        su += u[d];
        sux += u[d] * (xr[d] - mean) * inv;
    }
    su /= (float)D;
    sux /= (float)D;
#pragma omp simd
    for (int64_t d = 0; d < D; d++) dxr[d] += inv * (u[d] - su - (xr[d] - mean) * inv * sux);
}

/* One block of rows: dx, and gamma's and beta's partial sums in pg, pb.
 * u is a row of scratch. */
static void block_backward(const nr_exec *x, const nr_node *n, int64_t r0, int64_t r1, int64_t D, float *pg,
                           float *pb, float *u) {
    const float *in = x->val[n->in[0]], *dy = x->grad[NR_ID(x, n)], *gamma = val_or_null(x, gamma_in(n));
    float *dx = x->grad[n->in[0]];
    memset(pg, 0, (size_t)D * sizeof *pg);
    memset(pb, 0, (size_t)D * sizeof *pb);
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = in + r * D, *dyr = dy + r * D;
        float mean, inv;
        row_stats(xr, D, n->a.ln.epsilon, &mean, &inv);
        float center = n->a.ln.rms ? 0.0f : mean;
#pragma omp simd
        for (int64_t d = 0; d < D; d++) {
            pg[d] += dyr[d] * (xr[d] - center) * inv;
            pb[d] += dyr[d];
            u[d] = gamma ? dyr[d] * gamma[d] : dyr[d];
        }
        if (dx) row_dx(n, xr, u, D, mean, inv, dx + r * D);
    }
}

void nr_cpu_layernorm_backward(const nr_exec *x, const nr_node *n) {
    int64_t D = row_len(n), R = nr_node_numel(n, x->batch) / D;
    float *dgamma = grad_or_null(x, gamma_in(n)), *dbeta = grad_or_null(x, beta_in(n)), *w = x->work[NR_ID(x, n)];
    int nb = nr_row_blocks(R);
#pragma omp parallel for num_threads((R * D > NR_PAR_MIN / 4) ? nr_num_threads() : 1)
    for (int b = 0; b < nb; b++)
        block_backward(x, n, nr_block_start(R, nb, b), nr_block_start(R, nb, b + 1), D, w + (int64_t)b * D,
                       w + (int64_t)(nb + b) * D, w + (int64_t)(2 * nb + b) * D);
    if (dgamma) nr_block_combine(w, nb, D, 1.0, dgamma);
    if (dbeta) nr_block_combine(w + (int64_t)nb * D, nb, D, 1.0, dbeta);
}

/* --- reference ------------------------------------------------------------ */

void nr_ref_layernorm_forward(const nr_exec *x, const nr_node *n) {
    int64_t D = row_len(n), R = nr_node_numel(n, x->batch) / D;
    const float *in = x->val[n->in[0]], *gamma = val_or_null(x, gamma_in(n)), *beta = val_or_null(x, beta_in(n));
    float *y = x->val[NR_ID(x, n)];
    for (int64_t r = 0; r < R; r++) {
        const float *xr = in + r * D;
        double s = 0, q = 0;
        for (int64_t d = 0; d < D; d++) s += xr[d];
        double mean = s / (double)D;
        for (int64_t d = 0; d < D; d++) q += (xr[d] - mean) * (xr[d] - mean);
        double inv = 1.0 / sqrt(q / (double)D + n->a.ln.epsilon), center = n->a.ln.rms ? 0.0 : mean;
        for (int64_t d = 0; d < D; d++)
            y[r * D + d] = (float)((xr[d] - center) * inv * (gamma ? gamma[d] : 1.0) + (beta ? beta[d] : 0.0));
    }
}

void nr_ref_layernorm_backward(const nr_exec *x, const nr_node *n) {
    int64_t D = row_len(n), R = nr_node_numel(n, x->batch) / D;
    const float *in = x->val[n->in[0]], *dy = x->grad[NR_ID(x, n)], *gamma = val_or_null(x, gamma_in(n));
    float *dx = x->grad[n->in[0]], *dgamma = grad_or_null(x, gamma_in(n)), *dbeta = grad_or_null(x, beta_in(n));
    for (int64_t r = 0; r < R; r++) {
        const float *xr = in + r * D, *dyr = dy + r * D;
        double s = 0, q = 0, su = 0, sux = 0;
        for (int64_t d = 0; d < D; d++) s += xr[d];
        double mean = s / (double)D;
        for (int64_t d = 0; d < D; d++) q += (xr[d] - mean) * (xr[d] - mean);
        double inv = 1.0 / sqrt(q / (double)D + n->a.ln.epsilon), center = n->a.ln.rms ? 0.0 : mean;
        for (int64_t d = 0; d < D; d++) {
            double xhat = (xr[d] - center) * inv, u = dyr[d] * (gamma ? gamma[d] : 1.0);
            if (dgamma) dgamma[d] += (float)(dyr[d] * xhat);
            if (dbeta) dbeta[d] += dyr[d];
            su += u;
            sux += n->a.ln.rms ? u * xr[d] : u * xhat;
        }
        for (int64_t d = 0; dx && d < D; d++) {
            double u = dyr[d] * (gamma ? gamma[d] : 1.0), xhat = (xr[d] - center) * inv;
            dx[r * D + d] += (float)(n->a.ln.rms ? inv * u - inv * inv * inv * (xr[d] - mean) * sux / (double)D
                                                 : inv * (u - su / (double)D - xhat * sux / (double)D));
        }
    }
}
