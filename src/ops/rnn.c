/* Fast kernels of NR_OP_RNN (math in graph.h beside attrs.rnn; the plain
 * version is rnn_ref.c).
 *
 * Forward: the input side x W + b of every step is one GEMM over all N T
 * rows before the recurrence. The recurrence splits the batch across
 * threads: samples are independent through time, so each thread runs all
 * T steps of its own rows with no barrier. Each step multiplies its rows
 * of h by the recurrent kernel, packed once per call (one U x U block per
 * gate), then applies the gates in vectorized passes over the row.
 * Backward: the same split runs the steps backwards, leaving the
 * gradient of every step's preactivations (DZ, and DI on the recurrent
 * side for GRU); the weight and input gradients are then GEMMs over all
 * steps at once. Nothing is allocated: all of it lives in the node's
 * scratch (rnn_common.h). */
#include <omp.h>
#include <string.h>
#include "ops/gemm.h"
#include "ops/rnn_common.h"
#include "ops/vmath.h"

/* out = f(in) over n values. */
static void act_row(nr_activation fn, float alpha, const float *in, float *out, int64_t n) {
    switch (fn) {
    case NR_ACT_TANH:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = nr_fast_tanhf(in[i]);
        break;
    case NR_ACT_SIGMOID:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = nr_fast_sigmoidf(in[i]);
        break;
    case NR_ACT_RELU:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = in[i] > 0 ? in[i] : 0.0f;
        break;
    default:
        for (int64_t i = 0; i < n; i++) out[i] = nr_act_value(fn, alpha, in[i]);
        break;
    }
}

/* out = g f'(z) over n values, y = f(z). */
static void grad_row(nr_activation fn, float alpha, const float *z, const float *y, const float *g, float *out,
                     int64_t n) {
    switch (fn) {
    case NR_ACT_TANH:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = g[i] * (1.0f - y[i] * y[i]);
        break;
    case NR_ACT_SIGMOID:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = g[i] * y[i] * (1.0f - y[i]);
        break;
    case NR_ACT_RELU:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = z[i] > 0 ? g[i] : 0.0f;
        break;
    default:
        for (int64_t i = 0; i < n; i++) out[i] = g[i] * nr_act_grad(fn, alpha, z[i], y[i]);
        break;
    }
}

typedef struct rnn {
    const nr_node *n;
    nr_rnn_dims d;
    nr_rnn_ws w;
    const float *x, *W, *Uk, *b, *mask, *h0, *c0;
    float *dx, *dW, *dU, *db, *dh0, *dc0;
    int cell, after;                  /* after: GRU with reset_after */
} rnn;

static rnn rnn_of(const nr_exec *e, const nr_node *n) {
    nr_rnn_in in = nr_rnn_inputs(n);
    rnn r = {.n = n, .d = nr_rnn_dims_of(e, n), .w = nr_rnn_ws_of(e, n), .cell = n->a.rnn.cell};
    r.after = r.cell == NR_RNN_GRU && n->a.rnn.reset_after;
    r.x = e->val[in.x], r.W = e->val[in.W], r.Uk = e->val[in.Uk];
    r.dx = e->grad[in.x], r.dW = e->grad[in.W], r.dU = e->grad[in.Uk];
    if (in.b != NR_SYM_NONE) r.b = e->val[in.b], r.db = e->grad[in.b];
    if (in.mask != NR_SYM_NONE) r.mask = e->val[in.mask];
    if (in.h0 != NR_SYM_NONE) r.h0 = e->val[in.h0], r.dh0 = e->grad[in.h0];
    if (in.c0 != NR_SYM_NONE) r.c0 = e->val[in.c0], r.dc0 = e->grad[in.c0];
    return r;
}

static int64_t packed_block(const rnn *r) { return nr_gemm_packed_floats(r->d.U, r->d.U); }

/* Threads for the recurrence: rows of at least 16 per thread. */
static int rnn_threads(const rnn *r) {
    int64_t t = r->d.N / 16;
    int nt = nr_num_threads();
    return t < 1 ? 1 : t < nt ? (int)t : nt;
}

/* --- forward ------------------------------------------------------------ */

