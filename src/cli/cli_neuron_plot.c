/* neurona neuron --plot: the two features of the data coloured by target,
 * the learner's final decision boundary, and its error per epoch. */
#include <math.h>
#include <stdio.h>
#include "cli/cli_neuron.h"
#include "core/core.h"
#include "neurona/plot.h"

/* The level of w.x + b on the boundary: 0 where the output function
 * decides at its middle (Heaviside, sigmoid, tanh, softmax pairs); the
 * middle of the targets for linear outputs. */
static double boundary_level(const nr_neuron *nn, const cli_neuron_data *d) {
    nr_neuron_kind k = nr_neuron_get_kind(nn);
    if (k != NR_NEURON_ADALINE && !(k == NR_NEURON_GENERAL && nr_neuron_activation(nn) == NR_NEURON_ACT_LINEAR))
        return 0;
    double lo = d->t[0], hi = d->t[0];
    for (int64_t i = 1; i < d->n; i++) lo = fmin(lo, d->t[i]), hi = fmax(hi, d->t[i]);
    return (lo + hi) / 2;
}

/* The line w0 x + w1 y + b = c across [x0, x1] (vertical when w1 is 0). */
static nr_status boundary(nr_axes *ax, double w0, double w1, double b, double c, const double *lim,
                          const char *label) {
    double xs[2] = {lim[0], lim[1]}, ys[2];
    if (w1 == 0 && w0 == 0) return NR_OK;
    if (w1 == 0) {
        xs[0] = xs[1] = (c - b) / w0;
        ys[0] = lim[2], ys[1] = lim[3];
    } else {
        for (int i = 0; i < 2; i++) ys[i] = (c - b - w0 * xs[i]) / w1;
    }
    return nr_axes_line(ax, xs, ys, 2, &(nr_line_opts){.label = label, .color = "black", .dashed = 1});
}

static nr_status draw_data(nr_axes *ax, const cli_neuron_data *d, const double *lim) {
    double *px = nr_malloc((size_t)d->n * sizeof *px), *py = nr_malloc((size_t)d->n * sizeof *py);
    nr_status s = px && py ? NR_OK : NR_NOMEM();
    double lo = d->t[0], hi = d->t[0];
    for (int64_t i = 1; i < d->n; i++) lo = fmin(lo, d->t[i]), hi = fmax(hi, d->t[i]);
    /* Classes (at most 10 distinct integer targets) get a colour each;
     * other targets split at their middle. */
    int classes = lo == floor(lo) && hi == floor(hi) && hi - lo < 10, n_groups = classes ? (int)(hi - lo) + 1 : 2;
    for (int g = 0; g < n_groups && s == NR_OK; g++) {
        int64_t m = 0;
        for (int64_t i = 0; i < d->n; i++) {
            int gi = classes ? (int)(d->t[i] - lo) : d->t[i] >= (lo + hi) / 2;
            if (gi != g) continue;
            px[m] = d->x[i * d->F], py[m++] = d->x[i * d->F + 1];
        }
        char label[64];
        snprintf(label, sizeof label, "target %g", classes ? lo + g : g ? hi : lo);
        if (m) s = nr_axes_scatter(ax, px, py, m, &(nr_scatter_opts){.label = label});
    }
    nr_free(px);
    nr_free(py);
    if (s == NR_OK) s = nr_axes_set_xlim(ax, lim[0], lim[1]);
    if (s == NR_OK) s = nr_axes_set_ylim(ax, lim[2], lim[3]);
    return s == NR_OK ? nr_axes_set_labels(ax, d->x_names[0], d->x_names[1]) : s;
}

static nr_status draw_boundaries(nr_axes *ax, const nr_neuron *nn, const cli_neuron_data *d, const double *lim) {
    const double *w = nr_neuron_weights(nn), *b = nr_neuron_bias(nn);
    int K = nr_neuron_n_outputs(nn), softmax = nr_neuron_activation(nn) == NR_NEURON_ACT_SOFTMAX;
    double c = boundary_level(nn, d);
    nr_status s = NR_OK;
    /* Softmax decides between classes k and k+1 where their nets are equal. */
    for (int k = 0; k < K - softmax && s == NR_OK; k++) {
        char label[64];
        snprintf(label, sizeof label, K == 1 ? "boundary" : softmax ? "classes %d|%d" : "output %d", k, k + 1);
        if (softmax)
            s = boundary(ax, w[2 * k] - w[2 * k + 2], w[2 * k + 1] - w[2 * k + 3], b[k] - b[k + 1], 0, lim, label);
        else
            s = boundary(ax, w[2 * k], w[2 * k + 1], b[k], c, lim, label);
    }
    return s;
}

static void limits(const cli_neuron_data *d, double *lim) {
    lim[0] = lim[2] = INFINITY, lim[1] = lim[3] = -INFINITY;
    for (int64_t i = 0; i < d->n; i++)
        for (int j = 0; j < 2; j++) {
            lim[2 * j] = fmin(lim[2 * j], d->x[i * d->F + j]);
            lim[2 * j + 1] = fmax(lim[2 * j + 1], d->x[i * d->F + j]);
        }
    for (int j = 0; j < 2; j++) {
        double pad = lim[2 * j + 1] > lim[2 * j] ? 0.3 * (lim[2 * j + 1] - lim[2 * j]) : 0.5;
        lim[2 * j] -= pad, lim[2 * j + 1] += pad;
    }
}

nr_status cli_neuron_plot(const nr_neuron *nn, const cli_neuron_data *d, const char *path) {
    nr_figure *f = NULL;
    double lim[4];
    limits(d, lim);
    NR_TRY(nr_figure_new(&(nr_figure_opts){.width = 1120, .height = 480, .cols = 2}, &f));
    nr_axes *data = nr_figure_axes(f, 0), *curve = nr_figure_axes(f, 1);
    nr_status s = nr_axes_set_title(data, "data and decision boundary");
    if (s == NR_OK) s = draw_data(data, d, lim);
    if (s == NR_OK) s = draw_boundaries(data, nn, d, lim);
    int kind = nr_neuron_get_kind(nn), epochs = nr_neuron_n_epochs(nn);
    if (s == NR_OK && epochs > 0) {
        double *ep = nr_malloc((size_t)epochs * sizeof *ep);
        for (int e = 0; ep && e < epochs; e++) ep[e] = e + 1;
        s = ep ? nr_axes_line(curve, ep, nr_neuron_errors(nn), epochs, &(nr_line_opts){.markers = epochs <= 50})
               : NR_NOMEM();
        nr_free(ep);
        if (s == NR_OK) s = nr_axes_set_title(curve, "error per epoch");
        if (s == NR_OK)
            s = nr_axes_set_labels(curve, "epoch", kind == NR_NEURON_PERCEPTRON ? "misclassified" : "error");
    }
    if (s == NR_OK) s = nr_figure_save(f, path);
    nr_figure_free(f);
    return s;
}
