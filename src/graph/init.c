/* Weight initializers with Keras's formulas (VarianceScaling family,
 * truncated normal at two standard deviations, orthogonal by QR). The
 * random stream is neurona's own (seeded splitmix64), so values match Keras
 * in distribution, not bit for bit. */
#include <math.h>
#include <string.h>
#include "core/rng.h"
#include "graph/graph.h"

static const char *const init_names[NR_INIT_COUNT_] = {
    [NR_INIT_DEFAULT] = "default", [NR_INIT_ZEROS] = "zeros", [NR_INIT_ONES] = "ones",
    [NR_INIT_CONSTANT] = "constant", [NR_INIT_RANDOM_NORMAL] = "random_normal",
    [NR_INIT_RANDOM_UNIFORM] = "random_uniform", [NR_INIT_TRUNCATED_NORMAL] = "truncated_normal",
    [NR_INIT_GLOROT_UNIFORM] = "glorot_uniform", [NR_INIT_GLOROT_NORMAL] = "glorot_normal",
    [NR_INIT_HE_UNIFORM] = "he_uniform", [NR_INIT_HE_NORMAL] = "he_normal",
    [NR_INIT_LECUN_UNIFORM] = "lecun_uniform", [NR_INIT_LECUN_NORMAL] = "lecun_normal",
    [NR_INIT_ORTHOGONAL] = "orthogonal",
};

const char *nr_init_name(nr_init_kind k) {
    return (unsigned)k < NR_INIT_COUNT_ ? init_names[k] : "unknown";
}

/* Accepts snake_case ("he_normal") and class names ("HeNormal"). */
nr_status nr_init_parse(const char *name, nr_init_kind *out) {
    char norm[64];
    size_t k = 0;
    for (size_t i = 0; name[i] && k + 2 < sizeof norm; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z') {
            if (i > 0 && name[i - 1] != '_') norm[k++] = '_';
            c = (char)(c - 'A' + 'a');
        }
        norm[k++] = c;
    }
    norm[k] = 0;
    for (int i = 1; i < NR_INIT_COUNT_; i++)
        if (strcmp(norm, init_names[i]) == 0) { *out = (nr_init_kind)i; return NR_OK; }
    return nr_error(NR_STATUS_BAD_ARGUMENT,
                    "unknown initializer \"%s\"; valid: zeros, ones, constant, random_normal, random_uniform, "
                    "truncated_normal, glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, "
                    "lecun_normal, orthogonal", name);
}

/* Keras's compute_fans: kernels (..., in, out) with a receptive field. */
static void fans(int ndim, const int64_t *shape, double *fan_in, double *fan_out) {
    if (ndim == 0) { *fan_in = *fan_out = 1; return; }
    if (ndim == 1) { *fan_in = *fan_out = (double)shape[0]; return; }
    double receptive = 1;
    for (int i = 0; i < ndim - 2; i++) receptive *= (double)shape[i];
    *fan_in = (double)shape[ndim - 2] * receptive;
    *fan_out = (double)shape[ndim - 1] * receptive;
}

static double truncated(nr_rng *r) {
    for (;;) {
        double v = nr_rng_normal(r);
        if (fabs(v) <= 2.0) return v;
    }
}

/* Columns of a (rows x cols) matrix made orthonormal by modified
 * Gram-Schmidt, which equals QR with R's diagonal made positive. */
static void orthonormalize(double *a, int64_t rows, int64_t cols) {
    for (int64_t j = 0; j < cols; j++) {
        for (int64_t k = 0; k < j; k++) {
            double d = 0;
            for (int64_t i = 0; i < rows; i++) d += a[i * cols + j] * a[i * cols + k];
            for (int64_t i = 0; i < rows; i++) a[i * cols + j] -= d * a[i * cols + k];
        }
        double norm = 0;
        for (int64_t i = 0; i < rows; i++) norm += a[i * cols + j] * a[i * cols + j];
        norm = sqrt(norm);
        for (int64_t i = 0; i < rows; i++) a[i * cols + j] = norm > 0 ? a[i * cols + j] / norm : 0;
    }
}

