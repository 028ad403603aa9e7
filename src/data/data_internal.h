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

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, full period,
 * good enough for shuffles and identical on every platform. */
uint64_t nr_data_rand(uint64_t *state);

/* Uniform integer in [0, n) without modulo bias (n >= 1). */
uint64_t nr_data_rand_below(uint64_t *state, uint64_t n);

/* Fisher-Yates shuffle of idx[0..n). */
void nr_data_shuffle(int64_t *idx, int64_t n, uint64_t *state);

#endif
