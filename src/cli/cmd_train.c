/* neurona train: builds the model a SPEC file defines, trains it on CSV,
 * IDX or image-folder data, or on the windows of a time series, as its
 * compile() and fit() say, reports the test figures and saves the model
 * with its scaler, class names or series windowing, so that evaluate,
 * predict and forecast can take raw data. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_autoencoder.h"
#include "cli/cli_data.h"
#include "cli/cli_pipeline.h"
#include "cli/cli_prep.h"
#include "cli/cli_series.h"
#include "cli/cli_spec.h"
#include "core/core.h"

/* Fixed by default so that a run can be repeated; --seed changes it. */
#define DEFAULT_SEED 42

typedef struct train_args {
    const char *spec;
    cli_data_args data;
    cli_series_args series;    /* --series and its windowing */
    double test_split;         /* 0: none */
    const char *scale;         /* NULL: standard for CSV, none for images */
    int epochs, batch_size;    /* 0: the SPEC's fit() value */
    int verbose;               /* -1: the SPEC's, else 1 */
    int seed;
    const char *out, *history;
    cli_steps steps;           /* data preparation, fitted on --data */
    const char *model;         /* --model: which model of the SPEC, or NULL */
    cli_steps saves;           /* --save-model NAME=FILE */
    int autoencoder;           /* targets are the inputs */
    double noise;              /* --noise: stddev of the inputs' Gaussian noise, 0: none */
    int fresh_noise;           /* new noise every epoch */
} train_args;

/* Everything a run holds, freed in one place. */
typedef struct train_run {
    const train_args *a;
    nr_spec *spec;
    nr_model *m;
    nr_loss_kind loss;
    cli_data d;
    cli_series_data sd;        /* a series' windows; its validation part feeds fit() */
    nr_fit_opts fit;
    nr_history *history;
    nr_prep *prep;             /* the steps, fitted while loading --data */
    nr_callback *fresh;        /* --fresh-noise */
    nr_callback **callbacks;   /* the SPEC's and fresh */
} train_run;

static const char usage[] =
    "SPEC --data FILE.csv --target COL [--test FILE.csv | --test-split F] [options]\n"
    "SPEC --data DIR [--test DIR | --test-split F] [options]\n"
    "SPEC --train-images FILE --train-labels FILE [--test-images FILE --test-labels FILE] [options]\n"
    "SPEC --series FILE.csv --target COL[,COL...] [--columns COL[,COL...]] --window N [--horizon N]\n"
    "     [--stride N] [--split 0.7,0.15,0.15] [options]\n"
    "SPEC --data FILE.csv|DIR --autoencoder [--noise F [--fresh-noise]] [--model NAME] [options]";

static const char about[] =
    "Trains the model that SPEC defines (its layers, compile() and optional fit()),\n"
    "prints its summary, the progress of every epoch and, when there is a test set,\n"
    "the test loss and metrics on a line starting 'test'; then saves the model.";

