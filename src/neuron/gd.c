/* The general neuron and the single-layer multi-class network: K output
 * neurons y = f(W x + b) trained per example by gradient descent,
 * W <- W - alpha dE/dz x^T, b <- b - alpha dE/dz, where z = W x + b and
 * dE/dz is, with g = y - t:
 *   MSE (E = sum (t - y)^2 / 2): sigmoid g y (1 - y), tanh g (1 - y^2),
 *     linear g, softmax y_k (g_k - sum_j g_j y_j)
 *   BCE with sigmoid, CCE with softmax: y - t.
 * The general neuron is the case K = 1 with the target itself. */
#include <math.h>
#include "neuron/neuron_internal.h"

static const char *learner(nr_neuron_kind kind) {
    return kind == NR_NEURON_GENERAL ? "general neuron" : "multi-class network";
}

static nr_status check_act_cost(nr_neuron_kind kind, const nr_neuron_opts *o, nr_neuron_act *act,
                                nr_neuron_cost *cost) {
    int multi = kind == NR_NEURON_MULTICLASS;
    *act = o->activation ? o->activation : multi ? NR_NEURON_ACT_SOFTMAX : NR_NEURON_ACT_SIGMOID;
    if (*act < 0 || *act >= NR_NEURON_ACT_COUNT_ || *act == (multi ? NR_NEURON_ACT_LINEAR : NR_NEURON_ACT_SOFTMAX))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: activation %d is not available (valid: sigmoid, tanh, %s)",
                        learner(kind), (int)o->activation, multi ? "softmax" : "linear");
    *cost = o->cost ? o->cost : *act == NR_NEURON_ACT_SOFTMAX ? NR_NEURON_COST_CCE : NR_NEURON_COST_MSE;
    if (*cost < 0 || *cost >= NR_NEURON_COST_COUNT_)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: cost %d is out of range (valid: mse, bce, cce)", learner(kind),
                        (int)*cost);
    if (*cost == NR_NEURON_COST_BCE && *act != NR_NEURON_ACT_SIGMOID)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the bce cost needs the sigmoid activation (got %s)",
                        learner(kind), nr_neuron_act_name(*act));
    if (*cost == NR_NEURON_COST_CCE && *act != NR_NEURON_ACT_SOFTMAX)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the cce cost needs the softmax activation (got %s)",
                        learner(kind), nr_neuron_act_name(*act));
    return NR_OK;
}

static nr_status check_general_targets(const double *t, int64_t n, nr_neuron_act act, nr_neuron_cost cost) {
    double lo = act == NR_NEURON_ACT_TANH ? -1 : 0, hi = 1;
    int bounded = act != NR_NEURON_ACT_LINEAR;
    int distinct = 0;
    for (int64_t i = 0; i < n; i++) {
        if (bounded && (t[i] < lo || t[i] > hi))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "general neuron: target %lld is %g, outside the range [%g, %g] "
                            "of %s (%s cost)", (long long)i, t[i], lo, hi, nr_neuron_act_name(act),
                            nr_neuron_cost_name(cost));
        distinct |= t[i] != t[0];
    }
    if (!distinct)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "general neuron: every target is %g; it needs at least two values", t[0]);
    return NR_OK;
}

static nr_status check_classes(const double *t, int64_t n, int n_classes, int *K) {
    double top = 0;
    int distinct = 0;
    for (int64_t i = 0; i < n; i++) {
        if (t[i] < 0 || t[i] != floor(t[i]) || t[i] > 65535)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "multi-class network: target %lld is %g; the targets must be "
                            "class indices 0..K-1", (long long)i, t[i]);
        top = fmax(top, t[i]);
        distinct |= t[i] != t[0];
    }
    *K = n_classes ? n_classes : (int)top + 1;
    if (top >= *K)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "multi-class network: target class %g is not below n_classes %d", top,
                        *K);
    if (!distinct || *K < 2)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "multi-class network: the target has a single class (%g); it needs "
                        "at least two", t[0]);
    return NR_OK;
}

nr_status nr_neuron_check_gd(nr_neuron_kind kind, const nr_neuron_opts *o, const double *t, int64_t n, int *K,
                             nr_neuron_act *act, nr_neuron_cost *cost) {
    NR_TRY(check_act_cost(kind, o, act, cost));
    if (kind == NR_NEURON_GENERAL) return *K = 1, check_general_targets(t, n, *act, *cost);
    if (o->n_classes < 0 || o->n_classes == 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "multi-class network: n_classes %d must be 0 or >= 2", o->n_classes);
    return check_classes(t, n, o->n_classes, K);
}

