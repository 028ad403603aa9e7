/* MaxPooling1D and AveragePooling1D: windows over the steps of (N, T, C),
 * with Keras's defaults and TensorFlow's "same" padding. They run on the
 * 2-D pooling ops, which read a 3-D node as an image one row high. */
#include <string.h>
#include "layers/conv_geom.h"

static int strides_of(const nr_pool1d_opts *o, int k) { return o->strides ? o->strides : k; }

static nr_status pool1d_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_pool1d_opts *o = &l->o.pool1d;
    const nr_node *x = &l->g->nodes[in[0]];
    char buf[96];
    if (x->ndim != 3)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) needs input (batch, steps, channels), got shape %s",
                        l->name, l->cls->type, nr_node_shape_str(x, buf, sizeof buf));
    int k = o->pool_size ? o->pool_size : 2;
    nr_op_attrs a = {0};
    a.conv.kh = a.conv.sh = a.conv.dh = a.conv.dw = 1;
    a.conv.kw = k;
    a.conv.sw = strides_of(o, k);
    int64_t steps = nr_conv_axis_out(x->shape[1], k, a.conv.sw, 1, o->padding, &a.conv.pad_left, &a.conv.pad_right);
    if (steps < 1)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s): a window of %d steps does not fit input %s with padding \"valid\"",
                        l->name, l->cls->type, k, nr_node_shape_str(x, buf, sizeof buf));
    int64_t shape[3] = {-1, steps, x->shape[2]};
    nr_op_kind op = strcmp(l->cls->type, "MaxPooling1D") == 0 ? NR_OP_MAXPOOL2D : NR_OP_AVGPOOL2D;
    return nr_layer_add_op(l, op, in, 1, 3, shape, &a, out);
}

static void pool1d_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_pool1d_opts *o = &l->o.pool1d;
    int k = o->pool_size ? o->pool_size : 2;
    nr_strbuf_printf(sb, "pool_size=%d", k);
    if (o->strides) nr_strbuf_printf(sb, ", strides=%d", o->strides);
    if (o->padding == NR_PADDING_SAME) nr_strbuf_printf(sb, ", padding=\"same\"");
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class max_class = {"MaxPooling1D", "max_pooling1d", 1, 1, pool1d_call, pool1d_config, NULL};
static const nr_layer_class avg_class = {"AveragePooling1D", "average_pooling1d", 1, 1, pool1d_call, pool1d_config,
                                         NULL};

static nr_status pool1d_new(nr_graph *g, const nr_layer_class *cls, const nr_pool1d_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->pool_size < 0 || o->strides < 0 || (unsigned)o->padding > NR_PADDING_SAME)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: pool_size and strides must be positive, padding valid or same",
                        cls->type);
    NR_TRY(nr_layer_create(g, cls, &o->base, out));
    (*out)->o.pool1d = *o;
    (*out)->o.pool1d.base.name = NULL;
    return NR_OK;
}

nr_status nr_max_pooling1d(nr_graph *g, const nr_pool1d_opts *o, nr_layer **out) {
    return pool1d_new(g, &max_class, o, out);
}
nr_status nr_average_pooling1d(nr_graph *g, const nr_pool1d_opts *o, nr_layer **out) {
    return pool1d_new(g, &avg_class, o, out);
}
