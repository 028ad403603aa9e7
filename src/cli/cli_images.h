/* Image folders for the subcommands (--data DIR of images): the loader's
 * options from the command line and the model's input, and class folders
 * mapped onto the classes a model knows. cli_data.c dispatches here. */
#ifndef NR_CLI_IMAGES_H
#define NR_CLI_IMAGES_H

#include "cli/cli_data.h"

/* Colour mode and size: --color-mode and --image-size when given, else
 * the model's input (H, W, C) when it has one (C 1 grayscale, 3 rgb, 4
 * rgba; (H, W) is grayscale), else rgb at the files' own size. m may be
 * NULL (no model). */
nr_status cli_image_opts(const cli_data_args *a, const nr_model *m, nr_image_opts *o);

/* Class folders --data (and --test) into d: x, y, class names. */
nr_status cli_images_train(const cli_data_args *a, const nr_model *m, cli_data *d);

/* Class folders --data into d->x, d->y, with classes numbered as m's
 * class names number them (as the folders sort when m has none). */
nr_status cli_images_labelled(const cli_data_args *a, const nr_model *m, cli_data *d);

/* Every image below --data into d->x; d->files names them. m may be NULL. */
nr_status cli_images_features(const cli_data_args *a, const nr_model *m, cli_data *d);

#endif
