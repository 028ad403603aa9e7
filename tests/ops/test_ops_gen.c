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

int main(void) {
    gradients();
    return nr_test_finish();
}
