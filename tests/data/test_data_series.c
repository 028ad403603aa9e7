/* Time series: exact windows for small hand-made series (univariate and
 * multivariate, one-step and multi-step, strides), the chronological
 * split's boundaries and which windows each part gets, the scaler fitted
 * on the training steps only and undone on forecasts, CSV columns (step
 * labels, errors naming file:line:col), recursive forecasts from models
 * with known weights, and the series record kept in model files. */
#include "data/data_test.h"
#include "io/nrfile.h"

/* Series of steps x ncols: column c at step t holds 100 * c + t. */
static nr_series *ramp(int64_t steps, int ncols) {
    static const char *const names[] = {"a", "b", "c", "d"};
    float *v = malloc((size_t)(steps * ncols) * sizeof *v);
    for (int64_t t = 0; t < steps; t++)
        for (int c = 0; c < ncols; c++) v[t * ncols + c] = (float)(100 * c + t);
    nr_series *s = NULL;
    CHECK_OK(nr_series_new(v, steps, ncols, names, &s));
    free(v);
    return s;
}

static const char *const A[] = {"a"}, *const B[] = {"b"}, *const AB[] = {"a", "b"}, *const CA[] = {"c", "a"};

/* Checks a tensor's shape and its values against want. */
static void check_tensor(const nr_tensor *t, int ndim, const int64_t *shape, const float *want) {
    int ok = t && t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == shape[i];
    if (!CHECK(ok)) return;
    nr_test_close_arrays(t->data, want, (size_t)nr_tensor_numel(t), 0, 0, "window values");
}

static void test_univariate(void) {
    nr_series *s = ramp(10, 1);
    nr_tensor *x, *y;
    nr_series_opts o = {.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = 3};
    CHECK_OK(nr_series_windows(s, &o, 0, 10, &x, &y));
    check_tensor(x, 3, (int64_t[]){7, 3, 1},
                 (float[]){0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6, 5, 6, 7, 6, 7, 8});
    check_tensor(y, 2, (int64_t[]){7, 1}, (float[]){3, 4, 5, 6, 7, 8, 9});
    nr_tensor_free(x);
    nr_tensor_free(y);
    /* Two steps ahead every second step: targets (3,4), (5,6), (7,8); 9 lacks a 10. */
    o.horizon = 2, o.stride = 2;
    CHECK_OK(nr_series_windows(s, &o, 0, 10, &x, &y));
    check_tensor(x, 3, (int64_t[]){3, 3, 1}, (float[]){0, 1, 2, 2, 3, 4, 4, 5, 6});
    check_tensor(y, 2, (int64_t[]){3, 2}, (float[]){3, 4, 5, 6, 7, 8});
    nr_tensor_free(x);
    nr_tensor_free(y);
    /* The window as long as the series but one: one pair. */
    o = (nr_series_opts){.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = 9};
    CHECK_OK(nr_series_windows(s, &o, 0, 10, &x, &y));
    check_tensor(y, 2, (int64_t[]){1, 1}, (float[]){9});
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_series_free(s);
}

static void test_multivariate(void) {
    nr_series *s = ramp(6, 3);   /* a = t, b = 100 + t, c = 200 + t */
    nr_tensor *x, *y;
    /* Features a, b; targets c then a, two steps: y is step-major. */
    nr_series_opts o = {.features = AB, .n_features = 2, .targets = CA, .n_targets = 2, .window = 2, .horizon = 2};
    CHECK_OK(nr_series_windows(s, &o, 0, 6, &x, &y));
    check_tensor(x, 3, (int64_t[]){3, 2, 2},
                 (float[]){0, 100, 1, 101, 1, 101, 2, 102, 2, 102, 3, 103});
    check_tensor(y, 2, (int64_t[]){3, 4},
                 (float[]){202, 2, 203, 3, 203, 3, 204, 4, 204, 4, 205, 5});
    nr_tensor_free(x);
    nr_tensor_free(y);
    /* A target that is not a feature (b from a). */
    o = (nr_series_opts){.features = A, .n_features = 1, .targets = B, .n_targets = 1, .window = 1};
    CHECK_OK(nr_series_windows(s, &o, 0, 6, &x, &y));
    check_tensor(x, 3, (int64_t[]){5, 1, 1}, (float[]){0, 1, 2, 3, 4});
    check_tensor(y, 2, (int64_t[]){5, 1}, (float[]){101, 102, 103, 104, 105});
    nr_tensor_free(x);
    nr_tensor_free(y);
    const char *cols[4];
    o = (nr_series_opts){.features = AB, .n_features = 2, .targets = CA, .n_targets = 2};
    CHECK(nr_series_columns(&o, cols, 4) == 3 && strcmp(cols[0], "a") == 0 && strcmp(cols[1], "b") == 0 &&
          strcmp(cols[2], "c") == 0);
    nr_series_free(s);
}

