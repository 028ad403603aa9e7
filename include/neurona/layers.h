/* neurona: the graph, symbolic tensors and Keras layers.
 *
 * Everything lives in one nr_graph: layers add ops to its DAG, their
 * weights live in its one contiguous parameter buffer, and models (see
 * model.h) are views on it. Layers and models are owned by the graph:
 * nr_graph_free frees them all; never free a layer or a model yourself.
 *
 * Options structs follow one rule: a zero field means the Keras default.
 *
 *   nr_graph *g; nr_graph_new(&g, 42);
 *   nr_sym x, h, y;
 *   nr_layer *d1, *d2;
 *   nr_input(g, &(nr_input_opts){.shape = {784}, .ndim = 1}, &x);
 *   nr_dense(g, &(nr_dense_opts){.units = 64, .activation = NR_ACT_RELU}, &d1);
 *   nr_layer_call(d1, &x, 1, &h);
 *   ...
 */
#ifndef NEURONA_LAYERS_H
#define NEURONA_LAYERS_H

#include <stdint.h>
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nr_graph nr_graph;
typedef struct nr_layer nr_layer;
typedef struct nr_model nr_model;

/* A symbolic tensor: the output of an op in a graph. Its shape has the
 * batch dimension first, unknown (-1, printed None) until run. */
typedef int32_t nr_sym;
#define NR_SYM_NONE (-1)

typedef enum nr_activation {
    NR_ACT_LINEAR = 0, /* Keras None / "linear" */
    NR_ACT_SIGMOID,
    NR_ACT_HARD_SIGMOID, /* Keras 3: relu6(x + 3) / 6 */
    NR_ACT_TANH,
    NR_ACT_RELU,
    NR_ACT_RELU6,
    NR_ACT_LEAKY_RELU,   /* alpha: negative slope, default 0.2 (keras.activations.leaky_relu) */
    NR_ACT_ELU,          /* alpha default 1.0 */
    NR_ACT_SELU,
    NR_ACT_GELU,         /* exact erf form; alpha = 1 selects the tanh approximation */
    NR_ACT_SWISH,        /* x * sigmoid(x), also "silu" */
    NR_ACT_SOFTPLUS,
    NR_ACT_SOFTSIGN,
    NR_ACT_EXPONENTIAL,
    NR_ACT_SOFTMAX,      /* over the last axis */
    NR_ACT_HEAVISIDE,    /* step: 1 if x >= 0 else 0; forward only (perceptron) */
    NR_ACT_COUNT_
} nr_activation;

/* "relu" -> NR_ACT_RELU (also "silu" for swish, None/"linear"). Error lists valid names. */
nr_status nr_activation_parse(const char *name, nr_activation *out);
const char *nr_activation_name(nr_activation a);

typedef enum nr_init_kind {
    NR_INIT_DEFAULT = 0, /* the layer's Keras default (glorot_uniform kernels, zero biases) */
    NR_INIT_ZEROS,
    NR_INIT_ONES,
    NR_INIT_CONSTANT,        /* value */
    NR_INIT_RANDOM_NORMAL,   /* mean, stddev (0.05) */
    NR_INIT_RANDOM_UNIFORM,  /* minval (-0.05), maxval (0.05) */
    NR_INIT_TRUNCATED_NORMAL,/* mean, stddev (0.05), cut at 2 stddev */
    NR_INIT_GLOROT_UNIFORM,
    NR_INIT_GLOROT_NORMAL,
    NR_INIT_HE_UNIFORM,
    NR_INIT_HE_NORMAL,
    NR_INIT_LECUN_UNIFORM,
    NR_INIT_LECUN_NORMAL,
    NR_INIT_ORTHOGONAL,      /* gain (1.0) */
    NR_INIT_COUNT_
} nr_init_kind;

typedef struct nr_init {
    nr_init_kind kind;
    float value;           /* constant */
    float mean, stddev;    /* normal kinds */
    float minval, maxval;  /* uniform (both 0 = Keras default) */
    float gain;            /* orthogonal */
    uint64_t seed;         /* used when has_seed, else drawn from the graph's seed */
    int has_seed;
} nr_init;

