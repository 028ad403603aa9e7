/* The static computation graph under every model: nodes (ops) in
 * topological order, the contiguous parameter and gradient buffers, and the
 * records of layer calls that models are views on.
 *
 * Node ids only ever point backwards (an op's inputs exist before it), so
 * the node array is already a topological order: forward runs it upwards,
 * backward downwards. Kernels never see the graph's layers or models: they
 * get a node (op, attributes, shape, input ids) and an nr_exec holding the
 * buffers of one planned run, so another backend can supply its own. */
#ifndef NR_GRAPH_H
#define NR_GRAPH_H

#include "core/core.h"
#include "neurona/custom.h"
#include "neurona/layers.h"

#define NR_MAX_IN 8

typedef enum nr_op_kind {
    NR_OP_INPUT,    /* data fed at run time */
    NR_OP_PARAM,    /* a weight tensor in the graph's parameter buffer */
    NR_OP_LINEAR,   /* y[r,o] = sum_i x[r,i] W[i,o] + b[o]; in = {x, W, b?}; rows = all but last dim */
    NR_OP_ACT,      /* y = f(x) elementwise (attrs.act) */
    NR_OP_SOFTMAX,  /* y = softmax(x) over the last axis */
    NR_OP_DROPOUT,  /* training: y = x * keep / (1 - rate); inference: y = x */
    NR_OP_COPY,     /* y = x viewed with another shape (Flatten, Reshape) */
    NR_OP_CONCAT,   /* y = concat(x0..xn-1) along attrs.concat.axis */
    NR_OP_ADD,      /* y = x0 + x1 + ... */
    NR_OP_SUB,      /* y = x0 - x1 */
    NR_OP_MUL,      /* y = x0 * x1 * ... */
    NR_OP_AVG,      /* y = (x0 + ... + xn-1) / n */
    NR_OP_MAX,      /* y = max(x0, ..., xn-1), gradient to the first maximum */
    NR_OP_LOSS,     /* scalar: sum_r w_r loss(pred_r, target_r) / N; in = {pred, target, w?} */
    NR_OP_PENALTY,  /* scalar: (l1 sum|x| + l2 sum x^2) / N (activity regularizer) */
    NR_OP_CONV2D,   /* y[n,p,q,f] = b[f] + sum_{i,j,c} x[n, p sh - pt + i dh, q sw - pl + j dw, c] W[i,j,c,f]; in = {x, W, b?} */
    NR_OP_MAXPOOL2D, /* y[n,p,q,c] = max over the kh x kw window at (p sh - pt, q sw - pl) of x[n,.,.,c], padding ignored */
    NR_OP_AVGPOOL2D, /* y[n,p,q,c] = mean over the window's cells inside x (padding excluded from the count) */
    NR_OP_BATCHNORM, /* y[r,c] = (x[r,c] - mean_c) / sqrt(var_c + eps) gamma_c + beta_c, statistics over the rows */
    NR_OP_LAYERNORM, /* y[r,d] = (x[r,d] - mean_r) / sqrt(var_r + eps) gamma_d + beta_d, statistics over each row */
    NR_OP_CONV2D_T, /* y[n, p sh - pt + i dh, q sw - pl + j dw, f] += x[n,p,q,c] W[i,j,f,c], + b[f]; in = {x, W, b?} */
    NR_OP_DWCONV2D, /* y[n,p,q,c M + m] = b[c M + m] + sum_{i,j} x[n, p sh - pt + i dh, q sw - pl + j dw, c] W[i,j,c,m]; in = {x, W, b?} */
    NR_OP_GAUSSIAN_NOISE, /* training: y = x + stddev z, z ~ N(0, 1); inference: y = x */
    NR_OP_SPATIAL_DROPOUT, /* training: y[n,..,c] = x[n,..,c] keep[n,c] / (1 - rate); inference: y = x */
    NR_OP_RANDOM_AFFINE, /* training: y[n,i,j,c] = x[n] sampled at A_n (j, i, 1), A_n random per sample; inference: y = x */
    NR_OP_GLOBAL_AVGPOOL, /* y[n,c] = mean_s x[n,s,c], s over every axis between batch and channels */
    NR_OP_GLOBAL_MAXPOOL, /* y[n,c] = max_s x[n,s,c], gradient to the first maximum */
    NR_OP_UPSAMPLE2D, /* y (N,H sh,W sw,C) = x (N,H,W,C) resized: nearest (repeat) or bilinear (half-pixel centers) */
    NR_OP_PAD2D,    /* y[n,p,q,c] = x[n, p - top, q - left, c], 0 outside x; negative amounts crop */
    NR_OP_RNN,      /* a recurrent layer over x (N,T,F), all steps in one op; in = {x, W, U, b?, mask?, h0?, c0?} (see attrs.rnn) */
    NR_OP_SLICE,    /* y = x[:, start : start + len] along axis 1 (squeezed when len is 1 and squeeze is set) */
    NR_OP_EMBEDDING, /* y[r,:] = W[x[r],:] (x integer-valued floats, W (V,D)); in = {x, W} */
    NR_OP_MASK,     /* forward-only Keras mask, 1 keep / 0 skip (attrs.mask, see ops/mask.c) */
    NR_OP_MASK_MUL, /* y[r,j] = x[r,j] m[r]: zeroes masked steps; in = {x, m}, no gradient to m */
    NR_OP_REPEAT,   /* y[n,t,f] = x[n,f] for t < attrs.repeat.n (RepeatVector) */
    NR_OP_MASKED_AVGPOOL, /* y[n,c] = sum_t x[n,t,c] m[n,t] / sum_t m[n,t]; in = {x, m} (GlobalAveragePooling1D) */
    NR_OP_SAMPLING, /* y = mu + exp(lv / 2) eps, eps ~ N(0, 1) per element and step; in = {mu, lv} (VAE Sampling) */
    NR_OP_GAUSS_KL, /* y[n] = -1/2 sum_j (1 + lv - mu^2 - exp(lv))[n,j]: KL(N(mu, e^lv) || N(0, 1)); in = {mu, lv} */
    NR_OP_BATCH_MEAN, /* scalar y = sum(x) / N, N the batch rows (an added loss: per-sample values averaged) */
    NR_OP_CUSTOM,   /* a user op from C (neurona/custom.h): attrs.custom.op's callbacks */
    NR_OP_COUNT_
} nr_op_kind;

