#include <string.h>
#include "testutil.h"

int main(void) {
    nr_tensor *t, *s;
    int64_t shape[2] = {4, 3};
    CHECK_OK(nr_tensor_new(&t, 2, shape));
    for (int i = 0; i < 12; i++) t->data[i] = (float)i;
    CHECK(nr_tensor_numel(t) == 12 && nr_tensor_row_size(t) == 3);
    CHECK_OK(nr_tensor_slice_rows(&s, t, 1, 3));
    CHECK(s->shape[0] == 2 && s->data[0] == 3 && s->data[5] == 8);
    nr_tensor_free(s);
    int64_t idx[3] = {3, 0, 3};
    CHECK_OK(nr_tensor_take_rows(&s, t, idx, 3));
    CHECK(s->data[0] == 9 && s->data[3] == 0 && s->data[8] == 11);
    nr_tensor_free(s);
    CHECK_STATUS(nr_tensor_slice_rows(&s, t, 2, 5), NR_STATUS_BAD_ARGUMENT);
    int64_t bad[2] = {5, 3};
    CHECK_STATUS(nr_tensor_reshape(t, 2, bad), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "(4, 3)") != NULL);
    char buf[64];
    int64_t one[1] = {7}, none[2] = {-1, 10};
    CHECK(strcmp(nr_shape_str(buf, sizeof buf, 1, one), "(7,)") == 0);
    CHECK(strcmp(nr_shape_str(buf, sizeof buf, 2, none), "(None, 10)") == 0);
    nr_tensor_free(t);
    return nr_test_finish();
}
