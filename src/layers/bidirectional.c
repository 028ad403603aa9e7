/* Bidirectional (Keras 3): a recurrent layer and its go_backwards twin on
 * the same input, the backward output put back in time order (the op's
 * keep_order), then merged. The halves are layers of their own (their
 * weights listed under the Bidirectional), called without call records so
 * a summary shows one row, as Keras's does. Like Keras, the halves are
 * new layers made from the wrapped layer's options (which itself is never
 * called): "forward_<name>" and "backward_<name>" with go_backwards
 * flipped, unless a backward_layer is given. */
#include <stdio.h>
#include <string.h>
#include "layers/layer.h"

static const char *const merge_names[] = {"concat", "sum", "mul", "ave"};

static nr_status merge(nr_layer *l, nr_sym a, nr_sym b, nr_sym *out) {
    const nr_node *x = &l->g->nodes[a];
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    nr_sym ins[2] = {a, b};
    nr_op_attrs at = {.concat = {x->ndim - 1}};
    switch (l->o.bidirectional.merge_mode) {
    case NR_BIDIRECTIONAL_CONCAT:
        shape[x->ndim - 1] *= 2;
        return nr_layer_add_op(l, NR_OP_CONCAT, ins, 2, x->ndim, shape, &at, out);
    case NR_BIDIRECTIONAL_SUM: return nr_layer_add_op(l, NR_OP_ADD, ins, 2, x->ndim, shape, NULL, out);
    case NR_BIDIRECTIONAL_MUL: return nr_layer_add_op(l, NR_OP_MUL, ins, 2, x->ndim, shape, NULL, out);
    case NR_BIDIRECTIONAL_AVE: return nr_layer_add_op(l, NR_OP_AVG, ins, 2, x->ndim, shape, NULL, out);
    }
    return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\" (Bidirectional): unknown merge mode", l->name);
}

static nr_status bidirectional_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    nr_layer *fw = l->o.bidirectional.forward, *bw = l->o.bidirectional.backward_layer;
    if ((n_in - 1) % 2)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "layer \"%s\" (Bidirectional): initial_state needs the forward and the backward states "
                        "(an even number of tensors), got %d", l->name, n_in - 1);
    int half = (n_in - 1) / 2;
    nr_sym fin[NR_MAX_IN] = {in[0]}, bin[NR_MAX_IN] = {in[0]}, yf, yb;
    for (int i = 0; i < half; i++) fin[1 + i] = in[1 + i], bin[1 + i] = in[1 + half + i];
    NR_TRY(nr_rnn_call_half(fw, fin, 1 + half, &yf));
    NR_TRY(nr_rnn_call_half(bw, bin, 1 + half, &yb));
    l->n_weights = 0;
    for (int i = 0; i < fw->n_weights; i++) l->weights[l->n_weights++] = fw->weights[i];
    for (int i = 0; i < bw->n_weights; i++) l->weights[l->n_weights++] = bw->weights[i];
    l->built = 1;
    NR_TRY(merge(l, yf, yb, out));
    l->n_outputs = 1;
    l->outputs[0] = *out;
    NR_ASSERT(fw->n_outputs + bw->n_outputs - 1 <= NR_MAX_OUTPUTS);
    for (int i = 1; i < fw->n_outputs; i++) l->outputs[l->n_outputs++] = fw->outputs[i];
    for (int i = 1; i < bw->n_outputs; i++) l->outputs[l->n_outputs++] = bw->outputs[i];
    return NR_OK;
}

/* The wrapped layer's SPEC text (its own name: the halves' follow). */
static void bidirectional_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_bidirectional_opts *o = &l->o.bidirectional;
    nr_strbuf_printf(sb, "%s(", o->layer->cls->type);
    o->layer->cls->config(o->layer, sb);
    nr_strbuf_printf(sb, ")");
    if (o->merge_mode != NR_BIDIRECTIONAL_CONCAT) nr_strbuf_printf(sb, ", merge_mode=\"%s\"", merge_names[o->merge_mode]);
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

/* Keras: the input's mask goes on with the sequence output only. */
static nr_status bidirectional_mask(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out,
                                    nr_sym *mask) {
    (void)in, (void)n_in, (void)out;
    *mask = l->o.bidirectional.layer->o.rnn.return_sequences ? masks[0] : NR_SYM_NONE;
    return NR_OK;
}

static const nr_layer_class bidirectional_class = {"Bidirectional", "bidirectional", 1, 1 + 2 * 2,
                                                   bidirectional_call, bidirectional_config, bidirectional_mask};

static void rename_half(nr_layer *h, const char *prefix, const char *name) {
    char buf[sizeof h->name];
    snprintf(buf, sizeof buf, "%s%.*s", prefix, (int)(sizeof buf - 1 - strlen(prefix)), name);
    memcpy(h->name, buf, sizeof buf);
}

/* The wrapped layer's name without the "forward_" a round trip through
 * SPEC text gives it. */
static const char *base_name(const char *name) { return strncmp(name, "forward_", 8) == 0 ? name + 8 : name; }

static nr_status check_half(const char *what, const nr_layer *h) {
    if (!h || !nr_layer_is_rnn(h))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Bidirectional: %s must be a SimpleRNN, LSTM or GRU layer, got %s", what,
                        h ? h->cls->type : "none");
    return NR_OK;
}

/* A half: a new layer with the wrapped layer's options, go_backwards as
 * asked, named prefix + the wrapped layer's name. */
static nr_status make_half(nr_graph *g, const nr_layer *l, int backwards, const char *prefix, nr_layer **out) {
    nr_rnn_opts o = l->o.rnn;
    o.go_backwards = backwards;
    o.base.name = NULL;
    o.base.frozen = !l->trainable;
    NR_TRY(nr_rnn_twin(g, l, &o, out));
    rename_half(*out, prefix, base_name(l->name));
    return NR_OK;
}

static nr_status check_backward(const nr_bidirectional_opts *o) {
    NR_TRY(check_half("backward_layer", o->backward_layer));
    const nr_rnn_opts *f = &o->layer->o.rnn, *b = &o->backward_layer->o.rnn;
    if (o->backward_layer->cls != o->layer->cls || !b->go_backwards == !f->go_backwards ||
        !b->return_sequences != !f->return_sequences || !b->return_state != !f->return_state)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "Bidirectional: backward_layer must be a %s with the other go_backwards and the same "
                        "return_sequences and return_state as layer", o->layer->cls->type);
    return NR_OK;
}

nr_status nr_bidirectional(nr_graph *g, const nr_bidirectional_opts *o, nr_layer **out) {
    *out = NULL;
    NR_TRY(check_half("layer", o->layer));
    if (o->backward_layer) NR_TRY(check_backward(o));
    if ((unsigned)o->merge_mode > NR_BIDIRECTIONAL_AVE)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "Bidirectional: merge_mode must be concat, sum, mul or ave");
    nr_layer *fw = NULL, *bw = o->backward_layer;
    NR_TRY(make_half(g, o->layer, o->layer->o.rnn.go_backwards, "forward_", &fw));
    if (!bw) NR_TRY(make_half(g, o->layer, !o->layer->o.rnn.go_backwards, "backward_", &bw));
    NR_TRY(nr_layer_create(g, &bidirectional_class, &o->base, out));
    nr_bidirectional_opts *b = &(*out)->o.bidirectional;
    *b = *o;
    b->base.name = NULL;
    b->forward = fw;
    b->backward_layer = bw;
    if (o->base.frozen) fw->trainable = bw->trainable = 0;
    return NR_OK;
}
