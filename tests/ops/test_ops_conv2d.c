/* CONV2D: finite-difference gradients on both backends (valid and padded,
 * strided, dilated, 1x1, with and without bias, batch 1 and 3), a 3x3
 * input with a 2x2 kernel worked by hand, and the im2col+GEMM kernels
 * against the direct reference on MNIST-sized layers. */
#include "ops/conv_tile.h"
#include "ops/opcheck.h"
#include "testutil.h"

typedef struct cfg {
    int64_t H, W, C, F;
    int kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
    int groups;                       /* 0 = 1 */
    int relu;                         /* fused ReLU */
} cfg;

static nr_op_attrs attrs_of(const cfg *k) {
    nr_op_attrs a = {0};
    a.conv.kh = k->kh;
    a.conv.kw = k->kw;
    a.conv.sh = k->sh;
    a.conv.sw = k->sw;
    a.conv.dh = k->dh;
    a.conv.dw = k->dw;
    a.conv.pad_top = k->pt;
    a.conv.pad_left = k->pl;
    a.conv.pad_bottom = k->pb;
    a.conv.pad_right = k->pr;
    a.conv.groups = k->groups;
    a.conv.relu = k->relu;
    return a;
}

static int64_t out_len(int64_t n, int p0, int p1, int k, int d, int s) { return (n + p0 + p1 - ((k - 1) * d + 1)) / s + 1; }

/* TF "same" padding for one axis. */
static void same_pad(int64_t n, int k, int s, int d, int *lo, int *hi) {
    int64_t o = (n + s - 1) / s, total = (o - 1) * s + (int64_t)(k - 1) * d + 1 - n;
    if (total < 0) total = 0;
    *lo = (int)(total / 2);
    *hi = (int)(total - total / 2);
}

/* Builds x, W, b? and the op in c. Returns the op id. */
static int build(opcheck *c, const cfg *k, int bias, int64_t batch, uint64_t seed) {
    oc_init(c, batch, seed);
    int64_t xs[3] = {k->H, k->W, k->C}, ws[4] = {k->kh, k->kw, k->C / (k->groups > 1 ? k->groups : 1), k->F}, bs[1] = {k->F};
    int64_t ys[3] = {out_len(k->H, k->pt, k->pb, k->kh, k->dh, k->sh), out_len(k->W, k->pl, k->pr, k->kw, k->dw, k->sw), k->F};
    int x = oc_input(c, 1, 3, xs, 1), w = oc_input(c, 0, 4, ws, 1), b = bias ? oc_input(c, 0, 1, bs, 1) : -1;
    int in[3] = {x, w, b};
    int y = oc_op(c, NR_OP_CONV2D, attrs_of(k), in, bias ? 3 : 2, 1, 3, ys);
    oc_fill(c, x, -1, 1);
    oc_fill(c, w, -0.5f, 0.5f);
    if (bias) oc_fill(c, b, -1, 1);
    return y;
}

