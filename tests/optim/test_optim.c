/* Optimizers against real Keras 3: every case of tests/fixtures/optim
 * (written by scripts/gen_optim_fixtures.py) is replayed for five steps on
 * both the fast and the reference path, comparing the learning rate, the
 * weights after each step and the optimizer state after the last. Also:
 * schedule values, defaults and validation, names, state export/import,
 * no allocation in a step, fast vs reference on a large variable, and
 * clean failure when an allocation fails. */
#include <stdint.h>
#include <string.h>
#include "testutil.h"
#include "neurona/optim.h"

#define ATOL 1e-5
#define RTOL 1e-4

/* ---- fixture files: "name count v1 ... vcount" records ---------------- */

#define MAX_RECS 64

typedef struct record {
    char name[64];
    int count;
    double *v;
} record;

typedef struct fixture {
    int n;
    record rec[MAX_RECS];
} fixture;

static void fixture_free(fixture *f) {
    for (int i = 0; i < f->n; i++) free(f->rec[i].v);
    f->n = 0;
}

/* Returns 1 on success; on failure says why and returns 0. */
static int fixture_load(const char *rel, fixture *f) {
    memset(f, 0, sizeof *f);
    size_t len;
    char *text = nr_test_read_file(nr_test_path(rel), &len);
    if (!text) {
        fprintf(stderr, "FAIL cannot read %s (run scripts/gen_optim_fixtures.py)\n", rel);
        nr_test_failed++;
        return 0;
    }
    int ok = 1;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, "neurona-optim-fixture v1") != 0) {
        fprintf(stderr, "FAIL %s: not a v1 optimizer fixture\n", rel);
        ok = 0;
    }
    while (ok && (line = strtok_r(NULL, "\n", &save)) != NULL) {
        if (line[0] == '#' || line[0] == 0) continue;
        if (f->n == MAX_RECS) {
            ok = 0;
            break;
        }
        record *r = &f->rec[f->n];
        int used = 0;
        if (sscanf(line, "%63s %d%n", r->name, &r->count, &used) != 2 || r->count < 0 || r->count > 1000000) {
            ok = 0;
            break;
        }
        r->v = malloc(((size_t)r->count + 1) * sizeof *r->v);
        f->n++;
        char *p = line + used, *end;
        for (int i = 0; i < r->count; i++, p = end) {
            r->v[i] = strtod(p, &end);
            if (end == p) {
                ok = 0;
                break;
            }
        }
    }
    free(text);
    if (!ok) {
        fprintf(stderr, "FAIL %s: malformed fixture\n", rel);
        nr_test_failed++;
        fixture_free(f);
    }
    return ok;
}

static const record *fixture_get(const fixture *f, const char *name) {
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->rec[i].name, name) == 0) return &f->rec[i];
    return NULL;
}

static void to_floats(const record *r, float *out) {
    for (int i = 0; i < r->count; i++) out[i] = (float)r->v[i];
}

/* ---- the Keras cases, as in scripts/gen_optim_fixtures.py ------------- */

typedef struct optim_case {
    const char *name;
    nr_optimizer_opts opts;
    int b_no_weight_decay;      /* Keras: exclude_from_weight_decay(var_names=["b"]) */
} optim_case;