/* XD: x times each input dropout mask. */
static void masked_inputs(const rnn *r) {
    const nr_rnn_dims *d = &r->d;
    int64_t NT = d->N * d->T;
    for (int g = 0; g < d->nx; g++) {
        float *xd = r->w.XD + g * NT * d->F;
        const float *m = r->w.MX + g * d->N * d->F;
        for (int64_t i = 0; i < NT; i++)
            for (int64_t f = 0; f < d->F; f++) xd[i * d->F + f] = r->x[i * d->F + f] * m[(i / d->T) * d->F + f];
    }
}

/* Z = x W + b over all N T rows; per gate on dropped-out copies of x. */
static void input_products(const rnn *r) {
    const nr_rnn_dims *d = &r->d;
    int64_t NT = d->N * d->T;
    for (int64_t i = 0; i < NT; i++) {
        float *z = r->w.Z + i * d->GU;
        if (r->b) memcpy(z, r->b, (size_t)d->GU * sizeof *z);
        else memset(z, 0, (size_t)d->GU * sizeof *z);
    }
    if (!d->nx) {
        nr_gemm(&(nr_gemm_args){NT, d->GU, d->F, r->x, d->F, 1, r->W, d->GU, 1, r->w.Z, d->GU}, r->w.GP);
        return;
    }
    masked_inputs(r);
    for (int g = 0; g < d->G; g++) {
        const float *xd = r->w.XD + (g % d->nx) * NT * d->F;
        nr_gemm(&(nr_gemm_args){NT, d->U, d->F, xd, d->F, 1, r->W + g * d->U, d->GU, 1, r->w.Z + g * d->U, d->GU},
                r->w.GP);
    }
}

static void pack_kernels(const rnn *r, int transposed) {
    const nr_rnn_dims *d = &r->d;
    for (int g = 0; g < d->G; g++) {
        const float *ug = r->Uk + g * d->U;
        if (transposed) nr_gemm_pack(ug, 1, d->GU, d->U, d->U, r->w.PKT + g * packed_block(r));
        else nr_gemm_pack(ug, d->GU, 1, d->U, d->U, r->w.PK + g * packed_block(r));
    }
}

/* C rows [n0, n1) of gate g (stride ldc) += (h mh_g) Ug, h rows at stride hs. */
static void recurrent_product(const rnn *r, int g, int64_t n0, int64_t n1, int64_t tt, const float *h, int64_t hs,
                              float *C, int64_t ldc) {
    const nr_rnn_dims *d = &r->d;
    if (d->nh) {
        const float *m = r->w.MH + (g % d->nh) * d->N * d->U;
        float *hm = r->w.HM + tt * d->U; /* row n at (n T + tt) U */
        for (int64_t n = n0; n < n1; n++)
            for (int64_t k = 0; k < d->U; k++) hm[n * d->T * d->U + k] = h[n * hs + k] * m[n * d->U + k];
        h = hm, hs = d->T * d->U;
    }
    nr_gemm_packed(n1 - n0, d->U, d->U, h + n0 * hs, hs, r->w.PK + g * packed_block(r), C + n0 * ldc, ldc);
}

/* The gates of one row: z (GU preactivations) -> a, new states. */
static void lstm_row(const rnn *r, float *z, float *a, const float *c, float *cn, float *tc, float *hn) {
    const nr_node *n = r->n;
    int64_t U = r->d.U;
    act_row(n->a.rnn.rec_act, n->a.rnn.rec_alpha, z, a, 2 * U);
    act_row(n->a.rnn.act, n->a.rnn.act_alpha, z + 2 * U, a + 2 * U, U);
    act_row(n->a.rnn.rec_act, n->a.rnn.rec_alpha, z + 3 * U, a + 3 * U, U);
#pragma omp simd
    for (int64_t u = 0; u < U; u++) cn[u] = a[U + u] * c[u] + a[u] * a[2 * U + u];
    act_row(n->a.rnn.act, n->a.rnn.act_alpha, cn, tc, U);
#pragma omp simd
    for (int64_t u = 0; u < U; u++) hn[u] = a[3 * U + u] * tc[u];
}

/* GRU after the z, r products (TMP row t): z, r activated, the candidate. */
static void gru_gates(const rnn *r, float *z, float *a, const float *t) {
    const nr_node *n = r->n;
    int64_t U = r->d.U;
#pragma omp simd
    for (int64_t u = 0; u < 2 * U; u++) z[u] += t[u];
    act_row(n->a.rnn.rec_act, n->a.rnn.rec_alpha, z, a, 2 * U);
}

