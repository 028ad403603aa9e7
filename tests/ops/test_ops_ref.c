/* The fast kernels (nr_backend_cpu) agree with the reference kernels
 * (nr_backend_reference), forward and backward, on large random inputs:
 * 128 x 256 (at the threading threshold) and 256 x 257 (above it, odd).
 *
 * Perf mode: NR_OPS_PERF=1 also prints the time of each op's forward and
 * backward on both backends (informative only, never a pass/fail). */
#include <time.h>
#include "neurona/model.h"
#include "ops/opcheck.h"

#define ATOL 1e-6
#define RTOL 1e-6

static int perf;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Median time of one call of the op's forward or backward on be, in us. */
static double time_op(opcheck *c, const nr_backend *be, int backward) {
    double t[9];
    const nr_node *op = &c->nodes[oc_op_id(c)];
    for (int rep = 0; rep < 9; rep++) {
        double t0 = now();
        int n = 0;
        do {
            (backward ? be->backward : be->forward)[op->op](&c->x, op);
            n++;
        } while (now() - t0 < 2e-3);
        t[rep] = (now() - t0) / n;
    }
    for (int i = 1; i < 9; i++)
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            double s = t[j];
            t[j] = t[j - 1];
            t[j - 1] = s;
        }
    return t[4] * 1e6;
}

/* a runs on the cpu backend, b (same structure and values) on the
 * reference backend; their outputs and input gradients must agree. */
static void compare(opcheck *a, opcheck *b, const char *name, double atol, double rtol) {
    int id = oc_op_id(a);
    int64_t K = oc_numel(a, id);
    oc_copy_values(b, a);
    oc_forward(a, &nr_backend_cpu);
    oc_forward(b, &nr_backend_reference);
    char what[160];
    snprintf(what, sizeof what, "%s forward", name);
    nr_test_close_arrays(a->val[id], b->val[id], (size_t)K, atol, rtol, what);
    float *r = oc_alloc(K);
    for (int64_t i = 0; i < K; i++) r[i] = oc_uniform(a, -1, 1);
    oc_backward(a, &nr_backend_cpu, r);
    oc_backward(b, &nr_backend_reference, r);
    for (int k = 0; k < id; k++) {
        if (!a->grad[k]) continue;
        snprintf(what, sizeof what, "%s backward input %d", name, k);
        nr_test_close_arrays(a->grad[k], b->grad[k], (size_t)oc_numel(a, k), atol, rtol, what);
    }
    if (perf)
        printf("%-34s fwd cpu %9.1f us  ref %9.1f us   bwd cpu %9.1f us  ref %9.1f us\n", name,
               time_op(a, &nr_backend_cpu, 0), time_op(b, &nr_backend_reference, 0), time_op(a, &nr_backend_cpu, 1),
               time_op(b, &nr_backend_reference, 1));
    free(r);
}

static const int64_t sizes[][2] = {{128, 256}, {256, 257}};

/* Two identical graphs: one unary op on (N, C). */
static void unary(opcheck c[2], int s, nr_op_kind op, nr_op_attrs attrs, float lo, float hi, uint64_t seed) {
    for (int j = 0; j < 2; j++) {
        oc_init(&c[j], sizes[s][0], seed);
        int in = oc_input(&c[j], 1, 1, &sizes[s][1], 1);
        oc_op(&c[j], op, attrs, &in, 1, 1, 1, &sizes[s][1]);
    }
    oc_fill(&c[0], 0, lo, hi);
}

static void test_act(void) {
    for (int s = 0; s < 2; s++)
        for (int fn = 0; fn < NR_ACT_COUNT_; fn++) {
            if (fn == NR_ACT_SOFTMAX) continue;
            float alphas[2] = {0, 0};
            int n_alpha = 1;
            if (fn == NR_ACT_LEAKY_RELU || fn == NR_ACT_ELU) alphas[0] = 0.2f, alphas[1] = 1.0f, n_alpha = 2;
            if (fn == NR_ACT_GELU) alphas[1] = 1.0f, n_alpha = 2;
            for (int ai = 0; ai < n_alpha; ai++) {
                opcheck c[2];
                float range = fn == NR_ACT_EXPONENTIAL ? 3.0f : 8.0f;
                unary(c, s, NR_OP_ACT, (nr_op_attrs){.act = {(nr_activation)fn, alphas[ai]}}, -range, range, 5 + fn);
                /* a few exact kink points and saturated values too */
                c[0].val[0][0] = 0;
                c[0].val[0][1] = 6;
                c[0].val[0][2] = -3;
                c[0].val[0][3] = 3;
                c[0].val[0][4] = -90;
                c[0].val[0][5] = fn == NR_ACT_EXPONENTIAL ? 2 : 90; /* e^90 overflows float on both */
                c[0].val[0][6] = 1e-4f;
                c[0].val[0][7] = -1e-4f;
                char name[64];
                snprintf(name, sizeof name, "act %s %g %lldx%lld", nr_activation_name((nr_activation)fn), alphas[ai],
                         (long long)sizes[s][0], (long long)sizes[s][1]);
                compare(&c[0], &c[1], name, ATOL, RTOL);
                oc_free(&c[0]);
                oc_free(&c[1]);
            }
        }
}

