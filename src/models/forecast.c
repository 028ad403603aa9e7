/* Forecasts from a model trained on series windows (neurona/data.h): one
 * prediction per origin when the horizon covers the steps asked for, else
 * recursive forecasting, where each prediction becomes the newest input
 * of the next (the model must then read exactly what it predicts). All
 * origins go through the model together, one batch of windows per round. */
#include <string.h>
#include "core/core.h"
#include "data/series_internal.h"
#include "models/model_internal.h"

static int same_columns(const nr_series_opts *o) {
    if (o->n_features != o->n_targets) return 0;
    for (int i = 0; i < o->n_features; i++)
        if (strcmp(o->features[i], o->targets[i]) != 0) return 0;
    return 1;
}

static nr_status check_request(const nr_series *s, const nr_series_opts *o, const int64_t *origins, int64_t n,
                               int steps) {
    if (steps < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "forecast: steps is %d, expected at least 1", steps);
    if (n < 1 || !origins) return nr_error(NR_STATUS_BAD_ARGUMENT, "forecast: no origins");
    if (steps > o->horizon && !same_columns(o))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "forecast: %d steps exceed the horizon (%d) and recursive "
                        "forecasting feeds predictions back as inputs, which needs the features to be the targets; "
                        "this model reads %d feature%s to predict %d target%s", steps, o->horizon, o->n_features,
                        o->n_features == 1 ? "" : "s", o->n_targets, o->n_targets == 1 ? "" : "s");
    for (int64_t i = 0; i < n; i++)
        if (origins[i] < o->window || origins[i] > nr_series_length(s))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: forecast origin %lld needs the %d steps before it within "
                            "the series' %lld steps", nr_series_source(s), (long long)origins[i], o->window,
                            (long long)nr_series_length(s));
    return NR_OK;
}

/* x (n, W, F): the window before each origin, reshaped to the model's input. */
static nr_status first_windows(nr_model *m, const nr_series *s, const nr_series_opts *o, const int64_t *origins,
                               int64_t n, nr_tensor **x) {
    int nf = o->n_features, nc = nr_series_num_columns(s), w = o->window, ndim;
    int64_t shape[NR_MAX_DIMS];
    if (m->n_in < 1) return nr_error(NR_STATUS_STATE, "forecast: model \"%s\" has no input shape", m->name);
    NR_TRY(nr_sym_shape(m->g, nr_model_input(m, 0), &ndim, shape));
    NR_TRY(nr_tensor_new(x, 3, (int64_t[]){n, w, nf}));
    const float *v = nr_series_values(s)->data;
    for (int f = 0; f < nf; f++) {
        int c = nr_series_column_find(s, o->features[f]);
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < w; a++) (*x)->data[(i * w + a) * nf + f] = v[(origins[i] - w + a) * nc + c];
    }
    nr_status st = nr_batch_reshape(*x, ndim - 1, shape + 1);
    return st == NR_OK ? NR_OK : nr_error_prefix(st, "forecast: model \"%s\"", m->name);
}

/* Drops the oldest h steps of every window and appends prediction p's h
 * steps (of F values each); with h >= W the window is p's last W steps. */
static void slide(nr_tensor *x, const nr_tensor *p, int w, int h, int f) {
    int64_t n = x->shape[0];
    for (int64_t i = 0; i < n; i++) {
        float *xi = x->data + i * w * f;
        const float *pi = p->data + i * h * f;
        int keep = w > h ? w - h : 0;
        memmove(xi, xi + (int64_t)(w - keep) * f, (size_t)keep * f * sizeof *xi);
        memcpy(xi + (int64_t)keep * f, pi + (int64_t)(h - (w - keep)) * f, (size_t)(w - keep) * f * sizeof *xi);
    }
}

static nr_status predict_round(nr_model *m, const nr_series_opts *o, const nr_tensor *x, nr_tensor **p) {
    const nr_tensor *in[1] = {x};
    nr_tensor *outs[NR_MAX_IO] = {0};
    NR_TRY(nr_model_predict(m, in, 0, outs));
    *p = outs[0];
    int64_t want = (int64_t)o->horizon * o->n_targets;
    if (nr_tensor_row_size(*p) == want) return NR_OK;
    return nr_error(NR_STATUS_BAD_SHAPE, "forecast: model \"%s\" outputs %lld values per window, but horizon %d x "
                    "%d target%s is %lld", m->name, (long long)nr_tensor_row_size(*p), o->horizon, o->n_targets,
                    o->n_targets == 1 ? "" : "s", (long long)want);
}

static nr_status forecast_rounds(nr_model *m, const nr_series_opts *o, nr_tensor *x, int steps, nr_tensor *out) {
    int k = o->n_targets, h = o->horizon;
    int64_t n = x->shape[0];
    for (int done = 0; done < steps;) {
        nr_tensor *p = NULL;
        NR_TRY(predict_round(m, o, x, &p));
        int take = steps - done < h ? steps - done : h;
        for (int64_t i = 0; i < n; i++)
            memcpy(out->data + (i * steps + done) * k, p->data + i * h * k, (size_t)take * k * sizeof *p->data);
        done += take;
        if (done < steps) slide(x, p, o->window, h, k);
        nr_tensor_free(p);
    }
    return NR_OK;
}

nr_status nr_model_forecast(nr_model *m, const nr_series *s, const nr_series_opts *o, const int64_t *origins,
                            int64_t n, int steps, nr_tensor **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_model_forecast: out is NULL");
    *out = NULL;
    if (!m || !s || !o) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_model_forecast: model, series or options NULL");
    nr_series_opts r = nr_series_opts_resolved(o);
    nr_tensor *x = NULL, *y = NULL;
    NR_TRY(nr_series_split(s, &r, (int64_t[4]){0}));   /* checks the options against the series */
    NR_TRY(check_request(s, &r, origins, n, steps));
    nr_status st = first_windows(m, s, &r, origins, n, &x);
    if (st == NR_OK) st = nr_tensor_new(&y, 2, (int64_t[]){n, (int64_t)steps * r.n_targets});
    if (st == NR_OK) st = forecast_rounds(m, &r, x, steps, y);
    nr_tensor_free(x);
    if (st != NR_OK) {
        nr_tensor_free(y);
        return st;
    }
    *out = y;
    return NR_OK;
}
