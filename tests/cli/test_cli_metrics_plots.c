/* The evaluation plots: `metrics --plots` and `evaluate --plots` write the
 * confusion matrix, the ROC and precision-recall curves (two classes),
 * the one-vs-rest ROC curves (more) or predicted against true values
 * (regression), read back here as PNG (size, the curves' colours) and SVG
 * (well formed, the dots in the first colour). */
#include "plot_check.h"
#include "test_cli_run.h"

static int png_has(const char *name, unsigned rgb, long min) {
    test_rgb_image img;
    if (!test_png_read(tmp_path(name), &img)) return 0;
    int ok = test_count_color(&img, rgb) >= min;
    free(img.px);
    return ok;
}

static void binary(void) {
    cli_result r = cli_run("metrics '%s' --true label --pred class --score yes --plots '%s'",
                           FIXTURE("preds_binary.csv"), tmp_path("bin"));
    CHECK(r.rc == 0 && strstr(r.out, "Saved the plots to "));
    cli_result_free(&r);
    /* the curves in C0 blue, the confusion matrix's darkest cell in Blues' end */
    CHECK(png_has("bin/metrics_roc.png", 0x1f77b4, 100));
    CHECK(png_has("bin/metrics_precision_recall.png", 0x1f77b4, 100));
    CHECK(png_has("bin/metrics_confusion.png", 0x08306b, 100));
    char *svg = nr_test_read_file(tmp_path("bin/metrics_roc.svg"), NULL);
    CHECK(svg && test_xml_balanced(svg));
    free(svg);
}

static void multiclass(void) {
    cli_result r = cli_run("metrics '%s' --true species --pred class --score setosa,versicolor,virginica --plots '%s' "
                           "--format png", FIXTURE("preds_iris.csv"), tmp_path("ovr"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    /* versicolor's and virginica's curves (setosa's, AUC 1, runs along the frame) */
    CHECK(png_has("ovr/metrics_roc_ovr.png", 0xff7f0e, 50) && png_has("ovr/metrics_roc_ovr.png", 0x2ca02c, 50));
    CHECK(nr_test_read_file(tmp_path("ovr/metrics_roc_ovr.svg"), NULL) == NULL); /* --format png */
}

static void regression(void) {
    cli_result r = cli_run("metrics '%s' --true y --pred pred --plots '%s'", FIXTURE("preds_reg.csv"), tmp_path("reg"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    char *svg = nr_test_read_file(tmp_path("reg/metrics_predicted_vs_true.svg"), NULL);
    CHECK(svg && test_xml_balanced(svg) && test_svg_count_fill(svg, 0x1f77b4) == 1); /* the dots, one path */
    free(svg);
    test_rgb_image img;
    if (CHECK(test_png_read(tmp_path("reg/metrics_predicted_vs_true.png"), &img))) {
        CHECK(img.w == 560 && img.h == 520);
        free(img.px);
    }
}

static void evaluate(void) {
    cli_result r = cli_run("train '%s' --data '%s' --target species --test-split 0.2 --epochs 20 --verbose 0 --out '%s'",
                           SRC_PATH("examples/iris_mlp.nr"), SRC_PATH("data/iris.csv"), tmp_path("iris.nrm"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    r = cli_run("evaluate '%s' --data '%s' --target species --plots '%s' --format png", tmp_path("iris.nrm"),
                SRC_PATH("data/iris.csv"), tmp_path("eval"));
    CHECK(r.rc == 0 && strstr(r.out, "Classification report:") && strstr(r.out, "Saved the plots to "));
    cli_result_free(&r);
    CHECK(png_has("eval/metrics_confusion.png", 0x08306b, 100) && png_has("eval/metrics_roc_ovr.png", 0xff7f0e, 20));
}

int main(void) {
    cli_setup();
    binary();
    multiclass();
    regression();
    evaluate();
    cli_cleanup();
    return nr_test_finish();
}
