#!/usr/bin/python3
"""Reference values for neurona's sequence kernels (EMBEDDING, MASK_MUL with
the Masking mask, REPEAT, MASKED_AVGPOOL), computed with PyTorch.

Run from the repository root (Debian's python3-torch, 1.13):

    /usr/bin/python3 scripts/gen_seq_fixtures.py

It (re)writes tests/fixtures/seq/seq.txt, which tests/ops/test_ops_seq_torch.c
reads. The output is deterministic. The file format is gen_op_fixtures.py's
("neurona-op-fixtures 1").

Each case <c> has <c>.config, its inputs, <c>.r (a random upstream gradient
shaped like y), <c>.y and the gradients of sum(y * r):
  * embedding: config [V, D]; <c>.x (N, T) indices (every row of the table
    used, several twice), <c>.w (V, D); y = F.embedding(x, w), as Keras's
    ops.take(embeddings, inputs, axis=0); <c>.dw is the table's gradient
    (rows hit twice collect both);
  * masking: config [mask_value]; <c>.x (N, T, F) with some steps all equal
    to mask_value; Keras 3's Masking: m = any(x != mask_value, axis=-1),
    y = x * m; <c>.m is m and <c>.dx the input's gradient (m taken as a
    constant, as the mask has no gradient);
  * repeat: config [n]; <c>.x (N, F); Keras's RepeatVector:
    y = repeat(x[:, None, :], n, axis=1); <c>.dx;
  * masked_mean: config [T]; <c>.x (N, T, C), <c>.m (N, T) of 0/1 with a
    kept step in every sample; Keras 3's GlobalAveragePooling1D with a mask:
    y = sum(where(m, x, 0), axis=1) / sum(m, axis=1); <c>.dx.
Batches of 1 and 3. The math runs in float64 on exact float32 inputs.
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import Writer, uniform  # noqa: E402

torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "seq")


def embedding(w, gen, N, T, V, D):
    name = "embedding_n%d_t%d_v%d_d%d" % (N, T, V, D)
    x = torch.randint(0, V, (N * T,), generator=gen)
    k = min(V, N * T)
    x[:k] = torch.randperm(V, generator=gen)[:k]  # every row of the table used when there are enough steps
    x = x.reshape(N, T)
    table = uniform(gen, (V, D), -1.0, 1.0).requires_grad_(True)
    y = F.embedding(x, table)
    r = uniform(gen, y.shape, -1.0, 1.0)
    (y * r).sum().backward()
    w.tensor(name + ".config", torch.tensor([V, D], dtype=torch.float64))
    w.tensor(name + ".x", x.to(torch.float64))
    w.tensor(name + ".w", table)
    w.tensor(name + ".r", r)
    w.tensor(name + ".y", y)
    w.tensor(name + ".dw", table.grad)


def masking(w, gen, N, T, Fe, value):
    name = "masking_n%d_t%d_f%d" % (N, T, Fe)
    x = uniform(gen, (N, T, Fe), -2.0, 2.0)
    hit = torch.rand((N, T), generator=gen) < 0.4
    x[hit] = value
    if Fe > 1:
        x[0, 0, 0] = value  # one value equal to mask_value in a kept step
    x = x.requires_grad_(True)
    m = (x != value).any(dim=-1, keepdim=True).to(torch.float64)
    y = x * m.detach()
    r = uniform(gen, y.shape, -1.0, 1.0)
    (y * r).sum().backward()
    w.tensor(name + ".config", torch.tensor([value], dtype=torch.float64))
    w.tensor(name + ".x", x)
    w.tensor(name + ".m", m.squeeze(-1))
    w.tensor(name + ".r", r)
    w.tensor(name + ".y", y)
    w.tensor(name + ".dx", x.grad)


def repeat(w, gen, N, Fe, n):
    name = "repeat_n%d_f%d_x%d" % (N, Fe, n)
    x = uniform(gen, (N, Fe), -2.0, 2.0).requires_grad_(True)
    y = torch.repeat_interleave(x[:, None, :], n, dim=1)
    r = uniform(gen, y.shape, -1.0, 1.0)
    (y * r).sum().backward()
    w.tensor(name + ".config", torch.tensor([n], dtype=torch.float64))
    w.tensor(name + ".x", x)
    w.tensor(name + ".r", r)
    w.tensor(name + ".y", y)
    w.tensor(name + ".dx", x.grad)


def masked_mean(w, gen, N, T, C):
    name = "masked_mean_n%d_t%d_c%d" % (N, T, C)
    x = uniform(gen, (N, T, C), -2.0, 2.0).requires_grad_(True)
    m = (torch.rand((N, T), generator=gen) < 0.6).to(torch.float64)
    m[:, 0] = 1.0
    y = torch.where(m[:, :, None] > 0, x, torch.zeros_like(x)).sum(dim=1) / m.sum(dim=1, keepdim=True)
    r = uniform(gen, y.shape, -1.0, 1.0)
    (y * r).sum().backward()
    w.tensor(name + ".config", torch.tensor([T], dtype=torch.float64))
    w.tensor(name + ".x", x)
    w.tensor(name + ".m", m)
    w.tensor(name + ".r", r)
    w.tensor(name + ".y", y)
    w.tensor(name + ".dx", x.grad)


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20240613)
    w = Writer(os.path.join(OUT, "seq.txt"),
               "Embedding, Masking, RepeatVector and the masked mean: <c>.config and inputs, r, y and gradients; "
               "described in the script", __file__)
    for N in (1, 3):
        for T, V, D in ((5, 4, 3), (7, 11, 2), (4, 3, 6)):
            embedding(w, gen, N, T, V, D)
        for T, Fe, value in ((6, 3, 0.0), (5, 1, 0.5), (4, 4, -1.0)):
            masking(w, gen, N, T, Fe, value)
        for Fe, n in ((4, 3), (1, 5), (6, 1)):
            repeat(w, gen, N, Fe, n)
        for T, C in ((5, 3), (1, 2)):
            masked_mean(w, gen, N, T, C)
    w.close()
    print("wrote", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
