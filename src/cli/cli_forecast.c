/* Rolling-origin evaluation of a series model: origins every `steps`
 * steps from the test part's start, forecasts unscaled to the data's
 * units, and each forecast step compared with the truth, the naive
 * forecast (the last value before its origin) and the seasonal naive one
 * (the value a whole number of periods earlier, from the last season
 * before the origin: y[u - P * ceil(a / P)] for a step a ahead). The
 * plot is in cli_plot.c. */
#include <math.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_forecast.h"
#include "cli/cli_series.h"
#include "core/core.h"
#include "io/atomic.h"

enum { M_MODEL = CLI_CURVE_MODEL, M_NAIVE = CLI_CURVE_NAIVE, M_SEASONAL = CLI_CURVE_SEASONAL };

void cli_forecast_free(cli_forecast *fc) {
    nr_series_free(fc->s);
    nr_tensor_free(fc->raw);
    nr_tensor_free(fc->pred);
    nr_free(fc->tcol);
    nr_free(fc->origins);
    nr_graph_free(fc->g);
    memset(fc, 0, sizeof *fc);
}

static nr_status load(cli_forecast *fc) {
    const cli_forecast_args *a = fc->a;
    fc->o = nr_model_series(fc->m);
    if (!fc->o)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the model was not trained on a series; train it with "
                        "'neurona train SPEC --series FILE.csv ...'", a->model);
    NR_TRY(cli_series_load(a->series, a->header ? 1 : a->no_header ? -1 : 0, fc->o, &fc->s));
    NR_TRY(nr_tensor_clone(&fc->raw, nr_series_values(fc->s)));
    const nr_scaler *sc = nr_model_series_scaler(fc->m);
    if (sc) NR_TRY(nr_series_scale(fc->s, sc));
    if (!(fc->tcol = nr_malloc((size_t)fc->o->n_targets * sizeof *fc->tcol))) return NR_NOMEM();
    for (int k = 0; k < fc->o->n_targets; k++) fc->tcol[k] = nr_series_column_find(fc->s, fc->o->targets[k]);
    return nr_series_split(fc->s, fc->o, fc->bounds);
}

/* Origins every fc->steps steps through the test part. */
static nr_status make_origins(cli_forecast *fc) {
    const nr_series_opts *o = fc->o;
    int64_t t = fc->bounds[3], first = fc->bounds[2] > o->window ? fc->bounds[2] : o->window;
    if (o->split[2] == 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the model was trained with no test part (split %g, %g, %g); "
                        "train it with a test fraction in --split", fc->a->model, o->split[0], o->split[1], o->split[2]);
    if (first >= t)
        return nr_error(NR_STATUS_BAD_SHAPE, "%s: the test part (steps %lld..%lld) has no step with %d steps before "
                        "it to forecast from", fc->a->series, (long long)fc->bounds[2], (long long)t - 1, o->window);
    if (fc->a->period && first < fc->a->period)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "--period %d: the test part starts at step %lld, with fewer than %d "
                        "steps before it for a seasonal naive forecast", fc->a->period, (long long)first,
                        fc->a->period);
    fc->n = (t - first + fc->steps - 1) / fc->steps;
    if (!(fc->origins = nr_malloc((size_t)fc->n * sizeof *fc->origins))) return NR_NOMEM();
    for (int64_t i = 0; i < fc->n; i++) fc->origins[i] = first + i * fc->steps;
    return NR_OK;
}

nr_status cli_forecast_run(cli_forecast *fc) {
    NR_TRY(load(fc));
    fc->steps = fc->a->steps ? fc->a->steps : fc->o->horizon;
    NR_TRY(make_origins(fc));
    NR_TRY(nr_model_forecast(fc->m, fc->s, fc->o, fc->origins, fc->n, fc->steps, &fc->pred));
    const nr_scaler *sc = nr_model_series_scaler(fc->m);
    return sc ? nr_series_unscale(fc->s, sc, fc->o->targets, fc->o->n_targets, fc->pred) : NR_OK;
}

/* ------------------------------------------------------------ values --- */

static double truth(const cli_forecast *fc, int64_t u, int k) {
    return fc->raw->data[u * fc->raw->shape[1] + fc->tcol[k]];
}

/* Forecast j (0-based, a = j + 1 steps ahead) of origin i by method. */
static double value(const cli_forecast *fc, int method, int64_t i, int j, int k) {
    int64_t t = fc->origins[i], p = fc->a->period;
    if (method == M_MODEL) return fc->pred->data[(i * fc->steps + j) * fc->o->n_targets + k];
    if (method == M_NAIVE) return truth(fc, t - 1, k);
    return truth(fc, t + j - p * ((j + p) / p), k);
}

/* The number of steps origin i forecasts inside the series. */
static int steps_of(const cli_forecast *fc, int64_t i) {
    int64_t left = fc->bounds[3] - fc->origins[i];
    return left < fc->steps ? (int)left : fc->steps;
}

