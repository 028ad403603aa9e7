/* SimpleRNN, LSTM, GRU and Bidirectional as layers: shapes and parameter
 * counts, Keras's initial weights (orthogonal recurrent kernel, forget
 * bias 1), return_state outputs, SPEC text and its round trip, errors,
 * long sequences, and learning a sequence task. */
#include <math.h>
#include <string.h>
#include "testutil.h"

static nr_model *load(const char *text, nr_spec **s) {
    if (!CHECK_OK(nr_spec_load_string(text, "rnn.nr", 1, s))) return NULL;
    return nr_spec_model(*s);
}

static void shapes_and_round_trip(void) {
    const char *text = "model = Sequential([Input(shape=(12, 3)),\n"
                       "    LSTM(8, return_sequences=True, name=\"enc\"),\n"
                       "    Bidirectional(GRU(4, return_sequences=True), merge_mode=\"ave\"),\n"
                       "    Bidirectional(SimpleRNN(5, activation=\"relu\", go_backwards=True)),\n"
                       "    Dense(1)])\n";
    nr_spec *s;
    nr_model *m = load(text, &s);
    if (!m) return;
    /* LSTM 4 (8 (3 + 8) + 8); GRU 3 (4 (8 + 4) + 2 4) twice; SimpleRNN 5 (4 + 5) + 5 twice */
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 384 + 2 * 168 + 2 * 50 + 11 && f == 0);
    nr_test_summary_has(m, "enc (LSTM)                   (None, 12, 8)             384");
    nr_test_summary_has(m, "(None, 12, 4)             336");
    nr_test_summary_has(m, "(None, 10)                100");
    nr_layer *bi = nr_model_get_layer(m, "bidirectional");
    CHECK(bi && nr_layer_n_weights(bi) == 6);
    char *written = NULL;
    CHECK_OK(nr_model_to_spec(m, &written));
    CHECK(written && strstr(written, "Bidirectional(GRU(4, return_sequences=True") != NULL);
    CHECK(written && strstr(written, "merge_mode=\"ave\"") != NULL);
    CHECK(written && strstr(written, "activation=\"relu\", go_backwards=True") != NULL);
    nr_spec *s2;
    nr_model *m2 = written ? load(written, &s2) : NULL;
    if (m2) {
        char *again = NULL;
        CHECK_OK(nr_model_to_spec(m2, &again));
        CHECK(again && strcmp(again, written) == 0);
        nr_model_count_params(m2, &t, &f);
        CHECK(t == 831);
        nr_free_string(again);
        nr_spec_free(s2);
    }
    nr_free_string(written);
    nr_spec_free(s);
}

/* As in Keras, Bidirectional copies the wrapped layer's options: the layer
 * itself can be used elsewhere too, with weights of its own. */
static void wrap_used_layer(void) {
    nr_spec *s;
    nr_model *m = load("l = LSTM(3, return_sequences=True)\nmodel = Sequential([Input(shape=(4, 2)), l, Bidirectional(l)])\n", &s);
    if (!m) return;
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 72 + 168);
    nr_test_summary_has(m, "bidirectional (Bidirectional (None, 4, 6)              168");
    nr_spec_free(s);
}

/* Embedding(mask_zero=True) masks the padding: a right-padded sequence
 * gives the output of the unpadded one, for every cell and for both
 * halves of a Bidirectional (the backward half meets the padding first
 * and carries its zero state through it). */
static void padding_is_masked(void) {
    const char *cells[] = {"SimpleRNN(4)", "LSTM(4)", "GRU(4)", "Bidirectional(LSTM(3))", "GRU(4, go_backwards=True)"};
    for (int c = 0; c < 5; c++) {
        char text[512];
        snprintf(text, sizeof text,
                 "emb = Embedding(10, 3, mask_zero=True)\nrnn = %s\n"
                 "a = Input(shape=(5,))\nb = Input(shape=(2,))\n"
                 "padded = Model(a, rnn(emb(a)))\nshort = Model(b, rnn(emb(b)))\n", cells[c]);
        nr_spec *s;
        if (!CHECK_OK(nr_spec_load_string(text, "mask.nr", 1, &s))) continue;
        nr_tensor *xa, *xb, *ya[1], *yb[1];
        CHECK_OK(nr_tensor_new(&xa, 2, (int64_t[]){2, 5}));
        CHECK_OK(nr_tensor_new(&xb, 2, (int64_t[]){2, 2}));
        const float pa[10] = {5, 2, 0, 0, 0, 7, 1, 0, 0, 0}, pb[4] = {5, 2, 7, 1};
        memcpy(xa->data, pa, sizeof pa);
        memcpy(xb->data, pb, sizeof pb);
        const nr_tensor *av[1] = {xa}, *bv[1] = {xb};
        CHECK_OK(nr_model_predict(nr_spec_get_model(s, "padded"), av, 2, ya));
        CHECK_OK(nr_model_predict(nr_spec_get_model(s, "short"), bv, 2, yb));
        nr_test_close_arrays(ya[0]->data, yb[0]->data, (size_t)nr_tensor_numel(yb[0]), 1e-6, 1e-5, cells[c]);
        nr_tensor_free(ya[0]), nr_tensor_free(yb[0]), nr_tensor_free(xa), nr_tensor_free(xb);
        nr_spec_free(s);
    }
}

