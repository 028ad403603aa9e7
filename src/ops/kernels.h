/* Declarations of the CPU kernels. Each op has a fast kernel (nr_cpu_*)
 * and a plain reference kernel (nr_ref_*) that tests compare it with;
 * ops whose simple form is already fast share one kernel. Argument shapes
 * are documented beside each definition. */
#ifndef NR_KERNELS_H
#define NR_KERNELS_H

#include "graph/graph.h"

#define NR_DECLARE_OP(name) \
    void nr_cpu_##name##_forward(const nr_exec *x, const nr_node *n); \
    void nr_cpu_##name##_backward(const nr_exec *x, const nr_node *n); \
    void nr_ref_##name##_forward(const nr_exec *x, const nr_node *n); \
    void nr_ref_##name##_backward(const nr_exec *x, const nr_node *n);

NR_DECLARE_OP(linear)
NR_DECLARE_OP(act)
NR_DECLARE_OP(softmax)
NR_DECLARE_OP(dropout)
NR_DECLARE_OP(copy)
NR_DECLARE_OP(concat)
NR_DECLARE_OP(add)
NR_DECLARE_OP(sub)
NR_DECLARE_OP(mul)
NR_DECLARE_OP(avg)
NR_DECLARE_OP(max)
NR_DECLARE_OP(loss)
NR_DECLARE_OP(penalty)
NR_DECLARE_OP(conv2d)
NR_DECLARE_OP(maxpool2d)
NR_DECLARE_OP(avgpool2d)
NR_DECLARE_OP(batchnorm)
NR_DECLARE_OP(layernorm)
NR_DECLARE_OP(conv2d_t)
NR_DECLARE_OP(dwconv2d)
NR_DECLARE_OP(gaussian_noise)
NR_DECLARE_OP(spatial_dropout)
NR_DECLARE_OP(random_affine)
NR_DECLARE_OP(global_avgpool)
NR_DECLARE_OP(global_maxpool)
NR_DECLARE_OP(upsample2d)
NR_DECLARE_OP(pad2d)
NR_DECLARE_OP(rnn)
NR_DECLARE_OP(slice)
NR_DECLARE_OP(embedding)
NR_DECLARE_OP(mask)
NR_DECLARE_OP(mask_mul)
NR_DECLARE_OP(repeat)
NR_DECLARE_OP(masked_avgpool)
NR_DECLARE_OP(sampling)
NR_DECLARE_OP(gauss_kl)
NR_DECLARE_OP(batch_mean)
NR_DECLARE_OP(custom)

/* Packing space of a LINEAR node (floats). */
int64_t nr_linear_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);
/* Scratch of a CONV2D node (floats): packed weights and, per thread, a
 * padded image and weight-gradient partials (stride 1), or one sample's
 * im2col buffer plus GEMM packing space (strides above 1). */
int64_t nr_conv2d_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);
/* Scratch of a BATCHNORM node (floats): saved statistics and block sums. */
int64_t nr_batchnorm_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);
/* Scratch of a LAYERNORM node (floats): block sums of gamma's and beta's gradients. */
int64_t nr_layernorm_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);
/* Scratch of a CONV2D_T node (floats): one sample's column buffer (H*W
 * rows of kh*kw*F), GEMM packing space, its weight and bias gradients. */
int64_t nr_conv2d_t_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);
/* Scratch of a DWCONV2D node (floats): its weight and bias gradients. */
int64_t nr_dwconv2d_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);
/* The channel mask of a SPATIAL_DROPOUT node: N C floats. */
int64_t nr_spatial_dropout_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);
/* The per-sample transforms of a RANDOM_AFFINE node: 6 N floats. */
int64_t nr_random_affine_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);

/* Scratch of an RNN node (floats): see ops/rnn_common.h. */
int64_t nr_rnn_workspace(const nr_node *n, const nr_node *nodes, int64_t batch);

/* Scalar activation and its derivative, shared by the kernels and tests. */
float nr_act_value(nr_activation fn, float alpha, float x);
/* Derivative dy/dx given x and y = f(x). */
float nr_act_grad(nr_activation fn, float alpha, float x, float y);

#endif
