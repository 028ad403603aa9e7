#ifndef NR_HISTORY_H
#define NR_HISTORY_H

#include "io/atomic.h"
#include "models/model_internal.h"

nr_status nr_history_new(nr_history **out);
nr_status nr_history_append(nr_history *h, int epoch, const nr_logs *logs);

#endif
