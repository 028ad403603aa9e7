/* Keras applications against Keras 3:
 *   - parameter counts (total, trainable, non-trainable), model names and
 *     output shapes for many argument choices (tests/fixtures/apps/counts.txt,
 *     scripts/gen_app_counts.py); models over 40M parameters (VGG with its
 *     top) only with --full, the slow ctest entry test_applications_full;
 *   - every layer's name, class, parameter count and output shape without
 *     the top on a small input (the same file);
 *   - the output with fixed pseudo-random weights set by layer name
 *     (tests/fixtures/apps/forward_*.txt, scripts/gen_app_forward.py,
 *     which documents the hash both sides make the weights with);
 * and preprocess_input, weights loaded by layer name, SPEC constructors
 * and their round trip, the fine-tuning helpers, and bad arguments. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

#define DEFAULT_MAX_PARAMS 40000000LL

static int full;
static char tmpdir[] = "/tmp/nr_test_apps.XXXXXX";

static const char *tmp_path(const char *name) {
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

/* Up to max integers from s into d; the count, or -1 on stray text. */
static int read_dims(const char *s, int64_t *d, int max) {
    int n = 0;
    for (;;) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s) break;
        if (n == max) return -1;
        d[n++] = v;
        s = end;
    }
    return *s == 0 ? n : -1;
}

static nr_app_pooling pooling_of(const char *s) {
    return !strcmp(s, "avg") ? NR_APP_POOLING_AVG : !strcmp(s, "max") ? NR_APP_POOLING_MAX : NR_APP_POOLING_NONE;
}

/* Builds app in a new graph (*g, caller frees). */
static int build(const char *app, const nr_app_opts *o, nr_graph **g, nr_model **m) {
    *m = NULL;
    if (!CHECK_OK(nr_graph_new(g, 1))) return 0;
    if (CHECK_OK(nr_app_new(*g, app, o, m))) return 1;
    fprintf(stderr, "  building %s\n", app);
    return 0;
}

static int output_is(const nr_model *m, nr_sym s, int ndim, const int64_t *want, const char *what) {
    int n = 0;
    int64_t shape[NR_MAX_DIMS];
    if (!CHECK_OK(nr_sym_shape(nr_model_graph(m), s, &n, shape))) return 0;
    if (CHECK(n == ndim + 1 && memcmp(shape + 1, want, (size_t)ndim * sizeof *want) == 0)) return 1;
    char a[96], b[96];
    fprintf(stderr, "  %s: output %s, Keras %s\n", what, nr_shape_str(a, sizeof a, n - 1, shape + 1),
            nr_shape_str(b, sizeof b, ndim, want));
    return 0;
}

/* "count APP TOP H W C POOLING CLASSES ALPHA ACTIVATION NAME TOTAL TRAINABLE NON_TRAINABLE NDIM D.." */
static void check_count(const char *line) {
    char app[32], pool[8], act[32], name[64];
    int top, classes, used = 0;
    long long h, w, c, total, trainable, frozen;
    double alpha;
    if (!CHECK(sscanf(line, "count %31s %d %lld %lld %lld %7s %d %lf %31s %63s %lld %lld %lld %n", app, &top, &h, &w,
                      &c, pool, &classes, &alpha, act, name, &total, &trainable, &frozen, &used) == 13))
        return;
    int64_t out[NR_MAX_DIMS];
    int ndim = read_dims(line + used, out, NR_MAX_DIMS);
    if (!CHECK(ndim > 0 && out[0] == ndim - 1)) return;
    if (total > DEFAULT_MAX_PARAMS && !full) return;
    nr_app_opts o = {.no_top = !top, .input_shape = {h, w, c}, .pooling = pooling_of(pool), .classes = classes,
                     .alpha = alpha, .has_classifier_activation = 1};
    CHECK_OK(nr_activation_parse(act, &o.classifier_activation));
    nr_graph *g;
    nr_model *m;
    if (build(app, &o, &g, &m)) {
        int64_t t = 0, f = 0;
        nr_model_count_params(m, &t, &f);
        if (!CHECK(t + f == total && t == trainable && f == frozen))
            fprintf(stderr, "  %s: params %lld %lld %lld, Keras %lld %lld %lld\n", line, (long long)(t + f),
                    (long long)t, (long long)f, total, trainable, frozen);
        if (!CHECK(!strcmp(nr_model_name(m), name))) fprintf(stderr, "  name %s, Keras %s\n", nr_model_name(m), name);
        output_is(m, nr_model_output(m, 0), ndim - 1, out + 1, line);
    }
    nr_graph_free(g);
}

