/* ZeroPadding2D and Cropping2D: rows and columns added (zeros) or cut at
 * the four sides of (N, H, W, C). Both are one PAD2D op, whose amounts
 * are signed: positive pads, negative crops. */
#include "layers/layer.h"

static nr_status pad_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out);
static void pad_config(const nr_layer *l, nr_strbuf *sb);

static const nr_layer_class pad_class = {"ZeroPadding2D", "zero_padding2d", 1, 1, pad_call, pad_config, NULL};
static const nr_layer_class crop_class = {"Cropping2D", "cropping2d", 1, 1, pad_call, pad_config, NULL};

/* ((top, bottom), (left, right)), as Keras writes them. */
typedef const int (*sides)[2];

/* A layer's amounts (ZeroPadding2D's default is resolved when it is made). */
static sides amounts(const nr_layer *l) {
    return l->cls == &crop_class ? l->o.cropping2d.cropping : l->o.zero_padding2d.padding;
}

static nr_status pad_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_node *x = &l->g->nodes[in[0]];
    sides v = amounts(l);
    int sign = l->cls == &crop_class ? -1 : 1;
    char buf[96];
    if (x->ndim != 4)
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) needs input (batch, height, width, channels), got shape %s",
                        l->name, l->cls->type, nr_node_shape_str(x, buf, sizeof buf));
    int64_t shape[4] = {-1, x->shape[1] + sign * ((int64_t)v[0][0] + v[0][1]),
                        x->shape[2] + sign * ((int64_t)v[1][0] + v[1][1]), x->shape[3]};
    if (shape[1] < 1 || shape[2] < 1)
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "layer \"%s\" (Cropping2D): cropping ((%d, %d), (%d, %d)) must leave at least one row and one "
                        "column of input %s",
                        l->name, v[0][0], v[0][1], v[1][0], v[1][1], nr_node_shape_str(x, buf, sizeof buf));
    nr_op_attrs a = {0};
    a.pad2d.top = sign * v[0][0];
    a.pad2d.left = sign * v[1][0];
    return nr_layer_add_op(l, NR_OP_PAD2D, in, 1, 4, shape, &a, out);
}

static void pad_config(const nr_layer *l, nr_strbuf *sb) {
    sides v = amounts(l);
    nr_strbuf_printf(sb, "%s=((%d, %d), (%d, %d)), ", l->cls == &crop_class ? "cropping" : "padding", v[0][0], v[0][1],
                     v[1][0], v[1][1]);
    nr_layer_config_common(l, sb);
}

static nr_status check_amounts(const char *type, const char *what, sides v) {
    for (int i = 0; i < 4; i++)
        if (v[i / 2][i % 2] < 0)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %s cannot be negative, got ((%d, %d), (%d, %d))", type, what,
                            v[0][0], v[0][1], v[1][0], v[1][1]);
    return NR_OK;
}

nr_status nr_zero_padding2d(nr_graph *g, const nr_zero_padding2d_opts *o, nr_layer **out) {
    *out = NULL;
    nr_zero_padding2d_opts zero = {0};
    if (!o) o = &zero;
    NR_TRY(check_amounts("ZeroPadding2D", "padding", o->padding));
    NR_TRY(nr_layer_create(g, &pad_class, &o->base, out));
    nr_zero_padding2d_opts *p = &(*out)->o.zero_padding2d;
    *p = *o;
    p->base.name = NULL;
    int given = o->padding_given;
    for (int i = 0; i < 4; i++) given |= o->padding[i / 2][i % 2] != 0;
    if (!given)
        for (int i = 0; i < 4; i++) p->padding[i / 2][i % 2] = 1;
    p->padding_given = 1;
    return NR_OK;
}

nr_status nr_cropping2d(nr_graph *g, const nr_cropping2d_opts *o, nr_layer **out) {
    *out = NULL;
    nr_cropping2d_opts zero = {0};
    if (!o) o = &zero;
    NR_TRY(check_amounts("Cropping2D", "cropping", o->cropping));
    NR_TRY(nr_layer_create(g, &crop_class, &o->base, out));
    (*out)->o.cropping2d = *o;
    (*out)->o.cropping2d.base.name = NULL;
    return NR_OK;
}
