/* Box plots as matplotlib draws them: at x = 1..k, a box from Q1 to Q3
 * (NumPy's linear quartiles) with the median across it, whiskers to the
 * furthest values within 1.5 IQR of the box, and every value beyond the
 * whiskers as an open circle. */
#include <math.h>
#include <stdlib.h>
#include "neurona/stats.h"
#include "plot/plot.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The five figures of sorted s[0..n) into f; the values beyond the
 * whiskers appended to fliers. */
static int64_t five(const double *s, int64_t n, double *f, double *fliers) {
    if (n == 0) {
        for (int i = 0; i < 5; i++) f[i] = NAN;
        return 0;
    }
    double q1 = nr_quantile_sorted(s, n, 0.25, NR_QUANTILE_LINEAR), q3 = nr_quantile_sorted(s, n, 0.75, NR_QUANTILE_LINEAR);
    double lo = q1 - 1.5 * (q3 - q1), hi = q3 + 1.5 * (q3 - q1);
    int64_t a = 0, b = n - 1, k = 0;
    while (a < n - 1 && s[a] < lo) a++;
    while (b > 0 && s[b] > hi) b--;
    f[0] = fmin(s[a], q1), f[1] = q1, f[2] = nr_quantile_sorted(s, n, 0.5, NR_QUANTILE_LINEAR), f[3] = q3;
    f[4] = fmax(s[b], q3);
    for (int64_t i = 0; i < n; i++)
        if (s[i] < f[0] || s[i] > f[4]) fliers[k++] = s[i];
    return k;
}

static nr_status fill(plot_artist *art, const double *const *v, const int64_t *n, int k) {
    int64_t total = 0;
    for (int i = 0; i < k; i++) total += n[i];
    double *s = nr_malloc(((size_t)total + 1) * sizeof *s);
    art->x = nr_malloc(((size_t)total + 1) * sizeof *art->x);
    art->y = nr_malloc((size_t)k * 5 * sizeof *art->y);
    art->counts = nr_calloc((size_t)k, sizeof *art->counts);
    if (!s || !art->x || !art->y || !art->counts) {
        nr_free(s);
        return NR_NOMEM();
    }
    int64_t at = 0;
    for (int i = 0; i < k; i++) {
        int64_t m = 0;
        for (int64_t j = 0; j < n[i]; j++)
            if (isfinite(v[i][j])) s[m++] = v[i][j];
        qsort(s, (size_t)m, sizeof *s, cmp_double);
        art->counts[i] = five(s, m, art->y + 5 * i, art->x + at);
        at += art->counts[i];
    }
    nr_free(s);
    return NR_OK;
}

static void box_limits(const plot_artist *a, plot_limits *l) {
    l->xlo = 0.5, l->xhi = (double)a->n + 0.5, l->sticky_xlo = l->sticky_xhi = 1;
    int64_t at = 0;
    for (int64_t i = 0; i < a->n; i++) {
        if (isfinite(a->y[5 * i])) l->ylo = fmin(l->ylo, a->y[5 * i]), l->yhi = fmax(l->yhi, a->y[5 * i + 4]);
        for (int64_t j = 0; j < a->counts[i]; j++, at++) l->ylo = fmin(l->ylo, a->x[at]), l->yhi = fmax(l->yhi, a->x[at]);
    }
}

static void hline(cairo_t *cr, const plot_view *v, double x0, double x1, double y) {
    cairo_move_to(cr, plot_px(v, x0), plot_py(v, y));
    cairo_line_to(cr, plot_px(v, x1), plot_py(v, y));
}

static void draw_one(const plot_artist *a, cairo_t *cr, const plot_view *v, double x, const double *f) {
    double x0 = plot_px(v, x - 0.25), x1 = plot_px(v, x + 0.25), y3 = plot_py(v, f[3]);
    cairo_rectangle(cr, x0, y3, x1 - x0, plot_py(v, f[1]) - y3);
    cairo_set_source_rgba(cr, a->color.r, a->color.g, a->color.b, 0.35);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1);
    hline(cr, v, x, x, f[0]);
    cairo_line_to(cr, plot_px(v, x), plot_py(v, f[1]));
    hline(cr, v, x, x, f[3]);
    cairo_line_to(cr, plot_px(v, x), plot_py(v, f[4]));
    hline(cr, v, x - 0.125, x + 0.125, f[0]);
    hline(cr, v, x - 0.125, x + 0.125, f[4]);
    cairo_stroke(cr);
    plot_set_rgb(cr, plot_cycle(1));
    cairo_set_line_width(cr, 2);
    hline(cr, v, x - 0.25, x + 0.25, f[2]);
    cairo_stroke(cr);
}

static void draw_box(const plot_artist *a, cairo_t *cr, const plot_view *v) {
    int64_t at = 0;
    for (int64_t i = 0; i < a->n; i++) {
        if (isfinite(a->y[5 * i])) draw_one(a, cr, v, (double)i + 1, a->y + 5 * i);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 1);
        for (int64_t j = 0; j < a->counts[i]; j++, at++) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, plot_px(v, (double)i + 1), plot_py(v, a->x[at]), 3.5, 0, 2 * M_PI);
        }
        cairo_stroke(cr);
    }
}

const plot_kind_ops plot_box_ops = {box_limits, draw_box};

nr_status nr_axes_box(nr_axes *a, const double *const *v, const int64_t *n, const char *const *names, int k) {
    if (k < 1 || !v || !n) return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: a box plot needs at least one set, got %d", k);
    for (int i = 0; i < k; i++)
        if (n[i] < 0 || (n[i] > 0 && !v[i])) return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: box %d has no values", i);
    plot_artist *art = plot_artist_new(PLOT_BOX, NULL);
    double *pos = nr_malloc((size_t)k * sizeof *pos);
    nr_status s = art && pos ? plot_color(a, NULL, &art->color) : NR_NOMEM();
    if (s == NR_OK) art->n = k, s = fill(art, v, n, k);
    for (int i = 0; s == NR_OK && i < k; i++) pos[i] = i + 1;
    if (s == NR_OK) s = nr_axes_set_xticks(a, pos, names, k);
    nr_free(pos);
    if (s != NR_OK) {
        plot_artist_free(art);
        return s;
    }
    return plot_add(a, art);
}
