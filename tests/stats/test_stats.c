/* Descriptive statistics against NumPy and pandas: every figure of
 * nr_describe_csv on the data sets of tests/fixtures/stats/ (ties,
 * multimodal, all-unique, all-equal, missing and empty columns, a single
 * row) must match the goldens of scripts/gen_stats_goldens.py to 1e-9
 * relative, for every percentile method. Then the bad arguments, and
 * every allocation failing in turn. */
#include <stddef.h>
#include <string.h>
#include "testutil.h"

#define DIR NR_SOURCE_DIR "/tests/fixtures/stats/"

typedef struct golden {
    const char *file;
    int line;
    nr_csv *csv;
    nr_describe *d;
    const nr_column_stats *cs;
    double pcts[16];
    int n_pcts;
    int64_t n_value, n_pair;   /* the next value / pair line's index */
} golden;

static int same(double got, double want) {
    if (isnan(want) || isnan(got)) return isnan(want) && isnan(got);
    return fabs(got - want) <= 1e-12 + 1e-9 * fabs(want);
}

static void expect_num(golden *g, const char *what, double got, double want) {
    if (same(got, want)) {
        nr_test_passed++;
        return;
    }
    nr_test_failed++;
    fprintf(stderr, "FAIL %s:%d: %s: got %.17g, want %.17g\n", g->file, g->line, what, got, want);
}

static const struct { const char *key; size_t off; } figures[] = {
    {"mean", offsetof(nr_column_stats, mean)},       {"median", offsetof(nr_column_stats, median)},
    {"min", offsetof(nr_column_stats, min)},         {"max", offsetof(nr_column_stats, max)},
    {"range", offsetof(nr_column_stats, range)},     {"midrange", offsetof(nr_column_stats, midrange)},
    {"var_pop", offsetof(nr_column_stats, var_pop)}, {"std_pop", offsetof(nr_column_stats, std_pop)},
    {"var", offsetof(nr_column_stats, var)},         {"std", offsetof(nr_column_stats, std)},
    {"q1", offsetof(nr_column_stats, q1)},           {"q2", offsetof(nr_column_stats, q2)},
    {"q3", offsetof(nr_column_stats, q3)},           {"iqr", offsetof(nr_column_stats, iqr)},
};

static int numeric_index(const golden *g, const char *name) {
    int k;
    const int *num = nr_describe_numeric(g->d, &k);
    for (int i = 0; i < k; i++)
        if (strcmp(nr_describe_column(g->d, num[i])->name, name) == 0) return i;
    return -1;
}

static void start_method(golden *g, const char *name) {
    nr_describe_free(g->d);
    g->d = NULL;
    nr_quantile_method m;
    if (!CHECK_OK(nr_quantile_method_parse(name, &m))) return;
    CHECK(strcmp(nr_quantile_method_name(m), name) == 0);
    nr_describe_opts o = {.percentiles = g->pcts, .n_percentiles = g->n_pcts, .method = m};
    CHECK_OK(nr_describe_csv(g->csv, &o, &g->d));
    g->n_pair = 0;
}

static void start_column(golden *g, const char *name) {
    g->cs = NULL;
    g->n_value = 0;
    for (int i = 0; g->d && i < nr_describe_num_columns(g->d); i++)
        if (strcmp(nr_describe_column(g->d, i)->name, name) == 0) g->cs = nr_describe_column(g->d, i);
    if (!nr_test_check(g->cs != NULL, name, g->file, g->line)) return;
}

/* "mild N ROW VALUE ..." against n outliers o. */
static void check_outliers(golden *g, const char *rest, const nr_outlier *o, int64_t n) {
    char *end;
    long long want = strtoll(rest, &end, 10);
    nr_test_check(n == want, "outlier count", g->file, g->line);
    for (int64_t i = 0; i < n && i < want; i++) {
        long long row = strtoll(end, &end, 10);
        double v = strtod(end, &end);
        nr_test_check(o[i].row == row, "outlier row", g->file, g->line);
        expect_num(g, "outlier value", o[i].value, v);
    }
}

static void check_modes(golden *g, const char *rest) {
    char *end;
    long long want = strtoll(rest, &end, 10);
    nr_test_check(g->cs->n_modes == want, "mode count", g->file, g->line);
    for (int64_t i = 0; i < g->cs->n_modes && i < want; i++) expect_num(g, "mode", g->cs->modes[i], strtod(end, &end));
}

static void check_value(golden *g, const char *rest) {
    char *end;
    long long count = strtoll(rest, &end, 10);
    const char *text = end + 1;
    int ok = g->n_value < g->cs->n_values && g->cs->values[g->n_value].count == count &&
             strcmp(g->cs->values[g->n_value].value, text) == 0;
    nr_test_check(ok, text, g->file, g->line);
    g->n_value++;
}

