/* History: every logged figure per epoch, as Keras's History.history. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include "models/history.h"

struct nr_history {
    int n_epochs, cap;
    int n_keys;
    char keys[NR_MAX_LOGS][48];
    double *values[NR_MAX_LOGS];
    int *epochs;
};

nr_status nr_history_new(nr_history **out) {
    *out = nr_calloc(1, sizeof **out);
    return *out ? NR_OK : NR_NOMEM();
}

void nr_history_free(nr_history *h) {
    if (!h) return;
    for (int i = 0; i < h->n_keys; i++) nr_free(h->values[i]);
    nr_free(h->epochs);
    nr_free(h);
}

static int key_index(const nr_history *h, const char *key) {
    for (int i = 0; i < h->n_keys; i++)
        if (strcmp(h->keys[i], key) == 0) return i;
    return -1;
}

static nr_status grow(nr_history *h) {
    int cap = h->cap ? h->cap * 2 : 16;
    int *e = nr_realloc(h->epochs, (size_t)cap * sizeof *e);
    if (!e) return NR_NOMEM();
    h->epochs = e;
    for (int i = 0; i < h->n_keys; i++) {
        double *v = nr_realloc(h->values[i], (size_t)cap * sizeof *v);
        if (!v) return NR_NOMEM();
        h->values[i] = v;
    }
    h->cap = cap;
    return NR_OK;
}

/* A key first seen in a later epoch reads NAN for the epochs before. */
nr_status nr_history_append(nr_history *h, int epoch, const nr_logs *logs) {
    if (h->n_epochs == h->cap) NR_TRY(grow(h));
    for (int i = 0; i < logs->n; i++) {
        if (key_index(h, logs->names[i]) >= 0 || h->n_keys == NR_MAX_LOGS) continue;
        double *v = nr_malloc((size_t)h->cap * sizeof *v);
        if (!v) return NR_NOMEM();
        for (int e = 0; e < h->n_epochs; e++) v[e] = NAN;
        snprintf(h->keys[h->n_keys], sizeof h->keys[0], "%s", logs->names[i]);
        h->values[h->n_keys++] = v;
    }
    for (int i = 0; i < h->n_keys; i++) h->values[i][h->n_epochs] = nr_logs_get(logs, h->keys[i]);
    h->epochs[h->n_epochs++] = epoch;
    return NR_OK;
}

int nr_history_n_epochs(const nr_history *h) { return h->n_epochs; }
int nr_history_n_keys(const nr_history *h) { return h->n_keys; }
const char *nr_history_key(const nr_history *h, int i) { return i >= 0 && i < h->n_keys ? h->keys[i] : NULL; }
const int *nr_history_epochs(const nr_history *h) { return h->epochs; }

const double *nr_history_values(const nr_history *h, const char *key) {
    int i = key_index(h, key);
    return i < 0 ? NULL : h->values[i];
}

nr_status nr_history_save_csv(const nr_history *h, const char *path) {
    nr_atomic_file af;
    NR_TRY(nr_atomic_open_stdio(&af, path));
    fprintf(af.f, "epoch");
    for (int i = 0; i < h->n_keys; i++) fprintf(af.f, ",%s", h->keys[i]);
    fprintf(af.f, "\n");
    for (int e = 0; e < h->n_epochs; e++) {
        fprintf(af.f, "%d", h->epochs[e]);
        for (int i = 0; i < h->n_keys; i++) fprintf(af.f, ",%.9g", h->values[i][e]);
        fprintf(af.f, "\n");
    }
    return nr_atomic_commit(&af);
}
