/* PNG and JPEG images: every PNG colour type read back exactly, JPEG
 * approximately, colour modes, TensorFlow's bilinear resize, damaged
 * files named in the error; single images through nr_image_load. The
 * files are written here with libpng and libjpeg (tests/image_write.h). */
#include "data/data_test.h"
#include "image_write.h"

/* Loads path in a colour mode and compares with want (bytes / 255). */
static void check_image(const char *path, nr_color_mode mode, int h, int w, int c, const unsigned char *want,
                        const char *what) {
    nr_tensor *t = NULL;
    if (!CHECK_OK(nr_image_load(path, &(nr_image_opts){.color_mode = mode}, &t))) return;
    if (CHECK(t->ndim == 3 && t->shape[0] == h && t->shape[1] == w && t->shape[2] == c)) {
        float ref[64];
        for (int i = 0; i < h * w * c; i++) ref[i] = want[i] / 255.0f;
        nr_test_close_arrays(t->data, ref, (size_t)(h * w * c), 0, 0, what);
    }
    nr_tensor_free(t);
}

static unsigned char luma(int r, int g, int b) {   /* PIL's convert("L") */
    return (unsigned char)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}

/* A 3x2 RGBA image through every colour mode and its RGB and grey cousins. */
static void test_png_modes(void) {
    const unsigned char rgba[24] = {255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0,
                                    10, 20, 30, 40, 200, 100, 50, 255, 7, 7, 7, 1};
    unsigned char rgb[18], grey[6], rgb_opaque[24], ga[12];
    for (int i = 0; i < 6; i++) {
        const unsigned char *p = rgba + 4 * i;
        for (int k = 0; k < 3; k++) rgb[3 * i + k] = rgb_opaque[4 * i + k] = p[k];
        rgb_opaque[4 * i + 3] = 255;
        grey[i] = luma(p[0], p[1], p[2]);
        ga[2 * i] = grey[i], ga[2 * i + 1] = p[3];
    }
    CHECK(grey[0] == 76 && grey[1] == 150 && grey[2] == 29);   /* PIL: L of pure red, green, blue */
    const char *f_rgba = tmp_new(".png"), *f_rgb = tmp_new(".png"), *f_grey = tmp_new(".png"), *f_ga = tmp_new(".png");
    CHECK(test_png_write8(f_rgba, 3, 2, 4, rgba) && test_png_write8(f_rgb, 3, 2, 3, rgb));
    CHECK(test_png_write8(f_grey, 3, 2, 1, grey) && test_png_write8(f_ga, 3, 2, 2, ga));
    check_image(f_rgba, NR_COLOR_RGBA, 2, 3, 4, rgba, "RGBA as rgba");
    check_image(f_rgba, NR_COLOR_RGB, 2, 3, 3, rgb, "RGBA as rgb: alpha dropped");
    check_image(f_rgba, NR_COLOR_GRAYSCALE, 2, 3, 1, grey, "RGBA as grayscale");
    check_image(f_rgb, NR_COLOR_RGB, 2, 3, 3, rgb, "RGB as rgb");
    check_image(f_rgb, NR_COLOR_RGBA, 2, 3, 4, rgb_opaque, "RGB as rgba: opaque");
    check_image(f_rgb, NR_COLOR_GRAYSCALE, 2, 3, 1, grey, "RGB as grayscale");
    check_image(f_grey, NR_COLOR_GRAYSCALE, 2, 3, 1, grey, "grey as grayscale");
    unsigned char grey3[18], ga4[24];
    for (int i = 0; i < 6; i++) {
        for (int k = 0; k < 3; k++) grey3[3 * i + k] = ga4[4 * i + k] = grey[i];
        ga4[4 * i + 3] = rgba[4 * i + 3];
    }
    check_image(f_grey, NR_COLOR_RGB, 2, 3, 3, grey3, "grey as rgb: repeated");
    check_image(f_ga, NR_COLOR_RGBA, 2, 3, 4, ga4, "grey+alpha as rgba");
    check_image(f_ga, NR_COLOR_GRAYSCALE, 2, 3, 1, grey, "grey+alpha as grayscale");
    check_image(f_rgb, (nr_color_mode)0, 2, 3, 3, rgb, "default mode is rgb");
}

