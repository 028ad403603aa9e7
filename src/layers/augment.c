/* RandomFlip, RandomRotation, RandomTranslation and RandomZoom: Keras's
 * image augmentation layers on (N, H, W, C) input, active only while
 * training. Each adds one RANDOM_AFFINE op (ops/affine.c has the math). */
#include "layers/layer.h"

static const char *const fill_names[] = {"reflect", "wrap", "constant", "nearest"};
static const char *const interp_names[] = {"bilinear", "nearest"};
static const char *const flip_names[] = {"horizontal_and_vertical", "horizontal", "vertical"};

/* --- shared ------------------------------------------------------------ */

static nr_status check_factor(const char *type, const char *name, nr_factor *f) {
    if (!(f->lower >= -1 && f->lower <= 1 && f->upper >= -1 && f->upper <= 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %s must be a number or a pair of numbers in [-1, 1], got (%g, %g)",
                        type, name, f->lower, f->upper);
    if (f->lower > f->upper) {
        float t = f->lower;
        f->lower = f->upper;
        f->upper = t;
    }
    return NR_OK;
}

static nr_status check_fill(const char *type, nr_fill_mode fill, nr_interpolation interp) {
    if ((unsigned)fill > NR_FILL_NEAREST)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: fill_mode %d is not one of reflect, wrap, constant, nearest",
                        type, (int)fill);
    if ((unsigned)interp > NR_INTERPOLATION_NEAREST)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: interpolation %d is not one of bilinear, nearest", type,
                        (int)interp);
    return NR_OK;
}

/* Adds the RANDOM_AFFINE op once the input is known to be a batch of
 * images. */
static nr_status add_affine(nr_layer *l, const nr_sym *in, nr_op_attrs *a, int has_seed, uint64_t seed, nr_sym *out) {
    const nr_node *x = &l->g->nodes[in[0]];
    if (x->ndim != 4) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) needs input (batch, height, width, channels), got shape %s",
                        l->name, l->cls->type, nr_node_shape_str(x, buf, sizeof buf));
    }
    a->affine.seed = nr_layer_op_seed(l, has_seed, seed);
    return nr_layer_add_op(l, NR_OP_RANDOM_AFFINE, in, 1, 4, x->shape, a, out);
}

static void set_fill(nr_op_attrs *a, nr_fill_mode fill, nr_interpolation interp, float value) {
    a->affine.fill = (unsigned char)fill;
    a->affine.interp = (unsigned char)interp;
    a->affine.fill_value = value;
}

static void set_range(nr_op_attrs *a, int k, nr_factor f) {
    a->affine.lo[k] = f.lower;
    a->affine.hi[k] = f.upper;
}

/* Keras's short form f for (-f, f). */
static void write_factor(nr_strbuf *sb, nr_factor f) {
    if (f.lower == -f.upper) nr_strbuf_printf(sb, "%.9g, ", f.upper);
    else nr_strbuf_printf(sb, "(%.9g, %.9g), ", f.lower, f.upper);
}

static void write_rest(const nr_layer *l, nr_strbuf *sb, nr_fill_mode fill, nr_interpolation interp, float value,
                       int has_seed, uint64_t seed) {
    if (fill != NR_FILL_REFLECT) nr_strbuf_printf(sb, "fill_mode=\"%s\", ", fill_names[fill]);
    if (interp != NR_INTERPOLATION_BILINEAR) nr_strbuf_printf(sb, "interpolation=\"%s\", ", interp_names[interp]);
    if (has_seed) nr_strbuf_printf(sb, "seed=%llu, ", (unsigned long long)seed);
    if (value != 0) nr_strbuf_printf(sb, "fill_value=%.9g, ", value);
    nr_layer_config_common(l, sb);
}

/* --- RandomFlip ---------------------------------------------------------- */

static nr_status flip_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_random_flip_opts *o = &l->o.flip;
    nr_op_attrs a = {.affine = {.kind = NR_AFFINE_FLIP, .mode = (unsigned char)o->mode}};
    /* Flipped pixel centres land on pixel centres: read them exactly. */
    set_fill(&a, NR_FILL_REFLECT, NR_INTERPOLATION_NEAREST, 0);
    return add_affine(l, in, &a, o->has_seed, o->seed, out);
}

static void flip_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_random_flip_opts *o = &l->o.flip;
    if (o->mode != NR_FLIP_HORIZONTAL_AND_VERTICAL) nr_strbuf_printf(sb, "\"%s\", ", flip_names[o->mode]);
    if (o->has_seed) nr_strbuf_printf(sb, "seed=%llu, ", (unsigned long long)o->seed);
    nr_layer_config_common(l, sb);
}

static const nr_layer_class flip_class = {"RandomFlip", "random_flip", 1, 1, flip_call, flip_config, NULL};

nr_status nr_random_flip(nr_graph *g, const nr_random_flip_opts *o, nr_layer **out) {
    *out = NULL;
    if ((unsigned)o->mode > NR_FLIP_VERTICAL)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "RandomFlip: mode %d is not one of horizontal_and_vertical, horizontal, vertical", (int)o->mode);
    NR_TRY(nr_layer_create(g, &flip_class, &o->base, out));
    (*out)->o.flip = *o;
    (*out)->o.flip.base.name = NULL;
    return NR_OK;
}

