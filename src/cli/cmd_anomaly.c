/* neurona anomaly: anomaly detection by an autoencoder's reconstruction
 * error, the course recipe end to end. From labelled data it builds a
 * training set of normal rows only and validation and test sets where one
 * class is rare (nr_anomaly_split_new), trains the SPEC's autoencoder on
 * the normal rows (or takes a trained model), picks the error threshold
 * on the validation set and reports precision, recall, F1, PR-AUC and
 * ROC AUC on the test set, with optional plots and per-row errors. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_anomaly.h"
#include "cli/cli_args.h"
#include "cli/cli_autoencoder.h"
#include "cli/cli_data.h"
#include "cli/cli_prep.h"
#include "cli/cli_series.h"
#include "cli/cli_spec.h"
#include "core/core.h"

static const char usage[] =
    "SPEC|MODEL --data DIR|FILE.csv --anomaly-class C [--rate F] [--threshold RULE] [options]";

static const char about[] =
    "Detects anomalies by reconstruction error. Every row of --data whose class is\n"
    "not --anomaly-class is normal; the autoencoder of SPEC trains on the normal\n"
    "rows only (a MODEL is taken as trained). Validation and test sets come from\n"
    "the test data (the t10k files of IDX data, --test, or --test-split of the\n"
    "rows) with the anomaly class cut down to --rate of their rows. The threshold\n"
    "is picked on the validation set; the test set's precision, recall, F1,\n"
    "PR-AUC (average precision) and ROC AUC are printed on a line starting 'test'.";

static const char notes[] =
    "The split: the test data is shuffled (--seed); its normal rows are cut into\n"
    "validation (--val-fraction of them, default 0.5) and test, and so are its\n"
    "anomalies; each part then keeps round(rate / (1 - rate) x its normal rows)\n"
    "anomalies (at least one), so that they make --rate of it (default 0.01).\n"
    "Each row's error is the mean squared (--error mae: absolute) difference\n"
    "between the input, as the model takes it, and its reconstruction; a row\n"
    "whose error is >= the threshold is flagged. --threshold rules:\n"
    "  f1            the validation error that gives the best F1 (the default)\n"
    "  percentile:P  the P-th percentile of the normal validation rows' errors\n"
    "                (NumPy's linear; P defaults to 99): about 1 - P/100 of\n"
    "                normal rows are flagged, without looking at anomalies\n"
    "  meanstd:K     mean + K standard deviations of those errors (K: 3)\n"
    "  a number      that threshold\n"
    "CSV data: --target names the column of classes. Features are scaled as\n"
    "'train' scales them (--scale), fitted on the normal training rows.";

static const char example[] =
    "neurona anomaly examples/mnist_anomaly.nr --data mnist --anomaly-class 9 --rate 0.01 \\\n"
    "    --pr-curve pr.png --histogram errors.png --out anomaly.nrm";

typedef struct anomaly_args {
    const char *path;            /* SPEC or MODEL */
    cli_data_args data;
    const char *cls, *threshold, *error, *model, *scale;
    double rate, val_fraction, test_split;
    int epochs, batch_size, verbose, seed;
    const char *out, *history, *pr_curve, *histogram, *scores;
} anomaly_args;

typedef struct anomaly_run {
    const anomaly_args *a;
    nr_spec *spec;               /* training from a SPEC */
    nr_graph *g;                 /* a loaded MODEL's graph */
    nr_model *m;
    cli_data d;
    int cls;
    nr_anomaly_split sp;
    double *err_val, *err_test;
    nr_history *history;
} anomaly_run;

static nr_status load_model(anomaly_run *r) {
    int is_model;
    NR_TRY(cli_is_model_file(r->a->path, &is_model));
    if (is_model) NR_TRY(nr_model_load(r->a->path, &r->g, &r->m));
    else NR_TRY(cli_spec_load(r->a->path, r->a->seed, r->a->model, &r->spec, &r->m));
    NR_TRY(cli_check_single_io(r->m));
    NR_TRY(cli_check_not_series(r->m, r->a->path));
    return cli_ae_check_loss(r->m, r->a->path);
}

/* Labelled data, its evaluation pool held out when it has none, then the
 * anomaly split. */
