/* The CSV table layout, shared by the reader (csv.c) and the conversion
 * to tensors (csv_xy.c). */
#ifndef NR_CSV_INTERNAL_H
#define NR_CSV_INTERNAL_H

#include "neurona/data.h"

struct nr_csv {
    char *path;
    int64_t nrows;           /* data rows, header excluded */
    int ncols;
    int has_header;
    char delim;
    char **names;            /* ncols names */
    nr_csv_type *types;      /* ncols */
    int64_t *missing;        /* ncols missing-cell counts */
    int64_t *slot;           /* column -> its index among text columns, or -1 */
    int64_t ntext;           /* text columns */
    double *num;             /* every cell, row-major: num[row * ncols + col]; NaN
                              * for missing cells and in text columns */
    int64_t *text;           /* text columns, column-major offsets into arena:
                              * text[slot * nrows + row] */
    char *arena;             /* NUL-terminated strings; offset 0 is "" */
    size_t arena_len, arena_cap;
    int64_t *lines;          /* nrows 1-based file lines where rows start */
    int derived;             /* built from a prepared frame: its columns are not the file's */
};

/* The 1-based character column where data cell (row, col) starts, found
 * by lexing the file again (for messages only: no column positions are
 * kept while reading); 0 when the file can no longer be read. */
int64_t nr_csv_cell_col(const nr_csv *csv, int64_t row, int col);

/* 1 when the text of a cell is a missing-value token (after trimming). */
int nr_csv_text_is_missing(const char *s);
/* 1 when it is a decimal number (after trimming). */
int nr_csv_text_is_number(const char *s);

#endif
