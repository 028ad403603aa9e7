/* The search: worker threads take trials from the oracle under one lock,
 * run their executions outside it with an equal share of the thread
 * budget, and record each finished trial (results file, log line)
 * before taking the next. A Hyperband round waiting for running trials
 * makes its worker sleep until one finishes. */
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tune/tune_internal.h"

#define MAX_PARALLEL 256
#define MAX_FAILURES 3

struct nr_tune_result {
    nr_trec *trials;
    int n;
    nr_monitor_mode direction;
    char objective[64];
};

const char *nr_tuner_name(nr_tuner_kind k) {
    static const char *const names[] = {"random", "grid", "bayesian", "hyperband"};
    return (unsigned)k <= NR_TUNER_HYPERBAND ? names[k] : "?";
}

nr_status nr_tuner_parse(const char *name, nr_tuner_kind *out) {
    for (int k = 0; k <= NR_TUNER_HYPERBAND; k++)
        if (!strcmp(name, nr_tuner_name((nr_tuner_kind)k))) {
            *out = (nr_tuner_kind)k;
            return NR_OK;
        }
    return nr_error(NR_STATUS_BAD_ARGUMENT, "unknown tuner \"%s\"; tuners are random, grid, bayesian, hyperband", name);
}

static int ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

nr_monitor_mode nr_objective_direction(const char *objective) {
    if (strstr(objective, "loss") || strstr(objective, "error") || ends_with(objective, "mse") ||
        ends_with(objective, "mae"))
        return NR_MODE_MIN;
    return NR_MODE_MAX;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* --- options ---------------------------------------------------------------- */

static nr_status resolve(nr_tuner_opts *o, const nr_hp_space *space) {
    if ((unsigned)o->kind > NR_TUNER_HYPERBAND) return nr_error(NR_STATUS_BAD_ARGUMENT, "tuner: unknown kind %d", o->kind);
    if (!o->objective || !*o->objective) o->objective = "val_loss";
    if (strlen(o->objective) > 47) return nr_error(NR_STATUS_BAD_ARGUMENT, "tuner: objective name too long");
    if (o->direction == NR_MODE_AUTO) o->direction = nr_objective_direction(o->objective);
    if (o->max_trials < 0 || o->executions_per_trial < 0 || o->parallel < 0 || o->threads < 0 || o->max_seconds < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "tuner: max_trials, executions_per_trial, parallel, threads and "
                        "max_seconds must not be negative");
    if (o->max_trials == 0) o->max_trials = o->kind == NR_TUNER_RANDOM || o->kind == NR_TUNER_BAYESIAN ? 10 : INT32_MAX;
    if (o->executions_per_trial == 0) o->executions_per_trial = 1;
    if (o->parallel == 0) o->parallel = 1;
    if (o->parallel > MAX_PARALLEL) return nr_error(NR_STATUS_BAD_ARGUMENT, "tuner: parallel must be 1 to %d", MAX_PARALLEL);
    if (o->threads == 0) o->threads = nr_num_threads();
    if (o->alpha == 0) o->alpha = 1e-4;
    if (o->beta == 0) o->beta = 2.6;
    if (!(o->alpha > 0) || !(o->beta > 0)) return nr_error(NR_STATUS_BAD_ARGUMENT, "tuner: alpha and beta must be > 0");
    if (o->num_initial_points == 0) o->num_initial_points = 3 * nr_hp_space_count(space);
    if (o->num_initial_points < 2) o->num_initial_points = 2;
    if (o->factor == 0) o->factor = 3;
    if (o->hyperband_iterations == 0) o->hyperband_iterations = 1;
    if (o->kind == NR_TUNER_HYPERBAND && (o->max_epochs < 1 || o->factor < 2 || o->hyperband_iterations < 1))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "hyperband: max_epochs must be >= 1 (got %d), factor >= 2 (got %d), "
                        "hyperband_iterations >= 1", o->max_epochs, o->factor);
    if (o->kind != NR_TUNER_HYPERBAND && nr_hp_space_count(space) == 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s search: the search space is empty (no hp.Int, hp.Float, "
                        "hp.Choice or hp.Boolean)", nr_tuner_name(o->kind));
    return NR_OK;
}

/* --- best claims ---------------------------------------------------------- */

int nr_trial_best_begin(const nr_trial *t, double value) {
    nr_tune_state *st = t->state;
    pthread_mutex_lock(&st->best_lock);
    double loss = nr_oracle_loss(st, value);
    if (isfinite(loss) && !(loss >= st->best_claim)) {
        st->best_claim = loss;
        return 1;
    }
    pthread_mutex_unlock(&st->best_lock);
    return 0;
}

void nr_trial_best_end(const nr_trial *t) { pthread_mutex_unlock(&t->state->best_lock); }

/* --- one trial -------------------------------------------------------------- */

/* What a trial's executions produced, gathered outside the lock. */
typedef struct outcome {
    nr_status status;
    char error[512];
    double value, seconds;
    int best_epoch, stop;
    nr_history *h[64];
    int n_h;
} outcome;

static void run_executions(nr_tune_state *st, const nr_trec *rec, int threads, outcome *out) {
    double t0 = now(), sum = 0;
    out->status = NR_OK;
    out->best_epoch = -1;
    int execs = st->o.executions_per_trial;
    for (int e = 0; e < execs && out->status == NR_OK; e++) {
        nr_trial t = {.id = rec->pub.id, .hp = rec->hp, .execution = e, .threads = threads,
                      .seed = nr_splitmix64(st->o.seed ^ ((uint64_t)rec->pub.id << 16) ^ (uint64_t)e),
                      .epochs = rec->pub.epochs, .initial_epoch = rec->pub.initial_epoch,
                      .from_trial = rec->pub.from_trial, .objective = st->o.objective,
                      .direction = st->o.direction, .state = st};
        nr_trial_result r = {.value = NAN, .best_epoch = -1};
        nr_clear_error();
        out->status = st->fn(&t, &r, st->user);
        if (out->status != NR_OK) {
            snprintf(out->error, sizeof out->error, "%s", *nr_last_error() ? nr_last_error() : nr_status_str(out->status));
            nr_history_free(r.history);
            break;
        }
        sum += r.value;
        out->stop |= r.stop;
        if (e == 0) out->best_epoch = r.best_epoch;
        if (r.history && out->n_h < 64) out->h[out->n_h++] = r.history;
        else nr_history_free(r.history);
    }
    out->value = out->status == NR_OK ? sum / execs : NAN;
    out->seconds = now() - t0;
}

/* Sums a key's values over the executions that logged it, epoch by epoch. */
static nr_status mean_curve(const outcome *oc, const char *key, double **out, int *n) {
    int len = -1;
    for (int k = 0; k < oc->n_h; k++) {
        int m = nr_history_values(oc->h[k], key) ? nr_history_n_epochs(oc->h[k]) : 0;
        len = len < 0 || m < len ? m : len;
    }
    *out = NULL;
    *n = len > 0 ? len : 0;
    if (*n == 0) return NR_OK;
    if (!(*out = nr_calloc((size_t)*n, sizeof **out))) return NR_NOMEM();
    for (int k = 0; k < oc->n_h; k++) {
        const double *v = nr_history_values(oc->h[k], key);
        for (int i = 0; i < *n; i++) (*out)[i] += v[i] / oc->n_h;
    }
    return NR_OK;
}

/* The mean history as the results file's "history" object. */
static nr_status history_json(const outcome *oc, char **out) {
    size_t cap = 256, len = 0;
    char *s = nr_malloc(cap);
    if (!s) return NR_NOMEM();
    len += (size_t)snprintf(s, cap, "{");
    int keys = oc->n_h ? nr_history_n_keys(oc->h[0]) : 0;
    for (int k = 0; k < keys; k++) {
        const char *key = nr_history_key(oc->h[0], k);
        double *v;
        int n;
        NR_TRY(mean_curve(oc, key, &v, &n));
        size_t need = len + strlen(key) + 32 * (size_t)n + 64;
        if (need > cap) {
            char *t = nr_realloc(s, need);
            if (!t) {
                nr_free(s);
                nr_free(v);
                return NR_NOMEM();
            }
            s = t, cap = need;
        }
        len += (size_t)snprintf(s + len, cap - len, "%s\"%s\": [", k ? ", " : "", key);
        for (int i = 0; i < n; i++) {
            char num[40];
            nr_hp_value f = nr_hp_float(v[i]);
            len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? ", " : "",
                                    isfinite(v[i]) ? nr_hp_value_str(&f, num, sizeof num) : "null");
        }
        len += (size_t)snprintf(s + len, cap - len, "]");
        nr_free(v);
    }
    snprintf(s + len, cap - len, "}");
    *out = s;
    return NR_OK;
}

