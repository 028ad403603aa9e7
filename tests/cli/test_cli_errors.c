/* The neurona CLI on bad input: every case must exit with 2 (usage) or 1
 * (bad data, SPEC or model file) and say on stderr, starting with
 * "neurona: ", what is wrong and where. */
#include "test_cli_run.h"

#define IRIS SRC_PATH("data/iris.csv")
#define IRIS_SPEC SRC_PATH("examples/iris_mlp.nr")

static void test_usage(void) {
    expect(2, "missing command", " ");
    expect(2, "did you mean 'train'", "trian");
    expect(2, "unknown command 'frobnicate'", "frobnicate");
    expect(2, "did you mean '--epochs'", "train '%s' --data '%s' --target species --epoch 3", IRIS_SPEC, IRIS);
    expect(2, "unknown option '--bogus'", "summary x.nr --bogus");
    expect(2, "missing the SPEC argument", "train");
    expect(2, "missing --data", "train '%s'", IRIS_SPEC);
    expect(2, "--target", "train '%s' --data '%s'", IRIS_SPEC, IRIS);
    expect(2, "expected an integer", "train '%s' --data '%s' --target species --epochs many", IRIS_SPEC, IRIS);
    expect(2, "needs a value", "train '%s' --data '%s' --target", IRIS_SPEC, IRIS);
    expect(2, "valid: standard, minmax, none", "train '%s' --data '%s' --target species --scale z", IRIS_SPEC, IRIS);
    expect(2, "--test-split", "train '%s' --data '%s' --target species --test-split 1.5", IRIS_SPEC, IRIS);
    expect(2, "unexpected argument", "summary a.nr b.nr");
    expect(2, "missing --data", "predict model.nrm");
    expect(2, "--help", "evaluate");
}

static void test_files(void) {
    expect(1, "nope.nr", "summary /nonexistent/nope.nr");
    expect(1, "missing.csv", "train '%s' --data /nonexistent/missing.csv --target y", IRIS_SPEC);
    expect(1, "nope.nrm", "evaluate /nonexistent/nope.nrm --data '%s' --target species", IRIS);
}

static void test_bad_csv(void) {
    expect(1, "ragged.csv:4", "train '%s' --data '%s' --target label", IRIS_SPEC, FIXTURE("ragged.csv"));
    expect(1, "text_feature.csv:3", "train '%s' --data '%s' --target label", IRIS_SPEC, FIXTURE("text_feature.csv"));
    expect(1, "empty", "train '%s' --data '%s' --target label", IRIS_SPEC, FIXTURE("empty.csv"));
    expect(1, "no column 'colour'", "train '%s' --data '%s' --target colour", IRIS_SPEC, IRIS);
}

static void test_bad_spec(void) {
    expect(1, "bad_syntax.nr:2:", "summary '%s'", FIXTURE("bad_syntax.nr"));
    expect(1, "bad_syntax.nr:2:", "train '%s' --data '%s' --target species", FIXTURE("bad_syntax.nr"), IRIS);
    expect(1, "compile()", "train '%s' --data '%s' --target species", FIXTURE("no_compile.nr"), IRIS);
}

static void test_shapes(void) {
    /* Both shapes are named: the data's 4 features and the model's 5. */
    cli_result r = cli_run("train '%s' --data '%s' --target species --verbose 0", FIXTURE("wrong_input.nr"), IRIS);
    CHECK_FAILS(&r, 1, "(None, 5)");
    CHECK(strstr(r.err, "(150, 4)") != NULL);
    cli_result_free(&r);
}

/* A saved model, then damaged copies of it. */
static void test_model_files(void) {
    cli_result r = cli_run("train '%s' --data '%s' --target species --epochs 2 --verbose 0 --out '%s'", IRIS_SPEC,
                           IRIS, tmp_path("m.nrm"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    size_t n = 0;
    char *bytes = nr_test_read_file(tmp_path("m.nrm"), &n);
    if (!CHECK(bytes && n > 100)) { free(bytes); return; }

    expect(1, "unknown class 'versicolour'", "evaluate '%s' --data '%s' --target species", tmp_path("m.nrm"),
           FIXTURE("unknown_class.csv"));
    expect(1, "unknown_class.csv:5", "evaluate '%s' --data '%s' --target species", tmp_path("m.nrm"),
           FIXTURE("unknown_class.csv"));
    expect(1, "--target COL", "predict '%s' --data '%s'", tmp_path("m.nrm"), IRIS);
    r = cli_run("evaluate '%s' --data '%s' --target y", tmp_path("m.nrm"), FIXTURE("regression.csv"));
    CHECK_FAILS(&r, 1, "(None, 4)");
    CHECK(strstr(r.err, "(200, 3)") != NULL);
    cli_result_free(&r);

    FILE *f = fopen(tmp_path("flipped.nrm"), "wb");
    bytes[n / 2] ^= 0x40;
    fwrite(bytes, 1, n, f);
    fclose(f);
    expect(1, "checksum mismatch", "evaluate '%s' --data '%s' --target species", tmp_path("flipped.nrm"), IRIS);
    expect(1, "checksum mismatch", "summary '%s'", tmp_path("flipped.nrm"));
    expect(1, "checksum mismatch", "predict '%s' --data '%s' --target species", tmp_path("flipped.nrm"), IRIS);

    f = fopen(tmp_path("cut.nrm"), "wb");
    fwrite(bytes, 1, n / 3, f);
    fclose(f);
    expect(1, "truncated", "summary '%s'", tmp_path("cut.nrm"));
    expect(1, "truncated", "predict '%s' --data '%s' --target species", tmp_path("cut.nrm"), IRIS);
    free(bytes);
}

int main(void) {
    cli_setup();
    test_usage();
    test_files();
    test_bad_csv();
    test_bad_spec();
    test_shapes();
    test_model_files();
    cli_cleanup();
    return nr_test_finish();
}
