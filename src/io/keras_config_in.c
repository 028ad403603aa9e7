/* A Keras model config (JSON) as SPEC text, so that one builder, with its
 * Keras argument names and checks, makes models from both. Keras 3
 * ({"module", "class_name", "config", "inbound_nodes": [{"args",
 * "kwargs"}]}) and Keras 2 (inbound_nodes as [[layer, node, tensor,
 * kwargs], ...]) configs are read; Sequential and Functional models,
 * nested models, shared layers and layers with several outputs
 * (return_state) become SPEC statements:
 *
 *   model = Sequential(name="mlp")              k3 = Input(batch_shape=(None, 4), name="left")
 *   model.add(Input(batch_shape=(None, 6)))      k5 = Dense(units=5, name="shared", ...)
 *   model.add(Dense(units=8, ...))               k6 = k5(k3)
 *                                                model = Model(inputs=[k3], outputs=[k6], name="f")
 *
 * Each layer config key goes over as a keyword argument when the SPEC
 * constructor knows it; other keys are dropped when they hold Keras's
 * "off" value (None, False, 0) or only matter for features that are off,
 * and are an error otherwise, so nothing is silently lost. A layer class
 * neurona lacks is an error naming the layer and its class. Keras's mask
 * bookkeeping (mask= arguments, the NotEqual/Any ops Keras 3 puts in a
 * functional graph to compute masks) is left out: neurona propagates masks
 * itself. Errors that the builder reports on a generated line are given
 * back with the layer that line came from. */
#include <math.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "io/keras_internal.h"
#include "io/spec_build.h"

#define MAX_DEPTH 32

typedef struct conv {
    nr_strbuf sb;
    const char *what;
    int has_weights;
    int line;                       /* lines written so far */
    char **line_layer;              /* per line: "layer \"x\" (Class)" or NULL */
    int cap_lines;
    int n_vars;
    int compile_line;               /* 0: none */
    nr_status status;
} conv;

static nr_status fail(conv *c, nr_status s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static nr_status fail(conv *c, nr_status s, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->status = nr_error(s, "%s: %s", c->what, msg);
    return c->status;
}

/* Ends a statement, remembering which layer it belongs to. */
static nr_status end_line(conv *c, const char *layer, const char *cls) {
    nr_strbuf_printf(&c->sb, "\n");
    if (c->line + 2 > c->cap_lines) {
        int cap = c->cap_lines ? 2 * c->cap_lines : 64;
        char **p = nr_realloc(c->line_layer, (size_t)cap * sizeof *p);
        if (!p) return NR_NOMEM();
        memset(p + c->cap_lines, 0, (size_t)(cap - c->cap_lines) * sizeof *p);
        c->line_layer = p;
        c->cap_lines = cap;
    }
    c->line++;
    if (layer) {
        char buf[256];
        snprintf(buf, sizeof buf, "layer \"%s\" (%s)", layer, cls);
        if (!(c->line_layer[c->line] = nr_strdup(buf))) return NR_NOMEM();
    }
    return c->sb.failed ? NR_NOMEM() : NR_OK;
}

static const char *str_of(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* --- values ------------------------------------------------------------------ */

static void put_string(conv *c, const char *s) {
    nr_strbuf_printf(&c->sb, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') nr_strbuf_printf(&c->sb, "\\%c", *p);
        else if (*p == '\n') nr_strbuf_printf(&c->sb, "\\n");
        else if ((unsigned char)*p >= 32) nr_strbuf_printf(&c->sb, "%c", *p);
    }
    nr_strbuf_printf(&c->sb, "\"");
}

static void put_number(conv *c, double v) {
    if (v == floor(v) && fabs(v) < 1e15) {
        nr_strbuf_printf(&c->sb, "%lld", (long long)v);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, sizeof buf, "%.17g", v);
    if (!strpbrk(buf, ".eEn")) strcat(buf, ".0");
    nr_strbuf_printf(&c->sb, "%s", isfinite(v) ? buf : "None");
}

static nr_status put_value(conv *c, const cJSON *v, int depth);
static nr_status put_object(conv *c, const cJSON *o, int depth, int strip_name);

static int has_objects(const cJSON *a) {
    const cJSON *e;
    cJSON_ArrayForEach(e, a) if (cJSON_IsObject(e)) return 1;
    return 0;
}

static nr_status put_array(conv *c, const cJSON *a, int depth) {
    int list = has_objects(a), n = cJSON_GetArraySize(a), i = 0;
    nr_strbuf_printf(&c->sb, list ? "[" : "(");
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (i++) nr_strbuf_printf(&c->sb, ", ");
        NR_TRY(put_value(c, e, depth + 1));
    }
    nr_strbuf_printf(&c->sb, list ? "]" : n == 1 ? ",)" : ")");
    return NR_OK;
}

static nr_status put_value(conv *c, const cJSON *v, int depth) {
    if (depth > MAX_DEPTH) return fail(c, NR_STATUS_BAD_FORMAT, "the config nests deeper than %d levels", MAX_DEPTH);
    if (cJSON_IsNull(v)) nr_strbuf_printf(&c->sb, "None");
    else if (cJSON_IsBool(v)) nr_strbuf_printf(&c->sb, cJSON_IsTrue(v) ? "True" : "False");
    else if (cJSON_IsNumber(v)) put_number(c, v->valuedouble);
    else if (cJSON_IsString(v)) put_string(c, v->valuestring);
    else if (cJSON_IsArray(v)) return put_array(c, v, depth);
    else if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "class_name")) return put_object(c, v, depth, 0);
    else if (cJSON_IsObject(v)) {
        nr_strbuf_printf(&c->sb, "{");
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            if (i++) nr_strbuf_printf(&c->sb, ", ");
            put_string(c, e->string);
            nr_strbuf_printf(&c->sb, ": ");
            NR_TRY(put_value(c, e, depth + 1));
        }
        nr_strbuf_printf(&c->sb, "}");
    } else {
        return fail(c, NR_STATUS_BAD_FORMAT, "a config value of an unknown kind");
    }
    return NR_OK;
}