static const optim_case cases[] = {
    {"sgd", {.kind = NR_OPTIMIZER_SGD}, 0},
    {"sgd_momentum", {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f, .momentum = 0.9f}, 0},
    {"sgd_nesterov", {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f, .momentum = 0.9f, .nesterov = 1}, 0},
    {"sgd_weight_decay", {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f, .weight_decay = 0.05f}, 1},
    {"rmsprop", {.kind = NR_OPTIMIZER_DEFAULT}, 0},
    {"rmsprop_momentum", {.kind = NR_OPTIMIZER_RMSPROP, .learning_rate = 0.01f, .momentum = 0.5f}, 0},
    {"rmsprop_centered", {.kind = NR_OPTIMIZER_RMSPROP, .learning_rate = 0.01f, .centered = 1}, 0},
    {"rmsprop_centered_momentum",
     {.kind = NR_OPTIMIZER_RMSPROP, .learning_rate = 0.01f, .rho = 0.8f, .momentum = 0.9f, .centered = 1,
      .epsilon = 1e-6f}, 0},
    {"adam", {.kind = NR_OPTIMIZER_ADAM}, 0},
    {"adam_lr", {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.05f, .beta_1 = 0.8f, .beta_2 = 0.99f}, 0},
    {"adam_amsgrad", {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.05f, .beta_2 = 0.5f, .amsgrad = 1}, 0},
    {"adamw", {.kind = NR_OPTIMIZER_ADAMW}, 0},
    {"adamw_wd", {.kind = NR_OPTIMIZER_ADAMW, .learning_rate = 0.05f, .weight_decay = 0.1f}, 0},
    {"adagrad", {.kind = NR_OPTIMIZER_ADAGRAD}, 0},
    {"adagrad_lr", {.kind = NR_OPTIMIZER_ADAGRAD, .learning_rate = 0.1f, .initial_accumulator_value = 0.01f}, 0},
    {"adadelta", {.kind = NR_OPTIMIZER_ADADELTA}, 0},
    {"adadelta_lr", {.kind = NR_OPTIMIZER_ADADELTA, .learning_rate = 1.0f, .rho = 0.9f}, 0},
    {"nadam", {.kind = NR_OPTIMIZER_NADAM}, 0},
    {"nadam_lr", {.kind = NR_OPTIMIZER_NADAM, .learning_rate = 0.05f, .beta_1 = 0.8f}, 0},
    {"sgd_exponential",
     {.kind = NR_OPTIMIZER_SGD, .momentum = 0.9f,
      .schedule = {.kind = NR_LR_EXPONENTIAL_DECAY, .initial_learning_rate = 0.1f, .decay_steps = 2,
                   .decay_rate = 0.5f}}, 0},
    {"adam_exponential_staircase",
     {.kind = NR_OPTIMIZER_ADAM,
      .schedule = {.kind = NR_LR_EXPONENTIAL_DECAY, .initial_learning_rate = 0.05f, .decay_steps = 2,
                   .decay_rate = 0.5f, .staircase = 1}}, 0},
    {"adam_piecewise",
     {.kind = NR_OPTIMIZER_ADAM,
      .schedule = {.kind = NR_LR_PIECEWISE_CONSTANT, .n_boundaries = 2, .boundaries = {1, 3},
                   .values = {0.1f, 0.05f, 0.01f}}}, 0},
    {"adamw_cosine",
     {.kind = NR_OPTIMIZER_ADAMW, .weight_decay = 0.1f,
      .schedule = {.kind = NR_LR_COSINE_DECAY, .initial_learning_rate = 0.05f, .decay_steps = 4, .alpha = 0.1f}}, 0},
    {"sgd_cosine_warmup",
     {.kind = NR_OPTIMIZER_SGD,
      .schedule = {.kind = NR_LR_COSINE_DECAY, .initial_learning_rate = NR_OPTIM_ZERO, .decay_steps = 3,
                   .warmup_steps = 2, .warmup_target = 0.1f}}, 0},
    {"sgd_clipnorm", {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f, .clipnorm = 1.0f}, 0},
    {"adam_clipnorm", {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.05f, .clipnorm = 0.5f}, 0},
    {"sgd_clipvalue", {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f, .clipvalue = 0.5f}, 0},
    {"rmsprop_clipvalue", {.kind = NR_OPTIMIZER_RMSPROP, .learning_rate = 0.01f, .clipvalue = 0.3f}, 0},
    {"sgd_global_clipnorm", {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f, .global_clipnorm = 1.0f}, 0},
    {"nadam_global_clipnorm", {.kind = NR_OPTIMIZER_NADAM, .learning_rate = 0.05f, .global_clipnorm = 2.0f}, 0},
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

static void run_case(const optim_case *c, const fixture *f, int reference) {
    char what[160];
    const char *path = reference ? "reference" : "fast";
    const record *vars = fixture_get(f, "vars"), *w0 = fixture_get(f, "w0");
    if (!CHECK(vars && vars->count == 4 && w0)) return;
    nr_param_range ranges[2] = {
        {.offset = (size_t)vars->v[0], .size = (size_t)vars->v[1]},
        {.offset = (size_t)vars->v[2], .size = (size_t)vars->v[3], .no_weight_decay = c->b_no_weight_decay},
    };
    int n = w0->count;
    float *w = malloc((size_t)n * sizeof *w), *g = malloc((size_t)n * sizeof *g);
    float *want = malloc((size_t)n * sizeof *want);
    to_floats(w0, w);
    nr_optimizer *opt;
    if (!CHECK_OK(nr_optimizer_new(&c->opts, ranges, 2, &opt))) goto done;
    nr_optimizer_set_reference(opt, reference);
    CHECK(nr_optimizer_param_span(opt) == (size_t)n);
    for (int t = 1; t <= 5; t++) {
        char key[16];
        snprintf(key, sizeof key, "lr%d", t);
        const record *lr = fixture_get(f, key);
        snprintf(key, sizeof key, "g%d", t);
        const record *gr = fixture_get(f, key);
        snprintf(key, sizeof key, "w%d", t);
        const record *wr = fixture_get(f, key);
        if (!CHECK(lr && gr && wr && gr->count == n && wr->count == n)) break;
        snprintf(what, sizeof what, "%s (%s) learning rate before step %d", c->name, path, t);
        if (!nr_test_check_close(nr_optimizer_learning_rate(opt), lr->v[0], 1e-9, 1e-6, what, __FILE__, __LINE__))
            break;
        to_floats(gr, g);
        CHECK_OK(nr_optimizer_step(opt, w, g));
        to_floats(wr, want);
        snprintf(what, sizeof what, "%s (%s) weights after step %d", c->name, path, t);
        if (!nr_test_close_arrays(w, want, (size_t)n, ATOL, RTOL, what)) break;
    }
    CHECK(nr_optimizer_iterations(opt) == 5);
    /* the state after step 5, slot by slot, against Keras's variables */
    int n_fixture_slots = 0;
    for (int i = 0; i < f->n; i++) n_fixture_slots += strncmp(f->rec[i].name, "slot:", 5) == 0;
    snprintf(what, sizeof what, "%s: %d slots, Keras has %d", c->name, nr_optimizer_slot_count(opt), n_fixture_slots);
    nr_test_check(nr_optimizer_slot_count(opt) == n_fixture_slots, what, __FILE__, __LINE__);
    for (int s = 0; s < nr_optimizer_slot_count(opt); s++) {
        char key[80];
        snprintf(key, sizeof key, "slot:%s", nr_optimizer_slot_name(opt, s));
        const record *r = fixture_get(f, key);
        snprintf(what, sizeof what, "%s (%s) %s after step 5", c->name, path, key);
        if (!nr_test_check(r && r->count == n, what, __FILE__, __LINE__)) continue;
        to_floats(r, want);
        nr_test_close_arrays(nr_optimizer_state(opt) + (size_t)s * (size_t)n, want, (size_t)n, ATOL, RTOL, what);
    }
    const record *up = fixture_get(f, "scalar:u_product");
    size_t scalars = nr_optimizer_state_size(opt) - (size_t)nr_optimizer_slot_count(opt) * (size_t)n;
    CHECK(scalars == (up ? 1u : 0u));
    if (up && scalars == 1) CHECK_CLOSE(nr_optimizer_state(opt)[nr_optimizer_state_size(opt) - 1], up->v[0], 1e-7, 1e-5);
    nr_optimizer_free(opt);
done:
    free(w);
    free(g);
    free(want);
}

static void test_keras_fixtures(void) {
    for (int i = 0; i < N_CASES; i++) {
        char rel[128];
        fixture f;
        snprintf(rel, sizeof rel, "tests/fixtures/optim/%s.txt", cases[i].name);
        if (!fixture_load(rel, &f)) continue;
        run_case(&cases[i], &f, 0);
        run_case(&cases[i], &f, 1);
        fixture_free(&f);
    }
}

/* ---- schedules -------------------------------------------------------- */

static void test_schedules(void) {
    static const struct {
        const char *name;
        nr_lr_schedule s;
    } scheds[] = {
        {"exponential", {.kind = NR_LR_EXPONENTIAL_DECAY, .initial_learning_rate = 0.1f, .decay_steps = 3,
                         .decay_rate = 0.5f}},
        {"exponential_staircase", {.kind = NR_LR_EXPONENTIAL_DECAY, .initial_learning_rate = 0.1f,
                                   .decay_steps = 3, .decay_rate = 0.5f, .staircase = 1}},
        {"piecewise", {.kind = NR_LR_PIECEWISE_CONSTANT, .n_boundaries = 3, .boundaries = {2, 5, 10},
                       .values = {0.1f, 0.05f, 0.02f, 0.01f}}},
        {"cosine", {.kind = NR_LR_COSINE_DECAY, .initial_learning_rate = 0.1f, .decay_steps = 10, .alpha = 0.1f}},
        {"cosine_warmup", {.kind = NR_LR_COSINE_DECAY, .initial_learning_rate = NR_OPTIM_ZERO, .decay_steps = 10,
                           .warmup_steps = 4, .warmup_target = 0.1f}},
    };
    fixture f;
    if (!fixture_load("tests/fixtures/optim/schedules.txt", &f)) return;
    const record *steps = fixture_get(&f, "steps");
    for (size_t k = 0; steps && k < sizeof scheds / sizeof scheds[0]; k++) {
        const record *r = fixture_get(&f, scheds[k].name);
        if (!CHECK(r && r->count == steps->count)) continue;
        /* directly, and through an optimizer at those iterations */
        nr_optimizer *opt;
        if (!CHECK_OK(nr_optimizer_new(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_SGD, .schedule = scheds[k].s},
                                       NULL, 0, &opt)))
            continue;
        for (int i = 0; i < steps->count; i++) {
            char what[96];
            int64_t step = (int64_t)steps->v[i];
            snprintf(what, sizeof what, "%s at step %lld", scheds[k].name, (long long)step);
            nr_test_check_close(nr_lr_schedule_value(&scheds[k].s, step), r->v[i], 1e-9, 1e-5, what, __FILE__,
                                __LINE__);
            nr_optimizer_set_iterations(opt, step);
            nr_test_check_close(nr_optimizer_learning_rate(opt), r->v[i], 1e-9, 1e-5, what, __FILE__, __LINE__);
        }
        nr_optimizer_free(opt);
    }
    fixture_free(&f);

    /* set_learning_rate replaces a schedule by a constant */
    nr_optimizer *opt;
    nr_param_range one = {.offset = 0, .size = 1};
    float w = 1, g = 1;
    CHECK_OK(nr_optimizer_new(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_SGD, .schedule = scheds[0].s}, &one, 1,
                              &opt));
    CHECK_OK(nr_optimizer_step(opt, &w, &g));
    nr_optimizer_set_learning_rate(opt, 0.5f);
    CHECK(nr_optimizer_learning_rate(opt) == 0.5f);
    CHECK(nr_optimizer_get_opts(opt)->schedule.kind == NR_LR_CONSTANT);
    CHECK_OK(nr_optimizer_step(opt, &w, &g));
    CHECK(nr_optimizer_learning_rate(opt) == 0.5f && nr_optimizer_iterations(opt) == 2);
    CHECK_CLOSE(w, 1.0 - 0.1 - 0.5, 1e-6, 0);
    nr_optimizer_free(opt);
}

