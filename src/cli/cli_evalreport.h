/* evaluate --report: the figures scikit-learn gives for a saved model's
 * predictions on labelled data (see cli_evalreport.c). */
#ifndef NR_CLI_EVALREPORT_H
#define NR_CLI_EVALREPORT_H

#include "neurona/neurona.h"

typedef struct cli_report_args {
    const char *threshold;   /* two classes: a number or "youden" (NULL: 0.5) */
    int digits;              /* classification report decimals (0: 2) */
    int batch_size;          /* 0: 32 */
    const char *plots;       /* a folder for the plots (cli_metrics.h), or NULL */
    const char *format;      /* --plots: "png", "svg", or NULL for both */
} cli_report_args;

/* Predicts x (already fitted to m's input and scaled) and prints the
 * figures against y: class indices (N,) for a classifier, values (N, U)
 * for regression, as loaded before cli_shape_targets. */
nr_status cli_eval_report(nr_model *m, const nr_tensor *x, const nr_tensor *y, const cli_report_args *a);

#endif
