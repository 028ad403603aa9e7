/* Histograms: counts in equal-width bins over [min, max] as NumPy's
 * np.histogram makes them (the last bin closed), the bin count by NumPy's
 * "auto" rule unless given; drawn as adjacent bars standing on 0. */
#include <math.h>
#include <stdlib.h>
#include "neurona/stats.h"
#include "plot/plot.h"

enum { MAX_BINS = 200 };

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* NumPy's "auto": the smaller of the Sturges and Freedman-Diaconis bin
 * widths (Sturges alone when the IQR is 0). */
static int auto_bins(const double *sorted, int64_t n) {
    double span = sorted[n - 1] - sorted[0];
    if (span == 0) return 1;
    double sturges = span / (log2((double)n) + 1);
    double iqr = nr_quantile_sorted(sorted, n, 0.75, NR_QUANTILE_LINEAR) -
                 nr_quantile_sorted(sorted, n, 0.25, NR_QUANTILE_LINEAR);
    double fd = 2 * iqr * pow((double)n, -1.0 / 3);
    double width = fd > 0 ? fmin(fd, sturges) : sturges;
    return (int)fmin(MAX_BINS, ceil(span / width));
}

/* Bins and counts of the finite values of v into art. */
static nr_status bin(plot_artist *art, const double *v, int64_t n, int bins) {
    double *s = nr_malloc(((size_t)n + 1) * sizeof *s);
    if (!s) return NR_NOMEM();
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(v[i])) s[k++] = v[i];
    qsort(s, (size_t)k, sizeof *s, cmp_double);
    double lo = k ? s[0] : 0, hi = k ? s[k - 1] : 1;
    if (lo == hi) lo -= 0.5, hi += 0.5;
    art->n = bins > 0 ? bins : k ? auto_bins(s, k) : 1;
    art->x = nr_malloc(((size_t)art->n + 1) * sizeof *art->x);
    art->y = nr_calloc((size_t)art->n, sizeof *art->y);
    if (!art->x || !art->y) {
        nr_free(s);
        return NR_NOMEM();
    }
    for (int64_t i = 0; i <= art->n; i++) art->x[i] = lo + (hi - lo) * (double)i / (double)art->n;
    for (int64_t i = 0; i < k; i++) {
        int64_t b = (int64_t)((s[i] - lo) / (hi - lo) * (double)art->n);
        art->y[b < 0 ? 0 : b >= art->n ? art->n - 1 : b] += 1;
    }
    nr_free(s);
    return NR_OK;
}

static void hist_limits(const plot_artist *a, plot_limits *l) {
    l->xlo = a->x[0], l->xhi = a->x[a->n];
    l->ylo = 0, l->sticky_ylo = 1;
    for (int64_t i = 0; i < a->n; i++) l->yhi = fmax(l->yhi, a->y[i]);
}

/* One path per non-empty bin, so an SVG holds one element per bar. */
static void draw_hist(const plot_artist *a, cairo_t *cr, const plot_view *v) {
    cairo_set_line_width(cr, 0.7);
    for (int64_t i = 0; i < a->n; i++) {
        if (a->y[i] == 0) continue;
        double x0 = plot_px(v, a->x[i]), x1 = plot_px(v, a->x[i + 1]), top = plot_py(v, a->y[i]);
        cairo_rectangle(cr, x0, top, x1 - x0, plot_py(v, 0) - top);
        plot_set_rgb(cr, a->color);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_stroke(cr);
    }
}

const plot_kind_ops plot_hist_ops = {hist_limits, draw_hist};

nr_status nr_axes_hist(nr_axes *a, const double *v, int64_t n, const nr_hist_opts *opts) {
    nr_hist_opts o = opts ? *opts : (nr_hist_opts){0};
    if (n < 0 || (n > 0 && !v) || o.bins < 0 || o.bins > 10000)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: histogram of %lld values in %d bins", (long long)n, o.bins);
    plot_artist *art = plot_artist_new(PLOT_HIST, o.label);
    if (!art) return NR_NOMEM();
    nr_status s = plot_color(a, o.color, &art->color);
    if (s == NR_OK) s = bin(art, v, n, o.bins);
    if (s != NR_OK) {
        plot_artist_free(art);
        return s;
    }
    return plot_add(a, art);
}
