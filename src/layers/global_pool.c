/* GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D: one value per
 * channel over all steps or pixels, (N, C), or (N, 1, C) / (N, 1, 1, C)
 * with keepdims, as Keras shapes them. */
#include "layers/layer.h"

/* What each class pools over: its input rank and op. */
typedef struct global_kind {
    nr_layer_class cls;
    int ndim;
    nr_op_kind op;
    const char *layout;
} global_kind;

static nr_status global_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out);
static void global_config(const nr_layer *l, nr_strbuf *sb);

static const global_kind kinds[4] = {
    {{"GlobalAveragePooling1D", "global_average_pooling1d", 1, 1, global_call, global_config, NULL}, 3,
     NR_OP_GLOBAL_AVGPOOL, "(batch, steps, channels)"},
    {{"GlobalAveragePooling2D", "global_average_pooling2d", 1, 1, global_call, global_config, NULL}, 4,
     NR_OP_GLOBAL_AVGPOOL, "(batch, height, width, channels)"},
    {{"GlobalMaxPooling1D", "global_max_pooling1d", 1, 1, global_call, global_config, NULL}, 3, NR_OP_GLOBAL_MAXPOOL,
     "(batch, steps, channels)"},
    {{"GlobalMaxPooling2D", "global_max_pooling2d", 1, 1, global_call, global_config, NULL}, 4, NR_OP_GLOBAL_MAXPOOL,
     "(batch, height, width, channels)"},
};

/* A layer's class is the first member of its global_kind. */
static const global_kind *kind_of(const nr_layer *l) { return (const global_kind *)l->cls; }

static nr_status global_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const global_kind *k = kind_of(l);
    const nr_node *x = &l->g->nodes[in[0]];
    if (x->ndim != k->ndim) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) needs input %s, got shape %s", l->name, k->cls.type,
                        k->layout, nr_node_shape_str(x, buf, sizeof buf));
    }
    int64_t shape[4] = {-1, 1, 1, 1};
    int ndim = l->o.global_pool.keepdims ? k->ndim : 2;
    shape[ndim - 1] = x->shape[x->ndim - 1];
    /* Keras 3's GlobalAveragePooling1D averages over the unmasked steps. */
    nr_sym mask = nr_graph_mask(l->g, in[0]), ops[2] = {in[0], mask};
    if (k->ndim == 3 && k->op == NR_OP_GLOBAL_AVGPOOL && mask != NR_SYM_NONE && l->g->nodes[mask].ndim == 2)
        return nr_layer_add_op(l, NR_OP_MASKED_AVGPOOL, ops, 2, ndim, shape, NULL, out);
    return nr_layer_add_op(l, k->op, in, 1, ndim, shape, NULL, out);
}

static void global_config(const nr_layer *l, nr_strbuf *sb) {
    if (l->o.global_pool.keepdims) nr_strbuf_printf(sb, "keepdims=True, ");
    nr_layer_config_common(l, sb);
}

static nr_status global_new(nr_graph *g, int kind, const nr_global_pool_opts *o, nr_layer **out) {
    *out = NULL;
    nr_global_pool_opts zero = {0};
    if (!o) o = &zero;
    NR_TRY(nr_layer_create(g, &kinds[kind].cls, &o->base, out));
    (*out)->o.global_pool = *o;
    (*out)->o.global_pool.keepdims = o->keepdims != 0;
    (*out)->o.global_pool.base.name = NULL;
    return NR_OK;
}

nr_status nr_global_average_pooling1d(nr_graph *g, const nr_global_pool_opts *o, nr_layer **out) {
    return global_new(g, 0, o, out);
}
nr_status nr_global_average_pooling2d(nr_graph *g, const nr_global_pool_opts *o, nr_layer **out) {
    return global_new(g, 1, o, out);
}
nr_status nr_global_max_pooling1d(nr_graph *g, const nr_global_pool_opts *o, nr_layer **out) {
    return global_new(g, 2, o, out);
}
nr_status nr_global_max_pooling2d(nr_graph *g, const nr_global_pool_opts *o, nr_layer **out) {
    return global_new(g, 3, o, out);
}