/* The count of a part's windows, its first and last target and first input. */
static void check_part(const nr_series *s, const nr_series_opts *o, nr_series_part p, int64_t n, float first_y,
                       float last_y, float first_input) {
    nr_tensor *x, *y;
    CHECK_OK(nr_series_part_windows(s, o, p, &x, &y));
    if (!CHECK(x && x->shape[0] == n && y->shape[0] == n)) {
        if (x) fprintf(stderr, "  part %d: %lld windows, want %lld\n", (int)p, (long long)x->shape[0], (long long)n);
    } else {
        CHECK(y->data[0] == first_y && y->data[nr_tensor_numel(y) - 1] == last_y && x->data[0] == first_input);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
}

static void test_split(void) {
    nr_series *s = ramp(20, 1);
    int64_t b[4];
    nr_series_opts o = {.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = 3,
                        .split = {0.5, 0.25, 0.25}};
    CHECK_OK(nr_series_split(s, &o, b));
    CHECK(b[0] == 0 && b[1] == 10 && b[2] == 15 && b[3] == 20);
    /* Training targets 3..9, all inputs in 0..9; validation targets
     * 10..14 from inputs reaching back to 7; test targets 15..19. */
    check_part(s, &o, NR_SERIES_TRAIN, 7, 3, 9, 0);
    check_part(s, &o, NR_SERIES_VALIDATION, 5, 10, 14, 7);
    check_part(s, &o, NR_SERIES_TEST, 5, 15, 19, 12);
    /* Two steps ahead: a window whose targets straddle a boundary belongs
     * to no part (targets 9,10 and 14,15 are never used). */
    o.horizon = 2;
    check_part(s, &o, NR_SERIES_TRAIN, 6, 3, 9, 0);
    check_part(s, &o, NR_SERIES_VALIDATION, 4, 10, 14, 7);
    check_part(s, &o, NR_SERIES_TEST, 4, 15, 19, 12);
    /* Defaults: 0.7, 0.15, 0.15, exact on 100 steps despite binary fractions. */
    nr_series *t = ramp(100, 1);
    o = (nr_series_opts){.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = 5};
    CHECK_OK(nr_series_split(t, &o, b));
    CHECK(b[1] == 70 && b[2] == 85 && b[3] == 100);
    /* No validation part: NULL windows; no test part: validation to the end. */
    o.split[0] = 0.8, o.split[1] = 0, o.split[2] = 0.2;
    nr_tensor *x, *y;
    CHECK_OK(nr_series_part_windows(t, &o, NR_SERIES_VALIDATION, &x, &y));
    CHECK(x == NULL && y == NULL);
    o.split[0] = 0.9, o.split[1] = 0.1, o.split[2] = 0;
    CHECK_OK(nr_series_split(t, &o, b));
    CHECK(b[1] == 90 && b[2] == 100);
    nr_series_free(t);
    nr_series_free(s);
}

static void test_scaling(void) {
    /* Training steps 0..9 hold 0..9; later steps are far larger, so a
     * scaler fitted on them would differ. */
    float v[20];
    for (int t = 0; t < 20; t++) v[t] = t < 10 ? (float)t : 1000.0f + (float)t;
    nr_series *s = NULL;
    CHECK_OK(nr_series_new(v, 20, 1, A, &s));
    nr_series_opts o = {.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = 2,
                        .split = {0.5, 0.25, 0.25}};
    int64_t b[4];
    nr_scaler *sc = NULL;
    CHECK_OK(nr_series_split(s, &o, b));
    CHECK_OK(nr_series_fit_scaler(s, NR_SCALER_MINMAX, b[1], &sc));
    CHECK(nr_scaler_offset(sc)[0] == 0 && fabsf(nr_scaler_scale(sc)[0] - 1.0f / 9) < 1e-7f);
    CHECK_OK(nr_series_scale(s, sc));
    CHECK(nr_series_values(s)->data[9] == 1.0f);
    nr_tensor *x, *y;
    CHECK_OK(nr_series_part_windows(s, &o, NR_SERIES_TEST, &x, &y));
    CHECK_OK(nr_series_unscale(s, sc, A, 1, y));
    float want[5] = {1015, 1016, 1017, 1018, 1019};
    CHECK(nr_test_close_arrays(y->data, want, 5, 1e-3, 1e-6, "unscaled test targets"));
    CHECK_ERR(nr_series_unscale(s, sc, B, 1, y), NR_STATUS_BAD_ARGUMENT, "no column 'b'");
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_scaler_free(sc);
    CHECK_ERR(nr_series_fit_scaler(s, NR_SCALER_STANDARD, 0, &sc), NR_STATUS_BAD_ARGUMENT, "0 of 20 steps");
    nr_series_free(s);
}

static void test_window_errors(void) {
    nr_series *s = ramp(10, 2);
    nr_tensor *x, *y;
    nr_series_opts o = {.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = 8, .horizon = 3};
    CHECK_ERR(nr_series_windows(s, &o, 0, 10, &x, &y), NR_STATUS_BAD_SHAPE,
              "window 8 + horizon 3 = 11 steps is longer than the series (10 steps)");
    CHECK(x == NULL && y == NULL);
    o.window = 0;
    CHECK_ERR(nr_series_windows(s, &o, 0, 10, &x, &y), NR_STATUS_BAD_ARGUMENT, "must be at least 1");
    const char *const nope[] = {"temp"};
    o = (nr_series_opts){.features = nope, .n_features = 1, .targets = A, .n_targets = 1, .window = 2};
    CHECK_ERR(nr_series_windows(s, &o, 0, 10, &x, &y), NR_STATUS_BAD_ARGUMENT, "no feature column 'temp'",
              "'a', 'b'");
    o = (nr_series_opts){.features = A, .n_features = 1, .targets = nope, .n_targets = 1, .window = 2};
    CHECK_ERR(nr_series_windows(s, &o, 0, 10, &x, &y), NR_STATUS_BAD_ARGUMENT, "no target column 'temp'");
    const char *const twice[] = {"a", "a"};
    o = (nr_series_opts){.features = twice, .n_features = 2, .targets = A, .n_targets = 1, .window = 2};
    CHECK_ERR(nr_series_windows(s, &o, 0, 10, &x, &y), NR_STATUS_BAD_ARGUMENT, "'a' is given twice");
    /* Split fractions. */
    o = (nr_series_opts){.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = 2,
                         .split = {0.7, 0.2, 0.2}};
    int64_t b[4];
    CHECK_ERR(nr_series_split(s, &o, b), NR_STATUS_BAD_ARGUMENT, "sum to 1.1", "must sum to 1");
    o.split[0] = 0, o.split[1] = 0.5, o.split[2] = 0.5;
    CHECK_ERR(nr_series_split(s, &o, b), NR_STATUS_BAD_ARGUMENT, "training fraction");
    o.split[0] = 0.6, o.split[1] = -0.2, o.split[2] = 0.6;
    CHECK_ERR(nr_series_split(s, &o, b), NR_STATUS_BAD_ARGUMENT, "validation fraction of the split is -0.2");
    /* Parts too short for a window: training, then test. */
    o = (nr_series_opts){.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = 6,
                         .split = {0.5, 0.2, 0.3}};
    CHECK_ERR(nr_series_part_windows(s, &o, NR_SERIES_TRAIN, &x, &y), NR_STATUS_BAD_SHAPE,
              "training part (steps 0..4", "shorter than window 6 + horizon 1");
    o.window = 2, o.horizon = 4;
    CHECK_ERR(nr_series_part_windows(s, &o, NR_SERIES_TEST, &x, &y), NR_STATUS_BAD_SHAPE,
              "the test part (3 steps from step 7", "holds no window");
    CHECK_ERR(nr_series_windows(s, &o, 7, 9, &x, &y), NR_STATUS_BAD_SHAPE, "within steps 7..8");
    nr_series_free(s);
    float bad[2] = {1, NAN};
    CHECK_ERR(nr_series_new(bad, 2, 1, A, &s), NR_STATUS_BAD_ARGUMENT, "not finite");
    CHECK(s == NULL);
}

/* ----------------------------------------------------------------- CSV --- */

static nr_series *from_csv(const char *text, const char *const *cols, int n) {
    nr_csv *csv = NULL;
    nr_series *s = NULL;
    CHECK_OK(nr_csv_read(tmp_text(text), NULL, &csv));
    nr_status st = nr_series_from_csv(csv, cols, n, &s);
    nr_csv_free(csv);
    return st == NR_OK ? s : NULL;
}

static void test_csv(void) {
    const char *const temp[] = {"Temp"};
    nr_series *s = from_csv("\"Date\",\"Temp\"\n\"1981-01-01\",20.7\n\"1981-01-02\",17.9\n\"1981-01-03\",18.8\n",
                            temp, 1);
    CHECK(s && nr_series_length(s) == 3 && nr_series_num_columns(s) == 1);
    CHECK(s && strcmp(nr_series_label_name(s), "Date") == 0 && strcmp(nr_series_label(s, 2), "1981-01-03") == 0);
    CHECK(s && nr_series_values(s)->data[1] == 17.9f && nr_series_label(s, 3) == NULL);
    nr_series_free(s);
    /* A numeric first column labels too, spelt as a number. */
    const char *const y[] = {"y"};
    s = from_csv("t,y\n1,5\n2,6\n", y, 1);
    CHECK(s && strcmp(nr_series_label(s, 1), "2") == 0);
    nr_series_free(s);
    /* Selecting the first column: no labels. */
    const char *const ty[] = {"y", "t"};
    s = from_csv("t,y\n1,5\n2,6\n", ty, 2);
    CHECK(s && nr_series_label_name(s) == NULL && nr_series_values(s)->data[1] == 1);
    nr_series_free(s);
}

static void test_csv_errors(void) {
    const char *const temp[] = {"Temp"}, *const date[] = {"Date"}, *const nope[] = {"temp"};
    nr_csv *csv = NULL;
    nr_series *s = NULL;
    const char *path = tmp_text("Date,Temp\n1981-01-01,20.7\n1981-01-02,\n1981-01-03,18.8\n1981-01-04,NA\n");
    CHECK_OK(nr_csv_read(path, NULL, &csv));
    char want[600];
    snprintf(want, sizeof want, "%s:3:12: missing value in column 'Temp' (2 missing in all)", path);
    CHECK_ERR(nr_series_from_csv(csv, temp, 1, &s), NR_STATUS_PARSE, want);
    snprintf(want, sizeof want, "%s:2:1: column 'Date' holds the text '1981-01-01'", path);
    CHECK_ERR(nr_series_from_csv(csv, date, 1, &s), NR_STATUS_PARSE, want, "must be numeric");
    CHECK_ERR(nr_series_from_csv(csv, nope, 1, &s), NR_STATUS_BAD_ARGUMENT, "no column 'temp'",
              "columns are 'Date', 'Temp'");
    CHECK(s == NULL);
    nr_csv_free(csv);
    /* A text cell among numbers, after a quoted field. */
    path = tmp_text("\"Month\",\"Passengers\"\n\"1949-01\",112\n\"1949-02\",  12O\n");
    CHECK_OK(nr_csv_read(path, NULL, &csv));
    snprintf(want, sizeof want, "%s:3:13: column 'Passengers' holds the text '12O'", path);
    const char *const pass[] = {"Passengers"};
    CHECK_ERR(nr_series_from_csv(csv, pass, 1, &s), NR_STATUS_PARSE, want);
    nr_csv_free(csv);
    /* A number beyond float's range. */
    path = tmp_text("y\n1\n1e39\n");
    CHECK_OK(nr_csv_read(path, NULL, &csv));
    snprintf(want, sizeof want, "%s:3:1: value 1e+39 in column 'y' does not fit a float", path);
    const char *const y[] = {"y"};
    CHECK_ERR(nr_series_from_csv(csv, y, 1, &s), NR_STATUS_PARSE, want);
    nr_csv_free(csv);
}

/* --------------------------------------------------------- forecasts --- */

/* A model "Input(shape=(w,)) Dense(h)" with the given kernel (w, h) and a
 * zero bias: linear extrapolations of the last inputs. */
static nr_spec *linear_model(int w, int h, const float *kernel) {
    char text[256];
    snprintf(text, sizeof text, "Input(shape=(%d,))\nDense(%d)\ncompile(loss=\"mse\")\n", w, h);
    nr_spec *spec = NULL;
    CHECK_OK(nr_spec_load_string(text, "linear.nr", 1, &spec));
    float weights[64] = {0};
    memcpy(weights, kernel, (size_t)(w * h) * sizeof *kernel);
    CHECK_OK(nr_model_set_weights(nr_spec_model(spec), weights));
    return spec;
}

static void check_forecast(nr_model *m, const nr_series *s, int w, int h, int steps, int64_t origin) {
    nr_series_opts o = {.features = A, .n_features = 1, .targets = A, .n_targets = 1, .window = w, .horizon = h};
    int64_t origins[2] = {origin, origin + 3};
    nr_tensor *out = NULL;
    CHECK_OK(nr_model_forecast(m, s, &o, origins, 2, steps, &out));
    if (!CHECK(out && out->shape[0] == 2 && out->shape[1] == steps)) return;
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < steps; k++)
            if (!CHECK(fabsf(out->data[i * steps + k] - (float)(origins[i] + k)) < 1e-3f))
                fprintf(stderr, "  w %d h %d steps %d: forecast %d of origin %lld is %g\n", w, h, steps, k,
                        (long long)origins[i], (double)out->data[i * steps + k]);
    nr_tensor_free(out);
}

