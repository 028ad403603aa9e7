#!/usr/bin/env python3
"""Keras 3's output of applications with fixed pseudo-random weights, for
a forward check of neurona's builders (tests/models/test_applications.c).

Weights and inputs are not stored: both sides make them from one integer
hash, so the fixtures stay small. Element i of tensor t is

    x = ((t + 1) * 0x9E3779B97F4A7C15 + (i + 1) * 0xBF58476D1CE4E5B9) mod 2^64
    x ^= x >> 30; x *= 0xBF58476D1CE4E5B9; x ^= x >> 27; x *= 0x94D049BB133111EB; x ^= x >> 31
    u = (x >> 40) / 2^24                          (exact in float32, in [0, 1))
    value = lo + span * u                         (float32 arithmetic)

with t the tensor's position in the record (the input is t = 1000000,
pixel values in [0, 255], then the application's preprocess_input).
Kernels are uniform in +-sqrt(6 / fan_in) (He's variance, so activations
keep their scale through the depth), biases and betas in +-0.1, gammas in
[0.8, 1.2], moving means in +-0.1, moving variances in [0.5, 1.5].

Run in a venv with Keras 3 and the JAX backend (made with Keras 3.15.1,
JAX 0.10.2):

    python3 -m venv V && V/bin/pip install keras jax h5py
    KERAS_BACKEND=jax V/bin/python scripts/gen_app_forward.py

It rewrites tests/fixtures/apps/forward_*.txt:

    app APP TOP H W C POOLING CLASSES ALPHA BATCH
    tensors N            then N lines, in Keras's model.weights order:
    w LAYER INDEX LO SPAN NDIM D1 ..     weight INDEX of layer LAYER (its index in layer.weights)
    output NDIM D1 ..    then the output values (batch axis included), 8 a line, %.8g
"""
import math
import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

HERE = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "apps")
INPUT_T = 1000000
M64 = (1 << 64) - 1

APPS = {
    "VGG16": (keras.applications.VGG16, keras.applications.vgg16.preprocess_input),
    "ResNet50": (keras.applications.ResNet50, keras.applications.resnet50.preprocess_input),
    "MobileNetV2": (keras.applications.MobileNetV2, keras.applications.mobilenet_v2.preprocess_input),
}

# (file, app, include_top, (H, W, C), pooling, classes, alpha, batch)
CASES = [
    ("forward_mobilenetv2.txt", "MobileNetV2", 0, (96, 96, 3), None, 1000, 0.35, 1),
    ("forward_mobilenetv2_top.txt", "MobileNetV2", 1, (32, 32, 3), None, 10, 0.5, 2),
    ("forward_vgg16.txt", "VGG16", 0, (32, 32, 3), None, 1000, 0, 2),
    ("forward_resnet50.txt", "ResNet50", 0, (64, 64, 3), "avg", 1000, 0, 2),
]


def hash_u(t, n):
    i = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = np.uint64(((t + 1) * 0x9E3779B97F4A7C15) & M64) + i * np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)


def values(t, shape, lo, span):
    n = int(np.prod(shape))
    return (np.float32(lo) + np.float32(span) * hash_u(t, n)).reshape(shape)


def weight_range(path, shape):
    kind = path.split("/")[-1]
    if kind in ("kernel", "depthwise_kernel"):
        fan_in = int(np.prod(shape[:-1])) if kind == "kernel" else int(np.prod(shape[:2]))
        b = np.float32(math.sqrt(6.0 / fan_in))
        return -b, np.float32(2 * b)
    return {
        "bias": (-0.1, 0.2),
        "beta": (-0.1, 0.2),
        "gamma": (0.8, 0.4),
        "moving_mean": (-0.1, 0.2),
        "moving_variance": (0.5, 1.0),
    }[kind]


def case(fname, app, top, shape, pooling, classes, alpha, batch):
    keras.backend.clear_session()
    build, prep = APPS[app]
    kw = dict(include_top=bool(top), weights=None, input_shape=shape, pooling=pooling, classes=classes)
    if alpha:
        kw["alpha"] = alpha
    m = build(**kw)
    lines = [f"app {app} {top} {shape[0]} {shape[1]} {shape[2]} {pooling or 'none'} {classes} {alpha:g} {batch}"]
    tensors = []
    for layer in m.layers:
        for k, w in enumerate(layer.weights):
            lo, span = (np.float32(v) for v in weight_range(w.path, w.shape))
            t = len(tensors)
            w.assign(values(t, w.shape, lo, span))
            tensors.append(f"w {layer.name} {k} {lo:.9g} {span:.9g} {len(w.shape)} "
                           + " ".join(str(d) for d in w.shape))
    lines.append(f"tensors {len(tensors)}")
    lines += tensors
    x = prep(values(INPUT_T, (batch,) + shape, 0, 255))
    y = np.asarray(m(x, training=False), dtype=np.float32)
    lines.append(f"output {y.ndim} " + " ".join(str(d) for d in y.shape))
    flat = y.reshape(-1)
    for s in range(0, flat.size, 8):
        lines.append(" ".join(f"{v:.8g}" for v in flat[s:s + 8]))
    with open(os.path.join(HERE, fname), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{fname}: {len(tensors)} tensors, output {y.shape}, max |y| {np.abs(y).max():.4g}")


def main():
    for c in CASES:
        case(*c)


if __name__ == "__main__":
    main()
