/* Models as views on the graph: Functional models from inputs to outputs,
 * Sequential models built layer by layer, and models used as layers. */
#include <string.h>
#include "io/model_file.h"
#include "layers/layer.h"
#include "models/model_internal.h"

static nr_status model_alloc(nr_graph *g, const char *name, const char *base, nr_model **out) {
    *out = NULL;
    if (name) NR_TRY(nr_graph_check_name("Model", name));
    nr_model *m = nr_calloc(1, sizeof *m);
    if (!m) return NR_NOMEM();
    m->g = g;
    if (name) snprintf(m->name, sizeof m->name, "%s", name);
    else nr_graph_unique_name(g, base, 0, m->name, sizeof m->name);
    nr_status s = nr_graph_add_model(g, m);
    if (s != NR_OK) { nr_free(m); return s; }
    *out = m;
    return NR_OK;
}

void nr_model_destroy(nr_model *m) {
    nr_plan_free(m->train_plan);
    nr_plan_free(m->eval_plan);
    nr_plan_free(m->infer_plan);
    nr_optimizer_free(m->opt);
    nr_scaler_free(m->scaler);
    nr_labels_free(m->labels);
    nr_series_record_free(m->series);
    nr_prep_free(m->prep);
    nr_free(m->vars);
    nr_free(m->reg_vars);
    nr_free(m->bn_nodes);
    nr_free(m->bn_frozen);
    nr_free(m->calls);
    nr_free(m->seq);
    nr_free(m);
}

/* Marks nodes that depend on the model's inputs. */
static void mark_downstream(const nr_model *m, unsigned char *down) {
    for (int i = 0; i < m->n_in; i++) down[m->in[i]] = 1;
    for (int k = 0; k < m->g->n_nodes; k++)
        for (int j = 0; j < m->g->nodes[k].n_in && !down[k]; j++) down[k] = down[m->g->nodes[k].in[j]];
}

/* Keras's "Graph disconnected" check, then the calls between in and out. */
nr_status nr_model_collect_calls(nr_model *m) {
    const nr_graph *g = m->g;
    unsigned char *up = nr_calloc((size_t)g->n_nodes, 2);
    if (!up) return NR_NOMEM();
    unsigned char *down = up + g->n_nodes;
    for (int i = 0; i < m->n_out; i++) up[m->out[i]] = 1;
    for (int i = 0; i < m->n_added; i++) up[m->added[i].node] = 1; /* the layers of added losses belong too */
    for (int k = g->n_nodes - 1; k >= 0; k--)
        if (up[k])
            for (int j = 0; j < g->nodes[k].n_in; j++) up[g->nodes[k].in[j]] = 1;
    mark_downstream(m, down);
    for (int k = 0; k < g->n_nodes; k++)
        if (up[k] && g->nodes[k].op == NR_OP_INPUT && !down[k]) {
            const char *nm = g->nodes[k].layer ? g->nodes[k].layer->name : "?";
            nr_free(up);
            return nr_error(NR_STATUS_BAD_ARGUMENT,
                            "model \"%s\": graph disconnected: the outputs depend on the input \"%s\", which is not "
                            "one of the model's inputs", m->name, nm);
        }
    int *calls = nr_malloc(((size_t)g->n_calls + 1) * sizeof *calls);
    if (!calls) { nr_free(up); return NR_NOMEM(); }
    int n = 0;
    for (int c = 0; c < g->n_calls; c++) {
        const nr_call *k = &g->calls[c];
        int used = up[k->out];
        for (int i = 0; i < k->n_extra; i++) used |= up[k->extra[i]];
        if (!k->hidden && used && down[k->out]) calls[n++] = c;
    }
    nr_free(up);
    nr_free(m->calls);
    m->calls = calls;
    m->n_calls = n;
    return NR_OK;
}

nr_status nr_model_new(nr_graph *g, const nr_sym *inputs, int n_inputs, const nr_sym *outputs, int n_outputs,
                       const char *name, nr_model **out) {
    *out = NULL;
    if (n_inputs < 1 || n_inputs > NR_MAX_IO || n_outputs < 1 || n_outputs > NR_MAX_IO)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Model: needs 1 to %d inputs and outputs, got %d and %d", NR_MAX_IO,
                        n_inputs, n_outputs);
    for (int i = 0; i < n_inputs; i++)
        if (!nr_graph_valid_sym(g, inputs[i]) || g->nodes[inputs[i]].op != NR_OP_INPUT)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "Model: inputs[%d] is not an Input tensor of this graph", i);
    for (int i = 0; i < n_outputs; i++)
        if (!nr_graph_valid_sym(g, outputs[i]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "Model: outputs[%d] is not a tensor of this graph", i);
    nr_model *m;
    NR_TRY(model_alloc(g, name, "functional", &m));
    m->n_in = n_inputs;
    m->n_out = n_outputs;
    memcpy(m->in, inputs, (size_t)n_inputs * sizeof *inputs);
    memcpy(m->out, outputs, (size_t)n_outputs * sizeof *outputs);
    nr_status s = nr_model_collect_calls(m);
    if (s != NR_OK) {
        g->n_models--;
        nr_model_destroy(m);
        return s;
    }
    *out = m;
    return NR_OK;
}