nr_status nr_init_parse(const char *name, nr_init_kind *out); /* "he_normal", "HeNormal" */
const char *nr_init_name(nr_init_kind k);

/* L1/L2 penalty added to the loss: l1 * sum|w| + l2 * sum w^2. Zero = none. */
typedef struct nr_regularizer { float l1, l2; } nr_regularizer;

/* --- graph ----------------------------------------------------------- */

/* New empty graph. seed makes initial weights, dropout and shuffling
 * repeatable. Caller frees with nr_graph_free (frees layers and models). */
nr_status nr_graph_new(nr_graph **out, uint64_t seed);
void nr_graph_free(nr_graph *g);

/* Shape of a symbolic tensor (batch dimension -1). */
nr_status nr_sym_shape(const nr_graph *g, nr_sym s, int *ndim, int64_t shape[NR_MAX_DIMS]);

/* --- layers ---------------------------------------------------------- */

typedef struct nr_input_opts {
    int64_t shape[NR_MAX_DIMS - 1]; /* without the batch dimension */
    int ndim;
    const char *name;               /* default "input_layer", "input_layer_1", ... */
} nr_input_opts;

/* A functional Input: a symbolic tensor fed with data at run time. */
nr_status nr_input(nr_graph *g, const nr_input_opts *o, nr_sym *out);
/* The same as a layer object, for Sequential models (model.add(Input(...))). */
nr_status nr_input_layer(nr_graph *g, const nr_input_opts *o, nr_layer **out);

/* Fields common to every layer (embedded as .base in every options struct). */
typedef struct nr_layer_base {
    const char *name;                 /* NULL: auto-named as Keras ("dense", "dense_1") */
    int64_t input_shape[NR_MAX_DIMS - 1]; /* optional, for the first layer of a Sequential */
    int input_ndim;
    int frozen;                       /* 1: trainable = False */
} nr_layer_base;

typedef struct nr_dense_opts {
    nr_layer_base base;
    int units;
    nr_activation activation;
    float activation_alpha;           /* leaky_relu/elu alpha; 0 = default */
    int no_bias;                      /* 1: use_bias = False */
    nr_init kernel_initializer, bias_initializer;
    nr_regularizer kernel_regularizer, bias_regularizer, activity_regularizer;
} nr_dense_opts;
nr_status nr_dense(nr_graph *g, const nr_dense_opts *o, nr_layer **out);

typedef struct nr_activation_opts {
    nr_layer_base base;
    nr_activation activation;
    float alpha;
} nr_activation_opts;
nr_status nr_activation_layer(nr_graph *g, const nr_activation_opts *o, nr_layer **out);

typedef struct nr_dropout_opts {
    nr_layer_base base;
    float rate;                       /* fraction dropped, in [0, 1) */
    uint64_t seed; int has_seed;
} nr_dropout_opts;
nr_status nr_dropout(nr_graph *g, const nr_dropout_opts *o, nr_layer **out);

nr_status nr_flatten(nr_graph *g, const nr_layer_base *o, nr_layer **out);

typedef struct nr_reshape_opts {
    nr_layer_base base;
    int64_t target_shape[NR_MAX_DIMS - 1]; /* one entry may be -1 */
    int ndim;
} nr_reshape_opts;
nr_status nr_reshape(nr_graph *g, const nr_reshape_opts *o, nr_layer **out);

typedef struct nr_leaky_relu_opts {
    nr_layer_base base;
    float negative_slope;             /* 0 = Keras default 0.3 */
} nr_leaky_relu_opts;
nr_status nr_leaky_relu(nr_graph *g, const nr_leaky_relu_opts *o, nr_layer **out);

typedef struct nr_relu_opts {
    nr_layer_base base;
    float max_value;                  /* 0 = none */
    float negative_slope, threshold;
} nr_relu_opts;
nr_status nr_relu(nr_graph *g, const nr_relu_opts *o, nr_layer **out);

typedef struct nr_softmax_opts {
    nr_layer_base base;
    int axis;                         /* only -1 (the default) */
} nr_softmax_opts;
nr_status nr_softmax(nr_graph *g, const nr_softmax_opts *o, nr_layer **out);

