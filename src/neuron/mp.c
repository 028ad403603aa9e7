/* The McCulloch-Pitts neuron (1943): binary inputs, fixed excitatory
 * (positive) and inhibitory (negative) weights and a threshold set by
 * hand; it fires when the weighted sum reaches the threshold. Stored as
 * a neuron whose bias is -threshold, so prediction is H(w.x + b). */
#include <math.h>
#include <string.h>
#include "neuron/neuron_internal.h"

nr_status nr_neuron_mp_new(int F, const double *weights, double threshold, nr_neuron **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "McCulloch-Pitts: out is NULL");
    *out = NULL;
    if (F < 1 || !weights)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "McCulloch-Pitts: needs F >= 1 weights (got F %d%s)", F,
                        weights ? "" : ", NULL weights");
    if (!isfinite(threshold)) return nr_error(NR_STATUS_BAD_ARGUMENT, "McCulloch-Pitts: the threshold is not finite");
    for (int j = 0; j < F; j++)
        if (!isfinite(weights[j]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "McCulloch-Pitts: weight %d is not finite", j);
    nr_neuron *nn = nr_neuron_alloc(NR_NEURON_MP, F, 1, NULL);
    if (!nn) return NR_NOMEM();
    memcpy(nn->w, weights, (size_t)F * sizeof *nn->w);
    nn->b[0] = -threshold;
    nn->converged = 1;
    *out = nn;
    return NR_OK;
}
