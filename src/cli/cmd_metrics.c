/* neurona metrics: the figures of predictions made anywhere, from a CSV
 * file holding the true and predicted labels (text or numbers) and,
 * optionally, scores: classification (accuracy, confusion matrix,
 * classification report, binary ROC AUC / average precision / threshold
 * figures, one-vs-rest ROC AUC) or regression (MSE, RMSE, MAE, R²). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_metrics.h"
#include "core/core.h"
#include "core/fmt.h"

static const char usage[] =
    "FILE.csv --true COL --pred COL [--score COL[,COL...]] [--positive LABEL] [--threshold T|youden] [options]\n"
    "FILE.csv --true COL --score COL[,COL...] [options]";

static const char about[] =
    "Judges predictions made anywhere. Classification: accuracy, the confusion\n"
    "matrix, scikit-learn's classification report; with two classes the\n"
    "sensitivity, specificity and FPR, and with --score the ROC AUC, average\n"
    "precision and the figures at a threshold; with more classes and one score\n"
    "column per class, the one-vs-rest ROC AUC. Regression: MSE, RMSE, MAE, R².";

static const char notes[] =
    "Classes are the distinct labels of --true and --pred, sorted (numerically\n"
    "when both columns are numbers), as scikit-learn's unique_labels. The task is\n"
    "regression when a label is not an integer (scikit-learn's 'continuous'),\n"
    "unless --task says otherwise.\n"
    "--score: two classes take one column, the positive class's score (or one\n"
    "column per class); more classes take one probability column per class,\n"
    "matched by name when the columns are named after the classes, else in the\n"
    "sorted class order. Without --pred the predicted class is the one scored\n"
    "at or above the threshold (two classes) or the highest score.\n"
    "--positive defaults to the last class (1 of 0/1, 'yes' of no/yes).\n"
    "--threshold defaults to 0.5 for scores within [0, 1], else 0 (logits);\n"
    "'youden' takes the ROC point that maximizes TPR - FPR.";

static const char example[] =
    "neurona metrics predictions.csv --true label --pred class --score yes --positive yes\n"
    "neurona metrics iris_pred.csv --true species --pred class --score setosa,versicolor,virginica";

typedef struct metrics_args {
    const char *file, *truth, *pred, *score, *positive, *threshold, *task, *plots, *format;
    int digits, header, no_header;
} metrics_args;

/* What the run holds, freed in one place. */
typedef struct run_state {
    nr_csv *csv;
    int col_true, col_pred;    /* col_pred -1: none */
    int *score_cols, n_score;
    char **names;              /* k class names */
    int k;
    int *y_true, *y_pred;
    double *score;
} run_state;

static void state_free(run_state *r) {
    nr_csv_free(r->csv);
    nr_free(r->score_cols);
    for (int i = 0; r->names && i < r->k; i++) nr_free(r->names[i]);
    nr_free(r->names);
    nr_free(r->y_true);
    nr_free(r->score);
}

/* A column by name, else by 0-based index. */
static nr_status find_col(const nr_csv *csv, const char *opt, const char *col, int *out) {
    int n = nr_csv_num_cols(csv);
    char *end;
    *out = nr_csv_col_find(csv, col);
    if (*out >= 0) return NR_OK;
    long v = strtol(col, &end, 10);
    if (*col && !*end && v >= -n && v < n) {
        *out = v < 0 ? (int)(v + n) : (int)v;
        return NR_OK;
    }
    char list[512];
    size_t k = 0;
    list[0] = 0;
    for (int c = 0; c < n && k + 8 < sizeof list; c++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", c ? ", " : "", nr_csv_col_name(csv, c));
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %s: no column '%s'; the columns are %s", nr_csv_path(csv), opt, col,
                    list);
}

static nr_status no_missing(const nr_csv *csv, int col) {
    for (int64_t r = 0; r < nr_csv_num_rows(csv); r++)
        if (nr_csv_is_missing(csv, r, col))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s:%lld: column '%s' has a missing value; metrics need every "
                            "row (drop such rows first, e.g. with neurona prep --drop-missing)", nr_csv_path(csv),
                            (long long)nr_csv_row_line(csv, r), nr_csv_col_name(csv, col));
    return NR_OK;
}

static nr_status need_numeric(const nr_csv *csv, int col, const char *why) {
    NR_TRY(no_missing(csv, col));
    if (nr_csv_col_type(csv, col) == NR_CSV_TYPE_NUMERIC) return NR_OK;
    for (int64_t r = 0; r < nr_csv_num_rows(csv); r++)
        if (nr_csv_text(csv, r, col))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s:%lld: column '%s' holds the text '%s' where %s needs a number",
                            nr_csv_path(csv), (long long)nr_csv_row_line(csv, r), nr_csv_col_name(csv, col),
                            nr_csv_text(csv, r, col), why);
    return NR_OK;
}

