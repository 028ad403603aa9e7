#!/usr/bin/python3
"""Reference values for neurona's convolution variants, computed with PyTorch.

Run from the repository root (Debian's python3-torch):

    /usr/bin/python3 scripts/gen_convvar_fixtures.py

It (re)writes tests/fixtures/convvar/{conv1d,conv2d_transpose,depthwise,
separable}.txt, which tests/ops/test_ops_convvar.c reads. The output is
deterministic. The file format is the one of scripts/gen_op_fixtures.py
("neurona-op-fixtures 1", one tensor a line).

Every case is a Keras 3 layer on channels-last input with its weights in
Keras's layouts; the math runs in float64 on exact float32 values. Per case
<name>.config holds the layer's arguments (listed beside each writer),
<name>.x the input, the weights (<name>.W, or <name>.dw and <name>.pw for
SeparableConv2D, and <name>.b), <name>.y the output, and for the probe
L = sum(y * r) with <name>.r given: <name>.dx and the weight gradients
<name>.dW / .ddw / .dpw / .db, all in Keras layouts.

Where PyTorch differs from Keras, Keras's formula is spelled out:
  * TensorFlow's "same" padding (total = max((ceil(n/s) - 1) s + k - n, 0)
    with the odd cell at the end) is applied with F.pad before a valid
    convolution, since torch pads symmetrically;
  * Conv1D "causal" pads (k - 1) d zeros at the start;
  * Conv2DTranspose takes torch's full transposed convolution (padding 0,
    size (n - 1) s + k for the dilated kernel k) and cuts Keras's window
    out of it: Keras 3 pads the stride-dilated input by left = k - 1
    ("valid") or min(ceil(t / 2), k - 1) with t = s + k - 2, or
    t = k + k % 2 - 2 + output_padding when output_padding is given
    ("same"), so the window starts k - 1 - left cells in; its length is
    (n - 1) s + k + output_padding (output_padding default max(k, s) - k)
    for "valid" and n s, or (n - 1) s + k % 2 + output_padding, for
    "same"; cells past the full output are zeros;
  * kernels are converted from Keras's layouts: Conv1D (k, C, F),
    Conv2DTranspose (kh, kw, F, C), depthwise (kh, kw, C, M) with output
    channel c M + m, pointwise (1, 1, C M, F).
"""

import os
import sys

import torch
import torch.nn.functional as F

from fixture_io import Writer, f32, uniform

torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "convvar")
PADDINGS = {"valid": 0, "same": 1, "causal": 2}


