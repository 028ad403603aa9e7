/* neurona summary: Keras's model.summary() for a SPEC file or a saved
 * model, told apart by the model file's magic bytes (or its .nrm name, so
 * that a damaged model file gets the model loader's diagnosis). */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_prep.h"
#include "cli/cli_spec.h"
#include "core/core.h"

static const char about[] =
    "Prints the layers, output shapes and parameter counts of the model that a\n"
    "SPEC file defines or that a model file (from 'neurona train') holds; for a\n"
    "model file also its loss, class names, feature scaler and series windowing.";

static const char example[] =
    "neurona summary examples/iris_mlp.nr\n"
    "neurona summary iris.nrm";

static void print_names(const char *what, const char *const *names, int n) {
    printf("%s", what);
    for (int i = 0; i < n; i++) printf("%s%s", i ? ", " : " ", names[i]);
}

/* The windowing of a model trained on a series. */
static void print_series(const nr_model *m) {
    const nr_series_opts *o = nr_model_series(m);
    if (!o) return;
    const nr_scaler *s = nr_model_series_scaler(m);
    print_names("Series: inputs", o->features, o->n_features);
    print_names("; targets", o->targets, o->n_targets);
    printf("; window %d, horizon %d, stride %d; split %g, %g, %g; scaling: %s\n", o->window, o->horizon, o->stride,
           o->split[0], o->split[1], o->split[2],
           !s ? "none" : nr_scaler_get_kind(s) == NR_SCALER_MINMAX ? "minmax" : "standard");
}

/* What a saved model carries besides its layers. */
static void print_extras(const nr_model *m) {
    nr_loss_kind loss = nr_model_loss(m, 0).kind;
    if (loss != NR_LOSS_NONE) printf("Loss: %s\n", nr_loss_name(loss));
    const nr_labels *l = nr_model_labels(m);
    if (l) {
        printf("Classes (%d):", nr_labels_count(l));
        for (int i = 0; i < nr_labels_count(l); i++) printf("%s %s", i ? "," : "", nr_labels_name(l, i));
        printf("\n");
    }
    const nr_scaler *s = nr_model_scaler(m);
    if (s)
        printf("Scaler: %s, %lld features\n", nr_scaler_get_kind(s) == NR_SCALER_MINMAX ? "minmax" : "standard",
               (long long)nr_scaler_size(s));
    print_series(m);
}

static nr_status summarize_model(const char *path) {
    nr_graph *g = NULL;
    nr_model *m = NULL;
    NR_TRY(nr_model_load(path, &g, &m));
    nr_status s = nr_model_summary(m, stdout);
    if (s == NR_OK) print_extras(m);
    nr_graph_free(g);
    return s;
}

static nr_status summarize_spec(const char *path) {
    nr_spec *spec = NULL;
    NR_TRY(nr_spec_load_file(path, 42, &spec));
    nr_model *m = nr_spec_model(spec);
    nr_status s = m ? nr_model_summary(m, stdout)
                    : nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the SPEC defines no model", path);
    nr_spec_free(spec);
    return s;
}

int cmd_summary(int argc, char **argv) {
    const cli_command c = {.name = "summary", .usage = "SPEC|MODEL", .about = about, .min_pos = 1, .max_pos = 1,
                           .pos_name = "SPEC|MODEL", .example = example};
    const char *pos[1];
    int n_pos, model = 0;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    nr_status s = cli_is_model_file(pos[0], &model);
    if (s == NR_OK) s = model ? summarize_model(pos[0]) : summarize_spec(pos[0]);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}
