/* The SPEC language, building side: both styles of the issue (bare layer
 * lines, Keras code), the functional API with several inputs, shared
 * layers and nested models, trainable flags, every layer, optimizer,
 * schedule, loss, metric, initializer, regularizer and callback
 * constructor, the literal syntax, module prefixes and attributes, and
 * that compile() and fit() options land where the CLI reads them. */
#include <string.h>
#include "io/spec_build.h"
#include "testutil.h"

/* --- helpers ---------------------------------------------------------- */

static nr_spec *load(const char *text) {
    nr_spec *s = NULL;
    nr_status st = nr_spec_load_string(text, "t.nr", 7, &s);
    if (st != NR_OK) fprintf(stderr, "load failed: %s\n%s\n", nr_last_error(), text);
    CHECK(st == NR_OK);
    return s;
}

static nr_spec *load_fixture(const char *name) {
    char rel[256];
    nr_spec *s = NULL;
    snprintf(rel, sizeof rel, "tests/fixtures/spec/%s", name);
    CHECK_OK(nr_spec_load_file(nr_test_path(rel), 7, &s));
    return s;
}

static int64_t params(const nr_model *m, int64_t *frozen) {
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    if (frozen) *frozen = f;
    return t + f;
}

/* Output i's shape, batch dimension included (-1). */
static int out_shape_is(const nr_model *m, int i, int ndim, int64_t d1, int64_t d2) {
    int n;
    int64_t shape[NR_MAX_DIMS];
    if (nr_sym_shape(nr_model_graph(m), nr_model_output(m, i), &n, shape) != NR_OK) return 0;
    return n == ndim && shape[0] == -1 && shape[1] == d1 && (ndim < 3 || shape[2] == d2);
}

static const nr_layer *layer(const nr_model *m, const char *name) {
    const nr_layer *l = nr_model_get_layer(m, name);
    if (!l) fprintf(stderr, "no layer \"%s\" in model \"%s\"\n", name, nr_model_name(m));
    return l;
}

/* --- the two styles of the issue ------------------------------------- */

static void test_bare_form(void) {
    nr_spec *s = load_fixture("bare.nr");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    CHECK(m && m->sequential);
    CHECK(nr_model_n_layers(m) == 2);
    CHECK(params(m, NULL) == 64 * 32 + 32 + 32 * 10 + 10);
    CHECK(out_shape_is(m, 0, 2, 10, 0));
    CHECK(strcmp(nr_model_name(m), "sequential") == 0);
    CHECK(nr_spec_compiled(s) == 1);
    const nr_compile_opts *c = &m->copts;
    CHECK(c->optimizer.kind == NR_OPTIMIZER_SGD);
    CHECK_CLOSE(c->optimizer.learning_rate, 0.1, 1e-7, 0);
    CHECK_CLOSE(c->optimizer.momentum, 0.9, 1e-7, 0);
    CHECK(c->loss[0].kind == NR_LOSS_CATEGORICAL_CROSSENTROPY);
    CHECK(c->metrics[0] == NR_METRIC_ACCURACY && c->metrics[1] == NR_METRIC_NONE);
    const nr_fit_opts *f = nr_spec_fit_opts(s);
    CHECK(f != NULL);
    if (f) {
        CHECK(f->epochs == 100 && f->batch_size == 20);
        CHECK_CLOSE(f->validation_split, 0.2, 1e-7, 0);
        CHECK(f->n_callbacks == 1 && f->callbacks && f->callbacks[0]);
        CHECK(f->verbose == 1 && f->no_shuffle == 0 && f->initial_epoch == 0);
    }
    nr_spec_free(s);
}

