/* Model files: save everything a model needs to predict and to resume
 * training, and load it back with every part verified before the caller
 * sees anything. */
#include <string.h>
#include "io/keras_internal.h"
#include "io/model_file.h"
#include "io/nrfile.h"
#include "models/model_internal.h"
#include "neurona/spec.h"

static const char format_tag[] = "neurona model 1";

static void put_u64(unsigned char *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* Layers whose weights the file holds: every layer with weights in the graph. */
static nr_status add_weights(nr_nrfile_writer *w, const nr_model *m) {
    const nr_graph *g = m->g;
    for (int i = 0; i < g->n_layers; i++) {
        const nr_layer *l = g->layers[i];
        for (int k = 0; k < l->n_weights; k++) {
            const nr_node *n = &g->nodes[l->weights[k]];
            char name[128];
            snprintf(name, sizeof name, "weights/%s/%d", l->name, k);
            NR_TRY(nr_nrfile_add_tensor(w, name, n->ndim, n->shape, g->params + n->param_off));
        }
    }
    return NR_OK;
}

static nr_status add_extras(nr_nrfile_writer *w, const nr_model *m, unsigned char *seed, unsigned char *step,
                            unsigned char *iters, nr_strbuf *labels) {
    put_u64(seed, m->g->seed);
    put_u64(step, m->step);
    NR_TRY(nr_nrfile_add_bytes(w, "graph/seed", seed, 8));
    NR_TRY(nr_nrfile_add_bytes(w, "training/step", step, 8));
    if (m->opt) {
        int64_t n = (int64_t)nr_optimizer_state_size(m->opt);
        put_u64(iters, (uint64_t)nr_optimizer_iterations(m->opt));
        NR_TRY(nr_nrfile_add_tensor(w, "optimizer/state", 1, &n, nr_optimizer_state(m->opt)));
        NR_TRY(nr_nrfile_add_bytes(w, "optimizer/iterations", iters, 8));
    }
    if (m->scaler) {
        int64_t n = nr_scaler_size(m->scaler);
        NR_TRY(nr_nrfile_add_text(w, "scaler/kind", nr_scaler_get_kind(m->scaler) == NR_SCALER_MINMAX ? "minmax" : "standard"));
        NR_TRY(nr_nrfile_add_tensor(w, "scaler/offset", 1, &n, nr_scaler_offset(m->scaler)));
        NR_TRY(nr_nrfile_add_tensor(w, "scaler/scale", 1, &n, nr_scaler_scale(m->scaler)));
    }
    if (m->labels) {
        for (int i = 0; i < nr_labels_count(m->labels); i++) nr_strbuf_printf(labels, "%s\n", nr_labels_name(m->labels, i));
        if (labels->failed) return NR_NOMEM();
        NR_TRY(nr_nrfile_add_text(w, "labels", labels->s ? labels->s : ""));
    }
    NR_TRY(nr_model_series_save(w, m));
    return nr_model_prep_save(w, m);
}

nr_status nr_model_save(const nr_model *m, const char *path) {
    char *arch = NULL;
    NR_TRY(nr_model_to_spec(m, &arch));
    nr_strbuf compile = {0}, labels = {0};
    nr_compile_to_spec(m, "model", &compile);
    nr_nrfile_writer *w = NULL;
    unsigned char seed[8], step[8], iters[8];
    nr_status s = compile.failed ? NR_NOMEM() : nr_nrfile_writer_new(&w);
    if (s == NR_OK) s = nr_nrfile_add_text(w, "neurona/format", format_tag);
    if (s == NR_OK) s = nr_nrfile_add_text(w, "architecture", arch);
    if (s == NR_OK && compile.s) s = nr_nrfile_add_text(w, "compile", compile.s);
    if (s == NR_OK) s = add_weights(w, m);
    if (s == NR_OK) s = add_extras(w, m, seed, step, iters, &labels);
    if (s == NR_OK) s = nr_nrfile_save(w, path);
    nr_nrfile_writer_free(w);
    nr_free(compile.s);
    nr_free(labels.s);
    nr_free_string(arch);
    return s;
}

/* --- loading -------------------------------------------------------------- */

static nr_status read_u64(const nr_nrfile *f, const char *name, uint64_t *out) {
    nr_nrfile_section sec;
    NR_TRY(nr_nrfile_find_kind(f, name, NR_NRFILE_KIND_BYTES, &sec));
    if (sec.size != 8) return nr_error(NR_STATUS_BAD_FORMAT, "%s: section '%s' has %zu bytes, expected 8", nr_nrfile_label(f), name, sec.size);
    *out = get_u64(sec.data);
    return NR_OK;
}

static nr_status load_weights(const nr_nrfile *f, nr_graph *g) {
    for (int i = 0; i < g->n_layers; i++) {
        const nr_layer *l = g->layers[i];
        for (int k = 0; k < l->n_weights; k++) {
            const nr_node *n = &g->nodes[l->weights[k]];
            char name[128];
            nr_nrfile_section sec;
            snprintf(name, sizeof name, "weights/%s/%d", l->name, k);
            NR_TRY(nr_nrfile_find_kind(f, name, NR_NRFILE_KIND_TENSOR, &sec));
            int same = sec.ndim == n->ndim;
            for (int d = 0; same && d < n->ndim; d++) same = sec.shape[d] == n->shape[d];
            if (!same) {
                char a[96], b[96];
                return nr_error(NR_STATUS_BAD_FORMAT, "%s: weight '%s' has shape %s, the architecture needs %s",
                                nr_nrfile_label(f), name, nr_shape_str(a, sizeof a, sec.ndim, sec.shape),
                                nr_shape_str(b, sizeof b, n->ndim, n->shape));
            }
            memcpy(g->params + n->param_off, sec.data, sec.size);
        }
    }
    return NR_OK;
}

static nr_status load_optimizer(const nr_nrfile *f, nr_model *m) {
    nr_nrfile_section sec;
    if (!m->opt || nr_nrfile_find_kind(f, "optimizer/state", NR_NRFILE_KIND_TENSOR, &sec) != NR_OK) {
        nr_clear_error();
        return NR_OK;
    }
    if ((size_t)sec.numel != nr_optimizer_state_size(m->opt))
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: optimizer state has %lld values, the model's optimizer needs %zu",
                        nr_nrfile_label(f), (long long)sec.numel, nr_optimizer_state_size(m->opt));
    uint64_t it = 0;
    NR_TRY(read_u64(f, "optimizer/iterations", &it));
    if (sec.size) memcpy(nr_optimizer_state(m->opt), sec.data, sec.size); /* NULL when stateless (plain SGD) */
    nr_optimizer_set_iterations(m->opt, (int64_t)it);
    return NR_OK;
}

