/* neurona: models, the Keras training API, callbacks and model files.
 *
 * A model is a view on a graph: its inputs, its outputs and the layers
 * between them. It is owned by the graph (never freed on its own).
 * compile() plans execution: every buffer a training step needs is
 * reserved then, so fit() and train_on_batch() allocate nothing per step.
 */
#ifndef NEURONA_MODEL_H
#define NEURONA_MODEL_H

#include <stdio.h>
#include "layers.h"
#include "optim.h"
#include "data.h"
#include "prep.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NR_MAX_IO 8        /* inputs or outputs of one model */
#define NR_MAX_METRICS 8
#define NR_MAX_LOGS 32

/* --- building models ------------------------------------------------ */

/* Functional model from inputs to outputs. name NULL: "functional". */
nr_status nr_model_new(nr_graph *g, const nr_sym *inputs, int n_inputs,
                       const nr_sym *outputs, int n_outputs, const char *name, nr_model **out);

/* Empty Sequential model; layers come from nr_sequential_add. name NULL: "sequential". */
nr_status nr_sequential_new(nr_graph *g, const char *name, nr_model **out);
/* Adds a layer (or nr_input_layer, or a model through nr_model_as_layer).
 * Shape errors are reported here when the input shape is known. */
nr_status nr_sequential_add(nr_model *m, nr_layer *l);

/* The model as a layer that can be called inside another model; its
 * layers (and weights) are shared. Owned by the graph. */
nr_status nr_model_as_layer(nr_model *m, nr_layer **out);

nr_graph *nr_model_graph(const nr_model *m);
const char *nr_model_name(const nr_model *m);
int nr_model_n_layers(const nr_model *m);
nr_layer *nr_model_layer(const nr_model *m, int i);           /* NULL if out of range */
nr_layer *nr_model_get_layer(const nr_model *m, const char *name); /* NULL if none */
/* Output of layer i's call in the model (Keras's layer.output; its shape
 * through nr_sym_shape). BAD_ARGUMENT when i is out of range or the
 * Sequential model has no input shape yet. */
nr_status nr_model_layer_output(const nr_model *m, int i, nr_sym *out);
int nr_model_n_inputs(const nr_model *m);
int nr_model_n_outputs(const nr_model *m);
nr_sym nr_model_input(const nr_model *m, int i);
nr_sym nr_model_output(const nr_model *m, int i);
void nr_model_count_params(const nr_model *m, int64_t *trainable, int64_t *non_trainable);

/* Prints the Keras summary table. */
nr_status nr_model_summary(const nr_model *m, FILE *f);

/* Keras's model.trainable = flag: sets the flag of every layer inside,
 * nested models included. As in Keras, a compiled model keeps training
 * the weights that were trainable when it was compiled (so a
 * discriminator frozen after its own compile() still trains there, and is
 * frozen in a combined GAN model compiled afterwards); summaries count
 * the current flags. */
void nr_model_set_trainable(nr_model *m, int trainable);

/* Unfreezes the top of m: the layer called name and every layer after it
 * in m's order become trainable, every layer before it frozen (Keras:
 * base.trainable = True, then layer.trainable = False for
 * base.layers[:index]). An unknown name is an error with the closest
 * names. *n_trainable (may be NULL) receives how many layers are now
 * trainable. Recompile afterwards (with a lower learning rate). */
nr_status nr_model_set_trainable_from(nr_model *m, const char *name, int *n_trainable);

/* A loss computed inside the graph, added to the model's loss (Keras's
 * add_loss, e.g. a VAE's KL term): loss is a tensor computed from the
 * model's inputs, either an unbatched scalar, taken as it is, or a
 * batched tensor (N, ...), reduced to the sum of its values divided by the
 * batch rows (per-sample values averaged over the batch, as Keras's VAE
 * example reduces its KL term). The total loss is the compiled losses
 * plus weight times each added loss; the logs report each added loss
 * unweighted under its name. Call before compile(); up to 8 per model. */
typedef struct nr_add_loss_opts {
    const char *name;                 /* the logs' name; default "added_loss", "added_loss_1", ... */
    float weight;                     /* 0 = 1.0 */
} nr_add_loss_opts;
nr_status nr_model_add_loss(nr_model *m, nr_sym loss, const nr_add_loss_opts *o);

