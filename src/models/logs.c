/* Named figures of an epoch: lookup and Keras's "loss: 0.3497 - accuracy:
 * 0.8750" formatting. */
#include <math.h>
#include <string.h>
#include "neurona/model.h"

double nr_logs_get(const nr_logs *logs, const char *name) {
    for (int i = 0; i < logs->n; i++)
        if (strcmp(logs->names[i], name) == 0) return logs->values[i];
    return NAN;
}

char *nr_logs_format(const nr_logs *logs, char *buf, size_t size) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < logs->n && k < size; i++) {
        double v = logs->values[i];
        const char *fmt = fabs(v) >= 1e-3 || v == 0 ? "%s%s: %.4f" : "%s%s: %.4e";
        k += (size_t)snprintf(buf + k, size - k, fmt, i ? " - " : "", logs->names[i], v);
    }
    return buf;
}
