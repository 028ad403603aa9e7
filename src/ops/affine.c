/* RANDOM_AFFINE (attrs.affine): Keras's RandomFlip, RandomRotation,
 * RandomTranslation and RandomZoom on channels-last images x (N,H,W,C),
 * y of the same shape.
 *
 * Training: sample n draws a transform A = (a0 a1 a2; b0 b1 b2) that maps
 * output pixel (row i, column j) to the input point
 *   xs = a0 j + a1 i + a2,  ys = b0 j + b1 i + b2
 * (the convention of Keras's ops.image.affine_transform), and
 *   bilinear: y[n,i,j,c] = sum over p in {floor ys, +1}, q in {floor xs, +1} of
 *             (1 - |ys - p|) (1 - |xs - q|) x[n, fix(p), fix(q), c]
 *   nearest:  y[n,i,j,c] = x[n, fix(round ys), fix(round xs), c]  (ties away from 0)
 * where fix brings an index outside the image back in by the fill mode:
 * reflect (period 2L, i -> 2L-1-i on the way back), wrap (i mod L), nearest
 * (clamp), or constant, where the pixel reads as fill_value. Indices are
 * fixed one by one, as Keras's JAX and NumPy backends do (TensorFlow's
 * kernel folds the point instead, which only differs in "wrap" between the
 * last and the first pixel). dx gets dy spread with the same weights; the
 * transform gets no gradient. Inference: y = x, dx += dy.
 *
 * Draws: u0, u1 = nr_hash_uniform(seed ^ splitmix64(step), 2n and 2n+1),
 * v_k = lo_k + (hi_k - lo_k) u_k, and with h = H - 1, w = W - 1:
 *   flip:        if u0 < 0.5 (one draw for both axes, as Keras 3):
 *                horizontal a0 = -1, a2 = w; vertical b1 = -1, b2 = h
 *   rotation:    t = 2 pi v0:  (cos t, -sin t, (w - cos t w + sin t h) / 2;
 *                               sin t, cos t, (h - sin t w - cos t h) / 2)
 *   translation: (1, 0, -W v1; 0, 1, -H v0)
 *   zoom:        zy = 1 + v0, zx = 1 + v1 (zy without a width factor):
 *                (zx, 0, w (1 - zx) / 2; 0, zy, h (1 - zy) / 2)
 * The six numbers per sample stay in the node's workspace (6 N floats) from
 * forward to backward. */
#include <math.h>
#include <string.h>
#include "core/rng.h"
#include "ops/kernels.h"
#include "ops/vmath.h"

typedef struct geom { int64_t N, H, W, C; } geom;

static geom geom_of(const nr_exec *x, const nr_node *n) {
    return (geom){x->batch, n->shape[1], n->shape[2], n->shape[3]};
}

int64_t nr_random_affine_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    (void)n;
    (void)nodes;
    return 6 * batch;
}

static float drawn(const nr_node *n, int k, float u) { return n->a.affine.lo[k] + (n->a.affine.hi[k] - n->a.affine.lo[k]) * u; }

/* Sample s's transform into A[6]. */
static void draw(const nr_node *n, uint64_t key, int64_t s, const geom *g, float *A) {
    float u0 = nr_hash_uniform(key, 2 * (uint64_t)s), u1 = nr_hash_uniform(key, 2 * (uint64_t)s + 1);
    double h = (double)g->H - 1, w = (double)g->W - 1, m[6] = {1, 0, 0, 0, 1, 0};
    switch ((nr_affine_kind)n->a.affine.kind) {
    case NR_AFFINE_FLIP:
        if (u0 >= 0.5f) break;
        if (n->a.affine.mode != NR_FLIP_VERTICAL) m[0] = -1, m[2] = w;
        if (n->a.affine.mode != NR_FLIP_HORIZONTAL) m[4] = -1, m[5] = h;
        break;
    case NR_AFFINE_ROTATION: {
        double t = 6.283185307179586 * drawn(n, 0, u0), c = cos(t), sn = sin(t);
        m[0] = c, m[1] = -sn, m[2] = (w - c * w + sn * h) / 2;
        m[3] = sn, m[4] = c, m[5] = (h - sn * w - c * h) / 2;
        break;
    }
    case NR_AFFINE_TRANSLATION:
        m[2] = -(double)((float)g->W * drawn(n, 1, u1));
        m[5] = -(double)((float)g->H * drawn(n, 0, u0));
        break;
    case NR_AFFINE_ZOOM: {
        double zy = 1.0f + drawn(n, 0, u0), zx = n->a.affine.has_width ? 1.0f + drawn(n, 1, u1) : zy;
        m[0] = zx, m[2] = w * (1 - zx) / 2;
        m[4] = zy, m[5] = h * (1 - zy) / 2;
        break;
    }
    }
    for (int k = 0; k < 6; k++) A[k] = (float)m[k];
}