/* --- objects: layers, initializers, regularizers, optimizers ----------------- */

static int knows_param(const nr_spec_builtin *b, const char *key) {
    for (int i = 0; i < NR_SPEC_MAX_PARAMS && b->params[i]; i++) {
        const char *p = b->params[i][0] == '~' ? b->params[i] + 1 : b->params[i];
        if (!strcmp(p, key)) return 1;
    }
    static const char *const common[] = {"name", "trainable", "dtype", "batch_input_shape", "input_shape", NULL};
    for (int i = 0; (b->flags & NR_SPEC_LAYER) && common[i]; i++)
        if (!strcmp(common[i], key)) return 1;
    return 0;
}

/* Keys whose value does not matter to neurona whatever it is: they only
 * act with features that are off (renorm), or Keras handles them for
 * masks the way neurona does (zero_output_for_mask). */
static int ignorable(const char *key) {
    static const char *const keys[] = {"renorm_momentum", "zero_output_for_mask", "input_length", "ema_momentum",
                                       "steps_per_execution", "jit_compile", "run_eagerly", "autocast", NULL};
    for (int i = 0; keys[i]; i++)
        if (!strcmp(keys[i], key)) return 1;
    return 0;
}

static int off_value(const cJSON *v) {
    return cJSON_IsNull(v) || cJSON_IsFalse(v) || (cJSON_IsNumber(v) && v->valuedouble == 0) ||
           (cJSON_IsString(v) && !v->valuestring[0]) || (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0);
}

static int is_initializer_key(const char *key) {
    size_t n = strlen(key);
    return n > 12 && !strcmp(key + n - 12, "_initializer");
}

/* dtype as a string: Keras 3 writes a DTypePolicy object. */
static const char *dtype_name(const cJSON *v) {
    if (cJSON_IsString(v)) return v->valuestring;
    const char *s = cJSON_IsObject(v) ? str_of(cJSON_GetObjectItemCaseSensitive(v, "config"), "name") : NULL;
    return s ? s : "float32";
}

static nr_status put_key(conv *c, const cJSON *e, int depth, int *first) {
    nr_strbuf_printf(&c->sb, "%s%s=", *first ? "" : ", ", e->string);
    *first = 0;
    if (!strcmp(e->string, "dtype")) {
        put_string(c, dtype_name(e));
        return NR_OK;
    }
    return put_value(c, e, depth + 1);
}

/* An initializer neurona lacks is dropped when the file brings the
 * weights (they replace whatever it would draw). */
static int droppable_initializer(conv *c, const cJSON *e) {
    if (!c->has_weights || !is_initializer_key(e->string) || !cJSON_IsObject(e)) return 0;
    const char *cls = str_of(e, "class_name");
    return cls && !nr_spec_find_builtin(cls);
}

/* The keyword arguments of config for constructor b (what: for errors). */
static nr_status put_config(conv *c, const nr_spec_builtin *b, const cJSON *cfg, const char *what, int depth,
                            int strip_name) {
    int first = 1;
    const cJSON *e;
    cJSON_ArrayForEach(e, cfg) {
        const char *k = e->string;
        if (!k || (strip_name && !strcmp(k, "name"))) continue;
        if (!strcmp(b->name, "Bidirectional") && !strcmp(k, "backward_layer")) continue; /* see bidirectional() */
        if (knows_param(b, k)) {
            if (droppable_initializer(c, e)) continue;
            NR_TRY(put_key(c, e, depth, &first));
        } else if (!off_value(e) && !ignorable(k)) {
            char *v = cJSON_PrintUnformatted(e);
            nr_status s = fail(c, NR_STATUS_UNSUPPORTED, "%s: Keras's %s=%s is not supported by neurona", what, k,
                               v ? v : "...");
            cJSON_free(v);
            return s;
        }
    }
    return NR_OK;
}

