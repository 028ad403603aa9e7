/* What every application shares: Keras's argument rules
 * (imagenet_utils.obtain_input_shape and validate_activation, with
 * weights never "imagenet"), the input, the optional pooling, the
 * classifier, the model and its weights; and the builder by name. */
#include <string.h>
#include "apps/app.h"
#include "core/suggest.h"

static nr_status check_shape(const nr_app_info *info, const int64_t *shape) {
    char buf[96];
    for (int i = 0; i < 3; i++)
        if (shape[i] < 1 || shape[i] > ((int64_t)1 << 20))
            return nr_error(NR_STATUS_BAD_ARGUMENT,
                            "%s: input_shape must be three positive integers (height, width, channels); received "
                            "input_shape=%s",
                            info->type, nr_shape_str(buf, sizeof buf, 3, shape));
    if (shape[0] < 32 || shape[1] < 32)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: input size must be at least 32x32; received input_shape=%s",
                        info->type, nr_shape_str(buf, sizeof buf, 3, shape));
    return NR_OK;
}

nr_status nr_app_resolve(const nr_app_info *info, const nr_app_opts *o, nr_app_opts *r) {
    *r = o ? *o : (nr_app_opts){0};
    if (!r->input_shape[0] && !r->input_shape[1] && !r->input_shape[2]) {
        r->input_shape[0] = r->input_shape[1] = 224;
        r->input_shape[2] = 3;
    }
    NR_TRY(check_shape(info, r->input_shape));
    if ((unsigned)r->pooling > NR_APP_POOLING_MAX)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: pooling %d is not valid; valid: none, avg, max", info->type,
                        (int)r->pooling);
    if (r->classes < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: classes must be a positive integer, received classes=%d",
                        info->type, r->classes);
    if (!r->classes) r->classes = 1000;
    if (!r->has_classifier_activation) r->classifier_activation = NR_ACT_SOFTMAX;
    if ((unsigned)r->classifier_activation >= NR_ACT_COUNT_)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: classifier_activation %d is not valid", info->type,
                        (int)r->classifier_activation);
    if (r->weights && !r->no_top && r->classifier_activation != NR_ACT_SOFTMAX &&
        r->classifier_activation != NR_ACT_LINEAR)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "%s: only None and \"softmax\" classifier activations are allowed with pretrained weights and "
                        "include_top=True; received classifier_activation=\"%s\"",
                        info->type, nr_activation_name(r->classifier_activation));
    if (!info->has_alpha && r->alpha != 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: alpha is an argument of MobileNetV2 only", info->type);
    if (!r->name) r->name = info->name;
    return NR_OK;
}

nr_status nr_app_input(nr_graph *g, const nr_app_opts *r, nr_sym *x) {
    nr_input_opts in = {.ndim = 3};
    memcpy(in.shape, r->input_shape, sizeof r->input_shape);
    return nr_input(g, &in, x);
}

nr_status nr_app_pool_output(nr_graph *g, const nr_app_opts *r, nr_sym x, const char *avg_name, const char *max_name,
                         nr_sym *y) {
    *y = x;
    if (r->pooling == NR_APP_POOLING_NONE) return NR_OK;
    int avg = r->pooling == NR_APP_POOLING_AVG;
    return nr_app_global_pool(g, x, avg, avg ? avg_name : max_name, y);
}

nr_status nr_app_predictions(nr_graph *g, const nr_app_opts *r, nr_sym x, nr_sym *y) {
    return nr_app_dense(g, x, r->classes, r->classifier_activation, "predictions", y);
}

nr_status nr_app_finish(nr_graph *g, const nr_app_opts *r, nr_sym in, nr_sym out, nr_model **m) {
    NR_TRY(nr_model_new(g, &in, 1, &out, 1, r->name, m));
    nr_status s = r->weights ? nr_app_load_weights(*m, r->weights) : NR_OK;
    if (s != NR_OK) *m = NULL; /* the graph still owns the model */
    return s;
}

typedef nr_status (*builder)(nr_graph *, const nr_app_opts *, nr_model **);

nr_status nr_app_new(nr_graph *g, const char *app, const nr_app_opts *o, nr_model **out) {
    static const char *const names[] = {"VGG16", "VGG19", "ResNet50", "MobileNetV2"};
    static const builder fns[] = {nr_app_vgg16, nr_app_vgg19, nr_app_resnet50, nr_app_mobilenet_v2};
    *out = NULL;
    for (int i = 0; app && i < 4; i++)
        if (!strcmp(app, names[i])) return fns[i](g, o, out);
    char hint[256];
    return nr_error(NR_STATUS_BAD_ARGUMENT, "unknown application \"%s\"; %s", app ? app : "(null)",
                    nr_suggest(app ? app : "", names, 4, hint, sizeof hint));
}
