/* SPEC fit() and callbacks. fit() does not train: it records its options
 * (epochs, batch_size, validation_split, shuffle, verbose, class_weight,
 * initial_epoch, callbacks) for the CLI, which brings the data; x and y may
 * name variables the SPEC never defines (x_train) and are ignored.
 * Callback objects are recorded as options and made when fit() uses them,
 * so unused ones cost nothing and the spec owns exactly what fit holds. */
#include <string.h>
#include "io/spec_build.h"

typedef enum { CB_EARLY, CB_CHECKPOINT, CB_CSV, CB_REDUCE_LR, CB_NAN } cb_kind;

struct nr_spec_cbdef {
    cb_kind kind;
    union {
        nr_early_stopping_opts early;
        nr_model_checkpoint_opts checkpoint;
        nr_csv_logger_opts csv;
        nr_reduce_lr_opts reduce;
    } o;
};

static nr_status mode_arg(nr_spec_ctx *x, const nr_spec_args *a, nr_monitor_mode *out) {
    static const char *const modes[] = {"auto", "min", "max"};
    const char *s = NULL;
    NR_TRY(nr_spec_get_str(x, a, "mode", &s));
    if (!s) return NR_OK;
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, modes[i])) {
            *out = (nr_monitor_mode)i;
            return NR_OK;
        }
    const nr_val *v = nr_spec_arg(a, "mode");
    return nr_spec_unknown(x, v->line, v->col, "mode", s, modes, 3);
}

static nr_status cb_val(nr_spec_ctx *x, const nr_spec_args *a, const nr_spec_cbdef *d, nr_val **out) {
    nr_val *v = nr_spec_new_val(x, NR_VAL_CALLBACK, a->line, a->col);
    if (!v || !(v->u.cb = nr_spec_alloc(&x->arena, sizeof *d))) return NR_NOMEM();
    *v->u.cb = *d;
    *out = v;
    return NR_OK;
}

static nr_status early_stopping_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_spec_cbdef d = {.kind = CB_EARLY};
    nr_early_stopping_opts *o = &d.o.early;
    NR_TRY(nr_spec_get_str(x, a, "monitor", &o->monitor));
    NR_TRY(nr_spec_get_float(x, a, "min_delta", &o->min_delta));
    NR_TRY(nr_spec_get_int32(x, a, "patience", 0, INT32_MAX, &o->patience));
    NR_TRY(nr_spec_get_int32(x, a, "verbose", 0, 2, &o->verbose));
    NR_TRY(mode_arg(x, a, &o->mode));
    o->has_baseline = nr_spec_given(a, "baseline");
    NR_TRY(nr_spec_get_float(x, a, "baseline", &o->baseline));
    NR_TRY(nr_spec_get_bool(x, a, "restore_best_weights", &o->restore_best_weights));
    NR_TRY(nr_spec_get_int32(x, a, "start_from_epoch", 0, INT32_MAX, &o->start_from_epoch));
    return cb_val(x, a, &d, out);
}

static nr_status checkpoint_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_spec_cbdef d = {.kind = CB_CHECKPOINT};
    nr_model_checkpoint_opts *o = &d.o.checkpoint;
    int weights_only = 0;
    const char *freq = NULL;
    if (!nr_spec_given(a, "filepath")) return nr_spec_missing(x, a, "filepath");
    NR_TRY(nr_spec_get_str(x, a, "filepath", &o->filepath));
    NR_TRY(nr_spec_get_str(x, a, "monitor", &o->monitor));
    NR_TRY(nr_spec_get_int32(x, a, "verbose", 0, 2, &o->verbose));
    NR_TRY(nr_spec_get_bool(x, a, "save_best_only", &o->save_best_only));
    /* A neurona model file holds the weights too; weights-only saves the whole model. */
    NR_TRY(nr_spec_get_bool(x, a, "save_weights_only", &weights_only));
    NR_TRY(mode_arg(x, a, &o->mode));
    NR_TRY(nr_spec_get_str(x, a, "save_freq", &freq));
    if (freq && strcmp(freq, "epoch") != 0) return nr_spec_only_default(x, a, "save_freq", "only \"epoch\"");
    if (nr_spec_given(a, "save_freq") && !freq) return nr_spec_type_error(x, a, "save_freq", "\"epoch\"");
    NR_TRY(nr_spec_only_default(x, a, "initial_value_threshold", NULL));
    return cb_val(x, a, &d, out);
}