static nr_status load_data(anomaly_run *r) {
    const anomaly_args *a = r->a;
    cli_data *d = &r->d;
    cli_data_args da = a->data;
    da.prep_apply = nr_model_prep(r->m);
    da.classes = 1;
    NR_TRY(cli_load_train(&da, r->m, d));
    if (!d->x_test && a->test_split <= 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s holds no test set: give --test FILE or --test-split F, the share "
                        "of the rows that validation and test sets are made from", a->data.data);
    if (!d->x_test) {
        nr_tensor *xtr, *xte, *ytr, *yte;
        NR_TRY(nr_train_test_split(d->x, d->y, (float)a->test_split, (uint64_t)a->seed, 1, &xtr, &xte, &ytr, &yte));
        nr_tensor_free(d->x);
        nr_tensor_free(d->y);
        d->x = xtr, d->y = ytr, d->x_test = xte, d->y_test = yte;
    }
    NR_TRY(cli_anomaly_class(d->labels, a->cls, &r->cls));
    nr_anomaly_split_opts o = {.anomaly_class = r->cls, .rate = a->rate, .val_fraction = a->val_fraction,
                               .seed = (uint64_t)a->seed};
    return nr_anomaly_split_new(d->x, d->y, d->x_test, d->y_test, &o, &r->sp);
}

static const char *scale_kind(const anomaly_run *r) {
    return r->a->scale ? r->a->scale : r->d.images ? "none" : "standard";
}

/* The three sets as the model takes them; a SPEC's scaler is fitted on
 * the normal training rows. */
static nr_status prepare(anomaly_run *r) {
    const char *src = r->a->data.data, *test = r->a->data.test ? r->a->data.test : src;
    NR_TRY(cli_fit_input(r->m, r->sp.x_train, src, NULL));
    NR_TRY(cli_fit_input(r->m, r->sp.x_val, test, NULL));
    NR_TRY(cli_fit_input(r->m, r->sp.x_test, test, NULL));
    if (r->spec) NR_TRY(cli_fit_scaler(r->m, scale_kind(r), r->sp.x_train, NULL));
    NR_TRY(cli_apply_scaler(r->m, r->sp.x_val));
    return cli_apply_scaler(r->m, r->sp.x_test);
}

static void print_plan(const anomaly_run *r) {
    const nr_anomaly_split *sp = &r->sp;
    const nr_labels *l = r->d.labels;
    int64_t nv = sp->x_val->shape[0], nt = sp->x_test->shape[0];
    printf("Anomalies: class %s; %lld normal training rows; validation %lld rows, %lld anomalies (%.2f%%); "
           "test %lld rows, %lld anomalies (%.2f%%); seed: %d\n", l ? nr_labels_name(l, r->cls) : r->a->cls,
           (long long)sp->x_train->shape[0], (long long)nv, (long long)sp->val_anomalies,
           100.0 * (double)sp->val_anomalies / (double)nv, (long long)nt, (long long)sp->test_anomalies,
           100.0 * (double)sp->test_anomalies / (double)nt, r->a->seed);
}

static nr_status train(anomaly_run *r) {
    const anomaly_args *a = r->a;
    nr_fit_opts fit = cli_spec_fit_opts(r->spec, a->epochs, a->batch_size, a->verbose);
    if (fit.verbose) NR_TRY(nr_model_summary(r->m, stdout));
    if (fit.verbose) printf("Training on the normal rows, the targets are the inputs; scaling: %s\n", scale_kind(r));
    fflush(stdout);
    nr_tensor *y = NULL;
    NR_TRY(cli_ae_targets(r->m, r->sp.x_train, &y));
    const nr_tensor *xs[1] = {r->sp.x_train}, *ys[1] = {y};
    nr_status s = nr_model_fit(r->m, xs, ys, &fit, &r->history);
    nr_tensor_free(y);
    return s;
}

static nr_status errors_of(anomaly_run *r, const nr_tensor *x, double **out) {
    const nr_tensor *xs[1] = {x};
    nr_tensor *pred[NR_MAX_IO] = {0};
    NR_TRY(nr_model_predict(r->m, xs, r->a->batch_size, pred));
    nr_recon_error kind = r->a->error && strcmp(r->a->error, "mae") == 0 ? NR_RECON_MAE : NR_RECON_MSE;
    nr_status s = (*out = nr_malloc((size_t)x->shape[0] * sizeof **out)) ? NR_OK : NR_NOMEM();
    if (s == NR_OK) s = nr_reconstruction_errors(x, pred[0], kind, *out);
    nr_tensor_free(pred[0]);
    return s;
}