static nr_status load_scaler_labels(const nr_nrfile *f, nr_model *m) {
    nr_nrfile_section kind, off, scale, lab;
    if (nr_nrfile_find_kind(f, "scaler/kind", NR_NRFILE_KIND_TEXT, &kind) == NR_OK) {
        NR_TRY(nr_nrfile_find_kind(f, "scaler/offset", NR_NRFILE_KIND_TENSOR, &off));
        NR_TRY(nr_nrfile_find_kind(f, "scaler/scale", NR_NRFILE_KIND_TENSOR, &scale));
        if (off.numel != scale.numel)
            return nr_error(NR_STATUS_BAD_FORMAT, "%s: scaler offset and scale differ in size", nr_nrfile_label(f));
        nr_scaler_kind k = strcmp(kind.data, "minmax") == 0 ? NR_SCALER_MINMAX : NR_SCALER_STANDARD;
        NR_TRY(nr_scaler_from_params(k, off.numel, off.data, scale.data, &m->scaler));
    }
    if (nr_nrfile_find_kind(f, "labels", NR_NRFILE_KIND_TEXT, &lab) == NR_OK) {
        char *text = nr_strdup(lab.data);
        const char *names[4096];
        int n = 0;
        if (!text) return NR_NOMEM();
        for (char *p = text, *nl; *p && n < 4096; p = nl + 1) {
            nl = strchr(p, '\n');
            if (!nl) break;
            *nl = 0;
            names[n++] = p;
        }
        nr_status s = nr_labels_new(names, n, &m->labels);
        nr_free(text);
        NR_TRY(s);
    }
    nr_clear_error();
    return NR_OK;
}

