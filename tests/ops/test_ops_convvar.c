/* The convolution variants' ops: CONV2D_T (Conv2DTranspose) and DWCONV2D
 * (DepthwiseConv2D, SeparableConv2D) by finite differences on both
 * backends (valid and padded, odd and even sizes, strided, dilated, depth
 * multipliers, with and without bias, batch 1 and 3), cases worked by
 * hand, the fast kernels against the reference ones on larger layers, and
 * all four Keras layers (Conv1D as a one-row CONV2D, SeparableConv2D as
 * DWCONV2D then LINEAR) against the PyTorch references of
 * scripts/gen_convvar_fixtures.py: outputs, input and weight gradients,
 * with the geometry computed by the layers' own functions. */
#include "layers/conv_geom.h"
#include "ops/fixture.h"
#include "ops/opcheck.h"

#define ATOL 1e-5
#define RTOL 1e-4

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

/* A 2-D window: kernel, stride, dilation, padding (TF "same" when same;
 * for CONV2D_T: output_padding op, -1 for None). */
typedef struct cfg {
    int64_t H, W, C, F;  /* F: filters (CONV2D_T) or depth multiplier (DWCONV2D) */
    int kh, kw, sh, sw, dh, dw;
    nr_padding pad;
    int oph, opw;
} cfg;

/* Attributes and output size of a depthwise window (the layers' rule). */
static nr_op_attrs dw_attrs(const cfg *k, int64_t *ho, int64_t *wo) {
    nr_op_attrs a = {.conv = {.kh = k->kh, .kw = k->kw, .sh = k->sh, .sw = k->sw, .dh = k->dh, .dw = k->dw}};
    *ho = nr_conv_axis_out(k->H, k->kh, k->sh, k->dh, k->pad, &a.conv.pad_top, &a.conv.pad_bottom);
    *wo = nr_conv_axis_out(k->W, k->kw, k->sw, k->dw, k->pad, &a.conv.pad_left, &a.conv.pad_right);
    return a;
}

static nr_op_attrs t_attrs(const cfg *k, int64_t *ho, int64_t *wo) {
    nr_op_attrs a = {.conv = {.kh = k->kh, .kw = k->kw, .sh = k->sh, .sw = k->sw, .dh = k->dh, .dw = k->dw}};
    *ho = nr_conv_transpose_axis_out(k->H, k->kh, k->sh, k->dh, k->pad, k->oph, &a.conv.pad_top);
    *wo = nr_conv_transpose_axis_out(k->W, k->kw, k->sw, k->dw, k->pad, k->opw, &a.conv.pad_left);
    return a;
}

/* Builds x, W, b? and the op in c; returns the op id. */
static int build(opcheck *c, nr_op_kind op, const cfg *k, int bias, int64_t batch, uint64_t seed) {
    oc_init(c, batch, seed);
    int64_t ho, wo, F;
    nr_op_attrs a;
    int64_t xs[3] = {k->H, k->W, k->C}, ws[4] = {k->kh, k->kw, 0, 0};
    if (op == NR_OP_CONV2D_T) {
        a = t_attrs(k, &ho, &wo);
        F = k->F;
        ws[2] = k->F, ws[3] = k->C;
    } else {
        a = dw_attrs(k, &ho, &wo);
        F = k->C * k->F;
        ws[2] = k->C, ws[3] = k->F;
    }
    int64_t ys[3] = {ho, wo, F};
    int x = oc_input(c, 1, 3, xs, 1), w = oc_input(c, 0, 4, ws, 1), b = bias ? oc_input(c, 0, 1, &F, 1) : -1;
    int in[3] = {x, w, b};
    int y = oc_op(c, op, a, in, bias ? 3 : 2, 1, 3, ys);
    oc_fill(c, x, -1, 1);
    oc_fill(c, w, -0.5f, 0.5f);
    if (bias) oc_fill(c, b, -1, 1);
    return y;
}

