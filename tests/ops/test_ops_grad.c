/* Finite-difference gradient checks of every op but LINEAR, on both
 * backends, batch sizes 1 and 7 and several shapes (odd sizes included),
 * plus exact values where they are known by hand: loss reductions, clipping,
 * dropout masks and kernels that must do nothing. */
#include "neurona/model.h"
#include "ops/opcheck.h"

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};
static const int64_t batches[] = {1, 7};

#define FOR_BACKENDS_AND_BATCHES                                                   \
    for (int bi = 0; bi < 2; bi++)                                                 \
        for (int ni = 0; ni < 2; ni++)                                             \
            for (const nr_backend *be = backends[bi]; be; be = NULL)               \
                for (int64_t N = batches[ni]; N; N = 0)

/* --- ACT ------------------------------------------------------------------ */

typedef struct act_case {
    nr_activation fn;
    float alpha;
    float lo, hi;
    float kinks[2];
    int n_kinks;
} act_case;

static const act_case act_cases[] = {
    {NR_ACT_LINEAR, 0, -3, 3, {0}, 0},
    {NR_ACT_SIGMOID, 0, -6, 6, {0}, 0},
    {NR_ACT_HARD_SIGMOID, 0, -4.5f, 4.5f, {-3, 3}, 2},
    {NR_ACT_TANH, 0, -3, 3, {0}, 0},
    {NR_ACT_RELU, 0, -3, 3, {0}, 1},
    {NR_ACT_RELU6, 0, -2, 8, {0, 6}, 2},
    {NR_ACT_LEAKY_RELU, 0.2f, -3, 3, {0}, 1},
    {NR_ACT_LEAKY_RELU, 0.3f, -3, 3, {0}, 1},
    {NR_ACT_ELU, 1.0f, -3, 3, {0}, 1},
    {NR_ACT_ELU, 0.5f, -3, 3, {0}, 1},
    {NR_ACT_SELU, 0, -3, 3, {0}, 1},
    {NR_ACT_GELU, 0, -4, 4, {0}, 0},
    {NR_ACT_GELU, 1, -4, 4, {0}, 0},
    {NR_ACT_SWISH, 0, -5, 5, {0}, 0},
    {NR_ACT_SOFTPLUS, 0, -5, 5, {0}, 0},
    {NR_ACT_SOFTSIGN, 0, -3, 3, {0}, 1}, /* smooth, but its second derivative jumps at 0 */
    {NR_ACT_EXPONENTIAL, 0, -2, 2, {0}, 0},
};

static void test_act(void) {
    static const int64_t shapes[][2] = {{5, 0}, {3, 7}};
    FOR_BACKENDS_AND_BATCHES
    for (size_t a = 0; a < sizeof act_cases / sizeof act_cases[0]; a++)
        for (int s = 0; s < 2; s++) {
            const act_case *ac = &act_cases[a];
            int nd = shapes[s][1] ? 2 : 1;
            opcheck c;
            oc_init(&c, N, 100 + a);
            int in = oc_input(&c, 1, nd, shapes[s], 1);
            oc_op(&c, NR_OP_ACT, (nr_op_attrs){.act = {ac->fn, ac->alpha}}, &in, 1, 1, nd, shapes[s]);
            oc_fill(&c, in, ac->lo, ac->hi);
            oc_avoid(&c, in, ac->kinks, ac->n_kinks, 0.02f);
            char name[96];
            snprintf(name, sizeof name, "act %s alpha %g N %lld shape %d", nr_activation_name(ac->fn), ac->alpha,
                     (long long)N, s);
            oc_check_grad(&c, be, OC_TOL_DEFAULT, name);
            /* forward agrees with the scalar definition */
            float *want = oc_alloc(oc_numel(&c, in));
            for (int64_t i = 0; i < oc_numel(&c, in); i++) want[i] = nr_act_value(ac->fn, ac->alpha, c.val[in][i]);
            nr_test_close_arrays(c.val[1], want, (size_t)oc_numel(&c, in), 1e-6, 1e-6, name);
            free(want);
            oc_free(&c);
        }
}

/* Heaviside is forward-only: 1 for x >= 0, and a backward call adds nothing. */
static void test_heaviside(void) {
    for (int bi = 0; bi < 2; bi++) {
        opcheck c;
        oc_init(&c, 2, 1);
        int in = oc_input(&c, 1, 1, (int64_t[]){3}, 1);
        int y = oc_op(&c, NR_OP_ACT, (nr_op_attrs){.act = {NR_ACT_HEAVISIDE, 0}}, &in, 1, 1, 1, (int64_t[]){3});
        const float xs[6] = {-2, 0, 3, -0.0f, 1e-30f, -1e-30f}, want[6] = {0, 1, 1, 1, 1, 0};
        memcpy(c.val[in], xs, sizeof xs);
        oc_forward(&c, backends[bi]);
        nr_test_close_arrays(c.val[y], want, 6, 0, 0, "heaviside forward");
        CHECK(!c.nodes[y].differentiable);
        float r[6] = {1, 1, 1, 1, 1, 1}, zero[6] = {0};
        oc_backward(&c, backends[bi], r);
        nr_test_close_arrays(c.grad[in], zero, 6, 0, 0, "heaviside backward is a no-op");
        oc_free(&c);
    }
}

