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
/* The seed of a random op this layer adds now: the layer's seed (the
 * graph's when it has none) mixed with the node count, so every call of
 * every layer gets its own stream. */
uint64_t nr_layer_op_seed(const nr_layer *l, int has_seed, uint64_t seed);
/* Adds the activity-regularizer node on y when r is set. */
nr_status nr_layer_add_activity_penalty(nr_layer *l, nr_sym y, nr_regularizer r);
/* Keras's default alpha of an activation function (leaky_relu 0.2, elu 1). */
float nr_activation_default_alpha(nr_activation fn, float alpha);
/* Writes ", use_bias=False", initializers and regularizers that differ
 * from the defaults, for a layer with a kernel and a bias. */
void nr_layer_config_weights(nr_strbuf *sb, int no_bias, const nr_init *kinit, const nr_init *binit,
                             nr_regularizer kreg, nr_regularizer breg, nr_regularizer areg);
/* An option whose zero means def: 0.0f gives def, -0.0f a real 0. */
float nr_layer_default(float v, float def);
/* ", key=Name(args)" for an initializer other than the default, with
 * every set field, so SPEC written from a model rebuilds the same weights. */
void nr_layer_config_init(nr_strbuf *sb, const char *key, const nr_init *in);
/* ", key=L1L2(l1=..., l2=...)" for a regularizer that is set. */
void nr_layer_config_reg(nr_strbuf *sb, const char *key, nr_regularizer r);
/* Writes name=..., trainable=False for a layer's config. */
void nr_layer_config_common(const nr_layer *l, nr_strbuf *sb);
/* Copies the common options (name, frozen) of a new layer. */
nr_status nr_layer_create(nr_graph *g, const nr_layer_class *cls, const nr_layer_base *base, nr_layer **out);
void nr_strbuf_shape(nr_strbuf *sb, int ndim, const int64_t *shape);

/* compute_mask of a layer that passes its first input's mask on (Keras's
 * default compute_mask with supports_masking = True). */
nr_status nr_layer_mask_keep(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out, nr_sym *mask);

/* Turns the nodes from first_node and the calls from first_call on into
 * an inference-mode call (see nr_layer_call_inference). */
void nr_layer_mark_inference(nr_graph *g, int first_node, int first_call);

extern const nr_layer_class nr_input_class;

/* 1 for SimpleRNN, LSTM and GRU layers. */
int nr_layer_is_rnn(const nr_layer *l);
/* A new layer of RNN layer l's class with options o. */
nr_status nr_rnn_twin(nr_graph *g, const nr_layer *l, const nr_rnn_opts *o, nr_layer **out);
/* Calls an RNN layer as one half of a Bidirectional: no call record of its
 * own; the backward half outputs in time order and, returning sequences,
 * zeros at masked steps (Keras forces zero_output_for_mask there). */
nr_status nr_rnn_call_half(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out);

#endif
