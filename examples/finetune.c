/* Fine-tuning as Keras's transfer-learning guide teaches it, end to end:
 *
 *   0. two small image-folder data sets of synthetic shapes are written as
 *      PNG class folders: A (bars, crosses, dots, rings) to pretrain on, B
 *      (circles, squares, triangles) to fine-tune on;
 *   1. a base (MobileNetV2 with alpha 0.35, or a small CNN) with its own
 *      classifier is trained on A and saved: DIR/phase1.nrm;
 *   2. the base is built again without its classifier, its weights read
 *      from that file by layer name, frozen, and called with
 *      training=False; GlobalAveragePooling2D and Dense(3) on top are
 *      trained on B (DIR/phase2.nrm);
 *   3. the top of the base is unfrozen from a named layer on and the model
 *      recompiled with a ten times lower learning rate and trained again
 *      (DIR/phase3.nrm). BatchNormalization stays in inference mode
 *      throughout: the call says training=False.
 *
 *   finetune DIR [--base mobilenetv2|small] [--images N] [--epochs N] [--seed S]
 *
 * It prints the test accuracy on B after phases 2 and 3 and checks that
 * phase 2 left every weight of the frozen base as it was. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <neurona/neurona.h>

#define SIZE 32
#define TRY(expr)                        \
    do {                                 \
        nr_status s_ = (expr);           \
        if (s_ != NR_OK) return s_;      \
    } while (0)

typedef struct config {
    const char *dir, *base;
    int images, epochs;
    uint64_t seed;
} config;

/* --- synthetic shapes ------------------------------------------------------ */

static uint64_t rng_state;
static double uniform(void) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng_state >> 11) * 0x1p-53;
}

/* 1 when pixel (i, j) lies in the shape of kind k centred at (cy, cx) with
 * radius r. Kinds 0-3: A's bars, crosses, dots, rings; 4-6: B's circles,
 * squares, triangles. */
static int inside(int k, double i, double j, double cy, double cx, double r) {
    double dy = i - cy, dx = j - cx, d = sqrt(dy * dy + dx * dx);
    switch (k) {
    case 0: return fabs(dy) < r && fmod(fabs(dx) + 100, 6) < 3;
    case 1: return (fabs(dy) < r / 4 && fabs(dx) < r) || (fabs(dx) < r / 4 && fabs(dy) < r);
    case 2: return fmod(fabs(dy) + 100, 5) < 2 && fmod(fabs(dx) + 100, 5) < 2 && d < r;
    case 3: return d < r && d > r * 0.6;
    case 4: return d < r;
    case 5: return fabs(dy) < r * 0.8 && fabs(dx) < r * 0.8;
    default: return dy < r * 0.8 && dy > -r && fabs(dx) < (dy + r) / 2;
    }
}

static void draw(int kind, float *img) {
    double r = 6 + 6 * uniform(), cy = r + (SIZE - 2 * r) * uniform(), cx = r + (SIZE - 2 * r) * uniform();
    float bg[3], fg[3];
    for (int c = 0; c < 3; c++) {
        bg[c] = (float)(0.4 * uniform());
        fg[c] = (float)(0.6 + 0.4 * uniform());
    }
    for (int i = 0; i < SIZE; i++)
        for (int j = 0; j < SIZE; j++)
            for (int c = 0; c < 3; c++)
                img[(i * SIZE + j) * 3 + c] = (inside(kind, i, j, cy, cx, r) ? fg[c] : bg[c]) + (float)(0.1 * uniform());
}

/* DIR/NAME/CLASS/NNN.png for n images of each class. */
static nr_status write_set(const char *dir, const char *name, const char *const *classes, int first_kind, int k,
                           int n) {
    char path[1024];
    nr_tensor *img;
    TRY(nr_tensor_new(&img, 4, (int64_t[]){1, SIZE, SIZE, 3}));
    nr_status s = NR_OK;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    mkdir(path, 0777);
    for (int c = 0; c < k && s == NR_OK; c++) {
        snprintf(path, sizeof path, "%s/%s/%s", dir, name, classes[c]);
        mkdir(path, 0777);
        for (int i = 0; i < n && s == NR_OK; i++) {
            draw(first_kind + c, img->data);
            snprintf(path, sizeof path, "%s/%s/%s/%03d.png", dir, name, classes[c], i);
            s = nr_image_grid_save(path, img, &(nr_image_grid_opts){.cols = 1});
        }
    }
    nr_tensor_free(img);
    return s;
}

