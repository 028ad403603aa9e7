/* Pipelines: steps parsed from the CLI's option syntax (documented in
 * neurona/prep.h), fitted in order on training data, applied in order to
 * new data after its header is checked. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "core/fmt.h"
#include "prep/prep_internal.h"

nr_status prep_strs_add(prep_strs *l, const char *s) {
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        char **p = nr_realloc(l->s, (size_t)cap * sizeof *p);
        if (!p) return NR_NOMEM();
        l->s = p, l->cap = cap;
    }
    if (!(l->s[l->n] = nr_strdup(s))) return NR_NOMEM();
    l->n++;
    return NR_OK;
}

void prep_strs_free(prep_strs *l) {
    for (int i = 0; i < l->n; i++) nr_free(l->s[i]);
    nr_free(l->s);
    memset(l, 0, sizeof *l);
}

void prep_step_free(prep_step *s) {
    nr_free(s->option);
    nr_free(s->col);
    prep_strs_free(&s->cols);
    nr_free(s->by);
    nr_free(s->text);
    prep_strs_free(&s->keys);
    nr_free(s->nums);
}

nr_status nr_prep_new(nr_prep **out) {
    *out = nr_calloc(1, sizeof **out);
    return *out ? NR_OK : NR_NOMEM();
}

void nr_prep_free(nr_prep *p) {
    if (!p) return;
    for (int i = 0; i < p->n; i++) prep_step_free(&p->steps[i]);
    nr_free(p->steps);
    prep_strs_free(&p->inputs);
    nr_free(p->target);
    nr_free(p);
}

int nr_prep_num_steps(const nr_prep *p) { return p ? p->n : 0; }
int nr_prep_fitted(const nr_prep *p) { return p && p->fitted; }

nr_status nr_prep_set_target(nr_prep *p, const char *name) {
    char *t = name ? nr_strdup(name) : NULL;
    if (name && !t) return NR_NOMEM();
    nr_free(p->target);
    p->target = t;
    return NR_OK;
}

nr_status prep_fail(const prep_step *s, nr_status st, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nr_error(st, "prep step '%s': %s", s->option, msg);
}

nr_status prep_col(const prep_step *s, const nr_frame *f, const char *name, int *col) {
    *col = nr_frame_col_find(f, name);
    if (*col >= 0) return NR_OK;
    char list[512];
    size_t k = 0;
    list[0] = 0;
    for (int c = 0; c < f->ncols && k + 8 < sizeof list; c++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", c ? ", " : "", f->cols[c].name);
    return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "%s: no column '%s'; the columns are %s", f->source, name, list);
}

const char *prep_key(const nr_frame *f, int64_t row, int col, char *buf) {
    const nr_frame_col *c = &f->cols[col];
    return c->text ? c->text[row] : nr_fmt_shortest(buf, c->num[row]);
}

/* ------------------------------------------------------------ parsing --- */

static const struct {
    const char *name;
    prep_kind kind;
    int per_column;   /* COL[,COL...][=ARG]: one step per column */
} step_names[] = {
    {"drop-missing", PREP_DROP, 0}, {"fill", PREP_FILL, 1},       {"bins", PREP_BINS, 1},
    {"onehot", PREP_ONEHOT, 1},     {"ordinal", PREP_ORDINAL, 1}, {"normalize", PREP_NORMALIZE, 1},
};
#define N_STEP_NAMES ((int)(sizeof step_names / sizeof *step_names))

static nr_status bad_step(const char *step, const char *arg, const char *why) {
    return nr_error(NR_STATUS_BAD_ARGUMENT, "prep step '%s %s': %s", step, arg, why);
}

static nr_status new_step(nr_prep *p, prep_kind kind, const char *step, const char *arg, prep_step **out) {
    if (p->fitted) return nr_error(NR_STATUS_STATE, "prep: steps cannot be added to a fitted pipeline");
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 8;
        prep_step *s = nr_realloc(p->steps, (size_t)cap * sizeof *s);
        if (!s) return NR_NOMEM();
        p->steps = s, p->cap = cap;
    }
    prep_step *s = &p->steps[p->n];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    size_t len = strlen(step) + strlen(arg) + 2;
    if (!(s->option = nr_malloc(len))) return NR_NOMEM();
    snprintf(s->option, len, "%s%s%s", step, *arg ? " " : "", arg);
    p->n++;
    *out = s;
    return NR_OK;
}

