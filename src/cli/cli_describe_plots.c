/* The plots of `neurona describe --plots DIR`: per numeric column a
 * histogram and a box plot, per text column a bar chart and a pie chart
 * of its value counts, scatter plots of correlated pairs, the correlation
 * heat map; each as PNG and SVG (or one of them), named after the column
 * with the characters a file name should not hold replaced by '_'. */
#include <math.h>
#include <string.h>
#include "cli/cli_describe.h"
#include "cli/cli_plotdir.h"
#include "cli/cli_series.h"
#include "core/core.h"
#include "data/csv_internal.h"

enum { MAX_BARS = 30, MAX_WEDGES = 9 };

typedef struct plotter {
    const nr_csv *csv;
    const nr_describe *d;
    cli_plotdir out;
} plotter;

static nr_status save(plotter *p, nr_figure *f, const char *stem, const char *what) {
    return cli_plotdir_save(&p->out, f, stem, what);
}

/* Saves f when s is NR_OK, else only frees it; returns the outcome. */
static nr_status finish(plotter *p, nr_figure *f, nr_status s, const char *stem, const char *what) {
    if (s == NR_OK) return save(p, f, stem, what);
    nr_figure_free(f);
    return s;
}

static nr_status new_figure(nr_figure **f, int w, int h) {
    return nr_figure_new(&(nr_figure_opts){.width = w, .height = h}, f);
}

static double *column_values(const nr_csv *csv, int col) {
    int64_t n = nr_csv_num_rows(csv);
    double *v = nr_malloc(((size_t)n + 1) * sizeof *v);
    for (int64_t r = 0; v && r < n; r++) v[r] = nr_csv_value(csv, r, col);
    return v;
}

static nr_status numeric_plots(plotter *p, const nr_column_stats *cs) {
    char title[512];
    nr_figure *f = NULL;
    double *v = column_values(p->csv, cs->col);
    if (!v) return NR_NOMEM();
    int64_t n = nr_csv_num_rows(p->csv);
    nr_status s = new_figure(&f, 640, 480);
    snprintf(title, sizeof title, "%s: histogram", cs->name);
    if (s == NR_OK) s = nr_axes_hist(nr_figure_axes(f, 0), v, n, NULL);
    if (s == NR_OK) s = nr_axes_set_title(nr_figure_axes(f, 0), title);
    if (s == NR_OK) s = nr_axes_set_labels(nr_figure_axes(f, 0), cs->name, "count");
    if (f) s = finish(p, f, s, cs->name, "hist");
    const double *sets[1] = {v};
    const char *names[1] = {cs->name};
    snprintf(title, sizeof title, "%s: box plot", cs->name);
    if (s == NR_OK && (s = new_figure(&f, 480, 480)) == NR_OK) {
        s = nr_axes_box(nr_figure_axes(f, 0), sets, &n, names, 1);
        if (s == NR_OK) s = nr_axes_set_title(nr_figure_axes(f, 0), title);
        s = finish(p, f, s, cs->name, "box");
    }
    nr_free(v);
    return s;
}

/* The most frequent values, the rest summed as "other (k values)". */
static nr_status counts(const nr_column_stats *cs, int most, const char **names, double *c, int *n, char *other,
                        size_t size) {
    *n = 0;
    double rest = 0;
    for (int64_t i = 0; i < cs->n_values; i++) {
        if (*n < most || cs->n_values == most + 1) names[*n] = cs->values[i].value, c[(*n)++] = (double)cs->values[i].count;
        else rest += (double)cs->values[i].count;
    }
    if (rest > 0) {
        snprintf(other, size, "other (%lld values)", (long long)(cs->n_values - *n));
        names[*n] = other, c[(*n)++] = rest;
    }
    return NR_OK;
}

static nr_status text_plots(plotter *p, const nr_column_stats *cs) {
    const char *names[MAX_BARS + 2];
    double c[MAX_BARS + 2];
    char other[64], title[512];
    int n;
    nr_figure *f;
    if (cs->n_values == 0) return NR_OK;
    counts(cs, MAX_BARS, names, c, &n, other, sizeof other);
    snprintf(title, sizeof title, "%s: value counts", cs->name);
    NR_TRY(new_figure(&f, 640, 480));
    nr_status s = nr_axes_bar(nr_figure_axes(f, 0), names, c, n, &(nr_bar_opts){.values = n <= 12});
    if (s == NR_OK) s = nr_axes_set_title(nr_figure_axes(f, 0), title);
    if (s == NR_OK) s = nr_axes_set_labels(nr_figure_axes(f, 0), NULL, "count");
    NR_TRY(finish(p, f, s, cs->name, "bar"));
    counts(cs, MAX_WEDGES, names, c, &n, other, sizeof other);
    snprintf(title, sizeof title, "%s: shares", cs->name);
    NR_TRY(new_figure(&f, 640, 480));
    s = nr_axes_pie(nr_figure_axes(f, 0), names, c, n);
    if (s == NR_OK) s = nr_axes_set_title(nr_figure_axes(f, 0), title);
    return finish(p, f, s, cs->name, "pie");
}

