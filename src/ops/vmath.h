/* Helpers private to the CPU op kernels: the OpenMP size threshold, node
 * geometry, and an expf that the compiler vectorizes (libm's expf is a
 * scalar call: a loop over it stays scalar without -ffast-math). */
#ifndef NR_OPS_VMATH_H
#define NR_OPS_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>
#include "graph/graph.h"

/* Sanitizer checks stop clang from vectorizing the loops marked `omp simd`,
 * and it warns about each one (-Wpass-failed), which would break the
 * -Werror sanitizer build. Expected there, so silenced there only. */
#if defined(__clang__) && defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#pragma clang diagnostic ignored "-Wpass-failed"
#endif
#endif

/* Loops over fewer elements than this run on one thread: below it the
 * fork/join of an OpenMP region costs more than it saves. Regions choose
 * with num_threads(cond ? nr_num_threads() : 1), never with an if()
 * clause: libgomp's if(false) path cost ~40 us per region on these
 * machines, against ~2 us for a one-thread team. */
#define NR_PAR_MIN ((int64_t)1 << 15)

/* Id of node n in the exec's node array. */
#define NR_ID(x, n) ((int)((n) - (x)->nodes))

/* Size of dimension i of node n at the exec's batch size. */
static inline int64_t nr_node_dim(const nr_node *n, int i, int64_t batch) {
    return (i == 0 && n->batched) ? batch : n->shape[i];
}

/* Size of the last axis, 1 for a batched vector (N,) or a scalar. */
static inline int64_t nr_node_last(const nr_node *n) {
    return n->ndim > (n->batched ? 1 : 0) ? n->shape[n->ndim - 1] : 1;
}

static inline float nr_bits_float(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
static inline uint32_t nr_float_bits(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }

/* e^x, within 2 ulp of expf over [-87.3, 88.3]; inputs outside are clamped
 * (so e^-inf gives 1.2e-38, not 0); NaN stays NaN. Cephes' reduction
 * x = n ln2 + r with a degree-6 polynomial; 2^n is built in the exponent
 * bits with the 1.5*2^23 rounding trick, so there is no float->int
 * conversion and every step vectorizes. */
static inline float nr_fast_expf(float x) {
    x = x > 88.3f ? 88.3f : x;
    x = x < -87.3f ? -87.3f : x;
    const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    float t = x * 1.44269504088896341f + magic;
    float n = t - magic;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * z + r + 1.0f;
    uint32_t e = (nr_float_bits(t) - nr_float_bits(magic) + 127u) << 23;
    return p * nr_bits_float(e);
}

/* 1 / (1 + e^-x): for x -> -inf e^-x saturates and the quotient is tiny. */
static inline float nr_fast_sigmoidf(float x) { return 1.0f / (1.0f + nr_fast_expf(-x)); }

/* tanh: an odd polynomial (Cephes tanhf) below |x| = 0.625, where
 * 1 - 2/(e^2x + 1) would cancel, and that formula above it. */
static inline float nr_fast_tanhf(float x) {
    float a = fabsf(x);
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = p * z * x + x;
    float big = 1.0f - 2.0f / (nr_fast_expf(2.0f * a) + 1.0f);
    big = x < 0 ? -big : big;
    return a < 0.625f ? small : big;
}

/* ln x for normal x > 0, within ~2 ulp of logf (Cephes logf): x = m 2^e
 * with m in [sqrt(1/2), sqrt(2)), a degree-9 polynomial in m - 1. Bit
 * operations and selects only, so loops over it vectorize. */
static inline float nr_fast_logf(float x) {
    uint32_t u = nr_float_bits(x);
    float e = (float)((int32_t)(u >> 23) - 127);
    float m = nr_bits_float((u & 0x007fffffu) | 0x3f800000u); /* [1, 2) */
    int big = m > 1.41421356f;
    m = big ? 0.5f * m : m;
    e = big ? e + 1.0f : e;
    float f = m - 1.0f, z = f * f;
    float y = 7.0376836292e-2f;
    y = y * f - 1.1514610310e-1f;
    y = y * f + 1.1676998740e-1f;
    y = y * f - 1.2420140846e-1f;
    y = y * f + 1.4249322787e-1f;
    y = y * f - 1.6668057665e-1f;
    y = y * f + 2.0000714765e-1f;
    y = y * f - 2.4999993993e-1f;
    y = y * f + 3.3333331174e-1f;
    y = y * f * z;
    y += -2.12194440e-4f * e;
    y += -0.5f * z;
    return f + y + 0.693359375f * e;
}

/* ln(1 + u) for u in [0, 1] (the softplus term log1p(e^-|z|)): ln w of
 * w = 1 + u, corrected by the rounding of w, so small u keep their bits. */
static inline float nr_fast_log1pf_unit(float u) {
    float w = 1.0f + u;
    return nr_fast_logf(w) + (u - (w - 1.0f)) / w;
}

#endif
