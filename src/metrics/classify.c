/* Classification metrics on class indices: accuracy, the confusion
 * matrix, per-class precision, recall and F1 with their averages, and
 * sklearn's classification_report text. The formulas are sklearn 1.2's
 * (F1 from the rounded precision and recall, not from the counts), so
 * the figures agree to the last bit or two. */
#include <stdio.h>
#include <string.h>
#include "core/core.h"
#include "graph/graph.h"
#include "metrics/metrics_internal.h"

nr_status nr_metrics_accuracy(const int *y_true, const int *y_pred, int64_t n, int k, double *out) {
    NR_TRY(nr_metrics_check_labels("accuracy", y_true, y_pred, n, k));
    int64_t hits = 0;
    for (int64_t i = 0; i < n; i++) hits += y_true[i] == y_pred[i];
    *out = (double)hits / (double)n;
    return NR_OK;
}

nr_status nr_metrics_confusion(const int *y_true, const int *y_pred, int64_t n, int k, int64_t *cm) {
    NR_TRY(nr_metrics_check_labels("confusion matrix", y_true, y_pred, n, k));
    memset(cm, 0, (size_t)k * (size_t)k * sizeof *cm);
    for (int64_t i = 0; i < n; i++) cm[(int64_t)y_true[i] * k + y_pred[i]]++;
    return NR_OK;
}

/* sklearn's _prf_divide with zero_division "warn": 0 for x / 0. */
static double ratio(double num, double den) { return den == 0 ? 0 : num / den; }

/* F-beta for beta 1 as sklearn 1.2 computes it. */
static double f1_of(double p, double r) {
    double denom = p + r;
    if (denom == 0.0) denom = 1;
    return 2 * p * r / denom;
}

/* The mean of field values of k rows, plain or weighted by support
 * (np.average). */
static void averages(const nr_class_scores *s, int k, double *tmp, nr_class_scores *macro, nr_class_scores *weighted) {
    int64_t total = 0;
    for (int i = 0; i < k; i++) total += s[i].support;
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < k; i++) tmp[i] = f == 0 ? s[i].precision : f == 1 ? s[i].recall : s[i].f1;
        double m = nr_np_sum(tmp, k) / k;
        for (int i = 0; i < k; i++) tmp[i] *= (double)s[i].support;
        double w = total ? nr_np_sum(tmp, k) / (double)total : 0;
        if (macro) *(f == 0 ? &macro->precision : f == 1 ? &macro->recall : &macro->f1) = m;
        if (weighted) *(f == 0 ? &weighted->precision : f == 1 ? &weighted->recall : &weighted->f1) = w;
    }
    if (macro) macro->support = total;
    if (weighted) weighted->support = total;
}

nr_status nr_metrics_class_scores(const int *y_true, const int *y_pred, int64_t n, int k, nr_class_scores *out,
                                  nr_class_scores *macro, nr_class_scores *weighted) {
    NR_TRY(nr_metrics_check_labels("class scores", y_true, y_pred, n, k));
    int64_t *counts = nr_calloc(3 * (size_t)k, sizeof *counts);   /* tp, predicted, true */
    double *tmp = nr_malloc((size_t)k * sizeof *tmp);
    if (!counts || !tmp) {
        nr_free(counts);
        nr_free(tmp);
        return NR_NOMEM();
    }
    for (int64_t i = 0; i < n; i++) {
        counts[y_true[i]] += y_true[i] == y_pred[i];
        counts[k + y_pred[i]]++;
        counts[2 * k + y_true[i]]++;
    }
    for (int c = 0; c < k; c++) {
        nr_class_scores *s = &out[c];
        s->precision = ratio((double)counts[c], (double)counts[k + c]);
        s->recall = ratio((double)counts[c], (double)counts[2 * k + c]);
        s->f1 = f1_of(s->precision, s->recall);
        s->support = counts[2 * k + c];
    }
    averages(out, k, tmp, macro, weighted);
    nr_free(counts);
    nr_free(tmp);
    return NR_OK;
}

/* ------------------------------------------------------------ report --- */

