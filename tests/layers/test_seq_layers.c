/* Embedding, Masking, RepeatVector and TimeDistributed, and Keras masks:
 * shapes and parameter counts as Keras 3 gives them, SPEC round trips,
 * TimeDistributed against its layer applied step by step (forward and
 * training), mask propagation through the layers that support it, merges
 * and the ones that drop it, the masked loss, saving, and errors. */
#include <math.h>
#include <string.h>
#include "testutil.h"

#define HAS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* SPEC text of a model, loaded again: the same text comes back. */
static void round_trip(const nr_model *m) {
    char *text = NULL, *again = NULL;
    nr_spec *s2 = NULL;
    CHECK_OK(nr_model_to_spec(m, &text));
    if (CHECK_OK(nr_spec_load_string(text, "written.nr", 1, &s2))) {
        CHECK_OK(nr_model_to_spec(nr_spec_model(s2), &again));
        if (!CHECK(again && strcmp(text, again) == 0)) fprintf(stderr, "  %s\n  became\n  %s\n", text, again);
    }
    nr_free_string(text);
    nr_free_string(again);
    nr_spec_free(s2);
}

static nr_spec *load(const char *spec) {
    nr_spec *s = NULL;
    return CHECK_OK(nr_spec_load_string(spec, "seq.nr", 1, &s)) ? s : NULL;
}

/* Shapes and parameter counts of keras.Model for the same code. */
static void shapes(void) {
    nr_spec *s = load("ids = Input(shape=(10,))\n"
                      "e = Embedding(1000, 64)(ids)\n"
                      "seq = Input(shape=(10, 16))\n"
                      "t = TimeDistributed(Dense(8))(seq)\n"
                      "v = Input(shape=(32,))\n"
                      "r = RepeatVector(3)(v)\n"
                      "k = Masking(mask_value=-1.0)(seq)\n"
                      "clip = Input(shape=(4, 6, 6, 3))\n"
                      "c = TimeDistributed(Conv2D(5, 3, activation=\"relu\"))(clip)\n"
                      "p = TimeDistributed(MaxPooling2D())(c)\n"
                      "f = TimeDistributed(Flatten())(p)\n"
                      "d = TimeDistributed(Dropout(0.5))(f)\n"
                      "model = Model([ids, seq, v, clip], [e, t, r, k, c, p, f, d])\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    static const struct { int ndim; int64_t shape[5]; } want[] = {
        {3, {-1, 10, 64}}, {3, {-1, 10, 8}}, {3, {-1, 3, 32}}, {3, {-1, 10, 16}},
        {5, {-1, 4, 4, 4, 5}}, {5, {-1, 4, 2, 2, 5}}, {3, {-1, 4, 20}}, {3, {-1, 4, 20}},
    };
    for (int i = 0; i < 8; i++) nr_test_shape_is(m, i, want[i].ndim, want[i].shape);
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 64000 + 136 + 140 && f == 0);
    CHECK(nr_layer_count_params(nr_model_get_layer(m, "embedding")) == 64000);
    CHECK(nr_layer_count_params(nr_model_get_layer(m, "time_distributed")) == 136);
    CHECK(nr_layer_n_weights(nr_model_get_layer(m, "time_distributed")) == 2);
    for (const char *const *h = HAS("embedding (Embedding)", "64,000", "time_distributed (TimeDistribut",
                                    "(None, 10, 8)", "136", "repeat_vector (RepeatVector)", "(None, 3, 32)",
                                    "masking (Masking)", "time_distributed_1 (TimeDistrib", "(None, 4, 4, 4, 5)");
         *h; h++)
        nr_test_summary_has(m, *h);
    round_trip(m);
    nr_spec_free(s);
}

/* Predictions of model m on x (caller frees). */
static nr_tensor *predict(nr_model *m, nr_tensor *x) {
    nr_tensor *y = NULL;
    CHECK_OK(nr_model_predict(m, (const nr_tensor *const[]){x}, 32, &y));
    return y;
}

static nr_tensor *random_tensor(int ndim, const int64_t *shape, uint64_t seed) {
    nr_tensor *t = NULL;
    CHECK_OK(nr_tensor_new(&t, ndim, shape));
    for (int64_t i = 0; i < nr_tensor_numel(t); i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        t->data[i] = (float)((seed >> 40) & 0xffff) / 32768.0f - 1.0f;
    }
    return t;
}

