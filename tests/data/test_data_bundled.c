/* The datasets shipped in data/ load as documented in data/README.md. */
#include "data/data_test.h"

static void test_digits(void) {
    nr_csv *csv = NULL;
    if (!CHECK_OK(nr_csv_read(nr_test_path("data/digits.csv.gz"), NULL, &csv))) return;
    CHECK(!nr_csv_has_header(csv) && nr_csv_num_rows(csv) == 1797 && nr_csv_num_cols(csv) == 65);
    nr_tensor *x = NULL, *y = NULL;
    nr_labels *lab = NULL;
    if (CHECK_OK(nr_csv_to_xy(csv, "-1", &(nr_csv_xy_opts){.classification = 1}, &x, &y, &lab))) {
        CHECK(x->shape[0] == 1797 && x->shape[1] == 64 && y->ndim == 1 && y->shape[0] == 1797);
        CHECK(nr_labels_count(lab) == 10 && strcmp(nr_labels_name(lab, 9), "9") == 0);
        int count[10] = {0}, ok = 1;
        for (int i = 0; i < 1797; i++) {
            float v = y->data[i];
            ok &= v >= 0 && v <= 9 && v == (int)v;
            if (ok) count[(int)v]++;
        }
        for (int64_t i = 0; i < nr_tensor_numel(x); i++) ok &= x->data[i] >= 0 && x->data[i] <= 16;
        CHECK(ok && count[0] == 178 && count[3] == 183);   /* sklearn's class sizes */
        CHECK(y->data[0] == 0 && y->data[1] == 1 && x->data[2] == 5);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_labels_free(lab);
    nr_csv_free(csv);
}

static void test_iris(void) {
    nr_csv *csv = NULL;
    if (!CHECK_OK(nr_csv_read(nr_test_path("data/iris.csv"), NULL, &csv))) return;
    CHECK(nr_csv_has_header(csv) && nr_csv_num_rows(csv) == 150 && nr_csv_num_cols(csv) == 5);
    CHECK(strcmp(nr_csv_col_name(csv, 4), "species") == 0 && nr_csv_col_type(csv, 4) == NR_CSV_TYPE_TEXT);
    nr_tensor *x = NULL, *y = NULL;
    nr_labels *lab = NULL;
    if (CHECK_OK(nr_csv_to_xy(csv, "species", NULL, &x, &y, &lab))) {
        CHECK(x->shape[0] == 150 && x->shape[1] == 4 && y->shape[0] == 150);
        CHECK(nr_labels_count(lab) == 3 && strcmp(nr_labels_name(lab, 0), "setosa") == 0 &&
              strcmp(nr_labels_name(lab, 1), "versicolor") == 0 && strcmp(nr_labels_name(lab, 2), "virginica") == 0);
        int count[3] = {0};
        for (int i = 0; i < 150; i++) count[(int)y->data[i]]++;
        CHECK(count[0] == 50 && count[1] == 50 && count[2] == 50);
        CHECK_CLOSE(x->data[0], 5.1, 1e-6, 0);
        CHECK(y->data[0] == 0 && y->data[149] == 2);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_labels_free(lab);
    nr_csv_free(csv);
}

int main(void) {
    test_digits();
    test_iris();
    return nr_test_finish();
}
