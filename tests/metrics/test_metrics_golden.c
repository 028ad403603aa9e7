/* The metrics against scikit-learn: every case of the golden files
 * (scripts/gen_metrics_goldens.py) to 1e-9, the classification report
 * byte for byte; then the errors (one class for ROC, bad labels, NaN
 * scores, unnormalized probabilities). */
#include "metrics/golden.h"
#include "neurona/metrics.h"

static void classify_case(const golden *g) {
    int64_t n, n2;
    int *yt = golden_ints(g, "y_true", &n), *yp = golden_ints(g, "y_pred", &n2);
    int k = (int)golden_num(g, "k"), n_names = 0;
    char **names = golden_strings(g, "names", &n_names);
    double acc;
    CHECK_OK(nr_metrics_accuracy(yt, yp, n, k, &acc));
    golden_check(g, "accuracy", &acc, 1);
    int64_t *cm = malloc((size_t)k * k * sizeof *cm);
    double *v = malloc(((size_t)k * k + 3) * sizeof *v);
    CHECK_OK(nr_metrics_confusion(yt, yp, n, k, cm));
    for (int i = 0; i < k * k; i++) v[i] = (double)cm[i];
    golden_check(g, "confusion", v, (int64_t)k * k);
    nr_class_scores *s = malloc(((size_t)k + 2) * sizeof *s);
    CHECK_OK(nr_metrics_class_scores(yt, yp, n, k, s, &s[k], &s[k + 1]));
    const char *keys[4] = {"precision", "recall", "f1", "support"};
    for (int f = 0; f < 4; f++) {
        for (int c = 0; c < k; c++)
            v[c] = f == 0 ? s[c].precision : f == 1 ? s[c].recall : f == 2 ? s[c].f1 : (double)s[c].support;
        golden_check(g, keys[f], v, k);
    }
    for (int a = 0; a < 2; a++) {
        const nr_class_scores *m = &s[k + a];
        double avg[3] = {m->precision, m->recall, m->f1};
        golden_check(g, a ? "weighted" : "macro", avg, 3);
    }
    char *report = NULL, *want = golden_text(g, "report");
    nr_report_opts o = {.digits = (int)golden_num(g, "digits")};
    CHECK_OK(nr_metrics_report(yt, yp, n, k, (const char *const *)names, &o, &report));
    if (!CHECK(report && want && strcmp(report, want) == 0))
        fprintf(stderr, "%s: report differs:\n--- neurona\n%s--- sklearn\n%s", g->name, report, want);
    nr_metrics_free(report);
    free(want);
    free(names);
    free(s);
    free(v);
    free(cm);
    free(yt);
    free(yp);
}

static void check_curve(const golden *g, const nr_curve *c, const char *kx, const char *ky, const char *kt,
                        int64_t n_thr) {
    golden_check(g, kx, c->x, c->n);
    golden_check(g, ky, c->y, c->n);
    if (kt) golden_check(g, kt, c->thresholds, n_thr);
}

static void threshold_case(const golden *g, const int *y, const double *s, int64_t n) {
    nr_threshold_scores t;
    CHECK_OK(nr_metrics_at_threshold(y, s, n, golden_num(g, "threshold"), &t));
    double counts[4] = {(double)t.tp, (double)t.fp, (double)t.tn, (double)t.fn};
    golden_check(g, "counts", counts, 4);
    golden_check(g, "tpr", &t.tpr, 1);
    golden_check(g, "tnr", &t.tnr, 1);
    golden_check(g, "fpr", &t.fpr, 1);
    golden_check(g, "precision", &t.precision, 1);
    golden_check(g, "accuracy", &t.accuracy, 1);
}

static void binary_case(const golden *g) {
    int64_t n, n2;
    int *y = golden_ints(g, "y_true", &n);
    double *s = golden_nums(g, "score", &n2), x;
    nr_curve c;
    CHECK_OK(nr_metrics_roc_curve(y, s, n, NULL, &c));
    check_curve(g, &c, "roc_fpr", "roc_tpr", "roc_thresholds", c.n);
    nr_curve_free(&c);
    CHECK_OK(nr_metrics_roc_curve(y, s, n, &(nr_roc_opts){.keep_intermediate = 1}, &c));
    check_curve(g, &c, "roc_all_fpr", "roc_all_tpr", NULL, 0);
    nr_curve_free(&c);
    CHECK_OK(nr_metrics_roc_auc(y, s, n, &x));
    golden_check(g, "roc_auc", &x, 1);
    CHECK_OK(nr_metrics_pr_curve(y, s, n, &c));
    check_curve(g, &c, "pr_recall", "pr_precision", "pr_thresholds", c.n - 1);
    nr_curve_free(&c);
    CHECK_OK(nr_metrics_average_precision(y, s, n, &x));
    golden_check(g, "average_precision", &x, 1);
    CHECK_OK(nr_metrics_youden(y, s, n, &x));
    golden_check(g, "youden", &x, 1);
    threshold_case(g, y, s, n);
    free(y);
    free(s);
}

