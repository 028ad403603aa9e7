/* The learners' common part: names, options, the object, fit's checks and
 * dispatch, prediction and the accessors. */
#include <math.h>
#include <string.h>
#include "core/rng.h"
#include "neuron/neuron_internal.h"

static const char *const kind_names[] = {"mp", "perceptron", "adaline", "general", "multiclass"};
static const char *const act_names[] = {"default", "sigmoid", "tanh", "linear", "softmax"};
static const char *const cost_names[] = {"default", "mse", "bce", "cce"};

const char *nr_neuron_kind_name(nr_neuron_kind k) {
    return k >= 0 && k < NR_NEURON_KIND_COUNT_ ? kind_names[k] : NULL;
}
const char *nr_neuron_act_name(nr_neuron_act a) { return a >= 0 && a < NR_NEURON_ACT_COUNT_ ? act_names[a] : NULL; }
const char *nr_neuron_cost_name(nr_neuron_cost c) {
    return c >= 0 && c < NR_NEURON_COST_COUNT_ ? cost_names[c] : NULL;
}

static nr_status parse_name(const char *name, const char *const *names, int n, int first, const char *what,
                            int *out) {
    for (int i = first; name && i < n; i++)
        if (strcmp(name, names[i]) == 0) return *out = i, NR_OK;
    char valid[128] = "";
    for (int i = first; i < n; i++) {
        strcat(valid, names[i]);
        if (i + 1 < n) strcat(valid, ", ");
    }
    return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron: unknown %s '%s' (valid: %s)", what, name ? name : "(null)", valid);
}

nr_status nr_neuron_kind_parse(const char *name, nr_neuron_kind *out) {
    int v = 0;
    NR_TRY(parse_name(name, kind_names, NR_NEURON_KIND_COUNT_, 0, "kind", &v));
    return *out = (nr_neuron_kind)v, NR_OK;
}
nr_status nr_neuron_act_parse(const char *name, nr_neuron_act *out) {
    int v = 0;
    NR_TRY(parse_name(name, act_names, NR_NEURON_ACT_COUNT_, 1, "activation", &v));
    return *out = (nr_neuron_act)v, NR_OK;
}
nr_status nr_neuron_cost_parse(const char *name, nr_neuron_cost *out) {
    int v = 0;
    NR_TRY(parse_name(name, cost_names, NR_NEURON_COST_COUNT_, 1, "cost", &v));
    return *out = (nr_neuron_cost)v, NR_OK;
}

void nr_neuron_free(nr_neuron *nn) {
    if (!nn) return;
    nr_free(nn->w);
    nr_free(nn->b);
    nr_free(nn->errors);
    nr_free(nn);
}

nr_neuron *nr_neuron_alloc(nr_neuron_kind kind, int F, int K, const nr_neuron_conf *c) {
    nr_neuron *nn = nr_calloc(1, sizeof *nn);
    if (!nn) return NR_NOMEM(), NULL;
    nn->kind = kind;
    nn->F = F;
    nn->K = K;
    nn->w = nr_calloc((size_t)F * (size_t)K, sizeof *nn->w);
    nn->b = nr_calloc((size_t)K, sizeof *nn->b);
    nn->errors = nr_calloc(c ? (size_t)c->n_iter : 1, sizeof *nn->errors);
    if (!nn->w || !nn->b || !nn->errors) return nr_neuron_free(nn), NR_NOMEM(), NULL;
    if (!c) return nn;
    if (c->o->init_weights) {
        memcpy(nn->w, c->o->init_weights, (size_t)F * (size_t)K * sizeof *nn->w);
        memcpy(nn->b, c->o->init_bias, (size_t)K * sizeof *nn->b);
        return nn;
    }
    nr_rng r = {c->o->random_state};
    for (int64_t i = 0; i < (int64_t)F * K; i++) nn->w[i] = (double)(nr_rng_next(&r) >> 11) * 0x1p-53 - 0.5;
    return nn;
}

double nr_neuron_net(const nr_neuron *nn, int k, const double *x) {
    const double *w = nn->w + (size_t)k * (size_t)nn->F;
    double z = nn->b[k];
    for (int j = 0; j < nn->F; j++) z += w[j] * x[j];
    return z;
}

void nr_neuron_trace(const nr_neuron *nn, const nr_neuron_conf *c, int epoch, int64_t i, double err) {
    if (!c->o->trace) return;
    nr_neuron_update u = {.epoch = epoch, .example = i, .error = err, .weights = nn->w, .bias = nn->b,
                          .n_inputs = nn->F, .n_outputs = nn->K};
    c->o->trace(&u, c->o->trace_user);
}

nr_status nr_neuron_check_binary(const double *t, int64_t n, const char *what) {
    int64_t ones = 0;
    for (int64_t i = 0; i < n; i++) {
        if (t[i] != 0 && t[i] != 1)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: target %lld is %g; the targets must be 0 or 1", what,
                            (long long)i, t[i]);
        ones += t[i] == 1;
    }
    if (ones == 0 || ones == n)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the target has a single class (%g); it needs both 0 and 1",
                        what, t[0]);
    return NR_OK;
}

