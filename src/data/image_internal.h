/* Decoded 8-bit images between the file codecs (png.c, jpeg.c) and the
 * float tensors of image.c: the codecs read and write pixels, image.c
 * converts channels, resizes and scales. */
#ifndef NR_IMAGE_INTERNAL_H
#define NR_IMAGE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include "neurona/data.h"

/* Sides and pixel counts of a decoded image are bounded before its pixels
 * are allocated: a corrupt header cannot ask for gigabytes. */
#define NR_IMG_MAX_SIDE 65535
#define NR_IMG_MAX_PIXELS (1 << 28)

/* h rows of w pixels of c interleaved 8-bit channels: 1 grey, 2 grey and
 * alpha, 3 RGB, 4 RGBA. px is nr_malloc'ed (nr_img8_free). */
typedef struct nr_img8 {
    int w, h, c;
    unsigned char *px;
} nr_img8;

void nr_img8_free(nr_img8 *img);

/* Decodes a PNG or JPEG file, told apart by its first bytes. */
nr_status nr_img8_read(const char *path, nr_img8 *img);

/* Converts img in place to 1 (grey), 3 (RGB) or 4 (RGBA) channels. */
nr_status nr_img8_convert(nr_img8 *img, int channels);

/* img's pixels / 255 as floats (oh, ow, img->c) into dst, resized with
 * bilinear interpolation when the size differs. */
nr_status nr_img8_to_floats(const nr_img8 *img, int oh, int ow, float *dst);

/* Channels of a colour mode: 1, 3 or 4. */
int nr_color_mode_channels(nr_color_mode mode);

/* Checks the options' colour mode and size; fn names the caller. */
nr_status nr_image_opts_check(const nr_image_opts *o, const char *fn);

/* Decoders: the file's own channels (grey, grey+alpha, RGB or RGBA; 16-bit
 * PNG samples rounded to 8 bits, palettes expanded). f is borrowed and read
 * from its current position; path is for messages. NR_STATUS_BAD_FORMAT
 * names the path and what the codec found wrong. */
nr_status nr_png_decode(FILE *f, const char *path, nr_img8 *out);
nr_status nr_jpeg_decode(FILE *f, const char *path, nr_img8 *out);

/* Writes img (c = 1 grey or 3 RGB) as an 8-bit PNG to f (borrowed, not
 * closed); path is for messages. */
nr_status nr_png_encode(FILE *f, const char *path, const nr_img8 *img);

#endif
