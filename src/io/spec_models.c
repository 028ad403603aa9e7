/* SPEC models: Sequential([...]) and Model(inputs, outputs), the methods
 * add, summary and get_layer, attributes (model.layers, model.output,
 * layer.name, ...), trainable assignment and models called as layers. */
#include <string.h>
#include "io/spec_build.h"
#include "neurona/applications.h"

static nr_status model_val(nr_spec_ctx *x, const nr_spec_args *a, nr_model *m, nr_val **out) {
    nr_val *v = nr_spec_new_val(x, NR_VAL_MODEL, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.model = m;
    x->last_model = m;
    *out = v;
    return NR_OK;
}

nr_status nr_spec_model_layer(nr_spec_ctx *x, nr_model *m, int line, int col, nr_layer **out) {
    nr_status s = nr_model_as_layer(m, out);
    return s == NR_OK ? NR_OK : nr_spec_fail(x, line, col, s);
}

/* A lazy Sequential is built by its first call; bound its kernels with the
 * widest layer seen (Flatten and Reshape keep the values per sample). */
nr_status nr_spec_check_lazy(nr_spec_ctx *x, const nr_model *m, int64_t fan_in, int line, int col) {
    int64_t widest = fan_in;
    if (x->depth++ > 32) return nr_spec_error(x, line, col, NR_STATUS_UNSUPPORTED, "models nested too deeply");
    for (int i = 0; i < m->n_seq; i++) {
        const nr_layer *l = m->seq[i];
        if (l->model && l->model->sequential && !l->model->n_in)
            NR_TRY(nr_spec_check_lazy(x, l->model, widest, line, col));
        if (strcmp(l->cls->type, "Dense") != 0) continue;
        NR_TRY(nr_spec_check_weights(x, l, widest, line, col));
        if (l->o.dense.units > widest) widest = l->o.dense.units;
    }
    x->depth--;
    return NR_OK;
}

/* The input width a layer added to m will see, or 0 when not known yet. */
static int64_t seq_fan_in(const nr_spec_ctx *x, const nr_model *m, const nr_layer *l) {
    const nr_layer_base *b = &l->o.dense.base;
    if (m->n_in) {
        const nr_node *n = &x->g->nodes[m->out[0]];
        return n->shape[n->ndim - 1];
    }
    if (m->n_seq == 0 && b->input_ndim > 0) return b->input_shape[b->input_ndim - 1];
    return 0;
}

/* a is b or holds it, at any depth (too deep counts as holding it). */
static int holds(const nr_model *a, const nr_model *b, int depth) {
    if (a == b || depth > 16) return 1;
    for (int i = 0; i < nr_model_n_layers(a); i++) {
        const nr_layer *l = nr_model_layer(a, i);
        if (l->model && holds(l->model, b, depth + 1)) return 1;
    }
    return 0;
}

nr_status nr_spec_sequential_add(nr_spec_ctx *x, nr_model *m, nr_val *v, int line, int col) {
    nr_layer *l = NULL;
    char got[128];
    if (v->kind == NR_VAL_MODEL && holds(v->u.model, m, 0))
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT,
                             "Sequential \"%s\": cannot hold itself (model \"%s\" is, or holds, it)", m->name,
                             v->u.model->name);
    if (v->kind == NR_VAL_LAYER)
        l = v->u.layer;
    else if (v->kind == NR_VAL_MODEL)
        NR_TRY(nr_spec_model_layer(x, v->u.model, v->line, v->col, &l));
    else if (v->kind == NR_VAL_TENSOR && x->g->nodes[v->u.sym].op == NR_OP_INPUT && x->g->nodes[v->u.sym].layer)
        l = x->g->nodes[v->u.sym].layer;
    if (!l)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT,
                             "Sequential \"%s\": add() takes a layer, a model or an Input, got %s", m->name,
                             nr_spec_describe(v, got, sizeof got));
    if (v->kind != NR_VAL_TENSOR) {
        int64_t fan_in = seq_fan_in(x, m, l);
        if (m->n_in && l->model && l->model->sequential && !l->model->n_in)
            NR_TRY(nr_spec_check_lazy(x, l->model, fan_in, line, col));
        NR_TRY(nr_spec_check_weights(x, l, fan_in, line, col));
    }
    nr_status s = nr_sequential_add(m, l);
    return s == NR_OK ? NR_OK : nr_spec_fail(x, line, col, s);
}

/* --- constructors ---------------------------------------------------------- */

