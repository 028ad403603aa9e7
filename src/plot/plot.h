/* The chart library's insides: what a figure and its axes hold, the
 * artists (one per drawing call, with copies of their data) and the view
 * that maps data to pixels. Each kind of chart is one file giving its
 * artist's limits and drawing (plot_kinds below); axes.c lays out and
 * draws an axes, figure.c the surface and the file. */
#ifndef NR_PLOT_INTERNAL_H
#define NR_PLOT_INTERNAL_H

#include <cairo.h>
#include <stdint.h>
#include "core/core.h"
#include "neurona/plot.h"

#define PLOT_FONT "DejaVu Sans"
#define PLOT_TICK_SIZE 12.0
#define PLOT_LABEL_SIZE 13.0
#define PLOT_TITLE_SIZE 15.0

typedef struct plot_rgb {
    double r, g, b;
} plot_rgb;

typedef enum plot_kind {
    PLOT_LINE,
    PLOT_DIAGONAL,
    PLOT_SCATTER,
    PLOT_HIST,
    PLOT_BAR,
    PLOT_BOX,
    PLOT_PIE,
    PLOT_HEATMAP,
    PLOT_KIND_COUNT_
} plot_kind;

/* One drawing call's copy of its data. Per kind:
 *   line, scatter  x, y: n points
 *   hist           x: n + 1 bin edges, y: n counts
 *   bar, pie       y: n values, names: n
 *   box            y: 5 per box (low whisker, Q1, median, Q3, high whisker),
 *                  x: the outliers' values, grouped by box, counts[k] per box
 *   heatmap        y: rows x cols values, names: row names then column names */
typedef struct plot_artist {
    plot_kind kind;
    char *label;
    plot_rgb color;
    double width, size;
    int dashed, markers, values;
    int64_t n;
    double *x, *y;
    int64_t *counts;
    char **names;
    int n_names, rows, cols;
    nr_heatmap_opts heat;        /* its format points to fmt */
    char *fmt;
    struct plot_artist *next;
} plot_artist;

/* An axes' box on the surface (pixels, y down) and its data limits. */
typedef struct plot_view {
    double x0, y0, w, h;
    double xlo, xhi, ylo, yhi;
} plot_view;

static inline double plot_px(const plot_view *v, double x) { return v->x0 + v->w * (x - v->xlo) / (v->xhi - v->xlo); }
static inline double plot_py(const plot_view *v, double y) {
    return v->y0 + v->h * (1 - (y - v->ylo) / (v->yhi - v->ylo));
}

/* The range an artist's data covers; sticky ends get no margin (bars and
 * histograms stand on 0, categories fill their slots). */
typedef struct plot_limits {
    double xlo, xhi, ylo, yhi;
    int sticky_xlo, sticky_xhi, sticky_ylo, sticky_yhi;
} plot_limits;

typedef struct plot_kind_ops {
    void (*limits)(const plot_artist *a, plot_limits *l);
    void (*draw)(const plot_artist *a, cairo_t *cr, const plot_view *v);
} plot_kind_ops;

extern const plot_kind_ops plot_line_ops, plot_diagonal_ops, plot_scatter_ops, plot_hist_ops, plot_bar_ops,
    plot_box_ops, plot_pie_ops, plot_heatmap_ops;

struct nr_axes {
    char *title, *xlabel, *ylabel;
    int fixed_x, fixed_y;
    double xlo, xhi, ylo, yhi;
    double *tick_pos;            /* explicit or categorical x ticks, or NULL */
    char **tick_labels;
    int n_ticks;
    nr_legend_loc legend;
    int next_color;              /* the cycle's next colour */
    plot_artist *first, *last;
};

struct nr_figure {
    int width, height, rows, cols;
    char *title;
    nr_axes *axes;               /* rows * cols */
};

/* ------------------------------------------------------------ colour --- */
/* A matplotlib-style colour string, or the axes' next cycle colour for
 * NULL. NR_STATUS_BAD_ARGUMENT naming the accepted forms. */
nr_status plot_color(nr_axes *a, const char *spec, plot_rgb *out);
/* Colour i of the tab10 cycle (modulo 10). */
plot_rgb plot_cycle(int i);
/* The colormap's colour at t in [0, 1]. */
plot_rgb plot_colormap(nr_colormap m, double t);
static inline void plot_set_rgb(cairo_t *cr, plot_rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

/* ------------------------------------------------------------- ticks --- */
/* Round tick values in [lo, hi] (matplotlib's MaxNLocator with steps 1,
 * 2, 2.5, 5, 10 and at most max_ticks intervals) into ticks[0..16);
 * returns their count and the step. */
int plot_ticks(double lo, double hi, int max_ticks, double *ticks, double *step);
/* A tick value as text with the decimals the step needs. */
void plot_tick_label(double v, double step, char *buf, size_t size);

/* ------------------------------------------------------------- text --- */
/* Draws s with its anchor at (x, y): ax 0 left, 0.5 centre, 1 right; ay 0
 * top, 0.5 middle, 1 baseline-bottom; rotated by angle radians about it. */
void plot_text(cairo_t *cr, const char *s, double size, double x, double y, double ax, double ay, double angle);
double plot_text_width(cairo_t *cr, const char *s, double size);

/* ------------------------------------------------------------- axes --- */
/* Adds an artist of kind to a (taking ownership of it: freed on failure). */
nr_status plot_add(nr_axes *a, plot_artist *art);
plot_artist *plot_artist_new(plot_kind kind, const char *label);
void plot_artist_free(plot_artist *art);
/* Copies n strings (names NULL: "0", "1", ...). */
char **plot_copy_names(const char *const *names, int n);
void plot_free_names(char **names, int n);
void plot_axes_free(nr_axes *a);
/* Lays out and draws axes a inside the cell (x, y, w, h) of the surface. */
void plot_axes_draw(nr_axes *a, cairo_t *cr, double x, double y, double w, double h);
/* The legend of a's labelled artists inside v. */
void plot_legend_draw(const nr_axes *a, cairo_t *cr, const plot_view *v);

#endif
