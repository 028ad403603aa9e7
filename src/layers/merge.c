/* Merge layers: Concatenate(axis) and the elementwise Add, Subtract,
 * Multiply, Average and Maximum over inputs of one shape. */
#include <string.h>
#include "layers/layer.h"

static const struct { const char *type, *base; nr_op_kind op; } merges[] = {
    [NR_MERGE_CONCATENATE] = {"Concatenate", "concatenate", NR_OP_CONCAT},
    [NR_MERGE_ADD] = {"Add", "add", NR_OP_ADD},
    [NR_MERGE_SUBTRACT] = {"Subtract", "subtract", NR_OP_SUB},
    [NR_MERGE_MULTIPLY] = {"Multiply", "multiply", NR_OP_MUL},
    [NR_MERGE_AVERAGE] = {"Average", "average", NR_OP_AVG},
    [NR_MERGE_MAXIMUM] = {"Maximum", "maximum", NR_OP_MAX},
};

static nr_status shape_error(nr_layer *l, const nr_sym *in, int n_in, const char *why) {
    char msg[512] = "", buf[96];
    size_t k = 0;
    for (int i = 0; i < n_in && k < sizeof msg; i++)
        k += (size_t)snprintf(msg + k, sizeof msg - k, "%s%s", i ? ", " : "",
                              nr_node_shape_str(&l->g->nodes[in[i]], buf, sizeof buf));
    return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s): %s; got input shapes %s", l->name, l->cls->type, why, msg);
}

static nr_status concat_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    const nr_node *x0 = &l->g->nodes[in[0]];
    int axis = l->o.merge.axis == 0 ? -1 : l->o.merge.axis;
    if (axis < 0) axis += x0->ndim;
    if (axis < 1 || axis >= x0->ndim) return shape_error(l, in, n_in, "axis is out of range (the batch axis 0 cannot be joined)");
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, x0->shape, sizeof shape);
    shape[axis] = 0;
    for (int i = 0; i < n_in; i++) {
        const nr_node *x = &l->g->nodes[in[i]];
        if (x->ndim != x0->ndim) return shape_error(l, in, n_in, "inputs must have the same rank");
        for (int d = 1; d < x->ndim; d++)
            if (d != axis && x->shape[d] != x0->shape[d])
                return shape_error(l, in, n_in, "inputs must match on every axis except the concatenation axis");
        shape[axis] += x->shape[axis];
    }
    nr_op_attrs a = {.concat = {axis}};
    return nr_layer_add_op(l, NR_OP_CONCAT, in, n_in, x0->ndim, shape, &a, out);
}

static nr_status merge_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    nr_merge_kind k = l->o.merge.kind;
    if (k == NR_MERGE_CONCATENATE) return concat_call(l, in, n_in, out);
    if (k == NR_MERGE_SUBTRACT && n_in != 2) return shape_error(l, in, n_in, "Subtract takes exactly 2 inputs");
    const nr_node *x0 = &l->g->nodes[in[0]];
    for (int i = 1; i < n_in; i++) {
        const nr_node *x = &l->g->nodes[in[i]];
        int same = x->ndim == x0->ndim;
        for (int d = 1; same && d < x->ndim; d++) same = x->shape[d] == x0->shape[d];
        if (!same) return shape_error(l, in, n_in, "inputs must all have the same shape");
    }
    return nr_layer_add_op(l, merges[k].op, in, n_in, x0->ndim, x0->shape, NULL, out);
}

static void merge_config(const nr_layer *l, nr_strbuf *sb) {
    if (l->o.merge.kind == NR_MERGE_CONCATENATE && l->o.merge.axis != 0 && l->o.merge.axis != -1)
        nr_strbuf_printf(sb, "axis=%d, ", l->o.merge.axis);
    nr_layer_config_common(l, sb);
}