/* Keras's initializers: recurrent_kernel (U, 4U) has orthonormal rows; the
 * LSTM bias is zeros with the forget block at 1; GRU's (2, 3U) is zeros. */
static void initial_weights(void) {
    nr_spec *s;
    nr_model *m = load("model = Sequential([Input(shape=(5, 2)), LSTM(6, return_sequences=True), GRU(3)])\n", &s);
    if (!m) return;
    nr_tensor U, b, gb;
    CHECK_OK(nr_layer_weight(nr_model_get_layer(m, "lstm"), 1, &U));
    CHECK_OK(nr_layer_weight(nr_model_get_layer(m, "lstm"), 2, &b));
    CHECK(U.ndim == 2 && U.shape[0] == 6 && U.shape[1] == 24);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            double dot = 0;
            for (int k = 0; k < 24; k++) dot += (double)U.data[i * 24 + k] * U.data[j * 24 + k];
            CHECK_CLOSE(dot, i == j ? 1.0 : 0.0, 1e-5, 0);
        }
    for (int k = 0; k < 24; k++) CHECK(b.data[k] == (k >= 6 && k < 12 ? 1.0f : 0.0f));
    CHECK_OK(nr_layer_weight(nr_model_get_layer(m, "gru"), 2, &gb));
    CHECK(gb.ndim == 2 && gb.shape[0] == 2 && gb.shape[1] == 9);
    nr_spec_free(s);
}

/* return_state through the C API: the last output equals h; c is there. */
static void return_state(void) {
    nr_graph *g;
    CHECK_OK(nr_graph_new(&g, 3));
    nr_sym x, outs[4];
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {6, 2}, .ndim = 2}, &x));
    nr_layer *l;
    CHECK_OK(nr_lstm(g, &(nr_rnn_opts){.units = 4, .return_state = 1}, &l));
    int n = 0;
    CHECK_OK(nr_layer_call_outputs(l, &x, 1, outs, 4, &n));
    CHECK(n == 3);
    nr_model *m;
    CHECK_OK(nr_model_new(g, &x, 1, outs, 3, "states", &m));
    nr_tensor *in, *y[3];
    CHECK_OK(nr_tensor_new(&in, 3, (int64_t[]){2, 6, 2}));
    for (int64_t i = 0; i < 24; i++) in->data[i] = sinf((float)i);
    const nr_tensor *xv[1] = {in};
    CHECK_OK(nr_model_predict(m, xv, 2, y));
    for (int k = 0; k < 3; k++) CHECK(y[k]->ndim == 2 && y[k]->shape[1] == 4);
    nr_test_close_arrays(y[0]->data, y[1]->data, 8, 0, 0, "LSTM return_state: output == h");
    int differs = 0;
    for (int i = 0; i < 8; i++) differs |= y[2]->data[i] != y[1]->data[i];
    CHECK(differs);
    for (int k = 0; k < 3; k++) nr_tensor_free(y[k]);
    nr_tensor_free(in);
    /* fewer slots than outputs */
    nr_layer *l2;
    CHECK_OK(nr_gru(g, &(nr_rnn_opts){.units = 2, .return_state = 1}, &l2));
    CHECK_STATUS(nr_layer_call_outputs(l2, &x, 1, outs, 1, &n), NR_STATUS_BAD_ARGUMENT);
    nr_graph_free(g);
}

/* SPEC's tuple assignment and initial_state: an encoder's final states
 * start a decoder (the seq2seq pattern), and the written SPEC rebuilds it. */
