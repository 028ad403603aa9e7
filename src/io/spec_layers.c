/* SPEC layer constructors (every layer of layers.h, with Keras's argument
 * names and order), Input, the functional merge shortcuts
 * (concatenate([a, b])) and calling a layer on tensors. */
#include <math.h>
#include <ctype.h>
#include <string.h>
#include "io/spec_build.h"
#include "layers/layer.h"

int64_t nr_spec_max_weight_elems = (int64_t)1 << 28;

static nr_status layer_val(nr_spec_ctx *x, const nr_spec_args *a, nr_layer *l, nr_val **out) {
    nr_val *v = nr_spec_new_val(x, NR_VAL_LAYER, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.layer = l;
    *out = v;
    return NR_OK;
}

/* s is the status of the call that made *l (passed by pointer: argument
 * evaluation order is unspecified). */
static nr_status made(nr_spec_ctx *x, const nr_spec_args *a, nr_status s, nr_layer *const *l, nr_val **out) {
    if (s != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    return layer_val(x, a, *l, out);
}

static nr_status check_dtype(nr_spec_ctx *x, const nr_spec_args *a) {
    const char *dtype = NULL;
    NR_TRY(nr_spec_get_str(x, a, "dtype", &dtype));
    if (dtype && strcmp(dtype, "float32") != 0)
        return nr_spec_only_default(x, a, "dtype", "neurona computes in float32");
    return NR_OK;
}

/* name, trainable, dtype and the input shape every layer accepts. */
static nr_status base_args(nr_spec_ctx *x, const nr_spec_args *a, nr_layer_base *b) {
    int trainable = 1;
    int64_t dim = 0;
    NR_TRY(nr_spec_check_name(x, a, "name", &b->name));
    NR_TRY(nr_spec_get_bool(x, a, "trainable", &trainable));
    b->frozen = !trainable;
    NR_TRY(check_dtype(x, a));
    int shapes =
        nr_spec_given(a, "input_shape") + nr_spec_given(a, "input_dim") + nr_spec_given(a, "batch_input_shape");
    if (shapes > 1)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: give one of input_shape, input_dim and batch_input_shape", a->what);
    NR_TRY(nr_spec_get_shape(x, a, "input_shape", 0, b->input_shape, &b->input_ndim));
    NR_TRY(nr_spec_get_batch_shape(x, a, "batch_input_shape", b->input_shape, &b->input_ndim));
    NR_TRY(nr_spec_get_int(x, a, "input_dim", 1, NR_SPEC_MAX_DIM, &dim));
    if (dim) {
        b->input_shape[0] = dim;
        b->input_ndim = 1;
    }
    return NR_OK;
}

/* --- Input ------------------------------------------------------------------ */

static nr_status input_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_input_opts o = {0};
    int sparse = 0;
    NR_TRY(nr_spec_check_name(x, a, "name", &o.name));
    NR_TRY(check_dtype(x, a));
    NR_TRY(nr_spec_get_bool(x, a, "sparse", &sparse));
    if (sparse) return nr_spec_only_default(x, a, "sparse", "inputs are dense");
    NR_TRY(nr_spec_only_default(x, a, "tensor", NULL));
    NR_TRY(nr_spec_only_default(x, a, "input_tensor", NULL));
    int64_t batch = 0;
    NR_TRY(nr_spec_get_int(x, a, "batch_size", 1, INT32_MAX, &batch)); /* fit() picks the batch size */
    int shapes = nr_spec_given(a, "shape") + nr_spec_given(a, "batch_shape") + nr_spec_given(a, "input_shape");
    if (shapes == 0) return nr_spec_missing(x, a, "shape");
    if (shapes > 1)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: give shape or batch_shape, not both",
                             a->what);
    NR_TRY(nr_spec_get_shape(x, a, "shape", 0, o.shape, &o.ndim));
    NR_TRY(nr_spec_get_shape(x, a, "input_shape", 0, o.shape, &o.ndim));
    NR_TRY(nr_spec_get_batch_shape(x, a, "batch_shape", o.shape, &o.ndim));
    nr_sym sym;
    nr_status s = nr_input(x->g, &o, &sym);
    if (s != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    nr_val *v = nr_spec_new_val(x, NR_VAL_TENSOR, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.sym = sym;
    *out = v;
    return NR_OK;
}

/* The argument names of a layer's main weight: kernel_* or depthwise_*. */
typedef struct {
    const char *initializer, *regularizer, *constraint;
} weight_names;

static const weight_names kernel_names = {"kernel_initializer", "kernel_regularizer", "kernel_constraint"};
static const weight_names depthwise_names = {"depthwise_initializer", "depthwise_regularizer", "depthwise_constraint"};

/* use_bias, initializers, regularizers and constraints of a layer with a
 * weight named by w and a bias. */
static nr_status weight_args_of(nr_spec_ctx *x, const nr_spec_args *a, const weight_names *w, int *no_bias,
                                nr_init *kinit, nr_init *binit, nr_regularizer *kreg, nr_regularizer *breg,
                                nr_regularizer *areg) {
    int use_bias = 1;
    NR_TRY(nr_spec_get_bool(x, a, "use_bias", &use_bias));
    *no_bias = !use_bias;
    NR_TRY(nr_spec_to_init(x, a, w->initializer, kinit));
    NR_TRY(nr_spec_to_init(x, a, "bias_initializer", binit));
    NR_TRY(nr_spec_to_regularizer(x, a, w->regularizer, kreg));
    NR_TRY(nr_spec_to_regularizer(x, a, "bias_regularizer", breg));
    NR_TRY(nr_spec_to_regularizer(x, a, "activity_regularizer", areg));
    NR_TRY(nr_spec_only_default(x, a, w->constraint, NULL));
    return nr_spec_only_default(x, a, "bias_constraint", NULL);
}

static nr_status weight_args(nr_spec_ctx *x, const nr_spec_args *a, int *no_bias, nr_init *kinit, nr_init *binit,
                             nr_regularizer *kreg, nr_regularizer *breg, nr_regularizer *areg) {
    return weight_args_of(x, a, &kernel_names, no_bias, kinit, binit, kreg, breg, areg);
}

/* --- Dense and activations -------------------------------------------------- */

static nr_status dense_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_dense_opts o = {0};
    int64_t units = 0;
    NR_TRY(base_args(x, a, &o.base));
    if (!nr_spec_given(a, "units")) return nr_spec_missing(x, a, "units");
    NR_TRY(nr_spec_get_int(x, a, "units", 1, NR_SPEC_MAX_DIM, &units));
    o.units = (int)units;
    NR_TRY(nr_spec_to_activation(x, a, "activation", &o.activation));
    NR_TRY(weight_args(x, a, &o.no_bias, &o.kernel_initializer, &o.bias_initializer, &o.kernel_regularizer,
                       &o.bias_regularizer, &o.activity_regularizer));
    NR_TRY(nr_spec_only_default(x, a, "lora_rank", NULL));
    nr_layer *l = NULL;
    return made(x, a, nr_dense(x->g, &o, &l), &l, out);
}

/* --- Conv2D and pooling --------------------------------------------------- */

/* kernel_size=3, kernel_size=(3, 2) or, for a 1-D layer, kernel_size=(3,):
 * n (1 or 2) positive values into out. */
static nr_status get_ints(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int n, int *out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind == NR_VAL_INT) {
        int64_t k = 0;
        NR_TRY(nr_spec_get_int(x, a, name, 1, NR_SPEC_MAX_DIM, &k));
        for (int i = 0; i < n; i++) out[i] = (int)k;
        return NR_OK;
    }
    int64_t dims[NR_MAX_DIMS];
    int got = 0;
    NR_TRY(nr_spec_get_shape(x, a, name, 0, dims, &got));
    if (got != n)
        return nr_spec_type_error(x, a, name, n == 1 ? "an int or a tuple of 1 int" : "an int or a tuple of 2 ints");
    for (int i = 0; i < n; i++) out[i] = (int)dims[i];
    return NR_OK;
}

