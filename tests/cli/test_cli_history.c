/* neurona history: learning curves drawn from a History CSV, read back
 * (PNG: size, the training and validation colours; SVG: well formed, one
 * stroked line per curve), and its errors. */
#include "plot_check.h"
#include "test_cli_run.h"

static const char history[] = "epoch,loss,accuracy,val_loss,val_accuracy\n"
                               "0,0.9,0.55,0.95,0.5\n1,0.6,0.7,0.7,0.65\n2,0.45,0.8,0.6,0.72\n"
                               "3,0.35,0.86,0.58,0.74\n4,0.3,0.9,0.6,0.75\n";

static void write_file(const char *name, const char *text) {
    FILE *f = fopen(tmp_path(name), "w");
    CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

/* <path> elements stroked with colour rgb. */
static int count_stroke(const char *svg, unsigned rgb) {
    char fill[128], stroke[160];
    test_svg_fill(rgb, fill, sizeof fill);
    snprintf(stroke, sizeof stroke, "stroke%s", fill + 4); /* "fill:rgb(...)" -> "stroke:rgb(...)" */
    int n = 0;
    for (const char *p = strstr(svg, "<path"); p; p = strstr(p + 1, "<path")) {
        const char *end = strchr(p, '>'), *s = strstr(p, stroke);
        n += s && end && s < end;
    }
    return n;
}

static void curves(void) {
    write_file("h.csv", history);
    cli_result r = cli_run("history '%s' '%s'", tmp_path("h.csv"), tmp_path("curves.png"));
    CHECK(r.rc == 0 && strstr(r.out, "Saved the learning curves of 5 epochs to "));
    cli_result_free(&r);
    test_rgb_image img;
    if (CHECK(test_png_read(tmp_path("curves.png"), &img))) {
        CHECK(img.w == 1120 && img.h == 400); /* two panels: loss, accuracy */
        CHECK(test_count_color(&img, 0x1f77b4) > 200 && test_count_color(&img, 0xff7f0e) > 200);
        free(img.px);
    }
    r = cli_run("history '%s' '%s'", tmp_path("h.csv"), tmp_path("curves.svg"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    char *svg = nr_test_read_file(tmp_path("curves.svg"), NULL);
    CHECK(svg && test_xml_balanced(svg));
    /* per panel a training and a validation line (legend samples too) */
    CHECK(svg && count_stroke(svg, 0x1f77b4) >= 2 && count_stroke(svg, 0xff7f0e) >= 2);
    free(svg);
}

static void errors(void) {
    write_file("noepoch.csv", "loss,accuracy\n0.5,0.7\n");
    write_file("text.csv", "epoch,loss\n0,low\n");
    cli_result r = cli_run("history '%s' '%s'", tmp_path("noepoch.csv"), tmp_path("x.png"));
    CHECK(r.rc == 1 && strstr(r.err, "starts with an 'epoch' column"));
    cli_result_free(&r);
    r = cli_run("history '%s' '%s'", tmp_path("text.csv"), tmp_path("x.png"));
    CHECK(r.rc == 1 && strstr(r.err, "column 'loss' holds text"));
    cli_result_free(&r);
    r = cli_run("history '%s' '%s'", tmp_path("h.csv"), tmp_path("x.jpg"));
    CHECK(r.rc == 1);
    cli_result_free(&r);
    r = cli_run("history '%s'", tmp_path("h.csv"));
    CHECK(r.rc == 2);
    cli_result_free(&r);
}

int main(void) {
    cli_setup();
    curves();
    errors();
    cli_cleanup();
    return nr_test_finish();
}