/* ---- defaults, validation, names -------------------------------------- */

static void test_defaults(void) {
    static const struct {
        nr_optimizer_kind kind;
        float lr;
    } lrs[] = {
        {NR_OPTIMIZER_DEFAULT, 0.001f}, {NR_OPTIMIZER_SGD, 0.01f},     {NR_OPTIMIZER_RMSPROP, 0.001f},
        {NR_OPTIMIZER_ADAM, 0.001f},    {NR_OPTIMIZER_ADAMW, 0.001f},  {NR_OPTIMIZER_ADAGRAD, 0.001f},
        {NR_OPTIMIZER_ADADELTA, 0.001f}, {NR_OPTIMIZER_NADAM, 0.001f},
    };
    nr_optimizer_opts o;
    for (size_t i = 0; i < sizeof lrs / sizeof lrs[0]; i++) {
        CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = lrs[i].kind}, &o));
        CHECK(o.learning_rate == lrs[i].lr);
        CHECK(o.kind != NR_OPTIMIZER_DEFAULT);
    }
    CHECK_OK(nr_optimizer_opts_defaults(NULL, &o));
    CHECK(o.kind == NR_OPTIMIZER_RMSPROP && o.rho == 0.9f && o.epsilon == 1e-7f && o.momentum == 0 && !o.centered);
    CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_ADAM}, &o));
    CHECK(o.beta_1 == 0.9f && o.beta_2 == 0.999f && o.epsilon == 1e-7f && o.weight_decay == 0 && !o.amsgrad);
    CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_ADAMW}, &o));
    CHECK(o.weight_decay == 0.004f);
    CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_ADAMW,
                                                             .weight_decay = NR_OPTIM_ZERO}, &o));
    CHECK(o.weight_decay == 0 && !signbit(o.weight_decay));
    CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_ADAM, .beta_1 = NR_OPTIM_ZERO},
                                        &o));
    CHECK(o.beta_1 == 0 && o.beta_2 == 0.999f);
    CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_ADAGRAD}, &o));
    CHECK(o.initial_accumulator_value == 0.1f && o.epsilon == 1e-7f);
    CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_ADADELTA}, &o));
    CHECK(o.rho == 0.95f && o.epsilon == 1e-7f);
    CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_NADAM}, &o));
    CHECK(o.beta_1 == 0.9f && o.beta_2 == 0.999f && o.epsilon == 1e-7f);
    CHECK_OK(nr_optimizer_opts_defaults(&(nr_optimizer_opts){.kind = NR_OPTIMIZER_SGD}, &o));
    CHECK(o.momentum == 0 && !o.nesterov && o.epsilon == 0);
    /* a schedule's initial rate defaults to the optimizer's */
    CHECK_OK(nr_optimizer_opts_defaults(
        &(nr_optimizer_opts){.kind = NR_OPTIMIZER_SGD,
                             .schedule = {.kind = NR_LR_EXPONENTIAL_DECAY, .decay_steps = 10, .decay_rate = 0.9f}},
        &o));
    CHECK(o.schedule.initial_learning_rate == 0.01f);

    /* invalid options name the field */
    static const struct {
        nr_optimizer_opts o;
        const char *says;
    } bad[] = {
        {{.kind = NR_OPTIMIZER_SGD, .amsgrad = 1}, "amsgrad"},
        {{.kind = NR_OPTIMIZER_ADAM, .momentum = 0.9f}, "momentum"},
        {{.kind = NR_OPTIMIZER_SGD, .momentum = 1.5f}, "momentum"},
        {{.kind = NR_OPTIMIZER_ADAM, .beta_1 = 1.0f}, "beta_1"},
        {{.kind = NR_OPTIMIZER_ADAM, .learning_rate = -1}, "learning_rate"},
        {{.kind = NR_OPTIMIZER_SGD, .clipnorm = 1, .clipvalue = 1}, "only one of"},
        {{.kind = NR_OPTIMIZER_SGD, .clipvalue = -1}, "clipvalue"},
        {{.kind = 99}, "kind"},
        {{.kind = NR_OPTIMIZER_SGD, .schedule = {.kind = NR_LR_EXPONENTIAL_DECAY, .decay_rate = 0.5f}},
         "decay_steps"},
        {{.kind = NR_OPTIMIZER_SGD, .schedule = {.kind = NR_LR_PIECEWISE_CONSTANT, .n_boundaries = 2,
                                                 .boundaries = {5, 5}, .values = {1, 1, 1}}},
         "increase"},
        {{.kind = NR_OPTIMIZER_SGD, .schedule = {.kind = NR_LR_PIECEWISE_CONSTANT}}, "n_boundaries"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nr_optimizer *opt = NULL;
        CHECK_STATUS(nr_optimizer_new(&bad[i].o, NULL, 0, &opt), NR_STATUS_BAD_ARGUMENT);
        if (!CHECK(strstr(nr_last_error(), bad[i].says) != NULL))
            fprintf(stderr, "  message was: %s (want '%s')\n", nr_last_error(), bad[i].says);
        CHECK(opt == NULL);
    }

    /* variables */
    nr_optimizer *opt;
    nr_param_range overlap[2] = {{.offset = 0, .size = 10}, {.offset = 5, .size = 10}};
    CHECK_STATUS(nr_optimizer_new(NULL, overlap, 2, &opt), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "overlap") != NULL);
    CHECK_STATUS(nr_optimizer_new(NULL, NULL, 3, &opt), NR_STATUS_BAD_ARGUMENT);
    /* no variables: a step does nothing, as Keras */
    CHECK_OK(nr_optimizer_new(NULL, NULL, 0, &opt));
    CHECK_OK(nr_optimizer_step(opt, NULL, NULL));
    CHECK(nr_optimizer_iterations(opt) == 0 && nr_optimizer_state_size(opt) == 0);
    nr_optimizer_free(opt);
    nr_param_range one = {.offset = 0, .size = 4};
    CHECK_OK(nr_optimizer_new(NULL, &one, 1, &opt));
    CHECK_STATUS(nr_optimizer_step(opt, NULL, NULL), NR_STATUS_BAD_ARGUMENT);
    CHECK(strcmp(nr_optimizer_slot_name(opt, 0), "velocity") == 0 && nr_optimizer_slot_name(opt, 1) == NULL);
    nr_optimizer_free(opt);
    nr_optimizer_free(NULL);
}

