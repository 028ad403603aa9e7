/* The search space: hyperparameter definitions checked as Keras Tuner
 * checks them, their defaults, conditions, and the mapping between
 * values and probabilities that the tuners sample in. */
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "tune/hp_internal.h"

struct nr_hp_space {
    int n, cap;
    nr_hp_def *defs;
};

const char *nr_hp_kind_name(nr_hp_kind k) {
    static const char *const names[] = {"?", "Int", "Float", "Choice", "Boolean", "Fixed"};
    return (unsigned)k <= NR_HP_FIXED ? names[k] : "?";
}

nr_hp_value nr_hp_def_default(const nr_hp_def *d) {
    if (d->has_default) {
        if (d->kind == NR_HP_FLOAT && d->default_value.type == NR_HP_TYPE_INT)
            return nr_hp_float((double)d->default_value.i);
        return d->default_value;
    }
    switch (d->kind) {
    case NR_HP_INT: return nr_hp_int((int64_t)d->min_value);
    case NR_HP_FLOAT: return nr_hp_float(d->min_value);
    case NR_HP_BOOLEAN: return nr_hp_bool(0);
    default: return d->values[0];
    }
}

/* An Int without a step takes every integer, whatever its sampling. */
static double int_step(const nr_hp_def *d) { return d->step > 0 ? d->step : d->sampling == NR_HP_LINEAR ? 1 : 0; }

/* Values a step divides [min, max] into; a log step multiplies. */
static int64_t step_count(const nr_hp_def *d) {
    double step = d->kind == NR_HP_INT ? int_step(d) : d->step;
    if (d->sampling == NR_HP_LINEAR) return (int64_t)floor((d->max_value - d->min_value) / step + 1e-9) + 1;
    return (int64_t)floor(log(d->max_value / d->min_value) / log(step) + 1e-9) + 1;
}

int64_t nr_hp_def_count(const nr_hp_def *d) {
    switch (d->kind) {
    case NR_HP_INT: return int_step(d) > 0 ? step_count(d) : (int64_t)(d->max_value - d->min_value) + 1;
    case NR_HP_FLOAT: return d->step > 0 ? step_count(d) : 0;
    case NR_HP_CHOICE: return d->n_values;
    case NR_HP_BOOLEAN: return 2;
    default: return 1;
    }
}

static double stepped(const nr_hp_def *d, int64_t k) {
    double step = d->kind == NR_HP_INT ? int_step(d) : d->step;
    if (step <= 0) return d->min_value + (double)k;   /* an Int under log sampling, every integer */
    if (d->sampling == NR_HP_LINEAR) return d->min_value + (double)k * step;
    double grown = d->min_value * pow(step, (double)k);
    return d->sampling == NR_HP_LOG ? grown : d->max_value + d->min_value - grown;
}

static nr_hp_value numeric(const nr_hp_def *d, double x) {
    if (d->kind == NR_HP_INT) return nr_hp_int((int64_t)llround(x));
    return nr_hp_float(x);
}

nr_hp_value nr_hp_def_grid_value(const nr_hp_def *d, int64_t k) {
    switch (d->kind) {
    case NR_HP_INT:
    case NR_HP_FLOAT: {
        int64_t n = nr_hp_def_count(d);
        /* reverse_log grows from max downwards: list it increasing. */
        return numeric(d, stepped(d, d->sampling == NR_HP_REVERSE_LOG ? n - 1 - k : k));
    }
    case NR_HP_CHOICE: return d->values[k];
    case NR_HP_BOOLEAN: return nr_hp_bool(k == 1);
    default: return d->values[0];
    }
}

/* Keras Tuner's continuous mapping over [min, max]. */
static double from_prob(nr_hp_sampling sampling, double lo, double hi, double p) {
    if (sampling == NR_HP_LINEAR) return lo + p * (hi - lo);
    if (sampling == NR_HP_LOG) return lo * pow(hi / lo, p);
    return hi + lo - lo * pow(hi / lo, 1 - p);
}