/* "layers APP H W C ALPHA N" then N lines "layer NAME CLASS PARAMS D..". */
static void check_layers(const char *head, char **p) {
    char app[32];
    long long h, w, c;
    double alpha;
    int n = 0;
    if (!CHECK(sscanf(head, "layers %31s %lld %lld %lld %lf %d", app, &h, &w, &c, &alpha, &n) == 6)) return;
    nr_graph *g;
    nr_model *m;
    int ok = build(app, &(nr_app_opts){.no_top = 1, .input_shape = {h, w, c}, .alpha = alpha}, &g, &m);
    if (ok && !CHECK(nr_model_n_layers(m) == n))
        fprintf(stderr, "  %s: %d layers, Keras %d\n", app, nr_model_n_layers(m), n);
    for (int i = 0; i < n; i++) {
        char *line = nr_test_next_line(p), name[64], cls[64];
        long long params;
        int used = 0;
        int64_t shape[NR_MAX_DIMS];
        if (!CHECK(line && sscanf(line, "layer %63s %63s %lld %n", name, cls, &params, &used) == 3)) break;
        int ndim = read_dims(line + used, shape, NR_MAX_DIMS);
        const nr_layer *l = ok ? nr_model_layer(m, i) : NULL;
        if (!l) continue;
        nr_sym out;
        if (!CHECK(!strcmp(nr_layer_name(l), name) && !strcmp(nr_layer_type(l), cls) &&
                   nr_layer_count_params(l) == params))
            fprintf(stderr, "  %s layer %d: %s %s %lld, Keras %s %s %lld\n", app, i, nr_layer_name(l), nr_layer_type(l),
                    (long long)nr_layer_count_params(l), name, cls, params);
        if (CHECK_OK(nr_model_layer_output(m, i, &out))) output_is(m, out, ndim, shape, name);
    }
    nr_graph_free(g);
}

static void check_counts_file(void) {
    char *text = nr_test_read_file(nr_test_path("tests/fixtures/apps/counts.txt"), NULL), *p = text, *line;
    int counts = 0, tables = 0;
    if (!CHECK(text != NULL)) return;
    while ((line = nr_test_next_line(&p))) {
        if (!strncmp(line, "count ", 6)) {
            check_count(line);
            counts++;
        } else if (!strncmp(line, "layers ", 7)) {
            check_layers(line, &p);
            tables++;
        }
    }
    CHECK(counts >= 20 && tables == 4);
    free(text);
}

/* --- forward against Keras --------------------------------------------- */

/* The hash of scripts/gen_app_forward.py: element i of tensor t in [0, 1). */
static float hash_u(uint64_t t, uint64_t i) {
    uint64_t x = (t + 1) * 0x9E3779B97F4A7C15ull + (i + 1) * 0xBF58476D1CE4E5B9ull;
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return (float)(x >> 40) * 0x1p-24f;
}

static void fill(float *v, int64_t n, uint64_t t, float lo, float span) {
    for (int64_t i = 0; i < n; i++) v[i] = lo + span * hash_u(t, (uint64_t)i);
}