static void test_names(void) {
    static const struct {
        const char *s;
        nr_optimizer_kind k;
    } ok[] = {
        {"sgd", NR_OPTIMIZER_SGD},         {"SGD", NR_OPTIMIZER_SGD},         {"rmsprop", NR_OPTIMIZER_RMSPROP},
        {"RMSprop", NR_OPTIMIZER_RMSPROP}, {"adam", NR_OPTIMIZER_ADAM},       {"Adam", NR_OPTIMIZER_ADAM},
        {"ADAMW", NR_OPTIMIZER_ADAMW},     {"adagrad", NR_OPTIMIZER_ADAGRAD}, {"Adadelta", NR_OPTIMIZER_ADADELTA},
        {"nadam", NR_OPTIMIZER_NADAM},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        nr_optimizer_kind k = NR_OPTIMIZER_DEFAULT;
        CHECK_OK(nr_optimizer_kind_parse(ok[i].s, &k));
        CHECK(k == ok[i].k);
    }
    nr_optimizer_kind k;
    CHECK_STATUS(nr_optimizer_kind_parse("adamax", &k), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "'adamax'") != NULL);
    CHECK(strstr(nr_last_error(), "sgd, rmsprop, adam, adamw, adagrad, adadelta, nadam") != NULL);
    CHECK_STATUS(nr_optimizer_kind_parse("", &k), NR_STATUS_BAD_ARGUMENT);
    CHECK(strcmp(nr_optimizer_name(NR_OPTIMIZER_ADAM), "Adam") == 0);
    CHECK(strcmp(nr_optimizer_name(NR_OPTIMIZER_DEFAULT), "RMSprop") == 0);
    CHECK(strcmp(nr_optimizer_name(NR_OPTIMIZER_ADAMW), "AdamW") == 0);
    CHECK(strcmp(nr_optimizer_name(NR_OPTIMIZER_SGD), "SGD") == 0);
    CHECK(strcmp(nr_optimizer_name((nr_optimizer_kind)42), "unknown") == 0);
}