typedef enum nr_merge_kind {
    NR_MERGE_CONCATENATE, NR_MERGE_ADD, NR_MERGE_SUBTRACT, NR_MERGE_MULTIPLY,
    NR_MERGE_AVERAGE, NR_MERGE_MAXIMUM
} nr_merge_kind;
typedef struct nr_merge_opts {
    nr_layer_base base;
    nr_merge_kind kind;
    int axis;                         /* Concatenate only; 0 = default -1 */
} nr_merge_opts;
nr_status nr_merge(nr_graph *g, const nr_merge_opts *o, nr_layer **out);

typedef enum nr_padding {
    NR_PADDING_VALID = 0,             /* no padding */
    NR_PADDING_SAME,                  /* TensorFlow's: output ceil(in / stride), extra row/column at the end */
    NR_PADDING_CAUSAL                 /* Conv1D only: (kernel_size - 1) * dilation_rate zeros before the start */
} nr_padding;

/* Conv2D on channels-last input (N, H, W, C); kernel (kh, kw, C / groups,
 * filters) as Keras stores it, glorot_uniform, zero bias. With groups G,
 * filters [g F/G, (g+1) F/G) see input channels [g C/G, (g+1) C/G). */
typedef struct nr_conv2d_opts {
    nr_layer_base base;
    int filters;
    int kernel_size[2];               /* {3} means 3x3 */
    int strides[2];                   /* 0 = 1; {2} means 2x2 */
    nr_padding padding;
    int dilation_rate[2];             /* 0 = 1; strides and dilation cannot both exceed 1 */
    int groups;                       /* 0 = 1; divides filters and the input channels */
    nr_activation activation;
    float activation_alpha;
    int no_bias;
    nr_init kernel_initializer, bias_initializer;
    nr_regularizer kernel_regularizer, bias_regularizer, activity_regularizer;
} nr_conv2d_opts;
nr_status nr_conv2d(nr_graph *g, const nr_conv2d_opts *o, nr_layer **out);

typedef struct nr_pool2d_opts {
    nr_layer_base base;
    int pool_size[2];                 /* 0 = 2x2; {3} means 3x3 */
    int strides[2];                   /* 0 = pool_size */
    nr_padding padding;
} nr_pool2d_opts;
nr_status nr_max_pooling2d(nr_graph *g, const nr_pool2d_opts *o, nr_layer **out);
nr_status nr_average_pooling2d(nr_graph *g, const nr_pool2d_opts *o, nr_layer **out);

/* BatchNormalization over the last axis (the channels of channels-last
 * data; statistics over every other axis). Weights in Keras order: gamma
 * (unless no_scale), beta (unless no_center), moving_mean and
 * moving_variance; the moving statistics are non-trainable. In fit() it
 * normalizes with the batch's mean and biased variance and updates
 *   moving = momentum * moving + (1 - momentum) * batch statistic;
 * evaluate() and predict() use the moving statistics, and so does fit()
 * when the layer is not trainable (Keras 3's rule). */
typedef struct nr_batch_norm_opts {
    nr_layer_base base;
    int axis;                         /* 0 = -1; only the last axis */
    float momentum;                   /* 0 = 0.99; -0.0f is a real 0 */
    float epsilon;                    /* 0 = 1e-3; -0.0f is a real 0 */
    int no_center, no_scale;          /* 1: center = False, scale = False */
    nr_init beta_initializer, gamma_initializer;                   /* zeros, ones */
    nr_init moving_mean_initializer, moving_variance_initializer;  /* zeros, ones */
    nr_regularizer beta_regularizer, gamma_regularizer;
} nr_batch_norm_opts;
nr_status nr_batch_normalization(nr_graph *g, const nr_batch_norm_opts *o, nr_layer **out);

/* LayerNormalization over the trailing axes of each sample: gamma and beta
 * have those axes' shape. rms_scaling is Keras's: x / sqrt(var + eps) *
 * gamma, no beta (the variance is about the mean, x is not centered). */
