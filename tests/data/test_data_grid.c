/* Image grids: written, read back with nr_image_load and compared pixel
 * by pixel (layout, padding, every scaling, RGB, zoom); bad shapes and
 * values refused; nothing left behind by a failed save. */
#include <dirent.h>
#include "data/data_test.h"

/* Three 2x3 grey images with distinct values in [0, 1]. */
static nr_tensor *three_images(int c) {
    nr_tensor *t = NULL;
    nr_tensor_new(&t, 4, (int64_t[]){3, 2, 3, c});
    for (int64_t i = 0; i < nr_tensor_numel(t); i++) t->data[i] = (float)((i * 7) % 18) / 17.0f;
    return t;
}

static nr_tensor *read_back(const char *path, nr_color_mode mode) {
    nr_tensor *t = NULL;
    CHECK_OK(nr_image_load(path, &(nr_image_opts){.color_mode = mode}, &t));
    return t;
}

static unsigned char byte_of(float v) { return (unsigned char)(v * 255 + 0.5f); }

/* 2 columns, padding 1 of grey 0.5: a 7x9 picture; tile i at row
 * 1 + (i / 2) * 3, column 1 + (i % 2) * 4; the fourth tile is padding. */
static void test_layout(void) {
    nr_tensor *t = three_images(1);
    const char *path = tmp_new(".png");
    if (!CHECK_OK(nr_image_grid_save(path, t, &(nr_image_grid_opts){.cols = 2, .padding = 1, .pad_value = 0.5f}))) {
        nr_tensor_free(t);
        return;
    }
    nr_tensor *g = read_back(path, NR_COLOR_GRAYSCALE);
    if (g && CHECK(g->shape[0] == 7 && g->shape[1] == 9 && g->shape[2] == 1)) {
        int ok = 1;
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 9; x++) {
                int ty = (y - 1) / 3, tx = (x - 1) / 4, iy = (y - 1) % 3, ix = (x - 1) % 4, i = ty * 2 + tx;
                int inside = y >= 1 && x >= 1 && iy < 2 && ix < 3 && i < 3;
                unsigned char want = inside ? byte_of(t->data[i * 6 + iy * 3 + ix]) : byte_of(0.5f);
                ok &= byte_of(g->data[y * 9 + x]) == want;
            }
        CHECK(ok);
    }
    nr_tensor_free(g);
    nr_tensor_free(t);
}

/* Default layout: ceil(sqrt(3)) = 2 columns, no padding; (N, H, W) is grey. */
static void test_defaults(void) {
    nr_tensor *t = NULL;
    nr_tensor_new(&t, 3, (int64_t[]){3, 2, 2});
    for (int i = 0; i < 12; i++) t->data[i] = i < 4 ? -1.0f : 2.0f;   /* clipped to 0 and 1 */
    const char *path = tmp_new(".png");
    if (CHECK_OK(nr_image_grid_save(path, t, NULL))) {
        nr_tensor *g = read_back(path, NR_COLOR_GRAYSCALE);
        if (g && CHECK(g->shape[0] == 4 && g->shape[1] == 4))
            CHECK(g->data[0] == 0 && g->data[2] == 1 && g->data[8] == 1 && g->data[10] == 0);
        nr_tensor_free(g);
    }
    nr_tensor_free(t);
}

