/* model.summary() in Keras 2's layout: Sequential models in three columns,
 * Functional models with "Connected to", then the parameter totals. */
#include <string.h>
#include "models/model_internal.h"

static void commas(int64_t v, char *buf, size_t size) {
    char raw[32];
    int n = snprintf(raw, sizeof raw, "%lld", (long long)v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0 && raw[0] != '-') buf[k++] = ',';
        buf[k++] = raw[i];
    }
    buf[k] = 0;
}

static void rule(FILE *f, char c, int width) {
    for (int i = 0; i < width; i++) fputc(c, f);
    fputc('\n', f);
}

/* Prints fields in columns ending at stops[]. A field too long for its
 * column continues on the next lines, broken as Keras breaks it: after the
 * first "'," or ")," that fits (so each connection of "Connected to" gets
 * its own line), else at the column's width. */
static void row(FILE *f, const char *const *fields, const int *stops, int n) {
    const char *left[8];
    int more = 0;
    for (int i = 0; i < n && i < 8; i++) {
        left[i] = fields[i];
        more |= *left[i] != 0;
    }
    do {
        char line[512];
        int pos = 0;
        memset(line, ' ', sizeof line);
        more = 0;
        for (int i = 0; i < n && i < 8; i++) {
            int start = i ? stops[i - 1] : 0, width = stops[i] - start - 1;
            int len = (int)strlen(left[i]);
            if (len > width) {
                len = width;
                for (int k = 1; k + 1 <= width; k++)
                    if ((left[i][k - 1] == '\'' || left[i][k - 1] == ')') && left[i][k] == ',') { len = k + 1; break; }
            }
            memcpy(line + start + 1, left[i], (size_t)len);
            left[i] += len;
            more |= *left[i] != 0;
            pos = stops[i];
        }
        line[pos] = 0;
        fprintf(f, "%s\n", line);
    } while (more);
}

/* Which output of call c node s is (0 the main one), or -1. */
static int output_index(const nr_call *c, nr_sym s) {
    if (c->out == s) return 0;
    for (int i = 0; i < c->n_extra; i++)
        if (c->extra[i] == s) return 1 + i;
    return -1;
}

/* "dense_1[0][0]": the producing layer, which of its calls, which output. */
static void source_name(const nr_graph *g, nr_sym s, char *buf, size_t size) {
    const nr_node *n = &g->nodes[s];
    if (n->op == NR_OP_INPUT && n->layer) { snprintf(buf, size, "%s[0][0]", n->layer->name); return; }
    for (int c = 0; c < g->n_calls; c++) {
        int o = output_index(&g->calls[c], s);
        if (o < 0 || g->calls[c].hidden) continue;
        int k = 0;
        for (int d = 0; d < c; d++) k += g->calls[d].layer == g->calls[c].layer && !g->calls[d].hidden;
        snprintf(buf, size, "%s[%d][%d]", g->calls[c].layer->name, k, o);
        return;
    }
    snprintf(buf, size, "?");
}

static void layer_cell(const nr_layer *l, char *buf, size_t size) {
    snprintf(buf, size, "%s (%s)", l->name, l->cls->type);
}

static void functional_rows(const nr_model *m, FILE *f, const int *stops) {
    const nr_graph *g = m->g;
    char name[160], shape[96], params[32], conn[512];
    for (int i = 0; i < m->n_in; i++) {
        const nr_node *n = &g->nodes[m->in[i]];
        char s[96];
        snprintf(name, sizeof name, "%s (InputLayer)", n->layer ? n->layer->name : "input");
        snprintf(shape, sizeof shape, "[%s]", nr_node_shape_str(n, s, sizeof s));
        const char *fields[4] = {name, shape, "0", "[]"};
        row(f, fields, stops, 4);
        fprintf(f, "\n");
    }
    for (int i = 0; i < m->n_calls; i++) {
        const nr_call *c = &g->calls[m->calls[i]];
        int first = 1;
        for (int j = 0; j < i && first; j++) first = g->calls[m->calls[j]].layer != c->layer;
        if (!first) continue;
        layer_cell(c->layer, name, sizeof name);
        nr_node_shape_str(&g->nodes[c->out], shape, sizeof shape);
        commas(nr_layer_count_params(c->layer), params, sizeof params);
        size_t k = (size_t)snprintf(conn, sizeof conn, "[");
        for (int j = i; j < m->n_calls; j++) {
            const nr_call *cj = &g->calls[m->calls[j]];
            if (cj->layer != c->layer) continue;
            for (int a = 0; a < cj->n_in && k < sizeof conn; a++) {
                char src[96];
                source_name(g, cj->in[a], src, sizeof src);
                k += (size_t)snprintf(conn + k, sizeof conn - k, "%s'%s'", k > 1 ? ", " : "", src);
            }
        }
        if (k < sizeof conn) snprintf(conn + k, sizeof conn - k, "]");
        const char *fields[4] = {name, shape, params, conn};
        row(f, fields, stops, 4);
        fprintf(f, "\n");
    }
}

static void sequential_rows(const nr_model *m, FILE *f, const int *stops) {
    char name[160], shape[96], params[32];
    for (int i = 0; i < nr_model_n_layers(m); i++) {
        const nr_layer *l = nr_model_layer(m, i);
        layer_cell(l, name, sizeof name);
        if (m->n_in) nr_node_shape_str(&m->g->nodes[m->g->calls[m->calls[i]].out], shape, sizeof shape);
        else snprintf(shape, sizeof shape, "(unbuilt)");
        commas(m->n_in ? nr_layer_count_params(l) : 0, params, sizeof params);
        const char *fields[3] = {name, shape, params};
        row(f, fields, stops, 3);
        fprintf(f, "%*s\n", stops[2], "");
    }
}

nr_status nr_model_summary(const nr_model *m, FILE *f) {
    int functional = !m->sequential;
    int width = functional ? 98 : 65;
    const int seq_stops[3] = {29, 55, 65}, fun_stops[4] = {32, 58, 70, 98};
    fprintf(f, "Model: \"%s\"\n", m->name);
    rule(f, '_', width);
    const char *head[4] = {"Layer (type)", "Output Shape", "Param #", "Connected to"};
    row(f, head, functional ? fun_stops : seq_stops, functional ? 4 : 3);
    rule(f, '=', width);
    if (functional) functional_rows(m, f, fun_stops);
    else sequential_rows(m, f, seq_stops);
    rule(f, '=', width);
    int64_t t, n;
    nr_model_count_params(m, &t, &n);
    char a[32], b[32], c[32];
    commas(t + n, a, sizeof a);
    commas(t, b, sizeof b);
    commas(n, c, sizeof c);
    fprintf(f, "Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n", a, b, c);
    rule(f, '_', width);
    return ferror(f) ? nr_error(NR_STATUS_IO, "summary: write failed") : NR_OK;
}
