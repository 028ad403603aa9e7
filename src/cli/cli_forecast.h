/* The work of `neurona forecast`: the test part of a series forecast from
 * rolling origins by a saved model, the errors of the model and of the
 * naive baselines in the data's units, and the CSV of every forecast. */
#ifndef NR_CLI_FORECAST_H
#define NR_CLI_FORECAST_H

#include "neurona/neurona.h"

typedef struct cli_forecast_args {
    const char *model, *series, *out;
    const char *plot;          /* FILE.png or FILE.svg */
    int steps;                 /* 0: the model's horizon */
    int period;                /* 0: no seasonal baseline */
    int header, no_header;
} cli_forecast_args;

typedef struct cli_forecast {
    const cli_forecast_args *a;
    nr_graph *g;
    nr_model *m;
    const nr_series_opts *o;   /* the model's windowing */
    nr_series *s;              /* scaled as the model was trained */
    nr_tensor *raw;            /* the series' values before scaling, (T, C) */
    int *tcol;                 /* each target's column in s */
    int64_t bounds[4];         /* nr_series_split */
    int steps;
    int64_t *origins, n;       /* forecast origins: the first step each forecasts */
    nr_tensor *pred;           /* (n, steps * K) forecasts in the data's units */
} cli_forecast;

/* What a curve over the forecast steps shows. */
typedef enum cli_curve { CLI_CURVE_MODEL, CLI_CURVE_NAIVE, CLI_CURVE_SEASONAL, CLI_CURVE_TRUTH } cli_curve;

/* Loads a->series for fc->m and forecasts its test part. */
nr_status cli_forecast_run(cli_forecast *fc);
/* Prints the error table and writes a->out when asked. */
nr_status cli_forecast_report(const cli_forecast *fc);
void cli_forecast_free(cli_forecast *fc);

/* The steps forecast: origins[0] .. T-1, each exactly once. */
int64_t cli_forecast_len(const cli_forecast *fc);
/* Curve c of target k over those steps, in the data's units, into out. */
void cli_forecast_curve(const cli_forecast *fc, cli_curve c, int k, double *out);
/* Plots target k's curves into path (.png or .svg), atomically. */
nr_status cli_plot_forecast(const cli_forecast *fc, const char *path);

#endif