/* Palettes with transparency, 1-bit and 16-bit grey, Adam7 interlacing. */
static void test_png_kinds(void) {
    const png_color pal[3] = {{255, 0, 0}, {0, 0, 255}, {9, 8, 7}};
    const unsigned char trns[2] = {0, 128};
    const unsigned char idx[4] = {0, 1, 2, 1};   /* 2x2, 8-bit indices */
    test_png p = {.w = 2, .h = 2, .color_type = PNG_COLOR_TYPE_PALETTE, .bit_depth = 8, .rows = idx,
                  .palette = pal, .n_palette = 3, .trns = trns, .n_trns = 2};
    const char *f = tmp_new(".png");
    CHECK(test_png_write(f, &p));
    const unsigned char want_pal[16] = {255, 0, 0, 0, 0, 0, 255, 128, 9, 8, 7, 255, 0, 0, 255, 128};
    check_image(f, NR_COLOR_RGBA, 2, 2, 4, want_pal, "palette + tRNS as rgba");

    const unsigned char bits[2] = {0xA0, 0x40};   /* 3x2 1-bit grey: 1 0 1 / 0 1 0 */
    p = (test_png){.w = 3, .h = 2, .color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 1, .rows = bits};
    f = tmp_new(".png");
    CHECK(test_png_write(f, &p));
    check_image(f, NR_COLOR_GRAYSCALE, 2, 3, 1, (const unsigned char[]){255, 0, 255, 0, 255, 0}, "1-bit grey");

    const unsigned char deep[4] = {0x12, 0x34, 0xFF, 0xFF};   /* 2x1 16-bit grey */
    p = (test_png){.w = 2, .h = 1, .color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 16, .rows = deep};
    f = tmp_new(".png");
    CHECK(test_png_write(f, &p));
    nr_tensor *t = NULL;
    if (CHECK_OK(nr_image_load(f, &(nr_image_opts){.color_mode = NR_COLOR_GRAYSCALE}, &t))) {
        CHECK_CLOSE(t->data[0], 0x1234 / 65535.0, 0.5 / 255, 0);   /* rounded to 8 bits */
        CHECK(t->data[1] == 1.0f);
        nr_tensor_free(t);
    }

    unsigned char px[9 * 7 * 3];
    for (int i = 0; i < 9 * 7 * 3; i++) px[i] = (unsigned char)(i * 37 + 11);
    p = (test_png){.w = 9, .h = 7, .color_type = PNG_COLOR_TYPE_RGB, .bit_depth = 8, .interlace = 1, .rows = px};
    f = tmp_new(".png");
    CHECK(test_png_write(f, &p));
    nr_tensor *a = NULL;
    if (CHECK_OK(nr_image_load(f, NULL, &a))) {
        int same = a->shape[0] == 7 && a->shape[1] == 9;
        for (int i = 0; same && i < 9 * 7 * 3; i++) same = a->data[i] == px[i] / 255.0f;
        CHECK(same);
        nr_tensor_free(a);
    }
}

