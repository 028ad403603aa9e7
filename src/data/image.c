/* Image files to float tensors: the codec chosen by the file's first bytes,
 * channels converted to the colour mode, an optional bilinear resize, and
 * pixels scaled to [0, 1]. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include "core/core.h"
#include "data/image_internal.h"
#include "neurona/data.h"

void nr_img8_free(nr_img8 *img) {
    nr_free(img->px);
    memset(img, 0, sizeof *img);
}

int nr_color_mode_channels(nr_color_mode mode) {
    return mode == NR_COLOR_GRAYSCALE ? 1 : mode == NR_COLOR_RGBA ? 4 : 3;
}

static nr_status decode(FILE *f, const char *path, nr_img8 *img) {
    unsigned char sig[8] = {0};
    size_t n = fread(sig, 1, sizeof sig, f);
    rewind(f);
    if (n == 8 && memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0) return nr_png_decode(f, path, img);
    if (n >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF) return nr_jpeg_decode(f, path, img);
    if (n == 0) return nr_error(NR_STATUS_BAD_FORMAT, "%s: empty file, not an image", path);
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: not a PNG or JPEG file (its first bytes are neither signature)", path);
}

nr_status nr_img8_read(const char *path, nr_img8 *img) {
    memset(img, 0, sizeof *img);
    struct stat st;
    if (stat(path, &st) != 0) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return nr_error(NR_STATUS_IO, "%s: not a regular file", path);
    FILE *f = fopen(path, "rb");
    if (!f) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    nr_status s = decode(f, path, img);
    fclose(f);
    return s;
}

/* ITU-R 601-2 luma with PIL's fixed-point weights and rounding. */
static unsigned char luma(const unsigned char *p) {
    return (unsigned char)((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
}

/* One pixel from cin to cout channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA;
 * cout is 1, 3 or 4). Alpha is dropped, or added opaque. */
static void convert_pixel(const unsigned char *s, int cin, unsigned char *d, int cout) {
    int color = cin >= 3, alpha = cin == 2 || cin == 4;
    if (cout == 1) {
        d[0] = color ? luma(s) : s[0];
        return;
    }
    for (int k = 0; k < 3; k++) d[k] = color ? s[k] : s[0];
    if (cout == 4) d[3] = alpha ? s[cin - 1] : 255;
}

nr_status nr_img8_convert(nr_img8 *img, int channels) {
    if (img->c == channels) return NR_OK;
    size_t n = (size_t)img->w * (size_t)img->h;
    unsigned char *px = nr_malloc(n * (size_t)channels);
    if (!px) return NR_NOMEM();
    for (size_t i = 0; i < n; i++) convert_pixel(img->px + i * (size_t)img->c, img->c, px + i * (size_t)channels, channels);
    nr_free(img->px);
    img->px = px;
    img->c = channels;
    return NR_OK;
}

/* TensorFlow's bilinear weights with half-pixel centres: output index i
 * samples the input at (i + 0.5) * in / out - 0.5, between lo and hi. */
typedef struct lerp {
    int lo, hi;
    float t;
} lerp;

static void lerp_table(lerp *tab, int out, int in) {
    float scale = (float)in / (float)out;
    for (int i = 0; i < out; i++) {
        float x = ((float)i + 0.5f) * scale - 0.5f, xf = floorf(x);
        tab[i].lo = xf < 0 ? 0 : (int)xf;
        tab[i].hi = (int)ceilf(x) > in - 1 ? in - 1 : (int)ceilf(x);
        tab[i].t = x - xf;
    }
}

static void resize_row(const nr_img8 *img, const lerp *ty, const lerp *tx, int ow, float *dst) {
    int c = img->c;
    const unsigned char *top = img->px + (size_t)ty->lo * (size_t)img->w * (size_t)c;
    const unsigned char *bot = img->px + (size_t)ty->hi * (size_t)img->w * (size_t)c;
    for (int x = 0; x < ow; x++)
        for (int k = 0; k < c; k++) {
            float tl = top[tx[x].lo * c + k], tr = top[tx[x].hi * c + k];
            float bl = bot[tx[x].lo * c + k], br = bot[tx[x].hi * c + k];
            float t = tl + (tr - tl) * tx[x].t, b = bl + (br - bl) * tx[x].t;
            dst[x * c + k] = (t + (b - t) * ty->t) / 255.0f;
        }
}

nr_status nr_img8_to_floats(const nr_img8 *img, int oh, int ow, float *dst) {
    if (oh == img->h && ow == img->w) {
        size_t n = (size_t)img->w * (size_t)img->h * (size_t)img->c;
        for (size_t i = 0; i < n; i++) dst[i] = img->px[i] / 255.0f;
        return NR_OK;
    }
    lerp *ty = nr_malloc((size_t)(oh + ow) * sizeof *ty);
    if (!ty) return NR_NOMEM();
    lerp *tx = ty + oh;
    lerp_table(ty, oh, img->h);
    lerp_table(tx, ow, img->w);
    for (int y = 0; y < oh; y++) resize_row(img, &ty[y], tx, ow, dst + (size_t)y * (size_t)ow * (size_t)img->c);
    nr_free(ty);
    return NR_OK;
}

nr_status nr_image_opts_check(const nr_image_opts *o, const char *fn) {
    if (o->color_mode < NR_COLOR_RGB || o->color_mode > NR_COLOR_RGBA)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: color_mode %d is not one of NR_COLOR_RGB, NR_COLOR_GRAYSCALE, "
                        "NR_COLOR_RGBA", fn, (int)o->color_mode);
    int none = o->height == 0 && o->width == 0;
    int ok = o->height >= 1 && o->height <= NR_IMG_MAX_SIDE && o->width >= 1 && o->width <= NR_IMG_MAX_SIDE &&
             (int64_t)o->height * o->width <= NR_IMG_MAX_PIXELS;
    if (none || ok) return NR_OK;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: image size (%d, %d) (height, width): give both from 1 to %d, or "
                    "both 0 to keep the files' size", fn, o->height, o->width, NR_IMG_MAX_SIDE);
}

nr_status nr_image_load(const char *path, const nr_image_opts *opts, nr_tensor **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_load: out is NULL");
    *out = NULL;
    if (!path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_load: path is NULL");
    nr_image_opts o = opts ? *opts : (nr_image_opts){0};
    NR_TRY(nr_image_opts_check(&o, "nr_image_load"));
    nr_img8 img;
    nr_status s = nr_img8_read(path, &img);
    if (s == NR_OK) s = nr_img8_convert(&img, nr_color_mode_channels(o.color_mode));
    int h = o.height ? o.height : img.h, w = o.width ? o.width : img.w;
    if (s == NR_OK) s = nr_tensor_new(out, 3, (int64_t[]){h, w, img.c});
    if (s == NR_OK) s = nr_img8_to_floats(&img, h, w, (*out)->data);
    nr_img8_free(&img);
    if (s != NR_OK) {
        nr_tensor_free(*out);
        *out = NULL;
    }
    return s;
}