static nr_status sequential_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    const char *name = NULL;
    int trainable = 1;
    nr_model *m;
    NR_TRY(nr_spec_check_name(x, a, "name", &name));
    NR_TRY(nr_spec_get_bool(x, a, "trainable", &trainable));
    nr_val *layers = nr_spec_arg(a, "layers");
    if (layers && layers->kind != NR_VAL_NONE && layers->kind != NR_VAL_LIST && layers->kind != NR_VAL_TUPLE)
        return nr_spec_type_error(x, a, "layers", "a list of layers");
    nr_status s = nr_sequential_new(x->g, name, &m);
    if (s != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    for (int i = 0; layers && layers->kind != NR_VAL_NONE && i < layers->u.seq.n; i++) {
        nr_val *l = layers->u.seq.items[i];
        NR_TRY(nr_spec_sequential_add(x, m, l, l->line, l->col));
    }
    if (!trainable) nr_model_set_trainable(m, 0);
    return model_val(x, a, m, out);
}

/* A tensor or a list of tensors, for Model's inputs and outputs. */
static nr_status tensors(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_sym *syms, int *n) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return nr_spec_missing(x, a, name);
    if (v->kind == NR_VAL_TENSOR) {
        syms[0] = v->u.sym;
        *n = 1;
        return NR_OK;
    }
    if ((v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE) || v->u.seq.n < 1)
        return nr_spec_type_error(x, a, name, "a tensor or a list of tensors");
    if (v->u.seq.n > NR_MAX_IO)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_UNSUPPORTED, "%s: at most %d %s, got %d", a->what, NR_MAX_IO,
                             name, v->u.seq.n);
    for (int i = 0; i < v->u.seq.n; i++) {
        if (v->u.seq.items[i]->kind != NR_VAL_TENSOR) return nr_spec_type_error(x, a, name, "a list of tensors");
        syms[i] = v->u.seq.items[i]->u.sym;
    }
    *n = v->u.seq.n;
    return NR_OK;
}

static nr_status model_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_sym in[NR_MAX_IO], outs[NR_MAX_IO];
    int n_in = 0, n_out = 0, trainable = 1;
    const char *name = NULL;
    nr_model *m;
    NR_TRY(tensors(x, a, "inputs", in, &n_in));
    NR_TRY(tensors(x, a, "outputs", outs, &n_out));
    NR_TRY(nr_spec_check_name(x, a, "name", &name));
    NR_TRY(nr_spec_get_bool(x, a, "trainable", &trainable));
    nr_status s = nr_model_new(x->g, in, n_in, outs, n_out, name, &m);
    if (s != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    if (!trainable) nr_model_set_trainable(m, 0);
    return model_val(x, a, m, out);
}

/* --- methods --------------------------------------------------------------- */

static nr_status add_method(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_model *m = a->self->u.model;
    nr_val *layer = nr_spec_arg(a, "layer");
    if (!layer) return nr_spec_missing(x, a, "layer");
    if (!m->sequential)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: \"%s\" is a functional Model; add() is for Sequential models", a->what, m->name);
    NR_TRY(nr_spec_sequential_add(x, m, layer, a->line, a->col));
    return (*out = nr_spec_new_val(x, NR_VAL_NONE, a->line, a->col)) ? NR_OK : NR_NOMEM();
}

/* model.add_loss(tensor, name=..., weight=...): Keras 3 adds losses from
 * inside layers only; the functional form of Keras 2 is what a SPEC can
 * say (name and weight are neurona's). */
