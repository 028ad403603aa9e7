/* NR_OP_RNN and NR_OP_SLICE: finite-difference gradients through time for
 * every cell and option on both backends, the fast kernels against the
 * reference on sizes that split the batch across threads, and a
 * SimpleRNN worked by hand. */
#include "ops/opcheck.h"

typedef struct rcase {
    int cell, go_backwards, return_sequences, return_state, keep_order, reset_after, bias, mask, init, zero_masked;
    float dropout, rec_dropout;
    int64_t T, F, U;
    const char *what;
    nr_activation act, rec_act;   /* both 0: tanh and sigmoid */
} rcase;

static int gates(int cell) { return cell == NR_RNN_LSTM ? 4 : cell == NR_RNN_GRU ? 3 : 1; }

/* Builds x, W, U, b?, mask?, h0?, c0? and the op. Returns the op id. */
static int build(opcheck *c, const rcase *k, int64_t batch, uint64_t seed) {
    oc_init(c, batch, seed);
    int64_t GU = gates(k->cell) * k->U, ns = k->cell == NR_RNN_LSTM ? 2 : 1;
    int ids[NR_MAX_IN], n = 0;
    ids[n++] = oc_input(c, 1, 2, (int64_t[]){k->T, k->F}, 1);
    ids[n++] = oc_input(c, 0, 2, (int64_t[]){k->F, GU}, 1);
    ids[n++] = oc_input(c, 0, 2, (int64_t[]){k->U, GU}, 1);
    int gru2 = k->cell == NR_RNN_GRU && k->reset_after;
    if (k->bias) ids[n++] = gru2 ? oc_input(c, 0, 2, (int64_t[]){2, GU}, 1) : oc_input(c, 0, 1, (int64_t[]){GU}, 1);
    int mask = k->mask ? (ids[n++] = oc_input(c, 1, 1, (int64_t[]){k->T}, 0)) : -1;
    for (int s = 0; k->init && s < ns; s++) ids[n++] = oc_input(c, 1, 1, (int64_t[]){k->U}, 1);
    int defaults = !k->act && !k->rec_act;
    nr_op_attrs a = {.rnn = {.cell = (unsigned char)k->cell, .act = defaults ? NR_ACT_TANH : (unsigned char)k->act,
                             .rec_act = defaults ? NR_ACT_SIGMOID : (unsigned char)k->rec_act,
                             .go_backwards = (unsigned char)k->go_backwards,
                             .return_sequences = (unsigned char)k->return_sequences,
                             .return_state = (unsigned char)k->return_state, .reset_after = (unsigned char)k->reset_after,
                             .has_bias = (unsigned char)k->bias, .has_mask = (unsigned char)k->mask,
                             .has_init = (unsigned char)k->init, .keep_order = (unsigned char)k->keep_order,
                             .zero_masked = (unsigned char)k->zero_masked, .units = (int)k->U, .dropout = k->dropout,
                             .rec_dropout = k->rec_dropout, .seed = 99}};
    int64_t rows = (k->return_sequences ? k->T : 1) + (k->return_state ? ns : 0);
    int y = k->return_state || k->return_sequences ? oc_op(c, NR_OP_RNN, a, ids, n, 1, 2, (int64_t[]){rows, k->U})
                                                   : oc_op(c, NR_OP_RNN, a, ids, n, 1, 1, (int64_t[]){k->U});
    for (int i = 0; i < n; i++) oc_fill(c, ids[i], -0.8f, 0.8f);
    if (mask >= 0)
        for (int64_t i = 0; i < batch * k->T; i++) c->val[mask][i] = (i % 3 == 1) ? 0.0f : 1.0f;
    return y;
}

static const rcase cases[] = {
    {NR_RNN_SIMPLE, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 3, 5, "simple", 0, 0},
    {NR_RNN_SIMPLE, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 2, 3, "simple backwards sequences no bias", 0, 0},
    {NR_RNN_SIMPLE, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0.3f, 0.4f, 5, 2, 3, "simple mask init state dropout", 0, 0},
    {NR_RNN_LSTM, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 3, 4, "lstm", 0, 0},
    {NR_RNN_LSTM, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 5, 2, 3, "lstm sequences", 0, 0},
    {NR_RNN_LSTM, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 2, 3, "lstm backwards keep order", 0, 0},
    {NR_RNN_LSTM, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 5, 2, 3, "lstm state mask init", 0, 0},
    {NR_RNN_LSTM, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 5, 2, 3, "lstm bidirectional half, zero masked", 0, 0},
    {NR_RNN_LSTM, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0.3f, 0, 4, 3, 3, "lstm input dropout", 0, 0},
    {NR_RNN_LSTM, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0.3f, 0.4f, 4, 3, 3, "lstm per-gate dropout", 0, 0},
    {NR_RNN_GRU, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 4, 3, 4, "gru", 0, 0},
    {NR_RNN_GRU, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 4, 3, 3, "gru reset before", 0, 0},
    {NR_RNN_GRU, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 5, 2, 3, "gru backwards mask init no bias", 0, 0},
    {NR_RNN_GRU, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0.2f, 0.3f, 4, 2, 3, "gru per-gate dropout", 0, 0},
    {NR_RNN_GRU, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0.2f, 0.3f, 4, 2, 3, "gru reset before, dropout, mask", 0, 0},
    {NR_RNN_LSTM, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 2, 3, "lstm softsign, hard_sigmoid", NR_ACT_SOFTSIGN,
     NR_ACT_HARD_SIGMOID},
    {NR_RNN_GRU, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 4, 2, 3, "gru softsign, hard_sigmoid", NR_ACT_SOFTSIGN,
     NR_ACT_HARD_SIGMOID},
    {NR_RNN_SIMPLE, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 2, 3, "simple swish", NR_ACT_SWISH, NR_ACT_SIGMOID},
};
#define N_CASES (sizeof cases / sizeof *cases)

