/* SPEC compile(): the optimizer, losses as names or objects
 * (CategoricalCrossentropy(from_logits=True), Huber(delta=2.0)), one per
 * output as a list or a dict by output layer name, loss_weights, and
 * metrics. compile() is a model method and, bare, applies to the current
 * model. */
#include <string.h>
#include "io/spec_build.h"

static const char *const loss_names[] = {
    "mean_squared_error",
    "mse",
    "mean_absolute_error",
    "mae",
    "huber",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "Huber",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
};

static const char *const metric_names[] = {
    "accuracy", "acc", "binary_accuracy",    "categorical_accuracy", "sparse_categorical_accuracy",
    "mse",      "mae", "mean_squared_error", "mean_absolute_error",
};

/* --- loss and metric objects ------------------------------------------------ */

static nr_status loss_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_loss l = {0};
    nr_status known = nr_loss_parse(a->fn->name, &l.kind);
    NR_ASSERT(known == NR_OK);
    NR_TRY(nr_spec_get_bool(x, a, "from_logits", &l.from_logits));
    NR_TRY(nr_spec_get_float(x, a, "delta", &l.delta));
    if (nr_spec_given(a, "delta") && l.delta <= 0)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: delta must be > 0", a->what);
    float smoothing = 0;
    int64_t axis = -1;
    const char *reduction = NULL, *name = NULL;
    NR_TRY(nr_spec_get_float(x, a, "label_smoothing", &smoothing));
    if (smoothing != 0) return nr_spec_only_default(x, a, "label_smoothing", "only 0");
    NR_TRY(nr_spec_get_int(x, a, "axis", -1, -1, &axis));
    NR_TRY(nr_spec_only_default(x, a, "ignore_class", NULL));
    NR_TRY(nr_spec_get_str(x, a, "reduction", &reduction));
    if (reduction && strcmp(reduction, "sum_over_batch_size") != 0 && strcmp(reduction, "auto") != 0)
        return nr_spec_only_default(x, a, "reduction", "only \"sum_over_batch_size\"");
    NR_TRY(nr_spec_get_str(x, a, "name", &name));
    nr_val *v = nr_spec_new_val(x, NR_VAL_LOSS, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.loss = l;
    *out = v;
    return NR_OK;
}

static nr_status metric_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    static const struct {
        const char *cls;
        nr_metric m;
    } kinds[] = {
        {"BinaryAccuracy", NR_METRIC_BINARY_ACCURACY},
        {"CategoricalAccuracy", NR_METRIC_CATEGORICAL_ACCURACY},
        {"SparseCategoricalAccuracy", NR_METRIC_SPARSE_CATEGORICAL_ACCURACY},
    };
    nr_val *v = nr_spec_new_val(x, NR_VAL_METRIC, a->line, a->col);
    if (!v) return NR_NOMEM();
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(a->fn->name, kinds[i].cls)) v->u.metric = kinds[i].m;
    float threshold = 0.5f;
    const char *name = NULL;
    NR_TRY(nr_spec_get_float(x, a, "threshold", &threshold));
    if (threshold != 0.5f) return nr_spec_only_default(x, a, "threshold", "only 0.5");
    NR_TRY(nr_spec_get_str(x, a, "name", &name));
    *out = v;
    return NR_OK;
}

/* --- compile ---------------------------------------------------------------- */

static nr_status to_loss(nr_spec_ctx *x, const nr_val *v, const char *what, nr_loss *out) {
    char got[128];
    if (v->kind == NR_VAL_LOSS) {
        *out = v->u.loss;
        return NR_OK;
    }
    if (v->kind != NR_VAL_STR)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: loss must be a name or a loss object, got %s", what,
                             nr_spec_describe(v, got, sizeof got));
    memset(out, 0, sizeof *out);
    if (nr_loss_parse(v->u.s, &out->kind) == NR_OK) return NR_OK;
    nr_clear_error();
    return nr_spec_unknown(x, v->line, v->col, "loss", v->u.s, loss_names,
                           (int)(sizeof loss_names / sizeof *loss_names));
}

