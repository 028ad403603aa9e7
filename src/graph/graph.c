/* Graph construction: nodes, the contiguous parameter buffer, layers with
 * Keras auto-names, and the record of layer calls. */
#include <stdarg.h>
#include <string.h>
#include "core/rng.h"
#include "graph/graph.h"
#include "models/model_internal.h"

nr_status nr_graph_new(nr_graph **out, uint64_t seed) {
    nr_threads_init();
    nr_graph *g = nr_calloc(1, sizeof *g);
    if (!g) return NR_NOMEM();
    g->seed = seed;
    *out = g;
    return NR_OK;
}

void nr_graph_free(nr_graph *g) {
    if (!g) return;
    for (int i = 0; i < g->n_models; i++) nr_model_destroy(g->models[i]);
    for (int i = 0; i < g->n_layers; i++) nr_free(g->layers[i]);
    nr_free(g->models);
    nr_free(g->layers);
    nr_free(g->calls);
    nr_free(g->nodes);
    nr_free_floats(g->params);
    nr_free_floats(g->grads);
    nr_free(g);
}

/* Grows a dynamic array to hold at least need elements. */
static nr_status grow(void **arr, int *cap, int need, size_t elem) {
    if (need <= *cap) return NR_OK;
    int c = *cap ? *cap * 2 : 16;
    while (c < need) c *= 2;
    void *p = nr_realloc(*arr, (size_t)c * elem);
    if (!p) return NR_NOMEM();
    *arr = p;
    *cap = c;
    return NR_OK;
}

int nr_graph_valid_sym(const nr_graph *g, nr_sym s) { return s >= 0 && s < g->n_nodes; }

nr_sym nr_graph_mask(const nr_graph *g, nr_sym s) { return nr_graph_valid_sym(g, s) ? g->nodes[s].mask : NR_SYM_NONE; }

nr_sym nr_sym_mask(const nr_graph *g, nr_sym s) { return nr_graph_mask(g, s); }

nr_status nr_graph_set_mask(nr_graph *g, nr_sym s, nr_sym mask) {
    if (!nr_graph_valid_sym(g, s) || (mask != NR_SYM_NONE && !nr_graph_valid_sym(g, mask)))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "set_mask: tensor %d or mask %d is not in this graph", s, mask);
    if (mask != NR_SYM_NONE) {
        const nr_node *x = &g->nodes[s], *m = &g->nodes[mask];
        int fits = m->batched && x->batched && m->ndim < x->ndim;
        for (int i = 1; fits && i < m->ndim; i++) fits = m->shape[i] == x->shape[i];
        if (!fits) {
            char a[96], b[96];
            return nr_error(NR_STATUS_BAD_SHAPE,
                            "set_mask: a mask %s does not fit a tensor %s (it must be a mask of the tensor's leading axes)",
                            nr_node_shape_str(m, a, sizeof a), nr_node_shape_str(x, b, sizeof b));
        }
    }
    g->nodes[s].mask = mask;
    return NR_OK;
}

nr_status nr_graph_add_node(nr_graph *g, const nr_node *n, nr_sym *out) {
    NR_TRY(grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof *g->nodes));
    nr_node *d = &g->nodes[g->n_nodes];
    *d = *n;
    d->mask = NR_SYM_NONE;
    d->differentiable = 1;
    if (n->op == NR_OP_ACT && n->a.act.fn == NR_ACT_HEAVISIDE) d->differentiable = 0;
    d->needs_grad = n->op == NR_OP_PARAM && !n->non_trainable;
    for (int i = 0; i < n->n_in; i++) {
        NR_ASSERT(n->in[i] >= 0 && n->in[i] < g->n_nodes);
        const nr_node *in = &g->nodes[n->in[i]];
        if (in->needs_grad) d->needs_grad = 1;
        if (!n->fold && in->batched && in->fold > d->fold) d->fold = in->fold;
    }
    /* A mask is data about the input, not a function to differentiate:
     * gradients stop there by design, so it asks for none. */
    if (n->op == NR_OP_MASK) d->differentiable = d->needs_grad = 0;
    *out = g->n_nodes++;
    return NR_OK;
}