static void check_matrix(golden *g, const char *key, const char *rest) {
    char a[64], b[64];
    double want;
    if (!nr_test_check(sscanf(rest, "%63s %63s %lf", a, b, &want) == 3 || strstr(rest, "nan"), rest, g->file, g->line))
        return;
    if (strstr(rest, " nan")) want = NAN;
    int k, i = numeric_index(g, a), j = numeric_index(g, b);
    nr_describe_numeric(g->d, &k);
    if (!nr_test_check(i >= 0 && j >= 0, rest, g->file, g->line)) return;
    if (strcmp(key, "pair") == 0) {
        int n;
        const nr_corr_pair *p = nr_describe_pairs(g->d, &n);
        const int *num = nr_describe_numeric(g->d, &k);
        int ok = g->n_pair < n && p[g->n_pair].a == num[i] && p[g->n_pair].b == num[j];
        nr_test_check(ok, rest, g->file, g->line);
        if (ok) expect_num(g, "pair r", p[g->n_pair].r, want);
        g->n_pair++;
        return;
    }
    const double *m = strcmp(key, "corr") == 0 ? nr_describe_corr(g->d) : nr_describe_cov(g->d);
    expect_num(g, key, m[i * k + j], want);
}

static int check_figure(golden *g, const char *key, const char *rest) {
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++)
        if (strcmp(key, figures[i].key) == 0) {
            expect_num(g, key, *(const double *)((const char *)g->cs + figures[i].off), strtod(rest, NULL));
            return 1;
        }
    return 0;
}

static void check_percentile(golden *g, const char *rest) {
    char *end;
    double p = strtod(rest, &end), want = strtod(end, NULL);
    for (int i = 0; i < g->n_pcts; i++)
        if (g->pcts[i] == p) expect_num(g, "percentile", g->cs->percentiles[i], want);
}

static void check_column_line(golden *g, const char *key, const char *rest) {
    long long n = strtoll(rest, NULL, 10);
    if (check_figure(g, key, rest)) return;
    if (strcmp(key, "p") == 0) check_percentile(g, rest);
    else if (strcmp(key, "count") == 0) nr_test_check(g->cs->count == n, "count", g->file, g->line);
    else if (strcmp(key, "missing") == 0) nr_test_check(g->cs->missing == n, "missing", g->file, g->line);
    else if (strcmp(key, "modes") == 0) check_modes(g, rest);
    else if (strcmp(key, "mode_count") == 0) nr_test_check(g->cs->mode_count == n, "mode_count", g->file, g->line);
    else if (strcmp(key, "mild") == 0) check_outliers(g, rest, g->cs->mild, g->cs->n_mild);
    else if (strcmp(key, "extreme") == 0) check_outliers(g, rest, g->cs->extreme, g->cs->n_extreme);
    else if (strcmp(key, "values") == 0) nr_test_check(g->cs->n_values == n, "values", g->file, g->line);
    else if (strcmp(key, "value") == 0) check_value(g, rest);
    else if (strcmp(key, "text_modes") == 0) nr_test_check(g->cs->n_text_modes == n, "text_modes", g->file, g->line);
    else nr_test_check(0, key, g->file, g->line);
}

static void check_line(golden *g, char *line) {
    char *sp = strchr(line, ' ');
    if (line[0] == '#' || !sp) return;
    *sp = 0;
    const char *key = line, *rest = sp + 1;
    if (strcmp(key, "percentiles") == 0) {
        char *end = (char *)rest;
        for (g->n_pcts = 0; *end && g->n_pcts < 16; g->n_pcts++) g->pcts[g->n_pcts] = strtod(end, &end);
    } else if (strcmp(key, "method") == 0) {
        start_method(g, rest);
    } else if (strcmp(key, "column") == 0) {
        start_column(g, rest);
    } else if (strcmp(key, "pairs") == 0) {
        int n;
        nr_describe_pairs(g->d, &n);
        nr_test_check(n == atoi(rest), "pair count", g->file, g->line);
    } else if (!strcmp(key, "corr") || !strcmp(key, "cov") || !strcmp(key, "pair")) {
        check_matrix(g, key, rest);
    } else if (g->cs) {
        check_column_line(g, key, rest);
    }
}

static void test_golden(const char *name) {
    char path[512];
    golden g = {.file = path};
    snprintf(path, sizeof path, DIR "%s.csv", name);
    if (!CHECK_OK(nr_csv_read(path, NULL, &g.csv))) return;
    snprintf(path, sizeof path, DIR "%s.golden", name);
    char *text = nr_test_read_file(path, NULL);
    if (!nr_test_check(text != NULL, path, __FILE__, __LINE__)) {
        nr_csv_free(g.csv);
        return;
    }
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        g.line++;
        check_line(&g, line);
    }
    nr_describe_free(g.d);
    nr_csv_free(g.csv);
    free(text);
}

/* The figures a text column does not have stay NaN; an empty column has
 * no mode and no outliers. */