/* Bidirectional's backward_layer: Keras always writes it; neurona makes
 * the same one itself unless it differs from the forward layer in more
 * than its name and direction. */
static nr_status bidirectional_backward(conv *c, const cJSON *cfg, int depth) {
    const cJSON *fw = cJSON_GetObjectItemCaseSensitive(cfg, "layer");
    const cJSON *bw = cJSON_GetObjectItemCaseSensitive(cfg, "backward_layer");
    if (!cJSON_IsObject(bw) || !cJSON_IsObject(fw)) return NR_OK;
    cJSON *a = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(fw, "config"), 1);
    cJSON *b = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(bw, "config"), 1);
    nr_status s = a && b ? NR_OK : NR_NOMEM();
    if (s == NR_OK) {
        static const char *const skip[] = {"name", "go_backwards", "zero_output_for_mask"};
        for (int i = 0; i < 3; i++) {
            cJSON_DeleteItemFromObjectCaseSensitive(a, skip[i]);
            cJSON_DeleteItemFromObjectCaseSensitive(b, skip[i]);
        }
        if (!cJSON_Compare(a, b, 1)) {
            nr_strbuf_printf(&c->sb, ", backward_layer=");
            s = put_object(c, bw, depth + 1, 1);
        }
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return s;
}

static nr_status put_object(conv *c, const cJSON *o, int depth, int strip_name) {
    if (depth > MAX_DEPTH) return fail(c, NR_STATUS_BAD_FORMAT, "the config nests deeper than %d levels", MAX_DEPTH);
    const char *cls = str_of(o, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(o, "config");
    if (!cls) return fail(c, NR_STATUS_BAD_FORMAT, "an object without a class_name");
    if (!strcmp(cls, "function") && cJSON_IsString(cfg)) { /* a Keras 3 activation function */
        put_string(c, cfg->valuestring);
        return NR_OK;
    }
    if (!strcmp(cls, "DTypePolicy") || !strcmp(cls, "Policy")) {
        put_string(c, dtype_name(o));
        return NR_OK;
    }
    const nr_spec_builtin *b = nr_spec_find_builtin(cls);
    if (!b || !b->fn) {
        const char *name = cJSON_IsObject(cfg) ? str_of(cfg, "name") : NULL;
        if (name) return fail(c, NR_STATUS_UNSUPPORTED, "layer \"%s\" of class %s: neurona has no such layer", name, cls);
        return fail(c, NR_STATUS_UNSUPPORTED, "Keras object of class %s: neurona has no such class", cls);
    }
    nr_strbuf_printf(&c->sb, "%s(", cls);
    char what[160];
    const char *name = cJSON_IsObject(cfg) ? str_of(cfg, "name") : NULL;
    snprintf(what, sizeof what, "%s%s%s%s", name ? "layer \"" : "", name ? name : cls, name ? "\" of class " : "",
             name ? cls : "");
    if (cJSON_IsObject(cfg)) NR_TRY(put_config(c, b, cfg, what, depth, strip_name));
    if (!strcmp(cls, "Bidirectional")) NR_TRY(bidirectional_backward(c, cfg, depth));
    nr_strbuf_printf(&c->sb, ")");
    return NR_OK;
}

/* --- models ---------------------------------------------------------------------- */

static nr_status put_model(conv *c, const cJSON *entry, const char *var, int depth);

static const cJSON *layers_of(const cJSON *cfg) {
    if (cJSON_IsArray(cfg)) return cfg; /* Keras 2.2: the config is the list */
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(cfg, "layers");
    return cJSON_IsArray(l) ? l : NULL;
}

static int is_model_class(const char *cls) {
    return cls && (!strcmp(cls, "Sequential") || !strcmp(cls, "Functional") || !strcmp(cls, "Model"));
}

static const char *layer_name(const cJSON *entry) {
    const char *n = str_of(entry, "name");
    return n ? n : str_of(cJSON_GetObjectItemCaseSensitive(entry, "config"), "name");
}

static void new_var(conv *c, char *buf, size_t size) { snprintf(buf, size, "k%d", ++c->n_vars); }

/* An InputLayer as Input(...): batch_shape from either Keras's key. */
static nr_status put_input(conv *c, const cJSON *entry) {
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(entry, "config");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(cfg, "batch_shape");
    if (!shape) shape = cJSON_GetObjectItemCaseSensitive(cfg, "batch_input_shape");
    if (!cJSON_IsArray(shape)) return fail(c, NR_STATUS_BAD_FORMAT, "InputLayer \"%s\" has no batch_shape", layer_name(entry));
    nr_strbuf_printf(&c->sb, "Input(batch_shape=");
    NR_TRY(put_value(c, shape, 1));
    const char *name = layer_name(entry);
    if (name) {
        nr_strbuf_printf(&c->sb, ", name=");
        put_string(c, name);
    }
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(cfg, "dtype");
    if (dtype) {
        nr_strbuf_printf(&c->sb, ", dtype=");
        put_string(c, dtype_name(dtype));
    }
    const cJSON *sparse = cJSON_GetObjectItemCaseSensitive(cfg, "sparse");
    if (cJSON_IsTrue(sparse)) nr_strbuf_printf(&c->sb, ", sparse=True");
    nr_strbuf_printf(&c->sb, ")");
    return NR_OK;
}

static nr_status put_sequential(conv *c, const cJSON *entry, const char *var, int depth) {
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(entry, "config");
    const char *name = cJSON_IsObject(cfg) ? str_of(cfg, "name") : NULL;
    const cJSON *layers = layers_of(cfg);
    if (!layers) return fail(c, NR_STATUS_BAD_FORMAT, "Sequential \"%s\" has no layers", name ? name : "?");
    const cJSON *l;
    char sub[32];
    /* Nested models first: SPEC adds a model through its variable. */
    int i = 0;
    cJSON_ArrayForEach(l, layers) {
        if (is_model_class(str_of(l, "class_name"))) {
            snprintf(sub, sizeof sub, "%s_%d", var, i);
            NR_TRY(put_model(c, l, sub, depth + 1));
        }
        i++;
    }
    nr_strbuf_printf(&c->sb, "%s = Sequential(", var);
    if (name) {
        nr_strbuf_printf(&c->sb, "name=");
        put_string(c, name);
    }
    nr_strbuf_printf(&c->sb, ")");
    NR_TRY(end_line(c, NULL, NULL));
    i = 0;
    cJSON_ArrayForEach(l, layers) {
        const char *cls = str_of(l, "class_name");
        nr_strbuf_printf(&c->sb, "%s.add(", var);
        if (cls && !strcmp(cls, "InputLayer")) NR_TRY(put_input(c, l));
        else if (is_model_class(cls)) nr_strbuf_printf(&c->sb, "%s_%d", var, i);
        else NR_TRY(put_object(c, l, depth + 1, 0));
        nr_strbuf_printf(&c->sb, ")");
        NR_TRY(end_line(c, layer_name(l), cls ? cls : "?"));
        i++;
    }
    return NR_OK;
}

/* --- functional models ------------------------------------------------------------ */

/* A tensor reference: layer index, node index, output index. */
typedef struct ref {
    int layer, node, tensor;
} ref;

typedef struct fnode {
    int layer, index;
    ref *in;                        /* the input tensors (args[0], or the Keras 2 list) */
    int n_in, in_list;              /* in_list: passed as a list */
    ref *states;                    /* initial_state */
    int n_states;
    int needed, done;
} fnode;

typedef struct fgraph {
    const cJSON **entries;          /* per layer */
    int n_layers;
    char (*layer_var)[32];          /* "" until written */
    fnode *nodes;
    int n_nodes;
} fgraph;

static int find_layer(const fgraph *f, const char *name) {
    for (int i = 0; name && i < f->n_layers; i++)
        if (layer_name(f->entries[i]) && !strcmp(layer_name(f->entries[i]), name)) return i;
    return -1;
}

/* [name, node, tensor] (Keras 2 adds kwargs) or {"class_name": "__keras_tensor__"...}. */
static nr_status parse_ref(conv *c, const fgraph *f, const cJSON *v, ref *out) {
    const cJSON *h = v;
    if (cJSON_IsObject(v)) h = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "config"), "keras_history");
    const cJSON *name = cJSON_GetArrayItem(h, 0), *node = cJSON_GetArrayItem(h, 1), *t = cJSON_GetArrayItem(h, 2);
    if (!cJSON_IsArray(h) || !cJSON_IsString(name) || !cJSON_IsNumber(node) || !cJSON_IsNumber(t))
        return fail(c, NR_STATUS_BAD_FORMAT, "a tensor reference is not [layer, node, tensor]");
    out->layer = find_layer(f, name->valuestring);
    if (out->layer < 0) return fail(c, NR_STATUS_BAD_FORMAT, "a tensor comes from layer \"%s\", which the config lacks", name->valuestring);
    if (node->valuedouble < 0 || node->valuedouble > 1e6 || t->valuedouble < 0 || t->valuedouble >= NR_MAX_OUTPUTS)
        return fail(c, NR_STATUS_BAD_FORMAT, "a tensor reference to layer \"%s\" is out of range", name->valuestring);
    out->node = (int)node->valuedouble;
    out->tensor = (int)t->valuedouble;
    return NR_OK;
}

