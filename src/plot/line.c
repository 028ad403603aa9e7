/* Lines (broken at NaN), the y = x reference line and scatter points. */
#include <math.h>
#include <string.h>
#include "plot/plot.h"

/* The finite points' range. */
static void points_limits(const plot_artist *a, plot_limits *l) {
    for (int64_t i = 0; i < a->n; i++) {
        if (!isfinite(a->x[i]) || !isfinite(a->y[i])) continue;
        l->xlo = fmin(l->xlo, a->x[i]), l->xhi = fmax(l->xhi, a->x[i]);
        l->ylo = fmin(l->ylo, a->y[i]), l->yhi = fmax(l->yhi, a->y[i]);
    }
}

static void no_limits(const plot_artist *a, plot_limits *l) {}

static void dot(cairo_t *cr, double x, double y, double r) {
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
}

static void draw_line(const plot_artist *a, cairo_t *cr, const plot_view *v) {
    double dash[2] = {3.7 * a->width, 1.6 * a->width};   /* matplotlib's "--" */
    plot_set_rgb(cr, a->color);
    cairo_set_line_width(cr, a->width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_dash(cr, dash, a->dashed ? 2 : 0, 0);
    int open = 0;
    for (int64_t i = 0; i < a->n; i++) {
        int ok = isfinite(a->x[i]) && isfinite(a->y[i]);
        if (ok) (open ? cairo_line_to : cairo_move_to)(cr, plot_px(v, a->x[i]), plot_py(v, a->y[i]));
        open = ok;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (int64_t i = 0; a->markers && i < a->n; i++)
        if (isfinite(a->x[i]) && isfinite(a->y[i])) dot(cr, plot_px(v, a->x[i]), plot_py(v, a->y[i]), a->width + 1.5);
    cairo_fill(cr);
}

static void draw_diagonal(const plot_artist *a, cairo_t *cr, const plot_view *v) {
    double lo = fmax(v->xlo, v->ylo), hi = fmin(v->xhi, v->yhi), dash[2] = {5, 3};
    if (!(lo < hi)) return;
    cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr, 1);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, plot_px(v, lo), plot_py(v, lo));
    cairo_line_to(cr, plot_px(v, hi), plot_py(v, hi));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

static void draw_scatter(const plot_artist *a, cairo_t *cr, const plot_view *v) {
    cairo_set_source_rgba(cr, a->color.r, a->color.g, a->color.b, 0.8);
    for (int64_t i = 0; i < a->n; i++)
        if (isfinite(a->x[i]) && isfinite(a->y[i])) dot(cr, plot_px(v, a->x[i]), plot_py(v, a->y[i]), a->size);
    cairo_fill(cr);
}

const plot_kind_ops plot_line_ops = {points_limits, draw_line};
const plot_kind_ops plot_diagonal_ops = {no_limits, draw_diagonal};
const plot_kind_ops plot_scatter_ops = {points_limits, draw_scatter};

/* An artist holding copies of the n points (x NULL: 0..n-1). */
static nr_status points(nr_axes *a, plot_kind kind, const char *label, const char *color, const double *x,
                        const double *y, int64_t n, plot_artist **out) {
    if (n < 0 || (n > 0 && !y)) return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: %lld points without values", (long long)n);
    plot_artist *art = plot_artist_new(kind, label);
    if (!art) return NR_NOMEM();
    art->n = n;
    art->x = nr_malloc(((size_t)n + 1) * sizeof *art->x);
    art->y = nr_malloc(((size_t)n + 1) * sizeof *art->y);
    nr_status s = art->x && art->y ? plot_color(a, color, &art->color) : NR_NOMEM();
    if (s != NR_OK) {
        plot_artist_free(art);
        return s;
    }
    for (int64_t i = 0; i < n; i++) art->x[i] = x ? x[i] : (double)i;
    if (n) memcpy(art->y, y, (size_t)n * sizeof *y);
    *out = art;
    return NR_OK;
}

nr_status nr_axes_line(nr_axes *a, const double *x, const double *y, int64_t n, const nr_line_opts *opts) {
    nr_line_opts o = opts ? *opts : (nr_line_opts){0};
    plot_artist *art;
    NR_TRY(points(a, PLOT_LINE, o.label, o.color, x, y, n, &art));
    art->width = o.width > 0 ? o.width : 1.5;
    art->dashed = o.dashed, art->markers = o.markers;
    return plot_add(a, art);
}

nr_status nr_axes_diagonal(nr_axes *a) {
    plot_artist *art = plot_artist_new(PLOT_DIAGONAL, NULL);
    return art ? plot_add(a, art) : NR_NOMEM();
}

nr_status nr_axes_scatter(nr_axes *a, const double *x, const double *y, int64_t n, const nr_scatter_opts *opts) {
    nr_scatter_opts o = opts ? *opts : (nr_scatter_opts){0};
    if (n > 0 && !x) return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: scatter points need x values");
    plot_artist *art;
    NR_TRY(points(a, PLOT_SCATTER, o.label, o.color, x, y, n, &art));
    art->size = o.size > 0 ? o.size : 3;
    return plot_add(a, art);
}
