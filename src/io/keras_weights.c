/* Weights in Keras's two HDF5 layouts (see neurona/keras.h), read into and
 * written from a model's layers in Keras's model.layers order
 * (keras_order.c). Keras 3's layout places a layer's weights by its class
 * and position, with its own weights under vars/ and a recurrent cell's
 * under cell/vars/; the legacy one lists per layer the datasets in
 * weight_names, trainable weights first. Reading checks every shape of a
 * layer before it loads any, so a skipped layer is left untouched. */
#include <stdarg.h>
#include <string.h>
#include "io/keras_internal.h"

#define MAX_PATH 1024

/* Paths nest a group per model level; a deeper one is cut short, which
 * then fails as a missing weight. */
static void path_fmt(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void path_fmt(char *buf, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, MAX_PATH, fmt, ap);
    va_end(ap);
}

/* One place a layer keeps weights in Keras 3's layout: weights
 * [first, first + count) of the layer under SUB/vars. */
typedef struct var_group {
    char sub[64];
    int first, count;
} var_group;

static int is_rnn_class(const char *cls) {
    return !strcmp(cls, "SimpleRNN") || !strcmp(cls, "LSTM") || !strcmp(cls, "GRU");
}

/* Where Keras 3 keeps the weights of l (not a model): up to 2 groups. */
static int var_groups(const nr_layer *l, var_group *out) {
    const char *cls = nr_keras_class(l);
    int n = nr_layer_n_weights(l);
    if (l->inner) {
        int k = var_groups(l->inner, out);
        for (int i = 0; i < k; i++) {
            char sub[MAX_PATH];
            path_fmt(sub, "layer%s%s", out[i].sub[0] ? "/" : "", out[i].sub);
            memcpy(out[i].sub, sub, sizeof out[i].sub - 1);
            out[i].sub[sizeof out[i].sub - 1] = 0;
        }
        return k;
    }
    if (!strcmp(cls, "Bidirectional")) {
        out[0] = (var_group){"forward_layer/cell", 0, n / 2};
        out[1] = (var_group){"backward_layer/cell", n / 2, n - n / 2};
        return 2;
    }
    out[0] = (var_group){"", 0, n};
    if (is_rnn_class(cls)) snprintf(out[0].sub, sizeof out[0].sub, "cell");
    return 1;
}

static void var_path(char *buf, const char *base, const var_group *v, int i) {
    path_fmt(buf, "%s%s%s/vars/%d", base, v->sub[0] ? "/" : "", v->sub, i);
}

/* The names Keras 3 gives model.layers: snake-cased class, numbered. */
typedef struct namer {
    char (*names)[64];
    int *counts, n;
} namer;

static void next_name(namer *nm, const nr_layer *l, char *out, size_t size) {
    char snake[64];
    nr_keras_snake(nr_keras_class(l), snake, sizeof snake);
    for (int i = 0; i < nm->n; i++)
        if (!strcmp(nm->names[i], snake)) {
            snprintf(out, size, "%s_%d", snake, ++nm->counts[i]);
            return;
        }
    snprintf(nm->names[nm->n], sizeof nm->names[0], "%s", snake);
    nm->counts[nm->n++] = 0;
    snprintf(out, size, "%s", snake);
}

static nr_status namer_new(namer *nm, int n) {
    nm->n = 0;
    nm->names = nr_malloc(((size_t)n + 1) * sizeof *nm->names);
    nm->counts = nr_malloc(((size_t)n + 1) * sizeof *nm->counts);
    if (!nm->names || !nm->counts) {
        nr_free(nm->names);
        nr_free(nm->counts);
        return NR_NOMEM();
    }
    return NR_OK;
}

static void namer_free(namer *nm) {
    nr_free(nm->names);
    nr_free(nm->counts);
}

/* --- reading, Keras 3 layout ----------------------------------------------- */

/* A layer whose weights do not fit (the last error says how): an error
 * naming the layer, or with skip_mismatch a warning and *skipped set. */
