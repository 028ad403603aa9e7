/* CSV table -> tensors: features x (N, F) from every numeric column but the
 * target, and the target as class indices (with their names) or as
 * regression values. Every user mistake (unknown target, text feature,
 * missing values) is reported with the file, line and column name, since
 * that is what the user has to go and fix. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "data/csv_internal.h"

#define MAX_KEPT_CLASS 65535   /* integer targets up to this are kept as is */

/* "4" and "-1" as a 0-based column index; 0 when s is not an integer. */
static int parse_index(const char *s, long *v) {
    char *end;
    if (!*s || (*s != '-' && (*s < '0' || *s > '9'))) return 0;
    errno = 0;
    *v = strtol(s, &end, 10);
    return *end == 0 && errno == 0;
}

static nr_status no_such_column(const nr_csv *csv, const char *target) {
    char list[512];
    size_t k = 0;
    list[0] = 0;
    for (int c = 0; c < csv->ncols && k < sizeof list - 8; c++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s'%s'", c ? ", " : "", csv->names[c]);
    if (k >= sizeof list - 8) strcpy(list + sizeof list - 8, ", ...");
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no column '%s'; columns are %s (or give a 0-based index)",
                    csv->path, target, list);
}

/* Names first, then indices, as documented. */
static nr_status find_target(const nr_csv *csv, const char *target, int *col) {
    int c = nr_csv_col_find(csv, target);
    long v;
    if (c >= 0) {
        *col = c;
        return NR_OK;
    }
    if (!parse_index(target, &v)) return no_such_column(csv, target);
    if (v < -(long)csv->ncols || v >= csv->ncols)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: target column index %ld out of range: the file has %d columns",
                        csv->path, v, csv->ncols);
    *col = (int)(v < 0 ? v + csv->ncols : v);
    return NR_OK;
}

