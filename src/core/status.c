/* Status names and the per-thread last-error message. */
#include <stdio.h>
#include <string.h>
#include "core.h"

static _Thread_local char last_error[2048];

static const char *const status_names[NR_STATUS_COUNT_] = {
    [NR_OK] = "NR_OK",
    [NR_STATUS_NO_MEMORY] = "NR_STATUS_NO_MEMORY",
    [NR_STATUS_BAD_ARGUMENT] = "NR_STATUS_BAD_ARGUMENT",
    [NR_STATUS_BAD_SHAPE] = "NR_STATUS_BAD_SHAPE",
    [NR_STATUS_IO] = "NR_STATUS_IO",
    [NR_STATUS_BAD_FORMAT] = "NR_STATUS_BAD_FORMAT",
    [NR_STATUS_BAD_VERSION] = "NR_STATUS_BAD_VERSION",
    [NR_STATUS_PARSE] = "NR_STATUS_PARSE",
    [NR_STATUS_UNSUPPORTED] = "NR_STATUS_UNSUPPORTED",
    [NR_STATUS_NOT_DIFFERENTIABLE] = "NR_STATUS_NOT_DIFFERENTIABLE",
    [NR_STATUS_STATE] = "NR_STATUS_STATE",
    [NR_STATUS_NAN] = "NR_STATUS_NAN",
};

const char *nr_status_str(nr_status s) {
    if ((unsigned)s >= NR_STATUS_COUNT_) return "NR_STATUS_UNKNOWN";
    return status_names[s];
}

const char *nr_last_error(void) { return last_error; }

void nr_clear_error(void) { last_error[0] = 0; }

nr_status nr_error(nr_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

nr_status nr_error_prefix(nr_status s, const char *fmt, ...) {
    char prefix[512], old[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, last_error, sizeof old);
    size_t n = strlen(prefix);
    if (n > sizeof last_error - 3) n = sizeof last_error - 3;
    memcpy(last_error, prefix, n);
    memcpy(last_error + n, ": ", 2);
    size_t room = sizeof last_error - n - 3;
    size_t m = strnlen(old, room);
    memcpy(last_error + n + 2, old, m);
    last_error[n + 2 + m] = 0;
    return s;
}

void nr_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "neurona: internal error: %s:%d: assertion failed: %s\n", file, line, expr);
    abort();
}

const char *nr_version(void) { return NEURONA_VERSION; }
