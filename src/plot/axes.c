/* An axes: its settings, the artists drawn on it, and its layout and
 * drawing: data limits with matplotlib's 5% margins, round ticks, the
 * room its tick labels, axis labels and title need, a light grid, the
 * artists clipped to the box, the frame and the legend. Pies and heat
 * maps take the whole cell and draw their own labels. */
#include <math.h>
#include <string.h>
#include "plot/plot.h"

static const plot_kind_ops *const kind_ops[PLOT_KIND_COUNT_] = {
    [PLOT_LINE] = &plot_line_ops, [PLOT_DIAGONAL] = &plot_diagonal_ops, [PLOT_SCATTER] = &plot_scatter_ops,
    [PLOT_HIST] = &plot_hist_ops, [PLOT_BAR] = &plot_bar_ops,           [PLOT_BOX] = &plot_box_ops,
    [PLOT_PIE] = &plot_pie_ops,   [PLOT_HEATMAP] = &plot_heatmap_ops,
};

static nr_status set_text(char **dst, const char *s) {
    char *copy = s ? nr_strdup(s) : NULL;
    if (s && !copy) return NR_NOMEM();
    nr_free(*dst);
    *dst = copy;
    return NR_OK;
}

nr_status nr_axes_set_title(nr_axes *a, const char *title) { return set_text(&a->title, title); }

nr_status nr_axes_set_labels(nr_axes *a, const char *xlabel, const char *ylabel) {
    NR_TRY(set_text(&a->xlabel, xlabel));
    return set_text(&a->ylabel, ylabel);
}

nr_status nr_axes_set_xlim(nr_axes *a, double lo, double hi) {
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: x limits %g, %g: need finite lo < hi", lo, hi);
    a->fixed_x = 1, a->xlo = lo, a->xhi = hi;
    return NR_OK;
}

nr_status nr_axes_set_ylim(nr_axes *a, double lo, double hi) {
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: y limits %g, %g: need finite lo < hi", lo, hi);
    a->fixed_y = 1, a->ylo = lo, a->yhi = hi;
    return NR_OK;
}

nr_status nr_axes_set_xticks(nr_axes *a, const double *pos, const char *const *labels, int n) {
    double *p = nr_malloc(((size_t)(n > 0 ? n : 0) + 1) * sizeof *p);
    char **l = plot_copy_names(labels, n > 0 ? n : 0);
    if (!p || !l) {
        nr_free(p);
        plot_free_names(l, n);
        return NR_NOMEM();
    }
    if (n > 0) memcpy(p, pos, (size_t)n * sizeof *p);
    nr_free(a->tick_pos);
    plot_free_names(a->tick_labels, a->n_ticks);
    a->tick_pos = p, a->tick_labels = l, a->n_ticks = n > 0 ? n : 0;
    return NR_OK;
}

void nr_axes_set_legend(nr_axes *a, nr_legend_loc loc) { a->legend = loc; }

char **plot_copy_names(const char *const *names, int n) {
    char **out = nr_calloc((size_t)n + 1, sizeof *out);
    for (int i = 0; out && i < n; i++) {
        char num[24];
        snprintf(num, sizeof num, "%d", i);
        if (!(out[i] = nr_strdup(names && names[i] ? names[i] : num))) {
            plot_free_names(out, i);
            return NULL;
        }
    }
    return out;
}

void plot_free_names(char **names, int n) {
    for (int i = 0; names && i < n; i++) nr_free(names[i]);
    nr_free(names);
}

plot_artist *plot_artist_new(plot_kind kind, const char *label) {
    plot_artist *art = nr_calloc(1, sizeof *art);
    if (!art) return NULL;
    art->kind = kind;
    if (label && !(art->label = nr_strdup(label))) {
        nr_free(art);
        return NULL;
    }
    return art;
}

void plot_artist_free(plot_artist *art) {
    if (!art) return;
    nr_free(art->label);
    nr_free(art->x);
    nr_free(art->y);
    nr_free(art->counts);
    nr_free(art->fmt);
    plot_free_names(art->names, art->n_names);
    nr_free(art);
}

static int whole_cell(plot_kind k) { return k == PLOT_PIE || k == PLOT_HEATMAP; }

nr_status plot_add(nr_axes *a, plot_artist *art) {
    if (a->first && (whole_cell(art->kind) || whole_cell(a->first->kind))) {
        plot_artist_free(art);
        return nr_error(NR_STATUS_BAD_ARGUMENT, "plot: a pie or a heat map needs an axes of its own");
    }
    if (a->last) a->last->next = art;
    else a->first = art;
    a->last = art;
    return NR_OK;
}

void plot_axes_free(nr_axes *a) {
    for (plot_artist *art = a->first, *next; art; art = next) {
        next = art->next;
        plot_artist_free(art);
    }
    nr_free(a->title);
    nr_free(a->xlabel);
    nr_free(a->ylabel);
    nr_free(a->tick_pos);
    plot_free_names(a->tick_labels, a->n_ticks);
}