static nr_status to_metric(nr_spec_ctx *x, const nr_val *v, const char *what, nr_metric *out) {
    char got[128];
    if (v->kind == NR_VAL_METRIC) {
        *out = v->u.metric;
        return NR_OK;
    }
    /* keras.metrics.MeanSquaredError() is spelt like the loss. */
    if (v->kind == NR_VAL_LOSS && v->u.loss.kind == NR_LOSS_MEAN_SQUARED_ERROR) {
        *out = NR_METRIC_MSE;
        return NR_OK;
    }
    if (v->kind == NR_VAL_LOSS && v->u.loss.kind == NR_LOSS_MEAN_ABSOLUTE_ERROR) {
        *out = NR_METRIC_MAE;
        return NR_OK;
    }
    if (v->kind != NR_VAL_STR)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: a metric must be a name such as \"accuracy\", got %s", what,
                             nr_spec_describe(v, got, sizeof got));
    if (nr_metric_parse(v->u.s, out) == NR_OK) return NR_OK;
    nr_clear_error();
    return nr_spec_unknown(x, v->line, v->col, "metric", v->u.s, metric_names,
                           (int)(sizeof metric_names / sizeof *metric_names));
}

/* The output a dict key names: the layer that produces it. */
static int output_index(const nr_model *m, const char *name) {
    const nr_graph *g = m->g;
    for (int i = 0; i < m->n_out; i++)
        for (int c = g->n_calls - 1; c >= 0; c--)
            if (g->calls[c].out == m->out[i] && !g->calls[c].hidden) {
                if (!strcmp(g->calls[c].layer->name, name)) return i;
                break;
            }
    return -1;
}

static nr_status output_names(nr_spec_ctx *x, const nr_model *m, const char ***names) {
    *names = nr_spec_alloc(&x->arena, (size_t)NR_MAX_IO * sizeof **names);
    if (!*names) return NR_NOMEM();
    for (int i = 0; i < m->n_out; i++)
        for (int c = x->g->n_calls - 1; c >= 0; c--)
            if (x->g->calls[c].out == m->out[i] && !x->g->calls[c].hidden) {
                (*names)[i] = x->g->calls[c].layer->name;
                break;
            }
    return NR_OK;
}

/* Which output a list position or dict key stands for. */
static nr_status entry_output(nr_spec_ctx *x, const nr_model *m, const nr_val *seq, int i, const char *arg, int *out) {
    int n_out = m->n_out ? m->n_out : 1;
    if (seq->kind != NR_VAL_DICT) {
        if (seq->u.seq.n != n_out)
            return nr_spec_error(x, seq->line, seq->col, NR_STATUS_BAD_ARGUMENT,
                                 "compile: %s has %d entries but model \"%s\" has %d output%s", arg, seq->u.seq.n,
                                 m->name, n_out, n_out == 1 ? "" : "s");
        *out = i;
        return NR_OK;
    }
    const nr_val *key = seq->u.seq.items[i];
    char got[128];
    if (key->kind != NR_VAL_STR)
        return nr_spec_error(x, key->line, key->col, NR_STATUS_BAD_ARGUMENT,
                             "compile: %s keys must be output layer names, got %s", arg,
                             nr_spec_describe(key, got, sizeof got));
    if ((*out = output_index(m, key->u.s)) >= 0) return NR_OK;
    const char **names;
    NR_TRY(output_names(x, m, &names));
    return nr_spec_unknown(x, key->line, key->col, "output layer", key->u.s, names, m->n_out);
}

static nr_status losses(nr_spec_ctx *x, const nr_spec_args *a, const nr_model *m, nr_compile_opts *c) {
    const nr_val *v = nr_spec_arg(a, "loss");
    if (!v || v->kind == NR_VAL_NONE) return nr_spec_missing(x, a, "loss");
    if (v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE && v->kind != NR_VAL_DICT) {
        NR_TRY(to_loss(x, v, a->what, &c->loss[0]));
        for (int i = 1; i < m->n_out; i++) c->loss[i] = c->loss[0];
        return NR_OK;
    }
    for (int i = 0; i < v->u.seq.n; i++) {
        int k;
        NR_TRY(entry_output(x, m, v, i, "loss", &k));
        NR_TRY(to_loss(x, v->kind == NR_VAL_DICT ? v->u.seq.values[i] : v->u.seq.items[i], a->what, &c->loss[k]));
    }
    for (int i = 0; i < (m->n_out ? m->n_out : 1); i++)
        if (!c->loss[i].kind)
            return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT,
                                 "compile: no loss for output %d of model \"%s\"", i, m->name);
    return NR_OK;
}