static void test_softmax_dropout_copy_penalty(void) {
    for (int s = 0; s < 2; s++) {
        char name[64];
        opcheck c[2];
        unary(c, s, NR_OP_SOFTMAX, (nr_op_attrs){0}, -10, 10, 1);
        snprintf(name, sizeof name, "softmax %lldx%lld", (long long)sizes[s][0], (long long)sizes[s][1]);
        compare(&c[0], &c[1], name, 1e-7, RTOL);
        oc_free(&c[0]);
        oc_free(&c[1]);
        for (int training = 0; training < 2; training++) {
            unary(c, s, NR_OP_DROPOUT, (nr_op_attrs){.dropout = {0.4f, 123}}, -1, 1, 2);
            c[0].x.training = c[1].x.training = training;
            c[0].x.step = c[1].x.step = 9;
            snprintf(name, sizeof name, "dropout training %d %lldx%lld", training, (long long)sizes[s][0],
                     (long long)sizes[s][1]);
            compare(&c[0], &c[1], name, 0, 0);
            oc_free(&c[0]);
            oc_free(&c[1]);
        }
        unary(c, s, NR_OP_COPY, (nr_op_attrs){0}, -1, 1, 3);
        snprintf(name, sizeof name, "copy %lldx%lld", (long long)sizes[s][0], (long long)sizes[s][1]);
        compare(&c[0], &c[1], name, 0, 0);
        oc_free(&c[0]);
        oc_free(&c[1]);
        for (int j = 0; j < 2; j++) {
            oc_init(&c[j], sizes[s][0], 4);
            int in = oc_input(&c[j], 1, 1, &sizes[s][1], 1);
            oc_op(&c[j], NR_OP_PENALTY, (nr_op_attrs){.penalty = {1e-3f, 2e-3f}}, &in, 1, 0, 0, NULL);
        }
        oc_fill(&c[0], 0, -3, 3);
        snprintf(name, sizeof name, "penalty %lldx%lld", (long long)sizes[s][0], (long long)sizes[s][1]);
        compare(&c[0], &c[1], name, ATOL, RTOL);
        oc_free(&c[0]);
        oc_free(&c[1]);
    }
}

static void test_concat(void) {
    static const struct { int nd, axis, n_in; int64_t shapes[3][2]; } cases[] = {
        {1, 1, 2, {{100}, {157}}},
        {2, 2, 3, {{4, 8}, {4, 24}, {4, 33}}},
        {2, 1, 2, {{3, 64}, {5, 64}}},
    };
    for (int s = 0; s < 2; s++)
        for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
            opcheck c[2];
            for (int j = 0; j < 2; j++) {
                oc_init(&c[j], sizes[s][0], 6);
                int ins[3];
                int64_t out[2] = {cases[t].shapes[0][0], cases[t].shapes[0][1]};
                out[cases[t].axis - 1] = 0;
                for (int k = 0; k < cases[t].n_in; k++) {
                    ins[k] = oc_input(&c[j], 1, cases[t].nd, cases[t].shapes[k], k != 1);
                    out[cases[t].axis - 1] += cases[t].shapes[k][cases[t].axis - 1];
                }
                oc_op(&c[j], NR_OP_CONCAT, (nr_op_attrs){.concat = {cases[t].axis}}, ins, cases[t].n_in, 1,
                      cases[t].nd, out);
            }
            for (int k = 0; k < cases[t].n_in; k++) oc_fill(&c[0], k, -1, 1);
            char name[64];
            snprintf(name, sizeof name, "concat case %zu batch %lld", t, (long long)sizes[s][0]);
            compare(&c[0], &c[1], name, 0, 0);
            oc_free(&c[0]);
            oc_free(&c[1]);
        }
}

static void test_merge(void) {
    static const nr_op_kind ops[] = {NR_OP_ADD, NR_OP_SUB, NR_OP_MUL, NR_OP_AVG, NR_OP_MAX};
    for (int s = 0; s < 2; s++)
        for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
            for (int n_in = 2; n_in <= (ops[o] == NR_OP_SUB ? 2 : 5); n_in += 3) {
                opcheck c[2];
                for (int j = 0; j < 2; j++) {
                    oc_init(&c[j], sizes[s][0], 8);
                    int ins[5];
                    for (int k = 0; k < n_in; k++) ins[k] = oc_input(&c[j], 1, 1, &sizes[s][1], k != n_in - 1);
                    oc_op(&c[j], ops[o], (nr_op_attrs){0}, ins, n_in, 1, 1, &sizes[s][1]);
                }
                for (int k = 0; k < n_in; k++) oc_fill(&c[0], k, -2, 2);
                /* some ties for MAX */
                for (int64_t i = 0; i < 100; i++) c[0].val[1][i] = c[0].val[0][i];
                char name[64];
                snprintf(name, sizeof name, "%s n_in %d %lldx%lld", nr_op_name(ops[o]), n_in, (long long)sizes[s][0],
                         (long long)sizes[s][1]);
                compare(&c[0], &c[1], name, ATOL, RTOL);
                oc_free(&c[0]);
                oc_free(&c[1]);
            }
}

