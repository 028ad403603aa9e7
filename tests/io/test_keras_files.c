/* Keras model files both ways. Real Keras files (scripts/gen_keras_files.py:
 * small models covering every layer class neurona has, saved as .h5,
 * .keras, .weights.h5 and .json with Keras's inputs and predictions)
 * load in neurona and predict the same to 1e-5; neurona writes them back
 * as .keras, .h5 and .weights.h5, reads its own files again and predicts
 * the same. With NEURONA_KERAS_OUT=DIR the files neurona writes, and its
 * inputs and predictions, go to DIR for the reverse check in Keras:
 *   scripts/gen_keras_files.py --check-neurona DIR
 * Then bad input: a truncated .h5, a .keras archive without a member, a
 * config naming a layer neurona lacks, weights that do not fit the model
 * (with and without skip_mismatch, by order and by name). */
#include <string.h>
#include <unistd.h>
#include "io/keras_internal.h"
#include "ops/fixture.h"
#include "testutil.h"

#define TOL 1e-5

static const char *const cases[] = {"mlp", "cnn", "cnn2", "seq1d", "rnn", "rnn2", "func"};
#define N_CASES ((int)(sizeof cases / sizeof *cases))

static const char *fixture_path(const char *name, const char *ext) {
    static char buf[512];
    snprintf(buf, sizeof buf, "%s", nr_test_path("tests/fixtures/kerasfiles/"));
    size_t n = strlen(buf);
    snprintf(buf + n, sizeof buf - n, "%s%s", name, ext);
    return buf;
}

static const fx_tensor *tensor(const fixture *fx, char kind, int i) {
    char name[16];
    snprintf(name, sizeof name, "%c%d", kind, i);
    for (int k = 0; k < fx->n; k++)
        if (!strcmp(fx->t[k].name, name)) return &fx->t[k];
    return NULL;
}

/* Predicts the fixture's x with m; compares with its y. */
static void check_predictions(nr_model *m, const fixture *fx, const char *what) {
    int n_in = nr_model_n_inputs(m), n_out = nr_model_n_outputs(m);
    nr_tensor *x[8] = {0}, *y[8] = {0};
    for (int i = 0; i < n_in; i++) {
        const fx_tensor *t = tensor(fx, 'x', i);
        if (!CHECK(t != NULL)) return;
        CHECK_OK(nr_tensor_wrap(&x[i], t->v, t->ndim, t->dims));
    }
    if (CHECK_OK(nr_model_predict(m, (const nr_tensor *const *)x, 32, y))) {
        for (int i = 0; i < n_out; i++) {
            const fx_tensor *want = tensor(fx, 'y', i);
            if (!CHECK(want != NULL) || !CHECK(nr_tensor_numel(y[i]) == want->n)) continue;
            if (!nr_test_close_arrays(y[i]->data, want->v, (size_t)want->n, TOL, TOL, what))
                fprintf(stderr, "  %s: output %d differs from Keras's\n", what, i);
        }
    }
    for (int i = 0; i < n_in; i++) nr_tensor_free(x[i]);
    for (int i = 0; i < n_out; i++) nr_tensor_free(y[i]);
}

static void load_and_check(const char *name, const char *ext, const fixture *fx) {
    char what[64];
    snprintf(what, sizeof what, "%s%s", name, ext);
    nr_graph *g = NULL;
    nr_model *m = NULL;
    if (CHECK_OK(nr_model_load(fixture_path(name, ext), &g, &m))) check_predictions(m, fx, what);
    else fprintf(stderr, "  %s: %s\n", what, nr_last_error());
    nr_graph_free(g);
}

/* The .json config builds the architecture; the .weights.h5 brings the weights. */
static void json_and_weights(const char *name, const fixture *fx) {
    nr_spec *spec = NULL;
    char what[64];
    snprintf(what, sizeof what, "%s.json + .weights.h5", name);
    if (!CHECK_OK(nr_spec_load_file(fixture_path(name, ".json"), 7, &spec))) {
        fprintf(stderr, "  %s: %s\n", what, nr_last_error());
        return;
    }
    nr_model *m = nr_spec_model(spec);
    if (CHECK_OK(nr_model_load_weights(m, fixture_path(name, ".weights.h5"), NULL))) check_predictions(m, fx, what);
    else fprintf(stderr, "  %s: %s\n", what, nr_last_error());
    nr_spec_free(spec);
}

