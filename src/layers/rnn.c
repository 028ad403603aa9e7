/* SimpleRNN, LSTM and GRU (Keras 3): one NR_OP_RNN node per call over the
 * whole sequence. With return_state the node packs the output and the
 * final states along axis 1 and SLICE nodes take them apart, so the op
 * stays one node with one output. */
#include <string.h>
#include "layers/layer.h"

static const nr_layer_class simple_rnn_class, lstm_class, gru_class;

static nr_rnn_cell cell_of(const nr_layer *l) {
    return l->cls == &lstm_class ? NR_RNN_LSTM : l->cls == &gru_class ? NR_RNN_GRU : NR_RNN_SIMPLE;
}
static int gates_of(nr_rnn_cell c) { return c == NR_RNN_LSTM ? 4 : c == NR_RNN_GRU ? 3 : 1; }
static int states_of(nr_rnn_cell c) { return c == NR_RNN_LSTM ? 2 : 1; }
static nr_activation act_of(const nr_rnn_opts *o) { return o->has_activation ? o->activation : NR_ACT_TANH; }
static nr_activation rec_act_of(const nr_rnn_opts *o) {
    return o->has_recurrent_activation ? o->recurrent_activation : NR_ACT_SIGMOID;
}
static int reset_after(const nr_layer *l) { return cell_of(l) == NR_RNN_GRU && !l->o.rnn.no_reset_after; }

/* kernel (F, GU), recurrent_kernel (U, GU), bias (GU) or (2, GU). */
static nr_status rnn_build(nr_layer *l, int64_t F) {
    const nr_rnn_opts *o = &l->o.rnn;
    nr_rnn_cell cell = cell_of(l);
    int64_t U = o->units, GU = gates_of(cell) * U;
    int64_t kshape[2] = {F, GU}, rshape[2] = {U, GU}, bshape[2] = {2, GU};
    NR_TRY(nr_graph_add_param(l->g, l, 2, kshape, &o->kernel_initializer, NR_INIT_GLOROT_UNIFORM,
                              o->kernel_regularizer, &l->weights[0]));
    NR_TRY(nr_graph_add_param(l->g, l, 2, rshape, &o->recurrent_initializer, NR_INIT_ORTHOGONAL,
                              o->recurrent_regularizer, &l->weights[1]));
    l->n_weights = 2;
    if (!o->no_bias) {
        int two = reset_after(l);
        NR_TRY(nr_graph_add_param(l->g, l, two ? 2 : 1, two ? bshape : bshape + 1, &o->bias_initializer,
                                  NR_INIT_ZEROS, o->bias_regularizer, &l->weights[2]));
        l->n_weights = 3;
        if (cell == NR_RNN_LSTM && !o->no_unit_forget_bias) {
            /* Keras: concat(init(units), ones(units), init(2 units)) */
            float *b = l->g->params + l->g->nodes[l->weights[2]].param_off;
            for (int64_t u = 0; u < U; u++) b[U + u] = 1.0f;
        }
    }
    l->built = 1;
    return NR_OK;
}

static nr_status check_input(const nr_layer *l, const nr_node *x) {
    char buf[96];
    if (x->ndim != 3 || !x->batched)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) needs input (batch, timesteps, features), got shape %s",
                        l->name, l->cls->type, nr_node_shape_str(x, buf, sizeof buf));
    if (l->built && l->g->nodes[l->weights[0]].shape[0] != x->shape[2])
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) was built for %lld features, got input %s", l->name,
                        l->cls->type, (long long)l->g->nodes[l->weights[0]].shape[0],
                        nr_node_shape_str(x, buf, sizeof buf));
    return NR_OK;
}

/* Initial states: n_in is 1, or 1 + the cell's states, each (batch, units). */
static nr_status check_states(const nr_layer *l, const nr_sym *in, int n_in) {
    int ns = states_of(cell_of(l));
    char buf[96];
    if (n_in != 1 && n_in != 1 + ns)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "layer \"%s\" (%s): initial_state takes %d tensor%s (%s), got %d",
                        l->name, l->cls->type, ns, ns == 1 ? "" : "s", ns == 1 ? "h" : "h and c", n_in - 1);
    for (int i = 1; i < n_in; i++) {
        const nr_node *s = &l->g->nodes[in[i]];
        if (s->ndim != 2 || !s->batched || s->shape[1] != l->o.rnn.units)
            return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s): initial state %d must be (None, %d), got %s",
                            l->name, l->cls->type, i - 1, l->o.rnn.units, nr_node_shape_str(s, buf, sizeof buf));
    }
    return NR_OK;
}