/* padding: one of the first n of valid, same, causal (nr_padding order). */
static nr_status get_padding_of(nr_spec_ctx *x, const nr_spec_args *a, int n, nr_padding *out) {
    const char *p = NULL;
    NR_TRY(nr_spec_get_str(x, a, "padding", &p));
    if (!p) return NR_OK;
    static const char *const valid[] = {"valid", "same", "causal"};
    for (int i = 0; i < n; i++)
        if (strcmp(p, valid[i]) == 0) {
            *out = (nr_padding)i;
            return NR_OK;
        }
    const nr_val *v = nr_spec_arg(a, "padding");
    return nr_spec_unknown(x, v->line, v->col, "padding", p, valid, n);
}

static nr_status get_padding(nr_spec_ctx *x, const nr_spec_args *a, nr_padding *out) {
    return get_padding_of(x, a, 2, out);
}

static nr_status channels_last(nr_spec_ctx *x, const nr_spec_args *a) {
    const char *f = NULL;
    NR_TRY(nr_spec_get_str(x, a, "data_format", &f));
    if (f && strcmp(f, "channels_last") != 0)
        return nr_spec_only_default(x, a, "data_format", "neurona lays images out channels-last (NHWC)");
    return NR_OK;
}

/* filters (when the layer has them), kernel_size, strides, data_format
 * and dilation_rate of a layer with a rank-D window (1 or 2); padding is
 * the caller's. */
static nr_status window_args(nr_spec_ctx *x, nr_spec_args *a, int rank, int *filters, int *k, int *s, int *d) {
    if (filters && !nr_spec_given(a, "filters")) return nr_spec_missing(x, a, "filters");
    if (!nr_spec_given(a, "kernel_size")) return nr_spec_missing(x, a, "kernel_size");
    if (filters) NR_TRY(nr_spec_get_int32(x, a, "filters", 1, NR_SPEC_MAX_DIM, filters));
    NR_TRY(get_ints(x, a, "kernel_size", rank, k));
    NR_TRY(get_ints(x, a, "strides", rank, s));
    NR_TRY(channels_last(x, a));
    return get_ints(x, a, "dilation_rate", rank, d);
}

static nr_status conv2d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_conv2d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(window_args(x, a, 2, &o.filters, o.kernel_size, o.strides, o.dilation_rate));
    NR_TRY(get_padding(x, a, &o.padding));
    NR_TRY(nr_spec_get_int32(x, a, "groups", 1, NR_SPEC_MAX_DIM, &o.groups));
    NR_TRY(nr_spec_to_activation(x, a, "activation", &o.activation));
    NR_TRY(weight_args(x, a, &o.no_bias, &o.kernel_initializer, &o.bias_initializer, &o.kernel_regularizer,
                       &o.bias_regularizer, &o.activity_regularizer));
    nr_layer *l = NULL;
    return made(x, a, nr_conv2d(x->g, &o, &l), &l, out);
}

static nr_status pool2d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_pool2d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_ints(x, a, "pool_size", 2, o.pool_size));
    NR_TRY(get_ints(x, a, "strides", 2, o.strides));
    NR_TRY(get_padding(x, a, &o.padding));
    NR_TRY(channels_last(x, a));
    nr_layer *l = NULL;
    int max = strstr(a->what, "Max") != NULL;
    return made(x, a, max ? nr_max_pooling2d(x->g, &o, &l) : nr_average_pooling2d(x->g, &o, &l), &l, out);
}

/* --- 1-D and global pooling, upsampling, padding and cropping -------------- */

static nr_status pool1d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_pool1d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_ints(x, a, "pool_size", 1, &o.pool_size));
    NR_TRY(get_ints(x, a, "strides", 1, &o.strides));
    NR_TRY(get_padding(x, a, &o.padding));
    NR_TRY(channels_last(x, a));
    nr_layer *l = NULL;
    int max = strstr(a->fn->name, "Max") != NULL;
    return made(x, a, max ? nr_max_pooling1d(x->g, &o, &l) : nr_average_pooling1d(x->g, &o, &l), &l, out);
}

static nr_status global_pool_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_global_pool_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(channels_last(x, a));
    NR_TRY(nr_spec_get_bool(x, a, "keepdims", &o.keepdims));
    nr_status (*const make[2][2])(nr_graph *, const nr_global_pool_opts *, nr_layer **) = {
        {nr_global_average_pooling1d, nr_global_average_pooling2d},
        {nr_global_max_pooling1d, nr_global_max_pooling2d}};
    int max = strstr(a->fn->name, "Max") != NULL, two_d = strstr(a->fn->name, "2D") != NULL;
    nr_layer *l = NULL;
    return made(x, a, make[max][two_d](x->g, &o, &l), &l, out);
}

static nr_status get_interpolation(nr_spec_ctx *x, const nr_spec_args *a, nr_upsampling *out) {
    const char *s = NULL;
    NR_TRY(nr_spec_get_str(x, a, "interpolation", &s));
    if (!s) return NR_OK;
    static const char *const valid[] = {"nearest", "bilinear"}; /* nr_upsampling order */
    static const char *const keras_only[] = {"bicubic", "lanczos3", "lanczos5", "area"};
    char low[16]; /* Keras lower-cases it; a longer name, cut, matches none */
    size_t n = 0;
    for (; s[n] && n < sizeof low - 1; n++) low[n] = (char)tolower((unsigned char)s[n]);
    low[n] = 0;
    for (int i = 0; i < 2; i++)
        if (strcmp(low, valid[i]) == 0) {
            *out = (nr_upsampling)i;
            return NR_OK;
        }
    for (size_t i = 0; i < sizeof keras_only / sizeof *keras_only; i++)
        if (strcmp(low, keras_only[i]) == 0)
            return nr_spec_only_default(x, a, "interpolation", "neurona resizes with \"nearest\" or \"bilinear\"");
    const nr_val *v = nr_spec_arg(a, "interpolation");
    return nr_spec_unknown(x, v->line, v->col, "interpolation", s, valid, 2);
}

static nr_status upsampling2d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_upsampling2d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_ints(x, a, "size", 2, o.size));
    NR_TRY(channels_last(x, a));
    NR_TRY(get_interpolation(x, a, &o.interpolation));
    nr_layer *l = NULL;
    return made(x, a, nr_up_sampling2d(x->g, &o, &l), &l, out);
}

#define SIDES_WANTED "an int, a tuple of 2 ints or a tuple of 2 tuples of 2 ints"

/* One amount of a padding or cropping. */
static nr_status side(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const nr_val *v, int *out) {
    if (v->kind != NR_VAL_INT) return nr_spec_type_error(x, a, name, SIDES_WANTED);
    if (v->u.i < 0 || v->u.i > NR_SPEC_MAX_DIM)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: %s values must be 0 to %lld, got %lld",
                             a->what, name, (long long)NR_SPEC_MAX_DIM, (long long)v->u.i);
    *out = (int)v->u.i;
    return NR_OK;
}

/* Keras's three forms: 1, (1, 2) (symmetric per axis) and ((1, 2), (3, 4))
 * (top, bottom, left, right), or mixed: (1, (3, 4)). */
