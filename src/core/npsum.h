/* NumPy's summation order, for the metrics and the data preparation,
 * whose results must agree with NumPy's where rounding decides (a
 * constant column's variance is 0 only if the mean is exact). */
#ifndef NR_CORE_NPSUM_H
#define NR_CORE_NPSUM_H

#include <stdint.h>

/* Sum of a[0..n) in NumPy's pairwise order (np.sum of a float64 array). */
double nr_np_sum(const double *a, int64_t n);

#endif
