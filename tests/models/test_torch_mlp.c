/* A small MLP against PyTorch: Input(5) -> Dense(7, tanh) -> Dense(6, relu)
 * -> Dense(K, head), from fixed weights on a fixed batch of 4 rows. Compares
 * predict() outputs, evaluate() loss and accuracy, the gradient of every
 * weight and of the input after one zero-learning-rate step, and the loss
 * trajectory and weights of five train_on_batch steps of each of the eight
 * optimizers with Keras's update rules, for categorical crossentropy, MSE
 * and weighted sparse categorical crossentropy; then the same again on the
 * plain reference kernels (NEURONA_REFERENCE=1).
 *
 * The fixtures come from scripts/gen_model_fixtures.py (its header says how
 * to regenerate them and what each record holds). */
#include <stdlib.h>
#include <string.h>
#include "models/model_internal.h"
#include "testutil.h"

#define ATOL 1e-5
#define RTOL 1e-4
#define N_ROWS 4
#define D_IN 5
#define STEPS 5

/* --- fixture files ------------------------------------------------------- */

typedef struct rec {
    char name[64];
    int n;
    float *v;
} rec;

typedef struct fixture {
    rec *r;
    int n;
} fixture;

static void fixture_free(fixture *f) {
    for (int i = 0; i < f->n; i++) free(f->r[i].v);
    free(f->r);
    f->r = NULL;
    f->n = 0;
}

/* Parses "NAME COUNT V1 ... VCOUNT" records after the magic line. */
static int fixture_load(const char *path, fixture *f) {
    size_t len;
    char *text = nr_test_read_file(path, &len);
    memset(f, 0, sizeof *f);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        return 0;
    }
    int ok = strncmp(text, "neurona-model-fixture v1\n", 25) == 0;
    if (!ok) fprintf(stderr, "%s: not a neurona-model-fixture v1 file\n", path);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); ok && line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || strncmp(line, "neurona-", 8) == 0) continue;
        rec r = {0};
        int used = 0;
        if (sscanf(line, "%63s %d%n", r.name, &r.n, &used) != 2 || r.n < 0 || r.n > 100000) {
            fprintf(stderr, "%s: bad record \"%.40s\"\n", path, line);
            ok = 0;
            break;
        }
        r.v = malloc((size_t)r.n * sizeof(float) + 1);
        char *p = line + used;
        for (int i = 0; r.v && i < r.n; i++) {
            char *end;
            r.v[i] = strtof(p, &end);
            if (end == p) { ok = 0; break; }
            p = end;
        }
        rec *grown = realloc(f->r, (size_t)(f->n + 1) * sizeof *grown);
        if (!r.v || !grown || !ok) {
            fprintf(stderr, "%s: record %s is short or out of memory\n", path, r.name);
            free(r.v);
            if (grown) f->r = grown;
            ok = 0;
            break;
        }
        f->r = grown;
        f->r[f->n++] = r;
    }
    free(text);
    if (!ok) fixture_free(f);
    return ok;
}

/* The record called name with n values (n < 0: any count), or NULL. */
static const rec *fx_get(const fixture *f, const char *name, int n) {
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->r[i].name, name) == 0) {
            if (n >= 0 && f->r[i].n != n) {
                fprintf(stderr, "fixture record %s has %d values, expected %d\n", name, f->r[i].n, n);
                nr_test_check(0, "fixture record size", __FILE__, __LINE__);
                return NULL;
            }
            return &f->r[i];
        }
    fprintf(stderr, "fixture record %s missing\n", name);
    nr_test_check(0, "fixture record present", __FILE__, __LINE__);
    return NULL;
}

static nr_tensor *tensor_from(const float *v, int ndim, int64_t d0, int64_t d1) {
    nr_tensor *t;
    int64_t shape[2] = {d0, d1};
    if (nr_tensor_new(&t, ndim, shape) != NR_OK) return NULL;
    memcpy(t->data, v, (size_t)nr_tensor_numel(t) * sizeof(float));
    return t;
}

/* --- cases and optimizers -------------------------------------------------- */

typedef struct mlp_case {
    const char *name;
    int units;
    nr_activation head;
    nr_loss_kind loss;
    int weighted;                    /* sample weights in the fixture ("sw") */
} mlp_case;

static const mlp_case cases[] = {
    {"cce", 3, NR_ACT_SOFTMAX, NR_LOSS_CATEGORICAL_CROSSENTROPY, 0},
    {"mse", 2, NR_ACT_LINEAR, NR_LOSS_MEAN_SQUARED_ERROR, 0},
    {"sparse_weighted", 3, NR_ACT_SOFTMAX, NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1},
};

