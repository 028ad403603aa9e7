/* Execution plans. Planning decides once, for the largest batch, where every
 * value and gradient lives in one arena, reusing memory between buffers
 * whose lifetimes do not overlap; running a plan then allocates nothing.
 *
 * Timeline: the forward of node k happens at time k, its backward at time
 * 2n - k. A value lives from its forward until its own backward (training)
 * or its last consumer's forward (inference). A gradient lives from the
 * backward of its last consumer, which zeroes it first, to its own.
 *
 * A node inside a TimeDistributed holds fold rows per sample (graph.h):
 * it is sized for, and its kernels run with, batch * fold rows. */
#include <string.h>
#include "models/model_internal.h"

typedef struct interval { int64_t size, begin, end, off; int64_t *slot; } interval;

/* Greedy placement, largest first: each buffer takes the lowest offset that
 * does not collide with a placed buffer alive at the same time. */
static int64_t place(interval *iv, int n) {
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && iv[j].size > iv[j - 1].size; j--) {
            interval t = iv[j]; iv[j] = iv[j - 1]; iv[j - 1] = t;
        }
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        int64_t off = 0;
        for (int moved = 1; moved;) {
            moved = 0;
            for (int j = 0; j < i; j++) {
                int live = iv[j].begin <= iv[i].end && iv[i].begin <= iv[j].end;
                int mem = iv[j].off < off + iv[i].size && off < iv[j].off + iv[j].size;
                if (live && mem) { off = iv[j].off + iv[j].size; moved = 1; }
            }
        }
        iv[i].off = off;
        *iv[i].slot = off;
        if (off + iv[i].size > total) total = off + iv[i].size;
    }
    return total;
}

static int64_t padded(int64_t n) { return (n + 15) & ~(int64_t)15; }

static void mark_active(const nr_graph *g, const nr_sym *roots, int n_roots, unsigned char *active) {
    for (int i = 0; i < n_roots; i++) active[roots[i]] = 2;
    for (int k = g->n_nodes - 1; k >= 0; k--)
        if (active[k])
            for (int j = 0; j < g->nodes[k].n_in; j++)
                if (!active[g->nodes[k].in[j]]) active[g->nodes[k].in[j]] = 1;
}

/* train_mask says which parameters the model trains: the trainable flags
 * as they were when it was compiled, as Keras does. */
static void mark_grads(const nr_graph *g, const unsigned char *active, const unsigned char *train_mask,
                       unsigned char *needs) {
    for (int k = 0; k < g->n_nodes; k++) {
        const nr_node *n = &g->nodes[k];
        if (!active[k]) continue;
        if (n->op == NR_OP_PARAM) { needs[k] = train_mask[k]; continue; }
        for (int j = 0; j < n->n_in; j++) needs[k] |= needs[n->in[j]];
        if (!n->differentiable) needs[k] = 0;
    }
}

static nr_status alloc_tables(nr_plan *p, int n) {
    p->order = nr_calloc((size_t)n, sizeof *p->order);
    p->needs_grad = nr_calloc((size_t)n, 1);
    p->first_writer = nr_calloc((size_t)n, sizeof *p->first_writer);
    p->val_off = nr_calloc((size_t)n, sizeof *p->val_off);
    p->grad_off = nr_calloc((size_t)n, sizeof *p->grad_off);
    p->exec.val = nr_calloc((size_t)n, sizeof(float *));
    p->exec.grad = nr_calloc((size_t)n, sizeof(float *));
    p->exec.work = nr_calloc((size_t)n, sizeof(float *));
    if (!p->order || !p->needs_grad || !p->first_writer || !p->val_off || !p->grad_off || !p->exec.val ||
        !p->exec.grad || !p->exec.work)
        return NR_NOMEM();
    return NR_OK;
}