static nr_status add_loss_method(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_model *m = a->self->u.model;
    nr_add_loss_opts o = {0};
    char got[128];
    const nr_val *t = nr_spec_arg(a, "loss");
    if (!t) return nr_spec_missing(x, a, "loss");
    if (t->kind != NR_VAL_TENSOR)
        return nr_spec_error(x, t->line, t->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: loss must be a tensor (e.g. the output of GaussianKLDivergence), got %s", a->what,
                             nr_spec_describe(t, got, sizeof got));
    NR_TRY(nr_spec_get_str(x, a, "name", &o.name));
    NR_TRY(nr_spec_get_float(x, a, "weight", &o.weight));
    if (nr_spec_given(a, "weight") && o.weight == 0) o.weight = 1e-30f; /* a zero weight is zero, not the default */
    nr_status s = nr_model_add_loss(m, t->u.sym, &o);
    if (s != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    return (*out = nr_spec_new_val(x, NR_VAL_NONE, a->line, a->col)) ? NR_OK : NR_NOMEM();
}

/* The CLI prints summaries; in a SPEC the call is accepted and does nothing. */
static nr_status summary_fn(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_model *m;
    if (!a->self) NR_TRY(nr_spec_current_model(x, a, &m));
    return (*out = nr_spec_new_val(x, NR_VAL_NONE, a->line, a->col)) ? NR_OK : NR_NOMEM();
}

static nr_status layer_names(nr_spec_ctx *x, const nr_model *m, const char ***names, int *n) {
    *n = nr_model_n_layers(m);
    *names = nr_spec_alloc(&x->arena, (size_t)*n * sizeof **names + 1);
    if (!*names) return NR_NOMEM();
    for (int i = 0; i < *n; i++) (*names)[i] = nr_model_layer(m, i)->name;
    return NR_OK;
}

static nr_status get_layer_method(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    const nr_model *m = a->self->u.model;
    const char *name = NULL;
    int64_t index = -1;
    NR_TRY(nr_spec_get_str(x, a, "name", &name));
    NR_TRY(nr_spec_get_int(x, a, "index", 0, nr_model_n_layers(m) - 1, &index));
    nr_layer *l = name ? nr_model_get_layer(m, name) : index >= 0 ? nr_model_layer(m, (int)index) : NULL;
    if (!name && index < 0) return nr_spec_missing(x, a, "name");
    if (!l) {
        const char **names;
        int n;
        NR_TRY(layer_names(x, m, &names, &n));
        const nr_val *v = nr_spec_arg(a, "name");
        return nr_spec_unknown(x, v->line, v->col, "layer name", name, names, n);
    }
    nr_val *v = nr_spec_new_val(x, NR_VAL_LAYER, a->line, a->col);
    if (!v) return NR_NOMEM();
    v->u.layer = l;
    *out = v;
    return NR_OK;
}

nr_status nr_spec_current_model(nr_spec_ctx *x, const nr_spec_args *a, nr_model **out) {
    const nr_val *v = nr_spec_lookup(x, "model");
    *out = v && v->kind == NR_VAL_MODEL ? v->u.model : x->implicit ? x->implicit : x->last_model;
    if (!*out)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_STATE, "%s: there is no model yet; define its layers first",
                             a->what);
    return NR_OK;
}

/* --- attributes ------------------------------------------------------------ */

static nr_status tensor_list(nr_spec_ctx *x, const nr_ast *e, const nr_sym *syms, int n, int as_list, nr_val **out) {
    nr_val *v = nr_spec_new_val(x, as_list ? NR_VAL_LIST : NR_VAL_TENSOR, e->line, e->col);
    if (!v) return NR_NOMEM();
    if (!as_list) {
        v->u.sym = syms[0];
        *out = v;
        return NR_OK;
    }
    v->u.seq.n = n;
    v->u.seq.items = nr_spec_alloc(&x->arena, (size_t)n * sizeof *v->u.seq.items + 1);
    if (!v->u.seq.items) return NR_NOMEM();
    for (int i = 0; i < n; i++) NR_TRY(tensor_list(x, e, &syms[i], 1, 0, &v->u.seq.items[i]));
    *out = v;
    return NR_OK;
}

static nr_status layers_attr(nr_spec_ctx *x, const nr_model *m, const nr_ast *e, nr_val **out) {
    nr_val *v = nr_spec_new_val(x, NR_VAL_LIST, e->line, e->col);
    if (!v) return NR_NOMEM();
    v->u.seq.n = nr_model_n_layers(m);
    v->u.seq.items = nr_spec_alloc(&x->arena, (size_t)v->u.seq.n * sizeof *v->u.seq.items + 1);
    if (!v->u.seq.items) return NR_NOMEM();
    for (int i = 0; i < v->u.seq.n; i++) {
        nr_val *l = v->u.seq.items[i] = nr_spec_new_val(x, NR_VAL_LAYER, e->line, e->col);
        if (!l) return NR_NOMEM();
        l->u.layer = nr_model_layer(m, i);
    }
    *out = v;
    return NR_OK;
}

static nr_status simple_attr(nr_spec_ctx *x, const nr_ast *e, const char *name, int trainable, nr_val **out) {
    nr_val *v = nr_spec_new_val(x, strcmp(e->s, "name") ? NR_VAL_BOOL : NR_VAL_STR, e->line, e->col);
    if (!v) return NR_NOMEM();
    if (v->kind == NR_VAL_STR)
        v->u.s = name;
    else
        v->u.i = trainable;
    *out = v;
    return NR_OK;
}

