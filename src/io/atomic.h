/* Text files written atomically: a temporary file in the same folder,
 * fsync, then rename over the destination, so a crash leaves either the
 * old file or the new one, never half of one. */
#ifndef NR_ATOMIC_H
#define NR_ATOMIC_H

#include <stdio.h>
#include "core/core.h"

typedef struct nr_atomic_file {
    FILE *f;
    char path[4096], tmp[4096 + 16];
} nr_atomic_file;

nr_status nr_atomic_open(nr_atomic_file *af, const char *path);
/* Flushes, fsyncs and renames; on any failure removes the temporary file. */
nr_status nr_atomic_commit(nr_atomic_file *af);
void nr_atomic_abort(nr_atomic_file *af);

#endif