static int is_tensor(const cJSON *v) {
    if (cJSON_IsObject(v)) return str_of(v, "class_name") && !strcmp(str_of(v, "class_name"), "__keras_tensor__");
    return cJSON_IsArray(v) && cJSON_IsString(cJSON_GetArrayItem(v, 0));
}

/* Refs from a tensor or a list of tensors into *out (arena of n). */
static nr_status parse_refs(conv *c, const fgraph *f, const cJSON *v, ref **out, int *n, int *is_list) {
    int k = is_tensor(v) ? 1 : cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
    if (k == 0 || k > NR_MAX_IN) return fail(c, NR_STATUS_BAD_FORMAT, "a layer call's inputs are not tensors");
    *out = nr_calloc((size_t)k, sizeof **out);
    if (!*out) return NR_NOMEM();
    *n = k;
    *is_list = !is_tensor(v);
    for (int i = 0; i < k; i++) NR_TRY(parse_ref(c, f, k == 1 && !*is_list ? v : cJSON_GetArrayItem(v, i), &(*out)[i]));
    return NR_OK;
}

/* One node of inbound_nodes: Keras 3 {"args", "kwargs"} or Keras 2 list. */
static nr_status parse_node(conv *c, const fgraph *f, const cJSON *nd, fnode *out) {
    const cJSON *kwargs = NULL;
    if (cJSON_IsObject(nd)) {
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(nd, "args");
        NR_TRY(parse_refs(c, f, cJSON_GetArrayItem(args, 0), &out->in, &out->n_in, &out->in_list));
        kwargs = cJSON_GetObjectItemCaseSensitive(nd, "kwargs");
    } else {
        NR_TRY(parse_refs(c, f, nd, &out->in, &out->n_in, &out->in_list));
        if (out->n_in == 1) out->in_list = 0;
        kwargs = cJSON_GetArrayItem(cJSON_GetArrayItem(nd, 0), 3);
    }
    const cJSON *e, *kw = cJSON_IsObject(kwargs) ? kwargs : NULL;
    cJSON_ArrayForEach(e, kw) {
        if (!strcmp(e->string, "mask") || !strcmp(e->string, "training") || cJSON_IsNull(e)) continue;
        int list;
        if (!strcmp(e->string, "initial_state")) NR_TRY(parse_refs(c, f, e, &out->states, &out->n_states, &list));
        else return fail(c, NR_STATUS_UNSUPPORTED, "layer \"%s\" is called with %s=..., which neurona does not take",
                         layer_name(f->entries[out->layer]), e->string);
    }
    return NR_OK;
}

