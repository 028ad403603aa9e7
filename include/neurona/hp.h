/* neurona: hyperparameters, Keras Tuner's hp.Int, hp.Float, hp.Choice,
 * hp.Boolean and hp.Fixed, as a search space (what may be tried) and as
 * values (what one trial tries).
 *
 *   nr_hp_space *s;
 *   nr_hp_space_new(&s);
 *   nr_hp_space_add(s, &(nr_hp_def){.name = "units", .kind = NR_HP_INT,
 *                                   .min_value = 16, .max_value = 256, .step = 16});
 *   nr_hp_space_add(s, &(nr_hp_def){.name = "lr", .kind = NR_HP_FLOAT, .min_value = 1e-4,
 *                                   .max_value = 1e-1, .sampling = NR_HP_LOG});
 *
 * Keras Tuner's rules: Int and Float include max_value; an Int without a
 * step takes every integer (linear) and with sampling="log" a step is a
 * factor (2, 32, step 2: 2 4 8 16 32); a Float without a step is
 * continuous; the default is min_value, a Choice's first value, False for
 * a Boolean, unless given. Sampling maps a probability p in [0, 1) to a
 * value: linear min + p (max - min), log min (max/min)^p, reverse_log
 * max + min - min (max/min)^(1-p).
 *
 * Conditions (Keras Tuner's parent_name/parent_values and
 * conditional_scope): a hyperparameter with conditions is active only
 * when every parent holds one of its listed values; an inactive one is
 * left out of a trial's values, and grid search does not multiply by it.
 */
#ifndef NEURONA_HP_H
#define NEURONA_HP_H

#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NR_HP_MAX_NAME 48     /* bytes of a name, with the NUL */
#define NR_HP_MAX_STR 48      /* bytes of a string value, with the NUL */
#define NR_HP_MAX_VALUES 32   /* values of a Choice, or of a condition */
#define NR_HP_MAX_CONDS 4     /* conditions of one hyperparameter */

typedef enum nr_hp_type { NR_HP_NONE = 0, NR_HP_TYPE_INT, NR_HP_TYPE_FLOAT, NR_HP_TYPE_BOOL, NR_HP_TYPE_STR } nr_hp_type;

/* One value: i for INT and BOOL, f for FLOAT, s for STR. A plain value. */
typedef struct nr_hp_value {
    nr_hp_type type;
    int64_t i;
    double f;
    char s[NR_HP_MAX_STR];
} nr_hp_value;

nr_hp_value nr_hp_int(int64_t v);
nr_hp_value nr_hp_float(double v);
nr_hp_value nr_hp_bool(int v);
nr_hp_value nr_hp_str(const char *v);   /* cut at NR_HP_MAX_STR - 1 bytes */
/* Equal type and value; an INT and a FLOAT of one number are equal, as in Python. */
int nr_hp_value_equal(const nr_hp_value *a, const nr_hp_value *b);
/* "64", "0.001", "True", "'relu'" (Python's repr) into buf. */
const char *nr_hp_value_str(const nr_hp_value *v, char *buf, size_t size);

typedef enum nr_hp_kind { NR_HP_INT = 1, NR_HP_FLOAT, NR_HP_CHOICE, NR_HP_BOOLEAN, NR_HP_FIXED } nr_hp_kind;
typedef enum nr_hp_sampling { NR_HP_LINEAR = 0, NR_HP_LOG, NR_HP_REVERSE_LOG } nr_hp_sampling;

/* Active when the hyperparameter named parent holds one of values. */
typedef struct nr_hp_cond {
    char parent[NR_HP_MAX_NAME];
    int n_values;
    nr_hp_value values[NR_HP_MAX_VALUES];
} nr_hp_cond;

/* One hyperparameter. Zero fields are the defaults. */
typedef struct nr_hp_def {
    char name[NR_HP_MAX_NAME];
    nr_hp_kind kind;
    double min_value, max_value;  /* INT, FLOAT: both included */
    double step;                  /* INT, FLOAT: 0 none (an Int: every integer); a factor under log sampling */
    nr_hp_sampling sampling;      /* INT, FLOAT; LOG and REVERSE_LOG need min_value > 0 */
    int n_values;                 /* CHOICE: the values (one type); FIXED: values[0] */
    nr_hp_value values[NR_HP_MAX_VALUES];
    int has_default;
    nr_hp_value default_value;
    int n_conds;
    nr_hp_cond conds[NR_HP_MAX_CONDS];
} nr_hp_def;

/* "Int", "Float", "Choice", "Boolean", "Fixed". */
const char *nr_hp_kind_name(nr_hp_kind k);
/* The value a definition takes when no trial says otherwise. */
nr_hp_value nr_hp_def_default(const nr_hp_def *d);
/* The number of values grid search enumerates; 0 for a continuous Float. */
int64_t nr_hp_def_count(const nr_hp_def *d);

/* --- values: name -> value ------------------------------------------ */

typedef struct nr_hp_values nr_hp_values;

/* Caller frees with nr_hp_values_free. */
nr_status nr_hp_values_new(nr_hp_values **out);
nr_status nr_hp_values_copy(const nr_hp_values *v, nr_hp_values **out);
void nr_hp_values_free(nr_hp_values *v);
/* Sets or replaces name's value. */
nr_status nr_hp_values_set(nr_hp_values *v, const char *name, const nr_hp_value *value);
/* name's value (borrowed, valid until the next set or free), or NULL. */
const nr_hp_value *nr_hp_values_get(const nr_hp_values *v, const char *name);
int nr_hp_values_count(const nr_hp_values *v);
const char *nr_hp_values_name(const nr_hp_values *v, int i);
const nr_hp_value *nr_hp_values_at(const nr_hp_values *v, int i);
/* Typed reads: fallback when absent; an INT reads as a float too. */
int64_t nr_hp_values_int(const nr_hp_values *v, const char *name, int64_t fallback);
double nr_hp_values_float(const nr_hp_values *v, const char *name, double fallback);
const char *nr_hp_values_str(const nr_hp_values *v, const char *name, const char *fallback);
/* Same names and values, in any order. */
int nr_hp_values_equal(const nr_hp_values *a, const nr_hp_values *b);

/* --- the search space ------------------------------------------------ */

typedef struct nr_hp_space nr_hp_space;

/* Caller frees with nr_hp_space_free. */
nr_status nr_hp_space_new(nr_hp_space **out);
void nr_hp_space_free(nr_hp_space *s);
/* Adds a copy of d after checking it (BAD_ARGUMENT: empty name, min >
 * max, an Int bound or step that is not whole, log sampling from 0, a
 * step of the wrong sign, a Choice of mixed types or duplicates, a
 * default outside the range). Adding a name again is fine when the
 * definition is the same (a SPEC naming "units" twice), else an error
 * naming both; registered again under other conditions, it becomes
 * unconditional (active wherever it is used). */
nr_status nr_hp_space_add(nr_hp_space *s, const nr_hp_def *d);
int nr_hp_space_count(const nr_hp_space *s);
const nr_hp_def *nr_hp_space_get(const nr_hp_space *s, int i);    /* borrowed; NULL out of range */
const nr_hp_def *nr_hp_space_find(const nr_hp_space *s, const char *name);
/* 1 when every condition of d holds in values (a parent absent from
 * values takes its default). */
int nr_hp_space_active(const nr_hp_space *s, const nr_hp_def *d, const nr_hp_values *values);
/* Checks that value is one d can take (type, range, step, choice). */
nr_status nr_hp_def_check(const nr_hp_def *d, const nr_hp_value *value);

#ifdef __cplusplus
}
#endif
#endif
