/* Header-only harness for op kernel tests: builds a tiny node array by
 * hand (input nodes, then one op node), runs a backend's kernels on it, and
 * checks gradients by central finite differences.
 *
 *   opcheck c;
 *   oc_init(&c, 7, 1234);                             batch 7, rng seed
 *   int a = oc_input(&c, 1, 1, (int64_t[]){5}, 1);    batched (N, 5), needs grad
 *   int y = oc_op(&c, NR_OP_ACT, (nr_op_attrs){.act = {NR_ACT_TANH, 0}},
 *                 (int[]){a}, 1, 1, 1, (int64_t[]){5});
 *   oc_fill(&c, a, -3, 3);
 *   oc_check_grad(&c, &nr_backend_cpu, OC_TOL_DEFAULT, "tanh");
 *   oc_free(&c);
 *
 * The gradient check probes the scalar L = sum_i y_i r_i with fixed random
 * r, so every output element matters: backward is run with dy = r and the
 * inputs' gradients are compared with (L(v + h) - L(v - h)) / (2h) for each
 * element v of each input that needs a gradient. The forward runs in
 * float32 and L is summed in double; the step actually taken is measured
 * after rounding v +- h to float. It also checks that backward accumulates
 * (a second backward doubles the gradients) and that inputs without a
 * gradient buffer are left alone. Kinks must be avoided by the inputs
 * (oc_avoid moves values away from declared kink points). */
#ifndef NR_OPCHECK_H
#define NR_OPCHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/rng.h"
#include "graph/graph.h"
#include "ops/kernels.h"
#include "testutil.h"

#define OC_MAX_NODES (NR_MAX_IN + 1)

typedef struct oc_tol {
    double h;          /* finite-difference step */
    double atol, rtol; /* |analytic - numeric| <= atol + rtol |numeric| */
} oc_tol;

#define OC_TOL_DEFAULT ((oc_tol){.h = 5e-3, .atol = 2e-4, .rtol = 5e-3})

typedef struct opcheck {
    nr_node nodes[OC_MAX_NODES];
    float *val[OC_MAX_NODES], *grad[OC_MAX_NODES], *work[OC_MAX_NODES];
    int n;             /* nodes added; the op is the last one */
    nr_exec x;
    nr_rng rng;
} opcheck;

static inline void oc_init(opcheck *c, int64_t batch, uint64_t seed) {
    memset(c, 0, sizeof *c);
    c->x.nodes = c->nodes;
    c->x.val = c->val;
    c->x.grad = c->grad;
    c->x.work = c->work;
    c->x.threads = nr_num_threads();
    c->x.batch = batch;
    c->rng.s = seed;
}

static inline int64_t oc_numel(const opcheck *c, int id) { return nr_node_numel(&c->nodes[id], c->x.batch); }

static inline float *oc_alloc(int64_t n) {
    float *p = calloc((size_t)(n > 0 ? n : 1), sizeof(float));
    if (!p) { fprintf(stderr, "opcheck: out of memory\n"); abort(); }
    return p;
}

/* Sets a node's shape: batched nodes get (-1, shape...), ndim = ndim + 1. */
static inline void oc_set_shape(nr_node *nd, int batched, int ndim, const int64_t *shape) {
    nd->batched = batched;
    nd->ndim = ndim + (batched ? 1 : 0);
    int o = 0;
    if (batched) nd->shape[o++] = -1;
    for (int i = 0; i < ndim; i++) nd->shape[o++] = shape[i];
}

/* Adds an input (batched: NR_OP_INPUT, else a NR_OP_PARAM-like weight) with
 * the given shape without the batch dimension. needs_grad: give it a
 * gradient buffer. Returns its id. */
static inline int oc_input(opcheck *c, int batched, int ndim, const int64_t *shape, int needs_grad) {
    NR_ASSERT(c->n < OC_MAX_NODES - 1);
    int id = c->n++;
    nr_node *nd = &c->nodes[id];
    nd->op = batched ? NR_OP_INPUT : NR_OP_PARAM;
    oc_set_shape(nd, batched, ndim, shape);
    nd->needs_grad = needs_grad;
    nd->differentiable = 1;
    c->val[id] = oc_alloc(oc_numel(c, id));
    c->grad[id] = needs_grad ? oc_alloc(oc_numel(c, id)) : NULL;
    return id;
}

/* Adds the op node on inputs in[0..n_in) with the given output shape
 * (without the batch dimension when batched; ndim 0 for a scalar). Its
 * work buffer is sized as nr_backend_cpu says. Returns its id. */
