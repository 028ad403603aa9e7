/* The classic single-neuron learners: logic functions, convergence and
 * its absence, LMS against least squares, first-epoch updates computed
 * by hand from the learning rules, gradients against finite differences,
 * softmax on iris, and bad input. */
#include <string.h>
#include "neurona/neuron.h"
#include "testutil.h"

static const double logic_x[] = {0, 0, 0, 1, 1, 0, 1, 1};
static const double and_t[] = {0, 0, 0, 1}, or_t[] = {0, 1, 1, 1}, xor_t[] = {0, 1, 1, 0};

static int predicts(const nr_neuron *nn, const double *x, int64_t n, const double *want) {
    double y[8];
    if (!CHECK_OK(nr_neuron_predict(nn, x, n, y))) return 0;
    int ok = 1;
    for (int64_t i = 0; i < n; i++) ok &= y[i] == want[i];
    return ok;
}

static void mcculloch_pitts(void) {
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_mp_new(2, (const double[]){1, 1}, 2, &nn));
    CHECK(predicts(nn, logic_x, 4, and_t));
    nr_neuron_free(nn);
    CHECK_OK(nr_neuron_mp_new(2, (const double[]){1, 1}, 1, &nn));
    CHECK(predicts(nn, logic_x, 4, or_t));
    nr_neuron_free(nn);
    CHECK_OK(nr_neuron_mp_new(1, (const double[]){-1}, 0, &nn)); /* NOT: one inhibitory input */
    CHECK(predicts(nn, (const double[]){0, 1}, 2, (const double[]){1, 0}));
    double y;
    CHECK_STATUS(nr_neuron_predict(nn, (const double[]){0.5}, 1, &y), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "binary") != NULL);
    nr_neuron_free(nn);
    CHECK_STATUS(nr_neuron_mp_new(0, (const double[]){1}, 0, &nn), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_neuron_mp_new(1, (const double[]){1}, NAN, &nn), NR_STATUS_BAD_ARGUMENT);
}

static void perceptron_logic(void) {
    const double *targets[] = {and_t, or_t};
    for (int f = 0; f < 2; f++) {
        nr_neuron *nn = NULL;
        CHECK_OK(nr_neuron_fit(NR_NEURON_PERCEPTRON, logic_x, 4, 2, targets[f],
                               &(nr_neuron_opts){.alpha = 0.1, .n_iter = 100, .random_state = 7}, &nn));
        if (!nn) continue;
        CHECK(nr_neuron_converged(nn));
        CHECK(nr_neuron_errors(nn)[nr_neuron_n_epochs(nn) - 1] == 0);
        CHECK(predicts(nn, logic_x, 4, targets[f]));
        nr_neuron_free(nn);
    }
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_fit(NR_NEURON_PERCEPTRON, logic_x, 4, 2, xor_t, &(nr_neuron_opts){.n_iter = 50}, &nn));
    if (nn) {
        CHECK(!nr_neuron_converged(nn));
        CHECK(nr_neuron_n_epochs(nn) == 50);
        CHECK(nr_neuron_errors(nn)[49] > 0);
        nr_neuron_free(nn);
    }
}

/* AND, w (0.1, -0.2), b 0, alpha 0.5, H(0) = 1:
 *   (0,0): z 0 -> y 1, t 0: b -0.5          (0,1): z -0.7 -> 0, right
 *   (1,0): z -0.4 -> 0, right               (1,1): z -0.6 -> 0, t 1: w (0.6, 0.3), b 0
 * two errors in the epoch. */
static void perceptron_first_epoch(void) {
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_fit(NR_NEURON_PERCEPTRON, logic_x, 4, 2, and_t,
                           &(nr_neuron_opts){.alpha = 0.5, .n_iter = 1, .init_weights = (const double[]){0.1, -0.2},
                                             .init_bias = (const double[]){0}},
                           &nn));
    if (!nn) return;
    CHECK_CLOSE(nr_neuron_weights(nn)[0], 0.6, 1e-15, 0);
    CHECK_CLOSE(nr_neuron_weights(nn)[1], 0.3, 1e-15, 0);
    CHECK_CLOSE(nr_neuron_bias(nn)[0], 0, 1e-15, 0);
    CHECK(nr_neuron_n_epochs(nn) == 1 && nr_neuron_errors(nn)[0] == 2 && !nr_neuron_converged(nn));
    nr_neuron_free(nn);
}

/* x 1 -> 1, x 2 -> 3, w 0.5, b 0, alpha 0.1:
 *   e = 1 - 0.5 = 0.5: w 0.55, b 0.05;  e = 3 - 1.15 = 1.85: w 0.92, b 0.235
 *   MSE after: ((1 - 1.155)^2 + (3 - 2.075)^2) / 2 = 0.439825 */
