/* neurona: Keras applications (VGG16, VGG19, ResNet50, MobileNetV2), their
 * input preprocessing, and the helpers of fine-tuning.
 *
 * Each builder makes a functional model with Keras 3's exact architecture:
 * the same layer names (block1_conv1, conv2_block1_1_conv, Conv1,
 * block_1_expand ...), layer types, weight shapes and weight order, the
 * same model name ("vgg16", "resnet50", "mobilenetv2_1.00_224") and the
 * same parameter counts, so weights saved by Keras load by layer name.
 * The model is owned by the graph. Layer names are unique in a graph, so
 * one graph holds one application of a kind.
 *
 *   nr_model *base;
 *   nr_app_mobilenet_v2(g, &(nr_app_opts){.no_top = 1, .input_shape = {96, 96, 3},
 *                                         .alpha = 0.35, .weights = "base.nrm"}, &base);
 *   nr_model_set_trainable(base, 0);            (Keras: base.trainable = False)
 *
 * Weights are never downloaded: Keras's weights="imagenet" has no
 * counterpart; give the path of a file instead. */
#ifndef NEURONA_APPLICATIONS_H
#define NEURONA_APPLICATIONS_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nr_app_pooling {
    NR_APP_POOLING_NONE = 0, /* the 4-D output of the last block */
    NR_APP_POOLING_AVG,      /* GlobalAveragePooling2D: (N, channels) */
    NR_APP_POOLING_MAX       /* GlobalMaxPooling2D */
} nr_app_pooling;

/* Keras's arguments; a zero field is Keras's default. */
typedef struct nr_app_opts {
    int no_top;                 /* 1: include_top = False (no classifier) */
    /* (height, width, channels); all 0: (224, 224, 3). Height and width
     * at least 32 (Keras's min_size); Keras's input_shape=None without
     * the top (any image size) has no counterpart: give the size. */
    int64_t input_shape[3];
    nr_app_pooling pooling;     /* used only with no_top, as in Keras */
    int classes;                /* 0 = 1000 */
    nr_activation classifier_activation; /* used when has_classifier_activation; default softmax */
    int has_classifier_activation;
    double alpha;               /* MobileNetV2's width multiplier, > 0; 0 = 1.0 (others: must be 0) */
    /* NULL: random initial weights (weights=None); else a file read by
     * nr_app_load_weights. With a file the classifier activation must be
     * softmax or linear (Keras's rule). */
    const char *weights;
    const char *name;           /* model name; NULL: Keras's */
} nr_app_opts;

/* The builders; o may be NULL (every default: 224x224x3, with the top,
 * 1000 classes). *out belongs to g. */
nr_status nr_app_vgg16(nr_graph *g, const nr_app_opts *o, nr_model **out);
nr_status nr_app_vgg19(nr_graph *g, const nr_app_opts *o, nr_model **out);
nr_status nr_app_resnet50(nr_graph *g, const nr_app_opts *o, nr_model **out);
nr_status nr_app_mobilenet_v2(nr_graph *g, const nr_app_opts *o, nr_model **out);

/* The builder by Keras's name: "VGG16", "VGG19", "ResNet50" or
 * "MobileNetV2"; an unknown name is an error listing these. */
nr_status nr_app_new(nr_graph *g, const char *app, const nr_app_opts *o, nr_model **out);

/* Keras's preprocess_input, in place, on channels-last images (..., C)
 * holding pixel values in [0, 255] (neurona's image loader gives [0, 1]:
 * multiply by 255 first). mode is an application's name, or a mode:
 *   "caffe" (VGG16, VGG19, ResNet50): RGB to BGR, then minus the ImageNet
 *           mean pixel (103.939, 116.779, 123.68) in BGR order; C = 3;
 *   "tf"    (MobileNetV2): x / 127.5 - 1, into [-1, 1];
 *   "torch": x / 255, minus (0.485, 0.456, 0.406), over (0.229, 0.224, 0.225); C = 3. */
nr_status nr_app_preprocess(const char *mode, nr_tensor *x);

/* Loads weights into every layer of m that has weights (layers of models
 * inside m too) from the file at path, matched by layer name: each such
 * layer must be in the file with weights of the same count and shapes;
 * layers of the file that m lacks are ignored (a base without its top
 * reads the weights of a model with one). The file is a neurona model
 * file (nr_model_save). Nothing is changed when anything fails. */
nr_status nr_app_load_weights(nr_model *m, const char *path);

/* --- fine-tuning --------------------------------------------------------- */

/* nr_model_set_trainable and nr_model_set_trainable_from (model.h)
 * freeze a base and unfreeze its top. */

#ifdef __cplusplus
}
#endif
#endif
