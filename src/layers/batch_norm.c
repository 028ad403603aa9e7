/* BatchNormalization, Keras 3's layer over the last axis. Its weights are
 * gamma, beta (trainable) and moving_mean, moving_variance (non-trainable
 * state in the parameter buffer); the op (ops/batchnorm.c) switches
 * between batch and moving statistics, and compile marks the op frozen
 * when the layer is not trainable, which Keras runs in inference mode. */
#include "layers/layer.h"

static float momentum_of(const nr_batch_norm_opts *o) { return nr_layer_default(o->momentum, 0.99f); }
static float epsilon_of(const nr_batch_norm_opts *o) { return nr_layer_default(o->epsilon, 1e-3f); }

/* gamma, beta, moving_mean, moving_variance, as Keras orders them. */
static nr_status bn_build(nr_layer *l, int64_t C) {
    const nr_batch_norm_opts *o = &l->o.batch_norm;
    nr_graph *g = l->g;
    l->n_weights = 0;
    if (!o->no_scale)
        NR_TRY(nr_graph_add_param(g, l, 1, &C, &o->gamma_initializer, NR_INIT_ONES, o->gamma_regularizer,
                                  &l->weights[l->n_weights++]));
    if (!o->no_center)
        NR_TRY(nr_graph_add_param(g, l, 1, &C, &o->beta_initializer, NR_INIT_ZEROS, o->beta_regularizer,
                                  &l->weights[l->n_weights++]));
    NR_TRY(nr_graph_add_state(g, l, 1, &C, &o->moving_mean_initializer, NR_INIT_ZEROS, &l->weights[l->n_weights++]));
    NR_TRY(nr_graph_add_state(g, l, 1, &C, &o->moving_variance_initializer, NR_INIT_ONES,
                              &l->weights[l->n_weights++]));
    l->built = 1;
    return NR_OK;
}

/* Only the last axis: -1 or its index. */
static nr_status check_input(const nr_layer *l, const nr_node *x) {
    char buf[96];
    int axis = l->o.batch_norm.axis;
    if (x->ndim < 2)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (BatchNormalization) needs input with a feature axis, got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    if (axis != 0 && axis != -1 && axis != x->ndim - 1)
        return nr_error(NR_STATUS_UNSUPPORTED,
                        "layer \"%s\" (BatchNormalization): axis=%d on input %s is not supported; neurona normalizes "
                        "the last axis (axis=-1 or %d), as for channels-last data",
                        l->name, axis, nr_node_shape_str(x, buf, sizeof buf), x->ndim - 1);
    return NR_OK;
}

static nr_status bn_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_batch_norm_opts *o = &l->o.batch_norm;
    const nr_node *x = &l->g->nodes[in[0]];
    NR_TRY(check_input(l, x));
    int64_t C = x->shape[x->ndim - 1];
    if (!l->built) NR_TRY(bn_build(l, C));
    int64_t built_for = l->g->nodes[l->weights[0]].shape[0];
    if (built_for != C) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (BatchNormalization) was built for %lld features, got shape %s",
                        l->name, (long long)built_for, nr_node_shape_str(&l->g->nodes[in[0]], buf, sizeof buf));
    }
    nr_op_attrs a = {.bn = {momentum_of(o), epsilon_of(o), !o->no_scale, !o->no_center, 0}};
    /* The op takes the statistics first: they are the last two weights. */
    int k = l->n_weights;
    nr_sym ops[5] = {in[0], l->weights[k - 2], l->weights[k - 1], l->weights[0], l->weights[1]};
    const nr_node *xn = &l->g->nodes[in[0]];
    return nr_layer_add_op(l, NR_OP_BATCHNORM, ops, 1 + k, xn->ndim, xn->shape, &a, out);
}

static void bn_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_batch_norm_opts *o = &l->o.batch_norm;
    nr_layer_config_common(l, sb);
    if (o->axis != 0 && o->axis != -1) nr_strbuf_printf(sb, ", axis=%d", o->axis);
    if (momentum_of(o) != 0.99f) nr_strbuf_printf(sb, ", momentum=%.9g", momentum_of(o));
    if (epsilon_of(o) != 1e-3f) nr_strbuf_printf(sb, ", epsilon=%.9g", epsilon_of(o));
    if (o->no_center) nr_strbuf_printf(sb, ", center=False");
    if (o->no_scale) nr_strbuf_printf(sb, ", scale=False");
    nr_layer_config_init(sb, "beta_initializer", &o->beta_initializer);
    nr_layer_config_init(sb, "gamma_initializer", &o->gamma_initializer);
    nr_layer_config_init(sb, "moving_mean_initializer", &o->moving_mean_initializer);
    nr_layer_config_init(sb, "moving_variance_initializer", &o->moving_variance_initializer);
    nr_layer_config_reg(sb, "beta_regularizer", o->beta_regularizer);
    nr_layer_config_reg(sb, "gamma_regularizer", o->gamma_regularizer);
}

static const nr_layer_class bn_class = {"BatchNormalization", "batch_normalization", 1, 1, bn_call, bn_config,
                                        nr_layer_mask_keep};

nr_status nr_batch_normalization(nr_graph *g, const nr_batch_norm_opts *o, nr_layer **out) {
    *out = NULL;
    float m = momentum_of(o), e = epsilon_of(o);
    if (!(m >= 0 && m <= 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "BatchNormalization: momentum must be in [0, 1], got %g", m);
    if (!(e >= 0) || e > 1e30f)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "BatchNormalization: epsilon must be a number >= 0, got %g", e);
    NR_TRY(nr_layer_create(g, &bn_class, &o->base, out));
    (*out)->o.batch_norm = *o;
    (*out)->o.batch_norm.base.name = NULL;
    return NR_OK;
}