/* ------------------------------------------------------------ classes --- */

static int both_numeric(const run_state *r) {
    return nr_csv_col_type(r->csv, r->col_true) == NR_CSV_TYPE_NUMERIC &&
           (r->col_pred < 0 || nr_csv_col_type(r->csv, r->col_pred) == NR_CSV_TYPE_NUMERIC);
}

/* A cell as a label: its text, or its number's shortest spelling. */
static const char *label_of(const nr_csv *csv, int64_t row, int col, char buf[NR_FMT_SIZE]) {
    const char *t = nr_csv_text(csv, row, col);
    return t ? t : nr_fmt_shortest(buf, nr_csv_value(csv, row, col));
}

typedef struct label_key {
    double v;
    const char *s;
} label_key;

static int numeric_order;   /* how cmp_key sorts: set before each qsort */

static int cmp_key(const void *a, const void *b) {
    const label_key *x = a, *y = b;
    if (numeric_order) return (x->v > y->v) - (x->v < y->v);
    return strcmp(x->s, y->s);
}

/* The sorted distinct labels of the true and predicted columns. */
static nr_status collect_classes(run_state *r) {
    int64_t n = nr_csv_num_rows(r->csv), m = 0;
    int cols[2] = {r->col_true, r->col_pred};
    label_key *keys = nr_malloc(2 * (size_t)n * sizeof *keys);
    char (*buf)[NR_FMT_SIZE] = nr_malloc(2 * (size_t)n * sizeof *buf);
    nr_status s = keys && buf ? NR_OK : NR_NOMEM();
    numeric_order = both_numeric(r);
    for (int c = 0; s == NR_OK && c < 2; c++)
        for (int64_t i = 0; cols[c] >= 0 && i < n; i++, m++)
            keys[m] = (label_key){nr_csv_value(r->csv, i, cols[c]), label_of(r->csv, i, cols[c], buf[m])};
    if (s == NR_OK) qsort(keys, (size_t)m, sizeof *keys, cmp_key);
    int64_t k = 0;
    for (int64_t i = 0; s == NR_OK && i < m; i++)
        if (i == 0 || cmp_key(&keys[i], &keys[k - 1]) != 0) keys[k++] = keys[i];
    if (s == NR_OK && k > 65536) s = nr_error(NR_STATUS_UNSUPPORTED, "%s: %lld distinct labels; is the true column "
                                              "a class column?", nr_csv_path(r->csv), (long long)k);
    if (s == NR_OK && !(r->names = nr_calloc((size_t)k, sizeof *r->names))) s = NR_NOMEM();
    for (int64_t i = 0; s == NR_OK && i < k; i++, r->k++)
        if (!(r->names[i] = nr_strdup(keys[i].s))) s = NR_NOMEM();
    nr_free(keys);
    nr_free(buf);
    return s;
}

static int class_of(const run_state *r, int64_t row, int col) {
    char buf[NR_FMT_SIZE];
    const char *s = label_of(r->csv, row, col, buf);
    for (int i = 0; i < r->k; i++)
        if (strcmp(r->names[i], s) == 0) return i;
    NR_ASSERT(0);
    return -1;
}

static nr_status encode(run_state *r) {
    int64_t n = nr_csv_num_rows(r->csv);
    if (!(r->y_true = nr_malloc(2 * (size_t)n * sizeof *r->y_true))) return NR_NOMEM();
    r->y_pred = r->y_true + n;
    for (int64_t i = 0; i < n; i++) {
        r->y_true[i] = class_of(r, i, r->col_true);
        if (r->col_pred >= 0) r->y_pred[i] = class_of(r, i, r->col_pred);
    }
    return NR_OK;
}

/* ------------------------------------------------------------- scores --- */

static nr_status parse_score_cols(const metrics_args *a, run_state *r) {
    char *list = nr_strdup(a->score);
    int cap = 1;
    for (const char *p = a->score; *p; p++) cap += *p == ',';
    r->score_cols = nr_malloc((size_t)cap * sizeof *r->score_cols);
    nr_status s = list && r->score_cols ? NR_OK : NR_NOMEM();
    for (char *p = list, *save = NULL, *tok; s == NR_OK && (tok = strtok_r(p, ",", &save)); p = NULL) {
        s = find_col(r->csv, "--score", tok, &r->score_cols[r->n_score]);
        if (s == NR_OK) s = need_numeric(r->csv, r->score_cols[r->n_score++], "--score");
    }
    nr_free(list);
    return s;
}

