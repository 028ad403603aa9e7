/* Internal helpers of the metrics: NumPy's summation order, and the
 * argument checks every metric shares. */
#ifndef NR_METRICS_INTERNAL_H
#define NR_METRICS_INTERNAL_H

#include <stdint.h>
#include "neurona/metrics.h"

/* Sum of a[0..n) in NumPy's pairwise order (np.sum of a float64 array),
 * so results that hinge on rounding (a constant target's variance) agree
 * with NumPy's bit for bit. */
double nr_np_sum(const double *a, int64_t n);

/* n >= 1, and every label in [0, k) with k >= 1 (y_pred may be NULL). */
nr_status nr_metrics_check_labels(const char *fn, const int *y_true, const int *y_pred, int64_t n, int k);

/* n >= 1, y_true 0 or 1, every score finite. */
nr_status nr_metrics_check_binary(const char *fn, const int *y_true, const double *score, int64_t n);

#endif