/* JPEG is lossy: a smooth image comes back within a few levels. */
static void test_jpeg(void) {
    enum { W = 24, H = 16 };
    unsigned char rgb[H * W * 3], grey[H * W];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *p = rgb + (y * W + x) * 3;
            p[0] = (unsigned char)(x * 10), p[1] = (unsigned char)(y * 15), p[2] = (unsigned char)(128 + x - y);
            grey[y * W + x] = luma(p[0], p[1], p[2]);
        }
    const char *fc = tmp_new(".jpg"), *fg = tmp_new(".jpeg");
    CHECK(test_jpeg_write(fc, W, H, 3, rgb, 95) && test_jpeg_write(fg, W, H, 1, grey, 95));
    struct { const char *path; nr_color_mode mode; int c; const unsigned char *want; } cases[3] = {
        {fc, NR_COLOR_RGB, 3, rgb}, {fc, NR_COLOR_GRAYSCALE, 1, grey}, {fg, NR_COLOR_GRAYSCALE, 1, grey}};
    for (int k = 0; k < 3; k++) {
        nr_tensor *t = NULL;
        if (!CHECK_OK(nr_image_load(cases[k].path, &(nr_image_opts){.color_mode = cases[k].mode}, &t))) continue;
        CHECK(t->shape[0] == H && t->shape[1] == W && t->shape[2] == cases[k].c);
        double worst = 0, sum = 0;
        for (int i = 0; i < H * W * cases[k].c; i++) {
            double d = fabs(t->data[i] - cases[k].want[i] / 255.0);
            worst = d > worst ? d : worst;
            sum += d;
        }
        CHECK(worst < 12 / 255.0 && sum / (H * W * cases[k].c) < 2.5 / 255.0);
        if (worst >= 12 / 255.0) fprintf(stderr, "  JPEG case %d: worst error %.1f levels\n", k, worst * 255);
        nr_tensor_free(t);
    }
    nr_tensor *t = NULL;   /* a grey JPEG as rgb: the channels repeat */
    if (CHECK_OK(nr_image_load(fg, NULL, &t))) {
        CHECK(t->shape[2] == 3 && t->data[30] == t->data[31] && t->data[31] == t->data[32]);
        nr_tensor_free(t);
    }
}

/* tf.image.resize([[0, 1], [2, 3]], (4, 4), "bilinear") in units of 40
 * levels, the values TensorFlow prints; and a shrink against a plain
 * double-precision transcription of TensorFlow's formula. */
static void test_resize(void) {
    const unsigned char px[4] = {0, 40, 80, 120};
    const char *f = tmp_new(".png");
    CHECK(test_png_write8(f, 2, 2, 1, px));
    const float tf[16] = {0, .25f, .75f, 1, .5f, .75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3};
    float want[16];
    for (int i = 0; i < 16; i++) want[i] = tf[i] * 40 / 255;
    nr_tensor *t = NULL;
    if (CHECK_OK(nr_image_load(f, &(nr_image_opts){.color_mode = NR_COLOR_GRAYSCALE, .height = 4, .width = 4}, &t))) {
        CHECK(t->shape[0] == 4 && t->shape[1] == 4 && t->shape[2] == 1);
        nr_test_close_arrays(t->data, want, 16, 1e-6, 0, "2x2 -> 4x4");
        nr_tensor_free(t);
    }
    enum { H = 7, W = 5, OH = 3, OW = 4 };
    unsigned char big[H * W * 3];
    for (int i = 0; i < H * W * 3; i++) big[i] = (unsigned char)(i * 53 % 256);
    CHECK(test_png_write8(f, W, H, 3, big));
    float ref[OH * OW * 3];
    for (int y = 0; y < OH; y++)
        for (int x = 0; x < OW; x++)
            for (int k = 0; k < 3; k++) {
                double sy = (y + 0.5) * H / OH - 0.5, sx = (x + 0.5) * W / OW - 0.5;
                int y0 = sy < 0 ? 0 : (int)floor(sy), y1 = (int)ceil(sy) > H - 1 ? H - 1 : (int)ceil(sy);
                int x0 = sx < 0 ? 0 : (int)floor(sx), x1 = (int)ceil(sx) > W - 1 ? W - 1 : (int)ceil(sx);
                double ty = sy - floor(sy), tx = sx - floor(sx);
#define PX(yy, xx) big[((yy) * W + (xx)) * 3 + k]
                double top = PX(y0, x0) + (PX(y0, x1) - PX(y0, x0)) * tx;
                double bot = PX(y1, x0) + (PX(y1, x1) - PX(y1, x0)) * tx;
#undef PX
                ref[(y * OW + x) * 3 + k] = (float)((top + (bot - top) * ty) / 255);
            }
    if (CHECK_OK(nr_image_load(f, &(nr_image_opts){.height = OH, .width = OW}, &t))) {
        nr_test_close_arrays(t->data, ref, OH * OW * 3, 1e-5, 0, "7x5 -> 3x4");
        nr_tensor_free(t);
    }
}

