/* Weights for an application from a file, matched by layer name: the one
 * door through which builders and SPEC's weights="path" load weights.
 * It reads neurona model files (sections "weights/LAYER/I", see
 * io/model_file.h) and Keras weight or model files (neurona/keras.h). */
#include <string.h>
#include "apps/app.h"
#include "neurona/keras.h"
#include "io/nrfile.h"
#include "models/model_internal.h"

/* 1 when path ends with ext. */
static int ends_with(const char *path, const char *ext) {
    size_t n = strlen(path), k = strlen(ext);
    return n >= k && !strcmp(path + n - k, ext);
}

/* Checks (copy 0) or copies (copy 1) the weights of layer l. */
static nr_status layer_weights(const nr_nrfile *f, nr_layer *l, int copy) {
    nr_graph *g = l->g;
    for (int k = 0; k < l->n_weights; k++) {
        const nr_node *n = &g->nodes[l->weights[k]];
        char name[128], a[96], b[96];
        nr_nrfile_section sec;
        snprintf(name, sizeof name, "weights/%s/%d", l->name, k);
        if (nr_nrfile_find_kind(f, name, NR_NRFILE_KIND_TENSOR, &sec) != NR_OK)
            return nr_error(NR_STATUS_BAD_FORMAT, "%s: no weight %d for layer \"%s\" (%s) of the model",
                            nr_nrfile_label(f), k, l->name, l->cls->type);
        int same = sec.ndim == n->ndim;
        for (int d = 0; same && d < n->ndim; d++) same = sec.shape[d] == n->shape[d];
        if (!same)
            return nr_error(NR_STATUS_BAD_SHAPE, "%s: weight %d of layer \"%s\" (%s) has shape %s in the file, the "
                            "model needs %s", nr_nrfile_label(f), k, l->name, l->cls->type,
                            nr_shape_str(a, sizeof a, sec.ndim, sec.shape), nr_shape_str(b, sizeof b, n->ndim, n->shape));
        if (copy) memcpy(g->params + n->param_off, sec.data, sec.size);
    }
    return NR_OK;
}

static nr_status model_weights(const nr_nrfile *f, const nr_model *m, int copy, int depth) {
    if (depth > 16) return nr_error(NR_STATUS_UNSUPPORTED, "model \"%s\": models nested too deeply", m->name);
    for (int i = 0; i < nr_model_n_layers(m); i++) {
        nr_layer *l = nr_model_layer(m, i);
        if (l->model)
            NR_TRY(model_weights(f, l->model, copy, depth + 1));
        else
            NR_TRY(layer_weights(f, l->inner ? l->inner : l, copy));
    }
    return NR_OK;
}

nr_status nr_app_load_weights(nr_model *m, const char *path) {
    if (!m || !path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_app_load_weights: NULL argument");
    /* Keras's published application weights are legacy .h5 files whose
     * layers carry the names the builders give. */
    if (ends_with(path, ".h5") || ends_with(path, ".keras"))
        return nr_model_load_weights(m, path, &(nr_load_weights_opts){.by_name = 1});
    nr_nrfile *f = NULL;
    NR_TRY(nr_nrfile_open(path, &f));
    nr_status s = model_weights(f, m, 0, 0);
    if (s == NR_OK) s = model_weights(f, m, 1, 0);
    nr_nrfile_close(f);
    return s;
}
