/* Conv1D, Conv2DTranspose, DepthwiseConv2D and SeparableConv2D layers:
 * Keras's output shapes and parameter counts, weight shapes and order,
 * wiring checked by hand through predict, the SPEC syntax and its round
 * trip, errors, and learning the 8x8 digits. */
#include <string.h>
#include "testutil.h"

static void weight_is(const nr_model *m, const char *layer, int i, int ndim, const int64_t *want) {
    nr_tensor w;
    nr_layer *l = nr_model_get_layer(m, layer);
    if (!CHECK(l != NULL) || !CHECK_OK(nr_layer_weight(l, i, &w))) return;
    if (!CHECK(w.ndim == ndim && memcmp(w.shape, want, (size_t)ndim * sizeof *want) == 0))
        fprintf(stderr, "  %s weight %d has another shape\n", layer, i);
}

/* The examples of the Keras documentation and the brief's numbers. */
static const char *shapes_spec =
    "inp = Input(shape=(28, 28, 32))\n"
    "a = SeparableConv2D(64, 3)(inp)\n"
    "b = DepthwiseConv2D(3)(inp)\n"
    "i2 = Input(shape=(7, 7, 32))\n"
    "c = Conv2DTranspose(16, 3, strides=2, padding=\"same\")(i2)\n"
    "i3 = Input(shape=(24, 1))\n"
    "d = Conv1D(8, 3)(i3)\n"
    "e = Conv1D(8, 3, padding=\"causal\", dilation_rate=2)(i3)\n"
    "f = Conv1D(8, 4, strides=3, padding=\"same\")(i3)\n"
    "g = DepthwiseConv2D((3, 2), strides=2, padding=\"same\", depth_multiplier=3, use_bias=False)(inp)\n"
    "h = Conv2DTranspose(4, (3, 4), strides=(2, 3), output_padding=(1, 0))(i2)\n"
    "model = Model([inp, i2, i3], [a, b, c, d, e, f, g, h])\n";

static const char *shapes2_spec =
    "inp = Input(shape=(28, 28, 32))\n"
    "i2 = Input(shape=(7, 7, 32))\n"
    "k = Conv2DTranspose(2, 1, strides=3)(i2)\n"
    "s = SeparableConv2D(5, (2, 3), dilation_rate=2, padding=\"same\", depth_multiplier=2, use_bias=False)(inp)\n"
    "model = Model([inp, i2], [k, s])\n";