typedef struct nr_layer_norm_opts {
    nr_layer_base base;
    int axis[NR_MAX_DIMS - 1];        /* negative from the end; must be the trailing axes */
    int n_axis;                       /* 0 = {-1} */
    float epsilon;                    /* 0 = 1e-3; -0.0f is a real 0 */
    int no_center, no_scale, rms_scaling;
    nr_init beta_initializer, gamma_initializer;  /* zeros, ones */
    nr_regularizer beta_regularizer, gamma_regularizer;
} nr_layer_norm_opts;
nr_status nr_layer_normalization(nr_graph *g, const nr_layer_norm_opts *o, nr_layer **out);
/* Conv1D on (N, steps, C); kernel (kernel_size, C, filters) as Keras
 * stores it, glorot_uniform, zero bias. */
typedef struct nr_conv1d_opts {
    nr_layer_base base;
    int filters;
    int kernel_size;
    int strides;                      /* 0 = 1 */
    nr_padding padding;               /* valid, same or causal */
    int dilation_rate;                /* 0 = 1; strides and dilation cannot both exceed 1 */
    int groups;                       /* 0 = 1; divides filters and the input channels */
    nr_activation activation;
    float activation_alpha;
    int no_bias;
    nr_init kernel_initializer, bias_initializer;
    nr_regularizer kernel_regularizer, bias_regularizer, activity_regularizer;
} nr_conv1d_opts;
nr_status nr_conv1d(nr_graph *g, const nr_conv1d_opts *o, nr_layer **out);

/* SimpleRNN, LSTM and GRU on (N, T, F) sequences, Keras 3's layers (one
 * fused op per call, see NR_OP_RNN). Weights as Keras stores them, G the
 * gates (1, 4 in order i, f, c, o, 3 in order z, r, h):
 *   kernel (F, G units), recurrent_kernel (units, G units), bias (G units),
 *   GRU with reset_after (the default) bias (2, 3 units): input, recurrent.
 * Output (N, units), or (N, T, units) with return_sequences; with
 * return_state the call has extra outputs, the final h (and c for LSTM),
 * see nr_layer_call_outputs. Called with 2 (3 for LSTM) inputs, the
 * extra ones are the initial states, Keras's initial_state. */
typedef struct nr_rnn_opts {
    nr_layer_base base;
    int units;
    nr_activation activation;          /* used when has_activation; default tanh */
    int has_activation;
    float activation_alpha;
    nr_activation recurrent_activation; /* used when has_recurrent_activation; default sigmoid */
    int has_recurrent_activation;
    float recurrent_activation_alpha;
    int no_bias;
    nr_init kernel_initializer, recurrent_initializer, bias_initializer; /* glorot_uniform, orthogonal, zeros */
    int no_unit_forget_bias;           /* LSTM: 1 = unit_forget_bias=False (forget gate bias starts at 1 by default) */
    nr_regularizer kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer;
    float dropout, recurrent_dropout;  /* fractions in [0, 1), training only, one mask per sequence */
    uint64_t seed; int has_seed;
    int return_sequences, return_state, go_backwards;
    int no_reset_after;                /* GRU: 1 = reset_after=False (reset gate before the product, bias (3 units)) */
    int unroll;                        /* accepted for Keras files; the op is the same either way */
} nr_rnn_opts;
nr_status nr_simple_rnn(nr_graph *g, const nr_rnn_opts *o, nr_layer **out);
nr_status nr_lstm(nr_graph *g, const nr_rnn_opts *o, nr_layer **out);
nr_status nr_gru(nr_graph *g, const nr_rnn_opts *o, nr_layer **out);

/* Bidirectional(layer): a recurrent layer run forwards and, as a second
 * layer with go_backwards, backwards, its outputs merged (the backward
 * sequence put back in time order first). As in Keras, layer only gives
 * the options: the forward half is a new layer "forward_<name>", the
 * backward half backward_layer or a new one "backward_<name>" with
 * go_backwards flipped. Weights: the forward half's, then the backward
 * half's. With return_state the extra outputs are the forward states,
 * then the backward ones; initial states are given the same way. */