static void test_keras_form(void) {
    nr_spec *s = load_fixture("keras_sequential.nr");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    CHECK(m == nr_spec_get_model(s, "model"));
    CHECK(nr_model_n_layers(m) == 3);
    CHECK(params(m, NULL) == 8 * 10 + 10 + 10 * 3 + 3);
    CHECK(out_shape_is(m, 0, 2, 3, 0));
    CHECK(strcmp(nr_layer_type(nr_model_layer(m, 1)), "Dropout") == 0);
    CHECK_CLOSE(nr_model_layer(m, 1)->o.dropout.rate, 0.25, 1e-7, 0);
    CHECK(m->copts.optimizer.kind == NR_OPTIMIZER_ADAM);
    CHECK_CLOSE(m->copts.optimizer.learning_rate, 1e-3, 1e-9, 0);
    CHECK(m->copts.loss[0].kind == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    const nr_fit_opts *f = nr_spec_fit_opts(s);
    CHECK(f && f->epochs == 20 && f->batch_size == 16 && f->verbose == 2 && f->n_callbacks == 0);
    nr_spec_free(s);
}

/* "model = Sequential()" with bare compile/fit: they apply to "model". */
static void test_current_model(void) {
    nr_spec *s = load("other = Sequential([Input(shape=(3,)), Dense(2)])\n"
                      "model = Sequential([Input(shape=(3,)), Dense(4)])\n"
                      "compile(loss='mse')\nfit(epochs=2)\n");
    if (!s) return;
    CHECK(nr_spec_model(s) == nr_spec_get_model(s, "model"));
    CHECK(nr_spec_get_model(s, "other") && nr_spec_get_model(s, "other") != nr_spec_model(s));
    CHECK(nr_spec_get_model(s, "nothing") == NULL);
    CHECK(nr_spec_compiled(s) && nr_spec_model(s)->copts.optimizer.kind == NR_OPTIMIZER_DEFAULT);
    CHECK(!nr_spec_get_model(s, "other")->compiled);
    nr_spec_free(s);
    /* Without "model", the last model built is the one. */
    s = load("a = Sequential([Input(shape=(3,)), Dense(2)])\nb = Sequential([Input(shape=(3,)), Dense(5)])\n");
    if (s) CHECK(nr_spec_model(s) == nr_spec_get_model(s, "b") && !nr_spec_compiled(s) && !nr_spec_fit_opts(s));
    nr_spec_free(s);
}

/* --- functional models --------------------------------------------------- */

static void test_functional(void) {
    nr_spec *s = load_fixture("functional.nr");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    CHECK(!m->sequential && nr_model_n_inputs(m) == 2 && nr_model_n_outputs(m) == 1);
    CHECK(params(m, NULL) == 4 * 8 + 8 + 10 * 3 + 3);
    CHECK(out_shape_is(m, 0, 2, 3, 0));
    CHECK(layer(m, "concatenate") && layer(m, "out"));
    CHECK(strcmp(nr_model_name(m), "functional") == 0);
    CHECK(m->copts.optimizer.kind == NR_OPTIMIZER_RMSPROP);
    nr_spec_free(s);
}

static void test_shared_layer(void) {
    nr_spec *s = load("a = Input(shape=(4,))\nb = Input(shape=(4,))\n"
                      "shared = Dense(3, name='shared')\n"
                      "ya = shared(a)\nyb = shared(b)\n"
                      "out = Add()([ya, yb])\n"
                      "model = Model(inputs=[a, b], outputs=out)\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    CHECK(params(m, NULL) == 4 * 3 + 3);
    CHECK(nr_layer_count_params(layer(m, "shared")) == 15);
    CHECK(out_shape_is(m, 0, 2, 3, 0));
    nr_spec_free(s);
}

static void test_nested_models(void) {
    nr_spec *s = load_fixture("nested.nr");
    if (!s) return;
    nr_model *m = nr_spec_model(s), *block = nr_spec_get_model(s, "block");
    int64_t frozen;
    CHECK(block && block->sequential && strcmp(nr_model_name(m), "siamese") == 0);
    /* The block's weights count once though it is called twice. */
    CHECK(params(m, &frozen) == (5 * 6 + 6) + (6 * 4 + 4) + (4 + 1));
    CHECK(frozen == (5 * 6 + 6) + (6 * 4 + 4));
    CHECK(out_shape_is(m, 0, 2, 1, 0));
    CHECK(m->copts.optimizer.schedule.kind == NR_LR_EXPONENTIAL_DECAY);
    CHECK(m->copts.optimizer.schedule.decay_steps == 100);
    CHECK_CLOSE(m->copts.optimizer.schedule.decay_rate, 0.96, 1e-7, 0);
    const nr_fit_opts *f = nr_spec_fit_opts(s);
    CHECK(f && f->epochs == 3 && f->n_callbacks == 2);
    nr_spec_free(s);

    /* A functional model inside a Sequential, and a model called on a list. */
    s = load("i = Input(shape=(3,))\ninner = Model(i, Dense(2)(i), name='inner')\n"
             "model = Sequential([Input(shape=(3,)), inner, Dense(1)])\n"
             "x1 = Input(shape=(3,))\nx2 = Input(shape=(3,))\n"
             "two = Model([x1, x2], Concatenate()([x1, x2]))\n"
             "p = Input(shape=(3,))\nq = two([p, p])\n");
    if (s) {
        m = nr_spec_model(s);
        CHECK(nr_model_n_layers(m) == 2 && params(m, NULL) == 3 * 2 + 2 + 2 + 1);
        CHECK(strcmp(nr_layer_name(nr_model_layer(m, 0)), "inner") == 0);
    }
    nr_spec_free(s);
}

static void test_trainable(void) {
    nr_spec *s = load("model = Sequential()\nmodel.add(Input(shape=(2,)))\n"
                      "model.add(Dense(3, name='a'))\nmodel.add(Dense(4, name='b', trainable=False))\n"
                      "model.add(Dense(5, name='c'))\n"
                      "model.layers[0].trainable = False\nmodel.get_layer('c').trainable = False\n"
                      "model.get_layer(index=2).trainable = True\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    CHECK(!layer(m, "a")->trainable && !layer(m, "b")->trainable && layer(m, "c")->trainable);
    int64_t frozen;
    CHECK(params(m, &frozen) == 9 + 16 + 25 && frozen == 9 + 16);
    nr_spec_free(s);
    s = load("model = Sequential([Input(shape=(2,)), Dense(3), Dense(1)])\nmodel.trainable = False\n");
    if (s) CHECK(params(nr_spec_model(s), &frozen) == 13 && frozen == 13);
    nr_spec_free(s);
}

/* --- layers ---------------------------------------------------------------- */

static void test_every_layer(void) {
    nr_spec *s = load("x = Input(batch_shape=(None, 12), name='x')\n"
                      "h = Dense(units=6, activation=None, use_bias=False)(x)\n"
                      "h = Activation('elu')(h)\nh = Dropout(0.2, seed=3)(h)\n"
                      "h = LeakyReLU(alpha=0.1)(h)\nh = LeakyReLU(negative_slope=0.2)(h)\n"
                      "h = ReLU(max_value=6)(h)\nh = ReLU()(h)\nh = Softmax()(h)\n"
                      "r = Reshape((2, -1))(h)\nf = Flatten()(r)\n"
                      "m1 = Add()([h, f])\nm2 = Subtract()([h, f])\nm3 = Multiply()([m1, m2])\n"
                      "m4 = Average()([m3, h])\nm5 = Maximum()([m4, h])\n"
                      "c = Concatenate(axis=1)([m5, h])\n"
                      "d = concatenate([c, c], axis=-1)\ne = add([d, d])\ng = subtract([e, d])\n"
                      "k = multiply([g, g])\nl = average([k, g])\nn = maximum([l, k], name='last')\n"
                      "model = Model(x, n)\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    CHECK(out_shape_is(m, 0, 2, 24, 0));
    CHECK(params(m, NULL) == 12 * 6);
    CHECK(layer(m, "reshape") && layer(m, "last"));
    const nr_layer *r = layer(m, "reshape");
    CHECK(r && r->o.reshape.ndim == 2 && r->o.reshape.target_shape[1] == -1);
    const nr_layer *d = layer(m, "dropout");
    CHECK(d && d->o.dropout.has_seed && d->o.dropout.seed == 3);
    CHECK_CLOSE(layer(m, "leaky_re_lu")->o.leaky.negative_slope, 0.1, 1e-7, 0);
    CHECK(layer(m, "dense")->o.dense.no_bias == 1);
    nr_spec_free(s);

    /* Module prefixes. */
    s = load("import tensorflow as tf\nfrom tensorflow import keras\n"
             "model = tf.keras.models.Sequential([keras.Input(shape=(3,)), tf.keras.layers.Dense(2),\n"
             "                                    keras.layers.Activation(keras.activations.relu)])\n");
    if (s) CHECK(params(nr_spec_model(s), NULL) == 8 && nr_model_n_layers(nr_spec_model(s)) == 2);
    nr_spec_free(s);

    /* input_dim, batch_input_shape, InputLayer. */
    s = load("model = Sequential([Dense(2, input_dim=5)])\nm2 = Sequential([Dense(2, batch_input_shape=(None, 6))])\n"
             "m3 = Sequential([InputLayer(input_shape=(7,)), Dense(2)])\n");
    if (s) {
        CHECK(params(nr_spec_get_model(s, "model"), NULL) == 12);
        CHECK(params(nr_spec_get_model(s, "m2"), NULL) == 14);
        CHECK(params(nr_spec_get_model(s, "m3"), NULL) == 16);
    }
    nr_spec_free(s);
}

/* The perceptron's step activation and the activation spellings. */
static void test_activations(void) {
    nr_spec *s = load_fixture("perceptron.nr");
    if (s) CHECK(nr_model_layer(nr_spec_model(s), 0)->o.dense.activation == NR_ACT_HEAVISIDE);
    nr_spec_free(s);
    static const struct {
        const char *spelt;
        nr_activation want;
    } acts[] = {
        {"'heaviside'", NR_ACT_HEAVISIDE}, {"'linear'", NR_ACT_LINEAR},
        {"None", NR_ACT_LINEAR},           {"'swish'", NR_ACT_SWISH},
        {"'silu'", NR_ACT_SWISH},          {"'hard_sigmoid'", NR_ACT_HARD_SIGMOID},
        {"'relu6'", NR_ACT_RELU6},         {"'gelu'", NR_ACT_GELU},
        {"'selu'", NR_ACT_SELU},           {"keras.activations.tanh", NR_ACT_TANH},
        {"tf.nn.relu", NR_ACT_RELU},       {"'exponential'", NR_ACT_EXPONENTIAL},
    };
    for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
        char text[160];
        snprintf(text, sizeof text, "Input(shape=(2,))\nDense(3, activation=%s)\n", acts[i].spelt);
        s = load(text);
        if (s) CHECK(nr_model_layer(nr_spec_model(s), 0)->o.dense.activation == acts[i].want);
        nr_spec_free(s);
    }
}

static void test_initializers_regularizers(void) {
    nr_spec *s =
        load("Input(shape=(3,))\n"
             "Dense(2, kernel_initializer=Constant(0.5), bias_initializer=keras.initializers.Constant(value=-1),\n"
             "      kernel_regularizer='l2', bias_regularizer=L1(0.2), activity_regularizer=L1L2(l1=0.1, l2=0.3))\n"
             "Dense(2, kernel_initializer=HeNormal(seed=1), kernel_regularizer=regularizers.l1_l2(l1=0.01))\n"
             "Dense(2, kernel_initializer=RandomNormal(mean=0, stddev=0.05), bias_initializer='ones')\n"
             "Dense(2, kernel_initializer=RandomUniform(minval=-1, maxval=1), kernel_regularizer='l1')\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    const nr_dense_opts *d0 = &nr_model_layer(m, 0)->o.dense, *d1 = &nr_model_layer(m, 1)->o.dense;
    nr_tensor w;
    CHECK_OK(nr_layer_weight(nr_model_layer(m, 0), 0, &w));
    CHECK(w.data[0] == 0.5f && w.data[5] == 0.5f);
    CHECK_OK(nr_layer_weight(nr_model_layer(m, 0), 1, &w));
    CHECK(w.data[0] == -1.0f && w.data[1] == -1.0f);
    CHECK(d0->kernel_regularizer.l2 == 0.01f && d0->kernel_regularizer.l1 == 0);
    CHECK(d0->bias_regularizer.l1 == 0.2f && d0->activity_regularizer.l2 == 0.3f);
    CHECK(d1->kernel_initializer.kind == NR_INIT_HE_NORMAL && d1->kernel_initializer.has_seed &&
          d1->kernel_initializer.seed == 1);
    CHECK(d1->kernel_regularizer.l1 == 0.01f && d1->kernel_regularizer.l2 == 0);
    CHECK(nr_model_layer(m, 2)->o.dense.kernel_initializer.kind == NR_INIT_RANDOM_NORMAL);
    CHECK_OK(nr_layer_weight(nr_model_layer(m, 2), 1, &w));
    CHECK(w.data[0] == 1.0f);
    CHECK(nr_model_layer(m, 3)->o.dense.kernel_regularizer.l1 == 0.01f);
    nr_spec_free(s);
}

/* --- compile ---------------------------------------------------------------- */

static const nr_compile_opts *compiled(nr_spec **s, const char *compile_line) {
    char text[1024];
    snprintf(text, sizeof text, "model = Sequential([Input(shape=(4,)), Dense(3)])\n%s\n", compile_line);
    *s = load(text);
    return *s ? &nr_spec_model(*s)->copts : NULL;
}

static void test_optimizers(void) {
    static const struct {
        const char *line;
        nr_optimizer_kind kind;
        float lr;
    } cases[] = {
        {"model.compile(optimizer='sgd', loss='mse')", NR_OPTIMIZER_SGD, 0},
        {"model.compile(optimizer='Adam', loss='mse')", NR_OPTIMIZER_ADAM, 0},
        {"model.compile(loss='mse')", NR_OPTIMIZER_DEFAULT, 0},
        {"model.compile(optimizer=RMSprop(0.01, rho=0.8, centered=True), loss='mse')", NR_OPTIMIZER_RMSPROP, 0.01f},
        {"model.compile(optimizer=AdamW(learning_rate=0.002, weight_decay=0.01, amsgrad=True), loss='mse')",
         NR_OPTIMIZER_ADAMW, 0.002f},
        {"model.compile(optimizer=Adagrad(lr=0.05, initial_accumulator_value=0.2), loss='mse')", NR_OPTIMIZER_ADAGRAD,
         0.05f},
        {"model.compile(optimizer=Adadelta(1.0, rho=0.9, clipvalue=0.5), loss='mse')", NR_OPTIMIZER_ADADELTA, 1.0f},
        {"model.compile(optimizer=Nadam(global_clipnorm=1.0, name='n'), loss='mse')", NR_OPTIMIZER_NADAM, 0},
        {"model.compile(optimizer=keras.optimizers.SGD(0.3, 0.5, True, clipnorm=2), loss='mse')", NR_OPTIMIZER_SGD,
         0.3f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        nr_spec *s;
        const nr_compile_opts *c = compiled(&s, cases[i].line);
        if (c) CHECK(c->optimizer.kind == cases[i].kind && c->optimizer.learning_rate == cases[i].lr);
        nr_spec_free(s);
    }
    nr_spec *s;
    const nr_compile_opts *c = compiled(&s, "model.compile(optimizer=SGD(0.3, 0.5, True, clipnorm=2), loss='mse')");
    if (c) CHECK(c->optimizer.momentum == 0.5f && c->optimizer.nesterov == 1 && c->optimizer.clipnorm == 2.0f);
    nr_spec_free(s);
    /* A written zero is a zero, not "the default". */
    c = compiled(&s, "model.compile(optimizer=Adam(beta_1=0.0, epsilon=0), loss='mse')");
    if (c) CHECK(c->optimizer.beta_1 == 0 && signbit(c->optimizer.beta_1) && signbit(c->optimizer.epsilon));
    nr_spec_free(s);
}

static void test_schedules(void) {
    nr_spec *s;
    const nr_compile_opts *c = compiled(&s,
                                        "lr = PiecewiseConstantDecay(boundaries=[10, 20], values=[0.1, 0.01, 0.001])\n"
                                        "model.compile(optimizer=SGD(learning_rate=lr), loss='mse')");
    if (c) {
        CHECK(c->optimizer.schedule.kind == NR_LR_PIECEWISE_CONSTANT && c->optimizer.schedule.n_boundaries == 2);
        CHECK(c->optimizer.schedule.boundaries[1] == 20 && c->optimizer.schedule.values[2] == 0.001f);
    }
    nr_spec_free(s);
    c = compiled(&s,
                 "model.compile(optimizer=Adam(keras.optimizers.schedules.CosineDecay(0.01, 500, alpha=0.1, "
                 "warmup_target=0.1, warmup_steps=50)), loss='mse')");
    if (c) {
        const nr_lr_schedule *k = &c->optimizer.schedule;
        CHECK(k->kind == NR_LR_COSINE_DECAY && k->decay_steps == 500 && k->warmup_steps == 50);
        CHECK(k->alpha == 0.1f && k->warmup_target == 0.1f && k->initial_learning_rate == 0.01f);
    }
    nr_spec_free(s);
    c = compiled(&s, "model.compile(optimizer=SGD(ExponentialDecay(0.1, 10, 0.5, staircase=True)), loss='mse')");
    if (c) CHECK(c->optimizer.schedule.kind == NR_LR_EXPONENTIAL_DECAY && c->optimizer.schedule.staircase == 1);
    nr_spec_free(s);
}

static void test_losses_and_metrics(void) {
    nr_spec *s;
    const nr_compile_opts *c =
        compiled(&s,
                 "model.compile(loss=CategoricalCrossentropy(from_logits=True), "
                 "metrics=['acc', 'mse', keras.metrics.MeanAbsoluteError(), CategoricalAccuracy()])");
    if (c) {
        CHECK(c->loss[0].kind == NR_LOSS_CATEGORICAL_CROSSENTROPY && c->loss[0].from_logits == 1);
        CHECK(c->metrics[0] == NR_METRIC_ACCURACY && c->metrics[1] == NR_METRIC_MSE);
        CHECK(c->metrics[2] == NR_METRIC_MAE && c->metrics[3] == NR_METRIC_CATEGORICAL_ACCURACY);
    }
    nr_spec_free(s);
    c = compiled(&s, "model.compile(loss=Huber(delta=2.0))");
    if (c) CHECK(c->loss[0].kind == NR_LOSS_HUBER && c->loss[0].delta == 2.0f);
    nr_spec_free(s);

    /* Two outputs: a loss each, by list or by output layer name. */
    const char *two =
        "i = Input(shape=(4,))\na = Dense(1, name='reg')(i)\nb = Dense(3, activation='softmax', name='cls')(i)\n"
        "model = Model(i, [a, b])\n";
    char text[1024];
    snprintf(text, sizeof text, "%smodel.compile(loss=['mse', 'categorical_crossentropy'], loss_weights=[1.0, 0.5])\n",
             two);
    s = load(text);
    if (s) {
        c = &nr_spec_model(s)->copts;
        CHECK(c->loss[0].kind == NR_LOSS_MEAN_SQUARED_ERROR && c->loss[1].kind == NR_LOSS_CATEGORICAL_CROSSENTROPY);
        CHECK(c->loss[1].weight == 0.5f);
    }
    nr_spec_free(s);
    snprintf(text, sizeof text,
             "%smodel.compile(loss={'cls': 'categorical_crossentropy', 'reg': 'mae'}, "
             "loss_weights={'cls': 2})\n",
             two);
    s = load(text);
    if (s) {
        c = &nr_spec_model(s)->copts;
        CHECK(c->loss[0].kind == NR_LOSS_MEAN_ABSOLUTE_ERROR && c->loss[1].kind == NR_LOSS_CATEGORICAL_CROSSENTROPY);
        CHECK(c->loss[1].weight == 2.0f && c->loss[0].weight == 0);
    }
    nr_spec_free(s);
    snprintf(text, sizeof text, "%smodel.compile(loss='mse')\n", two);
    s = load(text);
    if (s) CHECK(nr_spec_model(s)->copts.loss[1].kind == NR_LOSS_MEAN_SQUARED_ERROR);
    nr_spec_free(s);
}

/* --- fit and callbacks -------------------------------------------------------- */

static void test_fit(void) {
    nr_spec *s = load("Input(shape=(2,))\nDense(2, activation='softmax')\n"
                      "compile(loss='sparse_categorical_crossentropy')\n"
                      "fit(X, y, 32, 7, 0, shuffle=False, initial_epoch=2, class_weight={0: 1.0, 3: 5.0},\n"
                      "    callbacks=[EarlyStopping(), ModelCheckpoint('best.nrm', save_best_only=True, mode='min'),\n"
                      "               CSVLogger('log.csv', append=True), ReduceLROnPlateau(factor=0.5, patience=2),\n"
                      "               TerminateOnNaN()])\n");
    if (!s) return;
    const nr_fit_opts *f = nr_spec_fit_opts(s);
    CHECK(f != NULL);
    if (f) {
        CHECK(f->batch_size == 32 && f->epochs == 7 && f->verbose == 0);
        CHECK(f->no_shuffle == 1 && f->initial_epoch == 2 && f->n_callbacks == 5);
        CHECK(f->n_class_weight == 4 && f->class_weight[0] == 1 && f->class_weight[1] == 1 && f->class_weight[3] == 5);
        CHECK(f->validation_split == 0 && f->validation_x == NULL);
    }
    nr_spec_free(s);
    /* The last fit() wins; verbose="auto" is 1. */
    s = load(
        "Input(shape=(2,))\nDense(2)\nfit(epochs=3, callbacks=[TerminateOnNaN()])\nfit(epochs=4, verbose='auto')\n");
    if (s)
        CHECK(nr_spec_fit_opts(s)->epochs == 4 && nr_spec_fit_opts(s)->n_callbacks == 0 &&
              nr_spec_fit_opts(s)->verbose == 1);
    nr_spec_free(s);
}

/* --- syntax ------------------------------------------------------------------- */

static void test_literals(void) {
    nr_spec *s =
        load("\xEF\xBB\xBFx = [1, -2, +3, 1e-3, -.5, 2.5E+2, (4,), (), (1, 2), {0: 1.0, 1: 5.0}, True, False, None]\r\n"
             "raw = r'c:\\new'; other = \"\"\"tri\nple\"\"\"\n"
             "y = 'it\\'s'  \\\n"
             "  # the line above goes on here\n"
             "Input(shape=(x[6][0],),  # a comment inside brackets\n"
             "      name='in')\n"
             "Dense(units=x[-5][1], name='d')\nDense(x[0], name=y)\nDense(-x[1], name=\"q'q\")\n");
    if (s) {
        nr_model *m = nr_spec_model(s);
        CHECK(params(m, NULL) == (4 * 2 + 2) + (2 + 1) + (1 * 2 + 2));
        CHECK(layer(m, "it's") && layer(m, "q'q") && layer(m, "d"));
    }
    nr_spec_free(s);
    s = load("Input(shape=(2,), name=\"in put\")\nDense(1, name='d-1')\n");
    if (s) CHECK(layer(nr_spec_model(s), "d-1") != NULL);
    nr_spec_free(s);
}

static void test_attributes(void) {
    nr_spec *s = load("seq = Sequential([Input(shape=(3,), name='i'), Dense(4, name='h')])\n"
                      "out = Dense(1, name='o')(seq.output)\n"
                      "model = Model(inputs=seq.input, outputs=out)\n"
                      "both = Model(seq.inputs, [seq.layers[0].output, out])\n"
                      "n = model.get_layer('h').name\n"
                      "model.summary()\nsummary()\n");
    if (!s) return;
    nr_model *m = nr_spec_model(s);
    CHECK(params(m, NULL) == 16 + 5 && layer(m, "h") && layer(m, "o"));
    CHECK(nr_model_n_outputs(nr_spec_get_model(s, "both")) == 2);
    nr_spec_free(s);
}

static void test_load_file_errors(void) {
    nr_spec *s = (nr_spec *)1;
    CHECK_STATUS(nr_spec_load_file("/nonexistent/x.nr", 1, &s), NR_STATUS_IO);
    CHECK(s == NULL);
    CHECK(strstr(nr_last_error(), "/nonexistent/x.nr") != NULL);
    char path[] = "/tmp/nr_test_spec_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return;
    FILE *f = fdopen(fd, "wb");
    fwrite("Input(shape=(2,))\n\0Dense(1)\n", 1, 28, f);
    fclose(f);
    CHECK_STATUS(nr_spec_load_file(path, 1, &s), NR_STATUS_BAD_FORMAT);
    remove(path);
    CHECK_STATUS(nr_spec_load_string(NULL, "x", 1, &s), NR_STATUS_BAD_ARGUMENT);
    /* An empty SPEC defines no model. */
    s = load("# nothing\n\n");
    if (s) CHECK(nr_spec_model(s) == NULL && !nr_spec_compiled(s));
    nr_spec_free(s);
    nr_spec_free(NULL);
}

static void test_take_graph(void) {
    nr_spec *s = load_fixture("bare.nr");
    if (!s) return;
    nr_graph *g = nr_spec_take_graph(s);
    nr_model *m = nr_spec_model(s);
    nr_spec_free(s);
    CHECK(nr_model_graph(m) == g && params(m, NULL) == 2410);
    nr_graph_free(g);
}

int main(void) {
    test_bare_form();
    test_keras_form();
    test_current_model();
    test_functional();
    test_shared_layer();
    test_nested_models();
    test_trainable();
    test_every_layer();
    test_activations();
    test_initializers_regularizers();
    test_optimizers();
    test_schedules();
    test_losses_and_metrics();
    test_fit();
    test_literals();
    test_attributes();
    test_load_file_errors();
    test_take_graph();
    return nr_test_finish();
}
