/* Optimizers: option defaults and validation, state allocation, the step
 * driver (learning rate, Nadam's momentum cache, iteration count) and the
 * names. The per-element updates are in update_fast.c and update_ref.c. */
#include <math.h>
#include <string.h>
#include <strings.h>
#include "optim_internal.h"

static const char *const kind_names[NR_OPTIMIZER_COUNT_] = {
    [NR_OPTIMIZER_DEFAULT] = "RMSprop", [NR_OPTIMIZER_SGD] = "SGD",
    [NR_OPTIMIZER_RMSPROP] = "RMSprop", [NR_OPTIMIZER_ADAM] = "Adam",
    [NR_OPTIMIZER_ADAMW] = "AdamW",     [NR_OPTIMIZER_ADAGRAD] = "Adagrad",
    [NR_OPTIMIZER_ADADELTA] = "Adadelta", [NR_OPTIMIZER_NADAM] = "Nadam",
};

const char *nr_optimizer_name(nr_optimizer_kind kind) {
    if ((unsigned)kind >= NR_OPTIMIZER_COUNT_) return "unknown";
    return kind_names[kind];
}

nr_status nr_optimizer_kind_parse(const char *name, nr_optimizer_kind *out) {
    if (!name || !out) return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer name: NULL argument");
    for (int k = NR_OPTIMIZER_SGD; k < NR_OPTIMIZER_COUNT_; k++) {
        if (strcasecmp(name, kind_names[k]) == 0) {
            *out = (nr_optimizer_kind)k;
            return NR_OK;
        }
    }
    return nr_error(NR_STATUS_BAD_ARGUMENT,
                    "unknown optimizer '%s'; valid: sgd, rmsprop, adam, adamw, adagrad, adadelta, nadam",
                    name);
}

/* ---- options ---------------------------------------------------------- */

/* A zero field takes the default; NR_OPTIM_ZERO (-0.0f) is a real zero. */
static float pick(float v, float def) {
    if (v == 0.0f) return signbit(v) ? 0.0f : def;
    return v;
}

static int is_adam_like(nr_optimizer_kind k) {
    return k == NR_OPTIMIZER_ADAM || k == NR_OPTIMIZER_ADAMW || k == NR_OPTIMIZER_NADAM;
}

/* Rejects an option set for a kind it does not apply to. */
#define NR_ONLY_FOR(cond, field, kinds)                                                      \
    do {                                                                                     \
        if ((in->field) != 0 && !(cond))                                                     \
            return nr_error(NR_STATUS_BAD_ARGUMENT,                                          \
                            "optimizer %s has no option '" #field "' (it applies to " kinds ")", name); \
    } while (0)

/* v must be finite and in [lo, hi] (hi_open: [lo, hi)). */
static nr_status check_range(const char *name, const char *field, float v, float lo, float hi, int hi_open) {
    if (isfinite(v) && v >= lo && (hi_open ? v < hi : v <= hi)) return NR_OK;
    if (isinf(hi))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s: %s = %g must be >= %g", name, field, (double)v,
                        (double)lo);
    return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s: %s = %g must be in [%g, %g%c", name, field, (double)v,
                    (double)lo, (double)hi, hi_open ? ')' : ']');
}

