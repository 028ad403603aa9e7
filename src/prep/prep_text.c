/* A fitted pipeline as text, the "prep" section of a model file. One
 * "key value" a line, the value running to the end of the line; the
 * first line is the version:
 *
 *   neurona prep 1
 *   input COL              the header fitted on, a line per column
 *   target COL             the column new data may lack (optional)
 *   step KIND              starts a step: drop-missing, fill, bins,
 *                          onehot, ordinal or normalize; then its lines:
 *   option TEXT            how the user wrote it (for messages)
 *   column COL             the column (drop-missing: one line each, none
 *                          meaning every column)
 *   how NAME               fill: mean|median|mode|value; bins: width|freq|
 *                          edges|labelled; normalize: minmax|zscore|
 *                          zscore-sample; onehot: int|float (the naming)
 *   value NUMBER           fill: the overall statistic or constant
 *   text TEXT              fill: the text value of a text column
 *   by COL                 fill: the class column
 *   class NUMBER KEY       fill by class: a class's statistic
 *   edge NUMBER            bins: the k + 1 edges, in order (inf, -inf)
 *   label TEXT             bins: the k labels, in order
 *   category TEXT          onehot, ordinal: the values, in order
 *   range A B              normalize minmax: the target range
 *   stat A B               normalize: min and max, or mean and std
 *
 * Numbers are printed with 17 significant digits, so they read back
 * exactly. Another version line is refused with a hint to upgrade. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "prep/prep_internal.h"
#include "graph/graph.h"

static const char prep_tag[] = "neurona prep 1";
static const char *const kinds[] = {"drop-missing", "fill", "bins", "onehot", "ordinal", "normalize"};
static const char *const hows[3][4] = {
    {"mean", "median", "mode", "value"}, {"width", "freq", "edges", "labelled"}, {"minmax", "zscore", "zscore-sample"}};

static const char *const *how_names(prep_kind k) {
    return k == PREP_FILL ? hows[0] : k == PREP_BINS ? hows[1] : k == PREP_NORMALIZE ? hows[2] : NULL;
}

static void put_strs(nr_strbuf *sb, const char *key, const prep_strs *l) {
    for (int i = 0; i < l->n; i++) nr_strbuf_printf(sb, "%s %s\n", key, l->s[i]);
}

static void put_step(nr_strbuf *sb, const prep_step *s) {
    nr_strbuf_printf(sb, "step %s\noption %s\n", kinds[s->kind], s->option);
    if (s->col) nr_strbuf_printf(sb, "column %s\n", s->col);
    put_strs(sb, "column", &s->cols);
    const char *const *how = how_names(s->kind);
    if (how) nr_strbuf_printf(sb, "how %s\n", how[s->how]);
    if (s->kind == PREP_ONEHOT) nr_strbuf_printf(sb, "how %s\n", s->how ? "float" : "int");
    if (s->kind == PREP_FILL) {
        nr_strbuf_printf(sb, "value %.17g\n", s->value);
        if (s->text) nr_strbuf_printf(sb, "text %s\n", s->text);
        if (s->by) nr_strbuf_printf(sb, "by %s\n", s->by);
        for (int i = 0; s->by && i < s->keys.n; i++) nr_strbuf_printf(sb, "class %.17g %s\n", s->nums[i], s->keys.s[i]);
    }
    if (s->kind == PREP_BINS) {
        for (int i = 0; i <= s->k; i++) nr_strbuf_printf(sb, "edge %.17g\n", s->nums[i]);
        put_strs(sb, "label", &s->keys);
    }
    if (s->kind == PREP_ONEHOT || s->kind == PREP_ORDINAL) put_strs(sb, "category", &s->keys);
    if (s->kind == PREP_NORMALIZE) nr_strbuf_printf(sb, "range %.17g %.17g\nstat %.17g %.17g\n", s->lo, s->hi, s->a, s->b);
}

static int has_newline(const prep_strs *l) {
    for (int i = 0; i < l->n; i++)
        if (strpbrk(l->s[i], "\r\n")) return 1;
    return 0;
}

static int step_has_newline(const prep_step *s) {
    return has_newline(&s->keys) || has_newline(&s->cols) || (s->text && strpbrk(s->text, "\r\n")) ||
           (s->col && strpbrk(s->col, "\r\n")) || (s->by && strpbrk(s->by, "\r\n"));
}

nr_status nr_prep_to_text(const nr_prep *p, char **text) {
    *text = NULL;
    if (!p->fitted) return nr_error(NR_STATUS_STATE, "prep: only a fitted pipeline can be saved");
    int bad = has_newline(&p->inputs) || (p->target && strpbrk(p->target, "\r\n"));
    for (int i = 0; i < p->n; i++) bad |= step_has_newline(&p->steps[i]);
    if (bad) return nr_error(NR_STATUS_UNSUPPORTED, "prep: a column name or value holds a line break; it cannot be saved");
    nr_strbuf sb = {0};
    nr_strbuf_printf(&sb, "%s\n", prep_tag);
    put_strs(&sb, "input", &p->inputs);
    if (p->target) nr_strbuf_printf(&sb, "target %s\n", p->target);
    for (int i = 0; i < p->n; i++) put_step(&sb, &p->steps[i]);
    if (sb.failed) {
        nr_free(sb.s);
        return NR_NOMEM();
    }
    *text = sb.s;
    return NR_OK;
}

void nr_prep_free_text(char *text) { nr_free(text); }

/* ------------------------------------------------------------ reading --- */

