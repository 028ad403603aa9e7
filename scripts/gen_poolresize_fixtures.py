#!/usr/bin/python3
"""Reference values for neurona's 1-D pooling, global pooling, upsampling,
padding and cropping kernels, computed with PyTorch.

Run from the repository root (Debian's python3-torch, 1.13):

    /usr/bin/python3 scripts/gen_poolresize_fixtures.py

It (re)writes tests/fixtures/poolresize/poolresize.txt, which
tests/ops/test_ops_poolresize_torch.c reads. The output is deterministic.
The file format is gen_op_fixtures.py's ("neurona-op-fixtures 1").

Tensors are channels-last as Keras lays them out: x (N, T, C) or
(N, H, W, C). Each case <c> has <c>.config (below), <c>.x, <c>.r (a random
upstream gradient shaped like y), <c>.y and <c>.dx = d(sum(y * r))/dx.
Case names start with the op:
  * pool1d: config [max, pool_size, strides, same]. Keras's "same" is
    TensorFlow's: ceil(T / s) outputs, padding total
    max((out - 1) s + k - T, 0) with the odd cell after; padded cells never
    win a max and are left out of an average's count (written with explicit
    -inf / zero padding and a count of real cells, since torch's own pads
    are symmetric);
  * global: config [max, spatial dims]; the mean or max over every axis
    between batch and channels;
  * upsample: config [bilinear, sh, sw]; nearest repeats rows and columns
    (Keras's ops.repeat); bilinear is Keras 3's ops.image.resize, i.e.
    TensorFlow's resize with half-pixel centers and no antialiasing, which
    is torch's interpolate(mode="bilinear", align_corners=False) with the
    output size given;
  * pad2d: config [top, bottom, left, right], positive pads with zeros
    (ZeroPadding2D), negative crops (Cropping2D).
Batches of 1 and 3, odd and even sizes. Max inputs are distinct values
(no ties). The math runs in float64 on inputs that are exact float32 values.
"""

import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import Writer, f32, uniform  # noqa: E402

torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "poolresize")


def distinct(gen, shape):
    """A shuffled ramp: distinct float32 values, 0.01 apart, around 0."""
    n = math.prod(shape)
    return f32((torch.randperm(n, generator=gen).to(torch.float64) - n / 2) * 0.01).reshape(shape)


def same_pad(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def pool1d(x, mx, k, s, same):
    """x (N, T, C) -> (N, To, C), Keras semantics."""
    t = x.transpose(1, 2)  # (N, C, T)
    lo, hi = same_pad(x.shape[1], k, s) if same else (0, 0)
    if mx:
        return F.max_pool1d(F.pad(t, (lo, hi), value=-math.inf), k, s).transpose(1, 2)
    total = F.avg_pool1d(F.pad(t, (lo, hi)), k, s) * k
    count = F.avg_pool1d(F.pad(torch.ones_like(t[:1, :1]), (lo, hi)), k, s) * k
    return (total / count).transpose(1, 2)


def upsample(x, bilinear, sh, sw):
    """x (N, H, W, C) -> (N, H sh, W sw, C)."""
    if not bilinear:
        return x.repeat_interleave(sh, dim=1).repeat_interleave(sw, dim=2)
    t = x.permute(0, 3, 1, 2)
    y = F.interpolate(t, size=(x.shape[1] * sh, x.shape[2] * sw), mode="bilinear", align_corners=False)
    return y.permute(0, 2, 3, 1)


def pad2d(x, top, bottom, left, right):
    """Signed amounts: F.pad pads with zeros where positive, cuts where negative."""
    return F.pad(x, (0, 0, left, right, top, bottom))


def case(w, gen, name, config, x, fn):
    x = x.clone().requires_grad_(True)
    y = fn(x)
    r = uniform(gen, y.shape, -1.0, 1.0)
    (y * r).sum().backward()
    w.tensor(name + ".config", torch.tensor(config, dtype=torch.float64))
    w.tensor(name + ".x", x)
    w.tensor(name + ".r", r)
    w.tensor(name + ".y", y)
    w.tensor(name + ".dx", x.grad)


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20240612)
    w = Writer(os.path.join(OUT, "poolresize.txt"),
               "1-D and global pooling, upsampling, padding and cropping: <c>.config/x/r/y/dx; "
               "configs are described in the script", __file__)
    for N in (1, 3):
        for mx in (1, 0):
            for T, C, k, s, same in ((7, 3, 2, 2, 0), (8, 2, 3, 2, 1), (9, 2, 3, 1, 1), (6, 1, 2, 3, 1)):
                name = "pool1d_%s_n%d_t%d_k%d_s%d_%s" % ("max" if mx else "avg", N, T, k, s,
                                                         "same" if same else "valid")
                case(w, gen, name, [mx, k, s, same], distinct(gen, (N, T, C)),
                     lambda x, mx=mx, k=k, s=s, same=same: pool1d(x, mx, k, s, same))
            for spatial in ((5,), (4, 3), (3, 5)):
                shape = (N,) + spatial + (3,)
                name = "global_%s_n%d_%s" % ("max" if mx else "avg", N, "x".join(map(str, spatial)))
                dims = tuple(range(1, 1 + len(spatial)))
                fn = (lambda x, d=dims: x.amax(dim=d)) if mx else (lambda x, d=dims: x.mean(dim=d))
                case(w, gen, name, [mx] + list(spatial), distinct(gen, shape), fn)
        for bilinear in (0, 1):
            for H, W, C, sh, sw in ((2, 3, 2, 2, 2), (3, 4, 1, 2, 2), (5, 2, 2, 3, 2), (1, 3, 2, 1, 3)):
                name = "upsample_%s_n%d_%dx%d_s%dx%d" % ("bilinear" if bilinear else "nearest", N, H, W, sh, sw)
                case(w, gen, name, [bilinear, sh, sw], uniform(gen, (N, H, W, C), -2.0, 2.0),
                     lambda x, b=bilinear, sh=sh, sw=sw: upsample(x, b, sh, sw))
        for H, W, amounts in ((3, 4, (1, 1, 1, 1)), (4, 3, (2, 0, 1, 3)), (5, 6, (-1, -2, -1, 0)),
                              (6, 5, (0, -3, -2, -2))):
            name = "pad2d_n%d_%dx%d_%s" % (N, H, W, "_".join("%d" % v for v in amounts))
            case(w, gen, name, list(amounts), uniform(gen, (N, H, W, 2), -2.0, 2.0),
                 lambda x, a=amounts: pad2d(x, *a))
    w.close()
    print("wrote", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
