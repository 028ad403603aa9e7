/* Learning Fashion-MNIST (60000 training and 10000 test images of 28x28
 * clothes, 10 classes) with an MLP through the C API: IDX loading, a
 * Sequential with Flatten, Dense and Dropout, Adam with a cosine-decay
 * schedule, and >= 0.88 accuracy on the test set (about 0.89). Labelled slow (CMakeLists.txt); skipped
 * when the data set is not installed (Debian: dataset-fashion-mnist, in
 * /usr/share/datasets/fashion-mnist; NEURONA_FASHION_DIR overrides). */
#include <string.h>
#include <sys/stat.h>
#include "testutil.h"

int main(void) {
    const char *dir = getenv("NEURONA_FASHION_DIR");
    if (!dir) dir = "/usr/share/datasets/fashion-mnist";
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        char why[512];
        snprintf(why, sizeof why, "%s not found (install dataset-fashion-mnist or set NEURONA_FASHION_DIR)", dir);
        nr_test_skip(why);
    }
    nr_tensor *xtr, *ytr, *xte, *yte;
    if (!CHECK_OK(nr_idx_load_dir(dir, &xtr, &ytr, &xte, &yte))) return nr_test_finish();
    CHECK(xtr->ndim == 4 && xtr->shape[0] == 60000 && xtr->shape[1] == 28 && xtr->shape[2] == 28 && xtr->shape[3] == 1);
    CHECK(ytr->ndim == 1 && ytr->shape[0] == 60000);
    CHECK(xte->shape[0] == 10000 && yte->shape[0] == 10000);

    nr_graph *g;
    nr_model *m;
    nr_layer *l;
    CHECK_OK(nr_graph_new(&g, 1));
    CHECK_OK(nr_sequential_new(g, NULL, &m));
    CHECK_OK(nr_flatten(g, &(nr_layer_base){.input_shape = {28, 28, 1}, .input_ndim = 3}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 256, .activation = NR_ACT_RELU}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_dropout(g, &(nr_dropout_opts){.rate = 0.2f}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 128, .activation = NR_ACT_RELU}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = 10, .activation = NR_ACT_SOFTMAX}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    int64_t t, f;
    nr_model_count_params(m, &t, &f);
    CHECK(t == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10 && f == 0);
    /* Adam with a cosine decay over the whole run, 2e-3 down to 1e-4. */
    enum { EPOCHS = 10, BATCH = 128 };
    int64_t steps = EPOCHS * ((60000 + BATCH - 1) / BATCH);
    nr_compile_opts c = {.optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.002f,
                                       .schedule = {.kind = NR_LR_COSINE_DECAY, .decay_steps = steps, .alpha = 0.05f}},
                         .loss = {{.kind = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}},
                         .metrics = {NR_METRIC_ACCURACY}};
    CHECK_OK(nr_model_compile(m, &c));
    const nr_tensor *xv[1] = {xtr}, *yv[1] = {ytr}, *xt[1] = {xte}, *yt[1] = {yte};
    nr_history *h = NULL;
    if (CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = EPOCHS, .batch_size = BATCH, .verbose = 2}, &h))) {
        const double *loss = nr_history_values(h, "loss");
        int n = nr_history_n_epochs(h);
        CHECK(n == EPOCHS && loss && loss[n - 1] < 0.7 * loss[0]);
    }
    CHECK(nr_model_learning_rate(m) < 0.0002f); /* the schedule ran to its end */
    nr_history_free(h);
    nr_logs logs;
    if (CHECK_OK(nr_model_evaluate(m, xt, yt, &(nr_eval_opts){.batch_size = 256}, &logs))) {
        double acc = nr_logs_get(&logs, "accuracy");
        printf("Fashion-MNIST test accuracy %.4f, loss %.4f\n", acc, nr_logs_get(&logs, "loss"));
        CHECK(acc >= 0.88);
    }
    nr_graph_free(g);
    nr_tensor_free(xtr);
    nr_tensor_free(ytr);
    nr_tensor_free(xte);
    nr_tensor_free(yte);
    return nr_test_finish();
}
