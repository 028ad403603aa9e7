/* neurona: what autoencoders need around a model: noisy copies of the
 * inputs for a denoising autoencoder, per-sample reconstruction errors,
 * and anomaly detection by reconstruction error (a data split with rare
 * anomalies, a threshold picked on validation data, the test figures).
 *
 *   nr_anomaly_split sp;
 *   nr_anomaly_split_new(x_train, y_train, x_test, y_test,
 *                        &(nr_anomaly_split_opts){.anomaly_class = 9, .seed = 42}, &sp);
 *   ... train an autoencoder on sp.x_train (targets = inputs) ...
 *   nr_reconstruction_errors(sp.x_val, predicted_val, NR_RECON_MSE, err_val);
 *   nr_anomaly_threshold(err_val, sp.val_anomaly, sp.x_val->shape[0], NULL, &t);
 *   nr_anomaly_scores_at(err_test, sp.test_anomaly, sp.x_test->shape[0], t, &scores);
 *   nr_anomaly_split_free(&sp);
 *
 * Randomness is splitmix64 seeded by the caller: the same seed gives the
 * same noise and the same split on every machine. Every fallible call
 * returns an nr_status with a message in nr_last_error(); arrays are
 * borrowed. */
#ifndef NEURONA_AUTOENCODER_H
#define NEURONA_AUTOENCODER_H

#include <stdint.h>
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- noise --- */

/* Gaussian noise as the Keras blog's denoising autoencoder adds it:
 * x + stddev * N(0, 1), then clipped (np.clip(x, 0., 1.)). */
typedef struct nr_noise_opts {
    float stddev;              /* > 0 (the blog's noise_factor is 0.5) */
    float clip_min, clip_max;  /* both 0: [0, 1], the range of scaled pixels */
    int no_clip;               /* 1: leave the values unclipped */
    uint64_t seed;
} nr_noise_opts;

/* Adds the noise to every value of x, in place. Errors: a stddev that is
 * not positive and finite, clip_min > clip_max. */
nr_status nr_tensor_add_noise(nr_tensor *x, const nr_noise_opts *o);

/* ------------------------------------------------- reconstruction error --- */

typedef enum nr_recon_error {
    NR_RECON_MSE = 0,          /* mean of (x - x_hat)^2 over a sample's values */
    NR_RECON_MAE               /* mean of |x - x_hat| */
} nr_recon_error;

/* out[i] (x->shape[0] entries): the error of sample i. x and x_hat must
 * have as many samples and as many values per sample (their shapes may
 * differ: a flat model output against an image). */
nr_status nr_reconstruction_errors(const nr_tensor *x, const nr_tensor *x_hat, nr_recon_error kind, double *out);

/* --------------------------------------------------------- data split --- */

/* Rows of labelled data into a training set of normal rows only and
 * validation and test sets where the anomaly class is rare.
 *
 * The rule: the training set is every row of (x, y) whose class is not
 * anomaly_class, in order. The evaluation pool (x_eval, y_eval) is
 * shuffled (seed); its normal rows are cut into validation (the first
 * round(val_fraction * n) of them) and test (the rest), and so are its
 * anomalies; then each part keeps only k = round(rate / (1 - rate) *
 * normal rows) of its anomalies (all of them when it has fewer), so that
 * anomalies make `rate` of its rows. Rows keep the pool's order. From
 * MNIST's test set with class 9 and rate 0.01: about 4,496 normal digits
 * and 45 nines in each part. */
typedef struct nr_anomaly_split_opts {
    int anomaly_class;         /* class index (y's value) of the anomalies */
    double rate;               /* anomalies' share of validation and test rows; 0: 0.01 */
    double val_fraction;       /* share of the pool for validation; 0: 0.5 */
    uint64_t seed;
} nr_anomaly_split_opts;

typedef struct nr_anomaly_split {
    nr_tensor *x_train;        /* normal rows only */
    nr_tensor *x_val, *x_test;
    int *val_anomaly;          /* x_val->shape[0] flags: 1 anomaly, 0 normal */
    int *test_anomaly;
    int64_t val_anomalies, test_anomalies;   /* how many flags are 1 */
} nr_anomaly_split;

/* y and y_eval hold class indices, (N,) or (N, 1). Errors: no normal
 * training row, no anomaly in the pool, a part left without normal rows,
 * rate outside (0, 0.5], val_fraction outside (0, 1), mismatched rows.
 * Caller frees with nr_anomaly_split_free. */
nr_status nr_anomaly_split_new(const nr_tensor *x, const nr_tensor *y, const nr_tensor *x_eval,
                               const nr_tensor *y_eval, const nr_anomaly_split_opts *o, nr_anomaly_split *out);
void nr_anomaly_split_free(nr_anomaly_split *s);   /* frees and zeroes; NULL members are fine */

/* ----------------------------------------------------------- threshold --- */

/* A row is flagged as an anomaly when its error >= the threshold. */
typedef enum nr_threshold_rule {
    NR_THRESHOLD_F1 = 0,       /* the error value with the best F1 on labelled data (ties: the highest) */
    NR_THRESHOLD_PERCENTILE,   /* the q-th percentile of the normal rows' errors (NumPy's linear) */
    NR_THRESHOLD_MEAN_STD      /* mean + q population standard deviations of the normal rows' errors */
} nr_threshold_rule;

typedef struct nr_threshold_opts {
    nr_threshold_rule rule;
    double q;                  /* percentile: 0 < q <= 100 (0: 99); mean_std: q >= 0 (0: 3) */
} nr_threshold_opts;

/* The threshold of the rule on errors[0..n) with flags is_anomaly (NULL:
 * every row normal, which the F1 rule refuses). opts may be NULL (F1).
 * Errors: a NaN or infinite error, no normal row, F1 without an anomaly. */
nr_status nr_anomaly_threshold(const double *errors, const int *is_anomaly, int64_t n, const nr_threshold_opts *opts,
                               double *threshold);

/* --------------------------------------------------------------- scores --- */

typedef struct nr_anomaly_scores {
    double threshold;
    int64_t tp, fp, tn, fn;    /* positives are the anomalies */
    double precision, recall, f1;   /* 0 where a ratio divides by 0, as sklearn */
    double pr_auc;             /* area under the PR curve: average precision, as sklearn's */
    double roc_auc;
} nr_anomaly_scores;

/* The figures of flagging errors >= threshold. is_anomaly must hold both
 * classes. */
nr_status nr_anomaly_scores_at(const double *errors, const int *is_anomaly, int64_t n, double threshold,
                               nr_anomaly_scores *out);

#ifdef __cplusplus
}
#endif
#endif
