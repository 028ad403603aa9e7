/* Number spellings shared by the data preparation, the metrics' class
 * names and the CLI: the shortest text that reads back as the same
 * double, in C's style and in Python's repr() style (pandas labels). */
#ifndef NR_CORE_FMT_H
#define NR_CORE_FMT_H

#include <stddef.h>

/* Room for any spelling below. */
#define NR_FMT_SIZE 40

/* Python's repr without a trailing ".0": 0.1 -> "0.1", 190.0 -> "190",
 * 1e20 -> "1e+20". Returns buf. */
char *nr_fmt_shortest(char buf[NR_FMT_SIZE], double v);

/* Python's repr(float): shortest round trip, fixed notation for
 * 1e-4 <= |v| < 1e16 with at least one decimal ("2.0", "0.991"), else
 * "1e-05", "1.5e+16"; "inf", "-inf", "nan". Returns buf. */
char *nr_fmt_pyrepr(char buf[NR_FMT_SIZE], double v);

#endif
