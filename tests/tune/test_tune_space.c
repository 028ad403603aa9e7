/* Search spaces: Keras Tuner's value rules (steps, log steps, defaults),
 * bad definitions, grid search enumerating exactly the product of the
 * space (conditions included), random search within bounds, log
 * sampling, conditions and seeds, and hp calls in SPEC files. */
#include <string.h>
#include "testutil.h"
#include "tune/hp_internal.h"

static nr_status zero(const nr_trial *t, nr_trial_result *r, void *user) {
    (void)t, (void)user;
    r->value = 0;
    return NR_OK;
}

static nr_tune_result *search(const nr_hp_space *s, nr_tuner_kind kind, int max_trials, uint64_t seed) {
    nr_tune_result *r = NULL;
    CHECK_OK(nr_tune(s, &(nr_tuner_opts){.kind = kind, .max_trials = max_trials, .seed = seed, .objective = "loss"},
                     zero, NULL, &r));
    return r;
}

static void test_values(void) {
    nr_hp_def d = {.name = "bs", .kind = NR_HP_INT, .min_value = 2, .max_value = 32, .step = 2, .sampling = NR_HP_LOG};
    CHECK(nr_hp_def_count(&d) == 5);
    int64_t want[] = {2, 4, 8, 16, 32};
    for (int k = 0; k < 5; k++) CHECK(nr_hp_def_grid_value(&d, k).i == want[k]);
    nr_hp_def e = {.name = "n", .kind = NR_HP_INT, .min_value = 6, .max_value = 13, .step = 3};
    CHECK(nr_hp_def_count(&e) == 3 && nr_hp_def_grid_value(&e, 2).i == 12);
    nr_hp_def f = {.name = "u", .kind = NR_HP_INT, .min_value = 6, .max_value = 12};
    CHECK(nr_hp_def_count(&f) == 7 && nr_hp_def_default(&f).i == 6);
    /* prob_to_value / value_to_prob as Keras Tuner: 7 cells of 1/7. */
    CHECK(nr_hp_def_from_prob(&f, 0.0).i == 6 && nr_hp_def_from_prob(&f, 0.999).i == 12);
    nr_hp_value v9 = nr_hp_int(9);
    CHECK_CLOSE(nr_hp_def_to_prob(&f, &v9), 3.5 / 7, 1e-12, 0);
    nr_hp_def lr = {.name = "lr", .kind = NR_HP_FLOAT, .min_value = 1e-4, .max_value = 1e-1, .sampling = NR_HP_LOG};
    CHECK_CLOSE(nr_hp_def_from_prob(&lr, 0.5).f, sqrt(1e-4 * 1e-1), 1e-15, 1e-12);
    CHECK(nr_hp_def_count(&lr) == 0);
    nr_hp_def c = {.name = "act", .kind = NR_HP_CHOICE, .n_values = 2, .values = {nr_hp_str("relu"), nr_hp_str("tanh")}};
    CHECK(!strcmp(nr_hp_def_default(&c).s, "relu"));
    nr_hp_def b = {.name = "drop", .kind = NR_HP_BOOLEAN};
    CHECK(nr_hp_def_default(&b).type == NR_HP_TYPE_BOOL && nr_hp_def_default(&b).i == 0);
    char buf[64];
    nr_hp_value x = nr_hp_float(0.001), one = nr_hp_float(1);
    CHECK(!strcmp(nr_hp_value_str(&x, buf, sizeof buf), "0.001"));
    CHECK(!strcmp(nr_hp_value_str(&one, buf, sizeof buf), "1.0"));
}

