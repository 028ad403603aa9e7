/* Activations, softmax and losses against PyTorch references written by
 * scripts/gen_op_fixtures.py (Keras semantics spelled out in torch ops),
 * forward values and gradients, on both backends. Tolerance 1e-5 abs +
 * 1e-4 rel. Format: see the script. */
#include <string.h>
#include "ops/fixture.h"
#include "ops/opcheck.h"

#define ATOL 1e-5
#define RTOL 1e-4

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

/* --- activations ----------------------------------------------------------- */

static const struct { const char *name; nr_activation fn; } act_table[] = {
    {"linear", NR_ACT_LINEAR},       {"sigmoid", NR_ACT_SIGMOID},
    {"hard_sigmoid", NR_ACT_HARD_SIGMOID}, {"tanh", NR_ACT_TANH},
    {"relu", NR_ACT_RELU},           {"relu6", NR_ACT_RELU6},
    {"leaky_relu_0.2", NR_ACT_LEAKY_RELU}, {"leaky_relu_0.3", NR_ACT_LEAKY_RELU},
    {"elu_1", NR_ACT_ELU},           {"elu_0.5", NR_ACT_ELU},
    {"selu", NR_ACT_SELU},           {"gelu", NR_ACT_GELU},
    {"gelu_tanh", NR_ACT_GELU},      {"silu", NR_ACT_SWISH},
    {"softplus", NR_ACT_SOFTPLUS},   {"softsign", NR_ACT_SOFTSIGN},
    {"exponential", NR_ACT_EXPONENTIAL}, {"heaviside", NR_ACT_HEAVISIDE},
};

static void test_activations(void) {
    fixture *fx = malloc(sizeof *fx);
    if (!fx_load(fx, "tests/fixtures/ops/activations.txt")) { fx_free(fx); free(fx); return; }
    const fx_tensor *x0 = fx_need(fx, "x", ""), *r = fx_need(fx, "r", "");
    int seen = 0;
    for (int i = 0; x0 && r && i < fx->n; i++) {
        const char *dot = strstr(fx->t[i].name, ".alpha");
        if (!dot || dot[6]) continue;
        char base[80];
        snprintf(base, sizeof base, "%.*s", (int)(dot - fx->t[i].name), fx->t[i].name);
        int a = -1;
        for (size_t k = 0; k < sizeof act_table / sizeof act_table[0]; k++)
            if (!strcmp(act_table[k].name, base)) a = (int)k;
        if (!CHECK(a >= 0)) { fprintf(stderr, "  unknown activation %s in the fixture\n", base); continue; }
        seen++;
        float alpha = fx->t[i].v[0];
        char pre[96];
        snprintf(pre, sizeof pre, "%s.", base);
        const fx_tensor *x = fx_get(fx, pre, "x"); /* its own input if it has one */
        if (!x) x = x0;
        const fx_tensor *y = fx_need(fx, pre, "y"), *dx = fx_get(fx, pre, "dx");
        if (!y) continue;
        for (int bi = 0; bi < 2; bi++) {
            opcheck c;
            oc_init(&c, 1, 1);
            int in = oc_input(&c, 1, 1, &x->n, 1);
            int out = oc_op(&c, NR_OP_ACT, (nr_op_attrs){.act = {act_table[a].fn, alpha}}, &in, 1, 1, 1, &x->n);
            memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
            oc_forward(&c, backends[bi]);
            char what[128];
            snprintf(what, sizeof what, "torch %s forward (%s)", base, backends[bi]->name);
            nr_test_close_arrays(c.val[out], y->v, (size_t)x->n, ATOL, RTOL, what);
            if (dx) {
                oc_backward(&c, backends[bi], r->v);
                snprintf(what, sizeof what, "torch %s gradient (%s)", base, backends[bi]->name);
                nr_test_close_arrays(c.grad[in], dx->v, (size_t)x->n, ATOL, RTOL, what);
            }
            oc_free(&c);
        }
    }
    CHECK(seen == (int)(sizeof act_table / sizeof act_table[0]));
    fx_free(fx);
    free(fx);
}

/* --- softmax ------------------------------------------------------------------ */

