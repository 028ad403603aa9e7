/* compile(): loss, metrics and optimizer. The loss nodes, the target inputs
 * and the optimizer's state are created once the model is built (a
 * Sequential model without an input shape is built by its first data). */
#include <string.h>
#include "models/model_internal.h"

static const char *const loss_names[NR_LOSS_COUNT_] = {
    [NR_LOSS_NONE] = "none",
    [NR_LOSS_MEAN_SQUARED_ERROR] = "mean_squared_error",
    [NR_LOSS_MEAN_ABSOLUTE_ERROR] = "mean_absolute_error",
    [NR_LOSS_HUBER] = "huber",
    [NR_LOSS_BINARY_CROSSENTROPY] = "binary_crossentropy",
    [NR_LOSS_CATEGORICAL_CROSSENTROPY] = "categorical_crossentropy",
    [NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY] = "sparse_categorical_crossentropy",
};

const char *nr_loss_name(nr_loss_kind k) { return (unsigned)k < NR_LOSS_COUNT_ ? loss_names[k] : "unknown"; }

nr_status nr_loss_parse(const char *name, nr_loss_kind *out) {
    static const struct { const char *alias; nr_loss_kind k; } aliases[] = {
        {"mse", NR_LOSS_MEAN_SQUARED_ERROR}, {"MeanSquaredError", NR_LOSS_MEAN_SQUARED_ERROR},
        {"mae", NR_LOSS_MEAN_ABSOLUTE_ERROR}, {"MeanAbsoluteError", NR_LOSS_MEAN_ABSOLUTE_ERROR},
        {"huber_loss", NR_LOSS_HUBER}, {"Huber", NR_LOSS_HUBER},
        {"BinaryCrossentropy", NR_LOSS_BINARY_CROSSENTROPY},
        {"CategoricalCrossentropy", NR_LOSS_CATEGORICAL_CROSSENTROPY},
        {"SparseCategoricalCrossentropy", NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY},
    };
    for (int i = 1; i < NR_LOSS_COUNT_; i++)
        if (strcmp(name, loss_names[i]) == 0) { *out = (nr_loss_kind)i; return NR_OK; }
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(name, aliases[i].alias) == 0) { *out = aliases[i].k; return NR_OK; }
    return nr_error(NR_STATUS_BAD_ARGUMENT,
                    "unknown loss \"%s\"; valid: mean_squared_error (mse), mean_absolute_error (mae), huber, "
                    "binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy", name);
}

static const char *const metric_names[NR_METRIC_COUNT_] = {
    [NR_METRIC_NONE] = "none", [NR_METRIC_ACCURACY] = "accuracy",
    [NR_METRIC_BINARY_ACCURACY] = "binary_accuracy", [NR_METRIC_CATEGORICAL_ACCURACY] = "categorical_accuracy",
    [NR_METRIC_SPARSE_CATEGORICAL_ACCURACY] = "sparse_categorical_accuracy", [NR_METRIC_MSE] = "mse",
    [NR_METRIC_MAE] = "mae",
};

const char *nr_metric_name(nr_metric k) { return (unsigned)k < NR_METRIC_COUNT_ ? metric_names[k] : "unknown"; }

nr_status nr_metric_parse(const char *name, nr_metric *out) {
    for (int i = 1; i < NR_METRIC_COUNT_; i++)
        if (strcmp(name, metric_names[i]) == 0) { *out = (nr_metric)i; return NR_OK; }
    if (strcmp(name, "acc") == 0) { *out = NR_METRIC_ACCURACY; return NR_OK; }
    if (strcmp(name, "mean_squared_error") == 0) { *out = NR_METRIC_MSE; return NR_OK; }
    if (strcmp(name, "mean_absolute_error") == 0) { *out = NR_METRIC_MAE; return NR_OK; }
    return nr_error(NR_STATUS_BAD_ARGUMENT,
                    "unknown metric \"%s\"; valid: accuracy (acc), binary_accuracy, categorical_accuracy, "
                    "sparse_categorical_accuracy, mse, mae", name);
}

