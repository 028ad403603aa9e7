/* Internal: hyperparameters in SPEC files. hp.Int, hp.Float, hp.Choice,
 * hp.Boolean and hp.Fixed take Keras Tuner's arguments anywhere a value
 * goes, and give the trial's value (else the default). A conditional
 * expression "X if COND else Y" whose COND reads one discrete
 * hyperparameter (hp.Boolean("extra"), hp.Int("layers", 1, 3) >= 2, or a
 * variable holding one) opens a conditional scope, as Keras Tuner's
 * conditional_scope: the hyperparameters met inside the branch taken are
 * active only for the parent values that take it. */
#ifndef NR_SPEC_HP_H
#define NR_SPEC_HP_H

#include "neurona/hp.h"
#include "core/core.h"

typedef struct nr_spec_ctx nr_spec_ctx;
typedef struct nr_ast nr_ast;
typedef struct nr_val nr_val;
typedef struct nr_spec nr_spec;

/* A conditional expression met while loading, for the search of every
 * branch: its place, the branch taken, and a parent value that takes
 * the other one (when has_other). */
typedef struct nr_spec_branch {
    int line, col, taken, has_other;
    char parent[NR_HP_MAX_NAME];
    nr_hp_value other;
} nr_spec_branch;

typedef struct nr_spec_hp {
    const nr_hp_values *values;  /* the trial's, or NULL: every default */
    nr_hp_space *space;          /* every hyperparameter met, checked */
    nr_hp_cond scope[NR_HP_MAX_CONDS];
    int n_scope;                 /* conditions of the branches being evaluated; deeper ones are dropped */
    int tracking, n_touched;     /* while a condition is evaluated: the hyperparameters it reads */
    char touched[NR_HP_MAX_NAME];
    const char *override_name;   /* while a condition is tried with each parent value */
    nr_hp_value override;
    nr_spec_branch *branches;    /* nr_malloc'd; freed by nr_spec_hp_done */
    int n_branches, cap_branches;
} nr_spec_hp;

void nr_spec_hp_done(nr_spec_hp *hp);

/* Builds a SPEC with hp's values, recording into hp (spec_build.c). */
nr_status nr_spec_load_hp(const char *text, const char *filename, uint64_t seed, nr_spec_hp *hp, nr_spec **out);

/* "X if COND else Y": evaluates the branch COND picks inside its scope. */
nr_status nr_spec_eval_if(nr_spec_ctx *x, const nr_ast *e, nr_val **out);
/* The same choice for a statement: *branch is the AST to run, with
 * *scoped set when a scope was pushed (pop it with nr_spec_hp_pop). */
nr_status nr_spec_hp_choose(nr_spec_ctx *x, const nr_ast *e, const nr_ast **branch, int *scoped);
void nr_spec_hp_pop(nr_spec_ctx *x);
/* A use of a variable that holds a hyperparameter's value: notes the read
 * and applies the override while a condition is tried. */
nr_status nr_spec_hp_name_use(nr_spec_ctx *x, const nr_val *v, nr_val **out);
/* Python's truth of a value: False, None, 0, "" and empty containers are false. */
int nr_spec_truth(const nr_val *v);

#endif
