/* The time series table, shared by the reader (series.c) and the
 * windowing (series_window.c). */
#ifndef NR_SERIES_INTERNAL_H
#define NR_SERIES_INTERNAL_H

#include "neurona/data.h"

struct nr_series {
    char *source;          /* CSV path or "<memory>", for messages */
    int ncols;
    char **names;          /* ncols column names */
    nr_tensor *values;     /* (T, ncols) */
    char *label_name;      /* the column labelling the steps, or NULL */
    int64_t *label_off;    /* T offsets into labels */
    char *labels;          /* NUL-terminated step labels */
};

/* o with its zero fields replaced by the defaults of neurona/data.h. */
nr_series_opts nr_series_opts_resolved(const nr_series_opts *o);

/* Checks resolved options without a series: sizes at least 1, column
 * names given, non-NULL and distinct within features and within targets,
 * split fractions valid. where starts the message. */
nr_status nr_series_opts_check(const char *where, const nr_series_opts *o);

#endif