/* ---- larger problems: state round trip, allocation, fast vs ref ------- */

/* Option sets covering every kernel and clipping branch. */
static const nr_optimizer_opts variants[] = {
    {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.05f},
    {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.05f, .momentum = 0.9f, .clipnorm = 5.0f},
    {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.05f, .momentum = 0.8f, .nesterov = 1, .weight_decay = 0.01f},
    {.kind = NR_OPTIMIZER_RMSPROP, .clipvalue = 0.5f},
    {.kind = NR_OPTIMIZER_RMSPROP, .momentum = 0.9f, .centered = 1, .global_clipnorm = 20.0f},
    {.kind = NR_OPTIMIZER_RMSPROP, .centered = 1},
    {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.01f},
    {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.01f, .amsgrad = 1, .beta_2 = 0.9f, .clipnorm = 3.0f},
    {.kind = NR_OPTIMIZER_ADAMW, .learning_rate = 0.01f, .weight_decay = 0.05f,
     .schedule = {.kind = NR_LR_COSINE_DECAY, .initial_learning_rate = 0.02f, .decay_steps = 6, .alpha = 0.1f}},
    {.kind = NR_OPTIMIZER_ADAGRAD, .learning_rate = 0.05f},
    {.kind = NR_OPTIMIZER_ADADELTA, .learning_rate = 1.0f, .global_clipnorm = 50.0f},
    {.kind = NR_OPTIMIZER_NADAM, .learning_rate = 0.01f},
};
#define N_VARIANTS ((int)(sizeof variants / sizeof variants[0]))

