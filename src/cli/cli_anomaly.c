/* The anomaly command's class and threshold arguments, plots and CSV. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli_anomaly.h"
#include "core/core.h"
#include "io/atomic.h"

nr_status cli_anomaly_class(const nr_labels *labels, const char *name, int *cls) {
    int k = labels ? nr_labels_lookup(labels, name) : -1;
    if (k >= 0) {
        *cls = k;
        return NR_OK;
    }
    char *end;
    long v = strtol(name, &end, 10);
    if (!labels && *name && !*end && v >= 0 && v < 16777216) {
        *cls = (int)v;
        return NR_OK;
    }
    if (!labels) return nr_error(NR_STATUS_BAD_ARGUMENT, "--anomaly-class: expected a class label (an integer), got '%s'",
                                 name);
    char list[512];
    size_t len = 0;
    list[0] = 0;
    for (int i = 0; i < nr_labels_count(labels) && len + 64 < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", nr_labels_name(labels, i));
    return nr_error(NR_STATUS_BAD_ARGUMENT, "--anomaly-class: no class '%s'; the classes are %s", name, list);
}

/* "NAME" or "NAME:NUMBER" into *q (0 without a number). */
static int rule_with_number(const char *s, const char *name, double *q) {
    size_t n = strlen(name);
    if (strncmp(s, name, n) != 0 || (s[n] && s[n] != ':')) return 0;
    *q = 0;
    if (!s[n]) return 1;
    char *end;
    *q = strtod(s + n + 1, &end);
    return end != s + n + 1 && !*end && isfinite(*q);
}

int cli_threshold_parse(const char *s, nr_threshold_opts *o, int *fixed, double *value) {
    *o = (nr_threshold_opts){0};
    *fixed = 0;
    if (strcmp(s, "f1") == 0) return 1;
    if (rule_with_number(s, "percentile", &o->q)) return o->rule = NR_THRESHOLD_PERCENTILE, o->q >= 0 && o->q <= 100;
    if (rule_with_number(s, "meanstd", &o->q)) return o->rule = NR_THRESHOLD_MEAN_STD, o->q >= 0;
    char *end;
    *value = strtod(s, &end);
    *fixed = end != s && !*end && isfinite(*value);
    return *fixed;
}

static nr_status save_figure(nr_figure *f, nr_status s, const char *path, const char *what) {
    if (s == NR_OK) s = nr_figure_save(f, path);
    nr_figure_free(f);
    if (s == NR_OK) printf("Saved the %s to %s\n", what, path);
    return s;
}

nr_status cli_anomaly_pr_plot(const char *path, const cli_errors *test, const nr_anomaly_scores *sc) {
    nr_curve pr = {0};
    nr_figure *f = NULL;
    char label[96], point[96];
    nr_status s = nr_metrics_pr_curve(test->anomaly, test->error, test->n, &pr);
    if (s == NR_OK) s = nr_figure_new(&(nr_figure_opts){.width = 560, .height = 520}, &f);
    nr_axes *ax = f ? nr_figure_axes(f, 0) : NULL;
    snprintf(label, sizeof label, "test set (PR-AUC %.3f)", sc->pr_auc);
    snprintf(point, sizeof point, "threshold %.4g (F1 %.3f)", sc->threshold, sc->f1);
    if (s == NR_OK) s = nr_axes_line(ax, pr.x, pr.y, pr.n, &(nr_line_opts){.label = label, .color = "C0"});
    if (s == NR_OK)
        s = nr_axes_scatter(ax, &sc->recall, &sc->precision, 1, &(nr_scatter_opts){.label = point, .color = "C3",
                                                                                    .size = 5});
    if (s == NR_OK) s = nr_axes_set_xlim(ax, 0, 1);
    if (s == NR_OK) s = nr_axes_set_ylim(ax, 0, 1.02);
    if (s == NR_OK) s = nr_axes_set_title(ax, "Anomalies by reconstruction error: precision-recall");
    if (s == NR_OK) s = nr_axes_set_labels(ax, "recall", "precision");
    nr_curve_free(&pr);
    return f ? save_figure(f, s, path, "precision-recall curve") : s;
}

