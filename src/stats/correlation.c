/* pandas' DataFrame.corr() (Pearson) and DataFrame.cov(): for each pair of
 * columns, the rows where both are present, one pass of Welford's
 * updates as pandas' nancorr does; the covariance divides the co-moment
 * by n - 1, the correlation by the root of the two squared-deviation
 * sums. A zero divisor (one row in common, a constant column) gives NaN. */
#include <math.h>
#include "stats/stats_internal.h"

static void pair(const double *x, const double *y, int64_t n, double *corr, double *cov) {
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(x[i]) || isnan(y[i])) continue;
        k++;
        double dx = x[i] - mx, dy = y[i] - my;
        mx += dx / (double)k;
        my += dy / (double)k;
        sxx += (x[i] - mx) * dx;
        syy += (y[i] - my) * dy;
        sxy += (x[i] - mx) * dy;
    }
    double dc = (double)k - 1, dr = sqrt(sxx * syy);
    *cov = k > 0 && dc != 0 ? sxy / dc : NAN;
    *corr = k > 0 && dr != 0 ? sxy / dr : NAN;
}

void nr_stats_corr_cov(const double *const *cols, int k, int64_t n, double *corr, double *cov) {
    for (int a = 0; a < k; a++)
        for (int b = 0; b <= a; b++) {
            pair(cols[a], cols[b], n, &corr[a * k + b], &cov[a * k + b]);
            corr[b * k + a] = corr[a * k + b];
            cov[b * k + a] = cov[a * k + b];
        }
}