static const cfg t_cases[] = {
    {3, 4, 2, 3, 3, 3, 1, 1, 1, 1, NR_PADDING_VALID, -1, -1},
    {3, 3, 2, 3, 3, 3, 2, 2, 1, 1, NR_PADDING_SAME, -1, -1},   /* odd kernel, stride 2: crop 0 */
    {3, 2, 2, 2, 4, 4, 2, 2, 1, 1, NR_PADDING_SAME, -1, -1},   /* even kernel: crop 1 */
    {3, 3, 2, 2, 3, 2, 2, 3, 1, 1, NR_PADDING_VALID, 1, 2},    /* output_padding past the full output */
    {2, 3, 3, 2, 2, 3, 2, 3, 1, 1, NR_PADDING_SAME, 1, 2},
    {4, 3, 2, 3, 3, 2, 1, 1, 2, 2, NR_PADDING_SAME, -1, -1},   /* dilated */
    {2, 3, 2, 2, 1, 1, 3, 3, 1, 1, NR_PADDING_VALID, -1, -1},  /* stride above the kernel: gaps */
    {5, 4, 1, 2, 3, 3, 1, 1, 1, 1, NR_PADDING_SAME, 0, 0},
};

static const cfg dw_cases[] = {
    {5, 6, 3, 1, 3, 3, 1, 1, 1, 1, NR_PADDING_VALID, 0, 0},
    {7, 6, 2, 2, 3, 3, 2, 2, 1, 1, NR_PADDING_SAME, 0, 0},    /* odd/even sizes, padding below */
    {6, 6, 2, 3, 2, 3, 1, 1, 2, 2, NR_PADDING_SAME, 0, 0},    /* dilated, multiplier 3 */
    {6, 5, 4, 1, 2, 2, 2, 1, 1, 1, NR_PADDING_VALID, 0, 0},
    {4, 4, 3, 2, 4, 2, 1, 1, 1, 1, NR_PADDING_SAME, 0, 0},    /* even kernel: more padding after */
    {3, 3, 20, 1, 3, 3, 1, 1, 1, 1, NR_PADDING_SAME, 0, 0},   /* two channel blocks in the fast backward */
};

static void grad_cases(nr_op_kind op, const cfg *cs, int n, const char *what) {
    char name[128];
    for (int e = 0; e < 2; e++)
        for (int i = 0; i < n; i++)
            for (int bias = 0; bias < 2; bias++)
                for (int64_t batch = 1; batch <= 3; batch += 2) {
                    opcheck c;
                    build(&c, op, &cs[i], bias, batch, 7 + (uint64_t)i);
                    snprintf(name, sizeof name, "%s %s case %d bias %d batch %lld", what, backends[e]->name, i, bias,
                             (long long)batch);
                    oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
                    oc_free(&c);
                }
    /* Only some inputs want a gradient: the others stay NULL. */
    for (int e = 0; e < 2; e++)
        for (int skip = 0; skip < 3; skip++) {
            opcheck c;
            build(&c, op, &cs[1], 1, 2, 3);
            free(c.grad[skip]);
            c.grad[skip] = NULL;
            snprintf(name, sizeof name, "%s %s without grad %d", what, backends[e]->name, skip);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_free(&c);
        }
}

/* x = [[1,2],[3,4]] (C = F = 1), W = [[1,10],[100,1000]], stride 2,
 * valid: each input cell stamps x * W into its own 2x2 block:
 * y = [[1,10,2,20],[100,1000,200,2000],[3,30,4,40],[300,3000,400,4000]].
 * Depthwise on the same x with W = [[1,2],[3,4]] (M = 1), valid: y = 30.
 * With dy = 1: dx = W, dW = x. */
static void by_hand(void) {
    for (int e = 0; e < 2; e++) {
        cfg k = {2, 2, 1, 1, 2, 2, 2, 2, 1, 1, NR_PADDING_VALID, -1, -1};
        opcheck c;
        int y = build(&c, NR_OP_CONV2D_T, &k, 0, 1, 1);
        const float x[4] = {1, 2, 3, 4}, w[4] = {1, 10, 100, 1000};
        memcpy(c.val[0], x, sizeof x);
        memcpy(c.val[1], w, sizeof w);
        oc_forward(&c, backends[e]);
        const float want[16] = {1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000};
        CHECK(oc_numel(&c, y) == 16);
        nr_test_close_arrays(c.val[y], want, 16, 0, 0, "conv2d_t by hand: y");
        float ones[16];
        for (int i = 0; i < 16; i++) ones[i] = 1;
        oc_backward(&c, backends[e], ones);
        const float dx[4] = {1111, 1111, 1111, 1111}, dw[4] = {10, 10, 10, 10};
        nr_test_close_arrays(c.grad[0], dx, 4, 0, 0, "conv2d_t by hand: dx");
        nr_test_close_arrays(c.grad[1], dw, 4, 0, 0, "conv2d_t by hand: dW");
        oc_free(&c);

        cfg d = {2, 2, 1, 1, 2, 2, 1, 1, 1, 1, NR_PADDING_VALID, 0, 0};
        y = build(&c, NR_OP_DWCONV2D, &d, 0, 1, 1);
        const float dk[4] = {1, 2, 3, 4};
        memcpy(c.val[0], x, sizeof x);
        memcpy(c.val[1], dk, sizeof dk);
        oc_forward(&c, backends[e]);
        CHECK(c.val[y][0] == 30.0f);
        oc_backward(&c, backends[e], ones);
        nr_test_close_arrays(c.grad[0], dk, 4, 0, 0, "dwconv2d by hand: dx");
        nr_test_close_arrays(c.grad[1], x, 4, 0, 0, "dwconv2d by hand: dW");
        oc_free(&c);
    }
}

