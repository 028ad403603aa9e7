/* Keras's model.layers order, which both weights layouts depend on: the
 * legacy .h5 matches layers with weights by position, and Keras 3's
 * .weights.h5 names each layer by its class and how many of that class
 * came before it. A Functional model orders its layers as Keras's
 * map_graph does (keras/src/ops/function.py): a depth-first search from
 * the outputs numbers the layers in the order it first meets them and
 * lists the calls inputs first; each call's depth is the longest path to
 * an output, a layer's the largest of its calls'; layers go deepest
 * first, ties in search order; inputs the outputs do not use come last. */
#include <ctype.h>
#include <string.h>
#include "io/keras_internal.h"

const char *nr_keras_class(const nr_layer *l) { return l->cls->type; }

void nr_keras_snake(const char *cls, char *buf, size_t size) {
    size_t k = 0, n = strlen(cls);
    for (size_t i = 0; i < n && k + 2 < size; i++) {
        unsigned char c = (unsigned char)cls[i];
        if (!isalnum(c) && c != '_') continue;
        /* re.sub("(.)([A-Z][a-z]+)", r"\1_\2"), then re.sub("([a-z])([A-Z])", r"\1_\2") */
        int word = i + 1 < n && islower((unsigned char)cls[i + 1]);
        if (k > 0 && isupper(c) && (word || islower((unsigned char)cls[i - 1])) && buf[k - 1] != '_') buf[k++] = '_';
        buf[k++] = (char)tolower(c);
    }
    buf[k] = 0;
}

typedef struct order_state {
    const nr_model *m;
    const nr_graph *g;
    int *producer;                  /* per node: index into m->calls of the call making it, -1 */
    unsigned char *done, *busy;     /* per call */
    int *post, n_post;              /* calls in finishing order */
    nr_layer **first;               /* layers in the order first met */
    int n_first;
    int *depth;                     /* per call */
} order_state;

static int layer_pos(const order_state *st, const nr_layer *l) {
    for (int i = 0; i < st->n_first; i++)
        if (st->first[i] == l) return i;
    return -1;
}

static void meet(order_state *st, nr_layer *l) {
    if (layer_pos(st, l) < 0) st->first[st->n_first++] = l;
}

/* The layer behind node s: an InputLayer for an input node. */
static nr_layer *input_layer(const order_state *st, nr_sym s) {
    const nr_node *n = &st->g->nodes[s];
    return n->op == NR_OP_INPUT ? n->layer : NULL;
}

static void visit(order_state *st, nr_sym s, int depth) {
    if (depth > 4096) return; /* deeper than any model the graph can hold */
    int c = st->producer[s];
    if (c < 0) {
        nr_layer *l = input_layer(st, s);
        if (l) meet(st, l);
        return;
    }
    if (st->done[c] || st->busy[c]) return;
    const nr_call *k = &st->g->calls[st->m->calls[c]];
    meet(st, k->layer);
    st->busy[c] = 1;
    for (int i = 0; i < k->n_in; i++) visit(st, k->in[i], depth + 1);
    st->busy[c] = 0;
    st->done[c] = 1;
    st->post[st->n_post++] = c;
}

/* Depth of each layer: its calls' and, for InputLayers, the largest depth
 * plus one of the calls reading them. */
static void depths(order_state *st, int *layer_depth) {
    const nr_model *m = st->m;
    for (int i = 0; i < m->n_calls; i++) st->depth[i] = -1;
    for (int i = 0; i < st->n_first; i++) layer_depth[i] = -1;
    for (int j = st->n_post - 1; j >= 0; j--) {
        int c = st->post[j];
        const nr_call *k = &st->g->calls[m->calls[c]];
        int d = st->depth[c] < 0 ? 0 : st->depth[c];
        int li = layer_pos(st, k->layer);
        if (layer_depth[li] > d) d = layer_depth[li];
        layer_depth[li] = st->depth[c] = d;
        for (int i = 0; i < k->n_in; i++) {
            int p = st->producer[k->in[i]];
            if (p >= 0 && st->depth[p] < d + 1) st->depth[p] = d + 1;
            nr_layer *in = p < 0 ? input_layer(st, k->in[i]) : NULL;
            int ii = in ? layer_pos(st, in) : -1;
            if (ii >= 0 && layer_depth[ii] < d + 1) layer_depth[ii] = d + 1;
        }
    }
}

