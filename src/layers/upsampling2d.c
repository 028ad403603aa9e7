/* UpSampling2D: (N, H, W, C) -> (N, H sh, W sw, C), nearest (Keras's
 * default: repeated rows and columns) or bilinear. */
#include "layers/layer.h"

/* Values per output sample beyond which a size is surely a mistake. */
#define MAX_ROW 2147483647.0

/* {0} means 2x2, {3} means 3x3. */
static void factors(const nr_upsampling2d_opts *o, int *s) {
    s[0] = o->size[0] ? o->size[0] : 2;
    s[1] = o->size[1] ? o->size[1] : s[0];
}

static nr_status up_call(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out) {
    (void)n_in;
    const nr_upsampling2d_opts *o = &l->o.upsampling2d;
    const nr_node *x = &l->g->nodes[in[0]];
    if (x->ndim != 4) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (UpSampling2D) needs input (batch, height, width, channels), got shape %s",
                        l->name, nr_node_shape_str(x, buf, sizeof buf));
    }
    int s[2];
    factors(o, s);
    /* Checked in double, before any int64 product can overflow. */
    if ((double)x->shape[1] * s[0] * (double)x->shape[2] * s[1] * (double)x->shape[3] > MAX_ROW) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (UpSampling2D): size (%d, %d) on input %s gives more than %.0f values per sample",
                        l->name, s[0], s[1], nr_node_shape_str(x, buf, sizeof buf), MAX_ROW);
    }
    nr_op_attrs a = {0};
    a.upsample.sh = s[0];
    a.upsample.sw = s[1];
    a.upsample.bilinear = o->interpolation == NR_UPSAMPLING_BILINEAR;
    int64_t shape[4] = {-1, x->shape[1] * s[0], x->shape[2] * s[1], x->shape[3]};
    return nr_layer_add_op(l, NR_OP_UPSAMPLE2D, in, 1, 4, shape, &a, out);
}

static void up_config(const nr_layer *l, nr_strbuf *sb) {
    const nr_upsampling2d_opts *o = &l->o.upsampling2d;
    int s[2];
    factors(o, s);
    if (s[0] != 2 || s[1] != 2) nr_strbuf_printf(sb, "size=(%d, %d), ", s[0], s[1]);
    if (o->interpolation == NR_UPSAMPLING_BILINEAR) nr_strbuf_printf(sb, "interpolation=\"bilinear\", ");
    nr_layer_config_common(l, sb);
}

static const nr_layer_class up_class = {"UpSampling2D", "up_sampling2d", 1, 1, up_call, up_config, NULL};

nr_status nr_up_sampling2d(nr_graph *g, const nr_upsampling2d_opts *o, nr_layer **out) {
    *out = NULL;
    nr_upsampling2d_opts zero = {0};
    if (!o) o = &zero;
    if (o->size[0] < 0 || o->size[1] < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "UpSampling2D: size must be positive, got (%d, %d)", o->size[0],
                        o->size[1]);
    if ((unsigned)o->interpolation > NR_UPSAMPLING_BILINEAR)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "UpSampling2D: interpolation must be nearest or bilinear");
    NR_TRY(nr_layer_create(g, &up_class, &o->base, out));
    (*out)->o.upsampling2d = *o;
    (*out)->o.upsampling2d.base.name = NULL;
    return NR_OK;
}
