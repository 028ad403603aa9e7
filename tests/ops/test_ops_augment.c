/* GAUSSIAN_NOISE, SPATIAL_DROPOUT and RANDOM_AFFINE on both backends:
 * identity (bit for bit) outside training; the noise's mean, spread and
 * tails; whole channels dropped and the rest scaled by 1 / (1 - rate);
 * exact flips; integer translations equal to exact shifts with each fill
 * mode; rotations, zooms and translations with fixed factors against
 * PyTorch references (scripts/gen_augment_fixtures.py spells out Keras's
 * formulas); the same seed and step giving the same draws; fast against
 * reference kernels; and finite-difference gradients with the random
 * parameters fixed by the step. */
#include <string.h>
#include "ops/fixture.h"
#include "ops/opcheck.h"

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

/* An op on one batched input (needs grad) of shape dims (no batch). */
static int build(opcheck *c, nr_op_kind op, nr_op_attrs a, int64_t batch, int ndim, const int64_t *dims, uint64_t seed) {
    oc_init(c, batch, seed);
    int x = oc_input(c, 1, ndim, dims, 1);
    int y = oc_op(c, op, a, &x, 1, 1, ndim, dims);
    oc_fill(c, x, -1, 1);
    c->x.training = 1;
    c->x.step = 5;
    return y;
}

static nr_op_attrs affine_attrs(nr_affine_kind kind, int fill, int interp, float fill_value, float f0, float f1) {
    nr_op_attrs a = {.affine = {.kind = (unsigned char)kind, .fill = (unsigned char)fill, .interp = (unsigned char)interp,
                                .has_width = 1, .lo = {f0, f1}, .hi = {f0, f1}, .fill_value = fill_value,
                                .seed = 99}};
    return a;
}

/* --- inference ------------------------------------------------------------- */

static void identity_outside_training(void) {
    const int64_t img[3] = {5, 4, 3};
    nr_op_attrs as[3] = {{.noise = {0.5f, 1}}, {.dropout = {0.5f, 2}},
                         affine_attrs(NR_AFFINE_ROTATION, NR_FILL_REFLECT, NR_INTERPOLATION_BILINEAR, 0, 0.2f, 0)};
    const nr_op_kind ops[3] = {NR_OP_GAUSSIAN_NOISE, NR_OP_SPATIAL_DROPOUT, NR_OP_RANDOM_AFFINE};
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < 3; k++) {
            opcheck c;
            int y = build(&c, ops[k], as[k], 3, 3, img, 4);
            c.x.training = 0;
            oc_forward(&c, backends[e]);
            size_t n = (size_t)oc_numel(&c, 0);
            CHECK(memcmp(c.val[y], c.val[0], n * sizeof(float)) == 0);
            oc_backward(&c, backends[e], c.val[0]);
            CHECK(memcmp(c.grad[0], c.val[0], n * sizeof(float)) == 0);
            oc_free(&c);
        }
}

/* --- GAUSSIAN_NOISE ---------------------------------------------------------- */

static void noise_statistics(void) {
    const int64_t dims[1] = {1001}; /* odd: the last pair is half used */
    const float sd = 0.25f;
    opcheck c[2];
    for (int e = 0; e < 2; e++) {
        build(&c[e], NR_OP_GAUSSIAN_NOISE, (nr_op_attrs){.noise = {sd, 7}}, 200, 1, dims, 3);
        for (int64_t i = 0; i < oc_numel(&c[e], 0); i++) c[e].val[0][i] = 2.0f;
        oc_forward(&c[e], backends[e]);
    }
    int64_t K = oc_numel(&c[0], 1);
    CHECK(memcmp(c[0].val[1], c[1].val[1], (size_t)K * sizeof(float)) == 0);
    double sum = 0, sq = 0;
    int64_t beyond2 = 0;
    for (int64_t i = 0; i < K; i++) {
        double z = (c[0].val[1][i] - 2.0) / sd;
        sum += z;
        sq += z * z;
        beyond2 += fabs(z) > 2;
    }
    double mean = sum / (double)K, var = sq / (double)K - mean * mean;
    /* 200,200 draws: the mean's sd is 0.0022, the variance's 0.0032. */
    CHECK(fabs(mean) < 0.01);
    CHECK(fabs(var - 1) < 0.015);
    CHECK(fabs((double)beyond2 / (double)K - 0.0455) < 0.003);
    /* Another step, another draw. */
    c[0].x.step = 6;
    float first = c[0].val[1][0];
    oc_forward(&c[0], &nr_backend_cpu);
    CHECK(c[0].val[1][0] != first);
    oc_free(&c[0]);
    oc_free(&c[1]);
}