/* Saturated inputs stay finite, and NaN propagates through the fast paths. */
static void test_act_extremes(void) {
    const nr_activation fns[] = {NR_ACT_SIGMOID, NR_ACT_TANH, NR_ACT_SWISH, NR_ACT_SOFTPLUS, NR_ACT_ELU,
                                 NR_ACT_SELU, NR_ACT_GELU, NR_ACT_RELU};
    const float xs[8] = {-1000, -100, -88.9f, -20, 20, 88.9f, 100, 1000};
    for (int bi = 0; bi < 2; bi++)
        for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
            opcheck c;
            oc_init(&c, 1, 1);
            int in = oc_input(&c, 1, 1, (int64_t[]){9}, 1);
            int y = oc_op(&c, NR_OP_ACT, (nr_op_attrs){.act = {fns[f], 1.0f}}, &in, 1, 1, 1, (int64_t[]){9});
            memcpy(c.val[in], xs, sizeof xs);
            c.val[in][8] = NAN;
            oc_forward(&c, backends[bi]);
            int finite = 1;
            for (int i = 0; i < 8; i++) finite &= isfinite(c.val[y][i]);
            if (!CHECK(finite)) fprintf(stderr, "  %s not finite at extremes\n", nr_activation_name(fns[f]));
            if (!CHECK(isnan(c.val[y][8]))) fprintf(stderr, "  %s(NaN) = %g\n", nr_activation_name(fns[f]), c.val[y][8]);
            float r[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
            oc_backward(&c, backends[bi], r);
            finite = 1;
            for (int i = 0; i < 8; i++) finite &= isfinite(c.grad[in][i]);
            CHECK(finite);
            if (fns[f] == NR_ACT_SIGMOID) {
                CHECK_CLOSE(c.val[y][0], 0, 1e-30, 0);
                CHECK_CLOSE(c.val[y][7], 1, 0, 0);
            }
            if (fns[f] == NR_ACT_TANH) {
                CHECK_CLOSE(c.val[y][0], -1, 0, 0);
                CHECK_CLOSE(c.val[y][7], 1, 0, 0);
            }
            if (fns[f] == NR_ACT_SOFTPLUS) CHECK_CLOSE(c.val[y][6], 100, 0, 1e-7);
            oc_free(&c);
        }
}

static void test_act_names(void) {
    for (int a = 0; a < NR_ACT_COUNT_; a++) {
        nr_activation got = NR_ACT_COUNT_;
        CHECK_OK(nr_activation_parse(nr_activation_name((nr_activation)a), &got));
        CHECK(got == (nr_activation)a);
    }
    nr_activation got = NR_ACT_RELU;
    CHECK_OK(nr_activation_parse("swish", &got));
    CHECK(got == NR_ACT_SWISH);
    CHECK(!strcmp(nr_activation_name(NR_ACT_SWISH), "silu"));
    CHECK_OK(nr_activation_parse("None", &got));
    CHECK(got == NR_ACT_LINEAR);
    CHECK_OK(nr_activation_parse(NULL, &got));
    CHECK(got == NR_ACT_LINEAR);
    CHECK_STATUS(nr_activation_parse("rellu", &got), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "rellu") && strstr(nr_last_error(), "leaky_relu"));
    CHECK(!strcmp(nr_activation_name(NR_ACT_COUNT_), "unknown"));
    CHECK(!strcmp(nr_op_name(NR_OP_LINEAR), "linear"));
    CHECK(!strcmp(nr_op_name(NR_OP_PENALTY), "penalty"));
    CHECK(!strcmp(nr_op_name(NR_OP_COUNT_), "unknown"));
}

/* --- SOFTMAX ---------------------------------------------------------------- */

