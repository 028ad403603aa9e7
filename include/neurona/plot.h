/* neurona: charts as PNG or SVG files, drawn with cairo. A figure holds a
 * grid of axes; each axes holds what is drawn on it: lines, scatter
 * points, a histogram, bars, box plots, a pie or a heat map, with a title,
 * axis labels, a legend and axes whose ticks fall on round numbers
 * (matplotlib's MaxNLocator). The look follows matplotlib's defaults: the
 * tab10 colour cycle, 5% margins around the data, DejaVu Sans.
 *
 *   nr_figure *f;
 *   nr_figure_new(&(nr_figure_opts){.width = 640, .height = 480}, &f);
 *   nr_axes *ax = nr_figure_axes(f, 0);
 *   nr_axes_line(ax, fpr, tpr, n, &(nr_line_opts){.label = "ROC (AUC 0.93)"});
 *   nr_axes_diagonal(ax);
 *   nr_axes_set_xlim(ax, 0, 1);
 *   nr_axes_set_ylim(ax, 0, 1);
 *   nr_figure_save(f, "roc.svg");
 *   nr_figure_free(f);
 *
 * Every drawing call copies its data, so the caller's arrays can go
 * away before the figure is saved. Colours are strings as in matplotlib:
 * "C0".."C9" (the tab10 cycle), "#rrggbb", or one of black, white, gray,
 * lightgray, red, green, blue, orange; NULL takes the axes' next colour
 * of the cycle. NaN values are skipped (a line breaks at them). */
#ifndef NEURONA_PLOT_H
#define NEURONA_PLOT_H

#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nr_figure nr_figure;
typedef struct nr_axes nr_axes;

typedef struct nr_figure_opts {
    int width, height;    /* pixels (SVG: points); 0: 800 x 600 */
    int rows, cols;       /* the grid of axes; 0: 1 x 1 */
    const char *title;    /* over the whole figure, or NULL */
} nr_figure_opts;

/* opts may be NULL. Caller frees *out with nr_figure_free. */
nr_status nr_figure_new(const nr_figure_opts *opts, nr_figure **out);
void nr_figure_free(nr_figure *f);   /* NULL is a no-op */
/* Axes i of the grid, in row-major order; borrowed, valid until
 * nr_figure_free; NULL when out of range. */
nr_axes *nr_figure_axes(nr_figure *f, int i);
/* Draws the figure into path, PNG or SVG by its extension (.png, .svg,
 * any case), written atomically (a temporary file renamed over path).
 * Errors: NR_STATUS_BAD_ARGUMENT (another extension), NR_STATUS_IO. */
nr_status nr_figure_save(nr_figure *f, const char *path);
/* cairo and fontconfig keep font caches for the life of the process;
 * this hands them back (for leak checkers at exit). Call it only when no
 * figure is being saved in any thread; a later save loads them again. */
void nr_plot_cleanup(void);

/* ------------------------------------------------------------ axes --- */
/* Texts are copied; NULL leaves one out. */
nr_status nr_axes_set_title(nr_axes *a, const char *title);
nr_status nr_axes_set_labels(nr_axes *a, const char *xlabel, const char *ylabel);
/* Fixed limits instead of the data's range plus margins (lo < hi). */
nr_status nr_axes_set_xlim(nr_axes *a, double lo, double hi);
nr_status nr_axes_set_ylim(nr_axes *a, double lo, double hi);
/* Ticks at the given x positions labelled with the given texts, in place
 * of round numbers (dates under a time axis). */
nr_status nr_axes_set_xticks(nr_axes *a, const double *pos, const char *const *labels, int n);

typedef enum nr_legend_loc {
    NR_LEGEND_BEST = 0,   /* the corner that hides the fewest points */
    NR_LEGEND_UPPER_RIGHT,
    NR_LEGEND_UPPER_LEFT,
    NR_LEGEND_LOWER_LEFT,
    NR_LEGEND_LOWER_RIGHT,
    NR_LEGEND_NONE
} nr_legend_loc;
/* Where the legend of the labelled lines, points and bars goes. */
void nr_axes_set_legend(nr_axes *a, nr_legend_loc loc);

/* ---------------------------------------------------------- charts --- */
typedef struct nr_line_opts {
    const char *label;    /* legend entry, or NULL */
    const char *color;    /* NULL: the next colour of the cycle */
    double width;         /* 0: 1.5 */
    int dashed;
    int markers;          /* a dot on every point */
} nr_line_opts;

/* A line through (x[i], y[i]); x NULL means 0, 1, ..., n-1. */
nr_status nr_axes_line(nr_axes *a, const double *x, const double *y, int64_t n, const nr_line_opts *opts);
/* The dashed gray line y = x across the axes (a ROC curve's chance line,
 * predicted against true values). */
nr_status nr_axes_diagonal(nr_axes *a);

typedef struct nr_scatter_opts {
    const char *label, *color;
    double size;          /* the dots' radius in pixels; 0: 3 */
} nr_scatter_opts;
nr_status nr_axes_scatter(nr_axes *a, const double *x, const double *y, int64_t n, const nr_scatter_opts *opts);

typedef struct nr_hist_opts {
    int bins;             /* 0: NumPy's "auto" (the smaller Sturges / Freedman-Diaconis width) */
    const char *label, *color;
} nr_hist_opts;
/* The counts of v in equal-width bins over [min, max]. */
nr_status nr_axes_hist(nr_axes *a, const double *v, int64_t n, const nr_hist_opts *opts);

typedef struct nr_bar_opts {
    const char *label, *color;
    int values;           /* write each bar's value above it */
} nr_bar_opts;
/* One bar per name, n of them, from 0 to heights[i]. */
nr_status nr_axes_bar(nr_axes *a, const char *const *names, const double *heights, int n, const nr_bar_opts *opts);

/* Box plots side by side, one per set v[i] of n[i] values (names[i]
 * under it; names may be NULL): the box from Q1 to Q3 (NumPy's linear
 * quartiles) with the median, whiskers to the furthest values within
 * 1.5 IQR of the box, every value beyond them drawn as a circle. */
nr_status nr_axes_box(nr_axes *a, const double *const *v, const int64_t *n, const char *const *names, int k);

/* A pie of n wedges (values >= 0, not all 0), clockwise from the top in
 * the cycle's colours, each labelled with its name and its percentage.
 * The axes shows nothing else. */
nr_status nr_axes_pie(nr_axes *a, const char *const *names, const double *values, int n);

typedef enum nr_colormap {
    NR_COLORMAP_VIRIDIS = 0,
    NR_COLORMAP_BLUES,        /* white to dark blue: counts (confusion matrices) */
    NR_COLORMAP_COOLWARM      /* blue, white, red: signed values (correlations) */
} nr_colormap;

typedef struct nr_heatmap_opts {
    nr_colormap colormap;
    double vmin, vmax;        /* the colour scale's ends; both 0: the data's range */
    const char *format;       /* printf format of the values in the cells; NULL: "%.2f" */
    int no_values;            /* leave the cells empty */
} nr_heatmap_opts;
/* A rows x cols matrix m (row-major) as coloured cells, row 0 at the top,
 * rows and columns named (names may be NULL: their numbers), with a
 * colour bar. The axes shows nothing else. */
nr_status nr_axes_heatmap(nr_axes *a, const double *m, int rows, int cols, const char *const *row_names,
                          const char *const *col_names, const nr_heatmap_opts *opts);

#ifdef __cplusplus
}
#endif

#endif
