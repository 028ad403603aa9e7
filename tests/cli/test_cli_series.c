/* neurona train --series and neurona forecast end to end, on a noisy sine
 * the test writes itself (so no shared data is needed): the model must
 * beat the naive baseline, the printed table and the CSV keep their
 * format, recursive forecasts work for a univariate model and are refused
 * for a multivariate one, and bad arguments or data fail with the right
 * exit code and message; plots are PNG or SVG files. */
#include "test_cli_run.h"

/* 600 days of a sine of period 25 around 20, with noise of std ~0.5 from
 * a fixed generator; a second column counts the weekday. */
static void write_sine(const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) nr_test_skip("cannot write the series");
    uint32_t rng = 12345;
    fprintf(f, "day,value,other\n");
    for (int t = 0; t < 600; t++) {
        double noise = 0;
        for (int k = 0; k < 4; k++) {
            rng = rng * 1664525u + 1013904223u;
            noise += (rng >> 8) / 16777216.0 - 0.5;
        }
        fprintf(f, "d%d,%.4f,%d\n", t, 20 + 10 * sin(2 * M_PI * t / 25) + 0.87 * noise, t % 7);
    }
    fclose(f);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) nr_test_skip("cannot write a temporary file");
}

static const char mlp[] = "Input(shape=(24, 1))\nFlatten()\nDense(16, activation=\"relu\")\nDense(1)\n"
                          "compile(optimizer=\"adam\", loss=\"mse\", metrics=[\"mae\"])\nfit(epochs=20, batch_size=32)\n";
static const char mlp2[] = "Input(shape=(12, 2))\nFlatten()\nDense(16, activation=\"relu\")\nDense(2)\n"
                           "compile(optimizer=\"adam\", loss=\"mse\")\n";

/* The two numbers after the row name in the forecast table, or -1. */
static double table_value(const char *out, const char *row, int col) {
    for (const char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        size_t n = strlen(row);
        if (strncmp(line, row, n) != 0 || line[n] != ' ') continue;
        double a, b;
        const char *at = line + 22;
        if (sscanf(at, "%lf %lf", &a, &b) == 2) return col == 0 ? a : b;
    }
    return -1;
}

