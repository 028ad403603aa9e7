/* The generic layer call: checks, the layer's own call, and the call record
 * that summaries, SPEC text and nested models are built from. */
#include <math.h>
#include <string.h>
#include "core/rng.h"
#include "layers/layer.h"
#include "neurona/model.h"

nr_status nr_layer_create(nr_graph *g, const nr_layer_class *cls, const nr_layer_base *base, nr_layer **out) {
    NR_TRY(nr_graph_add_layer(g, cls, base ? base->name : NULL, out));
    if (base && base->frozen) (*out)->trainable = 0;
    return NR_OK;
}

nr_status nr_layer_mask_keep(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out, nr_sym *mask) {
    (void)l, (void)in, (void)n_in, (void)out;
    *mask = masks[0];
    return NR_OK;
}

/* Keras 3's rule: a layer that supports masking sets compute_mask's result
 * on its output; the new output of any other layer has none. A mask only
 * goes on an output that still has the masked leading axes (Dense on
 * (N, T, F) keeps (N, T)); an output that is one of the inputs (a linear
 * activation) and the output of a nested model (masked by its own layers)
 * are left as they are. */
static nr_status propagate_mask(nr_layer *l, const nr_sym *in, int n_in, nr_sym out) {
    nr_graph *g = l->g;
    nr_sym masks[NR_MAX_IN], m = NR_SYM_NONE;
    if (!l->cls->compute_mask) return NR_OK;
    for (int i = 0; i < n_in; i++) {
        if (in[i] == out) return NR_OK;
        masks[i] = g->nodes[in[i]].mask;
    }
    NR_TRY(l->cls->compute_mask(l, in, masks, n_in, out, &m));
    const nr_node *y = &g->nodes[out], *mn = m != NR_SYM_NONE ? &g->nodes[m] : NULL;
    int fits = mn && y->batched && mn->ndim < y->ndim;
    for (int i = 1; fits && i < mn->ndim; i++) fits = mn->shape[i] == y->shape[i];
    return nr_graph_set_mask(g, out, fits ? m : NR_SYM_NONE);
}

nr_status nr_layer_call(nr_layer *l, const nr_sym *inputs, int n_inputs, nr_sym *out) {
    const nr_layer_class *c = l->cls;
    if (n_inputs < c->min_inputs || n_inputs > c->max_inputs) {
        *out = NR_SYM_NONE;
        if (c->min_inputs == c->max_inputs)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\" (%s) takes %d input%s, got %d", l->name, c->type,
                            c->min_inputs, c->min_inputs == 1 ? "" : "s", n_inputs);
        return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\" (%s) takes %d to %d inputs, got %d", l->name, c->type,
                        c->min_inputs, c->max_inputs, n_inputs);
    }
    /* A copy, so out may alias inputs (h = layer(h)). */
    nr_sym in[NR_MAX_IN];
    for (int i = 0; i < n_inputs; i++) {
        if (!nr_graph_valid_sym(l->g, inputs[i])) {
            *out = NR_SYM_NONE;
            return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\" (%s): input %d is not a tensor of this graph",
                            l->name, c->type, i);
        }
        in[i] = inputs[i];
    }
    *out = NR_SYM_NONE;
    int penalties_before = l->g->n_nodes;
    l->n_outputs = 0;
    NR_TRY(c->call(l, in, n_inputs, out));
    NR_TRY(propagate_mask(l, in, n_inputs, *out));
    if (!l->n_outputs) {
        l->outputs[0] = *out;
        l->n_outputs = 1;
    }
    NR_TRY(nr_graph_add_call(l->g, l, in, n_inputs, *out));
    nr_call *rec = &l->g->calls[l->g->n_calls - 1];
    for (int i = 1; i < l->n_outputs; i++) rec->extra[rec->n_extra++] = l->outputs[i];
    for (int k = penalties_before; k < l->g->n_nodes; k++)
        if (l->g->nodes[k].op == NR_OP_PENALTY) l->g->calls[l->g->n_calls - 1].penalty = k;
    return NR_OK;
}

nr_status nr_layer_call_outputs(nr_layer *l, const nr_sym *inputs, int n_inputs, nr_sym *outs, int max_out,
                                int *n_out) {
    nr_sym y;
    *n_out = 0;
    NR_TRY(nr_layer_call(l, inputs, n_inputs, &y));
    if (l->n_outputs > max_out)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\" (%s) has %d outputs, room was given for %d", l->name,
                        l->cls->type, l->n_outputs, max_out);
    for (int i = 0; i < l->n_outputs; i++) outs[i] = l->outputs[i];
    *n_out = l->n_outputs;
    return NR_OK;
}

nr_status nr_layer_add_op(nr_layer *l, nr_op_kind op, const nr_sym *in, int n_in, int ndim,
                          const int64_t *shape, const nr_op_attrs *a, nr_sym *out) {
    nr_node n = {.op = op, .n_in = n_in, .ndim = ndim, .batched = 1};
    for (int i = 0; i < n_in; i++) n.in[i] = in[i];
    for (int i = 0; i < ndim; i++) n.shape[i] = shape[i];
    n.shape[0] = -1;
    if (a) n.a = *a;
    return nr_graph_add_node(l->g, &n, out);
}

nr_status nr_layer_add_kernel_bias(nr_layer *l, int ndim, const int64_t *kshape, int64_t units, int no_bias,
                                   const nr_init *kinit, const nr_init *binit, nr_regularizer kreg,
                                   nr_regularizer breg) {
    NR_TRY(nr_graph_add_param(l->g, l, ndim, kshape, kinit, NR_INIT_GLOROT_UNIFORM, kreg, &l->weights[0]));
    l->n_weights = 1;
    if (!no_bias) {
        NR_TRY(nr_graph_add_param(l->g, l, 1, &units, binit, NR_INIT_ZEROS, breg, &l->weights[1]));
        l->n_weights = 2;
    }
    l->built = 1;
    return NR_OK;
}

