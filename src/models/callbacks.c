/* Built-in callbacks with Keras's behaviour: EarlyStopping,
 * ModelCheckpoint, CSVLogger, ReduceLROnPlateau, LearningRateScheduler,
 * TerminateOnNaN, and user callbacks from C. */
#include <math.h>
#include <string.h>
#include "io/atomic.h"
#include "models/callback.h"

nr_status nr_callback_alloc(size_t size, nr_callback **out) {
    *out = nr_calloc(1, size);
    return *out ? NR_OK : NR_NOMEM();
}

void nr_callback_free(nr_callback *cb) {
    if (!cb) return;
    if (cb->destroy) cb->destroy(cb);
    nr_free(cb);
}

nr_status nr_callback_new(const nr_callback_fns *fns, nr_callback **out) {
    NR_TRY(nr_callback_alloc(sizeof **out, out));
    (*out)->fns = *fns;
    return NR_OK;
}

nr_status nr_terminate_on_nan_new(nr_callback **out) {
    NR_TRY(nr_callback_alloc(sizeof **out, out));
    (*out)->terminate_on_nan = 1;
    return NR_OK;
}

/* Keras's "auto" mode: maximise accuracies, minimise everything else. */
static int maximise(const char *monitor, nr_monitor_mode mode) {
    if (mode != NR_MODE_AUTO) return mode == NR_MODE_MAX;
    return strstr(monitor, "acc") != NULL || strstr(monitor, "auc") != NULL;
}

static int better(double v, double best, double min_delta, int max) {
    return max ? v - min_delta > best : v + min_delta < best;
}

/* --- EarlyStopping ------------------------------------------------------ */

typedef struct early {
    nr_callback cb;
    nr_early_stopping_opts o;
    char monitor[48];
    int max, wait, best_epoch, stopped_epoch;
    double best;
    float *best_weights;
    int64_t n_weights;
} early;

static void early_begin(nr_model *m, void *user) {
    early *e = user;
    e->wait = 0;
    e->best_epoch = -1;
    e->stopped_epoch = 0;
    e->best = e->max ? -INFINITY : INFINITY;
    if (e->o.restore_best_weights) {
        /* sized for this model: the callback may be reused with another */
        int64_t n = nr_model_weights_size(m);
        if (n < 0) {
            nr_free(e->best_weights);
            e->best_weights = NULL;
            m->callback_status = NR_NOMEM();
            return;
        }
        if (!e->best_weights || n != e->n_weights) {
            nr_free(e->best_weights);
            e->n_weights = n;
            e->best_weights = nr_malloc((size_t)(n + 1) * sizeof(float));
            if (!e->best_weights) m->callback_status = NR_NOMEM();
        }
    }
}

/* Copies the weights for restore_best_weights; a failure stops training
 * (fit returns it) rather than restoring a stale copy later. */
static int early_snapshot(nr_model *m, early *e) {
    nr_status s = nr_model_get_weights(m, e->best_weights);
    if (s == NR_OK) return 0;
    m->callback_status = nr_error_prefix(s, "EarlyStopping");
    nr_free(e->best_weights);
    e->best_weights = NULL;
    return 1;
}

/* Keras 3's rule: wait counts epochs since the last improvement; an
 * improvement that does not beat the baseline does not reset it. */
static int early_epoch_end(nr_model *m, int epoch, const nr_logs *logs, void *user) {
    early *e = user;
    double v = nr_logs_get(logs, e->monitor);
    if (isnan(v) || epoch < e->o.start_from_epoch) return 0;
    if (e->best_weights && e->best_epoch < 0 && early_snapshot(m, e)) return 1;
    e->wait++;
    double delta = fabs(e->o.min_delta);
    if (better(v, e->best, delta, e->max)) {
        e->best = v;
        e->best_epoch = epoch;
        if (e->best_weights && early_snapshot(m, e)) return 1;
        if (!e->o.has_baseline || better(v, e->o.baseline, delta, e->max)) e->wait = 0;
        return 0;
    }
    if (e->wait >= e->o.patience && epoch > 0) {
        e->stopped_epoch = epoch;
        return 1;
    }
    return 0;
}

