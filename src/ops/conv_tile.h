/* Register-tiled inner products of the direct ("implicit GEMM")
 * convolution kernels in conv2d.c. Both work on a zero-padded channels-last
 * image, so a kernel tap is a fixed offset and no im2col copy is made.
 *
 * An AVX2+FMA version and a portable one of each; the AVX2 one is chosen at
 * run time when the CPU has it, so one binary runs everywhere. */
#ifndef NR_CONV_TILE_H
#define NR_CONV_TILE_H

#include <stdint.h>

#define NR_TILE_M 6   /* output rows (positions) per forward tile */
#define NR_TILE_N 16  /* output columns (filters) per tile */
#define NR_TILE_M8 12 /* output rows per narrow (8-column) tile */

/* The taps of a kernel over a padded image: tap (i, j) starts at offset
 * i*ti + j*tj from a position's first channel; each tap has C channels. */
typedef struct nr_taps {
    int kh, kw;
    int64_t ti, tj, C;
} nr_taps;

/* out[r*16 + j] = sum_{i,j',c} a[r*as + i*ti + j'*tj + c] * b[((i*kw + j')*C + c)*16 + j]
 * for r < 6, j < 16: six positions of one output row at stride as, against
 * a weight panel packed 16 columns wide, tap-major. */
void nr_conv_tile_fwd(const float *a, int64_t as, const nr_taps *t, const float *b, float *out);

/* The same for r < 12, j < 8, against a panel packed 8 columns wide: all
 * lanes busy for layers of 8 filters, which waste half of a 16-column tile. */
void nr_conv_tile_fwd8(const float *a, int64_t as, const nr_taps *t, const float *b, float *out);

/* acc[r*16 + j] += sum_{p<P} sum_{q<Q} a[p*ap + q*aq + off[r]] * dy[(p*Q + q)*ldy + j]
 * for r < 6, j < nj <= 16: a weight-gradient tile, six (tap, channel)
 * rows of the kernel (at offsets off[r] from a position) against nj
 * filters, summed over an output image. */
void nr_conv_tile_dw(const float *a, int64_t ap, int64_t aq, const int64_t *off, int64_t P, int64_t Q, const float *dy,
                     int64_t ldy, int nj, float *acc);

/* y[r] = sum_{i,j',c} a[r*as + i*ti + j'*tj + c] * w[(i*kw + j')*C + c] for
 * r < 6: six positions against one filter's weights (tap-major, C per
 * tap), vectorized over channels; for layers with very few filters. */
void nr_conv_tile_fwd_dot(const float *a, int64_t as, const nr_taps *t, const float *w, float *y);

/* acc[r*16 + j] += sum_{p<P} sum_{q<Q} dy[(p*Q + q)*ldy] * a[p*ap + q*aq + off[r] + j]
 * for r < 6, j < nj <= 16: the weight-gradient tile of one filter, six taps
 * (offsets off[r]) by sixteen channels; for layers with very few filters. */
void nr_conv_tile_dw_taps(const float *a, int64_t ap, int64_t aq, const int64_t *off, int64_t P, int64_t Q,
                          const float *dy, int64_t ldy, int nj, float *acc);

/* acc[j] += sum_{z<nz} d[z] * base[off[z] + j] for j < len: a sparse
 * combination of rows (conv_sparse.c), with acc held in registers across
 * the rows. */
void nr_conv_rows_axpy(float *acc, int64_t len, const float *base, const int32_t *off, const float *d, int64_t nz);

/* Tests: 1 makes every tile use the portable code even where AVX2 exists. */
void nr_conv_tile_use_portable(int on);

#endif
