/* ACT: y = f(x) elementwise, for every nr_activation but softmax (a
 * SOFTMAX node). Also the activation names of layers.h.
 *
 * attrs.act.alpha is used literally: the layers resolve Keras's defaults
 * before adding the node (leaky_relu 0.2 as an activation but 0.3 as the
 * LeakyReLU layer, elu 1.0). For gelu, alpha = 1 selects the tanh
 * approximation (Keras approximate=True), anything else the exact erf form.
 *
 * The scalar nr_act_value/nr_act_grad define the math and are what the
 * reference kernels run. The fast kernels specialise linear, relu, relu6,
 * leaky_relu, sigmoid, tanh and swish with vectorizable loops and fall
 * back to the scalar definitions for the rest. */
/* GCC 12 will not if-convert a select that feeds float arithmetic (clamps,
 * leaky slopes) while FP exceptions are considered observable, so those
 * loops stay scalar; this changes no result, only allows vectorizing. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

#define SELU_ALPHA 1.67326324f
#define SELU_SCALE 1.05070098f
#define SQRT_2_OVER_PI 0.7978845608028654f
#define GELU_C 0.044715f

/* --- names ------------------------------------------------------------- */

static const char *const act_names[NR_ACT_COUNT_] = {
    [NR_ACT_LINEAR] = "linear",           [NR_ACT_SIGMOID] = "sigmoid",
    [NR_ACT_HARD_SIGMOID] = "hard_sigmoid", [NR_ACT_TANH] = "tanh",
    [NR_ACT_RELU] = "relu",               [NR_ACT_RELU6] = "relu6",
    [NR_ACT_LEAKY_RELU] = "leaky_relu",   [NR_ACT_ELU] = "elu",
    [NR_ACT_SELU] = "selu",               [NR_ACT_GELU] = "gelu",
    [NR_ACT_SWISH] = "silu",              [NR_ACT_SOFTPLUS] = "softplus",
    [NR_ACT_SOFTSIGN] = "softsign",       [NR_ACT_EXPONENTIAL] = "exponential",
    [NR_ACT_SOFTMAX] = "softmax",         [NR_ACT_HEAVISIDE] = "heaviside",
};

/* Keras 3 serializes swish as "silu" (the function's name; "swish" is an
 * alias), so that is the name written back. NULL and "None" mean linear. */
nr_status nr_activation_parse(const char *name, nr_activation *out) {
    if (!name || !strcmp(name, "None") || !strcmp(name, "none")) { *out = NR_ACT_LINEAR; return NR_OK; }
    if (!strcmp(name, "swish")) { *out = NR_ACT_SWISH; return NR_OK; }
    for (int a = 0; a < NR_ACT_COUNT_; a++)
        if (!strcmp(name, act_names[a])) { *out = (nr_activation)a; return NR_OK; }
    return nr_error(NR_STATUS_BAD_ARGUMENT,
                    "unknown activation \"%s\" (valid: linear, sigmoid, hard_sigmoid, tanh, relu, relu6, "
                    "leaky_relu, elu, selu, gelu, silu/swish, softplus, softsign, exponential, softmax, "
                    "heaviside)", name);
}

const char *nr_activation_name(nr_activation a) {
    return (unsigned)a < NR_ACT_COUNT_ ? act_names[a] : "unknown";
}

/* --- scalar definitions ---------------------------------------------------- */

static float sigmoid1(float x) {
    if (x >= 0) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

float nr_act_value(nr_activation fn, float alpha, float x) {
    switch (fn) {
    case NR_ACT_LINEAR: return x;
    case NR_ACT_SIGMOID: return sigmoid1(x);
    case NR_ACT_HARD_SIGMOID: return fminf(fmaxf(x + 3.0f, 0.0f), 6.0f) / 6.0f; /* relu6(x + 3) / 6 */
    case NR_ACT_TANH: return tanhf(x);
    case NR_ACT_RELU: return x < 0 ? 0.0f : x;
    case NR_ACT_RELU6: return x < 0 ? 0.0f : x > 6 ? 6.0f : x;
    case NR_ACT_LEAKY_RELU: return x < 0 ? alpha * x : x;
    case NR_ACT_ELU: return x > 0 ? x : alpha * expm1f(x);
    case NR_ACT_SELU: return x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * expm1f(x);
    case NR_ACT_GELU:
        if (alpha == 1.0f) /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
            return 0.5f * x * (1.0f + tanhf(SQRT_2_OVER_PI * (x + GELU_C * x * x * x)));
        return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); /* x Phi(x) */
    case NR_ACT_SWISH: return x * sigmoid1(x);
    case NR_ACT_SOFTPLUS: return log1pf(expf(-fabsf(x))) + fmaxf(x, 0.0f); /* log(1 + e^x), stable */
    case NR_ACT_SOFTSIGN: return x / (1.0f + fabsf(x));
    case NR_ACT_EXPONENTIAL: return expf(x);
    case NR_ACT_HEAVISIDE: return x >= 0 ? 1.0f : 0.0f;
    case NR_ACT_SOFTMAX: /* a SOFTMAX node, never an ACT node */
    default: NR_ASSERT(!"nr_act_value: not an elementwise activation");
    }
    return 0;
}

/* Derivatives at the kinks follow TensorFlow: relu'(0) = 0, leaky'(0) = alpha,
 * relu6' and hard_sigmoid' are 0 at the ends of their linear pieces. */