static nr_status model_attr(nr_spec_ctx *x, nr_val *obj, const nr_ast *e, nr_val **out) {
    static const char *const attrs[] = {"add",   "compile", "fit",    "summary", "get_layer", "layers",   "input",
                                        "inputs", "output", "outputs", "name",   "trainable", "add_loss"};
    nr_model *m = obj->u.model;
    const nr_spec_builtin *method = nr_spec_find_method(e->s);
    if (method) {
        nr_val *v = nr_spec_new_val(x, NR_VAL_METHOD, e->line, e->col);
        if (!v) return NR_NOMEM();
        v->u.method.fn = method;
        v->u.method.self = obj;
        *out = v;
        return NR_OK;
    }
    if (!strcmp(e->s, "layers")) return layers_attr(x, m, e, out);
    if (!strcmp(e->s, "name") || !strcmp(e->s, "trainable"))
        return simple_attr(x, e, m->name, m->as_layer ? m->as_layer->trainable : 1, out);
    int in = !strcmp(e->s, "input") || !strcmp(e->s, "inputs"),
        outs = !strcmp(e->s, "output") || !strcmp(e->s, "outputs");
    if (!in && !outs) return nr_spec_unknown(x, e->line, e->col, "model attribute", e->s, attrs, 13);
    if (m->n_in == 0)
        return nr_spec_error(x, e->line, e->col, NR_STATUS_STATE, "model \"%s\" has no %s yet: it has no input shape",
                             m->name, e->s);
    return tensor_list(x, e, in ? m->in : m->out, in ? m->n_in : m->n_out, e->s[strlen(e->s) - 1] == 's', out);
}

/* layer.output: the output of the layer's one call. */
static nr_status layer_io(nr_spec_ctx *x, const nr_layer *l, const nr_ast *e, nr_val **out) {
    const nr_call *found = NULL;
    int calls = 0;
    for (int c = 0; c < x->g->n_calls; c++)
        if (x->g->calls[c].layer == l && !x->g->calls[c].hidden) {
            found = &x->g->calls[c];
            calls++;
        }
    if (!strcmp(l->cls->type, "InputLayer")) return tensor_list(x, e, &l->input_sym, 1, 0, out);
    if (calls != 1)
        return nr_spec_error(x, e->line, e->col, NR_STATUS_STATE,
                             "layer \"%s\" has been called %d times; %s is ambiguous", l->name, calls, e->s);
    if (!strcmp(e->s, "output")) return tensor_list(x, e, &found->out, 1, 0, out);
    if (found->n_in != 1) return tensor_list(x, e, found->in, found->n_in, 1, out);
    return tensor_list(x, e, found->in, 1, 0, out);
}

nr_status nr_spec_model_attr(nr_spec_ctx *x, nr_val *obj, const nr_ast *e, nr_val **out) {
    static const char *const attrs[] = {"name", "trainable", "input", "output"};
    if (obj->kind == NR_VAL_MODEL) return model_attr(x, obj, e, out);
    const nr_layer *l = obj->u.layer;
    if (!strcmp(e->s, "name") || !strcmp(e->s, "trainable")) return simple_attr(x, e, l->name, l->trainable, out);
    if (!strcmp(e->s, "input") || !strcmp(e->s, "output")) return layer_io(x, l, e, out);
    return nr_spec_unknown(x, e->line, e->col, "layer attribute", e->s, attrs, 4);
}

nr_status nr_spec_set_trainable(nr_spec_ctx *x, nr_val *obj, const nr_ast *target, nr_val *v) {
    char got[128];
    if (strcmp(target->s, "trainable") != 0)
        return nr_spec_error(x, target->line, target->col, NR_STATUS_BAD_ARGUMENT,
                             "cannot set '%.64s'; the only attribute a SPEC sets is trainable", target->s);
    if (obj->kind != NR_VAL_LAYER && obj->kind != NR_VAL_MODEL)
        return nr_spec_error(x, target->line, target->col, NR_STATUS_BAD_ARGUMENT, "%s has no trainable flag",
                             nr_spec_describe(obj, got, sizeof got));
    if (v->kind != NR_VAL_BOOL)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "trainable must be True or False, got %s",
                             nr_spec_describe(v, got, sizeof got));
    if (obj->kind == NR_VAL_MODEL)
        nr_model_set_trainable(obj->u.model, (int)v->u.i);
    else if (obj->u.layer->model)
        nr_model_set_trainable(obj->u.layer->model, (int)v->u.i);
    else
        nr_layer_set_trainable(obj->u.layer, (int)v->u.i);
    return NR_OK;
}

#define ALL NR_SPEC_MAX_PARAMS

const nr_spec_builtin nr_spec_model_builtins[] = {
    {"Sequential", {"layers", "trainable", "name"}, ALL, sequential_new, 0},
    {"Model", {"inputs", "outputs", "name", "trainable"}, 3, model_new, 0},
    {"summary",
     {"line_length", "positions", "print_fn", "expand_nested", "show_trainable", "layer_range"},
     ALL,
     summary_fn,
     NR_SPEC_METHOD},
    {NULL, {0}, 0, NULL, 0},
};

const nr_spec_builtin nr_spec_model_methods[] = {
    {"add", {"layer", "rebuild"}, ALL, add_method, 0},
    {"get_layer", {"name", "index"}, ALL, get_layer_method, 0},
    {"add_loss", {"loss", "name", "weight"}, 1, add_loss_method, 0},
    {NULL, {0}, 0, NULL, 0},
};
