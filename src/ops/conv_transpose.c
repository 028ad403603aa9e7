/* CONV2D_T: transposed 2-D convolution (Conv2DTranspose), channels-last:
 * the adjoint of CONV2D with respect to its input. x (N,H,W,C), W
 * (kh,kw,F,C) as Keras stores a Conv2DTranspose kernel, b (F) optional,
 * y (N,Ho,Wo,F). Input pixel (p, q) spreads into the output at
 *   y[n, p sh - ct + i dh, q sw - cl + j dw, f] += x[n,p,q,c] W[i,j,f,c],
 * cells outside y dropped; ct, cl (attrs.conv.pad_top, pad_left) are the
 * crops that Keras's padding and output_padding leave at the top and left
 * (the layer computes them, see layers/conv_transpose.c); Ho and Wo come
 * from the node's shape.
 *
 * The fast kernels are CONV2D's GEMMs run backwards, one sample at a time:
 * W is a (kh*kw*F, C) matrix in row-major order, so
 *   col_n = x_n W^T (H*W rows of kh*kw*F), y_n += col2im(col_n)
 *   col_n = im2col(dy_n): dW += col_n^T x_n, dx_n += col_n W
 * with im2col/col2im over the output image and one patch per input pixel.
 * The GEMMs parallelize themselves. Weight gradients are summed in the
 * workspace and added once, so a second backward adds exactly the same
 * amounts. The reference kernels are direct loops in double. */
#include <string.h>
#include "ops/gemm.h"
#include "ops/kernels.h"
#include "ops/window.h"
#include "ops/vmath.h"

typedef nr_window geom;

static int64_t col_k(const geom *g) { return (int64_t)g->kh * g->kw * g->F; }

int64_t nr_conv2d_t_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    geom g = nr_window_of(n, nodes, batch);
    int64_t K = col_k(&g);
    return g.H * g.W * K + nr_gemm_pack_floats(K > g.C ? K : g.C) + K * g.C + g.F;
}

/* Output offset (within a sample) of tap (i, j) of input pixel (p, q), or
 * -1 outside the output. */
static int64_t out_at(const geom *g, int64_t p, int64_t q, int i, int j) {
    int64_t oh = p * g->sh - g->pt + (int64_t)i * g->dh, ow = q * g->sw - g->pl + (int64_t)j * g->dw;
    return (oh >= 0 && oh < g->Ho && ow >= 0 && ow < g->Wo) ? (oh * g->Wo + ow) * g->F : -1;
}

/* col[(p*W + q), (i*kw + j)*F + f] = y[out_at(p, q, i, j) + f], 0 outside. */
static void im2col(const geom *g, const float *y, float *col) {
    int64_t K = col_k(g);
    for (int64_t p = 0; p < g->H; p++)
        for (int64_t q = 0; q < g->W; q++)
            for (int i = 0; i < g->kh; i++)
                for (int j = 0; j < g->kw; j++) {
                    float *dst = col + (p * g->W + q) * K + ((int64_t)i * g->kw + j) * g->F;
                    int64_t o = out_at(g, p, q, i, j);
                    if (o >= 0) memcpy(dst, y + o, (size_t)g->F * sizeof *dst);
                    else memset(dst, 0, (size_t)g->F * sizeof *dst);
                }
}

/* The adjoint of im2col: y += scatter of col. */
static void col2im(const geom *g, const float *col, float *y) {
    int64_t K = col_k(g);
    for (int64_t p = 0; p < g->H; p++)
        for (int64_t q = 0; q < g->W; q++)
            for (int i = 0; i < g->kh; i++)
                for (int j = 0; j < g->kw; j++) {
                    int64_t o = out_at(g, p, q, i, j);
                    if (o < 0) continue;
                    const float *src = col + (p * g->W + q) * K + ((int64_t)i * g->kw + j) * g->F;
                    float *dst = y + o;
                    for (int64_t f = 0; f < g->F; f++) dst[f] += src[f];
                }
}

void nr_cpu_conv2d_t_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[NR_ID(x, n)];
    int64_t K = col_k(&g), P = g.H * g.W, ys = g.Ho * g.Wo * g.F;
    float *col = x->work[NR_ID(x, n)], *pack = col + P * K;
    if (b)
        for (int64_t r = 0; r < g.N * g.Ho * g.Wo; r++) memcpy(y + r * g.F, b, (size_t)g.F * sizeof *y);
    else
        memset(y, 0, (size_t)(g.N * ys) * sizeof *y);
    for (int64_t s = 0; s < g.N; s++) {
        memset(col, 0, (size_t)(P * K) * sizeof *col);
        nr_gemm(&(nr_gemm_args){P, K, g.C, in + s * P * g.C, g.C, 1, W, 1, g.C, col, K}, pack);
        col2im(&g, col, y + s * ys);
    }
}