nr_status nr_model_compile(nr_model *m, const nr_compile_opts *o) {
    nr_optimizer_opts resolved;
    NR_TRY(nr_optimizer_opts_defaults(&o->optimizer, &resolved));
    for (int i = 0; i < NR_MAX_IO; i++)
        if ((unsigned)o->loss[i].kind >= NR_LOSS_COUNT_)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "compile: loss %d has an invalid kind", i);
    for (int i = 0; i < NR_MAX_METRICS; i++)
        if ((unsigned)o->metrics[i] >= NR_METRIC_COUNT_)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "compile: metric %d is not valid", i);
    /* Recompiling (e.g. after unfreezing layers) starts a new optimizer. */
    nr_plan_free(m->train_plan);
    nr_plan_free(m->eval_plan);
    nr_optimizer_free(m->opt);
    m->train_plan = m->eval_plan = NULL;
    m->opt = NULL;
    m->copts = *o;
    m->compiled = 1;
    m->prepared = 0;
    /* Keras reads the trainable flags at compile time. */
    return m->n_in ? nr_model_prepare(m) : NR_OK;
}

/* Keras's choice for "accuracy": sparse for the sparse loss, binary for
 * binary cross-entropy or a single output unit, else categorical. */
static nr_metric resolve_metric(nr_metric k, nr_loss_kind loss, int64_t units) {
    if (k != NR_METRIC_ACCURACY) return k;
    if (loss == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return NR_METRIC_SPARSE_CATEGORICAL_ACCURACY;
    if (loss == NR_LOSS_BINARY_CROSSENTROPY || units == 1) return NR_METRIC_BINARY_ACCURACY;
    return NR_METRIC_CATEGORICAL_ACCURACY;
}

static nr_status add_input_node(nr_graph *g, int ndim, const int64_t *shape, nr_sym *out) {
    nr_node n = {.op = NR_OP_INPUT, .ndim = ndim, .batched = 1};
    for (int i = 0; i < ndim; i++) n.shape[i] = shape[i];
    n.shape[0] = -1;
    return nr_graph_add_node(g, &n, out);
}

/* Cross-entropy on a softmax/sigmoid output reads the logits instead:
 * Keras does the same, and it is the numerically stable form. */
static nr_sym fused_pred(const nr_graph *g, nr_sym out, nr_loss_kind kind, int *logits) {
    const nr_node *n = &g->nodes[out];
    if (*logits) return out;
    int ce = kind == NR_LOSS_CATEGORICAL_CROSSENTROPY || kind == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    if ((ce && n->op == NR_OP_SOFTMAX) ||
        (kind == NR_LOSS_BINARY_CROSSENTROPY && n->op == NR_OP_ACT && n->a.act.fn == NR_ACT_SIGMOID)) {
        *logits = 1;
        return n->in[0];
    }
    return out;
}

/* Keras 3 applies the mask of an output to its loss (losses/loss.py,
 * apply_mask): the per-step losses are weighted by sample weight times
 * mask, and the sum is divided by the number of kept steps instead of all
 * steps (0 when none is kept). A LOSS_WEIGHT mask node turns the sample
 * weights into those per-step weights; an output without a mask of its
 * steps (N, T) for (N, T, k) keeps the sample weights. */
static nr_status masked_weight(nr_graph *g, nr_sym out, nr_sym weight, nr_sym *w) {
    *w = weight;
    nr_sym mask = g->nodes[out].mask;
    if (mask == NR_SYM_NONE || g->nodes[mask].ndim != g->nodes[out].ndim - 1) return NR_OK;
    const nr_node *mn = &g->nodes[mask];
    nr_node n = {.op = NR_OP_MASK, .n_in = 2, .in = {mask, weight}, .ndim = mn->ndim, .batched = 1,
                 .a = {.mask = {NR_MASK_LOSS_WEIGHT, 0}}};
    for (int d = 0; d < mn->ndim; d++) n.shape[d] = mn->shape[d];
    return nr_graph_add_node(g, &n, w);
}

static nr_status add_loss(nr_model *m, int i) {
    nr_graph *g = m->g;
    nr_out_state *st = &m->outs[i];
    nr_loss loss = m->copts.loss[i].kind ? m->copts.loss[i] : m->copts.loss[0];
    if (loss.kind == NR_LOSS_NONE)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "compile: no loss given for output %d of model \"%s\"", i, m->name);
    if (loss.weight == 0) loss.weight = 1;
    if (loss.delta == 0) loss.delta = 1;
    st->loss = loss;
    const nr_node *out = &g->nodes[m->out[i]];
    int64_t units = out->shape[out->ndim - 1];
    if (loss.kind == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY || loss.kind == NR_LOSS_CATEGORICAL_CROSSENTROPY) {
        if (units < 2 && loss.kind == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
            char buf[96];
            return nr_error(NR_STATUS_BAD_SHAPE, "compile: %s needs an output with one unit per class, got shape %s",
                            nr_loss_name(loss.kind), nr_node_shape_str(out, buf, sizeof buf));
        }
    }
    int64_t tshape[NR_MAX_DIMS];
    memcpy(tshape, out->shape, sizeof tshape);
    int tdim = loss.kind == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? out->ndim - 1 : out->ndim;
    int64_t wshape[1] = {-1};
    NR_TRY(add_input_node(g, tdim, tshape, &st->target));
    NR_TRY(add_input_node(g, 1, wshape, &st->weight));
    int logits = loss.from_logits;
    nr_sym pred = fused_pred(g, m->out[i], loss.kind, &logits), w;
    NR_TRY(masked_weight(g, m->out[i], st->weight, &w));
    nr_node n = {.op = NR_OP_LOSS, .n_in = 3, .in = {pred, st->target, w}, .ndim = 0};
    n.a.loss = (nr_loss_attrs){loss.kind, logits, loss.delta};
    NR_TRY(nr_graph_add_node(g, &n, &st->loss_node));
    st->n_metrics = 0;
    for (int k = 0; k < NR_MAX_METRICS && m->copts.metrics[k]; k++)
        st->metrics[st->n_metrics++] = resolve_metric(m->copts.metrics[k], loss.kind, units);
    return NR_OK;
}