typedef enum nr_bidirectional_merge {
    NR_BIDIRECTIONAL_CONCAT = 0,       /* Keras's default */
    NR_BIDIRECTIONAL_SUM,
    NR_BIDIRECTIONAL_MUL,
    NR_BIDIRECTIONAL_AVE,
} nr_bidirectional_merge;
typedef struct nr_bidirectional_opts {
    nr_layer_base base;
    nr_layer *layer;                   /* a SimpleRNN, LSTM or GRU (borrowed; the graph owns it) */
    nr_bidirectional_merge merge_mode;
    nr_layer *backward_layer;          /* optional */
    nr_layer *forward;                 /* set by nr_bidirectional: the forward half */
} nr_bidirectional_opts;
nr_status nr_bidirectional(nr_graph *g, const nr_bidirectional_opts *o, nr_layer **out);

/* Conv2DTranspose on (N, H, W, C); kernel (kh, kw, filters, C) as Keras
 * stores it. Output size per axis, with k the dilated kernel
 * (kernel_size - 1) * dilation_rate + 1 and s the stride:
 *   valid: (in - 1) s + k + output_padding, output_padding default max(k, s) - k;
 *   same:  in s, or (in - 1) s + k % 2 + output_padding when given. */
typedef struct nr_conv2d_transpose_opts {
    nr_layer_base base;
    int filters;
    int kernel_size[2];               /* {3} means 3x3 */
    int strides[2];                   /* 0 = 1; {2} means 2x2 */
    nr_padding padding;
    int has_output_padding;           /* 0: output_padding = None */
    int output_padding[2];            /* both given; each must be < its stride */
    int dilation_rate[2];             /* 0 = 1 */
    nr_activation activation;
    float activation_alpha;
    int no_bias;
    nr_init kernel_initializer, bias_initializer;
    nr_regularizer kernel_regularizer, bias_regularizer, activity_regularizer;
} nr_conv2d_transpose_opts;
nr_status nr_conv2d_transpose(nr_graph *g, const nr_conv2d_transpose_opts *o, nr_layer **out);

/* DepthwiseConv2D on (N, H, W, C): each channel convolved with its own
 * depth_multiplier filters; kernel (kh, kw, C, depth_multiplier), bias
 * (C * depth_multiplier), output channel c * depth_multiplier + m. */
typedef struct nr_depthwise_conv2d_opts {
    nr_layer_base base;
    int kernel_size[2];
    int strides[2];
    nr_padding padding;
    int depth_multiplier;             /* 0 = 1 */
    int dilation_rate[2];
    nr_activation activation;
    float activation_alpha;
    int no_bias;
    nr_init depthwise_initializer, bias_initializer;
    nr_regularizer depthwise_regularizer, bias_regularizer, activity_regularizer;
} nr_depthwise_conv2d_opts;
nr_status nr_depthwise_conv2d(nr_graph *g, const nr_depthwise_conv2d_opts *o, nr_layer **out);

/* SeparableConv2D: a depthwise convolution (no bias) then a 1x1
 * convolution to filters channels. Weights in Keras order: depthwise_kernel
 * (kh, kw, C, depth_multiplier), pointwise_kernel (1, 1, C *
 * depth_multiplier, filters), bias (filters). */
typedef struct nr_separable_conv2d_opts {
    nr_layer_base base;
    int filters;
    int kernel_size[2];
    int strides[2];
    nr_padding padding;
    int dilation_rate[2];
    int depth_multiplier;             /* 0 = 1 */
    nr_activation activation;
    float activation_alpha;
    int no_bias;
    nr_init depthwise_initializer, pointwise_initializer, bias_initializer;
    nr_regularizer depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer;
} nr_separable_conv2d_opts;
nr_status nr_separable_conv2d(nr_graph *g, const nr_separable_conv2d_opts *o, nr_layer **out);
/* --- noise and augmentation ---------------------------------------------
 * Active only while training (fit); evaluate and predict pass the input
 * through unchanged. The random draws follow Keras's distributions but come
 * from neurona's own counter-based stream, seeded by the layer's seed (the
 * graph's when has_seed is 0) and the training step: runs repeat exactly,
 * yet no run reproduces Keras's own random numbers. */

typedef struct nr_gaussian_noise_opts {
    nr_layer_base base;
    float stddev;                     /* in [0, 1] as in Keras */
    uint64_t seed; int has_seed;
} nr_gaussian_noise_opts;
/* y = x + N(0, stddev^2) noise, any input shape. */
nr_status nr_gaussian_noise(nr_graph *g, const nr_gaussian_noise_opts *o, nr_layer **out);