static void write_tensor(FILE *f, const char *name, const float *v, int ndim, const int64_t *dims) {
    int64_t n = 1;
    fprintf(f, "%s %d", name, ndim);
    for (int i = 0; i < ndim; i++) {
        fprintf(f, " %lld", (long long)dims[i]);
        n *= dims[i];
    }
    for (int64_t i = 0; i < n; i++) fprintf(f, " %.9g", v[i]);
    fprintf(f, "\n");
}

/* neurona's inputs and predictions for the reverse check. */
static void write_io(nr_model *m, const fixture *fx, const char *path) {
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL)) return;
    fprintf(f, "neurona-op-fixtures 1\n# neurona's predictions, for scripts/gen_keras_files.py --check-neurona\n");
    int n_in = nr_model_n_inputs(m), n_out = nr_model_n_outputs(m);
    nr_tensor *x[8] = {0}, *y[8] = {0};
    for (int i = 0; i < n_in; i++) {
        const fx_tensor *t = tensor(fx, 'x', i);
        char nm[16];
        snprintf(nm, sizeof nm, "x%d", i);
        write_tensor(f, nm, t->v, t->ndim, t->dims);
        CHECK_OK(nr_tensor_wrap(&x[i], t->v, t->ndim, t->dims));
    }
    if (CHECK_OK(nr_model_predict(m, (const nr_tensor *const *)x, 32, y)))
        for (int i = 0; i < n_out; i++) {
            char nm[16];
            snprintf(nm, sizeof nm, "y%d", i);
            write_tensor(f, nm, y[i]->data, y[i]->ndim, y[i]->shape);
        }
    for (int i = 0; i < n_in; i++) nr_tensor_free(x[i]);
    for (int i = 0; i < n_out; i++) nr_tensor_free(y[i]);
    fclose(f);
}

/* Loads the Keras .h5, writes .keras, .h5 and .weights.h5, reads them back. */
static void round_trip(const char *name, const fixture *fx, const char *dir) {
    nr_graph *g = NULL;
    nr_model *m = NULL;
    if (!CHECK_OK(nr_model_load(fixture_path(name, ".h5"), &g, &m))) return;
    char path[3][600], what[64];
    static const char *const ext[3] = {".keras", ".h5", ".weights.h5"};
    for (int k = 0; k < 3; k++) snprintf(path[k], sizeof path[k], "%s/%s%s", dir, name, ext[k]);
    CHECK_OK(nr_keras_save(m, path[0]));
    CHECK_OK(nr_keras_save(m, path[1]));
    CHECK_OK(nr_model_save_weights(m, path[2]));
    char io[600];
    snprintf(io, sizeof io, "%s/%s.txt", dir, name);
    write_io(m, fx, io);
    for (int k = 0; k < 2; k++) {
        nr_graph *g2 = NULL;
        nr_model *m2 = NULL;
        snprintf(what, sizeof what, "neurona's %s%s", name, ext[k]);
        if (CHECK_OK(nr_model_load(path[k], &g2, &m2))) check_predictions(m2, fx, what);
        else fprintf(stderr, "  %s: %s\n", what, nr_last_error());
        nr_graph_free(g2);
    }
    /* The weights-only file into a fresh copy of the architecture. */
    nr_spec *spec = NULL;
    snprintf(what, sizeof what, "neurona's %s.weights.h5", name);
    if (CHECK_OK(nr_spec_load_file(fixture_path(name, ".json"), 11, &spec))) {
        if (CHECK_OK(nr_model_load_weights(nr_spec_model(spec), path[2], NULL)))
            check_predictions(nr_spec_model(spec), fx, what);
        nr_spec_free(spec);
    }
    nr_graph_free(g);
}

static void test_cases(const char *dir) {
    for (int i = 0; i < N_CASES; i++) {
        fixture fx;
        char rel[128];
        snprintf(rel, sizeof rel, "tests/fixtures/kerasfiles/%s.txt", cases[i]);
        if (!fx_load(&fx, rel)) continue;
        load_and_check(cases[i], ".h5", &fx);
        load_and_check(cases[i], ".keras", &fx);
        json_and_weights(cases[i], &fx);
        round_trip(cases[i], &fx, dir);
        fx_free(&fx);
    }
}

/* --- bad input ------------------------------------------------------------------ */

static void expect_load_error(const char *path, const char *needle) {
    nr_graph *g = NULL;
    nr_model *m = NULL;
    nr_status s = nr_model_load(path, &g, &m);
    CHECK(s != NR_OK);
    if (s != NR_OK && !CHECK(strstr(nr_last_error(), needle) != NULL))
        fprintf(stderr, "  wanted \"%s\" in: %s\n", needle, nr_last_error());
    CHECK(g == NULL && m == NULL);
    nr_graph_free(g);
}

