/* Activations, softmax and losses against PyTorch references written by
 * scripts/gen_op_fixtures.py (Keras semantics spelled out in torch ops),
 * forward values and gradients, on both backends. Tolerance 1e-5 abs +
 * 1e-4 rel. Format: see the script. */
#include <string.h>
#include "ops/opcheck.h"

#define ATOL 1e-5
#define RTOL 1e-4
#define MAX_TENSORS 512

typedef struct fx_tensor {
    char name[80];
    int ndim;
    int64_t dims[4];
    int64_t n;
    float *v;
} fx_tensor;

typedef struct fixture {
    fx_tensor t[MAX_TENSORS];
    int n;
} fixture;

/* Parses a fixture file; 0 on a malformed file (reported). */
static int fx_load(fixture *fx, const char *rel) {
    memset(fx, 0, sizeof *fx);
    const char *path = nr_test_path(rel);
    size_t len;
    char *text = nr_test_read_file(path, &len);
    if (!CHECK(text != NULL)) {
        fprintf(stderr, "  cannot read %s (regenerate with /usr/bin/python3 scripts/gen_op_fixtures.py)\n", path);
        return 0;
    }
    int ok = 1;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, "neurona-op-fixtures 1") != 0) {
        fprintf(stderr, "  %s: not a version 1 fixture file\n", path);
        ok = 0;
    }
    for (line = ok ? strtok_r(NULL, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == 0) continue;
        if (fx->n == MAX_TENSORS) { ok = 0; break; }
        fx_tensor *t = &fx->t[fx->n];
        char *p = line, *end;
        size_t nl = strcspn(p, " ");
        if (nl == 0 || nl >= sizeof t->name) { ok = 0; break; }
        memcpy(t->name, p, nl);
        p += nl;
        t->ndim = (int)strtol(p, &end, 10);
        if (end == p || t->ndim < 0 || t->ndim > 4) { ok = 0; break; }
        p = end;
        t->n = 1;
        for (int i = 0; i < t->ndim; i++) {
            t->dims[i] = strtoll(p, &end, 10);
            if (end == p || t->dims[i] <= 0 || t->dims[i] > 100000) { ok = 0; break; }
            t->n *= t->dims[i];
            p = end;
        }
        if (!ok) break;
        t->v = malloc((size_t)t->n * sizeof(float));
        for (int64_t i = 0; i < t->n; i++) {
            t->v[i] = strtof(p, &end);
            if (end == p) { ok = 0; break; }
            p = end;
        }
        fx->n++;
        if (!ok) break;
    }
    if (!ok) fprintf(stderr, "  %s: malformed near tensor %d\n", path, fx->n);
    free(text);
    return CHECK(ok);
}

static void fx_free(fixture *fx) {
    for (int i = 0; i < fx->n; i++) free(fx->t[i].v);
}

/* Tensor <prefix><suffix>, or NULL. */
static const fx_tensor *fx_get(const fixture *fx, const char *prefix, const char *suffix) {
    char name[128];
    snprintf(name, sizeof name, "%s%s", prefix, suffix);
    for (int i = 0; i < fx->n; i++)
        if (!strcmp(fx->t[i].name, name)) return &fx->t[i];
    return NULL;
}

/* The same, counted as a failure when absent. */
static const fx_tensor *fx_need(const fixture *fx, const char *prefix, const char *suffix) {
    const fx_tensor *t = fx_get(fx, prefix, suffix);
    if (!t) fprintf(stderr, "  fixture tensor %s%s missing\n", prefix, suffix);
    CHECK(t != NULL);
    return t;
}

static const nr_backend *const backends[] = {&nr_backend_cpu, &nr_backend_reference};

/* --- activations ----------------------------------------------------------- */

