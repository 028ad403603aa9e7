/* The generative pieces in SPEC files: several named models (encoder,
 * decoder, a VAE calling both, the encoder's three outputs unpacked),
 * Sampling and GaussianKLDivergence, model.add_loss, their text written
 * back and read again (the added loss included), and their errors. */
#include <string.h>
#include "testutil.h"

static const char vae_spec[] =
    "inp = Input(shape=(6,))\n"
    "h = Dense(8, activation=\"relu\")(inp)\n"
    "zm = Dense(2, name=\"z_mean\")(h)\n"
    "zv = Dense(2, name=\"z_log_var\")(h)\n"
    "encoder = Model(inp, [zm, zv, Sampling(seed=7, name=\"z\")([zm, zv])], name=\"encoder\")\n"
    "lat = Input(shape=(2,))\n"
    "decoder = Model(lat, Dense(6, activation=\"sigmoid\")(lat), name=\"decoder\")\n"
    "x = Input(shape=(6,))\n"
    "z_mean, z_log_var, z = encoder(x)\n"
    "kl = GaussianKLDivergence(name=\"kl\")([z_mean, z_log_var])\n"
    "model = Model(x, decoder(z), name=\"vae\")\n"
    "model.add_loss(kl, name=\"kl_loss\", weight=0.5)\n"
    "model.compile(optimizer=\"adam\", loss=\"binary_crossentropy\", loss_weights=[6])\n";

/* One training step's logs on fixed data. */
static int step(nr_model *m, nr_logs *logs) {
    nr_tensor *x;
    nr_tensor_new(&x, 2, (int64_t[]){4, 6});
    for (int i = 0; i < 24; i++) x->data[i] = (float)(i % 5) / 5;
    int ok = CHECK_OK(nr_model_test_on_batch(m, (const nr_tensor *[]){x}, (const nr_tensor *[]){x}, NULL, logs));
    nr_tensor_free(x);
    return ok;
}

static void test_vae_spec(void) {
    nr_spec *s, *back;
    nr_logs a, b;
    if (!CHECK_OK(nr_spec_load_string(vae_spec, "vae.nr", 3, &s))) return;
    nr_model *m = nr_spec_model(s);
    CHECK(nr_spec_get_model(s, "encoder") && nr_spec_get_model(s, "decoder"));
    CHECK(nr_test_summary_has(m, "kl (GaussianKLDivergence)"));
    CHECK(nr_test_summary_has(m, "Total params: 110"));
    if (!step(m, &a)) return;
    double kl = nr_logs_get(&a, "kl_loss");
    CHECK(kl > 0 && !isnan(nr_logs_get(&a, "loss")));
    char *text = NULL;
    if (!CHECK_OK(nr_model_to_spec(m, &text))) return;
    CHECK(strstr(text, ".add_loss(kl, name=\"kl_loss\", weight=0.5)") != NULL);
    CHECK(strstr(text, "Sampling(seed=7, name=\"z\")") != NULL);
    /* Read back with the same weights: the same losses. */
    if (CHECK_OK(nr_spec_load_string(text, "back.nr", 3, &back))) {
        nr_model *m2 = nr_spec_model(back);
        CHECK_OK(nr_model_compile(m2, nr_model_compile_opts(m)));
        int64_t n = nr_model_weights_size(m);
        float *w = malloc((size_t)n * sizeof *w);
        CHECK(n == nr_model_weights_size(m2));
        CHECK_OK(nr_model_get_weights(m, w));
        CHECK_OK(nr_model_set_weights(m2, w));
        if (step(m2, &b)) {
            CHECK_CLOSE(nr_logs_get(&b, "kl_loss"), kl, 1e-6, 1e-5);
            CHECK_CLOSE(nr_logs_get(&b, "loss"), nr_logs_get(&a, "loss"), 1e-4, 1e-3); /* new sampling noise: close */
        }
        free(w);
        nr_spec_free(back);
    }
    nr_free_string(text);
    nr_spec_free(s);
}