static nr_status get_sides(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int out[2][2]) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind == NR_VAL_INT) {
        NR_TRY(side(x, a, name, v, &out[0][0]));
        out[0][1] = out[1][0] = out[1][1] = out[0][0];
        return NR_OK;
    }
    if ((v->kind != NR_VAL_TUPLE && v->kind != NR_VAL_LIST) || v->u.seq.n != 2)
        return nr_spec_type_error(x, a, name, SIDES_WANTED);
    for (int i = 0; i < 2; i++) {
        const nr_val *axis = v->u.seq.items[i];
        if (axis->kind == NR_VAL_INT) {
            NR_TRY(side(x, a, name, axis, &out[i][0]));
            out[i][1] = out[i][0];
        } else if ((axis->kind == NR_VAL_TUPLE || axis->kind == NR_VAL_LIST) && axis->u.seq.n == 2) {
            NR_TRY(side(x, a, name, axis->u.seq.items[0], &out[i][0]));
            NR_TRY(side(x, a, name, axis->u.seq.items[1], &out[i][1]));
        } else {
            return nr_spec_type_error(x, a, name, SIDES_WANTED);
        }
    }
    return NR_OK;
}

static nr_status zero_padding2d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_zero_padding2d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_sides(x, a, "padding", o.padding));
    NR_TRY(channels_last(x, a));
    o.padding_given = nr_spec_given(a, "padding"); /* ZeroPadding2D(0) pads nothing */
    nr_layer *l = NULL;
    return made(x, a, nr_zero_padding2d(x->g, &o, &l), &l, out);
}

static nr_status cropping2d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_cropping2d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_sides(x, a, "cropping", o.cropping));
    NR_TRY(channels_last(x, a));
    nr_layer *l = NULL;
    return made(x, a, nr_cropping2d(x->g, &o, &l), &l, out);
}

/* --- normalization ------------------------------------------------------- */

/* A float option whose zero means the default: an explicit 0 becomes -0.0f. */
static nr_status get_float_or_zero(nr_spec_ctx *x, const nr_spec_args *a, const char *name, float *out) {
    NR_TRY(nr_spec_get_float(x, a, name, out));
    if (nr_spec_given(a, name) && *out == 0) *out = -0.0f;
    return NR_OK;
}

/* axis=-1, or axis=[1, 2] (LayerNormalization); 0 is the batch axis. */
static nr_status get_axes(nr_spec_ctx *x, const nr_spec_args *a, int list_ok, int *axes, int *n) {
    const nr_val *v = nr_spec_arg(a, "axis");
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    int single = v->kind == NR_VAL_INT, count = single ? 1 : 0;
    if (!single && list_ok && (v->kind == NR_VAL_LIST || v->kind == NR_VAL_TUPLE)) count = v->u.seq.n;
    if (count < 1 || count > NR_MAX_DIMS - 1)
        return nr_spec_type_error(x, a, "axis", list_ok ? "an int or a list of ints" : "an int");
    for (int i = 0; i < count; i++) {
        const nr_val *e = single ? v : v->u.seq.items[i];
        if (e->kind != NR_VAL_INT) return nr_spec_type_error(x, a, "axis", "an int or a list of ints");
        if (e->u.i == 0 || e->u.i < -NR_MAX_DIMS || e->u.i >= NR_MAX_DIMS)
            return nr_spec_error(x, e->line, e->col, NR_STATUS_BAD_ARGUMENT,
                                 "%s: axis %lld is %s; normalize a feature axis, such as -1", a->what,
                                 (long long)e->u.i, e->u.i == 0 ? "the batch axis" : "out of range");
        axes[i] = (int)e->u.i;
    }
    *n = count;
    return NR_OK;
}

/* center, scale, initializers, regularizers and constraints of gamma and beta. */
static nr_status gamma_beta_args(nr_spec_ctx *x, const nr_spec_args *a, int *no_center, int *no_scale, nr_init *binit,
                                 nr_init *ginit, nr_regularizer *breg, nr_regularizer *greg) {
    int center = 1, scale = 1;
    NR_TRY(nr_spec_get_bool(x, a, "center", &center));
    NR_TRY(nr_spec_get_bool(x, a, "scale", &scale));
    *no_center = !center;
    *no_scale = !scale;
    NR_TRY(nr_spec_to_init(x, a, "beta_initializer", binit));
    NR_TRY(nr_spec_to_init(x, a, "gamma_initializer", ginit));
    NR_TRY(nr_spec_to_regularizer(x, a, "beta_regularizer", breg));
    NR_TRY(nr_spec_to_regularizer(x, a, "gamma_regularizer", greg));
    NR_TRY(nr_spec_only_default(x, a, "beta_constraint", NULL));
    return nr_spec_only_default(x, a, "gamma_constraint", NULL);
}

static nr_status batch_norm_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_batch_norm_opts o = {0};
    int n = 0, synchronized = 0;
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_axes(x, a, 0, &o.axis, &n));
    NR_TRY(get_float_or_zero(x, a, "momentum", &o.momentum));
    NR_TRY(get_float_or_zero(x, a, "epsilon", &o.epsilon));
    NR_TRY(gamma_beta_args(x, a, &o.no_center, &o.no_scale, &o.beta_initializer, &o.gamma_initializer,
                           &o.beta_regularizer, &o.gamma_regularizer));
    NR_TRY(nr_spec_to_init(x, a, "moving_mean_initializer", &o.moving_mean_initializer));
    NR_TRY(nr_spec_to_init(x, a, "moving_variance_initializer", &o.moving_variance_initializer));
    NR_TRY(nr_spec_get_bool(x, a, "synchronized", &synchronized));
    if (synchronized)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_UNSUPPORTED,
                             "%s: synchronized=True syncs statistics across devices; neurona trains on one", a->what);
    nr_layer *l = NULL;
    return made(x, a, nr_batch_normalization(x->g, &o, &l), &l, out);
}

static nr_status layer_norm_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_layer_norm_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_axes(x, a, 1, o.axis, &o.n_axis));
    NR_TRY(get_float_or_zero(x, a, "epsilon", &o.epsilon));
    NR_TRY(gamma_beta_args(x, a, &o.no_center, &o.no_scale, &o.beta_initializer, &o.gamma_initializer,
                           &o.beta_regularizer, &o.gamma_regularizer));
    NR_TRY(nr_spec_get_bool(x, a, "rms_scaling", &o.rms_scaling));
    nr_layer *l = NULL;
    return made(x, a, nr_layer_normalization(x->g, &o, &l), &l, out);
}

/* --- Conv1D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D ------------- */

static nr_status conv1d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_conv1d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(window_args(x, a, 1, &o.filters, &o.kernel_size, &o.strides, &o.dilation_rate));
    NR_TRY(get_padding_of(x, a, 3, &o.padding));
    NR_TRY(nr_spec_get_int32(x, a, "groups", 1, NR_SPEC_MAX_DIM, &o.groups));
    NR_TRY(nr_spec_to_activation(x, a, "activation", &o.activation));
    NR_TRY(weight_args(x, a, &o.no_bias, &o.kernel_initializer, &o.bias_initializer, &o.kernel_regularizer,
                       &o.bias_regularizer, &o.activity_regularizer));
    nr_layer *l = NULL;
    return made(x, a, nr_conv1d(x->g, &o, &l), &l, out);
}