static void test_softmax(void) {
    static const int64_t shapes[][2] = {{4, 0}, {1, 0}, {33, 0}, {2, 9}};
    FOR_BACKENDS_AND_BATCHES
    for (int s = 0; s < 4; s++) {
        int nd = shapes[s][1] ? 2 : 1;
        opcheck c;
        oc_init(&c, N, 7 + s);
        int in = oc_input(&c, 1, nd, shapes[s], 1);
        int y = oc_op(&c, NR_OP_SOFTMAX, (nr_op_attrs){0}, &in, 1, 1, nd, shapes[s]);
        oc_fill(&c, in, -3, 3);
        char name[64];
        snprintf(name, sizeof name, "softmax N %lld shape %d", (long long)N, s);
        oc_check_grad(&c, be, OC_TOL_DEFAULT, name);
        /* rows sum to 1 */
        int64_t C = shapes[s][nd - 1], R = oc_numel(&c, y) / C;
        for (int64_t r = 0; r < R; r++) {
            double sum = 0;
            for (int64_t j = 0; j < C; j++) sum += c.val[y][r * C + j];
            CHECK_CLOSE(sum, 1, 1e-6, 0);
        }
        oc_free(&c);
    }
    /* large logits: no overflow */
    opcheck c;
    oc_init(&c, 1, 1);
    int in = oc_input(&c, 1, 1, (int64_t[]){3}, 1);
    int y = oc_op(&c, NR_OP_SOFTMAX, (nr_op_attrs){0}, &in, 1, 1, 1, (int64_t[]){3});
    memcpy(c.val[in], (float[]){1000, 1000, -1000}, 3 * sizeof(float));
    for (int bi = 0; bi < 2; bi++) {
        oc_forward(&c, backends[bi]);
        nr_test_close_arrays(c.val[y], (float[]){0.5f, 0.5f, 0}, 3, 1e-7, 1e-6, "softmax of large logits");
    }
    oc_free(&c);
}

/* --- DROPOUT ---------------------------------------------------------------- */

static void test_dropout(void) {
    FOR_BACKENDS_AND_BATCHES
    for (int training = 0; training < 2; training++)
        for (int ri = 0; ri < 2; ri++) {
            float rate = ri ? 0.3f : 0.0f;
            opcheck c;
            oc_init(&c, N, 3);
            c.x.training = training;
            c.x.step = 17;
            int in = oc_input(&c, 1, 2, (int64_t[]){3, 5}, 1);
            int y = oc_op(&c, NR_OP_DROPOUT, (nr_op_attrs){.dropout = {rate, 99}}, &in, 1, 1, 2,
                          (int64_t[]){3, 5});
            oc_fill(&c, in, -2, 2);
            char name[80];
            snprintf(name, sizeof name, "dropout rate %g training %d N %lld", rate, training, (long long)N);
            oc_check_grad(&c, be, OC_TOL_DEFAULT, name);
            /* y = x * s with s in {0, 1/(1-rate)} when dropping, y = x otherwise;
             * the gradient is dy * s. */
            int64_t K = oc_numel(&c, y);
            float *r = oc_alloc(K), *want = oc_alloc(K);
            for (int64_t i = 0; i < K; i++) r[i] = (float)(i % 5) - 2;
            oc_backward(&c, be, r);
            int dropping = training && rate > 0, mask_ok = 1;
            for (int64_t i = 0; i < K; i++) {
                float s = dropping ? c.work[y][i] : 1.0f;
                if (dropping) mask_ok &= s == 0.0f || s == 1.0f / (1.0f - rate);
                want[i] = r[i] * s;
                mask_ok &= c.val[y][i] == c.val[in][i] * s;
            }
            CHECK(mask_ok);
            nr_test_close_arrays(c.grad[in], want, (size_t)K, 0, 1e-7, name);
            free(r);
            free(want);
            oc_free(&c);
        }
}

/* The mask keeps about 1 - rate of the elements, is the same on both
 * backends and for any thread count, and changes with the step and seed. */
static void test_dropout_mask(void) {
    const int64_t K = 1 << 17;
    opcheck c[2];
    for (int bi = 0; bi < 2; bi++) {
        oc_init(&c[bi], 1, 1);
        c[bi].x.training = 1;
        c[bi].x.step = 3;
        int in = oc_input(&c[bi], 1, 1, &K, 0);
        oc_op(&c[bi], NR_OP_DROPOUT, (nr_op_attrs){.dropout = {0.25f, 5}}, &in, 1, 1, 1, &K);
        for (int64_t i = 0; i < K; i++) c[bi].val[in][i] = 1;
    }
    int threads = nr_num_threads();
    nr_set_num_threads(1);
    oc_forward(&c[1], &nr_backend_reference);
    nr_set_num_threads(threads > 1 ? threads : 2);
    oc_forward(&c[0], &nr_backend_cpu);
    nr_set_num_threads(threads);
    nr_test_close_arrays(c[0].val[1], c[1].val[1], (size_t)K, 0, 0, "dropout mask: cpu/reference, 1/2 threads");
    int64_t kept = 0;
    for (int64_t i = 0; i < K; i++) kept += c[0].val[1][i] != 0;
    CHECK_CLOSE((double)kept / K, 0.75, 0.01, 0);
    c[0].x.step = 4;
    oc_forward(&c[0], &nr_backend_cpu);
    int64_t same = 0;
    for (int64_t i = 0; i < K; i++) same += (c[0].val[1][i] != 0) == (c[1].val[1][i] != 0);
    CHECK((double)same / K < 0.7); /* independent masks agree on 0.75^2 + 0.25^2 = 62.5% */
    c[0].x.step = 3;
    c[0].nodes[1].a.dropout.seed = 6;
    oc_forward(&c[0], &nr_backend_cpu);
    same = 0;
    for (int64_t i = 0; i < K; i++) same += (c[0].val[1][i] != 0) == (c[1].val[1][i] != 0);
    CHECK((double)same / K < 0.7);
    oc_free(&c[0]);
    oc_free(&c[1]);
}

