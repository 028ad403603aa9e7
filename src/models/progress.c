#include <string.h>
#include <time.h>
#include <unistd.h>
#include "models/progress.h"

double nr_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void nr_progress_init(nr_progress *p, FILE *f, int verbose) {
    memset(p, 0, sizeof *p);
    p->f = f ? f : stdout;
    p->verbose = verbose;
    p->tty = isatty(fileno(p->f));
}

void nr_progress_epoch_begin(nr_progress *p, int epoch, int epochs, int64_t steps) {
    p->steps = steps;
    p->t0 = nr_now();
    p->last_draw = 0;
    if (p->verbose >= 1) fprintf(p->f, "Epoch %d/%d\n", epoch + 1, epochs);
    fflush(p->f);
}

static void bar(char *buf, int64_t step, int64_t steps) {
    const int width = 30;
    int done = steps ? (int)(width * step / steps) : width;
    int k = 0;
    buf[k++] = '[';
    for (int i = 0; i < width; i++) {
        char c = '.';
        if (i < done - 1 || (i == done - 1 && step >= steps)) c = '=';
        else if (i == done - 1 || (done == 0 && i == 0 && step > 0)) c = '>';
        buf[k++] = c;
    }
    buf[k++] = ']';
    buf[k] = 0;
}

static void per_step(char *buf, size_t n, double secs) {
    if (secs >= 1) snprintf(buf, n, "%.0fs/step", secs);
    else if (secs >= 1e-3) snprintf(buf, n, "%.0fms/step", secs * 1e3);
    else snprintf(buf, n, "%.0fus/step", secs * 1e6);
}

void nr_progress_batch(nr_progress *p, int64_t step, const nr_logs *logs) {
    if (p->verbose != 1 || !p->tty || step >= p->steps) return;
    double t = nr_now();
    if (t - p->last_draw < 0.1) return;
    p->last_draw = t;
    char b[40], l[1024];
    bar(b, step, p->steps);
    double eta = (t - p->t0) / (double)step * (double)(p->steps - step);
    int w = snprintf(NULL, 0, "%lld", (long long)p->steps);
    fprintf(p->f, "\r%*lld/%lld %s - ETA: %.0fs - %s\033[K", w, (long long)step, (long long)p->steps, b, eta,
            nr_logs_format(logs, l, sizeof l));
    fflush(p->f);
}

void nr_progress_epoch_end(nr_progress *p, const nr_logs *logs) {
    if (p->verbose < 1) return;
    double secs = nr_now() - p->t0;
    char b[40], l[1024], ps[32];
    nr_logs_format(logs, l, sizeof l);
    per_step(ps, sizeof ps, p->steps ? secs / (double)p->steps : 0);
    if (p->verbose == 1) {
        bar(b, p->steps, p->steps);
        fprintf(p->f, "%s%lld/%lld %s - %.0fs %s - %s%s\n", p->tty ? "\r" : "", (long long)p->steps,
                (long long)p->steps, b, secs, ps, l, p->tty ? "\033[K" : "");
    } else {
        fprintf(p->f, "%lld/%lld - %.0fs - %s - %.0fs/epoch - %s\n", (long long)p->steps, (long long)p->steps, secs, l,
                secs, ps);
    }
    fflush(p->f);
}