static void test_forecast(void) {
    nr_series *s = ramp(30, 1);   /* a = t: a perfect extrapolator forecasts t, t+1, ... */
    /* W 3, H 1: y = 2 x[2] - x[1]. */
    nr_spec *one = linear_model(3, 1, (float[]){0, -1, 2});
    check_forecast(nr_spec_model(one), s, 3, 1, 1, 5);
    check_forecast(nr_spec_model(one), s, 3, 1, 6, 5);
    /* W 3, H 2: outputs 2 x2 - x1 and 3 x2 - 2 x1 (kernel row-major (3, 2)). */
    nr_spec *two = linear_model(3, 2, (float[]){0, 0, -1, -2, 2, 3});
    check_forecast(nr_spec_model(two), s, 3, 2, 1, 4);
    check_forecast(nr_spec_model(two), s, 3, 2, 5, 4);
    /* W 2, H 3 (the horizon longer than the window): x2 + k (x2 - x1). */
    nr_spec *three = linear_model(2, 3, (float[]){-1, -2, -3, 2, 3, 4});
    check_forecast(nr_spec_model(three), s, 2, 3, 7, 2);
    /* Forecasting past the end of the data: origin T. */
    check_forecast(nr_spec_model(one), s, 3, 1, 2, 27);
    nr_series_opts o = {.features = A, .n_features = 1, .targets = B, .n_targets = 1, .window = 3};
    nr_series *s2 = ramp(30, 2);
    int64_t origin = 5;
    nr_tensor *out = NULL;
    CHECK_ERR(nr_model_forecast(nr_spec_model(one), s2, &o, &origin, 1, 2, &out), NR_STATUS_BAD_ARGUMENT,
              "exceed the horizon (1)", "features to be the targets");
    origin = 2;
    CHECK_ERR(nr_model_forecast(nr_spec_model(one), s2, &o, &origin, 1, 1, &out), NR_STATUS_BAD_ARGUMENT,
              "origin 2 needs the 3 steps before it");
    o.window = 4;
    origin = 5;
    CHECK_ERR(nr_model_forecast(nr_spec_model(one), s2, &o, &origin, 1, 1, &out), NR_STATUS_BAD_SHAPE,
              "forecast: model \"sequential", "cannot feed an input of shape (1, 3)");
    CHECK(out == NULL);
    nr_series_free(s2);
    nr_spec_free(one);
    nr_spec_free(two);
    nr_spec_free(three);
    nr_series_free(s);
}

