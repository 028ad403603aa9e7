/* One step of training or evaluation on one batch, and the loops of
 * evaluate() and predict(). A step copies the batch rows into the plan's
 * input buffers, runs the plan and folds the results into running sums;
 * it allocates nothing. */
#include <math.h>
#include <string.h>
#include "models/step.h"

/* Keras fails on an index outside an Embedding's table (on CPU); the
 * kernel cannot fail, so the data of inputs read as indices is checked
 * here, once per call. */
static nr_status check_indices(const nr_model *m, int i, const nr_tensor *x) {
    const nr_graph *g = m->g;
    for (int k = m->in[i] + 1; k < g->n_nodes; k++) {
        const nr_node *e = &g->nodes[k];
        if (e->op != NR_OP_EMBEDDING || e->in[0] != m->in[i]) continue;
        int64_t V = g->nodes[e->in[1]].shape[0], count = nr_tensor_numel(x);
        for (int64_t r = 0; r < count; r++)
            if (!(x->data[r] > -1.0f && x->data[r] < (float)V))
                return nr_error(NR_STATUS_BAD_ARGUMENT,
                                "model \"%s\": input %d value %lld is %g, not an index of an Embedding table of %lld "
                                "rows (valid: 0 to %lld)", m->name, i, (long long)r, x->data[r], (long long)V,
                                (long long)V - 1);
    }
    return NR_OK;
}

nr_status nr_check_data(const nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y, int64_t *rows) {
    const nr_graph *g = m->g;
    char a[96], b[96];
    if (!x || !x[0]) return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\": no input data", m->name);
    int64_t n = x[0]->ndim ? x[0]->shape[0] : 0;
    for (int i = 0; i < m->n_in; i++) {
        const nr_node *in = &g->nodes[m->in[i]];
        if (!x[i] || x[i]->ndim < 1 || x[i]->shape[0] != n || nr_tensor_row_size(x[i]) != nr_node_row(in))
            return nr_error(NR_STATUS_BAD_SHAPE, "model \"%s\": input %d has shape %s, the model expects %s%s", m->name, i,
                            x[i] ? nr_shape_str(a, sizeof a, x[i]->ndim, x[i]->shape) : "(missing)",
                            nr_node_shape_str(in, b, sizeof b), i ? " with as many rows as input 0" : "");
        NR_TRY(check_indices(m, i, x[i]));
    }
    for (int i = 0; y && i < m->n_out; i++) {
        const nr_node *t = &g->nodes[m->outs[i].target];
        if (!y[i] || y[i]->ndim < 1 || y[i]->shape[0] != n || nr_tensor_row_size(y[i]) != nr_node_row(t))
            return nr_error(NR_STATUS_BAD_SHAPE, "model \"%s\": target %d has shape %s, the %s loss expects %s with %lld rows",
                            m->name, i, y[i] ? nr_shape_str(a, sizeof a, y[i]->ndim, y[i]->shape) : "(missing)",
                            nr_loss_name(m->outs[i].loss.kind), nr_node_shape_str(t, b, sizeof b), (long long)n);
        if (m->outs[i].loss.kind == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
            const nr_node *o = &g->nodes[m->out[i]];
            int64_t k = o->shape[o->ndim - 1], count = nr_tensor_numel(y[i]);
            for (int64_t r = 0; r < count; r++) {
                float v = y[i]->data[r];
                if (!(v >= 0 && v < (float)k) || v != floorf(v))
                    return nr_error(NR_STATUS_BAD_ARGUMENT,
                                    "model \"%s\": target %d row %lld is %g, not a class index in [0, %lld)", m->name, i,
                                    (long long)r, v, (long long)k);
            }
        }
    }
    if (n < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\": the data has no rows", m->name);
    *rows = n;
    return NR_OK;
}

static void copy_rows(float *dst, const nr_tensor *t, const nr_batch *b) {
    int64_t row = nr_tensor_row_size(t);
    if (!b->idx) {
        memcpy(dst, t->data + b->start * row, (size_t)(b->n * row) * sizeof(float));
        return;
    }
    for (int64_t r = 0; r < b->n; r++)
        memcpy(dst + r * row, t->data + b->idx[b->start + r] * row, (size_t)row * sizeof(float));
}

void nr_fill_batch(nr_model *m, nr_plan *p, const nr_batch *b) {
    for (int i = 0; i < m->n_in; i++) copy_rows(p->exec.val[m->in[i]], b->x[i], b);
    for (int i = 0; b->y && i < m->n_out; i++) {
        nr_out_state *st = &m->outs[i];
        copy_rows(p->exec.val[st->target], b->y[i], b);
        float *w = p->exec.val[st->weight];
        for (int64_t r = 0; r < b->n; r++)
            w[r] = b->weights ? b->weights[b->idx ? b->idx[b->start + r] : b->start + r] : 1.0f;
    }
}

