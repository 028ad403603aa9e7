/* Flatten and Reshape: the same data seen with another per-sample shape. */
#include "layers/layer.h"

static nr_status flatten_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    int64_t shape[2] = {-1, nr_node_row(x)};
    return nr_layer_add_op(l, NR_OP_COPY, in, 1, 2, shape, NULL, out);
}

static void flatten_config(const nr_layer *l, nr_strbuf *sb) { nr_layer_config_common(l, sb); }

static const nr_layer_class flatten_class = {"Flatten", "flatten", 1, 1, flatten_call, flatten_config, NULL};

nr_status nr_flatten(nr_graph *g, const nr_layer_base *o, nr_layer **out) {
    *out = NULL;
    nr_layer_base zero = {0};
    NR_TRY(nr_layer_create(g, &flatten_class, o ? o : &zero, out));
    (*out)->o.flatten = o ? *o : zero;
    (*out)->o.flatten.name = NULL;
    return NR_OK;
}

static nr_status reshape_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    const nr_reshape_opts *o = &l->o.reshape;
    int64_t shape[NR_MAX_DIMS] = {-1}, known = 1, row = nr_node_row(x);
    int unknown = -1;
    for (int i = 0; i < o->ndim; i++) {
        shape[i + 1] = o->target_shape[i];
        if (o->target_shape[i] == -1) unknown = i + 1;
        else known *= o->target_shape[i];
    }
    if (unknown > 0 && known > 0 && row % known == 0) shape[unknown] = row / known;
    else if (unknown > 0) known = -1;
    int64_t total = 1;
    for (int i = 1; i <= o->ndim; i++) total *= shape[i];
    if (known < 0 || total != row) {
        char a[96], b[96];
        int64_t ts[NR_MAX_DIMS];
        for (int i = 0; i < o->ndim; i++) ts[i] = o->target_shape[i];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (Reshape): cannot reshape input %s (%lld values per sample) into %s",
                        l->name, nr_node_shape_str(x, a, sizeof a), (long long)row, nr_shape_str(b, sizeof b, o->ndim, ts));
    }
    return nr_layer_add_op(l, NR_OP_COPY, in, 1, o->ndim + 1, shape, NULL, out);
}

static void reshape_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_shape(sb, l->o.reshape.ndim, l->o.reshape.target_shape);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class reshape_class = {"Reshape", "reshape", 1, 1, reshape_call, reshape_config, NULL};

nr_status nr_reshape(nr_graph *g, const nr_reshape_opts *o, nr_layer **out) {
    *out = NULL;
    int unknowns = 0;
    if (o->ndim < 1 || o->ndim > NR_MAX_DIMS - 1)
        return nr_error(NR_STATUS_BAD_SHAPE, "Reshape: target_shape must have 1 to %d dimensions", NR_MAX_DIMS - 1);
    for (int i = 0; i < o->ndim; i++) {
        if (o->target_shape[i] == -1) unknowns++;
        else if (o->target_shape[i] <= 0)
            return nr_error(NR_STATUS_BAD_SHAPE, "Reshape: target_shape entries must be positive or -1");
    }
    if (unknowns > 1) return nr_error(NR_STATUS_BAD_SHAPE, "Reshape: at most one -1 in target_shape");
    NR_TRY(nr_layer_create(g, &reshape_class, &o->base, out));
    (*out)->o.reshape = *o;
    (*out)->o.reshape.base.name = NULL;
    return NR_OK;
}