static nr_status check_fit_args(nr_neuron_kind kind, const double *x, int64_t n, int F, const double *t,
                                const nr_neuron_opts *o, nr_neuron_conf *c) {
    if (kind <= NR_NEURON_MP || kind >= NR_NEURON_KIND_COUNT_)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron fit: kind %d cannot learn (valid: perceptron, adaline, "
                        "general, multiclass; a McCulloch-Pitts neuron is built with nr_neuron_mp_new)", (int)kind);
    if (!x || !t || n < 1 || F < 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron fit: needs x (N, F) and t (N) with N >= 1, F >= 1 "
                        "(got N %lld, F %d)", (long long)n, F);
    c->o = o;
    c->alpha = o->alpha != 0 ? o->alpha : 0.1;
    c->n_iter = o->n_iter != 0 ? o->n_iter : 100;
    c->bound = o->bound != 0 ? o->bound : 1e-9;
    if (!(c->alpha > 0) || !isfinite(c->alpha) || c->n_iter < 1 || !(c->bound > 0))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron fit: alpha %g, n_iter %d and bound %g must be positive",
                        o->alpha, o->n_iter, o->bound);
    if (!o->init_weights != !o->init_bias)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron fit: init_weights and init_bias go together");
    for (int64_t i = 0; i < n * F; i++)
        if (!isfinite(x[i]))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron fit: x[%lld][%lld] is not finite", (long long)(i / F),
                            (long long)(i % F));
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(t[i])) return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron fit: t[%lld] is not finite", (long long)i);
    return NR_OK;
}

nr_status nr_neuron_fit(nr_neuron_kind kind, const double *x, int64_t n, int F, const double *t,
                        const nr_neuron_opts *opts, nr_neuron **out) {
    static const nr_neuron_opts none;
    nr_neuron_conf c;
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron fit: out is NULL");
    *out = NULL;
    NR_TRY(check_fit_args(kind, x, n, F, t, opts ? opts : &none, &c));
    int K = 1;
    nr_neuron_act act = 0;
    nr_neuron_cost cost = 0;
    if (kind == NR_NEURON_PERCEPTRON) NR_TRY(nr_neuron_check_binary(t, n, "Perceptron"));
    if (kind >= NR_NEURON_GENERAL) NR_TRY(nr_neuron_check_gd(kind, c.o, t, n, &K, &act, &cost));
    nr_neuron *nn = nr_neuron_alloc(kind, F, K, &c);
    if (!nn) return NR_NOMEM();
    nn->act = act;
    nn->cost = cost;
    nr_status s = kind == NR_NEURON_PERCEPTRON ? nr_neuron_fit_perceptron(nn, &c, x, n, t)
                  : kind == NR_NEURON_ADALINE  ? nr_neuron_fit_adaline(nn, &c, x, n, t)
                                               : nr_neuron_fit_gd(nn, &c, x, n, t);
    if (s != NR_OK) return nr_neuron_free(nn), s;
    *out = nn;
    return NR_OK;
}

static nr_status check_predict(const nr_neuron *nn, const double *x, int64_t n, const double *y) {
    if (!nn || !x || !y || n < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron predict: needs a neuron, x (N, F), room for the outputs "
                        "and N >= 0 (got N %lld)", (long long)n);
    for (int64_t i = 0; nn->kind == NR_NEURON_MP && i < n * nn->F; i++)
        if (x[i] != 0 && x[i] != 1)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "McCulloch-Pitts: input x[%lld][%lld] is %g; the inputs must "
                            "be binary (0 or 1)", (long long)(i / nn->F), (long long)(i % nn->F), x[i]);
    return NR_OK;
}

nr_status nr_neuron_predict_outputs(const nr_neuron *nn, const double *x, int64_t n, double *out) {
    NR_TRY(check_predict(nn, x, n, out));
    for (int64_t i = 0; i < n; i++) {
        const double *xi = x + i * nn->F;
        double *yi = out + i * nn->K;
        switch (nn->kind) {
        case NR_NEURON_MP:
        case NR_NEURON_PERCEPTRON: *yi = nr_neuron_net(nn, 0, xi) >= 0 ? 1 : 0; break;
        case NR_NEURON_ADALINE: *yi = nr_neuron_net(nn, 0, xi); break;
        default: nr_neuron_gd_outputs(nn, xi, yi);
        }
    }
    return NR_OK;
}

nr_status nr_neuron_predict(const nr_neuron *nn, const double *x, int64_t n, double *y) {
    if (!nn || nn->K == 1) return nr_neuron_predict_outputs(nn, x, n, y);
    NR_TRY(check_predict(nn, x, n, y));
    double *out = nr_malloc((size_t)nn->K * sizeof *out);
    if (!out) return NR_NOMEM();
    for (int64_t i = 0; i < n; i++) {
        nr_neuron_gd_outputs(nn, x + i * nn->F, out);
        int best = 0;
        for (int k = 1; k < nn->K; k++)
            if (out[k] > out[best]) best = k;
        y[i] = best;
    }
    nr_free(out);
    return NR_OK;
}

nr_neuron_kind nr_neuron_get_kind(const nr_neuron *nn) { return nn->kind; }
int nr_neuron_n_inputs(const nr_neuron *nn) { return nn->F; }
int nr_neuron_n_outputs(const nr_neuron *nn) { return nn->K; }
const double *nr_neuron_weights(const nr_neuron *nn) { return nn->w; }
const double *nr_neuron_bias(const nr_neuron *nn) { return nn->b; }
nr_neuron_act nr_neuron_activation(const nr_neuron *nn) { return nn->act; }
nr_neuron_cost nr_neuron_cost_used(const nr_neuron *nn) { return nn->cost; }
int nr_neuron_n_epochs(const nr_neuron *nn) { return nn->n_epochs; }
const double *nr_neuron_errors(const nr_neuron *nn) { return nn->errors; }
int nr_neuron_converged(const nr_neuron *nn) { return nn->converged; }