nr_status nr_sequential_new(nr_graph *g, const char *name, nr_model **out) {
    NR_TRY(model_alloc(g, name, "sequential", out));
    (*out)->sequential = 1;
    return NR_OK;
}

static nr_status seq_call(nr_model *m, nr_layer *l) {
    nr_sym y;
    nr_status s = nr_layer_call(l, &m->out[0], 1, &y);
    if (s != NR_OK) return nr_error_prefix(s, "Sequential \"%s\"", m->name);
    m->out[0] = y;
    m->n_seq_built++;
    return NR_OK;
}

nr_status nr_sequential_build(nr_model *m, int ndim, const int64_t *shape) {
    if (!m->sequential) return nr_error(NR_STATUS_STATE, "model \"%s\" is not Sequential", m->name);
    if (m->n_in == 0) {
        nr_input_opts io = {.ndim = ndim};
        for (int i = 0; i < ndim; i++) io.shape[i] = shape[i];
        NR_TRY(nr_input(m->g, &io, &m->in[0]));
        m->n_in = m->n_out = 1;
        m->out[0] = m->in[0];
    }
    while (m->n_seq_built < m->n_seq) NR_TRY(seq_call(m, m->seq[m->n_seq_built]));
    return nr_model_collect_calls(m);
}

nr_status nr_sequential_add(nr_model *m, nr_layer *l) {
    if (!m->sequential) return nr_error(NR_STATUS_STATE, "model \"%s\" is a Functional model; add() is for Sequential", m->name);
    if (m->compiled && m->prepared)
        return nr_error(NR_STATUS_STATE, "model \"%s\": cannot add layers after training has started", m->name);
    if (l->cls == &nr_input_class) {
        if (m->n_in) return nr_error(NR_STATUS_BAD_ARGUMENT, "Sequential \"%s\": an Input must be the first layer", m->name);
        m->in[0] = m->out[0] = l->input_sym;
        m->n_in = m->n_out = 1;
        return nr_model_collect_calls(m);
    }
    if (m->n_seq == m->cap_seq) {
        int cap = m->cap_seq ? 2 * m->cap_seq : 8;
        nr_layer **p = nr_realloc(m->seq, (size_t)cap * sizeof *p);
        if (!p) return NR_NOMEM();
        m->seq = p;
        m->cap_seq = cap;
    }
    m->seq[m->n_seq++] = l;
    const nr_layer_base *b = &l->o.dense.base; /* every options struct starts with its base */
    if (m->n_in == 0 && m->n_seq == 1 && b->input_ndim > 0) return nr_sequential_build(m, b->input_ndim, b->input_shape);
    if (m->n_in == 0) return NR_OK;
    return nr_sequential_build(m, 0, NULL);
}

/* --- a model called as a layer ---------------------------------------- */

static nr_status model_layer_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    nr_model *m = l->model;
    nr_graph *g = l->g;
    if (m->n_in == 0) {
        const nr_node *x = &g->nodes[in[0]];
        NR_TRY(nr_sequential_build(m, x->ndim - 1, x->shape + 1));
    }
    if (n_in != m->n_in || m->n_out > NR_MAX_OUTPUTS)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "model \"%s\" used as a layer takes %d inputs and can have up to %d outputs (it has %d)",
                        m->name, m->n_in, NR_MAX_OUTPUTS, m->n_out);
    nr_sym *map = nr_malloc((size_t)g->n_nodes * sizeof *map);
    if (!map) return NR_NOMEM();
    for (int k = 0; k < g->n_nodes; k++) map[k] = k;
    nr_status s = NR_OK;
    for (int i = 0; i < n_in && s == NR_OK; i++) {
        const nr_node *a = &g->nodes[in[i]], *b = &g->nodes[m->in[i]];
        int same = a->ndim == b->ndim;
        for (int d = 1; same && d < a->ndim; d++) same = a->shape[d] == b->shape[d];
        if (!same) {
            char x[96], y[96];
            s = nr_error(NR_STATUS_BAD_SHAPE, "model \"%s\" expects input %d of shape %s, got %s", m->name, i,
                         nr_node_shape_str(b, y, sizeof y), nr_node_shape_str(a, x, sizeof x));
        }
        map[m->in[i]] = in[i];
    }
    int first = g->n_calls, n_calls = m->n_calls;
    for (int c = 0; c < n_calls && s == NR_OK; c++) {
        nr_call call = g->calls[m->calls[c]];
        nr_sym ins[NR_MAX_IN], y;
        for (int i = 0; i < call.n_in; i++) ins[i] = map[call.in[i]];
        s = nr_layer_call(call.layer, ins, call.n_in, &y);
        if (s != NR_OK) break;
        map[call.out] = y;
        for (int i = 0; i < call.n_extra; i++) map[call.extra[i]] = call.layer->outputs[1 + i];
    }
    if (s == NR_OK) {
        for (int c = first; c < g->n_calls; c++) g->calls[c].hidden = 1;
        *out = map[m->out[0]];
        /* Several outputs (a VAE encoder's z_mean, z_log_var, z) are the
         * call's outputs as an RNN's states are. */
        for (int i = 0; i < m->n_out; i++) l->outputs[i] = map[m->out[i]];
        l->n_outputs = m->n_out;
    }
    nr_free(map);
    return s;
}

