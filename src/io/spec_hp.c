/* Hyperparameters in SPEC files: the hp.Int, hp.Float, hp.Choice,
 * hp.Boolean and hp.Fixed constructors (Keras Tuner's arguments and
 * defaults), the conditional scopes that "X if COND else Y" opens, and
 * the search of every branch that finds a SPEC's whole search space. */
#include <string.h>
#include "io/spec_build.h"
#include "tune/hp_internal.h"

#define ALL NR_SPEC_MAX_PARAMS
/* Loads the space search may make: one per branch not yet taken. */
#define MAX_SEARCH_LOADS 64

void nr_spec_hp_done(nr_spec_hp *hp) {
    nr_free(hp->branches);
    hp->branches = NULL;
    hp->n_branches = hp->cap_branches = 0;
}

/* --- values between SPEC and hyperparameters ------------------------------- */

static nr_status to_hp_value(nr_spec_ctx *x, const nr_spec_args *a, const nr_val *v, nr_hp_value *out) {
    char got[128];
    switch (v->kind) {
    case NR_VAL_INT: *out = nr_hp_int(v->u.i); return NR_OK;
    case NR_VAL_FLOAT: *out = nr_hp_float(v->u.f); return NR_OK;
    case NR_VAL_BOOL: *out = nr_hp_bool((int)v->u.i); return NR_OK;
    case NR_VAL_STR:
        if (strlen(v->u.s) >= NR_HP_MAX_STR)
            return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: a value may have at most %d bytes",
                                 a->what, NR_HP_MAX_STR - 1);
        *out = nr_hp_str(v->u.s);
        return NR_OK;
    default:
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: values must be ints, floats, booleans or strings, got %s", a->what,
                             nr_spec_describe(v, got, sizeof got));
    }
}

static nr_status from_hp_value(nr_spec_ctx *x, const nr_hp_value *h, const char *name, int line, int col,
                               nr_val **out) {
    static const nr_val_kind kinds[] = {[NR_HP_NONE] = NR_VAL_NONE, [NR_HP_TYPE_INT] = NR_VAL_INT,
                                        [NR_HP_TYPE_FLOAT] = NR_VAL_FLOAT, [NR_HP_TYPE_BOOL] = NR_VAL_BOOL,
                                        [NR_HP_TYPE_STR] = NR_VAL_STR};
    nr_val *v = nr_spec_new_val(x, kinds[h->type], line, col);
    if (!v || !(v->hp = nr_spec_strndup(&x->arena, name, strlen(name)))) return NR_NOMEM();
    if (h->type == NR_HP_TYPE_FLOAT) v->u.f = h->f;
    else if (h->type == NR_HP_TYPE_STR) v->u.s = nr_spec_strndup(&x->arena, h->s, strlen(h->s));
    else v->u.i = h->i;
    if (h->type == NR_HP_TYPE_STR && !v->u.s) return NR_NOMEM();
    *out = v;
    return NR_OK;
}

/* --- arguments ------------------------------------------------------------- */

static nr_status get_number(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int whole, double *out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (whole ? v->kind != NR_VAL_INT : !nr_spec_is_number(v))
        return nr_spec_type_error(x, a, name, whole ? "an int" : "a number");
    *out = nr_spec_number(v);
    return NR_OK;
}

static nr_status get_sampling(nr_spec_ctx *x, const nr_spec_args *a, nr_hp_sampling *out) {
    static const char *const names[] = {"linear", "log", "reverse_log"};
    const char *s = NULL;
    NR_TRY(nr_spec_get_str(x, a, "sampling", &s));
    if (!s) return NR_OK;
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (nr_hp_sampling)i;
            return NR_OK;
        }
    const nr_val *v = nr_spec_arg(a, "sampling");
    return nr_spec_unknown(x, v->line, v->col, "sampling", s, names, 3);
}

