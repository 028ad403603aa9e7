/* The micro-kernels of the direct convolution (see conv_tile.h). The AVX2
 * versions keep a 6x16 tile in twelve ymm registers: per step, two loads
 * of 16 columns and six broadcasts feed twelve FMAs. */
#include <string.h>
#include "ops/conv_tile.h"

static void fwd_portable(const float *a, int64_t as, const nr_taps *t, const float *b, float *out) {
    float acc[NR_TILE_M][NR_TILE_N] = {{0}};
    for (int i = 0; i < t->kh; i++)
        for (int j = 0; j < t->kw; j++) {
            const float *p = a + i * t->ti + j * t->tj;
            for (int64_t c = 0; c < t->C; c++, b += NR_TILE_N)
                for (int r = 0; r < NR_TILE_M; r++)
                    for (int k = 0; k < NR_TILE_N; k++) acc[r][k] += p[r * as + c] * b[k];
        }
    memcpy(out, acc, sizeof acc);
}

static void fwd8_portable(const float *a, int64_t as, const nr_taps *t, const float *b, float *out) {
    float acc[NR_TILE_M8][8] = {{0}};
    for (int i = 0; i < t->kh; i++)
        for (int j = 0; j < t->kw; j++) {
            const float *p = a + i * t->ti + j * t->tj;
            for (int64_t c = 0; c < t->C; c++, b += 8)
                for (int r = 0; r < NR_TILE_M8; r++)
                    for (int k = 0; k < 8; k++) acc[r][k] += p[r * as + c] * b[k];
        }
    memcpy(out, acc, sizeof acc);
}

static void dw_portable(const float *a, int64_t ap, int64_t aq, const int64_t *off, int64_t P, int64_t Q,
                        const float *dy, int64_t ldy, int nj, float *acc) {
    for (int64_t p = 0; p < P; p++)
        for (int64_t q = 0; q < Q; q++) {
            const float *x = a + p * ap + q * aq, *d = dy + (p * Q + q) * ldy;
            for (int r = 0; r < NR_TILE_M; r++)
                for (int k = 0; k < nj; k++) acc[r * NR_TILE_N + k] += x[off[r]] * d[k];
        }
}

static void dot_portable(const float *a, int64_t as, const nr_taps *t, const float *w, float *y) {
    float acc[NR_TILE_M] = {0};
    for (int i = 0; i < t->kh; i++)
        for (int j = 0; j < t->kw; j++) {
            const float *p = a + i * t->ti + j * t->tj;
            for (int64_t c = 0; c < t->C; c++, w++)
                for (int r = 0; r < NR_TILE_M; r++) acc[r] += p[r * as + c] * *w;
        }
    memcpy(y, acc, sizeof acc);
}

static void dw_taps_portable(const float *a, int64_t ap, int64_t aq, const int64_t *off, int64_t P, int64_t Q,
                             const float *dy, int64_t ldy, int nj, float *acc) {
    for (int64_t p = 0; p < P; p++)
        for (int64_t q = 0; q < Q; q++) {
            const float *x = a + p * ap + q * aq;
            float d = dy[(p * Q + q) * ldy];
            for (int r = 0; r < NR_TILE_M; r++)
                for (int k = 0; k < nj; k++) acc[r * NR_TILE_N + k] += d * x[off[r] + k];
        }
}

