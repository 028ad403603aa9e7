/* Fitting a batch to a model input's shape by the reshape rules in
 * include/neurona/data.h; every rule is row-major, so only the shape
 * changes, never the values. */
#include <string.h>
#include "core/core.h"
#include "neurona/data.h"

static int same(int na, const int64_t *a, int nb, const int64_t *b) {
    return na == nb && memcmp(a, b, (size_t)na * sizeof *a) == 0;
}

/* a is b with one more axis of 1 at the end. */
static int plus_channel(int na, const int64_t *a, int nb, const int64_t *b) {
    return na == nb + 1 && a[na - 1] == 1 && same(nb, a, nb, b);
}

static int64_t product(int n, const int64_t *d) {
    int64_t p = 1;
    for (int i = 0; i < n; i++) p *= d[i];
    return p;
}

nr_status nr_batch_reshape(nr_tensor *x, int ndim, const int64_t *shape) {
    if (!x || x->ndim < 1 || ndim < 1 || ndim + 1 > NR_MAX_DIMS || !shape)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_batch_reshape: need a batch x (N, ...) and a shape of 1 to %d axes",
                        NR_MAX_DIMS - 1);
    int nd = x->ndim - 1;
    const int64_t *d = x->shape + 1;
    int64_t row = nr_tensor_row_size(x);
    int fits = same(nd, d, ndim, shape) || plus_channel(nd, d, ndim, shape) || plus_channel(ndim, shape, nd, d) ||
               (ndim == 1 && shape[0] == row) || (nd == 1 && product(ndim, shape) == row);
    int64_t full[NR_MAX_DIMS] = {x->shape[0]};
    memcpy(full + 1, shape, (size_t)ndim * sizeof *shape);
    if (fits) return nr_tensor_reshape(x, ndim + 1, full);
    char a[96], b[96];
    return nr_error(NR_STATUS_BAD_SHAPE, "data of shape %s cannot feed an input of shape %s: the shapes must be equal, "
                    "differ by a last axis of 1, or one of them must be flat with as many values per row",
                    nr_shape_str(a, sizeof a, x->ndim, x->shape), nr_shape_str(b, sizeof b, ndim + 1, full));
}
