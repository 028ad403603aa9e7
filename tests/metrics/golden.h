/* Reader of the golden files scripts/gen_metrics_goldens.py writes
 * (format documented there): cases of numeric arrays, texts and string
 * lists, looked up by key. Header-only, for the metrics and prep tests. */
#ifndef NR_TESTS_GOLDEN_H
#define NR_TESTS_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define GOLDEN_MAGIC "neurona-metrics-goldens 1"

typedef struct golden {
    char *text;      /* the whole file, NUL-terminated */
    char *at;        /* where the next case starts */
    const char *name;
    char *body, *end;   /* the current case's lines, [body, end) */
} golden;

/* Opens tests/fixtures/metrics/FILE or fails the test run. */
static inline int golden_open(golden *g, const char *file) {
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/metrics/%s", file);
    memset(g, 0, sizeof *g);
    g->text = nr_test_read_file(nr_test_path(rel), NULL);
    if (!g->text || strncmp(g->text, GOLDEN_MAGIC "\n", strlen(GOLDEN_MAGIC) + 1) != 0) {
        fprintf(stderr, "cannot read %s (or bad magic)\n", rel);
        free(g->text);
        g->text = NULL;
        return 0;
    }
    g->at = g->text;
    return 1;
}

static inline void golden_close(golden *g) { free(g->text); }

/* Moves to the next case; 0 when there is none. Its name is g->name. */
static inline int golden_next(golden *g) {
    char *c = strstr(g->at, "\ncase ");
    if (!c) return 0;
    char *nl = strchr(c + 1, '\n');
    *nl = 0;
    g->name = c + 6;
    g->body = nl + 1;
    char *next = strstr(g->body, "\ncase ");
    g->end = next ? next : g->body + strlen(g->body);
    g->at = g->end;
    return 1;
}

/* The line "KEY ..." of the case (a KEY followed by a space or newline). */
static inline const char *golden_line(const golden *g, const char *prefix, const char *key) {
    size_t lp = strlen(prefix), lk = strlen(key);
    for (const char *p = g->body; p && p < g->end; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, prefix, lp) == 0 && strncmp(p + lp, key, lk) == 0 && (p[lp + lk] == ' ' || p[lp + lk] == '\n'))
            return p + lp + lk;
        if (strncmp(p, "text ", 5) == 0 || strncmp(p, "strings ", 8) == 0) p = strstr(p, "\nend\n");
    }
    return NULL;
}

/* The numbers of KEY (malloc'ed; caller frees), their count in *n; NULL
 * when the case lacks the key. */
static inline double *golden_nums(const golden *g, const char *key, int64_t *n) {
    const char *p = golden_line(g, "", key);
    *n = 0;
    if (!p) return NULL;
    const char *e = strchr(p, '\n');
    int64_t cap = 1;
    for (const char *q = p; q < e; q++) cap += *q == ' ';
    double *v = malloc((size_t)cap * sizeof *v);
    for (char *q = (char *)p; q < e && *q == ' ';) v[(*n)++] = strtod(q, &q);
    return v;
}

static inline double golden_num(const golden *g, const char *key) {
    int64_t n;
    double *v = golden_nums(g, key, &n);
    double x = v && n ? v[0] : NAN;
    free(v);
    return x;
}

/* As golden_nums, converted to int. */
static inline int *golden_ints(const golden *g, const char *key, int64_t *n) {
    double *v = golden_nums(g, key, n);
    if (!v) return NULL;
    int *r = malloc((size_t)(*n ? *n : 1) * sizeof *r);
    for (int64_t i = 0; i < *n; i++) r[i] = (int)v[i];
    free(v);
    return r;
}

/* The text value of KEY (malloc'ed), or NULL. */
static inline char *golden_text(const golden *g, const char *key) {
    const char *p = golden_line(g, "text ", key);
    if (!p) return NULL;
    p = strchr(p, '\n') + 1;
    const char *e = strstr(p - 1, "\nend\n");
    size_t len = (size_t)(e + 1 - p);
    char *s = malloc(len + 1);
    memcpy(s, p, len);
    s[len] = 0;
    return s;
}

/* The strings of KEY: an array of *n pointers into one block (free the
 * array only), or NULL. */
static inline char **golden_strings(const golden *g, const char *key, int *n) {
    char *t = NULL;
    const char *p = golden_line(g, "strings ", key);
    *n = 0;
    if (!p) return NULL;
    p = strchr(p, '\n') + 1;
    const char *e = strstr(p - 1, "\nend\n");
    size_t len = (size_t)(e + 1 - p);
    int cap = 1;
    for (const char *q = p; q < e + 1; q++) cap += *q == '\n';
    char **v = malloc((size_t)cap * sizeof *v + len + 1);
    t = (char *)(v + cap);
    memcpy(t, p, len);
    t[len] = 0;
    for (char *q = t; *q;) {
        char *nl = strchr(q, '\n');
        *nl = 0;
        v[(*n)++] = q;
        q = nl + 1;
    }
    return v;
}

/* Checks got[0..n) against KEY's numbers to 1e-9 (absolute and
 * relative); NaN matches NaN, inf matches inf. Returns 1 when all do. */
static inline int golden_check(const golden *g, const char *key, const double *got, int64_t n) {
    int64_t m;
    double *want = golden_nums(g, key, &m);
    int ok = want && m == n;
    if (!want || m != n)
        fprintf(stderr, "  %s/%s: %lld values, golden has %lld\n", g->name, key, (long long)n, (long long)m);
    for (int64_t i = 0; ok && i < n; i++) {
        double a = got[i], b = want[i];
        int same = (isnan(a) && isnan(b)) || a == b || fabs(a - b) <= 1e-9 + 1e-9 * fabs(b);
        if (!same) {
            fprintf(stderr, "  %s/%s[%lld]: got %.17g, want %.17g\n", g->name, key, (long long)i, a, b);
            ok = 0;
        }
    }
    free(want);
    return CHECK(ok);
}

#endif