/* Loss kinds as the graph sees them; the numbering follows nr_loss_kind. */
typedef struct nr_loss_attrs {
    int kind;        /* nr_loss_kind */
    int logits;      /* 1: pred is logits (from_logits, or fused with softmax/sigmoid) */
    float delta;     /* huber */
} nr_loss_attrs;

/* What a MASK node computes (see ops/mask.c). */
typedef enum nr_mask_kind {
    NR_MASK_NOT_EQUAL,   /* in = {x}: m[r] = 1 if any value of group r of x differs from attrs.mask.value */
    NR_MASK_OR,          /* in = {m0, m1, ...} of one shape: m = m0 or m1 or ... */
    NR_MASK_ONES,        /* in = {x}: m = 1 (a tensor with no mask among masked ones) */
    NR_MASK_LOSS_WEIGHT  /* in = {m, w (N,)}: w[n] m[n,t] M / sum(m), 0 where sum(m) = 0 */
} nr_mask_kind;

/* What RANDOM_AFFINE draws per sample (see ops/affine.c). */
typedef enum nr_affine_kind { NR_AFFINE_FLIP, NR_AFFINE_ROTATION, NR_AFFINE_TRANSLATION, NR_AFFINE_ZOOM } nr_affine_kind;

typedef union nr_op_attrs {
    struct { nr_activation fn; float alpha; } act;
    struct { int axis; } concat;                 /* >= 1; the batch is axis 0 */
    struct { float rate; uint64_t seed; } dropout;
    nr_loss_attrs loss;
    struct { float l1, l2; } penalty;
    /* CONV2D, MAXPOOL2D, AVGPOOL2D. Channels-last like Keras: x (N,H,W,C),
     * y (N,Ho,Wo,F); the conv kernel W is (kh,kw,C,F) as Keras stores it.
     * Pools: kh x kw is the pool size, dh = dw = 1. Stride sh x sw,
     * dilation dh x dw. Padding amounts are resolved by the caller: for
     * "valid" all 0; for TF's "same", per axis,
     *   total = max((ceil(H/s) - 1) s + (k - 1) d + 1 - H, 0),
     *   top = total / 2, bottom = total - top (left/right alike).
     * Ho = (H + pad_top + pad_bottom - ((kh - 1) dh + 1)) / sh + 1, Wo alike.
     * CONV2D with groups G > 1 (0 means 1): W is (kh,kw,C/G,F) and filter
     * block g (F/G filters) sees only input channels [g C/G, (g+1) C/G).
     * CONV2D with relu set is y = max(0, conv), the ReLU of Conv2D(...,
     * activation="relu") fused: one pass over y fewer each way.
     * DWCONV2D: the same geometry; W is (kh,kw,C,M) and F = C M.
     * CONV2D_T: x (N,H,W,C) spreads into y (N,Ho,Wo,F) through W
     * (kh,kw,F,C); pad_top and pad_left are the rows and columns cropped
     * from the top and left of the full output (Ho, Wo and the crops as
     * Keras computes them, see layers/conv_transpose.c); pad_bottom and
     * pad_right are unused.
     * A pool on x (N,T,C), y (N,To,C) is the 1-D case: H = Ho = kh = sh = 1. */
    struct { int kh, kw, sh, sw, dh, dw, pad_top, pad_left, pad_bottom, pad_right, groups, relu; } conv;
    /* BATCHNORM over the last axis: in = {x, moving_mean, moving_variance,
     * gamma if has_gamma, beta if has_beta}. Training mode (exec training
     * and not frozen) normalizes with the batch's mean and biased variance
     * and moves the moving statistics towards them by 1 - momentum;
     * inference mode normalizes with the moving statistics. frozen is set
     * at compile from the layer's trainable flag: Keras runs a frozen
     * BatchNormalization in inference mode. */
    struct { float momentum, epsilon; int has_gamma, has_beta, frozen; } bn;
    /* LAYERNORM over the last n_axes axes of each row (D values): in = {x,
     * gamma if has_gamma, beta if has_beta}, both shaped like those axes.
     * rms: Keras's rms_scaling, y = x / sqrt(var + eps) gamma (the
     * variance is still taken about the mean; x itself is not centered). */
    struct { float epsilon; int n_axes, has_gamma, has_beta, rms; } ln;
    struct { float stddev; uint64_t seed; } noise;   /* GAUSSIAN_NOISE; SPATIAL_DROPOUT uses dropout */
    /* RANDOM_AFFINE on x (N,H,W,C): kind is nr_affine_kind, mode an
     * nr_flip_mode, fill an nr_fill_mode, interp an nr_interpolation;
     * lo/hi: the ranges drawn from ([0] height or the rotation factor,
     * [1] width); has_width 0: a zoom draws one factor for both axes. */
    struct {
        unsigned char kind, mode, fill, interp, has_width;
        float lo[2], hi[2], fill_value;
        uint64_t seed;
    } affine;
    struct { int sh, sw, bilinear; } upsample;   /* UPSAMPLE2D: integer factors */
    /* PAD2D: rows added at the top and columns at the left (negative: cut);
     * the bottom and right amounts follow from the shapes. */
    struct { int top, left; } pad2d;
    /* RNN: cell an nr_rnn_cell; act/rec_act nr_activation (the candidate
     * and output activation, and the gates' one) with their alphas. The
     * step s reads x[:, tt] with tt = go_backwards ? T-1-s : s:
     *   SimpleRNN  h' = act(x W + h U + b)
     *   LSTM       i, f, g, o = rec(.), rec(.), act(.), rec(.) of x W + h U + b
     *              c' = f c + i g, h' = o act(c')
     *   GRU        z, r = rec(x W + bx + h U + bh) (first 2 U columns)
     *              reset_after: hh = act(x Wh + bxh + r (h Uh + bhh)); else
     *              hh = act(x Wh + bh + (r h) Uh); h' = z h + (1 - z) hh
     * bias: LSTM/SimpleRNN (G U); GRU (2, 3U) rows bx, bh when reset_after.
     * mask (N,T) of 1/0: a 0 step keeps the states and outputs the previous
     * h (0 when zero_masked). Output (N,T,U) when return_sequences (row s,
     * or row tt when keep_order), else (N,U) the last output; return_state
     * appends the final states as rows: (N, rows + 1 or 2, U). Dropout
     * (training only): one mask per sequence on x and on h, per gate when
     * rec_dropout > 0 (Keras's implementation 1), SimpleRNN always one. */
    struct {
        unsigned char cell, act, rec_act, go_backwards, return_sequences, return_state, reset_after;
        unsigned char has_bias, has_mask, has_init, keep_order, zero_masked;
        int units;
        float act_alpha, rec_alpha, dropout, rec_dropout;
        uint64_t seed;
    } rnn;
    struct { int start, len, squeeze; } slice;  /* SLICE along axis 1 */
    /* MASK: kind is an nr_mask_kind (ops/mask.c); value for NOT_EQUAL. */
    struct { int kind; float value; } mask;
    struct { int n; } repeat;                    /* REPEAT: copies */
    struct { uint64_t seed; } sampling;          /* SAMPLING: eps from (seed, step, element) */
    struct { const struct nr_custom_op *op; } custom; /* CUSTOM: the layer's copy of the user's op */
} nr_op_attrs;

