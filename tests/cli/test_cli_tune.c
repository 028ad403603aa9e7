/* neurona tune: a search on the bundled digits with its progress lines,
 * table, results file, best model and plot; a second run resuming with
 * nothing left to do; the tunable SPEC trained and summarized at its
 * defaults; bad options and searches. */
#include "test_cli_run.h"

#define DIGITS "--data " SRC_PATH("data/digits.csv.gz") " --target -1"
#define EXAMPLE SRC_PATH("examples/digits_tune.nr")

static int lines_of(const char *path) {
    size_t n;
    char *t = nr_test_read_file(path, &n);
    int k = 0;
    for (size_t i = 0; t && i < n; i++) k += t[i] == '\n';
    free(t);
    return k;
}

static void test_search(void) {
    char out[512];
    snprintf(out, sizeof out, "%s", tmp_path("t"));
    cli_result r = cli_run("tune " EXAMPLE " " DIGITS " --test-split 0.2 --tuner random --max-trials 3 --parallel 2 "
                           "--epochs 1 --out '%s' --plot '%s/trials.png'", out, out);
    CHECK(r.rc == 0);
    CHECK(strstr(r.out, "Search space of") && strstr(r.out, "units2") && strstr(r.out, "when second in [True]"));
    CHECK(strstr(r.out, "Trial 0 (") && strstr(r.out, "Best trials (val_loss, min)"));
    CHECK(strstr(r.out, "test loss:") && strstr(r.out, "accuracy:"));
    if (r.rc) fprintf(stderr, "%s%s", r.out, r.err);
    CHECK(lines_of(tmp_path("t/results.jsonl")) == 4);
    CHECK(access(tmp_path("t/best.nrm"), F_OK) == 0 && access(tmp_path("t/trials.png"), F_OK) == 0);
    free(r.out), free(r.err);

    /* The same search again: everything is in the results file. */
    r = cli_run("tune " EXAMPLE " " DIGITS " --test-split 0.2 --tuner random --max-trials 3 --epochs 1 --out '%s'", out);
    CHECK(r.rc == 0 && !strstr(r.out, "Trial 0 (") && strstr(r.out, "3 trials; best model saved"));
    CHECK(lines_of(tmp_path("t/results.jsonl")) == 4);
    free(r.out), free(r.err);

    r = cli_run("tune " EXAMPLE " " DIGITS " --max-trials 3 --seed 7 --out '%s'", out);
    CHECK(r.rc == 1 && strstr(r.err, "written by a search with seed 42") != NULL);
    free(r.out), free(r.err);

    r = cli_run("predict '%s' " DIGITS " --out '%s'", tmp_path("t/best.nrm"), tmp_path("pred.csv"));
    CHECK(r.rc == 0);
    free(r.out), free(r.err);
}

static void test_defaults(void) {
    cli_result r = cli_run("summary " EXAMPLE);
    CHECK(r.rc == 0 && strstr(r.out, "Total params: 1,210") != NULL);
    if (r.rc || !strstr(r.out, "1,210")) fprintf(stderr, "%s%s", r.out, r.err);
    free(r.out), free(r.err);
    r = cli_run("train " EXAMPLE " " DIGITS " --epochs 1 --verbose 0 --out '%s'", tmp_path("d.nrm"));
    CHECK(r.rc == 0);
    free(r.out), free(r.err);
}

static void test_errors(void) {
    cli_result r = cli_run("tune " EXAMPLE " " DIGITS " --tuner annealing");
    CHECK(r.rc == 2 && strstr(r.err, "--tuner"));
    free(r.out), free(r.err);
    r = cli_run("tune " EXAMPLE " --max-trials 2");
    CHECK(r.rc == 2 && strstr(r.err, "missing --data"));
    free(r.out), free(r.err);
    r = cli_run("tune " EXAMPLE " " DIGITS " --tuner grid --out '%s'", tmp_path("g"));
    CHECK(r.rc == 1 && strstr(r.err, "Float(\"lr\") is continuous"));
    free(r.out), free(r.err);
    r = cli_run("tune " EXAMPLE " " DIGITS " --objective val_auc --max-trials 3 --epochs 1 --out '%s'", tmp_path("o"));
    CHECK(r.rc == 1 && strstr(r.err, "not among the figures fit() logs"));
    free(r.out), free(r.err);
}

int main(void) {
    cli_setup();
    test_search();
    test_defaults();
    test_errors();
    cli_cleanup();
    return nr_test_finish();
}