/* --- COPY, CONCAT --------------------------------------------------------- */

static void test_copy(void) {
    FOR_BACKENDS_AND_BATCHES {
        opcheck c;
        oc_init(&c, N, 5);
        int in = oc_input(&c, 1, 2, (int64_t[]){3, 4}, 1);
        int y = oc_op(&c, NR_OP_COPY, (nr_op_attrs){0}, &in, 1, 1, 1, (int64_t[]){12});
        oc_fill(&c, in, -2, 2);
        oc_check_grad(&c, be, OC_TOL_DEFAULT, "copy");
        nr_test_close_arrays(c.val[y], c.val[in], (size_t)oc_numel(&c, in), 0, 0, "copy forward");
        oc_free(&c);
    }
}

typedef struct concat_case {
    int n_in, ndim, axis; /* ndim without the batch dimension; axis counts it */
    int64_t shapes[4][3];
    int no_grad;          /* index of an input without a gradient, or -1 */
} concat_case;

static const concat_case concat_cases[] = {
    {2, 1, 1, {{3}, {5}}, -1},
    {3, 2, 2, {{2, 3}, {2, 4}, {2, 1}}, 1},
    {2, 2, 1, {{2, 3}, {4, 3}}, -1},
    {4, 3, 2, {{2, 1, 3}, {2, 2, 3}, {2, 3, 3}, {2, 1, 3}}, 0},
    {2, 3, 3, {{2, 2, 1}, {2, 2, 5}}, -1},
};

static void test_concat(void) {
    FOR_BACKENDS_AND_BATCHES
    for (size_t t = 0; t < sizeof concat_cases / sizeof concat_cases[0]; t++) {
        const concat_case *cc = &concat_cases[t];
        opcheck c;
        oc_init(&c, N, 11 + t);
        int ins[4];
        int64_t out[3];
        memcpy(out, cc->shapes[0], sizeof out);
        out[cc->axis - 1] = 0;
        for (int k = 0; k < cc->n_in; k++) {
            ins[k] = oc_input(&c, 1, cc->ndim, cc->shapes[k], k != cc->no_grad);
            oc_fill(&c, ins[k], -2, 2);
            out[cc->axis - 1] += cc->shapes[k][cc->axis - 1];
        }
        int y = oc_op(&c, NR_OP_CONCAT, (nr_op_attrs){.concat = {cc->axis}}, ins, cc->n_in, 1, cc->ndim, out);
        char name[64];
        snprintf(name, sizeof name, "concat case %zu N %lld", t, (long long)N);
        oc_check_grad(&c, be, OC_TOL_DEFAULT, name);
        /* spot check the layout against an index computation */
        int64_t O = N, I = 1;
        for (int i = 0; i < cc->axis - 1; i++) O *= cc->shapes[0][i];
        for (int i = cc->axis; i < cc->ndim; i++) I *= cc->shapes[0][i];
        int layout_ok = 1;
        for (int64_t o = 0; o < O; o++) {
            int64_t pos = 0;
            for (int k = 0; k < cc->n_in; k++) {
                int64_t L = cc->shapes[k][cc->axis - 1] * I;
                for (int64_t j = 0; j < L; j++) layout_ok &= c.val[y][o * (out[cc->axis - 1] * I) + pos + j] ==
                                                               c.val[ins[k]][o * L + j];
                pos += L;
            }
        }
        CHECK(layout_ok);
        oc_free(&c);
    }
}

/* --- merges -------------------------------------------------------------- */