static void gru_candidate(const rnn *r, float *z, float *a, const float *t, float *rr, const float *h, float *hn) {
    const nr_node *n = r->n;
    int64_t U = r->d.U;
    if (r->after) {
#pragma omp simd
        for (int64_t u = 0; u < U; u++) {
            rr[u] = t[2 * U + u];
            z[2 * U + u] += a[U + u] * t[2 * U + u];
        }
    } else {
#pragma omp simd
        for (int64_t u = 0; u < U; u++) z[2 * U + u] += t[2 * U + u];
    }
    act_row(n->a.rnn.act, n->a.rnn.act_alpha, z + 2 * U, a + 2 * U, U);
#pragma omp simd
    for (int64_t u = 0; u < U; u++) hn[u] = a[u] * h[u] + (1.0f - a[u]) * a[2 * U + u];
}

static int kept(const rnn *r, int64_t n, int64_t tt) { return !r->mask || r->mask[n * r->d.T + tt] != 0; }

/* Where step s's new states go: the next step's "before" rows, or the finals. */
static float *h_next(const rnn *r, int64_t n, int64_t s) {
    const nr_rnn_dims *d = &r->d;
    return s + 1 < d->T ? r->w.HP + (n * d->T + nr_rnn_tt(r->n, d->T, s + 1)) * d->U : r->w.HF + n * d->U;
}
static float *c_next(const rnn *r, int64_t n, int64_t s) {
    const nr_rnn_dims *d = &r->d;
    return s + 1 < d->T ? r->w.CP + (n * d->T + nr_rnn_tt(r->n, d->T, s + 1)) * d->U : r->w.CF + n * d->U;
}

/* Rows [n0, n1) of step s: products, gates, new states. */
static void forward_step(const rnn *r, int64_t n0, int64_t n1, int64_t s) {
    const nr_rnn_dims *d = &r->d;
    int64_t tt = nr_rnn_tt(r->n, d->T, s), U = d->U, row = d->T * d->GU;
    const float *hp = r->w.HP + tt * U;
    float *Z = r->w.Z + tt * d->GU, *A = r->w.A + tt * d->GU;
    if (r->cell == NR_RNN_GRU) {
        for (int64_t n = n0; n < n1; n++) {
            float *t = r->w.TMP + n * d->GU;
            if (r->after && r->b) memcpy(t, r->b + d->GU, (size_t)d->GU * sizeof *t);
            else memset(t, 0, (size_t)d->GU * sizeof *t);
        }
        for (int g = 0; g < (r->after ? 3 : 2); g++)
            recurrent_product(r, g, n0, n1, tt, hp, d->T * U, r->w.TMP + g * U, d->GU);
        for (int64_t n = n0; n < n1; n++) gru_gates(r, Z + n * row, A + n * row, r->w.TMP + n * d->GU);
        if (!r->after) {
            /* (r h mh) Uh needs r first: R rows, then their product */
            float *R = r->w.R + tt * U;
            for (int64_t n = n0; n < n1; n++) {
                const float *m = d->nh ? r->w.MH + ((2 % d->nh) * d->N + n) * U : NULL;
                for (int64_t u = 0; u < U; u++)
                    R[n * d->T * U + u] = A[n * row + U + u] * hp[n * d->T * U + u] * (m ? m[u] : 1.0f);
            }
            nr_gemm_packed(n1 - n0, U, U, R + n0 * d->T * U, d->T * U, r->w.PK + 2 * packed_block(r),
                           r->w.TMP + n0 * d->GU + 2 * U, d->GU);
        }
    } else {
        for (int g = 0; g < d->G; g++) recurrent_product(r, g, n0, n1, tt, hp, d->T * U, Z + g * U, row);
    }
    for (int64_t n = n0; n < n1; n++) {
        const float *h = hp + n * d->T * U;
        float *hn = h_next(r, n, s), *z = Z + n * row, *a = A + n * row;
        if (!kept(r, n, tt)) {
            memcpy(hn, h, (size_t)U * sizeof *hn);
            if (r->cell == NR_RNN_LSTM) memcpy(c_next(r, n, s), r->w.CP + (n * d->T + tt) * U, (size_t)U * sizeof *hn);
            continue;
        }
        switch (r->cell) {
        case NR_RNN_SIMPLE:
            act_row(r->n->a.rnn.act, r->n->a.rnn.act_alpha, z, a, U);
            memcpy(hn, a, (size_t)U * sizeof *hn);
            break;
        case NR_RNN_LSTM:
            lstm_row(r, z, a, r->w.CP + (n * d->T + tt) * U, c_next(r, n, s), r->w.TC + (n * d->T + tt) * U, hn);
            break;
        case NR_RNN_GRU: gru_candidate(r, z, a, r->w.TMP + n * d->GU, r->w.R + (n * d->T + tt) * U, h, hn); break;
        }
    }
}

