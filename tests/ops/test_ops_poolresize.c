/* GLOBAL_AVGPOOL, GLOBAL_MAXPOOL, UPSAMPLE2D, PAD2D and the 1-D form of
 * MAXPOOL2D/AVGPOOL2D (x (N,T,C)): finite-difference gradients on both
 * backends (odd and even sizes, batch 1 and 3; max inputs distinct, so no
 * ties), values worked by hand, and fast against reference on larger
 * shapes. */
#include "ops/opcheck.h"
#include "testutil.h"

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

/* x as a shuffled ramp with steps of 0.02: distinct values, no two within
 * 4x the finite-difference step. */
static void ramp(opcheck *c, int id) {
    int64_t n = oc_numel(c, id);
    float *v = c->val[id];
    for (int64_t i = 0; i < n; i++) v[i] = -1.0f + 0.02f * (float)i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(nr_rng_uniform(&c->rng) * (float)(i + 1));
        if (j > i) j = i;
        float t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* One op on one batched input: x has xdims (without batch), y ydims. */
static int build(opcheck *c, nr_op_kind op, nr_op_attrs a, int64_t batch, int xnd, const int64_t *xdims, int ynd,
                 const int64_t *ydims, uint64_t seed) {
    oc_init(c, batch, seed);
    int x = oc_input(c, 1, xnd, xdims, 1);
    int y = oc_op(c, op, a, &x, 1, 1, ynd, ydims);
    ramp(c, x);
    return y;
}

static void check_all(nr_op_kind op, nr_op_attrs a, int xnd, const int64_t *xdims, int ynd, const int64_t *ydims,
                      const char *what) {
    char name[128];
    for (int e = 0; e < 2; e++)
        for (int64_t batch = 1; batch <= 3; batch += 2) {
            opcheck c;
            build(&c, op, a, batch, xnd, xdims, ynd, ydims, 11 + (uint64_t)batch);
            snprintf(name, sizeof name, "%s %s batch %lld", what, backends[e]->name, (long long)batch);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_check_fresh(&c, backends[e], name);
            oc_free(&c);
        }
}

static void fast_vs_ref(nr_op_kind op, nr_op_attrs a, int64_t batch, int xnd, const int64_t *xdims, int ynd,
                        const int64_t *ydims, const char *what) {
    opcheck f, r;
    int y = build(&f, op, a, batch, xnd, xdims, ynd, ydims, 9);
    build(&r, op, a, batch, xnd, xdims, ynd, ydims, 9);
    oc_forward(&f, &nr_backend_cpu);
    oc_forward(&r, &nr_backend_reference);
    char name[128];
    snprintf(name, sizeof name, "%s: fast forward = reference", what);
    nr_test_close_arrays(f.val[y], r.val[y], (size_t)oc_numel(&f, y), 1e-6, 1e-5, name);
    float *dy = oc_alloc(oc_numel(&f, y));
    for (int64_t i = 0; i < oc_numel(&f, y); i++) dy[i] = oc_uniform(&f, -1, 1);
    oc_backward(&f, &nr_backend_cpu, dy);
    oc_backward(&r, &nr_backend_reference, dy);
    snprintf(name, sizeof name, "%s: fast backward = reference", what);
    nr_test_close_arrays(f.grad[0], r.grad[0], (size_t)oc_numel(&f, 0), 1e-5, 1e-5, name);
    free(dy);
    oc_free(&f);
    oc_free(&r);
}

/* --- global pooling ---------------------------------------------------------- */

static void global_pools(void) {
    const nr_op_kind ops[2] = {NR_OP_GLOBAL_AVGPOOL, NR_OP_GLOBAL_MAXPOOL};
    for (int o = 0; o < 2; o++) {
        char what[64];
        snprintf(what, sizeof what, "%s 2-D", nr_op_name(ops[o]));
        check_all(ops[o], (nr_op_attrs){0}, 3, (int64_t[]){3, 5, 2}, 1, (int64_t[]){2}, what);
        snprintf(what, sizeof what, "%s 2-D keepdims", nr_op_name(ops[o]));
        check_all(ops[o], (nr_op_attrs){0}, 3, (int64_t[]){4, 2, 3}, 3, (int64_t[]){1, 1, 3}, what);
        snprintf(what, sizeof what, "%s 1-D", nr_op_name(ops[o]));
        check_all(ops[o], (nr_op_attrs){0}, 2, (int64_t[]){7, 3}, 1, (int64_t[]){3}, what);
        /* Whole rows (batch >= threads), channel blocks (one sample), one position. */
        fast_vs_ref(ops[o], (nr_op_attrs){0}, 5, 3, (int64_t[]){9, 7, 150}, 1, (int64_t[]){150}, what);
        fast_vs_ref(ops[o], (nr_op_attrs){0}, 1, 3, (int64_t[]){6, 5, 150}, 1, (int64_t[]){150}, what);
        fast_vs_ref(ops[o], (nr_op_attrs){0}, 2, 3, (int64_t[]){1, 1, 70}, 1, (int64_t[]){70}, what);
    }
    /* x[0] = [[1, 5], [3, -2], [3, 7]] over 3 positions, C = 2:
     * avg [7/3, 10/3], max [3, 7]: dy = [1, 2] goes to the first 3 and the 7. */
    for (int e = 0; e < 2; e++) {
        opcheck c;
        int y = build(&c, NR_OP_GLOBAL_MAXPOOL, (nr_op_attrs){0}, 1, 2, (int64_t[]){3, 2}, 1, (int64_t[]){2}, 1);
        memcpy(c.val[0], (float[]){1, 5, 3, -2, 3, 7}, 6 * sizeof(float));
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[y], (float[]){3, 7}, 2, 0, 0, "global max by hand");
        oc_backward(&c, backends[e], (float[]){1, 2});
        nr_test_close_arrays(c.grad[0], (float[]){0, 0, 1, 0, 0, 2}, 6, 0, 0, "global max: dy to the first maximum");
        oc_free(&c);
        y = build(&c, NR_OP_GLOBAL_AVGPOOL, (nr_op_attrs){0}, 1, 2, (int64_t[]){3, 2}, 1, (int64_t[]){2}, 1);
        memcpy(c.val[0], (float[]){1, 5, 3, -2, 3, 7}, 6 * sizeof(float));
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[y], (float[]){7.0f / 3, 10.0f / 3}, 2, 1e-6, 1e-6, "global avg by hand");
        oc_free(&c);
    }
}

