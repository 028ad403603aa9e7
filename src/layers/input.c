/* Input: a placeholder fed with data at run time, as a symbolic tensor
 * (functional API) or as an InputLayer object (Sequential). */
#include "layers/layer.h"

static nr_status input_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)in; (void)n_in;
    *out = l->input_sym;
    return NR_OK;
}

static void input_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "shape=");
    nr_strbuf_shape(sb, l->o.input.ndim, l->o.input.shape);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

const nr_layer_class nr_input_class = {"InputLayer", "input_layer", 0, 0, input_call, input_config, NULL};

nr_status nr_input_layer(nr_graph *g, const nr_input_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->ndim < 1 || o->ndim > NR_MAX_DIMS - 1)
        return nr_error(NR_STATUS_BAD_SHAPE, "Input: shape must have 1 to %d dimensions (without the batch), got %d",
                        NR_MAX_DIMS - 1, o->ndim);
    for (int i = 0; i < o->ndim; i++)
        if (o->shape[i] <= 0)
            return nr_error(NR_STATUS_BAD_SHAPE, "Input: dimension %d of shape is %lld; dimensions must be positive",
                            i, (long long)o->shape[i]);
    nr_layer *l;
    NR_TRY(nr_graph_add_layer(g, &nr_input_class, o->name, &l));
    l->o.input = *o;
    l->o.input.name = NULL;
    nr_node n = {.op = NR_OP_INPUT, .ndim = o->ndim + 1, .batched = 1, .layer = l};
    n.shape[0] = -1;
    for (int i = 0; i < o->ndim; i++) n.shape[i + 1] = o->shape[i];
    NR_TRY(nr_graph_add_node(g, &n, &l->input_sym));
    l->built = 1;
    *out = l;
    return NR_OK;
}

nr_status nr_input(nr_graph *g, const nr_input_opts *o, nr_sym *out) {
    *out = NR_SYM_NONE;
    nr_layer *l;
    NR_TRY(nr_input_layer(g, o, &l));
    *out = l->input_sym;
    return NR_OK;
}