/* The output rows of samples [n0, n1) from the kept states. */
static void write_outputs(const rnn *r, float *y, int64_t n0, int64_t n1) {
    const nr_rnn_dims *d = &r->d;
    const nr_node *n = r->n;
    size_t bytes = (size_t)d->U * sizeof *y;
    for (int64_t i = n0; i < n1; i++) {
        float *yi = y + i * d->out_rows * d->U;
        for (int64_t s = n->a.rnn.return_sequences ? 0 : d->T - 1; s < d->T; s++) {
            int64_t tt = nr_rnn_tt(n, d->T, s);
            float *out = yi + (n->a.rnn.return_sequences ? nr_rnn_out_row(n, d->T, s) : 0) * d->U;
            if (kept(r, i, tt)) memcpy(out, h_next(r, i, s), bytes);
            else if (n->a.rnn.zero_masked) memset(out, 0, bytes);
            else memcpy(out, r->w.HP + (i * d->T + tt) * d->U, bytes);
        }
        if (n->a.rnn.return_state) {
            memcpy(yi + d->rows_out * d->U, r->w.HF + i * d->U, bytes);
            if (r->cell == NR_RNN_LSTM) memcpy(yi + (d->rows_out + 1) * d->U, r->w.CF + i * d->U, bytes);
        }
    }
}

void nr_cpu_rnn_forward(const nr_exec *e, const nr_node *n) {
    rnn r = rnn_of(e, n);
    const nr_rnn_dims *d = &r.d;
    if (d->nx || d->nh) nr_rnn_draw_masks(e, n, &r.w);
    input_products(&r);
    pack_kernels(&r, 0);
    int64_t tt0 = nr_rnn_tt(n, d->T, 0);
    float *y = e->val[NR_ID(e, n)];
    int nt = rnn_threads(&r);
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num(), k = omp_get_num_threads();
        int64_t n0 = d->N * t / k, n1 = d->N * (t + 1) / k;
        for (int64_t i = n0; i < n1; i++) {
            float *h = r.w.HP + (i * d->T + tt0) * d->U;
            if (r.h0) memcpy(h, r.h0 + i * d->U, (size_t)d->U * sizeof *h);
            else memset(h, 0, (size_t)d->U * sizeof *h);
            if (r.cell != NR_RNN_LSTM) continue;
            float *c = r.w.CP + (i * d->T + tt0) * d->U;
            if (r.c0) memcpy(c, r.c0 + i * d->U, (size_t)d->U * sizeof *c);
            else memset(c, 0, (size_t)d->U * sizeof *c);
        }
        for (int64_t s = 0; s < d->T; s++) forward_step(&r, n0, n1, s);
        write_outputs(&r, y, n0, n1);
    }
}

/* --- backward ------------------------------------------------------------ */

/* DZ row d of a kept LSTM step; dh, dc: the carried gradients (dc becomes
 * the one before the step). */
