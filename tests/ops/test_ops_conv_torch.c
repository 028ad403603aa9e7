/* CONV2D, MAXPOOL2D and AVGPOOL2D against PyTorch references written by
 * scripts/gen_conv2d_fixtures.py (Keras semantics: channels-last, Keras
 * kernel layout, TF "same" padding, padding excluded from averages):
 * forward values and every gradient, on the reference backend and on the
 * CPU backend with its AVX2 tiles (where the CPU has them) and with its
 * portable ones. Small cases of every geometry, plus the W2 and W5
 * models' layers at batch 2 (hashed inputs, subsampled results).
 *
 * Tolerance: rtol 1e-4 plus an absolute part for float32 summation,
 * 1e-6 times the length of the sum times the largest term's bound (for y:
 * kh kw C/G taps of |x| |w|; for dW: N Ho Wo positions of |x| |dy|). */
#include "ops/conv_tile.h"
#include "ops/fixture.h"
#include "ops/opcheck.h"

#define RTOL 1e-4
#define ATOL_PER_TERM 1e-6
#define POOL_ATOL 1e-6
#define POOL_RTOL 1e-5

typedef struct variant {
    const nr_backend *be;
    int portable;                     /* conv_tile.c's portable tiles */
    const char *name;
} variant;

static const variant variants[] = {
    {&nr_backend_cpu, 0, "cpu"}, {&nr_backend_reference, 0, "reference"}, {&nr_backend_cpu, 1, "cpu portable"}};
#define N_VARIANTS (int)(sizeof variants / sizeof variants[0])
#define N_BACKENDS 2 /* the variants without the tile switch */

/* The script's hashed(): lowbias32 of i + seed * 0x9E3779B9, top 24 bits
 * mapped to [-scale, scale), exact in float32. */
static void hashed(float *v, int64_t n, uint32_t seed, float scale) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)i + seed * 0x9E3779B9u;
        h ^= h >> 16;
        h *= 0x7FEB352Du;
        h ^= h >> 15;
        h *= 0x846CA68Bu;
        h ^= h >> 16;
        v[i] = (float)((int32_t)(h >> 8) - (1 << 23)) * (scale / (float)(1 << 23));
    }
}

enum { X_SEED = 1, W_SEED = 2, B_SEED = 3, DY_SEED = 4 };

/* Reads a geometry tensor of n small non-negative integers into g. */
static int read_config(const fx_tensor *t, int n, int64_t *g) {
    if (!t || !CHECK(t->n == n)) return 0;
    for (int i = 0; i < n; i++) {
        g[i] = (int64_t)t->v[i];
        if (!CHECK(g[i] >= 0 && g[i] <= 4096 && (float)g[i] == t->v[i])) return 0;
    }
    return 1;
}

/* Fills dst (n floats) with the stored tensor <pre>name, or with the hash
 * when the case stores none (sub > 1). */
static int input_of(const fixture *fx, const char *pre, const char *name, int64_t sub, float *dst, int64_t n,
                    uint32_t seed, float scale) {
    if (sub > 1) {
        hashed(dst, n, seed, scale);
        return 1;
    }
    const fx_tensor *t = fx_need(fx, pre, name);
    if (!t || !CHECK(t->n == n)) return 0;
    memcpy(dst, t->v, (size_t)n * sizeof(float));
    return 1;
}

static float max_abs(const float *v, int64_t n) {
    float m = 0;
    for (int64_t i = 0; i < n; i++) m = fabsf(v[i]) > m ? fabsf(v[i]) : m;
    return m;
}

/* Compares got (n floats) with the stored <pre>name, which holds every
 * sub-th element of it. */
static void compare(const fixture *fx, const char *pre, const char *name, const float *got, int64_t n, int64_t sub,
                    double atol, double rtol, const char *variant_name) {
    const fx_tensor *t = fx_need(fx, pre, name);
    if (!t || !CHECK(t->n == (n + sub - 1) / sub)) return;
    float *picked = oc_alloc(t->n);
    for (int64_t i = 0; i < t->n; i++) picked[i] = got[i * sub];
    char what[160];
    snprintf(what, sizeof what, "torch %s%s (%s)", pre, name, variant_name);
    nr_test_close_arrays(picked, t->v, (size_t)t->n, atol, rtol, what);
    free(picked);
}

