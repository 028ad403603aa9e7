/* A Gaussian process for Bayesian optimization: a Matern 5/2 kernel
 * k(a, b) = amp (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r), r^2 = sum_j
 * (a_j - b_j)^2 / l_j^2, with the noise alpha on the diagonal, on
 * standardized targets (sklearn's normalize_y). The length scales and
 * the amplitude maximize the log marginal likelihood
 *   -1/2 y' K^-1 y - 1/2 log |K| - n/2 log 2pi
 * by iRprop- on their logarithms with the analytic gradient
 *   dL/dt = 1/2 tr((a a' - K^-1) dK/dt),   a = K^-1 y,
 * from a given starting point (the last fit's) and random ones. */
#include <math.h>
#include <string.h>
#include "tune/tune_internal.h"

#define SQRT5 2.23606797749979
#define LOG_LO (-4.6) /* log 0.01 */
#define LOG_HI 4.6    /* log 100 */
#define STEPS 60

void nr_gp_free(nr_gp *gp) {
    nr_free(gp->x);
    nr_free(gp->y);
    nr_free(gp->L);
    nr_free(gp->a);
    nr_free(gp->work);
    memset(gp, 0, sizeof *gp);
}

/* The kernel at r^2 and, in *dshape, amp 5/3 (1 + sqrt5 r) exp(-sqrt5 r),
 * which times (a_j - b_j)^2 / l_j^2 is dk / dlog l_j. */
static double matern(double amp, double r2, double *dshape) {
    double r = sqrt(r2), e = exp(-SQRT5 * r);
    if (dshape) *dshape = amp * (5.0 / 3.0) * (1 + SQRT5 * r) * e;
    return amp * (1 + SQRT5 * r + (5.0 / 3.0) * r2) * e;
}

static double dist2(const nr_gp *gp, const double *a, const double *b) {
    double r2 = 0;
    for (int j = 0; j < gp->d; j++) {
        double t = (a[j] - b[j]) * gp->inv_ls[j];
        r2 += t * t;
    }
    return r2;
}

/* L = chol(K + (alpha + jitter) I) and a = K^-1 y; 0 when K is not
 * positive definite even with jitter. */
static int factor(nr_gp *gp) {
    int n = gp->n;
    double amp = exp(gp->log_amp);
    for (int j = 0; j < gp->d; j++) gp->inv_ls[j] = exp(-gp->log_ls[j]);
    for (double jitter = 0; jitter < 1e-3; jitter = jitter ? jitter * 100 : 1e-9) {
        double *L = gp->L;
        for (int p = 0; p < n; p++)
            for (int q = 0; q <= p; q++) L[p * n + q] = matern(amp, dist2(gp, gp->x + p * gp->d, gp->x + q * gp->d), NULL);
        int ok = 1;
        for (int p = 0; p < n && ok; p++) {
            L[p * n + p] += gp->alpha + jitter;
            for (int q = 0; q <= p; q++) {
                double s = L[p * n + q];
                for (int k = 0; k < q; k++) s -= L[p * n + k] * L[q * n + k];
                if (q < p) L[p * n + q] = s / L[q * n + q];
                else if (s > 0) L[p * n + p] = sqrt(s);
                else ok = 0;
            }
        }
        if (!ok) continue;
        for (int p = 0; p < n; p++) { /* forward then back substitution */
            double s = gp->y[p];
            for (int k = 0; k < p; k++) s -= L[p * n + k] * gp->a[k];
            gp->a[p] = s / L[p * n + p];
        }
        for (int p = n - 1; p >= 0; p--) {
            double s = gp->a[p];
            for (int k = p + 1; k < n; k++) s -= L[k * n + p] * gp->a[k];
            gp->a[p] = s / L[p * n + p];
        }
        return 1;
    }
    return 0;
}

/* The lower triangle of K^-1 = L^-T L^-1 into work, through M = L^-1
 * (lower triangular, in the second half of work): n^3/3 flops. */
static void inverse(nr_gp *gp) {
    int n = gp->n;
    double *W = gp->work, *M = gp->work + (size_t)n * n;
    for (int c = 0; c < n; c++) {
        M[c * n + c] = 1 / gp->L[c * n + c];
        for (int p = c + 1; p < n; p++) {
            double s = 0;
            for (int k = c; k < p; k++) s -= gp->L[p * n + k] * M[k * n + c];
            M[p * n + c] = s / gp->L[p * n + p];
        }
    }
    for (int p = 0; p < n; p++)
        for (int q = 0; q <= p; q++) {
            double s = 0;
            for (int k = p; k < n; k++) s += M[k * n + p] * M[k * n + q];
            W[p * n + q] = s;
        }
}

