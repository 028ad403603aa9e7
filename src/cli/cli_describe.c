/* The report of `neurona describe`: a table like pandas' describe() with
 * the numeric columns side by side and the extra figures under it, the
 * outliers with their rows, the modes, the text columns' value counts,
 * the correlation and covariance matrices and the correlated pairs. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli_describe.h"

enum { LABEL_W = 18, LINE_W = 100, MAX_LISTED = 20 };

typedef void (*cell_fn)(const nr_column_stats *cs, int i, char *buf, size_t size);

static void num(double v, char *buf, size_t size) {
    if (isnan(v)) snprintf(buf, size, "NaN");
    else snprintf(buf, size, "%.7g", v);
}

static void c_count(const nr_column_stats *cs, int i, char *b, size_t n) { snprintf(b, n, "%lld", (long long)cs->count); }
static void c_missing(const nr_column_stats *cs, int i, char *b, size_t n) { snprintf(b, n, "%lld", (long long)cs->missing); }
static void c_mean(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->mean, b, n); }
static void c_std(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->std, b, n); }
static void c_min(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->min, b, n); }
static void c_q1(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->q1, b, n); }
static void c_q2(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->q2, b, n); }
static void c_q3(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->q3, b, n); }
static void c_max(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->max, b, n); }
static void c_pct(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->percentiles[i], b, n); }
static void c_median(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->median, b, n); }
static void c_midrange(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->midrange, b, n); }
static void c_range(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->range, b, n); }
static void c_var(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->var, b, n); }
static void c_var_pop(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->var_pop, b, n); }
static void c_std_pop(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->std_pop, b, n); }
static void c_iqr(const nr_column_stats *cs, int i, char *b, size_t n) { num(cs->iqr, b, n); }
static void c_mild(const nr_column_stats *cs, int i, char *b, size_t n) { snprintf(b, n, "%lld", (long long)cs->n_mild); }
static void c_extreme(const nr_column_stats *cs, int i, char *b, size_t n) {
    snprintf(b, n, "%lld", (long long)cs->n_extreme);
}

/* The first mode, "+k" more when there are several (listed below the
 * table), "none" when every value is unique. */
static void c_mode(const nr_column_stats *cs, int i, char *b, size_t n) {
    char first[32];
    if (cs->count == 0) snprintf(b, n, "NaN");
    else if (cs->n_modes == 0) snprintf(b, n, "none");
    else if (num(cs->modes[0], first, sizeof first), cs->n_modes == 1) snprintf(b, n, "%s", first);
    else snprintf(b, n, "%s +%lld", first, (long long)cs->n_modes - 1);
}

static void c_mode_count(const nr_column_stats *cs, int i, char *b, size_t n) {
    snprintf(b, n, "%lld", (long long)cs->mode_count);
}

typedef struct row {
    const char *label;
    cell_fn fn;
} row;

static const row head[] = {{"count", c_count}, {"missing", c_missing}, {"mean", c_mean}, {"std", c_std},
                           {"min", c_min},     {"25%", c_q1},          {"50%", c_q2},     {"75%", c_q3},
                           {"max", c_max}};
static const row tail[] = {
    {"median", c_median},       {"mode", c_mode},         {"mode count", c_mode_count},
    {"midrange", c_midrange},   {"range", c_range},       {"var", c_var},
    {"var (population)", c_var_pop}, {"std (population)", c_std_pop}, {"IQR", c_iqr},
    {"mild outliers", c_mild},  {"extreme outliers", c_extreme},
};

static int col_width(const char *name) {
    int w = (int)strlen(name) + 2;
    return w < 12 ? 12 : w;
}

static void print_row(const nr_describe *d, const int *cols, int n, const char *label, cell_fn fn, int i) {
    char buf[64];
    printf("%-*s", LABEL_W, label);
    for (int c = 0; c < n; c++) {
        const nr_column_stats *cs = nr_describe_column(d, cols[c]);
        fn(cs, i, buf, sizeof buf);
        printf("%*s", col_width(cs->name), buf);
    }
    printf("\n");
}

