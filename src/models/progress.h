/* Keras-style progress output for fit(): "Epoch 3/100", then a bar
 * "60/60 [==============================] - 0s 2ms/step - loss: ..." (live
 * with an ETA on a terminal at verbose 1), or one line per epoch at
 * verbose 2. */
#ifndef NR_PROGRESS_H
#define NR_PROGRESS_H

#include <stdio.h>
#include "neurona/model.h"

typedef struct nr_progress {
    FILE *f;
    int verbose, tty;
    int64_t steps;
    double t0, last_draw;
} nr_progress;

double nr_now(void);
void nr_progress_init(nr_progress *p, FILE *f, int verbose);
void nr_progress_epoch_begin(nr_progress *p, int epoch, int epochs, int64_t steps);
void nr_progress_batch(nr_progress *p, int64_t step, const nr_logs *logs);
void nr_progress_epoch_end(nr_progress *p, const nr_logs *logs);

#endif