static void test_merge(void) {
    static const struct { nr_op_kind op; int n_in; } cases[] = {
        {NR_OP_ADD, 2}, {NR_OP_ADD, 3}, {NR_OP_SUB, 2}, {NR_OP_MUL, 2}, {NR_OP_MUL, 3},
        {NR_OP_AVG, 2}, {NR_OP_AVG, 4}, {NR_OP_MAX, 2}, {NR_OP_MAX, 3}, {NR_OP_ADD, 8},
    };
    static const int64_t shapes[][2] = {{5, 0}, {2, 3}};
    FOR_BACKENDS_AND_BATCHES
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++)
        for (int s = 0; s < 2; s++)
            for (int skip = -1; skip < 1; skip++) {
                int nd = shapes[s][1] ? 2 : 1;
                opcheck c;
                oc_init(&c, N, 21 + t);
                int ins[NR_MAX_IN] = {0};
                for (int k = 0; k < cases[t].n_in; k++) {
                    ins[k] = oc_input(&c, 1, nd, shapes[s], k != skip);
                    oc_fill(&c, ins[k], -2, 2);
                }
                if (cases[t].op == NR_OP_MAX) oc_separate(&c, ins, cases[t].n_in, 0.05f);
                int y = oc_op(&c, cases[t].op, (nr_op_attrs){0}, ins, cases[t].n_in, 1, nd, shapes[s]);
                char name[64];
                snprintf(name, sizeof name, "%s n_in %d N %lld shape %d skip %d", nr_op_name(cases[t].op),
                         cases[t].n_in, (long long)N, s, skip);
                oc_check_grad(&c, be, OC_TOL_DEFAULT, name);
                /* forward value */
                int64_t K = oc_numel(&c, y);
                float *want = oc_alloc(K);
                for (int64_t i = 0; i < K; i++) {
                    double v = c.val[ins[0]][i];
                    for (int k = 1; k < cases[t].n_in; k++) {
                        double u = c.val[ins[k]][i];
                        switch (cases[t].op) {
                        case NR_OP_SUB: v -= u; break;
                        case NR_OP_MUL: v *= u; break;
                        case NR_OP_MAX: v = u > v ? u : v; break;
                        default: v += u; break;
                        }
                    }
                    if (cases[t].op == NR_OP_AVG) v /= cases[t].n_in;
                    want[i] = (float)v;
                }
                nr_test_close_arrays(c.val[y], want, (size_t)K, 1e-6, 1e-6, name);
                free(want);
                oc_free(&c);
            }
}

/* MAX: a tie sends the whole gradient to the first input attaining it. */
static void test_max_ties(void) {
    for (int bi = 0; bi < 2; bi++)
        for (int n_in = 2; n_in <= 3; n_in++) {
            opcheck c;
            oc_init(&c, 1, 1);
            int ins[3];
            for (int k = 0; k < n_in; k++) {
                ins[k] = oc_input(&c, 1, 1, (int64_t[]){2}, 1);
                c.val[ins[k]][0] = 1.0f;           /* all tied */
                c.val[ins[k]][1] = k == 0 ? 0 : 2; /* tie between inputs 1.. */
            }
            oc_op(&c, NR_OP_MAX, (nr_op_attrs){0}, ins, n_in, 1, 1, (int64_t[]){2});
            oc_forward(&c, backends[bi]);
            oc_backward(&c, backends[bi], (float[]){1, 1});
            CHECK(c.grad[ins[0]][0] == 1 && c.grad[ins[1]][0] == 0);
            CHECK(c.grad[ins[0]][1] == 0 && c.grad[ins[1]][1] == 1);
            if (n_in == 3) CHECK(c.grad[ins[2]][0] == 0 && c.grad[ins[2]][1] == 0);
            oc_free(&c);
        }
}

/* --- LOSS ------------------------------------------------------------------ */

enum {
    MSE = NR_LOSS_MEAN_SQUARED_ERROR, MAE = NR_LOSS_MEAN_ABSOLUTE_ERROR, HUBER = NR_LOSS_HUBER,
    BCE = NR_LOSS_BINARY_CROSSENTROPY, CCE = NR_LOSS_CATEGORICAL_CROSSENTROPY,
    SPARSE = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY
};
static const char *const loss_names[] = {"none", "mse", "mae", "huber", "bce", "cce", "sparse_cce"};

/* Builds pred (N, feat...), target, optional weights (N,) and the loss node.
 * Returns the pred id. */