static void test_softmax(void) {
    fixture *fx = malloc(sizeof *fx);
    if (!fx_load(fx, "tests/fixtures/ops/softmax.txt")) { fx_free(fx); free(fx); return; }
    static const char *const cases[] = {"small.", "wide.", "one."};
    for (int s = 0; s < 3; s++) {
        const fx_tensor *x = fx_need(fx, cases[s], "x"), *r = fx_need(fx, cases[s], "r"),
                        *y = fx_need(fx, cases[s], "y"), *dx = fx_need(fx, cases[s], "dx");
        if (!x || !r || !y || !dx) continue;
        for (int bi = 0; bi < 2; bi++) {
            opcheck c;
            oc_init(&c, x->dims[0], 1);
            int in = oc_input(&c, 1, 1, &x->dims[1], 1);
            int out = oc_op(&c, NR_OP_SOFTMAX, (nr_op_attrs){0}, &in, 1, 1, 1, &x->dims[1]);
            memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
            oc_forward(&c, backends[bi]);
            char what[96];
            snprintf(what, sizeof what, "torch softmax %s forward (%s)", cases[s], backends[bi]->name);
            nr_test_close_arrays(c.val[out], y->v, (size_t)x->n, ATOL, RTOL, what);
            oc_backward(&c, backends[bi], r->v);
            snprintf(what, sizeof what, "torch softmax %s gradient (%s)", cases[s], backends[bi]->name);
            nr_test_close_arrays(c.grad[in], dx->v, (size_t)x->n, ATOL, RTOL, what);
            oc_free(&c);
        }
    }
    fx_free(fx);
    free(fx);
}

/* --- losses -------------------------------------------------------------------- */

static void test_losses(void) {
    fixture *fx = malloc(sizeof *fx);
    if (!fx_load(fx, "tests/fixtures/ops/losses.txt")) { fx_free(fx); free(fx); return; }
    int seen = 0;
    for (int i = 0; i < fx->n; i++) {
        const char *dot = strstr(fx->t[i].name, ".config");
        if (!dot || dot[7]) continue;
        char pre[96];
        snprintf(pre, sizeof pre, "%.*s.", (int)(dot - fx->t[i].name), fx->t[i].name);
        const float *cfg = fx->t[i].v;
        int kind = (int)cfg[0], logits = (int)cfg[1], weighted = (int)cfg[3];
        float delta = cfg[2];
        const fx_tensor *p = fx_need(fx, pre, "pred"), *t = fx_need(fx, pre, "target"),
                        *w = weighted ? fx_need(fx, pre, "w") : NULL, *L = fx_need(fx, pre, "loss"),
                        *dp = fx_need(fx, pre, "dpred");
        if (!p || !t || !L || !dp || (weighted && !w)) continue;
        seen++;
        for (int bi = 0; bi < 2; bi++) {
            opcheck c;
            oc_init(&c, p->dims[0], 1);
            int pi = oc_input(&c, 1, p->ndim - 1, &p->dims[1], 1);
            int ti = oc_input(&c, 1, t->ndim - 1, &t->dims[1], 0);
            int in[3] = {pi, ti, weighted ? oc_input(&c, 1, 0, NULL, 0) : -1};
            int out = oc_op(&c, NR_OP_LOSS, (nr_op_attrs){.loss = {kind, logits, delta}}, in, 2 + weighted, 0, 0,
                            NULL);
            memcpy(c.val[pi], p->v, (size_t)p->n * sizeof(float));
            memcpy(c.val[ti], t->v, (size_t)t->n * sizeof(float));
            if (weighted) memcpy(c.val[in[2]], w->v, (size_t)w->n * sizeof(float));
            oc_forward(&c, backends[bi]);
            char what[160];
            snprintf(what, sizeof what, "torch loss %sloss (%s)", pre, backends[bi]->name);
            nr_test_close_arrays(c.val[out], L->v, 1, ATOL, RTOL, what);
            oc_backward(&c, backends[bi], (float[]){1});
            snprintf(what, sizeof what, "torch loss %sdpred (%s)", pre, backends[bi]->name);
            nr_test_close_arrays(c.grad[pi], dp->v, (size_t)p->n, ATOL, RTOL, what);
            oc_free(&c);
        }
    }
    CHECK(seen >= 26); /* every case the script writes */
    fx_free(fx);
    free(fx);
}

int main(void) {
    test_activations();
    test_softmax();
    test_losses();
    return nr_test_finish();
}
