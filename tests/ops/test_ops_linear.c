/* LINEAR (the Dense op): finite-difference gradients on both backends,
 * with and without bias, rank-2 and rank-3 inputs, batch 1 (the GEMV path)
 * and 7; and the OpenBLAS kernels against the plain reference on an
 * MLP-sized product. */
#include "ops/opcheck.h"
#include "testutil.h"

static void grad_case(const nr_backend *be, int64_t batch, int rank3, int bias, const char *what) {
    opcheck c;
    oc_init(&c, batch, 99 + (uint64_t)batch);
    int64_t xs[2] = {3, 5}, ws[2] = {5, 4}, bs[1] = {4}, ys[2] = {3, 4};
    int x = rank3 ? oc_input(&c, 1, 2, xs, 1) : oc_input(&c, 1, 1, xs + 1, 1);
    int w = oc_input(&c, 0, 2, ws, 1);
    int b = bias ? oc_input(&c, 0, 1, bs, 1) : -1;
    int in[3] = {x, w, b};
    oc_op(&c, NR_OP_LINEAR, (nr_op_attrs){0}, in, bias ? 3 : 2, 1, rank3 ? 2 : 1, rank3 ? ys : ys + 1);
    oc_fill(&c, x, -1, 1);
    oc_fill(&c, w, -1, 1);
    if (bias) oc_fill(&c, b, -1, 1);
    oc_check_grad(&c, be, OC_TOL_DEFAULT, what);
    oc_free(&c);
}

/* Fast (OpenBLAS) and reference kernels agree forward and backward. */
static void fast_vs_ref(int64_t batch) {
    opcheck f, r;
    int64_t xs[1] = {784}, ws[2] = {784, 256}, bs[1] = {256}, ys[1] = {256};
    opcheck *cs[2] = {&f, &r};
    for (int i = 0; i < 2; i++) {
        oc_init(cs[i], batch, 5);
        int x = oc_input(cs[i], 1, 1, xs, 1), w = oc_input(cs[i], 0, 2, ws, 1), b = oc_input(cs[i], 0, 1, bs, 1);
        int in[3] = {x, w, b};
        oc_op(cs[i], NR_OP_LINEAR, (nr_op_attrs){0}, in, 3, 1, 1, ys);
        oc_fill(cs[i], x, -1, 1);
        oc_fill(cs[i], w, -0.1f, 0.1f);
        oc_fill(cs[i], b, -1, 1);
    }
    oc_forward(&f, &nr_backend_cpu);
    oc_forward(&r, &nr_backend_reference);
    int y = oc_op_id(&f);
    nr_test_close_arrays(f.x.val[y], r.x.val[y], (size_t)oc_numel(&f, y), 1e-5, 1e-4, "linear forward");
    float *dy = oc_alloc(oc_numel(&f, y));
    for (int64_t i = 0; i < oc_numel(&f, y); i++) dy[i] = oc_uniform(&f, -1, 1);
    oc_backward(&f, &nr_backend_cpu, dy);
    oc_backward(&r, &nr_backend_reference, dy);
    for (int k = 0; k < 3; k++)
        nr_test_close_arrays(f.x.grad[k], r.x.grad[k], (size_t)oc_numel(&f, k), 1e-4, 1e-4, "linear backward");
    free(dy);
    oc_free(&f);
    oc_free(&r);
}

int main(void) {
    const nr_backend *bes[2] = {&nr_backend_cpu, &nr_backend_reference};
    for (int i = 0; i < 2; i++)
        for (int64_t batch = 1; batch <= 7; batch += 6)
            for (int rank3 = 0; rank3 < 2; rank3++)
                for (int bias = 0; bias < 2; bias++) grad_case(bes[i], batch, rank3, bias, i ? "linear ref" : "linear cpu");
    fast_vs_ref(1);
    fast_vs_ref(128);
    return nr_test_finish();
}
