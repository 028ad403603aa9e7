/* MaxPooling1D, AveragePooling1D, the global poolings, UpSampling2D,
 * ZeroPadding2D and Cropping2D: Keras shapes, names and zero parameters,
 * the W4 convolutional autoencoder (4,385 parameters, output 28x28x1),
 * SPEC round trips, errors from the C API and from SPEC text, values
 * through a model, and training through every new op. */
#include <string.h>
#include "testutil.h"

/* The W4 autoencoder of BENCHMARKING.md, as Keras code. */
static const char *w4_spec =
    "inp = Input(shape=(28, 28, 1))\n"
    "x = Conv2D(16, 3, padding=\"same\", activation=\"relu\")(inp)\n"
    "x = MaxPooling2D(2)(x)\n"
    "x = Conv2D(8, 3, padding=\"same\", activation=\"relu\")(x)\n"
    "x = MaxPooling2D(2)(x)\n"
    "x = Conv2D(8, 3, padding=\"same\", activation=\"relu\")(x)\n"
    "x = MaxPooling2D(2, padding=\"same\")(x)\n"
    "x = Conv2D(8, 3, padding=\"same\", activation=\"relu\")(x)\n"
    "x = UpSampling2D(2)(x)\n"
    "x = Conv2D(8, 3, padding=\"same\", activation=\"relu\")(x)\n"
    "x = UpSampling2D(2)(x)\n"
    "x = Conv2D(16, 3, activation=\"relu\")(x)\n"
    "x = UpSampling2D(2)(x)\n"
    "out = Conv2D(1, 3, padding=\"same\", activation=\"sigmoid\")(x)\n"
    "model = Model(inp, out)\n"
    "model.compile(optimizer=\"adam\", loss=\"binary_crossentropy\")\n";

/* SPEC text of a model, loaded again: the same text comes back. */
static nr_spec *round_trip(const nr_model *m) {
    char *text = NULL, *again = NULL;
    nr_spec *s2 = NULL;
    CHECK_OK(nr_model_to_spec(m, &text));
    if (CHECK_OK(nr_spec_load_string(text, "written.nr", 1, &s2))) {
        CHECK_OK(nr_model_to_spec(nr_spec_model(s2), &again));
        if (!CHECK(again && strcmp(text, again) == 0)) fprintf(stderr, "  %s\n  became\n  %s\n", text, again);
    }
    nr_free_string(text);
    nr_free_string(again);
    return s2;
}

static void w4_autoencoder(void) {
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(w4_spec, "w4.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 4385 && f == 0);
    nr_test_shape_is(m, 0, 4, (int64_t[]){-1, 28, 28, 1});
    nr_test_summary_has(m, "max_pooling2d_2 (MaxPooling2D)  (None, 4, 4, 8)");
    nr_test_summary_has(m, "up_sampling2d (UpSampling2D)    (None, 8, 8, 8)");
    nr_test_summary_has(m, "(None, 14, 14, 16)");
    nr_test_summary_has(m, "up_sampling2d_2 (UpSampling2D)  (None, 28, 28, 16)");
    nr_spec *s2 = round_trip(m);
    if (s2) {
        nr_model_count_params(nr_spec_model(s2), &t, &f);
        CHECK(t == 4385);
        nr_spec_free(s2);
    }
    nr_spec_free(s);
}

typedef struct want_shape { int ndim; int64_t shape[4]; } want_shape;

/* Loads spec, checks the shapes of its model's outputs, that it has no
 * parameters, the summary rows in has, and again after a round trip. */
static void shapes_are(const char *spec, const want_shape *want, int n, const char *const *has) {
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "shapes.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    CHECK(nr_model_n_outputs(m) == n);
    for (int i = 0; i < n; i++) nr_test_shape_is(m, i, want[i].ndim, want[i].shape);
    int64_t t = -1, f = -1;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 0 && f == 0);
    for (; *has; has++) nr_test_summary_has(m, *has);
    nr_spec *s2 = round_trip(m);
    if (s2) {
        for (int i = 0; i < n; i++) nr_test_shape_is(nr_spec_model(s2), i, want[i].ndim, want[i].shape);
        nr_spec_free(s2);
    }
    nr_spec_free(s);
}

