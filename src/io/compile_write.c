/* compile() options written back as a SPEC statement, so a model file
 * keeps them in the same readable language as its architecture. */
#include <string.h>
#include "graph/graph.h"
#include "io/model_file.h"
#include "models/model_internal.h"

static void opt_field(nr_strbuf *sb, const char *key, float v) {
    if (v != 0) nr_strbuf_printf(sb, ", %s=%.9g", key, v);
}

static void write_schedule(nr_strbuf *sb, const nr_lr_schedule *s) {
    switch (s->kind) {
    case NR_LR_EXPONENTIAL_DECAY:
        nr_strbuf_printf(sb, "ExponentialDecay(initial_learning_rate=%.9g, decay_steps=%lld, decay_rate=%.9g, staircase=%s)",
                         s->initial_learning_rate, (long long)s->decay_steps, s->decay_rate, s->staircase ? "True" : "False");
        break;
    case NR_LR_PIECEWISE_CONSTANT:
        nr_strbuf_printf(sb, "PiecewiseConstantDecay(boundaries=[");
        for (int i = 0; i < s->n_boundaries; i++) nr_strbuf_printf(sb, "%s%lld", i ? ", " : "", (long long)s->boundaries[i]);
        nr_strbuf_printf(sb, "], values=[");
        for (int i = 0; i <= s->n_boundaries; i++) nr_strbuf_printf(sb, "%s%.9g", i ? ", " : "", s->values[i]);
        nr_strbuf_printf(sb, "])");
        break;
    case NR_LR_COSINE_DECAY:
        nr_strbuf_printf(sb, "CosineDecay(initial_learning_rate=%.9g, decay_steps=%lld, alpha=%.9g", s->initial_learning_rate,
                         (long long)s->decay_steps, s->alpha);
        if (s->warmup_steps) nr_strbuf_printf(sb, ", warmup_target=%.9g, warmup_steps=%lld", s->warmup_target, (long long)s->warmup_steps);
        nr_strbuf_printf(sb, ")");
        break;
    default: break;
    }
}

/* o is resolved (defaults filled); lr is the current constant rate. */
static void write_optimizer(nr_strbuf *sb, const nr_optimizer_opts *o, float lr) {
    nr_strbuf_printf(sb, "%s(learning_rate=", nr_optimizer_name(o->kind));
    if (o->schedule.kind != NR_LR_CONSTANT) write_schedule(sb, &o->schedule);
    else nr_strbuf_printf(sb, "%.9g", lr);
    switch (o->kind) {
    case NR_OPTIMIZER_SGD:
        opt_field(sb, "momentum", o->momentum);
        if (o->nesterov) nr_strbuf_printf(sb, ", nesterov=True");
        break;
    case NR_OPTIMIZER_RMSPROP:
        opt_field(sb, "rho", o->rho);
        opt_field(sb, "momentum", o->momentum);
        opt_field(sb, "epsilon", o->epsilon);
        if (o->centered) nr_strbuf_printf(sb, ", centered=True");
        break;
    case NR_OPTIMIZER_ADAM:
    case NR_OPTIMIZER_ADAMW:
    case NR_OPTIMIZER_NADAM:
        opt_field(sb, "beta_1", o->beta_1);
        opt_field(sb, "beta_2", o->beta_2);
        opt_field(sb, "epsilon", o->epsilon);
        if (o->amsgrad) nr_strbuf_printf(sb, ", amsgrad=True");
        break;
    case NR_OPTIMIZER_ADAGRAD:
        opt_field(sb, "initial_accumulator_value", o->initial_accumulator_value);
        opt_field(sb, "epsilon", o->epsilon);
        break;
    case NR_OPTIMIZER_ADADELTA:
        opt_field(sb, "rho", o->rho);
        opt_field(sb, "epsilon", o->epsilon);
        break;
    default: break;
    }
    opt_field(sb, "weight_decay", o->weight_decay);
    opt_field(sb, "clipnorm", o->clipnorm);
    opt_field(sb, "clipvalue", o->clipvalue);
    opt_field(sb, "global_clipnorm", o->global_clipnorm);
    nr_strbuf_printf(sb, ")");
}

static void write_loss(nr_strbuf *sb, nr_loss l) {
    static const char *const cls[NR_LOSS_COUNT_] = {
        [NR_LOSS_MEAN_SQUARED_ERROR] = "MeanSquaredError", [NR_LOSS_MEAN_ABSOLUTE_ERROR] = "MeanAbsoluteError",
        [NR_LOSS_HUBER] = "Huber", [NR_LOSS_BINARY_CROSSENTROPY] = "BinaryCrossentropy",
        [NR_LOSS_CATEGORICAL_CROSSENTROPY] = "CategoricalCrossentropy",
        [NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY] = "SparseCategoricalCrossentropy",
    };
    if (l.kind == NR_LOSS_HUBER) nr_strbuf_printf(sb, "Huber(delta=%.9g)", l.delta ? l.delta : 1.0f);
    else if (l.from_logits) nr_strbuf_printf(sb, "%s(from_logits=True)", cls[l.kind]);
    else nr_strbuf_printf(sb, "\"%s\"", nr_loss_name(l.kind));
}

void nr_compile_to_spec(const nr_model *m, const char *var, nr_strbuf *sb) {
    const nr_compile_opts *c = nr_model_compile_opts(m);
    if (!c) return;
    nr_optimizer_opts o;
    if (m->opt) o = *nr_optimizer_get_opts(m->opt);
    else if (nr_optimizer_opts_defaults(&c->optimizer, &o) != NR_OK) return;
    float lr = m->opt ? nr_model_learning_rate(m) : o.learning_rate;
    nr_strbuf_printf(sb, "%s.compile(optimizer=", var);
    write_optimizer(sb, &o, lr);
    nr_strbuf_printf(sb, ", loss=[");
    int n = nr_model_n_outputs(m);
    for (int i = 0; i < n; i++) {
        if (i) nr_strbuf_printf(sb, ", ");
        write_loss(sb, nr_model_loss(m, i));
    }
    nr_strbuf_printf(sb, "], loss_weights=[");
    for (int i = 0; i < n; i++) {
        float w = nr_model_loss(m, i).weight;
        nr_strbuf_printf(sb, "%s%.9g", i ? ", " : "", w ? w : 1.0f);
    }
    nr_strbuf_printf(sb, "], metrics=[");
    for (int i = 0; i < NR_MAX_METRICS && c->metrics[i]; i++)
        nr_strbuf_printf(sb, "%s\"%s\"", i ? ", " : "", nr_metric_name(c->metrics[i]));
    nr_strbuf_printf(sb, "])\n");
}
