/* Standard normal numbers from a counter, for ops that draw noise per
 * element and step (SAMPLING): pair k of a key gives two values by
 * Box-Muller from one 64-bit hash, so a value depends on (key, element)
 * only, never on the thread count or the kernel. */
#ifndef NR_OPS_NORMAL_H
#define NR_OPS_NORMAL_H

#include <math.h>
#include "core/rng.h"

/* u1 = (hi + 1) 2^-32 in (0, 1], u2 = lo 2^-32; r = sqrt(-2 ln u1). In
 * float: libm's float log and sincos cost half the double ones, and u1
 * keeps its smallest value 2^-32 (float rounds only values near 1, where r
 * is near 0). Also GAUSSIAN_NOISE's stream. */
static inline void nr_normal_pair(uint64_t key, uint64_t k, float *z0, float *z1) {
    uint64_t h = nr_splitmix64(key ^ (k * 0xD1B54A32D192ED03ull));
    float u1 = ((float)(h >> 32) + 1.0f) * (1.0f / 4294967296.0f);
    float u2 = (float)(h & 0xFFFFFFFFull) * (1.0f / 4294967296.0f);
    float r = sqrtf(-2.0f * logf(u1)), t = 6.28318531f * u2;
    *z0 = r * cosf(t);
    *z1 = r * sinf(t);
}

/* Element i of the normal stream of key. */
static inline float nr_normal_at(uint64_t key, uint64_t i) {
    float z[2];
    nr_normal_pair(key, i / 2, &z[0], &z[1]);
    return z[i % 2];
}

#endif
