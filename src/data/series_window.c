/* Windowing a series into supervised pairs and splitting it in time. The
 * rules (which steps each window reads, which part of the split owns it)
 * are documented once, in neurona/data.h; this file follows them. */
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "data/series_internal.h"

static const char *const part_names[3] = {"training", "validation", "test"};

nr_series_opts nr_series_opts_resolved(const nr_series_opts *o) {
    nr_series_opts r = *o;
    if (!r.horizon) r.horizon = 1;
    if (!r.stride) r.stride = 1;
    if (r.split[0] == 0 && r.split[1] == 0 && r.split[2] == 0) {
        r.split[0] = 0.7;
        r.split[1] = 0.15;
        r.split[2] = 0.15;
    }
    return r;
}

int nr_series_columns(const nr_series_opts *o, const char **names, int cap) {
    int n = 0;
    for (int i = 0; i < o->n_features + o->n_targets; i++) {
        const char *c = i < o->n_features ? o->features[i] : o->targets[i - o->n_features];
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(c, j < o->n_features ? o->features[j] : o->targets[j - o->n_features]) == 0;
        if (!seen && n < cap) names[n] = c;
        n += !seen;
    }
    return n;
}

static nr_status unknown_column(const nr_series *s, const char *what, const char *name) {
    char list[512];
    size_t k = 0;
    list[0] = 0;
    for (int c = 0; c < s->ncols && k < sizeof list - 8; c++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s'%s'", c ? ", " : "", s->names[c]);
    if (k >= sizeof list - 8) strcpy(list + sizeof list - 8, ", ...");
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no %s column '%s'; the series has %s", s->source, what, name, list);
}

/* Names (checked) to column indices (idx may be NULL: check only). */
static nr_status find_columns(const nr_series *s, const char *what, const char *const *names, int n, int *idx) {
    for (int i = 0; i < n; i++) {
        int c = nr_series_column_find(s, names[i]);
        if (c < 0) return unknown_column(s, what, names[i]);
        if (idx) idx[i] = c;
    }
    return NR_OK;
}

static nr_status check_split(const char *where, const double *f) {
    double sum = 0;
    for (int p = 0; p < 3; p++) {
        if (!(f[p] >= 0 && f[p] <= 1))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the %s fraction of the split is %g; fractions lie in [0, 1]",
                            where, part_names[p], f[p]);
        sum += f[p];
    }
    if (f[0] <= 0) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the training fraction of the split must be above 0", where);
    if (fabs(sum - 1) > 1e-6)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: split fractions %g, %g, %g sum to %g; they must sum to 1 "
                        "(training, validation, test)", where, f[0], f[1], f[2], sum);
    return NR_OK;
}

static nr_status check_names(const char *where, const char *what, const char *const *names, int n) {
    if (n < 1 || !names) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no %s columns given", where, what);
    for (int i = 0; i < n; i++) {
        if (!names[i]) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %s column %d is NULL", where, what, i);
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %s column '%s' is given twice", where, what, names[i]);
    }
    return NR_OK;
}

nr_status nr_series_opts_check(const char *where, const nr_series_opts *o) {
    if (o->window < 1 || o->horizon < 1 || o->stride < 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: window %d, horizon %d and stride %d must be at least 1", where,
                        o->window, o->horizon, o->stride);
    NR_TRY(check_names(where, "feature", o->features, o->n_features));
    NR_TRY(check_names(where, "target", o->targets, o->n_targets));
    return check_split(where, o->split);
}

static nr_status check_opts(const nr_series *s, const nr_series_opts *o) {
    NR_TRY(nr_series_opts_check(s->source, o));
    NR_TRY(find_columns(s, "feature", o->features, o->n_features, NULL));
    return find_columns(s, "target", o->targets, o->n_targets, NULL);
}

/* floor(T * f), nudged so that 0.7 * 100 is 70 despite binary fractions. */
static int64_t part_end(int64_t steps, double f) { return (int64_t)floor((double)steps * f + 1e-9); }

nr_status nr_series_split(const nr_series *s, const nr_series_opts *o, int64_t bounds[4]) {
    nr_series_opts r = nr_series_opts_resolved(o);
    NR_TRY(check_opts(s, &r));
    int64_t t = nr_series_length(s);
    bounds[0] = 0;
    bounds[1] = part_end(t, r.split[0]);
    bounds[2] = r.split[2] > 0 ? part_end(t, r.split[0] + r.split[1]) : t;
    bounds[3] = t;
    if (bounds[2] < bounds[1]) bounds[2] = bounds[1];
    return NR_OK;
}

/* First target step of the first window, and the window count, for
 * targets in [first, end). */
static int64_t window_count(const nr_series_opts *o, int64_t first, int64_t end, int64_t *t0) {
    *t0 = first > o->window ? first : o->window;
    return *t0 + o->horizon > end ? 0 : (end - o->horizon - *t0) / o->stride + 1;
}

