/* A model as SPEC text that nr_spec_load_string rebuilds into the same
 * architecture: the same layer names, types, configurations (from each
 * layer class's config() hook), connectivity and trainable flags, and the
 * same order of layer calls, hence of parameter creation.
 *
 * Layer calls are written in the graph's call order. A call that belongs
 * to a Sequential becomes S.add(...); any other becomes t = layer(inputs).
 * Models used inside others (a layer whose ->model is set) are written
 * before their first use; a functional model's Model(...) line comes once
 * its calls are written. A layer used once is written inline; a shared
 * layer gets a variable first. The model itself is the variable "model". */
#include <string.h>
#include "io/spec_build.h"
#include "layers/layer.h"

typedef struct writer {
    const nr_graph *g;
    nr_strbuf *sb;
    char **used; /* identifiers taken */
    int n_used, cap_used;
    char **node_var; /* per node: the variable holding it */
    char **layer_var; /* per graph layer */
    int *uses; /* per graph layer: calls and adds written */
    unsigned char *needed; /* per node: read by a functional call or a model line */
    signed char *seq_of_call; /* per call: index in models[] of its Sequential, or -1 */
    unsigned char *func_call; /* per call: written as t = layer(...) */
    const nr_model *models[64]; /* the model and the models inside it, inner first */
    char *model_var[64];
    unsigned char started[64], defined[64], used_as_layer[64];
    int n_models;
    int failed;
} writer;

static const char *const reserved[] = {
    "True",         "False",       "None",       "model",     "import", "from",    "def",       "class",
    "if",           "else",        "for",        "while",     "return", "lambda",  "with",      "try",
    "and",          "or",          "not",        "in",        "is",     "keras",   "tf",        "tensorflow",
    "layers",       "models",      "optimizers", "schedules", "losses", "metrics", "callbacks", "initializers",
    "regularizers", "activations", "nn",         NULL,
};

static int taken(const writer *w, const char *s) {
    for (int i = 0; reserved[i]; i++)
        if (!strcmp(s, reserved[i])) return 1;
    if (nr_spec_find_builtin(s)) return 1;
    for (int i = 0; i < w->n_used; i++)
        if (!strcmp(w->used[i], s)) return 1;
    return 0;
}

/* A fresh identifier made from a layer or model name. */
static char *ident(writer *w, const char *name, const char *suffix) {
    char base[96], cand[112];
    size_t k = 0;
    if (!(name[0] >= 'a' && name[0] <= 'z') && !(name[0] >= 'A' && name[0] <= 'Z') && name[0] != '_') base[k++] = 'v';
    for (size_t i = 0; name[i] && k < 64; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        base[k++] = ok ? c : '_';
    }
    snprintf(base + k, sizeof base - k, "%s", suffix);
    snprintf(cand, sizeof cand, "%s", base);
    if (taken(w, cand) && !suffix[0]) snprintf(base + k, sizeof base - k, "_out"); /* concatenate_out */
    snprintf(cand, sizeof cand, "%s", base);
    for (int n = 2; taken(w, cand); n++) snprintf(cand, sizeof cand, "%s_%d", base, n);
    if (w->n_used == w->cap_used) {
        int cap = w->cap_used ? 2 * w->cap_used : 64;
        char **p = nr_realloc(w->used, (size_t)cap * sizeof *p);
        if (!p) {
            w->failed = 1;
            return NULL;
        }
        w->used = p;
        w->cap_used = cap;
    }
    char *s = nr_strdup(cand);
    if (!s) {
        w->failed = 1;
        return NULL;
    }
    return w->used[w->n_used++] = s;
}

static int layer_index(const writer *w, const nr_layer *l) {
    for (int i = 0; i < w->g->n_layers; i++)
        if (w->g->layers[i] == l) return i;
    return -1;
}

static int model_index(const writer *w, const nr_model *m) {
    for (int i = 0; i < w->n_models; i++)
        if (w->models[i] == m) return i;
    return -1;
}

/* --- which models, calls and layers ----------------------------------------- */

static nr_status collect_models(writer *w, const nr_model *m, int depth) {
    if (model_index(w, m) >= 0) return NR_OK;
    if (depth > 16 || w->n_models == 64)
        return nr_error(NR_STATUS_UNSUPPORTED, "model \"%s\": models nested too deeply or too many to write", m->name);
    for (int i = 0; i < nr_model_n_layers(m); i++) {
        const nr_layer *l = nr_model_layer(m, i);
        if (l->model) NR_TRY(collect_models(w, l->model, depth + 1));
    }
    w->models[w->n_models++] = m;
    return NR_OK;
}

