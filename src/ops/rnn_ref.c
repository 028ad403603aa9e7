/* Plain reference kernels of NR_OP_RNN (the math is in graph.h beside
 * attrs.rnn): one sample, one step, one gate at a time, every product
 * written out, the gates recomputed in the backward pass from the states
 * the forward pass kept. Tests compare the fast kernels (rnn.c) with these.
 *
 * Scratch used here: HP/CP (states before each step), HF/CF (running and
 * final states), MX/MH (dropout), DH/DC (carried gradients) and S (one
 * step's preactivations, recurrent products, their gradients and dh). */
#include <string.h>
#include "ops/rnn_common.h"
#include "ops/vmath.h"

typedef struct ref {
    const nr_node *n;
    nr_rnn_dims d;
    nr_rnn_ws w;
    const float *x, *W, *Uk, *b, *mask, *h0, *c0;
    float *dx, *dW, *dU, *db, *dh0, *dc0;
} ref;

static ref ref_of(const nr_exec *e, const nr_node *n) {
    nr_rnn_in in = nr_rnn_inputs(n);
    ref r = {.n = n, .d = nr_rnn_dims_of(e, n), .w = nr_rnn_ws_of(e, n)};
    r.x = e->val[in.x], r.W = e->val[in.W], r.Uk = e->val[in.Uk];
    r.dx = e->grad[in.x], r.dW = e->grad[in.W], r.dU = e->grad[in.Uk];
    if (in.b != NR_SYM_NONE) r.b = e->val[in.b], r.db = e->grad[in.b];
    if (in.mask != NR_SYM_NONE) r.mask = e->val[in.mask];
    if (in.h0 != NR_SYM_NONE) r.h0 = e->val[in.h0], r.dh0 = e->grad[in.h0];
    if (in.c0 != NR_SYM_NONE) r.c0 = e->val[in.c0], r.dc0 = e->grad[in.c0];
    return r;
}

static float act(const ref *r, float v) { return nr_act_value(r->n->a.rnn.act, r->n->a.rnn.act_alpha, v); }
static float rec(const ref *r, float v) { return nr_act_value(r->n->a.rnn.rec_act, r->n->a.rnn.rec_alpha, v); }
static float act_d(const ref *r, float v, float y) { return nr_act_grad(r->n->a.rnn.act, r->n->a.rnn.act_alpha, v, y); }
static float rec_d(const ref *r, float v, float y) { return nr_act_grad(r->n->a.rnn.rec_act, r->n->a.rnn.rec_alpha, v, y); }

/* Dropout scale of input feature f, or of state unit k, for gate g. */
static float mx(const ref *r, int64_t n, int g, int64_t f) {
    return r->d.nx ? r->w.MX[((g % r->d.nx) * r->d.N + n) * r->d.F + f] : 1.0f;
}
static float mh(const ref *r, int64_t n, int g, int64_t k) {
    return r->d.nh ? r->w.MH[((g % r->d.nh) * r->d.N + n) * r->d.U + k] : 1.0f;
}
static int gru_after(const ref *r) { return r->n->a.rnn.cell == NR_RNN_GRU && r->n->a.rnn.reset_after; }

/* pre = x-side preactivations (with the input bias), rc = recurrent
 * products (with GRU's recurrent bias); GRU without reset_after leaves
 * the candidate's recurrent product (it needs r) at 0. */
static void products(const ref *r, int64_t n, int64_t tt, const float *h, float *pre, float *rc) {
    const nr_rnn_dims *d = &r->d;
    const float *xr = r->x + (n * d->T + tt) * d->F;
    for (int g = 0; g < d->G; g++)
        for (int64_t u = 0; u < d->U; u++) {
            int64_t j = g * d->U + u;
            float a = r->b ? r->b[j] : 0.0f, c = gru_after(r) && r->b ? r->b[d->GU + j] : 0.0f;
            for (int64_t f = 0; f < d->F; f++) a += xr[f] * mx(r, n, g, f) * r->W[f * d->GU + j];
            if (!(r->n->a.rnn.cell == NR_RNN_GRU && !r->n->a.rnn.reset_after && g == 2))
                for (int64_t k = 0; k < d->U; k++) c += h[k] * mh(r, n, g, k) * r->Uk[k * d->GU + j];
            pre[j] = a;
            rc[j] = c;
        }
}