/* "w LAYER INDEX LO SPAN NDIM D.." */
static int set_weight(const nr_model *m, const char *line, uint64_t t) {
    char name[64];
    int k, used = 0;
    float lo, span;
    int64_t shape[NR_MAX_DIMS];
    if (!CHECK(sscanf(line, "w %63s %d %f %f %n", name, &k, &lo, &span, &used) == 4)) return 0;
    int ndim = read_dims(line + used, shape, NR_MAX_DIMS);
    const nr_layer *l = nr_model_get_layer(m, name);
    nr_tensor v;
    if (!CHECK(l != NULL) || !CHECK_OK(nr_layer_weight(l, k, &v))) {
        fprintf(stderr, "  no weight %d of layer %s\n", k, name);
        return 0;
    }
    if (!CHECK(ndim == shape[0] + 1 && v.ndim == ndim - 1 &&
               memcmp(v.shape, shape + 1, (size_t)v.ndim * sizeof *shape) == 0)) {
        fprintf(stderr, "  weight %d of %s: shape differs from Keras's\n", k, name);
        return 0;
    }
    fill(v.data, nr_tensor_numel(&v), t, lo, span);
    return 1;
}

static void check_forward(const char *file) {
    char *text = nr_test_read_file(nr_test_path(file), NULL), *p = text, *line;
    char app[32], pool[8];
    int top, classes, batch, n = 0;
    long long h, w, c;
    double alpha;
    nr_graph *g = NULL;
    nr_model *m = NULL;
    nr_tensor *x = NULL, *y = NULL;
    if (!CHECK(text != NULL) || !CHECK((line = nr_test_next_line(&p)) != NULL) ||
        !CHECK(sscanf(line, "app %31s %d %lld %lld %lld %7s %d %lf %d", app, &top, &h, &w, &c, pool, &classes, &alpha,
                      &batch) == 9) ||
        !CHECK((line = nr_test_next_line(&p)) && sscanf(line, "tensors %d", &n) == 1))
        goto done;
    nr_app_opts o = {.no_top = !top, .input_shape = {h, w, c}, .pooling = pooling_of(pool), .classes = classes,
                     .alpha = alpha};
    if (!build(app, &o, &g, &m)) goto done;
    for (int t = 0; t < n; t++)
        if (!(line = nr_test_next_line(&p)) || !set_weight(m, line, (uint64_t)t)) goto done;
    int64_t xs[4] = {batch, h, w, c}, ys[NR_MAX_DIMS];
    if (!CHECK_OK(nr_tensor_new(&x, 4, xs))) goto done;
    fill(x->data, nr_tensor_numel(x), 1000000, 0, 255);
    if (!CHECK_OK(nr_app_preprocess(app, x)) ||
        !CHECK_OK(nr_model_predict(m, (const nr_tensor *[]){x}, 32, &y)))
        goto done;
    int ndim = (line = nr_test_next_line(&p)) ? read_dims(line + strlen("output "), ys, NR_MAX_DIMS) : -1;
    if (!CHECK(ndim == ys[0] + 1 && y->ndim == ndim - 1 && memcmp(y->shape, ys + 1, (size_t)y->ndim * 8) == 0))
        goto done;
    int64_t count = nr_tensor_numel(y), got = 0;
    float *want = malloc((size_t)count * sizeof *want), peak = 0;
    while (want && got < count && (line = nr_test_next_line(&p)))
        for (char *s = line, *end; got < count; s = end) {
            want[got] = strtof(s, &end);
            if (end == s) break;
            if (fabsf(want[got]) > peak) peak = fabsf(want[got]);
            got++;
        }
    if (CHECK(want && got == count && peak > 0))
        nr_test_close_arrays(y->data, want, (size_t)count, 1e-4 * peak, 1e-4, file);
    free(want);
done:
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_graph_free(g);
    free(text);
}

/* --- preprocessing ------------------------------------------------------- */

