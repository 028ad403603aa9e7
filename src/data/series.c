/* Time series tables: the selected numeric columns of a CSV file as
 * values (T, C), with the file's first column kept as step labels when it
 * is not one of them (dates, for forecasts written back as CSV), and the
 * per-column scaling fitted on the training steps. A series must have a
 * value at every step, so a missing or text cell in a selected column is
 * an error that names the file, line and column to fix. */
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "data/csv_internal.h"
#include "data/series_internal.h"

void nr_series_free(nr_series *s) {
    if (!s) return;
    if (s->names)
        for (int c = 0; c < s->ncols; c++) nr_free(s->names[c]);
    nr_free(s->names);
    nr_tensor_free(s->values);
    nr_free(s->label_name);
    nr_free(s->label_off);
    nr_free(s->labels);
    nr_free(s->source);
    nr_free(s);
}

/* An empty series of steps x n with its names copied. */
static nr_status series_alloc(const char *source, int64_t steps, int n, const char *const *names, nr_series **out) {
    nr_series *s = nr_calloc(1, sizeof *s);
    if (!s) return NR_NOMEM();
    *out = s;
    s->names = nr_calloc((size_t)n, sizeof *s->names);
    s->source = nr_strdup(source);
    if (!s->names || !s->source) return NR_NOMEM();
    s->ncols = n;
    for (int c = 0; c < n; c++)
        if (!(s->names[c] = nr_strdup(names[c]))) return NR_NOMEM();
    return nr_tensor_new(&s->values, 2, (int64_t[]){steps, n});
}

static nr_status check_names(const char *what, const char *const *names, int n) {
    if (n < 1 || !names) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no columns selected", what);
    for (int c = 0; c < n; c++) {
        if (!names[c]) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: column name %d is NULL", what, c);
        for (int d = 0; d < c; d++)
            if (strcmp(names[c], names[d]) == 0)
                return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: column '%s' is selected twice", what, names[c]);
    }
    return NR_OK;
}

