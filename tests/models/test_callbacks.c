/* Callbacks with Keras 3's behaviour, on a small regression problem:
 *   - EarlyStopping: patience, min_delta, mode, baseline, start_from_epoch,
 *     and restore_best_weights (the model evaluates as at its best epoch);
 *   - ModelCheckpoint: {epoch:02d} and {val_loss:.4f} in file names, every
 *     epoch or save_best_only, and a checkpoint that loads as that epoch;
 *   - CSVLogger: header, one row per epoch equal to the History, separator,
 *     append;
 *   - ReduceLROnPlateau: the rate falls by factor after patience flat
 *     epochs, not below min_lr, with cooldown;
 *   - LearningRateScheduler: a C function sets each epoch's rate;
 *   - TerminateOnNaN: a diverging run stops with NR_STATUS_NAN;
 *   - a user callback sees every hook the right number of times and stops
 *     training from on_epoch_end or, mid-epoch, from on_batch_end. */
#include <dirent.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

#define F 4
#define N_TRAIN 64
#define N_VAL 32
#define BATCH 16

static char dir[64];
static nr_tensor *xtr, *ytr, *xva, *yva;

static const char *tmp_path(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* y = sin(x . w) + noise-free offset, a smooth target an MLP can fit. */
static void make_data(int64_t n, uint64_t seed, nr_tensor **x, nr_tensor **y) {
    int64_t xs[2] = {n, F}, ys[2] = {n, 1};
    CHECK_OK(nr_tensor_new(x, 2, xs));
    CHECK_OK(nr_tensor_new(y, 2, ys));
    const float w[F] = {0.8f, -0.5f, 0.3f, 1.1f};
    for (int64_t r = 0; r < n; r++) {
        float s = 0;
        for (int j = 0; j < F; j++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            float v = (float)((seed >> 40) & 0xFFFF) / 65536.0f * 2 - 1;
            (*x)->data[r * F + j] = v;
            s += v * w[j];
        }
        (*y)->data[r] = sinf(s) + 0.5f;
    }
}

/* Input(4) -> Dense(8, tanh) -> Dense(1), MSE, SGD at lr (NR_OPTIM_ZERO
 * for a run whose loss never moves). frozen: no trainable weights. */
static nr_model *build(nr_graph **g, float lr, int frozen) {
    nr_layer *d1, *d2;
    nr_model *m;
    CHECK_OK(nr_graph_new(g, 17));
    CHECK_OK(nr_sequential_new(*g, NULL, &m));
    CHECK_OK(nr_dense(*g, &(nr_dense_opts){.units = 8, .activation = NR_ACT_TANH,
                                           .base = {.input_shape = {F}, .input_ndim = 1, .frozen = frozen}}, &d1));
    CHECK_OK(nr_dense(*g, &(nr_dense_opts){.units = 1, .base = {.frozen = frozen}}, &d2));
    CHECK_OK(nr_sequential_add(m, d1));
    CHECK_OK(nr_sequential_add(m, d2));
    CHECK_OK(nr_model_compile(m, &(nr_compile_opts){.optimizer = {.kind = NR_OPTIMIZER_SGD, .learning_rate = lr},
                                                    .loss = {{.kind = NR_LOSS_MEAN_SQUARED_ERROR}},
                                                    .metrics = {NR_METRIC_MAE}}));
    return m;
}

/* fit() with validation data and the given callbacks; returns the status. */
static nr_status fit(nr_model *m, int epochs, nr_callback **cbs, int n_cbs, nr_history **h) {
    const nr_tensor *xv[1] = {xtr}, *yv[1] = {ytr}, *vx[1] = {xva}, *vy[1] = {yva};
    return nr_model_fit(m, xv, yv,
                        &(nr_fit_opts){.epochs = epochs, .batch_size = BATCH, .validation_x = vx, .validation_y = vy,
                                       .callbacks = cbs, .n_callbacks = n_cbs},
                        h);
}

static double val_loss_now(nr_model *m) {
    const nr_tensor *vx[1] = {xva}, *vy[1] = {yva};
    nr_logs logs;
    if (!CHECK_OK(nr_model_evaluate(m, vx, vy, &(nr_eval_opts){.batch_size = BATCH}, &logs))) return NAN;
    return nr_logs_get(&logs, "loss");
}

/* Epochs run by fit with one EarlyStopping. */
static int early_epochs(float lr, const nr_early_stopping_opts *o, int epochs) {
    nr_graph *g;
    nr_model *m = build(&g, lr, 0);
    nr_callback *cb;
    nr_history *h = NULL;
    int n = -1;
    CHECK_OK(nr_early_stopping_new(o, &cb));
    if (CHECK_OK(fit(m, epochs, &cb, 1, &h))) n = nr_history_n_epochs(h);
    nr_history_free(h);
    nr_callback_free(cb);
    nr_graph_free(g);
    return n;
}

/* Learning rates by epoch: lr0 for the first `calm` epochs, then `wild`. */
typedef struct lr_plan { int calm; float lr0, wild; } lr_plan;

static float plan_fn(int epoch, float lr, void *user) {
    (void)lr;
    const lr_plan *p = user;
    return epoch < p->calm ? p->lr0 : p->wild;
}

/* --- EarlyStopping ---------------------------------------------------------- */

static void early_stopping(void) {
    /* A loss that never moves (lr 0; the validation loss, summed in a fixed
     * order, is exactly flat, unlike the shuffled training loss): the first
     * epoch sets the best, then patience epochs without improvement stop
     * training: patience + 1 epochs. */
    CHECK(early_epochs(NR_OPTIM_ZERO, &(nr_early_stopping_opts){.patience = 2}, 20) == 3);
    CHECK(early_epochs(NR_OPTIM_ZERO, &(nr_early_stopping_opts){.monitor = "val_loss", .patience = 4}, 20) == 5);
    CHECK(early_epochs(NR_OPTIM_ZERO, &(nr_early_stopping_opts){.monitor = "val_mae", .patience = 0}, 20) == 2);
    /* A learning run keeps improving: no stop. */
    CHECK(early_epochs(0.1f, &(nr_early_stopping_opts){.monitor = "loss", .patience = 2}, 12) == 12);
    /* min_delta larger than any improvement: it stops as if flat. */
    CHECK(early_epochs(0.1f, &(nr_early_stopping_opts){.monitor = "loss", .patience = 2, .min_delta = 10}, 12) == 3);
    CHECK(early_epochs(0.1f, &(nr_early_stopping_opts){.monitor = "loss", .patience = 2, .min_delta = -10}, 12) == 3);
    /* mode: maximising a falling loss never improves; "auto" minimises it. */
    CHECK(early_epochs(0.1f, &(nr_early_stopping_opts){.monitor = "loss", .patience = 3, .mode = NR_MODE_MAX}, 12) == 4);
    CHECK(early_epochs(0.1f, &(nr_early_stopping_opts){.monitor = "loss", .patience = 3, .mode = NR_MODE_MIN}, 12) == 12);
    /* baseline (Keras 3): an improvement that does not beat the baseline
     * does not reset the wait, so a flat run stops one epoch sooner... */
    CHECK(early_epochs(NR_OPTIM_ZERO, &(nr_early_stopping_opts){.patience = 2, .baseline = 0,
                                                                .has_baseline = 1}, 20) == 2);
    /* ... and a baseline the first epoch beats changes nothing. */
    CHECK(early_epochs(NR_OPTIM_ZERO, &(nr_early_stopping_opts){.patience = 2, .baseline = 100,
                                                                .has_baseline = 1}, 20) == 3);
    /* start_from_epoch: epochs before it are not watched. */
    CHECK(early_epochs(NR_OPTIM_ZERO, &(nr_early_stopping_opts){.patience = 2, .start_from_epoch = 4}, 20) == 7);
    /* A monitor that is not in the logs never stops training. */
    CHECK(early_epochs(NR_OPTIM_ZERO, &(nr_early_stopping_opts){.monitor = "val_accuracy", .patience = 1}, 6) == 6);
    nr_callback *cb;
    CHECK_STATUS(nr_early_stopping_new(&(nr_early_stopping_opts){.patience = -1}, &cb), NR_STATUS_BAD_ARGUMENT);

    /* restore_best_weights: three good epochs, then a learning rate that
     * makes the validation loss worse; with restore the model evaluates as
     * at its best epoch, without it as at its last. */
    for (int restore = 0; restore < 2; restore++) {
        nr_graph *g;
        nr_model *m = build(&g, 0.1f, 0);
        lr_plan plan = {3, 0.1f, 2.5f};
        nr_callback *cbs[2];
        nr_history *h = NULL;
        CHECK_OK(nr_lr_scheduler_new(plan_fn, &plan, 0, &cbs[0]));
        CHECK_OK(nr_early_stopping_new(&(nr_early_stopping_opts){.patience = 2, .restore_best_weights = restore}, &cbs[1]));
        if (CHECK_OK(fit(m, 30, cbs, 2, &h))) {
            int n = nr_history_n_epochs(h), best = 0;
            const double *vl = nr_history_values(h, "val_loss");
            for (int e = 1; e < n; e++)
                if (vl[e] < vl[best]) best = e;
            CHECK(n < 30);            /* it stopped */
            CHECK(n == best + 3);     /* patience 2 after the best epoch */
            CHECK(vl[n - 1] > vl[best] * 1.01); /* the last epoch is worse */
            double now = val_loss_now(m);
            if (restore) CHECK_CLOSE(now, vl[best], 0, 1e-6);
            else CHECK_CLOSE(now, vl[n - 1], 0, 1e-6);
            printf("EarlyStopping(restore_best_weights=%d): best epoch %d (val_loss %.5f), stopped after %d, "
                   "evaluate %.5f\n", restore, best, vl[best], n, now);
        }
        nr_history_free(h);
        nr_callback_free(cbs[0]);
        nr_callback_free(cbs[1]);
        nr_graph_free(g);
    }
}

/* --- ModelCheckpoint ---------------------------------------------------------- */

static int count_files(const char *prefix) {
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static void model_checkpoint(void) {
    for (int best_only = 0; best_only < 2; best_only++) {
        nr_graph *g;
        nr_model *m = build(&g, 0.1f, 0);
        lr_plan plan = {3, 0.1f, 2.5f}; /* val_loss falls, then rises */
        nr_callback *cbs[2];
        nr_history *h = NULL;
        char tmpl[300];
        snprintf(tmpl, sizeof tmpl, "%s/%s-{epoch:02d}-{val_loss:.4f}.nrm", dir, best_only ? "best" : "ck");
        CHECK_OK(nr_lr_scheduler_new(plan_fn, &plan, 0, &cbs[0]));
        CHECK_OK(nr_model_checkpoint_new(&(nr_model_checkpoint_opts){.filepath = tmpl, .save_best_only = best_only}, &cbs[1]));
        if (CHECK_OK(fit(m, 6, cbs, 2, &h))) {
            const double *vl = nr_history_values(h, "val_loss");
            int n = nr_history_n_epochs(h), expect = 0;
            double best = INFINITY;
            for (int e = 0; e < n; e++) {
                char name[128];
                int improved = vl[e] < best;
                if (improved) best = vl[e];
                snprintf(name, sizeof name, "%s-%02d-%.4f.nrm", best_only ? "best" : "ck", e + 1, vl[e]);
                int want = !best_only || improved;
                expect += want;
                int exists = access(tmp_path(name), F_OK) == 0;
                if (!CHECK(exists == want)) fprintf(stderr, "  %s: exists %d, want %d\n", name, exists, want);
            }
            int files = count_files(best_only ? "best-" : "ck-");
            CHECK(files == expect);
            CHECK(expect < n || !best_only);
            printf("ModelCheckpoint(save_best_only=%d): %d files for %d epochs\n", best_only, files, n);
            /* The checkpoint of epoch 2 is the model as it was then. */
            if (!best_only) {
                char name[128];
                nr_graph *g2;
                nr_model *m2;
                snprintf(name, sizeof name, "ck-02-%.4f.nrm", vl[1]);
                if (CHECK_OK(nr_model_load(tmp_path(name), &g2, &m2))) {
                    CHECK_CLOSE(val_loss_now(m2), vl[1], 0, 1e-6);
                    nr_graph_free(g2);
                }
            }
        }
        nr_history_free(h);
        nr_callback_free(cbs[0]);
        nr_callback_free(cbs[1]);
        nr_graph_free(g);
    }
    /* {epoch} without a format, a key not in the logs, and errors. */
    {
        nr_graph *g;
        nr_model *m = build(&g, 0.1f, 0);
        nr_callback *cb;
        char tmpl[300];
        snprintf(tmpl, sizeof tmpl, "%s/plain-{epoch}.nrm", dir);
        CHECK_OK(nr_model_checkpoint_new(&(nr_model_checkpoint_opts){.filepath = tmpl}, &cb));
        CHECK_OK(fit(m, 2, &cb, 1, NULL));
        CHECK(access(tmp_path("plain-1.nrm"), F_OK) == 0 && access(tmp_path("plain-2.nrm"), F_OK) == 0);
        nr_callback_free(cb);
        /* save_best_only on a monitor absent from the logs saves nothing */
        snprintf(tmpl, sizeof tmpl, "%s/never-{epoch}.nrm", dir);
        CHECK_OK(nr_model_checkpoint_new(&(nr_model_checkpoint_opts){.filepath = tmpl, .monitor = "val_accuracy",
                                                                     .save_best_only = 1}, &cb));
        CHECK_OK(fit(m, 2, &cb, 1, NULL));
        CHECK(count_files("never-") == 0);
        nr_callback_free(cb);
        /* an unwritable path: fit stops and reports it */
        CHECK_OK(nr_model_checkpoint_new(&(nr_model_checkpoint_opts){.filepath = "/nonexistent-dir/ck-{epoch}.nrm"}, &cb));
        nr_history *h = NULL;
        CHECK_STATUS(fit(m, 5, &cb, 1, &h), NR_STATUS_IO);
        CHECK(strstr(nr_last_error(), "ModelCheckpoint") != NULL);
        nr_history_free(h);
        nr_callback_free(cb);
        CHECK_STATUS(nr_model_checkpoint_new(&(nr_model_checkpoint_opts){0}, &cb), NR_STATUS_BAD_ARGUMENT);
        nr_graph_free(g);
    }
}

/* --- CSVLogger ------------------------------------------------------------------ */

/* Splits a CSV line in place; returns the field count. */
static int split_line(char *line, char sep, char **fields, int max) {
    int n = 0;
    for (char *p = line; n < max;) {
        fields[n++] = p;
        char *q = strchr(p, sep);
        if (!q) break;
        *q = 0;
        p = q + 1;
    }
    return n;
}

static void csv_logger(void) {
    nr_graph *g;
    nr_model *m = build(&g, 0.1f, 0);
    nr_callback *cb;
    nr_history *h = NULL;
    const char *path = tmp_path("log.csv");
    CHECK_OK(nr_csv_logger_new(&(nr_csv_logger_opts){.filename = path}, &cb));
    if (CHECK_OK(fit(m, 4, &cb, 1, &h))) {
        size_t len;
        char *text = nr_test_read_file(path, &len), *save = NULL;
        int row = -1;
        char *names[16] = {0};
        int n_names = 0;
        for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save), row++) {
            char *f[16];
            int n = split_line(line, ',', f, 16);
            if (row < 0) {
                /* epoch,loss,mae,val_loss,val_mae */
                CHECK(n == 5 && strcmp(f[0], "epoch") == 0 && strcmp(f[1], "loss") == 0 && strcmp(f[2], "mae") == 0 &&
                      strcmp(f[3], "val_loss") == 0 && strcmp(f[4], "val_mae") == 0);
                for (int i = 0; i < n; i++) names[i] = f[i];
                n_names = n;
                continue;
            }
            CHECK(n == n_names && atoi(f[0]) == row);
            for (int i = 1; i < n && i < n_names; i++) {
                const double *v = nr_history_values(h, names[i]);
                if (CHECK(v != NULL && row < 4)) CHECK_CLOSE(strtod(f[i], NULL), v[row], 0, 1e-8);
            }
        }
        CHECK(row == 4);
        free(text);
    }
    nr_history_free(h);
    nr_callback_free(cb);
    /* append = 1 adds rows without a second header; a separator */
    CHECK_OK(nr_csv_logger_new(&(nr_csv_logger_opts){.filename = path, .append = 1}, &cb));
    CHECK_OK(fit(m, 2, &cb, 1, NULL));
    nr_callback_free(cb);
    {
        size_t len;
        char *text = nr_test_read_file(path, &len);
        int lines = 0, headers = 0;
        for (char *p = text; p && *p; p++) lines += *p == '\n';
        for (char *p = text; p && (p = strstr(p, "epoch,")); p++) headers++;
        CHECK(lines == 7 && headers == 1);
        free(text);
    }
    const char *p2 = tmp_path("semi.csv");
    CHECK_OK(nr_csv_logger_new(&(nr_csv_logger_opts){.filename = p2, .separator = ';'}, &cb));
    CHECK_OK(fit(m, 1, &cb, 1, NULL));
    nr_callback_free(cb);
    {
        size_t len;
        char *text = nr_test_read_file(p2, &len);
        CHECK(text && strncmp(text, "epoch;loss;mae;val_loss;val_mae\n0;", 34) == 0);
        free(text);
    }
    CHECK_OK(nr_csv_logger_new(&(nr_csv_logger_opts){.filename = "/nonexistent-dir/log.csv"}, &cb));
    CHECK_STATUS(fit(m, 2, &cb, 1, NULL), NR_STATUS_IO);
    nr_callback_free(cb);
    CHECK_STATUS(nr_csv_logger_new(&(nr_csv_logger_opts){0}, &cb), NR_STATUS_BAD_ARGUMENT);
    nr_graph_free(g);
}

