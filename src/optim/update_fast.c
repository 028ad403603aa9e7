/* Fast optimizer step: clipping, weight decay and the update fused into one
 * pass over each variable, with the per-step scalars folded beforehand
 * (Adam's bias corrections into one alpha, Nadam's into two coefficients).
 * A variable of NR_OPTIM_PAR_MIN elements or more is split into chunks
 * updated by an OpenMP parallel loop; each chunk, and each small variable,
 * is one vectorizable loop. Same math as update_ref.c up to rounding; the
 * tests compare the two. */
#include <math.h>
#include <omp.h>
#include "optim_internal.h"

#ifdef __clang__
/* Below -O2 clang does not vectorize and warns at every "omp simd". */
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

/* Everything one kernel call needs. Index i is the same in every buffer:
 * the state slots are parallel to the parameters. */
typedef struct fast_ctx {
    float *w;
    const float *g;
    float *s0, *s1, *s2;        /* state slots (NULL when absent) */
    float gscale;               /* clipnorm / global_clipnorm factor, else 1 */
    float clip;                 /* clipvalue, else +inf */
    float wdlr;                 /* weight_decay * lr, 0 = no decay */
    float lr;
    float k0, k1, k2, k3, k4, k5; /* kind-specific scalars, see each kernel */
} fast_ctx;

typedef void (*fast_kernel)(const fast_ctx *c, size_t lo, size_t hi);

/* Kernels are written once as always-inline bodies with flag arguments and
 * instantiated with constant flags, so each loop is branch-free and
 * vectorizes. Loops that take a square root vectorize only when math
 * functions need not set errno (-fno-math-errno, which defines
 * __NO_MATH_ERRNO__); otherwise they get no "omp simd", since a forced
 * vectorization that fails is a clang warning. */
#define NR_INLINE static inline __attribute__((always_inline))
#ifdef __NO_MATH_ERRNO__
#define NR_SIMD_SQRT _Pragma("omp simd")
#else
#define NR_SIMD_SQRT
#endif

/* The gradient after scaling and clamping (NaN stays NaN). */
NR_INLINE float grad_in(float g, float gscale, float clip) {
    g *= gscale;
    return g > clip ? clip : g < -clip ? -clip : g;
}

/* The weight after decoupled weight decay: w - w * wd * lr. */
NR_INLINE float weight_in(float w, float wdlr) { return wdlr != 0 ? w - w * wdlr : w; }

/* The loop preamble: locals the compiler may keep in registers. */
#define NR_FAST_LOCALS                                                          \
    float *restrict w = c->w;                                                   \
    const float *restrict g = c->g;                                             \
    const float gscale = c->gscale, clip = c->clip, wdlr = c->wdlr, lr = c->lr; \
    (void)lr

/* SGD: w -= lr*g. */
static void sgd_fast(const fast_ctx *c, size_t lo, size_t hi) {
    NR_FAST_LOCALS;
#pragma omp simd
    for (size_t i = lo; i < hi; i++) w[i] = weight_in(w[i], wdlr) - grad_in(g[i], gscale, clip) * lr;
}

/* SGD with momentum, k0 = momentum; s0 = m: m = mu*m - lr*g;
 * nesterov: w += mu*m - lr*g, else w += m. */
NR_INLINE void sgd_momentum_body(const fast_ctx *c, size_t lo, size_t hi, int nesterov) {
    NR_FAST_LOCALS;
    float *restrict m = c->s0;
    const float mu = c->k0;
#pragma omp simd
    for (size_t i = lo; i < hi; i++) {
        float gi = grad_in(g[i], gscale, clip);
        float mi = m[i] * mu - gi * lr;
        m[i] = mi;
        w[i] = weight_in(w[i], wdlr) + (nesterov ? mi * mu - gi * lr : mi);
    }
}
static void sgd_momentum_fast(const fast_ctx *c, size_t lo, size_t hi) { sgd_momentum_body(c, lo, hi, 0); }
static void sgd_nesterov_fast(const fast_ctx *c, size_t lo, size_t hi) { sgd_momentum_body(c, lo, hi, 1); }