static nr_status schedule_resolve(nr_lr_schedule *s, float lr, const char *name) {
    switch (s->kind) {
    case NR_LR_CONSTANT:
        return NR_OK;
    case NR_LR_EXPONENTIAL_DECAY:
    case NR_LR_COSINE_DECAY: {
        const char *sname = s->kind == NR_LR_EXPONENTIAL_DECAY ? "ExponentialDecay" : "CosineDecay";
        s->initial_learning_rate = pick(s->initial_learning_rate, lr);
        if (!isfinite(s->initial_learning_rate) || s->initial_learning_rate < 0)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s: %s initial_learning_rate = %g must be >= 0",
                            name, sname, (double)s->initial_learning_rate);
        if (s->decay_steps <= 0)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s: %s decay_steps = %lld must be > 0",
                            name, sname, (long long)s->decay_steps);
        if (s->kind == NR_LR_EXPONENTIAL_DECAY) {
            if (!(isfinite(s->decay_rate) && s->decay_rate > 0))
                return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s: ExponentialDecay decay_rate = %g must be > 0",
                                name, (double)s->decay_rate);
        } else {
            if (!(isfinite(s->alpha) && s->alpha >= 0 && s->alpha <= 1))
                return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s: CosineDecay alpha = %g must be in [0, 1]",
                                name, (double)s->alpha);
            if (s->warmup_steps < 0 || (s->warmup_steps > 0 && !(isfinite(s->warmup_target) && s->warmup_target >= 0)))
                return nr_error(NR_STATUS_BAD_ARGUMENT,
                                "optimizer %s: CosineDecay warmup_steps = %lld, warmup_target = %g: need steps >= 0 "
                                "and a target >= 0", name, (long long)s->warmup_steps, (double)s->warmup_target);
            s->alpha = pick(s->alpha, 0.0f);
        }
        return NR_OK;
    }
    case NR_LR_PIECEWISE_CONSTANT:
        if (s->n_boundaries < 1 || s->n_boundaries > NR_LR_MAX_BOUNDARIES)
            return nr_error(NR_STATUS_BAD_ARGUMENT,
                            "optimizer %s: PiecewiseConstantDecay n_boundaries = %d must be in 1..%d", name,
                            s->n_boundaries, NR_LR_MAX_BOUNDARIES);
        for (int i = 0; i < s->n_boundaries; i++) {
            if (i > 0 && s->boundaries[i] <= s->boundaries[i - 1])
                return nr_error(NR_STATUS_BAD_ARGUMENT,
                                "optimizer %s: PiecewiseConstantDecay boundaries must increase: "
                                "boundaries[%d] = %lld after %lld", name, i, (long long)s->boundaries[i],
                                (long long)s->boundaries[i - 1]);
        }
        for (int i = 0; i <= s->n_boundaries; i++) {
            if (!(isfinite(s->values[i]) && s->values[i] >= 0))
                return nr_error(NR_STATUS_BAD_ARGUMENT,
                                "optimizer %s: PiecewiseConstantDecay values[%d] = %g must be >= 0", name, i,
                                (double)s->values[i]);
        }
        return NR_OK;
    case NR_LR_SCHEDULE_COUNT_:
        break;
    }
    return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s: unknown schedule kind %d", name, (int)s->kind);
}

