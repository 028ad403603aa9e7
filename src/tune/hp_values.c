/* Hyperparameter values: single values (an int, a float, a bool or a
 * string, compared and printed as Python does) and the name -> value
 * sets that a trial tries. */
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "tune/hp_internal.h"

struct nr_hp_values {
    int n, cap;
    char (*names)[NR_HP_MAX_NAME];
    nr_hp_value *vals;
};

nr_hp_value nr_hp_int(int64_t v) { return (nr_hp_value){.type = NR_HP_TYPE_INT, .i = v}; }
nr_hp_value nr_hp_float(double v) { return (nr_hp_value){.type = NR_HP_TYPE_FLOAT, .f = v}; }
nr_hp_value nr_hp_bool(int v) { return (nr_hp_value){.type = NR_HP_TYPE_BOOL, .i = v != 0}; }

nr_hp_value nr_hp_str(const char *v) {
    nr_hp_value r = {.type = NR_HP_TYPE_STR};
    snprintf(r.s, sizeof r.s, "%s", v);
    return r;
}

static int is_number(const nr_hp_value *v) { return v->type == NR_HP_TYPE_INT || v->type == NR_HP_TYPE_FLOAT; }
static double number(const nr_hp_value *v) { return v->type == NR_HP_TYPE_INT ? (double)v->i : v->f; }

int nr_hp_value_equal(const nr_hp_value *a, const nr_hp_value *b) {
    if (is_number(a) && is_number(b)) return number(a) == number(b);
    if (a->type != b->type) return 0;
    if (a->type == NR_HP_TYPE_STR) return strcmp(a->s, b->s) == 0;
    return a->type == NR_HP_NONE || a->i == b->i;
}

/* The shortest digits that read back as the same double, as Python's repr. */
static void shortest(double f, char *buf, size_t size) {
    if (!isfinite(f)) {
        snprintf(buf, size, "%s", isnan(f) ? "nan" : f > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, f);
        if (strtod(buf, NULL) == f) break;
    }
    if (!strpbrk(buf, ".e")) strncat(buf, ".0", size - strlen(buf) - 1);
}

const char *nr_hp_value_str(const nr_hp_value *v, char *buf, size_t size) {
    switch (v->type) {
    case NR_HP_TYPE_INT: snprintf(buf, size, "%lld", (long long)v->i); break;
    case NR_HP_TYPE_FLOAT: shortest(v->f, buf, size); break;
    case NR_HP_TYPE_BOOL: snprintf(buf, size, "%s", v->i ? "True" : "False"); break;
    case NR_HP_TYPE_STR: snprintf(buf, size, "'%s'", v->s); break;
    default: snprintf(buf, size, "None"); break;
    }
    return buf;
}

const char *nr_hp_value_brief(const nr_hp_value *v, char *buf, size_t size) {
    if (v->type != NR_HP_TYPE_FLOAT) return nr_hp_value_str(v, buf, size);
    snprintf(buf, size, "%.4g", v->f);
    return buf;
}

/* --- sets ------------------------------------------------------------------ */

nr_status nr_hp_values_new(nr_hp_values **out) {
    *out = nr_calloc(1, sizeof **out);
    return *out ? NR_OK : NR_NOMEM();
}

void nr_hp_values_free(nr_hp_values *v) {
    if (!v) return;
    nr_free(v->names);
    nr_free(v->vals);
    nr_free(v);
}

nr_status nr_hp_values_copy(const nr_hp_values *v, nr_hp_values **out) {
    NR_TRY(nr_hp_values_new(out));
    for (int i = 0; i < v->n; i++) {
        nr_status s = nr_hp_values_set(*out, v->names[i], &v->vals[i]);
        if (s != NR_OK) {
            nr_hp_values_free(*out);
            *out = NULL;
            return s;
        }
    }
    return NR_OK;
}

static int find(const nr_hp_values *v, const char *name) {
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->names[i], name) == 0) return i;
    return -1;
}

static nr_status grow(nr_hp_values *v) {
    int cap = v->cap ? 2 * v->cap : 8;
    void *names = nr_realloc(v->names, (size_t)cap * sizeof *v->names);
    if (!names) return NR_NOMEM();
    v->names = names;
    void *vals = nr_realloc(v->vals, (size_t)cap * sizeof *v->vals);
    if (!vals) return NR_NOMEM();
    v->vals = vals;
    v->cap = cap;
    return NR_OK;
}

nr_status nr_hp_values_set(nr_hp_values *v, const char *name, const nr_hp_value *value) {
    if (!name || !*name || strlen(name) >= NR_HP_MAX_NAME)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "hyperparameter values: a name must have 1 to %d bytes",
                        NR_HP_MAX_NAME - 1);
    int i = find(v, name);
    if (i < 0) {
        if (v->n == v->cap) NR_TRY(grow(v));
        i = v->n++;
        snprintf(v->names[i], NR_HP_MAX_NAME, "%s", name);
    }
    v->vals[i] = *value;
    return NR_OK;
}

const nr_hp_value *nr_hp_values_get(const nr_hp_values *v, const char *name) {
    int i = v ? find(v, name) : -1;
    return i < 0 ? NULL : &v->vals[i];
}

int nr_hp_values_count(const nr_hp_values *v) { return v->n; }
const char *nr_hp_values_name(const nr_hp_values *v, int i) { return i >= 0 && i < v->n ? v->names[i] : NULL; }
const nr_hp_value *nr_hp_values_at(const nr_hp_values *v, int i) { return i >= 0 && i < v->n ? &v->vals[i] : NULL; }

int64_t nr_hp_values_int(const nr_hp_values *v, const char *name, int64_t fallback) {
    const nr_hp_value *x = nr_hp_values_get(v, name);
    return x && (x->type == NR_HP_TYPE_INT || x->type == NR_HP_TYPE_BOOL) ? x->i : fallback;
}

double nr_hp_values_float(const nr_hp_values *v, const char *name, double fallback) {
    const nr_hp_value *x = nr_hp_values_get(v, name);
    return x && is_number(x) ? number(x) : fallback;
}

const char *nr_hp_values_str(const nr_hp_values *v, const char *name, const char *fallback) {
    const nr_hp_value *x = nr_hp_values_get(v, name);
    return x && x->type == NR_HP_TYPE_STR ? x->s : fallback;
}

int nr_hp_values_equal(const nr_hp_values *a, const nr_hp_values *b) {
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++) {
        const nr_hp_value *w = nr_hp_values_get(b, a->names[i]);
        if (!w || !nr_hp_value_equal(&a->vals[i], w)) return 0;
    }
    return 1;
}
