/* neurona: judging a model from plain arrays of labels and scores, so any
 * model can be judged, with the numbers scikit-learn gives (double
 * precision, ties in scores handled as sklearn handles them).
 *
 * Classes are indices 0..k-1 (the caller maps names to them, e.g. sorted
 * as sklearn's unique_labels sorts them); every function takes all k as
 * the labels, as sklearn does when given labels=range(k), so a class that
 * never occurs still gets its row. Binary functions take y_true 1 for the
 * positive class and 0 for the negative one, and scores where higher
 * means more positive (a probability, a logit, a decision value).
 *
 * Every fallible call returns an nr_status and leaves a message in
 * nr_last_error(): NR_STATUS_BAD_ARGUMENT for no rows, a class index
 * outside 0..k-1, a NaN or infinite score, or a figure that is not
 * defined (ROC AUC with one class in y_true). Arrays are borrowed. */
#ifndef NEURONA_METRICS_H
#define NEURONA_METRICS_H

#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------ classification ---
 * Zero divisions follow sklearn's default (zero_division="warn"): a
 * precision with no predicted sample, a recall with no true sample and
 * an F1 with neither are 0 (without the warning). */

/* Fraction of rows where y_pred equals y_true (accuracy_score). */
nr_status nr_metrics_accuracy(const int *y_true, const int *y_pred, int64_t n, int k, double *out);

/* cm (k * k, row-major): cm[i * k + j] counts rows of true class i
 * predicted as j (confusion_matrix). */
nr_status nr_metrics_confusion(const int *y_true, const int *y_pred, int64_t n, int k, int64_t *cm);

/* One class's row of precision_recall_fscore_support. */
typedef struct nr_class_scores {
    double precision, recall, f1;
    int64_t support;   /* rows of this class in y_true */
} nr_class_scores;

/* out[0..k): each class's scores. macro and weighted (may be NULL) get
 * the unweighted mean over the k classes and the mean weighted by
 * support, as the report's "macro avg" and "weighted avg" rows. */
nr_status nr_metrics_class_scores(const int *y_true, const int *y_pred, int64_t n, int k, nr_class_scores *out,
                                  nr_class_scores *macro, nr_class_scores *weighted);

typedef struct nr_report_opts {
    int digits;   /* decimals of the figures (0: 2, sklearn's default); at most 15 */
} nr_report_opts;

/* sklearn's classification_report(y_true, y_pred, labels=range(k),
 * target_names=names) as text, byte for byte: a row per class (names[i],
 * UTF-8, padded by code points as Python pads), then accuracy, macro avg
 * and weighted avg. As sklearn: the accuracy row reads "micro avg" (with
 * precision and recall) when a class occurs in neither array, and the
 * supports print as "2.0" when no prediction is right. names may be NULL
 * ("0", "1", ...). opts may be NULL.
 * Caller frees *out with nr_metrics_free. */
nr_status nr_metrics_report(const int *y_true, const int *y_pred, int64_t n, int k, const char *const *names,
                            const nr_report_opts *opts, char **out);

/* Frees what the metrics functions allocate; NULL is a no-op. */
void nr_metrics_free(void *p);

/* -------------------------------------------------------------- binary --- */

/* The ROC curve, as sklearn.metrics.roc_curve: points of decreasing
 * threshold, a point at (0, 0) with threshold +inf first; a row is
 * predicted positive when its score >= threshold. Tied scores make one
 * point. By default (drop_intermediate, sklearn's default) points lying
 * on a straight line between their neighbours are dropped. */
typedef struct nr_roc_opts {
    int keep_intermediate;   /* 1: keep every point (drop_intermediate=False) */
} nr_roc_opts;

typedef struct nr_curve {
    int64_t n;               /* points */
    double *x, *y;           /* ROC: x = FPR, y = TPR; PR: x = recall, y = precision */
    double *thresholds;      /* ROC: n; PR: n - 1 (the last point has none) */
} nr_curve;

/* y_true must hold both classes. opts may be NULL. Caller frees with
 * nr_curve_free. */
nr_status nr_metrics_roc_curve(const int *y_true, const double *score, int64_t n, const nr_roc_opts *opts,
                               nr_curve *out);
void nr_curve_free(nr_curve *c);   /* frees the arrays, zeroes c; NULL is a no-op */

/* Area under the ROC curve (roc_auc_score): the trapezoids under the
 * curve above. y_true must hold both classes. */
nr_status nr_metrics_roc_auc(const int *y_true, const double *score, int64_t n, double *out);

/* sklearn.metrics.precision_recall_curve: thresholds increasing over the
 * distinct scores, precision and recall at each, then the point
 * (recall 0, precision 1). Without a positive row recall is 1 throughout
 * (sklearn warns). Caller frees with nr_curve_free. */
nr_status nr_metrics_pr_curve(const int *y_true, const double *score, int64_t n, nr_curve *out);

/* average_precision_score: sum over the PR curve's steps of
 * (R_i - R_{i-1}) * P_i, sklearn's step-wise area (no interpolation). */
nr_status nr_metrics_average_precision(const int *y_true, const double *score, int64_t n, double *out);

/* Figures of the predictions score >= threshold. Ratios with a zero
 * denominator are 0, as sklearn's zero_division default gives them. */
typedef struct nr_threshold_scores {
    double threshold;
    int64_t tp, fp, tn, fn;
    double tpr;        /* sensitivity, recall: TP / (TP + FN) */
    double fpr;        /* FP / (FP + TN) */
    double tnr;        /* specificity: TN / (TN + FP) */
    double precision;  /* TP / (TP + FP) */
    double accuracy;   /* (TP + TN) / n */
} nr_threshold_scores;

nr_status nr_metrics_at_threshold(const int *y_true, const double *score, int64_t n, double threshold,
                                  nr_threshold_scores *out);

/* The threshold of the ROC curve (default options) that maximizes
 * Youden's J = TPR - FPR, the first one on a tie (numpy's argmax over
 * the curve, highest threshold first). y_true must hold both classes. */
nr_status nr_metrics_youden(const int *y_true, const double *score, int64_t n, double *threshold);

/* ------------------------------------------------- multi-class ROC AUC ---
 * One-vs-rest, as roc_auc_score(y_true, scores, multi_class="ovr"):
 * scores is (n, k) row-major, one probability per class, each row summing
 * to 1 (numpy's allclose, as sklearn checks); every class must occur in
 * y_true (sklearn: the number of classes in y_true must equal the score
 * columns). per_class[i] (k entries, may be NULL) is the binary AUC of
 * class i against the rest; macro is their mean, weighted their mean
 * weighted by each class's rows in y_true. k >= 2 (k == 2 gives the AUC
 * of class 1's column for both, as sklearn's binary case). */
nr_status nr_metrics_roc_auc_ovr(const int *y_true, const double *scores, int64_t n, int k, double *per_class,
                                 double *macro, double *weighted);

/* ---------------------------------------------------------- regression ---
 * mean_squared_error, its root, mean_absolute_error and r2_score. R² is
 * 1 - SS_res / SS_tot; for a constant y_true (SS_tot == 0) it is 1 when
 * the predictions are perfect and 0 otherwise (sklearn's force_finite),
 * and NaN for fewer than two rows (sklearn returns nan with a warning).
 * Sums are NumPy's pairwise sums, so the constant cases see the same
 * rounding sklearn sees. */
typedef struct nr_regression_scores {
    double mse, rmse, mae, r2;
} nr_regression_scores;

nr_status nr_metrics_regression(const double *y_true, const double *y_pred, int64_t n, nr_regression_scores *out);

#ifdef __cplusplus
}
#endif
#endif