/* GRU without reset_after: the candidate's product (r h mh) Uh. */
static float reset_product(const ref *r, int64_t n, const float *h, const float *pre, const float *rc, int64_t u) {
    const nr_rnn_dims *d = &r->d;
    float c = 0;
    for (int64_t k = 0; k < d->U; k++) {
        float rk = rec(r, pre[d->U + k] + rc[d->U + k]);
        c += rk * h[k] * mh(r, n, 2, k) * r->Uk[k * d->GU + 2 * d->U + u];
    }
    return c;
}

/* One step of sample n: h, c (states before) -> hn, cn. */
static void step(const ref *r, int64_t n, int64_t tt, const float *h, const float *c, float *hn, float *cn) {
    const nr_rnn_dims *d = &r->d;
    float *pre = r->w.S, *rc = r->w.S + d->GU;
    int64_t U = d->U;
    products(r, n, tt, h, pre, rc);
    for (int64_t u = 0; u < U; u++) {
        switch (r->n->a.rnn.cell) {
        case NR_RNN_SIMPLE: hn[u] = act(r, pre[u] + rc[u]); break;
        case NR_RNN_LSTM: {
            float i = rec(r, pre[u] + rc[u]), f = rec(r, pre[U + u] + rc[U + u]);
            float g = act(r, pre[2 * U + u] + rc[2 * U + u]), o = rec(r, pre[3 * U + u] + rc[3 * U + u]);
            cn[u] = f * c[u] + i * g;
            hn[u] = o * act(r, cn[u]);
            break;
        }
        case NR_RNN_GRU: {
            float z = rec(r, pre[u] + rc[u]), rr = rec(r, pre[U + u] + rc[U + u]);
            float hh = gru_after(r) ? act(r, pre[2 * U + u] + rr * rc[2 * U + u])
                                    : act(r, pre[2 * U + u] + reset_product(r, n, h, pre, rc, u));
            hn[u] = z * h[u] + (1 - z) * hh;
            break;
        }
        }
    }
}

static int kept(const ref *r, int64_t n, int64_t tt) { return !r->mask || r->mask[n * r->d.T + tt] != 0; }

/* x (N,T,F), W (F,GU), U (U,GU), b, mask (N,T), h0/c0 (N,U); y (N,rows,U). */
void nr_ref_rnn_forward(const nr_exec *e, const nr_node *n) {
    ref r = ref_of(e, n);
    const nr_rnn_dims *d = &r.d;
    float *y = e->val[NR_ID(e, n)];
    int lstm = n->a.rnn.cell == NR_RNN_LSTM;
    if (d->nx || d->nh) nr_rnn_draw_masks(e, n, &r.w);
    for (int64_t s = 0; s < d->N; s++) {
        float *h = r.w.HF + s * d->U, *c = lstm ? r.w.CF + s * d->U : NULL;
        for (int64_t u = 0; u < d->U; u++) {
            h[u] = r.h0 ? r.h0[s * d->U + u] : 0.0f;
            if (c) c[u] = r.c0 ? r.c0[s * d->U + u] : 0.0f;
        }
        for (int64_t t = 0; t < d->T; t++) {
            int64_t tt = nr_rnn_tt(n, d->T, t);
            float *hp = r.w.HP + (s * d->T + tt) * d->U, *cp = lstm ? r.w.CP + (s * d->T + tt) * d->U : NULL;
            memcpy(hp, h, (size_t)d->U * sizeof *h);
            if (c) memcpy(cp, c, (size_t)d->U * sizeof *c);
            int keep = kept(&r, s, tt);
            if (keep) step(&r, s, tt, hp, cp, h, c);
            float *out = y + (s * d->out_rows + (n->a.rnn.return_sequences ? nr_rnn_out_row(n, d->T, t) : 0)) * d->U;
            if (n->a.rnn.return_sequences || t == d->T - 1)
                for (int64_t u = 0; u < d->U; u++) out[u] = keep ? h[u] : n->a.rnn.zero_masked ? 0.0f : hp[u];
        }
        if (n->a.rnn.return_state)
            for (int k = 0; k < d->ns; k++)
                memcpy(y + (s * d->out_rows + d->rows_out + k) * d->U, k ? c : h, (size_t)d->U * sizeof *h);
    }
}

