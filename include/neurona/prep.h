/* neurona: preparing a table before a model sees it, as pandas and
 * scikit-learn would: missing values dropped or filled, numbers cut into
 * bins, text turned into one-hot or ordinal codes, columns normalized.
 * The steps of a pipeline are fitted on training data only, can be
 * written as text (a model file keeps them) and applied again to new
 * data with the same header.
 *
 * Errors return an nr_status with a message in nr_last_error() naming
 * the step ("prep step 2 (fill age=mean): ..."), the file and line of a
 * bad cell, and the valid choices. Out-parameters come last and belong
 * to the caller. */
#ifndef NEURONA_PREP_H
#define NEURONA_PREP_H

#include <stdint.h>
#include <stdio.h>
#include "data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* -------------------------------------------------------------- frames ---
 * A table that can change: named columns, each numeric (double, NaN
 * when missing) or text (NULL when missing). Rows remember the file line
 * they came from, for messages. */
typedef struct nr_frame nr_frame;

/* A copy of a CSV table: numeric columns keep their numbers, text
 * columns their text; missing cells (see data.h) become missing. Caller
 * frees *out with nr_frame_free. */
nr_status nr_frame_from_csv(const nr_csv *csv, nr_frame **out);
void nr_frame_free(nr_frame *f);   /* NULL is a no-op */

int64_t nr_frame_num_rows(const nr_frame *f);
int nr_frame_num_cols(const nr_frame *f);
/* Borrowed, valid until the frame changes or is freed; NULL out of range. */
const char *nr_frame_col_name(const nr_frame *f, int col);
int nr_frame_col_find(const nr_frame *f, const char *name);   /* -1 when absent */
nr_csv_type nr_frame_col_type(const nr_frame *f, int col);
/* A numeric cell (NaN when missing or for a text column). */
double nr_frame_value(const nr_frame *f, int64_t row, int col);
/* A text cell (NULL when missing or for a numeric column). Borrowed. */
const char *nr_frame_text(const nr_frame *f, int64_t row, int col);

/* The frame as a CSV table (header included), so nr_csv_to_xy and
 * friends take it; messages about a row still give its file line.
 * Caller frees *out with nr_csv_free. */
nr_status nr_frame_to_csv(const nr_frame *f, nr_csv **out);

/* Writes the frame as a CSV file (header, then one line a row; numbers
 * in their shortest round-trip spelling, missing cells empty, text
 * quoted when needed), atomically. */
nr_status nr_frame_save_csv(const nr_frame *f, const char *path);

/* ----------------------------------------------------------- pipelines ---
 * Steps, in the order added; each names the option that adds it in the
 * CLI and the text it takes (COL may be a comma list: one step per
 * column, in order):
 *
 *   drop-missing  "" or COL[,COL...]  drop rows with a missing value (in
 *                 any column, or in these): pandas dropna(subset=...)
 *   fill          COL=mean|median|mode|VALUE|mean:BY|median:BY
 *                 fill a column's missing cells: its mean, median (NaN
 *                 skipped), mode (the smallest of several, pandas'
 *                 mode()[0]), a constant, or the mean/median of the rows
 *                 of the same class in column BY (rows whose class has
 *                 no value take the overall statistic)
 *   bins          COL=K:width | COL=K:freq | COL=E0,E1,...,EK |
 *                 COL=<=E1:LABEL,<=E2:LABEL,...[,>EK:LABEL]
 *                 replace a numeric column by the text label of its bin:
 *                 pandas.cut(x, K) (K equal-width bins over [min, max],
 *                 the first edge moved down 0.1% of the range), pandas.qcut
 *                 (x, K) (edges at the K-quantiles), pandas.cut(x, edges),
 *                 or user edges with labels (the first bin from -inf, a
 *                 last '>' bin to +inf). Bins are right-closed; generated
 *                 labels are pandas' "(a, b]" with its precision. K must
 *                 not exceed the distinct values, and qcut's edges must be
 *                 distinct.
 *   onehot        COL        one 0/1 column per distinct value, named
 *                 COL_VALUE, appended after the others, the column removed:
 *                 pandas.get_dummies(df, columns=[COL]); a missing cell
 *                 gives zeros
 *   ordinal       COL=V1,V2,...  the codes 0, 1, ... of the values in that
 *                 order (missing stays missing)
 *   normalize     COL=minmax[:A,B] | COL=zscore[:sample]
 *                 sklearn's MinMaxScaler (to [0, 1] or [A, B]) or
 *                 StandardScaler (population std; ":sample" divides by the
 *                 sample std, pandas' std()), NaN skipped when fitting
 *
 * Applying a fitted pipeline to new data: the header must be the one it
 * was fitted on, in order, or that header without the target column
 * (data to predict); steps on an absent target are skipped. Values of a
 * bins column outside the fitted edges go to the first or last bin; a
 * value that onehot or ordinal never saw is an error. */
typedef struct nr_prep nr_prep;

nr_status nr_prep_new(nr_prep **out);   /* empty; caller frees with nr_prep_free */
void nr_prep_free(nr_prep *p);          /* NULL is a no-op */

/* Adds the steps of one option: step is one of the names above, arg its
 * text. Errors: NR_STATUS_BAD_ARGUMENT naming the step and its syntax. */
nr_status nr_prep_add(nr_prep *p, const char *step, const char *arg);
int nr_prep_num_steps(const nr_prep *p);
int nr_prep_fitted(const nr_prep *p);

/* The column that new data may lack (the target); NULL for none. Copied. */
nr_status nr_prep_set_target(nr_prep *p, const char *name);

/* Fits every step on f in order, transforming f as it goes (each step
 * sees the previous one's output). report, when not NULL, gets a line per
 * step saying what it did (rows dropped, values filled, each bin's
 * interval and frequency, columns added). */
nr_status nr_prep_fit_transform(nr_prep *p, nr_frame *f, FILE *report);

/* Applies a fitted pipeline to f, in place. */
nr_status nr_prep_transform(const nr_prep *p, nr_frame *f);

/* A fitted pipeline as text (the model file's "prep" section, format in
 * src/prep/prep_text.c) and back; source names the text in messages.
 * Caller frees *text with nr_prep_free_text, *out with nr_prep_free. */
nr_status nr_prep_to_text(const nr_prep *p, char **text);
void nr_prep_free_text(char *text);
nr_status nr_prep_from_text(const char *text, const char *source, nr_prep **out);

#ifdef __cplusplus
}
#endif
#endif