/* The tensor given to add_loss: the input of its batch mean, or the scalar. */
static nr_sym added_tensor(const writer *w, const nr_added_loss *a) {
    const nr_node *n = &w->g->nodes[a->node];
    return n->op == NR_OP_BATCH_MEAN ? n->in[0] : a->node;
}

static void mark_calls(writer *w) {
    const nr_graph *g = w->g;
    for (int c = 0; c < g->n_calls; c++) w->seq_of_call[c] = -1;
    for (int k = 0; k < w->n_models; k++) {
        const nr_model *m = w->models[k];
        for (int i = 0; i < m->n_calls; i++) {
            if (m->sequential)
                w->seq_of_call[m->calls[i]] = (signed char)k;
            else
                w->func_call[m->calls[i]] = 1;
        }
        for (int i = 0; i < m->n_in && !m->sequential; i++) w->needed[m->in[i]] = 1;
        for (int i = 0; i < m->n_out && !m->sequential; i++) w->needed[m->out[i]] = 1;
        for (int i = 0; i < m->n_added; i++) w->needed[added_tensor(w, &m->added[i])] = 1;
        if (m->sequential && m->n_in == 0)
            for (int i = 0; i < m->n_seq; i++) w->uses[layer_index(w, m->seq[i])]++;
    }
    for (int c = 0; c < g->n_calls; c++) {
        if (!w->func_call[c] && w->seq_of_call[c] < 0) continue;
        if (w->seq_of_call[c] >= 0) w->func_call[c] = 0; /* written as an add; its output bound if needed */
        w->uses[layer_index(w, g->calls[c].layer)]++;
        if (w->func_call[c])
            for (int i = 0; i < g->calls[c].n_in; i++) w->needed[g->calls[c].in[i]] = 1;
    }
}

/* --- writing pieces ---------------------------------------------------------- */

static nr_status define_model(writer *w, int k);

static const char *input_var(writer *w, nr_sym s) {
    if (w->node_var[s]) return w->node_var[s];
    const nr_layer *l = w->g->nodes[s].layer;
    char *v = ident(w, l ? l->name : "input", "");
    if (!v) return "?";
    nr_strbuf_printf(w->sb, "%s = Input(shape=", v);
    nr_strbuf_shape(w->sb, l->o.input.ndim, l->o.input.shape);
    nr_strbuf_printf(w->sb, ", name=\"%s\")\n", l->name);
    return w->node_var[s] = v;
}

/* The tensor a node is: an Input's variable, or the one a call bound. */
static const char *tensor_var(writer *w, nr_sym s) {
    if (!w->node_var[s] && w->g->nodes[s].op == NR_OP_INPUT && w->g->nodes[s].layer) return input_var(w, s);
    return w->node_var[s] ? w->node_var[s] : "?";
}

static void constructor(writer *w, const nr_layer *l) {
    nr_strbuf_printf(w->sb, "%s(", l->cls->type);
    l->cls->config(l, w->sb);
    nr_strbuf_printf(w->sb, ")");
}

/* Lines a layer needs before its use: its nested model's definition, or
 * the variable of a shared layer. */
static nr_status prepare_layer(writer *w, const nr_layer *l) {
    if (l->model) return define_model(w, model_index(w, l->model));
    int i = layer_index(w, l);
    if (w->uses[i] <= 1 || w->layer_var[i]) return NR_OK;
    if (!(w->layer_var[i] = ident(w, l->name, ""))) return NR_NOMEM();
    nr_strbuf_printf(w->sb, "%s = ", w->layer_var[i]);
    constructor(w, l);
    nr_strbuf_printf(w->sb, "\n");
    return NR_OK;
}

/* A layer used once is written inline. */
static int is_inline(const writer *w, const nr_layer *l) { return !l->model && !w->layer_var[layer_index(w, l)]; }

static void layer_ref(writer *w, const nr_layer *l) {
    if (l->model)
        nr_strbuf_printf(w->sb, "%s", w->model_var[model_index(w, l->model)]);
    else if (w->layer_var[layer_index(w, l)])
        nr_strbuf_printf(w->sb, "%s", w->layer_var[layer_index(w, l)]);
    else
        constructor(w, l);
}

