/* Targets, scaling and input checks between loaded data and a model. */
#include <string.h>
#include "cli/cli_prep.h"
#include "core/core.h"

int cli_loss_is_classification(nr_loss_kind loss) {
    return loss == NR_LOSS_BINARY_CROSSENTROPY || loss == NR_LOSS_CATEGORICAL_CROSSENTROPY ||
           loss == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
}

static nr_status io_shape(const nr_model *m, nr_sym s, int *ndim, int64_t shape[NR_MAX_DIMS]) {
    return nr_sym_shape(nr_model_graph(m), s, ndim, shape);
}

int64_t cli_output_units(const nr_model *m) {
    int ndim;
    int64_t shape[NR_MAX_DIMS];
    if (nr_model_n_outputs(m) < 1 || io_shape(m, nr_model_output(m, 0), &ndim, shape) != NR_OK || ndim < 1) return 0;
    return shape[ndim - 1];
}

nr_status cli_check_single_io(const nr_model *m) {
    if (nr_model_n_inputs(m) <= 1 && nr_model_n_outputs(m) <= 1) return NR_OK;
    return nr_error(NR_STATUS_UNSUPPORTED, "model \"%s\" has %d inputs and %d outputs; the CLI feeds one of each",
                    nr_model_name(m), nr_model_n_inputs(m), nr_model_n_outputs(m));
}

char *cli_batched_str(char *buf, size_t size, int ndim, const int64_t *shape) {
    size_t k = (size_t)snprintf(buf, size, "(None");
    for (int i = 1; i < ndim && k < size; i++) k += (size_t)snprintf(buf + k, size - k, ", %lld", (long long)shape[i]);
    if (k < size) snprintf(buf + k, size - k, ")");
    return buf;
}

/* A one-row prediction builds an unbuilt Sequential from the data. */
static nr_status build_from(nr_model *m, const nr_tensor *x) {
    nr_tensor *row = NULL, *out[NR_MAX_IO] = {0};
    NR_TRY(nr_tensor_slice_rows(&row, x, 0, 1));
    const nr_tensor *in[1] = {row};
    nr_status s = nr_model_predict(m, in, 1, out);
    for (int i = 0; i < NR_MAX_IO; i++) nr_tensor_free(out[i]);
    nr_tensor_free(row);
    return s;
}

int cli_input_shape(const nr_model *m, int64_t shape[NR_MAX_DIMS]) {
    int ndim;
    if (nr_model_n_inputs(m) < 1 || io_shape(m, nr_model_input(m, 0), &ndim, shape) != NR_OK) return 0;
    return ndim;
}

nr_status cli_fit_input(nr_model *m, nr_tensor *x, const char *source, const char *hint) {
    if (nr_model_n_inputs(m) == 0) NR_TRY(build_from(m, x));
    NR_TRY(cli_check_single_io(m));
    int ndim;
    int64_t shape[NR_MAX_DIMS], row = 1;
    NR_TRY(io_shape(m, nr_model_input(m, 0), &ndim, shape));
    if (nr_batch_reshape(x, ndim - 1, shape + 1) == NR_OK) return NR_OK;
    for (int i = 1; i < ndim; i++) row *= shape[i];
    char a[96], b[96];
    return nr_error(NR_STATUS_BAD_SHAPE, "%s: the data has shape %s (%lld values per row) but model \"%s\" expects %s "
                    "(%lld per row)%s%s", source, nr_shape_str(a, sizeof a, x->ndim, x->shape),
                    (long long)nr_tensor_row_size(x), nr_model_name(m), cli_batched_str(b, sizeof b, ndim, shape),
                    (long long)row, row == nr_tensor_row_size(x) ? "; the shapes differ by more than a last axis of 1 "
                    "or flattening" : "", hint ? hint : "");
}

nr_status cli_check_classes(const nr_model *m, nr_loss_kind loss, const nr_labels *labels, const char *source) {
    if (!labels || !cli_loss_is_classification(loss)) return NR_OK;
    int64_t units = cli_output_units(m), k = nr_labels_count(labels);
    int binary = loss == NR_LOSS_BINARY_CROSSENTROPY;
    if (binary && k > 2)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the target has %lld classes but binary_crossentropy takes two; "
                        "use a softmax output with sparse_categorical_crossentropy", source, (long long)k);
    /* Fewer classes than units is fine (Keras allows it); more is not. */
    if (binary ? units == 1 : k <= units) return NR_OK;
    return nr_error(NR_STATUS_BAD_SHAPE, "%s: the target has %lld classes but model \"%s\" has %lld output units for "
                    "%s; give its last layer %lld units", source, (long long)k, nr_model_name(m), (long long)units,
                    nr_loss_name(loss), (long long)(binary ? 1 : k));
}

/* binary_crossentropy reads each target as a probability of class 1. */
static nr_status check_binary(const nr_tensor *y) {
    int64_t n = nr_tensor_numel(y);
    for (int64_t r = 0; r < n; r++)
        if (y->data[r] != 0 && y->data[r] != 1)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "binary_crossentropy needs two classes (targets 0 and 1), but "
                            "row %lld has class %g; use softmax with sparse_categorical_crossentropy for more",
                            (long long)r + 1, y->data[r]);
    return NR_OK;
}

nr_status cli_shape_targets(const nr_model *m, nr_loss_kind loss, nr_tensor **y) {
    nr_tensor *t = *y;
    int64_t n = t->shape[0];
    if (loss == NR_LOSS_CATEGORICAL_CROSSENTROPY && nr_tensor_row_size(t) == 1) {
        nr_tensor *hot = NULL;
        NR_TRY(nr_to_categorical(t, (int)cli_output_units(m), &hot));
        nr_tensor_free(t);
        *y = hot;
        return NR_OK;
    }
    if (loss == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return nr_tensor_reshape(t, 1, (int64_t[]){n});
    if (loss == NR_LOSS_BINARY_CROSSENTROPY && t->ndim == 1) NR_TRY(check_binary(t));
    return t->ndim == 1 ? nr_tensor_reshape(t, 2, (int64_t[]){n, 1}) : NR_OK;
}

nr_status cli_fit_scaler(nr_model *m, const char *kind, nr_tensor *x, nr_tensor *x_test) {
    if (strcmp(kind, "none") == 0) return nr_model_set_scaler(m, NULL);
    nr_scaler *s = NULL;
    NR_TRY(nr_scaler_new(strcmp(kind, "minmax") == 0 ? NR_SCALER_MINMAX : NR_SCALER_STANDARD, &s));
    nr_status st = nr_scaler_fit(s, x);
    if (st == NR_OK) st = nr_scaler_transform(s, x);
    if (st == NR_OK && x_test) st = nr_scaler_transform(s, x_test);
    if (st == NR_OK) st = nr_model_set_scaler(m, s);
    nr_scaler_free(s);
    return st;
}

nr_status cli_apply_scaler(const nr_model *m, nr_tensor *x) {
    const nr_scaler *s = nr_model_scaler(m);
    return s ? nr_scaler_transform(s, x) : NR_OK;
}
