/* neurona tune: hyperparameter search over a SPEC file's hp calls. The
 * data options are train's (one loader, cli_data.c); each trial trains
 * the SPEC with its values on the training data and is judged by the
 * objective on the validation data; trials run side by side on a shared
 * thread budget. Prints the space, a line per finished trial and a table
 * of the best ones; keeps everything under --out: the results file
 * (resumed when it exists), the best model and, for Hyperband, each
 * trial's weights. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_data.h"
#include "cli/cli_prep.h"
#include "core/core.h"
#include "data/data_internal.h"
#include "tune/hp_internal.h"

#define DEFAULT_SEED 42

typedef struct tune_args {
    const char *spec, *tuner, *out, *objective, *direction, *scale, *plot;
    cli_data_args data;
    double test_split, validation_split, max_seconds;
    int max_trials, parallel, executions, epochs, batch_size, patience, seed, overwrite, top;
    int max_epochs, factor, iterations, initial_points;
} tune_args;

typedef struct tune_run {
    const tune_args *a;
    char *text;
    nr_hp_space *space;
    nr_spec *base;             /* the SPEC at its defaults: shapes the data */
    nr_model *m;
    nr_loss_kind loss;
    cli_data d;
    nr_tuner_opts o;
    nr_tune_spec_opts so;
    nr_tune_result *result;
    char results[4096], best[4096], trials[4096];
} tune_run;

static const char usage[] =
    "SPEC --data FILE.csv --target COL [--tuner random|grid|bayesian|hyperband] [--max-trials N]\n"
    "     [--parallel N] [--out DIR] [options]\n"
    "SPEC --data DIR [...]          (IDX files or class folders, as for train)";

static const char about[] =
    "Searches the hyperparameters of SPEC (its hp.Int, hp.Float, hp.Choice and\n"
    "hp.Boolean calls) as Keras Tuner does: each trial trains the model with one set\n"
    "of values and scores it by the objective's best epoch. Prints a line per\n"
    "finished trial and a table of the best trials; saves the best model.";

static const char notes[] =
    "Data options are train's; preparation steps are not taken here. The objective\n"
    "(default val_loss) is a figure fit() logs: loss, a metric, or their val_ forms,\n"
    "which need validation data: fit(validation_split=...) in the SPEC, else\n"
    "--validation-split (default 0.2 for a val_ objective). Its direction follows\n"
    "the name (loss, error, mse, mae: min; others: max) unless --direction says.\n"
    "Trials run --parallel at a time (default 1), sharing NEURONA_NUM_THREADS\n"
    "(default: every core) equally.\n"
    "Under --out (default tune_out): results.jsonl, one JSON line per finished trial\n"
    "(values, history, best value, seconds); a search run again with the same\n"
    "tuner, objective and seed resumes it without repeating a finished trial\n"
    "(--overwrite starts afresh); best.nrm, the best model (with its scaler and\n"
    "class names, ready for predict and evaluate); trials/ (Hyperband's weights).\n"
    "Hyperband: --max-epochs (default: the epochs of fit(), else 27) and --factor\n"
    "(3) give its brackets; each trial trains the epochs its round says.";

static const char example[] =
    "neurona tune examples/digits_tune.nr --data data/digits.csv.gz --target -1 \\\n"
    "    --tuner bayesian --max-trials 20 --parallel 2 --out tune_digits --plot tune_digits/trials.png";

static int check_args(const tune_args *a) {
    if (!a->data.data && !a->data.train_images) return cli_usage("tune", "tune: missing --data FILE.csv|DIR");
    if (a->test_split != 0 && !(a->test_split > 0 && a->test_split < 1))
        return cli_usage("tune", "--test-split: expected a fraction between 0 and 1, got %g", a->test_split);
    if (a->validation_split != 0 && !(a->validation_split > 0 && a->validation_split < 1))
        return cli_usage("tune", "--validation-split: expected a fraction between 0 and 1, got %g",
                         a->validation_split);
    if (a->max_seconds < 0) return cli_usage("tune", "--max-seconds must not be negative");
    cli_format format;
    nr_status s = cli_data_format(&a->data, &format);
    if (s != NR_OK) return cli_fail(s);
    if (format == CLI_FORMAT_CSV && !a->data.target) return cli_usage("tune", "tune: CSV data needs --target COL");
    if (format != CLI_FORMAT_CSV && a->data.target)
        return cli_usage("tune", "--target is for CSV data; IDX files and image folders hold their labels");
    return CLI_RUN;
}