static const struct { const char *name; nr_activation fn; } act_table[] = {
    {"linear", NR_ACT_LINEAR},       {"sigmoid", NR_ACT_SIGMOID},
    {"hard_sigmoid", NR_ACT_HARD_SIGMOID}, {"tanh", NR_ACT_TANH},
    {"relu", NR_ACT_RELU},           {"relu6", NR_ACT_RELU6},
    {"leaky_relu_0.2", NR_ACT_LEAKY_RELU}, {"leaky_relu_0.3", NR_ACT_LEAKY_RELU},
    {"elu_1", NR_ACT_ELU},           {"elu_0.5", NR_ACT_ELU},
    {"selu", NR_ACT_SELU},           {"gelu", NR_ACT_GELU},
    {"gelu_tanh", NR_ACT_GELU},      {"silu", NR_ACT_SWISH},
    {"softplus", NR_ACT_SOFTPLUS},   {"softsign", NR_ACT_SOFTSIGN},
    {"exponential", NR_ACT_EXPONENTIAL}, {"heaviside", NR_ACT_HEAVISIDE},
};

static void test_activations(void) {
    fixture *fx = malloc(sizeof *fx);
    if (!fx_load(fx, "tests/fixtures/ops/activations.txt")) { fx_free(fx); free(fx); return; }
    const fx_tensor *x0 = fx_need(fx, "x", ""), *r = fx_need(fx, "r", "");
    int seen = 0;
    for (int i = 0; x0 && r && i < fx->n; i++) {
        const char *dot = strstr(fx->t[i].name, ".alpha");
        if (!dot || dot[6]) continue;
        char base[80];
        snprintf(base, sizeof base, "%.*s", (int)(dot - fx->t[i].name), fx->t[i].name);
        int a = -1;
        for (size_t k = 0; k < sizeof act_table / sizeof act_table[0]; k++)
            if (!strcmp(act_table[k].name, base)) a = (int)k;
        if (!CHECK(a >= 0)) { fprintf(stderr, "  unknown activation %s in the fixture\n", base); continue; }
        seen++;
        float alpha = fx->t[i].v[0];
        char pre[96];
        snprintf(pre, sizeof pre, "%s.", base);
        const fx_tensor *x = fx_get(fx, pre, "x"); /* its own input if it has one */
        if (!x) x = x0;
        const fx_tensor *y = fx_need(fx, pre, "y"), *dx = fx_get(fx, pre, "dx");
        if (!y) continue;
        for (int bi = 0; bi < 2; bi++) {
            opcheck c;
            oc_init(&c, 1, 1);
            int in = oc_input(&c, 1, 1, &x->n, 1);
            int out = oc_op(&c, NR_OP_ACT, (nr_op_attrs){.act = {act_table[a].fn, alpha}}, &in, 1, 1, 1, &x->n);
            memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
            oc_forward(&c, backends[bi]);
            char what[128];
            snprintf(what, sizeof what, "torch %s forward (%s)", base, backends[bi]->name);
            nr_test_close_arrays(c.val[out], y->v, (size_t)x->n, ATOL, RTOL, what);
            if (dx) {
                oc_backward(&c, backends[bi], r->v);
                snprintf(what, sizeof what, "torch %s gradient (%s)", base, backends[bi]->name);
                nr_test_close_arrays(c.grad[in], dx->v, (size_t)x->n, ATOL, RTOL, what);
            }
            oc_free(&c);
        }
    }
    CHECK(seen == (int)(sizeof act_table / sizeof act_table[0]));
    fx_free(fx);
    free(fx);
}

/* --- softmax ------------------------------------------------------------------ */

