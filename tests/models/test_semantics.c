/* Keras semantics of model building: parameter counts, output shapes as
 * printed ("(None, 10)"), layer auto-names, the trainable/non-trainable
 * split and the summary text, for a table of architectures (Sequential
 * MLPs, Functional models with two inputs, merge layers, a shared layer, a
 * frozen layer, a model used as a layer, the shape layers, Dense on a 3-D
 * input); then the error cases (shape mismatches with both shapes in the
 * message, a disconnected graph, bad layer options).
 *
 * The expected numbers follow Keras's rules: Dense(u) on n inputs has
 * n*u + u weights, applied to the last axis; layers without weights have 0;
 * a layer called twice is counted once; a model used as a layer counts its
 * layers' weights. */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* --- helpers ------------------------------------------------------------- */

static char *summary_text(const nr_model *m) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    CHECK_OK(nr_model_summary(m, f));
    fclose(f);
    return buf;
}

/* The line of text that contains needle, copied into line (empty if none). */
static int find_line(const char *text, const char *needle, char *line, size_t size) {
    const char *p = text ? strstr(text, needle) : NULL;
    line[0] = 0;
    if (!p) return 0;
    const char *b = p, *e = p;
    while (b > text && b[-1] != '\n') b--;
    while (*e && *e != '\n') e++;
    size_t n = (size_t)(e - b) < size - 1 ? (size_t)(e - b) : size - 1;
    memcpy(line, b, n);
    line[n] = 0;
    return 1;
}

/* The row of a cell with its continuation lines: up to the next blank
 * line (the Functional layout) or rule. */
static int find_block(const char *text, const char *needle, char *block, size_t size) {
    const char *p = text ? strstr(text, needle) : NULL;
    block[0] = 0;
    if (!p) return 0;
    const char *e = strstr(p, "\n\n");
    if (!e) e = p + strlen(p);
    size_t n = (size_t)(e - p) < size - 1 ? (size_t)(e - p) : size - 1;
    memcpy(block, p, n);
    block[n] = 0;
    return 1;
}

/* word appears in line delimited by spaces (or the line's ends). */
static int has_field(const char *line, const char *word) {
    size_t n = strlen(word);
    for (const char *p = strstr(line, word); p; p = strstr(p + 1, word))
        if ((p == line || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ')) return 1;
    return 0;
}

typedef struct row {
    const char *cell;   /* "dense (Dense)" */
    const char *shape;  /* "(None, 32)" */
    const char *params; /* "2,080" */
} row;

/* Checks the summary's header, its rows and its totals. */
static void check_summary(const nr_model *m, const row *rows, int n_rows, const char *total, const char *trainable,
                          const char *frozen) {
    char *text = summary_text(m);
    char line[512], want[160];
    if (!CHECK(text != NULL)) return;
    snprintf(want, sizeof want, "Model: \"%s\"", nr_model_name(m));
    CHECK(strstr(text, want) != NULL);
    for (int i = 0; i < n_rows; i++) {
        snprintf(want, sizeof want, " %s ", rows[i].cell);
        int found = find_line(text, want, line, sizeof line);
        if (!found) { /* the cell may end the line's first column exactly */
            snprintf(want, sizeof want, " %s", rows[i].cell);
            found = find_line(text, want, line, sizeof line);
        }
        int ok = CHECK(found) && CHECK(strstr(line, rows[i].shape) != NULL) && CHECK(has_field(line, rows[i].params));
        if (!ok) fprintf(stderr, "  summary row for %s: \"%s\", want %s and %s params\n", rows[i].cell, line, rows[i].shape,
                         rows[i].params);
    }
    const struct { const char *label, *value; } totals[3] = {
        {"Total params: ", total}, {"Trainable params: ", trainable}, {"Non-trainable params: ", frozen}};
    for (int i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "%s%s\n", totals[i].label, totals[i].value);
        if (!CHECK(strstr(text, want) != NULL)) fprintf(stderr, "  summary lacks \"%s\":\n%s", want, text);
    }
    free(text);
}

static void check_counts(const nr_model *m, int64_t trainable, int64_t frozen) {
    int64_t t = -1, f = -1;
    nr_model_count_params(m, &t, &f);
    if (!CHECK(t == trainable && f == frozen))
        fprintf(stderr, "  model %s: %lld trainable, %lld non-trainable; want %lld and %lld\n", nr_model_name(m),
                (long long)t, (long long)f, (long long)trainable, (long long)frozen);
    CHECK(nr_model_weights_size(m) == trainable + frozen);
}

static void check_shape(const nr_graph *g, nr_sym s, const char *want) {
    int ndim;
    int64_t shape[NR_MAX_DIMS];
    char buf[96];
    if (!CHECK_OK(nr_sym_shape(g, s, &ndim, shape))) return;
    nr_shape_str(buf, sizeof buf, ndim, shape);
    if (!CHECK(strcmp(buf, want) == 0)) fprintf(stderr, "  shape %s, want %s\n", buf, want);
}

static void check_name(const nr_layer *l, const char *want) {
    if (!CHECK(l && strcmp(nr_layer_name(l), want) == 0))
        fprintf(stderr, "  layer named %s, want %s\n", l ? nr_layer_name(l) : "(null)", want);
}

static nr_layer *dense(nr_graph *g, int units, nr_activation act) {
    nr_layer *l = NULL;
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = units, .activation = act}, &l));
    return l;
}