/* output_padding=1 or (1, 0); 0 is a value here, None the default. */
static nr_status get_output_padding(nr_spec_ctx *x, const nr_spec_args *a, nr_conv2d_transpose_opts *o) {
    const nr_val *v = nr_spec_arg(a, "output_padding");
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    int pair = v->kind == NR_VAL_TUPLE || v->kind == NR_VAL_LIST;
    if (pair && v->u.seq.n != 2) return nr_spec_type_error(x, a, "output_padding", "an int or a tuple of 2 ints >= 0");
    for (int i = 0; i < 2; i++) {
        const nr_val *e = pair ? v->u.seq.items[i] : v;
        if (e->kind != NR_VAL_INT || e->u.i < 0 || e->u.i > NR_SPEC_MAX_DIM)
            return nr_spec_type_error(x, a, "output_padding", "an int or a tuple of 2 ints >= 0");
        o->output_padding[i] = (int)e->u.i;
    }
    o->has_output_padding = 1;
    return NR_OK;
}

static nr_status conv2d_transpose_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_conv2d_transpose_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(window_args(x, a, 2, &o.filters, o.kernel_size, o.strides, o.dilation_rate));
    NR_TRY(get_padding(x, a, &o.padding));
    NR_TRY(get_output_padding(x, a, &o));
    NR_TRY(nr_spec_to_activation(x, a, "activation", &o.activation));
    NR_TRY(weight_args(x, a, &o.no_bias, &o.kernel_initializer, &o.bias_initializer, &o.kernel_regularizer,
                       &o.bias_regularizer, &o.activity_regularizer));
    nr_layer *l = NULL;
    return made(x, a, nr_conv2d_transpose(x->g, &o, &l), &l, out);
}

/* depthwise_multiplier, depthwise_* and bias_* arguments shared by both
 * depthwise layers (the pointwise ones are SeparableConv2D's). */
static nr_status depthwise_args(nr_spec_ctx *x, const nr_spec_args *a, int *dm, int *no_bias, nr_init *dinit,
                                nr_init *binit, nr_regularizer *dreg, nr_regularizer *breg, nr_regularizer *areg) {
    NR_TRY(nr_spec_get_int32(x, a, "depth_multiplier", 1, NR_SPEC_MAX_DIM, dm));
    return weight_args_of(x, a, &depthwise_names, no_bias, dinit, binit, dreg, breg, areg);
}

static nr_status depthwise_conv2d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_depthwise_conv2d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(window_args(x, a, 2, NULL, o.kernel_size, o.strides, o.dilation_rate));
    NR_TRY(get_padding(x, a, &o.padding));
    NR_TRY(nr_spec_to_activation(x, a, "activation", &o.activation));
    NR_TRY(depthwise_args(x, a, &o.depth_multiplier, &o.no_bias, &o.depthwise_initializer, &o.bias_initializer,
                          &o.depthwise_regularizer, &o.bias_regularizer, &o.activity_regularizer));
    nr_layer *l = NULL;
    return made(x, a, nr_depthwise_conv2d(x->g, &o, &l), &l, out);
}

static nr_status separable_conv2d_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_separable_conv2d_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(window_args(x, a, 2, &o.filters, o.kernel_size, o.strides, o.dilation_rate));
    NR_TRY(get_padding(x, a, &o.padding));
    NR_TRY(nr_spec_to_activation(x, a, "activation", &o.activation));
    NR_TRY(depthwise_args(x, a, &o.depth_multiplier, &o.no_bias, &o.depthwise_initializer, &o.bias_initializer,
                          &o.depthwise_regularizer, &o.bias_regularizer, &o.activity_regularizer));
    NR_TRY(nr_spec_to_init(x, a, "pointwise_initializer", &o.pointwise_initializer));
    NR_TRY(nr_spec_to_regularizer(x, a, "pointwise_regularizer", &o.pointwise_regularizer));
    NR_TRY(nr_spec_only_default(x, a, "pointwise_constraint", NULL));
    nr_layer *l = NULL;
    return made(x, a, nr_separable_conv2d(x->g, &o, &l), &l, out);
}

static nr_status activation_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_activation_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    if (!nr_spec_arg(a, "activation")) return nr_spec_missing(x, a, "activation");
    NR_TRY(nr_spec_to_activation(x, a, "activation", &o.activation));
    nr_layer *l = NULL;
    return made(x, a, nr_activation_layer(x->g, &o, &l), &l, out);
}

static nr_status leaky_relu_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_leaky_relu_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    if (nr_spec_given(a, "negative_slope") && nr_spec_given(a, "alpha"))
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: alpha is the old name of negative_slope; give one of them", a->what);
    float slope = 0.3f;
    NR_TRY(nr_spec_get_float(x, a, "negative_slope", &slope));
    NR_TRY(nr_spec_get_float(x, a, "alpha", &slope));
    if (slope == 0)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_UNSUPPORTED,
                             "%s: negative_slope=0 is a plain ReLU; write ReLU()", a->what);
    o.negative_slope = slope;
    nr_layer *l = NULL;
    return made(x, a, nr_leaky_relu(x->g, &o, &l), &l, out);
}

static nr_status relu_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_relu_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(nr_spec_get_float(x, a, "max_value", &o.max_value));
    if (nr_spec_given(a, "max_value") && o.max_value <= 0)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: max_value must be > 0 (or None)",
                             a->what);
    NR_TRY(nr_spec_get_float(x, a, "negative_slope", &o.negative_slope));
    NR_TRY(nr_spec_get_float(x, a, "threshold", &o.threshold));
    nr_layer *l = NULL;
    return made(x, a, nr_relu(x->g, &o, &l), &l, out);
}

static nr_status softmax_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_softmax_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(nr_spec_get_int32(x, a, "axis", -NR_MAX_DIMS, NR_MAX_DIMS, &o.axis));
    nr_layer *l = NULL;
    return made(x, a, nr_softmax(x->g, &o, &l), &l, out);
}

/* --- Dropout, Flatten, Reshape ----------------------------------------------- */

static nr_status get_required_float(nr_spec_ctx *x, const nr_spec_args *a, const char *name, float *out) {
    if (!nr_spec_given(a, name)) return nr_spec_missing(x, a, name);
    return nr_spec_get_float(x, a, name, out);
}

/* seed=None (the graph's seed) or a non-negative int. */
static nr_status get_seed(nr_spec_ctx *x, const nr_spec_args *a, uint64_t *seed, int *has_seed) {
    int64_t s = -1;
    NR_TRY(nr_spec_get_int(x, a, "seed", 0, INT64_MAX, &s));
    if (s >= 0) {
        *seed = (uint64_t)s;
        *has_seed = 1;
    }
    return NR_OK;
}

static nr_status dropout_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_dropout_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_required_float(x, a, "rate", &o.rate));
    NR_TRY(nr_spec_only_default(x, a, "noise_shape", NULL));
    NR_TRY(get_seed(x, a, &o.seed, &o.has_seed));
    nr_layer *l = NULL;
    return made(x, a, nr_dropout(x->g, &o, &l), &l, out);
}

static nr_status flatten_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_layer_base o = {0};
    const char *format = NULL;
    NR_TRY(base_args(x, a, &o));
    NR_TRY(nr_spec_get_str(x, a, "data_format", &format));
    if (format && strcmp(format, "channels_last") != 0)
        return nr_spec_only_default(x, a, "data_format", "neurona lays data out channels_last");
    nr_layer *l = NULL;
    return made(x, a, nr_flatten(x->g, &o, &l), &l, out);
}

