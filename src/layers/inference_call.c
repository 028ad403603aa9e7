/* Calls in inference mode, Keras's layer(x, training=False): the ops
 * that differ between training and inference are fixed to their
 * inference behaviour for this call only (another call of the same layer
 * keeps both modes). */
#include "layers/layer.h"

static void to_inference(nr_node *n) {
    switch (n->op) {
    case NR_OP_DROPOUT:
    case NR_OP_GAUSSIAN_NOISE:
    case NR_OP_SPATIAL_DROPOUT:
    case NR_OP_RANDOM_AFFINE:
        /* inference: y = x */
        n->op = NR_OP_COPY;
        n->n_in = 1;
        break;
    case NR_OP_RNN:
        n->a.rnn.dropout = n->a.rnn.rec_dropout = 0;
        break;
    default: break; /* BATCHNORM: compile reads the call's flag */
    }
}

void nr_layer_mark_inference(nr_graph *g, int first_node, int first_call) {
    for (int k = first_node; k < g->n_nodes; k++) to_inference(&g->nodes[k]);
    for (int c = first_call; c < g->n_calls; c++) g->calls[c].inference = 1;
}

nr_status nr_layer_call_inference(nr_layer *l, const nr_sym *inputs, int n_inputs, nr_sym *out) {
    int first_node = l->g->n_nodes, first_call = l->g->n_calls;
    NR_TRY(nr_layer_call(l, inputs, n_inputs, out));
    nr_layer_mark_inference(l->g, first_node, first_call);
    return NR_OK;
}
