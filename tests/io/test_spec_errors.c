/* The SPEC language's errors: every class (syntax, unknown names with the
 * closest valid ones, wrong types, duplicate and unknown arguments,
 * unsupported Keras features, shape errors from the layers) gives its
 * status and a message that starts with FILE:LINE:COL, asserted exactly.
 * Allocation failures injected at every step of a load end in a clean
 * NR_STATUS_NO_MEMORY (and, under ASan, without leaks). */
#include <string.h>
#include "io/spec_build.h"
#include "testutil.h"

typedef struct error_case {
    const char *text;
    nr_status status;
    const char *message; /* exact, or a prefix when it ends with '*' */
} error_case;

static const error_case cases[] = {
    /* syntax */
    {"Input(shape=(4,)\nDense(3)\n", NR_STATUS_PARSE, "t.nr:1:6: '(' was never closed"},
    {"Input(shape=(4,))\nDense(3, activation=\"relu\"))\n", NR_STATUS_PARSE, "t.nr:2:28: unmatched ')'"},
    {"Input(shape=(4,))\nDense(3, activation=\"relu)\n", NR_STATUS_PARSE,
     "t.nr:2:21: unterminated string: it needs a closing \""},
    {"x = '''never\nclosed\n", NR_STATUS_PARSE, "t.nr:1:5: unterminated string (triple-quoted)"},
    {"Input(shape=(4,))\nDense(3) @ 2\n", NR_STATUS_PARSE, "t.nr:2:10: unexpected character '@'"},
    {"x = (1, 2]\n", NR_STATUS_PARSE, "t.nr:1:10: closing ']' does not match '(' at 1:5"},
    {"x = [1, 2\ny = 3\n", NR_STATUS_PARSE, "t.nr:1:5: '[' was never closed"},
    {"x = 1 = 2\n", NR_STATUS_PARSE, "t.nr:1:7: expected end of line, got '='"},
    {"Dense(3 4)\n", NR_STATUS_PARSE, "t.nr:1:9: expected ',' or ')', got number 4"},
    {"Dense(units=)\n", NR_STATUS_PARSE,
     "t.nr:1:13: expected a value (a name, number, string, '(', '[' or '{'), got ')'"},
    {"Dense(units=3, 4)\n", NR_STATUS_PARSE, "t.nr:1:16: positional argument follows keyword argument"},
    {"x = 12abc\n", NR_STATUS_PARSE, "t.nr:1:7: invalid number: unexpected 'a' after the digits"},
    {"x = 1e+\n", NR_STATUS_PARSE, "t.nr:1:5: invalid number: the exponent has no digits"},
    {"x = 99999999999999999999\n", NR_STATUS_PARSE, "t.nr:1:5: integer 99999999999999999999 is too large"},
    {"Dense(1)(x) = 2\n", NR_STATUS_PARSE, "t.nr:1:13: cannot assign to this expression*"},
    {"for i in x:\n", NR_STATUS_PARSE, "t.nr:1:1: 'for' is Python, not SPEC*"},
    {"x = 'a\\0b'\n", NR_STATUS_PARSE, "t.nr:1:5: a string cannot hold a NUL character (\\0)"},
    {"x = 1 ==\n", NR_STATUS_PARSE, "t.nr:1:9: expected a value*"},
    {"Dense(8) if True\n", NR_STATUS_PARSE, "t.nr:1:17: expected 'else'*"},
    {"x = 1 < \"a\"\n", NR_STATUS_BAD_ARGUMENT, "t.nr:1:5: cannot compare int 1 < string*"},
    {"x = 1 in 2\n", NR_STATUS_BAD_ARGUMENT, "t.nr:1:10: 'in' needs a list or tuple*"},
    {"model.\n", NR_STATUS_PARSE, "t.nr:1:7: expected an attribute name after '.', got end of line"},
    /* unknown names, with the closest valid ones */
    {"Input(shape=(4,))\nDense2(3)\n", NR_STATUS_PARSE,
     "t.nr:2:1: unknown layer or function 'Dense2'; did you mean \"Dense\"?"},
    {"Input(shape=(4,))\nDense(3, activaton=\"relu\")\n", NR_STATUS_PARSE,
     "t.nr:2:10: Dense: unknown argument 'activaton'; did you mean \"activation\"?"},
    {"Input(shape=(4,))\nDense(3, activation=\"rellu\")\n", NR_STATUS_PARSE,
     "t.nr:2:21: unknown activation 'rellu'; did you mean \"relu\", \"relu6\" or \"elu\"?"},
    {"inp = Input(shape=(4,))\nh = Dense(3)(inpt)\n", NR_STATUS_PARSE,
     "t.nr:2:14: unknown variable 'inpt'; did you mean \"inp\"*"},
    {"alpha = 1\nbeta = 2\nh = Dense(3)(zzz)\n", NR_STATUS_PARSE,
     "t.nr:3:14: unknown variable 'zzz'; valid: alpha, beta"},
    {"x = keras.layers.Dens(3)\n", NR_STATUS_PARSE, "t.nr:1:18: unknown name 'Dens'; did you mean \"Dense\"*"},
    {"Input(shape=(4,))\nDense(3)\ncompile(optimizer='adamm', loss='mse')\n", NR_STATUS_PARSE,
     "t.nr:3:19: unknown optimizer 'adamm'; did you mean \"adam\", \"adamw\" or \"nadam\"?"},
    {"Input(shape=(4,))\nDense(3)\ncompile(loss='categorical_crossentropyy')\n", NR_STATUS_PARSE,
     "t.nr:3:14: unknown loss 'categorical_crossentropyy'; did you mean \"categorical_crossentropy\"*"},
    {"Input(shape=(4,))\nDense(3)\ncompile(loss='mse', metrics=['accuracyy'])\n", NR_STATUS_PARSE,
     "t.nr:3:30: unknown metric 'accuracyy'; did you mean \"accuracy\" or \"acc\"?"},
    {"Input(shape=(4,))\nDense(3, kernel_initializer='he_normall')\n", NR_STATUS_PARSE,
     "t.nr:2:29: unknown initializer 'he_normall'; did you mean \"he_normal\"?"},
    {"Input(shape=(4,))\nDense(3, kernel_regularizer='l3')\n", NR_STATUS_PARSE,
     "t.nr:2:29: unknown regularizer 'l3'; did you mean \"l1\" or \"l2\"?"},
    {"Input(shape=(4,))\nDense(3)\nfit(callbacks=[EarlyStopping(mode='maximum')])\n", NR_STATUS_PARSE,
     "t.nr:3:35: unknown mode 'maximum'; did you mean \"max\"?"},
    {"m = Sequential([Input(shape=(2,)), Dense(1)])\nm.fitt(epochs=1)\n", NR_STATUS_PARSE,
     "t.nr:2:3: unknown model attribute 'fitt'; did you mean \"fit\"?"},
    {"m = Sequential([Input(shape=(2,)), Dense(1, name='d')])\nm.get_layer('dd')\n", NR_STATUS_PARSE,
     "t.nr:2:13: unknown layer name 'dd'; did you mean \"d\"?"},
    {"i = Input(shape=(2,))\na = Dense(1, name='reg')(i)\nm = Model(i, [a, Dense(1, name='aux')(i)])\n"
     "m.compile(loss={'regg': 'mse', 'aux': 'mse'})\n",
     NR_STATUS_PARSE, "t.nr:4:17: unknown output layer 'regg'; did you mean \"reg\"?"},
    /* arguments */
    {"Input(shape=(4,))\nDense(\"32\")\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:2:7: Dense: units must be an int, got string \"32\""},
    {"Input(shape=(4,))\nDense(3, units=4)\n", NR_STATUS_PARSE, "t.nr:2:10: Dense: argument 'units' given twice"},
    {"Input(shape=(4,))\nDropout(0.5, None, 3, 4)\n", NR_STATUS_PARSE,
     "t.nr:2:23: Dropout takes at most 3 positional arguments (rate, noise_shape, seed); give the others by keyword"},
    {"Input(shape=(4,))\nDense()\n", NR_STATUS_BAD_ARGUMENT, "t.nr:2:1: Dense: missing required argument 'units'"},
    {"Input(shape=(4,))\nDense(0)\n", NR_STATUS_BAD_ARGUMENT, "t.nr:2:7: Dense: units must be in [1, 16777216], got 0"},
    {"Input(shape=(4,))\nDense(3, use_bias=1)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:2:19: Dense: use_bias must be True or False, got int 1"},
    {"Input(shape=64)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:1:13: Input: shape must be a tuple of ints, like (64,), got int 64"},
    {"Input(shape=(None, 3))\n", NR_STATUS_UNSUPPORTED,
     "t.nr:1:14: Input: shape: None (a dimension of variable size)*"},
    {"Input(shape=(4,), name='a\"b')\n", NR_STATUS_BAD_ARGUMENT, "t.nr:1:24: Input: name must not hold double quotes*"},
    {"Input(shape=(4,))\nDense(3, activation=4)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:2:21: Dense: activation must be an activation name such as \"relu\", got int 4"},
    {"Input(shape=(4,))\nDense(3)\ncompile(optimizer=SGD(momentum=2), loss='mse')\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:3:19: optimizer SGD: momentum = 2 must be in [0, 1]"},
    {"Input(shape=(4,))\nDense(3)\nfit(epochs=-1)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:3:12: fit: epochs must be in [1, 2147483647], got -1"},
    {"Input(shape=(4,))\nDense(3)\nfit(validation_split=1.5)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:3:1: fit: validation_split must be in [0, 1), got 1.5"},
    {"Input(shape=(4,))\nDense(3)\nfit(class_weight={-1: 2.0})\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:3:19: fit: class_weight keys must be class indices in [0, 65535]"},
    {"Input(shape=(4,))\nDense(3)\ncompile(loss=None)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:3:1: compile: missing required argument 'loss'"},
    {"m = Sequential()\nm.add(3)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:2:7: Sequential \"sequential\": add() takes a layer, a model or an Input, got int 3"},
    {"x = [1, 2]\ny = x[5]\n", NR_STATUS_BAD_ARGUMENT, "t.nr:2:7: index 5 is out of range for a list of 2"},
    {"x = 3\nx(1)\n", NR_STATUS_BAD_ARGUMENT, "t.nr:2:1: int 3 cannot be called"},
    {"Dense(3)(Dense(4))\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:1:10: layer \"dense\": its input must be a tensor or a list of tensors, got layer \"dense_1\" (Dense)"},
    {"m = Sequential()\nm.name = 'x'\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:2:3: cannot set 'name'; the only attribute a SPEC sets is trainable"},
    {"compile(loss='mse')\n", NR_STATUS_STATE, "t.nr:1:1: compile: there is no model yet; define its layers first"},
    /* unsupported Keras features */
    {"Input(shape=(4,))\nDense(3)\nfit(callbacks=[LearningRateScheduler(schedule)])\n", NR_STATUS_UNSUPPORTED,
     "t.nr:3:16: LearningRateScheduler needs a Python function, which a SPEC cannot hold; give the optimizer a "
     "schedule instead*"},
    {"Input(shape=(4,))\nDense(3)\nfit(x_train[:10])\n", NR_STATUS_PARSE, "t.nr:3:13: expected a value*"},
    {"Input(shape=(4,))\nDense(3)\nfit(x_train[0])\n", NR_STATUS_UNSUPPORTED,
     "t.nr:3:12: fit: x must be a variable name (it is ignored: the data comes from the command line)"},
    {"Input(shape=(4,))\nDense(3)\nfit(validation_data=(xv, yv))\n", NR_STATUS_PARSE,
     "t.nr:3:22: unknown variable 'xv'*"},
    {"xv = 1\nyv = 2\nInput(shape=(4,))\nDense(3)\nfit(validation_data=(xv, yv))\n", NR_STATUS_UNSUPPORTED,
     "t.nr:5:21: fit: validation_data=a tuple of 2 is not supported; use validation_split*"},
    {"Input(shape=(4,))\nDense(3, kernel_constraint='max_norm')\n", NR_STATUS_UNSUPPORTED,
     "t.nr:2:28: Dense: kernel_constraint=string \"max_norm\" is not supported"},
    {"Input(shape=(4,))\nDense(3, dtype='float16')\n", NR_STATUS_UNSUPPORTED,
     "t.nr:2:16: Dense: dtype=string \"float16\" is not supported; neurona computes in float32"},
    {"Input(shape=(4,))\nDense(3)\ncompile(optimizer=SGD(decay=0.01), loss='mse')\n", NR_STATUS_UNSUPPORTED,
     "t.nr:3:29: SGD: decay=float 0.01 is not supported; use a schedule: learning_rate=ExponentialDecay(...)"},
    {"x = Input(shape=(4,))\ny = Dropout(0.5)(x, training=True)\n", NR_STATUS_UNSUPPORTED,
     "t.nr:2:30: layer \"dropout\": training=True is not supported*"},
    /* shapes, from the layers, with the statement's location */
    {"a = Input(shape=(4,))\nb = Input(shape=(3, 2))\nc = Concatenate()([a, b])\n", NR_STATUS_BAD_SHAPE,
     "t.nr:3:5: layer \"concatenate\" (Concatenate): inputs must have the same rank; got input shapes (None, 4), "
     "(None, 3, 2)"},
    {"a = Input(shape=(4,))\nb = Input(shape=(3,))\nc = Add()([a, b])\n", NR_STATUS_BAD_SHAPE,
     "t.nr:3:5: layer \"add\" (Add): inputs must all have the same shape*"},
    {"Input(shape=(4,))\nDense(3)\nReshape((5,))\n", NR_STATUS_BAD_SHAPE,
     "t.nr:3:1: Sequential \"sequential\": layer \"reshape\" (Reshape): cannot reshape input (None, 3)*"},
    {"d = Dense(3)\na = d(Input(shape=(4,)))\nb = d(Input(shape=(5,)))\n", NR_STATUS_BAD_SHAPE,
     "t.nr:3:5: layer \"dense\" (Dense) expects the last axis of its input to be 4, got shape (None, 5)"},
    {"a = Input(shape=(4,))\nb = Input(shape=(4,))\nm = Model(a, Dense(2)(b))\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:3:5: model \"functional\": graph disconnected*"},
    {"s = Sequential([Dense(2)])\ns.add(s)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:2:7: Sequential \"sequential\": cannot hold itself (model \"sequential\" is, or holds, it)"},
    {"a = Sequential([Dense(2)])\nb = Sequential([a])\na.add(b)\n", NR_STATUS_BAD_ARGUMENT,
     "t.nr:3:7: Sequential \"sequential\": cannot hold itself*"},
    {"s = Sequential([Dense(16000000), Dense(16000000)])\ny = s(Input(shape=(4,)))\n", NR_STATUS_BAD_SHAPE,
     "t.nr:2:5: layer \"dense_1\" (Dense): a 16000000 x 16000000 kernel is too large"},
    {"Input(shape=(4,))\nDense(16000000)\nDense(16000000)\n", NR_STATUS_BAD_SHAPE,
     "t.nr:3:1: layer \"dense_1\" (Dense): a 16000000 x 16000000 kernel is too large"},
};

