/* neurona convert: a model from one file format to another. The input is
 * told apart by its content (a neurona model file, a Keras .h5 or .keras
 * file, a Keras .json config or a SPEC file); the output format by the
 * name: .keras, .h5, .weights.h5 and .json are Keras's, anything else a
 * neurona model file. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "core/core.h"
#include "neurona/keras.h"

static const char about[] =
    "Converts a model between neurona's model files (.nrm) and Keras's files:\n"
    ".keras (Keras 3), .h5 (legacy HDF5 model), .weights.h5 (weights only) and\n"
    ".json (the config, as model.to_json() writes it). IN may be any of these\n"
    "with a model in it, or a SPEC file (its model with fresh weights). The\n"
    "optimizer settings go along; class names, scalers and data preparation\n"
    "kept in a neurona model have no place in Keras's files and are left out.";

static const char example[] =
    "neurona convert iris.nrm iris.keras          # then keras.models.load_model(\"iris.keras\")\n"
    "neurona convert model.h5 model.nrm           # a Keras model for neurona predict/evaluate/train\n"
    "neurona convert model.keras model.weights.h5";

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static nr_status write_json(const nr_model *m, const char *path) {
    char *json = NULL;
    NR_TRY(nr_model_to_keras_json(m, &json));
    FILE *f = fopen(path, "w");
    nr_status s = f && fputs(json, f) >= 0 && fputc('\n', f) != EOF ? NR_OK
                                                                      : nr_error(NR_STATUS_IO, "%s: cannot write", path);
    if (f && fclose(f) != 0 && s == NR_OK) s = nr_error(NR_STATUS_IO, "%s: cannot write", path);
    nr_free_string(json);
    return s;
}

static nr_status save(const nr_model *m, const char *path) {
    if (ends_with(path, ".weights.h5")) return nr_model_save_weights(m, path);
    if (ends_with(path, ".keras") || ends_with(path, ".h5")) return nr_keras_save(m, path);
    if (ends_with(path, ".json")) return write_json(m, path);
    return nr_model_save(m, path);
}

/* A model file (neurona's or Keras's) keeps its weights; a SPEC or a
 * config builds the architecture afresh. */
static nr_status load(const char *path, nr_graph **g, nr_model **m, nr_spec **spec) {
    *spec = NULL;
    nr_status s = nr_model_load(path, g, m);
    if (s != NR_STATUS_BAD_FORMAT && s != NR_STATUS_BAD_VERSION) return s;
    char why[1024];
    snprintf(why, sizeof why, "%s", nr_last_error());
    s = nr_spec_load_file(path, 42, spec);
    if (s == NR_STATUS_PARSE && !ends_with(path, ".nr") && !ends_with(path, ".py"))
        return nr_error(NR_STATUS_BAD_FORMAT, "%s", why); /* not a SPEC either: the model loader's diagnosis */
    if (s != NR_OK) return s;
    *m = nr_spec_model(*spec);
    return *m ? NR_OK : nr_error(NR_STATUS_BAD_ARGUMENT, "%s: defines no model", path);
}

int cmd_convert(int argc, char **argv) {
    const cli_command c = {.name = "convert", .usage = "IN OUT", .about = about, .min_pos = 2, .max_pos = 2,
                           .pos_name = "IN and OUT", .example = example};
    const char *pos[2];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    nr_graph *g = NULL;
    nr_model *m = NULL;
    nr_spec *spec = NULL;
    nr_status s = load(pos[0], &g, &m, &spec);
    if (s == NR_OK) s = save(m, pos[1]);
    if (s == NR_OK) {
        int64_t t = 0, f = 0;
        nr_model_count_params(m, &t, &f);
        printf("Converted %s to %s: model \"%s\", %d layers, %lld parameters\n", pos[0], pos[1], nr_model_name(m),
               nr_model_n_layers(m), (long long)(t + f));
    }
    nr_spec_free(spec);
    nr_graph_free(g);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}
