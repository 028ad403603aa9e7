/* The oracles that propose trials: the sampling every tuner shares
 * (values from probabilities, respecting conditions), random search,
 * grid search, and the dispatch to Bayesian optimization and Hyperband. */
#include <math.h>
#include <string.h>
#include "tune/tune_internal.h"

#define MAX_DRAWS 100
#define MAX_GRID ((int64_t)1 << 40)

double nr_oracle_loss(const nr_tune_state *st, double value) {
    return st->o.direction == NR_MODE_MAX ? -value : value;
}

nr_status nr_oracle_from_probs(const nr_hp_space *s, const double *u, nr_hp_values **out) {
    NR_TRY(nr_hp_values_new(out));
    for (int i = 0; i < nr_hp_space_count(s); i++) {
        const nr_hp_def *d = nr_hp_space_get(s, i);
        if (!nr_hp_space_active(s, d, *out)) continue;
        nr_hp_value v = nr_hp_def_from_prob(d, u[i]);
        nr_status st = nr_hp_values_set(*out, d->name, &v);
        if (st != NR_OK) {
            nr_hp_values_free(*out);
            *out = NULL;
            return st;
        }
    }
    return NR_OK;
}

nr_status nr_oracle_random(const nr_tune_state *st, int id, int attempt, nr_hp_values **out) {
    int n = nr_hp_space_count(st->space);
    double *u = nr_malloc((size_t)(n + 1) * sizeof *u);
    if (!u) return NR_NOMEM();
    nr_rng r = {nr_splitmix64(st->o.seed ^ ((uint64_t)id << 20) ^ (uint64_t)attempt)};
    for (int i = 0; i < n; i++) u[i] = (double)(nr_rng_next(&r) >> 11) * (1.0 / 9007199254740992.0);
    nr_status s = nr_oracle_from_probs(st->space, u, out);
    nr_free(u);
    return s;
}

int nr_oracle_tried(const nr_tune_state *st, const nr_hp_values *v) {
    for (int i = 0; i < st->n; i++)
        if (nr_hp_values_equal(st->trials[i].hp, v)) return 1;
    return 0;
}

nr_status nr_oracle_fresh(const nr_tune_state *st, int id, nr_hp_values **out) {
    for (int attempt = 0; attempt < MAX_DRAWS; attempt++) {
        NR_TRY(nr_oracle_random(st, id, attempt, out));
        if (!nr_oracle_tried(st, *out)) return NR_OK;
        nr_hp_values_free(*out);
    }
    *out = NULL;
    return NR_OK;
}

/* --- grid ------------------------------------------------------------------ */

/* Combination k in mixed radix, the last hyperparameter fastest; inactive
 * ones are left out, so combinations differing only there repeat and
 * are skipped as tried. */
static nr_status grid_values(const nr_tune_state *st, int64_t k, nr_hp_values **out) {
    const nr_hp_space *s = st->space;
    int n = nr_hp_space_count(s);
    int64_t digit[64];
    for (int i = n - 1; i >= 0; i--) {
        int64_t c = nr_hp_def_count(nr_hp_space_get(s, i));
        digit[i] = k % c;
        k /= c;
    }
    NR_TRY(nr_hp_values_new(out));
    for (int i = 0; i < n; i++) {
        const nr_hp_def *d = nr_hp_space_get(s, i);
        if (!nr_hp_space_active(s, d, *out)) continue;
        nr_hp_value v = nr_hp_def_grid_value(d, digit[i]);
        nr_status e = nr_hp_values_set(*out, d->name, &v);
        if (e != NR_OK) {
            nr_hp_values_free(*out);
            return e;
        }
    }
    return NR_OK;
}

static nr_status grid_init(nr_tune_state *st) {
    const nr_hp_space *s = st->space;
    int n = nr_hp_space_count(s);
    if (n > 64) return nr_error(NR_STATUS_UNSUPPORTED, "grid search: at most 64 hyperparameters, got %d", n);
    st->grid_total = 1;
    for (int i = 0; i < n; i++) {
        const nr_hp_def *d = nr_hp_space_get(s, i);
        int64_t c = nr_hp_def_count(d);
        if (c == 0)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "grid search: Float(\"%s\") is continuous; give it a step, or "
                            "use random or bayesian search", d->name);
        if (st->grid_total > MAX_GRID / c)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "grid search: the space has more than 2^40 combinations");
        st->grid_total *= c;
    }
    return NR_OK;
}

static nr_status grid_next(nr_tune_state *st, nr_hp_values **out) {
    *out = NULL;
    while (st->grid_next < st->grid_total) {
        nr_hp_values *v;
        NR_TRY(grid_values(st, st->grid_next++, &v));
        if (!nr_oracle_tried(st, v)) {
            *out = v;
            return NR_OK;
        }
        nr_hp_values_free(v);
    }
    return NR_OK;
}

/* --- dispatch -------------------------------------------------------------- */

nr_status nr_oracle_init(nr_tune_state *st) {
    if (st->o.kind == NR_TUNER_GRID) return grid_init(st);
    if (st->o.kind == NR_TUNER_HYPERBAND) return nr_hyperband_init(st);
    return NR_OK;
}

void nr_oracle_free(nr_tune_state *st) { nr_hyperband_free(st); }

nr_status nr_oracle_next(nr_tune_state *st, int id, nr_proposal *p, nr_oracle_step *step) {
    memset(p, 0, sizeof *p);
    p->from_trial = p->iteration = p->bracket = p->round = -1;
    if (st->o.kind == NR_TUNER_HYPERBAND) return nr_hyperband_next(st, id, p, step);
    if (st->created >= st->o.max_trials) {
        *step = NR_ORACLE_DONE;
        return NR_OK;
    }
    if (st->o.kind == NR_TUNER_GRID) NR_TRY(grid_next(st, &p->hp));
    else if (st->o.kind == NR_TUNER_BAYESIAN) NR_TRY(nr_bayes_next(st, id, &p->hp));
    else NR_TRY(nr_oracle_fresh(st, id, &p->hp));
    *step = p->hp ? NR_ORACLE_TRIAL : NR_ORACLE_DONE;
    return NR_OK;
}

nr_status nr_oracle_restore(nr_tune_state *st, const nr_trec *t) {
    return st->o.kind == NR_TUNER_HYPERBAND ? nr_hyperband_restore(st, t) : NR_OK;
}
