/* Class indices -> one-hot rows, as keras.utils.to_categorical. */
#include <math.h>
#include "core/core.h"
#include "neurona/data.h"

#define MAX_CLASSES (1 << 24)   /* float32 holds every integer below this */

static nr_status bad_label(int64_t i, float v, const char *why) {
    return nr_error(NR_STATUS_BAD_ARGUMENT, "to_categorical: y[%lld] = %g %s", (long long)i, (double)v, why);
}

/* Checks every label and finds the largest. */
static nr_status scan_labels(const float *y, int64_t n, int num_classes, int64_t *max) {
    *max = -1;
    for (int64_t i = 0; i < n; i++) {
        float v = y[i];
        if (!(v >= 0)) return bad_label(i, v, "is not a class index (negative or NaN)");
        if (v != floorf(v)) return bad_label(i, v, "is not an integer class index");
        if (v >= (num_classes ? (float)num_classes : (float)MAX_CLASSES))
            return num_classes ? nr_error(NR_STATUS_BAD_ARGUMENT, "to_categorical: y[%lld] = %g is out of range for %d classes",
                                          (long long)i, (double)v, num_classes)
                               : bad_label(i, v, "is too large a class index");
        if ((int64_t)v > *max) *max = (int64_t)v;
    }
    return NR_OK;
}

nr_status nr_to_categorical(const nr_tensor *y, int num_classes, nr_tensor **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "to_categorical: out is NULL");
    *out = NULL;
    if (!y || !(y->ndim == 1 || (y->ndim == 2 && y->shape[1] == 1))) {
        char buf[96] = "NULL";
        if (y) nr_shape_str(buf, sizeof buf, y->ndim, y->shape);
        return nr_error(NR_STATUS_BAD_SHAPE, "to_categorical: y must have shape (N,) or (N, 1), not %s", buf);
    }
    if (num_classes < 0 || num_classes > MAX_CLASSES)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "to_categorical: num_classes %d is not in [0, %d]", num_classes,
                        MAX_CLASSES);
    int64_t n = y->shape[0], max = -1;
    NR_TRY(scan_labels(y->data, n, num_classes, &max));
    int64_t k = num_classes ? num_classes : max + 1;
    if (k < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "to_categorical: no labels, so no classes");
    NR_TRY(nr_tensor_new(out, 2, (int64_t[]){n, k}));
    for (int64_t i = 0; i < n; i++) (*out)->data[i * k + (int64_t)y->data[i]] = 1.0f;
    return NR_OK;
}
