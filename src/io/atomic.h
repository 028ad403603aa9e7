/* Files written atomically: a temporary file in the same folder, fsync,
 * rename over the destination, fsync of the folder. A crash leaves either
 * the old file or the new one, never half of one; a failure leaves the old
 * file untouched and no temporary file behind. The one mechanism behind
 * model files, NPY files, histories and predictions. A destination that
 * exists and is no regular file (/dev/null, a pipe) is written in place. */
#ifndef NR_ATOMIC_H
#define NR_ATOMIC_H

#include <stdio.h>
#include "core/core.h"

typedef struct nr_atomic_file {
    int fd;                          /* the temporary file, for binary writers */
    FILE *f;                         /* the same file for text writers, after nr_atomic_stdio */
    char *path, *tmp;                /* tmp NULL: written in place */
} nr_atomic_file;

/* Creates the temporary file; it gets the mode the old file had, or what a
 * plain fopen would give. On success commit or abort it. */
nr_status nr_atomic_open(nr_atomic_file *af, const char *path);
/* A FILE* over the temporary file (for fprintf writers). */
nr_status nr_atomic_stdio(nr_atomic_file *af);
/* nr_atomic_open then nr_atomic_stdio; on failure nothing is left open. */
nr_status nr_atomic_open_stdio(nr_atomic_file *af, const char *path);
/* Writes n bytes, retrying short writes; returns 0 or the errno (ENOSPC
 * for a write that makes no progress). */
int nr_write_all(int fd, const void *p, size_t n);
/* Flushes, fsyncs, renames over the path and fsyncs the folder. On any
 * failure removes the temporary file and returns NR_STATUS_IO naming the
 * path and the system's reason. Always releases af. */
nr_status nr_atomic_commit(nr_atomic_file *af);
/* Removes the temporary file and releases af. */
void nr_atomic_abort(nr_atomic_file *af);

#endif
