/* Data preparation: train/test split sizes, seeding and stratification,
 * to_categorical, both scalers against values worked out by hand
 * (population std, as sklearn's StandardScaler), and the batch reshape
 * rules that fit data to a model's input. */
#include "data/data_test.h"

/* 150 rows: x = (i, -i); classes 0 (100 rows), 1 (40), 2 (10). */
static void make_data(nr_tensor **x, nr_tensor **y) {
    CHECK_OK(nr_tensor_new(x, 2, (int64_t[]){150, 2}));
    CHECK_OK(nr_tensor_new(y, 1, (int64_t[]){150}));
    for (int i = 0; i < 150; i++) {
        (*x)->data[2 * i] = (float)i;
        (*x)->data[2 * i + 1] = (float)-i;
        (*y)->data[i] = i < 100 ? 0.0f : i < 140 ? 1.0f : 2.0f;
    }
}

static float class_of(float row_id) { return row_id < 100 ? 0.0f : row_id < 140 ? 1.0f : 2.0f; }

static void free4(nr_tensor *a, nr_tensor *b, nr_tensor *c, nr_tensor *d) {
    nr_tensor_free(a);
    nr_tensor_free(b);
    nr_tensor_free(c);
    nr_tensor_free(d);
}

/* Every row appears once across both parts and y travels with x. */
static int is_partition(const nr_tensor *xa, const nr_tensor *xb, const nr_tensor *ya, const nr_tensor *yb) {
    int seen[150] = {0}, ok = 1;
    const nr_tensor *xs[2] = {xa, xb}, *ys[2] = {ya, yb};
    for (int p = 0; p < 2; p++)
        for (int64_t i = 0; i < xs[p]->shape[0]; i++) {
            float id = xs[p]->data[2 * i];
            ok &= id >= 0 && id < 150 && xs[p]->data[2 * i + 1] == -id && ys[p]->data[i] == class_of(id);
            if (ok) seen[(int)id]++;
        }
    for (int i = 0; i < 150; i++) ok &= seen[i] == 1;
    return ok;
}

static void count_classes(const nr_tensor *y, int64_t *count) {
    int64_t k = nr_tensor_row_size(y);
    count[0] = count[1] = count[2] = 0;
    for (int64_t i = 0; i < y->shape[0]; i++) {
        if (k == 1) count[(int)y->data[i]]++;
        else
            for (int j = 0; j < k; j++) count[j] += y->data[i * k + j] == 1;
    }
}

