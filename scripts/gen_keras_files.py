#!/usr/bin/env python3
"""Keras model files made by real Keras, for tests/io/test_keras_files.c.

Needs Keras 3 with a CPU backend and h5py, in a venv of its own (Debian's
torch is too old for Keras 3's torch backend, see gen_keras_table.py):

    python3 -m venv /tmp/kvenv-jax
    /tmp/kvenv-jax/bin/pip install keras jax h5py
    KERAS_BACKEND=jax /tmp/kvenv-jax/bin/python scripts/gen_keras_files.py

(made with Keras 3.15.1, JAX 0.10.2, h5py 3.16.0). For every case below it
writes into tests/fixtures/kerasfiles/:

    CASE.h5           model.save("CASE.h5"): the legacy HDF5 layout
    CASE.keras        model.save("CASE.keras"): zip of config.json,
                      metadata.json and model.weights.h5
    CASE.weights.h5   model.save_weights(...): Keras 3's weights-only layout
    CASE.json         model.to_json()
    mlp.keras2.h5     the mlp case's weights in Keras 2's save_weights layout
                      (root layer_names, LAYER/LAYER/kernel:0 datasets),
                      which Keras 3 no longer writes, made here with h5py
    CASE.txt          the inputs x0, x1... and Keras's predictions y0,
                      y1... in inference mode, in the fixture text format

Weights are drawn at random (seeded) and replace Keras's initial ones, so
zero biases and unit statistics cannot hide a misplaced weight.

    ... gen_keras_files.py --check-neurona DIR

is the reverse check: DIR holds what tests/io/test_keras_files.c wrote
with NEURONA_KERAS_OUT=DIR (neurona's CASE.keras, CASE.h5, CASE.weights.h5
and CASE.txt with its inputs and neurona's predictions); each file is
loaded in Keras (the weights-only file into this script's model of the
case) and Keras's predictions are compared with neurona's.
"""

import json
import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "kerasfiles")


def mlp():
    return keras.Sequential([
        keras.Input((6,)),
        L.Dense(8, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01)),
        L.BatchNormalization(),
        L.Dropout(0.2),
        L.Dense(5, activation="tanh", kernel_initializer="he_normal"),
        L.LeakyReLU(negative_slope=0.1),
        L.GaussianNoise(0.1),
        L.Reshape((5, 1)),
        L.LayerNormalization(axis=[-2, -1]),
        L.Flatten(),
        L.Dense(4, use_bias=False),
        L.ReLU(max_value=6.0),
        L.Activation("elu"),
        L.Dense(3),
        L.Softmax(),
    ], name="mlp")


def cnn():
    return keras.Sequential([
        keras.Input((9, 9, 2)),
        L.RandomFlip(),
        L.RandomRotation(0.1),
        L.RandomTranslation(0.1, 0.1),
        L.RandomZoom(0.1),
        L.Conv2D(4, 3, padding="same", activation="relu"),
        L.BatchNormalization(),
        L.MaxPooling2D(),
        L.ZeroPadding2D(1),
        L.DepthwiseConv2D(3, depth_multiplier=2),
        L.SeparableConv2D(3, 2, padding="same", activation="tanh"),
        L.Conv2DTranspose(3, 3, strides=2),
        L.AveragePooling2D(2),
        L.UpSampling2D(2),
        L.Cropping2D(((1, 0), (0, 1))),
        L.SpatialDropout2D(0.1),
        L.Conv2D(2, 2, dilation_rate=2),
        L.GlobalMaxPooling2D(),
        L.Dense(2, activation="sigmoid"),
    ], name="cnn")


def cnn2():
    x = keras.Input((6, 6, 4), name="image")
    a = L.Conv2D(4, 3, groups=2, name="grouped")(x)
    a = L.UpSampling2D(interpolation="bilinear")(a)
    a = L.Conv2D(2, 3, strides=2, padding="same")(a)
    a = L.Flatten()(a)
    b = L.GlobalAveragePooling2D(keepdims=False)(x)
    b = L.Conv2DTranspose(2, 2, strides=2, padding="same")(L.Reshape((1, 1, 4))(b))
    b = L.GlobalMaxPooling2D()(b)
    y = L.Dense(3, activation="softmax")(L.Concatenate()([a, b]))
    return keras.Model(x, y, name="cnn2")


