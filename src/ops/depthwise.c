/* DWCONV2D: depthwise 2-D convolution (DepthwiseConv2D, and the first half
 * of SeparableConv2D), channels-last. x (N,H,W,C), W (kh,kw,C,M) as Keras
 * stores a depthwise kernel (M the depth multiplier), b (C*M) optional,
 * y (N,Ho,Wo,C*M) with output channel c*M + m:
 *   y[n,p,q,c*M+m] = b[c*M+m] + sum_{i,j} x[n, p sh - pt + i dh, q sw - pl + j dw, c] W[i,j,c,m]
 * Strides, dilation and padding amounts in attrs.conv (see graph.h).
 *
 * Each tap (i, j) of W is a row of C*M weights laid out like an output
 * pixel, so the fast kernels are vector multiply-adds over the channels:
 * the forward splits the output rows between threads, the backward splits
 * the channels (each thread owns whole blocks of dx's and dW's channels,
 * so there is no reduction and the sums do not depend on the thread
 * count). Weight gradients are summed in the node's workspace and added
 * once, so a second backward adds exactly the same amounts. The reference
 * kernels are direct loops in double. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/window.h"
#include "ops/vmath.h"

typedef nr_window geom;

int64_t nr_dwconv2d_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    (void)nodes, (void)batch;
    return ((int64_t)n->a.conv.kh * n->a.conv.kw + 1) * n->shape[3];
}

/* Taps [lo, hi) of a window starting at base whose cells base + t d lie
 * inside [0, n). */
typedef struct span { int lo, hi; } span;

static span taps(int64_t base, int k, int d, int64_t n) {
    span s = {0, k};
    if (base < 0) s.lo = (int)((-base + d - 1) / d);
    if (base + (int64_t)(k - 1) * d >= n) s.hi = base >= n ? 0 : (int)((n - base + d - 1) / d);
    if (s.hi < s.lo) s.hi = s.lo;
    return s;
}

/* y[c*M + m] += x[c] w[c*M + m] for one tap. */
static void tap_forward(float *restrict y, const float *restrict x, const float *restrict w, int64_t C, int64_t M) {
    if (M == 1) {
#pragma omp simd
        for (int64_t c = 0; c < C; c++) y[c] += x[c] * w[c];
        return;
    }
    for (int64_t c = 0; c < C; c++)
        for (int64_t m = 0; m < M; m++) y[c * M + m] += x[c] * w[c * M + m];
}

/* Channels [c0, c1) of one tap: dx[c] += sum_m dy[c*M+m] w[c*M+m],
 * dw[c*M+m] += x[c] dy[c*M+m]. dx or dw may be NULL. */
static void tap_backward(float *dx, float *dw, const float *x, const float *w, const float *dy, int64_t c0,
                         int64_t c1, int64_t M) {
    for (int64_t c = c0; c < c1; c++)
        for (int64_t m = 0; m < M; m++) {
            float g = dy[c * M + m];
            if (dx) dx[c] += g * w[c * M + m];
            if (dw) dw[c * M + m] += x[c] * g;
        }
}

void nr_cpu_dwconv2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[NR_ID(x, n)];
    int64_t M = g.F / g.C, rows = g.N * g.Ho, xs = g.H * g.W * g.C;
#pragma omp parallel for num_threads((rows * g.Wo * g.F * g.kh * g.kw > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < rows; r++) {
        int64_t s = r / g.Ho, h0 = r % g.Ho * g.sh - g.pt;
        span si = taps(h0, g.kh, g.dh, g.H);
        for (int64_t q = 0; q < g.Wo; q++) {
            int64_t w0 = q * g.sw - g.pl;
            span sj = taps(w0, g.kw, g.dw, g.W);
            float *yo = y + (r * g.Wo + q) * g.F;
            if (b) memcpy(yo, b, (size_t)g.F * sizeof *yo);
            else memset(yo, 0, (size_t)g.F * sizeof *yo);
            for (int i = si.lo; i < si.hi; i++)
                for (int j = sj.lo; j < sj.hi; j++) {
                    const float *xc = in + s * xs + ((h0 + (int64_t)i * g.dh) * g.W + w0 + (int64_t)j * g.dw) * g.C;
                    tap_forward(yo, xc, W + ((int64_t)i * g.kw + j) * g.F, g.C, M);
                }
        }
    }
}

