/* Hyperband (Li et al. 2018, Algorithm 1) with Keras Tuner's mechanics.
 * R = max_epochs, eta = factor, s_max = floor(log_eta R), B = (s_max+1) R.
 * Bracket s (s_max down to 0) starts n = ceil(B/R eta^s/(s+1)) random
 * configurations at r = R eta^-s epochs; round i keeps the best
 * n_i = floor(n eta^-i) of round i-1 and trains them to ceil(r eta^i)
 * epochs, each continuing the weights of the trial it came from. A
 * round starts when the round before it has finished; meanwhile the
 * next bracket may start, so parallel workers stay busy. */
#include <math.h>
#include <string.h>
#include "tune/tune_internal.h"

static int s_max_of(int R, int eta) { return (int)floor(log((double)R) / log((double)eta) + 1e-9); }

nr_status nr_hyperband_schedule(int R, int eta, nr_hb_round **out, int *n) {
    if (R < 1 || eta < 2) return nr_error(NR_STATUS_BAD_ARGUMENT, "hyperband: max_epochs must be >= 1 and factor >= 2");
    int smax = s_max_of(R, eta), k = 0;
    *out = nr_malloc((size_t)(smax + 1) * (smax + 2) / 2 * sizeof **out);
    if (!*out) return NR_NOMEM();
    for (int s = smax; s >= 0; s--) {
        double n0 = ceil((double)(smax + 1) / (s + 1) * pow(eta, s) - 1e-9), r = R / pow(eta, s);
        for (int i = 0; i <= s; i++)
            (*out)[k++] = (nr_hb_round){s, i, (int)floor(n0 / pow(eta, i) + 1e-9), (int)ceil(r * pow(eta, i) - 1e-9)};
    }
    *n = k;
    return NR_OK;
}

nr_status nr_hyperband_init(nr_tune_state *st) { return nr_hyperband_schedule(st->o.max_epochs, st->o.factor, &st->schedule, &st->n_schedule); }

void nr_hyperband_free(nr_tune_state *st) {
    for (int b = 0; b < st->n_brackets; b++)
        for (int i = 0; i < st->brackets[b].n_rounds; i++) {
            nr_free(st->brackets[b].ids[i]);
            nr_free(st->brackets[b].from[i]);
        }
    nr_free(st->brackets);
    nr_free(st->schedule);
    st->brackets = NULL;
    st->schedule = NULL;
    st->n_brackets = 0;
}

static int n_brackets_per_iteration(const nr_tune_state *st) { return s_max_of(st->o.max_epochs, st->o.factor) + 1; }

/* Opens bracket number hb_next of the whole schedule. */
static nr_status open_bracket(nr_tune_state *st) {
    int per = n_brackets_per_iteration(st), s = per - 1 - st->hb_next % per;
    nr_hb_bracket *bs = nr_realloc(st->brackets, (size_t)(st->n_brackets + 1) * sizeof *bs);
    if (!bs) return NR_NOMEM();
    st->brackets = bs;
    nr_hb_bracket *b = &bs[st->n_brackets];
    memset(b, 0, sizeof *b);
    b->iteration = st->hb_next / per;
    b->s = s;
    for (int k = 0; k < st->n_schedule; k++) {
        const nr_hb_round *r = &st->schedule[k];
        if (r->s != s) continue;
        b->size[r->i] = r->n;
        b->epochs[r->i] = r->epochs;
        b->ids[r->i] = nr_calloc((size_t)r->n + 1, sizeof *b->ids[0]);
        b->from[r->i] = nr_calloc((size_t)r->n + 1, sizeof *b->from[0]);
        b->n_rounds++;
        if (!b->ids[r->i] || !b->from[r->i]) return NR_NOMEM();
    }
    st->n_brackets++;
    st->hb_next++;
    return NR_OK;
}

static const nr_trec *trial_by_id(const nr_tune_state *st, int id) {
    for (int i = 0; i < st->n; i++)
        if (st->trials[i].pub.id == id) return &st->trials[i];
    return NULL;
}

static int round_finished(const nr_tune_state *st, const nr_hb_bracket *b, int i) {
    if (b->count[i] < b->size[i]) return 0;
    for (int k = 0; k < b->count[i]; k++) {
        const nr_trec *t = trial_by_id(st, b->ids[i][k]);
        if (!t || !t->finished) return 0;
    }
    return 1;
}

