/* RepeatVector(n): (N, F) -> (N, n, F). */
#include "layers/layer.h"

/* Values per output sample beyond which n is surely a mistake. */
#define MAX_ROW 2147483647.0

static nr_status repeat_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    int n = l->o.repeat_vector.n;
    char buf[96];
    if (x->ndim != 2)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (RepeatVector) needs input (batch, features), got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    if ((double)n * (double)x->shape[1] > MAX_ROW)
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "layer \"%s\" (RepeatVector): n=%d copies of %s give more than %.0f values per sample", l->name, n, nr_node_shape_str(x, buf, sizeof buf), MAX_ROW);
    nr_op_attrs a = {.repeat = {n}};
    int64_t shape[3] = {-1, n, x->shape[1]};
    return nr_layer_add_op(l, NR_OP_REPEAT, in, 1, 3, shape, &a, out);
}

static void repeat_config(const nr_layer *l, nr_strbuf *sb) {
    nr_strbuf_printf(sb, "%d, ", l->o.repeat_vector.n);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class repeat_class = {"RepeatVector", "repeat_vector", 1, 1, repeat_call, repeat_config, NULL};

nr_status nr_repeat_vector(nr_graph *g, const nr_repeat_vector_opts *o, nr_layer **out) {
    *out = NULL;
    if (o->n <= 0) return nr_error(NR_STATUS_BAD_ARGUMENT, "RepeatVector: n must be a positive integer, got %d", o->n);
    NR_TRY(nr_layer_create(g, &repeat_class, &o->base, out));
    (*out)->o.repeat_vector = *o;
    (*out)->o.repeat_vector.base.name = NULL;
    return NR_OK;
}