/* Score columns in class order: by name when they all name classes. */
static void order_by_name(run_state *r) {
    int *order = r->score_cols, by_name = 1;
    int tmp[64];
    if (r->k > 64) return;
    for (int i = 0; i < r->k && by_name; i++) {
        tmp[i] = -1;
        for (int j = 0; j < r->k; j++)
            if (strcmp(nr_csv_col_name(r->csv, order[j]), r->names[i]) == 0) tmp[i] = order[j];
        by_name = tmp[i] >= 0;
    }
    if (by_name) memcpy(order, tmp, (size_t)r->k * sizeof *order);
}

static nr_status load_scores(run_state *r, int positive) {
    int64_t n = nr_csv_num_rows(r->csv);
    int binary_one = r->k == 2 && r->n_score == 1;
    if (!binary_one && r->n_score != r->k)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "--score: %d column%s for %d classes; give one column per class%s",
                        r->n_score, r->n_score == 1 ? "" : "s", r->k,
                        r->k == 2 ? " or the positive class's only" : "");
    if (!binary_one) order_by_name(r);
    int width = binary_one || r->k == 2 ? 1 : r->k;
    if (!(r->score = nr_malloc((size_t)n * (size_t)width * sizeof *r->score))) return NR_NOMEM();
    for (int64_t i = 0; i < n; i++) {
        if (width == 1) r->score[i] = nr_csv_value(r->csv, i, r->score_cols[binary_one ? 0 : positive]);
        else
            for (int c = 0; c < r->k; c++) r->score[i * r->k + c] = nr_csv_value(r->csv, i, r->score_cols[c]);
    }
    return NR_OK;
}

/* Without --pred: the class scored at or above the threshold, or the
 * highest score. */
static nr_status predict_from_scores(const metrics_args *a, run_state *r, int positive) {
    int64_t n = nr_csv_num_rows(r->csv);
    double t = 0.5;
    if (r->k == 2) {
        int unit = 1, *y = nr_malloc((size_t)n * sizeof *y);
        if (!y) return NR_NOMEM();
        for (int64_t i = 0; i < n; i++) unit &= r->score[i] >= 0 && r->score[i] <= 1, y[i] = r->y_true[i] == positive;
        nr_status s = NR_OK;
        if (a->threshold && strcmp(a->threshold, "youden") == 0) s = nr_metrics_youden(y, r->score, n, &t);
        else if (a->threshold) t = strtod(a->threshold, NULL);
        else t = unit ? 0.5 : 0;
        nr_free(y);
        NR_TRY(s);
        for (int64_t i = 0; i < n; i++) r->y_pred[i] = r->score[i] >= t ? positive : 1 - positive;
        return NR_OK;
    }
    for (int64_t i = 0; i < n; i++) {
        int best = 0;
        for (int c = 1; c < r->k; c++) best = r->score[i * r->k + c] > r->score[i * r->k + best] ? c : best;
        r->y_pred[i] = best;
    }
    return NR_OK;
}

static nr_status find_positive(const metrics_args *a, const run_state *r, int *positive) {
    *positive = r->k - 1;
    if (!a->positive) return NR_OK;
    if (r->k != 2)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "--positive is for two classes; the data has %d", r->k);
    for (int i = 0; i < r->k; i++)
        if (strcmp(r->names[i], a->positive) == 0) *positive = i;
    if (strcmp(r->names[*positive], a->positive) != 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "--positive: no class '%s'; the classes are '%s' and '%s'",
                        a->positive, r->names[0], r->names[1]);
    return NR_OK;
}

/* cairo's font caches are handed back once the plots are written. */
static nr_status plots_done(const metrics_args *a, nr_status s) {
    nr_plot_cleanup();
    if (s == NR_OK) printf("\nSaved the plots to %s\n", a->plots);
    return s;
}

static nr_status classification(const metrics_args *a, run_state *r) {
    NR_TRY(no_missing(r->csv, r->col_true));
    if (r->col_pred >= 0) NR_TRY(no_missing(r->csv, r->col_pred));
    NR_TRY(collect_classes(r));
    NR_TRY(encode(r));
    int positive;
    if (r->k == 1 && a->score)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: only one class present in y_true ('%s'); ROC AUC and average "
                        "precision need rows of two classes", nr_csv_path(r->csv), r->names[0]);
    NR_TRY(find_positive(a, r, &positive));
    if (a->score) NR_TRY(load_scores(r, positive));
    if (r->col_pred < 0) NR_TRY(predict_from_scores(a, r, positive));
    cli_classes c = {.n = nr_csv_num_rows(r->csv), .k = r->k, .names = (const char *const *)r->names,
                     .y_true = r->y_true, .y_pred = r->y_pred, .score = r->score, .positive = positive,
                     .threshold = a->threshold, .digits = a->digits};
    NR_TRY(cli_print_classes(&c, stdout));
    return a->plots ? plots_done(a, cli_plot_classes(&c, &(cli_plotdir){a->plots, a->format, 0})) : NR_OK;
}

