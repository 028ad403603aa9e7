#!/usr/bin/env python3
"""Keras 3's applications (VGG16, VGG19, ResNet50, MobileNetV2): parameter
counts, model names and output shapes for a set of argument choices, and
every layer (name, class, parameter count, output shape) of each
application without its top on a small input.

It installs nothing; run it in a venv with Keras 3 and the JAX backend
(made with Keras 3.15.1 and JAX 0.10.2; the backend changes no count):

    python3 -m venv V && V/bin/pip install keras jax h5py
    KERAS_BACKEND=jax V/bin/python scripts/gen_app_counts.py

It rewrites tests/fixtures/apps/counts.txt, which
tests/models/test_applications.c reads; the output is deterministic.
Records, one per line (fields separated by one space):

    count APP TOP H W C POOLING CLASSES ALPHA ACTIVATION MODEL_NAME TOTAL TRAINABLE NON_TRAINABLE NDIM D1 ..
    layers APP H W C ALPHA N      then N lines:
    layer NAME CLASS PARAMS D1 D2 ..

TOP is 1 for include_top=True; POOLING none, avg or max; ALPHA 0 for the
applications without one; ACTIVATION the classifier's ("linear" for
None); D1 .. an output shape without the batch axis. Layers are Keras's
model.layers less the InputLayer, in Keras's order.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "apps", "counts.txt")

APPS = {
    "VGG16": keras.applications.VGG16,
    "VGG19": keras.applications.VGG19,
    "ResNet50": keras.applications.ResNet50,
    "MobileNetV2": keras.applications.MobileNetV2,
}

# (app, include_top, (H, W, C), pooling, classes, alpha, classifier_activation)
COUNTS = [
    ("VGG16", 1, (224, 224, 3), None, 1000, 0, "softmax"),
    ("VGG19", 1, (224, 224, 3), None, 1000, 0, "softmax"),
    ("ResNet50", 1, (224, 224, 3), None, 1000, 0, "softmax"),
    ("MobileNetV2", 1, (224, 224, 3), None, 1000, 1.0, "softmax"),
    ("VGG16", 0, (224, 224, 3), None, 1000, 0, "softmax"),
    ("VGG19", 0, (224, 224, 3), "avg", 1000, 0, "softmax"),
    ("ResNet50", 0, (224, 224, 3), "avg", 1000, 0, "softmax"),
    ("MobileNetV2", 0, (224, 224, 3), None, 1000, 1.0, "softmax"),
    ("VGG16", 1, (32, 32, 3), None, 10, 0, "softmax"),
    ("VGG19", 1, (48, 40, 1), None, 7, 0, None),
    ("VGG19", 0, (64, 48, 3), "max", 1000, 0, "softmax"),
    ("ResNet50", 1, (64, 64, 3), None, 7, 0, "sigmoid"),
    ("ResNet50", 0, (33, 45, 1), "max", 1000, 0, "softmax"),
    ("ResNet50", 0, (97, 131, 3), None, 1000, 0, "softmax"),
    ("MobileNetV2", 1, (96, 96, 3), None, 1000, 0.35, "softmax"),
    ("MobileNetV2", 1, (128, 128, 3), None, 1000, 0.5, "softmax"),
    ("MobileNetV2", 1, (160, 160, 3), None, 1000, 0.75, "softmax"),
    ("MobileNetV2", 1, (192, 192, 3), None, 1000, 1.3, "softmax"),
    ("MobileNetV2", 1, (224, 224, 3), None, 1000, 1.4, "softmax"),
    ("MobileNetV2", 0, (96, 96, 3), "avg", 1000, 0.35, "softmax"),
    ("MobileNetV2", 0, (97, 131, 3), "max", 1000, 1.0, "softmax"),
    ("MobileNetV2", 1, (32, 32, 1), None, 5, 0.5, None),
    ("MobileNetV2", 0, (33, 35, 3), None, 1000, 0.6, "softmax"),
]

# Every layer of each application without the top: (app, (H, W, C), alpha)
LAYERS = [
    ("VGG16", (32, 32, 3), 0),
    ("VGG19", (32, 32, 3), 0),
    ("ResNet50", (64, 64, 3), 0),
    ("MobileNetV2", (96, 96, 3), 0.35),
]


def build(app, top, shape, pooling=None, classes=1000, alpha=0, act="softmax"):
    keras.backend.clear_session()
    kw = dict(include_top=bool(top), weights=None, input_shape=shape, pooling=pooling, classes=classes,
              classifier_activation=act)
    if alpha:
        kw["alpha"] = alpha
    return APPS[app](**kw)


def dims(shape):
    return " ".join(str(d) for d in shape[1:])


def count_line(rec):
    app, top, shape, pooling, classes, alpha, act = rec
    m = build(app, top, shape, pooling, classes, alpha, act)
    t = sum(int(w.numpy().size) for w in m.trainable_weights)
    nt = sum(int(w.numpy().size) for w in m.non_trainable_weights)
    out = m.output.shape
    return (f"count {app} {top} {shape[0]} {shape[1]} {shape[2]} {pooling or 'none'} {classes} {alpha:g} "
            f"{act or 'linear'} {m.name} {m.count_params()} {t} {nt} {len(out) - 1} {dims(out)}")


def layer_lines(rec):
    app, shape, alpha = rec
    m = build(app, 0, shape, alpha=alpha)
    layers = [l for l in m.layers if type(l).__name__ != "InputLayer"]
    lines = [f"layers {app} {shape[0]} {shape[1]} {shape[2]} {alpha:g} {len(layers)}"]
    for l in layers:
        lines.append(f"layer {l.name} {type(l).__name__} {l.count_params()} {dims(l.output.shape)}")
    return lines


def main():
    lines = [count_line(r) for r in COUNTS]
    for r in LAYERS:
        lines += layer_lines(r)
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {OUT}: {len(COUNTS)} counts, {len(LAYERS)} layer tables")


if __name__ == "__main__":
    main()
