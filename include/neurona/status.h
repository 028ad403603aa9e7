/* neurona: status codes, the last-error message, the allocation hook and
 * the thread budget. Every fallible call in neurona returns an nr_status;
 * on failure nr_last_error() holds a message saying what failed and where
 * (file:line:col, tensor shapes, valid choices). The library never exits. */
#ifndef NEURONA_STATUS_H
#define NEURONA_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nr_status {
    NR_OK = 0,
    NR_STATUS_NO_MEMORY,        /* an allocation failed */
    NR_STATUS_BAD_ARGUMENT,     /* a parameter is out of range or NULL */
    NR_STATUS_BAD_SHAPE,        /* tensor shapes do not fit together */
    NR_STATUS_IO,               /* open/read/write/rename failed */
    NR_STATUS_BAD_FORMAT,       /* a file's content is malformed/corrupt */
    NR_STATUS_BAD_VERSION,      /* a file format version we cannot read */
    NR_STATUS_PARSE,            /* a model SPEC or CSV could not be parsed */
    NR_STATUS_UNSUPPORTED,      /* valid request that neurona cannot do */
    NR_STATUS_NOT_DIFFERENTIABLE, /* training through a forward-only op */
    NR_STATUS_STATE,            /* call made in the wrong state (e.g. fit before compile) */
    NR_STATUS_NAN,              /* a loss became NaN/inf (TerminateOnNaN) */
    NR_STATUS_COUNT_
} nr_status;

/* Static name of a status ("NR_STATUS_BAD_SHAPE"). Never NULL. */
const char *nr_status_str(nr_status s);

/* The message of the last failure in this thread. Borrowed: valid until the
 * next neurona call in the same thread. Empty string when none. */
const char *nr_last_error(void);

/* Clears the last-error message of this thread. */
void nr_clear_error(void);

/* Allocation hook. Every allocation in the library goes through it, so a
 * test can count allocations or make the Nth one fail. A zero field means
 * the C library's function. */
typedef struct nr_alloc_hooks {
    void *(*malloc_fn)(size_t size, void *user);
    void *(*realloc_fn)(void *p, size_t size, void *user);
    void (*free_fn)(void *p, void *user);
    void *user;
} nr_alloc_hooks;

/* Installs hooks (NULL restores the defaults). Not thread-safe: call it
 * before other neurona calls. */
void nr_set_alloc_hooks(const nr_alloc_hooks *hooks);

/* Number of threads neurona uses for its kernels and for OpenBLAS.
 * Default: the NEURONA_NUM_THREADS environment variable, else all cores.
 * OpenMP and OpenBLAS share this one budget so they never oversubscribe. */
int nr_num_threads(void);
void nr_set_num_threads(int n);
/* The calling thread's own budget, for threads that each train a model
 * side by side (the tuner's trials); n <= 0 returns to the process's. */
void nr_set_thread_num_threads(int n);

/* Name of the OpenBLAS kernel in use (e.g. "Haswell", "Zen"). */
const char *nr_blas_corename(void);

/* Library version "MAJOR.MINOR.PATCH". */
const char *nr_version(void);

#ifdef __cplusplus
}
#endif
#endif
