/* DepthwiseConv2D and SeparableConv2D: channels-last depthwise
 * convolutions with Keras's shapes, defaults, weight order and
 * TensorFlow's "same" padding.
 *
 * SeparableConv2D is DWCONV2D without bias followed by its 1x1 pointwise
 * convolution, which is LINEAR on the last axis: the Keras pointwise
 * kernel (1, 1, C*M, filters) is laid out as a (C*M, filters) Dense
 * kernel, and one GEMM over every pixel of the batch beats a per-image
 * 1x1 convolution. */
#include "layers/conv_geom.h"

/* The depthwise geometry both layers share. */
typedef struct dw_args {
    const int *kernel_size, *strides, *dilation_rate;
    nr_padding padding;
    int depth_multiplier;
} dw_args;

/* Adds the DWCONV2D node on x with the layer's depthwise kernel (weight
 * 0) and bias (NR_SYM_NONE for none). */
static nr_status add_depthwise(nr_layer *l, const dw_args *o, nr_sym x, nr_sym bias, nr_sym *out) {
    const nr_node *xn = &l->g->nodes[x];
    int k[2], s[2], d[2];
    nr_conv_pairs(o->kernel_size, o->strides, o->dilation_rate, k, s, d);
    nr_op_attrs a = {0};
    int64_t ho = 0, wo = 0;
    NR_TRY(nr_conv_window(l, xn, k, s, d, o->padding, &a, &ho, &wo));
    NR_TRY(nr_conv_check_channels(l, xn, l->g->nodes[l->weights[0]].shape[2]));
    int64_t shape[4] = {-1, ho, wo, xn->shape[3] * (o->depth_multiplier ? o->depth_multiplier : 1)};
    nr_sym ops[3] = {x, l->weights[0], bias};
    return nr_layer_add_op(l, NR_OP_DWCONV2D, ops, bias == NR_SYM_NONE ? 2 : 3, 4, shape, &a, out);
}

/* Channels of x, or an error when x is not an image. */
static nr_status image_channels(const nr_layer *l, nr_sym x, int64_t *C) {
    const nr_node *n = &l->g->nodes[x];
    char buf[96];
    if (n->ndim != 4)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) needs input (batch, height, width, channels), got shape %s",
                        l->name, l->cls->type, nr_node_shape_str(n, buf, sizeof buf));
    *C = n->shape[3];
    return NR_OK;
}

static nr_status check_common(const char *type, const dw_args *o, nr_activation act) {
    int k[2], s[2], d[2];
    nr_conv_pairs(o->kernel_size, o->strides, o->dilation_rate, k, s, d);
    if (o->depth_multiplier < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: depth_multiplier must be a positive integer, got %d", type,
                        o->depth_multiplier);
    return nr_conv_check_args(type, 2, k, s, d, o->padding, NR_PADDING_SAME, act);
}

/* The SPEC text both layers start with (after SeparableConv2D's filters):
 * kernel_size, the window, depth_multiplier, activation and use_bias. */
static void config_head(nr_strbuf *sb, const dw_args *o, nr_activation act, int no_bias) {
    int k[2];
    nr_conv_pair(o->kernel_size, 0, k);
    nr_strbuf_printf(sb, "(%d, %d)", k[0], k[1]);
    nr_conv_config_window(sb, o->strides, o->padding, o->dilation_rate);
    if (o->depth_multiplier > 1) nr_strbuf_printf(sb, ", depth_multiplier=%d", o->depth_multiplier);
    if (act != NR_ACT_LINEAR) nr_strbuf_printf(sb, ", activation=\"%s\"", nr_activation_name(act));
    if (no_bias) nr_strbuf_printf(sb, ", use_bias=False");
}

/* --- DepthwiseConv2D ------------------------------------------------------ */

static dw_args dw_of(const nr_depthwise_conv2d_opts *o) {
    return (dw_args){o->kernel_size, o->strides, o->dilation_rate, o->padding, o->depth_multiplier};
}

static nr_status dw_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_depthwise_conv2d_opts *o = &l->o.dwconv2d;
    dw_args da = dw_of(o);
    int64_t C = 0;
    NR_TRY(image_channels(l, in[0], &C));
    if (!l->built) {
        int k[2];
        nr_conv_pair(o->kernel_size, 0, k);
        int64_t M = o->depth_multiplier ? o->depth_multiplier : 1, kshape[4] = {k[0], k[1], C, M};
        NR_TRY(nr_layer_add_kernel_bias(l, 4, kshape, C * M, o->no_bias, &o->depthwise_initializer,
                                        &o->bias_initializer, o->depthwise_regularizer, o->bias_regularizer));
    }
    nr_sym y;
    NR_TRY(add_depthwise(l, &da, in[0], l->n_weights > 1 ? l->weights[1] : NR_SYM_NONE, &y));
    NR_TRY(nr_layer_add_activation(l, y, o->activation, o->activation_alpha, out));
    return nr_layer_add_activity_penalty(l, *out, o->activity_regularizer);
}