static void test_bad_defs(void) {
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    const nr_hp_def bad[] = {
        {.name = "", .kind = NR_HP_INT, .max_value = 3},
        {.name = "a", .kind = NR_HP_INT, .min_value = 5, .max_value = 3},
        {.name = "a", .kind = NR_HP_INT, .min_value = 0.5, .max_value = 3},
        {.name = "a", .kind = NR_HP_FLOAT, .min_value = 0, .max_value = 1, .sampling = NR_HP_LOG},
        {.name = "a", .kind = NR_HP_FLOAT, .min_value = 1, .max_value = 8, .step = 1, .sampling = NR_HP_LOG},
        {.name = "a", .kind = NR_HP_CHOICE, .n_values = 2, .values = {nr_hp_int(1), nr_hp_str("x")}},
        {.name = "a", .kind = NR_HP_CHOICE, .n_values = 2, .values = {nr_hp_int(1), nr_hp_int(1)}},
        {.name = "a", .kind = NR_HP_CHOICE},
        {.name = "a", .kind = NR_HP_INT, .max_value = 3, .has_default = 1, .default_value = {.type = NR_HP_TYPE_INT, .i = 9}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CHECK_STATUS(nr_hp_space_add(s, &bad[i]), NR_STATUS_BAD_ARGUMENT);
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "a", .kind = NR_HP_INT, .max_value = 3}));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "a", .kind = NR_HP_INT, .max_value = 3}));
    CHECK_STATUS(nr_hp_space_add(s, &(nr_hp_def){.name = "a", .kind = NR_HP_INT, .max_value = 4}), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "defined twice") != NULL);
    CHECK(nr_hp_space_count(s) == 1);
    nr_hp_space_free(s);
}

/* units: 3 values, act: 2, extra: Boolean with units2 (4 values) only
 * when extra: 3 * 2 * (1 + 4) = 30 distinct combinations. */
static nr_hp_space *conditional_space(void) {
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "units", .kind = NR_HP_INT, .min_value = 16, .max_value = 64, .step = 24}));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "act", .kind = NR_HP_CHOICE, .n_values = 2,
                                             .values = {nr_hp_str("relu"), nr_hp_str("tanh")}}));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "extra", .kind = NR_HP_BOOLEAN}));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "units2", .kind = NR_HP_INT, .min_value = 1, .max_value = 8,
                                             .step = 2, .sampling = NR_HP_LOG, .n_conds = 1,
                                             .conds = {{.parent = "extra", .n_values = 1, .values = {nr_hp_bool(1)}}}}));
    return s;
}

static void test_grid(void) {
    nr_hp_space *s = conditional_space();
    nr_tune_result *r = search(s, NR_TUNER_GRID, 0, 1);
    if (r) {
        CHECK(nr_tune_n_trials(r) == 30);
        int with_units2 = 0;
        for (int i = 0; i < nr_tune_n_trials(r); i++) {
            const nr_tune_trial *t = nr_tune_trial_at(r, i);
            int extra = (int)nr_hp_values_int(t->hp, "extra", -1);
            with_units2 += nr_hp_values_get(t->hp, "units2") != NULL;
            CHECK(extra == (nr_hp_values_get(t->hp, "units2") != NULL));
            for (int j = 0; j < i; j++) CHECK(!nr_hp_values_equal(t->hp, nr_tune_trial_at(r, j)->hp));
        }
        CHECK(with_units2 == 24);
        /* The last hyperparameter varies fastest. */
        CHECK(nr_hp_values_int(nr_tune_trial_at(r, 0)->hp, "units", 0) == 16);
        CHECK(nr_hp_values_int(nr_tune_trial_at(r, 29)->hp, "units", 0) == 64);
    }
    nr_tune_result_free(r);
    nr_hp_space_add(s, &(nr_hp_def){.name = "lr", .kind = NR_HP_FLOAT, .min_value = 1e-4, .max_value = 1e-1});
    nr_tune_result *g = NULL;
    CHECK_STATUS(nr_tune(s, &(nr_tuner_opts){.kind = NR_TUNER_GRID}, zero, NULL, &g), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "give it a step") != NULL);
    nr_hp_space_free(s);
}