static const char notes[] =
    "CSV data: the --target column is predicted from every other column. A text\n"
    "target holds class names; a numeric one holds classes when the loss is a\n"
    "cross-entropy, values otherwise. Features are scaled with statistics of the\n"
    "training rows only; the scaler and the class names are saved in the model.\n"
    "IDX data: DIR holds train-images-idx3-ubyte, train-labels-idx1-ubyte,\n"
    "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz); the\n"
    "t10k files are the test set.\n"
    "Image folders: DIR holds one sub-folder of .png/.jpg/.jpeg images per class,\n"
    "as Keras's image_dataset_from_directory reads it; the sorted folder names are\n"
    "the classes, saved in the model. Images take the size and channels of the\n"
    "model's Input (e.g. (32, 32, 3): 32x32 RGB) unless --image-size and\n"
    "--color-mode say otherwise; without either, all must share one size.\n"
    "Images (IDX or folders) are scaled to [0, 1] and keep their (H, W, C) shape:\n"
    "a model's Input of (H, W) or (H*W*C,) takes them too, and a channel axis\n"
    "of 1 is added or dropped as the Input needs.\n"
    "--data-format says what --data holds when the folder's contents cannot.\n"
    "Time series (--series): each window of --window steps of the --columns\n"
    "(default: the targets) predicts the next --horizon steps of the --target\n"
    "columns; the model's input is (window, columns) and its output horizon x\n"
    "targets values, step by step (or shaped (horizon, targets)). The file is\n"
    "split in time into training, validation and test steps (--split); a window\n"
    "belongs to the part holding all its targets, its inputs may reach back.\n"
    "The scaler is fitted on the training steps. fit() validates on the\n"
    "validation windows; the test line is in scaled units, 'neurona forecast'\n"
    "gives errors in the data's units.\n"
    "Autoencoders (--autoencoder): the targets are the inputs, as the model\n"
    "takes them (scaled, shaped to its output); labels are not read (CSV: every\n"
    "column but --target, if given). --noise F trains a denoising autoencoder:\n"
    "the inputs get Gaussian noise of standard deviation F (clipped to [0, 1]\n"
    "for images, as the Keras blog's x + F * normal() clipped), the targets\n"
    "stay clean; the noise is drawn once from --seed, as in the blog, or anew\n"
    "every epoch with --fresh-noise. The test set gets noise the same way.\n"
    "--model NAME trains the SPEC's model NAME (default: the variable 'model',\n"
    "else the model compiled); --save-model NAME=FILE also saves another\n"
    "model of the SPEC, such as the encoder inside the autoencoder.\n"
    "--epochs, --batch-size and --verbose override the SPEC's fit() values.\n"
    "--seed drives the initial weights, dropout, shuffling and --test-split.\n"
    "Preparation steps (--drop-missing, --fill, --bins, --onehot, --ordinal,\n"
    "--normalize; syntax in 'neurona prep --help') run on CSV data in the order\n"
    "given, fitted on the --data rows and applied to --test; the model keeps them\n"
    "and predict and evaluate apply them. Give --target by name with them.";

static const char example[] =
    "neurona train examples/iris_mlp.nr --data data/iris.csv --target species \\\n"
    "    --test-split 0.2 --out iris.nrm --history iris_history.csv\n"
    "neurona train examples/fashion_mlp.nr --data /usr/share/datasets/fashion-mnist\n"
    "neurona train cnn.nr --data photos/train --test photos/test --image-size 64x64\n"
    "neurona train temp.nr --series daily-min-temperatures.csv --target Temp --window 30 --horizon 1\n"
    "neurona train examples/mnist_denoising.nr --data mnist --autoencoder --noise 0.5 --save-model encoder=enc.nrm";

/* "examples/iris_mlp.nr" -> "iris_mlp.nrm", in the current folder. */
static void default_out(const char *spec, char *buf, size_t size) {
    const char *base = strrchr(spec, '/');
    base = base ? base + 1 : spec;
    const char *dot = strrchr(base, '.');
    int len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    snprintf(buf, size, "%.*s.nrm", len, base);
}

/* The data arguments that fit the data's format. */
static int check_format(const train_args *a, cli_format format) {
    const cli_data_args *d = &a->data;
    if (a->test_split > 0 && (d->test || (format == CLI_FORMAT_IDX && d->data) || d->test_images))
        return cli_usage("train", "--test-split cannot be combined with --test or with IDX test files");
    if (format == CLI_FORMAT_CSV && !d->target && !a->autoencoder)
        return cli_usage("train", "train: CSV data needs --target COL (a column name or index)");
    if (format != CLI_FORMAT_CSV && d->target)
        return cli_usage("train", "--target is for CSV data; IDX files and image folders hold their labels");
    if (format == CLI_FORMAT_IDX && d->test)
        return cli_usage("train", "--test is for CSV files and image folders; IDX data's test set is its t10k files");
    if (format != CLI_FORMAT_IMAGES && (d->color_mode || d->image_size))
        return cli_usage("train", "--color-mode and --image-size are for folders of images");
    if (a->steps.n && format != CLI_FORMAT_CSV)
        return cli_usage("train", "preparation steps (--fill, --bins, ...) are for CSV data");
    if (a->steps.n && a->test_split > 0)
        return cli_usage("train", "preparation steps are fitted on the training rows only: give the test rows as "
                         "--test FILE.csv rather than --test-split");
    return CLI_RUN;
}

