/* A batch of images drawn as one PNG grid (rules in include/neurona/data.h):
 * inputs, a model's image outputs, convolution kernels. */
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "data/image_internal.h"
#include "io/atomic.h"

typedef struct grid {
    int64_t n;              /* images drawn */
    int h, w, c;            /* one image */
    int rows, cols, pad, zoom;
    int gh, gw;             /* the whole grid */
} grid;

static nr_status image_shape(const nr_tensor *t, grid *g) {
    int ok = t && ((t->ndim == 4 && (t->shape[3] == 1 || t->shape[3] == 3)) || t->ndim == 3);
    if (!ok) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "nr_image_grid_save: images of shape %s: expected (N, H, W, C) with C 1 "
                        "(grey) or 3 (RGB), or (N, H, W)", t ? nr_shape_str(buf, sizeof buf, t->ndim, t->shape) : "NULL");
    }
    if (t->shape[0] < 1) return nr_error(NR_STATUS_BAD_SHAPE, "nr_image_grid_save: no images to draw (N is 0)");
    if (t->shape[1] > NR_IMG_MAX_SIDE || t->shape[2] > NR_IMG_MAX_SIDE)
        return nr_error(NR_STATUS_BAD_SHAPE, "nr_image_grid_save: images of %lldx%lld pixels are larger than a PNG "
                        "tile can be (%d a side)", (long long)t->shape[1], (long long)t->shape[2], NR_IMG_MAX_SIDE);
    g->h = (int)t->shape[1], g->w = (int)t->shape[2], g->c = t->ndim == 4 ? (int)t->shape[3] : 1;
    return NR_OK;
}

static nr_status check_opts(const nr_image_grid_opts *o) {
    if (o->rows < 0 || o->cols < 0 || o->padding < 0 || o->zoom < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_grid_save: rows %d, cols %d, padding %d and zoom %d must not "
                        "be negative", o->rows, o->cols, o->padding, o->zoom);
    if (!(o->pad_value >= 0 && o->pad_value <= 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_grid_save: pad_value %g is outside [0, 1]", o->pad_value);
    if (o->scale < NR_GRID_SCALE_CLIP || o->scale > NR_GRID_SCALE_GLOBAL)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_grid_save: scale %d is not one of NR_GRID_SCALE_CLIP, "
                        "NR_GRID_SCALE_IMAGE, NR_GRID_SCALE_GLOBAL", (int)o->scale);
    return NR_OK;
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

static nr_status layout(grid *g, const nr_image_grid_opts *o, int64_t n) {
    int64_t cols = o->cols, rows = o->rows;
    if (!cols && !rows) cols = (int64_t)ceil(sqrt((double)n));
    if (!cols) cols = ceil_div(n, rows);
    if (!rows) rows = ceil_div(n, cols);
    g->pad = o->padding, g->zoom = o->zoom ? o->zoom : 1;
    int64_t gw = cols * ((int64_t)g->w * g->zoom + g->pad) + g->pad;
    int64_t gh = rows * ((int64_t)g->h * g->zoom + g->pad) + g->pad;
    if (gw > NR_IMG_MAX_SIDE || gh > NR_IMG_MAX_SIDE || gw * gh > NR_IMG_MAX_PIXELS)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_grid_save: a grid of %lld x %lld tiles is %lldx%lld pixels "
                        "(height x width), more than %d a side or %d in all; draw fewer images or a smaller zoom",
                        (long long)rows, (long long)cols, (long long)gh, (long long)gw, NR_IMG_MAX_SIDE,
                        NR_IMG_MAX_PIXELS);
    g->rows = (int)rows, g->cols = (int)cols, g->gw = (int)gw, g->gh = (int)gh;
    g->n = n < rows * cols ? n : rows * cols;
    return NR_OK;
}

/* A NaN in a model's output is a diverged model, not a black pixel. */
static nr_status check_finite(const nr_tensor *t, const grid *g) {
    int64_t size = (int64_t)g->h * g->w * g->c;
    for (int64_t i = 0; i < g->n * size; i++)
        if (!isfinite(t->data[i])) {
            int64_t p = i % size;
            return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_grid_save: image %lld holds %g at row %lld, column %lld, "
                            "channel %lld", (long long)(i / size), t->data[i], (long long)(p / g->c / g->w),
                            (long long)(p / g->c % g->w), (long long)(p % g->c));
        }
    return NR_OK;
}

