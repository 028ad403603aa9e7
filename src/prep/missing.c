/* Missing values: rows dropped (pandas dropna) or cells filled with a
 * statistic of the training data (pandas fillna with mean(), median(),
 * mode()[0], a constant, or the group statistic of the row's class). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/fmt.h"
#include "core/npsum.h"
#include "prep/prep_internal.h"

/* ----------------------------------------------------------- dropping --- */

static nr_status drop_rows(const prep_step *s, nr_frame *f, int fitting, int64_t *dropped) {
    int *cols = nr_malloc((size_t)(f->ncols + 1) * sizeof *cols), n = 0;
    char *keep = nr_malloc((size_t)(f->nrows + 1));
    nr_status st = cols && keep ? NR_OK : NR_NOMEM();
    for (int i = 0; st == NR_OK && i < s->cols.n; i++) {
        int c = nr_frame_col_find(f, s->cols.s[i]);
        if (c >= 0) cols[n++] = c;
        else if (fitting) st = prep_col(s, f, s->cols.s[i], &c);   /* when applying, only the target may be absent */
    }
    if (!s->cols.n)
        for (int c = 0; c < f->ncols; c++) cols[n++] = c;
    *dropped = 0;
    for (int64_t r = 0; st == NR_OK && r < f->nrows; r++) {
        keep[r] = 1;
        for (int i = 0; i < n && keep[r]; i++) keep[r] = !nr_frame_is_missing(f, r, cols[i]);
        *dropped += !keep[r];
    }
    if (st == NR_OK) nr_frame_keep_rows(f, keep);
    nr_free(cols);
    nr_free(keep);
    return st;
}

/* ------------------------------------------------------------ filling --- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The statistic of the non-missing values v[0..n) (sorted in place for
 * the median and mode); NaN when there are none. */
static double numeric_stat(fill_how how, double *v, int64_t n, double *tmp) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        tmp[i] = isnan(v[i]) ? 0 : v[i];   /* pandas' nanmean sums with zeros in the gaps */
        if (!isnan(v[i])) v[m++] = v[i];
    }
    if (!m) return NAN;
    if (how == FILL_MEAN) return nr_np_sum(tmp, n) / (double)m;
    qsort(v, (size_t)m, sizeof *v, cmp_double);
    if (how == FILL_MEDIAN) return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
    double best = v[0];
    for (int64_t i = 0, run = 0, best_run = 0; i < m; i++) {
        run = i && v[i] == v[i - 1] ? run + 1 : 1;
        if (run > best_run) best_run = run, best = v[i];
    }
    return best;
}

/* pandas' mode()[0] of a text column: the smallest of the most frequent. */
static const char *text_mode(char **v, int64_t n) {
    qsort(v, (size_t)n, sizeof *v, cmp_str);
    const char *best = n ? v[0] : NULL;
    for (int64_t i = 0, run = 0, best_run = 0; i < n; i++) {
        run = i && strcmp(v[i], v[i - 1]) == 0 ? run + 1 : 1;
        if (run > best_run) best_run = run, best = v[i];
    }
    return best;
}

static nr_status fit_text(prep_step *s, const nr_frame *f, int col) {
    const nr_frame_col *c = &f->cols[col];
    if (s->how == FILL_VALUE) return NR_OK;
    if (s->how != FILL_MODE)
        return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' holds text; a text column is filled with its mode "
                         "or a value", c->name);
    char **v = nr_malloc((size_t)(f->nrows + 1) * sizeof *v);
    if (!v) return NR_NOMEM();
    int64_t n = 0;
    for (int64_t r = 0; r < f->nrows; r++)
        if (c->text[r]) v[n++] = c->text[r];
    const char *mode = text_mode(v, n);
    nr_status st = mode ? NR_OK : prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' has no value to take the mode of",
                                            c->name);
    if (st == NR_OK) {
        nr_free(s->text);
        if (!(s->text = nr_strdup(mode))) st = NR_NOMEM();
    }
    nr_free(v);
    return st;
}

/* The statistic over the rows selected by rows (NULL: all). */
static double stat_of(const prep_step *s, const double *col, int64_t n, const char *rows, double *v, double *tmp) {
    int64_t m = 0;
    for (int64_t r = 0; r < n; r++)
        if (!rows || rows[r]) v[m++] = col[r];
    return numeric_stat(s->how, v, m, tmp);
}

