#!/usr/bin/python3
"""Reference values for the recurrent op (SimpleRNN, LSTM, GRU), computed
with PyTorch's nn.RNN, nn.LSTM and nn.GRU.

Run from the repository root (Debian's python3-torch, 1.13):

    /usr/bin/python3 scripts/gen_rnn_fixtures.py

It (re)writes tests/fixtures/rnn/rnn.txt, which tests/ops/test_ops_rnn_torch.c
reads. Deterministic; the format is the op fixtures' (scripts/fixture_io.py).

Weights are drawn in Keras's layout and mapped onto torch's, exactly:
  * kernel W (F, G U) -> weight_ih = W^T, recurrent U (U, G U) -> weight_hh = U^T;
  * LSTM: both gate orders are i, f, c(g), o; Keras has one bias, so
    bias_ih = b and bias_hh = 0;
  * GRU, reset_after=True (Keras's default): Keras's gate order is z, r, h,
    torch's r, z, n, so the blocks are permuted; bias (2, 3U) rows are the
    input and recurrent biases (bias_ih, bias_hh). Both compute
    h' = z h + (1 - z) tanh(x Wh + bxh + r (h Uh + bhh));
  * GRU, reset_after=False has no torch module: it is written with torch ops,
    hh = tanh(x Wh + bh + (r h) Uh);
  * go_backwards: torch runs on x flipped in time; Keras returns the outputs
    in processing order, which is what torch returns on the flipped input;
  * bidirectional: torch's bidirectional LSTM, whose backward half is
    reported in the original time order (neurona's keep_order);
  * stacked: an LSTM returning sequences into a GRU, two torch modules.
For each case: x, the weights, the output y (return_sequences or the last
step; for "state" cases also the final h and c), a fixed random dy, and
the gradients of sum(y * dy) with respect to x, W, U, b (and h0, c0).
Math in float64 on exact float32 inputs.
"""

import os

import torch
from torch import nn

from fixture_io import Writer, uniform

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "rnn")
GATES = {"simple": 1, "lstm": 4, "gru": 3}


def keras_weights(gen, cell, F, U, two_bias):
    G = GATES[cell]
    W = uniform(gen, (F, G * U), -0.6, 0.6).requires_grad_()
    Uk = uniform(gen, (U, G * U), -0.6, 0.6).requires_grad_()
    b = uniform(gen, (2, G * U) if two_bias else (G * U,), -0.5, 0.5).requires_grad_()
    return W, Uk, b


def gru_torch_order(m, U):
    """Keras z, r, h column blocks -> torch r, z, n row blocks."""
    return torch.cat([m[..., U:2 * U], m[..., :U], m[..., 2 * U:]], dim=-1)


def torch_module(cell, F, U, W, Uk, b):
    mod = {"simple": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](F, U, batch_first=True)
    del mod.weight_ih_l0, mod.weight_hh_l0, mod.bias_ih_l0, mod.bias_hh_l0
    if cell == "gru":
        mod.weight_ih_l0 = gru_torch_order(W, U).t()
        mod.weight_hh_l0 = gru_torch_order(Uk, U).t()
        mod.bias_ih_l0, mod.bias_hh_l0 = gru_torch_order(b[0], U), gru_torch_order(b[1], U)
    else:
        mod.weight_ih_l0, mod.weight_hh_l0 = W.t(), Uk.t()
        mod.bias_ih_l0, mod.bias_hh_l0 = b, torch.zeros_like(b)
    return mod


