/* BATCHNORM and LAYERNORM: finite-difference gradients on both backends
 * (BatchNormalization in training mode, through the batch statistics, and
 * in inference mode; with and without gamma and beta; dense and image
 * shapes; LayerNormalization over one or two axes, with rms_scaling), the
 * moving statistics' update (once per training forward, never in
 * inference, the backward or when frozen), fast kernels against the
 * reference ones, and results that do not depend on the thread count. */
#include "ops/opcheck.h"
#include "testutil.h"

static const nr_backend *const backends[2] = {&nr_backend_cpu, &nr_backend_reference};

/* x (batch, shape), moving mean and variance, gamma?, beta?, then the op. */
static int build_bn(opcheck *c, int ndim, const int64_t *shape, int gamma, int beta, int64_t batch, uint64_t seed) {
    oc_init(c, batch, seed);
    int64_t C = shape[ndim - 1];
    int in[5], n = 0;
    in[n++] = oc_input(c, 1, ndim, shape, 1);
    in[n++] = oc_input(c, 0, 1, &C, 0);
    in[n++] = oc_input(c, 0, 1, &C, 0);
    if (gamma) in[n++] = oc_input(c, 0, 1, &C, 1);
    if (beta) in[n++] = oc_input(c, 0, 1, &C, 1);
    nr_op_attrs a = {.bn = {0.9f, 1e-3f, gamma, beta, 0}};
    int y = oc_op(c, NR_OP_BATCHNORM, a, in, n, 1, ndim, shape);
    oc_fill(c, in[0], -1, 2);
    oc_fill(c, in[1], -0.5f, 0.5f);
    oc_fill(c, in[2], 0.5f, 1.5f);
    for (int k = 3; k < n; k++) oc_fill(c, in[k], 0.5f, 1.5f);
    return y;
}

static void bn_grads(void) {
    const int64_t dense[1] = {5}, image[3] = {3, 2, 4};
    char name[128];
    for (int e = 0; e < 2; e++)
        for (int img = 0; img < 2; img++)
            for (int gb = 0; gb < 4; gb++)
                for (int train = 0; train < 2; train++) {
                    opcheck c;
                    build_bn(&c, img ? 3 : 1, img ? image : dense, gb & 1, gb >> 1, img ? 2 : 6, 5 + (uint64_t)gb);
                    c.x.training = train;
                    snprintf(name, sizeof name, "batchnorm %s %s gamma %d beta %d training %d", backends[e]->name,
                             img ? "image" : "dense", gb & 1, gb >> 1, train);
                    oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
                    oc_free(&c);
                }
}

/* Statistics of channel c of x (R rows of C) in double. */
static void moments(const float *x, int64_t R, int64_t C, int64_t c, double *mean, double *var) {
    double s = 0, q = 0;
    for (int64_t r = 0; r < R; r++) s += x[r * C + c];
    *mean = s / (double)R;
    for (int64_t r = 0; r < R; r++) q += (x[r * C + c] - *mean) * (x[r * C + c] - *mean);
    *var = q / (double)R;
}

/* Keras's update after one training forward; none after an inference
 * forward, a backward, or a training forward of a frozen layer. */
