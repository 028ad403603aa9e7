/* The plots of `neurona metrics --plots DIR` and `evaluate --report
 * --plots DIR`: the confusion matrix as a heat map; for two classes with
 * scores the ROC curve (with the chance diagonal) and the precision-recall
 * curve; for more classes with scores one ROC curve per class against the
 * rest; for regression the predictions against the truth. */
#include <stdio.h>
#include <string.h>
#include "cli/cli_metrics.h"
#include "core/core.h"

static nr_status new_figure(nr_figure **f, int w, int h) {
    return nr_figure_new(&(nr_figure_opts){.width = w, .height = h}, f);
}

/* Saves f when s is NR_OK, else only frees it. */
static nr_status finish(cli_plotdir *p, nr_figure *f, nr_status s, const char *what) {
    if (s == NR_OK) return cli_plotdir_save(p, f, "metrics", what);
    nr_figure_free(f);
    return s;
}

static nr_status confusion(const cli_classes *c, cli_plotdir *p) {
    int64_t *cm = nr_malloc((size_t)c->k * (size_t)c->k * sizeof *cm);
    double *v = nr_malloc((size_t)c->k * (size_t)c->k * sizeof *v);
    nr_figure *f = NULL;
    nr_status s = cm && v ? nr_metrics_confusion(c->y_true, c->y_pred, c->n, c->k, cm) : NR_NOMEM();
    for (int i = 0; s == NR_OK && i < c->k * c->k; i++) v[i] = (double)cm[i];
    int side = 360 + 40 * (c->k < 12 ? c->k : 12);
    if (s == NR_OK) s = new_figure(&f, side + 120, side);
    nr_axes *ax = f ? nr_figure_axes(f, 0) : NULL;
    if (s == NR_OK)
        s = nr_axes_heatmap(ax, v, c->k, c->k, c->names, c->names,
                            &(nr_heatmap_opts){.colormap = NR_COLORMAP_BLUES, .format = "%.0f"});
    if (s == NR_OK) s = nr_axes_set_title(ax, "Confusion matrix (rows: true class, columns: predicted)");
    if (s == NR_OK) s = nr_axes_set_labels(ax, "predicted class", "true class");
    nr_free(cm);
    nr_free(v);
    return finish(p, f, s, "confusion");
}

/* One curve into ax, labelled. */
static nr_status curve(nr_axes *ax, const nr_curve *cv, const char *label, const char *color) {
    return nr_axes_line(ax, cv->x, cv->y, cv->n, &(nr_line_opts){.label = label, .color = color});
}

static nr_status unit_axes(nr_axes *ax, const char *title, const char *xl, const char *yl) {
    NR_TRY(nr_axes_set_xlim(ax, 0, 1));
    NR_TRY(nr_axes_set_ylim(ax, 0, 1.02));
    NR_TRY(nr_axes_set_title(ax, title));
    return nr_axes_set_labels(ax, xl, yl);
}