/* The errors of the rows whose flag is want, and the tallest of 50
 * equal bins over their range (for the threshold line's height). */
static nr_status pick(const cli_errors *e, int want, double **out, int64_t *k, double *tallest) {
    double *v = nr_malloc((size_t)e->n * sizeof *v), lo = INFINITY, hi = -INFINITY;
    int64_t bins[50] = {0};
    if (!v) return NR_NOMEM();
    *k = 0;
    for (int64_t i = 0; i < e->n; i++)
        if ((e->anomaly[i] != 0) == want) v[(*k)++] = e->error[i];
    for (int64_t i = 0; i < *k; i++) lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
    *tallest = 1;
    for (int64_t i = 0; i < *k; i++) {
        int b = hi > lo ? (int)((v[i] - lo) / (hi - lo) * 50) : 0;
        b = b > 49 ? 49 : b;
        if (++bins[b] > *tallest) *tallest = (double)bins[b];
    }
    *out = v;
    return NR_OK;
}

/* Both panels share the x range of every test error and the threshold. */
static nr_status panel(nr_axes *ax, const cli_errors *e, int want, double threshold) {
    double *v = NULL, tallest = 1;
    int64_t k = 0;
    NR_TRY(pick(e, want, &v, &k, &tallest));
    double tx[2] = {threshold, threshold}, ty[2] = {0, tallest * 1.05};
    char title[96];
    snprintf(title, sizeof title, "%s (%lld test rows)", want ? "anomalies" : "normal rows", (long long)k);
    nr_status s = k ? nr_axes_hist(ax, v, k, &(nr_hist_opts){.bins = 50, .color = want ? "C3" : "C0"}) : NR_OK;
    if (s == NR_OK) s = nr_axes_line(ax, tx, ty, 2, &(nr_line_opts){.label = "threshold", .color = "black", .dashed = 1});
    double lo = threshold, hi = threshold;
    for (int64_t i = 0; i < e->n; i++) lo = fmin(lo, e->error[i]), hi = fmax(hi, e->error[i]);
    if (s == NR_OK && hi > lo) s = nr_axes_set_xlim(ax, lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo));
    if (s == NR_OK) s = nr_axes_set_title(ax, title);
    if (s == NR_OK) s = nr_axes_set_labels(ax, "reconstruction error", "rows");
    nr_free(v);
    return s;
}

nr_status cli_anomaly_hist_plot(const char *path, const cli_errors *test, double threshold) {
    nr_figure *f;
    NR_TRY(nr_figure_new(&(nr_figure_opts){.width = 720, .height = 640, .rows = 2}, &f));
    nr_status s = panel(nr_figure_axes(f, 0), test, 0, threshold);
    if (s == NR_OK) s = panel(nr_figure_axes(f, 1), test, 1, threshold);
    return save_figure(f, s, path, "error histograms");
}

static void write_rows(FILE *f, const char *set, const cli_errors *e, double threshold) {
    for (int64_t i = 0; i < e->n; i++)
        fprintf(f, "%s,%.9g,%d,%d\n", set, e->error[i], e->anomaly[i] != 0, e->error[i] >= threshold);
}

nr_status cli_anomaly_scores_csv(const char *path, const cli_errors *val, const cli_errors *test, double threshold) {
    nr_atomic_file af;
    NR_TRY(nr_atomic_open_stdio(&af, path));
    fputs("set,error,anomaly,flagged\n", af.f);
    write_rows(af.f, "validation", val, threshold);
    write_rows(af.f, "test", test, threshold);
    NR_TRY(nr_atomic_commit(&af));
    printf("Saved the errors of %lld rows to %s\n", (long long)(val->n + test->n), path);
    return NR_OK;
}