static nr_status parse_fill(prep_step *s, const char *arg) {
    static const char *const how[3] = {"mean", "median", "mode"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(how[i]);
        if (strncmp(arg, how[i], n) != 0 || (arg[n] && arg[n] != ':')) continue;
        s->how = i;
        if (!arg[n]) return NR_OK;
        if (i == FILL_MODE || !arg[n + 1]) return bad_step("fill", arg, "give mean:CLASSCOL or median:CLASSCOL");
        return (s->by = nr_strdup(arg + n + 1)) ? NR_OK : NR_NOMEM();
    }
    s->how = FILL_VALUE;
    return (s->text = nr_strdup(arg)) ? NR_OK : NR_NOMEM();
}

static nr_status parse_normalize(prep_step *s, const char *arg) {
    char *end;
    s->lo = 0, s->hi = 1;
    if (strcmp(arg, "zscore") == 0 || strcmp(arg, "zscore:sample") == 0) {
        s->how = arg[6] ? NORM_ZSCORE_SAMPLE : NORM_ZSCORE;
        return NR_OK;
    }
    if (strcmp(arg, "minmax") == 0) return NR_OK;
    if (strncmp(arg, "minmax:", 7) == 0) {
        s->lo = strtod(arg + 7, &end);
        if (end != arg + 7 && *end == ',') {
            const char *b = end + 1;
            s->hi = strtod(b, &end);
            if (end != b && !*end && s->lo < s->hi) return NR_OK;
        }
    }
    return bad_step("normalize", arg, "expected COL=minmax, COL=minmax:A,B (A < B) or COL=zscore[:sample]");
}

static nr_status parse_arg(prep_step *s, const char *step, const char *arg) {
    switch (s->kind) {
    case PREP_FILL:
        return parse_fill(s, arg);
    case PREP_NORMALIZE:
        return parse_normalize(s, arg);
    case PREP_BINS:
        return (s->text = nr_strdup(arg)) ? NR_OK : NR_NOMEM();   /* parsed when fitting: it needs the data */
    case PREP_ORDINAL:
        for (const char *p = arg; *p;) {
            size_t len = strcspn(p, ",");
            char v[512];
            if (!len || len >= sizeof v) return bad_step(step, arg, "expected COL=V1,V2,... (non-empty values)");
            snprintf(v, sizeof v, "%.*s", (int)len, p);
            NR_TRY(prep_strs_add(&s->keys, v));
            p += len + (p[len] == ',');
        }
        return NR_OK;
    default:
        return NR_OK;
    }
}

/* "a,b=ARG": one step per column, each with ARG. */
static nr_status add_per_column(nr_prep *p, prep_kind kind, const char *step, const char *arg) {
    const char *eq = strchr(arg, '=');
    int wants_arg = kind != PREP_ONEHOT;
    if (wants_arg && (!eq || !eq[1]))
        return bad_step(step, arg, kind == PREP_FILL ? "expected COL=mean|median|mode|VALUE|mean:CLASSCOL"
                        : kind == PREP_BINS ? "expected COL=K:width, COL=K:freq, COL=E0,E1,... or COL=<=E1:LABEL,...,>EK:LABEL"
                        : kind == PREP_ORDINAL ? "expected COL=V1,V2,... in their order"
                        : "expected COL=minmax[:A,B] or COL=zscore[:sample]");
    if (!wants_arg && eq) return bad_step(step, arg, "expected COL[,COL...] (no '=')");
    size_t cols_len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (size_t i = 0; i < cols_len;) {
        size_t len = strcspn(arg + i, ",=");
        if (!len) return bad_step(step, arg, "empty column name");
        char col[512], one[4096];
        snprintf(col, sizeof col, "%.*s", (int)len, arg + i);
        snprintf(one, sizeof one, "%s%s%s", col, eq ? "=" : "", eq ? eq + 1 : "");
        prep_step *s;
        NR_TRY(new_step(p, kind, step, one, &s));
        if (!(s->col = nr_strdup(col))) return NR_NOMEM();
        NR_TRY(parse_arg(s, step, eq ? eq + 1 : ""));
        i += len + 1;
    }
    return NR_OK;
}