static void fast_vs_ref(nr_op_kind op, const cfg *k, int64_t batch) {
    opcheck f, r;
    int y = build(&f, op, k, 1, batch, 11);
    build(&r, op, k, 1, batch, 11);
    oc_forward(&f, &nr_backend_cpu);
    oc_forward(&r, &nr_backend_reference);
    char name[96];
    snprintf(name, sizeof name, "%s %lldx%lldx%lld forward", nr_op_name(op), (long long)k->H, (long long)k->W,
             (long long)k->C);
    nr_test_close_arrays(f.val[y], r.val[y], (size_t)oc_numel(&f, y), 1e-5, 1e-4, name);
    float *dy = oc_alloc(oc_numel(&f, y));
    for (int64_t i = 0; i < oc_numel(&f, y); i++) dy[i] = oc_uniform(&f, -1, 1);
    oc_backward(&f, &nr_backend_cpu, dy);
    oc_backward(&r, &nr_backend_reference, dy);
    snprintf(name, sizeof name, "%s %lldx%lldx%lld backward", nr_op_name(op), (long long)k->H, (long long)k->W,
             (long long)k->C);
    for (int i = 0; i < 3; i++) nr_test_close_arrays(f.grad[i], r.grad[i], (size_t)oc_numel(&f, i), 1e-3, 1e-4, name);
    free(dy);
    oc_free(&f);
    oc_free(&r);
}

/* --- PyTorch fixtures ------------------------------------------------------ */

static nr_padding padding_of(float v) { return v == 2 ? NR_PADDING_CAUSAL : v == 1 ? NR_PADDING_SAME : NR_PADDING_VALID; }

/* Loads values into node id from a fixture tensor of the same size. */
static int put(opcheck *c, int id, const fx_tensor *t) {
    if (!CHECK(t && t->n == oc_numel(c, id))) return 0;
    memcpy(c->val[id], t->v, (size_t)t->n * sizeof(float));
    return 1;
}

/* Compares node id's value (grad: its gradient) with <pre><key>. */
static void expect(const opcheck *c, int id, int grad, const fixture *fx, const char *pre, const char *key,
                   const char *be) {
    const fx_tensor *t = fx_need(fx, pre, key);
    char what[128];
    snprintf(what, sizeof what, "torch %s%s (%s)", pre, key, be);
    if (t && CHECK(t->n == oc_numel(c, id)))
        nr_test_close_arrays(grad ? c->grad[id] : c->val[id], t->v, (size_t)t->n, ATOL, RTOL, what);
}

/* Runs the single-op case in c (inputs x, W, b? filled) against the
 * fixture's y, dx, dW, db. */
static void run_case(opcheck *c, const fixture *fx, const char *pre, int bias, const nr_backend *be) {
    int y = oc_op_id(c);
    oc_forward(c, be);
    expect(c, y, 0, fx, pre, "y", be->name);
    const fx_tensor *r = fx_need(fx, pre, "r");
    if (!r || !CHECK(r->n == oc_numel(c, y))) return;
    oc_backward(c, be, r->v);
    expect(c, 0, 1, fx, pre, "dx", be->name);
    expect(c, 1, 1, fx, pre, "dW", be->name);
    if (bias) expect(c, 2, 1, fx, pre, "db", be->name);
}