/* The table for numeric columns cols[0..n), which fit on one line. */
static void print_block(const nr_describe *d, const int *cols, int n) {
    printf("%-*s", LABEL_W, "");
    for (int c = 0; c < n; c++) {
        const char *name = nr_describe_column(d, cols[c])->name;
        printf("%*s", col_width(name), name);
    }
    printf("\n");
    for (size_t r = 0; r < sizeof head / sizeof *head; r++) print_row(d, cols, n, head[r].label, head[r].fn, 0);
    for (int p = 0; p < nr_describe_num_percentiles(d); p++) {
        char label[32];
        snprintf(label, sizeof label, "%g%%", nr_describe_percentiles(d)[p]);
        print_row(d, cols, n, label, c_pct, p);
    }
    for (size_t r = 0; r < sizeof tail / sizeof *tail; r++) print_row(d, cols, n, tail[r].label, tail[r].fn, 0);
}

/* Columns in blocks as wide as a line allows. */
static void print_table(const nr_describe *d, const int *num_cols, int k) {
    for (int start = 0, end; start < k; start = end) {
        int w = LABEL_W;
        for (end = start; end < k && (end == start || w + col_width(nr_describe_column(d, num_cols[end])->name) <= LINE_W);
             end++)
            w += col_width(nr_describe_column(d, num_cols[end])->name);
        if (start) printf("\n");
        print_block(d, num_cols + start, end - start);
    }
}

/* The first of the columns with several modes, or -1. */
static int first_multi(const nr_describe *d, const int *num_cols, int k) {
    for (int i = 0; i < k; i++)
        if (nr_describe_column(d, num_cols[i])->n_modes > 1) return i;
    return -1;
}

static void print_modes(const nr_describe *d, const int *num_cols, int k) {
    for (int i = 0; i < k; i++) {
        const nr_column_stats *cs = nr_describe_column(d, num_cols[i]);
        if (cs->n_modes < 2) continue;
        printf("%sModes of %s (%lld each):", i == first_multi(d, num_cols, k) ? "\n" : "", cs->name,
               (long long)cs->mode_count);
        for (int64_t m = 0; m < cs->n_modes; m++) printf("%s %.10g", m ? "," : "", cs->modes[m]);
        printf("\n");
    }
}

static void print_outlier_list(const nr_csv *csv, const char *what, double lo, double hi, const nr_outlier *o,
                               int64_t n) {
    printf("    %s (below %.7g or above %.7g):", what, lo, hi);
    for (int64_t i = 0; i < n && i < MAX_LISTED; i++)
        printf("%s row %lld (line %lld) %.10g", i ? "," : "", (long long)o[i].row,
               (long long)nr_csv_row_line(csv, o[i].row), o[i].value);
    if (n > MAX_LISTED) printf(", and %lld more", (long long)(n - MAX_LISTED));
    printf("\n");
}

static void print_outliers(const nr_csv *csv, const nr_describe *d, const int *num_cols, int k) {
    int any = 0;
    for (int i = 0; i < k; i++) {
        const nr_column_stats *cs = nr_describe_column(d, num_cols[i]);
        if (!cs->n_mild && !cs->n_extreme) continue;
        if (!any++)
            printf("\nOutliers (mild: beyond 1.5 IQR from the quartiles, extreme: beyond 3 IQR; rows count data rows "
                   "from 0):\n");
        printf("  %s:\n", cs->name);
        if (cs->n_mild) print_outlier_list(csv, "mild", cs->mild_lo, cs->mild_hi, cs->mild, cs->n_mild);
        if (cs->n_extreme)
            print_outlier_list(csv, "extreme", cs->extreme_lo, cs->extreme_hi, cs->extreme, cs->n_extreme);
    }
    if (!any && k) printf("\nOutliers: none beyond 1.5 IQR from the quartiles.\n");
}