static void lstm_row_grad(const rnn *r, const float *z, const float *a, const float *c, const float *cn,
                          const float *tc, const float *dh, float *dc, float *dz) {
    const nr_node *n = r->n;
    int64_t U = r->d.U;
    float *di = dz, *df = dz + U, *dg = dz + 2 * U, *d_o = dz + 3 * U;
#pragma omp simd
    for (int64_t u = 0; u < U; u++) {
        d_o[u] = dh[u] * tc[u];
        dg[u] = dh[u] * a[3 * U + u];
    }
    grad_row(n->a.rnn.act, n->a.rnn.act_alpha, cn, tc, dg, dg, U);
#pragma omp simd
    for (int64_t u = 0; u < U; u++) {
        float dct = dc[u] + dg[u];
        di[u] = dct * a[2 * U + u];
        df[u] = dct * c[u];
        dg[u] = dct * a[u];
        dc[u] = dct * a[U + u];
    }
    grad_row(n->a.rnn.rec_act, n->a.rnn.rec_alpha, z, a, dz, dz, 2 * U);
    grad_row(n->a.rnn.act, n->a.rnn.act_alpha, z + 2 * U, a + 2 * U, dg, dg, U);
    grad_row(n->a.rnn.rec_act, n->a.rnn.rec_alpha, z + 3 * U, a + 3 * U, d_o, d_o, U);
}

/* GRU: dz (z gate, candidate) and, after reset, di; dh becomes the direct
 * part of the gradient before the step (dh z). */
static void gru_row_grad(const rnn *r, const float *z, const float *a, const float *h, const float *rr, float *dh,
                         float *dz, float *di) {
    const nr_node *n = r->n;
    int64_t U = r->d.U;
#pragma omp simd
    for (int64_t u = 0; u < U; u++) {
        dz[u] = dh[u] * (h[u] - a[2 * U + u]);
        dz[2 * U + u] = dh[u] * (1.0f - a[u]);
        dh[u] *= a[u];
    }
    grad_row(n->a.rnn.rec_act, n->a.rnn.rec_alpha, z, a, dz, dz, U);
    grad_row(n->a.rnn.act, n->a.rnn.act_alpha, z + 2 * U, a + 2 * U, dz + 2 * U, dz + 2 * U, U);
    if (!r->after) return;
#pragma omp simd
    for (int64_t u = 0; u < U; u++) {
        dz[U + u] = dz[2 * U + u] * rr[u];
        di[2 * U + u] = dz[2 * U + u] * a[U + u];
    }
    grad_row(n->a.rnn.rec_act, n->a.rnn.rec_alpha, z + U, a + U, dz + U, dz + U, U);
    memcpy(di, dz, (size_t)(2 * U) * sizeof *di);
}

/* GRU with the reset before Uh: d(r h mh) = dcand Uh^T, then r's gradient
 * and h's part through r h. */
static void gru_reset_grad(const rnn *r, int64_t n0, int64_t n1, int64_t tt) {
    const nr_rnn_dims *d = &r->d;
    int64_t U = d->U, row = d->T * d->GU;
    float *DZ = r->w.DZ + tt * d->GU, *DI = r->w.DI + tt * d->GU;
    const float *A = r->w.A + tt * d->GU, *Z = r->w.Z + tt * d->GU, *hp = r->w.HP + tt * U;
    for (int64_t n = n0; n < n1; n++) memset(r->w.TMP + n * d->GU, 0, (size_t)U * sizeof(float));
    nr_gemm_packed(n1 - n0, U, U, DZ + n0 * row + 2 * U, row, r->w.PKT + 2 * packed_block(r), r->w.TMP + n0 * d->GU,
                   d->GU);
    for (int64_t n = n0; n < n1; n++) {
        if (!kept(r, n, tt)) continue;
        const float *drh = r->w.TMP + n * d->GU, *a = A + n * row, *h = hp + n * d->T * U;
        const float *m = d->nh ? r->w.MH + ((2 % d->nh) * d->N + n) * U : NULL;
        float *dz = DZ + n * row, *dh = r->w.DH + n * U;
        for (int64_t u = 0; u < U; u++) {
            float mu = m ? m[u] : 1.0f;
            dz[U + u] = drh[u] * h[u] * mu;
            dh[u] += drh[u] * a[U + u] * mu;
        }
        grad_row(r->n->a.rnn.rec_act, r->n->a.rnn.rec_alpha, Z + n * row + U, a + U, dz + U, dz + U, U);
        memcpy(DI + n * row, dz, (size_t)(2 * U) * sizeof *dz);
    }
}

/* DH rows [n0, n1) += sum_g (DI_g Ug^T) mh_g over the gates with a plain
 * recurrent product. */
