/* Internal: the state of a search shared by its worker threads, the
 * oracles that propose trials (random, grid, Bayesian, Hyperband), the
 * Gaussian process, and the results file. Everything in nr_tune_state is
 * read and written under its lock. */
#ifndef NR_TUNE_INTERNAL_H
#define NR_TUNE_INTERNAL_H

#include <pthread.h>
#include "core/core.h"
#include "core/rng.h"
#include "neurona/tune.h"
#include "tune/hp_internal.h"

/* A trial: proposed, running or finished. */
typedef struct nr_trec {
    nr_tune_trial pub;            /* pub.hp points at hp, pub.curve at curve */
    nr_hp_values *hp;
    int finished;
    double *curve;
    char *error;
    char *history_json;           /* the "history" object, written and read back as text */
} nr_trec;

/* One Hyperband bracket: rounds of trial indices into the state's trials. */
typedef struct nr_hb_bracket {
    int iteration, s;
    int n_rounds;
    int size[16], epochs[16];     /* n_i, ceil(r_i) */
    int *ids[16];                 /* trial ids of each round */
    int count[16];
    int *from[16];                /* round i > 0: the trial each one continues */
} nr_hb_bracket;

/* One round of Li et al.'s schedule. */
typedef struct nr_hb_round {
    int s, i, n, epochs;
} nr_hb_round;

typedef struct nr_tune_state {
    nr_tuner_opts o;              /* defaults resolved */
    const nr_hp_space *space;
    nr_objective_fn fn;
    void *user;
    nr_trec *trials;
    int n, cap, next_id, created;
    int64_t grid_next;            /* grid: the next combination's index */
    int64_t grid_total;
    nr_hb_bracket *brackets;      /* hyperband, in order of opening */
    int n_brackets, hb_next;      /* hb_next: index of the next bracket to open in the schedule */
    nr_hb_round *schedule;
    int n_schedule;
    pthread_mutex_t lock, best_lock;
    pthread_cond_t changed;
    int running, stop, failures;
    nr_status fail_status;
    char fail_msg[1024];
    double best_claim;            /* nr_trial_best_begin's bar */
    double gp_theta[33];          /* bayesian: the last fit's kernel hyperparameters, a warm start */
    int gp_fits;
    double t0;
    int fd;                       /* the results file, or -1 */
} nr_tune_state;

typedef enum nr_oracle_step { NR_ORACLE_TRIAL, NR_ORACLE_WAIT, NR_ORACLE_DONE } nr_oracle_step;

/* What an oracle proposes: values and, for Hyperband, the schedule's part. */
typedef struct nr_proposal {
    nr_hp_values *hp;             /* caller frees */
    int epochs, initial_epoch, from_trial, iteration, bracket, round;
} nr_proposal;

/* --- oracles (oracle.c, oracle_bayes.c, oracle_hyperband.c) ------------- */

/* Checks the space against the tuner (grid needs discrete values). */
nr_status nr_oracle_init(nr_tune_state *st);
void nr_oracle_free(nr_tune_state *st);
/* The next trial for id, or WAIT (trials running decide it) or DONE. */
nr_status nr_oracle_next(nr_tune_state *st, int id, nr_proposal *p, nr_oracle_step *step);
/* Keeps a finished trial read back from the results file in the oracle. */
nr_status nr_oracle_restore(nr_tune_state *st, const nr_trec *t);

/* Values from probabilities u[i] for the space's definitions in order
 * (inactive ones skipped). */
nr_status nr_oracle_from_probs(const nr_hp_space *s, const double *u, nr_hp_values **out);
/* Uniform random values for id (attempt: a redraw after a duplicate). */
nr_status nr_oracle_random(const nr_tune_state *st, int id, int attempt, nr_hp_values **out);
/* 1 when a trial (any state) already has these values. */
int nr_oracle_tried(const nr_tune_state *st, const nr_hp_values *v);
/* Random values not tried yet, or *out NULL after 100 draws. */
nr_status nr_oracle_fresh(const nr_tune_state *st, int id, nr_hp_values **out);
/* The objective in minimizing form: value for "min", -value for "max". */
double nr_oracle_loss(const nr_tune_state *st, double value);

nr_status nr_bayes_next(nr_tune_state *st, int id, nr_hp_values **out);
nr_status nr_hyperband_init(nr_tune_state *st);
nr_status nr_hyperband_next(nr_tune_state *st, int id, nr_proposal *p, nr_oracle_step *step);
nr_status nr_hyperband_restore(nr_tune_state *st, const nr_trec *t);
void nr_hyperband_free(nr_tune_state *st);
/* Li et al.'s rounds for R and eta, brackets s_max..0 in order. Caller
 * frees *out with nr_free. */
nr_status nr_hyperband_schedule(int max_epochs, int factor, nr_hb_round **out, int *n);

/* --- Gaussian process (gp.c) -------------------------------------------- */

typedef struct nr_gp {
    int n, d;
    double *x, *y;                /* n x d inputs in [0, 1], standardized targets */
    double mean, sd;              /* of the raw targets */
    double alpha;
    double log_ls[32], log_amp;   /* length scales (one per input) and amplitude */
    double inv_ls[32];            /* exp(-log_ls), set by each factorization */
    double *L, *a;                /* Cholesky factor of K + alpha I, and (K + alpha I)^-1 y */
    double *work;                 /* 2 n^2 + n: K^-1, L^-1 and a column */
} nr_gp;

/* Fits the kernel's hyperparameters by maximum likelihood to x (n x d,
 * d <= 32), y: from start (d length scales' logs, then the amplitude's;
 * NULL: a default) and restarts - 1 random points of rng. Caller frees
 * with nr_gp_free. */
nr_status nr_gp_fit(nr_gp *gp, const double *x, const double *y, int n, int d, double alpha, const double *start,
                    int restarts, nr_rng *rng);
/* Posterior mean and standard deviation at x, in y's units. */
void nr_gp_predict(const nr_gp *gp, const double *x, double *mean, double *sd);
/* The log marginal likelihood of the standardized targets at the
 * current kernel hyperparameters, and its gradient (d + 1 values), for
 * tests and the fit. */
double nr_gp_log_likelihood(nr_gp *gp, double *grad);
void nr_gp_free(nr_gp *gp);

/* --- results file (tune_results.c) -------------------------------------- */

/* Opens (creating, or reading back and truncating a torn last line) the
 * results file, restoring its trials into st. */
nr_status nr_results_open(nr_tune_state *st);
/* Appends a finished trial as one line and fsyncs. */
nr_status nr_results_append(nr_tune_state *st, const nr_trec *t);

/* --- a small JSON reader (tune_json.c) ---------------------------------- */

typedef enum nr_json_kind { NR_JSON_NULL, NR_JSON_BOOL, NR_JSON_NUM, NR_JSON_STR, NR_JSON_ARR, NR_JSON_OBJ } nr_json_kind;
typedef struct nr_json nr_json;
struct nr_json {
    nr_json_kind kind;
    double num;
    int is_int, b;
    char *str;                    /* STR; OBJ members' keys in keys */
    int n;
    nr_json **items;
    char **keys;
    const char *start, *end;      /* the text of this value */
};
/* Parses one JSON value spanning text[0..len). Caller frees with nr_json_free. */
nr_status nr_json_parse(const char *text, size_t len, nr_json **out);
void nr_json_free(nr_json *j);
const nr_json *nr_json_get(const nr_json *obj, const char *key);

#endif
