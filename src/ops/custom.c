/* CUSTOM: a user op from C (neurona/custom.h). The kernel hands the
 * user's forward and backward the node's buffers as tensor views; both
 * backends run the same user code. */
#include <string.h>
#include "ops/kernels.h"
#include "ops/vmath.h"

static void view(nr_tensor *t, const nr_node *n, int64_t batch, float *data) {
    t->ndim = n->ndim;
    for (int d = 0; d < n->ndim; d++) t->shape[d] = nr_node_dim(n, d, batch);
    t->data = data;
    t->owns_data = 0;
}

static void make_io(const nr_exec *x, const nr_node *n, int backward, nr_custom_io *io) {
    memset(io, 0, sizeof *io);
    io->n_in = n->n_in;
    for (int i = 0; i < n->n_in; i++) {
        view(&io->x[i], &x->nodes[n->in[i]], x->batch, x->val[n->in[i]]);
        if (backward) io->dx[i] = x->grad[n->in[i]];
    }
    view(&io->y, n, x->batch, x->val[NR_ID(x, n)]);
    if (backward) view(&io->dy, n, x->batch, x->grad[NR_ID(x, n)]);
    io->training = x->training;
    io->step = x->step;
}

void nr_cpu_custom_forward(const nr_exec *x, const nr_node *n) {
    const nr_custom_op *op = n->a.custom.op;
    nr_custom_io io;
    make_io(x, n, 0, &io);
    op->forward(&io, op->user);
}

void nr_cpu_custom_backward(const nr_exec *x, const nr_node *n) {
    const nr_custom_op *op = n->a.custom.op;
    nr_custom_io io;
    make_io(x, n, 1, &io);
    op->backward(&io, op->user);
}

void nr_ref_custom_forward(const nr_exec *x, const nr_node *n) { nr_cpu_custom_forward(x, n); }
void nr_ref_custom_backward(const nr_exec *x, const nr_node *n) { nr_cpu_custom_backward(x, n); }
