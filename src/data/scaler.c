/* Feature scalers. Both kinds are stored as one affine map per feature,
 * x' = (x - offset) * scale, so a model file saves two float arrays and
 * transform/inverse are the same two loops whatever the kind. Statistics
 * are accumulated in double: float sums over 10^5 rows lose digits. */
#include <float.h>
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "neurona/data.h"

struct nr_scaler {
    nr_scaler_kind kind;
    int64_t n;        /* features; 0 until fitted */
    float *offset;
    float *scale;
};

static const char *kind_name(nr_scaler_kind k) {
    return k == NR_SCALER_STANDARD ? "standard" : k == NR_SCALER_MINMAX ? "minmax" : "unknown";
}

static nr_status check_kind(nr_scaler_kind kind) {
    if (kind != NR_SCALER_STANDARD && kind != NR_SCALER_MINMAX)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "scaler: unknown kind %d (NR_SCALER_STANDARD or NR_SCALER_MINMAX)",
                        (int)kind);
    return NR_OK;
}

nr_status nr_scaler_new(nr_scaler_kind kind, nr_scaler **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_scaler_new: out is NULL");
    *out = NULL;
    NR_TRY(check_kind(kind));
    nr_scaler *s = nr_calloc(1, sizeof *s);
    if (!s) return NR_NOMEM();
    s->kind = kind;
    *out = s;
    return NR_OK;
}

void nr_scaler_free(nr_scaler *s) {
    if (!s) return;
    nr_free(s->offset);
    nr_free(s->scale);
    nr_free(s);
}

/* Replaces the parameters with fresh zeroed arrays of n features. */
static nr_status resize(nr_scaler *s, int64_t n) {
    if ((uint64_t)n > SIZE_MAX / sizeof(float)) return NR_NOMEM();
    float *o = nr_calloc((size_t)n, sizeof *o), *c = nr_calloc((size_t)n, sizeof *c);
    if (!o || !c) {
        nr_free(o);
        nr_free(c);
        return NR_NOMEM();
    }
    nr_free(s->offset);
    nr_free(s->scale);
    s->offset = o;
    s->scale = c;
    s->n = n;
    return NR_OK;
}

/* Two passes (mean, then squared deviations) for accuracy; ddof 0. */
static void fit_standard(const float *x, int64_t rows, int64_t j, int64_t f, float *offset, float *scale) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < rows; i++) mean += x[i * f + j];
    mean /= (double)rows;
    for (int64_t i = 0; i < rows; i++) {
        double d = x[i * f + j] - mean;
        var += d * d;
    }
    double sd = sqrt(var / (double)rows);
    *offset = (float)mean;
    /* As sklearn: a std at rounding-noise level is a constant feature. */
    *scale = sd == 0 || sd < 10 * DBL_EPSILON * fabs(mean) ? 1.0f : (float)(1.0 / sd);
}

static void fit_minmax(const float *x, int64_t rows, int64_t j, int64_t f, float *offset, float *scale) {
    double lo = x[j], hi = x[j];
    for (int64_t i = 1; i < rows; i++) {
        double v = x[i * f + j];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    *offset = (float)lo;
    *scale = hi > lo ? (float)(1.0 / (hi - lo)) : 1.0f;
}

static nr_status check_finite(const nr_tensor *x, int64_t f) {
    int64_t n = nr_tensor_numel(x);
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x->data[i]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "scaler fit: x[%lld][%lld] is %g; fill in missing values first",
                            (long long)(i / f), (long long)(i % f), (double)x->data[i]);
    return NR_OK;
}

nr_status nr_scaler_fit(nr_scaler *s, const nr_tensor *x) {
    if (!s || !x || x->ndim < 1 || x->shape[0] < 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "scaler fit: x needs at least one row");
    int64_t rows = x->shape[0], f = nr_tensor_row_size(x);
    if (f < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "scaler fit: x rows are empty");
    NR_TRY(check_finite(x, f));
    NR_TRY(resize(s, f));
    for (int64_t j = 0; j < f; j++) {
        if (s->kind == NR_SCALER_STANDARD) fit_standard(x->data, rows, j, f, &s->offset[j], &s->scale[j]);
        else fit_minmax(x->data, rows, j, f, &s->offset[j], &s->scale[j]);
    }
    return NR_OK;
}

static nr_status check_apply(const nr_scaler *s, const nr_tensor *x, const char *what) {
    if (!s || !x) return nr_error(NR_STATUS_BAD_ARGUMENT, "scaler %s: NULL argument", what);
    if (!s->n) return nr_error(NR_STATUS_STATE, "scaler %s: the %s scaler is not fitted", what, kind_name(s->kind));
    if (x->ndim < 1 || nr_tensor_row_size(x) != s->n) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "scaler %s: x %s has %lld features per row, the scaler was fitted on %lld",
                        what, nr_shape_str(buf, sizeof buf, x->ndim, x->shape),
                        x->ndim ? (long long)nr_tensor_row_size(x) : 1LL, (long long)s->n);
    }
    return NR_OK;
}

nr_status nr_scaler_transform(const nr_scaler *s, nr_tensor *x) {
    NR_TRY(check_apply(s, x, "transform"));
    int64_t rows = x->shape[0], f = s->n;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < f; j++) x->data[i * f + j] = (x->data[i * f + j] - s->offset[j]) * s->scale[j];
    return NR_OK;
}

nr_status nr_scaler_inverse(const nr_scaler *s, nr_tensor *x) {
    NR_TRY(check_apply(s, x, "inverse"));
    int64_t rows = x->shape[0], f = s->n;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < f; j++) x->data[i * f + j] = x->data[i * f + j] / s->scale[j] + s->offset[j];
    return NR_OK;
}

nr_scaler_kind nr_scaler_get_kind(const nr_scaler *s) { return s ? s->kind : (nr_scaler_kind)0; }
int64_t nr_scaler_size(const nr_scaler *s) { return s ? s->n : 0; }
const float *nr_scaler_offset(const nr_scaler *s) { return s ? s->offset : NULL; }
const float *nr_scaler_scale(const nr_scaler *s) { return s ? s->scale : NULL; }

nr_status nr_scaler_from_params(nr_scaler_kind kind, int64_t n, const float *offset, const float *scale,
                                nr_scaler **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_scaler_from_params: out is NULL");
    *out = NULL;
    NR_TRY(check_kind(kind));
    if (n < 1 || !offset || !scale)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_scaler_from_params: need n >= 1 (got %lld) and both arrays",
                        (long long)n);
    for (int64_t j = 0; j < n; j++)
        if (!isfinite(offset[j]) || !isfinite(scale[j]) || scale[j] == 0)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_scaler_from_params: feature %lld has offset %g, scale %g",
                            (long long)j, (double)offset[j], (double)scale[j]);
    nr_scaler *s = NULL;
    NR_TRY(nr_scaler_new(kind, &s));
    nr_status st = resize(s, n);
    if (st != NR_OK) {
        nr_scaler_free(s);
        return st;
    }
    memcpy(s->offset, offset, (size_t)n * sizeof *offset);
    memcpy(s->scale, scale, (size_t)n * sizeof *scale);
    *out = s;
    return NR_OK;
}