static void ovr_case(const golden *g) {
    int64_t n, ns;
    int *y = golden_ints(g, "y_true", &n), k = (int)golden_num(g, "k");
    double *s = golden_nums(g, "scores", &ns), per[16], macro, weighted;
    CHECK(ns == n * k);
    CHECK_OK(nr_metrics_roc_auc_ovr(y, s, n, k, per, &macro, &weighted));
    golden_check(g, "per_class", per, k);
    golden_check(g, "macro", &macro, 1);
    golden_check(g, "weighted", &weighted, 1);
    free(y);
    free(s);
}

static void regression_case(const golden *g) {
    int64_t n, n2;
    double *yt = golden_nums(g, "y_true", &n), *yp = golden_nums(g, "y_pred", &n2);
    nr_regression_scores r;
    CHECK_OK(nr_metrics_regression(yt, yp, n, &r));
    golden_check(g, "mse", &r.mse, 1);
    golden_check(g, "rmse", &r.rmse, 1);
    golden_check(g, "mae", &r.mae, 1);
    golden_check(g, "r2", &r.r2, 1);
    free(yt);
    free(yp);
}

static int run_file(const char *file, void (*fn)(const golden *), void (*fn2)(const golden *)) {
    golden g;
    int cases = 0;
    if (!CHECK(golden_open(&g, file))) return 0;
    while (golden_next(&g)) {
        int ovr = strncmp(g.name, "ovr", 3) == 0;
        (ovr && fn2 ? fn2 : fn)(&g);
        cases++;
    }
    golden_close(&g);
    return cases;
}

/* The message of the last failure holds needle. */
static void fails_with(nr_status s, const char *needle) {
    if (!CHECK(s == NR_STATUS_BAD_ARGUMENT && strstr(nr_last_error(), needle)))
        fprintf(stderr, "  status %s, message: %s (wanted '%s')\n", nr_status_str(s), nr_last_error(), needle);
}

static void errors(void) {
    int one[4] = {1, 1, 1, 1}, bad[3] = {0, 3, 1}, y[3] = {0, 1, 1};
    double s[4] = {0.1, 0.2, 0.3, 0.4}, nan_s[3] = {0.1, NAN, 0.3}, x;
    nr_curve c;
    fails_with(nr_metrics_roc_auc(one, s, 4, &x), "only one class present in y_true");
    fails_with(nr_metrics_roc_curve(one, s, 4, NULL, &c), "only one class");
    fails_with(nr_metrics_youden(one, s, 4, &x), "only one class");
    fails_with(nr_metrics_roc_auc(y, nan_s, 3, &x), "score[1] is nan");
    fails_with(nr_metrics_roc_auc(bad, s, 3, &x), "y_true[1] is 3");
    fails_with(nr_metrics_accuracy(y, bad, 3, 2, &x), "y_pred[1] is class 3, outside 0..1");
    fails_with(nr_metrics_accuracy(y, y, 0, 2, &x), "no rows");
    double p[6] = {0.5, 0.3, 0.2, 0.1, 0.1, 0.1};
    int y3[2] = {0, 2}, y3b[2] = {0, 1};
    fails_with(nr_metrics_roc_auc_ovr(y3, p, 2, 3, NULL, &x, &x), "class 1 never occurs in y_true");
    double per[3];
    int y4[3] = {0, 1, 2};
    double p3[9] = {0.5, 0.3, 0.2, 0.2, 0.6, 0.2, 0.1, 0.1, 0.1};
    fails_with(nr_metrics_roc_auc_ovr(y4, p3, 3, 3, per, &x, &x), "row 2 sum to 0.3");
    (void)y3b;
    char *r;
    fails_with(nr_metrics_report(y, y, 3, 2, NULL, &(nr_report_opts){.digits = 16}, &r), "digits 16");
    double t[2] = {1, 2}, u[2] = {NAN, 2};
    nr_regression_scores rs;
    fails_with(nr_metrics_regression(t, u, 2, &rs), "row 0 holds prediction nan");
    /* The PR curve has no ROC restriction: all negatives give recall 1. */
    int neg[3] = {0, 0, 0};
    CHECK_OK(nr_metrics_average_precision(neg, s, 3, &x));
    CHECK(x == 0);
}

int main(void) {
    CHECK(run_file("classify.txt", classify_case, NULL) >= 8);
    CHECK(run_file("ranking.txt", binary_case, ovr_case) >= 11);
    CHECK(run_file("regression.txt", regression_case, NULL) >= 8);
    errors();
    return nr_test_finish();
}
