/* Generative models that learn: a GAN whose samples move onto a ring of
 * eight Gaussians, a VAE whose loss (reconstruction + KL) falls on data
 * made of two latent factors, and the no-allocation rule for their steps:
 * train_on_batch on several models sharing layers, in any order, each with
 * its own optimizer, allocates nothing once planned. */
#include <math.h>
#include <string.h>
#include "testutil.h"

/* --- allocation counting ------------------------------------------------ */

static long n_allocs;
static void *count_malloc(size_t n, void *u) { (void)u; n_allocs++; return malloc(n); }
static void *count_realloc(void *p, size_t n, void *u) { (void)u; n_allocs++; return realloc(p, n); }
static void count_free(void *p, void *u) { (void)u; free(p); }
static const nr_alloc_hooks counting = {count_malloc, count_realloc, count_free, NULL};

/* --- the ring ----------------------------------------------------------- */

#define RING_R 2.0

static double normal(uint64_t *s) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    double u1 = ((double)(*s >> 11) + 1) / 9007199254740993.0;
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    double u2 = (double)(*s >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* n points from 8 Gaussians (std 0.05) evenly on a circle of radius 2. */
static nr_tensor *ring(int64_t n, uint64_t seed) {
    nr_tensor *t;
    nr_tensor_new(&t, 2, (int64_t[]){n, 2});
    for (int64_t i = 0; i < n; i++) {
        double a = 6.283185307179586 * (double)(i % 8) / 8;
        t->data[2 * i] = (float)(RING_R * cos(a) + 0.05 * normal(&seed));
        t->data[2 * i + 1] = (float)(RING_R * sin(a) + 0.05 * normal(&seed));
    }
    return t;
}

/* Mean distance of generated points to the nearest of the 8 centres. */
static double ring_distance(nr_model *g, const nr_tensor *z) {
    nr_tensor *out = NULL;
    if (!CHECK_OK(nr_model_predict(g, (const nr_tensor *[]){z}, 256, &out))) return INFINITY;
    double sum = 0;
    for (int64_t i = 0; i < out->shape[0]; i++) {
        double best = INFINITY;
        for (int k = 0; k < 8; k++) {
            double a = 6.283185307179586 * k / 8, dx = out->data[2 * i] - RING_R * cos(a),
                   dy = out->data[2 * i + 1] - RING_R * sin(a);
            best = fmin(best, sqrt(dx * dx + dy * dy));
        }
        sum += best;
    }
    nr_tensor_free(out);
    return sum / (double)z->shape[0];
}

static const char ring_gan[] =
    "generator = Sequential([Input(shape=(8,)), Dense(64, activation=\"relu\"), Dense(64, activation=\"relu\"),\n"
    "    Dense(2)], name=\"generator\")\n"
    "discriminator = Sequential([Input(shape=(2,)), Dense(64), LeakyReLU(negative_slope=0.2), Dense(64),\n"
    "    LeakyReLU(negative_slope=0.2), Dense(1, activation=\"sigmoid\")], name=\"discriminator\")\n";

static void test_ring(void) {
    nr_spec *s;
    nr_gan *gan;
    if (!CHECK_OK(nr_spec_load_string(ring_gan, "ring.nr", 11, &s))) return;
    nr_model *g = nr_spec_get_model(s, "generator"), *d = nr_spec_get_model(s, "discriminator");
    nr_gan_opts o = {.batch_size = 64, .seed = 5,
                     .d_optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 1e-3f, .beta_1 = 0.5f},
                     .g_optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 1e-3f, .beta_1 = 0.5f}};
    if (!CHECK_OK(nr_gan_new(g, d, NULL, &o, &gan))) return;
    nr_tensor *data = ring(64 * 1500, 7), *z = NULL, batch;
    CHECK_OK(nr_gan_noise(gan, 512, 99, &z));
    double before = ring_distance(g, z);
    nr_gan_logs logs;
    for (int64_t k = 0; k < 1500; k++) {
        batch = *data;
        batch.shape[0] = 64;
        batch.data = data->data + k * 64 * 2;
        batch.owns_data = 0;
        if (!CHECK_OK(nr_gan_train_step(gan, &batch, &logs))) break;
        if (k == 9) {   /* steady state: the next steps allocate nothing */
            nr_set_alloc_hooks(&counting);
            n_allocs = 0;
        }
        if (k == 19) {
            nr_set_alloc_hooks(NULL);
            CHECK(n_allocs == 0);
        }
    }
    double after = ring_distance(g, z);
    printf("ring GAN: mean distance to the nearest mode %.3f -> %.3f (d_loss %.3f, g_loss %.3f)\n", before, after,
           logs.d_loss, logs.g_loss);
    CHECK(after < 0.5 * before);
    nr_tensor_free(z);
    nr_tensor_free(data);
    nr_gan_free(gan);
    nr_spec_free(s);
}

