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
 * Errors name FILE:LINE:COL and, for unknown names, the closest valid ones.
 */
#ifndef NEURONA_SPEC_H
#define NEURONA_SPEC_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nr_spec nr_spec;

/* Parses and builds a SPEC. The graph is created with seed. Caller frees
 * with nr_spec_free (which frees the graph unless taken). */
nr_status nr_spec_load_file(const char *path, uint64_t seed, nr_spec **out);
nr_status nr_spec_load_string(const char *text, const char *filename, uint64_t seed, nr_spec **out);

/* The model the SPEC defines: the variable "model" if there is one, else
 * the last model built (the implicit Sequential of bare layer lines).
 * Borrowed from the spec's graph. */
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