static void test_softmax(void) {
    fixture *fx = malloc(sizeof *fx);
    if (!fx_load(fx, "tests/fixtures/ops/softmax.txt")) { fx_free(fx); free(fx); return; }
    static const char *const cases[] = {"small.", "wide.", "one."};
    for (int s = 0; s < 3; s++) {
        const fx_tensor *x = fx_need(fx, cases[s], "x"), *r = fx_need(fx, cases[s], "r"),
                        *y = fx_need(fx, cases[s], "y"), *dx = fx_need(fx, cases[s], "dx");
        if (!x || !r || !y || !dx) continue;
        for (int bi = 0; bi < 2; bi++) {
            opcheck c;
            oc_init(&c, x->dims[0], 1);
            int in = oc_input(&c, 1, 1, &x->dims[1], 1);
            int out = oc_op(&c, NR_OP_SOFTMAX, (nr_op_attrs){0}, &in, 1, 1, 1, &x->dims[1]);
            memcpy(c.val[in], x->v, (size_t)x->n * sizeof(float));
            oc_forward(&c, backends[bi]);
            char what[96];
            snprintf(what, sizeof what, "torch softmax %s forward (%s)", cases[s], backends[bi]->name);
            nr_test_close_arrays(c.val[out], y->v, (size_t)x->n, ATOL, RTOL, what);
            oc_backward(&c, backends[bi], r->v);
            snprintf(what, sizeof what, "torch softmax %s gradient (%s)", cases[s], backends[bi]->name);
            nr_test_close_arrays(c.grad[in], dx->v, (size_t)x->n, ATOL, RTOL, what);
            oc_free(&c);
        }
    }
    fx_free(fx);
    free(fx);
}

/* --- losses -------------------------------------------------------------------- */

static void test_losses(void) {
    fixture *fx = malloc(sizeof *fx);
    if (!fx_load(fx, "tests/fixtures/ops/losses.txt")) { fx_free(fx); free(fx); return; }
    int seen = 0;
    for (int i = 0; i < fx->n; i++) {
        const char *dot = strstr(fx->t[i].name, ".config");
        if (!dot || dot[7]) continue;
        char pre[96];
        snprintf(pre, sizeof pre, "%.*s.", (int)(dot - fx->t[i].name), fx->t[i].name);
        const float *cfg = fx->t[i].v;
        int kind = (int)cfg[0], logits = (int)cfg[1], weighted = (int)cfg[3];
        float delta = cfg[2];
        const fx_tensor *p = fx_need(fx, pre, "pred"), *t = fx_need(fx, pre, "target"),
                        *w = weighted ? fx_need(fx, pre, "w") : NULL, *L = fx_need(fx, pre, "loss"),
                        *dp = fx_need(fx, pre, "dpred");
        if (!p || !t || !L || !dp || (weighted && !w)) continue;
        seen++;
        for (int bi = 0; bi < 2; bi++) {
            opcheck c;
            oc_init(&c, p->dims[0], 1);
            int pi = oc_input(&c, 1, p->ndim - 1, &p->dims[1], 1);
            int ti = oc_input(&c, 1, t->ndim - 1, &t->dims[1], 0);
            int in[3] = {pi, ti, weighted ? oc_input(&c, 1, 0, NULL, 0) : -1};
            int out = oc_op(&c, NR_OP_LOSS, (nr_op_attrs){.loss = {kind, logits, delta}}, in, 2 + weighted, 0, 0,
                            NULL);
            memcpy(c.val[pi], p->v, (size_t)p->n * sizeof(float));
            memcpy(c.val[ti], t->v, (size_t)t->n * sizeof(float));
            if (weighted) memcpy(c.val[in[2]], w->v, (size_t)w->n * sizeof(float));
            oc_forward(&c, backends[bi]);
            char what[160];
            snprintf(what, sizeof what, "torch loss %sloss (%s)", pre, backends[bi]->name);
            nr_test_close_arrays(c.val[out], L->v, 1, ATOL, RTOL, what);
            oc_backward(&c, backends[bi], (float[]){1});
            snprintf(what, sizeof what, "torch loss %sdpred (%s)", pre, backends[bi]->name);
            nr_test_close_arrays(c.grad[pi], dp->v, (size_t)p->n, ATOL, RTOL, what);
            oc_free(&c);
        }
    }
    CHECK(seen >= 26); /* every case the script writes */
    fx_free(fx);
    free(fx);
}

int main(void) {
    test_activations();
    test_softmax();
    test_losses();
    return nr_test_finish();
}
