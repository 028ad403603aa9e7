/* Round tick values, as matplotlib's default locator (MaxNLocator with
 * steps 1, 2, 2.5, 5, 10) chooses them: the smallest step from that list,
 * times a power of ten, that needs at most max_ticks intervals, made
 * smaller while fewer than two ticks fall inside the range; labels with as
 * many decimals as the step has, and a true minus sign. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "plot/plot.h"

enum { MAX_TICKS = 16 };

static int fill(double lo, double hi, double step, double *ticks) {
    double k0 = ceil(lo / step - 1e-9), k1 = floor(hi / step + 1e-9);
    int n = 0;
    for (double k = k0; k <= k1 && n < MAX_TICKS; k++) {
        double t = k * step;
        ticks[n++] = fabs(t) < step * 1e-9 ? 0 : t;
    }
    return n;
}

int plot_ticks(double lo, double hi, int max_ticks, double *ticks, double *step) {
    static const double steps[] = {1, 2, 2.5, 5, 10};
    double raw = (hi - lo) / (max_ticks < 1 ? 1 : max_ticks), scale = pow(10, floor(log10(raw)));
    int i = 0;
    while (i < 4 && steps[i] * scale < raw * (1 - 1e-9)) i++;
    int n = 0;
    for (; i >= 0; i--) {
        *step = steps[i] * scale;
        n = fill(lo, hi, *step, ticks);
        if (n >= 2) break;
    }
    return n;
}

void plot_tick_label(double v, double step, char *buf, size_t size) {
    char tmp[64];
    if (fabs(v) >= 1e6 || step < 1e-4) {
        snprintf(tmp, sizeof tmp, "%.6g", v);
    } else {
        int d = 0;
        while (d < 8 && fabs(step * pow(10, d) - nearbyint(step * pow(10, d))) > 1e-6 * step * pow(10, d)) d++;
        snprintf(tmp, sizeof tmp, "%.*f", d, v);
    }
    if (tmp[0] == '-') snprintf(buf, size, "\xe2\x88\x92%s", tmp + 1);   /* U+2212 MINUS SIGN */
    else snprintf(buf, size, "%s", tmp);
}
