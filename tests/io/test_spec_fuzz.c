/* A deterministic mutation fuzz of the SPEC loader: thousands of seeded
 * random edits (bytes flipped, tokens inserted, ranges deleted or
 * repeated, truncations) of valid SPEC texts. Each must load or fail with
 * a message that starts with FILE:LINE:COL, never crash (run it under
 * ASan/UBSan); a text that loads must also be written back and load again
 * into the same summary. tests/io/fuzz_spec.c runs the same checks under
 * libFuzzer for longer. NEURONA_FUZZ_ITERS sets the number of edits. */
#define _GNU_SOURCE
#include <string.h>
#include "io/spec_build.h"
#include "testutil.h"

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static const char *const seeds[] = {
    "Input(shape=(64,))\nDense(32, activation=\"tanh\")\nDense(10, activation=\"softmax\")\n"
    "compile(optimizer=SGD(learning_rate=0.1, momentum=0.9), loss=\"categorical_crossentropy\", "
    "metrics=[\"accuracy\"])\n"
    "fit(epochs=100, batch_size=20, validation_split=0.2,\n"
    "    callbacks=[EarlyStopping(monitor=\"val_accuracy\", patience=30, restore_best_weights=True)])\n",

    "import keras\nfrom keras.layers import Dense\nmodel = Sequential()\n"
    "model.add(Dense(10, input_shape=(8,), activation='relu'))\nmodel.add(Dropout(0.25, seed=1))\n"
    "model.add(keras.layers.Dense(3, activation='softmax', kernel_initializer=HeNormal(seed=1)))\n"
    "model.compile(optimizer=Adam(learning_rate=ExponentialDecay(0.01, 100, 0.9)), "
    "loss='sparse_categorical_crossentropy')\n"
    "history = model.fit(x, y, epochs=20, batch_size=16, class_weight={0: 1.0, 2: 3.5}, verbose=2)\n",

    "inp = Input(shape=(4,), name='features')\naux = Input(shape=(2,))\nshared = Dense(8, activation='relu')\n"
    "h = shared(inp)\nj = Concatenate()([h, aux])\nr = Reshape((2, -1))(j)\nf = Flatten()(r)\n"
    "s = add([f, f])\no1 = Dense(3, activation='softmax', name='cls')(s)\no2 = Dense(1, name='reg')(j)\n"
    "model = Model(inputs=[inp, aux], outputs=[o1, o2])\nmodel.layers[2].trainable = False\n"
    "model.compile(optimizer='rmsprop', loss={'cls': 'categorical_crossentropy', 'reg': Huber(delta=2.0)},\n"
    "              loss_weights=[1.0, 0.5], metrics=['acc'])\n",

    "block = Sequential([Dense(6, activation='relu'), Dense(4)], name='block')\n"
    "a = Input(shape=(5,))\nb = Input(shape=(5,))\nd = Subtract()([block(a), block(b)])\n"
    "out = Dense(1, activation='sigmoid', kernel_regularizer=L1L2(l1=0.01, l2=0.1))(d)\n"
    "model = Model(inputs=[a, b], outputs=out, name='siamese')\nblock.trainable = False\n"
    "model.fit(epochs=3, callbacks=[TerminateOnNaN(), CSVLogger('log.csv', separator=';'), "
    "ReduceLROnPlateau(factor=0.5), ModelCheckpoint('m.nrm', save_best_only=True)])\n",

    "x = Input(batch_shape=(None, 12))\nh = LeakyReLU(alpha=0.1)(Activation('elu')(x))\n"
    "h = ReLU(max_value=6)(h)\nh = Softmax()(h)\nm = Maximum()([Average()([h, h]), Multiply()([h, h])])\n"
    "model = Model(x, m)\nmodel.compile(optimizer=Nadam(clipnorm=1.0), loss=['mse'])  # comment\n"
    "y = [1, -2.5, 1e-3, 'a', \"b\", (1,), {0: 1}, True, False, None]\n",

    ("x = Input(shape=(12, 10, 3))\nh = Conv2D(8, 3, padding='same', groups=1, activation='relu')(x)\n"
     "h = MaxPooling2D()(h)\nh = DepthwiseConv2D(3, depth_multiplier=2)(h)\nh = SeparableConv2D(4, 1)(h)\n"
     "h = Conv2DTranspose(4, 2, strides=2)(h)\nh = UpSampling2D(2, interpolation='bilinear')(h)\n"
     "h = ZeroPadding2D(((1, 0), (2, 1)))(h)\nh = Cropping2D(1)(h)\nh = GlobalAveragePooling2D()(h)\n"
     "model = Model(x, h)\n"),

    ("x = Input(shape=(3, 4))\nh = BatchNormalization(-1, 0.9, epsilon=0, center=False)(x)\n"
     "h = LayerNormalization(axis=[1, 2], rms_scaling=True)(h)\nmodel = Model(x, h)\n"),
};