static nr_status write_data(const config *c) {
    static const char *const a[] = {"bars", "crosses", "dots", "rings"}, *const b[] = {"circles", "squares", "triangles"};
    rng_state = c->seed;
    mkdir(c->dir, 0777);
    TRY(write_set(c->dir, "A", a, 0, 4, c->images));
    TRY(write_set(c->dir, "B_train", b, 4, 3, c->images / 2));
    return write_set(c->dir, "B_test", b, 4, 3, c->images / 2);
}

/* Images of DIR/NAME as (N, 32, 32, 3) and class indices, preprocessed
 * for the base (MobileNetV2: [0, 255] then Keras's "tf" mode). */
static nr_status load_set(const config *c, const char *name, nr_tensor **x, nr_tensor **y) {
    char path[1024];
    nr_image_folder *f;
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    TRY(nr_image_folder_new(path, NULL, &f));
    nr_status s = nr_image_folder_load(f, &(nr_image_opts){.color_mode = NR_COLOR_RGB, .height = SIZE, .width = SIZE}, x, y);
    nr_image_folder_free(f);
    if (s != NR_OK || strcmp(c->base, "mobilenetv2") != 0) return s;
    for (int64_t i = 0; i < nr_tensor_numel(*x); i++) (*x)->data[i] *= 255.0f;
    return nr_app_preprocess("MobileNetV2", *x);
}

/* --- the bases ----------------------------------------------------------------- */

/* A small CNN named as the applications are: three Conv2D, BatchNormalization
 * and ReLU blocks (the first two max-pooled), then, with a top,
 * GlobalAveragePooling2D and the classifier. */
static nr_status small_base(nr_graph *g, int top, int classes, nr_model **out) {
    nr_sym in, x;
    nr_layer *l;
    char name[32];
    TRY(nr_input(g, &(nr_input_opts){.shape = {SIZE, SIZE, 3}, .ndim = 3}, &in));
    x = in;
    for (int b = 1; b <= 3; b++) {
        snprintf(name, sizeof name, "block%d_conv", b);
        TRY(nr_conv2d(g, &(nr_conv2d_opts){.base = {.name = name}, .filters = 8 << b, .kernel_size = {3},
                                             .padding = NR_PADDING_SAME, .no_bias = 1}, &l));
        TRY(nr_layer_call(l, &x, 1, &x));
        snprintf(name, sizeof name, "block%d_bn", b);
        TRY(nr_batch_normalization(g, &(nr_batch_norm_opts){.base = {.name = name}, .momentum = 0.9f}, &l));
        TRY(nr_layer_call(l, &x, 1, &x));
        snprintf(name, sizeof name, "block%d_relu", b);
        TRY(nr_activation_layer(g, &(nr_activation_opts){.base = {.name = name}, .activation = NR_ACT_RELU}, &l));
        TRY(nr_layer_call(l, &x, 1, &x));
        if (b == 3) break;
        snprintf(name, sizeof name, "block%d_pool", b);
        TRY(nr_max_pooling2d(g, &(nr_pool2d_opts){.base = {.name = name}}, &l));
        TRY(nr_layer_call(l, &x, 1, &x));
    }
    if (top) {
        TRY(nr_global_average_pooling2d(g, &(nr_global_pool_opts){.base = {.name = "avg_pool"}}, &l));
        TRY(nr_layer_call(l, &x, 1, &x));
        TRY(nr_dense(g, &(nr_dense_opts){.base = {.name = "predictions"}, .units = classes,
                                            .activation = NR_ACT_SOFTMAX}, &l));
        TRY(nr_layer_call(l, &x, 1, &x));
    }
    return nr_model_new(g, &in, 1, &x, 1, "small_base", out);
}

