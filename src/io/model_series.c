/* The time-series windowing a model was trained with, kept in the model
 * and in its file, so that `neurona forecast` rebuilds the same inputs
 * from a raw CSV file. Sections (see io/model_file.h):
 *
 *   "series"         text, one "key value" a line, first line the version:
 *                      neurona series 1
 *                      window 24
 *                      horizon 1
 *                      stride 1
 *                      split 0.7 0.15 0.15
 *                      feature Temp          (one line per feature, in order)
 *                      target Temp           (one line per target, in order)
 *                      scaler standard       (standard | minmax | none)
 *   "series/offset", "series/scale"   tensors (C,), the scaler of the C
 *                    columns of nr_series_columns, when scaler is not none
 *
 * A model file without "series" is a plain model, as every file written
 * before series existed; a reader that predates them ignores the sections.
 * Another version line is refused with a hint to upgrade. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/core.h"
#include "data/series_internal.h"
#include "io/model_file.h"
#include "io/nrfile.h"
#include "models/model_internal.h"

static const char series_tag[] = "neurona series 1";

struct nr_series_record {
    nr_series_opts o;      /* features and targets point into names */
    char **names;          /* n_features + n_targets copies */
    nr_scaler *scaler;     /* or NULL */
};

void nr_series_record_free(nr_series_record *ms) {
    if (!ms) return;
    for (int i = 0; ms->names && i < ms->o.n_features + ms->o.n_targets; i++) nr_free(ms->names[i]);
    nr_free(ms->names);
    nr_scaler_free(ms->scaler);
    nr_free(ms);
}

static nr_status check_line_names(const nr_series_opts *o) {
    for (int i = 0; i < o->n_features + o->n_targets; i++) {
        const char *n = i < o->n_features ? o->features[i] : o->targets[i - o->n_features];
        if (!*n || strpbrk(n, "\r\n"))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "model series: column name '%s' is empty or holds a line break", n);
    }
    return NR_OK;
}

/* A copy of o (resolved and checked) and of scaler. */
static nr_status series_copy(const nr_series_opts *o, const nr_scaler *scaler, nr_series_record *ms) {
    ms->o = nr_series_opts_resolved(o);
    NR_TRY(nr_series_opts_check("model series", &ms->o));
    NR_TRY(check_line_names(&ms->o));
    const char *cols[1];
    int n = ms->o.n_features + ms->o.n_targets, nc = nr_series_columns(&ms->o, cols, 0);
    if (scaler && nr_scaler_size(scaler) != nc)
        return nr_error(NR_STATUS_BAD_SHAPE, "model series: the scaler has %lld features, the series %d columns "
                        "(features, then targets that are not features)", (long long)nr_scaler_size(scaler), nc);
    if (!(ms->names = nr_calloc((size_t)n, sizeof *ms->names))) return NR_NOMEM();
    for (int i = 0; i < n; i++) {
        const char *src = i < ms->o.n_features ? ms->o.features[i] : ms->o.targets[i - ms->o.n_features];
        if (!(ms->names[i] = nr_strdup(src))) return NR_NOMEM();
    }
    ms->o.features = (const char *const *)ms->names;
    ms->o.targets = (const char *const *)ms->names + ms->o.n_features;
    if (!scaler) return NR_OK;
    return nr_scaler_from_params(nr_scaler_get_kind(scaler), nr_scaler_size(scaler), nr_scaler_offset(scaler),
                                 nr_scaler_scale(scaler), &ms->scaler);
}

nr_status nr_model_set_series(nr_model *m, const nr_series_opts *o, const nr_scaler *scaler) {
    nr_series_record *ms = NULL;
    if (o) {
        if (!(ms = nr_calloc(1, sizeof *ms))) return NR_NOMEM();
        nr_status s = series_copy(o, scaler, ms);
        if (s != NR_OK) {
            nr_series_record_free(ms);
            return s;
        }
    }
    nr_series_record_free(m->series);
    m->series = ms;
    return NR_OK;
}

const nr_series_opts *nr_model_series(const nr_model *m) { return m->series ? &m->series->o : NULL; }
const nr_scaler *nr_model_series_scaler(const nr_model *m) { return m->series ? m->series->scaler : NULL; }

/* ---------------------------------------------------------- saving --- */

static const char *scaler_name(const nr_scaler *s) {
    return !s ? "none" : nr_scaler_get_kind(s) == NR_SCALER_MINMAX ? "minmax" : "standard";
}

nr_status nr_model_series_save(nr_nrfile_writer *w, const nr_model *m) {
    const nr_series_record *ms = m->series;
    if (!ms) return NR_OK;
    const nr_series_opts *o = &ms->o;
    nr_strbuf sb = {0};
    nr_strbuf_printf(&sb, "%s\nwindow %d\nhorizon %d\nstride %d\nsplit %.17g %.17g %.17g\n", series_tag, o->window,
                     o->horizon, o->stride, o->split[0], o->split[1], o->split[2]);
    for (int i = 0; i < o->n_features; i++) nr_strbuf_printf(&sb, "feature %s\n", o->features[i]);
    for (int i = 0; i < o->n_targets; i++) nr_strbuf_printf(&sb, "target %s\n", o->targets[i]);
    nr_strbuf_printf(&sb, "scaler %s\n", scaler_name(ms->scaler));
    nr_status s = sb.failed ? NR_NOMEM() : nr_nrfile_add_text(w, "series", sb.s);
    nr_free(sb.s);
    NR_TRY(s);
    if (!ms->scaler) return NR_OK;
    int64_t n = nr_scaler_size(ms->scaler);
    NR_TRY(nr_nrfile_add_tensor(w, "series/offset", 1, &n, nr_scaler_offset(ms->scaler)));
    return nr_nrfile_add_tensor(w, "series/scale", 1, &n, nr_scaler_scale(ms->scaler));
}