void nr_cpu_dwconv2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    int64_t M = g.F / g.C, xs = g.H * g.W * g.C, P = g.N * g.Ho * g.Wo, KF = (int64_t)g.kh * g.kw * g.F;
    float *sw = x->work[NR_ID(x, n)], *sb = sw + KF;
    if (db) {
        memset(sb, 0, (size_t)g.F * sizeof *sb);
        for (int64_t r = 0; r < P; r++)
            for (int64_t f = 0; f < g.F; f++) sb[f] += dy[r * g.F + f];
        for (int64_t f = 0; f < g.F; f++) db[f] += sb[f];
    }
    if (!dx && !dW) return;
    /* Blocks of whole cache lines of x's channels, one per thread at most. */
    int64_t threads = P * g.F * g.kh * g.kw > NR_PAR_MIN ? nr_num_threads() : 1;
    int64_t cb = ((g.C + threads - 1) / threads + 15) / 16 * 16, blocks = (g.C + cb - 1) / cb;
#pragma omp parallel for num_threads((blocks > 1) ? nr_num_threads() : 1)
    for (int64_t blk = 0; blk < blocks; blk++) {
        int64_t c0 = blk * cb, c1 = c0 + cb < g.C ? c0 + cb : g.C;
        for (int64_t t = 0; dW && t < (int64_t)g.kh * g.kw; t++)
            memset(sw + t * g.F + c0 * M, 0, (size_t)((c1 - c0) * M) * sizeof *sw);
        for (int64_t r = 0; r < g.N * g.Ho; r++) {
            int64_t s = r / g.Ho, h0 = r % g.Ho * g.sh - g.pt;
            span si = taps(h0, g.kh, g.dh, g.H);
            for (int64_t q = 0; q < g.Wo; q++) {
                int64_t w0 = q * g.sw - g.pl;
                span sj = taps(w0, g.kw, g.dw, g.W);
                const float *d = dy + (r * g.Wo + q) * g.F;
                for (int i = si.lo; i < si.hi; i++)
                    for (int j = sj.lo; j < sj.hi; j++) {
                        int64_t xo = s * xs + ((h0 + (int64_t)i * g.dh) * g.W + w0 + (int64_t)j * g.dw) * g.C,
                                wo = ((int64_t)i * g.kw + j) * g.F;
                        tap_backward(dx ? dx + xo : NULL, dW ? sw + wo : NULL, in + xo, W + wo, d, c0, c1, M);
                    }
            }
        }
        for (int64_t t = 0; dW && t < (int64_t)g.kh * g.kw; t++)
            for (int64_t f = c0 * M; f < c1 * M; f++) dW[t * g.F + f] += sw[t * g.F + f];
    }
}

/* Input offset (within a sample) of tap (i, j) at output (p, q), or -1 in
 * the padding. */
static int64_t tap_at(const geom *g, int64_t p, int64_t q, int i, int j) {
    int64_t ih = p * g->sh - g->pt + (int64_t)i * g->dh, iw = q * g->sw - g->pl + (int64_t)j * g->dw;
    return (ih >= 0 && ih < g->H && iw >= 0 && iw < g->W) ? (ih * g->W + iw) * g->C : -1;
}

void nr_ref_dwconv2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[NR_ID(x, n)];
    int64_t M = g.F / g.C, xs = g.H * g.W * g.C;
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++)
                for (int64_t f = 0; f < g.F; f++) {
                    double acc = b ? b[f] : 0.0;
                    for (int i = 0; i < g.kh; i++)
                        for (int j = 0; j < g.kw; j++) {
                            int64_t o = tap_at(&g, p, q, i, j);
                            if (o >= 0) acc += (double)in[s * xs + o + f / M] * W[((int64_t)i * g.kw + j) * g.F + f];
                        }
                    y[((s * g.Ho + p) * g.Wo + q) * g.F + f] = (float)acc;
                }
}

void nr_ref_dwconv2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    int64_t M = g.F / g.C, xs = g.H * g.W * g.C;
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
            for (int64_t f = 0; f < g.F; f++) {
                double acc = 0;
                for (int64_t s = 0; s < g.N; s++)
                    for (int64_t p = 0; p < g.Ho; p++)
                        for (int64_t q = 0; q < g.Wo; q++) {
                            int64_t o = tap_at(&g, p, q, i, j);
                            if (o >= 0) acc += (double)in[s * xs + o + f / M] * DY(s, p, q, f);
                        }
                dW[((int64_t)i * g.kw + j) * g.F + f] += (float)acc;
            }
    for (int64_t s = 0; dx && s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++)
                for (int i = 0; i < g.kh; i++)
                    for (int j = 0; j < g.kw; j++) {
                        int64_t o = tap_at(&g, p, q, i, j);
                        if (o < 0) continue;
                        for (int64_t c = 0; c < g.C; c++) {
                            double acc = 0;
                            for (int64_t m = 0; m < M; m++)
                                acc += (double)DY(s, p, q, c * M + m) * W[((int64_t)i * g.kw + j) * g.F + c * M + m];
                            dx[s * xs + o + c] += (float)acc;
                        }
                    }
#undef DY
}
