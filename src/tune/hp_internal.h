/* Internal: a hyperparameter's values as Keras Tuner maps them to and
 * from a probability in [0, 1) (random search samples it uniformly,
 * Bayesian optimization models the objective over it), and its k-th
 * value for grid search. */
#ifndef NR_HP_INTERNAL_H
#define NR_HP_INTERNAL_H

#include "neurona/hp.h"

/* Keras Tuner's prob_to_value: a value of d for p in [0, 1). */
nr_hp_value nr_hp_def_from_prob(const nr_hp_def *d, double p);
/* Keras Tuner's value_to_prob: where v lies in [0, 1] (a discrete value
 * at the middle of its cell). */
double nr_hp_def_to_prob(const nr_hp_def *d, const nr_hp_value *v);
/* Value k of the nr_hp_def_count values, in increasing order. */
nr_hp_value nr_hp_def_grid_value(const nr_hp_def *d, int64_t k);

/* For people: a FLOAT to 4 significant digits, others as nr_hp_value_str. */
const char *nr_hp_value_brief(const nr_hp_value *v, char *buf, size_t size);

#endif
