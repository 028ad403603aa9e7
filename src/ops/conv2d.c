/* CONV2D: 2-D convolution (cross-correlation, as Keras computes it),
 * channels-last. x (N,H,W,C), W (kh,kw,C,F) as Keras stores a Conv2D
 * kernel, b (F) optional, y (N,Ho,Wo,F); strides, dilation and padding
 * amounts in attrs.conv (see graph.h).
 *
 * The fast kernels lower each sample to a GEMM: im2col writes the sample's
 * patches into the node's workspace as a (Ho*Wo, kh*kw*C) matrix, zeros
 * where a patch overlaps the padding, and W is already that matrix's
 * (kh*kw*C, F) partner in row-major order:
 *   y_n = col_n W + b       dW += col_n^T dy_n       db += sum dy
 *   dcol_n = dy_n W^T, scattered back into dx_n by col2im.
 * The col buffer is reused for dcol (dW is done first). The GEMMs
 * parallelize themselves. The reference kernels are direct loops in
 * double. */
#include <string.h>
#include "ops/gemm.h"
#include "ops/kernels.h"
#include "ops/window.h"
#include "ops/vmath.h"

typedef nr_window geom;

static int64_t col_k(const geom *g) { return (int64_t)g->kh * g->kw * g->C; }

int64_t nr_conv2d_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    geom g = nr_window_of(n, nodes, batch);
    int64_t K = col_k(&g);
    return g.Ho * g.Wo * K + nr_gemm_pack_floats(K > g.F ? K : g.F);
}

/* col[(p*Wo + q), (i*kw + j)*C + c] = x[p sh - pt + i dh, q sw - pl + j dw, c]. */
static void im2col(const geom *g, const float *x, float *col) {
    int64_t K = col_k(g);
    for (int64_t p = 0; p < g->Ho; p++)
        for (int64_t q = 0; q < g->Wo; q++) {
            float *row = col + (p * g->Wo + q) * K;
            for (int i = 0; i < g->kh; i++) {
                int64_t ih = p * g->sh - g->pt + (int64_t)i * g->dh;
                for (int j = 0; j < g->kw; j++) {
                    int64_t iw = q * g->sw - g->pl + (int64_t)j * g->dw;
                    float *dst = row + ((int64_t)i * g->kw + j) * g->C;
                    if (ih >= 0 && ih < g->H && iw >= 0 && iw < g->W)
                        memcpy(dst, x + (ih * g->W + iw) * g->C, (size_t)g->C * sizeof *dst);
                    else
                        memset(dst, 0, (size_t)g->C * sizeof *dst);
                }
            }
        }
}

/* The adjoint of im2col: dx += scatter of col (padding cells dropped). */
static void col2im(const geom *g, const float *col, float *dx) {
    int64_t K = col_k(g);
    for (int64_t p = 0; p < g->Ho; p++)
        for (int64_t q = 0; q < g->Wo; q++) {
            const float *row = col + (p * g->Wo + q) * K;
            for (int i = 0; i < g->kh; i++) {
                int64_t ih = p * g->sh - g->pt + (int64_t)i * g->dh;
                if (ih < 0 || ih >= g->H) continue;
                for (int j = 0; j < g->kw; j++) {
                    int64_t iw = q * g->sw - g->pl + (int64_t)j * g->dw;
                    if (iw < 0 || iw >= g->W) continue;
                    const float *src = row + ((int64_t)i * g->kw + j) * g->C;
                    float *dst = dx + (ih * g->W + iw) * g->C;
                    for (int64_t c = 0; c < g->C; c++) dst[c] += src[c];
                }
            }
        }
}

void nr_cpu_conv2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[NR_ID(x, n)];
    int64_t K = col_k(&g), P = g.Ho * g.Wo, xs = g.H * g.W * g.C;
    float *col = x->work[NR_ID(x, n)], *pack = col + P * K;
    if (b)
        for (int64_t r = 0; r < g.N * P; r++) memcpy(y + r * g.F, b, (size_t)g.F * sizeof *y);
    else
        memset(y, 0, (size_t)(g.N * P * g.F) * sizeof *y);
    for (int64_t s = 0; s < g.N; s++) {
        im2col(&g, in + s * xs, col);
        nr_gemm(&(nr_gemm_args){P, g.F, K, col, K, 1, W, g.F, 1, y + s * P * g.F, g.F}, pack);
    }
}

