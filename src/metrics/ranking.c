/* Binary ranking metrics, as sklearn.metrics computes them: the ROC and
 * precision-recall curves from _binary_clf_curve (scores sorted
 * decreasing, one point per distinct score, so tied scores count
 * together), the trapezoidal ROC AUC, the step-wise average precision,
 * figures at a threshold and Youden's J. */
#include <math.h>
#include <stdlib.h>
#include "core/core.h"
#include "metrics/metrics_internal.h"

/* The cumulative counts at each distinct score, highest score first:
 * fps[i], tps[i] rows with score >= thr[i] that are negative, positive. */
typedef struct clf_curve {
    int64_t m;
    double *fps, *tps, *thr;
} clf_curve;

static void clf_curve_free(clf_curve *c) {
    nr_free(c->fps);
    c->fps = c->tps = c->thr = NULL;
}

typedef struct ranked {
    double score;
    int y;
} ranked;

static int by_score_desc(const void *a, const void *b) {
    double x = ((const ranked *)a)->score, y = ((const ranked *)b)->score;
    return (x < y) - (x > y);
}

static nr_status binary_clf_curve(const char *fn, const int *y_true, const double *score, int64_t n, clf_curve *c) {
    NR_TRY(nr_metrics_check_binary(fn, y_true, score, n));
    ranked *r = nr_malloc((size_t)n * sizeof *r);
    c->fps = nr_malloc(3 * (size_t)n * sizeof *c->fps);
    if (!r || !c->fps) {
        nr_free(r);
        clf_curve_free(c);
        return NR_NOMEM();
    }
    c->tps = c->fps + n, c->thr = c->tps + n;
    for (int64_t i = 0; i < n; i++) r[i] = (ranked){score[i], y_true[i]};
    qsort(r, (size_t)n, sizeof *r, by_score_desc);
    double tp = 0;
    c->m = 0;
    for (int64_t i = 0; i < n; i++) {
        tp += r[i].y;
        if (i + 1 < n && r[i + 1].score == r[i].score) continue;
        c->tps[c->m] = tp, c->fps[c->m] = (double)(i + 1) - tp, c->thr[c->m] = r[i].score;
        c->m++;
    }
    nr_free(r);
    return NR_OK;
}

static nr_status need_both(const char *fn, const clf_curve *c) {
    double pos = c->tps[c->m - 1], neg = c->fps[c->m - 1];
    if (pos > 0 && neg > 0) return NR_OK;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: only one class present in y_true (%s rows only); the ROC curve "
                    "needs positive and negative rows", fn, pos > 0 ? "positive" : "negative");
}

void nr_curve_free(nr_curve *c) {
    if (!c) return;
    nr_free(c->x);
    c->x = c->y = c->thresholds = NULL;
    c->n = 0;
}

static nr_status curve_alloc(nr_curve *out, int64_t n) {
    out->n = n;
    out->x = nr_malloc(3 * (size_t)n * sizeof *out->x);
    if (!out->x) return NR_NOMEM();
    out->y = out->x + n, out->thresholds = out->y + n;
    return NR_OK;
}

/* Points where the curve turns: np.diff(fps, 2) or np.diff(tps, 2) is
 * nonzero, plus both ends. */
static int keeps(const clf_curve *c, int64_t i) {
    if (i == 0 || i == c->m - 1) return 1;
    return c->fps[i + 1] - 2 * c->fps[i] + c->fps[i - 1] != 0 || c->tps[i + 1] - 2 * c->tps[i] + c->tps[i - 1] != 0;
}

static nr_status roc_from(const clf_curve *c, int keep_all, nr_curve *out) {
    int all = keep_all || c->m <= 2;
    int64_t n = 1;
    for (int64_t i = 0; i < c->m; i++) n += all || keeps(c, i);
    NR_TRY(curve_alloc(out, n));
    double P = c->tps[c->m - 1], N = c->fps[c->m - 1];
    out->x[0] = out->y[0] = 0, out->thresholds[0] = INFINITY;
    for (int64_t i = 0, j = 1; i < c->m; i++) {
        if (!all && !keeps(c, i)) continue;
        out->x[j] = c->fps[i] / N, out->y[j] = c->tps[i] / P, out->thresholds[j] = c->thr[i];
        j++;
    }
    return NR_OK;
}