static void check_preprocess(void) {
    nr_tensor *x;
    if (!CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){2, 3}))) return;
    const float rgb[6] = {0, 127.5f, 255, 10, 20, 30};
    memcpy(x->data, rgb, sizeof rgb);
    CHECK_OK(nr_app_preprocess("VGG16", x));
    const float caffe[6] = {255 - 103.939f, 127.5f - 116.779f, 0 - 123.68f, 30 - 103.939f, 20 - 116.779f,
                            10 - 123.68f};
    nr_test_close_arrays(x->data, caffe, 6, 1e-5, 0, "caffe");
    memcpy(x->data, rgb, sizeof rgb);
    CHECK_OK(nr_app_preprocess("MobileNetV2", x));
    CHECK_CLOSE(x->data[0], -1, 0, 0);
    CHECK_CLOSE(x->data[1], 0, 0, 0);
    CHECK_CLOSE(x->data[2], 1, 0, 0);
    memcpy(x->data, rgb, sizeof rgb);
    CHECK_OK(nr_app_preprocess("torch", x));
    CHECK_CLOSE(x->data[0], -0.485 / 0.229, 1e-5, 0);
    CHECK_CLOSE(x->data[2], (1 - 0.406) / 0.225, 1e-5, 0);
    CHECK_STATUS(nr_app_preprocess("Caffe", x), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "caffe") != NULL);
    nr_tensor_free(x);
    if (!CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){3, 2}))) return;
    CHECK_STATUS(nr_app_preprocess("ResNet50", x), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "3 channels") != NULL);
    CHECK_OK(nr_app_preprocess("tf", x)); /* any channel count */
    nr_tensor_free(x);
}

/* --- bad arguments --------------------------------------------------------- */

static void fails(const char *app, const nr_app_opts *o, nr_status want, const char *needle) {
    nr_graph *g;
    nr_model *m = NULL;
    if (!CHECK_OK(nr_graph_new(&g, 1))) return;
    CHECK_STATUS(nr_app_new(g, app, o, &m), want);
    if (!CHECK(strstr(nr_last_error(), needle) != NULL)) fprintf(stderr, "  error was: %s\n", nr_last_error());
    CHECK(m == NULL);
    nr_graph_free(g);
}

static void check_errors(void) {
    fails("VGG16", &(nr_app_opts){.input_shape = {31, 64, 3}}, NR_STATUS_BAD_ARGUMENT, "at least 32x32");
    fails("ResNet50", &(nr_app_opts){.input_shape = {64, 64, 0}}, NR_STATUS_BAD_ARGUMENT, "three positive");
    fails("VGG19", &(nr_app_opts){.alpha = 0.5}, NR_STATUS_BAD_ARGUMENT, "MobileNetV2 only");
    fails("MobileNetV2", &(nr_app_opts){.alpha = -1}, NR_STATUS_BAD_ARGUMENT, "alpha must be");
    fails("MobileNetV2", &(nr_app_opts){.classes = -2}, NR_STATUS_BAD_ARGUMENT, "classes=-2");
    fails("MobileNetV2", &(nr_app_opts){.pooling = 7}, NR_STATUS_BAD_ARGUMENT, "none, avg, max");
    fails("MobileNetV2",
          &(nr_app_opts){.weights = "w.nrm", .classifier_activation = NR_ACT_SIGMOID, .has_classifier_activation = 1},
          NR_STATUS_BAD_ARGUMENT, "only None and \"softmax\"");
    fails("MobileNetV2", &(nr_app_opts){.input_shape = {32, 32, 3}, .weights = tmp_path("missing.h5")}, NR_STATUS_IO,
          "missing.h5");
    fails("MobileNetV2", &(nr_app_opts){.input_shape = {32, 32, 3}, .weights = tmp_path("missing.nrm")}, NR_STATUS_IO,
          "missing.nrm");
    fails("MobileNet", NULL, NR_STATUS_BAD_ARGUMENT, "MobileNetV2");
}

/* --- weights by layer name -------------------------------------------------- */