static nr_status get_values(nr_spec_ctx *x, const nr_spec_args *a, const char *name, nr_hp_value *vals, int *n) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE) {
        *n = 1;
        return to_hp_value(x, a, v, &vals[0]);
    }
    if (v->u.seq.n < 1 || v->u.seq.n > NR_HP_MAX_VALUES)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: %s must hold 1 to %d values, got %d",
                             a->what, name, NR_HP_MAX_VALUES, v->u.seq.n);
    for (int i = 0; i < v->u.seq.n; i++) NR_TRY(to_hp_value(x, a, v->u.seq.items[i], &vals[i]));
    *n = v->u.seq.n;
    return NR_OK;
}

/* parent_name and parent_values: one more condition, after the scope's. */
static nr_status get_parent(nr_spec_ctx *x, const nr_spec_args *a, nr_hp_def *d, int *explicit_cond) {
    const char *parent = NULL;
    NR_TRY(nr_spec_get_str(x, a, "parent_name", &parent));
    *explicit_cond = -1;
    if (!parent && !nr_spec_given(a, "parent_values")) return NR_OK;
    if (!parent || !nr_spec_given(a, "parent_values"))
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: parent_name and parent_values go together", a->what);
    if (strlen(parent) >= NR_HP_MAX_NAME || d->n_conds == NR_HP_MAX_CONDS)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: parent_name is too long or nested "
                             "too deeply", a->what);
    if (!nr_hp_space_find(x->hp->space, parent))
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT,
                             "%s: parent_name \"%s\" names no hyperparameter defined before it", a->what, parent);
    nr_hp_cond *c = &d->conds[d->n_conds];
    snprintf(c->parent, sizeof c->parent, "%s", parent);
    NR_TRY(get_values(x, a, "parent_values", c->values, &c->n_values));
    *explicit_cond = d->n_conds++;
    return NR_OK;
}

static nr_status common(nr_spec_ctx *x, const nr_spec_args *a, nr_hp_kind kind, nr_hp_def *d) {
    const char *name = NULL;
    memset(d, 0, sizeof *d);
    d->kind = kind;
    NR_TRY(nr_spec_get_str(x, a, "name", &name));
    if (!name) return nr_spec_missing(x, a, "name");
    if (!*name || strlen(name) >= NR_HP_MAX_NAME)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: name must have 1 to %d bytes", a->what,
                             NR_HP_MAX_NAME - 1);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->n_conds = x->hp->n_scope;
    memcpy(d->conds, x->hp->scope, sizeof x->hp->scope);
    const nr_val *def = nr_spec_arg(a, "default");
    if (def && def->kind != NR_VAL_NONE) {
        d->has_default = 1;
        NR_TRY(to_hp_value(x, a, def, &d->default_value));
    }
    return NR_OK;
}

/* --- the value a call gives ------------------------------------------------ */

static void touch(nr_spec_hp *hp, const char *name) {
    if (!hp->tracking) return;
    if (hp->n_touched == 0) snprintf(hp->touched, sizeof hp->touched, "%s", name);
    else if (strcmp(hp->touched, name)) hp->n_touched = 2;
    if (hp->n_touched == 0) hp->n_touched = 1;
}

static const nr_hp_value *current(const nr_spec_hp *hp, const char *name, nr_hp_value *tmp) {
    if (hp->override_name && !strcmp(hp->override_name, name)) return &hp->override;
    const nr_hp_value *v = nr_hp_values_get(hp->values, name);
    if (v) return v;
    const nr_hp_def *d = nr_hp_space_find(hp->space, name);
    *tmp = d ? nr_hp_def_default(d) : (nr_hp_value){0};
    return tmp;
}

/* Keras Tuner gives None for a hyperparameter whose parent_values miss. */
static int explicit_active(const nr_spec_hp *hp, const nr_hp_cond *c) {
    nr_hp_value tmp;
    const nr_hp_value *v = current(hp, c->parent, &tmp);
    for (int k = 0; k < c->n_values; k++)
        if (nr_hp_value_equal(v, &c->values[k])) return 1;
    return 0;
}