static int build_loss(opcheck *c, int kind, int logits, float delta, int nd, const int64_t *feat, int weighted) {
    int p = oc_input(c, 1, nd, feat, 1);
    int64_t k = nd ? feat[nd - 1] : 1;
    int t = kind == SPARSE ? oc_input(c, 1, nd - 1, feat, 0) : oc_input(c, 1, nd, feat, 0);
    int in[3] = {p, t, -1};
    if (weighted) {
        in[2] = oc_input(c, 1, 0, NULL, 0);
        for (int64_t i = 0; i < oc_numel(c, in[2]); i++) c->val[in[2]][i] = oc_uniform(c, 0.2f, 2.0f);
    }
    oc_op(c, NR_OP_LOSS, (nr_op_attrs){.loss = {kind, logits, delta}}, in, weighted ? 3 : 2, 0, 0, NULL);
    int64_t R = oc_numel(c, p) / k;
    float *P = c->val[p], *T = c->val[t];
    switch (kind) {
    case MSE: case MAE: case HUBER:
        oc_fill(c, t, -2, 2);
        for (int64_t i = 0; i < R * k; i++) {
            float e = oc_uniform(c, 0.05f, 2.0f) * (oc_uniform(c, 0, 1) < 0.5f ? -1.0f : 1.0f);
            if (kind == HUBER && fabsf(fabsf(e) - delta) < 0.05f) e += 0.1f;
            P[i] = T[i] + e;
        }
        break;
    case BCE:
        for (int64_t i = 0; i < R * k; i++) T[i] = (i % 3) ? (float)(i % 2) : oc_uniform(c, 0, 1); /* soft labels too */
        if (logits) oc_fill(c, p, -4, 4);
        else oc_fill(c, p, 0.05f, 0.95f);
        break;
    case CCE:
        for (int64_t r = 0; r < R; r++)
            for (int64_t j = 0; j < k; j++)
                T[r * k + j] = (r % 2) ? (j == r % k) : 1.0f / (float)k; /* one-hot and smooth rows */
        if (logits) oc_fill(c, p, -3, 3);
        else oc_fill(c, p, 0.1f, 1.0f); /* rows not normalised */
        break;
    case SPARSE:
        for (int64_t r = 0; r < R; r++) T[r] = (float)((r * 7 + 3) % k);
        if (logits) oc_fill(c, p, -3, 3);
        else oc_fill(c, p, 0.1f, 1.0f);
        break;
    }
    return p;
}

static void test_loss(void) {
    static const struct { int nd; int64_t feat[2]; } shapes[] = {{0, {0}}, {1, {4}}, {2, {3, 5}}, {1, {1}}};
    FOR_BACKENDS_AND_BATCHES
    for (int kind = MSE; kind <= SPARSE; kind++)
        for (int logits = 0; logits < 2; logits++)
            for (int s = 0; s < 4; s++)
                for (int weighted = 0; weighted < 2; weighted++)
                    for (int di = 0; di < (kind == HUBER ? 2 : 1); di++) {
                        if (logits && kind < BCE) continue;
                        if (shapes[s].nd == 0 && kind >= CCE) continue; /* needs a class axis */
                        float delta = di ? 0.5f : 1.0f;
                        opcheck c;
                        oc_init(&c, N, 1000 + kind * 10 + s);
                        build_loss(&c, kind, logits, delta, shapes[s].nd, shapes[s].feat, weighted);
                        char name[96];
                        snprintf(name, sizeof name, "loss %s logits %d shape %d weighted %d delta %g N %lld",
                                 loss_names[kind], logits, s, weighted, delta, (long long)N);
                        oc_check_grad(&c, be, (oc_tol){.h = 2e-3, .atol = 1e-4, .rtol = 5e-3}, name);
                        oc_free(&c);
                    }
}

/* Runs a loss on given pred/target/weights (N rows of k) and returns it;
 * the pred gradient (dL = 1) lands in grad. */
static float run_loss(const nr_backend *be, int kind, int logits, int64_t N, int64_t k, const float *pred,
                      const float *target, const float *w, float *grad) {
    opcheck c;
    oc_init(&c, N, 1);
    int p = oc_input(&c, 1, k > 1 ? 1 : 0, &k, 1);
    int t = kind == SPARSE ? oc_input(&c, 1, 0, NULL, 0) : oc_input(&c, 1, k > 1 ? 1 : 0, &k, 0);
    int in[3] = {p, t, w ? oc_input(&c, 1, 0, NULL, 0) : -1};
    int y = oc_op(&c, NR_OP_LOSS, (nr_op_attrs){.loss = {kind, logits, 0}}, in, w ? 3 : 2, 0, 0, NULL);
    memcpy(c.val[p], pred, (size_t)(N * k) * sizeof(float));
    memcpy(c.val[t], target, (size_t)(kind == SPARSE ? N : N * k) * sizeof(float));
    if (w) memcpy(c.val[in[2]], w, (size_t)N * sizeof(float));
    oc_forward(&c, be);
    float L = c.val[y][0];
    if (grad) {
        oc_backward(&c, be, (float[]){1});
        memcpy(grad, c.grad[p], (size_t)(N * k) * sizeof(float));
    }
    oc_free(&c);
    return L;
}

