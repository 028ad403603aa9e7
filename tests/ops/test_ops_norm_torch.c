/* BATCHNORM and LAYERNORM against the PyTorch references written by
 * scripts/gen_norm_fixtures.py (Keras 3 semantics spelled out in torch
 * ops), on both backends: BatchNormalization's training and inference
 * outputs, the gradients of x, gamma and beta through the batch
 * statistics, and the moving statistics after three training steps;
 * LayerNormalization's output and gradients over one and two axes and
 * with rms_scaling. Tolerance 1e-5 abs + 1e-4 rel. */
#include "ops/fixture.h"
#include "ops/opcheck.h"

/* Tensor <prefix>.<name> of the fixture (a failed check when absent). */
static const fx_tensor *need(const fixture *fx, const char *prefix, const char *name) {
    char dotted[96];
    snprintf(dotted, sizeof dotted, "%s.", prefix);
    return fx_need(fx, dotted, name);
}

#define ATOL 1e-5
#define RTOL 1e-4

static const nr_backend *const backends[2] = {&nr_backend_cpu, &nr_backend_reference};

static void set(opcheck *c, int id, const fx_tensor *t) {
    if (t && CHECK(t->n == oc_numel(c, id))) memcpy(c->val[id], t->v, (size_t)t->n * sizeof(float));
}

static void expect(const float *got, const fx_tensor *want, const char *c, const char *what, const nr_backend *be) {
    char name[128];
    snprintf(name, sizeof name, "%s %s (%s)", c, what, be->name);
    if (want) nr_test_close_arrays(got, want->v, (size_t)want->n, ATOL, RTOL, name);
}

static void bn_case(const fixture *fx, const char *c, const nr_backend *be) {
    const fx_tensor *cfg = need(fx, c, "config"), *x0 = need(fx, c, "x0");
    if (!cfg || !x0) return;
    int64_t C = x0->dims[x0->ndim - 1];
    opcheck k;
    oc_init(&k, x0->dims[0], 1);
    int x = oc_input(&k, 1, x0->ndim - 1, x0->dims + 1, 1);
    int mm = oc_input(&k, 0, 1, &C, 0), mv = oc_input(&k, 0, 1, &C, 0);
    int g = oc_input(&k, 0, 1, &C, 1), b = oc_input(&k, 0, 1, &C, 1);
    nr_op_attrs a = {.bn = {cfg->v[0], cfg->v[1], 1, 1, 0}};
    int y = oc_op(&k, NR_OP_BATCHNORM, a, (int[]){x, mm, mv, g, b}, 5, 1, x0->ndim - 1, x0->dims + 1);
    set(&k, x, x0);
    set(&k, mm, need(fx, c, "moving_mean"));
    set(&k, mv, need(fx, c, "moving_variance"));
    set(&k, g, need(fx, c, "gamma"));
    set(&k, b, need(fx, c, "beta"));
    /* Inference first: it must leave the moving statistics alone. */
    oc_forward(&k, be);
    expect(k.val[y], need(fx, c, "y_infer"), c, "inference y", be);
    k.x.training = 1;
    oc_forward(&k, be);
    expect(k.val[y], need(fx, c, "y_train"), c, "training y", be);
    const fx_tensor *r = need(fx, c, "r");
    if (r) oc_backward(&k, be, r->v);
    expect(k.grad[x], need(fx, c, "dx"), c, "dx", be);
    expect(k.grad[g], need(fx, c, "dgamma"), c, "dgamma", be);
    expect(k.grad[b], need(fx, c, "dbeta"), c, "dbeta", be);
    set(&k, x, need(fx, c, "x1"));
    oc_forward(&k, be);
    set(&k, x, need(fx, c, "x2"));
    oc_forward(&k, be);
    expect(k.val[mm], need(fx, c, "moving_mean3"), c, "moving_mean after 3 steps", be);
    expect(k.val[mv], need(fx, c, "moving_variance3"), c, "moving_variance after 3 steps", be);
    oc_free(&k);
}

static void ln_case(const fixture *fx, const char *c, const nr_backend *be) {
    const fx_tensor *cfg = need(fx, c, "config"), *xt = need(fx, c, "x"), *gt = need(fx, c, "gamma");
    if (!cfg || !xt || !gt) return;
    int n_axes = (int)cfg->v[0], rms = (int)cfg->v[1];
    opcheck k;
    oc_init(&k, xt->dims[0], 1);
    int in[3], n = 0;
    in[n++] = oc_input(&k, 1, xt->ndim - 1, xt->dims + 1, 1);
    in[n++] = oc_input(&k, 0, gt->ndim, gt->dims, 1);
    if (!rms) in[n++] = oc_input(&k, 0, gt->ndim, gt->dims, 1);
    nr_op_attrs a = {.ln = {cfg->v[2], n_axes, 1, !rms, rms}};
    int y = oc_op(&k, NR_OP_LAYERNORM, a, in, n, 1, xt->ndim - 1, xt->dims + 1);
    set(&k, in[0], xt);
    set(&k, in[1], gt);
    if (!rms) set(&k, in[2], need(fx, c, "beta"));
    oc_forward(&k, be);
    expect(k.val[y], need(fx, c, "y"), c, "y", be);
    const fx_tensor *r = need(fx, c, "r");
    if (r) oc_backward(&k, be, r->v);
    expect(k.grad[in[0]], need(fx, c, "dx"), c, "dx", be);
    expect(k.grad[in[1]], need(fx, c, "dgamma"), c, "dgamma", be);
    if (!rms) expect(k.grad[in[2]], need(fx, c, "dbeta"), c, "dbeta", be);
    oc_free(&k);
}

int main(void) {
    fixture *bn = malloc(sizeof *bn), *ln = malloc(sizeof *ln);
    int ok_bn = fx_load(bn, "tests/fixtures/norm/batchnorm.txt");
    int ok_ln = fx_load(ln, "tests/fixtures/norm/layernorm.txt");
    for (int e = 0; e < 2; e++) {
        const char *bn_cases[3] = {"dense", "image", "momentum0"}, *ln_cases[3] = {"last", "two_axes", "rms"};
        for (int i = 0; ok_bn && i < 3; i++) bn_case(bn, bn_cases[i], backends[e]);
        for (int i = 0; ok_ln && i < 3; i++) ln_case(ln, ln_cases[i], backends[e]);
    }
    fx_free(bn);
    fx_free(ln);
    free(bn);
    free(ln);
    return nr_test_finish();
}