/* Trainable variables, penalties and regularized weights upstream of the
 * outputs, read now: the trainable flags count as of this moment. */
static nr_status collect_vars(nr_model *m, const unsigned char *up) {
    const nr_graph *g = m->g;
    int n = 0, r = 0;
    for (int k = 0; k < g->n_nodes; k++)
        if (up[k] && g->nodes[k].op == NR_OP_PARAM) n++;
    nr_free(m->vars);
    nr_free(m->reg_vars);
    m->vars = nr_calloc((size_t)n + 1, sizeof *m->vars);
    m->reg_vars = nr_calloc((size_t)n + 1, sizeof *m->reg_vars);
    if (!m->vars || !m->reg_vars) return NR_NOMEM();
    m->n_vars = 0;
    for (int k = 0; k < g->n_nodes; k++) {
        const nr_node *nd = &g->nodes[k];
        if (!up[k] || nd->op != NR_OP_PARAM) continue;
        nr_var v = {k, nd->param_off, nr_node_numel(nd, 1), nd->reg};
        if (nr_graph_param_trainable(nd)) m->vars[m->n_vars++] = v;
        if (nd->reg.l1 != 0 || nd->reg.l2 != 0) m->reg_vars[r++] = v;
    }
    m->n_reg_vars = r;
    m->n_penalties = 0;
    for (int k = 0; k < g->n_nodes; k++)
        if (g->nodes[k].op == NR_OP_PENALTY && up[g->nodes[k].in[0]]) {
            if (m->n_penalties == (int)(sizeof m->penalties / sizeof *m->penalties))
                return nr_error(NR_STATUS_UNSUPPORTED, "model \"%s\": more than 64 activity regularizers", m->name);
            m->penalties[m->n_penalties++] = k;
        }
    return NR_OK;
}

/* A forward-only op (the Heaviside step) between trainable weights and the
 * loss would silently stop gradients: Keras users expect an error. */
static nr_status check_differentiable(const nr_model *m, const unsigned char *up) {
    const nr_graph *g = m->g;
    for (int k = 0; k < g->n_nodes; k++) {
        const nr_node *n = &g->nodes[k];
        if (!up[k] || n->differentiable || !n->needs_grad) continue;
        const char *layer = "?";
        for (int c = 0; c < g->n_calls; c++)
            if (g->calls[c].out == k) layer = g->calls[c].layer->name;
        return nr_error(NR_STATUS_NOT_DIFFERENTIABLE,
                        "model \"%s\": layer \"%s\" uses the %s activation, which has no gradient, so it cannot be "
                        "trained by backpropagation; use sigmoid or tanh, or train a single neuron with the perceptron rule",
                        m->name, layer, nr_activation_name(n->a.act.fn));
    }
    return NR_OK;
}