static nr_sym call1(nr_layer *l, nr_sym x) {
    nr_sym y = NR_SYM_NONE;
    if (l) CHECK_OK(nr_layer_call(l, &x, 1, &y));
    return y;
}

static nr_sym input(nr_graph *g, int ndim, int64_t d0, int64_t d1) {
    nr_sym x = NR_SYM_NONE;
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {d0, d1}, .ndim = ndim}, &x));
    return x;
}

/* Does the message hold every one of the strings? */
static int message_has(const char *a, const char *b, const char *c) {
    const char *msg = nr_last_error();
    int ok = strstr(msg, a) && (!b || strstr(msg, b)) && (!c || strstr(msg, c));
    if (!ok) fprintf(stderr, "  message \"%s\" lacks \"%s\" / \"%s\" / \"%s\"\n", msg, a, b ? b : "", c ? c : "");
    return ok;
}

/* --- architectures -------------------------------------------------------- */

/* Sequential MLP, input shape on the first layer: Dense(32) on 64 inputs
 * is 64*32 + 32 = 2080, Dense(10) on 32 is 330. */
static void sequential_mlp(void) {
    nr_graph *g;
    nr_model *m;
    nr_layer *d1, *d2;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_OK(nr_sequential_new(g, NULL, &m));
    CHECK(strcmp(nr_model_name(m), "sequential") == 0);
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 32, .activation = NR_ACT_RELU,
                                          .base = {.input_shape = {64}, .input_ndim = 1}}, &d1));
    d2 = dense(g, 10, NR_ACT_SOFTMAX);
    CHECK_OK(nr_sequential_add(m, d1));
    CHECK_OK(nr_sequential_add(m, d2));
    check_name(d1, "dense");
    check_name(d2, "dense_1");
    CHECK(nr_model_n_layers(m) == 2);
    CHECK(nr_model_layer(m, 0) == d1 && nr_model_layer(m, 1) == d2 && nr_model_layer(m, 2) == NULL);
    CHECK(nr_model_get_layer(m, "dense_1") == d2 && nr_model_get_layer(m, "dense_2") == NULL);
    CHECK(nr_layer_count_params(d1) == 2080 && nr_layer_count_params(d2) == 330);
    CHECK(strcmp(nr_layer_type(d1), "Dense") == 0);
    check_shape(g, nr_model_output(m, 0), "(None, 10)");
    check_counts(m, 2410, 0);
    const row rows[] = {{"dense (Dense)", "(None, 32)", "2,080"}, {"dense_1 (Dense)", "(None, 10)", "330"}};
    check_summary(m, rows, 2, "2,410", "2,410", "0");
    /* Keras order and layout of the weights: kernel (in, out), then bias. */
    nr_tensor w;
    CHECK(nr_layer_n_weights(d1) == 2);
    CHECK_OK(nr_layer_weight(d1, 0, &w));
    CHECK(w.ndim == 2 && w.shape[0] == 64 && w.shape[1] == 32);
    CHECK_OK(nr_layer_weight(d1, 1, &w));
    CHECK(w.ndim == 1 && w.shape[0] == 32);
    for (int i = 0; i < 32; i++) CHECK(w.data[i] == 0.0f); /* zero bias by default */
    CHECK_STATUS(nr_layer_weight(d1, 2, &w), NR_STATUS_BAD_ARGUMENT);
    /* A second Sequential in the same graph. */
    nr_model *m2;
    CHECK_OK(nr_sequential_new(g, NULL, &m2));
    CHECK(strcmp(nr_model_name(m2), "sequential_1") == 0);
    nr_graph_free(g);
}

/* Shape layers in a Sequential started by an explicit Input (28, 28):
 * Flatten 784; Dense(64) 784*64+64 = 50240; Dense(48) 64*48+48 = 3120;
 * Reshape (6, 8); Dense(5) on the last axis: 8*5+5 = 45, output (None, 6, 5);
 * Flatten 30; Dense(3) 93. */