/* --- RandomRotation ------------------------------------------------------ */

static nr_status rotation_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_random_rotation_opts *o = &l->o.rotation;
    nr_op_attrs a = {.affine = {.kind = NR_AFFINE_ROTATION}};
    set_range(&a, 0, o->factor);
    set_fill(&a, o->fill_mode, o->interpolation, o->fill_value);
    return add_affine(l, in, &a, o->has_seed, o->seed, out);
}

static void rotation_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_random_rotation_opts *o = &l->o.rotation;
    write_factor(sb, o->factor);
    write_rest(l, sb, o->fill_mode, o->interpolation, o->fill_value, o->has_seed, o->seed);
}

static const nr_layer_class rotation_class = {"RandomRotation", "random_rotation", 1, 1, rotation_call,
                                              rotation_config, NULL};

nr_status nr_random_rotation(nr_graph *g, const nr_random_rotation_opts *o, nr_layer **out) {
    *out = NULL;
    nr_factor f = o->factor;
    NR_TRY(check_factor("RandomRotation", "factor", &f));
    NR_TRY(check_fill("RandomRotation", o->fill_mode, o->interpolation));
    NR_TRY(nr_layer_create(g, &rotation_class, &o->base, out));
    (*out)->o.rotation = *o;
    (*out)->o.rotation.factor = f;
    (*out)->o.rotation.base.name = NULL;
    return NR_OK;
}

/* --- RandomTranslation --------------------------------------------------- */

static nr_status translation_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_random_translation_opts *o = &l->o.translation;
    nr_op_attrs a = {.affine = {.kind = NR_AFFINE_TRANSLATION}};
    set_range(&a, 0, o->height_factor);
    set_range(&a, 1, o->width_factor);
    set_fill(&a, o->fill_mode, o->interpolation, o->fill_value);
    return add_affine(l, in, &a, o->has_seed, o->seed, out);
}

static void translation_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_random_translation_opts *o = &l->o.translation;
    write_factor(sb, o->height_factor);
    write_factor(sb, o->width_factor);
    write_rest(l, sb, o->fill_mode, o->interpolation, o->fill_value, o->has_seed, o->seed);
}

static const nr_layer_class translation_class = {"RandomTranslation", "random_translation", 1, 1, translation_call,
                                                 translation_config, NULL};

nr_status nr_random_translation(nr_graph *g, const nr_random_translation_opts *o, nr_layer **out) {
    *out = NULL;
    nr_factor h = o->height_factor, w = o->width_factor;
    NR_TRY(check_factor("RandomTranslation", "height_factor", &h));
    NR_TRY(check_factor("RandomTranslation", "width_factor", &w));
    NR_TRY(check_fill("RandomTranslation", o->fill_mode, o->interpolation));
    NR_TRY(nr_layer_create(g, &translation_class, &o->base, out));
    (*out)->o.translation = *o;
    (*out)->o.translation.height_factor = h;
    (*out)->o.translation.width_factor = w;
    (*out)->o.translation.base.name = NULL;
    return NR_OK;
}

/* --- RandomZoom ----------------------------------------------------------- */

static nr_status zoom_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_random_zoom_opts *o = &l->o.zoom;
    nr_op_attrs a = {.affine = {.kind = NR_AFFINE_ZOOM, .has_width = (unsigned char)(o->has_width_factor != 0)}};
    set_range(&a, 0, o->height_factor);
    set_range(&a, 1, o->width_factor);
    set_fill(&a, o->fill_mode, o->interpolation, o->fill_value);
    return add_affine(l, in, &a, o->has_seed, o->seed, out);
}

static void zoom_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_random_zoom_opts *o = &l->o.zoom;
    write_factor(sb, o->height_factor);
    if (o->has_width_factor) write_factor(sb, o->width_factor);
    write_rest(l, sb, o->fill_mode, o->interpolation, o->fill_value, o->has_seed, o->seed);
}

static const nr_layer_class zoom_class = {"RandomZoom", "random_zoom", 1, 1, zoom_call, zoom_config, NULL};

nr_status nr_random_zoom(nr_graph *g, const nr_random_zoom_opts *o, nr_layer **out) {
    *out = NULL;
    nr_factor h = o->height_factor, w = o->width_factor;
    NR_TRY(check_factor("RandomZoom", "height_factor", &h));
    if (o->has_width_factor) NR_TRY(check_factor("RandomZoom", "width_factor", &w));
    NR_TRY(check_fill("RandomZoom", o->fill_mode, o->interpolation));
    NR_TRY(nr_layer_create(g, &zoom_class, &o->base, out));
    (*out)->o.zoom = *o;
    (*out)->o.zoom.height_factor = h;
    (*out)->o.zoom.width_factor = w;
    (*out)->o.zoom.base.name = NULL;
    return NR_OK;
}