static nr_status loss_weights(nr_spec_ctx *x, const nr_spec_args *a, const nr_model *m, nr_compile_opts *c) {
    const nr_val *v = nr_spec_arg(a, "loss_weights");
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE && v->kind != NR_VAL_DICT)
        return nr_spec_type_error(x, a, "loss_weights", "a list or a dict of numbers");
    for (int i = 0; i < v->u.seq.n; i++) {
        int k;
        const nr_val *w = v->kind == NR_VAL_DICT ? v->u.seq.values[i] : v->u.seq.items[i];
        NR_TRY(entry_output(x, m, v, i, "loss_weights", &k));
        if (!nr_spec_is_number(w) || !(nr_spec_number(w) >= 0) || nr_spec_number(w) > 1e30)
            return nr_spec_type_error(x, a, "loss_weights", "a list of numbers >= 0");
        /* A zero weight is zero, not the default 1. */
        c->loss[k].weight = nr_spec_number(w) == 0 ? 1e-30f : (float)nr_spec_number(w);
    }
    return NR_OK;
}

static nr_status metrics(nr_spec_ctx *x, const nr_spec_args *a, nr_compile_opts *c) {
    const nr_val *v = nr_spec_arg(a, "metrics");
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind == NR_VAL_STR || v->kind == NR_VAL_METRIC) return to_metric(x, v, a->what, &c->metrics[0]);
    if (v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE)
        return nr_spec_type_error(x, a, "metrics", "a list of metric names such as [\"accuracy\"]");
    if (v->u.seq.n > NR_MAX_METRICS)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_UNSUPPORTED, "%s: at most %d metrics, got %d", a->what,
                             NR_MAX_METRICS, v->u.seq.n);
    for (int i = 0; i < v->u.seq.n; i++) NR_TRY(to_metric(x, v->u.seq.items[i], a->what, &c->metrics[i]));
    return NR_OK;
}

static nr_status ignored_args(nr_spec_ctx *x, const nr_spec_args *a) {
    int flag = 0;
    int64_t steps = 1;
    NR_TRY(nr_spec_only_default(x, a, "weighted_metrics", NULL));
    NR_TRY(nr_spec_get_bool(x, a, "run_eagerly", &flag));
    NR_TRY(nr_spec_get_bool(x, a, "auto_scale_loss", &flag));
    NR_TRY(nr_spec_get_int(x, a, "steps_per_execution", 1, INT32_MAX, &steps));
    const nr_val *jit = nr_spec_arg(a, "jit_compile");
    if (jit && jit->kind != NR_VAL_BOOL && jit->kind != NR_VAL_STR && jit->kind != NR_VAL_NONE)
        return nr_spec_type_error(x, a, "jit_compile", "True, False or \"auto\"");
    return NR_OK;
}

static nr_status compile_fn(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_model *m;
    if (a->self)
        m = a->self->u.model;
    else
        NR_TRY(nr_spec_current_model(x, a, &m));
    nr_compile_opts c;
    memset(&c, 0, sizeof c);
    NR_TRY(nr_spec_to_optimizer(x, a, "optimizer", &c.optimizer));
    NR_TRY(losses(x, a, m, &c));
    NR_TRY(loss_weights(x, a, m, &c));
    NR_TRY(metrics(x, a, &c));
    NR_TRY(ignored_args(x, a));
    nr_status s = nr_model_compile(m, &c);
    if (s != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    x->compiled = m;
    return (*out = nr_spec_new_val(x, NR_VAL_NONE, a->line, a->col)) ? NR_OK : NR_NOMEM();
}

#define LOSS_TAIL "reduction", "name", "dtype"
#define ALL NR_SPEC_MAX_PARAMS

const nr_spec_builtin nr_spec_compile_builtins[] = {
    {"compile",
     {"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly", "steps_per_execution",
      "jit_compile", "auto_scale_loss"},
     ALL,
     compile_fn,
     NR_SPEC_METHOD},
    {"MeanSquaredError", {LOSS_TAIL}, ALL, loss_new, 0},
    {"MeanAbsoluteError", {LOSS_TAIL}, ALL, loss_new, 0},
    {"Huber", {"delta", LOSS_TAIL}, ALL, loss_new, 0},
    {"BinaryCrossentropy", {"from_logits", "label_smoothing", "axis", LOSS_TAIL}, ALL, loss_new, 0},
    {"CategoricalCrossentropy", {"from_logits", "label_smoothing", "axis", LOSS_TAIL}, ALL, loss_new, 0},
    {"SparseCategoricalCrossentropy", {"from_logits", "ignore_class", LOSS_TAIL}, ALL, loss_new, 0},
    {"BinaryAccuracy", {"name", "dtype", "threshold"}, ALL, metric_new, 0},
    {"CategoricalAccuracy", {"name", "dtype"}, ALL, metric_new, 0},
    {"SparseCategoricalAccuracy", {"name", "dtype"}, ALL, metric_new, 0},
    {NULL, {0}, 0, NULL, 0},
};