static const char *const tokens[] = {
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "=",
    ":",
    "-",
    "+",
    "\n",
    "#",
    "'",
    "\"",
    "\"\"\"",
    "\\\n",
    ";",
    "None",
    "True",
    "False",
    "0",
    "-1",
    "1e9",
    "99999999",
    "1.5",
    "(4,)",
    "()",
    "[]",
    "Dense",
    "Input",
    "model",
    "Model",
    "Sequential",
    "add",
    "compile",
    "fit",
    "Concatenate",
    "Dropout",
    "Reshape",
    "(1, 2, 3, 4, 5)",
    "keras.layers.",
    "units=",
    "activation=",
    "shape=",
    "name=",
    "trainable",
    "'relu'",
    "'step'",
    "x",
    "inp",
    "import",
    "lambda",
    ".output",
    ".layers[0]",
    "(inp)",
    "([a, b])",
    " ",
    "\t",
    "\r",
    "\xff",
};

typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) abort();
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

/* One random edit of text[0..n) into out. */
static void mutate(const char *text, size_t n, buf *out) {
    size_t at = n ? rnd() % (n + 1) : 0, len = n ? rnd() % (n / 4 + 2) : 0;
    if (at + len > n) len = n - at;
    out->n = 0;
    put(out, "", 0);
    switch (rnd() % 6) {
    case 0: { /* replace a byte by another printable (or not) one */
        put(out, text, n);
        char c = (char)(rnd() % 4 ? 32 + rnd() % 95 : 1 + rnd() % 255);
        if (n) out->s[rnd() % n] = c;
        break;
    }
    case 1: { /* insert a token */
        const char *t = tokens[rnd() % (sizeof tokens / sizeof *tokens)];
        put(out, text, at);
        put(out, t, strlen(t));
        put(out, text + at, n - at);
        break;
    }
    case 2: /* delete a range */
        put(out, text, at);
        put(out, text + at + len, n - at - len);
        break;
    case 3: /* repeat a range */
        put(out, text, at + len);
        put(out, text + at, len);
        put(out, text + at + len, n - at - len);
        break;
    case 4: /* truncate */ put(out, text, at); break;
    default: { /* move a range elsewhere */
        size_t to = rnd() % (n - len + 1);
        buf rest = {0};
        put(&rest, text, at);
        put(&rest, text + at + len, n - at - len);
        if (to > rest.n) to = rest.n;
        put(out, rest.s, to);
        put(out, text + at, len);
        put(out, rest.s + to, rest.n - to);
        free(rest.s);
        break;
    }
    }
}

/* The same architecture: layers, flags, parameters, inputs and outputs.
 * (Summaries may differ in "Connected to" call numbers, which count the
 * calls a SPEC made outside the model.) */
static int same_model(const nr_model *a, const nr_model *b) {
    int64_t ta, fa, tb, fb;
    nr_model_count_params(a, &ta, &fa);
    nr_model_count_params(b, &tb, &fb);
    int ok = ta == tb && fa == fb && nr_model_n_layers(a) == nr_model_n_layers(b) &&
        nr_model_n_inputs(a) == nr_model_n_inputs(b) && nr_model_n_outputs(a) == nr_model_n_outputs(b) &&
        !strcmp(nr_model_name(a), nr_model_name(b));
    for (int i = 0; ok && i < nr_model_n_layers(a); i++) {
        const nr_layer *la = nr_model_layer(a, i), *lb = nr_model_layer(b, i);
        ok = !strcmp(la->name, lb->name) && la->cls == lb->cls && la->trainable == lb->trainable;
    }
    for (int i = 0; ok && i < nr_model_n_outputs(a); i++) {
        int na, nb;
        int64_t sa[NR_MAX_DIMS], sb[NR_MAX_DIMS];
        ok = nr_sym_shape(a->g, nr_model_output(a, i), &na, sa) == NR_OK &&
            nr_sym_shape(b->g, nr_model_output(b, i), &nb, sb) == NR_OK && na == nb &&
            !memcmp(sa, sb, (size_t)na * sizeof *sa);
    }
    return ok;
}

