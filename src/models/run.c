/* evaluate(), predict() and the *_on_batch calls, plus weights and the
 * learning rate of a model. */
#include <string.h>
#include "models/step.h"

/* Builds a pending Sequential from the data, then the training state. */
static nr_status ready(nr_model *m, const nr_tensor *const *x, int need_compile) {
    if (m->n_in == 0 && m->sequential) {
        if (!x || !x[0] || x[0]->ndim < 2)
            return nr_error(NR_STATUS_BAD_SHAPE, "model \"%s\": input data needs a batch dimension and a sample shape", m->name);
        NR_TRY(nr_sequential_build(m, x[0]->ndim - 1, x[0]->shape + 1));
    }
    if (m->n_in == 0) return nr_error(NR_STATUS_STATE, "model \"%s\" has no inputs", m->name);
    return need_compile ? nr_model_prepare(m) : NR_OK;
}

nr_status nr_model_ready(nr_model *m, const nr_tensor *const *x, int need_compile) { return ready(m, x, need_compile); }

nr_status nr_model_evaluate(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y, const nr_eval_opts *o,
                            nr_logs *logs) {
    nr_eval_opts z = {0};
    if (!o) o = &z;
    NR_TRY(ready(m, x, 1));
    int64_t n;
    NR_TRY(nr_check_data(m, x, y, &n));
    if (o->sample_weight && (o->sample_weight->ndim != 1 || o->sample_weight->shape[0] != n))
        return nr_error(NR_STATUS_BAD_SHAPE, "evaluate: sample_weight must have shape (%lld,)", (long long)n);
    int bs = o->batch_size > 0 ? o->batch_size : 32;
    nr_acc acc;
    NR_TRY(nr_run_eval(m, x, y, o->sample_weight ? o->sample_weight->data : NULL, 0, n, bs, &acc));
    memset(logs, 0, sizeof *logs);
    nr_acc_logs(m, &acc, "", logs);
    if (o->verbose) {
        char buf[1024];
        fprintf(o->out ? o->out : stdout, "%lld/%lld - %s\n", (long long)((n + bs - 1) / bs),
                (long long)((n + bs - 1) / bs), nr_logs_format(logs, buf, sizeof buf));
    }
    return NR_OK;
}

/* Runs the inference plan over x in chunks, reading inputs in place. */
nr_status nr_model_predict(nr_model *m, const nr_tensor *const *x, int batch_size, nr_tensor **outputs) {
    for (int i = 0; i < m->n_out; i++) outputs[i] = NULL;
    NR_TRY(ready(m, x, 0));
    int64_t n;
    NR_TRY(nr_check_data(m, x, NULL, &n));
    int64_t bs = batch_size > 0 ? batch_size : 32;
    if (bs > n) bs = n;
    NR_TRY(nr_ensure_plan(m, &m->infer_plan, bs, NR_PLAN_INFER));
    nr_plan *p = m->infer_plan;
    nr_status s = NR_OK;
    for (int i = 0; i < m->n_out && s == NR_OK; i++) {
        const nr_node *o = &m->g->nodes[m->out[i]];
        int64_t shape[NR_MAX_DIMS];
        memcpy(shape, o->shape, sizeof shape);
        shape[0] = n;
        s = nr_tensor_new(&outputs[i], o->ndim, shape);
    }
    float *saved[NR_MAX_IO];
    for (int i = 0; i < m->n_in; i++) saved[i] = p->exec.val[m->in[i]];
    for (int64_t start = 0; start < n && s == NR_OK; start += bs) {
        int64_t rows = start + bs <= n ? bs : n - start;
        for (int i = 0; i < m->n_in; i++) p->exec.val[m->in[i]] = x[i]->data + start * nr_tensor_row_size(x[i]);
        p->exec.step++; /* a Sampling layer draws new noise for every batch, as Keras's seed generator */
        nr_plan_forward(p, m->g, rows, 0);
        for (int i = 0; i < m->n_out; i++) {
            int64_t row = nr_tensor_row_size(outputs[i]);
            memcpy(outputs[i]->data + start * row, p->exec.val[m->out[i]], (size_t)(rows * row) * sizeof(float));
        }
    }
    for (int i = 0; i < m->n_in; i++) p->exec.val[m->in[i]] = saved[i];
    if (s != NR_OK)
        for (int i = 0; i < m->n_out; i++) { nr_tensor_free(outputs[i]); outputs[i] = NULL; }
    return s;
}