static void grad_cases(void) {
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    char name[128];
    for (int e = 0; e < 2; e++)
        for (size_t i = 0; i < N_CASES; i++)
            for (int64_t batch = 1; batch <= 3; batch += 2) {
                opcheck c;
                build(&c, &cases[i], batch, 17 + i);
                c.x.training = 1;
                c.x.step = 5;
                snprintf(name, sizeof name, "rnn %s: %s, batch %lld", bes[e]->name, cases[i].what, (long long)batch);
                oc_check_grad(&c, bes[e], OC_TOL_DEFAULT, name);
                oc_free(&c);
            }
}

/* Fast against reference where the batch is split into threads and the
 * rows into register tiles with a remainder. */
static void fast_vs_ref(void) {
    char name[128];
    for (size_t i = 0; i < N_CASES; i++) {
        rcase k = cases[i];
        k.T = 7, k.F = 5, k.U = 21;
        for (int training = 0; training < 2; training++) {
            opcheck f, r;
            int y = build(&f, &k, 37, 3);
            build(&r, &k, 37, 3);
            f.x.training = r.x.training = training;
            f.x.step = r.x.step = 2;
            oc_forward(&f, &nr_backend_cpu);
            oc_forward(&r, &nr_backend_reference);
            snprintf(name, sizeof name, "rnn fast vs ref %s (training %d): forward", k.what, training);
            nr_test_close_arrays(f.val[y], r.val[y], (size_t)oc_numel(&f, y), 1e-5, 1e-4, name);
            float *dy = oc_alloc(oc_numel(&f, y));
            for (int64_t j = 0; j < oc_numel(&f, y); j++) dy[j] = oc_uniform(&f, -1, 1);
            oc_backward(&f, &nr_backend_cpu, dy);
            oc_backward(&r, &nr_backend_reference, dy);
            snprintf(name, sizeof name, "rnn fast vs ref %s (training %d): backward", k.what, training);
            for (int j = 0; j < y; j++)
                if (f.grad[j]) nr_test_close_arrays(f.grad[j], r.grad[j], (size_t)oc_numel(&f, j), 1e-4, 1e-3, name);
            free(dy);
            oc_free(&f);
            oc_free(&r);
        }
    }
}

/* SimpleRNN, F = U = 1, W = 0.5, U = -1, b = 0.25, x = (1, 2), h0 = 0:
 * h1 = tanh(0.75), h2 = tanh(1.25 - h1). */
static void by_hand(void) {
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    for (int e = 0; e < 2; e++) {
        rcase k = {NR_RNN_SIMPLE, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 1, 1, "by hand", 0, 0};
        opcheck c;
        int y = build(&c, &k, 1, 1);
        c.val[0][0] = 1, c.val[0][1] = 2, c.val[1][0] = 0.5f, c.val[2][0] = -1, c.val[3][0] = 0.25f;
        oc_forward(&c, bes[e]);
        float h1 = tanhf(0.75f), want[2] = {h1, tanhf(1.25f - h1)};
        nr_test_close_arrays(c.val[y], want, 2, 1e-6, 1e-6, "simple rnn by hand");
        oc_free(&c);
    }
}

/* A masked step keeps the state: with every step of a sample masked the
 * output is h0 (or 0 with zero_masked), whatever x is. */
static void mask_keeps_state(void) {
    rcase k = {NR_RNN_LSTM, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 3, 2, 4, "mask", 0, 0};
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    for (int e = 0; e < 2; e++) {
        opcheck c;
        int y = build(&c, &k, 2, 4);
        for (int64_t i = 0; i < 3; i++) c.val[4][i] = 0; /* sample 0: all masked */
        oc_forward(&c, bes[e]);
        nr_test_close_arrays(c.val[y], c.val[5], 4, 0, 0, "rnn fully masked sample outputs h0");
        oc_free(&c);
    }
}

static void slice_grad(void) {
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    for (int e = 0; e < 2; e++)
        for (int squeeze = 0; squeeze < 2; squeeze++) {
            opcheck c;
            oc_init(&c, 3, 8);
            int x = oc_input(&c, 1, 2, (int64_t[]){5, 4}, 1);
            int len = squeeze ? 1 : 2;
            nr_op_attrs a = {.slice = {2, len, squeeze}};
            int y = squeeze ? oc_op(&c, NR_OP_SLICE, a, &x, 1, 1, 1, (int64_t[]){4})
                            : oc_op(&c, NR_OP_SLICE, a, &x, 1, 1, 2, (int64_t[]){2, 4});
            oc_fill(&c, x, -1, 1);
            oc_forward(&c, bes[e]);
            CHECK(c.val[y][0] == c.val[x][8] && c.val[y][oc_numel(&c, y) - 1] == c.val[x][(2 * 5 + 2 + len) * 4 - 1]);
            oc_check_grad(&c, bes[e], OC_TOL_DEFAULT, squeeze ? "slice squeezed" : "slice");
            oc_free(&c);
        }
}

int main(void) {
    by_hand();
    mask_keeps_state();
    grad_cases();
    fast_vs_ref();
    slice_grad();
    return nr_test_finish();
}
