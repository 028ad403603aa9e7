/* Internal: batches, running sums of loss and metrics, and steps. */
#ifndef NR_STEP_H
#define NR_STEP_H

#include "models/model_internal.h"

/* Rows [start, start + n) of the data, through idx when shuffled. */
typedef struct nr_batch {
    const nr_tensor *const *x, *const *y;
    const float *weights;            /* per data row, or NULL */
    const int64_t *idx;              /* row order, or NULL for 0..N-1 */
    int64_t start, n;
} nr_batch;

/* Sums weighted by rows, as Keras's Mean metrics weighted by batch size. */
typedef struct nr_acc {
    double loss, out_loss[NR_MAX_IO], added[NR_MAX_ADDED_LOSSES];
    double metric[NR_MAX_IO][NR_MAX_METRICS], count[NR_MAX_IO][NR_MAX_METRICS];
    int64_t rows;
} nr_acc;

enum { NR_PLAN_INFER, NR_PLAN_EVAL, NR_PLAN_TRAIN };

nr_status nr_check_data(const nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y, int64_t *rows);
nr_status nr_ensure_plan(nr_model *m, nr_plan **slot, int64_t batch, int kind);
void nr_fill_batch(nr_model *m, nr_plan *p, const nr_batch *b);
void nr_acc_add(nr_model *m, nr_plan *p, int64_t n, nr_acc *acc);
void nr_acc_logs(const nr_model *m, const nr_acc *acc, const char *prefix, nr_logs *logs);
nr_status nr_train_step(nr_model *m, const nr_batch *b, nr_acc *acc);
void nr_eval_step(nr_model *m, const nr_batch *b, nr_acc *acc);
nr_status nr_run_eval(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y, const float *weights,
                      int64_t start, int64_t n, int batch_size, nr_acc *acc);

#endif
