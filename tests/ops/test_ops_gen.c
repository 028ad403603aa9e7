/* SAMPLING, GAUSS_KL and BATCH_MEAN: finite-difference gradients on both
 * backends (the noise of one step is fixed, so the sampling op is a smooth
 * function of its inputs), the two kernels against each other, the noise's
 * statistics and its renewal every step, values worked by hand, and the
 * PyTorch fixtures of scripts/gen_gen_fixtures.py. */
#include "ops/fixture.h"
#include "ops/opcheck.h"
#include "testutil.h"

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

/* mu, lv (N, D); y (N, D) for SAMPLING, (N,) for GAUSS_KL. */
static void pair_op(opcheck *c, nr_op_kind op, int64_t batch, int64_t D, uint64_t seed) {
    oc_init(c, batch, seed);
    int mu = oc_input(c, 1, 1, (int64_t[]){D}, 1);
    int lv = oc_input(c, 1, 1, (int64_t[]){D}, 1);
    nr_op_attrs a = {.sampling = {seed * 77}};
    if (op == NR_OP_SAMPLING) oc_op(c, op, a, (int[]){mu, lv}, 2, 1, 1, (int64_t[]){D});
    else oc_op(c, op, a, (int[]){mu, lv}, 2, 1, 0, NULL);
    oc_fill(c, mu, -2, 2);
    oc_fill(c, lv, -3, 1.5f);
}

/* x (N, D) -> scalar. */
static void batch_mean(opcheck *c, int64_t batch, int64_t D, uint64_t seed) {
    oc_init(c, batch, seed);
    int x = oc_input(c, 1, 1, (int64_t[]){D}, 1);
    oc_op(c, NR_OP_BATCH_MEAN, (nr_op_attrs){0}, &x, 1, 0, 0, NULL);
    oc_fill(c, x, -2, 2);
}

static void gradients(void) {
    char name[96];
    for (int e = 0; e < 2; e++)
        for (int64_t batch = 1; batch <= 5; batch += 2) {
            opcheck c;
            pair_op(&c, NR_OP_SAMPLING, batch, 7, 11 + (uint64_t)batch);
            c.x.step = 3;
            snprintf(name, sizeof name, "sampling %s batch %lld", backends[e]->name, (long long)batch);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_free(&c);
            pair_op(&c, NR_OP_GAUSS_KL, batch, 5, 13 + (uint64_t)batch);
            snprintf(name, sizeof name, "gauss_kl %s batch %lld", backends[e]->name, (long long)batch);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_free(&c);
            batch_mean(&c, batch, 3, 17 + (uint64_t)batch);
            snprintf(name, sizeof name, "batch_mean %s batch %lld", backends[e]->name, (long long)batch);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_free(&c);
        }
}

/* The noise: standard normal (mean 0, variance 1 over 20000 draws), new
 * every step, the same on both kernels and at any thread count. */
static void noise(void) {
    opcheck a, b;
    pair_op(&a, NR_OP_SAMPLING, 100, 200, 5);
    pair_op(&b, NR_OP_SAMPLING, 100, 200, 5);
    for (int64_t i = 0; i < 20000; i++) a.val[0][i] = b.val[0][i] = 0, a.val[1][i] = b.val[1][i] = 0;
    a.x.step = b.x.step = 9;
    oc_forward(&a, &nr_backend_cpu);
    oc_forward(&b, &nr_backend_reference);
    CHECK(nr_test_close_arrays(a.val[2], b.val[2], 20000, 1e-6, 1e-5, "sampling: cpu against reference"));
    double m = 0, v = 0;
    for (int64_t i = 0; i < 20000; i++) m += a.val[2][i] / 20000.0;
    for (int64_t i = 0; i < 20000; i++) v += (a.val[2][i] - m) * (a.val[2][i] - m) / 19999.0;
    CHECK(fabs(m) < 0.03 && fabs(v - 1) < 0.05);
    memcpy(b.val[2], a.val[2], 20000 * sizeof(float));
    a.x.step = 10;
    oc_forward(&a, &nr_backend_cpu);
    int same = 0;
    for (int64_t i = 0; i < 20000; i++) same += a.val[2][i] == b.val[2][i];
    CHECK(same < 10);
    oc_free(&a);
    oc_free(&b);
}

