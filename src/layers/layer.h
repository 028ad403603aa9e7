/* Helpers shared by the layer implementations. */
#ifndef NR_LAYER_H
#define NR_LAYER_H

#include "graph/graph.h"

/* Adds a node with op and inputs, output shape = shape (batch dim -1). */
nr_status nr_layer_add_op(nr_layer *l, nr_op_kind op, const nr_sym *in, int n_in, int ndim,
                          const int64_t *shape, const nr_op_attrs *a, nr_sym *out);
/* Adds an activation after x (none for linear, SOFTMAX for softmax). */
nr_status nr_layer_add_activation(nr_layer *l, nr_sym x, nr_activation fn, float alpha, nr_sym *out);
/* Keras's default alpha of an activation function (leaky_relu 0.2, elu 1). */
float nr_activation_default_alpha(nr_activation fn, float alpha);
/* Writes name=..., trainable=False for a layer's config. */
void nr_layer_config_common(const nr_layer *l, nr_strbuf *sb);
/* Copies the common options (name, frozen) of a new layer. */
nr_status nr_layer_create(nr_graph *g, const nr_layer_class *cls, const nr_layer_base *base, nr_layer **out);
void nr_strbuf_shape(nr_strbuf *sb, int ndim, const int64_t *shape);

extern const nr_layer_class nr_input_class;

#endif
