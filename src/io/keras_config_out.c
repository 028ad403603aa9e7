/* A model as a Keras 3 config (JSON), which Keras's model_from_json,
 * load_model (.keras's config.json, .h5's model_config) and
 * Model.from_config read. Each layer's arguments come from its class's
 * config() hook, the SPEC text that already uses Keras's argument names:
 * parsed, positional arguments named from the constructor table, values
 * turned to JSON and objects (initializers, regularizers, a wrapped
 * layer, optimizers, losses) to Keras's {"module", "class_name",
 * "config"} form. Functional models list their layers in Keras's
 * model.layers order with each call's inputs as __keras_tensor__
 * references [layer, node, tensor]. */
#include <string.h>
#include <cjson/cJSON.h>
#include "io/keras_internal.h"
#include "io/model_file.h"
#include "io/spec_build.h"
#include "layers/layer.h"

static nr_status nomem(cJSON *o) {
    cJSON_Delete(o);
    return NR_NOMEM();
}

static int in_table(const nr_spec_builtin *t, const char *name) {
    for (; t->name; t++)
        if (!strcmp(t->name, name)) return 1;
    return 0;
}

static const char *module_of(const char *cls) {
    if (in_table(nr_spec_layer_builtins, cls)) return "keras.layers";
    if (!strcmp(cls, "L1") || !strcmp(cls, "L2") || !strcmp(cls, "L1L2")) return "keras.regularizers";
    if (in_table(nr_spec_object_builtins, cls)) return "keras.initializers";
    if (strstr(cls, "Decay")) return "keras.optimizers.schedules";
    if (in_table(nr_spec_optim_builtins, cls)) return "keras.optimizers";
    return "keras.losses";
}

static cJSON *keras_object(const char *module, const char *cls, cJSON *config) {
    cJSON *o = cJSON_CreateObject();
    if (!o || !config) {
        cJSON_Delete(o);
        cJSON_Delete(config);
        return NULL;
    }
    if (module) cJSON_AddStringToObject(o, "module", module);
    cJSON_AddStringToObject(o, "class_name", cls);
    cJSON_AddItemToObject(o, "config", config);
    if (module) cJSON_AddNullToObject(o, "registered_name");
    return o;
}

/* --- SPEC syntax to JSON ------------------------------------------------------- */

static cJSON *ast_json(const nr_ast *e, int legacy, int depth);

/* Keras's class name of an object written by its alias: "glorot_uniform"
 * is GlorotUniform, "l1_l2" L1L2. */
static void camel(const char *name, char *buf, size_t size) {
    size_t k = 0;
    for (int up = 1; *name && k + 1 < size; name++) {
        if (*name == '_') {
            up = 1;
            continue;
        }
        buf[k++] = up && *name >= 'a' && *name <= 'z' ? (char)(*name - 'a' + 'A') : *name;
        up = 0;
    }
    buf[k] = 0;
}

/* The keyword arguments of a call, positional ones named by its table. */
static cJSON *call_config(const nr_ast *call, int legacy, int depth) {
    const nr_spec_builtin *b = call->obj->kind == NR_AST_NAME ? nr_spec_find_builtin(call->obj->s) : NULL;
    cJSON *cfg = cJSON_CreateObject();
    if (!cfg) return NULL;
    for (int i = 0; i < call->n; i++) {
        const char *key = call->args[i].name;
        if (!key && b && i < NR_SPEC_MAX_PARAMS && b->params[i]) key = b->params[i][0] == '~' ? b->params[i] + 1 : b->params[i];
        cJSON *v = key ? ast_json(call->args[i].value, legacy, depth + 1) : NULL;
        if (!v) {
            cJSON_Delete(cfg);
            return NULL;
        }
        cJSON_AddItemToObject(cfg, key, v);
    }
    return cfg;
}

static cJSON *ast_json(const nr_ast *e, int legacy, int depth) {
    if (depth > NR_SPEC_MAX_DEPTH) return NULL;
    switch (e->kind) {
    case NR_AST_INT: return cJSON_CreateNumber((double)e->i);
    case NR_AST_FLOAT: return cJSON_CreateNumber(e->f);
    case NR_AST_STR: return cJSON_CreateString(e->s);
    case NR_AST_NAME: return cJSON_CreateString(e->s);
    case NR_AST_BOOL: return cJSON_CreateBool((int)e->i);
    case NR_AST_NONE: return cJSON_CreateNull();
    case NR_AST_TUPLE:
    case NR_AST_LIST: {
        cJSON *a = cJSON_CreateArray();
        for (int i = 0; a && i < e->n; i++) {
            cJSON *v = ast_json(e->items[i], legacy, depth + 1);
            if (!v) {
                cJSON_Delete(a);
                return NULL;
            }
            cJSON_AddItemToArray(a, v);
        }
        return a;
    }
    case NR_AST_CALL: {
        if (e->obj->kind != NR_AST_NAME) return NULL;
        char cls[64];
        camel(e->obj->s, cls, sizeof cls);
        return keras_object(module_of(cls), cls, call_config(e, legacy, depth));
    }
    default: return NULL;
    }
}

