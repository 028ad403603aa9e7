#!/usr/bin/env python3
"""Reference fixtures for neurona's optimizers, from real Keras 3.

Writes tests/fixtures/optim/<case>.txt (five optimizer steps of each case on
two small variables) and tests/fixtures/optim/schedules.txt (learning-rate
schedule values), read by tests/optim/test_optim.c.

Run from anywhere, with any python3 (3.10+) and network access to PyPI:

    python3 scripts/gen_optim_fixtures.py

It makes (once) a virtual environment at $NEURONA_KERAS_VENV (default
/tmp/neurona-keras-venv), pip-installs $NEURONA_KERAS_SPEC (default
keras==3.15.1) and jax[cpu] into it, runs the Keras stage there with
KERAS_BACKEND=jax, then cross-checks the fixtures with PyTorch where PyTorch
has the same semantics (Debian's python3-torch in /usr/bin/python3; skipped
with a note when torch is not installed). Options: --out DIR (default the
repository's tests/fixtures/optim), --no-torch.

Fixture format (text, one record a line):
    neurona-optim-fixture v1          magic and version, first line
    # ...                             comments (versions, the Keras call)
    NAME COUNT V1 V2 ... VCOUNT       a named array of COUNT numbers
Records of a case file:
    vars 4 O0 S0 O1 S1                offset and size of each variable in the
                                      flat buffer: w (3, 4) at 0, b (4,) at 12
    w0 16 ...                         initial flat parameters
    g<t> 16 ... / lr<t> 1 ... / w<t> 16 ...   for step t = 1..5: the gradient,
                                      the optimizer's learning_rate before the
                                      step, the parameters after it
    slot:<name> 16 ...                Keras's optimizer variable <var>_<name>
                                      of each variable after step 5, in the
                                      flat layout
    scalar:<name> 1 ...               a scalar optimizer variable (Nadam's
                                      u_product)
Records of schedules.txt: steps N ... and one record per schedule, its
value at each of those steps. Floats are float32 printed with %.9g.

PyTorch cross-check notes (constant learning rate, no clipping):
  * SGD plain/momentum/nesterov and Adadelta: same math, agree to rounding
    (Keras's momentum m = mu*m - lr*g is -lr times torch's buffer).
  * Nadam: Keras 3 uses the momentum cache u_t = b1*(1 - 0.5*0.96^t) (no
    0.004 factor, unlike torch's default momentum_decay=4e-3); torch's NAdam
    with momentum_decay=1.0 is then the same formula, from torch 2.0 on
    (torch 1.13 multiplies mu into mu_product_next twice, fixed by
    pytorch/pytorch#92699; such a torch is not compared).
  * AdamW: torch's w *= 1 - lr*wd is Keras's w -= w*wd*lr.
  * Adam/AdamW/AMSGrad: Keras adds epsilon to sqrt(v) before the bias
    correction (w -= alpha*m/(sqrt(v)+eps), alpha = lr*sqrt(1-b2^t)/(1-b1^t)),
    torch to sqrt(v_hat): the two agree for gradients much larger than eps
    and drift apart for tiny ones: reported, not required to agree.
  * RMSprop and Adagrad: Keras puts epsilon inside the square root
    (sqrt(v + eps)), torch outside (sqrt(v) + eps): close for large
    accumulators, not for b's tiny gradients: reported, not required.
  * SGD weight_decay: torch's is L2 added to the gradient, Keras's is
    decoupled; not compared. Schedules and clipping: not compared.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "tests", "fixtures", "optim")
MAGIC = "neurona-optim-fixture v1"
STEPS = 5
ATOL, RTOL = 1e-5, 1e-4

# name -> Python expression building the Keras optimizer (K = keras.optimizers,
# S = keras.optimizers.schedules). tests/optim/test_optim.c has the same
# cases as nr_optimizer_opts; keep the two tables in step.
CASES = [
    ("sgd", "K.SGD()"),
    ("sgd_momentum", "K.SGD(0.1, momentum=0.9)"),
    ("sgd_nesterov", "K.SGD(0.1, momentum=0.9, nesterov=True)"),
    ("sgd_weight_decay", "K.SGD(0.1, weight_decay=0.05)"),  # b excluded, below
    ("rmsprop", "K.RMSprop()"),
    ("rmsprop_momentum", "K.RMSprop(0.01, momentum=0.5)"),
    ("rmsprop_centered", "K.RMSprop(0.01, centered=True)"),
    ("rmsprop_centered_momentum", "K.RMSprop(0.01, rho=0.8, momentum=0.9, centered=True, epsilon=1e-6)"),
    ("adam", "K.Adam()"),
    ("adam_lr", "K.Adam(0.05, beta_1=0.8, beta_2=0.99)"),
    ("adam_amsgrad", "K.Adam(0.05, beta_2=0.5, amsgrad=True)"),
    ("adamw", "K.AdamW()"),
    ("adamw_wd", "K.AdamW(0.05, weight_decay=0.1)"),
    ("adagrad", "K.Adagrad()"),
    ("adagrad_lr", "K.Adagrad(0.1, initial_accumulator_value=0.01)"),
    ("adadelta", "K.Adadelta()"),
    ("adadelta_lr", "K.Adadelta(1.0, rho=0.9)"),
    ("nadam", "K.Nadam()"),
    ("nadam_lr", "K.Nadam(0.05, beta_1=0.8)"),
    ("sgd_exponential", "K.SGD(S.ExponentialDecay(0.1, 2, 0.5), momentum=0.9)"),
    ("adam_exponential_staircase", "K.Adam(S.ExponentialDecay(0.05, 2, 0.5, staircase=True))"),
    ("adam_piecewise", "K.Adam(S.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01]))"),
    ("adamw_cosine", "K.AdamW(S.CosineDecay(0.05, 4, alpha=0.1), weight_decay=0.1)"),
    ("sgd_cosine_warmup", "K.SGD(S.CosineDecay(0.0, 3, warmup_target=0.1, warmup_steps=2))"),
    ("sgd_clipnorm", "K.SGD(0.1, clipnorm=1.0)"),
    ("adam_clipnorm", "K.Adam(0.05, clipnorm=0.5)"),
    ("sgd_clipvalue", "K.SGD(0.1, clipvalue=0.5)"),
    ("rmsprop_clipvalue", "K.RMSprop(0.01, clipvalue=0.3)"),
    ("sgd_global_clipnorm", "K.SGD(0.1, global_clipnorm=1.0)"),
    ("nadam_global_clipnorm", "K.Nadam(0.05, global_clipnorm=2.0)"),
]

SCHEDULES = [
    ("exponential", "S.ExponentialDecay(0.1, 3, 0.5)"),
    ("exponential_staircase", "S.ExponentialDecay(0.1, 3, 0.5, staircase=True)"),
    ("piecewise", "S.PiecewiseConstantDecay([2, 5, 10], [0.1, 0.05, 0.02, 0.01])"),
    ("cosine", "S.CosineDecay(0.1, 10, alpha=0.1)"),
    ("cosine_warmup", "S.CosineDecay(0.0, 10, warmup_target=0.1, warmup_steps=4)"),
]
SCHEDULE_STEPS = [0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 13, 14, 20, 100, 1000]

SHAPES = [("w", (3, 4)), ("b", (4,))]


def fmt(values):
    import numpy as np
    flat = np.asarray(values, dtype=np.float32).reshape(-1)
    return "%d %s" % (flat.size, " ".join("%.9g" % float(x) for x in flat))


def inputs():
    """Initial weights and the five gradients, flat float32 (w then b)."""
    import numpy as np
    rng = np.random.default_rng(1234)
    w0 = [rng.uniform(-1, 1, SHAPES[0][1]), rng.uniform(-0.5, 0.5, SHAPES[1][1])]
    # step scales vary so that AMSGrad's max and the clipping both matter;
    # b's gradients are small so per-variable clipnorm clips w, not b
    scales = [1.0, 0.3, 2.0, 0.1, 0.7]
    grads = [[rng.normal(size=SHAPES[0][1]) * s, rng.normal(size=SHAPES[1][1]) * s * 0.2] for s in scales]
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    return [f32(x) for x in w0], [[f32(x) for x in g] for g in grads]


def flat(arrays):
    import numpy as np
    return np.concatenate([np.asarray(a, dtype=np.float32).reshape(-1) for a in arrays])


def keras_stage(out):
    import jax
    import keras
    import numpy as np
    K, S = keras.optimizers, keras.optimizers.schedules
    assert keras.backend.backend() == "jax", "run with KERAS_BACKEND=jax"
    os.makedirs(out, exist_ok=True)
    versions = "# keras %s, backend jax %s, numpy %s" % (keras.__version__, jax.__version__, np.__version__)
    sizes = [int(np.prod(s)) for _, s in SHAPES]
    offsets = [0, sizes[0]]
    w0, grads = inputs()
    for name, expr in CASES:
        opt = eval(expr)
        if name == "sgd_weight_decay":
            opt.exclude_from_weight_decay(var_names=["b"])
        variables = [keras.Variable(w, name=n) for w, (n, _) in zip(w0, SHAPES)]
        lines = [MAGIC, versions, "# case %s: keras.optimizers.%s" % (name, expr[2:].replace("S.", "schedules."))]
        if name == "sgd_weight_decay":
            lines.append("# with opt.exclude_from_weight_decay(var_names=['b'])")
        lines.append("vars 4 %d %d %d %d" % (offsets[0], sizes[0], offsets[1], sizes[1]))
        lines.append("w0 " + fmt(flat(w0)))
        for t in range(1, STEPS + 1):
            lr = float(opt.learning_rate)
            g = grads[t - 1]
            opt.apply([keras.ops.convert_to_tensor(x) for x in g], variables)
            lines.append("g%d %s" % (t, fmt(flat(g))))
            lines.append("lr%d %s" % (t, fmt([lr])))
            lines.append("w%d %s" % (t, fmt(flat([np.asarray(v) for v in variables]))))
        assert int(opt.iterations) == STEPS
        # optimizer variables: "<opt>/<var>_<slot>" per variable, plus scalars
        slots, scalars = {}, []
        for v in opt.variables:
            tail = v.path.split("/")[-1]
            if tail in ("iteration", "learning_rate"):
                continue
            for i, (vn, _) in enumerate(SHAPES):
                if tail.startswith(vn + "_"):
                    slots.setdefault(tail[len(vn) + 1:], [None, None])[i] = np.asarray(v)
                    break
            else:
                scalars.append(np.asarray(v))
        for sname, parts in slots.items():
            lines.append("slot:%s %s" % (sname, fmt(flat(parts))))
        if name.startswith("nadam"):
            assert len(scalars) == 1, scalars
            lines.append("scalar:u_product " + fmt([scalars[0]]))
        with open(os.path.join(out, name + ".txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
    lines = [MAGIC, versions, "# learning-rate schedules at the steps below"]
    lines.append("steps %d %s" % (len(SCHEDULE_STEPS), " ".join(str(s) for s in SCHEDULE_STEPS)))
    for name, expr in SCHEDULES:
        sched = eval(expr)
        lines.append("# %s: keras.optimizers.schedules.%s" % (name, expr[2:]))
        lines.append("%s %s" % (name, fmt([float(sched(s)) for s in SCHEDULE_STEPS])))
    with open(os.path.join(out, "schedules.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d case files and schedules.txt to %s (%s)" % (len(CASES), out, versions[2:]))


def read_fixture(path):
    import numpy as np
    recs = {}
    with open(path) as f:
        assert f.readline().strip() == MAGIC, path
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            tok = line.split()
            recs[tok[0]] = np.array([float(x) for x in tok[2:2 + int(tok[1])]], dtype=np.float32)
    return recs


def torch_stage(out):
    import numpy as np
    import torch
    O = torch.optim
    # case -> (torch optimizer factory, exact): exact cases must agree within
    # the tolerance; the others differ by where epsilon goes (see the notes
    # at the top) and are only reported.
    cases = {
        "sgd": (lambda p: O.SGD(p, lr=0.01), True),
        "sgd_momentum": (lambda p: O.SGD(p, lr=0.1, momentum=0.9), True),
        "sgd_nesterov": (lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True), True),
        "adadelta": (lambda p: O.Adadelta(p, lr=0.001, rho=0.95, eps=1e-7), True),
        "adadelta_lr": (lambda p: O.Adadelta(p, lr=1.0, rho=0.9, eps=1e-7), True),
        "nadam": (lambda p: O.NAdam(p, lr=0.001, betas=(0.9, 0.999), eps=1e-7, momentum_decay=1.0), True),
        "nadam_lr": (lambda p: O.NAdam(p, lr=0.05, betas=(0.8, 0.999), eps=1e-7, momentum_decay=1.0), True),
        "rmsprop": (lambda p: O.RMSprop(p, lr=0.001, alpha=0.9, eps=1e-7), False),
        "rmsprop_momentum": (lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7, momentum=0.5), False),
        "rmsprop_centered": (lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7, centered=True), False),
        "rmsprop_centered_momentum":
            (lambda p: O.RMSprop(p, lr=0.01, alpha=0.8, eps=1e-6, momentum=0.9, centered=True), False),
        "adam": (lambda p: O.Adam(p, lr=0.001, betas=(0.9, 0.999), eps=1e-7), False),
        "adam_lr": (lambda p: O.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-7), False),
        "adam_amsgrad": (lambda p: O.Adam(p, lr=0.05, betas=(0.9, 0.5), eps=1e-7, amsgrad=True), False),
        "adamw": (lambda p: O.AdamW(p, lr=0.001, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.004), False),
        "adamw_wd": (lambda p: O.AdamW(p, lr=0.05, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.1), False),
        "adagrad": (lambda p: O.Adagrad(p, lr=0.001, initial_accumulator_value=0.1, eps=1e-7), False),
        "adagrad_lr": (lambda p: O.Adagrad(p, lr=0.1, initial_accumulator_value=0.01, eps=1e-7), False),
    }
    if int(torch.__version__.split(".")[0]) < 2:
        # torch < 2.0's NAdam multiplies mu into mu_product_next twice
        # (fixed by pytorch/pytorch#92699), so it is not Keras's formula
        print("torch %s: NAdam predates the mu_product_next fix; Nadam not compared" % torch.__version__)
        del cases["nadam"], cases["nadam_lr"]
    bad = 0
    for name, (make, exact) in cases.items():
        rec = read_fixture(os.path.join(out, name + ".txt"))
        v = rec["vars"].astype(np.int64)
        parts = [(int(v[0]), int(v[1])), (int(v[2]), int(v[3]))]
        params = [torch.nn.Parameter(torch.tensor(rec["w0"][o:o + n])) for o, n in parts]
        opt = make(params)
        worst, ok = 0.0, True
        for t in range(1, STEPS + 1):
            for p, (o, n) in zip(params, parts):
                p.grad = torch.tensor(rec["g%d" % t][o:o + n])
            opt.step()
            got = np.concatenate([p.detach().numpy() for p in params])
            want = rec["w%d" % t]
            worst = max(worst, float(np.max(np.abs(got - want))))
            ok = ok and bool(np.all(np.abs(got - want) <= ATOL + RTOL * np.abs(want)))
        if exact and not ok:
            bad += 1
        print("torch cross-check %-26s max |keras - torch| = %-9.3g %s" %
              (name, worst, ("ok" if ok else "MISMATCH") if exact else "(epsilon placement differs)"))
    n_exact = sum(1 for _, e in cases.values() if e)
    print("torch %s: %d of %d same-formula cases agree within atol %g, rtol %g" %
          (torch.__version__, n_exact - bad, n_exact, ATOL, RTOL))
    return 1 if bad else 0


def ensure_venv():
    venv = os.environ.get("NEURONA_KERAS_VENV", "/tmp/neurona-keras-venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    spec = os.environ.get("NEURONA_KERAS_SPEC", "keras==3.15.1")
    probe = "import keras, jax; assert keras.__version__ == %r" % spec.split("==")[-1] if "==" in spec \
        else "import keras, jax"
    if subprocess.call([py, "-c", probe], stderr=subprocess.DEVNULL) != 0:
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", spec, "jax[cpu]"])
    return py


def torch_python():
    for py in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(py) and subprocess.call([py, "-c", "import torch"], stderr=subprocess.DEVNULL) == 0:
            return py
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--stage", choices=["keras", "torch"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    if a.stage == "keras":
        keras_stage(out)
        return 0
    if a.stage == "torch":
        return torch_stage(out)
    py = ensure_venv()
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    subprocess.check_call([py, os.path.abspath(__file__), "--stage", "keras", "--out", out], env=env)
    if a.no_torch:
        return 0
    tpy = torch_python()
    if not tpy:
        print("torch cross-check skipped: no python with torch (apt-get install python3-torch)")
        return 0
    return subprocess.call([tpy, os.path.abspath(__file__), "--stage", "torch", "--out", out])


if __name__ == "__main__":
    sys.exit(main())
