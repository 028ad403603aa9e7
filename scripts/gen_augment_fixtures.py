#!/usr/bin/python3
"""Reference values for neurona's RANDOM_AFFINE op (RandomRotation,
RandomTranslation, RandomZoom), computed with PyTorch.

Run from the repository root (Debian's python3-torch, 1.13):

    /usr/bin/python3 scripts/gen_augment_fixtures.py

It (re)writes tests/fixtures/augment/affine.txt, which
tests/ops/test_ops_augment.c reads. The output is deterministic.

File format: the one of tests/fixtures/ops (see scripts/gen_op_fixtures.py):
a line "neurona-op-fixtures 1", '#' comments, then one tensor a line,
"<name> <ndim> <dims...> <values...>". Each case <c> has
  <c>.cfg  (7,): kind (1 rotation, 2 translation, 3 zoom), fill mode
               (0 reflect, 1 wrap, 2 constant, 3 nearest), interpolation
               (0 bilinear, 1 nearest), fill_value, factor 0 (rotation
               factor or height), factor 1 (width), has_width (zoom);
               each factor is drawn from the range (f, f), so it is f;
  <c>.x    (N, H, W, C) input;
  <c>.y    the training-mode output;
  <c>.dy   a gradient of y, and <c>.dx the input gradient it gives.

The transforms are Keras 3's, spelled out here (keras/src/layers/
preprocessing/image_preprocessing/random_{rotation,translation,zoom}.py):
a row (a0, a1, a2, b0, b1, b2) maps output pixel (row i, column j) to the
input point (a0 j + a1 i + a2, b0 j + b1 i + b2), as
keras.ops.image.affine_transform reads it, with w = W - 1, h = H - 1:
  rotation by t = 2 pi f: (cos t, -sin t, (w - cos t w + sin t h) / 2,
                           sin t, cos t, (h - sin t w - cos t h) / 2)
  translation by (f0 H rows, f1 W columns): (1, 0, -f1 W, 0, 1, -f0 H)
  zoom by zy = 1 + f0, zx = 1 + f1 (zy when there is no width factor):
                          (zx, 0, w (1 - zx) / 2, 0, zy, h (1 - zy) / 2)
The sampling follows Keras's map_coordinates (its JAX and NumPy backends):
bilinear weights on the two neighbouring integer indices per axis (nearest:
the rounded index), each index brought inside by the fill mode with Keras's
own index fixers (reflect through its mirror formula, wrap by modulo,
nearest by clipping; constant reads fill_value). The transform numbers are
rounded to float32 and the input points computed in float32, as neurona
does; the sums run in float64, and dx comes from torch's autograd.
"""

import math
import os

import torch

from fixture_io import Writer

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "augment")
ROTATION, TRANSLATION, ZOOM = 1, 2, 3
REFLECT, WRAP, CONSTANT, NEAREST = 0, 1, 2, 3
BILINEAR, NEAREST_INTERP = 0, 1


def f32(v):
    return float(torch.tensor(v, dtype=torch.float32))


def transform(kind, f0, f1, has_width, H, W):
    """Keras's transform row for fixed factors, rounded to float32."""
    h, w = H - 1.0, W - 1.0
    f0, f1 = f32(f0), f32(f1)
    if kind == ROTATION:
        t = 2 * math.pi * f0
        c, s = math.cos(t), math.sin(t)
        m = [c, -s, (w - c * w + s * h) / 2, s, c, (h - s * w - c * h) / 2]
    elif kind == TRANSLATION:
        m = [1, 0, -f32(W * f1), 0, 1, -f32(H * f0)]
    else:
        zy = f32(1 + f0)
        zx = f32(1 + f1) if has_width else zy
        m = [zx, 0, w * (1 - zx) / 2, 0, zy, h * (1 - zy) / 2]
    return torch.tensor(m, dtype=torch.float64).to(torch.float32)


def mirror(index, size):
    s = size - 1
    return torch.abs(torch.remainder(index + s, 2 * s) - s)


def fix(index, size, fill):
    """Keras's index fixers (keras/src/backend/jax/image.py)."""
    if fill == REFLECT:
        return torch.div(mirror(2 * index + 1, 2 * size + 1) - 1, 2, rounding_mode="floor")
    if fill == WRAP:
        return torch.remainder(index, size)
    if fill == NEAREST:
        return index.clamp(0, size - 1)
    return index


def axis_taps(coord, interp):
    """(index, weight) pairs along one axis."""
    if interp == NEAREST_INTERP:
        return [(torch.round(coord).to(torch.int64), torch.ones_like(coord))]
    lo = torch.floor(coord)
    up = coord - lo
    return [(lo.to(torch.int64), 1 - up), (lo.to(torch.int64) + 1, up)]


