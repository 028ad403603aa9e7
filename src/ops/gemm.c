/* SGEMM for the LINEAR op: C[M,N] += A[M,K] B[K,N] with any strides for A
 * and B, so one kernel serves y = x W, dW = x^T dy and dx = dy W^T.
 *
 * Why our own: for the batch-sized products of MLP training (M = 128,
 * K and N of a few hundred) the OpenBLAS build Debian ships spends its
 * time packing and in a kernel tuned for large matrices; here it reached
 * 11 GFLOP/s per core on 128x256x784 where this kernel reaches about 30.
 *
 * Scheme (Goto/BLIS): B is packed in panels of 16 columns by KC rows,
 * k-major, zero-padded; A is read in place, one broadcast per row and k;
 * a 6x16 micro-kernel keeps C in 12 AVX2 registers. Threads split the
 * 16-column panels, so each packs and owns its own panels: no barrier
 * inside, and C blocks are disjoint. */
#include <string.h>
#include "neurona/status.h"
#include "ops/gemm.h"

#define MR 6
#define NR 16
#define KC 256

int64_t nr_gemm_pack_floats(int64_t N) { return ((N + NR - 1) / NR) * NR * KC; }

/* Panel p of B rows [k0, k0 + kc): dst[k*16 + j] = B(k0 + k, p*16 + j). */
static void pack_b(const float *B, int64_t brs, int64_t bcs, int64_t N, int64_t k0, int64_t kc, int64_t p, float *dst) {
    int64_t j0 = p * NR, n = N - j0 < NR ? N - j0 : NR;
    for (int64_t k = 0; k < kc; k++) {
        const float *row = B + (k0 + k) * brs + j0 * bcs;
        float *d = dst + k * NR;
        if (bcs == 1 && n == NR) {
            memcpy(d, row, NR * sizeof(float));
            continue;
        }
        for (int64_t j = 0; j < n; j++) d[j] = row[j * bcs];
        for (int64_t j = n; j < NR; j++) d[j] = 0;
    }
}

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

/* C[mr x 16] += A[6 rows from a, stride ars] times a packed panel. Rows
 * are addressed from two bases with ars as a scaled index, so the loop
 * needs five general registers and nothing spills. */
static void micro(int64_t kc, const float *a, int64_t ars, int64_t acs, const float *b, float *c, int64_t ldc, int mr,
                  int nr) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const float *p0 = a, *p3 = a + 3 * ars;
    for (int64_t k = 0; k < kc; k++, b += NR, p0 += acs, p3 += acs) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), v;
        v = _mm256_broadcast_ss(p0); c00 = _mm256_fmadd_ps(v, b0, c00); c01 = _mm256_fmadd_ps(v, b1, c01);
        v = _mm256_broadcast_ss(p0 + ars); c10 = _mm256_fmadd_ps(v, b0, c10); c11 = _mm256_fmadd_ps(v, b1, c11);
        v = _mm256_broadcast_ss(p0 + 2 * ars); c20 = _mm256_fmadd_ps(v, b0, c20); c21 = _mm256_fmadd_ps(v, b1, c21);
        v = _mm256_broadcast_ss(p3); c30 = _mm256_fmadd_ps(v, b0, c30); c31 = _mm256_fmadd_ps(v, b1, c31);
        v = _mm256_broadcast_ss(p3 + ars); c40 = _mm256_fmadd_ps(v, b0, c40); c41 = _mm256_fmadd_ps(v, b1, c41);
        v = _mm256_broadcast_ss(p3 + 2 * ars); c50 = _mm256_fmadd_ps(v, b0, c50); c51 = _mm256_fmadd_ps(v, b1, c51);
    }
    __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int i = 0; i < mr; i++) {
        float *r = c + i * ldc;
        if (nr == NR) {
            _mm256_storeu_ps(r, _mm256_add_ps(_mm256_loadu_ps(r), acc[i][0]));
            _mm256_storeu_ps(r + 8, _mm256_add_ps(_mm256_loadu_ps(r + 8), acc[i][1]));
        } else {
            float t[NR] __attribute__((aligned(32)));
            _mm256_store_ps(t, acc[i][0]);
            _mm256_store_ps(t + 8, acc[i][1]);
            for (int j = 0; j < nr; j++) r[j] += t[j];
        }
    }
}
#else
static void micro(int64_t kc, const float *a, int64_t ars, int64_t acs, const float *b, float *c, int64_t ldc, int mr,
                  int nr) {
    float acc[MR][NR] = {{0}};
    for (int64_t k = 0; k < kc; k++, b += NR)
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++) acc[i][j] += a[i * ars + k * acs] * b[j];
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) c[i * ldc + j] += acc[i][j];
}
#endif

