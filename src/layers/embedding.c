/* Embedding: integer indices to rows of a (input_dim, output_dim) table,
 * Keras's "uniform" initializer (random_uniform(-0.05, 0.05)); with
 * mask_zero the output's mask marks the steps whose index is not 0. */
#include "layers/layer.h"

static nr_status embedding_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_embedding_opts *o = &l->o.embedding;
    const nr_node *x = &l->g->nodes[in[0]];
    if (x->ndim + 1 > NR_MAX_DIMS) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "layer \"%s\" (Embedding): input %s has too many axes to add one (at most %d)", l->name, nr_node_shape_str(x, buf, sizeof buf), NR_MAX_DIMS);
    }
    if (!l->built) {
        int64_t shape[2] = {o->input_dim, o->output_dim};
        NR_TRY(nr_graph_add_param(l->g, l, 2, shape, &o->embeddings_initializer, NR_INIT_RANDOM_UNIFORM,
                                  o->embeddings_regularizer, &l->weights[0]));
        l->n_weights = 1;
        l->built = 1;
        x = &l->g->nodes[in[0]]; /* adding the table may have moved the node array */
    }
    int64_t shape[NR_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) shape[i] = x->shape[i];
    shape[x->ndim] = o->output_dim;
    nr_sym ops[2] = {in[0], l->weights[0]};
    NR_TRY(nr_layer_add_op(l, NR_OP_EMBEDDING, ops, 2, x->ndim + 1, shape, NULL, out));
    return nr_layer_add_activity_penalty(l, *out, o->activity_regularizer);
}

/* Keras: not_equal(inputs, 0) when mask_zero, else no mask. */
static nr_status embedding_mask(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out,
                                nr_sym *mask) {
    (void)masks, (void)n_in, (void)out;
    if (!l->o.embedding.mask_zero) return NR_OK;
    const nr_node *x = &l->g->nodes[in[0]];
    nr_op_attrs a = {.mask = {NR_MASK_NOT_EQUAL, 0.0f}};
    return nr_layer_add_op(l, NR_OP_MASK, in, 1, x->ndim, x->shape, &a, mask);
}

static void embedding_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_embedding_opts *o = &l->o.embedding;
    nr_strbuf_printf(sb, "%d, %d", o->input_dim, o->output_dim);
    nr_layer_config_init(sb, "embeddings_initializer", &o->embeddings_initializer);
    nr_layer_config_reg(sb, "embeddings_regularizer", o->embeddings_regularizer);
    nr_layer_config_reg(sb, "activity_regularizer", o->activity_regularizer);
    if (o->mask_zero) nr_strbuf_printf(sb, ", mask_zero=True");
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class embedding_class = {"Embedding", "embedding", 1, 1, embedding_call, embedding_config,
                                               embedding_mask};

nr_status nr_embedding(nr_graph *g, const nr_embedding_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->input_dim <= 0 || o->output_dim <= 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "Embedding: input_dim and output_dim must be positive integers, got input_dim=%d, "
                        "output_dim=%d", o->input_dim, o->output_dim);
    NR_TRY(nr_layer_create(g, &embedding_class, &o->base, out));
    (*out)->o.embedding = *o;
    (*out)->o.embedding.base.name = NULL;
    return NR_OK;
}