static fnode *find_node(fgraph *f, ref r) {
    for (int i = 0; i < f->n_nodes; i++)
        if (f->nodes[i].layer == r.layer && f->nodes[i].index == r.node) return &f->nodes[i];
    return NULL;
}

static nr_status mark_needed(conv *c, fgraph *f, ref r, int depth) {
    if (depth > 100000) return fail(c, NR_STATUS_BAD_FORMAT, "the layer graph is too deep or has a cycle");
    fnode *n = find_node(f, r);
    if (!n || n->needed) return NR_OK;
    n->needed = 1;
    for (int i = 0; i < n->n_in; i++) NR_TRY(mark_needed(c, f, n->in[i], depth + 1));
    for (int i = 0; i < n->n_states; i++) NR_TRY(mark_needed(c, f, n->states[i], depth + 1));
    return NR_OK;
}

static nr_status build_graph(conv *c, const cJSON *layers, fgraph *f) {
    f->n_layers = cJSON_GetArraySize(layers);
    f->entries = nr_calloc((size_t)f->n_layers + 1, sizeof *f->entries);
    f->layer_var = nr_calloc((size_t)f->n_layers + 1, sizeof *f->layer_var);
    if (!f->entries || !f->layer_var) return NR_NOMEM();
    int total = 0, i = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, layers) {
        if (!cJSON_IsObject(l) || !layer_name(l)) return fail(c, NR_STATUS_BAD_FORMAT, "layer %d has no name", i);
        f->entries[i++] = l;
        total += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(l, "inbound_nodes")) + 1;
    }
    f->nodes = nr_calloc((size_t)total + 1, sizeof *f->nodes);
    if (!f->nodes) return NR_NOMEM();
    for (i = 0; i < f->n_layers; i++) {
        const cJSON *nd, *cls = cJSON_GetObjectItemCaseSensitive(f->entries[i], "class_name");
        int k = 0;
        if (cJSON_IsString(cls) && !strcmp(cls->valuestring, "InputLayer")) { /* its one node makes the tensor */
            f->nodes[f->n_nodes++] = (fnode){.layer = i};
            continue;
        }
        cJSON_ArrayForEach(nd, cJSON_GetObjectItemCaseSensitive(f->entries[i], "inbound_nodes")) {
            fnode *n = &f->nodes[f->n_nodes++];
            n->layer = i;
            n->index = k++;
            NR_TRY(parse_node(c, f, nd, n));
        }
    }
    return NR_OK;
}

