/* Internal helpers of the metrics: the argument checks they share. */
#ifndef NR_METRICS_INTERNAL_H
#define NR_METRICS_INTERNAL_H

#include <stdint.h>
#include "core/npsum.h"
#include "neurona/metrics.h"

/* n >= 1, and every label in [0, k) with k >= 1 (y_pred may be NULL). */
nr_status nr_metrics_check_labels(const char *fn, const int *y_true, const int *y_pred, int64_t n, int k);

/* n >= 1, y_true 0 or 1, every score finite. */
nr_status nr_metrics_check_binary(const char *fn, const int *y_true, const double *score, int64_t n);

#endif