/* --series takes the place of every other data option. */
static int check_series(const train_args *a) {
    const cli_data_args *d = &a->data;
    const cli_series_args *s = &a->series;
    double f[3];
    if (d->data || d->test || d->train_images || d->test_images || a->test_split > 0 || d->format)
        return cli_usage("train", "--series replaces --data, --test, --test-split and the IDX options; "
                         "its test part comes from --split");
    if (d->color_mode || d->image_size) return cli_usage("train", "--color-mode and --image-size are for images");
    if (!d->target) return cli_usage("train", "train: --series needs --target COL[,COL...], the columns to forecast");
    if (!s->window) return cli_usage("train", "train: --series needs --window N, the input steps of each window");
    if (s->split && !cli_parse_split(s->split, f))
        return cli_usage("train", "--split: expected three fractions TRAIN,VAL,TEST such as 0.7,0.15,0.15, got '%s'",
                         s->split);
    return CLI_RUN;
}

static int check_args(const train_args *a) {
    const cli_data_args *d = &a->data;
    const cli_series_args *ser = &a->series;
    int rc = cli_check_header("train", d->header, d->no_header);
    if (rc != CLI_RUN) return rc;
    if (ser->path && a->steps.n) return cli_usage("train", "preparation steps are for --data FILE.csv, not --series");
    if (ser->path && a->autoencoder) return cli_usage("train", "--autoencoder and --noise are for --data, not --series");
    if (ser->path) return check_series(a);
    if (a->fresh_noise && !a->noise) return cli_usage("train", "--fresh-noise goes with --noise F");
    if (a->noise < 0) return cli_usage("train", "--noise: expected a standard deviation > 0, got %g", a->noise);
    if (ser->columns || ser->window || ser->horizon || ser->stride || ser->split)
        return cli_usage("train", "--columns, --window, --horizon, --stride and --split go with --series FILE.csv");
    if (!d->data && !d->train_images) return cli_usage("train", "train: missing --data FILE.csv|DIR");
    if (a->test_split != 0 && !(a->test_split > 0 && a->test_split < 1))
        return cli_usage("train", "--test-split: expected a fraction between 0 and 1, got %g", a->test_split);
    if (!d->train_images != !d->train_labels || !d->test_images != !d->test_labels)
        return cli_usage("train", "IDX files come in pairs: --train-images with --train-labels, "
                         "--test-images with --test-labels");
    if ((rc = cli_check_image_size("train", d->image_size)) != CLI_RUN) return rc;
    cli_format format;
    nr_status s = cli_data_format(d, &format);
    return s == NR_OK ? check_format(a, format) : cli_fail(s);
}

static const char *scale_kind(const train_run *r) {
    return r->a->scale ? r->a->scale : r->d.images ? "none" : "standard";
}

static nr_status load_spec(train_run *r) {
    NR_TRY(cli_spec_load(r->a->spec, r->a->seed, r->a->model, &r->spec, &r->m));
    r->loss = nr_model_loss(r->m, 0).kind;
    NR_TRY(cli_check_single_io(r->m));
    return r->a->autoencoder ? cli_ae_check_loss(r->m, r->a->spec) : NR_OK;
}

/* Holds out a test set, stratified by class for classification. */
static nr_status split(train_run *r) {
    cli_data *d = &r->d;
    if (r->a->test_split <= 0 || d->x_test) return NR_OK;
    nr_tensor *xtr, *xte, *ytr, *yte;
    int stratify = cli_loss_is_classification(r->loss) && d->y;
    NR_TRY(nr_train_test_split(d->x, d->y, (float)r->a->test_split, (uint64_t)r->a->seed, stratify, &xtr, &xte, &ytr,
                               &yte));
    nr_tensor_free(d->x);
    nr_tensor_free(d->y);
    d->x = xtr, d->y = ytr, d->x_test = xte, d->y_test = yte;
    return NR_OK;
}

/* Data in the model's terms: input checked, features scaled, class names
 * kept, targets shaped for the loss. */
static nr_status prepare(train_run *r) {
    cli_data *d = &r->d;
    const cli_data_args *a = &r->a->data;
    const char *src = a->data ? a->data : a->train_images;
    NR_TRY(cli_fit_input(r->m, d->x, src, NULL));
    const char *test_src = a->test ? a->test : a->test_images ? a->test_images : src;
    if (d->x_test) NR_TRY(cli_fit_input(r->m, d->x_test, test_src, NULL));
    NR_TRY(cli_fit_scaler(r->m, scale_kind(r), d->x, d->x_test));
    NR_TRY(cli_check_classes(r->m, r->loss, d->labels, src));
    if (d->labels && cli_loss_is_classification(r->loss)) NR_TRY(nr_model_set_labels(r->m, d->labels));
    NR_TRY(cli_shape_targets(r->m, r->loss, &d->y));
    return d->y_test ? cli_shape_targets(r->m, r->loss, &d->y_test) : NR_OK;
}