static nr_op_attrs attrs_of(const nr_layer *l, int has_init, int has_mask, int half) {
    const nr_rnn_opts *o = &l->o.rnn;
    nr_op_attrs a = {.rnn = {.cell = (unsigned char)cell_of(l), .act = (unsigned char)act_of(o),
                             .rec_act = (unsigned char)rec_act_of(o), .go_backwards = o->go_backwards != 0,
                             .return_sequences = o->return_sequences != 0, .return_state = o->return_state != 0,
                             .reset_after = (unsigned char)reset_after(l), .has_bias = !o->no_bias,
                             .has_mask = (unsigned char)has_mask, .has_init = (unsigned char)has_init,
                             .units = o->units, .dropout = o->dropout, .rec_dropout = o->recurrent_dropout}};
    a.rnn.act_alpha = nr_activation_default_alpha(act_of(o), o->activation_alpha);
    a.rnn.rec_alpha = nr_activation_default_alpha(rec_act_of(o), o->recurrent_activation_alpha);
    a.rnn.seed = nr_layer_op_seed(l, o->has_seed, o->seed);
    a.rnn.keep_order = half && o->go_backwards;
    a.rnn.zero_masked = half && o->return_sequences;
    return a;
}

/* SLICE rows [start, start + len) of the packed node p (squeezed when 1 row). */
static nr_status take(nr_layer *l, nr_sym p, int start, int len, int squeeze, nr_sym *out) {
    const nr_node *pn = &l->g->nodes[p];
    int64_t shape[3] = {-1, len, pn->shape[2]}, sq[2] = {-1, pn->shape[2]};
    nr_op_attrs a = {.slice = {start, len, squeeze}};
    return nr_layer_add_op(l, NR_OP_SLICE, &p, 1, squeeze ? 2 : 3, squeeze ? sq : shape, &a, out);
}

static nr_status rnn_call_as(nr_layer *l, const nr_sym *in, int n_in, int half, nr_sym *out) {
    const nr_rnn_opts *o = &l->o.rnn;
    NR_TRY(check_input(l, &l->g->nodes[in[0]]));
    NR_TRY(check_states(l, in, n_in));
    if (!l->built) NR_TRY(rnn_build(l, l->g->nodes[in[0]].shape[2]));
    const nr_node *x = &l->g->nodes[in[0]];
    int64_t T = x->shape[1], U = o->units;
    int ns = states_of(cell_of(l)), rows = o->return_sequences ? (int)T : 1;
    nr_sym mask = nr_graph_mask(l->g, in[0]);
    nr_sym ops[NR_MAX_IN];
    int k = 0;
    for (int i = 0; i < l->n_weights + 1; i++) ops[k++] = i ? l->weights[i - 1] : in[0];
    if (mask != NR_SYM_NONE) ops[k++] = mask;
    for (int i = 1; i < n_in; i++) ops[k++] = in[i];
    nr_op_attrs a = attrs_of(l, n_in > 1, mask != NR_SYM_NONE, half);
    int64_t packed[3] = {-1, rows + (o->return_state ? ns : 0), U}, last[2] = {-1, U};
    int full = o->return_sequences || o->return_state;
    nr_sym y;
    NR_TRY(nr_layer_add_op(l, NR_OP_RNN, ops, k, full ? 3 : 2, full ? packed : last, &a, &y));
    l->n_outputs = 1;
    if (o->return_state) {
        NR_TRY(take(l, y, 0, rows, !o->return_sequences, &l->outputs[0]));
        for (int s = 0; s < ns; s++) NR_TRY(take(l, y, rows + s, 1, 1, &l->outputs[1 + s]));
        l->n_outputs = 1 + ns;
        y = l->outputs[0];
    }
    l->outputs[0] = y;
    *out = y;
    return nr_layer_add_activity_penalty(l, y, o->activity_regularizer);
}

static nr_status rnn_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    return rnn_call_as(l, in, n_in, 0, out);
}

nr_status nr_rnn_call_half(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    return rnn_call_as(l, in, n_in, 1, out);
}

/* Keras: the input's mask goes on with the sequence output only. */
static nr_status rnn_mask(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out, nr_sym *mask) {
    (void)in, (void)n_in, (void)out;
    *mask = l->o.rnn.return_sequences ? masks[0] : NR_SYM_NONE;
    return NR_OK;
}