static void test_damaged(void) {
    unsigned char px[16 * 16 * 3];
    for (int i = 0; i < (int)sizeof px; i++) px[i] = (unsigned char)(i * 7);
    const char *good = tmp_new(".png");
    CHECK(test_png_write8(good, 16, 16, 3, px));
    size_t n = 0;
    char *bytes = nr_test_read_file(good, &n);
    nr_tensor *t = NULL;
    const char *cut = tmp_file(".png", bytes, n - 30);
    CHECK_ERR(nr_image_load(cut, NULL, &t), NR_STATUS_BAD_FORMAT, cut, "corrupt PNG", "truncated");
    bytes[n / 2] ^= 0x55;   /* inside the IDAT: a CRC or zlib error */
    const char *flipped = tmp_file(".png", bytes, n);
    CHECK_ERR(nr_image_load(flipped, NULL, &t), NR_STATUS_BAD_FORMAT, flipped, "corrupt PNG");
    free(bytes);
    const char *text = tmp_file(".png", "hello, world", 12);
    CHECK_ERR(nr_image_load(text, NULL, &t), NR_STATUS_BAD_FORMAT, text, "not a PNG or JPEG");
    const char *empty = tmp_file(".jpg", "", 0);
    CHECK_ERR(nr_image_load(empty, NULL, &t), NR_STATUS_BAD_FORMAT, empty, "empty");

    const char *jpg = tmp_new(".jpg");
    CHECK(test_jpeg_write(jpg, 16, 16, 3, px, 90));
    bytes = nr_test_read_file(jpg, &n);
    const char *jcut = tmp_file(".jpg", bytes, n / 2);
    CHECK_ERR(nr_image_load(jcut, NULL, &t), NR_STATUS_BAD_FORMAT, jcut, "corrupt JPEG");
    free(bytes);
    /* a PNG header asking for 60000x60000 pixels from a few bytes */
    unsigned char head[45] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                              0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60, 8, 2, 0, 0, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 'I', 'D', 'A', 'T', 0, 0, 0, 0};
    uint32_t crc = (uint32_t)crc32(0, head + 12, 17);
    for (int b = 0; b < 4; b++) head[29 + b] = (unsigned char)(crc >> (24 - 8 * b));
    const char *huge = tmp_file(".png", head, sizeof head);
    CHECK_ERR(nr_image_load(huge, NULL, &t), NR_STATUS_BAD_FORMAT, huge, "60000x60000");
    CHECK_ERR(nr_image_load("/nonexistent/x.png", NULL, &t), NR_STATUS_IO, "/nonexistent/x.png");
    CHECK_ERR(nr_image_load(good, &(nr_image_opts){.height = 4}, &t), NR_STATUS_BAD_ARGUMENT, "(4, 0)");
    CHECK_ERR(nr_image_load(good, &(nr_image_opts){.color_mode = (nr_color_mode)7}, &t), NR_STATUS_BAD_ARGUMENT,
              "NR_COLOR_GRAYSCALE");
    CHECK(t == NULL);
}

/* Allocation N fails: OK or NO_MEMORY, never a leak or a crash. */
static void test_out_of_memory(void) {
    unsigned char px[8 * 8 * 4];
    for (int i = 0; i < (int)sizeof px; i++) px[i] = (unsigned char)i;
    const char *f = tmp_new(".png");
    CHECK(test_png_write8(f, 8, 8, 4, px));
    int saw_ok = 0, bad = 0;
    for (long n = 0; n < 200 && !saw_ok; n++) {
        nr_tensor *t = NULL;
        fail_allocs_from(n);
        nr_status s = nr_image_load(f, &(nr_image_opts){.color_mode = NR_COLOR_GRAYSCALE, .height = 5, .width = 3}, &t);
        fail_allocs_from(-1);
        saw_ok = s == NR_OK;
        bad += s != NR_OK && (s != NR_STATUS_NO_MEMORY || t);
        nr_tensor_free(t);
    }
    CHECK(saw_ok && bad == 0);
}

int main(void) {
    test_png_modes();
    test_png_kinds();
    test_jpeg();
    test_resize();
    test_damaged();
    test_out_of_memory();
    return nr_test_finish();
}