def tf_same(n, k, s, d):
    """TensorFlow's "same" padding of one axis: (before, after)."""
    ke = (k - 1) * d + 1
    total = max(((n + s - 1) // s - 1) * s + ke - n, 0)
    return total // 2, total - total // 2


def pads(x_sizes, ks, ss, ds, padding):
    """F.pad amounts (last axis first) for the spatial axes of an NC... tensor."""
    out = []
    for n, k, s, d in reversed(list(zip(x_sizes, ks, ss, ds))):
        if padding == "same":
            out += list(tf_same(n, k, s, d))
        elif padding == "causal":
            out += [(k - 1) * d, 0]
        else:
            out += [0, 0]
    return out


def leaves(*ts):
    return [t.clone().requires_grad_(True) for t in ts]


def write_case(w, name, config, named_in, y, r):
    """Writes the inputs, y, r and the gradients of sum(y * r)."""
    (y * r).sum().backward()
    w.tensor(name + ".config", torch.tensor(config, dtype=torch.float64))
    for key, t in named_in:
        w.tensor("%s.%s" % (name, key), t)
    w.tensor(name + ".y", y)
    w.tensor(name + ".r", r)
    for key, t in named_in:
        w.tensor("%s.d%s" % (name, key), t.grad)


# --- Conv1D: config [k, s, d, padding, bias] ------------------------------------

def write_conv1d(gen):
    w = Writer(os.path.join(OUT, "conv1d.txt"), "Conv1D on (N, T, C), kernel (k, C, F)", __file__)
    w.comment("config: kernel_size, strides, dilation_rate, padding (0 valid, 1 same, 2 causal), use_bias")
    cases = [  # name, N, T, C, F, k, s, d, padding, bias
        ("valid", 3, 7, 2, 3, 3, 1, 1, "valid", 1),
        ("same_s2", 1, 8, 2, 3, 3, 2, 1, "same", 1),
        ("same_k4_s3", 3, 7, 3, 2, 4, 3, 1, "same", 0),
        ("causal_d2", 3, 7, 2, 3, 2, 1, 2, "causal", 1),
        ("causal_s2", 1, 9, 1, 4, 3, 2, 1, "causal", 1),
        ("same_d3", 3, 6, 2, 2, 3, 1, 3, "same", 1),
    ]
    for name, N, T, C, Fo, k, s, d, padding, bias in cases:
        x, W, b = leaves(uniform(gen, (N, T, C), -1, 1), uniform(gen, (k, C, Fo), -0.5, 0.5),
                         uniform(gen, (Fo,), -1, 1))
        xt = F.pad(x.permute(0, 2, 1), pads([T], [k], [s], [d], padding))
        y = F.conv1d(xt, W.permute(2, 1, 0), stride=s, dilation=d).permute(0, 2, 1)
        if bias:
            y = y + b
        r = uniform(gen, y.shape, -1, 1)
        named = [("x", x), ("W", W)] + ([("b", b)] if bias else [])
        write_case(w, name, [k, s, d, PADDINGS[padding], bias], named, y, r)
    w.close()


# --- Conv2DTranspose: config [kh, kw, sh, sw, dh, dw, padding, has_op, oph, opw, bias]

def keras_transpose_window(n, k, s, d, padding, op):
    """(start, length) of Keras's output inside torch's full output."""
    ke = (k - 1) * d + 1
    if padding == "valid":
        left = ke - 1
        length = (n - 1) * s + ke + (max(ke, s) - ke if op is None else op)
    else:
        t = s + ke - 2 if op is None else ke + ke % 2 - 2 + op
        left = min(t // 2 + t % 2, ke - 1)
        length = n * s if op is None else (n - 1) * s + ke % 2 + op
    return ke - 1 - left, length


def write_conv2d_transpose(gen):
    w = Writer(os.path.join(OUT, "conv2d_transpose.txt"), "Conv2DTranspose on (N, H, W, C), kernel (kh, kw, F, C)",
               __file__)
    w.comment("config: kh, kw, sh, sw, dh, dw, padding (0 valid, 1 same), has output_padding, "
              "output_padding h, w, use_bias")
    cases = [  # name, N, H, W, C, F, k, s, d, padding, output_padding, bias
        ("valid", 3, 3, 4, 2, 3, (3, 3), (1, 1), (1, 1), "valid", None, 1),
        ("same_s2", 1, 3, 3, 2, 3, (3, 3), (2, 2), (1, 1), "same", None, 1),
        ("same_k4_s2", 3, 3, 2, 2, 2, (4, 4), (2, 2), (1, 1), "same", None, 0),
        ("valid_op", 1, 3, 3, 2, 2, (3, 2), (2, 3), (1, 1), "valid", (1, 2), 1),
        ("same_op", 3, 2, 3, 3, 2, (2, 3), (2, 3), (1, 1), "same", (1, 2), 1),
        ("same_d2", 1, 4, 3, 2, 3, (3, 2), (1, 1), (2, 2), "same", None, 1),
        ("valid_k1_s3", 3, 2, 3, 2, 2, (1, 1), (3, 3), (1, 1), "valid", None, 1),
        ("same_s1_k3", 1, 4, 5, 2, 2, (3, 3), (1, 1), (1, 1), "same", (0, 0), 1),
    ]
    for name, N, H, Wd, C, Fo, k, s, d, padding, op, bias in cases:
        x, W, b = leaves(uniform(gen, (N, H, Wd, C), -1, 1), uniform(gen, (k[0], k[1], Fo, C), -0.5, 0.5),
                         uniform(gen, (Fo,), -1, 1))
        full = F.conv_transpose2d(x.permute(0, 3, 1, 2), W.permute(3, 2, 0, 1), stride=s, dilation=d)
        wins = [keras_transpose_window(n, k[i], s[i], d[i], padding, None if op is None else op[i])
                for i, n in enumerate((H, Wd))]
        # Zeros past the full output, then Keras's window.
        extra = [max(start + length - full.shape[2 + i], 0) for i, (start, length) in enumerate(wins)]
        full = F.pad(full, [0, extra[1], 0, extra[0]])
        y = full[:, :, wins[0][0]:wins[0][0] + wins[0][1], wins[1][0]:wins[1][0] + wins[1][1]].permute(0, 2, 3, 1)
        if bias:
            y = y + b
        r = uniform(gen, y.shape, -1, 1)
        named = [("x", x), ("W", W)] + ([("b", b)] if bias else [])
        cfg = [k[0], k[1], s[0], s[1], d[0], d[1], PADDINGS[padding], op is not None,
               0 if op is None else op[0], 0 if op is None else op[1], bias]
        write_case(w, name, cfg, named, y, r)
    w.close()


# --- DepthwiseConv2D and SeparableConv2D: config [kh, kw, sh, sw, dh, dw, padding, M, bias]

def depthwise(x, dw, k, s, d, padding):
    """Keras's depthwise convolution: x (N,H,W,C), dw (kh,kw,C,M) -> (N,Ho,Wo,C*M)."""
    N, H, Wd, C = x.shape
    M = dw.shape[3]
    xt = F.pad(x.permute(0, 3, 1, 2), pads([H, Wd], k, s, d, padding))
    wt = dw.reshape(k[0], k[1], C * M).permute(2, 0, 1).unsqueeze(1)
    return F.conv2d(xt, wt, stride=s, dilation=d, groups=C).permute(0, 2, 3, 1)


DW_CASES = [  # name, N, H, W, C, M, k, s, d, padding, bias
    ("valid", 3, 5, 6, 3, 1, (3, 3), (1, 1), (1, 1), "valid", 1),
    ("same_s2_m2", 1, 7, 6, 2, 2, (3, 3), (2, 2), (1, 1), "same", 1),
    ("same_d2_m3", 3, 6, 6, 2, 3, (2, 3), (1, 1), (2, 2), "same", 0),
    ("valid_s21", 1, 6, 5, 4, 1, (2, 2), (2, 1), (1, 1), "valid", 1),
    ("same_even", 3, 4, 4, 3, 2, (4, 2), (1, 1), (1, 1), "same", 1),
]


def write_depthwise(gen):
    w = Writer(os.path.join(OUT, "depthwise.txt"), "DepthwiseConv2D on (N, H, W, C), kernel (kh, kw, C, M)", __file__)
    w.comment("config: kh, kw, sh, sw, dh, dw, padding (0 valid, 1 same), depth_multiplier, use_bias")
    for name, N, H, Wd, C, M, k, s, d, padding, bias in DW_CASES:
        x, W, b = leaves(uniform(gen, (N, H, Wd, C), -1, 1), uniform(gen, (k[0], k[1], C, M), -0.5, 0.5),
                         uniform(gen, (C * M,), -1, 1))
        y = depthwise(x, W, k, s, d, padding)
        if bias:
            y = y + b
        r = uniform(gen, y.shape, -1, 1)
        named = [("x", x), ("W", W)] + ([("b", b)] if bias else [])
        write_case(w, name, [k[0], k[1], s[0], s[1], d[0], d[1], PADDINGS[padding], M, bias], named, y, r)
    w.close()


def write_separable(gen):
    w = Writer(os.path.join(OUT, "separable.txt"),
               "SeparableConv2D on (N, H, W, C), depthwise (kh, kw, C, M), pointwise (1, 1, C*M, F)", __file__)
    w.comment("config: kh, kw, sh, sw, dh, dw, padding (0 valid, 1 same), depth_multiplier, use_bias, filters")
    cases = [  # name, N, H, W, C, M, F, k, s, d, padding, bias
        ("valid", 3, 5, 5, 3, 1, 4, (3, 3), (1, 1), (1, 1), "valid", 1),
        ("same_s2_m2", 1, 6, 7, 2, 2, 3, (3, 3), (2, 2), (1, 1), "same", 1),
        ("same_d2", 3, 5, 6, 2, 1, 3, (2, 2), (1, 1), (2, 2), "same", 0),
    ]
    for name, N, H, Wd, C, M, Fo, k, s, d, padding, bias in cases:
        x, dw, pw, b = leaves(uniform(gen, (N, H, Wd, C), -1, 1), uniform(gen, (k[0], k[1], C, M), -0.5, 0.5),
                              uniform(gen, (1, 1, C * M, Fo), -0.5, 0.5), uniform(gen, (Fo,), -1, 1))
        mid = depthwise(x, dw, k, s, d, padding).permute(0, 3, 1, 2)
        y = F.conv2d(mid, pw.permute(3, 2, 0, 1)).permute(0, 2, 3, 1)
        if bias:
            y = y + b
        r = uniform(gen, y.shape, -1, 1)
        named = [("x", x), ("dw", dw), ("pw", pw)] + ([("b", b)] if bias else [])
        cfg = [k[0], k[1], s[0], s[1], d[0], d[1], PADDINGS[padding], M, bias, Fo]
        write_case(w, name, cfg, named, y, r)
    w.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20240612)
    write_conv1d(gen)
    write_conv2d_transpose(gen)
    write_depthwise(gen)
    write_separable(gen)
    print("wrote", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
