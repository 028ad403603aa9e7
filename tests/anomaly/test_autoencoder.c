/* neurona/autoencoder.h: input noise (seeded, clipped, the right spread),
 * reconstruction errors, the rare-anomaly split (its exact rule on
 * planted data), the threshold rules on hand-computed cases, the scores
 * against sklearn's definitions, the errors of each, and a dense
 * autoencoder learning the bundled 8x8 digits through the C API. */
#include <string.h>
#include "testutil.h"

static nr_tensor *filled(int64_t n, int64_t k, float v) {
    nr_tensor *t = NULL;
    CHECK_OK(nr_tensor_new(&t, 2, (int64_t[]){n, k}));
    for (int64_t i = 0; i < n * k; i++) t->data[i] = v;
    return t;
}

static void test_noise(void) {
    nr_tensor *a = filled(200, 500, 0.5f), *b = filled(200, 500, 0.5f), *c = filled(200, 500, 0.5f);
    CHECK_OK(nr_tensor_add_noise(a, &(nr_noise_opts){.stddev = 0.5f, .seed = 7}));
    CHECK_OK(nr_tensor_add_noise(b, &(nr_noise_opts){.stddev = 0.5f, .seed = 7}));
    CHECK_OK(nr_tensor_add_noise(c, &(nr_noise_opts){.stddev = 0.5f, .no_clip = 1, .seed = 8}));
    CHECK(memcmp(a->data, b->data, 100000 * sizeof(float)) == 0);   /* the seed names the noise */
    double sum = 0, sq = 0;
    int in_range = 1, clipped = 0;
    for (int i = 0; i < 100000; i++) {
        in_range &= a->data[i] >= 0 && a->data[i] <= 1;
        clipped += a->data[i] == 0 || a->data[i] == 1;
        sum += c->data[i] - 0.5, sq += (c->data[i] - 0.5) * (c->data[i] - 0.5);
    }
    CHECK(in_range);
    CHECK_CLOSE(clipped / 100000.0, 0.3173, 0.01, 0);   /* P(|z| > 1) */
    CHECK_CLOSE(sum / 100000, 0, 0.005, 0);
    CHECK_CLOSE(sqrt(sq / 100000), 0.5, 0.005, 0);
    CHECK_OK(nr_tensor_add_noise(b, &(nr_noise_opts){.stddev = 1, .clip_min = -0.25f, .clip_max = 0.25f, .seed = 1}));
    float lo = 1, hi = -1;
    for (int i = 0; i < 100000; i++) lo = fminf(lo, b->data[i]), hi = fmaxf(hi, b->data[i]);
    CHECK(lo == -0.25f && hi == 0.25f);
    CHECK_STATUS(nr_tensor_add_noise(a, &(nr_noise_opts){.stddev = 0}), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "positive number") != NULL);
    CHECK_STATUS(nr_tensor_add_noise(a, &(nr_noise_opts){.stddev = NAN}), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_tensor_add_noise(a, &(nr_noise_opts){.stddev = 1, .clip_min = 1, .clip_max = 0}),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "clip range") != NULL);
    nr_tensor_free(a);
    nr_tensor_free(b);
    nr_tensor_free(c);
}

static void test_recon_errors(void) {
    nr_tensor *x = filled(2, 4, 0), *img = NULL;
    CHECK_OK(nr_tensor_new(&img, 4, (int64_t[]){2, 2, 2, 1}));
    const float xv[8] = {0, 1, 0.5f, 0.25f, 1, 1, 1, 1}, yv[8] = {0, 0, 0.5f, 0.75f, 0, 1, 1, 1};
    memcpy(x->data, xv, sizeof xv);
    memcpy(img->data, yv, sizeof yv);
    double e[2];
    CHECK_OK(nr_reconstruction_errors(x, img, NR_RECON_MSE, e));   /* flat against image: same values per sample */
    CHECK_CLOSE(e[0], (1 + 0.25) / 4, 1e-12, 0);
    CHECK_CLOSE(e[1], 0.25, 1e-12, 0);
    CHECK_OK(nr_reconstruction_errors(x, img, NR_RECON_MAE, e));
    CHECK_CLOSE(e[0], 1.5 / 4, 1e-12, 0);
    nr_tensor *short_rows = filled(2, 3, 0);
    CHECK_STATUS(nr_reconstruction_errors(x, short_rows, NR_RECON_MSE, e), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "(2, 4)") && strstr(nr_last_error(), "(2, 3)"));
    CHECK_STATUS(nr_reconstruction_errors(x, img, (nr_recon_error)7, e), NR_STATUS_BAD_ARGUMENT);
    nr_tensor_free(x);
    nr_tensor_free(img);
    nr_tensor_free(short_rows);
}

