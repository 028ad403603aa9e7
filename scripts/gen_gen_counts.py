"""Parameter counts (total, trainable, non-trainable) of the generative
models of examples/vae_mnist.nr (latent 2), vae_mnist_16.nr,
vae_mnist_conv.nr and gan_mnist.nr as Keras 3 reports them, for
tests/models/test_gen_models.c.

Recreate the environment and the file:
    python3 -m venv V && V/bin/pip install keras jax h5py
    KERAS_BACKEND=jax V/bin/python scripts/gen_gen_counts.py > tests/fixtures/gen/keras_counts.txt

Format: one line per model, "name total trainable non_trainable". The
discriminator is counted twice: when compiled (trainable) and after
discriminator.trainable = False, as model.summary() shows it then (Keras
counts the current flags)."""
import keras
from keras import layers


class Sampling(layers.Layer):
    """The layer of Keras's VAE example (keras.io/examples/generative/vae)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(keras.ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + keras.ops.exp(0.5 * z_log_var) * eps


def mlp_vae(latent):
    x = keras.Input((28, 28, 1))
    h = layers.Dense(512, activation="relu")(layers.Flatten()(x))
    z_mean = layers.Dense(latent, name="z_mean")(h)
    z_log_var = layers.Dense(latent, name="z_log_var")(h)
    encoder = keras.Model(x, [z_mean, z_log_var, Sampling()([z_mean, z_log_var])], name="encoder")
    lat = keras.Input((latent,))
    out = layers.Reshape((28, 28, 1))(layers.Dense(784, activation="sigmoid")(layers.Dense(512, activation="relu")(lat)))
    decoder = keras.Model(lat, out, name="decoder")
    inp = keras.Input((28, 28, 1))
    return encoder, decoder, keras.Model(inp, decoder(encoder(inp)[2]), name="vae")


def conv_vae(latent):
    x = keras.Input((28, 28, 1))
    h = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(x)
    h = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(h)
    h = layers.Flatten()(h)
    h = layers.Dense(16, activation="relu")(h)
    z_mean = layers.Dense(latent, name="z_mean")(h)
    z_log_var = layers.Dense(latent, name="z_log_var")(h)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(x, [z_mean, z_log_var, z], name="encoder")
    lat = keras.Input((latent,))
    h = layers.Dense(7 * 7 * 64, activation="relu")(lat)
    h = layers.Reshape((7, 7, 64))(h)
    h = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(h)
    h = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(h)
    out = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(h)
    decoder = keras.Model(lat, out, name="decoder")
    inp = keras.Input((28, 28, 1))
    model = keras.Model(inp, decoder(encoder(inp)[2]), name="vae")
    return encoder, decoder, model


def gan():
    d = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(512), layers.LeakyReLU(0.2),
                          layers.Dense(256), layers.LeakyReLU(0.2), layers.Dense(1, activation="sigmoid")],
                         name="discriminator")
    d.compile(optimizer=keras.optimizers.Adam(0.0002, 0.5), loss="binary_crossentropy", metrics=["accuracy"])
    g = keras.Sequential([keras.Input((100,))] + [
        lay for units in (256, 512, 1024)
        for lay in (layers.Dense(units), layers.LeakyReLU(0.2), layers.BatchNormalization(momentum=0.8))
    ] + [layers.Dense(784, activation="tanh"), layers.Reshape((28, 28, 1))], name="generator")
    rows = [("discriminator_compiled", counts(d))]
    d.trainable = False
    z = keras.Input((100,))
    combined = keras.Model(z, d(g(z)), name="combined")
    combined.compile(optimizer=keras.optimizers.Adam(0.0002, 0.5), loss="binary_crossentropy")
    return rows + [(name, counts(m)) for name, m in (("discriminator", d), ("generator", g), ("combined", combined))]


def counts(m):
    t = sum(int(keras.ops.size(w)) for w in m.trainable_weights)
    n = sum(int(keras.ops.size(w)) for w in m.non_trainable_weights)
    return t + n, t, n


rows = []
for tag, build in (("2", lambda: mlp_vae(2)), ("16", lambda: mlp_vae(16)), ("conv", lambda: conv_vae(2))):
    e, d, v = build()
    rows += [(f"encoder{tag}", e), (f"decoder{tag}", d), (f"vae{tag}", v)]
lines = [f"{name} {' '.join(map(str, counts(m)))}" for name, m in rows]
lines += [f"{name} {' '.join(map(str, c))}" for name, c in gan()]
print("\n".join(lines))
