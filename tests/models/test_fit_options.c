/* fit() options against their definitions: class_weight and sample_weight
 * equal per-row loss weights in train_on_batch; validation_split takes the
 * last fraction of the rows before shuffling; validation_data reports what
 * evaluate() gives on the same rows; verbose=2 prints one Keras line per
 * epoch. */
#include <string.h>
#include "testutil.h"

enum { N = 40, F = 3 };

static nr_tensor *make(int ndim, const int64_t *shape) {
    nr_tensor *t = NULL;
    nr_tensor_new(&t, ndim, shape);
    return t;
}

static void data(nr_tensor **x, nr_tensor **y) {
    int64_t xs[2] = {N, F}, ys[1] = {N};
    *x = make(2, xs);
    *y = make(1, ys);
    for (int r = 0; r < N; r++) {
        for (int j = 0; j < F; j++) (*x)->data[r * F + j] = (float)((r * 7 + j * 3) % 11) / 11.0f - 0.5f;
        (*y)->data[r] = (float)(r % 3);
    }
}

static nr_model *model(nr_graph **g) {
    nr_model *m;
    nr_layer *d;
    nr_graph_new(g, 5);
    nr_sequential_new(*g, NULL, &m);
    nr_dense(*g, &(nr_dense_opts){.units = 3, .activation = NR_ACT_SOFTMAX, .base = {.input_shape = {F}, .input_ndim = 1}}, &d);
    nr_sequential_add(m, d);
    nr_compile_opts c = {.optimizer = {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.5f},
                         .loss = {{.kind = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}},
                         .metrics = {NR_METRIC_ACCURACY}};
    CHECK_OK(nr_model_compile(m, &c));
    return m;
}

static void weights_of(nr_model *m, float *w) { CHECK_OK(nr_model_get_weights(m, w)); }

static void class_and_sample_weights(void) {
    nr_tensor *x, *y, *sw;
    data(&x, &y);
    int64_t ss[1] = {N};
    sw = make(1, ss);
    const float cw[3] = {1.0f, 0.25f, 3.0f};
    for (int r = 0; r < N; r++) sw->data[r] = cw[(int)y->data[r]] * (1.0f + (float)(r % 4));
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    float wa[16], wb[16];
    nr_graph *ga, *gb;
    nr_model *a = model(&ga), *b = model(&gb);
    nr_tensor *row_w = make(1, ss);
    for (int r = 0; r < N; r++) row_w->data[r] = 1.0f + (float)(r % 4);
    /* One full batch without shuffling is one train_on_batch step. */
    nr_fit_opts fo = {.epochs = 1, .batch_size = N, .no_shuffle = 1, .class_weight = cw, .n_class_weight = 3,
                      .sample_weight = row_w};
    CHECK_OK(nr_model_fit(a, xv, yv, &fo, NULL));
    CHECK_OK(nr_model_train_on_batch(b, xv, yv, sw, NULL));
    weights_of(a, wa);
    weights_of(b, wb);
    CHECK(nr_model_weights_size(a) == 12);
    CHECK(memcmp(wa, wb, 12 * sizeof(float)) == 0);
    /* A class_weight shorter than the classes is an error naming the row. */
    fo.n_class_weight = 2;
    CHECK_STATUS(nr_model_fit(a, xv, yv, &fo, NULL), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "class_weight") != NULL);
    nr_graph_free(ga);
    nr_graph_free(gb);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_tensor_free(sw);
    nr_tensor_free(row_w);
}

static void validation(void) {
    nr_tensor *x, *y, *xl, *yl;
    data(&x, &y);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_graph *g;
    nr_model *m = model(&g);
    nr_history *h;
    nr_fit_opts fo = {.epochs = 3, .batch_size = 8, .validation_split = 0.25f};
    CHECK_OK(nr_model_fit(m, xv, yv, &fo, &h));
    /* Keras: the last 25% (rows 30..39) are the validation set. */
    CHECK_OK(nr_tensor_slice_rows(&xl, x, 30, 40));
    CHECK_OK(nr_tensor_slice_rows(&yl, y, 30, 40));
    const nr_tensor *xlv[1] = {xl}, *ylv[1] = {yl};
    nr_logs logs;
    CHECK_OK(nr_model_evaluate(m, xlv, ylv, &(nr_eval_opts){.batch_size = 8}, &logs));
    const double *vl = nr_history_values(h, "val_loss"), *va = nr_history_values(h, "val_accuracy");
    CHECK(vl && va);
    if (vl && va) {
        CHECK_CLOSE(vl[2], nr_logs_get(&logs, "loss"), 1e-6, 1e-6);
        CHECK_CLOSE(va[2], nr_logs_get(&logs, "accuracy"), 1e-9, 0);
    }
    nr_history_free(h);
    /* validation_data: the same figures as evaluate on it. */
    fo = (nr_fit_opts){.epochs = 1, .batch_size = 8, .validation_x = xlv, .validation_y = ylv};
    CHECK_OK(nr_model_fit(m, xv, yv, &fo, &h));
    CHECK_OK(nr_model_evaluate(m, xlv, ylv, &(nr_eval_opts){.batch_size = 8}, &logs));
    vl = nr_history_values(h, "val_loss");
    CHECK(vl && fabs(vl[0] - nr_logs_get(&logs, "loss")) < 1e-6);
    nr_history_free(h);
    nr_graph_free(g);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_tensor_free(xl);
    nr_tensor_free(yl);
}

/* verbose=2: "Epoch 1/2" then "5/5 - 0s - loss: ... - 0s/epoch - ...". */
static void progress_lines(void) {
    nr_tensor *x, *y;
    data(&x, &y);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_graph *g;
    nr_model *m = model(&g);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 2, .batch_size = 8, .verbose = 2, .out = f}, NULL));
    fclose(f);
    CHECK(buf && strstr(buf, "Epoch 1/2\n5/5 - ") && strstr(buf, "Epoch 2/2\n") && strstr(buf, " - loss: ") &&
          strstr(buf, " - accuracy: ") && strstr(buf, "/epoch - "));
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 1, .batch_size = 8, .verbose = 1, .out = f}, NULL));
    fclose(f);
    CHECK(buf && strstr(buf, "5/5 [==============================] - ") && strstr(buf, "/step - loss: "));
    free(buf);
    nr_graph_free(g);
    nr_tensor_free(x);
    nr_tensor_free(y);
}

int main(void) {
    class_and_sample_weights();
    validation();
    progress_lines();
    return nr_test_finish();
}
