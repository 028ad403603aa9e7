/* neurona history: the learning curves of a training run, drawn from the
 * History CSV that `train --history` (or Keras's CSVLogger) wrote. */
#include <stdio.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "neurona/plot.h"

static const char about[] =
    "Draws the learning curves of a training run from its History CSV (train\n"
    "--history FILE.csv, or a Keras CSVLogger file): one panel per figure,\n"
    "loss first, training in blue and validation in orange.";

static const char example[] =
    "neurona train examples/iris_mlp.nr --data data/iris.csv --target species \\\n"
    "    --test-split 0.2 --history history.csv\n"
    "neurona history history.csv curves.png";

int cmd_history(int argc, char **argv) {
    const cli_command c = {.name = "history", .usage = "HISTORY.csv OUT.png|OUT.svg", .about = about, .min_pos = 2,
                           .max_pos = 2, .pos_name = "HISTORY.csv and OUT", .example = example};
    const char *pos[2];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    nr_history *h = NULL;
    nr_status s = nr_history_load_csv(pos[0], &h);
    if (s == NR_OK) s = nr_history_plot(h, pos[1]);
    if (s == NR_OK) printf("Saved the learning curves of %d epochs to %s\n", nr_history_n_epochs(h), pos[1]);
    nr_history_free(h);
    nr_plot_cleanup(); /* cairo's font caches, so leak checkers see none */
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}