static void model_layer_config(const nr_layer *l, nr_strbuf *sb) { nr_layer_config_common(l, sb); }

/* Keras's class names: Sequential, or Functional for Model(inputs, outputs). */
static const nr_layer_class sequential_layer_class = {"Sequential", "model", 1, NR_MAX_IO, model_layer_call,
                                                      model_layer_config, NULL};
static const nr_layer_class functional_layer_class = {"Functional", "model", 1, NR_MAX_IO, model_layer_call,
                                                      model_layer_config, NULL};

nr_status nr_model_as_layer(nr_model *m, nr_layer **out) {
    if (m->as_layer) { *out = m->as_layer; return NR_OK; }
    *out = NULL;
    nr_layer *l;
    /* The layer is the model and takes its name, which the model holds. */
    NR_TRY(nr_graph_add_layer(m->g, m->sequential ? &sequential_layer_class : &functional_layer_class, NULL, &l));
    snprintf(l->name, sizeof l->name, "%s", m->name);
    l->model = m;
    l->built = 1;
    m->as_layer = *out = l;
    return NR_OK;
}

/* --- accessors -------------------------------------------------------- */

nr_graph *nr_model_graph(const nr_model *m) { return m->g; }
const char *nr_model_name(const nr_model *m) { return m->name; }
int nr_model_n_inputs(const nr_model *m) { return m->n_in; }
int nr_model_n_outputs(const nr_model *m) { return m->n_out; }
nr_sym nr_model_input(const nr_model *m, int i) { return i >= 0 && i < m->n_in ? m->in[i] : NR_SYM_NONE; }
nr_sym nr_model_output(const nr_model *m, int i) { return i >= 0 && i < m->n_out ? m->out[i] : NR_SYM_NONE; }
int nr_model_n_layers(const nr_model *m) { return m->sequential && m->n_in == 0 ? m->n_seq : m->n_calls; }

nr_layer *nr_model_layer(const nr_model *m, int i) {
    if (i < 0 || i >= nr_model_n_layers(m)) return NULL;
    return m->sequential && m->n_in == 0 ? m->seq[i] : m->g->calls[m->calls[i]].layer;
}

nr_layer *nr_model_get_layer(const nr_model *m, const char *name) {
    for (int i = 0; i < nr_model_n_layers(m); i++)
        if (strcmp(nr_model_layer(m, i)->name, name) == 0) return nr_model_layer(m, i);
    return NULL;
}

/* Parameters upstream of the outputs, each counted once even when shared. */
void nr_model_count_params(const nr_model *m, int64_t *trainable, int64_t *non_trainable) {
    const nr_graph *g = m->g;
    int64_t t = 0, f = 0;
    unsigned char *up = nr_calloc((size_t)g->n_nodes + 1, 1);
    if (up) {
        for (int i = 0; i < m->n_out; i++) up[m->out[i]] = 1;
        for (int k = g->n_nodes - 1; k >= 0; k--)
            if (up[k])
                for (int j = 0; j < g->nodes[k].n_in; j++) up[g->nodes[k].in[j]] = 1;
        for (int k = 0; k < g->n_nodes; k++) {
            const nr_node *n = &g->nodes[k];
            if (!up[k] || n->op != NR_OP_PARAM) continue;
            int64_t c = nr_node_numel(n, 1);
            if (nr_graph_param_trainable(n)) t += c;
            else f += c;
        }
    }
    nr_free(up);
    if (trainable) *trainable = t;
    if (non_trainable) *non_trainable = f;
}