def gru_reset_before(x, h, W, Uk, b, U):
    """Keras GRU with reset_after=False, step by step."""
    outs = []
    for t in range(x.shape[1]):
        xz = x[:, t] @ W + b
        hz = h @ Uk[:, :2 * U]
        z = torch.sigmoid(xz[:, :U] + hz[:, :U])
        r = torch.sigmoid(xz[:, U:2 * U] + hz[:, U:])
        hh = torch.tanh(xz[:, 2 * U:] + (r * h) @ Uk[:, 2 * U:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return torch.stack(outs, 1), h


def case(w, gen, name, cell, N, T, F, U, seq=True, backwards=False, state=False, reset_after=True):
    x = uniform(gen, (N, T, F), -1, 1).requires_grad_()
    W, Uk, b = keras_weights(gen, cell, F, U, cell == "gru" and reset_after)
    leaves = [("x", x), ("W", W), ("U", Uk), ("b", b)]
    h0 = c0 = None
    if state:
        h0 = uniform(gen, (N, U), -0.5, 0.5).requires_grad_()
        leaves.append(("h0", h0))
        if cell == "lstm":
            c0 = uniform(gen, (N, U), -0.5, 0.5).requires_grad_()
            leaves.append(("c0", c0))
    xin = x.flip(1) if backwards else x
    if cell == "gru" and not reset_after:
        out, hT = gru_reset_before(xin, h0 if h0 is not None else torch.zeros(N, U), W, Uk, b, U)
        cT = None
    else:
        mod = torch_module(cell, F, U, W, Uk, b)
        init = None
        if state:
            init = (h0[None], c0[None]) if cell == "lstm" else h0[None]
        out, st = mod(xin, init)
        hT, cT = (st[0][0], st[1][0]) if cell == "lstm" else (st[0], None)
    y = out if seq else out[:, -1]
    if state:  # the packed rows: output, h, (c)
        rows = [y if seq else y[:, None]] + [hT[:, None]] + ([cT[:, None]] if cT is not None else [])
        y = torch.cat(rows, 1)
    dy = uniform(gen, tuple(y.shape), -1, 1)
    grads = torch.autograd.grad((y * dy).sum(), [t for _, t in leaves])
    w.comment("%s: %s N=%d T=%d F=%d U=%d seq=%d backwards=%d state=%d reset_after=%d"
              % (name, cell, N, T, F, U, seq, backwards, state, reset_after))
    for k, t in leaves:
        w.tensor("%s.%s" % (name, k), t)
    w.tensor(name + ".y", y)
    w.tensor(name + ".dy", dy)
    for (k, _), g in zip(leaves, grads):
        w.tensor("%s.d%s" % (name, k), g)


def bidirectional(w, gen, N=2, T=4, F=3, U=3):
    """Bidirectional LSTM (concat): forward and backward halves' weights."""
    x = uniform(gen, (N, T, F), -1, 1).requires_grad_()
    Wf, Uf, bf = keras_weights(gen, "lstm", F, U, False)
    Wb, Ub, bb = keras_weights(gen, "lstm", F, U, False)
    mod = nn.LSTM(F, U, batch_first=True, bidirectional=True)
    for attr in ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]:
        delattr(mod, attr)
        delattr(mod, attr + "_reverse")
    mod.weight_ih_l0, mod.weight_hh_l0, mod.bias_ih_l0, mod.bias_hh_l0 = Wf.t(), Uf.t(), bf, torch.zeros_like(bf)
    mod.weight_ih_l0_reverse, mod.weight_hh_l0_reverse = Wb.t(), Ub.t()
    mod.bias_ih_l0_reverse, mod.bias_hh_l0_reverse = bb, torch.zeros_like(bb)
    y, _ = mod(x)
    dy = uniform(gen, tuple(y.shape), -1, 1)
    leaves = [("x", x), ("Wf", Wf), ("Uf", Uf), ("bf", bf), ("Wb", Wb), ("Ub", Ub), ("bb", bb)]
    grads = torch.autograd.grad((y * dy).sum(), [t for _, t in leaves])
    w.comment("bidir: Bidirectional(LSTM(%d, return_sequences=True)) concat, N=%d T=%d F=%d" % (U, N, T, F))
    for k, t in leaves:
        w.tensor("bidir." + k, t)
    w.tensor("bidir.y", y)
    w.tensor("bidir.dy", dy)
    for (k, _), g in zip(leaves, grads):
        w.tensor("bidir.d" + k, g)


def stacked(w, gen, N=2, T=5, F=2, U1=4, U2=3):
    """LSTM(U1, return_sequences=True) then GRU(U2): torch modules chained,
    the gradient flowing through the first layer's output sequence."""
    x = uniform(gen, (N, T, F), -1, 1).requires_grad_()
    W1, U1k, b1 = keras_weights(gen, "lstm", F, U1, False)
    W2, U2k, b2 = keras_weights(gen, "gru", U1, U2, True)
    h, _ = torch_module("lstm", F, U1, W1, U1k, b1)(x)
    y, _ = torch_module("gru", U1, U2, W2, U2k, b2)(h)
    y = y[:, -1]
    dy = uniform(gen, tuple(y.shape), -1, 1)
    leaves = [("x", x), ("W1", W1), ("U1", U1k), ("b1", b1), ("W2", W2), ("U2", U2k), ("b2", b2)]
    grads = torch.autograd.grad((y * dy).sum(), [t for _, t in leaves])
    w.comment("stacked: LSTM(%d, return_sequences=True) -> GRU(%d), N=%d T=%d F=%d" % (U1, U2, N, T, F))
    for k, t in leaves:
        w.tensor("stacked." + k, t)
    w.tensor("stacked.y", y)
    w.tensor("stacked.dy", dy)
    for (k, _), g in zip(leaves, grads):
        w.tensor("stacked.d" + k, g)


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20261123)
    w = Writer(os.path.join(OUT, "rnn.txt"), "SimpleRNN, LSTM, GRU against torch.nn", __file__)
    case(w, gen, "simple_seq", "simple", 2, 5, 3, 4)
    case(w, gen, "simple_back", "simple", 3, 4, 2, 3, seq=False, backwards=True)
    case(w, gen, "lstm_seq", "lstm", 2, 5, 3, 4)
    case(w, gen, "lstm_state", "lstm", 2, 4, 3, 3, seq=False, state=True)
    case(w, gen, "lstm_back", "lstm", 2, 4, 2, 3, backwards=True)
    case(w, gen, "gru_seq", "gru", 2, 5, 3, 4)
    case(w, gen, "gru_back_state", "gru", 3, 4, 2, 3, seq=False, backwards=True, state=True)
    case(w, gen, "gru_before", "gru", 2, 4, 3, 3, reset_after=False)
    case(w, gen, "lstm_long", "lstm", 1, 300, 1, 2, seq=False)
    bidirectional(w, gen)
    stacked(w, gen)
    w.close()


if __name__ == "__main__":
    main()
