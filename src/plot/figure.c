/* A figure: its grid of axes, and saving it as PNG or SVG (by the file's
 * extension) through cairo's stream API into a temporary file renamed
 * over the destination, so a failed save leaves the old file intact. */
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <string.h>
#include <strings.h>
#include "io/atomic.h"
#include "plot/plot.h"

nr_status nr_figure_new(const nr_figure_opts *opts, nr_figure **out) {
    nr_figure_opts o = opts ? *opts : (nr_figure_opts){0};
    *out = NULL;
    int w = o.width ? o.width : 800, h = o.height ? o.height : 600, rows = o.rows ? o.rows : 1;
    int cols = o.cols ? o.cols : 1;
    if (w < 16 || h < 16 || w > 16384 || h > 16384 || rows < 1 || cols < 1 || rows > 64 || cols > 64)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: a figure of %d x %d pixels in %d x %d axes; sizes go from 16 to "
                        "16384 pixels, grids up to 64 x 64", w, h, rows, cols);
    nr_figure *f = nr_calloc(1, sizeof *f);
    if (!f) return NR_NOMEM();
    f->width = w, f->height = h, f->rows = rows, f->cols = cols;
    f->axes = nr_calloc((size_t)rows * (size_t)cols, sizeof *f->axes);
    if (!f->axes || (o.title && !(f->title = nr_strdup(o.title)))) {
        nr_figure_free(f);
        return NR_NOMEM();
    }
    *out = f;
    return NR_OK;
}

void nr_figure_free(nr_figure *f) {
    if (!f) return;
    for (int i = 0; f->axes && i < f->rows * f->cols; i++) plot_axes_free(&f->axes[i]);
    nr_free(f->axes);
    nr_free(f->title);
    nr_free(f);
}

nr_axes *nr_figure_axes(nr_figure *f, int i) { return i >= 0 && i < f->rows * f->cols ? &f->axes[i] : NULL; }

static void draw(nr_figure *f, cairo_t *cr) {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double top = 0;
    if (f->title) {
        top = PLOT_TITLE_SIZE + 16;
        cairo_set_source_rgb(cr, 0, 0, 0);
        plot_text(cr, f->title, PLOT_TITLE_SIZE + 1, f->width / 2.0, 8, 0.5, 0, 0);
    }
    double cw = (double)f->width / f->cols, ch = (f->height - top) / f->rows;
    for (int r = 0; r < f->rows; r++)
        for (int c = 0; c < f->cols; c++) plot_axes_draw(&f->axes[r * f->cols + c], cr, c * cw, top + r * ch, cw, ch);
}

static cairo_status_t write_stream(void *file, const unsigned char *data, unsigned int len) {
    return fwrite(data, 1, len, file) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int has_ext(const char *path, const char *ext) {
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

static nr_status render(nr_figure *f, const char *path, FILE *file) {
    int svg = has_ext(path, ".svg");
    cairo_surface_t *sf = svg ? cairo_svg_surface_create_for_stream(write_stream, file, f->width, f->height)
                              : cairo_image_surface_create(CAIRO_FORMAT_RGB24, f->width, f->height);
    cairo_t *cr = cairo_create(sf);
    draw(f, cr);
    nr_status s = NR_OK;
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        s = nr_error(NR_STATUS_IO, "%s: cairo: %s", path, cairo_status_to_string(cairo_status(cr)));
    cairo_destroy(cr);
    if (s == NR_OK && !svg && cairo_surface_write_to_png_stream(sf, write_stream, file) != CAIRO_STATUS_SUCCESS)
        s = nr_error(NR_STATUS_IO, "%s: cannot write the PNG image", path);
    cairo_surface_finish(sf);
    if (s == NR_OK && cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS)
        s = nr_error(NR_STATUS_IO, "%s: cairo: %s", path, cairo_status_to_string(cairo_surface_status(sf)));
    cairo_surface_destroy(sf);
    return s;
}

nr_status nr_figure_save(nr_figure *f, const char *path) {
    if (!path || (!has_ext(path, ".png") && !has_ext(path, ".svg")))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: a plot's file name must end in .png or .svg",
                        path ? path : "(null)");
    nr_atomic_file af;
    NR_TRY(nr_atomic_open_stdio(&af, path));
    nr_status s = render(f, path, af.f);
    if (s != NR_OK) {
        nr_atomic_abort(&af);
        return s;
    }
    return nr_atomic_commit(&af);
}

void nr_plot_cleanup(void) {
    cairo_debug_reset_static_data();
    FcFini();
}