/* Parameters move when the buffer grows: nodes keep offsets, plans resolve
 * pointers at run time. Growth doubles, so building is amortised O(n). */
static nr_status grow_params(nr_graph *g, int64_t need) {
    if (need <= g->cap_params) return NR_OK;
    int64_t c = g->cap_params ? g->cap_params * 2 : 4096;
    while (c < need) c *= 2;
    float *p = nr_alloc_floats((size_t)c), *q = nr_alloc_floats((size_t)c);
    if (!p || !q) { nr_free_floats(p); nr_free_floats(q); return NR_NOMEM(); }
    if (g->n_params) {
        memcpy(p, g->params, (size_t)g->n_params * sizeof(float));
        memcpy(q, g->grads, (size_t)g->n_params * sizeof(float));
    }
    nr_free_floats(g->params);
    nr_free_floats(g->grads);
    g->params = p;
    g->grads = q;
    g->cap_params = c;
    return NR_OK;
}

/* Places parameter node n (op, ndim, owner set) with its values. */
static nr_status add_param(nr_graph *g, const nr_node *proto, const int64_t *shape, const nr_init *init,
                           nr_init_kind default_kind, nr_sym *out) {
    nr_node n = *proto;
    int ndim = n.ndim;
    int64_t count = 1;
    for (int i = 0; i < ndim; i++)
        if (__builtin_mul_overflow(count, (n.shape[i] = shape[i]), &count))
            return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\": a weight of %d dimensions is too large to count",
                            n.layer ? n.layer->name : "?", ndim);
    /* Align each variable to 16 floats so vector loops start aligned. */
    int64_t off = (g->n_params + 15) & ~(int64_t)15;
    if (g->max_params && count > g->max_params - off) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\": a weight of shape %s would take the model past %lld parameters",
                        n.layer ? n.layer->name : "?", nr_node_shape_str(&n, buf, sizeof buf), (long long)g->max_params);
    }
    NR_TRY(grow_params(g, off + count));
    uint64_t seed = init && init->has_seed ? init->seed : nr_splitmix64(g->seed + ++g->n_seeded);
    NR_TRY(nr_init_fill(g->params + off, ndim, shape, init, default_kind, seed));
    n.param_off = off;
    g->n_params = off + count;
    return nr_graph_add_node(g, &n, out);
}

nr_status nr_graph_add_param(nr_graph *g, nr_layer *l, int ndim, const int64_t *shape,
                             const nr_init *init, nr_init_kind default_kind, nr_regularizer reg,
                             nr_sym *out) {
    return add_param(g, &(nr_node){.op = NR_OP_PARAM, .ndim = ndim, .layer = l, .reg = reg}, shape, init,
                     default_kind, out);
}

nr_status nr_graph_add_state(nr_graph *g, nr_layer *l, int ndim, const int64_t *shape, const nr_init *init,
                             nr_init_kind default_kind, nr_sym *out) {
    return add_param(g, &(nr_node){.op = NR_OP_PARAM, .ndim = ndim, .layer = l, .non_trainable = 1}, shape, init,
                     default_kind, out);
}

int nr_graph_param_trainable(const nr_node *n) { return !n->non_trainable && (!n->layer || n->layer->trainable); }

/* Keras 3 names the first layer of a kind "dense", then "dense_1", ...
 * (Input layers "input_layer", "input_layer_1"). A requested name must be
 * unique. */
static int name_taken(const nr_graph *g, const char *name) {
    for (int i = 0; i < g->n_layers; i++)
        if (strcmp(g->layers[i]->name, name) == 0) return 1;
    for (int i = 0; i < g->n_models; i++)
        if (strcmp(nr_model_name(g->models[i]), name) == 0) return 1;
    return 0;
}