/* C[M, nr columns] += A[M, kc] times one packed panel. */
static void rows(int64_t M, int64_t kc, const float *A, int64_t ars, int64_t acs, const float *pack, float *C,
                 int64_t ldc, int nr) {
    for (int64_t i0 = 0; i0 < M; i0 += MR) {
        int mr = (int)(M - i0 < MR ? M - i0 : MR);
        const float *a = A + i0 * ars;
        if (mr == MR) {
            micro(kc, a, ars, acs, pack, C + i0 * ldc, ldc, mr, nr);
            continue;
        }
        /* The last rows: copied into a zero-padded 6-row block (rows
         * kc apart, so only what the tile reads is touched). */
        float edge[MR * KC];
        for (int i = 0; i < mr; i++) {
            if (acs == 1) memcpy(edge + i * kc, a + i * ars, (size_t)kc * sizeof *edge);
            else
                for (int64_t k = 0; k < kc; k++) edge[i * kc + k] = a[i * ars + k * acs];
        }
        memset(edge + mr * kc, 0, (size_t)((MR - mr) * kc) * sizeof *edge);
        micro(kc, edge, kc, 1, pack, C + i0 * ldc, ldc, mr, nr);
    }
}

/* All of C's rows for 16-column panel p, over every K block. */
static void panel(const nr_gemm_args *g, int64_t p, float *pack) {
    int64_t j0 = p * NR;
    int nr = (int)(g->N - j0 < NR ? g->N - j0 : NR);
    for (int64_t k0 = 0; k0 < g->K; k0 += KC) {
        int64_t kc = g->K - k0 < KC ? g->K - k0 : KC;
        pack_b(g->B, g->brs, g->bcs, g->N, k0, kc, p, pack);
        rows(g->M, kc, g->A + k0 * g->acs, g->ars, g->acs, pack, g->C + j0, g->ldc, nr);
    }
}

/* Packed layout: K blocks of KC rows; within block k0, panel p at
 * (k0 np + p kc) 16 floats. */
int64_t nr_gemm_packed_floats(int64_t K, int64_t N) { return ((N + NR - 1) / NR) * NR * K; }

void nr_gemm_pack(const float *B, int64_t brs, int64_t bcs, int64_t K, int64_t N, float *dst) {
    int64_t np = (N + NR - 1) / NR;
    for (int64_t k0 = 0; k0 < K; k0 += KC) {
        int64_t kc = K - k0 < KC ? K - k0 : KC;
        for (int64_t p = 0; p < np; p++) pack_b(B, brs, bcs, N, k0, kc, p, dst + (k0 * np + p * kc) * NR);
    }
}

void nr_gemm_packed(int64_t M, int64_t N, int64_t K, const float *A, int64_t ars, const float *Bp, float *C,
                    int64_t ldc) {
    int64_t np = (N + NR - 1) / NR;
    for (int64_t k0 = 0; k0 < K; k0 += KC) {
        int64_t kc = K - k0 < KC ? K - k0 : KC;
        for (int64_t p = 0; p < np; p++) {
            int nr = (int)(N - p * NR < NR ? N - p * NR : NR);
            rows(M, kc, A + k0, ars, 1, Bp + (k0 * np + p * kc) * NR, C + p * NR, ldc, nr);
        }
    }
}

void nr_gemm(const nr_gemm_args *g, float *pack) {
    int64_t np = (g->N + NR - 1) / NR;
    /* Below ~2 MFLOP a fork costs more than it saves. */
    int parallel = g->M * g->N * g->K >= (1 << 20) && np > 1;
#pragma omp parallel for schedule(static) num_threads((parallel) ? nr_num_threads() : 1)
    for (int64_t p = 0; p < np; p++) panel(g, p, pack + p * NR * KC);
}