/* A large variable (parallel path) between two small ones, with a gap. */
#define BIG 100003
static const nr_param_range big_vars[3] = {
    {.offset = 0, .size = 37},
    {.offset = 40, .size = BIG},
    {.offset = 40 + BIG, .size = 5, .no_weight_decay = 1},
};
#define BIG_SPAN (40 + BIG + 5)

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static float frand(void) { /* uniform in [-1, 1) */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((rng_state >> 40) * (1.0 / (1 << 23)) - 1.0);
}

static void fill(float *x, size_t n, float scale) {
    for (size_t i = 0; i < n; i++) x[i] = frand() * scale;
}

/* grads for step t of a run: deterministic, different per step */
static void grads_for(float *g, int t) {
    rng_state = 0x1234567ull + (uint64_t)t * 7919u;
    fill(g, BIG_SPAN, t % 2 ? 1.0f : 0.2f);
}

static void test_fast_vs_reference(void) {
    float *w[2], *g = malloc(BIG_SPAN * sizeof *g);
    w[0] = malloc(BIG_SPAN * sizeof(float));
    w[1] = malloc(BIG_SPAN * sizeof(float));
    for (int v = 0; v < N_VARIANTS; v++) {
        nr_optimizer *opt[2];
        rng_state = 42;
        fill(w[0], BIG_SPAN, 1.0f);
        memcpy(w[1], w[0], BIG_SPAN * sizeof(float));
        if (!CHECK_OK(nr_optimizer_new(&variants[v], big_vars, 3, &opt[0]))) continue;
        CHECK_OK(nr_optimizer_new(&variants[v], big_vars, 3, &opt[1]));
        nr_optimizer_set_reference(opt[0], 0);
        nr_optimizer_set_reference(opt[1], 1);
        int ok = 1;
        for (int t = 0; t < 8 && ok; t++) {
            for (int p = 0; p < 2; p++) {
                grads_for(g, t);
                CHECK_OK(nr_optimizer_step(opt[p], w[p], g));
            }
            char what[96];
            snprintf(what, sizeof what, "variant %d (%s) fast vs reference, step %d", v,
                     nr_optimizer_name(variants[v].kind), t + 1);
            ok = nr_test_close_arrays(w[0], w[1], BIG_SPAN, 1e-6, 1e-5, what);
        }
        nr_test_close_arrays(nr_optimizer_state(opt[0]), nr_optimizer_state(opt[1]), nr_optimizer_state_size(opt[0]),
                             1e-6, 1e-4, "fast vs reference state");
        /* the gap between variables is never touched */
        CHECK(w[0][37] == w[1][37] && w[0][39] == w[1][39]);
        nr_optimizer_free(opt[0]);
        nr_optimizer_free(opt[1]);
    }
    free(w[0]);
    free(w[1]);
    free(g);
}