static void start_sequential(writer *w, int k) {
    const nr_model *m = w->models[k];
    if (w->started[k]) return;
    w->started[k] = 1;
    nr_strbuf_printf(w->sb, "%s = Sequential(name=\"%s\")\n", w->model_var[k], m->name);
    if (m->n_in == 0) return;
    nr_sym in = m->in[0];
    const nr_layer *l = w->g->nodes[in].layer;
    if (w->needed[in] || !l) {
        nr_strbuf_printf(w->sb, "%s.add(%s)\n", w->model_var[k], tensor_var(w, in));
        return;
    }
    nr_strbuf_printf(w->sb, "%s.add(Input(shape=", w->model_var[k]);
    nr_strbuf_shape(w->sb, l->o.input.ndim, l->o.input.shape);
    nr_strbuf_printf(w->sb, ", name=\"%s\"))\n", l->name);
}

/* The flag of a model used as a layer exists once it is used: written
 * after that first use. */
static void trainable_line(writer *w, const nr_layer *l) {
    int k = l->model ? model_index(w, l->model) : -1;
    if (k < 0 || w->used_as_layer[k]) return;
    w->used_as_layer[k] = 1;
    const nr_model *m = w->models[k];
    if (!m->as_layer || m->as_layer->trainable) return;
    for (int i = 0; i < nr_model_n_layers(m); i++)
        if (nr_model_layer(m, i)->trainable) return; /* a C-only state; the layers' own flags are written */
    nr_strbuf_printf(w->sb, "%s.trainable = False\n", w->model_var[k]);
}

static nr_status add_line(writer *w, int k, const nr_layer *l) {
    NR_TRY(prepare_layer(w, l));
    nr_strbuf_printf(w->sb, "%s.add(", w->model_var[k]);
    layer_ref(w, l);
    nr_strbuf_printf(w->sb, ")\n");
    trainable_line(w, l);
    return NR_OK;
}

static void tensor_list(writer *w, const nr_sym *s, int n) {
    const char *vars[NR_MAX_IO];
    for (int i = 0; i < n; i++) vars[i] = tensor_var(w, s[i]);
    nr_strbuf_printf(w->sb, "[");
    for (int i = 0; i < n; i++) nr_strbuf_printf(w->sb, "%s%s", i ? ", " : "", vars[i]);
    nr_strbuf_printf(w->sb, "]");
}

static nr_status define_model(writer *w, int k) {
    const nr_model *m = w->models[k];
    if (w->defined[k]) return NR_OK;
    w->defined[k] = 1;
    if (m->sequential) {
        start_sequential(w, k);
        if (m->n_in == 0)
            for (int i = 0; i < m->n_seq; i++) NR_TRY(add_line(w, k, m->seq[i]));
    } else {
        for (int i = 0; i < m->n_in; i++) tensor_var(w, m->in[i]);
        for (int i = 0; i < m->n_out; i++) tensor_var(w, m->out[i]);
        nr_strbuf_printf(w->sb, "%s = Model(inputs=", w->model_var[k]);
        tensor_list(w, m->in, m->n_in);
        nr_strbuf_printf(w->sb, ", outputs=");
        tensor_list(w, m->out, m->n_out);
        nr_strbuf_printf(w->sb, ", name=\"%s\")\n", m->name);
    }
    for (int i = 0; i < m->n_added; i++)
        nr_strbuf_printf(w->sb, "%s.add_loss(%s, name=\"%s\", weight=%.9g)\n", w->model_var[k],
                         tensor_var(w, added_tensor(w, &m->added[i])), m->added[i].name, m->added[i].weight);
    return NR_OK;
}

/* --- calls ------------------------------------------------------------------- */

static nr_status seq_call(writer *w, const nr_call *c, int k) {
    start_sequential(w, k);
    NR_TRY(add_line(w, k, c->layer));
    if (w->needed[c->out] && !w->node_var[c->out]) {
        char *v = ident(w, c->layer->name, "_out");
        if (!v) return NR_NOMEM();
        nr_strbuf_printf(w->sb, "%s = %s.output\n", v, w->model_var[k]);
        w->node_var[c->out] = v;
    }
    return NR_OK;
}

/* "out" or "out, out_state, out_state_2 =" for a call with extra outputs. */
static nr_status bind_outputs(writer *w, const nr_call *c) {
    const nr_layer *l = c->layer;
    char *v = ident(w, l->model ? l->model->name : l->name, is_inline(w, l) ? "" : "_out");
    if (!v) return NR_NOMEM();
    w->node_var[c->out] = v;
    nr_strbuf_printf(w->sb, "%s", v);
    for (int i = 0; i < c->n_extra; i++) {
        char *e = ident(w, l->name, "_state");
        if (!e) return NR_NOMEM();
        w->node_var[c->extra[i]] = e;
        nr_strbuf_printf(w->sb, ", %s", e);
    }
    nr_strbuf_printf(w->sb, " = ");
    return NR_OK;
}

