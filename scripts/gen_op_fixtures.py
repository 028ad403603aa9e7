#!/usr/bin/python3
"""Reference values for neurona's op kernels, computed with PyTorch.

Run from the repository root (Debian's python3-torch, 1.13):

    /usr/bin/python3 scripts/gen_op_fixtures.py

It (re)writes tests/fixtures/ops/{activations,softmax,losses}.txt, which
tests/ops/test_ops_torch.c reads. The output is deterministic.

File format (text): the first line is the magic and version
"neurona-op-fixtures 1"; lines starting with '#' are comments; every other
line is one tensor:

    <name> <ndim> <dim0> ... <dim{ndim-1}> <value> ... <value>

with prod(dims) values printed with %.9g (float32 round-trips exactly).

Semantics are Keras 3's, not PyTorch's defaults: where they differ the
reference is written with torch ops that spell out Keras's formula:
  * hard_sigmoid is relu6(x + 3) / 6 (Keras 3; Keras 2 used 0.2 x + 0.5);
  * leaky_relu uses the slope given (keras.activations.leaky_relu default
    0.2; the LeakyReLU layer's default is 0.3; PyTorch's is 0.01);
  * selu uses Keras's rounded constants alpha = 1.67326324,
    scale = 1.05070098 rather than PyTorch's;
  * gelu is the exact erf form by default (Keras approximate=False) and the
    tanh form for "gelu_tanh" (approximate=True);
  * probabilities are clipped to [1e-7, 1 - 1e-7] (keras epsilon, computed
    in float32, so 1 - 1e-7 is 0.99999988) before the logs of binary and
    categorical crossentropy, where PyTorch clamps log() at -100 instead;
    categorical crossentropy on probabilities first divides each row by its
    sum, as Keras does;
  * huber is Keras's per-element form averaged over the last axis;
  * every loss is Keras's "sum_over_batch_size": sum_r w_r l_r / R, with R
    the number of per-sample losses, whether or not weights are given.
The math runs in float64 on inputs that are exact float32 values, so the
references are the float32 Keras formulas evaluated without rounding error.
"""

import math
import os
import sys

import torch
import torch.nn.functional as F

from fixture_io import Writer, f32, uniform

torch.set_default_dtype(torch.float64)
EPS = float(torch.tensor(1e-7, dtype=torch.float32))
ONE_MINUS_EPS = float(torch.tensor(1.0, dtype=torch.float32) - torch.tensor(1e-7, dtype=torch.float32))
SELU_ALPHA, SELU_SCALE = 1.67326324, 1.05070098

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "ops")


# --- activations -----------------------------------------------------------

def act_fns():
    # name -> (neurona activation name, alpha, torch function)
    return [
        ("linear", "linear", 0.0, lambda x: x),
        ("sigmoid", "sigmoid", 0.0, torch.sigmoid),
        ("hard_sigmoid", "hard_sigmoid", 0.0, lambda x: F.relu6(x + 3.0) / 6.0),
        ("tanh", "tanh", 0.0, torch.tanh),
        ("relu", "relu", 0.0, F.relu),
        ("relu6", "relu6", 0.0, F.relu6),
        ("leaky_relu_0.2", "leaky_relu", 0.2, lambda x: F.leaky_relu(x, 0.2)),
        ("leaky_relu_0.3", "leaky_relu", 0.3, lambda x: F.leaky_relu(x, 0.3)),
        ("elu_1", "elu", 1.0, lambda x: F.elu(x, 1.0)),
        ("elu_0.5", "elu", 0.5, lambda x: F.elu(x, 0.5)),
        ("selu", "selu", 0.0, lambda x: SELU_SCALE * F.elu(x, SELU_ALPHA)),
        ("gelu", "gelu", 0.0, lambda x: F.gelu(x)),
        ("gelu_tanh", "gelu", 1.0, lambda x: F.gelu(x, approximate="tanh")),
        ("silu", "silu", 0.0, F.silu),
        ("softplus", "softplus", 0.0, lambda x: F.softplus(x, threshold=1000.0)),
        ("softsign", "softsign", 0.0, F.softsign),
        ("exponential", "exponential", 0.0, torch.exp),
        ("heaviside", "heaviside", 0.0, lambda x: (x >= 0).to(x.dtype)),
    ]