static void sequential_shape_layers(void) {
    nr_graph *g;
    nr_model *m;
    nr_layer *in, *l[12];
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_OK(nr_sequential_new(g, "shapes", &m));
    CHECK_OK(nr_input_layer(g, &(nr_input_opts){.shape = {28, 28}, .ndim = 2}, &in));
    check_name(in, "input_layer");
    CHECK(strcmp(nr_layer_type(in), "InputLayer") == 0);
    CHECK_OK(nr_flatten(g, NULL, &l[0]));
    l[1] = dense(g, 64, NR_ACT_LINEAR);
    CHECK_OK(nr_leaky_relu(g, &(nr_leaky_relu_opts){0}, &l[2]));
    CHECK_OK(nr_dropout(g, &(nr_dropout_opts){.rate = 0.5f}, &l[3]));
    l[4] = dense(g, 48, NR_ACT_LINEAR);
    CHECK_OK(nr_relu(g, &(nr_relu_opts){0}, &l[5]));
    CHECK_OK(nr_reshape(g, &(nr_reshape_opts){.target_shape = {6, -1}, .ndim = 2}, &l[6]));
    l[7] = dense(g, 5, NR_ACT_LINEAR);
    CHECK_OK(nr_activation_layer(g, &(nr_activation_opts){.activation = NR_ACT_TANH}, &l[8]));
    CHECK_OK(nr_flatten(g, NULL, &l[9]));
    l[10] = dense(g, 3, NR_ACT_LINEAR);
    CHECK_OK(nr_softmax(g, &(nr_softmax_opts){0}, &l[11]));
    CHECK_OK(nr_sequential_add(m, in));
    for (int i = 0; i < 12; i++) CHECK_OK(nr_sequential_add(m, l[i]));
    static const char *names[12] = {"flatten", "dense", "leaky_re_lu", "dropout", "dense_1", "re_lu",
                                    "reshape", "dense_2", "activation", "flatten_1", "dense_3", "softmax"};
    static const char *types[12] = {"Flatten", "Dense", "LeakyReLU", "Dropout", "Dense", "ReLU",
                                    "Reshape", "Dense", "Activation", "Flatten", "Dense", "Softmax"};
    for (int i = 0; i < 12; i++) {
        check_name(l[i], names[i]);
        CHECK(strcmp(nr_layer_type(l[i]), types[i]) == 0);
    }
    CHECK(nr_model_n_layers(m) == 12);
    const row rows[] = {
        {"flatten (Flatten)", "(None, 784)", "0"},       {"dense (Dense)", "(None, 64)", "50,240"},
        {"leaky_re_lu (LeakyReLU)", "(None, 64)", "0"},  {"dropout (Dropout)", "(None, 64)", "0"},
        {"dense_1 (Dense)", "(None, 48)", "3,120"},      {"re_lu (ReLU)", "(None, 48)", "0"},
        {"reshape (Reshape)", "(None, 6, 8)", "0"},      {"dense_2 (Dense)", "(None, 6, 5)", "45"},
        {"activation (Activation)", "(None, 6, 5)", "0"}, {"flatten_1 (Flatten)", "(None, 30)", "0"},
        {"dense_3 (Dense)", "(None, 3)", "93"},          {"softmax (Softmax)", "(None, 3)", "0"},
    };
    check_summary(m, rows, 12, "53,498", "53,498", "0");
    check_counts(m, 53498, 0);
    check_shape(g, nr_model_output(m, 0), "(None, 3)");
    /* Runs: the softmax rows sum to one, whatever the input. */
    nr_tensor *x, *p[1] = {NULL};
    int64_t shape[3] = {2, 28, 28};
    CHECK_OK(nr_tensor_new(&x, 3, shape));
    for (int i = 0; i < 2 * 784; i++) x->data[i] = (float)(i % 17) / 17.0f;
    const nr_tensor *xv[1] = {x};
    if (CHECK_OK(nr_model_predict(m, xv, 32, p))) {
        CHECK(p[0]->ndim == 2 && p[0]->shape[0] == 2 && p[0]->shape[1] == 3);
        for (int r = 0; r < 2; r++) CHECK_CLOSE(p[0]->data[3 * r] + p[0]->data[3 * r + 1] + p[0]->data[3 * r + 2], 1.0, 1e-6, 0);
    }
    nr_tensor_free(p[0]);
    nr_tensor_free(x);
    nr_graph_free(g);
}

/* Two inputs and Concatenate: Dense(16) on 8 is 144, Dense(16) on 4 is 80,
 * the concatenation (None, 32), Dense(1) on 32 is 33. */
