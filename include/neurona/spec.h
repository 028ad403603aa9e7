/* neurona: SPEC files, models written in Keras call syntax.
 *
 * One statement a line, '#' comments. Two styles work, and mix:
 *
 *   Input(shape=(64,))                      # bare layers build a Sequential
 *   Dense(32, activation="tanh")
 *   Dense(10, activation="softmax")
 *   compile(optimizer=SGD(learning_rate=0.1, momentum=0.9),
 *           loss="categorical_crossentropy", metrics=["accuracy"])
 *   fit(epochs=100, batch_size=20, validation_split=0.2,
 *       callbacks=[EarlyStopping(monitor="val_accuracy", patience=30)])
 *
 * and Keras code: model = Sequential(); model.add(Dense(10, input_shape=(8,)));
 * inp = Input(shape=(4,)); h = Dense(8, activation="relu")(inp);
 * model = Model(inputs=inp, outputs=out); model.compile(...); model.fit(...).
 *
 * Syntax (a subset of Python): assignments (name = expr, x.trainable =
 * False) and expressions; calls with positional and keyword arguments,
 * call chains (Dense(8)(x)), attributes (model.output, model.layers[0]),
 * ints, floats (1e-3, -.5), strings in either quote (also r"", """..."""),
 * tuples ((64,)), lists, dicts ({0: 1.0}), True/False/None. A statement
 * goes on over several lines while a bracket is open, or after a
 * backslash; ';' separates statements. import/from lines are skipped, and
 * the prefixes keras., tf.keras., layers., optimizers., callbacks., ...
 * are dropped (keras.layers.Dense is Dense).
 *
 * Names: the layers of layers.h (Input, InputLayer, Dense, Activation,
 * Dropout, Flatten, Reshape, LeakyReLU, ReLU, Softmax, Concatenate, Add,
 * Subtract, Multiply, Average, Maximum and the shortcuts concatenate([a, b]),
 * add(...)...), Sequential, Model, model.add/compile/fit/summary/get_layer,
 * the optimizers of optim.h with Keras 3's arguments (lr= accepted for
 * learning_rate) and the schedules ExponentialDecay, PiecewiseConstantDecay,
 * CosineDecay, the losses of model.h as names or objects, initializers
 * (names or HeNormal(seed=1), RandomNormal(...), Constant(0.1)...),
 * regularizers ("l2" = 0.01, L1(...), L2(...), L1L2(...)), and the callbacks
 * EarlyStopping, ModelCheckpoint, CSVLogger, ReduceLROnPlateau,
 * TerminateOnNaN. Activations are Keras's names plus "step" (Heaviside).
 * Generative models: the layers Sampling and GaussianKLDivergence, and
 * model.add_loss(tensor, name=..., weight=...) (model.h's
 * nr_model_add_loss); several models may be bound to names (encoder,
 * decoder, generator, discriminator, combined) for nr_spec_get_model.
 * Lambda is refused: a SPEC cannot hold its function (custom.h).
 *
 * A bare layer line (a layer constructor or Input, not assigned) is added to
 * an implicit Sequential. Bare compile()/fit()/summary() apply to the
 * variable "model" if it holds a model, else to that implicit Sequential,
 * else to the last model built. summary() does nothing (the CLI prints it).
 *
 * fit() trains nothing: it records its options for the caller, which brings
 * the data. Its x and y may name variables the SPEC never defines
 * (fit(x_train, y_train, ...)): they are ignored. verbose defaults to 1
 * (Keras's "auto"). validation_data, sample_weight and steps_per_epoch are
 * refused (NR_STATUS_UNSUPPORTED): the CLI takes validation data and weights.
 *
 * Hyperparameters (Keras Tuner's, see hp.h) go anywhere a value goes:
 *
 *   Dense(hp.Int("units", 16, 256, step=16), activation=hp.Choice("act", ["relu", "tanh"]))
 *   Dropout(hp.Float("rate", 0.0, 0.5, step=0.1)) if hp.Boolean("dropout") else None
 *   Dense(hp.Int("units2", 8, 64)) if hp.Int("layers", 1, 3) >= 2 else None
 *   compile(optimizer=Adam(learning_rate=hp.Float("lr", 1e-4, 1e-1, sampling="log")), ...)
 *
 * hp.Int(name, min_value, max_value, step=None, sampling="linear",
 * default=None, parent_name=None, parent_values=None), hp.Float (the
 * same), hp.Choice(name, values, ordered=None, default=None, ...),
 * hp.Boolean(name, default=False, ...), hp.Fixed(name, value, ...). A
 * call gives the trial's value, else its default (min_value, the first
 * choice, False); with parent_name it gives None while the parent's value
 * is not among parent_values, as Keras Tuner does. "X if COND else Y" is
 * Python's conditional expression (COND may compare with == != < <= > >=,
 * in, not in); a bare line whose value is None adds nothing. When COND
 * reads one hyperparameter with a few values (a Boolean, a Choice, an
 * Int, directly or through a variable), the hp calls of the branch taken
 * are conditional on the parent values that take it, as in Keras Tuner's
 * conditional_scope: they are active only then, and grid search and the
 * tuners leave them out otherwise.
 *
 * Errors start with "FILE:LINE:COL: " and, for unknown names (constructors,
 * arguments, activations, losses, variables...), give the closest valid
 * ones. NR_STATUS_PARSE: syntax errors and unknown names; BAD_ARGUMENT: a
 * value of the wrong type or out of range ("Dense: units must be an int,
 * got string \"32\""); BAD_SHAPE: from the layers (shapes that do not
 * fit), with the statement's position; UNSUPPORTED: Keras features neurona
 * lacks (constraints, LearningRateScheduler, which needs a Python function,
 * dtype other than float32, variable-size dimensions).
 */