/* --------------------------------------------------------- loading --- */

/* The text being parsed, its file, and what it has said so far. */
typedef struct parse {
    const nr_nrfile *f;
    int line;
    nr_series_opts o;
    const char **features, **targets;   /* names pointing into the text */
    int n_features, n_targets, cap;
    nr_scaler_kind scale;  /* 0: none */
} parse;

static nr_status bad(const parse *p, const char *what, const char *val) {
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: section 'series' line %d: %s '%s'", nr_nrfile_label(p->f), p->line,
                    what, val);
}

static nr_status parse_int(const parse *p, const char *val, int *out) {
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (!*val || *end || errno || v < 1 || v > 1 << 30) return bad(p, "bad count", val);
    *out = (int)v;
    return NR_OK;
}

static nr_status parse_split(const parse *p, const char *val, double *f) {
    char *end = (char *)val;
    for (int i = 0; i < 3; i++) {
        const char *at = end;
        f[i] = strtod(at, &end);
        if (end == at) return bad(p, "bad split", val);
    }
    return *end ? bad(p, "bad split", val) : NR_OK;
}

static nr_status parse_scaler(parse *p, const char *val) {
    if (strcmp(val, "none") == 0) p->scale = 0;
    else if (strcmp(val, "standard") == 0) p->scale = NR_SCALER_STANDARD;
    else if (strcmp(val, "minmax") == 0) p->scale = NR_SCALER_MINMAX;
    else return bad(p, "unknown scaler", val);
    return NR_OK;
}

/* cap is the text's size / 2, more than its lines can name. */
static nr_status push(const char **list, int *n, int cap, const char *val) {
    NR_ASSERT(*n < cap);
    list[(*n)++] = val;
    return NR_OK;
}

static nr_status parse_line(parse *p, char *key) {
    char *val = strchr(key, ' ');
    if (!val) return bad(p, "expected 'key value', got", key);
    *val++ = 0;
    if (strcmp(key, "window") == 0) return parse_int(p, val, &p->o.window);
    if (strcmp(key, "horizon") == 0) return parse_int(p, val, &p->o.horizon);
    if (strcmp(key, "stride") == 0) return parse_int(p, val, &p->o.stride);
    if (strcmp(key, "split") == 0) return parse_split(p, val, p->o.split);
    if (strcmp(key, "feature") == 0) return push(p->features, &p->n_features, p->cap, val);
    if (strcmp(key, "target") == 0) return push(p->targets, &p->n_targets, p->cap, val);
    if (strcmp(key, "scaler") == 0) return parse_scaler(p, val);
    return bad(p, "unknown key", key);
}

static nr_status parse_text(parse *p, char *text) {
    char *nl = strchr(text, '\n');
    if (nl) *nl = 0;
    if (strcmp(text, series_tag) != 0)
        return nr_error(strncmp(text, "neurona series ", 15) == 0 ? NR_STATUS_BAD_VERSION : NR_STATUS_BAD_FORMAT,
                        "%s: series format \"%s\" is not \"%s\"; upgrade neurona", nr_nrfile_label(p->f), text,
                        series_tag);
    p->line = 1;
    for (char *q = nl ? nl + 1 : NULL; q && *q; q = nl + 1) {
        p->line++;
        if (!(nl = strchr(q, '\n'))) return bad(p, "unterminated line", q);
        *nl = 0;
        NR_TRY(parse_line(p, q));
    }
    return NR_OK;
}

/* The scaler named by the text, from the two tensors. */
static nr_status load_scaler(const nr_nrfile *f, nr_scaler_kind kind, nr_scaler **out) {
    nr_nrfile_section off, scale;
    *out = NULL;
    if (!kind) return NR_OK;
    NR_TRY(nr_nrfile_find_kind(f, "series/offset", NR_NRFILE_KIND_TENSOR, &off));
    NR_TRY(nr_nrfile_find_kind(f, "series/scale", NR_NRFILE_KIND_TENSOR, &scale));
    if (off.numel != scale.numel)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: series scaler offset and scale differ in size", nr_nrfile_label(f));
    return nr_scaler_from_params(kind, off.numel, off.data, scale.data, out);
}

static nr_status set_parsed(nr_model *m, parse *p) {
    p->o.features = p->features;
    p->o.n_features = p->n_features;
    p->o.targets = p->targets;
    p->o.n_targets = p->n_targets;
    nr_scaler *sc = NULL;
    NR_TRY(load_scaler(p->f, p->scale, &sc));
    nr_status s = nr_model_set_series(m, &p->o, sc);
    nr_scaler_free(sc);
    if (s != NR_OK) return nr_error_prefix(s, "%s", nr_nrfile_label(p->f));
    return NR_OK;
}

nr_status nr_model_series_load(const nr_nrfile *f, nr_model *m) {
    nr_nrfile_section sec;
    if (nr_nrfile_find_kind(f, "series", NR_NRFILE_KIND_TEXT, &sec) != NR_OK) {
        nr_clear_error();
        return NR_OK;
    }
    int cap = (int)(sec.size / 2 + 1);
    char *text = nr_strdup(sec.data);
    parse p = {.f = f, .cap = cap};
    p.features = nr_malloc(2 * (size_t)cap * sizeof *p.features);
    p.targets = p.features ? p.features + cap : NULL;
    nr_status s = text && p.features ? parse_text(&p, text) : NR_NOMEM();
    if (s == NR_OK) s = set_parsed(m, &p);
    nr_free(p.features);
    nr_free(text);
    return s;
}