static void early_end(nr_model *m, const nr_logs *logs, void *user) {
    (void)logs;
    early *e = user;
    if (e->stopped_epoch > 0 && e->o.verbose) printf("Epoch %d: early stopping\n", e->stopped_epoch + 1);
    if (e->best_weights && e->best_epoch >= 0) {
        if (e->o.verbose) printf("Restoring model weights from the end of the best epoch: %d.\n", e->best_epoch + 1);
        nr_status s = nr_model_set_weights(m, e->best_weights);
        if (s != NR_OK) m->callback_status = nr_error_prefix(s, "EarlyStopping: restoring the best weights");
    }
}

static void early_destroy(nr_callback *cb) { nr_free(((early *)cb)->best_weights); }

nr_status nr_early_stopping_new(const nr_early_stopping_opts *o, nr_callback **out) {
    if (o->patience < 0) return nr_error(NR_STATUS_BAD_ARGUMENT, "EarlyStopping: patience must be >= 0");
    early *e;
    NR_TRY(nr_callback_alloc(sizeof *e, out));
    e = (early *)*out;
    e->o = *o;
    snprintf(e->monitor, sizeof e->monitor, "%s", o->monitor ? o->monitor : "val_loss");
    e->o.monitor = NULL;
    e->max = maximise(e->monitor, o->mode);
    e->cb.fns = (nr_callback_fns){.on_train_begin = early_begin, .on_epoch_end = early_epoch_end,
                                  .on_train_end = early_end, .user = e};
    e->cb.destroy = early_destroy;
    return NR_OK;
}

/* --- ModelCheckpoint ------------------------------------------------------ */

typedef struct checkpoint {
    nr_callback cb;
    nr_model_checkpoint_opts o;
    char path[1024], monitor[48];
    int max;
    double best;
} checkpoint;

/* Expands {epoch}, {epoch:02d}, {val_loss:.4f} and any other log key,
 * with Python's format spec turned into printf's. */
static void format_path(const char *tmpl, int epoch, const nr_logs *logs, char *out, size_t size) {
    size_t k = 0;
    for (const char *p = tmpl; *p && k + 1 < size;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) { out[k++] = *p++; continue; }
        char key[64] = "", spec[16] = "";
        const char *colon = memchr(p, ':', (size_t)(end - p));
        size_t klen = (size_t)((colon ? colon : end) - p - 1);
        if (klen >= sizeof key) klen = sizeof key - 1;
        memcpy(key, p + 1, klen);
        if (colon && (size_t)(end - colon - 1) < sizeof spec) memcpy(spec, colon + 1, (size_t)(end - colon - 1));
        char fmt[24];
        if (strcmp(key, "epoch") == 0) {
            snprintf(fmt, sizeof fmt, "%%%sd", spec[0] ? spec : "");
            if (spec[0] && spec[strlen(spec) - 1] == 'd') snprintf(fmt, sizeof fmt, "%%%s", spec);
            k += (size_t)snprintf(out + k, size - k, fmt, epoch + 1);
        } else {
            snprintf(fmt, sizeof fmt, "%%%s", spec[0] ? spec : "g");
            k += (size_t)snprintf(out + k, size - k, fmt, nr_logs_get(logs, key));
        }
        if (k >= size) k = size - 1;
        p = end + 1;
    }
    out[k] = 0;
}

static int checkpoint_epoch_end(nr_model *m, int epoch, const nr_logs *logs, void *user) {
    checkpoint *c = user;
    if (c->o.save_best_only) {
        double v = nr_logs_get(logs, c->monitor);
        if (isnan(v) || !better(v, c->best, 0, c->max)) return 0;
        if (c->o.verbose)
            printf("Epoch %d: %s improved from %.5f to %.5f, saving model\n", epoch + 1, c->monitor, c->best, v);
        c->best = v;
    }
    char path[1024];
    format_path(c->path, epoch, logs, path, sizeof path);
    nr_status s = nr_model_save(m, path);
    if (s != NR_OK) {
        m->callback_status = nr_error_prefix(s, "ModelCheckpoint");
        return 1;
    }
    return 0;
}

