/* MAXPOOL2D and AVGPOOL2D, channels-last: x (N,H,W,C), y (N,Ho,Wo,C);
 * window kh x kw, stride sh x sw, padding amounts in attrs.conv (see
 * graph.h; dh, dw are ignored). Padded cells never take part: max ignores
 * them and average excludes them from its count, as TensorFlow's "same"
 * pooling does. A window wholly in the padding gives 0. A 3-D x (N,T,C)
 * is pooled as an image one row high (MaxPooling1D, AveragePooling1D).
 *
 * Max routes each output's gradient to the first maximum of its window
 * (row-major window order). The fast forward records, per output element,
 * that maximum's position inside its window (i*kw + j, as a float: exact
 * for any window below 2^24 cells, -1 for an empty window) in the node's
 * work buffer (1 float per output element), and the fast backward reads it
 * back, so backward needs the forward of the same run. The reference
 * backward recomputes the argmax from x. Average spreads dy / count over
 * the window.
 *
 * The fast kernels loop over the window with channels innermost
 * (contiguous); the reference kernels loop per channel in double. */
#include <float.h>
#include <string.h>
#include "ops/kernels.h"
#include "ops/window.h"
#include "ops/vmath.h"

typedef nr_window geom;

/* The window of output (p, q) clipped to the input: rows [i0, i1), columns
 * [j0, j1) in window coordinates. */
typedef struct win { int i0, i1, j0, j1; int64_t h0, w0; } win;

static win window(const geom *g, int64_t p, int64_t q) {
    win w;
    w.h0 = p * g->sh - g->pt;
    w.w0 = q * g->sw - g->pl;
    w.i0 = w.h0 < 0 ? (int)-w.h0 : 0;
    w.j0 = w.w0 < 0 ? (int)-w.w0 : 0;
    w.i1 = w.h0 + g->kh > g->H ? (int)(g->H - w.h0) : g->kh;
    w.j1 = w.w0 + g->kw > g->W ? (int)(g->W - w.w0) : g->kw;
    if (w.i1 < w.i0) w.i1 = w.i0;
    if (w.j1 < w.j0) w.j1 = w.j0;
    return w;
}

/* Offset (within a sample) of window cell (i, j). */
static int64_t cell(const geom *g, const win *w, int i, int j) {
    return ((w->h0 + i) * g->W + (w->w0 + j)) * g->C;
}

/* --- max --------------------------------------------------------------- */

/* Channels of one block of max_window, kept in registers across the
 * window (a loop over cells per channel would store and reload the
 * running maximum each cell). */
#define MAX_BLOCK 8

/* yo = the maximum over window w of channels [c0, c0 + n) (n <= 8), ao =
 * its cell index (first maximum). */
static void max_block(const geom *g, const float *restrict xs0, const win *w, int64_t c0, int n, float *restrict yo,
                      float *restrict ao) {
    float m[MAX_BLOCK], a[MAX_BLOCK];
    const float *first = xs0 + cell(g, w, w->i0, w->j0) + c0;
    for (int c = 0; c < MAX_BLOCK; c++) m[c] = c < n ? first[c] : 0.0f, a[c] = (float)(w->i0 * g->kw + w->j0);
    for (int i = w->i0; i < w->i1; i++)
        for (int j = w->j0; j < w->j1; j++) {
            const float *xc = xs0 + cell(g, w, i, j) + c0;
            float k = (float)(i * g->kw + j), v[MAX_BLOCK];
            for (int c = 0; c < MAX_BLOCK; c++) v[c] = c < n ? xc[c] : 0.0f;
            for (int c = 0; c < MAX_BLOCK; c++) {
                int gt = v[c] > m[c];
                m[c] = gt ? v[c] : m[c];
                a[c] = gt ? k : a[c];
            }
        }
    for (int c = 0; c < n; c++) yo[c] = m[c], ao[c] = a[c];
}

#if defined(__AVX2__)
#include <immintrin.h>

