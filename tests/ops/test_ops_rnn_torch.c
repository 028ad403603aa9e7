/* NR_OP_RNN against PyTorch's nn.RNN/nn.LSTM/nn.GRU (weights mapped from
 * Keras's layout, see scripts/gen_rnn_fixtures.py): outputs, final states
 * and the gradients with respect to x, the kernels, the biases and the
 * initial states, on both backends; a bidirectional LSTM as two ops; an
 * LSTM stacked under a GRU. */
#include "ops/fixture.h"
#include "ops/opcheck.h"

typedef struct fcase {
    const char *name;
    int cell, seq, backwards, state, reset_after;
} fcase;

static const fcase cases[] = {
    {"simple_seq", NR_RNN_SIMPLE, 1, 0, 0, 0},  {"simple_back", NR_RNN_SIMPLE, 0, 1, 0, 0},
    {"lstm_seq", NR_RNN_LSTM, 1, 0, 0, 0},      {"lstm_state", NR_RNN_LSTM, 0, 0, 1, 0},
    {"lstm_back", NR_RNN_LSTM, 1, 1, 0, 0},     {"gru_seq", NR_RNN_GRU, 1, 0, 0, 1},
    {"gru_back_state", NR_RNN_GRU, 0, 1, 1, 1}, {"gru_before", NR_RNN_GRU, 1, 0, 0, 0},
    {"lstm_long", NR_RNN_LSTM, 0, 0, 0, 0},
};

/* Adds an input shaped like fixture tensor t (batched: its first dim is N). */
static int input_like(opcheck *c, const fx_tensor *t, int batched) {
    int id = oc_input(c, batched, t->ndim - batched, t->dims + batched, 1);
    memcpy(c->val[id], t->v, (size_t)t->n * sizeof(float));
    return id;
}

/* The op for a case on the fixture's tensors named <p>.x ... (suffixes
 * W, U, b are given to allow the bidirectional halves). */
static int build(opcheck *c, const fixture *fx, const char *p, const char *sfx, const fcase *k, int keep_order) {
    char key[64];
    const fx_tensor *x = fx_need(fx, p, ".x");
    snprintf(key, sizeof key, ".W%s", sfx);
    const fx_tensor *W = fx_need(fx, p, key);
    snprintf(key, sizeof key, ".U%s", sfx);
    const fx_tensor *U = fx_need(fx, p, key);
    snprintf(key, sizeof key, ".b%s", sfx);
    const fx_tensor *b = fx_need(fx, p, key);
    const fx_tensor *h0 = fx_get(fx, p, ".h0"), *c0 = fx_get(fx, p, ".c0"), *y = fx_need(fx, p, ".y");
    if (!x || !W || !U || !b || !y) return -1;
    oc_init(c, x->dims[0], 1);
    int ids[7], n = 0;
    ids[n++] = input_like(c, x, 1);
    ids[n++] = input_like(c, W, 0);
    ids[n++] = input_like(c, U, 0);
    ids[n++] = input_like(c, b, 0);
    if (h0) ids[n++] = input_like(c, h0, 1);
    if (c0) ids[n++] = input_like(c, c0, 1);
    nr_op_attrs a = {.rnn = {.cell = (unsigned char)k->cell, .act = NR_ACT_TANH, .rec_act = NR_ACT_SIGMOID,
                             .go_backwards = (unsigned char)k->backwards, .return_sequences = (unsigned char)k->seq,
                             .return_state = (unsigned char)k->state, .reset_after = (unsigned char)k->reset_after,
                             .has_bias = 1, .has_init = h0 != NULL, .keep_order = (unsigned char)keep_order,
                             .units = (int)U->dims[0]}};
    int64_t rows = (k->seq ? x->dims[1] : 1) + (k->state ? (k->cell == NR_RNN_LSTM ? 2 : 1) : 0);
    int64_t shape[2] = {rows, U->dims[0]};
    return k->seq || k->state ? oc_op(c, NR_OP_RNN, a, ids, n, 1, 2, shape) : oc_op(c, NR_OP_RNN, a, ids, n, 1, 1, shape + 1);
}

static void check_grads(const opcheck *c, const fixture *fx, const char *p, const char *const *names, int n,
                        const char *what) {
    char msg[256];
    for (int i = 0; i < n; i++) {
        const fx_tensor *g = fx_need(fx, p, names[i]);
        snprintf(msg, sizeof msg, "%s %s%s", what, p, names[i]);
        if (g && CHECK(g->n == oc_numel(c, i))) nr_test_close_arrays(c->grad[i], g->v, (size_t)g->n, 1e-5, 1e-4, msg);
    }
}

static void one_case(const fixture *fx, const fcase *k, const nr_backend *be) {
    opcheck c;
    int y = build(&c, fx, k->name, "", k, 0);
    if (y < 0) return;
    char msg[128];
    snprintf(msg, sizeof msg, "%s %s: y", be->name, k->name);
    oc_forward(&c, be);
    const fx_tensor *ty = fx_need(fx, k->name, ".y"), *dy = fx_need(fx, k->name, ".dy");
    nr_test_close_arrays(c.val[y], ty->v, (size_t)ty->n, 1e-5, 1e-4, msg);
    oc_backward(&c, be, dy->v);
    static const char *const names[] = {".dx", ".dW", ".dU", ".db", ".dh0", ".dc0"};
    snprintf(msg, sizeof msg, "%s gradient", be->name);
    check_grads(&c, fx, k->name, names, y, msg);
    oc_free(&c);
}

/* Forward half and backward half (go_backwards, outputs in time order),
 * concatenated on the last axis as Bidirectional's default merge. */
