/* PNG through libpng: any PNG decoded to 8-bit grey, grey+alpha, RGB or
 * RGBA, and 8-bit grey or RGB encoded. libpng reports errors by longjmp:
 * each setjmp sits in a function whose state lives in a struct owned by
 * its caller, so nothing changed before the jump is lost, and libpng
 * allocates through neurona's hook. */
#include <png.h>
#include <setjmp.h>
#include <string.h>
#include <sys/stat.h>
#include "core/core.h"
#include "data/image_internal.h"

#define DEFLATE_MAX_RATIO 1032   /* the most a deflate stream expands */

typedef struct png_ctx {
    const char *path;
    png_structp png;
    png_infop info;
    png_bytep *rows;
    char msg[256];
    int oom;
} png_ctx;

static void on_error(png_structp png, png_const_charp msg) {
    png_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg);
    png_longjmp(png, 1);
}

/* Warnings concern ancillary chunks (colour profiles, text) whose pixels
 * are still right; they are not the user's problem. */
static void on_warning(png_structp png, png_const_charp msg) {}

static png_voidp png_alloc(png_structp png, png_alloc_size_t n) {
    void *p = nr_malloc(n);
    if (!p) ((png_ctx *)png_get_mem_ptr(png))->oom = 1;
    return p;
}

static void png_dealloc(png_structp png, png_voidp p) { nr_free(p); }

static nr_status read_status(const png_ctx *c, FILE *f) {
    if (c->oom) return NR_NOMEM();
    if (feof(f)) return nr_error(NR_STATUS_BAD_FORMAT, "%s: corrupt PNG: the file is truncated", c->path);
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: corrupt PNG: %s", c->path, c->msg);
}

/* The header's size, bounded by our limits and by what the file's
 * deflate stream can expand to. */
static nr_status check_size(const png_ctx *c, FILE *f) {
    png_uint_32 w = png_get_image_width(c->png, c->info), h = png_get_image_height(c->png, c->info);
    if (w > NR_IMG_MAX_SIDE || h > NR_IMG_MAX_SIDE || (int64_t)w * h > NR_IMG_MAX_PIXELS)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: a PNG of %ux%u pixels (height x width) is larger than neurona reads "
                        "(%d a side, %d pixels)", c->path, h, w, NR_IMG_MAX_SIDE, NR_IMG_MAX_PIXELS);
    int64_t bits = (int64_t)png_get_channels(c->png, c->info) * png_get_bit_depth(c->png, c->info);
    int64_t raw = (int64_t)h * (1 + ((int64_t)w * bits + 7) / 8);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && raw / DEFLATE_MAX_RATIO > (int64_t)st.st_size)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: corrupt PNG: its header says %ux%u pixels, more than a %lld-byte "
                        "file can hold", c->path, h, w, (long long)st.st_size);
    return NR_OK;
}

/* Every PNG to 8 bits per channel, keeping its channels. */
static void set_transforms(png_structp png, png_infop info) {
    int type = png_get_color_type(png, info);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_scale_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

/* 0: decoded; 1: libpng failed (c->msg); 2: refused with nr_error set. */
static int read_png(png_ctx *c, FILE *f, nr_img8 *img) {
    if (setjmp(png_jmpbuf(c->png))) return 1;
    png_init_io(c->png, f);
    png_read_info(c->png, c->info);
    if (check_size(c, f) != NR_OK) return 2;
    set_transforms(c->png, c->info);
    img->w = (int)png_get_image_width(c->png, c->info);
    img->h = (int)png_get_image_height(c->png, c->info);
    img->c = png_get_channels(c->png, c->info);
    size_t stride = (size_t)img->w * (size_t)img->c;
    NR_ASSERT(png_get_rowbytes(c->png, c->info) == stride);
    img->px = nr_malloc(stride * (size_t)img->h);
    c->rows = nr_malloc((size_t)img->h * sizeof *c->rows);
    if (!img->px || !c->rows) {
        c->oom = 1;
        return 1;
    }
    for (int y = 0; y < img->h; y++) c->rows[y] = img->px + (size_t)y * stride;
    png_read_image(c->png, c->rows);
    png_read_end(c->png, NULL);
    return 0;
}

nr_status nr_png_decode(FILE *f, const char *path, nr_img8 *out) {
    memset(out, 0, sizeof *out);
    png_ctx c = {.path = path};
    c.png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &c, on_error, on_warning, &c, png_alloc, png_dealloc);
    if (c.png) c.info = png_create_info_struct(c.png);
    if (!c.info) {
        png_destroy_read_struct(&c.png, NULL, NULL);
        return NR_NOMEM();
    }
    int rc = read_png(&c, f, out);
    nr_status s = rc == 0 ? NR_OK : rc == 2 ? NR_STATUS_BAD_FORMAT : read_status(&c, f);
    png_destroy_read_struct(&c.png, &c.info, NULL);
    nr_free(c.rows);
    if (s != NR_OK) nr_img8_free(out);
    return s;
}

static int write_png(png_ctx *c, FILE *f, const nr_img8 *img) {
    if (setjmp(png_jmpbuf(c->png))) return 1;
    png_init_io(c->png, f);
    png_set_IHDR(c->png, c->info, (png_uint_32)img->w, (png_uint_32)img->h, 8,
                 img->c == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(c->png, c->info);
    for (int y = 0; y < img->h; y++) png_write_row(c->png, img->px + (size_t)y * (size_t)img->w * (size_t)img->c);
    png_write_end(c->png, NULL);
    return 0;
}

nr_status nr_png_encode(FILE *f, const char *path, const nr_img8 *img) {
    NR_ASSERT(img->c == 1 || img->c == 3);
    png_ctx c = {.path = path};
    c.png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, &c, on_error, on_warning, &c, png_alloc, png_dealloc);
    if (c.png) c.info = png_create_info_struct(c.png);
    if (!c.info) {
        png_destroy_write_struct(&c.png, NULL);
        return NR_NOMEM();
    }
    nr_status s = NR_OK;
    if (write_png(&c, f, img) != 0)
        s = c.oom ? NR_NOMEM() : nr_error(NR_STATUS_IO, "%s: cannot write the PNG: %s", path, c.msg);
    png_destroy_write_struct(&c.png, &c.info);
    return s;
}
