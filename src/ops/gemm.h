/* The GEMM kernel behind LINEAR (see gemm.c for why and how). */
#ifndef NR_GEMM_H
#define NR_GEMM_H

#include <stdint.h>

/* C[M,N] += A[M,K] B[K,N] with A(i,k) = A[i*ars + k*acs],
 * B(k,j) = B[k*brs + j*bcs], C(i,j) = C[i*ldc + j]. */
typedef struct nr_gemm_args {
    int64_t M, N, K;
    const float *A;
    int64_t ars, acs;
    const float *B;
    int64_t brs, bcs;
    float *C;
    int64_t ldc;
} nr_gemm_args;

/* Floats of packing space nr_gemm needs for N columns. */
int64_t nr_gemm_pack_floats(int64_t N);

/* pack: nr_gemm_pack_floats(N) floats of scratch. */
void nr_gemm(const nr_gemm_args *g, float *pack);

/* B packed once and reused by many products (an RNN's recurrent kernel,
 * at every time step): floats of the packed copy of a K x N matrix. */
int64_t nr_gemm_packed_floats(int64_t K, int64_t N);
/* dst = B (K x N, B(k,j) = B[k*brs + j*bcs]) packed for nr_gemm_packed. */
void nr_gemm_pack(const float *B, int64_t brs, int64_t bcs, int64_t K, int64_t N, float *dst);
/* C[M,N] += A[M,K] B with B packed by nr_gemm_pack, A(i,k) = A[i*ars + k],
 * on the calling thread (for use inside a parallel region). */
void nr_gemm_packed(int64_t M, int64_t N, int64_t K, const float *A, int64_t ars, const float *Bp, float *C,
                    int64_t ldc);

#endif