static void test_shapes(void) {
    nr_csv *csv;
    nr_describe *d;
    if (!CHECK_OK(nr_csv_read(DIR "mixed.csv", NULL, &csv))) return;
    const char *cols[] = {"colour", "empty"};
    CHECK_OK(nr_describe_csv(csv, &(nr_describe_opts){.columns = cols, .n_columns = 2}, &d));
    CHECK(nr_describe_num_columns(d) == 2 && nr_describe_column(d, 2) == NULL);
    const nr_column_stats *c = nr_describe_column(d, 0), *e = nr_describe_column(d, 1);
    CHECK(c->type == NR_CSV_TYPE_TEXT && isnan(c->mean) && isnan(c->q1) && c->n_modes == 0);
    CHECK(c->n_text_modes == 2 && strcmp(c->values[0].value, "blue") == 0 && strcmp(c->values[1].value, "red") == 0);
    CHECK(e->type == NR_CSV_TYPE_NUMERIC && e->count == 0 && e->missing == 12 && e->n_modes == 0 && e->n_mild == 0);
    int k, n;
    CHECK(nr_describe_numeric(d, &k)[0] == 1 && k == 1 && isnan(nr_describe_corr(d)[0]));
    CHECK(nr_describe_pairs(d, &n) && n == 0);
    nr_describe_free(d);
    nr_csv_free(csv);
}

static void test_quantile_edges(void) {
    const double v[] = {1, 2, 3, 4};
    for (int m = 0; m < NR_QUANTILE_COUNT_; m++) {
        CHECK(isnan(nr_quantile_sorted(v, 0, 0.5, (nr_quantile_method)m)));
        CHECK(nr_quantile_sorted(v, 4, 0, (nr_quantile_method)m) == 1);
        CHECK(nr_quantile_sorted(v, 4, 1, (nr_quantile_method)m) == 4);
        CHECK(nr_quantile_sorted(v, 1, 0.3, (nr_quantile_method)m) == 1);
    }
    CHECK(nr_quantile_method_name(NR_QUANTILE_COUNT_) == NULL);
}

static void test_errors(void) {
    nr_csv *csv;
    nr_describe *d = (nr_describe *)1;
    nr_quantile_method m;
    CHECK_STATUS(nr_quantile_method_parse("hazzen", &m), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "unknown percentile method 'hazzen'; did you mean \"hazen\"?") != NULL);
    if (!CHECK_OK(nr_csv_read(DIR "normal.csv", NULL, &csv))) return;
    const char *bad[] = {"x", "wx"};
    CHECK_STATUS(nr_describe_csv(csv, &(nr_describe_opts){.columns = bad, .n_columns = 2}, &d), NR_STATUS_BAD_ARGUMENT);
    CHECK(d == NULL && strstr(nr_last_error(), "normal.csv: no column 'wx'") &&
          strstr(nr_last_error(), "the columns are x, y, z, w, group"));
    const char *twice[] = {"x", "x"};
    CHECK_STATUS(nr_describe_csv(csv, &(nr_describe_opts){.columns = twice, .n_columns = 2}, &d),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "column 'x' is named twice") != NULL);
    double p[] = {50, 101};
    CHECK_STATUS(nr_describe_csv(csv, &(nr_describe_opts){.percentiles = p, .n_percentiles = 2}, &d),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "percentile 101 is outside [0, 100]") != NULL);
    CHECK_STATUS(nr_describe_csv(csv, &(nr_describe_opts){.method = NR_QUANTILE_COUNT_}, &d), NR_STATUS_BAD_ARGUMENT);
    nr_csv_free(csv);
}

/* Allocation number `fail` fails; the rest go to malloc. */
static int alloc_n, alloc_fail;
static void *failing_malloc(size_t size, void *user) { return alloc_n++ == alloc_fail ? NULL : malloc(size); }
static void *failing_realloc(void *p, size_t size, void *user) {
    return alloc_n++ == alloc_fail ? NULL : realloc(p, size);
}

static void test_out_of_memory(void) {
    nr_csv *csv;
    if (!CHECK_OK(nr_csv_read(DIR "mixed.csv", NULL, &csv))) return;
    double p[] = {5, 95};
    nr_describe_opts o = {.percentiles = p, .n_percentiles = 2};
    nr_status s = NR_STATUS_NO_MEMORY;
    int failures = 0;
    for (alloc_fail = 0; s == NR_STATUS_NO_MEMORY && alloc_fail < 10000; alloc_fail++) {
        nr_describe *d;
        alloc_n = 0;
        nr_set_alloc_hooks(&(nr_alloc_hooks){.malloc_fn = failing_malloc, .realloc_fn = failing_realloc});
        s = nr_describe_csv(csv, &o, &d);
        nr_set_alloc_hooks(NULL);
        failures += s == NR_STATUS_NO_MEMORY && d == NULL;
        nr_describe_free(d);
    }
    CHECK(s == NR_OK && failures == alloc_fail - 1 && failures > 20);
    nr_csv_free(csv);
}

int main(void) {
    const char *sets[] = {"mixed", "normal", "skewed", "single"};
    for (int i = 0; i < 4; i++) test_golden(sets[i]);
    test_shapes();
    test_quantile_edges();
    test_errors();
    test_out_of_memory();
    return nr_test_finish();
}