static void draw_all(const nr_exec *x, const nr_node *n, const geom *g, float *A) {
    const uint64_t key = n->a.affine.seed ^ nr_splitmix64(x->step);
    for (int64_t s = 0; s < g->N; s++) draw(n, key, s, g, A + 6 * s);
}

/* Index i of an axis of length L brought inside by the fill mode, or -1
 * for a constant fill. */
static int64_t fix(int64_t i, int64_t L, int fill) {
    if (i >= 0 && i < L) return i;
    switch ((nr_fill_mode)fill) {
    case NR_FILL_REFLECT: {
        int64_t m = i % (2 * L);
        if (m < 0) m += 2 * L;
        return m < L ? m : 2 * L - 1 - m;
    }
    case NR_FILL_WRAP: {
        int64_t m = i % L;
        return m < 0 ? m + L : m;
    }
    case NR_FILL_NEAREST: return i < 0 ? 0 : L - 1;
    case NR_FILL_CONSTANT: break;
    }
    return -1;
}

/* The input pixels an output pixel reads: offsets p W + q within the
 * sample (-1: the fill value) and their weights. A zero weight still reads
 * its pixel, as Keras does (an inf or NaN there spreads). */
typedef struct taps { int64_t off[4]; float w[4]; int n; } taps;

static void tap(taps *t, const nr_node *n, const geom *g, float p, float q, float w) {
    int64_t pi = fix((int64_t)p, g->H, n->a.affine.fill), qi = fix((int64_t)q, g->W, n->a.affine.fill);
    t->off[t->n] = pi < 0 || qi < 0 ? -1 : pi * g->W + qi;
    t->w[t->n++] = w;
}

static void taps_at(const nr_node *n, const geom *g, const float *A, int64_t i, int64_t j, taps *t) {
    float xs = A[0] * (float)j + A[1] * (float)i + A[2], ys = A[3] * (float)j + A[4] * (float)i + A[5];
    t->n = 0;
    if (n->a.affine.interp == NR_INTERPOLATION_NEAREST) {
        tap(t, n, g, roundf(ys), roundf(xs), 1.0f);
        return;
    }
    float p = floorf(ys), q = floorf(xs), fy = ys - p, fx = xs - q;
    const float wy[2] = {1 - fy, fy}, wx[2] = {1 - fx, fx};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) tap(t, n, g, p + (float)a, q + (float)b, wy[a] * wx[b]);
}

/* --- reference: one element at a time, sums in double ------------------ */

void nr_ref_random_affine_forward(const nr_exec *x, const nr_node *n) {
    geom g = geom_of(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    if (!x->training) {
        for (int64_t e = 0; e < g.N * g.H * g.W * g.C; e++) y[e] = in[e];
        return;
    }
    float *A = x->work[NR_ID(x, n)];
    draw_all(x, n, &g, A);
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t i = 0; i < g.H; i++)
            for (int64_t j = 0; j < g.W; j++)
                for (int64_t c = 0; c < g.C; c++) {
                    taps t;
                    taps_at(n, &g, A + 6 * s, i, j, &t);
                    double v = 0;
                    for (int k = 0; k < t.n; k++)
                        v += (double)t.w[k] * (t.off[k] < 0 ? n->a.affine.fill_value
                                                             : in[(s * g.H * g.W + t.off[k]) * g.C + c]);
                    y[((s * g.H + i) * g.W + j) * g.C + c] = (float)v;
                }
}

void nr_ref_random_affine_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    geom g = geom_of(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    if (!x->training) {
        for (int64_t e = 0; e < g.N * g.H * g.W * g.C; e++) dx[e] += dy[e];
        return;
    }
    const float *A = x->work[NR_ID(x, n)];
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t i = 0; i < g.H; i++)
            for (int64_t j = 0; j < g.W; j++)
                for (int64_t c = 0; c < g.C; c++) {
                    taps t;
                    taps_at(n, &g, A + 6 * s, i, j, &t);
                    for (int k = 0; k < t.n; k++)
                        if (t.off[k] >= 0)
                            dx[(s * g.H * g.W + t.off[k]) * g.C + c] += t.w[k] * dy[((s * g.H + i) * g.W + j) * g.C + c];
                }
}