/* Lifetimes of every non-parameter buffer, then their arena offsets. */
static nr_status layout(nr_plan *p, const nr_graph *g, const unsigned char *active, int64_t *work_off) {
    /* active[k] == 2 marks a root: its value must survive the whole run. */
    int n = g->n_nodes;
    int64_t T = 2 * (int64_t)n;
    int64_t *last_use = nr_malloc((size_t)n * sizeof *last_use);
    interval *iv = nr_malloc((size_t)(3 * n) * sizeof *iv);
    if (!last_use || !iv) { nr_free(last_use); nr_free(iv); return NR_NOMEM(); }
    for (int k = 0; k < n; k++) { last_use[k] = k; p->first_writer[k] = -1; }
    for (int k = 0; k < n; k++) {
        if (!active[k]) continue;
        for (int j = 0; j < g->nodes[k].n_in; j++) {
            int i = g->nodes[k].in[j];
            if (last_use[i] < k) last_use[i] = k;
            if (p->needs_grad[k] && p->needs_grad[i] && p->first_writer[i] < k) p->first_writer[i] = k;
        }
    }
    const nr_backend *be = nr_backend_get();
    int m = 0;
    for (int k = 0; k < n; k++) {
        const nr_node *nd = &g->nodes[k];
        p->val_off[k] = p->grad_off[k] = work_off[k] = -1;
        if (!active[k] || nd->op == NR_OP_PARAM) continue;
        int64_t size = padded(nr_node_numel(nd, nr_node_batch(nd, p->batch)));
        int64_t end = p->backward ? T - k : (active[k] == 2 ? T : last_use[k]);
        /* Inputs are filled before the forward pass starts. */
        int64_t born = nd->op == NR_OP_INPUT ? 0 : k;
        iv[m++] = (interval){size, born, end, 0, &p->val_off[k]};
        if (p->backward && p->needs_grad[k] && nd->op != NR_OP_INPUT) {
            /* A root's gradient is seeded when the backward pass starts. */
            int64_t begin = p->first_writer[k] >= 0 ? T - p->first_writer[k] : n;
            iv[m++] = (interval){size, begin, T - k, 0, &p->grad_off[k]};
        }
        int64_t work = size * (int64_t)be->work_floats[nd->op];
        if (be->workspace[nd->op]) work += be->workspace[nd->op](nd, g->nodes, nr_node_batch(nd, p->batch));
        if (work) iv[m++] = (interval){padded(work), 0, T, 0, &work_off[k]};
    }
    p->arena_floats = (size_t)place(iv, m);
    nr_free(iv);
    nr_free(last_use);
    return NR_OK;
}

nr_status nr_plan_new(const nr_graph *g, const nr_sym *roots, int n_roots, int64_t batch,
                      const unsigned char *train_mask, nr_plan **out) {
    int backward = train_mask != NULL;
    *out = NULL;
    int n = g->n_nodes;
    nr_plan *p = nr_calloc(1, sizeof *p);
    unsigned char *active = nr_calloc((size_t)n + 1, 1);
    int64_t *work_off = nr_malloc(((size_t)n + 1) * sizeof *work_off);
    nr_status s = p && active && work_off ? NR_OK : NR_NOMEM();
    if (s == NR_OK) {
        p->batch = batch;
        p->backward = backward;
        p->n_nodes = n;
        s = alloc_tables(p, n);
    }
    if (s == NR_OK) {
        mark_active(g, roots, n_roots, active);
        if (backward) mark_grads(g, active, train_mask, p->needs_grad);
        for (int k = 0; k < n; k++)
            if (active[k]) p->order[p->n_order++] = k;
        p->exec.threads = nr_num_threads(); /* what the workspaces below are sized for */
        s = layout(p, g, active, work_off);
    }
    if (s == NR_OK) {
        p->arena = nr_alloc_floats(p->arena_floats ? p->arena_floats : 1);
        if (!p->arena) s = NR_NOMEM();
    }
    if (s == NR_OK) {
        for (int k = 0; k < n; k++) {
            if (p->val_off[k] >= 0) p->exec.val[k] = p->arena + p->val_off[k];
            if (p->grad_off[k] >= 0) p->exec.grad[k] = p->arena + p->grad_off[k];
            if (work_off[k] >= 0) p->exec.work[k] = p->arena + work_off[k];
        }
        p->exec.nodes = g->nodes;
        nr_plan_bind_params(p, g);
        *out = p;
    } else {
        nr_plan_free(p);
    }
    nr_free(active);
    nr_free(work_off);
    return s;
}

