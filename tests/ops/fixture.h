/* Reader of the PyTorch reference files "neurona-op-fixtures 1" written by
 * scripts/gen_*_fixtures.py: after the magic line, '#' comments and one
 * tensor a line, "<name> <ndim> <dim0> ... <value> ...".
 *
 *   fixture *fx = malloc(sizeof *fx);
 *   if (fx_load(fx, "tests/fixtures/conv2d/pool.txt", "gen_conv2d_fixtures.py")) {
 *       const fx_tensor *y = fx_need(fx, "case.", "y");
 *       ...
 *   }
 *   fx_free(fx);
 *   free(fx);
 *
 * The same format as tests/ops/test_ops_torch.c reads with its own copy. */
#ifndef NR_FIXTURE_H
#define NR_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define FX_MAX_TENSORS 512
#define FX_MAX_DIM 100000

typedef struct fx_tensor {
    char name[80];
    int ndim;
    int64_t dims[4];
    int64_t n;
    float *v;
} fx_tensor;

typedef struct fixture {
    fx_tensor t[FX_MAX_TENSORS];
    int n;
} fixture;

/* Parses one tensor line into t (its values malloc'ed). 0 if malformed. */
static inline int fx_parse_line(fx_tensor *t, char *p) {
    char *end;
    size_t nl = strcspn(p, " ");
    if (nl == 0 || nl >= sizeof t->name) return 0;
    memcpy(t->name, p, nl);
    p += nl;
    t->ndim = (int)strtol(p, &end, 10);
    if (end == p || t->ndim < 0 || t->ndim > 4) return 0;
    p = end;
    t->n = 1;
    for (int i = 0; i < t->ndim; i++) {
        t->dims[i] = strtoll(p, &end, 10);
        if (end == p || t->dims[i] <= 0 || t->dims[i] > FX_MAX_DIM) return 0;
        t->n *= t->dims[i];
        p = end;
    }
    if (t->n > FX_MAX_DIM * 10) return 0;
    t->v = malloc((size_t)t->n * sizeof(float));
    if (!t->v) return 0;
    for (int64_t i = 0; i < t->n; i++) {
        t->v[i] = strtof(p, &end);
        if (end == p) return 0;
        p = end;
    }
    return 1;
}

/* Reads the file at rel (under the source tree) into fx; 0 on a missing or
 * malformed file (reported, counted as a failure). script names the
 * generator to rerun. fx_free frees it in every case. */
static inline int fx_load(fixture *fx, const char *rel, const char *script) {
    memset(fx, 0, sizeof *fx);
    const char *path = nr_test_path(rel);
    char *text = nr_test_read_file(path, NULL);
    if (!CHECK(text != NULL)) {
        fprintf(stderr, "  cannot read %s (regenerate with /usr/bin/python3 scripts/%s)\n", path, script);
        return 0;
    }
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    int ok = line && !strcmp(line, "neurona-op-fixtures 1");
    if (!ok) fprintf(stderr, "  %s: not a version 1 fixture file\n", path);
    for (line = ok ? strtok_r(NULL, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == 0) continue;
        if (fx->n == FX_MAX_TENSORS) { ok = 0; break; }
        ok = fx_parse_line(&fx->t[fx->n], line);
        fx->n++; /* counted even when malformed, so fx_free frees its values */
        if (!ok) break;
    }
    if (!ok) fprintf(stderr, "  %s: malformed near tensor %d\n", path, fx->n);
    free(text);
    return CHECK(ok);
}

static inline void fx_free(fixture *fx) {
    for (int i = 0; i < fx->n; i++) free(fx->t[i].v);
    fx->n = 0;
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
