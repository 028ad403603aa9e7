/* A folder of plots (--plots DIR): figures saved as DIR/STEM_WHAT.png and
 * .svg, or in the one --format. Shared by describe, metrics and evaluate. */
#ifndef NR_CLI_PLOTDIR_H
#define NR_CLI_PLOTDIR_H

#include "neurona/neurona.h"

typedef struct cli_plotdir {
    const char *dir;
    const char *format;   /* "png", "svg", or NULL for both */
    int saved;            /* files written so far */
} cli_plotdir;

/* Creates the folder when it is missing. */
nr_status cli_plotdir_open(const cli_plotdir *p);
/* Saves f as DIR/STEM_WHAT.EXT (characters a file name should not hold
 * replaced by '_') and frees f, also on failure. */
nr_status cli_plotdir_save(cli_plotdir *p, nr_figure *f, const char *stem, const char *what);

#endif