static void axpy_portable(float *acc, int64_t len, const float *base, const int32_t *off, const float *d, int64_t nz) {
    for (int64_t z = 0; z < nz; z++) {
        const float *b = base + off[z];
        for (int64_t j = 0; j < len; j++) acc[j] += d[z] * b[j];
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static void fwd_avx2(const float *a, int64_t as, const nr_taps *t, const float *b, float *out) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int i = 0; i < t->kh; i++)
        for (int j = 0; j < t->kw; j++) {
            const float *p0 = a + i * t->ti + j * t->tj, *p3 = p0 + 3 * as;
            for (int64_t c = 0; c < t->C; c++, b += NR_TILE_N, p0++, p3++) {
                __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), v;
                v = _mm256_broadcast_ss(p0); c00 = _mm256_fmadd_ps(v, b0, c00); c01 = _mm256_fmadd_ps(v, b1, c01);
                v = _mm256_broadcast_ss(p0 + as); c10 = _mm256_fmadd_ps(v, b0, c10); c11 = _mm256_fmadd_ps(v, b1, c11);
                v = _mm256_broadcast_ss(p0 + 2 * as); c20 = _mm256_fmadd_ps(v, b0, c20); c21 = _mm256_fmadd_ps(v, b1, c21);
                v = _mm256_broadcast_ss(p3); c30 = _mm256_fmadd_ps(v, b0, c30); c31 = _mm256_fmadd_ps(v, b1, c31);
                v = _mm256_broadcast_ss(p3 + as); c40 = _mm256_fmadd_ps(v, b0, c40); c41 = _mm256_fmadd_ps(v, b1, c41);
                v = _mm256_broadcast_ss(p3 + 2 * as); c50 = _mm256_fmadd_ps(v, b0, c50); c51 = _mm256_fmadd_ps(v, b1, c51);
            }
        }
    __m256 acc[NR_TILE_M][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int r = 0; r < NR_TILE_M; r++) {
        _mm256_storeu_ps(out + r * NR_TILE_N, acc[r][0]);
        _mm256_storeu_ps(out + r * NR_TILE_N + 8, acc[r][1]);
    }
}

/* Twelve positions by eight filters: one load of the panel and twelve
 * broadcasts feed twelve FMAs per step. */
AVX2 static void fwd8_avx2(const float *a, int64_t as, const nr_taps *t, const float *b, float *out) {
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    __m256 c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
    for (int i = 0; i < t->kh; i++)
        for (int j = 0; j < t->kw; j++) {
            const float *p0 = a + i * t->ti + j * t->tj, *p4 = p0 + 4 * as, *p8 = p0 + 8 * as;
            for (int64_t c = 0; c < t->C; c++, b += 8, p0++, p4++, p8++) {
                __m256 w = _mm256_loadu_ps(b);
                c0 = _mm256_fmadd_ps(_mm256_broadcast_ss(p0), w, c0);
                c1 = _mm256_fmadd_ps(_mm256_broadcast_ss(p0 + as), w, c1);
                c2 = _mm256_fmadd_ps(_mm256_broadcast_ss(p0 + 2 * as), w, c2);
                c3 = _mm256_fmadd_ps(_mm256_broadcast_ss(p0 + 3 * as), w, c3);
                c4 = _mm256_fmadd_ps(_mm256_broadcast_ss(p4), w, c4);
                c5 = _mm256_fmadd_ps(_mm256_broadcast_ss(p4 + as), w, c5);
                c6 = _mm256_fmadd_ps(_mm256_broadcast_ss(p4 + 2 * as), w, c6);
                c7 = _mm256_fmadd_ps(_mm256_broadcast_ss(p4 + 3 * as), w, c7);
                c8 = _mm256_fmadd_ps(_mm256_broadcast_ss(p8), w, c8);
                c9 = _mm256_fmadd_ps(_mm256_broadcast_ss(p8 + as), w, c9);
                c10 = _mm256_fmadd_ps(_mm256_broadcast_ss(p8 + 2 * as), w, c10);
                c11 = _mm256_fmadd_ps(_mm256_broadcast_ss(p8 + 3 * as), w, c11);
            }
        }
    __m256 acc[NR_TILE_M8] = {c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11};
    for (int r = 0; r < NR_TILE_M8; r++) _mm256_storeu_ps(out + r * 8, acc[r]);
}

/* Lanes j < n of a 16-float row, the rest zero (no read past column n). */
AVX2 static void load_cols(const float *d, int n, __m256i m0, __m256i m1, __m256 *d0, __m256 *d1) {
    if (n == NR_TILE_N) {
        *d0 = _mm256_loadu_ps(d);
        *d1 = _mm256_loadu_ps(d + 8);
    } else {
        *d0 = _mm256_maskload_ps(d, m0);
        *d1 = _mm256_maskload_ps(d + 8, m1);
    }
}

/* Twelve named accumulators: an array of __m256 indexed in a loop is kept
 * in memory by gcc and stored back every step. */
