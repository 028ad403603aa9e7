/* The forecast plot of `neurona forecast --plot`: one panel per target
 * over the test steps, the truth in black, the model's forecast in blue,
 * the naive baselines dashed, drawn with cairo as PNG or SVG (told by the
 * file's extension) and written atomically through cairo's stream API. */
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include "cli/cli.h"
#include "cli/cli_forecast.h"
#include "core/core.h"
#include "io/atomic.h"

enum { WIDTH = 1000, PANEL = 320, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50 };

typedef struct style {
    cli_curve c;
    const char *name;
    double r, g, b, width;
    int dashed;
} style;

/* Drawn in this order, so the model's line lies on top. */
static const style styles[4] = {
    {CLI_CURVE_TRUTH, "truth", 0, 0, 0, 1.2, 0},
    {CLI_CURVE_NAIVE, "naive", 0.55, 0.55, 0.55, 1.0, 1},
    {CLI_CURVE_SEASONAL, "seasonal naive", 1.0, 0.5, 0.05, 1.0, 1},
    {CLI_CURVE_MODEL, "model", 0.12, 0.47, 0.71, 1.6, 0},
};

/* One panel: its box on the surface and its value range. */
typedef struct panel {
    double x0, y0, w, h;
    double lo, hi;
    int64_t n;
} panel;

static double px(const panel *p, int64_t i) { return p->x0 + (p->n > 1 ? p->w * (double)i / (double)(p->n - 1) : 0); }
static double py(const panel *p, double v) { return p->y0 + p->h * (1 - (v - p->lo) / (p->hi - p->lo)); }

static int drawn(const cli_forecast *fc, const style *s) { return s->c != CLI_CURVE_SEASONAL || fc->a->period; }

/* 1, 2 or 5 times a power of ten, giving about five ticks over span. */
static double tick_step(double span) {
    double raw = span / 5, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void draw_y_axis(cairo_t *cr, const panel *p) {
    double step = tick_step(p->hi - p->lo);
    char buf[32];
    cairo_set_font_size(cr, 11);
    for (double v = ceil(p->lo / step) * step; v <= p->hi; v += step) {
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, p->x0, py(p, v));
        cairo_line_to(cr, p->x0 + p->w, py(p, v));
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%g", fabs(v) < step / 1e6 ? 0 : v);
        cairo_text_extents_t e;
        cairo_text_extents(cr, buf, &e);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, p->x0 - e.x_advance - 6, py(p, v) + e.height / 2);
        cairo_show_text(cr, buf);
    }
}

/* Six labels along the steps: their dates, else their step numbers. */
static void draw_x_axis(cairo_t *cr, const panel *p, const cli_forecast *fc) {
    char buf[32];
    for (int t = 0; t < 6 && p->n > 1; t++) {
        int64_t i = (p->n - 1) * t / 5, u = fc->origins[0] + i;
        const char *label = nr_series_label(fc->s, u);
        if (!label) snprintf(buf, sizeof buf, "%lld", (long long)u);
        cairo_text_extents_t e;
        cairo_text_extents(cr, label ? label : buf, &e);
        cairo_move_to(cr, px(p, i) - e.x_advance * t / 5, p->y0 + p->h + 16);
        cairo_show_text(cr, label ? label : buf);
    }
}

static void draw_curve(cairo_t *cr, const panel *p, const style *s, const double *v) {
    double dash = 5;
    cairo_set_source_rgb(cr, s->r, s->g, s->b);
    cairo_set_line_width(cr, s->width);
    cairo_set_dash(cr, &dash, s->dashed, 0);
    for (int64_t i = 0; i < p->n; i++) (i ? cairo_line_to : cairo_move_to)(cr, px(p, i), py(p, v[i]));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_width(cr, 1);
}

/* The title on the left, the legend on the right, above the panel. */
static void draw_heading(cairo_t *cr, const panel *p, const cli_forecast *fc, int k) {
    char title[256];
    snprintf(title, sizeof title, "%s: forecasts of %d step%s over the test part", fc->o->targets[k], fc->steps,
             fc->steps == 1 ? "" : "s");
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 13);
    cairo_move_to(cr, p->x0, p->y0 - 12);
    cairo_show_text(cr, title);
    cairo_set_font_size(cr, 11);
    double x = p->x0 + p->w;
    for (int s = 3; s >= 0; s--) {
        if (!drawn(fc, &styles[s])) continue;
        cairo_text_extents_t e;
        cairo_text_extents(cr, styles[s].name, &e);
        x -= e.x_advance + 34;
        double v[2] = {0, 0};
        panel sample = {x, p->y0 - 20, 22, 10, -1, 1, 2};
        draw_curve(cr, &sample, &styles[s], v);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, x + 26, p->y0 - 12);
        cairo_show_text(cr, styles[s].name);
    }
}

