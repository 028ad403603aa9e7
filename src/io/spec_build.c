/* Loading a SPEC: parse, run the statements in order, and keep what
 * outlives the load (the graph, the models by variable name, fit()'s
 * options and callbacks). Statements are assignments (name = expr,
 * obj.trainable = flag) and expressions; a bare layer line (Dense(10) on
 * its own, not assigned) is added to the implicit Sequential, Keras's
 * model.add without the model. */
#include <string.h>
#include "io/keras_internal.h"
#include "io/spec_build.h"

/* A statement that is just a layer constructor (or an Input) adds it to
 * the implicit Sequential, made on the first such line. */
static nr_status bare_layer(nr_spec_ctx *x, const nr_stmt *st, nr_val *v) {
    if (!x->implicit) {
        nr_status s = nr_sequential_new(x->g, NULL, &x->implicit);
        if (s != NR_OK) return nr_spec_fail(x, st->line, st->col, s);
    }
    x->last_model = x->implicit;
    return nr_spec_sequential_add(x, x->implicit, v, st->line, st->col);
}

/* A statement's value: "Dense(8) if hp.Boolean("wide") else None" runs
 * the branch its condition picks, so a bare layer may exist or not. */
static nr_status exec_value(nr_spec_ctx *x, const nr_stmt *st, const nr_ast *e) {
    nr_val *v;
    if (e->kind == NR_AST_IF) {
        const nr_ast *branch;
        int scoped;
        NR_TRY(nr_spec_hp_choose(x, e, &branch, &scoped));
        nr_status s = exec_value(x, st, branch);
        if (scoped) nr_spec_hp_pop(x);
        return s;
    }
    if (e->kind != NR_AST_CALL) return nr_spec_eval(x, e, &v);
    nr_val *callee;
    NR_TRY(nr_spec_eval_callee(x, e->obj, &callee));
    NR_TRY(nr_spec_call(x, e, callee, &v));
    if (callee->kind == NR_VAL_FUNC && (callee->u.fn->flags & (NR_SPEC_LAYER | NR_SPEC_INPUT)))
        return bare_layer(x, st, v);
    return NR_OK;
}

static nr_status exec_expr(nr_spec_ctx *x, const nr_stmt *st) { return exec_value(x, st, st->value); }

static nr_status assign_name(nr_spec_ctx *x, const nr_ast *target, nr_val *v) {
    const char *name = target->s;
    if (!strcmp(name, "True") || !strcmp(name, "False") || !strcmp(name, "None"))
        return nr_spec_error(x, target->line, target->col, NR_STATUS_PARSE, "cannot assign to %s", name);
    return nr_spec_set_var(x, name, v);
}

static nr_status exec_assign(nr_spec_ctx *x, const nr_stmt *st) {
    nr_val *v;
    if (st->target->kind == NR_AST_ATTR) {
        nr_val *obj;
        NR_TRY(nr_spec_eval(x, st->target->obj, &obj));
        NR_TRY(nr_spec_eval(x, st->value, &v));
        return nr_spec_set_trainable(x, obj, st->target, v);
    }
    NR_TRY(nr_spec_eval(x, st->value, &v));
    if (st->target->kind == NR_AST_NAME) return assign_name(x, st->target, v);
    const nr_ast *t = st->target;
    if ((v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE) || v->u.seq.n != t->n) {
        char got[128];
        return nr_spec_error(x, t->line, t->col, NR_STATUS_BAD_ARGUMENT, "cannot unpack %s into %d names",
                             nr_spec_describe(v, got, sizeof got), t->n);
    }
    for (int i = 0; i < t->n; i++) NR_TRY(assign_name(x, t->items[i], v->u.seq.items[i]));
    return NR_OK;
}

static nr_status run(nr_spec_ctx *x, const nr_spec_program *p) {
    for (int i = 0; i < p->n; i++) {
        const nr_stmt *st = &p->stmts[i];
        x->depth = 0;
        NR_TRY(st->kind == NR_STMT_ASSIGN ? exec_assign(x, st) : exec_expr(x, st));
    }
    return NR_OK;
}

/* The models the SPEC named, and the one it defines: "model", else the
 * one it compiled (Keras scripts build the encoder and decoder after the
 * autoencoder they train), else the last one built. */
static nr_status finish(nr_spec_ctx *x) {
    nr_spec *s = x->spec;
    const nr_val *model = nr_spec_lookup(x, "model");
    s->model = model && model->kind == NR_VAL_MODEL ? model->u.model : x->compiled ? x->compiled : x->last_model;
    int n = 0;
    for (int i = 0; i < x->n_vars; i++) n += x->vars[i].v->kind == NR_VAL_MODEL;
    s->named = nr_calloc((size_t)n + 1, sizeof *s->named);
    if (!s->named) return NR_NOMEM();
    for (int i = 0; i < x->n_vars; i++) {
        if (x->vars[i].v->kind != NR_VAL_MODEL) continue;
        s->named[s->n_named].m = x->vars[i].v->u.model;
        if (!(s->named[s->n_named++].name = nr_strdup(x->vars[i].name))) return NR_NOMEM();
    }
    return NR_OK;
}

