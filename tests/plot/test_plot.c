/* The chart library: every kind of chart is drawn as PNG and SVG, and the
 * files are read back: the PNG's size, that it is not blank, the expected
 * colours where the bars, wedges and cells are; the SVG's tags nest, and
 * it has one filled element per bar, bin, wedge or cell. Then tick
 * choice, bad arguments, and a save that fails leaving nothing behind.
 * NEURONA_PLOT_DIR=DIR keeps the files there to look at. */
#include <unistd.h>
#include "plot/plot.h"
#include "plot_check.h"

enum { C0 = 0x1f77b4, C1 = 0xff7f0e, C2 = 0x2ca02c, WHITE = 0xffffff };

static char dir[256];

static const char *out(const char *name) {
    static char buf[2][512];
    static int next;
    char *b = buf[next++ % 2];
    snprintf(b, 512, "%s/%s", dir, name);
    return b;
}

/* Saves f as NAME.png and NAME.svg; reads them back into img and *svg. */
static int save_both(nr_figure *f, const char *name, test_rgb_image *img, char **svg) {
    char png[128], vec[128];
    snprintf(png, sizeof png, "%s.png", name);
    snprintf(vec, sizeof vec, "%s.svg", name);
    int ok = CHECK_OK(nr_figure_save(f, out(png))) & CHECK_OK(nr_figure_save(f, out(vec)));
    ok = ok && CHECK(test_png_read(out(png), img));
    *svg = nr_test_read_file(out(vec), NULL);
    ok = ok && CHECK(*svg && test_xml_balanced(*svg) && strstr(*svg, "<svg"));
    return ok;
}

static void test_bars(void) {
    nr_figure *f;
    CHECK_OK(nr_figure_new(&(nr_figure_opts){.width = 400, .height = 300}, &f));
    nr_axes *ax = nr_figure_axes(f, 0);
    const char *names[] = {"setosa", "versicolor", "virginica"};
    const double h[] = {10, 20, 30};
    CHECK_OK(nr_axes_bar(ax, names, h, 3, &(nr_bar_opts){.values = 1}));
    CHECK_OK(nr_axes_set_title(ax, "species"));
    CHECK_OK(nr_axes_set_labels(ax, "class", "count"));
    CHECK(nr_figure_axes(f, 1) == NULL);
    test_rgb_image img;
    char *svg = NULL;
    if (save_both(f, "bars", &img, &svg)) {
        CHECK(img.w == 400 && img.h == 300);
        CHECK(test_count_color(&img, WHITE) < 400L * 300 * 95 / 100);
        int most = 0, top = -1;
        for (int y = 0; y < img.h; y++) {
            int r = test_runs(&img, y, C0);
            most = r > most ? r : most;
            if (r && top < 0) top = y, CHECK(r == 1);   /* only the tallest bar reaches the top */
        }
        CHECK(most == 3);
        CHECK(test_svg_count_fill(svg, C0) == 3);
    }
    free(img.px);
    free(svg);
    nr_figure_free(f);
}

static void test_hist_box(void) {
    nr_figure *f;
    CHECK_OK(nr_figure_new(&(nr_figure_opts){.width = 800, .height = 300, .cols = 2, .title = "x"}, &f));
    double v[101];
    for (int i = 0; i < 100; i++) v[i] = (i * 37 % 100) / 10.0;
    v[100] = 40;   /* an outlier */
    CHECK_OK(nr_axes_hist(nr_figure_axes(f, 0), v, 100, &(nr_hist_opts){.bins = 10, .color = "C2"}));
    const double *sets[] = {v};
    const int64_t n[] = {101};
    CHECK_OK(nr_axes_box(nr_figure_axes(f, 1), sets, n, NULL, 1));
    test_rgb_image img;
    char *svg = NULL;
    if (save_both(f, "hist_box", &img, &svg)) {
        CHECK(test_svg_count_fill(svg, C2) == 10);
        int most = 0;
        for (int y = 0; y < img.h; y++) most = test_runs(&img, y, C2) > most ? test_runs(&img, y, C2) : most;
        CHECK(most == 10);                       /* ten equal bins side by side */
        CHECK(test_count_color(&img, C1) > 20);  /* the median line */
    }
    free(img.px);
    free(svg);
    nr_figure_free(f);
}

/* The wedges' areas follow the values. */
static void test_pie(void) {
    nr_figure *f;
    CHECK_OK(nr_figure_new(&(nr_figure_opts){.width = 500, .height = 400}, &f));
    const char *names[] = {"a", "b", "c"};
    const double v[] = {1, 2, 3};
    CHECK_OK(nr_axes_pie(nr_figure_axes(f, 0), names, v, 3));
    CHECK_STATUS(nr_axes_line(nr_figure_axes(f, 0), NULL, v, 3, NULL), NR_STATUS_BAD_ARGUMENT);
    test_rgb_image img;
    char *svg = NULL;
    if (save_both(f, "pie", &img, &svg)) {
        double a = (double)test_count_color(&img, C0), b = (double)test_count_color(&img, C1);
        double c = (double)test_count_color(&img, C2);
        CHECK(a > 1000 && fabs(b / a - 2) < 0.2 && fabs(c / a - 3) < 0.3);
        CHECK(test_svg_count_fill(svg, C0) == 1 && test_svg_count_fill(svg, C1) == 1 &&
              test_svg_count_fill(svg, C2) == 1);
    }
    free(img.px);
    free(svg);
    nr_figure_free(f);
}

