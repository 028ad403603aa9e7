/* neurona: hyperparameter search, as Keras Tuner does it: random search,
 * grid search, Bayesian optimization and Hyperband over a search space
 * (hp.h), with trials run in parallel on a shared thread budget, every
 * finished trial logged to a results file, and an interrupted search
 * resumed from that file.
 *
 *   nr_tune_result *r;
 *   nr_tune(space, &(nr_tuner_opts){.kind = NR_TUNER_BAYESIAN, .objective = "val_loss",
 *                                   .max_trials = 30, .parallel = 2, .results = "tune/results.jsonl"},
 *           my_objective, my_data, &r);
 *
 * The objective function trains (or computes) one execution of a trial
 * and reports the objective's best value over its epochs; nr_tune_spec
 * is the one that trains a SPEC model.
 *
 * Tuners:
 *   random      values drawn uniformly in each hyperparameter's probability
 *               space (log sampling: uniform in the logarithm); a draw
 *               already tried is drawn again (at most 100 times).
 *   grid        every combination of the discrete values (a Float needs a
 *               step), the last hyperparameter varying fastest; inactive
 *               conditional hyperparameters are not multiplied in.
 *   bayesian    num_initial_points random trials (default 3 per
 *               hyperparameter, Keras Tuner's), then a Gaussian process
 *               over the probability space: Matern 5/2 kernel with one
 *               length scale per hyperparameter and an amplitude, fitted
 *               by maximum likelihood (analytic gradients, restarts), noise
 *               alpha (1e-4) on standardized objective values; the next
 *               trial maximizes expected improvement (or, with
 *               NR_ACQ_UCB, minimizes Keras Tuner's mean - beta * sd).
 *   hyperband   Li et al. 2018 (JMLR 18), Algorithm 1, with R = max_epochs
 *               and eta = factor: s_max = floor(log_eta R), brackets s =
 *               s_max..0 each of n = ceil((s_max+1)/(s+1) eta^s) random
 *               configurations trained r = R eta^-s epochs, then
 *               successive halving: round i keeps the best floor(n eta^-i)
 *               for ceil(r eta^i) epochs. As in Keras Tuner, a promoted
 *               trial continues the weights of the trial it came from
 *               (initial_epoch = the previous round's epochs), a bracket
 *               waiting for its trials lets the next one start, and the
 *               whole schedule repeats hyperband_iterations times.
 *
 * Results file (JSON Lines, one object a line, appended and fsync'd as
 * each trial finishes, so a killed search leaves every finished trial in
 * it; a torn last line is dropped on resume):
 *   {"search": {"tuner": "random", "objective": "val_loss", "direction": "min", "seed": 42}}
 *   {"trial": 0, "status": "ok", "value": 0.31, "best_epoch": 7, "seconds": 2.5,
 *    "executions": 1, "epochs": 0, "initial_epoch": 0, "from_trial": -1,
 *    "iteration": -1, "bracket": -1, "round": -1,
 *    "hp": {"units": 64, "lr": 0.0012, "act": "relu"},
 *    "history": {"loss": [0.9, 0.5], "val_loss": [0.8, 0.6]}, "error": ""}
 * Resuming reads the file, keeps its trials (never run again), and goes
 * on; a file written by another search (tuner, objective, seed) is an
 * error unless overwrite is set.
 */
#ifndef NEURONA_TUNE_H
#define NEURONA_TUNE_H

#include <stdio.h>
#include "hp.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nr_tuner_kind { NR_TUNER_RANDOM = 0, NR_TUNER_GRID, NR_TUNER_BAYESIAN, NR_TUNER_HYPERBAND } nr_tuner_kind;
typedef enum nr_acquisition { NR_ACQ_EI = 0, NR_ACQ_UCB } nr_acquisition;

/* "random", "grid", "bayesian", "hyperband". */
const char *nr_tuner_name(nr_tuner_kind k);
nr_status nr_tuner_parse(const char *name, nr_tuner_kind *out);
/* Keras Tuner's rule for an objective's direction: names holding
 * "loss", "error" or ending in "mse"/"mae" are minimized, others
 * (accuracy, auc, ...) maximized. */
nr_monitor_mode nr_objective_direction(const char *objective);

typedef struct nr_tuner_opts {
    nr_tuner_kind kind;
    const char *objective;        /* a logged figure; NULL: "val_loss" */
    nr_monitor_mode direction;    /* NR_MODE_AUTO: by nr_objective_direction */
    int max_trials;               /* 0: 10 (random, bayesian), every combination (grid), the schedule (hyperband) */
    int executions_per_trial;     /* 0: 1; the objective values are averaged */
    uint64_t seed;
    int parallel;                 /* trials at once; 0: 1 */
    int threads;                  /* cores shared by the trials; 0: nr_num_threads() */
    double max_seconds;           /* no trial starts after this; 0: no limit */
    const char *results;          /* the results file; NULL: none (no resume) */
    int overwrite;                /* start afresh instead of resuming */
    FILE *log;                    /* a line per finished trial; NULL: none */
    int num_initial_points;       /* bayesian: 0 = 3 x the number of hyperparameters (at least 2) */
    double alpha;                 /* bayesian: 0 = 1e-4 */
    double beta;                  /* bayesian, NR_ACQ_UCB: 0 = 2.6 */
    nr_acquisition acquisition;   /* bayesian: expected improvement (default) or UCB */
    int max_epochs;               /* hyperband: R, required */
    int factor;                   /* hyperband: eta; 0 = 3 */
    int hyperband_iterations;     /* hyperband: 0 = 1 */
} nr_tuner_opts;