static void test_split(void) {
    nr_tensor *x = NULL, *y = NULL, *xa, *xb, *ya, *yb, *xa2, *xb2, *ya2, *yb2;
    make_data(&x, &y);
    if (!CHECK_OK(nr_train_test_split(x, y, 0.2f, 42, 0, &xa, &xb, &ya, &yb))) return;
    CHECK(xa->shape[0] == 120 && xb->shape[0] == 30 && xa->shape[1] == 2 && ya->shape[0] == 120 && yb->ndim == 1);
    CHECK(is_partition(xa, xb, ya, yb));
    int moved = 0;
    for (int i = 0; i < 120; i++) moved += xa->data[2 * i] != (float)i;
    CHECK(moved > 100);   /* shuffled, not a slice */
    CHECK_OK(nr_train_test_split(x, y, 0.2f, 42, 0, &xa2, &xb2, &ya2, &yb2));
    CHECK(memcmp(xa->data, xa2->data, 240 * sizeof(float)) == 0 && memcmp(yb->data, yb2->data, 30 * sizeof(float)) == 0);
    free4(xa2, xb2, ya2, yb2);
    CHECK_OK(nr_train_test_split(x, y, 0.2f, 43, 0, &xa2, &xb2, &ya2, &yb2));
    CHECK(memcmp(xb->data, xb2->data, 60 * sizeof(float)) != 0);
    free4(xa2, xb2, ya2, yb2);
    free4(xa, xb, ya, yb);

    CHECK_OK(nr_train_test_split(x, NULL, 0.5f, 1, 0, &xa, &xb, NULL, NULL));
    CHECK(xa->shape[0] == 75 && xb->shape[0] == 75);
    nr_tensor_free(xa);
    nr_tensor_free(xb);
    CHECK_OK(nr_train_test_split(x, NULL, 0.01f, 1, 0, &xa, &xb, NULL, NULL));
    CHECK(xa->shape[0] == 148 && xb->shape[0] == 2);   /* ceil(1.5) */
    nr_tensor_free(xa);
    nr_tensor_free(xb);

    CHECK_ERR(nr_train_test_split(x, y, 0.0f, 1, 0, &xa, &xb, &ya, &yb), NR_STATUS_BAD_ARGUMENT, "test_fraction 0");
    CHECK_ERR(nr_train_test_split(x, y, 1.0f, 1, 0, &xa, &xb, &ya, &yb), NR_STATUS_BAD_ARGUMENT, "(0, 1)");
    CHECK_ERR(nr_train_test_split(x, y, 0.999f, 1, 0, &xa, &xb, &ya, &yb), NR_STATUS_BAD_ARGUMENT, "empty part");
    CHECK_ERR(nr_train_test_split(x, NULL, 0.5f, 1, 1, &xa, &xb, NULL, NULL), NR_STATUS_BAD_ARGUMENT, "needs y");
    nr_tensor *y3 = NULL;
    CHECK_OK(nr_tensor_new(&y3, 1, (int64_t[]){3}));
    CHECK_ERR(nr_train_test_split(x, y3, 0.5f, 1, 0, &xa, &xb, &ya, &yb), NR_STATUS_BAD_SHAPE, "150 rows", "3");
    CHECK(xa == NULL && yb == NULL);
    nr_tensor_free(y3);
    nr_tensor_free(x);
    nr_tensor_free(y);
}

static void test_stratify(void) {
    nr_tensor *x = NULL, *y = NULL, *xa, *xb, *ya, *yb, *onehot = NULL;
    make_data(&x, &y);
    int64_t ca[3], cb[3];
    if (CHECK_OK(nr_train_test_split(x, y, 0.2f, 7, 1, &xa, &xb, &ya, &yb))) {
        count_classes(yb, cb);
        count_classes(ya, ca);
        CHECK(cb[0] == 20 && cb[1] == 8 && cb[2] == 2 && ca[0] == 80 && ca[1] == 32 && ca[2] == 8);
        CHECK(is_partition(xa, xb, ya, yb));
        int interleaved = 0;   /* classes are mixed, not in blocks */
        for (int i = 1; i < 30; i++) interleaved += yb->data[i] != yb->data[i - 1];
        CHECK(interleaved > 2);
        free4(xa, xb, ya, yb);
    }
    CHECK_OK(nr_to_categorical(y, 0, &onehot));
    if (CHECK_OK(nr_train_test_split(x, onehot, 0.2f, 7, 1, &xa, &xb, &ya, &yb))) {
        count_classes(yb, cb);
        CHECK(yb->shape[1] == 3 && cb[0] == 20 && cb[1] == 8 && cb[2] == 2);
        free4(xa, xb, ya, yb);
    }
    nr_tensor_free(onehot);

    /* 10 rows, classes 7/3, 25%: n_test = ceil(2.5) = 3 = 2 + 1 (largest remainder to class 1) */
    nr_tensor *x10 = NULL, *y10 = NULL;
    CHECK_OK(nr_tensor_new(&x10, 2, (int64_t[]){10, 1}));
    CHECK_OK(nr_tensor_new(&y10, 2, (int64_t[]){10, 1}));
    for (int i = 0; i < 10; i++) y10->data[i] = i < 7 ? 5.0f : 9.0f;   /* sparse labels */
    if (CHECK_OK(nr_train_test_split(x10, y10, 0.25f, 3, 1, &xa, &xb, &ya, &yb))) {
        int fives = 0;
        for (int i = 0; i < 3; i++) fives += yb->data[i] == 5;
        CHECK(yb->shape[0] == 3 && fives == 2);
        free4(xa, xb, ya, yb);
    }
    y10->data[9] = 4;   /* class 4 has a single row */
    CHECK_ERR(nr_train_test_split(x10, y10, 0.25f, 3, 1, &xa, &xb, &ya, &yb), NR_STATUS_BAD_ARGUMENT, "only 1 row");
    y10->data[9] = 1.5f;
    CHECK_ERR(nr_train_test_split(x10, y10, 0.25f, 3, 1, &xa, &xb, &ya, &yb), NR_STATUS_BAD_ARGUMENT, "y[9] = 1.5");
    nr_tensor_free(x10);
    nr_tensor_free(y10);
    nr_tensor_free(x);
    nr_tensor_free(y);
}

