/* nr_custom_gradcheck: a user op's backward against central finite
 * differences of its forward. The probe is L = sum_i y_i r_i with a fixed
 * random r, so every output element counts: backward runs with dy = r
 * and each input element's dL/dv is compared with
 * (L(v + h) - L(v - h)) / (2h), the step measured after rounding to
 * float. A second backward must double the gradients (+= semantics). */
#include <math.h>
#include <string.h>
#include "core/rng.h"
#include "graph/graph.h"

typedef struct check {
    const nr_custom_op *op;
    nr_custom_io io;
    float *x[NR_CUSTOM_MAX_IN], *dx[NR_CUSTOM_MAX_IN], *r;
    int64_t nx[NR_CUSTOM_MAX_IN], ny;
} check;

static void check_free(check *c) {
    for (int i = 0; i < NR_CUSTOM_MAX_IN; i++) {
        nr_free(c->x[i]);
        nr_free(c->dx[i]);
    }
    nr_free(c->io.y.data);
    nr_free(c->r);
}

/* Copies the inputs and sizes the output with the op's shape function. */
static nr_status setup(check *c, const nr_tensor *const *x) {
    const nr_custom_op *op = c->op;
    int ndim[NR_CUSTOM_MAX_IN], out_ndim = 0;
    int64_t shape[NR_CUSTOM_MAX_IN][NR_MAX_DIMS] = {{0}}, out_shape[NR_MAX_DIMS] = {0};
    c->io.n_in = op->n_inputs;
    for (int i = 0; i < op->n_inputs; i++) {
        if (!x[i] || x[i]->ndim < 1 || x[i]->shape[0] != x[0]->shape[0])
            return nr_error(NR_STATUS_BAD_SHAPE, "gradcheck of \"%s\": input %d must be batched with as many rows as input 0",
                            op->name, i);
        c->nx[i] = nr_tensor_numel(x[i]);
        c->x[i] = nr_malloc((size_t)(c->nx[i] ? c->nx[i] : 1) * sizeof(float));
        c->dx[i] = nr_calloc((size_t)(c->nx[i] ? c->nx[i] : 1), sizeof(float));
        if (!c->x[i] || !c->dx[i]) return NR_NOMEM();
        memcpy(c->x[i], x[i]->data, (size_t)c->nx[i] * sizeof(float));
        c->io.x[i] = *x[i];
        c->io.x[i].data = c->x[i];
        c->io.x[i].owns_data = 0;
        ndim[i] = x[i]->ndim - 1;
        memcpy(shape[i], x[i]->shape + 1, (size_t)ndim[i] * sizeof(int64_t));
    }
    if (op->shape) {
        if (op->shape(op->n_inputs, ndim, (const int64_t (*)[NR_MAX_DIMS])shape, &out_ndim, out_shape, op->user) != 0 ||
            out_ndim < 0 || out_ndim > NR_MAX_DIMS - 1)
            return nr_error(NR_STATUS_BAD_SHAPE, "gradcheck of \"%s\": the op refused the input shapes", op->name);
    } else {
        out_ndim = ndim[0];
        memcpy(out_shape, shape[0], sizeof out_shape);
    }
    c->io.y.ndim = c->io.dy.ndim = out_ndim + 1;
    c->io.y.shape[0] = c->io.dy.shape[0] = x[0]->shape[0];
    c->ny = x[0]->shape[0];
    for (int d = 0; d < out_ndim; d++) {
        c->io.y.shape[d + 1] = c->io.dy.shape[d + 1] = out_shape[d];
        c->ny *= out_shape[d];
    }
    c->io.y.data = nr_calloc((size_t)(c->ny ? c->ny : 1), sizeof(float));
    c->r = nr_malloc((size_t)(c->ny ? c->ny : 1) * sizeof(float));
    if (!c->io.y.data || !c->r) return NR_NOMEM();
    c->io.dy.data = c->r;
    c->io.training = 1;
    return NR_OK;
}

static double probe(check *c) {
    c->op->forward(&c->io, c->op->user);
    double L = 0;
    for (int64_t i = 0; i < c->ny; i++) L += (double)c->io.y.data[i] * c->r[i];
    return L;
}

