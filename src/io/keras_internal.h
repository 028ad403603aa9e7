/* Internal: the pieces behind neurona/keras.h, one concept a file:
 *   keras_h5.c        HDF5 access (files on disk and in memory, string
 *                     attributes, float datasets), errors as nr_status
 *   keras_order.c     Keras's model.layers order and the weights' places
 *                     in a Keras 3 weights file
 *   keras_weights.c   reading and writing weights (Keras 3 and legacy)
 *   keras_config_in.c a Keras config (JSON) as SPEC text
 *   keras_config_out.c a model as a Keras config (JSON)
 *   keras_model.c     whole files: .h5, .keras (zip), .json; sniffing */
#ifndef NR_KERAS_INTERNAL_H
#define NR_KERAS_INTERNAL_H

#include <hdf5.h>
#include "graph/graph.h"
#include "models/model_internal.h"
#include "neurona/keras.h"
#include "neurona/spec.h"

/* Bounds on what a Keras file may make us allocate. */
#define NR_KERAS_MAX_JSON ((size_t)64 << 20)
#define NR_KERAS_MAX_WEIGHTS ((size_t)4 << 30)

/* --- HDF5 (keras_h5.c) -------------------------------------------------- */

/* Opens an HDF5 file read-only; libhdf5's own error printing is off. */
nr_status nr_h5_open(const char *path, hid_t *out);
/* Opens an HDF5 file held in memory (a .keras member), read-only. The
 * buffer must outlive the file. */
nr_status nr_h5_open_image(const void *buf, size_t n, const char *what, hid_t *out);
/* A new, empty HDF5 file in memory. */
nr_status nr_h5_create(hid_t *out);
/* The bytes of an in-memory file (caller frees *buf with nr_free). */
nr_status nr_h5_image(hid_t f, void **buf, size_t *n);
/* Writes an in-memory file to path atomically. Does not close f. */
nr_status nr_h5_save(hid_t f, const char *path);

/* 1 when loc holds a link (group or dataset) at path, each part checked. */
int nr_h5_exists(hid_t loc, const char *path);
/* A string attribute (fixed or variable length); *out NULL when absent.
 * Caller frees with nr_free. */
nr_status nr_h5_get_str(hid_t obj, const char *name, char **out);
/* A 1-D array of strings (or an empty float array, as h5py writes an
 * empty list); *n 0 and *out NULL when absent. Free with nr_h5_free_strs. */
nr_status nr_h5_get_strs(hid_t obj, const char *name, char ***out, int *n);
void nr_h5_free_strs(char **s, int n);
nr_status nr_h5_put_str(hid_t obj, const char *name, const char *value);
nr_status nr_h5_put_strs(hid_t obj, const char *name, const char *const *v, int n);

/* Shape of the dataset at path (ndim <= NR_MAX_DIMS). */
nr_status nr_h5_shape(hid_t loc, const char *path, int *ndim, int64_t *shape);
/* Reads the dataset at path into dst, whose shape it must have. */
nr_status nr_h5_read(hid_t loc, const char *path, const nr_tensor *dst);
/* Writes src as a float32 dataset at path (groups made as needed). */
nr_status nr_h5_write(hid_t loc, const char *path, const nr_tensor *src);
/* Opens or creates the group at path (parents made as needed). */
nr_status nr_h5_group(hid_t loc, const char *path, hid_t *out);

/* --- Keras's layer order (keras_order.c) ------------------------------- */

/* model.layers as Keras orders them: Sequential, its layers as added (no
 * InputLayer); Functional, by depth from the inputs then by the order a
 * search from the outputs first meets them (Keras's map_graph), with the
 * InputLayers. Caller frees *out with nr_free. */
nr_status nr_keras_layers(const nr_model *m, nr_layer ***out, int *n);
/* Keras's class name of a layer ("Sequential", "Functional", "Dense"). */
const char *nr_keras_class(const nr_layer *l);
/* keras.src.utils.naming.to_snake_case: "Conv2DTranspose" -> "conv2d_transpose". */
void nr_keras_snake(const char *cls, char *buf, size_t size);
/* The weights of a layer in Keras's legacy order (trainable first, then
 * the others: a nested model's moving statistics come last), as weight
 * nodes; returns the count (at most max). */
int nr_keras_legacy_weights(const nr_layer *l, nr_sym *out, int max);

/* --- weights (keras_weights.c) ----------------------------------------- */

nr_status nr_keras_weights_read(nr_model *m, hid_t f, const nr_load_weights_opts *o, const char *what);
/* Keras 3's layout (layers/.../vars) into f. */
nr_status nr_keras_weights_write_v3(const nr_model *m, hid_t f);
/* The legacy layout (layer_names, weight_names) into group loc. */
nr_status nr_keras_weights_write_legacy(const nr_model *m, hid_t loc);

/* --- configs (keras_config_in.c, keras_config_out.c) ------------------- */

/* A Keras model config (JSON text: model.to_json(), config.json or the
 * model_config attribute) as SPEC text defining "model"; with a
 * compile or training config, a compile() line when neurona has its
 * optimizer, loss and metrics. has_weights: the file brings the weights,
 * so initializers neurona lacks are dropped rather than refused. Errors
 * name what (the file) and the layer. Caller frees *spec with nr_free. */
nr_status nr_keras_config_to_spec(const char *json, const char *what, int has_weights, char **spec);
/* Builds the model of a Keras config: the SPEC above, loaded with seed.
 * compile_json: a legacy training_config (NULL: the config's own
 * compile_config, if any). */
nr_status nr_keras_config_load(const char *json, const char *compile_json, const char *what, int has_weights,
                               uint64_t seed, nr_spec **out);

/* The Keras 3 config of m (config.json's content when with_compile, with
 * compile_config), or the legacy model_config (no module keys), as JSON.
 * Caller frees *out with nr_free. */
nr_status nr_keras_config_json(const nr_model *m, int legacy, char **out);
/* The training_config (legacy .h5) or compile_config (.keras) of a
 * compiled model as JSON; *out NULL when not compiled. */
nr_status nr_keras_compile_json(const nr_model *m, int legacy, char **out);

/* --- files (keras_model.c) ---------------------------------------------- */

typedef enum nr_keras_kind { NR_KERAS_NONE, NR_KERAS_HDF5, NR_KERAS_ZIP, NR_KERAS_JSON } nr_keras_kind;
/* What the file's first bytes say it is (NONE for other or unreadable). */
nr_keras_kind nr_keras_sniff(const char *path);
/* nr_spec_load_file for Keras files. */
nr_status nr_keras_spec_load(const char *path, uint64_t seed, nr_spec **out);
/* nr_model_load_weights for a .keras archive (its model.weights.h5). */
nr_status nr_keras_zip_weights(nr_model *m, const char *path, const nr_load_weights_opts *o);

#endif