double nr_gp_log_likelihood(nr_gp *gp, double *grad) {
    int n = gp->n, d = gp->d;
    if (!factor(gp)) return -INFINITY;
    double ll = -0.5 * n * log(2 * M_PI);
    for (int p = 0; p < n; p++) ll += -0.5 * gp->y[p] * gp->a[p] - log(gp->L[p * n + p]);
    if (!grad) return ll;
    inverse(gp);
    memset(grad, 0, (size_t)(d + 1) * sizeof *grad);
    double amp = exp(gp->log_amp);
    for (int p = 0; p < n; p++) /* K is symmetric: each pair once, doubled off the diagonal */
        for (int q = 0; q <= p; q++) {
            const double *xp = gp->x + p * d, *xq = gp->x + q * d;
            double m = (p == q ? 1 : 2) * (gp->a[p] * gp->a[q] - gp->work[p * n + q]), shape;
            grad[d] += 0.5 * m * matern(amp, dist2(gp, xp, xq), &shape);
            for (int j = 0; j < d; j++) {
                double t = (xp[j] - xq[j]) * gp->inv_ls[j];
                grad[j] += 0.5 * m * shape * t * t;
            }
        }
    return ll;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* iRprop-: each parameter's step grows while its gradient keeps its sign
 * and shrinks when it flips; only the sign of the gradient is used. */
static double rprop(nr_gp *gp) {
    int d = gp->d;
    double grad[33], prev[33] = {0}, step[33], *theta[33];
    for (int j = 0; j < d; j++) theta[j] = &gp->log_ls[j];
    theta[d] = &gp->log_amp;
    for (int j = 0; j <= d; j++) step[j] = 0.1;
    double best = -INFINITY, keep[33];
    for (int it = 0; it < STEPS; it++) {
        double ll = nr_gp_log_likelihood(gp, grad);
        if (!isfinite(ll)) break;
        if (ll > best) {
            best = ll;
            for (int j = 0; j <= d; j++) keep[j] = *theta[j];
        }
        for (int j = 0; j <= d; j++) {
            if (grad[j] * prev[j] > 0) step[j] = fmin(step[j] * 1.2, 1.0);
            else if (grad[j] * prev[j] < 0) step[j] = fmax(step[j] * 0.5, 1e-4), grad[j] = 0;
            *theta[j] = clampd(*theta[j] + (grad[j] > 0 ? step[j] : grad[j] < 0 ? -step[j] : 0), LOG_LO, LOG_HI);
            prev[j] = grad[j];
        }
    }
    if (isfinite(best))
        for (int j = 0; j <= d; j++) *theta[j] = keep[j];
    return best;
}

static nr_status alloc_gp(nr_gp *gp, int n, int d) {
    gp->x = nr_malloc((size_t)n * d * sizeof *gp->x + 1);
    gp->y = nr_malloc((size_t)n * sizeof *gp->y + 1);
    gp->L = nr_malloc((size_t)n * n * sizeof *gp->L + 1);
    gp->a = nr_malloc((size_t)n * sizeof *gp->a + 1);
    gp->work = nr_malloc((2 * (size_t)n * n + n) * sizeof *gp->work + 1);
    if (gp->x && gp->y && gp->L && gp->a && gp->work) return NR_OK;
    nr_gp_free(gp);
    return NR_NOMEM();
}

nr_status nr_gp_fit(nr_gp *gp, const double *x, const double *y, int n, int d, double alpha, const double *start,
                    int restarts, nr_rng *rng) {
    memset(gp, 0, sizeof *gp);
    if (d < 1 || d > 32 || n < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "GP: needs 1 to 32 inputs and a point");
    NR_TRY(alloc_gp(gp, n, d));
    gp->n = n, gp->d = d, gp->alpha = alpha;
    memcpy(gp->x, x, (size_t)n * d * sizeof *x);
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++) mean += y[i] / n;
    for (int i = 0; i < n; i++) var += (y[i] - mean) * (y[i] - mean) / n;
    gp->mean = mean;
    gp->sd = var > 1e-24 ? sqrt(var) : 1;
    for (int i = 0; i < n; i++) gp->y[i] = (y[i] - mean) / gp->sd;
    double best = -INFINITY, keep[33];
    for (int r = 0; r < restarts; r++) {
        for (int j = 0; j < d; j++)
            gp->log_ls[j] = r > 0 ? LOG_LO + (LOG_HI - LOG_LO) * 0.5 * (double)nr_rng_uniform(rng)
                            : start ? start[j] : log(0.3);
        gp->log_amp = r > 0 ? -1 + 2 * (double)nr_rng_uniform(rng) : start ? start[d] : 0;
        double ll = rprop(gp);
        if (ll > best) {
            best = ll;
            memcpy(keep, gp->log_ls, (size_t)d * sizeof *keep);
            keep[d] = gp->log_amp;
        }
    }
    if (!isfinite(best)) {
        nr_gp_free(gp);
        return nr_error(NR_STATUS_STATE, "GP: the kernel matrix is not positive definite");
    }
    memcpy(gp->log_ls, keep, (size_t)d * sizeof *keep);
    gp->log_amp = keep[d];
    factor(gp);
    return NR_OK;
}

void nr_gp_predict(const nr_gp *gp, const double *x, double *mean, double *sd) {
    int n = gp->n;
    double amp = exp(gp->log_amp), m = 0, v = amp;
    double *k = gp->work + 2 * (size_t)n * n; /* the spare column */
    for (int p = 0; p < n; p++) {
        k[p] = matern(amp, dist2(gp, x, gp->x + p * gp->d), NULL);
        m += k[p] * gp->a[p];
    }
    for (int p = 0; p < n; p++) {
        double s = k[p];
        for (int q = 0; q < p; q++) s -= gp->L[p * n + q] * k[q];
        k[p] = s / gp->L[p * n + p];
        v -= k[p] * k[p];
    }
    *mean = gp->mean + gp->sd * m;
    *sd = gp->sd * sqrt(v > 1e-12 ? v : 1e-12);
}
