/* Internal: the building blocks the application builders share. Every
 * helper adds one named layer (NULL name: Keras's auto name) and calls it
 * on x, leaving the output in *y (which may be x). */
#ifndef NR_APP_H
#define NR_APP_H

#include "graph/graph.h"
#include "neurona/applications.h"

/* What a builder knows about its application (Keras's constants). */
typedef struct nr_app_info {
    const char *type;          /* "VGG16", for messages */
    const char *name;          /* default model name ("vgg16"); NULL: the builder makes it */
    int has_alpha;             /* takes a width multiplier (MobileNetV2) */
} nr_app_info;

/* Checks o against Keras's rules and resolves the defaults into *r. */
nr_status nr_app_resolve(const nr_app_info *info, const nr_app_opts *o, nr_app_opts *r);

nr_status nr_app_conv(nr_graph *g, nr_sym x, int filters, int k, int stride, nr_padding pad, int use_bias,
                      nr_activation act, const char *name, nr_sym *y);
nr_status nr_app_depthwise(nr_graph *g, nr_sym x, int stride, nr_padding pad, const char *name, nr_sym *y);
nr_status nr_app_bn(nr_graph *g, nr_sym x, float epsilon, float momentum, const char *name, nr_sym *y);
nr_status nr_app_act(nr_graph *g, nr_sym x, nr_activation act, const char *name, nr_sym *y);
nr_status nr_app_relu6(nr_graph *g, nr_sym x, const char *name, nr_sym *y);
/* ZeroPadding2D(((top, bottom), (left, right))). */
nr_status nr_app_pad(nr_graph *g, nr_sym x, int top, int bottom, int left, int right, const char *name, nr_sym *y);
nr_status nr_app_maxpool(nr_graph *g, nr_sym x, int k, int stride, const char *name, nr_sym *y);
nr_status nr_app_add(nr_graph *g, nr_sym a, nr_sym b, const char *name, nr_sym *y);
nr_status nr_app_dense(nr_graph *g, nr_sym x, int units, nr_activation act, const char *name, nr_sym *y);
nr_status nr_app_flatten(nr_graph *g, nr_sym x, const char *name, nr_sym *y);
/* GlobalAveragePooling2D (avg) or GlobalMaxPooling2D. */
nr_status nr_app_global_pool(nr_graph *g, nr_sym x, int avg, const char *name, nr_sym *y);

/* The input layer of the resolved shape. */
nr_status nr_app_input(nr_graph *g, const nr_app_opts *r, nr_sym *x);
/* Without the top: the pooling Keras applies (names: the avg and max
 * pooling layers' names, NULL for auto names). */
nr_status nr_app_pool_output(nr_graph *g, const nr_app_opts *r, nr_sym x, const char *avg_name, const char *max_name,
                         nr_sym *y);
/* The "predictions" Dense layer of the top. */
nr_status nr_app_predictions(nr_graph *g, const nr_app_opts *r, nr_sym x, nr_sym *y);
/* The model from in to out named r->name, with r->weights loaded. */
nr_status nr_app_finish(nr_graph *g, const nr_app_opts *r, nr_sym in, nr_sym out, nr_model **m);

#endif
