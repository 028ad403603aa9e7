/* Image grids from the command line: the options every drawing command
 * shares (predict --save-images, images, filters) and the one call that
 * draws and saves. */
#ifndef NR_CLI_GRID_H
#define NR_CLI_GRID_H

#include "cli/cli_args.h"
#include "neurona/neurona.h"

typedef struct cli_grid_args {
    int count;            /* images drawn; 0: all */
    int cols;             /* tiles per row; 0: a square grid */
    int padding;          /* pixels between and around tiles */
    int zoom;             /* pixel repeat; 0: auto, tiles of at least 32 pixels */
    const char *minmax;   /* none|image|global */
} cli_grid_args;

/* The table rows of the shared options, writing into g. */
#define CLI_GRID_OPTS(g)                                                                                            \
    CLI_OPT_INT("count", &(g)->count, "N", 0, 1 << 20, "draw the first N images (0: all)"),                         \
    CLI_OPT_INT("cols", &(g)->cols, "N", 0, 4096, "tiles per row (default: a square grid)"),                        \
    CLI_OPT_INT("padding", &(g)->padding, "PX", 0, 256, "black pixels between and around tiles"),               \
    CLI_OPT_INT("zoom", &(g)->zoom, "N", 0, 64, "pixels per image pixel (default: tiles >= 32 px)"), \
    CLI_OPT_CHOICE("minmax", &(g)->minmax, "none|image|global",                                                     \
                   "none: values in [0, 1]; image, global: min..max")

/* Draws the first g->count images of x ((N, H, W, C) with C 1 or 3, or
 * (N, H, W)) as one PNG at path, atomically, and says so on stdout. */
nr_status cli_save_grid(const char *path, const nr_tensor *x, const cli_grid_args *g);

#endif
