/* BatchNormalization and LayerNormalization layers: Keras parameter counts
 * (moving statistics non-trainable), SPEC syntax and round trip, errors,
 * the moving statistics through the training loop against the PyTorch
 * fixture (moved once per training step, never by evaluate, predict or
 * the optimizer), a save/load round trip that keeps them, Keras's frozen
 * BatchNormalization (inference mode in fit, read at compile), training
 * steps that allocate nothing, and learning the 8x8 digits. */
#include <unistd.h>
#include "ops/fixture.h"

/* Tensor <prefix>.<name> of the fixture (a failed check when absent). */
static const fx_tensor *need(const fixture *fx, const char *prefix, const char *name) {
    char dotted[96];
    snprintf(dotted, sizeof dotted, "%s.", prefix);
    return fx_need(fx, dotted, name);
}

static int64_t trainable(const nr_model *m, int64_t *frozen) {
    int64_t t = 0;
    nr_model_count_params(m, &t, frozen);
    return t;
}

/* Keras: BatchNormalization on 32 channels has 128 parameters, 64 of them
 * non-trainable; LayerNormalization on 16 features 32, all trainable. */
static void param_counts(void) {
    const char *spec = "Input(shape=(8, 8, 3))\n"
                       "Conv2D(32, 3)\n"
                       "BatchNormalization()\n"
                       "Flatten()\n"
                       "Dense(16)\n"
                       "BatchNormalization(center=False, trainable=False)\n"
                       "LayerNormalization()\n"
                       "LayerNormalization(rms_scaling=True)\n";
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "counts.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    int64_t f = 0, t = trainable(m, &f);
    /* conv 896 + bn 128 (64 frozen) + dense 18,448 + bn 48 (all frozen) + ln 32 + rms ln 16 */
    CHECK(t == 896 + 64 + 18448 + 32 + 16 && f == 64 + 48);
    nr_test_summary_has(m, "batch_normalization (BatchNo (None, 6, 6, 32)          128");
    nr_test_summary_has(m, "Trainable params: 19,456");
    nr_test_summary_has(m, "Non-trainable params: 112");
    nr_layer *bn = nr_model_get_layer(m, "batch_normalization");
    CHECK(bn && nr_layer_n_weights(bn) == 4 && nr_layer_count_params(bn) == 128);
    nr_layer *bn1 = nr_model_get_layer(m, "batch_normalization_1");
    nr_tensor w;
    /* center=False: gamma, moving_mean, moving_variance; moving_variance starts at ones. */
    CHECK(bn1 && nr_layer_n_weights(bn1) == 3);
    if (bn1 && CHECK_OK(nr_layer_weight(bn1, 2, &w))) CHECK(w.shape[0] == 16 && w.data[0] == 1.0f);
    nr_spec_free(s);
}