static inline int oc_op(opcheck *c, nr_op_kind op, nr_op_attrs a, const int *in, int n_in, int batched, int ndim,
                        const int64_t *shape) {
    NR_ASSERT(c->n < OC_MAX_NODES && n_in <= NR_MAX_IN);
    int id = c->n++;
    nr_node *nd = &c->nodes[id];
    nd->op = op;
    nd->a = a;
    nd->n_in = n_in;
    for (int k = 0; k < n_in; k++) nd->in[k] = in[k];
    oc_set_shape(nd, batched, ndim, shape);
    nd->needs_grad = 1;
    nd->differentiable = !(op == NR_OP_ACT && a.act.fn == NR_ACT_HEAVISIDE);
    int64_t K = oc_numel(c, id);
    c->val[id] = oc_alloc(K);
    c->grad[id] = oc_alloc(K);
    size_t wf = nr_backend_cpu.work_floats[op] > nr_backend_reference.work_floats[op]
                    ? nr_backend_cpu.work_floats[op] : nr_backend_reference.work_floats[op];
    int64_t extra = nr_backend_cpu.workspace[op] ? nr_backend_cpu.workspace[op](nd, c->nodes, c->x.batch) : 0;
    c->work[id] = wf || extra ? oc_alloc(K * (int64_t)wf + extra) : NULL;
    return id;
}

static inline int oc_op_id(const opcheck *c) { return c->n - 1; }

static inline float oc_uniform(opcheck *c, float lo, float hi) { return lo + (hi - lo) * nr_rng_uniform(&c->rng); }

/* Fills node id's values uniformly in [lo, hi). */
static inline void oc_fill(opcheck *c, int id, float lo, float hi) {
    for (int64_t i = 0; i < oc_numel(c, id); i++) c->val[id][i] = oc_uniform(c, lo, hi);
}

/* Moves every value of node id that lies within margin of a kink point to
 * kink +- margin (the side it was on). */
static inline void oc_avoid(opcheck *c, int id, const float *kinks, int n_kinks, float margin) {
    for (int64_t i = 0; i < oc_numel(c, id); i++)
        for (int k = 0; k < n_kinks; k++) {
            float d = c->val[id][i] - kinks[k];
            if (fabsf(d) < margin) c->val[id][i] = kinks[k] + (d < 0 ? -margin : margin);
        }
}

/* Makes the inputs ids[0..n) differ pairwise by at least margin at every
 * element (for MAX), shifting later inputs upwards. */
static inline void oc_separate(opcheck *c, const int *ids, int n, float margin) {
    for (int64_t i = 0; i < oc_numel(c, ids[0]); i++)
        for (int k = 1; k < n; k++)
            for (int again = 1; again;) {
                again = 0;
                for (int j = 0; j < k; j++)
                    if (fabsf(c->val[ids[k]][i] - c->val[ids[j]][i]) < margin) {
                        c->val[ids[k]][i] += 2 * margin;
                        again = 1;
                    }
            }
}

static inline void oc_forward(opcheck *c, const nr_backend *be) {
    const nr_node *op = &c->nodes[oc_op_id(c)];
    be->forward[op->op](&c->x, op);
}

/* Zeroes the inputs' gradients, sets dy = r, runs backward. */
static inline void oc_backward(opcheck *c, const nr_backend *be, const float *r) {
    int id = oc_op_id(c);
    for (int k = 0; k < id; k++)
        if (c->grad[k]) memset(c->grad[k], 0, (size_t)oc_numel(c, k) * sizeof(float));
    memcpy(c->grad[id], r, (size_t)oc_numel(c, id) * sizeof(float));
    be->backward[c->nodes[id].op](&c->x, &c->nodes[id]);
}

static inline double oc_probe(const opcheck *c, const float *r) {
    int id = oc_op_id(c);
    double L = 0;
    for (int64_t i = 0; i < oc_numel(c, id); i++) L += (double)c->val[id][i] * r[i];
    return L;
}

/* exec.fresh (nr_backend.overwrites): a backward that finds input 0's
 * gradient full of NaN with fresh set must store exactly what it adds to
 * a zeroed one. Checks nothing where be does not overwrite the op. */