static int matches(const char *got, const char *want) {
    size_t n = strlen(want);
    if (n && want[n - 1] == '*') return strncmp(got, want, n - 1) == 0;
    return strcmp(got, want) == 0;
}

static void test_error_messages(void) {
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        nr_spec *s = (nr_spec *)&cases[i];
        nr_status st = nr_spec_load_string(cases[i].text, "t.nr", 1, &s);
        int ok = st == cases[i].status && matches(nr_last_error(), cases[i].message) && s == NULL;
        if (!ok)
            fprintf(stderr, "case %zu:\n%s  got  %s: %s\n  want %s: %s\n", i, cases[i].text, nr_status_str(st),
                    nr_last_error(), nr_status_str(cases[i].status), cases[i].message);
        CHECK(ok);
        if (st == NR_OK) nr_spec_free(s);
    }
}

/* --- allocation failures ------------------------------------------------ */

static long alloc_count, alloc_fail_at;

static void *fail_malloc(size_t n, void *u) {
    (void)u;
    return ++alloc_count == alloc_fail_at ? NULL : malloc(n);
}
static void *fail_realloc(void *p, size_t n, void *u) {
    (void)u;
    return ++alloc_count == alloc_fail_at ? NULL : realloc(p, n);
}
static void plain_free(void *p, void *u) {
    (void)u;
    free(p);
}