static nr_status csv_logger_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_spec_cbdef d = {.kind = CB_CSV};
    const char *sep = NULL;
    if (!nr_spec_given(a, "filename")) return nr_spec_missing(x, a, "filename");
    NR_TRY(nr_spec_get_str(x, a, "filename", &d.o.csv.filename));
    NR_TRY(nr_spec_get_str(x, a, "separator", &sep));
    if (sep && strlen(sep) != 1) return nr_spec_type_error(x, a, "separator", "one character");
    if (sep) d.o.csv.separator = sep[0];
    NR_TRY(nr_spec_get_bool(x, a, "append", &d.o.csv.append));
    return cb_val(x, a, &d, out);
}

static nr_status reduce_lr_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_spec_cbdef d = {.kind = CB_REDUCE_LR};
    nr_reduce_lr_opts *o = &d.o.reduce;
    NR_TRY(nr_spec_get_str(x, a, "monitor", &o->monitor));
    NR_TRY(nr_spec_get_float(x, a, "factor", &o->factor));
    NR_TRY(nr_spec_get_int32(x, a, "patience", 0, INT32_MAX, &o->patience));
    NR_TRY(nr_spec_get_int32(x, a, "verbose", 0, 2, &o->verbose));
    NR_TRY(mode_arg(x, a, &o->mode));
    NR_TRY(nr_spec_get_float(x, a, "min_delta", &o->min_delta));
    NR_TRY(nr_spec_get_int32(x, a, "cooldown", 0, INT32_MAX, &o->cooldown));
    NR_TRY(nr_spec_get_float(x, a, "min_lr", &o->min_lr));
    return cb_val(x, a, &d, out);
}

static nr_status terminate_on_nan_new(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_spec_cbdef d = {.kind = CB_NAN};
    return cb_val(x, a, &d, out);
}

static nr_status make_callback(const nr_spec_cbdef *d, nr_callback **cb) {
    switch (d->kind) {
    case CB_EARLY: return nr_early_stopping_new(&d->o.early, cb);
    case CB_CHECKPOINT: return nr_model_checkpoint_new(&d->o.checkpoint, cb);
    case CB_CSV: return nr_csv_logger_new(&d->o.csv, cb);
    case CB_REDUCE_LR: return nr_reduce_lr_on_plateau_new(&d->o.reduce, cb);
    default: return nr_terminate_on_nan_new(cb);
    }
}

/* --- fit ---------------------------------------------------------------------- */

static void drop_fit(nr_spec *s) {
    for (int i = 0; i < s->n_callbacks; i++) nr_callback_free(s->callbacks[i]);
    nr_free(s->callbacks);
    nr_free(s->class_weight);
    s->callbacks = NULL;
    s->class_weight = NULL;
    s->n_callbacks = 0;
    s->has_fit = 0;
    memset(&s->fit, 0, sizeof s->fit);
}