int64_t cli_forecast_len(const cli_forecast *fc) { return fc->bounds[3] - fc->origins[0]; }

void cli_forecast_curve(const cli_forecast *fc, cli_curve c, int k, double *out) {
    for (int64_t u = 0; u < cli_forecast_len(fc); u++) {
        int64_t i = u / fc->steps;
        int j = (int)(u % fc->steps);
        out[u] = c == CLI_CURVE_TRUTH ? truth(fc, fc->origins[0] + u, k) : value(fc, c, i, j, k);
    }
}

/* ------------------------------------------------------------- table --- */

typedef struct errors {
    double abs, sq;
    int64_t n;
} errors;

static errors errors_of(const cli_forecast *fc, int method, int k) {
    errors e = {0};
    for (int64_t i = 0; i < fc->n; i++)
        for (int j = 0; j < steps_of(fc, i); j++) {
            double d = value(fc, method, i, j, k) - truth(fc, fc->origins[i] + j, k);
            e.abs += fabs(d);
            e.sq += d * d;
            e.n++;
        }
    return e;
}

static void print_row(const char *name, errors e) {
    printf("%-22s %10.4f %10.4f\n", name, e.abs / (double)e.n, sqrt(e.sq / (double)e.n));
}

static void print_target(const cli_forecast *fc, int k) {
    char season[48];
    errors model = errors_of(fc, M_MODEL, k), naive = errors_of(fc, M_NAIVE, k);
    printf("%-22s %10s %10s\n", fc->o->targets[k], "MAE", "RMSE");
    print_row("model", model);
    print_row("naive (last value)", naive);
    if (fc->a->period) {
        snprintf(season, sizeof season, "seasonal naive (%d)", fc->a->period);
        print_row(season, errors_of(fc, M_SEASONAL, k));
    }
    if (naive.abs > 0)
        printf("model MAE vs naive: %+.1f%%\n", 100 * (model.abs - naive.abs) / naive.abs);
}

static void print_header(const cli_forecast *fc) {
    const nr_series *s = fc->s;
    int64_t first = fc->origins[0], last = fc->bounds[3] - 1;
    printf("Test part of %s: steps %lld..%lld", fc->a->series, (long long)first, (long long)last);
    if (nr_series_label(s, first)) printf(" (%s to %s)", nr_series_label(s, first), nr_series_label(s, last));
    printf(", %lld forecast%s of %d step%s%s\n", (long long)fc->n, fc->n == 1 ? "" : "s", fc->steps,
           fc->steps == 1 ? "" : "s", fc->steps > fc->o->horizon ? " (recursive)" : "");
}

/* --------------------------------------------------------------- CSV --- */

static void write_header(FILE *f, const cli_forecast *fc) {
    static const char *const cols[4] = {"truth", "forecast", "naive", "seasonal_naive"};
    const char *label = nr_series_label_name(fc->s);
    int nk = fc->o->n_targets, nc = fc->a->period ? 4 : 3;
    cli_put_field(f, label ? label : "step");
    fputs(",ahead", f);
    for (int k = 0; k < nk; k++)
        for (int c = 0; c < nc; c++) {
            fputc(',', f);
            if (nk > 1) {
                cli_put_field(f, fc->o->targets[k]);
                fputc('_', f);
            }
            fputs(cols[c], f);
        }
    fputc('\n', f);
}

/* Values with float's 7 significant digits: the data's own spelling. */
static void write_rows(FILE *f, const cli_forecast *fc) {
    int nk = fc->o->n_targets;
    for (int64_t i = 0; i < fc->n; i++)
        for (int j = 0; j < steps_of(fc, i); j++) {
            int64_t u = fc->origins[i] + j;
            const char *label = nr_series_label(fc->s, u);
            if (label) cli_put_field(f, label);
            else fprintf(f, "%lld", (long long)u);
            fprintf(f, ",%d", j + 1);
            for (int k = 0; k < nk; k++) {
                fprintf(f, ",%.7g,%.7g,%.7g", truth(fc, u, k), value(fc, M_MODEL, i, j, k), value(fc, M_NAIVE, i, j, k));
                if (fc->a->period) fprintf(f, ",%.7g", value(fc, M_SEASONAL, i, j, k));
            }
            fputc('\n', f);
        }
}

static nr_status write_csv(const cli_forecast *fc, const char *path) {
    nr_atomic_file af;
    NR_TRY(nr_atomic_open_stdio(&af, path));
    write_header(af.f, fc);
    write_rows(af.f, fc);
    NR_TRY(nr_atomic_commit(&af));
    printf("Saved forecasts to %s\n", path);
    return NR_OK;
}

nr_status cli_forecast_report(const cli_forecast *fc) {
    print_header(fc);
    for (int k = 0; k < fc->o->n_targets; k++) print_target(fc, k);
    if (fc->a->out) NR_TRY(write_csv(fc, fc->a->out));
    return fc->a->plot ? cli_plot_forecast(fc, fc->a->plot) : NR_OK;
}