static nr_status reshape_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_reshape_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    if (!nr_spec_given(a, "target_shape")) return nr_spec_missing(x, a, "target_shape");
    NR_TRY(nr_spec_get_shape(x, a, "target_shape", 1, o.target_shape, &o.ndim));
    nr_layer *l = NULL;
    return made(x, a, nr_reshape(x->g, &o, &l), &l, out);
}

/* --- noise and augmentation --------------------------------------------------- */

static nr_status gaussian_noise_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_gaussian_noise_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_required_float(x, a, "stddev", &o.stddev));
    NR_TRY(get_seed(x, a, &o.seed, &o.has_seed));
    nr_layer *l = NULL;
    return made(x, a, nr_gaussian_noise(x->g, &o, &l), &l, out);
}

static nr_status sampling_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_sampling_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_seed(x, a, &o.seed, &o.has_seed));
    nr_layer *l = NULL;
    return made(x, a, nr_sampling(x->g, &o, &l), &l, out);
}

static nr_status gaussian_kl_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_layer_base o = {0};
    NR_TRY(base_args(x, a, &o));
    nr_layer *l = NULL;
    return made(x, a, nr_gaussian_kl_divergence(x->g, &o, &l), &l, out);
}

/* A Lambda's function is Python (or, in a saved model, a C op that only a
 * C program can supply again). */
static nr_status lambda_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    (void)out;
    const nr_val *f = nr_spec_arg(a, "function");
    const char *op = f && f->kind == NR_VAL_STR ? f->u.s : NULL;
    if (op)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_UNSUPPORTED,
                             "Lambda: the layer runs the C op \"%.64s\", which a SPEC cannot hold; build this model "
                             "in C and add the op with nr_lambda (neurona/custom.h)", op);
    return nr_spec_error(x, a->line, a->col, NR_STATUS_UNSUPPORTED,
                         "Lambda: a SPEC cannot run Python functions; write the op in C with nr_lambda "
                         "(neurona/custom.h), or use the built-in layers (Sampling, GaussianKLDivergence, Activation...)");
}

static nr_status spatial_dropout_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_dropout_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_required_float(x, a, "rate", &o.rate));
    NR_TRY(get_seed(x, a, &o.seed, &o.has_seed));
    NR_TRY(channels_last(x, a));
    nr_layer *l = NULL;
    int two_d = strcmp(a->fn->name, "SpatialDropout2D") == 0;
    return made(x, a, two_d ? nr_spatial_dropout2d(x->g, &o, &l) : nr_spatial_dropout1d(x->g, &o, &l), &l, out);
}

/* A string argument that must be one of names[0..n): its index in *out. */
static nr_status get_choice(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char *const *names, int n,
                            int *out) {
    const char *s = NULL;
    NR_TRY(nr_spec_get_str(x, a, name, &s));
    if (!s) return NR_OK;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return NR_OK;
        }
    const nr_val *v = nr_spec_arg(a, name);
    return nr_spec_unknown(x, v->line, v->col, name, s, names, n);
}

/* factor=f means (-|f|, |f|), factor=(a, b) the range [a, b]. */
static nr_status get_factor(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_factor *out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return nr_spec_missing(x, a, name);
    if (nr_spec_is_number(v)) {
        float f = 0;
        NR_TRY(nr_spec_get_float(x, a, name, &f));
        *out = (nr_factor){-fabsf(f), fabsf(f)};
        return NR_OK;
    }
    int pair = (v->kind == NR_VAL_TUPLE || v->kind == NR_VAL_LIST) && v->u.seq.n == 2 &&
               nr_spec_is_number(v->u.seq.items[0]) && nr_spec_is_number(v->u.seq.items[1]);
    if (!pair) return nr_spec_type_error(x, a, name, "a number or a pair of numbers");
    *out = (nr_factor){(float)nr_spec_number(v->u.seq.items[0]), (float)nr_spec_number(v->u.seq.items[1])};
    return NR_OK;
}

static const char *const flip_modes[] = {"horizontal_and_vertical", "horizontal", "vertical"};
static const char *const fill_modes[] = {"reflect", "wrap", "constant", "nearest"};
static const char *const interpolations[] = {"bilinear", "nearest"};

/* fill_mode, interpolation, fill_value, seed and data_format of the
 * transforming image layers. */
static nr_status fill_args(nr_spec_ctx *x, const nr_spec_args *a, nr_fill_mode *fill, nr_interpolation *interp,
                           float *value, uint64_t *seed, int *has_seed) {
    int f = NR_FILL_REFLECT, i = NR_INTERPOLATION_BILINEAR;
    NR_TRY(get_choice(x, a, "fill_mode", fill_modes, 4, &f));
    NR_TRY(get_choice(x, a, "interpolation", interpolations, 2, &i));
    *fill = (nr_fill_mode)f;
    *interp = (nr_interpolation)i;
    NR_TRY(nr_spec_get_float(x, a, "fill_value", value));
    NR_TRY(get_seed(x, a, seed, has_seed));
    return channels_last(x, a);
}

static nr_status random_flip_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_random_flip_opts o = {0};
    int mode = NR_FLIP_HORIZONTAL_AND_VERTICAL;
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_choice(x, a, "mode", flip_modes, 3, &mode));
    o.mode = (nr_flip_mode)mode;
    NR_TRY(get_seed(x, a, &o.seed, &o.has_seed));
    NR_TRY(channels_last(x, a));
    nr_layer *l = NULL;
    return made(x, a, nr_random_flip(x->g, &o, &l), &l, out);
}

static nr_status random_rotation_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_random_rotation_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_factor(x, a, "factor", &o.factor));
    NR_TRY(fill_args(x, a, &o.fill_mode, &o.interpolation, &o.fill_value, &o.seed, &o.has_seed));
    nr_layer *l = NULL;
    return made(x, a, nr_random_rotation(x->g, &o, &l), &l, out);
}

static nr_status random_translation_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_random_translation_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_factor(x, a, "height_factor", &o.height_factor));
    NR_TRY(get_factor(x, a, "width_factor", &o.width_factor));
    NR_TRY(fill_args(x, a, &o.fill_mode, &o.interpolation, &o.fill_value, &o.seed, &o.has_seed));
    nr_layer *l = NULL;
    return made(x, a, nr_random_translation(x->g, &o, &l), &l, out);
}

static nr_status random_zoom_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_random_zoom_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(get_factor(x, a, "height_factor", &o.height_factor));
    o.has_width_factor = nr_spec_given(a, "width_factor");
    if (o.has_width_factor) NR_TRY(get_factor(x, a, "width_factor", &o.width_factor));
    NR_TRY(fill_args(x, a, &o.fill_mode, &o.interpolation, &o.fill_value, &o.seed, &o.has_seed));
    nr_layer *l = NULL;
    return made(x, a, nr_random_zoom(x->g, &o, &l), &l, out);
}

/* --- sequences --------------------------------------------------------------- */