static void state_grad(const rnn *r, int64_t n0, int64_t n1, int64_t tt) {
    const nr_rnn_dims *d = &r->d;
    int64_t U = d->U, row = d->T * d->GU;
    const float *DI = (r->cell == NR_RNN_GRU ? r->w.DI : r->w.DZ) + tt * d->GU;
    int gates = r->cell == NR_RNN_GRU && !r->after ? 2 : d->G;
    for (int g = 0; g < gates; g++) {
        const float *pk = r->w.PKT + g * packed_block(r);
        if (!d->nh) {
            nr_gemm_packed(n1 - n0, U, U, DI + n0 * row + g * U, row, pk, r->w.DH + n0 * U, U);
            continue;
        }
        float *t = r->w.TMP + n0 * d->GU + g * U;
        for (int64_t n = n0; n < n1; n++) memset(t + (n - n0) * d->GU, 0, (size_t)U * sizeof *t);
        nr_gemm_packed(n1 - n0, U, U, DI + n0 * row + g * U, row, pk, t, d->GU);
        const float *m = r->w.MH + (g % d->nh) * d->N * U;
        for (int64_t n = n0; n < n1; n++)
            for (int64_t u = 0; u < U; u++) r->w.DH[n * U + u] += t[(n - n0) * d->GU + u] * m[n * U + u];
    }
}

/* The gradient arriving at step s's output, or NULL. */
static const float *step_dout(const rnn *r, const float *dy, int64_t n, int64_t s) {
    const nr_rnn_dims *d = &r->d;
    if (r->n->a.rnn.return_sequences) return dy + (n * d->out_rows + nr_rnn_out_row(r->n, d->T, s)) * d->U;
    return s == d->T - 1 ? dy + n * d->out_rows * d->U : NULL;
}

static void backward_step(const rnn *r, const float *dy, int64_t n0, int64_t n1, int64_t s) {
    const nr_rnn_dims *d = &r->d;
    int64_t tt = nr_rnn_tt(r->n, d->T, s), U = d->U, row = d->T * d->GU;
    for (int64_t n = n0; n < n1; n++) {
        float *dh = r->w.DH + n * U, *dz = r->w.DZ + n * row + tt * d->GU;
        float *di = r->cell == NR_RNN_GRU ? r->w.DI + n * row + tt * d->GU : NULL;
        const float *dout = step_dout(r, dy, n, s);
        int keep = kept(r, n, tt);
        if (dout && (keep || !r->n->a.rnn.zero_masked))
            for (int64_t u = 0; u < U; u++) dh[u] += dout[u];
        if (!keep) {
            memset(dz, 0, (size_t)d->GU * sizeof *dz);
            if (di) memset(di, 0, (size_t)d->GU * sizeof *di);
            continue;
        }
        const float *z = r->w.Z + n * row + tt * d->GU, *a = r->w.A + n * row + tt * d->GU;
        int64_t at = (n * d->T + tt) * U;
        switch (r->cell) {
        case NR_RNN_SIMPLE:
            grad_row(r->n->a.rnn.act, r->n->a.rnn.act_alpha, z, a, dh, dz, U);
            memset(dh, 0, (size_t)U * sizeof *dh);
            break;
        case NR_RNN_LSTM:
            lstm_row_grad(r, z, a, r->w.CP + at, c_next(r, n, s), r->w.TC + at, dh, r->w.DC + n * U, dz);
            memset(dh, 0, (size_t)U * sizeof *dh);
            break;
        case NR_RNN_GRU: gru_row_grad(r, z, a, r->w.HP + at, r->w.R + at, dh, dz, di); break;
        }
    }
    if (r->cell == NR_RNN_GRU && !r->after) gru_reset_grad(r, n0, n1, tt);
    state_grad(r, n0, n1, tt);
}