/* Every option written back and read again gives the same text. */
static void spec_round_trip(void) {
    const char *spec =
        "inp = Input(shape=(4, 6))\n"
        "a = BatchNormalization(axis=2, momentum=0.9, epsilon=1e-5, scale=False, "
        "beta_initializer=\"ones\", moving_variance_initializer=Constant(2.0), "
        "gamma_regularizer=L2(0.01), name=\"bn\")(inp)\n"
        "b = BatchNormalization(-1, 0, center=False)(inp)\n"
        "c = LayerNormalization(axis=[1, 2], epsilon=0.01, center=False)(inp)\n"
        "d = LayerNormalization(rms_scaling=True, gamma_initializer=\"zeros\", trainable=False)(inp)\n"
        "model = Model(inp, [a, b, c, d])\n";
    nr_spec *s, *s2;
    if (!CHECK_OK(nr_spec_load_string(spec, "rt.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    char *t1 = NULL, *t2 = NULL;
    CHECK_OK(nr_model_to_spec(m, &t1));
    CHECK(t1 && strstr(t1, "BatchNormalization(name=\"bn\", axis=2, momentum=0.899999976, epsilon=9.99999975e-06, "
                           "scale=False, beta_initializer=ones(), moving_variance_initializer=constant(value=2), "
                           "gamma_regularizer=L1L2(l1=0, l2=0.00999999978))"));
    CHECK(t1 && strstr(t1, "momentum=0, center=False)"));
    CHECK(t1 && strstr(t1, "axis=[1, 2], epsilon=0.00999999978, center=False"));
    CHECK(t1 && strstr(t1, "trainable=False, rms_scaling=True, gamma_initializer=zeros()"));
    if (t1 && CHECK_OK(nr_spec_load_string(t1, "written.nr", 1, &s2))) {
        CHECK_OK(nr_model_to_spec(nr_spec_model(s2), &t2));
        CHECK(t2 && strcmp(t1, t2) == 0);
        int64_t f1, f2;
        CHECK(trainable(m, &f1) == trainable(nr_spec_model(s2), &f2) && f1 == f2);
        nr_spec_free(s2);
    }
    if (t1 && !CHECK(t2 != NULL)) fprintf(stderr, "%s\n", t1);
    nr_free_string(t1);
    nr_free_string(t2);
    nr_spec_free(s);
}

static void errors(void) {
    nr_test_spec_fails("Input(shape=(4, 4, 3))\nBatchNormalization(axis=1)\n", NR_STATUS_UNSUPPORTED, "axis=-1 or 3");
    nr_test_spec_fails("Input(shape=(4,))\nBatchNormalization(axis=0)\n", NR_STATUS_BAD_ARGUMENT, "the batch axis");
    nr_test_spec_fails("Input(shape=(4,))\nBatchNormalization(momentum=1.5)\n", NR_STATUS_BAD_ARGUMENT, "momentum must be in [0, 1]");
    nr_test_spec_fails("Input(shape=(4,))\nBatchNormalization(epsilon=-1)\n", NR_STATUS_BAD_ARGUMENT, "epsilon must be");
    nr_test_spec_fails("Input(shape=(4,))\nBatchNormalization(synchronized=True)\n", NR_STATUS_UNSUPPORTED, "synchronized");
    nr_test_spec_fails("Input(shape=(4,))\nBatchNormalization(beta_constraint=\"non_neg\")\n", NR_STATUS_UNSUPPORTED,
               "beta_constraint");
    nr_test_spec_fails("Input(shape=(4,))\nBatchNormalization(renorm=True)\n", NR_STATUS_PARSE, "unknown argument 'renorm'");
    nr_test_spec_fails("Input(shape=(4, 5))\nLayerNormalization(axis=1)\n", NR_STATUS_UNSUPPORTED, "a list ending with 2");
    nr_test_spec_fails("Input(shape=(4, 5))\nLayerNormalization(axis=[2, 1])\n", NR_STATUS_UNSUPPORTED, "increasing order");
    nr_test_spec_fails("Input(shape=(4, 5))\nLayerNormalization(axis=\"last\")\n", NR_STATUS_BAD_ARGUMENT, "axis must be");
    nr_test_spec_fails("inp = Input(shape=(4,))\nbn = BatchNormalization()\nh = bn(inp)\nx = Input(shape=(3,))\ny = bn(x)\n",
               NR_STATUS_BAD_SHAPE, "built for 4 features");
    nr_test_spec_fails("inp = Input(shape=(4,))\nln = LayerNormalization()\nh = ln(inp)\nx = Input(shape=(3,))\ny = ln(x)\n",
               NR_STATUS_BAD_SHAPE, "built for axes of shape (4,)");
    nr_graph *g;
    nr_layer *l;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_STATUS(nr_batch_normalization(g, &(nr_batch_norm_opts){.momentum = -0.5f}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_layer_normalization(g, &(nr_layer_norm_opts){.n_axis = 9}, &l), NR_STATUS_BAD_ARGUMENT);
    nr_graph_free(g);
}

static nr_tensor *tensor_of(const fx_tensor *t) {
    nr_tensor *x = NULL;
    if (t) CHECK_OK(nr_tensor_new(&x, t->ndim, t->dims));
    if (x) memcpy(x->data, t->v, (size_t)t->n * sizeof(float));
    return x;
}

static void set_weight(nr_layer *l, int i, const fx_tensor *t) {
    nr_tensor w;
    if (t && CHECK_OK(nr_layer_weight(l, i, &w)) && CHECK(nr_tensor_numel(&w) == t->n))
        memcpy(w.data, t->v, (size_t)t->n * sizeof(float));
}

static int weight_is(nr_layer *l, int i, const fx_tensor *t, const char *what) {
    nr_tensor w;
    if (!t || !CHECK_OK(nr_layer_weight(l, i, &w))) return 0;
    return nr_test_close_arrays(w.data, t->v, (size_t)t->n, 1e-6, 1e-5, what);
}

static char dir[] = "/tmp/nr_norm_XXXXXX";

/* The fixture's three training steps through train_on_batch, with
 * evaluate and predict in between, under AdamW's weight decay (which must
 * not reach the moving statistics); then save and load. */
static void moving_statistics(void) {
    fixture *fx = malloc(sizeof *fx);
    if (!fx_load(fx, "tests/fixtures/norm/batchnorm.txt")) goto out;
    const char *spec = "Input(shape=(5,))\n"
                       "BatchNormalization(name=\"bn\")\n"
                       "compile(optimizer=AdamW(learning_rate=0.01, weight_decay=0.5), loss=\"mse\")\n";
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "bn.nr", 1, &s))) goto out;
    nr_model *m = nr_spec_model(s);
    nr_layer *bn = nr_model_get_layer(m, "bn");
    const char *names[4] = {"gamma", "beta", "moving_mean", "moving_variance"};
    for (int i = 0; i < 4; i++) set_weight(bn, i, need(fx, "dense", names[i]));
    nr_tensor *x[3], *y = NULL, *out = NULL;
    for (int i = 0; i < 3; i++) x[i] = tensor_of(need(fx, "dense", (const char *[]){"x0", "x1", "x2"}[i]));
    CHECK_OK(nr_tensor_new(&y, 2, (int64_t[]){6, 5}));
    memset(y->data, 0, 30 * sizeof(float));
    const nr_tensor *yv[1] = {y};
    nr_logs logs;
    /* predict uses the moving statistics: the fixture's inference output. */
    CHECK_OK(nr_model_predict(m, (const nr_tensor *[]){x[0]}, 32, &out));
    const fx_tensor *yi = need(fx, "dense", "y_infer"), *yt = need(fx, "dense", "y_train");
    if (out && yi) nr_test_close_arrays(out->data, yi->v, 30, 1e-5, 1e-4, "predict with the moving statistics");
    nr_tensor_free(out);
    CHECK_OK(nr_model_train_on_batch(m, (const nr_tensor *[]){x[0]}, yv, NULL, &logs));
    double mse = 0;
    for (int i = 0; yt && i < 30; i++) mse += (double)yt->v[i] * yt->v[i] / 30;
    CHECK_CLOSE(nr_logs_get(&logs, "loss"), mse, 1e-5, 1e-4); /* the step used the batch statistics */
    CHECK_OK(nr_model_evaluate(m, (const nr_tensor *[]){x[1]}, yv, NULL, &logs));
    CHECK_OK(nr_model_test_on_batch(m, (const nr_tensor *[]){x[2]}, yv, NULL, &logs));
    CHECK_OK(nr_model_predict(m, (const nr_tensor *[]){x[1]}, 4, &out));
    nr_tensor_free(out);
    CHECK_OK(nr_model_train_on_batch(m, (const nr_tensor *[]){x[1]}, yv, NULL, &logs));
    CHECK_OK(nr_model_train_on_batch(m, (const nr_tensor *[]){x[2]}, yv, NULL, &logs));
    weight_is(bn, 2, need(fx, "dense", "moving_mean3"), "moving_mean after 3 train_on_batch");
    weight_is(bn, 3, need(fx, "dense", "moving_variance3"), "moving_variance after 3 train_on_batch");
    /* Saved and loaded, the statistics and the predictions are the same. */
    char path[64];
    snprintf(path, sizeof path, "%s/bn.nrm", dir);
    nr_graph *g2 = NULL;
    nr_model *m2 = NULL;
    nr_tensor *p1 = NULL, *p2 = NULL;
    if (CHECK_OK(nr_model_save(m, path)) && CHECK_OK(nr_model_load(path, &g2, &m2))) {
        nr_layer *bn2 = nr_model_get_layer(m2, "bn");
        for (int i = 0; bn2 && i < 4; i++) {
            nr_tensor a, b;
            CHECK_OK(nr_layer_weight(bn, i, &a));
            CHECK_OK(nr_layer_weight(bn2, i, &b));
            CHECK(memcmp(a.data, b.data, 5 * sizeof(float)) == 0);
        }
        CHECK_OK(nr_model_predict(m, (const nr_tensor *[]){x[0]}, 32, &p1));
        CHECK_OK(nr_model_predict(m2, (const nr_tensor *[]){x[0]}, 32, &p2));
        CHECK(p1 && p2 && memcmp(p1->data, p2->data, 30 * sizeof(float)) == 0);
        int64_t f = 0;
        CHECK(trainable(m2, &f) == 10 && f == 10);
    }
    unlink(path);
    nr_tensor_free(p1);
    nr_tensor_free(p2);
    nr_graph_free(g2);
    for (int i = 0; i < 3; i++) nr_tensor_free(x[i]);
    nr_tensor_free(y);
    nr_spec_free(s);
out:
    fx_free(fx);
    free(fx);
}

/* Keras 3: a BatchNormalization that is not trainable runs in inference
 * mode in fit (moving statistics, no update), as of compile time. */
static void frozen(void) {
    const char *spec = "Input(shape=(3,))\n"
                       "BatchNormalization(name=\"bn\", trainable=False)\n"
                       "Dense(1, name=\"out\")\n"
                       "compile(optimizer=SGD(learning_rate=0.1), loss=\"mse\")\n";
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "frozen.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    nr_layer *bn = nr_model_get_layer(m, "bn");
    nr_tensor *x = NULL, *y = NULL, w;
    CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){4, 3}));
    CHECK_OK(nr_tensor_new(&y, 2, (int64_t[]){4, 1}));
    for (int i = 0; i < 12; i++) x->data[i] = (float)(i % 5) - 1.5f;
    for (int i = 0; i < 4; i++) y->data[i] = (float)i;
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_logs before, during;
    CHECK_OK(nr_model_test_on_batch(m, xv, yv, NULL, &before));
    CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &during));
    /* The step's forward was the inference forward: the same loss. */
    CHECK_CLOSE(nr_logs_get(&during, "loss"), nr_logs_get(&before, "loss"), 1e-6, 1e-6);
    CHECK_OK(nr_layer_weight(bn, 2, &w));
    CHECK(w.data[0] == 0.0f && w.data[1] == 0.0f); /* moving_mean untouched */
    CHECK_OK(nr_layer_weight(bn, 0, &w));
    CHECK(w.data[0] == 1.0f); /* gamma untouched */
    /* Unfrozen, nothing changes until compile, then the statistics move. */
    nr_layer_set_trainable(bn, 1);
    CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &during));
    CHECK_OK(nr_layer_weight(bn, 2, &w));
    CHECK(w.data[0] == 0.0f);
    CHECK_OK(nr_model_compile(m, nr_model_compile_opts(m)));
    CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &during));
    CHECK_OK(nr_layer_weight(bn, 2, &w));
    CHECK(w.data[0] != 0.0f);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
}

