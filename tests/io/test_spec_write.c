/* nr_model_to_spec: models built in C (Sequential with every layer kind,
 * with and without an input shape, Functional with shared layers and
 * every merge, nested and shared models, several outputs, frozen layers)
 * are written as SPEC text and loaded back. The rebuilt model must be the
 * same: summary, parameter counts, every layer's name, type, flag and
 * weight offsets, and the initial weights themselves (same seed, same
 * parameter creation order). Writing the rebuilt model gives the same text. */
#define _GNU_SOURCE
#include <string.h>
#include "io/spec_build.h"
#include "testutil.h"

#define SEED 7

static char *summary(const nr_model *m) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return NULL;
    nr_model_summary(m, f);
    fclose(f);
    return buf;
}

static int same_layers(const nr_graph *a, const nr_graph *b) {
    int ok = a->n_layers == b->n_layers && a->n_params == b->n_params;
    for (int i = 0; ok && i < a->n_layers; i++) {
        const nr_layer *la = a->layers[i], *lb = NULL;
        for (int j = 0; j < b->n_layers; j++)
            if (!strcmp(b->layers[j]->name, la->name)) lb = b->layers[j];
        ok = lb && !strcmp(la->cls->type, lb->cls->type) && la->trainable == lb->trainable &&
            la->n_weights == lb->n_weights;
        for (int k = 0; ok && k < la->n_weights; k++)
            ok = a->nodes[la->weights[k]].param_off == b->nodes[lb->weights[k]].param_off;
        if (!ok) fprintf(stderr, "layer \"%s\" differs after the round trip\n", la->name);
    }
    if (ok && a->n_params && memcmp(a->params, b->params, (size_t)a->n_params * sizeof(float)) != 0) {
        fprintf(stderr, "the initial weights differ after the round trip\n");
        ok = 0;
    }
    if (a->n_layers != b->n_layers || a->n_params != b->n_params)
        fprintf(stderr, "%d layers and %lld parameters became %d and %lld\n", a->n_layers, (long long)a->n_params,
                b->n_layers, (long long)b->n_params);
    return ok;
}

/* Writes m, loads the text, compares, and writes again. With whole_graph
 * the graph holds m alone, so the weight offsets and values must match. */
static void round_trip_in(const nr_model *m, const char *what, int whole_graph) {
    char *text = NULL, *again = NULL;
    nr_spec *s = NULL;
    if (!CHECK_OK(nr_model_to_spec(m, &text))) return;
    if (!CHECK_OK(nr_spec_load_string(text, what, SEED, &s))) {
        fprintf(stderr, "%s:\n%s", what, text);
        nr_free_string(text);
        return;
    }
    const nr_model *r = nr_spec_model(s);
    char *sa = summary(m), *sb = summary(r);
    CHECK(sa && sb && strcmp(sa, sb) == 0);
    if (sa && sb && strcmp(sa, sb)) fprintf(stderr, "%s\n--- original\n%s--- rebuilt\n%s", text, sa, sb);
    int64_t ta, fa, tb, fb;
    nr_model_count_params(m, &ta, &fa);
    nr_model_count_params(r, &tb, &fb);
    CHECK(ta == tb && fa == fb);
    CHECK(nr_model_n_inputs(m) == nr_model_n_inputs(r) && nr_model_n_outputs(m) == nr_model_n_outputs(r));
    if (whole_graph) CHECK(same_layers(nr_model_graph(m), nr_model_graph(r)));
    CHECK(nr_model_n_layers(m) == nr_model_n_layers(r));
    for (int i = 0; i < nr_model_n_layers(m) && i < nr_model_n_layers(r); i++) {
        const nr_layer *a = nr_model_layer(m, i), *b = nr_model_layer(r, i);
        CHECK(!strcmp(a->name, b->name) && a->cls == b->cls && a->trainable == b->trainable);
    }
    CHECK(strcmp(nr_model_name(m), nr_model_name(r)) == 0);
    CHECK(nr_spec_compiled(s) == 0 && nr_spec_fit_opts(s) == NULL);
    if (CHECK_OK(nr_model_to_spec(r, &again))) CHECK(strcmp(text, again) == 0);
    if (getenv("NR_SHOW_SPEC")) printf("%s", text);
    free(sa);
    free(sb);
    nr_free_string(text);
    nr_free_string(again);
    nr_spec_free(s);
}