/* TimeDistributed(layer) on (N, T, ...) equals the same layer (shared
 * weights) on the N T steps as a batch: time folded into the batch and
 * the direct path for Dense. */
static void same_as_per_step(const char *layer, int ndim, const int64_t *step) {
    char text[512], dims[64] = "";
    int64_t shape[NR_MAX_DIMS] = {3, 4}, flat[NR_MAX_DIMS] = {12};
    memcpy(shape + 2, step, (size_t)ndim * sizeof *step);
    memcpy(flat + 1, step, (size_t)ndim * sizeof *step);
    for (int i = 0; i < ndim; i++) snprintf(dims + strlen(dims), sizeof dims - strlen(dims), "%lld, ", (long long)step[i]);
    snprintf(text, sizeof text,
             "inner = %s\n"
             "clip = Input(shape=(4, %s))\n"
             "frames = Input(shape=(%s))\n"
             "a = Model(clip, TimeDistributed(inner)(clip))\n"
             "b = Model(frames, inner(frames))\n",
             layer, dims, dims);
    nr_spec *s = load(text);
    if (!s) return;
    nr_tensor *x = random_tensor(ndim + 2, shape, 11), *xf = NULL;
    CHECK_OK(nr_tensor_new(&xf, ndim + 1, flat));
    memcpy(xf->data, x->data, (size_t)nr_tensor_numel(x) * sizeof(float));
    nr_tensor *ya = predict(nr_spec_get_model(s, "a"), x), *yb = predict(nr_spec_get_model(s, "b"), xf);
    if (CHECK(ya && yb && nr_tensor_numel(ya) == nr_tensor_numel(yb)))
        nr_test_close_arrays(ya->data, yb->data, (size_t)nr_tensor_numel(ya), 1e-6, 1e-5, layer);
    nr_tensor_free(x);
    nr_tensor_free(xf);
    nr_tensor_free(ya);
    nr_tensor_free(yb);
    nr_spec_free(s);
}

static void time_distributed_values(void) {
    same_as_per_step("Conv2D(5, 3, padding=\"same\", activation=\"relu\")", 3, (int64_t[]){6, 5, 2});
    same_as_per_step("MaxPooling2D()", 3, (int64_t[]){6, 4, 2});
    same_as_per_step("Dense(7, activation=\"tanh\")", 1, (int64_t[]){5});
    same_as_per_step("LayerNormalization()", 1, (int64_t[]){5});
}

/* A video classifier trains through the folded Conv2D, pooling and
 * Flatten: its loss falls. */
