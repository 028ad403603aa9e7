/* neurona: the classic single-neuron learners with their historical
 * learning rules, for watching them work step by step:
 *
 *   McCulloch-Pitts  binary inputs, fixed weights (positive: excitatory,
 *                    negative: inhibitory) and a manual threshold:
 *                    y = 1 if sum w_i x_i >= threshold, else 0. No learning.
 *   Perceptron       (Rosenblatt) y = H(w.x + b), H(z) = 1 if z >= 0 else 0;
 *                    per example w <- w + alpha (t - y) x, b <- b + alpha (t - y).
 *                    Stops after an epoch without errors (converged) or
 *                    after n_iter epochs (not converged: the data may not be
 *                    linearly separable). errors[e]: misclassified examples.
 *   ADALINE          (Widrow-Hoff LMS) y = w.x + b; per example e = t - y,
 *                    w <- w + alpha e x, b <- b + alpha e. errors[e]: the
 *                    MSE over the data after epoch e; stops when it changes
 *                    by less than bound (converged) or after n_iter epochs.
 *   General neuron   y = f(w.x + b), f sigmoid, tanh or linear; per example
 *                    gradient descent on the cost, MSE (t - y)^2 / 2 or
 *                    binary cross-entropy (sigmoid only). errors[e]: the
 *                    mean cost over the data ((t - y)^2 for MSE); stops like
 *                    ADALINE.
 *   Multi-class      K output neurons (one layer), sigmoid, tanh or softmax;
 *                    cost MSE (sum_k (t_k - y_k)^2 / 2), binary cross-entropy
 *                    (sigmoid) or categorical cross-entropy (softmax); per
 *                    example gradient descent. Targets are class indices
 *                    0..K-1, one-hot coded (tanh: -1 / +1). errors[e]: the
 *                    mean cost; stops like ADALINE.
 *
 * Every learner computes in double precision. Inputs x are (N, F) row
 * major; weights are (K, F) row major, K = 1 but for multi-class. */
#ifndef NEURONA_NEURON_H
#define NEURONA_NEURON_H

#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nr_neuron_kind {
    NR_NEURON_MP = 0,
    NR_NEURON_PERCEPTRON,
    NR_NEURON_ADALINE,
    NR_NEURON_GENERAL,
    NR_NEURON_MULTICLASS,
    NR_NEURON_KIND_COUNT_
} nr_neuron_kind;

typedef enum nr_neuron_act {
    NR_NEURON_ACT_DEFAULT = 0,  /* general: sigmoid; multi-class: softmax */
    NR_NEURON_ACT_SIGMOID,
    NR_NEURON_ACT_TANH,
    NR_NEURON_ACT_LINEAR,       /* general neuron only */
    NR_NEURON_ACT_SOFTMAX,      /* multi-class only */
    NR_NEURON_ACT_COUNT_
} nr_neuron_act;

typedef enum nr_neuron_cost {
    NR_NEURON_COST_DEFAULT = 0, /* general: MSE; multi-class: CCE with softmax, else MSE */
    NR_NEURON_COST_MSE,
    NR_NEURON_COST_BCE,         /* needs sigmoid */
    NR_NEURON_COST_CCE,         /* needs softmax */
    NR_NEURON_COST_COUNT_
} nr_neuron_cost;

/* Names as the CLI spells them ("mp", "sigmoid", "bce"); NULL when out of
 * range. The parsers return NR_STATUS_BAD_ARGUMENT listing the choices. */
const char *nr_neuron_kind_name(nr_neuron_kind k);
const char *nr_neuron_act_name(nr_neuron_act a);
const char *nr_neuron_cost_name(nr_neuron_cost c);
nr_status nr_neuron_kind_parse(const char *name, nr_neuron_kind *out);
nr_status nr_neuron_act_parse(const char *name, nr_neuron_act *out);
nr_status nr_neuron_cost_parse(const char *name, nr_neuron_cost *out);

/* One weight update, for tracing: after example `example` of epoch
 * `epoch` (both from 0), the error t - y of the neuron (the first output
 * for multi-class), and the weights (K, F) and biases (K) after the
 * update. Borrowed for the call. */
