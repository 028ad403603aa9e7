/* Bayesian optimization: after num_initial_points random trials, a
 * Gaussian process (gp.c) over the hyperparameters' probability space
 * (Keras Tuner's vectorization: each value at its place in [0, 1], an
 * inactive one at its default's) models the objective, minimized; the
 * next trial maximizes expected improvement
 *   EI(x) = (f* - mu - xi) Phi(z) + sd phi(z),  z = (f* - mu - xi) / sd
 * (xi = 0.01 sd of the observations), or minimizes mu - beta sd (UCB).
 * The maximum is searched by random candidates around the best points
 * and uniformly, then refined by a shrinking coordinate search. */
#include <math.h>
#include <string.h>
#include "tune/tune_internal.h"

#define N_UNIFORM 1000
#define N_LOCAL 200
#define N_REFINE 5

typedef struct bayes {
    nr_tune_state *st;
    nr_gp gp;
    int d;
    double best, xi;
    nr_rng rng;
} bayes;

static double acquisition(const bayes *b, const double *u) {
    double mu, sd;
    nr_gp_predict(&b->gp, u, &mu, &sd);
    if (b->st->o.acquisition == NR_ACQ_UCB) return -(mu - b->st->o.beta * sd);
    double imp = b->best - mu - b->xi, z = imp / sd;
    return imp * 0.5 * erfc(-z / sqrt(2)) + sd * exp(-0.5 * z * z) / sqrt(2 * M_PI);
}

/* The finished trials as points and losses. */
static nr_status observations(const nr_tune_state *st, double **x, double **y, int *n) {
    int d = nr_hp_space_count(st->space), k = 0;
    *x = nr_malloc((size_t)(st->n * d + 1) * sizeof **x);
    *y = nr_malloc((size_t)(st->n + 1) * sizeof **y);
    if (!*x || !*y) return NR_NOMEM();
    for (int i = 0; i < st->n; i++) {
        const nr_trec *t = &st->trials[i];
        if (!t->finished || t->pub.status != NR_TRIAL_OK || !isfinite(t->pub.value)) continue;
        for (int j = 0; j < d; j++) {
            const nr_hp_def *def = nr_hp_space_get(st->space, j);
            const nr_hp_value *v = nr_hp_values_get(t->hp, def->name);
            nr_hp_value dv = nr_hp_def_default(def);
            (*x)[k * d + j] = nr_hp_def_to_prob(def, v ? v : &dv);
        }
        (*y)[k++] = nr_oracle_loss(st, t->pub.value);
    }
    *n = k;
    return NR_OK;
}

static double clamp01(double v) { return v < 0 ? 0 : v >= 1 ? 1 - 1e-9 : v; }

/* Coordinate search from u, the step halving from 0.1 to 0.01. */
static double refine(const bayes *b, double *u, double score) {
    for (double step = 0.1; step >= 0.01; step /= 2)
        for (int better = 1; better;) {
            better = 0;
            for (int j = 0; j < b->d; j++)
                for (int sgn = -1; sgn <= 1; sgn += 2) {
                    double old = u[j];
                    u[j] = clamp01(old + sgn * step);
                    double s = acquisition(b, u);
                    if (s > score + 1e-15) score = s, better = 1;
                    else u[j] = old;
                }
        }
    return score;
}

typedef struct cand {
    double score;
    double *u;
} cand;

static int by_score(const void *a, const void *b) {
    double x = ((const cand *)a)->score, y = ((const cand *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Candidates: uniform points and points near the best observations. */
static void propose(bayes *b, const double *x, const double *y, int n, cand *c, int nc, double *buf) {
    int order[N_REFINE], m = 0;
    for (int r = 0; r < N_REFINE && r < n; r++) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            int used = 0;
            for (int k = 0; k < m; k++) used |= order[k] == i;
            if (!used && (best < 0 || y[i] < y[best])) best = i;
        }
        order[m++] = best;
    }
    for (int i = 0; i < nc; i++) {
        double *u = buf + (size_t)i * b->d;
        for (int j = 0; j < b->d; j++) {
            if (i < N_LOCAL && m > 0) u[j] = clamp01(x[order[i % m] * b->d + j] + 0.05 * nr_rng_normal(&b->rng));
            else u[j] = (double)nr_rng_uniform(&b->rng);
        }
        c[i] = (cand){acquisition(b, u), u};
    }
    qsort(c, (size_t)nc, sizeof *c, by_score);
    for (int i = 0; i < N_REFINE; i++) c[i].score = refine(b, c[i].u, c[i].score);
    qsort(c, (size_t)nc, sizeof *c, by_score);
}

/* The best candidate whose values were not tried yet. */
static nr_status pick(bayes *b, const cand *c, int nc, nr_hp_values **out) {
    for (int i = 0; i < nc; i++) {
        NR_TRY(nr_oracle_from_probs(b->st->space, c[i].u, out));
        if (!nr_oracle_tried(b->st, *out)) return NR_OK;
        nr_hp_values_free(*out);
    }
    *out = NULL;
    return NR_OK;
}

/* Each fit starts from the last one's kernel and a random point (every
 * fourth from two), so a poor optimum is left behind. */
static nr_status fit(bayes *b, const double *x, const double *y, int n) {
    nr_tune_state *st = b->st;
    int warm = st->gp_fits > 0;
    NR_TRY(nr_gp_fit(&b->gp, x, y, n, b->d, st->o.alpha, warm ? st->gp_theta : NULL,
                     warm && st->gp_fits % 4 ? 2 : 3, &b->rng));
    memcpy(st->gp_theta, b->gp.log_ls, (size_t)b->d * sizeof *st->gp_theta);
    st->gp_theta[b->d] = b->gp.log_amp;
    st->gp_fits++;
    return NR_OK;
}

static nr_status suggest(bayes *b, const double *x, const double *y, int n, nr_hp_values **out) {
    NR_TRY(fit(b, x, y, n));
    b->best = y[0];
    for (int i = 1; i < n; i++) b->best = fmin(b->best, y[i]);
    b->xi = 0.01 * b->gp.sd;
    int nc = N_UNIFORM + N_LOCAL;
    cand *c = nr_malloc((size_t)nc * sizeof *c);
    double *buf = nr_malloc((size_t)nc * b->d * sizeof *buf);
    nr_status s = c && buf ? NR_OK : NR_NOMEM();
    if (s == NR_OK) {
        propose(b, x, y, n, c, nc, buf);
        s = pick(b, c, nc, out);
    }
    nr_free(c);
    nr_free(buf);
    nr_gp_free(&b->gp);
    return s;
}

nr_status nr_bayes_next(nr_tune_state *st, int id, nr_hp_values **out) {
    bayes b = {.st = st, .d = nr_hp_space_count(st->space)};
    b.rng.s = nr_splitmix64(st->o.seed ^ 0xBA7E5ull ^ ((uint64_t)id << 24));
    double *x = NULL, *y = NULL;
    int n = 0;
    nr_status s = NR_OK;
    *out = NULL;
    if (st->created >= st->o.num_initial_points && b.d > 0) s = observations(st, &x, &y, &n);
    if (s == NR_OK && n >= 2) s = suggest(&b, x, y, n, out);
    nr_free(x);
    nr_free(y);
    if (s == NR_OK && !*out) s = nr_oracle_fresh(st, id, out);
    return s;
}
