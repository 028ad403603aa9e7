/* neurona: optimizers and learning-rate schedules with the semantics of
 * Keras 3 (keras/src/optimizers/<name>.py): SGD, RMSprop, Adam, AdamW, Adagrad,
 * Adadelta and Nadam, with Keras's clipnorm (per variable), clipvalue,
 * global_clipnorm and decoupled weight decay, and the ExponentialDecay,
 * PiecewiseConstantDecay and CosineDecay schedules.
 *
 * An optimizer updates variables (weight tensors) that live in one flat
 * parameter buffer, described by nr_param_range. Its state (momenta,
 * velocities, accumulators) lives in buffers parallel to that parameter
 * buffer, allocated once by nr_optimizer_new; nr_optimizer_step allocates
 * nothing.
 *
 * One step, as Keras's optimizer.apply(grads, vars):
 *   1. clip the gradients (at most one of clipnorm / clipvalue /
 *      global_clipnorm);
 *   2. weight decay, when weight_decay > 0: w -= w * weight_decay * lr;
 *   3. the optimizer's update of every variable;
 *   4. iterations += 1.
 * lr is the schedule evaluated at the current (pre-increment) iterations.
 *
 * Options use the house convention: a zero field means the Keras default,
 * resolved in nr_optimizer_opts_defaults(). A field whose default is not
 * zero can be set to a real zero with NR_OPTIM_ZERO (it is -0.0f, told
 * apart from 0.0f by its sign bit): {.kind = NR_OPTIMIZER_ADAMW,
 * .weight_decay = NR_OPTIM_ZERO} is AdamW without decay. */
#ifndef NEURONA_OPTIM_H
#define NEURONA_OPTIM_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An explicit zero for an option whose zero means "the default". */
#define NR_OPTIM_ZERO (-0.0f)

typedef enum nr_optimizer_kind {
    NR_OPTIMIZER_DEFAULT = 0,   /* RMSprop, as Keras compile()'s default "rmsprop" */
    NR_OPTIMIZER_SGD,
    NR_OPTIMIZER_RMSPROP,
    NR_OPTIMIZER_ADAM,
    NR_OPTIMIZER_ADAMW,
    NR_OPTIMIZER_ADAGRAD,
    NR_OPTIMIZER_ADADELTA,
    NR_OPTIMIZER_NADAM,
    NR_OPTIMIZER_COUNT_
} nr_optimizer_kind;

typedef enum nr_lr_schedule_kind {
    NR_LR_CONSTANT = 0,         /* opts.learning_rate */
    NR_LR_EXPONENTIAL_DECAY,    /* lr0 * decay_rate^(step / decay_steps), floor()ed if staircase */
    NR_LR_PIECEWISE_CONSTANT,   /* values[i] for boundaries[i-1] < step <= boundaries[i] */
    NR_LR_COSINE_DECAY,         /* lr0 * ((1-alpha) * 0.5*(1+cos(pi*min(step,decay_steps)/decay_steps)) + alpha),
                                 * after an optional linear warmup from lr0 to warmup_target */
    NR_LR_SCHEDULE_COUNT_
} nr_lr_schedule_kind;

#define NR_LR_MAX_BOUNDARIES 16

/* A learning-rate schedule, a function of the optimizer's iterations
 * (the number of steps taken before the current one), as Keras's
 * keras.optimizers.schedules.*. */
typedef struct nr_lr_schedule {
    nr_lr_schedule_kind kind;
    /* Exponential and cosine: the rate at step 0. 0 = opts.learning_rate
     * (after its default); NR_OPTIM_ZERO for a real 0 (cosine warmup from 0). */
    float initial_learning_rate;
    int64_t decay_steps;        /* exponential, cosine: required, > 0 */
    float decay_rate;           /* exponential: required, > 0 */
    int staircase;              /* exponential: decay in discrete intervals */
    /* Piecewise constant: n_boundaries in 1..NR_LR_MAX_BOUNDARIES strictly
     * increasing step boundaries and n_boundaries + 1 values. */
    int n_boundaries;
    int64_t boundaries[NR_LR_MAX_BOUNDARIES];
    float values[NR_LR_MAX_BOUNDARIES + 1];
    /* Cosine: the final rate as a fraction of the initial one (default 0),
     * and an optional linear warmup of warmup_steps steps (0 = none, as
     * Keras's warmup_target=None) from initial_learning_rate to
     * warmup_target, after which the cosine decays from warmup_target. */
    float alpha;
    int64_t warmup_steps;
    float warmup_target;
} nr_lr_schedule;

typedef struct nr_optimizer_opts {
    nr_optimizer_kind kind;     /* 0 = RMSprop */
    /* 0 = Keras's default for the kind: SGD 0.01, every other kind 0.001.
     * Ignored when schedule.kind != NR_LR_CONSTANT. */
    float learning_rate;
    nr_lr_schedule schedule;
    float momentum;             /* SGD, RMSprop: in [0, 1], default 0 */
    int nesterov;               /* SGD */
    float rho;                  /* RMSprop 0.9, Adadelta 0.95 */
    float beta_1;               /* Adam, AdamW, Nadam: 0.9 */
    float beta_2;               /* Adam, AdamW, Nadam: 0.999 */
    float epsilon;              /* every kind but SGD: 1e-7 */
    int amsgrad;                /* Adam, AdamW */
    int centered;               /* RMSprop */
    /* Decoupled weight decay, any kind: w -= w * weight_decay * lr before
     * the update. Default: AdamW 0.004 (Keras 3), other kinds none. */
    float weight_decay;
    float initial_accumulator_value; /* Adagrad: 0.1 */
    /* Gradient clipping, at most one of the three (0 = off):
     * clipnorm: each variable's gradient g -> g * c / max(||g||, c);
     * clipvalue: each element clamped to [-c, c];
     * global_clipnorm: every gradient g -> g * c * min(1/N, 1/c), N the norm
     * of all gradients together. */
    float clipnorm;
    float clipvalue;
    float global_clipnorm;
} nr_optimizer_opts;