/* --- data, as train shapes it -------------------------------------------- */

static nr_status load_spec(tune_run *r) {
    size_t len;
    NR_TRY(nr_data_read_all(r->a->spec, &r->text, &len));
    NR_TRY(nr_hp_space_new(&r->space));
    NR_TRY(nr_spec_search_space_string(r->text, r->a->spec, r->space));
    NR_TRY(nr_spec_load_string(r->text, r->a->spec, (uint64_t)r->a->seed, &r->base));
    r->m = nr_spec_model(r->base);
    if (!r->m || !nr_spec_compiled(r->base))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the SPEC defines no compiled model; it needs compile(...)",
                        r->a->spec);
    r->loss = nr_model_loss(r->m, 0).kind;
    return cli_check_single_io(r->m);
}

static nr_status load_data(tune_run *r) {
    cli_data *d = &r->d;
    const char *src = r->a->data.data ? r->a->data.data : r->a->data.train_images;
    NR_TRY(cli_load_train(&r->a->data, r->m, d));
    if (r->a->test_split > 0 && !d->x_test) {
        nr_tensor *xtr, *xte, *ytr, *yte;
        NR_TRY(nr_train_test_split(d->x, d->y, (float)r->a->test_split, (uint64_t)r->a->seed,
                                   cli_loss_is_classification(r->loss), &xtr, &xte, &ytr, &yte));
        nr_tensor_free(d->x), nr_tensor_free(d->y);
        d->x = xtr, d->y = ytr, d->x_test = xte, d->y_test = yte;
    }
    NR_TRY(cli_fit_input(r->m, d->x, src, NULL));
    if (d->x_test) NR_TRY(cli_fit_input(r->m, d->x_test, src, NULL));
    const char *scale = r->a->scale ? r->a->scale : d->images ? "none" : "standard";
    NR_TRY(cli_fit_scaler(r->m, scale, d->x, d->x_test));
    NR_TRY(cli_check_classes(r->m, r->loss, d->labels, src));
    if (d->labels && cli_loss_is_classification(r->loss)) NR_TRY(nr_model_set_labels(r->m, d->labels));
    NR_TRY(cli_shape_targets(r->m, r->loss, &d->y));
    return d->y_test ? cli_shape_targets(r->m, r->loss, &d->y_test) : NR_OK;
}

/* Each trial's model keeps the scaler and class names, and a Sequential
 * without an input shape is built from one row, as train builds it. */
static nr_status prepare_trial(nr_model *m, void *user) {
    const tune_run *r = user;
    if (nr_model_n_inputs(m) == 0) {
        nr_tensor *row = NULL;
        NR_TRY(nr_tensor_slice_rows(&row, r->d.x, 0, 1));
        nr_status s = cli_fit_input(m, row, r->a->spec, NULL);
        nr_tensor_free(row);
        NR_TRY(s);
    }
    NR_TRY(nr_model_set_scaler(m, nr_model_scaler(r->m)));
    return nr_model_set_labels(m, nr_model_labels(r->m));
}

/* --- the search ---------------------------------------------------------- */

static nr_status make_dir(const char *path) {
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return NR_OK;
    return nr_error(NR_STATUS_IO, "%s: cannot create the folder: %s", path, strerror(errno));
}