/* --- recording (under the lock) ------------------------------------------- */

static nr_trec *find(nr_tune_state *st, int id) {
    for (int i = 0; i < st->n; i++)
        if (st->trials[i].pub.id == id) return &st->trials[i];
    return NULL;
}

static void log_trial(const nr_tune_state *st, const nr_trec *t) {
    FILE *f = st->o.log;
    if (!f) return;
    const nr_trec *best = NULL;
    for (int i = 0; i < st->n; i++) {
        const nr_trec *c = &st->trials[i];
        if (c->finished && c->pub.status == NR_TRIAL_OK &&
            (!best || nr_oracle_loss(st, c->pub.value) < nr_oracle_loss(st, best->pub.value)))
            best = c;
    }
    int done = 0;
    for (int i = 0; i < st->n; i++) done += st->trials[i].finished;
    fprintf(f, "Trial %d", t->pub.id);
    if (st->o.max_trials < INT32_MAX) fprintf(f, " (%d/%d)", done, st->o.max_trials);
    else fprintf(f, " (%d done)", done);
    if (t->pub.status == NR_TRIAL_OK) fprintf(f, " %s %.6g", st->o.objective, t->pub.value);
    else fprintf(f, " FAILED");
    if (best) fprintf(f, " | best %.6g (trial %d)", best->pub.value, best->pub.id);
    fprintf(f, " | %.1fs |", t->pub.seconds);
    if (t->pub.bracket >= 0)
        fprintf(f, " bracket %d round %d, epochs %d-%d |", t->pub.bracket, t->pub.round, t->pub.initial_epoch,
                t->pub.epochs);
    for (int i = 0; i < nr_hp_values_count(t->hp); i++) {
        char v[64];
        fprintf(f, "%s %s=%s", i ? "," : "", nr_hp_values_name(t->hp, i),
                nr_hp_value_brief(nr_hp_values_at(t->hp, i), v, sizeof v));
    }
    if (t->pub.status != NR_TRIAL_OK) fprintf(f, " | %s", t->error);
    fprintf(f, "\n");
    fflush(f);
}

