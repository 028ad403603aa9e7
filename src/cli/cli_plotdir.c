/* Saving figures into a --plots folder (see cli_plotdir.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli_plotdir.h"
#include "core/core.h"

nr_status cli_plotdir_open(const cli_plotdir *p) {
    if (mkdir(p->dir, 0777) == 0 || errno == EEXIST) return NR_OK;
    return nr_error(NR_STATUS_IO, "%s: cannot create the folder: %s", p->dir, strerror(errno));
}

nr_status cli_plotdir_save(cli_plotdir *p, nr_figure *f, const char *stem, const char *what) {
    char path[4096];
    nr_status s = NR_OK;
    const char *ext[2] = {"png", "svg"};
    for (int e = 0; e < 2 && s == NR_OK; e++) {
        if (p->format && strcmp(p->format, ext[e]) != 0) continue;
        size_t n = (size_t)snprintf(path, sizeof path, "%s/", p->dir), at = n;
        for (const char *c = stem; *c && n < sizeof path - 64; c++, n++)
            path[n] = strchr("/\\:*?\"<>| \t\n", *c) ? '_' : *c;
        snprintf(path + n, sizeof path - n, "_%s.%s", what, ext[e]);
        if (path[at] == '.') path[at] = '_';   /* no hidden files from names starting with '.' */
        s = nr_figure_save(f, path);
        p->saved += s == NR_OK;
    }
    nr_figure_free(f);
    return s;
}
