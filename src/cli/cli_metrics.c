/* The figures of labelled predictions, printed for people: the confusion
 * matrix and sklearn's classification report over the classes the data
 * holds, then ROC AUC, average precision and the figures at a threshold
 * for two classes, or one-vs-rest ROC AUC for more. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli_metrics.h"
#include "core/core.h"

/* Code points, to line columns up under UTF-8 names. */
static int text_width(const char *s) {
    int w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void put_right(FILE *f, const char *s, int width) {
    for (int i = text_width(s); i < width; i++) fputc(' ', f);
    fputs(s, f);
}

/* The classes present, renumbered in order: map[old] = new or -1. */
typedef struct present {
    int k;
    int *map, *y_true, *y_pred;
    const char **names;
} present;

static void present_free(present *p) {
    nr_free(p->map);
    nr_free(p->names);
}

static nr_status find_present(const cli_classes *c, present *p) {
    memset(p, 0, sizeof *p);
    p->map = nr_malloc(((size_t)c->k + 2 * (size_t)c->n) * sizeof *p->map);
    p->names = nr_malloc((size_t)c->k * sizeof *p->names);
    if (!p->map || !p->names) return NR_NOMEM();
    p->y_true = p->map + c->k, p->y_pred = p->y_true + c->n;
    for (int i = 0; i < c->k; i++) p->map[i] = -1;
    for (int64_t i = 0; i < c->n; i++) p->map[c->y_true[i]] = p->map[c->y_pred[i]] = 0;
    for (int i = 0; i < c->k; i++)
        if (p->map[i] == 0) p->names[p->k] = c->names[i], p->map[i] = p->k++;
    for (int64_t i = 0; i < c->n; i++) p->y_true[i] = p->map[c->y_true[i]], p->y_pred[i] = p->map[c->y_pred[i]];
    return NR_OK;
}

static nr_status print_confusion(const present *p, int64_t n, FILE *f) {
    int64_t *cm = nr_malloc((size_t)p->k * (size_t)p->k * sizeof *cm);
    if (!cm) return NR_NOMEM();
    nr_status s = nr_metrics_confusion(p->y_true, p->y_pred, n, p->k, cm);
    int wn = 4, wc = 6;
    for (int i = 0; i < p->k; i++) {
        int w = text_width(p->names[i]);
        wn = w > wn ? w : wn;
        wc = w > wc ? w : wc;
    }
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)n);
    wc = (int)strlen(num) > wc ? (int)strlen(num) : wc;
    fprintf(f, "Confusion matrix (rows: true class, columns: predicted class):\n%*s", wn, "");
    for (int j = 0; s == NR_OK && j < p->k; j++) {
        fputs("  ", f);
        put_right(f, p->names[j], wc);
    }
    fputc('\n', f);
    for (int i = 0; s == NR_OK && i < p->k; i++) {
        put_right(f, p->names[i], wn);
        for (int j = 0; j < p->k; j++) fprintf(f, "  %*lld", wc, (long long)cm[i * p->k + j]);
        fputc('\n', f);
    }
    nr_free(cm);
    return s;
}

static nr_status print_report(const present *p, const cli_classes *c, FILE *f) {
    char *text = NULL;
    nr_report_opts o = {.digits = c->digits};
    NR_TRY(nr_metrics_report(p->y_true, p->y_pred, c->n, p->k, p->names, &o, &text));
    fprintf(f, "\nClassification report:\n%s", text);
    nr_metrics_free(text);
    return NR_OK;
}

/* --threshold: a number, "youden", or the default for the scores. */
static nr_status pick_threshold(const cli_classes *c, const int *y, double *t, int *youden) {
    *youden = c->threshold && strcmp(c->threshold, "youden") == 0;
    if (*youden) return nr_metrics_youden(y, c->score, c->n, t);
    if (c->threshold) {
        char *end;
        *t = strtod(c->threshold, &end);
        if (!*c->threshold || *end || !isfinite(*t))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "--threshold: expected a number or 'youden', got '%s'",
                            c->threshold);
        return NR_OK;
    }
    int unit = 1;
    for (int64_t i = 0; i < c->n; i++) unit &= c->score[i] >= 0 && c->score[i] <= 1;
    *t = unit ? 0.5 : 0;
    return NR_OK;
}

static void print_at(const nr_threshold_scores *t, int youden, FILE *f) {
    fprintf(f, "  threshold          %.9g%s\n", t->threshold,
            youden ? " (Youden's J: the ROC point with the largest TPR - FPR)" : "");
    fprintf(f, "  TP %lld  FP %lld  TN %lld  FN %lld\n", (long long)t->tp, (long long)t->fp, (long long)t->tn,
            (long long)t->fn);
    fprintf(f, "  sensitivity (TPR)  %.6f\n  specificity (TNR)  %.6f\n  FPR                %.6f\n"
            "  precision          %.6f\n  accuracy           %.6f\n", t->tpr, t->tnr, t->fpr, t->precision,
            t->accuracy);
}

