/* PAD2D (ZeroPadding2D and Cropping2D), channels-last: x (N,H,W,C),
 * y (N,Ho,Wo,C). attrs.pad2d.top rows and .left columns are added before x
 * (negative: that many are cut); the bottom and right amounts are
 * Ho - H - top and Wo - W - left, also of either sign.
 *   y[n,p,q,c] = x[n, p - top, q - left, c] where that is inside x, else 0
 *   dx[n,i,j,c] += dy[n, i + top, j + left, c] where that is inside y
 * Every row of y is zeros, a copied run of one row of x, zeros; the fast
 * kernels move those runs whole (memcpy/memset forward, one contiguous add
 * backward), threads over rows. The reference kernels go per element. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

typedef struct pdims { int64_t N, H, W, C, Ho, Wo; int top, left; } pdims;

static pdims dims(const nr_exec *x, const nr_node *n) {
    const nr_node *xin = &x->nodes[n->in[0]];
    pdims d = {x->batch, xin->shape[1], xin->shape[2], xin->shape[3], n->shape[1], n->shape[2],
               n->a.pad2d.top, n->a.pad2d.left};
    return d;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Columns [q0, q1) of a y row come from x columns [q0 - left, q1 - left). */
static void run(const pdims *d, int64_t *q0, int64_t *q1) {
    *q0 = clamp(d->left, 0, d->Wo);
    *q1 = clamp(d->W + d->left, *q0, d->Wo);
}

static int threads(const pdims *d) {
    int64_t big = d->Ho * d->Wo > d->H * d->W ? d->Ho * d->Wo : d->H * d->W;
    return d->N * big * d->C > NR_PAR_MIN ? nr_num_threads() : 1;
}

void nr_cpu_pad2d_forward(const nr_exec *x, const nr_node *n) {
    pdims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    int64_t q0, q1;
    run(&d, &q0, &q1);
#pragma omp parallel for num_threads(threads(&d))
    for (int64_t r = 0; r < d.N * d.Ho; r++) {
        float *yr = y + r * d.Wo * d.C;
        int64_t i = r % d.Ho - d.top;
        if (i < 0 || i >= d.H) {
            memset(yr, 0, (size_t)(d.Wo * d.C) * sizeof *yr);
            continue;
        }
        const float *xr = in + ((r / d.Ho) * d.H + i) * d.W * d.C;
        memset(yr, 0, (size_t)(q0 * d.C) * sizeof *yr);
        memcpy(yr + q0 * d.C, xr + (q0 - d.left) * d.C, (size_t)((q1 - q0) * d.C) * sizeof *yr);
        memset(yr + q1 * d.C, 0, (size_t)((d.Wo - q1) * d.C) * sizeof *yr);
    }
}

void nr_cpu_pad2d_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    pdims d = dims(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    int64_t q0, q1;
    run(&d, &q0, &q1);
    int64_t len = (q1 - q0) * d.C;
#pragma omp parallel for num_threads(threads(&d))
    for (int64_t r = 0; r < d.N * d.H; r++) {
        int64_t p = r % d.H + d.top;
        if (p < 0 || p >= d.Ho) continue;
        float *dr = dx + r * d.W * d.C + (q0 - d.left) * d.C;
        const float *g = dy + ((r / d.H) * d.Ho + p) * d.Wo * d.C + q0 * d.C;
        for (int64_t k = 0; k < len; k++) dr[k] += g[k];
    }
}

void nr_ref_pad2d_forward(const nr_exec *x, const nr_node *n) {
    pdims d = dims(x, n);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t s = 0; s < d.N; s++)
        for (int64_t p = 0; p < d.Ho; p++)
            for (int64_t q = 0; q < d.Wo; q++)
                for (int64_t c = 0; c < d.C; c++) {
                    int64_t i = p - d.top, j = q - d.left;
                    int inside = i >= 0 && i < d.H && j >= 0 && j < d.W;
                    y[((s * d.Ho + p) * d.Wo + q) * d.C + c] = inside ? in[((s * d.H + i) * d.W + j) * d.C + c] : 0;
                }
}

void nr_ref_pad2d_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx) return;
    pdims d = dims(x, n);
    const float *dy = x->grad[NR_ID(x, n)];
    for (int64_t s = 0; s < d.N; s++)
        for (int64_t i = 0; i < d.H; i++)
            for (int64_t j = 0; j < d.W; j++)
                for (int64_t c = 0; c < d.C; c++) {
                    int64_t p = i + d.top, q = j + d.left;
                    if (p >= 0 && p < d.Ho && q >= 0 && q < d.Wo)
                        dx[((s * d.H + i) * d.W + j) * d.C + c] += dy[((s * d.Ho + p) * d.Wo + q) * d.C + c];
                }
}
