/* neurona: custom ops from C, the Lambda layers of Keras with the forward
 * and the backward pass written by the user.
 *
 *   static void fwd(const nr_custom_io *io, void *user) {      y = x^2
 *       for (int64_t i = 0; i < nr_tensor_numel(&io->y); i++) io->y.data[i] = io->x[0].data[i] * io->x[0].data[i];
 *   }
 *   static void bwd(const nr_custom_io *io, void *user) {      dx += 2 x dy
 *       for (int64_t i = 0; i < nr_tensor_numel(&io->y); i++) io->dx[0][i] += 2 * io->x[0].data[i] * io->dy.data[i];
 *   }
 *   nr_custom_op square = {.name = "square", .n_inputs = 1, .forward = fwd, .backward = bwd};
 *   nr_custom_gradcheck(&square, (const nr_tensor *[]){&probe}, NULL, &err);   checks bwd against fwd
 *   nr_lambda(g, &(nr_lambda_opts){.op = square}, &layer);    a layer like any other
 *
 * The op runs inside planned training steps: it must not allocate per
 * call if the model is to keep allocation-free steps, and it may run on
 * any thread (never two calls of one node at once). A Lambda cannot be
 * written to a SPEC file (a SPEC cannot hold C code): saving a model
 * that holds one writes Lambda("NAME"), which loading refuses with a
 * message naming the op. */
#ifndef NEURONA_CUSTOM_H
#define NEURONA_CUSTOM_H

#include "layers.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NR_CUSTOM_MAX_IN 4

/* What a callback sees: views of the node's buffers, batch dimension first
 * (shape[0] is the number of rows in this run). */
typedef struct nr_custom_io {
    int n_in;
    nr_tensor x[NR_CUSTOM_MAX_IN];    /* the inputs (read only) */
    nr_tensor y;                      /* the output: forward writes every value; backward reads it */
    nr_tensor dy;                     /* backward: the output's gradient (read only) */
    float *dx[NR_CUSTOM_MAX_IN];      /* backward: ADD (+=) each input's gradient here; NULL when none is needed */
    int training;                     /* 1 in fit() and train_on_batch() */
    uint64_t step;                    /* the training step, for ops that draw random numbers */
} nr_custom_io;

typedef struct nr_custom_op {
    const char *name;                 /* the op's name in messages and in SPEC text; required */
    int n_inputs;                     /* 1 to NR_CUSTOM_MAX_IN */
    /* The output shape without the batch dimension from the inputs'
     * (ndim[i] and shape[i][0 .. ndim[i])); return non-zero to refuse the
     * inputs (the layer reports the shapes). NULL: the output is shaped
     * like input 0. */
    int (*shape)(int n_in, const int *ndim, const int64_t (*shape)[NR_MAX_DIMS], int *out_ndim,
                 int64_t out_shape[NR_MAX_DIMS], void *user);
    void (*forward)(const nr_custom_io *io, void *user);   /* required */
    void (*backward)(const nr_custom_io *io, void *user);  /* required */
    void *user;                       /* handed to every callback; must outlive the graph */
} nr_custom_op;

/* Lambda: a layer running op (copied; name and user are borrowed). */
typedef struct nr_lambda_opts {
    nr_layer_base base;
    nr_custom_op op;
} nr_lambda_opts;
nr_status nr_lambda(nr_graph *g, const nr_lambda_opts *o, nr_layer **out);

/* Checks op's backward against central finite differences of its forward
 * on the inputs x[0 .. op->n_inputs) (batch first; their values are
 * used as given, the caller picks them away from kinks), with a random
 * output gradient, and that backward accumulates (+=). NR_OK when every
 * input gradient matches within atol + rtol |numeric|; else
 * NR_STATUS_BAD_ARGUMENT with the first mismatch (input, element,
 * analytic and numeric values) in nr_last_error(). *max_err (may be NULL)
 * gets the largest |analytic - numeric|. */
typedef struct nr_gradcheck_opts {
    double h;                         /* step, default 1e-2 (in float32: not smaller than 1e-3) */
    double atol, rtol;                /* defaults 1e-3 and 1e-2 */
    uint64_t seed;                    /* of the output gradient; 0 is a fixed seed too */
} nr_gradcheck_opts;
nr_status nr_custom_gradcheck(const nr_custom_op *op, const nr_tensor *const *x, const nr_gradcheck_opts *o,
                              double *max_err);

#ifdef __cplusplus
}
#endif
#endif