typedef struct reader {
    const char *source;
    int line;
    nr_prep *p;
    prep_step *s;      /* the current step */
    int n_edges;
} reader;

static nr_status bad(const reader *r, const char *what, const char *val) {
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: prep line %d: %s '%s'", r->source, r->line, what, val);
}

static nr_status read_nums(const reader *r, const char *val, double *out, int n, const char **rest) {
    char *end = (char *)val;
    for (int i = 0; i < n; i++) {
        const char *at = end;
        errno = 0;
        out[i] = strtod(at, &end);
        if (end == at) return bad(r, "bad number in", val);
        if (*end == ' ') end++;
    }
    if (rest) *rest = end;
    else if (*end) return bad(r, "trailing text in", val);
    return NR_OK;
}

static nr_status set_how(reader *r, const char *val) {
    prep_step *s = r->s;
    if (s->kind == PREP_ONEHOT) {
        s->how = strcmp(val, "float") == 0;
        return s->how || strcmp(val, "int") == 0 ? NR_OK : bad(r, "unknown naming", val);
    }
    const char *const *how = how_names(s->kind);
    for (int i = 0; how && i < 4 && how[i]; i++)
        if (strcmp(how[i], val) == 0) {
            s->how = i;
            return NR_OK;
        }
    return bad(r, "unknown kind", val);
}

static nr_status dup(char **dst, const char *val) {
    nr_free(*dst);
    return (*dst = nr_strdup(val)) ? NR_OK : NR_NOMEM();
}

static nr_status grow_nums(prep_step *s, int n) {
    double *v = nr_realloc(s->nums, (size_t)n * sizeof *v);
    if (!v) return NR_NOMEM();
    s->nums = v;
    return NR_OK;
}

static nr_status class_line(reader *r, const char *val) {
    prep_step *s = r->s;
    const char *key = "";
    double v;
    NR_TRY(read_nums(r, val, &v, 1, &key));
    NR_TRY(grow_nums(s, s->keys.n + 1));
    s->nums[s->keys.n] = v;
    return prep_strs_add(&s->keys, key);
}

static nr_status edge_line(reader *r, const char *val) {
    NR_TRY(grow_nums(r->s, r->n_edges + 1));
    NR_TRY(read_nums(r, val, &r->s->nums[r->n_edges], 1, NULL));
    r->n_edges++;
    return NR_OK;
}