/* n rows, feature = row index, label = classes[i % nc]. */
static void labelled(int64_t n, const int *classes, int nc, nr_tensor **x, nr_tensor **y) {
    *x = filled(n, 1, 0);
    *y = filled(n, 1, 0);
    for (int64_t i = 0; i < n; i++) (*x)->data[i] = (float)i, (*y)->data[i] = (float)classes[i % nc];
}

static void check_part(const nr_tensor *x, const int *flags, const nr_tensor *y_pool, int64_t normals,
                       int64_t anomalies) {
    int64_t n = x->shape[0], got_anom = 0, sorted = 1, right = 1;
    for (int64_t i = 0; i < n; i++) {
        got_anom += flags[i];
        if (i) sorted &= x->data[i] > x->data[i - 1];
        right &= flags[i] == (y_pool->data[(int64_t)x->data[i]] == 4);
    }
    CHECK(n == normals + anomalies && got_anom == anomalies && sorted && right);
}

static void test_split(void) {
    nr_tensor *x, *y, *xe, *ye;
    labelled(100, (const int[]){0, 1, 2, 3, 4}, 5, &x, &y);
    /* pool: 900 normal rows (classes 0..3) and 100 of class 4 */
    labelled(1000, (const int[]){0, 1, 2, 3, 0, 1, 2, 3, 0, 4}, 10, &xe, &ye);
    nr_anomaly_split sp;
    CHECK_OK(nr_anomaly_split_new(x, y, xe, ye, &(nr_anomaly_split_opts){.anomaly_class = 4, .rate = 0.02, .seed = 3},
                                  &sp));
    CHECK(sp.x_train->shape[0] == 80);
    int no_fours = 1;
    for (int64_t i = 0; i < 80; i++) no_fours &= (int64_t)sp.x_train->data[i] % 5 != 4;
    CHECK(no_fours);
    /* 450 normal rows each; round(0.02 / 0.98 * 450) = 9 anomalies each */
    check_part(sp.x_val, sp.val_anomaly, ye, 450, 9);
    check_part(sp.x_test, sp.test_anomaly, ye, 450, 9);
    CHECK(sp.val_anomalies == 9 && sp.test_anomalies == 9);
    int disjoint = 1;
    for (int64_t i = 0; i < 459; i++)
        for (int64_t j = 0; j < 459; j++) disjoint &= sp.x_val->data[i] != sp.x_test->data[j];
    CHECK(disjoint);
    nr_anomaly_split again;
    CHECK_OK(nr_anomaly_split_new(x, y, xe, ye, &(nr_anomaly_split_opts){.anomaly_class = 4, .rate = 0.02, .seed = 3},
                                  &again));
    CHECK(memcmp(again.x_test->data, sp.x_test->data, 459 * sizeof(float)) == 0);
    nr_anomaly_split_free(&again);
    nr_anomaly_split_free(&sp);
    /* the default rate 0.01 and val_fraction 0.7: 630 and 270 normal rows */
    CHECK_OK(nr_anomaly_split_new(x, y, xe, ye, &(nr_anomaly_split_opts){.anomaly_class = 4, .val_fraction = 0.7}, &sp));
    CHECK(sp.x_val->shape[0] == 630 + 6 && sp.x_test->shape[0] == 270 + 3);
    nr_anomaly_split_free(&sp);
    nr_anomaly_split_opts bad[] = {{.anomaly_class = 4, .rate = 0.6}, {.anomaly_class = 4, .val_fraction = 1},
                                   {.anomaly_class = 7}};
    const char *why[] = {"rate must be in (0, 0.5]", "val_fraction", "holds no row of class 7"};
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(nr_anomaly_split_new(x, y, xe, ye, &bad[i], &sp), NR_STATUS_BAD_ARGUMENT);
        CHECK(strstr(nr_last_error(), why[i]) && !sp.x_train);
    }
    ye->data[5] = 1.5f;
    CHECK_STATUS(nr_anomaly_split_new(x, y, xe, ye, &(nr_anomaly_split_opts){.anomaly_class = 4}, &sp),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "not a class index") != NULL);
    for (int i = 0; i < 100; i++) y->data[i] = 4;
    CHECK_STATUS(nr_anomaly_split_new(x, y, xe, ye, &(nr_anomaly_split_opts){.anomaly_class = 4}, &sp),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "every training row") != NULL);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_tensor_free(xe);
    nr_tensor_free(ye);
}