static nr_status options(tune_run *r) {
    const tune_args *a = r->a;
    nr_tuner_opts *o = &r->o;
    memset(o, 0, sizeof *o);
    if (a->tuner) NR_TRY(nr_tuner_parse(a->tuner, &o->kind));
    o->objective = a->objective ? a->objective : "val_loss";
    o->direction = !a->direction ? NR_MODE_AUTO : !strcmp(a->direction, "min") ? NR_MODE_MIN : NR_MODE_MAX;
    o->max_trials = a->max_trials;
    o->executions_per_trial = a->executions;
    o->seed = (uint64_t)a->seed;
    o->parallel = a->parallel;
    o->max_seconds = a->max_seconds;
    o->overwrite = a->overwrite;
    o->log = stdout;
    o->num_initial_points = a->initial_points;
    o->factor = a->factor;
    o->hyperband_iterations = a->iterations;
    const nr_fit_opts *fit = nr_spec_fit_opts(r->base);
    o->max_epochs = a->max_epochs ? a->max_epochs : a->epochs ? a->epochs : fit && fit->epochs ? fit->epochs : 27;
    const char *dir = a->out ? a->out : "tune_out";
    NR_TRY(make_dir(dir));
    snprintf(r->results, sizeof r->results, "%s/results.jsonl", dir);
    snprintf(r->best, sizeof r->best, "%s/best.nrm", dir);
    snprintf(r->trials, sizeof r->trials, "%s/trials", dir);
    o->results = r->results;
    if (o->kind == NR_TUNER_HYPERBAND) NR_TRY(make_dir(r->trials));
    float split = (float)a->validation_split;
    if (split == 0 && !(fit && fit->validation_split > 0) && !strncmp(o->objective, "val_", 4)) split = 0.2f;
    r->so = (nr_tune_spec_opts){.spec = r->text, .spec_name = a->spec, .x = r->d.x, .y = r->d.y,
                                .validation_split = split, .epochs = a->epochs, .batch_size = a->batch_size,
                                .patience = a->patience, .best_model = r->best,
                                .trial_dir = o->kind == NR_TUNER_HYPERBAND ? r->trials : NULL,
                                .prepare = prepare_trial, .prepare_user = r};
    return NR_OK;
}

static void print_def(const nr_hp_def *d) {
    char a[64], b[64];
    printf("  %-16s %-8s", d->name, nr_hp_kind_name(d->kind));
    if (d->kind == NR_HP_INT || d->kind == NR_HP_FLOAT) {
        printf(" %g to %g", d->min_value, d->max_value);
        if (d->step > 0) printf(", step %g", d->step);
        if (d->sampling) printf(", %s", d->sampling == NR_HP_LOG ? "log" : "reverse_log");
    } else if (d->kind == NR_HP_CHOICE || d->kind == NR_HP_FIXED) {
        for (int i = 0; i < d->n_values; i++) printf("%s%s", i ? ", " : " ", nr_hp_value_str(&d->values[i], a, sizeof a));
    }
    nr_hp_value def = nr_hp_def_default(d);
    printf(" (default %s)", nr_hp_value_str(&def, b, sizeof b));
    for (int c = 0; c < d->n_conds; c++) {
        printf(" when %s in [", d->conds[c].parent);
        for (int i = 0; i < d->conds[c].n_values; i++)
            printf("%s%s", i ? ", " : "", nr_hp_value_str(&d->conds[c].values[i], a, sizeof a));
        printf("]");
    }
    printf("\n");
}

static void print_plan(const tune_run *r) {
    const nr_tuner_opts *o = &r->o;
    printf("Search space of %s: %d hyperparameter%s\n", r->a->spec, nr_hp_space_count(r->space),
           nr_hp_space_count(r->space) == 1 ? "" : "s");
    for (int i = 0; i < nr_hp_space_count(r->space); i++) print_def(nr_hp_space_get(r->space, i));
    nr_monitor_mode dir = o->direction ? o->direction : nr_objective_direction(o->objective);
    int p = o->parallel ? o->parallel : 1, per = nr_num_threads() / p > 0 ? nr_num_threads() / p : 1;
    printf("Tuner: %s; objective: %s (%s); data: %lld training samples", nr_tuner_name(o->kind), o->objective,
           dir == NR_MODE_MAX ? "max" : "min", (long long)r->d.x->shape[0]);
    if (r->so.validation_split > 0) printf(" (%g for validation)", r->so.validation_split);
    printf("; %d trial%s at once, %d thread%s each; results: %s\n", p, p == 1 ? "" : "s", per, per == 1 ? "" : "s",
           r->results);
    fflush(stdout);
}

static int column(const nr_hp_def *d) { return strlen(d->name) > 9 ? (int)strlen(d->name) : 9; }

