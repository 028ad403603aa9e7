/* Loading the data a model trains on, is evaluated on or predicts for,
 * from the command line's --data (a CSV file, or a folder holding the four
 * MNIST-style IDX files) and the options that go with it.
 *
 * Shapes: CSV features are (N, F). IDX images keep their shape
 * (N, 28, 28, 1), scaled to [0, 1]: a model whose Input asks for (784,)
 * takes them as they are (the same numbers per row), and a Sequential
 * without an input shape is built from (28, 28, 1), as Keras would, so it
 * needs a Flatten before its first Dense. Targets come back as loaded:
 * class indices (N,) for classification, values (N, 1) for regression;
 * cli_prep.h shapes them for the loss. */
#ifndef NR_CLI_DATA_H
#define NR_CLI_DATA_H

#include "neurona/neurona.h"

/* The data options of a command line (NULL / 0 when not given). */
typedef struct cli_data_args {
    const char *data;          /* --data FILE.csv or DIR */
    const char *target;        /* --target: a column name or 0-based index ("-1": last) */
    const char *test;          /* --test FILE.csv (train) */
    int header, no_header;     /* --header / --no-header: force CSV header detection */
    const char *train_images, *train_labels, *test_images, *test_labels;
} cli_data_args;

typedef struct cli_data {
    nr_tensor *x, *y;          /* training set, or the only set; y NULL for features only */
    nr_tensor *x_test, *y_test;/* test set, NULL when none */
    nr_labels *labels;         /* class names of a CSV target, or NULL */
    int images;                /* from IDX files */
} cli_data;

void cli_data_free(cli_data *d);

/* 1 when the arguments name IDX data (a folder, or --*-images files). */
int cli_data_is_idx(const cli_data_args *a);

/* Training data: x, y and, when the arguments name one (--test, the IDX
 * test files), the test set. classification (from the loss) makes a
 * numeric CSV target class indices; text targets always are. The test
 * CSV's class names are mapped onto the training set's. */
nr_status cli_load_train(const cli_data_args *a, int classification, cli_data *d);

/* One labelled set into d->x, d->y for model m: a CSV file, or the test
 * files of IDX data. The data's shape is checked against m's input, and a
 * CSV target's class names are mapped to the indices m was trained with. */
nr_status cli_load_labelled(const cli_data_args *a, nr_model *m, cli_data *d);

/* Features only into d->x: a CSV file without the --target column (if
 * given), or the test images of IDX data. */
nr_status cli_load_features(const cli_data_args *a, cli_data *d);

#endif
