/* Dropout: inverted dropout, active only while training. */
#include "layers/layer.h"

static nr_status dropout_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    const nr_dropout_opts *o = &l->o.dropout;
    nr_op_attrs a = {.dropout = {o->rate, nr_layer_op_seed(l, o->has_seed, o->seed)}};
    return nr_layer_add_op(l, NR_OP_DROPOUT, in, 1, x->ndim, x->shape, &a, out);
}

static void dropout_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "%.9g, ", l->o.dropout.rate);
    if (l->o.dropout.has_seed) nr_strbuf_printf(sb, "seed=%llu, ", (unsigned long long)l->o.dropout.seed);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class dropout_class = {"Dropout", "dropout", 1, 1, dropout_call, dropout_config,
                                             nr_layer_mask_keep};

nr_status nr_dropout(nr_graph *g, const nr_dropout_opts *o, nr_layer **out) {
    *out = NULL;
    if (!(o->rate >= 0 && o->rate < 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Dropout: rate must be in [0, 1), got %g", o->rate);
    NR_TRY(nr_layer_create(g, &dropout_class, &o->base, out));
    (*out)->o.dropout = *o;
    (*out)->o.dropout.base.name = NULL;
    return NR_OK;
}