/* dW, dx and db from DZ over all N T rows at once. */
static void input_grads(const rnn *r) {
    const nr_rnn_dims *d = &r->d;
    int64_t NT = d->N * d->T;
    if (r->dW) {
        masked_inputs(r); /* again: an earlier backward used XD for dx */
        if (!d->nx)
            nr_gemm(&(nr_gemm_args){d->F, d->GU, NT, r->x, 1, d->F, r->w.DZ, d->GU, 1, r->dW, d->GU}, r->w.GP);
        for (int g = 0; d->nx && g < d->G; g++)
            nr_gemm(&(nr_gemm_args){d->F, d->U, NT, r->w.XD + (g % d->nx) * NT * d->F, 1, d->F, r->w.DZ + g * d->U,
                                    d->GU, 1, r->dW + g * d->U, d->GU},
                    r->w.GP);
    }
    if (r->db)
        for (int64_t i = 0; i < NT; i++) {
            const float *dz = r->w.DZ + i * d->GU, *di = r->after ? r->w.DI + i * d->GU : NULL;
            for (int64_t j = 0; j < d->GU; j++) r->db[j] += dz[j];
            for (int64_t j = 0; di && j < d->GU; j++) r->db[d->GU + j] += di[j];
        }
    if (!r->dx) return;
    if (!d->nx) {
        nr_gemm(&(nr_gemm_args){NT, d->F, d->GU, r->w.DZ, d->GU, 1, r->W, 1, d->GU, r->dx, d->F}, r->w.GP);
        return;
    }
    /* per mask: the product into XD (x's copies are done with), then times the mask */
    int64_t K = d->nx == 1 ? d->GU : d->U;
    for (int g = 0; g < d->nx; g++) {
        float *t = r->w.XD + g * NT * d->F;
        const float *m = r->w.MX + g * d->N * d->F;
        memset(t, 0, (size_t)(NT * d->F) * sizeof *t);
        nr_gemm(&(nr_gemm_args){NT, d->F, K, r->w.DZ + g * d->U, d->GU, 1, r->W + g * d->U, 1, d->GU, t, d->F},
                r->w.GP);
        for (int64_t i = 0; i < NT; i++)
            for (int64_t f = 0; f < d->F; f++) r->dx[i * d->F + f] += t[i * d->F + f] * m[(i / d->T) * d->F + f];
    }
}

/* dU from the states before each step and DI over all rows at once. */
static void recurrent_grads(const rnn *r) {
    const nr_rnn_dims *d = &r->d;
    int64_t NT = d->N * d->T;
    const float *DI = r->cell == NR_RNN_GRU ? r->w.DI : r->w.DZ;
    for (int g = 0; g < d->G; g++) {
        const float *a = r->w.HP, *b = DI + g * d->U;
        if (r->cell == NR_RNN_GRU && !r->after && g == 2) {
            a = r->w.R, b = r->w.DZ + g * d->U;
        } else if (d->nh) {
            const float *m = r->w.MH + (g % d->nh) * d->N * d->U;
            for (int64_t i = 0; i < NT; i++)
                for (int64_t k = 0; k < d->U; k++)
                    r->w.HM[i * d->U + k] = r->w.HP[i * d->U + k] * m[(i / d->T) * d->U + k];
            a = r->w.HM;
        }
        nr_gemm(&(nr_gemm_args){d->U, d->U, NT, a, 1, d->U, b, d->GU, 1, r->dU + g * d->U, d->GU}, r->w.GP);
    }
}

void nr_cpu_rnn_backward(const nr_exec *e, const nr_node *n) {
    rnn r = rnn_of(e, n);
    const nr_rnn_dims *d = &r.d;
    const float *dy = e->grad[NR_ID(e, n)];
    pack_kernels(&r, 1);
    int nt = rnn_threads(&r);
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num(), k = omp_get_num_threads();
        int64_t n0 = d->N * t / k, n1 = d->N * (t + 1) / k;
        for (int64_t i = n0; i < n1; i++) {
            const float *ys = dy + (i * d->out_rows + d->rows_out) * d->U;
            for (int64_t u = 0; u < d->U; u++) {
                r.w.DH[i * d->U + u] = n->a.rnn.return_state ? ys[u] : 0.0f;
                if (r.cell == NR_RNN_LSTM) r.w.DC[i * d->U + u] = n->a.rnn.return_state ? ys[d->U + u] : 0.0f;
            }
        }
        for (int64_t s = d->T - 1; s >= 0; s--) backward_step(&r, dy, n0, n1, s);
        for (int64_t i = n0; i < n1; i++)
            for (int64_t u = 0; u < d->U; u++) {
                if (r.dh0) r.dh0[i * d->U + u] += r.w.DH[i * d->U + u];
                if (r.dc0) r.dc0[i * d->U + u] += r.w.DC[i * d->U + u];
            }
    }
    input_grads(&r);
    if (r.dU) recurrent_grads(&r);
}