static nr_status callbacks(nr_spec_ctx *x, const nr_spec_args *a, nr_spec *s) {
    const nr_val *v = nr_spec_arg(a, "callbacks");
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind != NR_VAL_LIST && v->kind != NR_VAL_TUPLE)
        return nr_spec_type_error(x, a, "callbacks", "a list of callbacks");
    if (v->u.seq.n > 64) return nr_spec_error(x, v->line, v->col, NR_STATUS_UNSUPPORTED, "fit: at most 64 callbacks");
    s->callbacks = nr_calloc((size_t)v->u.seq.n + 1, sizeof *s->callbacks);
    if (!s->callbacks) return NR_NOMEM();
    for (int i = 0; i < v->u.seq.n; i++) {
        const nr_val *c = v->u.seq.items[i];
        char got[128];
        if (c->kind != NR_VAL_CALLBACK)
            return nr_spec_error(x, c->line, c->col, NR_STATUS_BAD_ARGUMENT,
                                 "%s: callbacks must hold callbacks, got %s", a->what,
                                 nr_spec_describe(c, got, sizeof got));
        nr_status st = make_callback(c->u.cb, &s->callbacks[i]);
        if (st != NR_OK) return nr_spec_fail(x, c->line, c->col, st);
        s->n_callbacks++;
    }
    return NR_OK;
}

/* {0: 1.0, 1: 5.0}: a weight per class index; classes left out weigh 1. */
static nr_status class_weight(nr_spec_ctx *x, const nr_spec_args *a, nr_spec *s) {
    const nr_val *v = nr_spec_arg(a, "class_weight");
    if (!v || v->kind == NR_VAL_NONE) return NR_OK;
    if (v->kind != NR_VAL_DICT || v->u.seq.n == 0)
        return nr_spec_type_error(x, a, "class_weight", "a dict {class: weight}");
    int64_t n = 0;
    for (int i = 0; i < v->u.seq.n; i++) {
        const nr_val *k = v->u.seq.items[i], *w = v->u.seq.values[i];
        if (k->kind != NR_VAL_INT || k->u.i < 0 || k->u.i >= 65536)
            return nr_spec_error(x, k->line, k->col, NR_STATUS_BAD_ARGUMENT,
                                 "fit: class_weight keys must be class indices in [0, 65535]");
        if (!nr_spec_is_number(w) || !(nr_spec_number(w) >= 0) || nr_spec_number(w) > 1e30)
            return nr_spec_error(x, w->line, w->col, NR_STATUS_BAD_ARGUMENT,
                                 "fit: class_weight values must be numbers >= 0");
        if (k->u.i + 1 > n) n = k->u.i + 1;
    }
    if (!(s->class_weight = nr_malloc((size_t)n * sizeof *s->class_weight))) return NR_NOMEM();
    for (int64_t i = 0; i < n; i++) s->class_weight[i] = 1;
    for (int i = 0; i < v->u.seq.n; i++)
        s->class_weight[v->u.seq.items[i]->u.i] = (float)nr_spec_number(v->u.seq.values[i]);
    s->fit.class_weight = s->class_weight;
    s->fit.n_class_weight = (int)n;
    return NR_OK;
}

/* x and y name the data of a Keras script; the CLI supplies it instead. */
static nr_status data_arg(nr_spec_ctx *x, const nr_spec_args *a, const char *name) {
    const nr_ast *e = nr_spec_arg_ast(a, name);
    if (!e || e->kind == NR_AST_NAME || e->kind == NR_AST_NONE) return NR_OK;
    return nr_spec_error(x, e->line, e->col, NR_STATUS_UNSUPPORTED,
                         "fit: %s must be a variable name (it is ignored: the data comes from the command line)", name);
}

static nr_status verbose_arg(nr_spec_ctx *x, const nr_spec_args *a, int *verbose) {
    const nr_val *v = nr_spec_arg(a, "verbose");
    *verbose = 1; /* Keras's "auto" */
    if (!v || v->kind == NR_VAL_NONE || (v->kind == NR_VAL_STR && !strcmp(v->u.s, "auto"))) return NR_OK;
    if (v->kind != NR_VAL_INT) return nr_spec_type_error(x, a, "verbose", "0, 1, 2 or \"auto\"");
    return nr_spec_get_int32(x, a, "verbose", 0, 2, verbose);
}