/* --- 1-D pooling through MAXPOOL2D / AVGPOOL2D ----------------------------------- */

static nr_op_attrs pool1d(int k, int s, int pl, int pr) {
    nr_op_attrs a = {0};
    a.conv.kh = a.conv.sh = a.conv.dh = a.conv.dw = 1;
    a.conv.kw = k;
    a.conv.sw = s;
    a.conv.pad_left = pl;
    a.conv.pad_right = pr;
    return a;
}

static void pools_1d(void) {
    const nr_op_kind ops[2] = {NR_OP_MAXPOOL2D, NR_OP_AVGPOOL2D};
    for (int o = 0; o < 2; o++) {
        char what[64];
        snprintf(what, sizeof what, "%s 1-D valid", nr_op_name(ops[o]));
        check_all(ops[o], pool1d(2, 2, 0, 0), 2, (int64_t[]){7, 3}, 2, (int64_t[]){3, 3}, what);
        snprintf(what, sizeof what, "%s 1-D same 3/2", nr_op_name(ops[o]));
        check_all(ops[o], pool1d(3, 2, 0, 1), 2, (int64_t[]){6, 2}, 2, (int64_t[]){3, 2}, what);
        fast_vs_ref(ops[o], pool1d(3, 1, 1, 1), 4, 2, (int64_t[]){33, 20}, 2, (int64_t[]){33, 20}, what);
    }
    /* [1, 5, 2, 4, 3], pool 2, stride 2, "same" (pad right 1): max [5, 4, 3], avg [3, 3, 3]. */
    for (int e = 0; e < 2; e++)
        for (int o = 0; o < 2; o++) {
            opcheck c;
            int y = build(&c, ops[o], pool1d(2, 2, 0, 1), 1, 2, (int64_t[]){5, 1}, 2, (int64_t[]){3, 1}, 1);
            memcpy(c.val[0], (float[]){1, 5, 2, 4, 3}, 5 * sizeof(float));
            oc_forward(&c, backends[e]);
            nr_test_close_arrays(c.val[y], o ? (float[]){3, 3, 3} : (float[]){5, 4, 3}, 3, 1e-6, 1e-6,
                                 "1-D pool by hand");
            oc_free(&c);
        }
}

/* --- upsampling ------------------------------------------------------------------ */

static nr_op_attrs up(int sh, int sw, int bilinear) {
    nr_op_attrs a = {0};
    a.upsample.sh = sh;
    a.upsample.sw = sw;
    a.upsample.bilinear = bilinear;
    return a;
}

