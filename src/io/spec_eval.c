/* Evaluation of SPEC expressions: literals, containers, variables, the
 * Keras module prefixes (keras.layers.Dense is Dense), attributes,
 * indexing and calls of constructors, methods, layers and models. */
#include <string.h>
#include "core/suggest.h"
#include "io/spec_build.h"
#include "layers/layer.h"

/* Python module paths Keras code names things through; they only prefix. */
static const char *const modules[] = {
    "keras",   "tf",        "tensorflow",   "layers",       "models",      "optimizers", "schedules", "losses",
    "metrics", "callbacks", "initializers", "regularizers", "activations", "nn",         "hp",
    NULL,
};

/* Evaluation recurses on call and attribute chains, which the parser does
 * not bound. */
#define MAX_EVAL_DEPTH 200

static const nr_spec_builtin *const *tables(void) {
    static const nr_spec_builtin *const all[] = {
        nr_spec_layer_builtins,
        nr_spec_model_builtins,
        nr_spec_object_builtins,
        nr_spec_optim_builtins,
        nr_spec_compile_builtins,
        nr_spec_fit_builtins,
        nr_spec_app_builtins,
        nr_spec_hp_builtins,
        NULL,
    };
    return all;
}

const nr_spec_builtin *nr_spec_find_builtin(const char *name) {
    for (const nr_spec_builtin *const *t = tables(); *t; t++)
        for (const nr_spec_builtin *b = *t; b->name; b++)
            if (strcmp(b->name, name) == 0) return b;
    return NULL;
}

const nr_spec_builtin *nr_spec_find_method(const char *name) {
    for (const nr_spec_builtin *b = nr_spec_model_methods; b->name; b++)
        if (strcmp(b->name, name) == 0) return b;
    const nr_spec_builtin *b = nr_spec_find_builtin(name);
    return b && (b->flags & NR_SPEC_METHOD) ? b : NULL;
}

nr_status nr_spec_builtin_names(nr_spec_ctx *x, const char ***names, int *n) {
    int count = 0, k = 0;
    for (const nr_spec_builtin *const *t = tables(); *t; t++)
        for (const nr_spec_builtin *b = *t; b->name; b++) count++;
    const char **out = nr_spec_alloc(&x->arena, (size_t)count * sizeof *out);
    if (!out) return NR_NOMEM();
    for (const nr_spec_builtin *const *t = tables(); *t; t++)
        for (const nr_spec_builtin *b = *t; b->name; b++) out[k++] = b->name;
    *names = out;
    *n = count;
    return NR_OK;
}

static int is_module(const char *name) {
    for (int i = 0; modules[i]; i++)
        if (strcmp(name, modules[i]) == 0) return 1;
    return 0;
}

nr_val *nr_spec_new_val(nr_spec_ctx *x, nr_val_kind kind, int line, int col) {
    nr_val *v = nr_spec_alloc(&x->arena, sizeof *v);
    if (!v) return NULL;
    v->kind = kind;
    v->line = line;
    v->col = col;
    return v;
}

nr_val *nr_spec_lookup(const nr_spec_ctx *x, const char *name) {
    for (int i = x->n_vars - 1; i >= 0; i--)
        if (strcmp(x->vars[i].name, name) == 0) return x->vars[i].v;
    return NULL;
}

nr_status nr_spec_set_var(nr_spec_ctx *x, const char *name, nr_val *v) {
    for (int i = 0; i < x->n_vars; i++)
        if (strcmp(x->vars[i].name, name) == 0) {
            x->vars[i].v = v;
            return NR_OK;
        }
    NR_TRY(nr_spec_grow(&x->arena, (void **)&x->vars, &x->cap_vars, x->n_vars + 1, sizeof *x->vars));
    x->vars[x->n_vars].name = name;
    x->vars[x->n_vars++].v = v;
    return NR_OK;
}

/* --- names ---------------------------------------------------------------- */

/* Offers close names among variables and constructors; failing those, a
 * plain variable lists the variables there are. */
