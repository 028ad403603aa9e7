/* The forecast plot of `neurona forecast --plot`: one panel per target
 * over the test steps, the truth in black, the model's forecast in blue,
 * the naive baselines dashed, labelled with the steps' dates when the
 * series has them; drawn by the chart library (neurona/plot.h). */
#include <stdio.h>
#include "cli/cli.h"
#include "cli/cli_forecast.h"
#include "core/core.h"
#include "neurona/plot.h"

enum { WIDTH = 1000, PANEL = 320, N_LABELS = 6 };

typedef struct style {
    cli_curve c;
    const char *name, *color;
    double width;
    int dashed;
} style;

/* Drawn in this order, so the model's line lies on top. */
static const style styles[4] = {
    {CLI_CURVE_TRUTH, "truth", "black", 1.2, 0},
    {CLI_CURVE_NAIVE, "naive", "gray", 1.0, 1},
    {CLI_CURVE_SEASONAL, "seasonal naive", "C1", 1.0, 1},
    {CLI_CURVE_MODEL, "model", "C0", 1.6, 0},
};

static int drawn(const cli_forecast *fc, const style *s) { return s->c != CLI_CURVE_SEASONAL || fc->a->period; }

/* Six labels along the steps: their dates, else their step numbers. */
static nr_status x_labels(nr_axes *ax, const cli_forecast *fc, int64_t n) {
    double pos[N_LABELS];
    char text[N_LABELS][32];
    const char *labels[N_LABELS];
    int k = n > 1 ? N_LABELS : 1;
    for (int t = 0; t < k; t++) {
        int64_t i = k > 1 ? (n - 1) * t / (N_LABELS - 1) : 0, u = fc->origins[0] + i;
        const char *date = nr_series_label(fc->s, u);
        snprintf(text[t], sizeof text[t], "%lld", (long long)u);
        pos[t] = (double)i;
        labels[t] = date ? date : text[t];
    }
    return nr_axes_set_xticks(ax, pos, labels, k);
}

static nr_status panel(nr_axes *ax, const cli_forecast *fc, int k, double *curve, int64_t n) {
    char title[256];
    snprintf(title, sizeof title, "%s: forecasts of %d step%s over the test part", fc->o->targets[k], fc->steps,
             fc->steps == 1 ? "" : "s");
    NR_TRY(nr_axes_set_title(ax, title));
    NR_TRY(x_labels(ax, fc, n));
    for (int s = 0; s < 4; s++) {
        if (!drawn(fc, &styles[s])) continue;
        cli_forecast_curve(fc, styles[s].c, k, curve);
        nr_line_opts o = {.label = styles[s].name, .color = styles[s].color, .width = styles[s].width,
                          .dashed = styles[s].dashed};
        NR_TRY(nr_axes_line(ax, NULL, curve, n, &o));
    }
    return NR_OK;
}

static nr_status draw(nr_figure *f, const cli_forecast *fc, const char *path) {
    int64_t n = cli_forecast_len(fc);
    double *curve = nr_malloc(((size_t)n + 1) * sizeof *curve);
    if (!curve) return NR_NOMEM();
    nr_status s = NR_OK;
    for (int k = 0; s == NR_OK && k < fc->o->n_targets; k++) s = panel(nr_figure_axes(f, k), fc, k, curve, n);
    nr_free(curve);
    return s == NR_OK ? nr_figure_save(f, path) : s;
}

nr_status cli_plot_forecast(const cli_forecast *fc, const char *path) {
    nr_figure *f;
    NR_TRY(nr_figure_new(&(nr_figure_opts){.width = WIDTH, .height = PANEL * fc->o->n_targets,
                                           .rows = fc->o->n_targets}, &f));
    nr_status s = draw(f, fc, path);
    nr_figure_free(f);
    nr_plot_cleanup();
    if (s != NR_OK) return s;
    printf("Saved the plot to %s\n", path);
    return NR_OK;
}
