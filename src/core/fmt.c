/* Shortest round-trip spellings of doubles. Python's repr uses David
 * Gay's shortest digits; "%.Ne" for the smallest N that reads back gives
 * the same digits, since both are the shortest correctly rounded ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/fmt.h"

/* The shortest digits of |v| (no point) and its decimal exponent. */
static int shortest_digits(double v, char *digits, int *exp10) {
    char e[NR_FMT_SIZE];
    for (int p = 0; p <= 16; p++) {
        snprintf(e, sizeof e, "%.*e", p, v);
        if (strtod(e, NULL) == v) break;
    }
    int n = 0;
    char *x = strchr(e, 'e');
    for (const char *c = e; c < x; c++)
        if (*c >= '0' && *c <= '9') digits[n++] = *c;
    digits[n] = 0;
    *exp10 = atoi(x + 1);
    return n;
}

char *nr_fmt_pyrepr(char buf[NR_FMT_SIZE], double v) {
    if (isnan(v)) return strcpy(buf, "nan");
    if (isinf(v)) return strcpy(buf, v < 0 ? "-inf" : "inf");
    char d[24];
    int e, n = shortest_digits(fabs(v), d, &e), decpt = e + 1, k = 0;
    if (signbit(v)) buf[k++] = '-';
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            k += sprintf(buf + k, "0.");
            for (int i = decpt; i < 0; i++) buf[k++] = '0';
            k += sprintf(buf + k, "%s", d);
        } else {
            for (int i = 0; i < decpt; i++) buf[k++] = i < n ? d[i] : '0';
            buf[k++] = '.';
            if (n > decpt) k += sprintf(buf + k, "%s", d + decpt);
            else buf[k++] = '0';
        }
        buf[k] = 0;
        return buf;
    }
    buf[k++] = d[0];
    if (n > 1) k += sprintf(buf + k, ".%s", d + 1);
    sprintf(buf + k, "e%c%02d", e < 0 ? '-' : '+', abs(e));
    return buf;
}

char *nr_fmt_shortest(char buf[NR_FMT_SIZE], double v) {
    nr_fmt_pyrepr(buf, v);
    size_t n = strlen(buf);
    if (n > 2 && strcmp(buf + n - 2, ".0") == 0) buf[n - 2] = 0;
    return buf;
}
