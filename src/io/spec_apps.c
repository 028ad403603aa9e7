/* SPEC constructors of the Keras applications: VGG16, VGG19, ResNet50
 * and MobileNetV2 with Keras's arguments in Keras's order; each makes a
 * model that can be called on a tensor like any model. */
#include <string.h>
#include "io/spec_build.h"
#include "neurona/applications.h"

static nr_status pooling_arg(nr_spec_ctx *x, const nr_spec_args *a, nr_app_pooling *out) {
    static const char *const names[] = {"avg", "max"};
    const char *s = NULL;
    NR_TRY(nr_spec_get_str(x, a, "pooling", &s));
    if (!s) return NR_OK;
    for (int k = 0; k < 2; k++)
        if (!strcmp(s, names[k])) {
            *out = k == 0 ? NR_APP_POOLING_AVG : NR_APP_POOLING_MAX;
            return NR_OK;
        }
    const nr_val *v = nr_spec_arg(a, "pooling");
    return nr_spec_unknown(x, v->line, v->col, "pooling", s, names, 2);
}

static nr_status weights_arg(nr_spec_ctx *x, const nr_spec_args *a, const char **out) {
    NR_TRY(nr_spec_get_str(x, a, "weights", out));
    if (!*out || strcmp(*out, "imagenet") != 0) return NR_OK;
    const nr_val *v = nr_spec_arg(a, "weights");
    return nr_spec_error(x, v->line, v->col, NR_STATUS_UNSUPPORTED,
                         "%s: weights=\"imagenet\" would download the weights, which neurona never does; give the "
                         "path of a weights file, or weights=None",
                         a->what);
}

static nr_status shape_arg(nr_spec_ctx *x, const nr_spec_args *a, int64_t *shape) {
    int64_t dims[NR_MAX_DIMS] = {0};
    int ndim = 0;
    NR_TRY(nr_spec_get_shape(x, a, "input_shape", 0, dims, &ndim));
    if (!nr_spec_given(a, "input_shape")) return NR_OK;
    if (ndim != 3) return nr_spec_type_error(x, a, "input_shape", "a tuple of three integers (height, width, channels)");
    memcpy(shape, dims, 3 * sizeof *shape);
    return NR_OK;
}

static nr_status app_args(nr_spec_ctx *x, const nr_spec_args *a, nr_app_opts *o) {
    int top = 1;
    int64_t classes = 0;
    NR_TRY(nr_spec_get_bool(x, a, "include_top", &top));
    o->no_top = !top;
    NR_TRY(weights_arg(x, a, &o->weights));
    NR_TRY(nr_spec_only_default(x, a, "input_tensor", "call the model on a tensor instead: base(inputs)"));
    NR_TRY(shape_arg(x, a, o->input_shape));
    NR_TRY(pooling_arg(x, a, &o->pooling));
    NR_TRY(nr_spec_get_int(x, a, "classes", 1, NR_SPEC_MAX_DIM, &classes));
    o->classes = (int)classes;
    o->has_classifier_activation = nr_spec_arg(a, "classifier_activation") != NULL;
    NR_TRY(nr_spec_to_activation(x, a, "classifier_activation", &o->classifier_activation));
    NR_TRY(nr_spec_check_name(x, a, "name", &o->name));
    if (nr_spec_given(a, "alpha")) {
        const nr_val *v = nr_spec_arg(a, "alpha");
        if (!nr_spec_is_number(v)) return nr_spec_type_error(x, a, "alpha", "a number");
        o->alpha = nr_spec_number(v);
        if (!(o->alpha > 0))
            return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: alpha must be positive, got %g",
                                 a->what, o->alpha);
    }
    return NR_OK;
}

static nr_status app_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_app_opts o = {0};
    nr_model *m = NULL;
    NR_TRY(app_args(x, a, &o));
    nr_status s = nr_app_new(x->g, a->fn->name, &o, &m);
    if (s != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    nr_val *v = nr_spec_new_val(x, NR_VAL_MODEL, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.model = m;
    x->last_model = m;
    *out = v;
    return NR_OK;
}

#define ALL NR_SPEC_MAX_PARAMS
#define APP_ARGS                                                                                                  \
    {"include_top", "weights", "input_tensor", "input_shape", "pooling", "classes", "classifier_activation", "name"}

const nr_spec_builtin nr_spec_app_builtins[] = {
    {"VGG16", APP_ARGS, ALL, app_new, 0},
    {"VGG19", APP_ARGS, ALL, app_new, 0},
    {"ResNet50", APP_ARGS, ALL, app_new, 0},
    {"MobileNetV2",
     {"input_shape", "alpha", "include_top", "weights", "input_tensor", "pooling", "classes", "classifier_activation",
      "name"},
     ALL,
     app_new,
     0},
    {NULL, {0}, 0, NULL, 0},
};