static nr_status hp_value(nr_spec_ctx *x, const nr_spec_args *a, nr_hp_def *d, int explicit_cond, nr_val **out) {
    nr_spec_hp *hp = x->hp;
    nr_status s = nr_hp_space_add(hp->space, d);
    if (s != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    touch(hp, d->name);
    if (explicit_cond >= 0 && !explicit_active(hp, &d->conds[explicit_cond]))
        return (*out = nr_spec_new_val(x, NR_VAL_NONE, a->line, a->col)) ? NR_OK : NR_NOMEM();
    nr_hp_value tmp, v = *current(hp, d->name, &tmp);
    if ((s = nr_hp_def_check(d, &v)) != NR_OK) return nr_spec_fail(x, a->line, a->col, s);
    if (d->kind == NR_HP_FLOAT && v.type == NR_HP_TYPE_INT) v = nr_hp_float((double)v.i);
    return from_hp_value(x, &v, d->name, a->line, a->col, out);
}

static nr_status hp_numeric(nr_spec_ctx *x, nr_spec_args *a, nr_hp_kind kind, nr_val **out) {
    nr_hp_def d;
    int cond, whole = kind == NR_HP_INT;
    NR_TRY(common(x, a, kind, &d));
    if (!nr_spec_given(a, "min_value")) return nr_spec_missing(x, a, "min_value");
    if (!nr_spec_given(a, "max_value")) return nr_spec_missing(x, a, "max_value");
    NR_TRY(get_number(x, a, "min_value", whole, &d.min_value));
    NR_TRY(get_number(x, a, "max_value", whole, &d.max_value));
    NR_TRY(get_number(x, a, "step", whole, &d.step));
    NR_TRY(get_sampling(x, a, &d.sampling));
    NR_TRY(get_parent(x, a, &d, &cond));
    return hp_value(x, a, &d, cond, out);
}

static nr_status hp_int(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) { return hp_numeric(x, a, NR_HP_INT, out); }
static nr_status hp_float(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) { return hp_numeric(x, a, NR_HP_FLOAT, out); }

static nr_status hp_choice(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_hp_def d;
    int cond, ordered = 0;
    NR_TRY(common(x, a, NR_HP_CHOICE, &d));
    if (!nr_spec_given(a, "values")) return nr_spec_missing(x, a, "values");
    const nr_val *v = nr_spec_arg(a, "values");
    if (v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE) return nr_spec_type_error(x, a, "values", "a list");
    NR_TRY(get_values(x, a, "values", d.values, &d.n_values));
    NR_TRY(nr_spec_get_bool(x, a, "ordered", &ordered));
    NR_TRY(get_parent(x, a, &d, &cond));
    return hp_value(x, a, &d, cond, out);
}

static nr_status hp_boolean(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_hp_def d;
    int cond;
    NR_TRY(common(x, a, NR_HP_BOOLEAN, &d));
    NR_TRY(get_parent(x, a, &d, &cond));
    return hp_value(x, a, &d, cond, out);
}

static nr_status hp_fixed(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_hp_def d;
    int cond;
    NR_TRY(common(x, a, NR_HP_FIXED, &d));
    if (!nr_spec_given(a, "value")) return nr_spec_missing(x, a, "value");
    d.n_values = 1;
    NR_TRY(to_hp_value(x, a, nr_spec_arg(a, "value"), &d.values[0]));
    NR_TRY(get_parent(x, a, &d, &cond));
    return hp_value(x, a, &d, cond, out);
}

#define PARENT "parent_name", "parent_values"

const nr_spec_builtin nr_spec_hp_builtins[] = {
    {"Int", {"name", "min_value", "max_value", "step", "sampling", "default", PARENT}, ALL, hp_int, 0},
    {"Float", {"name", "min_value", "max_value", "step", "sampling", "default", PARENT}, ALL, hp_float, 0},
    {"Choice", {"name", "values", "ordered", "default", PARENT}, ALL, hp_choice, 0},
    {"Boolean", {"name", "default", PARENT}, ALL, hp_boolean, 0},
    {"Fixed", {"name", "value", PARENT}, ALL, hp_fixed, 0},
    {NULL, {0}, 0, NULL, 0},
};

/* --- conditional scopes ---------------------------------------------------- */

nr_status nr_spec_hp_name_use(nr_spec_ctx *x, const nr_val *v, nr_val **out) {
    nr_spec_hp *hp = x->hp;
    touch(hp, v->hp);
    if (!hp->override_name || strcmp(hp->override_name, v->hp)) return NR_OK;
    return from_hp_value(x, &hp->override, v->hp, v->line, v->col, out);
}

/* A condition that can be evaluated again with other parent values: no
 * layers, models or anything else with effects, only values and hp calls. */
static int pure(const nr_ast *e) {
    switch (e->kind) {
    case NR_AST_INT:
    case NR_AST_FLOAT:
    case NR_AST_STR:
    case NR_AST_BOOL:
    case NR_AST_NONE:
    case NR_AST_NAME: return 1;
    case NR_AST_NEG: return pure(e->obj);
    case NR_AST_CMP: return pure(e->obj) && pure(e->index);
    case NR_AST_TUPLE:
    case NR_AST_LIST:
        for (int i = 0; i < e->n; i++)
            if (!pure(e->items[i])) return 0;
        return 1;
    case NR_AST_CALL: {
        const nr_ast *f = e->obj;
        if (f->kind != NR_AST_ATTR || f->obj->kind != NR_AST_NAME || strcmp(f->obj->s, "hp")) return 0;
        for (int i = 0; i < e->n; i++)
            if (!pure(e->args[i].value)) return 0;
        return 1;
    }
    default: return 0;
    }
}

static nr_status note_branch(nr_spec_hp *hp, const nr_ast *e, int taken, const nr_hp_cond *c, const nr_hp_value *other) {
    if (hp->n_branches == hp->cap_branches) {
        int cap = hp->cap_branches ? 2 * hp->cap_branches : 8;
        nr_spec_branch *b = nr_realloc(hp->branches, (size_t)cap * sizeof *b);
        if (!b) return NR_NOMEM();
        hp->branches = b;
        hp->cap_branches = cap;
    }
    nr_spec_branch *b = &hp->branches[hp->n_branches++];
    *b = (nr_spec_branch){.line = e->line, .col = e->col, .taken = taken, .has_other = other != NULL};
    snprintf(b->parent, sizeof b->parent, "%s", c->parent);
    if (other) b->other = *other;
    return NR_OK;
}

/* The parent values that make cond come out as taken, found by trying
 * each; *other: one that does not, when there is one. */
static nr_status split_values(nr_spec_ctx *x, const nr_ast *cond, const nr_hp_def *d, int taken, nr_hp_cond *c,
                              nr_hp_value *other, int *has_other) {
    nr_spec_hp *hp = x->hp;
    int64_t n = nr_hp_def_count(d);
    memset(c, 0, sizeof *c);
    snprintf(c->parent, sizeof c->parent, "%s", d->name);
    *has_other = 0;
    nr_status s = NR_OK;
    hp->override_name = d->name;
    for (int64_t k = 0; k < n && s == NR_OK; k++) {
        nr_val *v;
        hp->override = nr_hp_def_grid_value(d, k);
        s = nr_spec_eval(x, cond, &v);
        if (s != NR_OK) break;
        if (nr_spec_truth(v) == taken) c->values[c->n_values++] = hp->override;
        else if (!*has_other) *other = hp->override, *has_other = 1;
    }
    hp->override_name = NULL;
    return s;
}

nr_status nr_spec_hp_choose(nr_spec_ctx *x, const nr_ast *e, const nr_ast **branch, int *scoped) {
    nr_spec_hp *hp = x->hp;
    int tracking = hp->tracking, n_touched = hp->n_touched;
    char touched[NR_HP_MAX_NAME];
    memcpy(touched, hp->touched, sizeof touched);
    hp->tracking = 1;
    hp->n_touched = 0;
    nr_val *c;
    nr_status s = nr_spec_eval(x, e->index, &c);
    int reads_one = hp->n_touched == 1;
    char parent[NR_HP_MAX_NAME];
    memcpy(parent, hp->touched, sizeof parent);
    hp->tracking = tracking, hp->n_touched = n_touched;
    memcpy(hp->touched, touched, sizeof touched);
    NR_TRY(s);
    int taken = nr_spec_truth(c);
    *branch = taken ? e->obj : e->orelse;
    *scoped = 0;
    const nr_hp_def *d = reads_one && pure(e->index) ? nr_hp_space_find(hp->space, parent) : NULL;
    int64_t n = d ? nr_hp_def_count(d) : 0;
    if (n < 1 || n > NR_HP_MAX_VALUES) return NR_OK;
    nr_hp_cond cond;
    nr_hp_value other;
    int has_other;
    NR_TRY(split_values(x, e->index, d, taken, &cond, &other, &has_other));
    NR_TRY(note_branch(hp, e, taken, &cond, has_other ? &other : NULL));
    if (hp->n_scope == NR_HP_MAX_CONDS || cond.n_values == 0) return NR_OK;
    hp->scope[hp->n_scope++] = cond;
    *scoped = 1;
    return NR_OK;
}

void nr_spec_hp_pop(nr_spec_ctx *x) { x->hp->n_scope--; }

nr_status nr_spec_eval_if(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    const nr_ast *branch;
    int scoped;
    NR_TRY(nr_spec_hp_choose(x, e, &branch, &scoped));
    nr_status s = nr_spec_eval(x, branch, out);
    if (scoped) nr_spec_hp_pop(x);
    return s;
}

/* --- the whole space ------------------------------------------------------- */

typedef struct branch_key {
    int line, col, taken;
} branch_key;

typedef struct search {
    nr_hp_values *queue[MAX_SEARCH_LOADS];
    int n_queued, next;
    branch_key seen[2 * MAX_SEARCH_LOADS + 64];
    int n_seen;
} search;

static int seen(const search *q, int line, int col, int taken) {
    for (int i = 0; i < q->n_seen; i++)
        if (q->seen[i].line == line && q->seen[i].col == col && q->seen[i].taken == taken) return 1;
    return 0;
}

static void mark(search *q, int line, int col, int taken) {
    if (!seen(q, line, col, taken) && q->n_seen < (int)(sizeof q->seen / sizeof *q->seen))
        q->seen[q->n_seen++] = (branch_key){line, col, taken};
}

/* Queues the values that take each branch not taken yet. */
static nr_status enqueue_others(search *q, const nr_spec_hp *hp, const nr_hp_values *base) {
    for (int i = 0; i < hp->n_branches; i++) mark(q, hp->branches[i].line, hp->branches[i].col, hp->branches[i].taken);
    for (int i = 0; i < hp->n_branches; i++) {
        const nr_spec_branch *b = &hp->branches[i];
        if (!b->has_other || seen(q, b->line, b->col, !b->taken) || q->n_queued == MAX_SEARCH_LOADS) continue;
        mark(q, b->line, b->col, !b->taken);
        NR_TRY(nr_hp_values_copy(base, &q->queue[q->n_queued]));
        q->n_queued++;
        NR_TRY(nr_hp_values_set(q->queue[q->n_queued - 1], b->parent, &b->other));
    }
    return NR_OK;
}

nr_status nr_spec_search_space_string(const char *text, const char *filename, nr_hp_space *space) {
    search *q = nr_calloc(1, sizeof *q);
    if (!q) return NR_NOMEM();
    nr_status s = nr_hp_values_new(&q->queue[0]);
    q->n_queued = s == NR_OK;
    while (s == NR_OK && q->next < q->n_queued) {
        nr_spec_hp hp = {.values = q->queue[q->next], .space = space};
        nr_spec *spec = NULL;
        s = nr_spec_load_hp(text, filename, 0, &hp, &spec);
        nr_spec_free(spec);
        if (s == NR_OK) s = enqueue_others(q, &hp, q->queue[q->next]);
        nr_spec_hp_done(&hp);
        q->next++;
    }
    for (int i = 0; i < q->n_queued; i++) nr_hp_values_free(q->queue[i]);
    nr_free(q);
    return s;
}
