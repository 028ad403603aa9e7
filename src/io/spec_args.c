/* Arguments of SPEC calls: matching positional and keyword arguments to a
 * constructor's Keras parameters, typed reads with errors that say which
 * argument wanted what and where, and the shared error helpers. */
#include <math.h>
#include <string.h>
#include "core/suggest.h"
#include "io/spec_build.h"

/* Keyword arguments every Keras layer takes (base Layer.__init__). */
static const char *const layer_common[] = {"name",      "trainable",         "dtype", "input_shape",
                                           "input_dim", "batch_input_shape", NULL};

nr_status nr_spec_error(const nr_spec_ctx *x, int line, int col, nr_status s, const char *fmt, ...) {
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nr_error(s, "%s:%d:%d: %s", x->file, line, col, msg);
}

nr_status nr_spec_fail(const nr_spec_ctx *x, int line, int col, nr_status s) {
    return nr_error_prefix(s, "%s:%d:%d", x->file, line, col);
}

nr_status nr_spec_unknown(const nr_spec_ctx *x, int line, int col, const char *what, const char *word,
                          const char *const *valid, int n) {
    char hint[512];
    nr_suggest(word, valid, n, hint, sizeof hint);
    return nr_spec_error(x, line, col, NR_STATUS_PARSE, "unknown %s '%.64s'%s%s", what, word, hint[0] ? "; " : "",
                         hint);
}

const char *nr_spec_describe(const nr_val *v, char *buf, size_t size) {
    switch (v->kind) {
    case NR_VAL_NONE: snprintf(buf, size, "None"); break;
    case NR_VAL_BOOL: snprintf(buf, size, "%s", v->u.i ? "True" : "False"); break;
    case NR_VAL_INT: snprintf(buf, size, "int %lld", (long long)v->u.i); break;
    case NR_VAL_FLOAT: snprintf(buf, size, "float %g", v->u.f); break;
    case NR_VAL_STR: snprintf(buf, size, "string \"%.40s\"", v->u.s); break;
    case NR_VAL_TUPLE: snprintf(buf, size, "a tuple of %d", v->u.seq.n); break;
    case NR_VAL_LIST: snprintf(buf, size, "a list of %d", v->u.seq.n); break;
    case NR_VAL_DICT: snprintf(buf, size, "a dict"); break;
    case NR_VAL_TENSOR: snprintf(buf, size, "a tensor"); break;
    case NR_VAL_LAYER: snprintf(buf, size, "layer \"%s\" (%s)", v->u.layer->name, v->u.layer->cls->type); break;
    case NR_VAL_MODEL: snprintf(buf, size, "model \"%s\"", v->u.model->name); break;
    case NR_VAL_FUNC: snprintf(buf, size, "%s (a constructor, not called)", v->u.fn->name); break;
    case NR_VAL_METHOD: snprintf(buf, size, "method %s (not called)", v->u.method.fn->name); break;
    case NR_VAL_MODULE: snprintf(buf, size, "module %s", v->u.s); break;
    case NR_VAL_ACTIVATION: snprintf(buf, size, "activation %s", nr_activation_name(v->u.act)); break;
    case NR_VAL_OPTIMIZER: snprintf(buf, size, "optimizer %s", nr_optimizer_name(v->u.opt->kind)); break;
    case NR_VAL_SCHEDULE: snprintf(buf, size, "a learning-rate schedule"); break;
    case NR_VAL_LOSS: snprintf(buf, size, "loss %s", nr_loss_name(v->u.loss.kind)); break;
    case NR_VAL_METRIC: snprintf(buf, size, "metric %s", nr_metric_name(v->u.metric)); break;
    case NR_VAL_INIT: snprintf(buf, size, "initializer %s", nr_init_name(v->u.init.kind)); break;
    case NR_VAL_REGULARIZER: snprintf(buf, size, "a regularizer"); break;
    case NR_VAL_CALLBACK: snprintf(buf, size, "a callback"); break;
    case NR_VAL_HISTORY: snprintf(buf, size, "the History that fit() returns"); break;
    }
    return buf;
}

/* --- binding ------------------------------------------------------------- */

static const char *bare(const char *param) { return param[0] == '~' ? param + 1 : param; }

static int find_slot(const nr_spec_args *a, const char *name) {
    for (int i = 0; i < a->n; i++)
        if (strcmp(bare(a->names[i]), name) == 0) return i;
    return -1;
}

static int own_params(const nr_spec_builtin *fn) {
    int n = 0;
    while (n < NR_SPEC_MAX_PARAMS && fn->params[n]) n++;
    return n;
}

