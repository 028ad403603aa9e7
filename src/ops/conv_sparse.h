/* Backward of a stride-1 convolution from a mostly-zero output gradient.
 * A max pooling sends back at most one nonzero per window and filter, and
 * a ReLU zeroes more: then each nonzero d = dy(p, q, f) adds
 *   d * (the x patch at (p, q))    to filter f's weight gradient, and
 *   d * (filter f's weights)       to the dx patch at (p, q),
 * and the work follows the nonzeros instead of every position. Both
 * images are zero-padded channels-last, as the direct kernels of conv2d.c
 * use them: position (p, q)'s patch starts at (p wp + q) C, and its
 * kernel row i is one run of kw C floats (kw runs of C when dilated). */
#ifndef NR_CONV_SPARSE_H
#define NR_CONV_SPARSE_H

#include <stdint.h>

typedef struct nr_conv_sparse {
    int64_t Ho, Wo, F;                /* dy (Ho, Wo, F) */
    int64_t C, wp;                    /* padded image: channels, width */
    int kh, kw, dh, dw;
} nr_conv_sparse;

/* Floats of one sample's scratch (the nonzeros, by filter and by position). */
int64_t nr_conv_sparse_floats(const nr_conv_sparse *s);

/* One sample. img: the padded x, read when dWt is set; Wt: the weights
 * filter-major, (F, K) with K = kh kw C, read when dimg is set.
 * dWt (F, K), db (F) and dimg (the padded dx) accumulate; each may be
 * NULL. scratch: nr_conv_sparse_floats floats. */
void nr_conv_sparse_sample(const nr_conv_sparse *s, const float *img, const float *dy, const float *Wt, float *dWt,
                           float *db, float *dimg, float *scratch);

#endif
