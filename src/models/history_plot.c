/* Learning curves from a History: the figure Keras courses draw with
 * matplotlib after fit(), one panel per figure, training against
 * validation. */
#include <stdio.h>
#include <string.h>
#include "models/history.h"
#include "neurona/plot.h"

/* The figures to draw: every key that is not a val_ twin, nor "lr". */
static int base_keys(const nr_history *h, const char **keys) {
    int n = 0;
    for (int i = 0; i < nr_history_n_keys(h); i++) {
        const char *k = nr_history_key(h, i);
        if (strncmp(k, "val_", 4) != 0 && strcmp(k, "lr") != 0 && strcmp(k, "learning_rate") != 0) keys[n++] = k;
    }
    return n;
}

static nr_status panel(const nr_history *h, nr_axes *ax, const char *key, const double *epochs) {
    char val[64];
    snprintf(val, sizeof val, "val_%s", key);
    const double *v = nr_history_values(h, val);
    int n = nr_history_n_epochs(h);
    NR_TRY(nr_axes_line(ax, epochs, nr_history_values(h, key), n,
                        &(nr_line_opts){.label = "training", .color = "C0", .markers = n <= 30}));
    if (v) NR_TRY(nr_axes_line(ax, epochs, v, n, &(nr_line_opts){.label = "validation", .color = "C1", .markers = n <= 30}));
    NR_TRY(nr_axes_set_title(ax, key));
    return nr_axes_set_labels(ax, "epoch", key);
}

nr_status nr_history_plot(const nr_history *h, const char *path) {
    const char *keys[NR_MAX_LOGS];
    int k = base_keys(h, keys), n = nr_history_n_epochs(h);
    if (!k || !n) return nr_error(NR_STATUS_BAD_ARGUMENT, "the History has no epochs or no figures to draw");
    double *epochs = nr_malloc((size_t)n * sizeof *epochs);
    if (!epochs) return NR_NOMEM();
    for (int e = 0; e < n; e++) epochs[e] = nr_history_epochs(h)[e] + 1; /* Keras counts epochs from 1 */
    int cols = k < 2 ? 1 : 2, rows = (k + cols - 1) / cols;
    nr_figure *f = NULL;
    nr_status s = nr_figure_new(&(nr_figure_opts){.width = 560 * cols, .height = 400 * rows, .rows = rows, .cols = cols,
                                                  .title = "Learning curves"}, &f);
    for (int i = 0; s == NR_OK && i < k; i++) s = panel(h, nr_figure_axes(f, i), keys[i], epochs);
    if (s == NR_OK) s = nr_figure_save(f, path);
    nr_figure_free(f);
    nr_free(epochs);
    return s;
}
