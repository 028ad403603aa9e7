/* neurona: Keras model and weights files, both ways.
 *
 * Files (told apart by their content, not their extension):
 *
 *   .keras       Keras 3's format: a zip archive holding config.json (the
 *                model's config, as model.to_json() writes it, with a
 *                compile_config), metadata.json (keras_version, date_saved)
 *                and model.weights.h5 (the weights-only layout below).
 *   .h5          the legacy HDF5 format of model.save("x.h5") (Keras 2
 *                and Keras 3): root attributes model_config (the config
 *                JSON), training_config, keras_version, backend; group
 *                model_weights with attribute layer_names and one group per
 *                layer whose attribute weight_names lists its datasets
 *                ("dense/kernel:0" in Keras 2, "model/dense/kernel" in
 *                Keras 3), trainable weights first.
 *   .weights.h5  Keras 3's weights-only layout (model.save_weights):
 *                layers/<layer>/vars/0, 1, ... where <layer> is the
 *                snake-cased class name numbered in model.layers order
 *                (dense, dense_1, batch_normalization...), recurrent
 *                layers under cell/vars, Bidirectional under
 *                forward_layer/ and backward_layer/, TimeDistributed under
 *                layer/, nested models under layers/ again.
 *   legacy weights-only .h5 (Keras 2's save_weights): the model_weights
 *                group's layout at the root.
 *   .json        a model config (model.to_json()): the architecture alone.
 *
 * Every layer class neurona has reads and writes with Keras's config keys
 * and weight layouts; a config naming a class neurona lacks is an error
 * naming the layer and the class. Weights are float32 (other float types
 * are converted when read). Files are written atomically (temporary file,
 * fsync, rename).
 *
 * nr_model_load (model.h) and nr_spec_load_file (spec.h) read these files
 * too: nr_model_load takes .h5 and .keras files, nr_spec_load_file also
 * .json configs, so every command that takes a model or a SPEC takes
 * Keras files.
 */
#ifndef NEURONA_KERAS_H
#define NEURONA_KERAS_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads a Keras model file (.h5, .keras) or config (.json, initial
 * weights drawn with seed) into a new graph; caller frees *g with
 * nr_graph_free (the model belongs to it). A training_config or
 * compile_config that neurona can express (Keras's optimizers, losses and
 * metrics of model.h/optim.h) compiles the model; otherwise it is left
 * uncompiled, ready to predict. */
nr_status nr_keras_load(const char *path, uint64_t seed, nr_graph **g, nr_model **m);

/* Saves a model as a Keras file: path ending in ".keras" writes Keras 3's
 * format, any other name (".h5") the legacy HDF5 format. The compile
 * options go into compile_config / training_config. */
nr_status nr_keras_save(const nr_model *m, const char *path);

/* The model's Keras config as model.to_json() writes it (Keras 3 layout).
 * Caller frees *json with nr_free_string. */
nr_status nr_model_to_keras_json(const nr_model *m, char **json);

typedef struct nr_load_weights_opts {
    /* Legacy .h5 files: 1 matches layers by name (Keras's by_name=True),
     * 0 by their order among the layers that have weights (Keras's default).
     * Keras 3 .weights.h5 files always go by the model's structure. */
    int by_name;
    /* 1: a layer whose weights do not fit (count or shapes) is skipped
     * with a line on stderr, as Keras's skip_mismatch=True warns;
     * 0: it is an error. */
    int skip_mismatch;
} nr_load_weights_opts;

/* Loads weights saved by Keras (save_weights, or the weights of a .h5 or
 * .keras model file) into m. o may be NULL (the defaults). Errors name the
 * layer, the weight and both shapes; on an error m's weights may be
 * partly loaded. */
nr_status nr_model_load_weights(nr_model *m, const char *path, const nr_load_weights_opts *o);

/* Saves m's weights for Keras's load_weights: a path ending in
 * ".weights.h5" gets Keras 3's layout, another ".h5" the legacy one. */
nr_status nr_model_save_weights(const nr_model *m, const char *path);

#ifdef __cplusplus
}
#endif
#endif