/* An autoencoder's inputs, labels dropped: the IDX files' images, else
 * CSV features (every column but --target) or every image below a folder,
 * of --data and of --test. */
static nr_status load_ae_inputs(train_run *r, cli_data_args *da) {
    cli_data *d = &r->d;
    cli_format format;
    NR_TRY(cli_data_format(da, &format));
    if (format == CLI_FORMAT_IDX) NR_TRY(cli_load_train(da, r->m, d));
    else NR_TRY(cli_load_features(da, r->m, d));
    nr_tensor_free(d->y);
    nr_tensor_free(d->y_test);
    nr_labels_free(d->labels);
    d->y = d->y_test = NULL, d->labels = NULL;
    if (format == CLI_FORMAT_IDX || !da->test) return NR_OK;
    cli_data t;
    da->data = da->test;
    nr_status s = cli_load_features(da, r->m, &t);
    if (s == NR_OK) d->x_test = t.x, t.x = NULL;
    cli_data_free(&t);
    return s;
}

/* Inputs fitted to the model and scaled, targets copied from them, then
 * the noise of a denoising autoencoder. */
static nr_status prepare_ae(train_run *r) {
    cli_data *d = &r->d;
    const cli_data_args *a = &r->a->data;
    const char *src = a->data ? a->data : a->train_images;
    NR_TRY(cli_fit_input(r->m, d->x, src, NULL));
    if (d->x_test) NR_TRY(cli_fit_input(r->m, d->x_test, a->test ? a->test : src, NULL));
    NR_TRY(cli_fit_scaler(r->m, scale_kind(r), d->x, d->x_test));
    NR_TRY(cli_ae_targets(r->m, d->x, &d->y));
    if (d->x_test) NR_TRY(cli_ae_targets(r->m, d->x_test, &d->y_test));
    if (!r->a->noise) return NR_OK;
    cli_noise n = {.stddev = r->a->noise, .images = d->images, .seed = (uint64_t)r->a->seed};
    NR_TRY(cli_ae_add_noise(&n, d->x, 0));
    if (d->x_test) NR_TRY(cli_ae_add_noise(&n, d->x_test, 1));
    return r->a->fresh_noise ? cli_ae_fresh_noise(&n, d->x, d->y, &r->fresh) : NR_OK;
}

/* A series' windows: training and test parts go where CSV rows would,
 * the validation part stays in r->sd for fit(). */
static nr_status load_series(train_run *r) {
    cli_series_args sa = r->a->series;
    const cli_data_args *d = &r->a->data;
    sa.target = d->target;
    NR_TRY(cli_series_train_data(&sa, d->header ? 1 : d->no_header ? -1 : 0, scale_kind(r), r->m, &r->sd));
    r->d.x = r->sd.x[0], r->d.y = r->sd.y[0], r->d.x_test = r->sd.x[2], r->d.y_test = r->sd.y[2];
    r->sd.x[0] = r->sd.y[0] = r->sd.x[2] = r->sd.y[2] = NULL;
    return NR_OK;
}

/* Table data, images or IDX files, ready for the model. */
static nr_status load_data(train_run *r) {
    cli_data_args da = r->a->data;
    if (r->a->steps.n) NR_TRY(cli_prep_build(&r->a->steps, &r->prep));
    da.prep_fit = r->prep;
    NR_TRY(r->a->autoencoder ? load_ae_inputs(r, &da) : cli_load_train(&da, r->m, &r->d));
    if (r->prep) NR_TRY(nr_model_set_prep(r->m, r->prep));
    NR_TRY(split(r));
    return r->a->autoencoder ? prepare_ae(r) : prepare(r);
}

/* The SPEC's fit() with the command line's overrides. Without either,
 * verbose is 1, Keras's default (a SPEC's fit() defaults to it too). */
static nr_status fit_opts(train_run *r) {
    r->fit = cli_spec_fit_opts(r->spec, r->a->epochs, r->a->batch_size, r->a->verbose);
    if (r->sd.x[1]) {
        r->fit.validation_x = (const nr_tensor *const *)&r->sd.x[1];
        r->fit.validation_y = (const nr_tensor *const *)&r->sd.y[1];
    }
    if (!r->fresh) return NR_OK;
    int n = r->fit.n_callbacks;
    if (!(r->callbacks = nr_malloc((size_t)(n + 1) * sizeof *r->callbacks))) return NR_NOMEM();
    for (int i = 0; i < n; i++) r->callbacks[i] = r->fit.callbacks[i];
    r->callbacks[n] = r->fresh;
    r->fit.callbacks = r->callbacks;
    r->fit.n_callbacks = n + 1;
    return NR_OK;
}

