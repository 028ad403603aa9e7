/* Regression metrics as sklearn computes them: MSE, RMSE, MAE and R²,
 * with NumPy's summation order and r2_score's constant-target rules. */
#include <math.h>
#include "core/core.h"
#include "metrics/metrics_internal.h"

static nr_status check(const double *y_true, const double *y_pred, int64_t n) {
    if (n < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "regression metrics: no rows");
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(y_true[i]) || !isfinite(y_pred[i]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "regression metrics: row %lld holds %s %g; values must be finite",
                            (long long)i, isfinite(y_true[i]) ? "prediction" : "target",
                            isfinite(y_true[i]) ? y_pred[i] : y_true[i]);
    return NR_OK;
}

/* R²: 1 - SS_res / SS_tot, sklearn's _assemble_r2_explained_variance. */
static double r2(const double *y_true, const double *y_pred, int64_t n, double *t) {
    if (n < 2) return NAN;
    double mean = nr_np_sum(y_true, n) / (double)n;
    for (int64_t i = 0; i < n; i++) t[i] = (y_true[i] - y_pred[i]) * (y_true[i] - y_pred[i]);
    double num = nr_np_sum(t, n);
    for (int64_t i = 0; i < n; i++) t[i] = (y_true[i] - mean) * (y_true[i] - mean);
    double den = nr_np_sum(t, n);
    if (den == 0) return num == 0 ? 1.0 : 0.0;
    return 1 - num / den;
}

nr_status nr_metrics_regression(const double *y_true, const double *y_pred, int64_t n, nr_regression_scores *out) {
    NR_TRY(check(y_true, y_pred, n));
    double *t = nr_malloc((size_t)n * sizeof *t);
    if (!t) return NR_NOMEM();
    for (int64_t i = 0; i < n; i++) t[i] = (y_true[i] - y_pred[i]) * (y_true[i] - y_pred[i]);
    out->mse = nr_np_sum(t, n) / (double)n;
    out->rmse = sqrt(out->mse);
    for (int64_t i = 0; i < n; i++) t[i] = fabs(y_pred[i] - y_true[i]);
    out->mae = nr_np_sum(t, n) / (double)n;
    out->r2 = r2(y_true, y_pred, n, t);
    nr_free(t);
    return NR_OK;
}