static void test_random(void) {
    nr_hp_space *s = conditional_space();
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "lr", .kind = NR_HP_FLOAT, .min_value = 1e-4, .max_value = 1e-1,
                                             .sampling = NR_HP_LOG}));
    nr_tune_result *a = search(s, NR_TUNER_RANDOM, 400, 7), *b = search(s, NR_TUNER_RANDOM, 400, 7),
                   *c = search(s, NR_TUNER_RANDOM, 400, 8);
    if (a && b && c) {
        int below = 0, n = nr_tune_n_trials(a), same = 1, differ = 0, extra = 0;
        CHECK(n == 400);
        for (int i = 0; i < n; i++) {
            const nr_hp_values *v = nr_tune_trial_at(a, i)->hp;
            double lr = nr_hp_values_float(v, "lr", -1);
            int64_t u = nr_hp_values_int(v, "units", -1);
            CHECK(lr >= 1e-4 && lr <= 1e-1);
            CHECK(u == 16 || u == 40 || u == 64);
            below += lr < sqrt(1e-4 * 1e-1);  /* log sampling: half below the geometric mean */
            extra += (int)nr_hp_values_int(v, "extra", 0);
            CHECK(nr_hp_values_int(v, "extra", 0) == (nr_hp_values_get(v, "units2") != NULL));
            same &= nr_hp_values_equal(v, nr_tune_trial_at(b, i)->hp);
            differ += !nr_hp_values_equal(v, nr_tune_trial_at(c, i)->hp);
        }
        CHECK(below > 160 && below < 240);
        CHECK(extra > 160 && extra < 240);
        CHECK(same);
        CHECK(differ > 390);
    }
    nr_tune_result_free(a), nr_tune_result_free(b), nr_tune_result_free(c);
    nr_hp_space_free(s);
}

static const char *spec_text =
    "Input(shape=(4,))\n"
    "Dense(hp.Int(\"units\", 8, 32, step=8), activation=hp.Choice(\"act\", [\"relu\", \"tanh\"]))\n"
    "Dense(hp.Int(\"units2\", 4, 16, step=4)) if hp.Int(\"layers\", 1, 3) >= 2 else None\n"
    "Dropout(hp.Float(\"rate\", 0.1, 0.5, step=0.2)) if hp.Boolean(\"dropout\") else None\n"
    "Dense(3, activation=\"softmax\")\n"
    "compile(optimizer=Adam(learning_rate=hp.Float(\"lr\", 1e-4, 1e-1, sampling=\"log\", default=1e-3)),\n"
    "        loss=\"sparse_categorical_crossentropy\")\n";

