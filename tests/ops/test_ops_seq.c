/* EMBEDDING, MASK, MASK_MUL, REPEAT and MASKED_AVGPOOL: finite-difference gradients on
 * both backends (batch 1 and 3, odd sizes, repeated indices so rows of the
 * table collect several gradients), values worked by hand (out-of-range
 * indices, every mask kind), and fast against reference on shapes large
 * enough to thread. */
#include "ops/opcheck.h"
#include "testutil.h"

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

/* Indices into a table of V rows: all of [0, V) repeated, shuffled. */
static void indices(opcheck *c, int id, int64_t V) {
    for (int64_t i = 0; i < oc_numel(c, id); i++) c->val[id][i] = (float)(nr_rng_next(&c->rng) % (uint64_t)V);
}

/* x (N, T) indices, W (V, D), y (N, T, D). */
static int embedding(opcheck *c, int64_t batch, int64_t T, int64_t V, int64_t D, uint64_t seed) {
    oc_init(c, batch, seed);
    int x = oc_input(c, 1, 1, (int64_t[]){T}, 0);
    int w = oc_input(c, 0, 2, (int64_t[]){V, D}, 1);
    int y = oc_op(c, NR_OP_EMBEDDING, (nr_op_attrs){0}, (int[]){x, w}, 2, 1, 2, (int64_t[]){T, D});
    indices(c, x, V);
    oc_fill(c, w, -1, 1);
    return y;
}

/* x (N, T, F), m (N, T) of 0/1, y like x. */
static int mask_mul(opcheck *c, int64_t batch, int64_t T, int64_t F, uint64_t seed) {
    oc_init(c, batch, seed);
    int x = oc_input(c, 1, 2, (int64_t[]){T, F}, 1);
    int m = oc_input(c, 1, 1, (int64_t[]){T}, 0);
    int y = oc_op(c, NR_OP_MASK_MUL, (nr_op_attrs){0}, (int[]){x, m}, 2, 1, 2, (int64_t[]){T, F});
    oc_fill(c, x, -2, 2);
    for (int64_t i = 0; i < oc_numel(c, m); i++) c->val[m][i] = (float)(nr_rng_next(&c->rng) & 1);
    return y;
}

/* x (N, F), y (N, n, F). */
static int repeat(opcheck *c, int64_t batch, int n, int64_t F, uint64_t seed) {
    oc_init(c, batch, seed);
    int x = oc_input(c, 1, 1, (int64_t[]){F}, 1);
    int y = oc_op(c, NR_OP_REPEAT, (nr_op_attrs){.repeat = {n}}, &x, 1, 1, 2, (int64_t[]){n, F});
    oc_fill(c, x, -2, 2);
    return y;
}

/* x (N, T, C), m (N, T) with step 0 kept, y (N, C). */
static int masked_avgpool(opcheck *c, int64_t batch, int64_t T, int64_t C, uint64_t seed) {
    oc_init(c, batch, seed);
    int x = oc_input(c, 1, 2, (int64_t[]){T, C}, 1);
    int m = oc_input(c, 1, 1, (int64_t[]){T}, 0);
    int y = oc_op(c, NR_OP_MASKED_AVGPOOL, (nr_op_attrs){0}, (int[]){x, m}, 2, 1, 1, (int64_t[]){C});
    oc_fill(c, x, -2, 2);
    for (int64_t i = 0; i < oc_numel(c, m); i++) c->val[m][i] = i % T == 0 ? 1.0f : (float)(nr_rng_next(&c->rng) & 1);
    return y;
}

static void gradients(void) {
    char name[96];
    for (int e = 0; e < 2; e++)
        for (int64_t batch = 1; batch <= 3; batch += 2) {
            opcheck c;
            embedding(&c, batch, 5, 4, 3, 7 + (uint64_t)batch);
            snprintf(name, sizeof name, "embedding %s batch %lld", backends[e]->name, (long long)batch);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_free(&c);
            mask_mul(&c, batch, 4, 3, 5 + (uint64_t)batch);
            snprintf(name, sizeof name, "mask_mul %s batch %lld", backends[e]->name, (long long)batch);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_free(&c);
            repeat(&c, batch, 3, 5, 3 + (uint64_t)batch);
            snprintf(name, sizeof name, "repeat %s batch %lld", backends[e]->name, (long long)batch);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_free(&c);
            masked_avgpool(&c, batch, 5, 3, 9 + (uint64_t)batch);
            snprintf(name, sizeof name, "masked_avgpool %s batch %lld", backends[e]->name, (long long)batch);
            oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
            oc_free(&c);
        }
}

/* Indices outside the table, NaN and fractions: zero rows, no gradient;
 * 1.7 reads row 1 and -0.5 row 0 (truncation, as Keras's int32 cast). */
static void embedding_by_hand(void) {
    for (int e = 0; e < 2; e++) {
        opcheck c;
        int y = embedding(&c, 1, 6, 3, 2, 1);
        const float idx[6] = {1.7f, -0.5f, 3, -1, NAN, 2};
        memcpy(c.val[0], idx, sizeof idx);
        for (int i = 0; i < 6; i++) c.val[1][i] = (float)(i + 1); /* rows (1,2) (3,4) (5,6) */
        oc_forward(&c, backends[e]);
        const float want[12] = {3, 4, 1, 2, 0, 0, 0, 0, 0, 0, 5, 6};
        nr_test_close_arrays(c.val[y], want, 12, 0, 0, "embedding forward by hand");
        float dy[12];
        for (int i = 0; i < 12; i++) dy[i] = (float)(i + 1);
        oc_backward(&c, backends[e], dy);
        const float dw[6] = {3, 4, 1, 2, 11, 12};
        nr_test_close_arrays(c.grad[1], dw, 6, 0, 0, "embedding backward by hand");
        oc_free(&c);
    }
}