/* --- compile --------------------------------------------------------- */

typedef enum nr_loss_kind {
    NR_LOSS_NONE = 0,
    NR_LOSS_MEAN_SQUARED_ERROR,
    NR_LOSS_MEAN_ABSOLUTE_ERROR,
    NR_LOSS_HUBER,                    /* delta (1.0) */
    NR_LOSS_BINARY_CROSSENTROPY,
    NR_LOSS_CATEGORICAL_CROSSENTROPY,
    NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
    NR_LOSS_COUNT_
} nr_loss_kind;

typedef struct nr_loss {
    nr_loss_kind kind;
    int from_logits;
    float delta;                      /* huber; 0 = 1.0 */
    float weight;                     /* loss_weights entry; 0 = 1.0 */
} nr_loss;

nr_status nr_loss_parse(const char *name, nr_loss_kind *out); /* "mse", "categorical_crossentropy" */
const char *nr_loss_name(nr_loss_kind k);

typedef enum nr_metric {
    NR_METRIC_NONE = 0,
    NR_METRIC_ACCURACY,               /* binary/categorical/sparse chosen from the loss, as Keras */
    NR_METRIC_BINARY_ACCURACY,
    NR_METRIC_CATEGORICAL_ACCURACY,
    NR_METRIC_SPARSE_CATEGORICAL_ACCURACY,
    NR_METRIC_MSE,
    NR_METRIC_MAE,
    NR_METRIC_COUNT_
} nr_metric;

nr_status nr_metric_parse(const char *name, nr_metric *out);  /* "accuracy", "acc", "mse", "mae" */
const char *nr_metric_name(nr_metric k);

typedef struct nr_compile_opts {
    nr_optimizer_opts optimizer;
    nr_loss loss[NR_MAX_IO];          /* one per output; only loss[0] set: used for every output */
    nr_metric metrics[NR_MAX_METRICS];/* applied to every output */
} nr_compile_opts;

nr_status nr_model_compile(nr_model *m, const nr_compile_opts *o);
/* The options of the last compile() (borrowed), or NULL when not compiled. */
const nr_compile_opts *nr_model_compile_opts(const nr_model *m);
/* The loss of output i as resolved by compile (loss[0] applied to every
 * output when only it was given); kind NR_LOSS_NONE if not compiled. */
nr_loss nr_model_loss(const nr_model *m, int i);

/* --- logs and history ----------------------------------------------- */

/* Named figures of one epoch or one evaluation ("loss", "accuracy",
 * "val_loss", "lr"...), in Keras's order. A plain value. */
typedef struct nr_logs {
    int n;
    char names[NR_MAX_LOGS][48];
    double values[NR_MAX_LOGS];
} nr_logs;

/* Value of a named entry, or NAN when absent. */
double nr_logs_get(const nr_logs *logs, const char *name);
/* "loss: 0.3497 - accuracy: 0.8750" into buf. */
char *nr_logs_format(const nr_logs *logs, char *buf, size_t size);

typedef struct nr_history nr_history;
int nr_history_n_epochs(const nr_history *h);
int nr_history_n_keys(const nr_history *h);
const char *nr_history_key(const nr_history *h, int i);
/* Values per epoch of a key (borrowed, valid until nr_history_free), NULL if absent. */
const double *nr_history_values(const nr_history *h, const char *key);
const int *nr_history_epochs(const nr_history *h);            /* 0-based epoch numbers */
nr_status nr_history_save_csv(const nr_history *h, const char *path); /* atomic */
/* Reads a History saved by nr_history_save_csv (or Keras's CSVLogger): an
 * "epoch" column and one numeric column per figure, empty cells as NaN.
 * Caller frees *out with nr_history_free. */
nr_status nr_history_load_csv(const char *path, nr_history **out);
/* The learning curves as a PNG or SVG file (by path's extension): one
 * panel per figure (loss, then the metrics), training in blue and
 * validation (the val_ figure) in orange, against the epoch. */
nr_status nr_history_plot(const nr_history *h, const char *path);
void nr_history_free(nr_history *h);

/* --- callbacks ------------------------------------------------------- */

typedef struct nr_callback nr_callback;

/* User callback from C. Any hook may be NULL. Returning non-zero from
 * on_epoch_end or on_batch_end stops training (as stop_training = True). */
