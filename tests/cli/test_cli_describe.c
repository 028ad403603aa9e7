/* neurona describe end to end: the report on the iris data (figures
 * pandas and NumPy give for it), percentiles by another method, the plots
 * read back (PNG and SVG), one format only, and the errors: unknown
 * column, a text column where numbers are needed, an empty file, bad
 * options, each with its exit code. */
#include <dirent.h>
#include "plot_check.h"
#include "test_cli_run.h"

#define IRIS SRC_PATH("data/iris.csv")

static void test_report(void) {
    cli_result r = cli_run("describe '%s'", IRIS);
    CHECK(r.rc == 0 && strstr(r.out, ": 150 rows, 5 columns (4 numeric, 1 text); percentiles by the linear method\n"));
    CHECK(strstr(r.out, "\nmean                    5.843333     3.057333         3.758     1.199333\n") != NULL);
    CHECK(strstr(r.out, "\nstd                    0.8280661    0.4358663      1.765298    0.7622377\n") != NULL);
    CHECK(strstr(r.out, "\nmode                           5            3        1.4 +1          0.2\n") != NULL);
    CHECK(strstr(r.out, "Modes of petal_length (13 each): 1.4, 1.5\n") != NULL);
    CHECK(strstr(r.out, "mild (below 2.05 or above 4.05): row 15 (line 17) 4.4, row 32 (line 34) 4.1,") != NULL);
    CHECK(strstr(r.out, "  species: 150 values, 0 missing, 3 distinct; mode: setosa, versicolor, virginica (50 "
                        "times)\n") != NULL);
    CHECK(strstr(r.out, "\npetal_length               0.872       -0.428         1.000        0.963\n") != NULL);
    CHECK(strstr(r.out, "Strongly correlated (|r| >= 0.8): petal_length & petal_width (r = 0.963), sepal_length & "
                        "petal_length (r = 0.872), sepal_length & petal_width (r = 0.818)\n") != NULL);
    CHECK(strstr(r.out, "Weakly correlated (0.5 <= |r| < 0.8): none\n") != NULL);
    if (r.rc) fprintf(stderr, "%s%s", r.out, r.err);
    cli_result_free(&r);

    /* np.percentile(x, [5, 95], method="nearest") */
    r = cli_run("describe '%s' --percentiles 5,95 --method nearest --columns sepal_length,petal_width", IRIS);
    CHECK(r.rc == 0 && strstr(r.out, "\n5%                           4.6          0.2\n") &&
          strstr(r.out, "\n95%                          7.3          2.3\n") && strstr(r.out, "by the nearest method"));
    cli_result_free(&r);
}

static int count_files(const char *dir, const char *ext) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        n += len > 4 && strcmp(e->d_name + len - 4, ext) == 0;
    }
    if (d) closedir(d);
    return n;
}

static void test_plots(void) {
    cli_result r = cli_run("describe '%s' --plots '%s'", IRIS, tmp_path("plots"));
    CHECK(r.rc == 0 && strstr(r.out, "Saved 28 plots to "));
    cli_result_free(&r);
    CHECK(count_files(tmp_path("plots"), ".png") == 14 && count_files(tmp_path("plots"), ".svg") == 14);
    test_rgb_image img;
    if (CHECK(test_png_read(tmp_path("plots/species_bar.png"), &img))) {
        int most = 0;
        for (int y = 0; y < img.h; y++) most = test_runs(&img, y, 0x1f77b4) > most ? test_runs(&img, y, 0x1f77b4) : most;
        CHECK(img.w == 640 && img.h == 480 && most == 3);
        free(img.px);
    }
    if (CHECK(test_png_read(tmp_path("plots/correlation_heatmap.png"), &img))) {
        CHECK(test_count_color(&img, 0xb40426) > 1000);   /* the diagonal's r = 1 cells */
        free(img.px);
    }
    const char *svgs[] = {"species_pie.svg", "sepal_width_box.svg", "petal_length_hist.svg",
                          "petal_length_petal_width_scatter.svg", "correlation_heatmap.svg"};
    for (int i = 0; i < 5; i++) {
        char path[128];
        snprintf(path, sizeof path, "plots/%s", svgs[i]);
        char *svg = nr_test_read_file(tmp_path(path), NULL);
        CHECK(svg && test_xml_balanced(svg));
        if (i == 0) CHECK(test_svg_count_fill(svg, 0x1f77b4) == 1 && test_svg_count_fill(svg, 0x2ca02c) == 1);
        if (i == 2) CHECK(test_svg_count_fill(svg, 0x1f77b4) == 8);   /* NumPy's "auto": 9 bins, one empty */
        free(svg);
    }
    r = cli_run("describe '%s' --columns sepal_width,species --plots '%s' --format svg --scatter sepal_width,sepal_width",
                IRIS, tmp_path("svg"));
    CHECK(r.rc == 0 && strstr(r.out, "Saved 5 plots to "));
    CHECK(count_files(tmp_path("svg"), ".png") == 0 && count_files(tmp_path("svg"), ".svg") == 5);
    cli_result_free(&r);
}

static void test_errors(void) {
    expect(1, "iris.csv: no column 'sepal_lenght' (did you mean \"sepal_length\"", "describe '%s' --columns sepal_lenght",
           IRIS);
    expect(1, "the columns are sepal_length, sepal_width, petal_length, petal_width, species",
           "describe '%s' --columns colour", IRIS);
    expect(1, "text_feature.csv:3:3: --scatter: column 'b' holds text ('oops'); a scatter plot needs numbers",
           "describe '%s' --plots '%s' --scatter a,b", FIXTURE("text_feature.csv"), tmp_path("tf"));
    expect(1, "empty.csv: empty file", "describe '%s'", FIXTURE("empty.csv"));
    expect(1, "cannot open", "describe /nonexistent/data.csv");
    expect(2, "--method: unknown percentile method 'hazzen'; did you mean \"hazen\"?", "describe '%s' --method hazzen",
           IRIS);
    expect(2, "--percentiles: expected numbers from 0 to 100", "describe '%s' --percentiles 5,101", IRIS);
    expect(2, "--format and --scatter need --plots DIR", "describe '%s' --format png", IRIS);
    expect(2, "invalid value 'jpg' for --format", "describe '%s' --plots x --format jpg", IRIS);
    expect(1, "--scatter: want two columns A,B", "describe '%s' --plots '%s' --scatter sepal_width", IRIS,
           tmp_path("p"));
    cli_result r = cli_run("describe '%s' --scatter a,b --plots '%s'", FIXTURE("text_feature.csv"), tmp_path("tf"));
    CHECK(r.out[0] == 0);   /* no report before the error */
    cli_result_free(&r);
}

int main(void) {
    cli_setup();
    test_report();
    test_plots();
    test_errors();
    cli_cleanup();
    return nr_test_finish();
}