static nr_status build(const nr_nrfile *f, nr_spec **spec) {
    nr_nrfile_section fmt, arch, comp;
    uint64_t seed = 0;
    NR_TRY(nr_nrfile_find_kind(f, "neurona/format", NR_NRFILE_KIND_TEXT, &fmt));
    if (strcmp(fmt.data, format_tag) != 0)
        return nr_error(NR_STATUS_BAD_VERSION, "%s: model format \"%s\" is not \"%s\"; upgrade neurona", nr_nrfile_label(f),
                        (const char *)fmt.data, format_tag);
    NR_TRY(nr_nrfile_find_kind(f, "architecture", NR_NRFILE_KIND_TEXT, &arch));
    NR_TRY(read_u64(f, "graph/seed", &seed));
    nr_strbuf text = {0};
    nr_strbuf_printf(&text, "%s\n", (const char *)arch.data);
    if (nr_nrfile_find_kind(f, "compile", NR_NRFILE_KIND_TEXT, &comp) == NR_OK) nr_strbuf_printf(&text, "%s\n", (const char *)comp.data);
    nr_clear_error();
    if (text.failed) { nr_free(text.s); return NR_NOMEM(); }
    char label[4200];
    snprintf(label, sizeof label, "%s[architecture]", nr_nrfile_label(f));
    nr_status s = nr_spec_load_string(text.s, label, seed, spec);
    nr_free(text.s);
    return s;
}

nr_status nr_model_load(const char *path, nr_graph **g_out, nr_model **m_out) {
    *g_out = NULL;
    *m_out = NULL;
    nr_keras_kind kind = nr_keras_sniff(path);
    if (kind == NR_KERAS_HDF5 || kind == NR_KERAS_ZIP) return nr_keras_load(path, 42, g_out, m_out);
    nr_nrfile *f = NULL;
    NR_TRY(nr_nrfile_open(path, &f));
    nr_spec *spec = NULL;
    nr_status s = build(f, &spec);
    nr_model *m = s == NR_OK ? nr_spec_model(spec) : NULL;
    if (s == NR_OK && !m) s = nr_error(NR_STATUS_BAD_FORMAT, "%s: the architecture defines no model", path);
    if (s == NR_OK) s = load_weights(f, nr_spec_graph(spec));
    if (s == NR_OK) s = load_optimizer(f, m);
    if (s == NR_OK) s = load_scaler_labels(f, m);
    if (s == NR_OK) s = nr_model_series_load(f, m);
    if (s == NR_OK) s = nr_model_prep_load(f, m);
    uint64_t step = 0;
    if (s == NR_OK) s = read_u64(f, "training/step", &step);
    if (s == NR_OK) {
        m->step = step;
        *g_out = nr_spec_take_graph(spec);
        *m_out = m;
    }
    nr_spec_free(spec);
    nr_nrfile_close(f);
    return s;
}

nr_status nr_model_set_scaler(nr_model *m, const nr_scaler *s) {
    nr_scaler *copy = NULL;
    if (s) NR_TRY(nr_scaler_from_params(nr_scaler_get_kind(s), nr_scaler_size(s), nr_scaler_offset(s), nr_scaler_scale(s), &copy));
    nr_scaler_free(m->scaler);
    m->scaler = copy;
    return NR_OK;
}

const nr_scaler *nr_model_scaler(const nr_model *m) { return m->scaler; }

nr_status nr_model_set_labels(nr_model *m, const nr_labels *labels) {
    nr_labels *copy = NULL;
    if (labels) {
        int n = nr_labels_count(labels);
        const char **names = nr_malloc(((size_t)n + 1) * sizeof *names);
        if (!names) return NR_NOMEM();
        for (int i = 0; i < n; i++) names[i] = nr_labels_name(labels, i);
        nr_status s = nr_labels_new(names, n, &copy);
        nr_free(names);
        NR_TRY(s);
    }
    nr_labels_free(m->labels);
    m->labels = copy;
    return NR_OK;
}

const nr_labels *nr_model_labels(const nr_model *m) { return m->labels; }
