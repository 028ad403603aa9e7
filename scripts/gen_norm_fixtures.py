#!/usr/bin/python3
"""Reference values for BatchNormalization and LayerNormalization,
computed with PyTorch.

Run from the repository root (Debian's python3-torch, 1.13):

    /usr/bin/python3 scripts/gen_norm_fixtures.py

It (re)writes tests/fixtures/norm/{batchnorm,layernorm}.txt, which
tests/ops/test_ops_norm_torch.c and tests/layers/test_norm_layers.c read.
The output is deterministic. The format is the op fixtures' (see
scripts/gen_op_fixtures.py): a "neurona-op-fixtures 1" line, '#' comments,
and one tensor a line, "<name> <ndim> <dims...> <values...>".

Semantics are Keras 3's, spelled out with torch ops where PyTorch differs:
  * BatchNormalization's momentum is Keras's: moving = momentum * moving +
    (1 - momentum) * batch statistic (torch's momentum is 1 - Keras's);
  * the moving variance moves towards the biased batch variance, the one
    keras.ops.moments gives and the layer normalizes with (torch moves its
    running_var towards the unbiased variance), so the moving statistics
    are written from the formula, not from torch's running stats;
  * epsilon defaults to 1e-3 (torch: 1e-5);
  * LayerNormalization's rms_scaling is Keras's: x * rsqrt(var + eps) *
    gamma with the variance about the mean and x not centered (it is not
    torch's RMSNorm).
The normalizations are checked against F.batch_norm and F.layer_norm where
those compute the same thing. The math runs in float64 on inputs that are
exact float32 values.
"""

import os

import torch
import torch.nn.functional as F

from fixture_io import Writer, f32, uniform

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "norm")
KERAS_EPS = 1e-3


# --- BatchNormalization ----------------------------------------------------------

def batch_moments(x):
    """Mean and biased variance over every axis but the last (keras.ops.moments)."""
    axes = tuple(range(x.dim() - 1))
    mean = x.mean(dim=axes)
    return mean, ((x - mean) ** 2).mean(dim=axes)


def keras_bn(x, mean, var, gamma, beta, eps):
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


def write_bn_case(w, gen, name, shape, momentum, eps):
    C = shape[-1]
    xs = [uniform(gen, shape, -2.0, 3.0) for _ in range(3)]
    gamma = uniform(gen, (C,), 0.5, 1.5).requires_grad_(True)
    beta = uniform(gen, (C,), -1.0, 1.0).requires_grad_(True)
    mm0 = uniform(gen, (C,), -0.5, 0.5)
    mv0 = uniform(gen, (C,), 0.5, 1.5)
    r = uniform(gen, shape, -1.0, 1.0)
    x = xs[0].clone().requires_grad_(True)

    mean, var = batch_moments(x)
    y = keras_bn(x, mean, var, gamma, beta, eps)
    # torch agrees on the training-mode output (it normalizes with the biased variance too)
    xt = x.detach().movedim(-1, 1)
    yt = F.batch_norm(xt, None, None, gamma.detach(), beta.detach(), training=True, eps=eps).movedim(1, -1)
    assert torch.allclose(y.detach(), yt, atol=1e-10)
    (y * r).sum().backward()

    y_infer = keras_bn(xs[0], mm0, mv0, gamma.detach(), beta.detach(), eps)
    mm, mv = mm0.clone(), mv0.clone()
    for xb in xs:
        bm, bv = batch_moments(xb)
        mm = momentum * mm + (1.0 - momentum) * bm
        mv = momentum * mv + (1.0 - momentum) * bv

    w.comment("%s: momentum %g, epsilon %g" % (name, momentum, eps))
    w.tensor(name + ".config", torch.tensor([momentum, eps]))
    for i, xb in enumerate(xs):
        w.tensor("%s.x%d" % (name, i), xb)
    for t, n in ((gamma, "gamma"), (beta, "beta"), (mm0, "moving_mean"), (mv0, "moving_variance"), (r, "r")):
        w.tensor(name + "." + n, t)
    w.tensor(name + ".y_train", y)
    w.tensor(name + ".y_infer", y_infer)
    w.tensor(name + ".dx", x.grad)
    w.tensor(name + ".dgamma", gamma.grad)
    w.tensor(name + ".dbeta", beta.grad)
    w.tensor(name + ".moving_mean3", mm)
    w.tensor(name + ".moving_variance3", mv)


