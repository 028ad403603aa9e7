/* Tensor headers and the few whole-tensor operations the data and model
 * code need (copies, row slices and gathers). */
#include <string.h>
#include "core/core.h"
#include "neurona/tensor.h"

static nr_status check_shape(int ndim, const int64_t *shape, int64_t *numel) {
    if (ndim < 0 || ndim > NR_MAX_DIMS)
        return nr_error(NR_STATUS_BAD_SHAPE, "tensor: %d dimensions, at most %d allowed", ndim, NR_MAX_DIMS);
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return nr_error(NR_STATUS_BAD_SHAPE, "tensor: dimension %d is negative (%lld)", i, (long long)shape[i]);
        if (shape[i] && n > INT64_MAX / 4 / shape[i]) return nr_error(NR_STATUS_BAD_SHAPE, "tensor: too many elements");
        n *= shape[i];
    }
    *numel = n;
    return NR_OK;
}

static nr_status header_new(nr_tensor **out, int ndim, const int64_t *shape) {
    int64_t n = 0;
    NR_TRY(check_shape(ndim, shape, &n));
    nr_tensor *t = nr_calloc(1, sizeof *t);
    if (!t) return NR_NOMEM();
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    *out = t;
    return NR_OK;
}

nr_status nr_tensor_new(nr_tensor **out, int ndim, const int64_t *shape) {
    *out = NULL;
    nr_tensor *t = NULL;
    NR_TRY(header_new(&t, ndim, shape));
    t->data = nr_alloc_floats((size_t)nr_tensor_numel(t));
    if (!t->data) { nr_free(t); return NR_NOMEM(); }
    t->owns_data = 1;
    *out = t;
    return NR_OK;
}

nr_status nr_tensor_wrap(nr_tensor **out, float *data, int ndim, const int64_t *shape) {
    *out = NULL;
    if (!data) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_tensor_wrap: data is NULL");
    nr_tensor *t = NULL;
    NR_TRY(header_new(&t, ndim, shape));
    t->data = data;
    *out = t;
    return NR_OK;
}

nr_status nr_tensor_clone(nr_tensor **out, const nr_tensor *t) {
    NR_TRY(nr_tensor_new(out, t->ndim, t->shape));
    memcpy((*out)->data, t->data, (size_t)nr_tensor_numel(t) * sizeof(float));
    return NR_OK;
}

nr_status nr_tensor_slice_rows(nr_tensor **out, const nr_tensor *t, int64_t begin, int64_t end) {
    *out = NULL;
    if (t->ndim < 1 || begin < 0 || end < begin || end > t->shape[0])
        return nr_error(NR_STATUS_BAD_ARGUMENT, "tensor slice [%lld, %lld) out of range for %lld rows",
                        (long long)begin, (long long)end, t->ndim ? (long long)t->shape[0] : 0LL);
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = end - begin;
    NR_TRY(nr_tensor_new(out, t->ndim, shape));
    int64_t row = nr_tensor_row_size(t);
    memcpy((*out)->data, t->data + begin * row, (size_t)((end - begin) * row) * sizeof(float));
    return NR_OK;
}

nr_status nr_tensor_take_rows(nr_tensor **out, const nr_tensor *t, const int64_t *idx, int64_t n) {
    *out = NULL;
    if (t->ndim < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "tensor take: scalar tensor has no rows");
    for (int64_t i = 0; i < n; i++)
        if (idx[i] < 0 || idx[i] >= t->shape[0])
            return nr_error(NR_STATUS_BAD_ARGUMENT, "tensor take: row %lld out of range [0, %lld)",
                            (long long)idx[i], (long long)t->shape[0]);
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = n;
    NR_TRY(nr_tensor_new(out, t->ndim, shape));
    int64_t row = nr_tensor_row_size(t);
    for (int64_t i = 0; i < n; i++)
        memcpy((*out)->data + i * row, t->data + idx[i] * row, (size_t)row * sizeof(float));
    return NR_OK;
}

nr_status nr_tensor_reshape(nr_tensor *t, int ndim, const int64_t *shape) {
    int64_t n = 0;
    NR_TRY(check_shape(ndim, shape, &n));
    if (n != nr_tensor_numel(t)) {
        char a[96], b[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "cannot reshape %s into %s",
                        nr_shape_str(a, sizeof a, t->ndim, t->shape), nr_shape_str(b, sizeof b, ndim, shape));
    }
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    return NR_OK;
}

void nr_tensor_free(nr_tensor *t) {
    if (!t) return;
    if (t->owns_data) nr_free_floats(t->data);
    nr_free(t);
}

int64_t nr_tensor_numel(const nr_tensor *t) {
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) n *= t->shape[i];
    return n;
}

int64_t nr_tensor_row_size(const nr_tensor *t) {
    int64_t n = 1;
    for (int i = 1; i < t->ndim; i++) n *= t->shape[i];
    return n;
}

char *nr_shape_str(char *buf, size_t size, int ndim, const int64_t *shape) {
    size_t k = 0;
    k += (size_t)snprintf(buf + k, size - k, "(");
    for (int i = 0; i < ndim && k < size; i++) {
        if (shape[i] < 0) k += (size_t)snprintf(buf + k, size - k, "None");
        else k += (size_t)snprintf(buf + k, size - k, "%lld", (long long)shape[i]);
        if ((i < ndim - 1 || ndim == 1) && k < size) k += (size_t)snprintf(buf + k, size - k, ndim == 1 ? "," : ", ");
    }
    if (k < size) snprintf(buf + k, size - k, ")");
    return buf;
}
