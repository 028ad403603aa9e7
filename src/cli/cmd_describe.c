/* neurona describe: the figures people look at before training, for
 * every column of a CSV file (or the ones named), and optionally their
 * plots. */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_describe.h"
#include "cli/cli_series.h"
#include "core/core.h"

static const char usage[] =
    "FILE.csv [--columns A,B,...] [--percentiles P,...] [--method NAME] [--plots DIR [--format png|svg] "
    "[--scatter A,B]]";

static const char about[] =
    "Describes the columns of a CSV file. Numeric columns: count, missing,\n"
    "mean, standard deviation, min, quartiles, max (pandas' describe()), then\n"
    "median, modes, midrange, range, sample and population variance and\n"
    "standard deviation, IQR and the outliers with their rows. Text columns:\n"
    "the distinct values with their counts and the modes. Then the Pearson\n"
    "correlation and the covariance of the numeric columns (each pair over the\n"
    "rows where both are present, as pandas does) and the pairs that correlate\n"
    "strongly (|r| >= 0.8) or weakly (0.5 <= |r| < 0.8).";

static const char notes[] =
    "Percentiles and quartiles follow NumPy's methods: linear (the default),\n"
    "lower, higher, nearest, midpoint, inverted_cdf, averaged_inverted_cdf,\n"
    "closest_observation, interpolated_inverted_cdf, hazen, weibull,\n"
    "median_unbiased, normal_unbiased. Mild outliers lie beyond 1.5 IQR from\n"
    "the quartiles, extreme ones beyond 3 IQR; rows count data rows from 0.\n"
    "Missing cells (empty, NA, NaN, N/A, ?, null) are counted and left out.\n"
    "--plots DIR writes COLUMN_hist and COLUMN_box for numeric columns,\n"
    "COLUMN_bar and COLUMN_pie for text ones, A_B_scatter for each strongly\n"
    "correlated pair (or the --scatter pair) and correlation_heatmap, each as\n"
    "PNG and SVG unless --format picks one.";

static const char example[] =
    "neurona describe data/iris.csv\n"
    "neurona describe data/iris.csv --columns petal_length,species --percentiles 5,95 --plots plots";

/* "5,95" into *out (caller frees); 0 when malformed or outside [0, 100]. */
static int parse_percentiles(const char *s, double **out, int *n) {
    *n = 1;
    for (const char *p = s; *p; p++) *n += *p == ',';
    *out = nr_malloc((size_t)*n * sizeof **out);
    char *end = (char *)s;
    for (int i = 0; *out && i < *n; i++) {
        const char *at = end + (i > 0);
        if (i > 0 && *end != ',') return 0;
        (*out)[i] = strtod(at, &end);
        if (end == at || !((*out)[i] >= 0 && (*out)[i] <= 100)) return 0;
    }
    return *out && *end == 0;
}

static int run(const cli_describe_args *a, const nr_describe_opts *o) {
    nr_csv *csv = NULL;
    nr_describe *d = NULL;
    cli_names cols = {0};
    nr_describe_opts opts = *o;
    nr_csv_opts copts = {.header = a->header ? 1 : a->no_header ? -1 : 0};
    nr_status s = nr_csv_read(a->file, &copts, &csv);
    if (s == NR_OK && a->columns) s = cli_names_parse(a->columns, "columns", &cols);
    opts.columns = cols.v, opts.n_columns = cols.n;
    if (s == NR_OK) s = nr_describe_csv(csv, &opts, &d);
    int pair[2];
    if (s == NR_OK && a->scatter) s = cli_describe_scatter_pair(csv, d, a->scatter, pair);
    if (s == NR_OK) cli_describe_print(csv, d);
    if (s == NR_OK && a->plots) s = cli_describe_plots(csv, d, a->plots, a->format, a->scatter ? pair : NULL);
    nr_describe_free(d);
    cli_names_free(&cols);
    nr_csv_free(csv);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}

int cmd_describe(int argc, char **argv) {
    cli_describe_args a = {0};
    const cli_opt opts[] = {
        CLI_OPT_STR("columns", &a.columns, "A,B,...", "describe these columns only (default: all)"),
        CLI_OPT_STR("percentiles", &a.percentiles, "P,...", "extra percentiles in [0, 100], e.g. 5,95"),
        CLI_OPT_STR("method", &a.method, "NAME", "NumPy's percentile method (default: linear)"),
        CLI_OPT_STR("plots", &a.plots, "DIR", "write histograms, box plots, bar, pie, scatter and heat map plots"),
        CLI_OPT_CHOICE("format", &a.format, "png|svg", "the plots' format (default: both)"),
        CLI_OPT_STR("scatter", &a.scatter, "A,B", "plot this pair (default: every strongly correlated pair)"),
        CLI_OPT_FLAG("header", &a.header, "the CSV file's first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &a.no_header, "the CSV file has no header row"),
    };
    const cli_command c = {.name = "describe", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "FILE.csv", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.file = pos[0];
    if ((rc = cli_check_header("describe", a.header, a.no_header)) != CLI_RUN) return rc;
    if ((a.format || a.scatter) && !a.plots) return cli_usage("describe", "--format and --scatter need --plots DIR");
    nr_describe_opts o = {0};
    if (a.method && nr_quantile_method_parse(a.method, &o.method) != NR_OK)
        return cli_usage("describe", "--method: %s", nr_last_error());
    double *pcts = NULL;
    if (a.percentiles && !parse_percentiles(a.percentiles, &pcts, &o.n_percentiles)) {
        nr_free(pcts);
        return cli_usage("describe", "--percentiles: expected numbers from 0 to 100 like 5,95, got '%s'",
                         a.percentiles);
    }
    o.percentiles = pcts;
    rc = run(&a, &o);
    nr_free(pcts);
    return rc;
}
