/* Sizes, inputs, scratch layout and dropout masks of NR_OP_RNN, shared by
 * the fast and the reference kernels (see rnn_common.h). */
#include "core/rng.h"
#include "ops/gemm.h"
#include "ops/rnn_common.h"
#include "ops/vmath.h"

static int gates_of(int cell) { return cell == NR_RNN_LSTM ? 4 : cell == NR_RNN_GRU ? 3 : 1; }

static nr_rnn_dims dims_at(const nr_node *n, const nr_node *nodes, int64_t batch) {
    const nr_node *xn = &nodes[n->in[0]];
    nr_rnn_dims d = {.N = batch, .T = xn->shape[1], .F = xn->shape[2], .U = n->a.rnn.units};
    d.G = gates_of(n->a.rnn.cell);
    d.GU = d.G * d.U;
    d.ns = n->a.rnn.cell == NR_RNN_LSTM ? 2 : 1;
    d.rows_out = n->a.rnn.return_sequences ? d.T : 1;
    d.out_rows = d.rows_out + (n->a.rnn.return_state ? d.ns : 0);
    int per_gate = n->a.rnn.cell != NR_RNN_SIMPLE && n->a.rnn.rec_dropout > 0;
    d.nx = n->a.rnn.dropout > 0 ? (per_gate ? d.G : 1) : 0;
    d.nh = n->a.rnn.rec_dropout > 0 ? (per_gate ? d.G : 1) : 0;
    return d;
}

nr_rnn_dims nr_rnn_dims_of(const nr_exec *x, const nr_node *n) {
    nr_rnn_dims d = dims_at(n, x->nodes, x->batch);
    if (!x->training) d.nx = d.nh = 0; /* dropout only while training */
    return d;
}

nr_rnn_in nr_rnn_inputs(const nr_node *n) {
    nr_rnn_in r = {n->in[0], n->in[1], n->in[2], NR_SYM_NONE, NR_SYM_NONE, NR_SYM_NONE, NR_SYM_NONE};
    int k = 3;
    if (n->a.rnn.has_bias) r.b = n->in[k++];
    if (n->a.rnn.has_mask) r.mask = n->in[k++];
    if (n->a.rnn.has_init) {
        r.h0 = n->in[k++];
        if (n->a.rnn.cell == NR_RNN_LSTM) r.c0 = n->in[k++];
    }
    return r;
}

/* Walks the layout once: with base NULL it only counts. */
static int64_t layout(const nr_node *n, const nr_rnn_dims *d, float *base, nr_rnn_ws *w) {
    int64_t off = 0, NT = d->N * d->T;
    int lstm = n->a.rnn.cell == NR_RNN_LSTM, gru = n->a.rnn.cell == NR_RNN_GRU;
#define TAKE(field, count)                          \
    do {                                            \
        int64_t c_ = (count);                       \
        w->field = (base && c_) ? base + off : NULL; \
        off += (c_ + 15) & ~(int64_t)15;            \
    } while (0)
    TAKE(Z, NT * d->GU);
    TAKE(A, NT * d->GU);
    TAKE(HP, NT * d->U);
    TAKE(HF, d->N * d->U);
    TAKE(CP, lstm ? NT * d->U : 0);
    TAKE(TC, lstm ? NT * d->U : 0);
    TAKE(CF, lstm ? d->N * d->U : 0);
    TAKE(R, gru ? NT * d->U : 0);
    TAKE(MX, d->nx * d->N * d->F);
    TAKE(MH, d->nh * d->N * d->U);
    TAKE(XD, d->nx * NT * d->F);
    TAKE(HM, d->nh ? NT * d->U : 0);
    TAKE(DZ, NT * d->GU);
    TAKE(DI, gru ? NT * d->GU : 0);
    TAKE(DH, d->N * d->U);
    TAKE(DC, lstm ? d->N * d->U : 0);
    TAKE(TMP, d->N * d->GU);
    TAKE(PK, d->G * nr_gemm_packed_floats(d->U, d->U));
    TAKE(PKT, d->G * nr_gemm_packed_floats(d->U, d->U));
    TAKE(S, 4 * d->GU + d->U);
    int64_t widest = d->GU > d->F ? d->GU : d->F;
    TAKE(GP, nr_gemm_pack_floats(widest));
#undef TAKE
    return off;
}

int64_t nr_rnn_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    nr_rnn_dims d = dims_at(n, nodes, batch);
    nr_rnn_ws w;
    return layout(n, &d, NULL, &w);
}

nr_rnn_ws nr_rnn_ws_of(const nr_exec *x, const nr_node *n) {
    nr_rnn_dims d = nr_rnn_dims_of(x, n);
    nr_rnn_ws w;
    layout(n, &d, x->work[NR_ID(x, n)], &w);
    return w;
}

/* scale = keep / (1 - rate), keep = u >= rate, u hashed from (seed, step,
 * which mask, element): the same masks whatever the kernel or threads. */
static void draw(float *m, int64_t count, float rate, uint64_t key) {
    const float scale = 1.0f / (1.0f - rate);
    for (int64_t i = 0; i < count; i++) m[i] = nr_hash_uniform(key, (uint64_t)i) >= rate ? scale : 0.0f;
}

void nr_rnn_draw_masks(const nr_exec *x, const nr_node *n, const nr_rnn_ws *w) {
    nr_rnn_dims d = nr_rnn_dims_of(x, n);
    const uint64_t key = n->a.rnn.seed ^ nr_splitmix64(x->step);
    for (int g = 0; g < d.nx; g++)
        draw(w->MX + g * d.N * d.F, d.N * d.F, n->a.rnn.dropout, key ^ nr_splitmix64(2 * (uint64_t)g + 1));
    for (int g = 0; g < d.nh; g++)
        draw(w->MH + g * d.N * d.U, d.N * d.U, n->a.rnn.rec_dropout, key ^ nr_splitmix64(2 * (uint64_t)g + 2));
}