def write_activations(gen):
    w = Writer(os.path.join(OUT, "activations.txt"), "activations: y = f(x), dx = f'(x) * r", __file__)
    w.comment("per activation: <name>.y and, unless forward-only, <name>.dx; "
              "<name>.alpha holds attrs.act.alpha and <name> is '<keras name>[_<alpha>]'")
    fixed = torch.tensor([-20.0, -8.0, -5.0, -3.5, -2.9, -1.7, -1.0, -0.6, -0.25, -0.05, -1e-3,
                          1e-3, 0.05, 0.3, 0.7, 1.0, 1.5, 2.2, 2.95, 3.2, 4.0, 5.5, 6.5, 8.0, 20.0])
    rnd = uniform(gen, (15,), -6.0, 6.0)
    for k in (-3.0, 0.0, 3.0, 6.0):  # keep away from the kinks
        near = (rnd - k).abs() < 0.05
        rnd[near] = k + 0.1
    x = f32(torch.cat([fixed, rnd]))
    r = uniform(gen, x.shape, -1.0, 1.0)
    w.tensor("x", x)
    w.tensor("r", r)
    for name, _keras, alpha, fn in act_fns():
        xs = x.clone().requires_grad_(True)
        if name == "exponential":
            xs = x.clamp(-8, 8).clone().requires_grad_(True)  # e^20 is beyond float32 precision needs
        y = fn(xs)
        w.tensor(name + ".alpha", torch.tensor([alpha]))
        if name == "exponential":
            w.tensor(name + ".x", xs)
        w.tensor(name + ".y", y)
        if name != "heaviside":
            (y * r).sum().backward()
            w.tensor(name + ".dx", xs.grad)
    w.close()


def write_softmax(gen):
    w = Writer(os.path.join(OUT, "softmax.txt"), "softmax over the last axis: y, dx = d(sum(y * r))/dx", __file__)
    for name, shape, scale in (("small", (4, 7), 3.0), ("wide", (3, 33), 10.0), ("one", (2, 1), 1.0)):
        x = uniform(gen, shape, -scale, scale).requires_grad_(True)
        r = uniform(gen, shape, -1.0, 1.0)
        y = torch.softmax(x, dim=-1)
        (y * r).sum().backward()
        w.tensor(name + ".x", x)
        w.tensor(name + ".r", r)
        w.tensor(name + ".y", y)
        w.tensor(name + ".dx", x.grad)
    w.close()


# --- losses --------------------------------------------------------------------

def clip(p):
    return p.clamp(EPS, ONE_MINUS_EPS)


def per_sample(kind, logits, p, t, delta, k):
    """Keras per-sample losses, shape (R,). p is (R, k); t is (R, k) or (R,)."""
    if kind == "mse":
        return ((p - t) ** 2).mean(-1)
    if kind == "mae":
        return (p - t).abs().mean(-1)
    if kind == "huber":
        e = (p - t).abs()
        return torch.where(e <= delta, 0.5 * e * e, delta * e - 0.5 * delta * delta).mean(-1)
    if kind == "bce":
        if logits:
            return F.binary_cross_entropy_with_logits(p, t, reduction="none").mean(-1)
        c = clip(p)
        return (-(t * torch.log(c) + (1 - t) * torch.log(1 - c))).mean(-1)
    if kind in ("cce", "sparse_cce"):
        if kind == "sparse_cce":
            t = F.one_hot(t.long(), k).to(p.dtype)
        if logits:
            return -(t * torch.log_softmax(p, dim=-1)).sum(-1)
        q = p / p.sum(-1, keepdim=True)
        return -(t * torch.log(clip(q))).sum(-1)
    raise ValueError(kind)


LOSS_KINDS = {"mse": 1, "mae": 2, "huber": 3, "bce": 4, "cce": 5, "sparse_cce": 6}