static nr_status check_features(const nr_csv *csv, int skip) {
    if (csv->ncols - (skip >= 0) < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no feature columns", csv->path);
    for (int c = 0; c < csv->ncols; c++) {
        if (c == skip || csv->types[c] != NR_CSV_TYPE_TEXT) continue;
        for (int64_t r = 0; r < csv->nrows; r++) {
            const char *t = nr_csv_text(csv, r, c);
            if (nr_csv_text_is_missing(t) || nr_csv_text_is_number(t)) continue;
            return nr_error(NR_STATUS_PARSE,
                            "%s:%lld: feature column '%s' holds the text '%.60s%s'; features must be numeric",
                            csv->path, (long long)csv->lines[r], csv->names[c], t, strlen(t) > 60 ? "..." : "");
        }
    }
    return NR_OK;
}

/* Marks rows without missing cells in the used columns (all but skip,
 * plus target if >= 0); an error unless dropping was asked for. */
static nr_status keep_rows(const nr_csv *csv, int skip, int target, nr_csv_missing policy,
                           unsigned char *keep, int64_t *n_keep) {
    int64_t count = 0, first_row = -1, kept = 0;
    int first_col = -1;
    for (int64_t r = 0; r < csv->nrows; r++) {
        keep[r] = 1;
        for (int c = 0; c < csv->ncols; c++) {
            if ((c == skip && c != target) || !csv->missing[c] || !nr_csv_is_missing(csv, r, c)) continue;
            keep[r] = 0;
            count++;
            if (first_row < 0) first_row = r, first_col = c;
        }
        kept += keep[r];
    }
    if (count && policy != NR_CSV_MISSING_DROP)
        return nr_error(NR_STATUS_PARSE,
                        "%s:%lld: %lld missing value%s (the first in column '%s'); "
                        "fill them in or drop those rows",
                        csv->path, (long long)csv->lines[first_row], (long long)count, count == 1 ? "" : "s",
                        csv->names[first_col]);
    if (kept == 0) return nr_error(NR_STATUS_PARSE, "%s: no rows left after dropping rows with missing values", csv->path);
    *n_keep = kept;
    return NR_OK;
}

static nr_status build_x(const nr_csv *csv, int skip, const unsigned char *keep, int64_t n, nr_tensor **x) {
    int64_t nf = csv->ncols - (skip >= 0);
    NR_TRY(nr_tensor_new(x, 2, (int64_t[]){n, nf}));
    float *d = (*x)->data;
    int64_t i = 0;
    for (int64_t r = 0; r < csv->nrows; r++) {
        if (!keep[r]) continue;
        const double *row = csv->num + r * csv->ncols;
        float *out = d + i * nf;
        for (int c = 0; c < csv->ncols; c++)
            if (c != skip) *out++ = (float)row[c];
        i++;
    }
    return NR_OK;
}

/* ---------------------------------------------------------- targets --- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct names -> labels, and each row's name -> its index. */
static nr_status text_target(const nr_csv *csv, int col, const unsigned char *keep, int64_t n, nr_tensor *y,
                             nr_labels **labels) {
    const char **names = nr_malloc((size_t)n * sizeof *names);
    if (!names) return NR_NOMEM();
    int64_t i = 0, k = 0;
    for (int64_t r = 0; r < csv->nrows; r++)
        if (keep[r]) names[i++] = nr_csv_text(csv, r, col);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (i = 0; i < n; i++)
        if (i == 0 || strcmp(names[i], names[k - 1]) != 0) names[k++] = names[i];
    nr_status s = k > INT32_MAX ? nr_error(NR_STATUS_UNSUPPORTED, "%s: too many classes", csv->path)
                                : nr_labels_new(names, (int)k, labels);
    for (int64_t r = 0, j = 0; s == NR_OK && r < csv->nrows; r++) {
        if (!keep[r]) continue;
        const char *t = nr_csv_text(csv, r, col);
        const char **hit = bsearch(&t, names, (size_t)k, sizeof *names, cmp_str);
        y->data[j++] = (float)(hit - names);
    }
    nr_free(names);
    return s;
}

/* Shortest "%.Ng" that reads back as v, so 0.1 is named "0.1". */
static void shortest(char *buf, size_t size, double v) {
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static nr_status kept_class_labels(int k, nr_labels **labels) {
    char (*buf)[12] = nr_malloc((size_t)k * sizeof *buf);
    const char **names = nr_malloc((size_t)k * sizeof *names);
    nr_status s = NR_OK;
    if (!buf || !names) s = NR_NOMEM();
    for (int i = 0; s == NR_OK && i < k; i++) {
        snprintf(buf[i], sizeof buf[i], "%d", i);
        names[i] = buf[i];
    }
    if (s == NR_OK) s = nr_labels_new(names, k, labels);
    nr_free(buf);
    nr_free(names);
    return s;
}

/* Distinct values, sorted, become classes 0..K-1 named by their spelling. */
static nr_status mapped_class_labels(double *v, int64_t n, nr_tensor *y, nr_labels **labels) {
    double *u = nr_malloc((size_t)n * sizeof *u);
    char (*buf)[32] = nr_malloc((size_t)n * sizeof *buf);
    const char **names = nr_malloc((size_t)n * sizeof *names);
    nr_status s = NR_OK;
    if (!u || !buf || !names) s = NR_NOMEM();
    int64_t k = 0;
    if (s == NR_OK) {
        memcpy(u, v, (size_t)n * sizeof *u);
        qsort(u, (size_t)n, sizeof *u, cmp_double);
        for (int64_t i = 0; i < n; i++)
            if (i == 0 || u[i] != u[k - 1]) u[k++] = u[i];
        for (int64_t i = 0; i < k; i++) {
            shortest(buf[i], sizeof buf[i], u[i]);
            names[i] = buf[i];
        }
        s = k > INT32_MAX ? nr_error(NR_STATUS_UNSUPPORTED, "too many classes") : nr_labels_new(names, (int)k, labels);
    }
    for (int64_t i = 0; s == NR_OK && i < n; i++) {
        const double *hit = bsearch(&v[i], u, (size_t)k, sizeof *u, cmp_double);
        y->data[i] = (float)(hit - u);
    }
    nr_free(u);
    nr_free(buf);
    nr_free(names);
    return s;
}

static nr_status numeric_classes(const nr_csv *csv, int col, const unsigned char *keep, int64_t n, nr_tensor *y,
                                 nr_labels **labels) {
    double *v = nr_malloc((size_t)n * sizeof *v);
    if (!v) return NR_NOMEM();
    int small = 1;
    double max = 0;
    for (int64_t r = 0, i = 0; r < csv->nrows; r++) {
        if (!keep[r]) continue;
        v[i] = nr_csv_value(csv, r, col);
        small &= v[i] >= 0 && v[i] <= MAX_KEPT_CLASS && v[i] == floor(v[i]);
        if (v[i] > max) max = v[i];
        i++;
    }
    nr_status s;
    if (small) {
        for (int64_t i = 0; i < n; i++) y->data[i] = (float)v[i];
        s = kept_class_labels((int)max + 1, labels);
    } else {
        s = mapped_class_labels(v, n, y, labels);
    }
    nr_free(v);
    return s;
}

static nr_status build_y(const nr_csv *csv, int col, int classification, const unsigned char *keep, int64_t n,
                         nr_tensor **y, nr_labels **labels) {
    int text = csv->types[col] == NR_CSV_TYPE_TEXT;
    if (text && classification < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: target column '%s' holds text; regression needs numbers",
                        csv->path, csv->names[col]);
    int classes = text || classification > 0;
    NR_TRY(nr_tensor_new(y, classes ? 1 : 2, (int64_t[]){n, 1}));
    nr_status s = NR_OK;
    if (text) s = text_target(csv, col, keep, n, *y, labels);
    else if (classes) s = numeric_classes(csv, col, keep, n, *y, labels);
    else
        for (int64_t r = 0, i = 0; r < csv->nrows; r++)
            if (keep[r]) (*y)->data[i++] = (float)nr_csv_value(csv, r, col);
    if (s != NR_OK) {
        nr_tensor_free(*y);
        *y = NULL;
    }
    return s;
}

/* ------------------------------------------------------------ public --- */

static nr_status to_xy(const nr_csv *csv, const char *target, const nr_csv_xy_opts *o, unsigned char *keep,
                       nr_tensor **x, nr_tensor **y, nr_labels **labels) {
    int col = -1;
    int64_t n = 0;
    NR_TRY(find_target(csv, target, &col));
    NR_TRY(check_features(csv, col));
    NR_TRY(keep_rows(csv, col, col, o->missing, keep, &n));
    NR_TRY(build_x(csv, col, keep, n, x));
    return build_y(csv, col, o->classification, keep, n, y, labels);
}

nr_status nr_csv_to_xy(const nr_csv *csv, const char *target, const nr_csv_xy_opts *opts, nr_tensor **x,
                       nr_tensor **y, nr_labels **labels) {
    if (!x || !y) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_csv_to_xy: x and y must not be NULL");
    *x = *y = NULL;
    if (labels) *labels = NULL;
    if (!csv || !target) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_csv_to_xy: csv and target must not be NULL");
    nr_csv_xy_opts o = opts ? *opts : (nr_csv_xy_opts){0};
    nr_labels *lab = NULL;
    unsigned char *keep = nr_malloc((size_t)csv->nrows);
    if (!keep) return NR_NOMEM();
    nr_status s = to_xy(csv, target, &o, keep, x, y, &lab);
    nr_free(keep);
    if (s != NR_OK) {
        nr_tensor_free(*x);
        nr_tensor_free(*y);
        nr_labels_free(lab);
        *x = *y = NULL;
        return s;
    }
    if (labels) *labels = lab;
    else nr_labels_free(lab);
    return NR_OK;
}

nr_status nr_csv_to_x(const nr_csv *csv, const char *exclude, nr_tensor **x) {
    if (!x) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_csv_to_x: x is NULL");
    *x = NULL;
    if (!csv) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_csv_to_x: csv is NULL");
    int skip = exclude ? nr_csv_col_find(csv, exclude) : -1;
    int64_t n = 0;
    NR_TRY(check_features(csv, skip));
    unsigned char *keep = nr_malloc((size_t)csv->nrows);
    if (!keep) return NR_NOMEM();
    nr_status s = keep_rows(csv, skip, -1, NR_CSV_MISSING_ERROR, keep, &n);
    if (s == NR_OK) s = build_x(csv, skip, keep, n, x);
    nr_free(keep);
    return s;
}
