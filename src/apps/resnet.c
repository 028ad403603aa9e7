/* ResNet50 (keras.applications.resnet, ResNet v1): a 7x7 stride-2 stem
 * with padding, BatchNormalization (epsilon 1.001e-5) and 3x3 max
 * pooling, then four stacks of bottleneck blocks (1x1, 3x3, 1x1 with 4x
 * the filters), the first block of each stack with a projection
 * shortcut. */
#include <stdio.h>
#include "apps/app.h"

#define RESNET_EPS 1.001e-5f

/* "{prefix}_{suffix}" */
static const char *nm(char *buf, size_t size, const char *prefix, const char *suffix) {
    snprintf(buf, size, "%s_%s", prefix, suffix);
    return buf;
}

static nr_status conv(nr_graph *g, nr_sym x, int filters, int k, int stride, const char *p, int i, nr_sym *y) {
    char name[64];
    snprintf(name, sizeof name, "%s_%d_conv", p, i);
    return nr_app_conv(g, x, filters, k, stride, k == 1 ? NR_PADDING_VALID : NR_PADDING_SAME, 1, NR_ACT_LINEAR, name,
                       y);
}

static nr_status bn(nr_graph *g, nr_sym x, const char *p, int i, nr_sym *y) {
    char name[64];
    snprintf(name, sizeof name, "%s_%d_bn", p, i);
    return nr_app_bn(g, x, RESNET_EPS, 0, name, y);
}

/* keras residual_block_v1. Keras lists a functional model's layers by
 * depth, so the shortcut's layers come after the main branch's second
 * ReLU, each beside its twin of the same depth: _0_conv, _3_conv, _0_bn,
 * _3_bn. The layers are made in that order, so the model's layers and
 * weights are in Keras's order. */
static nr_status block(nr_graph *g, nr_sym x, int filters, int stride, int conv_shortcut, const char *p, nr_sym *y) {
    char buf[64];
    nr_sym shortcut = x, h;
    NR_TRY(conv(g, x, filters, 1, stride, p, 1, &h));
    NR_TRY(bn(g, h, p, 1, &h));
    NR_TRY(nr_app_act(g, h, NR_ACT_RELU, nm(buf, sizeof buf, p, "1_relu"), &h));
    NR_TRY(conv(g, h, filters, 3, 1, p, 2, &h));
    NR_TRY(bn(g, h, p, 2, &h));
    NR_TRY(nr_app_act(g, h, NR_ACT_RELU, nm(buf, sizeof buf, p, "2_relu"), &h));
    if (conv_shortcut) NR_TRY(conv(g, x, 4 * filters, 1, stride, p, 0, &shortcut));
    NR_TRY(conv(g, h, 4 * filters, 1, 1, p, 3, &h));
    if (conv_shortcut) NR_TRY(bn(g, shortcut, p, 0, &shortcut));
    NR_TRY(bn(g, h, p, 3, &h));
    NR_TRY(nr_app_add(g, shortcut, h, nm(buf, sizeof buf, p, "add"), &h));
    return nr_app_act(g, h, NR_ACT_RELU, nm(buf, sizeof buf, p, "out"), y);
}

/* keras stack_residual_blocks_v1 */
static nr_status stack(nr_graph *g, nr_sym x, int filters, int blocks, int stride1, int stack_no, nr_sym *y) {
    char p[32];
    for (int b = 1; b <= blocks; b++) {
        snprintf(p, sizeof p, "conv%d_block%d", stack_no, b);
        NR_TRY(block(g, x, filters, b == 1 ? stride1 : 1, b == 1, p, &x));
    }
    *y = x;
    return NR_OK;
}

nr_status nr_app_resnet50(nr_graph *g, const nr_app_opts *o, nr_model **out) {
    static const nr_app_info info = {"ResNet50", "resnet50", 0};
    static const int filters[4] = {64, 128, 256, 512}, blocks[4] = {3, 4, 6, 3};
    nr_app_opts r;
    nr_sym in, x;
    *out = NULL;
    NR_TRY(nr_app_resolve(&info, o, &r));
    NR_TRY(nr_app_input(g, &r, &in));
    NR_TRY(nr_app_pad(g, in, 3, 3, 3, 3, "conv1_pad", &x));
    NR_TRY(nr_app_conv(g, x, 64, 7, 2, NR_PADDING_VALID, 1, NR_ACT_LINEAR, "conv1_conv", &x));
    NR_TRY(nr_app_bn(g, x, RESNET_EPS, 0, "conv1_bn", &x));
    NR_TRY(nr_app_act(g, x, NR_ACT_RELU, "conv1_relu", &x));
    NR_TRY(nr_app_pad(g, x, 1, 1, 1, 1, "pool1_pad", &x));
    NR_TRY(nr_app_maxpool(g, x, 3, 2, "pool1_pool", &x));
    for (int s = 0; s < 4; s++) NR_TRY(stack(g, x, filters[s], blocks[s], s == 0 ? 1 : 2, s + 2, &x));
    if (r.no_top) {
        NR_TRY(nr_app_pool_output(g, &r, x, "avg_pool", "max_pool", &x));
    } else {
        NR_TRY(nr_app_global_pool(g, x, 1, "avg_pool", &x));
        NR_TRY(nr_app_predictions(g, &r, x, &x));
    }
    return nr_app_finish(g, &r, in, x, out);
}