static int same_weights(const nr_model *a, const nr_model *b, const char *layer) {
    nr_tensor va, vb;
    const nr_layer *la = nr_model_get_layer(a, layer), *lb = nr_model_get_layer(b, layer);
    if (!CHECK(la && lb) || !CHECK_OK(nr_layer_weight(la, 0, &va)) || !CHECK_OK(nr_layer_weight(lb, 0, &vb))) return 0;
    return va.ndim == vb.ndim && nr_tensor_numel(&va) == nr_tensor_numel(&vb) &&
           !memcmp(va.data, vb.data, (size_t)nr_tensor_numel(&va) * sizeof(float));
}

/* A model with the top saved by neurona gives its base's weights to a
 * model without it; another alpha is refused naming the layer. */
static void check_weights(void) {
    nr_graph *g1, *g2, *g3;
    nr_model *full_m, *base, *other = NULL;
    const char *path = tmp_path("mbv2.nrm");
    if (!build("MobileNetV2", &(nr_app_opts){.input_shape = {32, 32, 3}, .alpha = 0.35, .classes = 4}, &g1, &full_m))
        return;
    CHECK_OK(nr_model_save(full_m, path));
    nr_app_opts o = {.no_top = 1, .input_shape = {32, 32, 3}, .alpha = 0.35, .weights = path};
    if (CHECK_OK(nr_graph_new(&g2, 99)) && CHECK_OK(nr_app_mobilenet_v2(g2, &o, &base))) {
        CHECK(same_weights(full_m, base, "Conv1"));
        CHECK(same_weights(full_m, base, "block_16_project_BN"));
        CHECK(same_weights(full_m, base, "Conv_1"));
    }
    /* The same through a Keras weights file (legacy .h5, by layer name),
     * as Keras's published application weights come. */
    nr_graph *g4;
    nr_model *from_keras;
    const char *h5 = tmp_path("mbv2_weights.h5");
    CHECK_OK(nr_model_save_weights(full_m, h5));
    o.weights = h5;
    if (CHECK_OK(nr_graph_new(&g4, 98)) && CHECK_OK(nr_app_mobilenet_v2(g4, &o, &from_keras))) {
        CHECK(same_weights(full_m, from_keras, "Conv1"));
        CHECK(same_weights(full_m, from_keras, "block_16_project_BN"));
        CHECK(same_weights(full_m, from_keras, "Conv_1"));
        nr_graph_free(g4);
    }
    o.weights = path;
    o.alpha = 1.0;
    if (CHECK_OK(nr_graph_new(&g3, 1))) {
        CHECK_STATUS(nr_app_mobilenet_v2(g3, &o, &other), NR_STATUS_BAD_SHAPE);
        CHECK(strstr(nr_last_error(), "layer \"Conv1\"") != NULL);
        nr_graph_free(g3);
    }
    nr_graph_free(g1);
    nr_graph_free(g2);
}

/* --- SPEC ----------------------------------------------------------------------- */