static void round_trip(const nr_model *m, const char *what) { round_trip_in(m, what, 1); }

static nr_layer *dense(nr_graph *g, int units, nr_activation act, const char *name) {
    nr_layer *l = NULL;
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = units, .activation = act, .base.name = name}, &l));
    return l;
}

static nr_sym call1(nr_layer *l, nr_sym x) {
    nr_sym y = NR_SYM_NONE;
    CHECK_OK(nr_layer_call(l, &x, 1, &y));
    return y;
}

static nr_sym call2(nr_layer *l, nr_sym a, nr_sym b) {
    nr_sym in[2] = {a, b}, y = NR_SYM_NONE;
    CHECK_OK(nr_layer_call(l, in, 2, &y));
    return y;
}

static nr_layer *merge(nr_graph *g, nr_merge_kind k, int axis) {
    nr_layer *l = NULL;
    CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = k, .axis = axis}, &l));
    return l;
}

/* --- Sequential --------------------------------------------------------------- */

static void test_sequential_every_layer(void) {
    nr_graph *g;
    nr_model *m;
    nr_layer *l;
    CHECK_OK(nr_graph_new(&g, SEED));
    CHECK_OK(nr_sequential_new(g, "every_layer", &m));
    CHECK_OK(nr_input_layer(g, &(nr_input_opts){.shape = {4}, .ndim = 1, .name = "features"}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_dense(g,
                      &(nr_dense_opts){.units = 12,
                                       .activation = NR_ACT_RELU,
                                       .kernel_initializer = {.kind = NR_INIT_HE_NORMAL},
                                       .kernel_regularizer = {0, 0.01f},
                                       .bias_regularizer = {0.5f, 0},
                                       .activity_regularizer = {0.1f, 0.2f}},
                      &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_dropout(g, &(nr_dropout_opts){.rate = 0.25f, .seed = 3, .has_seed = 1}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_activation_layer(g, &(nr_activation_opts){.activation = NR_ACT_TANH}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_leaky_relu(g, &(nr_leaky_relu_opts){.negative_slope = 0.1f}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_relu(g, &(nr_relu_opts){.max_value = 6}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    l = dense(g, 6, NR_ACT_SWISH, "frozen");
    nr_layer_set_trainable(l, 0);
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_reshape(g, &(nr_reshape_opts){.target_shape = {2, -1}, .ndim = 2}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_flatten(g, NULL, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 3, .no_bias = 1, .activation = NR_ACT_HEAVISIDE}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_softmax(g, &(nr_softmax_opts){0}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    round_trip(m, "every_layer");
    nr_graph_free(g);
}

static void test_sequential_input_shape_and_unbuilt(void) {
    nr_graph *g;
    nr_model *m, *lazy;
    nr_layer *l;
    CHECK_OK(nr_graph_new(&g, SEED));
    CHECK_OK(nr_sequential_new(g, NULL, &m));
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 5, .base.input_shape = {3}, .base.input_ndim = 1}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_sequential_add(m, dense(g, 2, NR_ACT_SIGMOID, NULL)));
    round_trip(m, "input_shape");
    nr_graph_free(g);

    CHECK_OK(nr_graph_new(&g, SEED));
    CHECK_OK(nr_sequential_new(g, "lazy", &lazy));
    CHECK_OK(nr_sequential_add(lazy, dense(g, 5, NR_ACT_RELU, NULL)));
    CHECK_OK(nr_dropout(g, &(nr_dropout_opts){.rate = 0.5f}, &l));
    CHECK_OK(nr_sequential_add(lazy, l));
    round_trip(lazy, "unbuilt");
    nr_graph_free(g);
}

/* --- Functional ---------------------------------------------------------------- */

static void test_functional_shared_and_merges(void) {
    nr_graph *g;
    nr_model *m;
    nr_sym a, b, r;
    CHECK_OK(nr_graph_new(&g, SEED));
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {4}, .ndim = 1, .name = "left"}, &a));
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {4}, .ndim = 1, .name = "right"}, &b));
    nr_layer *shared = dense(g, 6, NR_ACT_RELU, "shared");
    nr_sym ya = call1(shared, a), yb = call1(shared, b);
    nr_sym cat = call2(merge(g, NR_MERGE_CONCATENATE, 0), ya, yb);
    nr_sym sum = call2(merge(g, NR_MERGE_ADD, 0), ya, yb);
    nr_sym diff = call2(merge(g, NR_MERGE_SUBTRACT, 0), ya, yb);
    nr_sym prod = call2(merge(g, NR_MERGE_MULTIPLY, 0), sum, diff);
    nr_sym avg = call2(merge(g, NR_MERGE_AVERAGE, 0), prod, ya);
    nr_sym mx = call2(merge(g, NR_MERGE_MAXIMUM, 0), avg, yb);
    nr_layer *rs;
    CHECK_OK(nr_reshape(g, &(nr_reshape_opts){.target_shape = {2, 3}, .ndim = 2}, &rs));
    r = call1(rs, mx);
    nr_sym r2 = call1(rs, sum); /* a layer without weights, shared too */
    nr_sym cat1 = call2(merge(g, NR_MERGE_CONCATENATE, 1), r, r2);
    nr_layer *fl;
    CHECK_OK(nr_flatten(g, NULL, &fl));
    nr_sym flat = call1(fl, cat1);
    nr_sym both = call2(merge(g, NR_MERGE_CONCATENATE, -1), cat, flat);
    nr_sym out1 = call1(dense(g, 1, NR_ACT_SIGMOID, "score"), both);
    nr_sym out2 = call1(dense(g, 3, NR_ACT_SOFTMAX, "cls"), both);
    nr_sym ins[2] = {a, b}, outs[3] = {out1, out2, ya};
    CHECK_OK(nr_model_new(g, ins, 2, outs, 3, "merges", &m));
    round_trip(m, "merges");
    nr_graph_free(g);
}

/* Inner models: a lazy Sequential, a functional model called twice, and a
 * Sequential holding a model, all inside one functional model. */
static void test_nested(void) {
    nr_graph *g;
    nr_model *lazy, *inner, *seq, *outer;
    nr_layer *ll, *il, *sl;
    nr_sym i, x, y;
    CHECK_OK(nr_graph_new(&g, SEED));
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {3}, .ndim = 1, .name = "inner_in"}, &i));
    y = call1(dense(g, 4, NR_ACT_TANH, "inner_dense"), i);
    CHECK_OK(nr_model_new(g, &i, 1, &y, 1, "inner", &inner));
    CHECK_OK(nr_sequential_new(g, "lazy", &lazy));
    CHECK_OK(nr_sequential_add(lazy, dense(g, 3, NR_ACT_RELU, "lazy_dense")));
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {3}, .ndim = 1, .name = "x"}, &x));
    nr_sym h = call1(dense(g, 3, NR_ACT_LINEAR, "first"), x);
    CHECK_OK(nr_model_as_layer(lazy, &ll));
    h = call1(ll, h); /* builds "lazy" now, after "first" */
    CHECK_OK(nr_model_as_layer(inner, &il));
    nr_sym p = call1(il, h), q = call1(il, x);
    CHECK_OK(nr_sequential_new(g, "holder", &seq));
    nr_layer *in;
    CHECK_OK(nr_input_layer(g, &(nr_input_opts){.shape = {4}, .ndim = 1, .name = "holder_in"}, &in));
    CHECK_OK(nr_sequential_add(seq, in));
    CHECK_OK(nr_sequential_add(seq, dense(g, 4, NR_ACT_LINEAR, "holder_dense")));
    nr_layer_set_trainable(nr_model_layer(seq, 0), 0);
    CHECK_OK(nr_model_as_layer(seq, &sl));
    nr_layer_set_trainable(sl, 0);
    nr_sym z = call2(merge(g, NR_MERGE_ADD, 0), call1(sl, p), q);
    nr_sym out = call1(dense(g, 1, NR_ACT_LINEAR, "head"), z);
    CHECK_OK(nr_model_new(g, &x, 1, &out, 1, "outer", &outer));
    round_trip(outer, "nested");
    round_trip_in(inner, "inner only", 0);
    nr_graph_free(g);
}

