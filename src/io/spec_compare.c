/* Comparisons in SPEC expressions, as Python compares: numbers (ints,
 * floats and booleans) by value, strings by their bytes, None only
 * equal to None, and "in" / "not in" a list or tuple. They exist for
 * conditional expressions over hyperparameters:
 *   Dense(64) if hp.Int("layers", 1, 3) >= 2 else None */
#include <string.h>
#include "io/spec_build.h"

static int numeric(const nr_val *v) { return nr_spec_is_number(v) || v->kind == NR_VAL_BOOL; }
static double as_number(const nr_val *v) { return v->kind == NR_VAL_FLOAT ? v->u.f : (double)v->u.i; }

static int equal(const nr_val *a, const nr_val *b) {
    if (numeric(a) && numeric(b)) return as_number(a) == as_number(b);
    if (a->kind != b->kind) return 0;
    if (a->kind == NR_VAL_STR) return strcmp(a->u.s, b->u.s) == 0;
    return a->kind == NR_VAL_NONE;
}

static int member(const nr_val *v, const nr_val *seq) {
    for (int i = 0; i < seq->u.seq.n; i++)
        if (equal(v, seq->u.seq.items[i])) return 1;
    return 0;
}

/* a OP b for an ordering OP: -1 when the two cannot be ordered. */
static int order(const char *op, const nr_val *a, const nr_val *b) {
    int c;
    if (numeric(a) && numeric(b)) {
        double x = as_number(a), y = as_number(b);
        c = x < y ? -1 : x > y ? 1 : 0;
    } else if (a->kind == NR_VAL_STR && b->kind == NR_VAL_STR) {
        c = strcmp(a->u.s, b->u.s);
    } else {
        return -1;
    }
    if (!strcmp(op, "<")) return c < 0;
    if (!strcmp(op, "<=")) return c <= 0;
    if (!strcmp(op, ">")) return c > 0;
    return c >= 0;
}

nr_status nr_spec_eval_compare(nr_spec_ctx *x, const nr_ast *e, nr_val **out) {
    nr_val *a, *b;
    char wa[128], wb[128];
    NR_TRY(nr_spec_eval(x, e->obj, &a));
    NR_TRY(nr_spec_eval(x, e->index, &b));
    int r;
    if (!strcmp(e->s, "==") || !strcmp(e->s, "!=")) {
        r = equal(a, b) == (e->s[0] == '=');
    } else if (!strcmp(e->s, "in") || !strcmp(e->s, "not in")) {
        if (b->kind != NR_VAL_LIST && b->kind != NR_VAL_TUPLE)
            return nr_spec_error(x, b->line, b->col, NR_STATUS_BAD_ARGUMENT, "'%s' needs a list or tuple, got %s",
                                 e->s, nr_spec_describe(b, wb, sizeof wb));
        r = member(a, b) == (e->s[0] == 'i');
    } else if ((r = order(e->s, a, b)) < 0) {
        return nr_spec_error(x, e->line, e->col, NR_STATUS_BAD_ARGUMENT, "cannot compare %s %s %s", 
                             nr_spec_describe(a, wa, sizeof wa), e->s, nr_spec_describe(b, wb, sizeof wb));
    }
    nr_val *v = nr_spec_new_val(x, NR_VAL_BOOL, e->line, e->col);
    if (!v) return NR_NOMEM();
    v->u.i = r;
    *out = v;
    return NR_OK;
}

int nr_spec_truth(const nr_val *v) {
    switch (v->kind) {
    case NR_VAL_NONE: return 0;
    case NR_VAL_BOOL:
    case NR_VAL_INT: return v->u.i != 0;
    case NR_VAL_FLOAT: return v->u.f != 0;
    case NR_VAL_STR: return v->u.s[0] != 0;
    case NR_VAL_TUPLE:
    case NR_VAL_LIST:
    case NR_VAL_DICT: return v->u.seq.n > 0;
    default: return 1;
    }
}
