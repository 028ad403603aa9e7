/* neurona: descriptive statistics of a table, the figures people look at
 * before training: per numeric column count, missing, mean, median, modes,
 * midrange, min, max, range, variances and standard deviations, quartiles
 * and percentiles by any of NumPy's methods, IQR and outliers with their
 * rows; per text column the distinct values with their frequencies and
 * the modes; over the numeric columns the Pearson correlation and the
 * covariance matrices with the correlated pairs named.
 *
 * The numbers are NumPy's and pandas': np.percentile(x, p, method=...),
 * np.var/np.std (population, ddof 0) and pandas' Series.var/.std (sample,
 * ddof 1), DataFrame.corr() and DataFrame.cov() (pairwise-complete: each
 * pair of columns uses the rows where both are present). All in double
 * precision. Missing cells (see data.h) are left out of every figure and
 * counted. */
#ifndef NEURONA_STATS_H
#define NEURONA_STATS_H

#include <stdint.h>
#include "data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------- quantiles ---
 * NumPy's methods (numpy.quantile, NumPy >= 1.22), after Hyndman and Fan.
 * With n sorted values and q in [0, 1]:
 *   linear       index (n-1)q, interpolated (NumPy's default; H&F 7)
 *   lower/higher/nearest/midpoint   the neighbours of (n-1)q: the lower,
 *                the higher, the nearer (ties to the even index), their mean
 *   inverted_cdf (H&F 1), averaged_inverted_cdf (2), closest_observation (3),
 *   interpolated_inverted_cdf (4), hazen (5), weibull (6),
 *   median_unbiased (8), normal_unbiased (9). */
typedef enum nr_quantile_method {
    NR_QUANTILE_LINEAR = 0,
    NR_QUANTILE_LOWER,
    NR_QUANTILE_HIGHER,
    NR_QUANTILE_NEAREST,
    NR_QUANTILE_MIDPOINT,
    NR_QUANTILE_INVERTED_CDF,
    NR_QUANTILE_AVERAGED_INVERTED_CDF,
    NR_QUANTILE_CLOSEST_OBSERVATION,
    NR_QUANTILE_INTERPOLATED_INVERTED_CDF,
    NR_QUANTILE_HAZEN,
    NR_QUANTILE_WEIBULL,
    NR_QUANTILE_MEDIAN_UNBIASED,
    NR_QUANTILE_NORMAL_UNBIASED,
    NR_QUANTILE_COUNT_
} nr_quantile_method;

/* NumPy's name of a method ("linear"); NULL when out of range. */
const char *nr_quantile_method_name(nr_quantile_method m);
/* The method NumPy calls name. NR_STATUS_BAD_ARGUMENT listing the valid
 * names otherwise. */
nr_status nr_quantile_method_parse(const char *name, nr_quantile_method *out);

/* The q-quantile (q in [0, 1]) of n values sorted ascending, without
 * NaNs; NaN when n is 0. */
double nr_quantile_sorted(const double *sorted, int64_t n, double q, nr_quantile_method m);

/* ---------------------------------------------------------- describe ---
 * nr_describe_csv computes the figures of the chosen columns of a table.
 * A column with no value present (empty, or all missing) has count 0 and
 * NaN figures. A value's "mode" is a most frequent value; a column whose
 * values all occur once has no mode (n_modes 0). Outliers use the
 * quartiles of the chosen method: mild ones lie beyond 1.5 IQR from the
 * quartiles but within 3 IQR, extreme ones beyond 3 IQR. */

typedef struct nr_describe nr_describe;

typedef struct nr_describe_opts {
    const char *const *columns;   /* names of the columns to describe; NULL: all */
    int n_columns;
    const double *percentiles;    /* extra percentiles in [0, 100], beside the quartiles */
    int n_percentiles;
    nr_quantile_method method;    /* 0: linear */
} nr_describe_opts;

/* An outlier: its 0-based data row (the header is not a row) and value. */
typedef struct nr_outlier {
    int64_t row;
    double value;
} nr_outlier;

/* A distinct value of a text column and how often it occurs. */
typedef struct nr_text_count {
    const char *value;
    int64_t count;
} nr_text_count;

/* The figures of one column. Read only; every pointer is borrowed and
 * valid until nr_describe_free. */
typedef struct nr_column_stats {
    const char *name;
    int col;                      /* its index in the table */
    nr_csv_type type;
    int64_t count, missing;       /* values present, cells missing */
    /* Numeric columns (NaN for text ones). var and std are the sample
     * figures (ddof 1, pandas' default), var_pop and std_pop ddof 0. */
    double mean, median, midrange, min, max, range;
    double var, std, var_pop, std_pop;
    double q1, q2, q3, iqr;
    const double *percentiles;    /* the opts' percentiles, in their order */
    const double *modes;          /* ascending */
    int64_t n_modes, mode_count;  /* mode_count: how often each mode occurs */
    double mild_lo, mild_hi;      /* q1 - 1.5 iqr, q3 + 1.5 iqr */
    double extreme_lo, extreme_hi;/* q1 - 3 iqr, q3 + 3 iqr */
    const nr_outlier *mild, *extreme;   /* in row order */
    int64_t n_mild, n_extreme;
    /* Text columns: the distinct values by descending count, ties in
     * strcmp order; the first n_text_modes of them are the modes. */
    const nr_text_count *values;
    int64_t n_values, n_text_modes;
} nr_column_stats;

/* A pair of numeric columns (indices into the described columns, a < b)
 * and their correlation. */
typedef struct nr_corr_pair {
    int a, b;
    double r;
} nr_corr_pair;

/* opts may be NULL (every column, no extra percentile, linear). Errors:
 * NR_STATUS_BAD_ARGUMENT for an unknown column (naming the valid ones), a
 * column named twice, a percentile outside [0, 100] or a bad method. The
 * table is borrowed; *out holds copies of everything it shows. Caller
 * frees *out with nr_describe_free. */
nr_status nr_describe_csv(const nr_csv *csv, const nr_describe_opts *opts, nr_describe **out);
void nr_describe_free(nr_describe *d);   /* NULL is a no-op */

int nr_describe_num_columns(const nr_describe *d);
/* Column i of the described ones (0 <= i < nr_describe_num_columns),
 * borrowed; NULL when i is out of range. */
const nr_column_stats *nr_describe_column(const nr_describe *d, int i);
/* The percentiles asked for (their count is the opts' n_percentiles). */
int nr_describe_num_percentiles(const nr_describe *d);
const double *nr_describe_percentiles(const nr_describe *d);
nr_quantile_method nr_describe_method(const nr_describe *d);

/* The numeric columns among the described ones: *k of them, their
 * indices into the described columns in idx (borrowed). */
const int *nr_describe_numeric(const nr_describe *d, int *k);
/* k x k row-major matrices over the numeric columns, in that order
 * (borrowed): pandas' DataFrame.corr() and DataFrame.cov(); NaN where a
 * pair has fewer than 2 rows in common or a column is constant. */
const double *nr_describe_corr(const nr_describe *d);
const double *nr_describe_cov(const nr_describe *d);
/* The pairs with |r| >= 0.5, strongest first (ties in column order):
 * strongly correlated when |r| >= 0.8, weakly below. Borrowed. */
const nr_corr_pair *nr_describe_pairs(const nr_describe *d, int *n);

#define NR_CORR_STRONG 0.8
#define NR_CORR_WEAK 0.5

#ifdef __cplusplus
}
#endif

#endif
