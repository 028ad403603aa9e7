/* neurona neuron: the data a classic learner was run on, shared by the
 * command and its plot. */
#ifndef NR_CLI_NEURON_H
#define NR_CLI_NEURON_H

#include "neurona/neuron.h"

typedef struct cli_neuron_data {
    double *x, *t;             /* (N, F), (N) */
    int64_t n;
    int F;
    char x_names[2][64];       /* the first two feature columns, for the plot */
} cli_neuron_data;

/* Draws the data, the final decision boundary (F must be 2) and the error
 * per epoch into path (.png or .svg). */
nr_status cli_neuron_plot(const nr_neuron *nn, const cli_neuron_data *d, const char *path);

#endif