/* dpre/drc: gradients of one step's preactivations and recurrent products
 * (drc of GRU's candidate without reset_after stays 0: handled here). */
static void step_grad(const ref *r, int64_t n, int64_t tt, const float *dh, float *dhp, float *dc, float *dpre,
                      float *drc) {
    const nr_rnn_dims *d = &r->d;
    int64_t U = d->U;
    const float *h = r->w.HP + (n * d->T + tt) * U;
    float *pre = r->w.S, *rc = r->w.S + d->GU;
    products(r, n, tt, h, pre, rc);
    memset(dpre, 0, (size_t)d->GU * sizeof *dpre);
    memset(drc, 0, (size_t)d->GU * sizeof *drc);
    for (int64_t u = 0; u < U; u++) {
        switch (r->n->a.rnn.cell) {
        case NR_RNN_SIMPLE: {
            float z = pre[u] + rc[u];
            dpre[u] = drc[u] = dh[u] * act_d(r, z, act(r, z));
            break;
        }
        case NR_RNN_LSTM: {
            const float *c = r->w.CP + (n * d->T + tt) * U;
            float zi = pre[u] + rc[u], zf = pre[U + u] + rc[U + u], zg = pre[2 * U + u] + rc[2 * U + u];
            float zo = pre[3 * U + u] + rc[3 * U + u];
            float i = rec(r, zi), f = rec(r, zf), g = act(r, zg), o = rec(r, zo);
            float cn = f * c[u] + i * g, ta = act(r, cn);
            float dct = dc[u] + dh[u] * o * act_d(r, cn, ta);
            dpre[u] = dct * g * rec_d(r, zi, i);
            dpre[U + u] = dct * c[u] * rec_d(r, zf, f);
            dpre[2 * U + u] = dct * i * act_d(r, zg, g);
            dpre[3 * U + u] = dh[u] * ta * rec_d(r, zo, o);
            dc[u] = dct * f;
            for (int g4 = 0; g4 < 4; g4++) drc[g4 * U + u] = dpre[g4 * U + u];
            break;
        }
        case NR_RNN_GRU: {
            float zz = pre[u] + rc[u], zr = pre[U + u] + rc[U + u], z = rec(r, zz), rr = rec(r, zr);
            float ph = pre[2 * U + u] + (gru_after(r) ? rr * rc[2 * U + u] : reset_product(r, n, h, pre, rc, u));
            float hh = act(r, ph), dph = dh[u] * (1 - z) * act_d(r, ph, hh);
            dhp[u] += dh[u] * z;
            dpre[u] = drc[u] = dh[u] * (h[u] - hh) * rec_d(r, zz, z);
            dpre[2 * U + u] = dph;
            if (gru_after(r)) {
                drc[2 * U + u] = dph * rr;
                dpre[U + u] = drc[U + u] = dph * rc[2 * U + u] * rec_d(r, zr, rr);
            }
            break;
        }
        }
    }
    if (r->n->a.rnn.cell == NR_RNN_GRU && !r->n->a.rnn.reset_after) {
        /* the candidate's product (r h mh) Uh: its gradients to r, h and Uh */
        for (int64_t k = 0; k < U; k++) {
            float zr = pre[U + k] + rc[U + k], rr = rec(r, zr), drh = 0, m = mh(r, n, 2, k);
            for (int64_t u = 0; u < U; u++) {
                drh += dpre[2 * U + u] * r->Uk[k * d->GU + 2 * U + u];
                if (r->dU) r->dU[k * d->GU + 2 * U + u] += rr * h[k] * m * dpre[2 * U + u];
            }
            dhp[k] += drh * rr * m;
            dpre[U + k] = drc[U + k] = drh * h[k] * m * rec_d(r, zr, rr);
        }
    }
}

