/* Pieces of `neurona anomaly`: the anomaly class named on the command
 * line, the --threshold rule, and what it writes besides its report: the
 * test set's precision-recall curve, the histograms of the errors and the
 * per-row errors as CSV. */
#ifndef NR_CLI_ANOMALY_H
#define NR_CLI_ANOMALY_H

#include "neurona/neurona.h"

/* The class index of name: a class name of labels (may be NULL), else an
 * integer label. */
nr_status cli_anomaly_class(const nr_labels *labels, const char *name, int *cls);

/* --threshold: "f1", "percentile[:P]", "meanstd[:K]" or a number (*fixed
 * set to 1 and *value to it). 0 when s is none of these. */
int cli_threshold_parse(const char *s, nr_threshold_opts *o, int *fixed, double *value);

/* One labelled set of errors. */
typedef struct cli_errors {
    const double *error;
    const int *anomaly;
    int64_t n;
} cli_errors;

/* The precision-recall curve of the test errors with the operating
 * point of the threshold marked; PNG or SVG by the extension. */
nr_status cli_anomaly_pr_plot(const char *path, const cli_errors *test, const nr_anomaly_scores *sc);

/* Histograms of the normal rows' and the anomalies' errors, one panel
 * each, with the threshold as a dashed line. */
nr_status cli_anomaly_hist_plot(const char *path, const cli_errors *test, double threshold);

/* set,error,anomaly,flagged: one row per validation and test row. */
nr_status cli_anomaly_scores_csv(const char *path, const cli_errors *val, const cli_errors *test, double threshold);

#endif