nr_status nr_series_new(const float *values, int64_t steps, int n, const char *const *names, nr_series **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_series_new: out is NULL");
    *out = NULL;
    NR_TRY(check_names("nr_series_new", names, n));
    if (steps < 1 || !values) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_series_new: no steps (%lld)", (long long)steps);
    for (int64_t i = 0; i < steps * n; i++)
        if (!isfinite(values[i]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_series_new: value %g at step %lld, column '%s' is not finite",
                            (double)values[i], (long long)(i / n), names[i % n]);
    nr_series *s = NULL;
    nr_status st = series_alloc("<memory>", steps, n, names, &s);
    if (st != NR_OK) {
        nr_series_free(s);
        return st;
    }
    memcpy(s->values->data, values, (size_t)(steps * n) * sizeof *values);
    *out = s;
    return NR_OK;
}

/* ------------------------------------------------------------- CSV --- */

static nr_status unknown_column(const nr_csv *csv, const char *name) {
    char list[512];
    size_t k = 0;
    list[0] = 0;
    for (int c = 0; c < nr_csv_num_cols(csv) && k < sizeof list - 8; c++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s'%s'", c ? ", " : "", nr_csv_col_name(csv, c));
    if (k >= sizeof list - 8) strcpy(list + sizeof list - 8, ", ...");
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no column '%s'; columns are %s", nr_csv_path(csv), name, list);
}

/* The first missing or text cell of column col, as "FILE:LINE:COL: ...". */
static nr_status bad_cell(const nr_csv *csv, int col) {
    for (int64_t r = 0; r < csv->nrows; r++) {
        int missing = nr_csv_is_missing(csv, r, col);
        const char *t = nr_csv_text(csv, r, col);
        if (!missing && (!t || nr_csv_text_is_number(t))) continue;
        long long line = (long long)csv->lines[r], at = (long long)nr_csv_cell_col(csv, r, col);
        if (missing)
            return nr_error(NR_STATUS_PARSE, "%s:%lld:%lld: missing value in column '%s' (%lld missing in all); "
                            "a series needs a value at every step: fill them in", csv->path, line, at,
                            csv->names[col], (long long)csv->missing[col]);
        return nr_error(NR_STATUS_PARSE, "%s:%lld:%lld: column '%s' holds the text '%.60s%s'; series columns must "
                        "be numeric", csv->path, line, at, csv->names[col], t, strlen(t) > 60 ? "..." : "");
    }
    return nr_error(NR_STATUS_PARSE, "%s: column '%s' is not numeric", csv->path, csv->names[col]);
}

/* A text column holds a text cell (that made it text), so only numeric
 * columns without missing cells are copied. */
static nr_status copy_column(nr_series *s, const nr_csv *csv, int col, int dst) {
    if (csv->missing[col] || csv->types[col] == NR_CSV_TYPE_TEXT) return bad_cell(csv, col);
    float *v = s->values->data;
    for (int64_t r = 0; r < csv->nrows; r++) {
        double x = nr_csv_value(csv, r, col);
        v[r * s->ncols + dst] = (float)x;
        if (!isfinite(v[r * s->ncols + dst]))
            return nr_error(NR_STATUS_PARSE, "%s:%lld:%lld: value %g in column '%s' does not fit a float",
                            csv->path, (long long)csv->lines[r], (long long)nr_csv_cell_col(csv, r, col), x,
                            csv->names[col]);
    }
    return NR_OK;
}

/* Step r's label: the cell's text, or a number spelt in buf. */
static const char *label_text(const nr_csv *csv, int64_t r, char *buf, size_t size) {
    const char *t = nr_csv_text(csv, r, 0);
    if (t) return t;
    double v = nr_csv_value(csv, r, 0);
    if (isnan(v)) return "";
    snprintf(buf, size, "%.15g", v);
    return buf;
}

/* The text of every step's label, one arena with offsets. */
static nr_status copy_labels(nr_series *s, const nr_csv *csv) {
    int64_t n = csv->nrows;
    size_t size = 0;
    char num[32];
    for (int64_t r = 0; r < n; r++) size += strlen(label_text(csv, r, num, sizeof num)) + 1;
    s->label_name = nr_strdup(csv->names[0]);
    s->label_off = nr_malloc((size_t)n * sizeof *s->label_off);
    s->labels = nr_malloc(size);
    if (!s->label_name || !s->label_off || !s->labels) return NR_NOMEM();
    size_t k = 0;
    for (int64_t r = 0; r < n; r++) {
        const char *t = label_text(csv, r, num, sizeof num);
        size_t len = strlen(t) + 1;
        s->label_off[r] = (int64_t)k;
        memcpy(s->labels + k, t, len);
        k += len;
    }
    return NR_OK;
}

static nr_status fill_from_csv(nr_series *s, const nr_csv *csv, const int *cols) {
    int labelled = 1;
    for (int c = 0; c < s->ncols; c++) {
        NR_TRY(copy_column(s, csv, cols[c], c));
        labelled &= cols[c] != 0;
    }
    return labelled && csv->ncols > 1 ? copy_labels(s, csv) : NR_OK;
}

nr_status nr_series_from_csv(const nr_csv *csv, const char *const *columns, int n, nr_series **out) {
    if (!out || !csv) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_series_from_csv: csv or out is NULL");
    *out = NULL;
    NR_TRY(check_names(csv->path, columns, n));
    int *cols = nr_malloc((size_t)n * sizeof *cols);
    if (!cols) return NR_NOMEM();
    nr_status st = NR_OK;
    for (int c = 0; c < n && st == NR_OK; c++)
        if ((cols[c] = nr_csv_col_find(csv, columns[c])) < 0) st = unknown_column(csv, columns[c]);
    nr_series *s = NULL;
    if (st == NR_OK) st = series_alloc(csv->path, csv->nrows, n, columns, &s);
    if (st == NR_OK) st = fill_from_csv(s, csv, cols);
    nr_free(cols);
    if (st != NR_OK) {
        nr_series_free(s);
        return st;
    }
    *out = s;
    return NR_OK;
}

/* -------------------------------------------------------- accessors --- */

int64_t nr_series_length(const nr_series *s) { return s ? s->values->shape[0] : 0; }
int nr_series_num_columns(const nr_series *s) { return s ? s->ncols : 0; }
nr_tensor *nr_series_values(const nr_series *s) { return s ? s->values : NULL; }
const char *nr_series_label_name(const nr_series *s) { return s ? s->label_name : NULL; }
const char *nr_series_source(const nr_series *s) { return s ? s->source : NULL; }

const char *nr_series_column_name(const nr_series *s, int col) {
    return s && col >= 0 && col < s->ncols ? s->names[col] : NULL;
}

int nr_series_column_find(const nr_series *s, const char *name) {
    for (int c = 0; s && name && c < s->ncols; c++)
        if (strcmp(s->names[c], name) == 0) return c;
    return -1;
}

const char *nr_series_label(const nr_series *s, int64_t t) {
    if (!s || !s->labels || t < 0 || t >= s->values->shape[0]) return NULL;
    return s->labels + s->label_off[t];
}

/* ---------------------------------------------------------- scaling --- */

nr_status nr_series_fit_scaler(const nr_series *s, nr_scaler_kind kind, int64_t steps, nr_scaler **out) {
    *out = NULL;
    if (steps < 1 || steps > nr_series_length(s))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: cannot fit a scaler on %lld of %lld steps", s->source,
                        (long long)steps, (long long)nr_series_length(s));
    nr_tensor *head = NULL;
    NR_TRY(nr_tensor_wrap(&head, s->values->data, 2, (int64_t[]){steps, s->ncols}));
    nr_scaler *sc = NULL;
    nr_status st = nr_scaler_new(kind, &sc);
    if (st == NR_OK) st = nr_scaler_fit(sc, head);
    nr_tensor_free(head);
    if (st != NR_OK) {
        nr_scaler_free(sc);
        return st;
    }
    *out = sc;
    return NR_OK;
}

nr_status nr_series_scale(nr_series *s, const nr_scaler *sc) {
    if (nr_scaler_size(sc) != s->ncols)
        return nr_error(NR_STATUS_BAD_SHAPE, "%s: the scaler has %lld features, the series %d columns", s->source,
                        (long long)nr_scaler_size(sc), s->ncols);
    return nr_scaler_transform(sc, s->values);
}

nr_status nr_series_unscale(const nr_series *s, const nr_scaler *sc, const char *const *cols, int n, nr_tensor *t) {
    if (nr_scaler_size(sc) != s->ncols)
        return nr_error(NR_STATUS_BAD_SHAPE, "%s: the scaler has %lld features, the series %d columns", s->source,
                        (long long)nr_scaler_size(sc), s->ncols);
    int64_t numel = nr_tensor_numel(t);
    if (n < 1 || numel % n)
        return nr_error(NR_STATUS_BAD_SHAPE, "nr_series_unscale: %lld values are not runs of %d columns",
                        (long long)numel, n);
    const float *off = nr_scaler_offset(sc), *scale = nr_scaler_scale(sc);
    for (int k = 0; k < n; k++) {
        int c = nr_series_column_find(s, cols[k]);
        if (c < 0) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no column '%s' in the series", s->source, cols[k]);
        for (int64_t i = k; i < numel; i += n) t->data[i] = t->data[i] / scale[c] + off[c];
    }
    return NR_OK;
}
