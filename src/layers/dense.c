/* Dense: y = activation(x W + b) on the last axis, W of shape (in, units)
 * as Keras stores it; glorot_uniform kernel and zero bias by default. */
#include <string.h>
#include "layers/layer.h"

static nr_status dense_build(nr_layer *l, int64_t in_dim) {
    const nr_dense_opts *o = &l->o.dense;
    int64_t kshape[2] = {in_dim, o->units}, bshape[1] = {o->units};
    NR_TRY(nr_graph_add_param(l->g, l, 2, kshape, &o->kernel_initializer, NR_INIT_GLOROT_UNIFORM,
                              o->kernel_regularizer, &l->weights[0]));
    l->n_weights = 1;
    if (!o->no_bias) {
        NR_TRY(nr_graph_add_param(l->g, l, 1, bshape, &o->bias_initializer, NR_INIT_ZEROS, o->bias_regularizer,
                                  &l->weights[1]));
        l->n_weights = 2;
    }
    l->built = 1;
    return NR_OK;
}

static nr_status dense_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    char buf[96];
    if (x->ndim < 2)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (Dense) needs an input of rank >= 2, got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    int64_t in_dim = x->shape[x->ndim - 1];
    if (!l->built) {
        NR_TRY(dense_build(l, in_dim));
        x = &l->g->nodes[in[0]]; /* adding the weights may have moved the node array */
    }
    int64_t want = l->g->nodes[l->weights[0]].shape[0];
    if (in_dim != want)
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "layer \"%s\" (Dense) expects the last axis of its input to be %lld, got shape %s", l->name,
                        (long long)want, nr_node_shape_str(x, buf, sizeof buf));
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = l->o.dense.units;
    nr_sym ops[3] = {in[0], l->weights[0], l->weights[1]};
    nr_sym lin, act;
    NR_TRY(nr_layer_add_op(l, NR_OP_LINEAR, ops, 1 + l->n_weights, x->ndim, shape, NULL, &lin));
    NR_TRY(nr_layer_add_activation(l, lin, l->o.dense.activation, l->o.dense.activation_alpha, &act));
    nr_regularizer ar = l->o.dense.activity_regularizer;
    if (ar.l1 != 0 || ar.l2 != 0) {
        nr_op_attrs a = {.penalty = {ar.l1, ar.l2}};
        nr_node p = {.op = NR_OP_PENALTY, .n_in = 1, .in = {act}, .ndim = 0, .a = a};
        nr_sym pen;
        NR_TRY(nr_graph_add_node(l->g, &p, &pen));
    }
    *out = act;
    return NR_OK;
}

/* Initializers as calls with every set field, so a SPEC written from a
 * model rebuilds the same initial weights. */
static void write_init(nr_strbuf *sb, const char *key, const nr_init *in) {
    if (in->kind == NR_INIT_DEFAULT) return;
    nr_strbuf_printf(sb, ", %s=%s(", key, nr_init_name(in->kind));
    const char *sep = "";
    switch (in->kind) {
    case NR_INIT_CONSTANT: nr_strbuf_printf(sb, "value=%.9g", in->value); sep = ", "; break;
    case NR_INIT_RANDOM_NORMAL:
    case NR_INIT_TRUNCATED_NORMAL:
        nr_strbuf_printf(sb, "mean=%.9g, stddev=%.9g", in->mean, in->stddev ? in->stddev : 0.05f);
        sep = ", ";
        break;
    case NR_INIT_RANDOM_UNIFORM:
        if (in->minval || in->maxval) { nr_strbuf_printf(sb, "minval=%.9g, maxval=%.9g", in->minval, in->maxval); sep = ", "; }
        break;
    case NR_INIT_ORTHOGONAL: nr_strbuf_printf(sb, "gain=%.9g", in->gain ? in->gain : 1.0f); sep = ", "; break;
    default: break;
    }
    if (in->has_seed) nr_strbuf_printf(sb, "%sseed=%llu", sep, (unsigned long long)in->seed);
    nr_strbuf_printf(sb, ")");
}

static void write_reg(nr_strbuf *sb, const char *key, nr_regularizer r) {
    if (r.l1 == 0 && r.l2 == 0) return;
    nr_strbuf_printf(sb, ", %s=L1L2(l1=%.9g, l2=%.9g)", key, r.l1, r.l2);
}

static void dense_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_dense_opts *o = &l->o.dense;
    nr_strbuf_printf(sb, "%d", o->units);
    if (o->activation != NR_ACT_LINEAR) nr_strbuf_printf(sb, ", activation=\"%s\"", nr_activation_name(o->activation));
    if (o->no_bias) nr_strbuf_printf(sb, ", use_bias=False");
    write_init(sb, "kernel_initializer", &o->kernel_initializer);
    write_init(sb, "bias_initializer", &o->bias_initializer);
    write_reg(sb, "kernel_regularizer", o->kernel_regularizer);
    write_reg(sb, "bias_regularizer", o->bias_regularizer);
    write_reg(sb, "activity_regularizer", o->activity_regularizer);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class dense_class = {"Dense", "dense", 1, 1, dense_call, dense_config};

nr_status nr_dense(nr_graph *g, const nr_dense_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->units <= 0) return nr_error(NR_STATUS_BAD_ARGUMENT, "Dense: units must be a positive integer, got %d", o->units);
    if ((unsigned)o->activation >= NR_ACT_COUNT_)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Dense: activation %d is not valid", (int)o->activation);
    NR_TRY(nr_layer_create(g, &dense_class, &o->base, out));
    (*out)->o.dense = *o;
    (*out)->o.dense.base.name = NULL;
    return NR_OK;
}
