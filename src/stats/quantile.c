/* Quantiles of sorted values by NumPy's thirteen methods, computed the way
 * numpy.lib.function_base._quantile does (NumPy 1.22+): a "virtual index"
 * into the sorted values, then either the value at an integer index or an
 * interpolation between the two neighbours with NumPy's own lerp. */
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "core/suggest.h"
#include "neurona/stats.h"

static const char *const names[NR_QUANTILE_COUNT_] = {
    "linear", "lower", "higher", "nearest", "midpoint", "inverted_cdf", "averaged_inverted_cdf",
    "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased", "normal_unbiased",
};

const char *nr_quantile_method_name(nr_quantile_method m) {
    return (unsigned)m < NR_QUANTILE_COUNT_ ? names[m] : NULL;
}

nr_status nr_quantile_method_parse(const char *name, nr_quantile_method *out) {
    for (int m = 0; m < NR_QUANTILE_COUNT_; m++)
        if (name && strcmp(name, names[m]) == 0) {
            *out = (nr_quantile_method)m;
            return NR_OK;
        }
    char hint[512];
    nr_suggest(name ? name : "", names, NR_QUANTILE_COUNT_, hint, sizeof hint);
    return nr_error(NR_STATUS_BAD_ARGUMENT, "unknown percentile method '%s'; %s", name ? name : "(null)", hint);
}

/* NumPy's _lerp: from the nearer end, so t = 1 gives b exactly. */
static double lerp(double a, double b, double t) {
    double d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

static double at(const double *v, int64_t n, double i) {
    int64_t k = (int64_t)i;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* H&F 1 and 3: a step function; the lower index where the fraction is 0
 * (for closest_observation: and the index is even), else the next. */
static double discrete(const double *v, int64_t n, double index, int even_rule) {
    double prev = floor(index), gamma = index - prev;
    int take_prev = gamma == 0 && (!even_rule || fmod(prev, 2) == 0);
    return at(v, n, take_prev ? prev : prev + 1);
}

/* The virtual index n q + alpha + q (1 - alpha - beta) - 1 of the
 * continuous methods (H&F 4 to 9). */
static double hf_index(int64_t n, double q, double alpha, double beta) {
    return (double)n * q + (alpha + q * (1 - alpha - beta)) - 1;
}

/* Interpolates at a virtual index: out of range indices take the end
 * values; gamma is the fraction unless the method fixes it. */
static double interpolate(const double *v, int64_t n, double index, nr_quantile_method m) {
    double prev = floor(index);
    if (index >= (double)(n - 1)) return v[n - 1];
    if (index < 0) return v[0];
    double gamma = index - prev;
    if (m == NR_QUANTILE_MIDPOINT) gamma = fmod(index, 1) == 0 ? 0 : 0.5;
    if (m == NR_QUANTILE_AVERAGED_INVERTED_CDF) gamma = gamma == 0 ? 0.5 : 1;
    return lerp(v[(int64_t)prev], v[(int64_t)prev + 1], gamma);
}

double nr_quantile_sorted(const double *v, int64_t n, double q, nr_quantile_method m) {
    if (n <= 0) return NAN;
    double nq = (double)n * q, lin = (double)(n - 1) * q;
    switch (m) {
    case NR_QUANTILE_LOWER: return at(v, n, floor(lin));
    case NR_QUANTILE_HIGHER: return at(v, n, ceil(lin));
    case NR_QUANTILE_NEAREST: return at(v, n, nearbyint(lin));   /* half to even, like np.around */
    case NR_QUANTILE_MIDPOINT: return interpolate(v, n, 0.5 * (floor(lin) + ceil(lin)), m);
    case NR_QUANTILE_INVERTED_CDF: return discrete(v, n, nq - 1, 0);
    case NR_QUANTILE_AVERAGED_INVERTED_CDF: return interpolate(v, n, nq - 1, m);
    case NR_QUANTILE_CLOSEST_OBSERVATION: return discrete(v, n, nq - 1 - 0.5, 1);
    case NR_QUANTILE_INTERPOLATED_INVERTED_CDF: return interpolate(v, n, hf_index(n, q, 0, 1), m);
    case NR_QUANTILE_HAZEN: return interpolate(v, n, hf_index(n, q, 0.5, 0.5), m);
    case NR_QUANTILE_WEIBULL: return interpolate(v, n, hf_index(n, q, 0, 0), m);
    case NR_QUANTILE_MEDIAN_UNBIASED: return interpolate(v, n, hf_index(n, q, 1.0 / 3, 1.0 / 3), m);
    case NR_QUANTILE_NORMAL_UNBIASED: return interpolate(v, n, hf_index(n, q, 3.0 / 8, 3.0 / 8), m);
    default: return interpolate(v, n, lin, NR_QUANTILE_LINEAR);
    }
}