enum {
    MSE = NR_LOSS_MEAN_SQUARED_ERROR, MAE = NR_LOSS_MEAN_ABSOLUTE_ERROR, HUBER = NR_LOSS_HUBER,
    BCE = NR_LOSS_BINARY_CROSSENTROPY, CCE = NR_LOSS_CATEGORICAL_CROSSENTROPY,
    SPARSE = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY
};
static const char *const loss_names[] = {"none", "mse", "mae", "huber", "bce", "cce", "sparse_cce"};

static void test_loss(void) {
    static const int64_t ks[] = {1, 10, 257}; /* 1: the flat loops, over several blocks */
    for (int kind = MSE; kind <= SPARSE; kind++)
        for (int logits = 0; logits < 2; logits++)
            for (int weighted = 0; weighted < 2; weighted++)
                for (int ki = 0; ki < 3; ki++) {
                    if (logits && kind < BCE) continue;
                    int64_t k = ks[ki], N = k == 1 ? 9000 : 256;
                    opcheck c[2];
                    for (int j = 0; j < 2; j++) {
                        oc_init(&c[j], N, 30 + kind);
                        int p = oc_input(&c[j], 1, 1, &k, 1);
                        int t = oc_input(&c[j], 1, kind == SPARSE ? 0 : 1, &k, 0);
                        int in[3] = {p, t, weighted ? oc_input(&c[j], 1, 0, NULL, 0) : -1};
                        oc_op(&c[j], NR_OP_LOSS, (nr_op_attrs){.loss = {kind, logits, 0.7f}}, in, 2 + weighted, 0, 0,
                              NULL);
                    }
                    opcheck *a = &c[0];
                    float *P = a->val[0], *T = a->val[1];
                    for (int64_t r = 0; r < N; r++)
                        for (int64_t j = 0; j < k; j++) {
                            int64_t i = r * k + j;
                            switch (kind) {
                            case BCE:
                                P[i] = logits ? oc_uniform(a, -8, 8) : oc_uniform(a, 0, 1);
                                T[i] = (float)(i % 2);
                                break;
                            case CCE:
                            case SPARSE:
                                P[i] = logits ? oc_uniform(a, -8, 8) : oc_uniform(a, 0, 1);
                                if (kind == CCE) T[i] = j == r % k;
                                else if (j == 0) T[r] = (float)((r * 13) % k);
                                break;
                            default:
                                P[i] = oc_uniform(a, -2, 2);
                                T[i] = oc_uniform(a, -2, 2);
                            }
                        }
                    if (kind == BCE && !logits) P[0] = 0, P[1] = 1; /* clipped */
                    if (weighted)
                        for (int64_t r = 0; r < N; r++) a->val[2][r] = oc_uniform(a, 0, 3);
                    char name[64];
                    snprintf(name, sizeof name, "loss %s logits %d w %d %lldx%lld", loss_names[kind], logits, weighted,
                             (long long)N, (long long)k);
                    compare(&c[0], &c[1], name, 1e-9, RTOL);
                    oc_free(&c[0]);
                    oc_free(&c[1]);
                }
}

/* An image output (N, H, W, 1) with one sample weight per image: rows of
 * one value sharing a weight over H W rows (the flat loops' groups). */
static void test_loss_image(void) {
    for (int kind = MSE; kind <= BCE; kind++)
        for (int logits = 0; logits < 1 + (kind == BCE); logits++) {
            opcheck c[2];
            int64_t N = 37, img[3] = {9, 11, 1};
            for (int j = 0; j < 2; j++) {
                oc_init(&c[j], N, 70 + kind);
                int in[3] = {oc_input(&c[j], 1, 3, img, 1), oc_input(&c[j], 1, 3, img, 0), oc_input(&c[j], 1, 0, NULL, 0)};
                oc_op(&c[j], NR_OP_LOSS, (nr_op_attrs){.loss = {kind, logits, 0.7f}}, in, 3, 0, 0, NULL);
            }
            opcheck *a = &c[0];
            for (int64_t i = 0; i < N * 99; i++) {
                a->val[0][i] = kind == BCE && !logits ? oc_uniform(a, 0.01f, 0.99f) : oc_uniform(a, -3, 3);
                a->val[1][i] = kind == BCE ? (float)(i % 3 == 0) : oc_uniform(a, -2, 2);
            }
            for (int64_t r = 0; r < N; r++) a->val[2][r] = oc_uniform(a, 0, 3);
            char name[64];
            snprintf(name, sizeof name, "loss %s logits %d on images", loss_names[kind], logits);
            compare(&c[0], &c[1], name, 1e-9, RTOL);
            oc_free(&c[0]);
            oc_free(&c[1]);
        }
}

int main(void) {
    perf = getenv("NR_OPS_PERF") && atoi(getenv("NR_OPS_PERF"));
    if (perf) printf("threads: %d\n", nr_num_threads());
    test_act();
    test_softmax_dropout_copy_penalty();
    test_concat();
    test_merge();
    test_loss();
    test_loss_image();
    return nr_test_finish();
}