static void time_distributed_learns(void) {
    nr_spec *s = load("model = Sequential()\n"
                      "model.add(Input(shape=(3, 6, 6, 1)))\n"
                      "model.add(TimeDistributed(Conv2D(4, 3, activation=\"relu\")))\n"
                      "model.add(TimeDistributed(MaxPooling2D()))\n"
                      "model.add(TimeDistributed(Flatten()))\n"
                      "model.add(TimeDistributed(Dense(2)))\n"
                      "model.compile(optimizer=Adam(0.01), loss=\"mse\")\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    nr_tensor *x = random_tensor(5, (int64_t[]){16, 3, 6, 6, 1}, 3), *y = random_tensor(3, (int64_t[]){16, 3, 2}, 4);
    nr_logs before = {0}, after = {0};
    CHECK_OK(nr_model_evaluate(m, (const nr_tensor *const[]){x}, (const nr_tensor *const[]){y}, NULL, &before));
    nr_fit_opts fo = {.epochs = 30, .batch_size = 8};
    CHECK_OK(nr_model_fit(m, (const nr_tensor *const[]){x}, (const nr_tensor *const[]){y}, &fo, NULL));
    CHECK_OK(nr_model_evaluate(m, (const nr_tensor *const[]){x}, (const nr_tensor *const[]){y}, NULL, &after));
    if (!CHECK(after.values[0] < 0.5 * before.values[0]))
        fprintf(stderr, "  loss %g -> %g\n", before.values[0], after.values[0]);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
}

/* --- masks ------------------------------------------------------------------ */

/* The value of a mask node for input x (through a model whose output it is). */
static nr_tensor *mask_values(nr_graph *g, nr_sym in, nr_sym mask, nr_tensor *x) {
    nr_model *mm = NULL;
    if (!CHECK_OK(nr_model_new(g, &in, 1, &mask, 1, "masks", &mm))) return NULL;
    return predict(mm, x);
}

static void mask_propagation(void) {
    nr_spec *s = load("ids = Input(shape=(4,))\n"
                      "e = Embedding(10, 3, mask_zero=True)(ids)\n"
                      "plain = Embedding(10, 3)(ids)\n"
                      "d = Dense(2)(e)\n"
                      "a = Activation(\"relu\")(Dropout(0.1)(d))\n"
                      "n = LayerNormalization()(BatchNormalization()(a))\n"
                      "t = TimeDistributed(Dense(2))(n)\n"
                      "fl = Flatten()(d)\n"
                      "gp = GlobalAveragePooling1D()(d)\n"
                      "both = Add()([d, Dense(2)(e)])\n"
                      "one = Add()([d, Dense(2)(plain)])\n"
                      "cat = Concatenate()([d, Dense(2)(plain)])\n"
                      "cat_t = Concatenate(axis=1)([d, Dense(2)(plain)])\n"
                      "model = Model(ids, [e, plain, d, a, n, t, fl, gp])\n"
                      "merged = Model(ids, [both, one, cat, cat_t])\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    nr_graph *g = nr_spec_graph(s);
    nr_sym o[12];
    for (int i = 0; i < 12; i++) o[i] = nr_model_output(i < 8 ? m : nr_spec_get_model(s, "merged"), i % 8);
    const int has[12] = {1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1};
    for (int i = 0; i < 12; i++)
        if (!CHECK((nr_sym_mask(g, o[i]) != NR_SYM_NONE) == has[i])) fprintf(stderr, "  output %d\n", i);
    CHECK(nr_sym_mask(g, o[2]) == nr_sym_mask(g, o[0]) && nr_sym_mask(g, o[5]) == nr_sym_mask(g, o[0]));
    nr_tensor *x = NULL;
    CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){2, 4}));
    const float ids[8] = {3, 0, 5, 0, 0, 0, 0, 9};
    memcpy(x->data, ids, sizeof ids);
    nr_tensor *me = mask_values(g, nr_model_input(m, 0), nr_sym_mask(g, o[0]), x);
    nr_tensor *mc = mask_values(g, nr_model_input(m, 0), nr_sym_mask(g, o[10]), x);
    nr_tensor *mt = mask_values(g, nr_model_input(m, 0), nr_sym_mask(g, o[11]), x);
    if (me) nr_test_close_arrays(me->data, (const float[]){1, 0, 1, 0, 0, 0, 0, 1}, 8, 0, 0, "mask_zero");
    if (mc) nr_test_close_arrays(mc->data, (const float[]){1, 1, 1, 1, 1, 1, 1, 1}, 8, 0, 0, "concat with unmasked");
    if (mt && CHECK(nr_tensor_numel(mt) == 16))
        nr_test_close_arrays(mt->data, (const float[]){1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1}, 16, 0, 0,
                             "concat along time");
    nr_tensor_free(me);
    nr_tensor_free(mc);
    nr_tensor_free(mt);
    nr_tensor_free(x);
    nr_spec_free(s);
}

