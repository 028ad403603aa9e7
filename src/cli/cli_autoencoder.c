/* Autoencoder data for the CLI: targets copied from the inputs, and the
 * denoising autoencoder's noise. */
#include <string.h>
#include "cli/cli_autoencoder.h"
#include "cli/cli_prep.h"
#include "core/core.h"
#include "core/rng.h"
#include "models/callback.h"

nr_status cli_ae_check_loss(const nr_model *m, const char *source) {
    nr_loss_kind loss = nr_model_loss(m, 0).kind;
    if (loss != NR_LOSS_CATEGORICAL_CROSSENTROPY && loss != NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return NR_OK;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: model \"%s\" is compiled with %s, a loss for classes; an autoencoder "
                    "reconstructs values: use \"mse\", \"mae\" or \"binary_crossentropy\" (pixels in [0, 1])",
                    source, nr_model_name(m), nr_loss_name(loss));
}

nr_status cli_ae_targets(const nr_model *m, const nr_tensor *x, nr_tensor **y) {
    int ndim;
    int64_t shape[NR_MAX_DIMS], row = 1;
    NR_TRY(nr_sym_shape(nr_model_graph(m), nr_model_output(m, 0), &ndim, shape));
    for (int i = 1; i < ndim; i++) row *= shape[i];
    if (row != nr_tensor_row_size(x)) {
        char a[96], b[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "model \"%s\" outputs %s but takes %s: an autoencoder's output must "
                        "hold as many values per sample as its input", nr_model_name(m),
                        cli_batched_str(a, sizeof a, ndim, shape), cli_batched_str(b, sizeof b, x->ndim, x->shape));
    }
    NR_TRY(nr_tensor_clone(y, x));
    shape[0] = x->shape[0];
    return nr_tensor_reshape(*y, ndim, shape);
}

nr_status cli_ae_add_noise(const cli_noise *n, nr_tensor *x, uint64_t stream) {
    nr_noise_opts o = {.stddev = (float)n->stddev, .no_clip = !n->images,
                       .seed = nr_splitmix64(n->seed ^ (0xAE0000ull + stream))};
    return nr_tensor_add_noise(x, &o);
}

typedef struct fresh_noise {
    nr_callback cb;
    cli_noise noise;
    nr_tensor *x;
    const nr_tensor *clean;
} fresh_noise;

static void on_epoch_begin(nr_model *m, int epoch, void *user) {
    fresh_noise *f = user;
    if (epoch == 0) return;   /* the first epoch keeps the noise the inputs were loaded with */
    memcpy(f->x->data, f->clean->data, (size_t)nr_tensor_numel(f->x) * sizeof *f->x->data);
    /* cannot fail: the options were checked when the inputs first got noise */
    cli_ae_add_noise(&f->noise, f->x, 2 + (uint64_t)epoch);
}

nr_status cli_ae_fresh_noise(const cli_noise *n, nr_tensor *x, const nr_tensor *clean, nr_callback **out) {
    NR_TRY(nr_callback_alloc(sizeof(fresh_noise), out));
    fresh_noise *f = (fresh_noise *)*out;
    f->noise = *n;
    f->x = x;
    f->clean = clean;
    f->cb.fns = (nr_callback_fns){.on_epoch_begin = on_epoch_begin, .user = f};
    return NR_OK;
}
