/* Pie charts: wedges clockwise from the top in the cycle's colours,
 * white edges between them, each wedge's percentage inside it and its
 * name outside, on the side it points to. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "plot/plot.h"

static void pie_limits(const plot_artist *a, plot_limits *l) {}

static void wedge_label(const plot_artist *a, cairo_t *cr, double cx, double cy, double r, double mid, int i,
                        double frac) {
    char pct[32];
    double c = cos(mid), s = sin(mid);
    snprintf(pct, sizeof pct, "%.1f%%", 100 * frac);
    plot_rgb col = plot_cycle(i);
    double lum = 0.299 * col.r + 0.587 * col.g + 0.114 * col.b;
    cairo_set_source_rgb(cr, lum < 0.5 ? 1 : 0, lum < 0.5 ? 1 : 0, lum < 0.5 ? 1 : 0);
    if (frac >= 0.03) plot_text(cr, pct, PLOT_TICK_SIZE - 1, cx + 0.62 * r * c, cy + 0.62 * r * s, 0.5, 0.5, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    plot_text(cr, a->names[i], PLOT_TICK_SIZE, cx + 1.08 * r * c, cy + 1.08 * r * s, c < -0.1 ? 1 : c > 0.1 ? 0 : 0.5,
              s < -0.1 ? 1 : s > 0.1 ? 0 : 0.5, 0);
}

static void draw_pie(const plot_artist *a, cairo_t *cr, const plot_view *v) {
    double total = 0, widest = 0;
    for (int64_t i = 0; i < a->n; i++) total += a->y[i];
    for (int64_t i = 0; i < a->n; i++) widest = fmax(widest, plot_text_width(cr, a->names[i], PLOT_TICK_SIZE));
    double cx = v->x0 + v->w / 2, cy = v->y0 + v->h / 2;
    double r = fmax(10, fmin(v->w / 2 - widest - 12, v->h / 2 - PLOT_TICK_SIZE - 12));
    double at = -M_PI / 2;
    for (int64_t i = 0; i < a->n; i++) {
        double sweep = 2 * M_PI * a->y[i] / total;
        if (a->y[i] <= 0) continue;
        cairo_move_to(cr, cx, cy);
        cairo_arc(cr, cx, cy, r, at, at + sweep);
        cairo_close_path(cr);
        plot_set_rgb(cr, plot_cycle((int)i));
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 1.2);
        cairo_stroke(cr);
        wedge_label(a, cr, cx, cy, r, at + sweep / 2, (int)i, a->y[i] / total);
        at += sweep;
    }
}

const plot_kind_ops plot_pie_ops = {pie_limits, draw_pie};

nr_status nr_axes_pie(nr_axes *a, const char *const *names, const double *values, int n) {
    double total = 0;
    for (int i = 0; values && i < n; i++) {
        if (!(values[i] >= 0) || !isfinite(values[i]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: pie value %d is %g; values must be >= 0", i, values[i]);
        total += values[i];
    }
    if (n < 1 || !values || !(total > 0))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: a pie needs values that are not all 0 (got %d)", n);
    plot_artist *art = plot_artist_new(PLOT_PIE, NULL);
    if (!art) return NR_NOMEM();
    art->n = n;
    art->y = nr_malloc((size_t)n * sizeof *art->y);
    art->names = plot_copy_names(names, n);
    if (!art->y || !art->names) {
        plot_artist_free(art);
        return NR_NOMEM();
    }
    art->n_names = n;
    memcpy(art->y, values, (size_t)n * sizeof *values);
    return plot_add(a, art);
}
