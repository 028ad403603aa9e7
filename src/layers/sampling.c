/* The two layers of a variational autoencoder: Sampling (the
 * reparameterization trick of Keras's VAE example) and
 * GaussianKLDivergence (its KL term per sample, for nr_model_add_loss). */
#include <string.h>
#include "layers/layer.h"

/* Both take [z_mean, z_log_var] of one shape. */
static nr_status check_pair(nr_layer *l, const nr_sym *in, int min_ndim) {
    const nr_node *a = &l->g->nodes[in[0]], *b = &l->g->nodes[in[1]];
    int same = a->batched && b->batched && a->ndim == b->ndim && a->ndim >= min_ndim;
    for (int d = 1; same && d < a->ndim; d++) same = a->shape[d] == b->shape[d];
    if (same) return NR_OK;
    char x[96], y[96];
    return nr_error(NR_STATUS_BAD_SHAPE,
                    "layer \"%s\" (%s) takes [z_mean, z_log_var] of one shape%s, got shapes %s and %s", l->name,
                    l->cls->type, min_ndim > 1 ? " (batch, ...)" : "", nr_node_shape_str(a, x, sizeof x),
                    nr_node_shape_str(b, y, sizeof y));
}

/* --- Sampling --------------------------------------------------------- */

static nr_status sampling_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    NR_TRY(check_pair(l, in, 2));
    const nr_node *x = &l->g->nodes[in[0]];
    const nr_sampling_opts *o = &l->o.sampling;
    nr_op_attrs a = {.sampling = {nr_layer_op_seed(l, o->has_seed, o->seed)}};
    return nr_layer_add_op(l, NR_OP_SAMPLING, in, 2, x->ndim, x->shape, &a, out);
}

static void sampling_config(const nr_layer *l, nr_strbuf *sb) {
    if (l->o.sampling.has_seed) nr_strbuf_printf(sb, "seed=%llu, ", (unsigned long long)l->o.sampling.seed);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class sampling_class = {"Sampling", "sampling", 2, 2, sampling_call, sampling_config, NULL};

nr_status nr_sampling(nr_graph *g, const nr_sampling_opts *o, nr_layer **out) {
    *out = NULL;
    NR_TRY(nr_layer_create(g, &sampling_class, &o->base, out));
    (*out)->o.sampling = *o;
    (*out)->o.sampling.base.name = NULL;
    return NR_OK;
}

/* --- GaussianKLDivergence --------------------------------------------- */

static nr_status kl_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    NR_TRY(check_pair(l, in, 2));
    int64_t shape[1] = {-1};
    return nr_layer_add_op(l, NR_OP_GAUSS_KL, in, 2, 1, shape, NULL, out);
}

static void kl_config(const nr_layer *l, nr_strbuf *sb) { nr_layer_config_common(l, sb); }

static const nr_layer_class kl_class = {"GaussianKLDivergence", "gaussian_kl_divergence", 2, 2, kl_call, kl_config,
                                        NULL};

nr_status nr_gaussian_kl_divergence(nr_graph *g, const nr_layer_base *o, nr_layer **out) {
    *out = NULL;
    return nr_layer_create(g, &kl_class, o, out);
}
