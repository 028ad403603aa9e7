/* Train/test split, plain or stratified. A splitmix64 stream seeded by the
 * caller drives Fisher-Yates shuffles (data_internal.h), so a seed names
 * one split on every platform. Stratification follows sklearn's
 * StratifiedShuffleSplit: each class sends floor(n_test * n_c / N) rows to
 * the test part, and the rows left over go to the classes with the largest
 * remainders (ties to the lower class), which keeps proportions within one
 * row of exact. */
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "core/rng.h"
#include "data/data_internal.h"
#include "neurona/data.h"

/* Class of each row: the value for (N,) and (N, 1), argmax for one-hot. */
static nr_status row_classes(const nr_tensor *y, int64_t n, int64_t *cls) {
    int64_t k = nr_tensor_row_size(y);
    for (int64_t i = 0; i < n; i++) {
        const float *row = y->data + i * k;
        if (k > 1) {
            int64_t best = 0;
            for (int64_t j = 1; j < k; j++)
                if (row[j] > row[best]) best = j;
            cls[i] = best;
            continue;
        }
        float v = row[0];
        if (!(v >= 0 && v < 16777216.0f && v == floorf(v)))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "train_test_split: stratify needs class indices, but y[%lld] = %g",
                            (long long)i, (double)v);
        cls[i] = (int64_t)v;
    }
    return NR_OK;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Renumbers classes 0..K-1 in sorted order, so sparse labels cost nothing. */
static nr_status dense_classes(int64_t *cls, int64_t n, int64_t *k_out) {
    int64_t *u = nr_malloc((size_t)n * sizeof *u);
    if (!u) return NR_NOMEM();
    memcpy(u, cls, (size_t)n * sizeof *u);
    qsort(u, (size_t)n, sizeof *u, cmp_i64);
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || u[i] != u[k - 1]) u[k++] = u[i];
    for (int64_t i = 0; i < n; i++) cls[i] = (int64_t *)bsearch(&cls[i], u, (size_t)k, sizeof *u, cmp_i64) - u;
    nr_free(u);
    *k_out = k;
    return NR_OK;
}

typedef struct class_rem {
    int64_t rem, cls;
} class_rem;

/* Largest remainder first, then lower class. */
static int cmp_rem(const void *a, const void *b) {
    const class_rem *x = a, *y = b;
    if (x->rem != y->rem) return x->rem < y->rem ? 1 : -1;
    return (x->cls > y->cls) - (x->cls < y->cls);
}

/* Test rows per class (see the file comment). */
static nr_status test_counts(const int64_t *count, int64_t k, int64_t n, int64_t n_test, int64_t *take) {
    class_rem *order = nr_malloc((size_t)k * sizeof *order);
    if (!order) return NR_NOMEM();
    int64_t left = n_test;
    for (int64_t c = 0; c < k; c++) {
        take[c] = n_test * count[c] / n;   /* n <= 2^31, so no overflow */
        order[c] = (class_rem){n_test * count[c] % n, c};
        left -= take[c];
    }
    qsort(order, (size_t)k, sizeof *order, cmp_rem);
    for (int64_t i = 0; left > 0; i = (i + 1) % k)
        if (take[order[i].cls] < count[order[i].cls]) take[order[i].cls]++, left--;
    nr_free(order);
    return NR_OK;
}

static nr_status check_counts(const int64_t *count, int64_t k) {
    for (int64_t c = 0; c < k; c++)
        if (count[c] < 2)
            return nr_error(NR_STATUS_BAD_ARGUMENT,
                            "train_test_split: class %lld (in sorted order) has only 1 row; stratify needs 2",
                            (long long)c);
    return NR_OK;
}

/* Groups row indices by class (counting sort), shuffles each group and
 * deals its first take[c] rows to the test part, the rest to training;
 * then shuffles each part so classes are interleaved. */
static void deal(const int64_t *cls, int64_t n, int64_t k, int64_t n_test, const int64_t *count, const int64_t *take,
                 int64_t *start, int64_t *grouped, nr_rng *rng, int64_t *perm) {
    start[0] = 0;
    for (int64_t c = 0; c < k; c++) start[c + 1] = start[c] + count[c];
    for (int64_t i = n - 1; i >= 0; i--) grouped[--start[cls[i] + 1]] = i;   /* leaves start[c + 1] = begin of c */
    int64_t t = 0, r = n_test;
    for (int64_t c = 0; c < k; c++) {
        int64_t *g = grouped + start[c + 1];
        nr_shuffle(g, count[c], rng);
        for (int64_t j = 0; j < count[c]; j++) perm[j < take[c] ? t++ : r++] = g[j];
    }
    nr_shuffle(perm, n_test, rng);
    nr_shuffle(perm + n_test, n - n_test, rng);
}