/* The cells of NR_OP_RNN. */
typedef enum nr_rnn_cell { NR_RNN_SIMPLE, NR_RNN_LSTM, NR_RNN_GRU } nr_rnn_cell;

typedef struct nr_node {
    nr_op_kind op;
    int n_in;
    nr_sym in[NR_MAX_IN];
    int ndim;                        /* including the batch dimension when batched */
    int64_t shape[NR_MAX_DIMS];      /* shape[0] is -1 when batched */
    int batched;                     /* 0 for params and scalars */
    nr_op_attrs a;
    int needs_grad;                  /* 1 if a parameter lies upstream (set when added) */
    int differentiable;              /* 0 for forward-only ops (Heaviside) */
    int64_t param_off;               /* NR_OP_PARAM: offset in the parameter buffer */
    nr_regularizer reg;              /* NR_OP_PARAM: weight penalty */
    nr_layer *layer;                 /* NR_OP_PARAM: owner (its trainable flag) */
    int non_trainable;               /* NR_OP_PARAM: state no optimizer touches (moving statistics) */
    nr_sym mask;                     /* Keras's _keras_mask: a MASK node (N, T), or NR_SYM_NONE */
    /* Batched nodes inside a TimeDistributed: fold rows per sample, time
     * folded into the batch, so kernels see a batch of batch * fold (0 or
     * 1: none). nr_graph_add_node gives a node its inputs' fold when the
     * caller leaves it 0. */
    int64_t fold;
} nr_node;

