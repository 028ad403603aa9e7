/* neurona neuron: a classic single-neuron learner (McCulloch-Pitts,
 * perceptron, ADALINE, general neuron, single-layer multi-class network)
 * run on a CSV file, printing its weights, bias and error per epoch, and
 * with --trace every weight update. */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_neuron.h"
#include "core/core.h"

static const char usage[] =
    "--kind mp|perceptron|adaline|general|multiclass --data FILE.csv --target COL [--activation A] [--cost C] "
    "[--alpha A] [--n-iter N] [--bound E] [--seed S] [--weights W,...] [--threshold T] [--trace] "
    "[--plot FILE.png|svg]";

static const char about[] =
    "Runs a classic single-neuron learner with its historical rule on a CSV\n"
    "file: every column but the target is an input. McCulloch-Pitts uses the\n"
    "--weights and --threshold given (binary inputs); the perceptron learns\n"
    "w += alpha (t - y) x on 0/1 targets until an epoch has no error; ADALINE\n"
    "learns by LMS until the MSE changes by less than --bound; the general\n"
    "neuron and the multi-class network learn by gradient descent.";

static const char notes[] =
    "Activations: sigmoid, tanh, linear (general), softmax (multiclass).\n"
    "Costs: mse, bce (with sigmoid), cce (with softmax). Defaults: alpha 0.1,\n"
    "n-iter 100, bound 1e-9, seed 0; general sigmoid and mse, multiclass\n"
    "softmax and cce. The multi-class target may be text (classes in sorted\n"
    "order) or class indices. --plot needs two inputs: it draws the data and\n"
    "the decision boundary beside the error per epoch.";

static const char example[] =
    "neurona neuron --kind perceptron --data and.csv --target y --trace\n"
    "neurona neuron --kind multiclass --data data/iris.csv --target species --alpha 0.01 --n-iter 300";

typedef struct args {
    const char *kind, *data, *target, *activation, *cost, *weights, *plot;
    double alpha, bound, threshold;
    int n_iter, seed, trace;
} args;

static void print_update(const nr_neuron_update *u, void *user) {
    printf("epoch %d example %lld: error %.6g, weights", u->epoch + 1, (long long)u->example + 1, u->error);
    for (int i = 0; i < u->n_inputs * u->n_outputs; i++) printf(" %.6g", u->weights[i]);
    printf(", bias");
    for (int k = 0; k < u->n_outputs; k++) printf(" %.6g", u->bias[k]);
    printf("\n");
}

/* Features and target as doubles, the target by class for multiclass. */
static nr_status load(const args *a, int multi, cli_neuron_data *d, nr_labels **labels) {
    nr_csv *csv = NULL;
    nr_tensor *x = NULL, *y = NULL;
    NR_TRY(nr_csv_read(a->data, NULL, &csv));
    nr_status s = nr_csv_to_xy(csv, a->target, &(nr_csv_xy_opts){.classification = multi ? 1 : -1}, &x, &y, labels);
    if (s == NR_OK) {
        d->n = x->shape[0];
        d->F = (int)x->shape[1];
        d->x = nr_malloc((size_t)(d->n * d->F) * sizeof *d->x);
        d->t = nr_malloc((size_t)d->n * sizeof *d->t);
        s = d->x && d->t ? NR_OK : NR_NOMEM();
    }
    for (int64_t i = 0; s == NR_OK && i < d->n * d->F; i++) d->x[i] = x->data[i];
    for (int64_t i = 0; s == NR_OK && i < d->n; i++) d->t[i] = y->data[i];
    int tcol = nr_csv_col_find(csv, a->target);
    for (int c = 0, j = 0; s == NR_OK && c < nr_csv_num_cols(csv) && j < 2; c++)
        if (c != tcol) snprintf(d->x_names[j++], sizeof d->x_names[0], "%s", nr_csv_col_name(csv, c));
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_csv_free(csv);
    return s;
}

static nr_status mp_new(const args *a, int F, nr_neuron **nn) {
    if (!a->weights)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "neuron: --kind mp needs --weights (one per input, %d here)", F);
    double *w = nr_malloc((size_t)F * sizeof *w);
    if (!w) return NR_NOMEM();
    const char *p = a->weights;
    int n = 0;
    for (char *end; n < F; n++, p = end + 1) {
        w[n] = strtod(p, &end);
        if (end == p || (*end != ',' && *end != 0) || (*end == 0 && n + 1 < F) || (*end == ',' && n + 1 == F)) break;
    }
    nr_status s = n == F ? nr_neuron_mp_new(F, w, a->threshold, nn)
                         : nr_error(NR_STATUS_BAD_ARGUMENT, "neuron: --weights '%s' must be %d numbers separated "
                                    "by commas, one per input", a->weights, F);
    nr_free(w);
    return s;
}