void nr_cpu_conv2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    int64_t K = col_k(&g), P = g.Ho * g.Wo, xs = g.H * g.W * g.C;
    float *col = x->work[NR_ID(x, n)], *pack = col + P * K;
    if (db)
        for (int64_t r = 0; r < g.N * P; r++) {
            const float *row = dy + r * g.F;
            for (int64_t f = 0; f < g.F; f++) db[f] += row[f];
        }
    for (int64_t s = 0; s < g.N; s++) {
        const float *dys = dy + s * P * g.F;
        if (dW) {
            im2col(&g, in + s * xs, col);
            nr_gemm(&(nr_gemm_args){K, g.F, P, col, 1, K, dys, g.F, 1, dW, g.F}, pack);
        }
        if (dx) {
            memset(col, 0, (size_t)(P * K) * sizeof *col);
            nr_gemm(&(nr_gemm_args){P, K, g.F, dys, g.F, 1, W, 1, g.F, col, K}, pack);
            col2im(&g, col, dx + s * xs);
        }
    }
}

/* Input offset (within a sample) of tap (i, j) at output (p, q), or -1 in
 * the padding. */
static int64_t tap(const geom *g, int64_t p, int64_t q, int i, int j) {
    int64_t ih = p * g->sh - g->pt + (int64_t)i * g->dh, iw = q * g->sw - g->pl + (int64_t)j * g->dw;
    return (ih >= 0 && ih < g->H && iw >= 0 && iw < g->W) ? (ih * g->W + iw) * g->C : -1;
}

void nr_ref_conv2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[NR_ID(x, n)];
    int64_t xs = g.H * g.W * g.C;
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++)
                for (int64_t f = 0; f < g.F; f++) {
                    double acc = b ? b[f] : 0.0;
                    for (int i = 0; i < g.kh; i++)
                        for (int j = 0; j < g.kw; j++) {
                            int64_t o = tap(&g, p, q, i, j);
                            if (o < 0) continue;
                            for (int64_t c = 0; c < g.C; c++)
                                acc += (double)in[s * xs + o + c] * W[(((int64_t)i * g.kw + j) * g.C + c) * g.F + f];
                        }
                    y[((s * g.Ho + p) * g.Wo + q) * g.F + f] = (float)acc;
                }
}

void nr_ref_conv2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    int64_t xs = g.H * g.W * g.C;
#define DY(s, p, q, f) dy[(((s) * g.Ho + (p)) * g.Wo + (q)) * g.F + (f)]
    for (int64_t f = 0; db && f < g.F; f++) {
        double acc = 0;
        for (int64_t s = 0; s < g.N; s++)
            for (int64_t p = 0; p < g.Ho; p++)
                for (int64_t q = 0; q < g.Wo; q++) acc += DY(s, p, q, f);
        db[f] += (float)acc;
    }
    for (int i = 0; dW && i < g.kh; i++)
        for (int j = 0; j < g.kw; j++)
            for (int64_t c = 0; c < g.C; c++)
                for (int64_t f = 0; f < g.F; f++) {
                    double acc = 0;
                    for (int64_t s = 0; s < g.N; s++)
                        for (int64_t p = 0; p < g.Ho; p++)
                            for (int64_t q = 0; q < g.Wo; q++) {
                                int64_t o = tap(&g, p, q, i, j);
                                if (o >= 0) acc += (double)in[s * xs + o + c] * DY(s, p, q, f);
                            }
                    dW[(((int64_t)i * g.kw + j) * g.C + c) * g.F + f] += (float)acc;
                }
    for (int64_t s = 0; dx && s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++)
                for (int i = 0; i < g.kh; i++)
                    for (int j = 0; j < g.kw; j++) {
                        int64_t o = tap(&g, p, q, i, j);
                        if (o < 0) continue;
                        for (int64_t c = 0; c < g.C; c++) {
                            double acc = 0;
                            for (int64_t f = 0; f < g.F; f++)
                                acc += (double)DY(s, p, q, f) * W[(((int64_t)i * g.kw + j) * g.C + c) * g.F + f];
                            dx[s * xs + o + c] += (float)acc;
                        }
                    }
#undef DY
}