static long n_allocs;

static void *count_malloc(size_t size, void *user) {
    (void)user;
    __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    return malloc(size);
}

static void *count_realloc(void *p, size_t size, void *user) {
    (void)user;
    __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    return realloc(p, size);
}

/* Once planned, training and evaluation steps allocate nothing: the
 * normalization kernels' scratch is planned with the arena. */
static void no_allocation(void) {
    const char *spec = "Input(shape=(6, 6, 3))\nConv2D(8, 3, padding=\"same\")\nBatchNormalization()\nFlatten()\n"
                       "Dense(16)\nLayerNormalization()\nDense(3, activation=\"softmax\")\n"
                       "compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\")\n";
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "alloc.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    nr_tensor *x = NULL, *y = NULL;
    CHECK_OK(nr_tensor_new(&x, 4, (int64_t[]){10, 6, 6, 3}));
    CHECK_OK(nr_tensor_new(&y, 1, (int64_t[]){10}));
    for (int64_t i = 0; i < nr_tensor_numel(x); i++) x->data[i] = (float)((i * 7) % 11) / 11.0f;
    for (int i = 0; i < 10; i++) y->data[i] = (float)(i % 3);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_logs logs;
    CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &logs));
    CHECK_OK(nr_model_test_on_batch(m, xv, yv, NULL, &logs));
    n_allocs = 0;
    for (int i = 0; i < 5; i++) CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &logs));
    for (int i = 0; i < 3; i++) CHECK_OK(nr_model_test_on_batch(m, xv, yv, NULL, &logs));
    CHECK(n_allocs == 0);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
}

