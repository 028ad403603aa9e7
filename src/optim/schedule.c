/* Learning-rate schedules as keras/src/optimizers/schedules/
 * learning_rate_schedule.py, evaluated in double and rounded once to float
 * (Keras evaluates them in float32; the two agree to about 1 ulp). */
#include <math.h>
#include "optim_internal.h"

static const double nr_pi = 3.14159265358979323846;

static double cosine_decay(double step, double decay_steps, double from_lr, double alpha) {
    double cosine_decayed = 0.5 * (1.0 + cos(nr_pi * (step / decay_steps)));
    return from_lr * ((1.0 - alpha) * cosine_decayed + alpha);
}

float nr_lr_schedule_value(const nr_lr_schedule *s, int64_t step) {
    double t = (double)step;
    switch (s->kind) {
    case NR_LR_EXPONENTIAL_DECAY: {
        /* lr0 * rate^(step / decay_steps), the exponent floored when staircase */
        double p = t / (double)s->decay_steps;
        if (s->staircase) p = floor(p);
        return (float)((double)s->initial_learning_rate * pow((double)s->decay_rate, p));
    }
    case NR_LR_PIECEWISE_CONSTANT: {
        /* values[0] while step <= boundaries[0], values[i] while
         * boundaries[i-1] < step <= boundaries[i], values[n] after */
        int i = 0;
        while (i < s->n_boundaries && step > s->boundaries[i]) i++;
        return s->values[i];
    }
    case NR_LR_COSINE_DECAY: {
        double lr0 = s->initial_learning_rate, ds = (double)s->decay_steps;
        if (s->warmup_steps <= 0)
            return (float)cosine_decay(fmin(t, ds), ds, lr0, s->alpha);
        /* linear warmup lr0 -> warmup_target over warmup_steps, then the
         * cosine decays from warmup_target */
        double ws = (double)s->warmup_steps, target = s->warmup_target;
        t = fmin(t, ds + ws);
        if (t < ws) return (float)((target - lr0) * (t / ws) + lr0);
        return (float)cosine_decay(t - ws, ds, target, s->alpha);
    }
    case NR_LR_CONSTANT:
    case NR_LR_SCHEDULE_COUNT_:
        break;
    }
    return 0.0f;
}