static nr_status embedding_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_embedding_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    if (!nr_spec_given(a, "input_dim")) return nr_spec_missing(x, a, "input_dim");
    if (!nr_spec_given(a, "output_dim")) return nr_spec_missing(x, a, "output_dim");
    NR_TRY(nr_spec_get_int32(x, a, "input_dim", 1, NR_SPEC_MAX_DIM, &o.input_dim));
    NR_TRY(nr_spec_get_int32(x, a, "output_dim", 1, NR_SPEC_MAX_DIM, &o.output_dim));
    if ((int64_t)o.input_dim * o.output_dim > nr_spec_max_weight_elems)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_SHAPE, "%s: a %d x %d table is too large", a->what,
                             o.input_dim, o.output_dim);
    NR_TRY(nr_spec_to_init(x, a, "embeddings_initializer", &o.embeddings_initializer));
    NR_TRY(nr_spec_to_regularizer(x, a, "embeddings_regularizer", &o.embeddings_regularizer));
    NR_TRY(nr_spec_to_regularizer(x, a, "activity_regularizer", &o.activity_regularizer));
    NR_TRY(nr_spec_get_bool(x, a, "mask_zero", &o.mask_zero));
    NR_TRY(nr_spec_only_default(x, a, "embeddings_constraint", NULL));
    NR_TRY(nr_spec_only_default(x, a, "weights", "set weights after loading"));
    NR_TRY(nr_spec_only_default(x, a, "lora_rank", NULL));
    NR_TRY(nr_spec_only_default(x, a, "lora_alpha", NULL));
    NR_TRY(nr_spec_only_default(x, a, "quantization_config", NULL));
    /* Keras 3 ignores input_length (deprecated) and so does neurona. */
    int64_t length = 0;
    NR_TRY(nr_spec_get_int(x, a, "input_length", 1, NR_SPEC_MAX_DIM, &length));
    nr_layer *l = NULL;
    return made(x, a, nr_embedding(x->g, &o, &l), &l, out);
}

static nr_status masking_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_masking_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(nr_spec_get_float(x, a, "mask_value", &o.mask_value));
    nr_layer *l = NULL;
    return made(x, a, nr_masking(x->g, &o, &l), &l, out);
}

static nr_status repeat_vector_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_repeat_vector_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    if (!nr_spec_given(a, "n")) return nr_spec_missing(x, a, "n");
    NR_TRY(nr_spec_get_int32(x, a, "n", INT32_MIN, INT32_MAX, &o.n));
    nr_layer *l = NULL;
    return made(x, a, nr_repeat_vector(x->g, &o, &l), &l, out);
}

static nr_status time_distributed_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_time_distributed_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    const nr_val *inner = nr_spec_arg(a, "layer");
    if (!inner) return nr_spec_missing(x, a, "layer");
    if (inner->kind != NR_VAL_LAYER) return nr_spec_type_error(x, a, "layer", "a layer, as in TimeDistributed(Dense(8))");
    o.layer = inner->u.layer;
    nr_layer *l = NULL;
    return made(x, a, nr_time_distributed(x->g, &o, &l), &l, out);
}

/* --- merges ------------------------------------------------------------------ */

static const struct {
    const char *cls, *fn;
    nr_merge_kind kind;
} merge_names[] = {
    {"Concatenate", "concatenate", NR_MERGE_CONCATENATE},
    {"Add", "add", NR_MERGE_ADD},
    {"Subtract", "subtract", NR_MERGE_SUBTRACT},
    {"Multiply", "multiply", NR_MERGE_MULTIPLY},
    {"Average", "average", NR_MERGE_AVERAGE},
    {"Maximum", "maximum", NR_MERGE_MAXIMUM},
};

static nr_merge_kind merge_kind(const char *name) {
    for (size_t i = 0; i < sizeof merge_names / sizeof *merge_names; i++)
        if (!strcmp(name, merge_names[i].cls) || !strcmp(name, merge_names[i].fn)) return merge_names[i].kind;
    return NR_MERGE_ADD;
}

static nr_status merge_layer(nr_spec_ctx *x, nr_spec_args *a, nr_layer **l) {
    nr_merge_opts o = {.kind = merge_kind(a->fn->name)};
    NR_TRY(base_args(x, a, &o.base));
    NR_TRY(nr_spec_get_int32(x, a, "axis", -NR_MAX_DIMS, NR_MAX_DIMS, &o.axis));
    if (nr_spec_given(a, "axis") && o.axis == 0)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_UNSUPPORTED,
                             "%s: axis 0 is the batch axis; join along another", a->what);
    if (o.axis == -1) o.axis = 0;
    nr_status s = nr_merge(x->g, &o, l);
    return s == NR_OK ? NR_OK : nr_spec_fail(x, a->line, a->col, s);
}

static nr_status merge_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_layer *l;
    NR_TRY(merge_layer(x, a, &l));
    return layer_val(x, a, l, out);
}

/* concatenate([a, b], axis=-1): the layer, called at once. */
static nr_status merge_call(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_layer *l;
    const nr_val *in = nr_spec_arg(a, "inputs");
    if (!in) return nr_spec_missing(x, a, "inputs");
    NR_TRY(merge_layer(x, a, &l));
    return nr_spec_call_layer(x, l, in, NULL, a->line, a->col, out);
}

/* --- calling a layer ---------------------------------------------------------- */

/* Weights are allocated on a layer's first call: bound them before. */
nr_status nr_spec_check_weights(nr_spec_ctx *x, const nr_layer *l, int64_t fan_in, int line, int col) {
    if (l->built || strcmp(l->cls->type, "Dense") != 0) return NR_OK;
    if (fan_in > 0 && fan_in > nr_spec_max_weight_elems / l->o.dense.units)
        return nr_spec_error(x, line, col, NR_STATUS_BAD_SHAPE, "layer \"%s\" (Dense): a %lld x %d kernel is too large",
                             l->name, (long long)fan_in, l->o.dense.units);
    return NR_OK;
}

/* Appends the tensors of v (a tensor or a list of them) to in[*n]. */
static nr_status take_tensors(nr_spec_ctx *x, const nr_layer *l, const nr_val *v, const char *what, nr_sym *in,
                              int *n) {
    char got[128];
    int k = v->kind == NR_VAL_TENSOR ? 1 : (v->kind == NR_VAL_LIST || v->kind == NR_VAL_TUPLE) ? v->u.seq.n : -1;
    if (k < 0)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT,
                             "layer \"%s\": its %s must be a tensor or a list of tensors, got %s", l->name, what,
                             nr_spec_describe(v, got, sizeof got));
    if (*n + k > NR_MAX_IN)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_UNSUPPORTED, "layer \"%s\": at most %d inputs, got %d",
                             l->name, NR_MAX_IN, *n + k);
    for (int i = 0; i < k; i++) {
        const nr_val *t = v->kind == NR_VAL_TENSOR ? v : v->u.seq.items[i];
        if (t->kind != NR_VAL_TENSOR)
            return nr_spec_error(x, t->line, t->col, NR_STATUS_BAD_ARGUMENT, "layer \"%s\": %s %d must be a tensor, got %s",
                                 l->name, what, i, nr_spec_describe(t, got, sizeof got));
        in[(*n)++] = t->u.sym;
    }
    return NR_OK;
}

/* The call's value: its tensor, or the list of them (return_state). */
static nr_status outputs_val(nr_spec_ctx *x, const nr_layer *l, nr_sym y, int line, int col, nr_val **out) {
    int k = l->n_outputs > 1 ? l->n_outputs : 0;
    nr_val *v = nr_spec_new_val(x, k ? NR_VAL_LIST : NR_VAL_TENSOR, line, col);
    if (!v) return NR_NOMEM();
    v->u.sym = y;
    if (k) {
        v->u.seq.n = k;
        v->u.seq.items = nr_spec_alloc(&x->arena, (size_t)k * sizeof *v->u.seq.items);
        if (!v->u.seq.items) return NR_NOMEM();
        for (int i = 0; i < k; i++) {
            nr_val *t = v->u.seq.items[i] = nr_spec_new_val(x, NR_VAL_TENSOR, line, col);
            if (!t) return NR_NOMEM();
            t->u.sym = l->outputs[i];
        }
    }
    *out = v;
    return NR_OK;
}

