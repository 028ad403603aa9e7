/* The neurona CLI on images: training a small CNN and an unbuilt MLP on
 * class folders of PNG and JPEG files written here, evaluate and predict
 * on folders (classes matched by name, files named), sizes and colour
 * modes taken from the model, --data-format, CSV rows into a CNN, grids
 * of data, outputs and kernels, and the errors of each. */
#include <sys/stat.h>
#include "image_write.h"
#include "test_cli_run.h"

/* 8x8 images whose top (class "top") or bottom ("bottom") half is bright,
 * every third one a JPEG; c channels. */
static void write_class(const char *dir, const char *cls, int n, int c, unsigned seed) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, cls);
    mkdir(dir, 0755);
    mkdir(path, 0755);
    for (int i = 0; i < n; i++) {
        unsigned char px[8 * 8 * 3];
        for (int p = 0; p < 64; p++)
            for (int k = 0; k < c; k++) {
                seed = seed * 1103515245u + 12345u;
                int bright = (p < 32) == (strcmp(cls, "top") == 0);
                px[p * c + k] = (unsigned char)((bright ? 150 : 0) + (seed >> 16) % 100);
            }
        snprintf(path, sizeof path, "%s/%s/%02d.%s", dir, cls, i, i % 3 ? "png" : "jpg");
        CHECK(i % 3 ? test_png_write8(path, 8, 8, c, px) : test_jpeg_write(path, 8, 8, c, px, 95));
    }
}

static void write_folders(void) {
    write_class(tmp_path("train"), "top", 24, 1, 1);
    write_class(tmp_path("train"), "bottom", 24, 1, 2);
    write_class(tmp_path("test"), "top", 6, 1, 3);
    write_class(tmp_path("test"), "bottom", 6, 1, 4);
    write_class(tmp_path("only_top"), "top", 4, 1, 5);
    write_class(tmp_path("rgb"), "top", 12, 3, 6);
    write_class(tmp_path("rgb"), "bottom", 12, 3, 7);
}

/* A PNG's height and width, through the library. */
static int png_size(const char *path, int64_t *h, int64_t *w) {
    nr_tensor *t = NULL;
    if (nr_image_load(path, NULL, &t) != NR_OK) return 0;
    *h = t->shape[0], *w = t->shape[1];
    nr_tensor_free(t);
    return 1;
}