static nr_status unknown_name(nr_spec_ctx *x, const nr_ast *e, int as_callee) {
    const char **builtins, **cands;
    int nb, n = 0, close = 0;
    NR_TRY(nr_spec_builtin_names(x, &builtins, &nb));
    cands = nr_spec_alloc(&x->arena, ((size_t)nb + (size_t)x->n_vars) * sizeof *cands + 1);
    if (!cands) return NR_NOMEM();
    for (int i = 0; i < x->n_vars; i++) cands[n++] = x->vars[i].name;
    for (int i = 0; i < nb; i++) cands[n++] = builtins[i];
    for (int i = 0; i < n && !close; i++) close = nr_suggest_close(e->s, cands[i]);
    if (!close && !as_callee) n = x->n_vars;
    return nr_spec_unknown(x, e->line, e->col, as_callee ? "layer or function" : "variable", e->s, cands, n);
}

static nr_status eval_name(nr_spec_ctx *x, const nr_ast *e, int as_callee, nr_val **out) {
    nr_val *v = nr_spec_lookup(x, e->s);
    if (v) {
        /* A shallow copy that carries this use's position, for messages. */
        if (!(*out = nr_spec_new_val(x, v->kind, e->line, e->col))) return NR_NOMEM();
        (*out)->u = v->u;
        (*out)->hp = v->hp;
        return v->hp ? nr_spec_hp_name_use(x, *out, out) : NR_OK;
    }
    const nr_spec_builtin *b = nr_spec_find_builtin(e->s);
    if (b || is_module(e->s)) {
        if (!(v = nr_spec_new_val(x, b ? NR_VAL_FUNC : NR_VAL_MODULE, e->line, e->col))) return NR_NOMEM();
        if (b)
            v->u.fn = b;
        else
            v->u.s = e->s;
        *out = v;
        return NR_OK;
    }
    return unknown_name(x, e, as_callee);
}

/* keras.layers.Dense, tf.keras.activations.relu, layers.Dense... */
static nr_status module_attr(nr_spec_ctx *x, const nr_val *mod, const nr_ast *e, nr_val **out) {
    nr_val *v;
    if (is_module(e->s)) {
        if (!(v = nr_spec_new_val(x, NR_VAL_MODULE, e->line, e->col))) return NR_NOMEM();
        v->u.s = e->s;
    } else if (!strcmp(mod->u.s, "activations") || !strcmp(mod->u.s, "nn")) {
        nr_activation act;
        if (nr_activation_parse(e->s, &act) != NR_OK) {
            nr_clear_error();
            return nr_spec_error(x, e->line, e->col, NR_STATUS_PARSE, "unknown activation '%s.%.64s'", mod->u.s, e->s);
        }
        if (!(v = nr_spec_new_val(x, NR_VAL_ACTIVATION, e->line, e->col))) return NR_NOMEM();
        v->u.act = act;
    } else {
        const nr_spec_builtin *b = nr_spec_find_builtin(e->s);
        if (!b) {
            const char **names;
            int n;
            NR_TRY(nr_spec_builtin_names(x, &names, &n));
            return nr_spec_unknown(x, e->line, e->col, "name", e->s, names, n);
        }
        if (!(v = nr_spec_new_val(x, NR_VAL_FUNC, e->line, e->col))) return NR_NOMEM();
        v->u.fn = b;
    }
    *out = v;
    return NR_OK;
}

static nr_status eval_attr(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    nr_val *obj;
    NR_TRY(nr_spec_eval(x, e->obj, &obj));
    if (obj->kind == NR_VAL_MODULE) return module_attr(x, obj, e, out);
    if (obj->kind == NR_VAL_MODEL || obj->kind == NR_VAL_LAYER) return nr_spec_model_attr(x, obj, e, out);
    char what[128];
    return nr_spec_error(x, e->line, e->col, NR_STATUS_BAD_ARGUMENT, "%s has no attribute '%.64s'",
                         nr_spec_describe(obj, what, sizeof what), e->s);
}