/* Same names and hyperparameters as OPTIMIZERS in gen_model_fixtures.py. */
static const struct {
    const char *name;
    nr_optimizer_opts o;
} optimizers[] = {
    {"sgd", {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f}},
    {"sgd_nesterov", {.kind = NR_OPTIMIZER_SGD, .learning_rate = 0.1f, .momentum = 0.9f, .nesterov = 1}},
    {"rmsprop", {.kind = NR_OPTIMIZER_RMSPROP, .learning_rate = 0.01f}},
    {"adam", {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.01f}},
    {"adamw", {.kind = NR_OPTIMIZER_ADAMW, .learning_rate = 0.01f, .weight_decay = 0.1f}},
    {"adagrad", {.kind = NR_OPTIMIZER_ADAGRAD, .learning_rate = 0.1f}},
    {"adadelta", {.kind = NR_OPTIMIZER_ADADELTA, .learning_rate = 1.0f}},
    {"nadam", {.kind = NR_OPTIMIZER_NADAM, .learning_rate = 0.01f}},
};
#define N_OPT ((int)(sizeof optimizers / sizeof *optimizers))

/* The data of one case, as tensors. */
typedef struct batch {
    nr_tensor *x, *y, *sw, *eye;
} batch;

static void batch_free(batch *b) {
    nr_tensor_free(b->x);
    nr_tensor_free(b->y);
    nr_tensor_free(b->sw);
    nr_tensor_free(b->eye);
}

static int batch_make(const mlp_case *c, const fixture *f, batch *b) {
    memset(b, 0, sizeof *b);
    const rec *x = fx_get(f, "x", N_ROWS * D_IN);
    int sparse = c->loss == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    const rec *y = fx_get(f, "y", sparse ? N_ROWS : N_ROWS * c->units);
    const rec *sw = c->weighted ? fx_get(f, "sw", N_ROWS) : NULL;
    if (!x || !y || (c->weighted && !sw)) return 0;
    float eye[N_ROWS * N_ROWS] = {0};
    for (int i = 0; i < N_ROWS; i++) eye[i * N_ROWS + i] = 1;
    b->x = tensor_from(x->v, 2, N_ROWS, D_IN);
    b->y = tensor_from(y->v, sparse ? 1 : 2, N_ROWS, c->units);
    b->sw = sw ? tensor_from(sw->v, 1, N_ROWS, 1) : NULL;
    b->eye = tensor_from(eye, 2, N_ROWS, N_ROWS);
    return b->x && b->y && b->eye && (!c->weighted || b->sw);
}

/* The network in a new graph. With embed, the input is the 4x4 identity
 * and a bias-free linear Dense(5, name="embed") whose kernel is x makes the
 * batch: its kernel's gradient is then dL/dx. layers[] gets the three
 * Dense layers of the fixture: dense, dense_1, dense_2. */
static nr_model *build(const mlp_case *c, const fixture *f, int embed, nr_graph **gp, nr_layer *layers[3],
                       nr_layer **embed_layer) {
    nr_graph *g;
    nr_sym x, h;
    nr_model *m = NULL;
    *gp = NULL;
    if (!CHECK_OK(nr_graph_new(&g, 1))) return NULL;
    *gp = g;
    CHECK_OK(nr_input(g, &(nr_input_opts){.shape = {embed ? N_ROWS : D_IN}, .ndim = 1}, &x));
    h = x;
    if (embed) {
        CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = D_IN, .no_bias = 1, .base = {.name = "embed"}}, embed_layer));
        CHECK_OK(nr_layer_call(*embed_layer, &x, 1, &h));
    }
    const int units[3] = {7, 6, c->units};
    const nr_activation acts[3] = {NR_ACT_TANH, NR_ACT_RELU, c->head};
    for (int i = 0; i < 3; i++) {
        CHECK_OK(nr_dense(g, &(nr_dense_opts){.units = units[i], .activation = acts[i]}, &layers[i]));
        CHECK_OK(nr_layer_call(layers[i], &h, 1, &h));
    }
    CHECK_OK(nr_model_new(g, &x, 1, &h, 1, NULL, &m));
    if (!m) return NULL;
    static const char *names[3] = {"dense", "dense_1", "dense_2"};
    for (int i = 0; i < 3; i++) {
        CHECK(strcmp(nr_layer_name(layers[i]), names[i]) == 0);
        CHECK(nr_layer_n_weights(layers[i]) == 2);
        for (int k = 0; k < 2; k++) {
            char key[64];
            nr_tensor view;
            snprintf(key, sizeof key, "w0:%s/%d", names[i], k);
            const rec *w = fx_get(f, key, -1);
            if (!w || !CHECK_OK(nr_layer_weight(layers[i], k, &view))) continue;
            if (!CHECK(nr_tensor_numel(&view) == w->n)) continue;
            memcpy(view.data, w->v, (size_t)w->n * sizeof(float));
        }
    }
    if (embed) {
        nr_tensor view;
        const rec *xr = fx_get(f, "x", N_ROWS * D_IN);
        if (xr && CHECK_OK(nr_layer_weight(*embed_layer, 0, &view)) && CHECK(nr_tensor_numel(&view) == xr->n))
            memcpy(view.data, xr->v, (size_t)xr->n * sizeof(float));
    }
    return m;
}