/* ---------------------------------------------------------- regression --- */

static int is_continuous(const nr_csv *csv, int col) {
    if (nr_csv_col_type(csv, col) != NR_CSV_TYPE_NUMERIC) return 0;
    for (int64_t i = 0; i < nr_csv_num_rows(csv); i++) {
        double v = nr_csv_value(csv, i, col);
        if (!isnan(v) && v != floor(v)) return 1;
    }
    return 0;
}

static nr_status regression(const metrics_args *a, run_state *r) {
    int64_t n = nr_csv_num_rows(r->csv);
    NR_TRY(need_numeric(r->csv, r->col_true, "regression"));
    NR_TRY(need_numeric(r->csv, r->col_pred, "regression"));
    if (!(r->score = nr_malloc(2 * (size_t)n * sizeof *r->score))) return NR_NOMEM();
    for (int64_t i = 0; i < n; i++)
        r->score[i] = nr_csv_value(r->csv, i, r->col_true), r->score[n + i] = nr_csv_value(r->csv, i, r->col_pred);
    NR_TRY(cli_print_regression(r->score, r->score + n, n, NULL, stdout));
    return a->plots ? plots_done(a, cli_plot_regression(r->score, r->score + n, n, NULL,
                                                        &(cli_plotdir){a->plots, a->format, 0}))
                    : NR_OK;
}

static nr_status run(const metrics_args *a) {
    run_state r = {.col_pred = -1};
    nr_csv_opts o = {.header = a->header ? 1 : a->no_header ? -1 : 0};
    nr_status s = nr_csv_read(a->file, &o, &r.csv);
    if (s == NR_OK) s = find_col(r.csv, "--true", a->truth, &r.col_true);
    if (s == NR_OK && a->pred) s = find_col(r.csv, "--pred", a->pred, &r.col_pred);
    if (s == NR_OK && a->score) s = parse_score_cols(a, &r);
    int reg = a->task ? strcmp(a->task, "regression") == 0
                      : s == NR_OK && r.col_pred >= 0 && (is_continuous(r.csv, r.col_true) || is_continuous(r.csv, r.col_pred));
    if (s == NR_OK && reg && r.col_pred < 0) s = nr_error(NR_STATUS_BAD_ARGUMENT, "regression needs --pred COL");
    if (s == NR_OK) s = reg ? regression(a, &r) : classification(a, &r);
    state_free(&r);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}

int cmd_metrics(int argc, char **argv) {
    metrics_args a = {0};
    const cli_opt opts[] = {
        CLI_OPT_STR("true", &a.truth, "COL", "the true labels or values: a column name or 0-based index"),
        CLI_OPT_STR("pred", &a.pred, "COL", "the predicted labels or values"),
        CLI_OPT_STR("score", &a.score, "COL[,COL...]", "scores: the positive class's, or one per class"),
        CLI_OPT_STR("positive", &a.positive, "LABEL", "two classes: the positive one (default: the last)"),
        CLI_OPT_STR("threshold", &a.threshold, "T|youden", "two classes: score >= T is positive (default: 0.5)"),
        CLI_OPT_INT("digits", &a.digits, "N", 1, 15, "decimals of the classification report (default: 2)"),
        CLI_OPT_STR("plots", &a.plots, "DIR", "draw the confusion matrix, ROC and precision-recall curves, or "
                    "predicted against true values, into DIR"),
        CLI_OPT_CHOICE("format", &a.format, "png|svg", "--plots: one format only (default: both)"),
        CLI_OPT_CHOICE("task", &a.task, "classification|regression", "what the labels are (default: told by them)"),
        CLI_OPT_FLAG("header", &a.header, "the CSV file's first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &a.no_header, "the CSV file has no header row"),
    };
    const cli_command c = {.name = "metrics", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "FILE.csv", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.file = pos[0];
    if (!a.truth) return cli_usage("metrics", "metrics: missing --true COL");
    if (!a.pred && !a.score) return cli_usage("metrics", "metrics: give --pred COL, --score COL[,COL...] or both");
    if ((rc = cli_check_header("metrics", a.header, a.no_header)) != CLI_RUN) return rc;
    if (a.threshold && strcmp(a.threshold, "youden") != 0) {
        char *end;
        double t = strtod(a.threshold, &end);
        if (!*a.threshold || *end || !isfinite(t))
            return cli_usage("metrics", "--threshold: expected a number or 'youden', got '%s'", a.threshold);
    }
    return run(&a);
}