/* --- SPATIAL_DROPOUT ----------------------------------------------------------- */

/* Every (sample, channel) is all dropped or all scaled by 1 / (1 - rate). */
static void spatial_structure(int ndim, const int64_t *dims) {
    const float rate = 0.3f, scale = 1.0f / (1.0f - rate);
    int64_t N = 64, C = dims[ndim - 1], S = 1;
    for (int i = 0; i < ndim - 1; i++) S *= dims[i];
    opcheck c[2];
    for (int e = 0; e < 2; e++) {
        build(&c[e], NR_OP_SPATIAL_DROPOUT, (nr_op_attrs){.dropout = {rate, 11}}, N, ndim, dims, 9);
        oc_forward(&c[e], backends[e]);
    }
    CHECK(memcmp(c[0].val[1], c[1].val[1], (size_t)oc_numel(&c[0], 1) * sizeof(float)) == 0);
    const float *x = c[0].val[0], *y = c[0].val[1];
    int64_t dropped = 0, bad = 0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t ch = 0; ch < C; ch++) {
            int keep = y[n * S * C + ch] != 0;
            dropped += !keep;
            for (int64_t s = 0; s < S; s++) {
                int64_t i = (n * S + s) * C + ch;
                bad += y[i] != (keep ? x[i] * scale : 0.0f);
            }
        }
    CHECK(bad == 0);
    double frac = (double)dropped / (double)(N * C);
    if (!CHECK(fabs(frac - rate) < 0.05)) fprintf(stderr, "  dropped fraction %g\n", frac);
    oc_free(&c[0]);
    oc_free(&c[1]);
}

/* --- RANDOM_AFFINE: flips and shifts ---------------------------------------------- */

/* Each sample is x unchanged or flipped as the mode says, exactly. */
static void flips(nr_flip_mode mode) {
    const int64_t dims[3] = {4, 5, 3}, H = 4, W = 5, C = 3, N = 64;
    nr_op_attrs a = {.affine = {.kind = NR_AFFINE_FLIP, .mode = (unsigned char)mode,
                                .interp = NR_INTERPOLATION_NEAREST, .seed = 17}};
    for (int e = 0; e < 2; e++) {
        opcheck c;
        int y = build(&c, NR_OP_RANDOM_AFFINE, a, N, 3, dims, 2);
        oc_forward(&c, backends[e]);
        int flipped = 0, bad = 0;
        for (int64_t n = 0; n < N; n++) {
            const float *xs = c.val[0] + n * H * W * C, *ys = c.val[y] + n * H * W * C;
            int same = memcmp(xs, ys, (size_t)(H * W * C) * sizeof(float)) == 0, mirrored = 1;
            for (int64_t i = 0; i < H; i++)
                for (int64_t j = 0; j < W; j++)
                    for (int64_t ch = 0; ch < C; ch++) {
                        int64_t si = mode == NR_FLIP_HORIZONTAL ? i : H - 1 - i;
                        int64_t sj = mode == NR_FLIP_VERTICAL ? j : W - 1 - j;
                        mirrored &= ys[(i * W + j) * C + ch] == xs[(si * W + sj) * C + ch];
                    }
            flipped += mirrored;
            bad += !same && !mirrored;
        }
        CHECK(bad == 0);
        if (!CHECK(flipped > 16 && flipped < 48)) fprintf(stderr, "  %d of 64 flipped\n", flipped);
        oc_free(&c);
    }
}

/* Index i of an axis of length L after an exact shift, by the fill mode
 * (shifts smaller than L); -1 for the constant fill. */
static int64_t shifted(int64_t i, int64_t L, int fill) {
    if (i >= 0 && i < L) return i;
    switch (fill) {
    case NR_FILL_REFLECT: return i < 0 ? -i - 1 : 2 * L - 1 - i;
    case NR_FILL_WRAP: return i < 0 ? i + L : i - L;
    case NR_FILL_NEAREST: return i < 0 ? 0 : L - 1;
    default: return -1;
    }
}

/* height_factor 0.25 of H = 8 moves 2 rows down, width_factor -0.5 of W = 6
 * moves 3 columns left: y[i, j] = x[i - 2, j + 3]. */