/* RMSprop, k0 = rho, k1 = 1 - rho, k2 = epsilon, k3 = momentum;
 * s0 = velocity, s1 = momentum, s2 = average gradient:
 * v = rho*v + (1-rho)*g^2; centered: a = rho*a + (1-rho)*g, den = v - a^2 + eps,
 * else den = v + eps; inc = lr*g/sqrt(den); momentum: s = mu*s + inc, w -= s. */
NR_INLINE void rmsprop_body(const fast_ctx *c, size_t lo, size_t hi, int momentum, int centered) {
    NR_FAST_LOCALS;
    float *restrict vel = c->s0, *restrict mom = c->s1, *restrict avg = c->s2;
    const float rho = c->k0, one_rho = c->k1, eps = c->k2, mu = c->k3;
    NR_SIMD_SQRT
    for (size_t i = lo; i < hi; i++) {
        float gi = grad_in(g[i], gscale, clip);
        float v = rho * vel[i] + one_rho * (gi * gi);
        vel[i] = v;
        float den = v + eps;
        if (centered) {
            float a = rho * avg[i] + one_rho * gi;
            avg[i] = a;
            den = v - a * a + eps;
        }
        float inc = lr * gi / sqrtf(den);
        if (momentum) inc = mom[i] = mu * mom[i] + inc;
        w[i] = weight_in(w[i], wdlr) - inc;
    }
}
static void rmsprop_fast(const fast_ctx *c, size_t lo, size_t hi) { rmsprop_body(c, lo, hi, 0, 0); }
static void rmsprop_m_fast(const fast_ctx *c, size_t lo, size_t hi) { rmsprop_body(c, lo, hi, 1, 0); }
static void rmsprop_c_fast(const fast_ctx *c, size_t lo, size_t hi) { rmsprop_body(c, lo, hi, 0, 1); }
static void rmsprop_mc_fast(const fast_ctx *c, size_t lo, size_t hi) { rmsprop_body(c, lo, hi, 1, 1); }

/* Adam and AdamW, k0 = 1 - beta_1, k1 = 1 - beta_2, k2 = epsilon,
 * k3 = alpha = lr*sqrt(1-b2^t)/(1-b1^t); s0 = m, s1 = v, s2 = v_hat:
 * m += (g-m)*(1-b1); v += (g^2-v)*(1-b2); amsgrad: v_hat = max(v_hat, v);
 * w -= alpha*m / (sqrt(v or v_hat) + eps). */
NR_INLINE void adam_body(const fast_ctx *c, size_t lo, size_t hi, int amsgrad) {
    NR_FAST_LOCALS;
    float *restrict m = c->s0, *restrict v = c->s1, *restrict vh = c->s2;
    const float omb1 = c->k0, omb2 = c->k1, eps = c->k2, alpha = c->k3;
    NR_SIMD_SQRT
    for (size_t i = lo; i < hi; i++) {
        float gi = grad_in(g[i], gscale, clip);
        float mi = m[i] + (gi - m[i]) * omb1;
        float vi = v[i] + (gi * gi - v[i]) * omb2;
        m[i] = mi;
        v[i] = vi;
        if (amsgrad) vi = vh[i] = vh[i] > vi ? vh[i] : vi;
        w[i] = weight_in(w[i], wdlr) - mi * alpha / (sqrtf(vi) + eps);
    }
}
static void adam_fast(const fast_ctx *c, size_t lo, size_t hi) { adam_body(c, lo, hi, 0); }
static void amsgrad_fast(const fast_ctx *c, size_t lo, size_t hi) { adam_body(c, lo, hi, 1); }

/* Adagrad, k0 = epsilon; s0 = accumulator: acc += g^2; w -= lr*g/sqrt(acc+eps). */
static void adagrad_fast(const fast_ctx *c, size_t lo, size_t hi) {
    NR_FAST_LOCALS;
    float *restrict acc = c->s0;
    const float eps = c->k0;
    NR_SIMD_SQRT
    for (size_t i = lo; i < hi; i++) {
        float gi = grad_in(g[i], gscale, clip);
        float a = acc[i] + gi * gi;
        acc[i] = a;
        w[i] = weight_in(w[i], wdlr) - lr * gi / sqrtf(a + eps);
    }
}

