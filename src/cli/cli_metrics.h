/* Printing a model's or a predictions file's figures: the confusion
 * matrix with class names, sklearn's classification report, the binary
 * figures (ROC AUC, average precision, sensitivity, specificity and FPR
 * at a threshold), one-vs-rest ROC AUC, and the regression metrics.
 * Shared by `neurona metrics` and `neurona evaluate --report`. */
#ifndef NR_CLI_METRICS_H
#define NR_CLI_METRICS_H

#include <stdio.h>
#include "cli/cli_plotdir.h"
#include "neurona/neurona.h"

/* Labelled predictions of k classes, indices into names. */
typedef struct cli_classes {
    int64_t n;
    int k;
    const char *const *names;  /* k class names */
    const int *y_true, *y_pred;
    /* Scores, or NULL: binary (k == 2), one per row, higher meaning the
     * positive class; otherwise (n, k) row-major class probabilities. */
    const double *score;
    int positive;              /* binary: the positive class (0 or 1) */
    const char *threshold;     /* a number or "youden"; NULL: 0.5 for scores in [0, 1], else 0 */
    int digits;                /* the report's decimals (0: 2) */
} cli_classes;

/* Prints everything that applies to f. The confusion matrix and the
 * report list the classes present in y_true or y_pred (sklearn's
 * unique_labels), the ranking figures use all k. Errors: a bad --threshold, a
 * figure that is not defined (one class for ROC AUC), as the metrics
 * report them. */
nr_status cli_print_classes(const cli_classes *c, FILE *f);

/* MSE, RMSE, MAE and R² of one output column, named by what (may be
 * NULL when there is one). */
nr_status cli_print_regression(const double *y_true, const double *y_pred, int64_t n, const char *what, FILE *f);

/* The plots of f into p's folder, as metrics_confusion, metrics_roc,
 * metrics_precision_recall (two classes with scores) or metrics_roc_ovr
 * (more classes with scores); the confusion matrix over all k classes. */
nr_status cli_plot_classes(const cli_classes *c, cli_plotdir *p);
/* Predicted against true values with the y = x line, as
 * metrics_WHAT (metrics_predicted_vs_true when what is NULL). */
nr_status cli_plot_regression(const double *y_true, const double *y_pred, int64_t n, const char *what,
                              cli_plotdir *p);

#endif