#define ACC_LOAD(p)                                                                          \
    __m256 c00 = _mm256_loadu_ps((p)), c01 = _mm256_loadu_ps((p) + 8), c10 = _mm256_loadu_ps((p) + 16), \
           c11 = _mm256_loadu_ps((p) + 24), c20 = _mm256_loadu_ps((p) + 32), c21 = _mm256_loadu_ps((p) + 40), \
           c30 = _mm256_loadu_ps((p) + 48), c31 = _mm256_loadu_ps((p) + 56), c40 = _mm256_loadu_ps((p) + 64), \
           c41 = _mm256_loadu_ps((p) + 72), c50 = _mm256_loadu_ps((p) + 80), c51 = _mm256_loadu_ps((p) + 88)
#define ACC_STORE(p)                                                                                        \
    do {                                                                                                    \
        _mm256_storeu_ps((p), c00), _mm256_storeu_ps((p) + 8, c01), _mm256_storeu_ps((p) + 16, c10);       \
        _mm256_storeu_ps((p) + 24, c11), _mm256_storeu_ps((p) + 32, c20), _mm256_storeu_ps((p) + 40, c21); \
        _mm256_storeu_ps((p) + 48, c30), _mm256_storeu_ps((p) + 56, c31), _mm256_storeu_ps((p) + 64, c40); \
        _mm256_storeu_ps((p) + 72, c41), _mm256_storeu_ps((p) + 80, c50), _mm256_storeu_ps((p) + 88, c51); \
    } while (0)
/* Row r of the tile += v (broadcast) times the 16 columns d0, d1. */
#define ACC_ROW(r, v) (c##r##0 = _mm256_fmadd_ps((v), d0, c##r##0), c##r##1 = _mm256_fmadd_ps((v), d1, c##r##1))

AVX2 static void dw_avx2(const float *a, int64_t ap, int64_t aq, const int64_t *off, int64_t P, int64_t Q,
                         const float *dy, int64_t ldy, int nj, float *acc) {
    ACC_LOAD(acc);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nj), lane);
    __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nj - 8), lane);
    const int64_t o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5];
    for (int64_t p = 0; p < P; p++) {
        const float *x = a + p * ap, *d = dy + p * Q * ldy;
        for (int64_t q = 0; q < Q; q++, x += aq, d += ldy) {
            __m256 d0, d1;
            load_cols(d, nj, m0, m1, &d0, &d1);
            ACC_ROW(0, _mm256_broadcast_ss(x + o0));
            ACC_ROW(1, _mm256_broadcast_ss(x + o1));
            ACC_ROW(2, _mm256_broadcast_ss(x + o2));
            ACC_ROW(3, _mm256_broadcast_ss(x + o3));
            ACC_ROW(4, _mm256_broadcast_ss(x + o4));
            ACC_ROW(5, _mm256_broadcast_ss(x + o5));
        }
    }
    ACC_STORE(acc);
}

/* Lanes j < n of 8 as a load mask. */
AVX2 static __m256i lanes_below(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < 8 ? n : 8)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

AVX2 static float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

/* acc += x[r*as + 0..7] * w for r < 6; full selects plain loads over masked ones. */
#define DOT_ROW(acc, r) (acc = _mm256_fmadd_ps(full ? _mm256_loadu_ps(x + (r) * as) : _mm256_maskload_ps(x + (r) * as, tail), wv, acc))

AVX2 static void dot_avx2(const float *a, int64_t as, const nr_taps *t, const float *w, float *y) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    int64_t whole = t->C / 8 * 8;
    __m256i tail = lanes_below(t->C - whole);
    for (int i = 0; i < t->kh; i++)
        for (int j = 0; j < t->kw; j++, w += t->C) {
            const float *p = a + i * t->ti + j * t->tj;
            for (int64_t c = 0; c < t->C; c += 8) {
                int full = c < whole;
                const float *x = p + c;
                __m256 wv = full ? _mm256_loadu_ps(w + c) : _mm256_maskload_ps(w + c, tail);
                DOT_ROW(a0, 0), DOT_ROW(a1, 1), DOT_ROW(a2, 2), DOT_ROW(a3, 3), DOT_ROW(a4, 4), DOT_ROW(a5, 5);
            }
        }
    y[0] = hsum(a0), y[1] = hsum(a1), y[2] = hsum(a2), y[3] = hsum(a3), y[4] = hsum(a4), y[5] = hsum(a5);
}