static void functional_two_inputs(void) {
    nr_graph *g;
    nr_model *m;
    nr_layer *cat;
    CHECK_OK(nr_graph_new(&g, 1));
    nr_sym a = input(g, 1, 8, 0), b = input(g, 1, 4, 0);
    nr_layer *da = dense(g, 16, NR_ACT_RELU), *db = dense(g, 16, NR_ACT_LINEAR), *dout = dense(g, 1, NR_ACT_SIGMOID);
    nr_sym ha = call1(da, a), hb = call1(db, b), both[2] = {ha, hb}, c, y;
    CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = NR_MERGE_CONCATENATE}, &cat));
    CHECK_OK(nr_layer_call(cat, both, 2, &c));
    check_shape(g, c, "(None, 32)");
    y = call1(dout, c);
    nr_sym ins[2] = {a, b};
    CHECK_OK(nr_model_new(g, ins, 2, &y, 1, NULL, &m));
    CHECK(strcmp(nr_model_name(m), "functional") == 0);
    CHECK(nr_model_n_inputs(m) == 2 && nr_model_n_outputs(m) == 1);
    CHECK(nr_model_input(m, 1) == b && nr_model_output(m, 0) == y && nr_model_input(m, 2) == NR_SYM_NONE);
    check_name(cat, "concatenate");
    check_counts(m, 257, 0);
    const row rows[] = {{"input_layer (InputLayer)", "(None, 8)", "0"}, {"input_layer_1 (InputLayer)", "(None, 4)", "0"},
                        {"dense (Dense)", "(None, 16)", "144"},         {"dense_1 (Dense)", "(None, 16)", "80"},
                        {"concatenate (Concatenate)", "(None, 32)", "0"}, {"dense_2 (Dense)", "(None, 1)", "33"}};
    check_summary(m, rows, 6, "257", "257", "0");
    /* "Connected to": the concatenation names both of its sources. */
    char *text = summary_text(m), line[512];
    if (CHECK(find_block(text, "concatenate (Concatenate)", line, sizeof line)))
        CHECK(strstr(line, "['dense[0][0]',") && strstr(line, "'dense_1[0][0]']"));
    free(text);
    /* Concatenate along axis 1 of 3-D inputs adds up that axis. */
    nr_sym p = input(g, 2, 3, 5), q = input(g, 2, 4, 5), pq[2] = {p, q}, r;
    nr_layer *cat1;
    CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = NR_MERGE_CONCATENATE, .axis = 1}, &cat1));
    CHECK_OK(nr_layer_call(cat1, pq, 2, &r));
    check_shape(g, r, "(None, 7, 5)");
    check_name(cat1, "concatenate_1");
    nr_graph_free(g);
}

/* Add, Subtract, Multiply, Average, Maximum of two Dense(6) on Input(3)
 * (3*6+6 = 24 weights each): shape (None, 6), no weights of their own;
 * and the values they compute. */
static void merge_layers(void) {
    static const struct { nr_merge_kind kind; const char *name, *type; } merges[] = {
        {NR_MERGE_ADD, "add", "Add"},           {NR_MERGE_SUBTRACT, "subtract", "Subtract"},
        {NR_MERGE_MULTIPLY, "multiply", "Multiply"}, {NR_MERGE_AVERAGE, "average", "Average"},
        {NR_MERGE_MAXIMUM, "maximum", "Maximum"},
    };
    for (int k = 0; k < 5; k++) {
        nr_graph *g;
        nr_model *m, *both;
        nr_layer *mg;
        CHECK_OK(nr_graph_new(&g, 7));
        nr_sym x = input(g, 1, 3, 0);
        nr_layer *d1 = dense(g, 6, NR_ACT_LINEAR), *d2 = dense(g, 6, NR_ACT_TANH);
        nr_sym h[2] = {call1(d1, x), call1(d2, x)}, y;
        CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = merges[k].kind}, &mg));
        CHECK_OK(nr_layer_call(mg, h, 2, &y));
        check_name(mg, merges[k].name);
        CHECK(strcmp(nr_layer_type(mg), merges[k].type) == 0);
        check_shape(g, y, "(None, 6)");
        CHECK_OK(nr_model_new(g, &x, 1, &y, 1, NULL, &m));
        check_counts(m, 48, 0);
        char cell[64];
        snprintf(cell, sizeof cell, "%s (%s)", merges[k].name, merges[k].type);
        const row rows[] = {{cell, "(None, 6)", "0"}, {"dense (Dense)", "(None, 6)", "24"}, {"dense_1 (Dense)", "(None, 6)", "24"}};
        check_summary(m, rows, 3, "48", "48", "0");
        /* Values: predict the merge and both branches. */
        CHECK_OK(nr_model_new(g, &x, 1, h, 2, "branches", &both));
        nr_tensor *xt, *py[1] = {NULL}, *ph[2] = {NULL, NULL};
        int64_t shape[2] = {4, 3};
        CHECK_OK(nr_tensor_new(&xt, 2, shape));
        for (int i = 0; i < 12; i++) xt->data[i] = (float)(i - 6) / 4.0f;
        const nr_tensor *xv[1] = {xt};
        if (CHECK_OK(nr_model_predict(m, xv, 32, py)) && CHECK_OK(nr_model_predict(both, xv, 32, ph))) {
            int bad = 0;
            for (int i = 0; i < 24; i++) {
                float a = ph[0]->data[i], b = ph[1]->data[i], want = 0;
                switch (merges[k].kind) {
                case NR_MERGE_ADD: want = a + b; break;
                case NR_MERGE_SUBTRACT: want = a - b; break;
                case NR_MERGE_MULTIPLY: want = a * b; break;
                case NR_MERGE_AVERAGE: want = (a + b) / 2; break;
                case NR_MERGE_MAXIMUM: want = a > b ? a : b; break;
                default: break;
                }
                bad += fabsf(py[0]->data[i] - want) > 1e-6f;
            }
            CHECK(bad == 0);
        }
        nr_tensor_free(py[0]);
        nr_tensor_free(ph[0]);
        nr_tensor_free(ph[1]);
        nr_tensor_free(xt);
        nr_graph_free(g);
    }
}

