/* Conv1D: channels-last 1-D convolution over (batch, steps, channels)
 * with Keras's shapes, defaults, TensorFlow's "same" padding and "causal"
 * padding ((kernel_size - 1) * dilation_rate zeros before the start).
 *
 * It runs as CONV2D on a one-row image: the input is viewed as (batch, 1,
 * steps, channels), and the Keras kernel (k, C, filters) already has the
 * memory layout of a (1, k, C, filters) Conv2D kernel, so the 1-D layer
 * gets every speed-up of the 2-D op. */
#include "layers/conv_geom.h"

static nr_status conv1d_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_conv1d_opts *o = &l->o.conv1d;
    const nr_node *x = &l->g->nodes[in[0]];
    char buf[96];
    if (x->ndim != 3)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (Conv1D) needs input (batch, steps, channels), got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    int k = o->kernel_size, s = o->strides ? o->strides : 1, d = o->dilation_rate ? o->dilation_rate : 1;
    nr_op_attrs a = {.conv = {.kh = 1, .kw = k, .sh = 1, .sw = s, .dh = 1, .dw = d}};
    int64_t steps = nr_conv_axis_out(x->shape[1], k, s, d, o->padding, &a.conv.pad_left, &a.conv.pad_right);
    if (steps < 1)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (Conv1D): a window of %d steps does not fit input %s with padding \"valid\"",
                        l->name, (k - 1) * d + 1, nr_node_shape_str(x, buf, sizeof buf));
    int64_t C = x->shape[2];
    int G = o->groups > 1 ? o->groups : 1;
    a.conv.groups = G;
    if (!l->built) {
        NR_TRY(nr_conv_check_groups(l, C, G));
        int64_t kshape[3] = {k, C / G, o->filters};
        NR_TRY(nr_layer_add_kernel_bias(l, 3, kshape, o->filters, o->no_bias, &o->kernel_initializer,
                                        &o->bias_initializer, o->kernel_regularizer, o->bias_regularizer));
    }
    x = &l->g->nodes[in[0]]; /* adding weights may have moved the nodes */
    NR_TRY(nr_conv_check_channels(l, x, l->g->nodes[l->weights[0]].shape[1] * G));
    int64_t xshape[4] = {-1, 1, x->shape[1], C}, yshape[4] = {-1, 1, steps, o->filters}, shape[3] = {-1, steps, o->filters};
    nr_sym img, conv, y;
    NR_TRY(nr_layer_add_op(l, NR_OP_COPY, in, 1, 4, xshape, NULL, &img));
    nr_sym ops[3] = {img, l->weights[0], l->weights[1]};
    NR_TRY(nr_layer_add_op(l, NR_OP_CONV2D, ops, 1 + l->n_weights, 4, yshape, &a, &conv));
    NR_TRY(nr_layer_add_op(l, NR_OP_COPY, &conv, 1, 3, shape, NULL, &y));
    NR_TRY(nr_layer_add_activation(l, y, o->activation, o->activation_alpha, out));
    return nr_layer_add_activity_penalty(l, *out, o->activity_regularizer);
}

static void conv1d_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_conv1d_opts *o = &l->o.conv1d;
    nr_strbuf_printf(sb, "%d, %d", o->filters, o->kernel_size);
    if (o->strides > 1) nr_strbuf_printf(sb, ", strides=%d", o->strides);
    if (o->padding != NR_PADDING_VALID) nr_strbuf_printf(sb, ", padding=\"%s\"", nr_padding_name(o->padding));
    if (o->dilation_rate > 1) nr_strbuf_printf(sb, ", dilation_rate=%d", o->dilation_rate);
    if (o->groups > 1) nr_strbuf_printf(sb, ", groups=%d", o->groups);
    if (o->activation != NR_ACT_LINEAR) nr_strbuf_printf(sb, ", activation=\"%s\"", nr_activation_name(o->activation));
    nr_layer_config_weights(sb, o->no_bias, &o->kernel_initializer, &o->bias_initializer, o->kernel_regularizer,
                            o->bias_regularizer, o->activity_regularizer);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class conv1d_class = {"Conv1D", "conv1d", 1, 1, conv1d_call, conv1d_config, NULL};

nr_status nr_conv1d(nr_graph *g, const nr_conv1d_opts *o, nr_layer **out) {
    *out = NULL;
    int k = o->kernel_size, s = o->strides ? o->strides : 1, d = o->dilation_rate ? o->dilation_rate : 1;
    NR_TRY(nr_conv_check_filters("Conv1D", o->filters));
    if (o->groups < 0 || (o->groups > 1 && o->filters % o->groups != 0))
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "Conv1D: groups must be a positive integer dividing filters; received filters=%d, groups=%d",
                        o->filters, o->groups);
    NR_TRY(nr_conv_check_args("Conv1D", 1, &k, &s, &d, o->padding, NR_PADDING_CAUSAL, o->activation));
    NR_TRY(nr_layer_create(g, &conv1d_class, &o->base, out));
    (*out)->o.conv1d = *o;
    (*out)->o.conv1d.base.name = NULL;
    return NR_OK;
}