/* Keras runs a BatchNormalization layer that is not trainable, or called
 * with training=False, in inference mode, even in fit(); like the other
 * trainable flags, compile reads it. The flags are kept per model: a
 * generator's BatchNormalization trains in its combined GAN model whatever
 * another model compiled later says. */
static nr_status freeze_batch_norms(nr_model *m, const unsigned char *up) {
    nr_graph *g = m->g;
    int n = 0;
    for (int c = 0; c < g->n_calls; c++) n += up[g->calls[c].out] && g->nodes[g->calls[c].out].op == NR_OP_BATCHNORM;
    nr_free(m->bn_nodes);
    nr_free(m->bn_frozen);
    m->bn_nodes = nr_calloc((size_t)n + 1, sizeof *m->bn_nodes);
    m->bn_frozen = nr_calloc((size_t)n + 1, 1);
    m->n_bn = 0;
    if (!m->bn_nodes || !m->bn_frozen) return NR_NOMEM();
    for (int c = 0; c < g->n_calls; c++) {
        nr_sym k = g->calls[c].out;
        if (!up[k] || g->nodes[k].op != NR_OP_BATCHNORM) continue;
        m->bn_nodes[m->n_bn] = k;
        m->bn_frozen[m->n_bn++] = !g->calls[c].layer->trainable || g->calls[c].inference;
    }
    nr_model_apply_bn_modes(m);
    return NR_OK;
}

void nr_model_apply_bn_modes(nr_model *m) {
    for (int i = 0; i < m->n_bn; i++) m->g->nodes[m->bn_nodes[i]].a.bn.frozen = m->bn_frozen[i];
}

static nr_status make_optimizer(nr_model *m) {
    nr_param_range *ranges = nr_calloc((size_t)m->n_vars + 1, sizeof *ranges);
    if (!ranges) return NR_NOMEM();
    for (int i = 0; i < m->n_vars; i++) {
        ranges[i].offset = (size_t)m->vars[i].off;
        ranges[i].size = (size_t)m->vars[i].size;
    }
    nr_status s = nr_optimizer_new(&m->copts.optimizer, ranges, m->n_vars, &m->opt);
    nr_free(ranges);
    return s;
}

nr_status nr_model_prepare(nr_model *m) {
    if (m->prepared) return NR_OK;
    if (!m->compiled) return nr_error(NR_STATUS_STATE, "model \"%s\" must be compiled before training or evaluation", m->name);
    if (m->n_in == 0)
        return nr_error(NR_STATUS_STATE, "model \"%s\" has no input shape yet: add an Input or give the first layer input_shape",
                        m->name);
    for (int i = 0; i < m->n_out; i++) NR_TRY(add_loss(m, i));
    unsigned char *up = nr_calloc((size_t)m->g->n_nodes, 1);
    if (!up) return NR_NOMEM();
    for (int i = 0; i < m->n_out; i++) up[m->out[i]] = 1;
    for (int i = 0; i < m->n_added; i++) up[m->added[i].node] = 1;
    for (int k = m->g->n_nodes - 1; k >= 0; k--)
        if (up[k])
            for (int j = 0; j < m->g->nodes[k].n_in; j++) up[m->g->nodes[k].in[j]] = 1;
    nr_status s = check_differentiable(m, up);
    if (s == NR_OK) s = collect_vars(m, up);
    if (s == NR_OK) s = freeze_batch_norms(m, up);
    nr_free(up);
    NR_TRY(s);
    NR_TRY(make_optimizer(m));
    m->prepared = 1;
    return NR_OK;
}

const nr_compile_opts *nr_model_compile_opts(const nr_model *m) { return m->compiled ? &m->copts : NULL; }

nr_loss nr_model_loss(const nr_model *m, int i) {
    nr_loss none = {0};
    if (!m->compiled || i < 0 || i >= NR_MAX_IO) return none;
    return m->copts.loss[i].kind ? m->copts.loss[i] : m->copts.loss[0];
}