uint64_t nr_layer_op_seed(const nr_layer *l, int has_seed, uint64_t seed) {
    return nr_splitmix64((has_seed ? seed : l->g->seed) ^ (uint64_t)l->g->n_nodes * 0x9E37ull);
}

nr_status nr_layer_add_activity_penalty(nr_layer *l, nr_sym y, nr_regularizer r) {
    if (r.l1 == 0 && r.l2 == 0) return NR_OK;
    nr_node p = {.op = NR_OP_PENALTY, .n_in = 1, .in = {y}, .ndim = 0, .a = {.penalty = {r.l1, r.l2}}};
    nr_sym pen;
    return nr_graph_add_node(l->g, &p, &pen);
}

float nr_layer_default(float v, float def) { return v == 0.0f ? (signbit(v) ? 0.0f : def) : v; }

float nr_activation_default_alpha(nr_activation fn, float alpha) {
    if (alpha != 0) return alpha;
    if (fn == NR_ACT_LEAKY_RELU) return 0.2f;
    if (fn == NR_ACT_ELU) return 1.0f;
    return 0;
}

nr_status nr_layer_add_activation(nr_layer *l, nr_sym x, nr_activation fn, float alpha, nr_sym *out) {
    if ((unsigned)fn >= NR_ACT_COUNT_)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\": activation %d is not valid", l->name, (int)fn);
    if (fn == NR_ACT_LINEAR) { *out = x; return NR_OK; }
    const nr_node *n = &l->g->nodes[x];
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, n->shape, sizeof shape);
    if (fn == NR_ACT_SOFTMAX) return nr_layer_add_op(l, NR_OP_SOFTMAX, &x, 1, n->ndim, shape, NULL, out);
    nr_op_attrs a = {.act = {fn, nr_activation_default_alpha(fn, alpha)}};
    return nr_layer_add_op(l, NR_OP_ACT, &x, 1, n->ndim, shape, &a, out);
}

void nr_strbuf_shape(nr_strbuf *sb, int ndim, const int64_t *shape) {
    nr_strbuf_printf(sb, "(");
    for (int i = 0; i < ndim; i++) nr_strbuf_printf(sb, "%s%lld", i ? ", " : "", (long long)shape[i]);
    nr_strbuf_printf(sb, ndim == 1 ? ",)" : ")");
}

/* Initializers as calls with every set field, so a SPEC written from a
 * model rebuilds the same initial weights. */
void nr_layer_config_init(nr_strbuf *sb, const char *key, const nr_init *in) {
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

void nr_layer_config_reg(nr_strbuf *sb, const char *key, nr_regularizer r) {
    if (r.l1 == 0 && r.l2 == 0) return;
    nr_strbuf_printf(sb, ", %s=L1L2(l1=%.9g, l2=%.9g)", key, r.l1, r.l2);
}

void nr_layer_config_weights(nr_strbuf *sb, int no_bias, const nr_init *kinit, const nr_init *binit,
                             nr_regularizer kreg, nr_regularizer breg, nr_regularizer areg) {
    if (no_bias) nr_strbuf_printf(sb, ", use_bias=False");
    nr_layer_config_init(sb, "kernel_initializer", kinit);
    nr_layer_config_init(sb, "bias_initializer", binit);
    nr_layer_config_reg(sb, "kernel_regularizer", kreg);
    nr_layer_config_reg(sb, "bias_regularizer", breg);
    nr_layer_config_reg(sb, "activity_regularizer", areg);
}

void nr_layer_config_common(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "name=\"%s\"", l->name);
    if (!l->trainable) nr_strbuf_printf(sb, ", trainable=False");
}

const char *nr_layer_name(const nr_layer *l) { return l->name; }
const char *nr_layer_type(const nr_layer *l) { return l->cls->type; }
void nr_layer_set_trainable(nr_layer *l, int trainable) {
    l->trainable = trainable != 0;
    if (l->inner) nr_layer_set_trainable(l->inner, trainable);
}
int nr_layer_trainable(const nr_layer *l) { return l->trainable; }
int nr_layer_n_weights(const nr_layer *l) { return l->inner ? nr_layer_n_weights(l->inner) : l->n_weights; }

nr_status nr_layer_weight(const nr_layer *l, int i, nr_tensor *view) {
    if (l->inner) return nr_layer_weight(l->inner, i, view);
    if (i < 0 || i >= l->n_weights)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\" has %d weights, asked for weight %d", l->name,
                        l->n_weights, i);
    const nr_node *n = &l->g->nodes[l->weights[i]];
    memset(view, 0, sizeof *view);
    view->ndim = n->ndim;
    for (int d = 0; d < n->ndim; d++) view->shape[d] = n->shape[d];
    view->data = l->g->params + n->param_off;
    return NR_OK;
}

/* A model used as a layer counts its layers' weights, as Keras's
 * count_params() does. */
int64_t nr_layer_count_params(const nr_layer *l) {
    int64_t total = 0, frozen = 0;
    if (l->model) {
        nr_model_count_params(l->model, &total, &frozen);
        return total + frozen;
    }
    if (l->inner) return nr_layer_count_params(l->inner);
    for (int i = 0; i < l->n_weights; i++) {
        const nr_node *n = &l->g->nodes[l->weights[i]];
        int64_t k = 1;
        for (int d = 0; d < n->ndim; d++) k *= n->shape[d];
        total += k;
    }
    return total;
}
