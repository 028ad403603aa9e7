/* PNG and JPEG files written by the tests themselves with libpng and
 * libjpeg, not through neurona: the loader is checked against the
 * reference codecs, and image folders need no binary fixtures.
 * Header-only, like data_test.h. */
#ifndef NR_IMAGE_WRITE_H
#define NR_IMAGE_WRITE_H

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <jpeglib.h>

typedef struct test_png {
    int w, h, color_type, bit_depth, interlace;
    const unsigned char *rows;       /* h rows of packed samples as PNG stores them (16-bit: big-endian) */
    const png_color *palette;
    int n_palette;
    const unsigned char *trns;       /* palette alpha, or NULL */
    int n_trns;
} test_png;

static inline int test_png_channels(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;
    }
}

/* Returns 1 when the file was written. */
static inline int test_png_write(const char *path, const test_png *p) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return 0;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)p->w, (png_uint_32)p->h, p->bit_depth, p->color_type,
                 p->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (p->palette) png_set_PLTE(png, info, p->palette, p->n_palette);
    if (p->trns) png_set_tRNS(png, info, p->trns, p->n_trns, NULL);
    png_write_info(png, info);
    size_t stride = ((size_t)p->w * (size_t)test_png_channels(p->color_type) * (size_t)p->bit_depth + 7) / 8;
    int passes = png_set_interlace_handling(png);
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < p->h; y++) png_write_row(png, p->rows + (size_t)y * stride);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return fclose(f) == 0;
}

/* An 8-bit PNG from interleaved pixels of c channels (1, 2, 3 or 4). */
static inline int test_png_write8(const char *path, int w, int h, int c, const unsigned char *px) {
    static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                 PNG_COLOR_TYPE_RGB_ALPHA};
    test_png p = {.w = w, .h = h, .color_type = types[c], .bit_depth = 8, .rows = px};
    return test_png_write(path, &p);
}

/* A baseline JPEG of c = 1 (grey) or 3 (RGB) channels. */
static inline int test_jpeg_write(const char *path, int w, int h, int c, const unsigned char *px, int quality) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    struct jpeg_compress_struct info;
    struct jpeg_error_mgr err;
    info.err = jpeg_std_error(&err);
    jpeg_create_compress(&info);
    jpeg_stdio_dest(&info, f);
    info.image_width = (JDIMENSION)w;
    info.image_height = (JDIMENSION)h;
    info.input_components = c;
    info.in_color_space = c == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(px + (size_t)info.next_scanline * (size_t)w * (size_t)c);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return fclose(f) == 0;
}

#endif
