/* Window geometry shared by the convolution and pooling layers (see
 * conv_geom.h). */
#include "layers/conv_geom.h"

void nr_conv_pair(const int *in, int def, int *out) {
    out[0] = in[0] ? in[0] : def;
    out[1] = in[1] ? in[1] : out[0];
}

void nr_conv_pairs(const int *kernel_size, const int *strides, const int *dilation, int *k, int *s, int *d) {
    nr_conv_pair(kernel_size, 0, k);
    nr_conv_pair(strides, 1, s);
    nr_conv_pair(dilation, 1, d);
}

int nr_conv_axis_out(int64_t n, int k, int s, int d, nr_padding pad, int *lo, int *hi) {
    int span = (k - 1) * d + 1;
    if (pad == NR_PADDING_VALID || pad == NR_PADDING_CAUSAL) {
        *lo = pad == NR_PADDING_CAUSAL ? span - 1 : 0;
        *hi = 0;
        return n + *lo >= span ? (int)((n + *lo - span) / s + 1) : 0;
    }
    int out = (int)((n + s - 1) / s);
    int total = (out - 1) * s + span - (int)n;
    if (total < 0) total = 0;
    *lo = total / 2;
    *hi = total - *lo;
    return out;
}

int64_t nr_conv_transpose_axis_out(int64_t n, int k, int s, int d, nr_padding pad, int op, int *crop) {
    int ke = (k - 1) * d + 1;
    if (pad == NR_PADDING_VALID) {
        *crop = 0;
        return (n - 1) * s + ke + (op >= 0 ? op : (ke > s ? 0 : s - ke));
    }
    int total = op >= 0 ? ke + ke % 2 - 2 + op : s + ke - 2;
    int left = total / 2 + total % 2;
    *crop = ke - 1 - (left < ke - 1 ? left : ke - 1);
    return op >= 0 ? (n - 1) * s + ke % 2 + op : n * s;
}

nr_status nr_conv_window(nr_layer *l, const nr_node *x, const int *k, const int *s, const int *d, nr_padding pad,
                         nr_op_attrs *a, int64_t *ho, int64_t *wo) {
    char buf[96];
    if (x->ndim != 4)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) needs input (batch, height, width, channels), got shape %s",
                        l->name, l->cls->type, nr_node_shape_str(x, buf, sizeof buf));
    a->conv.kh = k[0], a->conv.kw = k[1], a->conv.sh = s[0], a->conv.sw = s[1], a->conv.dh = d[0], a->conv.dw = d[1];
    *ho = nr_conv_axis_out(x->shape[1], k[0], s[0], d[0], pad, &a->conv.pad_top, &a->conv.pad_bottom);
    *wo = nr_conv_axis_out(x->shape[2], k[1], s[1], d[1], pad, &a->conv.pad_left, &a->conv.pad_right);
    if (*ho < 1 || *wo < 1)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s): a %dx%d window does not fit input %s with padding \"valid\"",
                        l->name, l->cls->type, k[0], k[1], nr_node_shape_str(x, buf, sizeof buf));
    return NR_OK;
}

nr_status nr_conv_check_args(const char *type, int n, const int *k, const int *s, const int *d, nr_padding pad,
                             nr_padding max_pad, nr_activation act) {
    int strided = 0, dilated = 0;
    for (int i = 0; i < n; i++) {
        if (k[i] <= 0 || s[i] <= 0 || d[i] <= 0)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: kernel_size, strides and dilation_rate must be positive", type);
        strided |= s[i] > 1;
        dilated |= d[i] > 1;
    }
    if (strided && dilated)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras)", type);
    if ((unsigned)pad > (unsigned)max_pad)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: padding must be \"valid\"%s \"same\"%s", type,
                        max_pad == NR_PADDING_CAUSAL ? "," : " or", max_pad == NR_PADDING_CAUSAL ? " or \"causal\"" : "");
    if ((unsigned)act >= NR_ACT_COUNT_) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: activation %d is not valid", type, (int)act);
    return NR_OK;
}

nr_status nr_conv_check_filters(const char *type, int filters) {
    if (filters > 0) return NR_OK;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: filters must be a positive integer, got %d", type, filters);
}

nr_status nr_conv_check_groups(const nr_layer *l, int64_t channels, int groups) {
    if (channels % groups == 0) return NR_OK;
    return nr_error(NR_STATUS_BAD_SHAPE,
                    "layer \"%s\" (%s): the number of input channels must be evenly divisible by the number of "
                    "groups; received groups=%d, but the input has %lld channels",
                    l->name, l->cls->type, groups, (long long)channels);
}

nr_status nr_conv_check_channels(const nr_layer *l, const nr_node *x, int64_t built) {
    char buf[96];
    if (x->shape[x->ndim - 1] == built) return NR_OK;
    return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) was built for %lld input channels, got shape %s", l->name,
                    l->cls->type, (long long)built, nr_node_shape_str(x, buf, sizeof buf));
}

const char *nr_padding_name(nr_padding p) {
    return p == NR_PADDING_SAME ? "same" : p == NR_PADDING_CAUSAL ? "causal" : "valid";
}

void nr_conv_config_pair(nr_strbuf *sb, const char *key, const int *v, int def) {
    int p[2];
    nr_conv_pair(v, def, p);
    if (p[0] != def || p[1] != def) nr_strbuf_printf(sb, ", %s=(%d, %d)", key, p[0], p[1]);
}

void nr_conv_config_window(nr_strbuf *sb, const int *strides, nr_padding pad, const int *dilation) {
    nr_conv_config_pair(sb, "strides", strides, 1);
    if (pad != NR_PADDING_VALID) nr_strbuf_printf(sb, ", padding=\"%s\"", nr_padding_name(pad));
    nr_conv_config_pair(sb, "dilation_rate", dilation, 1);
}
