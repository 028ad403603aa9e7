/* JPEG decoding through libjpeg(-turbo): grey files to one channel,
 * colour files to RGB. libjpeg's warnings (corrupt data, a file cut short,
 * which it would fill with grey) are errors here, as they are for
 * TensorFlow's decoder: a damaged image must not train a model silently. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include "core/core.h"
#include "data/image_internal.h"

/* The error manager comes first, so libjpeg's pointer to it is a pointer
 * to the whole context. */
typedef struct jpeg_ctx {
    struct jpeg_error_mgr err;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
    struct jpeg_decompress_struct info;
    nr_status refused;   /* set with nr_error when the file is readable but refused */
    int oom;
} jpeg_ctx;

static void on_error(j_common_ptr ci) {
    jpeg_ctx *c = (jpeg_ctx *)ci->err;
    ci->err->format_message(ci, c->msg);
    longjmp(c->jump, 1);
}

/* Level -1 is a warning; higher levels are trace messages. */
static void on_message(j_common_ptr ci, int level) {
    if (level < 0) on_error(ci);
}

static nr_status check_size(const struct jpeg_decompress_struct *info, const char *path) {
    int64_t w = info->image_width, h = info->image_height;
    if (w <= NR_IMG_MAX_SIDE && h <= NR_IMG_MAX_SIDE && w * h <= NR_IMG_MAX_PIXELS) return NR_OK;
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: a JPEG of %lldx%lld pixels (height x width) is larger than neurona "
                    "reads (%d a side, %d pixels)", path, (long long)h, (long long)w, NR_IMG_MAX_SIDE,
                    NR_IMG_MAX_PIXELS);
}

static nr_status pick_colors(struct jpeg_decompress_struct *info, const char *path) {
    switch (info->jpeg_color_space) {
    case JCS_GRAYSCALE:
        info->out_color_space = JCS_GRAYSCALE;
        return NR_OK;
    case JCS_YCbCr:
    case JCS_RGB:
        info->out_color_space = JCS_RGB;
        return NR_OK;
    default:
        return nr_error(NR_STATUS_UNSUPPORTED, "%s: a CMYK JPEG; neurona reads grey and colour (YCbCr, RGB) JPEGs: "
                        "convert it to RGB", path);
    }
}

/* 0: decoded; 1: libjpeg failed (c->msg), out of memory (c->oom) or the
 * file was refused (c->refused). */
static int read_jpeg(jpeg_ctx *c, FILE *f, const char *path, nr_img8 *img) {
    if (setjmp(c->jump)) return 1;
    jpeg_create_decompress(&c->info);
    jpeg_stdio_src(&c->info, f);
    jpeg_read_header(&c->info, TRUE);
    if ((c->refused = check_size(&c->info, path)) != NR_OK || (c->refused = pick_colors(&c->info, path)) != NR_OK)
        return 1;
    jpeg_start_decompress(&c->info);
    img->w = (int)c->info.output_width;
    img->h = (int)c->info.output_height;
    img->c = c->info.output_components;
    size_t stride = (size_t)img->w * (size_t)img->c;
    img->px = nr_malloc(stride * (size_t)img->h);
    if (!img->px) {
        c->oom = 1;
        return 1;
    }
    while (c->info.output_scanline < c->info.output_height) {
        JSAMPROW row = img->px + (size_t)c->info.output_scanline * stride;
        jpeg_read_scanlines(&c->info, &row, 1);
    }
    jpeg_finish_decompress(&c->info);
    return 0;
}

nr_status nr_jpeg_decode(FILE *f, const char *path, nr_img8 *out) {
    memset(out, 0, sizeof *out);
    jpeg_ctx c;
    memset(&c, 0, sizeof c);
    c.info.err = jpeg_std_error(&c.err);
    c.err.error_exit = on_error;
    c.err.emit_message = on_message;
    int rc = read_jpeg(&c, f, path, out);
    jpeg_destroy_decompress(&c.info);
    if (rc == 0) return NR_OK;
    nr_img8_free(out);
    if (c.refused != NR_OK) return c.refused;
    return c.oom ? NR_NOMEM() : nr_error(NR_STATUS_BAD_FORMAT, "%s: corrupt JPEG: %s", path, c.msg);
}