static const double err6[6] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, normals3[3] = {0.1, 0.2, 0.4};
static const int anom6[6] = {0, 0, 1, 0, 1, 1};

static void test_threshold(void) {
    double t;
    /* F1 at 0.6, 0.5, 0.4, 0.3, 0.2, 0.1: 2/4, 4/5, 4/6, 6/7, 6/8, 6/9 */
    CHECK_OK(nr_anomaly_threshold(err6, anom6, 6, NULL, &t));
    CHECK(t == 0.3);
    /* F1 0, 2/4, 2/5, 2/6, 2/7, 4/8: a tie between 0.5 and 0.1, the highest wins */
    const int tie[6] = {1, 0, 0, 0, 1, 0};
    CHECK_OK(nr_anomaly_threshold(err6, tie, 6, NULL, &t));
    CHECK(t == 0.5);
    const double same[4] = {0.2, 0.2, 0.1, 0.2};   /* tied errors are flagged together */
    CHECK_OK(nr_anomaly_threshold(same, (const int[]){1, 0, 0, 1}, 4, NULL, &t));
    CHECK(t == 0.2);
    CHECK_OK(nr_anomaly_threshold(err6, anom6, 6, &(nr_threshold_opts){.rule = NR_THRESHOLD_PERCENTILE, .q = 50}, &t));
    CHECK_CLOSE(t, 0.2, 1e-15, 0);
    CHECK_OK(nr_anomaly_threshold(normals3, NULL, 3, &(nr_threshold_opts){.rule = NR_THRESHOLD_PERCENTILE}, &t));
    CHECK_CLOSE(t, 0.396, 1e-12, 0);   /* numpy.percentile([.1, .2, .4], 99) */
    CHECK_OK(nr_anomaly_threshold(err6, anom6, 6, &(nr_threshold_opts){.rule = NR_THRESHOLD_MEAN_STD, .q = 1}, &t));
    CHECK_CLOSE(t, 0.7 / 3 + 0.12472191289246473, 1e-12, 0);   /* mean + numpy.std([.1, .2, .4]) */
    CHECK_OK(nr_anomaly_threshold(normals3, NULL, 3, &(nr_threshold_opts){.rule = NR_THRESHOLD_MEAN_STD}, &t));
    CHECK_CLOSE(t, 0.7 / 3 + 3 * 0.12472191289246473, 1e-12, 0);
    CHECK_STATUS(nr_anomaly_threshold(normals3, NULL, 3, NULL, &t), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_anomaly_threshold(err6, (const int[]){0, 0, 0, 0, 0, 0}, 6, NULL, &t), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "both normal rows and anomalies") != NULL);
    CHECK_STATUS(nr_anomaly_threshold(err6, (const int[]){1, 1, 1, 1, 1, 1}, 6,
                                      &(nr_threshold_opts){.rule = NR_THRESHOLD_PERCENTILE}, &t),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "no normal row") != NULL);
    CHECK_STATUS(nr_anomaly_threshold(err6, anom6, 6, &(nr_threshold_opts){.rule = NR_THRESHOLD_PERCENTILE, .q = 101},
                                      &t), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_anomaly_threshold((const double[]){0.1, NAN}, NULL, 2,
                                      &(nr_threshold_opts){.rule = NR_THRESHOLD_MEAN_STD}, &t), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_anomaly_threshold(err6, anom6, 6, &(nr_threshold_opts){.rule = (nr_threshold_rule)9}, &t),
                 NR_STATUS_BAD_ARGUMENT);
}