static nr_status record(nr_tune_state *st, int id, outcome *oc) {
    nr_trec *t = find(st, id);
    nr_status s = NR_OK;
    t->finished = 1;
    t->pub.status = oc->status == NR_OK ? NR_TRIAL_OK : NR_TRIAL_FAILED;
    t->pub.value = oc->value;
    t->pub.best_epoch = oc->best_epoch;
    t->pub.seconds = oc->seconds;
    t->error = nr_strdup(oc->error);
    if (!t->error) s = NR_NOMEM();
    if (s == NR_OK) s = mean_curve(oc, st->o.objective, &t->curve, &t->pub.n_curve);
    if (s == NR_OK) s = history_json(oc, &t->history_json);
    t->pub.curve = t->curve;
    t->pub.error = t->error ? t->error : "";
    if (s == NR_OK && st->fd >= 0) s = nr_results_append(st, t);
    if (s == NR_OK) log_trial(st, t);
    st->failures = oc->status == NR_OK ? 0 : st->failures + 1;
    st->stop |= oc->stop;
    if (st->failures >= MAX_FAILURES && s == NR_OK)
        s = nr_error(oc->status, "%d trials failed in a row; the last: %s", MAX_FAILURES, oc->error);
    return s;
}

static nr_status add_trial(nr_tune_state *st, int id, nr_proposal *p) {
    if (st->n == st->cap) {
        int cap = st->cap ? 2 * st->cap : 16;
        nr_trec *t = nr_realloc(st->trials, (size_t)cap * sizeof *t);
        if (!t) return NR_NOMEM();
        st->trials = t;
        st->cap = cap;
    }
    nr_trec *t = &st->trials[st->n++];
    memset(t, 0, sizeof *t);
    t->hp = p->hp;
    t->pub = (nr_tune_trial){.id = id, .hp = p->hp, .value = NAN, .best_epoch = -1,
                             .executions = st->o.executions_per_trial, .epochs = p->epochs,
                             .initial_epoch = p->initial_epoch, .from_trial = p->from_trial,
                             .iteration = p->iteration, .bracket = p->bracket, .round = p->round, .error = ""};
    p->hp = NULL;
    return NR_OK;
}

