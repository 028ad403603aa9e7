/* MAXPOOL2D and AVGPOOL2D: finite-difference gradients on both backends
 * (2x2/2 valid, 3x3/2 with "same" padding amounts, odd sizes, batch 1 and
 * 3; max inputs are distinct so no window has a tie), values worked by hand
 * on a 3x3 input (padding excluded from the average), and fast against
 * reference on a larger case. */
#include "ops/opcheck.h"
#include "testutil.h"

typedef struct cfg {
    int64_t H, W, C;
    int kh, kw, sh, sw, pt, pl, pb, pr;
} cfg;

static int64_t out_len(int64_t n, int p0, int p1, int k, int s) { return (n + p0 + p1 - k) / s + 1; }

static void same_pad(int64_t n, int k, int s, int *lo, int *hi) {
    int64_t o = (n + s - 1) / s, total = (o - 1) * s + k - n;
    if (total < 0) total = 0;
    *lo = (int)(total / 2);
    *hi = (int)(total - total / 2);
}

/* Builds x and the pool op; x is a shuffled ramp with steps of 0.02 (no
 * ties within 4x the finite-difference step). Returns the op id. */
static int build(opcheck *c, nr_op_kind op, const cfg *k, int64_t batch, uint64_t seed) {
    oc_init(c, batch, seed);
    int64_t xs[3] = {k->H, k->W, k->C};
    int64_t ys[3] = {out_len(k->H, k->pt, k->pb, k->kh, k->sh), out_len(k->W, k->pl, k->pr, k->kw, k->sw), k->C};
    int x = oc_input(c, 1, 3, xs, 1);
    nr_op_attrs a = {0};
    a.conv.kh = k->kh;
    a.conv.kw = k->kw;
    a.conv.sh = k->sh;
    a.conv.sw = k->sw;
    a.conv.dh = a.conv.dw = 1;
    a.conv.pad_top = k->pt;
    a.conv.pad_left = k->pl;
    a.conv.pad_bottom = k->pb;
    a.conv.pad_right = k->pr;
    int y = oc_op(c, op, a, &x, 1, 1, 3, ys);
    int64_t n = oc_numel(c, x);
    float *v = c->val[x];
    for (int64_t i = 0; i < n; i++) v[i] = -1.0f + 0.02f * (float)i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(nr_rng_uniform(&c->rng) * (float)(i + 1));
        if (j > i) j = i;
        float t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
    return y;
}

static void grad_cases(void) {
    cfg cs[4] = {
        {4, 6, 2, 2, 2, 2, 2, 0, 0, 0, 0}, /* 2x2/2 valid */
        {7, 5, 2, 3, 3, 2, 2, 0, 0, 0, 0}, /* 3x3/2 same: padding below */
        {5, 7, 3, 2, 2, 2, 2, 0, 0, 0, 0}, /* odd sizes, 2x2/2 valid (last row/col dropped) */
        {5, 5, 1, 3, 2, 1, 2, 0, 0, 0, 0}, /* overlapping windows, same */
    };
    same_pad(7, 3, 2, &cs[1].pt, &cs[1].pb);
    same_pad(5, 3, 2, &cs[1].pl, &cs[1].pr);
    same_pad(5, 3, 1, &cs[3].pt, &cs[3].pb);
    same_pad(5, 2, 2, &cs[3].pl, &cs[3].pr);
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    const nr_op_kind ops[2] = {NR_OP_MAXPOOL2D, NR_OP_AVGPOOL2D};
    char name[96];
    for (int o = 0; o < 2; o++)
        for (int e = 0; e < 2; e++)
            for (int i = 0; i < 4; i++)
                for (int64_t batch = 1; batch <= 3; batch += 2) {
                    opcheck c;
                    build(&c, ops[o], &cs[i], batch, 5 + (uint64_t)i);
                    snprintf(name, sizeof name, "%s %s case %d batch %lld", nr_op_name(ops[o]), bes[e]->name, i,
                             (long long)batch);
                    oc_check_grad(&c, bes[e], OC_TOL_DEFAULT, name);
                    oc_check_fresh(&c, bes[e], name);
                    oc_free(&c);
                }
}

/* x = [[1,2,3],[4,5,6],[7,8,9]] (C = 1), 2x2 windows, stride 2, "same"
 * (pad bottom 1, right 1): max = [[5,6],[8,9]], avg = [[3,4.5],[7.5,9]]
 * (the padded cells do not count). dy = 1: max sends it to 5, 6, 8, 9;
 * avg gives [[.25,.25,.5],[.25,.25,.5],[.5,.5,1]]. With all x equal, max
 * sends each window's dy to its first cell: x[0,0], x[0,2], x[2,0], x[2,2]. */