/* Keras's formulas computed by PyTorch with neurona's noise stream. */
static void torch_case(const fixture *fx, const char *tag, const nr_backend *be) {
    const fx_tensor *mu = fx_need(fx, tag, "_mu"), *lv = fx_need(fx, tag, "_lv"), *dz = fx_need(fx, tag, "_dz"),
                    *ss = fx_need(fx, tag, "_seed_step"), *z = fx_need(fx, tag, "_z"), *dmu = fx_need(fx, tag, "_dmu"),
                    *dlv = fx_need(fx, tag, "_dlv"), *kl = fx_need(fx, tag, "_kl"),
                    *kdmu = fx_need(fx, tag, "_kl_dmu"), *kdlv = fx_need(fx, tag, "_kl_dlv");
    if (!mu || !lv || !dz || !ss || !z || !dmu || !dlv || !kl || !kdmu || !kdlv) return;
    int64_t N = mu->dims[0], D = mu->dims[1];
    char what[96];
    opcheck c;
    pair_op(&c, NR_OP_SAMPLING, N, D, 1);
    c.nodes[2].a.sampling.seed = (uint64_t)ss->v[0];
    c.x.step = (uint64_t)ss->v[1];
    memcpy(c.val[0], mu->v, (size_t)(N * D) * sizeof(float));
    memcpy(c.val[1], lv->v, (size_t)(N * D) * sizeof(float));
    oc_forward(&c, be);
    snprintf(what, sizeof what, "torch %s: z (%s)", tag, be->name);
    nr_test_close_arrays(c.val[2], z->v, (size_t)(N * D), 1e-5, 1e-4, what);
    oc_backward(&c, be, dz->v);
    snprintf(what, sizeof what, "torch %s: dz_mean (%s)", tag, be->name);
    nr_test_close_arrays(c.grad[0], dmu->v, (size_t)(N * D), 1e-6, 1e-5, what);
    snprintf(what, sizeof what, "torch %s: dz_log_var (%s)", tag, be->name);
    nr_test_close_arrays(c.grad[1], dlv->v, (size_t)(N * D), 1e-5, 1e-4, what);
    oc_free(&c);
    /* KL per sample, then its batch mean: dy = 1/N per sample. */
    pair_op(&c, NR_OP_GAUSS_KL, N, D, 1);
    memcpy(c.val[0], mu->v, (size_t)(N * D) * sizeof(float));
    memcpy(c.val[1], lv->v, (size_t)(N * D) * sizeof(float));
    oc_forward(&c, be);
    double mean = 0;
    float *dy = malloc((size_t)N * sizeof *dy);
    for (int64_t r = 0; r < N; r++) mean += c.val[2][r] / (double)N, dy[r] = 1.0f / (float)N;
    CHECK_CLOSE(mean, kl->v[0], 1e-5, 1e-5);
    oc_backward(&c, be, dy);
    snprintf(what, sizeof what, "torch %s: KL d z_mean (%s)", tag, be->name);
    nr_test_close_arrays(c.grad[0], kdmu->v, (size_t)(N * D), 1e-6, 1e-5, what);
    snprintf(what, sizeof what, "torch %s: KL d z_log_var (%s)", tag, be->name);
    nr_test_close_arrays(c.grad[1], kdlv->v, (size_t)(N * D), 1e-6, 1e-5, what);
    free(dy);
    oc_free(&c);
}

static void torch_fixtures(void) {
    static fixture fx;
    if (!fx_load(&fx, "tests/fixtures/gen/ops.txt")) return;
    for (int e = 0; e < 2; e++) {
        torch_case(&fx, "a", backends[e]);
        torch_case(&fx, "b", backends[e]);
        torch_case(&fx, "c", backends[e]);
    }
    fx_free(&fx);
}

int main(void) {
    gradients();
    noise();
    torch_fixtures();
    return nr_test_finish();
}
