/* Picking the reconstruction-error threshold above which a row is an
 * anomaly, and the figures of that choice on labelled rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/core.h"
#include "neurona/autoencoder.h"
#include "neurona/metrics.h"
#include "neurona/stats.h"

static nr_status check_errors(const double *errors, int64_t n) {
    if (!errors || n < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly threshold: no errors");
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(errors[i]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly threshold: error %lld is %g", (long long)i, errors[i]);
    return NR_OK;
}

typedef struct scored {
    double error;
    int anomaly;
} scored;

static int by_error_desc(const void *a, const void *b) {
    double x = ((const scored *)a)->error, y = ((const scored *)b)->error;
    return (x < y) - (x > y);
}

/* Flags rows with error >= t for each distinct error t, highest first,
 * and keeps the t of the best F1 = 2 TP / (2 TP + FP + FN). */
static nr_status best_f1(const double *errors, const int *is_anomaly, int64_t n, double *out) {
    int64_t pos = 0;
    for (int64_t i = 0; i < n; i++) pos += is_anomaly[i] != 0;
    if (!pos || pos == n)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly threshold: the F1 rule needs both normal rows and anomalies "
                        "among its %lld rows (it has %lld anomalies)", (long long)n, (long long)pos);
    scored *r = nr_malloc((size_t)n * sizeof *r);
    if (!r) return NR_NOMEM();
    for (int64_t i = 0; i < n; i++) r[i] = (scored){errors[i], is_anomaly[i] != 0};
    qsort(r, (size_t)n, sizeof *r, by_error_desc);
    int64_t tp = 0, fp = 0;
    double best = -1;
    for (int64_t i = 0; i < n; i++) {
        tp += r[i].anomaly;
        fp += !r[i].anomaly;
        if (i + 1 < n && r[i + 1].error == r[i].error) continue;   /* ties are flagged together */
        double f1 = 2.0 * (double)tp / (double)(tp + pos + fp);
        if (f1 > best) best = f1, *out = r[i].error;
    }
    nr_free(r);
    return NR_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The normal rows' errors, sorted; *k of them. */
static nr_status normal_errors(const double *errors, const int *is_anomaly, int64_t n, double **out, int64_t *k) {
    double *v = nr_malloc((size_t)n * sizeof *v);
    if (!v) return NR_NOMEM();
    *k = 0;
    for (int64_t i = 0; i < n; i++)
        if (!is_anomaly || !is_anomaly[i]) v[(*k)++] = errors[i];
    if (!*k) {
        nr_free(v);
        return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly threshold: no normal row among the %lld rows", (long long)n);
    }
    qsort(v, (size_t)*k, sizeof *v, cmp_double);
    *out = v;
    return NR_OK;
}

static nr_status from_normals(const double *errors, const int *is_anomaly, int64_t n, const nr_threshold_opts *o,
                              double *out) {
    double *v = NULL;
    int64_t k = 0;
    NR_TRY(normal_errors(errors, is_anomaly, n, &v, &k));
    if (o->rule == NR_THRESHOLD_PERCENTILE) {
        *out = nr_quantile_sorted(v, k, (o->q ? o->q : 99) / 100, NR_QUANTILE_LINEAR);
    } else {
        double mean = 0, var = 0;
        for (int64_t i = 0; i < k; i++) mean += v[i];
        mean /= (double)k;
        for (int64_t i = 0; i < k; i++) var += (v[i] - mean) * (v[i] - mean);
        *out = mean + (o->q ? o->q : 3) * sqrt(var / (double)k);
    }
    nr_free(v);
    return NR_OK;
}

nr_status nr_anomaly_threshold(const double *errors, const int *is_anomaly, int64_t n, const nr_threshold_opts *opts,
                               double *threshold) {
    nr_threshold_opts o = opts ? *opts : (nr_threshold_opts){0};
    if (!threshold) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_anomaly_threshold: threshold is NULL");
    NR_TRY(check_errors(errors, n));
    switch (o.rule) {
    case NR_THRESHOLD_F1:
        if (!is_anomaly) return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly threshold: the F1 rule needs labelled rows");
        return best_f1(errors, is_anomaly, n, threshold);
    case NR_THRESHOLD_PERCENTILE:
        if (!(o.q >= 0 && o.q <= 100))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly threshold: percentile must be in (0, 100], got %g", o.q);
        return from_normals(errors, is_anomaly, n, &o, threshold);
    case NR_THRESHOLD_MEAN_STD:
        if (!(o.q >= 0 && isfinite(o.q)))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly threshold: the standard deviations must be >= 0, got %g",
                            o.q);
        return from_normals(errors, is_anomaly, n, &o, threshold);
    }
    return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly threshold: unknown rule %d (f1, percentile, mean_std)", (int)o.rule);
}

nr_status nr_anomaly_scores_at(const double *errors, const int *is_anomaly, int64_t n, double threshold,
                               nr_anomaly_scores *out) {
    if (!out || !is_anomaly) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_anomaly_scores_at: NULL argument");
    NR_TRY(check_errors(errors, n));
    nr_threshold_scores t;
    NR_TRY(nr_metrics_at_threshold(is_anomaly, errors, n, threshold, &t));
    memset(out, 0, sizeof *out);
    out->threshold = threshold;
    out->tp = t.tp, out->fp = t.fp, out->tn = t.tn, out->fn = t.fn;
    out->precision = t.precision;
    out->recall = t.tpr;
    out->f1 = t.tp ? 2.0 * (double)t.tp / (double)(2 * t.tp + t.fp + t.fn) : 0;
    NR_TRY(nr_metrics_average_precision(is_anomaly, errors, n, &out->pr_auc));
    return nr_metrics_roc_auc(is_anomaly, errors, n, &out->roc_auc);
}