static void shapes(void) {
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(shapes_spec, "shapes.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    nr_test_summary_has(m, "separable_conv2d (SeparableConv (None, 26, 26, 64)        2,400");
    nr_test_summary_has(m, "depthwise_conv2d (DepthwiseConv (None, 26, 26, 32)        320");
    nr_test_summary_has(m, "conv2d_transpose (Conv2DTranspo (None, 14, 14, 16)        4,624");
    nr_test_summary_has(m, "conv1d (Conv1D)                 (None, 22, 8)             32");
    const int64_t want[][4] = {{-1, 26, 26, 64}, {-1, 26, 26, 32}, {-1, 14, 14, 16}, {-1, 22, 8},
                               {-1, 24, 8},      {-1, 8, 8},        {-1, 14, 14, 96}, {-1, 16, 22, 4}};
    const int ndim[] = {4, 4, 4, 3, 3, 3, 4, 4};
    for (int i = 0; i < 8; i++) nr_test_shape_is(m, i, ndim[i], want[i]);
    int64_t t, f;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 2400 + 320 + 4624 + 32 + 32 + 40 + 3 * 2 * 32 * 3 + (3 * 4 * 4 * 32 + 4));
    /* Keras's weight layouts and order. */
    weight_is(m, "separable_conv2d", 0, 4, (int64_t[]){3, 3, 32, 1});
    weight_is(m, "separable_conv2d", 1, 4, (int64_t[]){1, 1, 32, 64});
    weight_is(m, "separable_conv2d", 2, 1, (int64_t[]){64});
    weight_is(m, "depthwise_conv2d_1", 0, 4, (int64_t[]){3, 2, 32, 3});
    weight_is(m, "conv2d_transpose", 0, 4, (int64_t[]){3, 3, 16, 32});
    weight_is(m, "conv1d", 0, 3, (int64_t[]){3, 1, 8});
    nr_spec_free(s);
    if (!CHECK_OK(nr_spec_load_string(shapes2_spec, "shapes2.nr", 1, &s))) return;
    m = nr_spec_model(s);
    nr_test_shape_is(m, 0, 4, (int64_t[]){-1, 21, 21, 2}); /* output_padding None: (7 - 1) 3 + max(1, 3) */
    nr_test_shape_is(m, 1, 4, (int64_t[]){-1, 28, 28, 5});
    nr_model_count_params(m, &t, &f);
    CHECK(t == (2 * 32 + 2) + (2 * 3 * 32 * 2 + 64 * 5));
    CHECK(nr_layer_n_weights(nr_model_get_layer(m, "separable_conv2d")) == 2);
    nr_spec_free(s);
}

/* SPEC written from a model loads back to the same architecture, and
 * writing it again gives the same text. */
static void round_trip(void) {
    const char *spec =
        "inp = Input(shape=(12, 10, 3))\n"
        "a = SeparableConv2D(6, (3, 2), strides=2, padding=\"same\", depth_multiplier=2, activation=\"relu\", "
        "depthwise_initializer=\"he_normal\", pointwise_initializer=RandomNormal(stddev=0.1, seed=3), "
        "bias_initializer=\"ones\", depthwise_regularizer=L2(0.01), pointwise_regularizer=L1(0.02), "
        "bias_regularizer=L2(0.5), activity_regularizer=L1(0.001), name=\"sep\")(inp)\n"
        "b = DepthwiseConv2D(3, dilation_rate=2, depth_multiplier=3, use_bias=False, activation=\"tanh\", "
        "depthwise_initializer=\"zeros\", depthwise_regularizer=L1L2(l1=0.1, l2=0.2), trainable=False)(inp)\n"
        "c = Conv2DTranspose(4, 3, strides=(2, 1), padding=\"same\", output_padding=(1, 0), activation=\"elu\", "
        "kernel_initializer=\"lecun_uniform\", kernel_regularizer=L2(0.003))(a)\n"
        "i2 = Input(shape=(16, 4))\n"
        "d = Conv1D(5, 3, padding=\"causal\", dilation_rate=2, activation=\"swish\", use_bias=False)(i2)\n"
        "e = Conv1D(2, 2, strides=2, padding=\"same\", bias_initializer=\"ones\")(d)\n"
        "model = Model([inp, i2], [b, c, e])\n";
    nr_spec *s, *s2;
    if (!CHECK_OK(nr_spec_load_string(spec, "trip.nr", 1, &s))) return;
    char *text = NULL, *text2 = NULL;
    CHECK_OK(nr_model_to_spec(nr_spec_model(s), &text));
    if (CHECK(text != NULL) && CHECK_OK(nr_spec_load_string(text, "written.nr", 1, &s2))) {
        int64_t t1, f1, t2, f2;
        nr_model_count_params(nr_spec_model(s), &t1, &f1);
        nr_model_count_params(nr_spec_model(s2), &t2, &f2);
        CHECK(t1 == t2 && f1 == f2 && f1 == 3 * 3 * 3 * 3);
        CHECK_OK(nr_model_to_spec(nr_spec_model(s2), &text2));
        if (!CHECK(text2 && strcmp(text, text2) == 0)) fprintf(stderr, "  first:\n%s\n  second:\n%s\n", text, text2);
        CHECK(strstr(text, "output_padding=(1, 0)") && strstr(text, "padding=\"causal\"") &&
              strstr(text, "depth_multiplier=3") && strstr(text, "pointwise_regularizer=L1L2(l1=0.0199999996"));
        /* The same initial weights: every initializer survived. */
        nr_model *m1 = nr_spec_model(s), *m2 = nr_spec_model(s2);
        int64_t n = nr_model_weights_size(m1);
        float *w1 = malloc((size_t)n * sizeof *w1), *w2 = malloc((size_t)n * sizeof *w2);
        if (CHECK(n == nr_model_weights_size(m2)) && CHECK_OK(nr_model_get_weights(m1, w1)) &&
            CHECK_OK(nr_model_get_weights(m2, w2)))
            CHECK(memcmp(w1, w2, (size_t)n * sizeof *w1) == 0);
        free(w1);
        free(w2);
        nr_spec_free(s2);
    } else {
        fprintf(stderr, "  written SPEC:\n%s\n", text ? text : "");
    }
    nr_free_string(text);
    nr_free_string(text2);
    nr_spec_free(s);
}

/* Sets a model's weights, predicts one sample and compares. */
static void predict_is(const char *spec, const float *weights, int64_t n_weights, const float *x, int ndim,
                       const int64_t *xshape, const float *want, int64_t n_want, const char *what) {
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, what, 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    nr_tensor *xt = NULL, *y[1] = {NULL};
    CHECK(nr_model_weights_size(m) == n_weights);
    CHECK_OK(nr_model_set_weights(m, weights));
    CHECK_OK(nr_tensor_new(&xt, ndim, xshape));
    memcpy(xt->data, x, (size_t)nr_tensor_numel(xt) * sizeof *x);
    const nr_tensor *xv[1] = {xt};
    if (CHECK_OK(nr_model_predict(m, xv, 8, y)) && CHECK(nr_tensor_numel(y[0]) == n_want))
        nr_test_close_arrays(y[0]->data, want, (size_t)n_want, 1e-6, 1e-6, what);
    nr_tensor_free(y[0]);
    nr_tensor_free(xt);
    nr_spec_free(s);
}

/* Weight order and layouts, worked by hand through whole models. */
static void by_hand(void) {
    /* Causal Conv1D, kernel (2, 1, 1) = [1, 10], bias 0.5: y[t] = x[t-1] + 10 x[t] + 0.5. */
    predict_is("Input(shape=(3, 1))\nConv1D(1, 2, padding=\"causal\")\n", (float[]){1, 10, 0.5f}, 3,
               (float[]){1, 2, 3}, 3, (int64_t[]){1, 3, 1}, (float[]){10.5f, 21.5f, 32.5f}, 3, "conv1d.nr");
    /* Two channels: kernel (1, 2, 2) = [[1, 2], [3, 4]] maps (a, b) to (a + 3b, 2a + 4b). */
    predict_is("Input(shape=(2, 2))\nConv1D(2, 1, use_bias=False)\n", (float[]){1, 2, 3, 4}, 4, (float[]){1, 1, 2, 0},
               3, (int64_t[]){1, 2, 2}, (float[]){4, 6, 2, 4}, 4, "conv1d_channels.nr");
    /* SeparableConv2D: depthwise (1,1,2,1) = [2, 3], pointwise (1,1,2,1) = [5, 7], bias 1. */
    predict_is("Input(shape=(1, 1, 2))\nSeparableConv2D(1, 1)\n", (float[]){2, 3, 5, 7, 1}, 5, (float[]){1, 1}, 4,
               (int64_t[]){1, 1, 1, 2}, (float[]){32}, 1, "separable.nr");
    /* DepthwiseConv2D, multiplier 2: channel c, filter m at c*2 + m; kernel (1,1,2,2) = [1, 2, 3, 4]. */
    predict_is("Input(shape=(1, 1, 2))\nDepthwiseConv2D(1, depth_multiplier=2, use_bias=False)\n",
               (float[]){1, 2, 3, 4}, 4, (float[]){10, 100}, 4, (int64_t[]){1, 1, 1, 2}, (float[]){10, 20, 300, 400}, 4,
               "depthwise.nr");
    /* Conv2DTranspose: kernel (1,1,2,1) = [1, 2] (filters before channels), stride 2, valid, 1x1 kernel:
     * out (2, 2) with the input in the corner (output_padding None = 1). */
    predict_is("Input(shape=(1, 1, 1))\nConv2DTranspose(2, 1, strides=2, use_bias=False)\n", (float[]){1, 2}, 2,
               (float[]){3}, 4, (int64_t[]){1, 1, 1, 1}, (float[]){3, 6, 0, 0, 0, 0, 0, 0}, 8, "transpose.nr");
}

static void errors(void) {
    /* Kernel larger than the input with padding "valid". */
    nr_test_spec_fails("Input(shape=(4, 1))\nConv1D(8, 5)\n", NR_STATUS_BAD_SHAPE, "does not fit input (None, 4, 1)");
    nr_test_spec_fails("Input(shape=(4, 2))\nConv1D(8, 3, dilation_rate=2)\n", NR_STATUS_BAD_SHAPE, "a window of 5 steps");
    nr_test_spec_fails("Input(shape=(4, 4, 2))\nDepthwiseConv2D(5)\n", NR_STATUS_BAD_SHAPE, "a 5x5 window does not fit");
    nr_test_spec_fails("Input(shape=(4, 4, 2))\nSeparableConv2D(3, (2, 5))\n", NR_STATUS_BAD_SHAPE, "a 2x5 window does not fit");
    /* Wrong number of dimensions. */
    nr_test_spec_fails("Input(shape=(4, 4, 1))\nConv1D(8, 3)\n", NR_STATUS_BAD_SHAPE, "needs input (batch, steps, channels)");
    nr_test_spec_fails("Input(shape=(16,))\nConv2DTranspose(8, 3)\n", NR_STATUS_BAD_SHAPE, "got shape (None, 16)");
    nr_test_spec_fails("Input(shape=(4, 4))\nDepthwiseConv2D(3)\n", NR_STATUS_BAD_SHAPE, "(DepthwiseConv2D) needs input");
    nr_test_spec_fails("Input(shape=(4, 4))\nSeparableConv2D(2, 3)\n", NR_STATUS_BAD_SHAPE, "(SeparableConv2D) needs input");
    /* Bad arguments. */
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nConv2DTranspose(4, 3, strides=2, output_padding=2)\n", NR_STATUS_BAD_ARGUMENT,
          "output_padding must be >= 0 and < strides");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nConv2DTranspose(4, 3, output_padding=(1, 2, 3))\n", NR_OK, "output_padding");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nConv2DTranspose(4, 3, padding=\"causal\")\n", NR_OK, "valid: valid, same");
    nr_test_spec_fails("Input(shape=(8, 1))\nConv1D(4, 3, padding=\"casual\")\n", NR_OK, "did you mean \"causal\"");
    nr_test_spec_fails("Input(shape=(8, 1))\nConv1D(4, (3, 3))\n", NR_OK, "a tuple of 1 int");
    nr_test_spec_fails("Input(shape=(8, 1))\nConv1D(4, 3, groups=2)\n", NR_OK, "groups");
    nr_test_spec_fails("Input(shape=(8, 1))\nConv1D(4, 3, strides=2, dilation_rate=2)\n", NR_STATUS_BAD_ARGUMENT, "dilation_rate");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nDepthwiseConv2D(3, depth_multiplier=0)\n", NR_OK, "depth_multiplier");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nSeparableConv2D(0, 3)\n", NR_OK, "filters");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nSeparableConv2D(2)\n", NR_OK, "kernel_size");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nDepthwiseConv2D(3, data_format=\"channels_first\")\n", NR_OK, "data_format");
    nr_test_spec_fails("Input(shape=(8, 8, 1))\nSeparableConv2D(2, 3, pointwise_constraint=\"non_neg\")\n", NR_OK,
          "pointwise_constraint");
    /* The same layer on another number of channels. */
    nr_test_spec_fails("a = Input(shape=(8, 8, 1))\nb = Input(shape=(8, 8, 2))\nl = DepthwiseConv2D(3)\nx = l(a)\ny = l(b)\n",
          NR_STATUS_BAD_SHAPE, "was built for 1 input channels");
    nr_test_spec_fails("a = Input(shape=(8, 1))\nb = Input(shape=(8, 2))\nl = Conv1D(2, 3)\nx = l(a)\ny = l(b)\n",
          NR_STATUS_BAD_SHAPE, "was built for 1 input channels");
    /* The C API checks what SPEC cannot express. */
    nr_graph *g;
    nr_layer *l = NULL;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_STATUS(nr_conv1d(g, &(nr_conv1d_opts){.filters = 0, .kernel_size = 3}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_conv1d(g, &(nr_conv1d_opts){.filters = 2, .kernel_size = 0}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_conv2d_transpose(g, &(nr_conv2d_transpose_opts){.filters = 2, .kernel_size = {3},
                                                                   .padding = NR_PADDING_CAUSAL}, &l),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "\"valid\" or \"same\"") != NULL);
    CHECK_STATUS(nr_conv2d_transpose(g, &(nr_conv2d_transpose_opts){.filters = 2, .kernel_size = {3},
                                                                   .has_output_padding = 1, .output_padding = {0, -1}}, &l),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_depthwise_conv2d(g, &(nr_depthwise_conv2d_opts){.kernel_size = {3}, .depth_multiplier = -1}, &l),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_separable_conv2d(g, &(nr_separable_conv2d_opts){.filters = 2, .kernel_size = {3},
                                                                   .activation = NR_ACT_COUNT_}, &l),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(l == NULL);
    /* Same padding with an even kernel, stride 1 and output_padding 0 has an empty output for a 1-pixel input. */
    nr_sym x, y;
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {1, 1, 2}, .ndim = 3}, &x));
    CHECK_OK(nr_conv2d_transpose(g, &(nr_conv2d_transpose_opts){.filters = 2, .kernel_size = {2},
                                                               .padding = NR_PADDING_SAME, .has_output_padding = 1},
                                 &l));
    CHECK_STATUS(nr_layer_call(l, &x, 1, &y), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "empty output") != NULL);
    nr_graph_free(g);
}