def seq1d():
    x = keras.Input((10, 3))
    h = L.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu")(x)
    h = L.MaxPooling1D(2)(h)
    h = L.Conv1D(4, 2, padding="same")(h)
    h = L.AveragePooling1D(2, padding="same")(h)
    h = L.SpatialDropout1D(0.2)(h)
    h = L.LayerNormalization(rms_scaling=True)(h)
    a = L.GlobalAveragePooling1D()(h)
    b = L.GlobalMaxPooling1D()(h)
    y = L.Dense(2)(L.Concatenate()([a, b]))
    return keras.Model(x, y, name="seq1d")


def rnn():
    return keras.Sequential([
        keras.Input((7,)),
        L.Embedding(12, 4, mask_zero=True),
        L.Bidirectional(L.LSTM(3, return_sequences=True)),
        L.GRU(3, return_sequences=True),
        L.TimeDistributed(L.Dense(2, activation="relu")),
        L.SimpleRNN(3),
        L.RepeatVector(2),
        L.LSTM(2, go_backwards=True, unit_forget_bias=False),
        L.Dense(1),
    ], name="rnn")


def rnn2():
    x = keras.Input((6, 3), name="series")
    m = L.Masking(mask_value=0.0)(x)
    s = L.Bidirectional(L.GRU(2, return_sequences=True, reset_after=False), merge_mode="sum")(m)
    out, h, c = L.LSTM(3, return_state=True, recurrent_activation="hard_sigmoid")(s)
    d = L.LSTM(3, return_sequences=True)(L.RepeatVector(2)(out), initial_state=[h, c])
    y = L.TimeDistributed(L.Dense(1))(d)
    return keras.Model(x, y, name="rnn2")


def func():
    a = keras.Input((4,), name="left")
    b = keras.Input((4,), name="right")
    shared = L.Dense(5, activation="swish", name="shared")
    inner = keras.Sequential([keras.Input((5,)), L.Dense(5, activation="gelu"), L.Dense(5)], name="inner")
    sa, sb = shared(a), shared(b)
    parts = [L.Add()([sa, sb]), L.Subtract()([sa, sb]), L.Multiply()([sa, sb]),
             L.Average()([sa, sb]), L.Maximum()([sa, sb]), inner(sa)]
    c = L.Concatenate(axis=-1)(parts)
    y1 = L.Dense(2, activation="softmax", name="cls")(c)
    y2 = L.Dense(1, name="reg")(inner(sb))
    return keras.Model([a, b], [y1, y2], name="func")


CASES = [("mlp", mlp), ("cnn", cnn), ("cnn2", cnn2), ("seq1d", seq1d), ("rnn", rnn), ("rnn2", rnn2),
         ("func", func)]


def inputs(name, model, rng):
    xs = []
    for t in model.inputs:
        shape = (3,) + tuple(t.shape[1:])
        if name == "rnn":
            x = rng.integers(1, 12, size=shape).astype(np.float32)
            x[0, 5:] = 0  # padding, masked by mask_zero
            x[1, 2:] = 0
        else:
            x = rng.uniform(-1, 1, size=shape).astype(np.float32)
            if name == "rnn2":
                x[0, 4:] = 0  # masked steps
        xs.append(x)
    return xs


def randomize(model, rng):
    for w in model.weights:
        shape = tuple(w.shape)
        if "variance" in w.path:
            v = rng.uniform(0.5, 1.5, size=shape)
        else:
            v = rng.uniform(-0.6, 0.6, size=shape)
        w.assign(v.astype(np.float32))


def write_tensors(path, what, tensors):
    with open(path, "w") as f:
        f.write("neurona-op-fixtures 1\n# %s; written by scripts/gen_keras_files.py\n" % what)
        for name, t in tensors:
            t = np.asarray(t, dtype=np.float64)
            f.write("%s %d %s %s\n" % (name, t.ndim, " ".join(str(d) for d in t.shape),
                                       " ".join("%.9g" % v for v in t.reshape(-1))))