AVX2 static void dw_taps_avx2(const float *a, int64_t ap, int64_t aq, const int64_t *off, int64_t P, int64_t Q,
                              const float *dy, int64_t ldy, int nj, float *acc) {
    ACC_LOAD(acc);
    __m256i m0 = lanes_below(nj), m1 = lanes_below(nj - 8);
    for (int64_t p = 0; p < P; p++) {
        const float *x = a + p * ap, *d = dy + p * Q * ldy;
        for (int64_t q = 0; q < Q; q++, x += aq, d += ldy) {
            __m256 v = _mm256_broadcast_ss(d), d0, d1;
            load_cols(x + off[0], nj, m0, m1, &d0, &d1);
            ACC_ROW(0, v);
            load_cols(x + off[1], nj, m0, m1, &d0, &d1);
            ACC_ROW(1, v);
            load_cols(x + off[2], nj, m0, m1, &d0, &d1);
            ACC_ROW(2, v);
            load_cols(x + off[3], nj, m0, m1, &d0, &d1);
            ACC_ROW(3, v);
            load_cols(x + off[4], nj, m0, m1, &d0, &d1);
            ACC_ROW(4, v);
            load_cols(x + off[5], nj, m0, m1, &d0, &d1);
            ACC_ROW(5, v);
        }
    }
    ACC_STORE(acc);
}

/* The FMA latency needs about eight independent sums in flight: 32
 * columns keep two per column block, alternating over the rows. */
AVX2 static void axpy_32(float *acc, const float *base, const int32_t *off, const float *d, int64_t nz) {
    __m256 a0 = _mm256_loadu_ps(acc), a1 = _mm256_loadu_ps(acc + 8), a2 = _mm256_loadu_ps(acc + 16),
           a3 = _mm256_loadu_ps(acc + 24), e0 = _mm256_setzero_ps(), e1 = e0, e2 = e0, e3 = e0;
    int64_t z = 0;
    for (; z + 2 <= nz; z += 2) {
        const float *b = base + off[z], *c = base + off[z + 1];
        __m256 v = _mm256_broadcast_ss(d + z), u = _mm256_broadcast_ss(d + z + 1);
        a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b), a0), a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 8), a1);
        a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 16), a2), a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 24), a3);
        e0 = _mm256_fmadd_ps(u, _mm256_loadu_ps(c), e0), e1 = _mm256_fmadd_ps(u, _mm256_loadu_ps(c + 8), e1);
        e2 = _mm256_fmadd_ps(u, _mm256_loadu_ps(c + 16), e2), e3 = _mm256_fmadd_ps(u, _mm256_loadu_ps(c + 24), e3);
    }
    if (z < nz) {
        const float *b = base + off[z];
        __m256 v = _mm256_broadcast_ss(d + z);
        a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b), a0), a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 8), a1);
        a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 16), a2), a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 24), a3);
    }
    _mm256_storeu_ps(acc, _mm256_add_ps(a0, e0)), _mm256_storeu_ps(acc + 8, _mm256_add_ps(a1, e1));
    _mm256_storeu_ps(acc + 16, _mm256_add_ps(a2, e2)), _mm256_storeu_ps(acc + 24, _mm256_add_ps(a3, e3));
}

/* 8 columns, four sums over alternating rows. */
AVX2 static void axpy_8(float *acc, const float *base, const int32_t *off, const float *d, int64_t nz) {
    __m256 a0 = _mm256_loadu_ps(acc), a1 = _mm256_setzero_ps(), a2 = a1, a3 = a1;
    int64_t z = 0;
    for (; z + 4 <= nz; z += 4) {
        a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + z), _mm256_loadu_ps(base + off[z]), a0);
        a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + z + 1), _mm256_loadu_ps(base + off[z + 1]), a1);
        a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + z + 2), _mm256_loadu_ps(base + off[z + 2]), a2);
        a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + z + 3), _mm256_loadu_ps(base + off[z + 3]), a3);
    }
    for (; z < nz; z++) a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + z), _mm256_loadu_ps(base + off[z]), a0);
    _mm256_storeu_ps(acc, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
}

/* Fewer than 8 columns (n): masked loads, which are slow on some CPUs,
 * only here. */
AVX2 static void axpy_tail(float *acc, const float *base, const int32_t *off, const float *d, int64_t nz, int64_t n) {
    __m256i m = lanes_below(n);
    __m256 a = _mm256_maskload_ps(acc, m);
    for (int64_t z = 0; z < nz; z++) a = _mm256_fmadd_ps(_mm256_broadcast_ss(d + z), _mm256_maskload_ps(base + off[z], m), a);
    _mm256_maskstore_ps(acc, m, a);
}

