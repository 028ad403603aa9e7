/* GaussianNoise, SpatialDropout1D/2D, RandomFlip, RandomRotation,
 * RandomTranslation and RandomZoom as layers: Keras names, shapes and zero
 * parameters, SPEC syntax and its round trip, identity in predict, the
 * same seed repeating a training run (and another seed not), errors, and
 * the 8x8 digits learnt through augmentation. */
#include <string.h>
#include "testutil.h"

static const char *all_layers =
    "Input(shape=(8, 8, 3))\n"
    "RandomFlip(\"horizontal\", seed=3)\n"
    "RandomRotation(0.1, fill_mode=\"constant\", fill_value=0.5)\n"
    "RandomTranslation((-0.2, 0.3), 0.1, interpolation=\"nearest\")\n"
    "RandomZoom(0.2, (-0.1, 0.25), fill_mode=\"wrap\", seed=7)\n"
    "RandomZoom(height_factor=(0.1, -0.3), name=\"zoom_in\")\n"
    "GaussianNoise(0.1, seed=1)\n"
    "SpatialDropout2D(0.2)\n"
    "Conv2D(4, 3)\n"
    "Reshape((36, 4))\n"
    "SpatialDropout1D(0.25, seed=2)\n"
    "Flatten()\n"
    "Dense(3)\n";

static void has(const char *text, const char *want) {
    if (!CHECK(text && strstr(text, want))) fprintf(stderr, "  missing %s in:\n%s\n", want, text ? text : "");
}

static void shapes_and_spec(void) {
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(all_layers, "aug.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == (3 * 3 * 3 * 4 + 4) + (144 * 3 + 3) && f == 0);
    char *sum = nr_test_summary(m);
    has(sum, "random_flip (RandomFlip)");
    has(sum, "(None, 8, 8, 3)           0");
    has(sum, "random_rotation (RandomRo");
    has(sum, "random_translation");
    has(sum, "random_zoom (RandomZoom)");
    has(sum, "gaussian_noise (GaussianNois");
    has(sum, "spatial_dropout2d (SpatialDr");
    has(sum, "spatial_dropout1d (SpatialDr");
    has(sum, "opout1D)");
    free(sum);
    char *text = NULL, *again = NULL;
    CHECK_OK(nr_model_to_spec(m, &text));
    has(text, "RandomFlip(\"horizontal\", seed=3, name=\"random_flip\")");
    has(text, "RandomRotation(0.100000001, fill_mode=\"constant\", fill_value=0.5, name=\"random_rotation\")");
    has(text, "RandomTranslation((-0.200000003, 0.300000012), 0.100000001, interpolation=\"nearest\"");
    has(text, "RandomZoom(0.200000003, (-0.100000001, 0.25), fill_mode=\"wrap\", seed=7");
    has(text, "RandomZoom((-0.300000012, 0.100000001), name=\"zoom_in\")");
    has(text, "GaussianNoise(0.100000001, seed=1, name=\"gaussian_noise\")");
    has(text, "SpatialDropout2D(0.200000003, name=");
    has(text, "SpatialDropout1D(0.25, seed=2, name=");
    nr_spec *s2;
    if (CHECK_OK(nr_spec_load_string(text, "written.nr", 1, &s2))) {
        CHECK_OK(nr_model_to_spec(nr_spec_model(s2), &again));
        if (!CHECK(again && strcmp(text, again) == 0)) fprintf(stderr, "  %s\n  vs\n  %s\n", text, again ? again : "");
        nr_free_string(again);
        nr_spec_free(s2);
    }
    nr_free_string(text);
    nr_spec_free(s);
}

static nr_tensor *random_images(int64_t n, int64_t h, int64_t w, int64_t c, uint64_t seed) {
    nr_tensor *x;
    int64_t shape[4] = {n, h, w, c};
    if (nr_tensor_new(&x, 4, shape) != NR_OK) return NULL;
    uint64_t st = seed;
    for (int64_t i = 0; i < nr_tensor_numel(x); i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        x->data[i] = (float)(st >> 40) / 16777216.0f - 0.5f;
    }
    return x;
}

/* predict passes images through every augmentation layer unchanged. */
static void identity_in_predict(void) {
    const char *spec =
        "inp = Input(shape=(6, 7, 2))\n"
        "h = RandomFlip()(inp)\n"
        "h = RandomRotation((-0.3, 0.3))(h)\n"
        "h = RandomTranslation(0.2, 0.2, fill_mode=\"constant\")(h)\n"
        "h = RandomZoom(0.3)(h)\n"
        "h = GaussianNoise(0.5)(h)\n"
        "out = SpatialDropout2D(0.5)(h)\n"
        "model = Model(inp, out)\n"
        "model.compile(loss=\"mse\")\n";
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "id.nr", 5, &s))) return;
    nr_tensor *x = random_images(10, 6, 7, 2, 3), *y = NULL;
    const nr_tensor *xv[1] = {x};
    if (CHECK_OK(nr_model_predict(nr_spec_model(s), xv, 4, &y)))
        CHECK(memcmp(x->data, y->data, (size_t)nr_tensor_numel(x) * sizeof(float)) == 0);
    nr_tensor_free(y);
    nr_tensor_free(x);
    nr_spec_free(s);
}