nr_status nr_spec_call_layer(nr_spec_ctx *x, nr_layer *l, const nr_val *arg, const nr_val *states, int line, int col,
                             nr_val **out) {
    nr_sym in[NR_MAX_IN];
    int n = 0;
    NR_TRY(take_tensors(x, l, arg, "input", in, &n));
    if (states && !nr_layer_is_rnn(l) && strcmp(l->cls->type, "Bidirectional") != 0)
        return nr_spec_error(x, states->line, states->col, NR_STATUS_BAD_ARGUMENT,
                             "layer \"%s\" (%s): initial_state is an argument of recurrent layers", l->name,
                             l->cls->type);
    if (states) NR_TRY(take_tensors(x, l, states, "initial state", in, &n));
    const nr_node *first = n > 0 ? &x->g->nodes[in[0]] : NULL;
    if (first && first->ndim > 0) NR_TRY(nr_spec_check_weights(x, l, first->shape[first->ndim - 1], line, col));
    if (first && l->model && l->model->sequential && !l->model->n_in)
        NR_TRY(nr_spec_check_lazy(x, l->model, nr_node_row(first), line, col));
    nr_sym y;
    nr_status s = nr_layer_call(l, in, n, &y);
    if (s != NR_OK) return nr_spec_fail(x, line, col, s);
    return outputs_val(x, l, y, line, col, out);
}

/* --- SimpleRNN, LSTM, GRU ------------------------------------------------- */

static nr_status get_rate(nr_spec_ctx *x, const nr_spec_args *a, const char *name, float *out) {
    NR_TRY(nr_spec_get_float(x, a, name, out));
    if (!(*out >= 0 && *out < 1)) {
        const nr_val *v = nr_spec_arg(a, name);
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: %s must be in [0, 1), got %g", a->what,
                             name, *out);
    }
    return NR_OK;
}

/* activation=None is linear; an absent one is the layer's default. */
static nr_status get_cell_activation(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_activation *act,
                                     int *given) {
    *given = nr_spec_given(a, name);
    return *given ? nr_spec_to_activation(x, a, name, act) : NR_OK;
}

static nr_status rnn_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_rnn_opts o = {0};
    int64_t units = 0;
    int use_bias = 1, forget = 1, reset = 1, stateful = 0;
    const char *name = a->fn->name;
    NR_TRY(base_args(x, a, &o.base));
    if (!nr_spec_given(a, "units")) return nr_spec_missing(x, a, "units");
    NR_TRY(nr_spec_get_int(x, a, "units", 1, NR_SPEC_MAX_DIM, &units));
    o.units = (int)units;
    NR_TRY(get_cell_activation(x, a, "activation", &o.activation, &o.has_activation));
    NR_TRY(get_cell_activation(x, a, "recurrent_activation", &o.recurrent_activation, &o.has_recurrent_activation));
    NR_TRY(nr_spec_get_bool(x, a, "use_bias", &use_bias));
    o.no_bias = !use_bias;
    NR_TRY(nr_spec_to_init(x, a, "kernel_initializer", &o.kernel_initializer));
    NR_TRY(nr_spec_to_init(x, a, "recurrent_initializer", &o.recurrent_initializer));
    NR_TRY(nr_spec_to_init(x, a, "bias_initializer", &o.bias_initializer));
    NR_TRY(nr_spec_get_bool(x, a, "unit_forget_bias", &forget));
    o.no_unit_forget_bias = !forget;
    NR_TRY(nr_spec_to_regularizer(x, a, "kernel_regularizer", &o.kernel_regularizer));
    NR_TRY(nr_spec_to_regularizer(x, a, "recurrent_regularizer", &o.recurrent_regularizer));
    NR_TRY(nr_spec_to_regularizer(x, a, "bias_regularizer", &o.bias_regularizer));
    NR_TRY(nr_spec_to_regularizer(x, a, "activity_regularizer", &o.activity_regularizer));
    static const char *const constraints[] = {"kernel_constraint", "recurrent_constraint", "bias_constraint"};
    for (int i = 0; i < 3; i++) NR_TRY(nr_spec_only_default(x, a, constraints[i], NULL));
    NR_TRY(get_rate(x, a, "dropout", &o.dropout));
    NR_TRY(get_rate(x, a, "recurrent_dropout", &o.recurrent_dropout));
    NR_TRY(get_seed(x, a, &o.seed, &o.has_seed));
    NR_TRY(nr_spec_get_bool(x, a, "return_sequences", &o.return_sequences));
    NR_TRY(nr_spec_get_bool(x, a, "return_state", &o.return_state));
    NR_TRY(nr_spec_get_bool(x, a, "go_backwards", &o.go_backwards));
    NR_TRY(nr_spec_get_bool(x, a, "stateful", &stateful));
    if (stateful)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_UNSUPPORTED,
                             "%s: stateful=True is not supported; every batch starts from zero states (or from "
                             "initial_state)", a->what);
    NR_TRY(nr_spec_get_bool(x, a, "unroll", &o.unroll));
    NR_TRY(nr_spec_get_bool(x, a, "reset_after", &reset));
    o.no_reset_after = !reset;
    nr_layer *l = NULL;
    nr_status (*mk)(nr_graph *, const nr_rnn_opts *, nr_layer **) =
        strcmp(name, "LSTM") == 0 ? nr_lstm : strcmp(name, "GRU") == 0 ? nr_gru : nr_simple_rnn;
    return made(x, a, mk(x->g, &o, &l), &l, out);
}

/* --- Bidirectional ----------------------------------------------------------- */

static nr_status get_layer(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_layer **out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind != NR_VAL_LAYER) return nr_spec_type_error(x, a, name, "a layer, such as LSTM(32)");
    *out = v->u.layer;
    return NR_OK;
}

static nr_status bidirectional_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_bidirectional_opts o = {0};
    NR_TRY(base_args(x, a, &o.base));
    if (!nr_spec_given(a, "layer")) return nr_spec_missing(x, a, "layer");
    NR_TRY(get_layer(x, a, "layer", &o.layer));
    NR_TRY(get_layer(x, a, "backward_layer", &o.backward_layer));
    NR_TRY(nr_spec_only_default(x, a, "weights", "set weights after building the model"));
    const nr_val *m = nr_spec_arg(a, "merge_mode");
    if (m && m->kind == NR_VAL_NONE)
        return nr_spec_only_default(x, a, "merge_mode", "merge_mode=None (a list of both outputs) is not supported; "
                                                        "use \"concat\", \"sum\", \"mul\" or \"ave\"");
    const char *mode = NULL;
    NR_TRY(nr_spec_get_str(x, a, "merge_mode", &mode));
    static const char *const modes[] = {"concat", "sum", "mul", "ave"}; /* nr_bidirectional_merge order */
    if (mode) {
        int k = 0;
        while (k < 4 && strcmp(mode, modes[k]) != 0) k++;
        if (k == 4) return nr_spec_unknown(x, m->line, m->col, "merge_mode", mode, modes, 4);
        o.merge_mode = (nr_bidirectional_merge)k;
    }
    nr_layer *l = NULL;
    return made(x, a, nr_bidirectional(x->g, &o, &l), &l, out);
}

