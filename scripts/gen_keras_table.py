#!/usr/bin/env python3
"""Keras 3's layer output shapes and parameter counts for a table of
architectures, written as neurona SPEC text.

It installs nothing. Debian's python3-torch (1.13) is too old for Keras 3
(its torch backend needs torch.float8_e4m3fn), and a venv that sees the
system site-packages gets a NumPy 2 that Debian's SciPy cannot import, so
run it in a venv of its own with the JAX backend:

    python3 -m venv /tmp/kvenv-jax
    /tmp/kvenv-jax/bin/pip install keras jax jaxlib
    KERAS_BACKEND=jax /tmp/kvenv-jax/bin/python scripts/gen_keras_table.py

(made with Keras 3.15.1 and JAX 0.10.2; the backend does not change shapes
or counts). It rewrites tests/fixtures/keras/table.txt, which
tests/models/test_keras_table.c reads; the output is deterministic.

Each architecture is SPEC text that is also Python for Keras: it runs with
every keras.layers name in scope, plus Input = keras.Input, Model =
keras.Model and Sequential = keras.Sequential. A bare layer line (a
statement that is only a constructor call, like "Dense(10)") is added to an
implicit Sequential, as in SPEC files; else the variable "model" is the
model. The Keras session is cleared before each one, so automatic layer
names ("conv2d", "conv2d_1") restart as they do in a fresh neurona graph.

table.txt, one record per architecture:

    model <name>
    spec <n>              then the n lines of SPEC text, verbatim
    layers <k>            then k lines, one per layer of model.layers
    layer <layer name> <class> <params> <d1> <d2> ...
    totals <total> <trainable> <non_trainable>
    end

The layers are model.layers in Keras's order, less the InputLayers; the
dimensions are the layer's output shape without the batch axis. Lines
starting with '#' are comments.
"""

import ast
import math
import os
import sys

import keras

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras", "table.txt")