static nr_status mismatch(nr_status s, const nr_load_weights_opts *o, const nr_layer *l, int *skipped) {
    if (s == NR_STATUS_NO_MEMORY) return s;
    char quoted[80];
    snprintf(quoted, sizeof quoted, "\"%s\"", l->name);
    if (!strstr(nr_last_error(), quoted)) nr_error_prefix(s, "layer \"%s\" (%s)", l->name, nr_keras_class(l));
    if (!o->skip_mismatch) return s;
    fprintf(stderr, "neurona: warning: skipped the weights of %s\n", nr_last_error());
    *skipped = 1;
    return NR_OK;
}

/* Checks that base holds exactly l's weights, in shape. */
static nr_status check_v3_layer(hid_t f, const nr_layer *l, const char *base, const var_group *v, int nv) {
    char path[MAX_PATH];
    for (int g = 0; g < nv; g++) {
        for (int i = 0; i < v[g].count; i++) {
            nr_tensor w;
            NR_TRY(nr_layer_weight(l, v[g].first + i, &w));
            var_path(path, base, &v[g], i);
            if (!nr_h5_exists(f, path))
                return nr_error(NR_STATUS_BAD_FORMAT, "the file has no weight %s (%d weights expected)", path,
                                v[g].count);
            int nd;
            int64_t shape[NR_MAX_DIMS];
            NR_TRY(nr_h5_shape(f, path, &nd, shape));
            int same = nd == w.ndim;
            for (int d = 0; same && d < nd; d++) same = shape[d] == w.shape[d];
            if (!same) {
                char a[96], b[96];
                return nr_error(NR_STATUS_BAD_SHAPE, "weight %s has shape %s in the file, %s in the model", path,
                                nr_shape_str(a, sizeof a, nd, shape), nr_shape_str(b, sizeof b, w.ndim, w.shape));
            }
        }
        var_path(path, base, &v[g], v[g].count);
        if (nr_h5_exists(f, path))
            return nr_error(NR_STATUS_BAD_SHAPE, "the file has more than the %d weights the layer has under %s%s%s/vars",
                            v[g].count, base, v[g].sub[0] ? "/" : "", v[g].sub);
    }
    return NR_OK;
}

/* Calls visit(layer, base) for each layer of m in Keras's order, base
 * being PREFIXlayers/NAME with the names Keras 3's .weights.h5 gives. */
typedef nr_status (*v3_visit)(nr_layer *l, hid_t f, const char *base, const void *ctx);

static nr_status each_v3_layer(const nr_model *m, hid_t f, const char *prefix, v3_visit visit, const void *ctx) {
    nr_layer **v;
    int n;
    NR_TRY(nr_keras_layers(m, &v, &n));
    namer nm;
    nr_status s = namer_new(&nm, n);
    char name[96], base[MAX_PATH];
    for (int i = 0; s == NR_OK && i < n; i++) {
        next_name(&nm, v[i], name, sizeof name);
        path_fmt(base, "%slayers/%s", prefix, name);
        s = visit(v[i], f, base, ctx);
    }
    if (nm.names) namer_free(&nm);
    nr_free(v);
    return s;
}

static nr_status read_v3_layer(nr_layer *l, hid_t f, const char *base, const void *ctx) {
    const nr_load_weights_opts *o = ctx;
    if (nr_layer_n_weights(l) == 0 && !l->model) return NR_OK;
    if (l->model) {
        char sub[MAX_PATH];
        path_fmt(sub, "%s/", base);
        return each_v3_layer(l->model, f, sub, read_v3_layer, o);
    }
    var_group v[2];
    int nv = var_groups(l, v), skipped = 0;
    nr_status s = check_v3_layer(f, l, base, v, nv);
    if (s != NR_OK) return mismatch(s, o, l, &skipped);
    char path[MAX_PATH];
    for (int g = 0; g < nv; g++)
        for (int i = 0; i < v[g].count; i++) {
            nr_tensor w;
            NR_TRY(nr_layer_weight(l, v[g].first + i, &w));
            var_path(path, base, &v[g], i);
            s = nr_h5_read(f, path, &w);
            if (s != NR_OK) return nr_error_prefix(s, "layer \"%s\" (%s)", l->name, nr_keras_class(l));
        }
    return NR_OK;
}