/* ------------------------------------------------------- model files --- */

/* Copies the model file src to dst with section "series" replaced by text. */
static void rewrite_series(const char *src, const char *dst, const char *text) {
    nr_nrfile *f = NULL;
    nr_nrfile_writer *w = NULL;
    CHECK_OK(nr_nrfile_open(src, &f));
    CHECK_OK(nr_nrfile_writer_new(&w));
    for (size_t i = 0; i < nr_nrfile_count(f); i++) {
        nr_nrfile_section sec;
        CHECK_OK(nr_nrfile_section_at(f, i, &sec));
        if (strcmp(sec.name, "series") == 0) CHECK_OK(nr_nrfile_add_text(w, sec.name, text));
        else if (sec.kind == NR_NRFILE_KIND_TEXT) CHECK_OK(nr_nrfile_add_text(w, sec.name, sec.data));
        else if (sec.kind == NR_NRFILE_KIND_TENSOR) CHECK_OK(nr_nrfile_add_tensor(w, sec.name, sec.ndim, sec.shape, sec.data));
        else CHECK_OK(nr_nrfile_add_bytes(w, sec.name, sec.data, sec.size));
    }
    CHECK_OK(nr_nrfile_save(w, dst));
    nr_nrfile_writer_free(w);
    nr_nrfile_close(f);
}