# (name, SPEC text). One statement a line.
ARCHS = [
    ("mnist_cnn", """\
Input(shape=(28, 28, 1))
Conv2D(32, 3, activation="relu")
MaxPooling2D(2)
Conv2D(16, 3, activation="relu")
MaxPooling2D(2)
Flatten()
Dense(10, activation="softmax")
"""),
    ("w4_autoencoder", """\
inp = Input(shape=(28, 28, 1))
x = Conv2D(16, 3, padding="same", activation="relu")(inp)
x = MaxPooling2D(2)(x)
x = Conv2D(8, 3, padding="same", activation="relu")(x)
x = MaxPooling2D(2)(x)
x = Conv2D(8, 3, padding="same", activation="relu")(x)
x = MaxPooling2D(2, padding="same")(x)
x = Conv2D(8, 3, padding="same", activation="relu")(x)
x = UpSampling2D(2)(x)
x = Conv2D(8, 3, padding="same", activation="relu")(x)
x = UpSampling2D(2)(x)
x = Conv2D(16, 3, activation="relu")(x)
x = UpSampling2D(2)(x)
out = Conv2D(1, 3, padding="same", activation="sigmoid")(x)
model = Model(inp, out)
"""),
    ("w5_cifar_cnn", """\
Input(shape=(32, 32, 3))
Conv2D(32, 3, padding="same", activation="relu")
Conv2D(32, 3, padding="same", activation="relu")
MaxPooling2D(2)
Conv2D(64, 3, padding="same", activation="relu")
Conv2D(64, 3, padding="same", activation="relu")
MaxPooling2D(2)
Flatten()
Dense(512, activation="relu")
Dense(10)
"""),
    ("lenet5", """\
Input(shape=(32, 32, 1))
Conv2D(6, 5, activation="tanh")
AveragePooling2D(2)
Conv2D(16, kernel_size=(5, 5), activation="tanh")
AveragePooling2D(pool_size=(2, 2), strides=2)
Flatten()
Dense(120, activation="tanh")
Dense(84, activation="tanh")
Dense(10, activation="softmax")
"""),
    ("vgg_block_bn_dropout", """\
Input(shape=(32, 32, 3))
Conv2D(32, 3, padding="same", use_bias=False)
BatchNormalization()
Activation("relu")
Conv2D(32, 3, padding="same")
BatchNormalization()
ReLU()
MaxPooling2D(2)
Dropout(0.25)
Conv2D(64, (3, 3), padding="same", activation="relu")
BatchNormalization(momentum=0.9, epsilon=1e-5)
MaxPool2D()
Dropout(0.25)
Flatten()
Dense(128, activation="relu")
BatchNormalization()
Dropout(0.5)
Dense(10, activation="softmax")
"""),
    ("strided_same_valid_odd", """\
Input(shape=(31, 29, 3))
Conv2D(8, 3, strides=2, padding="same")
Conv2D(8, (5, 3), strides=(2, 3), padding="same")
Conv2D(8, 3, strides=2, padding="valid")
Conv2D(4, 2, strides=1, padding="same")
Flatten()
Dense(5)
"""),
    ("strided_even_kernels", """\
Input(shape=(41, 37, 2))
Conv2D(4, 4, strides=2, padding="same")
Conv2D(6, (2, 4), strides=(3, 2), padding="same")
Conv2D(6, (2, 1), strides=(1, 2))
MaxPooling2D(2, padding="same")
MaxPooling2D(pool_size=(3, 2), strides=(2, 1))
"""),
    ("dilated_same_valid_odd", """\
Input(shape=(27, 23, 2))
Conv2D(4, 3, dilation_rate=2)
Conv2D(4, 3, dilation_rate=(2, 3), padding="same")
Conv2D(6, (3, 2), dilation_rate=(3, 1))
MaxPooling2D(3, strides=2, padding="same")
AveragePooling2D((2, 3), strides=(1, 2))
AveragePooling2D(3, strides=3, padding="same")
"""),
    ("conv1d_variants", """\
Input(shape=(50, 3))
Conv1D(8, 5)
Conv1D(8, 3, padding="same", activation="relu")
Conv1D(8, 3, padding="causal", dilation_rate=2)
Conv1D(16, 4, strides=3)
MaxPooling1D(2)
AveragePooling1D(3, strides=1, padding="same")
Conv1D(4, 2, dilation_rate=3, padding="same", use_bias=False)
GlobalAveragePooling1D()
Dense(2)
"""),
    ("conv1d_pool_keepdims", """\
Input(shape=(101, 2))
Conv1D(6, 7, strides=2, padding="same")
MaxPooling1D(pool_size=3, strides=2, padding="same")
Conv1D(filters=6, kernel_size=3, padding="causal")
AvgPool1D(2)
SpatialDropout1D(0.1)
GlobalMaxPooling1D(keepdims=True)
Flatten()
Dense(3)
"""),
    ("conv1d_global_keepdims", """\
Input(shape=(40, 5))
Conv1D(3, 5, strides=2)
GlobalAveragePooling1D(keepdims=True)
Conv1D(2, 1)
GlobalMaxPooling1D()
"""),
    ("conv2d_transpose", """\
Input(shape=(5, 6, 4))
Conv2DTranspose(8, 3, strides=2, padding="same")
Conv2DTranspose(4, 3, strides=2, padding="valid")
Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=1)
Conv2DTranspose(2, (4, 3), strides=(3, 2), output_padding=(1, 0))
Conv2DTranspose(3, 2, use_bias=False)
"""),
    ("conv2d_transpose_decoder", """\
Input(shape=(16,))
Dense(392)
Reshape((7, 7, 8))
Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu")
Conv2DTranspose(8, 5, strides=2, padding="same", output_padding=1, activation="relu")
Conv2DTranspose(1, 3, padding="same", activation="sigmoid")
"""),
    ("depthwise", """\
Input(shape=(16, 16, 3))
DepthwiseConv2D(3, depth_multiplier=2)
DepthwiseConv2D(3, strides=2, padding="same")
DepthwiseConv2D((3, 5), padding="same", depth_multiplier=3, use_bias=False)
DepthwiseConv2D(kernel_size=2, dilation_rate=2)
"""),
    ("separable", """\
Input(shape=(20, 20, 8))
SeparableConv2D(16, 3)
SeparableConv2D(32, 3, strides=2, padding="same", depth_multiplier=2)
SeparableConv2D(8, (1, 3), dilation_rate=2, use_bias=False)
SeparableConv2D(4, 3, padding="same", activation="relu")
GlobalAveragePooling2D()
"""),
    ("mobilenet_block", """\
Input(shape=(24, 24, 16))
DepthwiseConv2D(3, padding="same", use_bias=False)
BatchNormalization()
ReLU(max_value=6)
Conv2D(32, 1, use_bias=False)
BatchNormalization()
ReLU(6.0)
DepthwiseConv2D(3, strides=2, padding="same", use_bias=False)
BatchNormalization()
Conv2D(64, 1)
GlobalAveragePooling2D()
Dropout(0.2)
Dense(10, activation="softmax")
"""),
    ("upsampling", """\
Input(shape=(5, 7, 3))
UpSampling2D()
UpSampling2D((2, 3), interpolation="bilinear")
UpSampling2D(size=3, interpolation="nearest")
Conv2D(2, 3)
UpSampling2D(size=(1, 2), interpolation="bilinear")
"""),
    ("zero_padding", """\
Input(shape=(6, 5, 2))
ZeroPadding2D()
ZeroPadding2D(2)
ZeroPadding2D((1, 3))
ZeroPadding2D(((0, 1), (2, 3)))
ZeroPadding2D(padding=((1, 0), (0, 0)))
Conv2D(3, 3)
"""),
    ("cropping", """\
Input(shape=(20, 18, 3))
Cropping2D()
Cropping2D(1)
Cropping2D((2, 3))
Cropping2D(((1, 2), (0, 4)))
Cropping2D(cropping=((0, 0), (1, 0)))
Conv2D(2, 3)
"""),
    ("global_max_keepdims", """\
Input(shape=(9, 11, 5))
Conv2D(7, 3)
GlobalMaxPooling2D(keepdims=True)
Conv2D(3, 1)
GlobalAveragePooling2D()
Dense(1, activation="sigmoid")
"""),
    ("global_avg_keepdims", """\
Input(shape=(8, 8, 4))
GlobalAveragePooling2D(keepdims=True)
Dense(6)
GlobalMaxPool2D()
"""),
    ("batchnorm_dense", """\
Input(shape=(20,))
Dense(64)
BatchNormalization()
Activation("relu")
Dense(32, use_bias=False)
BatchNormalization(center=False)
Dense(16)
BatchNormalization(scale=False)
BatchNormalization(center=False, scale=False)
Dense(1)
"""),
    ("batchnorm_conv", """\
Input(shape=(12, 12, 3))
BatchNormalization()
Conv2D(8, 3)
BatchNormalization(axis=-1)
Conv2D(8, 3, use_bias=False)
BatchNormalization(axis=3, scale=False)
Reshape((64, 8))
Conv1D(4, 3)
BatchNormalization()
"""),
    ("layer_norm", """\
Input(shape=(10, 16))
Dense(16)
LayerNormalization()
LayerNormalization(axis=[1, 2])
LayerNormalization(axis=(-2, -1), center=False)
LayerNormalization(scale=False, epsilon=1e-6)
LayerNormalization(rms_scaling=True)
Flatten()
Dense(4)
LayerNormalization(axis=-1)
"""),
    ("frozen_layers", """\
Input(shape=(8,))
Dense(16, activation="relu", trainable=False)
BatchNormalization(trainable=False)
Dense(8, activation="relu")
BatchNormalization()
Dense(4, use_bias=False, trainable=False)
Dense(1)
"""),
    ("frozen_functional", """\
inp = Input(shape=(6, 6, 2))
conv = Conv2D(4, 3)
conv.trainable = False
x = conv(inp)
bn = BatchNormalization()
bn.trainable = False
x = bn(x)
x = Flatten()(x)
out = Dense(3)(x)
model = Model(inputs=inp, outputs=out)
"""),
    ("concat_two_conv_branches", """\
inp = Input(shape=(16, 16, 3))
a = Conv2D(8, 3, padding="same", activation="relu")(inp)
a = MaxPooling2D(2)(a)
b = Conv2D(4, 5, strides=2, padding="same")(inp)
b = BatchNormalization()(b)
c = Concatenate()([a, b])
d = Conv2D(6, 1)(c)
e = concatenate([c, d], axis=-1)
f = GlobalAveragePooling2D()(e)
out = Dense(10, activation="softmax")(f)
model = Model(inputs=inp, outputs=out)
"""),
    ("residual_add", """\
inp = Input(shape=(16, 16, 8))
a = Conv2D(8, 3, padding="same", use_bias=False)(inp)
a = BatchNormalization()(a)
a = Activation("relu")(a)
a = Conv2D(8, 3, padding="same")(a)
b = Conv2D(8, 1)(inp)
s = Add()([a, b])
s = ReLU()(s)
t = DepthwiseConv2D(3, padding="same")(s)
u = add([s, t])
g = GlobalMaxPooling2D()(u)
out = Dense(5)(g)
model = Model(inputs=inp, outputs=out)
"""),
    ("two_inputs_merges", """\
x1 = Input(shape=(12,), name="left")
x2 = Input(shape=(12,), name="right")
h1 = Dense(8, activation="tanh")(x1)
h2 = Dense(8, use_bias=False)(x2)
s = Subtract()([h1, h2])
p = Multiply()([h1, h2])
m = Maximum()([s, p])
v = Average()([s, p, m])
c = Concatenate(axis=1)([v, x1])
out = Dense(2, activation="softmax")(c)
model = Model(inputs=[x1, x2], outputs=out)
"""),
    ("reshape_no_bias", """\
Input(shape=(784,))
Reshape((28, 28, 1))
Conv2D(4, 3, use_bias=False)
Reshape((-1, 4))
Dense(3, use_bias=False)
Reshape(target_shape=(26, 78))
Flatten()
Dense(10, use_bias=False)
"""),
    ("mlp_dropout", """\
Input(shape=(784,))
Dense(512, activation="relu")
Dropout(0.2)
Dense(512, activation="relu")
Dropout(0.2)
Dense(10, activation="softmax")
"""),
    ("input_shape_kwarg", """\
Dense(32, input_shape=(10,), activation="relu")
LeakyReLU(negative_slope=0.2)
Dense(16)
Softmax()
Dense(3)
"""),
    ("conv2d_transpose_edges", """\
Input(shape=(7, 9, 3))
Conv2DTranspose(4, 2, strides=3, padding="same")
Conv2DTranspose(4, 2, strides=3, padding="valid")
Conv2DTranspose(2, 3, dilation_rate=2)
Conv2DTranspose(2, 4, strides=2, padding="same", output_padding=1)
Conv2DTranspose(2, (2, 5), strides=(3, 1), padding="valid", output_padding=(2, 0))
"""),
    ("pool1d_strides_causal", """\
Input(shape=(30, 4))
MaxPooling1D(3, strides=4)
AveragePooling1D(pool_size=2, strides=3, padding="same")
Conv1D(2, 3, padding="causal")
Conv1D(2, 2, strides=2, padding="same")
"""),
    ("reshape_forms", """\
Input(shape=(6, 4))
Reshape((-1, 2, 2))
Reshape((3, -1))
Flatten()
Reshape((24,))
Dense(4)
"""),
    ("concat_height_axis", """\
inp = Input(shape=(8, 8, 3))
a = Conv2D(4, 3)(inp)
b = Conv2D(4, (5, 3), padding="valid")(inp)
c = Concatenate(axis=1)([a, b])
d = Cropping2D(((0, 0), (1, 1)))(inp)
e = concatenate([c, Conv2D(4, 1)(d)], axis=-3)
out = GlobalAveragePooling2D()(e)
model = Model(inputs=inp, outputs=out)
"""),
    ("nested_sequential_frozen", """\
inp = Input(shape=(10,))
base = Sequential([Input(shape=(10,)), Dense(8, activation="relu"), BatchNormalization()])
base.trainable = False
x = base(inp)
out = Dense(2)(x)
model = Model(inp, out)
"""),
    ("strided_valid_odd_variants", """\
Input(shape=(21, 19, 4))
DepthwiseConv2D(3, strides=2)
SeparableConv2D(6, (3, 2), strides=(2, 3))
Conv2D(5, 1, strides=2, padding="same")
Reshape((-1, 5))
Conv1D(3, 3, strides=2, padding="causal")
Conv1D(3, 2, strides=3, padding="same")
"""),
    ("dense_on_maps_two_outputs", """\
inp = Input(shape=(6, 5, 3))
h = Dense(4)(inp)
h = BatchNormalization()(h)
h = LayerNormalization(axis=[1, 2, 3])(h)
h = Dropout(0.3)(h)
a = Flatten()(h)
out1 = Dense(3, activation="softmax", name="cls")(a)
n = GaussianNoise(0.2)(h)
p = ZeroPadding2D(1)(n)
p = MaxPooling2D(3, padding="same")(p)
out2 = Conv2D(1, 2, name="seg")(p)
model = Model(inputs=inp, outputs=[out1, out2])
"""),
    ("model_add_style", """\
model = Sequential()
model.add(Conv2D(4, 3, input_shape=(10, 10, 1), activation="relu"))
model.add(UpSampling2D(interpolation="bilinear"))
model.add(Cropping2D(((1, 0), (2, 1))))
model.add(Activation("softmax"))
model.add(Flatten())
model.add(Dense(2, use_bias=False))
"""),
    ("concat_three_steps", """\
inp = Input(shape=(12, 4))
a = Conv1D(3, 3, padding="same")(inp)
b = Conv1D(5, 1)(inp)
c = Concatenate()([a, b, inp])
d = Concatenate(axis=1)([c, c])
e = GlobalMaxPooling1D(keepdims=True)(d)
f = Concatenate(axis=-2)([e, d])
out = GlobalAveragePooling1D()(f)
model = Model(inp, out)
"""),
    ("augment_noise", """\
Input(shape=(32, 32, 3))
RandomFlip("horizontal")
RandomRotation(0.1)
RandomTranslation(0.1, 0.1)
RandomZoom(0.2)
GaussianNoise(0.1)
Conv2D(8, 3, activation="relu")
SpatialDropout2D(0.2)
MaxPooling2D()
Flatten()
Dense(10)
"""),
    ("simple_rnn", """\
Input(shape=(24, 1))
SimpleRNN(16)
Dense(1)
"""),
    ("stacked_simple_rnn", """\
Input(shape=(24, 1))
SimpleRNN(16, return_sequences=True)
SimpleRNN(8)
Dense(1)
"""),
    ("lstm_1_unit", """\
Input(shape=(24, 1))
LSTM(1)
"""),
    ("lstm_3_units", """\
Input(shape=(24, 1))
LSTM(3)
Dense(1)
"""),
    ("stacked_lstm", """\
Input(shape=(24, 3))
LSTM(32, return_sequences=True)
LSTM(16, go_backwards=True)
Dense(1)
"""),
    ("gru", """\
Input(shape=(24, 1))
GRU(64)
Dense(1)
"""),
    ("gru_reset_before", """\
Input(shape=(10, 5))
GRU(8, reset_after=False, return_sequences=True)
GRU(4, use_bias=False)
"""),
    ("bidirectional", """\
Input(shape=(20, 4))
Bidirectional(LSTM(16, return_sequences=True))
Bidirectional(GRU(8), merge_mode="sum")
Dense(3, activation="softmax")
"""),
    ("embedding_lstm", """\
Input(shape=(40,))
Embedding(1000, 32, mask_zero=True)
LSTM(24)
Dense(1, activation="sigmoid")
"""),
    ("seq2seq_time_distributed", """\
Input(shape=(12, 2))
LSTM(20, return_sequences=True)
TimeDistributed(Dense(5))
"""),
    ("encoder_decoder_repeat", """\
Input(shape=(30, 1))
LSTM(32)
RepeatVector(7)
LSTM(32, return_sequences=True)
TimeDistributed(Dense(1))
"""),    ("ae_blog_dense_nested", """\
inp = Input(shape=(784,))
code = Dense(32, activation="relu")(inp)
encoder = Model(inp, code, name="encoder")
code_in = Input(shape=(32,))
decoder = Model(code_in, Dense(784, activation="sigmoid")(code_in), name="decoder")
ae_in = Input(shape=(784,))
model = Model(ae_in, decoder(encoder(ae_in)), name="autoencoder")
"""),
    ("ae_blog_deep_dense", """\
Input(shape=(784,))
Dense(128, activation="relu")
Dense(64, activation="relu")
Dense(32, activation="relu")
Dense(64, activation="relu")
Dense(128, activation="relu")
Dense(784, activation="sigmoid")
"""),
    ("ae_blog_denoising_conv", """\
inp = Input(shape=(28, 28, 1))
x = Conv2D(32, (3, 3), activation="relu", padding="same")(inp)
x = MaxPooling2D((2, 2), padding="same")(x)
x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
encoded = MaxPooling2D((2, 2), padding="same")(x)
x = Conv2D(32, (3, 3), activation="relu", padding="same")(encoded)
x = UpSampling2D((2, 2))(x)
x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = UpSampling2D((2, 2))(x)
decoded = Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
model = Model(inp, decoded)
"""),
    ("ae_dense_flatten_reshape", """\
inp = Input(shape=(28, 28, 1))
x = Flatten()(inp)
x = Dense(128, activation="relu")(x)
code = Dense(32, activation="relu")(x)
x = Dense(128, activation="relu")(code)
x = Dense(784, activation="sigmoid")(x)
out = Reshape((28, 28, 1))(x)
model = Model(inp, out, name="anomaly_autoencoder")
"""),
    ("ae_conv_transpose_bn", """\
encoder = Sequential([Input(shape=(28, 28, 1)), Conv2D(16, 3, strides=2, padding="same", activation="relu"), BatchNormalization(), Conv2D(8, 3, strides=2, padding="same", activation="relu")], name="encoder")
decoder = Sequential([Input(shape=(7, 7, 8)), Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu"), BatchNormalization(), Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"), Conv2D(1, 3, padding="same", activation="sigmoid")], name="decoder")
inp = Input(shape=(28, 28, 1))
model = Model(inp, decoder(encoder(inp)), name="conv_autoencoder")
"""),
    ("ae_frozen_encoder", """\
encoder = Sequential([Input(shape=(28, 28, 1)), Conv2D(16, 3, strides=2, padding="same", activation="relu"), BatchNormalization(), Flatten(), Dense(16)], name="encoder")
encoder.trainable = False
decoder = Sequential([Input(shape=(16,)), Dense(784, activation="relu"), Reshape((14, 14, 4)), Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid")], name="decoder")
inp = Input(shape=(28, 28, 1))
model = Model(inp, decoder(encoder(inp)))
"""),
]


