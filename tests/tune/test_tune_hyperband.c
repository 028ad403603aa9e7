/* Hyperband: the bracket schedule against Li et al. 2018 (Table 1 of the
 * JMLR paper: R = 81, eta = 3) and a run that follows it, promoting the
 * best trials of each round to continue training, in parallel too. */
#include <string.h>
#include "testutil.h"
#include "tune/tune_internal.h"

static void test_schedule(void) {
    /* Li et al., Table 1: for each s, (n_i, r_i) for i = 0..s. */
    static const int want[][3] = {
        {4, 81, 1}, {4, 27, 3}, {4, 9, 9}, {4, 3, 27}, {4, 1, 81},
        {3, 34, 3}, {3, 11, 9}, {3, 3, 27}, {3, 1, 81},
        {2, 15, 9}, {2, 5, 27}, {2, 1, 81},
        {1, 8, 27}, {1, 2, 81},
        {0, 5, 81},
    };
    nr_hb_round *r;
    int n;
    if (CHECK_OK(nr_hyperband_schedule(81, 3, &r, &n))) {
        CHECK(n == 15);
        for (int k = 0; k < n && k < 15; k++) CHECK(r[k].s == want[k][0] && r[k].n == want[k][1] && r[k].epochs == want[k][2]);
        nr_free(r);
    }
    /* R = 10, eta = 3: s_max 2, B = 30; bracket 2: n = ceil(30/10 * 9/3) = 9 at 10/9 -> 2 epochs, 3 at 4,
     * 1 at 10; bracket 1: ceil(3 * 3/2) = 5 at 4, 1 at 10; bracket 0: 3 at 10. */
    static const int want10[][3] = {{2, 9, 2}, {2, 3, 4}, {2, 1, 10}, {1, 5, 4}, {1, 1, 10}, {0, 3, 10}};
    if (CHECK_OK(nr_hyperband_schedule(10, 3, &r, &n))) {
        CHECK(n == 6);
        for (int k = 0; k < n && k < 6; k++)
            CHECK(r[k].s == want10[k][0] && r[k].n == want10[k][1] && r[k].epochs == want10[k][2]);
        nr_free(r);
    }
    CHECK_STATUS(nr_hyperband_schedule(9, 1, &r, &n), NR_STATUS_BAD_ARGUMENT);
}

/* A "model" whose loss falls with epochs towards (x - 0.7)^2; a promoted
 * trial must come from the same values and go on from initial_epoch. */
static nr_status curve(const nr_trial *t, nr_trial_result *r, void *user) {
    (void)user;
    double x = nr_hp_values_float(t->hp, "x", 0);
    r->value = (x - 0.7) * (x - 0.7) + 1.0 / t->epochs;
    r->best_epoch = t->epochs - 1;
    return NR_OK;
}

static void run(int parallel) {
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "x", .kind = NR_HP_FLOAT, .min_value = 0, .max_value = 1}));
    nr_tune_result *res = NULL;
    if (!CHECK_OK(nr_tune(s, &(nr_tuner_opts){.kind = NR_TUNER_HYPERBAND, .objective = "val_loss", .max_epochs = 27,
                                              .factor = 3, .seed = 5, .parallel = parallel},
                          curve, NULL, &res))) {
        nr_hp_space_free(s);
        return;
    }
    nr_hb_round *sched;
    int n_sched;
    CHECK_OK(nr_hyperband_schedule(27, 3, &sched, &n_sched));
    int total = 0;
    for (int k = 0; k < n_sched; k++) {
        int count = 0;
        total += sched[k].n;
        for (int i = 0; i < nr_tune_n_trials(res); i++) {
            const nr_tune_trial *t = nr_tune_trial_at(res, i);
            if (t->bracket != sched[k].s || t->round != sched[k].i) continue;
            count++;
            CHECK(t->epochs == sched[k].epochs);
            if (t->round == 0) {
                CHECK(t->from_trial == -1 && t->initial_epoch == 0);
                continue;
            }
            /* Promoted from the round before, same values, continuing. */
            const nr_tune_trial *from = NULL;
            for (int j = 0; j < nr_tune_n_trials(res); j++)
                if (nr_tune_trial_at(res, j)->id == t->from_trial) from = nr_tune_trial_at(res, j);
            CHECK(from && from->round == t->round - 1 && from->bracket == t->bracket);
            CHECK(from && nr_hp_values_equal(from->hp, t->hp) && t->initial_epoch == from->epochs);
            /* Only the best of that round go on: none left behind beats it. */
            int better_left = 0;
            for (int j = 0; from && j < nr_tune_n_trials(res); j++) {
                const nr_tune_trial *o = nr_tune_trial_at(res, j);
                if (o->bracket != from->bracket || o->round != from->round || o->value >= from->value) continue;
                int promoted = 0;
                for (int q = 0; q < nr_tune_n_trials(res); q++) promoted |= nr_tune_trial_at(res, q)->from_trial == o->id;
                better_left += !promoted;
            }
            CHECK(better_left == 0);
        }
        CHECK(count == sched[k].n);
    }
    CHECK(nr_tune_n_trials(res) == total);
    const nr_tune_trial *best = nr_tune_best(res, 0);
    CHECK(best && best->epochs == 27);
    nr_free(sched);
    nr_tune_result_free(res);
    nr_hp_space_free(s);
}

int main(void) {
    test_schedule();
    run(1);
    run(3);
    return nr_test_finish();
}