static void test_to_categorical(void) {
    nr_tensor *y = NULL, *t = NULL;
    CHECK_OK(nr_tensor_new(&y, 1, (int64_t[]){3}));
    y->data[0] = 0, y->data[1] = 2, y->data[2] = 1;
    if (CHECK_OK(nr_to_categorical(y, 0, &t))) {
        const float want[9] = {1, 0, 0, 0, 0, 1, 0, 1, 0};
        CHECK(t->ndim == 2 && t->shape[0] == 3 && t->shape[1] == 3);
        nr_test_close_arrays(t->data, want, 9, 0, 0, "one-hot");
        nr_tensor_free(t);
    }
    if (CHECK_OK(nr_to_categorical(y, 5, &t))) {
        CHECK(t->shape[1] == 5 && t->data[5 + 2] == 1 && t->data[4] == 0);
        nr_tensor_free(t);
    }
    CHECK_ERR(nr_to_categorical(y, 2, &t), NR_STATUS_BAD_ARGUMENT, "y[1] = 2", "2 classes");
    y->data[2] = -1;
    CHECK_ERR(nr_to_categorical(y, 0, &t), NR_STATUS_BAD_ARGUMENT, "y[2] = -1");
    y->data[2] = 0.5f;
    CHECK_ERR(nr_to_categorical(y, 0, &t), NR_STATUS_BAD_ARGUMENT, "y[2] = 0.5", "integer");
    y->data[2] = NAN;
    CHECK_ERR(nr_to_categorical(y, 0, &t), NR_STATUS_BAD_ARGUMENT, "y[2] = nan");
    nr_tensor_free(y);
    CHECK_OK(nr_tensor_new(&y, 2, (int64_t[]){2, 2}));
    CHECK_ERR(nr_to_categorical(y, 0, &t), NR_STATUS_BAD_SHAPE, "(2, 2)");
    CHECK(t == NULL);
    nr_tensor_free(y);
}

static nr_tensor *scaler_data(void) {
    nr_tensor *x = NULL;
    CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){4, 3}));
    const float v[12] = {1, 10, 5, 2, 20, 5, 3, 30, 5, 4, 40, 5};
    memcpy(x->data, v, sizeof v);
    return x;
}