static void free_graph(fgraph *f) {
    for (int i = 0; i < f->n_nodes; i++) {
        nr_free(f->nodes[i].in);
        nr_free(f->nodes[i].states);
    }
    nr_free(f->nodes);
    nr_free(f->entries);
    nr_free(f->layer_var);
}

/* Does layer entry return several tensors (return_state)? */
static int several_outputs(const cJSON *entry) {
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(entry, "config");
    const cJSON *inner = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, "layer"), "config");
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "return_state")) ||
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(inner, "return_state"));
}

static void put_ref(conv *c, const fgraph *f, ref r) {
    nr_strbuf_printf(&c->sb, "%s_%d", f->layer_var[r.layer], r.node);
    if (several_outputs(f->entries[r.layer])) nr_strbuf_printf(&c->sb, "[%d]", r.tensor);
}

static int ready(const fgraph *f, const fnode *n) {
    const fnode *all = f->nodes;
    for (int i = 0; i < n->n_in + n->n_states; i++) {
        ref r = i < n->n_in ? n->in[i] : n->states[i - n->n_in];
        int ok = 0;
        for (int j = 0; j < f->n_nodes && !ok; j++) ok = all[j].layer == r.layer && all[j].index == r.node && all[j].done;
        if (!ok) return 0;
    }
    return 1;
}

/* Writes the layer object of entry i (once) as variable layer_var[i]. */
static nr_status define_layer(conv *c, fgraph *f, int i, int depth) {
    if (f->layer_var[i][0]) return NR_OK;
    const cJSON *e = f->entries[i];
    const char *cls = str_of(e, "class_name");
    new_var(c, f->layer_var[i], sizeof f->layer_var[i]);
    if (is_model_class(cls)) return put_model(c, e, f->layer_var[i], depth + 1);
    nr_strbuf_printf(&c->sb, "%s = ", f->layer_var[i]);
    NR_TRY(put_object(c, e, depth + 1, 0));
    return end_line(c, layer_name(e), cls ? cls : "?");
}

static nr_status put_call(conv *c, fgraph *f, fnode *n, int depth) {
    NR_TRY(define_layer(c, f, n->layer, depth));
    const char *v = f->layer_var[n->layer];
    nr_strbuf_printf(&c->sb, "%s_%d = %s(%s", v, n->index, v, n->in_list ? "[" : "");
    for (int i = 0; i < n->n_in; i++) {
        if (i) nr_strbuf_printf(&c->sb, ", ");
        put_ref(c, f, n->in[i]);
    }
    nr_strbuf_printf(&c->sb, "%s", n->in_list ? "]" : "");
    if (n->n_states) {
        nr_strbuf_printf(&c->sb, ", initial_state=[");
        for (int i = 0; i < n->n_states; i++) {
            if (i) nr_strbuf_printf(&c->sb, ", ");
            put_ref(c, f, n->states[i]);
        }
        nr_strbuf_printf(&c->sb, "]");
    }
    nr_strbuf_printf(&c->sb, ")");
    n->done = 1;
    return end_line(c, layer_name(f->entries[n->layer]), str_of(f->entries[n->layer], "class_name"));
}

/* input_layers / output_layers: [[name, node, tensor], ...] or one triple. */
static nr_status io_refs(conv *c, const fgraph *f, const cJSON *v, ref *out, int *n, const char *what) {
    *n = 0;
    if (cJSON_IsArray(v) && cJSON_IsString(cJSON_GetArrayItem(v, 0))) {
        *n = 1;
        return parse_ref(c, f, v, out);
    }
    const cJSON *e, *list = cJSON_IsArray(v) ? v : NULL;
    cJSON_ArrayForEach(e, list) {
        if (*n == NR_MAX_IO) return fail(c, NR_STATUS_UNSUPPORTED, "more than %d %s", NR_MAX_IO, what);
        NR_TRY(parse_ref(c, f, e, &out[(*n)++]));
    }
    if (*n == 0) return fail(c, NR_STATUS_BAD_FORMAT, "a Functional model without %s", what);
    return NR_OK;
}

