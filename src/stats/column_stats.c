/* The figures of one numeric column: moments as NumPy and pandas compute
 * them (mean, then the mean squared deviation from it), order statistics
 * from one sorted copy (min, max, quantiles, modes) and the outliers
 * beyond the 1.5 and 3 IQR fences with their rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/core.h"
#include "stats/stats_internal.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void nr_stats_column_init(nr_column_stats *cs) {
    cs->mean = cs->median = cs->midrange = cs->min = cs->max = cs->range = NAN;
    cs->var = cs->std = cs->var_pop = cs->std_pop = NAN;
    cs->q1 = cs->q2 = cs->q3 = cs->iqr = NAN;
    cs->mild_lo = cs->mild_hi = cs->extreme_lo = cs->extreme_hi = NAN;
}

/* Mean, then the sums of squared deviations over n (population) and n-1
 * (sample; NaN for one value, as pandas gives). */
static void moments(const double *v, int64_t n, nr_column_stats *cs) {
    double sum = 0, ss = 0;
    for (int64_t i = 0; i < n; i++) sum += v[i];
    cs->mean = sum / (double)n;
    for (int64_t i = 0; i < n; i++) ss += (v[i] - cs->mean) * (v[i] - cs->mean);
    cs->var_pop = ss / (double)n;
    cs->var = n > 1 ? ss / (double)(n - 1) : NAN;
    cs->std_pop = sqrt(cs->var_pop);
    cs->std = sqrt(cs->var);
}

/* Every value of the longest runs in sorted v; none when each value
 * occurs once. */
static nr_status modes(const double *v, int64_t n, nr_column_stats *cs) {
    int64_t best = 0, n_best = 0;
    for (int64_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && v[j] == v[i]; j++) {}
        if (j - i > best) best = j - i, n_best = 0;
        if (j - i == best) n_best++;
    }
    cs->mode_count = best;
    if (best < 2) return NR_OK;
    double *m = nr_malloc((size_t)n_best * sizeof *m);
    if (!m) return NR_NOMEM();
    for (int64_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && v[j] == v[i]; j++) {}
        if (j - i == best) m[cs->n_modes++] = v[i];
    }
    cs->modes = m;
    return NR_OK;
}

/* The rows of x beyond the fences: mild between the 1.5 and 3 IQR
 * fences, extreme beyond the 3 IQR ones. */
static nr_status outliers(const double *x, int64_t n, nr_column_stats *cs) {
    cs->mild_lo = cs->q1 - 1.5 * cs->iqr, cs->mild_hi = cs->q3 + 1.5 * cs->iqr;
    cs->extreme_lo = cs->q1 - 3 * cs->iqr, cs->extreme_hi = cs->q3 + 3 * cs->iqr;
    int64_t n_mild = 0, n_ext = 0;
    for (int64_t r = 0; r < n; r++) {
        if (isnan(x[r])) continue;
        n_ext += x[r] < cs->extreme_lo || x[r] > cs->extreme_hi;
        n_mild += x[r] < cs->mild_lo || x[r] > cs->mild_hi;
    }
    n_mild -= n_ext;
    nr_outlier *mild = nr_malloc(((size_t)n_mild + 1) * sizeof *mild);
    nr_outlier *ext = nr_malloc(((size_t)n_ext + 1) * sizeof *ext);
    cs->mild = mild, cs->extreme = ext;
    if (!mild || !ext) return NR_NOMEM();
    for (int64_t r = 0; r < n; r++) {
        if (isnan(x[r])) continue;
        nr_outlier o = {r, x[r]};
        if (x[r] < cs->extreme_lo || x[r] > cs->extreme_hi) ext[cs->n_extreme++] = o;
        else if (x[r] < cs->mild_lo || x[r] > cs->mild_hi) mild[cs->n_mild++] = o;
    }
    return NR_OK;
}

static nr_status order_stats(const double *x, int64_t n, const double *v, int64_t k, const double *pcts, int n_pcts,
                             nr_quantile_method m, nr_column_stats *cs) {
    cs->min = v[0], cs->max = v[k - 1];
    cs->range = cs->max - cs->min;
    cs->midrange = (cs->min + cs->max) / 2;
    cs->median = nr_quantile_sorted(v, k, 0.5, NR_QUANTILE_LINEAR);
    cs->q1 = nr_quantile_sorted(v, k, 0.25, m);
    cs->q2 = nr_quantile_sorted(v, k, 0.5, m);
    cs->q3 = nr_quantile_sorted(v, k, 0.75, m);
    cs->iqr = cs->q3 - cs->q1;
    double *p = (double *)cs->percentiles;
    for (int i = 0; i < n_pcts; i++) p[i] = nr_quantile_sorted(v, k, pcts[i] / 100, m);
    NR_TRY(modes(v, k, cs));
    return outliers(x, n, cs);
}

nr_status nr_stats_numeric(const double *x, int64_t n, const double *pcts, int n_pcts, nr_quantile_method m,
                           nr_column_stats *cs) {
    double *p = nr_malloc(((size_t)n_pcts + 1) * sizeof *p);
    double *v = nr_malloc(((size_t)n + 1) * sizeof *v);
    cs->percentiles = p;
    if (!p || !v) {
        nr_free(v);
        return NR_NOMEM();
    }
    int64_t k = 0;
    for (int64_t r = 0; r < n; r++)
        if (!isnan(x[r])) v[k++] = x[r];
    cs->count = k, cs->missing = n - k;
    for (int i = 0; i < n_pcts; i++) p[i] = NAN;
    nr_status s = NR_OK;
    if (k > 0) {
        moments(v, k, cs);
        qsort(v, (size_t)k, sizeof *v, cmp_double);
        s = order_stats(x, n, v, k, pcts, n_pcts, m, cs);
    }
    nr_free(v);
    return s;
}

void nr_stats_column_free(nr_column_stats *cs) {
    nr_free((void *)cs->percentiles);
    nr_free((void *)cs->modes);
    nr_free((void *)cs->mild);
    nr_free((void *)cs->extreme);
    for (int64_t i = 0; cs->values && i < cs->n_values; i++) nr_free((void *)cs->values[i].value);
    nr_free((void *)cs->values);
}
