/* Internal helpers shared by every subsystem: allocation through the hook,
 * setting the last error, and the invariant assert. */
#ifndef NR_CORE_H
#define NR_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "neurona/status.h"

void *nr_malloc(size_t size);
void *nr_calloc(size_t n, size_t size);
void *nr_realloc(void *p, size_t size);
void nr_free(void *p);
char *nr_strdup(const char *s);

/* Large float buffers for activations and parameters: 64-byte aligned and
 * pre-faulted, since first-touch page faults are very slow on small VMs. */
float *nr_alloc_floats(size_t n);
void nr_free_floats(float *p);

/* Sets the thread's last error and returns s, so a failure is one line:
 *   return nr_error(NR_STATUS_BAD_SHAPE, "Dense: input %s", shape); */
nr_status nr_error(nr_status s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to the current last error and returns s, so callers
 * add where the failure happened without losing what it was. */
nr_status nr_error_prefix(nr_status s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Broken invariants are programmer errors, not user errors. */
#define NR_ASSERT(cond) \
    do { if (!(cond)) nr_assert_fail(#cond, __FILE__, __LINE__); } while (0)
void nr_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#define NR_TRY(expr) \
    do { nr_status nr_try_s_ = (expr); if (nr_try_s_ != NR_OK) return nr_try_s_; } while (0)

#define NR_NOMEM() nr_error(NR_STATUS_NO_MEMORY, "out of memory at %s:%d", __FILE__, __LINE__)

/* Thread budget applied to OpenMP and OpenBLAS before each parallel phase. */
void nr_threads_init(void);

#endif
