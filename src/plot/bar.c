/* Bar charts: one bar per category at 0, 1, ..., n-1, 0.8 wide as in
 * matplotlib, standing on 0, the names as the x ticks; optionally each
 * value written above its bar. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "plot/plot.h"

static void bar_limits(const plot_artist *a, plot_limits *l) {
    l->xlo = -0.4, l->xhi = (double)a->n - 0.6;
    l->ylo = 0, l->yhi = 0;
    for (int64_t i = 0; i < a->n; i++)
        if (isfinite(a->y[i])) l->ylo = fmin(l->ylo, a->y[i]), l->yhi = fmax(l->yhi, a->y[i]);
    l->sticky_ylo = l->ylo == 0, l->sticky_yhi = l->yhi == 0;
    if (a->values) l->yhi += 0.06 * (l->yhi - l->ylo), l->sticky_yhi = 0;   /* room for the texts */
}

static void draw_bar(const plot_artist *a, cairo_t *cr, const plot_view *v) {
    plot_set_rgb(cr, a->color);
    for (int64_t i = 0; i < a->n; i++) {
        if (!isfinite(a->y[i])) continue;
        double x0 = plot_px(v, (double)i - 0.4), x1 = plot_px(v, (double)i + 0.4);
        double y0 = plot_py(v, 0), y1 = plot_py(v, a->y[i]);
        cairo_rectangle(cr, x0, fmin(y0, y1), x1 - x0, fabs(y1 - y0));
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    for (int64_t i = 0; a->values && i < a->n; i++) {
        char buf[32];
        if (!isfinite(a->y[i])) continue;
        snprintf(buf, sizeof buf, "%.10g", a->y[i]);
        plot_text(cr, buf, PLOT_TICK_SIZE - 1, plot_px(v, (double)i), plot_py(v, a->y[i]) - (a->y[i] >= 0 ? 3 : -3),
                  0.5, a->y[i] >= 0 ? 1 : 0, 0);
    }
}

const plot_kind_ops plot_bar_ops = {bar_limits, draw_bar};

nr_status nr_axes_bar(nr_axes *a, const char *const *names, const double *heights, int n, const nr_bar_opts *opts) {
    nr_bar_opts o = opts ? *opts : (nr_bar_opts){0};
    if (n < 1 || !heights) return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: a bar chart needs at least one bar, got %d", n);
    plot_artist *art = plot_artist_new(PLOT_BAR, o.label);
    if (!art) return NR_NOMEM();
    art->n = n, art->values = o.values;
    art->y = nr_malloc((size_t)n * sizeof *art->y);
    double *pos = nr_malloc((size_t)n * sizeof *pos);
    nr_status s = art->y && pos ? plot_color(a, o.color, &art->color) : NR_NOMEM();
    for (int i = 0; s == NR_OK && i < n; i++) pos[i] = i;
    if (s == NR_OK) s = nr_axes_set_xticks(a, pos, names, n);
    nr_free(pos);
    if (s != NR_OK) {
        plot_artist_free(art);
        return s;
    }
    memcpy(art->y, heights, (size_t)n * sizeof *heights);
    return plot_add(a, art);
}