static inline void oc_check_fresh(opcheck *c, const nr_backend *be, const char *name) {
    int id = oc_op_id(c), in0 = c->nodes[id].in[0];
    if (!be->overwrites[c->nodes[id].op] || !c->grad[in0]) return;
    int64_t n = oc_numel(c, in0), K = oc_numel(c, id);
    float *r = oc_alloc(K), *want = oc_alloc(n);
    for (int64_t i = 0; i < K; i++) r[i] = oc_uniform(c, -1, 1);
    oc_forward(c, be);
    oc_backward(c, be, r);
    memcpy(want, c->grad[in0], (size_t)n * sizeof(float));
    for (int64_t i = 0; i < n; i++) c->grad[in0][i] = NAN;
    memcpy(c->grad[id], r, (size_t)K * sizeof(float));
    c->x.fresh = 1;
    be->backward[c->nodes[id].op](&c->x, &c->nodes[id]);
    c->x.fresh = 0;
    char what[160];
    snprintf(what, sizeof what, "%s: stored gradient (exec.fresh)", name);
    nr_test_close_arrays(c->grad[in0], want, (size_t)n, 0, 0, what);
    free(r);
    free(want);
}

/* The full gradient check described at the top. Returns 1 if it passed. */
static inline int oc_check_grad(opcheck *c, const nr_backend *be, oc_tol tol, const char *name) {
    int id = oc_op_id(c), ok = 1;
    int64_t K = oc_numel(c, id);
    float *r = oc_alloc(K);
    for (int64_t i = 0; i < K; i++) r[i] = oc_uniform(c, -1, 1) + (nr_rng_uniform(&c->rng) < 0.5f ? -0.5f : 0.5f);
    oc_forward(c, be);
    for (int64_t i = 0; i < K; i++)
        if (!isfinite(c->val[id][i])) {
            fprintf(stderr, "  %s: y[%lld] = %g\n", name, (long long)i, c->val[id][i]);
            ok = 0;
            break;
        }
    ok &= CHECK(ok);
    oc_backward(c, be, r);
    float *analytic[OC_MAX_NODES] = {0};
    char what[160];
    for (int k = 0; k < id; k++)
        if (c->grad[k]) {
            analytic[k] = oc_alloc(oc_numel(c, k));
            memcpy(analytic[k], c->grad[k], (size_t)oc_numel(c, k) * sizeof(float));
        }
    /* += semantics: a second backward on top doubles every gradient. */
    be->backward[c->nodes[id].op](&c->x, &c->nodes[id]);
    for (int k = 0; k < id; k++) {
        if (!c->grad[k]) continue;
        int64_t n = oc_numel(c, k);
        float *twice = oc_alloc(n);
        for (int64_t i = 0; i < n; i++) twice[i] = 2 * analytic[k][i];
        snprintf(what, sizeof what, "%s: input %d accumulates (backend %s)", name, k, be->name);
        ok &= nr_test_close_arrays(c->grad[k], twice, (size_t)n, 1e-7, 1e-6, what);
        free(twice);
    }
    for (int k = 0; k < id; k++) {
        if (!c->grad[k]) continue;
        int64_t n = oc_numel(c, k);
        float *numeric = oc_alloc(n);
        for (int64_t i = 0; i < n; i++) {
            float v = c->val[k][i];
            float vp = (float)(v + tol.h), vm = (float)(v - tol.h);
            c->val[k][i] = vp;
            oc_forward(c, be);
            double Lp = oc_probe(c, r);
            c->val[k][i] = vm;
            oc_forward(c, be);
            double Lm = oc_probe(c, r);
            c->val[k][i] = v;
            numeric[i] = (float)((Lp - Lm) / ((double)vp - vm));
        }
        snprintf(what, sizeof what, "%s: d/d input %d (backend %s)", name, k, be->name);
        ok &= nr_test_close_arrays(analytic[k], numeric, (size_t)n, tol.atol, tol.rtol, what);
        free(numeric);
        free(analytic[k]);
    }
    oc_forward(c, be); /* leave the values of the unperturbed inputs */
    free(r);
    return ok;
}

/* Copies every buffer of a into b (same structure), for running two
 * backends on the same data. */
static inline void oc_copy_values(opcheck *b, const opcheck *a) {
    for (int k = 0; k < a->n; k++) {
        int64_t n = oc_numel(a, k);
        memcpy(b->val[k], a->val[k], (size_t)n * sizeof(float));
        if (a->grad[k]) memcpy(b->grad[k], a->grad[k], (size_t)n * sizeof(float));
    }
}

static inline void oc_free(opcheck *c) {
    for (int k = 0; k < c->n; k++) {
        free(c->val[k]);
        free(c->grad[k]);
        free(c->work[k]);
    }
    memset(c, 0, sizeof *c);
}

#endif
