/* A small option parser shared by the subcommands. A command is a table:
 * its options (long names only, "--name VALUE" or "--name=VALUE"), its
 * positional arguments and the text of its --help, which is generated from
 * the same table so the two never disagree. "-h"/"--help" is implicit,
 * "--" ends the options. */
#ifndef NR_CLI_ARGS_H
#define NR_CLI_ARGS_H

typedef enum cli_opt_kind {
    CLI_FLAG,   /* dest: int *, set to 1 */
    CLI_STR,    /* dest: const char **, borrowed from argv */
    CLI_INT,    /* dest: int *, checked against [min, max] */
    CLI_FLOAT,  /* dest: double * */
    CLI_STEP,   /* dest: cli_steps *, appended in command-line order */
    CLI_STEP_OPT /* the same, the value optional ("--drop-missing" or "--drop-missing=a,b") */
} cli_opt_kind;

/* Options that add to one ordered list (data preparation steps): each
 * occurrence records its option's name and value. */
#define CLI_MAX_STEPS 64
typedef struct cli_steps {
    const char *name[CLI_MAX_STEPS];   /* the option, without "--" */
    const char *value[CLI_MAX_STEPS];  /* borrowed from argv; "" when none */
    int n;
} cli_steps;

typedef struct cli_opt {
    const char *name;      /* without the leading "--" */
    cli_opt_kind kind;
    void *dest;
    const char *arg;       /* the value's placeholder in --help ("N", "FILE") */
    const char *help;      /* one line */
    const char *choices;   /* CLI_STR: "standard|minmax|none", or NULL for any */
    int min, max;          /* CLI_INT: inclusive bounds */
} cli_opt;

/* Table rows, one macro per kind. */
#define CLI_OPT_FLAG(n, d, h) {.name = (n), .kind = CLI_FLAG, .dest = (d), .help = (h)}
#define CLI_OPT_STR(n, d, a, h) {.name = (n), .kind = CLI_STR, .dest = (d), .arg = (a), .help = (h)}
#define CLI_OPT_CHOICE(n, d, c, h) {.name = (n), .kind = CLI_STR, .dest = (d), .arg = (c), .help = (h), .choices = (c)}
#define CLI_OPT_INT(n, d, a, lo, hi, h) \
    {.name = (n), .kind = CLI_INT, .dest = (d), .arg = (a), .help = (h), .min = (lo), .max = (hi)}
#define CLI_OPT_FLOAT(n, d, a, h) {.name = (n), .kind = CLI_FLOAT, .dest = (d), .arg = (a), .help = (h)}
#define CLI_OPT_STEP(n, d, a, h) {.name = (n), .kind = CLI_STEP, .dest = (d), .arg = (a), .help = (h)}
#define CLI_OPT_STEP_OPT(n, d, a, h) {.name = (n), .kind = CLI_STEP_OPT, .dest = (d), .arg = (a), .help = (h)}

typedef struct cli_command {
    const char *name;      /* "train" */
    const char *usage;     /* after "neurona NAME ", one line per form, '\n' between */
    const char *about;     /* a paragraph */
    const cli_opt *opts;
    int n_opts;
    int min_pos, max_pos;  /* positional argument count */
    const char *pos_name;  /* the first positional argument, for messages ("SPEC") */
    const char *notes;     /* printed after the options, may be NULL */
    const char *example;   /* one or more command lines */
} cli_command;

/* What cli_parse returns when the command should go on and run. */
#define CLI_RUN (-1)

/* The usage error of --header given with --no-header (cli_usage's exit
 * code), or CLI_RUN. */
int cli_check_header(const char *cmd, int header, int no_header);

/* Parses argv[1..argc) (argv[0] is the command's name) into the options'
 * destinations and pos[0..*n_pos), which must hold max_pos entries.
 * Returns CLI_RUN, or an exit code: 0 after printing --help, 2 after a
 * usage error (unknown option with the closest one suggested, missing or
 * malformed value, wrong number of positional arguments). */
int cli_parse(const cli_command *c, int argc, char **argv, const char **pos, int *n_pos);

/* Writes the command's --help text to stdout. */
void cli_print_help(const cli_command *c);

#endif
