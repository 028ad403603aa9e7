/* The anomaly-detection split: normal rows to train on, and validation
 * and test parts where one class is rare (the rule is in
 * neurona/autoencoder.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/core.h"
#include "core/rng.h"
#include "neurona/autoencoder.h"

/* flags[i] = 1 when row i of y is the anomaly class. */
static nr_status anomaly_flags(const nr_tensor *y, int64_t n, int cls, const char *what, int *flags) {
    if (!y || y->ndim < 1 || y->shape[0] != n || nr_tensor_row_size(y) != 1)
        return nr_error(NR_STATUS_BAD_SHAPE, "anomaly split: %s labels must be one class index per row (%lld rows)",
                        what, (long long)n);
    for (int64_t i = 0; i < n; i++) {
        float v = y->data[i];
        if (!(v >= 0 && v < 16777216.0f && v == floorf(v)))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly split: %s label %lld is %g, not a class index", what,
                            (long long)i, (double)v);
        flags[i] = (int)v == cls;
    }
    return NR_OK;
}

static nr_status check_opts(const nr_tensor *x, const nr_tensor *x_eval, const nr_anomaly_split_opts *o, double *rate,
                            double *val) {
    *rate = o->rate ? o->rate : 0.01;
    *val = o->val_fraction ? o->val_fraction : 0.5;
    if (!(*rate > 0 && *rate <= 0.5))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly split: rate must be in (0, 0.5], got %g", *rate);
    if (!(*val > 0 && *val < 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly split: val_fraction must be in (0, 1), got %g", *val);
    if (!x || !x_eval || x->ndim < 1 || x_eval->ndim < 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly split: no data");
    return NR_OK;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One part: normal rows norm[0..nn) and anomalies anom[0..na), taken in
 * the pool's order. */
static nr_status take_part(const nr_tensor *x, const int *flags, int64_t *norm, int64_t nn, const int64_t *anom,
                           int64_t na, nr_tensor **xp, int **fp) {
    memcpy(norm + nn, anom, (size_t)na * sizeof *anom);   /* norm has room for the whole pool */
    qsort(norm, (size_t)(nn + na), sizeof *norm, cmp_i64);
    NR_TRY(nr_tensor_take_rows(xp, x, norm, nn + na));
    if (!(*fp = nr_malloc((size_t)(nn + na) * sizeof **fp))) return NR_NOMEM();
    for (int64_t i = 0; i < nn + na; i++) (*fp)[i] = flags[norm[i]];
    return NR_OK;
}

/* Anomalies of one part: rate of its rows, at least one, at most avail. */
static int64_t part_anomalies(double rate, int64_t normals, int64_t avail) {
    int64_t k = (int64_t)llround(rate / (1 - rate) * (double)normals);
    if (k < 1) k = 1;
    return k < avail ? k : avail;
}

typedef struct pool {
    int *flags;
    int64_t *norm, *anom, n_norm, n_anom, *scratch;
} pool;

static nr_status split_pool(const nr_tensor *x, pool *p, double rate, double val, nr_anomaly_split *out) {
    int64_t vn = (int64_t)llround(val * (double)p->n_norm), va = (int64_t)llround(val * (double)p->n_anom);
    if (vn < 1 || vn >= p->n_norm || va < 1 || va >= p->n_anom)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly split: the evaluation data's %lld normal rows and %lld "
                        "anomalies cannot make validation and test parts that each hold both",
                        (long long)p->n_norm, (long long)p->n_anom);
    int64_t kv = part_anomalies(rate, vn, va), kt = part_anomalies(rate, p->n_norm - vn, p->n_anom - va);
    memcpy(p->scratch, p->norm, (size_t)vn * sizeof *p->norm);
    NR_TRY(take_part(x, p->flags, p->scratch, vn, p->anom, kv, &out->x_val, &out->val_anomaly));
    memcpy(p->scratch, p->norm + vn, (size_t)(p->n_norm - vn) * sizeof *p->norm);
    NR_TRY(take_part(x, p->flags, p->scratch, p->n_norm - vn, p->anom + va, kt, &out->x_test, &out->test_anomaly));
    out->val_anomalies = kv, out->test_anomalies = kt;
    return NR_OK;
}

/* The pool's rows shuffled, then parted into normal rows and anomalies. */
static nr_status shuffle_pool(const nr_tensor *y_eval, int64_t m, const nr_anomaly_split_opts *o, pool *p) {
    p->flags = nr_malloc((size_t)m * sizeof *p->flags);
    p->norm = nr_malloc((size_t)m * sizeof *p->norm);
    p->anom = nr_malloc((size_t)m * sizeof *p->anom);
    p->scratch = nr_malloc((size_t)m * sizeof *p->scratch);
    if (!p->flags || !p->norm || !p->anom || !p->scratch) return NR_NOMEM();
    NR_TRY(anomaly_flags(y_eval, m, o->anomaly_class, "evaluation", p->flags));
    for (int64_t i = 0; i < m; i++) p->scratch[i] = i;
    nr_rng r = {o->seed};
    nr_shuffle(p->scratch, m, &r);
    for (int64_t i = 0; i < m; i++) {
        int64_t row = p->scratch[i];
        if (p->flags[row]) p->anom[p->n_anom++] = row;
        else p->norm[p->n_norm++] = row;
    }
    if (!p->n_anom)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly split: the evaluation data holds no row of class %d, the "
                        "anomaly class", o->anomaly_class);
    return NR_OK;
}

static nr_status normal_train(const nr_tensor *x, const nr_tensor *y, int cls, nr_tensor **out) {
    int64_t n = x->shape[0], kept = 0;
    int *flags = nr_malloc((size_t)n * sizeof *flags);
    int64_t *idx = nr_malloc((size_t)n * sizeof *idx);
    nr_status s = flags && idx ? anomaly_flags(y, n, cls, "training", flags) : NR_NOMEM();
    for (int64_t i = 0; s == NR_OK && i < n; i++)
        if (!flags[i]) idx[kept++] = i;
    if (s == NR_OK && !kept)
        s = nr_error(NR_STATUS_BAD_ARGUMENT, "anomaly split: every training row is of class %d, the anomaly class", cls);
    if (s == NR_OK) s = nr_tensor_take_rows(out, x, idx, kept);
    nr_free(flags);
    nr_free(idx);
    return s;
}

nr_status nr_anomaly_split_new(const nr_tensor *x, const nr_tensor *y, const nr_tensor *x_eval,
                               const nr_tensor *y_eval, const nr_anomaly_split_opts *o, nr_anomaly_split *out) {
    if (!o || !out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_anomaly_split_new: NULL argument");
    memset(out, 0, sizeof *out);
    double rate, val;
    NR_TRY(check_opts(x, x_eval, o, &rate, &val));
    pool p = {0};
    nr_status s = normal_train(x, y, o->anomaly_class, &out->x_train);
    if (s == NR_OK) s = shuffle_pool(y_eval, x_eval->shape[0], o, &p);
    if (s == NR_OK) s = split_pool(x_eval, &p, rate, val, out);
    nr_free(p.flags);
    nr_free(p.norm);
    nr_free(p.anom);
    nr_free(p.scratch);
    if (s != NR_OK) nr_anomaly_split_free(out);
    return s;
}

void nr_anomaly_split_free(nr_anomaly_split *s) {
    if (!s) return;
    nr_tensor_free(s->x_train);
    nr_tensor_free(s->x_val);
    nr_tensor_free(s->x_test);
    nr_free(s->val_anomaly);
    nr_free(s->test_anomaly);
    memset(s, 0, sizeof *s);
}