static void fill_windows(const nr_series *s, const nr_series_opts *o, const int *fc, const int *tc, int64_t t0,
                         int64_t n, nr_tensor *x, nr_tensor *y) {
    const float *v = s->values->data;
    int nc = s->ncols, w = o->window, h = o->horizon, nf = o->n_features, nt = o->n_targets;
    for (int64_t i = 0; i < n; i++) {
        int64_t t = t0 + i * o->stride;
        float *xi = x->data + i * w * nf, *yi = y->data + i * h * nt;
        for (int a = 0; a < w; a++)
            for (int f = 0; f < nf; f++) xi[a * nf + f] = v[(t - w + a) * nc + fc[f]];
        for (int a = 0; a < h; a++)
            for (int k = 0; k < nt; k++) yi[a * nt + k] = v[(t + a) * nc + tc[k]];
    }
}

static nr_status no_window(const nr_series *s, const nr_series_opts *o, int64_t first, int64_t end) {
    int64_t t = nr_series_length(s);
    if (first <= 0 && end >= t)
        return nr_error(NR_STATUS_BAD_SHAPE, "%s: window %d + horizon %d = %d steps is longer than the series "
                        "(%lld steps)", s->source, o->window, o->horizon, o->window + o->horizon, (long long)t);
    return nr_error(NR_STATUS_BAD_SHAPE, "%s: no window has its %d target step%s within steps %lld..%lld (and %d "
                    "input steps before them)", s->source, o->horizon, o->horizon == 1 ? "" : "s", (long long)first,
                    (long long)end - 1, o->window);
}

/* Windows of a resolved, checked o. */
static nr_status make_windows(const nr_series *s, const nr_series_opts *o, int64_t t0, int64_t n, nr_tensor **x,
                              nr_tensor **y) {
    int *idx = nr_malloc((size_t)(o->n_features + o->n_targets) * sizeof *idx);
    if (!idx) return NR_NOMEM();
    find_columns(s, "feature", o->features, o->n_features, idx);
    find_columns(s, "target", o->targets, o->n_targets, idx + o->n_features);
    nr_status st = nr_tensor_new(x, 3, (int64_t[]){n, o->window, o->n_features});
    if (st == NR_OK) st = nr_tensor_new(y, 2, (int64_t[]){n, (int64_t)o->horizon * o->n_targets});
    if (st == NR_OK) fill_windows(s, o, idx, idx + o->n_features, t0, n, *x, *y);
    nr_free(idx);
    if (st != NR_OK) {
        nr_tensor_free(*x);
        *x = NULL;
    }
    return st;
}

nr_status nr_series_windows(const nr_series *s, const nr_series_opts *o, int64_t first, int64_t end,
                            nr_tensor **x, nr_tensor **y) {
    if (!x || !y) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_series_windows: x or y is NULL");
    *x = *y = NULL;
    if (!s || !o) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_series_windows: series or options are NULL");
    nr_series_opts r = nr_series_opts_resolved(o);
    NR_TRY(check_opts(s, &r));
    if (first < 0) first = 0;
    if (end > nr_series_length(s)) end = nr_series_length(s);
    int64_t t0, n = window_count(&r, first, end, &t0);
    if (n == 0) return no_window(s, &r, first, end);
    return make_windows(s, &r, t0, n, x, y);
}

static nr_status short_part(const nr_series *s, const nr_series_opts *o, nr_series_part p, const int64_t *b) {
    int64_t len = b[p + 1] - b[p], t = nr_series_length(s);
    if (p == NR_SERIES_TRAIN)
        return nr_error(NR_STATUS_BAD_SHAPE, "%s: the training part (steps 0..%lld, %g of %lld steps) is shorter "
                        "than window %d + horizon %d = %d steps", s->source, (long long)len - 1, o->split[0],
                        (long long)t, o->window, o->horizon, o->window + o->horizon);
    return nr_error(NR_STATUS_BAD_SHAPE, "%s: the %s part (%lld steps from step %lld, %g of %lld) holds no window: "
                    "it needs horizon %d target steps with window %d steps before them", s->source, part_names[p],
                    (long long)len, (long long)b[p], o->split[p], (long long)t, o->horizon, o->window);
}

nr_status nr_series_part_windows(const nr_series *s, const nr_series_opts *o, nr_series_part part,
                                 nr_tensor **x, nr_tensor **y) {
    if (!x || !y) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_series_part_windows: x or y is NULL");
    *x = *y = NULL;
    if (part < NR_SERIES_TRAIN || part > NR_SERIES_TEST)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_series_part_windows: unknown part %d", (int)part);
    nr_series_opts r = nr_series_opts_resolved(o);
    int64_t b[4];
    NR_TRY(nr_series_split(s, &r, b));
    if (r.split[part] == 0) return NR_OK;
    int64_t t0, n = window_count(&r, b[part], b[part + 1], &t0);
    if (n == 0) return short_part(s, &r, part, b);
    return make_windows(s, &r, t0, n, x, y);
}