static void test_spec(void) {
    nr_spec *sp = NULL;
    /* No values: every default, so the SPEC trains as it is. */
    if (CHECK_OK(nr_spec_load_string(spec_text, "t.nr", 1, &sp))) {
        CHECK(nr_model_n_layers(nr_spec_model(sp)) == 2);
        CHECK_CLOSE(nr_model_learning_rate(nr_spec_model(sp)), 1e-3, 1e-9, 0);
    }
    nr_spec_free(sp);
    nr_hp_values *v;
    CHECK_OK(nr_hp_values_new(&v));
    nr_hp_value three = nr_hp_int(3), yes = nr_hp_bool(1), lr = nr_hp_float(0.01);
    nr_hp_values_set(v, "layers", &three);
    nr_hp_values_set(v, "dropout", &yes);
    nr_hp_values_set(v, "lr", &lr);
    if (CHECK_OK(nr_spec_load_string_opts(spec_text, "t.nr", &(nr_spec_load_opts){.seed = 1, .hp = v}, &sp))) {
        CHECK(nr_model_n_layers(nr_spec_model(sp)) == 4);
        CHECK_CLOSE(nr_model_learning_rate(nr_spec_model(sp)), 0.01, 1e-9, 0);
    }
    nr_spec_free(sp);
    nr_hp_value bad = nr_hp_int(9);
    nr_hp_values_set(v, "layers", &bad);
    CHECK_STATUS(nr_spec_load_string_opts(spec_text, "t.nr", &(nr_spec_load_opts){.hp = v}, &sp), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "t.nr:3:") && strstr(nr_last_error(), "9 is not one of its values"));
    nr_hp_values_free(v);

    /* The whole space, with the branch not taken by default searched too. */
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    if (CHECK_OK(nr_spec_search_space_string(spec_text, "t.nr", s))) {
        CHECK(nr_hp_space_count(s) == 7);
        const nr_hp_def *u2 = nr_hp_space_find(s, "units2"), *rate = nr_hp_space_find(s, "rate");
        CHECK(u2 && u2->n_conds == 1 && !strcmp(u2->conds[0].parent, "layers") && u2->conds[0].n_values == 2 &&
              u2->conds[0].values[0].i == 2 && u2->conds[0].values[1].i == 3);
        CHECK(rate && rate->n_conds == 1 && !strcmp(rate->conds[0].parent, "dropout") && rate->conds[0].values[0].i == 1);
        CHECK(nr_hp_space_find(s, "lr")->sampling == NR_HP_LOG);
        /* grid over the discrete ones: 4 units x 2 act x (1 + 2 x 4) layers x (1 + 3) dropout */
        nr_hp_space *g;
        CHECK_OK(nr_hp_space_new(&g));
        for (int i = 0; i < nr_hp_space_count(s); i++)
            if (strcmp(nr_hp_space_get(s, i)->name, "lr")) CHECK_OK(nr_hp_space_add(g, nr_hp_space_get(s, i)));
        nr_tune_result *r = search(g, NR_TUNER_GRID, 0, 1);
        CHECK(r && nr_tune_n_trials(r) == 4 * 2 * 9 * 4);
        nr_tune_result_free(r);
        nr_hp_space_free(g);
    }
    nr_hp_space_free(s);
}

static void test_spec_explicit_parent(void) {
    const char *text = "n = hp.Int(\"n\", 1, 2)\n"
                       "u = hp.Int(\"u\", 1, 4, parent_name=\"n\", parent_values=[2])\n"
                       "Input(shape=(2,))\n"
                       "Dense(u) if n == 2 else Dense(1)\n";
    nr_spec *sp = NULL;
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    if (CHECK_OK(nr_spec_load_string_opts(text, "p.nr", &(nr_spec_load_opts){.space = s}, &sp)))
        CHECK(nr_model_n_layers(nr_spec_model(sp)) == 1);
    nr_spec_free(sp);
    CHECK(nr_hp_space_count(s) == 2 && nr_hp_space_find(s, "u")->n_conds == 1);
    nr_hp_space_free(s);
    nr_test_spec_fails("Dense(hp.Int(\"u\", 1))\n", NR_STATUS_BAD_ARGUMENT, "missing required argument 'max_value'");
    nr_test_spec_fails("Dense(hp.Int(\"u\", 1, 8, sampling=\"logg\"))\n", NR_STATUS_PARSE, "did you mean \"log\"");
    nr_test_spec_fails("x = hp.Int(\"u\", 1, 8)\ny = hp.Int(\"u\", 1, 9)\n", NR_STATUS_BAD_ARGUMENT, "defined twice");
    nr_test_spec_fails("x = hp.Int(\"u\", 1, 8, parent_name=\"zz\", parent_values=[1])\n", NR_STATUS_BAD_ARGUMENT,
                       "names no hyperparameter");
    nr_test_spec_fails("x = hp.Choice(\"a\", 3)\n", NR_STATUS_BAD_ARGUMENT, "values must be a list");
}

int main(void) {
    test_values();
    test_bad_defs();
    test_grid();
    test_random();
    test_spec();
    test_spec_explicit_parent();
    return nr_test_finish();
}
