/* The learners' shared object and helpers (src/neuron). */
#ifndef NR_NEURON_INTERNAL_H
#define NR_NEURON_INTERNAL_H

#include "core/core.h"
#include "neurona/neuron.h"

struct nr_neuron {
    nr_neuron_kind kind;
    nr_neuron_act act;
    nr_neuron_cost cost;
    int F, K;
    double *w, *b;          /* (K, F), (K) */
    double *errors;         /* (cap) */
    int n_epochs, converged;
};

/* The options with their defaults filled in. */
typedef struct nr_neuron_conf {
    double alpha, bound;
    int n_iter;
    const nr_neuron_opts *o;
} nr_neuron_conf;

/* A learner of K outputs over F inputs, room for n_iter epochs, weights
 * from the options or seeded; NULL on failure (error set). */
nr_neuron *nr_neuron_alloc(nr_neuron_kind kind, int F, int K, const nr_neuron_conf *c);
/* w_k . x + b_k */
double nr_neuron_net(const nr_neuron *nn, int k, const double *x);
/* Calls the trace hook, if any. */
void nr_neuron_trace(const nr_neuron *nn, const nr_neuron_conf *c, int epoch, int64_t i, double err);
/* Checks every t is 0 or 1 and both occur; "what" names the learner. */
nr_status nr_neuron_check_binary(const double *t, int64_t n, const char *what);

nr_status nr_neuron_fit_perceptron(nr_neuron *nn, const nr_neuron_conf *c, const double *x, int64_t n,
                                   const double *t);
nr_status nr_neuron_fit_adaline(nr_neuron *nn, const nr_neuron_conf *c, const double *x, int64_t n,
                                const double *t);
/* Resolves and checks activation and cost, then trains (general, multi-class). */
nr_status nr_neuron_fit_gd(nr_neuron *nn, const nr_neuron_conf *c, const double *x, int64_t n,
                           const double *t);
nr_status nr_neuron_check_gd(nr_neuron_kind kind, const nr_neuron_opts *o, const double *t, int64_t n,
                             int *K, nr_neuron_act *act, nr_neuron_cost *cost);
/* Outputs y (K) of a general or multi-class neuron for one example. */
void nr_neuron_gd_outputs(const nr_neuron *nn, const double *x, double *y);

#endif