static void print_result(const nr_neuron *nn, const cli_neuron_data *d, const nr_labels *labels) {
    nr_neuron_kind kind = nr_neuron_get_kind(nn);
    int K = nr_neuron_n_outputs(nn), E = nr_neuron_n_epochs(nn);
    printf("%s: %d inputs, %lld examples\n", nr_neuron_kind_name(kind), d->F, (long long)d->n);
    if (E > 0) printf("epoch  %s\n", kind == NR_NEURON_PERCEPTRON ? "errors" : kind == NR_NEURON_ADALINE ? "mse" : "cost");
    for (int e = 0; e < E; e++) printf("%5d  %.10g\n", e + 1, nr_neuron_errors(nn)[e]);
    if (kind == NR_NEURON_PERCEPTRON)
        printf(nr_neuron_converged(nn) ? "converged after %d epochs (an epoch without errors)\n"
                                       : "did not converge in %d epochs: the data may not be linearly separable\n",
               E);
    else if (kind != NR_NEURON_MP)
        printf(nr_neuron_converged(nn) ? "converged after %d epochs (error change below the bound)\n"
                                       : "stopped after %d epochs (n-iter) before the error change fell below the "
                                         "bound\n",
               E);
    for (int k = 0; k < K; k++) {
        if (K > 1) printf("class %s: ", labels ? nr_labels_name(labels, k) : "?");
        printf("weights");
        for (int j = 0; j < d->F; j++) printf(" %.10g", nr_neuron_weights(nn)[k * d->F + j]);
        if (kind == NR_NEURON_MP) printf("  threshold %.10g\n", -nr_neuron_bias(nn)[k]);
        else printf("  bias %.10g\n", nr_neuron_bias(nn)[k]);
    }
}

/* How many examples the learner gets right (classifiers) or its MSE. */
static nr_status print_fit(const nr_neuron *nn, const cli_neuron_data *d) {
    double *y = nr_malloc((size_t)d->n * sizeof *y);
    if (!y) return NR_NOMEM();
    nr_status s = nr_neuron_predict(nn, d->x, d->n, y);
    int64_t right = 0;
    double se = 0;
    for (int64_t i = 0; s == NR_OK && i < d->n; i++) right += y[i] == d->t[i], se += (y[i] - d->t[i]) * (y[i] - d->t[i]);
    nr_neuron_kind kind = nr_neuron_get_kind(nn);
    if (s == NR_OK && (kind == NR_NEURON_ADALINE || kind == NR_NEURON_GENERAL))
        printf("training mse %.10g\n", se / (double)d->n);
    else if (s == NR_OK)
        printf("right on %lld of %lld examples (%.4f)\n", (long long)right, (long long)d->n,
               (double)right / (double)d->n);
    nr_free(y);
    return s;
}

static nr_status train(const args *a, nr_neuron_kind kind, const cli_neuron_data *d, nr_neuron **nn) {
    nr_neuron_opts o = {.alpha = a->alpha, .n_iter = a->n_iter, .bound = a->bound, .random_state = (uint64_t)a->seed,
                        .trace = a->trace ? print_update : NULL};
    if (a->activation) NR_TRY(nr_neuron_act_parse(a->activation, &o.activation));
    if (a->cost) NR_TRY(nr_neuron_cost_parse(a->cost, &o.cost));
    return kind == NR_NEURON_MP ? mp_new(a, d->F, nn) : nr_neuron_fit(kind, d->x, d->n, d->F, d->t, &o, nn);
}

static int run(const args *a) {
    nr_neuron_kind kind;
    nr_status s = nr_neuron_kind_parse(a->kind, &kind);
    if (s != NR_OK) return cli_fail(s);
    cli_neuron_data d = {0};
    nr_labels *labels = NULL;
    nr_neuron *nn = NULL;
    s = load(a, kind == NR_NEURON_MULTICLASS, &d, &labels);
    if (s == NR_OK && a->plot && d.F != 2)
        s = nr_error(NR_STATUS_BAD_ARGUMENT, "neuron: --plot draws two inputs; %s has %d", a->data, d.F);
    if (s == NR_OK) s = train(a, kind, &d, &nn);
    if (s == NR_OK) print_result(nn, &d, labels);
    if (s == NR_OK) s = print_fit(nn, &d);
    if (s == NR_OK && a->plot) {
        s = cli_neuron_plot(nn, &d, a->plot);
        if (s == NR_OK) printf("Saved the plot to %s\n", a->plot);
        nr_plot_cleanup(); /* cairo's font caches, so leak checkers see none */
    }
    nr_neuron_free(nn);
    nr_labels_free(labels);
    nr_free(d.x);
    nr_free(d.t);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}

int cmd_neuron(int argc, char **argv) {
    args a = {0};
    const cli_opt opts[] = {
        CLI_OPT_CHOICE("kind", &a.kind, "mp|perceptron|adaline|general|multiclass", "the learner (required)"),
        CLI_OPT_STR("data", &a.data, "FILE.csv", "the examples (required)"),
        CLI_OPT_STR("target", &a.target, "COL", "the target column, by name or index (required)"),
        CLI_OPT_CHOICE("activation", &a.activation, "sigmoid|tanh|linear|softmax", "general and multiclass output"),
        CLI_OPT_CHOICE("cost", &a.cost, "mse|bce|cce", "general and multiclass cost"),
        CLI_OPT_FLOAT("alpha", &a.alpha, "A", "learning rate (default 0.1)"),
        CLI_OPT_INT("n-iter", &a.n_iter, "N", 1, 100000000, "most epochs (default 100)"),
        CLI_OPT_FLOAT("bound", &a.bound, "E", "stop when the error changes by less (default 1e-9)"),
        CLI_OPT_INT("seed", &a.seed, "S", 0, 2147483647, "seed of the initial weights (default 0)"),
        CLI_OPT_STR("weights", &a.weights, "W,...", "mp: the weights, negative ones inhibitory"),
        CLI_OPT_FLOAT("threshold", &a.threshold, "T", "mp: fires when the weighted sum reaches T (default 0)"),
        CLI_OPT_FLAG("trace", &a.trace, "print every weight update"),
        CLI_OPT_STR("plot", &a.plot, "FILE.png|svg", "draw the data, the decision boundary and the error curve"),
    };
    const cli_command c = {.name = "neuron", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    if (!a.kind || !a.data || !a.target) return cli_usage("neuron", "--kind, --data and --target are required");
    return run(&a);
}