def write_batchnorm(gen):
    w = Writer(os.path.join(OUT, "batchnorm.txt"), "BatchNormalization over the last axis, Keras 3 semantics", __file__)
    w.comment("per case <c>: .config = [momentum, epsilon]; inputs .x0 .x1 .x2 (three batches), .gamma, .beta, "
              ".moving_mean, .moving_variance (before any step), .r; on x0: .y_train (batch statistics), "
              ".y_infer (the initial moving statistics), .dx .dgamma .dbeta of sum(y_train * r); "
              ".moving_mean3 .moving_variance3 after training steps on x0, x1, x2")
    write_bn_case(w, gen, "dense", (6, 5), 0.99, KERAS_EPS)
    write_bn_case(w, gen, "image", (2, 3, 3, 4), 0.9, KERAS_EPS)
    write_bn_case(w, gen, "momentum0", (4, 3), 0.0, 1e-5)
    w.close()


# --- LayerNormalization ----------------------------------------------------------

def keras_ln(x, n_axes, gamma, beta, eps, rms):
    axes = tuple(range(x.dim() - n_axes, x.dim()))
    mean = x.mean(dim=axes, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=axes, keepdim=True)
    inv = 1.0 / torch.sqrt(var + eps)
    if rms:
        return x * inv * gamma
    y = (x - mean) * inv
    if gamma is not None:
        y = y * gamma
    return y + beta if beta is not None else y


def write_ln_case(w, gen, name, shape, n_axes, rms, eps):
    wshape = shape[len(shape) - n_axes:]
    x = uniform(gen, shape, -2.0, 3.0).requires_grad_(True)
    gamma = uniform(gen, wshape, 0.5, 1.5).requires_grad_(True)
    beta = None if rms else uniform(gen, wshape, -1.0, 1.0).requires_grad_(True)
    r = uniform(gen, shape, -1.0, 1.0)
    y = keras_ln(x, n_axes, gamma, beta, eps, rms)
    if not rms:
        yt = F.layer_norm(x.detach(), wshape, gamma.detach(), beta.detach(), eps)
        assert torch.allclose(y.detach(), yt, atol=1e-10)
    (y * r).sum().backward()
    w.comment("%s: %d trailing axes, rms_scaling %d, epsilon %g" % (name, n_axes, rms, eps))
    w.tensor(name + ".config", torch.tensor([float(n_axes), float(rms), eps]))
    w.tensor(name + ".x", x)
    w.tensor(name + ".gamma", gamma)
    if beta is not None:
        w.tensor(name + ".beta", beta)
    w.tensor(name + ".r", r)
    w.tensor(name + ".y", y)
    w.tensor(name + ".dx", x.grad)
    w.tensor(name + ".dgamma", gamma.grad)
    if beta is not None:
        w.tensor(name + ".dbeta", beta.grad)


def write_layernorm(gen):
    w = Writer(os.path.join(OUT, "layernorm.txt"), "LayerNormalization over trailing axes, Keras 3 semantics", __file__)
    w.comment("per case <c>: .config = [trailing axes, rms_scaling, epsilon]; .x .gamma .beta (not with "
              "rms_scaling) .r; .y and .dx .dgamma .dbeta of sum(y * r)")
    write_ln_case(w, gen, "last", (5, 8), 1, 0, KERAS_EPS)
    write_ln_case(w, gen, "two_axes", (3, 4, 6), 2, 0, KERAS_EPS)
    write_ln_case(w, gen, "rms", (4, 7), 1, 1, KERAS_EPS)
    w.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20240607)
    write_batchnorm(gen)
    write_layernorm(gen)


if __name__ == "__main__":
    main()
