/* Custom ops from C (neurona/custom.h): nr_custom_gradcheck accepts a
 * right backward and reports a wrong or overwriting one; a Lambda layer
 * trains inside a model, takes several inputs with its own shape function,
 * reports refused shapes, and a model holding one writes SPEC text that
 * loading refuses with the op's name. */
#include <string.h>
#include "testutil.h"

/* y = x^2 (scale 2 in backward: right; 3: wrong; overwrite: = not +=). */
typedef struct square_cfg { float scale; int overwrite; } square_cfg;

static void square_fwd(const nr_custom_io *io, void *user) {
    (void)user;
    for (int64_t i = 0; i < nr_tensor_numel(&io->y); i++) io->y.data[i] = io->x[0].data[i] * io->x[0].data[i];
}

static void square_bwd(const nr_custom_io *io, void *user) {
    const square_cfg *c = user;
    if (!io->dx[0]) return;
    for (int64_t i = 0; i < nr_tensor_numel(&io->y); i++) {
        float g = c->scale * io->x[0].data[i] * io->dy.data[i];
        io->dx[0][i] = c->overwrite ? g : io->dx[0][i] + g;
    }
}

/* y[n] = sum_j a[n,j] b[n,j]: two inputs of one shape, output (N, 1). */
static int dot_shape(int n_in, const int *ndim, const int64_t (*shape)[NR_MAX_DIMS], int *out_ndim,
                     int64_t out_shape[NR_MAX_DIMS], void *user) {
    (void)user;
    if (n_in != 2 || ndim[0] != 1 || ndim[1] != 1 || shape[0][0] != shape[1][0]) return 1;
    *out_ndim = 1;
    out_shape[0] = 1;
    return 0;
}

static void dot_fwd(const nr_custom_io *io, void *user) {
    (void)user;
    int64_t N = io->x[0].shape[0], D = io->x[0].shape[1];
    for (int64_t r = 0; r < N; r++) {
        float s = 0;
        for (int64_t j = 0; j < D; j++) s += io->x[0].data[r * D + j] * io->x[1].data[r * D + j];
        io->y.data[r] = s;
    }
}

static void dot_bwd(const nr_custom_io *io, void *user) {
    (void)user;
    int64_t N = io->x[0].shape[0], D = io->x[0].shape[1];
    for (int64_t r = 0; r < N; r++)
        for (int64_t j = 0; j < D; j++) {
            if (io->dx[0]) io->dx[0][r * D + j] += io->dy.data[r] * io->x[1].data[r * D + j];
            if (io->dx[1]) io->dx[1][r * D + j] += io->dy.data[r] * io->x[0].data[r * D + j];
        }
}

static nr_tensor *filled(int ndim, const int64_t *shape, float lo, float hi, uint64_t seed) {
    nr_tensor *t;
    nr_tensor_new(&t, ndim, shape);
    for (int64_t i = 0; i < nr_tensor_numel(t); i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        t->data[i] = lo + (hi - lo) * (float)((double)(seed >> 11) / 9007199254740992.0);
    }
    return t;
}

static void test_gradcheck(void) {
    square_cfg right = {2, 0}, wrong = {3, 0}, overwrite = {2, 1};
    nr_custom_op op = {.name = "square", .n_inputs = 1, .forward = square_fwd, .backward = square_bwd, .user = &right};
    nr_tensor *x = filled(2, (int64_t[]){3, 4}, -2, 2, 1);
    double err = -1;
    CHECK_OK(nr_custom_gradcheck(&op, (const nr_tensor *[]){x}, NULL, &err));
    CHECK(err >= 0 && err < 1e-2);
    op.user = &wrong;
    CHECK_STATUS(nr_custom_gradcheck(&op, (const nr_tensor *[]){x}, NULL, &err), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "gradcheck of \"square\": d/d input 0 element") != NULL);
    op.user = &overwrite;
    CHECK_STATUS(nr_custom_gradcheck(&op, (const nr_tensor *[]){x}, NULL, NULL), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "must add (+=)") != NULL);
    nr_custom_op dot = {.name = "dot", .n_inputs = 2, .shape = dot_shape, .forward = dot_fwd, .backward = dot_bwd};
    nr_tensor *y = filled(2, (int64_t[]){3, 4}, -1, 1, 2), *bad = filled(2, (int64_t[]){3, 5}, -1, 1, 3);
    CHECK_OK(nr_custom_gradcheck(&dot, (const nr_tensor *[]){x, y}, &(nr_gradcheck_opts){.seed = 4}, NULL));
    CHECK_STATUS(nr_custom_gradcheck(&dot, (const nr_tensor *[]){x, bad}, NULL, NULL), NR_STATUS_BAD_SHAPE);
    op.backward = NULL;
    CHECK_STATUS(nr_custom_gradcheck(&op, (const nr_tensor *[]){x}, NULL, NULL), NR_STATUS_BAD_ARGUMENT);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_tensor_free(bad);
}

