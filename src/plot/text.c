/* Text on a chart: one font (DejaVu Sans, matplotlib's), anchored by a
 * fraction of its width and of the font's height so that labels of one
 * row share a baseline whatever their letters. */
#include "plot/plot.h"

static void use_font(cairo_t *cr, double size) {
    cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double plot_text_width(cairo_t *cr, const char *s, double size) {
    cairo_text_extents_t e;
    use_font(cr, size);
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

void plot_text(cairo_t *cr, const char *s, double size, double x, double y, double ax, double ay, double angle) {
    cairo_font_extents_t fe;
    double w = plot_text_width(cr, s, size);
    cairo_font_extents(cr, &fe);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, -ax * w, fe.ascent * (1 - ay) - fe.descent * ay);
    cairo_show_text(cr, s);
    cairo_restore(cr);
}
