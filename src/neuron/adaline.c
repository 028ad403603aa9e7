/* ADALINE, Widrow and Hoff's adaptive linear element (1960), trained by
 * the LMS rule: y = w.x + b, e = t - y, w <- w + alpha e x, b <- b + alpha e
 * after each example (stochastic gradient descent on e^2 / 2). The MSE
 * over the data is kept after each epoch; training stops when it changes
 * by less than the bound (compared with the MSE before the first epoch). */
#include <math.h>
#include "neuron/neuron_internal.h"

static double mse(const nr_neuron *nn, const double *x, int64_t n, const double *t) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) {
        double e = t[i] - nr_neuron_net(nn, 0, x + i * nn->F);
        s += e * e;
    }
    return s / (double)n;
}

nr_status nr_neuron_fit_adaline(nr_neuron *nn, const nr_neuron_conf *c, const double *x, int64_t n,
                                const double *t) {
    double prev = mse(nn, x, n, t);
    for (int e = 0; e < c->n_iter && !nn->converged; e++) {
        for (int64_t i = 0; i < n; i++) {
            const double *xi = x + i * nn->F;
            double err = t[i] - nr_neuron_net(nn, 0, xi);
            for (int j = 0; j < nn->F; j++) nn->w[j] += c->alpha * err * xi[j];
            nn->b[0] += c->alpha * err;
            nr_neuron_trace(nn, c, e, i, err);
        }
        double cur = mse(nn, x, n, t);
        if (!isfinite(cur))
            return nr_error(NR_STATUS_NAN, "ADALINE: the MSE diverged to %g in epoch %d; lower alpha (%g)", cur, e + 1,
                            c->alpha);
        nn->errors[nn->n_epochs++] = cur;
        nn->converged = fabs(cur - prev) < c->bound;
        prev = cur;
    }
    return NR_OK;
}