static void test_model_file(void) {
    nr_spec *spec = linear_model(4, 2, (float[]){1, 2, 3, 4, 5, 6, 7, 8});
    nr_model *m = nr_spec_model(spec);
    const char *path = tmp_new(".nrm"), *plain = tmp_new(".nrm"), *bad = tmp_new(".nrm");
    CHECK_OK(nr_model_save(m, plain));
    const char *const feat[] = {"x y", "Temp"}, *const targ[] = {"Temp"};
    nr_series_opts o = {.features = feat, .n_features = 2, .targets = targ, .n_targets = 1, .window = 2,
                        .horizon = 1, .split = {0.6, 0.1, 0.3}};
    nr_scaler *sc = NULL;
    CHECK_OK(nr_scaler_from_params(NR_SCALER_STANDARD, 2, (float[]){1.5f, -2}, (float[]){0.25f, 3}, &sc));
    CHECK_OK(nr_model_set_series(m, &o, sc));
    CHECK_OK(nr_model_save(m, path));
    nr_graph *g = NULL;
    nr_model *back = NULL;
    CHECK_OK(nr_model_load(path, &g, &back));
    const nr_series_opts *r = back ? nr_model_series(back) : NULL;
    CHECK(r && r->window == 2 && r->horizon == 1 && r->stride == 1 && r->n_features == 2 && r->n_targets == 1);
    CHECK(r && strcmp(r->features[0], "x y") == 0 && strcmp(r->targets[0], "Temp") == 0);
    CHECK(r && r->split[0] == 0.6 && r->split[1] == 0.1 && r->split[2] == 0.3);
    const nr_scaler *rs = back ? nr_model_series_scaler(back) : NULL;
    CHECK(rs && nr_scaler_size(rs) == 2 && nr_scaler_offset(rs)[0] == 1.5f && nr_scaler_scale(rs)[1] == 3);
    nr_graph_free(g);
    /* A model without a series loads without one. */
    CHECK_OK(nr_model_load(plain, &g, &back));
    CHECK(back && nr_model_series(back) == NULL && nr_model_series_scaler(back) == NULL);
    nr_graph_free(g);
    /* Another version, a bad key, and a scaler of the wrong size. */
    rewrite_series(path, bad, "neurona series 2\nwindow 3\n");
    CHECK_ERR(nr_model_load(bad, &g, &back), NR_STATUS_BAD_VERSION, "\"neurona series 2\"", "upgrade neurona");
    rewrite_series(path, bad, "neurona series 1\nwindow 3\nhorizon 1\nstride 1\nsplit 0.7 0.15 0.15\nfeature a\n"
                              "target a\nscaler none\nlag 2\n");
    CHECK_ERR(nr_model_load(bad, &g, &back), NR_STATUS_BAD_FORMAT, "line 9: unknown key 'lag'");
    rewrite_series(path, bad, "neurona series 1\nwindow 3\nsplit 0.7 0.15 0.15\nfeature a\ntarget a\n"
                              "scaler standard\n");
    CHECK_ERR(nr_model_load(bad, &g, &back), NR_STATUS_BAD_SHAPE, "the scaler has 2 features, the series 1 columns");
    rewrite_series(path, bad, "neurona series 1\nwindow -3\n");
    CHECK_ERR(nr_model_load(bad, &g, &back), NR_STATUS_BAD_FORMAT, "bad count '-3'");
    /* Setting: wrong scaler size, a line break in a name; NULL removes. */
    nr_scaler *one = NULL;
    CHECK_OK(nr_scaler_from_params(NR_SCALER_MINMAX, 1, (float[]){0}, (float[]){1}, &one));
    CHECK_ERR(nr_model_set_series(m, &o, one), NR_STATUS_BAD_SHAPE, "scaler has 1 features");
    const char *const nl[] = {"a\nb"};
    o.features = nl, o.n_features = 1;
    CHECK_ERR(nr_model_set_series(m, &o, NULL), NR_STATUS_BAD_ARGUMENT, "line break");
    CHECK(nr_model_series(m) && nr_model_series(m)->n_features == 2);
    CHECK_OK(nr_model_set_series(m, NULL, NULL));
    CHECK(nr_model_series(m) == NULL);
    nr_scaler_free(one);
    nr_scaler_free(sc);
    nr_spec_free(spec);
}