/* The fixtures, loaded, written and loaded again. */
static void test_fixtures(void) {
    static const char *const names[] = {"bare.nr", "keras_sequential.nr", "functional.nr", "perceptron.nr",
                                        "nested.nr"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char rel[128];
        nr_spec *s;
        snprintf(rel, sizeof rel, "tests/fixtures/spec/%s", names[i]);
        if (!CHECK_OK(nr_spec_load_file(nr_test_path(rel), SEED, &s))) continue;
        round_trip(nr_spec_model(s), names[i]);
        nr_spec_free(s);
    }
}

/* SPEC texts with the shapes C tests do not build. */
static void test_texts(void) {
    static const char *const texts[] = {
        /* a functional model and a lazy Sequential inside a Sequential */
        ("i = Input(shape=(3,))\ninner = Model(i, Dense(2)(i), name='inner')\n"
         "lazy = Sequential([Dense(4), Dropout(0.1)], name='lazy')\n"
         "model = Sequential([Input(shape=(3,)), inner, lazy, Dense(1)], name='outer')\n"),
        /* a Sequential's tensors used by a functional model, a layer in both */
        ("shared = Dense(4, name='shared')\nseq = Sequential([Input(shape=(4,), name='i'), shared, Dense(3)])\n"
         "y = Dense(2, name='head')(seq.output)\nz = shared(seq.input)\n"
         "model = Model(seq.input, [y, z, seq.layers[1].output])\n"),
        /* names that are not identifiers, or are taken by constructors */
        ("i = Input(shape=(2,), name='2 in')\na = Dense(2, name='Dense')(i)\nb = Dense(2, name='add')(a)\n"
         "c = add([a, b])\nmodel = Model(i, c, name='model')\n"),
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        nr_spec *s;
        if (!CHECK_OK(nr_spec_load_string(texts[i], "text.nr", SEED, &s))) continue;
        round_trip(nr_spec_model(s), texts[i]);
        nr_spec_free(s);
    }
}

static void test_text(void) {
    nr_spec *s;
    char *text = NULL;
    if (!CHECK_OK(nr_spec_load_file(nr_test_path("tests/fixtures/spec/bare.nr"), SEED, &s))) return;
    CHECK_OK(nr_model_to_spec(nr_spec_model(s), &text));
    if (text) {
        CHECK(strstr(text, "model = Sequential(name=\"sequential\")\n") != NULL);
        CHECK(strstr(text, "model.add(Dense(32, activation=\"tanh\", name=\"dense\"))\n") != NULL);
        CHECK(strstr(text, "compile") == NULL && strstr(text, "fit(") == NULL);
    }
    nr_free_string(text);
    nr_spec_free(s);
    CHECK_STATUS(nr_model_to_spec(NULL, &text), NR_STATUS_BAD_ARGUMENT);
}

int main(void) {
    test_sequential_every_layer();
    test_sequential_input_shape_and_unbuilt();
    test_functional_shared_and_merges();
    test_nested();
    test_fixtures();
    test_texts();
    test_text();
    return nr_test_finish();
}
