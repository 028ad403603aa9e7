/* The results file: a header line naming the search, then one JSON line
 * per finished trial, appended with one write() and fsync'd, so a kill at
 * any moment leaves whole lines (at worst a torn last one, which resume
 * cuts off). Resume reads the trials back into the search. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tune/tune_internal.h"

/* A growing string through the allocation hook. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int nomem;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...) {
    if (b->nomem) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *s = nr_realloc(b->s, cap);
        if (!s) {
            b->nomem = 1;
            return;
        }
        b->s = s, b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void put_string(sbuf *b, const char *s) {
    put(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') put(b, "\\%c", c);
        else if (c == '\n') put(b, "\\n");
        else if (c < 32) put(b, "\\u%04x", c);
        else put(b, "%c", c);
    }
    put(b, "\"");
}

static void put_number(sbuf *b, double v) {
    char num[40];
    nr_hp_value f = nr_hp_float(v);
    put(b, "%s", isfinite(v) ? nr_hp_value_str(&f, num, sizeof num) : "null");
}

static void put_value(sbuf *b, const nr_hp_value *v) {
    if (v->type == NR_HP_TYPE_INT) put(b, "%lld", (long long)v->i);
    else if (v->type == NR_HP_TYPE_FLOAT) put_number(b, v->f);
    else if (v->type == NR_HP_TYPE_BOOL) put(b, "%s", v->i ? "true" : "false");
    else if (v->type == NR_HP_TYPE_STR) put_string(b, v->s);
    else put(b, "null");
}

static nr_status write_all(int fd, const char *s, size_t n, const char *path) {
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return nr_error(NR_STATUS_IO, "%s: write failed: %s", path, strerror(errno));
        s += k, n -= (size_t)k;
    }
    if (fsync(fd) != 0) return nr_error(NR_STATUS_IO, "%s: fsync failed: %s", path, strerror(errno));
    return NR_OK;
}

static nr_status flush_line(nr_tune_state *st, sbuf *b) {
    put(b, "\n");
    nr_status s = b->nomem ? NR_NOMEM() : write_all(st->fd, b->s, b->len, st->o.results);
    nr_free(b->s);
    return s;
}

nr_status nr_results_append(nr_tune_state *st, const nr_trec *t) {
    const nr_tune_trial *p = &t->pub;
    sbuf b = {0};
    put(&b, "{\"trial\": %d, \"status\": \"%s\", \"value\": ", p->id, p->status == NR_TRIAL_OK ? "ok" : "failed");
    put_number(&b, p->value);
    put(&b, ", \"best_epoch\": %d, \"seconds\": ", p->best_epoch);
    put_number(&b, p->seconds);
    put(&b, ", \"executions\": %d, \"epochs\": %d, \"initial_epoch\": %d, \"from_trial\": %d, \"iteration\": %d, "
        "\"bracket\": %d, \"round\": %d, \"hp\": {", p->executions, p->epochs, p->initial_epoch, p->from_trial,
        p->iteration, p->bracket, p->round);
    for (int i = 0; i < nr_hp_values_count(t->hp); i++) {
        put(&b, "%s", i ? ", " : "");
        put_string(&b, nr_hp_values_name(t->hp, i));
        put(&b, ": ");
        put_value(&b, nr_hp_values_at(t->hp, i));
    }
    put(&b, "}, \"history\": %s, \"error\": ", t->history_json ? t->history_json : "{}");
    put_string(&b, p->error);
    put(&b, "}");
    return flush_line(st, &b);
}

static void put_header(nr_tune_state *st, sbuf *b) {
    put(b, "{\"search\": {\"tuner\": \"%s\", \"objective\": ", nr_tuner_name(st->o.kind));
    put_string(b, st->o.objective);
    put(b, ", \"direction\": \"%s\", \"seed\": %llu}}", st->o.direction == NR_MODE_MAX ? "max" : "min",
        (unsigned long long)st->o.seed);
}

/* --- reading back -------------------------------------------------------- */

static int json_int(const nr_json *o, const char *key, int fallback) {
    const nr_json *j = nr_json_get(o, key);
    return j && j->kind == NR_JSON_NUM ? (int)j->num : fallback;
}

