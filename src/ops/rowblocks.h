/* Sums over the rows of a (rows, C) array in a fixed number of row blocks:
 * each block sums its rows in float (vectorized across C), then the blocks
 * are added in double in block order. The blocks do not depend on the
 * thread count, so neither do the results: a model trains the same with
 * any NEURONA_NUM_THREADS. Used by the normalization kernels. */
#ifndef NR_OPS_ROWBLOCKS_H
#define NR_OPS_ROWBLOCKS_H

#include <stdint.h>

#define NR_ROW_BLOCKS 32

/* Blocks for R rows: one per row when there are fewer rows than blocks. */
static inline int nr_row_blocks(int64_t R) { return R < NR_ROW_BLOCKS ? (int)R : NR_ROW_BLOCKS; }

/* First row of block b of nb (block b ends where block b + 1 starts). */
static inline int64_t nr_block_start(int64_t R, int nb, int b) { return R * b / nb; }

/* out[c] += scale * sum_b part[b C + c], summed in double, a strip of
 * channels at a time so every block's row is read contiguously. */
static inline void nr_block_combine(const float *part, int nb, int64_t C, double scale, float *out) {
    enum { STRIP = 64 };
    for (int64_t c0 = 0; c0 < C; c0 += STRIP) {
        int64_t n = C - c0 < STRIP ? C - c0 : STRIP;
        double acc[STRIP] = {0};
        for (int b = 0; b < nb; b++) {
            const float *p = part + (int64_t)b * C + c0;
            for (int64_t j = 0; j < n; j++) acc[j] += p[j];
        }
        for (int64_t j = 0; j < n; j++) out[c0 + j] += (float)(acc[j] * scale);
    }
}

#endif
