/* The model a command trains from a SPEC file, chosen by name when the
 * file defines several (an encoder, a decoder and the autoencoder built
 * from them), its fit() options with the command line's overrides, and
 * the other named models saved beside it. */
#ifndef NR_CLI_SPEC_H
#define NR_CLI_SPEC_H

#include "cli/cli_args.h"
#include "neurona/neurona.h"

/* *yes = 1 when path is a model file (its magic bytes, or a .nrm name so
 * that a damaged one gets the model loader's diagnosis), 0 for a SPEC. */
nr_status cli_is_model_file(const char *path, int *yes);

/* Loads the SPEC at path with seed and picks its model: the one named
 * name (a variable of the SPEC), or the SPEC's model when name is NULL.
 * The model must be compiled. Caller frees *spec with nr_spec_free; *m
 * belongs to it. */
nr_status cli_spec_load(const char *path, int seed, const char *name, nr_spec **spec, nr_model **m);

/* The SPEC's fit() options (verbose 1 without one) with epochs,
 * batch_size and verbose replaced where they are >= 0 (epochs and
 * batch_size > 0); progress goes to stdout. */
nr_fit_opts cli_spec_fit_opts(const nr_spec *spec, int epochs, int batch_size, int verbose);

/* Saves each "NAME=FILE" of saves (NAME a model of the SPEC, sharing its
 * trained weights) and says so on stdout. */
nr_status cli_spec_save_named(const nr_spec *spec, const char *path, const cli_steps *saves);

/* The option row of --save-model, writing into a cli_steps. */
#define CLI_SAVE_MODEL_OPT(steps) \
    CLI_OPT_STEP("save-model", (steps), "NAME=FILE", "also save the SPEC's model NAME (e.g. encoder=enc.nrm); repeatable")

#endif