static nr_status too_many(const nr_spec_ctx *x, const nr_spec_args *a, const nr_ast_arg *arg, int max) {
    char list[256] = "";
    size_t k = 0;
    for (int i = 0; i < max && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", bare(a->names[i]));
    if (max == 0)
        return nr_spec_error(x, arg->line, arg->col, NR_STATUS_PARSE,
                             "%s takes no positional arguments; give them by keyword", a->what);
    return nr_spec_error(x, arg->line, arg->col, NR_STATUS_PARSE,
                         "%s takes at most %d positional argument%s (%s); give the others by keyword", a->what, max,
                         max == 1 ? "" : "s", list);
}

static nr_status unknown_keyword(const nr_spec_ctx *x, const nr_spec_args *a, const nr_ast_arg *arg) {
    const char *valid[2 * NR_SPEC_MAX_PARAMS];
    for (int i = 0; i < a->n; i++) valid[i] = bare(a->names[i]);
    char hint[512];
    nr_suggest(arg->name, valid, a->n, hint, sizeof hint);
    return nr_spec_error(x, arg->line, arg->col, NR_STATUS_PARSE, "%s: unknown argument '%.64s'%s%s", a->what,
                         arg->name, hint[0] ? "; " : "", hint);
}

static nr_status place(nr_spec_ctx *x, nr_spec_args *a, const nr_ast_arg *arg, int *positional, int max_pos) {
    int slot;
    if (!arg->name) {
        if (*positional >= max_pos) return too_many(x, a, arg, max_pos);
        slot = (*positional)++;
    } else if ((slot = find_slot(a, arg->name)) < 0) {
        return unknown_keyword(x, a, arg);
    }
    if (a->ast[slot])
        return nr_spec_error(x, arg->line, arg->col, NR_STATUS_PARSE, "%s: argument '%s' given twice", a->what,
                             bare(a->names[slot]));
    a->ast[slot] = arg->value;
    return NR_OK;
}

nr_status nr_spec_bind(nr_spec_ctx *x, const nr_spec_builtin *fn, const char *what, const nr_ast *call, nr_val *self,
                       nr_spec_args *a) {
    memset(a, 0, sizeof *a);
    a->fn = fn;
    snprintf(a->what, sizeof a->what, "%s", what);
    a->line = call->line;
    a->col = call->col;
    a->self = self;
    int own = own_params(fn);
    for (int i = 0; i < own; i++) a->names[a->n++] = fn->params[i];
    if (fn->flags & NR_SPEC_LAYER)
        for (int i = 0; layer_common[i]; i++)
            if (find_slot(a, layer_common[i]) < 0) a->names[a->n++] = layer_common[i];
    int positional = 0, max_pos = fn->n_positional < own ? fn->n_positional : own;
    for (int i = 0; i < call->n; i++) NR_TRY(place(x, a, &call->args[i], &positional, max_pos));
    for (int i = 0; i < a->n; i++)
        if (a->ast[i] && a->names[i][0] != '~') NR_TRY(nr_spec_eval(x, a->ast[i], &a->val[i]));
    return NR_OK;
}

nr_val *nr_spec_arg(const nr_spec_args *a, const char *name) {
    int i = find_slot(a, name);
    return i < 0 ? NULL : a->val[i];
}

const nr_ast *nr_spec_arg_ast(const nr_spec_args *a, const char *name) {
    int i = find_slot(a, name);
    return i < 0 ? NULL : a->ast[i];
}

int nr_spec_given(const nr_spec_args *a, const char *name) {
    const nr_val *v = nr_spec_arg(a, name);
    return v && v->kind != NR_VAL_NONE;
}

/* --- typed reads ---------------------------------------------------------- */

nr_status nr_spec_type_error(const nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char *expected) {
    const nr_val *v = nr_spec_arg(a, name);
    char got[128];
    if (!v)
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: %s must be %s", a->what, name, expected);
    return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: %s must be %s, got %s", a->what, name,
                         expected, nr_spec_describe(v, got, sizeof got));
}

nr_status nr_spec_missing(const nr_spec_ctx *x, const nr_spec_args *a, const char *name) {
    return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT, "%s: missing required argument '%s'", a->what,
                         name);
}

nr_status nr_spec_only_default(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char *why) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    char got[128];
    return nr_spec_error(x, v->line, v->col, NR_STATUS_UNSUPPORTED, "%s: %s=%s is not supported%s%s", a->what, name,
                         nr_spec_describe(v, got, sizeof got), why ? "; " : "", why ? why : "");
}

int nr_spec_is_number(const nr_val *v) { return v->kind == NR_VAL_INT || v->kind == NR_VAL_FLOAT; }
double nr_spec_number(const nr_val *v) { return v->kind == NR_VAL_INT ? (double)v->u.i : v->u.f; }

nr_status nr_spec_get_int(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int64_t lo, int64_t hi,
                          int64_t *out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind != NR_VAL_INT) return nr_spec_type_error(x, a, name, "an int");
    if (v->u.i < lo || v->u.i > hi)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: %s must be in [%lld, %lld], got %lld",
                             a->what, name, (long long)lo, (long long)hi, (long long)v->u.i);
    *out = v->u.i;
    return NR_OK;
}

nr_status nr_spec_get_int32(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int lo, int hi, int *out) {
    int64_t v = *out;
    NR_TRY(nr_spec_get_int(x, a, name, lo, hi, &v));
    *out = (int)v;
    return NR_OK;
}

