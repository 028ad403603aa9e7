/* Header-only reader of the PyTorch fixture files written by
 * scripts/gen_*_fixtures.py: "neurona-op-fixtures 1", '#' comments, then
 * one tensor a line, "<name> <ndim> <dims...> <values...>". */
#ifndef NR_TEST_FIXTURE_H
#define NR_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define MAX_TENSORS 512

typedef struct fx_tensor {
    char name[80];
    int ndim;
    int64_t dims[4];
    int64_t n;
    float *v;
} fx_tensor;

typedef struct fixture {
    fx_tensor t[MAX_TENSORS];
    int n;
} fixture;

/* Parses a fixture file; 0 on a malformed file (reported). */
static inline int fx_load(fixture *fx, const char *rel) {
    memset(fx, 0, sizeof *fx);
    const char *path = nr_test_path(rel);
    size_t len;
    char *text = nr_test_read_file(path, &len);
    if (!CHECK(text != NULL)) {
        fprintf(stderr, "  cannot read %s (regenerate it with its scripts/gen_*_fixtures.py)\n", path);
        return 0;
    }
    int ok = 1;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, "neurona-op-fixtures 1") != 0) {
        fprintf(stderr, "  %s: not a version 1 fixture file\n", path);
        ok = 0;
    }
    for (line = ok ? strtok_r(NULL, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == 0) continue;
        if (fx->n == MAX_TENSORS) { ok = 0; break; }
        fx_tensor *t = &fx->t[fx->n];
        char *p = line, *end;
        size_t nl = strcspn(p, " ");
        if (nl == 0 || nl >= sizeof t->name) { ok = 0; break; }
        memcpy(t->name, p, nl);
        p += nl;
        t->ndim = (int)strtol(p, &end, 10);
        if (end == p || t->ndim < 0 || t->ndim > 4) { ok = 0; break; }
        p = end;
        t->n = 1;
        for (int i = 0; i < t->ndim; i++) {
            t->dims[i] = strtoll(p, &end, 10);
            if (end == p || t->dims[i] <= 0 || t->dims[i] > 100000) { ok = 0; break; }
            t->n *= t->dims[i];
            p = end;
        }
        if (!ok) break;
        t->v = malloc((size_t)t->n * sizeof(float));
        if (!t->v) { ok = 0; break; }
        for (int64_t i = 0; i < t->n; i++) {
            t->v[i] = strtof(p, &end);
            if (end == p) { ok = 0; break; }
            p = end;
        }
        fx->n++;
        if (!ok) break;
    }
    if (!ok) fprintf(stderr, "  %s: malformed near tensor %d\n", path, fx->n);
    free(text);
    return CHECK(ok);
}

static inline void fx_free(fixture *fx) {
    for (int i = 0; i < fx->n; i++) free(fx->t[i].v);
}

/* Tensor <prefix><suffix>, or NULL. */
static inline const fx_tensor *fx_get(const fixture *fx, const char *prefix, const char *suffix) {
    char name[128];
    snprintf(name, sizeof name, "%s%s", prefix, suffix);
    for (int i = 0; i < fx->n; i++)
        if (!strcmp(fx->t[i].name, name)) return &fx->t[i];
    return NULL;
}

/* The same, counted as a failure when absent. */
static inline const fx_tensor *fx_need(const fixture *fx, const char *prefix, const char *suffix) {
    const fx_tensor *t = fx_get(fx, prefix, suffix);
    if (!t) fprintf(stderr, "  fixture tensor %s%s missing\n", prefix, suffix);
    CHECK(t != NULL);
    return t;
}

#endif
