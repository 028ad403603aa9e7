/* A frame as an nr_csv table, so the loaders that turn tables into
 * tensors take prepared data. The table is marked derived: its columns
 * are no longer the file's, so messages give lines but no columns. */
#include <math.h>
#include <string.h>
#include "data/csv_internal.h"
#include "prep/prep_internal.h"

static nr_status arena_add(nr_csv *csv, const char *s, int64_t *off) {
    size_t len = strlen(s);
    if (!len) {
        *off = 0;
        return NR_OK;
    }
    if (csv->arena_len + len + 1 > csv->arena_cap) {
        size_t cap = 2 * csv->arena_cap + len + 1;
        char *b = nr_realloc(csv->arena, cap);
        if (!b) return NR_NOMEM();
        csv->arena = b, csv->arena_cap = cap;
    }
    *off = (int64_t)csv->arena_len;
    memcpy(csv->arena + csv->arena_len, s, len + 1);
    csv->arena_len += len + 1;
    return NR_OK;
}

static nr_status alloc_table(const nr_frame *f, nr_csv *csv) {
    size_t nc = (size_t)f->ncols, nr = (size_t)(f->nrows ? f->nrows : 1);
    csv->nrows = f->nrows, csv->ncols = f->ncols, csv->has_header = 1, csv->delim = ',', csv->derived = 1;
    csv->path = nr_strdup(f->source);
    csv->names = nr_calloc(nc, sizeof *csv->names);
    csv->types = nr_calloc(nc, sizeof *csv->types);
    csv->missing = nr_calloc(nc, sizeof *csv->missing);
    csv->slot = nr_calloc(nc, sizeof *csv->slot);
    csv->num = nr_malloc(nc * nr * sizeof *csv->num);
    csv->lines = nr_malloc(nr * sizeof *csv->lines);
    csv->arena_cap = 4096;
    csv->arena = nr_malloc(csv->arena_cap);
    if (!csv->path || !csv->names || !csv->types || !csv->missing || !csv->slot || !csv->num || !csv->lines ||
        !csv->arena)
        return NR_NOMEM();
    csv->arena[0] = 0;
    csv->arena_len = 1;
    for (int c = 0; c < f->ncols; c++) {
        csv->types[c] = f->cols[c].type;
        csv->slot[c] = f->cols[c].text ? csv->ntext++ : -1;
        if (!(csv->names[c] = nr_strdup(f->cols[c].name))) return NR_NOMEM();
    }
    if (csv->ntext && !(csv->text = nr_malloc((size_t)csv->ntext * nr * sizeof *csv->text))) return NR_NOMEM();
    memcpy(csv->lines, f->lines, (size_t)f->nrows * sizeof *csv->lines);
    return NR_OK;
}

static nr_status fill_cells(const nr_frame *f, nr_csv *csv) {
    for (int c = 0; c < f->ncols; c++) {
        const nr_frame_col *col = &f->cols[c];
        for (int64_t r = 0; r < f->nrows; r++) {
            csv->num[r * f->ncols + c] = col->num ? col->num[r] : NAN;
            csv->missing[c] += nr_frame_is_missing(f, r, c);
            if (col->text) NR_TRY(arena_add(csv, col->text[r] ? col->text[r] : "", &csv->text[csv->slot[c] * f->nrows + r]));
        }
    }
    return NR_OK;
}

nr_status nr_frame_to_csv(const nr_frame *f, nr_csv **out) {
    *out = NULL;
    nr_csv *csv = nr_calloc(1, sizeof *csv);
    if (!csv) return NR_NOMEM();
    nr_status s = alloc_table(f, csv);
    if (s == NR_OK) s = fill_cells(f, csv);
    if (s != NR_OK) {
        nr_csv_free(csv);
        return s;
    }
    *out = csv;
    return NR_OK;
}