static void test_standard(void) {
    nr_scaler *s = NULL;
    nr_tensor *x = scaler_data(), *orig = NULL;
    CHECK_OK(nr_tensor_clone(&orig, x));
    CHECK_OK(nr_scaler_new(NR_SCALER_STANDARD, &s));
    CHECK_ERR(nr_scaler_transform(s, x), NR_STATUS_STATE, "not fitted");
    CHECK(nr_scaler_size(s) == 0 && nr_scaler_offset(s) == NULL);
    CHECK_OK(nr_scaler_fit(s, x));
    /* mean 2.5, 25, 5; population std sqrt(1.25), sqrt(125), 0 -> scale 1 */
    const float off[3] = {2.5f, 25, 5}, sc[3] = {(float)(1 / sqrt(1.25)), (float)(1 / sqrt(125.0)), 1};
    CHECK(nr_scaler_size(s) == 3 && nr_scaler_get_kind(s) == NR_SCALER_STANDARD);
    nr_test_close_arrays(nr_scaler_offset(s), off, 3, 0, 1e-7, "standard offset");
    nr_test_close_arrays(nr_scaler_scale(s), sc, 3, 0, 1e-6, "standard scale");
    CHECK_OK(nr_scaler_transform(s, x));
    const float want[12] = {-1.3416408f, -1.3416408f, 0, -0.4472136f, -0.4472136f, 0,
                            0.4472136f,  0.4472136f,  0, 1.3416408f,  1.3416408f,  0};
    nr_test_close_arrays(x->data, want, 12, 1e-6, 1e-6, "standardized");
    CHECK_OK(nr_scaler_inverse(s, x));
    nr_test_close_arrays(x->data, orig->data, 12, 1e-5, 1e-6, "inverse");

    nr_tensor *wrong = NULL;
    CHECK_OK(nr_tensor_new(&wrong, 2, (int64_t[]){4, 2}));
    CHECK_ERR(nr_scaler_transform(s, wrong), NR_STATUS_BAD_SHAPE, "(4, 2)", "3");
    wrong->data[3] = NAN;
    CHECK_ERR(nr_scaler_fit(s, wrong), NR_STATUS_BAD_ARGUMENT, "x[1][1]");
    nr_tensor_free(wrong);

    nr_scaler *r = NULL;   /* state survives export/import */
    CHECK_OK(nr_scaler_from_params(nr_scaler_get_kind(s), nr_scaler_size(s), nr_scaler_offset(s),
                                   nr_scaler_scale(s), &r));
    CHECK_OK(nr_scaler_transform(r, x));
    nr_test_close_arrays(x->data, want, 12, 1e-6, 1e-6, "restored scaler");
    const float zero[3] = {1, 0, 1};
    nr_scaler *bad = NULL;
    CHECK_ERR(nr_scaler_from_params(NR_SCALER_STANDARD, 3, off, zero, &bad), NR_STATUS_BAD_ARGUMENT, "feature 1");
    CHECK_ERR(nr_scaler_new((nr_scaler_kind)0, &bad), NR_STATUS_BAD_ARGUMENT, "unknown kind");
    CHECK(bad == NULL);
    nr_scaler_free(r);
    nr_scaler_free(s);
    nr_tensor_free(x);
    nr_tensor_free(orig);
}