static double json_num(const nr_json *o, const char *key) {
    const nr_json *j = nr_json_get(o, key);
    return j && j->kind == NR_JSON_NUM ? j->num : NAN;
}

static nr_status read_hp(const nr_json *hp, nr_hp_values *v) {
    for (int i = 0; hp && hp->kind == NR_JSON_OBJ && i < hp->n; i++) {
        const nr_json *j = hp->items[i];
        nr_hp_value x;
        if (j->kind == NR_JSON_NUM) x = j->is_int ? nr_hp_int((int64_t)j->num) : nr_hp_float(j->num);
        else if (j->kind == NR_JSON_BOOL) x = nr_hp_bool(j->b);
        else if (j->kind == NR_JSON_STR) x = nr_hp_str(j->str);
        else return nr_error(NR_STATUS_BAD_FORMAT, "hyperparameter \"%s\" has no value", hp->keys[i]);
        NR_TRY(nr_hp_values_set(v, hp->keys[i], &x));
    }
    return NR_OK;
}

static nr_status read_curve(const nr_json *line, const char *objective, nr_trec *t) {
    const nr_json *c = nr_json_get(nr_json_get(line, "history"), objective);
    if (!c || c->kind != NR_JSON_ARR || c->n == 0) return NR_OK;
    if (!(t->curve = nr_malloc((size_t)c->n * sizeof *t->curve))) return NR_NOMEM();
    for (int i = 0; i < c->n; i++) t->curve[i] = c->items[i]->kind == NR_JSON_NUM ? c->items[i]->num : NAN;
    t->pub.n_curve = c->n;
    t->pub.curve = t->curve;
    return NR_OK;
}

static nr_status read_trial(nr_tune_state *st, const nr_json *line, nr_trec *t) {
    const nr_json *status = nr_json_get(line, "status"), *err = nr_json_get(line, "error");
    memset(t, 0, sizeof *t);
    nr_tune_trial *p = &t->pub;
    p->id = json_int(line, "trial", -1);
    if (p->id < 0 || !status || status->kind != NR_JSON_STR) return nr_error(NR_STATUS_BAD_FORMAT, "not a trial");
    p->status = strcmp(status->str, "ok") ? NR_TRIAL_FAILED : NR_TRIAL_OK;
    p->value = json_num(line, "value");
    p->best_epoch = json_int(line, "best_epoch", -1);
    p->seconds = json_num(line, "seconds");
    p->executions = json_int(line, "executions", 1);
    p->epochs = json_int(line, "epochs", 0);
    p->initial_epoch = json_int(line, "initial_epoch", 0);
    p->from_trial = json_int(line, "from_trial", -1);
    p->iteration = json_int(line, "iteration", -1);
    p->bracket = json_int(line, "bracket", -1);
    p->round = json_int(line, "round", -1);
    p->resumed = 1;
    t->finished = 1;
    if (!(t->error = nr_strdup(err && err->kind == NR_JSON_STR ? err->str : ""))) return NR_NOMEM();
    p->error = t->error;
    NR_TRY(nr_hp_values_new(&t->hp));
    p->hp = t->hp;
    NR_TRY(read_hp(nr_json_get(line, "hp"), t->hp));
    return read_curve(line, st->o.objective, t);
}

static nr_status check_header(nr_tune_state *st, const nr_json *line) {
    const nr_json *h = nr_json_get(line, "search");
    sbuf want = {0};
    put_header(st, &want);
    nr_json *w = NULL;
    nr_status s = want.nomem ? NR_NOMEM() : nr_json_parse(want.s, want.len, &w);
    const char *keys[] = {"tuner", "objective", "direction"};
    for (int i = 0; s == NR_OK && i < 3; i++) {
        const nr_json *a = nr_json_get(h, keys[i]), *b = nr_json_get(nr_json_get(w, "search"), keys[i]);
        if (!a || a->kind != NR_JSON_STR || strcmp(a->str, b->str))
            s = nr_error(NR_STATUS_BAD_ARGUMENT, "%s: written by another search (%s %s); this one has %s %s; give "
                         "another results file or overwrite it", st->o.results, keys[i],
                         a && a->kind == NR_JSON_STR ? a->str : "?", keys[i], b->str);
    }
    if (s == NR_OK && json_num(h, "seed") != (double)st->o.seed)
        s = nr_error(NR_STATUS_BAD_ARGUMENT, "%s: written by a search with seed %.0f, this one has seed %llu; give "
                     "another results file or overwrite it", st->o.results, json_num(h, "seed"),
                     (unsigned long long)st->o.seed);
    nr_json_free(w);
    nr_free(want.s);
    return s;
}

