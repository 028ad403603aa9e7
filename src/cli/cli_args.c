/* The option parser and the --help generator. Options are long only
 * (GNU style, "--epochs 5" or "--epochs=5"), because a deep-learning CLI
 * has too many options for one-letter names to stay memorable. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"

#define HELP_COL 28   /* where option descriptions start */

static const cli_opt *find_opt(const cli_command *c, const char *name, size_t len) {
    for (int i = 0; i < c->n_opts; i++)
        if (strlen(c->opts[i].name) == len && strncmp(c->opts[i].name, name, len) == 0) return &c->opts[i];
    return NULL;
}

static int unknown_opt(const cli_command *c, const char *arg) {
    const char *names[64];
    int n = 0;
    for (int i = 0; i < c->n_opts && n < 63; i++) names[n++] = c->opts[i].name;
    names[n++] = "help";
    char word[128];
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    snprintf(word, sizeof word, "%.*s", (int)len, arg);
    const char *dashless = word + strspn(word, "-");
    const char *best = cli_closest(dashless, names, n);
    if (best) return cli_usage(c->name, "unknown option '%s' for '%s'; did you mean '--%s'?", word, c->name, best);
    return cli_usage(c->name, "unknown option '%s' for '%s'", word, c->name);
}

/* Is val one of the '|'-separated choices? */
static int in_choices(const char *choices, const char *val) {
    size_t n = strlen(val);
    for (const char *p = choices; *p;) {
        size_t len = strcspn(p, "|");
        if (len == n && strncmp(p, val, n) == 0) return 1;
        p += len + (p[len] == '|');
    }
    return 0;
}

static int bad_choice(const cli_command *c, const cli_opt *o, const char *val) {
    char list[256];
    size_t k = 0;
    for (const char *p = o->choices; *p && k < sizeof list;) {
        size_t len = strcspn(p, "|");
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%.*s", k ? ", " : "", (int)len, p);
        p += len + (p[len] == '|');
    }
    const char *names[16];
    char copy[256];
    int n = 0;
    snprintf(copy, sizeof copy, "%s", o->choices);
    for (char *p = strtok(copy, "|"); p && n < 16; p = strtok(NULL, "|")) names[n++] = p;
    const char *best = cli_closest(val, names, n);
    if (best) return cli_usage(c->name, "invalid value '%s' for --%s; did you mean '%s'?", val, o->name, best);
    return cli_usage(c->name, "invalid value '%s' for --%s; valid: %s", val, o->name, list);
}

static int set_value(const cli_command *c, const cli_opt *o, const char *val) {
    char *end;
    errno = 0;
    switch (o->kind) {
    case CLI_FLAG:
        return cli_usage(c->name, "option '--%s' takes no value", o->name);
    case CLI_STR:
        if (o->choices && !in_choices(o->choices, val)) return bad_choice(c, o, val);
        *(const char **)o->dest = val;
        return CLI_RUN;
    case CLI_INT: {
        long v = strtol(val, &end, 10);
        if (!*val || *end || errno || v < o->min || v > o->max)
            return cli_usage(c->name, "--%s: expected an integer from %d to %d, got '%s'", o->name, o->min, o->max,
                             val);
        *(int *)o->dest = (int)v;
        return CLI_RUN;
    }
    case CLI_FLOAT: {
        double v = strtod(val, &end);
        if (!*val || *end || errno || !isfinite(v))
            return cli_usage(c->name, "--%s: expected a number, got '%s'", o->name, val);
        *(double *)o->dest = v;
        return CLI_RUN;
    }
    case CLI_STEP:
    case CLI_STEP_OPT: {
        cli_steps *l = o->dest;
        if (l->n == CLI_MAX_STEPS) return cli_usage(c->name, "more than %d preparation steps", CLI_MAX_STEPS);
        l->name[l->n] = o->name, l->value[l->n++] = val;
        return CLI_RUN;
    }
    }
    return CLI_RUN;
}