static void test_train_cnn(void) {
    cli_result r = cli_run("train '%s' --data '%s' --test '%s' --out '%s'", FIXTURE("tiny_cnn.nr"), tmp_path("train"),
                           tmp_path("test"), tmp_path("cnn.nrm"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.9 && strstr(r.out, "48 training samples, 12 test samples, "
                                                                                "2 classes; scaling: none"));
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
    r = cli_run("evaluate '%s' --data '%s'", tmp_path("cnn.nrm"), tmp_path("test"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.9);
    cli_result_free(&r);
    /* one class only: "top" is the model's class 1, whatever the folder holds */
    r = cli_run("evaluate '%s' --data '%s'", tmp_path("cnn.nrm"), tmp_path("only_top"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.75);
    cli_result_free(&r);
    r = cli_run("predict '%s' --data '%s'", tmp_path("cnn.nrm"), tmp_path("test"));
    CHECK(r.rc == 0 && count_lines(r.out) == 13 && strncmp(r.out, "file,class,bottom,top\nbottom/00.jpg,bottom,", 42) == 0);
    cli_result_free(&r);
    /* RGB files become the model's one grey channel */
    r = cli_run("evaluate '%s' --data '%s'", tmp_path("cnn.nrm"), tmp_path("rgb"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.75);
    cli_result_free(&r);
    r = cli_run("summary '%s'", tmp_path("cnn.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "Classes (2): bottom, top"));
    cli_result_free(&r);
}

/* No input shape: the model is built from RGB (8, 8, 3) images; a size
 * and colour mode from the command line; a test split. */
static void test_train_unbuilt(void) {
    cli_result r = cli_run("train '%s' --data '%s' --test-split 0.25 --verbose 0 --out '%s'",
                           FIXTURE("tiny_unbuilt.nr"), tmp_path("rgb"), tmp_path("rgb.nrm"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.8);
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
    r = cli_run("summary '%s'", tmp_path("rgb.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "(None, 192)"));
    cli_result_free(&r);
    r = cli_run("train '%s' --data '%s' --color-mode grayscale --image-size 4x6 --epochs 1 --verbose 0 --out '%s'",
                FIXTURE("tiny_unbuilt.nr"), tmp_path("train"), tmp_path("small.nrm"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    r = cli_run("summary '%s'", tmp_path("small.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "(None, 24)"));
    cli_result_free(&r);
    /* the saved model resizes what it is given to its own (4, 6, 1) */
    r = cli_run("evaluate '%s' --data '%s'", tmp_path("small.nrm"), tmp_path("rgb"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
}

/* Pixel columns of a CSV file, row by row, feed a Conv2D's (8, 8, 1). */
static void test_csv_cnn(void) {
    cli_result r = cli_run("train '%s' --data '%s' --target -1 --test-split 0.2 --verbose 0 --out '%s'",
                           FIXTURE("digits_cnn.nr"), SRC_PATH("data/digits.csv.gz"), tmp_path("digits_cnn.nrm"));
    CHECK(r.rc == 0 && test_metric(r.out, "accuracy") >= 0.9);
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
}

static void test_grids(void) {
    cli_result r = cli_run("images '%s' '%s' --count 10 --cols 5", tmp_path("train"), tmp_path("data.png"));
    int64_t h = 0, w = 0;
    /* 8x8 tiles zoomed 4x (auto: at least 32 pixels), padding 2: 2 rows of 5 */
    CHECK(r.rc == 0 && strstr(r.out, "Saved 10 images") && png_size(tmp_path("data.png"), &h, &w) &&
          h == 2 * 34 + 2 && w == 5 * 34 + 2);
    cli_result_free(&r);
    /* kernels (3, 3, 1, 4): four grey tiles in 2 columns, zoomed 11x, padding 1 */
    r = cli_run("filters '%s' '%s'", tmp_path("cnn.nrm"), tmp_path("filters.png"));
    CHECK(r.rc == 0 && strstr(r.out, "(3, 3, 1, 4)") && png_size(tmp_path("filters.png"), &h, &w) &&
          h == 2 * 34 + 1 && w == 2 * 34 + 1);
    cli_result_free(&r);
    /* an untrained model whose flat outputs are drawn in its input's shape */
    nr_spec *spec = NULL;
    if (CHECK_OK(nr_spec_load_file(FIXTURE("tiny_autoencoder.nr"), 1, &spec))) {
        CHECK_OK(nr_model_save(nr_spec_model(spec), tmp_path("ae.nrm")));
        nr_spec_free(spec);
    }
    r = cli_run("predict '%s' --data '%s' --save-images '%s' --count 4 --zoom 1 --padding 0", tmp_path("ae.nrm"),
                tmp_path("test"), tmp_path("ae.png"));
    CHECK(r.rc == 0 && !strstr(r.out, "file,") && png_size(tmp_path("ae.png"), &h, &w) && h == 16 && w == 16);
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
    r = cli_run("predict '%s' --data '%s' --save-images '%s' --out '%s'", tmp_path("ae.nrm"), tmp_path("test"),
                tmp_path("ae.png"), tmp_path("ae.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "Saved 12 predictions") && strstr(r.out, "Saved 12 images"));
    cli_result_free(&r);
}

static void test_errors(void) {
    const char *cnn = FIXTURE("tiny_cnn.nr");
    expect(2, "--target is for CSV", "train '%s' --data '%s' --target 1", cnn, tmp_path("train"));
    expect(2, "expected HxW", "train '%s' --data '%s' --image-size 8by8", cnn, tmp_path("train"));
    expect(2, "are for folders of images", "train '%s' --data '%s' --target species --color-mode rgb", cnn,
           SRC_PATH("data/iris.csv"));
    expect(2, "valid: idx, images, csv", "train '%s' --data '%s' --data-format png", cnn, tmp_path("train"));
    expect(1, "a folder, not a CSV file", "train '%s' --data '%s' --data-format csv --target 0", cnn,
           tmp_path("train"));
    expect(1, "missing IDX file", "train '%s' --data '%s' --data-format idx", cnn, tmp_path("train"));
    mkdir(tmp_path("void"), 0755);
    expect(1, "neither the MNIST-style IDX files", "train '%s' --data '%s'", cnn, tmp_path("void"));
    mkdir(tmp_path("void/empty_class"), 0755);
    expect(1, "class folder 'empty_class' holds no", "train '%s' --data '%s'", cnn, tmp_path("void"));
    /* mixed sizes: named when nothing gives a size, resized when the model does */
    write_class(tmp_path("mixed"), "top", 2, 1, 8);
    unsigned char px[8 * 8] = {0};
    CHECK(test_png_write8(tmp_path("mixed/top/zz.png"), 5, 6, 1, px));
    expect(1, "mixed/top/zz.png has 6x5", "train '%s' --data '%s'", FIXTURE("tiny_unbuilt.nr"), tmp_path("mixed"));
    cli_result r = cli_run("evaluate '%s' --data '%s'", tmp_path("cnn.nrm"), tmp_path("mixed"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    mkdir(tmp_path("mixed/sideways"), 0755);
    CHECK(test_png_write8(tmp_path("mixed/sideways/a.png"), 8, 8, 1, px));
    expect(1, "class folder 'sideways' is not a class of model", "evaluate '%s' --data '%s'", tmp_path("cnn.nrm"),
           tmp_path("mixed"));
    FILE *f = fopen(tmp_path("test/top/broken.png"), "wb");
    fwrite("\x89PNG\r\n\x1a\n\0\0", 1, 10, f);
    fclose(f);
    expect(1, "test/top/broken.png: corrupt PNG", "evaluate '%s' --data '%s'", tmp_path("cnn.nrm"), tmp_path("test"));
    remove(tmp_path("test/top/broken.png"));
    expect(1, "neither images", "predict '%s' --data '%s' --save-images '%s'", tmp_path("cnn.nrm"), tmp_path("test"),
           tmp_path("x.png"));
    expect(1, "no Conv2D layer", "filters '%s' '%s'", tmp_path("rgb.nrm"), tmp_path("x.png"));
    expect(1, "has no layer 'nope'", "filters '%s' '%s' --layer nope", tmp_path("cnn.nrm"), tmp_path("x.png"));
    f = fopen(tmp_path("labels-idx1"), "wb");
    fwrite("\0\0\x08\x01\0\0\0\x02\0\x01", 1, 10, f);
    fclose(f);
    expect(1, "label file (idx1)", "images '%s' '%s'", tmp_path("labels-idx1"), tmp_path("x.png"));
    expect(2, "missing the DATA and OUT.png argument", "images '%s'", tmp_path("train"));
}

int main(void) {
    cli_setup();
    write_folders();
    test_train_cnn();
    test_train_unbuilt();
    test_csv_cnn();
    test_grids();
    test_errors();
    cli_cleanup();
    return nr_test_finish();
}
