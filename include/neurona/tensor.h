/* neurona: dense float32 tensors, up to 5 dimensions, row-major and
 * channels-last (NHWC for images, NTC for sequences, as Keras lays them out).
 *
 * Ownership: a tensor from nr_tensor_new/nr_tensor_clone owns its data and
 * the caller frees it with nr_tensor_free. A tensor from nr_tensor_wrap
 * borrows the caller's buffer: nr_tensor_free frees the header only, and the
 * buffer must outlive the tensor. */
#ifndef NEURONA_TENSOR_H
#define NEURONA_TENSOR_H

#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NR_MAX_DIMS 5

typedef struct nr_tensor {
    int ndim;                    /* 0..NR_MAX_DIMS (0 is a scalar) */
    int64_t shape[NR_MAX_DIMS];  /* shape[0] is the batch dimension for data */
    float *data;                 /* numel floats, row-major */
    int owns_data;               /* 1 if nr_tensor_free frees data */
} nr_tensor;

/* New zero-filled tensor. Caller frees with nr_tensor_free. */
nr_status nr_tensor_new(nr_tensor **out, int ndim, const int64_t *shape);

/* Tensor header over a caller-owned buffer (borrowed, not freed). */
nr_status nr_tensor_wrap(nr_tensor **out, float *data, int ndim, const int64_t *shape);

/* Deep copy. Caller frees with nr_tensor_free. */
nr_status nr_tensor_clone(nr_tensor **out, const nr_tensor *t);

/* Rows [begin, end) along dimension 0, as a new owning tensor. */
nr_status nr_tensor_slice_rows(nr_tensor **out, const nr_tensor *t, int64_t begin, int64_t end);

/* Gathers the rows idx[0..n) along dimension 0 into a new owning tensor. */
nr_status nr_tensor_take_rows(nr_tensor **out, const nr_tensor *t, const int64_t *idx, int64_t n);

/* Changes the shape in place; the element count must not change. */
nr_status nr_tensor_reshape(nr_tensor *t, int ndim, const int64_t *shape);

void nr_tensor_free(nr_tensor *t);   /* NULL is a no-op */

int64_t nr_tensor_numel(const nr_tensor *t);

/* Elements per row (numel / shape[0]); 1 for a scalar or 1-D tensor. */
int64_t nr_tensor_row_size(const nr_tensor *t);

/* Writes "(2, 3, 4)" into buf (always NUL-terminated). Returns buf. */
char *nr_shape_str(char *buf, size_t size, int ndim, const int64_t *shape);

#ifdef __cplusplus
}
#endif
#endif
