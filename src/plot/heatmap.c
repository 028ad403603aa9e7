/* Heat maps: a matrix as coloured cells, row 0 at the top, the row names
 * on the left, the column names below (slanted when they do not fit), each
 * value written in its cell in black or white by the cell's lightness,
 * and a colour bar with round ticks on the right. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "plot/plot.h"

enum { BAR_W = 16, BAR_GAP = 14 };

/* One printf conversion of a double (%f, %e or %g with flags, width and
 * precision) among plain text, so a format from the caller is safe. */
static int format_ok(const char *f) {
    int conversions = 0;
    for (; *f; f++) {
        if (*f != '%') continue;
        if (*++f == '%') continue;
        f += strspn(f, "-+ #0");
        f += strspn(f, "0123456789");
        if (*f == '.') f += 1 + strspn(f + 1, "0123456789");
        if (!*f || !strchr("feEgG", *f)) return 0;
        conversions++;
    }
    return conversions == 1;
}

static void heatmap_limits(const plot_artist *a, plot_limits *l) {}

/* The colour scale's ends: the options', else the finite values' range. */
static void scale(const plot_artist *a, double *lo, double *hi) {
    *lo = a->heat.vmin, *hi = a->heat.vmax;
    if (*lo != 0 || *hi != 0) return;
    *lo = INFINITY, *hi = -INFINITY;
    for (int64_t i = 0; i < a->n; i++)
        if (isfinite(a->y[i])) *lo = fmin(*lo, a->y[i]), *hi = fmax(*hi, a->y[i]);
    if (!(*lo < *hi)) *lo = isfinite(*lo) ? *lo - 0.5 : 0, *hi = *lo + 1;
}

static double widest(cairo_t *cr, char *const *names, int n) {
    double w = 0;
    for (int i = 0; i < n; i++) w = fmax(w, plot_text_width(cr, names[i], PLOT_TICK_SIZE));
    return w;
}

static void cell(const plot_artist *a, cairo_t *cr, const plot_view *g, int r, int c, double lo, double hi) {
    double v = a->y[(int64_t)r * a->cols + c], cw = g->w / a->cols, ch = g->h / a->rows;
    double x = g->x0 + c * cw, y = g->y0 + r * ch;
    plot_rgb col = isfinite(v) ? plot_colormap(a->heat.colormap, (v - lo) / (hi - lo)) : (plot_rgb){1, 1, 1};
    cairo_rectangle(cr, x, y, cw, ch);
    plot_set_rgb(cr, col);
    cairo_fill(cr);
    if (a->heat.no_values) return;
    char buf[64];
    if (isfinite(v)) snprintf(buf, sizeof buf, a->heat.format, v);
    else snprintf(buf, sizeof buf, "nan");
    double lum = 0.299 * col.r + 0.587 * col.g + 0.114 * col.b, size = fmin(PLOT_TICK_SIZE, ch * 0.45);
    cairo_set_source_rgb(cr, lum < 0.5 ? 1 : 0, lum < 0.5 ? 1 : 0, lum < 0.5 ? 1 : 0);
    if (plot_text_width(cr, buf, size) < cw - 2) plot_text(cr, buf, size, x + cw / 2, y + ch / 2, 0.5, 0.5, 0);
}

static void names(const plot_artist *a, cairo_t *cr, const plot_view *g, int slant) {
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    for (int r = 0; r < a->rows; r++)
        plot_text(cr, a->names[r], PLOT_TICK_SIZE, g->x0 - 6, g->y0 + (r + 0.5) * g->h / a->rows, 1, 0.5, 0);
    for (int c = 0; c < a->cols; c++) {
        double x = g->x0 + (c + 0.5) * g->w / a->cols, y = g->y0 + g->h + 6;
        if (slant) plot_text(cr, a->names[a->rows + c], PLOT_TICK_SIZE, x + 3, y, 1, 0, -M_PI / 4);
        else plot_text(cr, a->names[a->rows + c], PLOT_TICK_SIZE, x, y, 0.5, 0, 0);
    }
}

