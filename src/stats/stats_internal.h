/* The describe result and the pieces that fill it: numeric and text
 * column figures (column_stats.c, text_stats.c), the correlation and
 * covariance matrices (correlation.c), put together by describe.c. */
#ifndef NR_STATS_INTERNAL_H
#define NR_STATS_INTERNAL_H

#include "neurona/stats.h"

struct nr_describe {
    int n_cols;
    nr_column_stats *cols;     /* their arrays are owned, freed by nr_stats_column_free */
    double *pcts;              /* the percentiles asked for, in [0, 100] */
    int n_pcts;
    nr_quantile_method method;
    int n_num;                 /* numeric columns among cols */
    int *num;                  /* their indices into cols */
    double *corr, *cov;        /* n_num x n_num */
    nr_corr_pair *pairs;
    int n_pairs;
};

/* Sets every numeric figure of cs to NaN (text columns keep them so). */
void nr_stats_column_init(nr_column_stats *cs);
/* Fills the numeric figures of cs from x[0..n) (NaN: missing; row r is
 * x[r]); pcts in [0, 100]. */
nr_status nr_stats_numeric(const double *x, int64_t n, const double *pcts, int n_pcts, nr_quantile_method m,
                           nr_column_stats *cs);
/* Fills the text figures of cs from column col of csv. */
nr_status nr_stats_text(const nr_csv *csv, int col, nr_column_stats *cs);
/* Releases what nr_stats_numeric / nr_stats_text allocated. */
void nr_stats_column_free(nr_column_stats *cs);

/* pandas' pairwise-complete DataFrame.corr() and .cov() of k columns of n
 * rows (NaN: missing) into k x k corr and cov. */
void nr_stats_corr_cov(const double *const *cols, int k, int64_t n, double *corr, double *cov);

#endif