static void checkpoint_begin(nr_model *m, void *user) {
    (void)m;
    checkpoint *c = user;
    c->best = c->max ? -INFINITY : INFINITY;
}

nr_status nr_model_checkpoint_new(const nr_model_checkpoint_opts *o, nr_callback **out) {
    if (!o->filepath || !*o->filepath) return nr_error(NR_STATUS_BAD_ARGUMENT, "ModelCheckpoint: filepath is required");
    checkpoint *c;
    NR_TRY(nr_callback_alloc(sizeof *c, out));
    c = (checkpoint *)*out;
    c->o = *o;
    snprintf(c->path, sizeof c->path, "%s", o->filepath);
    snprintf(c->monitor, sizeof c->monitor, "%s", o->monitor ? o->monitor : "val_loss");
    c->o.filepath = c->o.monitor = NULL;
    c->max = maximise(c->monitor, o->mode);
    c->cb.fns = (nr_callback_fns){.on_train_begin = checkpoint_begin, .on_epoch_end = checkpoint_epoch_end, .user = c};
    return NR_OK;
}

/* --- CSVLogger ------------------------------------------------------------ */

typedef struct csv_logger {
    nr_callback cb;
    char path[1024];
    char sep;
    int append, wrote_header;
    FILE *f;
} csv_logger;

static void csv_begin(nr_model *m, void *user) {
    csv_logger *c = user;
    FILE *probe = c->append ? fopen(c->path, "r") : NULL;
    c->wrote_header = probe != NULL;
    if (probe) fclose(probe);
    c->f = fopen(c->path, c->append ? "a" : "w");
    if (!c->f) m->callback_status = nr_error(NR_STATUS_IO, "CSVLogger: cannot open %s", c->path);
}

static int csv_epoch_end(nr_model *m, int epoch, const nr_logs *logs, void *user) {
    (void)m;
    csv_logger *c = user;
    if (!c->f) return 1;
    if (!c->wrote_header) {
        fprintf(c->f, "epoch");
        for (int i = 0; i < logs->n; i++) fprintf(c->f, "%c%s", c->sep, logs->names[i]);
        fprintf(c->f, "\n");
        c->wrote_header = 1;
    }
    fprintf(c->f, "%d", epoch);
    for (int i = 0; i < logs->n; i++) fprintf(c->f, "%c%.9g", c->sep, logs->values[i]);
    fprintf(c->f, "\n");
    fflush(c->f);
    return 0;
}

static void csv_end(nr_model *m, const nr_logs *logs, void *user) {
    (void)logs;
    csv_logger *c = user;
    if (c->f && fclose(c->f) != 0) m->callback_status = nr_error(NR_STATUS_IO, "CSVLogger: cannot write %s", c->path);
    c->f = NULL;
}

static void csv_destroy(nr_callback *cb) {
    csv_logger *c = (csv_logger *)cb;
    if (c->f) fclose(c->f);
}

nr_status nr_csv_logger_new(const nr_csv_logger_opts *o, nr_callback **out) {
    if (!o->filename || !*o->filename) return nr_error(NR_STATUS_BAD_ARGUMENT, "CSVLogger: filename is required");
    csv_logger *c;
    NR_TRY(nr_callback_alloc(sizeof *c, out));
    c = (csv_logger *)*out;
    snprintf(c->path, sizeof c->path, "%s", o->filename);
    c->sep = o->separator ? o->separator : ',';
    c->append = o->append;
    c->cb.fns = (nr_callback_fns){.on_train_begin = csv_begin, .on_epoch_end = csv_epoch_end, .on_train_end = csv_end, .user = c};
    c->cb.destroy = csv_destroy;
    return NR_OK;
}