/* Masking zeroes the steps whose features all equal mask_value, and masks them. */
static void masking_values(void) {
    nr_spec *s = load("x = Input(shape=(3, 2))\n"
                      "model = Model(x, Masking(mask_value=2.0)(x))\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    nr_graph *g = nr_spec_graph(s);
    nr_tensor *x = NULL;
    CHECK_OK(nr_tensor_new(&x, 3, (int64_t[]){2, 3, 2}));
    const float xv[12] = {2, 2, 1, 2, 0, 0, 2, 2, 2, 2, 5, 6};
    memcpy(x->data, xv, sizeof xv);
    nr_tensor *y = predict(m, x);
    if (y) nr_test_close_arrays(y->data, (const float[]){0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 5, 6}, 12, 0, 0, "Masking");
    nr_tensor *mv = mask_values(g, nr_model_input(m, 0), nr_sym_mask(g, nr_model_output(m, 0)), x);
    if (mv) nr_test_close_arrays(mv->data, (const float[]){0, 1, 1, 0, 0, 1}, 6, 0, 0, "Masking mask");
    nr_tensor_free(y);
    nr_tensor_free(mv);
    nr_tensor_free(x);
    nr_spec_free(s);
}

/* GlobalAveragePooling1D after Embedding(mask_zero=True) averages the kept
 * steps' vectors, as Keras 3 does. */
static void masked_average(void) {
    nr_spec *s = load("ids = Input(shape=(4,))\n"
                      "model = Model(ids, GlobalAveragePooling1D()(Embedding(6, 3, mask_zero=True)(ids)))\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    nr_tensor table, *x = NULL;
    CHECK_OK(nr_layer_weight(nr_model_get_layer(m, "embedding"), 0, &table));
    CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){2, 4}));
    const float ids[8] = {2, 0, 5, 0, 1, 1, 1, 4};
    memcpy(x->data, ids, sizeof ids);
    nr_tensor *y = predict(m, x);
    float want[6] = {0};
    for (int c = 0; c < 3; c++) {
        want[c] = (table.data[2 * 3 + c] + table.data[5 * 3 + c]) / 2;
        want[3 + c] = (3 * table.data[1 * 3 + c] + table.data[4 * 3 + c]) / 4;
    }
    if (y) nr_test_close_arrays(y->data, want, 6, 1e-7, 1e-6, "masked GlobalAveragePooling1D");
    nr_tensor_free(y);
    nr_tensor_free(x);
    nr_spec_free(s);
}

/* Keras 3: sum over kept steps of w l / kept steps (losses/loss.py apply_mask). */
static void masked_loss(void) {
    nr_spec *s = load("ids = Input(shape=(4,))\n"
                      "out = Dense(1)(Embedding(6, 2, mask_zero=True)(ids))\n"
                      "model = Model(ids, out)\n"
                      "model.compile(optimizer=\"sgd\", loss=\"mse\")\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    round_trip(m);
    nr_tensor *x = NULL, *y = NULL, *w = NULL;
    CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){2, 4}));
    CHECK_OK(nr_tensor_new(&y, 3, (int64_t[]){2, 4, 1}));
    CHECK_OK(nr_tensor_new(&w, 1, (int64_t[]){2}));
    const float ids[8] = {1, 2, 0, 0, 3, 0, 4, 0};
    memcpy(x->data, ids, sizeof ids);
    for (int i = 0; i < 8; i++) y->data[i] = 0.25f * (float)i;
    w->data[0] = 1;
    w->data[1] = 3;
    nr_tensor *p = predict(m, x);
    if (!p) return;
    double sum = 0, wsum = 0;
    for (int i = 0; i < 8; i++) {
        double e = (double)p->data[i] - y->data[i], l = ids[i] != 0 ? e * e : 0;
        sum += l;
        wsum += (i < 4 ? 1 : 3) * l;
    }
    nr_logs logs = {0};
    CHECK_OK(nr_model_evaluate(m, (const nr_tensor *const[]){x}, (const nr_tensor *const[]){y}, NULL, &logs));
    CHECK_CLOSE(logs.values[0], sum / 4, 1e-6, 1e-5);
    nr_eval_opts eo = {.sample_weight = w};
    CHECK_OK(nr_model_evaluate(m, (const nr_tensor *const[]){x}, (const nr_tensor *const[]){y}, &eo, &logs));
    CHECK_CLOSE(logs.values[0], wsum / 4, 1e-6, 1e-5);
    /* Every step masked: the loss is 0 (divide_no_nan), not NaN. */
    memset(x->data, 0, 8 * sizeof(float));
    CHECK_OK(nr_model_evaluate(m, (const nr_tensor *const[]){x}, (const nr_tensor *const[]){y}, NULL, &logs));
    CHECK(logs.values[0] == 0);
    nr_tensor_free(p);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_tensor_free(w);
    nr_spec_free(s);
}

/* --- weights: frozen wrapper, saved model ----------------------------------- */

