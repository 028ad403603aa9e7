/* Lambda: a layer running a user op from C (neurona/custom.h). The op is
 * copied into the layer, and the layer's CUSTOM nodes point at that copy,
 * which lives as long as the graph. */
#include <string.h>
#include "layers/layer.h"

static nr_status shape_error(nr_layer *l, const nr_sym *in, int n_in) {
    char msg[512] = "", buf[96];
    size_t k = 0;
    for (int i = 0; i < n_in && k < sizeof msg; i++)
        k += (size_t)snprintf(msg + k, sizeof msg - k, "%s%s", i ? ", " : "",
                              nr_node_shape_str(&l->g->nodes[in[i]], buf, sizeof buf));
    return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (Lambda): op \"%s\" refused the input shapes %s", l->name,
                    l->o.lambda.op.name, msg);
}

static nr_status lambda_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    const nr_custom_op *op = &l->o.lambda.op;
    if (n_in != op->n_inputs)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\" (Lambda): op \"%s\" takes %d input%s, got %d", l->name,
                        op->name, op->n_inputs, op->n_inputs == 1 ? "" : "s", n_in);
    int ndim[NR_CUSTOM_MAX_IN], out_ndim = 0;
    int64_t shape[NR_CUSTOM_MAX_IN][NR_MAX_DIMS] = {{0}}, out_shape[NR_MAX_DIMS] = {0}, full[NR_MAX_DIMS] = {-1};
    for (int i = 0; i < n_in; i++) {
        const nr_node *x = &l->g->nodes[in[i]];
        if (!x->batched) return shape_error(l, in, n_in);
        ndim[i] = x->ndim - 1;
        memcpy(shape[i], x->shape + 1, (size_t)ndim[i] * sizeof(int64_t));
    }
    if (op->shape) {
        if (op->shape(n_in, ndim, (const int64_t (*)[NR_MAX_DIMS])shape, &out_ndim, out_shape, op->user) != 0 ||
            out_ndim < 0 || out_ndim > NR_MAX_DIMS - 1)
            return shape_error(l, in, n_in);
        for (int d = 0; d < out_ndim; d++)
            if (out_shape[d] < 1) return shape_error(l, in, n_in);
    } else {
        out_ndim = ndim[0];
        memcpy(out_shape, shape[0], sizeof out_shape);
    }
    memcpy(full + 1, out_shape, (size_t)out_ndim * sizeof(int64_t));
    nr_op_attrs a = {.custom = {op}};
    return nr_layer_add_op(l, NR_OP_CUSTOM, in, n_in, out_ndim + 1, full, &a, out);
}

/* A SPEC cannot hold C code: the text names the op, and loading it
 * refuses with that name (io/spec_layers.c). */
static void lambda_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "\"%s\", ", l->o.lambda.op.name);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class lambda_class = {"Lambda", "lambda", 1, NR_CUSTOM_MAX_IN, lambda_call, lambda_config, NULL};

nr_status nr_lambda(nr_graph *g, const nr_lambda_opts *o, nr_layer **out) {
    *out = NULL;
    const nr_custom_op *op = &o->op;
    if (!op->name || !*op->name || strchr(op->name, '"') || strchr(op->name, '\\') || strchr(op->name, '\n'))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Lambda: the op needs a name without quotes, backslashes or line breaks");
    if (op->n_inputs < 1 || op->n_inputs > NR_CUSTOM_MAX_IN)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Lambda: op \"%s\" must take 1 to %d inputs, got %d", op->name,
                        NR_CUSTOM_MAX_IN, op->n_inputs);
    if (!op->forward || !op->backward)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Lambda: op \"%s\" needs both a forward and a backward function",
                        op->name);
    NR_TRY(nr_layer_create(g, &lambda_class, &o->base, out));
    (*out)->o.lambda = *o;
    (*out)->o.lambda.base.name = NULL;
    return NR_OK;
}
