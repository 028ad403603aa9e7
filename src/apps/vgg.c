/* VGG16 and VGG19 (keras.applications.vgg16 / vgg19): five blocks of 3x3
 * "same" ReLU convolutions, each block closed by a 2x2 max pooling, then
 * Flatten, fc1 and fc2 (4096, ReLU) and the classifier. */
#include <stdio.h>
#include "apps/app.h"

static const int block_filters[5] = {64, 128, 256, 512, 512};

static nr_status vgg(nr_graph *g, const nr_app_info *info, const int *convs, const nr_app_opts *o, nr_model **out) {
    nr_app_opts r;
    nr_sym in, x;
    char name[32];
    *out = NULL;
    NR_TRY(nr_app_resolve(info, o, &r));
    NR_TRY(nr_app_input(g, &r, &in));
    x = in;
    for (int b = 0; b < 5; b++) {
        for (int c = 0; c < convs[b]; c++) {
            snprintf(name, sizeof name, "block%d_conv%d", b + 1, c + 1);
            NR_TRY(nr_app_conv(g, x, block_filters[b], 3, 1, NR_PADDING_SAME, 1, NR_ACT_RELU, name, &x));
        }
        snprintf(name, sizeof name, "block%d_pool", b + 1);
        NR_TRY(nr_app_maxpool(g, x, 2, 2, name, &x));
    }
    if (r.no_top) {
        NR_TRY(nr_app_pool_output(g, &r, x, NULL, NULL, &x));
    } else {
        NR_TRY(nr_app_flatten(g, x, "flatten", &x));
        NR_TRY(nr_app_dense(g, x, 4096, NR_ACT_RELU, "fc1", &x));
        NR_TRY(nr_app_dense(g, x, 4096, NR_ACT_RELU, "fc2", &x));
        NR_TRY(nr_app_predictions(g, &r, x, &x));
    }
    return nr_app_finish(g, &r, in, x, out);
}

nr_status nr_app_vgg16(nr_graph *g, const nr_app_opts *o, nr_model **out) {
    static const nr_app_info info = {"VGG16", "vgg16", 0};
    return vgg(g, &info, (const int[]){2, 2, 3, 3, 3}, o, out);
}

nr_status nr_app_vgg19(nr_graph *g, const nr_app_opts *o, nr_model **out) {
    static const nr_app_info info = {"VGG19", "vgg19", 0};
    return vgg(g, &info, (const int[]){2, 2, 4, 4, 4}, o, out);
}