static nr_status put_inputs(conv *c, fgraph *f, const ref *ins, int n_in) {
    for (int i = 0; i < n_in; i++) {
        int li = ins[i].layer;
        const cJSON *e = f->entries[li];
        if (strcmp(str_of(e, "class_name") ? str_of(e, "class_name") : "", "InputLayer"))
            return fail(c, NR_STATUS_BAD_FORMAT, "model input \"%s\" is not an InputLayer", layer_name(e));
        new_var(c, f->layer_var[li], sizeof f->layer_var[li]);
        nr_strbuf_printf(&c->sb, "%s_0 = ", f->layer_var[li]);
        NR_TRY(put_input(c, e));
        NR_TRY(end_line(c, layer_name(e), "InputLayer"));
        for (int j = 0; j < f->n_nodes; j++)
            if (f->nodes[j].layer == li) f->nodes[j].done = 1;
    }
    return NR_OK;
}

/* Writes the calls in an order where each one's inputs exist, the way
 * Keras's functional_from_config retries the layers it could not call. */
static nr_status put_calls(conv *c, fgraph *f, int depth) {
    for (int progress = 1; progress;) {
        progress = 0;
        for (int li = 0; li < f->n_layers; li++)
            for (int j = 0; j < f->n_nodes; j++) {
                fnode *n = &f->nodes[j];
                if (n->layer != li || n->done || !n->needed) continue;
                if (!ready(f, n)) break; /* a layer's calls go in order */
                NR_TRY(put_call(c, f, n, depth));
                progress = 1;
            }
    }
    for (int j = 0; j < f->n_nodes; j++)
        if (f->nodes[j].needed && !f->nodes[j].done)
            return fail(c, NR_STATUS_BAD_FORMAT, "layer \"%s\": its inputs cannot be computed from the model's inputs",
                        layer_name(f->entries[f->nodes[j].layer]));
    return NR_OK;
}

static nr_status put_functional(conv *c, const cJSON *entry, const char *var, int depth) {
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(entry, "config");
    const char *name = str_of(cfg, "name");
    const cJSON *layers = layers_of(cfg);
    if (!layers) return fail(c, NR_STATUS_BAD_FORMAT, "model \"%s\" has no layers", name ? name : "?");
    fgraph f = {0};
    ref ins[NR_MAX_IO], outs[NR_MAX_IO];
    int n_in = 0, n_out = 0;
    nr_status s = build_graph(c, layers, &f);
    if (s == NR_OK) s = io_refs(c, &f, cJSON_GetObjectItemCaseSensitive(cfg, "input_layers"), ins, &n_in, "inputs");
    if (s == NR_OK) s = io_refs(c, &f, cJSON_GetObjectItemCaseSensitive(cfg, "output_layers"), outs, &n_out, "outputs");
    for (int i = 0; s == NR_OK && i < n_out; i++) s = mark_needed(c, &f, outs[i], 0);
    if (s == NR_OK) s = put_inputs(c, &f, ins, n_in);
    if (s == NR_OK) s = put_calls(c, &f, depth);
    if (s == NR_OK) {
        nr_strbuf_printf(&c->sb, "%s = Model(inputs=[", var);
        for (int i = 0; i < n_in; i++) {
            nr_strbuf_printf(&c->sb, i ? ", " : "");
            put_ref(c, &f, ins[i]);
        }
        nr_strbuf_printf(&c->sb, "], outputs=[");
        for (int i = 0; i < n_out; i++) {
            nr_strbuf_printf(&c->sb, i ? ", " : "");
            put_ref(c, &f, outs[i]);
        }
        nr_strbuf_printf(&c->sb, "]");
        if (name) {
            nr_strbuf_printf(&c->sb, ", name=");
            put_string(c, name);
        }
        nr_strbuf_printf(&c->sb, ")");
        s = end_line(c, name, "Functional");
    }
    free_graph(&f);
    return s;
}

static nr_status put_model(conv *c, const cJSON *entry, const char *var, int depth) {
    if (depth > MAX_DEPTH) return fail(c, NR_STATUS_BAD_FORMAT, "models nested deeper than %d levels", MAX_DEPTH);
    const char *cls = str_of(entry, "class_name");
    if (!cls) return fail(c, NR_STATUS_BAD_FORMAT, "the config has no class_name");
    if (!strcmp(cls, "Sequential")) return put_sequential(c, entry, var, depth);
    if (!strcmp(cls, "Functional") || !strcmp(cls, "Model")) return put_functional(c, entry, var, depth);
    return fail(c, NR_STATUS_UNSUPPORTED, "the config describes a %s, not a Sequential or Functional model", cls);
}

/* --- compile ------------------------------------------------------------------------ */

/* model.compile(...) from Keras 3's compile_config or the legacy
 * training_config (optimizer_config). */