static void encoder_decoder(void) {
    const char *text = "enc_in = Input(shape=(6, 3))\n"
                       "dec_in = Input(shape=(4, 2))\n"
                       "out, h, c = LSTM(8, return_state=True)(enc_in)\n"
                       "seq = LSTM(8, return_sequences=True)(dec_in, initial_state=[h, c])\n"
                       "y = Dense(2)(seq)\n"
                       "model = Model([enc_in, dec_in], y)\n";
    nr_spec *s;
    nr_model *m = load(text, &s);
    if (!m) return;
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 4 * (8 * 12) + 4 * (8 * 11) + 18);
    char *written = NULL;
    CHECK_OK(nr_model_to_spec(m, &written));
    nr_spec *s2;
    nr_model *m2 = written ? load(written, &s2) : NULL;
    if (m2) {
        nr_model_count_params(m2, &t, &f);
        CHECK(t == 4 * (8 * 12) + 4 * (8 * 11) + 18);
        nr_spec_free(s2);
    } else {
        fprintf(stderr, "  written:\n%s\n", written ? written : "(none)");
    }
    nr_free_string(written);
    nr_spec_free(s);
    nr_test_spec_fails("i = Input(shape=(6, 3))\na, b = LSTM(8, return_state=True)(i)\n", NR_STATUS_BAD_ARGUMENT,
                       "cannot unpack a list of 3");
    nr_test_spec_fails("i = Input(shape=(6, 3))\ny = Dense(3)(i, initial_state=i)\n", NR_STATUS_BAD_ARGUMENT,
                       "initial_state is an argument of recurrent layers");
}

/* Bidirectional(LSTM(return_state=True)): the merged output, then the
 * forward h and c, then the backward ones (five outputs); the forward h
 * is the first half of the merged output. */
static void bidirectional_states(void) {
    const char *text = "x = Input(shape=(5, 2))\n"
                       "y, fh, fc, bh, bc = Bidirectional(LSTM(3, return_state=True))(x)\n"
                       "model = Model(x, [y, fh, fc, bh, bc])\n";
    nr_spec *s;
    nr_model *m = load(text, &s);
    if (!m) return;
    nr_tensor *in, *out[5];
    CHECK_OK(nr_tensor_new(&in, 3, (int64_t[]){2, 5, 2}));
    for (int i = 0; i < 20; i++) in->data[i] = cosf((float)i);
    const nr_tensor *xv[1] = {in};
    CHECK_OK(nr_model_predict(m, xv, 2, out));
    CHECK(out[0]->shape[1] == 6 && out[1]->shape[1] == 3 && out[4]->shape[1] == 3);
    for (int r = 0; r < 2; r++) {
        nr_test_close_arrays(out[0]->data + r * 6, out[1]->data + r * 3, 3, 0, 0, "forward h = merged[:3]");
        nr_test_close_arrays(out[0]->data + r * 6 + 3, out[3]->data + r * 3, 3, 0, 0, "backward h = merged[3:]");
    }
    for (int k = 0; k < 5; k++) nr_tensor_free(out[k]);
    nr_tensor_free(in);
    char *written = NULL;
    CHECK_OK(nr_model_to_spec(m, &written));
    nr_spec *s2;
    if (written && CHECK_OK(nr_spec_load_string(written, "w.nr", 1, &s2))) nr_spec_free(s2);
    nr_free_string(written);
    nr_spec_free(s);
}

static void errors(void) {
    nr_test_spec_fails("Sequential([Input(shape=(4,)), LSTM(3)])\n", NR_STATUS_BAD_SHAPE,
                       "needs input (batch, timesteps, features)");
    nr_test_spec_fails("Sequential([Input(shape=(4, 2)), LSTM(0)])\n", NR_STATUS_BAD_ARGUMENT, "units");
    nr_test_spec_fails("Sequential([Input(shape=(4, 2)), GRU(3, dropout=1.0)])\n", NR_STATUS_BAD_ARGUMENT, "dropout");
    nr_test_spec_fails("Sequential([Input(shape=(4, 2)), LSTM(3, stateful=True)])\n", NR_STATUS_UNSUPPORTED,
                       "stateful=True");
    nr_test_spec_fails("Sequential([Input(shape=(4, 2)), SimpleRNN(3, activation=\"softmax\")])\n",
                       NR_STATUS_BAD_ARGUMENT, "not an elementwise activation");
    nr_test_spec_fails("Sequential([Input(shape=(4, 2)), Bidirectional(Dense(3))])\n", NR_STATUS_BAD_ARGUMENT,
                       "must be a SimpleRNN, LSTM or GRU layer");
    nr_test_spec_fails("Sequential([Input(shape=(4, 2)), Bidirectional(LSTM(3), merge_mode=\"max\")])\n",
                       NR_STATUS_PARSE, "merge_mode");
    nr_test_spec_fails("i = Input(shape=(4, 2))\nh = Input(shape=(5,))\nmodel = Model(i, LSTM(3)(i))\n"
                       "y = GRU(3)(i, h)\n",
                       NR_STATUS_BAD_SHAPE, "initial state 0 must be (None, 3)");
}