static void bn_moving(void) {
    const int64_t shape[1] = {4};
    for (int e = 0; e < 2; e++) {
        opcheck c;
        int y = build_bn(&c, 1, shape, 1, 1, 5, 3);
        float mm0[4], mv0[4], want_m[4], want_v[4];
        memcpy(mm0, c.val[1], sizeof mm0);
        memcpy(mv0, c.val[2], sizeof mv0);
        for (int64_t ch = 0; ch < 4; ch++) {
            double mean, var;
            moments(c.val[0], 5, 4, ch, &mean, &var);
            want_m[ch] = (float)(0.9 * mm0[ch] + 0.1 * mean);
            want_v[ch] = (float)(0.9 * mv0[ch] + 0.1 * var);
        }
        c.x.training = 1;
        oc_forward(&c, backends[e]);
        nr_test_close_arrays(c.val[1], want_m, 4, 1e-6, 1e-6, "batchnorm moving mean after a step");
        nr_test_close_arrays(c.val[2], want_v, 4, 1e-6, 1e-6, "batchnorm moving variance after a step");
        memcpy(want_m, c.val[1], sizeof want_m); /* from here on, nothing moves them */
        memcpy(want_v, c.val[2], sizeof want_v);
        float *dy = oc_alloc(20);
        for (int i = 0; i < 20; i++) dy[i] = oc_uniform(&c, -1, 1);
        oc_backward(&c, backends[e], dy);
        nr_test_close_arrays(c.val[1], want_m, 4, 0, 0, "batchnorm backward leaves the moving mean");
        /* Inference: y = (x - moving_mean) / sqrt(moving_variance + eps) gamma + beta. */
        float want_y[20];
        for (int r = 0; r < 5; r++)
            for (int ch = 0; ch < 4; ch++)
                want_y[r * 4 + ch] = (float)((c.val[0][r * 4 + ch] - (double)want_m[ch]) / sqrt(want_v[ch] + 1e-3) *
                                             c.val[3][ch] + c.val[4][ch]);
        for (int frozen = 0; frozen < 2; frozen++) {
            c.nodes[y].a.bn.frozen = frozen;
            c.x.training = frozen;
            oc_forward(&c, backends[e]);
            nr_test_close_arrays(c.val[y], want_y, 20, 1e-5, 1e-5, "batchnorm inference output");
            nr_test_close_arrays(c.val[1], want_m, 4, 0, 0, "batchnorm inference leaves the moving mean");
            nr_test_close_arrays(c.val[2], want_v, 4, 0, 0, "batchnorm inference leaves the moving variance");
        }
        free(dy);
        oc_free(&c);
    }
}

/* x (batch, shape); gamma?, beta? shaped like the last n_axes axes. */
static int build_ln(opcheck *c, int ndim, const int64_t *shape, int n_axes, int gamma, int beta, int rms,
                    int64_t batch, uint64_t seed) {
    oc_init(c, batch, seed);
    int in[3], n = 0;
    in[n++] = oc_input(c, 1, ndim, shape, 1);
    if (gamma) in[n++] = oc_input(c, 0, n_axes, shape + ndim - n_axes, 1);
    if (beta) in[n++] = oc_input(c, 0, n_axes, shape + ndim - n_axes, 1);
    nr_op_attrs a = {.ln = {1e-3f, n_axes, gamma, beta, rms}};
    int y = oc_op(c, NR_OP_LAYERNORM, a, in, n, 1, ndim, shape);
    oc_fill(c, in[0], -1, 2);
    for (int k = 1; k < n; k++) oc_fill(c, in[k], 0.5f, 1.5f);
    return y;
}

static void ln_grads(void) {
    const int64_t dense[1] = {6}, seq[2] = {3, 4};
    char name[128];
    for (int e = 0; e < 2; e++)
        for (int kind = 0; kind < 3; kind++)
            for (int gb = 0; gb < 4; gb++)
                for (int rms = 0; rms < 2; rms++) {
                    if (rms && (gb & 2)) continue; /* rms_scaling has no beta */
                    opcheck c;
                    int nd = kind ? 2 : 1, axes = kind == 2 ? 2 : 1;
                    build_ln(&c, nd, kind ? seq : dense, axes, gb & 1, gb >> 1, rms, 3, 9 + (uint64_t)gb);
                    snprintf(name, sizeof name, "layernorm %s kind %d gamma %d beta %d rms %d", backends[e]->name, kind,
                             gb & 1, gb >> 1, rms);
                    oc_check_grad(&c, backends[e], OC_TOL_DEFAULT, name);
                    oc_free(&c);
                }
}

/* Fast against reference on larger shapes: every output, gradient and
 * the moving statistics. */