void nr_plan_free(nr_plan *p) {
    if (!p) return;
    nr_free(p->order);
    nr_free(p->needs_grad);
    nr_free(p->first_writer);
    nr_free(p->val_off);
    nr_free(p->grad_off);
    nr_free(p->exec.val);
    nr_free(p->exec.grad);
    nr_free(p->exec.work);
    nr_free_floats(p->arena);
    nr_free(p);
}

void nr_plan_bind_params(nr_plan *p, const nr_graph *g) {
    p->exec.nodes = g->nodes;
    if (p->params_base == g->params) return;
    for (int i = 0; i < p->n_order; i++) {
        int k = p->order[i];
        const nr_node *nd = &g->nodes[k];
        if (nd->op != NR_OP_PARAM) continue;
        p->exec.val[k] = g->params + nd->param_off;
        p->exec.grad[k] = p->backward && p->needs_grad[k] ? g->grads + nd->param_off : NULL;
    }
    p->params_base = g->params;
}

void nr_plan_forward(nr_plan *p, const nr_graph *g, int64_t batch, int training) {
    NR_ASSERT(batch <= p->batch);
    nr_plan_bind_params(p, g);
    const nr_backend *be = nr_backend_get();
    p->exec.training = training;
    for (int i = 0; i < p->n_order; i++) {
        int k = p->order[i];
        nr_op_kind op = g->nodes[k].op;
        p->exec.batch = nr_node_batch(&g->nodes[k], batch);
        if (op != NR_OP_INPUT && op != NR_OP_PARAM) be->forward[op](&p->exec, &g->nodes[k]);
    }
    p->exec.batch = batch;
    /* A gradient no consumer writes (a root's: the model's outputs, the
     * losses) starts each step at zero, since its memory is shared with
     * buffers of the previous backward pass; nr_plan_seed then sets the
     * losses'. Without this, the backward of an output whose loss reads
     * its logits (softmax + crossentropy) would add stale values. */
    if (p->backward && training)
        for (int i = 0; i < p->n_order; i++) {
            int k = p->order[i];
            nr_op_kind op = g->nodes[k].op;
            if (p->needs_grad[k] && p->first_writer[k] < 0 && op != NR_OP_PARAM && op != NR_OP_INPUT && p->exec.grad[k])
                memset(p->exec.grad[k], 0,
                       (size_t)nr_node_numel(&g->nodes[k], nr_node_batch(&g->nodes[k], batch)) * sizeof(float));
        }
}

void nr_plan_seed(nr_plan *p, nr_sym node, float value) {
    if (p->exec.grad[node]) p->exec.grad[node][0] = value;
}

/* Whether input j of nd appears again among its inputs. */
static int repeated_input(const nr_node *nd, int j) {
    for (int i = 0; i < nd->n_in; i++)
        if (i != j && nd->in[i] == nd->in[j]) return 1;
    return 0;
}

/* Gradients of the plan's non-parameter nodes are zeroed by their first
 * writer just before it runs, so memory shared with dead values is safe;
 * a first writer that stores the whole gradient (backend overwrites, input
 * 0 only) is told so through exec.fresh instead. */
void nr_plan_backward(nr_plan *p, const nr_graph *g) {
    const nr_backend *be = nr_backend_get();
    int64_t batch = p->exec.batch;
    for (int i = p->n_order - 1; i >= 0; i--) {
        int k = p->order[i];
        const nr_node *nd = &g->nodes[k];
        if (!p->needs_grad[k] || nd->op == NR_OP_PARAM || nd->op == NR_OP_INPUT) continue;
        p->exec.fresh = 0;
        for (int j = 0; j < nd->n_in; j++) {
            const nr_node *in = &g->nodes[nd->in[j]];
            if (p->first_writer[nd->in[j]] != k || in->op == NR_OP_PARAM || !p->exec.grad[nd->in[j]]) continue;
            if (j == 0 && be->overwrites[nd->op] && !repeated_input(nd, 0))
                p->exec.fresh = 1;
            else
                memset(p->exec.grad[nd->in[j]], 0, (size_t)nr_node_numel(in, nr_node_batch(in, batch)) * sizeof(float));
        }
        p->exec.batch = nr_node_batch(nd, batch);
        be->backward[nd->op](&p->exec, nd);
    }
    p->exec.fresh = 0;
    p->exec.batch = batch;
}