void nr_neuron_gd_outputs(const nr_neuron *nn, const double *x, double *y) {
    double top = -INFINITY, sum = 0;
    for (int k = 0; k < nn->K; k++) {
        double z = nr_neuron_net(nn, k, x);
        y[k] = nn->act == NR_NEURON_ACT_SIGMOID ? 1 / (1 + exp(-z)) : nn->act == NR_NEURON_ACT_TANH ? tanh(z) : z;
        top = fmax(top, z);
    }
    if (nn->act != NR_NEURON_ACT_SOFTMAX) return;
    for (int k = 0; k < nn->K; k++) sum += y[k] = exp(y[k] - top);
    for (int k = 0; k < nn->K; k++) y[k] /= sum;
}

/* The targets (K) of example i. */
static void targets(const nr_neuron *nn, double ti, double *tk) {
    if (nn->kind == NR_NEURON_GENERAL) {
        tk[0] = ti;
        return;
    }
    for (int k = 0; k < nn->K; k++) tk[k] = k == (int)ti ? 1 : nn->act == NR_NEURON_ACT_TANH ? -1 : 0;
}

/* dE/dz into d (K) from outputs y and targets tk. */
static void delta(const nr_neuron *nn, const double *y, const double *tk, double *d) {
    double gy = 0;
    for (int k = 0; k < nn->K; k++) gy += (y[k] - tk[k]) * y[k];
    for (int k = 0; k < nn->K; k++) {
        double g = y[k] - tk[k];
        if (nn->cost != NR_NEURON_COST_MSE) d[k] = g;
        else if (nn->act == NR_NEURON_ACT_SIGMOID) d[k] = g * y[k] * (1 - y[k]);
        else if (nn->act == NR_NEURON_ACT_TANH) d[k] = g * (1 - y[k] * y[k]);
        else if (nn->act == NR_NEURON_ACT_SOFTMAX) d[k] = y[k] * (g - gy);
        else d[k] = g;
    }
}

static double cost_of(const nr_neuron *nn, const double *y, const double *tk) {
    const double eps = 1e-15;
    double s = 0;
    for (int k = 0; k < nn->K; k++) {
        double p = fmin(fmax(y[k], eps), 1 - eps);
        if (nn->cost == NR_NEURON_COST_MSE) s += (tk[k] - y[k]) * (tk[k] - y[k]);
        else if (nn->cost == NR_NEURON_COST_BCE) s -= tk[k] * log(p) + (1 - tk[k]) * log(1 - p);
        else s -= tk[k] * log(p);
    }
    return s;
}

static double mean_cost(const nr_neuron *nn, const double *x, int64_t n, const double *t, double *y, double *tk) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) {
        nr_neuron_gd_outputs(nn, x + i * nn->F, y);
        targets(nn, t[i], tk);
        s += cost_of(nn, y, tk);
    }
    return s / (double)n;
}

static void step(nr_neuron *nn, const nr_neuron_conf *c, const double *xi, double *y, const double *tk, double *d) {
    nr_neuron_gd_outputs(nn, xi, y);
    delta(nn, y, tk, d);
    for (int k = 0; k < nn->K; k++) {
        double *w = nn->w + (size_t)k * (size_t)nn->F;
        for (int j = 0; j < nn->F; j++) w[j] -= c->alpha * d[k] * xi[j];
        nn->b[k] -= c->alpha * d[k];
    }
}

nr_status nr_neuron_fit_gd(nr_neuron *nn, const nr_neuron_conf *c, const double *x, int64_t n, const double *t) {
    double *buf = nr_malloc(3 * (size_t)nn->K * sizeof *buf);
    if (!buf) return NR_NOMEM();
    double *y = buf, *tk = buf + nn->K, *d = buf + 2 * nn->K;
    double prev = mean_cost(nn, x, n, t, y, tk);
    nr_status s = NR_OK;
    for (int e = 0; e < c->n_iter && !nn->converged && s == NR_OK; e++) {
        for (int64_t i = 0; i < n; i++) {
            targets(nn, t[i], tk);
            step(nn, c, x + i * nn->F, y, tk, d);
            nr_neuron_trace(nn, c, e, i, tk[0] - y[0]);
        }
        double cur = mean_cost(nn, x, n, t, y, tk);
        if (!isfinite(cur))
            s = nr_error(NR_STATUS_NAN, "%s: the cost diverged to %g in epoch %d; lower alpha (%g)", learner(nn->kind),
                         cur, e + 1, c->alpha);
        nn->errors[nn->n_epochs++] = cur;
        nn->converged = fabs(cur - prev) < c->bound;
        prev = cur;
    }
    nr_free(buf);
    return s;
}
