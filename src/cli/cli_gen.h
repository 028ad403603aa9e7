/* What the generative commands (neurona gan, neurona vae) share: the
 * models a SPEC names, the output folder, image grids of generated values
 * and the images they train on. */
#ifndef NR_CLI_GEN_H
#define NR_CLI_GEN_H

#include "neurona/neurona.h"

/* The model the SPEC binds to variable var; a clear error when there is
 * none (what names its role: "the generator"). */
nr_status cli_gen_model(const nr_spec *s, const char *spec_path, const char *var, const char *what, nr_model **out);
/* Creates the folder when it is missing; path receives DIR/NAME. */
nr_status cli_gen_dir(const char *dir);
void cli_gen_path(char *buf, size_t size, const char *dir, const char *name);
/* Saves images (N, H, W, C) as a grid of cols columns; signed: values
 * in [-1, 1] (a tanh generator's) are drawn as (x + 1) / 2. */
nr_status cli_gen_grid(const char *path, const nr_tensor *x, int cols, int signed_range);
/* Training images of --data (an IDX folder or file, or a folder of
 * images) in [0, 1], or in [-1, 1] when signed; labels (may be NULL) get
 * the classes of an IDX folder's test set with its images in *x_test, or
 * NULL. */
nr_status cli_gen_images(const char *data, int signed_range, nr_tensor **x, nr_tensor **x_test, nr_tensor **y_test);
/* The SPEC's fit(epochs=..., batch_size=...) unless the command line set them. */
void cli_gen_fit_defaults(const nr_spec *s, int *epochs, int *batch_size, int def_batch);

#endif