def affine(x, m, fill, interp, fill_value):
    N, H, W, C = x.shape
    i = torch.arange(H, dtype=torch.float32).reshape(H, 1).expand(H, W)
    j = torch.arange(W, dtype=torch.float32).reshape(1, W).expand(H, W)
    xs = m[0] * j + m[1] * i + m[2]
    ys = m[3] * j + m[4] * i + m[5]
    if interp == NEAREST_INTERP:
        for c in (xs, ys):
            frac = (c - torch.floor(c) - 0.5).abs()
            assert float(frac.min()) > 1e-3, "a point too close to a rounding tie"
    y = torch.zeros(N, H, W, C, dtype=torch.float64)
    for p, wy in axis_taps(ys, interp):
        for q, wx in axis_taps(xs, interp):
            pf, qf = fix(p, H, fill), fix(q, W, fill)
            inside = (pf >= 0) & (pf < H) & (qf >= 0) & (qf < W)
            flat = (pf.clamp(0, H - 1) * W + qf.clamp(0, W - 1)).reshape(-1)
            v = x.reshape(N, H * W, C)[:, flat, :].reshape(N, H, W, C)
            v = torch.where(inside.reshape(1, H, W, 1), v, torch.full_like(v, fill_value))
            y = y + (wy * wx).to(torch.float64).reshape(1, H, W, 1) * v
    return y


CASES = [
    # name, kind, fill, interp, fill_value, f0, f1, has_width, (N, H, W, C)
    ("rot_reflect", ROTATION, REFLECT, BILINEAR, 0.0, 0.1, 0.0, 0, (2, 5, 7, 2)),
    ("rot_wrap", ROTATION, WRAP, BILINEAR, 0.0, -0.15, 0.0, 0, (2, 6, 5, 3)),
    ("rot_constant", ROTATION, CONSTANT, BILINEAR, 0.5, 0.3, 0.0, 0, (2, 5, 7, 2)),
    ("rot_nearest_fill", ROTATION, NEAREST, BILINEAR, 0.0, 0.05, 0.0, 0, (1, 6, 6, 2)),
    ("rot_nearest_interp", ROTATION, REFLECT, NEAREST_INTERP, 0.0, 0.1, 0.0, 0, (2, 5, 7, 2)),
    ("rot_half_turn", ROTATION, REFLECT, BILINEAR, 0.0, 0.5, 0.0, 0, (1, 5, 5, 1)),
    ("zoom_xy", ZOOM, REFLECT, BILINEAR, 0.0, 0.4, -0.3, 1, (2, 6, 7, 2)),
    ("zoom_in_constant", ZOOM, CONSTANT, BILINEAR, -1.5, -0.25, 0.0, 0, (1, 7, 5, 3)),
    ("zoom_out_wrap", ZOOM, WRAP, BILINEAR, 0.0, 0.7, 0.0, 0, (1, 5, 6, 2)),
    ("translate_reflect", TRANSLATION, REFLECT, BILINEAR, 0.0, 0.3, -0.45, 0, (2, 5, 7, 2)),
    ("translate_nearest", TRANSLATION, NEAREST, BILINEAR, 0.0, -0.9, 0.35, 0, (1, 5, 6, 2)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20240607)
    w = Writer(os.path.join(OUT, "affine.txt"), "RANDOM_AFFINE with fixed factors", __file__)
    for name, kind, fill, interp, fill_value, f0, f1, has_width, shape in CASES:
        N, H, W, C = shape
        if name == "rot_half_turn":
            x = torch.arange(25, dtype=torch.float64).reshape(shape)  # Keras's own test image
        else:
            x = (torch.rand(shape, generator=gen) * 2 - 1).to(torch.float32).to(torch.float64)
        x.requires_grad_(True)
        m = transform(kind, f0, f1, has_width, H, W)
        y = affine(x, m, fill, interp, fill_value)
        dy = (torch.rand(shape, generator=gen) * 2 - 1).to(torch.float32).to(torch.float64)
        y.backward(dy)
        cfg = torch.tensor([kind, fill, interp, fill_value, f0, f1, has_width], dtype=torch.float64)
        w.tensor(name + ".cfg", cfg)
        w.tensor(name + ".x", x)
        w.tensor(name + ".y", y)
        w.tensor(name + ".dy", dy)
        w.tensor(name + ".dx", x.grad)
    w.close()


if __name__ == "__main__":
    main()