/* The Keras config of layer l (not a model) from its config() text. */
static nr_status layer_config(const nr_layer *l, int legacy, cJSON **out) {
    nr_strbuf sb = {0};
    nr_strbuf_printf(&sb, "%s(", l->cls->type);
    l->cls->config(l, &sb);
    nr_strbuf_printf(&sb, ")\n");
    if (sb.failed) {
        nr_free(sb.s);
        return NR_NOMEM();
    }
    nr_spec_arena arena = {0};
    nr_spec_program prog;
    nr_status s = nr_spec_parse(sb.s, l->name, &arena, &prog);
    *out = NULL;
    if (s == NR_OK && (prog.n != 1 || prog.stmts[0].value->kind != NR_AST_CALL))
        s = nr_error(NR_STATUS_STATE, "layer \"%s\": its configuration is not one call", l->name);
    if (s == NR_OK && !(*out = ast_json(prog.stmts[0].value, legacy, 0)))
        s = nr_error(NR_STATUS_NO_MEMORY, "layer \"%s\": cannot write its configuration as JSON", l->name);
    nr_spec_arena_free(&arena);
    nr_free(sb.s);
    return s;
}

/* The name, and trainable when off (not every Keras layer takes it: the
 * spatial dropouts do not); the input shape is the model's. The legacy
 * format names no module for a model's own layers. */
static void fix_layer(cJSON *obj, const nr_layer *l, int legacy) {
    if (legacy) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "module");
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "registered_name");
    }
    cJSON *cfg = cJSON_GetObjectItemCaseSensitive(obj, "config");
    static const char *const drop[] = {"name", "trainable", "dtype", "input_shape", "batch_input_shape", "input_dim"};
    int embedding = !strcmp(l->cls->type, "Embedding"); /* its input_dim is the vocabulary */
    for (size_t i = 0; i < sizeof drop / sizeof *drop - (size_t)embedding; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(cfg, drop[i]);
    cJSON_AddStringToObject(cfg, "name", l->name);
    if (!l->trainable) cJSON_AddFalseToObject(cfg, "trainable");
}

/* --- models -------------------------------------------------------------------- */

static nr_status model_json(const nr_model *m, int legacy, int depth, cJSON **out);

static cJSON *shape_json(const nr_node *n) {
    cJSON *a = cJSON_CreateArray();
    for (int d = 0; a && d < n->ndim; d++)
        cJSON_AddItemToArray(a, d == 0 && n->batched ? cJSON_CreateNull() : cJSON_CreateNumber((double)n->shape[d]));
    return a;
}

static cJSON *input_layer_json(const nr_graph *g, nr_sym in, int legacy) {
    const nr_node *n = &g->nodes[in];
    cJSON *cfg = cJSON_CreateObject();
    if (cfg) {
        cJSON_AddItemToObject(cfg, "batch_shape", shape_json(n));
        cJSON_AddStringToObject(cfg, "dtype", "float32");
        cJSON_AddFalseToObject(cfg, "sparse");
        cJSON_AddStringToObject(cfg, "name", n->layer ? n->layer->name : "input_layer");
    }
    return keras_object(legacy ? NULL : "keras.layers", "InputLayer", cfg);
}

static nr_status entry_json(const nr_layer *l, int legacy, int depth, cJSON **out) {
    if (l->model) return model_json(l->model, legacy, depth + 1, out);
    NR_TRY(layer_config(l, legacy, out));
    fix_layer(*out, l, legacy);
    return NR_OK;
}

static nr_status sequential_layers(const nr_model *m, int legacy, int depth, cJSON *layers) {
    if (m->n_in == 0) return nr_error(NR_STATUS_STATE, "Sequential \"%s\" has no input shape yet", m->name);
    cJSON *in = input_layer_json(m->g, m->in[0], legacy);
    if (!in) return NR_NOMEM();
    cJSON_AddItemToArray(layers, in);
    for (int i = 0; i < m->n_seq; i++) {
        cJSON *e;
        NR_TRY(entry_json(m->seq[i], legacy, depth, &e));
        cJSON_AddItemToArray(layers, e);
    }
    return NR_OK;
}

