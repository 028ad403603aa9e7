/* The legend: one row per labelled artist (a line sample, a dot or a
 * patch, then the label) in a box at a corner of the axes; "best" picks
 * the corner covering the fewest data points, as matplotlib's does. */
#include <math.h>
#include "plot/plot.h"

enum { ROW = 20, SWATCH = 26, PAD = 8 };

static int labelled(const plot_artist *art) { return art->label != NULL; }

/* How many of the artists' points fall inside the box (x, y, w, h). */
static int64_t covered(const nr_axes *a, const plot_view *v, double x, double y, double w, double h) {
    int64_t n = 0;
    for (const plot_artist *art = a->first; art; art = art->next) {
        if (art->kind != PLOT_LINE && art->kind != PLOT_SCATTER) continue;
        for (int64_t i = 0; i < art->n; i++) {
            double px = plot_px(v, art->x[i]), py = plot_py(v, art->y[i]);
            n += px >= x && px <= x + w && py >= y && py <= y + h;
        }
    }
    return n;
}

static void corner(nr_legend_loc loc, const plot_view *v, double w, double h, double *x, double *y) {
    int right = loc == NR_LEGEND_UPPER_RIGHT || loc == NR_LEGEND_LOWER_RIGHT;
    int lower = loc == NR_LEGEND_LOWER_LEFT || loc == NR_LEGEND_LOWER_RIGHT;
    *x = right ? v->x0 + v->w - w - PAD : v->x0 + PAD;
    *y = lower ? v->y0 + v->h - h - PAD : v->y0 + PAD;
}

static nr_legend_loc best(const nr_axes *a, const plot_view *v, double w, double h) {
    nr_legend_loc pick = NR_LEGEND_UPPER_RIGHT;
    int64_t fewest = -1;
    for (int loc = NR_LEGEND_UPPER_RIGHT; loc <= NR_LEGEND_LOWER_RIGHT; loc++) {
        double x, y;
        corner((nr_legend_loc)loc, v, w, h, &x, &y);
        int64_t n = covered(a, v, x, y, w, h);
        if (fewest < 0 || n < fewest) fewest = n, pick = (nr_legend_loc)loc;
    }
    return pick;
}

static void swatch(const plot_artist *art, cairo_t *cr, double x, double y) {
    plot_set_rgb(cr, art->color);
    if (art->kind == PLOT_LINE) {
        double dash = 5;
        cairo_set_line_width(cr, art->width);
        cairo_set_dash(cr, &dash, art->dashed, 0);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + SWATCH - 6, y);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    } else if (art->kind == PLOT_SCATTER) {
        cairo_arc(cr, x + (SWATCH - 6) / 2.0, y, art->size, 0, 2 * M_PI);
        cairo_fill(cr);
    } else {
        cairo_rectangle(cr, x, y - 5, SWATCH - 6, 10);
        cairo_fill(cr);
    }
}

void plot_legend_draw(const nr_axes *a, cairo_t *cr, const plot_view *v) {
    int rows = 0;
    double widest = 0;
    for (const plot_artist *art = a->first; art; art = art->next)
        if (labelled(art)) rows++, widest = fmax(widest, plot_text_width(cr, art->label, PLOT_TICK_SIZE));
    if (!rows || a->legend == NR_LEGEND_NONE) return;
    double w = widest + SWATCH + 2 * PAD, h = rows * ROW + PAD, x, y;
    corner(a->legend == NR_LEGEND_BEST ? best(a, v, w, h) : a->legend, v, w, h, &x, &y);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    int row = 0;
    for (const plot_artist *art = a->first; art; art = art->next) {
        if (!labelled(art)) continue;
        double cy = y + PAD / 2.0 + ROW * (row++ + 0.5);
        swatch(art, cr, x + PAD, cy);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        plot_text(cr, art->label, PLOT_TICK_SIZE, x + PAD + SWATCH, cy, 0, 0.5, 0);
    }
}