typedef struct nr_callback_fns {
    void (*on_train_begin)(nr_model *m, void *user);
    void (*on_epoch_begin)(nr_model *m, int epoch, void *user);
    int (*on_epoch_end)(nr_model *m, int epoch, const nr_logs *logs, void *user);
    int (*on_batch_end)(nr_model *m, int batch, const nr_logs *logs, void *user);
    void (*on_train_end)(nr_model *m, const nr_logs *logs, void *user);
    void *user;
} nr_callback_fns;
nr_status nr_callback_new(const nr_callback_fns *fns, nr_callback **out);

typedef enum nr_monitor_mode { NR_MODE_AUTO = 0, NR_MODE_MIN, NR_MODE_MAX } nr_monitor_mode;

typedef struct nr_early_stopping_opts {
    const char *monitor;              /* default "val_loss" */
    float min_delta;
    int patience;
    nr_monitor_mode mode;
    float baseline; int has_baseline;
    int restore_best_weights;
    int start_from_epoch;
    int verbose;
} nr_early_stopping_opts;
nr_status nr_early_stopping_new(const nr_early_stopping_opts *o, nr_callback **out);

typedef struct nr_model_checkpoint_opts {
    const char *filepath;             /* may hold {epoch} ({epoch:02d}) and {val_loss} ({val_loss:.4f}) */
    const char *monitor;              /* default "val_loss" */
    int save_best_only;
    nr_monitor_mode mode;
    int verbose;
} nr_model_checkpoint_opts;
nr_status nr_model_checkpoint_new(const nr_model_checkpoint_opts *o, nr_callback **out);

typedef struct nr_csv_logger_opts {
    const char *filename;
    char separator;                   /* default ',' */
    int append;
} nr_csv_logger_opts;
nr_status nr_csv_logger_new(const nr_csv_logger_opts *o, nr_callback **out);

typedef struct nr_reduce_lr_opts {
    const char *monitor;              /* default "val_loss" */
    float factor;                     /* 0.1 */
    int patience;                     /* 10 */
    nr_monitor_mode mode;
    float min_delta;                  /* 1e-4 */
    int cooldown;
    float min_lr;
    int verbose;
} nr_reduce_lr_opts;
nr_status nr_reduce_lr_on_plateau_new(const nr_reduce_lr_opts *o, nr_callback **out);

/* Sets the learning rate at the start of every epoch to fn(epoch, lr). */
nr_status nr_lr_scheduler_new(float (*fn)(int epoch, float lr, void *user), void *user, int verbose,
                              nr_callback **out);
nr_status nr_terminate_on_nan_new(nr_callback **out);
void nr_callback_free(nr_callback *cb);

/* --- training and inference ----------------------------------------- */

typedef struct nr_fit_opts {
    int epochs;                       /* 1 */
    int batch_size;                   /* 32 */
    int no_shuffle;                   /* 1: shuffle = False */
    int verbose;                      /* 0 silent (the C default), 1 progress bar, 2 one line per epoch */
    float validation_split;           /* the last fraction of the data, before shuffling, as Keras */
    const nr_tensor *const *validation_x; /* n_inputs tensors, or NULL */
    const nr_tensor *const *validation_y; /* n_outputs tensors */
    const float *class_weight;        /* per class index, or NULL */
    int n_class_weight;
    const nr_tensor *sample_weight;   /* (N,), or NULL */
    int initial_epoch;
    nr_callback *const *callbacks;    /* borrowed */
    int n_callbacks;
    FILE *out;                        /* progress output; NULL = stdout */
} nr_fit_opts;

/* Trains; x has n_inputs tensors, y n_outputs (targets: class indices (N,)
 * for sparse losses, else the output's shape). *history (may be NULL) is
 * the caller's to free with nr_history_free. */
nr_status nr_model_fit(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y,
                       const nr_fit_opts *o, nr_history **history);

typedef struct nr_eval_opts {
    int batch_size;                   /* 32 */
    int verbose;
    const nr_tensor *sample_weight;
    FILE *out;
} nr_eval_opts;
nr_status nr_model_evaluate(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y,
                            const nr_eval_opts *o, nr_logs *logs);

/* outputs receives n_outputs new tensors, caller frees each. */
nr_status nr_model_predict(nr_model *m, const nr_tensor *const *x, int batch_size, nr_tensor **outputs);

