/* Normalization fitted on training data: scikit-learn's MinMaxScaler
 * (x * scale + min_, scale = (B - A) / (max - min)) and StandardScaler
 * ((x - mean) / std, population std, near-constant columns left at scale
 * 1 as _is_constant_feature decides), or the sample std on request.
 * Missing values are skipped when fitting and stay missing. */
#include <float.h>
#include <math.h>
#include "core/fmt.h"
#include "core/npsum.h"
#include "prep/prep_internal.h"

static nr_status numeric_col(const prep_step *s, const nr_frame *f, int *col) {
    NR_TRY(prep_col(s, f, s->col, col));
    const nr_frame_col *c = &f->cols[*col];
    for (int64_t r = 0; c->text && r < f->nrows; r++)
        if (c->text[r])
            return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "%s:%lld: column '%s' holds the text '%s' where normalize "
                             "needs a number", f->source, (long long)f->lines[r], c->name, c->text[r]);
    if (c->text) return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' has no numbers", c->name);
    return NR_OK;
}

/* Mean and variance (ddof) of the non-missing values, NumPy's sums. */
static nr_status moments(const prep_step *s, const double *x, int64_t n, int ddof, double *mean, double *var,
                         int64_t *count) {
    double *t = nr_malloc((size_t)(n + 1) * sizeof *t);
    if (!t) return NR_NOMEM();
    int64_t m = 0;
    for (int64_t r = 0; r < n; r++)
        if (!isnan(x[r])) t[m++] = x[r];
    *count = m;
    *mean = nr_np_sum(t, m) / (double)m;
    for (int64_t i = 0; i < m; i++) t[i] = (t[i] - *mean) * (t[i] - *mean);
    *var = m > ddof ? nr_np_sum(t, m) / (double)(m - ddof) : NAN;
    nr_free(t);
    if (!m || isnan(*var)) return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' has too few values", s->col);
    return NR_OK;
}

static nr_status fit(prep_step *s, const double *x, int64_t n) {
    if (s->how != NORM_MINMAX) {
        double var = 0;
        int64_t m = 0;
        NR_TRY(moments(s, x, n, s->how == NORM_ZSCORE_SAMPLE, &s->a, &var, &m));
        double bound = (double)m * DBL_EPSILON * var + ((double)m * s->a * DBL_EPSILON) * ((double)m * s->a * DBL_EPSILON);
        s->b = var <= bound ? 1 : sqrt(var);
        return NR_OK;
    }
    s->a = INFINITY, s->b = -INFINITY;
    for (int64_t r = 0; r < n; r++)
        if (!isnan(x[r])) s->a = x[r] < s->a ? x[r] : s->a, s->b = x[r] > s->b ? x[r] : s->b;
    if (s->a > s->b) return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' has no values", s->col);
    return NR_OK;
}

nr_status prep_apply_normalize(const prep_step *s, nr_frame *f) {
    int col;
    NR_TRY(numeric_col(s, f, &col));
    double *x = f->cols[col].num;
    if (s->how != NORM_MINMAX) {
        for (int64_t r = 0; r < f->nrows; r++) x[r] = (x[r] - s->a) / s->b;
        return NR_OK;
    }
    double range = s->b - s->a == 0 ? 1 : s->b - s->a;
    double scale = (s->hi - s->lo) / range, min = s->lo - s->a * scale;
    for (int64_t r = 0; r < f->nrows; r++) x[r] = x[r] * scale + min;
    return NR_OK;
}

nr_status prep_fit_normalize(prep_step *s, nr_frame *f, FILE *report) {
    int col;
    char a[NR_FMT_SIZE], b[NR_FMT_SIZE];
    NR_TRY(numeric_col(s, f, &col));
    NR_TRY(fit(s, f->cols[col].num, f->nrows));
    NR_TRY(prep_apply_normalize(s, f));
    if (!report) return NR_OK;
    if (s->how == NORM_MINMAX)
        fprintf(report, "normalize %s: min-max, [%s, %s] to [%g, %g]\n", s->col, nr_fmt_shortest(a, s->a),
                nr_fmt_shortest(b, s->b), s->lo, s->hi);
    else
        fprintf(report, "normalize %s: z-score, mean %s, %s std %s\n", s->col, nr_fmt_shortest(a, s->a),
                s->how == NORM_ZSCORE ? "population" : "sample", nr_fmt_shortest(b, s->b));
    return NR_OK;
}
