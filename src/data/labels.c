/* Class names: the index <-> name mapping a classifier's outputs need,
 * built from a CSV target column or restored from a model file. */
#include <string.h>
#include "core/core.h"
#include "neurona/data.h"

struct nr_labels {
    int n;
    char **names;
};

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorting a copy finds duplicates in n log n; classifiers may have
 * tens of thousands of classes. */
static nr_status check_distinct(const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!names[i]) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_labels_new: name %d is NULL", i);
    const char **sorted = nr_malloc((size_t)n * sizeof *sorted);
    if (!sorted) return NR_NOMEM();
    memcpy(sorted, names, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_str);
    nr_status s = NR_OK;
    for (int i = 1; i < n && s == NR_OK; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            s = nr_error(NR_STATUS_BAD_ARGUMENT, "nr_labels_new: label '%s' appears twice", sorted[i]);
    nr_free(sorted);
    return s;
}

nr_status nr_labels_new(const char *const *names, int n, nr_labels **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_labels_new: out is NULL");
    *out = NULL;
    if (!names || n < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_labels_new: need at least one name, got %d", n);
    NR_TRY(check_distinct(names, n));
    nr_labels *l = nr_calloc(1, sizeof *l);
    if (!l) return NR_NOMEM();
    l->names = nr_calloc((size_t)n, sizeof *l->names);
    if (!l->names) { nr_free(l); return NR_NOMEM(); }
    l->n = n;
    for (int i = 0; i < n; i++) {
        if (!(l->names[i] = nr_strdup(names[i]))) {
            nr_labels_free(l);
            return NR_NOMEM();
        }
    }
    *out = l;
    return NR_OK;
}

void nr_labels_free(nr_labels *l) {
    if (!l) return;
    for (int i = 0; i < l->n; i++) nr_free(l->names[i]);
    nr_free(l->names);
    nr_free(l);
}

int nr_labels_count(const nr_labels *l) { return l ? l->n : 0; }

const char *nr_labels_name(const nr_labels *l, int i) {
    return l && i >= 0 && i < l->n ? l->names[i] : NULL;
}

int nr_labels_lookup(const nr_labels *l, const char *name) {
    if (!l || !name) return -1;
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0) return i;
    return -1;
}
