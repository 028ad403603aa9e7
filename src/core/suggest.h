/* "Did you mean": the valid names closest to a misspelt one, by edit
 * distance, for error messages about unknown layers, arguments, values
 * and variables. */
#ifndef NR_SUGGEST_H
#define NR_SUGGEST_H

#include <stddef.h>

/* Names longer than this are compared on their first NR_SUGGEST_MAX_LEN
 * characters only, which bounds the cost on hostile input. */
#define NR_SUGGEST_MAX_LEN 64

/* Optimal-string-alignment distance between a and b: insertions,
 * deletions, substitutions and swaps of two neighbours each cost 1.
 * Letters differing only in case cost nothing, so "Relu" is 0 from "relu". */
int nr_edit_distance(const char *a, const char *b);

/* 1 if candidate is close enough to word to be offered as a correction. */
int nr_suggest_close(const char *word, const char *candidate);

/* Writes the candidates closest to word into buf (always NUL-terminated)
 * and returns buf: 'did you mean "activation"?' when some are close,
 * else 'valid: a, b, c' for a short list, else the three closest as
 * 'closest: a, b, c'. NULL entries and repeats in cands are skipped; with
 * no candidates buf is empty. */
char *nr_suggest(const char *word, const char *const *cands, int n, char *buf, size_t size);

#endif
