/* Argument checks shared by the metrics, with messages that name the
 * function, the row and the value at fault. */
#include <math.h>
#include "core/core.h"
#include "metrics/metrics_internal.h"

void nr_metrics_free(void *p) { nr_free(p); }

static nr_status check_label(const char *fn, const char *which, const int *y, int64_t n, int k) {
    for (int64_t i = 0; y && i < n; i++)
        if (y[i] < 0 || y[i] >= k)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %s[%lld] is class %d, outside 0..%d", fn, which,
                            (long long)i, y[i], k - 1);
    return NR_OK;
}

nr_status nr_metrics_check_labels(const char *fn, const int *y_true, const int *y_pred, int64_t n, int k) {
    if (n < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no rows", fn);
    if (k < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %d classes; need at least 1", fn, k);
    NR_TRY(check_label(fn, "y_true", y_true, n, k));
    return check_label(fn, "y_pred", y_pred, n, k);
}

nr_status nr_metrics_check_binary(const char *fn, const int *y_true, const double *score, int64_t n) {
    if (n < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no rows", fn);
    for (int64_t i = 0; i < n; i++) {
        if (y_true[i] != 0 && y_true[i] != 1)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: y_true[%lld] is %d; binary targets are 0 (negative) or 1 "
                            "(positive)", fn, (long long)i, y_true[i]);
        if (!isfinite(score[i]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: score[%lld] is %g; scores must be finite numbers", fn,
                            (long long)i, score[i]);
    }
    return NR_OK;
}
