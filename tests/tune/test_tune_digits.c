/* A small real search: the units and learning rate of an MLP on the
 * bundled 8x8 digits, trials two at a time, through the SPEC objective;
 * the best trial improves on the first, the best model is saved and
 * scores as its trial did, and Hyperband's promoted trials continue from
 * saved weights. */
#include <string.h>
#include <unistd.h>
#include "testutil.h"

static const char *spec =
    "Input(shape=(64,))\n"
    "Dense(hp.Int(\"units\", 8, 64, step=8), activation=\"relu\")\n"
    "Dense(10, activation=\"softmax\")\n"
    "compile(optimizer=Adam(learning_rate=hp.Float(\"lr\", 1e-4, 3e-2, sampling=\"log\")),\n"
    "        loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n"
    "fit(epochs=5, batch_size=32, validation_split=0.25)\n";

static int load_digits(nr_tensor **x, nr_tensor **y) {
    nr_csv *csv;
    nr_labels *labels = NULL;
    if (!CHECK_OK(nr_csv_read(nr_test_path("data/digits.csv.gz"), NULL, &csv))) return 0;
    int ok = CHECK_OK(nr_csv_to_xy(csv, "-1", &(nr_csv_xy_opts){.classification = 1}, x, y, &labels));
    for (int64_t i = 0; ok && i < nr_tensor_numel(*x); i++) (*x)->data[i] /= 16.0f;
    nr_labels_free(labels);
    nr_csv_free(csv);
    return ok;
}

static void test_random(const nr_tensor *x, const nr_tensor *y, const char *dir) {
    nr_hp_space *s;
    char best[512];
    snprintf(best, sizeof best, "%s/best.nrm", dir);
    CHECK_OK(nr_hp_space_new(&s));
    CHECK_OK(nr_spec_search_space_string(spec, "digits.nr", s));
    CHECK(nr_hp_space_count(s) == 2);
    nr_tune_spec_opts so = {.spec = spec, .spec_name = "digits.nr", .x = x, .y = y, .best_model = best};
    nr_tune_result *r = NULL;
    if (CHECK_OK(nr_tune(s, &(nr_tuner_opts){.kind = NR_TUNER_RANDOM, .objective = "val_accuracy", .max_trials = 5,
                                             .parallel = 2, .seed = 11},
                         nr_tune_spec_objective, &so, &r))) {
        const nr_tune_trial *first = nr_tune_trial_at(r, 0), *top = nr_tune_best(r, 0);
        CHECK(nr_tune_direction(r) == NR_MODE_MAX);
        printf("first trial val_accuracy %.4f, best %.4f (trial %d)\n", first->value, top->value, top->id);
        CHECK(top->value > first->value);
        CHECK(top->value > 0.9);
        CHECK(top->n_curve == 5 && top->curve[top->best_epoch] == top->value);
        /* The saved model is the best trial's. */
        nr_graph *g = NULL;
        nr_model *m = NULL;
        int64_t trainable = 0, fixed = 0, units = nr_hp_values_int(top->hp, "units", -1);
        if (CHECK_OK(nr_model_load(best, &g, &m))) nr_model_count_params(m, &trainable, &fixed);
        CHECK(trainable == 75 * units + 10);
        nr_graph_free(g);
    }
    nr_tune_result_free(r);
    nr_hp_space_free(s);
}

static void test_hyperband(const nr_tensor *x, const nr_tensor *y, const char *dir) {
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    CHECK_OK(nr_spec_search_space_string(spec, "digits.nr", s));
    nr_tune_spec_opts so = {.spec = spec, .spec_name = "digits.nr", .x = x, .y = y, .trial_dir = dir};
    nr_tune_result *r = NULL;
    if (CHECK_OK(nr_tune(s, &(nr_tuner_opts){.kind = NR_TUNER_HYPERBAND, .objective = "val_loss", .max_epochs = 4,
                                             .factor = 2, .parallel = 2, .seed = 3},
                         nr_tune_spec_objective, &so, &r))) {
        int promoted = 0;
        for (int i = 0; i < nr_tune_n_trials(r); i++) {
            const nr_tune_trial *t = nr_tune_trial_at(r, i);
            CHECK(t->status == NR_TRIAL_OK);
            if (t->from_trial < 0) continue;
            promoted++;
            /* It trained only the epochs past its parent's. */
            CHECK(t->n_curve == t->epochs - t->initial_epoch);
        }
        CHECK(promoted > 0);
    }
    nr_tune_result_free(r);
    nr_hp_space_free(s);
}

int main(void) {
    nr_tensor *x = NULL, *y = NULL;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/nr_tune_digits_%d", (int)getpid());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    nr_test_run(cmd, NULL);
    if (load_digits(&x, &y)) {
        test_random(x, y, dir);
        test_hyperband(x, y, dir);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    nr_test_run(cmd, NULL);
    return nr_test_finish();
}
