/* The op table: which kernel runs each op, fast (nr_backend_cpu) or plain
 * (nr_backend_reference, chosen with NEURONA_REFERENCE=1), and op names.
 * INPUT and PARAM have no kernels: the planner points their values at the
 * fed data and the parameter buffer. */
#include <stdlib.h>
#include <string.h>
#include "ops/kernels.h"

#define OPS(prefix)                                                                           \
    .forward = {[NR_OP_LINEAR] = prefix##_linear_forward,   [NR_OP_ACT] = prefix##_act_forward, \
                [NR_OP_SOFTMAX] = prefix##_softmax_forward, [NR_OP_DROPOUT] = prefix##_dropout_forward, \
                [NR_OP_COPY] = prefix##_copy_forward,       [NR_OP_CONCAT] = prefix##_concat_forward, \
                [NR_OP_ADD] = prefix##_add_forward,         [NR_OP_SUB] = prefix##_sub_forward,   \
                [NR_OP_MUL] = prefix##_mul_forward,         [NR_OP_AVG] = prefix##_avg_forward,   \
                [NR_OP_MAX] = prefix##_max_forward,         [NR_OP_LOSS] = prefix##_loss_forward, \
                [NR_OP_PENALTY] = prefix##_penalty_forward, [NR_OP_CONV2D] = prefix##_conv2d_forward, \
                [NR_OP_MAXPOOL2D] = prefix##_maxpool2d_forward, [NR_OP_AVGPOOL2D] = prefix##_avgpool2d_forward, \
                [NR_OP_BATCHNORM] = prefix##_batchnorm_forward, [NR_OP_LAYERNORM] = prefix##_layernorm_forward, \
                [NR_OP_CONV2D_T] = prefix##_conv2d_t_forward, [NR_OP_DWCONV2D] = prefix##_dwconv2d_forward, \
                [NR_OP_GAUSSIAN_NOISE] = prefix##_gaussian_noise_forward, \
                [NR_OP_SPATIAL_DROPOUT] = prefix##_spatial_dropout_forward, \
                [NR_OP_RANDOM_AFFINE] = prefix##_random_affine_forward, \
                [NR_OP_GLOBAL_AVGPOOL] = prefix##_global_avgpool_forward, \
                [NR_OP_GLOBAL_MAXPOOL] = prefix##_global_maxpool_forward, \
                [NR_OP_UPSAMPLE2D] = prefix##_upsample2d_forward, [NR_OP_PAD2D] = prefix##_pad2d_forward, \
                [NR_OP_RNN] = prefix##_rnn_forward, [NR_OP_SLICE] = prefix##_slice_forward, \
                [NR_OP_EMBEDDING] = prefix##_embedding_forward, [NR_OP_MASK] = prefix##_mask_forward, \
                [NR_OP_MASK_MUL] = prefix##_mask_mul_forward, [NR_OP_REPEAT] = prefix##_repeat_forward, \
                [NR_OP_MASKED_AVGPOOL] = prefix##_masked_avgpool_forward, \
                [NR_OP_SAMPLING] = prefix##_sampling_forward, [NR_OP_GAUSS_KL] = prefix##_gauss_kl_forward, \
                [NR_OP_BATCH_MEAN] = prefix##_batch_mean_forward, [NR_OP_CUSTOM] = prefix##_custom_forward}, \
    .backward = {[NR_OP_LINEAR] = prefix##_linear_backward,   [NR_OP_ACT] = prefix##_act_backward, \
                 [NR_OP_SOFTMAX] = prefix##_softmax_backward, [NR_OP_DROPOUT] = prefix##_dropout_backward, \
                 [NR_OP_COPY] = prefix##_copy_backward,       [NR_OP_CONCAT] = prefix##_concat_backward, \
                 [NR_OP_ADD] = prefix##_add_backward,         [NR_OP_SUB] = prefix##_sub_backward,   \
                 [NR_OP_MUL] = prefix##_mul_backward,         [NR_OP_AVG] = prefix##_avg_backward,   \
                 [NR_OP_MAX] = prefix##_max_backward,         [NR_OP_LOSS] = prefix##_loss_backward, \
                 [NR_OP_PENALTY] = prefix##_penalty_backward, [NR_OP_CONV2D] = prefix##_conv2d_backward, \
                 [NR_OP_MAXPOOL2D] = prefix##_maxpool2d_backward, [NR_OP_AVGPOOL2D] = prefix##_avgpool2d_backward, \
                 [NR_OP_BATCHNORM] = prefix##_batchnorm_backward, [NR_OP_LAYERNORM] = prefix##_layernorm_backward, \
                 [NR_OP_CONV2D_T] = prefix##_conv2d_t_backward, [NR_OP_DWCONV2D] = prefix##_dwconv2d_backward, \
                 [NR_OP_GAUSSIAN_NOISE] = prefix##_gaussian_noise_backward, \
                 [NR_OP_SPATIAL_DROPOUT] = prefix##_spatial_dropout_backward, \
                 [NR_OP_RANDOM_AFFINE] = prefix##_random_affine_backward, \
                 [NR_OP_GLOBAL_AVGPOOL] = prefix##_global_avgpool_backward, \
                 [NR_OP_GLOBAL_MAXPOOL] = prefix##_global_maxpool_backward, \
                 [NR_OP_UPSAMPLE2D] = prefix##_upsample2d_backward, [NR_OP_PAD2D] = prefix##_pad2d_backward, \
                 [NR_OP_RNN] = prefix##_rnn_backward, [NR_OP_SLICE] = prefix##_slice_backward, \
                 [NR_OP_EMBEDDING] = prefix##_embedding_backward, [NR_OP_MASK] = prefix##_mask_backward, \
                 [NR_OP_MASK_MUL] = prefix##_mask_mul_backward, [NR_OP_REPEAT] = prefix##_repeat_backward, \
                 [NR_OP_MASKED_AVGPOOL] = prefix##_masked_avgpool_backward, \
                 [NR_OP_SAMPLING] = prefix##_sampling_backward, [NR_OP_GAUSS_KL] = prefix##_gauss_kl_backward, \
                 [NR_OP_BATCH_MEAN] = prefix##_batch_mean_backward, [NR_OP_CUSTOM] = prefix##_custom_backward}, \
    .work_floats = {[NR_OP_DROPOUT] = 1, [NR_OP_MAXPOOL2D] = 1, [NR_OP_GLOBAL_MAXPOOL] = 1}, \
    .workspace = {[NR_OP_LINEAR] = nr_linear_workspace, [NR_OP_CONV2D] = nr_conv2d_workspace, \
                  [NR_OP_BATCHNORM] = nr_batchnorm_workspace, [NR_OP_LAYERNORM] = nr_layernorm_workspace, \
                  [NR_OP_CONV2D_T] = nr_conv2d_t_workspace, [NR_OP_DWCONV2D] = nr_dwconv2d_workspace, \
                  [NR_OP_SPATIAL_DROPOUT] = nr_spatial_dropout_workspace, \
                  [NR_OP_RANDOM_AFFINE] = nr_random_affine_workspace, [NR_OP_RNN] = nr_rnn_workspace}

const nr_backend nr_backend_cpu = {
    .name = "cpu", OPS(nr_cpu), .overwrites = {[NR_OP_CONV2D] = 1, [NR_OP_MAXPOOL2D] = 1, [NR_OP_UPSAMPLE2D] = 1}};
const nr_backend nr_backend_reference = {.name = "reference", OPS(nr_ref)};

/* Read on every call (once per planned run, not per op), so a test can
 * switch with setenv. */
const nr_backend *nr_backend_get(void) {
    const char *s = getenv("NEURONA_REFERENCE");
    return (s && *s && strcmp(s, "0") != 0) ? &nr_backend_reference : &nr_backend_cpu;
}

static const char *const op_names[NR_OP_COUNT_] = {
    [NR_OP_INPUT] = "input", [NR_OP_PARAM] = "param", [NR_OP_LINEAR] = "linear",
    [NR_OP_ACT] = "act",     [NR_OP_SOFTMAX] = "softmax", [NR_OP_DROPOUT] = "dropout",
    [NR_OP_COPY] = "copy",   [NR_OP_CONCAT] = "concat", [NR_OP_ADD] = "add",
    [NR_OP_SUB] = "sub",     [NR_OP_MUL] = "mul",       [NR_OP_AVG] = "avg",
    [NR_OP_MAX] = "max",     [NR_OP_LOSS] = "loss",     [NR_OP_PENALTY] = "penalty",
    [NR_OP_CONV2D] = "conv2d", [NR_OP_MAXPOOL2D] = "maxpool2d", [NR_OP_AVGPOOL2D] = "avgpool2d",
    [NR_OP_BATCHNORM] = "batchnorm", [NR_OP_LAYERNORM] = "layernorm",
    [NR_OP_CONV2D_T] = "conv2d_t", [NR_OP_DWCONV2D] = "dwconv2d",
    [NR_OP_GAUSSIAN_NOISE] = "gaussian_noise", [NR_OP_SPATIAL_DROPOUT] = "spatial_dropout",
    [NR_OP_RANDOM_AFFINE] = "random_affine",
    [NR_OP_GLOBAL_AVGPOOL] = "global_avgpool", [NR_OP_GLOBAL_MAXPOOL] = "global_maxpool",
    [NR_OP_UPSAMPLE2D] = "upsample2d", [NR_OP_PAD2D] = "pad2d", [NR_OP_RNN] = "rnn", [NR_OP_SLICE] = "slice",
    [NR_OP_EMBEDDING] = "embedding", [NR_OP_MASK] = "mask", [NR_OP_MASK_MUL] = "mask_mul", [NR_OP_REPEAT] = "repeat",
    [NR_OP_MASKED_AVGPOOL] = "masked_avgpool",
    [NR_OP_SAMPLING] = "sampling", [NR_OP_GAUSS_KL] = "gauss_kl", [NR_OP_BATCH_MEAN] = "batch_mean",
    [NR_OP_CUSTOM] = "custom",
};

const char *nr_op_name(nr_op_kind op) {
    return (unsigned)op < NR_OP_COUNT_ && op_names[op] ? op_names[op] : "unknown";
}