static void by_hand(void) {
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    cfg k = {3, 3, 1, 2, 2, 2, 2, 0, 0, 1, 1};
    const float ones[4] = {1, 1, 1, 1};
    for (int e = 0; e < 2; e++) {
        opcheck c;
        int y = build(&c, NR_OP_MAXPOOL2D, &k, 1, 1);
        for (int i = 0; i < 9; i++) c.val[0][i] = (float)(i + 1);
        oc_forward(&c, bes[e]);
        const float ymax[4] = {5, 6, 8, 9}, dmax[9] = {0, 0, 0, 0, 1, 1, 0, 1, 1};
        nr_test_close_arrays(c.val[y], ymax, 4, 0, 0, "maxpool by hand: y");
        oc_backward(&c, bes[e], ones);
        nr_test_close_arrays(c.grad[0], dmax, 9, 0, 0, "maxpool by hand: dx");
        oc_free(&c);

        /* All equal: each window's gradient goes to its first cell. */
        y = build(&c, NR_OP_MAXPOOL2D, &k, 1, 1);
        for (int i = 0; i < 9; i++) c.val[0][i] = 2;
        oc_forward(&c, bes[e]);
        const float ytie[4] = {2, 2, 2, 2}, dtie[9] = {1, 0, 1, 0, 0, 0, 1, 0, 1};
        nr_test_close_arrays(c.val[y], ytie, 4, 0, 0, "maxpool ties: y");
        oc_backward(&c, bes[e], ones);
        nr_test_close_arrays(c.grad[0], dtie, 9, 0, 0, "maxpool ties: dx to the first maximum");
        oc_free(&c);

        y = build(&c, NR_OP_AVGPOOL2D, &k, 1, 1);
        for (int i = 0; i < 9; i++) c.val[0][i] = (float)(i + 1);
        oc_forward(&c, bes[e]);
        const float yavg[4] = {3, 4.5f, 7.5f, 9};
        const float davg[9] = {.25f, .25f, .5f, .25f, .25f, .5f, .5f, .5f, 1};
        nr_test_close_arrays(c.val[y], yavg, 4, 1e-6, 1e-6, "avgpool by hand: y");
        oc_backward(&c, bes[e], ones);
        nr_test_close_arrays(c.grad[0], davg, 9, 1e-7, 1e-7, "avgpool by hand: dx");
        oc_free(&c);
    }
}

static void fast_vs_ref(nr_op_kind op, const cfg *k, int64_t batch) {
    opcheck f, r;
    int y = build(&f, op, k, batch, 9);
    build(&r, op, k, batch, 9);
    oc_forward(&f, &nr_backend_cpu);
    oc_forward(&r, &nr_backend_reference);
    nr_test_close_arrays(f.val[y], r.val[y], (size_t)oc_numel(&f, y), 1e-6, 1e-6, nr_op_name(op));
    float *dy = oc_alloc(oc_numel(&f, y));
    for (int64_t i = 0; i < oc_numel(&f, y); i++) dy[i] = oc_uniform(&f, -1, 1);
    oc_backward(&f, &nr_backend_cpu, dy);
    oc_backward(&r, &nr_backend_reference, dy);
    nr_test_close_arrays(f.grad[0], r.grad[0], (size_t)oc_numel(&f, 0), 1e-6, 1e-6, nr_op_name(op));
    oc_check_fresh(&f, &nr_backend_cpu, nr_op_name(op));
    free(dy);
    oc_free(&f);
    oc_free(&r);
}

/* The whole-2x2-window path (8 channels at a time): with ties the
 * gradient goes to the first maximum in window order, per channel. */
static void ties_2x2(void) {
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    cfg k = {2, 2, 8, 2, 2, 2, 2, 0, 0, 0, 0};
    for (int e = 0; e < 2; e++) {
        opcheck c;
        int y = build(&c, NR_OP_MAXPOOL2D, &k, 1, 1);
        /* channel c: cells (0,0),(0,1),(1,0),(1,1) hold c%4 ties placed so
         * the first maximum is cell c % 4 */
        for (int cell = 0; cell < 4; cell++)
            for (int ch = 0; ch < 8; ch++) c.val[0][cell * 8 + ch] = cell >= ch % 4 ? 5.0f : 1.0f;
        oc_forward(&c, bes[e]);
        float ones[8], want[32] = {0};
        for (int ch = 0; ch < 8; ch++) ones[ch] = 1, want[(ch % 4) * 8 + ch] = 1;
        oc_backward(&c, bes[e], ones);
        nr_test_close_arrays(c.grad[0], want, 32, 0, 0, "maxpool 2x2 ties: dx to the first maximum");
        CHECK(c.val[y][0] == 5.0f && c.val[y][7] == 5.0f);
        oc_free(&c);
    }
}

int main(void) {
    grad_cases();
    by_hand();
    ties_2x2();
    cfg big = {26, 26, 32, 2, 2, 2, 2, 0, 0, 0, 0};
    cfg big_same = {27, 25, 16, 3, 3, 2, 2, 0, 0, 0, 0};
    same_pad(27, 3, 2, &big_same.pt, &big_same.pb);
    same_pad(25, 3, 2, &big_same.pl, &big_same.pr);
    cfg two_same = {7, 9, 8, 2, 2, 2, 2, 0, 0, 0, 0}; /* whole 2x2 windows and clipped ones at the edges */
    same_pad(7, 2, 2, &two_same.pt, &two_same.pb);
    same_pad(9, 2, 2, &two_same.pl, &two_same.pr);
    for (int o = 0; o < 2; o++) {
        nr_op_kind op = o ? NR_OP_AVGPOOL2D : NR_OP_MAXPOOL2D;
        fast_vs_ref(op, &big, 4);
        fast_vs_ref(op, &big_same, 3);
        fast_vs_ref(op, &two_same, 3);
    }
    return nr_test_finish();
}
