/* Activation layers: Activation(fn), ReLU, LeakyReLU and Softmax. */
#include <string.h>
#include "layers/layer.h"

static nr_status apply(nr_layer *l, nr_sym x, nr_activation fn, float alpha, nr_sym *out) {
    NR_TRY(nr_layer_add_activation(l, x, fn, alpha, out));
    if (*out != x) return NR_OK;
    /* linear: an explicit node keeps one node per layer call. */
    const nr_node *n = &l->g->nodes[x];
    return nr_layer_add_op(l, NR_OP_COPY, &x, 1, n->ndim, n->shape, NULL, out);
}

static nr_status act_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    return apply(l, in[0], l->o.act.activation, l->o.act.alpha, out);
}

static void act_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "\"%s\", ", nr_activation_name(l->o.act.activation));
    nr_layer_config_common(l, sb);
}

static const nr_layer_class act_class = {"Activation", "activation", 1, 1, act_call, act_config, nr_layer_mask_keep};

nr_status nr_activation_layer(nr_graph *g, const nr_activation_opts *o, nr_layer **out) {
    *out = NULL;
    if ((unsigned)o->activation >= NR_ACT_COUNT_)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Activation: activation %d is not valid", (int)o->activation);
    NR_TRY(nr_layer_create(g, &act_class, &o->base, out));
    (*out)->o.act = *o;
    (*out)->o.act.base.name = NULL;
    return NR_OK;
}

static nr_status leaky_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    float slope = l->o.leaky.negative_slope;
    return apply(l, in[0], NR_ACT_LEAKY_RELU, slope == 0 ? 0.3f : slope, out);
}

static void leaky_config(const nr_layer *l, nr_strbuf *sb) {
    if (l->o.leaky.negative_slope != 0) nr_strbuf_printf(sb, "negative_slope=%.9g, ", l->o.leaky.negative_slope);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class leaky_class = {"LeakyReLU", "leaky_re_lu", 1, 1, leaky_call, leaky_config,
                                           nr_layer_mask_keep};

nr_status nr_leaky_relu(nr_graph *g, const nr_leaky_relu_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->negative_slope < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "LeakyReLU: negative_slope must be >= 0, got %g", o->negative_slope);
    NR_TRY(nr_layer_create(g, &leaky_class, &o->base, out));
    (*out)->o.leaky = *o;
    (*out)->o.leaky.base.name = NULL;
    return NR_OK;
}

/* Keras ReLU(max_value, negative_slope, threshold): the combinations that
 * map onto one activation kernel. */
static nr_status relu_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_relu_opts *o = &l->o.relu;
    if (o->threshold == 0 && o->max_value == 0) {
        if (o->negative_slope == 0) return apply(l, in[0], NR_ACT_RELU, 0, out);
        return apply(l, in[0], NR_ACT_LEAKY_RELU, o->negative_slope, out);
    }
    if (o->threshold == 0 && o->negative_slope == 0 && o->max_value == 6) return apply(l, in[0], NR_ACT_RELU6, 0, out);
    return nr_error(NR_STATUS_UNSUPPORTED,
                    "layer \"%s\" (ReLU): max_value=%g with negative_slope=%g, threshold=%g is not supported yet; "
                    "supported: ReLU(), ReLU(negative_slope=a), ReLU(max_value=6)",
                    l->name, o->max_value, o->negative_slope, o->threshold);
}

static void relu_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_relu_opts *o = &l->o.relu;
    if (o->max_value != 0) nr_strbuf_printf(sb, "max_value=%.9g, ", o->max_value);
    if (o->negative_slope != 0) nr_strbuf_printf(sb, "negative_slope=%.9g, ", o->negative_slope);
    if (o->threshold != 0) nr_strbuf_printf(sb, "threshold=%.9g, ", o->threshold);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class relu_class = {"ReLU", "re_lu", 1, 1, relu_call, relu_config, nr_layer_mask_keep};

nr_status nr_relu(nr_graph *g, const nr_relu_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->max_value < 0 || o->negative_slope < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "ReLU: max_value and negative_slope must be >= 0");
    NR_TRY(nr_layer_create(g, &relu_class, &o->base, out));
    (*out)->o.relu = *o;
    (*out)->o.relu.base.name = NULL;
    return NR_OK;
}

static nr_status softmax_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    return apply(l, in[0], NR_ACT_SOFTMAX, 0, out);
}

static void softmax_config(const nr_layer *l, nr_strbuf *sb) { nr_layer_config_common(l, sb); }

static const nr_layer_class softmax_class = {"Softmax", "softmax", 1, 1, softmax_call, softmax_config,
                                             nr_layer_mask_keep};

nr_status nr_softmax(nr_graph *g, const nr_softmax_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->axis != 0 && o->axis != -1)
        return nr_error(NR_STATUS_UNSUPPORTED, "Softmax: only axis=-1 is supported, got axis=%d", o->axis);
    NR_TRY(nr_layer_create(g, &softmax_class, &o->base, out));
    (*out)->o.softmax = *o;
    (*out)->o.softmax.base.name = NULL;
    return NR_OK;
}
