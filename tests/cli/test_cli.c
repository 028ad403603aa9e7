/* The neurona CLI end to end: help texts, summaries, and training the
 * bundled examples, then summary, evaluate and predict of the saved
 * models. Accuracy floors are those the examples promise. */
#include <sys/stat.h>
#include "test_cli_run.h"

static void test_help(void) {
    cli_result r = cli_run("--help");
    CHECK(r.rc == 0 && strstr(r.out, "Usage: neurona COMMAND") && strstr(r.out, "predict"));
    cli_result_free(&r);
    r = cli_run("--version");
    CHECK(r.rc == 0 && strncmp(r.out, "neurona ", 8) == 0 && strstr(r.out, nr_version()));
    cli_result_free(&r);
    const char *cmds[] = {"train", "summary", "evaluate", "predict"};
    for (int i = 0; i < 4; i++) {
        char usage[64];
        snprintf(usage, sizeof usage, "Usage: neurona %s ", cmds[i]);
        r = cli_run("%s --help", cmds[i]);
        CHECK(r.rc == 0 && strstr(r.out, usage) && strstr(r.out, "Example") && strstr(r.out, "--help"));
        cli_result_free(&r);
    }
    r = cli_run("help train");
    CHECK(r.rc == 0 && strstr(r.out, "--test-split"));
    cli_result_free(&r);
}

static void test_summary_spec(void) {
    cli_result r = cli_run("summary '%s'", FIXTURE("issue_example.nr"));
    CHECK(r.rc == 0 && strstr(r.out, "Total params: 2,410"));
    cli_result_free(&r);
    r = cli_run("summary '%s'", SRC_PATH("examples/functional_iris.nr"));
    CHECK(r.rc == 0 && strstr(r.out, "Connected to") && strstr(r.out, "concatenate"));
    cli_result_free(&r);
    /* The convolutional examples load with the counts the README gives. */
    const char *cnn[3][2] = {{SRC_PATH("examples/mnist_small_cnn.nr"), "Total params: 8,954"},
                             {SRC_PATH("examples/mnist_cnn.nr"), "Non-trainable params: 192"},
                             {SRC_PATH("examples/fashion_cnn.nr"), "Total params: 421,930"}};
    for (int i = 0; i < 3; i++) {
        r = cli_run("summary '%s'", cnn[i][0]);
        if (!CHECK(r.rc == 0 && strstr(r.out, cnn[i][1]))) fprintf(stderr, "  %s:\n%s%s\n", cnn[i][0], r.out, r.err);
        cli_result_free(&r);
    }
}