/* Per-image and global min-max; RGB tiles; zoom. */
static void test_scaling(void) {
    nr_tensor *t = NULL;
    nr_tensor_new(&t, 4, (int64_t[]){2, 1, 2, 1});
    const float v[4] = {10, 20, -5, 5};
    memcpy(t->data, v, sizeof v);
    const char *path = tmp_new(".png");
    nr_tensor *g = NULL;
    if (CHECK_OK(nr_image_grid_save(path, t, &(nr_image_grid_opts){.cols = 2, .scale = NR_GRID_SCALE_IMAGE})) &&
        (g = read_back(path, NR_COLOR_GRAYSCALE)))
        CHECK(g->data[0] == 0 && g->data[1] == 1 && g->data[2] == 0 && g->data[3] == 1);
    nr_tensor_free(g);
    g = NULL;
    if (CHECK_OK(nr_image_grid_save(path, t, &(nr_image_grid_opts){.cols = 2, .scale = NR_GRID_SCALE_GLOBAL})) &&
        (g = read_back(path, NR_COLOR_GRAYSCALE))) {
        const float want[4] = {byte_of(0.6f) / 255.0f, 1, 0, byte_of(0.4f) / 255.0f};
        nr_test_close_arrays(g->data, want, 4, 1.01 / 255, 0, "global min-max");
    }
    nr_tensor_free(g);
    nr_tensor_free(t);

    t = three_images(3);
    g = NULL;
    if (CHECK_OK(nr_image_grid_save(path, t, &(nr_image_grid_opts){.rows = 1, .cols = 1, .zoom = 2})) &&
        (g = read_back(path, NR_COLOR_RGB)) && CHECK(g->shape[0] == 4 && g->shape[1] == 6 && g->shape[2] == 3)) {
        int ok = 1;   /* only the first image, each pixel a 2x2 block */
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 6; x++)
                for (int k = 0; k < 3; k++)
                    ok &= byte_of(g->data[(y * 6 + x) * 3 + k]) == byte_of(t->data[((y / 2) * 3 + x / 2) * 3 + k]);
        CHECK(ok);
    }
    nr_tensor_free(g);
    nr_tensor_free(t);
}

static int tmp_leftovers(const char *dir, const char *stem) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) n += strncmp(e->d_name, stem, strlen(stem)) == 0;
    if (d) closedir(d);
    return n;
}

static void test_errors(void) {
    nr_tensor *t = NULL;
    const char *path = tmp_new(".png");
    nr_tensor_new(&t, 4, (int64_t[]){2, 2, 2, 2});
    CHECK_ERR(nr_image_grid_save(path, t, NULL), NR_STATUS_BAD_SHAPE, "(2, 2, 2, 2)", "C 1");
    nr_tensor_free(t);
    nr_tensor_new(&t, 2, (int64_t[]){2, 4});
    CHECK_ERR(nr_image_grid_save(path, t, NULL), NR_STATUS_BAD_SHAPE, "(2, 4)");
    nr_tensor_free(t);
    t = three_images(1);
    CHECK_ERR(nr_image_grid_save(path, t, &(nr_image_grid_opts){.rows = -1}), NR_STATUS_BAD_ARGUMENT, "negative");
    CHECK_ERR(nr_image_grid_save(path, t, &(nr_image_grid_opts){.pad_value = 2}), NR_STATUS_BAD_ARGUMENT, "pad_value");
    CHECK_ERR(nr_image_grid_save(path, t, &(nr_image_grid_opts){.zoom = 40000}), NR_STATUS_BAD_ARGUMENT, "pixels");
    t->data[2 * 6 + 4] = NAN;
    CHECK_ERR(nr_image_grid_save(path, t, NULL), NR_STATUS_BAD_ARGUMENT, "image 2", "row 1, column 1");
    t->data[2 * 6 + 4] = 0;
    CHECK_ERR(nr_image_grid_save("/nonexistent/grid.png", t, NULL), NR_STATUS_IO, "/nonexistent/grid.png");
    char dir[] = "/tmp/nr_grid_XXXXXX";
    if (CHECK(mkdtemp(dir) != NULL)) {
        char sub[64];
        snprintf(sub, sizeof sub, "%s/grid.png", dir);
        CHECK_OK(nr_image_grid_save(sub, t, NULL));
        CHECK(tmp_leftovers(dir, "grid.png.tmp") == 0 && tmp_leftovers(dir, "grid.png") == 1);
        unlink(sub);
        rmdir(dir);
    }
    nr_tensor_free(t);
}

int main(void) {
    test_layout();
    test_defaults();
    test_scaling();
    test_errors();
    return nr_test_finish();
}
