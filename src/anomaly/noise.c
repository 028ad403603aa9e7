/* Gaussian input noise for denoising autoencoders: one seeded splitmix64
 * stream over the values in order, so a seed gives the same noisy images
 * on every machine and thread count. */
#include <math.h>
#include "core/core.h"
#include "core/rng.h"
#include "neurona/autoencoder.h"

nr_status nr_tensor_add_noise(nr_tensor *x, const nr_noise_opts *o) {
    if (!x || !o) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_tensor_add_noise: NULL argument");
    if (!(o->stddev > 0 && isfinite(o->stddev)))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "noise: the standard deviation must be a positive number, got %g",
                        (double)o->stddev);
    float lo = o->clip_min, hi = o->clip_max;
    if (lo == 0 && hi == 0) hi = 1;
    if (!o->no_clip && !(lo <= hi))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "noise: clip range [%g, %g] is empty", (double)lo, (double)hi);
    nr_rng r = {o->seed};
    int64_t n = nr_tensor_numel(x);
    for (int64_t i = 0; i < n; i++) {
        float v = x->data[i] + o->stddev * (float)nr_rng_normal(&r);
        x->data[i] = o->no_clip ? v : fminf(fmaxf(v, lo), hi);
    }
    return NR_OK;
}