static void print_text_column(const nr_column_stats *cs) {
    printf("  %s: %lld values, %lld missing, %lld distinct; ", cs->name, (long long)cs->count,
           (long long)cs->missing, (long long)cs->n_values);
    if (cs->n_text_modes == 0) printf("no mode\n");
    for (int64_t m = 0; m < cs->n_text_modes; m++)
        printf("%s%s", m ? ", " : "mode: ", cs->values[m].value);
    if (cs->n_text_modes) printf(" (%lld times)\n", (long long)cs->values[0].count);
    int w = 8;
    for (int64_t v = 0; v < cs->n_values && v < MAX_LISTED; v++)
        if ((int)strlen(cs->values[v].value) > w) w = (int)strlen(cs->values[v].value);
    for (int64_t v = 0; v < cs->n_values && v < MAX_LISTED; v++)
        printf("    %-*s %8lld  %5.1f%%\n", w, cs->values[v].value, (long long)cs->values[v].count,
               100.0 * (double)cs->values[v].count / (double)cs->count);
    if (cs->n_values > MAX_LISTED) printf("    ... and %lld more\n", (long long)(cs->n_values - MAX_LISTED));
}

static void print_matrix(const nr_describe *d, const char *title, const double *m, const char *fmt) {
    int k;
    const int *num_cols = nr_describe_numeric(d, &k);
    printf("\n%s\n%-*s", title, LABEL_W, "");
    for (int j = 0; j < k; j++) {
        const char *name = nr_describe_column(d, num_cols[j])->name;
        printf("%*s", col_width(name), name);
    }
    printf("\n");
    for (int i = 0; i < k; i++) {
        printf("%-*s", LABEL_W, nr_describe_column(d, num_cols[i])->name);
        for (int j = 0; j < k; j++) {
            char buf[48];
            snprintf(buf, sizeof buf, fmt, m[i * k + j]);
            printf("%*s", col_width(nr_describe_column(d, num_cols[j])->name), isnan(m[i * k + j]) ? "NaN" : buf);
        }
        printf("\n");
    }
}

static void print_pairs(const nr_describe *d, int strong) {
    int n, shown = 0;
    const nr_corr_pair *p = nr_describe_pairs(d, &n);
    printf(strong ? "Strongly correlated (|r| >= 0.8):" : "Weakly correlated (0.5 <= |r| < 0.8):");
    for (int i = 0; i < n; i++) {
        if ((fabs(p[i].r) >= NR_CORR_STRONG) != strong) continue;
        printf("%s %s & %s (r = %.3f)", shown++ ? "," : "", nr_describe_column(d, p[i].a)->name,
               nr_describe_column(d, p[i].b)->name, p[i].r);
    }
    printf(shown ? "\n" : " none\n");
}

void cli_describe_print(const nr_csv *csv, const nr_describe *d) {
    int k, n = nr_describe_num_columns(d);
    const int *num_cols = nr_describe_numeric(d, &k);
    printf("%s: %lld rows, %d column%s (%d numeric, %d text); percentiles by the %s method\n\n", nr_csv_path(csv),
           (long long)nr_csv_num_rows(csv), n, n == 1 ? "" : "s", k, n - k,
           nr_quantile_method_name(nr_describe_method(d)));
    print_table(d, num_cols, k);
    print_modes(d, num_cols, k);
    print_outliers(csv, d, num_cols, k);
    if (n > k) printf("\nText columns:\n");
    for (int i = 0; i < n; i++)
        if (nr_describe_column(d, i)->type == NR_CSV_TYPE_TEXT) print_text_column(nr_describe_column(d, i));
    if (k < 2) return;
    print_matrix(d, "Correlation (Pearson; each pair over the rows where both are present):", nr_describe_corr(d), "%.3f");
    print_matrix(d, "Covariance (sample, n - 1):", nr_describe_cov(d), "%.6g");
    printf("\n");
    print_pairs(d, 1);
    print_pairs(d, 0);
}
