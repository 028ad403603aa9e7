/* NumPy's pairwise summation (numpy/core/src/umath/loops_utils.h), which
 * np.sum, np.mean and so sklearn's metrics use on float64 arrays: runs
 * under 8 values are added in order, runs up to 128 in 8 interleaved
 * partial sums, longer runs split in two halves (the first a multiple of
 * 8 long). The reduction starts from 0.0 as NumPy's add.reduce does. */
#include "core/npsum.h"

#define PW_BLOCKSIZE 128

static double pairwise(const double *a, int64_t n) {
    if (n < 8) {
        double res = 0.;
        for (int64_t i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= PW_BLOCKSIZE) {
        double r[8];
        int64_t i;
        for (int j = 0; j < 8; j++) r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

double nr_np_sum(const double *a, int64_t n) { return 0.0 + pairwise(a, n); }