/* Eight accumulators (64 columns) keep the FMA pipes busy through their
 * latency; the rest goes 32, then 8 (or fewer, masked) columns at a time. */
AVX2 static void axpy_avx2(float *acc, int64_t len, const float *base, const int32_t *off, const float *d, int64_t nz) {
    int64_t j = 0;
    for (; j + 64 <= len; j += 64) {
        __m256 a0 = _mm256_loadu_ps(acc + j), a1 = _mm256_loadu_ps(acc + j + 8), a2 = _mm256_loadu_ps(acc + j + 16),
               a3 = _mm256_loadu_ps(acc + j + 24), a4 = _mm256_loadu_ps(acc + j + 32), a5 = _mm256_loadu_ps(acc + j + 40),
               a6 = _mm256_loadu_ps(acc + j + 48), a7 = _mm256_loadu_ps(acc + j + 56);
        for (int64_t z = 0; z < nz; z++) {
            const float *b = base + off[z] + j;
            __m256 v = _mm256_broadcast_ss(d + z);
            a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b), a0), a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 8), a1);
            a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 16), a2), a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 24), a3);
            a4 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 32), a4), a5 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 40), a5);
            a6 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 48), a6), a7 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b + 56), a7);
        }
        _mm256_storeu_ps(acc + j, a0), _mm256_storeu_ps(acc + j + 8, a1), _mm256_storeu_ps(acc + j + 16, a2);
        _mm256_storeu_ps(acc + j + 24, a3), _mm256_storeu_ps(acc + j + 32, a4), _mm256_storeu_ps(acc + j + 40, a5);
        _mm256_storeu_ps(acc + j + 48, a6), _mm256_storeu_ps(acc + j + 56, a7);
    }
    if (j + 32 <= len) {
        axpy_32(acc + j, base + j, off, d, nz);
        j += 32;
    }
    for (; j + 8 <= len; j += 8) axpy_8(acc + j, base + j, off, d, nz);
    if (j < len) axpy_tail(acc + j, base + j, off, d, nz, len - j);
}

static int portable_only;

static int have_avx2(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return known && !portable_only;
}

void nr_conv_tile_use_portable(int on) { portable_only = on; }
#else
static int have_avx2(void) { return 0; }
void nr_conv_tile_use_portable(int on) { (void)on; }
#define fwd_avx2 fwd_portable
#define fwd8_avx2 fwd8_portable
#define dw_avx2 dw_portable
#define dot_avx2 dot_portable
#define dw_taps_avx2 dw_taps_portable
#define axpy_avx2 axpy_portable
#endif

void nr_conv_tile_fwd(const float *a, int64_t as, const nr_taps *t, const float *b, float *out) {
    (have_avx2() ? fwd_avx2 : fwd_portable)(a, as, t, b, out);
}

void nr_conv_tile_fwd8(const float *a, int64_t as, const nr_taps *t, const float *b, float *out) {
    (have_avx2() ? fwd8_avx2 : fwd8_portable)(a, as, t, b, out);
}

void nr_conv_tile_dw(const float *a, int64_t ap, int64_t aq, const int64_t *off, int64_t P, int64_t Q, const float *dy,
                     int64_t ldy, int nj, float *acc) {
    (have_avx2() ? dw_avx2 : dw_portable)(a, ap, aq, off, P, Q, dy, ldy, nj, acc);
}

void nr_conv_tile_fwd_dot(const float *a, int64_t as, const nr_taps *t, const float *w, float *y) {
    (have_avx2() ? dot_avx2 : dot_portable)(a, as, t, w, y);
}

void nr_conv_tile_dw_taps(const float *a, int64_t ap, int64_t aq, const int64_t *off, int64_t P, int64_t Q,
                          const float *dy, int64_t ldy, int nj, float *acc) {
    (have_avx2() ? dw_taps_avx2 : dw_taps_portable)(a, ap, aq, off, P, Q, dy, ldy, nj, acc);
}

void nr_conv_rows_axpy(float *acc, int64_t len, const float *base, const int32_t *off, const float *d, int64_t nz) {
    if (nz > 0) (have_avx2() ? axpy_avx2 : axpy_portable)(acc, len, base, off, d, nz);
}
