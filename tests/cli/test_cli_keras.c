/* Keras files from the command line: convert between neurona's model
 * files and .keras, .h5, .weights.h5 and .json; summary, predict and
 * train taking Keras files directly; and convert's errors. */
#include "test_cli_run.h"

#define KFILE(name) SRC_PATH("tests/fixtures/kerasfiles/" name)

static void convert_chain(void) {
    cli_result r = cli_run("convert '%s' '%s'", KFILE("func.keras"), tmp_path("func.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "Converted") && strstr(r.out, "153 parameters"));
    cli_result_free(&r);
    static const char *const outs[] = {"f.keras", "f.h5", "f.weights.h5", "f.json"};
    for (int i = 0; i < 4; i++) {
        r = cli_run("convert '%s' '%s'", tmp_path("func.nrm"), tmp_path(outs[i]));
        CHECK(r.rc == 0);
        cli_result_free(&r);
    }
    char *json = nr_test_read_file(tmp_path("f.json"), NULL);
    CHECK(json && strstr(json, "\"class_name\":\"Functional\"") && strstr(json, "\"keras_history\""));
    free(json);
    /* A Keras model back to neurona and its summary. */
    r = cli_run("convert '%s' '%s'", tmp_path("f.h5"), tmp_path("back.nrm"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    r = cli_run("summary '%s'", tmp_path("back.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "Total params: 153"));
    cli_result_free(&r);
    /* A SPEC with fresh weights goes to Keras too. */
    r = cli_run("convert '%s' '%s'", SRC_PATH("examples/iris_mlp.nr"), tmp_path("iris.keras"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
}

static void summary_of_keras_files(void) {
    static const char *const files[] = {KFILE("rnn.h5"), KFILE("rnn.keras"), KFILE("rnn.json")};
    for (int i = 0; i < 3; i++) {
        cli_result r = cli_run("summary '%s'", files[i]);
        CHECK(r.rc == 0 && strstr(r.out, "bidirectional (Bidirectional") && strstr(r.out, "Total params: 416"));
        cli_result_free(&r);
    }
}

/* predict on the Keras file and on its neurona conversion: the same rows. */
static void predict_keras(void) {
    FILE *f = fopen(tmp_path("x.csv"), "w");
    if (!CHECK(f != NULL)) return;
    fprintf(f, "a,b,c,d,e,f\n0.1,-0.2,0.3,0.4,-0.5,0.6\n-1,0.5,0.25,0,1,-0.75\n");
    fclose(f);
    cli_result a = cli_run("predict '%s' --data '%s'", KFILE("mlp.h5"), tmp_path("x.csv"));
    CHECK(a.rc == 0 && count_lines(a.out) >= 3);
    cli_result c = cli_run("convert '%s' '%s'", KFILE("mlp.keras"), tmp_path("mlp.nrm"));
    cli_result b = cli_run("predict '%s' --data '%s'", tmp_path("mlp.nrm"), tmp_path("x.csv"));
    CHECK(c.rc == 0 && b.rc == 0 && !strcmp(a.out, b.out));
    if (strcmp(a.out, b.out)) fprintf(stderr, "  .h5:\n%s  .nrm:\n%s", a.out, b.out);
    cli_result_free(&a);
    cli_result_free(&b);
    cli_result_free(&c);
}

/* train takes a Keras config (model.to_json() plus a compile_config) as
 * its model description, as it takes a SPEC. */
static void train_from_json(void) {
    FILE *f = fopen(tmp_path("iris.json"), "w");
    if (!CHECK(f != NULL)) return;
    fputs("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"iris\", \"layers\": ["
          "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"name\": \"in\"}},"
          "{\"class_name\": \"Dense\", \"config\": {\"units\": 16, \"activation\": \"relu\", \"name\": \"hidden\"}},"
          "{\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"activation\": \"softmax\", \"name\": \"out\"}}]},"
          "\"compile_config\": {\"optimizer\": {\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.01}},"
          "\"loss\": \"sparse_categorical_crossentropy\", \"metrics\": [\"accuracy\"]}}\n", f);
    fclose(f);
    cli_result r = cli_run("train '%s' --data '%s' --target species --epochs 30 --test-split 0.2 --out '%s' --verbose 0",
                           tmp_path("iris.json"), SRC_PATH("data/iris.csv"), tmp_path("iris.nrm"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") > 0.7);
    if (r.rc) fprintf(stderr, "  %s", r.err);
    cli_result_free(&r);
    r = cli_run("convert '%s' '%s'", tmp_path("iris.nrm"), tmp_path("iris_trained.keras"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
}

static void errors(void) {
    expect(2, "IN and OUT", "convert '%s'", KFILE("mlp.h5"));
    expect(1, "cannot open", "convert '%s' '%s'", tmp_path("missing.h5"), tmp_path("x.keras"));
    expect(1, "model_config", "convert '%s' '%s'", KFILE("mlp.weights.h5"), tmp_path("x.keras"));
    expect(1, "not a neurona model file", "convert '%s' '%s'", SRC_PATH("data/iris.csv"), tmp_path("x.keras"));
}

int main(void) {
    cli_setup();
    convert_chain();
    summary_of_keras_files();
    predict_keras();
    train_from_json();
    errors();
    cli_cleanup();
    return nr_test_finish();
}
