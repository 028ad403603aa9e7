"""The text format that the scripts/gen_*_fixtures.py scripts write and
tests/ops/fixture.h reads: a header line, "# " comments, then one tensor a
line (name, ndim, the dims, the values with 9 significant digits)."""

import os

import torch


def f32(t):
    """Rounds to float32 values, kept in float64."""
    return t.to(torch.float32).to(torch.float64)


def uniform(gen, shape, lo, hi):
    return f32(lo + (hi - lo) * torch.rand(shape, generator=gen))


class Writer:
    def __init__(self, path, what, script):
        """script: the writing script's __file__, named in the header."""
        self.f = open(path, "w")
        self.f.write("neurona-op-fixtures 1\n")
        self.f.write("# %s; written by scripts/%s\n" % (what, os.path.basename(script)))

    def comment(self, text):
        self.f.write("# %s\n" % text)

    def tensor(self, name, t):
        t = t.detach().to(torch.float64)
        dims = list(t.shape)
        vals = " ".join("%.9g" % v for v in t.reshape(-1).tolist())
        self.f.write("%s %d %s %s\n" % (name, len(dims), " ".join(str(d) for d in dims), vals) if dims
                     else "%s 0 %s\n" % (name, vals))

    def close(self):
        self.f.close()