def namespace():
    ns = {name: getattr(keras.layers, name) for name in dir(keras.layers) if not name.startswith("_")}
    ns.update(Input=keras.Input, Model=keras.Model, Sequential=keras.Sequential, keras=keras)
    return ns


def build(text):
    """The Keras model of a SPEC text: bare constructor lines go into a
    Sequential, else the variable "model"."""
    tree = ast.parse(text)
    for i, st in enumerate(tree.body):
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Name):
            call = ast.Call(func=ast.Attribute(ast.Name("_bare", ast.Load()), "append", ast.Load()),
                            args=[st.value], keywords=[])
            tree.body[i] = ast.copy_location(ast.Expr(call), st)
    ast.fix_missing_locations(tree)
    ns = namespace()
    ns["_bare"] = []
    exec(compile(tree, "<spec>", "exec"), ns)
    return ns["model"] if "model" in ns else keras.Sequential(ns["_bare"])


def count(weights):
    return sum(math.prod(w.shape) for w in weights)


def record(name, text):
    keras.backend.clear_session()
    model = build(text)
    lines = text.rstrip("\n").split("\n")
    out = ["model " + name, "spec %d" % len(lines)] + lines
    layers = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]
    out.append("layers %d" % len(layers))
    for l in layers:
        shape = tuple(l.output.shape)
        assert shape[0] is None and all(d is not None for d in shape[1:]), (name, l.name, shape)
        out.append("layer %s %s %d %s" % (l.name, type(l).__name__, l.count_params(),
                                          " ".join(str(d) for d in shape[1:])))
    trainable, frozen = count(model.trainable_weights), count(model.non_trainable_weights)
    assert trainable + frozen == model.count_params(), name
    out.append("totals %d %d %d" % (trainable + frozen, trainable, frozen))
    out.append("end")
    return out


def main():
    lines = ["# Keras %s layer output shapes and parameter counts; written by" % keras.__version__,
             "# scripts/gen_keras_table.py (the format is described there). Do not edit."]
    for name, text in ARCHS:
        lines += record(name, text)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s: %d architectures" % (OUT, len(ARCHS)), file=sys.stderr)


if __name__ == "__main__":
    main()