static void integer_shifts(void) {
    const int64_t dims[3] = {8, 6, 2}, H = 8, W = 6, C = 2;
    for (int fill = 0; fill < 4; fill++)
        for (int e = 0; e < 2; e++) {
            opcheck c;
            nr_op_attrs a = affine_attrs(NR_AFFINE_TRANSLATION, fill, NR_INTERPOLATION_BILINEAR, -7.5f, 0.25f, -0.5f);
            int y = build(&c, NR_OP_RANDOM_AFFINE, a, 2, 3, dims, 8);
            oc_forward(&c, backends[e]);
            int bad = 0;
            for (int64_t n = 0; n < 2; n++)
                for (int64_t i = 0; i < H; i++)
                    for (int64_t j = 0; j < W; j++)
                        for (int64_t ch = 0; ch < C; ch++) {
                            int64_t p = shifted(i - 2, H, fill), q = shifted(j + 3, W, fill);
                            float want = p < 0 || q < 0 ? -7.5f : c.val[0][((n * H + p) * W + q) * C + ch];
                            bad += c.val[y][((n * H + i) * W + j) * C + ch] != want;
                        }
            if (!CHECK(bad == 0)) fprintf(stderr, "  shift with fill %d (%s): %d wrong\n", fill, backends[e]->name, bad);
            oc_free(&c);
        }
}

/* --- RANDOM_AFFINE against PyTorch ---------------------------------------------- */

static void fixtures(void) {
    static fixture fx;
    if (!fx_load(&fx, "tests/fixtures/augment/affine.txt")) return;
    int cases = 0;
    for (int t = 0; t < fx.n; t++) {
        const char *dot = strstr(fx.t[t].name, ".cfg");
        if (!dot || dot[4]) continue;
        char name[64];
        snprintf(name, sizeof name, "%.*s.", (int)(dot - fx.t[t].name), fx.t[t].name);
        const float *cfg = fx.t[t].v;
        const fx_tensor *x = fx_need(&fx, name, "x"), *y = fx_need(&fx, name, "y"), *dy = fx_need(&fx, name, "dy"),
                        *dx = fx_need(&fx, name, "dx");
        if (!x || !y || !dy || !dx) continue;
        cases++;
        nr_op_attrs a = affine_attrs((nr_affine_kind)cfg[0], (int)cfg[1], (int)cfg[2], cfg[3], cfg[4], cfg[5]);
        a.affine.has_width = (unsigned char)cfg[6];
        for (int e = 0; e < 2; e++) {
            opcheck c;
            int out = build(&c, NR_OP_RANDOM_AFFINE, a, x->dims[0], 3, x->dims + 1, 1);
            memcpy(c.val[0], x->v, (size_t)x->n * sizeof(float));
            oc_forward(&c, backends[e]);
            char what[128];
            snprintf(what, sizeof what, "%sy (%s)", name, backends[e]->name);
            nr_test_close_arrays(c.val[out], y->v, (size_t)y->n, 1e-5, 1e-4, what);
            oc_backward(&c, backends[e], dy->v);
            snprintf(what, sizeof what, "%sdx (%s)", name, backends[e]->name);
            nr_test_close_arrays(c.grad[0], dx->v, (size_t)dx->n, 1e-5, 1e-4, what);
            oc_free(&c);
        }
    }
    CHECK(cases == 11);
    fx_free(&fx);
}

/* --- seeds, kernels, gradients ------------------------------------------------------- */

/* Random ranges: the same seed and step draw the same transforms; another
 * step or seed draws others. */
static void reproducible(void) {
    const int64_t dims[3] = {6, 7, 2};
    nr_op_attrs a = affine_attrs(NR_AFFINE_ROTATION, NR_FILL_REFLECT, NR_INTERPOLATION_BILINEAR, 0, -0.2f, 0);
    a.affine.hi[0] = 0.2f;
    opcheck c1, c2;
    int y = build(&c1, NR_OP_RANDOM_AFFINE, a, 4, 3, dims, 6);
    build(&c2, NR_OP_RANDOM_AFFINE, a, 4, 3, dims, 6);
    size_t n = (size_t)oc_numel(&c1, y);
    oc_forward(&c1, &nr_backend_cpu);
    oc_forward(&c2, &nr_backend_cpu);
    CHECK(memcmp(c1.val[y], c2.val[y], n * sizeof(float)) == 0);
    /* Samples get different angles. */
    CHECK(c1.work[y][0] != c1.work[y][6]);
    c2.x.step = 6;
    oc_forward(&c2, &nr_backend_cpu);
    CHECK(memcmp(c1.val[y], c2.val[y], n * sizeof(float)) != 0);
    c2.x.step = 5;
    c2.nodes[y].a.affine.seed = 100;
    oc_forward(&c2, &nr_backend_cpu);
    CHECK(memcmp(c1.val[y], c2.val[y], n * sizeof(float)) != 0);
    oc_free(&c1);
    oc_free(&c2);
}