/* Buffers of one planned run. val/grad are indexed by node id; grad is NULL
 * where no gradient flows. work holds per-node scratch (dropout masks). */
typedef struct nr_exec {
    const nr_node *nodes;
    float **val;
    float **grad;
    float **work;
    int64_t batch;                   /* rows in this run (<= the planned batch) */
    int training;
    uint64_t step;                   /* advances each training step: dropout stream */
    int threads;                     /* the thread count workspaces were sized for (0: 1) */
    int fresh;                       /* backward: input 0's gradient holds garbage, to be stored, not added to
                                        (set only for ops the backend marks in overwrites) */
} nr_exec;

/* The batch node n's kernels see when a run has batch rows. */
static inline int64_t nr_node_batch(const nr_node *n, int64_t batch) { return n->fold > 1 ? batch * n->fold : batch; }

/* Elements of node n at the exec's batch size. */
static inline int64_t nr_node_numel(const nr_node *n, int64_t batch) {
    int64_t k = 1;
    for (int i = 0; i < n->ndim; i++) k *= (i == 0 && n->batched) ? batch : n->shape[i];
    return k;
}
/* Elements per batch row (1 for an unbatched scalar). */
static inline int64_t nr_node_row(const nr_node *n) {
    int64_t k = 1;
    for (int i = n->batched ? 1 : 0; i < n->ndim; i++) k *= n->shape[i];
    return k;
}

typedef void (*nr_kernel_fn)(const nr_exec *x, const nr_node *n);

/* A backend supplies a forward and a backward kernel per op and its own
 * memory. Backward kernels accumulate (+=) into the inputs' gradients. */