nr_status nr_spec_get_float(nr_spec_ctx *x, const nr_spec_args *a, const char *name, float *out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (!nr_spec_is_number(v)) return nr_spec_type_error(x, a, name, "a number");
    double d = nr_spec_number(v);
    if (!isfinite(d) || fabs(d) > 3.0e38)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: %s must be a finite number, got %g",
                             a->what, name, d);
    *out = (float)d;
    return NR_OK;
}

nr_status nr_spec_get_bool(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int *out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind != NR_VAL_BOOL) return nr_spec_type_error(x, a, name, "True or False");
    *out = (int)v->u.i;
    return NR_OK;
}

nr_status nr_spec_get_str(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char **out) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind != NR_VAL_STR) return nr_spec_type_error(x, a, name, "a string");
    *out = v->u.s;
    return NR_OK;
}

static nr_status shape_item(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const nr_val *d, int allow_unknown,
                            int64_t *out) {
    if (d->kind == NR_VAL_NONE)
        return nr_spec_error(x, d->line, d->col, NR_STATUS_UNSUPPORTED,
                             "%s: %s: None (a dimension of variable size) is not supported; give its size", a->what,
                             name);
    if (d->kind != NR_VAL_INT) {
        char got[128];
        return nr_spec_error(x, d->line, d->col, NR_STATUS_BAD_ARGUMENT, "%s: %s must hold ints, got %s", a->what, name,
                             nr_spec_describe(d, got, sizeof got));
    }
    if (!(d->u.i >= 1 || (allow_unknown && d->u.i == -1)) || d->u.i > NR_SPEC_MAX_DIM)
        return nr_spec_error(x, d->line, d->col, NR_STATUS_BAD_SHAPE, "%s: %s: dimension %lld is not in [1, %lld]%s",
                             a->what, name, (long long)d->u.i, (long long)NR_SPEC_MAX_DIM,
                             allow_unknown ? " or -1" : "");
    *out = d->u.i;
    return NR_OK;
}

/* Items [first, n) of a tuple or list as a per-sample shape. */
static nr_status read_shape(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const nr_val *v, int first,
                            int allow_unknown, int64_t *dims, int *ndim) {
    int n = v->u.seq.n - first;
    if (n < 1 || n > NR_MAX_DIMS - 1)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_SHAPE, "%s: %s must have 1 to %d dimensions%s, got %d",
                             a->what, name, NR_MAX_DIMS - 1, first ? " after the batch size" : "", n);
    int64_t total = 1;
    for (int i = 0; i < n; i++) {
        NR_TRY(shape_item(x, a, name, v->u.seq.items[first + i], allow_unknown, &dims[i]));
        total *= dims[i] > 0 ? dims[i] : 1;
        if (total > NR_SPEC_MAX_DIM)
            return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_SHAPE, "%s: %s has more than %lld values per sample",
                                 a->what, name, (long long)NR_SPEC_MAX_DIM);
    }
    *ndim = n;
    return NR_OK;
}

nr_status nr_spec_get_shape(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int allow_unknown, int64_t *dims,
                            int *ndim) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind == NR_VAL_INT) {
        char want[96];
        snprintf(want, sizeof want, "a tuple of ints, like (%lld,)", (long long)v->u.i);
        return nr_spec_type_error(x, a, name, want);
    }
    if (v->kind != NR_VAL_TUPLE && v->kind != NR_VAL_LIST) return nr_spec_type_error(x, a, name, "a tuple of ints");
    return read_shape(x, a, name, v, 0, allow_unknown, dims, ndim);
}

nr_status nr_spec_get_batch_shape(nr_spec_ctx *x, const nr_spec_args *a, const char *name, int64_t *dims, int *ndim) {
    const nr_val *v = nr_spec_arg(a, name);
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if ((v->kind != NR_VAL_TUPLE && v->kind != NR_VAL_LIST) || v->u.seq.n < 1 ||
        (v->u.seq.items[0]->kind != NR_VAL_NONE && v->u.seq.items[0]->kind != NR_VAL_INT))
        return nr_spec_type_error(x, a, name, "a tuple starting with the batch size or None, like (None, 64)");
    return read_shape(x, a, name, v, 1, 0, dims, ndim);
}

nr_status nr_spec_check_name(nr_spec_ctx *x, const nr_spec_args *a, const char *name, const char **out) {
    const char *s = NULL;
    NR_TRY(nr_spec_get_str(x, a, name, &s));
    if (!s) return NR_OK;
    const nr_val *v = nr_spec_arg(a, name);
    size_t n = strlen(s);
    if (n == 0 || n > 63)
        return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT, "%s: %s must be 1 to 63 characters", a->what,
                             name);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 32 || s[i] == '"' || s[i] == '\\' || s[i] == 127)
            return nr_spec_error(x, v->line, v->col, NR_STATUS_BAD_ARGUMENT,
                                 "%s: %s must not hold double quotes, backslashes or control characters", a->what,
                                 name);
    *out = s;
    return NR_OK;
}
