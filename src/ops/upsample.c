/* UPSAMPLE2D, channels-last: x (N,H,W,C), y (N,Ho,Wo,C) with Ho = H sh,
 * Wo = W sw (attrs.upsample).
 *
 * nearest (Keras repeats rows and columns):
 *   y[n,p,q,c] = x[n, p / sh, q / sw, c]
 *   dx[n,i,j,c] += sum of dy over the sh x sw block x[n,i,j] was copied to
 * bilinear (Keras 3 resizes with ops.image.resize: TensorFlow's bilinear
 * resize with half-pixel centers, no antialiasing; torch's interpolate with
 * align_corners=False): output row p reads input rows i0 = floor(u) and
 * i1 = min(i0 + 1, H - 1) at u = max((p + 1/2) / sh - 1/2, 0), weight
 * a = u - i0 on i1; columns alike (j0, j1, b), and
 *   y = (1-a) ((1-b) x[i0,j0] + b x[i0,j1]) + a ((1-b) x[i1,j0] + b x[i1,j1])
 * Backward spreads dy over the same four cells with the same weights.
 *
 * The fast kernels run channels innermost (contiguous): threads over output
 * rows forward and over input rows for the nearest backward; the bilinear
 * backward scatters into overlapping rows, so it threads over samples. The
 * reference kernels loop per element in double. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

typedef struct udims { int64_t N, H, W, C, Ho, Wo; int sh, sw; } udims;

static udims dims(const nr_exec *x, const nr_node *n) {
    const nr_node *xin = &x->nodes[n->in[0]];
    udims d = {x->batch, xin->shape[1], xin->shape[2], xin->shape[3], n->shape[1], n->shape[2],
               n->a.upsample.sh, n->a.upsample.sw};
    return d;
}

/* Where output index p of an axis upsampled s times from size len reads. */
typedef struct tap { int64_t i0, i1; float a; } tap;

static tap tap_of(int64_t p, int s, int64_t len) {
    /* (p + 1/2) / s - 1/2 as one exactly rounded quotient. */
    float u = (float)(2 * p + 1 - s) / (float)(2 * s);
    if (u < 0) u = 0;
    tap t;
    t.i0 = (int64_t)u;
    t.i1 = t.i0 + 1 < len ? t.i0 + 1 : len - 1;
    t.a = u - (float)t.i0;
    return t;
}

static int threads(udims d) { return d.N * d.Ho * d.Wo * d.C > NR_PAR_MIN ? nr_num_threads() : 1; }

/* --- nearest ----------------------------------------------------------------- */

/* Copies loop rather than call memcpy: a pixel's C floats are few. */
static void cpu_nearest_forward(udims d, const float *in, float *y) {
#pragma omp parallel for num_threads(threads(d))
    for (int64_t r = 0; r < d.N * d.Ho; r++) {
        const float *xr = in + ((r / d.Ho) * d.H + (r % d.Ho) / d.sh) * d.W * d.C;
        float *yr = y + r * d.Wo * d.C;
        for (int64_t q = 0; q < d.Wo; q++) {
            const float *xc = xr + (q / d.sw) * d.C;
            float *yc = yr + q * d.C;
            for (int64_t c = 0; c < d.C; c++) yc[c] = xc[c];
        }
    }
}

/* fresh: dx holds garbage; each row is zeroed just before its sums (in
 * cache, instead of a pass over all of dx beforehand). */
static void cpu_nearest_backward(udims d, const float *dy, float *dx, int fresh) {
#pragma omp parallel for num_threads(threads(d))
    for (int64_t r = 0; r < d.N * d.H; r++) {
        float *dr = dx + r * d.W * d.C;
        int64_t s = r / d.H, i = r % d.H;
        if (fresh) memset(dr, 0, (size_t)(d.W * d.C) * sizeof *dr);
        for (int k = 0; k < d.sh; k++) {
            const float *g = dy + (s * d.Ho + i * d.sh + k) * d.Wo * d.C;
            for (int64_t j = 0; j < d.W; j++)
                for (int t = 0; t < d.sw; t++) {
                    const float *gc = g + (j * d.sw + t) * d.C;
                    for (int64_t c = 0; c < d.C; c++) dr[j * d.C + c] += gc[c];
                }
        }
    }
}

/* --- bilinear ---------------------------------------------------------------- */

static void cpu_bilinear_forward(udims d, const float *in, float *y) {
#pragma omp parallel for num_threads(threads(d))
    for (int64_t r = 0; r < d.N * d.Ho; r++) {
        tap ty = tap_of(r % d.Ho, d.sh, d.H);
        const float *x0 = in + ((r / d.Ho) * d.H + ty.i0) * d.W * d.C;
        const float *x1 = in + ((r / d.Ho) * d.H + ty.i1) * d.W * d.C;
        float *yr = y + r * d.Wo * d.C;
        for (int64_t q = 0; q < d.Wo; q++) {
            tap tx = tap_of(q, d.sw, d.W);
            const float *a = x0 + tx.i0 * d.C, *b = x0 + tx.i1 * d.C, *e = x1 + tx.i0 * d.C, *f = x1 + tx.i1 * d.C;
            float wa = 1 - ty.a, wb = 1 - tx.a;
            float *yo = yr + q * d.C;
            for (int64_t c = 0; c < d.C; c++)
                yo[c] = wa * (wb * a[c] + tx.a * b[c]) + ty.a * (wb * e[c] + tx.a * f[c]);
        }
    }
}