/* ROC and precision-recall curves of the positive class. */
static nr_status binary(const cli_classes *c, cli_plotdir *p) {
    int *y = nr_malloc((size_t)c->n * sizeof *y);
    if (!y) return NR_NOMEM();
    for (int64_t i = 0; i < c->n; i++) y[i] = c->y_true[i] == c->positive;
    nr_curve roc = {0}, pr = {0};
    nr_figure *f = NULL, *g = NULL;
    double auc = 0, ap = 0;
    char label[96];
    nr_status s = nr_metrics_roc_curve(y, c->score, c->n, NULL, &roc);
    if (s == NR_OK) s = nr_metrics_roc_auc(y, c->score, c->n, &auc);
    if (s == NR_OK) s = nr_metrics_pr_curve(y, c->score, c->n, &pr);
    if (s == NR_OK) s = nr_metrics_average_precision(y, c->score, c->n, &ap);
    if (s == NR_OK) s = new_figure(&f, 560, 520);
    snprintf(label, sizeof label, "%s (AUC %.3f)", c->names[c->positive], auc);
    if (s == NR_OK) s = curve(nr_figure_axes(f, 0), &roc, label, "C0");
    if (s == NR_OK) s = nr_axes_diagonal(nr_figure_axes(f, 0));
    if (s == NR_OK) s = unit_axes(nr_figure_axes(f, 0), "ROC curve", "false positive rate", "true positive rate");
    s = finish(p, f, s, "roc");
    if (s == NR_OK) s = new_figure(&g, 560, 520);
    snprintf(label, sizeof label, "%s (AP %.3f)", c->names[c->positive], ap);
    if (s == NR_OK) s = curve(nr_figure_axes(g, 0), &pr, label, "C0");
    if (s == NR_OK) s = unit_axes(nr_figure_axes(g, 0), "Precision-recall curve", "recall", "precision");
    s = g ? finish(p, g, s, "precision_recall") : s;
    nr_curve_free(&roc);
    nr_curve_free(&pr);
    nr_free(y);
    return s;
}

/* One ROC curve per class, each against the rest (classes absent from
 * y_true have no curve). */
static nr_status one_vs_rest(const cli_classes *c, cli_plotdir *p) {
    int *y = nr_malloc((size_t)c->n * sizeof *y);
    double *col = nr_malloc((size_t)c->n * sizeof *col);
    nr_figure *f = NULL;
    nr_status s = y && col ? new_figure(&f, 600, 540) : NR_NOMEM();
    nr_axes *ax = f ? nr_figure_axes(f, 0) : NULL;
    for (int k = 0; s == NR_OK && k < c->k; k++) {
        int pos = 0;
        for (int64_t i = 0; i < c->n; i++) {
            y[i] = c->y_true[i] == k, col[i] = c->score[i * c->k + k];
            pos += y[i];
        }
        if (!pos || pos == c->n) continue;
        nr_curve roc = {0};
        double auc = 0;
        char label[96];
        s = nr_metrics_roc_curve(y, col, c->n, NULL, &roc);
        if (s == NR_OK) s = nr_metrics_roc_auc(y, col, c->n, &auc);
        snprintf(label, sizeof label, "%.60s (AUC %.3f)", c->names[k], auc);
        if (s == NR_OK) s = curve(ax, &roc, label, NULL);
        nr_curve_free(&roc);
    }
    if (s == NR_OK) s = nr_axes_diagonal(ax);
    if (s == NR_OK) s = unit_axes(ax, "ROC curves, each class against the rest", "false positive rate",
                                  "true positive rate");
    nr_free(y);
    nr_free(col);
    return f ? finish(p, f, s, "roc_ovr") : s;
}

nr_status cli_plot_classes(const cli_classes *c, cli_plotdir *p) {
    NR_TRY(cli_plotdir_open(p));
    NR_TRY(confusion(c, p));
    if (c->score && c->k == 2) return binary(c, p);
    if (c->score) return one_vs_rest(c, p);
    return NR_OK;
}

nr_status cli_plot_regression(const double *y_true, const double *y_pred, int64_t n, const char *what,
                              cli_plotdir *p) {
    NR_TRY(cli_plotdir_open(p));
    nr_figure *f = NULL;
    char title[128];
    snprintf(title, sizeof title, "Predicted against true%s%.80s", what ? ": " : "", what ? what : "");
    nr_status s = new_figure(&f, 560, 520);
    nr_axes *ax = f ? nr_figure_axes(f, 0) : NULL;
    if (s == NR_OK) s = nr_axes_scatter(ax, y_true, y_pred, n, &(nr_scatter_opts){.size = 3.5});
    if (s == NR_OK) s = nr_axes_diagonal(ax);
    if (s == NR_OK) s = nr_axes_set_title(ax, title);
    if (s == NR_OK) s = nr_axes_set_labels(ax, "true value", "predicted value");
    return finish(p, f, s, what ? what : "predicted_vs_true");
}