/* A MASK node of kind over ins, shaped like mask node like. */
static nr_status add_mask(nr_layer *l, nr_mask_kind kind, const nr_sym *ins, int n, nr_sym like, nr_sym *out) {
    const nr_node *m = &l->g->nodes[like];
    nr_op_attrs a = {.mask = {kind, 0}};
    return nr_layer_add_op(l, NR_OP_MASK, ins, n, m->ndim, m->shape, &a, out);
}

/* Concatenate's compute_mask in Keras 3: an input without a mask counts as
 * all kept; along the last axis the steps' masks are OR-ed (so one input
 * without a mask keeps every step), along a masked axis (time) the masks
 * are concatenated. */
static nr_status concat_mask(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out, nr_sym *mask) {
    nr_sym first = NR_SYM_NONE, parts[NR_MAX_IN];
    int unmasked = 0;
    for (int i = 0; i < n_in; i++) {
        if (masks[i] == NR_SYM_NONE) unmasked++;
        else if (first == NR_SYM_NONE) first = masks[i];
    }
    if (first == NR_SYM_NONE) return NR_OK;
    const nr_node *y = &l->g->nodes[out];
    int axis = y->a.concat.axis, md = l->g->nodes[first].ndim;
    if (axis == y->ndim - 1) {
        if (unmasked) return add_mask(l, NR_MASK_ONES, in, 1, first, mask);
        return add_mask(l, NR_MASK_OR, masks, n_in, first, mask);
    }
    if (axis >= md) return NR_OK;
    for (int i = 0; i < n_in; i++) {
        parts[i] = masks[i];
        if (parts[i] != NR_SYM_NONE) continue;
        const nr_node *x = &l->g->nodes[in[i]];
        nr_op_attrs a = {.mask = {NR_MASK_ONES, 0}};
        NR_TRY(nr_layer_add_op(l, NR_OP_MASK, &in[i], 1, md, x->shape, &a, &parts[i]));
    }
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, l->g->nodes[first].shape, sizeof shape);
    shape[axis] = y->shape[axis];
    nr_op_attrs a = {.concat = {axis}};
    return nr_layer_add_op(l, NR_OP_CONCAT, parts, n_in, md, shape, &a, mask);
}

/* Merge.compute_mask in Keras 3: the OR of the inputs' masks when every
 * input has one, else none. */
static nr_status merge_mask(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out, nr_sym *mask) {
    if (l->o.merge.kind == NR_MERGE_CONCATENATE) return concat_mask(l, in, masks, n_in, out, mask);
    for (int i = 0; i < n_in; i++)
        if (masks[i] == NR_SYM_NONE) return NR_OK;
    if (n_in == 1) {
        *mask = masks[0];
        return NR_OK;
    }
    return add_mask(l, NR_MASK_OR, masks, n_in, masks[0], mask);
}

static const nr_layer_class merge_classes[] = {
    [NR_MERGE_CONCATENATE] = {"Concatenate", "concatenate", 1, NR_MAX_IN, merge_call, merge_config, merge_mask},
    [NR_MERGE_ADD] = {"Add", "add", 1, NR_MAX_IN, merge_call, merge_config, merge_mask},
    [NR_MERGE_SUBTRACT] = {"Subtract", "subtract", 2, 2, merge_call, merge_config, merge_mask},
    [NR_MERGE_MULTIPLY] = {"Multiply", "multiply", 1, NR_MAX_IN, merge_call, merge_config, merge_mask},
    [NR_MERGE_AVERAGE] = {"Average", "average", 1, NR_MAX_IN, merge_call, merge_config, merge_mask},
    [NR_MERGE_MAXIMUM] = {"Maximum", "maximum", 1, NR_MAX_IN, merge_call, merge_config, merge_mask},
};

nr_status nr_merge(nr_graph *g, const nr_merge_opts *o, nr_layer **out) {
    *out = NULL;
    if ((unsigned)o->kind > NR_MERGE_MAXIMUM)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "merge layer kind %d is not valid", (int)o->kind);
    NR_TRY(nr_layer_create(g, &merge_classes[o->kind], &o->base, out));
    (*out)->o.merge = *o;
    (*out)->o.merge.base.name = NULL;
    return NR_OK;
}
