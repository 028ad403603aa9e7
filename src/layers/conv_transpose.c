/* Conv2DTranspose: channels-last transposed convolution with Keras 3's
 * output sizes and padding (see nr_conv_transpose_axis_out), kernel (kh,
 * kw, filters, channels). */
#include "layers/conv_geom.h"

static nr_status convt_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_conv2d_transpose_opts *o = &l->o.conv2d_t;
    const nr_node *x = &l->g->nodes[in[0]];
    char buf[96];
    if (x->ndim != 4)
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "layer \"%s\" (Conv2DTranspose) needs input (batch, height, width, channels), got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    int k[2], s[2], d[2], op[2] = {-1, -1};
    nr_conv_pairs(o->kernel_size, o->strides, o->dilation_rate, k, s, d);
    if (o->has_output_padding) op[0] = o->output_padding[0], op[1] = o->output_padding[1];
    nr_op_attrs a = {.conv = {.kh = k[0], .kw = k[1], .sh = s[0], .sw = s[1], .dh = d[0], .dw = d[1]}};
    int64_t ho = nr_conv_transpose_axis_out(x->shape[1], k[0], s[0], d[0], o->padding, op[0], &a.conv.pad_top);
    int64_t wo = nr_conv_transpose_axis_out(x->shape[2], k[1], s[1], d[1], o->padding, op[1], &a.conv.pad_left);
    if (ho < 1 || wo < 1)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (Conv2DTranspose): input %s gives an empty output (%lld, %lld)",
                        l->name, nr_node_shape_str(x, buf, sizeof buf), (long long)ho, (long long)wo);
    if (!l->built) {
        int64_t kshape[4] = {k[0], k[1], o->filters, x->shape[3]};
        NR_TRY(nr_layer_add_kernel_bias(l, 4, kshape, o->filters, o->no_bias, &o->kernel_initializer,
                                        &o->bias_initializer, o->kernel_regularizer, o->bias_regularizer));
    }
    x = &l->g->nodes[in[0]]; /* adding weights may have moved the nodes */
    NR_TRY(nr_conv_check_channels(l, x, l->g->nodes[l->weights[0]].shape[3]));
    int64_t shape[4] = {-1, ho, wo, o->filters};
    nr_sym ops[3] = {in[0], l->weights[0], l->weights[1]}, y;
    NR_TRY(nr_layer_add_op(l, NR_OP_CONV2D_T, ops, 1 + l->n_weights, 4, shape, &a, &y));
    NR_TRY(nr_layer_add_activation(l, y, o->activation, o->activation_alpha, out));
    return nr_layer_add_activity_penalty(l, *out, o->activity_regularizer);
}

static void convt_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_conv2d_transpose_opts *o = &l->o.conv2d_t;
    int k[2];
    nr_conv_pair(o->kernel_size, 0, k);
    nr_strbuf_printf(sb, "%d, (%d, %d)", o->filters, k[0], k[1]);
    nr_conv_config_window(sb, o->strides, o->padding, o->dilation_rate);
    if (o->has_output_padding)
        nr_strbuf_printf(sb, ", output_padding=(%d, %d)", o->output_padding[0], o->output_padding[1]);
    if (o->activation != NR_ACT_LINEAR) nr_strbuf_printf(sb, ", activation=\"%s\"", nr_activation_name(o->activation));
    nr_layer_config_weights(sb, o->no_bias, &o->kernel_initializer, &o->bias_initializer, o->kernel_regularizer,
                            o->bias_regularizer, o->activity_regularizer);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class convt_class = {"Conv2DTranspose", "conv2d_transpose", 1, 1, convt_call, convt_config, NULL};

nr_status nr_conv2d_transpose(nr_graph *g, const nr_conv2d_transpose_opts *o, nr_layer **out) {
    *out = NULL;
    int k[2], s[2], d[2];
    nr_conv_pairs(o->kernel_size, o->strides, o->dilation_rate, k, s, d);
    NR_TRY(nr_conv_check_filters("Conv2DTranspose", o->filters));
    NR_TRY(nr_conv_check_args("Conv2DTranspose", 2, k, s, d, o->padding, NR_PADDING_SAME, o->activation));
    for (int i = 0; o->has_output_padding && i < 2; i++)
        if (o->output_padding[i] < 0 || o->output_padding[i] >= s[i])
            return nr_error(NR_STATUS_BAD_ARGUMENT,
                            "Conv2DTranspose: output_padding must be >= 0 and < strides, got output_padding=(%d, %d) "
                            "with strides=(%d, %d)",
                            o->output_padding[0], o->output_padding[1], s[0], s[1]);
    NR_TRY(nr_layer_create(g, &convt_class, &o->base, out));
    (*out)->o.conv2d_t = *o;
    (*out)->o.conv2d_t.base.name = NULL;
    return NR_OK;
}
