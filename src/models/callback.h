/* Internal: callbacks are a table of hooks; the built-in ones keep their
 * state in a larger struct that starts with nr_callback. */
#ifndef NR_CALLBACK_H
#define NR_CALLBACK_H

#include "models/model_internal.h"

struct nr_callback {
    nr_callback_fns fns;
    void (*destroy)(nr_callback *cb);   /* frees extra state, may be NULL */
    int terminate_on_nan;
};

nr_status nr_callback_alloc(size_t size, nr_callback **out);

#endif