static void bidirectional(const fixture *fx, const nr_backend *be) {
    fcase k = {"bidir", NR_RNN_LSTM, 1, 0, 0, 0};
    opcheck f, b;
    fcase kb = k;
    kb.backwards = 1;
    int yf = build(&f, fx, "bidir", "f", &k, 0), yb = build(&b, fx, "bidir", "b", &kb, 1);
    if (yf < 0 || yb < 0) return;
    const fx_tensor *ty = fx_need(fx, "bidir", ".y"), *dy = fx_need(fx, "bidir", ".dy");
    int64_t rows = ty->dims[0] * ty->dims[1], U = ty->dims[2] / 2;
    float *y = oc_alloc(ty->n), *dyf = oc_alloc(rows * U), *dyb = oc_alloc(rows * U);
    oc_forward(&f, be);
    oc_forward(&b, be);
    for (int64_t r = 0; r < rows; r++) {
        memcpy(y + r * 2 * U, f.val[yf] + r * U, (size_t)U * sizeof *y);
        memcpy(y + r * 2 * U + U, b.val[yb] + r * U, (size_t)U * sizeof *y);
        memcpy(dyf + r * U, dy->v + r * 2 * U, (size_t)U * sizeof *y);
        memcpy(dyb + r * U, dy->v + r * 2 * U + U, (size_t)U * sizeof *y);
    }
    nr_test_close_arrays(y, ty->v, (size_t)ty->n, 1e-5, 1e-4, "bidirectional y");
    oc_backward(&f, be, dyf);
    oc_backward(&b, be, dyb);
    const fx_tensor *dx = fx_need(fx, "bidir", ".dx");
    for (int64_t i = 0; i < dx->n; i++) f.grad[0][i] += b.grad[0][i];
    nr_test_close_arrays(f.grad[0], dx->v, (size_t)dx->n, 1e-5, 1e-4, "bidirectional dx");
    static const char *const fw[] = {".dx", ".dWf", ".dUf", ".dbf"}, *bw[] = {".dx", ".dWb", ".dUb", ".dbb"};
    for (int i = 1; i < 4; i++) {
        const fx_tensor *gf = fx_need(fx, "bidir", fw[i]), *gb = fx_need(fx, "bidir", bw[i]);
        nr_test_close_arrays(f.grad[i], gf->v, (size_t)gf->n, 1e-5, 1e-4, fw[i]);
        nr_test_close_arrays(b.grad[i], gb->v, (size_t)gb->n, 1e-5, 1e-4, bw[i]);
    }
    free(y), free(dyf), free(dyb);
    oc_free(&f);
    oc_free(&b);
}

/* LSTM returning sequences into a GRU: the first op's output is the
 * second one's input, and the second one's dx flows back as dy. */
static void stacked(const fixture *fx, const nr_backend *be) {
    const char *names[] = {".x", ".W1", ".U1", ".b1", ".W2", ".U2", ".b2", ".y", ".dy"};
    const fx_tensor *t[9];
    for (int i = 0; i < 9; i++)
        if (!(t[i] = fx_need(fx, "stacked", names[i]))) return;
    int64_t N = t[0]->dims[0], T = t[0]->dims[1], U1 = t[2]->dims[0];
    opcheck a, b;
    oc_init(&a, N, 1);
    int ia[4] = {input_like(&a, t[0], 1), input_like(&a, t[1], 0), input_like(&a, t[2], 0), input_like(&a, t[3], 0)};
    nr_op_attrs la = {.rnn = {.cell = NR_RNN_LSTM, .act = NR_ACT_TANH, .rec_act = NR_ACT_SIGMOID,
                              .return_sequences = 1, .has_bias = 1, .units = (int)U1}};
    int y1 = oc_op(&a, NR_OP_RNN, la, ia, 4, 1, 2, (int64_t[]){T, U1});
    oc_forward(&a, be);
    oc_init(&b, N, 1);
    int ib[4] = {oc_input(&b, 1, 2, (int64_t[]){T, U1}, 1), input_like(&b, t[4], 0), input_like(&b, t[5], 0),
                 input_like(&b, t[6], 0)};
    memcpy(b.val[0], a.val[y1], (size_t)oc_numel(&a, y1) * sizeof(float));
    nr_op_attrs gb = {.rnn = {.cell = NR_RNN_GRU, .act = NR_ACT_TANH, .rec_act = NR_ACT_SIGMOID, .reset_after = 1,
                              .has_bias = 1, .units = (int)t[5]->dims[0]}};
    int y2 = oc_op(&b, NR_OP_RNN, gb, ib, 4, 1, 1, t[7]->dims + 1);
    oc_forward(&b, be);
    nr_test_close_arrays(b.val[y2], t[7]->v, (size_t)t[7]->n, 1e-5, 1e-4, "stacked y");
    oc_backward(&b, be, t[8]->v);
    oc_backward(&a, be, b.grad[0]);
    static const char *const first[] = {".dx", ".dW1", ".dU1", ".db1"}, *second[] = {".dW2", ".dU2", ".db2"};
    check_grads(&a, fx, "stacked", first, 4, "stacked");
    for (int i = 0; i < 3; i++) {
        const fx_tensor *g = fx_need(fx, "stacked", second[i]);
        if (g) nr_test_close_arrays(b.grad[1 + i], g->v, (size_t)g->n, 1e-5, 1e-4, second[i]);
    }
    oc_free(&a);
    oc_free(&b);
}

int main(void) {
    static fixture fx;
    if (!fx_load(&fx, "tests/fixtures/rnn/rnn.txt")) return nr_test_finish();
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    for (int e = 0; e < 2; e++) {
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) one_case(&fx, &cases[i], bes[e]);
        bidirectional(&fx, bes[e]);
        stacked(&fx, bes[e]);
    }
    fx_free(&fx);
    return nr_test_finish();
}
