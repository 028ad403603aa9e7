/* SPEC optimizers (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Nadam,
 * with Keras 3's argument names and order, and lr= as the old alias) and
 * learning-rate schedules (ExponentialDecay, PiecewiseConstantDecay,
 * CosineDecay). Options are validated where they are written, so an
 * out-of-range momentum points at the SGD(...) that holds it. */
#include <string.h>
#include <strings.h>
#include "io/spec_build.h"

/* A zero the user wrote is a real zero, not "the default" (optim.h). */
static nr_status opt_float(nr_spec_ctx *x, const nr_spec_args *a, const char *name, float *field) {
    if (!nr_spec_given(a, name)) return NR_OK;
    float v = 0;
    NR_TRY(nr_spec_get_float(x, a, name, &v));
    *field = v == 0 ? NR_OPTIM_ZERO : v;
    return NR_OK;
}

static nr_status validate(nr_spec_ctx *x, const nr_spec_args *a, const nr_optimizer_opts *o) {
    nr_optimizer_opts resolved;
    nr_status s = nr_optimizer_opts_defaults(o, &resolved);
    return s == NR_OK ? NR_OK : nr_spec_fail(x, a->line, a->col, s);
}

static nr_status learning_rate(nr_spec_ctx *x, const nr_spec_args *a, nr_optimizer_opts *o) {
    if (nr_spec_given(a, "learning_rate") && nr_spec_given(a, "lr"))
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: lr is the old name of learning_rate; give one", a->what);
    const char *key = nr_spec_given(a, "lr") ? "lr" : "learning_rate";
    const nr_val *v = nr_spec_arg(a, key);
    if (v && v->kind == NR_VAL_SCHEDULE) {
        o->schedule = *v->u.sched;
        return NR_OK;
    }
    if (v && v->kind != NR_VAL_NONE && !nr_spec_is_number(v))
        return nr_spec_type_error(x, a, key, "a number or a schedule such as ExponentialDecay(...)");
    return opt_float(x, a, key, &o->learning_rate);
}

/* Keras arguments neurona has no use for: accepted at their defaults. */
static nr_status unused_args(nr_spec_ctx *x, const nr_spec_args *a) {
    int ema = 0;
    NR_TRY(nr_spec_get_bool(x, a, "use_ema", &ema));
    if (ema) return nr_spec_only_default(x, a, "use_ema", "no moving average of the weights");
    NR_TRY(nr_spec_only_default(x, a, "loss_scale_factor", NULL));
    NR_TRY(nr_spec_only_default(x, a, "gradient_accumulation_steps", NULL));
    NR_TRY(nr_spec_only_default(x, a, "decay", "use a schedule: learning_rate=ExponentialDecay(...)"));
    const char *name = NULL;
    return nr_spec_get_str(x, a, "name", &name);
}

static nr_status optimizer_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    static const char *const floats[] = {
        "momentum", "rho",       "beta_1",         "beta_2", "epsilon", "weight_decay", "initial_accumulator_value",
        "clipnorm", "clipvalue", "global_clipnorm"};
    nr_optimizer_opts *o = nr_spec_alloc(&x->arena, sizeof *o);
    if (!o) return NR_NOMEM();
    nr_status known = nr_optimizer_kind_parse(a->fn->name, &o->kind);
    NR_ASSERT(known == NR_OK);
    NR_TRY(learning_rate(x, a, o));
    float *fields[] = {&o->momentum,
                       &o->rho,
                       &o->beta_1,
                       &o->beta_2,
                       &o->epsilon,
                       &o->weight_decay,
                       &o->initial_accumulator_value,
                       &o->clipnorm,
                       &o->clipvalue,
                       &o->global_clipnorm};
    for (size_t i = 0; i < sizeof floats / sizeof *floats; i++) NR_TRY(opt_float(x, a, floats[i], fields[i]));
    NR_TRY(nr_spec_get_bool(x, a, "nesterov", &o->nesterov));
    NR_TRY(nr_spec_get_bool(x, a, "amsgrad", &o->amsgrad));
    NR_TRY(nr_spec_get_bool(x, a, "centered", &o->centered));
    NR_TRY(unused_args(x, a));
    NR_TRY(validate(x, a, o));
    nr_val *v = nr_spec_new_val(x, NR_VAL_OPTIMIZER, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.opt = o;
    *out = v;
    return NR_OK;
}