/* The fine-tuning model of the brief, as a SPEC file, and its round trip. */
static void check_spec(void) {
    static const char spec[] =
        "base = MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, include_top=False, weights=None)\n"
        "base.trainable = False\n"
        "inp = Input(shape=(32, 32, 3))\n"
        "x = base(inp, training=False)\n"
        "x = GlobalAveragePooling2D()(x)\n"
        "out = Dense(3, activation=\"softmax\")(x)\n"
        "model = Model(inp, out)\n";
    nr_spec *s = NULL, *s2 = NULL;
    char *text = NULL;
    if (!CHECK_OK(nr_spec_load_string(spec, "ft.nr", 1, &s))) return;
    int64_t t, f, t2, f2;
    nr_model_count_params(nr_spec_model(s), &t, &f);
    CHECK(t == 3843 && f == 410208); /* Keras: the frozen base's 410,208, Dense(3) on 1280 channels */
    if (CHECK_OK(nr_model_to_spec(nr_spec_model(s), &text)) && CHECK_OK(nr_spec_load_string(text, "rt.nr", 1, &s2))) {
        nr_model_count_params(nr_spec_model(s2), &t2, &f2);
        CHECK(t2 == t && f2 == f);
    }
    nr_free_string(text);
    nr_spec_free(s2);
    nr_spec_free(s);
    CHECK_OK(nr_spec_load_string("m = VGG16(False, None, None, (32, 32, 3), \"avg\")\n", "v.nr", 1, &s));
    if (s) {
        nr_model_count_params(nr_spec_model(s), &t, &f);
        CHECK(t == 14714688 && f == 0 && !strcmp(nr_model_name(nr_spec_model(s)), "vgg16"));
    }
    nr_spec_free(s);
    nr_test_spec_fails("m = ResNet50(weights=\"imagenet\")\n", NR_STATUS_UNSUPPORTED, "never does");
    nr_test_spec_fails("m = MobileNetV2(input_shape=(32, 32))\n", NR_STATUS_BAD_ARGUMENT, "three integers");
    nr_test_spec_fails("m = MobileNetV2(pooling=\"mean\")\n", NR_OK, "unknown pooling 'mean'");
    nr_test_spec_fails("m = MobileNetV2(alpha=0)\n", NR_STATUS_BAD_ARGUMENT, "alpha must be positive");
    nr_test_spec_fails("m = VGG16(input_shape=(16, 16, 3), include_top=False)\n", NR_STATUS_BAD_ARGUMENT, "32x32");
    nr_test_spec_fails("m = VGG16(alpha=1.0)\n", NR_OK, "alpha");
    nr_test_spec_fails("m = VGG16(input_tensor=Input(shape=(32, 32, 3)))\n", NR_STATUS_UNSUPPORTED, "input_tensor");
}

/* --- fine-tuning helpers ---------------------------------------------------------- */

static void check_trainable(void) {
    nr_graph *g;
    nr_model *m;
    int n = 0;
    if (!build("MobileNetV2", &(nr_app_opts){.no_top = 1, .input_shape = {32, 32, 3}, .alpha = 0.35}, &g, &m)) return;
    int64_t t0, f0, t, f;
    nr_model_count_params(m, &t0, &f0);
    nr_model_set_trainable(m, 0);
    nr_model_count_params(m, &t, &f);
    CHECK(t == 0 && f == t0 + f0);
    CHECK_OK(nr_model_set_trainable_from(m, "block_16_expand", &n));
    nr_model_count_params(m, &t, &f);
    CHECK(n == 11); /* block_16's expand, BN, ReLU, depthwise, BN, ReLU, project, BN; Conv_1, its BN, out_relu */
    CHECK(nr_layer_trainable(nr_model_get_layer(m, "Conv_1")) && !nr_layer_trainable(nr_model_get_layer(m, "Conv1")));
    CHECK(t > 0 && t < t0);
    CHECK_STATUS(nr_model_set_trainable_from(m, "block_16_expnd", NULL), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "block_16_expand") != NULL);
    nr_graph_free(g);
}

int main(int argc, char **argv) {
    full = argc > 1 && !strcmp(argv[1], "--full");
    if (!mkdtemp(tmpdir)) nr_test_skip("cannot make a temporary directory");
    check_preprocess();
    check_errors();
    check_trainable();
    check_weights();
    check_spec();
    check_forward("tests/fixtures/apps/forward_mobilenetv2.txt");
    check_forward("tests/fixtures/apps/forward_mobilenetv2_top.txt");
    check_forward("tests/fixtures/apps/forward_vgg16.txt");
    check_forward("tests/fixtures/apps/forward_resnet50.txt");
    check_counts_file();
    unlink(tmp_path("mbv2.nrm"));
    rmdir(tmpdir);
    return nr_test_finish();
}