static double to_prob(nr_hp_sampling sampling, double lo, double hi, double x) {
    if (hi == lo) return 0.5;
    if (sampling == NR_HP_LINEAR) return (x - lo) / (hi - lo);
    if (sampling == NR_HP_LOG) return log(x / lo) / log(hi / lo);
    return 1 - log((hi + lo - x) / lo) / log(hi / lo);
}

static int64_t prob_index(double p, int64_t n) {
    int64_t k = (int64_t)(p * (double)n);
    return k < 0 ? 0 : k >= n ? n - 1 : k;
}

nr_hp_value nr_hp_def_from_prob(const nr_hp_def *d, double p) {
    if (d->kind == NR_HP_INT && int_step(d) <= 0)
        return nr_hp_int((int64_t)floor(from_prob(d->sampling, d->min_value, d->max_value + 1, p)));
    if (d->kind == NR_HP_FLOAT && d->step <= 0) return nr_hp_float(from_prob(d->sampling, d->min_value, d->max_value, p));
    if (d->kind == NR_HP_INT || d->kind == NR_HP_FLOAT) return numeric(d, stepped(d, prob_index(p, step_count(d))));
    return nr_hp_def_grid_value(d, prob_index(p, nr_hp_def_count(d)));
}

static int64_t index_of(const nr_hp_def *d, const nr_hp_value *v) {
    int64_t n = nr_hp_def_count(d);
    for (int64_t k = 0; k < n && k < NR_HP_MAX_VALUES; k++) {
        nr_hp_value g = nr_hp_def_grid_value(d, k);
        if (nr_hp_value_equal(&g, v)) return k;
    }
    return 0;
}

double nr_hp_def_to_prob(const nr_hp_def *d, const nr_hp_value *v) {
    double x = v->type == NR_HP_TYPE_INT || v->type == NR_HP_TYPE_BOOL ? (double)v->i : v->f;
    if (d->kind == NR_HP_INT && int_step(d) <= 0)
        return to_prob(d->sampling, d->min_value, d->max_value + 1, x + 0.5);
    if (d->kind == NR_HP_FLOAT && d->step <= 0) return to_prob(d->sampling, d->min_value, d->max_value, x);
    if (d->kind == NR_HP_INT || d->kind == NR_HP_FLOAT) {
        double step = d->kind == NR_HP_INT ? int_step(d) : d->step, k;
        if (d->sampling == NR_HP_LINEAR) k = floor((x - d->min_value) / step + 1e-9);
        else if (d->sampling == NR_HP_LOG) k = floor(log(x / d->min_value) / log(step) + 1e-9);
        else k = floor(log((d->max_value - x + d->min_value) / d->min_value) / log(step) + 1e-9);
        return (k + 0.5) / (double)step_count(d);
    }
    return ((double)index_of(d, v) + 0.5) / (double)nr_hp_def_count(d);
}

/* --- checks ---------------------------------------------------------------- */

static nr_status bad(const nr_hp_def *d, const char *why) {
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s(\"%s\"): %s", nr_hp_kind_name(d->kind), d->name, why);
}

static int whole(double x) { return x == floor(x) && fabs(x) < 9.0e15; }

static nr_status check_range(const nr_hp_def *d) {
    if (!isfinite(d->min_value) || !isfinite(d->max_value) || !isfinite(d->step))
        return bad(d, "min_value, max_value and step must be finite numbers");
    if (d->min_value > d->max_value) return bad(d, "min_value must not exceed max_value");
    if (d->kind == NR_HP_INT && (!whole(d->min_value) || !whole(d->max_value) || !whole(d->step)))
        return bad(d, "min_value, max_value and step must be whole numbers");
    if ((unsigned)d->sampling > NR_HP_REVERSE_LOG) return bad(d, "sampling must be linear, log or reverse_log");
    if (d->sampling != NR_HP_LINEAR && d->min_value <= 0)
        return bad(d, "log and reverse_log sampling need min_value > 0");
    if (d->step < 0) return bad(d, "step must be positive");
    if (d->step > 0 && d->sampling != NR_HP_LINEAR && d->step <= 1)
        return bad(d, "under log sampling step is a factor and must exceed 1");
    if (d->kind == NR_HP_INT && d->max_value - d->min_value > 1e12) return bad(d, "the range is too wide");
    return NR_OK;
}