static void masks_by_hand(void) {
    for (int e = 0; e < 2; e++) {
        opcheck c;
        oc_init(&c, 2, 1);
        int x = oc_input(&c, 1, 2, (int64_t[]){3, 2}, 0);
        int m = oc_op(&c, NR_OP_MASK, (nr_op_attrs){.mask = {NR_MASK_NOT_EQUAL, 0.5f}}, &x, 1, 1, 1, (int64_t[]){3});
        const float xv[12] = {0.5f, 0.5f, 0.5f, 1, 0, 0.5f, NAN, 0.5f, 0.5f, 0.5f, 2, 2};
        memcpy(c.val[x], xv, sizeof xv);
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[m], (const float[]){0, 1, 1, 1, 0, 1}, 6, 0, 0, "mask not_equal");
        oc_free(&c);

        oc_init(&c, 2, 1);
        int a = oc_input(&c, 1, 1, (int64_t[]){3}, 0), b = oc_input(&c, 1, 1, (int64_t[]){3}, 0);
        int o = oc_op(&c, NR_OP_MASK, (nr_op_attrs){.mask = {NR_MASK_OR, 0}}, (int[]){a, b}, 2, 1, 1, (int64_t[]){3});
        memcpy(c.val[a], (const float[]){1, 0, 0, 1, 0, 1}, 6 * sizeof(float));
        memcpy(c.val[b], (const float[]){0, 0, 1, 1, 0, 0}, 6 * sizeof(float));
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[o], (const float[]){1, 0, 1, 1, 0, 1}, 6, 0, 0, "mask or");
        oc_free(&c);

        oc_init(&c, 2, 1);
        x = oc_input(&c, 1, 2, (int64_t[]){3, 2}, 0);
        o = oc_op(&c, NR_OP_MASK, (nr_op_attrs){.mask = {NR_MASK_ONES, 0}}, &x, 1, 1, 1, (int64_t[]){3});
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[o], (const float[]){1, 1, 1, 1, 1, 1}, 6, 0, 0, "mask ones");
        oc_free(&c);

        /* 4 of 6 steps kept, sample weights 1 and 3: w m 6 / 4. */
        oc_init(&c, 2, 1);
        m = oc_input(&c, 1, 1, (int64_t[]){3}, 0);
        int w = oc_input(&c, 1, 0, NULL, 0);
        o = oc_op(&c, NR_OP_MASK, (nr_op_attrs){.mask = {NR_MASK_LOSS_WEIGHT, 0}}, (int[]){m, w}, 2, 1, 1,
                  (int64_t[]){3});
        memcpy(c.val[m], (const float[]){1, 1, 0, 0, 1, 1}, 6 * sizeof(float));
        memcpy(c.val[w], (const float[]){1, 3}, 2 * sizeof(float));
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[o], (const float[]){1.5f, 1.5f, 0, 0, 4.5f, 4.5f}, 6, 1e-7, 1e-6, "loss weight");
        memset(c.val[m], 0, 6 * sizeof(float));
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[o], (const float[]){0, 0, 0, 0, 0, 0}, 6, 0, 0, "loss weight, all masked");
        oc_free(&c);
    }
}

/* Fast and reference kernels agree where the fast ones thread. */
static void fast_vs_ref(void) {
    opcheck f, r;
    for (int which = 0; which < 4; which++) {
        int y = 0;
        for (opcheck *c = &f; c; c = c == &f ? &r : NULL) {
            if (which == 0) y = embedding(c, 64, 20, 50, 64, 3);
            else if (which == 1) y = mask_mul(c, 64, 20, 40, 3);
            else if (which == 2) y = repeat(c, 64, 20, 40, 3);
            else y = masked_avgpool(c, 64, 20, 40, 3);
        }
        oc_forward(&f, &nr_backend_cpu);
        oc_forward(&r, &nr_backend_reference);
        nr_test_close_arrays(f.val[y], r.val[y], (size_t)oc_numel(&f, y), 1e-6, 1e-5, nr_op_name(f.nodes[y].op));
        float *dy = oc_alloc(oc_numel(&f, y));
        for (int64_t i = 0; i < oc_numel(&f, y); i++) dy[i] = oc_uniform(&f, -1, 1);
        oc_backward(&f, &nr_backend_cpu, dy);
        oc_backward(&r, &nr_backend_reference, dy);
        int g = which == 0 ? 1 : 0;
        nr_test_close_arrays(f.grad[g], r.grad[g], (size_t)oc_numel(&f, g), 1e-5, 1e-5, nr_op_name(f.nodes[y].op));
        free(dy);
        oc_free(&f);
        oc_free(&r);
    }
}

int main(void) {
    gradients();
    embedding_by_hand();
    masks_by_hand();
    fast_vs_ref();
    return nr_test_finish();
}