/* Code points of UTF-8 text: what Python's len() and padding count. */
static int text_width(const char *s) {
    int w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* "{:>{width}s}" */
static void pad_right(nr_strbuf *sb, const char *s, int width) {
    for (int i = text_width(s); i < width; i++) nr_strbuf_printf(sb, " ");
    nr_strbuf_printf(sb, "%s", s);
}

/* Supports print as integers, except that sklearn (1.2 and later) counts
 * in floats when no prediction at all is right, and prints "2.0". */
static void support_field(nr_strbuf *sb, int64_t support, int as_float) {
    char buf[32];
    snprintf(buf, sizeof buf, as_float ? "%lld.0" : "%lld", (long long)support);
    nr_strbuf_printf(sb, " %9s\n", buf);
}

static void score_row(nr_strbuf *sb, const char *name, const nr_class_scores *s, int width, int digits,
                      int as_float) {
    pad_right(sb, name, width);
    nr_strbuf_printf(sb, "  %9.*f %9.*f %9.*f", digits, s->precision, digits, s->recall, digits, s->f1);
    support_field(sb, s->support, as_float);
}

/* The micro-average row: "accuracy" with blank precision and recall when
 * every class occurs (sklearn's micro_is_accuracy), else "micro avg". The
 * labels cover every prediction, so micro precision = recall = accuracy. */
static void micro_row(nr_strbuf *sb, double acc, int64_t total, int as_accuracy, int width, int digits,
                      int as_float) {
    if (!as_accuracy) {
        nr_class_scores m = {acc, acc, f1_of(acc, acc), total};
        score_row(sb, "micro avg", &m, width, digits, as_float);
        return;
    }
    pad_right(sb, "accuracy", width);
    nr_strbuf_printf(sb, "  %9s %9s %9.*f", "", "", digits, f1_of(acc, acc));
    support_field(sb, total, as_float);
}

/* counts: per class, rows predicted as it (to tell absent classes). */
static void write_report(nr_strbuf *sb, const nr_class_scores *s, const nr_class_scores *avg, int k,
                         const char *const *names, double acc, const int64_t *predicted, int digits) {
    char num[24];
    int width = 12 > digits ? 12 : digits;   /* len("weighted avg") */
    int all_occur = 1, as_float = acc == 0;
    for (int c = 0; c < k; c++) {
        snprintf(num, sizeof num, "%d", c);
        int w = text_width(names ? names[c] : num);
        width = w > width ? w : width;
        all_occur &= s[c].support > 0 || predicted[c] > 0;
    }
    pad_right(sb, "", width);
    nr_strbuf_printf(sb, "  %9s %9s %9s %9s\n\n", "precision", "recall", "f1-score", "support");
    for (int c = 0; c < k; c++) {
        snprintf(num, sizeof num, "%d", c);
        score_row(sb, names ? names[c] : num, &s[c], width, digits, as_float);
    }
    nr_strbuf_printf(sb, "\n");
    micro_row(sb, acc, avg[0].support, all_occur, width, digits, as_float);
    score_row(sb, "macro avg", &avg[0], width, digits, as_float);
    score_row(sb, "weighted avg", &avg[1], width, digits, as_float);
}

nr_status nr_metrics_report(const int *y_true, const int *y_pred, int64_t n, int k, const char *const *names,
                            const nr_report_opts *opts, char **out) {
    *out = NULL;
    int digits = opts && opts->digits ? opts->digits : 2;
    if (digits < 1 || digits > 15)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "classification report: digits %d; give 1 to 15", digits);
    NR_TRY(nr_metrics_check_labels("classification report", y_true, y_pred, n, k));
    nr_class_scores *s = nr_malloc(((size_t)k + 2) * sizeof *s);
    int64_t *predicted = nr_calloc((size_t)k, sizeof *predicted);
    double acc = 0;
    nr_status st = s && predicted ? nr_metrics_class_scores(y_true, y_pred, n, k, s, &s[k], &s[k + 1]) : NR_NOMEM();
    if (st == NR_OK) st = nr_metrics_accuracy(y_true, y_pred, n, k, &acc);
    for (int64_t i = 0; st == NR_OK && i < n; i++) predicted[y_pred[i]]++;
    nr_strbuf sb = {0};
    if (st == NR_OK) write_report(&sb, s, s + k, k, names, acc, predicted, digits);
    nr_free(s);
    nr_free(predicted);
    if (st == NR_OK && sb.failed) st = NR_NOMEM();
    if (st != NR_OK) {
        nr_free(sb.s);
        return st;
    }
    *out = sb.s;
    return NR_OK;
}