/* The base with its classifier (weights NULL), or without it with the
 * weights of the file. */
static nr_status make_base(const config *c, nr_graph *g, const char *weights, nr_model **out) {
    if (!strcmp(c->base, "mobilenetv2"))
        return nr_app_mobilenet_v2(g, &(nr_app_opts){.no_top = weights != NULL, .input_shape = {SIZE, SIZE, 3},
                                                    .alpha = 0.35, .classes = 4, .weights = weights}, out);
    TRY(small_base(g, weights == NULL, 4, out));
    return weights ? nr_app_load_weights(*out, weights) : NR_OK;
}

/* The layer phase 3 unfreezes from: MobileNetV2's last three blocks (as
 * Keras's guide unfreezes its top), the small CNN's last block. */
static const char *top_from(const config *c) { return strcmp(c->base, "mobilenetv2") ? "block3_conv" : "block_14_expand"; }

/* --- the three phases ------------------------------------------------------------- */

static nr_status compile(nr_model *m, float lr) {
    return nr_model_compile(m, &(nr_compile_opts){
        .optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = lr},
        .loss = {{.kind = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}},
        .metrics = {NR_METRIC_ACCURACY}});
}

static nr_status train(nr_model *m, const nr_tensor *x, const nr_tensor *y, int epochs) {
    return nr_model_fit(m, (const nr_tensor *[]){x}, (const nr_tensor *[]){y},
                        &(nr_fit_opts){.epochs = epochs, .batch_size = 16, .verbose = 0}, NULL);
}

static nr_status accuracy(nr_model *m, const nr_tensor *x, const nr_tensor *y, double *acc) {
    nr_logs logs;
    TRY(nr_model_evaluate(m, (const nr_tensor *[]){x}, (const nr_tensor *[]){y}, NULL, &logs));
    *acc = nr_logs_get(&logs, "accuracy");
    return NR_OK;
}

static nr_status pretrain(const config *c, const char *path) {
    nr_graph *g;
    nr_model *m;
    nr_tensor *x = NULL, *y = NULL;
    double acc = 0;
    TRY(nr_graph_new(&g, c->seed));
    nr_status s = make_base(c, g, NULL, &m);
    if (s == NR_OK) s = load_set(c, "A", &x, &y);
    if (s == NR_OK) s = compile(m, 1e-3f);
    if (s == NR_OK) s = train(m, x, y, 2 * c->epochs);
    if (s == NR_OK) s = accuracy(m, x, y, &acc);
    if (s == NR_OK) s = nr_model_save(m, path);
    if (s == NR_OK) printf("phase 1 (pretraining %s on A): training accuracy %.4f, saved %s\n", c->base, acc, path);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_graph_free(g);
    return s;
}

/* inputs -> base(inputs, training=False) -> GlobalAveragePooling2D -> Dense(3). */
static nr_status new_head(nr_graph *g, nr_model *base, nr_model **out) {
    nr_sym in, x;
    nr_layer *b, *l;
    TRY(nr_input(g, &(nr_input_opts){.shape = {SIZE, SIZE, 3}, .ndim = 3}, &in));
    TRY(nr_model_as_layer(base, &b));
    TRY(nr_layer_call_inference(b, &in, 1, &x));
    TRY(nr_global_average_pooling2d(g, NULL, &l));
    TRY(nr_layer_call(l, &x, 1, &x));
    TRY(nr_dense(g, &(nr_dense_opts){.units = 3, .activation = NR_ACT_SOFTMAX}, &l));
    TRY(nr_layer_call(l, &x, 1, &x));
    return nr_model_new(g, &in, 1, &x, 1, "finetuned", out);
}

typedef struct datasets {
    nr_tensor *x, *y, *xt, *yt;
} datasets;

