/* Fitting loaded data to a model: targets shaped for its loss, features
 * scaled with the scaler it keeps, and its input shape checked against the
 * data before anything runs, so a mismatch is reported with both shapes
 * and the file it came from. The CLI feeds one input and one output. */
#ifndef NR_CLI_PREP_H
#define NR_CLI_PREP_H

#include "neurona/neurona.h"

/* 1 for the cross-entropy losses, whose targets are classes. */
int cli_loss_is_classification(nr_loss_kind loss);

/* Units of the model's output (its last dimension); 0 while a Sequential
 * without an input shape is still unbuilt. */
int64_t cli_output_units(const nr_model *m);

/* Refuses models with more than one input or output. */
nr_status cli_check_single_io(const nr_model *m);

/* "(None, 28, 28, 1)": Keras's spelling of a batched shape (its first
 * axis is the batch). Returns buf. */
char *cli_batched_str(char *buf, size_t size, int ndim, const int64_t *shape);

/* The model's input shape with the batch axis first; returns its rank,
 * 0 while a Sequential without an input shape is still unbuilt. */
int cli_input_shape(const nr_model *m, int64_t shape[NR_MAX_DIMS]);

/* Builds a Sequential that has no input shape yet from x's shape (Keras
 * builds it on its first data), then reshapes x to the model's input by
 * nr_batch_reshape's rules, or fails naming source, both shapes and, with
 * hint, a likely cause. */
nr_status cli_fit_input(nr_model *m, nr_tensor *x, const char *source, const char *hint);

/* Checks that the model's output has a unit for every class of labels
 * (one unit for two classes under binary_crossentropy). labels may be
 * NULL. */
nr_status cli_check_classes(const nr_model *m, nr_loss_kind loss, const nr_labels *labels, const char *source);

/* Replaces *y (class indices (N,) or values (N, 1)) with the targets the
 * loss wants: one-hot (N, K) for categorical_crossentropy, class indices
 * (N,) for the sparse loss, (N, 1) otherwise. K is the output's units. */
nr_status cli_shape_targets(const nr_model *m, nr_loss_kind loss, nr_tensor **y);

/* Fits a scaler ("standard", "minmax"; "none" does nothing) on x, applies
 * it to x and to x_test (may be NULL) and stores it in the model. */
nr_status cli_fit_scaler(nr_model *m, const char *kind, nr_tensor *x, nr_tensor *x_test);

/* Applies the model's stored scaler, if it has one, to x in place. */
nr_status cli_apply_scaler(const nr_model *m, nr_tensor *x);

#endif