static nr_status func_call(writer *w, const nr_call *c) {
    const char *ins[NR_MAX_IN];
    const nr_layer *l = c->layer;
    for (int i = 0; i < c->n_in; i++) ins[i] = tensor_var(w, c->in[i]);
    NR_TRY(prepare_layer(w, l));
    NR_TRY(bind_outputs(w, c));
    /* Merge layers take a list, even of one; a model of one input a tensor;
     * a recurrent layer one sequence, then its initial states. */
    int states = nr_layer_is_rnn(l) || !strcmp(l->cls->type, "Bidirectional");
    int n = states ? 1 : c->n_in, as_list = !states && l->cls->max_inputs > 1 && (c->n_in > 1 || !l->model);
    layer_ref(w, l);
    nr_strbuf_printf(w->sb, "(%s", as_list ? "[" : "");
    for (int i = 0; i < n; i++) nr_strbuf_printf(w->sb, "%s%s", i ? ", " : "", ins[i]);
    nr_strbuf_printf(w->sb, "%s", as_list ? "]" : "");
    for (int i = n; i < c->n_in; i++) nr_strbuf_printf(w->sb, "%s%s", i == n ? ", initial_state=[" : ", ", ins[i]);
    nr_strbuf_printf(w->sb, "%s%s)\n", c->n_in > n ? "]" : "", c->inference ? ", training=False" : "");
    trainable_line(w, l);
    return NR_OK;
}

static nr_status write_all(writer *w, const nr_model *top) {
    NR_TRY(collect_models(w, top, 0));
    for (int k = 0; k < w->n_models; k++) {
        w->model_var[k] = w->models[k] == top ? nr_strdup("model") : ident(w, w->models[k]->name, "");
        if (!w->model_var[k]) return NR_NOMEM();
    }
    mark_calls(w);
    nr_strbuf_printf(w->sb, "# neurona SPEC of model \"%s\"\n", top->name);
    for (int c = 0; c < w->g->n_calls; c++) {
        const nr_call *call = &w->g->calls[c];
        if (w->seq_of_call[c] >= 0)
            NR_TRY(seq_call(w, call, w->seq_of_call[c]));
        else if (w->func_call[c])
            NR_TRY(func_call(w, call));
    }
    return define_model(w, model_index(w, top));
}

static void writer_free(writer *w) {
    /* "model" is the one model variable not among the identifiers. */
    for (int k = 0; k < w->n_models; k++)
        if (w->model_var[k] && !strcmp(w->model_var[k], "model")) nr_free(w->model_var[k]);
    for (int i = 0; i < w->n_used; i++) nr_free(w->used[i]);
    nr_free(w->used);
    nr_free(w->node_var);
    nr_free(w->layer_var);
    nr_free(w->uses);
    nr_free(w->needed);
    nr_free(w->seq_of_call);
    nr_free(w->func_call);
}

nr_status nr_model_to_spec(const nr_model *m, char **text) {
    if (!m || !text) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_model_to_spec: NULL argument");
    *text = NULL;
    const nr_graph *g = m->g;
    nr_strbuf sb = {0};
    writer w = {.g = g, .sb = &sb};
    w.node_var = nr_calloc((size_t)g->n_nodes + 1, sizeof *w.node_var);
    w.layer_var = nr_calloc((size_t)g->n_layers + 1, sizeof *w.layer_var);
    w.uses = nr_calloc((size_t)g->n_layers + 1, sizeof *w.uses);
    w.needed = nr_calloc((size_t)g->n_nodes + 1, 1);
    w.seq_of_call = nr_calloc((size_t)g->n_calls + 1, 1);
    w.func_call = nr_calloc((size_t)g->n_calls + 1, 1);
    nr_status s = NR_OK;
    if (!w.node_var || !w.layer_var || !w.uses || !w.needed || !w.seq_of_call || !w.func_call) s = NR_NOMEM();
    if (s == NR_OK) s = write_all(&w, m);
    if (s == NR_OK && (w.failed || sb.failed || !sb.s)) s = NR_NOMEM();
    writer_free(&w);
    if (s != NR_OK) {
        nr_free(sb.s);
        return s;
    }
    *text = sb.s;
    return NR_OK;
}