static nr_status step_line(reader *r, const char *key, const char *val) {
    prep_step *s = r->s;
    if (strcmp(key, "option") == 0) return dup(&s->option, val);
    if (strcmp(key, "column") == 0) return s->kind == PREP_DROP ? prep_strs_add(&s->cols, val) : dup(&s->col, val);
    if (strcmp(key, "how") == 0) return set_how(r, val);
    if (strcmp(key, "value") == 0) return read_nums(r, val, &s->value, 1, NULL);
    if (strcmp(key, "text") == 0) return dup(&s->text, val);
    if (strcmp(key, "by") == 0) return dup(&s->by, val);
    if (strcmp(key, "class") == 0) return class_line(r, val);
    if (strcmp(key, "edge") == 0) return edge_line(r, val);
    if (strcmp(key, "label") == 0 || strcmp(key, "category") == 0) return prep_strs_add(&s->keys, val);
    if (strcmp(key, "range") == 0 || strcmp(key, "stat") == 0) {
        double v[2];
        NR_TRY(read_nums(r, val, v, 2, NULL));
        if (key[0] == 'r') s->lo = v[0], s->hi = v[1];
        else s->a = v[0], s->b = v[1];
        return NR_OK;
    }
    return bad(r, "unknown key", key);
}

/* The step just read is whole. */
static nr_status check_step(const reader *r) {
    const prep_step *s = r->s;
    if (!s) return NR_OK;
    if (!s->option || (s->kind != PREP_DROP && !s->col)) return bad(r, "incomplete step", kinds[s->kind]);
    if (s->kind == PREP_BINS && (r->n_edges < 2 || s->keys.n != r->n_edges - 1))
        return bad(r, "bins need k + 1 edges and k labels in step", s->option);
    return NR_OK;
}

static nr_status start_step(reader *r, const char *val) {
    NR_TRY(check_step(r));
    if (r->s && r->s->kind == PREP_BINS) r->s->k = r->n_edges - 1;
    nr_prep *p = r->p;
    for (int k = 0; k < 6; k++) {
        if (strcmp(kinds[k], val) != 0) continue;
        if (p->n == p->cap) {
            int cap = p->cap ? 2 * p->cap : 8;
            prep_step *st = nr_realloc(p->steps, (size_t)cap * sizeof *st);
            if (!st) return NR_NOMEM();
            p->steps = st, p->cap = cap;
        }
        r->s = &p->steps[p->n++];
        memset(r->s, 0, sizeof *r->s);
        r->s->kind = (prep_kind)k;
        r->s->fitted = 1;
        r->n_edges = 0;
        return NR_OK;
    }
    return bad(r, "unknown step", val);
}

static nr_status read_line(reader *r, char *line) {
    char *val = strchr(line, ' ');
    if (!val) return bad(r, "expected 'key value', got", line);
    *val++ = 0;
    if (strcmp(line, "step") == 0) return start_step(r, val);
    if (!r->s && strcmp(line, "input") == 0) return prep_strs_add(&r->p->inputs, val);
    if (!r->s && strcmp(line, "target") == 0) return dup(&r->p->target, val);
    if (!r->s) return bad(r, "unknown key", line);
    return step_line(r, line, val);
}

static nr_status read_text(reader *r, char *text) {
    char *nl = strchr(text, '\n');
    if (nl) *nl = 0;
    if (strcmp(text, prep_tag) != 0)
        return nr_error(strncmp(text, "neurona prep ", 13) == 0 ? NR_STATUS_BAD_VERSION : NR_STATUS_BAD_FORMAT,
                        "%s: prep format \"%s\" is not \"%s\"; upgrade neurona", r->source, text, prep_tag);
    r->line = 1;
    for (char *q = nl ? nl + 1 : NULL; q && *q; q = nl + 1) {
        r->line++;
        if (!(nl = strchr(q, '\n'))) return bad(r, "unterminated line", q);
        *nl = 0;
        NR_TRY(read_line(r, q));
    }
    NR_TRY(check_step(r));
    if (r->s && r->s->kind == PREP_BINS) r->s->k = r->n_edges - 1;
    if (!r->p->inputs.n) return bad(r, "no input columns in", r->source);
    r->p->fitted = 1;
    return NR_OK;
}

nr_status nr_prep_from_text(const char *text, const char *source, nr_prep **out) {
    *out = NULL;
    nr_prep *p;
    NR_TRY(nr_prep_new(&p));
    char *copy = nr_strdup(text);
    reader r = {.source = source, .p = p};
    nr_status s = copy ? read_text(&r, copy) : NR_NOMEM();
    nr_free(copy);
    if (s != NR_OK) {
        nr_prep_free(p);
        return s;
    }
    *out = p;
    return NR_OK;
}