static void describe_rule(const nr_threshold_opts *o, int fixed, double f1) {
    if (fixed) printf("as given");
    else if (o->rule == NR_THRESHOLD_F1) printf("the error with the best F1 on the validation set");
    else if (o->rule == NR_THRESHOLD_PERCENTILE)
        printf("the %gth percentile of the normal validation rows' errors", o->q ? o->q : 99);
    else printf("mean + %g standard deviations of the normal validation rows' errors", o->q ? o->q : 3);
    printf("; validation F1 %.4f\n", f1);
}

/* Threshold on validation, figures on test. */
static nr_status report(anomaly_run *r) {
    const anomaly_args *a = r->a;
    nr_anomaly_split *sp = &r->sp;
    cli_errors val = {r->err_val, sp->val_anomaly, sp->x_val->shape[0]};
    cli_errors test = {r->err_test, sp->test_anomaly, sp->x_test->shape[0]};
    nr_threshold_opts o;
    int fixed;
    double t;
    cli_threshold_parse(a->threshold, &o, &fixed, &t);
    if (!fixed) NR_TRY(nr_anomaly_threshold(val.error, val.anomaly, val.n, &o, &t));
    nr_anomaly_scores vs, ts;
    NR_TRY(nr_anomaly_scores_at(val.error, val.anomaly, val.n, t, &vs));
    NR_TRY(nr_anomaly_scores_at(test.error, test.anomaly, test.n, t, &ts));
    printf("Reconstruction error: %s per row. Threshold %.6g: ", a->error ? a->error : "mse", t);
    describe_rule(&o, fixed, vs.f1);
    printf("test precision: %.4f - recall: %.4f - f1: %.4f - pr_auc: %.4f - roc_auc: %.4f\n", ts.precision,
           ts.recall, ts.f1, ts.pr_auc, ts.roc_auc);
    printf("Test confusion: TP %lld  FP %lld  TN %lld  FN %lld (positives: anomalies)\n", (long long)ts.tp,
           (long long)ts.fp, (long long)ts.tn, (long long)ts.fn);
    if (a->pr_curve) NR_TRY(cli_anomaly_pr_plot(a->pr_curve, &test, &ts));
    if (a->histogram) NR_TRY(cli_anomaly_hist_plot(a->histogram, &test, t));
    return a->scores ? cli_anomaly_scores_csv(a->scores, &val, &test, t) : NR_OK;
}

static nr_status save(anomaly_run *r) {
    if (r->a->out) {
        NR_TRY(nr_model_save(r->m, r->a->out));
        printf("Saved model to %s\n", r->a->out);
    }
    if (!r->a->history || !r->history) return NR_OK;
    NR_TRY(nr_history_save_csv(r->history, r->a->history));
    printf("Saved history to %s\n", r->a->history);
    return NR_OK;
}

static nr_status detect(anomaly_run *r) {
    NR_TRY(load_model(r));
    NR_TRY(load_data(r));
    NR_TRY(prepare(r));
    print_plan(r);
    if (r->spec) NR_TRY(train(r));
    NR_TRY(errors_of(r, r->sp.x_val, &r->err_val));
    NR_TRY(errors_of(r, r->sp.x_test, &r->err_test));
    NR_TRY(report(r));
    return r->spec ? save(r) : NR_OK;
}

static int run(const anomaly_args *a) {
    anomaly_run r = {.a = a};
    nr_status s = detect(&r);
    int rc = s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
    nr_free(r.err_val);
    nr_free(r.err_test);
    nr_history_free(r.history);
    nr_anomaly_split_free(&r.sp);
    cli_data_free(&r.d);
    if (r.spec) nr_spec_free(r.spec);
    nr_graph_free(r.g);
    if (a->pr_curve || a->histogram) nr_plot_cleanup();   /* cairo's font caches, so leak checkers see none */
    return rc;
}

