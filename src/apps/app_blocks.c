/* The layers the application builders are made of, each created with its
 * Keras name and called at once. */
#include "apps/app.h"

static nr_status call1(nr_status made, nr_layer *l, nr_sym x, nr_sym *y) {
    NR_TRY(made);
    return nr_layer_call(l, &x, 1, y);
}

nr_status nr_app_conv(nr_graph *g, nr_sym x, int filters, int k, int stride, nr_padding pad, int use_bias,
                      nr_activation act, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_conv2d(g, &(nr_conv2d_opts){.base = {.name = name}, .filters = filters, .kernel_size = {k},
                                                 .strides = {stride}, .padding = pad, .no_bias = !use_bias,
                                                 .activation = act}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_depthwise(nr_graph *g, nr_sym x, int stride, nr_padding pad, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_depthwise_conv2d(g, &(nr_depthwise_conv2d_opts){.base = {.name = name}, .kernel_size = {3},
                                                                     .strides = {stride}, .padding = pad,
                                                                     .no_bias = 1}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_bn(nr_graph *g, nr_sym x, float epsilon, float momentum, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_batch_normalization(
        g, &(nr_batch_norm_opts){.base = {.name = name}, .epsilon = epsilon, .momentum = momentum}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_act(nr_graph *g, nr_sym x, nr_activation act, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_activation_layer(g, &(nr_activation_opts){.base = {.name = name}, .activation = act}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_relu6(nr_graph *g, nr_sym x, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_relu(g, &(nr_relu_opts){.base = {.name = name}, .max_value = 6.0f}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_pad(nr_graph *g, nr_sym x, int top, int bottom, int left, int right, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_zero_padding2d(g, &(nr_zero_padding2d_opts){.base = {.name = name},
                                                                 .padding = {{top, bottom}, {left, right}},
                                                                 .padding_given = 1}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_maxpool(nr_graph *g, nr_sym x, int k, int stride, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_max_pooling2d(g, &(nr_pool2d_opts){.base = {.name = name}, .pool_size = {k, k},
                                                        .strides = {stride, stride}}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_add(nr_graph *g, nr_sym a, nr_sym b, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    NR_TRY(nr_merge(g, &(nr_merge_opts){.base = {.name = name}, .kind = NR_MERGE_ADD}, &l));
    return nr_layer_call(l, (nr_sym[]){a, b}, 2, y);
}

nr_status nr_app_dense(nr_graph *g, nr_sym x, int units, nr_activation act, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_dense(g, &(nr_dense_opts){.base = {.name = name}, .units = units, .activation = act}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_flatten(nr_graph *g, nr_sym x, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    nr_status s = nr_flatten(g, &(nr_layer_base){.name = name}, &l);
    return call1(s, l, x, y);
}

nr_status nr_app_global_pool(nr_graph *g, nr_sym x, int avg, const char *name, nr_sym *y) {
    nr_layer *l = NULL;
    const nr_global_pool_opts o = {.base = {.name = name}};
    nr_status s = avg ? nr_global_average_pooling2d(g, &o, &l) : nr_global_max_pooling2d(g, &o, &l);
    return call1(s, l, x, y);
}