/* Adadelta, k0 = rho, k1 = 1 - rho, k2 = epsilon; s0 = accumulated g^2,
 * s1 = accumulated delta^2: ag = rho*ag + (1-rho)*g^2;
 * d = -sqrt(ad+eps)*g/sqrt(ag+eps); ad = rho*ad + (1-rho)*d^2; w += lr*d. */
static void adadelta_fast(const fast_ctx *c, size_t lo, size_t hi) {
    NR_FAST_LOCALS;
    float *restrict ag = c->s0, *restrict ad = c->s1;
    const float rho = c->k0, one_rho = c->k1, eps = c->k2;
    NR_SIMD_SQRT
    for (size_t i = lo; i < hi; i++) {
        float gi = grad_in(g[i], gscale, clip);
        float a = rho * ag[i] + one_rho * (gi * gi);
        float d = -(sqrtf(ad[i] + eps) * gi / sqrtf(a + eps));
        ag[i] = a;
        ad[i] = rho * ad[i] + one_rho * (d * d);
        w[i] = weight_in(w[i], wdlr) + lr * d;
    }
}

/* Nadam, k0 = 1 - beta_1, k1 = 1 - beta_2, k2 = epsilon,
 * k3 = u_{t+1} / (1 - P*u_{t+1}), k4 = (1 - u_t) / (1 - P), k5 = 1 / (1 - beta_2^t);
 * s0 = m, s1 = v: m, v as Adam; w -= lr*(k3*m + k4*g) / (sqrt(v*k5) + eps). */
static void nadam_fast(const fast_ctx *c, size_t lo, size_t hi) {
    NR_FAST_LOCALS;
    float *restrict m = c->s0, *restrict v = c->s1;
    const float omb1 = c->k0, omb2 = c->k1, eps = c->k2, cm = c->k3, cg = c->k4, ibc2 = c->k5;
    NR_SIMD_SQRT
    for (size_t i = lo; i < hi; i++) {
        float gi = grad_in(g[i], gscale, clip);
        float mi = m[i] + (gi - m[i]) * omb1;
        float vi = v[i] + (gi * gi - v[i]) * omb2;
        m[i] = mi;
        v[i] = vi;
        w[i] = weight_in(w[i], wdlr) - (cm * mi + cg * gi) * lr / (sqrtf(vi * ibc2) + eps);
    }
}

/* ---- driver ----------------------------------------------------------- */

/* Runs kernel over [lo, hi): one call for a small range, chunks spread
 * over the thread budget for a large one. */
static void run_range(fast_kernel kernel, const fast_ctx *c, size_t lo, size_t hi) {
    size_t n = hi - lo;
    if (n < NR_OPTIM_PAR_MIN) {
        kernel(c, lo, hi);
        return;
    }
    long n_chunks = (long)((n + NR_OPTIM_CHUNK - 1) / NR_OPTIM_CHUNK);
#pragma omp parallel for schedule(static) num_threads(nr_num_threads())
    for (long k = 0; k < n_chunks; k++) {
        size_t a = lo + (size_t)k * NR_OPTIM_CHUNK;
        size_t b = a + NR_OPTIM_CHUNK < hi ? a + NR_OPTIM_CHUNK : hi;
        kernel(c, a, b);
    }
}

double nr_optim_sumsq_fast(const float *g, size_t n) {
    double s = 0;
    if (n < NR_OPTIM_PAR_MIN) {
#pragma omp simd reduction(+ : s)
        for (size_t i = 0; i < n; i++) s += (double)g[i] * g[i];
        return s;
    }
#pragma omp parallel for simd schedule(static) reduction(+ : s) num_threads(nr_num_threads())
    for (size_t i = 0; i < n; i++) s += (double)g[i] * g[i];
    return s;
}

/* The factor clipnorm / global_clipnorm apply to a variable's gradient
 * (1 when off); NaN when the norm is NaN, as in Keras. */
static float clip_scale(float norm, float c) {
    if (isnan(norm)) return norm;
    return c / (norm > c ? norm : c);
}