/* [layer, node, tensor] of node s in model m (tensor: which output). */
/* as_ref: the bare triple (input_layers, output_layers). */
static cJSON *history(const nr_model *m, nr_sym s, int as_ref) {
    const nr_graph *g = m->g;
    const char *name = NULL;
    int node = 0, tensor = 0;
    if (g->nodes[s].op == NR_OP_INPUT && g->nodes[s].layer) name = g->nodes[s].layer->name;
    for (int c = 0; c < m->n_calls && !name; c++) {
        const nr_call *k = &g->calls[m->calls[c]];
        int t = k->out == s ? 0 : -1;
        for (int i = 0; i < k->n_extra && t < 0; i++)
            if (k->extra[i] == s) t = i + 1;
        if (t >= 0) {
            name = k->layer->name;
            tensor = t;
            for (int d = 0; d < c; d++) node += g->calls[m->calls[d]].layer == k->layer;
        }
    }
    cJSON *h = cJSON_CreateArray();
    if (!h) return NULL;
    cJSON_AddItemToArray(h, cJSON_CreateString(name ? name : "?"));
    cJSON_AddItemToArray(h, cJSON_CreateNumber(node));
    cJSON_AddItemToArray(h, cJSON_CreateNumber(tensor));
    if (as_ref) return h;
    cJSON *cfg = cJSON_CreateObject();
    if (cfg) {
        cJSON_AddItemToObject(cfg, "shape", shape_json(&g->nodes[s]));
        cJSON_AddStringToObject(cfg, "dtype", "float32");
        cJSON_AddItemToObject(cfg, "keras_history", h);
    } else {
        cJSON_Delete(h);
    }
    return keras_object(NULL, "__keras_tensor__", cfg);
}

/* One call as {"args": [x or [x0, x1...]], "kwargs": {"initial_state": [...]}}. */
static cJSON *node_json(const nr_model *m, const nr_call *k) {
    const nr_layer *l = k->layer;
    int rnn = nr_layer_is_rnn(l) || !strcmp(l->cls->type, "Bidirectional");
    int n_x = rnn ? 1 : k->n_in, as_list = n_x > 1 || (!rnn && l->cls->max_inputs > 1 && !l->model);
    cJSON *x = as_list ? cJSON_CreateArray() : NULL;
    for (int i = 0; i < n_x; i++) {
        cJSON *t = history(m, k->in[i], 0);
        if (!as_list) x = t;
        else cJSON_AddItemToArray(x, t);
    }
    cJSON *nd = cJSON_CreateObject(), *args = cJSON_CreateArray(), *kw = cJSON_CreateObject();
    if (rnn && k->n_in > 1) {
        cJSON *states = cJSON_CreateArray();
        for (int i = 1; i < k->n_in; i++) cJSON_AddItemToArray(states, history(m, k->in[i], 0));
        cJSON_AddItemToObject(kw, "initial_state", states);
    }
    cJSON_AddItemToArray(args, x);
    cJSON_AddItemToObject(nd, "args", args);
    cJSON_AddItemToObject(nd, "kwargs", kw);
    return nd;
}

static nr_status functional_layers(const nr_model *m, int legacy, int depth, cJSON *layers) {
    nr_layer **v;
    int n;
    NR_TRY(nr_keras_layers(m, &v, &n));
    nr_status s = NR_OK;
    for (int i = 0; s == NR_OK && i < n; i++) {
        cJSON *e = NULL;
        if (v[i]->cls == &nr_input_class) e = input_layer_json(m->g, v[i]->input_sym, legacy);
        else s = entry_json(v[i], legacy, depth, &e);
        if (s != NR_OK) break;
        if (!e) {
            s = NR_NOMEM();
            break;
        }
        cJSON *nodes = cJSON_CreateArray();
        for (int c = 0; c < m->n_calls; c++)
            if (m->g->calls[m->calls[c]].layer == v[i]) cJSON_AddItemToArray(nodes, node_json(m, &m->g->calls[m->calls[c]]));
        cJSON_AddStringToObject(e, "name", v[i]->name);
        cJSON_AddItemToObject(e, "inbound_nodes", nodes);
        cJSON_AddItemToArray(layers, e);
    }
    nr_free(v);
    return s;
}

