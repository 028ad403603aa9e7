/* How the CLI tells the user something went wrong: one line on stderr that
 * starts with "neurona: ", and for usage errors a pointer to --help. Also
 * the "did you mean" matcher used for unknown commands and options, and
 * the CSV quoting of the files the commands write. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "core/suggest.h"

int cli_fail(nr_status s) {
    const char *msg = nr_last_error();
    fprintf(stderr, "neurona: %s\n", msg && *msg ? msg : nr_status_str(s));
    return CLI_EXIT_FAIL;
}

int cli_usage(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("neurona: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'neurona%s%s --help' for more information.\n", cmd ? " " : "", cmd ? cmd : "");
    return CLI_EXIT_USAGE;
}

const char *cli_closest(const char *word, const char *const *candidates, int n) {
    const char *best = NULL;
    int best_d = 0;
    for (int i = 0; i < n; i++) {
        int d = nr_edit_distance(word, candidates[i]);
        if (!best || d < best_d) { best = candidates[i]; best_d = d; }
    }
    return best && nr_suggest_close(word, best) ? best : NULL;
}

void cli_put_field(FILE *f, const char *s) {
    size_t n = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
