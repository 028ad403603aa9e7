/* EMBEDDING, MASK (Masking's NOT_EQUAL) with MASK_MUL, REPEAT and
 * MASKED_AVGPOOL against
 * PyTorch references written by scripts/gen_seq_fixtures.py (Keras
 * semantics spelled out in torch ops): forward values and gradients on
 * both backends. Tolerance 1e-6 abs + 1e-5 rel: these ops only move and
 * add values. */
#include <string.h>
#include "ops/fixture.h"
#include "ops/opcheck.h"

#define ATOL 1e-6
#define RTOL 1e-5
#define CASES 22 /* what the script writes */

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

static void compare(const float *got, const fx_tensor *want, const char *pre, const char *what, const nr_backend *be) {
    char name[160];
    snprintf(name, sizeof name, "torch %s%s (%s)", pre, what, be->name);
    nr_test_close_arrays(got, want->v, (size_t)want->n, ATOL, RTOL, name);
}

static void embedding_case(const fixture *fx, const char *pre, const nr_backend *be) {
    const fx_tensor *x = fx_need(fx, pre, "x"), *w = fx_need(fx, pre, "w"), *r = fx_need(fx, pre, "r"),
                    *y = fx_need(fx, pre, "y"), *dw = fx_need(fx, pre, "dw");
    if (!x || !w || !r || !y || !dw) return;
    opcheck c;
    oc_init(&c, x->dims[0], 1);
    int in = oc_input(&c, 1, 1, &x->dims[1], 0), tab = oc_input(&c, 0, 2, w->dims, 1);
    int out = oc_op(&c, NR_OP_EMBEDDING, (nr_op_attrs){0}, (int[]){in, tab}, 2, 1, 2,
                    (int64_t[]){x->dims[1], w->dims[1]});
    memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
    memcpy(c.val[tab], w->v, (size_t)w->n * sizeof(float));
    oc_forward(&c, be);
    compare(c.val[out], y, pre, "y", be);
    oc_backward(&c, be, r->v);
    compare(c.grad[tab], dw, pre, "dw", be);
    oc_free(&c);
}

/* Masking as the layer builds it: MASK (not_equal) then MASK_MUL. */
static void masking_case(const fixture *fx, const char *pre, const fx_tensor *cfg, const nr_backend *be) {
    const fx_tensor *x = fx_need(fx, pre, "x"), *m = fx_need(fx, pre, "m"), *r = fx_need(fx, pre, "r"),
                    *y = fx_need(fx, pre, "y"), *dx = fx_need(fx, pre, "dx");
    if (!x || !m || !r || !y || !dx) return;
    opcheck c;
    oc_init(&c, x->dims[0], 1);
    int in = oc_input(&c, 1, 2, &x->dims[1], 1);
    int mask = oc_input(&c, 1, 1, &x->dims[1], 0);
    int out = oc_op(&c, NR_OP_MASK_MUL, (nr_op_attrs){0}, (int[]){in, mask}, 2, 1, 2, &x->dims[1]);
    memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
    /* The mask input made a MASK node on x, as the layer builds it; its
     * kernel runs first, then MASK_MUL's. */
    nr_node *mn = &c.nodes[mask];
    mn->op = NR_OP_MASK;
    mn->n_in = 1;
    mn->in[0] = in;
    mn->a.mask.kind = NR_MASK_NOT_EQUAL;
    mn->a.mask.value = cfg->v[0];
    be->forward[NR_OP_MASK](&c.x, &c.nodes[mask]);
    compare(c.val[mask], m, pre, "m", be);
    oc_forward(&c, be);
    compare(c.val[out], y, pre, "y", be);
    oc_backward(&c, be, r->v);
    compare(c.grad[in], dx, pre, "dx", be);
    oc_free(&c);
}

static void repeat_case(const fixture *fx, const char *pre, const fx_tensor *cfg, const nr_backend *be) {
    const fx_tensor *x = fx_need(fx, pre, "x"), *r = fx_need(fx, pre, "r"), *y = fx_need(fx, pre, "y"),
                    *dx = fx_need(fx, pre, "dx");
    if (!x || !r || !y || !dx) return;
    opcheck c;
    oc_init(&c, x->dims[0], 1);
    int in = oc_input(&c, 1, 1, &x->dims[1], 1);
    int n = (int)cfg->v[0];
    int out = oc_op(&c, NR_OP_REPEAT, (nr_op_attrs){.repeat = {n}}, &in, 1, 1, 2, (int64_t[]){n, x->dims[1]});
    memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
    oc_forward(&c, be);
    compare(c.val[out], y, pre, "y", be);
    oc_backward(&c, be, r->v);
    compare(c.grad[in], dx, pre, "dx", be);
    oc_free(&c);
}

static void masked_mean_case(const fixture *fx, const char *pre, const nr_backend *be) {
    const fx_tensor *x = fx_need(fx, pre, "x"), *m = fx_need(fx, pre, "m"), *r = fx_need(fx, pre, "r"),
                    *y = fx_need(fx, pre, "y"), *dx = fx_need(fx, pre, "dx");
    if (!x || !m || !r || !y || !dx) return;
    opcheck c;
    oc_init(&c, x->dims[0], 1);
    int in = oc_input(&c, 1, 2, &x->dims[1], 1), mask = oc_input(&c, 1, 1, &x->dims[1], 0);
    int out = oc_op(&c, NR_OP_MASKED_AVGPOOL, (nr_op_attrs){0}, (int[]){in, mask}, 2, 1, 1, &x->dims[2]);
    memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
    memcpy(c.val[mask], m->v, (size_t)m->n * sizeof(float));
    oc_forward(&c, be);
    compare(c.val[out], y, pre, "y", be);
    oc_backward(&c, be, r->v);
    compare(c.grad[in], dx, pre, "dx", be);
    oc_free(&c);
}

int main(void) {
    fixture *fx = malloc(sizeof *fx);
    int seen = 0;
    if (fx && fx_load(fx, "tests/fixtures/seq/seq.txt")) {
        for (int i = 0; i < fx->n; i++) {
            const char *dot = strstr(fx->t[i].name, ".config");
            if (!dot || dot[7]) continue;
            char pre[96];
            snprintf(pre, sizeof pre, "%.*s.", (int)(dot - fx->t[i].name), fx->t[i].name);
            seen++;
            for (int b = 0; b < 2; b++) {
                if (!strncmp(pre, "embedding_", 10)) embedding_case(fx, pre, backends[b]);
                else if (!strncmp(pre, "masking_", 8)) masking_case(fx, pre, &fx->t[i], backends[b]);
                else if (!strncmp(pre, "repeat_", 7)) repeat_case(fx, pre, &fx->t[i], backends[b]);
                else if (!strncmp(pre, "masked_mean_", 12)) masked_mean_case(fx, pre, backends[b]);
                else if (!CHECK(0)) fprintf(stderr, "  unknown case %s\n", pre);
            }
        }
        fx_free(fx);
    }
    free(fx);
    if (!CHECK(seen == CASES)) fprintf(stderr, "  %d cases in the fixture, expected %d\n", seen, CASES);
    return nr_test_finish();
}