/* Sequences of 1 and 1000 steps train without overflow or NaN. */
static void long_and_short(void) {
    for (int T = 1; T <= 1000; T += 999) {
        char text[160];
        snprintf(text, sizeof text,
                 "model = Sequential([Input(shape=(%d, 1)), LSTM(4), Dense(1)])\n"
                 "model.compile(optimizer=\"adam\", loss=\"mse\")\n", T);
        nr_spec *s;
        nr_model *m = load(text, &s);
        if (!m) return;
        nr_tensor *x, *y;
        CHECK_OK(nr_tensor_new(&x, 3, (int64_t[]){8, T, 1}));
        CHECK_OK(nr_tensor_new(&y, 2, (int64_t[]){8, 1}));
        for (int64_t i = 0; i < 8 * T; i++) x->data[i] = sinf(0.01f * (float)i);
        for (int i = 0; i < 8; i++) y->data[i] = (float)i / 8;
        const nr_tensor *xv[1] = {x}, *yv[1] = {y};
        nr_logs logs = {0};
        CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 2, .batch_size = 4}, NULL));
        CHECK_OK(nr_model_evaluate(m, xv, yv, &(nr_eval_opts){0}, &logs));
        CHECK(isfinite(nr_logs_get(&logs, "loss")));
        nr_tensor_free(x);
        nr_tensor_free(y);
        nr_spec_free(s);
    }
}

/* Which half of a 10-step sequence holds the larger sum: a task that
 * needs memory across the sequence. Each cell learns it to 90%. */
static void learn(void) {
    const char *cells[] = {"SimpleRNN(16)", "LSTM(16)", "GRU(16)", "Bidirectional(LSTM(8))"};
    const int N = 768, T = 10;
    nr_tensor *x, *y;
    CHECK_OK(nr_tensor_new(&x, 3, (int64_t[]){N, T, 1}));
    CHECK_OK(nr_tensor_new(&y, 1, (int64_t[]){N}));
    uint32_t r = 12345;
    for (int n = 0; n < N; n++) {
        float first = 0, second = 0;
        for (int t = 0; t < T; t++) {
            r = r * 1664525u + 1013904223u;
            float v = (float)(r >> 8) / 16777216.0f * 2 - 1;
            x->data[n * T + t] = v;
            *(t < T / 2 ? &first : &second) += v;
        }
        y->data[n] = first > second;
    }
    for (int c = 0; c < 4; c++) {
        char text[256];
        snprintf(text, sizeof text,
                 "model = Sequential([Input(shape=(10, 1)), %s, Dense(2, activation=\"softmax\")])\n"
                 "model.compile(optimizer=Adam(learning_rate=0.01), loss=\"sparse_categorical_crossentropy\", "
                 "metrics=[\"accuracy\"])\n", cells[c]);
        nr_spec *s;
        nr_model *m = load(text, &s);
        if (!m) continue;
        const nr_tensor *xv[1] = {x}, *yv[1] = {y};
        nr_logs logs = {0};
        CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 15, .batch_size = 32}, NULL));
        CHECK_OK(nr_model_evaluate(m, xv, yv, &(nr_eval_opts){0}, &logs));
        double acc = nr_logs_get(&logs, "accuracy");
        printf("  %s: accuracy %.3f\n", cells[c], acc);
        CHECK(acc >= 0.9);
        nr_spec_free(s);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
}

int main(void) {
    shapes_and_round_trip();
    initial_weights();
    wrap_used_layer();
    padding_is_masked();
    return_state();
    encoder_decoder();
    bidirectional_states();
    errors();
    long_and_short();
    learn();
    return nr_test_finish();
}
