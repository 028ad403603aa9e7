/* Helpers shared by the layer implementations. */
#ifndef NR_LAYER_H
#define NR_LAYER_H

#include "graph/graph.h"

/* Adds a node with op and inputs, output shape = shape (batch dim -1). */
nr_status nr_layer_add_op(nr_layer *l, nr_op_kind op, const nr_sym *in, int n_in, int ndim,
                          const int64_t *shape, const nr_op_attrs *a, nr_sym *out);
/* Adds an activation after x (none for linear, SOFTMAX for softmax). */
nr_status nr_layer_add_activation(nr_layer *l, nr_sym x, nr_activation fn, float alpha, nr_sym *out);
/* Creates a layer's kernel (shape kshape, glorot_uniform by default) and,
 * unless no_bias, its bias (units, zeros by default): weights 0 and 1. */
nr_status nr_layer_add_kernel_bias(nr_layer *l, int ndim, const int64_t *kshape, int64_t units, int no_bias,
                                   const nr_init *kinit, const nr_init *binit, nr_regularizer kreg,
                                   nr_regularizer breg);
/* Adds the activity-regularizer node on y when r is set. */
nr_status nr_layer_add_activity_penalty(nr_layer *l, nr_sym y, nr_regularizer r);
/* Output size of a window axis of input size n, window k, stride s,
 * dilation d, and its padding before (lo) and after (hi), as TensorFlow
 * computes them ("same": ceil(n / s) outputs, the odd cell after). */
int nr_layer_window_axis(int64_t n, int k, int s, int d, nr_padding pad, int *lo, int *hi);
/* Keras's default alpha of an activation function (leaky_relu 0.2, elu 1). */
float nr_activation_default_alpha(nr_activation fn, float alpha);
/* Writes ", use_bias=False", initializers and regularizers that differ
 * from the defaults, for a layer with a kernel and a bias. */
void nr_layer_config_weights(nr_strbuf *sb, int no_bias, const nr_init *kinit, const nr_init *binit,
                             nr_regularizer kreg, nr_regularizer breg, nr_regularizer areg);
/* Writes name=..., trainable=False for a layer's config. */
void nr_layer_config_common(const nr_layer *l, nr_strbuf *sb);
/* Copies the common options (name, frozen) of a new layer. */
nr_status nr_layer_create(nr_graph *g, const nr_layer_class *cls, const nr_layer_base *base, nr_layer **out);
void nr_strbuf_shape(nr_strbuf *sb, int ndim, const int64_t *shape);

extern const nr_layer_class nr_input_class;

#endif