/* A Dense called on two inputs shares its 8*4+4 = 36 weights: counted once. */
static void shared_layer(void) {
    nr_graph *g;
    nr_model *m;
    nr_layer *add;
    CHECK_OK(nr_graph_new(&g, 1));
    nr_sym a = input(g, 1, 8, 0), b = input(g, 1, 8, 0);
    nr_layer *d = dense(g, 4, NR_ACT_RELU);
    nr_sym h[2] = {call1(d, a), call1(d, b)}, y;
    CHECK(h[0] != h[1]);
    CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = NR_MERGE_ADD}, &add));
    CHECK_OK(nr_layer_call(add, h, 2, &y));
    nr_sym ins[2] = {a, b};
    CHECK_OK(nr_model_new(g, ins, 2, &y, 1, "siamese", &m));
    CHECK(nr_layer_count_params(d) == 36);
    check_counts(m, 36, 0);
    const row rows[] = {{"dense (Dense)", "(None, 4)", "36"}, {"add (Add)", "(None, 4)", "0"}};
    check_summary(m, rows, 2, "36", "36", "0");
    /* One row for the shared layer, connected to both inputs. */
    char *text = summary_text(m), line[512];
    if (text) {
        const char *first = strstr(text, " dense (Dense)");
        CHECK(first && !strstr(first + 1, " dense (Dense)"));
        if (CHECK(find_block(text, " dense (Dense)", line, sizeof line)))
            CHECK(strstr(line, "['input_layer[0][0]',") && strstr(line, "'input_layer_1[0][0]']"));
        if (CHECK(find_block(text, " add (Add)", line, sizeof line)))
            CHECK(strstr(line, "['dense[0][0]',") && strstr(line, "'dense[1][0]']"));
    }
    free(text);
    /* Weight sharing: both inputs equal give both branches equal. */
    nr_tensor *xt, *p[1] = {NULL};
    nr_model *branches;
    int64_t shape[2] = {2, 8};
    CHECK_OK(nr_tensor_new(&xt, 2, shape));
    for (int i = 0; i < 16; i++) xt->data[i] = (float)i / 8.0f - 1.0f;
    CHECK_OK(nr_model_new(g, ins, 2, h, 2, "branches", &branches));
    const nr_tensor *xv[2] = {xt, xt};
    nr_tensor *pb[2] = {NULL, NULL};
    if (CHECK_OK(nr_model_predict(branches, xv, 32, pb)))
        CHECK(memcmp(pb[0]->data, pb[1]->data, 8 * sizeof(float)) == 0);
    if (CHECK_OK(nr_model_predict(m, xv, 32, p)))
        for (int i = 0; i < 8; i++) CHECK_CLOSE(p[0]->data[i], 2 * pb[0]->data[i], 1e-6, 0);
    nr_tensor_free(p[0]);
    nr_tensor_free(pb[0]);
    nr_tensor_free(pb[1]);
    nr_tensor_free(xt);
    nr_graph_free(g);
}

/* A frozen layer's weights are non-trainable, and training leaves them. */
static void frozen_layer(void) {
    nr_graph *g;
    nr_model *m;
    nr_layer *d1, *d2;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_OK(nr_sequential_new(g, NULL, &m));
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 16, .activation = NR_ACT_TANH,
                                          .base = {.input_shape = {10}, .input_ndim = 1, .frozen = 1}}, &d1));
    d2 = dense(g, 2, NR_ACT_LINEAR);
    CHECK_OK(nr_sequential_add(m, d1));
    CHECK_OK(nr_sequential_add(m, d2));
    CHECK(!nr_layer_trainable(d1) && nr_layer_trainable(d2));
    check_counts(m, 34, 176);
    const row rows[] = {{"dense (Dense)", "(None, 16)", "176"}, {"dense_1 (Dense)", "(None, 2)", "34"}};
    check_summary(m, rows, 2, "210", "34", "176");
    /* Unfreezing moves them back (Keras reads the flag when asked). */
    nr_layer_set_trainable(d1, 1);
    check_counts(m, 210, 0);
    nr_layer_set_trainable(d1, 0);
    nr_layer_set_trainable(d2, 0);
    check_counts(m, 0, 210);
    check_summary(m, rows, 2, "210", "0", "210");
    nr_layer_set_trainable(d2, 1);
    /* fit() trains d2 only. */
    CHECK_OK(nr_model_compile(m, &(nr_compile_opts){.optimizer = {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f},
                                                    .loss = {{.kind = NR_LOSS_MEAN_SQUARED_ERROR}}}));
    nr_tensor *x, *y, w1, w2;
    int64_t xs[2] = {8, 10}, ys[2] = {8, 2};
    CHECK_OK(nr_tensor_new(&x, 2, xs));
    CHECK_OK(nr_tensor_new(&y, 2, ys));
    for (int i = 0; i < 80; i++) x->data[i] = (float)((i * 7) % 11) / 11.0f;
    for (int i = 0; i < 16; i++) y->data[i] = (float)(i % 3);
    float k1[160], k2[32];
    CHECK_OK(nr_layer_weight(d1, 0, &w1));
    CHECK_OK(nr_layer_weight(d2, 0, &w2));
    memcpy(k1, w1.data, sizeof k1);
    memcpy(k2, w2.data, sizeof k2);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 2, .batch_size = 4}, NULL));
    CHECK_OK(nr_layer_weight(d1, 0, &w1));
    CHECK_OK(nr_layer_weight(d2, 0, &w2));
    CHECK(memcmp(k1, w1.data, sizeof k1) == 0);
    CHECK(memcmp(k2, w2.data, sizeof k2) != 0);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_graph_free(g);
}

