/* Model internals: the view on the graph, its compiled training state and
 * its execution plans. */
#ifndef NR_MODEL_INTERNAL_H
#define NR_MODEL_INTERNAL_H

#include "graph/graph.h"
#include "neurona/model.h"

/* An execution plan: which nodes run, where every buffer lives in one
 * arena reserved at plan time, and the exec tables kernels read. */
typedef struct nr_series_record nr_series_record;   /* io/model_series.c */

typedef struct nr_plan {
    int64_t batch;                   /* largest batch this plan runs */
    int backward;                    /* plans the backward pass too */
    int n_nodes;                     /* graph size when planned */
    int n_order;
    int *order;                      /* active node ids, ascending */
    unsigned char *needs_grad;       /* per node, with the trainable flags read at planning */
    int *first_writer;               /* per node: the consumer whose backward zeroes its grad */
    int64_t *val_off, *grad_off;     /* arena offsets, -1 when none */
    float *arena;
    size_t arena_floats;
    float *params_base;              /* parameter buffer the exec pointers were resolved for */
    nr_exec exec;
} nr_plan;

/* Which nodes a plan must run: everything upstream of the roots. With a
 * train_mask (per node: 1 for the parameters to train) it plans the
 * backward pass too. */
nr_status nr_plan_new(const nr_graph *g, const nr_sym *roots, int n_roots, int64_t batch,
                      const unsigned char *train_mask, nr_plan **out);
void nr_plan_free(nr_plan *p);
/* Re-points parameter buffers if the graph's parameter buffer moved. */
void nr_plan_bind_params(nr_plan *p, const nr_graph *g);
void nr_plan_forward(nr_plan *p, const nr_graph *g, int64_t batch, int training);
/* Runs the backward pass; loss-node gradients must be seeded by the caller
 * through nr_plan_seed. Parameter gradients accumulate into g->grads. */
void nr_plan_backward(nr_plan *p, const nr_graph *g);
void nr_plan_seed(nr_plan *p, nr_sym node, float value);

typedef struct nr_out_state {
    nr_loss loss;                    /* resolved */
    nr_sym loss_node, target, weight;
    nr_metric metrics[NR_MAX_METRICS];
    int n_metrics;
} nr_out_state;

/* A loss added to a model from inside the graph (nr_model_add_loss): a
 * scalar node, its weight in the total loss and its name in the logs. */
#define NR_MAX_ADDED_LOSSES 8
typedef struct nr_added_loss {
    nr_sym node;
    float weight;
    char name[48];
} nr_added_loss;

typedef struct nr_var {
    nr_sym node;
    int64_t off, size;
    nr_regularizer reg;
} nr_var;

struct nr_model {
    nr_graph *g;
    char name[64];
    int sequential;
    int n_in, n_out;
    nr_sym in[NR_MAX_IO], out[NR_MAX_IO];
    /* Sequential: layers as added; built once an input shape is known. */
    nr_layer **seq;
    int n_seq, cap_seq, n_seq_built;
    /* Calls between the inputs and the outputs, in graph order. */
    int *calls;
    int n_calls;
    nr_layer *as_layer;
    /* compile() state */
    int compiled;
    nr_compile_opts copts;
    int prepared;                    /* loss nodes and optimizer exist */
    nr_out_state outs[NR_MAX_IO];
    nr_sym penalties[64];            /* activity regularizer nodes */
    nr_added_loss added[NR_MAX_ADDED_LOSSES];
    int n_added;
    /* BatchNormalization nodes upstream of the outputs and whether each
     * was frozen when the model was compiled; a training step applies
     * them, since several models may share the nodes with other flags. */
    nr_sym *bn_nodes;
    unsigned char *bn_frozen;
    int n_bn;
    int n_penalties;
    nr_var *vars;                    /* trainable variables at compile */
    int n_vars;
    nr_var *reg_vars;                /* variables with a weight penalty */
    int n_reg_vars;
    nr_optimizer *opt;
    nr_plan *train_plan, *eval_plan, *infer_plan;
    nr_scaler *scaler;
    nr_labels *labels;
    nr_series_record *series;         /* time-series windowing (io/model_series.c), or NULL */
    nr_prep *prep;                    /* fitted data preparation (io/model_prep.c), or NULL */
    int stop_training;
    nr_status callback_status;       /* a built-in callback failed (e.g. could not save) */
    uint64_t step;                   /* training steps run (dropout stream) */
};

void nr_model_destroy(nr_model *m);
/* Recomputes the calls between inputs and outputs. */
nr_status nr_model_collect_calls(nr_model *m);
/* Builds a pending Sequential from an input shape (without the batch dim). */
nr_status nr_sequential_build(nr_model *m, int ndim, const int64_t *shape);
/* Adds loss/target nodes and the optimizer once the model is built. */
nr_status nr_model_prepare(nr_model *m);
/* Sets the BatchNormalization nodes' modes to this model's compile-time
 * snapshot (before each training step). */
void nr_model_apply_bn_modes(nr_model *m);

void nr_graph_unique_name(const nr_graph *g, const char *base, int start_at_one, char *buf, size_t size);

#endif
