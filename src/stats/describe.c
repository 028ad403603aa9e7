/* nr_describe_csv: picks the columns, fills each one's figures, then the
 * correlation and covariance matrices of the numeric ones and the pairs
 * that correlate; the accessors of the result. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/core.h"
#include "core/suggest.h"
#include "stats/stats_internal.h"

static nr_status unknown_column(const nr_csv *csv, const char *name) {
    int n = nr_csv_num_cols(csv);
    const char **names = nr_malloc(((size_t)n + 1) * sizeof *names);
    if (!names) return NR_NOMEM();
    char list[1024];
    size_t k = 0;
    list[0] = 0;
    for (int c = 0; c < n; c++) {
        names[c] = nr_csv_col_name(csv, c);
        if (k < sizeof list - 8) k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", c ? ", " : "", names[c]);
    }
    if (k >= sizeof list - 8) strcpy(list + sizeof list - 8, ", ...");
    char hint[256];
    nr_suggest(name, names, n, hint, sizeof hint);
    nr_free(names);
    int close = strncmp(hint, "did you mean", 12) == 0;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no column '%s'%s%s%s; the columns are %s", nr_csv_path(csv), name,
                    close ? " (" : "", close ? hint : "", close ? ")" : "", list);
}

/* The table's indices of the columns opts names (all when none). */
static nr_status pick_columns(const nr_csv *csv, const nr_describe_opts *o, nr_describe *d) {
    int all = !o->columns;
    d->n_cols = all ? nr_csv_num_cols(csv) : o->n_columns;
    d->cols = nr_calloc((size_t)d->n_cols + 1, sizeof *d->cols);
    if (!d->cols) return NR_NOMEM();
    for (int i = 0; i < d->n_cols; i++) {
        int c = all ? i : nr_csv_col_find(csv, o->columns[i]);
        if (c < 0) return unknown_column(csv, o->columns[i]);
        for (int j = 0; j < i; j++)
            if (d->cols[j].col == c)
                return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: column '%s' is named twice", nr_csv_path(csv),
                                nr_csv_col_name(csv, c));
        d->cols[i].col = c;
        d->cols[i].name = nr_csv_col_name(csv, c);
    }
    return NR_OK;
}

static nr_status check_opts(const nr_describe_opts *o) {
    if (o->n_columns < 0 || o->n_percentiles < 0 || (o->n_percentiles && !o->percentiles))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "describe: negative count or NULL percentiles");
    if (!nr_quantile_method_name(o->method))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "describe: unknown percentile method %d", (int)o->method);
    for (int i = 0; i < o->n_percentiles; i++)
        if (!(o->percentiles[i] >= 0 && o->percentiles[i] <= 100))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "describe: percentile %g is outside [0, 100]", o->percentiles[i]);
    return NR_OK;
}

static nr_status fill_column(const nr_csv *csv, nr_describe *d, nr_column_stats *cs, double *buf) {
    nr_stats_column_init(cs);
    cs->type = nr_csv_col_type(csv, cs->col);
    if (cs->type == NR_CSV_TYPE_TEXT) return nr_stats_text(csv, cs->col, cs);
    int64_t n = nr_csv_num_rows(csv);
    for (int64_t r = 0; r < n; r++) buf[r] = nr_csv_value(csv, r, cs->col);
    return nr_stats_numeric(buf, n, d->pcts, d->n_pcts, d->method, cs);
}

static int cmp_pair(const void *a, const void *b) {
    const nr_corr_pair *x = a, *y = b;
    if (fabs(x->r) != fabs(y->r)) return fabs(x->r) < fabs(y->r) ? 1 : -1;
    return x->a != y->a ? x->a - y->a : x->b - y->b;
}

/* The pairs with |r| >= NR_CORR_WEAK, strongest first. */
static nr_status find_pairs(nr_describe *d) {
    int k = d->n_num;
    d->pairs = nr_malloc(((size_t)k * (size_t)k / 2 + 1) * sizeof *d->pairs);
    if (!d->pairs) return NR_NOMEM();
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++) {
            double r = d->corr[i * k + j];
            if (fabs(r) >= NR_CORR_WEAK) d->pairs[d->n_pairs++] = (nr_corr_pair){d->num[i], d->num[j], r};
        }
    qsort(d->pairs, (size_t)d->n_pairs, sizeof *d->pairs, cmp_pair);
    return NR_OK;
}

