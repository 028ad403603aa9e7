/* A small JSON reader for the results file: objects, arrays, strings
 * (with the escapes the writer uses, and \uXXXX of ASCII), numbers,
 * true, false and null. Nesting is bounded; any error is BAD_FORMAT. */
#include <math.h>
#include <string.h>
#include "tune/tune_internal.h"

#define MAX_DEPTH 16

typedef struct reader {
    const char *p, *end;
    int depth;
} reader;

void nr_json_free(nr_json *j) {
    if (!j) return;
    for (int i = 0; i < j->n; i++) {
        nr_json_free(j->items[i]);
        if (j->keys) nr_free(j->keys[i]);
    }
    nr_free(j->items);
    nr_free(j->keys);
    nr_free(j->str);
    nr_free(j);
}

static nr_status fail(const char *what) { return nr_error(NR_STATUS_BAD_FORMAT, "JSON: %s", what); }

static void space(reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n')) r->p++;
}

static nr_status parse_string(reader *r, char **out) {
    r->p++;
    const char *q = r->p;
    while (q < r->end && *q != '"') q += *q == '\\' ? 2 : 1;
    if (q >= r->end) return fail("unterminated string");
    char *s = nr_malloc((size_t)(q - r->p) + 1);
    if (!s) return NR_NOMEM();
    size_t k = 0;
    while (r->p < q) {
        char c = *r->p++;
        if (c != '\\') {
            s[k++] = c;
            continue;
        }
        c = *r->p++;
        static const char from[] = "nrt\"\\/bf", to[] = "\n\r\t\"\\/\b\f";
        const char *m = strchr(from, c);
        if (c && m) {
            s[k++] = to[m - from];
        } else if (c == 'u' && q - r->p >= 4) {
            char hex[5] = {r->p[0], r->p[1], r->p[2], r->p[3], 0};
            long v = strtol(hex, NULL, 16);
            s[k++] = v > 0 && v < 128 ? (char)v : '?';
            r->p += 4;
        } else {
            nr_free(s);
            return fail("bad escape in a string");
        }
    }
    s[k] = 0;
    r->p = q + 1;
    *out = s;
    return NR_OK;
}

static nr_status parse_value(reader *r, nr_json **out);

static nr_status add_item(nr_json *j, nr_json *item, char *key) {
    nr_json **items = nr_realloc(j->items, (size_t)(j->n + 1) * sizeof *items);
    if (items) j->items = items;
    char **keys = j->kind == NR_JSON_OBJ && items ? nr_realloc(j->keys, (size_t)(j->n + 1) * sizeof *keys) : NULL;
    if (keys) j->keys = keys;
    if (!items || (j->kind == NR_JSON_OBJ && !keys)) {
        nr_json_free(item);
        nr_free(key);
        return NR_NOMEM();
    }
    if (keys) keys[j->n] = key;
    items[j->n++] = item;
    return NR_OK;
}

static nr_status parse_members(reader *r, nr_json *j, char close) {
    r->p++;
    space(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return NR_OK;
    }
    for (;;) {
        char *key = NULL;
        space(r);
        if (close == '}') {
            if (r->p >= r->end || *r->p != '"') return fail("expected a key");
            NR_TRY(parse_string(r, &key));
            space(r);
            if (r->p >= r->end || *r->p != ':') {
                nr_free(key);
                return fail("expected ':'");
            }
            r->p++;
        }
        nr_json *item;
        nr_status s = parse_value(r, &item);
        if (s != NR_OK) {
            nr_free(key);
            return s;
        }
        NR_TRY(add_item(j, item, key));
        space(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == close) {
            r->p++;
            return NR_OK;
        }
        return fail("expected ',' or a closing bracket");
    }
}

static int word(reader *r, const char *w) {
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || strncmp(r->p, w, n)) return 0;
    r->p += n;
    return 1;
}

static nr_status parse_scalar(reader *r, nr_json *j) {
    if (word(r, "null")) return NR_OK;
    if (word(r, "true") || word(r, "false")) {
        j->kind = NR_JSON_BOOL;
        j->b = r->p[-1] == 'e' && r->p[-2] == 'u';
        return NR_OK;
    }
    char buf[64];
    size_t n = 0;
    while (r->p + n < r->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", r->p[n])) n++;
    if (n == 0) return fail("unexpected character");
    memcpy(buf, r->p, n);
    buf[n] = 0;
    char *e;
    j->kind = NR_JSON_NUM;
    j->num = strtod(buf, &e);
    if (e != buf + n) return fail("bad number");
    j->is_int = !strpbrk(buf, ".eE");
    r->p += n;
    return NR_OK;
}

static nr_status parse_value(reader *r, nr_json **out) {
    space(r);
    if (r->p >= r->end) return fail("unexpected end");
    if (++r->depth > MAX_DEPTH) return fail("nested too deeply");
    nr_json *j = nr_calloc(1, sizeof *j);
    if (!j) return NR_NOMEM();
    j->start = r->p;
    nr_status s;
    if (*r->p == '{' || *r->p == '[') {
        j->kind = *r->p == '{' ? NR_JSON_OBJ : NR_JSON_ARR;
        s = parse_members(r, j, *r->p == '{' ? '}' : ']');
    } else if (*r->p == '"') {
        j->kind = NR_JSON_STR;
        s = parse_string(r, &j->str);
    } else {
        s = parse_scalar(r, j);
    }
    r->depth--;
    j->end = r->p;
    if (s != NR_OK) {
        nr_json_free(j);
        return s;
    }
    *out = j;
    return NR_OK;
}

nr_status nr_json_parse(const char *text, size_t len, nr_json **out) {
    reader r = {.p = text, .end = text + len};
    *out = NULL;
    NR_TRY(parse_value(&r, out));
    space(&r);
    if (r.p != r.end) {
        nr_json_free(*out);
        *out = NULL;
        return fail("text after the value");
    }
    return NR_OK;
}

const nr_json *nr_json_get(const nr_json *obj, const char *key) {
    if (!obj || obj->kind != NR_JSON_OBJ) return NULL;
    for (int i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key)) return obj->items[i];
    return NULL;
}