/* One "--name[=value]" argument, taking its value from argv[*i + 1] when
 * there is no '='. */
static int parse_opt(const cli_command *c, int argc, char **argv, int *i) {
    const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
    const cli_opt *o = find_opt(c, arg, eq ? (size_t)(eq - arg) : strlen(arg));
    if (!o) return unknown_opt(c, argv[*i]);
    if (o->kind == CLI_FLAG && !eq) {
        *(int *)o->dest = 1;
        return CLI_RUN;
    }
    if (o->kind == CLI_STEP_OPT && !eq) return set_value(c, o, "");
    if (eq) return set_value(c, o, eq + 1);
    if (*i + 1 >= argc) return cli_usage(c->name, "option '--%s' needs a value (%s)", o->name, o->arg);
    return set_value(c, o, argv[++*i]);
}

static int add_pos(const cli_command *c, const char *arg, const char **pos, int *n_pos) {
    if (*n_pos >= c->max_pos) return cli_usage(c->name, "unexpected argument '%s'", arg);
    pos[(*n_pos)++] = arg;
    return CLI_RUN;
}

/* "-" alone (stdin, by convention) and negative numbers are arguments. */
static int looks_like_opt(const char *a) {
    return a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9') && a[1] != '.';
}

int cli_parse(const cli_command *c, int argc, char **argv, const char **pos, int *n_pos) {
    int rc = CLI_RUN, only_pos = 0;
    *n_pos = 0;
    for (int i = 1; i < argc && rc == CLI_RUN; i++) {
        const char *a = argv[i];
        if (!only_pos && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            cli_print_help(c);
            return CLI_EXIT_OK;
        }
        if (!only_pos && strcmp(a, "--") == 0) only_pos = 1;
        else if (!only_pos && a[0] == '-' && a[1] == '-') rc = parse_opt(c, argc, argv, &i);
        else if (!only_pos && looks_like_opt(a)) rc = unknown_opt(c, a);
        else rc = add_pos(c, a, pos, n_pos);
    }
    if (rc == CLI_RUN && *n_pos < c->min_pos)
        rc = cli_usage(c->name, "%s: missing the %s argument", c->name, c->pos_name);
    return rc;
}

static void print_opt(const cli_opt *o) {
    char left[128];
    const char *sep = o->kind == CLI_FLAG ? "" : o->kind == CLI_STEP_OPT ? "[=" : " ";
    int n = snprintf(left, sizeof left, "  --%s%s%s%s", o->name, sep, o->kind == CLI_FLAG ? "" : o->arg,
                     o->kind == CLI_STEP_OPT ? "]" : "");
    if (n < HELP_COL - 1) printf("%-*s%s\n", HELP_COL, left, o->help);
    else printf("%s\n%*s%s\n", left, HELP_COL, "", o->help);
}

/* Prints text with every line indented. */
static void print_indented(const char *text, const char *indent) {
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        printf("%s%.*s\n", len ? indent : "", (int)len, p);
        p += len + (p[len] == '\n');
    }
}

void cli_print_help(const cli_command *c) {
    const char *u = c->usage;
    for (int first = 1; *u; first = 0) {
        size_t len = strcspn(u, "\n");
        printf("%s neurona %s %.*s\n", first ? "Usage:" : "   or:", c->name, (int)len, u);
        u += len + (u[len] == '\n');
    }
    printf("\n%s\n\nOptions:\n", c->about);
    for (int i = 0; i < c->n_opts; i++) print_opt(&c->opts[i]);
    printf("%-*s%s\n", HELP_COL, "  -h, --help", "show this help and exit");
    if (c->notes) printf("\n%s\n", c->notes);
    printf("\nExample%s:\n", strchr(c->example, '\n') ? "s" : "");
    print_indented(c->example, "  ");
}

int cli_check_header(const char *cmd, int header, int no_header) {
    return header && no_header ? cli_usage(cmd, "--header and --no-header exclude each other") : CLI_RUN;
}
