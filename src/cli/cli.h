/* The neurona command-line tool: its subcommands, exit codes and the one
 * way every subcommand reports a failure.
 *
 * Exit codes: 0 success, 1 failure (bad data, model or SPEC file, I/O),
 * 2 usage (bad or missing arguments). Every message goes to stderr as
 * "neurona: MESSAGE"; the library's messages already start with
 * FILE:LINE:COL where there is one, so they are printed as they are. */
#ifndef NR_CLI_H
#define NR_CLI_H

#include <stdio.h>
#include "neurona/neurona.h"
#include "neurona/spec.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* Each subcommand gets argv from its own name on (argv[0] == "train"). */
int cmd_train(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_filters(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_prep(int argc, char **argv);
int cmd_neuron(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_gan(int argc, char **argv);
int cmd_vae(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_reconstruct(int argc, char **argv);
int cmd_anomaly(int argc, char **argv);

/* Prints "neurona: " + nr_last_error() (the status name when the message
 * is empty) and returns CLI_EXIT_FAIL. */
int cli_fail(nr_status s);

/* Prints "neurona: MESSAGE" and a pointer to `neurona CMD --help`, and
 * returns CLI_EXIT_USAGE. cmd NULL points to `neurona --help`. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes s as one CSV field, quoted when it holds a delimiter, quote,
 * line break or edge space. */
void cli_put_field(FILE *f, const char *s);

/* The candidate closest to word, or NULL when none is close enough to be
 * what the user meant. */
const char *cli_closest(const char *word, const char *const *candidates, int n);

#endif
