/* Colours: matplotlib's tab10 cycle, colour strings as matplotlib spells
 * them, and three colormaps sampled from matplotlib's and interpolated
 * linearly between the samples. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "plot/plot.h"

static const unsigned tab10[10] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                   0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

static const struct { const char *name; unsigned rgb; } named[] = {
    {"black", 0x000000}, {"white", 0xffffff}, {"gray", 0x808080},  {"grey", 0x808080},
    {"lightgray", 0xd3d3d3}, {"red", 0xd62728}, {"green", 0x2ca02c}, {"blue", 0x1f77b4}, {"orange", 0xff7f0e},
};

static plot_rgb from_hex(unsigned c) {
    return (plot_rgb){(c >> 16 & 255) / 255.0, (c >> 8 & 255) / 255.0, (c & 255) / 255.0};
}

plot_rgb plot_cycle(int i) { return from_hex(tab10[((i % 10) + 10) % 10]); }

static int parse(const char *s, unsigned *rgb) {
    char *end;
    if (s[0] == 'C' && s[1] >= '0' && s[1] <= '9' && !s[2]) return *rgb = tab10[s[1] - '0'], 1;
    if (s[0] == '#' && strlen(s) == 7) {
        *rgb = (unsigned)strtoul(s + 1, &end, 16);
        return *end == 0 && strspn(s + 1, "0123456789abcdefABCDEF") == 6;
    }
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strcasecmp(s, named[i].name) == 0) return *rgb = named[i].rgb, 1;
    return 0;
}

nr_status plot_color(nr_axes *a, const char *spec, plot_rgb *out) {
    unsigned rgb;
    if (!spec) {
        *out = plot_cycle(a->next_color++);
        return NR_OK;
    }
    if (!parse(spec, &rgb))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: unknown colour '%s'; use C0..C9, #rrggbb, black, white, gray, "
                        "lightgray, red, green, blue or orange", spec);
    *out = from_hex(rgb);
    return NR_OK;
}

/* Samples at equal steps over [0, 1]. */
static const double viridis[11][3] = {
    {0.267004, 0.004874, 0.329415}, {0.282623, 0.140926, 0.457517}, {0.253935, 0.265254, 0.529983},
    {0.206756, 0.371758, 0.553117}, {0.163625, 0.471133, 0.558148}, {0.127568, 0.566949, 0.550556},
    {0.134692, 0.658636, 0.517649}, {0.266941, 0.748751, 0.440573}, {0.477504, 0.821444, 0.318195},
    {0.741388, 0.873449, 0.149561}, {0.993248, 0.906157, 0.143936},
};
static const unsigned blues[5] = {0xf7fbff, 0xc6dbef, 0x6baed6, 0x2171b5, 0x08306b};
static const unsigned coolwarm[5] = {0x3b4cc0, 0x8db0fe, 0xdddddd, 0xf49a7b, 0xb40426};

static plot_rgb lerp(plot_rgb a, plot_rgb b, double f) {
    return (plot_rgb){a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
}

/* The colour at t of n samples: hex ones, or rows of v. */
static plot_rgb sample(const unsigned *hex, const double (*v)[3], int n, double t) {
    t = isnan(t) ? 0 : fmin(fmax(t, 0), 1) * (n - 1);
    int i = (int)fmin(floor(t), n - 2);
    plot_rgb a = hex ? from_hex(hex[i]) : (plot_rgb){v[i][0], v[i][1], v[i][2]};
    plot_rgb b = hex ? from_hex(hex[i + 1]) : (plot_rgb){v[i + 1][0], v[i + 1][1], v[i + 1][2]};
    return lerp(a, b, t - i);
}

plot_rgb plot_colormap(nr_colormap m, double t) {
    if (m == NR_COLORMAP_BLUES) return sample(blues, NULL, 5, t);
    if (m == NR_COLORMAP_COOLWARM) return sample(coolwarm, NULL, 5, t);
    return sample(NULL, viridis, 11, t);
}
