/* Losses added from inside the graph (Keras's add_loss): a scalar node per
 * loss, kept by the model, planned, seeded and logged beside its compiled
 * losses (models/step.c). */
#include <string.h>
#include "models/model_internal.h"

/* The loss may read only the model's inputs: an Input of another model
 * would have no data at run time. */
static nr_status check_inputs(const nr_model *m, nr_sym loss) {
    const nr_graph *g = m->g;
    unsigned char *up = nr_calloc((size_t)g->n_nodes, 1);
    if (!up) return NR_NOMEM();
    up[loss] = 1;
    nr_status s = NR_OK;
    for (int k = loss; k >= 0 && s == NR_OK; k--) {
        if (!up[k]) continue;
        for (int j = 0; j < g->nodes[k].n_in; j++) up[g->nodes[k].in[j]] = 1;
        if (g->nodes[k].op != NR_OP_INPUT) continue;
        int own = 0;
        for (int i = 0; i < m->n_in; i++) own |= m->in[i] == k;
        if (!own)
            s = nr_error(NR_STATUS_BAD_ARGUMENT,
                         "model \"%s\": add_loss: the loss depends on the input \"%s\", which is not one of the model's "
                         "inputs", m->name, g->nodes[k].layer ? g->nodes[k].layer->name : "?");
    }
    nr_free(up);
    return s;
}

static nr_status reduce(nr_model *m, nr_sym loss, nr_sym *out) {
    const nr_node *n = &m->g->nodes[loss];
    char buf[96];
    if (!n->batched) {
        if (n->ndim != 0)
            return nr_error(NR_STATUS_BAD_SHAPE, "model \"%s\": add_loss takes a scalar or a batched tensor, got shape %s",
                            m->name, nr_node_shape_str(n, buf, sizeof buf));
        *out = loss;
        return NR_OK;
    }
    nr_node r = {.op = NR_OP_BATCH_MEAN, .n_in = 1, .in = {loss}, .ndim = 0};
    return nr_graph_add_node(m->g, &r, out);
}

static void default_name(const nr_model *m, char *buf, size_t size) {
    for (int k = 0;; k++) {
        if (k) snprintf(buf, size, "added_loss_%d", k);
        else snprintf(buf, size, "added_loss");
        int taken = 0;
        for (int i = 0; i < m->n_added; i++) taken |= strcmp(m->added[i].name, buf) == 0;
        if (!taken) return;
    }
}

nr_status nr_model_add_loss(nr_model *m, nr_sym loss, const nr_add_loss_opts *o) {
    nr_add_loss_opts z = {0};
    if (!o) o = &z;
    if (m->compiled)
        return nr_error(NR_STATUS_STATE, "model \"%s\": add_loss must come before compile()", m->name);
    if (m->n_in == 0)
        return nr_error(NR_STATUS_STATE, "model \"%s\": add_loss needs the model's inputs: give it an Input first", m->name);
    if (!nr_graph_valid_sym(m->g, loss))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\": add_loss: not a tensor of this graph", m->name);
    if (m->n_added == NR_MAX_ADDED_LOSSES)
        return nr_error(NR_STATUS_UNSUPPORTED, "model \"%s\": at most %d added losses", m->name, NR_MAX_ADDED_LOSSES);
    if (!(o->weight >= 0) || o->weight > 1e30f)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\": add_loss: weight must be >= 0, got %g", m->name, o->weight);
    if (o->name && (!*o->name || strlen(o->name) >= sizeof m->added[0].name || !strcmp(o->name, "loss")))
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "model \"%s\": add_loss: the name must be 1 to %zu characters and not \"loss\", got \"%s\"",
                        m->name, sizeof m->added[0].name - 1, o->name);
    for (int i = 0; o->name && i < m->n_added; i++)
        if (!strcmp(m->added[i].name, o->name))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\": add_loss: a loss named \"%s\" exists already", m->name,
                            o->name);
    NR_TRY(check_inputs(m, loss));
    nr_added_loss *a = &m->added[m->n_added];
    NR_TRY(reduce(m, loss, &a->node));
    a->weight = o->weight == 0 ? 1.0f : o->weight;
    if (o->name) snprintf(a->name, sizeof a->name, "%s", o->name);
    else default_name(m, a->name, sizeof a->name);
    m->n_added++;
    nr_status s = nr_model_collect_calls(m);
    if (s != NR_OK) m->n_added--;
    return s;
}