static void adaline_first_epoch(void) {
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_fit(NR_NEURON_ADALINE, (const double[]){1, 2}, 2, 1, (const double[]){1, 3},
                           &(nr_neuron_opts){.alpha = 0.1, .n_iter = 1, .init_weights = (const double[]){0.5},
                                             .init_bias = (const double[]){0}},
                           &nn));
    if (!nn) return;
    CHECK_CLOSE(nr_neuron_weights(nn)[0], 0.92, 1e-14, 0);
    CHECK_CLOSE(nr_neuron_bias(nn)[0], 0.235, 1e-14, 0);
    CHECK_CLOSE(nr_neuron_errors(nn)[0], 0.439825, 1e-14, 0);
    nr_neuron_free(nn);
}

/* Sigmoid, MSE, alpha 1, w 0, b 0: x 1, t 1: y 0.5, dz = -0.5 * 0.25:
 * w 0.125, b 0.125; x -1, t 0: z 0, y 0.5, dz 0.125: w 0.25, b 0. */
static void general_first_epoch(void) {
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_fit(NR_NEURON_GENERAL, (const double[]){1, -1}, 2, 1, (const double[]){1, 0},
                           &(nr_neuron_opts){.alpha = 1, .n_iter = 1, .init_weights = (const double[]){0},
                                             .init_bias = (const double[]){0}},
                           &nn));
    if (!nn) return;
    CHECK(nr_neuron_activation(nn) == NR_NEURON_ACT_SIGMOID && nr_neuron_cost_used(nn) == NR_NEURON_COST_MSE);
    CHECK_CLOSE(nr_neuron_weights(nn)[0], 0.25, 1e-15, 0);
    CHECK_CLOSE(nr_neuron_bias(nn)[0], 0, 1e-15, 0);
    nr_neuron_free(nn);
}

/* Softmax, CCE, K 2, alpha 1, W 0, b 0: x 1, class 0: y (0.5, 0.5),
 * dz (-0.5, 0.5): W (0.5, -0.5), b (0.5, -0.5); x -1, class 1: z (0, 0),
 * dz (0.5, -0.5): W (1, -1), b (0, 0). */
static void multiclass_first_epoch(void) {
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_fit(NR_NEURON_MULTICLASS, (const double[]){1, -1}, 2, 1, (const double[]){0, 1},
                           &(nr_neuron_opts){.alpha = 1, .n_iter = 1, .init_weights = (const double[]){0, 0},
                                             .init_bias = (const double[]){0, 0}},
                           &nn));
    if (!nn) return;
    const double *w = nr_neuron_weights(nn), *b = nr_neuron_bias(nn);
    CHECK(nr_neuron_n_outputs(nn) == 2 && nr_neuron_cost_used(nn) == NR_NEURON_COST_CCE);
    CHECK_CLOSE(w[0], 1, 1e-15, 0);
    CHECK_CLOSE(w[1], -1, 1e-15, 0);
    CHECK_CLOSE(b[0], 0, 1e-15, 0);
    CHECK_CLOSE(b[1], 0, 1e-15, 0);
    nr_neuron_free(nn);
}

/* ------------------------------------------------ reference gradients ---
 * The first update of a fit with alpha 1 is minus the gradient of the
 * first example's cost; compared with central differences of the cost
 * written out here. */
enum { GF = 3, GK = 3 };
static double first_w[GK * GF + GK];

static void keep_first(const nr_neuron_update *u, void *user) {
    if (u->epoch || u->example) return;
    memcpy(first_w, u->weights, sizeof(double) * (size_t)(u->n_inputs * u->n_outputs));
    memcpy(first_w + u->n_inputs * u->n_outputs, u->bias, sizeof(double) * (size_t)u->n_outputs);
}

/* The cost of one example for parameters p (W then b), K outputs. */
static double ref_cost(const double *p, int K, const double *x, int cls, nr_neuron_act act, nr_neuron_cost cost) {
    double y[GK], sum = 0, c = 0;
    for (int k = 0; k < K; k++) {
        double z = p[K * GF + k];
        for (int j = 0; j < GF; j++) z += p[k * GF + j] * x[j];
        y[k] = act == NR_NEURON_ACT_SIGMOID ? 1 / (1 + exp(-z)) : act == NR_NEURON_ACT_TANH ? tanh(z) : exp(z);
        sum += y[k];
    }
    for (int k = 0; k < K; k++) {
        if (act == NR_NEURON_ACT_SOFTMAX) y[k] /= sum;
        double t = k == cls ? 1 : act == NR_NEURON_ACT_TANH ? -1 : 0;
        c += cost == NR_NEURON_COST_MSE ? 0.5 * (t - y[k]) * (t - y[k])
             : cost == NR_NEURON_COST_BCE ? -(t * log(y[k]) + (1 - t) * log(1 - y[k]))
                                          : -t * log(y[k]);
    }
    return c;
}

