/* TimeDistributed(layer): the layer applied to every time step of
 * (N, T, ...) with one set of weights.
 *
 * Keras 3 calls the layer once per step and stacks the results. Here time
 * is folded into the batch instead: a COPY node views x as (N T, ...) (the
 * same memory; the node's fold = T makes every kernel downstream see a
 * batch of N T), the layer runs once on it, and a second COPY views its
 * result as (N, T, ...'). One call of each kernel instead of T, and the
 * same numbers for layers that treat samples independently. Layers that
 * act on the last axis alone (Dense, activations, dropout) take (N, T, ...)
 * as it is, which is the same again without the two copies. */
#include <string.h>
#include "layers/layer.h"

/* Types whose call already maps (N, T, ..., F) step by step. */
static const char *const last_axis_types[] = {"Dense", "Activation", "ReLU", "LeakyReLU", "Softmax", "Dropout",
                                              "GaussianNoise"};

static int acts_on_last_axis(const nr_layer *inner) {
    for (size_t i = 0; i < sizeof last_axis_types / sizeof *last_axis_types; i++)
        if (!strcmp(inner->cls->type, last_axis_types[i])) return 1;
    return 0;
}

/* A COPY of x viewed with shape (-1, dims...), fold rows per sample. */
static nr_status view(nr_graph *g, nr_sym x, int ndim, const int64_t *dims, int64_t fold, nr_sym *out) {
    nr_node n = {.op = NR_OP_COPY, .n_in = 1, .in = {x}, .ndim = ndim, .batched = 1, .fold = fold};
    n.shape[0] = -1;
    for (int i = 1; i < ndim; i++) n.shape[i] = dims[i - 1];
    return nr_graph_add_node(g, &n, out);
}

static nr_status td_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    nr_layer *inner = l->inner;
    nr_graph *g = l->g;
    const nr_node *x = &g->nodes[in[0]];
    char buf[96];
    if (x->ndim < 3)
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "layer \"%s\" (TimeDistributed) needs an input (batch, time, ...) of rank >= 3, got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    l->built = 1;
    if (acts_on_last_axis(inner)) return inner->cls->call(inner, in, 1, out);
    int64_t T = x->shape[1], outer = x->fold > 1 ? x->fold : 1, step[NR_MAX_DIMS];
    memcpy(step, x->shape + 2, (size_t)(x->ndim - 2) * sizeof *step);
    nr_sym folded, y;
    NR_TRY(view(g, in[0], x->ndim - 1, step, outer * T, &folded));
    NR_TRY(inner->cls->call(inner, &folded, 1, &y));
    const nr_node *yn = &g->nodes[y];
    if (!yn->batched || yn->fold != outer * T || yn->ndim + 1 > NR_MAX_DIMS)
        return nr_error(NR_STATUS_UNSUPPORTED, "layer \"%s\" (TimeDistributed): %s \"%s\" gives per-step output %s, "
                        "which cannot be stacked over the time axis", l->name, inner->cls->type, inner->name,
                        nr_node_shape_str(yn, buf, sizeof buf));
    int64_t dims[NR_MAX_DIMS];
    dims[0] = T;
    memcpy(dims + 1, yn->shape + 1, (size_t)(yn->ndim - 1) * sizeof *dims);
    return view(g, y, yn->ndim + 1, dims, outer, out);
}

static void td_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "%s(", l->inner->cls->type);
    l->inner->cls->config(l->inner, sb);
    nr_strbuf_printf(sb, "), ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class td_class = {"TimeDistributed", "time_distributed", 1, 1, td_call, td_config,
                                        nr_layer_mask_keep};

nr_status nr_time_distributed(nr_graph *g, const nr_time_distributed_opts *o, nr_layer **out) {
    *out = NULL;
    const nr_layer *inner = o->layer;
    if (!inner || inner->g != g)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "TimeDistributed: layer must be a layer of this graph");
    if (inner->model || inner->cls->min_inputs != 1 || inner->cls == &nr_input_class)
        return nr_error(NR_STATUS_UNSUPPORTED,
                        "TimeDistributed: layer \"%s\" (%s) cannot be wrapped; wrap a layer that takes one input",
                        inner->name, inner->cls->type);
    NR_TRY(nr_layer_create(g, &td_class, &o->base, out));
    (*out)->o.time_distributed = *o;
    (*out)->o.time_distributed.base.name = NULL;
    (*out)->inner = o->layer;
    if (o->base.frozen) nr_layer_set_trainable(*out, 0);
    return NR_OK;
}