/* iris: train with a test split and a history, then use the saved model. */
static void test_iris(void) {
    cli_result r = cli_run("train '%s' --data '%s' --target species --test-split 0.2 --verbose 2 --out '%s' "
                           "--history '%s'", SRC_PATH("examples/iris_mlp.nr"), SRC_PATH("data/iris.csv"),
                           tmp_path("iris.nrm"), tmp_path("iris_history.csv"));
    double acc = test_metric(r.out, "accuracy");
    CHECK(r.rc == 0 && acc >= 0.93);
    CHECK(strstr(r.out, "Total params: 131") && strstr(r.out, "Epoch 100/100") && strstr(r.out, "Saved model to"));
    if (r.rc || acc < 0.93) fprintf(stderr, "  accuracy %g; stdout:\n%s\nstderr:\n%s\n", acc, r.out, r.err);
    cli_result_free(&r);
    char *hist = nr_test_read_file(tmp_path("iris_history.csv"), NULL);
    CHECK(hist && strstr(hist, "loss") && strstr(hist, "accuracy") && count_lines(hist) == 101);
    free(hist);

    r = cli_run("summary '%s'", tmp_path("iris.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "Total params: 131") && strstr(r.out, "setosa, versicolor, virginica") &&
          strstr(r.out, "Scaler: standard, 4 features"));
    cli_result_free(&r);

    r = cli_run("evaluate '%s' --data '%s' --target species", tmp_path("iris.nrm"), SRC_PATH("data/iris.csv"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.93 && test_metric(r.out, "loss") >= 0);
    cli_result_free(&r);

    /* One class only: its names must map onto the model's indices. */
    r = cli_run("evaluate '%s' --data '%s' --target 4", tmp_path("iris.nrm"), FIXTURE("iris_virginica.csv"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.8);
    cli_result_free(&r);

    r = cli_run("predict '%s' --data '%s' --target species", tmp_path("iris.nrm"), SRC_PATH("data/iris.csv"));
    CHECK(r.rc == 0 && count_lines(r.out) == 151 && strncmp(r.out, "class,setosa,versicolor,virginica\n", 34) == 0);
    CHECK(strstr(r.out, "\nsetosa,") && strstr(r.out, "\nvirginica,"));
    cli_result_free(&r);

    r = cli_run("predict '%s' --data '%s' --target species --out '%s'", tmp_path("iris.nrm"),
                SRC_PATH("data/iris.csv"), tmp_path("pred.csv"));
    char *pred = nr_test_read_file(tmp_path("pred.csv"), NULL);
    CHECK(r.rc == 0 && pred && count_lines(pred) == 151 && strstr(r.out, "Saved 150 predictions"));
    free(pred);
    cli_result_free(&r);
}

/* digits: no header, numeric classes, categorical_crossentropy. */
static void test_digits(void) {
    cli_result r = cli_run("train '%s' --data '%s' --target -1 --test-split 0.2 --verbose 0 --out '%s'",
                           SRC_PATH("examples/digits_mlp.nr"), SRC_PATH("data/digits.csv.gz"), tmp_path("digits.nrm"));
    double acc = test_metric(r.out, "accuracy");
    CHECK(r.rc == 0 && acc >= 0.95);
    if (r.rc || acc < 0.95) fprintf(stderr, "  accuracy %g; stdout:\n%s\nstderr:\n%s\n", acc, r.out, r.err);
    cli_result_free(&r);
    r = cli_run("predict '%s' --data '%s' --target 64", tmp_path("digits.nrm"), SRC_PATH("data/digits.csv.gz"));
    CHECK(r.rc == 0 && count_lines(r.out) == 1798 && strncmp(r.out, "class,0,1,2,3,4,5,6,7,8,9\n", 26) == 0);
    cli_result_free(&r);
}

static void test_functional(void) {
    cli_result r = cli_run("train '%s' --data '%s' --target species --test-split 0.2 --verbose 0 --out '%s'",
                           SRC_PATH("examples/functional_iris.nr"), SRC_PATH("data/iris.csv"),
                           tmp_path("functional.nrm"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.9);
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
}

/* xor: binary cross-entropy, one sigmoid unit, a --test file. */
static void test_xor(void) {
    cli_result r = cli_run("train '%s' --data '%s' --target y --test '%s' --verbose 0 --out '%s'",
                           SRC_PATH("examples/xor.nr"), FIXTURE("xor.csv"), FIXTURE("xor.csv"), tmp_path("xor.nrm"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") == 1.0);
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
    r = cli_run("predict '%s' --data '%s' --target y", tmp_path("xor.nrm"), FIXTURE("xor.csv"));
    CHECK(r.rc == 0 && strncmp(r.out, "class,0,1\n0,", 12) == 0 && count_lines(r.out) == 5);
    cli_result_free(&r);
}

/* Regression: an mse model predicts values, not classes. */
static void test_regression(void) {
    cli_result r = cli_run("train '%s' --data '%s' --target y --test-split 0.25 --scale minmax --verbose 0 --out '%s'",
                           FIXTURE("regression.nr"), FIXTURE("regression.csv"), tmp_path("reg.nrm"));
    double mae = test_metric(r.out, "mae");
    CHECK(r.rc == 0 && mae >= 0 && mae < 0.5);
    if (r.rc || mae >= 0.5) fprintf(stderr, "  mae %g; stdout:\n%s\nstderr:\n%s\n", mae, r.out, r.err);
    cli_result_free(&r);
    r = cli_run("predict '%s' --data '%s' --target y", tmp_path("reg.nrm"), FIXTURE("regression.csv"));
    CHECK(r.rc == 0 && strncmp(r.out, "prediction\n", 11) == 0 && count_lines(r.out) == 201);
    cli_result_free(&r);
    r = cli_run("evaluate '%s' --data '%s' --target y", tmp_path("reg.nrm"), FIXTURE("regression.csv"));
    CHECK(r.rc == 0 && test_metric(r.out, "mae") >= 0 && test_metric(r.out, "mae") < 0.5);
    cli_result_free(&r);
}

/* IDX data: a folder, explicit files, and the five ways a model can take
 * (N, 4, 4, 1) images (its own shape, built from the data, flat, without
 * the channel axis, into a Conv2D). */
static void test_idx(void) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s", tmp_path("idx"));
    if (!CHECK(mkdir(dir, 0755) == 0)) return;
    cli_write_tiny_set(tmp_path("idx/train-images-idx3-ubyte"), tmp_path("idx/train-labels-idx1-ubyte"), 64, 1);
    cli_write_tiny_set(tmp_path("idx/t10k-images-idx3-ubyte"), tmp_path("idx/t10k-labels-idx1-ubyte"), 20, 2);
    const char *specs[5] = {FIXTURE("tiny_images.nr"), FIXTURE("tiny_images_unbuilt.nr"), FIXTURE("tiny_images_784.nr"),
                            FIXTURE("tiny_images_hw.nr"), FIXTURE("tiny_images_cnn.nr")};
    for (int i = 0; i < 5; i++) {
        cli_result r = cli_run("train '%s' --data '%s' --out '%s'", specs[i], dir, tmp_path("tiny.nrm"));
        CHECK(r.rc == 0 && test_metric(r.out, "accuracy") == 1.0 && strstr(r.out, "scaling: none"));
        if (r.rc) fprintf(stderr, "  %s: %s\n", specs[i], r.err);
        cli_result_free(&r);
    }
    cli_result r = cli_run("evaluate '%s' --data '%s'", tmp_path("tiny.nrm"), dir);
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") == 1.0);
    cli_result_free(&r);
    r = cli_run("evaluate '%s' --test-images '%s' --test-labels '%s'", tmp_path("tiny.nrm"),
                tmp_path("idx/t10k-images-idx3-ubyte"), tmp_path("idx/t10k-labels-idx1-ubyte"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") == 1.0);
    cli_result_free(&r);
    r = cli_run("predict '%s' --data '%s'", tmp_path("tiny.nrm"), dir);
    CHECK(r.rc == 0 && count_lines(r.out) == 21 && strncmp(r.out, "class,0,1\n0,", 12) == 0);
    cli_result_free(&r);
    r = cli_run("train '%s' --train-images '%s' --train-labels '%s' --test-split 0.25 --verbose 0 --out '%s'",
                specs[0], tmp_path("idx/train-images-idx3-ubyte"), tmp_path("idx/train-labels-idx1-ubyte"),
                tmp_path("tiny2.nrm"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.9);
    cli_result_free(&r);
}

int main(void) {
    cli_setup();
    test_help();
    test_summary_spec();
    test_iris();
    test_digits();
    test_functional();
    test_xor();
    test_regression();
    test_idx();
    cli_cleanup();
    return nr_test_finish();
}