/* Values worked out by hand. */
static void test_loss_values(void) {
    for (int bi = 0; bi < 2; bi++) {
        const nr_backend *be = backends[bi];
        float g[6];
        /* mse: mean over the batch of (1, 4); weighted (1*1 + 3*4) / 2 (not / sum w) */
        CHECK_CLOSE(run_loss(be, MSE, 0, 2, 1, (float[]){1, 2}, (float[]){0, 0}, NULL, g), 2.5, 1e-6, 0);
        nr_test_close_arrays(g, (float[]){1, 2}, 2, 1e-6, 1e-6, "mse grad 2 e / N");
        CHECK_CLOSE(run_loss(be, MSE, 0, 2, 1, (float[]){1, 2}, (float[]){0, 0}, (float[]){1, 3}, g), 6.5, 1e-6, 0);
        nr_test_close_arrays(g, (float[]){1, 6}, 2, 1e-6, 1e-6, "weighted mse grad");
        /* mae over k = 2: row means (1.5, 0.5), batch mean 1 */
        CHECK_CLOSE(run_loss(be, MAE, 0, 2, 2, (float[]){1, -2, 0, 0.5f}, (float[]){0, 0, 0, -0.5f}, NULL, g), 1.0,
                    1e-6, 0);
        nr_test_close_arrays(g, (float[]){0.25f, -0.25f, 0, 0.25f}, 4, 1e-7, 1e-6, "mae grad, sign(0) = 0");
        /* huber delta 1 (0 means the default): 0.5 * 0.25 and 3 - 0.5 */
        CHECK_CLOSE(run_loss(be, HUBER, 0, 2, 1, (float[]){0.5f, -3}, (float[]){0, 0}, NULL, g), (0.125 + 2.5) / 2,
                    1e-6, 0);
        nr_test_close_arrays(g, (float[]){0.25f, -0.5f}, 2, 1e-7, 1e-6, "huber grad");
        /* bce clipping: p = 0 and 1 clip to 1e-7 and 1 - 1e-7 in float32
         * (0.99999988, as Keras); the clipped elements get no gradient */
        float L = run_loss(be, BCE, 0, 1, 2, (float[]){0, 1}, (float[]){1, 0}, NULL, g);
        CHECK_CLOSE(L, (-log(1e-7) - log(1.0 - (double)(1.0f - 1e-7f))) / 2, 1e-5, 1e-6);
        nr_test_close_arrays(g, (float[]){0, 0}, 2, 0, 0, "bce grad zero where clipped");
        /* bce on logits: large |z| stays finite and exact */
        L = run_loss(be, BCE, 1, 1, 2, (float[]){100, -100}, (float[]){0, 1}, NULL, g);
        CHECK_CLOSE(L, 100, 1e-4, 1e-6);
        nr_test_close_arrays(g, (float[]){0.5f, -0.5f}, 2, 1e-6, 1e-6, "bce logits grad");
        /* cce: the row is normalised before the log */
        L = run_loss(be, CCE, 0, 1, 3, (float[]){2, 1, 1}, (float[]){1, 0, 0}, NULL, g);
        CHECK_CLOSE(L, log(2.0), 1e-6, 1e-6);
        /* d/dp_j of -log(p_0 / S): -1/p_0 + 1/S for j = 0, 1/S otherwise */
        nr_test_close_arrays(g, (float[]){-0.25f, 0.25f, 0.25f}, 3, 1e-6, 1e-6, "cce grad through the normalisation");
        L = run_loss(be, CCE, 0, 1, 3, (float[]){0, 1, 1}, (float[]){1, 0, 0}, NULL, g);
        CHECK_CLOSE(L, -log(1e-7), 1e-3, 1e-4);
        /* sparse: same as cce with one-hot targets, and on logits */
        L = run_loss(be, SPARSE, 0, 1, 3, (float[]){2, 1, 1}, (float[]){0}, NULL, g);
        CHECK_CLOSE(L, log(2.0), 1e-6, 1e-6);
        nr_test_close_arrays(g, (float[]){-0.25f, 0.25f, 0.25f}, 3, 1e-6, 1e-6, "sparse grad");
        L = run_loss(be, SPARSE, 1, 2, 3, (float[]){0, 0, 0, 1000, 0, 0}, (float[]){2, 0}, NULL, g);
        CHECK_CLOSE(L, log(3.0) / 2, 1e-6, 1e-6);
        nr_test_close_arrays(g, (float[]){1.0f / 6, 1.0f / 6, -1.0f / 3, 0, 0, 0}, 6, 1e-6, 1e-5, "sparse logits grad");
        /* cce on logits with unnormalised targets: the exact derivative
         * softmax(z) sum(t) - t */
        L = run_loss(be, CCE, 1, 1, 2, (float[]){0, 0}, (float[]){1, 1}, NULL, g);
        CHECK_CLOSE(L, 2 * log(2.0), 1e-6, 1e-6);
        nr_test_close_arrays(g, (float[]){0, 0}, 2, 1e-7, 0, "cce logits grad");
        /* out-of-range sparse targets are clamped, never read out of bounds */
        L = run_loss(be, SPARSE, 1, 3, 2, (float[]){1, 0, 0, 1, 0, 0}, (float[]){7, -3, NAN}, NULL, g);
        CHECK(isfinite(L));
    }
}

