/* Image folders: class folders in Keras's order (sorted classes, nested
 * folders, hidden and other files skipped), exact PNG pixels, the
 * unlabeled mode, resizing to one size, and every error naming its folder
 * or file. The trees are built here in a temporary folder. */
#include <sys/stat.h>
#include "data/data_test.h"
#include "image_write.h"

static char root[64];

static const char *at(const char *rel) {
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, 512, "%s/%s", root, rel);
    return b;
}

static void mkdirs(const char *rel) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", at(rel));
    nr_test_run(cmd, NULL);
}

static void remove_tree(const char *rel) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", at(rel));
    nr_test_run(cmd, NULL);
}

/* A 4x3 RGB PNG whose pixels all derive from v. */
static void png_at(const char *rel, int v, int h, int w) {
    unsigned char px[64 * 64 * 3];
    for (int i = 0; i < h * w * 3; i++) px[i] = (unsigned char)(v + i);
    CHECK(test_png_write8(at(rel), w, h, 3, px));
}

static void text_at(const char *rel, const char *text) { write_bytes(at(rel), text, strlen(text)); }

/* classes b_dogs and a_cats (sorted: a_cats = 0), a nested folder, hidden
 * files, a text file, files at the top level, a JPEG. */
static void build_tree(void) {
    mkdirs("set/b_dogs");
    mkdirs("set/a_cats/more");
    mkdirs("set/a_cats/.cache");
    png_at("set/b_dogs/z.png", 100, 4, 3);
    png_at("set/b_dogs/a.PNG", 110, 4, 3);
    png_at("set/a_cats/m.png", 0, 4, 3);
    png_at("set/a_cats/more/a.png", 10, 4, 3);
    png_at("set/a_cats/.cache/c.png", 20, 4, 3);
    text_at("set/a_cats/.hidden.png", "not an image, but hidden");
    text_at("set/a_cats/notes.txt", "ignored");
    text_at("set/readme.txt", "ignored");
    png_at("set/top.png", 30, 4, 3);
    unsigned char px[4 * 3 * 3];
    for (int i = 0; i < 36; i++) px[i] = 128;
    CHECK(test_jpeg_write(at("set/b_dogs/photo.jpg"), 3, 4, 3, px, 95));
}