static void grad_cases(void) {
    cfg cs[8] = {
        {5, 6, 2, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0}, /* 3x3 valid */
        {7, 6, 2, 3, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1, 0}, /* 3x3 same, stride 2: padding below */
        {7, 7, 2, 3, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0, 1, 0}, /* 2x2 dilation 2 */
        {5, 3, 2, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0}, /* 1x1 */
        {5, 5, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, /* 3x3 same stride 1 */
        {6, 5, 1, 2, 2, 3, 2, 1, 1, 1, 0, 0, 0, 0, 1, 0}, /* non-square, strided rows */
        {5, 5, 4, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0}, /* 2 groups, same */
        {7, 6, 6, 3, 3, 2, 2, 2, 1, 1, 1, 0, 1, 0, 3, 0}, /* 3 groups, strided */
    };
    same_pad(7, 3, 2, 1, &cs[1].pt, &cs[1].pb);
    same_pad(6, 3, 2, 1, &cs[1].pl, &cs[1].pr);
    NR_ASSERT(cs[1].pt + cs[1].pb == 2 && cs[1].pl + cs[1].pr == 1);
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    char name[96];
    for (int e = 0; e < 2; e++)
        for (int i = 0; i < 8; i++)
            for (int bias = 0; bias < 2; bias++)
                for (int64_t batch = 1; batch <= 3; batch += 2) {
                    opcheck c;
                    build(&c, &cs[i], bias, batch, 7 + (uint64_t)i);
                    snprintf(name, sizeof name, "conv2d %s case %d bias %d batch %lld", bes[e]->name, i, bias,
                             (long long)batch);
                    oc_check_grad(&c, bes[e], OC_TOL_DEFAULT, name);
                    oc_check_fresh(&c, bes[e], name);
                    oc_free(&c);
                }
    /* Only some inputs want a gradient: the others stay NULL. */
    for (int e = 0; e < 2; e++)
        for (int skip = 0; skip < 2; skip++) {
            opcheck c;
            build(&c, &cs[1], 1, 2, 3);
            free(c.grad[skip]);
            c.grad[skip] = NULL;
            snprintf(name, sizeof name, "conv2d %s without grad %d", bes[e]->name, skip);
            oc_check_grad(&c, bes[e], OC_TOL_DEFAULT, name);
            oc_check_fresh(&c, bes[e], name);
            oc_free(&c);
        }
}

/* x = [[1,2,3],[4,5,6],[7,8,9]], W = [[1,2],[3,4]] (C = F = 1), b = 0.5,
 * valid, stride 1: y = [[37,47],[67,77]] + 0.5. With dy = 1 everywhere:
 * dW[i,j] = sum of the 2x2 window of x at (i,j) = [[12,16],[24,28]],
 * db = 4, dx = [[1,3,2],[4,10,6],[3,7,4]]. */
static void by_hand(void) {
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    for (int e = 0; e < 2; e++) {
        cfg k = {3, 3, 1, 1, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0};
        opcheck c;
        int y = build(&c, &k, 1, 1, 1);
        for (int i = 0; i < 9; i++) c.val[0][i] = (float)(i + 1);
        const float w[4] = {1, 2, 3, 4};
        memcpy(c.val[1], w, sizeof w);
        c.val[2][0] = 0.5f;
        oc_forward(&c, bes[e]);
        const float want[4] = {37.5f, 47.5f, 67.5f, 77.5f};
        nr_test_close_arrays(c.val[y], want, 4, 0, 0, "conv2d by hand: y");
        const float ones[4] = {1, 1, 1, 1};
        oc_backward(&c, bes[e], ones);
        const float dw[4] = {12, 16, 24, 28}, dx[9] = {1, 3, 2, 4, 10, 6, 3, 7, 4};
        nr_test_close_arrays(c.grad[1], dw, 4, 0, 0, "conv2d by hand: dW");
        nr_test_close_arrays(c.grad[0], dx, 9, 0, 0, "conv2d by hand: dx");
        CHECK(c.grad[2][0] == 4.0f);
        oc_free(&c);
    }
}

/* Keeps one random entry of each 2x2 window per filter of dy (N, Ho, Wo, F),
 * as a max pooling's gradient has: the backward then goes by nonzeros. */
static void pool_sparsify(opcheck *c, const cfg *k, int64_t batch, int64_t Ho, int64_t Wo, float *dy) {
    for (int64_t s = 0; s < batch; s++)
        for (int64_t p = 0; p < Ho; p += 2)
            for (int64_t q = 0; q < Wo; q += 2)
                for (int64_t f = 0; f < k->F; f++) {
                    int keep = (int)(oc_uniform(c, 0, 4)) & 3;
                    for (int i = 0; i < 4; i++) {
                        int64_t pp = p + i / 2, qq = q + i % 2;
                        if (pp < Ho && qq < Wo && i != keep) dy[((s * Ho + pp) * Wo + qq) * k->F + f] = 0.0f;
                    }
                }
}

static void fast_vs_ref_once(const cfg *k, int64_t batch, int pooled) {
    opcheck f, r;
    int y = build(&f, k, 1, batch, 11);
    build(&r, k, 1, batch, 11);
    oc_forward(&f, &nr_backend_cpu);
    oc_forward(&r, &nr_backend_reference);
    char name[64];
    snprintf(name, sizeof name, "conv2d %lldx%lldx%lld->%lld g%d forward", (long long)k->H, (long long)k->W,
             (long long)k->C, (long long)k->F, k->groups);
    nr_test_close_arrays(f.val[y], r.val[y], (size_t)oc_numel(&f, y), 1e-5, 1e-4, name);
    float *dy = oc_alloc(oc_numel(&f, y));
    for (int64_t i = 0; i < oc_numel(&f, y); i++) dy[i] = oc_uniform(&f, -1, 1);
    if (pooled) pool_sparsify(&f, k, batch, f.nodes[y].shape[1], f.nodes[y].shape[2], dy);
    oc_backward(&f, &nr_backend_cpu, dy);
    oc_backward(&r, &nr_backend_reference, dy);
    snprintf(name, sizeof name, "conv2d %lldx%lldx%lld->%lld backward%s", (long long)k->H, (long long)k->W,
             (long long)k->C, (long long)k->F, pooled ? " (pooled dy)" : "");
    for (int i = 0; i < 3; i++)
        nr_test_close_arrays(f.grad[i], r.grad[i], (size_t)oc_numel(&f, i), 1e-3, 1e-4, name);
    /* With exec.fresh (dx full of NaN, to be stored): the same dx. */
    float *want = oc_alloc(oc_numel(&f, 0));
    memcpy(want, f.grad[0], (size_t)oc_numel(&f, 0) * sizeof *want);
    for (int64_t i = 0; i < oc_numel(&f, 0); i++) f.grad[0][i] = NAN;
    memcpy(f.grad[y], dy, (size_t)oc_numel(&f, y) * sizeof *dy);
    f.x.fresh = 1;
    nr_backend_cpu.backward[NR_OP_CONV2D](&f.x, &f.nodes[y]);
    snprintf(name, sizeof name, "conv2d %lldx%lldx%lld->%lld stored dx%s", (long long)k->H, (long long)k->W,
             (long long)k->C, (long long)k->F, pooled ? " (pooled dy)" : "");
    nr_test_close_arrays(f.grad[0], want, (size_t)oc_numel(&f, 0), 0, 0, name);
    free(want);
    free(dy);
    oc_free(&f);
    oc_free(&r);
}

/* The fused ReLU equals Conv2D then ReLU: y = max(0, conv) and the
 * gradients of conv fed dy where y > 0 (finite differences would straddle
 * the kink). */
static void fused_relu(const cfg *k, int64_t batch) {
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    cfg plain = *k;
    plain.relu = 0;
    for (int e = 0; e < 2; e++) {
        opcheck f, u;
        int y = build(&f, k, 1, batch, 5);
        build(&u, &plain, 1, batch, 5);
        oc_forward(&f, bes[e]);
        oc_forward(&u, bes[e]);
        int64_t ny = oc_numel(&f, y);
        float *dy = oc_alloc(ny), *dz = oc_alloc(ny);
        for (int64_t i = 0; i < ny; i++) {
            dy[i] = oc_uniform(&f, -1, 1);
            dz[i] = u.val[y][i] > 0 ? dy[i] : 0.0f;
            u.val[y][i] = u.val[y][i] > 0 ? u.val[y][i] : 0.0f;
        }
        char name[64];
        snprintf(name, sizeof name, "conv2d fused relu (%s) y", bes[e]->name);
        nr_test_close_arrays(f.val[y], u.val[y], (size_t)ny, 0, 0, name);
        oc_backward(&f, bes[e], dy);
        oc_backward(&u, bes[e], dz);
        snprintf(name, sizeof name, "conv2d fused relu (%s) gradients", bes[e]->name);
        for (int i = 0; i < 3; i++) nr_test_close_arrays(f.grad[i], u.grad[i], (size_t)oc_numel(&f, i), 0, 0, name);
        free(dy);
        free(dz);
        oc_free(&f);
        oc_free(&u);
    }
}

/* The fast kernels against the reference, on the AVX2 tiles (where the CPU
 * has them) and on the portable ones, with a dense dy and with one as
 * sparse as a max pooling's. */
static void fast_vs_ref(const cfg *k, int64_t batch) {
    for (int portable = 0; portable < 2; portable++) {
        nr_conv_tile_use_portable(portable);
        fast_vs_ref_once(k, batch, 0);
        fast_vs_ref_once(k, batch, 1);
    }
    nr_conv_tile_use_portable(0);
}

int main(void) {
    grad_cases();
    by_hand();
    cfg mnist = {28, 28, 1, 32, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0};
    cfg second = {26, 26, 32, 16, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0};
    cfg padded = {13, 13, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0};
    fast_vs_ref(&mnist, 4);
    fast_vs_ref(&second, 2);
    fast_vs_ref(&padded, 3);
    /* Direct path shapes: wide channels, filters not a multiple of 16,
     * dilation with padding, groups, and one sample (positions split). */
    cfg wide = {9, 11, 24, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    cfg odd = {8, 7, 7, 5, 2, 3, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0};
    cfg dilated = {10, 9, 9, 20, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 0};
    cfg grouped = {8, 8, 16, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0};
    cfg grouped_thin = {9, 9, 6, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 0};
    cfg rgb = {12, 12, 3, 16, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, 0};
    fast_vs_ref(&wide, 3);
    fast_vs_ref(&wide, 1);
    fast_vs_ref(&odd, 2);
    fast_vs_ref(&dilated, 2);
    cfg dilated_wide = {10, 9, 16, 20, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 0}; /* sparse backward tap by tap */
    fast_vs_ref(&dilated_wide, 3);
    fast_vs_ref(&grouped, 3);
    fast_vs_ref(&grouped_thin, 2);
    fast_vs_ref(&rgb, 5);
    fast_vs_ref(&rgb, 1);
    /* Eight filters or fewer: the narrow 12x8 tiles (y, and dx of eight channels). */
    cfg eight = {14, 14, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    fast_vs_ref(&eight, 3);
    fast_vs_ref(&eight, 1);
    fast_vs_ref(&odd, 1);
    /* Few filters: the dot tiles forward and tap-major weight gradients. */
    cfg one_filter = {14, 14, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    cfg two_filters = {9, 10, 13, 2, 3, 2, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0};
    fast_vs_ref(&one_filter, 3);
    fast_vs_ref(&one_filter, 1);
    fast_vs_ref(&two_filters, 2);
    /* The fused ReLU, direct and strided. */
    cfg relu = {10, 9, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    cfg relu_strided = {9, 9, 4, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1};
    fast_vs_ref(&relu, 3);
    fast_vs_ref(&relu_strided, 2);
    fused_relu(&relu, 3);
    fused_relu(&relu_strided, 2);
    return nr_test_finish();
}
