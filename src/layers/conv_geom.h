/* Window geometry shared by the convolution and pooling layers: Keras's
 * int-or-pair arguments, TensorFlow's padding amounts, the checks every
 * windowed layer makes, and their SPEC text. */
#ifndef NR_CONV_GEOM_H
#define NR_CONV_GEOM_H

#include "layers/layer.h"

/* {3} means {3, 3}; 0 means the default. */
void nr_conv_pair(const int *in, int def, int *out);
/* A 2-D window's kernel size, strides and dilation with the defaults
 * (strides and dilation 1) filled in. */
void nr_conv_pairs(const int *kernel_size, const int *strides, const int *dilation, int *k, int *s, int *d);
/* Output size of one axis of length n and its padding before (*lo) and
 * after (*hi), as TensorFlow computes them ("causal": valid after
 * (k - 1) d zeros before the start); 0 when the window does not fit. */
int nr_conv_axis_out(int64_t n, int k, int s, int d, nr_padding pad, int *lo, int *hi);
/* Output size of one axis of length n of a transposed convolution, as
 * Keras 3 computes it (its JAX backend's formulas, which its other
 * backends match), and *crop, the cells cut from the start of the full
 * transposed convolution. op: output_padding, -1 for None. With k the
 * dilated kernel, Keras pads the stride-dilated input by (left, right)
 * and convolves: left is k - 1 for "valid" and min(ceil(t / 2), k - 1)
 * for "same" (t = s + k - 2, or k + k % 2 - 2 + op when op is given), so
 * the crop is k - 1 - left. */
int64_t nr_conv_transpose_axis_out(int64_t n, int k, int s, int d, nr_padding pad, int op, int *crop);
/* Checks that x is (batch, height, width, channels), fills the window
 * attributes and the output height and width. */
nr_status nr_conv_window(nr_layer *l, const nr_node *x, const int *k, const int *s, const int *d, nr_padding pad,
                         nr_op_attrs *a, int64_t *ho, int64_t *wo);
/* Keras's argument checks: positive kernel size, strides and dilation,
 * no stride above 1 together with a dilation above 1, a padding up to
 * max_pad and a known activation. n: 1 or 2 values each. */
nr_status nr_conv_check_args(const char *type, int n, const int *k, const int *s, const int *d, nr_padding pad,
                             nr_padding max_pad, nr_activation act);
/* filters > 0, or an error naming the layer type. */
nr_status nr_conv_check_filters(const char *type, int filters);
/* Keras's check at build: groups divides the input channels. */
nr_status nr_conv_check_groups(const nr_layer *l, int64_t channels, int groups);
/* Fails when a built layer is called on another number of channels. */
nr_status nr_conv_check_channels(const nr_layer *l, const nr_node *x, int64_t built);
const char *nr_padding_name(nr_padding p);
/* ", strides=(2, 2)", ", padding=\"same\"", ", dilation_rate=(2, 2)" where
 * they differ from the defaults. */
void nr_conv_config_window(nr_strbuf *sb, const int *strides, nr_padding pad, const int *dilation);
void nr_conv_config_pair(nr_strbuf *sb, const char *key, const int *v, int def);

#endif