/* A small augmented CNN whose rotation has the given seed, from graph seed
 * 11, with 24 images and targets. */
static nr_spec *augmented(int rotation_seed, nr_tensor **x, nr_tensor **y) {
    char spec[512];
    snprintf(spec, sizeof spec,
             "Input(shape=(6, 6, 1))\n"
             "RandomRotation(0.2, seed=%d)\n"
             "RandomZoom(0.2, 0.1)\n"
             "RandomFlip()\n"
             "GaussianNoise(0.2)\n"
             "Conv2D(2, 3)\n"
             "SpatialDropout2D(0.3)\n"
             "Flatten()\n"
             "Dense(1)\n"
             "compile(optimizer=\"sgd\", loss=\"mse\")\n",
             rotation_seed);
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "train.nr", 11, &s))) return NULL;
    *x = random_images(24, 6, 6, 1, 4);
    int64_t ys[1] = {24};
    nr_tensor_new(y, 1, ys);
    for (int i = 0; i < 24; i++) (*y)->data[i] = (*x)->data[i * 36] > 0 ? 1.0f : 0.0f;
    return s;
}

/* Two epochs of training; the final weights (caller frees). */
static float *trained(int rotation_seed, int64_t *n) {
    nr_tensor *x, *y;
    nr_spec *s = augmented(rotation_seed, &x, &y);
    if (!s) return NULL;
    nr_model *m = nr_spec_model(s);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 2, .batch_size = 8, .verbose = 0}, NULL));
    int64_t t, f;
    nr_model_count_params(m, &t, &f);
    *n = t;
    float *w = malloc((size_t)t * sizeof *w);
    nr_model_get_weights(m, w);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
    return w;
}

static long n_allocs;
static void *count_malloc(size_t size, void *user) { (void)user; n_allocs++; return malloc(size); }
static void *count_realloc(void *p, size_t size, void *user) { (void)user; n_allocs++; return realloc(p, size); }
static void count_free(void *p, void *user) { (void)user; free(p); }

/* Once planned, training steps through every random layer allocate
 * nothing: masks and transforms live in the planned workspace. */
static void steps_allocate_nothing(void) {
    nr_tensor *x, *y;
    nr_spec *s = augmented(1, &x, &y);
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_logs logs;
    CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &logs));
    n_allocs = 0;
    nr_set_alloc_hooks(&(nr_alloc_hooks){count_malloc, count_realloc, count_free, NULL});
    for (int i = 0; i < 10; i++) CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &logs));
    nr_set_alloc_hooks(NULL);
    if (!CHECK(n_allocs == 0)) fprintf(stderr, "  10 training steps made %ld allocations\n", n_allocs);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
}

static void reproducible_training(void) {
    int64_t n1 = 0, n2 = 0, n3 = 0;
    float *a = trained(1, &n1), *b = trained(1, &n2), *c = trained(2, &n3);
    if (CHECK(a && b && c && n1 == n2 && n1 == n3)) {
        CHECK(memcmp(a, b, (size_t)n1 * sizeof *a) == 0);
        CHECK(memcmp(a, c, (size_t)n1 * sizeof *a) != 0);
    }
    free(a);
    free(b);
    free(c);
}