static void write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!CHECK(f != NULL)) return;
    CHECK(fwrite(data, 1, n, f) == n);
    fclose(f);
}

static void test_truncated(const char *dir) {
    size_t n;
    char *h5 = nr_test_read_file(fixture_path("mlp", ".h5"), &n);
    if (!CHECK(h5 != NULL)) return;
    char path[600];
    snprintf(path, sizeof path, "%s/truncated.h5", dir);
    size_t cuts[] = {n / 2, n - 100, 8, 2000};
    for (int i = 0; i < 4; i++) {
        write_file(path, h5, cuts[i]);
        expect_load_error(path, "truncated.h5");
    }
    free(h5);
}

/* A .keras archive without one member, made with the zip tool when present. */
static void test_missing_member(const char *dir) {
    char cmd[2048], path[600];
    snprintf(path, sizeof path, "%s/nocfg.keras", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && zip -q -d '%s' config.json", fixture_path("mlp", ".keras"), path, path);
    if (nr_test_run(cmd, NULL) == 0) expect_load_error(path, "config.json");
    snprintf(path, sizeof path, "%s/noweights.keras", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && zip -q -d '%s' model.weights.h5", fixture_path("mlp", ".keras"), path, path);
    if (nr_test_run(cmd, NULL) == 0) expect_load_error(path, "model.weights.h5");
    /* Not a zip at all, but starting like one. */
    snprintf(path, sizeof path, "%s/fake.keras", dir);
    write_file(path, "PK\x03\x04garbage", 11);
    expect_load_error(path, "fake.keras");
}

static void spec_fails(const char *json, const char *needle) {
    char dir[] = "/tmp/nr_kerasjson_XXXXXX", path[64];
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    snprintf(path, sizeof path, "%s/model.json", dir);
    write_file(path, json, strlen(json));
    nr_spec *spec = NULL;
    nr_status s = nr_spec_load_file(path, 1, &spec);
    CHECK(s != NR_OK && spec == NULL);
    if (s != NR_OK && !CHECK(strstr(nr_last_error(), needle) != NULL))
        fprintf(stderr, "  wanted \"%s\" in: %s\n", needle, nr_last_error());
    nr_spec_free(spec);
    remove(path);
    rmdir(dir);
}

static void test_bad_configs(void) {
    spec_fails("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
               "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"name\": \"in\"}},"
               "{\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"name\": \"d\"}},"
               "{\"class_name\": \"MultiHeadAttention\", \"config\": {\"num_heads\": 2, \"key_dim\": 2, \"name\": \"mha\"}}]}}",
               "layer \"mha\" of class MultiHeadAttention");
    spec_fails("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": "
               "{\"units\": 3, \"name\": \"d\", \"kernel_constraint\": {\"class_name\": \"MaxNorm\", \"config\": {}}}}]}}",
               "MaxNorm");
    spec_fails("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": "
               "{\"units\": \"three\", \"name\": \"d\"}}]}}",
               "layer \"d\"");
    spec_fails("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": "
               "{\"units\": 3, \"name\": \"d\", \"lora_rank\": 4}}]}}",
               "lora_rank");
    spec_fails("{\"class_name\": \"Functional\", \"config\": {\"layers\": [], \"input_layers\": [[\"x\", 0, 0]]}}",
               "lacks");
    spec_fails("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [", "not valid JSON");
    spec_fails("{\"class_name\": \"Conv2D\"}", "not a Sequential or Functional");
}

/* Keras 2's layouts: a tf.keras config (nested-list inbound_nodes,
 * batch_input_shape, class "Model") and save_weights' legacy file at the
 * root with "kernel:0" names, by order and by name. */
static void test_keras2(void) {
    static const char json[] =
        "{\"class_name\": \"Model\", \"config\": {\"name\": \"model\", \"layers\": ["
        "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 4], \"dtype\": \"float32\", "
        "\"sparse\": false, \"ragged\": false, \"name\": \"input_1\"}, \"name\": \"input_1\", \"inbound_nodes\": []},"
        "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"trainable\": true, \"dtype\": \"float32\", "
        "\"units\": 3, \"activation\": \"relu\", \"kernel_initializer\": {\"class_name\": \"GlorotUniform\", "
        "\"config\": {\"seed\": null}}}, \"name\": \"dense\", \"inbound_nodes\": [[[\"input_1\", 0, 0, {}]]]},"
        "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", \"units\": 2}, \"name\": \"dense_1\", "
        "\"inbound_nodes\": [[[\"input_1\", 0, 0, {}]]]},"
        "{\"class_name\": \"Concatenate\", \"config\": {\"name\": \"concatenate\", \"axis\": -1}, \"name\": "
        "\"concatenate\", \"inbound_nodes\": [[[\"dense\", 0, 0, {}], [\"dense_1\", 0, 0, {}]]]}],"
        "\"input_layers\": [[\"input_1\", 0, 0]], \"output_layers\": [[\"concatenate\", 0, 0]]}, "
        "\"keras_version\": \"2.11.0\", \"backend\": \"tensorflow\"}";
    nr_spec *spec = NULL;
    char *text = NULL;
    if (CHECK_OK(nr_keras_config_to_spec(json, "keras2.json", 0, &text))) {
        CHECK(strstr(text, "Concatenate(name=\"concatenate\", axis=-1)") != NULL);
        nr_free_string(text);
    }
    char dir[] = "/tmp/nr_keras2_XXXXXX", path[64];
    if (CHECK(mkdtemp(dir) != NULL)) {
        snprintf(path, sizeof path, "%s/model.json", dir);
        write_file(path, json, sizeof json - 1);
        if (CHECK_OK(nr_spec_load_file(path, 1, &spec))) {
            int64_t t = 0;
            nr_model_count_params(nr_spec_model(spec), &t, NULL);
            CHECK(t == 15 + 10);
            nr_spec_free(spec);
        }
        remove(path);
        rmdir(dir);
    }
    /* The mlp case's weights written as Keras 2 wrote them. */
    fixture fx;
    if (!fx_load(&fx, "tests/fixtures/kerasfiles/mlp.txt")) return;
    for (int by_name = 0; by_name < 2; by_name++) {
        if (!CHECK_OK(nr_spec_load_file(fixture_path("mlp", ".json"), 5, &spec))) break;
        nr_load_weights_opts o = {.by_name = by_name};
        if (CHECK_OK(nr_model_load_weights(nr_spec_model(spec), fixture_path("mlp", ".keras2.h5"), &o)))
            check_predictions(nr_spec_model(spec), &fx, by_name ? "Keras 2 weights by name" : "Keras 2 weights");
        nr_spec_free(spec);
    }
    fx_free(&fx);
}

/* Weights that do not fit: another model's file, by order and by name. */
static void test_mismatch(void) {
    nr_graph *g = NULL;
    nr_model *m = NULL;
    if (!CHECK_OK(nr_model_load(fixture_path("mlp", ".h5"), &g, &m))) return;
    CHECK_STATUS(nr_model_load_weights(m, fixture_path("func", ".weights.h5"), NULL), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "layer \"dense\" (Dense)") != NULL);
    CHECK(strstr(nr_last_error(), "(6, 8)") != NULL);
    CHECK(nr_model_load_weights(m, fixture_path("cnn", ".h5"), NULL) != NR_OK);
    CHECK(strstr(nr_last_error(), "layers with weights") != NULL);
    /* by_name: only the layers named alike; skip_mismatch turns errors into warnings. */
    nr_load_weights_opts o = {.by_name = 1};
    CHECK_STATUS(nr_model_load_weights(m, fixture_path("cnn", ".h5"), &o), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "dense") != NULL);
    o.skip_mismatch = 1;
    CHECK_OK(nr_model_load_weights(m, fixture_path("cnn", ".h5"), &o));
    o = (nr_load_weights_opts){.skip_mismatch = 1};
    CHECK_OK(nr_model_load_weights(m, fixture_path("func", ".weights.h5"), &o));
    CHECK_STATUS(nr_model_load_weights(m, fixture_path("mlp", ".json"), NULL), NR_STATUS_BAD_FORMAT);
    CHECK(nr_model_save_weights(m, "/tmp/x.weights") != NR_OK);
    nr_graph_free(g);
    /* A weights-only file is not a model. */
    expect_load_error(fixture_path("mlp", ".weights.h5"), "model_config");
}

int main(void) {
    const char *out = getenv("NEURONA_KERAS_OUT");
    char tmp[] = "/tmp/nr_keras_XXXXXX";
    const char *dir = out && *out ? out : mkdtemp(tmp);
    if (!dir) nr_test_skip("cannot create a temporary folder");
    test_cases(dir);
    test_truncated(dir);
    test_missing_member(dir);
    test_bad_configs();
    test_keras2();
    test_mismatch();
    if (!out || !*out) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        nr_test_run(cmd, NULL);
    }
    return nr_test_finish();
}
