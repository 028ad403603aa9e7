/* neurona: generative models, the training loops Keras users write by
 * hand around train_on_batch: a GAN (generator, discriminator and the
 * combined model in which the discriminator is frozen) and a variational
 * autoencoder (encoder, decoder, reconstruction + KL loss).
 *
 * Both are thin loops over models of one graph that share layers; every
 * buffer a step needs is reserved when they are made, so a step allocates
 * nothing. The models stay the graph's; nr_gan_free and nr_vae_free free
 * only the loops' own buffers. */
#ifndef NEURONA_GEN_H
#define NEURONA_GEN_H

#include <stdio.h>
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- GAN -------------------------------------------------------------- */

typedef struct nr_gan nr_gan;

typedef struct nr_gan_opts {
    /* Used when the discriminator is not compiled yet / when the combined
     * model is built here. Default: Adam(learning_rate=0.0002,
     * beta_1=0.5), the classic GAN's, with binary cross-entropy (and the
     * accuracy metric for the discriminator). */
    nr_optimizer_opts d_optimizer, g_optimizer;
    int batch_size;                   /* rows of the largest real batch; default 32 */
    uint64_t seed;                    /* of the latent noise; 0 is a seed too */
} nr_gan_opts;

/* A GAN of a generator G (one input (N, latent), one output) and a
 * discriminator D (one input shaped like G's output, one output (N, 1)).
 * combined is Model(z, D(G(z))) compiled after D.trainable = False, as
 * Keras's classic GAN builds it; NULL builds it here (D is compiled first
 * when it is not, then frozen, then the combined model is made and
 * compiled), so D trains only in its own compiled model and G only in the
 * combined one. Caller frees *out with nr_gan_free. */
nr_status nr_gan_new(nr_model *generator, nr_model *discriminator, nr_model *combined, const nr_gan_opts *o,
                     nr_gan **out);
nr_model *nr_gan_combined(const nr_gan *gan);
int64_t nr_gan_latent_dim(const nr_gan *gan);

/* Figures of one step: the discriminator's loss and accuracy on the real
 * and on the fake half (and their means, as the classic loop prints
 * them), and the generator's loss in the combined model. d_accuracy is
 * NaN when the discriminator was compiled without the accuracy metric. */
typedef struct nr_gan_logs {
    double d_loss, d_accuracy, d_loss_real, d_loss_fake, g_loss;
} nr_gan_logs;

/* One step of the classic loop on a batch of real samples (N <= batch
 * size, shaped like G's output): z ~ N(0, 1), fake = G.predict(z);
 * D.train_on_batch(real, 1); D.train_on_batch(fake, 0); new z;
 * combined.train_on_batch(z, 1). */
nr_status nr_gan_train_step(nr_gan *gan, const nr_tensor *real, nr_gan_logs *logs);

/* n rows of latent noise N(0, 1) drawn from seed (the same seed, the same
 * rows: fixed noise to watch samples improve). Caller frees *z. */
nr_status nr_gan_noise(const nr_gan *gan, int64_t n, uint64_t seed, nr_tensor **z);
void nr_gan_free(nr_gan *gan);

/* --- variational autoencoder ------------------------------------------ */

typedef struct nr_vae nr_vae;

typedef struct nr_vae_opts {
    nr_optimizer_opts optimizer;      /* default Adam() */
    const char *name;                 /* the VAE model's name; default "vae" */
} nr_vae_opts;

/* The VAE of Keras's example from an encoder (one input x, three outputs
 * z_mean, z_log_var, z of shape (N, latent): z from a Sampling layer) and
 * a decoder (one input (N, latent), one output shaped like x, values in
 * [0, 1]): vae = Model(x, decoder(z)), the KL term
 * GaussianKLDivergence()([z_mean, z_log_var]) added with
 * nr_model_add_loss as "kl_loss", compiled with binary cross-entropy
 * weighted by the values per sample, so that
 *   reconstruction_loss = mean over the batch of the sum over each
 *                         sample's values of the cross-entropy,
 *   loss = reconstruction_loss + kl_loss,
 * as the example's train_step computes them. Caller frees *out. */
nr_status nr_vae_new(nr_model *encoder, nr_model *decoder, const nr_vae_opts *o, nr_vae **out);
nr_model *nr_vae_model(const nr_vae *vae);

typedef struct nr_vae_fit_opts {
    int epochs;                       /* 1 */
    int batch_size;                   /* 128, the example's */
    int verbose;                      /* 1: a line per epoch (time, loss, reconstruction_loss, kl_loss) */
    FILE *out;                        /* NULL: stdout */
    uint64_t seed;                    /* of the shuffling */
    /* After every epoch; non-zero stops training. */
    int (*on_epoch_end)(int epoch, const nr_logs *logs, void *user);
    void *user;
} nr_vae_fit_opts;

/* Trains on x (inputs are the targets), shuffled each epoch. The
 * history (may be NULL; caller frees it) holds loss,
 * reconstruction_loss and kl_loss per epoch. */
nr_status nr_vae_fit(nr_vae *vae, const nr_tensor *x, const nr_vae_fit_opts *o, nr_history **history);
void nr_vae_free(nr_vae *vae);

#ifdef __cplusplus
}
#endif
#endif