static void test_scores(void) {
    nr_anomaly_scores s;
    CHECK_OK(nr_anomaly_scores_at(err6, anom6, 6, 0.3, &s));
    CHECK(s.tp == 3 && s.fp == 1 && s.tn == 2 && s.fn == 0);
    CHECK_CLOSE(s.precision, 0.75, 1e-15, 0);
    CHECK_CLOSE(s.recall, 1, 1e-15, 0);
    CHECK_CLOSE(s.f1, 6.0 / 7, 1e-15, 0);
    CHECK_CLOSE(s.pr_auc, (1 + 1 + 0.75) / 3, 1e-15, 0);   /* sklearn's average_precision_score */
    CHECK_CLOSE(s.roc_auc, 8.0 / 9, 1e-15, 0);
    CHECK_OK(nr_anomaly_scores_at(err6, anom6, 6, 1.0, &s));   /* nothing flagged: 0, as sklearn */
    CHECK(s.tp == 0 && s.precision == 0 && s.f1 == 0);
    CHECK_STATUS(nr_anomaly_scores_at(err6, (const int[]){0, 0, 0, 0, 0, 0}, 6, 0.3, &s), NR_STATUS_BAD_ARGUMENT);
}

/* Input(64) Dense(16, relu) Dense(64, sigmoid) on pixels / 16: the test
 * reconstruction MSE must fall well under the untrained one. */
static void test_digits_learn(void) {
    nr_csv *csv;
    nr_tensor *x = NULL, *y = NULL, *xtr, *xte;
    nr_labels *labels = NULL;
    if (!CHECK_OK(nr_csv_read(nr_test_path("data/digits.csv.gz"), NULL, &csv))) return;
    CHECK_OK(nr_csv_to_xy(csv, "-1", &(nr_csv_xy_opts){.classification = 1}, &x, &y, &labels));
    for (int64_t i = 0; i < nr_tensor_numel(x); i++) x->data[i] /= 16;
    CHECK_OK(nr_train_test_split(x, NULL, 0.2f, 7, 0, &xtr, &xte, NULL, NULL));
    nr_spec *s;
    CHECK_OK(nr_spec_load_string("inp = Input(shape=(64,))\n"
                                 "code = Dense(16, activation=\"relu\")(inp)\n"
                                 "autoencoder = Model(inp, Dense(64, activation=\"sigmoid\")(code))\n"
                                 "encoder = Model(inp, code)\n"
                                 "autoencoder.compile(optimizer=Adam(learning_rate=0.01), loss=\"mse\")\n",
                                 "ae.nr", 5, &s));
    nr_model *m = nr_spec_model(s);
    CHECK(m == nr_spec_get_model(s, "autoencoder"));   /* the model compiled, not the encoder built last */
    const nr_tensor *in[1] = {xte}, *tr[1] = {xtr};
    nr_logs before, after;
    CHECK_OK(nr_model_evaluate(m, in, in, NULL, &before));
    CHECK_OK(nr_model_fit(m, tr, tr, &(nr_fit_opts){.epochs = 40, .batch_size = 32}, NULL));
    CHECK_OK(nr_model_evaluate(m, in, in, NULL, &after));
    double b = nr_logs_get(&before, "loss"), a = nr_logs_get(&after, "loss");
    printf("digits autoencoder: test MSE %.4f untrained, %.4f trained\n", b, a);
    CHECK(b > 0.05 && a < 0.025 && a < b / 3);
    nr_spec_free(s);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_tensor_free(xtr);
    nr_tensor_free(xte);
    nr_labels_free(labels);
    nr_csv_free(csv);
}

int main(void) {
    test_noise();
    test_recon_errors();
    test_split();
    test_threshold();
    test_scores();
    test_digits_learn();
    return nr_test_finish();
}
