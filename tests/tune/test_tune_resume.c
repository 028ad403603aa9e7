/* Resume: a search killed with SIGKILL mid-run leaves a results file of
 * whole JSON lines; running it again keeps those trials, runs none of
 * them again, and completes the search. A torn last line is cut off,
 * and a file of another search is refused. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testutil.h"
#include "tune/tune_internal.h"

#define TRIALS 16

typedef struct ran {
    pthread_mutex_t lock;
    nr_hp_values *seen[64];
    int n;
} ran;

static nr_status slow(const nr_trial *t, nr_trial_result *r, void *user) {
    ran *log = user;
    nanosleep(&(struct timespec){0, 40 * 1000 * 1000}, NULL);
    r->value = nr_hp_values_float(t->hp, "x", 0) * nr_hp_values_float(t->hp, "x", 0);
    if (log) {
        pthread_mutex_lock(&log->lock);
        if (log->n < 64) nr_hp_values_copy(t->hp, &log->seen[log->n++]);
        pthread_mutex_unlock(&log->lock);
    }
    return NR_OK;
}

static nr_hp_space *space(void) {
    nr_hp_space *s;
    CHECK_OK(nr_hp_space_new(&s));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "x", .kind = NR_HP_FLOAT, .min_value = -1, .max_value = 1}));
    CHECK_OK(nr_hp_space_add(s, &(nr_hp_def){.name = "k", .kind = NR_HP_INT, .min_value = 1, .max_value = 100}));
    return s;
}

static int count_lines(const char *path, int *valid) {
    size_t len;
    char *text = nr_test_read_file(path, &len);
    int n = 0;
    *valid = 1;
    for (size_t at = 0; text && at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        if (!nl) {
            *valid = 0;
            break;
        }
        nr_json *j = NULL;
        *valid &= nr_json_parse(text + at, (size_t)(nl - text - at), &j) == NR_OK;
        nr_json_free(j);
        n++;
        at = (size_t)(nl - text) + 1;
    }
    free(text);
    return n;
}

static nr_tuner_opts opts(const char *path, uint64_t seed) {
    return (nr_tuner_opts){.kind = NR_TUNER_RANDOM, .objective = "loss", .max_trials = TRIALS, .seed = seed,
                           .parallel = 2, .results = path};
}

/* Runs the search in a child and kills it once min_lines are written. */
static void killed_run(const char *path, int min_lines) {
    pid_t pid = fork();
    if (pid == 0) {
        nr_hp_space *s = space();
        nr_tune_result *r = NULL;
        nr_tuner_opts o = opts(path, 3);
        nr_tune(s, &o, slow, NULL, &r);
        _exit(0);
    }
    int valid;
    for (int tries = 0; tries < 2000 && count_lines(path, &valid) < min_lines; tries++)
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void test_kill_and_resume(const char *path) {
    unlink(path);
    killed_run(path, 6);
    int valid, lines = count_lines(path, &valid);
    CHECK(valid);
    CHECK(lines >= 6 && lines < TRIALS + 1);
    printf("killed after %d finished trials\n", lines - 1);

    nr_hp_space *s = space();
    ran log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    nr_tune_result *r = NULL;
    nr_tuner_opts o = opts(path, 3);
    if (CHECK_OK(nr_tune(s, &o, slow, &log, &r))) {
        CHECK(nr_tune_n_trials(r) == TRIALS);
        int resumed = 0;
        for (int i = 0; i < nr_tune_n_trials(r); i++) {
            const nr_tune_trial *t = nr_tune_trial_at(r, i);
            resumed += t->resumed;
            /* A trial read back was not run again. */
            for (int k = 0; t->resumed && k < log.n; k++) CHECK(!nr_hp_values_equal(log.seen[k], t->hp));
            for (int j = 0; j < i; j++) CHECK(!nr_hp_values_equal(t->hp, nr_tune_trial_at(r, j)->hp));
        }
        CHECK(resumed == lines - 1);
        CHECK(log.n == TRIALS - resumed);
    }
    CHECK(count_lines(path, &valid) == TRIALS + 1 && valid);
    nr_tune_result_free(r);
    for (int k = 0; k < log.n; k++) nr_hp_values_free(log.seen[k]);

    /* Nothing left to do: a third run runs nothing. */
    log.n = 0;
    if (CHECK_OK(nr_tune(s, &o, slow, &log, &r))) CHECK(nr_tune_n_trials(r) == TRIALS && log.n == 0);
    nr_tune_result_free(r);
    nr_hp_space_free(s);
}

static void test_torn_and_foreign(const char *path) {
    FILE *f = fopen(path, "a");
    fputs("{\"trial\": 99, \"sta", f);
    fclose(f);
    int valid;
    CHECK(count_lines(path, &valid) == TRIALS + 1 && !valid);
    nr_hp_space *s = space();
    nr_tune_result *r = NULL;
    nr_tuner_opts o = opts(path, 3);
    o.max_trials = TRIALS + 2;
    if (CHECK_OK(nr_tune(s, &o, slow, NULL, &r))) CHECK(nr_tune_n_trials(r) == TRIALS + 2);
    nr_tune_result_free(r);
    CHECK(count_lines(path, &valid) == TRIALS + 3 && valid);
    o = opts(path, 4);
    CHECK_STATUS(nr_tune(s, &o, slow, NULL, &r), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "seed") != NULL);
    o.overwrite = 1;
    o.max_trials = 2;
    if (CHECK_OK(nr_tune(s, &o, slow, NULL, &r))) CHECK(nr_tune_n_trials(r) == 2);
    nr_tune_result_free(r);
    nr_hp_space_free(s);
}

int main(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/nr_tune_resume_%d.jsonl", (int)getpid());
    test_kill_and_resume(path);
    test_torn_and_foreign(path);
    unlink(path);
    return nr_test_finish();
}