/* The 8x8 digits through Dense + BatchNormalization and Dense +
 * LayerNormalization, each must reach >= 0.95 test accuracy. */
static void learn_digits(void) {
    const char *specs[2] = {
        "Input(shape=(64,))\nDense(64)\nBatchNormalization()\nActivation(\"relu\")\nDense(10, activation=\"softmax\")\n"
        "compile(optimizer=Adam(learning_rate=0.01), loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n",
        "Input(shape=(64,))\nDense(64)\nLayerNormalization()\nActivation(\"relu\")\nDense(10, activation=\"softmax\")\n"
        "compile(optimizer=Adam(learning_rate=0.01), loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n"};
    for (int k = 0; k < 2; k++) {
        double acc = nr_test_digits_accuracy(specs[k], 2, 0, 10);
        printf("8x8 digits with %s: test accuracy %.4f\n", k ? "LayerNormalization" : "BatchNormalization", acc);
        CHECK(acc >= 0.95);
    }
}

int main(void) {
    nr_set_alloc_hooks(&(nr_alloc_hooks){count_malloc, count_realloc, NULL, NULL});
    if (!mkdtemp(dir)) nr_test_skip("cannot make a temporary folder");
    param_counts();
    spec_round_trip();
    errors();
    moving_statistics();
    frozen();
    no_allocation();
    learn_digits();
    rmdir(dir);
    return nr_test_finish();
}