/* --- fast: channels innermost, a direct path inside the image ------------ */

/* A bilinear point whose 2x2 neighbourhood lies inside the image: the
 * offset of its top-left pixel and its four weights (top-left, top-right,
 * bottom-left, bottom-right); 0 when a fill mode has to step in. */
static int inside(const nr_node *n, const geom *g, const float *A, int64_t i, int64_t j, int64_t *off, float w[4]) {
    if (n->a.affine.interp != NR_INTERPOLATION_BILINEAR) return 0;
    float xs = A[0] * (float)j + A[1] * (float)i + A[2], ys = A[3] * (float)j + A[4] * (float)i + A[5];
    float p = floorf(ys), q = floorf(xs);
    if (!(p >= 0 && q >= 0 && p < (float)(g->H - 1) && q < (float)(g->W - 1))) return 0;
    float fy = ys - p, fx = xs - q;
    *off = (int64_t)p * g->W + (int64_t)q;
    w[0] = (1 - fy) * (1 - fx), w[1] = (1 - fy) * fx, w[2] = fy * (1 - fx), w[3] = fy * fx;
    return 1;
}

void nr_cpu_random_affine_forward(const nr_exec *x, const nr_node *n) {
    geom g = geom_of(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    int64_t K = g.N * g.H * g.W * g.C, C = g.C, WC = g.W * g.C;
    if (!x->training) {
        if (y != in) memcpy(y, in, (size_t)K * sizeof *y);
        return;
    }
    float *A = x->work[NR_ID(x, n)];
    draw_all(x, n, &g, A);
    const float fill = n->a.affine.fill_value;
#pragma omp parallel for num_threads((K > NR_PAR_MIN / 4) ? nr_num_threads() : 1)
    for (int64_t r = 0; r < g.N * g.H; r++) {
        int64_t s = r / g.H, i = r % g.H, off;
        const float *xs = in + s * g.H * WC, *As = A + 6 * s;
        for (int64_t j = 0; j < g.W; j++) {
            float *yo = y + (r * g.W + j) * C, w[4];
            if (inside(n, &g, As, i, j, &off, w)) {
                const float *p0 = xs + off * C, *p1 = p0 + WC;
                for (int64_t c = 0; c < C; c++) yo[c] = w[0] * p0[c] + w[1] * p0[C + c] + w[2] * p1[c] + w[3] * p1[C + c];
                continue;
            }
            taps t;
            taps_at(n, &g, As, i, j, &t);
            for (int64_t c = 0; c < C; c++) {
                float v = 0;
                for (int k = 0; k < t.n; k++) v += t.w[k] * (t.off[k] < 0 ? fill : xs[t.off[k] * C + c]);
                yo[c] = v;
            }
        }
    }
}

void nr_cpu_random_affine_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    geom g = geom_of(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    int64_t K = g.N * g.H * g.W * g.C, C = g.C, WC = g.W * g.C;
    if (!x->training) {
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t e = 0; e < K; e++) dx[e] += dy[e];
        return;
    }
    const float *A = x->work[NR_ID(x, n)];
    /* Pixels of one sample may read the same input pixel: parallel over
     * samples only. */
#pragma omp parallel for num_threads((K > NR_PAR_MIN / 4) ? nr_num_threads() : 1)
    for (int64_t s = 0; s < g.N; s++) {
        float *dxs = dx + s * g.H * WC;
        const float *As = A + 6 * s;
        for (int64_t i = 0; i < g.H; i++)
            for (int64_t j = 0; j < g.W; j++) {
                const float *dyo = dy + ((s * g.H + i) * g.W + j) * C;
                int64_t off;
                float w[4];
                if (inside(n, &g, As, i, j, &off, w)) {
                    float *p0 = dxs + off * C, *p1 = p0 + WC;
                    for (int64_t c = 0; c < C; c++) {
                        p0[c] += w[0] * dyo[c];
                        p0[C + c] += w[1] * dyo[c];
                        p1[c] += w[2] * dyo[c];
                        p1[C + c] += w[3] * dyo[c];
                    }
                    continue;
                }
                taps t;
                taps_at(n, &g, As, i, j, &t);
                for (int k = 0; k < t.n; k++)
                    if (t.off[k] >= 0)
                        for (int64_t c = 0; c < C; c++) dxs[t.off[k] * C + c] += t.w[k] * dyo[c];
            }
    }
}