static void test_labeled(void) {
    nr_image_folder *f = NULL;
    if (!CHECK_OK(nr_image_folder_new(at("set"), NULL, &f))) return;
    const char *want[5] = {"a_cats/m.png", "a_cats/more/a.png", "b_dogs/a.PNG", "b_dogs/photo.jpg", "b_dogs/z.png"};
    CHECK(nr_image_folder_count(f) == 5);
    for (int i = 0; i < 5 && i < nr_image_folder_count(f); i++)
        if (!CHECK(strcmp(nr_image_folder_file(f, i), want[i]) == 0))
            fprintf(stderr, "  file %d: %s, expected %s\n", i, nr_image_folder_file(f, i), want[i]);
    CHECK(nr_image_folder_file(f, 5) == NULL);
    const nr_labels *cls = nr_image_folder_classes(f);
    CHECK(cls && nr_labels_count(cls) == 2 && strcmp(nr_labels_name(cls, 0), "a_cats") == 0 &&
          strcmp(nr_labels_name(cls, 1), "b_dogs") == 0);
    nr_tensor *x = NULL, *y = NULL;
    if (CHECK_OK(nr_image_folder_load(f, NULL, &x, &y))) {
        CHECK(x->ndim == 4 && x->shape[0] == 5 && x->shape[1] == 4 && x->shape[2] == 3 && x->shape[3] == 3);
        CHECK(y->ndim == 1 && y->data[0] == 0 && y->data[1] == 0 && y->data[2] == 1 && y->data[4] == 1);
        int exact = 1;   /* PNG is lossless: image 1 is a_cats/more/a.png, v = 10 */
        for (int i = 0; i < 36; i++) exact &= x->data[36 + i] == (float)(10 + i) / 255.0f;
        CHECK(exact);
        CHECK(fabsf(x->data[3 * 36] - 128 / 255.0f) < 3 / 255.0f);   /* the JPEG, approximately */
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    /* grey and resized */
    nr_image_opts o = {.color_mode = NR_COLOR_GRAYSCALE, .height = 2, .width = 5};
    if (CHECK_OK(nr_image_folder_load(f, &o, &x, NULL)))
        CHECK(x->shape[0] == 5 && x->shape[1] == 2 && x->shape[2] == 5 && x->shape[3] == 1);
    nr_tensor_free(x);
    nr_image_folder_free(f);
    /* a trailing slash names the files the same way */
    char slash[600];
    snprintf(slash, sizeof slash, "%s/", at("set"));
    if (CHECK_OK(nr_image_folder_new(slash, NULL, &f))) CHECK(nr_image_folder_count(f) == 5);
    nr_image_folder_free(f);
}

static void test_unlabeled(void) {
    nr_image_folder *f = NULL;
    if (!CHECK_OK(nr_image_folder_new(at("set"), &(nr_image_folder_opts){.unlabeled = 1}, &f))) return;
    CHECK(nr_image_folder_count(f) == 6 && nr_image_folder_classes(f) == NULL);
    CHECK(strcmp(nr_image_folder_file(f, 0), "top.png") == 0 && strcmp(nr_image_folder_file(f, 1), "a_cats/m.png") == 0);
    nr_tensor *x = NULL, *y = (nr_tensor *)1;
    if (CHECK_OK(nr_image_folder_load(f, NULL, &x, &y))) CHECK(x->shape[0] == 6 && y == NULL);
    nr_tensor_free(x);
    nr_image_folder_free(f);
}

static void test_errors(void) {
    nr_image_folder *f = NULL;
    nr_tensor *x = NULL, *y = NULL;
    CHECK_ERR(nr_image_folder_new(at("missing"), NULL, &f), NR_STATUS_IO, "missing", "cannot open");
    mkdirs("flat");
    png_at("flat/a.png", 0, 4, 3);
    CHECK_ERR(nr_image_folder_new(at("flat"), NULL, &f), NR_STATUS_BAD_FORMAT, "no class folders", "1 images directly");
    mkdirs("flat/cls");
    text_at("flat/cls/x.txt", "x");
    CHECK_ERR(nr_image_folder_new(at("flat"), NULL, &f), NR_STATUS_BAD_FORMAT, "class folder 'cls'",
              "1 other files ignored");
    mkdirs("nothing");
    CHECK_ERR(nr_image_folder_new(at("nothing"), &(nr_image_folder_opts){.unlabeled = 1}, &f), NR_STATUS_BAD_FORMAT,
              "no .png");
    text_at("flat/cls/anim.gif", "GIF89a");
    CHECK_ERR(nr_image_folder_new(at("flat"), NULL, &f), NR_STATUS_BAD_FORMAT, "anim.gif", "BMP and GIF");
    CHECK(f == NULL);

    mkdirs("mixed/a");
    mkdirs("mixed/b");
    png_at("mixed/a/1.png", 0, 4, 3);
    png_at("mixed/b/2.png", 0, 5, 3);
    if (CHECK_OK(nr_image_folder_new(at("mixed"), NULL, &f))) {
        CHECK_ERR(nr_image_folder_load(f, NULL, &x, &y), NR_STATUS_BAD_SHAPE, "mixed/b/2.png has 5x3",
                  "mixed/a/1.png, the first image, has 4x3", "image size");
        CHECK(x == NULL && y == NULL);
        if (CHECK_OK(nr_image_folder_load(f, &(nr_image_opts){.height = 4, .width = 4}, &x, &y)))
            CHECK(x->shape[1] == 4 && x->shape[2] == 4 && y->data[1] == 1);
        nr_tensor_free(x);
        nr_tensor_free(y);
    }
    nr_image_folder_free(f);

    /* a damaged image fails the load with its path */
    size_t n = 0;
    char *bytes = nr_test_read_file(at("mixed/a/1.png"), &n);
    write_bytes(at("mixed/a/1.png"), bytes, n - 20);
    free(bytes);
    if (CHECK_OK(nr_image_folder_new(at("mixed"), NULL, &f)))
        CHECK_ERR(nr_image_folder_load(f, NULL, &x, &y), NR_STATUS_BAD_FORMAT, "mixed/a/1.png", "truncated");
    nr_image_folder_free(f);
}

/* Allocation N fails: OK or NO_MEMORY, never a leak or a crash. */
static void test_out_of_memory(void) {
    int saw_ok = 0, bad = 0;
    for (long n = 0; n < 400 && !saw_ok; n++) {
        nr_image_folder *f = NULL;
        nr_tensor *x = NULL, *y = NULL;
        fail_allocs_from(n);
        nr_status s = nr_image_folder_new(at("set"), NULL, &f);
        if (s == NR_OK) s = nr_image_folder_load(f, &(nr_image_opts){.height = 3, .width = 3}, &x, &y);
        fail_allocs_from(-1);
        saw_ok = s == NR_OK;
        bad += s != NR_OK && (s != NR_STATUS_NO_MEMORY || x || y);
        nr_tensor_free(x);
        nr_tensor_free(y);
        nr_image_folder_free(f);
    }
    CHECK(saw_ok && bad == 0);
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/nr_imgdir_XXXXXX");
    if (!mkdtemp(root)) nr_test_skip("cannot create a temporary folder");
    build_tree();
    test_labeled();
    test_unlabeled();
    test_errors();
    test_out_of_memory();
    remove_tree("");
    return nr_test_finish();
}