/* The real daily minimum temperatures, when ../shared/data has them. */
static void test_real_file(void) {
    const char *path = nr_test_shared_data("timeseries/daily-min-temperatures.csv");
    if (!path) {
        printf("note: ../shared/data/timeseries/daily-min-temperatures.csv is absent; its check is skipped\n");
        return;
    }
    nr_csv *csv = NULL;
    nr_series *s = NULL;
    const char *const temp[] = {"Temp"};
    CHECK_OK(nr_csv_read(path, NULL, &csv));
    CHECK_OK(nr_series_from_csv(csv, temp, 1, &s));
    CHECK(s && nr_series_length(s) == 3650 && strcmp(nr_series_label(s, 0), "1981-01-01") == 0);
    CHECK(s && nr_series_values(s)->data[0] == 20.7f && strcmp(nr_series_label(s, 3649), "1990-12-31") == 0);
    nr_series_opts o = {.features = temp, .n_features = 1, .targets = temp, .n_targets = 1, .window = 30};
    nr_tensor *x, *y;
    CHECK_OK(nr_series_part_windows(s, &o, NR_SERIES_TEST, &x, &y));
    CHECK(x && x->shape[0] == 3650 - 3102);   /* targets from floor(3650 * 0.85) = 3102 */
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_series_free(s);
    nr_csv_free(csv);
}

int main(void) {
    test_univariate();
    test_multivariate();
    test_split();
    test_scaling();
    test_window_errors();
    test_csv();
    test_csv_errors();
    test_forecast();
    test_model_file();
    test_real_file();
    return nr_test_finish();
}