static void gradient_case(nr_neuron_act act, nr_neuron_cost cost) {
    const double x[] = {0.3, -0.7, 1.1, -0.4, 0.2, 0.5}, t[] = {2, 0};
    double p0[GK * GF + GK] = {0.2, -0.1, 0.05, 0.3, 0.1, -0.25, -0.15, 0.2, 0.1, 0.05, -0.1, 0.02};
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_fit(NR_NEURON_MULTICLASS, x, 2, GF, t,
                           &(nr_neuron_opts){.alpha = 1, .n_iter = 1, .activation = act, .cost = cost,
                                             .n_classes = GK, .init_weights = p0, .init_bias = p0 + GK * GF,
                                             .trace = keep_first},
                           &nn));
    nr_neuron_free(nn);
    int bad = 0;
    for (int i = 0; i < GK * GF + GK; i++) {
        double p[GK * GF + GK], h = 1e-6;
        memcpy(p, p0, sizeof p);
        p[i] = p0[i] + h;
        double up = ref_cost(p, GK, x, 2, act, cost);
        p[i] = p0[i] - h;
        double fd = (up - ref_cost(p, GK, x, 2, act, cost)) / (2 * h);
        bad += fabs((p0[i] - first_w[i]) - fd) > 1e-8;
    }
    if (!CHECK(bad == 0)) printf("  gradient of %s/%s\n", nr_neuron_act_name(act), nr_neuron_cost_name(cost));
}

static void gradients(void) {
    gradient_case(NR_NEURON_ACT_SIGMOID, NR_NEURON_COST_MSE);
    gradient_case(NR_NEURON_ACT_SIGMOID, NR_NEURON_COST_BCE);
    gradient_case(NR_NEURON_ACT_TANH, NR_NEURON_COST_MSE);
    gradient_case(NR_NEURON_ACT_SOFTMAX, NR_NEURON_COST_MSE);
    gradient_case(NR_NEURON_ACT_SOFTMAX, NR_NEURON_COST_CCE);
}

/* ------------------------------------------------------------ ADALINE --- */
static uint64_t lcg = 12345;
static double uniform(void) {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg >> 11) * 0x1p-53 * 2 - 1;
}

/* Least squares for y ~ w0 x0 + w1 x1 + b by the normal equations,
 * solved by Gaussian elimination with partial pivoting. */
static void least_squares(const double *x, const double *t, int n, double *sol) {
    double a[3][4] = {{0}};
    for (int i = 0; i < n; i++) {
        double r[3] = {x[2 * i], x[2 * i + 1], 1};
        for (int p = 0; p < 3; p++) {
            for (int q = 0; q < 3; q++) a[p][q] += r[p] * r[q];
            a[p][3] += r[p] * t[i];
        }
    }
    for (int c = 0; c < 3; c++) {
        int piv = c;
        for (int r = c + 1; r < 3; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c])) piv = r;
        for (int q = 0; q < 4; q++) {
            double tmp = a[c][q];
            a[c][q] = a[piv][q];
            a[piv][q] = tmp;
        }
        for (int r = 0; r < 3; r++) {
            if (r == c) continue;
            double f = a[r][c] / a[c][c];
            for (int q = c; q < 4; q++) a[r][q] -= f * a[c][q];
        }
    }
    for (int c = 0; c < 3; c++) sol[c] = a[c][3] / a[c][c];
}

static void adaline_fits(double noise, double alpha, double tol) {
    enum { N = 20 };
    double x[2 * N], t[N], want[3];
    for (int i = 0; i < N; i++) {
        x[2 * i] = uniform();
        x[2 * i + 1] = uniform();
        t[i] = 2 * x[2 * i] - 3 * x[2 * i + 1] + 0.5 + noise * uniform();
    }
    least_squares(x, t, N, want);
    if (noise == 0) CHECK(fabs(want[0] - 2) < 1e-12 && fabs(want[1] + 3) < 1e-12 && fabs(want[2] - 0.5) < 1e-12);
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_fit(NR_NEURON_ADALINE, x, N, 2, t,
                           &(nr_neuron_opts){.alpha = alpha, .n_iter = 1000000, .bound = 1e-30, .random_state = 3},
                           &nn));
    if (!nn) return;
    CHECK_CLOSE(nr_neuron_weights(nn)[0], want[0], tol, 0);
    CHECK_CLOSE(nr_neuron_weights(nn)[1], want[1], tol, 0);
    CHECK_CLOSE(nr_neuron_bias(nn)[0], want[2], tol, 0);
    int e = nr_neuron_n_epochs(nn);
    CHECK(e >= 2 && nr_neuron_errors(nn)[e - 1] <= nr_neuron_errors(nn)[0]);
    nr_neuron_free(nn);
}

