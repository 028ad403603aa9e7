/* A small test harness: checks count failures instead of stopping, and
 * each test program ends with "N passed, N failed" and its exit code.
 * A program that cannot run (missing data) exits 77, which ctest reports
 * as skipped, after saying why. */
#ifndef NR_TESTUTIL_H
#define NR_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "neurona/neurona.h"

extern int nr_test_passed, nr_test_failed;

#define CHECK(cond) nr_test_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_OK(expr) nr_test_check_ok((expr), #expr, __FILE__, __LINE__)
#define CHECK_STATUS(expr, want) nr_test_check_status((expr), (want), #expr, __FILE__, __LINE__)
/* |a - b| <= atol + rtol * |b| */
#define CHECK_CLOSE(a, b, atol, rtol) nr_test_check_close((a), (b), (atol), (rtol), #a, __FILE__, __LINE__)

int nr_test_check(int ok, const char *expr, const char *file, int line);
int nr_test_check_ok(nr_status s, const char *expr, const char *file, int line);
int nr_test_check_status(nr_status s, nr_status want, const char *expr, const char *file, int line);
int nr_test_check_close(double a, double b, double atol, double rtol, const char *expr, const char *file, int line);

/* Compares n floats; reports the first few mismatches. Returns 1 if all close. */
int nr_test_close_arrays(const float *got, const float *want, size_t n, double atol, double rtol,
                         const char *what);

/* Prints "N passed, N failed" and returns the process exit code. */
int nr_test_finish(void);

/* Prints "SKIP: why" and exits with ctest's skip code (77). */
void nr_test_skip(const char *why) __attribute__((noreturn));

/* Path of a file under the source tree (static buffer). */
const char *nr_test_path(const char *rel);

/* Path to shared data ("../shared/data/..." next to the source tree), or
 * NULL when that folder is absent. Static buffer. */
const char *nr_test_shared_data(const char *rel);

/* Runs a shell command, returns its exit status; stdout+stderr go to the
 * file at out_path when non-NULL. */
int nr_test_run(const char *cmd, const char *out_path);

/* Reads a whole file (caller frees with free). NULL on failure. */
char *nr_test_read_file(const char *path, size_t *len);

/* The next line of *p, NUL-terminated in place (*p moves past it); NULL
 * at the end. */
char *nr_test_next_line(char **p);

/* The text of nr_model_summary (caller frees with free). */
char *nr_test_summary(const nr_model *m);
/* Checks that the summary holds want (printing it when not); returns 1 if so. */
int nr_test_summary_has(const nr_model *m, const char *want);
/* Checks that output out of m has shape want[0..ndim) (batch -1). */
void nr_test_shape_is(const nr_model *m, int out, int ndim, const int64_t *want);
/* Checks that loading SPEC text fails with status want (NR_OK: any
 * failure) and an error message holding needle. */
void nr_test_spec_fails(const char *spec, nr_status want, const char *needle);
/* Test accuracy of the SPEC model (seed 3) trained for epochs (batch 32)
 * on the bundled 8x8 digits: pixels / 16 when scaled, else 0..16; fed as
 * (N, 8, 8, 1), (N, 8, 8) or (N, 64) for ndim 4, 3, 2; an 80/20 split
 * with seed 7. -1 (and a failed check) when a step fails. */
double nr_test_digits_accuracy(const char *spec, int ndim, int scaled, int epochs);

#endif
