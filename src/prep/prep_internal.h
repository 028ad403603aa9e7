/* The data preparation's internals: the frame's layout, and a step of a
 * pipeline with what fitting it learned. */
#ifndef NR_PREP_INTERNAL_H
#define NR_PREP_INTERNAL_H

#include "core/core.h"
#include "neurona/prep.h"

/* A list of owned strings. */
typedef struct prep_strs {
    char **s;
    int n, cap;
} prep_strs;

typedef struct nr_frame_col {
    char *name;
    nr_csv_type type;
    double *num;      /* numeric: nrows values, NaN when missing */
    char **text;      /* text: nrows owned strings, NULL when missing */
    prep_strs levels; /* a bins column's labels in bin order (pandas' categories), else none */
} nr_frame_col;

struct nr_frame {
    char *source;     /* the file, for messages */
    int64_t nrows;
    int ncols, cap;
    nr_frame_col *cols;
    int64_t *lines;   /* nrows 1-based file lines */
};

typedef enum prep_kind {
    PREP_DROP, PREP_FILL, PREP_BINS, PREP_ONEHOT, PREP_ORDINAL, PREP_NORMALIZE
} prep_kind;

typedef enum fill_how { FILL_MEAN, FILL_MEDIAN, FILL_MODE, FILL_VALUE } fill_how;
typedef enum bins_how { BINS_WIDTH, BINS_FREQ, BINS_EDGES, BINS_LABELLED } bins_how;
typedef enum norm_how { NORM_MINMAX, NORM_ZSCORE, NORM_ZSCORE_SAMPLE } norm_how;

typedef struct prep_step {
    prep_kind kind;
    char *option;        /* how the user wrote it, for messages ("fill age=mean") */
    char *col;           /* the column (drop: NULL, cols lists them) */
    prep_strs cols;      /* drop: the columns checked (none: all) */
    int how;             /* fill_how, bins_how or norm_how */
    char *by;            /* fill: the class column, or NULL */
    char *text;          /* fill: a text value (mode of a text column, a constant) */
    double value;        /* fill: the numeric value */
    prep_strs keys;      /* fill by class: class keys; onehot/ordinal: values; bins: labels */
    double *nums;        /* fill by class: per key; bins: k + 1 edges */
    int k;               /* bins: count */
    double lo, hi;       /* normalize minmax: target range */
    double a, b;         /* normalize fitted: min, max or mean, std */
    int fitted;
} prep_step;

struct nr_prep {
    prep_step *steps;
    int n, cap;
    prep_strs inputs;    /* the header fitted on */
    char *target;
    int fitted;
};

nr_status prep_strs_add(prep_strs *l, const char *s);
void prep_strs_free(prep_strs *l);
void prep_step_free(prep_step *s);

/* Frame edits. */
nr_status nr_frame_add_col(nr_frame *f, const char *name, nr_csv_type type, nr_frame_col **out);
void nr_frame_remove_col(nr_frame *f, int col);
/* Keeps the rows with keep[r] != 0, in order. */
void nr_frame_keep_rows(nr_frame *f, const char *keep);
int nr_frame_is_missing(const nr_frame *f, int64_t row, int col);

/* Step failures: "prep step 'fill age=mean': MESSAGE". */
nr_status prep_fail(const prep_step *s, nr_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The step's column, or an error listing the frame's columns. */
nr_status prep_col(const prep_step *s, const nr_frame *f, const char *name, int *col);
/* A cell as a key: its text, or its number's shortest spelling. */
const char *prep_key(const nr_frame *f, int64_t row, int col, char *buf);

/* Fitting (learns and applies) and applying, one step. */
nr_status prep_fit_missing(prep_step *s, nr_frame *f, FILE *report);
nr_status prep_apply_missing(const prep_step *s, nr_frame *f);
nr_status prep_fit_bins(prep_step *s, nr_frame *f, FILE *report);
nr_status prep_apply_bins(const prep_step *s, nr_frame *f, int fitting);
nr_status prep_fit_encode(prep_step *s, nr_frame *f, FILE *report);
nr_status prep_apply_encode(const prep_step *s, nr_frame *f);
nr_status prep_fit_normalize(prep_step *s, nr_frame *f, FILE *report);
nr_status prep_apply_normalize(const prep_step *s, nr_frame *f);

/* pandas' interval labels "(a, b]" for edges[0..k] (first closed when
 * lowest), with _infer_precision from base precision 3. labels gets k. */
nr_status prep_interval_labels(const double *edges, int k, int lowest, prep_strs *labels);

#endif