/* --------------------------------------------------------------- iris --- */
static void iris_softmax(void) {
    nr_csv *csv = NULL;
    nr_tensor *xt = NULL, *yt = NULL;
    if (!CHECK_OK(nr_csv_read(nr_test_path("data/iris.csv"), NULL, &csv))) return;
    CHECK_OK(nr_csv_to_xy(csv, "species", NULL, &xt, &yt, NULL));
    nr_csv_free(csv);
    if (!xt || !yt) return;
    int64_t n = xt->shape[0];
    int F = (int)xt->shape[1];
    double *x = malloc(sizeof(double) * (size_t)(n * F)), *t = malloc(sizeof(double) * (size_t)n),
           *pred = malloc(sizeof(double) * (size_t)n), *out = malloc(sizeof(double) * (size_t)(3 * n));
    for (int64_t i = 0; i < n * F; i++) x[i] = xt->data[i];
    for (int64_t i = 0; i < n; i++) t[i] = yt->data[i];
    nr_neuron *nn = NULL;
    CHECK_OK(nr_neuron_fit(NR_NEURON_MULTICLASS, x, n, F, t,
                           &(nr_neuron_opts){.alpha = 0.01, .n_iter = 300, .random_state = 1}, &nn));
    if (nn) {
        CHECK_OK(nr_neuron_predict(nn, x, n, pred));
        CHECK_OK(nr_neuron_predict_outputs(nn, x, n, out));
        int64_t right = 0;
        for (int64_t i = 0; i < n; i++) right += pred[i] == t[i];
        printf("  iris softmax accuracy %.3f after %d epochs\n", (double)right / (double)n, nr_neuron_n_epochs(nn));
        CHECK((double)right / (double)n >= 0.9);
        CHECK_CLOSE(out[0] + out[1] + out[2], 1, 1e-12, 0);
        nr_neuron_free(nn);
    }
    free(x), free(t), free(pred), free(out);
    nr_tensor_free(xt);
    nr_tensor_free(yt);
}

/* ---------------------------------------------------------- bad input --- */
static void bad_input(void) {
    nr_neuron *nn = NULL;
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_PERCEPTRON, logic_x, 4, 2, (const double[]){0, 2, 1, 0}, NULL, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "must be 0 or 1") != NULL);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_PERCEPTRON, logic_x, 4, 2, (const double[]){1, 1, 1, 1}, NULL, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "single class") != NULL);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_MULTICLASS, logic_x, 4, 2, (const double[]){2, 2, 2, 2}, NULL, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "single class") != NULL);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_MULTICLASS, logic_x, 4, 2, (const double[]){0, 1.5, 1, 0}, NULL, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_GENERAL, logic_x, 4, 2, (const double[]){0, 0, 0, 0}, NULL, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_GENERAL, logic_x, 4, 2, (const double[]){0, 2, 1, 0}, NULL, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_GENERAL, logic_x, 4, 2, and_t,
                               &(nr_neuron_opts){.activation = NR_NEURON_ACT_TANH, .cost = NR_NEURON_COST_BCE}, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "needs the sigmoid") != NULL);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_MULTICLASS, logic_x, 4, 2, and_t,
                               &(nr_neuron_opts){.activation = NR_NEURON_ACT_LINEAR}, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_MP, logic_x, 4, 2, and_t, NULL, &nn), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_ADALINE, logic_x, 0, 2, and_t, NULL, &nn), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_ADALINE, logic_x, 4, 2, and_t, &(nr_neuron_opts){.alpha = -1}, &nn),
                 NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_neuron_fit(NR_NEURON_ADALINE, (const double[]){1e200, 2e200}, 2, 1, (const double[]){1, 2},
                               &(nr_neuron_opts){.alpha = 1}, &nn),
                 NR_STATUS_NAN);
    CHECK(nn == NULL);
    nr_neuron_kind k;
    CHECK_STATUS(nr_neuron_kind_parse("hopfield", &k), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "mp, perceptron, adaline, general, multiclass") != NULL);
}

int main(void) {
    mcculloch_pitts();
    perceptron_logic();
    perceptron_first_epoch();
    adaline_first_epoch();
    general_first_epoch();
    multiclass_first_epoch();
    gradients();
    adaline_fits(0, 0.05, 1e-6);
    adaline_fits(0.05, 1e-4, 1e-4);
    iris_softmax();
    bad_input();
    return nr_test_finish();
}