static void compile(const mlp_case *c, nr_model *m, nr_optimizer_opts opt) {
    nr_compile_opts co = {.optimizer = opt, .loss = {{.kind = c->loss}}};
    if (c->loss != NR_LOSS_MEAN_SQUARED_ERROR) co.metrics[0] = NR_METRIC_ACCURACY;
    CHECK_OK(nr_model_compile(m, &co));
}

/* The gradient of weight k of layer l, in the graph's gradient buffer. */
static const float *weight_grad(const nr_layer *l, int k) {
    const nr_graph *g = l->g;
    return g->grads + g->nodes[l->weights[k]].param_off;
}

static void compare_weights(const fixture *f, nr_layer *layers[3], const char *prefix, const char *what) {
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++) {
            char key[128], label[256];
            nr_tensor view;
            snprintf(key, sizeof key, "%s%s/%d", prefix, nr_layer_name(layers[i]), k);
            snprintf(label, sizeof label, "%s %s", what, key);
            const rec *want = fx_get(f, key, -1);
            if (!want || !CHECK_OK(nr_layer_weight(layers[i], k, &view)) || !CHECK(nr_tensor_numel(&view) == want->n))
                continue;
            nr_test_close_arrays(view.data, want->v, (size_t)want->n, ATOL, RTOL, label);
        }
}

/* predict(), evaluate() and one step at learning rate 0: outputs, loss,
 * accuracy and every weight gradient. */
static void check_forward_and_grads(const mlp_case *c, const fixture *f, const batch *b) {
    nr_graph *g;
    nr_layer *layers[3];
    nr_model *m = build(c, f, 0, &g, layers, NULL);
    if (!m) { nr_graph_free(g); return; }
    compile(c, m, (nr_optimizer_opts){.kind = NR_OPTIMIZER_SGD, .learning_rate = NR_OPTIM_ZERO});
    const nr_tensor *xv[1] = {b->x}, *yv[1] = {b->y};
    nr_tensor *pred[1] = {NULL};
    const rec *out = fx_get(f, "out", N_ROWS * c->units), *loss = fx_get(f, "loss", 1);
    const rec *acc = c->loss == NR_LOSS_MEAN_SQUARED_ERROR ? NULL : fx_get(f, "acc", 1);
    char label[96];
    snprintf(label, sizeof label, "%s predict", c->name);
    if (CHECK_OK(nr_model_predict(m, xv, 3, pred)) && out) {
        CHECK(pred[0]->ndim == 2 && pred[0]->shape[0] == N_ROWS && pred[0]->shape[1] == c->units);
        nr_test_close_arrays(pred[0]->data, out->v, (size_t)out->n, ATOL, RTOL, label);
    }
    nr_tensor_free(pred[0]);
    nr_logs logs;
    if (CHECK_OK(nr_model_evaluate(m, xv, yv, &(nr_eval_opts){.batch_size = 3, .sample_weight = b->sw}, &logs)) && loss) {
        CHECK_CLOSE(nr_logs_get(&logs, "loss"), loss->v[0], ATOL, RTOL);
        if (acc) CHECK_CLOSE(nr_logs_get(&logs, "accuracy"), acc->v[0], 1e-6, 0);
    }
    /* One step at lr 0 leaves the weights as they were and the gradients
     * of that step in the gradient buffer. */
    float before[256], after[256];
    CHECK(nr_model_weights_size(m) <= 256);
    CHECK_OK(nr_model_get_weights(m, before));
    if (CHECK_OK(nr_model_train_on_batch(m, xv, yv, b->sw, &logs)) && loss) {
        CHECK_CLOSE(nr_logs_get(&logs, "loss"), loss->v[0], ATOL, RTOL);
        CHECK_OK(nr_model_get_weights(m, after));
        CHECK(memcmp(before, after, (size_t)nr_model_weights_size(m) * sizeof(float)) == 0);
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 2; k++) {
                char key[64], lab[128];
                snprintf(key, sizeof key, "grad:%s/%d", nr_layer_name(layers[i]), k);
                snprintf(lab, sizeof lab, "%s %s", c->name, key);
                const rec *want = fx_get(f, key, -1);
                if (want) nr_test_close_arrays(weight_grad(layers[i], k), want->v, (size_t)want->n, ATOL, RTOL, lab);
            }
    }
    nr_graph_free(g);
}