/* The colour bar at x over the grid's height, ticks on its right. */
static void colorbar(const plot_artist *a, cairo_t *cr, const plot_view *g, double x, double lo, double hi) {
    cairo_pattern_t *p = cairo_pattern_create_linear(0, g->y0 + g->h, 0, g->y0);
    for (int i = 0; i <= 20; i++) {
        plot_rgb c = plot_colormap(a->heat.colormap, i / 20.0);
        cairo_pattern_add_color_stop_rgb(p, i / 20.0, c.r, c.g, c.b);
    }
    cairo_rectangle(cr, x, g->y0, BAR_W, g->h);
    cairo_set_source(cr, p);
    cairo_fill_preserve(cr);
    cairo_pattern_destroy(p);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    double ticks[16], step;
    char buf[48];
    int n = plot_ticks(lo, hi, (int)fmin(9, fmax(2, g->h / (PLOT_TICK_SIZE * 3))), ticks, &step);
    plot_view bar = {x, g->y0, BAR_W, g->h, 0, 1, lo, hi};
    for (int i = 0; i < n; i++) {
        double y = plot_py(&bar, ticks[i]);
        cairo_move_to(cr, x + BAR_W, y);
        cairo_line_to(cr, x + BAR_W + 4, y);
        cairo_stroke(cr);
        plot_tick_label(ticks[i], step, buf, sizeof buf);
        plot_text(cr, buf, PLOT_TICK_SIZE, x + BAR_W + 7, y, 0, 0.5, 0);
    }
}

static void draw_heatmap(const plot_artist *a, cairo_t *cr, const plot_view *v) {
    double lo, hi;
    scale(a, &lo, &hi);
    double left = widest(cr, a->names, a->rows) + 12, cols_w = widest(cr, a->names + a->rows, a->cols);
    double right = BAR_GAP + BAR_W + 8 + plot_text_width(cr, "\xe2\x88\x92" "0.00", PLOT_TICK_SIZE) + 8;
    plot_view g = {v->x0 + left, v->y0, v->w - left - right, 0, 0, 1, 0, 1};
    int slant = cols_w > 0.9 * g.w / a->cols;
    double bottom = PLOT_TICK_SIZE + 14 + (slant ? fmin(cols_w, v->h / 3) * 0.71 : 0);
    g.h = v->h - bottom;
    if (g.w < 10 || g.h < 10) return;
    for (int r = 0; r < a->rows; r++)
        for (int c = 0; c < a->cols; c++) cell(a, cr, &g, r, c, lo, hi);
    names(a, cr, &g, slant);
    colorbar(a, cr, &g, g.x0 + g.w + BAR_GAP, lo, hi);
}

const plot_kind_ops plot_heatmap_ops = {heatmap_limits, draw_heatmap};

nr_status nr_axes_heatmap(nr_axes *a, const double *m, int rows, int cols, const char *const *row_names,
                          const char *const *col_names, const nr_heatmap_opts *opts) {
    nr_heatmap_opts o = opts ? *opts : (nr_heatmap_opts){0};
    if (rows < 1 || cols < 1 || !m || (int64_t)rows * cols > 1 << 20)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: a heat map of %d x %d cells", rows, cols);
    if ((unsigned)o.colormap > NR_COLORMAP_COOLWARM || ((o.vmin != 0 || o.vmax != 0) && !(o.vmin < o.vmax)))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: heat map colormap %d, scale %g..%g", (int)o.colormap, o.vmin,
                        o.vmax);
    if (!format_ok(o.format ? o.format : "%.2f"))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: heat map format '%s': want one %%f, %%e or %%g conversion",
                        o.format);
    plot_artist *art = plot_artist_new(PLOT_HEATMAP, NULL);
    if (!art) return NR_NOMEM();
    art->n = (int64_t)rows * cols, art->rows = rows, art->cols = cols, art->heat = o;
    art->y = nr_malloc((size_t)art->n * sizeof *art->y);
    art->heat.format = art->fmt = nr_strdup(o.format ? o.format : "%.2f");
    char **rn = plot_copy_names(row_names, rows), **cn = plot_copy_names(col_names, cols);
    art->names = nr_malloc(((size_t)rows + (size_t)cols) * sizeof *art->names);
    if (!art->y || !art->fmt || !rn || !cn || !art->names) {
        plot_free_names(rn, rows);
        plot_free_names(cn, cols);
        plot_artist_free(art);
        return NR_NOMEM();
    }
    memcpy(art->names, rn, (size_t)rows * sizeof *rn);
    memcpy(art->names + rows, cn, (size_t)cols * sizeof *cn);
    art->n_names = rows + cols;
    nr_free(rn);
    nr_free(cn);
    memcpy(art->y, m, (size_t)art->n * sizeof *m);
    return plot_add(a, art);
}
