/* Dense: y = activation(x W + b) on the last axis, W of shape (in, units)
 * as Keras stores it; glorot_uniform kernel and zero bias by default. */
#include <string.h>
#include "layers/layer.h"

static nr_status dense_build(nr_layer *l, int64_t in_dim) {
    const nr_dense_opts *o = &l->o.dense;
    int64_t kshape[2] = {in_dim, o->units};
    return nr_layer_add_kernel_bias(l, 2, kshape, o->units, o->no_bias, &o->kernel_initializer,
                                    &o->bias_initializer, o->kernel_regularizer, o->bias_regularizer);
}

static nr_status dense_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    char buf[96];
    if (x->ndim < 2)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (Dense) needs an input of rank >= 2, got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    int64_t in_dim = x->shape[x->ndim - 1];
    if (!l->built) {
        NR_TRY(dense_build(l, in_dim));
        x = &l->g->nodes[in[0]]; /* adding the weights may have moved the node array */
    }
    int64_t want = l->g->nodes[l->weights[0]].shape[0];
    if (in_dim != want)
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "layer \"%s\" (Dense) expects the last axis of its input to be %lld, got shape %s", l->name,
                        (long long)want, nr_node_shape_str(x, buf, sizeof buf));
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = l->o.dense.units;
    nr_sym ops[3] = {in[0], l->weights[0], l->weights[1]};
    nr_sym lin, act;
    NR_TRY(nr_layer_add_op(l, NR_OP_LINEAR, ops, 1 + l->n_weights, x->ndim, shape, NULL, &lin));
    NR_TRY(nr_layer_add_activation(l, lin, l->o.dense.activation, l->o.dense.activation_alpha, &act));
    NR_TRY(nr_layer_add_activity_penalty(l, act, l->o.dense.activity_regularizer));
    *out = act;
    return NR_OK;
}

static void dense_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_dense_opts *o = &l->o.dense;
    nr_strbuf_printf(sb, "%d", o->units);
    if (o->activation != NR_ACT_LINEAR) nr_strbuf_printf(sb, ", activation=\"%s\"", nr_activation_name(o->activation));
    nr_layer_config_weights(sb, o->no_bias, &o->kernel_initializer, &o->bias_initializer, o->kernel_regularizer,
                            o->bias_regularizer, o->activity_regularizer);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class dense_class = {"Dense", "dense", 1, 1, dense_call, dense_config, nr_layer_mask_keep};

nr_status nr_dense(nr_graph *g, const nr_dense_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->units <= 0) return nr_error(NR_STATUS_BAD_ARGUMENT, "Dense: units must be a positive integer, got %d", o->units);
    if ((unsigned)o->activation >= NR_ACT_COUNT_)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Dense: activation %d is not valid", (int)o->activation);
    NR_TRY(nr_layer_create(g, &dense_class, &o->base, out));
    (*out)->o.dense = *o;
    (*out)->o.dense.base.name = NULL;
    return NR_OK;
}