static nr_status scatter(plotter *p, int a, int b, double r) {
    const nr_column_stats *x = nr_describe_column(p->d, a), *y = nr_describe_column(p->d, b);
    double *vx = column_values(p->csv, x->col), *vy = column_values(p->csv, y->col);
    char title[512], stem[512];
    nr_figure *f = NULL;
    nr_status s = vx && vy ? new_figure(&f, 640, 480) : NR_NOMEM();
    snprintf(title, sizeof title, "%s vs %s (r = %.3f)", y->name, x->name, r);
    snprintf(stem, sizeof stem, "%s_%s", x->name, y->name);
    if (s == NR_OK) s = nr_axes_scatter(nr_figure_axes(f, 0), vx, vy, nr_csv_num_rows(p->csv), NULL);
    if (s == NR_OK) s = nr_axes_set_title(nr_figure_axes(f, 0), title);
    if (s == NR_OK) s = nr_axes_set_labels(nr_figure_axes(f, 0), x->name, y->name);
    if (f) s = finish(p, f, s, stem, "scatter");
    nr_free(vx);
    nr_free(vy);
    return s;
}

static nr_status heatmap(plotter *p) {
    int k;
    const int *num = nr_describe_numeric(p->d, &k);
    if (k < 2) return NR_OK;
    const char **names = nr_malloc((size_t)k * sizeof *names);
    if (!names) return NR_NOMEM();
    for (int i = 0; i < k; i++) names[i] = nr_describe_column(p->d, num[i])->name;
    nr_figure *f = NULL;
    int side = 300 + 50 * (k < 12 ? k : 12);
    nr_status s = new_figure(&f, side + 120, side);
    nr_heatmap_opts o = {.colormap = NR_COLORMAP_COOLWARM, .vmin = -1, .vmax = 1, .no_values = k > 12};
    if (s == NR_OK) s = nr_axes_heatmap(nr_figure_axes(f, 0), nr_describe_corr(p->d), k, k, names, names, &o);
    if (s == NR_OK) s = nr_axes_set_title(nr_figure_axes(f, 0), "Correlation (Pearson)");
    if (f) s = finish(p, f, s, "correlation", "heatmap");
    nr_free(names);
    return s;
}

/* A column of the pair --scatter names: described and numeric. */
static nr_status scatter_column(const plotter *p, const char *name, int *out) {
    for (int i = 0; i < nr_describe_num_columns(p->d); i++) {
        const nr_column_stats *cs = nr_describe_column(p->d, i);
        if (strcmp(cs->name, name) != 0) continue;
        *out = i;
        if (cs->type == NR_CSV_TYPE_NUMERIC) return NR_OK;
        for (int64_t r = 0; r < nr_csv_num_rows(p->csv); r++)
            if (!nr_csv_is_missing(p->csv, r, cs->col) && !nr_csv_text_is_number(nr_csv_text(p->csv, r, cs->col)))
                return nr_error(NR_STATUS_BAD_ARGUMENT, "%s:%lld:%lld: --scatter: column '%s' holds text ('%s'); a "
                                "scatter plot needs numbers", nr_csv_path(p->csv), (long long)nr_csv_row_line(p->csv, r),
                                (long long)nr_csv_cell_col(p->csv, r, cs->col), name, nr_csv_text(p->csv, r, cs->col));
    }
    return nr_error(NR_STATUS_BAD_ARGUMENT, "--scatter: no column '%s' among those described", name);
}

nr_status cli_describe_scatter_pair(const nr_csv *csv, const nr_describe *d, const char *pair, int ab[2]) {
    cli_names n;
    plotter p = {.csv = csv, .d = d};
    nr_status s = cli_names_parse(pair, "scatter", &n);
    if (s == NR_OK && n.n != 2) s = nr_error(NR_STATUS_BAD_ARGUMENT, "--scatter: want two columns A,B, got '%s'", pair);
    for (int i = 0; s == NR_OK && i < 2; i++) s = scatter_column(&p, n.v[i], &ab[i]);
    cli_names_free(&n);
    return s;
}

static nr_status scatters(plotter *p, const int *pair) {
    int n, k;
    if (pair) {
        const int *num = nr_describe_numeric(p->d, &k);
        double r = NAN;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (num[i] == pair[0] && num[j] == pair[1]) r = nr_describe_corr(p->d)[i * k + j];
        return scatter(p, pair[0], pair[1], r);
    }
    const nr_corr_pair *pairs = nr_describe_pairs(p->d, &n);
    for (int i = 0; i < n && fabs(pairs[i].r) >= NR_CORR_STRONG; i++) NR_TRY(scatter(p, pairs[i].a, pairs[i].b, pairs[i].r));
    return NR_OK;
}

nr_status cli_describe_plots(const nr_csv *csv, const nr_describe *d, const char *dir, const char *format,
                             const int *pair) {
    plotter p = {.csv = csv, .d = d, .out = {.dir = dir, .format = format}};
    nr_status s = cli_plotdir_open(&p.out);
    if (s == NR_OK) s = scatters(&p, pair);
    for (int i = 0; s == NR_OK && i < nr_describe_num_columns(d); i++) {
        const nr_column_stats *cs = nr_describe_column(d, i);
        if (cs->type == NR_CSV_TYPE_TEXT) s = text_plots(&p, cs);
        else if (cs->count > 0) s = numeric_plots(&p, cs);
    }
    if (s == NR_OK) s = heatmap(&p);
    nr_plot_cleanup();
    if (s == NR_OK) printf("\nSaved %d plot%s to %s\n", p.out.saved, p.out.saved == 1 ? "" : "s", dir);
    return s;
}