static void fast_vs_ref(int ln, int ndim, const int64_t *shape, int64_t batch, int rms) {
    opcheck f, r;
    int y = ln ? build_ln(&f, ndim, shape, 1, 1, !rms, rms, batch, 21) : build_bn(&f, ndim, shape, 1, 1, batch, 21);
    if (ln) build_ln(&r, ndim, shape, 1, 1, !rms, rms, batch, 21);
    else build_bn(&r, ndim, shape, 1, 1, batch, 21);
    f.x.training = r.x.training = 1;
    oc_forward(&f, &nr_backend_cpu);
    oc_forward(&r, &nr_backend_reference);
    char name[96];
    snprintf(name, sizeof name, "%s fast vs reference forward", ln ? "layernorm" : "batchnorm");
    nr_test_close_arrays(f.val[y], r.val[y], (size_t)oc_numel(&f, y), 1e-5, 1e-4, name);
    for (int k = 1; !ln && k < 3; k++) nr_test_close_arrays(f.val[k], r.val[k], (size_t)oc_numel(&f, k), 1e-6, 1e-5, name);
    float *dy = oc_alloc(oc_numel(&f, y));
    for (int64_t i = 0; i < oc_numel(&f, y); i++) dy[i] = oc_uniform(&f, -1, 1);
    oc_backward(&f, &nr_backend_cpu, dy);
    oc_backward(&r, &nr_backend_reference, dy);
    snprintf(name, sizeof name, "%s fast vs reference backward", ln ? "layernorm" : "batchnorm");
    for (int k = 0; k < y; k++)
        if (f.grad[k]) nr_test_close_arrays(f.grad[k], r.grad[k], (size_t)oc_numel(&f, k), 1e-4, 1e-4, name);
    free(dy);
    oc_free(&f);
    oc_free(&r);
}

/* Row blocks are fixed, so one thread and several give the same bits. */
static void thread_independent(int ln) {
    const int64_t shape[3] = {8, 8, 16};
    opcheck a, b;
    int y = ln ? build_ln(&a, 3, shape, 1, 1, 1, 0, 64, 4) : build_bn(&a, 3, shape, 1, 1, 64, 4);
    if (ln) build_ln(&b, 3, shape, 1, 1, 1, 0, 64, 4);
    else build_bn(&b, 3, shape, 1, 1, 64, 4);
    a.x.training = b.x.training = 1;
    float *dy = oc_alloc(oc_numel(&a, y));
    for (int64_t i = 0; i < oc_numel(&a, y); i++) dy[i] = oc_uniform(&a, -1, 1);
    nr_set_num_threads(1);
    oc_forward(&a, &nr_backend_cpu);
    oc_backward(&a, &nr_backend_cpu, dy);
    nr_set_num_threads(4);
    oc_forward(&b, &nr_backend_cpu);
    oc_backward(&b, &nr_backend_cpu, dy);
    for (int k = 0; k <= y; k++) {
        CHECK(memcmp(a.val[k], b.val[k], (size_t)oc_numel(&a, k) * sizeof(float)) == 0);
        if (a.grad[k] && k < y) CHECK(memcmp(a.grad[k], b.grad[k], (size_t)oc_numel(&a, k) * sizeof(float)) == 0);
    }
    nr_set_num_threads(2);
    free(dy);
    oc_free(&a);
    oc_free(&b);
}

int main(void) {
    bn_grads();
    bn_moving();
    ln_grads();
    const int64_t img[3] = {9, 9, 24}, wide[1] = {300}, seq[2] = {7, 48};
    fast_vs_ref(0, 3, img, 16, 0);
    fast_vs_ref(0, 1, wide, 37, 0);
    fast_vs_ref(1, 2, seq, 5, 0);
    fast_vs_ref(1, 1, wide, 37, 1);
    thread_independent(0);
    thread_independent(1);
    return nr_test_finish();
}