/* The best trials, ranked, with their values as columns. */
static void print_table(const tune_run *r) {
    const nr_tune_result *res = r->result;
    int top = r->a->top ? r->a->top : 5;
    printf("\nBest trials (%s, %s):\n%-5s %-6s %12s %8s", nr_tune_objective(res),
           nr_tune_direction(res) == NR_MODE_MAX ? "max" : "min", "rank", "trial", nr_tune_objective(res), "seconds");
    for (int i = 0; i < nr_hp_space_count(r->space); i++) printf("  %*s", column(nr_hp_space_get(r->space, i)), nr_hp_space_get(r->space, i)->name);
    printf("\n");
    for (int k = 0; k < top; k++) {
        const nr_tune_trial *t = nr_tune_best(res, k);
        if (!t) break;
        printf("%-5d %-6d %12.6g %8.1f", k + 1, t->id, t->value, t->seconds);
        for (int i = 0; i < nr_hp_space_count(r->space); i++) {
            const nr_hp_def *d = nr_hp_space_get(r->space, i);
            const nr_hp_value *v = nr_hp_values_get(t->hp, d->name);
            char buf[64];
            printf("  %*s", column(d), v ? nr_hp_value_brief(v, buf, sizeof buf) : "-");
        }
        printf("\n");
    }
    printf("%d trials; best model saved to %s\n", nr_tune_n_trials(res), r->best);
}

/* The objective of each trial and the best so far. */
static nr_status plot(const tune_run *r) {
    const nr_tune_result *res = r->result;
    int n = nr_tune_n_trials(res), k = 0;
    double *x = nr_malloc(3 * (size_t)(n + 1) * sizeof *x), *y = x + n + 1, *best = y + n + 1;
    if (!x) return NR_NOMEM();
    int max = nr_tune_direction(res) == NR_MODE_MAX;
    for (int i = 0; i < n; i++) {
        const nr_tune_trial *t = nr_tune_trial_at(res, i);
        if (t->status != NR_TRIAL_OK) continue;
        x[k] = t->id, y[k] = t->value;
        best[k] = k == 0 ? y[k] : max ? fmax(best[k - 1], y[k]) : fmin(best[k - 1], y[k]);
        k++;
    }
    nr_figure *f = NULL;
    nr_status s = nr_figure_new(&(nr_figure_opts){.width = 800, .height = 500, .title = "Hyperparameter search"}, &f);
    nr_axes *ax = f ? nr_figure_axes(f, 0) : NULL;
    if (s == NR_OK) s = nr_axes_scatter(ax, x, y, k, &(nr_scatter_opts){.label = "trial"});
    if (s == NR_OK) s = nr_axes_line(ax, x, best, k, &(nr_line_opts){.label = "best so far", .color = "C1"});
    if (s == NR_OK) s = nr_axes_set_labels(ax, "trial", nr_tune_objective(res));
    if (s == NR_OK) s = nr_figure_save(f, r->a->plot);
    if (s == NR_OK) printf("Saved the plot of the trials to %s\n", r->a->plot);
    nr_figure_free(f);
    nr_free(x);
    nr_plot_cleanup(); /* cairo's font caches, so leak checkers see none */
    return s;
}

/* The test set's figures for the best model, as train prints them. */
static nr_status test_best(const tune_run *r) {
    if (!r->d.x_test || !nr_tune_best(r->result, 0)) return NR_OK;
    nr_graph *g = NULL;
    nr_model *m = NULL;
    NR_TRY(nr_model_load(r->best, &g, &m));
    const nr_tensor *x[1] = {r->d.x_test}, *y[1] = {r->d.y_test};
    nr_logs logs;
    nr_status s = nr_model_evaluate(m, x, y, &(nr_eval_opts){.batch_size = 256}, &logs);
    char buf[1024];
    if (s == NR_OK) printf("test %s\n", nr_logs_format(&logs, buf, sizeof buf));
    nr_graph_free(g);
    return s;
}

static int run(const tune_args *a) {
    tune_run r = {.a = a};
    nr_status s = load_spec(&r);
    if (s == NR_OK) s = load_data(&r);
    if (s == NR_OK) s = options(&r);
    if (s == NR_OK) {
        print_plan(&r);
        s = nr_tune(r.space, &r.o, nr_tune_spec_objective, &r.so, &r.result);
    }
    if (s == NR_OK) print_table(&r);
    if (s == NR_OK) s = test_best(&r);
    if (s == NR_OK && a->plot) s = plot(&r);
    int rc = s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
    nr_tune_result_free(r.result);
    cli_data_free(&r.d);
    nr_spec_free(r.base);
    nr_hp_space_free(r.space);
    nr_free(r.text);
    return rc;
}