nr_status nr_optimizer_opts_defaults(const nr_optimizer_opts *opts, nr_optimizer_opts *out) {
    static const nr_optimizer_opts none;
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_optimizer_opts_defaults: out is NULL");
    const nr_optimizer_opts *in = opts ? opts : &none;
    if ((unsigned)in->kind >= NR_OPTIMIZER_COUNT_)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer: unknown kind %d", (int)in->kind);
    nr_optimizer_opts o = *in;
    nr_optimizer_kind k = in->kind == NR_OPTIMIZER_DEFAULT ? NR_OPTIMIZER_RMSPROP : in->kind;
    const char *name = kind_names[k];
    o.kind = k;

    NR_ONLY_FOR(k == NR_OPTIMIZER_SGD || k == NR_OPTIMIZER_RMSPROP, momentum, "SGD and RMSprop");
    NR_ONLY_FOR(k == NR_OPTIMIZER_SGD, nesterov, "SGD");
    NR_ONLY_FOR(k == NR_OPTIMIZER_RMSPROP || k == NR_OPTIMIZER_ADADELTA, rho, "RMSprop and Adadelta");
    NR_ONLY_FOR(is_adam_like(k), beta_1, "Adam, AdamW and Nadam");
    NR_ONLY_FOR(is_adam_like(k), beta_2, "Adam, AdamW and Nadam");
    NR_ONLY_FOR(k != NR_OPTIMIZER_SGD, epsilon, "every optimizer but SGD");
    NR_ONLY_FOR(k == NR_OPTIMIZER_ADAM || k == NR_OPTIMIZER_ADAMW, amsgrad, "Adam and AdamW");
    NR_ONLY_FOR(k == NR_OPTIMIZER_RMSPROP, centered, "RMSprop");
    NR_ONLY_FOR(k == NR_OPTIMIZER_ADAGRAD, initial_accumulator_value, "Adagrad");

    o.learning_rate = pick(in->learning_rate, k == NR_OPTIMIZER_SGD ? 0.01f : 0.001f);
    o.momentum = pick(in->momentum, 0.0f);
    o.nesterov = in->nesterov != 0;
    o.rho = pick(in->rho, k == NR_OPTIMIZER_ADADELTA ? 0.95f : k == NR_OPTIMIZER_RMSPROP ? 0.9f : 0.0f);
    o.beta_1 = pick(in->beta_1, is_adam_like(k) ? 0.9f : 0.0f);
    o.beta_2 = pick(in->beta_2, is_adam_like(k) ? 0.999f : 0.0f);
    o.epsilon = pick(in->epsilon, k == NR_OPTIMIZER_SGD ? 0.0f : 1e-7f);
    o.amsgrad = in->amsgrad != 0;
    o.centered = in->centered != 0;
    o.weight_decay = pick(in->weight_decay, k == NR_OPTIMIZER_ADAMW ? 0.004f : 0.0f);
    o.initial_accumulator_value = pick(in->initial_accumulator_value, k == NR_OPTIMIZER_ADAGRAD ? 0.1f : 0.0f);
    o.clipnorm = pick(in->clipnorm, 0.0f);
    o.clipvalue = pick(in->clipvalue, 0.0f);
    o.global_clipnorm = pick(in->global_clipnorm, 0.0f);

    const struct { const char *field; float v, lo, hi; int hi_open; } ranges[] = {
        {"learning_rate", o.learning_rate, 0, INFINITY, 0},
        {"momentum", o.momentum, 0, 1, 0},
        {"rho", o.rho, 0, 1, 0},
        {"beta_1", o.beta_1, 0, 1, 1},
        {"beta_2", o.beta_2, 0, 1, 1},
        {"epsilon", o.epsilon, 0, INFINITY, 0},
        {"weight_decay", o.weight_decay, 0, INFINITY, 0},
        {"initial_accumulator_value", o.initial_accumulator_value, 0, INFINITY, 0},
        {"clipnorm", o.clipnorm, 0, INFINITY, 0},
        {"clipvalue", o.clipvalue, 0, INFINITY, 0},
        {"global_clipnorm", o.global_clipnorm, 0, INFINITY, 0},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        NR_TRY(check_range(name, ranges[i].field, ranges[i].v, ranges[i].lo, ranges[i].hi, ranges[i].hi_open));
    if ((o.clipnorm > 0) + (o.clipvalue > 0) + (o.global_clipnorm > 0) > 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "optimizer %s: only one of clipnorm, clipvalue and global_clipnorm can be set "
                        "(clipnorm = %g, clipvalue = %g, global_clipnorm = %g)",
                        name, (double)o.clipnorm, (double)o.clipvalue, (double)o.global_clipnorm);
    NR_TRY(schedule_resolve(&o.schedule, o.learning_rate, name));
    *out = o;
    return NR_OK;
}

/* ---- construction ----------------------------------------------------- */

static int cmp_range(const void *a, const void *b) {
    size_t x = ((const nr_param_range *)a)->offset, y = ((const nr_param_range *)b)->offset;
    return (x > y) - (x < y);
}

static void add_slot(nr_optimizer *o, const char *name) {
    NR_ASSERT(o->n_slots < NR_OPTIM_MAX_SLOTS);
    o->slot_names[o->n_slots++] = name;
}

nr_status nr_optimizer_new(const nr_optimizer_opts *opts, const nr_param_range *vars, int n_vars,
                           nr_optimizer **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_optimizer_new: out is NULL");
    *out = NULL;
    if (n_vars < 0 || (n_vars > 0 && !vars))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_optimizer_new: %d variables at %p", n_vars, (const void *)vars);
    nr_optimizer_opts o;
    NR_TRY(nr_optimizer_opts_defaults(opts, &o));

    nr_optimizer *opt = nr_calloc(1, sizeof *opt);
    if (!opt) return NR_NOMEM();
    opt->opts = o;
    opt->n_vars = n_vars;
    const char *env = getenv("NEURONA_REFERENCE");
    opt->reference = env && *env && strcmp(env, "0") != 0;
    if (n_vars > 0) {
        opt->vars = nr_malloc((size_t)n_vars * sizeof *opt->vars);
        if (!opt->vars) {
            nr_optimizer_free(opt);
            return NR_NOMEM();
        }
        memcpy(opt->vars, vars, (size_t)n_vars * sizeof *vars);
        qsort(opt->vars, (size_t)n_vars, sizeof *opt->vars, cmp_range);
    }
    for (int i = 0; i < n_vars; i++) {
        const nr_param_range *r = &opt->vars[i];
        if (r->size > SIZE_MAX / 4 - r->offset) {
            nr_optimizer_free(opt);
            return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s: variable at offset %zu has size %zu: too large",
                            kind_names[o.kind], r->offset, r->size);
        }
        if (i > 0 && r->offset < opt->vars[i - 1].offset + opt->vars[i - 1].size) {
            nr_status s = nr_error(NR_STATUS_BAD_ARGUMENT,
                                   "optimizer %s: variables overlap: [%zu, %zu) and [%zu, %zu)", kind_names[o.kind],
                                   opt->vars[i - 1].offset, opt->vars[i - 1].offset + opt->vars[i - 1].size,
                                   r->offset, r->offset + r->size);
            nr_optimizer_free(opt);
            return s;
        }
        if (r->offset + r->size > opt->span) opt->span = r->offset + r->size;
    }

    switch (o.kind) {
    case NR_OPTIMIZER_SGD:
        if (o.momentum != 0) add_slot(opt, "momentum");
        break;
    case NR_OPTIMIZER_RMSPROP:
        add_slot(opt, "velocity");
        if (o.momentum > 0) add_slot(opt, "momentum");
        if (o.centered) add_slot(opt, "average_gradient");
        break;
    case NR_OPTIMIZER_ADAM:
    case NR_OPTIMIZER_ADAMW:
        add_slot(opt, "momentum");
        add_slot(opt, "velocity");
        if (o.amsgrad) add_slot(opt, "velocity_hat");
        break;
    case NR_OPTIMIZER_ADAGRAD:
        add_slot(opt, "accumulator");
        break;
    case NR_OPTIMIZER_ADADELTA:
        add_slot(opt, "accumulated_grad");
        add_slot(opt, "accumulated_delta_var");
        break;
    case NR_OPTIMIZER_NADAM:
        add_slot(opt, "momentum");
        add_slot(opt, "velocity");
        opt->n_scalars = 1;
        break;
    case NR_OPTIMIZER_DEFAULT:
    case NR_OPTIMIZER_COUNT_:
        NR_ASSERT(!"kind resolved by nr_optimizer_opts_defaults");
    }
    if (opt->span > (SIZE_MAX / sizeof(float) - 256) / NR_OPTIM_MAX_SLOTS) {
        nr_optimizer_free(opt);
        return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer: parameter span %zu too large", opt->span);
    }
    opt->state_size = (size_t)opt->n_slots * opt->span + (size_t)opt->n_scalars;
    if (opt->state_size > 0) {
        opt->state = nr_alloc_floats(opt->state_size); /* zero-filled */
        if (!opt->state) {
            nr_optimizer_free(opt);
            return NR_NOMEM();
        }
    }
    if (opt->state) {
        for (int s = 0; s < opt->n_slots; s++) opt->slot[s] = opt->state + (size_t)s * opt->span;
        if (opt->n_scalars) opt->scalars = opt->state + (size_t)opt->n_slots * opt->span;
    }
    if (o.kind == NR_OPTIMIZER_ADAGRAD) {
        for (size_t i = 0; i < opt->span; i++) opt->slot[0][i] = o.initial_accumulator_value;
    }
    if (o.kind == NR_OPTIMIZER_NADAM) opt->scalars[0] = 1.0f; /* u_product */
    nr_threads_init();
    *out = opt;
    return NR_OK;
}