static cJSON *io_json(const nr_model *m, const nr_sym *syms, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++) {
        cJSON *h = history(m, syms[i], 1);
        cJSON_AddItemToArray(a, h);
    }
    return a;
}

static nr_status model_json(const nr_model *m, int legacy, int depth, cJSON **out) {
    *out = NULL;
    if (depth > 16) return nr_error(NR_STATUS_UNSUPPORTED, "model \"%s\": models nested too deeply", m->name);
    cJSON *cfg = cJSON_CreateObject(), *layers = cJSON_CreateArray();
    if (!cfg || !layers) {
        cJSON_Delete(layers);
        return nomem(cfg);
    }
    cJSON_AddStringToObject(cfg, "name", m->name);
    cJSON_AddBoolToObject(cfg, "trainable", m->as_layer ? m->as_layer->trainable : 1);
    cJSON_AddItemToObject(cfg, "layers", layers);
    nr_status s = m->sequential ? sequential_layers(m, legacy, depth, layers) : functional_layers(m, legacy, depth, layers);
    if (s == NR_OK && !m->sequential) {
        cJSON_AddItemToObject(cfg, "input_layers", io_json(m, m->in, m->n_in));
        cJSON_AddItemToObject(cfg, "output_layers", io_json(m, m->out, m->n_out));
    }
    if (s != NR_OK) {
        cJSON_Delete(cfg);
        return s;
    }
    const char *module = legacy ? NULL : m->sequential ? "keras" : "keras.src.models.functional";
    *out = keras_object(module, m->sequential ? "Sequential" : "Functional", cfg);
    if (*out && module && !m->sequential) cJSON_ReplaceItemInObjectCaseSensitive(*out, "registered_name", cJSON_CreateString("Functional"));
    return *out ? NR_OK : NR_NOMEM();
}

static nr_status print_json(cJSON *o, char **out) {
    *out = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return *out ? NR_OK : NR_NOMEM();
}

static void init_hooks(void) {
    static cJSON_Hooks hooks = {nr_malloc, nr_free};
    cJSON_InitHooks(&hooks);
}

nr_status nr_keras_config_json(const nr_model *m, int legacy, char **out) {
    init_hooks();
    *out = NULL;
    cJSON *o;
    NR_TRY(model_json(m, legacy, 0, &o));
    return print_json(o, out);
}

/* compile() as neurona writes it (compile_write.c), parsed back. */
static nr_status compile_args(const nr_model *m, int legacy, cJSON **out) {
    nr_strbuf sb = {0};
    nr_compile_to_spec(m, "model", &sb);
    if (sb.failed) {
        nr_free(sb.s);
        return NR_NOMEM();
    }
    nr_spec_arena arena = {0};
    nr_spec_program prog;
    nr_status s = nr_spec_parse(sb.s, "compile", &arena, &prog);
    *out = NULL;
    if (s == NR_OK && prog.n == 1 && prog.stmts[0].value->kind == NR_AST_CALL)
        *out = call_config(prog.stmts[0].value, legacy, 0);
    if (s == NR_OK && !*out) s = NR_NOMEM();
    nr_spec_arena_free(&arena);
    nr_free(sb.s);
    return s;
}

nr_status nr_keras_compile_json(const nr_model *m, int legacy, char **out) {
    init_hooks();
    *out = NULL;
    if (!nr_model_compile_opts(m)) return NR_OK;
    cJSON *args;
    NR_TRY(compile_args(m, legacy, &args));
    cJSON *o = cJSON_CreateObject();
    if (!o) return nomem(args);
    cJSON *opt = cJSON_DetachItemFromObjectCaseSensitive(args, "optimizer");
    cJSON_AddItemToObject(o, legacy ? "optimizer_config" : "optimizer", opt ? opt : cJSON_CreateNull());
    static const char *const keys[] = {"loss", "loss_weights", "metrics"};
    for (int i = 0; i < 3; i++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(args, keys[i]);
        cJSON_AddItemToObject(o, keys[i], v ? v : cJSON_CreateNull());
    }
    cJSON_AddNullToObject(o, "weighted_metrics");
    if (!legacy) {
        cJSON_AddFalseToObject(o, "run_eagerly");
        cJSON_AddNumberToObject(o, "steps_per_execution", 1);
        cJSON_AddFalseToObject(o, "jit_compile");
    }
    cJSON_Delete(args);
    return print_json(o, out);
}

nr_status nr_model_to_keras_json(const nr_model *m, char **json) {
    if (!m || !json) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_model_to_keras_json: NULL argument");
    return nr_keras_config_json(m, 0, json);
}