/* max_block for a full block of 8 channels, in one ymm register each. */
static void max_block8(const geom *g, const float *xs0, const win *w, int64_t c0, float *yo, float *ao) {
    __m256 m = _mm256_loadu_ps(xs0 + cell(g, w, w->i0, w->j0) + c0);
    __m256 a = _mm256_set1_ps((float)(w->i0 * g->kw + w->j0));
    for (int i = w->i0; i < w->i1; i++)
        for (int j = w->j0; j < w->j1; j++) {
            __m256 v = _mm256_loadu_ps(xs0 + cell(g, w, i, j) + c0), gt = _mm256_cmp_ps(v, m, _CMP_GT_OQ);
            m = _mm256_blendv_ps(m, v, gt);
            a = _mm256_blendv_ps(a, _mm256_set1_ps((float)(i * g->kw + j)), gt);
        }
    _mm256_storeu_ps(yo, m);
    _mm256_storeu_ps(ao, a);
}
#endif

#if defined(__AVX2__)
/* A whole 2x2 window (the common MaxPooling2D(2)), 8 channels at a time:
 * the four cells at fixed offsets, compared in window order. */
static void max_2x2(const geom *g, const float *p, int64_t C, float *yo, float *ao) {
    const float *q = p + g->W * C;
    for (int64_t c = 0; c + MAX_BLOCK <= C; c += MAX_BLOCK) {
        __m256 m = _mm256_loadu_ps(p + c), a = _mm256_setzero_ps();
        __m256 v1 = _mm256_loadu_ps(p + C + c), v2 = _mm256_loadu_ps(q + c), v3 = _mm256_loadu_ps(q + C + c);
        __m256 gt = _mm256_cmp_ps(v1, m, _CMP_GT_OQ);
        m = _mm256_blendv_ps(m, v1, gt), a = _mm256_blendv_ps(a, _mm256_set1_ps(1.0f), gt);
        gt = _mm256_cmp_ps(v2, m, _CMP_GT_OQ);
        m = _mm256_blendv_ps(m, v2, gt), a = _mm256_blendv_ps(a, _mm256_set1_ps(2.0f), gt);
        gt = _mm256_cmp_ps(v3, m, _CMP_GT_OQ);
        m = _mm256_blendv_ps(m, v3, gt), a = _mm256_blendv_ps(a, _mm256_set1_ps(3.0f), gt);
        _mm256_storeu_ps(yo + c, m);
        _mm256_storeu_ps(ao + c, a);
    }
}
#endif

/* yo = the maximum over window w of each channel, ao = its cell index
 * (first maximum); an empty window gives 0 and -1. */
static void max_window(const geom *g, const float *restrict xs0, const win *w, float *restrict yo,
                       float *restrict ao) {
    if (w->i0 >= w->i1 || w->j0 >= w->j1) {
        for (int64_t c = 0; c < g->C; c++) yo[c] = 0, ao[c] = -1;
        return;
    }
#if defined(__AVX2__)
    if (g->kh == 2 && g->kw == 2 && w->i0 == 0 && w->j0 == 0 && w->i1 == 2 && w->j1 == 2 && g->C % MAX_BLOCK == 0) {
        max_2x2(g, xs0 + cell(g, w, 0, 0), g->C, yo, ao);
        return;
    }
#endif
    for (int64_t c0 = 0; c0 < g->C; c0 += MAX_BLOCK) {
        int n = (int)(g->C - c0 < MAX_BLOCK ? g->C - c0 : MAX_BLOCK);
#if defined(__AVX2__)
        if (n == MAX_BLOCK) {
            max_block8(g, xs0, w, c0, yo + c0, ao + c0);
            continue;
        }
#endif
        max_block(g, xs0, w, c0, n, yo + c0, ao + c0);
    }
}

void nr_cpu_maxpool2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)], *arg = x->work[NR_ID(x, n)];
    int64_t rows = g.N * g.Ho, xs = g.H * g.W * g.C;
#pragma omp parallel for num_threads((rows * g.Wo * g.C * g.kh * g.kw > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < rows; r++) {
        int64_t s = r / g.Ho, p = r % g.Ho;
        for (int64_t q = 0; q < g.Wo; q++) {
            win w = window(&g, p, q);
            max_window(&g, in + s * xs, &w, y + (r * g.Wo + q) * g.C, arg + (r * g.Wo + q) * g.C);
        }
    }
}

