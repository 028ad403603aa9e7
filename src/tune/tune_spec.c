/* The objective that tunes a SPEC model: each execution loads the SPEC
 * with the trial's hyperparameters and seed, trains it as its fit() says
 * (with the search's overrides), and reports the objective's best epoch,
 * whose weights the model keeps (restored as EarlyStopping's
 * restore_best_weights does) for saving.
 * Hyperband's trials save their weights so that the trials promoted from
 * them go on training from there (Keras Tuner loads the checkpoint the
 * same way); the best execution's model is saved as it appears. */
#include <math.h>
#include <string.h>
#include "neurona/spec.h"
#include "tune/tune_internal.h"

static void trial_path(const nr_tune_spec_opts *o, int id, char *buf, size_t size) {
    snprintf(buf, size, "%s/trial_%d.nrm", o->trial_dir, id);
}

/* The weights trial from left off with (same values: same architecture). */
static nr_status continue_from(const nr_tune_spec_opts *o, int from, nr_model *m) {
    char path[4096];
    trial_path(o, from, path, sizeof path);
    nr_graph *g = NULL;
    nr_model *prev = NULL;
    NR_TRY(nr_model_load(path, &g, &prev));
    int64_t n = nr_model_weights_size(prev);
    float *w = n == nr_model_weights_size(m) && n >= 0 ? nr_malloc((size_t)n * sizeof *w + 1) : NULL;
    nr_status s = w ? nr_model_get_weights(prev, w)
                    : n == nr_model_weights_size(m) ? NR_NOMEM()
                    : nr_error(NR_STATUS_BAD_SHAPE, "%s holds %lld weights, the trial's model %lld", path,
                               (long long)n, (long long)nr_model_weights_size(m));
    if (s == NR_OK) s = nr_model_set_weights(m, w);
    nr_free(w);
    nr_graph_free(g);
    return s;
}

static nr_status fit_opts(const nr_trial *t, const nr_tune_spec_opts *o, const nr_spec *spec, nr_fit_opts *f,
                          nr_callback **cbs, nr_callback **early) {
    const nr_fit_opts *sf = nr_spec_fit_opts(spec);
    *f = sf ? *sf : (nr_fit_opts){0};
    if (o->epochs > 0) f->epochs = o->epochs;
    if (o->batch_size > 0) f->batch_size = o->batch_size;
    if (o->validation_split > 0) f->validation_split = o->validation_split;
    if (o->validation_x) {
        f->validation_x = &o->validation_x;
        f->validation_y = &o->validation_y;
    }
    if (t->epochs > 0) f->epochs = t->epochs, f->initial_epoch = t->initial_epoch;
    f->verbose = 0;
    if (f->n_callbacks > 15) return nr_error(NR_STATUS_UNSUPPORTED, "tune: at most 15 callbacks in fit()");
    for (int i = 0; i < f->n_callbacks; i++) cbs[i] = f->callbacks[i];
    /* Always there: it keeps the best epoch's weights for the saved model
     * (Keras Tuner checkpoints that epoch); it stops only with a patience. */
    NR_TRY(nr_early_stopping_new(&(nr_early_stopping_opts){.monitor = t->objective, .mode = t->direction,
                                                          .patience = o->patience > 0 ? o->patience : INT32_MAX,
                                                          .restore_best_weights = 1}, early));
    cbs[f->n_callbacks++] = *early;
    f->callbacks = cbs;
    return NR_OK;
}

/* The objective's best epoch of h. */
static nr_status best_of(const nr_trial *t, const nr_history *h, nr_trial_result *r) {
    const double *v = nr_history_values(h, t->objective);
    if (!v) {
        char keys[512] = "";
        size_t k = 0;
        for (int i = 0; i < nr_history_n_keys(h) && k < sizeof keys; i++)
            k += (size_t)snprintf(keys + k, sizeof keys - k, "%s%s", i ? ", " : "", nr_history_key(h, i));
        return nr_error(NR_STATUS_BAD_ARGUMENT, "tune: the objective \"%s\" is not among the figures fit() logs (%s)%s",
                        t->objective, keys, strncmp(t->objective, "val_", 4) ? "" : "; val_ figures need "
                        "validation data: fit(validation_split=...) in the SPEC, or --validation-split");
    }
    const int *epochs = nr_history_epochs(h);
    r->value = NAN;
    for (int i = 0; i < nr_history_n_epochs(h); i++) {
        double x = t->direction == NR_MODE_MAX ? -v[i] : v[i], b = t->direction == NR_MODE_MAX ? -r->value : r->value;
        if (isfinite(x) && !(x >= b)) r->value = v[i], r->best_epoch = epochs[i];
    }
    if (isnan(r->value)) return nr_error(NR_STATUS_NAN, "tune: %s was never finite", t->objective);
    return NR_OK;
}

static nr_status save_models(const nr_trial *t, const nr_tune_spec_opts *o, nr_model *m, double value) {
    if (o->trial_dir && t->epochs > 0) {
        char path[4096];
        trial_path(o, t->id, path, sizeof path);
        NR_TRY(nr_model_save(m, path));
    }
    if (!o->best_model || !nr_trial_best_begin(t, value)) return NR_OK;
    nr_status s = nr_model_save(m, o->best_model);
    nr_trial_best_end(t);
    return s;
}

static nr_status train(const nr_trial *t, const nr_tune_spec_opts *o, nr_spec *spec, nr_trial_result *r) {
    nr_model *m = nr_spec_model(spec);
    if (!m || !nr_spec_compiled(spec))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the SPEC defines no compiled model; it needs compile(...)",
                        o->spec_name);
    if (o->prepare) NR_TRY(o->prepare(m, o->prepare_user));
    if (t->from_trial >= 0) NR_TRY(continue_from(o, t->from_trial, m));
    nr_callback *cbs[16], *early = NULL;
    nr_fit_opts f;
    nr_status s = fit_opts(t, o, spec, &f, cbs, &early);
    nr_history *h = NULL;
    if (s == NR_OK) s = nr_model_fit(m, &o->x, &o->y, &f, &h);
    if (s == NR_OK) s = best_of(t, h, r);
    if (s == NR_OK) s = save_models(t, o, m, r->value);
    nr_callback_free(early);
    if (s != NR_OK) {
        nr_history_free(h);
        return s;
    }
    r->history = h;
    return NR_OK;
}

nr_status nr_tune_spec_objective(const nr_trial *t, nr_trial_result *r, void *user) {
    const nr_tune_spec_opts *o = user;
    nr_spec *spec = NULL;
    NR_TRY(nr_spec_load_string_opts(o->spec, o->spec_name, &(nr_spec_load_opts){.seed = t->seed, .hp = t->hp}, &spec));
    nr_status s = train(t, o, spec, r);
    nr_spec_free(spec);
    return s;
}