static void rnn_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_rnn_opts *o = &l->o.rnn;
    nr_rnn_cell cell = cell_of(l);
    nr_strbuf_printf(sb, "%d", o->units);
    if (act_of(o) != NR_ACT_TANH) nr_strbuf_printf(sb, ", activation=\"%s\"", nr_activation_name(act_of(o)));
    if (cell != NR_RNN_SIMPLE && rec_act_of(o) != NR_ACT_SIGMOID)
        nr_strbuf_printf(sb, ", recurrent_activation=\"%s\"", nr_activation_name(rec_act_of(o)));
    if (o->no_bias) nr_strbuf_printf(sb, ", use_bias=False");
    nr_layer_config_init(sb, "kernel_initializer", &o->kernel_initializer);
    nr_layer_config_init(sb, "recurrent_initializer", &o->recurrent_initializer);
    nr_layer_config_init(sb, "bias_initializer", &o->bias_initializer);
    if (cell == NR_RNN_LSTM && o->no_unit_forget_bias) nr_strbuf_printf(sb, ", unit_forget_bias=False");
    nr_layer_config_reg(sb, "kernel_regularizer", o->kernel_regularizer);
    nr_layer_config_reg(sb, "recurrent_regularizer", o->recurrent_regularizer);
    nr_layer_config_reg(sb, "bias_regularizer", o->bias_regularizer);
    nr_layer_config_reg(sb, "activity_regularizer", o->activity_regularizer);
    if (o->dropout > 0) nr_strbuf_printf(sb, ", dropout=%.9g", o->dropout);
    if (o->recurrent_dropout > 0) nr_strbuf_printf(sb, ", recurrent_dropout=%.9g", o->recurrent_dropout);
    if (o->has_seed) nr_strbuf_printf(sb, ", seed=%llu", (unsigned long long)o->seed);
    if (o->return_sequences) nr_strbuf_printf(sb, ", return_sequences=True");
    if (o->return_state) nr_strbuf_printf(sb, ", return_state=True");
    if (o->go_backwards) nr_strbuf_printf(sb, ", go_backwards=True");
    if (o->unroll) nr_strbuf_printf(sb, ", unroll=True");
    if (cell == NR_RNN_GRU && o->no_reset_after) nr_strbuf_printf(sb, ", reset_after=False");
    nr_strbuf_printf(sb, ", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class simple_rnn_class = {"SimpleRNN", "simple_rnn", 1, 2, rnn_call, rnn_config, rnn_mask};
static const nr_layer_class lstm_class = {"LSTM", "lstm", 1, 3, rnn_call, rnn_config, rnn_mask};
static const nr_layer_class gru_class = {"GRU", "gru", 1, 2, rnn_call, rnn_config, rnn_mask};

static nr_status check_opts(const char *type, const nr_rnn_opts *o) {
    if (o->units < 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: units must be a positive integer, got %d", type, o->units);
    if (!(o->dropout >= 0 && o->dropout < 1) || !(o->recurrent_dropout >= 0 && o->recurrent_dropout < 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: dropout and recurrent_dropout must be in [0, 1), got %g and %g",
                        type, o->dropout, o->recurrent_dropout);
    nr_activation acts[2] = {act_of(o), rec_act_of(o)};
    for (int i = 0; i < 2; i++)
        if (acts[i] == NR_ACT_SOFTMAX || acts[i] == NR_ACT_HEAVISIDE || acts[i] >= NR_ACT_COUNT_)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %s \"%s\" is not an elementwise activation a cell can use", type,
                            i ? "recurrent_activation" : "activation", nr_activation_name(acts[i]));
    return NR_OK;
}

static nr_status make(nr_graph *g, const nr_layer_class *cls, const nr_rnn_opts *o, nr_layer **out) {
    *out = NULL;
    NR_TRY(check_opts(cls->type, o));
    NR_TRY(nr_layer_create(g, cls, &o->base, out));
    (*out)->o.rnn = *o;
    (*out)->o.rnn.base.name = NULL;
    return NR_OK;
}

nr_status nr_rnn_twin(nr_graph *g, const nr_layer *l, const nr_rnn_opts *o, nr_layer **out) {
    return make(g, l->cls, o, out);
}

int nr_layer_is_rnn(const nr_layer *l) {
    return l->cls == &simple_rnn_class || l->cls == &lstm_class || l->cls == &gru_class;
}

nr_status nr_simple_rnn(nr_graph *g, const nr_rnn_opts *o, nr_layer **out) { return make(g, &simple_rnn_class, o, out); }
nr_status nr_lstm(nr_graph *g, const nr_rnn_opts *o, nr_layer **out) { return make(g, &lstm_class, o, out); }
nr_status nr_gru(nr_graph *g, const nr_rnn_opts *o, nr_layer **out) { return make(g, &gru_class, o, out); }