#define HAS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Output shapes, names and summary rows as Keras 3 gives them. */
static void shapes(void) {
    static const want_shape pools[] = {
        {3, {-1, 4, 4}}, {3, {-1, 5, 4}}, {3, {-1, 8, 4}}, {3, {-1, 3, 4}},
        {2, {-1, 4}},    {3, {-1, 1, 4}}, {2, {-1, 3}},    {4, {-1, 1, 1, 3}},
    };
    shapes_are("seq = Input(shape=(9, 4))\n"
               "img = Input(shape=(7, 6, 3))\n"
               "a = MaxPooling1D()(seq)\n"
               "b = MaxPool1D(3, strides=2, padding=\"same\")(seq)\n"
               "c = AveragePooling1D(pool_size=(2,), strides=1)(seq)\n"
               "d = AvgPool1D(4, padding=\"same\")(seq)\n"
               "e = GlobalAveragePooling1D()(seq)\n"
               "f = GlobalMaxPool1D(keepdims=True)(seq)\n"
               "g = GlobalAvgPool2D()(img)\n"
               "h = GlobalMaxPooling2D(keepdims=True)(img)\n"
               "model = Model([seq, img], [a, b, c, d, e, f, g, h])\n",
               pools, 8,
               HAS("max_pooling1d (MaxPooling1D)", "average_pooling1d_1", "global_average_pooling1d",
                   "global_max_pooling2d"));
    static const want_shape resized[] = {
        {4, {-1, 14, 12, 3}}, {4, {-1, 14, 18, 3}}, {4, {-1, 21, 18, 3}}, {4, {-1, 9, 8, 3}},
        {4, {-1, 9, 10, 3}},  {4, {-1, 8, 11, 3}},  {4, {-1, 7, 6, 3}},
    };
    shapes_are("img = Input(shape=(7, 6, 3))\n"
               "i = UpSampling2D()(img)\n"
               "j = UpSampling2D((2, 3), interpolation=\"bilinear\")(img)\n"
               "k = UpSampling2D(size=3, interpolation=\"Nearest\")(img)\n"
               "l = ZeroPadding2D()(img)\n"
               "m = ZeroPadding2D((1, 2))(img)\n"
               "n = ZeroPadding2D(((1, 0), (2, 3)))(img)\n"
               "o = ZeroPadding2D(0)(img)\n"
               "model = Model(img, [i, j, k, l, m, n, o])\n",
               resized, 7, HAS("up_sampling2d_2 (UpSampling2D)", "zero_padding2d_3 (ZeroPadding2D (None, 7, 6, 3)"));
    static const want_shape cropped[] = {
        {4, {-1, 7, 6, 3}}, {4, {-1, 5, 4, 3}}, {4, {-1, 6, 1, 3}}, {4, {-1, 7, 3, 3}},
    };
    shapes_are("img = Input(shape=(7, 6, 3))\n"
               "p = Cropping2D()(img)\n"
               "q = Cropping2D(1)(img)\n"
               "r = Cropping2D(cropping=((1, 0), (2, 3)))(img)\n"
               "s = Cropping2D((0, (1, 2)))(img)\n"
               "model = Model(img, [p, q, r, s])\n",
               cropped, 4, HAS("cropping2d_3 (Cropping2D)"));
}

/* Values through a compiled model: crop, pad and upsample a 2x3 image. */
static void values(void) {
    const char *spec =
        "inp = Input(shape=(2, 3, 1))\n"
        "a = Cropping2D(((1, 0), (0, 1)))(inp)\n"
        "b = ZeroPadding2D(((0, 1), (1, 0)))(inp)\n"
        "c = UpSampling2D((1, 2))(inp)\n"
        "d = GlobalMaxPooling2D()(inp)\n"
        "model = Model(inp, [a, b, c, d])\n";
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "values.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    nr_tensor *x;
    CHECK_OK(nr_tensor_new(&x, 4, (int64_t[]){1, 2, 3, 1}));
    for (int i = 0; i < 6; i++) x->data[i] = (float)(i + 1);
    nr_tensor *y[4] = {0};
    const nr_tensor *xs[1] = {x};
    if (CHECK_OK(nr_model_predict(m, xs, 0, y))) {
        nr_test_close_arrays(y[0]->data, (float[]){4, 5}, 2, 0, 0, "Cropping2D values");
        nr_test_close_arrays(y[1]->data, (float[]){0, 1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0}, 12, 0, 0, "ZeroPadding2D values");
        nr_test_close_arrays(y[2]->data, (float[]){1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6}, 12, 0, 0, "UpSampling2D values");
        nr_test_close_arrays(y[3]->data, (float[]){6}, 1, 0, 0, "GlobalMaxPooling2D values");
    }
    for (int i = 0; i < 4; i++) nr_tensor_free(y[i]);
    nr_tensor_free(x);
    nr_spec_free(s);
}

/* Loads text that must fail with status want and a message holding each
 * of the strings in has (NULL-terminated). */
static void spec_fails(const char *text, nr_status want, const char *const *has) {
    nr_spec *s = NULL;
    if (!CHECK_STATUS(nr_spec_load_string(text, "e.nr", 1, &s), want)) {
        fprintf(stderr, "  for:\n%s\n", text);
        nr_spec_free(s);
        return;
    }
    for (; *has; has++)
        if (!CHECK(strstr(nr_last_error(), *has) != NULL)) fprintf(stderr, "  no \"%s\" in: %s\n", *has, nr_last_error());
}