nr_status nr_metrics_roc_curve(const int *y_true, const double *score, int64_t n, const nr_roc_opts *opts,
                               nr_curve *out) {
    *out = (nr_curve){0};
    clf_curve c = {0};
    NR_TRY(binary_clf_curve("roc_curve", y_true, score, n, &c));
    nr_status s = need_both("roc_curve", &c);
    if (s == NR_OK) s = roc_from(&c, opts && opts->keep_intermediate, out);
    clf_curve_free(&c);
    return s;
}

/* np.trapz(y, x): the terms summed in NumPy's order. */
static nr_status trapezoid(const nr_curve *c, double *out) {
    double *t = nr_malloc((size_t)c->n * sizeof *t);
    if (!t) return NR_NOMEM();
    for (int64_t i = 0; i + 1 < c->n; i++) t[i] = (c->x[i + 1] - c->x[i]) * (c->y[i + 1] + c->y[i]) / 2.0;
    *out = nr_np_sum(t, c->n - 1);
    nr_free(t);
    return NR_OK;
}

nr_status nr_metrics_roc_auc(const int *y_true, const double *score, int64_t n, double *out) {
    nr_curve c;
    NR_TRY(nr_metrics_roc_curve(y_true, score, n, NULL, &c));
    nr_status s = trapezoid(&c, out);
    nr_curve_free(&c);
    return s;
}

nr_status nr_metrics_pr_curve(const int *y_true, const double *score, int64_t n, nr_curve *out) {
    *out = (nr_curve){0};
    clf_curve c = {0};
    NR_TRY(binary_clf_curve("precision_recall_curve", y_true, score, n, &c));
    nr_status s = curve_alloc(out, c.m + 1);
    double P = c.tps[c.m - 1];
    for (int64_t i = 0; s == NR_OK && i < c.m; i++) {
        int64_t j = c.m - 1 - i;   /* sklearn reverses: increasing thresholds */
        out->y[j] = c.tps[i] / (c.tps[i] + c.fps[i]);
        out->x[j] = P == 0 ? 1 : c.tps[i] / P;
        out->thresholds[j] = c.thr[i];
    }
    if (s == NR_OK) out->y[c.m] = 1, out->x[c.m] = 0;
    clf_curve_free(&c);
    return s;
}

nr_status nr_metrics_average_precision(const int *y_true, const double *score, int64_t n, double *out) {
    nr_curve c;
    NR_TRY(nr_metrics_pr_curve(y_true, score, n, &c));
    double *t = nr_malloc((size_t)c.n * sizeof *t);
    if (!t) {
        nr_curve_free(&c);
        return NR_NOMEM();
    }
    for (int64_t i = 0; i + 1 < c.n; i++) t[i] = (c.x[i + 1] - c.x[i]) * c.y[i];
    *out = -nr_np_sum(t, c.n - 1);
    nr_free(t);
    nr_curve_free(&c);
    return NR_OK;
}

static double ratio(int64_t num, int64_t den) { return den ? (double)num / (double)den : 0; }

nr_status nr_metrics_at_threshold(const int *y_true, const double *score, int64_t n, double threshold,
                                  nr_threshold_scores *out) {
    NR_TRY(nr_metrics_check_binary("threshold metrics", y_true, score, n));
    if (isnan(threshold)) return nr_error(NR_STATUS_BAD_ARGUMENT, "threshold metrics: the threshold is NaN");
    nr_threshold_scores s = {.threshold = threshold};
    for (int64_t i = 0; i < n; i++) {
        int pred = score[i] >= threshold;
        int64_t *cell = y_true[i] ? (pred ? &s.tp : &s.fn) : (pred ? &s.fp : &s.tn);
        ++*cell;
    }
    s.tpr = ratio(s.tp, s.tp + s.fn);
    s.fpr = ratio(s.fp, s.fp + s.tn);
    s.tnr = ratio(s.tn, s.tn + s.fp);
    s.precision = ratio(s.tp, s.tp + s.fp);
    s.accuracy = ratio(s.tp + s.tn, n);
    *out = s;
    return NR_OK;
}

nr_status nr_metrics_youden(const int *y_true, const double *score, int64_t n, double *threshold) {
    nr_curve c;
    NR_TRY(nr_metrics_roc_curve(y_true, score, n, NULL, &c));
    int64_t best = 0;
    for (int64_t i = 1; i < c.n; i++)
        if (c.y[i] - c.x[i] > c.y[best] - c.x[best]) best = i;
    *threshold = c.thresholds[best];
    nr_curve_free(&c);
    return NR_OK;
}
