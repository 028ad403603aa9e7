/* Masking: steps of (N, T, ..., F) whose F values all equal mask_value are
 * masked for the layers downstream and zeroed in the output, as Keras 3
 * does (outputs = inputs * mask). */
#include "layers/layer.h"

static nr_status masking_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    if (x->ndim < 2) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (Masking) needs an input of rank >= 2, got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    }
    nr_op_attrs a = {.mask = {NR_MASK_NOT_EQUAL, l->o.masking.mask_value}};
    nr_sym m;
    NR_TRY(nr_layer_add_op(l, NR_OP_MASK, in, 1, x->ndim - 1, x->shape, &a, &m));
    x = &l->g->nodes[in[0]];
    nr_sym ops[2] = {in[0], m};
    return nr_layer_add_op(l, NR_OP_MASK_MUL, ops, 2, x->ndim, x->shape, NULL, out);
}

/* The mask the output was made with (its MASK_MUL's second input). */
static nr_status masking_mask(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out,
                              nr_sym *mask) {
    (void)in, (void)masks, (void)n_in;
    *mask = l->g->nodes[out].in[1];
    return NR_OK;
}

static void masking_config(const nr_layer *l, nr_strbuf *sb) {
    if (l->o.masking.mask_value != 0) nr_strbuf_printf(sb, "mask_value=%.9g, ", l->o.masking.mask_value);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class masking_class = {"Masking", "masking", 1, 1, masking_call, masking_config, masking_mask};

nr_status nr_masking(nr_graph *g, const nr_masking_opts *o, nr_layer **out) {
    *out = NULL;
    nr_masking_opts zero = {0};
    if (!o) o = &zero;
    NR_TRY(nr_layer_create(g, &masking_class, &o->base, out));
    (*out)->o.masking = *o;
    (*out)->o.masking.base.name = NULL;
    return NR_OK;
}