nr_status nr_model_predict_on_batch(nr_model *m, const nr_tensor *const *x, nr_tensor **outputs) {
    int64_t n = x && x[0] && x[0]->ndim ? x[0]->shape[0] : 1;
    return nr_model_predict(m, x, (int)(n > 0 ? n : 1), outputs);
}

static nr_status on_batch(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y,
                          const nr_tensor *sample_weight, nr_logs *logs, int train) {
    NR_TRY(ready(m, x, 1));
    int64_t n;
    NR_TRY(nr_check_data(m, x, y, &n));
    if (sample_weight && (sample_weight->ndim != 1 || sample_weight->shape[0] != n))
        return nr_error(NR_STATUS_BAD_SHAPE, "sample_weight must have shape (%lld,)", (long long)n);
    nr_batch b = {x, y, sample_weight ? sample_weight->data : NULL, NULL, 0, n};
    nr_acc acc = {0};
    if (train) {
        NR_TRY(nr_ensure_plan(m, &m->train_plan, n, NR_PLAN_TRAIN));
        NR_TRY(nr_train_step(m, &b, &acc));
    } else {
        NR_TRY(nr_ensure_plan(m, &m->eval_plan, n, NR_PLAN_EVAL));
        nr_eval_step(m, &b, &acc);
    }
    if (logs) {
        memset(logs, 0, sizeof *logs);
        nr_acc_logs(m, &acc, "", logs);
    }
    return NR_OK;
}

nr_status nr_model_train_on_batch(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y,
                                  const nr_tensor *sample_weight, nr_logs *logs) {
    return on_batch(m, x, y, sample_weight, logs, 1);
}

nr_status nr_model_test_on_batch(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y,
                                 const nr_tensor *sample_weight, nr_logs *logs) {
    return on_batch(m, x, y, sample_weight, logs, 0);
}

float nr_model_learning_rate(const nr_model *m) { return m->opt ? nr_optimizer_learning_rate(m->opt) : 0.0f; }

nr_status nr_model_set_learning_rate(nr_model *m, float lr) {
    if (!m->opt) return nr_error(NR_STATUS_STATE, "model \"%s\" has no optimizer: compile it first", m->name);
    if (!(lr >= 0)) return nr_error(NR_STATUS_BAD_ARGUMENT, "learning rate must be >= 0, got %g", lr);
    nr_optimizer_set_learning_rate(m->opt, lr);
    return NR_OK;
}

/* Every parameter upstream of the outputs, in graph order. */
static int model_param(const nr_model *m, const unsigned char *up, int k) {
    return up[k] && m->g->nodes[k].op == NR_OP_PARAM;
}

static nr_status upstream(const nr_model *m, unsigned char **out) {
    unsigned char *up = nr_calloc((size_t)m->g->n_nodes + 1, 1);
    if (!up) return NR_NOMEM();
    for (int i = 0; i < m->n_out; i++) up[m->out[i]] = 1;
    for (int k = m->g->n_nodes - 1; k >= 0; k--)
        if (up[k])
            for (int j = 0; j < m->g->nodes[k].n_in; j++) up[m->g->nodes[k].in[j]] = 1;
    *out = up;
    return NR_OK;
}

/* -1 when the count cannot be made (out of memory), never a wrong size:
 * callers size buffers for nr_model_get_weights with it. */
int64_t nr_model_weights_size(const nr_model *m) {
    unsigned char *up = NULL;
    if (upstream(m, &up) != NR_OK) return -1;
    int64_t total = 0;
    for (int k = 0; k < m->g->n_nodes; k++)
        if (model_param(m, up, k)) total += nr_node_numel(&m->g->nodes[k], 1);
    nr_free(up);
    return total;
}

static nr_status copy_weights(const nr_model *m, float *buf, int to_model) {
    unsigned char *up = NULL;
    NR_TRY(upstream(m, &up));
    int64_t pos = 0;
    for (int k = 0; k < m->g->n_nodes; k++) {
        if (!model_param(m, up, k)) continue;
        const nr_node *n = &m->g->nodes[k];
        int64_t c = nr_node_numel(n, 1);
        float *w = m->g->params + n->param_off;
        if (to_model) memcpy(w, buf + pos, (size_t)c * sizeof(float));
        else memcpy(buf + pos, w, (size_t)c * sizeof(float));
        pos += c;
    }
    nr_free(up);
    return NR_OK;
}

nr_status nr_model_get_weights(const nr_model *m, float *dst) { return copy_weights(m, dst, 0); }
nr_status nr_model_set_weights(nr_model *m, const float *src) { return copy_weights(m, (float *)src, 1); }