/* --- reading, legacy layout ------------------------------------------------ */

typedef struct legacy_file {
    char **names;                   /* layers with weights, in the file's order */
    int n;
} legacy_file;

static nr_status legacy_layers(hid_t g, legacy_file *lf) {
    char **all;
    int n;
    NR_TRY(nr_h5_get_strs(g, "layer_names", &all, &n));
    lf->names = nr_calloc((size_t)n + 1, sizeof *lf->names);
    lf->n = 0;
    nr_status s = lf->names ? NR_OK : NR_NOMEM();
    for (int i = 0; s == NR_OK && i < n; i++) {
        if (!nr_h5_exists(g, all[i])) {
            s = nr_error(NR_STATUS_BAD_FORMAT, "layer_names lists \"%s\", which the file does not hold", all[i]);
            break;
        }
        hid_t lg = H5Gopen2(g, all[i], H5P_DEFAULT);
        if (lg < 0) {
            s = nr_error(NR_STATUS_BAD_FORMAT, "\"%s\" is not a group", all[i]);
            break;
        }
        char **w;
        int nw;
        s = nr_h5_get_strs(lg, "weight_names", &w, &nw);
        H5Gclose(lg);
        if (s == NR_OK && nw > 0) {
            lf->names[lf->n++] = all[i];
            all[i] = NULL;
        }
        nr_h5_free_strs(w, s == NR_OK ? nw : 0);
    }
    nr_h5_free_strs(all, n);
    return s;
}

/* Loads file layer `name` (group of g) into l. */
static nr_status read_legacy_layer(nr_layer *l, hid_t g, const char *name, const nr_load_weights_opts *o) {
    nr_sym ws[64];
    int nw = nr_keras_legacy_weights(l, ws, 64), nf = 0, skipped = 0;
    hid_t lg = H5Gopen2(g, name, H5P_DEFAULT);
    if (lg < 0) return nr_error(NR_STATUS_BAD_FORMAT, "\"%s\" is not a group", name);
    char **wn = NULL;
    nr_status s = nr_h5_get_strs(lg, "weight_names", &wn, &nf);
    if (s == NR_OK && nf != nw)
        s = mismatch(nr_error(NR_STATUS_BAD_SHAPE, "layer \"%s\" (%s) has %d weights, the file's layer \"%s\" has %d",
                              l->name, nr_keras_class(l), nw, name, nf),
                     o, l, &skipped);
    for (int i = 0; s == NR_OK && !skipped && i < nw; i++) {
        int nd;
        int64_t shape[NR_MAX_DIMS];
        const nr_node *node = &l->g->nodes[ws[i]];
        s = nr_h5_shape(lg, wn[i], &nd, shape);
        int same = s == NR_OK && nd == node->ndim;
        for (int d = 0; same && d < nd; d++) same = shape[d] == node->shape[d];
        if (s == NR_OK && !same) {
            char a[96], b[96];
            s = nr_error(NR_STATUS_BAD_SHAPE, "weight %s has shape %s in the file, %s in the model", wn[i],
                         nr_shape_str(a, sizeof a, nd, shape), nr_shape_str(b, sizeof b, node->ndim, node->shape));
        }
        if (s != NR_OK) s = mismatch(s, o, l, &skipped);
    }
    for (int i = 0; s == NR_OK && !skipped && i < nw; i++) {
        const nr_node *node = &l->g->nodes[ws[i]];
        nr_tensor w = {.ndim = node->ndim, .data = l->g->params + node->param_off};
        for (int d = 0; d < node->ndim; d++) w.shape[d] = node->shape[d];
        s = nr_h5_read(lg, wn[i], &w);
        if (s != NR_OK) s = nr_error_prefix(s, "layer \"%s\" (%s)", l->name, nr_keras_class(l));
    }
    nr_h5_free_strs(wn, nf);
    H5Gclose(lg);
    return s;
}