def read_tensors(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or line.startswith("neurona-op-fixtures") or not line.strip():
                continue
            p = line.split()
            nd = int(p[1])
            dims = [int(d) for d in p[2:2 + nd]]
            out[p[0]] = np.array([float(v) for v in p[2 + nd:]], dtype=np.float32).reshape(dims)
    return out


def write_keras2_weights(model, path):
    """Keras 2's model.save_weights("x.h5"): the legacy layout at the root."""
    import h5py
    with h5py.File(path, "w") as f:
        layers = [layer for layer in model.layers]
        f.attrs["layer_names"] = np.array([layer.name.encode() for layer in layers])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.11.0"
        for layer in layers:
            g = f.create_group(layer.name)
            ws = layer.trainable_weights + layer.non_trainable_weights
            names = ["%s/%s:0" % (layer.name, w.path.split("/")[-1]) for w in ws]
            g.attrs["weight_names"] = np.array([n.encode() for n in names])
            for n, w in zip(names, ws):
                g.create_dataset(n, data=np.asarray(w.numpy(), dtype=np.float32))


def as_list(y):
    return y if isinstance(y, (list, tuple)) else [y]


def generate():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, build) in enumerate(CASES):
        keras.utils.clear_session()
        keras.utils.set_random_seed(100 + i)
        rng = np.random.default_rng(200 + i)
        model = build()
        randomize(model, rng)
        model.compile(optimizer="adam", loss="mse")
        xs = inputs(name, model, rng)
        ys = as_list(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))
        base = os.path.join(OUT, name)
        model.save(base + ".h5")
        model.save(base + ".keras")
        model.save_weights(base + ".weights.h5")
        with open(base + ".json", "w") as f:
            f.write(model.to_json())
        if name == "mlp":
            write_keras2_weights(model, base + ".keras2.h5")
        tensors = [("x%d" % k, x) for k, x in enumerate(xs)] + [("y%d" % k, y) for k, y in enumerate(ys)]
        write_tensors(base + ".txt", "Keras %s, case %s" % (keras.__version__, name), tensors)
        print("wrote", name)


def keras_reads_own(name, kind, build):
    """True when Keras loads the file of the same kind that it wrote itself."""
    keras.utils.clear_session()
    try:
        path = os.path.join(OUT, name + kind)
        if kind == ".weights.h5":
            build().load_weights(path)
        else:
            keras.models.load_model(path, compile=False)
        return True
    except Exception:  # noqa: BLE001 - any failure means Keras cannot read it
        return False


def check_neurona(folder):
    worst, failed = 0.0, 0
    for i, (name, build) in enumerate(CASES):
        io_path = os.path.join(folder, name + ".txt")
        if not os.path.exists(io_path):
            print("%-6s no files from neurona" % name)
            failed += 1
            continue
        t = read_tensors(io_path)
        xs = [t["x%d" % k] for k in range(len([k for k in t if k.startswith("x")]))]
        want = [t["y%d" % k] for k in range(len([k for k in t if k.startswith("y")]))]
        for kind in (".keras", ".h5", ".weights.h5"):
            keras.utils.clear_session()
            path = os.path.join(folder, name + kind)
            try:
                if kind == ".weights.h5":
                    model = build()
                    model.load_weights(path)
                else:
                    model = keras.models.load_model(path, compile=False)
                got = as_list(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))
                err = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want))
            except Exception as e:  # reported, counted as a failure unless Keras fails on its own file too
                own = keras_reads_own(name, kind, build)
                print("%-6s %-12s %s: %s" % (name, kind, "FAILED" if own else "Keras cannot read its own %s%s "
                                            "either (a Keras bug)" % (name, kind), str(e).splitlines()[0][:200]))
                failed += own
                continue
            worst = max(worst, err)
            ok = err <= 1e-5
            failed += not ok
            print("%-6s %-12s max |keras - neurona| = %.3g %s" % (name, kind, err, "ok" if ok else "MISMATCH"))
    print("worst difference %.3g; %d failed" % (worst, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-neurona":
        sys.exit(check_neurona(sys.argv[2]))
    if len(sys.argv) != 1:
        sys.exit("usage: gen_keras_files.py [--check-neurona DIR]")
    generate()