/* Dropout of whole channels: each sample keeps or drops each channel of
 * (N, T, C) (SpatialDropout1D) or (N, H, W, C) (SpatialDropout2D) as a
 * whole, and scales the kept ones by 1 / (1 - rate). */
nr_status nr_spatial_dropout1d(nr_graph *g, const nr_dropout_opts *o, nr_layer **out);
nr_status nr_spatial_dropout2d(nr_graph *g, const nr_dropout_opts *o, nr_layer **out);

typedef enum nr_flip_mode {
    NR_FLIP_HORIZONTAL_AND_VERTICAL = 0, /* one draw per sample flips both axes or neither (Keras 3) */
    NR_FLIP_HORIZONTAL,               /* left-right */
    NR_FLIP_VERTICAL                  /* top-bottom */
} nr_flip_mode;

/* Points outside the image (Keras's fill_mode):
 * reflect (d c b a | a b c d | d c b a), wrap (a b c d | a b c d | a b c d),
 * constant (k k k k | a b c d | k k k k) with k = fill_value,
 * nearest (a a a a | a b c d | d d d d). */
typedef enum nr_fill_mode { NR_FILL_REFLECT = 0, NR_FILL_WRAP, NR_FILL_CONSTANT, NR_FILL_NEAREST } nr_fill_mode;
typedef enum nr_interpolation { NR_INTERPOLATION_BILINEAR = 0, NR_INTERPOLATION_NEAREST } nr_interpolation;

/* A range a factor is drawn from uniformly, each bound in [-1, 1] (the
 * bounds may come in either order). Keras's factor=f is {-|f|, |f|},
 * factor=(a, b) is {a, b}. */
typedef struct nr_factor { float lower, upper; } nr_factor;

/* The image layers take (N, H, W, C) input. */
typedef struct nr_random_flip_opts {
    nr_layer_base base;
    nr_flip_mode mode;
    uint64_t seed; int has_seed;
} nr_random_flip_opts;
nr_status nr_random_flip(nr_graph *g, const nr_random_flip_opts *o, nr_layer **out);

/* Rotation about the image center by factor * 2 pi, positive
 * counter-clockwise. */
typedef struct nr_random_rotation_opts {
    nr_layer_base base;
    nr_factor factor;
    nr_fill_mode fill_mode;
    nr_interpolation interpolation;
    float fill_value;
    uint64_t seed; int has_seed;
} nr_random_rotation_opts;
nr_status nr_random_rotation(nr_graph *g, const nr_random_rotation_opts *o, nr_layer **out);

/* Shift by height_factor * H rows (positive: down) and width_factor * W
 * columns (positive: right). */
typedef struct nr_random_translation_opts {
    nr_layer_base base;
    nr_factor height_factor, width_factor;
    nr_fill_mode fill_mode;
    nr_interpolation interpolation;
    float fill_value;
    uint64_t seed; int has_seed;
} nr_random_translation_opts;
nr_status nr_random_translation(nr_graph *g, const nr_random_translation_opts *o, nr_layer **out);

/* Zoom about the center by 1 + factor per axis: positive zooms out,
 * negative in. has_width_factor 0 (Keras's width_factor=None) zooms both
 * axes by the height draw, keeping the aspect ratio. */
typedef struct nr_random_zoom_opts {
    nr_layer_base base;
    nr_factor height_factor, width_factor;
    int has_width_factor;
    nr_fill_mode fill_mode;
    nr_interpolation interpolation;
    float fill_value;
    uint64_t seed; int has_seed;
} nr_random_zoom_opts;
nr_status nr_random_zoom(nr_graph *g, const nr_random_zoom_opts *o, nr_layer **out);
/* MaxPooling1D and AveragePooling1D on (N, steps, C), TensorFlow's "same". */
typedef struct nr_pool1d_opts {
    nr_layer_base base;
    int pool_size;                    /* 0 = 2 */
    int strides;                      /* 0 = pool_size */
    nr_padding padding;
} nr_pool1d_opts;
nr_status nr_max_pooling1d(nr_graph *g, const nr_pool1d_opts *o, nr_layer **out);
nr_status nr_average_pooling1d(nr_graph *g, const nr_pool1d_opts *o, nr_layer **out);

/* GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D: the mean or the
 * maximum of each channel over the steps of (N, steps, C) or the pixels of
 * (N, H, W, C); output (N, C). o may be NULL (the defaults). */
typedef struct nr_global_pool_opts {
    nr_layer_base base;
    int keepdims;                     /* 1: (N, 1, C) or (N, 1, 1, C) */
} nr_global_pool_opts;
nr_status nr_global_average_pooling1d(nr_graph *g, const nr_global_pool_opts *o, nr_layer **out);
nr_status nr_global_average_pooling2d(nr_graph *g, const nr_global_pool_opts *o, nr_layer **out);
nr_status nr_global_max_pooling1d(nr_graph *g, const nr_global_pool_opts *o, nr_layer **out);
nr_status nr_global_max_pooling2d(nr_graph *g, const nr_global_pool_opts *o, nr_layer **out);

/* UpSampling2D's interpolation (default nearest, where the random image
 * layers' nr_interpolation defaults to bilinear, as in Keras). */
typedef enum nr_upsampling {
    NR_UPSAMPLING_NEAREST = 0,        /* repeat rows and columns */
    NR_UPSAMPLING_BILINEAR            /* TensorFlow's resize: half-pixel centers, no antialiasing */
} nr_upsampling;

/* UpSampling2D: (N, H, W, C) -> (N, H size[0], W size[1], C). */
typedef struct nr_upsampling2d_opts {
    nr_layer_base base;
    int size[2];                      /* 0 = 2x2; {3} means 3x3 */
    nr_upsampling interpolation;
} nr_upsampling2d_opts;
nr_status nr_up_sampling2d(nr_graph *g, const nr_upsampling2d_opts *o, nr_layer **out);

/* ZeroPadding2D: zero rows and columns around (N, H, W, C). */
typedef struct nr_zero_padding2d_opts {
    nr_layer_base base;
    int padding[2][2];                /* ((top, bottom), (left, right)); all 0 = Keras's default 1 each side */
    int padding_given;                /* 1: padding as it is, zeros included (ZeroPadding2D(0)) */
} nr_zero_padding2d_opts;
nr_status nr_zero_padding2d(nr_graph *g, const nr_zero_padding2d_opts *o, nr_layer **out);

/* Cropping2D: rows and columns cut from the sides of (N, H, W, C); at
 * least one row and one column must remain. */
typedef struct nr_cropping2d_opts {
    nr_layer_base base;
    int cropping[2][2];               /* ((top, bottom), (left, right)); 0 = none */
} nr_cropping2d_opts;
nr_status nr_cropping2d(nr_graph *g, const nr_cropping2d_opts *o, nr_layer **out);

/* --- sequences -------------------------------------------------------------
 * Keras masks: a layer may attach to its output a mask saying which time
 * steps of (N, T, ...) are real (1) and which are padding (0). Embedding
 * with mask_zero and Masking create one; layers that support masking in
 * Keras 3 (Dense, Activation, Dropout, GaussianNoise, the normalizations,
 * TimeDistributed...) pass it on; merges combine their inputs' masks; any
 * other layer drops it. A loss on a masked output averages over the kept
 * steps only, as Keras 3 does. */

/* Embedding: integer indices (N, ...), stored as floats, to vectors
 * (N, ..., output_dim) through a table (input_dim, output_dim). Index x
 * reads row trunc(x), as Keras casts to int32; data with an index outside
 * [0, input_dim) is rejected when fed to fit, evaluate or predict. */
typedef struct nr_embedding_opts {
    nr_layer_base base;
    int input_dim;                    /* vocabulary size: largest index + 1 */
    int output_dim;
    nr_init embeddings_initializer;   /* default Keras "uniform": random_uniform(-0.05, 0.05) */
    nr_regularizer embeddings_regularizer, activity_regularizer;
    int mask_zero;                    /* 1: index 0 is padding; the output's mask is index != 0 */
} nr_embedding_opts;
nr_status nr_embedding(nr_graph *g, const nr_embedding_opts *o, nr_layer **out);

/* Masking: steps whose values all equal mask_value are masked (output
 * mask any(x != mask_value) over the last axis) and zeroed in the output. */