static void errors(void) {
    const nr_status ARG = NR_STATUS_BAD_ARGUMENT;
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomRotation(1.5)\n", ARG, "e.nr:2:1: RandomRotation: factor must be a number or a pair of numbers in [-1, 1]");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomRotation((0.1, 0.2, 0.3))\n", ARG, "factor must be a number or a pair of numbers, got");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomTranslation(0.1, (0.5, -1.2))\n", ARG, "width_factor must be");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomTranslation(0.1)\n", ARG, "missing required argument 'width_factor'");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomZoom(0.2, fill_mode=\"reflet\")\n", NR_STATUS_PARSE, "did you mean \"reflect\"");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomZoom(\"big\")\n", ARG, "height_factor must be a number or a pair");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomRotation(0.1, interpolation=\"bicubic\")\n", NR_STATUS_PARSE,
               "unknown interpolation 'bicubic'; valid: bilinear, nearest");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomFlip(\"diagonal\")\n", NR_STATUS_PARSE, "e.nr:2:12: unknown mode 'diagonal'");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nRandomFlip(data_format=\"channels_first\")\n", NR_STATUS_UNSUPPORTED, "channels-last");
    nr_test_spec_fails("Input(shape=(16,))\nRandomFlip()\n", NR_STATUS_BAD_SHAPE, "(batch, height, width, channels), got shape (None, 16)");
    nr_test_spec_fails("Input(shape=(8, 3))\nRandomZoom(0.1)\n", NR_STATUS_BAD_SHAPE, "layer \"random_zoom\" (RandomZoom) needs input");
    nr_test_spec_fails("Input(shape=(8, 8, 3))\nSpatialDropout1D(0.2)\n", NR_STATUS_BAD_SHAPE, "(batch, steps, channels), got shape (None, 8, 8, 3)");
    nr_test_spec_fails("Input(shape=(8, 3))\nSpatialDropout2D(0.2)\n", NR_STATUS_BAD_SHAPE, "SpatialDropout2D) needs input (batch, height");
    nr_test_spec_fails("Input(shape=(8, 3))\nSpatialDropout1D(1.0)\n", ARG, "SpatialDropout1D: rate must be in [0, 1), got 1");
    nr_test_spec_fails("Input(shape=(8, 3))\nGaussianNoise(2)\n", ARG, "GaussianNoise: stddev must be in [0, 1], got 2");
    nr_test_spec_fails("Input(shape=(8, 3))\nGaussianNoise()\n", ARG, "missing required argument 'stddev'");
    nr_test_spec_fails("Input(shape=(8, 3))\nGaussianNoise(0.1, seed=-4)\n", ARG, "seed must be in [0,");

    nr_graph *g;
    nr_layer *l = (nr_layer *)1;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_STATUS(nr_random_flip(g, &(nr_random_flip_opts){.mode = (nr_flip_mode)7}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK(l == NULL && strstr(nr_last_error(), "horizontal_and_vertical"));
    CHECK_STATUS(nr_random_zoom(g, &(nr_random_zoom_opts){.fill_mode = (nr_fill_mode)9}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_random_rotation(g, &(nr_random_rotation_opts){.interpolation = (nr_interpolation)2}, &l),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_random_zoom(g, &(nr_random_zoom_opts){.width_factor = {0.f / 0.f, 0}, .has_width_factor = 1}, &l),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_gaussian_noise(g, &(nr_gaussian_noise_opts){.stddev = -0.1f}, &l), NR_STATUS_BAD_ARGUMENT);
    nr_graph_free(g);
}

/* The 8x8 digits as images, augmented with small shifts, zooms, rotations
 * and noise: a small CNN must still reach >= 0.93. */
static void learn_digits(void) {
    const char *spec =
        "Input(shape=(8, 8, 1))\n"
        "RandomTranslation(0.1, 0.1, fill_mode=\"constant\")\n"
        "RandomRotation(0.03, fill_mode=\"constant\")\n"
        "RandomZoom(0.1, fill_mode=\"constant\")\n"
        "GaussianNoise(0.05)\n"
        "Conv2D(16, 3, padding=\"same\", activation=\"relu\")\n"
        "SpatialDropout2D(0.1)\n"
        "MaxPooling2D(2)\n"
        "Conv2D(32, 3, activation=\"relu\")\n"
        "Flatten()\n"
        "Dense(10, activation=\"softmax\")\n"
        "compile(optimizer=Adam(learning_rate=0.003), loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n";
    double acc = nr_test_digits_accuracy(spec, 4, 1, 15);
    printf("8x8 digits augmented CNN test accuracy %.4f\n", acc);
    CHECK(acc >= 0.93);
}

int main(void) {
    shapes_and_spec();
    identity_in_predict();
    reproducible_training();
    steps_allocate_nothing();
    errors();
    learn_digits();
    return nr_test_finish();
}
