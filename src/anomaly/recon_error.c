/* Per-sample reconstruction errors: how far an autoencoder's output is
 * from its input, one number per sample, in double precision. */
#include <math.h>
#include "core/core.h"
#include "neurona/autoencoder.h"

nr_status nr_reconstruction_errors(const nr_tensor *x, const nr_tensor *x_hat, nr_recon_error kind, double *out) {
    if (!x || !x_hat || !out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_reconstruction_errors: NULL argument");
    if (kind != NR_RECON_MSE && kind != NR_RECON_MAE)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "reconstruction error: kind %d is neither mse nor mae", (int)kind);
    int64_t n = x->ndim ? x->shape[0] : 0, k = nr_tensor_row_size(x);
    if (n < 1 || x_hat->ndim < 1 || x_hat->shape[0] != n || nr_tensor_row_size(x_hat) != k) {
        char a[96], b[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "reconstruction error: inputs %s and reconstructions %s differ in samples "
                        "or values per sample", nr_shape_str(a, sizeof a, x->ndim, x->shape),
                        nr_shape_str(b, sizeof b, x_hat->ndim, x_hat->shape));
    }
    for (int64_t i = 0; i < n; i++) {
        const float *a = x->data + i * k, *b = x_hat->data + i * k;
        double sum = 0;
        for (int64_t j = 0; j < k; j++) {
            double d = (double)a[j] - (double)b[j];
            sum += kind == NR_RECON_MSE ? d * d : fabs(d);
        }
        out[i] = sum / (double)k;
    }
    return NR_OK;
}
