/* Learning on the bundled data sets, end to end through the C API:
 *   - iris (data/iris.csv: 150 x 4 measurements, species as text): CSV
 *     reading, the species encoded as classes, a stratified seeded split,
 *     a standard scaler fitted on the training rows only, and a small MLP
 *     that must reach >= 0.93 accuracy on the held-out rows;
 *   - 8x8 digits (data/digits.csv.gz: 1797 rows, 64 pixel counts and the
 *     digit, no header): an MLP that must reach >= 0.95 test accuracy.
 * Both also check that evaluate()'s accuracy agrees with predict()'s argmax
 * and that the loss fell. Together they run in a few seconds. */
#include <string.h>
#include "testutil.h"

/* Fraction of rows whose argmax of p is the class in y. */
static double argmax_accuracy(const nr_tensor *p, const nr_tensor *y) {
    int64_t n = p->shape[0], k = p->shape[1], right = 0;
    for (int64_t r = 0; r < n; r++) {
        int64_t best = 0;
        for (int64_t j = 1; j < k; j++)
            if (p->data[r * k + j] > p->data[r * k + best]) best = j;
        right += (float)best == y->data[r];
    }
    return (double)right / (double)n;
}

typedef struct split {
    nr_tensor *xtr, *xte, *ytr, *yte;
} split;

static void split_free(split *s) {
    nr_tensor_free(s->xtr);
    nr_tensor_free(s->xte);
    nr_tensor_free(s->ytr);
    nr_tensor_free(s->yte);
}

/* Stratified split, standard scaler fitted on the training part. */
static int prepare(const nr_tensor *x, const nr_tensor *y, float test_fraction, uint64_t seed, split *s) {
    memset(s, 0, sizeof *s);
    if (!CHECK_OK(nr_train_test_split(x, y, test_fraction, seed, 1, &s->xtr, &s->xte, &s->ytr, &s->yte))) return 0;
    nr_scaler *sc;
    if (!CHECK_OK(nr_scaler_new(NR_SCALER_STANDARD, &sc))) return 0;
    int ok = CHECK_OK(nr_scaler_fit(sc, s->xtr)) && CHECK_OK(nr_scaler_transform(sc, s->xtr)) &&
             CHECK_OK(nr_scaler_transform(sc, s->xte));
    nr_scaler_free(sc);
    return ok;
}

/* Trains an MLP (hidden layers of the given sizes, softmax head) and
 * returns its test accuracy, checked against predict(). */
static double train_mlp(const split *s, int n_classes, const int *hidden, int n_hidden, float dropout, float lr,
                        int epochs, int batch, uint64_t seed) {
    nr_graph *g;
    nr_model *m;
    nr_layer *l;
    double acc = 0;
    int64_t features = s->xtr->shape[1];
    CHECK_OK(nr_graph_new(&g, seed));
    CHECK_OK(nr_sequential_new(g, NULL, &m));
    for (int i = 0; i < n_hidden; i++) {
        nr_dense_opts o = {.units = hidden[i], .activation = NR_ACT_RELU};
        if (i == 0) o.base = (nr_layer_base){.input_shape = {features}, .input_ndim = 1};
        CHECK_OK(nr_dense(g, &o, &l));
        CHECK_OK(nr_sequential_add(m, l));
        if (dropout > 0) {
            CHECK_OK(nr_dropout(g, &(nr_dropout_opts){.rate = dropout}, &l));
            CHECK_OK(nr_sequential_add(m, l));
        }
    }
    CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = n_classes, .activation = NR_ACT_SOFTMAX}, &l));
    CHECK_OK(nr_sequential_add(m, l));
    nr_compile_opts c = {.optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = lr},
                         .loss = {{.kind = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}},
                         .metrics = {NR_METRIC_ACCURACY}};
    CHECK_OK(nr_model_compile(m, &c));
    const nr_tensor *xv[1] = {s->xtr}, *yv[1] = {s->ytr}, *xt[1] = {s->xte}, *yt[1] = {s->yte};
    nr_history *h = NULL;
    if (CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = epochs, .batch_size = batch}, &h))) {
        const double *loss = nr_history_values(h, "loss");
        int n = nr_history_n_epochs(h);
        CHECK(n == epochs && loss && loss[n - 1] < 0.5 * loss[0]);
    }
    nr_history_free(h);
    nr_logs logs;
    nr_tensor *p[1] = {NULL};
    if (CHECK_OK(nr_model_evaluate(m, xt, yt, NULL, &logs)) && CHECK_OK(nr_model_predict(m, xt, 64, p))) {
        acc = nr_logs_get(&logs, "accuracy");
        CHECK_CLOSE(acc, argmax_accuracy(p[0], s->yte), 1e-9, 0);
    }
    nr_tensor_free(p[0]);
    nr_graph_free(g);
    return acc;
}

