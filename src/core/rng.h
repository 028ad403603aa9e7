/* Seeded random numbers. splitmix64 both as a sequential generator and as a
 * counter-based hash, so that dropout masks depend only on (seed, step,
 * element) and not on the thread count. */
#ifndef NR_RNG_H
#define NR_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct nr_rng { uint64_t s; } nr_rng;

static inline uint64_t nr_splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static inline uint64_t nr_rng_next(nr_rng *r) {
    r->s += 0x9E3779B97F4A7C15ull;
    uint64_t x = r->s;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Uniform in [0, 1) with 24 random bits (exact in float32). */
static inline float nr_rng_uniform(nr_rng *r) { return (float)(nr_rng_next(r) >> 40) * (1.0f / 16777216.0f); }

/* Uniform in [0, 1) from a counter: hash of (key, i). */
static inline float nr_hash_uniform(uint64_t key, uint64_t i) {
    return (float)(nr_splitmix64(key ^ (i * 0xD1B54A32D192ED03ull)) >> 40) * (1.0f / 16777216.0f);
}

/* Standard normal by Box-Muller (double precision, one value per call). */
static inline double nr_rng_normal(nr_rng *r) {
    double u1 = ((double)(nr_rng_next(r) >> 11) + 1.0) * (1.0 / 9007199254740993.0);
    double u2 = (double)(nr_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Uniform integer in [0, n), n > 0: the top partial block is rejected so
 * every residue is equally likely. */
static inline uint64_t nr_rng_below(nr_rng *r, uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, v;
    do v = nr_rng_next(r); while (v >= limit);
    return v % n;
}

/* Fisher-Yates shuffle of idx[0..n). */
static inline void nr_shuffle(int64_t *idx, int64_t n, nr_rng *r) {
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)nr_rng_below(r, (uint64_t)i + 1), t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

#endif