static nr_status check_choice(const nr_hp_def *d) {
    int max = d->kind == NR_HP_FIXED ? 1 : NR_HP_MAX_VALUES;
    if (d->n_values < 1 || d->n_values > max) {
        char why[96];
        snprintf(why, sizeof why, "needs 1 to %d values, got %d", max, d->n_values);
        return bad(d, why);
    }
    for (int i = 0; i < d->n_values; i++) {
        const nr_hp_value *v = &d->values[i];
        if (v->type < NR_HP_TYPE_INT || v->type > NR_HP_TYPE_STR) return bad(d, "values must be ints, floats, bools or strings");
        if (v->type != d->values[0].type) return bad(d, "values must all be of one type");
        if (v->type == NR_HP_TYPE_FLOAT && !isfinite(v->f)) return bad(d, "values must be finite");
        for (int j = 0; j < i; j++)
            if (nr_hp_value_equal(v, &d->values[j])) return bad(d, "values must be distinct");
    }
    return NR_OK;
}

nr_status nr_hp_def_check(const nr_hp_def *d, const nr_hp_value *v) {
    char got[64];
    nr_hp_value_str(v, got, sizeof got);
    switch (d->kind) {
    case NR_HP_INT:
        if (v->type != NR_HP_TYPE_INT || v->i < d->min_value || v->i > d->max_value) break;
        return NR_OK;
    case NR_HP_FLOAT: {
        int num = v->type == NR_HP_TYPE_INT || v->type == NR_HP_TYPE_FLOAT;
        double x = v->type == NR_HP_TYPE_INT ? (double)v->i : v->f;
        if (!num || !(x >= d->min_value && x <= d->max_value)) break;
        return NR_OK;
    }
    case NR_HP_BOOLEAN:
        if (v->type != NR_HP_TYPE_BOOL) break;
        return NR_OK;
    default:
        for (int i = 0; i < d->n_values; i++)
            if (nr_hp_value_equal(v, &d->values[i])) return NR_OK;
    }
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s(\"%s\"): %s is not one of its values", nr_hp_kind_name(d->kind),
                    d->name, got);
}

static nr_status check_def(const nr_hp_def *d) {
    size_t n = strnlen(d->name, NR_HP_MAX_NAME);
    if (n == 0 || n == NR_HP_MAX_NAME)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "a hyperparameter name must have 1 to %d bytes", NR_HP_MAX_NAME - 1);
    if (d->kind < NR_HP_INT || d->kind > NR_HP_FIXED)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "hyperparameter \"%s\": kind must be Int, Float, Choice, Boolean or "
                        "Fixed", d->name);
    if (d->kind == NR_HP_INT || d->kind == NR_HP_FLOAT) NR_TRY(check_range(d));
    if (d->kind == NR_HP_CHOICE || d->kind == NR_HP_FIXED) NR_TRY(check_choice(d));
    if (d->n_conds < 0 || d->n_conds > NR_HP_MAX_CONDS) return bad(d, "too many conditions");
    for (int i = 0; i < d->n_conds; i++) {
        const nr_hp_cond *c = &d->conds[i];
        size_t k = strnlen(c->parent, NR_HP_MAX_NAME);
        if (k == 0 || k == NR_HP_MAX_NAME || c->n_values < 1 || c->n_values > NR_HP_MAX_VALUES)
            return bad(d, "a condition needs a parent_name and 1 to 32 parent_values");
        if (!strcmp(c->parent, d->name)) return bad(d, "a hyperparameter cannot be its own parent");
    }
    if (d->has_default) {
        nr_hp_value def = nr_hp_def_default(d);
        NR_TRY(nr_hp_def_check(d, &def));
    }
    return NR_OK;
}