nr_status nr_model_train_on_batch(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y,
                                  const nr_tensor *sample_weight, nr_logs *logs);
nr_status nr_model_test_on_batch(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y,
                                 const nr_tensor *sample_weight, nr_logs *logs);
nr_status nr_model_predict_on_batch(nr_model *m, const nr_tensor *const *x, nr_tensor **outputs);

/* Learning rate of the compiled optimizer (after schedules/callbacks). */
float nr_model_learning_rate(const nr_model *m);
nr_status nr_model_set_learning_rate(nr_model *m, float lr);

/* Copies all weights of the model out / back (for restore_best_weights).
 * nr_model_weights_size is the number of floats, or -1 out of memory. */
int64_t nr_model_weights_size(const nr_model *m);
nr_status nr_model_get_weights(const nr_model *m, float *dst);
nr_status nr_model_set_weights(nr_model *m, const float *src);

/* --- preprocessing kept inside the model ----------------------------- */

/* The model keeps a copy (or NULL to remove); predict/evaluate apply it to
 * input 0 when called through nr_model_predict_raw-style entry points of the CLI. */
nr_status nr_model_set_scaler(nr_model *m, const nr_scaler *s);
const nr_scaler *nr_model_scaler(const nr_model *m);    /* borrowed, may be NULL */
nr_status nr_model_set_labels(nr_model *m, const nr_labels *labels);
const nr_labels *nr_model_labels(const nr_model *m);    /* borrowed, may be NULL */

/* --- data preparation kept inside the model ------------------------- */

/* The fitted preparation steps (prep.h) raw CSV data goes through before
 * the model's scaler, so predict and evaluate take data as it was before
 * training. Copied; NULL removes them; an unfitted pipeline is an
 * NR_STATUS_STATE error. */
nr_status nr_model_set_prep(nr_model *m, const nr_prep *p);
const nr_prep *nr_model_prep(const nr_model *m);   /* borrowed, NULL when none */

/* --- time series kept inside the model ------------------------------ */

/* The windowing a model was trained with (data.h: features, targets,
 * window, horizon, stride, split), with its zero fields resolved to the
 * defaults, and the scaler of the series columns in nr_series_columns
 * order (NULL: unscaled), so a forecast can rebuild the inputs from raw
 * data. Both are copied; o NULL removes them. Column names cannot hold a
 * line break. */
nr_status nr_model_set_series(nr_model *m, const nr_series_opts *o, const nr_scaler *scaler);
const nr_series_opts *nr_model_series(const nr_model *m);   /* borrowed, NULL when none */
const nr_scaler *nr_model_series_scaler(const nr_model *m);  /* borrowed, may be NULL */

/* Forecasts steps values of each target from each origin t = origins[i]:
 * the model reads steps t-W .. t-1 of s (already scaled as it was
 * trained) and out (n, steps * K) receives the forecasts of steps t ..
 * t+steps-1, step-major and in the series' scaled units. steps up to the
 * horizon H takes the first steps of one prediction; more feeds each
 * prediction back as the newest input and predicts again, which needs the
 * features to be the targets (same names, same order). Errors: an origin
 * before W or after the series, steps < 1, recursion over other features.
 * Caller frees *out. */
nr_status nr_model_forecast(nr_model *m, const nr_series *s, const nr_series_opts *o, const int64_t *origins,
                            int64_t n, int steps, nr_tensor **out);

/* --- model files ----------------------------------------------------- */

/* Saves architecture, weights, optimizer state, scaler, labels and series
 * windowing to one versioned, checksummed file, atomically (temp file,
 * fsync, rename). */
nr_status nr_model_save(const nr_model *m, const char *path);

/* Loads a model file into a new graph (caller frees *g with nr_graph_free;
 * the model belongs to it). The loaded model is compiled as saved, with its
 * optimizer state, ready to predict or to resume fit(initial_epoch). */
nr_status nr_model_load(const char *path, nr_graph **g, nr_model **m);

/* The architecture as SPEC text (Keras call syntax, functional form).
 * Caller frees with nr_free_string. */
nr_status nr_model_to_spec(const nr_model *m, char **text);
void nr_free_string(char *s);

#ifdef __cplusplus
}
#endif
#endif
