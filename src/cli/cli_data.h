/* Loading the data a model trains on, is evaluated on or predicts for,
 * from the command line's --data (a CSV file, a folder holding the four
 * MNIST-style IDX files, or a folder of images) and the options that go
 * with it.
 *
 * Format: --data-format when given; else IDX when --train-images or
 * --test-images name files; else a file is CSV, a folder holding
 * train-images-idx3-ubyte or t10k-images-idx3-ubyte (any accepted
 * spelling) is IDX, and another folder holds images: class folders for
 * train and evaluate, every image below it for predict.
 *
 * Shapes: CSV features are (N, F). IDX images are (N, 28, 28, 1) and
 * folder images (N, H, W, C), scaled to [0, 1]. Before use the data is
 * reshaped to the model's input by nr_batch_reshape's rules (a channel
 * axis of 1 added or dropped, flattened for a flat input, CSV rows
 * unflattened); a Sequential without an input shape is built from the
 * data's shape, as Keras would. Images from a folder get the model's
 * input size and colour mode (C = 1 grayscale, 3 rgb, 4 rgba) unless
 * --image-size or --color-mode say otherwise. Targets come back as
 * loaded: class indices (N,) for classification, values (N, 1) for
 * regression; cli_prep.h shapes them for the loss. */
#ifndef NR_CLI_DATA_H
#define NR_CLI_DATA_H

#include "neurona/neurona.h"

typedef enum cli_format { CLI_FORMAT_CSV, CLI_FORMAT_IDX, CLI_FORMAT_IMAGES } cli_format;

/* The data options of a command line (NULL / 0 when not given). */
typedef struct cli_data_args {
    const char *data;          /* --data FILE.csv or DIR */
    const char *format;        /* --data-format idx|images|csv */
    const char *color_mode;    /* --color-mode grayscale|rgb|rgba (image folders) */
    const char *image_size;    /* --image-size HxW (image folders) */
    const char *target;        /* --target: a column name or 0-based index ("-1": last) */
    const char *test;          /* --test FILE.csv (train) */
    int header, no_header;     /* --header / --no-header: force CSV header detection */
    const char *train_images, *train_labels, *test_images, *test_labels;
    nr_prep *prep_fit;         /* preparation steps fitted on the first CSV file read, then applied */
    const nr_prep *prep_apply; /* fitted steps applied to every CSV file (a model's) */
    int classes;               /* the CSV target holds classes, whatever the model's loss */
} cli_data_args;

typedef struct cli_data {
    nr_tensor *x, *y;          /* training set, or the only set; y NULL for features only */
    nr_tensor *x_test, *y_test;/* test set, NULL when none */
    nr_labels *labels;         /* class names of a CSV target or of class folders, or NULL */
    nr_image_folder *files;    /* the images x holds, for an image folder, or NULL */
    int images;                /* images from IDX files or a folder */
} cli_data;

void cli_data_free(cli_data *d);

/* The format of the arguments' data, as above. Errors: a folder that
 * holds neither IDX files nor anything else, a --data-format that does
 * not fit what --data is. */
nr_status cli_data_format(const cli_data_args *a, cli_format *out);

/* Training data for m: x, y and, when the arguments name one (--test, the
 * IDX test files), the test set. A cross-entropy loss makes a numeric CSV
 * target class indices; text targets always are. The test set's class
 * names (CSV or class folders) are mapped onto the training set's. */
nr_status cli_load_train(const cli_data_args *a, nr_model *m, cli_data *d);

/* One labelled set into d->x, d->y for model m: a CSV file, the test
 * files of IDX data, or class folders. The data is fitted to m's input,
 * and class names (a CSV target's, class folders') are mapped to the
 * indices m was trained with. */
nr_status cli_load_labelled(const cli_data_args *a, nr_model *m, cli_data *d);

/* Images only, to draw: an IDX image file, the training (else test)
 * images of an IDX folder, or every image below a folder of images at
 * --image-size and --color-mode (default: rgb, the files' size). */
nr_status cli_load_images(const cli_data_args *a, cli_data *d);

/* "28x28", "28,28" (height, width) or "28" (square) into h, w; 0 when s
 * is not one of these with sides from 1 to 65535. */
int cli_parse_image_size(const char *s, int *h, int *w);

/* The usage error of an --image-size (may be NULL) that is not HxW:
 * cli_usage's exit code, or CLI_RUN (cli_args.h). */
int cli_check_image_size(const char *cmd, const char *image_size);

/* Features only into d->x: a CSV file without the --target column (if
 * given), the test images of IDX data, or every image below a folder
 * (d->files names them) at the size and colour mode m's input asks for. */
nr_status cli_load_features(const cli_data_args *a, nr_model *m, cli_data *d);

#endif