/* x (N, 3) -> Dense(3) -> square -> Dense(1): learns y = sum x^2. */
static void test_lambda_trains(void) {
    static square_cfg right = {2, 0};
    nr_graph *g;
    nr_sym x, h, y;
    nr_layer *d1, *sq, *d2;
    nr_model *m;
    nr_graph_new(&g, 3);
    nr_input(g, &(nr_input_opts){.shape = {3}, .ndim = 1}, &x);
    nr_dense(g, &(nr_dense_opts){.units = 3}, &d1);
    nr_custom_op op = {.name = "square", .n_inputs = 1, .forward = square_fwd, .backward = square_bwd, .user = &right};
    CHECK_OK(nr_lambda(g, &(nr_lambda_opts){.op = op}, &sq));
    nr_dense(g, &(nr_dense_opts){.units = 1}, &d2);
    nr_layer_call(d1, &x, 1, &h);
    CHECK_OK(nr_layer_call(sq, &h, 1, &h));
    nr_layer_call(d2, &h, 1, &y);
    CHECK_OK(nr_model_new(g, &x, 1, &y, 1, "m", &m));
    CHECK(nr_test_summary_has(m, "lambda (Lambda)"));
    CHECK_OK(nr_model_compile(m, &(nr_compile_opts){.optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.02f},
                                                    .loss = {{.kind = NR_LOSS_MEAN_SQUARED_ERROR}}}));
    nr_tensor *xs = filled(2, (int64_t[]){256, 3}, -1, 1, 9), *ys;
    nr_tensor_new(&ys, 2, (int64_t[]){256, 1});
    for (int r = 0; r < 256; r++)
        for (int j = 0; j < 3; j++) ys->data[r] += xs->data[r * 3 + j] * xs->data[r * 3 + j];
    nr_history *hist = NULL;
    if (CHECK_OK(nr_model_fit(m, (const nr_tensor *[]){xs}, (const nr_tensor *[]){ys},
                              &(nr_fit_opts){.epochs = 60, .batch_size = 32}, &hist))) {
        const double *loss = nr_history_values(hist, "loss");
        printf("Lambda(square) model: loss %.4f -> %.4f\n", loss[0], loss[59]);
        CHECK(loss[59] < 0.05 * loss[0]);
    }
    /* SPEC text names the op; loading it says a SPEC cannot hold one. */
    char *text = NULL;
    if (CHECK_OK(nr_model_to_spec(m, &text))) {
        CHECK(strstr(text, "Lambda(\"square\", name=\"lambda\")") != NULL);
        nr_test_spec_fails(text, NR_STATUS_UNSUPPORTED, "runs the C op \"square\", which a SPEC cannot hold");
        nr_free_string(text);
    }
    nr_history_free(hist);
    nr_tensor_free(xs);
    nr_tensor_free(ys);
    nr_graph_free(g);
}

static void test_lambda_errors(void) {
    nr_graph *g;
    nr_sym a, b, y;
    nr_layer *l;
    nr_graph_new(&g, 1);
    nr_input(g, &(nr_input_opts){.shape = {4}, .ndim = 1}, &a);
    nr_input(g, &(nr_input_opts){.shape = {5}, .ndim = 1}, &b);
    nr_custom_op dot = {.name = "dot", .n_inputs = 2, .shape = dot_shape, .forward = dot_fwd, .backward = dot_bwd};
    CHECK_OK(nr_lambda(g, &(nr_lambda_opts){.op = dot, .base = {.name = "dot"}}, &l));
    CHECK_STATUS(nr_layer_call(l, (nr_sym[]){a, b}, 2, &y), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "layer \"dot\" (Lambda): op \"dot\" refused the input shapes (None, 4), (None, 5)") != NULL);
    CHECK_STATUS(nr_layer_call(l, &a, 1, &y), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "takes 2 inputs, got 1") != NULL);
    CHECK_OK(nr_layer_call(l, (nr_sym[]){a, a}, 2, &y));
    int nd;
    int64_t shape[NR_MAX_DIMS];
    nr_sym_shape(g, y, &nd, shape);
    CHECK(nd == 2 && shape[1] == 1);
    dot.backward = NULL;
    CHECK_STATUS(nr_lambda(g, &(nr_lambda_opts){.op = dot}, &l), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "needs both a forward and a backward") != NULL);
    dot.backward = dot_bwd;
    dot.name = NULL;
    CHECK_STATUS(nr_lambda(g, &(nr_lambda_opts){.op = dot}, &l), NR_STATUS_BAD_ARGUMENT);
    dot.name = "dot";
    dot.n_inputs = 5;
    CHECK_STATUS(nr_lambda(g, &(nr_lambda_opts){.op = dot}, &l), NR_STATUS_BAD_ARGUMENT);
    nr_graph_free(g);
    nr_test_spec_fails("Input(shape=(3,))\nLambda(function=None)\n", NR_STATUS_UNSUPPORTED,
                       "a SPEC cannot run Python functions");
}

int main(void) {
    test_gradcheck();
    test_lambda_trains();
    test_lambda_errors();
    return nr_test_finish();
}