/* --- ReduceLROnPlateau ------------------------------------------------------ */

typedef struct reduce_lr {
    nr_callback cb;
    nr_reduce_lr_opts o;
    char monitor[48];
    int max, wait, cooldown_left;
    double best;
} reduce_lr;

static void reduce_begin(nr_model *m, void *user) {
    (void)m;
    reduce_lr *r = user;
    r->wait = r->cooldown_left = 0;
    r->best = r->max ? -INFINITY : INFINITY;
}

static int reduce_epoch_end(nr_model *m, int epoch, const nr_logs *logs, void *user) {
    reduce_lr *r = user;
    double v = nr_logs_get(logs, r->monitor);
    if (isnan(v)) return 0;
    if (r->cooldown_left > 0) { r->cooldown_left--; r->wait = 0; }
    if (better(v, r->best, r->o.min_delta, r->max)) { r->best = v; r->wait = 0; return 0; }
    if (r->cooldown_left > 0 || ++r->wait < r->o.patience) return 0;
    float lr = nr_model_learning_rate(m);
    if (lr > r->o.min_lr) {
        float next = fmaxf(lr * r->o.factor, r->o.min_lr);
        nr_model_set_learning_rate(m, next);
        if (r->o.verbose) printf("Epoch %d: ReduceLROnPlateau reducing learning rate to %g.\n", epoch + 1, next);
        r->cooldown_left = r->o.cooldown;
        r->wait = 0;
    }
    return 0;
}

nr_status nr_reduce_lr_on_plateau_new(const nr_reduce_lr_opts *o, nr_callback **out) {
    reduce_lr *r;
    float factor = o->factor ? o->factor : 0.1f;
    if (!(factor > 0 && factor < 1)) return nr_error(NR_STATUS_BAD_ARGUMENT, "ReduceLROnPlateau: factor must be in (0, 1), got %g", factor);
    NR_TRY(nr_callback_alloc(sizeof *r, out));
    r = (reduce_lr *)*out;
    r->o = *o;
    r->o.factor = factor;
    r->o.patience = o->patience ? o->patience : 10;
    r->o.min_delta = o->min_delta ? o->min_delta : 1e-4f;
    snprintf(r->monitor, sizeof r->monitor, "%s", o->monitor ? o->monitor : "val_loss");
    r->o.monitor = NULL;
    r->max = maximise(r->monitor, o->mode);
    r->cb.fns = (nr_callback_fns){.on_train_begin = reduce_begin, .on_epoch_end = reduce_epoch_end, .user = r};
    return NR_OK;
}

/* --- LearningRateScheduler -------------------------------------------------- */

typedef struct lr_sched {
    nr_callback cb;
    float (*fn)(int epoch, float lr, void *user);
    void *user;
    int verbose;
} lr_sched;

static void sched_epoch_begin(nr_model *m, int epoch, void *user) {
    lr_sched *s = user;
    float lr = s->fn(epoch, nr_model_learning_rate(m), s->user);
    if (nr_model_set_learning_rate(m, lr) != NR_OK) m->callback_status = NR_STATUS_BAD_ARGUMENT;
    if (s->verbose) printf("\nEpoch %d: LearningRateScheduler setting learning rate to %g.\n", epoch + 1, lr);
}

nr_status nr_lr_scheduler_new(float (*fn)(int, float, void *), void *user, int verbose, nr_callback **out) {
    if (!fn) return nr_error(NR_STATUS_BAD_ARGUMENT, "LearningRateScheduler: schedule function is NULL");
    lr_sched *s;
    NR_TRY(nr_callback_alloc(sizeof *s, out));
    s = (lr_sched *)*out;
    s->fn = fn;
    s->user = user;
    s->verbose = verbose;
    s->cb.fns = (nr_callback_fns){.on_epoch_begin = sched_epoch_begin, .user = s};
    return NR_OK;
}
