/* model.trainable = flag, as Keras sets it: on the model (as a layer) and
 * on every layer inside, nested models included; and fine-tuning's
 * unfreezing of a model's top from a named layer on. */
#include <string.h>
#include "core/suggest.h"
#include "models/model_internal.h"

static void set_trainable(nr_model *m, int on, int depth) {
    if (m->as_layer) nr_layer_set_trainable(m->as_layer, on);
    for (int i = 0; i < nr_model_n_layers(m); i++) {
        nr_layer *l = nr_model_layer(m, i);
        nr_layer_set_trainable(l, on);
        if (l->model && depth < 16) set_trainable(l->model, on, depth + 1);
    }
}

void nr_model_set_trainable(nr_model *m, int trainable) { set_trainable(m, trainable != 0, 0); }

static nr_status unknown_layer(const nr_model *m, const char *name) {
    int n = nr_model_n_layers(m);
    const char **names = nr_malloc(((size_t)n + 1) * sizeof *names);
    if (!names) return NR_NOMEM();
    for (int i = 0; i < n; i++) names[i] = nr_model_layer(m, i)->name;
    char hint[256];
    nr_status s = nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\" has no layer \"%s\"; %s", m->name, name,
                           nr_suggest(name, names, n, hint, sizeof hint));
    nr_free(names);
    return s;
}

nr_status nr_model_set_trainable_from(nr_model *m, const char *name, int *n_trainable) {
    if (!m || !name) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_model_set_trainable_from: NULL argument");
    int n = nr_model_n_layers(m), from = 0;
    while (from < n && strcmp(nr_model_layer(m, from)->name, name) != 0) from++;
    if (from == n) return unknown_layer(m, name);
    if (m->as_layer) nr_layer_set_trainable(m->as_layer, 1);
    for (int i = 0; i < n; i++) {
        nr_layer *l = nr_model_layer(m, i);
        if (l->model)
            set_trainable(l->model, i >= from, 1);
        else
            nr_layer_set_trainable(l, i >= from);
    }
    if (n_trainable) *n_trainable = n - from;
    return NR_OK;
}
