/* Conv2D and pooling layers: Keras shapes and parameter counts (the W2
 * network of BENCHMARKING.md has 8,954 parameters), TensorFlow's "same"
 * padding, errors, the SPEC syntax, a save/load round trip, and learning
 * the 8x8 digits as images. */
#include <string.h>
#include "testutil.h"

static const char *w2_spec =
    "model = Sequential()\n"
    "model.add(Input(shape=(28, 28, 1)))\n"
    "model.add(Conv2D(32, 3, activation=\"relu\"))\n"
    "model.add(MaxPooling2D(2))\n"
    "model.add(Conv2D(16, (3, 3), padding=\"valid\", activation=\"relu\"))\n"
    "model.add(MaxPooling2D(pool_size=(2, 2)))\n"
    "model.add(Flatten())\n"
    "model.add(Dense(10, activation=\"softmax\"))\n"
    "model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n";


static void w2_shapes(void) {
    nr_spec *s;
    CHECK_OK(nr_spec_load_string(w2_spec, "w2.nr", 1, &s));
    nr_model *m = nr_spec_model(s);
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 8954 && f == 0);
    nr_test_summary_has(m, "conv2d (Conv2D)              (None, 26, 26, 32)        320");
    nr_test_summary_has(m, "max_pooling2d (MaxPooling2D) (None, 13, 13, 32)        0");
    nr_test_summary_has(m, "conv2d_1 (Conv2D)            (None, 11, 11, 16)        4,624");
    nr_test_summary_has(m, "(None, 5, 5, 16)");
    nr_test_summary_has(m, "flatten (Flatten)            (None, 400)               0");
    nr_test_summary_has(m, "dense (Dense)                (None, 10)                4,010");
    /* Round trip through SPEC text keeps the architecture. */
    char *text = NULL;
    CHECK_OK(nr_model_to_spec(m, &text));
    nr_spec *s2;
    CHECK_OK(nr_spec_load_string(text, "written.nr", 1, &s2));
    nr_model_count_params(nr_spec_model(s2), &t, &f);
    CHECK(t == 8954);
    nr_free_string(text);
    nr_spec_free(s2);
    nr_spec_free(s);
}

/* TensorFlow's "same": out = ceil(in / stride); the extra padding row goes
 * at the bottom. Checked against numbers Keras prints. */
static void same_padding(void) {
    const char *spec =
        "inp = Input(shape=(7, 6, 3))\n"
        "a = Conv2D(8, 3, strides=2, padding=\"same\")(inp)\n"
        "b = MaxPooling2D(3, strides=2, padding=\"same\")(inp)\n"
        "c = AveragePooling2D((2, 3))(inp)\n"
        "d = Conv2D(4, (2, 2), dilation_rate=2, use_bias=False)(inp)\n"
        "model = Model(inp, [a, b, c, d])\n";
    nr_spec *s;
    CHECK_OK(nr_spec_load_string(spec, "same.nr", 1, &s));
    nr_model *m = nr_spec_model(s);
    nr_graph *g = nr_model_graph(m);
    int nd;
    int64_t sh[NR_MAX_DIMS];
    const int64_t want[4][4] = {{-1, 4, 3, 8}, {-1, 4, 3, 3}, {-1, 3, 2, 3}, {-1, 5, 4, 4}};
    for (int i = 0; i < 4; i++) {
        CHECK_OK(nr_sym_shape(g, nr_model_output(m, i), &nd, sh));
        CHECK(nd == 4 && memcmp(sh, want[i], sizeof want[i]) == 0);
    }
    int64_t t, f;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 3 * 3 * 3 * 8 + 8 + 2 * 2 * 3 * 4);
    nr_spec_free(s);
}

static void errors(void) {
    nr_spec *s = NULL;
    CHECK_STATUS(nr_spec_load_string("Input(shape=(4, 4, 1))\nConv2D(8, 5)\n", "e.nr", 1, &s), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "e.nr:2:") && strstr(nr_last_error(), "does not fit"));
    CHECK_STATUS(nr_spec_load_string("Input(shape=(16,))\nConv2D(8, 3)\n", "e.nr", 1, &s), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "(None, 16)") != NULL);
    CHECK(nr_spec_load_string("Input(shape=(8, 8, 1))\nConv2D(8, 3, padding=\"smae\")\n", "e.nr", 1, &s) != NR_OK);
    CHECK(strstr(nr_last_error(), "did you mean \"same\"") != NULL);
    CHECK(nr_spec_load_string("Input(shape=(8, 8, 1))\nConv2D(8, 3, strides=2, dilation_rate=2)\n", "e.nr", 1, &s) != NR_OK);
    CHECK(strstr(nr_last_error(), "dilation_rate") != NULL);
    CHECK_STATUS(nr_spec_load_string("Input(shape=(8, 8, 1))\nConv2D(8, 3, groups=2)\n", "e.nr", 1, &s),
                 NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "evenly divisible by the number of groups") != NULL);
    CHECK(nr_spec_load_string("Input(shape=(8, 8, 4))\nConv2D(6, 3, groups=4)\n", "e.nr", 1, &s) != NR_OK);
    CHECK(strstr(nr_last_error(), "filters=6, groups=4") != NULL);
}

/* groups: kernel (kh, kw, C / groups, filters), Keras's counts; the SPEC
 * text keeps the argument. */
static void grouped(void) {
    const char *spec =
        "inp = Input(shape=(6, 6, 4))\n"
        "a = Conv2D(8, 3, groups=2)(inp)\n"
        "seq = Input(shape=(10, 6))\n"
        "b = Conv1D(6, 3, groups=3, padding=\"causal\")(seq)\n"
        "model = Model([inp, seq], [a, b])\n";
    nr_spec *s;
    CHECK_OK(nr_spec_load_string(spec, "groups.nr", 1, &s));
    nr_model *m = nr_spec_model(s);
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == (3 * 3 * 2 * 8 + 8) + (3 * 2 * 6 + 6));
    char *text = NULL;
    CHECK_OK(nr_model_to_spec(m, &text));
    CHECK(text && strstr(text, "groups=2") && strstr(text, "groups=3"));
    nr_free_string(text);
    nr_spec_free(s);
}

/* The 8x8 digits as 8x8x1 images: a small CNN must reach >= 0.95. */
static void learn_digits(void) {
    const char *spec =
        "Input(shape=(8, 8, 1))\n"
        "Conv2D(16, 3, padding=\"same\", activation=\"relu\")\n"
        "MaxPooling2D(2)\n"
        "Conv2D(32, 3, activation=\"relu\")\n"
        "Flatten()\n"
        "Dense(10, activation=\"softmax\")\n"
        "compile(optimizer=Adam(learning_rate=0.003), loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n";
    double acc = nr_test_digits_accuracy(spec, 4, 1, 15);
    printf("8x8 digits CNN test accuracy %.4f\n", acc);
    CHECK(acc >= 0.95);
}

int main(void) {
    grouped();
    w2_shapes();
    same_padding();
    errors();
    learn_digits();
    return nr_test_finish();
}
