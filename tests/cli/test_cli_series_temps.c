/* train --series and forecast on the real daily minimum temperatures of
 * Melbourne (../shared/data/timeseries/daily-min-temperatures.csv, 3650
 * days with a Date column): examples/temperature_lstm.nr (LSTM(32) over 30
 * days, seed 42) must beat the naive last-value forecast of the test part
 * by at least 10% in MAE. Skipped when the file is absent. */
#include "test_cli_run.h"

/* The first number after the row name in the forecast table, or -1. */
static double mae_of(const char *out, const char *row) {
    const char *at = strstr(out, row);
    double v;
    return at && sscanf(at + 22, "%lf", &v) == 1 ? v : -1;
}

int main(void) {
    const char *data = nr_test_shared_data("timeseries/daily-min-temperatures.csv");
    if (!data) nr_test_skip("../shared/data/timeseries/daily-min-temperatures.csv is absent");
    char path[4096];
    snprintf(path, sizeof path, "%s", data);
    cli_setup();
    cli_result r = cli_run("train '%s' --series '%s' --target Temp --window 30 --seed 42 --verbose 0 --out '%s'",
                           nr_test_path("examples/temperature_lstm.nr"), path, tmp_path("temps.nrm"));
    CHECK(r.rc == 0 && test_metric(r.out, "loss") > 0);
    cli_result_free(&r);
    r = cli_run("forecast '%s' --series '%s' --period 365 --out '%s'", tmp_path("temps.nrm"), path,
                tmp_path("temps.csv"));
    double model = mae_of(r.out, "\nmodel "), naive = mae_of(r.out, "\nnaive (last value) ");
    CHECK(r.rc == 0 && strstr(r.out, "steps 3102..3649 (1989-07-02 to 1990-12-31), 548 forecasts of 1 step"));
    CHECK(model > 0 && model <= 0.9 * naive && strstr(r.out, "seasonal naive (365)"));
    printf("%s", r.out);
    cli_result_free(&r);
    char *csv = nr_test_read_file(tmp_path("temps.csv"), NULL);
    CHECK(csv && starts_with(csv, "Date,ahead,truth,forecast,naive,seasonal_naive\n1989-07-02,1,") &&
          count_lines(csv) == 549);
    free(csv);
    cli_cleanup();
    return nr_test_finish();
}