nr_status nr_spec_to_optimizer(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_optimizer_opts *out) {
    static const char *const names[] = {"sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "nadam"};
    const nr_val *v = nr_spec_arg(a, name);
    memset(out, 0, sizeof *out);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind == NR_VAL_OPTIMIZER) {
        *out = *v->u.opt;
        return NR_OK;
    }
    if (v->kind != NR_VAL_STR) return nr_spec_type_error(x, a, name, "an optimizer name or object such as SGD(...)");
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(v->u.s, names[i]) == 0) return nr_optimizer_kind_parse(names[i], &out->kind);
    return nr_spec_unknown(x, v->line, v->col, "optimizer", v->u.s, names, (int)(sizeof names / sizeof *names));
}

/* --- schedules --------------------------------------------------------------- */

static nr_status schedule_val(nr_spec_ctx *x, const nr_spec_args *a, const nr_lr_schedule *s, nr_val **out) {
    nr_optimizer_opts o = {.kind = NR_OPTIMIZER_SGD, .schedule = *s};
    NR_TRY(validate(x, a, &o));
    nr_val *v = nr_spec_new_val(x, NR_VAL_SCHEDULE, a->line, a->col);
    if (!v || !(v->u.sched = nr_spec_alloc(&x->arena, sizeof *s))) return NR_NOMEM();
    *v->u.sched = *s;
    *out = v;
    return NR_OK;
}

static nr_status required(nr_spec_ctx *x, const nr_spec_args *a, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!nr_spec_given(a, names[i])) return nr_spec_missing(x, a, names[i]);
    return NR_OK;
}

static nr_status exponential_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    static const char *const need[] = {"initial_learning_rate", "decay_steps", "decay_rate"};
    nr_lr_schedule s = {.kind = NR_LR_EXPONENTIAL_DECAY};
    NR_TRY(required(x, a, need, 3));
    NR_TRY(opt_float(x, a, "initial_learning_rate", &s.initial_learning_rate));
    NR_TRY(nr_spec_get_int(x, a, "decay_steps", 1, INT64_MAX, &s.decay_steps));
    NR_TRY(nr_spec_get_float(x, a, "decay_rate", &s.decay_rate));
    NR_TRY(nr_spec_get_bool(x, a, "staircase", &s.staircase));
    const char *name = NULL;
    NR_TRY(nr_spec_get_str(x, a, "name", &name));
    return schedule_val(x, a, &s, out);
}

static nr_status numbers(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int max, int ints, double *vals,
                         int *n) {
    const nr_val *v = nr_spec_arg(a, name);
    if (v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE) return nr_spec_type_error(x, a, name, "a list of numbers");
    if (v->u.seq.n > max)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_UNSUPPORTED, "%s: at most %d %s, got %d", a->what, max, name,
                             v->u.seq.n);
    for (int i = 0; i < v->u.seq.n; i++) {
        const nr_val *e = v->u.seq.items[i];
        if (ints ? e->kind != NR_VAL_INT : !nr_spec_is_number(e))
            return nr_spec_type_error(x, a, name, ints ? "a list of ints" : "a list of numbers");
        vals[i] = nr_spec_number(e);
    }
    *n = v->u.seq.n;
    return NR_OK;
}

static nr_status piecewise_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    static const char *const need[] = {"boundaries", "values"};
    nr_lr_schedule s = {.kind = NR_LR_PIECEWISE_CONSTANT};
    double b[NR_LR_MAX_BOUNDARIES + 1], v[NR_LR_MAX_BOUNDARIES + 1];
    int nb, nv;
    NR_TRY(required(x, a, need, 2));
    NR_TRY(numbers(x, a, "boundaries", NR_LR_MAX_BOUNDARIES, 1, b, &nb));
    NR_TRY(numbers(x, a, "values", NR_LR_MAX_BOUNDARIES + 1, 0, v, &nv));
    if (nv != nb + 1)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: values needs one more entry than boundaries (%d), got %d", a->what, nb, nv);
    s.n_boundaries = nb;
    for (int i = 0; i < nb; i++) s.boundaries[i] = (int64_t)b[i];
    for (int i = 0; i < nv; i++) s.values[i] = (float)v[i];
    const char *name = NULL;
    NR_TRY(nr_spec_get_str(x, a, "name", &name));
    return schedule_val(x, a, &s, out);
}