/* Up to this many window cells, backward looks offsets up in a table. */
#define MAX_TABLE 64

/* dx[base + cell] += dy[c] for the cell where the maximum of channel c was
 * (cell index arg[c]); base may lie before dx's sample in the padding. */
static void max_back_window(const geom *g, const int64_t *table, float *dx, int64_t base, const float *dy,
                            const float *arg) {
    for (int64_t c = 0; c < g->C; c++) {
        int k = (int)arg[c];
        if (k < 0) continue;
        int64_t off = table ? table[k] : ((int64_t)(k / g->kw) * g->W + k % g->kw) * g->C;
        dx[base + off + c] += dy[c];
    }
}

#if defined(__AVX2__)
/* max_back_window for a whole 2x2 window, 8 channels at a time: each cell
 * takes dy masked by arg == its index, so no lane scatters; stored over
 * the cells when store is set. */
static void max_back_2x2(const geom *g, float *p, const float *dy, const float *arg, int store) {
    int64_t C = g->C;
    float *cells[4] = {p, p + C, p + g->W * C, p + g->W * C + C};
    for (int64_t c = 0; c + MAX_BLOCK <= C; c += MAX_BLOCK) {
        __m256 d = _mm256_loadu_ps(dy + c), a = _mm256_loadu_ps(arg + c);
        for (int k = 0; k < 4; k++) {
            __m256 v = _mm256_and_ps(d, _mm256_cmp_ps(a, _mm256_set1_ps((float)k), _CMP_EQ_OQ));
            _mm256_storeu_ps(cells[k] + c, store ? v : _mm256_add_ps(_mm256_loadu_ps(cells[k] + c), v));
        }
    }
}
#endif

void nr_cpu_maxpool2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *dy = x->grad[NR_ID(x, n)], *arg = x->work[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    int64_t xs = g.H * g.W * g.C, table[MAX_TABLE];
    int cells = g.kh * g.kw, use_table = cells <= MAX_TABLE;
    for (int k = 0; use_table && k < cells; k++) table[k] = ((int64_t)(k / g.kw) * g.W + k % g.kw) * g.C;
    int store = 0; /* exec.fresh and the 2x2 windows tile x exactly: every cell stored once */
#if defined(__AVX2__)
    int two = g.kh == 2 && g.kw == 2 && g.C % MAX_BLOCK == 0;
    store = x->fresh && two && g.sh == 2 && g.sw == 2 && g.pt == 0 && g.pl == 0 && g.H == 2 * g.Ho && g.W == 2 * g.Wo;
#endif
    if (x->fresh && !store) memset(dx, 0, (size_t)(g.N * xs) * sizeof *dx);
    /* Windows of one sample may overlap: parallel over samples only. */
#pragma omp parallel for num_threads((g.N * g.Ho * g.Wo * g.C > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++) {
                win w = window(&g, p, q);
                int64_t o = ((s * g.Ho + p) * g.Wo + q) * g.C;
                int64_t base = s * xs + cell(&g, &w, 0, 0);
#if defined(__AVX2__)
                if (two && w.i0 == 0 && w.j0 == 0 && w.i1 == 2 && w.j1 == 2) {
                    max_back_2x2(&g, dx + base, dy + o, arg + o, store);
                    continue;
                }
#endif
                max_back_window(&g, use_table ? table : NULL, dx, base, dy + o, arg + o);
            }
}

/* First maximum of channel c in window w of sample xs0, or -1 if empty. */
static int ref_argmax(const geom *g, const win *w, const float *xs0, int64_t c) {
    int best = -1;
    float v = 0;
    for (int i = w->i0; i < w->i1; i++)
        for (int j = w->j0; j < w->j1; j++) {
            float u = xs0[cell(g, w, i, j) + c];
            if (best < 0 || u > v) {
                best = i * g->kw + j;
                v = u;
            }
        }
    return best;
}