/* Accumulates one step's weight, input and state gradients. */
static void step_accumulate(const ref *r, int64_t n, int64_t tt, const float *dpre, const float *drc, float *dhp) {
    const nr_rnn_dims *d = &r->d;
    const float *xr = r->x + (n * d->T + tt) * d->F, *h = r->w.HP + (n * d->T + tt) * d->U;
    float *dxr = r->dx ? r->dx + (n * d->T + tt) * d->F : NULL;
    for (int g = 0; g < d->G; g++)
        for (int64_t u = 0; u < d->U; u++) {
            int64_t j = g * d->U + u;
            if (r->db) {
                r->db[j] += dpre[j];
                if (gru_after(r)) r->db[d->GU + j] += drc[j];
            }
            for (int64_t f = 0; f < d->F; f++) {
                if (r->dW) r->dW[f * d->GU + j] += xr[f] * mx(r, n, g, f) * dpre[j];
                if (dxr) dxr[f] += dpre[j] * r->W[f * d->GU + j] * mx(r, n, g, f);
            }
            for (int64_t k = 0; k < d->U; k++) {
                if (r->dU) r->dU[k * d->GU + j] += h[k] * mh(r, n, g, k) * drc[j];
                dhp[k] += drc[j] * r->Uk[k * d->GU + j] * mh(r, n, g, k);
            }
        }
}

void nr_ref_rnn_backward(const nr_exec *e, const nr_node *n) {
    ref r = ref_of(e, n);
    const nr_rnn_dims *d = &r.d;
    const float *dy = e->grad[NR_ID(e, n)];
    int lstm = n->a.rnn.cell == NR_RNN_LSTM;
    float *dpre = r.w.S + 2 * d->GU, *drc = r.w.S + 3 * d->GU, *dhp = r.w.S + 4 * d->GU;
    for (int64_t s = 0; s < d->N; s++) {
        float *dh = r.w.DH + s * d->U, *dc = lstm ? r.w.DC + s * d->U : NULL;
        for (int64_t u = 0; u < d->U; u++) {
            dh[u] = n->a.rnn.return_state ? dy[(s * d->out_rows + d->rows_out) * d->U + u] : 0.0f;
            if (dc) dc[u] = n->a.rnn.return_state ? dy[(s * d->out_rows + d->rows_out + 1) * d->U + u] : 0.0f;
        }
        for (int64_t t = d->T - 1; t >= 0; t--) {
            int64_t tt = nr_rnn_tt(n, d->T, t);
            const float *dout = NULL;
            if (n->a.rnn.return_sequences) dout = dy + (s * d->out_rows + nr_rnn_out_row(n, d->T, t)) * d->U;
            else if (t == d->T - 1) dout = dy + s * d->out_rows * d->U;
            int keep = kept(&r, s, tt);
            if (dout && (keep || !n->a.rnn.zero_masked))
                for (int64_t u = 0; u < d->U; u++) dh[u] += dout[u];
            if (!keep) continue;
            memset(dhp, 0, (size_t)d->U * sizeof *dhp);
            step_grad(&r, s, tt, dh, dhp, dc, dpre, drc);
            step_accumulate(&r, s, tt, dpre, drc, dhp);
            memcpy(dh, dhp, (size_t)d->U * sizeof *dh);
        }
        for (int64_t u = 0; u < d->U; u++) {
            if (r.dh0) r.dh0[s * d->U + u] += dh[u];
            if (r.dc0 && dc) r.dc0[s * d->U + u] += dc[u];
        }
    }
}
