/* keras.applications.imagenet_utils.preprocess_input on channels-last
 * float images, in place, with the mode each application uses. */
#include <string.h>
#include "apps/app.h"
#include "core/suggest.h"

typedef enum { MODE_CAFFE, MODE_TF, MODE_TORCH } mode_kind;

static const struct {
    const char *name;
    mode_kind mode;
} modes[] = {
    {"caffe", MODE_CAFFE}, {"tf", MODE_TF},    {"torch", MODE_TORCH},  {"VGG16", MODE_CAFFE},
    {"VGG19", MODE_CAFFE}, {"ResNet50", MODE_CAFFE}, {"MobileNetV2", MODE_TF},
};
#define N_MODES ((int)(sizeof modes / sizeof modes[0]))

/* RGB to BGR, then minus the ImageNet mean pixel in BGR order. */
static void caffe(float *x, int64_t pixels) {
    static const float mean[3] = {103.939f, 116.779f, 123.68f};
    for (int64_t p = 0; p < pixels; p++, x += 3) {
        float r = x[0];
        x[0] = x[2] - mean[0];
        x[1] -= mean[1];
        x[2] = r - mean[2];
    }
}

static void torch(float *x, int64_t pixels) {
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    for (int64_t p = 0; p < pixels; p++, x += 3)
        for (int c = 0; c < 3; c++) x[c] = (x[c] / 255.0f - mean[c]) / std[c];
}

nr_status nr_app_preprocess(const char *mode, nr_tensor *x) {
    const char *names[N_MODES];
    int k = 0;
    if (!mode || !x) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_app_preprocess: NULL argument");
    while (k < N_MODES && strcmp(mode, modes[k].name) != 0) k++;
    if (k == N_MODES) {
        char hint[256];
        for (int i = 0; i < N_MODES; i++) names[i] = modes[i].name;
        return nr_error(NR_STATUS_BAD_ARGUMENT, "preprocess_input: unknown mode or application \"%s\"; %s", mode,
                        nr_suggest(mode, names, N_MODES, hint, sizeof hint));
    }
    int64_t n = nr_tensor_numel(x);
    if (modes[k].mode == MODE_TF) {
        for (int64_t i = 0; i < n; i++) x->data[i] = x->data[i] / 127.5f - 1.0f;
        return NR_OK;
    }
    if (x->ndim < 1 || x->shape[x->ndim - 1] != 3) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "preprocess_input (mode \"%s\"): images must have 3 channels (RGB) on "
                        "the last axis; received shape %s", mode, nr_shape_str(buf, sizeof buf, x->ndim, x->shape));
    }
    (modes[k].mode == MODE_CAFFE ? caffe : torch)(x->data, n / 3);
    return NR_OK;
}
