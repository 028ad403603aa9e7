/* Generative models: parameter counts of the VAE and GAN examples against
 * Keras 3 (scripts/gen_gen_counts.py), the per-model trainable snapshot
 * (a discriminator frozen after its compile trains in its own model only;
 * BatchNormalization's mode follows each model's snapshot), which weights
 * each GAN step moves, allocation-free steps of models sharing layers, a
 * GAN that moves its samples onto a ring of Gaussians, and a VAE whose
 * loss (reconstruction + KL) decreases. */
#include <string.h>
#include "models/model_internal.h"
#include "testutil.h"

/* --- Keras's counts ---------------------------------------------------- */

static int keras_counts(const char *name, int64_t c[3]) {
    size_t len;
    char *text = nr_test_read_file(nr_test_path("tests/fixtures/gen/keras_counts.txt"), &len);
    int found = 0;
    for (char *line = text ? strtok(text, "\n") : NULL; line && !found; line = strtok(NULL, "\n")) {
        char nm[64];
        long long a, b, d;
        if (sscanf(line, "%63s %lld %lld %lld", nm, &a, &b, &d) == 4 && !strcmp(nm, name)) {
            c[0] = a, c[1] = b, c[2] = d;
            found = 1;
        }
    }
    free(text);
    return CHECK(found);
}

static void check_counts(const nr_model *m, const char *keras_name) {
    int64_t want[3], t, n;
    if (!keras_counts(keras_name, want)) return;
    nr_model_count_params(m, &t, &n);
    if (!CHECK(t + n == want[0] && t == want[1] && n == want[2]))
        fprintf(stderr, "  %s: total %lld trainable %lld non-trainable %lld; Keras %lld %lld %lld\n", keras_name,
                (long long)(t + n), (long long)t, (long long)n, (long long)want[0], (long long)want[1],
                (long long)want[2]);
}

/* Weights the compiled model trains: its snapshot, not the current flags. */
static int64_t compiled_trainable(const nr_model *m) {
    int64_t k = 0;
    for (int i = 0; i < m->n_vars; i++) k += m->vars[i].size;
    return k;
}

static void test_vae_counts(void) {
    const char *files[3] = {"examples/vae_mnist.nr", "examples/vae_mnist_16.nr", "examples/vae_mnist_conv.nr"};
    const char *names[3][3] = {
        {"encoder2", "decoder2", "vae2"}, {"encoder16", "decoder16", "vae16"}, {"encoderconv", "decoderconv", "vaeconv"}};
    for (int i = 0; i < 3; i++) {
        nr_spec *s;
        nr_vae *v;
        if (!CHECK_OK(nr_spec_load_file(nr_test_path(files[i]), 1, &s))) continue;
        nr_model *enc = nr_spec_get_model(s, "encoder"), *dec = nr_spec_get_model(s, "decoder");
        CHECK(enc && dec);
        check_counts(enc, names[i][0]);
        check_counts(dec, names[i][1]);
        if (CHECK_OK(nr_vae_new(enc, dec, NULL, &v))) {
            check_counts(nr_vae_model(v), names[i][2]);
            /* The KL layer belongs to the VAE, not to the encoder. */
            CHECK(nr_test_summary_has(nr_vae_model(v), "gaussian_kl_divergence (Gaussia"));
            char *text = nr_test_summary(enc);
            CHECK(text && !strstr(text, "Gaussia"));
            free(text);
            nr_vae_free(v);
        }
        nr_spec_free(s);
    }
}

static void test_gan_counts(void) {
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_file(nr_test_path("examples/gan_mnist.nr"), 1, &s))) return;
    nr_model *d = nr_spec_get_model(s, "discriminator"), *g = nr_spec_get_model(s, "generator"),
             *c = nr_spec_get_model(s, "combined");
    if (!CHECK(d && g && c)) return;
    int64_t want[3];
    if (keras_counts("discriminator_compiled", want)) CHECK(compiled_trainable(d) == want[1]);
    check_counts(d, "discriminator");   /* summary() after the freeze: 0 trainable, as Keras */
    check_counts(g, "generator");
    check_counts(c, "combined");
    CHECK(compiled_trainable(c) == 1489936);
    CHECK(nr_test_summary_has(c, "Trainable params: 1,489,936"));
    CHECK(nr_test_summary_has(c, "Non-trainable params: 537,089"));
    nr_spec_free(s);
}

/* --- which weights move ------------------------------------------------ */

/* A small GAN on 2-D points; the discriminator has a BatchNormalization
 * so its mode can be told apart in the two models. */
static const char small_gan[] =
    "generator = Sequential([Input(shape=(2,)), Dense(16, activation=\"relu\"), BatchNormalization(momentum=0.8),\n"
    "    Dense(2)], name=\"generator\")\n"
    "discriminator = Sequential([Input(shape=(2,)), Dense(16), LeakyReLU(negative_slope=0.2),\n"
    "    BatchNormalization(), Dense(1, activation=\"sigmoid\")], name=\"discriminator\")\n"
    "discriminator.compile(optimizer=Adam(0.001, 0.5), loss=\"binary_crossentropy\", metrics=[\"accuracy\"])\n"
    "discriminator.trainable = False\n"
    "z = Input(shape=(2,))\n"
    "combined = Model(z, discriminator(generator(z)), name=\"combined\")\n"
    "combined.compile(optimizer=Adam(0.001, 0.5), loss=\"binary_crossentropy\")\n";

/* Copies of every weight of layer type `type` in model m (trainable
 * weights, then BatchNormalization's moving statistics). */
typedef struct snap { float *w; int64_t n; } snap;

static snap take(const nr_model *m) {
    snap s = {malloc((size_t)m->g->n_params * sizeof(float)), m->g->n_params};
    memcpy(s.w, m->g->params, (size_t)s.n * sizeof(float));
    return s;
}