static nr_status fit_options(nr_spec_ctx *x, const nr_spec_args *a, nr_fit_opts *f) {
    int shuffle = 1;
    f->epochs = 1;
    NR_TRY(nr_spec_get_int32(x, a, "epochs", 1, INT32_MAX, &f->epochs));
    NR_TRY(nr_spec_get_int32(x, a, "batch_size", 1, INT32_MAX, &f->batch_size));
    NR_TRY(verbose_arg(x, a, &f->verbose));
    NR_TRY(nr_spec_get_float(x, a, "validation_split", &f->validation_split));
    if (!(f->validation_split >= 0 && f->validation_split < 1))
        return nr_spec_error(x, a->line, a->col, NR_STATUS_BAD_ARGUMENT,
                             "fit: validation_split must be in [0, 1), got %g", f->validation_split);
    NR_TRY(nr_spec_get_bool(x, a, "shuffle", &shuffle));
    f->no_shuffle = !shuffle;
    NR_TRY(nr_spec_get_int32(x, a, "initial_epoch", 0, INT32_MAX, &f->initial_epoch));
    NR_TRY(data_arg(x, a, "x"));
    NR_TRY(data_arg(x, a, "y"));
    NR_TRY(nr_spec_only_default(x, a, "validation_data", "use validation_split, or give the CLI a validation file"));
    NR_TRY(nr_spec_only_default(x, a, "sample_weight", "the CLI takes sample weights"));
    NR_TRY(nr_spec_only_default(x, a, "steps_per_epoch", NULL));
    NR_TRY(nr_spec_only_default(x, a, "validation_steps", NULL));
    NR_TRY(nr_spec_only_default(x, a, "validation_batch_size", NULL));
    int64_t freq = 1;
    NR_TRY(nr_spec_get_int(x, a, "validation_freq", 1, 1, &freq));
    return NR_OK;
}

static nr_status fit_fn(nr_spec_ctx *x, nr_spec_args *a, nr_val **out) {
    nr_model *m;
    if (!a->self) NR_TRY(nr_spec_current_model(x, a, &m));
    nr_spec *s = x->spec;
    drop_fit(s);
    nr_status st = fit_options(x, a, &s->fit);
    if (st == NR_OK) st = class_weight(x, a, s);
    if (st == NR_OK) st = callbacks(x, a, s);
    if (st != NR_OK) {
        drop_fit(s);
        return st;
    }
    s->fit.callbacks = s->callbacks;
    s->fit.n_callbacks = s->n_callbacks;
    s->has_fit = 1;
    return (*out = nr_spec_new_val(x, NR_VAL_HISTORY, a->line, a->col)) ? NR_OK : NR_NOMEM();
}

void nr_spec_drop_fit(nr_spec *s) { drop_fit(s); }

#define ALL NR_SPEC_MAX_PARAMS

const nr_spec_builtin nr_spec_fit_builtins[] = {
    {"fit",
     {"~x", "~y", "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data", "shuffle",
      "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch", "validation_steps", "validation_batch_size",
      "validation_freq"},
     ALL,
     fit_fn,
     NR_SPEC_METHOD},
    {"EarlyStopping",
     {"monitor", "min_delta", "patience", "verbose", "mode", "baseline", "restore_best_weights", "start_from_epoch"},
     ALL,
     early_stopping_new,
     0},
    {"ModelCheckpoint",
     {"filepath", "monitor", "verbose", "save_best_only", "save_weights_only", "mode", "save_freq",
      "initial_value_threshold"},
     ALL,
     checkpoint_new,
     0},
    {"CSVLogger", {"filename", "separator", "append"}, ALL, csv_logger_new, 0},
    {"ReduceLROnPlateau",
     {"monitor", "factor", "patience", "verbose", "mode", "min_delta", "cooldown", "min_lr"},
     ALL,
     reduce_lr_new,
     0},
    {"TerminateOnNaN", {0}, 0, terminate_on_nan_new, 0},
    {NULL, {0}, 0, NULL, 0},
};
