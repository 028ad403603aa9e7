/* LayerNormalization, Keras 3's layer: each sample normalized over its
 * trailing axes (the last by default), with gamma and beta shaped like
 * those axes; the op is ops/layernorm.c. */
#include <string.h>
#include "layers/layer.h"

static float epsilon_of(const nr_layer_norm_opts *o) { return nr_layer_default(o->epsilon, 1e-3f); }
static int has_gamma(const nr_layer_norm_opts *o) { return !o->no_scale || o->rms_scaling; }
static int has_beta(const nr_layer_norm_opts *o) { return !o->no_center && !o->rms_scaling; }

/* How many trailing axes of x the axis option names; they must be exactly
 * the last ones, in increasing order, and not the batch axis. */
static nr_status trailing_axes(const nr_layer *l, const nr_node *x, int *n_axes) {
    const nr_layer_norm_opts *o = &l->o.layer_norm;
    int n = o->n_axis ? o->n_axis : 1;
    char buf[96];
    for (int i = 0; i < n; i++) {
        int a = o->n_axis ? o->axis[i] : -1;
        int want = x->ndim - n + i;
        if ((a < 0 ? a + x->ndim : a) != want || want < 1)
            return nr_error(NR_STATUS_UNSUPPORTED,
                            "layer \"%s\" (LayerNormalization): axis must name the last axes of the input in "
                            "increasing order (for %s: -1, or a list ending with %d), not the batch axis",
                            l->name, nr_node_shape_str(x, buf, sizeof buf), x->ndim - 1);
    }
    *n_axes = n;
    return NR_OK;
}

static nr_status ln_build(nr_layer *l, int ndim, const int64_t *shape) {
    const nr_layer_norm_opts *o = &l->o.layer_norm;
    l->n_weights = 0;
    if (has_gamma(o))
        NR_TRY(nr_graph_add_param(l->g, l, ndim, shape, &o->gamma_initializer, NR_INIT_ONES, o->gamma_regularizer,
                                  &l->weights[l->n_weights++]));
    if (has_beta(o))
        NR_TRY(nr_graph_add_param(l->g, l, ndim, shape, &o->beta_initializer, NR_INIT_ZEROS, o->beta_regularizer,
                                  &l->weights[l->n_weights++]));
    l->built = 1;
    return NR_OK;
}

/* A layer built on one shape, called on another. */
static int shape_differs(const nr_layer *l, int n, const int64_t *shape) {
    if (!l->n_weights) return 0;
    const nr_node *w = &l->g->nodes[l->weights[0]];
    if (w->ndim != n) return 1;
    for (int i = 0; i < n; i++)
        if (w->shape[i] != shape[i]) return 1;
    return 0;
}

static nr_status ln_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_layer_norm_opts *o = &l->o.layer_norm;
    const nr_node *x = &l->g->nodes[in[0]];
    int n = 0;
    NR_TRY(trailing_axes(l, x, &n));
    /* A copy: adding weights may move the node array. */
    int64_t wshape[NR_MAX_DIMS];
    memcpy(wshape, x->shape + x->ndim - n, (size_t)n * sizeof *wshape);
    if (!l->built) NR_TRY(ln_build(l, n, wshape));
    x = &l->g->nodes[in[0]];
    if (shape_differs(l, n, wshape)) {
        char buf[96], wbuf[96];
        const nr_node *w = &l->g->nodes[l->weights[0]];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (LayerNormalization) was built for axes of shape %s, got input %s",
                        l->name, nr_node_shape_str(w, wbuf, sizeof wbuf), nr_node_shape_str(x, buf, sizeof buf));
    }
    nr_op_attrs a = {.ln = {epsilon_of(o), n, has_gamma(o), has_beta(o), o->rms_scaling != 0}};
    nr_sym ops[3] = {in[0], l->n_weights > 0 ? l->weights[0] : NR_SYM_NONE, l->n_weights > 1 ? l->weights[1] : NR_SYM_NONE};
    return nr_layer_add_op(l, NR_OP_LAYERNORM, ops, 1 + l->n_weights, x->ndim, x->shape, &a, out);
}

static void ln_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_layer_norm_opts *o = &l->o.layer_norm;
    nr_layer_config_common(l, sb);
    if (o->n_axis == 1 && o->axis[0] != -1) nr_strbuf_printf(sb, ", axis=%d", o->axis[0]);
    if (o->n_axis > 1) {
        nr_strbuf_printf(sb, ", axis=[");
        for (int i = 0; i < o->n_axis; i++) nr_strbuf_printf(sb, "%s%d", i ? ", " : "", o->axis[i]);
        nr_strbuf_printf(sb, "]");
    }
    if (epsilon_of(o) != 1e-3f) nr_strbuf_printf(sb, ", epsilon=%.9g", epsilon_of(o));
    if (o->no_center) nr_strbuf_printf(sb, ", center=False");
    if (o->no_scale) nr_strbuf_printf(sb, ", scale=False");
    if (o->rms_scaling) nr_strbuf_printf(sb, ", rms_scaling=True");
    nr_layer_config_init(sb, "beta_initializer", &o->beta_initializer);
    nr_layer_config_init(sb, "gamma_initializer", &o->gamma_initializer);
    nr_layer_config_reg(sb, "beta_regularizer", o->beta_regularizer);
    nr_layer_config_reg(sb, "gamma_regularizer", o->gamma_regularizer);
}

static const nr_layer_class ln_class = {"LayerNormalization", "layer_normalization", 1, 1, ln_call, ln_config,
                                        nr_layer_mask_keep};

nr_status nr_layer_normalization(nr_graph *g, const nr_layer_norm_opts *o, nr_layer **out) {
    *out = NULL;
    float e = epsilon_of(o);
    if (!(e >= 0) || e > 1e30f)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "LayerNormalization: epsilon must be a number >= 0, got %g", e);
    if (o->n_axis < 0 || o->n_axis > NR_MAX_DIMS - 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "LayerNormalization: %d axes given; at most %d", o->n_axis,
                        NR_MAX_DIMS - 1);
    NR_TRY(nr_layer_create(g, &ln_class, &o->base, out));
    (*out)->o.layer_norm = *o;
    (*out)->o.layer_norm.base.name = NULL;
    return NR_OK;
}