static void test_heatmap(void) {
    nr_figure *f;
    CHECK_OK(nr_figure_new(&(nr_figure_opts){.width = 500, .height = 400}, &f));
    const double m[] = {1, -0.25, -0.25, 1};
    const char *names[] = {"sepal_length", "petal_width"};
    nr_heatmap_opts o = {.colormap = NR_COLORMAP_COOLWARM, .vmin = -1, .vmax = 1};
    CHECK_OK(nr_axes_heatmap(nr_figure_axes(f, 0), m, 2, 2, names, names, &o));
    test_rgb_image img;
    char *svg = NULL;
    if (save_both(f, "heatmap", &img, &svg)) {
        CHECK(test_count_color(&img, 0xb40426) > 2000);   /* coolwarm's red end, two cells */
        CHECK(test_svg_count_fill(svg, 0xb40426) == 2);
    }
    free(img.px);
    free(svg);
    nr_figure_free(f);
}

/* A ROC-style chart: two series, one dashed, the diagonal, fixed [0, 1]
 * axes, a legend; and scatter points. */
static void test_lines(void) {
    nr_figure *f;
    CHECK_OK(nr_figure_new(&(nr_figure_opts){.width = 900, .height = 400, .cols = 2}, &f));
    nr_axes *ax = nr_figure_axes(f, 0);
    const double x[] = {0, 0.1, 0.3, 1}, y1[] = {0, 0.6, 0.9, 1}, y2[] = {0, 0.3, 0.5, 1};
    CHECK_OK(nr_axes_line(ax, x, y1, 4, &(nr_line_opts){.label = "model A"}));
    CHECK_OK(nr_axes_line(ax, x, y2, 4, &(nr_line_opts){.label = "model B", .dashed = 1, .markers = 1}));
    CHECK_OK(nr_axes_diagonal(ax));
    CHECK_OK(nr_axes_set_xlim(ax, 0, 1));
    CHECK_OK(nr_axes_set_ylim(ax, 0, 1));
    nr_axes_set_legend(ax, NR_LEGEND_LOWER_RIGHT);
    double sx[50], sy[50];
    for (int i = 0; i < 50; i++) sx[i] = i, sy[i] = i + (i % 7) - 3;
    CHECK_OK(nr_axes_scatter(nr_figure_axes(f, 1), sx, sy, 50, &(nr_scatter_opts){.label = "points"}));
    CHECK_OK(nr_axes_diagonal(nr_figure_axes(f, 1)));
    test_rgb_image img;
    char *svg = NULL;
    if (save_both(f, "lines", &img, &svg)) {
        CHECK(test_count_color(&img, C0) > 100 && test_count_color(&img, C1) > 50);
        CHECK(strstr(svg, "stroke-dasharray") != NULL);
    }
    free(img.px);
    free(svg);
    nr_figure_free(f);
}

static void test_ticks(void) {
    double t[16], step;
    char buf[48];
    CHECK(plot_ticks(0, 1, 9, t, &step) == 6 && step == 0.2);
    CHECK(plot_ticks(-3.7, 12.2, 9, t, &step) == 8 && step == 2 && t[0] == -2);
    CHECK(plot_ticks(0, 0.9, 4, t, &step) == 4 && step == 0.25);
    plot_tick_label(-0.75, 0.25, buf, sizeof buf);
    CHECK(strcmp(buf, "\xe2\x88\x92" "0.75") == 0);
    plot_tick_label(1500, 500, buf, sizeof buf);
    CHECK(strcmp(buf, "1500") == 0);
}

static void test_errors(void) {
    nr_figure *f = (nr_figure *)1;
    CHECK_STATUS(nr_figure_new(&(nr_figure_opts){.width = 5}, &f), NR_STATUS_BAD_ARGUMENT);
    CHECK(f == NULL);
    CHECK_OK(nr_figure_new(NULL, &f));
    nr_axes *ax = nr_figure_axes(f, 0);
    const double v[] = {1, -1};
    CHECK_STATUS(nr_axes_line(ax, NULL, v, 2, &(nr_line_opts){.color = "C12"}), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "unknown colour 'C12'") != NULL);
    CHECK_STATUS(nr_axes_set_xlim(ax, 1, 1), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_axes_bar(ax, NULL, v, 0, NULL), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_axes_pie(ax, NULL, v, 2), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "values must be >= 0") != NULL);
    CHECK_STATUS(nr_axes_heatmap(ax, v, 1, 2, NULL, NULL, &(nr_heatmap_opts){.format = "%s"}), NR_STATUS_BAD_ARGUMENT);
    CHECK_OK(nr_axes_line(ax, NULL, v, 2, NULL));
    CHECK_STATUS(nr_figure_save(f, out("chart.jpg")), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "must end in .png or .svg") != NULL);
    CHECK_STATUS(nr_figure_save(f, out("missing/chart.png")), NR_STATUS_IO);
    nr_figure_free(f);
}

int main(void) {
    const char *keep = getenv("NEURONA_PLOT_DIR");
    snprintf(dir, sizeof dir, "%s", keep ? keep : "/tmp/nr_plot_XXXXXX");
    if (!keep && !mkdtemp(dir)) nr_test_skip("cannot create a temporary folder");
    test_bars();
    test_hist_box();
    test_pie();
    test_heatmap();
    test_lines();
    test_ticks();
    test_errors();
    nr_plot_cleanup();
    if (!keep) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        nr_test_run(cmd, NULL);
    }
    return nr_test_finish();
}