static void wrapper_weights(void) {
    nr_spec *s = load("model = Sequential()\n"
                      "model.add(Input(shape=(5, 3)))\n"
                      "model.add(TimeDistributed(Dense(4), trainable=False))\n"
                      "model.add(Dense(1))\n"
                      "model.compile(optimizer=\"adam\", loss=\"mse\")\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 5 && f == 16);
    round_trip(m);
    const char *path = "seq_layers_test.nrm";
    nr_graph *g2 = NULL;
    nr_model *m2 = NULL;
    if (CHECK_OK(nr_model_save(m, path)) && CHECK_OK(nr_model_load(path, &g2, &m2))) {
        int64_t n = nr_model_weights_size(m);
        float *a = calloc((size_t)n, sizeof *a), *b = calloc((size_t)n, sizeof *b);
        CHECK(n == nr_model_weights_size(m2));
        CHECK_OK(nr_model_get_weights(m, a));
        CHECK_OK(nr_model_get_weights(m2, b));
        nr_test_close_arrays(b, a, (size_t)n, 0, 0, "weights after save and load");
        free(a);
        free(b);
    }
    remove(path);
    nr_graph_free(g2);
    nr_spec_free(s);
}

/* --- errors ------------------------------------------------------------------ */

static void errors(void) {
    nr_graph *g;
    nr_layer *l;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_STATUS(nr_embedding(g, &(nr_embedding_opts){.input_dim = 0, .output_dim = 4}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "input_dim") != NULL);
    CHECK_STATUS(nr_repeat_vector(g, &(nr_repeat_vector_opts){.n = 0}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_time_distributed(g, &(nr_time_distributed_opts){0}, &l), NR_STATUS_BAD_ARGUMENT);
    nr_graph_free(g);
    nr_test_spec_fails("Embedding(-3, 4)\n", NR_STATUS_BAD_ARGUMENT, "input_dim");
    nr_test_spec_fails("Embedding(10)\n", NR_STATUS_BAD_ARGUMENT, "output_dim");
    nr_test_spec_fails("RepeatVector(0)\n", NR_STATUS_BAD_ARGUMENT, "n must be a positive integer");
    nr_test_spec_fails("x = Input(shape=(8, 2))\ny = RepeatVector(2)(x)\n", NR_STATUS_BAD_SHAPE,
                       "needs input (batch, features)");
    nr_test_spec_fails("x = Input(shape=(8,))\ny = TimeDistributed(Dense(2))(x)\n", NR_STATUS_BAD_SHAPE,
                       "of rank >= 3, got shape (None, 8)");
    nr_test_spec_fails("TimeDistributed(\"dense\")\n", NR_STATUS_BAD_ARGUMENT, "layer must be a layer");
    nr_test_spec_fails("TimeDistributed(Dense)\n", NR_STATUS_BAD_ARGUMENT, "layer must be a layer");
    nr_test_spec_fails("TimeDistributed()\n", NR_STATUS_BAD_ARGUMENT, "layer");
    nr_test_spec_fails("Embedding(10, 4, mask_zero=1.5)\n", NR_STATUS_BAD_ARGUMENT, "mask_zero");
    nr_test_spec_fails("Embedding(100000, 100000)\n", NR_STATUS_BAD_SHAPE, "too large");
    /* An index outside the table is an error when data is fed. */
    nr_spec *s = load("ids = Input(shape=(3,))\nmodel = Model(ids, Embedding(5, 2)(ids))\n");
    if (s) {
        nr_tensor *x = NULL, *y = NULL;
        CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){1, 3}));
        x->data[1] = 5;
        CHECK_STATUS(nr_model_predict(nr_spec_model(s), (const nr_tensor *const[]){x}, 8, &y), NR_STATUS_BAD_ARGUMENT);
        CHECK(strstr(nr_last_error(), "not an index of an Embedding table of 5 rows") != NULL);
        x->data[1] = 4.5f;
        CHECK_OK(nr_model_predict(nr_spec_model(s), (const nr_tensor *const[]){x}, 8, &y));
        nr_tensor_free(y);
        nr_tensor_free(x);
        nr_spec_free(s);
    }
}

int main(void) {
    shapes();
    time_distributed_values();
    time_distributed_learns();
    mask_propagation();
    masking_values();
    masked_average();
    masked_loss();
    wrapper_weights();
    errors();
    return nr_test_finish();
}
