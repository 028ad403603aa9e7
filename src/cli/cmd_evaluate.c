/* neurona evaluate: a saved model's loss and metrics on labelled data (CSV,
 * IDX, class folders of images), the raw data prepared exactly as in
 * training (the model's scaler, its class names, its loss's target shape,
 * its input's image size). */
#include <stdio.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_data.h"
#include "cli/cli_evalreport.h"
#include "cli/cli_prep.h"
#include "cli/cli_series.h"
#include "core/core.h"

static const char usage[] =
    "MODEL --data FILE.csv --target COL [options]\n"
    "MODEL --data DIR [options]\n"
    "MODEL --test-images FILE --test-labels FILE [options]";

static const char about[] =
    "Evaluates a model saved by 'neurona train' on labelled data and prints the\n"
    "loss and every compiled metric, as Keras's evaluate(), on a line starting\n"
    "'test'. Text class names in the target column are matched to the model's\n"
    "by name; the model's feature scaler is applied to the data first.\n"
    "--report adds what scikit-learn would say of the predictions: for a\n"
    "classifier the confusion matrix with its class names, the classification\n"
    "report, and ROC AUC, average precision and the sensitivity, specificity\n"
    "and FPR at a threshold (two classes) or one-vs-rest ROC AUC (more); for\n"
    "regression MSE, RMSE, MAE and R² of each output.";

static const char notes[] =
    "IDX data: --data DIR evaluates on its t10k-images/t10k-labels files.\n"
    "Image folders: --data DIR holds one sub-folder of images per class, matched\n"
    "to the model's classes by name; the images are resized to the model's input\n"
    "and converted to its channels unless --image-size and --color-mode say\n"
    "otherwise.";

static const char example[] =
    "neurona evaluate iris.nrm --data data/iris.csv --target species\n"
    "neurona evaluate iris.nrm --data data/iris.csv --target species --report";

typedef struct eval_args {
    const char *model;
    cli_data_args data;
    int batch_size;
    int report;
    cli_report_args rep;
} eval_args;

static nr_status evaluate_loss(const eval_args *a, nr_model *m, cli_data *d) {
    const nr_tensor *x[1] = {d->x}, *y[1] = {d->y};
    nr_eval_opts o = {.batch_size = a->batch_size};
    nr_logs logs;
    NR_TRY(nr_model_evaluate(m, x, y, &o, &logs));
    char buf[1024];
    printf("test %s\n", nr_logs_format(&logs, buf, sizeof buf));
    return NR_OK;
}

static nr_status evaluate(const eval_args *a, nr_model *m, cli_data *d) {
    nr_loss_kind loss = nr_model_loss(m, 0).kind;
    NR_TRY(cli_check_single_io(m));
    NR_TRY(cli_check_not_series(m, a->model));
    cli_data_args da = a->data;
    da.prep_apply = nr_model_prep(m);
    NR_TRY(cli_load_labelled(&da, m, d));
    NR_TRY(cli_apply_scaler(m, d->x));
    nr_tensor *raw_y = NULL;   /* class indices or values, for --report */
    if (a->report) NR_TRY(nr_tensor_clone(&raw_y, d->y));
    nr_status s = cli_shape_targets(m, loss, &d->y);
    if (s == NR_OK) s = evaluate_loss(a, m, d);
    if (s == NR_OK && a->report) {
        cli_report_args r = a->rep;
        r.batch_size = a->batch_size;
        s = cli_eval_report(m, d->x, raw_y, &r);
    }
    nr_tensor_free(raw_y);
    return s;
}

static int run(const eval_args *a) {
    nr_graph *g = NULL;
    nr_model *m = NULL;
    cli_data d = {0};
    nr_status s = nr_model_load(a->model, &g, &m);
    if (s == NR_OK) s = evaluate(a, m, &d);
    cli_data_free(&d);
    nr_graph_free(g);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}

int cmd_evaluate(int argc, char **argv) {
    eval_args a = {0};
    cli_data_args *d = &a.data;
    const cli_opt opts[] = {
        CLI_OPT_STR("data", &d->data, "FILE.csv|DIR", "labelled data: a CSV file, a folder of IDX files or of images"),
        CLI_OPT_CHOICE("data-format", &d->format, "idx|images|csv", "what --data holds (default: told by what it is)"),
        CLI_OPT_STR("target", &d->target, "COL", "CSV column holding the targets: a name or a 0-based index"),
        CLI_OPT_FLAG("header", &d->header, "the CSV file's first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &d->no_header, "the CSV file has no header row"),
        CLI_OPT_STR("test-images", &d->test_images, "FILE", "IDX images (instead of --data DIR)"),
        CLI_OPT_STR("test-labels", &d->test_labels, "FILE", "IDX labels"),
        CLI_OPT_CHOICE("color-mode", &d->color_mode, "grayscale|rgb|rgba",
                       "image folders: channels (default: the model's input)"),
        CLI_OPT_STR("image-size", &d->image_size, "HxW", "image folders: resize to this size (default: the model's input)"),
        CLI_OPT_INT("batch-size", &a.batch_size, "N", 1, 1 << 24, "rows per step (default: 32)"),
        CLI_OPT_FLAG("report", &a.report, "add the confusion matrix, classification report, ROC AUC... or regression errors"),
        CLI_OPT_STR("threshold", &a.rep.threshold, "T|youden", "--report, two classes: score >= T is positive (default: 0.5)"),
        CLI_OPT_INT("digits", &a.rep.digits, "N", 1, 15, "--report: decimals of the classification report (default: 2)"),
        CLI_OPT_STR("plots", &a.rep.plots, "DIR", "--report: draw the confusion matrix, ROC and precision-recall "
                    "curves, or predicted against true values, into DIR"),
        CLI_OPT_CHOICE("format", &a.rep.format, "png|svg", "--plots: one format only (default: both)"),
    };
    const cli_command c = {.name = "evaluate", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "MODEL", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.model = pos[0];
    a.report |= a.rep.plots != NULL; /* the plots come with the report's figures */
    if (!d->data && !d->test_images) return cli_usage("evaluate", "evaluate: missing --data FILE.csv|DIR");
    if ((rc = cli_check_header("evaluate", d->header, d->no_header)) != CLI_RUN) return rc;
    if (d->test_images && !d->test_labels) return cli_usage("evaluate", "--test-images needs --test-labels");
    if ((rc = cli_check_image_size("evaluate", d->image_size)) != CLI_RUN) return rc;
    cli_format format;
    nr_status s = cli_data_format(d, &format);
    if (s != NR_OK) return cli_fail(s);
    if (format == CLI_FORMAT_CSV && !d->target)
        return cli_usage("evaluate", "evaluate: CSV data needs --target COL (a column name or index)");
    return run(&a);
}