/* Fast and reference kernels on a larger batch with random ranges. */
static void fast_vs_ref(int fill, int interp) {
    const int64_t dims[3] = {28, 28, 3};
    nr_op_attrs a = affine_attrs(NR_AFFINE_ZOOM, fill, interp, 0.25f, -0.3f, -0.2f);
    a.affine.hi[0] = 0.4f;
    a.affine.hi[1] = 0.3f;
    opcheck f, r;
    int y = build(&f, NR_OP_RANDOM_AFFINE, a, 16, 3, dims, 12);
    build(&r, NR_OP_RANDOM_AFFINE, a, 16, 3, dims, 12);
    oc_forward(&f, &nr_backend_cpu);
    oc_forward(&r, &nr_backend_reference);
    char what[64];
    snprintf(what, sizeof what, "zoom fill %d interp %d forward", fill, interp);
    nr_test_close_arrays(f.val[y], r.val[y], (size_t)oc_numel(&f, y), 1e-6, 1e-5, what);
    oc_backward(&f, &nr_backend_cpu, f.val[0]);
    oc_backward(&r, &nr_backend_reference, f.val[0]);
    snprintf(what, sizeof what, "zoom fill %d interp %d backward", fill, interp);
    nr_test_close_arrays(f.grad[0], r.grad[0], (size_t)oc_numel(&f, 0), 1e-5, 1e-5, what);
    oc_free(&f);
    oc_free(&r);
}

static void gradients(void) {
    const int64_t img[3] = {5, 6, 2}, seq[2] = {7, 3};
    nr_op_attrs rot = affine_attrs(NR_AFFINE_ROTATION, NR_FILL_REFLECT, NR_INTERPOLATION_BILINEAR, 0, -0.3f, 0);
    rot.affine.hi[0] = 0.3f;
    nr_op_attrs flip = {.affine = {.kind = NR_AFFINE_FLIP, .interp = NR_INTERPOLATION_NEAREST, .seed = 3}};
    const struct {
        const char *name;
        nr_op_kind op;
        nr_op_attrs a;
        int ndim;
        const int64_t *dims;
    } cases[] = {
        {"flip", NR_OP_RANDOM_AFFINE, flip, 3, img},
        {"rotation reflect", NR_OP_RANDOM_AFFINE, rot, 3, img},
        {"rotation constant", NR_OP_RANDOM_AFFINE,
         affine_attrs(NR_AFFINE_ROTATION, NR_FILL_CONSTANT, NR_INTERPOLATION_BILINEAR, 0.5f, 0.13f, 0), 3, img},
        {"zoom wrap", NR_OP_RANDOM_AFFINE,
         affine_attrs(NR_AFFINE_ZOOM, NR_FILL_WRAP, NR_INTERPOLATION_BILINEAR, 0, 0.6f, -0.35f), 3, img},
        {"translation nearest", NR_OP_RANDOM_AFFINE,
         affine_attrs(NR_AFFINE_TRANSLATION, NR_FILL_NEAREST, NR_INTERPOLATION_BILINEAR, 0, 0.3f, -0.45f), 3, img},
        {"rotation nearest interpolation", NR_OP_RANDOM_AFFINE,
         affine_attrs(NR_AFFINE_ROTATION, NR_FILL_REFLECT, NR_INTERPOLATION_NEAREST, 0, 0.1f, 0), 3, img},
        {"gaussian noise", NR_OP_GAUSSIAN_NOISE, {.noise = {0.3f, 5}}, 3, img},
        {"spatial dropout 2d", NR_OP_SPATIAL_DROPOUT, {.dropout = {0.4f, 5}}, 3, img},
        {"spatial dropout 1d", NR_OP_SPATIAL_DROPOUT, {.dropout = {0.4f, 5}}, 2, seq},
    };
    char name[96];
    for (int e = 0; e < 2; e++)
        for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
            for (int64_t batch = 1; batch <= 3; batch += 2) {
                opcheck c;
                build(&c, cases[k].op, cases[k].a, batch, cases[k].ndim, cases[k].dims, 21 + k);
                snprintf(name, sizeof name, "%s batch %lld", cases[k].name, (long long)batch);
                oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
                oc_free(&c);
            }
}

int main(void) {
    identity_outside_training();
    noise_statistics();
    spatial_structure(3, (const int64_t[]){3, 4, 32});
    spatial_structure(2, (const int64_t[]){5, 32});
    flips(NR_FLIP_HORIZONTAL_AND_VERTICAL);
    flips(NR_FLIP_HORIZONTAL);
    flips(NR_FLIP_VERTICAL);
    integer_shifts();
    fixtures();
    reproducible();
    for (int fill = 0; fill < 4; fill++) fast_vs_ref(fill, NR_INTERPOLATION_BILINEAR);
    fast_vs_ref(NR_FILL_REFLECT, NR_INTERPOLATION_NEAREST);
    gradients();
    return nr_test_finish();
}