static void backward(check *c) {
    c->op->forward(&c->io, c->op->user);
    for (int i = 0; i < c->io.n_in; i++) c->io.dx[i] = c->dx[i];
    c->op->backward(&c->io, c->op->user);
}

static nr_status compare(check *c, const nr_gradcheck_opts *o, double *max_err) {
    for (int i = 0; i < c->io.n_in; i++)
        for (int64_t k = 0; k < c->nx[i]; k++) {
            float v = c->x[i][k], vp = (float)(v + o->h), vm = (float)(v - o->h);
            c->x[i][k] = vp;
            double Lp = probe(c);
            c->x[i][k] = vm;
            double Lm = probe(c);
            c->x[i][k] = v;
            double num = (Lp - Lm) / ((double)vp - vm), ana = c->dx[i][k], err = fabs(ana - num);
            if (err > *max_err || isnan(err)) *max_err = isnan(err) ? INFINITY : err;
            if (!(err <= o->atol + o->rtol * fabs(num)))
                return nr_error(NR_STATUS_BAD_ARGUMENT,
                                "gradcheck of \"%s\": d/d input %d element %lld: backward gives %.6g, finite "
                                "differences %.6g", c->op->name, i, (long long)k, ana, num);
        }
    return NR_OK;
}

/* Gradients must come out doubled from a second backward on top. */
static nr_status accumulates(check *c) {
    for (int i = 0; i < c->io.n_in; i++) {
        float *once = nr_malloc((size_t)(c->nx[i] ? c->nx[i] : 1) * sizeof(float));
        if (!once) return NR_NOMEM();
        memcpy(once, c->dx[i], (size_t)c->nx[i] * sizeof(float));
        for (int j = 0; j < c->io.n_in; j++) c->io.dx[j] = j == i ? c->dx[i] : NULL;
        c->op->backward(&c->io, c->op->user);
        nr_status s = NR_OK;
        for (int64_t k = 0; k < c->nx[i] && s == NR_OK; k++)
            if (!(fabsf(c->dx[i][k] - 2 * once[k]) <= 1e-6f + 1e-5f * fabsf(2 * once[k])))
                s = nr_error(NR_STATUS_BAD_ARGUMENT,
                             "gradcheck of \"%s\": backward must add (+=) to the input gradients; input %d element %lld "
                             "went from %.6g to %.6g on a second call", c->op->name, i, (long long)k, once[k], c->dx[i][k]);
        memcpy(c->dx[i], once, (size_t)c->nx[i] * sizeof(float));
        nr_free(once);
        NR_TRY(s);
    }
    return NR_OK;
}

nr_status nr_custom_gradcheck(const nr_custom_op *op, const nr_tensor *const *x, const nr_gradcheck_opts *o,
                              double *max_err) {
    nr_gradcheck_opts d = {0};
    if (o) d = *o;
    if (d.h <= 0) d.h = 1e-2;
    if (d.atol <= 0) d.atol = 1e-3;
    if (d.rtol <= 0) d.rtol = 1e-2;
    double worst = 0;
    if (max_err) *max_err = 0;
    if (!op || !op->forward || !op->backward || op->n_inputs < 1 || op->n_inputs > NR_CUSTOM_MAX_IN || !x)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "gradcheck: the op needs a forward, a backward and 1 to %d inputs, and x its inputs",
                        NR_CUSTOM_MAX_IN);
    if (!op->name) return nr_error(NR_STATUS_BAD_ARGUMENT, "gradcheck: the op needs a name");
    check c = {.op = op};
    nr_status s = setup(&c, x);
    if (s == NR_OK) {
        nr_rng rng = {d.seed ^ 0x5EEDull};
        for (int64_t i = 0; i < c.ny; i++) c.r[i] = 2 * nr_rng_uniform(&rng) - 1;
        backward(&c);
        s = accumulates(&c);
    }
    if (s == NR_OK) s = compare(&c, &d, &worst);
    if (max_err) *max_err = worst;
    check_free(&c);
    return s;
}