static void spec_errors(void) {
    spec_fails("Input(shape=(8, 8, 1))\nMaxPooling1D()\n", NR_STATUS_BAD_SHAPE,
               HAS("e.nr:2:", "max_pooling1d", "(batch, steps, channels)", "(None, 8, 8, 1)"));
    spec_fails("Input(shape=(3, 2))\nAveragePooling1D(4)\n", NR_STATUS_BAD_SHAPE, HAS("does not fit", "(None, 3, 2)"));
    spec_fails("Input(shape=(3, 2))\nMaxPooling1D(pool_size=(2, 2))\n", NR_STATUS_BAD_ARGUMENT,
               HAS("pool_size", "a tuple of 1 int"));
    spec_fails("Input(shape=(3, 2))\nMaxPooling1D(0)\n", NR_STATUS_BAD_ARGUMENT, HAS("pool_size"));
    spec_fails("Input(shape=(5, 3))\nGlobalAveragePooling2D()\n", NR_STATUS_BAD_SHAPE,
               HAS("(batch, height, width, channels)", "(None, 5, 3)"));
    spec_fails("Input(shape=(5, 4, 3))\nGlobalMaxPooling1D()\n", NR_STATUS_BAD_SHAPE, HAS("(batch, steps, channels)"));
    spec_fails("Input(shape=(5, 3))\nGlobalAveragePooling1D(keepdims=1.5)\n", NR_STATUS_BAD_ARGUMENT, HAS("keepdims"));
    spec_fails("Input(shape=(5, 3))\nUpSampling2D()\n", NR_STATUS_BAD_SHAPE, HAS("up_sampling2d", "(None, 5, 3)"));
    spec_fails("Input(shape=(5, 5, 3))\nUpSampling2D(interpolation=\"bilinaer\")\n", NR_STATUS_PARSE,
               HAS("did you mean \"bilinear\""));
    spec_fails("Input(shape=(5, 5, 3))\nUpSampling2D(interpolation=\"bicubic\")\n", NR_STATUS_UNSUPPORTED,
               HAS("bicubic", "\"nearest\" or \"bilinear\""));
    spec_fails("Input(shape=(5, 5, 3))\nUpSampling2D(size=0)\n", NR_STATUS_BAD_ARGUMENT, HAS("size"));
    spec_fails("Input(shape=(5, 5, 3))\nUpSampling2D(size=(2, 2, 2))\n", NR_STATUS_BAD_ARGUMENT, HAS("size"));
    spec_fails("Input(shape=(4, 6, 3))\nCropping2D(((2, 2), (0, 0)))\n", NR_STATUS_BAD_SHAPE,
               HAS("cropping2d", "((2, 2), (0, 0))", "at least one row", "(None, 4, 6, 3)"));
    spec_fails("Input(shape=(4, 6, 3))\nCropping2D((1, 3))\n", NR_STATUS_BAD_SHAPE, HAS("((1, 1), (3, 3))"));
    spec_fails("Input(shape=(4, 6, 3))\nCropping2D(-1)\n", NR_STATUS_BAD_ARGUMENT, HAS("cropping", "0 to"));
    spec_fails("Input(shape=(4, 6, 3))\nZeroPadding2D((1, 2, 3))\n", NR_STATUS_BAD_ARGUMENT,
               HAS("padding must be an int, a tuple of 2 ints or a tuple of 2 tuples of 2 ints"));
    spec_fails("Input(shape=(4, 6, 3))\nZeroPadding2D(((1, 2), \"3\"))\n", NR_STATUS_BAD_ARGUMENT, HAS("padding"));
    spec_fails("Input(shape=(4, 6))\nZeroPadding2D()\n", NR_STATUS_BAD_SHAPE, HAS("zero_padding2d"));
    spec_fails("Input(shape=(4, 6, 3))\nZeroPadding2D(data_format=\"channels_first\")\n", NR_STATUS_UNSUPPORTED,
               HAS("channels-last"));
    spec_fails("Input(shape=(4, 6, 3))\nCropping2D(croping=1)\n", NR_STATUS_PARSE, HAS("cropping"));
}

