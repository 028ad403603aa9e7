#!/usr/bin/python3
"""Reference values for the variational-autoencoder ops, computed with
PyTorch: SAMPLING (the reparameterization trick of Keras's VAE example) and
the KL term GAUSS_KL reduced by BATCH_MEAN, as the example's train_step
computes them.

Run from the repository root (Debian's python3-torch):

    /usr/bin/python3 scripts/gen_gen_fixtures.py

It (re)writes tests/fixtures/gen/ops.txt, which tests/ops/test_ops_gen.c
reads. The output is deterministic. Format: scripts/gen_op_fixtures.py's
("neurona-op-fixtures 1", then "<name> <ndim> <dims...> <values...>").

Keras's formulas, spelt with torch ops:
  z  = z_mean + exp(0.5 * z_log_var) * eps
  kl = mean over the batch of -0.5 * sum_j (1 + z_log_var - z_mean^2 - exp(z_log_var))
The gradients are torch.autograd's for the probe L = sum(z * dz) and for kl.

eps is neurona's noise stream (src/ops/normal.h), replayed here: element i
of the stream of key = seed ^ splitmix64(step) is value i % 2 of the
Box-Muller pair i // 2, computed in float32 from one splitmix64 hash. The
C test feeds the same seed and step, so both sides draw the same eps.
"""
import numpy as np
import torch

MASK = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def normal_stream(seed, step, n):
    key = seed ^ splitmix64(step)
    out = np.empty(n, np.float32)
    for i in range(n):
        h = splitmix64(key ^ (((i // 2) * 0xD1B54A32D192ED03) & MASK))
        u1 = (np.float32(h >> 32) + np.float32(1)) * np.float32(1 / 4294967296)
        u2 = np.float32(h & 0xFFFFFFFF) * np.float32(1 / 4294967296)
        r = np.sqrt(np.float32(-2) * np.log(u1))
        t = np.float32(6.28318531) * u2
        out[i] = r * (np.cos(t) if i % 2 == 0 else np.sin(t))
    return out


def put(f, name, t):
    a = np.asarray(t, dtype=np.float32)
    dims = " ".join(str(d) for d in a.shape)
    f.write(f"{name} {a.ndim} {dims} {' '.join('%.9g' % v for v in a.reshape(-1))}\n")


def case(f, tag, n, d, seed, step, g):
    mu = (torch.rand(n, d, generator=g, dtype=torch.float64) * 4 - 2).float().requires_grad_()
    lv = (torch.rand(n, d, generator=g, dtype=torch.float64) * 4.5 - 3).float().requires_grad_()
    dz = (torch.rand(n, d, generator=g, dtype=torch.float64) * 2 - 1).float()
    eps = torch.from_numpy(normal_stream(seed, step, n * d).reshape(n, d))
    z = mu + torch.exp(0.5 * lv) * eps
    (z * dz).sum().backward()
    put(f, f"{tag}_mu", mu.detach())
    put(f, f"{tag}_lv", lv.detach())
    put(f, f"{tag}_dz", dz)
    put(f, f"{tag}_seed_step", [seed, step])
    put(f, f"{tag}_z", z.detach())
    put(f, f"{tag}_dmu", mu.grad)
    put(f, f"{tag}_dlv", lv.grad)
    mu.grad = None
    lv.grad = None
    kl = (-0.5 * (1 + lv - mu.square() - lv.exp())).sum(dim=1).mean()
    kl.backward()
    put(f, f"{tag}_kl", [kl.item()])
    put(f, f"{tag}_kl_dmu", mu.grad)
    put(f, f"{tag}_kl_dlv", lv.grad)


def main():
    g = torch.Generator().manual_seed(2024)
    with open("tests/fixtures/gen/ops.txt", "w") as f:
        f.write("neurona-op-fixtures 1\n# scripts/gen_gen_fixtures.py: Sampling and the VAE's KL term\n")
        case(f, "a", 1, 2, 7, 0, g)
        case(f, "b", 5, 3, 123, 4, g)
        case(f, "c", 32, 16, 99, 17, g)


if __name__ == "__main__":
    main()
