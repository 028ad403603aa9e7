/* Bayesian optimization: the GP's likelihood gradient against finite
 * differences, its fit interpolating what it saw, and the tuner finding
 * the minimum of Branin and of a 1-D quadratic in fewer evaluations
 * than random search, on average over seeds, by a margin. */
#include <string.h>
#include "testutil.h"
#include "tune/tune_internal.h"

#define SEEDS 5
#define BUDGET 50

typedef struct problem {
    double (*f)(const nr_hp_values *v);
    double target;  /* "found" below this */
} problem;

static double branin(const nr_hp_values *v) {
    double x = nr_hp_values_float(v, "x1", 0), y = nr_hp_values_float(v, "x2", 0);
    double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
    return pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * cos(x) + 10;
}

static double quadratic(const nr_hp_values *v) {
    double x = nr_hp_values_float(v, "x", 0);
    return (x - 0.3) * (x - 0.3);
}

/* The search stops once the target is reached. */
static nr_status objective(const nr_trial *t, nr_trial_result *r, void *user) {
    const problem *p = user;
    r->value = p->f(t->hp);
    r->stop = r->value < p->target;
    return NR_OK;
}

/* Evaluations until the best value is below target (BUDGET + 1 if never). */
static int evaluations(nr_hp_space *s, nr_tuner_kind kind, const problem *p, uint64_t seed) {
    nr_tune_result *r = NULL;
    int found = BUDGET + 1;
    if (!CHECK_OK(nr_tune(s, &(nr_tuner_opts){.kind = kind, .objective = "loss", .max_trials = BUDGET, .seed = seed},
                          objective, (void *)p, &r)))
        return found;
    const nr_tune_trial *last = nr_tune_trial_at(r, nr_tune_n_trials(r) - 1);
    if (last && last->value < p->target) found = nr_tune_n_trials(r);
    CHECK(nr_tune_n_trials(r) == found || found == BUDGET + 1);
    nr_tune_result_free(r);
    return found;
}

static void compare(nr_hp_space *s, const problem *p, const char *name, double margin) {
    double bo = 0, rs = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        bo += evaluations(s, NR_TUNER_BAYESIAN, p, seed) / (double)SEEDS;
        rs += evaluations(s, NR_TUNER_RANDOM, p, seed) / (double)SEEDS;
    }
    printf("%s: Bayesian optimization %.1f evaluations on average, random search %.1f\n", name, bo, rs);
    CHECK(bo <= margin * rs);
}

static void test_branin(void) {
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "x1", .kind = NR_HP_FLOAT, .min_value = -5, .max_value = 10}));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "x2", .kind = NR_HP_FLOAT, .min_value = 0, .max_value = 15}));
    compare(s, &(problem){branin, 0.397887 + 0.1}, "Branin", 0.6);
    nr_hp_space_free(s);
}

static void test_quadratic(void) {
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "x", .kind = NR_HP_FLOAT, .min_value = -2, .max_value = 2}));
    compare(s, &(problem){quadratic, 1e-4}, "quadratic", 0.5);
    nr_hp_space_free(s);
}

/* dL/dtheta against central differences, at a few kernel settings. */
static void test_gradient(void) {
    nr_rng rng = {11};
    double x[24], y[12];
    for (int i = 0; i < 24; i++) x[i] = (double)nr_rng_uniform(&rng);
    for (int i = 0; i < 12; i++) y[i] = sin(6 * x[2 * i]) + x[2 * i + 1];
    nr_gp gp;
    if (!CHECK_OK(nr_gp_fit(&gp, x, y, 12, 2, 1e-4, NULL, 3, &rng))) return;
    /* The fitted GP interpolates its points. */
    double mu, sd;
    nr_gp_predict(&gp, x + 6, &mu, &sd);
    CHECK_CLOSE(mu, y[3], 0.05, 0);
    CHECK(sd < 0.1);
    double at[][3] = {{-1.0, 0.2, 0.3}, {0.5, -0.7, -0.2}};
    for (int k = 0; k < 2; k++) {
        double grad[3], num[3];
        gp.log_ls[0] = at[k][0], gp.log_ls[1] = at[k][1], gp.log_amp = at[k][2];
        nr_gp_log_likelihood(&gp, grad);
        double *theta[3] = {&gp.log_ls[0], &gp.log_ls[1], &gp.log_amp};
        for (int j = 0; j < 3; j++) {
            double keep = *theta[j], h = 1e-5;
            *theta[j] = keep + h;
            double up = nr_gp_log_likelihood(&gp, NULL);
            *theta[j] = keep - h;
            double down = nr_gp_log_likelihood(&gp, NULL);
            *theta[j] = keep;
            num[j] = (up - down) / (2 * h);
            CHECK_CLOSE(grad[j], num[j], 1e-4, 1e-4);
        }
    }
    nr_gp_free(&gp);
}

int main(void) {
    test_gradient();
    test_quadratic();
    test_branin();
    return nr_test_finish();
}
