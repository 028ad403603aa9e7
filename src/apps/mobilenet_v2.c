/* MobileNetV2 (keras.applications.mobilenet_v2): a stride-2 3x3 stem,
 * 17 inverted residual blocks (1x1 expansion, 3x3 depthwise, 1x1 linear
 * projection; BatchNormalization with epsilon 1e-3 and momentum 0.999,
 * ReLU(6.)), a 1x1 convolution to 1280 channels (more for alpha > 1) and
 * the classifier. Widths scale with alpha through _make_divisible. */
#include <stdio.h>
#include "apps/app.h"

#define MBV2_EPS 1e-3f
#define MBV2_MOMENTUM 0.999f

/* keras _make_divisible(v, divisor): v rounded to a multiple of divisor,
 * at least divisor, never more than 10% below v. */
static int make_divisible(double v, int divisor) {
    int n = (int)(v + divisor / 2.0) / divisor * divisor;
    if (n < divisor) n = divisor;
    if (n < 0.9 * v) n += divisor;
    return n;
}

static int channels(const nr_graph *g, nr_sym x) { return (int)g->nodes[x].shape[3]; }

/* Conv2D (1x1, no bias), BatchNormalization and, with relu, ReLU(6.),
 * named prefix + conv, conv + "_BN", conv + "_relu". */
static nr_status pointwise(nr_graph *g, nr_sym x, int filters, const char *prefix, const char *conv, int relu,
                           nr_sym *y) {
    char name[64];
    snprintf(name, sizeof name, "%s%s", prefix, conv);
    NR_TRY(nr_app_conv(g, x, filters, 1, 1, NR_PADDING_SAME, 0, NR_ACT_LINEAR, name, y));
    snprintf(name, sizeof name, "%s%s_BN", prefix, conv);
    NR_TRY(nr_app_bn(g, *y, MBV2_EPS, MBV2_MOMENTUM, name, y));
    if (!relu) return NR_OK;
    snprintf(name, sizeof name, "%s%s_relu", prefix, conv);
    return nr_app_relu6(g, *y, name, y);
}

/* The depthwise 3x3 step; stride 2 pads as imagenet_utils.correct_pad:
 * one row and column fewer at the top and left when the size is even. */
static nr_status depthwise(nr_graph *g, nr_sym x, int stride, const char *prefix, nr_sym *y) {
    char name[64];
    if (stride == 2) {
        int top = (int)(g->nodes[x].shape[1] % 2), left = (int)(g->nodes[x].shape[2] % 2);
        snprintf(name, sizeof name, "%spad", prefix);
        NR_TRY(nr_app_pad(g, x, top, 1, left, 1, name, &x));
    }
    snprintf(name, sizeof name, "%sdepthwise", prefix);
    NR_TRY(nr_app_depthwise(g, x, stride, stride == 1 ? NR_PADDING_SAME : NR_PADDING_VALID, name, y));
    snprintf(name, sizeof name, "%sdepthwise_BN", prefix);
    NR_TRY(nr_app_bn(g, *y, MBV2_EPS, MBV2_MOMENTUM, name, y));
    snprintf(name, sizeof name, "%sdepthwise_relu", prefix);
    return nr_app_relu6(g, *y, name, y);
}

/* keras _inverted_res_block */
static nr_status inverted_res_block(nr_graph *g, nr_sym in, int expansion, int stride, double alpha, int filters,
                                    int block_id, nr_sym *y) {
    char prefix[32], name[64];
    int in_ch = channels(g, in), out_ch = make_divisible((int)(filters * alpha), 8);
    nr_sym x = in;
    snprintf(prefix, sizeof prefix, "block_%d_", block_id);
    if (block_id)
        NR_TRY(pointwise(g, x, expansion * in_ch, prefix, "expand", 1, &x));
    else
        snprintf(prefix, sizeof prefix, "expanded_conv_");
    NR_TRY(depthwise(g, x, stride, prefix, &x));
    NR_TRY(pointwise(g, x, out_ch, prefix, "project", 0, &x));
    if (in_ch != out_ch || stride != 1) {
        *y = x;
        return NR_OK;
    }
    snprintf(name, sizeof name, "%sadd", prefix);
    return nr_app_add(g, in, x, name, y);
}

nr_status nr_app_mobilenet_v2(nr_graph *g, const nr_app_opts *o, nr_model **out) {
    static const nr_app_info info = {"MobileNetV2", NULL, 1};
    /* filters, stride, expansion of blocks 0..16 */
    static const int blocks[17][3] = {{16, 1, 1},  {24, 2, 6},  {24, 1, 6},  {32, 2, 6},  {32, 1, 6},  {32, 1, 6},
                                      {64, 2, 6},  {64, 1, 6},  {64, 1, 6},  {64, 1, 6},  {96, 1, 6},  {96, 1, 6},
                                      {96, 1, 6},  {160, 2, 6}, {160, 1, 6}, {160, 1, 6}, {320, 1, 6}};
    nr_app_opts r;
    nr_sym in, x;
    char model_name[64];
    *out = NULL;
    NR_TRY(nr_app_resolve(&info, o, &r));
    if (r.alpha == 0) r.alpha = 1.0;
    if (!(r.alpha > 0 && r.alpha <= 64))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "MobileNetV2: alpha must be a positive width multiplier (Keras's "
                        "pretrained ones: 0.35, 0.5, 0.75, 1.0, 1.3, 1.4); received alpha=%g", r.alpha);
    if (!r.name) {
        snprintf(model_name, sizeof model_name, "mobilenetv2_%.2f_%lld", r.alpha, (long long)r.input_shape[0]);
        r.name = model_name;
    }
    NR_TRY(nr_app_input(g, &r, &in));
    NR_TRY(nr_app_conv(g, in, make_divisible(32 * r.alpha, 8), 3, 2, NR_PADDING_SAME, 0, NR_ACT_LINEAR, "Conv1", &x));
    NR_TRY(nr_app_bn(g, x, MBV2_EPS, MBV2_MOMENTUM, "bn_Conv1", &x));
    NR_TRY(nr_app_relu6(g, x, "Conv1_relu", &x));
    for (int b = 0; b < 17; b++)
        NR_TRY(inverted_res_block(g, x, blocks[b][2], blocks[b][1], r.alpha, blocks[b][0], b, &x));
    /* Keras widens the last convolution only for alpha > 1. */
    int last = r.alpha > 1.0 ? make_divisible(1280 * r.alpha, 8) : 1280;
    NR_TRY(nr_app_conv(g, x, last, 1, 1, NR_PADDING_VALID, 0, NR_ACT_LINEAR, "Conv_1", &x));
    NR_TRY(nr_app_bn(g, x, MBV2_EPS, MBV2_MOMENTUM, "Conv_1_bn", &x));
    NR_TRY(nr_app_relu6(g, x, "out_relu", &x));
    if (r.no_top) {
        NR_TRY(nr_app_pool_output(g, &r, x, NULL, NULL, &x));
    } else {
        NR_TRY(nr_app_global_pool(g, x, 1, NULL, &x));
        NR_TRY(nr_app_predictions(g, &r, x, &x));
    }
    return nr_app_finish(g, &r, in, x, out);
}
