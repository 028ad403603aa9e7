/* Data preparation steps on the command line: the step options shared by
 * `neurona prep` and `neurona train` (one ordered list, syntax in
 * neurona/prep.h), and running a pipeline over a CSV table as it is
 * loaded. */
#ifndef NR_CLI_PIPELINE_H
#define NR_CLI_PIPELINE_H

#include "cli/cli_args.h"
#include "neurona/neurona.h"

/* The option rows, in a command's table. */
#define CLI_PREP_OPTS(steps)                                                                                   \
    CLI_OPT_STEP_OPT("drop-missing", (steps), "COL,...", "drop rows with a missing value (in any column, or these)"), \
    CLI_OPT_STEP("fill", (steps), "COL=HOW", "fill missing cells: mean|median|mode|VALUE|mean:CLASSCOL|median:CLASSCOL"), \
    CLI_OPT_STEP("bins", (steps), "COL=BINS", "cut into bins: K:width|K:freq|E0,E1,...|<=E1:LABEL,...,>EK:LABEL"), \
    CLI_OPT_STEP("onehot", (steps), "COL", "one 0/1 column per value, named COL_VALUE (pandas get_dummies)"), \
    CLI_OPT_STEP("ordinal", (steps), "COL=V1,V2,...", "codes 0, 1, ... of the values in this order"), \
    CLI_OPT_STEP("normalize", (steps), "COL=HOW", "minmax|minmax:A,B|zscore|zscore:sample, fitted on these rows")

/* A pipeline of the steps, in order. Caller frees *out with nr_prep_free. */
nr_status cli_prep_build(const cli_steps *steps, nr_prep **out);

/* Runs a pipeline over *csv, replacing it with the prepared table: fits
 * fit when it is not fitted yet (printing what each step did to report,
 * which may be NULL), else applies it; or applies apply. target, when
 * not NULL, is the column new data may lack; it must be named, not
 * indexed, since steps move columns. */
nr_status cli_prep_csv(nr_prep *fit, const nr_prep *apply, const char *target, nr_csv **csv, FILE *report);

#endif
