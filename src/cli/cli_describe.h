/* The work of `neurona describe`: the report of a table's figures
 * (cli_describe.c) and its plots (cli_describe_plots.c). */
#ifndef NR_CLI_DESCRIBE_H
#define NR_CLI_DESCRIBE_H

#include "neurona/neurona.h"

typedef struct cli_describe_args {
    const char *file, *columns, *percentiles, *method, *plots, *format, *scatter;
    int header, no_header;
} cli_describe_args;

/* Prints the report of d (described from csv) to stdout. */
void cli_describe_print(const nr_csv *csv, const nr_describe *d);

/* The described columns of --scatter A,B into ab; errors for an unknown
 * column or one holding text (naming its first text cell). */
nr_status cli_describe_scatter_pair(const nr_csv *csv, const nr_describe *d, const char *pair, int ab[2]);

/* Writes the plots of d into dir (created when missing): per numeric
 * column a histogram and a box plot, per text column a bar and a pie
 * chart, a scatter plot of the described columns pair[0] and pair[1] or,
 * pair NULL, of every strongly correlated pair, and the correlation heat
 * map; as PNG and SVG, or the one format ("png", "svg"). */
nr_status cli_describe_plots(const nr_csv *csv, const nr_describe *d, const char *dir, const char *format,
                             const int *pair);

#endif