static void draw_panel(cairo_t *cr, panel *p, const cli_forecast *fc, int k, double *const curves[4]) {
    p->lo = INFINITY, p->hi = -INFINITY;
    for (int s = 0; s < 4; s++)
        for (int64_t i = 0; drawn(fc, &styles[s]) && i < p->n; i++) {
            p->lo = fmin(p->lo, curves[s][i]);
            p->hi = fmax(p->hi, curves[s][i]);
        }
    double pad = p->hi > p->lo ? 0.05 * (p->hi - p->lo) : 1;
    p->lo -= pad, p->hi += pad;
    draw_y_axis(cr, p);
    draw_x_axis(cr, p, fc);
    for (int s = 0; s < 4; s++)
        if (drawn(fc, &styles[s])) draw_curve(cr, p, &styles[s], curves[s]);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_stroke(cr);
    draw_heading(cr, p, fc, k);
}

static nr_status draw(cairo_t *cr, const cli_forecast *fc) {
    int64_t n = cli_forecast_len(fc);
    double *buf = nr_malloc(4 * (size_t)n * sizeof *buf);
    if (!buf) return NR_NOMEM();
    double *curves[4] = {buf, buf + n, buf + 2 * n, buf + 3 * n};
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    for (int k = 0; k < fc->o->n_targets; k++) {
        for (int s = 0; s < 4; s++)
            if (drawn(fc, &styles[s])) cli_forecast_curve(fc, styles[s].c, k, curves[s]);
        panel p = {LEFT, TOP + (double)k * PANEL, WIDTH - LEFT - RIGHT, PANEL - TOP - BOTTOM, 0, 0, n};
        draw_panel(cr, &p, fc, k, curves);
    }
    nr_free(buf);
    return NR_OK;
}

static cairo_status_t write_stream(void *f, const unsigned char *data, unsigned int len) {
    return fwrite(data, 1, len, f) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int has_ext(const char *path, const char *ext) {
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

/* Draws onto a PNG or SVG surface writing into f. */
static nr_status render(const cli_forecast *fc, const char *path, FILE *f) {
    int svg = has_ext(path, ".svg"), height = PANEL * fc->o->n_targets;
    cairo_surface_t *sf = svg ? cairo_svg_surface_create_for_stream(write_stream, f, WIDTH, height)
                              : cairo_image_surface_create(CAIRO_FORMAT_RGB24, WIDTH, height);
    cairo_t *cr = cairo_create(sf);
    nr_status s = draw(cr, fc);
    cairo_destroy(cr);
    if (s == NR_OK && !svg && cairo_surface_write_to_png_stream(sf, write_stream, f) != CAIRO_STATUS_SUCCESS)
        s = nr_error(NR_STATUS_IO, "%s: cannot write the PNG image", path);
    cairo_surface_finish(sf);
    if (s == NR_OK && cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS)
        s = nr_error(NR_STATUS_IO, "%s: cairo: %s", path, cairo_status_to_string(cairo_surface_status(sf)));
    cairo_surface_destroy(sf);
    return s;
}

/* cairo and fontconfig keep font caches for the life of the process;
 * the CLI draws one plot, so it hands them back and leak checkers see a
 * clean exit. */
static void release_fonts(void) {
    cairo_debug_reset_static_data();
    FcFini();
}

nr_status cli_plot_forecast(const cli_forecast *fc, const char *path) {
    if (!has_ext(path, ".png") && !has_ext(path, ".svg"))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the plot's file name must end in .png or .svg", path);
    nr_atomic_file af;
    NR_TRY(nr_atomic_open(&af, path));
    nr_status s = nr_atomic_stdio(&af);
    if (s == NR_OK) s = render(fc, path, af.f);
    release_fonts();
    if (s != NR_OK) {
        nr_atomic_abort(&af);
        return s;
    }
    NR_TRY(nr_atomic_commit(&af));
    printf("Saved the plot to %s\n", path);
    return NR_OK;
}
