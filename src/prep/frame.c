/* Frames: a CSV table copied into columns that steps can drop, replace
 * and add, and back to a CSV table or file. */
#include <math.h>
#include <string.h>
#include "core/fmt.h"
#include "io/atomic.h"
#include "prep/prep_internal.h"

static void col_free(nr_frame_col *c, int64_t nrows) {
    nr_free(c->name);
    nr_free(c->num);
    for (int64_t r = 0; c->text && r < nrows; r++) nr_free(c->text[r]);
    nr_free(c->text);
    prep_strs_free(&c->levels);
}

void nr_frame_free(nr_frame *f) {
    if (!f) return;
    for (int c = 0; c < f->ncols; c++) col_free(&f->cols[c], f->nrows);
    nr_free(f->cols);
    nr_free(f->lines);
    nr_free(f->source);
    nr_free(f);
}

nr_status nr_frame_add_col(nr_frame *f, const char *name, nr_csv_type type, nr_frame_col **out) {
    if (f->ncols == f->cap) {
        int cap = f->cap ? 2 * f->cap : 16;
        nr_frame_col *c = nr_realloc(f->cols, (size_t)cap * sizeof *c);
        if (!c) return NR_NOMEM();
        f->cols = c, f->cap = cap;
    }
    nr_frame_col *c = &f->cols[f->ncols];
    memset(c, 0, sizeof *c);
    size_t n = f->nrows ? (size_t)f->nrows : 1;
    c->type = type;
    c->name = nr_strdup(name);
    if (type == NR_CSV_TYPE_TEXT) c->text = nr_calloc(n, sizeof *c->text);
    else c->num = nr_malloc(n * sizeof *c->num);
    if (!c->name || (!c->text && !c->num)) {
        col_free(c, 0);
        return NR_NOMEM();
    }
    for (int64_t r = 0; c->num && r < f->nrows; r++) c->num[r] = NAN;
    f->ncols++;
    *out = c;
    return NR_OK;
}

void nr_frame_remove_col(nr_frame *f, int col) {
    col_free(&f->cols[col], f->nrows);
    memmove(&f->cols[col], &f->cols[col + 1], (size_t)(f->ncols - col - 1) * sizeof *f->cols);
    f->ncols--;
}

void nr_frame_keep_rows(nr_frame *f, const char *keep) {
    int64_t k = 0;
    for (int64_t r = 0; r < f->nrows; r++) {
        for (int c = 0; c < f->ncols; c++) {
            nr_frame_col *col = &f->cols[c];
            if (col->num) col->num[k] = col->num[r];
            else if (keep[r]) col->text[k] = col->text[r];
            else nr_free(col->text[r]);
        }
        if (keep[r]) f->lines[k++] = f->lines[r];
    }
    f->nrows = k;
}

static nr_status copy_col(nr_frame *f, const nr_csv *csv, int c) {
    nr_frame_col *col;
    NR_TRY(nr_frame_add_col(f, nr_csv_col_name(csv, c), nr_csv_col_type(csv, c), &col));
    for (int64_t r = 0; r < f->nrows; r++) {
        if (col->num) col->num[r] = nr_csv_value(csv, r, c);
        else if (!nr_csv_is_missing(csv, r, c) && !(col->text[r] = nr_strdup(nr_csv_text(csv, r, c))))
            return NR_NOMEM();
    }
    return NR_OK;
}

nr_status nr_frame_from_csv(const nr_csv *csv, nr_frame **out) {
    *out = NULL;
    nr_frame *f = nr_calloc(1, sizeof *f);
    if (!f) return NR_NOMEM();
    f->nrows = nr_csv_num_rows(csv);
    f->source = nr_strdup(nr_csv_path(csv));
    f->lines = nr_malloc((size_t)(f->nrows ? f->nrows : 1) * sizeof *f->lines);
    nr_status s = f->source && f->lines ? NR_OK : NR_NOMEM();
    for (int64_t r = 0; s == NR_OK && r < f->nrows; r++) f->lines[r] = nr_csv_row_line(csv, r);
    for (int c = 0; s == NR_OK && c < nr_csv_num_cols(csv); c++) s = copy_col(f, csv, c);
    if (s != NR_OK) {
        nr_frame_free(f);
        return s;
    }
    *out = f;
    return NR_OK;
}

/* ---------------------------------------------------------- accessors --- */

static int col_ok(const nr_frame *f, int col) { return f && col >= 0 && col < f->ncols; }
static int cell_ok(const nr_frame *f, int64_t row, int col) { return col_ok(f, col) && row >= 0 && row < f->nrows; }

int64_t nr_frame_num_rows(const nr_frame *f) { return f ? f->nrows : 0; }
int nr_frame_num_cols(const nr_frame *f) { return f ? f->ncols : 0; }
const char *nr_frame_col_name(const nr_frame *f, int col) { return col_ok(f, col) ? f->cols[col].name : NULL; }

int nr_frame_col_find(const nr_frame *f, const char *name) {
    for (int c = 0; f && name && c < f->ncols; c++)
        if (strcmp(f->cols[c].name, name) == 0) return c;
    return -1;
}

nr_csv_type nr_frame_col_type(const nr_frame *f, int col) {
    return col_ok(f, col) ? f->cols[col].type : NR_CSV_TYPE_NUMERIC;
}

double nr_frame_value(const nr_frame *f, int64_t row, int col) {
    return cell_ok(f, row, col) && f->cols[col].num ? f->cols[col].num[row] : NAN;
}

const char *nr_frame_text(const nr_frame *f, int64_t row, int col) {
    return cell_ok(f, row, col) && f->cols[col].text ? f->cols[col].text[row] : NULL;
}

int nr_frame_is_missing(const nr_frame *f, int64_t row, int col) {
    const nr_frame_col *c = &f->cols[col];
    return c->num ? isnan(c->num[row]) : c->text[row] == NULL;
}

/* ------------------------------------------------------------- saving --- */

static void put_field(FILE *out, const char *s) {
    size_t n = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void write_csv(const nr_frame *f, FILE *out) {
    char buf[NR_FMT_SIZE];
    for (int c = 0; c < f->ncols; c++) {
        if (c) fputc(',', out);
        put_field(out, f->cols[c].name);
    }
    fputc('\n', out);
    for (int64_t r = 0; r < f->nrows; r++) {
        for (int c = 0; c < f->ncols; c++) {
            const nr_frame_col *col = &f->cols[c];
            if (c) fputc(',', out);
            if (col->num && !isnan(col->num[r])) fputs(nr_fmt_shortest(buf, col->num[r]), out);
            else if (col->text && col->text[r]) put_field(out, col->text[r]);
        }
        fputc('\n', out);
    }
}

nr_status nr_frame_save_csv(const nr_frame *f, const char *path) {
    nr_atomic_file af;
    NR_TRY(nr_atomic_open_stdio(&af, path));
    write_csv(f, af.f);
    return nr_atomic_commit(&af);
}