/* A loaded text's model, written and loaded again, is the same model. */
static int rewrite_holds(const nr_spec *s) {
    const nr_model *m = nr_spec_model(s);
    if (!m) return 1;
    char *text = NULL;
    nr_spec *again = NULL;
    int ok = nr_model_to_spec(m, &text) == NR_OK && nr_spec_load_string(text, "again.nr", 1, &again) == NR_OK &&
        same_model(m, nr_spec_model(again));
    if (!ok) fprintf(stderr, "rewrite failed: %s\n%s\n", nr_last_error(), text ? text : "");
    nr_free_string(text);
    nr_spec_free(again);
    return ok;
}

static void test_mutations(void) {
    const char *env = getenv("NEURONA_FUZZ_ITERS");
    long iters = env ? atol(env) : 20000, loaded = 0, bad_messages = 0, bad_rewrites = 0;
    buf cur = {0}, next = {0};
    nr_spec_max_weight_elems = (int64_t)1 << 20;
    for (long i = 0; i < iters; i++) {
        const char *seed = seeds[rnd() % (sizeof seeds / sizeof *seeds)];
        cur.n = 0;
        put(&cur, seed, strlen(seed));
        for (int k = rnd() % 4 ? 1 : 2 + (int)(rnd() % 3); k > 0; k--) {
            mutate(cur.s, strlen(cur.s), &next);
            buf t = cur;
            cur = next;
            next = t;
        }
        nr_spec *s = NULL;
        nr_status st = nr_spec_load_string(cur.s, "fuzz.nr", 1, &s);
        if (st == NR_OK) {
            loaded++;
            if (!rewrite_holds(s)) bad_rewrites++;
            nr_spec_free(s);
        } else if (strncmp(nr_last_error(), "fuzz.nr:", 8) != 0 || st == NR_STATUS_NO_MEMORY) {
            if (bad_messages++ < 5) fprintf(stderr, "message without a location: %s\n%s\n", nr_last_error(), cur.s);
        }
    }
    nr_spec_max_weight_elems = (int64_t)1 << 28;
    printf("%ld mutated SPECs: %ld loaded, %ld rejected\n", iters, loaded, iters - loaded);
    CHECK(bad_messages == 0);
    CHECK(bad_rewrites == 0);
    CHECK(loaded > 0 && loaded < iters);
    free(cur.s);
    free(next.s);
}

/* Every prefix of every seed: the truncations a crashed editor leaves. */
static void test_truncations(void) {
    int bad = 0;
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
        size_t n = strlen(seeds[i]);
        for (size_t k = 0; k <= n; k++) {
            char *t = strndup(seeds[i], k);
            nr_spec *s = NULL;
            if (nr_spec_load_string(t, "cut.nr", 1, &s) != NR_OK && strncmp(nr_last_error(), "cut.nr:", 7) != 0) bad++;
            nr_spec_free(s);
            free(t);
        }
    }
    CHECK(bad == 0);
}

/* Deep nesting and long chains are refused, not a stack overflow. */
static void test_deep(void) {
    buf b = {0};
    nr_spec *s = NULL;
    for (int i = 0; i < 10000; i++) put(&b, "(", 1);
    CHECK_STATUS(nr_spec_load_string(b.s, "deep.nr", 1, &s), NR_STATUS_PARSE);
    b.n = 0;
    put(&b, "x = 1\ny = x", 11);
    for (int i = 0; i < 100000; i++) put(&b, ".a", 2);
    CHECK_STATUS(nr_spec_load_string(b.s, "deep.nr", 1, &s), NR_STATUS_PARSE);
    b.n = 0;
    put(&b, "y = ", 4);
    for (int i = 0; i < 100000; i++) put(&b, "-", 1);
    put(&b, "1", 1);
    CHECK_STATUS(nr_spec_load_string(b.s, "deep.nr", 1, &s), NR_STATUS_PARSE);
    b.n = 0;
    put(&b, "Dense(3)", 8);
    for (int i = 0; i < 100000; i++) put(&b, "(1)", 3);
    CHECK(nr_spec_load_string(b.s, "deep.nr", 1, &s) != NR_OK);
    free(b.s);
}

int main(void) {
    test_truncations();
    test_deep();
    test_mutations();
    return nr_test_finish();
}