static void print_series_plan(const train_run *r) {
    const cli_series_data *sd = &r->sd;
    const int64_t *b = sd->bounds;
    printf("Series: %lld steps; windows of %d steps predict %d step%s ahead, every %d step%s\n",
           (long long)b[3], sd->o.window, sd->o.horizon, sd->o.horizon == 1 ? "" : "s", sd->o.stride,
           sd->o.stride == 1 ? "" : "s");
    printf("Data: %lld training windows (target steps 0..%lld)", (long long)r->d.x->shape[0], (long long)b[1] - 1);
    if (sd->x[1])
        printf(", %lld validation windows (%lld..%lld)", (long long)sd->x[1]->shape[0], (long long)b[1],
               (long long)b[2] - 1);
    if (r->d.x_test)
        printf(", %lld test windows (%lld..%lld)", (long long)r->d.x_test->shape[0], (long long)b[2],
               (long long)b[3] - 1);
    printf("; scaling: %s, fitted on the training steps; seed: %d\n", scale_kind(r), r->a->seed);
}

static void print_plan(const train_run *r) {
    const cli_data *d = &r->d;
    if (r->a->series.path) {
        print_series_plan(r);
        return;
    }
    printf("Data: %lld training samples", (long long)d->x->shape[0]);
    if (d->x_test) printf(", %lld test samples", (long long)d->x_test->shape[0]);
    if (d->labels) printf(", %d classes", nr_labels_count(d->labels));
    printf("; scaling: %s; seed: %d\n", scale_kind(r), r->a->seed);
    if (!r->a->autoencoder) return;
    printf("Autoencoder: the targets are the inputs");
    if (r->a->noise)
        printf("; the inputs get Gaussian noise of stddev %g%s, drawn %s", r->a->noise,
               r->d.images ? " clipped to [0, 1]" : "", r->a->fresh_noise ? "anew every epoch" : "once");
    printf("\n");
}

static nr_status train(train_run *r) {
    NR_TRY(fit_opts(r));
    if (r->fit.verbose) {
        NR_TRY(nr_model_summary(r->m, stdout));
        print_plan(r);
    }
    fflush(stdout);
    const nr_tensor *x[1] = {r->d.x}, *y[1] = {r->d.y};
    return nr_model_fit(r->m, x, y, &r->fit, &r->history);
}

static nr_status test(train_run *r) {
    if (!r->d.x_test) return NR_OK;
    const nr_tensor *x[1] = {r->d.x_test}, *y[1] = {r->d.y_test};
    nr_eval_opts o = {.batch_size = r->fit.batch_size};
    nr_logs logs;
    NR_TRY(nr_model_evaluate(r->m, x, y, &o, &logs));
    char buf[1024];
    printf("test %s\n", nr_logs_format(&logs, buf, sizeof buf));
    return NR_OK;
}

static nr_status save(train_run *r) {
    char out[4096];
    if (r->a->out) snprintf(out, sizeof out, "%s", r->a->out);
    else default_out(r->a->spec, out, sizeof out);
    NR_TRY(nr_model_save(r->m, out));
    printf("Saved model to %s\n", out);
    if (r->a->history && r->history) {
        NR_TRY(nr_history_save_csv(r->history, r->a->history));
        printf("Saved history to %s\n", r->a->history);
    }
    return cli_spec_save_named(r->spec, r->a->spec, &r->a->saves);
}

static int run(const train_args *a) {
    train_run r = {.a = a};
    nr_status s = load_spec(&r);
    if (s == NR_OK) s = a->series.path ? load_series(&r) : load_data(&r);
    if (s == NR_OK) s = train(&r);
    if (s == NR_OK) s = test(&r);
    if (s == NR_OK) s = save(&r);
    int rc = s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
    nr_history_free(r.history);
    cli_data_free(&r.d);
    cli_series_data_free(&r.sd);
    nr_prep_free(r.prep);
    nr_callback_free(r.fresh);
    nr_free(r.callbacks);
    if (r.spec) nr_spec_free(r.spec);
    return rc;
}