#ifndef NEURONA_SPEC_H
#define NEURONA_SPEC_H

#include "hp.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nr_spec nr_spec;

/* Parses and builds a SPEC. The graph is created with seed. Caller frees
 * with nr_spec_free (which frees the graph unless taken). */
nr_status nr_spec_load_file(const char *path, uint64_t seed, nr_spec **out);
nr_status nr_spec_load_string(const char *text, const char *filename, uint64_t seed, nr_spec **out);

/* Loading with hyperparameters. seed: the graph's; hp: the trial's
 * values (NULL: every hp call gives its default, so a tunable SPEC
 * trains as it is); space: when not NULL, every hp call met is added to
 * it, with the conditions of its scope. */
typedef struct nr_spec_load_opts {
    uint64_t seed;
    const nr_hp_values *hp;      /* borrowed */
    nr_hp_space *space;          /* borrowed */
} nr_spec_load_opts;

/* As nr_spec_load_file/_string; o may be NULL. */
nr_status nr_spec_load_file_opts(const char *path, const nr_spec_load_opts *o, nr_spec **out);
nr_status nr_spec_load_string_opts(const char *text, const char *filename, const nr_spec_load_opts *o,
                                   nr_spec **out);

/* The whole search space of a SPEC's hp calls, added to space: the SPEC
 * is loaded with the defaults, then again with parent values that take
 * each branch of a conditional expression not taken yet (at most 64
 * loads), so hyperparameters behind a condition are found too. */
nr_status nr_spec_search_space_file(const char *path, nr_hp_space *space);
nr_status nr_spec_search_space_string(const char *text, const char *filename, nr_hp_space *space);

/* The model the SPEC defines: the variable "model" if there is one, else
 * the last model compile() was called on, else the last model built (the
 * implicit Sequential of bare layer lines). Borrowed from the spec's
 * graph. */
nr_model *nr_spec_model(const nr_spec *s);
/* A model by variable name, or NULL. */
nr_model *nr_spec_get_model(const nr_spec *s, const char *name);
nr_graph *nr_spec_graph(const nr_spec *s);
/* Transfers ownership of the graph to the caller (free it with
 * nr_graph_free); the spec no longer frees it. */
nr_graph *nr_spec_take_graph(nr_spec *s);

/* 1 if the SPEC called compile() on its model. */
int nr_spec_compiled(const nr_spec *s);
/* fit() arguments from the SPEC (epochs, batch_size, validation_split,
 * shuffle, verbose, class_weight, initial_epoch, callbacks), or NULL when
 * the SPEC has no fit(). Callbacks belong to the spec. */
const nr_fit_opts *nr_spec_fit_opts(const nr_spec *s);

void nr_spec_free(nr_spec *s);

#ifdef __cplusplus
}
#endif
#endif