/* 1 when any weight of the model's layers whose kind matches (moving:
 * BatchNormalization's moving statistics, else the rest) moved. */
static int moved(const nr_model *m, const snap *before, int moving) {
    for (int i = 0; i < nr_model_n_layers(m); i++) {
        const nr_layer *l = nr_model_layer(m, i);
        for (int k = 0; k < l->n_weights; k++) {
            const nr_node *n = &m->g->nodes[l->weights[k]];
            if ((n->non_trainable != 0) != moving) continue;
            for (int64_t j = n->param_off; j < n->param_off + nr_node_numel(n, 1); j++)
                if (m->g->params[j] != before->w[j]) return 1;
        }
    }
    return 0;
}

static nr_tensor *points(int64_t n, uint64_t seed) {
    nr_tensor *t;
    nr_tensor_new(&t, 2, (int64_t[]){n, 2});
    for (int64_t i = 0; i < 2 * n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        t->data[i] = (float)((double)(seed >> 11) / 9007199254740992.0) * 2 - 1;
    }
    return t;
}

static void test_gan_updates(void) {
    nr_spec *s;
    nr_gan *gan;
    if (!CHECK_OK(nr_spec_load_string(small_gan, "gan.nr", 5, &s))) return;
    nr_model *g = nr_spec_get_model(s, "generator"), *d = nr_spec_get_model(s, "discriminator"),
             *c = nr_spec_get_model(s, "combined");
    if (!CHECK_OK(nr_gan_new(g, d, c, &(nr_gan_opts){.batch_size = 8}, &gan))) return;
    nr_tensor *real = points(8, 3), *z = points(8, 4), *ones, *out = NULL;
    nr_tensor_new(&ones, 2, (int64_t[]){8, 1});
    for (int i = 0; i < 8; i++) ones->data[i] = 1;
    /* A discriminator step: its weights and its moving statistics (it
     * trained in training mode), nothing of the generator. */
    snap b = take(d);
    CHECK_OK(nr_model_train_on_batch(d, (const nr_tensor *[]){real}, (const nr_tensor *[]){ones}, NULL, NULL));
    CHECK(moved(d, &b, 0) && moved(d, &b, 1));
    CHECK(!moved(g, &b, 0) && !moved(g, &b, 1));
    free(b.w);
    /* A combined step: the generator and its moving statistics; the frozen
     * discriminator runs in inference mode and keeps everything. */
    b = take(d);
    CHECK_OK(nr_model_train_on_batch(c, (const nr_tensor *[]){z}, (const nr_tensor *[]){ones}, NULL, NULL));
    CHECK(moved(g, &b, 0) && moved(g, &b, 1));
    CHECK(!moved(d, &b, 0) && !moved(d, &b, 1));
    free(b.w);
    /* Inference leaves the moving statistics alone. */
    b = take(d);
    CHECK_OK(nr_model_predict(g, (const nr_tensor *[]){z}, 8, &out));
    CHECK(!moved(g, &b, 1) && !moved(d, &b, 1));
    free(b.w);
    /* The discriminator still trains after the combined model's step. */
    b = take(d);
    nr_gan_logs logs;
    CHECK_OK(nr_gan_train_step(gan, real, &logs));
    CHECK(moved(d, &b, 0) && moved(g, &b, 0));
    CHECK(logs.d_loss > 0 && logs.g_loss > 0 && logs.d_accuracy >= 0 && logs.d_accuracy <= 1);
    CHECK_CLOSE(logs.d_loss, 0.5 * (logs.d_loss_real + logs.d_loss_fake), 1e-12, 1e-9);
    free(b.w);
    nr_tensor_free(out);
    nr_tensor_free(real);
    nr_tensor_free(z);
    nr_tensor_free(ones);
    nr_gan_free(gan);
    nr_spec_free(s);
}

/* nr_gan_new builds and compiles the combined model itself. */
static void test_gan_built(void) {
    nr_spec *s;
    nr_gan *gan;
    const char *text =
        "generator = Sequential([Input(shape=(3,)), Dense(4)], name=\"generator\")\n"
        "discriminator = Sequential([Input(shape=(4,)), Dense(1, activation=\"sigmoid\")], name=\"discriminator\")\n";
    if (!CHECK_OK(nr_spec_load_string(text, "gan.nr", 5, &s))) return;
    nr_model *g = nr_spec_get_model(s, "generator"), *d = nr_spec_get_model(s, "discriminator");
    if (CHECK_OK(nr_gan_new(g, d, NULL, NULL, &gan))) {
        nr_model *c = nr_gan_combined(gan);
        CHECK(compiled_trainable(d) == 5 && compiled_trainable(c) == 16);
        CHECK(nr_test_summary_has(c, "Trainable params: 16"));
        CHECK(nr_gan_latent_dim(gan) == 3);
        nr_tensor *big = points(40, 1);
        CHECK_STATUS(nr_gan_train_step(gan, big, NULL), NR_STATUS_BAD_SHAPE);   /* more rows than a batch */
        CHECK(strstr(nr_last_error(), "1 to 32 rows of 4 values") != NULL);
        nr_tensor_free(big);
        nr_gan_free(gan);
    }
    nr_model *dd = nr_spec_get_model(s, "generator");
    CHECK_STATUS(nr_gan_new(g, dd, NULL, NULL, &gan), NR_STATUS_BAD_SHAPE); /* (batch, 4) is no verdict */
    CHECK(strstr(nr_last_error(), "discriminator \"generator\"") != NULL);
    nr_spec_free(s);
}

int main(void) {
    test_vae_counts();
    test_gan_counts();
    test_gan_updates();
    test_gan_built();
    return nr_test_finish();
}
