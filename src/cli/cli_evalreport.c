/* evaluate --report: a saved model's predictions on labelled data judged
 * as scikit-learn would judge them. A classifier gets the confusion
 * matrix with its class names and the classification report (its
 * predicted class: the argmax, or P > 0.5 for one sigmoid unit, as
 * `neurona predict` writes), and ROC AUC, average precision and the
 * threshold figures (two classes) or one-vs-rest ROC AUC (more, when
 * every class occurs); a regression model gets MSE, RMSE, MAE and R² of
 * each output. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli_evalreport.h"
#include "cli/cli_metrics.h"
#include "cli/cli_prep.h"
#include "core/core.h"

/* Probabilities from the model's outputs (sigmoid or softmax of logits). */
static void probabilities(const float *out, int64_t n, int64_t units, int logits, double *p) {
    for (int64_t i = 0; i < n; i++) {
        const float *row = out + i * units;
        double *q = p + i * units, max = row[0], sum = 0;
        if (units == 1) {
            q[0] = logits ? 1 / (1 + exp(-(double)row[0])) : row[0];
            continue;
        }
        for (int64_t c = 0; c < units; c++) max = row[c] > max ? row[c] : max;
        for (int64_t c = 0; c < units; c++) sum += q[c] = logits ? exp(row[c] - max) : row[c];
        for (int64_t c = 0; logits && c < units; c++) q[c] /= sum;
    }
}

/* Every class occurs in y_true: one-vs-rest ROC AUC is defined. */
static int all_occur(const int *y, int64_t n, int k) {
    int seen = 0;
    char *hit = nr_calloc((size_t)k, 1);
    if (!hit) return 0;
    for (int64_t i = 0; i < n; i++) seen += !hit[y[i]], hit[y[i]] = 1;
    nr_free(hit);
    return seen == k;
}

static nr_status classes(const nr_model *m, const nr_tensor *out, const nr_tensor *y, const cli_report_args *a) {
    int64_t n = out->shape[0], units = nr_tensor_row_size(out);
    int k = units == 1 ? 2 : (int)units, logits = nr_model_loss(m, 0).from_logits;
    const nr_labels *l = nr_model_labels(m);
    char (*num)[16] = nr_malloc((size_t)k * sizeof *num);
    const char **names = nr_malloc((size_t)k * sizeof *names);
    int *yt = nr_malloc(2 * (size_t)n * sizeof *yt);
    double *p = nr_malloc((size_t)n * (size_t)units * sizeof *p);
    nr_status s = num && names && yt && p ? NR_OK : NR_NOMEM();
    for (int c = 0; s == NR_OK && c < k; c++) {
        snprintf(num[c], sizeof num[c], "%d", c);
        names[c] = l && c < nr_labels_count(l) ? nr_labels_name(l, c) : num[c];
    }
    if (s == NR_OK) probabilities(out->data, n, units, logits, p);
    int *yp = yt + n;
    for (int64_t i = 0; s == NR_OK && i < n; i++) {
        yt[i] = (int)y->data[i];
        int best = 0;
        for (int c = 1; c < units; c++) best = p[i * units + c] > p[i * units + best] ? c : best;
        yp[i] = units == 1 ? p[i] > 0.5 : best;
        if (yt[i] < 0 || yt[i] >= k)
            s = nr_error(NR_STATUS_BAD_ARGUMENT, "row %lld has class %d but model \"%s\" has %d", (long long)i + 1,
                         yt[i], nr_model_name(m), k);
    }
    cli_classes c = {.n = n, .k = k, .names = names, .y_true = yt, .y_pred = yp, .positive = 1,
                     .threshold = a->threshold, .digits = a->digits};
    if (s == NR_OK && (k == 2 ? units == 1 : all_occur(yt, n, k))) c.score = p;
    if (s == NR_OK && k > 2 && !c.score) printf("(one-vs-rest ROC AUC left out: a class of the model is absent from "
                                                "the data)\n");
    if (s == NR_OK) s = cli_print_classes(&c, stdout);
    if (s == NR_OK && a->plots) s = cli_plot_classes(&c, &(cli_plotdir){a->plots, a->format, 0});
    nr_free(num);
    nr_free(names);
    nr_free(yt);
    nr_free(p);
    return s;
}

static nr_status regression(const nr_tensor *out, const nr_tensor *y, const cli_report_args *a) {
    int64_t n = out->shape[0], units = nr_tensor_row_size(out);
    if (nr_tensor_numel(y) != nr_tensor_numel(out))
        return nr_error(NR_STATUS_BAD_SHAPE, "the targets have %lld values, the predictions %lld",
                        (long long)nr_tensor_numel(y), (long long)nr_tensor_numel(out));
    double *t = nr_malloc(2 * (size_t)n * sizeof *t);
    if (!t) return NR_NOMEM();
    nr_status s = NR_OK;
    for (int64_t u = 0; s == NR_OK && u < units; u++) {
        char what[32];
        snprintf(what, sizeof what, "output %lld", (long long)u);
        for (int64_t i = 0; i < n; i++) t[i] = y->data[i * units + u], t[n + i] = out->data[i * units + u];
        s = cli_print_regression(t, t + n, n, units > 1 ? what : NULL, stdout);
        if (s == NR_OK && a->plots)
            s = cli_plot_regression(t, t + n, n, units > 1 ? what : NULL, &(cli_plotdir){a->plots, a->format, 0});
    }
    nr_free(t);
    return s;
}

nr_status cli_eval_report(nr_model *m, const nr_tensor *x, const nr_tensor *y, const cli_report_args *a) {
    const nr_tensor *in[1] = {x};
    nr_tensor *out[NR_MAX_IO] = {0};
    NR_TRY(nr_model_predict(m, in, a->batch_size, out));
    printf("\n");
    nr_status s = cli_loss_is_classification(nr_model_loss(m, 0).kind) && out[0]->ndim == 2
                      ? classes(m, out[0], y, a) : regression(out[0], y, a);
    for (int i = 0; i < NR_MAX_IO; i++) nr_tensor_free(out[i]);
    if (a->plots) nr_plot_cleanup(); /* cairo's font caches */
    if (s == NR_OK && a->plots) printf("\nSaved the plots to %s\n", a->plots);
    return s;
}