#define ALL NR_SPEC_MAX_PARAMS
#define L NR_SPEC_LAYER
/* The argument lists that several builtins (aliases, 1-D and 2-D) share. */
#define CONV_ARGS                                                                                               \
    {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation",   \
     "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",           \
     "activity_regularizer", "kernel_constraint", "bias_constraint"}
#define POOL_ARGS {"pool_size", "strides", "padding", "data_format"}
#define GLOBAL_POOL_ARGS {"data_format", "keepdims"}
#define FACTOR_ARGS \
    {"height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format"}

const nr_spec_builtin nr_spec_layer_builtins[] = {
    {"Input",
     {"shape", "batch_size", "dtype", "sparse", "batch_shape", "name", "tensor"},
     ALL,
     input_new,
     NR_SPEC_INPUT},
    {"InputLayer",
     {"shape", "batch_size", "dtype", "sparse", "batch_shape", "input_tensor", "name", "input_shape"},
     7,
     input_new,
     NR_SPEC_INPUT},
    {"Dense",
     {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
      "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank"},
     ALL,
     dense_new,
     L},
    {"Conv2D", CONV_ARGS, ALL, conv2d_new, L},
    {"Conv1D", CONV_ARGS, ALL, conv1d_new, L},
    {"Conv2DTranspose",
     {"filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate", "activation",
      "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
      "activity_regularizer", "kernel_constraint", "bias_constraint"},
     ALL,
     conv2d_transpose_new,
     L},
    {"DepthwiseConv2D",
     {"kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate", "activation",
      "use_bias", "depthwise_initializer", "bias_initializer", "depthwise_regularizer", "bias_regularizer",
      "activity_regularizer", "depthwise_constraint", "bias_constraint"},
     ALL,
     depthwise_conv2d_new,
     L},
    {"SeparableConv2D",
     {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier",
      "activation", "use_bias", "depthwise_initializer", "pointwise_initializer", "bias_initializer",
      "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer", "activity_regularizer",
      "depthwise_constraint", "pointwise_constraint", "bias_constraint"},
     ALL,
     separable_conv2d_new,
     L},
    {"MaxPooling2D", POOL_ARGS, ALL, pool2d_new, L},
    {"MaxPool2D", POOL_ARGS, ALL, pool2d_new, L},
    {"AveragePooling2D", POOL_ARGS, ALL, pool2d_new, L},
    {"AvgPool2D", POOL_ARGS, ALL, pool2d_new, L},
    {"MaxPooling1D", POOL_ARGS, ALL, pool1d_new, L},
    {"MaxPool1D", POOL_ARGS, ALL, pool1d_new, L},
    {"AveragePooling1D", POOL_ARGS, ALL, pool1d_new, L},
    {"AvgPool1D", POOL_ARGS, ALL, pool1d_new, L},
    {"GlobalAveragePooling1D", GLOBAL_POOL_ARGS, ALL, global_pool_new, L},
    {"GlobalAvgPool1D", GLOBAL_POOL_ARGS, ALL, global_pool_new, L},
    {"GlobalAveragePooling2D", GLOBAL_POOL_ARGS, ALL, global_pool_new, L},
    {"GlobalAvgPool2D", GLOBAL_POOL_ARGS, ALL, global_pool_new, L},
    {"GlobalMaxPooling1D", GLOBAL_POOL_ARGS, ALL, global_pool_new, L},
    {"GlobalMaxPool1D", GLOBAL_POOL_ARGS, ALL, global_pool_new, L},
    {"GlobalMaxPooling2D", GLOBAL_POOL_ARGS, ALL, global_pool_new, L},
    {"GlobalMaxPool2D", GLOBAL_POOL_ARGS, ALL, global_pool_new, L},
    {"UpSampling2D", {"size", "data_format", "interpolation"}, ALL, upsampling2d_new, L},
    {"ZeroPadding2D", {"padding", "data_format"}, ALL, zero_padding2d_new, L},
    {"Cropping2D", {"cropping", "data_format"}, ALL, cropping2d_new, L},
    {"BatchNormalization",
     {"axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
      "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
      "beta_constraint", "gamma_constraint", "synchronized"},
     ALL,
     batch_norm_new,
     L},
    {"LayerNormalization",
     {"axis", "epsilon", "center", "scale", "rms_scaling", "beta_initializer", "gamma_initializer",
      "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"},
     ALL,
     layer_norm_new,
     L},
    {"SimpleRNN",
     {"units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
      "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
      "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "return_sequences", "return_state",
      "go_backwards", "stateful", "unroll", "seed"},
     ALL,
     rnn_new,
     L},
    {"LSTM",
     {"units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
      "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
      "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
      "recurrent_dropout", "seed", "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
      "use_cudnn"},
     ALL,
     rnn_new,
     L},
    {"GRU",
     {"units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
      "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
      "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
      "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "reset_after", "use_cudnn"},
     ALL,
     rnn_new,
     L},
    {"Bidirectional", {"layer", "merge_mode", "weights", "backward_layer"}, ALL, bidirectional_new, L},
    {"Activation", {"activation"}, ALL, activation_new, L},
    {"Dropout", {"rate", "noise_shape", "seed"}, ALL, dropout_new, L},
    {"GaussianNoise", {"stddev", "seed"}, ALL, gaussian_noise_new, L},
    {"Sampling", {"seed"}, ALL, sampling_new, L},
    {"GaussianKLDivergence", {0}, 0, gaussian_kl_new, L},
    {"Lambda", {"function", "output_shape", "mask", "arguments"}, ALL, lambda_new, L},
    {"SpatialDropout1D", {"rate", "seed"}, ALL, spatial_dropout_new, L},
    {"SpatialDropout2D", {"rate", "data_format", "seed"}, ALL, spatial_dropout_new, L},
    {"RandomFlip", {"mode", "seed", "data_format"}, ALL, random_flip_new, L},
    {"RandomRotation", {"factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format"}, ALL,
     random_rotation_new, L},
    {"RandomTranslation", FACTOR_ARGS, ALL, random_translation_new, L},
    {"RandomZoom", FACTOR_ARGS, ALL, random_zoom_new, L},
    {"Flatten", {"data_format"}, ALL, flatten_new, L},
    {"Reshape", {"target_shape"}, ALL, reshape_new, L},
    {"LeakyReLU", {"negative_slope", "alpha"}, 1, leaky_relu_new, L},
    {"ReLU", {"max_value", "negative_slope", "threshold"}, ALL, relu_new, L},
    {"Softmax", {"axis"}, ALL, softmax_new, L},
    {"Embedding",
     {"input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer", "embeddings_constraint",
      "mask_zero", "weights", "lora_rank", "lora_alpha", "quantization_config", "input_length",
      "activity_regularizer"},
     10,
     embedding_new,
     L},
    {"Masking", {"mask_value"}, ALL, masking_new, L},
    {"RepeatVector", {"n"}, ALL, repeat_vector_new, L},
    {"TimeDistributed", {"layer"}, ALL, time_distributed_new, L},
    {"Concatenate", {"axis"}, ALL, merge_new, L},
    {"Add", {0}, 0, merge_new, L},
    {"Subtract", {0}, 0, merge_new, L},
    {"Multiply", {0}, 0, merge_new, L},
    {"Average", {0}, 0, merge_new, L},
    {"Maximum", {0}, 0, merge_new, L},
    {"concatenate", {"inputs", "axis", "name"}, 2, merge_call, 0},
    {"add", {"inputs", "name"}, 1, merge_call, 0},
    {"subtract", {"inputs", "name"}, 1, merge_call, 0},
    {"multiply", {"inputs", "name"}, 1, merge_call, 0},
    {"average", {"inputs", "name"}, 1, merge_call, 0},
    {"maximum", {"inputs", "name"}, 1, merge_call, 0},
    {NULL, {0}, 0, NULL, 0},
};