void nr_graph_unique_name(const nr_graph *g, const char *base, int start_at_one, char *buf, size_t size) {
    for (int k = start_at_one ? 1 : 0;; k++) {
        if (k == 0) snprintf(buf, size, "%s", base);
        else snprintf(buf, size, "%s_%d", base, k);
        if (!name_taken(g, buf)) return;
    }
}

/* Names end up quoted in SPEC text, so quotes, backslashes and control
 * characters are refused here rather than producing unloadable files. */
nr_status nr_graph_check_name(const char *what, const char *name) {
    if (!*name || strlen(name) >= sizeof((nr_layer *)0)->name)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: name must be 1 to 63 characters", what);
    for (const char *c = name; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: name \"%s\" contains a quote, backslash or control character",
                            what, name);
    return NR_OK;
}

nr_status nr_graph_add_layer(nr_graph *g, const nr_layer_class *cls, const char *name, nr_layer **out) {
    *out = NULL;
    if (name) NR_TRY(nr_graph_check_name(cls->type, name));
    if (name && name_taken(g, name))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the name \"%s\" is already used in this graph", cls->type, name);
    NR_TRY(grow((void **)&g->layers, &g->cap_layers, g->n_layers + 1, sizeof *g->layers));
    nr_layer *l = nr_calloc(1, sizeof *l);
    if (!l) return NR_NOMEM();
    l->g = g;
    l->cls = cls;
    l->trainable = 1;
    l->input_sym = NR_SYM_NONE;
    if (name) snprintf(l->name, sizeof l->name, "%s", name);
    else nr_graph_unique_name(g, cls->base_name, 0, l->name, sizeof l->name);
    g->layers[g->n_layers++] = l;
    *out = l;
    return NR_OK;
}

nr_status nr_graph_add_call(nr_graph *g, nr_layer *l, const nr_sym *in, int n_in, nr_sym out) {
    NR_TRY(grow((void **)&g->calls, &g->cap_calls, g->n_calls + 1, sizeof *g->calls));
    nr_call *c = &g->calls[g->n_calls++];
    memset(c, 0, sizeof *c);
    c->layer = l;
    c->n_in = n_in;
    for (int i = 0; i < n_in; i++) c->in[i] = in[i];
    c->out = out;
    c->penalty = NR_SYM_NONE;
    return NR_OK;
}

nr_status nr_graph_add_model(nr_graph *g, nr_model *m) {
    NR_TRY(grow((void **)&g->models, &g->cap_models, g->n_models + 1, sizeof *g->models));
    g->models[g->n_models++] = m;
    return NR_OK;
}

nr_status nr_sym_shape(const nr_graph *g, nr_sym s, int *ndim, int64_t shape[NR_MAX_DIMS]) {
    if (!nr_graph_valid_sym(g, s)) return nr_error(NR_STATUS_BAD_ARGUMENT, "symbolic tensor %d is not in this graph", s);
    const nr_node *n = &g->nodes[s];
    *ndim = n->ndim;
    for (int i = 0; i < n->ndim; i++) shape[i] = n->shape[i];
    return NR_OK;
}

char *nr_node_shape_str(const nr_node *n, char *buf, size_t size) {
    return nr_shape_str(buf, size, n->ndim, n->shape);
}

void nr_strbuf_printf(nr_strbuf *sb, const char *fmt, ...) {
    if (sb->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = sb->cap - sb->len;
        int k = vsnprintf(sb->s ? sb->s + sb->len : NULL, sb->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) { sb->failed = 1; return; }
        if (sb->s && (size_t)k < room) { sb->len += (size_t)k; return; }
        size_t cap = sb->cap ? sb->cap * 2 : 256;
        while (cap < sb->len + (size_t)k + 1) cap *= 2;
        char *p = nr_realloc(sb->s, cap);
        if (!p) { sb->failed = 1; return; }
        sb->s = p;
        sb->cap = cap;
    }
}

void nr_free_string(char *s) { nr_free(s); }