static void dw_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_depthwise_conv2d_opts *o = &l->o.dwconv2d;
    dw_args da = dw_of(o);
    config_head(sb, &da, o->activation, o->no_bias);
    nr_layer_config_init(sb, "depthwise_initializer", &o->depthwise_initializer);
    nr_layer_config_init(sb, "bias_initializer", &o->bias_initializer);
    nr_layer_config_reg(sb, "depthwise_regularizer", o->depthwise_regularizer);
    nr_layer_config_reg(sb, "bias_regularizer", o->bias_regularizer);
    nr_layer_config_reg(sb, "activity_regularizer", o->activity_regularizer);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class dw_class = {"DepthwiseConv2D", "depthwise_conv2d", 1, 1, dw_call, dw_config, NULL};

nr_status nr_depthwise_conv2d(nr_graph *g, const nr_depthwise_conv2d_opts *o, nr_layer **out) {
    *out = NULL;
    dw_args da = dw_of(o);
    NR_TRY(check_common("DepthwiseConv2D", &da, o->activation));
    NR_TRY(nr_layer_create(g, &dw_class, &o->base, out));
    (*out)->o.dwconv2d = *o;
    (*out)->o.dwconv2d.base.name = NULL;
    return NR_OK;
}

/* --- SeparableConv2D ------------------------------------------------------ */

static dw_args sep_of(const nr_separable_conv2d_opts *o) {
    return (dw_args){o->kernel_size, o->strides, o->dilation_rate, o->padding, o->depth_multiplier};
}

/* depthwise_kernel, pointwise_kernel, bias: Keras's order. */
static nr_status sep_build(nr_layer *l, int64_t C) {
    const nr_separable_conv2d_opts *o = &l->o.sepconv2d;
    int k[2];
    nr_conv_pair(o->kernel_size, 0, k);
    int64_t M = o->depth_multiplier ? o->depth_multiplier : 1, F = o->filters;
    int64_t dshape[4] = {k[0], k[1], C, M}, pshape[4] = {1, 1, C * M, F};
    NR_TRY(nr_graph_add_param(l->g, l, 4, dshape, &o->depthwise_initializer, NR_INIT_GLOROT_UNIFORM,
                              o->depthwise_regularizer, &l->weights[0]));
    NR_TRY(nr_graph_add_param(l->g, l, 4, pshape, &o->pointwise_initializer, NR_INIT_GLOROT_UNIFORM,
                              o->pointwise_regularizer, &l->weights[1]));
    l->n_weights = 2;
    if (!o->no_bias) {
        NR_TRY(nr_graph_add_param(l->g, l, 1, &F, &o->bias_initializer, NR_INIT_ZEROS, o->bias_regularizer,
                                  &l->weights[2]));
        l->n_weights = 3;
    }
    l->built = 1;
    return NR_OK;
}

static nr_status sep_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_separable_conv2d_opts *o = &l->o.sepconv2d;
    dw_args da = sep_of(o);
    int64_t C = 0;
    NR_TRY(image_channels(l, in[0], &C));
    if (!l->built) NR_TRY(sep_build(l, C));
    nr_sym dw, pw;
    NR_TRY(add_depthwise(l, &da, in[0], NR_SYM_NONE, &dw));
    const nr_node *dn = &l->g->nodes[dw];
    int64_t shape[4] = {-1, dn->shape[1], dn->shape[2], o->filters};
    nr_sym ops[3] = {dw, l->weights[1], l->weights[2]};
    NR_TRY(nr_layer_add_op(l, NR_OP_LINEAR, ops, l->n_weights, 4, shape, NULL, &pw));
    NR_TRY(nr_layer_add_activation(l, pw, o->activation, o->activation_alpha, out));
    return nr_layer_add_activity_penalty(l, *out, o->activity_regularizer);
}

static void sep_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_separable_conv2d_opts *o = &l->o.sepconv2d;
    dw_args da = sep_of(o);
    nr_strbuf_printf(sb, "%d, ", o->filters);
    config_head(sb, &da, o->activation, o->no_bias);
    nr_layer_config_init(sb, "depthwise_initializer", &o->depthwise_initializer);
    nr_layer_config_init(sb, "pointwise_initializer", &o->pointwise_initializer);
    nr_layer_config_init(sb, "bias_initializer", &o->bias_initializer);
    nr_layer_config_reg(sb, "depthwise_regularizer", o->depthwise_regularizer);
    nr_layer_config_reg(sb, "pointwise_regularizer", o->pointwise_regularizer);
    nr_layer_config_reg(sb, "bias_regularizer", o->bias_regularizer);
    nr_layer_config_reg(sb, "activity_regularizer", o->activity_regularizer);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class sep_class = {"SeparableConv2D", "separable_conv2d", 1, 1, sep_call, sep_config, NULL};

nr_status nr_separable_conv2d(nr_graph *g, const nr_separable_conv2d_opts *o, nr_layer **out) {
    *out = NULL;
    dw_args da = sep_of(o);
    NR_TRY(nr_conv_check_filters("SeparableConv2D", o->filters));
    NR_TRY(check_common("SeparableConv2D", &da, o->activation));
    NR_TRY(nr_layer_create(g, &sep_class, &o->base, out));
    (*out)->o.sepconv2d = *o;
    (*out)->o.sepconv2d.base.name = NULL;
    return NR_OK;
}