/* dL/dx through the identity-fed "embed" layer. */
static void check_input_grad(const mlp_case *c, const fixture *f, const batch *b) {
    nr_graph *g;
    nr_layer *layers[3], *embed = NULL;
    nr_model *m = build(c, f, 1, &g, layers, &embed);
    if (!m) { nr_graph_free(g); return; }
    compile(c, m, (nr_optimizer_opts){.kind = NR_OPTIMIZER_SGD, .learning_rate = NR_OPTIM_ZERO});
    const nr_tensor *ev[1] = {b->eye}, *yv[1] = {b->y};
    nr_tensor *pred[1] = {NULL};
    const rec *out = fx_get(f, "out", N_ROWS * c->units), *dx = fx_get(f, "dx", N_ROWS * D_IN);
    char label[96];
    snprintf(label, sizeof label, "%s predict through embed", c->name);
    if (CHECK_OK(nr_model_predict(m, ev, 32, pred)) && out)
        nr_test_close_arrays(pred[0]->data, out->v, (size_t)out->n, ATOL, RTOL, label);
    nr_tensor_free(pred[0]);
    nr_logs logs;
    snprintf(label, sizeof label, "%s dL/dx", c->name);
    if (CHECK_OK(nr_model_train_on_batch(m, ev, yv, b->sw, &logs)) && dx)
        nr_test_close_arrays(weight_grad(embed, 0), dx->v, (size_t)dx->n, ATOL, RTOL, label);
    nr_graph_free(g);
}

/* Five train_on_batch steps of one optimizer: losses and final weights. */
static void check_optimizer(const mlp_case *c, const fixture *f, const batch *b, int k) {
    char key[96];
    snprintf(key, sizeof key, "lr:%s", optimizers[k].name);
    const rec *lr = fx_get(f, key, 1);
    if (lr) CHECK_CLOSE(optimizers[k].o.learning_rate, lr->v[0], 0, 1e-7); /* the two tables agree */
    snprintf(key, sizeof key, "loss:%s", optimizers[k].name);
    const rec *losses = fx_get(f, key, STEPS);
    nr_graph *g;
    nr_layer *layers[3];
    nr_model *m = build(c, f, 0, &g, layers, NULL);
    if (!m || !losses) { nr_graph_free(g); return; }
    compile(c, m, optimizers[k].o);
    const nr_tensor *xv[1] = {b->x}, *yv[1] = {b->y};
    float got[STEPS];
    for (int s = 0; s < STEPS; s++) {
        nr_logs logs;
        got[s] = NAN;
        if (CHECK_OK(nr_model_train_on_batch(m, xv, yv, b->sw, &logs))) got[s] = (float)nr_logs_get(&logs, "loss");
    }
    char label[128];
    snprintf(label, sizeof label, "%s %s loss trajectory", c->name, optimizers[k].name);
    nr_test_close_arrays(got, losses->v, STEPS, ATOL, RTOL, label);
    CHECK(losses->v[STEPS - 1] < losses->v[0]); /* the fixture itself trains */
    snprintf(key, sizeof key, "w5:%s:", optimizers[k].name);
    snprintf(label, sizeof label, "%s after 5 steps", c->name);
    compare_weights(f, layers, key, label);
    nr_graph_free(g);
}

static void run_case(const mlp_case *c) {
    char rel[128];
    snprintf(rel, sizeof rel, "tests/fixtures/models/%s.txt", c->name);
    fixture f;
    if (!CHECK(fixture_load(nr_test_path(rel), &f))) return;
    batch b;
    if (CHECK(batch_make(c, &f, &b))) {
        check_forward_and_grads(c, &f, &b);
        check_input_grad(c, &f, &b);
        for (int k = 0; k < N_OPT; k++) check_optimizer(c, &f, &b, k);
    }
    batch_free(&b);
    fixture_free(&f);
}

int main(void) {
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: the fast kernels and optimizer; pass 1: the reference ones */
        if (pass) setenv("NEURONA_REFERENCE", "1", 1);
        int failed = nr_test_failed;
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i]);
        printf("%s kernels: %s\n", pass ? "reference" : "fast", nr_test_failed == failed ? "match PyTorch" : "MISMATCH");
    }
    return nr_test_finish();
}