static void upsampling(void) {
    for (int b = 0; b < 2; b++) {
        const char *what = b ? "upsample2d bilinear" : "upsample2d nearest";
        check_all(NR_OP_UPSAMPLE2D, up(2, 2, b), 3, (int64_t[]){3, 4, 2}, 3, (int64_t[]){6, 8, 2}, what);
        check_all(NR_OP_UPSAMPLE2D, up(3, 1, b), 3, (int64_t[]){2, 3, 1}, 3, (int64_t[]){6, 3, 1}, what);
        check_all(NR_OP_UPSAMPLE2D, up(1, 2, b), 3, (int64_t[]){1, 1, 3}, 3, (int64_t[]){1, 2, 3}, what);
        fast_vs_ref(NR_OP_UPSAMPLE2D, up(2, 3, b), 3, 3, (int64_t[]){7, 9, 17}, 3, (int64_t[]){14, 27, 17}, what);
    }
    /* x = [[1, 2], [3, 4]] (C = 1), factor 2. Nearest repeats; bilinear,
     * half-pixel centers: rows read u = 0 (clamped), 0.25, 0.75, 1 (clamped). */
    const float near[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    const float bil[16] = {1,   1.25f, 1.75f, 2,   1.5f, 1.75f, 2.25f, 2.5f,
                           2.5f, 2.75f, 3.25f, 3.5f, 3,   3.25f, 3.75f, 4};
    /* dy = 1 everywhere: each input gets 4 (nearest) and, by symmetry, 4 (bilinear). */
    const float four[4] = {4, 4, 4, 4};
    float ones[16];
    for (int i = 0; i < 16; i++) ones[i] = 1;
    for (int e = 0; e < 2; e++)
        for (int b = 0; b < 2; b++) {
            opcheck c;
            int y = build(&c, NR_OP_UPSAMPLE2D, up(2, 2, b), 1, 3, (int64_t[]){2, 2, 1}, 3, (int64_t[]){4, 4, 1}, 1);
            memcpy(c.val[0], (float[]){1, 2, 3, 4}, 4 * sizeof(float));
            oc_forward(&c, backends[e]);
            nr_test_close_arrays(c.val[y], b ? bil : near, 16, 1e-6, 1e-6, "upsample by hand");
            oc_backward(&c, backends[e], ones);
            nr_test_close_arrays(c.grad[0], four, 4, 1e-6, 1e-6, "upsample by hand: dx");
            oc_free(&c);
        }
}

/* --- padding and cropping ------------------------------------------------------------ */

static nr_op_attrs pad(int top, int left) {
    nr_op_attrs a = {0};
    a.pad2d.top = top;
    a.pad2d.left = left;
    return a;
}

static void padding(void) {
    /* pad (1, 2) rows, (2, 0) columns; crop (1, 0) rows, (1, 2) columns;
     * and a mix (pad the top, crop the left). */
    check_all(NR_OP_PAD2D, pad(1, 2), 3, (int64_t[]){3, 4, 2}, 3, (int64_t[]){6, 6, 2}, "pad2d pad");
    check_all(NR_OP_PAD2D, pad(-1, -1), 3, (int64_t[]){4, 5, 2}, 3, (int64_t[]){3, 2, 2}, "pad2d crop");
    check_all(NR_OP_PAD2D, pad(2, -1), 3, (int64_t[]){3, 3, 1}, 3, (int64_t[]){5, 2, 1}, "pad2d mixed");
    fast_vs_ref(NR_OP_PAD2D, pad(3, 1), 3, 3, (int64_t[]){13, 9, 16}, 3, (int64_t[]){17, 12, 16}, "pad2d pad");
    fast_vs_ref(NR_OP_PAD2D, pad(-2, -3), 3, 3, (int64_t[]){13, 9, 16}, 3, (int64_t[]){10, 5, 16}, "pad2d crop");
    /* x = [[1, 2], [3, 4]]: ZeroPadding2D(((1, 0), (0, 1))) gives
     * [[0, 0, 0], [1, 2, 0], [3, 4, 0]]; Cropping2D(((1, 0), (0, 1))) gives [[3]]. */
    for (int e = 0; e < 2; e++) {
        opcheck c;
        int y = build(&c, NR_OP_PAD2D, pad(1, 0), 1, 3, (int64_t[]){2, 2, 1}, 3, (int64_t[]){3, 3, 1}, 1);
        memcpy(c.val[0], (float[]){1, 2, 3, 4}, 4 * sizeof(float));
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[y], (float[]){0, 0, 0, 1, 2, 0, 3, 4, 0}, 9, 0, 0, "pad by hand");
        oc_free(&c);
        y = build(&c, NR_OP_PAD2D, pad(-1, 0), 1, 3, (int64_t[]){2, 2, 1}, 3, (int64_t[]){1, 1, 1}, 1);
        memcpy(c.val[0], (float[]){1, 2, 3, 4}, 4 * sizeof(float));
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[y], (float[]){3}, 1, 0, 0, "crop by hand");
        oc_backward(&c, backends[e], (float[]){5});
        nr_test_close_arrays(c.grad[0], (float[]){0, 0, 5, 0}, 4, 0, 0, "crop by hand: dx");
        oc_free(&c);
    }
}

int main(void) {
    global_pools();
    pools_1d();
    upsampling();
    padding();
    return nr_test_finish();
}
