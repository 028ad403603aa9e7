/* neurona predict: a saved model's predictions for new data, as CSV. For a
 * classifier, the class (its name when the model has class names) and one
 * probability column per class; otherwise the output values; images from a
 * folder get a first column naming their file. Image outputs (an
 * autoencoder's) can be drawn as a PNG grid. Files are written
 * atomically, so a failed run never leaves half a file. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_data.h"
#include "cli/cli_grid.h"
#include "cli/cli_prep.h"
#include "cli/cli_series.h"
#include "core/core.h"
#include "io/atomic.h"

static const char usage[] =
    "MODEL --data FILE.csv [--target COL] [--out FILE.csv] [options]\n"
    "MODEL --data DIR [--out FILE.csv] [--save-images FILE.png] [options]";

static const char about[] =
    "Predicts with a model saved by 'neurona train' and writes one CSV row per\n"
    "input row. A classifier's rows are 'class' (the class name when the model\n"
    "has class names) and one probability column per class, named after the\n"
    "class; other models give their output values ('prediction', or\n"
    "'prediction_0', 'prediction_1', ... for several). The model's feature\n"
    "scaler is applied to the data first.";

static const char notes[] =
    "Every CSV column but --target is a feature. IDX data: --data DIR predicts\n"
    "its t10k-images file. A folder of images: every .png/.jpg/.jpeg image below\n"
    "it, in sorted order, resized to the model's input; the CSV's first column,\n"
    "'file', names each image.\n"
    "--save-images draws the outputs of a model whose outputs are images (an\n"
    "autoencoder: outputs (H, W, C), or flat rows the size of its image input)\n"
    "as a grid; then the CSV is written only when --out asks for it.";

static const char example[] =
    "neurona predict iris.nrm --data data/iris.csv --target species --out predictions.csv\n"
    "neurona predict autoencoder.nrm --data mnist --save-images reconstructed.png --count 32";

typedef struct predict_args {
    const char *model;
    cli_data_args data;
    const char *out, *save_images;
    cli_grid_args grid;
    int batch_size;
} predict_args;

/* How the output reads: classes (with K probabilities) or plain values. */
typedef struct layout {
    int classes;              /* 1: a classifier */
    int binary;               /* one sigmoid unit: P(class 1) */
    int64_t k;                /* probability columns (classes) or value columns */
    const nr_labels *names;   /* class names (the first ones), or NULL */
} layout;

static layout make_layout(const nr_model *m, const nr_tensor *p) {
    layout l = {0};
    nr_loss_kind loss = nr_model_loss(m, 0).kind;
    int64_t units = nr_tensor_row_size(p);
    l.binary = loss == NR_LOSS_BINARY_CROSSENTROPY && units == 1;
    l.classes = l.binary || ((loss == NR_LOSS_CATEGORICAL_CROSSENTROPY ||
                              loss == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) && p->ndim == 2);
    l.k = l.binary ? 2 : units;
    const nr_labels *names = nr_model_labels(m);
    if (l.classes && names && nr_labels_count(names) <= l.k) l.names = names;
    return l;
}

/* The class's name, or its index (in buf) when the model has no names. */
static const char *class_name(const layout *l, int64_t k, char *buf, size_t size) {
    if (l->names && k < nr_labels_count(l->names)) return nr_labels_name(l->names, (int)k);
    snprintf(buf, size, "%lld", (long long)k);
    return buf;
}

static void write_header(FILE *f, const layout *l, int files) {
    char buf[24];
    if (files) fputs("file,", f);
    if (l->classes) fputs("class", f);
    for (int64_t k = 0; k < l->k; k++) {
        if (l->classes) {
            fputc(',', f);
            cli_put_field(f, class_name(l, k, buf, sizeof buf));
        } else if (l->k == 1) fputs("prediction", f);
        else fprintf(f, "%sprediction_%lld", k ? "," : "", (long long)k);
    }
    fputc('\n', f);
}

/* A binary classifier's row: P(class 1) is its one output. */
static void write_binary_row(FILE *f, const layout *l, float out, int logits) {
    double p = logits ? 1 / (1 + exp(-(double)out)) : out;
    char buf[24];
    cli_put_field(f, class_name(l, p > 0.5, buf, sizeof buf));   /* Keras's binary_accuracy threshold */
    fprintf(f, ",%.6f,%.6f\n", 1 - p, p);
}

/* A softmax row: the class is the argmax, logits or not. */
static void write_class_row(FILE *f, const layout *l, const float *row, int logits) {
    int64_t best = 0;
    double sum = 0;
    char buf[24];
    for (int64_t k = 1; k < l->k; k++) best = row[k] > row[best] ? k : best;
    for (int64_t k = 0; logits && k < l->k; k++) sum += exp((double)row[k] - row[best]);
    cli_put_field(f, class_name(l, best, buf, sizeof buf));
    for (int64_t k = 0; k < l->k; k++) fprintf(f, ",%.6f", logits ? exp((double)row[k] - row[best]) / sum : row[k]);
    fputc('\n', f);
}

/* files names the rows (images of a folder), or is NULL. */
static void write_csv(FILE *f, const nr_model *m, const nr_tensor *p, const nr_image_folder *files) {
    layout l = make_layout(m, p);
    int logits = nr_model_loss(m, 0).from_logits;
    int64_t width = nr_tensor_row_size(p);
    write_header(f, &l, files != NULL);
    for (int64_t r = 0; r < p->shape[0]; r++) {
        const float *row = p->data + r * width;
        if (files) {
            cli_put_field(f, nr_image_folder_file(files, r));
            fputc(',', f);
        }
        if (l.binary) write_binary_row(f, &l, row[0], logits);
        else if (l.classes) write_class_row(f, &l, row, logits);
        else
            for (int64_t k = 0; k < l.k; k++) fprintf(f, "%s%.9g%s", k ? "," : "", row[k], k + 1 == l.k ? "\n" : "");
    }
}