void nr_cpu_conv2d_t_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    int64_t K = col_k(&g), P = g.H * g.W, ys = g.Ho * g.Wo * g.F;
    float *col = x->work[NR_ID(x, n)], *pack = col + P * K, *sw = pack + nr_gemm_pack_floats(K > g.C ? K : g.C),
          *sb = sw + K * g.C;
    if (db) {
        memset(sb, 0, (size_t)g.F * sizeof *sb);
        for (int64_t r = 0; r < g.N * g.Ho * g.Wo; r++)
            for (int64_t f = 0; f < g.F; f++) sb[f] += dy[r * g.F + f];
        for (int64_t f = 0; f < g.F; f++) db[f] += sb[f];
    }
    if (!dx && !dW) return;
    if (dW) memset(sw, 0, (size_t)(K * g.C) * sizeof *sw);
    for (int64_t s = 0; s < g.N; s++) {
        const float *xs = in + s * P * g.C;
        im2col(&g, dy + s * ys, col);
        if (dW) nr_gemm(&(nr_gemm_args){K, g.C, P, col, 1, K, xs, g.C, 1, sw, g.C}, pack);
        if (dx) nr_gemm(&(nr_gemm_args){P, g.C, K, col, K, 1, W, g.C, 1, dx + s * P * g.C, g.C}, pack);
    }
    for (int64_t i = 0; dW && i < K * g.C; i++) dW[i] += sw[i];
}

void nr_ref_conv2d_t_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[NR_ID(x, n)];
    int64_t ys = g.Ho * g.Wo * g.F;
    /* Gathered per output cell, so each sum is one double accumulator:
     * input row p reaches output row oh through tap i when
     * oh + ct - i dh = p sh. */
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t oh = 0; oh < g.Ho; oh++)
            for (int64_t ow = 0; ow < g.Wo; ow++)
                for (int64_t f = 0; f < g.F; f++) {
                    double acc = b ? b[f] : 0.0;
                    for (int i = 0; i < g.kh; i++)
                        for (int j = 0; j < g.kw; j++) {
                            int64_t ph = oh + g.pt - (int64_t)i * g.dh, pw = ow + g.pl - (int64_t)j * g.dw;
                            if (ph < 0 || pw < 0 || ph % g.sh || pw % g.sw) continue;
                            int64_t p = ph / g.sh, q = pw / g.sw;
                            if (p >= g.H || q >= g.W) continue;
                            for (int64_t c = 0; c < g.C; c++)
                                acc += (double)in[((s * g.H + p) * g.W + q) * g.C + c] *
                                       W[(((int64_t)i * g.kw + j) * g.F + f) * g.C + c];
                        }
                    y[s * ys + (oh * g.Wo + ow) * g.F + f] = (float)acc;
                }
}

void nr_ref_conv2d_t_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    int64_t ys = g.Ho * g.Wo * g.F, xs = g.H * g.W * g.C;
    for (int64_t f = 0; db && f < g.F; f++) {
        double acc = 0;
        for (int64_t r = 0; r < g.N * g.Ho * g.Wo; r++) acc += dy[r * g.F + f];
        db[f] += (float)acc;
    }
    for (int i = 0; dW && i < g.kh; i++)
        for (int j = 0; j < g.kw; j++)
            for (int64_t f = 0; f < g.F; f++)
                for (int64_t c = 0; c < g.C; c++) {
                    double acc = 0;
                    for (int64_t s = 0; s < g.N; s++)
                        for (int64_t p = 0; p < g.H; p++)
                            for (int64_t q = 0; q < g.W; q++) {
                                int64_t o = out_at(&g, p, q, i, j);
                                if (o >= 0) acc += (double)in[s * xs + (p * g.W + q) * g.C + c] * dy[s * ys + o + f];
                            }
                    dW[(((int64_t)i * g.kw + j) * g.F + f) * g.C + c] += (float)acc;
                }
    for (int64_t s = 0; dx && s < g.N; s++)
        for (int64_t p = 0; p < g.H; p++)
            for (int64_t q = 0; q < g.W; q++)
                for (int64_t c = 0; c < g.C; c++) {
                    double acc = 0;
                    for (int i = 0; i < g.kh; i++)
                        for (int j = 0; j < g.kw; j++) {
                            int64_t o = out_at(&g, p, q, i, j);
                            if (o < 0) continue;
                            for (int64_t f = 0; f < g.F; f++)
                                acc += (double)dy[s * ys + o + f] * W[(((int64_t)i * g.kw + j) * g.F + f) * g.C + c];
                        }
                    dx[s * xs + (p * g.W + q) * g.C + c] += (float)acc;
                }
}