/* --- metrics ------------------------------------------------------------ */

static int64_t argmax(const float *v, int64_t k) {
    int64_t best = 0;
    for (int64_t i = 1; i < k; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

/* Adds one batch's metric sums: acc[j] += sum over rows, count += rows. */
static void metric_batch(nr_metric k, const float *pred, const float *tgt, int64_t rows, int64_t units, double *sum,
                         double *count) {
    double s = 0;
    switch (k) {
    case NR_METRIC_BINARY_ACCURACY:
        for (int64_t i = 0; i < rows * units; i++) s += (pred[i] > 0.5f) == (tgt[i] > 0.5f);
        *count += (double)(rows * units);
        break;
    case NR_METRIC_CATEGORICAL_ACCURACY:
        for (int64_t r = 0; r < rows; r++) s += argmax(pred + r * units, units) == argmax(tgt + r * units, units);
        *count += (double)rows;
        break;
    case NR_METRIC_SPARSE_CATEGORICAL_ACCURACY:
        for (int64_t r = 0; r < rows; r++) s += (float)argmax(pred + r * units, units) == tgt[r];
        *count += (double)rows;
        break;
    case NR_METRIC_MSE:
        for (int64_t i = 0; i < rows * units; i++) s += (double)(pred[i] - tgt[i]) * (pred[i] - tgt[i]);
        *count += (double)(rows * units);
        break;
    case NR_METRIC_MAE:
        for (int64_t i = 0; i < rows * units; i++) s += fabs((double)pred[i] - tgt[i]);
        *count += (double)(rows * units);
        break;
    default: break;
    }
    *sum += s;
}

/* Loss of the batch as Keras reports it: weighted output losses plus
 * activity and weight penalties. */
static double batch_loss(const nr_model *m, const nr_plan *p, double *per_output) {
    double total = 0;
    for (int i = 0; i < m->n_out; i++) {
        double l = p->exec.val[m->outs[i].loss_node][0];
        per_output[i] = l;
        total += m->outs[i].loss.weight * l;
    }
    for (int i = 0; i < m->n_penalties; i++) total += p->exec.val[m->penalties[i]][0];
    for (int i = 0; i < m->n_added; i++) total += m->added[i].weight * p->exec.val[m->added[i].node][0];
    const float *w = m->g->params;
    for (int i = 0; i < m->n_reg_vars; i++) {
        const nr_var *v = &m->reg_vars[i];
        double l1 = 0, l2 = 0;
        for (int64_t j = 0; j < v->size; j++) {
            l1 += fabsf(w[v->off + j]);
            l2 += (double)w[v->off + j] * w[v->off + j];
        }
        total += v->reg.l1 * l1 + v->reg.l2 * l2;
    }
    return total;
}

void nr_acc_add(nr_model *m, nr_plan *p, int64_t n, nr_acc *acc) {
    double per[NR_MAX_IO];
    double l = batch_loss(m, p, per);
    acc->loss += l * (double)n;
    for (int i = 0; i < m->n_added; i++) acc->added[i] += p->exec.val[m->added[i].node][0] * (double)n;
    for (int i = 0; i < m->n_out; i++) {
        nr_out_state *st = &m->outs[i];
        const nr_node *o = &m->g->nodes[m->out[i]];
        int64_t units = o->shape[o->ndim - 1], rows = nr_node_numel(o, n) / units;
        acc->out_loss[i] += per[i] * (double)n;
        for (int k = 0; k < st->n_metrics; k++)
            metric_batch(st->metrics[k], p->exec.val[m->out[i]], p->exec.val[st->target], rows, units,
                         &acc->metric[i][k], &acc->count[i][k]);
    }
    acc->rows += n;
}

/* Keras's names: "loss", "accuracy" for one output; with several,
 * "<output>_loss" and "<output>_accuracy" after the total "loss". */
static const char *output_name(const nr_model *m, int i) {
    for (int c = m->g->n_calls - 1; c >= 0; c--)
        if (m->g->calls[c].out == m->out[i]) return m->g->calls[c].layer->name;
    return "output";
}

static void logs_put(nr_logs *logs, const char *prefix, const char *out, const char *key, double v) {
    if (logs->n >= NR_MAX_LOGS) return;
    {
        char full[160];
        snprintf(full, sizeof full, "%s%s%s%s", prefix, out ? out : "", out ? "_" : "", key);
        snprintf(logs->names[logs->n], sizeof logs->names[0], "%.47s", full);
    }
    logs->values[logs->n++] = v;
}

void nr_acc_logs(const nr_model *m, const nr_acc *acc, const char *prefix, nr_logs *logs) {
    double rows = acc->rows ? (double)acc->rows : 1;
    logs_put(logs, prefix, NULL, "loss", acc->loss / rows);
    for (int i = 0; i < m->n_added; i++) logs_put(logs, prefix, NULL, m->added[i].name, acc->added[i] / rows);
    for (int i = 0; i < m->n_out; i++) {
        const char *out = m->n_out > 1 ? output_name(m, i) : NULL;
        if (out) logs_put(logs, prefix, out, "loss", acc->out_loss[i] / rows);
        for (int k = 0; k < m->outs[i].n_metrics; k++) {
            nr_metric mk = m->copts.metrics[k] == NR_METRIC_ACCURACY ? NR_METRIC_ACCURACY : m->outs[i].metrics[k];
            double c = acc->count[i][k] ? acc->count[i][k] : 1;
            logs_put(logs, prefix, out, nr_metric_name(mk), acc->metric[i][k] / c);
        }
    }
}

/* --- steps --------------------------------------------------------------- */

nr_status nr_ensure_plan(nr_model *m, nr_plan **slot, int64_t batch, int kind) {
    nr_plan *p = *slot;
    if (p && p->batch >= batch && p->n_nodes == m->g->n_nodes) return NR_OK;
    nr_plan_free(p);
    *slot = NULL;
    nr_sym roots[2 * NR_MAX_IO + 64 + NR_MAX_ADDED_LOSSES];
    int n = 0;
    for (int i = 0; i < m->n_out; i++) roots[n++] = m->out[i];
    unsigned char *mask = NULL;
    if (kind != NR_PLAN_INFER) {
        for (int i = 0; i < m->n_out; i++) roots[n++] = m->outs[i].loss_node;
        for (int i = 0; i < m->n_penalties; i++) roots[n++] = m->penalties[i];
        for (int i = 0; i < m->n_added; i++) roots[n++] = m->added[i].node;
    }
    if (kind == NR_PLAN_TRAIN) {
        mask = nr_calloc((size_t)m->g->n_nodes, 1);
        if (!mask) return NR_NOMEM();
        for (int i = 0; i < m->n_vars; i++) mask[m->vars[i].node] = 1;
    }
    nr_status s = nr_plan_new(m->g, roots, n, batch, mask, slot);
    nr_free(mask);
    return s;
}

/* Weight penalties' gradients: l1 sign(w) + 2 l2 w, trainable weights only. */
static void add_reg_grads(nr_model *m) {
    const float *w = m->g->params;
    float *dw = m->g->grads;
    for (int i = 0; i < m->n_reg_vars; i++) {
        const nr_var *v = &m->reg_vars[i];
        int trained = 0;
        for (int j = 0; j < m->n_vars && !trained; j++) trained = m->vars[j].node == v->node;
        if (!trained) continue;
        for (int64_t j = v->off; j < v->off + v->size; j++)
            dw[j] += v->reg.l1 * (float)((w[j] > 0) - (w[j] < 0)) + 2.0f * v->reg.l2 * w[j];
    }
}

nr_status nr_train_step(nr_model *m, const nr_batch *b, nr_acc *acc) {
    nr_plan *p = m->train_plan;
    p->exec.step = m->step++;
    nr_model_apply_bn_modes(m);
    nr_fill_batch(m, p, b);
    nr_plan_forward(p, m->g, b->n, 1);
    nr_acc_add(m, p, b->n, acc);
    for (int i = 0; i < m->n_vars; i++)
        memset(m->g->grads + m->vars[i].off, 0, (size_t)m->vars[i].size * sizeof(float));
    for (int i = 0; i < m->n_out; i++) nr_plan_seed(p, m->outs[i].loss_node, m->outs[i].loss.weight);
    for (int i = 0; i < m->n_penalties; i++) nr_plan_seed(p, m->penalties[i], 1.0f);
    for (int i = 0; i < m->n_added; i++) nr_plan_seed(p, m->added[i].node, m->added[i].weight);
    nr_plan_backward(p, m->g);
    add_reg_grads(m);
    return nr_optimizer_step(m->opt, m->g->params, m->g->grads);
}

void nr_eval_step(nr_model *m, const nr_batch *b, nr_acc *acc) {
    nr_plan *p = m->eval_plan;
    nr_fill_batch(m, p, b);
    nr_plan_forward(p, m->g, b->n, 0);
    nr_acc_add(m, p, b->n, acc);
}

nr_status nr_run_eval(nr_model *m, const nr_tensor *const *x, const nr_tensor *const *y, const float *weights,
                      int64_t start, int64_t n, int batch_size, nr_acc *acc) {
    memset(acc, 0, sizeof *acc);
    NR_TRY(nr_ensure_plan(m, &m->eval_plan, batch_size < n ? batch_size : n, NR_PLAN_EVAL));
    for (int64_t s = start; s < start + n; s += batch_size) {
        nr_batch b = {x, y, weights, NULL, s, (s + batch_size <= start + n) ? batch_size : start + n - s};
        nr_eval_step(m, &b, acc);
    }
    return NR_OK;
}