static nr_status read_legacy(nr_model *m, hid_t g, const nr_load_weights_opts *o) {
    legacy_file lf = {0};
    nr_layer **v = NULL;
    int n = 0;
    nr_status s = legacy_layers(g, &lf);
    if (s == NR_OK) s = nr_keras_layers(m, &v, &n);
    int k = 0;
    nr_sym tmp[64];
    for (int i = 0; s == NR_OK && i < n; i++) k += nr_keras_legacy_weights(v[i], tmp, 64) > 0;
    if (s == NR_OK && !o->by_name && k != lf.n)
        s = nr_error(NR_STATUS_BAD_SHAPE,
                     "the file has weights for %d layers, the model has %d layers with weights (by_name matches "
                     "layers by name instead)", lf.n, k);
    k = 0;
    for (int i = 0; s == NR_OK && i < n; i++) {
        if (nr_keras_legacy_weights(v[i], tmp, 64) == 0) continue;
        if (o->by_name) {
            int j = 0;
            while (j < lf.n && strcmp(lf.names[j], v[i]->name)) j++;
            if (j < lf.n) s = read_legacy_layer(v[i], g, lf.names[j], o);
        } else if (k < lf.n) {
            s = read_legacy_layer(v[i], g, lf.names[k], o);
        }
        k++;
    }
    nr_h5_free_strs(lf.names, lf.n);
    nr_free(v);
    return s;
}

nr_status nr_keras_weights_read(nr_model *m, hid_t f, const nr_load_weights_opts *o, const char *what) {
    static const nr_load_weights_opts defaults = {0};
    if (!o) o = &defaults;
    nr_status s;
    if (nr_h5_exists(f, "model_weights")) {
        hid_t g = H5Gopen2(f, "model_weights", H5P_DEFAULT);
        if (g < 0) return nr_error(NR_STATUS_BAD_FORMAT, "%s: model_weights is not a group", what);
        s = read_legacy(m, g, o);
        H5Gclose(g);
    } else if (H5Aexists(f, "layer_names") > 0) {
        s = read_legacy(m, f, o);
    } else if (nr_h5_exists(f, "layers") || nr_h5_exists(f, "vars")) {
        s = each_v3_layer(m, f, "", read_v3_layer, o);
    } else {
        return nr_error(NR_STATUS_BAD_FORMAT,
                        "%s: holds no Keras weights (neither layers/... of Keras 3 nor layer_names of the legacy "
                        "format)", what);
    }
    return s == NR_OK ? NR_OK : nr_error_prefix(s, "%s", what);
}

/* --- writing ----------------------------------------------------------------- */

static nr_status named_group(hid_t f, const char *path, const char *name) {
    hid_t g;
    NR_TRY(nr_h5_group(f, path, &g));
    nr_status s = nr_h5_put_str(g, "name", name);
    H5Gclose(g);
    return s;
}

static nr_status write_v3_layer(nr_layer *l, hid_t f, const char *base, const void *ctx) {
    char path[MAX_PATH];
    path_fmt(path, "%s/vars", base);
    NR_TRY(named_group(f, path, l->model ? l->model->name : l->name));
    if (l->model) {
        path_fmt(path, "%s/", base);
        return each_v3_layer(l->model, f, path, write_v3_layer, ctx);
    }
    var_group v[2];
    int nv = var_groups(l, v);
    for (int g = 0; g < nv; g++) {
        if (v[g].sub[0]) {
            path_fmt(path, "%s/%s/vars", base, v[g].sub);
            NR_TRY(named_group(f, path, l->name));
        }
        for (int i = 0; i < v[g].count; i++) {
            nr_tensor w;
            NR_TRY(nr_layer_weight(l, v[g].first + i, &w));
            var_path(path, base, &v[g], i);
            NR_TRY(nr_h5_write(f, path, &w));
        }
    }
    return NR_OK;
}