static int check_args(const anomaly_args *a) {
    const cli_data_args *d = &a->data;
    nr_threshold_opts o;
    int fixed;
    double t;
    if (!d->data) return cli_usage("anomaly", "anomaly: missing --data DIR|FILE.csv");
    if (!a->cls) return cli_usage("anomaly", "anomaly: missing --anomaly-class C, the class that is rare");
    if (!cli_threshold_parse(a->threshold, &o, &fixed, &t))
        return cli_usage("anomaly", "--threshold: expected f1, percentile[:P] (0 < P <= 100), meanstd[:K] (K >= 0) "
                         "or a number, got '%s'", a->threshold);
    if (a->rate != 0 && !(a->rate > 0 && a->rate <= 0.5))
        return cli_usage("anomaly", "--rate: expected a fraction in (0, 0.5], got %g", a->rate);
    if (a->val_fraction != 0 && !(a->val_fraction > 0 && a->val_fraction < 1))
        return cli_usage("anomaly", "--val-fraction: expected a fraction in (0, 1), got %g", a->val_fraction);
    if (a->test_split != 0 && !(a->test_split > 0 && a->test_split < 1))
        return cli_usage("anomaly", "--test-split: expected a fraction between 0 and 1, got %g", a->test_split);
    if (a->test_split > 0 && d->test) return cli_usage("anomaly", "--test-split cannot be combined with --test");
    int rc = cli_check_header("anomaly", d->header, d->no_header);
    return rc != CLI_RUN ? rc : cli_check_image_size("anomaly", d->image_size);
}

int cmd_anomaly(int argc, char **argv) {
    anomaly_args a = {.threshold = "f1", .verbose = -1, .seed = 42};
    cli_data_args *d = &a.data;
    const cli_opt opts[] = {
        CLI_OPT_STR("data", &d->data, "DIR|FILE.csv", "labelled data: a folder of IDX files or class folders, or CSV"),
        CLI_OPT_CHOICE("data-format", &d->format, "idx|images|csv", "what --data holds (default: told by what it is)"),
        CLI_OPT_STR("target", &d->target, "COL", "CSV: the column of classes"),
        CLI_OPT_STR("test", &d->test, "FILE.csv|DIR", "the data validation and test sets are made from"),
        CLI_OPT_FLOAT("test-split", &a.test_split, "F", "make them from this share of --data's rows instead"),
        CLI_OPT_STR("anomaly-class", &a.cls, "C", "the class that is the anomaly (a label or class name)"),
        CLI_OPT_FLOAT("rate", &a.rate, "F", "anomalies' share of the validation and test rows (default: 0.01)"),
        CLI_OPT_FLOAT("val-fraction", &a.val_fraction, "F", "share of the test data for validation (default: 0.5)"),
        CLI_OPT_STR("threshold", &a.threshold, "RULE", "f1 | percentile[:P] | meanstd[:K] | a number (default: f1)"),
        CLI_OPT_CHOICE("error", &a.error, "mse|mae", "per-row reconstruction error (default: mse)"),
        CLI_OPT_STR("model", &a.model, "NAME", "train the SPEC's model NAME (default: 'model', else the one compiled)"),
        CLI_OPT_CHOICE("scale", &a.scale, "standard|minmax|none", "feature scaling (default: standard for CSV, none "
                       "for images)"),
        CLI_OPT_INT("epochs", &a.epochs, "N", 1, 1000000, "number of epochs (default: the SPEC's fit(), else 1)"),
        CLI_OPT_INT("batch-size", &a.batch_size, "N", 1, 1 << 24, "rows per step (default: the SPEC's fit(), else 32)"),
        CLI_OPT_INT("seed", &a.seed, "N", 0, 2147483647, "random seed of the split and the weights (default: 42)"),
        CLI_OPT_INT("verbose", &a.verbose, "0|1|2", 0, 2, "0 silent, 1 progress bar (default), 2 one line per epoch"),
        CLI_OPT_STR("out", &a.out, "MODEL", "save the trained model here"),
        CLI_OPT_STR("history", &a.history, "FILE.csv", "save the per-epoch loss as CSV"),
        CLI_OPT_STR("pr-curve", &a.pr_curve, "FILE.png|svg", "draw the test set's precision-recall curve"),
        CLI_OPT_STR("histogram", &a.histogram, "FILE.png|svg", "draw the test errors of normal rows and anomalies"),
        CLI_OPT_STR("scores", &a.scores, "FILE.csv", "write each validation and test row's error and flags"),
        CLI_OPT_FLAG("header", &d->header, "the CSV files' first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &d->no_header, "the CSV files have no header row"),
        CLI_OPT_CHOICE("color-mode", &d->color_mode, "grayscale|rgb|rgba", "image folders: channels"),
        CLI_OPT_STR("image-size", &d->image_size, "HxW", "image folders: resize to this size"),
    };
    const cli_command c = {.name = "anomaly", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "SPEC|MODEL", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.path = pos[0];
    if ((rc = check_args(&a)) != CLI_RUN) return rc;
    return run(&a);
}