float nr_act_grad(nr_activation fn, float alpha, float x, float y) {
    switch (fn) {
    case NR_ACT_LINEAR: return 1.0f;
    case NR_ACT_SIGMOID: return y * (1.0f - y);
    case NR_ACT_HARD_SIGMOID: return (x > -3.0f && x < 3.0f) ? 1.0f / 6.0f : 0.0f;
    case NR_ACT_TANH: return 1.0f - y * y;
    case NR_ACT_RELU: return x > 0 ? 1.0f : 0.0f;
    case NR_ACT_RELU6: return (x > 0 && x < 6) ? 1.0f : 0.0f;
    case NR_ACT_LEAKY_RELU: return x > 0 ? 1.0f : alpha;
    case NR_ACT_ELU: return x > 0 ? 1.0f : y + alpha;              /* alpha e^x */
    case NR_ACT_SELU: return x > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
    case NR_ACT_GELU:
        if (alpha == 1.0f) {
            float t = tanhf(SQRT_2_OVER_PI * (x + GELU_C * x * x * x));
            return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_C * x * x);
        }
        /* Phi(x) + x phi(x) */
        return 0.5f * (1.0f + erff(x * 0.70710678118654752f)) + x * expf(-0.5f * x * x) * 0.3989422804014327f;
    case NR_ACT_SWISH: {
        float s = sigmoid1(x);
        return s * (1.0f + x * (1.0f - s));
    }
    case NR_ACT_SOFTPLUS: return sigmoid1(x);
    case NR_ACT_SOFTSIGN: {
        float d = 1.0f + fabsf(x);
        return 1.0f / (d * d);
    }
    case NR_ACT_EXPONENTIAL: return y;
    case NR_ACT_HEAVISIDE: return 0.0f; /* never used: the graph marks it non-differentiable */
    case NR_ACT_SOFTMAX:
    default: NR_ASSERT(!"nr_act_grad: not an elementwise activation");
    }
    return 0;
}

/* --- kernels ------------------------------------------------------------- */

/* x: any shape, numel K; y: same shape. */
void nr_ref_act_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) y[i] = nr_act_value(n->a.act.fn, n->a.act.alpha, in[i]);
}

/* dx[K] += dy[K] f'(x). Heaviside: no-op (forward-only op, never called). */
void nr_ref_act_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    if (!dx || n->a.act.fn == NR_ACT_HEAVISIDE) return;
    int64_t K = nr_node_numel(n, x->batch);
    const float *in = x->val[n->in[0]], *y = x->val[NR_ID(x, n)], *dy = x->grad[NR_ID(x, n)];
    for (int64_t i = 0; i < K; i++) dx[i] += dy[i] * nr_act_grad(n->a.act.fn, n->a.act.alpha, in[i], y[i]);
}

void nr_cpu_act_forward(const nr_exec *x, const nr_node *n) {
    int64_t K = nr_node_numel(n, x->batch);
    const float *in = x->val[n->in[0]];
    float *y = x->val[NR_ID(x, n)];
    const nr_activation fn = n->a.act.fn;
    const float alpha = n->a.act.alpha;
    switch (fn) {
    case NR_ACT_LINEAR:
        if (y != in) memcpy(y, in, (size_t)K * sizeof *y);
        break;
    case NR_ACT_RELU:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) y[i] = in[i] < 0 ? 0.0f : in[i];
        break;
    case NR_ACT_RELU6:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) y[i] = in[i] < 0 ? 0.0f : in[i] > 6 ? 6.0f : in[i];
        break;
    case NR_ACT_LEAKY_RELU:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) y[i] = in[i] < 0 ? alpha * in[i] : in[i];
        break;
    case NR_ACT_SIGMOID:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN / 8) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) y[i] = nr_fast_sigmoidf(in[i]);
        break;
    case NR_ACT_TANH:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN / 8) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) y[i] = nr_fast_tanhf(in[i]);
        break;
    case NR_ACT_SWISH:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN / 8) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) y[i] = in[i] * nr_fast_sigmoidf(in[i]);
        break;
    default:
#pragma omp parallel for num_threads((K > NR_PAR_MIN / 8) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) y[i] = nr_act_value(fn, alpha, in[i]);
        break;
    }
}

void nr_cpu_act_backward(const nr_exec *x, const nr_node *n) {
    float *dx = x->grad[n->in[0]];
    const nr_activation fn = n->a.act.fn;
    if (!dx || fn == NR_ACT_HEAVISIDE) return;
    int64_t K = nr_node_numel(n, x->batch);
    const float *in = x->val[n->in[0]], *y = x->val[NR_ID(x, n)], *dy = x->grad[NR_ID(x, n)];
    const float alpha = n->a.act.alpha;
    switch (fn) {
    case NR_ACT_LINEAR:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += dy[i];
        break;
    case NR_ACT_RELU:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += in[i] > 0 ? dy[i] : 0.0f;
        break;
    case NR_ACT_RELU6:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += (in[i] > 0 && in[i] < 6) ? dy[i] : 0.0f;
        break;
    case NR_ACT_LEAKY_RELU:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += in[i] > 0 ? dy[i] : alpha * dy[i];
        break;
    case NR_ACT_SIGMOID:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += dy[i] * y[i] * (1.0f - y[i]);
        break;
    case NR_ACT_TANH:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += dy[i] * (1.0f - y[i] * y[i]);
        break;
    case NR_ACT_SWISH:
#pragma omp parallel for simd num_threads((K > NR_PAR_MIN / 8) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) {
            float s = nr_fast_sigmoidf(in[i]);
            dx[i] += dy[i] * s * (1.0f + in[i] * (1.0f - s));
        }
        break;
    default:
#pragma omp parallel for num_threads((K > NR_PAR_MIN / 8) ? nr_num_threads() : 1)
        for (int64_t i = 0; i < K; i++) dx[i] += dy[i] * nr_act_grad(fn, alpha, in[i], y[i]);
        break;
    }
}