static nr_status add_restored(nr_tune_state *st, const nr_json *line, int lineno) {
    if (st->n == st->cap) {
        int cap = st->cap ? 2 * st->cap : 16;
        nr_trec *t = nr_realloc(st->trials, (size_t)cap * sizeof *t);
        if (!t) return NR_NOMEM();
        st->trials = t, st->cap = cap;
    }
    nr_trec *t = &st->trials[st->n];
    nr_status s = read_trial(st, line, t);
    st->n++; /* freed with the others, whole or not */
    if (s != NR_OK) return nr_error_prefix(s, "%s:%d", st->o.results, lineno);
    for (int i = 0; i < st->n - 1; i++)
        if (st->trials[i].pub.id == t->pub.id)
            return nr_error(NR_STATUS_BAD_FORMAT, "%s:%d: trial %d appears twice", st->o.results, lineno, t->pub.id);
    if (st->next_id <= t->pub.id) st->next_id = t->pub.id + 1;
    st->created++;
    if (t->pub.status == NR_TRIAL_OK && isfinite(t->pub.value) && nr_oracle_loss(st, t->pub.value) < st->best_claim)
        st->best_claim = nr_oracle_loss(st, t->pub.value);
    return nr_oracle_restore(st, t);
}

/* Every complete line of text[0..n): the header, then trials. */
static nr_status restore(nr_tune_state *st, const char *text, size_t n) {
    int lineno = 0;
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(text + at, '\n', n - at);
        size_t len = (size_t)(nl - (text + at));
        nr_json *line = NULL;
        lineno++;
        nr_status s = nr_json_parse(text + at, len, &line);
        if (s != NR_OK) s = nr_error_prefix(s, "%s:%d", st->o.results, lineno);
        else if (lineno == 1) s = check_header(st, line);
        else s = add_restored(st, line, lineno);
        nr_json_free(line);
        NR_TRY(s);
        at += len + 1;
    }
    return NR_OK;
}

static nr_status read_back(nr_tune_state *st, size_t size) {
    char *text = nr_malloc(size + 1);
    if (!text) return NR_NOMEM();
    size_t got = 0;
    while (got < size) {
        ssize_t k = pread(st->fd, text + got, size - got, (off_t)got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    /* A line cut short by a kill is dropped. */
    while (got > 0 && text[got - 1] != '\n') got--;
    nr_status s = got != size && ftruncate(st->fd, (off_t)got) != 0
                      ? nr_error(NR_STATUS_IO, "%s: cannot cut its torn last line: %s", st->o.results, strerror(errno))
                      : NR_OK;
    if (s == NR_OK) s = restore(st, text, got);
    nr_free(text);
    return s;
}

static nr_status write_header(nr_tune_state *st) {
    sbuf b = {0};
    put_header(st, &b);
    return flush_line(st, &b);
}

nr_status nr_results_open(nr_tune_state *st) {
    const char *path = st->o.results;
    if (!path) return NR_OK;
    st->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | (st->o.overwrite ? O_TRUNC : 0), 0644);
    if (st->fd < 0) return nr_error(NR_STATUS_IO, "%s: cannot open the results file: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(st->fd, &sb) != 0) return nr_error(NR_STATUS_IO, "%s: %s", path, strerror(errno));
    if (sb.st_size > 0) NR_TRY(read_back(st, (size_t)sb.st_size));
    /* Empty, or only a torn header. */
    return lseek(st->fd, 0, SEEK_END) == 0 ? write_header(st) : NR_OK;
}
