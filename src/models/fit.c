/* fit(): epochs of shuffled mini-batches with validation, callbacks,
 * progress output and a History. Everything a step needs is reserved before
 * the first epoch; the loop itself allocates nothing. */
#include <math.h>
#include <string.h>
#include "core/rng.h"
#include "models/callback.h"
#include "models/history.h"
#include "models/progress.h"
#include "models/step.h"

nr_status nr_model_ready(nr_model *m, const nr_tensor *const *x, int need_compile);

typedef struct fit_data {
    const nr_tensor *const *x, *const *y;
    const nr_tensor *const *vx, *const *vy;
    int64_t n_train, val_start, n_val;
    float *weights;                  /* per row: class and sample weights, or NULL */
    int64_t *idx;
} fit_data;

/* The class a target row belongs to, for class_weight. */
static int64_t row_class(const nr_tensor *y, int64_t r) {
    int64_t k = nr_tensor_row_size(y);
    const float *v = y->data + r * k;
    if (k == 1) return (int64_t)lrintf(v[0]);
    int64_t best = 0;
    for (int64_t i = 1; i < k; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

static nr_status make_weights(const nr_fit_opts *o, const nr_tensor *y0, int64_t n, float **out) {
    *out = NULL;
    if (!o->class_weight && !o->sample_weight) return NR_OK;
    if (o->sample_weight && (o->sample_weight->ndim != 1 || o->sample_weight->shape[0] != n))
        return nr_error(NR_STATUS_BAD_SHAPE, "fit: sample_weight must have shape (%lld,)", (long long)n);
    float *w = nr_malloc((size_t)n * sizeof *w);
    if (!w) return NR_NOMEM();
    for (int64_t r = 0; r < n; r++) {
        float v = o->sample_weight ? o->sample_weight->data[r] : 1.0f;
        if (o->class_weight) {
            int64_t c = row_class(y0, r);
            if (c < 0 || c >= o->n_class_weight) {
                nr_free(w);
                return nr_error(NR_STATUS_BAD_ARGUMENT, "fit: row %lld has class %lld but class_weight has %d entries",
                                (long long)r, (long long)c, o->n_class_weight);
            }
            v *= o->class_weight[c];
        }
        w[r] = v;
    }
    *out = w;
    return NR_OK;
}

static nr_status split_data(nr_model *m, const nr_fit_opts *o, int64_t n, fit_data *d) {
    d->n_train = n;
    if (o->validation_x) {
        if (!o->validation_y) return nr_error(NR_STATUS_BAD_ARGUMENT, "fit: validation_x given without validation_y");
        nr_status s = nr_check_data(m, o->validation_x, o->validation_y, &d->n_val);
        if (s != NR_OK) return nr_error_prefix(s, "validation_data");
        d->vx = o->validation_x;
        d->vy = o->validation_y;
        return NR_OK;
    }
    if (o->validation_split < 0 || o->validation_split >= 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "fit: validation_split must be in [0, 1), got %g", o->validation_split);
    if (o->validation_split > 0) {
        /* Keras: the last fraction, taken before shuffling. */
        d->n_train = (int64_t)floor((double)n * (1.0 - o->validation_split));
        if (d->n_train < 1 || d->n_train == n)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "fit: validation_split=%g leaves an empty training or validation set of %lld rows",
                            o->validation_split, (long long)n);
        d->vx = d->x;
        d->vy = d->y;
        d->val_start = d->n_train;
        d->n_val = n - d->n_train;
    }
    return NR_OK;
}

static void shuffle(int64_t *idx, int64_t n, uint64_t seed, int on) {
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    nr_rng r = {seed};
    if (on) nr_shuffle(idx, n, &r);
}

typedef struct fit_run {
    nr_model *m;
    const nr_fit_opts *o;
    fit_data d;
    nr_progress prog;
    int batch;
    int64_t steps;
} fit_run;

static int has_nan_guard(const nr_fit_opts *o) {
    for (int i = 0; i < o->n_callbacks; i++)
        if (o->callbacks[i]->terminate_on_nan) return 1;
    return 0;
}

/* One epoch of training; fills logs. Returns NR_STATUS_NAN when a loss is
 * not finite and TerminateOnNaN is present. */
static nr_status run_epoch(fit_run *r, int epoch, nr_logs *logs) {
    nr_model *m = r->m;
    const nr_fit_opts *o = r->o;
    nr_acc acc = {0};
    shuffle(r->d.idx, r->d.n_train, nr_splitmix64(m->g->seed ^ (0xF17ull + (uint64_t)epoch)), !o->no_shuffle);
    int guard = has_nan_guard(o);
    for (int64_t s = 0; s < r->steps; s++) {
        int64_t start = s * r->batch, n = start + r->batch <= r->d.n_train ? r->batch : r->d.n_train - start;
        nr_batch b = {r->d.x, r->d.y, r->d.weights, r->d.idx, start, n};
        double before = acc.loss;
        NR_TRY(nr_train_step(m, &b, &acc));
        memset(logs, 0, sizeof *logs);
        nr_acc_logs(m, &acc, "", logs);
        if (guard && !isfinite(acc.loss - before)) {
            if (r->prog.verbose) fprintf(r->prog.f, "\nBatch %lld: Invalid loss, terminating training\n", (long long)s);
            return nr_error(NR_STATUS_NAN, "fit: loss became %g at epoch %d batch %lld", acc.loss - before, epoch + 1,
                            (long long)s);
        }
        nr_progress_batch(&r->prog, s + 1, logs);
        for (int c = 0; c < o->n_callbacks; c++) {
            const nr_callback_fns *f = &o->callbacks[c]->fns;
            if (f->on_batch_end && f->on_batch_end(m, (int)s, logs, f->user)) m->stop_training = 1;
        }
        if (m->stop_training) break; /* as Keras 3: the epoch ends after this batch */
    }
    if (r->d.n_val) {
        nr_acc vacc;
        NR_TRY(nr_run_eval(m, r->d.vx, r->d.vy, r->d.vx == r->d.x ? r->d.weights : NULL, r->d.val_start, r->d.n_val,
                           r->batch, &vacc));
        nr_acc_logs(m, &vacc, "val_", logs);
    }
    return NR_OK;
}

static nr_status fit_loop(fit_run *r, nr_history *h) {
    nr_model *m = r->m;
    const nr_fit_opts *o = r->o;
    int epochs = o->epochs > 0 ? o->epochs : 1;
    nr_logs logs = {0};
    nr_status s = NR_OK;
    for (int c = 0; c < o->n_callbacks; c++)
        if (o->callbacks[c]->fns.on_train_begin) o->callbacks[c]->fns.on_train_begin(m, o->callbacks[c]->fns.user);
    for (int epoch = o->initial_epoch; epoch < epochs && !m->stop_training && s == NR_OK; epoch++) {
        for (int c = 0; c < o->n_callbacks; c++)
            if (o->callbacks[c]->fns.on_epoch_begin) o->callbacks[c]->fns.on_epoch_begin(m, epoch, o->callbacks[c]->fns.user);
        nr_progress_epoch_begin(&r->prog, epoch, epochs, r->steps);
        s = run_epoch(r, epoch, &logs);
        if (s != NR_OK) break;
        nr_progress_epoch_end(&r->prog, &logs);
        if (h) s = nr_history_append(h, epoch, &logs);
        for (int c = 0; c < o->n_callbacks && s == NR_OK; c++) {
            const nr_callback_fns *f = &o->callbacks[c]->fns;
            if (f->on_epoch_end && f->on_epoch_end(m, epoch, &logs, f->user)) m->stop_training = 1;
        }
        if (s == NR_OK) s = m->callback_status;
    }
    for (int c = 0; c < o->n_callbacks; c++)
        if (o->callbacks[c]->fns.on_train_end) o->callbacks[c]->fns.on_train_end(m, &logs, o->callbacks[c]->fns.user);
    /* a built-in callback that failed at the end (CSVLogger's close, EarlyStopping's restore) */
    return s == NR_OK ? m->callback_status : s;
}

nr_status nr_model_fit(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y, const nr_fit_opts *o,
                       nr_history **history) {
    nr_fit_opts z = {0};
    if (!o) o = &z;
    if (history) *history = NULL;
    if (o->batch_size < 0 || o->epochs < 0 || o->initial_epoch < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "fit: batch_size, epochs and initial_epoch must be >= 0");
    NR_TRY(nr_model_ready(m, x, 1));
    int64_t n;
    NR_TRY(nr_check_data(m, x, y, &n));
    fit_run r = {.m = m, .o = o, .batch = o->batch_size ? o->batch_size : 32};
    r.d.x = x;
    r.d.y = y;
    NR_TRY(split_data(m, o, n, &r.d));
    if (r.batch > r.d.n_train) r.batch = (int)r.d.n_train;
    r.steps = (r.d.n_train + r.batch - 1) / r.batch;
    nr_history *h = NULL;
    nr_status s = make_weights(o, y[0], n, &r.d.weights);
    if (s == NR_OK) s = (r.d.idx = nr_malloc((size_t)r.d.n_train * sizeof *r.d.idx)) ? NR_OK : NR_NOMEM();
    if (s == NR_OK) s = nr_ensure_plan(m, &m->train_plan, r.batch, NR_PLAN_TRAIN);
    if (s == NR_OK && r.d.n_val) s = nr_ensure_plan(m, &m->eval_plan, r.batch, NR_PLAN_EVAL);
    if (s == NR_OK && history) s = nr_history_new(&h);
    if (s == NR_OK) {
        nr_progress_init(&r.prog, o->out, o->verbose);
        m->stop_training = 0;
        m->callback_status = NR_OK;
        s = fit_loop(&r, h);
    }
    nr_free(r.d.weights);
    nr_free(r.d.idx);
    if (history && (s == NR_OK || s == NR_STATUS_NAN)) *history = h;
    else nr_history_free(h);
    return s;
}