/* Per class of column by: the class keys and their statistics. */
static nr_status fit_by_class(prep_step *s, const nr_frame *f, int col, double *v, double *tmp, char *rows) {
    int by;
    char buf[NR_FMT_SIZE], other[NR_FMT_SIZE];
    NR_TRY(prep_col(s, f, s->by, &by));
    for (int64_t r = 0; r < f->nrows; r++) {
        if (nr_frame_is_missing(f, r, by)) continue;
        const char *key = prep_key(f, r, by, buf);
        int known = 0;
        for (int i = 0; i < s->keys.n && !known; i++) known = strcmp(s->keys.s[i], key) == 0;
        if (!known) NR_TRY(prep_strs_add(&s->keys, key));
    }
    if (!(s->nums = nr_malloc((size_t)(s->keys.n + 1) * sizeof *s->nums))) return NR_NOMEM();
    for (int i = 0; i < s->keys.n; i++) {
        for (int64_t r = 0; r < f->nrows; r++)
            rows[r] = !nr_frame_is_missing(f, r, by) && strcmp(prep_key(f, r, by, other), s->keys.s[i]) == 0;
        s->nums[i] = stat_of(s, f->cols[col].num, f->nrows, rows, v, tmp);
    }
    return NR_OK;
}

static nr_status fit_numeric(prep_step *s, const nr_frame *f, int col) {
    if (s->how == FILL_VALUE) {
        char *end;
        s->value = strtod(s->text, &end);
        if (!*s->text || *end || !isfinite(s->value))
            return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' is numeric but '%s' is not a number",
                             f->cols[col].name, s->text);
        return NR_OK;
    }
    size_t n = (size_t)(f->nrows + 1);
    double *v = nr_malloc(2 * n * sizeof *v);
    char *rows = nr_malloc(n);
    nr_status st = v && rows ? NR_OK : NR_NOMEM();
    if (st == NR_OK) s->value = stat_of(s, f->cols[col].num, f->nrows, NULL, v, v + n);
    if (st == NR_OK && isnan(s->value))
        st = prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' has no value to fill from", f->cols[col].name);
    if (st == NR_OK && s->by) st = fit_by_class(s, f, col, v, v + n, rows);
    nr_free(v);
    nr_free(rows);
    return st;
}

/* The fill value of row r: its class's statistic, else the overall one. */
static double fill_value(const prep_step *s, const nr_frame *f, int64_t r, int by) {
    char buf[NR_FMT_SIZE];
    if (by < 0 || nr_frame_is_missing(f, r, by)) return s->value;
    const char *key = prep_key(f, r, by, buf);
    for (int i = 0; i < s->keys.n; i++)
        if (strcmp(s->keys.s[i], key) == 0) return isnan(s->nums[i]) ? s->value : s->nums[i];
    return s->value;
}

static nr_status fill(const prep_step *s, nr_frame *f, int col, int64_t *filled) {
    nr_frame_col *c = &f->cols[col];
    int by = s->by ? nr_frame_col_find(f, s->by) : -1;
    *filled = 0;
    if (c->text && !s->text)
        return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' holds text here but numbers when fitted", c->name);
    for (int64_t r = 0; r < f->nrows; r++) {
        if (!nr_frame_is_missing(f, r, col)) continue;
        ++*filled;
        if (c->num) c->num[r] = fill_value(s, f, r, by);
        else if (!(c->text[r] = nr_strdup(s->text))) return NR_NOMEM();
    }
    return NR_OK;
}

static void report_fill(const prep_step *s, const nr_frame *f, int64_t filled, FILE *report) {
    static const char *const how[4] = {"mean", "median", "mode", "value"};
    char buf[NR_FMT_SIZE];
    fprintf(report, "fill %s: %lld missing value%s filled with the %s", s->col, (long long)filled,
            filled == 1 ? "" : "s", how[s->how]);
    if (s->by) {
        fprintf(report, " of the row's class in '%s':", s->by);
        for (int i = 0; i < s->keys.n; i++) fprintf(report, " %s %s;", s->keys.s[i], nr_fmt_shortest(buf, s->nums[i]));
        fprintf(report, " otherwise");
    }
    int col = nr_frame_col_find(f, s->col);
    fprintf(report, " %s\n", f->cols[col].text ? s->text : nr_fmt_shortest(buf, s->value));
}

nr_status prep_fit_missing(prep_step *s, nr_frame *f, FILE *report) {
    int64_t n;
    if (s->kind == PREP_DROP) {
        NR_TRY(drop_rows(s, f, 1, &n));
        if (report) fprintf(report, "drop-missing: %lld row%s dropped, %lld left\n", (long long)n, n == 1 ? "" : "s",
                            (long long)f->nrows);
        return f->nrows ? NR_OK : prep_fail(s, NR_STATUS_BAD_ARGUMENT, "%s: every row has a missing value", f->source);
    }
    int col;
    NR_TRY(prep_col(s, f, s->col, &col));
    if (s->by && f->cols[col].text)
        return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' holds text; class means and medians need numbers",
                         s->col);
    NR_TRY(f->cols[col].text ? fit_text(s, f, col) : fit_numeric(s, f, col));
    NR_TRY(fill(s, f, col, &n));
    if (report) report_fill(s, f, n, report);
    return NR_OK;
}

nr_status prep_apply_missing(const prep_step *s, nr_frame *f) {
    int64_t n;
    if (s->kind == PREP_DROP) return drop_rows(s, f, 0, &n);
    int col;
    NR_TRY(prep_col(s, f, s->col, &col));
    return fill(s, f, col, &n);
}
