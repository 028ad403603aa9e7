/* `train --series`: from a CSV file and the command line's windowing to
 * the three parts' windows in the model's shapes, with the windowing and
 * the scaler (fitted on the training steps) kept in the model for
 * `forecast`. */
#include <stdlib.h>
#include <string.h>
#include "cli/cli_prep.h"
#include "cli/cli_series.h"
#include "core/core.h"

int cli_parse_split(const char *s, double f[3]) {
    char *end = (char *)s;
    for (int i = 0; i < 3; i++) {
        const char *at = end + (i > 0);
        if (i > 0 && *end != ',') return 0;
        f[i] = strtod(at, &end);
        if (end == at) return 0;
    }
    return *end == 0;
}

void cli_names_free(cli_names *n) {
    nr_free(n->buf);
    nr_free(n->v);
    memset(n, 0, sizeof *n);
}

nr_status cli_names_parse(const char *list, const char *option, cli_names *out) {
    memset(out, 0, sizeof *out);
    int n = 1;
    for (const char *p = list; *p; p++) n += *p == ',';
    out->buf = nr_strdup(list);
    out->v = nr_malloc((size_t)n * sizeof *out->v);
    if (!out->buf || !out->v) return NR_NOMEM();
    for (char *p = out->buf, *comma; p; p = comma ? comma + 1 : NULL) {
        comma = strchr(p, ',');
        if (comma) *comma = 0;
        if (!*p) return nr_error(NR_STATUS_BAD_ARGUMENT, "--%s: empty column name in '%s'", option, list);
        out->v[out->n++] = p;
    }
    return NR_OK;
}

nr_status cli_series_load(const char *path, int header, const nr_series_opts *o, nr_series **out) {
    *out = NULL;
    int n = nr_series_columns(o, NULL, 0);
    const char **cols = nr_malloc((size_t)n * sizeof *cols);
    if (!cols) return NR_NOMEM();
    nr_series_columns(o, cols, n);
    nr_csv *csv = NULL;
    nr_status s = nr_csv_read(path, &(nr_csv_opts){.header = header}, &csv);
    if (s == NR_OK) s = nr_series_from_csv(csv, cols, n, out);
    nr_csv_free(csv);
    nr_free(cols);
    return s;
}

void cli_series_data_free(cli_series_data *d) {
    cli_names_free(&d->features);
    cli_names_free(&d->targets);
    nr_series_free(d->series);
    for (int p = 0; p < 3; p++) {
        nr_tensor_free(d->x[p]);
        nr_tensor_free(d->y[p]);
    }
    memset(d, 0, sizeof *d);
}

static nr_status make_opts(const cli_series_args *a, cli_series_data *d) {
    NR_TRY(cli_names_parse(a->target, "target", &d->targets));
    NR_TRY(cli_names_parse(a->columns ? a->columns : a->target, "columns", &d->features));
    d->o = (nr_series_opts){.features = d->features.v, .n_features = d->features.n, .targets = d->targets.v,
                            .n_targets = d->targets.n, .window = a->window, .horizon = a->horizon,
                            .stride = a->stride};
    if (a->split && !cli_parse_split(a->split, d->o.split))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "--split: expected three fractions TRAIN,VAL,TEST, got '%s'", a->split);
    return NR_OK;
}

/* Fits the scaler on the training steps, scales the whole series and
 * records both in the model. */
static nr_status scale_series(cli_series_data *d, const char *kind, nr_model *m) {
    if (strcmp(kind, "none") == 0) return nr_model_set_series(m, &d->o, NULL);
    nr_scaler *sc = NULL;
    NR_TRY(nr_series_fit_scaler(d->series, strcmp(kind, "minmax") == 0 ? NR_SCALER_MINMAX : NR_SCALER_STANDARD,
                                d->bounds[1], &sc));
    nr_status s = nr_series_scale(d->series, sc);
    if (s == NR_OK) s = nr_model_set_series(m, &d->o, sc);
    nr_scaler_free(sc);
    return s;
}

/* y (N, H * K) to the model's output shape: (H * K,) or (H, K), say. */
static nr_status fit_output(nr_model *m, const nr_series_opts *o, nr_tensor *y, const char *path) {
    int ndim;
    int64_t shape[NR_MAX_DIMS];
    NR_TRY(nr_sym_shape(nr_model_graph(m), nr_model_output(m, 0), &ndim, shape));
    if (nr_batch_reshape(y, ndim - 1, shape + 1) == NR_OK) return NR_OK;
    char buf[96];
    int64_t hk = (int64_t)o->horizon * o->n_targets;
    return nr_error(NR_STATUS_BAD_SHAPE, "%s: model \"%s\" outputs %s, but horizon %d x %d target%s is %lld values a "
                    "window; end it with Dense(%lld) (or a Reshape to (%d, %d))", path, nr_model_name(m),
                    cli_batched_str(buf, sizeof buf, ndim, shape), o->horizon, o->n_targets,
                    o->n_targets == 1 ? "" : "s", (long long)hk, (long long)hk, o->horizon, o->n_targets);
}

static nr_status make_parts(const cli_series_args *a, nr_model *m, cli_series_data *d) {
    for (int p = 0; p < 3; p++) {
        NR_TRY(nr_series_part_windows(d->series, &d->o, (nr_series_part)p, &d->x[p], &d->y[p]));
        if (!d->x[p]) continue;
        NR_TRY(cli_fit_input(m, d->x[p], a->path, NULL));
        NR_TRY(fit_output(m, nr_model_series(m), d->y[p], a->path));
    }
    return NR_OK;
}

nr_status cli_series_train_data(const cli_series_args *a, int header, const char *scale, nr_model *m,
                                cli_series_data *d) {
    memset(d, 0, sizeof *d);
    nr_loss_kind loss = nr_model_loss(m, 0).kind;
    if (cli_loss_is_classification(loss))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\" has the loss %s, but a series is forecast as values: "
                        "compile it with loss=\"mse\" (or \"mae\", \"huber\")", nr_model_name(m), nr_loss_name(loss));
    NR_TRY(make_opts(a, d));
    NR_TRY(cli_series_load(a->path, header, &d->o, &d->series));
    NR_TRY(nr_series_split(d->series, &d->o, d->bounds));
    NR_TRY(scale_series(d, scale, m));
    d->o = *nr_model_series(m);   /* resolved defaults, strings owned by the model */
    return make_parts(a, m, d);
}

nr_status cli_check_not_series(const nr_model *m, const char *path) {
    if (!nr_model_series(m)) return NR_OK;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the model was trained on windows of a time series; score it with "
                    "'neurona forecast %s --series FILE.csv'", path, path);
}
