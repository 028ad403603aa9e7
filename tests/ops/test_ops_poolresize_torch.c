/* 1-D pooling (MAXPOOL2D/AVGPOOL2D on (N,T,C)), GLOBAL_AVGPOOL,
 * GLOBAL_MAXPOOL, UPSAMPLE2D (nearest and bilinear) and PAD2D (padding and
 * cropping) against PyTorch references written by
 * scripts/gen_poolresize_fixtures.py (Keras semantics spelled out in torch
 * ops): forward values and input gradients on both backends. Tolerance
 * 1e-5 abs + 1e-4 rel. */
#include <string.h>
#include "layers/conv_geom.h"
#include "ops/fixture.h"
#include "ops/opcheck.h"

#define ATOL 1e-5
#define RTOL 1e-4
#define CASES 52 /* what the script writes */

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

/* The op and attributes of case <pre> (its config, x and y); 0 if unknown. */
static int op_of(const char *pre, const fx_tensor *cfg, const fx_tensor *x, nr_op_kind *op, nr_op_attrs *a) {
    const float *v = cfg->v;
    memset(a, 0, sizeof *a);
    if (!strncmp(pre, "pool1d_", 7)) {
        *op = v[0] ? NR_OP_MAXPOOL2D : NR_OP_AVGPOOL2D;
        a->conv.kh = a->conv.sh = a->conv.dh = a->conv.dw = 1;
        a->conv.kw = (int)v[1];
        a->conv.sw = (int)v[2];
        nr_conv_axis_out(x->dims[1], a->conv.kw, a->conv.sw, 1, v[3] ? NR_PADDING_SAME : NR_PADDING_VALID,
                             &a->conv.pad_left, &a->conv.pad_right);
    } else if (!strncmp(pre, "global_", 7)) {
        *op = v[0] ? NR_OP_GLOBAL_MAXPOOL : NR_OP_GLOBAL_AVGPOOL;
    } else if (!strncmp(pre, "upsample_", 9)) {
        *op = NR_OP_UPSAMPLE2D;
        a->upsample.bilinear = (int)v[0];
        a->upsample.sh = (int)v[1];
        a->upsample.sw = (int)v[2];
    } else if (!strncmp(pre, "pad2d_", 6)) {
        *op = NR_OP_PAD2D;
        a->pad2d.top = (int)v[0];
        a->pad2d.left = (int)v[2];
    } else {
        return 0;
    }
    return 1;
}

static void run_case(const fixture *fx, const char *pre, const fx_tensor *cfg) {
    const fx_tensor *x = fx_need(fx, pre, "x"), *r = fx_need(fx, pre, "r"), *y = fx_need(fx, pre, "y"),
                    *dx = fx_need(fx, pre, "dx");
    nr_op_kind op = NR_OP_COUNT_;
    nr_op_attrs a;
    if (!x || !r || !y || !dx) return;
    if (!CHECK(op_of(pre, cfg, x, &op, &a))) {
        fprintf(stderr, "  unknown case %s in the fixture\n", pre);
        return;
    }
    for (int bi = 0; bi < 2; bi++) {
        opcheck c;
        oc_init(&c, x->dims[0], 1);
        int in = oc_input(&c, 1, x->ndim - 1, &x->dims[1], 1);
        int out = oc_op(&c, op, a, &in, 1, 1, y->ndim - 1, &y->dims[1]);
        if (CHECK(oc_numel(&c, out) == y->n)) {
            memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
            oc_forward(&c, backends[bi]);
            char what[160];
            snprintf(what, sizeof what, "torch %sy (%s)", pre, backends[bi]->name);
            nr_test_close_arrays(c.val[out], y->v, (size_t)y->n, ATOL, RTOL, what);
            oc_backward(&c, backends[bi], r->v);
            snprintf(what, sizeof what, "torch %sdx (%s)", pre, backends[bi]->name);
            nr_test_close_arrays(c.grad[in], dx->v, (size_t)x->n, ATOL, RTOL, what);
        }
        oc_free(&c);
    }
}

int main(void) {
    fixture *fx = malloc(sizeof *fx);
    int seen = 0;
    if (fx_load(fx, "tests/fixtures/poolresize/poolresize.txt"))
        for (int i = 0; i < fx->n; i++) {
            const char *dot = strstr(fx->t[i].name, ".config");
            if (!dot || dot[7]) continue;
            char pre[96];
            snprintf(pre, sizeof pre, "%.*s.", (int)(dot - fx->t[i].name), fx->t[i].name);
            run_case(fx, pre, &fx->t[i]);
            seen++;
        }
    CHECK(seen == CASES);
    fx_free(fx);
    free(fx);
    return nr_test_finish();
}