static void test_train_forecast(void) {
    write_sine(tmp_path("sine.csv"));
    write_text(tmp_path("mlp.nr"), mlp);
    cli_result r = cli_run("train '%s' --series '%s' --target value --window 24 --verbose 2 --out '%s'",
                           tmp_path("mlp.nr"), tmp_path("sine.csv"), tmp_path("sine.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "val_loss: ") && strstr(r.out, "Epoch 20/20") && test_metric(r.out, "loss") >= 0);
    CHECK(strstr(r.out, "Data: 396 training windows (target steps 0..419), 90 validation windows (420..509), 90 test "
                        "windows (510..599); scaling: standard, fitted on the training steps") != NULL);
    if (r.rc) fprintf(stderr, "  stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
    cli_result_free(&r);

    r = cli_run("summary '%s'", tmp_path("sine.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "Series: inputs value; targets value; window 24, horizon 1, stride 1; split "
                                     "0.7, 0.15, 0.15; scaling: standard"));
    cli_result_free(&r);

    r = cli_run("forecast '%s' --series '%s' --period 25 --out '%s'", tmp_path("sine.nrm"), tmp_path("sine.csv"),
                tmp_path("f.csv"));
    double model = table_value(r.out, "model", 0), naive = table_value(r.out, "naive (last value)", 0);
    double seasonal = table_value(r.out, "seasonal naive (25)", 1);
    CHECK(r.rc == 0 && strstr(r.out, "Test part of ") && strstr(r.out, ": steps 510..599 (d510 to d599), 90 forecasts "
                                                                       "of 1 step\n"));
    CHECK(strstr(r.out, "\nvalue                         MAE       RMSE\n") && strstr(r.out, "model MAE vs naive: -"));
    CHECK(model > 0 && naive > 0 && seasonal > 0 && model < 0.7 * naive);
    if (r.rc || !(model < 0.7 * naive)) fprintf(stderr, "  stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
    cli_result_free(&r);
    char *csv = nr_test_read_file(tmp_path("f.csv"), NULL);
    CHECK(csv && starts_with(csv, "day,ahead,truth,forecast,naive,seasonal_naive\nd510,1,") &&
          count_lines(csv) == 91);
    free(csv);

    /* Recursive: ten steps from every tenth step, the last block cut at the end. */
    r = cli_run("forecast '%s' --series '%s' --steps 10 --out '%s'", tmp_path("sine.nrm"), tmp_path("sine.csv"),
                tmp_path("f10.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "9 forecasts of 10 steps (recursive)") &&
          table_value(r.out, "model", 0) < table_value(r.out, "naive (last value)", 0));
    cli_result_free(&r);
    csv = nr_test_read_file(tmp_path("f10.csv"), NULL);
    CHECK(csv && strstr(csv, "\nd519,10,") && strstr(csv, "\nd520,1,") && count_lines(csv) == 91);
    free(csv);

    /* Plots, PNG or SVG by the extension. */
    r = cli_run("forecast '%s' --series '%s' --period 25 --plot '%s'", tmp_path("sine.nrm"), tmp_path("sine.csv"),
                tmp_path("f.png"));
    size_t len = 0;
    char *png = nr_test_read_file(tmp_path("f.png"), &len);
    CHECK(r.rc == 0 && strstr(r.out, "Saved the plot to ") && png && len > 1000 && memcmp(png, "\x89PNG\r\n", 6) == 0);
    free(png);
    cli_result_free(&r);
    r = cli_run("forecast '%s' --series '%s' --plot '%s'", tmp_path("sine.nrm"), tmp_path("sine.csv"),
                tmp_path("f.SVG"));
    char *svg = nr_test_read_file(tmp_path("f.SVG"), NULL);
    CHECK(r.rc == 0 && svg && strstr(svg, "<svg") && strstr(svg, "width=\"1000pt\" height=\"320pt\""));
    free(svg);
    cli_result_free(&r);

    /* A series model is not fed rows by predict. */
    r = cli_run("predict '%s' --data '%s'", tmp_path("sine.nrm"), tmp_path("sine.csv"));
    CHECK_FAILS(&r, 1, "neurona forecast");
    cli_result_free(&r);
}

/* Two inputs, two steps ahead, every second window: direct forecasts work,
 * recursive ones need the inputs to be the targets. */
static void test_multivariate(void) {
    write_text(tmp_path("mlp2.nr"), mlp2);
    cli_result r = cli_run("train '%s' --series '%s' --columns value,other --target value --window 12 --horizon 2 "
                           "--stride 2 --split 0.6,0.2,0.2 --scale minmax --epochs 3 --verbose 0 --out '%s'",
                           tmp_path("mlp2.nr"), tmp_path("sine.csv"), tmp_path("multi.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "test loss: "));
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
    r = cli_run("forecast '%s' --series '%s'", tmp_path("multi.nrm"), tmp_path("sine.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "steps 480..599 (d480 to d599), 60 forecasts of 2 steps\n"));
    cli_result_free(&r);
    expect(1, "needs the features to be the targets", "forecast '%s' --series '%s' --steps 3", tmp_path("multi.nrm"),
           tmp_path("sine.csv"));
    /* An output that does not fit horizon x targets. */
    expect(1, "horizon 3 x 1 target is 3 values a window; end it with Dense(3)",
           "train '%s' --series '%s' --columns value,other --target value --window 12 --horizon 3",
           tmp_path("mlp2.nr"), tmp_path("sine.csv"));
}

static void test_usage_errors(void) {
    char spec[512], data[512];
    snprintf(spec, sizeof spec, "%s", tmp_path("mlp.nr"));
    snprintf(data, sizeof data, "%s", tmp_path("sine.csv"));
    expect(2, "--series needs --target", "train '%s' --series '%s' --window 24", spec, data);
    expect(2, "--series needs --window", "train '%s' --series '%s' --target value", spec, data);
    expect(2, "--split: expected three fractions", "train '%s' --series '%s' --target value --window 24 --split 0.7,0.3",
           spec, data);
    expect(2, "--series replaces --data", "train '%s' --series '%s' --data '%s' --target value --window 24", spec, data,
           data);
    expect(2, "--window: expected an integer from 1", "train '%s' --series '%s' --target value --window 0", spec, data);
    expect(2, "go with --series", "train '%s' --data '%s' --target value --window 24", spec, data);
    expect(2, "missing --series", "forecast '%s'", tmp_path("sine.nrm"));
    expect(2, "--period: expected an integer from 1", "forecast '%s' --series '%s' --period 0", tmp_path("sine.nrm"),
           data);
    expect(2, "--plot: the file name must end in .png or .svg, got", "forecast '%s' --series '%s' --plot f.jpg",
           tmp_path("sine.nrm"), data);
    expect(2, "unknown option '--horizon' for 'forecast'", "forecast '%s' --series '%s' --horizon 2",
           tmp_path("sine.nrm"), data);
}

static void test_data_errors(void) {
    char spec[512], data[512];
    snprintf(spec, sizeof spec, "%s", tmp_path("mlp.nr"));
    snprintf(data, sizeof data, "%s", tmp_path("sine.csv"));
    expect(1, "no column 'Value'; columns are 'day', 'value', 'other'", "train '%s' --series '%s' --target Value "
           "--window 24", spec, data);
    expect(1, "split fractions 0.7, 0.2, 0.2 sum to 1.1", "train '%s' --series '%s' --target value --window 24 "
           "--split 0.7,0.2,0.2", spec, data);
    expect(1, "training part (steps 0..29, 0.05 of 600 steps) is shorter than window 24 + horizon 10",
           "train '%s' --series '%s' --target value --window 24 --horizon 10 --split 0.05,0.45,0.5", spec, data);
    expect(1, "column 'day' holds the text 'd0'", "train '%s' --series '%s' --target value --columns day --window 24",
           spec, data);
    write_text(tmp_path("gap.csv"), "t,y\n1,5\n2,\n3,7\n");
    char want[600];
    snprintf(want, sizeof want, "%s:3:3: missing value in column 'y'", tmp_path("gap.csv"));
    expect(1, want, "train '%s' --series '%s' --target y --window 1", spec, tmp_path("gap.csv"));
    write_text(tmp_path("class.nr"), "Input(shape=(24, 1))\nFlatten()\nDense(2, activation=\"softmax\")\n"
                                     "compile(loss=\"sparse_categorical_crossentropy\")\n");
    expect(1, "compile it with loss=\"mse\"", "train '%s' --series '%s' --target value --window 24",
           tmp_path("class.nr"), data);
    expect(1, "--period 600: the test part starts at step 510", "forecast '%s' --series '%s' --period 600",
           tmp_path("sine.nrm"), data);
    /* The forecast file lacks a column the model reads. */
    write_text(tmp_path("other.csv"), "day,temp\n1,2\n2,3\n");
    expect(1, "no column 'value'; columns are 'day', 'temp'", "forecast '%s' --series '%s'", tmp_path("sine.nrm"),
           tmp_path("other.csv"));
    /* A model that was not trained on a series. */
    cli_result r = cli_run("train '%s' --data '%s' --target species --epochs 1 --verbose 0 --out '%s'",
                           SRC_PATH("examples/iris_mlp.nr"), SRC_PATH("data/iris.csv"), tmp_path("iris.nrm"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    expect(1, "the model was not trained on a series", "forecast '%s' --series '%s'", tmp_path("iris.nrm"), data);
}

int main(void) {
    cli_setup();
    test_train_forecast();
    test_multivariate();
    test_usage_errors();
    test_data_errors();
    cli_cleanup();
    return nr_test_finish();
}
