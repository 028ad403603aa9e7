/* Reading back the charts neurona writes: PNG files through libpng's
 * simplified API (pixels as 8-bit RGB), SVG files as text: its tags must
 * nest and close, and the elements of one fill colour can be counted.
 * Header-only, like image_write.h. */
#ifndef NR_PLOT_CHECK_H
#define NR_PLOT_CHECK_H

#include <png.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

typedef struct test_rgb_image {
    int w, h;
    unsigned char *px;   /* w * h * 3 */
} test_rgb_image;

/* 1 on success; the caller frees img->px. */
static inline int test_png_read(const char *path, test_rgb_image *img) {
    png_image p;
    memset(&p, 0, sizeof p);
    p.version = PNG_IMAGE_VERSION;
    img->px = NULL;
    if (!png_image_begin_read_from_file(&p, path)) return 0;
    p.format = PNG_FORMAT_RGB;
    img->w = (int)p.width, img->h = (int)p.height;
    img->px = malloc(PNG_IMAGE_SIZE(p));
    if (!img->px || !png_image_finish_read(&p, NULL, img->px, 0, NULL)) {
        png_image_free(&p);
        free(img->px);
        img->px = NULL;
        return 0;
    }
    return 1;
}

static inline int test_px_is(const test_rgb_image *img, int x, int y, unsigned rgb) {
    const unsigned char *p = img->px + 3 * ((size_t)y * (size_t)img->w + (size_t)x);
    return p[0] == (rgb >> 16 & 255) && p[1] == (rgb >> 8 & 255) && p[2] == (rgb & 255);
}

/* Pixels of exactly colour rgb. */
static inline long test_count_color(const test_rgb_image *img, unsigned rgb) {
    long n = 0;
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++) n += test_px_is(img, x, y, rgb);
    return n;
}

/* Runs of colour rgb along row y. */
static inline int test_runs(const test_rgb_image *img, int y, unsigned rgb) {
    int n = 0;
    for (int x = 0; x < img->w; x++) n += test_px_is(img, x, y, rgb) && (x == 0 || !test_px_is(img, x - 1, y, rgb));
    return n;
}

/* 1 when every start tag of the text is closed in order (self-closing
 * tags, <?...?>, comments and CDATA aside). */
static inline int test_xml_balanced(const char *s) {
    char stack[64][64];
    int depth = 0, seen = 0;
    for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
        const char *end = strchr(p, '>');
        if (!end) return 0;
        if (p[1] == '?' || p[1] == '!') continue;
        int closing = p[1] == '/', self = end[-1] == '/';
        const char *name = p + 1 + closing;
        size_t len = strcspn(name, " \t\r\n/>");
        if (len == 0 || len >= 64) return 0;
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], name, len) != 0 || stack[depth - 1][len]) return 0;
            depth--;
        } else if (!self) {
            if (depth == 64) return 0;
            memcpy(stack[depth], name, len);
            stack[depth++][len] = 0;
        }
        seen++;
    }
    return seen > 0 && depth == 0;
}

/* A percentage as cairo writes it: six decimals, trailing zeros cut. */
static inline void test_svg_pct(double v, char *buf, size_t size) {
    snprintf(buf, size, "%f", v);
    char *end = buf + strlen(buf);
    while (end > buf && end[-1] == '0') *--end = 0;
    if (end > buf && end[-1] == '.') end[-1] = 0;
}

/* cairo's spelling of a fill colour in SVG. */
static inline void test_svg_fill(unsigned rgb, char *buf, size_t size) {
    char r[24], g[24], b[24];
    test_svg_pct((rgb >> 16 & 255) / 2.55, r, sizeof r);
    test_svg_pct((rgb >> 8 & 255) / 2.55, g, sizeof g);
    test_svg_pct((rgb & 255) / 2.55, b, sizeof b);
    snprintf(buf, size, "fill:rgb(%s%%,%s%%,%s%%)", r, g, b);
}

/* <path> elements filled with colour rgb. */
static inline int test_svg_count_fill(const char *svg, unsigned rgb) {
    char fill[128];
    test_svg_fill(rgb, fill, sizeof fill);
    int n = 0;
    for (const char *p = strstr(svg, "<path"); p; p = strstr(p + 1, "<path")) {
        const char *end = strchr(p, '>'), *f = strstr(p, fill);
        n += f && end && f < end;
    }
    return n;
}

#endif