typedef struct nr_masking_opts {
    nr_layer_base base;
    float mask_value;                 /* Keras default 0.0 */
} nr_masking_opts;
nr_status nr_masking(nr_graph *g, const nr_masking_opts *o, nr_layer **out);

/* RepeatVector: (N, F) -> (N, n, F). */
typedef struct nr_repeat_vector_opts {
    nr_layer_base base;
    int n;                            /* > 0 */
} nr_repeat_vector_opts;
nr_status nr_repeat_vector(nr_graph *g, const nr_repeat_vector_opts *o, nr_layer **out);

/* TimeDistributed: the layer applied to every time step of (N, T, ...)
 * with one set of weights, giving (N, T, ...'). The wrapper's weights,
 * parameter count and trainable flag are its layer's. The layer is
 * borrowed (the graph owns every layer); calling it elsewhere too shares
 * its weights. */
typedef struct nr_time_distributed_opts {
    nr_layer_base base;
    nr_layer *layer;
} nr_time_distributed_opts;
nr_status nr_time_distributed(nr_graph *g, const nr_time_distributed_opts *o, nr_layer **out);

/* Sampling, the layer of Keras's VAE example: called on [z_mean,
 * z_log_var] of one shape, it returns z_mean + exp(z_log_var / 2) eps with
 * eps ~ N(0, 1) drawn anew every training step and every predict batch
 * (Keras's example samples in inference too). */
typedef struct nr_sampling_opts {
    nr_layer_base base;
    uint64_t seed;                    /* used when has_seed, else drawn from the graph's seed */
    int has_seed;
} nr_sampling_opts;
nr_status nr_sampling(nr_graph *g, const nr_sampling_opts *o, nr_layer **out);

/* GaussianKLDivergence: called on [z_mean, z_log_var] (N, D), it returns
 * (N,) the KL divergence of N(z_mean, exp(z_log_var)) from N(0, I) per
 * sample, -1/2 sum_j (1 + z_log_var - z_mean^2 - exp(z_log_var)): the VAE
 * term to give nr_model_add_loss (model.h), which averages it over the
 * batch as Keras's VAE example does. No weights. */
nr_status nr_gaussian_kl_divergence(nr_graph *g, const nr_layer_base *o, nr_layer **out);

/* The mask attached to a symbolic tensor, NR_SYM_NONE when it has none. */
nr_sym nr_sym_mask(const nr_graph *g, nr_sym s);

/* Calls a layer on symbolic inputs. A layer called twice shares its weights.
 * Weights are created on the first call, from the input shape. */
nr_status nr_layer_call(nr_layer *l, const nr_sym *inputs, int n_inputs, nr_sym *out);
/* The same, for layers with several outputs (an RNN with return_state:
 * output, h, and c for LSTM): up to max_out of them in outs, the count in
 * *n_out. */
nr_status nr_layer_call_outputs(nr_layer *l, const nr_sym *inputs, int n_inputs, nr_sym *outs, int max_out,
                                int *n_out);

/* Keras's layer(inputs, training=False): the call (with every layer of a
 * model called this way) runs in inference mode, also in fit():
 * BatchNormalization uses its moving statistics (its gamma and beta still
 * train when the layer is trainable), dropout, noise and augmentation
 * pass their input through. The fine-tuning idiom: x = base(inputs,
 * training=False). */
nr_status nr_layer_call_inference(nr_layer *l, const nr_sym *inputs, int n_inputs, nr_sym *out);

const char *nr_layer_name(const nr_layer *l);
const char *nr_layer_type(const nr_layer *l);  /* "Dense" */
void nr_layer_set_trainable(nr_layer *l, int trainable);
int nr_layer_trainable(const nr_layer *l);
int nr_layer_n_weights(const nr_layer *l);
/* Weight i as a tensor view into the graph's parameter buffer (borrowed:
 * valid until a layer is added to the graph or the graph is freed). Keras
 * order and layout: Dense kernel (in, out), then bias (out). */
nr_status nr_layer_weight(const nr_layer *l, int i, nr_tensor *view);
int64_t nr_layer_count_params(const nr_layer *l);

#ifdef __cplusplus
}
#endif
#endif