static void test_minmax(void) {
    nr_scaler *s = NULL;
    nr_tensor *x = scaler_data();
    CHECK_OK(nr_scaler_new(NR_SCALER_MINMAX, &s));
    CHECK_OK(nr_scaler_fit(s, x));
    CHECK_OK(nr_scaler_transform(s, x));
    const float want[12] = {0, 0, 0, 1.0f / 3, 1.0f / 3, 0, 2.0f / 3, 2.0f / 3, 0, 1, 1, 0};
    nr_test_close_arrays(x->data, want, 12, 1e-6, 0, "min-max");
    CHECK(nr_scaler_offset(s)[1] == 10 && nr_scaler_scale(s)[2] == 1);
    CHECK_OK(nr_scaler_inverse(s, x));
    CHECK_CLOSE(x->data[4], 20, 1e-5, 0);
    nr_tensor_free(x);
    /* features are row elements: (2, 2, 2) has 4 */
    CHECK_OK(nr_tensor_new(&x, 3, (int64_t[]){2, 2, 2}));
    for (int i = 0; i < 8; i++) x->data[i] = (float)(i * i);
    CHECK_OK(nr_scaler_fit(s, x));
    CHECK(nr_scaler_size(s) == 4);
    CHECK_OK(nr_scaler_transform(s, x));
    const float want3[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    nr_test_close_arrays(x->data, want3, 8, 1e-6, 0, "min-max 3-D");
    nr_tensor_free(x);
    nr_scaler_free(s);
}

/* Allocation N fails: OK or NO_MEMORY, never a leak or a crash. */
static void test_out_of_memory(void) {
    nr_tensor *x = NULL, *y = NULL;
    make_data(&x, &y);
    int saw_ok = 0, bad = 0;
    for (long n = 0; n < 100 && !saw_ok; n++) {
        nr_tensor *xa = NULL, *xb = NULL, *ya = NULL, *yb = NULL, *oh = NULL;
        nr_scaler *s = NULL;
        fail_allocs_from(n);
        nr_status st = nr_train_test_split(x, y, 0.2f, 1, 1, &xa, &xb, &ya, &yb);
        if (st == NR_OK) st = nr_to_categorical(ya, 0, &oh);
        if (st == NR_OK) st = nr_scaler_new(NR_SCALER_STANDARD, &s);
        if (st == NR_OK) st = nr_scaler_fit(s, xa);
        fail_allocs_from(-1);
        saw_ok = st == NR_OK;
        bad += st != NR_OK && st != NR_STATUS_NO_MEMORY;
        free4(xa, xb, ya, yb);
        nr_tensor_free(oh);
        nr_scaler_free(s);
    }
    CHECK(saw_ok && bad == 0);
    nr_tensor_free(x);
    nr_tensor_free(y);
}

/* nr_batch_reshape's four rules, each way, and shapes that only share a
 * row size. */
static void test_batch_reshape(void) {
    struct {
        int nd;
        int64_t from[4];
        int ndim;
        int64_t to[3];
        int ok;
    } cases[] = {
        {3, {2, 4, 4, 3}, 3, {4, 4, 3}, 1},    /* 1. same */
        {2, {2, 4, 4}, 3, {4, 4, 1}, 1},       /* 2. IDX-style (N, H, W) into a Conv2D's (H, W, 1) */
        {3, {2, 4, 4, 1}, 2, {4, 4}, 1},       /* 2. the channel dropped */
        {3, {2, 4, 4, 1}, 1, {16}, 1},         /* 3. an MLP on images */
        {1, {2, 16}, 3, {4, 4, 1}, 1},         /* 4. CSV rows into a CNN */
        {1, {2, 16}, 2, {2, 8}, 1},
        {3, {2, 2, 8, 1}, 3, {4, 4, 1}, 0},    /* same size, other shape */
        {3, {2, 4, 4, 3}, 3, {4, 4, 1}, 0},    /* RGB into grey */
        {3, {2, 4, 4, 1}, 2, {4, 2}, 0},
        {1, {2, 16}, 1, {15}, 0},
        {2, {2, 4, 4}, 3, {4, 4, 2}, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        nr_tensor *x = NULL;
        if (!CHECK_OK(nr_tensor_new(&x, cases[i].nd + 1, cases[i].from))) continue;
        x->data[5] = 7;
        nr_status s = nr_batch_reshape(x, cases[i].ndim, cases[i].to);
        if (cases[i].ok) {
            int same = CHECK_OK(s) && x->ndim == cases[i].ndim + 1 && x->shape[0] == 2 && x->data[5] == 7;
            for (int k = 0; same && k < cases[i].ndim; k++) same = x->shape[k + 1] == cases[i].to[k];
            if (!CHECK(same)) fprintf(stderr, "  case %zu\n", i);
        } else {
            char from[64], to[64];
            int64_t full[4] = {2};
            memcpy(full + 1, cases[i].to, sizeof cases[i].to);
            nr_shape_str(from, sizeof from, cases[i].nd + 1, cases[i].from);
            nr_shape_str(to, sizeof to, cases[i].ndim + 1, full);
            if (!CHECK_ERR(s, NR_STATUS_BAD_SHAPE, from, to)) fprintf(stderr, "  case %zu\n", i);
            CHECK(x->ndim == cases[i].nd + 1);
        }
        nr_tensor_free(x);
    }
}

int main(void) {
    test_out_of_memory();
    test_split();
    test_stratify();
    test_to_categorical();
    test_standard();
    test_minmax();
    test_batch_reshape();
    return nr_test_finish();
}
