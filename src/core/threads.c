/* One thread budget for OpenMP and OpenBLAS. neurona links the OpenMP
 * build of OpenBLAS, so both draw on one OpenMP pool: a BLAS call made
 * inside one of our parallel regions runs single-threaded instead of
 * spawning a second set of threads. */
#include <stdlib.h>
#include <omp.h>
#include "core.h"

extern void openblas_set_num_threads(int);
extern char *openblas_get_corename(void);

static int budget;
/* A thread's own budget (0: the process's), for trials trained side by side. */
static _Thread_local int own_budget;

static int threads_from_env(void) {
    const char *s = getenv("NEURONA_NUM_THREADS");
    if (s && *s) {
        int n = atoi(s);
        if (n > 0) return n;
    }
    return omp_get_num_procs();
}

void nr_threads_init(void) {
    if (budget == 0) nr_set_num_threads(threads_from_env());
}

int nr_num_threads(void) {
    if (own_budget) return own_budget;
    nr_threads_init();
    return budget;
}

void nr_set_thread_num_threads(int n) {
    own_budget = n > 0 ? n : 0;
    omp_set_num_threads(nr_num_threads());
}

void nr_set_num_threads(int n) {
    if (n < 1) n = 1;
    budget = n;
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
}

const char *nr_blas_corename(void) { return openblas_get_corename(); }