int cmd_train(int argc, char **argv) {
    train_args a = {.verbose = -1, .seed = DEFAULT_SEED};
    cli_data_args *d = &a.data;
    const cli_opt opts[] = {
        CLI_OPT_STR("data", &d->data, "FILE.csv|DIR", "training data: a CSV file, a folder of IDX files or of images"),
        CLI_OPT_CHOICE("data-format", &d->format, "idx|images|csv", "what --data holds (default: told by what it is)"),
        CLI_OPT_STR("target", &d->target, "COL", "CSV column to predict: a name, or a 0-based index (-1: last); "
                    "series: COL[,COL...]"),
        CLI_OPT_STR("test", &d->test, "FILE.csv|DIR", "test set: a CSV file with the same columns, or class folders"),
        CLI_OPT_FLOAT("test-split", &a.test_split, "F", "hold out this fraction of the rows as the test set"),
        CLI_OPT_FLAG("header", &d->header, "the CSV files' first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &d->no_header, "the CSV files have no header row"),
        CLI_OPT_STR("train-images", &d->train_images, "FILE", "IDX training images (instead of --data DIR)"),
        CLI_OPT_STR("train-labels", &d->train_labels, "FILE", "IDX training labels"),
        CLI_OPT_STR("test-images", &d->test_images, "FILE", "IDX test images"),
        CLI_OPT_STR("test-labels", &d->test_labels, "FILE", "IDX test labels"),
        CLI_OPT_STR("series", &a.series.path, "FILE.csv", "a time series, one step a row (instead of --data)"),
        CLI_OPT_STR("columns", &a.series.columns, "COL[,COL...]", "series: input columns (default: the targets)"),
        CLI_OPT_INT("window", &a.series.window, "N", 1, 1 << 20, "series: input steps of each window"),
        CLI_OPT_INT("horizon", &a.series.horizon, "N", 1, 1 << 20, "series: steps predicted (default: 1)"),
        CLI_OPT_INT("stride", &a.series.stride, "N", 1, 1 << 20, "series: steps between windows (default: 1)"),
        CLI_OPT_STR("split", &a.series.split, "F,F,F", "series: training, validation, test fractions "
                    "(default: 0.7,0.15,0.15)"),
        CLI_OPT_CHOICE("color-mode", &d->color_mode, "grayscale|rgb|rgba",
                       "image folders: channels (default: the model's input, else rgb)"),
        CLI_OPT_STR("image-size", &d->image_size, "HxW", "image folders: resize to this size (default: the model's input)"),
        CLI_OPT_CHOICE("scale", &a.scale, "standard|minmax|none",
                       "feature scaling (default: standard for CSV, none for images)"),
        CLI_OPT_INT("epochs", &a.epochs, "N", 1, 1000000, "number of epochs (default: the SPEC's fit(), else 1)"),
        CLI_OPT_INT("batch-size", &a.batch_size, "N", 1, 1 << 24, "rows per step (default: the SPEC's fit(), else 32)"),
        CLI_OPT_INT("seed", &a.seed, "N", 0, 2147483647, "random seed (default: 42)"),
        CLI_OPT_INT("verbose", &a.verbose, "0|1|2", 0, 2, "0 silent, 1 progress bar (default), 2 one line per epoch"),
        CLI_OPT_STR("out", &a.out, "MODEL", "where to save the model (default: SPEC's name with .nrm, here)"),
        CLI_OPT_STR("history", &a.history, "FILE.csv", "save the per-epoch loss and metrics as CSV"),
        CLI_PREP_OPTS(&a.steps),
        CLI_OPT_FLAG("autoencoder", &a.autoencoder, "the targets are the inputs (labels, if any, are not read)"),
        CLI_OPT_FLOAT("noise", &a.noise, "F", "denoising: Gaussian noise of stddev F on the inputs (implies --autoencoder)"),
        CLI_OPT_FLAG("fresh-noise", &a.fresh_noise, "draw the noise anew every epoch (default: once, as the Keras blog)"),
        CLI_OPT_STR("model", &a.model, "NAME", "train the SPEC's model NAME (default: 'model', else the one compiled)"),
        CLI_SAVE_MODEL_OPT(&a.saves),
    };
    const cli_command c = {.name = "train", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "SPEC", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.spec = pos[0];
    a.autoencoder |= a.noise != 0;
    if ((rc = check_args(&a)) != CLI_RUN) return rc;
    return run(&a);
}