/* --- workers ---------------------------------------------------------------- */

static void fail(nr_tune_state *st, nr_status s) {
    if (st->fail_status == NR_OK) {
        st->fail_status = s;
        snprintf(st->fail_msg, sizeof st->fail_msg, "%s", nr_last_error());
    }
    st->stop = 1;
}

/* Under the lock: the next trial to run (its index in *idx), or -1. */
static int take(nr_tune_state *st) {
    while (!st->stop) {
        if (st->o.max_seconds > 0 && now() - st->t0 >= st->o.max_seconds) break;
        nr_proposal p;
        nr_oracle_step step;
        nr_status s = nr_oracle_next(st, st->next_id, &p, &step);
        if (s == NR_OK && step == NR_ORACLE_TRIAL && (s = add_trial(st, st->next_id, &p)) != NR_OK)
            nr_hp_values_free(p.hp);
        if (s != NR_OK) {
            fail(st, s);
            break;
        }
        if (step == NR_ORACLE_DONE) break;
        if (step == NR_ORACLE_WAIT) {
            pthread_cond_wait(&st->changed, &st->lock);
            continue;
        }
        st->created++;
        st->running++;
        return st->next_id++;
    }
    return -1;
}

typedef struct worker {
    nr_tune_state *st;
    int threads;
    pthread_t tid;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    nr_tune_state *st = w->st;
    nr_set_thread_num_threads(w->threads);
    outcome *oc = nr_malloc(sizeof *oc);
    pthread_mutex_lock(&st->lock);
    if (!oc) fail(st, NR_NOMEM());
    for (int id; oc && (id = take(st)) >= 0;) {
        nr_trec rec = *find(st, id);
        pthread_mutex_unlock(&st->lock);
        memset(oc, 0, sizeof *oc);
        run_executions(st, &rec, w->threads, oc);
        pthread_mutex_lock(&st->lock);
        nr_status s = record(st, id, oc);
        for (int k = 0; k < oc->n_h; k++) nr_history_free(oc->h[k]);
        if (s != NR_OK) fail(st, s);
        st->running--;
        pthread_cond_broadcast(&st->changed);
    }
    pthread_cond_broadcast(&st->changed);
    pthread_mutex_unlock(&st->lock);
    nr_free(oc);
    nr_set_thread_num_threads(0);
    return NULL;
}

static void run_workers(nr_tune_state *st) {
    int p = st->o.parallel, per = st->o.threads / p > 0 ? st->o.threads / p : 1;
    worker *w = nr_calloc((size_t)p, sizeof *w);
    if (!w) {
        fail(st, NR_NOMEM());
        return;
    }
    int started = 0;
    for (int i = 0; i < p; i++) {
        w[i] = (worker){.st = st, .threads = per};
        if (p == 1) work(&w[i]);
        else if (pthread_create(&w[started].tid, NULL, work, &w[i]) == 0) started++;
    }
    for (int i = 0; i < started; i++) pthread_join(w[i].tid, NULL);
    if (p > 1 && started == 0) fail(st, nr_error(NR_STATUS_STATE, "tuner: no worker thread could start"));
    nr_free(w);
}