typedef struct nr_neuron_update {
    int epoch;
    int64_t example;
    double error;
    const double *weights, *bias;
    int n_inputs, n_outputs;
} nr_neuron_update;

/* A zero field means the default given. */
typedef struct nr_neuron_opts {
    double alpha;              /* learning rate; 0: 0.1 */
    int n_iter;                /* most epochs; 0: 100 */
    double bound;              /* ADALINE, general, multi-class: stop when the
                                * error changes by less; 0: 1e-9 */
    uint64_t random_state;     /* seeds the initial weights, uniform in
                                * [-0.5, 0.5); biases start at 0 */
    nr_neuron_act activation;  /* general and multi-class */
    nr_neuron_cost cost;       /* general and multi-class */
    int n_classes;             /* multi-class: K; 0: largest target + 1 */
    /* Initial weights (K, F) and biases (K) instead of random ones (both
     * or neither); borrowed for the call. */
    const double *init_weights, *init_bias;
    /* Called after every weight update when set. */
    void (*trace)(const nr_neuron_update *u, void *user);
    void *trace_user;
} nr_neuron_opts;

typedef struct nr_neuron nr_neuron;

/* A McCulloch-Pitts neuron with F inputs; weights (F) are copied. Errors:
 * NR_STATUS_BAD_ARGUMENT (F < 1, NULL, a non-finite weight or threshold).
 * Caller frees *out with nr_neuron_free. */
nr_status nr_neuron_mp_new(int n_inputs, const double *weights, double threshold, nr_neuron **out);

/* Trains a learner of the given kind (not NR_NEURON_MP) on x (N, F) and
 * targets t (N): perceptron 0 or 1; ADALINE any; general within the
 * activation's range ([0, 1] sigmoid, [-1, 1] tanh); multi-class class
 * indices. opts may be NULL. Not converging is not an error: the result
 * says so (nr_neuron_converged). Errors: NR_STATUS_BAD_ARGUMENT (bad
 * sizes, options, targets, non-finite data, a target with a single
 * class), NR_STATUS_NO_MEMORY. Caller frees *out with nr_neuron_free. */
nr_status nr_neuron_fit(nr_neuron_kind kind, const double *x, int64_t n, int n_inputs, const double *t,
                        const nr_neuron_opts *opts, nr_neuron **out);

void nr_neuron_free(nr_neuron *nn);   /* NULL is a no-op */

/* y (N): McCulloch-Pitts and perceptron 0 or 1, ADALINE and the general
 * neuron their output, multi-class the class index of the largest output.
 * Errors: NR_STATUS_BAD_ARGUMENT (NULL, n < 0), also for McCulloch-Pitts
 * inputs other than 0 and 1. */
nr_status nr_neuron_predict(const nr_neuron *nn, const double *x, int64_t n, double *y);
/* out (N, K): every output neuron's output (multi-class: K of them). */
nr_status nr_neuron_predict_outputs(const nr_neuron *nn, const double *x, int64_t n, double *out);

/* Accessors. Pointers are borrowed, valid until nr_neuron_free. */
nr_neuron_kind nr_neuron_get_kind(const nr_neuron *nn);
int nr_neuron_n_inputs(const nr_neuron *nn);
int nr_neuron_n_outputs(const nr_neuron *nn);       /* K */
const double *nr_neuron_weights(const nr_neuron *nn); /* (K, F) */
const double *nr_neuron_bias(const nr_neuron *nn);    /* (K); McCulloch-Pitts: -threshold */
nr_neuron_act nr_neuron_activation(const nr_neuron *nn); /* resolved; 0 for the others */
nr_neuron_cost nr_neuron_cost_used(const nr_neuron *nn);  /* resolved; 0 for the others */
int nr_neuron_n_epochs(const nr_neuron *nn);
const double *nr_neuron_errors(const nr_neuron *nn);  /* (n_epochs) */
/* 1 when training stopped by its rule (no errors, or the bound) before
 * n_iter ran out; always 1 for McCulloch-Pitts. */
int nr_neuron_converged(const nr_neuron *nn);

#ifdef __cplusplus
}
#endif
#endif