static void test_state_roundtrip(void) {
    float *wa = malloc(BIG_SPAN * sizeof *wa), *wb = malloc(BIG_SPAN * sizeof *wb);
    float *g = malloc(BIG_SPAN * sizeof *g);
    for (int v = 0; v < N_VARIANTS; v++) {
        nr_optimizer *a, *b;
        rng_state = 7;
        fill(wa, BIG_SPAN, 1.0f);
        if (!CHECK_OK(nr_optimizer_new(&variants[v], big_vars, 3, &a))) continue;
        for (int t = 0; t < 3; t++) {
            grads_for(g, t);
            CHECK_OK(nr_optimizer_step(a, wa, g));
        }
        CHECK(nr_optimizer_state_size(a) ==
              (size_t)nr_optimizer_slot_count(a) * nr_optimizer_param_span(a) +
                  (variants[v].kind == NR_OPTIMIZER_NADAM ? 1u : 0u));
        /* "save" after 3 steps, restore into a fresh optimizer */
        CHECK_OK(nr_optimizer_new(&variants[v], big_vars, 3, &b));
        if (nr_optimizer_state_size(a)) memcpy(nr_optimizer_state(b), nr_optimizer_state(a),
                                               nr_optimizer_state_size(a) * sizeof(float));
        nr_optimizer_set_iterations(b, nr_optimizer_iterations(a));
        memcpy(wb, wa, BIG_SPAN * sizeof *wb);
        for (int t = 3; t < 6; t++) {
            grads_for(g, t);
            CHECK_OK(nr_optimizer_step(a, wa, g));
            grads_for(g, t);
            CHECK_OK(nr_optimizer_step(b, wb, g));
        }
        char what[96];
        snprintf(what, sizeof what, "variant %d (%s): restored optimizer continues identically", v,
                 nr_optimizer_name(variants[v].kind));
        nr_test_check(memcmp(wa, wb, BIG_SPAN * sizeof *wa) == 0 && nr_optimizer_iterations(b) == 6 &&
                          nr_optimizer_learning_rate(a) == nr_optimizer_learning_rate(b),
                      what, __FILE__, __LINE__);
        nr_optimizer_free(a);
        nr_optimizer_free(b);
    }
    free(wa);
    free(wb);
    free(g);
}

