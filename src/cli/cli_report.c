/* How the CLI tells the user something went wrong: one line on stderr that
 * starts with "neurona: ", and for usage errors a pointer to --help. Also
 * the "did you mean" matcher used for unknown commands and options. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

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

int cli_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return 1 << 20;   /* names are short; a long word matches nothing */
    int row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cli_closest(const char *word, const char *const *candidates, int n) {
    const char *best = NULL;
    int best_d = 0;
    for (int i = 0; i < n; i++) {
        int d = cli_edit_distance(word, candidates[i]);
        if (!best || d < best_d) { best = candidates[i]; best_d = d; }
    }
    /* A third of the word may be wrong (at least 2 edits): "epoch" finds
     * "epochs", "trian" finds "train", "foo" finds nothing. */
    int limit = (int)strlen(word) / 3;
    if (limit < 2) limit = 2;
    return best && best_d <= limit ? best : NULL;
}