static nr_status correlate(const nr_csv *csv, nr_describe *d) {
    int64_t n = nr_csv_num_rows(csv);
    size_t k = (size_t)d->n_num;
    double *vals = nr_malloc((k * (size_t)n + 1) * sizeof *vals);
    const double **cols = nr_malloc((k + 1) * sizeof *cols);
    d->corr = nr_malloc((k * k + 1) * sizeof *d->corr);
    d->cov = nr_malloc((k * k + 1) * sizeof *d->cov);
    nr_status s = vals && cols && d->corr && d->cov ? NR_OK : NR_NOMEM();
    for (size_t i = 0; s == NR_OK && i < k; i++) {
        cols[i] = vals + i * (size_t)n;
        for (int64_t r = 0; r < n; r++) vals[i * (size_t)n + (size_t)r] = nr_csv_value(csv, r, d->cols[d->num[i]].col);
    }
    if (s == NR_OK) nr_stats_corr_cov(cols, (int)k, n, d->corr, d->cov);
    nr_free(vals);
    nr_free(cols);
    return s == NR_OK ? find_pairs(d) : s;
}

static nr_status describe(const nr_csv *csv, const nr_describe_opts *o, nr_describe *d) {
    NR_TRY(pick_columns(csv, o, d));
    d->n_pcts = o->n_percentiles;
    d->method = o->method;
    d->pcts = nr_malloc(((size_t)d->n_pcts + 1) * sizeof *d->pcts);
    d->num = nr_malloc(((size_t)d->n_cols + 1) * sizeof *d->num);
    double *buf = nr_malloc(((size_t)nr_csv_num_rows(csv) + 1) * sizeof *buf);
    nr_status s = d->pcts && d->num && buf ? NR_OK : NR_NOMEM();
    if (s == NR_OK && d->n_pcts) memcpy(d->pcts, o->percentiles, (size_t)d->n_pcts * sizeof *d->pcts);
    for (int i = 0; s == NR_OK && i < d->n_cols; i++) {
        s = fill_column(csv, d, &d->cols[i], buf);
        if (d->cols[i].type == NR_CSV_TYPE_NUMERIC) d->num[d->n_num++] = i;
    }
    nr_free(buf);
    return s == NR_OK ? correlate(csv, d) : s;
}

nr_status nr_describe_csv(const nr_csv *csv, const nr_describe_opts *opts, nr_describe **out) {
    *out = NULL;
    nr_describe_opts o = opts ? *opts : (nr_describe_opts){0};
    NR_TRY(check_opts(&o));
    nr_describe *d = nr_calloc(1, sizeof *d);
    if (!d) return NR_NOMEM();
    nr_status s = describe(csv, &o, d);
    if (s != NR_OK) {
        nr_describe_free(d);
        return s;
    }
    *out = d;
    return NR_OK;
}

void nr_describe_free(nr_describe *d) {
    if (!d) return;
    for (int i = 0; d->cols && i < d->n_cols; i++) nr_stats_column_free(&d->cols[i]);
    nr_free(d->cols);
    nr_free(d->pcts);
    nr_free(d->num);
    nr_free(d->corr);
    nr_free(d->cov);
    nr_free(d->pairs);
    nr_free(d);
}

int nr_describe_num_columns(const nr_describe *d) { return d->n_cols; }

const nr_column_stats *nr_describe_column(const nr_describe *d, int i) {
    return i >= 0 && i < d->n_cols ? &d->cols[i] : NULL;
}

int nr_describe_num_percentiles(const nr_describe *d) { return d->n_pcts; }
const double *nr_describe_percentiles(const nr_describe *d) { return d->pcts; }
nr_quantile_method nr_describe_method(const nr_describe *d) { return d->method; }

const int *nr_describe_numeric(const nr_describe *d, int *k) {
    *k = d->n_num;
    return d->num;
}

const double *nr_describe_corr(const nr_describe *d) { return d->corr; }
const double *nr_describe_cov(const nr_describe *d) { return d->cov; }

const nr_corr_pair *nr_describe_pairs(const nr_describe *d, int *n) {
    *n = d->n_pairs;
    return d->pairs;
}