int cmd_tune(int argc, char **argv) {
    tune_args a = {.seed = DEFAULT_SEED};
    cli_data_args *d = &a.data;
    const cli_opt opts[] = {
        CLI_OPT_STR("data", &d->data, "FILE.csv|DIR", "training data, as for train"),
        CLI_OPT_CHOICE("data-format", &d->format, "idx|images|csv", "what --data holds (default: told by what it is)"),
        CLI_OPT_STR("target", &d->target, "COL", "CSV column to predict: a name, or a 0-based index (-1: last)"),
        CLI_OPT_STR("test", &d->test, "FILE.csv|DIR", "test set, scored with the best model at the end"),
        CLI_OPT_FLOAT("test-split", &a.test_split, "F", "hold out this fraction of the rows as the test set"),
        CLI_OPT_FLAG("header", &d->header, "the CSV files' first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &d->no_header, "the CSV files have no header row"),
        CLI_OPT_CHOICE("color-mode", &d->color_mode, "grayscale|rgb|rgba", "image folders: channels"),
        CLI_OPT_STR("image-size", &d->image_size, "HxW", "image folders: resize to this size"),
        CLI_OPT_CHOICE("scale", &a.scale, "standard|minmax|none", "feature scaling (default: standard for CSV)"),
        CLI_OPT_CHOICE("tuner", &a.tuner, "random|grid|bayesian|hyperband", "the search (default: random)"),
        CLI_OPT_INT("max-trials", &a.max_trials, "N", 1, 1000000, "trials to run (default: 10; grid: all)"),
        CLI_OPT_INT("parallel", &a.parallel, "N", 1, 256, "trials run at once (default: 1)"),
        CLI_OPT_STR("objective", &a.objective, "NAME", "the logged figure to optimize (default: val_loss)"),
        CLI_OPT_CHOICE("direction", &a.direction, "min|max", "minimize or maximize (default: by the name)"),
        CLI_OPT_INT("executions", &a.executions, "N", 1, 64, "trainings per trial, averaged (default: 1)"),
        CLI_OPT_INT("epochs", &a.epochs, "N", 1, 1000000, "epochs per trial (default: the SPEC's fit())"),
        CLI_OPT_INT("batch-size", &a.batch_size, "N", 1, 1 << 24, "rows per step (default: the SPEC's fit())"),
        CLI_OPT_FLOAT("validation-split", &a.validation_split, "F", "validation fraction (default: the SPEC's)"),
        CLI_OPT_INT("patience", &a.patience, "N", 1, 1000000, "early stopping on the objective inside each trial"),
        CLI_OPT_FLOAT("max-seconds", &a.max_seconds, "S", "start no trial after this many seconds"),
        CLI_OPT_INT("max-epochs", &a.max_epochs, "N", 1, 1000000, "hyperband: R, the most epochs of a trial"),
        CLI_OPT_INT("factor", &a.factor, "N", 2, 100, "hyperband: eta, the reduction factor (default: 3)"),
        CLI_OPT_INT("hyperband-iterations", &a.iterations, "N", 1, 1000, "hyperband: times to run the schedule"),
        CLI_OPT_INT("initial-points", &a.initial_points, "N", 1, 100000, "bayesian: random trials first "
                    "(default: 3 per hyperparameter)"),
        CLI_OPT_INT("seed", &a.seed, "N", 0, 2147483647, "random seed (default: 42)"),
        CLI_OPT_STR("out", &a.out, "DIR", "results, best model and trial weights (default: tune_out)"),
        CLI_OPT_FLAG("overwrite", &a.overwrite, "start afresh instead of resuming DIR's results"),
        CLI_OPT_INT("top", &a.top, "N", 1, 1000, "best trials in the final table (default: 5)"),
        CLI_OPT_STR("plot", &a.plot, "FILE.png|.svg", "draw the objective of each trial and the best so far"),
    };
    const cli_command c = {.name = "tune", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "SPEC", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.spec = pos[0];
    if ((rc = check_args(&a)) != CLI_RUN) return rc;
    return run(&a);
}
