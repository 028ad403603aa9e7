/* GaussianNoise, SpatialDropout1D and SpatialDropout2D: regularization
 * layers active only while training. */
#include <string.h>
#include "layers/layer.h"

static void write_seed(nr_strbuf *sb, int has_seed, uint64_t seed) {
    if (has_seed) nr_strbuf_printf(sb, "seed=%llu, ", (unsigned long long)seed);
}

/* --- GaussianNoise ------------------------------------------------------ */

static nr_status noise_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    const nr_gaussian_noise_opts *o = &l->o.noise;
    nr_op_attrs a = {.noise = {o->stddev, nr_layer_op_seed(l, o->has_seed, o->seed)}};
    return nr_layer_add_op(l, NR_OP_GAUSSIAN_NOISE, in, 1, x->ndim, x->shape, &a, out);
}

static void noise_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "%.9g, ", l->o.noise.stddev);
    write_seed(sb, l->o.noise.has_seed, l->o.noise.seed);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class noise_class = {"GaussianNoise", "gaussian_noise", 1, 1, noise_call, noise_config,
                                           nr_layer_mask_keep};

nr_status nr_gaussian_noise(nr_graph *g, const nr_gaussian_noise_opts *o, nr_layer **out) {
    *out = NULL;
    if (!(o->stddev >= 0 && o->stddev <= 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "GaussianNoise: stddev must be in [0, 1], got %g", o->stddev);
    NR_TRY(nr_layer_create(g, &noise_class, &o->base, out));
    (*out)->o.noise = *o;
    (*out)->o.noise.base.name = NULL;
    return NR_OK;
}

/* --- SpatialDropout1D / 2D ---------------------------------------------- */

static nr_status spatial_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    int two_d = strcmp(l->cls->type, "SpatialDropout2D") == 0;
    if (x->ndim != (two_d ? 4 : 3)) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) needs input %s, got shape %s", l->name,
                        l->cls->type, two_d ? "(batch, height, width, channels)" : "(batch, steps, channels)",
                        nr_node_shape_str(x, buf, sizeof buf));
    }
    const nr_dropout_opts *o = &l->o.dropout;
    nr_op_attrs a = {.dropout = {o->rate, nr_layer_op_seed(l, o->has_seed, o->seed)}};
    return nr_layer_add_op(l, NR_OP_SPATIAL_DROPOUT, in, 1, x->ndim, x->shape, &a, out);
}

static void spatial_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "%.9g, ", l->o.dropout.rate);
    write_seed(sb, l->o.dropout.has_seed, l->o.dropout.seed);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class spatial1d_class = {"SpatialDropout1D", "spatial_dropout1d", 1, 1, spatial_call,
                                               spatial_config, nr_layer_mask_keep};
static const nr_layer_class spatial2d_class = {"SpatialDropout2D", "spatial_dropout2d", 1, 1, spatial_call,
                                               spatial_config, nr_layer_mask_keep};

static nr_status spatial_new(nr_graph *g, const nr_layer_class *cls, const nr_dropout_opts *o, nr_layer **out) {
    *out = NULL;
    if (!(o->rate >= 0 && o->rate < 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: rate must be in [0, 1), got %g", cls->type, o->rate);
    NR_TRY(nr_layer_create(g, cls, &o->base, out));
    (*out)->o.dropout = *o;
    (*out)->o.dropout.base.name = NULL;
    return NR_OK;
}

nr_status nr_spatial_dropout1d(nr_graph *g, const nr_dropout_opts *o, nr_layer **out) {
    return spatial_new(g, &spatial1d_class, o, out);
}
nr_status nr_spatial_dropout2d(nr_graph *g, const nr_dropout_opts *o, nr_layer **out) {
    return spatial_new(g, &spatial2d_class, o, out);
}
