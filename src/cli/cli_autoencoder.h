/* Autoencoders from the command line: targets that are the inputs, the
 * noisy inputs of a denoising autoencoder (--noise), fresh noise every
 * epoch (--fresh-noise), and the loss check. Noise is clipped to [0, 1]
 * for images (scaled pixels), as the Keras blog clips it, and left
 * unclipped for CSV features. */
#ifndef NR_CLI_AUTOENCODER_H
#define NR_CLI_AUTOENCODER_H

#include "neurona/neurona.h"

/* The --noise options of train and reconstruct. */
typedef struct cli_noise {
    double stddev;      /* 0: no noise */
    int images;         /* clip to [0, 1] */
    uint64_t seed;
} cli_noise;

/* Refuses a classification loss: an autoencoder's targets are values. */
nr_status cli_ae_check_loss(const nr_model *m, const char *source);

/* *y = a copy of x (already fitted to m's input and scaled) in the shape
 * of m's output, which must hold as many values per sample. */
nr_status cli_ae_targets(const nr_model *m, const nr_tensor *x, nr_tensor **y);

/* Adds the noise to x in place (stream `stream` of the seed: 0 for the
 * training inputs, 1 for the test inputs, 2 + epoch for fresh noise). */
nr_status cli_ae_add_noise(const cli_noise *n, nr_tensor *x, uint64_t stream);

/* A callback that, from the second epoch on, rewrites x as clean (same
 * values, any shape) plus fresh noise. x and clean are borrowed and must
 * outlive training. Caller frees *out with nr_callback_free. */
nr_status cli_ae_fresh_noise(const cli_noise *n, nr_tensor *x, const nr_tensor *clean, nr_callback **out);

#endif