/* One execution of a trial, as the objective function gets it. */
typedef struct nr_trial {
    int id;                       /* 0, 1, ...: order of creation */
    const nr_hp_values *hp;       /* the active hyperparameters' values; borrowed for the call */
    int execution;                /* 0 .. executions_per_trial - 1 */
    uint64_t seed;                /* differs by trial and execution */
    int epochs;                   /* hyperband: train until this epoch; 0: the model's own count */
    int initial_epoch;            /* hyperband: epochs already trained by from_trial */
    int from_trial;               /* hyperband: continue this trial's weights; -1: fresh */
    int threads;                  /* this trial's share of the cores (set for the calling thread) */
    const char *objective;        /* the figure to report */
    nr_monitor_mode direction;    /* NR_MODE_MIN or NR_MODE_MAX */
    struct nr_tune_state *state;  /* the search's; for nr_trial_best_begin */
} nr_trial;

/* For an objective that keeps the best model: 1 when value beats every
 * execution reported through it so far (and the resumed trials' best),
 * and then the caller saves and calls nr_trial_best_end, which the next
 * claim waits for, so the last model saved is the best. 0: not better. */
int nr_trial_best_begin(const nr_trial *t, double value);
void nr_trial_best_end(const nr_trial *t);

typedef struct nr_trial_result {
    double value;                 /* the objective's best value over the epochs */
    int best_epoch;               /* its epoch, or -1 */
    nr_history *history;          /* may be NULL; the tuner takes it */
    int stop;                     /* 1: start no more trials (a target was reached) */
} nr_trial_result;

/* Runs one execution; may run in several threads at once (one trial
 * each), so it must not share unguarded state between calls. A failure
 * marks the trial failed and the search goes on; three failures in a
 * row stop it with that error. */
typedef nr_status (*nr_objective_fn)(const nr_trial *t, nr_trial_result *r, void *user);

typedef enum nr_trial_status { NR_TRIAL_OK = 0, NR_TRIAL_FAILED } nr_trial_status;

/* A finished trial. */
typedef struct nr_tune_trial {
    int id;
    nr_trial_status status;
    const nr_hp_values *hp;
    double value;                 /* mean over executions; NaN when failed */
    int best_epoch;
    double seconds;
    int executions;
    int epochs, initial_epoch, from_trial;
    int iteration, bracket, round;/* hyperband; -1 otherwise */
    int resumed;                  /* read back from the results file */
    const char *error;            /* "" unless failed */
    int n_curve;                  /* the objective per epoch (mean over executions) */
    const double *curve;
} nr_tune_trial;

typedef struct nr_tune_result nr_tune_result;

/* Runs the search. space: borrowed; it may be empty only for hyperband
 * and fixed runs. Errors: bad options (BAD_ARGUMENT naming the option
 * and the valid range), a results file of another search, an objective
 * failing three times in a row, I/O on the results file. *out holds
 * every trial (also the resumed ones); caller frees it with
 * nr_tune_result_free. */
nr_status nr_tune(const nr_hp_space *space, const nr_tuner_opts *o, nr_objective_fn fn, void *user,
                  nr_tune_result **out);
void nr_tune_result_free(nr_tune_result *r);
int nr_tune_n_trials(const nr_tune_result *r);
/* Trials in id order; borrowed, valid until nr_tune_result_free. */
const nr_tune_trial *nr_tune_trial_at(const nr_tune_result *r, int i);
/* The rank-th best finished trial (0: the best), or NULL. */
const nr_tune_trial *nr_tune_best(const nr_tune_result *r, int rank);
nr_monitor_mode nr_tune_direction(const nr_tune_result *r);
const char *nr_tune_objective(const nr_tune_result *r);

/* --- tuning SPEC models ----------------------------------------------- */

/* What nr_tune_spec_objective trains: the SPEC (text borrowed), the
 * data (borrowed; fit()'s validation split or validation_x/y give the
 * val_ figures), fit options on top of the SPEC's fit() (epochs and
 * batch_size when not 0, callbacks appended), and where the best model
 * and Hyperband's per-trial weights go. */
typedef struct nr_tune_spec_opts {
    const char *spec, *spec_name; /* the SPEC's text and its file name, for messages */
    const nr_tensor *x, *y;
    const nr_tensor *validation_x, *validation_y;  /* or NULL */
    float validation_split;       /* 0: the SPEC's */
    int epochs, batch_size;       /* 0: the SPEC's fit() */
    int patience;                 /* > 0: early stopping on the objective with this patience */
    const char *best_model;       /* where the best execution's model is saved, or NULL */
    const char *trial_dir;        /* hyperband: a folder for each trial's weights (trial_ID.nrm) */
    /* Called on each execution's model before training (a scaler or
     * class names to keep in the saved model), or NULL. */
    nr_status (*prepare)(nr_model *m, void *user);
    void *prepare_user;
} nr_tune_spec_opts;

/* An nr_objective_fn: user is an nr_tune_spec_opts. It loads the SPEC
 * with the trial's values and seed, trains it, reports the objective's
 * best epoch and keeps that epoch's weights (as Keras Tuner keeps its
 * checkpoint), which it saves to best_model when the execution beats
 * every one before it, and for Hyperband to trial_dir. */
nr_status nr_tune_spec_objective(const nr_trial *t, nr_trial_result *r, void *user);

#ifdef __cplusplus
}
#endif
#endif