/* --- the VAE ------------------------------------------------------------ */

static const char small_vae[] =
    "x_in = Input(shape=(16,))\n"
    "h = Dense(32, activation=\"relu\")(x_in)\n"
    "z_mean = Dense(2, name=\"z_mean\")(h)\n"
    "z_log_var = Dense(2, name=\"z_log_var\")(h)\n"
    "z = Sampling(seed=3)([z_mean, z_log_var])\n"
    "encoder = Model(x_in, [z_mean, z_log_var, z], name=\"encoder\")\n"
    "z_in = Input(shape=(2,))\n"
    "decoder = Model(z_in, Dense(16, activation=\"sigmoid\")(Dense(32, activation=\"relu\")(z_in)), name=\"decoder\")\n";

/* Rows of 16 values in [0, 1] from two factors: a bump's position and height. */
static nr_tensor *bumps(int64_t n, uint64_t seed) {
    nr_tensor *t;
    nr_tensor_new(&t, 2, (int64_t[]){n, 16});
    for (int64_t i = 0; i < n; i++) {
        double c = 2 + 11 * (0.5 + 0.5 * tanh(normal(&seed))), hgt = 0.4 + 0.5 * (0.5 + 0.5 * tanh(normal(&seed)));
        for (int j = 0; j < 16; j++) t->data[i * 16 + j] = (float)(hgt * exp(-0.5 * (j - c) * (j - c) / 4));
    }
    return t;
}

static int epoch_count;
static int count_epochs(int epoch, const nr_logs *logs, void *user) {
    (void)epoch, (void)logs, (void)user;
    epoch_count++;
    return 0;
}

static void test_vae(void) {
    nr_spec *s;
    nr_vae *v;
    nr_history *h = NULL;
    if (!CHECK_OK(nr_spec_load_string(small_vae, "vae.nr", 3, &s))) return;
    nr_model *enc = nr_spec_get_model(s, "encoder"), *dec = nr_spec_get_model(s, "decoder");
    if (!CHECK_OK(nr_vae_new(enc, dec, &(nr_vae_opts){.optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 3e-3f}},
                             &v)))
        return;
    nr_tensor *x = bumps(512, 21);
    nr_vae_fit_opts o = {.epochs = 40, .batch_size = 64, .on_epoch_end = count_epochs};
    if (CHECK_OK(nr_vae_fit(v, x, &o, &h))) {
        const double *loss = nr_history_values(h, "loss"), *rec = nr_history_values(h, "reconstruction_loss"),
                     *kl = nr_history_values(h, "kl_loss");
        CHECK(loss && rec && kl && epoch_count == 40 && nr_history_n_epochs(h) == 40);
        if (loss && rec && kl) {
            printf("VAE: loss %.3f -> %.3f (reconstruction %.3f, KL %.3f)\n", loss[0], loss[39], rec[39], kl[39]);
            CHECK(loss[39] < 0.9 * loss[0]);
            CHECK(kl[39] > 0.05);   /* the latent code carries information */
            for (int e = 0; e < 40; e++) CHECK_CLOSE(loss[e], rec[e] + kl[e], 1e-4, 1e-5);
        }
    }
    /* The VAE's own train_on_batch and the encoder's predict, interleaved,
     * allocate nothing once planned; its logs name the KL term. */
    nr_model *m = nr_vae_model(v);
    nr_tensor b = *x, *out[3] = {0};
    b.shape[0] = 64;
    b.owns_data = 0;
    nr_logs logs;
    const nr_tensor *xs[1] = {&b};
    CHECK_OK(nr_model_train_on_batch(m, xs, xs, NULL, &logs));
    nr_set_alloc_hooks(&counting);
    n_allocs = 0;
    for (int k = 0; k < 5; k++) CHECK_OK(nr_model_train_on_batch(m, xs, xs, NULL, &logs));
    nr_set_alloc_hooks(NULL);
    CHECK(n_allocs == 0);
    CHECK(isfinite(nr_logs_get(&logs, "kl_loss")) && nr_logs_get(&logs, "kl_loss") > 0);
    CHECK_OK(nr_model_predict(enc, xs, 64, out));
    for (int i = 0; i < 3; i++) nr_tensor_free(out[i]);
    nr_history_free(h);
    nr_tensor_free(x);
    nr_vae_free(v);
    nr_spec_free(s);
}

int main(void) {
    test_ring();
    test_vae();
    return nr_test_finish();
}