/* Phase 2, checking that the frozen base did not move. */
static nr_status phase2(const config *c, nr_model *m, nr_model *base, const datasets *d) {
    int64_t n = nr_model_weights_size(base);
    float *before = malloc((size_t)n * sizeof *before), *after = malloc((size_t)n * sizeof *after);
    double acc = 0;
    nr_status s = before && after ? nr_model_get_weights(base, before) : NR_STATUS_NO_MEMORY;
    nr_model_set_trainable(base, 0);
    if (s == NR_OK) s = compile(m, 1e-3f);
    if (s == NR_OK) s = train(m, d->x, d->y, c->epochs);
    if (s == NR_OK) s = nr_model_get_weights(base, after);
    if (s == NR_OK) s = accuracy(m, d->xt, d->yt, &acc);
    if (s == NR_OK) {
        printf("phase 2 (frozen base, new head trained on B): test accuracy %.4f\n", acc);
        printf("frozen base weights unchanged in phase 2: %s\n", memcmp(before, after, (size_t)n * sizeof *after) ? "NO" : "yes");
    }
    free(before);
    free(after);
    return s;
}

static nr_status phase3(const config *c, nr_model *m, nr_model *base, const datasets *d) {
    int n = 0;
    double acc = 0;
    TRY(nr_model_set_trainable_from(base, top_from(c), &n));
    TRY(compile(m, 1e-4f));
    TRY(train(m, d->x, d->y, c->epochs));
    TRY(accuracy(m, d->xt, d->yt, &acc));
    printf("phase 3 (%d top layers unfrozen from %s, learning rate 1e-4): test accuracy %.4f\n", n, top_from(c), acc);
    return NR_OK;
}

static nr_status finetune(const config *c, const char *weights) {
    nr_graph *g;
    nr_model *base = NULL, *m = NULL;
    datasets d = {0};
    char path[1024];
    TRY(nr_graph_new(&g, c->seed + 1));
    nr_status s = make_base(c, g, weights, &base);
    if (s == NR_OK) s = new_head(g, base, &m);
    if (s == NR_OK) s = load_set(c, "B_train", &d.x, &d.y);
    if (s == NR_OK) s = load_set(c, "B_test", &d.xt, &d.yt);
    if (s == NR_OK) s = phase2(c, m, base, &d);
    snprintf(path, sizeof path, "%s/phase2.nrm", c->dir);
    if (s == NR_OK) s = nr_model_save(m, path);
    if (s == NR_OK) s = phase3(c, m, base, &d);
    snprintf(path, sizeof path, "%s/phase3.nrm", c->dir);
    if (s == NR_OK) s = nr_model_save(m, path);
    nr_tensor_free(d.x);
    nr_tensor_free(d.y);
    nr_tensor_free(d.xt);
    nr_tensor_free(d.yt);
    nr_graph_free(g);
    return s;
}

static int usage(void) {
    fprintf(stderr, "usage: finetune DIR [--base mobilenetv2|small] [--images N] [--epochs N] [--seed S]\n");
    return 2;
}

int main(int argc, char **argv) {
    config c = {.base = "mobilenetv2", .images = 120, .epochs = 10, .seed = 42};
    if (argc < 2 || argv[1][0] == '-') return usage();
    c.dir = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--base")) c.base = argv[i + 1];
        else if (!strcmp(argv[i], "--images")) c.images = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--epochs")) c.epochs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) c.seed = strtoull(argv[i + 1], NULL, 10);
        else return usage();
    }
    if ((argc % 2) || c.images < 4 || c.epochs < 1 || (strcmp(c.base, "mobilenetv2") && strcmp(c.base, "small")))
        return usage();
    char weights[1024];
    snprintf(weights, sizeof weights, "%s/phase1.nrm", c.dir);
    nr_status s = write_data(&c);
    if (s == NR_OK) s = pretrain(&c, weights);
    if (s == NR_OK) s = finetune(&c, weights);
    if (s != NR_OK) {
        fprintf(stderr, "finetune: %s\n", nr_last_error());
        return 1;
    }
    return 0;
}
