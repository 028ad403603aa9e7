/* Output shapes and parameter counts of ~30 architectures against Keras 3:
 * tests/fixtures/keras/table.txt (written by scripts/gen_keras_table.py,
 * which documents the format) holds each architecture's SPEC text and,
 * per layer, Keras's class name, parameter count and output shape, then
 * the model's total, trainable and non-trainable counts. Layers are
 * matched by name (both name them as Keras does in a fresh session), so
 * the order Keras lists a functional model's layers in does not matter. */
#include <string.h>
#include "testutil.h"

#define MAX_LAYERS 64

typedef struct keras_layer {
    char name[64], cls[64];
    int64_t params;
    int ndim;
    int64_t shape[NR_MAX_DIMS];
} keras_layer;

typedef struct keras_model {
    char name[64];
    char *spec;                       /* points into the table text */
    int n_layers;
    keras_layer layers[MAX_LAYERS];
    int64_t total, trainable, frozen;
} keras_model;

/* "layer <name> <class> <params> <d1> <d2> ..." */
static int parse_layer(const char *line, keras_layer *l) {
    int used = 0;
    long long params = 0;
    if (sscanf(line, "layer %63s %63s %lld%n", l->name, l->cls, &params, &used) != 3) return 0;
    l->params = params;
    l->ndim = 0;
    const char *s = line + used;
    for (;;) {
        char *end;
        long long d = strtoll(s, &end, 10);
        if (end == s) break;
        if (l->ndim == NR_MAX_DIMS - 1) return 0;
        l->shape[l->ndim++] = d;
        s = end;
    }
    return l->ndim > 0 && *s == 0;
}

/* The spec's n lines, joined back into one string in place: the line
 * terminators next_line cut out are put back. */
static int parse_spec(char **p, int n, char **spec) {
    *spec = *p;
    for (int i = 0; i < n; i++) {
        char *line = nr_test_next_line(p);
        if (!line) return 0;
        if (i + 1 < n) line[strlen(line)] = '\n';
    }
    return 1;
}

/* One record, from "model" to "end". Returns 0 on a format error. */
static int parse_model(char **p, const char *first, keras_model *m) {
    int n = 0;
    char *line;
    if (sscanf(first, "model %63s", m->name) != 1) return 0;
    if (!(line = nr_test_next_line(p)) || sscanf(line, "spec %d", &n) != 1 || n < 1) return 0;
    if (!parse_spec(p, n, &m->spec)) return 0;
    if (!(line = nr_test_next_line(p)) || sscanf(line, "layers %d", &m->n_layers) != 1) return 0;
    if (m->n_layers < 1 || m->n_layers > MAX_LAYERS) return 0;
    for (int i = 0; i < m->n_layers; i++)
        if (!(line = nr_test_next_line(p)) || !parse_layer(line, &m->layers[i])) return 0;
    long long t, tr, f;
    if (!(line = nr_test_next_line(p)) || sscanf(line, "totals %lld %lld %lld", &t, &tr, &f) != 3) return 0;
    m->total = t;
    m->trainable = tr;
    m->frozen = f;
    return (line = nr_test_next_line(p)) && strcmp(line, "end") == 0;
}

static int find_layer(const nr_model *m, const char *name) {
    for (int i = 0; i < nr_model_n_layers(m); i++)
        if (strcmp(nr_layer_name(nr_model_layer(m, i)), name) == 0) return i;
    return -1;
}

static void print_shape(const char *what, int ndim, const int64_t *shape) {
    fprintf(stderr, " %s (", what);
    for (int i = 0; i < ndim; i++) fprintf(stderr, "%s%lld", i ? ", " : "", (long long)shape[i]);
    fprintf(stderr, ")");
}

