/* Header-only reader of the PyTorch fixture files ("neurona-op-fixtures 1":
 * '#' comments, then one tensor a line, "<name> <ndim> <dims...>
 * <values...>"; see scripts/gen_op_fixtures.py). Tensors are looked up by
 * name; a missing tensor counts as a failed check. */
#ifndef NR_TEST_FIXTURE_H
#define NR_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define FX_MAX_TENSORS 256

typedef struct fx_tensor {
    char name[80];
    int ndim;
    int64_t dims[4];
    int64_t n;
    float *v;
} fx_tensor;

typedef struct fx_file {
    fx_tensor t[FX_MAX_TENSORS];
    int n;
} fx_file;

/* Parses one tensor line into t; 0 when malformed. */
static inline int fx_parse_line(char *p, fx_tensor *t) {
    char *end;
    size_t nl = strcspn(p, " ");
    if (nl == 0 || nl >= sizeof t->name) return 0;
    memcpy(t->name, p, nl);
    t->name[nl] = 0;
    p += nl;
    t->ndim = (int)strtol(p, &end, 10);
    if (end == p || t->ndim < 0 || t->ndim > 4) return 0;
    p = end;
    t->n = 1;
    for (int i = 0; i < t->ndim; i++) {
        t->dims[i] = strtoll(p, &end, 10);
        if (end == p || t->dims[i] <= 0 || t->dims[i] > 100000) return 0;
        t->n *= t->dims[i];
        p = end;
    }
    t->v = malloc((size_t)t->n * sizeof(float));
    if (!t->v) return 0;
    for (int64_t i = 0; i < t->n; i++) {
        t->v[i] = strtof(p, &end);
        if (end == p) return 0;
        p = end;
    }
    return 1;
}

/* Loads a fixture under the source tree; 0 (counted as a failure) when
 * the file is missing or malformed. Free with fx_free either way. */
static inline int fx_load(fx_file *fx, const char *rel, const char *script) {
    memset(fx, 0, sizeof *fx);
    const char *path = nr_test_path(rel);
    char *text = nr_test_read_file(path, NULL);
    if (!CHECK(text != NULL)) {
        fprintf(stderr, "  cannot read %s (regenerate with /usr/bin/python3 %s)\n", path, script);
        return 0;
    }
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    int ok = line && strcmp(line, "neurona-op-fixtures 1") == 0;
    for (line = ok ? strtok_r(NULL, "\n", &save) : NULL; ok && line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == 0) continue;
        ok = fx->n < FX_MAX_TENSORS && fx_parse_line(line, &fx->t[fx->n]);
        fx->n++;
    }
    if (!ok) fprintf(stderr, "  %s: malformed near tensor %d\n", path, fx->n);
    free(text);
    return CHECK(ok);
}

static inline void fx_free(fx_file *fx) {
    for (int i = 0; i < fx->n && i < FX_MAX_TENSORS; i++) free(fx->t[i].v);
}

/* Tensor <prefix>.<name>, or NULL (counted as a failure). */
static inline const fx_tensor *fx_need(const fx_file *fx, const char *prefix, const char *name) {
    char full[128];
    snprintf(full, sizeof full, "%s.%s", prefix, name);
    for (int i = 0; i < fx->n; i++)
        if (!strcmp(fx->t[i].name, full)) return &fx->t[i];
    fprintf(stderr, "  fixture tensor %s missing\n", full);
    CHECK(0);
    return NULL;
}

#endif