static double rank_loss(const nr_tune_state *st, const nr_trec *t) {
    if (t->pub.status != NR_TRIAL_OK || !isfinite(t->pub.value)) return INFINITY;
    return nr_oracle_loss(st, t->pub.value);
}

/* The best trial of round i - 1 not promoted into round i yet. */
static const nr_trec *next_promotion(const nr_tune_state *st, const nr_hb_bracket *b, int i) {
    const nr_trec *best = NULL;
    for (int k = 0; k < b->count[i - 1]; k++) {
        const nr_trec *t = trial_by_id(st, b->ids[i - 1][k]);
        int taken = 0;
        for (int q = 0; q < b->count[i]; q++) taken |= b->from[i][q] == t->pub.id;
        if (!taken && (!best || rank_loss(st, t) < rank_loss(st, best))) best = t;
    }
    return best;
}

static void place(nr_hb_bracket *b, int i, int id, int from) {
    b->ids[i][b->count[i]] = id;
    b->from[i][b->count[i]++] = from;
}

static void fill(const nr_hb_bracket *b, int i, nr_proposal *p) {
    p->epochs = b->epochs[i];
    p->initial_epoch = i ? b->epochs[i - 1] : 0;
    p->iteration = b->iteration;
    p->bracket = b->s;
    p->round = i;
}

/* A trial of bracket b, or none (*p->hp NULL) while it waits. */
static nr_status from_bracket(nr_tune_state *st, nr_hb_bracket *b, int id, nr_proposal *p) {
    if (b->count[0] < b->size[0]) {
        NR_TRY(nr_oracle_fresh(st, id, &p->hp));
        if (!p->hp) {
            b->size[0] = b->count[0]; /* the space has no new values left */
            return NR_OK;
        }
        fill(b, 0, p);
        place(b, 0, id, -1);
        return NR_OK;
    }
    for (int i = 1; i < b->n_rounds; i++) {
        if (b->count[i] >= b->size[i]) continue;
        const nr_trec *t = round_finished(st, b, i - 1) ? next_promotion(st, b, i) : NULL;
        if (!t) return NR_OK;
        NR_TRY(nr_hp_values_copy(t->hp, &p->hp));
        fill(b, i, p);
        p->from_trial = t->pub.id;
        place(b, i, id, t->pub.id);
        return NR_OK;
    }
    return NR_OK;
}

nr_status nr_hyperband_next(nr_tune_state *st, int id, nr_proposal *p, nr_oracle_step *step) {
    int total = n_brackets_per_iteration(st) * st->o.hyperband_iterations;
    *step = NR_ORACLE_TRIAL;
    if (st->created < st->o.max_trials)
        for (;;) {
            for (int b = 0; b < st->n_brackets; b++) {
                NR_TRY(from_bracket(st, &st->brackets[b], id, p));
                if (p->hp) return NR_OK;
            }
            if (st->hb_next >= total) break;
            NR_TRY(open_bracket(st));
        }
    *step = st->running ? NR_ORACLE_WAIT : NR_ORACLE_DONE;
    return NR_OK;
}

nr_status nr_hyperband_restore(nr_tune_state *st, const nr_trec *t) {
    const nr_tune_trial *p = &t->pub;
    int per = n_brackets_per_iteration(st);
    int k = p->iteration * per + (per - 1 - p->bracket);
    if (p->iteration < 0 || p->bracket < 0 || p->bracket >= per || p->round < 0 || p->round > p->bracket ||
        p->iteration >= st->o.hyperband_iterations)
        return nr_error(NR_STATUS_BAD_FORMAT, "results file: trial %d has no place in this Hyperband schedule "
                        "(iteration %d, bracket %d, round %d)", p->id, p->iteration, p->bracket, p->round);
    while (st->hb_next <= k) NR_TRY(open_bracket(st));
    for (int b = 0; b < st->n_brackets; b++) {
        nr_hb_bracket *br = &st->brackets[b];
        if (br->iteration != p->iteration || br->s != p->bracket) continue;
        if (br->count[p->round] >= br->size[p->round])
            return nr_error(NR_STATUS_BAD_FORMAT, "results file: round %d of bracket %d holds too many trials",
                            p->round, p->bracket);
        place(br, p->round, p->id, p->from_trial);
        return NR_OK;
    }
    return NR_OK;
}