def write_losses(gen):
    w = Writer(os.path.join(OUT, "losses.txt"), "losses: L = sum_r w_r l_r / R and dL/dpred", __file__)
    w.comment("per case <c>: <c>.config = [kind (nr_loss_kind), logits, delta, weighted], "
              "<c>.pred, <c>.target, <c>.w (if weighted), <c>.loss (scalar), <c>.dpred")
    N, k = 5, 4
    cases = []
    for kind in ("mse", "mae", "huber", "bce", "cce", "sparse_cce"):
        for logits in ((0, 1) if kind in ("bce", "cce", "sparse_cce") else (0,)):
            for weighted in (0, 1):
                for delta in ((1.0, 0.5) if kind == "huber" else (1.0,)):
                    cases.append((kind, logits, delta, weighted, (N, k)))
    # rank-1 predictions (N,) are rows of one value
    cases += [("mse", 0, 1.0, 1, (N,)), ("bce", 0, 1.0, 0, (N,)), ("bce", 1, 1.0, 1, (N,))]
    # clipping active: probabilities at 0 and 1
    cases += [("bce", 0, 1.0, 0, "clip"), ("cce", 0, 1.0, 0, "clip"), ("sparse_cce", 0, 1.0, 0, "clip")]
    for kind, logits, delta, weighted, shape in cases:
        clipped = shape == "clip"
        if clipped:
            shape = (2, 3)
        kk = shape[-1] if len(shape) == 2 else 1
        R = shape[0]
        if kind in ("mse", "mae", "huber"):
            t = uniform(gen, shape, -2.0, 2.0)
            e = uniform(gen, shape, 0.05, 2.0) * torch.where(torch.rand(shape, generator=gen) < 0.5, -1.0, 1.0)
            if kind == "huber":
                e = torch.where((e.abs() - delta).abs() < 0.05, e + 0.1 * e.sign(), e)
            p = f32(t + e)
        elif kind == "bce":
            t = f32(torch.where(torch.rand(shape, generator=gen) < 0.3, torch.rand(shape, generator=gen),
                                (torch.rand(shape, generator=gen) < 0.5).to(torch.float64)))
            p = uniform(gen, shape, -4.0, 4.0) if logits else uniform(gen, shape, 0.02, 0.98)
            if clipped:
                p = torch.tensor([[0.0, 1.0, 0.5], [1.0, 0.0, 1e-9]])
                t = torch.tensor([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
        elif kind == "cce":
            t = torch.zeros(shape)
            for i in range(R):
                if i % 2:
                    t[i, (3 * i) % kk] = 1.0
                else:
                    t[i] = f32(torch.softmax(torch.rand(kk, generator=gen), -1))
            p = uniform(gen, shape, -3.0, 3.0) if logits else uniform(gen, shape, 0.1, 1.0)
            if clipped:
                p = torch.tensor([[0.0, 1.0, 1.0], [2.0, 0.0, 0.0]])
                t = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
        else:
            t = torch.tensor([float((3 * i + 1) % kk) for i in range(R)])
            p = uniform(gen, shape, -3.0, 3.0) if logits else uniform(gen, shape, 0.1, 1.0)
            if clipped:
                p = torch.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
                t = torch.tensor([0.0, 0.0])
        p = f32(p)
        t = f32(t)
        wts = uniform(gen, (R,), 0.2, 2.0) if weighted else torch.ones(R)
        ps = p.clone().requires_grad_(True)
        p2 = ps.reshape(R, kk)
        t2 = t if kind == "sparse_cce" else t.reshape(R, kk)
        l = per_sample(kind, logits, p2, t2, delta, kk)
        L = (wts * l).sum() / l.numel()
        L.backward()
        name = "%s_l%d_w%d_d%g_%s" % (kind, logits, weighted, delta,
                                      "clip" if clipped else "x".join(str(s) for s in shape))
        w.tensor(name + ".config", torch.tensor([LOSS_KINDS[kind], logits, delta, weighted], dtype=torch.float64))
        w.tensor(name + ".pred", p)
        w.tensor(name + ".target", t)
        if weighted:
            w.tensor(name + ".w", wts)
        w.tensor(name + ".loss", L.reshape(()))
        w.tensor(name + ".dpred", ps.grad)
    w.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20240611)
    write_activations(gen)
    write_softmax(gen)
    write_losses(gen)
    print("wrote", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