static nr_status print_binary(const cli_classes *c, FILE *f) {
    int *y = nr_malloc((size_t)c->n * sizeof *y);
    if (!y) return NR_NOMEM();
    for (int64_t i = 0; i < c->n; i++) y[i] = c->y_true[i] == c->positive;
    double auc, ap, t;
    int youden;
    nr_threshold_scores at;
    fprintf(f, "\nBinary figures, positive class '%s':\n", c->names[c->positive]);
    nr_status s = nr_metrics_roc_auc(y, c->score, c->n, &auc);
    if (s == NR_OK) s = nr_metrics_average_precision(y, c->score, c->n, &ap);
    if (s == NR_OK) s = pick_threshold(c, y, &t, &youden);
    if (s == NR_OK) s = nr_metrics_at_threshold(y, c->score, c->n, t, &at);
    if (s == NR_OK) {
        fprintf(f, "  ROC AUC            %.6f\n  average precision  %.6f\n", auc, ap);
        print_at(&at, youden, f);
    }
    nr_free(y);
    return s;
}

/* The two classes from the predicted labels alone: no ranking figures. */
static nr_status print_binary_labels(const cli_classes *c, FILE *f) {
    int *y = nr_malloc(2 * (size_t)c->n * sizeof *y);
    double *s = nr_malloc((size_t)c->n * sizeof *s);
    nr_status st = y && s ? NR_OK : NR_NOMEM();
    nr_threshold_scores at;
    for (int64_t i = 0; st == NR_OK && i < c->n; i++) y[i] = c->y_true[i] == c->positive, s[i] = c->y_pred[i] == c->positive;
    if (st == NR_OK) st = nr_metrics_at_threshold(y, s, c->n, 1, &at);
    if (st == NR_OK) {
        fprintf(f, "\nBinary figures of the predicted classes, positive class '%s':\n", c->names[c->positive]);
        fprintf(f, "  TP %lld  FP %lld  TN %lld  FN %lld\n", (long long)at.tp, (long long)at.fp, (long long)at.tn,
                (long long)at.fn);
        fprintf(f, "  sensitivity (TPR)  %.6f\n  specificity (TNR)  %.6f\n  FPR                %.6f\n", at.tpr,
                at.tnr, at.fpr);
    }
    nr_free(y);
    nr_free(s);
    return st;
}

static nr_status print_ovr(const cli_classes *c, FILE *f) {
    double *auc = nr_malloc((size_t)c->k * sizeof *auc), macro, weighted;
    if (!auc) return NR_NOMEM();
    nr_status s = nr_metrics_roc_auc_ovr(c->y_true, c->score, c->n, c->k, auc, &macro, &weighted);
    int w = 12;
    for (int i = 0; i < c->k; i++) w = text_width(c->names[i]) > w ? text_width(c->names[i]) : w;
    if (s == NR_OK) {
        fprintf(f, "\nROC AUC, each class against the rest:\n");
        for (int i = 0; i < c->k; i++) {
            fputs("  ", f);
            put_right(f, c->names[i], w);
            fprintf(f, "  %.6f\n", auc[i]);
        }
        fprintf(f, "  %*s  %.6f\n  %*s  %.6f\n", w, "macro avg", macro, w, "weighted avg", weighted);
    }
    nr_free(auc);
    return s;
}

nr_status cli_print_classes(const cli_classes *c, FILE *f) {
    present p;
    double acc;
    nr_status s = find_present(c, &p);
    if (s == NR_OK) s = nr_metrics_accuracy(p.y_true, p.y_pred, c->n, p.k, &acc);
    if (s == NR_OK) {
        fprintf(f, "Accuracy: %.6f (%lld of %lld rows)\n\n", acc, (long long)llround(acc * (double)c->n),
                (long long)c->n);
        s = print_confusion(&p, c->n, f);
    }
    if (s == NR_OK) s = print_report(&p, c, f);
    present_free(&p);
    if (s != NR_OK) return s;
    if (c->k == 2) return c->score ? print_binary(c, f) : print_binary_labels(c, f);
    return c->score ? print_ovr(c, f) : NR_OK;
}

nr_status cli_print_regression(const double *y_true, const double *y_pred, int64_t n, const char *what, FILE *f) {
    nr_regression_scores r;
    NR_TRY(nr_metrics_regression(y_true, y_pred, n, &r));
    fprintf(f, "Regression%s%s (%lld rows):\n  MSE   %.9g\n  RMSE  %.9g\n  MAE   %.9g\n  R2    %.9g\n",
            what ? ", " : "", what ? what : "", (long long)n, r.mse, r.rmse, r.mae, r.r2);
    return NR_OK;
}