/* --- the space ------------------------------------------------------------- */

nr_status nr_hp_space_new(nr_hp_space **out) {
    *out = nr_calloc(1, sizeof **out);
    return *out ? NR_OK : NR_NOMEM();
}

void nr_hp_space_free(nr_hp_space *s) {
    if (!s) return;
    nr_free(s->defs);
    nr_free(s);
}

static int same_def(const nr_hp_def *a, const nr_hp_def *b) {
    if (a->kind != b->kind || a->min_value != b->min_value || a->max_value != b->max_value || a->step != b->step ||
        a->sampling != b->sampling || a->n_values != b->n_values)
        return 0;
    nr_hp_value da = nr_hp_def_default(a), db = nr_hp_def_default(b);
    if (!nr_hp_value_equal(&da, &db)) return 0;
    for (int i = 0; i < a->n_values; i++)
        if (!nr_hp_value_equal(&a->values[i], &b->values[i])) return 0;
    return 1;
}

static int same_conds(const nr_hp_def *a, const nr_hp_def *b) {
    if (a->n_conds != b->n_conds) return 0;
    for (int i = 0; i < a->n_conds; i++) {
        const nr_hp_cond *x = &a->conds[i], *y = &b->conds[i];
        if (strcmp(x->parent, y->parent) || x->n_values != y->n_values) return 0;
        for (int k = 0; k < x->n_values; k++)
            if (!nr_hp_value_equal(&x->values[k], &y->values[k])) return 0;
    }
    return 1;
}

nr_status nr_hp_space_add(nr_hp_space *s, const nr_hp_def *d) {
    NR_TRY(check_def(d));
    for (int i = 0; i < s->n; i++) {
        nr_hp_def *old = &s->defs[i];
        if (strcmp(old->name, d->name)) continue;
        if (!same_def(old, d))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "hyperparameter \"%s\" is defined twice, as %s and as %s, with "
                            "different ranges, values or defaults", d->name, nr_hp_kind_name(old->kind),
                            nr_hp_kind_name(d->kind));
        /* Registered under other conditions too: active whenever used. */
        if (!same_conds(old, d)) old->n_conds = 0;
        return NR_OK;
    }
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 8;
        nr_hp_def *defs = nr_realloc(s->defs, (size_t)cap * sizeof *defs);
        if (!defs) return NR_NOMEM();
        s->defs = defs;
        s->cap = cap;
    }
    s->defs[s->n] = *d;
    s->defs[s->n].name[NR_HP_MAX_NAME - 1] = 0;
    s->n++;
    return NR_OK;
}

int nr_hp_space_count(const nr_hp_space *s) { return s->n; }
const nr_hp_def *nr_hp_space_get(const nr_hp_space *s, int i) { return i >= 0 && i < s->n ? &s->defs[i] : NULL; }

const nr_hp_def *nr_hp_space_find(const nr_hp_space *s, const char *name) {
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->defs[i].name, name)) return &s->defs[i];
    return NULL;
}

/* depth bounds a cycle of parents (a -> b -> a), which is never active. */
static int active(const nr_hp_space *s, const nr_hp_def *d, const nr_hp_values *values, int depth) {
    if (depth > s->n) return 0;
    for (int i = 0; i < d->n_conds; i++) {
        const nr_hp_cond *c = &d->conds[i];
        const nr_hp_def *p = nr_hp_space_find(s, c->parent);
        if (!p || !active(s, p, values, depth + 1)) return 0;
        const nr_hp_value *v = nr_hp_values_get(values, c->parent);
        nr_hp_value def = nr_hp_def_default(p);
        if (!v) v = &def;
        int hit = 0;
        for (int k = 0; k < c->n_values && !hit; k++) hit = nr_hp_value_equal(v, &c->values[k]);
        if (!hit) return 0;
    }
    return 1;
}

int nr_hp_space_active(const nr_hp_space *s, const nr_hp_def *d, const nr_hp_values *values) {
    return active(s, d, values, 0);
}