void nr_optimizer_free(nr_optimizer *opt) {
    if (!opt) return;
    nr_free_floats(opt->state);
    nr_free(opt->vars);
    nr_free(opt);
}

/* ---- step ------------------------------------------------------------- */

nr_status nr_optimizer_step(nr_optimizer *opt, float *params, float *grads) {
    if (!opt) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_optimizer_step: optimizer is NULL");
    if (opt->n_vars == 0) return NR_OK;
    if (!params || !grads)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "optimizer %s step: %s is NULL", kind_names[opt->opts.kind],
                        params ? "grads" : "params");
    float lr = nr_optimizer_learning_rate(opt);
    if (opt->opts.kind == NR_OPTIMIZER_NADAM) {
        /* Keras's Nadam._backend_update_step: the momentum-cache product
         * u_product *= beta_1 * (1 - 0.5 * 0.96^t), t = iterations + 1,
         * updated once per step before the variables. */
        double t = (double)(opt->iterations + 1);
        opt->scalars[0] = (float)((double)opt->scalars[0] * opt->opts.beta_1 * (1.0 - 0.5 * pow(0.96, t)));
    }
    if (opt->reference) nr_optim_step_ref(opt, params, grads, lr);
    else nr_optim_step_fast(opt, params, grads, lr);
    opt->iterations++;
    return NR_OK;
}

/* ---- accessors -------------------------------------------------------- */

float nr_optimizer_learning_rate(const nr_optimizer *opt) {
    if (opt->opts.schedule.kind == NR_LR_CONSTANT) return opt->opts.learning_rate;
    return nr_lr_schedule_value(&opt->opts.schedule, opt->iterations);
}

void nr_optimizer_set_learning_rate(nr_optimizer *opt, float lr) {
    memset(&opt->opts.schedule, 0, sizeof opt->opts.schedule);
    opt->opts.schedule.kind = NR_LR_CONSTANT;
    opt->opts.learning_rate = lr;
}

int64_t nr_optimizer_iterations(const nr_optimizer *opt) { return opt->iterations; }

void nr_optimizer_set_iterations(nr_optimizer *opt, int64_t iterations) { opt->iterations = iterations; }

size_t nr_optimizer_state_size(const nr_optimizer *opt) { return opt->state_size; }

float *nr_optimizer_state(nr_optimizer *opt) { return opt->state; }

int nr_optimizer_slot_count(const nr_optimizer *opt) { return opt->n_slots; }

size_t nr_optimizer_param_span(const nr_optimizer *opt) { return opt->span; }

const char *nr_optimizer_slot_name(const nr_optimizer *opt, int i) {
    return i >= 0 && i < opt->n_slots ? opt->slot_names[i] : NULL;
}

const nr_optimizer_opts *nr_optimizer_get_opts(const nr_optimizer *opt) { return &opt->opts; }

void nr_optimizer_set_reference(nr_optimizer *opt, int on) { opt->reference = on != 0; }