static nr_status eval_index(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    nr_val *obj, *ix;
    char what[128];
    NR_TRY(nr_spec_eval(x, e->obj, &obj));
    NR_TRY(nr_spec_eval(x, e->index, &ix));
    if (obj->kind != NR_VAL_LIST && obj->kind != NR_VAL_TUPLE)
        return nr_spec_error(x, e->line, e->col, NR_STATUS_BAD_ARGUMENT, "cannot index %s; only lists and tuples",
                             nr_spec_describe(obj, what, sizeof what));
    if (ix->kind != NR_VAL_INT)
        return nr_spec_error(x, ix->line, ix->col, NR_STATUS_BAD_ARGUMENT, "an index must be an int, got %s",
                             nr_spec_describe(ix, what, sizeof what));
    int64_t n = obj->u.seq.n, i = ix->u.i < 0 ? ix->u.i + n : ix->u.i;
    if (i < 0 || i >= n)
        return nr_spec_error(x, ix->line, ix->col, NR_STATUS_BAD_ARGUMENT, "index %lld is out of range for %s",
                             (long long)ix->u.i, nr_spec_describe(obj, what, sizeof what));
    *out = obj->u.seq.items[i];
    return NR_OK;
}

static nr_status eval_items(nr_spec_ctx *x, const nr_ast *e, nr_val_kind kind, nr_val **out) {
    nr_val *v = nr_spec_new_val(x, kind, e->line, e->col);
    if (!v) return NR_NOMEM();
    v->u.seq.n = e->n;
    v->u.seq.items = nr_spec_alloc(&x->arena, (size_t)e->n * sizeof *v->u.seq.items + 1);
    if (kind == NR_VAL_DICT) v->u.seq.values = nr_spec_alloc(&x->arena, (size_t)e->n * sizeof *v->u.seq.values + 1);
    if (!v->u.seq.items || (kind == NR_VAL_DICT && !v->u.seq.values)) return NR_NOMEM();
    for (int i = 0; i < e->n; i++) {
        NR_TRY(nr_spec_eval(x, e->items[i], &v->u.seq.items[i]));
        if (kind == NR_VAL_DICT) NR_TRY(nr_spec_eval(x, e->values[i], &v->u.seq.values[i]));
    }
    *out = v;
    return NR_OK;
}

static nr_status eval_literal(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    static const nr_val_kind kinds[] = {[NR_AST_INT] = NR_VAL_INT,
                                        [NR_AST_FLOAT] = NR_VAL_FLOAT,
                                        [NR_AST_STR] = NR_VAL_STR,
                                        [NR_AST_BOOL] = NR_VAL_BOOL,
                                        [NR_AST_NONE] = NR_VAL_NONE};
    nr_val *v = nr_spec_new_val(x, kinds[e->kind], e->line, e->col);
    if (!v) return NR_NOMEM();
    if (e->kind == NR_AST_FLOAT)
        v->u.f = e->f;
    else if (e->kind == NR_AST_STR)
        v->u.s = e->s;
    else
        v->u.i = e->i;
    *out = v;
    return NR_OK;
}

static nr_status eval_neg(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    nr_val *v, *r;
    char what[128];
    NR_TRY(nr_spec_eval(x, e->obj, &v));
    if (!nr_spec_is_number(v))
        return nr_spec_error(x, e->line, e->col, NR_STATUS_BAD_ARGUMENT, "cannot negate %s",
                             nr_spec_describe(v, what, sizeof what));
    if (!(r = nr_spec_new_val(x, v->kind, e->line, e->col))) return NR_NOMEM();
    if (v->kind == NR_VAL_INT)
        r->u.i = -v->u.i;
    else
        r->u.f = -v->u.f;
    *out = r;
    return NR_OK;
}

/* The callee of a call: an unknown name there is an unknown constructor. */
nr_status nr_spec_eval_callee(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    if (e->kind == NR_AST_NAME) return eval_name(x, e, 1, out);
    return nr_spec_eval(x, e, out);
}

static nr_status eval_call(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    nr_val *callee;
    NR_TRY(nr_spec_eval_callee(x, e->obj, &callee));
    return nr_spec_call(x, e, callee, out);
}