/* Counting allocation hook; fail_at > 0 makes that allocation fail. */
static long n_allocs, fail_at;

static void *count_malloc(size_t size, void *user) {
    (void)user;
    if (fail_at > 0 && ++n_allocs == fail_at) return NULL;
    if (fail_at == 0) n_allocs++;
    return malloc(size);
}

static void *count_realloc(void *p, size_t size, void *user) {
    (void)user;
    n_allocs++;
    return realloc(p, size);
}

static void count_free(void *p, void *user) {
    (void)user;
    free(p);
}

static const nr_alloc_hooks counting = {count_malloc, count_realloc, count_free, NULL};

static void test_no_allocation(void) {
    float *w = malloc(BIG_SPAN * sizeof *w), *g = malloc(BIG_SPAN * sizeof *g);
    rng_state = 3;
    fill(w, BIG_SPAN, 1.0f);
    nr_set_alloc_hooks(&counting);
    for (int v = 0; v < N_VARIANTS; v++) {
        for (int reference = 0; reference < 2; reference++) {
            nr_optimizer *opt;
            fail_at = 0;
            n_allocs = 0;
            if (!CHECK_OK(nr_optimizer_new(&variants[v], big_vars, 3, &opt))) continue;
            CHECK(n_allocs > 0); /* the hook is in use */
            nr_optimizer_set_reference(opt, reference);
            n_allocs = 0;
            for (int t = 0; t < 4; t++) {
                grads_for(g, t);
                CHECK_OK(nr_optimizer_step(opt, w, g));
            }
            char what[96];
            snprintf(what, sizeof what, "variant %d (%s, %s): %ld allocations in 4 steps", v,
                     nr_optimizer_name(variants[v].kind), reference ? "reference" : "fast", n_allocs);
            nr_test_check(n_allocs == 0, what, __FILE__, __LINE__);
            nr_optimizer_free(opt);
        }
    }
    /* the Nth allocation fails: a clean NO_MEMORY and no leak (ASan) */
    for (fail_at = 1; fail_at <= 10; fail_at++) {
        nr_optimizer *opt = (nr_optimizer *)&fail_at;
        n_allocs = 0;
        nr_status s = nr_optimizer_new(&variants[1], big_vars, 3, &opt);
        if (s == NR_OK) {
            nr_optimizer_free(opt);
            break;
        }
        CHECK(s == NR_STATUS_NO_MEMORY && opt == NULL);
    }
    CHECK(fail_at == 4); /* optimizer, variables, state: three allocations */
    fail_at = 0;
    nr_set_alloc_hooks(NULL);
    free(w);
    free(g);
}

int main(void) {
    test_keras_fixtures();
    test_schedules();
    test_defaults();
    test_names();
    test_fast_vs_reference();
    test_state_roundtrip();
    test_no_allocation();
    return nr_test_finish();
}