/* Names of the cases of a fixture (tensors ending in ".config"). */
static int next_case(const fixture *fx, int *i, char *pre, size_t size) {
    for (; *i < fx->n; (*i)++) {
        const char *dot = strstr(fx->t[*i].name, ".config");
        if (dot && !dot[7]) {
            snprintf(pre, size, "%.*s.", (int)(dot - fx->t[*i].name), fx->t[*i].name);
            return (*i)++, 1;
        }
    }
    return 0;
}

static fixture *load(const char *rel) {
    fixture *fx = malloc(sizeof *fx);
    if (fx && fx_load(fx, rel)) return fx;
    if (fx) fx_free(fx);
    free(fx);
    return NULL;
}

/* Conv1D: CONV2D on (N, 1, T, C) with a (1, k, C, F) kernel, as the layer
 * builds it. */
static void torch_conv1d(void) {
    fixture *fx = load("tests/fixtures/convvar/conv1d.txt");
    char pre[96];
    int seen = 0;
    for (int i = 0; fx && next_case(fx, &i, pre, sizeof pre);) {
        const float *k = fx->t[i - 1].v;
        const fx_tensor *x = fx_need(fx, pre, "x"), *W = fx_need(fx, pre, "W");
        if (!x || !W) continue;
        int bias = (int)k[4];
        int64_t T = x->dims[1], C = x->dims[2], F = W->dims[2];
        nr_op_attrs a = {.conv = {.kh = 1, .kw = (int)k[0], .sh = 1, .sw = (int)k[1], .dh = 1, .dw = (int)k[2]}};
        int64_t To = nr_conv_axis_out(T, a.conv.kw, a.conv.sw, a.conv.dw, padding_of(k[3]), &a.conv.pad_left,
                                      &a.conv.pad_right);
        seen++;
        for (int e = 0; e < 2; e++) {
            opcheck c;
            oc_init(&c, x->dims[0], 1);
            int64_t xs[3] = {1, T, C}, ws[4] = {1, a.conv.kw, C, F}, ys[3] = {1, To, F};
            int in[3] = {oc_input(&c, 1, 3, xs, 1), oc_input(&c, 0, 4, ws, 1), bias ? oc_input(&c, 0, 1, &F, 1) : -1};
            oc_op(&c, NR_OP_CONV2D, a, in, 2 + bias, 1, 3, ys);
            if (put(&c, in[0], x) && put(&c, in[1], W) && (!bias || put(&c, in[2], fx_need(fx, pre, "b"))))
                run_case(&c, fx, pre, bias, backends[e]);
            oc_free(&c);
        }
    }
    CHECK(seen == 6);
    if (fx) fx_free(fx);
    free(fx);
}

/* Conv2DTranspose and DepthwiseConv2D: one op each. */
static void torch_single(nr_op_kind op, const char *rel, int want) {
    fixture *fx = load(rel);
    char pre[96];
    int seen = 0;
    for (int i = 0; fx && next_case(fx, &i, pre, sizeof pre);) {
        const float *k = fx->t[i - 1].v;
        const fx_tensor *x = fx_need(fx, pre, "x"), *W = fx_need(fx, pre, "W");
        if (!x || !W) continue;
        cfg g = {x->dims[1], x->dims[2], x->dims[3], 0, (int)k[0], (int)k[1], (int)k[2], (int)k[3], (int)k[4],
                 (int)k[5], padding_of(k[6]), -1, -1};
        int bias;
        if (op == NR_OP_CONV2D_T) {
            g.F = W->dims[2];
            if (k[7] != 0) g.oph = (int)k[8], g.opw = (int)k[9];
            bias = (int)k[10];
        } else {
            g.F = (int64_t)k[7];
            bias = (int)k[8];
        }
        seen++;
        for (int e = 0; e < 2; e++) {
            opcheck c;
            build(&c, op, &g, bias, x->dims[0], 1);
            if (put(&c, 0, x) && put(&c, 1, W) && (!bias || put(&c, 2, fx_need(fx, pre, "b"))))
                run_case(&c, fx, pre, bias, backends[e]);
            oc_free(&c);
        }
    }
    CHECK(seen == want);
    if (fx) fx_free(fx);
    free(fx);
}

/* SeparableConv2D: DWCONV2D (no bias), then LINEAR with the (1, 1, C*M,
 * F) pointwise kernel; backward chains LINEAR's dx into DWCONV2D's dy. */