static nr_status orthogonal(float *w, int ndim, const int64_t *shape, double gain, nr_rng *r) {
    if (ndim < 2) return nr_error(NR_STATUS_BAD_SHAPE, "orthogonal initializer needs at least 2 dimensions");
    int64_t cols = shape[ndim - 1], rows = 1;
    for (int i = 0; i < ndim - 1; i++) rows *= shape[i];
    int tall = rows >= cols;
    int64_t R = tall ? rows : cols, C = tall ? cols : rows;
    double *a = nr_malloc((size_t)(R * C) * sizeof(double));
    if (!a) return NR_NOMEM();
    for (int64_t i = 0; i < R * C; i++) a[i] = nr_rng_normal(r);
    orthonormalize(a, R, C);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++)
            w[i * cols + j] = (float)(gain * (tall ? a[i * C + j] : a[j * C + i]));
    nr_free(a);
    return NR_OK;
}

nr_status nr_init_fill(float *w, int ndim, const int64_t *shape, const nr_init *init,
                       nr_init_kind default_kind, uint64_t seed) {
    nr_init z = {0};
    if (!init) init = &z;
    nr_init_kind kind = init->kind ? init->kind : default_kind;
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    nr_rng r = {seed};
    double fi, fo;
    fans(ndim, shape, &fi, &fo);
    double stddev = init->stddev ? init->stddev : 0.05;
    double lo = init->minval || init->maxval ? init->minval : -0.05;
    double hi = init->minval || init->maxval ? init->maxval : 0.05;
    double scale = 0, fan = 1;
    int uniform = 0;
    switch (kind) {
    case NR_INIT_ZEROS: memset(w, 0, (size_t)n * sizeof *w); return NR_OK;
    case NR_INIT_ONES: for (int64_t i = 0; i < n; i++) w[i] = 1; return NR_OK;
    case NR_INIT_CONSTANT: for (int64_t i = 0; i < n; i++) w[i] = init->value; return NR_OK;
    case NR_INIT_RANDOM_NORMAL:
        for (int64_t i = 0; i < n; i++) w[i] = (float)(init->mean + stddev * nr_rng_normal(&r));
        return NR_OK;
    case NR_INIT_RANDOM_UNIFORM:
        for (int64_t i = 0; i < n; i++) w[i] = (float)(lo + (hi - lo) * nr_rng_uniform(&r));
        return NR_OK;
    case NR_INIT_TRUNCATED_NORMAL:
        for (int64_t i = 0; i < n; i++) w[i] = (float)(init->mean + stddev * truncated(&r));
        return NR_OK;
    case NR_INIT_ORTHOGONAL: return orthogonal(w, ndim, shape, init->gain ? init->gain : 1.0, &r);
    case NR_INIT_GLOROT_UNIFORM: uniform = 1; /* fall through */
    case NR_INIT_GLOROT_NORMAL: scale = 1; fan = (fi + fo) / 2; break;
    case NR_INIT_HE_UNIFORM: uniform = 1; /* fall through */
    case NR_INIT_HE_NORMAL: scale = 2; fan = fi; break;
    case NR_INIT_LECUN_UNIFORM: uniform = 1; /* fall through */
    case NR_INIT_LECUN_NORMAL: scale = 1; fan = fi; break;
    default: return nr_error(NR_STATUS_BAD_ARGUMENT, "initializer kind %d is not valid", (int)kind);
    }
    if (fan < 1) fan = 1;
    if (uniform) {
        double limit = sqrt(3.0 * scale / fan);
        for (int64_t i = 0; i < n; i++) w[i] = (float)(limit * (2.0 * nr_rng_uniform(&r) - 1.0));
    } else {
        /* 0.879...: stddev of a standard normal truncated at +-2. */
        double sd = sqrt(scale / fan) / 0.87962566103423978;
        for (int64_t i = 0; i < n; i++) w[i] = (float)(sd * truncated(&r));
    }
    return NR_OK;
}