static nr_op_attrs window_attrs(int kh, int kw, int sh, int sw, int dh, int dw, const int64_t *pad, int groups) {
    nr_op_attrs a = {0};
    a.conv.kh = kh, a.conv.kw = kw, a.conv.sh = sh, a.conv.sw = sw, a.conv.dh = dh, a.conv.dw = dw;
    a.conv.pad_top = (int)pad[0], a.conv.pad_left = (int)pad[1];
    a.conv.pad_bottom = (int)pad[2], a.conv.pad_right = (int)pad[3];
    a.conv.groups = groups;
    return a;
}

static int64_t out_len(int64_t n, int64_t p0, int64_t p1, int64_t k, int64_t d, int64_t s) {
    return (n + p0 + p1 - ((k - 1) * d + 1)) / s + 1;
}

/* --- CONV2D -------------------------------------------------------------------- */

/* Runs the conv built in c (x, w, b? then the op) on variant v with dy and
 * compares with the results of case <pre>. g: the case's geometry. */
static void conv_run(opcheck *c, const float *dy, const fixture *fx, const char *pre, const int64_t *g,
                     const variant *v) {
    int64_t N = g[0], F = g[4], taps = g[5] * g[6], G = g[15], sub = g[17], bias = g[16];
    int y = oc_op_id(c);
    int64_t nx = oc_numel(c, 0), nw = oc_numel(c, 1), ny = oc_numel(c, y);
    double mx = max_abs(c->val[0], nx), mw = max_abs(c->val[1], nw), mdy = max_abs(dy, ny);
    double mb = bias ? max_abs(c->val[2], F) : 0;
    double positions = (double)(N * c->nodes[y].shape[1] * c->nodes[y].shape[2]);
    nr_conv_tile_use_portable(v->portable);
    oc_forward(c, v->be);
    double y_atol = ATOL_PER_TERM * ((double)(taps * g[3] / G) * mx * mw + mb);
    compare(fx, pre, "y", c->val[y], ny, sub, y_atol, RTOL, v->name);
    oc_backward(c, v->be, dy);
    compare(fx, pre, "dx", c->grad[0], nx, sub, ATOL_PER_TERM * (double)(taps * F / G) * mw * mdy, RTOL, v->name);
    compare(fx, pre, "dw", c->grad[1], nw, sub, ATOL_PER_TERM * positions * mx * mdy, RTOL, v->name);
    if (bias) compare(fx, pre, "db", c->grad[2], F, 1, ATOL_PER_TERM * positions * mdy, RTOL, v->name);
    nr_conv_tile_use_portable(0);
}

/* One conv case <pre> (geometry in <pre>conv, see the script) on one variant. */
static void conv_case(const fixture *fx, const char *pre, const variant *v) {
    int64_t g[18];
    if (!read_config(fx_need(fx, pre, "conv"), 18, g)) return;
    int64_t N = g[0], H = g[1], W = g[2], C = g[3], F = g[4], kh = g[5], kw = g[6], sh = g[7], sw = g[8],
            dh = g[9], dw = g[10], G = g[15], bias = g[16], sub = g[17];
    int64_t Ho = out_len(H, g[11], g[13], kh, dh, sh), Wo = out_len(W, g[12], g[14], kw, dw, sw);
    if (!CHECK(N > 0 && G > 0 && C % G == 0 && F % G == 0 && sub > 0 && Ho > 0 && Wo > 0)) return;
    opcheck c;
    oc_init(&c, N, 1);
    int64_t xs[3] = {H, W, C}, ws[4] = {kh, kw, C / G, F}, ys[3] = {Ho, Wo, F};
    int in[3] = {oc_input(&c, 1, 3, xs, 1), oc_input(&c, 0, 4, ws, 1), bias ? oc_input(&c, 0, 1, &F, 1) : -1};
    int y = oc_op(&c, NR_OP_CONV2D, window_attrs((int)kh, (int)kw, (int)sh, (int)sw, (int)dh, (int)dw, &g[11], (int)G),
                  in, bias ? 3 : 2, 1, 3, ys);
    int64_t ny = oc_numel(&c, y);
    float *dy = oc_alloc(ny);
    int ok = input_of(fx, pre, "x", sub, c.val[in[0]], oc_numel(&c, in[0]), X_SEED, 1.0f) &
             input_of(fx, pre, "w", sub, c.val[in[1]], oc_numel(&c, in[1]), W_SEED, 0.25f) &
             input_of(fx, pre, "dy", sub, dy, ny, DY_SEED, 1.0f);
    if (bias) ok &= input_of(fx, pre, "b", sub, c.val[in[2]], F, B_SEED, 0.5f);
    if (ok) conv_run(&c, dy, fx, pre, g, v);
    free(dy);
    oc_free(&c);
}