nr_status nr_prep_add(nr_prep *p, const char *step, const char *arg) {
    arg = arg ? arg : "";
    for (int i = 0; i < N_STEP_NAMES; i++) {
        if (strcmp(step, step_names[i].name) != 0) continue;
        if (step_names[i].per_column) return add_per_column(p, step_names[i].kind, step, arg);
        prep_step *s;
        NR_TRY(new_step(p, PREP_DROP, step, arg, &s));
        for (const char *q = arg; *q;) {
            size_t len = strcspn(q, ",");
            char col[512];
            snprintf(col, sizeof col, "%.*s", (int)len, q);
            if (!len) return bad_step(step, arg, "empty column name");
            NR_TRY(prep_strs_add(&s->cols, col));
            q += len + (q[len] == ',');
        }
        return NR_OK;
    }
    return nr_error(NR_STATUS_BAD_ARGUMENT, "prep: unknown step '%s'; steps are drop-missing, fill, bins, onehot, "
                    "ordinal, normalize", step);
}

/* ------------------------------------------------------------ running --- */

static nr_status fit_step(prep_step *s, nr_frame *f, FILE *report) {
    switch (s->kind) {
    case PREP_DROP:
    case PREP_FILL:
        return prep_fit_missing(s, f, report);
    case PREP_BINS:
        return prep_fit_bins(s, f, report);
    case PREP_ONEHOT:
    case PREP_ORDINAL:
        return prep_fit_encode(s, f, report);
    case PREP_NORMALIZE:
        return prep_fit_normalize(s, f, report);
    }
    return NR_OK;
}

nr_status nr_prep_fit_transform(nr_prep *p, nr_frame *f, FILE *report) {
    if (p->fitted) return nr_error(NR_STATUS_STATE, "prep: the pipeline is already fitted");
    prep_strs_free(&p->inputs);
    for (int c = 0; c < f->ncols; c++) NR_TRY(prep_strs_add(&p->inputs, f->cols[c].name));
    if (p->target && nr_frame_col_find(f, p->target) < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "prep: %s has no target column '%s'", f->source, p->target);
    for (int i = 0; i < p->n; i++) {
        NR_TRY(fit_step(&p->steps[i], f, report));
        p->steps[i].fitted = 1;
    }
    p->fitted = 1;
    return NR_OK;
}

/* The header must be the fitted one, or it without the target. */
static nr_status check_header(const nr_prep *p, const nr_frame *f, int *has_target) {
    int i = 0, c = 0;
    *has_target = 1;
    for (; i < p->inputs.n && c < f->ncols; i++) {
        if (strcmp(p->inputs.s[i], f->cols[c].name) == 0) c++;
        else if (p->target && strcmp(p->inputs.s[i], p->target) == 0) *has_target = 0;
        else break;
    }
    if (i == p->inputs.n - 1 && p->target && strcmp(p->inputs.s[i], p->target) == 0) *has_target = 0, i++;
    if (i == p->inputs.n && c == f->ncols) return NR_OK;
    char want[1024], got[1024];
    size_t k = 0;
    want[0] = got[0] = 0;
    for (int j = 0; j < p->inputs.n && k + 8 < sizeof want; j++)
        k += (size_t)snprintf(want + k, sizeof want - k, "%s%s", j ? "," : "", p->inputs.s[j]);
    k = 0;
    for (int j = 0; j < f->ncols && k + 8 < sizeof got; j++)
        k += (size_t)snprintf(got + k, sizeof got - k, "%s%s", j ? "," : "", f->cols[j].name);
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the header is %s but the prep steps were fitted on %s%s%s%s; the "
                    "data needs the same columns in the same order", f->source, got, want,
                    p->target ? " (the target '" : "", p->target ? p->target : "", p->target ? "' may be left out)" : "");
}

/* A step on the absent target column (or by it) has nothing to do. */
static int skipped(const nr_prep *p, const prep_step *s, int has_target) {
    return !has_target && s->col && strcmp(s->col, p->target) == 0;
}

static nr_status apply_step(const prep_step *s, nr_frame *f) {
    switch (s->kind) {
    case PREP_DROP:
    case PREP_FILL:
        return prep_apply_missing(s, f);
    case PREP_BINS:
        return prep_apply_bins(s, f, 0);
    case PREP_ONEHOT:
    case PREP_ORDINAL:
        return prep_apply_encode(s, f);
    case PREP_NORMALIZE:
        return prep_apply_normalize(s, f);
    }
    return NR_OK;
}

nr_status nr_prep_transform(const nr_prep *p, nr_frame *f) {
    if (!p->fitted) return nr_error(NR_STATUS_STATE, "prep: the pipeline is not fitted");
    int has_target;
    NR_TRY(check_header(p, f, &has_target));
    for (int i = 0; i < p->n; i++)
        if (!skipped(p, &p->steps[i], has_target)) NR_TRY(apply_step(&p->steps[i], f));
    return NR_OK;
}
