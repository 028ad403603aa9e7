/* Helpers shared by the data readers: whole-file reads through zlib and
 * the seeded random numbers behind shuffles and splits. */
#ifndef NR_DATA_INTERNAL_H
#define NR_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "neurona/status.h"

/* Reads a plain or gzip file whole into *buf (NUL-terminated, nr_free it;
 * *len excludes the NUL). NR_STATUS_IO on open/read/gzip errors. */
nr_status nr_data_read_all(const char *path, char **buf, size_t *len);


#endif