/* The 8x8 digits: every new layer in one classifier, and Conv1D on the
 * rows as 8 steps of 8 features. Both must reach >= 0.9. */
static void learn_digits(void) {
    const char *specs[2] = {
        "Input(shape=(8, 8, 1))\n"
        "Conv2D(8, 3, strides=2, padding=\"same\", activation=\"relu\")\n"
        "Conv2DTranspose(8, 3, strides=2, padding=\"same\", activation=\"relu\")\n"
        "SeparableConv2D(16, 3, depth_multiplier=2, activation=\"relu\")\n"
        "DepthwiseConv2D(3, activation=\"relu\")\n"
        "Flatten()\n"
        "Dense(10, activation=\"softmax\")\n"
        "compile(optimizer=Adam(learning_rate=0.005), loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n",
        "Input(shape=(8, 8))\n"
        "Conv1D(16, 3, padding=\"causal\", activation=\"relu\")\n"
        "Conv1D(16, 3, strides=2, activation=\"relu\")\n"
        "Flatten()\n"
        "Dense(10, activation=\"softmax\")\n"
        "compile(optimizer=Adam(learning_rate=0.005), loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n",
    };
    for (int k = 0; k < 2; k++) {
        double acc = nr_test_digits_accuracy(specs[k], k ? 3 : 4, 1, 12);
        printf("8x8 digits, %s: test accuracy %.4f\n", k ? "Conv1D" : "transpose/separable/depthwise", acc);
        CHECK(acc >= 0.9);
    }
}

int main(void) {
    shapes();
    round_trip();
    by_hand();
    errors();
    learn_digits();
    return nr_test_finish();
}