nr_status nr_keras_weights_write_v3(const nr_model *m, hid_t f) {
    NR_TRY(named_group(f, "vars", m->name));
    hid_t g;
    NR_TRY(nr_h5_group(f, "layers", &g));
    H5Gclose(g);
    return each_v3_layer(m, f, "", write_v3_layer, NULL);
}

/* One layer's group: weight_names "LAYER/WEIGHT" as Keras 2 names them
 * (Keras finds them relative to the layer's group). */
static nr_status write_legacy_layer(const nr_layer *l, hid_t loc) {
    hid_t g;
    NR_TRY(nr_h5_group(loc, l->name, &g));
    nr_sym ws[64];
    int n = nr_keras_legacy_weights(l, ws, 64);
    char (*names)[MAX_PATH] = nr_malloc(((size_t)n + 1) * sizeof *names);
    const char **ptrs = nr_malloc(((size_t)n + 1) * sizeof *ptrs);
    nr_status s = names && ptrs ? NR_OK : NR_NOMEM();
    for (int i = 0; s == NR_OK && i < n; i++) {
        const nr_node *node = &l->g->nodes[ws[i]];
        const nr_layer *owner = node->layer ? node->layer : l;
        int k = 0;
        while (k < owner->n_weights && owner->weights[k] != ws[i]) k++;
        path_fmt(names[i], "%s/%s/weight_%d", l->name, owner->name, k);
        ptrs[i] = names[i];
        nr_tensor w = {.ndim = node->ndim, .data = l->g->params + node->param_off};
        for (int d = 0; d < node->ndim; d++) w.shape[d] = node->shape[d];
        s = nr_h5_write(g, names[i], &w);
    }
    if (s == NR_OK) s = nr_h5_put_strs(g, "weight_names", ptrs, n);
    nr_free(names);
    nr_free(ptrs);
    H5Gclose(g);
    return s;
}

nr_status nr_keras_weights_write_legacy(const nr_model *m, hid_t loc) {
    nr_layer **v;
    int n;
    NR_TRY(nr_keras_layers(m, &v, &n));
    const char **names = nr_malloc(((size_t)n + 1) * sizeof *names);
    nr_status s = names ? NR_OK : NR_NOMEM();
    for (int i = 0; s == NR_OK && i < n; i++) {
        names[i] = v[i]->name;
        s = write_legacy_layer(v[i], loc);
    }
    if (s == NR_OK) s = nr_h5_put_strs(loc, "layer_names", names, n);
    if (s == NR_OK) s = nr_h5_put_str(loc, "backend", "tensorflow");
    if (s == NR_OK) s = nr_h5_put_str(loc, "keras_version", "3.15.1");
    nr_free(names);
    nr_free(v);
    return s;
}

/* --- public entry points ------------------------------------------------------ */

nr_status nr_model_load_weights(nr_model *m, const char *path, const nr_load_weights_opts *o) {
    if (!m || !path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_model_load_weights: NULL argument");
    if (nr_keras_sniff(path) == NR_KERAS_ZIP) return nr_keras_zip_weights(m, path, o);
    hid_t f;
    NR_TRY(nr_h5_open(path, &f));
    nr_status s = nr_keras_weights_read(m, f, o, path);
    H5Fclose(f);
    return s;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

nr_status nr_model_save_weights(const nr_model *m, const char *path) {
    if (!m || !path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_model_save_weights: NULL argument");
    if (!ends_with(path, ".h5"))
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "%s: Keras weights files end in \".weights.h5\" (Keras 3) or \".h5\" (legacy)", path);
    if (m->sequential && m->n_in == 0)
        return nr_error(NR_STATUS_STATE, "model \"%s\" has no weights yet: give its input shape first", m->name);
    hid_t f;
    NR_TRY(nr_h5_create(&f));
    nr_status s = ends_with(path, ".weights.h5") ? nr_keras_weights_write_v3(m, f) : nr_keras_weights_write_legacy(m, f);
    if (s == NR_OK) s = nr_h5_save(f, path);
    H5Fclose(f);
    return s;
}
