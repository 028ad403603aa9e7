/* neurona forecast: scores a model trained with `train --series` on the
 * chronological test part of a series file, the way forecasts are judged:
 * rolling origins through the test part, every test step forecast once,
 * errors in the data's own units next to the naive forecasts a model has
 * to beat (the last value; with --period, the value one season earlier).
 * Optionally writes every forecast as CSV and plots them. */
#include <string.h>
#include <strings.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_forecast.h"

static const char usage[] =
    "MODEL --series FILE.csv [--steps N] [--period P] [--out FILE.csv] [--plot FILE.png|FILE.svg]";

static const char about[] =
    "Forecasts the test part of a series with a model saved by 'neurona train\n"
    "--series', which holds the columns, windowing, split and scaler it was\n"
    "trained with. Rolling origin: from the test part's first step on, every N\n"
    "steps (--steps, default: the model's horizon) the model reads the window\n"
    "before the origin and forecasts the next N steps, so every test step is\n"
    "forecast once. Prints MAE and RMSE in the data's units for the model, the\n"
    "naive forecast (the last value before the origin) and, with --period P,\n"
    "the seasonal naive forecast (the value P steps earlier, from the last\n"
    "season before the origin).";

static const char notes[] =
    "--steps beyond the horizon forecasts recursively: each prediction is fed\n"
    "back as the newest input, which needs the model's input columns to be its\n"
    "targets (a univariate model). --out writes one row per forecast step:\n"
    "the step's label (the file's first column, e.g. its date, else 'step'),\n"
    "'ahead' (1..N), then truth, forecast, naive and seasonal_naive, prefixed\n"
    "with the target's name when there are several targets. --plot draws the\n"
    "truth, the forecasts and the baselines over the test part, one panel per\n"
    "target, as PNG or SVG (by the file's extension).";

static const char example[] =
    "neurona forecast temp.nrm --series daily-min-temperatures.csv --period 365 --out forecast.csv\n"
    "neurona forecast temp.nrm --series daily-min-temperatures.csv --steps 7 --plot week.svg";

static int run(const cli_forecast_args *a) {
    cli_forecast fc = {.a = a};
    nr_status s = nr_model_load(a->model, &fc.g, &fc.m);
    if (s == NR_OK) s = cli_forecast_run(&fc);
    if (s == NR_OK) s = cli_forecast_report(&fc);
    cli_forecast_free(&fc);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}

int cmd_forecast(int argc, char **argv) {
    cli_forecast_args a = {0};
    const cli_opt opts[] = {
        CLI_OPT_STR("series", &a.series, "FILE.csv", "the series: a CSV file with the model's columns"),
        CLI_OPT_INT("steps", &a.steps, "N", 1, 1 << 20, "steps forecast from each origin (default: the horizon)"),
        CLI_OPT_INT("period", &a.period, "P", 1, 1 << 20, "season length for the seasonal naive baseline"),
        CLI_OPT_STR("out", &a.out, "FILE.csv", "write every forecast step with truth and baselines"),
        CLI_OPT_STR("plot", &a.plot, "FILE.png|FILE.svg", "draw the forecasts against the truth"),
        CLI_OPT_FLAG("header", &a.header, "the CSV file's first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &a.no_header, "the CSV file has no header row"),
    };
    const cli_command c = {.name = "forecast", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "MODEL", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.model = pos[0];
    if (!a.series) return cli_usage("forecast", "forecast: missing --series FILE.csv");
    if ((rc = cli_check_header("forecast", a.header, a.no_header)) != CLI_RUN) return rc;
    size_t n = a.plot ? strlen(a.plot) : 0;
    if (a.plot && (n < 5 || (strcasecmp(a.plot + n - 4, ".png") != 0 && strcasecmp(a.plot + n - 4, ".svg") != 0)))
        return cli_usage("forecast", "--plot: the file name must end in .png or .svg, got '%s'", a.plot);
    return run(&a);
}
