/* Conv2D, MaxPooling2D and AveragePooling2D: channels-last 2-D windows
 * with Keras's shapes, defaults and TensorFlow's "same" padding. */
#include <string.h>
#include "layers/conv_geom.h"

static int groups_of(int groups) { return groups > 1 ? groups : 1; }

static nr_status conv_build(nr_layer *l, int64_t channels) {
    const nr_conv2d_opts *o = &l->o.conv2d;
    int k[2];
    nr_conv_pair(o->kernel_size, 0, k);
    NR_TRY(nr_conv_check_groups(l, channels, groups_of(o->groups)));
    int64_t kshape[4] = {k[0], k[1], channels / groups_of(o->groups), o->filters};
    return nr_layer_add_kernel_bias(l, 4, kshape, o->filters, o->no_bias, &o->kernel_initializer,
                                    &o->bias_initializer, o->kernel_regularizer, o->bias_regularizer);
}

static nr_status conv_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_conv2d_opts *o = &l->o.conv2d;
    int k[2], s[2], d[2];
    nr_conv_pairs(o->kernel_size, o->strides, o->dilation_rate, k, s, d);
    nr_op_attrs a = {0};
    int64_t ho = 0, wo = 0;
    NR_TRY(nr_conv_window(l, &l->g->nodes[in[0]], k, s, d, o->padding, &a, &ho, &wo));
    int64_t channels = l->g->nodes[in[0]].shape[3];
    if (!l->built) NR_TRY(conv_build(l, channels));
    NR_TRY(nr_conv_check_channels(l, &l->g->nodes[in[0]], l->g->nodes[l->weights[0]].shape[2] * groups_of(o->groups)));
    a.conv.groups = groups_of(o->groups);
    int64_t shape[4] = {-1, ho, wo, o->filters};
    nr_sym ops[3] = {in[0], l->weights[0], l->weights[1]}, conv;
    /* The ReLU is fused into the op (see graph.h). */
    a.conv.relu = o->activation == NR_ACT_RELU;
    NR_TRY(nr_layer_add_op(l, NR_OP_CONV2D, ops, 1 + l->n_weights, 4, shape, &a, &conv));
    NR_TRY(nr_layer_add_activation(l, conv, a.conv.relu ? NR_ACT_LINEAR : o->activation, o->activation_alpha, out));
    return nr_layer_add_activity_penalty(l, *out, o->activity_regularizer);
}

static void conv_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_conv2d_opts *o = &l->o.conv2d;
    int k[2];
    nr_conv_pair(o->kernel_size, 0, k);
    nr_strbuf_printf(sb, "%d, (%d, %d)", o->filters, k[0], k[1]);
    nr_conv_config_window(sb, o->strides, o->padding, o->dilation_rate);
    if (groups_of(o->groups) > 1) nr_strbuf_printf(sb, ", groups=%d", o->groups);
    if (o->activation != NR_ACT_LINEAR) nr_strbuf_printf(sb, ", activation=\"%s\"", nr_activation_name(o->activation));
    nr_layer_config_weights(sb, o->no_bias, &o->kernel_initializer, &o->bias_initializer, o->kernel_regularizer,
                            o->bias_regularizer, o->activity_regularizer);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class conv_class = {"Conv2D", "conv2d", 1, 1, conv_call, conv_config, NULL};

nr_status nr_conv2d(nr_graph *g, const nr_conv2d_opts *o, nr_layer **out) {
    *out = NULL;
    int k[2], s[2], d[2];
    nr_conv_pairs(o->kernel_size, o->strides, o->dilation_rate, k, s, d);
    NR_TRY(nr_conv_check_filters("Conv2D", o->filters));
    if (o->groups < 0 || o->filters % groups_of(o->groups) != 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "Conv2D: groups must be a positive integer dividing filters; received filters=%d, groups=%d",
                        o->filters, o->groups);
    NR_TRY(nr_conv_check_args("Conv2D", 2, k, s, d, o->padding, NR_PADDING_SAME, o->activation));
    NR_TRY(nr_layer_create(g, &conv_class, &o->base, out));
    (*out)->o.conv2d = *o;
    (*out)->o.conv2d.base.name = NULL;
    return NR_OK;
}

/* --- pooling -------------------------------------------------------------- */

static nr_status pool_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_pool2d_opts *o = &l->o.pool2d;
    int k[2], s[2], d[2] = {1, 1};
    nr_conv_pair(o->pool_size, 2, k);
    s[0] = o->strides[0] ? o->strides[0] : k[0];
    s[1] = o->strides[1] ? o->strides[1] : (o->strides[0] ? o->strides[0] : k[1]);
    nr_op_attrs a = {0};
    int64_t ho = 0, wo = 0;
    const nr_node *x = &l->g->nodes[in[0]];
    NR_TRY(nr_conv_window(l, x, k, s, d, o->padding, &a, &ho, &wo));
    int64_t shape[4] = {-1, ho, wo, x->shape[3]};
    nr_op_kind op = strcmp(l->cls->type, "MaxPooling2D") == 0 ? NR_OP_MAXPOOL2D : NR_OP_AVGPOOL2D;
    return nr_layer_add_op(l, op, in, 1, 4, shape, &a, out);
}

static void pool_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_pool2d_opts *o = &l->o.pool2d;
    int k[2];
    nr_conv_pair(o->pool_size, 2, k);
    nr_strbuf_printf(sb, "pool_size=(%d, %d)", k[0], k[1]);
    if (o->strides[0]) nr_strbuf_printf(sb, ", strides=(%d, %d)", o->strides[0], o->strides[1] ? o->strides[1] : o->strides[0]);
    if (o->padding == NR_PADDING_SAME) nr_strbuf_printf(sb, ", padding=\"same\"");
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class max_class = {"MaxPooling2D", "max_pooling2d", 1, 1, pool_call, pool_config, NULL};
static const nr_layer_class avg_class = {"AveragePooling2D", "average_pooling2d", 1, 1, pool_call, pool_config, NULL};

static nr_status pool_new(nr_graph *g, const nr_layer_class *cls, const nr_pool2d_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->pool_size[0] < 0 || o->pool_size[1] < 0 || o->strides[0] < 0 || o->strides[1] < 0 ||
        (unsigned)o->padding > NR_PADDING_SAME)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: pool_size and strides must be positive, padding valid or same", cls->type);
    NR_TRY(nr_layer_create(g, cls, &o->base, out));
    (*out)->o.pool2d = *o;
    (*out)->o.pool2d.base.name = NULL;
    return NR_OK;
}

nr_status nr_max_pooling2d(nr_graph *g, const nr_pool2d_opts *o, nr_layer **out) { return pool_new(g, &max_class, o, out); }
nr_status nr_average_pooling2d(nr_graph *g, const nr_pool2d_opts *o, nr_layer **out) {
    return pool_new(g, &avg_class, o, out);
}