typedef struct span {
    float lo, inv;   /* value v draws as (v - lo) * inv, clipped to [0, 1] */
} span;

static span span_of(const float *p, int64_t n, nr_grid_scale scale) {
    if (scale == NR_GRID_SCALE_CLIP) return (span){0, 1};
    float lo = p[0], hi = p[0];
    for (int64_t i = 1; i < n; i++) {
        lo = p[i] < lo ? p[i] : lo;
        hi = p[i] > hi ? p[i] : hi;
    }
    return (span){lo, hi > lo ? 1 / (hi - lo) : 0};
}

static unsigned char level(float v, span s) {
    float x = (v - s.lo) * s.inv;
    x = x < 0 ? 0 : x > 1 ? 1 : x;
    return (unsigned char)(x * 255 + 0.5f);
}

static void draw_tile(const grid *g, const float *src, span s, unsigned char *tile, size_t stride) {
    for (int y = 0; y < g->h * g->zoom; y++)
        for (int x = 0; x < g->w * g->zoom; x++)
            for (int k = 0; k < g->c; k++)
                tile[(size_t)y * stride + (size_t)x * (size_t)g->c + (size_t)k] =
                    level(src[((size_t)(y / g->zoom) * (size_t)g->w + (size_t)(x / g->zoom)) * (size_t)g->c + (size_t)k], s);
}

static void draw(const grid *g, const nr_tensor *t, const nr_image_grid_opts *o, nr_img8 *img) {
    size_t stride = (size_t)g->gw * (size_t)g->c;
    int64_t size = (int64_t)g->h * g->w * g->c;
    memset(img->px, level(o->pad_value, (span){0, 1}), stride * (size_t)g->gh);
    span all = span_of(t->data, g->n * size, o->scale);
    for (int64_t i = 0; i < g->n; i++) {
        const float *src = t->data + i * size;
        span s = o->scale == NR_GRID_SCALE_IMAGE ? span_of(src, size, o->scale) : all;
        size_t top = (size_t)g->pad + (size_t)(i / g->cols) * (size_t)(g->h * g->zoom + g->pad);
        size_t left = (size_t)g->pad + (size_t)(i % g->cols) * (size_t)(g->w * g->zoom + g->pad);
        draw_tile(g, src, s, img->px + top * stride + left * (size_t)g->c, stride);
    }
}

static nr_status write_file(const char *path, const nr_img8 *img) {
    nr_atomic_file af;
    NR_TRY(nr_atomic_open_stdio(&af, path));
    nr_status s = nr_png_encode(af.f, path, img);
    if (s != NR_OK) {
        nr_atomic_abort(&af);
        return s;
    }
    return nr_atomic_commit(&af);
}

nr_status nr_image_grid_save(const char *path, const nr_tensor *images, const nr_image_grid_opts *opts) {
    if (!path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_grid_save: path is NULL");
    nr_image_grid_opts o = opts ? *opts : (nr_image_grid_opts){0};
    grid g = {0};
    NR_TRY(check_opts(&o));
    NR_TRY(image_shape(images, &g));
    NR_TRY(layout(&g, &o, images->shape[0]));
    NR_TRY(check_finite(images, &g));
    nr_img8 img = {.w = g.gw, .h = g.gh, .c = g.c};
    img.px = nr_malloc((size_t)g.gw * (size_t)g.gh * (size_t)g.c);
    if (!img.px) return NR_NOMEM();
    draw(&g, images, &o, &img);
    nr_status s = write_file(path, &img);
    nr_img8_free(&img);
    return s;
}
