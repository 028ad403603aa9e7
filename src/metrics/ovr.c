/* Multi-class ROC AUC, one class against the rest, as sklearn's
 * roc_auc_score(multi_class="ovr") with its checks: probabilities that
 * sum to 1 per row, and every class present in y_true. */
#include <math.h>
#include "core/core.h"
#include "metrics/metrics_internal.h"

/* numpy.allclose(1, sum) with its default rtol 1e-5 and atol 1e-8. */
static nr_status check_rows(const double *scores, int64_t n, int k) {
    for (int64_t i = 0; i < n; i++) {
        double sum = 0;
        for (int c = 0; c < k; c++) {
            double v = scores[i * k + c];
            if (!isfinite(v))
                return nr_error(NR_STATUS_BAD_ARGUMENT, "one-vs-rest ROC AUC: score[%lld][%d] is %g; scores must be "
                                "finite", (long long)i, c, v);
            sum += v;
        }
        if (!(fabs(sum - 1) <= 1e-8 + 1e-5 * fabs(sum)))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "one-vs-rest ROC AUC: the scores of row %lld sum to %.9g; they "
                            "must be class probabilities summing to 1 (a softmax output)", (long long)i, sum);
    }
    return NR_OK;
}

static nr_status check_present(const int64_t *support, int k) {
    for (int c = 0; c < k; c++)
        if (!support[c])
            return nr_error(NR_STATUS_BAD_ARGUMENT, "one-vs-rest ROC AUC: class %d never occurs in y_true; every "
                            "score column needs its class present", c);
    return NR_OK;
}

/* Class c against the rest, in the buffers y (n) and s (n). */
static nr_status one_class(const int *y_true, const double *scores, int64_t n, int k, int c, int *y, double *s,
                           double *auc) {
    for (int64_t i = 0; i < n; i++) y[i] = y_true[i] == c, s[i] = scores[i * k + c];
    return nr_metrics_roc_auc(y, s, n, auc);
}

static nr_status ovr(const int *y_true, const double *scores, int64_t n, int k, double *auc, int64_t *support,
                     double *tmp) {
    for (int64_t i = 0; i < n; i++) support[y_true[i]]++;
    NR_TRY(check_present(support, k));
    NR_TRY(check_rows(scores, n, k));
    int *y = (int *)(tmp + n);
    if (k == 2) {   /* sklearn's binary case: the positive class's column */
        NR_TRY(one_class(y_true, scores, n, k, 1, y, tmp, &auc[1]));
        auc[0] = auc[1];
        return NR_OK;
    }
    for (int c = 0; c < k; c++) NR_TRY(one_class(y_true, scores, n, k, c, y, tmp, &auc[c]));
    return NR_OK;
}

nr_status nr_metrics_roc_auc_ovr(const int *y_true, const double *scores, int64_t n, int k, double *per_class,
                                 double *macro, double *weighted) {
    NR_TRY(nr_metrics_check_labels("one-vs-rest ROC AUC", y_true, NULL, n, k));
    if (k < 2) return nr_error(NR_STATUS_BAD_ARGUMENT, "one-vs-rest ROC AUC: %d class; need at least 2", k);
    double *auc = nr_malloc(2 * (size_t)k * sizeof *auc);
    int64_t *support = nr_calloc((size_t)k, sizeof *support);
    double *tmp = nr_malloc((size_t)n * (sizeof *tmp + sizeof(int)));
    nr_status s = auc && support && tmp ? ovr(y_true, scores, n, k, auc, support, tmp) : NR_NOMEM();
    if (s == NR_OK) {
        double *w = auc + k;
        for (int c = 0; c < k; c++) w[c] = auc[c] * (double)support[c];
        if (per_class)
            for (int c = 0; c < k; c++) per_class[c] = auc[c];
        if (macro) *macro = k == 2 ? auc[1] : nr_np_sum(auc, k) / k;
        if (weighted) *weighted = k == 2 ? auc[1] : nr_np_sum(w, k) / (double)n;
    }
    nr_free(auc);
    nr_free(support);
    nr_free(tmp);
    return s;
}
