/* Time series from the command line: the options of `train --series`,
 * the training, validation and test windows they give (scaled, shaped for
 * the model, the windowing and scaler recorded in the model), and the
 * series a saved model forecasts on. The rules (windows, split, scaling)
 * are the library's, in neurona/data.h. */
#ifndef NR_CLI_SERIES_H
#define NR_CLI_SERIES_H

#include "neurona/neurona.h"

/* The series options of `train` (NULL / 0 when not given). */
typedef struct cli_series_args {
    const char *path;       /* --series FILE.csv */
    const char *columns;    /* --columns COL[,COL...]; default: the targets */
    const char *target;     /* --target COL[,COL...] */
    int window, horizon, stride;
    const char *split;      /* --split TRAIN,VAL,TEST */
} cli_series_args;

/* "0.7,0.15,0.15" into f; 0 when it is not three numbers. */
int cli_parse_split(const char *s, double f[3]);

/* Comma-separated column names, split in one owned buffer. */
typedef struct cli_names {
    char *buf;
    const char **v;
    int n;
} cli_names;

nr_status cli_names_parse(const char *list, const char *option, cli_names *out);
void cli_names_free(cli_names *n);

/* Reads the columns o needs (nr_series_columns) from a CSV file;
 * header: 1 forces a header row, -1 none, 0 detects. */
nr_status cli_series_load(const char *path, int header, const nr_series_opts *o, nr_series **out);

/* Training data of a series, and what owns the options' strings. */
typedef struct cli_series_data {
    cli_names features, targets;
    nr_series_opts o;
    nr_series *series;           /* scaled */
    int64_t bounds[4];           /* nr_series_split */
    nr_tensor *x[3], *y[3];      /* windows of each part; NULL for an empty part */
} cli_series_data;

/* Loads a->path, splits it, fits the scale kind ("standard", "minmax",
 * "none") on the training steps, makes each part's windows, fits them to
 * m's input and output shapes, and records the windowing and scaler in m.
 * The loss must be a regression loss. */
nr_status cli_series_train_data(const cli_series_args *a, int header, const char *scale, nr_model *m,
                                cli_series_data *d);
void cli_series_data_free(cli_series_data *d);

/* Refuses a series model in a command that feeds rows (predict,
 * evaluate), pointing to `neurona forecast`. */
nr_status cli_check_not_series(const nr_model *m, const char *path);

#endif
