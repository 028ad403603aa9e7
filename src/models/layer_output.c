/* A layer's output tensor in a model, for shape checks against Keras's
 * layer.output. */
#include "models/model_internal.h"

nr_status nr_model_layer_output(const nr_model *m, int i, nr_sym *out) {
    if (m->n_in == 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\" has no input shape yet: its layers have no output",
                        m->name);
    if (i < 0 || i >= m->n_calls)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\": layer %d out of range (it has %d)", m->name, i,
                        m->n_calls);
    *out = m->g->calls[m->calls[i]].out;
    return NR_OK;
}