/* Runs every case of a file whose geometry tensor is "<case>.<kind>";
 * returns how many there were. */
static int each_case(const char *rel, const char *kind, void (*run)(const fixture *, const char *, const variant *),
                     int n_variants) {
    fixture *fx = malloc(sizeof *fx);
    int seen = 0;
    if (fx && fx_load(fx, rel)) {
        size_t kl = strlen(kind);
        for (int i = 0; i < fx->n; i++) {
            const char *name = fx->t[i].name;
            size_t nl = strlen(name);
            if (nl <= kl + 1 || name[nl - kl - 1] != '.' || strcmp(name + nl - kl, kind)) continue;
            char pre[96];
            snprintf(pre, sizeof pre, "%.*s", (int)(nl - kl), name);
            for (int e = 0; e < n_variants; e++) run(fx, pre, &variants[e]);
            seen++;
        }
    }
    if (fx) fx_free(fx);
    free(fx);
    return seen;
}

/* --- MAXPOOL2D, AVGPOOL2D ----------------------------------------------------- */

static void pool_case(const fixture *fx, const char *pre, const variant *v, nr_op_kind op) {
    int64_t g[13];
    if (!read_config(fx_need(fx, pre, op == NR_OP_MAXPOOL2D ? "maxpool" : "avgpool"), 13, g)) return;
    int64_t N = g[0], H = g[1], W = g[2], C = g[3], kh = g[4], kw = g[5], sh = g[6], sw = g[7], sub = g[12];
    int64_t xs[3] = {H, W, C}, ys[3] = {out_len(H, g[8], g[10], kh, 1, sh), out_len(W, g[9], g[11], kw, 1, sw), C};
    if (!CHECK(N > 0 && sub > 0 && ys[0] > 0 && ys[1] > 0)) return;
    opcheck c;
    oc_init(&c, N, 1);
    int x = oc_input(&c, 1, 3, xs, 1);
    int y = oc_op(&c, op, window_attrs((int)kh, (int)kw, (int)sh, (int)sw, 1, 1, &g[8], 0), &x, 1, 1, 3, ys);
    int64_t nx = oc_numel(&c, x), ny = oc_numel(&c, y);
    float *dy = oc_alloc(ny);
    if (input_of(fx, pre, "x", sub, c.val[x], nx, X_SEED, 1.0f) & input_of(fx, pre, "dy", sub, dy, ny, DY_SEED, 1.0f)) {
        oc_forward(&c, v->be);
        compare(fx, pre, "y", c.val[y], ny, sub, POOL_ATOL, POOL_RTOL, v->name);
        oc_backward(&c, v->be, dy);
        compare(fx, pre, "dx", c.grad[x], nx, sub, POOL_ATOL, POOL_RTOL, v->name);
    }
    free(dy);
    oc_free(&c);
}

static void maxpool_case(const fixture *fx, const char *pre, const variant *v) {
    pool_case(fx, pre, v, NR_OP_MAXPOOL2D);
}

static void avgpool_case(const fixture *fx, const char *pre, const variant *v) {
    pool_case(fx, pre, v, NR_OP_AVGPOOL2D);
}

int main(void) {
    /* Case counts as the script writes them: a lost case fails. */
    CHECK(each_case("tests/fixtures/conv2d/conv_a.txt", "conv", conv_case, N_VARIANTS) == 15);
    CHECK(each_case("tests/fixtures/conv2d/conv_b.txt", "conv", conv_case, N_VARIANTS) == 11);
    CHECK(each_case("tests/fixtures/conv2d/w2.txt", "conv", conv_case, N_VARIANTS) == 2);
    CHECK(each_case("tests/fixtures/conv2d/w5.txt", "conv", conv_case, N_VARIANTS) == 1);
    /* The pools have no tiles: the portable variant would repeat "cpu". */
    CHECK(each_case("tests/fixtures/conv2d/pool.txt", "maxpool", maxpool_case, N_BACKENDS) == 12);
    CHECK(each_case("tests/fixtures/conv2d/pool.txt", "avgpool", avgpool_case, N_BACKENDS) == 12);
    CHECK(each_case("tests/fixtures/conv2d/w2.txt", "maxpool", maxpool_case, N_BACKENDS) == 1);
    return nr_test_finish();
}