nr_status nr_spec_load_hp(const char *text, const char *filename, uint64_t seed, nr_spec_hp *hp, nr_spec **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_spec_load_string: out is NULL");
    *out = NULL;
    if (!text) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_spec_load_string: text is NULL");
    nr_spec *s = nr_calloc(1, sizeof *s);
    if (!s) return NR_NOMEM();
    s->owns_graph = 1;
    nr_spec_ctx x = {.spec = s, .file = filename ? filename : "<spec>", .hp = hp};
    nr_spec_program prog;
    nr_status st = nr_graph_new(&s->g, seed);
    x.g = s->g;
    if (st == NR_OK) s->g->max_params = nr_spec_max_weight_elems;
    if (st == NR_OK) st = nr_spec_parse(text, x.file, &x.arena, &prog);
    if (st == NR_OK) st = run(&x, &prog);
    if (st == NR_OK) st = finish(&x);
    nr_spec_arena_free(&x.arena);
    if (st != NR_OK) {
        nr_spec_free(s);
        return st;
    }
    *out = s;
    return NR_OK;
}

/* Without a space from the caller the load checks its hp calls in its own. */
nr_status nr_spec_load_string_opts(const char *text, const char *filename, const nr_spec_load_opts *o,
                                   nr_spec **out) {
    nr_spec_load_opts none = {0};
    if (!o) o = &none;
    nr_spec_hp hp = {.values = o->hp, .space = o->space};
    nr_status s = hp.space ? NR_OK : nr_hp_space_new(&hp.space);
    if (s == NR_OK) s = nr_spec_load_hp(text, filename, o->seed, &hp, out);
    if (!o->space) nr_hp_space_free(hp.space);
    nr_spec_hp_done(&hp);
    return s;
}

nr_status nr_spec_load_string(const char *text, const char *filename, uint64_t seed, nr_spec **out) {
    return nr_spec_load_string_opts(text, filename, &(nr_spec_load_opts){.seed = seed}, out);
}

/* A SPEC is a few kilobytes; the cap keeps a wrong path from being read whole. */
#define MAX_SPEC_BYTES ((size_t)16 << 20)

static nr_status read_text(const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    if (!f) return nr_error(NR_STATUS_IO, "%s: cannot open the SPEC file", path);
    size_t n = 0, cap = 8192;
    char *buf = nr_malloc(cap);
    nr_status st = buf ? NR_OK : NR_NOMEM();
    while (st == NR_OK) {
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0) {
            if (ferror(f)) st = nr_error(NR_STATUS_IO, "%s: read error", path);
            break;
        }
        if (cap - n > 1) continue;
        char *p = cap < MAX_SPEC_BYTES ? nr_realloc(buf, cap * 2) : NULL;
        if (!p)
            st =
                cap < MAX_SPEC_BYTES ? NR_NOMEM() : nr_error(NR_STATUS_BAD_FORMAT, "%s: over 16 MiB; not a SPEC", path);
        else
            buf = p, cap *= 2;
    }
    fclose(f);
    if (st == NR_OK && memchr(buf, 0, n))
        st = nr_error(NR_STATUS_BAD_FORMAT, "%s: holds a NUL byte; a SPEC is text", path);
    if (st != NR_OK) {
        nr_free(buf);
        return st;
    }
    buf[n] = 0;
    *out = buf;
    return NR_OK;
}

nr_status nr_spec_load_file_opts(const char *path, const nr_spec_load_opts *o, nr_spec **out) {
    if (!out || !path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_spec_load_file: NULL argument");
    *out = NULL;
    if (nr_keras_sniff(path) != NR_KERAS_NONE) return nr_keras_spec_load(path, o ? o->seed : 0, out);
    char *text = NULL;
    NR_TRY(read_text(path, &text));
    nr_status st = nr_spec_load_string_opts(text, path, o, out);
    nr_free(text);
    return st;
}

nr_status nr_spec_load_file(const char *path, uint64_t seed, nr_spec **out) {
    return nr_spec_load_file_opts(path, &(nr_spec_load_opts){.seed = seed}, out);
}

nr_status nr_spec_search_space_file(const char *path, nr_hp_space *space) {
    if (!path || !space) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_spec_search_space_file: NULL argument");
    char *text = NULL;
    NR_TRY(read_text(path, &text));
    nr_status st = nr_spec_search_space_string(text, path, space);
    nr_free(text);
    return st;
}

nr_model *nr_spec_model(const nr_spec *s) { return s->model; }

nr_model *nr_spec_get_model(const nr_spec *s, const char *name) {
    for (int i = 0; i < s->n_named; i++)
        if (!strcmp(s->named[i].name, name)) return s->named[i].m;
    return NULL;
}

nr_graph *nr_spec_graph(const nr_spec *s) { return s->g; }

nr_graph *nr_spec_take_graph(nr_spec *s) {
    s->owns_graph = 0;
    return s->g;
}

int nr_spec_compiled(const nr_spec *s) { return s->model && s->model->compiled; }

const nr_fit_opts *nr_spec_fit_opts(const nr_spec *s) { return s->has_fit ? &s->fit : NULL; }

void nr_spec_free(nr_spec *s) {
    if (!s) return;
    nr_spec_drop_fit(s);
    for (int i = 0; i < s->n_named; i++) nr_free(s->named[i].name);
    nr_free(s->named);
    if (s->owns_graph) nr_graph_free(s->g);
    nr_free(s);
}