static void cpu_bilinear_backward(udims d, const float *dy, float *dx) {
#pragma omp parallel for num_threads(d.N > 1 ? threads(d) : 1)
    for (int64_t s = 0; s < d.N; s++)
        for (int64_t p = 0; p < d.Ho; p++) {
            tap ty = tap_of(p, d.sh, d.H);
            float *x0 = dx + (s * d.H + ty.i0) * d.W * d.C, *x1 = dx + (s * d.H + ty.i1) * d.W * d.C;
            for (int64_t q = 0; q < d.Wo; q++) {
                tap tx = tap_of(q, d.sw, d.W);
                const float *g = dy + ((s * d.Ho + p) * d.Wo + q) * d.C;
                float wa = 1 - ty.a, wb = 1 - tx.a;
                float w00 = wa * wb, w01 = wa * tx.a, w10 = ty.a * wb, w11 = ty.a * tx.a;
                /* The four cells may coincide at the edges: separate loops. */
                for (int64_t c = 0; c < d.C; c++) x0[tx.i0 * d.C + c] += w00 * g[c];
                for (int64_t c = 0; c < d.C; c++) x0[tx.i1 * d.C + c] += w01 * g[c];
                for (int64_t c = 0; c < d.C; c++) x1[tx.i0 * d.C + c] += w10 * g[c];
                for (int64_t c = 0; c < d.C; c++) x1[tx.i1 * d.C + c] += w11 * g[c];
            }
        }
}

void nr_cpu_upsample2d_forward(const nr_exec *x, const nr_node *n) {
    udims d = dims(x, n);
    if (n->a.upsample.bilinear) cpu_bilinear_forward(d, x->val[n->in[0]], x->val[NR_ID(x, n)]);
    else cpu_nearest_forward(d, x->val[n->in[0]], x->val[NR_ID(x, n)]);
}

void nr_cpu_upsample2d_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    udims d = dims(x, n);
    if (n->a.upsample.bilinear && x->fresh) memset(dx, 0, (size_t)(d.N * d.H * d.W * d.C) * sizeof *dx);
    if (n->a.upsample.bilinear) cpu_bilinear_backward(d, x->grad[NR_ID(x, n)], dx);
    else cpu_nearest_backward(d, x->grad[NR_ID(x, n)], dx, x->fresh);
}

/* --- reference ----------------------------------------------------------------- */

/* The input cells output (p, q) reads and their weights: 4 for bilinear
 * (some may coincide), 1 for nearest. Returns the count. */
static int ref_cells(udims d, int bilinear, int64_t p, int64_t q, int64_t *ij, double *w) {
    if (!bilinear) {
        ij[0] = (p / d.sh) * d.W + q / d.sw;
        w[0] = 1;
        return 1;
    }
    double u = fmax((p + 0.5) / d.sh - 0.5, 0), v = fmax((q + 0.5) / d.sw - 0.5, 0);
    int64_t i0 = (int64_t)u, j0 = (int64_t)v;
    int64_t i1 = i0 + 1 < d.H ? i0 + 1 : d.H - 1, j1 = j0 + 1 < d.W ? j0 + 1 : d.W - 1;
    double a = u - (double)i0, b = v - (double)j0;
    ij[0] = i0 * d.W + j0, w[0] = (1 - a) * (1 - b);
    ij[1] = i0 * d.W + j1, w[1] = (1 - a) * b;
    ij[2] = i1 * d.W + j0, w[2] = a * (1 - b);
    ij[3] = i1 * d.W + j1, w[3] = a * b;
    return 4;
}

void nr_ref_upsample2d_forward(const nr_exec *x, const nr_node *n) {
    udims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    int64_t ij[4];
    double w[4];
    for (int64_t s = 0; s < d.N; s++)
        for (int64_t p = 0; p < d.Ho; p++)
            for (int64_t q = 0; q < d.Wo; q++) {
                int k = ref_cells(d, n->a.upsample.bilinear, p, q, ij, w);
                for (int64_t c = 0; c < d.C; c++) {
                    double acc = 0;
                    for (int t = 0; t < k; t++) acc += w[t] * in[(s * d.H * d.W + ij[t]) * d.C + c];
                    y[((s * d.Ho + p) * d.Wo + q) * d.C + c] = (float)acc;
                }
            }
}

void nr_ref_upsample2d_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    udims d = dims(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    int64_t ij[4];
    double w[4];
    for (int64_t s = 0; s < d.N; s++)
        for (int64_t p = 0; p < d.Ho; p++)
            for (int64_t q = 0; q < d.Wo; q++) {
                int k = ref_cells(d, n->a.upsample.bilinear, p, q, ij, w);
                for (int64_t c = 0; c < d.C; c++)
                    for (int t = 0; t < k; t++)
                        dx[(s * d.H * d.W + ij[t]) * d.C + c] +=
                            (float)(w[t] * dy[((s * d.Ho + p) * d.Wo + q) * d.C + c]);
            }
}