void nr_optim_step_fast(nr_optimizer *o, float *w, float *g, float lr) {
    const nr_optimizer_opts *p = &o->opts;
    fast_ctx c = {
        .w = w, .g = g, .s0 = o->slot[0], .s1 = o->slot[1], .s2 = o->slot[2],
        .gscale = 1.0f, .clip = INFINITY, .lr = lr,
    };
    fast_kernel kernel = NULL;
    double t = (double)(o->iterations + 1);
    switch (p->kind) {
    case NR_OPTIMIZER_SGD:
        kernel = p->momentum == 0 ? sgd_fast : p->nesterov ? sgd_nesterov_fast : sgd_momentum_fast;
        c.k0 = p->momentum;
        break;
    case NR_OPTIMIZER_RMSPROP:
        kernel = p->momentum > 0 ? (p->centered ? rmsprop_mc_fast : rmsprop_m_fast)
                                 : (p->centered ? rmsprop_c_fast : rmsprop_fast);
        c.k0 = p->rho;
        c.k1 = 1 - p->rho;
        c.k2 = p->epsilon;
        c.k3 = p->momentum;
        c.s1 = p->momentum > 0 ? o->slot[1] : NULL;
        c.s2 = p->centered ? o->slot[p->momentum > 0 ? 2 : 1] : NULL;
        break;
    case NR_OPTIMIZER_ADAM:
    case NR_OPTIMIZER_ADAMW:
        kernel = p->amsgrad ? amsgrad_fast : adam_fast;
        c.k0 = 1 - p->beta_1;
        c.k1 = 1 - p->beta_2;
        c.k2 = p->epsilon;
        c.k3 = (float)(lr * sqrt(1 - pow(p->beta_2, t)) / (1 - pow(p->beta_1, t)));
        c.s2 = p->amsgrad ? o->slot[2] : NULL;
        break;
    case NR_OPTIMIZER_ADAGRAD:
        kernel = adagrad_fast;
        c.k0 = p->epsilon;
        break;
    case NR_OPTIMIZER_ADADELTA:
        kernel = adadelta_fast;
        c.k0 = p->rho;
        c.k1 = 1 - p->rho;
        c.k2 = p->epsilon;
        break;
    case NR_OPTIMIZER_NADAM: {
        double b1 = p->beta_1;
        double u_t = b1 * (1.0 - 0.5 * pow(0.96, t)), u_t1 = b1 * (1.0 - 0.5 * pow(0.96, t + 1));
        double prod = o->scalars[0]; /* already includes u_t */
        kernel = nadam_fast;
        c.k0 = 1 - p->beta_1;
        c.k1 = 1 - p->beta_2;
        c.k2 = p->epsilon;
        c.k3 = (float)(u_t1 / (1.0 - prod * u_t1));
        c.k4 = (float)((1.0 - u_t) / (1.0 - prod));
        c.k5 = (float)(1.0 / (1.0 - pow(p->beta_2, t)));
        break;
    }
    case NR_OPTIMIZER_DEFAULT:
    case NR_OPTIMIZER_COUNT_:
        NR_ASSERT(!"kind resolved at creation");
    }

    float global_scale = 1.0f;
    if (p->global_clipnorm > 0) {
        double ss = 0;
        for (int v = 0; v < o->n_vars; v++) ss += nr_optim_sumsq_fast(g + o->vars[v].offset, o->vars[v].size);
        float norm = (float)sqrt(ss);
        global_scale = isfinite(norm) ? clip_scale(norm, p->global_clipnorm) : NAN;
    }
    if (p->clipvalue > 0) c.clip = p->clipvalue;
    for (int v = 0; v < o->n_vars; v++) {
        const nr_param_range *r = &o->vars[v];
        c.gscale = global_scale;
        if (p->clipnorm > 0)
            c.gscale = clip_scale((float)sqrt(nr_optim_sumsq_fast(g + r->offset, r->size)), p->clipnorm);
        c.wdlr = r->no_weight_decay ? 0.0f : p->weight_decay * lr;
        run_range(kernel, &c, r->offset, r->offset + r->size);
    }
}