static void test_errors(void) {
    const char *head = "a = Input(shape=(3,))\nb = Input(shape=(4,))\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%sz = Sampling()([a, b])\n", head);
    nr_test_spec_fails(buf, NR_STATUS_BAD_SHAPE, "takes [z_mean, z_log_var] of one shape (batch, ...), got shapes (None, 3) and (None, 4)");
    snprintf(buf, sizeof buf, "%sz = Sampling()(a)\n", head);
    nr_test_spec_fails(buf, NR_STATUS_BAD_ARGUMENT, "(Sampling) takes 2 inputs, got 1");
    snprintf(buf, sizeof buf, "%sz = GaussianKLDivergence(axis=1)([a, a])\n", head);
    nr_test_spec_fails(buf, NR_STATUS_PARSE, "axis");
    snprintf(buf, sizeof buf, "%sm = Model(a, Dense(1)(a))\nm.add_loss(3)\n", head);
    nr_test_spec_fails(buf, NR_STATUS_BAD_ARGUMENT, "loss must be a tensor (e.g. the output of GaussianKLDivergence), got int 3");
    snprintf(buf, sizeof buf, "%sm = Model(a, Dense(1)(a))\nm.add_loss(Dense(1)(b))\n", head);
    nr_test_spec_fails(buf, NR_STATUS_BAD_ARGUMENT, "depends on the input \"input_layer_1\", which is not one of the model's inputs");
    snprintf(buf, sizeof buf, "%sm = Model(a, Dense(1)(a))\nm.compile(loss=\"mse\")\nm.add_loss(a)\n", head);
    nr_test_spec_fails(buf, NR_STATUS_STATE, "add_loss must come before compile()");
    snprintf(buf, sizeof buf, "%sm = Model(a, Dense(1)(a))\nm.add_loss(a, name=\"loss\")\n", head);
    nr_test_spec_fails(buf, NR_STATUS_BAD_ARGUMENT, "not \"loss\"");
    snprintf(buf, sizeof buf, "%sm = Model(a, Dense(1)(a))\nm.add_loss(a, name=\"x\")\nm.add_loss(a, name=\"x\")\n", head);
    nr_test_spec_fails(buf, NR_STATUS_BAD_ARGUMENT, "a loss named \"x\" exists already");
    snprintf(buf, sizeof buf, "%sm = Model(a, Dense(1)(a))\nm.add_loss(a, weight=-1)\n", head);
    nr_test_spec_fails(buf, NR_STATUS_BAD_ARGUMENT, "weight must be >= 0");
}

/* Two added losses without names get distinct default names; an
 * unbatched scalar is refused unless it is one. */
static void test_default_names(void) {
    nr_graph *g;
    nr_sym x, y;
    nr_layer *d;
    nr_model *m;
    nr_graph_new(&g, 1);
    nr_input(g, &(nr_input_opts){.shape = {3}, .ndim = 1}, &x);
    nr_dense(g, &(nr_dense_opts){.units = 2}, &d);
    nr_layer_call(d, &x, 1, &y);
    nr_model_new(g, &x, 1, &y, 1, "m", &m);
    CHECK_OK(nr_model_add_loss(m, y, NULL));
    CHECK_OK(nr_model_add_loss(m, x, &(nr_add_loss_opts){.weight = 2}));
    CHECK_OK(nr_model_compile(m, &(nr_compile_opts){.loss = {{.kind = NR_LOSS_MEAN_SQUARED_ERROR}}}));
    nr_tensor *xs, *ys;
    nr_tensor_new(&xs, 2, (int64_t[]){2, 3});
    nr_tensor_new(&ys, 2, (int64_t[]){2, 2});
    for (int i = 0; i < 6; i++) xs->data[i] = (float)i;
    nr_logs logs;
    CHECK_OK(nr_model_test_on_batch(m, (const nr_tensor *[]){xs}, (const nr_tensor *[]){ys}, NULL, &logs));
    /* x's added loss: the sum of each row, averaged over the 2 rows. */
    CHECK_CLOSE(nr_logs_get(&logs, "added_loss_1"), 7.5, 1e-6, 1e-6);
    CHECK(!isnan(nr_logs_get(&logs, "added_loss")));
    nr_tensor_free(xs);
    nr_tensor_free(ys);
    nr_graph_free(g);
}

int main(void) {
    test_vae_spec();
    test_errors();
    test_default_names();
    return nr_test_finish();
}