/* ------------------------------------------------------------ layout --- */

static void pad(double *lo, double *hi, int sticky_lo, int sticky_hi) {
    if (*hi == *lo) {
        double d = *lo == 0 ? 0.5 : 0.05 * fabs(*lo);
        *lo -= d, *hi += d;
        return;
    }
    double m = 0.05 * (*hi - *lo);
    if (!sticky_lo) *lo -= m;
    if (!sticky_hi) *hi += m;
}

/* The data limits of every artist, with margins; fixed limits win. */
static void view_limits(const nr_axes *a, plot_view *v) {
    plot_limits all = {INFINITY, -INFINITY, INFINITY, -INFINITY, 0, 0, 0, 0};
    for (const plot_artist *art = a->first; art; art = art->next) {
        plot_limits l = {INFINITY, -INFINITY, INFINITY, -INFINITY, 0, 0, 0, 0};
        kind_ops[art->kind]->limits(art, &l);
        if (l.xlo < all.xlo) all.xlo = l.xlo, all.sticky_xlo = l.sticky_xlo;
        if (l.xhi > all.xhi) all.xhi = l.xhi, all.sticky_xhi = l.sticky_xhi;
        if (l.ylo < all.ylo) all.ylo = l.ylo, all.sticky_ylo = l.sticky_ylo;
        if (l.yhi > all.yhi) all.yhi = l.yhi, all.sticky_yhi = l.sticky_yhi;
    }
    if (!(all.xlo <= all.xhi)) all.xlo = 0, all.xhi = 1;
    if (!(all.ylo <= all.yhi)) all.ylo = 0, all.yhi = 1;
    pad(&all.xlo, &all.xhi, all.sticky_xlo, all.sticky_xhi);
    pad(&all.ylo, &all.yhi, all.sticky_ylo, all.sticky_yhi);
    v->xlo = a->fixed_x ? a->xlo : all.xlo, v->xhi = a->fixed_x ? a->xhi : all.xhi;
    v->ylo = a->fixed_y ? a->ylo : all.ylo, v->yhi = a->fixed_y ? a->yhi : all.yhi;
}

/* The ticks of one axis: explicit ones inside the view, else round ones. */
typedef struct axis_ticks {
    double pos[16], step;
    char text[16][48];
    int n;
} axis_ticks;

static void round_ticks(double lo, double hi, double length, double per_tick, axis_ticks *t) {
    int max = (int)fmin(9, fmax(2, length / per_tick));
    t->n = plot_ticks(lo, hi, max, t->pos, &t->step);
    for (int i = 0; i < t->n; i++) plot_tick_label(t->pos[i], t->step, t->text[i], sizeof t->text[i]);
}

static void explicit_ticks(const nr_axes *a, const plot_view *v, axis_ticks *t) {
    t->n = 0;
    int every = a->n_ticks > 16 ? (a->n_ticks + 15) / 16 : 1;
    for (int i = 0; i < a->n_ticks && t->n < 16; i += every) {
        if (a->tick_pos[i] < fmin(v->xlo, v->xhi) || a->tick_pos[i] > fmax(v->xlo, v->xhi)) continue;
        t->pos[t->n] = a->tick_pos[i];
        snprintf(t->text[t->n++], sizeof t->text[0], "%s", a->tick_labels[i]);
    }
}

/* 1 when the x labels would run into each other and are drawn slanted. */
static int slanted(cairo_t *cr, const axis_ticks *t, double w) {
    double widest = 0;
    for (int i = 0; i < t->n; i++) widest = fmax(widest, plot_text_width(cr, t->text[i], PLOT_TICK_SIZE));
    return t->n > 1 && widest > 0.9 * w / t->n;
}

typedef struct layout {
    plot_view v;
    axis_ticks xt, yt;
    int slant;
} layout;

/* The box inside the cell: room on the left for the y tick labels and
 * label, below for the x ones, above for the title. */
static void place(const nr_axes *a, cairo_t *cr, double x, double y, double w, double h, layout *L) {
    double top = a->title ? PLOT_TITLE_SIZE + 18 : 14, right = 20;
    double bottom = PLOT_TICK_SIZE + 16 + (a->xlabel ? PLOT_LABEL_SIZE + 10 : 0);
    view_limits(a, &L->v);
    round_ticks(L->v.ylo, L->v.yhi, h - top - bottom, PLOT_TICK_SIZE * 3, &L->yt);
    double widest = 0;
    for (int i = 0; i < L->yt.n; i++) widest = fmax(widest, plot_text_width(cr, L->yt.text[i], PLOT_TICK_SIZE));
    double left = widest + 16 + (a->ylabel ? PLOT_LABEL_SIZE + 12 : 0);
    L->v.x0 = x + left, L->v.w = w - left - right;
    if (a->n_ticks) explicit_ticks(a, &L->v, &L->xt);
    else round_ticks(L->v.xlo, L->v.xhi, L->v.w, PLOT_TICK_SIZE * 6, &L->xt);
    L->slant = slanted(cr, &L->xt, L->v.w);
    if (L->slant) {
        double longest = 0;
        for (int i = 0; i < L->xt.n; i++) longest = fmax(longest, plot_text_width(cr, L->xt.text[i], PLOT_TICK_SIZE));
        bottom += fmin(longest, h / 3) * 0.71 - 4;
    }
    L->v.y0 = y + top, L->v.h = h - top - bottom;
}