/* The same loss on pred (N, T, k) with weights (N,) equals the loss on
 * (N*T, k) with each weight repeated T times (Keras divides by N*T). */
static void test_loss_rank3_weights(void) {
    for (int bi = 0; bi < 2; bi++) {
        opcheck a, b;
        oc_init(&a, 3, 5);
        oc_init(&b, 3 * 4, 5);
        build_loss(&a, MSE, 0, 1, 2, (int64_t[]){4, 2}, 1);
        build_loss(&b, MSE, 0, 1, 1, (int64_t[]){2}, 1);
        memcpy(b.val[0], a.val[0], 24 * sizeof(float));
        memcpy(b.val[1], a.val[1], 24 * sizeof(float));
        for (int r = 0; r < 12; r++) b.val[2][r] = a.val[2][r / 4];
        oc_forward(&a, backends[bi]);
        oc_forward(&b, backends[bi]);
        CHECK_CLOSE(a.val[3][0], b.val[3][0], 1e-6, 1e-6);
        oc_free(&a);
        oc_free(&b);
    }
}

/* --- PENALTY ------------------------------------------------------------------ */

static void test_penalty(void) {
    static const float zero = 0;
    FOR_BACKENDS_AND_BATCHES
    for (int s = 0; s < 2; s++) {
        opcheck c;
        oc_init(&c, N, 77 + s);
        int64_t shape[2] = {5, 3};
        int in = oc_input(&c, 1, s + 1, shape, 1);
        oc_op(&c, NR_OP_PENALTY, (nr_op_attrs){.penalty = {0.01f, 0.02f}}, &in, 1, 0, 0, NULL);
        oc_fill(&c, in, -2, 2);
        oc_avoid(&c, in, &zero, 1, 0.02f);
        char name[64];
        snprintf(name, sizeof name, "penalty N %lld shape %d", (long long)N, s);
        oc_check_grad(&c, be, (oc_tol){.h = 2e-3, .atol = 1e-5, .rtol = 5e-3}, name);
        oc_free(&c);
    }
    for (int bi = 0; bi < 2; bi++) {
        opcheck c;
        oc_init(&c, 2, 1);
        int in = oc_input(&c, 1, 1, (int64_t[]){2}, 1);
        int y = oc_op(&c, NR_OP_PENALTY, (nr_op_attrs){.penalty = {0.5f, 0.25f}}, &in, 1, 0, 0, NULL);
        memcpy(c.val[in], (float[]){1, -2, 3, 0}, 4 * sizeof(float));
        oc_forward(&c, backends[bi]);
        CHECK_CLOSE(c.val[y][0], (0.5 * 6 + 0.25 * 14) / 2, 1e-6, 1e-6); /* divided by the batch size */
        oc_backward(&c, backends[bi], (float[]){2});
        nr_test_close_arrays(c.grad[in], (float[]){1.0f, -1.5f, 2.0f, 0}, 4, 1e-6, 1e-6, "penalty grad, sign(0) = 0");
        oc_free(&c);
    }
}

/* --- backend table ------------------------------------------------------------- */

static void test_backend_table(void) {
    for (int op = NR_OP_LINEAR; op < NR_OP_COUNT_; op++) {
        CHECK(nr_backend_cpu.forward[op] && nr_backend_cpu.backward[op]);
        CHECK(nr_backend_reference.forward[op] && nr_backend_reference.backward[op]);
    }
    CHECK(nr_backend_cpu.work_floats[NR_OP_DROPOUT] == 1);
    CHECK(nr_backend_cpu.forward[NR_OP_ACT] == nr_cpu_act_forward);
    CHECK(nr_backend_reference.forward[NR_OP_ACT] == nr_ref_act_forward);
    CHECK(nr_backend_reference.backward[NR_OP_LINEAR] == nr_ref_linear_backward);
    setenv("NEURONA_REFERENCE", "1", 1);
    CHECK(nr_backend_get() == &nr_backend_reference);
    setenv("NEURONA_REFERENCE", "0", 1);
    CHECK(nr_backend_get() == &nr_backend_cpu);
    unsetenv("NEURONA_REFERENCE");
    CHECK(nr_backend_get() == &nr_backend_cpu);
}

int main(void) {
    test_backend_table();
    test_act_names();
    test_act();
    test_heaviside();
    test_act_extremes();
    test_softmax();
    test_dropout();
    test_dropout_mask();
    test_copy();
    test_concat();
    test_merge();
    test_max_ties();
    test_loss();
    test_loss_values();
    test_loss_rank3_weights();
    test_penalty();
    return nr_test_finish();
}