/* One Keras layer against the neurona layer of the same name. */
static void check_layer(const keras_model *k, const keras_layer *kl, const nr_model *m) {
    int i = find_layer(m, kl->name);
    if (!CHECK(i >= 0)) {
        fprintf(stderr, "  %s: no layer named %s\n", k->name, kl->name);
        return;
    }
    const nr_layer *l = nr_model_layer(m, i);
    int64_t params = nr_layer_count_params(l);
    if (!CHECK(strcmp(nr_layer_type(l), kl->cls) == 0))
        fprintf(stderr, "  %s/%s: class %s, Keras %s\n", k->name, kl->name, nr_layer_type(l), kl->cls);
    if (!CHECK(params == kl->params))
        fprintf(stderr, "  %s/%s: %lld params, Keras %lld\n", k->name, kl->name, (long long)params,
                (long long)kl->params);
    nr_sym out;
    int ndim = 0;
    int64_t shape[NR_MAX_DIMS];
    if (!CHECK_OK(nr_model_layer_output(m, i, &out)) || !CHECK_OK(nr_sym_shape(nr_model_graph(m), out, &ndim, shape)))
        return;
    /* shape[0] is the batch axis */
    if (!CHECK(ndim == kl->ndim + 1 && memcmp(shape + 1, kl->shape, (size_t)kl->ndim * sizeof *shape) == 0)) {
        fprintf(stderr, "  %s/%s: output", k->name, kl->name);
        print_shape("neurona", ndim - 1, shape + 1);
        print_shape("Keras", kl->ndim, kl->shape);
        fprintf(stderr, "\n");
    }
}

static void check_model(const keras_model *k) {
    nr_spec *s = NULL;
    if (!CHECK_OK(nr_spec_load_string(k->spec, k->name, 1, &s))) {
        fprintf(stderr, "  %s: %s\n", k->name, nr_last_error());
        nr_spec_free(s);
        return;
    }
    const nr_model *m = nr_spec_model(s);
    if (!CHECK(nr_model_n_layers(m) == k->n_layers))
        fprintf(stderr, "  %s: %d layers, Keras %d\n", k->name, nr_model_n_layers(m), k->n_layers);
    for (int i = 0; i < k->n_layers; i++) check_layer(k, &k->layers[i], m);
    int64_t t = 0, f = 0;
    nr_model_count_params(m, &t, &f);
    if (!CHECK(t + f == k->total && t == k->trainable && f == k->frozen))
        fprintf(stderr, "  %s: params (total, trainable, non-trainable) %lld %lld %lld, Keras %lld %lld %lld\n",
                k->name, (long long)(t + f), (long long)t, (long long)f, (long long)k->total,
                (long long)k->trainable, (long long)k->frozen);
    nr_spec_free(s);
}

/* nr_model_layer_output refuses a layer out of range and an unbuilt Sequential. */
static void check_layer_output_errors(void) {
    nr_spec *s = NULL;
    nr_sym out;
    if (!CHECK_OK(nr_spec_load_string("Input(shape=(3,))\nDense(2)\n", "errors", 1, &s))) return;
    const nr_model *m = nr_spec_model(s);
    CHECK_STATUS(nr_model_layer_output(m, 1, &out), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_model_layer_output(m, -1, &out), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "out of range") != NULL);
    nr_spec_free(s);
    if (!CHECK_OK(nr_spec_load_string("Dense(2)\n", "unbuilt", 1, &s))) return;
    CHECK_STATUS(nr_model_layer_output(nr_spec_model(s), 0, &out), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "no input shape") != NULL);
    nr_spec_free(s);
}

int main(void) {
    check_layer_output_errors();
    size_t len = 0;
    char *text = nr_test_read_file(nr_test_path("tests/fixtures/keras/table.txt"), &len);
    if (!CHECK(text != NULL)) return nr_test_finish();
    char *p = text, *line;
    int n_models = 0;
    static keras_model k;
    while ((line = nr_test_next_line(&p))) {
        if (line[0] == '#' || line[0] == 0) continue;
        memset(&k, 0, sizeof k);
        if (!CHECK(parse_model(&p, line, &k))) {
            fprintf(stderr, "  table.txt: bad record after model %d, at: %s\n", n_models, line);
            break;
        }
        check_model(&k);
        n_models++;
    }
    CHECK(n_models >= 40);
    free(text);
    return nr_test_finish();
}
