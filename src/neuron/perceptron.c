/* Rosenblatt's perceptron (1958): y = H(w.x + b); after each example
 * w <- w + alpha (t - y) x and b <- b + alpha (t - y), which changes the
 * weights only when the example is misclassified. Epochs run until one
 * has no error (the data was separated) or n_iter have run. */
#include "neuron/neuron_internal.h"

nr_status nr_neuron_fit_perceptron(nr_neuron *nn, const nr_neuron_conf *c, const double *x, int64_t n,
                                   const double *t) {
    for (int e = 0; e < c->n_iter && !nn->converged; e++) {
        int64_t wrong = 0;
        for (int64_t i = 0; i < n; i++) {
            const double *xi = x + i * nn->F;
            double err = t[i] - (nr_neuron_net(nn, 0, xi) >= 0 ? 1 : 0);
            for (int j = 0; j < nn->F; j++) nn->w[j] += c->alpha * err * xi[j];
            nn->b[0] += c->alpha * err;
            wrong += err != 0;
            nr_neuron_trace(nn, c, e, i, err);
        }
        nn->errors[nn->n_epochs++] = (double)wrong;
        nn->converged = wrong == 0;
    }
    return NR_OK;
}