static void iris(void) {
    nr_csv *csv;
    nr_tensor *x = NULL, *y = NULL;
    nr_labels *labels = NULL;
    if (!CHECK_OK(nr_csv_read(nr_test_path("data/iris.csv"), NULL, &csv))) return;
    CHECK(nr_csv_num_rows(csv) == 150 && nr_csv_num_cols(csv) == 5 && nr_csv_has_header(csv));
    if (CHECK_OK(nr_csv_to_xy(csv, "species", NULL, &x, &y, &labels))) {
        CHECK(x->ndim == 2 && x->shape[0] == 150 && x->shape[1] == 4);
        CHECK(y->ndim == 1 && y->shape[0] == 150);
        CHECK(labels && nr_labels_count(labels) == 3);
        CHECK(labels && strcmp(nr_labels_name(labels, 0), "setosa") == 0 &&
              strcmp(nr_labels_name(labels, 2), "virginica") == 0);
        split s;
        if (prepare(x, y, 0.2f, 42, &s)) {
            CHECK(s.xtr->shape[0] == 120 && s.xte->shape[0] == 30);
            int per_class[3] = {0};
            for (int i = 0; i < 30; i++) per_class[(int)s.yte->data[i]]++;
            CHECK(per_class[0] == 10 && per_class[1] == 10 && per_class[2] == 10); /* stratified */
            const int hidden[1] = {16};
            double acc = train_mlp(&s, 3, hidden, 1, 0, 0.01f, 100, 16, 7);
            printf("iris: test accuracy %.4f (%d of 30)\n", acc, (int)(acc * 30 + 0.5));
            CHECK(acc >= 0.93);
        }
        split_free(&s);
    }
    nr_labels_free(labels);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_csv_free(csv);
}

static void digits(void) {
    nr_csv *csv;
    nr_tensor *x = NULL, *y = NULL;
    nr_labels *labels = NULL;
    if (!CHECK_OK(nr_csv_read(nr_test_path("data/digits.csv.gz"), &(nr_csv_opts){.header = -1}, &csv))) return;
    CHECK(nr_csv_num_rows(csv) == 1797 && nr_csv_num_cols(csv) == 65);
    if (CHECK_OK(nr_csv_to_xy(csv, "-1", &(nr_csv_xy_opts){.classification = 1}, &x, &y, &labels))) {
        CHECK(x->shape[0] == 1797 && x->shape[1] == 64);
        CHECK(labels && nr_labels_count(labels) == 10);
        split s;
        if (prepare(x, y, 0.2f, 42, &s)) {
            CHECK(s.xte->shape[0] == 360);
            const int hidden[1] = {64};
            double acc = train_mlp(&s, 10, hidden, 1, 0.1f, 0.005f, 30, 32, 3);
            printf("digits: test accuracy %.4f (%d of 360)\n", acc, (int)(acc * 360 + 0.5));
            CHECK(acc >= 0.95);
        }
        split_free(&s);
    }
    nr_labels_free(labels);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_csv_free(csv);
}

int main(void) {
    iris();
    digits();
    return nr_test_finish();
}