nr_status nr_spec_eval(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    if (x->depth >= MAX_EVAL_DEPTH)
        return nr_spec_error(x, e->line, e->col, NR_STATUS_PARSE, "expression nested too deeply");
    x->depth++;
    nr_status s;
    switch (e->kind) {
    case NR_AST_NAME: s = eval_name(x, e, 0, out); break;
    case NR_AST_TUPLE: s = eval_items(x, e, NR_VAL_TUPLE, out); break;
    case NR_AST_LIST: s = eval_items(x, e, NR_VAL_LIST, out); break;
    case NR_AST_DICT: s = eval_items(x, e, NR_VAL_DICT, out); break;
    case NR_AST_CALL: s = eval_call(x, e, out); break;
    case NR_AST_ATTR: s = eval_attr(x, e, out); break;
    case NR_AST_INDEX: s = eval_index(x, e, out); break;
    case NR_AST_NEG: s = eval_neg(x, e, out); break;
    case NR_AST_CMP: s = nr_spec_eval_compare(x, e, out); break;
    case NR_AST_IF: s = nr_spec_eval_if(x, e, out); break;
    default: s = eval_literal(x, e, out); break;
    }
    x->depth--;
    return s;
}

/* --- calls ---------------------------------------------------------------- */

/* Calling a layer or a model takes one input, a tensor or a list of them,
 * and for recurrent layers the initial states (Keras: call(sequences,
 * initial_state=None, ...)). */
static const nr_spec_builtin layer_call = {"call", {"inputs", "initial_state", "training", "mask"}, 2, NULL, 0};

static nr_status call_layer_value(nr_spec_ctx *x, const nr_ast *call, nr_val *callee, nr_val **out) {
    nr_spec_args a;
    char what[96];
    nr_layer *l = callee->u.layer;
    if (callee->kind == NR_VAL_MODEL) NR_TRY(nr_spec_model_layer(x, callee->u.model, call->line, call->col, &l));
    snprintf(what, sizeof what, "layer \"%s\"", l->name);
    NR_TRY(nr_spec_bind(x, &layer_call, what, call, NULL, &a));
    int training = -1, first_node = x->g->n_nodes, first_call = x->g->n_calls;
    NR_TRY(nr_spec_get_bool(x, &a, "training", &training));
    if (training == 1)
        return nr_spec_only_default(x, &a, "training", "training=True is set by fit(); training=False runs the call "
                                                        "in inference mode");
    NR_TRY(nr_spec_only_default(x, &a, "mask", NULL));
    const nr_val *in = nr_spec_arg(&a, "inputs"), *states = nr_spec_arg(&a, "initial_state");
    if (!in) return nr_spec_missing(x, &a, "inputs");
    NR_TRY(nr_spec_call_layer(x, l, in, states && states->kind != NR_VAL_NONE ? states : NULL, call->line, call->col,
                              out));
    if (training == 0) nr_layer_mark_inference(x->g, first_node, first_call);
    return NR_OK;
}

/* "model.compile" when the object is a plain variable, else "compile". */
static void method_what(const nr_ast *call, const char *method, char *buf, size_t size) {
    const nr_ast *obj = call->obj->kind == NR_AST_ATTR ? call->obj->obj : NULL;
    if (obj && obj->kind == NR_AST_NAME)
        snprintf(buf, size, "%.40s.%s", obj->s, method);
    else
        snprintf(buf, size, "%s", method);
}

nr_status nr_spec_call(nr_spec_ctx *x, const nr_ast *call, nr_val *callee, nr_val **out) {
    nr_spec_args a;
    char what[96];
    switch (callee->kind) {
    case NR_VAL_FUNC:
        NR_TRY(nr_spec_bind(x, callee->u.fn, callee->u.fn->name, call, NULL, &a));
        return callee->u.fn->fn(x, &a, out);
    case NR_VAL_METHOD:
        method_what(call, callee->u.method.fn->name, what, sizeof what);
        NR_TRY(nr_spec_bind(x, callee->u.method.fn, what, call, callee->u.method.self, &a));
        return callee->u.method.fn->fn(x, &a, out);
    case NR_VAL_LAYER:
    case NR_VAL_MODEL: return call_layer_value(x, call, callee, out);
    default:
        return nr_spec_error(x, call->line, call->col, NR_STATUS_BAD_ARGUMENT, "%s cannot be called",
                             nr_spec_describe(callee, what, sizeof what));
    }
}