typedef struct nr_backend {
    const char *name;
    nr_kernel_fn forward[NR_OP_COUNT_];
    nr_kernel_fn backward[NR_OP_COUNT_];
    size_t work_floats[NR_OP_COUNT_]; /* scratch floats per output element (dropout: 1) */
    /* Extra scratch floats a node needs at a batch size (GEMM packing),
     * for nr_num_threads() threads at most. */
    int64_t (*workspace[NR_OP_COUNT_])(const nr_node *n, const nr_node *nodes, int64_t batch);
    /* 1: the backward honours exec.fresh, so a plan need not zero input
     * 0's gradient before this op writes it first. */
    unsigned char overwrites[NR_OP_COUNT_];
} nr_backend;

extern const nr_backend nr_backend_cpu;
/* The backend in use (CPU; NEURONA_REFERENCE=1 selects the plain kernels). */
const nr_backend *nr_backend_get(void);
extern const nr_backend nr_backend_reference;

/* Op names for messages ("linear", "act"). */
const char *nr_op_name(nr_op_kind op);

/* --- layers and calls ------------------------------------------------ */

typedef struct nr_strbuf {
    char *s;
    size_t len, cap;
    int failed;                       /* an allocation failed */
} nr_strbuf;
void nr_strbuf_printf(nr_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef struct nr_layer_class {
    const char *type;                 /* "Dense" */
    const char *base_name;            /* "dense": auto names dense, dense_1, ... */
    int min_inputs, max_inputs;
    /* Builds weights on first call, then adds the layer's ops. */
    nr_status (*call)(nr_layer *l, const nr_sym *in, int n_in, nr_sym *out);
    /* Writes the constructor arguments in SPEC syntax ("32, activation=\"relu\""). */
    void (*config)(const nr_layer *l, nr_strbuf *sb);
    /* Keras's compute_mask, run by nr_layer_call after call(): the mask of
     * the output from the inputs' masks (masks[i] NR_SYM_NONE where none).
     * NULL: the layer does not support masking and its output gets no
     * mask (Keras 3 drops it). nr_layer_mask_keep passes masks[0] on. */
    nr_status (*compute_mask)(nr_layer *l, const nr_sym *in, const nr_sym *masks, int n_in, nr_sym out,
                              nr_sym *mask);
} nr_layer_class;

#define NR_MAX_WEIGHTS 8
/* Outputs of one layer call: a Bidirectional LSTM with return_state has 5. */
#define NR_MAX_OUTPUTS 5

struct nr_layer {
    nr_graph *g;
    const nr_layer_class *cls;
    char name[64];
    int trainable;
    int built;
    int n_weights;
    nr_sym weights[NR_MAX_WEIGHTS];   /* NR_OP_PARAM nodes, Keras order */
    union {
        nr_input_opts input;
        nr_dense_opts dense;
        nr_activation_opts act;
        nr_dropout_opts dropout;
        nr_layer_base flatten;
        nr_reshape_opts reshape;
        nr_leaky_relu_opts leaky;
        nr_relu_opts relu;
        nr_softmax_opts softmax;
        nr_merge_opts merge;
        nr_conv2d_opts conv2d;
        nr_pool2d_opts pool2d;
        nr_batch_norm_opts batch_norm;
        nr_layer_norm_opts layer_norm;
        nr_conv1d_opts conv1d;
        nr_conv2d_transpose_opts conv2d_t;
        nr_depthwise_conv2d_opts dwconv2d;
        nr_separable_conv2d_opts sepconv2d;
        nr_gaussian_noise_opts noise;
        nr_random_flip_opts flip;
        nr_random_rotation_opts rotation;
        nr_random_translation_opts translation;
        nr_random_zoom_opts zoom;
        nr_pool1d_opts pool1d;
        nr_global_pool_opts global_pool;
        nr_upsampling2d_opts upsampling2d;
        nr_zero_padding2d_opts zero_padding2d;
        nr_cropping2d_opts cropping2d;
        nr_rnn_opts rnn;
        nr_bidirectional_opts bidirectional;
        nr_embedding_opts embedding;
        nr_masking_opts masking;
        nr_repeat_vector_opts repeat_vector;
        nr_time_distributed_opts time_distributed;
        nr_sampling_opts sampling;
        nr_lambda_opts lambda;
    } o;
    nr_sym outputs[NR_MAX_OUTPUTS];   /* the last call's outputs (several for an RNN with return_state) */
    int n_outputs;
    nr_model *model;                  /* a model used as a layer */
    nr_sym input_sym;                 /* InputLayer: its input node */
    /* A wrapper's layer (TimeDistributed): its weights, parameter count and
     * trainable flag are the wrapper's; the wrapper holds no weights itself. */
    nr_layer *inner;
};

/* One call of a layer: what a model's summary and SPEC text are made of. */
typedef struct nr_call {
    nr_layer *layer;
    int n_in;
    nr_sym in[NR_MAX_IN];
    nr_sym out;
    nr_sym extra[NR_MAX_OUTPUTS - 1]; /* further outputs (an RNN's return_state), NR_SYM_NONE past n_extra */
    int n_extra;
    nr_sym penalty;                   /* activity-regularizer node, or NR_SYM_NONE */
    int hidden;                       /* made by replaying a nested model: not a row of its own */
    int inference;                    /* made by a call with training=False: inference mode, also in fit() */
} nr_call;

struct nr_graph {
    nr_node *nodes;
    int n_nodes, cap_nodes;
    float *params, *grads;            /* parallel, contiguous */
    int64_t n_params, cap_params;
    nr_layer **layers;
    int n_layers, cap_layers;
    nr_call *calls;
    int n_calls, cap_calls;
    nr_model **models;
    int n_models, cap_models;
    uint64_t seed;
    uint64_t n_seeded;                /* initializers drawn so far */
    int64_t max_params;               /* 0: no limit; loading a SPEC bounds it before weights are allocated */
};

/* Adds a node (shape inferred by the caller), returns its id in *out. */
nr_status nr_graph_add_node(nr_graph *g, const nr_node *n, nr_sym *out);
/* Adds a parameter tensor owned by layer l, initialized by init. */
nr_status nr_graph_add_param(nr_graph *g, nr_layer *l, int ndim, const int64_t *shape,
                             const nr_init *init, nr_init_kind default_kind, nr_regularizer reg,
                             nr_sym *out);
nr_status nr_graph_check_name(const char *what, const char *name);
/* Adds a non-trainable parameter (BatchNormalization's moving
 * statistics): it lives in the parameter buffer, so models save and
 * restore it, but it gets no gradient and no optimizer update. */
nr_status nr_graph_add_state(nr_graph *g, nr_layer *l, int ndim, const int64_t *shape, const nr_init *init,
                             nr_init_kind default_kind, nr_sym *out);
/* 1 when the optimizer trains parameter node n: neither state nor owned
 * by a frozen layer. */
int nr_graph_param_trainable(const nr_node *n);
/* Registers a new layer object (auto-names it when name is NULL). */
nr_status nr_graph_add_layer(nr_graph *g, const nr_layer_class *cls, const char *name, nr_layer **out);
nr_status nr_graph_add_call(nr_graph *g, nr_layer *l, const nr_sym *in, int n_in, nr_sym out);
nr_status nr_graph_add_model(nr_graph *g, nr_model *m);
int nr_graph_valid_sym(const nr_graph *g, nr_sym s);
/* Keras masks. A mask is a batched MASK node (N, T) holding 1 (keep) or 0
 * (skip) per time step of a tensor shaped (N, T, ...); it is not
 * differentiable. nr_graph_mask returns NR_SYM_NONE when s has none. */
nr_sym nr_graph_mask(const nr_graph *g, nr_sym s);
/* Sets (NR_SYM_NONE: clears) the mask of s; the mask's shape must be s's
 * leading axes. */
nr_status nr_graph_set_mask(nr_graph *g, nr_sym s, nr_sym mask);

/* "(None, 32)" for a node. */
char *nr_node_shape_str(const nr_node *n, char *buf, size_t size);

/* Fills a parameter tensor according to an initializer (Keras formulas;
 * fan_in/fan_out from the Keras rule for the shape). */
nr_status nr_init_fill(float *w, int ndim, const int64_t *shape, const nr_init *init,
                       nr_init_kind default_kind, uint64_t seed);

#endif