static nr_status output(const predict_args *a, const nr_model *m, const nr_tensor *p, const nr_image_folder *files) {
    if (!a->out) {
        write_csv(stdout, m, p, files);
        if (fflush(stdout) != 0 || ferror(stdout)) return nr_error(NR_STATUS_IO, "standard output: write failed");
        return NR_OK;
    }
    nr_atomic_file af;
    NR_TRY(nr_atomic_open_stdio(&af, a->out));
    write_csv(af.f, m, p, files);
    return nr_atomic_commit(&af);
}

static const char *const target_hint =
    "; does the file hold the target column? leave it out with --target COL";

/* The outputs as images: (N, H, W, C) and (N, H, W) as they are, flat
 * rows in the shape of an image input of as many values. */
static nr_status as_images(const nr_model *m, nr_tensor *p, const char *path) {
    int64_t in[NR_MAX_DIMS];
    int ndim = cli_input_shape(m, in);
    int64_t row = 1;
    for (int i = 1; i < ndim; i++) row *= in[i];
    if (p->ndim == 2 && (ndim == 3 || ndim == 4) && row == p->shape[1]) {
        in[0] = p->shape[0];
        return nr_tensor_reshape(p, ndim, in);
    }
    if (p->ndim == 3 || p->ndim == 4) return NR_OK;
    char a[96], b[96];
    return nr_error(NR_STATUS_BAD_SHAPE, "%s: model \"%s\" outputs %s, neither images (N, H, W, C) nor "
                    "the shape of its input %s", path, nr_model_name(m), cli_batched_str(a, sizeof a, p->ndim, p->shape),
                    cli_batched_str(b, sizeof b, ndim, in));
}

static nr_status report(const predict_args *a, const nr_model *m, nr_tensor *p, const cli_data *d) {
    if (a->out || !a->save_images) NR_TRY(output(a, m, p, d->files));
    if (a->out) printf("Saved %lld predictions to %s\n", (long long)d->x->shape[0], a->out);
    if (!a->save_images) return NR_OK;
    NR_TRY(as_images(m, p, a->save_images));
    return cli_save_grid(a->save_images, p, &a->grid);
}

static nr_status predict(const predict_args *a, nr_model *m, cli_data *d) {
    NR_TRY(cli_check_single_io(m));
    NR_TRY(cli_check_not_series(m, a->model));
    cli_data_args da = a->data;
    da.prep_apply = nr_model_prep(m);
    NR_TRY(cli_load_features(&da, m, d));
    const char *hint = !d->images && !a->data.target ? target_hint : NULL;
    NR_TRY(cli_fit_input(m, d->x, a->data.data ? a->data.data : a->data.test_images, hint));
    NR_TRY(cli_apply_scaler(m, d->x));
    const nr_tensor *x[1] = {d->x};
    nr_tensor *out[NR_MAX_IO] = {0};
    NR_TRY(nr_model_predict(m, x, a->batch_size, out));
    nr_status s = report(a, m, out[0], d);
    nr_tensor_free(out[0]);
    return s;
}

static int run(const predict_args *a) {
    nr_graph *g = NULL;
    nr_model *m = NULL;
    cli_data d = {0};
    nr_status s = nr_model_load(a->model, &g, &m);
    if (s == NR_OK) s = predict(a, m, &d);
    cli_data_free(&d);
    nr_graph_free(g);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}

int cmd_predict(int argc, char **argv) {
    predict_args a = {.grid = {.count = 64, .padding = 2, .minmax = "none"}};
    cli_data_args *d = &a.data;
    const cli_opt opts[] = {
        CLI_OPT_STR("data", &d->data, "FILE.csv|DIR", "input rows: a CSV file, a folder of IDX files or of images"),
        CLI_OPT_CHOICE("data-format", &d->format, "idx|images|csv", "what --data holds (default: told by what it is)"),
        CLI_OPT_STR("target", &d->target, "COL", "a CSV column to leave out (e.g. the known answers)"),
        CLI_OPT_STR("out", &a.out, "FILE.csv", "write the predictions here (default: standard output)"),
        CLI_OPT_CHOICE("color-mode", &d->color_mode, "grayscale|rgb|rgba",
                       "image folders: channels (default: the model's input)"),
        CLI_OPT_STR("image-size", &d->image_size, "HxW", "image folders: resize to this size (default: the model's input)"),
        CLI_OPT_STR("save-images", &a.save_images, "FILE.png", "draw image outputs as a grid (options below)"),
        CLI_GRID_OPTS(&a.grid),
        CLI_OPT_FLAG("header", &d->header, "the CSV file's first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &d->no_header, "the CSV file has no header row"),
        CLI_OPT_INT("batch-size", &a.batch_size, "N", 1, 1 << 24, "rows per step (default: 32)"),
    };
    const cli_command c = {.name = "predict", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "MODEL", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.model = pos[0];
    if (!d->data) return cli_usage("predict", "predict: missing --data FILE.csv|DIR");
    if ((rc = cli_check_header("predict", d->header, d->no_header)) != CLI_RUN) return rc;
    if ((rc = cli_check_image_size("predict", d->image_size)) != CLI_RUN) return rc;
    return run(&a);
}