void nr_ref_maxpool2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    int64_t xs = g.H * g.W * g.C;
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++) {
                win w = window(&g, p, q);
                for (int64_t c = 0; c < g.C; c++) {
                    int k = ref_argmax(&g, &w, in + s * xs, c);
                    y[((s * g.Ho + p) * g.Wo + q) * g.C + c] =
                        k < 0 ? 0.0f : in[s * xs + cell(&g, &w, k / g.kw, k % g.kw) + c];
                }
            }
}

void nr_ref_maxpool2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]];
    int64_t xs = g.H * g.W * g.C;
    for (int64_t s = 0; dx && s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++) {
                win w = window(&g, p, q);
                for (int64_t c = 0; c < g.C; c++) {
                    int k = ref_argmax(&g, &w, in + s * xs, c);
                    if (k >= 0)
                        dx[s * xs + cell(&g, &w, k / g.kw, k % g.kw) + c] += dy[((s * g.Ho + p) * g.Wo + q) * g.C + c];
                }
            }
}

/* --- average ----------------------------------------------------------- */

void nr_cpu_avgpool2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    int64_t rows = g.N * g.Ho, xs = g.H * g.W * g.C;
#pragma omp parallel for num_threads((rows * g.Wo * g.C * g.kh * g.kw > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < rows; r++) {
        int64_t s = r / g.Ho, p = r % g.Ho;
        for (int64_t q = 0; q < g.Wo; q++) {
            win w = window(&g, p, q);
            float *yo = y + (r * g.Wo + q) * g.C;
            memset(yo, 0, (size_t)g.C * sizeof *yo);
            for (int i = w.i0; i < w.i1; i++)
                for (int j = w.j0; j < w.j1; j++) {
                    const float *xc = in + s * xs + cell(&g, &w, i, j);
                    for (int64_t c = 0; c < g.C; c++) yo[c] += xc[c];
                }
            int cnt = (w.i1 - w.i0) * (w.j1 - w.j0);
            float inv = cnt ? 1.0f / (float)cnt : 0.0f;
            for (int64_t c = 0; c < g.C; c++) yo[c] *= inv;
        }
    }
}

void nr_cpu_avgpool2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    int64_t xs = g.H * g.W * g.C;
#pragma omp parallel for num_threads((g.N * g.Ho * g.Wo * g.C * g.kh * g.kw > NR_PAR_MIN) ? nr_num_threads() : 1)
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++) {
                win w = window(&g, p, q);
                int cnt = (w.i1 - w.i0) * (w.j1 - w.j0);
                if (!cnt) continue;
                float inv = 1.0f / (float)cnt;
                const float *d = dy + ((s * g.Ho + p) * g.Wo + q) * g.C;
                for (int i = w.i0; i < w.i1; i++)
                    for (int j = w.j0; j < w.j1; j++) {
                        float *dc = dx + s * xs + cell(&g, &w, i, j);
                        for (int64_t c = 0; c < g.C; c++) dc[c] += d[c] * inv;
                    }
            }
}

void nr_ref_avgpool2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    int64_t xs = g.H * g.W * g.C;
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++) {
                win w = window(&g, p, q);
                int cnt = (w.i1 - w.i0) * (w.j1 - w.j0);
                for (int64_t c = 0; c < g.C; c++) {
                    double acc = 0;
                    for (int i = w.i0; i < w.i1; i++)
                        for (int j = w.j0; j < w.j1; j++) acc += in[s * xs + cell(&g, &w, i, j) + c];
                    y[((s * g.Ho + p) * g.Wo + q) * g.C + c] = cnt ? (float)(acc / cnt) : 0.0f;
                }
            }
}

void nr_ref_avgpool2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]];
    int64_t xs = g.H * g.W * g.C;
    for (int64_t s = 0; dx && s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++) {
                win w = window(&g, p, q);
                int cnt = (w.i1 - w.i0) * (w.j1 - w.j0);
                if (!cnt) continue;
                for (int64_t c = 0; c < g.C; c++) {
                    double d = (double)dy[((s * g.Ho + p) * g.Wo + q) * g.C + c] / cnt;
                    for (int i = w.i0; i < w.i1; i++)
                        for (int j = w.j0; j < w.j1; j++) dx[s * xs + cell(&g, &w, i, j) + c] += (float)d;
                }
            }
}
