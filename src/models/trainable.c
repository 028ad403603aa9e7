/* model.trainable = flag, as Keras sets it: on the model (as a layer) and
 * on every layer inside, nested models included. */
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