/* One variable (weight tensor) inside the flat parameter buffer: elements
 * [offset, offset + size). Ranges must not overlap. */
typedef struct nr_param_range {
    size_t offset, size;
    int no_weight_decay;        /* as Keras's exclude_from_weight_decay (e.g. biases) */
} nr_param_range;

typedef struct nr_optimizer nr_optimizer;

/* Fills *out with *opts (NULL = all defaults) with every zero field
 * resolved to its default for the kind, kind DEFAULT resolved to RMSPROP,
 * and validates: out of range values, options that do not apply to the
 * kind (e.g. amsgrad for SGD), more than one clipping option and malformed
 * schedules give NR_STATUS_BAD_ARGUMENT with a message naming the field. */
nr_status nr_optimizer_opts_defaults(const nr_optimizer_opts *opts, nr_optimizer_opts *out);

/* Creates an optimizer for exactly these variables, with its state
 * buffers allocated and initialized once. opts NULL = all defaults; vars
 * is copied (vars may be NULL when n_vars is 0). The parameter span is
 * max(offset + size) over vars. Caller frees with nr_optimizer_free. */
nr_status nr_optimizer_new(const nr_optimizer_opts *opts, const nr_param_range *vars, int n_vars,
                           nr_optimizer **out);

/* One update of every variable: params and grads are the flat buffers
 * the ranges point into (at least the parameter span long). Clipping may
 * overwrite grads. Allocates nothing. With no variables it does nothing,
 * as Keras (iterations does not advance either). */
nr_status nr_optimizer_step(nr_optimizer *opt, float *params, float *grads);

/* The learning rate the next step uses (the schedule at iterations). */
float nr_optimizer_learning_rate(const nr_optimizer *opt);

/* Sets a constant learning rate (ReduceLROnPlateau, LearningRateScheduler).
 * With a schedule, Keras raises an error; here the schedule is replaced by
 * that constant for the rest of training. */
void nr_optimizer_set_learning_rate(nr_optimizer *opt, float lr);

/* Steps taken so far. */
int64_t nr_optimizer_iterations(const nr_optimizer *opt);
void nr_optimizer_set_iterations(nr_optimizer *opt, int64_t iterations);

/* The learning rate of a schedule at a step (NR_LR_CONSTANT: 0). The
 * schedule must be valid as resolved by nr_optimizer_opts_defaults. */
float nr_lr_schedule_value(const nr_lr_schedule *s, int64_t step);

/* The state, for checkpoint files: nr_optimizer_state_size() floats,
 * borrowed and writable, valid until nr_optimizer_free (NULL when the
 * size is 0, e.g. SGD without momentum). Layout: nr_optimizer_slot_count()
 * slots of nr_optimizer_param_span() floats each, in the parameter
 * buffer's layout, then the scalars (Nadam: 1, its momentum-cache product
 * u_product). To restore: write the saved floats into this buffer and
 * call nr_optimizer_set_iterations() with the saved step count. */
size_t nr_optimizer_state_size(const nr_optimizer *opt);
float *nr_optimizer_state(nr_optimizer *opt);
int nr_optimizer_slot_count(const nr_optimizer *opt);
size_t nr_optimizer_param_span(const nr_optimizer *opt);
/* Keras's name of slot i ("momentum", "velocity", "velocity_hat",
 * "average_gradient", "accumulator", "accumulated_grad",
 * "accumulated_delta_var"), or NULL when out of range. Static. */
const char *nr_optimizer_slot_name(const nr_optimizer *opt, int i);

/* The resolved options (every default filled in). Borrowed, valid until
 * nr_optimizer_free; the schedule field changes with set_learning_rate. */
const nr_optimizer_opts *nr_optimizer_get_opts(const nr_optimizer *opt);

/* Forces the plain reference implementation (on != 0) or the fast one.
 * The default is the fast one unless the environment variable
 * NEURONA_REFERENCE is set to a non-zero value when the optimizer is made. */
void nr_optimizer_set_reference(nr_optimizer *opt, int on);

/* Keras's class name: "SGD", "RMSprop", "Adam", "AdamW", "Adagrad",
 * "Adadelta", "Nadam" (DEFAULT: "RMSprop"); "unknown" out of range. Static. */
const char *nr_optimizer_name(nr_optimizer_kind kind);

/* Parses a name, case-insensitively ("adam", "Adam", "RMSprop", "sgd").
 * Unknown: NR_STATUS_BAD_ARGUMENT, and the message lists the valid names. */
nr_status nr_optimizer_kind_parse(const char *name, nr_optimizer_kind *out);

void nr_optimizer_free(nr_optimizer *opt);

#ifdef __cplusplus
}
#endif
#endif
