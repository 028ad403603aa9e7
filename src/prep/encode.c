/* Numerization: one-hot columns named as pandas.get_dummies names them
 * (COL_VALUE, values sorted, appended after the other columns), and
 * ordinal codes in an order the user gives. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/fmt.h"
#include "prep/prep_internal.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_num(const void *a, const void *b) {
    double x = strtod(*(char *const *)a, NULL), y = strtod(*(char *const *)b, NULL);
    return (x > y) - (x < y);
}

/* Index of key in keys, or -1. */
static int find_key(const prep_strs *keys, const char *key) {
    for (int i = 0; i < keys->n; i++)
        if (strcmp(keys->s[i], key) == 0) return i;
    return -1;
}

static nr_status unknown_value(const prep_step *s, const nr_frame *f, int64_t r, const char *key) {
    char list[512];
    size_t k = 0;
    list[0] = 0;
    for (int i = 0; i < s->keys.n && k + 8 < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", s->keys.s[i]);
    return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "%s:%lld: column '%s' holds '%s', which is not one of %s",
                     f->source, (long long)f->lines[r], s->col, key, list);
}

/* pandas names dummies after str(value): a float column (any fraction
 * or missing value) spells 1.0, an integer one 1. */
static int float_column(const nr_frame_col *c, int64_t n) {
    for (int64_t r = 0; c->num && r < n; r++)
        if (isnan(c->num[r]) || c->num[r] != floor(c->num[r])) return 1;
    return 0;
}

/* Values sorted, or a bins column's labels in bin order, every one of
 * them (get_dummies of a Categorical makes a column per category). */
static nr_status fit_onehot(prep_step *s, const nr_frame *f, int col) {
    char buf[NR_FMT_SIZE];
    const prep_strs *levels = &f->cols[col].levels;
    for (int i = 0; i < levels->n; i++) NR_TRY(prep_strs_add(&s->keys, levels->s[i]));
    if (levels->n) return NR_OK;
    for (int64_t r = 0; r < f->nrows; r++) {
        if (nr_frame_is_missing(f, r, col)) continue;
        const char *key = prep_key(f, r, col, buf);
        if (find_key(&s->keys, key) < 0) NR_TRY(prep_strs_add(&s->keys, key));
    }
    const nr_frame_col *c = &f->cols[col];
    qsort(s->keys.s, (size_t)s->keys.n, sizeof *s->keys.s, c->text ? cmp_str : cmp_num);
    s->how = float_column(c, f->nrows);
    return NR_OK;
}

static nr_status onehot(const prep_step *s, nr_frame *f, int col) {
    char buf[NR_FMT_SIZE], name[1024];
    int first = f->ncols;
    for (int i = 0; i < s->keys.n; i++) {
        const char *v = s->how ? nr_fmt_pyrepr(buf, strtod(s->keys.s[i], NULL)) : s->keys.s[i];
        snprintf(name, sizeof name, "%s_%s", s->col, v);
        if (nr_frame_col_find(f, name) >= 0)
            return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "the new column '%s' already exists", name);
        nr_frame_col *nc;
        NR_TRY(nr_frame_add_col(f, name, NR_CSV_TYPE_NUMERIC, &nc));
        for (int64_t r = 0; r < f->nrows; r++) nc->num[r] = 0;
    }
    for (int64_t r = 0; r < f->nrows; r++) {
        if (nr_frame_is_missing(f, r, col)) continue;
        const char *key = prep_key(f, r, col, buf);
        int i = find_key(&s->keys, key);
        if (i < 0) return unknown_value(s, f, r, key);
        f->cols[first + i].num[r] = 1;
    }
    nr_frame_remove_col(f, col);
    return NR_OK;
}

static nr_status ordinal(const prep_step *s, nr_frame *f, int col) {
    char buf[NR_FMT_SIZE];
    double *codes = nr_malloc((size_t)(f->nrows + 1) * sizeof *codes);
    if (!codes) return NR_NOMEM();
    for (int64_t r = 0; r < f->nrows; r++) {
        codes[r] = NAN;
        if (nr_frame_is_missing(f, r, col)) continue;
        const char *key = prep_key(f, r, col, buf);
        int i = find_key(&s->keys, key);
        if (i < 0) {
            nr_free(codes);
            return unknown_value(s, f, r, key);
        }
        codes[r] = i;
    }
    nr_frame_col *c = &f->cols[col];
    for (int64_t r = 0; c->text && r < f->nrows; r++) nr_free(c->text[r]);
    nr_free(c->text);
    nr_free(c->num);
    prep_strs_free(&c->levels);
    c->text = NULL, c->num = codes, c->type = NR_CSV_TYPE_NUMERIC;
    return NR_OK;
}

nr_status prep_apply_encode(const prep_step *s, nr_frame *f) {
    int col;
    NR_TRY(prep_col(s, f, s->col, &col));
    return s->kind == PREP_ONEHOT ? onehot(s, f, col) : ordinal(s, f, col);
}

nr_status prep_fit_encode(prep_step *s, nr_frame *f, FILE *report) {
    int col;
    NR_TRY(prep_col(s, f, s->col, &col));
    if (s->kind == PREP_ONEHOT) NR_TRY(fit_onehot(s, f, col));
    int first = f->ncols - 1;
    NR_TRY(prep_apply_encode(s, f));
    if (!report) return NR_OK;
    if (s->kind == PREP_ORDINAL) {
        fprintf(report, "ordinal %s:", s->col);
        for (int i = 0; i < s->keys.n; i++) fprintf(report, " %s=%d", s->keys.s[i], i);
        fprintf(report, "\n");
        return NR_OK;
    }
    fprintf(report, "onehot %s: %d column%s", s->col, s->keys.n, s->keys.n == 1 ? "" : "s");
    for (int i = 0; i < s->keys.n; i++) fprintf(report, "%s%s", i ? ", " : " ", f->cols[first + i].name);
    fprintf(report, "\n");
    return NR_OK;
}
