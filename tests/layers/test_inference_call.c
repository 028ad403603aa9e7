/* Calls with training=False (nr_layer_call_inference, SPEC's
 * base(x, training=False)): a model called that way runs in inference
 * mode inside fit(), as in Keras: the loss of a training step equals the
 * inference loss at the same weights (no dropout, moving statistics), the
 * BatchNormalization moving mean stays, gamma still trains. A plain call
 * keeps both modes. The SPEC text of the model says training=False and
 * reads back the same. */
#include <string.h>
#include "graph/graph.h"
#include "testutil.h"

static const char base_spec[] =
    "b_in = Input(shape=(6,))\n"
    "h = Dense(8, name=\"b_dense\")(b_in)\n"
    "h = BatchNormalization(name=\"b_bn\")(h)\n"
    "h = Dropout(0.5, name=\"b_drop\")(h)\n"
    "base = Model(b_in, h, name=\"base\")\n"
    "inp = Input(shape=(6,))\n";
static const char head[] = "out = Dense(3, activation=\"softmax\", name=\"head\")(x)\n"
                           "model = Model(inp, out)\n"
                           "model.compile(optimizer=SGD(learning_rate=0.1), loss=\"sparse_categorical_crossentropy\")\n";

/* Weight k, element 0, of layer b_bn inside the nested model "base". */
static float bn_weight(const nr_model *m, int k) {
    const nr_layer *outer = nr_model_get_layer(m, "base");
    const nr_layer *bn = outer && outer->model ? nr_model_get_layer(outer->model, "b_bn") : NULL;
    nr_tensor v;
    return bn && nr_layer_weight(bn, k, &v) == NR_OK ? v.data[0] : NAN;
}

/* One training step on a fixed batch. */
static void step(const nr_model *m, nr_logs *test, nr_logs *train) {
    nr_tensor *x = NULL, *y = NULL;
    if (!CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){16, 6})) || !CHECK_OK(nr_tensor_new(&y, 1, (int64_t[]){16}))) {
        nr_tensor_free(x);
        return;
    }
    for (int i = 0; i < 16 * 6; i++) x->data[i] = (float)((i * 37) % 11) / 5.0f - 1.0f;
    for (int i = 0; i < 16; i++) y->data[i] = (float)(i % 3);
    const nr_tensor *xs[1] = {x}, *ys[1] = {y};
    CHECK_OK(nr_model_test_on_batch((nr_model *)m, xs, ys, NULL, test));
    CHECK_OK(nr_model_train_on_batch((nr_model *)m, xs, ys, NULL, train));
    nr_tensor_free(x);
    nr_tensor_free(y);
}

static void check_mode(const char *call, int inference) {
    char spec[1024];
    snprintf(spec, sizeof spec, "%sx = base(inp%s)\n%s", base_spec, call, head);
    nr_spec *s = NULL, *s2 = NULL;
    char *text = NULL;
    nr_logs test, train;
    if (!CHECK_OK(nr_spec_load_string(spec, "ic.nr", 5, &s))) return;
    const nr_model *m = nr_spec_model(s);
    float mean0 = bn_weight(m, 2), gamma0 = bn_weight(m, 0);
    step(m, &test, &train);
    double lt = nr_logs_get(&test, "loss"), lf = nr_logs_get(&train, "loss");
    if (inference) {
        CHECK_CLOSE(lf, lt, 1e-6, 1e-5);
        CHECK(bn_weight(m, 2) == mean0);
    } else {
        CHECK(fabs(lf - lt) > 1e-4);
        CHECK(bn_weight(m, 2) != mean0);
    }
    CHECK(bn_weight(m, 0) != gamma0); /* gamma trains either way */
    if (CHECK_OK(nr_model_to_spec(m, &text))) {
        CHECK((strstr(text, ", training=False)") != NULL) == inference);
        if (CHECK_OK(nr_spec_load_string(text, "rt.nr", 5, &s2))) {
            mean0 = bn_weight(nr_spec_model(s2), 2);
            CHECK_OK(nr_model_compile(nr_spec_model(s2), nr_model_compile_opts(m)));
            step(nr_spec_model(s2), &test, &train);
            CHECK((bn_weight(nr_spec_model(s2), 2) == mean0) == inference);
        }
    }
    nr_free_string(text);
    nr_spec_free(s2);
    nr_spec_free(s);
}

int main(void) {
    check_mode(", training=False", 1);
    check_mode("", 0);
    check_mode(", training=None", 0);
    nr_test_spec_fails("i = Input(shape=(2,))\nd = Dense(2)\ny = d(i, training=True)\n", NR_STATUS_UNSUPPORTED,
                       "training=True");
    nr_test_spec_fails("i = Input(shape=(2,))\nd = Dense(2)\ny = d(i, training=1.5)\n", NR_OK, "training");
    return nr_test_finish();
}