/* --- learning rates ------------------------------------------------------------ */

/* Records the learning rate at each epoch's end (after the callbacks before it). */
typedef struct lr_log { int n; float lr[64]; } lr_log;

static int log_lr(nr_model *m, int epoch, const nr_logs *logs, void *user) {
    (void)epoch;
    (void)logs;
    lr_log *l = user;
    if (l->n < 64) l->lr[l->n++] = nr_model_learning_rate(m);
    return 0;
}

static void reduce_lr(void) {
    static const struct {
        nr_reduce_lr_opts o;
        float want[8];
    } cases[] = {
        /* flat loss, patience 2: halve every second epoch after the first */
        {{.monitor = "loss", .factor = 0.5f, .patience = 2}, {0.1f, 0.1f, 0.05f, 0.05f, 0.025f, 0.025f, 0.0125f, 0.0125f}},
        /* not below min_lr */
        {{.monitor = "loss", .factor = 0.5f, .patience = 1, .min_lr = 0.03f}, {0.1f, 0.05f, 0.03f, 0.03f, 0.03f, 0.03f, 0.03f, 0.03f}},
        /* cooldown 2 (Keras 3): the epoch after a cut is skipped, the next
         * one counts again once the counter has run down */
        {{.monitor = "val_loss", .factor = 0.1f, .patience = 1, .cooldown = 2}, {0.1f, 0.01f, 0.01f, 1e-3f, 1e-3f, 1e-4f, 1e-4f, 1e-5f}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        nr_graph *g;
        nr_model *m = build(&g, 0.1f, 1); /* frozen: the loss stays flat */
        lr_log log = {0};
        nr_callback *cbs[2];
        CHECK_OK(nr_reduce_lr_on_plateau_new(&cases[k].o, &cbs[0]));
        CHECK_OK(nr_callback_new(&(nr_callback_fns){.on_epoch_end = log_lr, .user = &log}, &cbs[1]));
        CHECK_OK(fit(m, 8, cbs, 2, NULL));
        if (CHECK(log.n == 8)) nr_test_close_arrays(log.lr, cases[k].want, 8, 0, 1e-6, "ReduceLROnPlateau rates");
        nr_callback_free(cbs[0]);
        nr_callback_free(cbs[1]);
        nr_graph_free(g);
    }
    /* A falling loss is never cut. */
    {
        nr_graph *g;
        nr_model *m = build(&g, 0.1f, 0);
        nr_callback *cb;
        CHECK_OK(nr_reduce_lr_on_plateau_new(&(nr_reduce_lr_opts){.monitor = "loss", .patience = 1, .min_delta = NR_OPTIM_ZERO}, &cb));
        CHECK_OK(fit(m, 6, &cb, 1, NULL));
        CHECK(nr_model_learning_rate(m) == 0.1f);
        nr_callback_free(cb);
        nr_graph_free(g);
    }
    nr_callback *cb;
    CHECK_STATUS(nr_reduce_lr_on_plateau_new(&(nr_reduce_lr_opts){.factor = 1.5f}, &cb), NR_STATUS_BAD_ARGUMENT);
}

static float inverse_epoch(int epoch, float lr, void *user) {
    (void)lr;
    int *calls = user;
    ++*calls;
    return 0.2f / (float)(epoch + 1);
}

static float halve(int epoch, float lr, void *user) {
    (void)epoch;
    (void)user;
    return lr * 0.5f;
}

static void lr_scheduler(void) {
    nr_graph *g;
    nr_model *m = build(&g, 0.1f, 0);
    int calls = 0;
    lr_log log = {0};
    nr_callback *cbs[2];
    CHECK_OK(nr_lr_scheduler_new(inverse_epoch, &calls, 0, &cbs[0]));
    CHECK_OK(nr_callback_new(&(nr_callback_fns){.on_epoch_end = log_lr, .user = &log}, &cbs[1]));
    CHECK_OK(fit(m, 5, cbs, 2, NULL));
    const float want[5] = {0.2f, 0.1f, 0.2f / 3, 0.05f, 0.04f};
    CHECK(calls == 5);
    if (CHECK(log.n == 5)) nr_test_close_arrays(log.lr, want, 5, 0, 1e-6, "LearningRateScheduler rates");
    nr_callback_free(cbs[0]);
    /* fn receives the current rate: halving from 0.04 */
    CHECK_OK(nr_lr_scheduler_new(halve, NULL, 0, &cbs[0]));
    log.n = 0;
    CHECK_OK(fit(m, 3, cbs, 2, NULL));
    const float want2[3] = {0.02f, 0.01f, 0.005f};
    if (CHECK(log.n == 3)) nr_test_close_arrays(log.lr, want2, 3, 0, 1e-6, "halving rates");
    /* The rate really is the one used: at lr 0 the weights stay. */
    nr_callback_free(cbs[0]);
    lr_plan zero = {0, 0, 0};
    CHECK_OK(nr_lr_scheduler_new(plan_fn, &zero, 0, &cbs[0]));
    float before[64], after[64];
    CHECK(nr_model_weights_size(m) == 49);
    CHECK_OK(nr_model_get_weights(m, before));
    CHECK_OK(fit(m, 2, cbs, 1, NULL));
    CHECK_OK(nr_model_get_weights(m, after));
    CHECK(memcmp(before, after, 49 * sizeof(float)) == 0);
    nr_callback_free(cbs[0]);
    nr_callback_free(cbs[1]);
    CHECK_STATUS(nr_lr_scheduler_new(NULL, NULL, 0, &cbs[0]), NR_STATUS_BAD_ARGUMENT);
    nr_graph_free(g);
}

/* --- TerminateOnNaN --------------------------------------------------------------- */

static void terminate_on_nan(void) {
    for (int with = 0; with < 2; with++) {
        nr_graph *g;
        nr_model *m = build(&g, 1e4f, 0); /* diverges within a few batches */
        nr_callback *cb = NULL;
        nr_history *h = NULL;
        if (with) CHECK_OK(nr_terminate_on_nan_new(&cb));
        nr_status s = fit(m, 10, &cb, with, &h);
        if (with) {
            CHECK_STATUS(s, NR_STATUS_NAN);
            CHECK(strstr(nr_last_error(), "loss") != NULL);
            CHECK(h != NULL && nr_history_n_epochs(h) < 10);
            printf("TerminateOnNaN: %s after %d full epochs\n", nr_last_error(), h ? nr_history_n_epochs(h) : -1);
        } else {
            /* without it the run goes on to the end, with a loss that is not finite */
            CHECK_OK(s);
            CHECK(h && nr_history_n_epochs(h) == 10);
            const double *l = h ? nr_history_values(h, "loss") : NULL;
            CHECK(l && !isfinite(l[9]));
        }
        nr_history_free(h);
        nr_callback_free(cb);
        nr_graph_free(g);
    }
}

/* --- a user callback ------------------------------------------------------------------ */

typedef struct counts {
    int train_begin, epoch_begin, epoch_end, batch_end, train_end;
    int stop_epoch, stop_batch;       /* stop at this epoch's end / after this batch (-1: never) */
    int last_epoch_seen, batches_in_last_epoch;
    int order_ok;
    double last_loss;
} counts;

static void c_train_begin(nr_model *m, void *u) {
    (void)m;
    counts *c = u;
    c->order_ok &= c->train_begin == 0 && c->epoch_begin == 0;
    c->train_begin++;
}

static void c_epoch_begin(nr_model *m, int epoch, void *u) {
    (void)m;
    counts *c = u;
    c->order_ok &= c->epoch_begin == c->epoch_end && epoch == c->epoch_begin;
    c->epoch_begin++;
    c->last_epoch_seen = epoch;
    c->batches_in_last_epoch = 0;
}

static int c_epoch_end(nr_model *m, int epoch, const nr_logs *logs, void *u) {
    (void)m;
    counts *c = u;
    c->order_ok &= epoch == c->last_epoch_seen && !isnan(nr_logs_get(logs, "val_loss"));
    c->epoch_end++;
    c->last_loss = nr_logs_get(logs, "loss");
    return epoch == c->stop_epoch;
}

static int c_batch_end(nr_model *m, int batch, const nr_logs *logs, void *u) {
    (void)m;
    counts *c = u;
    c->order_ok &= batch == c->batches_in_last_epoch && !isnan(nr_logs_get(logs, "loss"));
    c->batch_end++;
    c->batches_in_last_epoch++;
    return c->batch_end - 1 == c->stop_batch;
}

static void c_train_end(nr_model *m, const nr_logs *logs, void *u) {
    (void)m;
    counts *c = u;
    c->order_ok &= nr_logs_get(logs, "loss") == c->last_loss;
    c->train_end++;
}

static void user_callback(void) {
    const int steps = N_TRAIN / BATCH;
    for (int mode = 0; mode < 3; mode++) {
        nr_graph *g;
        nr_model *m = build(&g, 0.1f, 0);
        counts c = {.stop_epoch = mode == 1 ? 2 : -1, .stop_batch = mode == 2 ? 5 : -1, .order_ok = 1};
        nr_callback *cb;
        nr_history *h = NULL;
        CHECK_OK(nr_callback_new(&(nr_callback_fns){c_train_begin, c_epoch_begin, c_epoch_end, c_batch_end, c_train_end, &c}, &cb));
        CHECK_OK(fit(m, 5, &cb, 1, &h));
        int epochs = mode == 0 ? 5 : mode == 1 ? 3 : 2;
        CHECK(c.train_begin == 1 && c.train_end == 1);
        CHECK(c.epoch_begin == epochs && c.epoch_end == epochs);
        /* stopping from on_batch_end leaves the epoch after that batch (Keras 3) */
        int batches = mode == 2 ? 6 : epochs * steps;
        if (!CHECK(c.batch_end == batches)) fprintf(stderr, "  mode %d: %d batches, want %d\n", mode, c.batch_end, batches);
        CHECK(c.order_ok);
        CHECK(h && nr_history_n_epochs(h) == epochs);
        nr_history_free(h);
        /* a second fit starts afresh: stop_training is reset */
        if (mode == 1) {
            c.stop_epoch = -1;
            CHECK_OK(fit(m, 2, &cb, 1, &h));
            CHECK(h && nr_history_n_epochs(h) == 2);
            nr_history_free(h);
        }
        nr_callback_free(cb);
        nr_graph_free(g);
    }
    nr_callback_free(NULL);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/nr_callbacks_XXXXXX");
    if (!mkdtemp(dir)) nr_test_skip("cannot make a temporary directory");
    make_data(N_TRAIN, 1, &xtr, &ytr);
    make_data(N_VAL, 2, &xva, &yva);
    early_stopping();
    model_checkpoint();
    csv_logger();
    reduce_lr();
    lr_scheduler();
    terminate_on_nan();
    user_callback();
    nr_tensor_free(xtr);
    nr_tensor_free(ytr);
    nr_tensor_free(xva);
    nr_tensor_free(yva);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    nr_test_run(cmd, NULL);
    return nr_test_finish();
}