static void test_alloc_failures(void) {
    static const char *const text =
        "a = Input(shape=(4,))\nb = Input(shape=(2,))\nshared = Dense(8, activation='relu', kernel_regularizer='l2')\n"
        "h = Concatenate()([shared(a), b])\nblock = Sequential([Dense(4), Dropout(0.1)])\n"
        "out = Dense(3, activation='softmax')(block(h))\nmodel = Model([a, b], out)\n"
        "model.compile(optimizer=Adam(ExponentialDecay(0.01, 10, 0.9)), loss='categorical_crossentropy', "
        "metrics=['acc'])\n"
        "model.fit(epochs=2, class_weight={0: 1, 2: 3}, callbacks=[EarlyStopping(), CSVLogger('x.csv')])\n";
    nr_alloc_hooks hooks = {fail_malloc, fail_realloc, plain_free, NULL};
    int clean = 1, done = 0;
    for (alloc_fail_at = 1; alloc_fail_at < 5000 && !done; alloc_fail_at++) {
        alloc_count = 0;
        nr_set_alloc_hooks(&hooks);
        nr_spec *s = NULL;
        nr_status st = nr_spec_load_string(text, "t.nr", 1, &s);
        char *written = NULL;
        nr_status wst = st == NR_OK ? nr_model_to_spec(nr_spec_model(s), &written) : NR_OK;
        nr_set_alloc_hooks(NULL);
        if (st == NR_OK && wst == NR_OK && alloc_count < alloc_fail_at) done = 1;
        if (st != NR_OK && st != NR_STATUS_NO_MEMORY) {
            fprintf(stderr, "allocation %ld failed: %s (%s)\n", alloc_fail_at, nr_status_str(st), nr_last_error());
            clean = 0;
        }
        if (wst != NR_OK && wst != NR_STATUS_NO_MEMORY) clean = 0;
        nr_free_string(written);
        nr_spec_free(s);
    }
    CHECK(clean);
    CHECK(done);
}

int main(void) {
    test_error_messages();
    test_alloc_failures();
    return nr_test_finish();
}