/* ------------------------------------------------------------ drawing --- */

static void draw_grid(cairo_t *cr, const layout *L) {
    const plot_view *v = &L->v;
    cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
    cairo_set_line_width(cr, 0.8);
    for (int i = 0; i < L->yt.n; i++) {
        cairo_move_to(cr, v->x0, plot_py(v, L->yt.pos[i]));
        cairo_line_to(cr, v->x0 + v->w, plot_py(v, L->yt.pos[i]));
    }
    for (int i = 0; i < L->xt.n; i++) {
        cairo_move_to(cr, plot_px(v, L->xt.pos[i]), v->y0);
        cairo_line_to(cr, plot_px(v, L->xt.pos[i]), v->y0 + v->h);
    }
    cairo_stroke(cr);
}

static void draw_ticks(cairo_t *cr, const layout *L) {
    const plot_view *v = &L->v;
    double yb = v->y0 + v->h;
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 0.8);
    for (int i = 0; i < L->yt.n; i++) {
        double py = plot_py(v, L->yt.pos[i]);
        cairo_move_to(cr, v->x0 - 4, py);
        cairo_line_to(cr, v->x0, py);
        cairo_stroke(cr);
        plot_text(cr, L->yt.text[i], PLOT_TICK_SIZE, v->x0 - 7, py, 1, 0.5, 0);
    }
    for (int i = 0; i < L->xt.n; i++) {
        double px = plot_px(v, L->xt.pos[i]);
        cairo_move_to(cr, px, yb);
        cairo_line_to(cr, px, yb + 4);
        cairo_stroke(cr);
        if (L->slant) plot_text(cr, L->xt.text[i], PLOT_TICK_SIZE, px + 3, yb + 6, 1, 0, -M_PI / 4);
        else plot_text(cr, L->xt.text[i], PLOT_TICK_SIZE, px, yb + 6, 0.5, 0, 0);
    }
}

static void draw_labels(const nr_axes *a, cairo_t *cr, const plot_view *v, double cell_x, double cell_bottom) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (a->title) plot_text(cr, a->title, PLOT_TITLE_SIZE, v->x0 + v->w / 2, v->y0 - 8, 0.5, 1, 0);
    if (a->xlabel) plot_text(cr, a->xlabel, PLOT_LABEL_SIZE, v->x0 + v->w / 2, cell_bottom - 6, 0.5, 1, 0);
    if (a->ylabel) plot_text(cr, a->ylabel, PLOT_LABEL_SIZE, cell_x + 6, v->y0 + v->h / 2, 0.5, 0, -M_PI / 2);
}

static void draw_artists(const nr_axes *a, cairo_t *cr, const plot_view *v) {
    cairo_save(cr);
    cairo_rectangle(cr, v->x0, v->y0, v->w, v->h);
    cairo_clip(cr);
    for (const plot_artist *art = a->first; art; art = art->next) kind_ops[art->kind]->draw(art, cr, v);
    cairo_restore(cr);
}

static void draw_whole_cell(const nr_axes *a, cairo_t *cr, double x, double y, double w, double h) {
    double top = a->title ? PLOT_TITLE_SIZE + 18 : 10;
    plot_view v = {x + 10, y + top, w - 20, h - top - 10, 0, 1, 0, 1};
    if (a->title) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        plot_text(cr, a->title, PLOT_TITLE_SIZE, x + w / 2, y + top - 8, 0.5, 1, 0);
    }
    kind_ops[a->first->kind]->draw(a->first, cr, &v);
}

void plot_axes_draw(nr_axes *a, cairo_t *cr, double x, double y, double w, double h) {
    if (a->first && whole_cell(a->first->kind)) {
        draw_whole_cell(a, cr, x, y, w, h);
        return;
    }
    layout L;
    place(a, cr, x, y, w, h, &L);
    if (L.v.w < 10 || L.v.h < 10) return;
    draw_grid(cr, &L);
    draw_artists(a, cr, &L.v);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, L.v.x0, L.v.y0, L.v.w, L.v.h);
    cairo_stroke(cr);
    draw_ticks(cr, &L);
    draw_labels(a, cr, &L.v, x, y + h);
    plot_legend_draw(a, cr, &L.v);
}