static nr_status stratified_perm(const int64_t *cls, int64_t n, int64_t k, int64_t n_test, nr_rng *rng,
                                 int64_t *perm) {
    int64_t *count = nr_calloc((size_t)k, sizeof *count), *take = nr_malloc((size_t)k * sizeof *take);
    int64_t *start = nr_malloc(((size_t)k + 1) * sizeof *start), *grouped = nr_malloc((size_t)n * sizeof *grouped);
    nr_status s = count && take && start && grouped ? NR_OK : NR_NOMEM();
    for (int64_t i = 0; s == NR_OK && i < n; i++) count[cls[i]]++;
    if (s == NR_OK) s = check_counts(count, k);
    if (s == NR_OK) s = test_counts(count, k, n, n_test, take);
    if (s == NR_OK) deal(cls, n, k, n_test, count, take, start, grouped, rng, perm);
    nr_free(count);
    nr_free(take);
    nr_free(start);
    nr_free(grouped);
    return s;
}

static nr_status make_perm(const nr_tensor *y, int64_t n, int64_t n_test, uint64_t seed, int stratify,
                           int64_t *perm) {
    nr_rng rng = {seed};
    if (!stratify) {
        for (int64_t i = 0; i < n; i++) perm[i] = i;
        nr_shuffle(perm, n, &rng);
        return NR_OK;
    }
    int64_t *cls = nr_malloc((size_t)n * sizeof *cls), k = 0;
    if (!cls) return NR_NOMEM();
    nr_status s = row_classes(y, n, cls);
    if (s == NR_OK) s = dense_classes(cls, n, &k);
    if (s == NR_OK) s = stratified_perm(cls, n, k, n_test, &rng, perm);
    nr_free(cls);
    return s;
}

static nr_status check_args(const nr_tensor *x, const nr_tensor *y, float frac, int stratify, int64_t *n_test) {
    if (!x || x->ndim < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "train_test_split: x needs a row dimension");
    int64_t n = x->shape[0];
    if (y && (y->ndim < 1 || y->shape[0] != n))
        return nr_error(NR_STATUS_BAD_SHAPE, "train_test_split: x has %lld rows but y has %lld", (long long)n,
                        y->ndim ? (long long)y->shape[0] : 0LL);
    if (stratify && !y) return nr_error(NR_STATUS_BAD_ARGUMENT, "train_test_split: stratify needs y");
    if (!(frac > 0 && frac < 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "train_test_split: test_fraction %g is not in (0, 1)", (double)frac);
    if (n > INT32_MAX) return nr_error(NR_STATUS_UNSUPPORTED, "train_test_split: more than 2^31 rows");
    /* 0.2f is 0.2000000030: round to 6 decimals so 150 rows give 30, as in
     * sklearn's ceil(n * 0.2). */
    double f = round((double)frac * 1e6) / 1e6;
    *n_test = (int64_t)ceil((double)n * f);
    if (*n_test < 1 || *n_test >= n)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "train_test_split: test_fraction %g of %lld rows leaves an empty part", (double)frac,
                        (long long)n);
    return NR_OK;
}

nr_status nr_train_test_split(const nr_tensor *x, const nr_tensor *y, float test_fraction, uint64_t seed,
                              int stratify, nr_tensor **x_train, nr_tensor **x_test, nr_tensor **y_train,
                              nr_tensor **y_test) {
    if (!x_train || !x_test || (y && (!y_train || !y_test)))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "train_test_split: output pointers must not be NULL");
    nr_tensor **outs[4] = {x_train, x_test, y_train, y_test};
    for (int i = 0; i < 4; i++)
        if (outs[i]) *outs[i] = NULL;
    int64_t n_test = 0;
    NR_TRY(check_args(x, y, test_fraction, stratify, &n_test));
    int64_t n = x->shape[0];
    int64_t *perm = nr_malloc((size_t)n * sizeof *perm);
    if (!perm) return NR_NOMEM();
    nr_status s = make_perm(y, n, n_test, seed, stratify, perm);
    if (s == NR_OK) s = nr_tensor_take_rows(x_test, x, perm, n_test);
    if (s == NR_OK) s = nr_tensor_take_rows(x_train, x, perm + n_test, n - n_test);
    if (s == NR_OK && y) s = nr_tensor_take_rows(y_test, y, perm, n_test);
    if (s == NR_OK && y) s = nr_tensor_take_rows(y_train, y, perm + n_test, n - n_test);
    nr_free(perm);
    if (s != NR_OK)
        for (int i = 0; i < 4; i++)
            if (outs[i]) {
                nr_tensor_free(*outs[i]);
                *outs[i] = NULL;
            }
    return s;
}
