/* Internal layout of an optimizer, shared by the driver (optimizer.c), the
 * fast update kernels (update_fast.c) and the plain reference kernels that
 * mirror Keras's update_step() op for op (update_ref.c). */
#ifndef NR_OPTIM_INTERNAL_H
#define NR_OPTIM_INTERNAL_H

#include "core/core.h"
#include "neurona/optim.h"

#define NR_OPTIM_MAX_SLOTS 3
/* Variables at least this long are updated by an OpenMP parallel loop;
 * shorter ones by a plain vectorized loop, which is cheaper than a fork. */
#define NR_OPTIM_PAR_MIN 32768
/* Elements per parallel work item (a multiple of 16 floats = 64 bytes). */
#define NR_OPTIM_CHUNK 8192

struct nr_optimizer {
    nr_optimizer_opts opts;     /* resolved: no zero-means-default field left */
    nr_param_range *vars;       /* sorted by offset, non-overlapping */
    int n_vars;
    size_t span;                /* max(offset + size) */
    int n_slots;
    const char *slot_names[NR_OPTIM_MAX_SLOTS];
    float *slot[NR_OPTIM_MAX_SLOTS]; /* each span floats, inside state */
    float *state;               /* n_slots * span + n_scalars floats */
    size_t state_size;
    float *scalars;             /* Nadam: scalars[0] = u_product */
    int n_scalars;
    int64_t iterations;
    int reference;
};

/* One step after the driver has computed lr and advanced Nadam's
 * u_product: clipping, weight decay and the update of every variable.
 * iterations is not yet incremented. */
void nr_optim_step_fast(nr_optimizer *o, float *w, float *g, float lr);
void nr_optim_step_ref(nr_optimizer *o, float *w, float *g, float lr);

/* Sum of squares of g[off .. off+n), accumulated in double (parallel for
 * large n in the fast path). */
double nr_optim_sumsq_fast(const float *g, size_t n);
double nr_optim_sumsq_ref(const float *g, size_t n);

#endif