static void api_errors(void) {
    nr_graph *g;
    nr_layer *l = (nr_layer *)1;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_STATUS(nr_max_pooling1d(g, &(nr_pool1d_opts){.pool_size = -1}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK(l == NULL);
    CHECK_STATUS(nr_average_pooling1d(g, &(nr_pool1d_opts){.padding = 5}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_up_sampling2d(g, &(nr_upsampling2d_opts){.size = {2, -1}}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_up_sampling2d(g, &(nr_upsampling2d_opts){.interpolation = 7}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_zero_padding2d(g, &(nr_zero_padding2d_opts){.padding = {{1, -1}, {0, 0}}}, &l),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "ZeroPadding2D: padding cannot be negative, got ((1, -1), (0, 0))") != NULL);
    CHECK_STATUS(nr_cropping2d(g, &(nr_cropping2d_opts){.cropping = {{0, 0}, {-2, 0}}}, &l), NR_STATUS_BAD_ARGUMENT);
    /* Defaults: NULL options; ZeroPadding2D's default is 1 on each side, and
     * padding_given keeps an all-zero padding. */
    nr_sym x, y;
    int nd;
    int64_t sh[NR_MAX_DIMS];
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {5, 4, 2}, .ndim = 3}, &x));
    CHECK_OK(nr_zero_padding2d(g, NULL, &l));
    CHECK_OK(nr_layer_call(l, &x, 1, &y));
    CHECK_OK(nr_sym_shape(g, y, &nd, sh));
    CHECK(nd == 4 && sh[1] == 7 && sh[2] == 6 && sh[3] == 2);
    CHECK_OK(nr_zero_padding2d(g, &(nr_zero_padding2d_opts){.padding_given = 1}, &l));
    CHECK_OK(nr_layer_call(l, &x, 1, &y));
    CHECK_OK(nr_sym_shape(g, y, &nd, sh));
    CHECK(nd == 4 && sh[1] == 5 && sh[2] == 4);
    CHECK_OK(nr_up_sampling2d(g, &(nr_upsampling2d_opts){.size = {3}}, &l));
    CHECK_OK(nr_layer_call(l, &x, 1, &y));
    CHECK_OK(nr_sym_shape(g, y, &nd, sh));
    CHECK(sh[1] == 15 && sh[2] == 12 && nr_layer_count_params(l) == 0);
    CHECK_OK(nr_up_sampling2d(g, &(nr_upsampling2d_opts){.size = {1 << 20, 1 << 20}}, &l));
    CHECK_STATUS(nr_layer_call(l, &x, 1, &y), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "values per sample") != NULL);
    CHECK_OK(nr_global_average_pooling2d(g, NULL, &l));
    CHECK(!strcmp(nr_layer_type(l), "GlobalAveragePooling2D") && !strcmp(nr_layer_name(l), "global_average_pooling2d"));
    nr_graph_free(g);
}

/* Every new op trains inside a model: a 1-D branch and a 2-D branch on
 * random data, loss must fall. */
static void trains(void) {
    const char *spec =
        "img = Input(shape=(6, 5, 2))\n"
        "a = ZeroPadding2D(((1, 0), (0, 1)))(img)\n"
        "a = Conv2D(4, 3, activation=\"tanh\")(a)\n"
        "a = UpSampling2D(interpolation=\"bilinear\")(a)\n"
        "a = Cropping2D((1, 2))(a)\n"
        "b = UpSampling2D((1, 2))(a)\n"
        "p = GlobalAveragePooling2D()(a)\n"
        "q = GlobalMaxPooling2D()(b)\n"
        "r = Reshape((-1, 4))(a)\n"
        "r = MaxPooling1D(3, padding=\"same\")(r)\n"
        "r = AveragePooling1D()(r)\n"
        "r = GlobalMaxPooling1D()(r)\n"
        "t = GlobalAveragePooling1D()(Reshape((-1, 4))(b))\n"
        "h = Concatenate()([p, q, r, t])\n"
        "out = Dense(1)(h)\n"
        "model = Model(img, out)\n"
        "model.compile(optimizer=Adam(learning_rate=0.01), loss=\"mse\")\n";
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(spec, "train.nr", 5, &s))) return;
    nr_model *m = nr_spec_model(s);
    nr_tensor *x, *y;
    CHECK_OK(nr_tensor_new(&x, 4, (int64_t[]){64, 6, 5, 2}));
    CHECK_OK(nr_tensor_new(&y, 2, (int64_t[]){64, 1}));
    for (int64_t i = 0; i < nr_tensor_numel(x); i++) x->data[i] = (float)((i * 7919) % 101) / 50.0f - 1.0f;
    for (int64_t i = 0; i < 64; i++) y->data[i] = x->data[i * 60] + 0.5f * x->data[i * 60 + 33];
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_history *h = NULL;
    if (CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 30, .batch_size = 16}, &h))) {
        const double *loss = nr_history_values(h, "loss");
        double first = loss[0], last = loss[29];
        printf("loss %.4f -> %.4f\n", first, last);
        CHECK(last < 0.5 * first);
    }
    nr_history_free(h);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
}

int main(void) {
    w4_autoencoder();
    shapes();
    values();
    spec_errors();
    api_errors();
    trains();
    return nr_test_finish();
}