/* A Sequential (Dense(8) on 4: 40, Dense(2): 18) used as a layer, called
 * twice inside a Functional model: its 58 weights counted once. */
static void model_as_layer(void) {
    nr_graph *g;
    nr_model *inner, *outer;
    nr_layer *il, *a, *b, *add;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_OK(nr_sequential_new(g, NULL, &inner));
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 8, .activation = NR_ACT_RELU, .base = {.input_shape = {4}, .input_ndim = 1}}, &a));
    b = dense(g, 2, NR_ACT_LINEAR);
    CHECK_OK(nr_sequential_add(inner, a));
    CHECK_OK(nr_sequential_add(inner, b));
    check_counts(inner, 58, 0);
    CHECK_OK(nr_model_as_layer(inner, &il));
    nr_layer *again;
    CHECK_OK(nr_model_as_layer(inner, &again));
    CHECK(again == il);
    nr_sym x1 = input(g, 1, 4, 0), x2 = input(g, 1, 4, 0);
    nr_sym h[2] = {call1(il, x1), call1(il, x2)}, s, y;
    check_shape(g, h[0], "(None, 2)");
    CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = NR_MERGE_SUBTRACT}, &add));
    CHECK_OK(nr_layer_call(add, h, 2, &s));
    nr_layer *head = dense(g, 1, NR_ACT_LINEAR);
    y = call1(head, s);
    nr_sym ins[2] = {x1, x2};
    CHECK_OK(nr_model_new(g, ins, 2, &y, 1, NULL, &outer));
    CHECK(strcmp(nr_model_name(outer), "functional") == 0);
    check_counts(outer, 61, 0);
    const row rows[] = {{"sequential (Sequential)", "(None, 2)", "58"}, {"subtract (Subtract)", "(None, 2)", "0"},
                        {"dense_2 (Dense)", "(None, 1)", "3"}};
    check_summary(outer, rows, 3, "61", "61", "0");
    /* The inner model's own summary is unchanged by being used. */
    const row inner_rows[] = {{"dense (Dense)", "(None, 8)", "40"}, {"dense_1 (Dense)", "(None, 2)", "18"}};
    check_summary(inner, inner_rows, 2, "58", "58", "0");
    /* Same input twice: the two calls agree, so the difference is 0 and the
     * output is the head's bias (0). */
    nr_tensor *xt, *p[1] = {NULL};
    int64_t shape[2] = {3, 4};
    CHECK_OK(nr_tensor_new(&xt, 2, shape));
    for (int i = 0; i < 12; i++) xt->data[i] = (float)i / 3.0f;
    const nr_tensor *xv[2] = {xt, xt};
    if (CHECK_OK(nr_model_predict(outer, xv, 32, p)))
        for (int i = 0; i < 3; i++) CHECK(p[0]->data[i] == 0.0f);
    nr_tensor_free(p[0]);
    nr_tensor_free(xt);
    /* Freezing the inner model's layers makes them non-trainable outside. */
    nr_layer_set_trainable(a, 0);
    check_counts(outer, 21, 40);
    nr_graph_free(g);
}

/* Dense on (None, 10, 8) applies one (8, 4) kernel to every step: (None, 10, 4). */
static void dense_3d(void) {
    nr_graph *g;
    nr_model *m;
    CHECK_OK(nr_graph_new(&g, 3));
    nr_sym x = input(g, 2, 10, 8);
    nr_layer *d = dense(g, 4, NR_ACT_LINEAR);
    nr_sym y = call1(d, x);
    check_shape(g, y, "(None, 10, 4)");
    CHECK_OK(nr_model_new(g, &x, 1, &y, 1, NULL, &m));
    check_counts(m, 36, 0);
    const row rows[] = {{"dense (Dense)", "(None, 10, 4)", "36"}};
    check_summary(m, rows, 1, "36", "36", "0");
    nr_tensor kv, bv, *xt, *p[1] = {NULL};
    CHECK_OK(nr_layer_weight(d, 0, &kv));
    CHECK_OK(nr_layer_weight(d, 1, &bv));
    for (int i = 0; i < 4; i++) bv.data[i] = 0.25f * (float)i;
    int64_t shape[3] = {2, 10, 8};
    CHECK_OK(nr_tensor_new(&xt, 3, shape));
    for (int i = 0; i < 160; i++) xt->data[i] = (float)((i * 13) % 7) - 3.0f;
    const nr_tensor *xv[1] = {xt};
    if (CHECK_OK(nr_model_predict(m, xv, 32, p))) {
        CHECK(p[0]->ndim == 3 && p[0]->shape[0] == 2 && p[0]->shape[1] == 10 && p[0]->shape[2] == 4);
        int bad = 0;
        for (int r = 0; r < 20; r++)
            for (int o = 0; o < 4; o++) {
                double s = bv.data[o];
                for (int i = 0; i < 8; i++) s += (double)xt->data[r * 8 + i] * kv.data[i * 4 + o];
                bad += fabs(p[0]->data[r * 4 + o] - s) > 1e-5;
            }
        CHECK(bad == 0);
    }
    nr_tensor_free(p[0]);
    nr_tensor_free(xt);
    nr_graph_free(g);
}