static nr_status cosine_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    static const char *const need[] = {"initial_learning_rate", "decay_steps"};
    nr_lr_schedule s = {.kind = NR_LR_COSINE_DECAY};
    NR_TRY(required(x, a, need, 2));
    NR_TRY(opt_float(x, a, "initial_learning_rate", &s.initial_learning_rate));
    NR_TRY(nr_spec_get_int(x, a, "decay_steps", 1, INT64_MAX, &s.decay_steps));
    NR_TRY(nr_spec_get_float(x, a, "alpha", &s.alpha));
    NR_TRY(nr_spec_get_float(x, a, "warmup_target", &s.warmup_target));
    NR_TRY(nr_spec_get_int(x, a, "warmup_steps", 0, INT64_MAX, &s.warmup_steps));
    if (!nr_spec_given(a, "warmup_target")) s.warmup_steps = 0; /* Keras: no target, no warmup */
    const char *name = NULL;
    NR_TRY(nr_spec_get_str(x, a, "name", &name));
    return schedule_val(x, a, &s, out);
}

/* LearningRateScheduler(schedule) takes a Python function. */
static nr_status lr_scheduler_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    (void)out;
    return nr_spec_error(x, a->line, a->col, NR_STATUS_UNSUPPORTED,
                         "LearningRateScheduler needs a Python function, which a SPEC cannot hold; give the optimizer "
                         "a schedule instead: SGD(learning_rate=ExponentialDecay(initial_learning_rate=0.1, "
                         "decay_steps=1000, decay_rate=0.9)) (also PiecewiseConstantDecay, CosineDecay), or use "
                         "ReduceLROnPlateau");
}

#define TAIL                                                                                                           \
    "clipnorm", "clipvalue", "global_clipnorm", "use_ema", "ema_momentum", "ema_overwrite_frequency",                  \
        "loss_scale_factor", "gradient_accumulation_steps", "name", "lr", "decay"
#define ALL NR_SPEC_MAX_PARAMS

const nr_spec_builtin nr_spec_optim_builtins[] = {
    {"SGD", {"learning_rate", "momentum", "nesterov", "weight_decay", TAIL}, 13, optimizer_new, 0},
    {"RMSprop",
     {"learning_rate", "rho", "momentum", "epsilon", "centered", "weight_decay", TAIL},
     15,
     optimizer_new,
     0},
    {"Adam", {"learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay", TAIL}, 15, optimizer_new, 0},
    {"AdamW", {"learning_rate", "weight_decay", "beta_1", "beta_2", "epsilon", "amsgrad", TAIL}, 15, optimizer_new, 0},
    {"Adagrad", {"learning_rate", "initial_accumulator_value", "epsilon", "weight_decay", TAIL}, 13, optimizer_new, 0},
    {"Adadelta", {"learning_rate", "rho", "epsilon", "weight_decay", TAIL}, 13, optimizer_new, 0},
    {"Nadam", {"learning_rate", "beta_1", "beta_2", "epsilon", "weight_decay", TAIL}, 14, optimizer_new, 0},
    {"ExponentialDecay",
     {"initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name"},
     ALL,
     exponential_new,
     0},
    {"PiecewiseConstantDecay", {"boundaries", "values", "name"}, ALL, piecewise_new, 0},
    {"CosineDecay",
     {"initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target", "warmup_steps"},
     ALL,
     cosine_new,
     0},
    {"LearningRateScheduler", {"~schedule", "verbose"}, ALL, lr_scheduler_new, 0},
    {NULL, {0}, 0, NULL, 0},
};