static nr_status functional_order(const nr_model *m, nr_layer **out, int *n) {
    const nr_graph *g = m->g;
    order_state st = {.m = m, .g = g};
    size_t nc = (size_t)m->n_calls + 1, cap = nc + NR_MAX_IO;
    st.producer = nr_malloc((size_t)g->n_nodes * sizeof *st.producer);
    st.done = nr_calloc(nc, 2);
    st.post = nr_malloc(nc * sizeof *st.post);
    st.first = nr_malloc(cap * sizeof *st.first);
    st.depth = nr_malloc(nc * sizeof *st.depth);
    int *layer_depth = nr_malloc(cap * sizeof *layer_depth);
    nr_status s = NR_OK;
    if (!st.producer || !st.done || !st.post || !st.first || !st.depth || !layer_depth) s = NR_NOMEM();
    if (s == NR_OK) {
        st.busy = st.done + nc;
        for (int i = 0; i < g->n_nodes; i++) st.producer[i] = -1;
        for (int c = 0; c < m->n_calls; c++) {
            const nr_call *k = &g->calls[m->calls[c]];
            st.producer[k->out] = c;
            for (int i = 0; i < k->n_extra; i++) st.producer[k->extra[i]] = c;
        }
        for (int i = 0; i < m->n_out; i++) visit(&st, m->out[i], 0);
        depths(&st, layer_depth);
        for (int i = 0; i < m->n_in; i++) {
            nr_layer *l = input_layer(&st, m->in[i]);
            if (l && layer_pos(&st, l) < 0) {
                layer_depth[st.n_first] = 0;
                meet(&st, l);
            }
        }
        /* Deepest first; a stable pass keeps the search order among equals. */
        int k = 0, maxd = 0;
        for (int i = 0; i < st.n_first; i++)
            if (layer_depth[i] > maxd) maxd = layer_depth[i];
        for (int d = maxd; d >= 0; d--)
            for (int i = 0; i < st.n_first; i++)
                if (layer_depth[i] == d || (d == 0 && layer_depth[i] < 0)) out[k++] = st.first[i];
        *n = k;
    }
    nr_free(st.producer);
    nr_free(st.done);
    nr_free(st.post);
    nr_free(st.first);
    nr_free(st.depth);
    nr_free(layer_depth);
    return s;
}

nr_status nr_keras_layers(const nr_model *m, nr_layer ***out, int *n) {
    *out = NULL;
    *n = 0;
    nr_layer **v = nr_malloc(((size_t)m->n_calls + (size_t)m->n_seq + NR_MAX_IO + 1) * sizeof *v);
    if (!v) return NR_NOMEM();
    nr_status s = NR_OK;
    if (m->sequential) {
        for (int i = 0; i < m->n_seq; i++) v[i] = m->seq[i];
        *n = m->n_seq;
    } else {
        s = functional_order(m, v, n);
    }
    if (s != NR_OK) {
        nr_free(v);
        return s;
    }
    *out = v;
    return NR_OK;
}

static int weight_trainable(const nr_layer *owner, const nr_node *w) {
    return !w->non_trainable && owner->trainable && (!w->layer || w->layer->trainable);
}

/* Appends l's weights (trainable ones when pass 0, the others when pass 1). */
static int legacy_pass(const nr_layer *l, const nr_layer *top, int pass, nr_sym *out, int k, int max) {
    if (l->model) {
        nr_layer **v;
        int n;
        if (nr_keras_layers(l->model, &v, &n) != NR_OK) return k;
        for (int i = 0; i < n; i++) k = legacy_pass(v[i], top, pass, out, k, max);
        nr_free(v);
        return k;
    }
    const nr_layer *w = l->inner ? l->inner : l;
    for (int i = 0; i < w->n_weights && k < max; i++) {
        const nr_node *node = &l->g->nodes[w->weights[i]];
        int t = weight_trainable(top, node) && weight_trainable(l, node);
        if (t == (pass == 0)) out[k++] = w->weights[i];
    }
    return k;
}

int nr_keras_legacy_weights(const nr_layer *l, nr_sym *out, int max) {
    int k = legacy_pass(l, l, 0, out, 0, max);
    return legacy_pass(l, l, 1, out, k, max);
}