/* --- errors --------------------------------------------------------------- */

static void errors(void) {
    nr_graph *g;
    nr_layer *l = NULL, *d;
    nr_sym y;
    nr_model *m;
    CHECK_OK(nr_graph_new(&g, 1));
    nr_sym x5 = input(g, 1, 5, 0), x7 = input(g, 1, 7, 0);

    /* A Dense built on 5 inputs, called on 7. */
    d = dense(g, 3, NR_ACT_LINEAR);
    call1(d, x5);
    CHECK_STATUS(nr_layer_call(d, &x7, 1, &y), NR_STATUS_BAD_SHAPE);
    CHECK(y == NR_SYM_NONE);
    CHECK(message_has("\"dense\"", "(None, 7)", "5"));
    /* ... and the same layer in a Sequential of 7 inputs. */
    CHECK_OK(nr_sequential_new(g, NULL, &m));
    nr_layer *first;
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 7, .base = {.input_shape = {4}, .input_ndim = 1}}, &first));
    CHECK_OK(nr_sequential_add(m, first));
    CHECK_STATUS(nr_sequential_add(m, d), NR_STATUS_BAD_SHAPE);
    CHECK(message_has("sequential", "(None, 7)", "dense"));
    /* Data of the wrong shape for a model: both shapes in the message. */
    {
        nr_model *mm;
        nr_sym out = NR_SYM_NONE;
        nr_layer *dd = dense(g, 2, NR_ACT_LINEAR);
        out = call1(dd, x5);
        CHECK_OK(nr_model_new(g, &x5, 1, &out, 1, "wrong_data", &mm));
        nr_tensor *bad, *p[1] = {NULL};
        int64_t shape[2] = {4, 6};
        CHECK_OK(nr_tensor_new(&bad, 2, shape));
        const nr_tensor *xv[1] = {bad};
        CHECK_STATUS(nr_model_predict(mm, xv, 32, p), NR_STATUS_BAD_SHAPE);
        CHECK(p[0] == NULL);
        CHECK(message_has("(4, 6)", "(None, 5)", NULL));
        nr_tensor_free(bad);
    }

    /* Graph disconnected: the output does not come from the given input. */
    {
        nr_sym out = call1(dense(g, 2, NR_ACT_LINEAR), x7);
        nr_model *dm = (nr_model *)1;
        CHECK_STATUS(nr_model_new(g, &x5, 1, &out, 1, NULL, &dm), NR_STATUS_BAD_ARGUMENT);
        CHECK(dm == NULL);
        CHECK(message_has("disconnected", NULL, NULL));
        /* With both inputs given it is fine. */
        nr_sym ins[2] = {x5, x7}, outs[2] = {out, call1(d, x5)};
        CHECK_OK(nr_model_new(g, ins, 2, outs, 2, NULL, &dm));
        /* A non-Input as a model input. */
        CHECK_STATUS(nr_model_new(g, &out, 1, &out, 1, NULL, &dm), NR_STATUS_BAD_ARGUMENT);
        nr_sym nowhere = 100000;
        CHECK_STATUS(nr_model_new(g, &x5, 1, &nowhere, 1, NULL, &dm), NR_STATUS_BAD_ARGUMENT);
    }

    /* Concatenate: (None, 4, 3) and (None, 5, 2) differ off the axis. */
    {
        nr_sym a = input(g, 2, 4, 3), b = input(g, 2, 5, 2), ab[2] = {a, b};
        CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = NR_MERGE_CONCATENATE}, &l));
        CHECK_STATUS(nr_layer_call(l, ab, 2, &y), NR_STATUS_BAD_SHAPE);
        CHECK(message_has("(None, 4, 3)", "(None, 5, 2)", "concatenate"));
        /* Along axis 1 they differ on axis 2 too. */
        CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = NR_MERGE_CONCATENATE, .axis = 1}, &l));
        CHECK_STATUS(nr_layer_call(l, ab, 2, &y), NR_STATUS_BAD_SHAPE);
        /* Different ranks. */
        nr_sym ax[2] = {a, x5};
        CHECK_STATUS(nr_layer_call(l, ax, 2, &y), NR_STATUS_BAD_SHAPE);
        /* Add of different shapes. */
        nr_sym x57[2] = {x5, x7};
        CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = NR_MERGE_ADD}, &l));
        CHECK_STATUS(nr_layer_call(l, x57, 2, &y), NR_STATUS_BAD_SHAPE);
        CHECK(message_has("(None, 5)", "(None, 7)", NULL));
        /* Subtract takes exactly two. */
        nr_sym three[3] = {x5, x5, x5};
        CHECK_OK(nr_merge(g, &(nr_merge_opts){.kind = NR_MERGE_SUBTRACT}, &l));
        CHECK(nr_layer_call(l, three, 3, &y) != NR_OK);
        CHECK(y == NR_SYM_NONE);
        CHECK_STATUS(nr_merge(g, &(nr_merge_opts){.kind = (nr_merge_kind)42}, &l), NR_STATUS_BAD_ARGUMENT);
    }

    /* Bad layer options. */
    CHECK_STATUS(nr_dense(g, &(nr_dense_opts){.units = 0}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK(l == NULL);
    CHECK(message_has("units", NULL, NULL));
    CHECK_STATUS(nr_dense(g, &(nr_dense_opts){.units = -3}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_dense(g, &(nr_dense_opts){.units = 4, .activation = NR_ACT_COUNT_}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_dropout(g, &(nr_dropout_opts){.rate = 1.5f}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK(l == NULL);
    CHECK(message_has("rate", "1.5", NULL));
    CHECK_STATUS(nr_dropout(g, &(nr_dropout_opts){.rate = 1.0f}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_dropout(g, &(nr_dropout_opts){.rate = -0.1f}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_dropout(g, &(nr_dropout_opts){.rate = NAN}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_leaky_relu(g, &(nr_leaky_relu_opts){.negative_slope = -1}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_softmax(g, &(nr_softmax_opts){.axis = 1}, &l), NR_STATUS_UNSUPPORTED);
    CHECK_STATUS(nr_reshape(g, &(nr_reshape_opts){.target_shape = {-1, -1}, .ndim = 2}, &l), NR_STATUS_BAD_SHAPE);
    CHECK_STATUS(nr_reshape(g, &(nr_reshape_opts){.target_shape = {0, 3}, .ndim = 2}, &l), NR_STATUS_BAD_SHAPE);
    CHECK_STATUS(nr_reshape(g, &(nr_reshape_opts){.ndim = 0}, &l), NR_STATUS_BAD_SHAPE);
    CHECK_STATUS(nr_input(g, &(nr_input_opts){.shape = {0}, .ndim = 1}, &y), NR_STATUS_BAD_SHAPE);
    CHECK_STATUS(nr_input(g, &(nr_input_opts){.ndim = 0}, &y), NR_STATUS_BAD_SHAPE);
    /* Reshape of 7 values into (2, 4) or (3, -1). */
    CHECK_OK(nr_reshape(g, &(nr_reshape_opts){.target_shape = {2, 4}, .ndim = 2}, &l));
    CHECK_STATUS(nr_layer_call(l, &x7, 1, &y), NR_STATUS_BAD_SHAPE);
    CHECK(message_has("(None, 7)", "(2, 4)", NULL));
    CHECK_OK(nr_reshape(g, &(nr_reshape_opts){.target_shape = {3, -1}, .ndim = 2}, &l));
    CHECK_STATUS(nr_layer_call(l, &x7, 1, &y), NR_STATUS_BAD_SHAPE);
    /* Names: a taken name is refused, an auto-name skips taken ones. */
    CHECK_STATUS(nr_dense(g, &(nr_dense_opts){.units = 2, .base = {.name = "dense"}}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK(message_has("dense", NULL, NULL));
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 2, .base = {.name = "custom"}}, &l));
    check_name(l, "custom");
    /* A layer called with the wrong number of inputs. */
    nr_sym two[2] = {x5, x5};
    CHECK_STATUS(nr_layer_call(d, two, 2, &y), NR_STATUS_BAD_ARGUMENT);
    /* A Sequential needs an input shape before compile can prepare it. */
    {
        nr_model *s;
        CHECK_OK(nr_sequential_new(g, "no_shape", &s));
        CHECK_OK(nr_sequential_add(s, dense(g, 2, NR_ACT_LINEAR)));
        nr_logs logs;
        nr_tensor *xt;
        int64_t shape[2] = {3, 5};
        CHECK_OK(nr_tensor_new(&xt, 2, shape));
        const nr_tensor *xv[1] = {xt};
        CHECK_STATUS(nr_model_evaluate(s, xv, xv, NULL, &logs), NR_STATUS_STATE); /* not compiled */
        nr_tensor_free(xt);
    }
    nr_graph_free(g);
}

int main(void) {
    sequential_mlp();
    sequential_shape_layers();
    functional_two_inputs();
    merge_layers();
    shared_layer();
    frozen_layer();
    model_as_layer();
    dense_3d();
    errors();
    return nr_test_finish();
}