/* --- the search -------------------------------------------------------------- */

static void free_trials(nr_trec *t, int n) {
    for (int i = 0; i < n; i++) {
        nr_hp_values_free(t[i].hp);
        nr_free(t[i].curve);
        nr_free(t[i].error);
        nr_free(t[i].history_json);
    }
    nr_free(t);
}

static nr_status finish(nr_tune_state *st, nr_tune_result **out) {
    nr_tune_result *r = nr_calloc(1, sizeof *r);
    if (!r) return NR_NOMEM();
    int k = 0;
    for (int i = 0; i < st->n; i++) /* trials stopped before finishing are left out */
        if (st->trials[i].finished) st->trials[k++] = st->trials[i];
        else nr_hp_values_free(st->trials[i].hp);
    r->trials = st->trials, r->n = k;
    st->trials = NULL, st->n = 0;
    r->direction = st->o.direction;
    snprintf(r->objective, sizeof r->objective, "%s", st->o.objective);
    *out = r;
    return NR_OK;
}

nr_status nr_tune(const nr_hp_space *space, const nr_tuner_opts *o, nr_objective_fn fn, void *user,
                  nr_tune_result **out) {
    if (!space || !o || !fn || !out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_tune: NULL argument");
    *out = NULL;
    nr_tune_state *st = nr_calloc(1, sizeof *st);
    if (!st) return NR_NOMEM();
    st->o = *o;
    st->space = space;
    st->fn = fn, st->user = user;
    st->fd = -1;
    st->best_claim = INFINITY;
    st->t0 = now();
    pthread_mutex_init(&st->lock, NULL);
    pthread_mutex_init(&st->best_lock, NULL);
    pthread_cond_init(&st->changed, NULL);
    nr_status s = resolve(&st->o, space);
    if (s == NR_OK) s = nr_oracle_init(st);
    if (s == NR_OK) s = nr_results_open(st);
    if (s == NR_OK) {
        run_workers(st);
        s = st->fail_status;
        if (s != NR_OK) nr_error(s, "%s", st->fail_msg);
    }
    if (s == NR_OK) s = finish(st, out);
    if (st->fd >= 0) close(st->fd);
    nr_oracle_free(st);
    free_trials(st->trials, st->n);
    pthread_mutex_destroy(&st->lock);
    pthread_mutex_destroy(&st->best_lock);
    pthread_cond_destroy(&st->changed);
    nr_free(st);
    return s;
}

/* --- results ----------------------------------------------------------------- */

void nr_tune_result_free(nr_tune_result *r) {
    if (!r) return;
    free_trials(r->trials, r->n);
    nr_free(r);
}

int nr_tune_n_trials(const nr_tune_result *r) { return r->n; }
const nr_tune_trial *nr_tune_trial_at(const nr_tune_result *r, int i) { return i >= 0 && i < r->n ? &r->trials[i].pub : NULL; }
nr_monitor_mode nr_tune_direction(const nr_tune_result *r) { return r->direction; }
const char *nr_tune_objective(const nr_tune_result *r) { return r->objective; }

const nr_tune_trial *nr_tune_best(const nr_tune_result *r, int rank) {
    /* rank-th by selection: trials are few */
    const nr_tune_trial *prev = NULL;
    for (int k = 0; k <= rank; k++) {
        const nr_tune_trial *best = NULL;
        for (int i = 0; i < r->n; i++) {
            const nr_tune_trial *t = &r->trials[i].pub;
            if (t->status != NR_TRIAL_OK || !isfinite(t->value)) continue;
            double v = r->direction == NR_MODE_MAX ? -t->value : t->value;
            double pv = prev ? (r->direction == NR_MODE_MAX ? -prev->value : prev->value) : -INFINITY;
            if (prev && (v < pv || (v == pv && t->id <= prev->id))) continue;
            double bv = best ? (r->direction == NR_MODE_MAX ? -best->value : best->value) : INFINITY;
            if (!best || v < bv || (v == bv && t->id < best->id)) best = t;
        }
        if (!best) return NULL;
        prev = best;
    }
    return prev;
}