static nr_status put_compile(conv *c, const cJSON *cc) {
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(cc, "optimizer");
    if (!opt) opt = cJSON_GetObjectItemCaseSensitive(cc, "optimizer_config");
    const cJSON *loss = cJSON_GetObjectItemCaseSensitive(cc, "loss");
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(cc, "metrics");
    if (!loss || cJSON_IsNull(loss)) return NR_OK;
    nr_strbuf_printf(&c->sb, "model.compile(");
    if (opt && !cJSON_IsNull(opt)) {
        nr_strbuf_printf(&c->sb, "optimizer=");
        NR_TRY(put_value(c, opt, 1));
        nr_strbuf_printf(&c->sb, ", ");
    }
    nr_strbuf_printf(&c->sb, "loss=");
    NR_TRY(put_value(c, loss, 1));
    if (cJSON_IsArray(metrics) && cJSON_GetArraySize(metrics) > 0) {
        nr_strbuf_printf(&c->sb, ", metrics=");
        NR_TRY(put_value(c, metrics, 1));
    }
    nr_strbuf_printf(&c->sb, ")");
    NR_TRY(end_line(c, NULL, NULL));
    c->compile_line = c->line;
    return NR_OK;
}

static void conv_free(conv *c) {
    for (int i = 0; i < c->cap_lines; i++) nr_free(c->line_layer[i]);
    nr_free(c->line_layer);
}

static void init_hooks(void) {
    static cJSON_Hooks hooks = {nr_malloc, nr_free};
    cJSON_InitHooks(&hooks);
}

/* Translates; on success c->sb holds the SPEC text. */
static nr_status translate(conv *c, const char *json, const char *compile_json, int with_compile) {
    init_hooks();
    cJSON *root = cJSON_Parse(json);
    if (!root) return fail(c, NR_STATUS_BAD_FORMAT, "the model config is not valid JSON (near \"%.20s\")",
                           cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
    nr_status s = cJSON_IsObject(root) ? put_model(c, root, "model", 0)
                                       : fail(c, NR_STATUS_BAD_FORMAT, "the model config is not a JSON object");
    cJSON *given = s == NR_OK && with_compile && compile_json ? cJSON_Parse(compile_json) : NULL;
    const cJSON *cc = given ? given : cJSON_GetObjectItemCaseSensitive(root, "compile_config");
    if (s == NR_OK && with_compile && cJSON_IsObject(cc)) s = put_compile(c, cc);
    cJSON_Delete(given);
    cJSON_Delete(root);
    if (s == NR_OK && c->sb.failed) s = NR_NOMEM();
    return s;
}

nr_status nr_keras_config_to_spec(const char *json, const char *what, int has_weights, char **spec) {
    *spec = NULL;
    conv c = {.what = what, .has_weights = has_weights};
    nr_status s = translate(&c, json, NULL, 1);
    if (s == NR_OK) *spec = c.sb.s;
    else nr_free(c.sb.s);
    conv_free(&c);
    return s;
}

/* Rewrites "<keras>:LINE:COL: msg" as "what: layer \"x\" (Class): msg". */
static nr_status rephrase(const conv *c, nr_status s) {
    const char *e = nr_last_error();
    int line = 0;
    if (strncmp(e, "<keras>:", 8) != 0 || sscanf(e + 8, "%d", &line) != 1) return s;
    const char *msg = strchr(e + 8, ' ');
    char copy[1536];
    snprintf(copy, sizeof copy, "%s", msg ? msg + 1 : e);
    const char *layer = line > 0 && line < c->cap_lines ? c->line_layer[line] : NULL;
    char quoted[160] = ""; /* "x" of layer "x" (Class): the message may name the layer already */
    if (layer) sscanf(layer, "layer %159[^ ]", quoted);
    int named = quoted[0] && strstr(copy, quoted);
    return layer && !named ? nr_error(s, "%s: %s: %s", c->what, layer, copy) : nr_error(s, "%s: %s", c->what, copy);
}

static nr_status load(const char *json, const char *compile_json, const char *what, int has_weights,
                      int with_compile, uint64_t seed, nr_spec **out, int *compile_failed) {
    conv c = {.what = what, .has_weights = has_weights};
    nr_status s = translate(&c, json, compile_json, with_compile);
    if (s == NR_OK) {
        s = nr_spec_load_string(c.sb.s, "<keras>", seed, out);
        int line = 0;
        if (s != NR_OK && c.compile_line && !strncmp(nr_last_error(), "<keras>:", 8) &&
            sscanf(nr_last_error() + 8, "%d", &line) == 1 && line == c.compile_line)
            *compile_failed = 1;
        else if (s != NR_OK)
            s = rephrase(&c, s);
    }
    nr_free(c.sb.s);
    conv_free(&c);
    return s;
}

nr_status nr_keras_config_load(const char *json, const char *compile_json, const char *what, int has_weights,
                               uint64_t seed, nr_spec **out) {
    *out = NULL;
    int compile_failed = 0;
    nr_status s = load(json, compile_json, what, has_weights, 1, seed, out, &compile_failed);
    /* A training setup neurona cannot express leaves the model uncompiled. */
    if (compile_failed) s = load(json, compile_json, what, has_weights, 0, seed, out, &compile_failed);
    return s;
}