static void separable_case(const fixture *fx, const char *pre, const float *k, const nr_backend *be) {
    const fx_tensor *x = fx_need(fx, pre, "x"), *dw = fx_need(fx, pre, "dw"), *pw = fx_need(fx, pre, "pw");
    int bias = (int)k[8];
    if (!x || !dw || !pw) return;
    cfg g = {x->dims[1], x->dims[2], x->dims[3], (int64_t)k[7], (int)k[0], (int)k[1], (int)k[2], (int)k[3],
             (int)k[4], (int)k[5], padding_of(k[6]), 0, 0};
    opcheck d, l;
    int mid = build(&d, NR_OP_DWCONV2D, &g, 0, x->dims[0], 1);
    oc_init(&l, x->dims[0], 1);
    int64_t ms[3] = {d.nodes[mid].shape[1], d.nodes[mid].shape[2], d.nodes[mid].shape[3]}, F = (int64_t)k[9];
    int64_t ps[4] = {1, 1, ms[2], F}, ys[3] = {ms[0], ms[1], F};
    int in[3] = {oc_input(&l, 1, 3, ms, 1), oc_input(&l, 0, 4, ps, 1), bias ? oc_input(&l, 0, 1, &F, 1) : -1};
    int y = oc_op(&l, NR_OP_LINEAR, (nr_op_attrs){0}, in, 2 + bias, 1, 3, ys);
    const fx_tensor *r = fx_need(fx, pre, "r");
    if (put(&d, 0, x) && put(&d, 1, dw) && put(&l, in[1], pw) && (!bias || put(&l, in[2], fx_need(fx, pre, "b"))) &&
        r && CHECK(r->n == oc_numel(&l, y))) {
        oc_forward(&d, be);
        memcpy(l.val[in[0]], d.val[mid], (size_t)oc_numel(&d, mid) * sizeof(float));
        oc_forward(&l, be);
        expect(&l, y, 0, fx, pre, "y", be->name);
        oc_backward(&l, be, r->v);
        oc_backward(&d, be, l.grad[in[0]]);
        expect(&d, 0, 1, fx, pre, "dx", be->name);
        expect(&d, 1, 1, fx, pre, "ddw", be->name);
        expect(&l, in[1], 1, fx, pre, "dpw", be->name);
        if (bias) expect(&l, in[2], 1, fx, pre, "db", be->name);
    }
    oc_free(&d);
    oc_free(&l);
}

static void torch_separable(void) {
    fixture *fx = load("tests/fixtures/convvar/separable.txt");
    char pre[96];
    int seen = 0;
    for (int i = 0; fx && next_case(fx, &i, pre, sizeof pre);) {
        seen++;
        for (int e = 0; e < 2; e++) separable_case(fx, pre, fx->t[i - 1].v, backends[e]);
    }
    CHECK(seen == 3);
    if (fx) fx_free(fx);
    free(fx);
}

int main(void) {
    grad_cases(NR_OP_CONV2D_T, t_cases, (int)(sizeof t_cases / sizeof *t_cases), "conv2d_t");
    grad_cases(NR_OP_DWCONV2D, dw_cases, (int)(sizeof dw_cases / sizeof *dw_cases), "dwconv2d");
    by_hand();
    cfg up = {7, 7, 32, 16, 3, 3, 2, 2, 1, 1, NR_PADDING_SAME, -1, -1};
    cfg up4 = {8, 6, 16, 8, 4, 4, 2, 2, 1, 1, NR_PADDING_SAME, 1, 1};
    cfg mobile = {28, 28, 32, 1, 3, 3, 1, 1, 1, 1, NR_PADDING_SAME, 0, 0};
    cfg strided = {15, 14, 24, 2, 3, 3, 2, 2, 1, 1, NR_PADDING_SAME, 0, 0};
    fast_vs_ref(NR_OP_CONV2D_T, &up, 4);
    fast_vs_ref(NR_OP_CONV2D_T, &up4, 2);
    fast_vs_ref(NR_OP_DWCONV2D, &mobile, 3);
    fast_vs_ref(NR_OP_DWCONV2D, &strided, 2);
    torch_conv1d();
    torch_single(NR_OP_CONV2D_T, "tests/fixtures/convvar/conv2d_transpose.txt", 8);
    torch_single(NR_OP_DWCONV2D, "tests/fixtures/convvar/depthwise.txt", 5);
    torch_separable();
    return nr_test_finish();
}
